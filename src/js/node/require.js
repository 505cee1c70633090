// CommonJS: require(), module.exports, caching and cycles as Node does them, on the module root
// of the Context (ops/modules.rs resolves and reads; modules/ explains the root). The same
// function serves the Context's own scripts (the global `require`, resolving from the root),
// `ctx.require()` and the modules ES modules generate for CommonJS files
// (globalThis[Symbol.for("v8ctx.require")]).
((core, internals) => {
  "use strict";
  const { ops } = core;
  const builtinExports = new Map();

  // A built-in's exports, made on first use; built-ins require each other by bare name.
  function builtin(name) {
    if (!builtinExports.has(name)) {
      const factory = internals.builtins.get(name);
      builtinExports.set(name, factory((other) => builtin(String(other).replace(/^node:/, ""))));
    }
    return builtinExports.get(name);
  }

  // require.cache: filename -> Module, as in Node.
  const cache = Object.create(null);

  class Module {
    constructor(url, filename, parent) {
      this.id = filename;
      this.url = url;
      this.filename = filename;
      this.path = dirname(filename);
      this.exports = {};
      this.parent = parent;
      this.loaded = false;
      this.children = [];
      this.paths = [];
    }
  }

  const dirname = (filename) => filename.slice(0, filename.lastIndexOf("/")) || "/";

  const notFound = (error) => {
    const wrapped = new Error(error.message);
    wrapped.code = "MODULE_NOT_FOUND";
    return wrapped;
  };

  function resolve(specifier, referrer) {
    if (typeof specifier !== "string") {
      const error = new TypeError(`The "id" argument must be of type string. Received ${specifier === null ? "null" : typeof specifier}`);
      error.code = "ERR_INVALID_ARG_TYPE";
      throw error;
    }
    if (specifier === "") {
      const error = new TypeError("The argument 'id' must be a non-empty string. Received ''");
      error.code = "ERR_INVALID_ARG_VALUE";
      throw error;
    }
    try {
      return ops.op_v8ctx_require_resolve(specifier, referrer);
    } catch (error) {
      throw notFound(error);
    }
  }

  function makeRequire(module) {
    const referrer = module === null ? null : module.url;
    function require(specifier) {
      const [format, url, filename] = resolve(specifier, referrer);
      return format === "builtin" ? builtin(filename) : load(format, url, filename, module).exports;
    }
    require.resolve = (specifier) => {
      const [format, url, filename] = resolve(specifier, referrer);
      return format === "builtin" ? url : filename;
    };
    require.cache = cache;
    return require;
  }

  function load(format, url, filename, parent) {
    const cached = cache[filename];
    // A module required again while it still runs (a cycle) gives its exports so far, as Node.
    if (cached !== undefined) return cached;
    if (format === "module") {
      const error = new Error(`require() of the ES module ${filename}: load it with import() or ctx.import_module()`);
      error.code = "ERR_REQUIRE_ESM";
      throw error;
    }
    const module = new Module(url, filename, parent);
    cache[filename] = module;
    if (parent !== null) parent.children.push(module);
    let loaded = false;
    try {
      const source = ops.op_v8ctx_module_read(url);
      if (format === "json") {
        try {
          module.exports = JSON.parse(source);
        } catch (error) {
          error.message = `${filename}: ${error.message}`;
          throw error;
        }
      } else {
        // A hashbang line becomes a comment, keeping the line numbers.
        const body = source.startsWith("#!") ? "//" + source.slice(2) : source;
        const run = ops.op_v8ctx_commonjs_compile(body, filename);
        run.call(module.exports, module.exports, makeRequire(module), module, filename, dirname(filename),
          builtin("process"), builtin("buffer").Buffer, globalThis);
      }
      module.loaded = true;
      loaded = true;
    } finally {
      // A module that failed is forgotten, so requiring it again retries, as in Node.
      if (!loaded) delete cache[filename];
    }
    return module;
  }

  const rootRequire = makeRequire(null);
  internals.define("require", rootRequire);
  Object.defineProperty(globalThis, Symbol.for("v8ctx.require"), { value: rootRequire, configurable: true });
})(Deno.core, globalThis.__v8ctxInternals);
