//! Values as they cross to and from worker processes: pickles, made and read by
//! `v8ctx._process_wire` (which restricts what a worker may send to data and exceptions).

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

fn module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    MODULE
        .get_or_try_init(py, || Ok(py.import("v8ctx._process_wire")?.unbind()))
        .map(|module| module.bind(py))
}

pub(super) fn dumps(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    module(py)?.call_method1("dumps", (value,))?.extract()
}

/// What the parent sent a worker.
pub(super) fn loads<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    module(py)?.call_method1("loads", (pyo3::types::PyBytes::new(py, data),))
}

/// What a worker sent the parent: only data and exceptions.
pub(super) fn loads_from_worker<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    module(py)?.call_method1("loads_from_worker", (pyo3::types::PyBytes::new(py, data),))
}

/// An exception as a pickle; one that does not pickle travels as a RuntimeError naming it.
pub(super) fn dumps_exception(py: Python<'_>, err: PyErr) -> Vec<u8> {
    let value = err.into_value(py);
    dumps(py, value.bind(py).as_any())
        .or_else(|_| {
            let described = format!(
                "{}: {}",
                value
                    .bind(py)
                    .get_type()
                    .name()
                    .map_or_else(|_| "?".to_string(), |n| n.to_string()),
                value.bind(py)
            );
            dumps(
                py,
                pyo3::exceptions::PyRuntimeError::new_err(described)
                    .into_value(py)
                    .bind(py)
                    .as_any(),
            )
        })
        .unwrap_or_default()
}
