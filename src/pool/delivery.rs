//! Results reaching their callers: a blocked thread's channel, or an asyncio future settled on
//! its own event loop; and the cancel of a future's job.

use std::sync::Weak;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

use super::shared::{Reply, Shared};

/// Called by asyncio when a `call_async`/`evaluate_async` future is done: if it was cancelled,
/// its job is dropped from the queue or, running, terminated, so it holds no worker.
#[pyclass(frozen)]
pub(super) struct JobCanceller {
    pub(super) shared: Weak<Shared>,
    pub(super) id: u64,
}

#[pymethods]
impl JobCanceller {
    fn __call__(&self, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if !future.call_method0("cancelled")?.is_truthy()? {
            return Ok(());
        }
        let Some(shared) = self.shared.upgrade() else {
            return Ok(());
        };
        let dropped = {
            let mut state = shared.state.lock();
            if let Some(stops) = state.running.get(&self.id) {
                stops.abandon(self.id);
            }
            let queued = state.queue.iter().position(|job| job.id == self.id);
            queued.and_then(|at| state.queue.remove(at))
        };
        drop(dropped); // its arguments are released with the GIL held, outside the lock
        Ok(())
    }
}

/// Hands a job's result to whoever waits for it.
pub(super) fn deliver(py: Python<'_>, reply: Reply, result: PyResult<Py<PyAny>>) {
    match reply {
        Reply::Blocking(sender) => {
            let _ = sender.send(result);
        }
        Reply::Future { event_loop, future } => {
            let (ok, value) = match result {
                Ok(value) => (true, value),
                Err(err) => (false, err.into_value(py).into_any()),
            };
            let delivered = settle_future(py).and_then(|settle| {
                event_loop
                    .bind(py)
                    .call_method1("call_soon_threadsafe", (settle, future, ok, value))
            });
            if let Err(err) = delivered {
                // Nobody can await a future whose event loop is closed: the result has no
                // taker. Anything else is reported.
                let closed = event_loop
                    .bind(py)
                    .call_method0("is_closed")
                    .and_then(|closed| closed.is_truthy())
                    .unwrap_or(false);
                if !closed {
                    err.write_unraisable(py, None);
                }
            }
        }
    }
}

/// `deliver` from a worker that does not hold the GIL: a blocked caller takes the GIL as soon
/// as it has its result, so the worker must have let go of it by then (`handoff.rs`).
pub(super) fn deliver_detached(reply: Reply, result: PyResult<Py<PyAny>>) {
    match reply {
        Reply::Blocking(sender) => {
            if let Err(unsent) = sender.send(result) {
                // The caller gave up waiting (Ctrl-C): release the result with the GIL held.
                Python::attach(|_| drop(unsent));
            }
        }
        future => Python::attach(|py| deliver(py, future, result)),
    }
}

/// `(future, ok, value)`: sets the result or exception of an asyncio future unless cancelled.
fn settle_future(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static SETTLE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    SETTLE
        .get_or_try_init(py, || {
            let code = c"def settle(future, ok, value):\n    if not future.cancelled():\n        (future.set_result if ok else future.set_exception)(value)\n";
            let namespace = PyDict::new(py);
            py.run(code, Some(&namespace), None)?;
            namespace.get_item("settle")?.map(Bound::unbind).ok_or_else(|| {
                PyRuntimeError::new_err("settle helper missing")
            })
        })
        .map(|settle| settle.bind(py))
}
