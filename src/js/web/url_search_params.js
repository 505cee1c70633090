// URLSearchParams (URL Standard §6.2) and the application/x-www-form-urlencoded parser and
// serializer (§5). A URL's searchParams is one of these bound to it through
// internals.urlSearchParams (web/url.js): its changes set the URL's query, and setting the URL's
// search re-parses its list.
((core, internals) => {
  "use strict";
  // Captured now: user code may replace these globals later.
  const { TypeError, String, Object, Reflect, Symbol, WeakMap, Uint8Array } = globalThis;
  const TextEncoderAtLoad = globalThis.TextEncoder, TextDecoderAtLoad = globalThis.TextDecoder;
  const utf8Encoder = core.encode === undefined ? new TextEncoderAtLoad() : null;
  const utf8Decoder = core.decode === undefined ? new TextDecoderAtLoad() : null;
  const encode = utf8Encoder === null ? (text) => core.encode(text) : (text) => utf8Encoder.encode(text);
  // UTF-8 decode without BOM: a leading BOM is kept, invalid bytes become U+FFFD.
  const decodeWithoutBOM = (bytes) => {
    if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      return "\uFEFF" + (utf8Decoder === null ? core.decode(bytes.subarray(3)) : utf8Decoder.decode(bytes.subarray(3)));
    }
    return utf8Decoder === null ? core.decode(bytes) : utf8Decoder.decode(bytes);
  };
  const ReflectApply = Reflect.apply;
  const toWellFormedAtLoad = String.prototype.toWellFormed;
  const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
  const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));

  // ---- Web IDL conversions -----------------------------------------------------------------------
  const toUSVString = (value) => {
    if (typeof value === "symbol") throw new TypeError("Cannot convert a Symbol value to a string");
    const text = String(value);
    return toWellFormedAtLoad !== undefined ? ReflectApply(toWellFormedAtLoad, text, []) : text.replace(LONE_SURROGATE, "\uFFFD");
  };
  const isObject = (value) => (typeof value === "object" && value !== null) || typeof value === "function";
  const requireArguments = (count, needed, what) => {
    if (count < needed) {
      throw new TypeError(`Failed to execute '${what}' on 'URLSearchParams': ${needed} argument${needed === 1 ? "" : "s"} required, but only ${count} present.`);
    }
  };

  // ---- application/x-www-form-urlencoded ---------------------------------------------------------
  const hexValue = (byte) => {
    if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
    if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
    if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
    return -1;
  };
  // "+" to space, then percent-decoding of the UTF-8 bytes, then UTF-8 decode without BOM.
  const decodeComponent = (text) => {
    if (!/[%+]/.test(text)) return text;
    if (!text.includes("%")) return text.replace(/\+/g, " ");
    const bytes = encode(text);
    const out = new Uint8Array(bytes.length);
    let length = 0;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte === 0x2b) {
        out[length++] = 0x20;
        continue;
      }
      if (byte === 0x25 && i + 2 < bytes.length) {
        const high = hexValue(bytes[i + 1]), low = hexValue(bytes[i + 2]);
        if (high !== -1 && low !== -1) {
          out[length++] = high * 16 + low;
          i += 2;
          continue;
        }
      }
      out[length++] = byte;
    }
    return decodeWithoutBOM(out.subarray(0, length));
  };
  // The list of [name, value] pairs that a (well-formed) string encodes.
  const parse = (input) => {
    const list = [];
    for (const sequence of input.split("&")) {
      if (sequence === "") continue;
      const equals = sequence.indexOf("=");
      const name = equals === -1 ? sequence : sequence.slice(0, equals);
      const value = equals === -1 ? "" : sequence.slice(equals + 1);
      list.push([decodeComponent(name), decodeComponent(value)]);
    }
    return list;
  };

  // Bytes left as they are: ASCII alphanumerics, "*", "-", ".", "_"; a space becomes "+".
  const HEX = "0123456789ABCDEF";
  const KEEP = new Uint8Array(128);
  for (let byte = 0; byte < 128; byte++) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9*\-._]/.test(c)) KEEP[byte] = 1;
  }
  const serializeComponent = (text) => {
    if (/^[A-Za-z0-9*\-._]*$/.test(text)) return text;
    const bytes = encode(text);
    let out = "";
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte < 128 && KEEP[byte] === 1) out += String.fromCharCode(byte);
      else if (byte === 0x20) out += "+";
      else out += "%" + HEX[byte >> 4] + HEX[byte & 15];
    }
    return out;
  };
  const serialize = (list) => {
    let out = "";
    for (let i = 0; i < list.length; i++) {
      if (i > 0) out += "&";
      out += serializeComponent(list[i][0]) + "=" + serializeComponent(list[i][1]);
    }
    return out;
  };

  // ---- URLSearchParams ---------------------------------------------------------------------------
  // Each object's { list, onUpdate }: onUpdate(serialized) is the bound URL's, or null.
  const states = new WeakMap();
  const own = (params) => {
    const found = states.get(params);
    if (found === undefined) throw new TypeError("Illegal invocation: not a URLSearchParams");
    return found;
  };
  // The update steps: tell the URL this object belongs to, if any.
  const update = (state) => {
    if (state.onUpdate !== null) state.onUpdate(serialize(state.list));
  };
  const stripQuestionMark = (text) => (text.startsWith("?") ? text.slice(1) : text);

  // The constructor's init: a sequence of pairs, a record, or a string.
  const initialList = (init) => {
    if (isObject(init)) {
      const iterator = init[Symbol.iterator];
      if (iterator !== undefined && iterator !== null) {
        if (typeof iterator !== "function") throw new TypeError("Failed to construct 'URLSearchParams': The object's @@iterator is not callable.");
        const list = [];
        for (const pair of ReflectApply(iterator, init, [])) {
          if (!isObject(pair) || typeof pair[Symbol.iterator] !== "function") {
            throw new TypeError("Failed to construct 'URLSearchParams': The provided value cannot be converted to a sequence.");
          }
          const items = [...pair];
          if (items.length !== 2) {
            throw new TypeError("Failed to construct 'URLSearchParams': Sequence initializer must only contain pair elements");
          }
          list.push([toUSVString(items[0]), toUSVString(items[1])]);
        }
        return list;
      }
      // record<USVString, USVString>: own enumerable properties, in property order.
      const list = [];
      for (const key of Reflect.ownKeys(init)) {
        const descriptor = Reflect.getOwnPropertyDescriptor(init, key);
        if (descriptor === undefined || !descriptor.enumerable) continue;
        const name = toUSVString(key);
        list.push([name, toUSVString(init[key])]);
      }
      return list;
    }
    return parse(stripQuestionMark(toUSVString(init)));
  };

  class URLSearchParams {
    constructor(init = "") {
      // null is no query at all, as in Node (Web IDL alone would make it the string "null").
      states.set(this, { list: init === null ? [] : initialList(init), onUpdate: null });
    }
    get size() { return own(this).list.length; }
    append(name, value) {
      const state = own(this);
      requireArguments(arguments.length, 2, "append");
      state.list.push([toUSVString(name), toUSVString(value)]);
      update(state);
    }
    delete(name, value = undefined) {
      const state = own(this);
      requireArguments(arguments.length, 1, "delete");
      name = toUSVString(name);
      if (value === undefined) {
        state.list = state.list.filter((pair) => pair[0] !== name);
      } else {
        value = toUSVString(value);
        state.list = state.list.filter((pair) => pair[0] !== name || pair[1] !== value);
      }
      update(state);
    }
    get(name) {
      const state = own(this);
      requireArguments(arguments.length, 1, "get");
      name = toUSVString(name);
      const pair = state.list.find((entry) => entry[0] === name);
      return pair === undefined ? null : pair[1];
    }
    getAll(name) {
      const state = own(this);
      requireArguments(arguments.length, 1, "getAll");
      name = toUSVString(name);
      return state.list.filter((pair) => pair[0] === name).map((pair) => pair[1]);
    }
    has(name, value = undefined) {
      const state = own(this);
      requireArguments(arguments.length, 1, "has");
      name = toUSVString(name);
      if (value === undefined) return state.list.some((pair) => pair[0] === name);
      value = toUSVString(value);
      return state.list.some((pair) => pair[0] === name && pair[1] === value);
    }
    set(name, value) {
      const state = own(this);
      requireArguments(arguments.length, 2, "set");
      name = toUSVString(name);
      value = toUSVString(value);
      const index = state.list.findIndex((pair) => pair[0] === name);
      if (index === -1) {
        state.list.push([name, value]);
      } else {
        state.list[index] = [name, value];
        state.list = state.list.filter((pair, i) => i <= index || pair[0] !== name);
      }
      update(state);
    }
    sort() {
      const state = own(this);
      // Array.prototype.sort is stable; "<" on strings compares UTF-16 code units.
      state.list = state.list.slice().sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      update(state);
    }
    toString() {
      return serialize(own(this).list);
    }
    forEach(callback, thisArg = undefined) {
      const state = own(this);
      requireArguments(arguments.length, 1, "forEach");
      if (typeof callback !== "function") throw new TypeError("Failed to execute 'forEach' on 'URLSearchParams': The callback provided as parameter 1 is not a function.");
      // Live, as Web IDL's iterable forEach is: pairs added while iterating are visited.
      for (let i = 0; i < state.list.length; i++) {
        const [name, value] = state.list[i];
        ReflectApply(callback, thisArg, [value, name, this]);
      }
    }
    keys() { return makeIterator(this, "key"); }
    values() { return makeIterator(this, "value"); }
    entries() { return makeIterator(this, "key+value"); }
  }
  Object.defineProperty(URLSearchParams.prototype, Symbol.iterator, {
    value: URLSearchParams.prototype.entries, writable: true, enumerable: false, configurable: true,
  });
  for (const name of ["size", "append", "delete", "get", "getAll", "has", "set", "sort", "toString", "forEach", "keys", "values", "entries"]) {
    Object.defineProperty(URLSearchParams.prototype, name, { enumerable: true });
  }
  Object.defineProperty(URLSearchParams.prototype, Symbol.toStringTag, { value: "URLSearchParams", configurable: true });

  // The default iterator object (Web IDL §3.7.10.2): a live index into the object's list.
  const iterators = new WeakMap();
  const IteratorProto = Object.create(IteratorPrototype, {
    next: {
      value: function next() {
        const iteration = iterators.get(this);
        if (iteration === undefined) throw new TypeError("Illegal invocation: not a URLSearchParams Iterator");
        const { list } = states.get(iteration.target);
        if (iteration.index >= list.length) return { value: undefined, done: true };
        const [name, value] = list[iteration.index++];
        const result = iteration.kind === "key" ? name : iteration.kind === "value" ? value : [name, value];
        return { value: result, done: false };
      },
      writable: true, enumerable: true, configurable: true,
    },
    [Symbol.toStringTag]: { value: "URLSearchParams Iterator", configurable: true },
  });
  const makeIterator = (target, kind) => {
    own(target);
    const iterator = Object.create(IteratorProto);
    iterators.set(iterator, { target, kind, index: 0 });
    return iterator;
  };

  internals.urlSearchParams = {
    // A URLSearchParams holding `query` (a URL's search, with or without its "?"), whose changes
    // call onUpdate(serialized query).
    create(query, onUpdate) {
      const params = new URLSearchParams();
      const state = states.get(params);
      state.list = parse(stripQuestionMark(query == null ? "" : toUSVString(query)));
      state.onUpdate = onUpdate;
      return params;
    },
    // The URL's query changed: re-parse without telling the URL.
    update(params, query) {
      own(params).list = parse(stripQuestionMark(query == null ? "" : toUSVString(query)));
    },
  };

  internals.define("URLSearchParams", URLSearchParams);
})(Deno.core, globalThis.__v8ctxInternals);
