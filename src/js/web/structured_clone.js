// structuredClone: V8's own serializer (deno_core's op), with the standard's DataCloneError for
// what cannot be cloned (functions, symbols, host objects).
((core, internals) => {
  "use strict";
  const DOMException = globalThis.DOMException;
  function structuredClone(value, options = undefined) {
    if (arguments.length === 0) throw new TypeError("Failed to execute 'structuredClone': 1 argument required, but only 0 present.");
    if (options !== undefined && options !== null && options.transfer !== undefined && [...options.transfer].length > 0) {
      throw new DOMException("structuredClone: transferring is not supported by v8ctx", "DataCloneError");
    }
    try {
      return core.structuredClone(value);
    } catch (error) {
      if (error instanceof DOMException) throw error;
      throw new DOMException(error?.message ?? String(error), "DataCloneError");
    }
  }
  internals.define("structuredClone", structuredClone);
})(Deno.core, globalThis.__v8ctxInternals);
