//! What the host gives JavaScript beyond the language: the deno_core extension with v8ctx's ops.
//! The JavaScript side (console, timers, encoders, crypto) is in `js/bootstrap.js`.

use deno_core::{op2, OpState};
use deno_error::JsErrorBox;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// Where `console.*` output goes: a Python callable `(level, message)`, or the `v8ctx.console`
/// logger when None.
pub struct ConsoleSink(pub Option<Py<PyAny>>);

/// The console methods, in the order `bootstrap.js` numbers them, with their logging levels.
const LEVELS: [(&str, u8); 5] = [
    ("log", 20),
    ("info", 20),
    ("warn", 30),
    ("error", 40),
    ("debug", 10),
];

/// `console.*` from JavaScript; runs with the GIL released, so it takes it. Not a fast op: the
/// Python callable may run JavaScript in another Context, which fast calls forbid.
#[op2(nofast)]
fn op_v8ctx_console(state: &mut OpState, #[smi] level: u32, #[string] message: String) {
    let (name, logging_level) = LEVELS[(level as usize).min(LEVELS.len() - 1)];
    let sink = state.try_borrow::<ConsoleSink>().and_then(|sink| sink.0.as_ref());
    Python::attach(|py| {
        let delivered = match sink {
            Some(callable) => callable.bind(py).call1((name, message)).map(drop),
            None => logger(py).and_then(|logger| {
                logger.bind(py).call_method1("log", (logging_level, message)).map(drop)
            }),
        };
        // A failing console must not fail the script; report it as Python reports errors in
        // callbacks it cannot raise from.
        if let Err(err) = delivered {
            err.write_unraisable(py, None);
        }
    });
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

fn logger(py: Python<'_>) -> PyResult<&Py<PyAny>> {
    static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    LOGGER.get_or_try_init(py, || {
        py.import("logging")?
            .call_method1("getLogger", ("v8ctx.console",))
            .map(Bound::unbind)
    })
}

deno_core::extension!(v8ctx_host, ops = [op_v8ctx_console, op_v8ctx_random_fill]);
