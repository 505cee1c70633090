//! `v8ctx.Script`: code loaded with `Context.load`, whose top-level declarations stay private.
//!
//! The source is compiled as the body of a function (V8's CompileFunction, so line numbers stay
//! true) that ends by returning an evaluator, `(source) => eval(source)`. A direct eval there sees
//! the script's own `let`, `const`, `class`, `function` and `var` declarations first and the
//! Context's globals behind them, so the same library can be loaded any number of times without
//! "Identifier has already been declared". The runtime keeps the evaluator (a `v8::Global`) under a
//! key; dropping the Script releases the key, and with it everything only the script referenced.

use std::sync::Arc;

use deno_core::v8;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::arguments;
use crate::context::Context;
use crate::errors;
use crate::execute::{self, Target};
use crate::gil::without_gil;
use crate::release_queue::ReleaseQueue;

/// What `Context.load` appends to the source: the evaluator the wrapper function returns.
const EVALUATOR: &str = "\n;return (__v8ctx_source) => eval(__v8ctx_source);";

#[doc = stub_doc!("Script")]
#[pyclass(module = "v8ctx", frozen)]
pub struct Script {
    context: Py<Context>,
    key: u64,
    released: Arc<ReleaseQueue>,
}

impl Script {
    /// Runs `code` in `context` and returns the Script that reaches its declarations.
    pub fn load(
        py: Python<'_>,
        context: &Bound<'_, Context>,
        code: &str,
        name: &str,
        timeout: Option<f64>,
    ) -> PyResult<Script> {
        let (key, released) = context.get().run(py, timeout, |runtime, _deadline| {
            let evaluator = runtime.with_scope(|scope| {
                v8::tc_scope!(let scope, scope);
                let (body, origin) = execute::source(scope, &format!("{code}{EVALUATOR}"), name)?;
                let mut source = v8::script_compiler::Source::new(body, Some(&origin));
                let evaluator = without_gil(py, || {
                    let undefined = v8::undefined(scope).into();
                    let evaluator = v8::script_compiler::compile_function(
                        scope,
                        &mut source,
                        &[],
                        &[],
                        v8::script_compiler::CompileOptions::NoCompileOptions,
                        v8::script_compiler::NoCacheReason::NoReason,
                    )
                    .and_then(|wrapper| wrapper.call(scope, undefined, &[]));
                    scope.perform_microtask_checkpoint();
                    evaluator
                });
                let Some(evaluator) = evaluator else {
                    return Err(execute::caught(py, scope));
                };
                if !evaluator.is_function() {
                    return Err(errors::js_error_new(py, "Error", "the script did not load"));
                }
                Ok(v8::Global::new(scope, evaluator))
            })?;
            Ok(runtime.handles().borrow_mut().add(evaluator))
        })?;
        Ok(Script {
            context: context.clone().unbind(),
            key,
            released,
        })
    }
}

#[pymethods]
impl Script {
    #[doc = stub_doc!("Script.__reduce__")]
    fn __reduce__(&self) -> PyResult<()> {
        Err(crate::errors::not_picklable("Script"))
    }

    #[doc = stub_doc!("Script.call")]
    #[pyo3(signature = (name, args = None, *, auto_await = true, timeout = None))]
    fn call(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = arguments::name)] name: &str,
        args: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arguments::auto_await)] auto_await: bool,
        #[pyo3(from_py_with = arguments::timeout)] timeout: Option<f64>,
    ) -> PyResult<Py<PyAny>> {
        let args = execute::positional(args)?;
        self.context.get().run(py, timeout, |runtime, deadline| {
            let target = Target::InScript {
                script: self.key,
                name,
            };
            execute::call_function(py, runtime, target, &args, auto_await, deadline)
        })
    }

    #[doc = stub_doc!("Script.evaluate")]
    #[pyo3(signature = (expression, *, auto_await = true, timeout = None))]
    fn evaluate(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = arguments::expression)] expression: &str,
        #[pyo3(from_py_with = arguments::auto_await)] auto_await: bool,
        #[pyo3(from_py_with = arguments::timeout)] timeout: Option<f64>,
    ) -> PyResult<Py<PyAny>> {
        self.context.get().run(py, timeout, |runtime, deadline| {
            let completion = runtime.with_scope(|scope| {
                v8::tc_scope!(let scope, scope);
                let evaluator = execute::script_evaluator(py, scope, self.key)?;
                let source = v8::String::new(scope, expression)
                    .ok_or_else(|| PyRuntimeError::new_err("expression too long for V8"))?;
                let result = without_gil(py, || {
                    let undefined = v8::undefined(scope).into();
                    let result = evaluator.call(scope, undefined, &[source.into()]);
                    scope.perform_microtask_checkpoint();
                    result
                });
                execute::complete(py, scope, result, auto_await, true)
            })?;
            execute::settle(py, runtime, completion, deadline)
        })
    }

    #[doc = stub_doc!("Script.context")]
    #[getter]
    fn context(&self, py: Python<'_>) -> Py<Context> {
        self.context.clone_ref(py)
    }
}

impl Drop for Script {
    fn drop(&mut self) {
        // After a fork the queue's lock may be held by a thread that stayed in the parent.
        if crate::owner::forked() {
            return;
        }
        self.released.push(self.key);
    }
}
