// Node's `url`: the WHATWG URL classes, the file-URL helpers, and the legacy parse/format/resolve
// (RFC 3986's split, without Node's many quirks for malformed input).
((core, internals) => {
  "use strict";
  const { ops } = core;
  internals.builtins.set("url", (require) => {
    const { URL, URLSearchParams } = globalThis;
    const querystring = () => require("querystring");

    function fileURLToPath(url) {
      const parsed = typeof url === "string" ? new URL(url) : url;
      if (!(parsed instanceof URL)) throw new TypeError("The \"path\" argument must be of type string or an instance of URL");
      if (parsed.protocol !== "file:") {
        const error = new TypeError("The URL must be of scheme file");
        error.code = "ERR_INVALID_URL_SCHEME";
        throw error;
      }
      if (parsed.hostname !== "") throw new TypeError(`File URL host must be "localhost" or empty on linux`);
      if (/%2f/i.test(parsed.pathname)) throw new TypeError("File URL path must not include encoded / characters");
      return decodeURIComponent(parsed.pathname);
    }

    function pathToFileURL(path) {
      let absolute = String(path);
      if (!absolute.startsWith("/")) absolute = "/" + absolute;
      const url = new URL("file://");
      url.pathname = absolute.replace(/%/g, "%25").replace(/\\/g, "%5C").replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/\t/g, "%09");
      return url;
    }

    function Url() {
      this.protocol = null; this.slashes = null; this.auth = null; this.host = null; this.port = null;
      this.hostname = null; this.hash = null; this.search = null; this.query = null; this.pathname = null;
      this.path = null; this.href = null;
    }

    function parse(input, parseQueryString = false, slashesDenoteHost = false) {
      if (input instanceof Url) return input;
      if (typeof input !== "string") throw new TypeError(`The "url" argument must be of type string. Received ${typeof input}`);
      const url = new Url();
      const rest = input.trim();
      // RFC 3986, appendix B.
      const m = /^(?:([^:/?#]+:))?(?:(\/\/)([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/.exec(rest);
      const protocol = m[1] ? m[1].toLowerCase() : null;
      url.protocol = protocol;
      if (m[2] && (protocol !== null || slashesDenoteHost)) {
        url.slashes = true;
        let authority = m[3];
        const at = authority.lastIndexOf("@");
        if (at !== -1) { url.auth = decodeURIComponent(authority.slice(0, at)); authority = authority.slice(at + 1); }
        const port = /:(\d*)$/.exec(authority);
        if (port) { url.port = port[1] || null; authority = authority.slice(0, port.index); }
        url.hostname = authority.toLowerCase();
        url.host = url.hostname + (url.port ? ":" + url.port : "");
        url.pathname = m[4] || (url.hostname ? "/" : m[4]);
      } else {
        url.pathname = (m[2] ? "//" + m[3] : "") + m[4] || null;
      }
      url.search = m[5] && m[5] !== "?" ? m[5] : (m[5] === "?" ? "?" : null);
      url.query = m[5] ? m[5].slice(1) : null;
      if (parseQueryString) url.query = querystring().parse(url.query || "");
      url.hash = m[6] || null;
      url.path = (url.pathname || "") + (url.search || "") || null;
      url.href = format(url);
      return url;
    }

    function format(object) {
      if (typeof object === "string") object = parse(object);
      if (object instanceof URL) return object.href;
      let protocol = object.protocol || "";
      if (protocol && !protocol.endsWith(":")) protocol += ":";
      const auth = object.auth ? encodeURIComponent(object.auth).replace(/%3A/i, ":") + "@" : "";
      let host = "";
      if (object.host) host = auth + object.host;
      else if (object.hostname) host = auth + object.hostname + (object.port ? ":" + object.port : "");
      let pathname = object.pathname || "";
      let search = object.search || "";
      if (!search && object.query && typeof object.query === "object") {
        const query = querystring().stringify(object.query);
        if (query) search = "?" + query;
      } else if (!search && typeof object.query === "string" && object.query) search = "?" + object.query;
      if (search && !search.startsWith("?")) search = "?" + search;
      let hash = object.hash || "";
      if (hash && !hash.startsWith("#")) hash = "#" + hash;
      const slashed = object.slashes || /^(https?|ftp|gopher|file|wss?):$/.test(protocol);
      if (slashed && (object.slashes || host || protocol === "file:")) {
        if (pathname && !pathname.startsWith("/")) pathname = "/" + pathname;
        host = "//" + host;
      }
      return protocol + host + pathname + search + hash;
    }

    function resolve(from, to) {
      const base = new URL(from, "resolve://");
      const resolved = new URL(to, base);
      if (resolved.protocol === "resolve:") {
        const { pathname, search, hash } = resolved;
        return from.startsWith("/") || !/^[a-z][a-z0-9+.-]*:/i.test(from) ? pathname + search + hash : resolved.href;
      }
      return resolved.href;
    }

    return {
      URL, URLSearchParams, fileURLToPath, pathToFileURL, parse, format, resolve, Url,
      domainToASCII: (domain) => ops.op_v8ctx_domain_to_ascii(String(domain)),
    };
  });
})(Deno.core, globalThis.__v8ctxInternals);
