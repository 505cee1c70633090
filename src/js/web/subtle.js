// crypto.subtle: the W3C Web Cryptography API's SubtleCrypto and CryptoKey, for the symmetric
// algorithms: SHA-1/256/384/512 digests, HMAC, AES-CBC, AES-CTR, AES-GCM, PBKDF2 and HKDF.
// The cryptography is done by the Rust ops (src/ops/crypto.rs); this script is the spec's algorithm
// normalization, argument conversion, key handling and error naming around them.
//
// Runs once, as a classic script, when the startup snapshot is built, after bootstrap.js (the
// global `crypto`) and the DOMException script. Everything user code could replace later
// (constructors, prototype methods, DOMException, crypto.getRandomValues) is captured here.
//
// Choices the spec leaves open or where implementations differ:
// - Every operation runs synchronously inside the call and returns an already settled Promise;
//   BufferSource arguments are copied at call time, as the spec says.
// - key.usages is de-duplicated and in the spec's order (encrypt, decrypt, sign, ...), as in
//   browsers (Node 20 keeps the caller's list as given).
// - PBKDF2 and HKDF deriveBits with length 0 resolve to an empty ArrayBuffer (the current spec;
//   Node 20 rejects with OperationError).
// - A JWK's "k" must be base64url; trailing "=" padding is tolerated.
// - RSA, EC, Ed25519/X25519/Ed448/X448 and AES-KW reject with NotSupportedError naming the algorithm.
((core, internals) => {
  "use strict";
  const { cryptoOps } = internals;

  // ---- Intrinsics, captured before any user code runs ------------------------------------------
  const {
    Array, ArrayBuffer, JSON, Math, Number, Object, String, Symbol, TypeError, Uint8Array, WeakMap,
  } = globalThis;
  const {
    apply, uncurry, typedArrayTag, typedArrayBuffer, typedArrayByteOffset, typedArrayByteLength,
    dataViewBuffer, dataViewByteOffset, dataViewByteLength, arrayBufferByteLength,
    typedArraySlice, typedArraySet, typedArraySubarray, isArrayBuffer, concatBytes,
  } = internals.intrinsics;
  const arrayIncludes = uncurry(Array.prototype.includes);
  const arrayIndexOf = uncurry(Array.prototype.indexOf);
  const arrayPush = uncurry(Array.prototype.push);
  const stringToUpperCase = uncurry(String.prototype.toUpperCase);
  const stringIndexOf = uncurry(String.prototype.indexOf);
  const isView = ArrayBuffer.isView;
  const { stringify: jsonStringify, parse: jsonParse } = JSON;
  const TextEncoderAtLoad = globalThis.TextEncoder;
  const TextDecoderAtLoad = globalThis.TextDecoder;

  const DOMExceptionAtLoad = globalThis.DOMException;
  const domException = (name, message) => new (DOMExceptionAtLoad ?? globalThis.DOMException)(message, name);

  const cryptoObject = globalThis.crypto;
  const getRandomValues = cryptoObject.getRandomValues;
  // Fills a Uint8Array from crypto.getRandomValues (the seeded generator under random_seed).
  function randomFill(bytes) {
    for (let offset = 0; offset < bytes.length; offset += 65536) {
      apply(getRandomValues, cryptoObject, [typedArraySubarray(bytes, offset, offset + 65536)]);
    }
    return bytes;
  }

  // ---- Bytes ------------------------------------------------------------------------------------

  // WebIDL BufferSource (ArrayBuffer or ArrayBufferView, not shared): "a copy of the bytes held by"
  // it, as a new Uint8Array; a TypeError for anything else.
  function copyBufferSource(value, what) {
    let buffer, offset, length;
    if (isView(value)) {
      if (typedArrayTag(value) !== undefined) {
        buffer = typedArrayBuffer(value);
        offset = typedArrayByteOffset(value);
        length = typedArrayByteLength(value);
      } else {
        buffer = dataViewBuffer(value);
        offset = dataViewByteOffset(value);
        length = dataViewByteLength(value);
      }
      if (!isArrayBuffer(buffer)) throw new TypeError(`${what} must not be backed by a SharedArrayBuffer`);
    } else if (isArrayBuffer(value)) {
      buffer = value;
      offset = 0;
      length = arrayBufferByteLength(value);
    } else {
      throw new TypeError(`${what} is not of type '(ArrayBuffer or ArrayBufferView)'`);
    }
    // A detached buffer holds no bytes (and cannot be viewed).
    if (length === 0) return new Uint8Array(0);
    return typedArraySlice(new Uint8Array(buffer, offset, length));
  }

  // An op's Uint8Array result as an ArrayBuffer of exactly its bytes.
  function toArrayBuffer(bytes) {
    if (isArrayBuffer(bytes)) return bytes;
    const buffer = typedArrayBuffer(bytes);
    if (typedArrayByteOffset(bytes) === 0 && typedArrayByteLength(bytes) === arrayBufferByteLength(buffer)) return buffer;
    return typedArrayBuffer(typedArraySlice(bytes));
  }

  const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  function base64urlEncode(bytes) {
    let out = "";
    let i = 0;
    for (; i + 2 < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      out += BASE64URL[n >> 18] + BASE64URL[(n >> 12) & 63] + BASE64URL[(n >> 6) & 63] + BASE64URL[n & 63];
    }
    if (i + 1 === bytes.length) {
      const n = bytes[i] << 16;
      out += BASE64URL[n >> 18] + BASE64URL[(n >> 12) & 63];
    } else if (i + 2 === bytes.length) {
      const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
      out += BASE64URL[n >> 18] + BASE64URL[(n >> 12) & 63] + BASE64URL[(n >> 6) & 63];
    }
    return out;
  }
  // base64url (RFC 4648 §5) to bytes, or null when the text is not base64url. Trailing "="
  // padding is tolerated.
  function base64urlDecode(text) {
    let end = text.length;
    while (end > 0 && text[end - 1] === "=" && text.length - end < 2) end--;
    if (end % 4 === 1) return null;
    const out = new Uint8Array(Math.floor((end * 3) / 4));
    let bits = 0, value = 0, o = 0;
    for (let i = 0; i < end; i++) {
      const digit = stringIndexOf(BASE64URL, text[i]);
      if (digit < 0) return null;
      value = (value << 6) | digit;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[o++] = (value >> bits) & 0xff;
      }
    }
    return out;
  }

  function utf8Encode(text) {
    return new TextEncoderAtLoad().encode(text);
  }
  function utf8Decode(bytes) {
    return new TextDecoderAtLoad().decode(bytes);
  }

  // ---- WebIDL conversions -----------------------------------------------------------------------
  function requireArguments(count, required, method) {
    if (count < required) {
      throw new TypeError(`Failed to execute '${method}' on 'SubtleCrypto': ${required} arguments required, but only ${count} present.`);
    }
  }

  // [EnforceRange] integer types: a TypeError unless finite and, truncated, within [min, max].
  function enforceRange(value, min, max, what) {
    const number = Number(value);
    if (!Number.isFinite(number)) throw new TypeError(`${what} is not a finite number`);
    const integer = Math.trunc(number);
    if (integer < min || integer > max) throw new TypeError(`${what} is outside the range [${min}, ${max}]`);
    return integer + 0;
  }

  // WebIDL unsigned long without [EnforceRange]: modulo 2^32.
  function toUnsignedLong(value) {
    const number = Number(value);
    if (!Number.isFinite(number)) return 0;
    const integer = Math.trunc(number) % 4294967296;
    return integer < 0 ? integer + 4294967296 : integer + 0;
  }

  const KEY_USAGES = ["encrypt", "decrypt", "sign", "verify", "deriveKey", "deriveBits", "wrapKey", "unwrapKey"];
  const KEY_FORMATS = ["raw", "spki", "pkcs8", "jwk"];

  // sequence<DOMString>: any iterable object.
  function toStringSequence(value, what) {
    if (value === null || (typeof value !== "object" && typeof value !== "function")) {
      throw new TypeError(`${what} is not a sequence`);
    }
    const iteratorMethod = value[Symbol.iterator];
    if (typeof iteratorMethod !== "function") throw new TypeError(`${what} is not iterable`);
    const out = [];
    const iterator = apply(iteratorMethod, value, []);
    for (;;) {
      const step = iterator.next();
      if (step.done) break;
      arrayPush(out, String(step.value));
    }
    return out;
  }

  // sequence<KeyUsage>, as the key will hold it: without duplicates, in the spec's order.
  function toKeyUsages(value) {
    const usages = toStringSequence(value, "keyUsages");
    for (const usage of usages) {
      if (!arrayIncludes(KEY_USAGES, usage)) throw new TypeError(`'${usage}' is not a valid KeyUsage`);
    }
    return canonicalUsages(usages);
  }
  function canonicalUsages(usages) {
    const out = [];
    for (const usage of KEY_USAGES) if (arrayIncludes(usages, usage)) arrayPush(out, usage);
    return out;
  }

  function toKeyFormat(value) {
    const format = String(value);
    if (!arrayIncludes(KEY_FORMATS, format)) throw new TypeError(`'${format}' is not a valid KeyFormat`);
    return format;
  }

  // AlgorithmIdentifier, (object or DOMString): objects stay objects, anything else becomes a string.
  function toAlgorithmIdentifier(value) {
    if (value !== null && (typeof value === "object" || typeof value === "function")) return value;
    return String(value);
  }

  // JsonWebKey: the members a secret key uses, each converted as WebIDL does.
  function toJsonWebKey(value) {
    const jwk = {};
    const read = (member, convert) => {
      const item = value == null ? undefined : value[member];
      if (item !== undefined) jwk[member] = convert(item);
    };
    read("alg", String);
    read("ext", (x) => !!x);
    read("k", String);
    read("key_ops", (x) => toStringSequence(x, "JsonWebKey key_ops"));
    read("kty", String);
    read("use", String);
    return jwk;
  }

  // ---- Algorithm normalization (WebCrypto §18.4) -------------------------------------------------
  // Each algorithm dictionary: (the object, its normalized name) -> the normalized algorithm.
  // Members are read in the order WebIDL reads them (lexicographic).
  const member = (object, name, dictionary, required) => {
    const value = object[name];
    if (value === undefined && required) {
      throw new TypeError(`${dictionary}: the required member '${name}' is missing`);
    }
    return value;
  };
  const bufferMember = (object, name, dictionary, required) => {
    const value = member(object, name, dictionary, required);
    return value === undefined ? undefined : copyBufferSource(value, `${dictionary}.${name}`);
  };
  const hashMember = (object, dictionary) =>
    normalizeAlgorithm("digest", toAlgorithmIdentifier(member(object, "hash", dictionary, true)));
  const rangeMember = (object, name, dictionary, required, max) => {
    const value = member(object, name, dictionary, required);
    return value === undefined ? undefined : enforceRange(value, 0, max, `${dictionary}.${name}`);
  };
  const OCTET = 255, UNSIGNED_SHORT = 65535, UNSIGNED_LONG = 4294967295;

  const DICTIONARIES = {
    Algorithm: () => ({}),
    AesCbcParams: (o) => ({ iv: bufferMember(o, "iv", "AesCbcParams", true) }),
    AesCtrParams: (o) => ({
      counter: bufferMember(o, "counter", "AesCtrParams", true),
      length: rangeMember(o, "length", "AesCtrParams", true, OCTET),
    }),
    AesGcmParams: (o) => ({
      additionalData: bufferMember(o, "additionalData", "AesGcmParams", false),
      iv: bufferMember(o, "iv", "AesGcmParams", true),
      tagLength: rangeMember(o, "tagLength", "AesGcmParams", false, OCTET),
    }),
    AesKeyGenParams: (o) => ({ length: rangeMember(o, "length", "AesKeyGenParams", true, UNSIGNED_SHORT) }),
    AesDerivedKeyParams: (o) => ({ length: rangeMember(o, "length", "AesDerivedKeyParams", true, UNSIGNED_SHORT) }),
    HmacImportParams: (o) => ({
      hash: hashMember(o, "HmacImportParams"),
      length: rangeMember(o, "length", "HmacImportParams", false, UNSIGNED_LONG),
    }),
    HmacKeyGenParams: (o) => ({
      hash: hashMember(o, "HmacKeyGenParams"),
      length: rangeMember(o, "length", "HmacKeyGenParams", false, UNSIGNED_LONG),
    }),
    Pbkdf2Params: (o) => ({
      hash: hashMember(o, "Pbkdf2Params"),
      iterations: rangeMember(o, "iterations", "Pbkdf2Params", true, UNSIGNED_LONG),
      salt: bufferMember(o, "salt", "Pbkdf2Params", true),
    }),
    HkdfParams: (o) => ({
      hash: hashMember(o, "HkdfParams"),
      info: bufferMember(o, "info", "HkdfParams", true),
      salt: bufferMember(o, "salt", "HkdfParams", true),
    }),
  };

  const AES = ["AES-CBC", "AES-CTR", "AES-GCM"];
  const SHA = ["SHA-1", "SHA-256", "SHA-384", "SHA-512"];
  const AES_ENCRYPT_PARAMS = { "AES-CBC": "AesCbcParams", "AES-CTR": "AesCtrParams", "AES-GCM": "AesGcmParams" };
  const each = (names, dictionary) => Object.fromEntries(names.map((name) => [name, dictionary]));
  // The registered algorithms: operation -> algorithm name -> its parameters dictionary.
  const REGISTRY = {
    digest: each(SHA, "Algorithm"),
    generateKey: { HMAC: "HmacKeyGenParams", ...each(AES, "AesKeyGenParams") },
    importKey: { HMAC: "HmacImportParams", ...each(AES, "Algorithm"), PBKDF2: "Algorithm", HKDF: "Algorithm" },
    sign: { HMAC: "Algorithm" },
    verify: { HMAC: "Algorithm" },
    encrypt: AES_ENCRYPT_PARAMS,
    decrypt: AES_ENCRYPT_PARAMS,
    deriveBits: { PBKDF2: "Pbkdf2Params", HKDF: "HkdfParams" },
    "get key length": { HMAC: "HmacImportParams", ...each(AES, "AesDerivedKeyParams"), PBKDF2: "Algorithm", HKDF: "Algorithm" },
  };
  // Names of the spec's other algorithms, so that their rejection says what is missing.
  const NOT_IMPLEMENTED = [
    "RSASSA-PKCS1-v1_5", "RSA-PSS", "RSA-OAEP", "ECDSA", "ECDH", "Ed25519", "X25519", "Ed448", "X448", "AES-KW",
  ];
  const IMPLEMENTED = ["HMAC", ...AES, "PBKDF2", "HKDF", ...SHA];

  const findName = (names, upper) => {
    for (const name of names) if (stringToUpperCase(name) === upper) return name;
    return undefined;
  };

  function normalizeAlgorithm(operation, algorithm) {
    const object = typeof algorithm === "string" ? { name: algorithm } : algorithm;
    if (object === null || (typeof object !== "object" && typeof object !== "function")) {
      throw new TypeError("Algorithm: must be an object or a string");
    }
    const rawName = object.name;
    if (rawName === undefined) throw new TypeError("Algorithm: the required member 'name' is missing");
    const upper = stringToUpperCase(String(rawName));
    const table = REGISTRY[operation];
    const name = findName(Object.keys(table), upper);
    if (name === undefined) {
      const known = findName(NOT_IMPLEMENTED, upper);
      if (known !== undefined) throw domException("NotSupportedError", `${known} is not supported by this implementation of crypto.subtle`);
      const other = findName(IMPLEMENTED, upper);
      if (other !== undefined) throw domException("NotSupportedError", `${other} does not support the ${operation} operation`);
      throw domException("NotSupportedError", `Unrecognized algorithm name: '${String(rawName)}'`);
    }
    const normalized = DICTIONARIES[table[name]](object);
    normalized.name = name;
    return normalized;
  }

  // ---- CryptoKey --------------------------------------------------------------------------------
  const constructing = Symbol("CryptoKey construction");
  // CryptoKey -> its internal slots: type, extractable, algorithm (the KeyAlgorithm), usages,
  // raw (the secret bytes); and, once read, the cached objects its attributes return.
  const slots = new WeakMap();
  const slotsOf = (key) => {
    const slot = slots.get(key);
    if (slot === undefined) throw new TypeError("Illegal invocation");
    return slot;
  };
  const cloneAlgorithm = (algorithm) => {
    const copy = {};
    for (const name of Object.keys(algorithm)) {
      const value = algorithm[name];
      copy[name] = value !== null && typeof value === "object" ? cloneAlgorithm(value) : value;
    }
    return copy;
  };

  class CryptoKey {
    constructor(token) {
      if (token !== constructing) throw new TypeError("Illegal constructor");
    }
    get type() {
      return slotsOf(this).type;
    }
    get extractable() {
      return slotsOf(this).extractable;
    }
    get algorithm() {
      const slot = slotsOf(this);
      return (slot.algorithmObject ??= cloneAlgorithm(slot.algorithm));
    }
    get usages() {
      const slot = slotsOf(this);
      return (slot.usagesObject ??= Array.from(slot.usages));
    }
  }

  function secretKey(algorithm, extractable, usages, raw) {
    const key = new CryptoKey(constructing);
    slots.set(key, { type: "secret", extractable, algorithm, usages, raw });
    return key;
  }

  function keySlots(key, what) {
    const slot = slots.get(key);
    if (slot === undefined) throw new TypeError(`${what} is not of type 'CryptoKey'`);
    return slot;
  }

  // The checks every operation on an existing key starts with.
  function checkKey(slot, normalized, usage) {
    if (slot.algorithm.name !== normalized.name) {
      throw domException("InvalidAccessError", `The key is a ${slot.algorithm.name} key, not ${normalized.name}`);
    }
    if (!arrayIncludes(slot.usages, usage)) {
      throw domException("InvalidAccessError", `The key's usages do not include '${usage}'`);
    }
  }

  // ---- The algorithms ---------------------------------------------------------------------------
  const EMPTY = () => new Uint8Array(0);
  const HASH_BLOCK_BITS = { "SHA-1": 512, "SHA-256": 512, "SHA-384": 1024, "SHA-512": 1024 };
  const HASH_BYTES = { "SHA-1": 20, "SHA-256": 32, "SHA-384": 48, "SHA-512": 64 };
  const HMAC_JWK_ALG = { "SHA-1": "HS1", "SHA-256": "HS256", "SHA-384": "HS384", "SHA-512": "HS512" };
  const AES_LENGTHS = [128, 192, 256];
  const AES_JWK_MODE = { "AES-CBC": "CBC", "AES-CTR": "CTR", "AES-GCM": "GCM" };
  const GCM_TAG_LENGTHS = [32, 64, 96, 104, 112, 120, 128];
  const USAGES_FOR = {
    HMAC: ["sign", "verify"],
    "AES-CBC": ["encrypt", "decrypt", "wrapKey", "unwrapKey"],
    "AES-CTR": ["encrypt", "decrypt", "wrapKey", "unwrapKey"],
    "AES-GCM": ["encrypt", "decrypt", "wrapKey", "unwrapKey"],
    PBKDF2: ["deriveKey", "deriveBits"],
    HKDF: ["deriveKey", "deriveBits"],
  };

  // An op failing on input the checks let through (bad padding, failed authentication, ...).
  function operation(run) {
    try {
      return run();
    } catch (error) {
      const detail = error !== null && typeof error === "object" ? error.message : String(error);
      throw domException("OperationError", `The operation failed: ${detail}`);
    }
  }

  // HMAC pads a key shorter than its block with zeros, so an empty key is the key [0]; the ops
  // need not accept empty keys.
  const hmacKey = (key) => (key.length === 0 ? new Uint8Array(1) : key);
  const hmac = (hash, key, data) => operation(() => cryptoOps.hmac(hash, hmacKey(key), data));

  function checkUsages(name, usages) {
    for (const usage of usages) {
      if (!arrayIncludes(USAGES_FOR[name], usage)) {
        throw domException("SyntaxError", `'${usage}' is not a valid usage for a ${name} key`);
      }
    }
  }

  function checkJwkCommon(jwk, usages, extractable, use) {
    if (usages.length > 0 && jwk.use !== undefined && jwk.use !== use) {
      throw domException("DataError", `The JWK's "use" must be "${use}"`);
    }
    if (jwk.key_ops !== undefined) {
      const keyOps = jwk.key_ops;
      for (let i = 0; i < keyOps.length; i++) {
        if (arrayIndexOf(keyOps, keyOps[i]) !== i) throw domException("DataError", `The JWK's "key_ops" lists '${keyOps[i]}' twice`);
      }
      for (const usage of usages) {
        if (!arrayIncludes(keyOps, usage)) throw domException("DataError", `The JWK's "key_ops" does not include '${usage}'`);
      }
    }
    if (jwk.ext === false && extractable) {
      throw domException("DataError", `The JWK is not extractable ("ext": false)`);
    }
  }

  function jwkSecret(jwk) {
    if (jwk.kty !== "oct") throw domException("DataError", `The JWK's "kty" must be "oct"`);
    if (jwk.k === undefined) throw domException("DataError", `The JWK has no "k"`);
    const data = base64urlDecode(jwk.k);
    if (data === null) throw domException("DataError", `The JWK's "k" is not base64url`);
    return data;
  }

  function importHmac(format, keyData, normalized, extractable, usages) {
    checkUsages("HMAC", usages);
    let data;
    const hash = normalized.hash;
    if (format === "raw") {
      data = keyData;
    } else if (format === "jwk") {
      data = jwkSecret(keyData);
      if (keyData.alg !== undefined && keyData.alg !== HMAC_JWK_ALG[hash.name]) {
        throw domException("DataError", `The JWK's "alg" must be "${HMAC_JWK_ALG[hash.name]}" for ${hash.name}`);
      }
      checkJwkCommon(keyData, usages, extractable, "sig");
    } else {
      throw domException("NotSupportedError", `HMAC keys cannot be imported as '${format}'`);
    }
    let length = data.length * 8;
    if (length === 0) throw domException("DataError", "An HMAC key must not be empty");
    if (normalized.length !== undefined) {
      if (normalized.length > length || normalized.length <= length - 8) {
        throw domException("DataError", `The key data does not have length ${normalized.length} bits`);
      }
      length = normalized.length;
    }
    return secretKey({ name: "HMAC", length, hash: { name: hash.name } }, extractable, usages, data);
  }

  function importAes(format, keyData, normalized, extractable, usages) {
    const name = normalized.name;
    checkUsages(name, usages);
    let data;
    if (format === "raw") {
      data = keyData;
      if (!arrayIncludes(AES_LENGTHS, data.length * 8)) {
        throw domException("DataError", `An AES key must be 128, 192 or 256 bits, not ${data.length * 8}`);
      }
    } else if (format === "jwk") {
      data = jwkSecret(keyData);
      const bits = data.length * 8;
      if (!arrayIncludes(AES_LENGTHS, bits)) {
        throw domException("DataError", `An AES key must be 128, 192 or 256 bits, not ${bits}`);
      }
      const alg = `A${bits}${AES_JWK_MODE[name]}`;
      if (keyData.alg !== undefined && keyData.alg !== alg) {
        throw domException("DataError", `The JWK's "alg" must be "${alg}"`);
      }
      checkJwkCommon(keyData, usages, extractable, "enc");
    } else {
      throw domException("NotSupportedError", `${name} keys cannot be imported as '${format}'`);
    }
    return secretKey({ name, length: data.length * 8 }, extractable, usages, data);
  }

  // PBKDF2 and HKDF keys: raw only, never extractable.
  function importKdf(format, keyData, normalized, extractable, usages) {
    const name = normalized.name;
    if (format !== "raw") throw domException("NotSupportedError", `${name} keys can only be imported as 'raw'`);
    checkUsages(name, usages);
    if (extractable) throw domException("SyntaxError", `${name} keys cannot be extractable`);
    return secretKey({ name }, false, usages, keyData);
  }

  function importKeyWith(format, keyData, normalized, extractable, usages) {
    let key;
    switch (normalized.name) {
      case "HMAC":
        key = importHmac(format, keyData, normalized, extractable, usages);
        break;
      case "PBKDF2":
      case "HKDF":
        key = importKdf(format, keyData, normalized, extractable, usages);
        break;
      default:
        key = importAes(format, keyData, normalized, extractable, usages);
    }
    if (usages.length === 0) throw domException("SyntaxError", "A secret key's usages must not be empty");
    return key;
  }

  function exportKeyWith(format, slot) {
    const name = slot.algorithm.name;
    if (name === "PBKDF2" || name === "HKDF") {
      throw domException("NotSupportedError", `${name} keys cannot be exported`);
    }
    if (!slot.extractable) throw domException("InvalidAccessError", "The key is not extractable");
    if (format === "raw") return toArrayBuffer(typedArraySlice(slot.raw));
    if (format === "jwk") {
      // Members in the order WebIDL converts a dictionary: lexicographic.
      const alg = name === "HMAC" ? HMAC_JWK_ALG[slot.algorithm.hash.name] : `A${slot.algorithm.length}${AES_JWK_MODE[name]}`;
      return { alg, ext: slot.extractable, k: base64urlEncode(slot.raw), key_ops: Array.from(slot.usages), kty: "oct" };
    }
    throw domException("NotSupportedError", `${name} keys cannot be exported as '${format}'`);
  }

  function generateKeyWith(normalized, extractable, usages) {
    const name = normalized.name;
    checkUsages(name, usages);
    let key;
    if (name === "HMAC") {
      let length = normalized.length;
      if (length === undefined) length = HASH_BLOCK_BITS[normalized.hash.name];
      else if (length === 0) throw domException("OperationError", "HMAC key length must not be zero");
      const raw = randomFill(new Uint8Array(Math.ceil(length / 8)));
      if (length % 8 !== 0) raw[raw.length - 1] &= (0xff << (8 - (length % 8))) & 0xff;
      key = secretKey({ name, length, hash: { name: normalized.hash.name } }, extractable, usages, raw);
    } else {
      if (!arrayIncludes(AES_LENGTHS, normalized.length)) {
        throw domException("OperationError", "AES key length must be 128, 192 or 256 bits");
      }
      const raw = randomFill(new Uint8Array(normalized.length / 8));
      key = secretKey({ name, length: normalized.length }, extractable, usages, raw);
    }
    if (usages.length === 0) throw domException("SyntaxError", "A secret key's usages must not be empty");
    return key;
  }

  function checkAesParams(normalized, data, decrypting) {
    switch (normalized.name) {
      case "AES-CBC":
        if (normalized.iv.length !== 16) throw domException("OperationError", "AES-CBC iv must be 16 bytes");
        return 0;
      case "AES-CTR": {
        if (normalized.counter.length !== 16) throw domException("OperationError", "AES-CTR counter must be 16 bytes");
        const length = normalized.length;
        if (length === 0 || length > 128) throw domException("OperationError", "AES-CTR length must be between 1 and 128");
        if (length < 128 && Math.ceil(data.length / 16) > 2 ** length) {
          throw domException("OperationError", "AES-CTR counter would wrap around: the data is too long for its length");
        }
        return length;
      }
      default: {
        const tagLength = normalized.tagLength === undefined ? 128 : normalized.tagLength;
        if (!arrayIncludes(GCM_TAG_LENGTHS, tagLength)) {
          throw domException("OperationError", "AES-GCM tagLength must be one of 32, 64, 96, 104, 112, 120, 128");
        }
        if (normalized.iv.length === 0) throw domException("OperationError", "AES-GCM iv must not be empty");
        if (decrypting && data.length < tagLength / 8) {
          throw domException("OperationError", "The AES-GCM ciphertext is shorter than its tag");
        }
        return tagLength;
      }
    }
  }

  function aes(decrypting, normalized, raw, data) {
    const param = checkAesParams(normalized, data, decrypting);
    const iv = normalized.name === "AES-CTR" ? normalized.counter : normalized.iv;
    const additionalData = normalized.additionalData ?? EMPTY();
    return toArrayBuffer(operation(() => cryptoOps.aes(normalized.name, !decrypting, raw, iv, param, additionalData, data)));
  }

  function deriveBitsWith(normalized, raw, length) {
    if (length === null) throw domException("OperationError", `${normalized.name} deriveBits needs a length`);
    if (length % 8 !== 0) throw domException("OperationError", "The length must be a multiple of 8");
    const hash = normalized.hash.name;
    if (normalized.name === "PBKDF2") {
      if (normalized.iterations === 0) throw domException("OperationError", "PBKDF2 iterations must not be zero");
      if (length === 0) return new ArrayBuffer(0);
      // The password is an HMAC key: empty is the same as [0].
      return toArrayBuffer(operation(() => cryptoOps.pbkdf2(hash, hmacKey(raw), normalized.salt, normalized.iterations, length / 8)));
    }
    // HKDF (RFC 5869): extract, then expand.
    if (length === 0) return new ArrayBuffer(0);
    const hashBytes = HASH_BYTES[hash];
    const bytes = length / 8;
    if (bytes > 255 * hashBytes) throw domException("OperationError", `HKDF can derive at most ${255 * hashBytes * 8} bits with ${hash}`);
    const prk = hmac(hash, normalized.salt.length === 0 ? new Uint8Array(hashBytes) : normalized.salt, raw);
    const out = new Uint8Array(bytes);
    let block = EMPTY();
    for (let i = 1, offset = 0; offset < bytes; i++) {
      block = hmac(hash, prk, concatBytes([block, normalized.info, new Uint8Array([i])]));
      typedArraySet(out, typedArraySubarray(block, 0, Math.min(block.length, bytes - offset)), offset);
      offset += block.length;
    }
    return typedArrayBuffer(out);
  }

  // null for PBKDF2 and HKDF, whose deriveBits then fails for want of a length.
  function keyLength(normalized) {
    if (normalized.name === "PBKDF2" || normalized.name === "HKDF") return null;
    if (normalized.name === "HMAC") {
      if (normalized.length === undefined) return HASH_BLOCK_BITS[normalized.hash.name];
      if (normalized.length === 0) throw new TypeError("HMAC key length must not be zero");
      return normalized.length;
    }
    if (!arrayIncludes(AES_LENGTHS, normalized.length)) {
      throw domException("OperationError", "AES key length must be 128, 192 or 256 bits");
    }
    return normalized.length;
  }

  // Converts importKey's keyData: (BufferSource or JsonWebKey), matching the format.
  function convertKeyData(format, keyData) {
    const isBufferSource = isView(keyData) || isArrayBuffer(keyData);
    if (format === "jwk") {
      if (isBufferSource || (keyData !== null && keyData !== undefined && typeof keyData !== "object" && typeof keyData !== "function")) {
        throw new TypeError("keyData must be a JsonWebKey object for the 'jwk' format");
      }
      return toJsonWebKey(keyData);
    }
    if (!isBufferSource) throw new TypeError(`keyData must be an ArrayBuffer or ArrayBufferView for the '${format}' format`);
    return copyBufferSource(keyData, "keyData");
  }

  // ---- SubtleCrypto -----------------------------------------------------------------------------
  let subtle;
  const checkThis = (self) => {
    if (self !== subtle) throw new TypeError("Illegal invocation");
  };

  class SubtleCrypto {
    constructor(token) {
      if (token !== constructing) throw new TypeError("Illegal constructor");
    }

    async encrypt(algorithm, key, data) {
      checkThis(this);
      requireArguments(arguments.length, 3, "encrypt");
      algorithm = toAlgorithmIdentifier(algorithm);
      const slot = keySlots(key, "key");
      const bytes = copyBufferSource(data, "data");
      const normalized = normalizeAlgorithm("encrypt", algorithm);
      checkKey(slot, normalized, "encrypt");
      return aes(false, normalized, slot.raw, bytes);
    }

    async decrypt(algorithm, key, data) {
      checkThis(this);
      requireArguments(arguments.length, 3, "decrypt");
      algorithm = toAlgorithmIdentifier(algorithm);
      const slot = keySlots(key, "key");
      const bytes = copyBufferSource(data, "data");
      const normalized = normalizeAlgorithm("decrypt", algorithm);
      checkKey(slot, normalized, "decrypt");
      return aes(true, normalized, slot.raw, bytes);
    }

    async sign(algorithm, key, data) {
      checkThis(this);
      requireArguments(arguments.length, 3, "sign");
      algorithm = toAlgorithmIdentifier(algorithm);
      const slot = keySlots(key, "key");
      const bytes = copyBufferSource(data, "data");
      const normalized = normalizeAlgorithm("sign", algorithm);
      checkKey(slot, normalized, "sign");
      return toArrayBuffer(hmac(slot.algorithm.hash.name, slot.raw, bytes));
    }

    async verify(algorithm, key, signature, data) {
      checkThis(this);
      requireArguments(arguments.length, 4, "verify");
      algorithm = toAlgorithmIdentifier(algorithm);
      const slot = keySlots(key, "key");
      const expected = copyBufferSource(signature, "signature");
      const bytes = copyBufferSource(data, "data");
      const normalized = normalizeAlgorithm("verify", algorithm);
      checkKey(slot, normalized, "verify");
      const mac = hmac(slot.algorithm.hash.name, slot.raw, bytes);
      // Compares every byte whatever the first difference, so the time taken says nothing of where.
      let difference = mac.length ^ expected.length;
      for (let i = 0; i < mac.length; i++) difference |= mac[i] ^ (i < expected.length ? expected[i] : 0);
      return difference === 0;
    }

    async digest(algorithm, data) {
      checkThis(this);
      requireArguments(arguments.length, 2, "digest");
      algorithm = toAlgorithmIdentifier(algorithm);
      const bytes = copyBufferSource(data, "data");
      const normalized = normalizeAlgorithm("digest", algorithm);
      return toArrayBuffer(operation(() => cryptoOps.digest(normalized.name, bytes)));
    }

    async generateKey(algorithm, extractable, keyUsages) {
      checkThis(this);
      requireArguments(arguments.length, 3, "generateKey");
      algorithm = toAlgorithmIdentifier(algorithm);
      extractable = !!extractable;
      const usages = toKeyUsages(keyUsages);
      const normalized = normalizeAlgorithm("generateKey", algorithm);
      return generateKeyWith(normalized, extractable, usages);
    }

    async deriveKey(algorithm, baseKey, derivedKeyType, extractable, keyUsages) {
      checkThis(this);
      requireArguments(arguments.length, 5, "deriveKey");
      algorithm = toAlgorithmIdentifier(algorithm);
      const slot = keySlots(baseKey, "baseKey");
      derivedKeyType = toAlgorithmIdentifier(derivedKeyType);
      extractable = !!extractable;
      const usages = toKeyUsages(keyUsages);
      const normalized = normalizeAlgorithm("deriveBits", algorithm);
      const normalizedImport = normalizeAlgorithm("importKey", derivedKeyType);
      const normalizedLength = normalizeAlgorithm("get key length", derivedKeyType);
      checkKey(slot, normalized, "deriveKey");
      const length = keyLength(normalizedLength);
      const secret = new Uint8Array(deriveBitsWith(normalized, slot.raw, length));
      return importKeyWith("raw", secret, normalizedImport, extractable, usages);
    }

    async deriveBits(algorithm, baseKey, length = null) {
      checkThis(this);
      requireArguments(arguments.length, 2, "deriveBits");
      algorithm = toAlgorithmIdentifier(algorithm);
      const slot = keySlots(baseKey, "baseKey");
      length = length === null ? null : toUnsignedLong(length);
      const normalized = normalizeAlgorithm("deriveBits", algorithm);
      checkKey(slot, normalized, "deriveBits");
      return deriveBitsWith(normalized, slot.raw, length);
    }

    async importKey(format, keyData, algorithm, extractable, keyUsages) {
      checkThis(this);
      requireArguments(arguments.length, 5, "importKey");
      format = toKeyFormat(format);
      const data = convertKeyData(format, keyData);
      algorithm = toAlgorithmIdentifier(algorithm);
      extractable = !!extractable;
      const usages = toKeyUsages(keyUsages);
      const normalized = normalizeAlgorithm("importKey", algorithm);
      return importKeyWith(format, data, normalized, extractable, usages);
    }

    async exportKey(format, key) {
      checkThis(this);
      requireArguments(arguments.length, 2, "exportKey");
      format = toKeyFormat(format);
      return exportKeyWith(format, keySlots(key, "key"));
    }

    // wrapKey and unwrapKey with AES-CBC, AES-CTR and AES-GCM, through their encrypt and decrypt
    // operations (AES-KW is not supported).
    async wrapKey(format, key, wrappingKey, wrapAlgorithm) {
      checkThis(this);
      requireArguments(arguments.length, 4, "wrapKey");
      format = toKeyFormat(format);
      const keySlot = keySlots(key, "key");
      const wrappingSlot = keySlots(wrappingKey, "wrappingKey");
      const normalized = normalizeAlgorithm("encrypt", toAlgorithmIdentifier(wrapAlgorithm));
      checkKey(wrappingSlot, normalized, "wrapKey");
      const exported = exportKeyWith(format, keySlot);
      const bytes = format === "jwk" ? utf8Encode(jsonStringify(exported)) : new Uint8Array(exported);
      return aes(false, normalized, wrappingSlot.raw, bytes);
    }

    async unwrapKey(format, wrappedKey, unwrappingKey, unwrapAlgorithm, unwrappedKeyAlgorithm, extractable, keyUsages) {
      checkThis(this);
      requireArguments(arguments.length, 7, "unwrapKey");
      format = toKeyFormat(format);
      const wrapped = copyBufferSource(wrappedKey, "wrappedKey");
      const unwrappingSlot = keySlots(unwrappingKey, "unwrappingKey");
      unwrapAlgorithm = toAlgorithmIdentifier(unwrapAlgorithm);
      unwrappedKeyAlgorithm = toAlgorithmIdentifier(unwrappedKeyAlgorithm);
      extractable = !!extractable;
      const usages = toKeyUsages(keyUsages);
      const normalized = normalizeAlgorithm("decrypt", unwrapAlgorithm);
      const normalizedKeyAlgorithm = normalizeAlgorithm("importKey", unwrappedKeyAlgorithm);
      checkKey(unwrappingSlot, normalized, "unwrapKey");
      const bytes = new Uint8Array(aes(true, normalized, unwrappingSlot.raw, wrapped));
      let keyData = bytes;
      if (format === "jwk") {
        let parsed;
        try {
          parsed = jsonParse(utf8Decode(bytes));
        } catch {
          throw domException("DataError", "The unwrapped key is not a JSON Web Key");
        }
        if (parsed === null || typeof parsed !== "object") throw domException("DataError", "The unwrapped key is not a JSON Web Key");
        keyData = toJsonWebKey(parsed);
      }
      return importKeyWith(format, keyData, normalizedKeyAlgorithm, extractable, usages);
    }
  }

  // Web IDL: operations and attributes are enumerable; interfaces carry their name as a tag.
  for (const Interface of [CryptoKey, SubtleCrypto]) {
    const prototype = Interface.prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      if (name === "constructor") continue;
      const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
      descriptor.enumerable = true;
      Object.defineProperty(prototype, name, descriptor);
    }
    Object.defineProperty(prototype, Symbol.toStringTag, { value: Interface.name, configurable: true });
  }

  subtle = new SubtleCrypto(constructing);
  internals.define("CryptoKey", CryptoKey);
  internals.define("SubtleCrypto", SubtleCrypto);
  Object.defineProperty(cryptoObject, "subtle", { value: subtle, writable: false, enumerable: false, configurable: true });
})(Deno.core, globalThis.__v8ctxInternals);
