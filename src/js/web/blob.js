// Blob and File (File API §3 and §4): immutable bytes with a MIME type, made of strings (UTF-8),
// ArrayBuffers, views and other Blobs. No stream(): v8ctx has no ReadableStream.
((core, internals) => {
  "use strict";
  // Captured now: user code may replace these globals later.
  const { TypeError, String, Number, Math, Object, Symbol, WeakMap, Uint8Array, ArrayBuffer } = globalThis;
  const TextEncoderAtLoad = globalThis.TextEncoder, TextDecoderAtLoad = globalThis.TextDecoder;
  const utf8Encoder = core.encode === undefined ? new TextEncoderAtLoad() : null;
  const utf8Decoder = core.decode === undefined ? new TextDecoderAtLoad() : null;
  // UTF-8 encode of a well-formed string, and UTF-8 decode (a leading BOM dropped, invalid bytes
  // replaced by U+FFFD).
  const encode = utf8Encoder === null ? (text) => core.encode(text) : (text) => utf8Encoder.encode(text);
  const decode = utf8Decoder === null ? (bytes) => core.decode(bytes) : (bytes) => utf8Decoder.decode(bytes);
  const now = Date.now;
  const ReflectApply = Reflect.apply;
  const { isArrayBuffer } = internals.intrinsics;
  const isView = ArrayBuffer.isView;
  const PromiseAtLoad = Promise, { resolve: promiseResolve, reject: promiseReject } = Promise;
  const PromiseResolve = (value) => ReflectApply(promiseResolve, PromiseAtLoad, [value]);
  const PromiseReject = (error) => ReflectApply(promiseReject, PromiseAtLoad, [error]);
  const toWellFormedAtLoad = String.prototype.toWellFormed;
  const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

  // ---- Web IDL conversions -----------------------------------------------------------------------
  const toDOMString = (value) => {
    if (typeof value === "symbol") throw new TypeError("Cannot convert a Symbol value to a string");
    return String(value);
  };
  const toUSVString = (value) => {
    const text = toDOMString(value);
    return toWellFormedAtLoad !== undefined ? ReflectApply(toWellFormedAtLoad, text, []) : text.replace(LONE_SURROGATE, "\uFFFD");
  };
  const isObject = (value) => (typeof value === "object" && value !== null) || typeof value === "function";
  const MAX_SAFE = Number.MAX_SAFE_INTEGER;
  // [Clamp] long long: NaN is 0, the value is clamped to the range, then rounded half to even.
  const clampLongLong = (value) => {
    let x = +value;
    if (Number.isNaN(x)) return 0;
    x = Math.min(Math.max(x, -MAX_SAFE), MAX_SAFE);
    let rounded = Math.floor(x);
    const fraction = x - rounded;
    if (fraction > 0.5 || (fraction === 0.5 && rounded % 2 !== 0)) rounded += 1;
    return rounded + 0;
  };
  // long long: NaN and the infinities are 0, other values are truncated.
  const toLongLong = (value) => {
    const x = +value;
    return Number.isFinite(x) ? Math.trunc(x) + 0 : 0;
  };
  // A MIME type as Blob keeps it: ASCII lowercase, or "" if it has a character outside U+0020-U+007E.
  const normalizeType = (type) => (/[^\x20-\x7E]/.test(type) ? "" : type.toLowerCase());
  const options = (value, what) => {
    if (value === undefined || value === null) return {};
    if (!isObject(value)) throw new TypeError(`Failed to construct '${what}': The provided value is not of type '${what}PropertyBag'.`);
    return value;
  };
  const requireArguments = (count, needed, what) => {
    if (count < needed) {
      throw new TypeError(`Failed to construct '${what}': ${needed} arguments required, but only ${count} present.`);
    }
  };

  // ---- Blob --------------------------------------------------------------------------------------
  // Each Blob's bytes (a Uint8Array nobody else sees, so slices may share its buffer) and type.
  const blobs = new WeakMap();
  const blobState = (blob) => {
    const found = blobs.get(blob);
    if (found === undefined) throw new TypeError("Illegal invocation: not a Blob");
    return found;
  };

  // "Process blob parts": one Uint8Array of the parts' bytes, in order.
  const processParts = (parts, endings, what) => {
    if (parts === undefined) return new Uint8Array(0);
    if (!isObject(parts) || typeof parts[Symbol.iterator] !== "function") {
      throw new TypeError(`Failed to construct '${what}': The provided value cannot be converted to a sequence.`);
    }
    const chunks = [];
    let total = 0;
    for (const part of parts) {
      let bytes;
      const blob = isObject(part) ? blobs.get(part) : undefined;
      if (blob !== undefined) {
        bytes = blob.bytes;
      } else if (isArrayBuffer(part)) {
        bytes = new Uint8Array(part).slice();
      } else if (isView(part)) {
        bytes = new Uint8Array(part.buffer, part.byteOffset, part.byteLength).slice();
      } else {
        let text = toUSVString(part);
        if (endings === "native") text = text.replace(/\r\n?/g, "\n");
        bytes = encode(text);
      }
      chunks.push(bytes);
      total += bytes.length;
    }
    if (chunks.length === 1) return chunks[0];
    const out = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  };

  const makeBlob = (bytes, type) => {
    const blob = Object.create(Blob.prototype);
    blobs.set(blob, { bytes, type });
    return blob;
  };

  class Blob {
    constructor(blobParts = undefined, options_ = undefined) {
      const bag = options(options_, "Blob");
      const type = bag.type === undefined ? "" : normalizeType(toDOMString(bag.type));
      const endings = bag.endings === undefined ? "transparent" : toDOMString(bag.endings);
      if (endings !== "transparent" && endings !== "native") {
        throw new TypeError(`Failed to construct 'Blob': The provided value '${endings}' is not a valid enum value of type EndingType.`);
      }
      blobs.set(this, { bytes: processParts(blobParts, endings, "Blob"), type });
    }
    get size() { return blobState(this).bytes.length; }
    get type() { return blobState(this).type; }
    slice(start = undefined, end = undefined, contentType = undefined) {
      const { bytes } = blobState(this);
      const size = bytes.length;
      const relative = (value, fallback) => {
        if (value === undefined) return fallback;
        const n = clampLongLong(value);
        return n < 0 ? Math.max(size + n, 0) : Math.min(n, size);
      };
      const from = relative(start, 0), to = relative(end, size);
      const type = contentType === undefined ? "" : normalizeType(toDOMString(contentType));
      return makeBlob(bytes.subarray(from, Math.max(from, to)), type);
    }
    text() {
      try {
        return PromiseResolve(decode(blobState(this).bytes));
      } catch (error) {
        return PromiseReject(error);
      }
    }
    arrayBuffer() {
      try {
        return PromiseResolve(blobState(this).bytes.slice().buffer);
      } catch (error) {
        return PromiseReject(error);
      }
    }
    bytes() {
      try {
        return PromiseResolve(blobState(this).bytes.slice());
      } catch (error) {
        return PromiseReject(error);
      }
    }
  }
  for (const name of ["size", "type", "slice", "text", "arrayBuffer", "bytes"]) {
    Object.defineProperty(Blob.prototype, name, { enumerable: true });
  }
  Object.defineProperty(Blob.prototype, Symbol.toStringTag, { value: "Blob", configurable: true });

  // ---- File --------------------------------------------------------------------------------------
  const files = new WeakMap();
  const fileState = (file) => {
    const found = files.get(file);
    if (found === undefined) throw new TypeError("Illegal invocation: not a File");
    return found;
  };
  class File extends Blob {
    constructor(fileBits, fileName, options_ = undefined) {
      requireArguments(arguments.length, 2, "File");
      const bag = options(options_, "File");
      super(fileBits, bag);
      files.set(this, {
        name: toUSVString(fileName),
        lastModified: bag.lastModified === undefined ? now() : toLongLong(bag.lastModified),
      });
    }
    get name() { return fileState(this).name; }
    get lastModified() { return fileState(this).lastModified; }
  }
  for (const name of ["name", "lastModified"]) {
    Object.defineProperty(File.prototype, name, { enumerable: true });
  }
  Object.defineProperty(File.prototype, Symbol.toStringTag, { value: "File", configurable: true });

  // For the other host scripts: a Blob's bytes (not to be modified), or undefined for a non-Blob.
  internals.blobBytes = (value) => (isObject(value) ? blobs.get(value)?.bytes : undefined);

  internals.define("Blob", Blob);
  internals.define("File", File);
})(Deno.core, globalThis.__v8ctxInternals);
