//! `v8ctx.Context`: the Python class, its lifecycle and the thread checks.
//!
//! The object itself holds no V8 state, only the key of its runtime in its owner thread's table
//! (see `owner`), so it is `Send` and the garbage collector may drop it on any thread.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use deno_core::v8;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::convert::{self, Path};
use crate::errors;
use crate::owner::{self, OwnerThread};
use crate::runtime::{without_gil, Runtime, SettleError};

/// The name scripts run by `compile`, `evaluate` and `eval` carry in stack traces.
const SCRIPT_NAME: &str = "<v8ctx>";

/// A JavaScript global scope in its own V8 isolate, owned by the thread that creates it.
#[pyclass(module = "v8ctx", frozen)]
pub struct Context {
    key: u64,
    owner: Arc<OwnerThread>,
    closed: AtomicBool,
}

/// What an operation left to do once its JavaScript returned.
enum Completion {
    Value(Py<PyAny>),
    /// A Promise still pending, to settle by running the event loop.
    Pending(v8::Global<v8::Promise>),
}

#[pymethods]
impl Context {
    #[new]
    fn new(py: Python<'_>) -> PyResult<Self> {
        if owner::forked() {
            return Err(fork_error());
        }
        owner::watch_for_fork();
        owner::dispose_released();
        let runtime = without_gil(py, || Runtime::new(None)).map_err(PyRuntimeError::new_err)?;
        let (key, owner) = owner::adopt(py, runtime, thread_name(py))?;
        Ok(Context {
            key,
            owner,
            closed: AtomicBool::new(false),
        })
    }

    /// Runs `code` as a classic script in the global scope; identical source runs once.
    fn compile(&self, py: Python<'_>, code: &str) -> PyResult<()> {
        self.with_runtime(py, |runtime| {
            if !runtime.remember_source(code) {
                return Ok(());
            }
            run_script(py, runtime, code, false, false).map(drop).inspect_err(|_| {
                runtime.forget_source(code);
            })
        })
    }

    /// Calls the global function `name` (dotted names reach into objects) with `args`.
    #[pyo3(signature = (name, args = None, *, auto_await = true))]
    fn call(
        &self,
        py: Python<'_>,
        name: &str,
        args: Option<&Bound<'_, PyAny>>,
        auto_await: bool,
    ) -> PyResult<Py<PyAny>> {
        let args = positional(args)?;
        self.with_runtime(py, |runtime| {
            let completion = runtime.with_scope(|scope| {
                v8::tc_scope!(let scope, scope);
                let (function, this) = find_function(py, scope, name)?;
                let argv = args
                    .iter()
                    .enumerate()
                    .map(|(i, arg)| convert::to_js(scope, &arg, &mut Path::indexed("args", i)))
                    .collect::<PyResult<Vec<_>>>()?;
                let result = without_gil(py, || {
                    let result = function.call(scope, this, &argv);
                    scope.perform_microtask_checkpoint();
                    result
                });
                complete(py, scope, result, auto_await, true)
            })?;
            settle(py, runtime, completion)
        })
    }

    /// Runs `code` as a script and returns its completion value.
    #[pyo3(signature = (code, *, auto_await = true))]
    fn evaluate(&self, py: Python<'_>, code: &str, auto_await: bool) -> PyResult<Py<PyAny>> {
        self.with_runtime(py, |runtime| run_script(py, runtime, code, auto_await, true))
    }

    /// never_jscore's `eval`: runs `code`, returning its value only if `return_value`.
    #[pyo3(signature = (code, return_value = false, auto_await = true))]
    fn eval(
        &self,
        py: Python<'_>,
        code: &str,
        return_value: bool,
        auto_await: bool,
    ) -> PyResult<Py<PyAny>> {
        self.with_runtime(py, |runtime| run_script(py, runtime, code, auto_await, return_value))
    }

    /// A full, compacting garbage collection.
    fn gc(&self, py: Python<'_>) -> PyResult<()> {
        self.with_runtime(py, |runtime| {
            without_gil(py, || runtime.collect_garbage());
            Ok(())
        })
    }

    /// V8's heap statistics for this isolate, in bytes.
    fn heap_stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.with_runtime(py, |runtime| {
            let stats = PyDict::new(py);
            for (name, value) in runtime.heap_stats() {
                stats.set_item(name, value)?;
            }
            Ok(stats)
        })
    }

    /// Disposes the isolate (on a foreign thread: marks it closed and leaves disposal to the owner).
    fn close(&self) {
        if !self.closed.swap(true, Ordering::AcqRel) {
            owner::release(self.key, &self.owner);
        }
    }

    #[getter]
    fn closed(&self) -> bool {
        self.closed.load(Ordering::Acquire) || !self.owner.is_alive()
    }

    fn __enter__(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        slf.get().runtime(slf.py())?;
        Ok(slf)
    }

    fn __exit__(
        &self,
        _exc_type: Option<&Bound<'_, PyAny>>,
        _exc: Option<&Bound<'_, PyAny>>,
        _traceback: Option<&Bound<'_, PyAny>>,
    ) {
        self.close();
    }

    fn __repr__(&self) -> String {
        let state = if self.closed() { "closed" } else { "open" };
        format!("<v8ctx.Context {state}, owned by thread {:?}>", self.owner.name)
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        self.close();
    }
}

impl Context {
    /// The runtime, if this thread may use it now; the error says why not.
    fn runtime(&self, py: Python<'_>) -> PyResult<Rc<RefCell<Runtime>>> {
        if owner::forked() {
            return Err(fork_error());
        }
        if self.closed.load(Ordering::Acquire) {
            return Err(errors::context_closed(py, "this Context is closed".to_string()));
        }
        if !self.owner.is_alive() {
            return Err(errors::context_closed(
                py,
                format!(
                    "this Context's owner thread {:?} has exited, which disposed its isolate; \
                     create a new Context on this thread",
                    self.owner.name
                ),
            ));
        }
        if owner::current_thread() != self.owner.ident {
            return Err(errors::wrong_thread(
                py,
                format!(
                    "this Context belongs to thread {:?} and cannot be used from thread {:?}: a V8 \
                     isolate runs only on the thread that created it. Create one Context per \
                     thread (threading.local() keeps one for each thread), or share JavaScript \
                     across threads with v8ctx.Pool",
                    self.owner.name,
                    thread_name(py)
                ),
            ));
        }
        owner::runtime(self.key)
            .ok_or_else(|| errors::context_closed(py, "this Context is closed".to_string()))
    }

    fn with_runtime<R>(
        &self,
        py: Python<'_>,
        operation: impl FnOnce(&mut Runtime) -> PyResult<R>,
    ) -> PyResult<R> {
        let runtime = self.runtime(py)?;
        let mut runtime = runtime.try_borrow_mut().map_err(|_| {
            PyRuntimeError::new_err(
                "this Context is already running JavaScript further up the stack (a callback \
                 from JavaScript called back into it); re-entrant calls are not supported",
            )
        })?;
        operation(&mut runtime)
    }
}

/// Runs a classic script; returns its completion value if `want_value`.
fn run_script(
    py: Python<'_>,
    runtime: &mut Runtime,
    code: &str,
    auto_await: bool,
    want_value: bool,
) -> PyResult<Py<PyAny>> {
    let completion = runtime.with_scope(|scope| {
        v8::tc_scope!(let scope, scope);
        let source = v8::String::new(scope, code)
            .ok_or_else(|| PyRuntimeError::new_err("source too long for V8"))?;
        let name = v8::String::new(scope, SCRIPT_NAME).expect("a short constant string");
        let origin = v8::ScriptOrigin::new(
            scope, name.into(), 0, 0, false, 0, None, false, false, false, None,
        );
        let result = without_gil(py, || {
            let result = v8::Script::compile(scope, source, Some(&origin))
                .and_then(|script| script.run(scope));
            scope.perform_microtask_checkpoint();
            result
        });
        complete(py, scope, result, auto_await, want_value)
    })?;
    settle(py, runtime, completion)
}

/// Converts what JavaScript returned, or the exception it threw; leaves a pending Promise to
/// `settle`.
fn complete<'s>(
    py: Python<'_>,
    scope: &mut v8::PinnedRef<'_, v8::TryCatch<'_, 's, v8::HandleScope<'_>>>,
    result: Option<v8::Local<'s, v8::Value>>,
    auto_await: bool,
    want_value: bool,
) -> PyResult<Completion> {
    let Some(value) = result else {
        return Err(caught(py, scope));
    };
    if !want_value {
        return Ok(Completion::Value(py.None()));
    }
    if let Ok(promise) = v8::Local::<v8::Promise>::try_from(value) {
        if !auto_await {
            return Ok(Completion::Value(py.None()));
        }
        return match promise.state() {
            v8::PromiseState::Pending => {
                Ok(Completion::Pending(v8::Global::new(scope, promise)))
            }
            _ => settled(py, scope, promise).map(Completion::Value),
        };
    }
    let converted = convert::to_python(py, scope, value, "result")?;
    Ok(Completion::Value(converted.unbind()))
}

/// The exception a TryCatch caught, as a JSError.
fn caught(py: Python<'_>, scope: &v8::PinnedRef<'_, v8::TryCatch<'_, '_, v8::HandleScope<'_>>>) -> PyErr {
    match scope.exception() {
        Some(exception) => errors::from_exception(py, scope, exception, scope.message()),
        None => errors::js_error_new(py, "Error", "JavaScript execution was terminated"),
    }
}

/// The value of a settled Promise, or its rejection as a JSError.
fn settled<'s>(
    py: Python<'_>,
    scope: &v8::PinScope<'s, '_>,
    promise: v8::Local<'s, v8::Promise>,
) -> PyResult<Py<PyAny>> {
    let result = promise.result(scope);
    if promise.state() == v8::PromiseState::Rejected {
        // Handled now: keep it from being reported as an unhandled rejection as well.
        promise.mark_as_handled();
        return Err(errors::from_exception(py, scope, result, None));
    }
    Ok(convert::to_python(py, scope, result, "result")?.unbind())
}

/// Finishes an operation: runs the event loop until a pending Promise settles.
fn settle(py: Python<'_>, runtime: &mut Runtime, completion: Completion) -> PyResult<Py<PyAny>> {
    let promise = match completion {
        Completion::Value(value) => return Ok(value),
        Completion::Pending(promise) => promise,
    };
    match without_gil(py, || runtime.settle(&promise)) {
        Ok(()) => {}
        Err(SettleError::NeverSettles) => {
            return Err(errors::js_error_new(
                py,
                "Error",
                "the Promise never settles: nothing left in the event loop (no timer, no pending \
                 operation) can resolve or reject it",
            ))
        }
        Err(SettleError::EventLoop(error)) => {
            return Err(errors::js_error_new(py, "Error", &error.to_string()))
        }
    }
    runtime.with_scope(|scope| {
        v8::tc_scope!(let scope, scope);
        let promise = v8::Local::new(scope, &promise);
        settled(py, scope, promise)
    })
}

/// Finds the function `name` ("f" or "a.b.f") and the `this` to call it with.
fn find_function<'s>(
    py: Python<'_>,
    scope: &v8::PinScope<'s, '_>,
    name: &str,
) -> PyResult<(v8::Local<'s, v8::Function>, v8::Local<'s, v8::Value>)> {
    let mut holder = scope.get_current_context().global(scope);
    let mut this: v8::Local<v8::Value> = v8::undefined(scope).into();
    let segments: Vec<&str> = name.split('.').collect();
    for (i, segment) in segments.iter().enumerate() {
        let reached = segments[..=i].join(".");
        let key = v8::String::new(scope, segment)
            .ok_or_else(|| PyRuntimeError::new_err("name too long for V8"))?;
        let value = holder.get(scope, key.into()).ok_or_else(|| {
            errors::js_error_new(py, "Error", &format!("reading {reached} threw"))
        })?;
        if value.is_undefined() {
            return Err(errors::js_error_new(
                py,
                "ReferenceError",
                &format!("{reached} is not defined"),
            ));
        }
        if i + 1 == segments.len() {
            let function = v8::Local::<v8::Function>::try_from(value).map_err(|_| {
                errors::js_error_new(py, "TypeError", &format!("{reached} is not a function"))
            })?;
            return Ok((function, this));
        }
        holder = match value.to_object(scope) {
            Some(object) if value.is_object() => object,
            _ => {
                return Err(errors::js_error_new(
                    py,
                    "TypeError",
                    &format!("{reached} is not an object, so {name} cannot be reached"),
                ))
            }
        };
        this = value;
    }
    Err(PyTypeError::new_err("the function name must not be empty"))
}

/// `args` as a sequence of positional arguments.
fn positional<'py>(args: Option<&Bound<'py, PyAny>>) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let Some(args) = args else {
        return Ok(Vec::new());
    };
    if let Ok(list) = args.cast::<PyList>() {
        return Ok(list.iter().collect());
    }
    if let Ok(tuple) = args.cast::<PyTuple>() {
        return Ok(tuple.iter().collect());
    }
    Err(PyTypeError::new_err(format!(
        "args must be a list or tuple of positional arguments, not {}",
        args.get_type().name()?
    )))
}

/// The calling thread's Python name.
fn thread_name(py: Python<'_>) -> String {
    py.import("threading")
        .and_then(|threading| threading.call_method0("current_thread"))
        .and_then(|thread| thread.getattr("name"))
        .and_then(|name| name.extract())
        .unwrap_or_else(|_| "<unknown>".to_string())
}

fn fork_error() -> PyErr {
    PyRuntimeError::new_err(
        "V8 does not survive os.fork(): this process was forked after V8 started in its parent, \
         so it cannot run JavaScript. Start worker processes with the 'spawn' start method \
         (multiprocessing.get_context('spawn')) and create Contexts in them",
    )
}
