// TextDecoder for every encoding of the WHATWG Encoding Standard (ops/encoding.rs decodes with
// encoding_rs), replacing bootstrap.js's UTF-8-only one: streaming, `fatal` and `ignoreBOM`.
((core, internals) => {
  "use strict";
  const { ops } = core;
  const state = new WeakMap();

  const bytes = (input) => {
    if (input === undefined) return new Uint8Array();
    if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    if (input instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && input instanceof SharedArrayBuffer)) return new Uint8Array(input);
    throw new TypeError("TextDecoder.decode: the input must be an ArrayBuffer, a TypedArray or a DataView");
  };

  class TextDecoder {
    constructor(label = "utf-8", options = {}) {
      const encoding = ops.op_v8ctx_encoding_name(String(label));
      if (encoding === null) throw new RangeError(`The encoding label provided ('${String(label)}') is invalid.`);
      const fatal = Boolean(options?.fatal), ignoreBOM = Boolean(options?.ignoreBOM);
      // The decoder's state exists only while a stream is being decoded: a TextDecoder kept
      // between streams then holds no C++ object (snapshot/ cannot keep those).
      state.set(this, { encoding, fatal, ignoreBOM, decoder: null });
    }
    get encoding() { return own(this).encoding; }
    get fatal() { return own(this).fatal; }
    get ignoreBOM() { return own(this).ignoreBOM; }
    decode(input = undefined, options = {}) {
      const s = own(this), stream = Boolean(options?.stream), data = bytes(input);
      if (s.decoder === null && !stream) return ops.op_v8ctx_decode_once(s.encoding, s.fatal, s.ignoreBOM, data);
      s.decoder ??= ops.op_v8ctx_decoder_new(s.encoding, s.fatal, s.ignoreBOM);
      try {
        return ops.op_v8ctx_decoder_decode(s.decoder, data, stream);
      } finally {
        // The stream ended (or failed, which ends it too).
        if (!stream) s.decoder = null;
      }
    }
  }
  const own = (decoder) => {
    const found = state.get(decoder);
    if (found === undefined) throw new TypeError("Illegal invocation: not a TextDecoder");
    return found;
  };
  Object.defineProperty(TextDecoder.prototype, Symbol.toStringTag, { value: "TextDecoder", configurable: true });

  internals.define("TextDecoder", TextDecoder);
})(Deno.core, globalThis.__v8ctxInternals);
