//! The deno_core extension v8ctx adds: its ops and the JavaScript of its host APIs (`js/`).
//!
//! Free of Python and of the rest of the crate on purpose: `build.rs` includes this folder to
//! build the startup snapshot, and a runtime made from that snapshot must be given the very same
//! extension. The console, randomness and timer ops are here; the others have a file each.

pub mod crypto;
pub mod encoding;
pub mod modules;
pub mod url;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use deno_core::{op2, v8, OpState};
use deno_error::JsErrorBox;

/// The origin a script or function compiled by v8ctx carries: `name` in stack traces, a
/// classic script (not a module, no source map).
pub fn script_origin<'s>(
    scope: &v8::PinScope<'s, '_>,
    name: v8::Local<'s, v8::String>,
) -> v8::ScriptOrigin<'s> {
    v8::ScriptOrigin::new(
        scope,
        name.into(),
        0,
        0,
        false,
        0,
        None,
        false,
        false,
        false,
        None,
    )
}

/// Whether the operation running now was told to stop (timeout, Ctrl-C, cancel), for ops that
/// loop long enough to need to know: `runtime.rs` puts `limits`' check in every runtime.
pub struct StopRequested(pub fn() -> bool);

/// The stop check of the runtime `state` belongs to; never stopping where none was put (while
/// the snapshot is built).
pub fn stop_requested(state: &OpState) -> fn() -> bool {
    state
        .try_borrow::<StopRequested>()
        .map_or(|| false, |check| check.0)
}

/// Where `console.*` output goes, as (level, message); `host.rs` makes one per Context.
/// Levels are numbered as in `bootstrap.js`: log, info, warn, error, debug.
pub struct ConsoleHook(pub Box<dyn Fn(u32, String)>);

/// `console.*` from JavaScript. Not a fast op: the hook may run JavaScript in another Context,
/// which fast calls forbid.
#[op2(nofast)]
fn op_v8ctx_console(state: &mut OpState, #[smi] level: u32, #[string] message: String) {
    if let Some(hook) = state.try_borrow::<ConsoleHook>() {
        (hook.0)(level, message);
    }
}

/// The number of the operation running now (counted by `runtime.rs`), which each timer records:
/// a stopped operation's timers are cancelled with it.
pub struct OperationNumber(pub Rc<Cell<u32>>);

#[op2(fast)]
fn op_v8ctx_operation(state: &mut OpState) -> u32 {
    state
        .try_borrow::<OperationNumber>()
        .map_or(0, |number| number.0.get())
}

/// Where an exception nothing caught in a callback of the event loop (a timer, a microtask) waits
/// for the operation it fails (`runtime.rs`); the first one is kept.
pub struct Uncaught(pub Rc<RefCell<Option<v8::Global<v8::Value>>>>);

/// deno_core's report of such an exception (`setReportExceptionCallback`, `bootstrap.js`). Its
/// own report terminates JavaScript in the middle of its timer dispatch, which then never
/// schedules the next timer: every later timer of the Context would never fire.
#[op2(nofast)]
fn op_v8ctx_uncaught<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    state: &mut OpState,
    error: v8::Local<'s, v8::Value>,
) {
    if let Some(uncaught) = state.try_borrow::<Uncaught>() {
        uncaught
            .0
            .borrow_mut()
            .get_or_insert_with(|| v8::Global::new(scope, error));
    }
}

/// Milliseconds on a monotonic clock, for `performance.now()` (which subtracts its time origin).
#[op2(fast)]
fn op_v8ctx_now() -> f64 {
    static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    EPOCH
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_secs_f64()
        * 1000.0
}

/// Fills `buffer` with random bytes from the operating system, for `crypto.getRandomValues`.
#[op2(fast)]
fn op_v8ctx_random_fill(#[buffer] buffer: &mut [u8]) -> Result<(), JsErrorBox> {
    let mut filled = 0;
    while filled < buffer.len() {
        let rest = &mut buffer[filled..];
        // SAFETY: writes at most rest.len() bytes into rest.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if n > 0 {
            filled += n as usize;
        } else if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            use std::io::Read;
            return std::fs::File::open("/dev/urandom")
                .and_then(|mut urandom| urandom.read_exact(rest))
                .map_err(|e| JsErrorBox::generic(format!("no source of random bytes: {e}")));
        }
    }
    Ok(())
}

deno_core::extension!(
    v8ctx_host,
    ops = [
        op_v8ctx_console,
        op_v8ctx_random_fill,
        op_v8ctx_operation,
        op_v8ctx_uncaught,
        op_v8ctx_now,
        crypto::op_v8ctx_digest,
        crypto::op_v8ctx_hmac,
        crypto::op_v8ctx_pbkdf2,
        crypto::op_v8ctx_aes,
        encoding::op_v8ctx_encoding_name,
        encoding::op_v8ctx_decoder_new,
        encoding::op_v8ctx_decoder_decode,
        encoding::op_v8ctx_decode_once,
        modules::op_v8ctx_require_resolve,
        modules::op_v8ctx_module_read,
        modules::op_v8ctx_commonjs_compile,
        url::op_v8ctx_url_parse,
        url::op_v8ctx_url_set,
        url::op_v8ctx_url_origin,
        url::op_v8ctx_domain_to_ascii,
    ],
    // In this order: each script may use what the ones before it defined.
    js = [
        dir "src/js",
        "internals.js",
        "context_features.js",
        "bootstrap.js",
        "web/dom_exception.js",
        "web/events.js",
        "web/blob.js",
        "web/url_search_params.js",
        "web/url.js",
        "web/encoding.js",
        "web/structured_clone.js",
        "web/performance.js",
        "web/crypto_ops.js",
        "web/subtle.js",
        "node/buffer.js",
        "node/events.js",
        "node/util.js",
        "node/path.js",
        "node/querystring.js",
        "node/string_decoder.js",
        "node/assert.js",
        "node/crypto.js",
        "node/url.js",
        "node/process.js",
        "node/timers.js",
        "node/require.js",
    ],
);
