// The host APIs that code lifted from web pages expects: console, timers, atob/btoa,
// TextEncoder, crypto (the web/ and node/ scripts add the rest). This script runs once, when build.rs builds the V8 startup
// snapshot; every runtime starts from its result. What depends on the Context's options is in
// __v8ctxSetup, which runtime.rs calls once per runtime, before any user code (once per snapshot
// for runtimes started from a user snapshot, which call the `resume` it returns instead).
((core, internals) => {
  "use strict";
  const { ops } = core;
  const { define } = internals;
  // Captured now: code that runs before `beforeSnapshot` and `resume` may replace Object.
  const { defineProperty, getOwnPropertyDescriptor, setPrototypeOf } = Object;

  // ---- Randomness ------------------------------------------------------------------------------
  // Without a seed, crypto draws from the operating system; with one, see seedRandom.
  let randomBytes = (view) => ops.op_v8ctx_random_fill(view);

  // Math.random and crypto then draw from one deterministic generator (sfc32 seeded through
  // splitmix32), so two Contexts with the same seed produce the same sequence.
  function seedRandom(randomSeed) {
    let seed = randomSeed >>> 0, high = Math.floor(randomSeed / 4294967296) >>> 0;
    const splitmix = () => {
      seed = (seed + 0x9e3779b9) | 0;
      let z = seed ^ high;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    let a = splitmix(), b = splitmix(), c = splitmix(), d = splitmix();
    const next32 = () => {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      return t >>> 0;
    };
    for (let i = 0; i < 12; i++) next32();
    Math.random = function random() {
      return (next32() * 2097152 + (next32() >>> 11)) / 9007199254740992;
    };
    randomBytes = (view) => {
      for (let i = 0; i < view.length; i++) view[i] = next32() & 0xff;
    };
  }
  const crypto = {
    getRandomValues(array) {
      if (!ArrayBuffer.isView(array) || array instanceof Float32Array || array instanceof Float64Array || array instanceof DataView) {
        throw new TypeError("crypto.getRandomValues: argument must be an integer TypedArray");
      }
      if (array.byteLength > 65536) {
        throw new RangeError("crypto.getRandomValues: at most 65536 bytes at a time");
      }
      randomBytes(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
      return array;
    },
    randomUUID() {
      const b = crypto.getRandomValues(new Uint8Array(16));
      b[6] = (b[6] & 0x0f) | 0x40;
      b[8] = (b[8] & 0x3f) | 0x80;
      const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
  };
  define("crypto", crypto);

  // ---- Timers ----------------------------------------------------------------------------------
  const timers = new Map();
  let nextTimerId = 1;
  // Captured now, so that scripts replacing Date.now cannot confuse when timers are due.
  const now = Date.now;
  const schedule = (callback, delay, args, repeat) => {
    const id = nextTimerId++;
    const run = typeof callback === "function" ? callback : () => (0, eval)(String(callback));
    const wait = Math.max(0, Number(delay) || 0);
    const timer = core.createTimer(() => {
      if (repeat) entry.due = now() + wait;
      else timers.delete(id);
      run(...args);
    }, delay, undefined, repeat, true);
    const entry = { timer, operation: ops.op_v8ctx_operation(), due: now() + wait };
    timers.set(id, entry);
    return id;
  };
  // An exception a timer's (or a microtask's) callback throws fails the operation that is waiting
  // (ops.rs, op_v8ctx_uncaught) instead of deno_core terminating its timer dispatch.
  core.setReportExceptionCallback((error) => ops.op_v8ctx_uncaught(error));
  const cancel = (id) => {
    const entry = timers.get(id);
    if (entry !== undefined) {
      timers.delete(id);
      core.cancelTimer(entry.timer);
    }
  };
  // A stopped operation (timed out, interrupted, cancelled) takes its pending timers with it.
  const cancelTimersOf = (operation) => {
    for (const [id, entry] of timers) if (entry.operation === operation) cancel(id);
  };
  // Milliseconds until the next timer is due (0 if one is overdue), or -1 if none is pending: how
  // long an asyncio-driven operation may sleep before the event loop has work again.
  const nextTimerDelay = () => {
    let due = Infinity;
    for (const entry of timers.values()) if (entry.due < due) due = entry.due;
    return due === Infinity ? -1 : Math.max(0, due - now());
  };
  define("setTimeout", function setTimeout(callback, delay = 0, ...args) { return schedule(callback, delay, args, false); });
  define("setInterval", function setInterval(callback, delay = 0, ...args) { return schedule(callback, delay, args, true); });
  define("clearTimeout", function clearTimeout(id) { cancel(id); });
  define("clearInterval", function clearInterval(id) { cancel(id); });

  // ---- Text and base64 -------------------------------------------------------------------------
  class TextEncoder {
    get encoding() { return "utf-8"; }
    encode(input = "") { return core.encode(String(input)); }
    encodeInto(input, dest) {
      // Whole characters only: stop before one whose UTF-8 bytes would not all fit.
      const text = String(input);
      let read = 0, written = 0;
      for (const ch of text) {
        const cp = ch.codePointAt(0);
        const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (written + size > dest.length) break;
        read += ch.length;
        written += size;
      }
      dest.set(core.encode(text.slice(0, read)));
      return { read, written };
    }
  }
  define("TextEncoder", TextEncoder);

  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const invalidCharacter = (what) => {
    const error = new Error(what);
    error.name = "InvalidCharacterError";
    return error;
  };
  define("btoa", function btoa(data) {
    const s = String(data);
    let out = "";
    for (let i = 0; i < s.length; i += 3) {
      const c0 = s.charCodeAt(i), c1 = s.charCodeAt(i + 1), c2 = s.charCodeAt(i + 2);
      if (c0 > 255 || c1 > 255 || c2 > 255) throw invalidCharacter("btoa: the string has characters outside Latin-1");
      const n = (c0 << 16) | ((c1 || 0) << 8) | (c2 || 0);
      out += B64[n >> 18] + B64[(n >> 12) & 63] +
        (i + 1 < s.length ? B64[(n >> 6) & 63] : "=") + (i + 2 < s.length ? B64[n & 63] : "=");
    }
    return out;
  });
  define("atob", function atob(data) {
    let s = String(data).replace(/[\t\n\f\r ]/g, "");
    if (s.length % 4 === 0) s = s.replace(/==?$/, "");
    if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) throw invalidCharacter("atob: the string is not valid base64");
    let out = "";
    for (let i = 0; i < s.length; i += 4) {
      const n = (B64.indexOf(s[i]) << 18) | (B64.indexOf(s[i + 1]) << 12) |
        ((B64.indexOf(s[i + 2]) & 63) << 6) | (B64.indexOf(s[i + 3]) & 63);
      out += String.fromCharCode(n >> 16);
      if (i + 2 < s.length) out += String.fromCharCode((n >> 8) & 255);
      if (i + 3 < s.length) out += String.fromCharCode(n & 255);
    }
    return out;
  });

  // ---- Console ---------------------------------------------------------------------------------
  // Arguments are shown the way a browser console shows them: objects inspected, not "[object Object]".
  function inspect(value, depth, seen) {
    switch (typeof value) {
      case "string": return depth === 0 ? value : JSON.stringify(value);
      case "bigint": return `${value}n`;
      case "symbol": return value.toString();
      case "function": {
        const kind = /^class\b/.test(Function.prototype.toString.call(value)) ? "class" : "Function";
        return value.name ? `[${kind}: ${value.name}]` : `[${kind} (anonymous)]`;
      }
      case "object": break;
      default: return String(value);
    }
    if (value === null) return "null";
    if (seen.includes(value)) return "[Circular]";
    if (value instanceof Error) return value.stack || `${value.name}: ${value.message}`;
    if (value instanceof Date) return isNaN(value) ? "Invalid Date" : value.toISOString();
    if (value instanceof RegExp) return String(value);
    if (depth > 2) return Array.isArray(value) ? "[Array]" : "[Object]";
    const inner = (v) => inspect(v, depth + 1, [...seen, value]);
    if (Array.isArray(value)) {
      const items = value.slice(0, 100).map(inner);
      if (value.length > 100) items.push(`... ${value.length - 100} more items`);
      return items.length ? `[ ${items.join(", ")} ]` : "[]";
    }
    if (value instanceof Map) {
      return `Map(${value.size}) { ${[...value].map(([k, v]) => `${inner(k)} => ${inner(v)}`).join(", ")} }`;
    }
    if (value instanceof Set) return `Set(${value.size}) { ${[...value].map(inner).join(", ")} }`;
    if (ArrayBuffer.isView(value)) {
      return `${value.constructor.name}(${value.length}) [ ${Array.prototype.slice.call(value, 0, 100).join(", ")} ]`;
    }
    const entries = Object.keys(value).map((k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${inner(value[k])}`);
    const name = value.constructor && value.constructor !== Object ? `${value.constructor.name} ` : "";
    return entries.length ? `${name}{ ${entries.join(", ")} }` : `${name}{}`;
  }
  function format(args) {
    const parts = [];
    let rest = args;
    if (typeof args[0] === "string" && args[0].includes("%")) {
      let i = 1;
      parts.push(args[0].replace(/%[sdifoOjc%]/g, (spec) => {
        if (spec === "%%") return "%";
        if (i >= args.length) return spec;
        const arg = args[i++];
        switch (spec) {
          case "%s": return typeof arg === "string" ? arg : inspect(arg, 1, []);
          case "%d": case "%i": return String(parseInt(arg, 10));
          case "%f": return String(parseFloat(arg));
          case "%c": return "";
          default: return inspect(arg, 1, []);
        }
      }));
      rest = args.slice(i);
    } else if (args.length) {
      parts.push(inspect(args[0], 0, []));
      rest = args.slice(1);
    }
    for (const arg of rest) parts.push(inspect(arg, 0, []));
    return parts.join(" ");
  }
  let indent = "";
  const emit = (level, args) => ops.op_v8ctx_console(level, indent + format(args));
  const counts = new Map(), times = new Map();
  const console = {
    log: (...args) => emit(0, args),
    info: (...args) => emit(1, args),
    warn: (...args) => emit(2, args),
    error: (...args) => emit(3, args),
    debug: (...args) => emit(4, args),
    trace: (...args) => emit(4, [...args, new Error("Trace").stack.split("\n").slice(2).join("\n")]),
    dir: (value) => emit(0, [value]),
    table: (value) => emit(0, [value]),
    assert: (condition, ...args) => { if (!condition) emit(3, ["Assertion failed:", ...args]); },
    count: (label = "default") => { counts.set(label, (counts.get(label) || 0) + 1); emit(0, [`${label}: ${counts.get(label)}`]); },
    countReset: (label = "default") => { counts.delete(label); },
    time: (label = "default") => { times.set(label, Date.now()); },
    timeLog: (label = "default", ...args) => emit(0, [`${label}: ${Date.now() - times.get(label)}ms`, ...args]),
    timeEnd: (label = "default") => { emit(0, [`${label}: ${Date.now() - times.get(label)}ms`]); times.delete(label); },
    group: (...args) => { if (args.length) emit(0, args); indent += "  "; },
    groupEnd: () => { indent = indent.slice(2); },
  };
  console.groupCollapsed = console.group;
  define("console", console);

  // Opt-in browser globals (browser.rs): window, and navigator and location saying what the
  // user set. There is no DOM.
  function defineBrowser(userAgent, href) {
    define("window", globalThis);
    const url = new URL(href);
    const navigator = {
      userAgent,
      appName: "Netscape",
      appVersion: userAgent.replace(/^Mozilla\//, ""),
      appCodeName: "Mozilla",
      product: "Gecko",
      platform: /Windows/.test(userAgent) ? "Win32" : /Mac OS X/.test(userAgent) ? "MacIntel" : "Linux x86_64",
      vendor: /Chrome/.test(userAgent) ? "Google Inc." : "",
      language: "en-US",
      languages: ["en-US", "en"],
      onLine: true,
      cookieEnabled: false,
      webdriver: false,
      hardwareConcurrency: 4,
      maxTouchPoints: 0,
    };
    define("navigator", navigator);
    const location = {
      ancestorOrigins: [],
      assign() {}, replace() {}, reload() {},
      toString() { return url.href; },
    };
    for (const part of ["href", "protocol", "host", "hostname", "port", "pathname", "search", "hash", "origin"]) {
      Object.defineProperty(location, part, { enumerable: true, get: () => url[part] });
    }
    define("location", location);
  }

  // Per runtime: (randomSeed: number | null, browser: [userAgent, url] | null, willSnapshot:
  // boolean, whether the runtime's heap is to become a snapshot) => [the function
  // runtime.rs calls with the reason of each rejected Promise nobody handled, the one it calls
  // with a stopped operation's number, the one that makes [promise, resolve, reject] for an
  // async Python function's result, and nextTimerDelay].
  // The functions every runtime calls as it starts (this one, `resume`, resetTimeOrigin) are
  // parenthesized `function` expressions, which V8 compiles eagerly: so their bytecode is made
  // while the startup snapshot is, instead of in every runtime (80 µs of a 1.5 ms Context).
  Object.defineProperty(globalThis, "__v8ctxSetup", {
    configurable: true,
    value: (function setup(randomSeed, browser, willSnapshot) {
      internals.contextFeatures.prepare(willSnapshot);
      if (randomSeed !== null) seedRandom(randomSeed);
      internals.resetTimeOrigin();
      // As in Deno and Web Workers: UMD bundles look for `self` to export themselves on.
      define("self", globalThis);
      if (browser !== null) defineBrowser(browser[0], browser[1]);
      // Third-party code probes for Deno and Node to pick a code path; look like a plain engine.
      const deno = globalThis.Deno;
      delete globalThis.Deno;
      delete globalThis.__bootstrap;
      delete globalThis.__v8ctxSetup;
      delete globalThis.__v8ctxInternals;
      // Browsers report a rejected Promise nobody handled on the console, and carry on.
      const reportRejection = (reason) => ops.op_v8ctx_console(3, "Uncaught (in promise) " + inspect(reason, 0, []));
      const deferred = () => {
        let resolve, reject;
        const promise = new Promise((yes, no) => { resolve = yes; reject = no; });
        return [promise, resolve, reject];
      };
      // deno_core reads globalThis.Deno in every runtime it starts, also one started from a user
      // snapshot (snapshot/): the maker puts it back right before the snapshot, and a runtime
      // started from that snapshot calls `resume` instead of this setup, which takes it away.
      // It returns why the heap cannot be a snapshot, if it cannot (context_features.js).
      let shadowed;
      const beforeSnapshot = () => {
        const refusal = internals.contextFeatures.detach();
        if (refusal !== undefined) return refusal;
        shadowed = getOwnPropertyDescriptor(globalThis, "Deno");
        if (shadowed) setPrototypeOf(shadowed, null);
        defineProperty(globalThis, "Deno", { __proto__: null, value: deno, writable: true, enumerable: false, configurable: true });
        return undefined;
      };
      const resume = (function resume(willSnapshot) {
        if (shadowed) defineProperty(globalThis, "Deno", shadowed);
        else delete globalThis.Deno;
        internals.contextFeatures.reattach();
        internals.contextFeatures.prepare(willSnapshot);
        internals.resetTimeOrigin();
      });
      return [reportRejection, cancelTimersOf, deferred, nextTimerDelay, resume, beforeSnapshot];
    }),
  });
})(Deno.core, globalThis.__v8ctxInternals);
