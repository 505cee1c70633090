// Runs once in every new runtime, before any user code.
((core) => {
  // A rejected Promise nobody handles must not fail the next, unrelated call (deno_core's default
  // treats it as a fatal error); browsers only report it.
  core.setUnhandledPromiseRejectionHandler(() => true);
  // Third-party code probes for Deno and Node to pick a code path; look like a plain engine.
  delete globalThis.Deno;
  delete globalThis.__bootstrap;
})(Deno.core);
