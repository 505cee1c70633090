// Node's `buffer` module: Buffer, a Uint8Array whose prototype adds Node's methods, with the
// encodings utf8, ucs2/utf16le, latin1/binary, ascii, hex, base64 and base64url. Every Buffer has
// an ArrayBuffer of its own (Node carves small ones out of a shared 8 KiB pool; nothing here does),
// and allocUnsafe memory is zero-filled.
((core, internals) => {
  "use strict";
  internals.builtins.set("buffer", (require) => {
    const { inspect, nodeError, errInvalidArgType, errOutOfRange, errInvalidArgValue, types } = internals.nodeShared;
    const { TextDecoder, TextEncoder, atob, btoa, Blob, File } = globalThis;
    const { isUint8Array, isAnyArrayBuffer, isTypedArray } = types;

    const kMaxLength = 2 ** 32;
    const kStringMaxLength = 2 ** 29 - 24;
    const INSPECT_MAX_BYTES = 50;

    const errUnknownEncoding = (encoding) => nodeError(TypeError, "ERR_UNKNOWN_ENCODING", `Unknown encoding: ${encoding}`);
    const errBufferOutOfBounds = (name) => nodeError(RangeError, "ERR_BUFFER_OUT_OF_BOUNDS",
      name ? `"${name}" is outside of buffer bounds` : "Attempt to access memory outside buffer bounds");

    function validateNumber(value, name, min, max) {
      if (typeof value !== "number") throw errInvalidArgType(name, "number", value);
      if ((min != null && value < min) || (max != null && value > max) || ((min != null || max != null) && Number.isNaN(value))) {
        const range = `${min != null ? `>= ${min}` : ""}${min != null && max != null ? " && " : ""}${max != null ? `<= ${max}` : ""}`;
        throw errOutOfRange(name, range, value);
      }
    }
    function validateOffset(value, name, min = 0, max = kMaxLength) {
      if (typeof value !== "number") throw errInvalidArgType(name, "number", value);
      if (!Number.isInteger(value)) throw errOutOfRange(name, "an integer", value);
      if (value < min || value > max) throw errOutOfRange(name, `>= ${min} && <= ${max}`, value);
    }
    function validateInteger(value, name, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
      if (typeof value !== "number") throw errInvalidArgType(name, "number", value);
      if (!Number.isInteger(value)) throw errOutOfRange(name, "an integer", value);
      if (value < min || value > max) throw errOutOfRange(name, `>= ${min} && <= ${max}`, value);
    }

    // ---- Encodings ------------------------------------------------------------------------------
    // The canonical name of an encoding (any letter case), or undefined.
    function normalizeEncoding(encoding) {
      if (encoding === undefined || encoding === null) return "utf8";
      const name = `${encoding}`;
      switch (name.length > 9 ? "" : name.toLowerCase()) {
        case "utf8": case "utf-8": return "utf8";
        case "ucs2": case "ucs-2": case "utf16le": case "utf-16le": return "utf16le";
        case "latin1": case "binary": return "latin1";
        case "base64": return "base64";
        case "base64url": return "base64url";
        case "hex": return "hex";
        case "ascii": return "ascii";
        default: return undefined;
      }
    }
    // As normalizeEncoding, but undefined and null are not encodings (toString, write).
    const encodingOf = (encoding) => (encoding === undefined || encoding === null || encoding === "" ? undefined : normalizeEncoding(encoding));

    function utf8Length(str) {
      let length = str.length;
      for (let i = 0; i < str.length; i++) {
        const c = str.charCodeAt(i);
        if (c < 0x80) continue;
        if (c < 0x800) length += 1;
        else if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length && (str.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
          length += 2;
          i++;
        } else length += 2;
      }
      return length;
    }

    function base64Length(str) {
      let bytes = str.length;
      if (str.charCodeAt(bytes - 1) === 0x3d) bytes--;
      if (bytes > 1 && str.charCodeAt(bytes - 1) === 0x3d) bytes--;
      return (bytes * 3) >>> 2;
    }

    function byteLengthOf(str, encoding) {
      switch (encoding) {
        case "utf8": return utf8Length(str);
        case "utf16le": return str.length * 2;
        case "latin1": case "ascii": return str.length;
        case "hex": return str.length >>> 1;
        default: return base64Length(str);
      }
    }

    // Whole characters only; a lone surrogate becomes U+FFFD (EF BF BD).
    function utf8Write(target, str, offset, max) {
      let at = offset;
      const end = offset + max;
      for (let i = 0; i < str.length; i++) {
        let c = str.charCodeAt(i);
        if (c < 0x80) {
          if (at >= end) break;
          target[at++] = c;
          continue;
        }
        if (c < 0x800) {
          if (at + 2 > end) break;
          target[at++] = 0xc0 | (c >> 6);
          target[at++] = 0x80 | (c & 63);
          continue;
        }
        if (c >= 0xd800 && c <= 0xdfff) {
          const next = str.charCodeAt(i + 1);
          if (c <= 0xdbff && (next & 0xfc00) === 0xdc00) {
            if (at + 4 > end) break;
            c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
            i++;
            target[at++] = 0xf0 | (c >> 18);
            target[at++] = 0x80 | ((c >> 12) & 63);
            target[at++] = 0x80 | ((c >> 6) & 63);
            target[at++] = 0x80 | (c & 63);
            continue;
          }
          c = 0xfffd;
        }
        if (at + 3 > end) break;
        target[at++] = 0xe0 | (c >> 12);
        target[at++] = 0x80 | ((c >> 6) & 63);
        target[at++] = 0x80 | (c & 63);
      }
      return at - offset;
    }

    const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
    const hexValue = (c) => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1);
    // Pairs of hex digits, up to the first pair that is not one.
    function hexWrite(target, str, offset, max) {
      const pairs = Math.min(str.length >>> 1, max);
      let i = 0;
      for (; i < pairs; i++) {
        const hi = hexValue(str.charCodeAt(2 * i)), lo = hexValue(str.charCodeAt(2 * i + 1));
        if (hi < 0 || lo < 0) break;
        target[offset + i] = (hi << 4) | lo;
      }
      return i;
    }

    const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const B64_VALUE = new Int8Array(128).fill(-1);
    for (let i = 0; i < 64; i++) {
      B64_VALUE[B64.charCodeAt(i)] = i;
      B64_VALUE[B64URL.charCodeAt(i)] = i;
    }
    // Either alphabet; characters of neither are skipped, and the first '=' ends the data. As in
    // Node, only the low byte of each UTF-16 code unit is looked at.
    function base64Write(target, str, offset, max) {
      let at = offset;
      const end = offset + max;
      let bits = 0, count = 0;
      for (let i = 0; i < str.length && at < end; i++) {
        const c = str.charCodeAt(i) & 0xff;
        if (c === 0x3d) break;
        const v = c < 128 ? B64_VALUE[c] : -1;
        if (v < 0) continue;
        bits = (bits << 6) | v;
        count += 6;
        if (count >= 8) {
          count -= 8;
          target[at++] = (bits >> count) & 0xff;
          bits &= (1 << count) - 1;
        }
      }
      return at - offset;
    }

    function latin1Write(target, str, offset, max) {
      const n = Math.min(str.length, max);
      for (let i = 0; i < n; i++) target[offset + i] = str.charCodeAt(i);
      return n;
    }

    function ucs2Write(target, str, offset, max) {
      const n = Math.min(str.length, max >>> 1);
      for (let i = 0; i < n; i++) {
        const c = str.charCodeAt(i);
        target[offset + 2 * i] = c & 0xff;
        target[offset + 2 * i + 1] = c >>> 8;
      }
      return n * 2;
    }

    function writeString(target, str, encoding, offset, max) {
      switch (encoding) {
        case "utf8": return utf8Write(target, str, offset, max);
        case "utf16le": return ucs2Write(target, str, offset, max);
        case "latin1": case "ascii": return latin1Write(target, str, offset, max);
        case "hex": return hexWrite(target, str, offset, max);
        default: return base64Write(target, str, offset, max);
      }
    }

    // Up to 8192 code units at a time through String.fromCharCode.
    function codesToString(codes, length) {
      if (length <= 8192) return String.fromCharCode.apply(null, length === codes.length ? codes : codes.slice(0, length));
      let out = "";
      for (let i = 0; i < length; i += 8192) out += String.fromCharCode.apply(null, codes.slice(i, Math.min(i + 8192, length)));
      return out;
    }

    let fastUtf8Decoder;
    try {
      fastUtf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });
      if (fastUtf8Decoder.decode(new Uint8Array([0xef, 0xbb, 0xbf, 0xff])) !== "\ufeff\ufffd") fastUtf8Decoder = undefined;
    } catch {
      fastUtf8Decoder = undefined;
    }
    // Malformed sequences become U+FFFD, one for each maximal subpart (as the Encoding Standard,
    // V8 and Node decode).
    function utf8Slice(bytes, start, end) {
      if (end - start > 64 && fastUtf8Decoder !== undefined) return fastUtf8Decoder.decode(bytes.subarray(start, end));
      const codes = new Uint16Array(end - start);
      let n = 0, i = start;
      while (i < end) {
        const b = bytes[i];
        if (b < 0x80) {
          codes[n++] = b;
          i++;
          continue;
        }
        let need, cp, lower = 0x80, upper = 0xbf;
        if (b >= 0xc2 && b <= 0xdf) { need = 1; cp = b & 0x1f; }
        else if (b >= 0xe0 && b <= 0xef) {
          need = 2;
          cp = b & 0xf;
          if (b === 0xe0) lower = 0xa0;
          else if (b === 0xed) upper = 0x9f;
        } else if (b >= 0xf0 && b <= 0xf4) {
          need = 3;
          cp = b & 7;
          if (b === 0xf0) lower = 0x90;
          else if (b === 0xf4) upper = 0x8f;
        } else {
          codes[n++] = 0xfffd;
          i++;
          continue;
        }
        let j = i + 1, complete = true;
        for (let k = 0; k < need; k++, j++) {
          const c = j < end ? bytes[j] : -1;
          if (c < lower || c > upper) {
            complete = false;
            break;
          }
          lower = 0x80;
          upper = 0xbf;
          cp = (cp << 6) | (c & 0x3f);
        }
        i = j;
        if (!complete) codes[n++] = 0xfffd;
        else if (cp >= 0x10000) {
          codes[n++] = 0xd800 + ((cp - 0x10000) >> 10);
          codes[n++] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
        } else codes[n++] = cp;
      }
      return codesToString(codes, n);
    }

    function latin1Slice(bytes, start, end) {
      return codesToString(bytes.subarray(start, end), end - start);
    }
    function asciiSlice(bytes, start, end) {
      const codes = new Uint8Array(end - start);
      for (let i = start; i < end; i++) codes[i - start] = bytes[i] & 0x7f;
      return codesToString(codes, codes.length);
    }
    function ucs2Slice(bytes, start, end) {
      const units = (end - start) >>> 1;
      const codes = new Uint16Array(units);
      for (let i = 0; i < units; i++) codes[i] = bytes[start + 2 * i] | (bytes[start + 2 * i + 1] << 8);
      return codesToString(codes, units);
    }
    const HEX_CODES = new Uint16Array(256);
    for (let i = 0; i < 256; i++) HEX_CODES[i] = (HEX[i].charCodeAt(0) << 8) | HEX[i].charCodeAt(1);
    function hexSlice(bytes, start, end) {
      const codes = new Uint8Array(2 * (end - start));
      for (let i = start, j = 0; i < end; i++, j += 2) {
        const pair = HEX_CODES[bytes[i]];
        codes[j] = pair >> 8;
        codes[j + 1] = pair & 0xff;
      }
      return codesToString(codes, codes.length);
    }
    const B64_CODES = Uint8Array.from(B64, (ch) => ch.charCodeAt(0));
    const B64URL_CODES = Uint8Array.from(B64URL, (ch) => ch.charCodeAt(0));
    function base64Slice(bytes, start, end, url = false) {
      const alphabet = url ? B64URL_CODES : B64_CODES;
      const length = end - start, whole = length - (length % 3);
      const codes = new Uint8Array(url ? Math.ceil((length * 4) / 3) : Math.ceil(length / 3) * 4);
      let j = 0, i = start;
      for (; i < start + whole; i += 3) {
        const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
        codes[j++] = alphabet[n >> 18];
        codes[j++] = alphabet[(n >> 12) & 63];
        codes[j++] = alphabet[(n >> 6) & 63];
        codes[j++] = alphabet[n & 63];
      }
      if (end - i === 1) {
        const n = bytes[i] << 16;
        codes[j++] = alphabet[n >> 18];
        codes[j++] = alphabet[(n >> 12) & 63];
        if (!url) { codes[j++] = 0x3d; codes[j++] = 0x3d; }
      } else if (end - i === 2) {
        const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
        codes[j++] = alphabet[n >> 18];
        codes[j++] = alphabet[(n >> 12) & 63];
        codes[j++] = alphabet[(n >> 6) & 63];
        if (!url) codes[j++] = 0x3d;
      }
      return codesToString(codes, j);
    }

    function sliceString(bytes, encoding, start, end) {
      switch (encoding) {
        case "utf8": return utf8Slice(bytes, start, end);
        case "utf16le": return ucs2Slice(bytes, start, end);
        case "latin1": return latin1Slice(bytes, start, end);
        case "ascii": return asciiSlice(bytes, start, end);
        case "hex": return hexSlice(bytes, start, end);
        case "base64": return base64Slice(bytes, start, end);
        default: return base64Slice(bytes, start, end, true);
      }
    }

    // ---- Buffer ---------------------------------------------------------------------------------
    class FastBuffer extends Uint8Array {
      // eslint-disable-next-line no-useless-constructor
      constructor(bufferOrLength, byteOffset, length) {
        super(bufferOrLength, byteOffset, length);
      }
    }

    // Deprecated in Node (DEP0005) but still everywhere: Buffer(size) is Buffer.alloc(size), any
    // other argument Buffer.from(...). It warns in Node; here it does not.
    function Buffer(arg, encodingOrOffset, length) {
      if (typeof arg === "number") {
        if (typeof encodingOrOffset === "string") throw errInvalidArgType("string", "string", arg);
        return Buffer.alloc(arg);
      }
      return Buffer.from(arg, encodingOrOffset, length);
    }
    Object.defineProperty(Buffer, "prototype", { value: FastBuffer.prototype, writable: false, enumerable: false, configurable: false });
    Object.defineProperty(FastBuffer.prototype, "constructor", { value: Buffer, writable: true, enumerable: false, configurable: true });
    Object.setPrototypeOf(Buffer, Uint8Array);
    const proto = Buffer.prototype;

    function fromString(string, encoding) {
      let name;
      if (typeof encoding !== "string" || encoding.length === 0) {
        if (string.length === 0) return new FastBuffer();
        name = "utf8";
      } else {
        name = normalizeEncoding(encoding);
        if (name === undefined) throw errUnknownEncoding(encoding);
        if (string.length === 0) return new FastBuffer();
      }
      if (name === "utf8" && string.length > 64 && TextEncoder !== undefined) {
        const bytes = new TextEncoder().encode(string);
        return new FastBuffer(bytes.buffer, bytes.byteOffset, bytes.length);
      }
      const length = byteLengthOf(string, name);
      const buf = new FastBuffer(length);
      const actual = writeString(buf, string, name, 0, length);
      return actual === length ? buf : new FastBuffer(buf.buffer, 0, actual);
    }

    function fromArrayBuffer(arrayBuffer, byteOffset, length) {
      if (byteOffset === undefined) byteOffset = 0;
      else {
        byteOffset = +byteOffset;
        if (Number.isNaN(byteOffset)) byteOffset = 0;
      }
      const maxLength = arrayBuffer.byteLength - byteOffset;
      if (maxLength < 0) throw errBufferOutOfBounds("offset");
      if (length === undefined) length = maxLength;
      else {
        length = +length;
        if (length > 0) {
          if (length > maxLength) throw errBufferOutOfBounds("length");
        } else length = 0;
      }
      return new FastBuffer(arrayBuffer, byteOffset, length);
    }

    function fromArrayLike(object) {
      if (object.length <= 0) return new FastBuffer();
      const buf = new FastBuffer(object.length);
      Uint8Array.prototype.set.call(buf, object, 0);
      return buf;
    }

    function fromObject(object) {
      if (object.length !== undefined || isAnyArrayBuffer(object.buffer)) {
        if (typeof object.length !== "number") return new FastBuffer();
        return fromArrayLike(object);
      }
      if (object.type === "Buffer" && Array.isArray(object.data)) return fromArrayLike(object.data);
      return undefined;
    }

    Buffer.from = function from(value, encodingOrOffset, length) {
      if (typeof value === "string") return fromString(value, encodingOrOffset);
      if (typeof value === "object" && value !== null) {
        if (isAnyArrayBuffer(value)) return fromArrayBuffer(value, encodingOrOffset, length);
        const primitive = value.valueOf && value.valueOf();
        if (primitive != null && primitive !== value && (typeof primitive === "string" || typeof primitive === "object")) {
          return from(primitive, encodingOrOffset, length);
        }
        const buf = fromObject(value);
        if (buf) return buf;
        if (typeof value[Symbol.toPrimitive] === "function") {
          const text = value[Symbol.toPrimitive]("string");
          if (typeof text === "string") return fromString(text, encodingOrOffset);
        }
      }
      throw errInvalidArgType("first argument", ["string", "Buffer", "ArrayBuffer", "Array", "Array-like Object"], value);
    };

    Buffer.copyBytesFrom = function copyBytesFrom(view, offset, length) {
      if (!isTypedArray(view)) throw errInvalidArgType("view", ["TypedArray"], view);
      const viewLength = view.length;
      if (viewLength === 0) return Buffer.alloc(0);
      if (offset !== undefined || length !== undefined) {
        if (offset !== undefined) {
          validateInteger(offset, "offset", 0);
          if (offset >= viewLength) return Buffer.alloc(0);
        } else offset = 0;
        let end;
        if (length !== undefined) {
          validateInteger(length, "length", 0);
          end = offset + length;
        } else end = viewLength;
        view = view.slice(offset, end);
      }
      return fromArrayLike(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
    };

    Buffer.of = function of(...items) {
      const buf = new FastBuffer(items.length);
      for (let i = 0; i < items.length; i++) buf[i] = items[i];
      return buf;
    };

    Buffer.alloc = function alloc(size, fill, encoding) {
      validateNumber(size, "size", 0, kMaxLength);
      if (fill !== undefined && fill !== 0 && size > 0) {
        const buf = new FastBuffer(size);
        return fillBuffer(buf, fill, 0, buf.length, encoding);
      }
      return new FastBuffer(size);
    };
    Buffer.allocUnsafe = function allocUnsafe(size) {
      validateNumber(size, "size", 0, kMaxLength);
      return new FastBuffer(size);
    };
    Buffer.allocUnsafeSlow = function allocUnsafeSlow(size) {
      validateNumber(size, "size", 0, kMaxLength);
      return new FastBuffer(size);
    };

    Buffer.isBuffer = function isBuffer(b) {
      return b instanceof Buffer;
    };

    function compareBytes(a, aStart, aEnd, b, bStart, bEnd) {
      const n = Math.min(aEnd - aStart, bEnd - bStart);
      for (let i = 0; i < n; i++) {
        const x = a[aStart + i], y = b[bStart + i];
        if (x !== y) return x < y ? -1 : 1;
      }
      const la = aEnd - aStart, lb = bEnd - bStart;
      return la > lb ? 1 : la < lb ? -1 : 0;
    }

    Buffer.compare = function compare(buf1, buf2) {
      if (!isUint8Array(buf1)) throw errInvalidArgType("buf1", ["Buffer", "Uint8Array"], buf1);
      if (!isUint8Array(buf2)) throw errInvalidArgType("buf2", ["Buffer", "Uint8Array"], buf2);
      if (buf1 === buf2) return 0;
      return compareBytes(buf1, 0, buf1.length, buf2, 0, buf2.length);
    };

    Buffer.isEncoding = function isEncoding(encoding) {
      return typeof encoding === "string" && encoding.length !== 0 && normalizeEncoding(encoding) !== undefined;
    };

    Buffer.byteLength = function byteLength(string, encoding) {
      if (typeof string !== "string") {
        if (ArrayBuffer.isView(string) || isAnyArrayBuffer(string)) return string.byteLength;
        throw errInvalidArgType("string", ["string", "Buffer", "ArrayBuffer"], string);
      }
      if (string.length === 0) return 0;
      const name = encoding ? normalizeEncoding(encoding) : "utf8";
      return byteLengthOf(string, name === undefined ? "utf8" : name);
    };

    Buffer.concat = function concat(list, length) {
      if (!Array.isArray(list)) throw errInvalidArgType("list", "Array", list);
      if (list.length === 0) return new FastBuffer();
      if (length === undefined) {
        length = 0;
        for (let i = 0; i < list.length; i++) if (list[i].length) length += list[i].length;
      } else validateOffset(length, "length");
      const buf = new FastBuffer(length);
      let pos = 0;
      for (let i = 0; i < list.length; i++) {
        const item = list[i];
        if (!isUint8Array(item)) throw errInvalidArgType(`list[${i}]`, ["Buffer", "Uint8Array"], item);
        pos += copyActual(item, buf, pos, 0, item.length);
      }
      return buf;
    };

    Buffer.poolSize = 8 * 1024;

    // ---- fill -----------------------------------------------------------------------------------
    function fillBuffer(buf, value, offset, end, encoding) {
      let name;
      if (typeof value === "string") {
        if (offset === undefined || typeof offset === "string") {
          encoding = offset;
          offset = 0;
          end = buf.length;
        } else if (typeof end === "string") {
          encoding = end;
          end = buf.length;
        }
        name = normalizeEncoding(encoding);
        if (name === undefined) {
          if (typeof encoding !== "string") throw errInvalidArgType("encoding", "string", encoding);
          throw errUnknownEncoding(encoding);
        }
        if (value.length === 0) value = 0;
        else if (value.length === 1) {
          if (name === "utf8") {
            const code = value.charCodeAt(0);
            if (code < 128) value = code;
          } else if (name === "latin1") value = value.charCodeAt(0);
        }
      }
      if (offset === undefined) {
        offset = 0;
        end = buf.length;
      } else {
        validateOffset(offset, "offset");
        if (end === undefined) end = buf.length;
        else validateOffset(end, "end", 0, buf.length);
        if (offset >= end) return buf;
      }
      if (typeof value === "number") {
        Uint8Array.prototype.fill.call(buf, value, offset, end);
        return buf;
      }
      let pattern;
      if (typeof value === "string") {
        const full = new FastBuffer(byteLengthOf(value, name));
        pattern = full.subarray(0, writeString(full, value, name, 0, full.length));
      } else if (ArrayBuffer.isView(value)) {
        pattern = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      } else {
        Uint8Array.prototype.fill.call(buf, (Number(value) >>> 0) & 255, offset, end);
        return buf;
      }
      if (pattern.length === 0) throw errInvalidArgValue("value", value);
      const span = end - offset;
      if (pattern.length >= span) {
        buf.set(pattern.subarray(0, span), offset);
        return buf;
      }
      pattern = pattern.slice(); // the source may overlap the target
      let filled = pattern.length;
      buf.set(pattern, offset);
      while (filled < span) {
        const n = Math.min(filled, span - filled);
        buf.copyWithin(offset + filled, offset, offset + n);
        filled += n;
      }
      return buf;
    }

    proto.fill = function fill(value, offset, end, encoding) {
      return fillBuffer(this, value, offset, end, encoding);
    };

    // ---- strings in and out ------------------------------------------------------------------------
    proto.toString = function toString(encoding, start, end) {
      if (arguments.length === 0) return utf8Slice(this, 0, this.length);
      const length = this.length;
      if (start <= 0) start = 0;
      else if (start >= length) return "";
      else start = Math.trunc(start) || 0;
      if (end === undefined || end > length) end = length;
      else end = Math.trunc(end) || 0;
      if (end <= start) return "";
      if (encoding === undefined) return utf8Slice(this, start, end);
      const name = normalizeEncoding(encoding);
      if (name === undefined || encoding === null || encoding === "") throw errUnknownEncoding(encoding);
      return sliceString(this, name, start, end);
    };
    proto.toLocaleString = proto.toString;

    const requireString = (string) => {
      if (typeof string !== "string") {
        const error = new TypeError("argument must be a string");
        error.code = "ERR_INVALID_ARG_TYPE";
        throw error;
      }
    };

    proto.write = function write(string, offset, length, encoding) {
      if (offset === undefined) {
        requireString(string);
        return utf8Write(this, string, 0, this.length);
      }
      if (length === undefined && typeof offset === "string") {
        encoding = offset;
        length = this.length;
        offset = 0;
      } else {
        validateOffset(offset, "offset", 0, this.length);
        const remaining = this.length - offset;
        if (length === undefined) length = remaining;
        else if (typeof length === "string") {
          encoding = length;
          length = remaining;
        } else {
          validateOffset(length, "length", 0, this.length);
          if (length > remaining) length = remaining;
        }
      }
      let name = "utf8";
      if (encoding) {
        name = normalizeEncoding(encoding);
        if (name === undefined) throw errUnknownEncoding(encoding);
      }
      requireString(string);
      return writeString(this, string, name, offset, length);
    };

    proto.toJSON = function toJSON() {
      return { type: "Buffer", data: Array.from(this) };
    };

    // The per-encoding slice and write methods Node's Buffer also has (undocumented, but some
    // libraries call them): start/end and offset/length are clamped to the buffer.
    const clampIndex = (value, fallback, length) => {
      if (value === undefined) return fallback;
      const n = Math.trunc(+value) || 0;
      return n < 0 ? 0 : n > length ? length : n;
    };
    for (const [prefix, name] of [["utf8", "utf8"], ["ucs2", "utf16le"], ["latin1", "latin1"], ["ascii", "ascii"],
      ["hex", "hex"], ["base64", "base64"], ["base64url", "base64url"]]) {
      proto[`${prefix}Slice`] = function (start, end) {
        const s = clampIndex(start, 0, this.length);
        const e = clampIndex(end, this.length, this.length);
        return e <= s ? "" : sliceString(this, name, s, e);
      };
      proto[`${prefix}Write`] = function (string, offset, length) {
        requireString(string);
        const at = clampIndex(offset, 0, this.length);
        const max = clampIndex(length, this.length - at, this.length - at);
        return writeString(this, string, name, at, max);
      };
    }

    // ---- comparing, searching, copying, slicing ---------------------------------------------------
    proto.equals = function equals(otherBuffer) {
      if (!isUint8Array(otherBuffer)) throw errInvalidArgType("otherBuffer", ["Buffer", "Uint8Array"], otherBuffer);
      if (this === otherBuffer) return true;
      if (this.byteLength !== otherBuffer.byteLength) return false;
      return compareBytes(this, 0, this.length, otherBuffer, 0, otherBuffer.length) === 0;
    };

    proto.compare = function compare(target, targetStart, targetEnd, sourceStart, sourceEnd) {
      if (!isUint8Array(target)) throw errInvalidArgType("target", ["Buffer", "Uint8Array"], target);
      if (arguments.length === 1) return compareBytes(this, 0, this.length, target, 0, target.length);
      if (targetStart === undefined) targetStart = 0;
      else validateOffset(targetStart, "targetStart");
      if (targetEnd === undefined) targetEnd = target.length;
      else validateOffset(targetEnd, "targetEnd", 0, target.length);
      if (sourceStart === undefined) sourceStart = 0;
      else validateOffset(sourceStart, "sourceStart");
      if (sourceEnd === undefined) sourceEnd = this.length;
      else validateOffset(sourceEnd, "sourceEnd", 0, this.length);
      if (sourceStart >= sourceEnd) return targetStart >= targetEnd ? 0 : -1;
      if (targetStart >= targetEnd) return 1;
      if (sourceStart > this.length) throw errOutOfRange("sourceStart", `>= 0 && <= ${this.length}`, sourceStart);
      if (targetStart > target.length) throw errOutOfRange("targetStart", `>= 0 && <= ${target.length}`, targetStart);
      const n = Math.min(sourceEnd - sourceStart, targetEnd - targetStart, this.length - sourceStart);
      const head = compareBytes(this, sourceStart, sourceStart + n, target, targetStart, targetStart + n);
      if (head !== 0) return head;
      const a = sourceEnd - sourceStart, b = targetEnd - targetStart;
      return a > b ? 1 : a < b ? -1 : 0;
    };

    // Where a search starts, given the byte offset asked for (negative counts from the end).
    function searchStart(length, offset, needleLength, forward) {
      if (offset < 0) {
        if (offset + length >= 0) return length + offset;
        return forward || needleLength === 0 ? 0 : -1;
      }
      if (offset + needleLength <= length) return offset;
      if (needleLength === 0) return length;
      return forward ? -1 : length - 1;
    }

    function searchBytes(haystack, needle, offset, forward, wide) {
      const hl = haystack.length, nl = needle.length;
      const start = searchStart(hl, offset, nl, forward);
      if (nl === 0) return start;
      if (hl === 0 || start <= -1) return -1;
      if ((forward && nl + start > hl) || nl > hl) return -1;
      const step = wide ? 2 : 1;
      if (wide && (hl < 2 || nl < 2)) return -1;
      const units = wide ? nl >>> 1 : nl, last = wide ? ((hl >>> 1) - units) * 2 : hl - nl;
      const matches = (at) => {
        for (let k = 0; k < units * step; k++) if (haystack[at + k] !== needle[k]) return false;
        return true;
      };
      if (forward) {
        for (let at = wide ? start & ~1 : start; at <= last; at += step) if (matches(at)) return at;
      } else {
        for (let at = Math.min(wide ? start & ~1 : start, last); at >= 0; at -= step) if (matches(at)) return at;
      }
      return -1;
    }

    function bidirectionalIndexOf(buffer, value, byteOffset, encoding, forward) {
      if (typeof byteOffset === "string") {
        encoding = byteOffset;
        byteOffset = undefined;
      } else if (byteOffset > 0x7fffffff) byteOffset = 0x7fffffff;
      else if (byteOffset < -0x80000000) byteOffset = -0x80000000;
      byteOffset = +byteOffset;
      if (Number.isNaN(byteOffset)) byteOffset = forward ? 0 : buffer.length || buffer.byteLength;
      byteOffset = Math.trunc(byteOffset) + 0;
      if (typeof value === "number") {
        const byte = (value >>> 0) & 0xff, length = buffer.length;
        const start = searchStart(length, byteOffset, 1, forward);
        if (start <= -1 || length === 0) return -1;
        if (forward) {
          for (let i = start; i < length; i++) if (buffer[i] === byte) return i;
        } else {
          for (let i = start; i >= 0; i--) if (buffer[i] === byte) return i;
        }
        return -1;
      }
      let name = "utf8";
      if (encoding !== undefined) {
        name = normalizeEncoding(encoding);
        if (name === undefined || encoding === null || encoding === "") name = undefined;
      }
      if (typeof value === "string") {
        if (name === undefined) throw errUnknownEncoding(encoding);
        const needle = new FastBuffer(byteLengthOf(value, name));
        const written = writeString(needle, value, name, 0, needle.length);
        // UTF-16 text is looked for in whole code units of the haystack.
        const haystack = name === "utf16le" ? buffer.subarray(0, buffer.length & ~1) : buffer;
        return searchBytes(haystack, needle.subarray(0, written), byteOffset, forward, name === "utf16le");
      }
      if (isUint8Array(value)) return searchBytes(buffer, value, byteOffset, forward, name === "utf16le");
      throw errInvalidArgType("value", ["number", "string", "Buffer", "Uint8Array"], value);
    }

    proto.indexOf = function indexOf(value, byteOffset, encoding) {
      return bidirectionalIndexOf(this, value, byteOffset, encoding, true);
    };
    proto.lastIndexOf = function lastIndexOf(value, byteOffset, encoding) {
      return bidirectionalIndexOf(this, value, byteOffset, encoding, false);
    };
    proto.includes = function includes(value, byteOffset, encoding) {
      return this.indexOf(value, byteOffset, encoding) !== -1;
    };

    const toInteger = (n, fallback) => {
      n = +n;
      if (!Number.isNaN(n) && n >= Number.MIN_SAFE_INTEGER && n <= Number.MAX_SAFE_INTEGER) return n % 1 === 0 ? n : Math.floor(n);
      return fallback;
    };

    function copyActual(source, target, targetStart, sourceStart, sourceEnd) {
      if (sourceEnd - sourceStart > target.length - targetStart) sourceEnd = sourceStart + target.length - targetStart;
      let n = sourceEnd - sourceStart;
      const available = source.length - sourceStart;
      if (n > available) n = available;
      if (n <= 0) return 0;
      Uint8Array.prototype.set.call(target, Uint8Array.prototype.subarray.call(source, sourceStart, sourceStart + n), targetStart);
      return n;
    }

    proto.copy = function copy(target, targetStart, sourceStart, sourceEnd) {
      if (!isUint8Array(this)) throw errInvalidArgType("source", ["Buffer", "Uint8Array"], this);
      if (!isUint8Array(target)) throw errInvalidArgType("target", ["Buffer", "Uint8Array"], target);
      if (targetStart === undefined) targetStart = 0;
      else {
        targetStart = toInteger(targetStart, 0);
        if (targetStart < 0) throw errOutOfRange("targetStart", ">= 0", targetStart);
      }
      if (sourceStart === undefined) sourceStart = 0;
      else {
        sourceStart = toInteger(sourceStart, 0);
        if (sourceStart < 0 || sourceStart > this.length) throw errOutOfRange("sourceStart", `>= 0 && <= ${this.length}`, sourceStart);
      }
      if (sourceEnd === undefined) sourceEnd = this.length;
      else {
        sourceEnd = toInteger(sourceEnd, 0);
        if (sourceEnd < 0) throw errOutOfRange("sourceEnd", ">= 0", sourceEnd);
      }
      if (targetStart >= target.length || sourceStart >= sourceEnd) return 0;
      return copyActual(this, target, targetStart, sourceStart, sourceEnd);
    };

    const adjustOffset = (offset, length) => {
      offset = Math.trunc(offset);
      if (offset === 0 || Number.isNaN(offset)) return 0;
      if (offset < 0) {
        offset += length;
        return offset > 0 ? offset : 0;
      }
      return offset < length ? offset : length;
    };
    // Both share the memory, as Uint8Array's subarray does.
    proto.subarray = function subarray(start, end) {
      const length = this.length;
      start = adjustOffset(start, length);
      end = end !== undefined ? adjustOffset(end, length) : length;
      return new FastBuffer(this.buffer, this.byteOffset + start, end > start ? end - start : 0);
    };
    proto.slice = function slice(start, end) {
      return this.subarray(start, end);
    };

    function swap(buf, size) {
      if (buf.length % size !== 0) {
        throw nodeError(RangeError, "ERR_INVALID_BUFFER_SIZE", `Buffer size must be a multiple of ${size * 8}-bits`);
      }
      for (let i = 0; i < buf.length; i += size) {
        for (let a = i, b = i + size - 1; a < b; a++, b--) {
          const t = buf[a];
          buf[a] = buf[b];
          buf[b] = t;
        }
      }
      return buf;
    }
    proto.swap16 = function swap16() { return swap(this, 2); };
    proto.swap32 = function swap32() { return swap(this, 4); };
    proto.swap64 = function swap64() { return swap(this, 8); };

    // ---- numbers in and out -----------------------------------------------------------------------
    function boundsError(value, length, type) {
      if (Math.floor(value) !== value) {
        if (typeof value !== "number") throw errInvalidArgType(type || "offset", "number", value);
        throw errOutOfRange(type || "offset", "an integer", value);
      }
      if (length < 0) throw errBufferOutOfBounds();
      throw errOutOfRange(type || "offset", `>= ${type ? 1 : 0} and <= ${length}`, value);
    }
    const validateOffsetType = (offset) => {
      if (typeof offset !== "number") throw errInvalidArgType("offset", "number", offset);
    };
    function checkRead(buf, offset, size) {
      validateOffsetType(offset);
      if (buf[offset] === undefined || buf[offset + size - 1] === undefined) boundsError(offset, buf.length - size);
    }
    function checkValue(value, min, max, size) {
      if (value > max || value < min) {
        const n = typeof min === "bigint" ? "n" : "";
        let range;
        if (size > 4) {
          const bits = size * 8;
          range = min === 0 || min === 0n ? `>= 0${n} and < 2${n} ** ${bits}${n}` : `>= -(2${n} ** ${bits - 1}${n}) and < 2${n} ** ${bits - 1}${n}`;
        } else range = `>= ${min}${n} and <= ${max}${n}`;
        throw errOutOfRange("value", range, value);
      }
    }

    const readUnsigned = (buf, offset, size, little) => {
      if (size === 2) return little ? buf[offset] | (buf[offset + 1] << 8) : (buf[offset] << 8) | buf[offset + 1];
      if (size === 4) {
        return little
          ? (buf[offset] | (buf[offset + 1] << 8) | (buf[offset + 2] << 16)) + buf[offset + 3] * 0x1000000
          : buf[offset] * 0x1000000 + ((buf[offset + 1] << 16) | (buf[offset + 2] << 8) | buf[offset + 3]);
      }
      let value = 0;
      for (let i = 0; i < size; i++) value += buf[offset + (little ? i : size - 1 - i)] * 2 ** (8 * i);
      return value;
    };
    const float32 = new Float32Array(1), float32Bytes = new Uint8Array(float32.buffer);
    const float64 = new Float64Array(1), float64Bytes = new Uint8Array(float64.buffer);
    const hostLittle = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

    function defineReader(name, size, read) {
      proto[name] = function (offset = 0) {
        checkRead(this, offset, size);
        return read(this, offset);
      };
    }
    const signed = (value, size) => (value >= 2 ** (8 * size - 1) ? value - 2 ** (8 * size) : value);
    for (const [suffix, little] of [["LE", true], ["BE", false]]) {
      for (const size of [2, 4]) {
        defineReader(`readUInt${size * 8}${suffix}`, size, (buf, at) => readUnsigned(buf, at, size, little));
        defineReader(`readInt${size * 8}${suffix}`, size, (buf, at) => signed(readUnsigned(buf, at, size, little), size));
      }
      defineReader(`readFloat${suffix}`, 4, (buf, at) => {
        for (let i = 0; i < 4; i++) float32Bytes[little === hostLittle ? i : 3 - i] = buf[at + i];
        return float32[0];
      });
      defineReader(`readDouble${suffix}`, 8, (buf, at) => {
        for (let i = 0; i < 8; i++) float64Bytes[little === hostLittle ? i : 7 - i] = buf[at + i];
        return float64[0];
      });
      defineReader(`readBigUInt64${suffix}`, 8, (buf, at) => {
        const lo = readUnsigned(buf, little ? at : at + 4, 4, little), hi = readUnsigned(buf, little ? at + 4 : at, 4, little);
        return (BigInt(hi) << 32n) | BigInt(lo);
      });
      defineReader(`readBigInt64${suffix}`, 8, (buf, at) => BigInt.asIntN(64, proto[`readBigUInt64${suffix}`].call(buf, at)));

      for (const [kind, isSigned] of [["UInt", false], ["Int", true]]) {
        proto[`read${kind}${suffix}`] = function (offset, byteLength) {
          if (offset === undefined) throw errInvalidArgType("offset", "number", offset);
          if (byteLength >= 1 && byteLength <= 6 && Number.isInteger(byteLength)) {
            checkRead(this, offset, byteLength);
            const value = readUnsigned(this, offset, byteLength, little);
            return isSigned ? signed(value, byteLength) : value;
          }
          return boundsError(byteLength, 6, "byteLength");
        };
      }
    }
    defineReader("readUInt8", 1, (buf, at) => buf[at]);
    defineReader("readInt8", 1, (buf, at) => signed(buf[at], 1));

    const checkWrite = (buf, offset, size) => {
      validateOffsetType(offset);
      if (buf[offset] === undefined || buf[offset + size - 1] === undefined) boundsError(offset, buf.length - size);
    };
    // Bytes of an integer (or any number, which the Uint8Array stores modulo 256), low first.
    function writeInteger(buf, value, offset, size, little) {
      if (size === 2 || size === 4) {
        const step = little ? 1 : -1;
        let at = little ? offset : offset + size - 1;
        buf[at] = value;
        buf[(at += step)] = value >>> 8;
        if (size === 4) {
          buf[(at += step)] = value >>> 16;
          buf[(at += step)] = value >>> 24;
        }
        return offset + size;
      }
      const high = Math.floor(value * 2 ** -32);
      for (let i = 0; i < size; i++) {
        const byte = i < 4 ? value >>> (8 * i) : high >>> (8 * (i - 4));
        buf[little ? offset + i : offset + size - 1 - i] = i === 0 ? value : byte;
      }
      return offset + size;
    }
    function writeSized(buf, value, offset, size, little, min, max) {
      value = +value;
      if (size === 1) {
        validateOffsetType(offset);
        checkValue(value, min, max, size);
        if (buf[offset] === undefined) boundsError(offset, buf.length - 1);
        buf[offset] = value;
        return offset + 1;
      }
      checkValue(value, min, max, size);
      checkWrite(buf, offset, size);
      return writeInteger(buf, value, offset, size, little);
    }
    const unsignedMax = (size) => 2 ** (8 * size) - 1;
    const signedMin = (size) => -(2 ** (8 * size - 1));
    const signedMax = (size) => 2 ** (8 * size - 1) - 1;
    proto.writeUInt8 = function (value, offset = 0) { return writeSized(this, value, offset, 1, true, 0, 255); };
    proto.writeInt8 = function (value, offset = 0) { return writeSized(this, value, offset, 1, true, -128, 127); };
    for (const [suffix, little] of [["LE", true], ["BE", false]]) {
      for (const size of [2, 4]) {
        proto[`writeUInt${size * 8}${suffix}`] = function (value, offset = 0) {
          return writeSized(this, value, offset, size, little, 0, unsignedMax(size));
        };
        proto[`writeInt${size * 8}${suffix}`] = function (value, offset = 0) {
          return writeSized(this, value, offset, size, little, signedMin(size), signedMax(size));
        };
      }
      for (const [kind, isSigned] of [["UInt", false], ["Int", true]]) {
        proto[`write${kind}${suffix}`] = function (value, offset, byteLength) {
          if (byteLength >= 1 && byteLength <= 6 && Number.isInteger(byteLength)) {
            return writeSized(this, value, offset, byteLength, little,
              isSigned ? signedMin(byteLength) : 0, isSigned ? signedMax(byteLength) : unsignedMax(byteLength));
          }
          return boundsError(byteLength, 6, "byteLength");
        };
      }
      proto[`writeFloat${suffix}`] = function (value, offset = 0) {
        value = +value;
        checkWrite(this, offset, 4);
        float32[0] = value;
        for (let i = 0; i < 4; i++) this[offset + i] = float32Bytes[little === hostLittle ? i : 3 - i];
        return offset + 4;
      };
      proto[`writeDouble${suffix}`] = function (value, offset = 0) {
        value = +value;
        checkWrite(this, offset, 8);
        float64[0] = value;
        for (let i = 0; i < 8; i++) this[offset + i] = float64Bytes[little === hostLittle ? i : 7 - i];
        return offset + 8;
      };
      for (const [kind, min, max] of [["BigUInt64", 0n, 2n ** 64n - 1n], ["BigInt64", -(2n ** 63n), 2n ** 63n - 1n]]) {
        proto[`write${kind}${suffix}`] = function (value, offset = 0) {
          checkValue(value, min, max, 8);
          checkWrite(this, offset, 8);
          const lo = Number(value & 0xffffffffn), hi = Number((value >> 32n) & 0xffffffffn);
          writeInteger(this, lo, little ? offset : offset + 4, 4, little);
          writeInteger(this, hi, little ? offset + 4 : offset, 4, little);
          return offset + 8;
        };
      }
    }
    // Node's lowercase spellings of the same methods.
    for (const name of Object.keys(proto)) {
      if (/^(read|write)(Big)?UInt/.test(name)) proto[name.replace("UInt", "Uint")] = proto[name];
    }

    // ---- inspection and the deprecated properties --------------------------------------------------
    const customInspect = Symbol.for("nodejs.util.inspect.custom");
    proto[customInspect] = function (recurseTimes, ctx) {
      const shown = Math.min(INSPECT_MAX_BYTES, this.length);
      let text = hexSlice(this, 0, shown).replace(/(.{2})(?!$)/g, "$1 ");
      const remaining = this.length - INSPECT_MAX_BYTES;
      if (remaining > 0) text += ` ... ${remaining} more byte${remaining > 1 ? "s" : ""}`;
      if (ctx) {
        const keys = (ctx.showHidden ? Object.getOwnPropertyNames(this) : Object.keys(this))
          .filter((key) => !/^(0|[1-9][0-9]*)$/.test(key));
        const extras = keys.map((key) => `${/^[a-zA-Z_][a-zA-Z_0-9]*$/.test(key) ? key : inspect(key)}: ${inspect(this[key], { ...ctx, breakLength: Infinity, compact: true })}`);
        if (extras.length > 0) text += `${this.length !== 0 ? ", " : ""}${extras.join(", ")}`;
      }
      return `<${this.constructor.name} ${text}>`;
    };
    proto.inspect = proto[customInspect];
    Object.defineProperty(proto, "parent", {
      enumerable: true, configurable: true,
      get() { return this instanceof Buffer ? this.buffer : undefined; },
    });
    Object.defineProperty(proto, "offset", {
      enumerable: true, configurable: true,
      get() { return this instanceof Buffer ? this.byteOffset : undefined; },
    });

    // Deprecated: an unpooled Buffer (this one's prototype is Uint8Array's, as in Node).
    function SlowBuffer(size) {
      validateNumber(size, "size", 0, kMaxLength);
      return new FastBuffer(size);
    }
    Object.setPrototypeOf(SlowBuffer.prototype, Uint8Array.prototype);
    Object.setPrototypeOf(SlowBuffer, Uint8Array);

    function isUtf8(input) {
      const bytes = viewBytes(input);
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(bytes);
        return true;
      } catch {
        return false;
      }
    }
    function isAscii(input) {
      const bytes = viewBytes(input);
      for (let i = 0; i < bytes.length; i++) if (bytes[i] > 0x7f) return false;
      return true;
    }
    function viewBytes(input) {
      if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
      if (isAnyArrayBuffer(input)) return new Uint8Array(input);
      throw errInvalidArgType("input", ["ArrayBuffer", "Buffer", "TypedArray"], input);
    }

    const exports = {
      Buffer, SlowBuffer, isUtf8, isAscii, kMaxLength, kStringMaxLength, btoa, atob,
      constants: { MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: kStringMaxLength }, INSPECT_MAX_BYTES,
    };
    if (Blob !== undefined) exports.Blob = Blob;
    if (File !== undefined) exports.File = File;
    return exports;
  });
})(Deno.core, globalThis.__v8ctxInternals);
