// require("crypto"): the part of Node's crypto module that code lifted from web services uses,
// on the Rust ops (src/ops/crypto.rs) that do the cryptography. What is here behaves as Node 20's does,
// with the same errors (class, `code`, message); what is not here is absent, so a library
// calling it gets the TypeError of any missing function.
//
//   hashes    createHash, createHmac, getHashes: md5, sha1, sha256, sha384, sha512 (any case,
//             also "sha-256", "sha2-256", "RSA-SHA256")
//   random    randomBytes, randomFill(Sync), randomInt, randomUUID, getRandomValues
//   kdf       pbkdf2, pbkdf2Sync (md5, sha1, sha256, sha384, sha512)
//   ciphers   createCipheriv, createDecipheriv, getCiphers: aes-128/192/256 in cbc, ctr and gcm
//   other     timingSafeEqual, webcrypto (= globalThis.crypto), subtle
//
// Differences from Node, all deliberate:
// - Hash and Hmac keep what update() is given and hash it all in digest(): the ops are one-shot.
//   Memory grows with the input.
// - Cipheriv and Decipheriv are not streams (no write/end/pipe), only update/final.
// - CBC and CTR update() return their output as Node's do, block by block; setAutoPadding(false)
//   works (the input must then be a whole number of blocks). AES-GCM with a 12-byte iv (the
//   usual one) also returns ciphertext from update(), and final() authenticates; with any other
//   iv length, update() returns nothing and final() returns everything.
// - Keys are strings, ArrayBuffers or views: KeyObject and CryptoKey keys are not supported.
// - Callbacks (randomBytes, randomFill, randomInt, pbkdf2) run in a microtask, not a thread pool.
((core, internals) => {
  "use strict";
  const { cryptoOps } = internals;
  const {
    Array, ArrayBuffer, Error, Math, Number, Object, RangeError, String, TypeError, Uint8Array, WeakMap,
  } = globalThis;
  const {
    apply, uncurry, typedArrayTag, typedArrayBuffer, typedArrayByteOffset, typedArrayByteLength,
    typedArraySlice, typedArraySubarray, isArrayBuffer, viewBytes, concatBytes,
  } = internals.intrinsics;
  const stringToLowerCase = uncurry(String.prototype.toLowerCase);
  const stringSlice = uncurry(String.prototype.slice);
  const isView = ArrayBuffer.isView;

  const cryptoObject = globalThis.crypto;
  const getRandomValues = cryptoObject.getRandomValues;
  const queueMicrotask = globalThis.queueMicrotask ?? ((callback) => void Promise.resolve().then(callback));

  // ---- Node-style errors --------------------------------------------------------------------
  function nodeError(Base, code, message) {
    const error = new Base(message);
    if (code !== undefined) error.code = code;
    return error;
  }
  function describeReceived(value) {
    if (value === null || value === undefined) return ` Received ${value}`;
    if (typeof value === "function") return ` Received function ${value.name}`;
    if (typeof value === "object") {
      const name = value.constructor?.name;
      return name ? ` Received an instance of ${name}` : " Received an object";
    }
    let shown;
    if (typeof value === "string") {
      shown = `'${value}'`;
      if (shown.length > 28) shown = `${stringSlice(shown, 0, 25)}...`;
    } else if (typeof value === "bigint") {
      shown = `${value}n`;
    } else {
      shown = String(value);
    }
    return ` Received type ${typeof value} (${shown})`;
  }
  const formatNumber = (value) => {
    if (!Number.isInteger(value) || Math.abs(value) <= 2 ** 32) return String(value);
    let digits = String(Math.abs(value)), out = "";
    for (; digits.length > 3; digits = stringSlice(digits, 0, -3)) out = `_${stringSlice(digits, -3)}${out}`;
    return `${value < 0 ? "-" : ""}${digits}${out}`;
  };
  const invalidArgType = (name, expected, value) =>
    nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "${name}" argument must be ${expected}.${describeReceived(value)}`);
  const outOfRange = (name, range, value) =>
    nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "${name}" is out of range. It must be ${range}. Received ${formatNumber(value)}`);
  const invalidState = (operation) =>
    nodeError(Error, "ERR_CRYPTO_INVALID_STATE", operation ? `Invalid state for operation ${operation}` : "Invalid state");
  const BYTES_TYPES = "of type string or an instance of ArrayBuffer, Buffer, TypedArray, or DataView";
  const DATA_TYPES = "of type string or an instance of Buffer, TypedArray, or DataView";
  const KEY_TYPES = "of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey";

  function validateInt32(value, name, min, max = 2147483647) {
    if (typeof value !== "number") throw invalidArgType(name, "of type number", value);
    if (!Number.isInteger(value)) throw outOfRange(name, "an integer", value);
    if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
    return value;
  }
  function validateFunction(value, name) {
    if (typeof value !== "function") throw invalidArgType(name, "of type function", value);
    return value;
  }

  // ---- Bytes ----------------------------------------------------------------------------------
  const copy = (bytes) => typedArraySlice(bytes);
  const EMPTY = () => new Uint8Array(0);

  // Node's encoding names, normalized; undefined when it is none of them.
  function normalizeEncoding(encoding) {
    switch (stringToLowerCase(String(encoding))) {
      case "utf8": case "utf-8": return "utf8";
      case "hex": return "hex";
      case "base64": return "base64";
      case "base64url": return "base64url";
      case "latin1": case "binary": return "latin1";
      case "ascii": return "ascii";
      case "ucs2": case "ucs-2": case "utf16le": case "utf-16le": return "utf16le";
      default: return undefined;
    }
  }

  internals.builtins.set("crypto", (require) => {
    const { Buffer } = require("buffer");
    const toBuffer = (bytes) => Buffer.from(typedArrayBuffer(bytes), typedArrayByteOffset(bytes), typedArrayByteLength(bytes));
    // Node encodes strings with Buffer.from; an encoding Node does not know is utf8.
    function stringBytes(text, encoding) {
      const normalized = encoding === undefined || encoding === null ? "utf8" : normalizeEncoding(encoding) ?? "utf8";
      if (normalized === "hex" && text.length % 2 !== 0) {
        throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'encoding' is invalid for data of length ${text.length}. Received '${encoding}'`);
      }
      return viewBytes(Buffer.from(text, normalized));
    }
    // string | ArrayBuffer | ArrayBufferView -> Uint8Array (a view, not a copy).
    function bytesOf(value, name, expected, encoding, allowArrayBuffer = true) {
      if (typeof value === "string") return stringBytes(value, encoding);
      if (isView(value)) return viewBytes(value);
      if (allowArrayBuffer && isArrayBuffer(value)) return new Uint8Array(value);
      throw invalidArgType(name, expected, value);
    }
    // A digest or MAC in the requested encoding: a Buffer for none, "buffer" or an unknown one.
    function encodeOutput(bytes, encoding) {
      const buffer = toBuffer(bytes);
      const normalized = encoding === undefined ? undefined : normalizeEncoding(encoding);
      return normalized === undefined ? buffer : buffer.toString(normalized);
    }

    // ---- Hashes -------------------------------------------------------------------------------
    const HASHES = { md5: "MD5", sha1: "SHA-1", sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" };
    const HASH_ALIASES = { __proto__: null };
    for (const [name, op] of Object.entries(HASHES)) {
      const bits = name === "md5" ? "" : stringSlice(name, 3);
      for (const alias of [name, `rsa-${name}`, `${name}withrsaencryption`]) HASH_ALIASES[alias] = op;
      if (bits) {
        HASH_ALIASES[`sha-${bits}`] = op;
        if (bits !== "1") HASH_ALIASES[`sha2-${bits}`] = op;
      }
    }
    const lookupHash = (algorithm) => HASH_ALIASES[stringToLowerCase(algorithm)];

    const hashStates = new WeakMap();
    const hashState = (self) => {
      const state = hashStates.get(self);
      if (state === undefined) throw new TypeError("Illegal invocation");
      return state;
    };
    const finalized = () => nodeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
    function updateState(state, data, encoding) {
      if (state.finalized) throw finalized();
      if (typeof data !== "string" && !isView(data)) throw invalidArgType("data", DATA_TYPES, data);
      const bytes = typeof data === "string" ? stringBytes(data, encoding) : viewBytes(data);
      state.chunks[state.chunks.length] = copy(bytes);
    }

    class Hash {
      constructor(algorithm, options) {
        if (typeof algorithm !== "string") throw invalidArgType("algorithm", "of type string", algorithm);
        const op = lookupHash(algorithm);
        if (op === undefined) throw new Error("Digest method not supported");
        hashStates.set(this, { op, chunks: [], finalized: false });
      }
      update(data, inputEncoding) {
        updateState(hashState(this), data, inputEncoding);
        return this;
      }
      digest(outputEncoding) {
        const state = hashState(this);
        if (state.finalized) throw finalized();
        state.finalized = true;
        const result = cryptoOps.digest(state.op, concatBytes(state.chunks.length ? state.chunks : [EMPTY()]));
        state.chunks = [];
        return encodeOutput(result, outputEncoding);
      }
      copy(options) {
        const state = hashState(this);
        if (state.finalized) throw finalized();
        const twin = Object.create(Hash.prototype);
        hashStates.set(twin, { op: state.op, chunks: Array.from(state.chunks), finalized: false });
        return twin;
      }
    }

    class Hmac {
      constructor(hmac, key, options) {
        if (typeof hmac !== "string") throw invalidArgType("hmac", "of type string", hmac);
        const op = lookupHash(hmac);
        if (op === undefined) throw nodeError(TypeError, "ERR_CRYPTO_INVALID_DIGEST", `Invalid digest: ${hmac}`);
        const keyBytes = copy(bytesOf(key, "key", KEY_TYPES, options?.encoding));
        hashStates.set(this, { op, key: keyBytes, chunks: [], finalized: false });
      }
      update(data, inputEncoding) {
        updateState(hashState(this), data, inputEncoding);
        return this;
      }
      // As Node's: a second digest() gives an empty result, not an error.
      digest(outputEncoding) {
        const state = hashState(this);
        if (state.finalized) return encodeOutput(EMPTY(), outputEncoding);
        state.finalized = true;
        const result = hmac(state.op, state.key, concatBytes(state.chunks.length ? state.chunks : [EMPTY()]));
        state.chunks = [];
        return encodeOutput(result, outputEncoding);
      }
    }

    // HMAC pads a key shorter than its block with zeros, so an empty key is the key [0]; the op
    // need not accept empty keys.
    const hmac = (op, key, data) => cryptoOps.hmac(op, key.length === 0 ? new Uint8Array(1) : key, data);

    // ---- Randomness ---------------------------------------------------------------------------
    function randomFillBytes(bytes) {
      for (let offset = 0; offset < bytes.length; offset += 65536) {
        apply(getRandomValues, cryptoObject, [typedArraySubarray(bytes, offset, offset + 65536)]);
      }
      return bytes;
    }
    const MAX_SIZE = 2147483647;

    function randomBytes(size, callback) {
      if (typeof size !== "number") throw invalidArgType("size", "of type number", size);
      if (!(size >= 0 && size <= MAX_SIZE)) throw outOfRange("size", `>= 0 && <= ${MAX_SIZE}`, size);
      if (callback !== undefined) validateFunction(callback, "callback");
      const buffer = toBuffer(randomFillBytes(new Uint8Array(size >>> 0)));
      if (callback === undefined) return buffer;
      queueMicrotask(() => callback(null, buffer));
    }

    // offset and size count elements of a TypedArray (bytes of anything else), as in Node.
    function fillRange(buffer, offset, size) {
      let bytes, elementSize = 1;
      if (isView(buffer)) {
        bytes = viewBytes(buffer);
        if (typedArrayTag(buffer) !== undefined) elementSize = buffer.BYTES_PER_ELEMENT;
      } else if (isArrayBuffer(buffer)) {
        bytes = new Uint8Array(buffer);
      } else {
        throw invalidArgType("buf", "an instance of ArrayBuffer or ArrayBufferView", buffer);
      }
      const length = bytes.length;
      if (typeof offset !== "number") throw invalidArgType("offset", "of type number", offset);
      offset *= elementSize;
      if (!(offset >= 0 && offset <= length)) throw outOfRange("offset", `>= 0 && <= ${length}`, offset);
      if (size === undefined) {
        size = length - offset;
      } else {
        if (typeof size !== "number") throw invalidArgType("size", "of type number", size);
        size *= elementSize;
        if (!(size >= 0 && size <= MAX_SIZE)) throw outOfRange("size", `>= 0 && <= ${MAX_SIZE}`, size);
        if (size + offset > length) throw outOfRange("size + offset", `<= ${length}`, size + offset);
      }
      return typedArraySubarray(bytes, offset >>> 0, (offset >>> 0) + (size >>> 0));
    }

    function randomFillSync(buffer, offset = 0, size) {
      randomFillBytes(fillRange(buffer, offset, size));
      return buffer;
    }

    function randomFill(buffer, offset, size, callback) {
      if (typeof offset === "function") {
        callback = offset;
        offset = 0;
        size = undefined;
      } else if (typeof size === "function") {
        callback = size;
        size = undefined;
      }
      validateFunction(callback, "callback");
      randomFillBytes(fillRange(buffer, offset, size));
      queueMicrotask(() => callback(null, buffer));
    }

    const RAND_MAX = 0xffffffffffff; // 2^48 - 1
    function randomInt(min, max, callback) {
      const minNotSpecified = max === undefined || typeof max === "function";
      if (minNotSpecified) {
        callback = max;
        max = min;
        min = 0;
      }
      if (callback !== undefined) validateFunction(callback, "callback");
      if (!Number.isSafeInteger(min)) throw invalidArgType("min", "a safe integer", min);
      if (!Number.isSafeInteger(max)) throw invalidArgType("max", "a safe integer", max);
      if (max <= min) throw outOfRange("max", `greater than the value of "min" (${min})`, max);
      const range = max - min;
      if (!(range <= RAND_MAX)) throw outOfRange(minNotSpecified ? "max" : "max - min", `<= ${RAND_MAX}`, range);
      // Uniform: draw 48 bits, rejecting the top partial multiple of range.
      const limit = RAND_MAX - (RAND_MAX % range);
      const six = new Uint8Array(6);
      let x;
      do {
        randomFillBytes(six);
        x = ((six[0] * 256 + six[1]) * 256 + six[2]) * 16777216 + ((six[3] << 16) | (six[4] << 8) | six[5]);
      } while (x >= limit);
      const result = min + (x % range);
      if (callback === undefined) return result;
      queueMicrotask(() => callback(null, result));
    }

    function randomUUID(options) {
      if (options !== undefined && (options === null || typeof options !== "object")) {
        throw invalidArgType("options", "of type object", options);
      }
      const b = randomFillBytes(new Uint8Array(16));
      b[6] = (b[6] & 0x0f) | 0x40;
      b[8] = (b[8] & 0x3f) | 0x80;
      const hex = toBuffer(b).toString("hex");
      return `${stringSlice(hex, 0, 8)}-${stringSlice(hex, 8, 12)}-${stringSlice(hex, 12, 16)}-${stringSlice(hex, 16, 20)}-${stringSlice(hex, 20)}`;
    }

    // ---- PBKDF2 -------------------------------------------------------------------------------
    function checkPbkdf2(password, salt, iterations, keylen, digest) {
      if (typeof digest !== "string") throw invalidArgType("digest", "of type string", digest);
      const passwordBytes = bytesOf(password, "password", BYTES_TYPES);
      const saltBytes = bytesOf(salt, "salt", BYTES_TYPES);
      validateInt32(iterations, "iterations", 1);
      validateInt32(keylen, "keylen", 0);
      const op = lookupHash(digest);
      if (op === undefined) throw nodeError(TypeError, "ERR_CRYPTO_INVALID_DIGEST", `Invalid digest: ${digest}`);
      return { op, passwordBytes, saltBytes };
    }
    function derivePbkdf2(op, password, salt, iterations, keylen) {
      if (keylen === 0) return toBuffer(EMPTY());
      // The password is an HMAC key: empty is the same as [0].
      const key = password.length === 0 ? new Uint8Array(1) : password;
      return toBuffer(cryptoOps.pbkdf2(op, key, salt, iterations, keylen));
    }
    function pbkdf2Sync(password, salt, iterations, keylen, digest) {
      const { op, passwordBytes, saltBytes } = checkPbkdf2(password, salt, iterations, keylen, digest);
      return derivePbkdf2(op, passwordBytes, saltBytes, iterations, keylen);
    }
    function pbkdf2(password, salt, iterations, keylen, digest, callback) {
      if (typeof digest === "function") {
        callback = digest;
        digest = undefined;
      }
      const { op, passwordBytes, saltBytes } = checkPbkdf2(password, salt, iterations, keylen, digest);
      validateFunction(callback, "callback");
      const passwordCopy = copy(passwordBytes), saltCopy = copy(saltBytes);
      queueMicrotask(() => {
        let result;
        try {
          result = derivePbkdf2(op, passwordCopy, saltCopy, iterations, keylen);
        } catch (error) {
          callback(error);
          return;
        }
        callback(null, result);
      });
    }

    function timingSafeEqual(buf1, buf2) {
      // Node's message for these has no "Received" part.
      const notBuffer = (name) =>
        nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "${name}" argument must be an instance of ArrayBuffer, Buffer, TypedArray, or DataView.`);
      const a = isView(buf1) ? viewBytes(buf1) : isArrayBuffer(buf1) ? new Uint8Array(buf1) : undefined;
      if (a === undefined) throw notBuffer("buf1");
      const b = isView(buf2) ? viewBytes(buf2) : isArrayBuffer(buf2) ? new Uint8Array(buf2) : undefined;
      if (b === undefined) throw notBuffer("buf2");
      if (a.length !== b.length) {
        throw nodeError(RangeError, "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH", "Input buffers must have the same byte length");
      }
      let difference = 0;
      for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
      return difference === 0;
    }

    // ---- Ciphers ------------------------------------------------------------------------------
    const CIPHERS = { __proto__: null };
    for (const bits of [128, 192, 256]) {
      for (const mode of ["cbc", "ctr", "gcm"]) CIPHERS[`aes-${bits}-${mode}`] = { mode, keyLength: bits / 8 };
      CIPHERS[`aes${bits}`] = CIPHERS[`aes-${bits}-cbc`];
      CIPHERS[`id-aes${bits}-gcm`] = CIPHERS[`aes-${bits}-gcm`];
    }
    const CIPHER_NAMES = [
      "aes-128-cbc", "aes-128-ctr", "aes-128-gcm", "aes-192-cbc", "aes-192-ctr", "aes-192-gcm",
      "aes-256-cbc", "aes-256-ctr", "aes-256-gcm", "aes128", "aes192", "aes256",
      "id-aes128-GCM", "id-aes192-GCM", "id-aes256-GCM",
    ];
    const validTagLength = (n) => n === 4 || n === 8 || (n >= 12 && n <= 16);
    const invalidTag = (n) => nodeError(TypeError, "ERR_CRYPTO_INVALID_AUTH_TAG", `Invalid authentication tag length: ${n}`);
    const authenticationFailed = () => new Error("Unsupported state or unable to authenticate data");
    const wrongFinalBlockLength = () =>
      nodeError(Error, "ERR_OSSL_WRONG_FINAL_BLOCK_LENGTH", "error:1C80006B:Provider routines::wrong final block length");
    const badDecrypt = () => nodeError(Error, "ERR_OSSL_BAD_DECRYPT", "error:1C800064:Provider routines::bad decrypt");

    // AES as a raw block cipher through the CBC op. Encrypting: the op's output minus the
    // padding block it adds. Decrypting: append the block that decrypts to a full padding block
    // (the encryption of nothing, chained on the last ciphertext block), which the op strips.
    function cbcEncryptBlocks(key, iv, blocks) {
      return typedArraySubarray(cryptoOps.aes("AES-CBC", true, key, iv, 0, EMPTY(), blocks), 0, blocks.length);
    }
    function cbcDecryptBlocks(key, iv, blocks) {
      const last = typedArraySubarray(blocks, blocks.length - 16);
      const padding = cryptoOps.aes("AES-CBC", true, key, last, 0, EMPTY(), EMPTY());
      return cryptoOps.aes("AES-CBC", false, key, iv, 0, EMPTY(), concatBytes([blocks, padding]));
    }
    // The counter block `blocks` blocks after `counter`, incrementing its low `bits` bits.
    function addToCounter(counter, blocks, bits) {
      const out = copy(counter);
      let carry = blocks;
      for (let i = 15; i >= 16 - bits / 8 && carry > 0; i--) {
        const sum = out[i] + (carry % 256);
        out[i] = sum & 0xff;
        carry = Math.floor(carry / 256) + (sum > 255 ? 1 : 0);
      }
      return out;
    }
    // CTR from byte `position` of the keystream that starts at `counter`.
    function ctrAt(key, counter, bits, position, data) {
      if (data.length === 0) return EMPTY();
      const skip = position % 16;
      const start = addToCounter(counter, Math.floor(position / 16), bits);
      const input = skip === 0 ? data : concatBytes([new Uint8Array(skip), data]);
      const out = cryptoOps.aes("AES-CTR", true, key, start, bits, EMPTY(), input);
      return skip === 0 ? out : typedArraySubarray(out, skip);
    }

    // Node's StringDecoder, for the encodings ciphers output: it holds back the bytes that do not
    // yet make whole characters.
    function createDecoder(encoding) {
      const normalized = normalizeEncoding(encoding);
      if (normalized === undefined) throw nodeError(TypeError, "ERR_UNKNOWN_ENCODING", `Unknown encoding: ${encoding}`);
      let held = EMPTY();
      const incomplete = (bytes) => {
        const n = bytes.length;
        if (normalized === "base64" || normalized === "base64url") return n % 3;
        if (normalized === "utf16le") return n % 2;
        if (normalized !== "utf8") return 0;
        for (let i = n - 1; i >= 0 && i >= n - 4; i--) {
          const byte = bytes[i];
          if ((byte & 0xc0) === 0x80) continue;
          const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
          return n - i < needed ? n - i : 0;
        }
        return 0;
      };
      const text = (bytes) => (bytes.length === 0 ? "" : toBuffer(bytes).toString(normalized));
      return {
        encoding: normalized,
        write(bytes) {
          const all = held.length ? concatBytes([held, bytes]) : bytes;
          const keep = incomplete(all);
          held = copy(typedArraySubarray(all, all.length - keep));
          return text(typedArraySubarray(all, 0, all.length - keep));
        },
        end(bytes) {
          const all = held.length ? concatBytes([held, bytes]) : bytes;
          held = EMPTY();
          return text(all);
        },
      };
    }

    const cipherStates = new WeakMap();
    const cipherState = (self) => {
      const state = cipherStates.get(self);
      if (state === undefined) throw new TypeError("Illegal invocation");
      return state;
    };

    function createState(cipher, key, iv, options, decrypting) {
      if (typeof cipher !== "string") throw invalidArgType("cipher", "of type string", cipher);
      const spec = CIPHERS[stringToLowerCase(cipher)];
      if (spec === undefined) throw nodeError(Error, "ERR_CRYPTO_UNKNOWN_CIPHER", "Unknown cipher");
      const keyBytes = copy(bytesOf(key, "key", KEY_TYPES));
      if (iv !== null && typeof iv !== "string" && !isView(iv) && !isArrayBuffer(iv)) {
        throw invalidArgType("iv", `${BYTES_TYPES}`, iv);
      }
      const ivBytes = iv === null ? null : copy(bytesOf(iv, "iv", BYTES_TYPES));
      if (keyBytes.length !== spec.keyLength) throw nodeError(RangeError, "ERR_CRYPTO_INVALID_KEYLEN", "Invalid key length");
      const ivOk = ivBytes !== null && (spec.mode === "gcm" ? ivBytes.length > 0 : ivBytes.length === 16);
      if (!ivOk) throw nodeError(TypeError, "ERR_CRYPTO_INVALID_IV", "Invalid initialization vector");
      let tagLength;
      if (spec.mode === "gcm" && options?.authTagLength !== undefined) {
        tagLength = options.authTagLength;
        if (!validTagLength(tagLength)) throw invalidTag(tagLength);
      }
      const state = {
        mode: spec.mode, key: keyBytes, iv: ivBytes, decrypting, autoPadding: true, done: false,
        pending: EMPTY(), position: 0, chunks: [], aad: [], started: false,
        tagLength, authTag: undefined, decoder: null,
      };
      if (spec.mode === "gcm" && ivBytes.length === 12) {
        // GCM encrypts with CTR from inc32(J0), J0 = iv || 0^31 || 1, when the iv is 96 bits.
        state.counter = concatBytes([ivBytes, new Uint8Array([0, 0, 0, 2])]);
      }
      return state;
    }

    function output(state, bytes, outputEncoding, ending) {
      if (outputEncoding === undefined || outputEncoding === null || outputEncoding === "buffer") return toBuffer(bytes);
      if (state.decoder === null) state.decoder = createDecoder(outputEncoding);
      else if (state.decoder.encoding !== normalizeEncoding(outputEncoding)) throw new Error("Cannot change encoding");
      return ending ? state.decoder.end(bytes) : state.decoder.write(bytes);
    }

    function update(state, data, inputEncoding, outputEncoding) {
      if (typeof data !== "string" && !isView(data)) throw invalidArgType("data", DATA_TYPES, data);
      if (state.done) throw new Error("Trying to add data in unsupported state");
      const bytes = typeof data === "string" ? stringBytes(data, inputEncoding) : viewBytes(data);
      state.started = true;
      let out;
      switch (state.mode) {
        case "cbc": {
          const input = state.pending.length ? concatBytes([state.pending, bytes]) : bytes;
          const whole = input.length - (input.length % 16);
          // Decrypting with padding, the last whole block waits for final(), which strips it.
          const take = state.decrypting && state.autoPadding && whole === input.length ? Math.max(0, whole - 16) : whole;
          state.pending = copy(typedArraySubarray(input, take));
          if (take === 0) {
            out = EMPTY();
            break;
          }
          const blocks = typedArraySubarray(input, 0, take);
          out = state.decrypting ? cbcDecryptBlocks(state.key, state.iv, blocks) : cbcEncryptBlocks(state.key, state.iv, blocks);
          state.iv = copy(typedArraySubarray(state.decrypting ? blocks : out, take - 16, take));
          break;
        }
        case "ctr":
          out = ctrAt(state.key, state.iv, 128, state.position, bytes);
          state.position += bytes.length;
          break;
        default:
          state.chunks[state.chunks.length] = copy(bytes);
          if (state.counter === undefined) {
            out = EMPTY();
          } else {
            out = ctrAt(state.key, state.counter, 32, state.position, bytes);
            state.position += bytes.length;
          }
      }
      return output(state, out, outputEncoding, false);
    }

    function final(state, outputEncoding) {
      if (state.done) throw invalidState();
      state.done = true;
      let out;
      switch (state.mode) {
        case "cbc":
          if (!state.autoPadding) {
            if (state.pending.length !== 0) throw wrongFinalBlockLength();
            out = EMPTY();
          } else if (!state.decrypting) {
            out = cryptoOps.aes("AES-CBC", true, state.key, state.iv, 0, EMPTY(), state.pending);
          } else {
            if (state.pending.length !== 16) throw wrongFinalBlockLength();
            try {
              out = cryptoOps.aes("AES-CBC", false, state.key, state.iv, 0, EMPTY(), state.pending);
            } catch {
              throw badDecrypt();
            }
          }
          break;
        case "ctr":
          out = EMPTY();
          break;
        default: {
          const data = concatBytes(state.chunks.length ? state.chunks : [EMPTY()]);
          const aad = concatBytes(state.aad.length ? state.aad : [EMPTY()]);
          state.chunks = [];
          if (!state.decrypting) {
            const tagLength = state.tagLength ?? 16;
            const sealed = cryptoOps.aes("AES-GCM", true, state.key, state.iv, tagLength * 8, aad, data);
            state.authTag = copy(typedArraySubarray(sealed, sealed.length - tagLength));
            out = state.counter === undefined ? typedArraySubarray(sealed, 0, sealed.length - tagLength) : EMPTY();
          } else {
            if (state.authTag === undefined) throw authenticationFailed();
            let opened;
            try {
              opened = cryptoOps.aes("AES-GCM", false, state.key, state.iv, state.authTag.length * 8, aad, concatBytes([data, state.authTag]));
            } catch {
              throw authenticationFailed();
            }
            out = state.counter === undefined ? opened : EMPTY();
          }
        }
      }
      return output(state, out, outputEncoding, true);
    }

    function setAAD(state, buffer) {
      if (state.mode !== "gcm" || state.started || state.done) throw invalidState("setAAD");
      if (!isView(buffer) && !isArrayBuffer(buffer)) {
        throw invalidArgType("buffer", "an instance of ArrayBuffer, Buffer, TypedArray, or DataView", buffer);
      }
      state.aad[state.aad.length] = copy(isView(buffer) ? viewBytes(buffer) : new Uint8Array(buffer));
    }

    function setAutoPadding(state, autoPadding) {
      if (state.done) throw invalidState("setAutoPadding");
      state.autoPadding = autoPadding === undefined ? true : !!autoPadding;
    }

    // update, final, setAutoPadding and setAAD, written once: both prototypes get them as own,
    // non-enumerable methods (the same functions, as in Node); each class adds its auth-tag method.
    const cipherMethods = {
      update(data, inputEncoding, outputEncoding) {
        return update(cipherState(this), data, inputEncoding, outputEncoding);
      },
      final(outputEncoding) {
        return final(cipherState(this), outputEncoding);
      },
      setAutoPadding(autoPadding) {
        setAutoPadding(cipherState(this), autoPadding);
        return this;
      },
      setAAD(buffer, options) {
        setAAD(cipherState(this), buffer);
        return this;
      },
    };

    class Cipheriv {
      constructor(cipher, key, iv, options) {
        cipherStates.set(this, createState(cipher, key, iv, options, false));
      }
      getAuthTag() {
        const state = cipherState(this);
        if (state.mode !== "gcm" || !state.done || state.authTag === undefined) throw invalidState("getAuthTag");
        return toBuffer(copy(state.authTag));
      }
    }

    class Decipheriv {
      constructor(cipher, key, iv, options) {
        cipherStates.set(this, createState(cipher, key, iv, options, true));
      }
      setAuthTag(buffer, encoding) {
        const state = cipherState(this);
        const tag = bytesOf(buffer, "buffer", "of type string or an instance of Buffer, TypedArray, or DataView", encoding, false);
        if (state.mode !== "gcm" || state.done || state.authTag !== undefined) throw invalidState("setAuthTag");
        if (state.tagLength !== undefined ? tag.length !== state.tagLength : !validTagLength(tag.length)) throw invalidTag(tag.length);
        state.authTag = copy(tag);
        return this;
      }
    }

    for (const { prototype } of [Cipheriv, Decipheriv]) {
      for (const [name, value] of Object.entries(cipherMethods)) {
        Object.defineProperty(prototype, name, { value, writable: true, enumerable: false, configurable: true });
      }
    }

    const webcrypto = cryptoObject;
    return {
      createHash: (algorithm, options) => new Hash(algorithm, options),
      createHmac: (hmac, key, options) => new Hmac(hmac, key, options),
      getHashes: () => Object.keys(HASHES),
      getCiphers: () => Array.from(CIPHER_NAMES),
      Hash,
      Hmac,
      Cipheriv,
      Decipheriv,
      createCipheriv: (cipher, key, iv, options) => new Cipheriv(cipher, key, iv, options),
      createDecipheriv: (cipher, key, iv, options) => new Decipheriv(cipher, key, iv, options),
      randomBytes,
      pseudoRandomBytes: randomBytes,
      randomFill,
      randomFillSync,
      randomInt,
      randomUUID,
      pbkdf2,
      pbkdf2Sync,
      timingSafeEqual,
      webcrypto,
      subtle: webcrypto.subtle,
      getRandomValues: (array) => apply(getRandomValues, cryptoObject, [array]),
    };
  });
})(Deno.core, globalThis.__v8ctxInternals);
