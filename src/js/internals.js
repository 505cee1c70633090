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
    // Reflect.apply(fn, self, args); getter(object, name) uncurries an accessor's getter. With
    // them, the byte helpers more than one script needs.
    intrinsics: (() => {
      const { apply } = Reflect;
      const uncurry = (fn) => (self, ...args) => apply(fn, self, args);
      const getter = (object, name) => uncurry(Object.getOwnPropertyDescriptor(object, name).get);
      const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
      const typedArrayTag = getter(TypedArrayPrototype, Symbol.toStringTag);
      const typedArrayBuffer = getter(TypedArrayPrototype, "buffer");
      const typedArrayByteOffset = getter(TypedArrayPrototype, "byteOffset");
      const typedArrayByteLength = getter(TypedArrayPrototype, "byteLength");
      const dataViewBuffer = getter(DataView.prototype, "buffer");
      const dataViewByteOffset = getter(DataView.prototype, "byteOffset");
      const dataViewByteLength = getter(DataView.prototype, "byteLength");
      const arrayBufferByteLength = getter(ArrayBuffer.prototype, "byteLength");
      const typedArraySet = uncurry(TypedArrayPrototype.set);
      // Whether value is a (non-shared) ArrayBuffer, by its internal slot, not its prototype.
      const isArrayBuffer = (value) => {
        try {
          arrayBufferByteLength(value);
          return true;
        } catch {
          return false;
        }
      };
      // A Uint8Array over the bytes of any ArrayBufferView (no copy).
      const viewBytes = (view) => typedArrayTag(view) !== undefined
        ? new Uint8Array(typedArrayBuffer(view), typedArrayByteOffset(view), typedArrayByteLength(view))
        : new Uint8Array(dataViewBuffer(view), dataViewByteOffset(view), dataViewByteLength(view));
      // The bytes of the Uint8Arrays `parts` in one; a single part is returned as it is.
      const concatBytes = (parts) => {
        if (parts.length === 1) return parts[0];
        let length = 0;
        for (let i = 0; i < parts.length; i++) length += parts[i].length;
        const out = new Uint8Array(length);
        for (let i = 0, offset = 0; i < parts.length; offset += parts[i].length, i++) typedArraySet(out, parts[i], offset);
        return out;
      };
      return {
        apply,
        uncurry,
        getter,
        TypedArrayPrototype,
        typedArrayTag,
        typedArrayBuffer,
        typedArrayByteOffset,
        typedArrayByteLength,
        dataViewBuffer,
        dataViewByteOffset,
        dataViewByteLength,
        arrayBufferByteLength,
        typedArraySlice: uncurry(TypedArrayPrototype.slice),
        typedArraySet,
        typedArraySubarray: uncurry(TypedArrayPrototype.subarray),
        isArrayBuffer,
        viewBytes,
        concatBytes,
      };
    })(),
  },
});
