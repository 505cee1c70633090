// The cryptography ops (ops/crypto.rs) as subtle.js and node/crypto.js call them: each result is
// written into a Uint8Array allocated here, so it counts against the Context's memory limit like
// any other buffer.
((core, internals) => {
  "use strict";
  const { ops } = core;
  const { Uint8Array } = globalThis;
  const { typedArraySlice } = internals.intrinsics;
  const DIGEST_BYTES = { "MD5": 16, "SHA-1": 20, "SHA-256": 32, "SHA-384": 48, "SHA-512": 64 };
  const digestBytes = (algorithm) => DIGEST_BYTES[algorithm] ?? 0;

  // The most bytes AES can produce from `length` input bytes.
  function aesBytes(mode, encrypt, param, length) {
    switch (mode) {
      case "AES-CBC": return encrypt ? length - (length % 16) + 16 : length;
      case "AES-GCM": return encrypt ? length + param / 8 : Math.max(0, length - param / 8);
      default: return length;
    }
  }

  internals.cryptoOps = {
    digest(algorithm, data) {
      const out = new Uint8Array(digestBytes(algorithm));
      ops.op_v8ctx_digest(algorithm, data, out);
      return out;
    },
    hmac(algorithm, key, data) {
      const out = new Uint8Array(digestBytes(algorithm));
      ops.op_v8ctx_hmac(algorithm, key, data, out);
      return out;
    },
    pbkdf2(algorithm, password, salt, iterations, length) {
      const out = new Uint8Array(length);
      ops.op_v8ctx_pbkdf2(algorithm, password, salt, iterations, out);
      return out;
    },
    aes(mode, encrypt, key, iv, param, additionalData, data) {
      const out = new Uint8Array(aesBytes(mode, encrypt, param, data.byteLength));
      const written = ops.op_v8ctx_aes(mode, encrypt, key, iv, param, additionalData, data, out);
      return written === out.length ? out : typedArraySlice(out, 0, written);
    },
  };
})(Deno.core, globalThis.__v8ctxInternals);
