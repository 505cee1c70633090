// Node's `timers`: the global timers, and setImmediate as a zero-delay timeout (v8ctx has one
// event loop phase, so "after I/O" and "next timer turn" are the same moment).
((core, internals) => {
  "use strict";
  const { setTimeout, clearTimeout, setInterval, clearInterval } = globalThis;
  internals.builtins.set("timers", () => ({
    setTimeout, clearTimeout, setInterval, clearInterval,
    setImmediate: (callback, ...args) => setTimeout(callback, 0, ...args),
    clearImmediate: (id) => clearTimeout(id),
  }));
})(Deno.core, globalThis.__v8ctxInternals);
