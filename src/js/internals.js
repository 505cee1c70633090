// Runs first. The object the other extension scripts share while the snapshot is built: each is
// a classic script `((core, internals) => { ... })(Deno.core, globalThis.__v8ctxInternals)`.
// __v8ctxSetup (bootstrap.js) deletes the global name before any user code runs; the scripts'
// closures keep what they need.
Object.defineProperty(globalThis, "__v8ctxInternals", {
  configurable: true,
  value: {
    // Installs a global the way the web platform does: writable, configurable, not enumerable.
    define(name, value) {
      Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
    },
    // Node built-in modules: name -> factory(require) returning the module's exports, run on the
    // first require() of that name (node/require.js).
    builtins: new Map(),
    // Built-ins the scripts reach through internal slots, captured here, before any user code
    // can replace them, so the scripts share one set: uncurry(fn)(self, ...args) is
    // Reflect.apply(fn, self, args); getter(object, name) uncurries an accessor's getter.
    intrinsics: (() => {
      const { apply } = Reflect;
      const uncurry = (fn) => (self, ...args) => apply(fn, self, args);
      const getter = (object, name) => uncurry(Object.getOwnPropertyDescriptor(object, name).get);
      const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
      return {
        apply,
        uncurry,
        getter,
        TypedArrayPrototype,
        typedArrayTag: getter(TypedArrayPrototype, Symbol.toStringTag),
        typedArrayBuffer: getter(TypedArrayPrototype, "buffer"),
        typedArrayByteOffset: getter(TypedArrayPrototype, "byteOffset"),
        typedArrayByteLength: getter(TypedArrayPrototype, "byteLength"),
        dataViewBuffer: getter(DataView.prototype, "buffer"),
        dataViewByteOffset: getter(DataView.prototype, "byteOffset"),
        dataViewByteLength: getter(DataView.prototype, "byteLength"),
        arrayBufferByteLength: getter(ArrayBuffer.prototype, "byteLength"),
        typedArraySlice: uncurry(TypedArrayPrototype.slice),
        typedArraySet: uncurry(TypedArrayPrototype.set),
        typedArraySubarray: uncurry(TypedArrayPrototype.subarray),
      };
    })(),
  },
});
