// Node's `string_decoder` module: StringDecoder turns chunks of bytes into text without breaking
// characters split across chunks. It holds back what Node holds back: the start of a UTF-8
// sequence cut at the end of a chunk, an odd byte or a high surrogate in UTF-16, and the bytes
// after the last whole group of three in base64; ascii, latin1 and hex never hold anything.
((core, internals) => {
  "use strict";
  internals.builtins.set("string_decoder", (require) => {
    const { nodeError, errInvalidArgType } = internals.nodeShared;
    const { Buffer } = require("buffer");

    function normalizeEncoding(encoding) {
      if (encoding === undefined || encoding === null || encoding === "") return "utf8";
      switch (`${encoding}`.toLowerCase()) {
        case "utf8": case "utf-8": return "utf8";
        case "ucs2": case "ucs-2": case "utf16le": case "utf-16le": return "utf16le";
        case "latin1": case "binary": return "latin1";
        case "base64": return "base64";
        case "base64url": return "base64url";
        case "hex": return "hex";
        case "ascii": return "ascii";
        default: throw nodeError(TypeError, "ERR_UNKNOWN_ENCODING", `Unknown encoding: ${encoding}`);
      }
    }

    const kState = Symbol("kState");
    const decode = (bytes, start, end, encoding) =>
      Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString(encoding);

    class StringDecoder {
      constructor(encoding) {
        this.encoding = normalizeEncoding(encoding);
        // pending: the incomplete character's bytes so far; missing: how many more it needs.
        this[kState] = { pending: Buffer.alloc(4), buffered: 0, missing: 0 };
      }

      write(buf) {
        if (typeof buf === "string") return buf;
        if (!ArrayBuffer.isView(buf)) throw errInvalidArgType("buf", ["Buffer", "TypedArray", "DataView"], buf);
        const state = this[kState];
        if (state === undefined) throw nodeError(TypeError, "ERR_INVALID_THIS", 'Value of "this" must be of type StringDecoder');
        const data = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
        const encoding = this.encoding;
        const n = data.length;
        if (encoding === "ascii" || encoding === "latin1" || encoding === "hex") return decode(data, 0, n, encoding);

        let prepend = "", pos = 0;
        if (state.missing > 0) {
          // Finish the character the last chunk ended in. In UTF-8, a byte that cannot continue
          // it ends it early (it becomes U+FFFD) and starts the rest of the text.
          if (encoding === "utf8") {
            for (let i = 0; i < n && i < state.missing; i++) {
              if ((data[i] & 0xc0) !== 0x80) {
                state.missing = 0;
                state.pending.set(data.subarray(0, i), state.buffered);
                state.buffered += i;
                pos = i;
                break;
              }
            }
          }
          const found = Math.min(n - pos, state.missing);
          state.pending.set(data.subarray(pos, pos + found), state.buffered);
          pos += found;
          state.missing -= found;
          state.buffered += found;
          if (state.missing === 0) {
            prepend = decode(state.pending, 0, state.buffered, encoding);
            state.buffered = 0;
          }
        }
        if (pos === n) return prepend;

        // Hold back a character that this chunk starts but does not finish.
        let keep = 0;
        if (encoding === "utf8") {
          if (data[n - 1] & 0x80) {
            for (let i = n - 1; ; i--) {
              keep++;
              if ((data[i] & 0xc0) === 0x80) {
                // More continuation bytes than a character has, or no start in this chunk:
                // malformed, decoded as it is.
                if (keep >= 4 || i === pos) {
                  keep = 0;
                  break;
                }
              } else {
                const lead = data[i];
                const size = (lead & 0xe0) === 0xc0 ? 2 : (lead & 0xf0) === 0xe0 ? 3 : (lead & 0xf8) === 0xf0 ? 4 : 0;
                if (size === 0 || keep >= size) keep = 0;
                else state.missing = size - keep;
                break;
              }
            }
          }
        } else if (encoding === "utf16le") {
          if ((n - pos) % 2 === 1) {
            keep = 1;
            state.missing = 1;
          } else if ((data[n - 1] & 0xfc) === 0xd8) {
            keep = 2;
            state.missing = 2;
          }
        } else {
          keep = (n - pos) % 3;
          if (keep > 0) state.missing = 3 - keep;
        }
        if (keep > 0) {
          state.pending.set(data.subarray(n - keep, n), 0);
          state.buffered = keep;
        }
        return n - keep > pos ? prepend + decode(data, pos, n - keep, encoding) : prepend;
      }

      end(buf) {
        let out = "";
        if (buf !== undefined) out = this.write(buf);
        const state = this[kState];
        if (state.buffered > 0) {
          // A lone trailing byte of UTF-16 is dropped; whatever else is held is decoded as it is.
          if (this.encoding === "utf16le" && state.buffered % 2 === 1) {
            state.buffered--;
            state.missing--;
          }
          if (state.buffered > 0) {
            out += decode(state.pending, 0, state.buffered, this.encoding);
            state.buffered = 0;
            state.missing = 0;
          }
        }
        return out;
      }

      text(buf, offset) {
        const state = this[kState];
        state.buffered = 0;
        state.missing = 0;
        return this.write(buf.slice(offset));
      }

      get lastChar() { return this[kState].pending; }
      get lastNeed() { return this[kState].missing; }
      get lastTotal() { return this[kState].buffered + this[kState].missing; }
    }
    for (const name of ["lastChar", "lastNeed", "lastTotal"]) {
      Object.defineProperty(StringDecoder.prototype, name, { enumerable: true });
    }

    return { StringDecoder };
  });
})(Deno.core, globalThis.__v8ctxInternals);
