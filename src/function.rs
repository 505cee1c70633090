//! `v8ctx.JSFunction`: a JavaScript function that reached Python (in a result, an argument of a
//! Python callable, or `Context.get`), callable from Python.
//!
//! It holds the function's key in its runtime's handle table (`handles.rs`) and the Context's
//! core, so it follows the Context's rules (owner thread only, `ContextClosedError` once closed)
//! and keeps the runtime alive while it lives. Passed back into the same Context it arrives as the
//! very same function.

use std::sync::Arc;

use deno_core::v8;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::arguments;
use crate::context::ContextCore;
use crate::execute::{self, Target};
use crate::handles::Handles;
use crate::release_queue::ReleaseQueue;

#[doc = stub_doc!("JSFunction")]
#[pyclass(module = "v8ctx", name = "JSFunction", frozen)]
pub struct JsFunction {
    context: Arc<ContextCore>,
    key: u64,
    released: Arc<ReleaseQueue>,
    name: String,
}

#[pymethods]
impl JsFunction {
    /// Calls the function with `args` (converted as `Context.call` converts them); a returned
    /// Promise is awaited.
    #[pyo3(signature = (*args, timeout = None))]
    fn __call__(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        #[pyo3(from_py_with = arguments::timeout)] timeout: Option<f64>,
    ) -> PyResult<Py<PyAny>> {
        let args: Vec<Bound<'_, PyAny>> = args.iter().collect();
        self.context.run(py, timeout, |runtime, deadline| {
            execute::call_function(py, runtime, Target::Handle(self.key), &args, true, deadline)
        })
    }

    #[doc = stub_doc!("JSFunction.name")]
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    #[doc = stub_doc!("JSFunction.__reduce__")]
    fn __reduce__(&self) -> PyResult<()> {
        Err(crate::errors::not_picklable("JSFunction"))
    }

    fn __repr__(&self) -> String {
        match self.name.as_str() {
            "" => "<v8ctx.JSFunction (anonymous)>".to_string(),
            name => format!("<v8ctx.JSFunction {name}>"),
        }
    }
}

impl Drop for JsFunction {
    fn drop(&mut self) {
        // After a fork the queue's lock may be held by a thread that stayed in the parent.
        if !crate::owner::forked() {
            self.released.push(self.key);
        }
    }
}

/// `function` as a `JSFunction` of the Context its isolate serves.
pub fn to_python<'py>(
    py: Python<'py>,
    scope: &v8::PinScope<'_, '_>,
    function: v8::Local<'_, v8::Function>,
) -> PyResult<Bound<'py, PyAny>> {
    let handles = Handles::of(scope).ok_or_else(no_home)?;
    let mut handles = handles.borrow_mut();
    let context = handles.home().ok_or_else(no_home)?;
    let name = name_of(scope, function);
    let value: v8::Local<v8::Value> = function.into();
    let (key, released) = handles.add(v8::Global::new(scope, value));
    Ok(Bound::new(
        py,
        JsFunction {
            context,
            key,
            released,
            name,
        },
    )?
    .into_any())
}

/// The name of `function`, or of the function a Proxy stands for. V8 answers `GetName` only for a
/// real function (on a callable Proxy it aborts the process), and asking the Proxy for its `name`
/// would run a trap: the target is read instead, which runs no JavaScript. A revoked Proxy's, or
/// one whose target is not a function, is empty.
fn name_of(scope: &v8::PinScope<'_, '_>, function: v8::Local<'_, v8::Function>) -> String {
    let mut value: v8::Local<v8::Value> = function.into();
    while let Ok(proxy) = v8::Local::<v8::Proxy>::try_from(value) {
        value = proxy.get_target(scope);
    }
    match v8::Local::<v8::Function>::try_from(value) {
        Ok(function) => function.get_name(scope).to_rust_string_lossy(scope),
        Err(_) => String::new(),
    }
}

/// The function a `JSFunction` stands for, if it belongs to the Context of `scope`.
pub fn to_js<'s>(
    scope: &v8::PinScope<'s, '_>,
    function: &JsFunction,
) -> PyResult<v8::Local<'s, v8::Value>> {
    let handles = Handles::of(scope).ok_or_else(no_home)?;
    let handles = handles.borrow();
    let same_context = handles
        .home()
        .is_some_and(|home| home.key() == function.context.key());
    if !same_context {
        return Err(PyValueError::new_err(format!(
            "{} belongs to another Context: a JavaScript function can only be passed back into \
             the Context it came from",
            function.__repr__()
        )));
    }
    let kept = handles
        .get(function.key)
        .ok_or_else(|| PyValueError::new_err("this JSFunction was released"))?;
    Ok(v8::Local::new(scope, kept))
}

fn no_home() -> PyErr {
    PyTypeError::new_err(
        "a JavaScript function cannot leave a Pool worker: its isolate lives on the worker's \
         thread (return data, or call the function inside JavaScript)",
    )
}
