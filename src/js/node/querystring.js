// Node's `querystring` module: parse/decode, stringify/encode, escape, unescape, unescapeBuffer.
// parse() calls querystring.unescape (or options.decodeURIComponent) as the module finds it then,
// so overriding querystring.unescape works as in Node; likewise stringify and escape.
((core, internals) => {
  "use strict";
  internals.builtins.set("querystring", (require) => {
    const { nodeError } = internals.nodeShared;
    const { Buffer } = require("buffer");

    const hexValue = (c) => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1);

    // Percent-escapes of two hex digits become bytes (and "+" a space, if asked); every other
    // character is kept as the low byte of its code unit, as Node does.
    function unescapeBuffer(s, decodeSpaces) {
      const out = Buffer.alloc(s.length);
      let n = 0;
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c === 0x2b && decodeSpaces) {
          out[n++] = 0x20;
          continue;
        }
        if (c === 0x25 && i + 2 < s.length) {
          const hi = hexValue(s.charCodeAt(i + 1)), lo = hexValue(s.charCodeAt(i + 2));
          if (hi >= 0 && lo >= 0) {
            out[n++] = (hi << 4) | lo;
            i += 2;
            continue;
          }
        }
        out[n++] = c;
      }
      return out.subarray(0, n);
    }

    function unescape(s, decodeSpaces) {
      try {
        return decodeURIComponent(s);
      } catch {
        return qs.unescapeBuffer(s, decodeSpaces).toString();
      }
    }

    // All but A-Z a-z 0-9 - _ . ! ~ * ' ( ) percent-encoded as UTF-8. As in Node, a surrogate
    // takes the code unit after it as its other half, whatever that is; one at the very end
    // throws ERR_INVALID_URI.
    const unreserved = /[A-Za-z0-9\-_.!~*'()]/;
    const HEX = Array.from({ length: 256 }, (_, i) => `%${i.toString(16).toUpperCase().padStart(2, "0")}`);
    function escape(str) {
      if (typeof str !== "string") {
        if (typeof str === "object") str = String(str);
        else str += "";
      }
      let out = "", last = 0;
      for (let i = 0; i < str.length; i++) {
        let c = str.charCodeAt(i);
        if (c < 0x80 && unreserved.test(str[i])) continue;
        out += str.slice(last, i);
        if (c < 0x80) out += HEX[c];
        else if (c < 0x800) out += HEX[0xc0 | (c >> 6)] + HEX[0x80 | (c & 63)];
        else if (c < 0xd800 || c >= 0xe000) out += HEX[0xe0 | (c >> 12)] + HEX[0x80 | ((c >> 6) & 63)] + HEX[0x80 | (c & 63)];
        else {
          if (++i >= str.length) throw nodeError(URIError, "ERR_INVALID_URI", "URI malformed");
          c = 0x10000 + (((c & 0x3ff) << 10) | (str.charCodeAt(i) & 0x3ff));
          out += HEX[0xf0 | (c >> 18)] + HEX[0x80 | ((c >> 12) & 63)] + HEX[0x80 | ((c >> 6) & 63)] + HEX[0x80 | (c & 63)];
        }
        last = i + 1;
      }
      return last === 0 ? str : out + str.slice(last);
    }

    function stringifyPrimitive(v) {
      if (typeof v === "string") return v;
      if (typeof v === "number" && Number.isFinite(v)) return `${v}`;
      if (typeof v === "bigint") return `${v}`;
      if (typeof v === "boolean") return v ? "true" : "false";
      return "";
    }

    function stringify(obj, sep, eq, options) {
      sep = sep || "&";
      eq = eq || "=";
      let encode = qs.escape;
      if (options && typeof options.encodeURIComponent === "function") encode = options.encodeURIComponent;
      const convert = (v) => {
        const text = stringifyPrimitive(v);
        return encode === escape && text.length === 0 ? "" : encode(text);
      };
      if (obj === null || typeof obj !== "object") return "";
      let fields = "";
      for (const key of Object.keys(obj)) {
        const value = obj[key];
        const prefix = convert(key) + eq;
        if (Array.isArray(value)) {
          if (value.length === 0) continue;
          if (fields) fields += sep;
          for (let j = 0; j < value.length; j++) {
            if (j) fields += sep;
            fields += prefix + convert(value[j]);
          }
        } else {
          if (fields) fields += sep;
          fields += prefix + convert(value);
        }
      }
      return fields;
    }

    function parse(str, sep, eq, options) {
      const obj = Object.create(null);
      if (typeof str !== "string" || str.length === 0) return obj;
      sep = sep ? String(sep) : "&";
      eq = eq ? String(eq) : "=";
      let maxKeys = 1000;
      if (options && typeof options.maxKeys === "number") maxKeys = options.maxKeys;
      const limit = maxKeys > 0 ? maxKeys : Infinity;
      // A decoder other than this module's own unescape (an option, or querystring.unescape
      // replaced) is called on every non-empty key and value.
      const decoder = options && typeof options.decodeURIComponent === "function" ? options.decodeURIComponent : qs.unescape;
      const custom = decoder !== unescape ? decoder : undefined;
      // Otherwise text is decoded only when it has a %XX escape; a decoder that throws gives way
      // to querystring.unescape.
      const decode = (text) => {
        if (text.length === 0 || (custom === undefined && !/%[0-9a-fA-F]{2}/.test(text))) return text;
        try {
          return decoder(text);
        } catch {
          return qs.unescape(text, true);
        }
      };
      // maxKeys counts pieces between separators, empty ones too; "+" is a space (handed to a
      // custom decoder as "%20").
      const space = custom === undefined ? " " : "%20";
      const pieces = str.split(sep);
      for (let p = 0; p < pieces.length && p < limit; p++) {
        const piece = pieces[p];
        if (piece.length === 0) continue;
        const at = piece.indexOf(eq);
        let key = at === -1 ? piece : piece.slice(0, at);
        let value = at === -1 ? "" : piece.slice(at + eq.length);
        key = decode(key.replace(/\+/g, space));
        value = decode(value.replace(/\+/g, space));
        const existing = obj[key];
        if (existing === undefined) obj[key] = value;
        else if (Array.isArray(existing)) existing.push(value);
        else obj[key] = [existing, value];
      }
      return obj;
    }

    const qs = { unescapeBuffer, unescape, escape, stringify, encode: stringify, parse, decode: parse };
    return qs;
  });
})(Deno.core, globalThis.__v8ctxInternals);
