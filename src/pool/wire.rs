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

pub(crate) fn dumps(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    module(py)?.call_method1("dumps", (value,))?.extract()
}

/// What the parent sent a worker.
pub(crate) fn loads<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    module(py)?.call_method1("loads", (pyo3::types::PyBytes::new(py, data),))
}

/// What a worker sent the parent: only data and exceptions.
pub(crate) fn loads_from_worker<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    module(py)?.call_method1("loads_from_worker", (pyo3::types::PyBytes::new(py, data),))
}

/// An exception as a pickle; one that does not pickle travels as a RuntimeError naming it.
pub(crate) fn dumps_exception(py: Python<'_>, err: PyErr) -> Vec<u8> {
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

/// Which build of v8ctx this process imported, for a child process to check it runs the same.
pub(crate) fn build(py: Python<'_>) -> PyResult<String> {
    py.import("v8ctx._v8ctx")?.getattr("__file__")?.extract()
}

/// What a child process was asked to do: the dict its parent pickled, which must come from a
/// parent that imported this same build of v8ctx.
pub(crate) struct Spec<'py> {
    dict: Bound<'py, pyo3::types::PyDict>,
    /// Whose spec it is, for errors ("the worker's").
    of: &'static str,
}

impl<'py> Spec<'py> {
    pub(crate) fn from_parent(py: Python<'py>, payload: &[u8], of: &'static str) -> PyResult<Self> {
        let dict = loads(py, payload)?.cast_into::<pyo3::types::PyDict>()?;
        let spec = Spec { dict, of };
        let parent_build: String = spec.item("build")?.extract()?;
        let own_build = build(py)?;
        if parent_build != own_build {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                "the child process imported v8ctx from {own_build}, not from {parent_build} as \
                 its parent did"
            )));
        }
        Ok(spec)
    }

    pub(crate) fn item(&self, key: &str) -> PyResult<Bound<'py, PyAny>> {
        self.dict.get_item(key)?.ok_or_else(|| {
            pyo3::exceptions::PyRuntimeError::new_err(format!("{} spec lacks {key}", self.of))
        })
    }

    /// The browser globals the spec's `browser`, `user_agent` and `url` ask for.
    pub(crate) fn browser(&self) -> PyResult<Option<crate::browser::Browser>> {
        let user_agent: Option<String> = self.item("user_agent")?.extract()?;
        let url: Option<String> = self.item("url")?.extract()?;
        crate::browser::from_arguments(
            self.item("browser")?.extract()?,
            user_agent.as_deref(),
            url.as_deref(),
        )
    }
}
