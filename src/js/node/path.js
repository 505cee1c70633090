// Node's `path` module, POSIX flavour, with "/" as the working directory that resolve() starts
// from (v8ctx has no file system). path.posix is the module itself; path.win32 is not provided.
((core, internals) => {
  "use strict";
  internals.builtins.set("path", (require) => {
    const { validateString, validateObject } = internals.nodeShared;
    const cwd = "/";

    // "." and empty segments dropped, ".." taking away the segment before it (or kept, at the
    // start of a relative path).
    function normalizeSegments(path, allowAboveRoot) {
      const out = [];
      for (const segment of path.split("/")) {
        if (segment === "" || segment === ".") continue;
        if (segment === "..") {
          if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
          else if (allowAboveRoot) out.push("..");
        } else out.push(segment);
      }
      return out.join("/");
    }

    function normalize(path) {
      validateString(path, "path");
      if (path.length === 0) return ".";
      const absolute = path[0] === "/";
      const trailing = path[path.length - 1] === "/";
      let result = normalizeSegments(path, !absolute);
      if (result.length === 0) {
        if (absolute) return "/";
        return trailing ? "./" : ".";
      }
      if (trailing) result += "/";
      return absolute ? `/${result}` : result;
    }

    function join(...paths) {
      let joined;
      for (const path of paths) {
        validateString(path, "path");
        if (path.length > 0) joined = joined === undefined ? path : `${joined}/${path}`;
      }
      return joined === undefined ? "." : normalize(joined);
    }

    function resolve(...paths) {
      let resolved = "", absolute = false;
      for (let i = paths.length - 1; i >= -1 && !absolute; i--) {
        const path = i >= 0 ? paths[i] : cwd;
        validateString(path, `paths[${i}]`);
        if (path.length === 0) continue;
        resolved = `${path}/${resolved}`;
        absolute = path[0] === "/";
      }
      resolved = normalizeSegments(resolved, !absolute);
      if (absolute) return `/${resolved}`;
      return resolved.length > 0 ? resolved : ".";
    }

    function isAbsolute(path) {
      validateString(path, "path");
      return path.length > 0 && path[0] === "/";
    }

    function relative(from, to) {
      validateString(from, "from");
      validateString(to, "to");
      if (from === to) return "";
      const fromParts = resolve(from).split("/").filter(Boolean);
      const toParts = resolve(to).split("/").filter(Boolean);
      let common = 0;
      while (common < fromParts.length && common < toParts.length && fromParts[common] === toParts[common]) common++;
      return [...fromParts.slice(common).map(() => ".."), ...toParts.slice(common)].join("/");
    }

    // The last segment's span, trailing slashes left out: [start, end), or end 0 when there is none.
    function lastSegment(path) {
      let end = path.length;
      while (end > 0 && path[end - 1] === "/") end--;
      const start = end === 0 ? 0 : path.lastIndexOf("/", end - 1) + 1;
      return [start, end];
    }

    function dirname(path) {
      validateString(path, "path");
      if (path.length === 0) return ".";
      let i = path.length - 1;
      while (i >= 1 && path[i] === "/") i--;
      while (i >= 1 && path[i] !== "/") i--;
      if (i < 1) return path[0] === "/" ? "/" : ".";
      if (i === 1 && path[0] === "/") return "//";
      return path.slice(0, i);
    }

    function basename(path, suffix) {
      if (suffix !== undefined) validateString(suffix, "suffix");
      validateString(path, "path");
      const [start, end] = lastSegment(path);
      const base = path.slice(start, end);
      if (suffix === undefined || suffix.length === 0 || suffix.length > path.length) return base;
      if (suffix === path) return "";
      // Node matches the suffix from the end of the last segment: a whole match leaves the
      // segment as it is, and a suffix longer than the segment that ends with all of it gives the
      // segment with its trailing slashes.
      if (base.endsWith(suffix)) return base.length === suffix.length ? base : base.slice(0, base.length - suffix.length);
      if (suffix.endsWith(base)) return path.slice(start);
      return base;
    }

    // The extension of a segment: from its last dot, unless the dot starts it (".profile") or the
    // segment is "..".
    function extensionOf(base) {
      const dot = base.lastIndexOf(".");
      if (dot <= 0 || base === "..") return "";
      return base.slice(dot);
    }

    function extname(path) {
      validateString(path, "path");
      const [start, end] = lastSegment(path);
      return extensionOf(path.slice(start, end));
    }

    function parse(path) {
      validateString(path, "path");
      const result = { root: "", dir: "", base: "", ext: "", name: "" };
      if (path.length === 0) return result;
      const absolute = path[0] === "/";
      if (absolute) result.root = "/";
      const [start, end] = lastSegment(path);
      if (end > 0) {
        result.base = path.slice(start, end);
        // Node's parse() gives "/.." the extension "." (its extname() gives none).
        result.ext = absolute && start === 1 && result.base === ".." ? "." : extensionOf(result.base);
        result.name = result.base.slice(0, result.base.length - result.ext.length);
      }
      if (start > 0) result.dir = path.slice(0, Math.max(start - 1, 1));
      else if (absolute) result.dir = "/";
      if (end === 0 || (start === 0 && absolute)) result.dir = absolute ? "/" : "";
      return result;
    }

    function format(pathObject) {
      validateObject(pathObject, "pathObject");
      const dir = pathObject.dir || pathObject.root;
      const ext = pathObject.ext ? `${pathObject.ext[0] === "." ? "" : "."}${pathObject.ext}` : "";
      const base = pathObject.base || `${pathObject.name || ""}${ext}`;
      if (!dir) return base;
      return dir === pathObject.root ? `${dir}${base}` : `${dir}/${base}`;
    }

    const toNamespacedPath = (path) => path;

    const path = {
      resolve, normalize, isAbsolute, join, relative, toNamespacedPath, dirname, basename, extname, format, parse,
      sep: "/", delimiter: ":", _makeLong: toNamespacedPath,
    };
    path.posix = path;
    return path;
  });
})(Deno.core, globalThis.__v8ctxInternals);
