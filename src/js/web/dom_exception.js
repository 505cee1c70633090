// DOMException (Web IDL §"DOMException"): a name, a message and the legacy numeric code, and an
// Error as far as instanceof, Error.prototype.toString and stack traces are concerned. The other
// web/ scripts capture this class when they load.
((core, internals) => {
  "use strict";
  // Captured now: user code may replace these globals later.
  const { TypeError, String, Object, Symbol, Map, WeakMap } = globalThis;
  const captureStackTrace = Error.captureStackTrace;
  const ReflectConstruct = Reflect.construct;
  const ErrorConstructor = Error, ErrorPrototype = Error.prototype;

  // The legacy code of each name that has one (every other name's code is 0), and the constants
  // DOMException and its prototype carry, including the three whose names are no longer used.
  const CONSTANTS = [
    ["INDEX_SIZE_ERR", 1, "IndexSizeError"],
    ["DOMSTRING_SIZE_ERR", 2, null],
    ["HIERARCHY_REQUEST_ERR", 3, "HierarchyRequestError"],
    ["WRONG_DOCUMENT_ERR", 4, "WrongDocumentError"],
    ["INVALID_CHARACTER_ERR", 5, "InvalidCharacterError"],
    ["NO_DATA_ALLOWED_ERR", 6, null],
    ["NO_MODIFICATION_ALLOWED_ERR", 7, "NoModificationAllowedError"],
    ["NOT_FOUND_ERR", 8, "NotFoundError"],
    ["NOT_SUPPORTED_ERR", 9, "NotSupportedError"],
    ["INUSE_ATTRIBUTE_ERR", 10, "InUseAttributeError"],
    ["INVALID_STATE_ERR", 11, "InvalidStateError"],
    ["SYNTAX_ERR", 12, "SyntaxError"],
    ["INVALID_MODIFICATION_ERR", 13, "InvalidModificationError"],
    ["NAMESPACE_ERR", 14, "NamespaceError"],
    ["INVALID_ACCESS_ERR", 15, "InvalidAccessError"],
    ["VALIDATION_ERR", 16, null],
    ["TYPE_MISMATCH_ERR", 17, "TypeMismatchError"],
    ["SECURITY_ERR", 18, "SecurityError"],
    ["NETWORK_ERR", 19, "NetworkError"],
    ["ABORT_ERR", 20, "AbortError"],
    ["URL_MISMATCH_ERR", 21, "URLMismatchError"],
    ["QUOTA_EXCEEDED_ERR", 22, "QuotaExceededError"],
    ["TIMEOUT_ERR", 23, "TimeoutError"],
    ["INVALID_NODE_TYPE_ERR", 24, "InvalidNodeTypeError"],
    ["DATA_CLONE_ERR", 25, "DataCloneError"],
  ];
  const CODES = new Map();
  for (const [, code, name] of CONSTANTS) if (name !== null) CODES.set(name, code);

  // Web IDL's DOMString conversion: String(), except that a Symbol is a TypeError.
  const toDOMString = (value) => {
    if (typeof value === "symbol") throw new TypeError("Cannot convert a Symbol value to a string");
    return String(value);
  };

  const state = new WeakMap();
  const own = (exception, what) => {
    const found = state.get(exception);
    if (found === undefined) throw new TypeError(`Illegal invocation: DOMException.prototype.${what} of an object that is not a DOMException`);
    return found;
  };

  // A function rather than a class so that, as Web IDL has it, DOMException's own prototype is
  // Function.prototype, while each instance is made by the Error constructor: a native error to
  // V8 (and so to v8ctx's JSError and conversions), whose prototype is new.target's.
  function DOMException(message = "", name = "Error") {
    if (new.target === undefined) throw new TypeError("Failed to construct 'DOMException': Please use the 'new' operator.");
    const exception = ReflectConstruct(ErrorConstructor, [], new.target);
    state.set(exception, { message: toDOMString(message), name: toDOMString(name) });
    // Captured again now that the name and message are known, so the stack starts
    // "AbortError: ...", and without the constructors' own frames.
    if (captureStackTrace !== undefined) captureStackTrace(exception, new.target);
    return exception;
  }
  Object.defineProperty(DOMException, "prototype", { writable: false });
  Object.setPrototypeOf(DOMException.prototype, ErrorPrototype);
  // The three attributes: enumerable getters on the prototype, named "get name" and so on.
  const attributes = Object.getOwnPropertyDescriptors({
    get name() { return own(this, "name").name; },
    get message() { return own(this, "message").message; },
    get code() { return CODES.get(own(this, "code").name) ?? 0; },
  });
  Object.defineProperties(DOMException.prototype, attributes);
  for (const [constant, code] of CONSTANTS) {
    const descriptor = { value: code, writable: false, enumerable: true, configurable: false };
    Object.defineProperty(DOMException, constant, descriptor);
    Object.defineProperty(DOMException.prototype, constant, descriptor);
  }
  Object.defineProperty(DOMException.prototype, Symbol.toStringTag, { value: "DOMException", configurable: true });

  internals.define("DOMException", DOMException);
})(Deno.core, globalThis.__v8ctxInternals);
