//! The Node built-in modules v8ctx provides (written in `js/node/`), with the names an ES module
//! can import from each, and the ones it knowingly does not provide.

/// Each provided module with its named exports for `import { x } from "node:<name>"` (an ES
/// module also gets `default`, the whole of `module.exports`).
const PROVIDED: &[(&str, &[&str])] = &[
    (
        "assert",
        &[
            "ok",
            "equal",
            "notEqual",
            "strictEqual",
            "notStrictEqual",
            "deepEqual",
            "deepStrictEqual",
            "notDeepStrictEqual",
            "throws",
            "doesNotThrow",
            "rejects",
            "fail",
            "match",
            "AssertionError",
            "strict",
        ],
    ),
    (
        "buffer",
        &[
            "Buffer",
            "kMaxLength",
            "constants",
            "SlowBuffer",
            "Blob",
            "atob",
            "btoa",
        ],
    ),
    (
        "crypto",
        &[
            "createHash",
            "createHmac",
            "getHashes",
            "randomBytes",
            "randomFillSync",
            "randomInt",
            "randomUUID",
            "pbkdf2",
            "pbkdf2Sync",
            "timingSafeEqual",
            "createCipheriv",
            "createDecipheriv",
            "webcrypto",
            "subtle",
            "getRandomValues",
        ],
    ),
    ("events", &["EventEmitter", "once", "errorMonitor"]),
    (
        "path",
        &[
            "join",
            "resolve",
            "normalize",
            "dirname",
            "basename",
            "extname",
            "relative",
            "isAbsolute",
            "parse",
            "format",
            "sep",
            "delimiter",
            "posix",
        ],
    ),
    (
        "process",
        &[
            "env", "argv", "platform", "version", "versions", "nextTick", "cwd",
        ],
    ),
    (
        "querystring",
        &[
            "parse",
            "stringify",
            "escape",
            "unescape",
            "decode",
            "encode",
        ],
    ),
    ("string_decoder", &["StringDecoder"]),
    (
        "timers",
        &[
            "setTimeout",
            "clearTimeout",
            "setInterval",
            "clearInterval",
            "setImmediate",
            "clearImmediate",
        ],
    ),
    (
        "url",
        &["URL", "URLSearchParams", "fileURLToPath", "pathToFileURL"],
    ),
    (
        "util",
        &[
            "format",
            "inspect",
            "inherits",
            "promisify",
            "callbackify",
            "deprecate",
            "isDeepStrictEqual",
            "types",
            "TextEncoder",
            "TextDecoder",
            "debuglog",
        ],
    ),
];

/// Node built-ins v8ctx does not provide: requiring one is an error naming it, not a search
/// of `node_modules`.
pub const UNPROVIDED: &[&str] = &[
    "async_hooks",
    "child_process",
    "cluster",
    "console",
    "constants",
    "dgram",
    "diagnostics_channel",
    "dns",
    "domain",
    "fs",
    "http",
    "http2",
    "https",
    "inspector",
    "module",
    "net",
    "os",
    "perf_hooks",
    "punycode",
    "readline",
    "repl",
    "stream",
    "sys",
    "tls",
    "trace_events",
    "tty",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
];

/// The provided built-in called `name`, if any.
pub fn named(name: &str) -> Option<&'static str> {
    PROVIDED.iter().find(|(n, _)| *n == name).map(|(n, _)| *n)
}

/// The named exports an ES module can import from built-in `name`.
pub fn exports(name: &str) -> &'static [&'static str] {
    PROVIDED
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(&[], |(_, exports)| exports)
}
