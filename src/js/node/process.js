// Node's `process`, as far as pure code uses it: CommonJS modules see it as a free variable (as
// in Node) and `require("process")` returns it; the Context's global scope has none, so probes
// for Node do not take v8ctx for it. `browser: true` and the absent `versions.node` steer
// packages to their browser code paths, which need no file system.
((core, internals) => {
  "use strict";
  internals.builtins.set("process", (require) => {
    const listeners = () => process;
    const start = Date.now();
    const process = {
      title: "v8ctx",
      browser: true,
      env: {},
      argv: [],
      execArgv: [],
      platform: "linux",
      arch: "x64",
      pid: 1,
      version: "",
      versions: {},
      release: { name: "v8ctx" },
      exitCode: undefined,
      cwd: () => "/",
      chdir() { throw new Error("process.chdir() is not available in v8ctx"); },
      exit() { throw new Error("process.exit() is not available in v8ctx"); },
      abort() { throw new Error("process.abort() is not available in v8ctx"); },
      umask: () => 0o22,
      uptime: () => (Date.now() - start) / 1000,
      nextTick(callback, ...args) {
        if (typeof callback !== "function") throw new TypeError("The \"callback\" argument must be of type function");
        queueMicrotask(() => callback(...args));
      },
      hrtime(previous) {
        const now = performance.now();
        let seconds = Math.floor(now / 1000), nanos = Math.floor((now % 1000) * 1e6);
        if (previous) {
          seconds -= previous[0];
          nanos -= previous[1];
          if (nanos < 0) { seconds -= 1; nanos += 1e9; }
        }
        return [seconds, nanos];
      },
      emitWarning(warning) { console.warn(typeof warning === "string" ? `Warning: ${warning}` : warning); },
      on: listeners, once: listeners, off: listeners, addListener: listeners, removeListener: listeners,
      removeAllListeners: listeners, prependListener: listeners, emit: () => false,
      listeners: () => [], listenerCount: () => 0,
      stdout: { isTTY: false, write: (chunk) => { console.log(String(chunk).replace(/\n$/, "")); return true; } },
      stderr: { isTTY: false, write: (chunk) => { console.error(String(chunk).replace(/\n$/, "")); return true; } },
      memoryUsage: () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }),
    };
    process.hrtime.bigint = () => BigInt(Math.floor(performance.now() * 1e6));
    return process;
  });
})(Deno.core, globalThis.__v8ctxInternals);
