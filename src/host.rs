//! Console output from JavaScript delivered to Python: a callable, or the `v8ctx.console` logger.

use std::sync::Arc;

use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::limits::Stops;
use crate::ops::ConsoleHook;

/// The console methods, numbered as `bootstrap.js` numbers them, with their logging levels.
const LEVELS: [(&str, u8); 5] = [
    ("log", 20),
    ("info", 20),
    ("warn", 30),
    ("error", 40),
    ("debug", 10),
];

/// The hook for a Context: `console(level, message)` if given, else the `v8ctx.console` logger.
/// It runs while JavaScript runs with the GIL released, so it takes the GIL.
pub fn console_hook(console: Option<Py<PyAny>>, stops: Arc<Stops>) -> ConsoleHook {
    ConsoleHook(Box::new(move |level, message| {
        Python::attach(|py| {
            let delivered = emit(py, console.as_ref(), level, &message);
            // A failing console must not fail the script; report it as Python reports errors in
            // callbacks it cannot raise from. Ctrl-C and exit are not failures: they stop the
            // script and reach the caller.
            match delivered {
                Ok(()) => {}
                Err(err) if !err.is_instance_of::<PyException>(py) => stops.raise(err),
                Err(err) => err.write_unraisable(py, None),
            }
        });
    }))
}

/// Delivers one line of console output at `level` (a number of `LEVELS`) to `console`, or to
/// the `v8ctx.console` logger.
pub fn emit(
    py: Python<'_>,
    console: Option<&Py<PyAny>>,
    level: u32,
    message: &str,
) -> PyResult<()> {
    let (name, logging_level) = LEVELS[(level as usize).min(LEVELS.len() - 1)];
    match console {
        Some(callable) => callable.bind(py).call1((name, message)).map(drop),
        None => logger(py).and_then(|logger| {
            logger
                .bind(py)
                .call_method1("log", (logging_level, message))
                .map(drop)
        }),
    }
}

/// Refuses a `console=` that cannot be called.
pub fn check_console(py: Python<'_>, console: Option<&Py<PyAny>>) -> PyResult<()> {
    match console {
        Some(console) if !console.bind(py).is_callable() => {
            Err(pyo3::exceptions::PyTypeError::new_err(
                "console must be a callable taking (level, message), or None for the \
                 'v8ctx.console' logger",
            ))
        }
        _ => Ok(()),
    }
}

/// The number of console method `name` (as `emit` takes it).
pub fn level_number(name: &str) -> u32 {
    LEVELS.iter().position(|(n, _)| *n == name).unwrap_or(0) as u32
}

fn logger(py: Python<'_>) -> PyResult<&Py<PyAny>> {
    static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    LOGGER.get_or_try_init(py, || {
        py.import("logging")?
            .call_method1("getLogger", ("v8ctx.console",))
            .map(Bound::unbind)
    })
}
