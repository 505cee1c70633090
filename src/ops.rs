//! The deno_core extension v8ctx adds: its ops and the bootstrap JavaScript (`js/bootstrap.js`).
//!
//! Free of Python on purpose: `build.rs` includes this file to build the startup snapshot, and a
//! runtime made from that snapshot must be given the very same extension.

use std::cell::Cell;
use std::rc::Rc;

use deno_core::{op2, OpState};
use deno_error::JsErrorBox;

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
    ops = [op_v8ctx_console, op_v8ctx_random_fill, op_v8ctx_operation],
    js = [dir "src/js", "bootstrap.js"],
);
