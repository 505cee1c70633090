// Node's `assert` module: assert/ok, equal, notEqual, strictEqual, notStrictEqual, deepEqual,
// notDeepEqual, deepStrictEqual, notDeepStrictEqual, throws, doesNotThrow, rejects,
// doesNotReject, match, doesNotMatch, ifError, fail, AssertionError, and assert.strict.
// Messages follow Node's for values that inspect to one line; for longer ones the
// "+ actual - expected" diff is a plain line diff (Node also elides long unchanged runs).
// assert(value) cannot quote the failing expression (Node reads it from the source file): its
// message is "<value> == true", Node's own fallback. CallTracker is not provided.
((core, internals) => {
  "use strict";
  internals.builtins.set("assert", (require) => {
    const { inspect, nodeError, errInvalidArgType, errInvalidArgValue, describeReceived, validateFunction, deepEqual, types, isError } = internals.nodeShared;
    const { console } = globalThis;
    const warn = console && console.error ? console.error.bind(console) : () => {};

    const inspectValue = (value) => inspect(value, {
      compact: false, customInspect: false, depth: 1000, maxArrayLength: Infinity, showHidden: false,
      showProxy: false, sorted: true, getters: true,
    });

    const headers = {
      deepStrictEqual: "Expected values to be strictly deep-equal:",
      strictEqual: "Expected values to be strictly equal:",
      strictEqualObject: 'Expected "actual" to be reference-equal to "expected":',
      deepEqual: "Expected values to be loosely deep-equal:",
      notDeepStrictEqual: 'Expected "actual" not to be strictly deep-equal to:',
      notStrictEqual: 'Expected "actual" to be strictly unequal to:',
      notStrictEqualObject: 'Expected "actual" not to be reference-equal to "expected":',
      notDeepEqual: 'Expected "actual" not to be loosely deep-equal to:',
      notIdentical: "Values identical but not reference-equal:",
      notDeepEqualUnequal: "Expected values not to be loosely deep-equal:",
    };
    const isObjectLike = (value) => (typeof value === "object" && value !== null) || typeof value === "function";

    // Lines of `a` and `b`, common ones marked "  ", those only in actual "+ ", only in expected
    // "- " (each changed run: its actual lines, then its expected lines). As in Node, lines that
    // differ only by a trailing comma count as common, and are shown with it.
    function lineDiff(a, b) {
      const key = (line) => (line.endsWith(",") ? line.slice(0, -1) : line);
      const ka = a.map(key), kb = b.map(key);
      const common = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
      for (let i = a.length - 1; i >= 0; i--) {
        for (let j = b.length - 1; j >= 0; j--) {
          common[i][j] = ka[i] === kb[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
        }
      }
      const out = [];
      let added = [], removed = [];
      const flush = () => {
        out.push(...added, ...removed);
        added = [];
        removed = [];
      };
      let i = 0, j = 0;
      while (i < a.length || j < b.length) {
        if (i < a.length && j < b.length && ka[i] === kb[j]) {
          flush();
          out.push(`  ${a[i].length >= b[j].length ? a[i] : b[j]}`);
          i++;
          j++;
        } else if (j >= b.length || (i < a.length && common[i + 1][j] >= common[i][j + 1])) {
          added.push(`+ ${a[i++]}`);
        } else {
          removed.push(`- ${b[j++]}`);
        }
      }
      flush();
      return out.join("\n");
    }

    function diffMessage(actual, expected, operator, message) {
      const a = inspectValue(actual).split("\n"), e = inspectValue(expected).split("\n");
      if (operator === "strictEqual" && isObjectLike(actual) && isObjectLike(expected)) operator = "strictEqualObject";
      let header = message !== undefined ? String(message) : headers[operator];
      let indicator = "";
      if (a.length === 1 && e.length === 1 && a[0] !== e[0]) {
        const length = a[0].length + e[0].length;
        if (length <= 12) {
          if (!isObjectLike(actual) && !isObjectLike(expected) && (actual !== 0 || expected !== 0)) {
            return `${header}\n\n${a[0]} !== ${e[0]}\n`;
          }
        } else if (operator !== "strictEqualObject" && length < 80) {
          let i = 0;
          while (a[0][i] === e[0][i]) i++;
          if (i > 2) indicator = `\n  ${" ".repeat(i)}^`;
        }
      }
      const shownA = a.join("\n"), shownE = e.join("\n");
      if (shownA === shownE) {
        header = operator === "strictEqualObject" ? "Values have same structure but are not reference-equal:" : headers.notIdentical;
        return `${header}\n\n${shownA}\n`;
      }
      return `${header}\n+ actual - expected\n\n${lineDiff(a, e)}${indicator}`;
    }

    function generatedMessage(actual, expected, operator) {
      if (operator === "notDeepStrictEqual" || operator === "notStrictEqual") {
        let header = headers[operator];
        if (operator === "notStrictEqual" && isObjectLike(actual)) header = headers.notStrictEqualObject;
        const lines = inspectValue(actual).split("\n");
        if (lines.length > 50) {
          lines[46] = "...";
          lines.length = 47;
        }
        if (lines.length === 1) return `${header}${lines[0].length > 5 ? "\n\n" : " "}${lines[0]}`;
        return `${header}\n\n${lines.join("\n")}\n`;
      }
      let shown = inspectValue(actual), other = inspectValue(expected);
      if (operator === "notDeepEqual" && shown === other) {
        shown = `${headers.notDeepEqual}\n\n${shown}`;
        return shown.length > 1024 ? `${shown.slice(0, 1021)}...` : shown;
      }
      if (shown.length > 512) shown = `${shown.slice(0, 509)}...`;
      if (other.length > 512) other = `${other.slice(0, 509)}...`;
      if (operator === "deepEqual") return `${headers.deepEqual}\n\n${shown}\n\nshould loosely deep-equal\n\n${other}`;
      const unequal = headers[`${operator}Unequal`];
      if (unequal) return `${unequal}\n\n${shown}\n\nshould not loosely deep-equal\n\n${other}`;
      return `${shown} ${operator} ${other}`;
    }

    class AssertionError extends Error {
      constructor(options) {
        if (options === null || typeof options !== "object") throw errInvalidArgType("options", "Object", options);
        const { message, operator, stackStartFn } = options;
        const { actual, expected } = options;
        let text;
        if (operator === "deepStrictEqual" || operator === "strictEqual") {
          text = diffMessage(actual, expected, operator, message != null ? message : undefined);
        } else if (message != null) {
          text = String(message);
        } else {
          text = generatedMessage(actual, expected, operator);
        }
        super(text);
        this.generatedMessage = message == null;
        Object.defineProperty(this, "name", { value: "AssertionError [ERR_ASSERTION]", enumerable: false, writable: true, configurable: true });
        this.code = "ERR_ASSERTION";
        this.actual = actual;
        this.expected = expected;
        this.operator = operator;
        if (typeof Error.captureStackTrace === "function") Error.captureStackTrace(this, stackStartFn || AssertionError);
        this.stack; // eslint-disable-line no-unused-expressions -- formats the stack with the name above
        this.name = "AssertionError";
      }
      toString() {
        return `${this.name} [${this.code}]: ${this.message}`;
      }
    }

    const innerFail = (options) => {
      if (options.message instanceof Error) throw options.message;
      throw new AssertionError(options);
    };
    const missingArgs = () => nodeError(TypeError, "ERR_MISSING_ARGS", 'The "actual" and "expected" arguments must be specified');

    function innerOk(fn, argCount, value, message) {
      if (value) return;
      let generated = false;
      if (argCount === 0) {
        generated = true;
        message = "No value argument passed to `assert.ok()`";
      } else if (message == null) {
        generated = true;
      } else if (message instanceof Error) {
        throw message;
      }
      const err = new AssertionError({ actual: value, expected: true, message, operator: "==", stackStartFn: fn });
      err.generatedMessage = generated;
      throw err;
    }

    function ok(...args) {
      innerOk(ok, args.length, ...args);
    }
    const assert = ok;

    let warnedFail = false;
    assert.fail = function fail(actual, expected, message, operator, stackStartFn) {
      const count = arguments.length;
      let internalMessage = false;
      if (count === 0) {
        internalMessage = true;
        message = "Failed";
      } else if (count === 1) {
        message = actual;
        actual = undefined;
      } else {
        if (!warnedFail) {
          warnedFail = true;
          warn("[DEP0094] DeprecationWarning: assert.fail() with more than one argument is deprecated. " +
            "Please use assert.strictEqual() instead or only pass a message.");
        }
        if (count === 2) operator = "!=";
      }
      if (message instanceof Error) throw message;
      const err = new AssertionError({
        actual, expected, operator: operator === undefined ? "fail" : operator, stackStartFn: stackStartFn || fail, message,
      });
      if (internalMessage) err.generatedMessage = true;
      throw err;
    };

    assert.AssertionError = AssertionError;
    assert.ok = ok;

    assert.equal = function equal(actual, expected, message) {
      if (arguments.length < 2) throw missingArgs();
      // eslint-disable-next-line eqeqeq
      if (actual != expected && (!Number.isNaN(actual) || !Number.isNaN(expected))) {
        innerFail({ actual, expected, message, operator: "==", stackStartFn: equal });
      }
    };
    assert.notEqual = function notEqual(actual, expected, message) {
      if (arguments.length < 2) throw missingArgs();
      // eslint-disable-next-line eqeqeq
      if (actual == expected || (Number.isNaN(actual) && Number.isNaN(expected))) {
        innerFail({ actual, expected, message, operator: "!=", stackStartFn: notEqual });
      }
    };
    assert.deepEqual = function deepEqual_(actual, expected, message) {
      if (arguments.length < 2) throw missingArgs();
      if (!deepEqual(actual, expected, false)) innerFail({ actual, expected, message, operator: "deepEqual", stackStartFn: deepEqual_ });
    };
    assert.notDeepEqual = function notDeepEqual(actual, expected, message) {
      if (arguments.length < 2) throw missingArgs();
      if (deepEqual(actual, expected, false)) innerFail({ actual, expected, message, operator: "notDeepEqual", stackStartFn: notDeepEqual });
    };
    assert.deepStrictEqual = function deepStrictEqual(actual, expected, message) {
      if (arguments.length < 2) throw missingArgs();
      if (!deepEqual(actual, expected, true)) innerFail({ actual, expected, message, operator: "deepStrictEqual", stackStartFn: deepStrictEqual });
    };
    assert.notDeepStrictEqual = function notDeepStrictEqual(actual, expected, message) {
      if (arguments.length < 2) throw missingArgs();
      if (deepEqual(actual, expected, true)) innerFail({ actual, expected, message, operator: "notDeepStrictEqual", stackStartFn: notDeepStrictEqual });
    };
    assert.strictEqual = function strictEqual(actual, expected, message) {
      if (arguments.length < 2) throw missingArgs();
      if (!Object.is(actual, expected)) innerFail({ actual, expected, message, operator: "strictEqual", stackStartFn: strictEqual });
    };
    assert.notStrictEqual = function notStrictEqual(actual, expected, message) {
      if (arguments.length < 2) throw missingArgs();
      if (Object.is(actual, expected)) innerFail({ actual, expected, message, operator: "notStrictEqual", stackStartFn: notStrictEqual });
    };

    // ---- throws and rejects -------------------------------------------------------------------------
    const NO_EXCEPTION = {};
    const errorKinds = ["Object", "Error", "Function", "RegExp"];
    const ambiguous = (reason) => nodeError(TypeError, "ERR_AMBIGUOUS_ARGUMENT", `The "error/message" argument is ambiguous. ${reason}`);

    function getActual(fn) {
      validateFunction(fn, "fn");
      try {
        fn();
      } catch (e) {
        return e;
      }
      return NO_EXCEPTION;
    }

    const isPromiseLike = (value) => types.isPromise(value) ||
      (value !== null && typeof value === "object" && typeof value.then === "function" && typeof value.catch === "function");

    async function waitForActual(promiseFn) {
      let promise;
      if (typeof promiseFn === "function") {
        promise = promiseFn();
        if (!isPromiseLike(promise)) {
          throw nodeError(TypeError, "ERR_INVALID_RETURN_VALUE",
            `Expected instance of Promise to be returned from the "promiseFn" function but got ${describeReceived(promise)}.`);
        }
      } else if (isPromiseLike(promiseFn)) {
        promise = promiseFn;
      } else {
        throw errInvalidArgType("promiseFn", ["Function", "Promise"], promiseFn);
      }
      try {
        await promise;
      } catch (e) {
        return e;
      }
      return NO_EXCEPTION;
    }

    // Placeholders that show only the compared keys, for the message when a validation object
    // does not match.
    class Comparison {
      constructor(object, keys, actual) {
        for (const key of keys) {
          if (!(key in object)) continue;
          if (actual !== undefined && typeof actual[key] === "string" && types.isRegExp(object[key]) && object[key].exec(actual[key]) !== null) {
            this[key] = actual[key];
          } else {
            this[key] = object[key];
          }
        }
      }
    }

    function compareKey(actual, expected, key, message, keys, fn) {
      if (key in actual && deepEqual(actual[key], expected[key], true)) return;
      if (!message) {
        const err = new AssertionError({
          actual: new Comparison(actual, keys), expected: new Comparison(expected, keys, actual),
          operator: "deepStrictEqual", stackStartFn: fn,
        });
        err.actual = actual;
        err.expected = expected;
        err.operator = fn.name;
        throw err;
      }
      innerFail({ actual, expected, message, operator: fn.name, stackStartFn: fn });
    }

    function expectedException(actual, expected, message, fn) {
      let generated = false, fail = false;
      if (typeof expected !== "function") {
        if (types.isRegExp(expected)) {
          const text = String(actual);
          if (expected.exec(text) !== null) return;
          if (!message) {
            generated = true;
            message = `The input did not match the regular expression ${inspect(expected)}. Input:\n\n${inspect(text)}\n`;
          }
          fail = true;
        } else if (typeof actual !== "object" || actual === null) {
          const err = new AssertionError({ actual, expected, message, operator: "deepStrictEqual", stackStartFn: fn });
          err.operator = fn.name;
          throw err;
        } else {
          const keys = Object.keys(expected);
          if (expected instanceof Error) keys.push("name", "message");
          else if (keys.length === 0) throw errInvalidArgValue("error", expected, "may not be an empty object");
          for (const key of keys) {
            if (typeof actual[key] === "string" && types.isRegExp(expected[key]) && expected[key].exec(actual[key]) !== null) continue;
            compareKey(actual, expected, key, message, keys, fn);
          }
          return;
        }
      } else if (expected.prototype !== undefined && actual instanceof expected) {
        return;
      } else if (Object.prototype.isPrototypeOf.call(Error, expected)) {
        if (!message) {
          generated = true;
          message = `The error is expected to be an instance of "${expected.name}". Received `;
          if (isError(actual)) {
            const name = (actual.constructor && actual.constructor.name) || actual.name;
            if (expected.name === name) message += "an error with identical name but a different prototype.";
            else message += `"${name}"`;
            if (actual.message) message += `\n\nError message:\n\n${actual.message}`;
          } else {
            message += `"${inspect(actual, { depth: -1 })}"`;
          }
        }
        fail = true;
      } else {
        const result = Reflect.apply(expected, {}, [actual]);
        if (result !== true) {
          if (!message) {
            generated = true;
            const name = expected.name ? `"${expected.name}" ` : "";
            message = `The ${name}validation function is expected to return "true". Received ${inspect(result)}`;
            if (isError(actual)) message += `\n\nCaught error:\n\n${actual}`;
          }
          fail = true;
        }
      }
      if (fail) {
        const err = new AssertionError({ actual, expected, message, operator: fn.name, stackStartFn: fn });
        err.generatedMessage = generated;
        throw err;
      }
    }

    function expectsError(fn, actual, error, message, argCount) {
      if (typeof error === "string") {
        if (argCount === 3) throw errInvalidArgType("error", errorKinds, error);
        if (typeof actual === "object" && actual !== null) {
          if (actual.message === error) throw ambiguous(`The error message "${actual.message}" is identical to the message.`);
        } else if (actual === error) {
          throw ambiguous(`The error "${actual}" is identical to the message.`);
        }
        message = error;
        error = undefined;
      } else if (error != null && typeof error !== "object" && typeof error !== "function") {
        throw errInvalidArgType("error", errorKinds, error);
      }
      if (actual === NO_EXCEPTION) {
        let details = "";
        if (error && error.name) details += ` (${error.name})`;
        details += message ? `: ${message}` : ".";
        const kind = fn === assert.rejects ? "rejection" : "exception";
        innerFail({ actual: undefined, expected: error, operator: fn.name, message: `Missing expected ${kind}${details}`, stackStartFn: fn });
      }
      if (!error) return;
      expectedException(actual, error, message, fn);
    }

    function hasMatchingError(actual, expected) {
      if (typeof expected !== "function") {
        if (types.isRegExp(expected)) return expected.exec(String(actual)) !== null;
        throw errInvalidArgType("expected", ["Function", "RegExp"], expected);
      }
      if (expected.prototype !== undefined && actual instanceof expected) return true;
      if (Object.prototype.isPrototypeOf.call(Error, expected)) return false;
      return Reflect.apply(expected, {}, [actual]) === true;
    }

    function expectsNoError(fn, actual, error, message) {
      if (actual === NO_EXCEPTION) return;
      if (typeof error === "string") {
        message = error;
        error = undefined;
      }
      if (!error || hasMatchingError(actual, error)) {
        const details = message ? `: ${message}` : ".";
        const kind = fn === assert.doesNotReject ? "rejection" : "exception";
        innerFail({
          actual, expected: error, operator: fn.name, stackStartFn: fn,
          message: `Got unwanted ${kind}${details}\nActual message: "${actual && actual.message}"`,
        });
      }
      throw actual;
    }

    assert.doesNotThrow = function doesNotThrow(fn, ...args) {
      expectsNoError(doesNotThrow, getActual(fn), ...args);
    };
    assert.doesNotReject = async function doesNotReject(promiseFn, ...args) {
      expectsNoError(doesNotReject, await waitForActual(promiseFn), ...args);
    };

    // The number of arguments matters: throws(fn, "text", message) is refused, throws(fn, "text")
    // takes the text as the message.
    assert.throws = function throws(fn, error, message) {
      expectsError(throws, getActual(fn), error, message, arguments.length);
    };
    assert.rejects = async function rejects(promiseFn, error, message) {
      const count = arguments.length;
      expectsError(rejects, await waitForActual(promiseFn), error, message, count);
    };

    assert.ifError = function ifError(err) {
      if (err === null || err === undefined) return;
      let message = "ifError got unwanted exception: ";
      if (typeof err === "object" && typeof err.message === "string") {
        message += err.message.length === 0 && err.constructor ? err.constructor.name : err.message;
      } else {
        message += inspect(err);
      }
      throw new AssertionError({ actual: err, expected: null, operator: "ifError", message, stackStartFn: ifError });
    };

    function internalMatch(string, regexp, message, fn) {
      if (!types.isRegExp(regexp)) throw errInvalidArgType("regexp", "RegExp", regexp);
      const match = fn === assert.match;
      if (typeof string !== "string" || (regexp.exec(string) !== null) !== match) {
        if (message instanceof Error) throw message;
        const generated = !message;
        message = message || (typeof string !== "string"
          ? `The "string" argument must be of type string. Received type ${typeof string} (${inspect(string)})`
          : `${match ? "The input did not match the regular expression " : "The input was expected to not match the regular expression "}` +
            `${inspect(regexp)}. Input:\n\n${inspect(string)}\n`);
        const err = new AssertionError({ actual: string, expected: regexp, message, operator: fn.name, stackStartFn: fn });
        err.generatedMessage = generated;
        throw err;
      }
    }
    assert.match = function match(string, regexp, message) {
      internalMatch(string, regexp, message, match);
    };
    assert.doesNotMatch = function doesNotMatch(string, regexp, message) {
      internalMatch(string, regexp, message, doesNotMatch);
    };

    function strict(...args) {
      innerOk(strict, args.length, ...args);
    }
    assert.strict = Object.assign(strict, assert, {
      equal: assert.strictEqual,
      deepEqual: assert.deepStrictEqual,
      notEqual: assert.notStrictEqual,
      notDeepEqual: assert.notDeepStrictEqual,
    });
    assert.strict.strict = assert.strict;
    return assert;
  });
})(Deno.core, globalThis.__v8ctxInternals);
