// URL (WHATWG URL Standard): parsing and the setters are the `url` crate's (ops/url.rs); this
// class keeps the parts and ties `searchParams` to `search` (web/url_search_params.js).
((core, internals) => {
  "use strict";
  const { ops } = core;
  const { create: createParams, update: updateParams } = internals.urlSearchParams;
  const PARTS = ["href", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"];
  const parts = new WeakMap();
  const params = new WeakMap();

  const state = (url) => {
    const own = parts.get(url);
    if (own === undefined) throw new TypeError("Illegal invocation: not a URL");
    return own;
  };

  function parse(input, base) {
    return ops.op_v8ctx_url_parse(String(input), base === undefined ? null : String(base));
  }

  class URL {
    constructor(url, base = undefined) {
      if (arguments.length === 0) throw new TypeError("Failed to construct 'URL': 1 argument required, but only 0 present.");
      const parsed = parse(url, base);
      if (parsed === null) {
        const error = new TypeError(base === undefined ? `Invalid URL: ${String(url)}` : `Invalid URL: ${String(url)} against base ${String(base)}`);
        error.code = "ERR_INVALID_URL";
        error.input = String(url);
        throw error;
      }
      parts.set(this, parsed);
    }

    static canParse(url, base = undefined) {
      return parse(url, base) !== null;
    }

    static parse(url, base = undefined) {
      return parse(url, base) === null ? null : new URL(url, base);
    }

    get origin() { return ops.op_v8ctx_url_origin(state(this)[0]); }

    get searchParams() {
      let own = params.get(this);
      if (own === undefined) {
        own = createParams(state(this)[8], (query) => {
          const next = ops.op_v8ctx_url_set(state(this)[0], 8, query);
          // An empty query drops the '?' altogether, as the standard's "update steps" do.
          parts.set(this, query === "" ? ops.op_v8ctx_url_set(next[0], 8, "") : next);
        });
        params.set(this, own);
      }
      return own;
    }

    toString() { return state(this)[0]; }
    toJSON() { return state(this)[0]; }
  }

  PARTS.forEach((name, index) => {
    Object.defineProperty(URL.prototype, name, {
      enumerable: true,
      configurable: true,
      get() { return state(this)[index]; },
      set(value) {
        const next = ops.op_v8ctx_url_set(state(this)[0], index, String(value));
        if (next === null) throw new TypeError(`Invalid URL: ${String(value)}`);
        parts.set(this, next);
        const own = params.get(this);
        if (own !== undefined && (index === 0 || index === 8)) updateParams(own, next[8]);
      },
    });
  });
  Object.defineProperty(URL.prototype, Symbol.toStringTag, { value: "URL", configurable: true });

  internals.define("URL", URL);
})(Deno.core, globalThis.__v8ctxInternals);
