// The properties V8 adds to every context as it creates it, rather than keeping them in snapshots,
// and what a user snapshot must do about them (snapshot/ in the Rust source runs the maker).
//
// V8 installs its newest shipped features (Promise.try, Uint8Array.prototype.toHex, Float16Array,
// DisposableStack, ...) and Error.stackTraceLimit into each context it creates, except while a
// heap is being made into a snapshot: so the code `Snapshot.create` runs does not see them, and a
// Context started from the snapshot gets them added on top of the heap. Added to an object on
// which the snapshot's code defined a property of that name (a polyfill, `Error.stackTraceLimit =
// Infinity`), or which it froze, V8 fails a CHECK and aborts the process. So, right before the
// heap is serialized, `detach` takes such properties off, and `reattach`, in every Context started
// from the snapshot, defines them again over V8's own: the Context ends as the snapshot's code
// left it. What cannot be taken off (a property defined non-configurable, an object frozen, sealed
// or made non-extensible) is a refusal naming it, before anything is changed.
//
// Error.stackTraceLimit is kept apart: while a snapshot is made, it must not be a number V8 reads.
// An Error whose stack trace was captured and then read there (formatted) aborts V8 when a Context
// is started from the heap holding it (a CHECK in the deserializer), and V8 captures stack traces
// only while Error.stackTraceLimit is a data property holding a number. So the maker's
// Error.stackTraceLimit is an accessor (V8 then captures no frames, as it did without one), which
// keeps what the code sets, and a Context from the snapshot gets that value.
((core, internals) => {
  "use strict";
  // Captured while the startup snapshot is built: the snapshot's code may replace these, and
  // array iteration, before `detach` runs, so it uses neither.
  const { defineProperty, getOwnPropertyDescriptor, getPrototypeOf, setPrototypeOf, isExtensible, hasOwn } = Object;
  const { deleteProperty } = Reflect;
  const ErrorConstructor = Error;
  const symbolDescription = internals.intrinsics.getter(Symbol.prototype, "description");
  const iteratorPrototype = getPrototypeOf(getPrototypeOf([][Symbol.iterator]()));
  const asyncIteratorPrototype = getPrototypeOf(getPrototypeOf(async function* () {}).prototype);

  // [object, its name, the keys V8 adds to it], as V8 150.4 adds them (its flag-gated features);
  // tests/test_snapshot.py finds them anew (what a Context has and a snapshot's code does not see)
  // and checks that a snapshot defining every one of them starts Contexts. V8 adds globals too
  // (Float16Array, DisposableStack, SharedArrayBuffer, WebAssembly, ...), and leaves a global the
  // snapshot's code defined as it is, but cannot add any to a frozen global object.
  const ADDED = [
    [globalThis, "globalThis", []],
    [Atomics, "Atomics", ["pause"]],
    [DataView.prototype, "DataView.prototype", ["getFloat16", "setFloat16"]],
    [Error, "Error", ["isError", "stackTraceLimit"]],
    [Intl.Locale.prototype, "Intl.Locale.prototype", ["variants"]],
    [Iterator, "Iterator", ["concat"]],
    [iteratorPrototype, "Iterator.prototype", [Symbol.dispose]],
    [asyncIteratorPrototype, "AsyncIterator.prototype", [Symbol.asyncDispose]],
    [Map.prototype, "Map.prototype", ["getOrInsert", "getOrInsertComputed"]],
    [Math, "Math", ["f16round", "sumPrecise"]],
    [Promise, "Promise", ["try"]],
    [RegExp, "RegExp", ["escape"]],
    [Uint8Array, "Uint8Array", ["fromBase64", "fromHex"]],
    [Uint8Array.prototype, "Uint8Array.prototype", ["setFromBase64", "setFromHex", "toBase64", "toHex"]],
    [WeakMap.prototype, "WeakMap.prototype", ["getOrInsert", "getOrInsertComputed"]],
  ];

  // [object, key, descriptor] of each property `detach` took off, for `reattach`.
  let detached = [];

  const keyName = (key) => (typeof key === "symbol" ? `[${symbolDescription(key)}]` : `.${key}`);

  // While a snapshot is made: the value the code set Error.stackTraceLimit to, and its stand-in.
  let storedStackTraceLimit;
  const stackTraceLimitStandIn = {
    get: (function stackTraceLimit() { return storedStackTraceLimit; }),
    set: (function stackTraceLimit(value) { storedStackTraceLimit = value; }),
  };

  // The descriptor a Context from the snapshot is to have for `key` of `object`, or a refusal.
  function toReattach(object, name, key, descriptor) {
    if (!descriptor.configurable) {
      return `the snapshot's code defined ${name}${keyName(key)} non-configurable, and V8 ` +
        `defines it in every Context it starts: define it configurable, or in each Context`;
    }
    if (object !== ErrorConstructor || key !== "stackTraceLimit") return descriptor;
    if (descriptor.get === stackTraceLimitStandIn.get) {
      return storedStackTraceLimit === undefined
        ? undefined
        : { __proto__: null, value: storedStackTraceLimit, writable: true, enumerable: true, configurable: true };
    }
    if (hasOwn(descriptor, "value")) {
      return `the snapshot's code defined Error.stackTraceLimit as a value, so V8 kept the stack ` +
        `traces of errors made then, which it cannot start a Context from: assign it instead`;
    }
    return descriptor;
  }

  internals.contextFeatures = {
    // Before any user code. `willSnapshot`: the runtime's heap is to become a snapshot.
    prepare: (function prepare(willSnapshot) {
      if (!willSnapshot) return;
      // A snapshot started from one (`Snapshot.create(code, snapshot=base)`) keeps its value.
      storedStackTraceLimit = hasOwn(ErrorConstructor, "stackTraceLimit") ? ErrorConstructor.stackTraceLimit : undefined;
      defineProperty(ErrorConstructor, "stackTraceLimit", {
        __proto__: null,
        get: stackTraceLimitStandIn.get,
        set: stackTraceLimitStandIn.set,
        enumerable: true,
        configurable: true,
      });
    }),
    // Right before the heap is serialized: takes off what V8 will add again, or returns why the
    // snapshot cannot be made (nothing is changed then).
    detach() {
      const found = [];
      for (let i = 0; i < ADDED.length; i++) {
        const object = ADDED[i][0], name = ADDED[i][1], keys = ADDED[i][2];
        if (!isExtensible(object)) {
          return `the snapshot's code made ${name} non-extensible (frozen or sealed), and V8 adds ` +
            `properties to it in every Context it starts: freeze it in each Context instead`;
        }
        for (let k = 0; k < keys.length; k++) {
          const key = keys[k];
          const own = getOwnPropertyDescriptor(object, key);
          if (own === undefined) continue;
          // Read here and by defineProperty, which would also read what Object.prototype holds.
          setPrototypeOf(own, null);
          const descriptor = toReattach(object, name, key, own);
          if (typeof descriptor === "string") return descriptor;
          found[found.length] = [object, key, descriptor];
        }
      }
      const kept = [];
      for (let i = 0; i < found.length; i++) {
        deleteProperty(found[i][0], found[i][1]);
        if (found[i][2] !== undefined) kept[kept.length] = found[i];
      }
      detached = kept;
      return undefined;
    },
    // In every runtime started from a user snapshot, after V8 added its own.
    reattach: (function reattach() {
      for (let i = 0; i < detached.length; i++) defineProperty(detached[i][0], detached[i][1], detached[i][2]);
    }),
  };
})(Deno.core, globalThis.__v8ctxInternals);
