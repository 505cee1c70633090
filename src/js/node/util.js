// Node's `util` module, and what the other node/ built-ins share: Node-style errors (a `code`, and
// "TypeError [CODE]: message" from toString and at the top of the stack), util.inspect (which
// their error messages use), and the deep-equality algorithms (util.isDeepStrictEqual and assert).
// The shared part is made when the snapshot is built and left on `internals.nodeShared`, which user
// code cannot reach; each factory takes what it needs from there when it first runs.
((core, internals) => {
  "use strict";

  const hasOwn = (object, key) => Object.prototype.hasOwnProperty.call(object, key);
  const isEnumerable = (object, key) => Object.prototype.propertyIsEnumerable.call(object, key);
  const objectToString = (value) => Object.prototype.toString.call(value);
  const coreFunction = (name) => (typeof core[name] === "function" ? core[name].bind(core) : undefined);

  // ---- Type checks ------------------------------------------------------------------------------
  // Deno.core's checks ask V8, so they see through realms and Symbol.toStringTag; where one is
  // missing, an internal-slot probe (a built-in getter that throws on the wrong receiver) stands in.
  const probe = (getter) => (value) => {
    if (typeof value !== "object" || value === null) return false;
    try {
      getter.call(value);
      return true;
    } catch {
      return false;
    }
  };
  const getter = (proto, name) => Object.getOwnPropertyDescriptor(proto, name).get;
  const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
  const typedArrayTag = getter(TypedArrayPrototype, Symbol.toStringTag);
  const tagOf = (value) => objectToString(value).slice(8, -1);
  const regExpSource = getter(RegExp.prototype, "source");
  const types = {};
  const def = (name, fallback) => {
    types[name] = coreFunction(name) || fallback;
  };
  def("isArrayBuffer", probe(getter(ArrayBuffer.prototype, "byteLength")));
  def("isSharedArrayBuffer", typeof SharedArrayBuffer === "function"
    ? probe(getter(SharedArrayBuffer.prototype, "byteLength")) : () => false);
  def("isAnyArrayBuffer", (value) => types.isArrayBuffer(value) || types.isSharedArrayBuffer(value));
  types.isArrayBufferView = (value) => ArrayBuffer.isView(value);
  def("isTypedArray", (value) => typedArrayTag.call(value) !== undefined);
  for (const name of ["Uint8Array", "Uint8ClampedArray", "Uint16Array", "Uint32Array", "Int8Array", "Int16Array",
    "Int32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"]) {
    types[`is${name}`] = (value) => typedArrayTag.call(value) === name;
  }
  def("isDataView", probe(getter(DataView.prototype, "byteLength")));
  def("isDate", probe(Date.prototype.getTime));
  def("isRegExp", (value) => value !== RegExp.prototype && probe(regExpSource)(value));
  def("isMap", probe(getter(Map.prototype, "size")));
  def("isSet", probe(getter(Set.prototype, "size")));
  def("isWeakMap", probe(function () { return WeakMap.prototype.has.call(this, {}); }));
  def("isWeakSet", probe(function () { return WeakSet.prototype.has.call(this, {}); }));
  def("isPromise", (value) => value instanceof Promise);
  def("isProxy", () => false);
  def("isNativeError", (value) => typeof value === "object" && value !== null && tagOf(value) === "Error");
  def("isNumberObject", probe(Number.prototype.valueOf));
  def("isStringObject", probe(String.prototype.valueOf));
  def("isBooleanObject", probe(Boolean.prototype.valueOf));
  def("isBigIntObject", probe(BigInt.prototype.valueOf));
  def("isSymbolObject", probe(Symbol.prototype.valueOf));
  def("isBoxedPrimitive", (value) => types.isNumberObject(value) || types.isStringObject(value) ||
    types.isBooleanObject(value) || types.isBigIntObject(value) || types.isSymbolObject(value));
  def("isAsyncFunction", (value) => typeof value === "function" &&
    (tagOf(value) === "AsyncFunction" || tagOf(value) === "AsyncGeneratorFunction"));
  def("isGeneratorFunction", (value) => typeof value === "function" &&
    (tagOf(value) === "GeneratorFunction" || tagOf(value) === "AsyncGeneratorFunction"));
  def("isGeneratorObject", (value) => typeof value === "object" && value !== null &&
    (tagOf(value) === "Generator" || tagOf(value) === "AsyncGenerator"));
  def("isArgumentsObject", (value) => typeof value === "object" && value !== null && tagOf(value) === "Arguments");
  def("isMapIterator", (value) => typeof value === "object" && value !== null && tagOf(value) === "Map Iterator");
  def("isSetIterator", (value) => typeof value === "object" && value !== null && tagOf(value) === "Set Iterator");
  def("isModuleNamespaceObject", (value) => typeof value === "object" && value !== null && tagOf(value) === "Module");
  const isError = (value) => types.isNativeError(value) || value instanceof Error;
  const getPromiseDetails = coreFunction("getPromiseDetails");
  const getProxyDetails = coreFunction("getProxyDetails");

  // ---- inspect ------------------------------------------------------------------------------------
  const customInspect = Symbol.for("nodejs.util.inspect.custom");
  const inspectDefaultOptions = {
    showHidden: false, depth: 2, colors: false, customInspect: true, showProxy: false, maxArrayLength: 100,
    maxStringLength: 10000, breakLength: 80, compact: 3, sorted: false, getters: false, numericSeparator: false,
  };
  const OBJECT = 0, ARRAY = 1;

  // Control characters, C1 controls, the backslash, the quote in use, and lone surrogates are
  // written as escapes.
  const escapeChar = (ch) => {
    const code = ch.charCodeAt(0);
    switch (code) {
      case 8: return "\\b";
      case 9: return "\\t";
      case 10: return "\\n";
      case 12: return "\\f";
      case 13: return "\\r";
      case 39: return "\\'";
      case 92: return "\\\\";
    }
    if (code >= 0xd800) return `\\u${code.toString(16)}`;
    return `\\x${code.toString(16).toUpperCase().padStart(2, "0")}`;
  };
  const escapesWithQuote = /[\x00-\x1f\x27\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
  const escapesWithoutQuote = /[\x00-\x1f\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
  function quote(str) {
    // Single quotes unless the text has some: then double quotes, then backticks, then escaped singles.
    let mark = "'";
    if (str.includes("'")) {
      if (!str.includes('"')) mark = '"';
      else if (!str.includes("`") && !str.includes("${")) mark = "`";
    }
    const pattern = mark === "'" ? escapesWithQuote : escapesWithoutQuote;
    return mark + str.replace(pattern, escapeChar) + mark;
  }
  const formatNumber = (n) => (Object.is(n, -0) ? "-0" : `${n}`);

  function formatPrimitive(ctx, value) {
    switch (typeof value) {
      case "string": {
        let trailer = "";
        if (value.length > ctx.maxStringLength) {
          const remaining = value.length - ctx.maxStringLength;
          value = value.slice(0, ctx.maxStringLength);
          trailer = `... ${remaining} more character${remaining > 1 ? "s" : ""}`;
        }
        // A long text with line breaks is shown one line per line, joined with +.
        if (ctx.compact !== true && value.length > 16 && value.length > ctx.breakLength - ctx.indentationLvl - 4) {
          return value.split(/(?<=\n)/).map(quote).join(` +\n${" ".repeat(ctx.indentationLvl + 2)}`) + trailer;
        }
        return quote(value) + trailer;
      }
      case "number": return formatNumber(value);
      case "bigint": return `${value}n`;
      case "symbol": return Symbol.prototype.toString.call(value);
      default: return String(value); // undefined, boolean
    }
  }

  function constructorName(value) {
    let object = value;
    while (object !== null && object !== undefined) {
      const descriptor = Object.getOwnPropertyDescriptor(object, "constructor");
      if (descriptor !== undefined && typeof descriptor.value === "function" && descriptor.value.name !== "") {
        let inherits = false;
        try {
          inherits = value instanceof descriptor.value;
        } catch {}
        if (inherits) return String(descriptor.value.name);
      }
      object = Object.getPrototypeOf(object);
    }
    return null;
  }

  function prefixFor(constructor, tag, fallback, size = "") {
    if (constructor === null) {
      if (tag !== "" && fallback !== tag) return `[${fallback}${size}: null prototype] [${tag}] `;
      return `[${fallback}${size}: null prototype] `;
    }
    if (tag !== "" && constructor !== tag) return `${constructor}${size} [${tag}] `;
    return `${constructor}${size} `;
  }

  const isIndexKey = (key) => typeof key === "string" && /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 4294967295;
  function ownKeys(value, showHidden, skipIndices) {
    let keys = showHidden ? Object.getOwnPropertyNames(value) : Object.keys(value);
    if (skipIndices) keys = keys.filter((key) => !isIndexKey(key));
    const symbols = Object.getOwnPropertySymbols(value);
    for (const symbol of symbols) if (showHidden || isEnumerable(value, symbol)) keys.push(symbol);
    return keys;
  }

  function functionBase(value, constructor, tag) {
    let source = "";
    try {
      source = Function.prototype.toString.call(value);
    } catch {}
    if (source.startsWith("class") && /^class(\s|\{|$)/.test(source)) {
      let base = `[class ${hasOwn(value, "name") && value.name ? value.name : "(anonymous)"}`;
      if (constructor !== "Function" && constructor !== null) base += ` [${constructor}]`;
      if (tag !== "" && constructor !== tag) base += ` [${tag}]`;
      if (constructor !== null) {
        const superName = Object.getPrototypeOf(value).name;
        if (superName) base += ` extends ${superName}`;
      } else {
        base += " extends [null prototype]";
      }
      return `${base}]`;
    }
    let type = "Function";
    const generator = types.isGeneratorFunction(value), async = types.isAsyncFunction(value);
    if (generator && async) type = "AsyncGeneratorFunction";
    else if (generator) type = "GeneratorFunction";
    else if (async) type = "AsyncFunction";
    let base = `[${type}`;
    if (constructor === null) base += " (null prototype)";
    base += value.name === "" ? " (anonymous)" : `: ${typeof value.name === "string" ? value.name : formatValue(defaultContext(), value.name, 0)}`;
    base += "]";
    if (constructor !== type && constructor !== null) base += ` ${constructor}`;
    if (tag !== "" && constructor !== tag) base += ` [${tag}]`;
    return base;
  }

  function formatErrorBase(ctx, err, keys) {
    let stack;
    try {
      stack = err.stack ? String(err.stack) : Error.prototype.toString.call(err);
    } catch {
      stack = "[Error]";
    }
    if (!ctx.showHidden && keys.length !== 0) {
      for (const name of ["name", "message", "stack"]) {
        const index = keys.indexOf(name);
        if (index !== -1 && stack.includes(err[name])) keys.splice(index, 1);
      }
    }
    for (const name of ["cause", "errors"]) {
      if (hasOwn(err, name) && !keys.includes(name) && (name === "cause" || Array.isArray(err.errors))) keys.push(name);
    }
    const message = typeof err.message === "string" ? err.message : "";
    let from = message ? stack.indexOf(message) : -1;
    if (from !== -1) from += message.length;
    // A stack without frames is shown in brackets, as when the error has no stack at all.
    if (stack.indexOf("\n    at", from) === -1) stack = `[${stack}]`;
    if (ctx.indentationLvl !== 0) stack = stack.replace(/\n/g, `\n${" ".repeat(ctx.indentationLvl)}`);
    return stack;
  }

  function formatValue(ctx, value, recurseTimes, typedArray) {
    if (typeof value !== "object" && typeof value !== "function") return formatPrimitive(ctx, value);
    if (value === null) return "null";
    const context = value;
    if (getProxyDetails) {
      const details = getProxyDetails(value);
      if (details !== null && details !== undefined) {
        if (ctx.showProxy) {
          return `Proxy [ ${formatValue(ctx, details[0], recurseTimes)}, ${formatValue(ctx, details[1], recurseTimes)} ]`;
        }
        if (details[0] === null) return "<Revoked Proxy>";
        value = details[0];
      }
    }
    if (ctx.customInspect) {
      const custom = value[customInspect];
      if (typeof custom === "function" && custom !== inspect && !(value.constructor && value.constructor.prototype === value)) {
        const depth = ctx.depth === null ? null : ctx.depth - recurseTimes;
        const options = { ...ctx.userOptions, depth, stylize: (text) => text, seen: undefined };
        const result = custom.call(context, depth, options, inspect);
        if (result !== context) {
          if (typeof result !== "string") return formatValue(ctx, result, recurseTimes);
          return result.replace(/\n/g, `\n${" ".repeat(ctx.indentationLvl)}`);
        }
      }
    }
    if (ctx.seen.includes(value)) {
      if (ctx.circular === undefined) ctx.circular = new Map();
      let index = ctx.circular.get(value);
      if (index === undefined) {
        index = ctx.circular.size + 1;
        ctx.circular.set(value, index);
      }
      return `[Circular *${index}]`;
    }
    return formatRaw(ctx, value, recurseTimes, typedArray);
  }

  function formatRaw(ctx, value, recurseTimes, typedArray) {
    const constructor = constructorName(value);
    let tag = value[Symbol.toStringTag];
    if (typeof tag !== "string" || (tag !== "" && (ctx.showHidden ? hasOwn : isEnumerable)(value, Symbol.toStringTag))) tag = "";
    let base = "", keys, braces, extrasType = OBJECT;
    let formatter = () => [];
    const empty = () => keys.length === 0;
    if (Array.isArray(value)) {
      const prefix = constructor !== "Array" || tag !== "" ? prefixFor(constructor, tag, "Array", `(${value.length})`) : "";
      keys = ownKeys(value, ctx.showHidden, true);
      braces = [`${prefix}[`, "]"];
      if (value.length === 0 && empty()) return `${braces[0]}]`;
      extrasType = ARRAY;
      formatter = formatArray;
    } else if (types.isSet(value)) {
      const prefix = prefixFor(constructor, tag, "Set", `(${value.size})`);
      keys = ownKeys(value, ctx.showHidden);
      if (value.size === 0 && empty()) return `${prefix}{}`;
      braces = [`${prefix}{`, "}"];
      formatter = formatSet;
    } else if (types.isMap(value)) {
      const prefix = prefixFor(constructor, tag, "Map", `(${value.size})`);
      keys = ownKeys(value, ctx.showHidden);
      if (value.size === 0 && empty()) return `${prefix}{}`;
      braces = [`${prefix}{`, "}"];
      formatter = formatMap;
    } else if (types.isTypedArray(value)) {
      const length = TypedArrayPrototypeLength(value);
      const prefix = prefixFor(constructor, tag, constructor === null ? typedArrayTag.call(value) : "", `(${length})`);
      keys = ownKeys(value, ctx.showHidden, true);
      braces = [`${prefix}[`, "]"];
      if (length === 0 && empty() && !ctx.showHidden) return `${braces[0]}]`;
      formatter = formatTypedArray;
      extrasType = ARRAY;
    } else {
      keys = ownKeys(value, ctx.showHidden);
      braces = ["{", "}"];
      if (constructor === "Object") {
        if (types.isArgumentsObject(value)) braces[0] = "[Arguments] {";
        else if (tag !== "") braces[0] = `${prefixFor(constructor, tag, "Object")}{`;
        if (empty()) return `${braces[0]}}`;
      } else if (typeof value === "function") {
        base = functionBase(value, constructor, tag);
        if (empty()) return base;
      } else if (types.isRegExp(value)) {
        base = RegExp.prototype.toString.call(constructor !== null ? value : new RegExp(value));
        const prefix = prefixFor(constructor, tag, "RegExp");
        if (prefix !== "RegExp ") base = `${prefix}${base}`;
        if (empty() || (ctx.depth !== null && recurseTimes > ctx.depth)) return base;
      } else if (types.isDate(value)) {
        const time = Date.prototype.getTime.call(value);
        base = Number.isNaN(time) ? "Invalid Date" : Date.prototype.toISOString.call(value);
        const prefix = prefixFor(constructor, tag, "Date");
        if (prefix !== "Date ") base = `${prefix}${base}`;
        if (empty()) return base;
      } else if (isError(value)) {
        base = formatErrorBase(ctx, value, keys);
        if (empty()) return base;
      } else if (types.isAnyArrayBuffer(value)) {
        const kind = types.isArrayBuffer(value) ? "ArrayBuffer" : "SharedArrayBuffer";
        const prefix = prefixFor(constructor, tag, kind);
        if (typedArray === undefined) formatter = formatArrayBuffer;
        else if (empty()) return `${prefix}{ byteLength: ${formatNumber(value.byteLength)} }`;
        braces[0] = `${prefix}{`;
        keys.unshift("byteLength");
      } else if (types.isDataView(value)) {
        braces[0] = `${prefixFor(constructor, tag, "DataView")}{`;
        keys.unshift("byteLength", "byteOffset", "buffer");
      } else if (types.isPromise(value)) {
        braces[0] = `${prefixFor(constructor, tag, "Promise")}{`;
        formatter = formatPromise;
      } else if (types.isWeakSet(value) || types.isWeakMap(value)) {
        braces[0] = `${prefixFor(constructor, tag, types.isWeakSet(value) ? "WeakSet" : "WeakMap")}{`;
        formatter = () => ["<items unknown>"];
      } else if (types.isBoxedPrimitive(value)) {
        base = boxedBase(ctx, value, keys, constructor, tag);
        if (empty()) return base;
      } else {
        if (empty()) return `${prefixFor(constructor, tag, "Object")}{}`;
        braces[0] = `${prefixFor(constructor, tag, "Object")}{`;
      }
    }
    if (ctx.depth !== null && recurseTimes > ctx.depth) {
      const name = prefixFor(constructor, tag, "Object").slice(0, -1);
      return constructor !== null ? `[${name}]` : name;
    }
    recurseTimes += 1;
    ctx.seen.push(value);
    ctx.currentDepth = recurseTimes;
    let output;
    try {
      output = formatter(ctx, value, recurseTimes);
      for (const key of keys) output.push(formatProperty(ctx, value, recurseTimes, key, extrasType));
    } finally {
      ctx.seen.pop();
    }
    if (ctx.circular !== undefined) {
      const index = ctx.circular.get(value);
      if (index !== undefined) {
        const reference = `<ref *${index}>`;
        if (ctx.compact !== true) base = base === "" ? reference : `${reference} ${base}`;
        else braces[0] = `${reference} ${braces[0]}`;
      }
    }
    if (ctx.sorted) {
      const compare = typeof ctx.sorted === "function" ? ctx.sorted : undefined;
      if (extrasType === OBJECT) output.sort(compare);
      else if (keys.length > 1) {
        const sorted = output.slice(output.length - keys.length).sort(compare);
        output.splice(output.length - keys.length, keys.length, ...sorted);
      }
    }
    return reduceToSingleString(ctx, output, base, braces, recurseTimes);
  }

  const TypedArrayPrototypeLength = (value) => getter(TypedArrayPrototype, "length").call(value);

  function boxedBase(ctx, value, keys, constructor, tag) {
    let type, primitive;
    if (types.isNumberObject(value)) { type = "Number"; primitive = Number.prototype.valueOf.call(value); }
    else if (types.isStringObject(value)) {
      type = "String";
      primitive = String.prototype.valueOf.call(value);
      keys.splice(0, keys.length, ...keys.filter((key) => !(isIndexKey(key) && Number(key) < primitive.length) && (key !== "length" || ctx.showHidden)));
    } else if (types.isBooleanObject(value)) { type = "Boolean"; primitive = Boolean.prototype.valueOf.call(value); }
    else if (types.isBigIntObject(value)) { type = "BigInt"; primitive = BigInt.prototype.valueOf.call(value); }
    else { type = "Symbol"; primitive = Symbol.prototype.valueOf.call(value); }
    let base = `[${type}`;
    if (type !== constructor) base += constructor === null ? " (null prototype)" : ` (${constructor})`;
    base += `: ${formatPrimitive({ ...ctx, compact: true }, primitive)}]`;
    if (tag !== "" && tag !== constructor) base += ` [${tag}]`;
    return base;
  }

  function formatProperty(ctx, value, recurseTimes, key, type) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key) || { value: value[key], enumerable: true };
    let text;
    if (descriptor.value !== undefined) {
      ctx.indentationLvl += 2;
      text = formatValue(ctx, descriptor.value, recurseTimes);
      ctx.indentationLvl -= 2;
    } else if (descriptor.get !== undefined) {
      const label = descriptor.set !== undefined ? "Getter/Setter" : "Getter";
      if (ctx.getters && (ctx.getters === true || (ctx.getters === "get" && descriptor.set === undefined) ||
        (ctx.getters === "set" && descriptor.set !== undefined))) {
        try {
          const got = descriptor.get.call(value);
          ctx.indentationLvl += 2;
          text = typeof got === "object" && got !== null
            ? `[${label}] ${formatValue(ctx, got, recurseTimes)}`
            : `[${label}: ${formatPrimitive(ctx, got)}]`;
          ctx.indentationLvl -= 2;
        } catch (err) {
          text = `[${label}: <Inspection threw (${err && err.message})>]`;
        }
      } else {
        text = `[${label}]`;
      }
    } else {
      text = descriptor.set !== undefined ? "[Setter]" : "undefined";
    }
    if (type === ARRAY && typeof key === "number") return text;
    let name;
    if (typeof key === "symbol") {
      name = `[${Symbol.prototype.toString.call(key).replace(escapesWithQuote, escapeChar)}]`;
    } else if (key === "__proto__") {
      name = "['__proto__']";
    } else if (descriptor.enumerable === false) {
      name = `[${key.replace(escapesWithQuote, escapeChar)}]`;
    } else if (/^[a-zA-Z_][a-zA-Z_0-9]*$/.test(key)) {
      name = key;
    } else {
      name = quote(key);
    }
    return `${name}: ${text}`;
  }

  function formatArray(ctx, value, recurseTimes) {
    const length = value.length;
    const output = [];
    const limit = Math.max(0, ctx.maxArrayLength);
    let i = 0, indices;
    while (i < length && output.length < limit) {
      if (hasOwn(value, i)) {
        output.push(formatProperty(ctx, value, recurseTimes, i, ARRAY));
        i++;
        continue;
      }
      // A run of holes: find the next element that is there.
      if (indices === undefined) indices = Object.keys(value).filter(isIndexKey).map(Number);
      let next = length;
      for (const index of indices) if (index > i) { next = index; break; }
      const holes = next - i;
      output.push(`<${holes} empty item${holes > 1 ? "s" : ""}>`);
      i = next;
    }
    const remaining = length - i;
    if (remaining > 0) output.push(`... ${remaining} more item${remaining > 1 ? "s" : ""}`);
    return output;
  }

  function formatTypedArray(ctx, value, recurseTimes) {
    const length = TypedArrayPrototypeLength(value);
    const shown = Math.min(Math.max(0, ctx.maxArrayLength), length);
    const output = [];
    for (let i = 0; i < shown; i++) output.push(formatPrimitive(ctx, value[i]));
    if (length > shown) output.push(`... ${length - shown} more item${length - shown > 1 ? "s" : ""}`);
    if (ctx.showHidden) {
      ctx.indentationLvl += 2;
      for (const key of ["BYTES_PER_ELEMENT", "length", "byteLength", "byteOffset", "buffer"]) {
        output.push(`[${key}]: ${formatValue(ctx, value[key], recurseTimes, true)}`);
      }
      ctx.indentationLvl -= 2;
    }
    return output;
  }

  function formatArrayBuffer(ctx, value) {
    const bytes = new Uint8Array(value);
    const shown = Math.min(Math.max(0, ctx.maxArrayLength), bytes.length);
    let hex = Array.from(bytes.subarray(0, shown), (b) => b.toString(16).padStart(2, "0")).join(" ");
    const remaining = bytes.length - shown;
    if (remaining > 0) hex += ` ... ${remaining} more byte${remaining > 1 ? "s" : ""}`;
    return [`[Uint8Contents]: <${hex}>`];
  }

  function formatSet(ctx, value, recurseTimes) {
    const limit = Math.max(0, ctx.maxArrayLength);
    const output = [];
    ctx.indentationLvl += 2;
    for (const item of value) {
      if (output.length >= limit) break;
      output.push(formatValue(ctx, item, recurseTimes));
    }
    ctx.indentationLvl -= 2;
    const remaining = value.size - output.length;
    if (remaining > 0) output.push(`... ${remaining} more item${remaining > 1 ? "s" : ""}`);
    return output;
  }

  function formatMap(ctx, value, recurseTimes) {
    const limit = Math.max(0, ctx.maxArrayLength);
    const output = [];
    ctx.indentationLvl += 2;
    for (const [key, item] of value) {
      if (output.length >= limit) break;
      output.push(`${formatValue(ctx, key, recurseTimes)} => ${formatValue(ctx, item, recurseTimes)}`);
    }
    ctx.indentationLvl -= 2;
    const remaining = value.size - output.length;
    if (remaining > 0) output.push(`... ${remaining} more item${remaining > 1 ? "s" : ""}`);
    return output;
  }

  function formatPromise(ctx, value, recurseTimes) {
    if (getPromiseDetails === undefined) return ["<unknown>"];
    const [state, result] = getPromiseDetails(value);
    if (state === 0) return ["<pending>"];
    ctx.indentationLvl += 2;
    const text = formatValue(ctx, result, recurseTimes);
    ctx.indentationLvl -= 2;
    return [state === 2 ? `<rejected> ${text}` : text];
  }

  // One line when the entries fit in breakLength and nest no more than `compact` levels below;
  // otherwise one entry a line, indented by two. (Node also packs long arrays of short items into
  // columns; this does not.)
  function reduceToSingleString(ctx, output, base, braces, recurseTimes) {
    const head = base ? `${base} ` : "";
    if (ctx.compact !== false) {
      const levels = ctx.compact === true ? Infinity : ctx.compact;
      if (ctx.currentDepth - recurseTimes < levels) {
        let width = output.length * 2 + ctx.indentationLvl + braces[0].length + base.length + 10;
        for (const entry of output) width += entry.length;
        const joined = output.join(", ");
        if (width <= ctx.breakLength && !joined.includes("\n") && !base.includes("\n")) {
          return `${head}${braces[0]} ${joined} ${braces[1]}`;
        }
      }
    }
    const indentation = `\n${" ".repeat(ctx.indentationLvl)}`;
    return `${head}${braces[0]}${indentation}  ${output.join(`,${indentation}  `)}${indentation}${braces[1]}`;
  }

  function defaultContext() {
    return { ...inspectDefaultOptions, userOptions: { ...inspectDefaultOptions }, seen: [], indentationLvl: 0, currentDepth: 0, circular: undefined };
  }

  function inspect(value, options) {
    const ctx = defaultContext();
    if (arguments.length > 1) {
      if (typeof options === "boolean") {
        ctx.showHidden = options;
        if (arguments.length > 2 && arguments[2] !== undefined) ctx.depth = arguments[2];
        if (arguments.length > 3 && arguments[3] !== undefined) ctx.colors = arguments[3];
      } else if (typeof options === "object" && options !== null) {
        for (const key of Object.keys(options)) {
          if (hasOwn(inspectDefaultOptions, key) || key === "stylize") ctx[key] = options[key];
        }
      }
    }
    if (ctx.depth === Infinity) ctx.depth = null;
    if (typeof ctx.maxArrayLength !== "number" || ctx.maxArrayLength === null) ctx.maxArrayLength = Infinity;
    if (ctx.maxArrayLength === null) ctx.maxArrayLength = Infinity;
    if (ctx.maxStringLength === null) ctx.maxStringLength = Infinity;
    if (typeof ctx.breakLength !== "number") ctx.breakLength = 80;
    for (const key of Object.keys(inspectDefaultOptions)) ctx.userOptions[key] = ctx[key];
    return formatValue(ctx, value, 0);
  }
  inspect.custom = customInspect;
  Object.defineProperty(inspect, "defaultOptions", {
    get() { return inspectDefaultOptions; },
    set(options) {
      if (typeof options !== "object" || options === null) throw errInvalidArgType("options", "Object", options);
      Object.assign(inspectDefaultOptions, options);
    },
    enumerable: true,
    configurable: true,
  });

  // ---- Node-style errors ------------------------------------------------------------------------
  // An error with a `code`, whose toString and stack start "TypeError [CODE]: message".
  function nodeError(Base, code, message) {
    const error = new Base(message);
    Object.defineProperty(error, "name", { value: `${error.name} [${code}]`, configurable: true, writable: true });
    error.stack; // eslint-disable-line no-unused-expressions -- formats the stack with that name
    delete error.name;
    error.code = code;
    Object.defineProperty(error, "toString", {
      value() { return `${this.name} [${code}]: ${this.message}`; },
      configurable: true, writable: true, enumerable: false,
    });
    return error;
  }

  function describeReceived(value) {
    if (value === null || value === undefined) return `${value}`;
    if (typeof value === "function") return `function ${value.name}`;
    if (typeof value === "object") {
      const name = value.constructor && value.constructor.name;
      if (name) return `an instance of ${name}`;
      return inspect(value, { depth: -1 });
    }
    let shown = inspect(value, { colors: false });
    if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
    return `type ${typeof value} (${shown})`;
  }

  const primitiveTypes = ["string", "function", "number", "object", "Function", "Object", "boolean", "bigint", "symbol"];
  const listOf = (items, lastJoin) => items.length > 2
    ? `${items.slice(0, -1).join(", ")}, ${lastJoin} ${items[items.length - 1]}`
    : items.join(` ${lastJoin} `);
  function errInvalidArgType(name, expected, actual) {
    const expectedList = Array.isArray(expected) ? expected : [expected];
    let message = "The ";
    if (name.endsWith(" argument")) message += `${name} `;
    else message += `"${name}" ${name.includes(".") ? "property" : "argument"} `;
    message += "must be ";
    const kinds = [], instances = [], other = [];
    for (const item of expectedList) {
      if (primitiveTypes.includes(item)) kinds.push(item.toLowerCase());
      else if (/^([A-Z][a-z0-9]*)+$/.test(item)) instances.push(item);
      else other.push(item);
    }
    if (instances.length > 0 && kinds.includes("object")) {
      kinds.splice(kinds.indexOf("object"), 1);
      instances.push("Object");
    }
    const parts = [];
    if (kinds.length > 0) parts.push(kinds.length > 1 ? `one of type ${listOf(kinds, "or")}` : `of type ${kinds[0]}`);
    if (instances.length > 0) parts.push(`an instance of ${listOf(instances, "or")}`);
    if (other.length > 0) {
      if (other.length > 1) parts.push(`one of ${listOf(other, "or")}`);
      else parts.push(`${other[0].toLowerCase() !== other[0] ? "an " : ""}${other[0]}`);
    }
    message += `${parts.join(" or ")}. Received ${describeReceived(actual)}`;
    return nodeError(TypeError, "ERR_INVALID_ARG_TYPE", message);
  }

  const withSeparators = (digits) => {
    let sign = "";
    if (digits[0] === "-") { sign = "-"; digits = digits.slice(1); }
    let out = "";
    while (digits.length > 3) {
      out = `_${digits.slice(-3)}${out}`;
      digits = digits.slice(0, -3);
    }
    return sign + digits + out;
  };
  function errOutOfRange(name, range, input, plainMessage = false) {
    let received;
    if (Number.isInteger(input) && Math.abs(input) > 2 ** 32) received = withSeparators(String(input));
    else if (typeof input === "bigint") {
      received = String(input);
      if (input > 2n ** 32n || input < -(2n ** 32n)) received = withSeparators(received);
      received += "n";
    } else received = inspect(input);
    const head = plainMessage ? name : `The value of "${name}" is out of range.`;
    return nodeError(RangeError, "ERR_OUT_OF_RANGE", `${head} It must be ${range}. Received ${received}`);
  }
  function errInvalidArgValue(name, value, reason = "is invalid") {
    let shown = inspect(value);
    if (shown.length > 128) shown = `${shown.slice(0, 128)}...`;
    const kind = name.includes(".") ? "property" : "argument";
    return nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The ${kind} '${name}' ${reason}. Received ${shown}`);
  }
  const validateFunction = (value, name) => {
    if (typeof value !== "function") throw errInvalidArgType(name, "Function", value);
  };
  const validateString = (value, name) => {
    if (typeof value !== "string") throw errInvalidArgType(name, "string", value);
  };
  const validateObject = (value, name) => {
    if (value === null || typeof value !== "object") throw errInvalidArgType(name, "Object", value);
  };

  // ---- Deep equality (assert.deepEqual / deepStrictEqual, util.isDeepStrictEqual) ---------------
  // As Node documents it: strict compares primitives with Object.is, prototypes with ===, and
  // enumerable own symbols too; loose compares primitives with == (NaN equals NaN) and ignores
  // prototypes and symbols. Both compare type tags, enumerable own properties unordered, Map and
  // Set entries unordered, Error name/message/cause/errors, RegExp source/flags/lastIndex, boxed
  // values, and stop at a pair already being compared (a cycle on both sides).
  function deepEqual(a, b, strict) {
    return compare(a, b, strict, []);
  }

  function compare(a, b, strict, stack) {
    if (a === b) return a !== 0 || !strict || Object.is(a, b);
    if (strict) {
      if (typeof a !== "object") return typeof a === "number" && Number.isNaN(a) && Number.isNaN(b);
      if (typeof b !== "object" || a === null || b === null) return false;
      if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    } else {
      if (a === null || typeof a !== "object") {
        if (b === null || typeof b !== "object") {
          // eslint-disable-next-line eqeqeq
          return a == b || (Number.isNaN(a) && Number.isNaN(b));
        }
        return false;
      }
      if (b === null || typeof b !== "object") return false;
    }
    if (objectToString(a) !== objectToString(b)) return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    for (const [x, y] of stack) if (x === a && y === b) return true;
    stack.push([a, b]);
    try {
      return compareObjects(a, b, strict, stack);
    } finally {
      stack.pop();
    }
  }

  function compareObjects(a, b, strict, stack) {
    if (Array.isArray(a)) {
      if (a.length !== b.length) return false;
    } else if (types.isDate(a)) {
      if (!types.isDate(b) || Date.prototype.getTime.call(a) !== Date.prototype.getTime.call(b)) return false;
    } else if (types.isRegExp(a)) {
      if (!types.isRegExp(b) || a.source !== b.source || a.flags !== b.flags || a.lastIndex !== b.lastIndex) return false;
    } else if (isError(a)) {
      if (!isError(b) || a.message !== b.message || a.name !== b.name) return false;
      for (const name of ["cause", "errors"]) {
        if (hasOwn(a, name) !== hasOwn(b, name)) return false;
        if (hasOwn(a, name) && !isEnumerable(a, name) && !compare(a[name], b[name], strict, stack)) return false;
      }
    } else if (ArrayBuffer.isView(a)) {
      if (!ArrayBuffer.isView(b)) return false;
      if (types.isTypedArray(a)) {
        if (typedArrayTag.call(a) !== typedArrayTag.call(b)) return false;
        if (a.length !== b.length) return false;
        const float = a instanceof Float32Array || a instanceof Float64Array ||
          typedArrayTag.call(a) === "Float32Array" || typedArrayTag.call(a) === "Float64Array";
        for (let i = 0; i < a.length; i++) {
          if (float && strict ? !Object.is(a[i], b[i]) : a[i] !== b[i]) return false;
        }
      } else if (!sameBytes(a, b)) return false;
      if (!compareKeys(a, b, strict, stack, true)) return false;
      return true;
    } else if (types.isBoxedPrimitive(a)) {
      if (!sameBoxed(a, b)) return false;
    } else if (types.isAnyArrayBuffer(a)) {
      if (!types.isAnyArrayBuffer(b) || !sameBytes(new Uint8Array(a), new Uint8Array(b))) return false;
    } else if (types.isWeakMap(a) || types.isWeakSet(a)) {
      // Their entries cannot be seen: only their own properties are compared.
    } else if (types.isBoxedPrimitive(b) || ArrayBuffer.isView(b) || types.isDate(b) || types.isRegExp(b) || isError(b)) {
      return false;
    }
    if (types.isSet(a)) {
      if (!types.isSet(b) || a.size !== b.size || !compareSets(a, b, strict, stack)) return false;
    } else if (types.isMap(a)) {
      if (!types.isMap(b) || a.size !== b.size || !compareMaps(a, b, strict, stack)) return false;
    } else if (types.isSet(b) || types.isMap(b)) {
      return false;
    }
    return compareKeys(a, b, strict, stack, Array.isArray(a) || ArrayBuffer.isView(a) || types.isStringObject(a));
  }

  function sameBytes(a, b) {
    if (a.byteLength !== b.byteLength) return false;
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }

  function sameBoxed(a, b) {
    for (const [check, unwrap] of [[types.isNumberObject, Number], [types.isStringObject, String],
      [types.isBooleanObject, Boolean], [types.isBigIntObject, BigInt], [types.isSymbolObject, Symbol]]) {
      if (check(a)) return check(b) && Object.is(unwrap.prototype.valueOf.call(a), unwrap.prototype.valueOf.call(b));
    }
    return false;
  }

  function compareKeys(a, b, strict, stack, indexed) {
    const keysA = Object.keys(a), keysB = Object.keys(b);
    if (keysA.length !== keysB.length) return false;
    for (const key of keysA) if (!isEnumerable(b, key)) return false;
    if (strict) {
      const symbolsA = Object.getOwnPropertySymbols(a).filter((s) => isEnumerable(a, s));
      const symbolsB = Object.getOwnPropertySymbols(b).filter((s) => isEnumerable(b, s));
      if (symbolsA.length !== symbolsB.length) return false;
      for (const symbol of symbolsA) {
        if (!isEnumerable(b, symbol) || !compare(a[symbol], b[symbol], strict, stack)) return false;
      }
    }
    for (const key of keysA) {
      if (indexed && ArrayBuffer.isView(a) && isIndexKey(key)) continue;
      if (!compare(a[key], b[key], strict, stack)) return false;
    }
    return true;
  }

  const isPrimitive = (value) => value === null || (typeof value !== "object" && typeof value !== "function");
  // Unordered: each entry of `a` takes a distinct, equal entry of `b` (primitives by lookup when
  // that is exact, everything else by search).
  function matchUnordered(itemsA, itemsB, equal, lookup) {
    const remaining = [];
    const used = new Set();
    for (const item of itemsA) {
      const exact = lookup(item);
      if (exact !== undefined) used.add(exact);
      else remaining.push(item);
    }
    const candidates = itemsB.filter((_, i) => !used.has(i));
    const taken = new Array(candidates.length).fill(false);
    for (const item of remaining) {
      let found = false;
      for (let j = 0; j < candidates.length; j++) {
        if (!taken[j] && equal(item, candidates[j])) {
          taken[j] = found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }

  function compareSets(a, b, strict, stack) {
    const itemsB = [...b];
    const indexB = new Map(itemsB.map((item, i) => [item, i]));
    return matchUnordered([...a], itemsB, (x, y) => compare(x, y, strict, stack),
      (x) => (isPrimitive(x) && (strict || typeof x !== "number" || !Number.isNaN(x)) ? indexB.get(x) : undefined));
  }

  function compareMaps(a, b, strict, stack) {
    const entriesB = [...b];
    const indexB = new Map(entriesB.map(([key], i) => [key, i]));
    return matchUnordered([...a], entriesB,
      (x, y) => compare(x[0], y[0], strict, stack) && compare(x[1], y[1], strict, stack),
      ([key, value]) => {
        if (!isPrimitive(key)) return undefined;
        const index = indexB.get(key);
        return index !== undefined && compare(value, entriesB[index][1], strict, stack) ? index : undefined;
      });
  }

  Object.defineProperty(internals, "nodeShared", {
    configurable: true,
    value: {
      inspect, types, nodeError, errInvalidArgType, errOutOfRange, errInvalidArgValue, describeReceived,
      validateFunction, validateString, validateObject, deepEqual, isError,
    },
  });

  // ---- the module ----------------------------------------------------------------------------------
  internals.builtins.set("util", (require) => {
    const { TextEncoder, TextDecoder, console, queueMicrotask } = globalThis;
    const consoleError = console && console.error ? console.error.bind(console) : () => {};

    const builtInConstructors = new Set(Object.getOwnPropertyNames(globalThis)
      .filter((name) => /^[A-Z][a-zA-Z0-9]+$/.test(name)));
    function hasBuiltInToString(value) {
      if (types.isProxy(value)) return true;
      if (hasOwn(value, "toString")) return false;
      let pointer = value;
      do {
        pointer = Object.getPrototypeOf(pointer);
      } while (pointer !== null && !hasOwn(pointer, "toString"));
      if (pointer === null) return true;
      const descriptor = Object.getOwnPropertyDescriptor(pointer, "constructor");
      return descriptor !== undefined && typeof descriptor.value === "function" && builtInConstructors.has(descriptor.value.name);
    }

    function stringifyJSON(value) {
      try {
        return JSON.stringify(value);
      } catch (err) {
        if (err instanceof TypeError && /circular/i.test(err.message)) return "[Circular]";
        throw err;
      }
    }

    function formatWithOptionsInternal(options, args) {
      const first = args[0];
      let used = 0, out = "", separator = "";
      if (typeof first === "string") {
        if (args.length === 1) return first;
        let last = 0;
        for (let i = 0; i < first.length - 1; i++) {
          if (first.charCodeAt(i) !== 37) continue; // '%'
          const next = first[++i];
          if (used + 1 !== args.length) {
            let text;
            switch (next) {
              case "s": {
                const arg = args[++used];
                if (typeof arg === "number") text = formatNumber(arg);
                else if (typeof arg === "bigint") text = `${arg}n`;
                else if (typeof arg !== "object" || arg === null || !hasBuiltInToString(arg)) text = String(arg);
                else text = inspect(arg, { ...options, depth: 0, colors: false, compact: 3 });
                break;
              }
              case "j": text = stringifyJSON(args[++used]); break;
              case "d": {
                const arg = args[++used];
                if (typeof arg === "bigint") text = `${arg}n`;
                else if (typeof arg === "symbol") text = "NaN";
                else text = formatNumber(Number(arg));
                break;
              }
              case "O": text = inspect(args[++used], options); break;
              case "o": text = inspect(args[++used], { ...options, showHidden: true, showProxy: true, depth: 4 }); break;
              case "i": {
                const arg = args[++used];
                if (typeof arg === "bigint") text = `${arg}n`;
                else if (typeof arg === "symbol") text = "NaN";
                else text = formatNumber(parseInt(arg));
                break;
              }
              case "f": {
                const arg = args[++used];
                text = typeof arg === "symbol" ? "NaN" : formatNumber(parseFloat(arg));
                break;
              }
              case "c": used += 1; text = ""; break;
              case "%": out += first.slice(last, i); last = i + 1; continue;
              default: continue;
            }
            if (last !== i - 1) out += first.slice(last, i - 1);
            out += text;
            last = i + 1;
          } else if (next === "%") {
            out += first.slice(last, i);
            last = i + 1;
          }
        }
        if (last !== 0) {
          used++;
          separator = " ";
          if (last < first.length) out += first.slice(last);
        }
      }
      for (; used < args.length; used++) {
        const value = args[used];
        out += separator + (typeof value !== "string" ? inspect(value, options) : value);
        separator = " ";
      }
      return out;
    }
    const format = (...args) => formatWithOptionsInternal(undefined, args);
    function formatWithOptions(inspectOptions, ...args) {
      validateObject(inspectOptions, "inspectOptions");
      return formatWithOptionsInternal(inspectOptions, args);
    }

    function inherits(ctor, superCtor) {
      if (ctor === undefined || ctor === null) throw errInvalidArgType("ctor", "Function", ctor);
      if (superCtor === undefined || superCtor === null) throw errInvalidArgType("superCtor", "Function", superCtor);
      if (superCtor.prototype === undefined) throw errInvalidArgType("superCtor.prototype", "Object", superCtor.prototype);
      Object.defineProperty(ctor, "super_", { value: superCtor, writable: true, configurable: true });
      Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
    }

    const promisifyCustom = Symbol.for("nodejs.util.promisify.custom");
    function promisify(original) {
      validateFunction(original, "original");
      if (original[promisifyCustom]) {
        const fn = original[promisifyCustom];
        validateFunction(fn, "util.promisify.custom");
        return Object.defineProperty(fn, promisifyCustom, { value: fn, enumerable: false, writable: false, configurable: true });
      }
      function fn(...args) {
        return new Promise((resolve, reject) => {
          Reflect.apply(original, this, [...args, (err, ...values) => {
            if (err) reject(err);
            else resolve(values[0]);
          }]);
        });
      }
      Object.setPrototypeOf(fn, Object.getPrototypeOf(original));
      Object.defineProperty(fn, promisifyCustom, { value: fn, enumerable: false, writable: false, configurable: true });
      Object.defineProperties(fn, Object.getOwnPropertyDescriptors(original));
      return fn;
    }
    promisify.custom = promisifyCustom;

    function callbackify(original) {
      validateFunction(original, "original");
      function callbackified(...args) {
        const callback = args.pop();
        validateFunction(callback, "last argument");
        const cb = callback.bind(this);
        Reflect.apply(original, this, args).then(
          (result) => queueMicrotask(() => cb(null, result)),
          (reason) => queueMicrotask(() => {
            if (!reason) {
              const wrapped = nodeError(Error, "ERR_FALSY_VALUE_REJECTION", "Promise was rejected with falsy value");
              wrapped.reason = reason;
              reason = wrapped;
            }
            cb(reason);
          }),
        );
      }
      const descriptors = Object.getOwnPropertyDescriptors(original);
      if (descriptors.length && typeof descriptors.length.value === "number") descriptors.length.value++;
      if (descriptors.name && typeof descriptors.name.value === "string") descriptors.name.value += "Callbackified";
      Object.setPrototypeOf(callbackified, Object.getPrototypeOf(original));
      Object.defineProperties(callbackified, descriptors);
      return callbackified;
    }

    // Warns once per code (or once per deprecated function without one), on console.error, as
    // "[CODE] DeprecationWarning: message".
    const warnedCodes = new Set();
    function deprecate(fn, message, code) {
      if (code !== undefined) validateString(code, "code");
      let warned = false;
      function deprecated(...args) {
        if (!warned && !(code !== undefined && warnedCodes.has(code))) {
          warned = true;
          if (code !== undefined) warnedCodes.add(code);
          consoleError(`${code !== undefined ? `[${code}] ` : ""}DeprecationWarning: ${message}`);
        }
        if (new.target) return Reflect.construct(fn, args, new.target);
        return Reflect.apply(fn, this, args);
      }
      Object.setPrototypeOf(deprecated, fn);
      if (fn.prototype) deprecated.prototype = fn.prototype;
      return deprecated;
    }

    function debuglog(section, callback) {
      validateString(section, "section");
      const logger = () => {};
      Object.defineProperty(logger, "enabled", { get: () => false, configurable: true, enumerable: true });
      return logger;
    }

    const stripVTControlCharacters = (str) => {
      validateString(str, "str");
      // eslint-disable-next-line no-control-regex
      return str.replace(/[\u001B\u009B][[\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\d/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-ntqry=><~]))/g, "");
    };
    const toUSVString = (input) => String(input).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

    const util = {
      format, formatWithOptions, inspect, inherits, promisify, callbackify, deprecate, debuglog, debug: debuglog,
      isDeepStrictEqual: (a, b) => deepEqual(a, b, true), types: { ...types }, TextEncoder, TextDecoder,
      stripVTControlCharacters, toUSVString,
      isArray: Array.isArray,
      isBoolean: (value) => typeof value === "boolean",
      isBuffer: (value) => require("buffer").Buffer.isBuffer(value),
      isNull: (value) => value === null,
      isNullOrUndefined: (value) => value === null || value === undefined,
      isNumber: (value) => typeof value === "number",
      isString: (value) => typeof value === "string",
      isSymbol: (value) => typeof value === "symbol",
      isUndefined: (value) => value === undefined,
      isRegExp: types.isRegExp,
      isObject: (value) => value !== null && typeof value === "object",
      isDate: types.isDate,
      isError,
      isFunction: (value) => typeof value === "function",
      isPrimitive: (value) => value === null || (typeof value !== "object" && typeof value !== "function"),
      _extend(target, source) {
        if (source === null || typeof source !== "object") return target;
        for (const key of Object.keys(source)) target[key] = source[key];
        return target;
      },
    };
    return util;
  });
})(Deno.core, globalThis.__v8ctxInternals);
