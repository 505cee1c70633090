//! `v8ctx.Context`: the Python class, its lifecycle and the thread checks.
//!
//! The object itself holds no V8 state, only the key of its runtime in its owner thread's table
//! (see `owner`), so it is `Send` and the garbage collector may drop it on any thread. That key
//! and the thread checks live in a `ContextCore`, which the Context shares with the `JSFunction`s
//! it returned: the runtime is released when `close()` is called or the last of them is gone.

use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::arguments;
use crate::awaiting;
use crate::bridge;
use crate::browser;
use crate::errors;
use crate::execute::{self, Target};
use crate::gil::without_gil;
use crate::host;
use crate::limits;
use crate::modules;
use crate::owner::{self, OwnerThread};
use crate::runtime::{self, Runtime};
use crate::script::Script;
use crate::snapshot::Snapshot;

/// The smallest heap limit a Context accepts: V8 and the bootstrap need a few megabytes.
const MIN_HEAP_MB: usize = 16;

#[doc = stub_doc!("Context")]
#[doc = ""]
#[doc = stub_doc!("Context.__new__")]
#[pyclass(module = "v8ctx", frozen)]
pub struct Context {
    core: Arc<ContextCore>,
}

/// What a Context and its `JSFunction`s share: the runtime's key, its owner, and why it closed.
pub struct ContextCore {
    key: u64,
    owner: Arc<OwnerThread>,
    closed: AtomicBool,
    /// Why the Context was closed, when it was not the user's `close()`.
    closed_because: Mutex<Option<String>>,
    default_timeout: Option<Duration>,
    max_heap_mb: Option<usize>,
}

#[pymethods]
impl Context {
    #[new]
    #[pyo3(signature = (
        *, timeout = None, max_heap_mb = None, console = None, random_seed = None, globals = None,
        modules = None, browser = false, user_agent = None, url = None, snapshot = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        #[pyo3(from_py_with = arguments::timeout)] timeout: Option<f64>,
        #[pyo3(from_py_with = arguments::max_heap_mb)] max_heap_mb: Option<usize>,
        console: Option<Py<PyAny>>,
        #[pyo3(from_py_with = arguments::random_seed)] random_seed: Option<u64>,
        globals: Option<&Bound<'_, PyAny>>,
        modules: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arguments::browser)] browser: bool,
        #[pyo3(from_py_with = arguments::user_agent)] user_agent: Option<&str>,
        #[pyo3(from_py_with = arguments::url)] url: Option<&str>,
        #[pyo3(from_py_with = arguments::snapshot)] snapshot: Option<Bound<'_, Snapshot>>,
    ) -> PyResult<Self> {
        if owner::forked() {
            return Err(fork_error());
        }
        let default_timeout = limits::timeout(timeout)?;
        let globals = bridge::globals(globals)?;
        let modules = modules::from_python(modules)?;
        let browser = browser::from_arguments(browser, user_agent, url)?;
        let snapshot = snapshot.map(|s| Arc::clone(s.get().image()));
        let (random_seed, browser) =
            crate::snapshot::options_from(snapshot.as_deref(), random_seed, browser)?;
        check_heap_limit(max_heap_mb)?;
        host::check_console(py, console.as_ref())?;
        owner::watch_for_fork();
        limits::watch_sigint();
        owner::dispose_released();
        let options = runtime::Options {
            max_heap_mb,
            random_seed,
            console,
            modules,
            browser,
            snapshot,
        };
        let runtime = without_gil(py, || Runtime::new(options)).map_err(PyRuntimeError::new_err)?;
        let (key, owner) = owner::adopt(py, runtime, thread_name(py))?;
        let core = Arc::new(ContextCore {
            key,
            owner,
            closed: AtomicBool::new(false),
            closed_because: Mutex::new(None),
            default_timeout,
            max_heap_mb,
        });
        core.with_runtime(py, |runtime| {
            runtime.handles().borrow_mut().set_home(&core);
            Ok(())
        })?;
        let context = Context { core };
        for (name, value) in &globals {
            context.run(py, None, |runtime, _| {
                bridge::expose(py, runtime, name, value.bind(py))
            })?;
        }
        Ok(context)
    }

    #[doc = stub_doc!("Context.compile")]
    #[pyo3(signature = (code, *, filename = None, timeout = None))]
    fn compile(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = arguments::code)] code: &str,
        #[pyo3(from_py_with = arguments::filename)] filename: Option<&str>,
        #[pyo3(from_py_with = arguments::timeout)] timeout: Option<f64>,
    ) -> PyResult<()> {
        let name = filename.unwrap_or(execute::SCRIPT_NAME);
        self.run(py, timeout, |runtime, deadline| {
            execute::compile_once(py, runtime, code, name, deadline)
        })
    }

    #[doc = stub_doc!("Context.call")]
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
        self.run(py, timeout, |runtime, deadline| {
            execute::call_function(
                py,
                runtime,
                Target::Global(name),
                &args,
                auto_await,
                deadline,
            )
        })
    }

    #[doc = stub_doc!("Context.evaluate")]
    #[pyo3(signature = (code, *, auto_await = true, filename = None, timeout = None))]
    fn evaluate(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = arguments::code)] code: &str,
        #[pyo3(from_py_with = arguments::auto_await)] auto_await: bool,
        #[pyo3(from_py_with = arguments::filename)] filename: Option<&str>,
        #[pyo3(from_py_with = arguments::timeout)] timeout: Option<f64>,
    ) -> PyResult<Py<PyAny>> {
        let name = filename.unwrap_or(execute::SCRIPT_NAME);
        self.run(py, timeout, |runtime, deadline| {
            execute::run_script(py, runtime, code, name, auto_await, true, deadline)
        })
    }

    #[doc = stub_doc!("Context.eval")]
    #[pyo3(signature = (code, return_value = false, auto_await = true, *, filename = None, timeout = None))]
    fn eval(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = arguments::code)] code: &str,
        #[pyo3(from_py_with = arguments::return_value)] return_value: bool,
        #[pyo3(from_py_with = arguments::auto_await)] auto_await: bool,
        #[pyo3(from_py_with = arguments::filename)] filename: Option<&str>,
        #[pyo3(from_py_with = arguments::timeout)] timeout: Option<f64>,
    ) -> PyResult<Py<PyAny>> {
        let name = filename.unwrap_or(execute::SCRIPT_NAME);
        self.run(py, timeout, |runtime, deadline| {
            execute::run_script(py, runtime, code, name, auto_await, return_value, deadline)
        })
    }

    #[doc = stub_doc!("Context.import_module")]
    #[pyo3(signature = (specifier, *, timeout = None))]
    fn import_module(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = arguments::specifier)] specifier: &str,
        #[pyo3(from_py_with = arguments::timeout)] timeout: Option<f64>,
    ) -> PyResult<Py<PyAny>> {
        self.evaluate_own(py, &modules::import_expression(specifier), timeout)
    }

    #[doc = stub_doc!("Context.require")]
    #[pyo3(signature = (name, *, timeout = None))]
    fn require(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = arguments::name)] name: &str,
        #[pyo3(from_py_with = arguments::timeout)] timeout: Option<f64>,
    ) -> PyResult<Py<PyAny>> {
        self.evaluate_own(py, &modules::require_expression(name), timeout)
    }

    #[doc = stub_doc!("Context.expose")]
    fn expose(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = arguments::name)] name: &str,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        self.run(py, None, |runtime, _| {
            bridge::expose(py, runtime, name, value)
        })
    }

    #[doc = stub_doc!("Context.call_async")]
    #[pyo3(signature = (name, args = None, *, timeout = None))]
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        #[pyo3(from_py_with = arguments::name)] name: &str,
        args: Option<&Bound<'py, PyAny>>,
        #[pyo3(from_py_with = arguments::timeout)] timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let args = execute::positional_owned(args)?;
        awaiting::awaitable(
            py,
            &self.core,
            execute::Request::Call {
                name: name.to_owned(),
                args,
            },
            timeout,
        )
    }

    #[doc = stub_doc!("Context.evaluate_async")]
    #[pyo3(signature = (code, *, timeout = None))]
    fn evaluate_async<'py>(
        &self,
        py: Python<'py>,
        #[pyo3(from_py_with = arguments::code)] code: &str,
        #[pyo3(from_py_with = arguments::timeout)] timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        awaiting::awaitable(
            py,
            &self.core,
            execute::Request::Evaluate {
                code: code.to_owned(),
            },
            timeout,
        )
    }

    #[doc = stub_doc!("Context.get")]
    #[pyo3(signature = (name, *, timeout = None))]
    fn get(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = arguments::name)] name: &str,
        #[pyo3(from_py_with = arguments::timeout)] timeout: Option<f64>,
    ) -> PyResult<Py<PyAny>> {
        self.run(py, timeout, |runtime, _| {
            execute::read(py, runtime, Target::Global(name))
        })
    }

    #[doc = stub_doc!("Context.load")]
    #[pyo3(signature = (code, *, filename = None, timeout = None))]
    fn load(
        slf: &Bound<'_, Self>,
        #[pyo3(from_py_with = arguments::code)] code: &str,
        #[pyo3(from_py_with = arguments::filename)] filename: Option<&str>,
        #[pyo3(from_py_with = arguments::timeout)] timeout: Option<f64>,
    ) -> PyResult<Script> {
        let name = filename.unwrap_or(execute::SCRIPT_NAME);
        Script::load(slf.py(), slf, code, name, timeout)
    }

    #[doc = stub_doc!("Context.gc")]
    fn gc(&self, py: Python<'_>) -> PyResult<()> {
        self.core.with_runtime(py, |runtime| {
            without_gil(py, || runtime.collect_garbage());
            Ok(())
        })
    }

    #[doc = stub_doc!("Context.heap_stats")]
    fn heap_stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.core.with_runtime(py, |runtime| {
            let stats = PyDict::new(py);
            for (name, value) in runtime.heap_stats() {
                stats.set_item(name, value)?;
            }
            Ok(stats)
        })
    }

    #[doc = stub_doc!("Context.close")]
    fn close(&self) {
        self.core.close();
    }

    #[doc = stub_doc!("Context.closed")]
    #[getter]
    fn closed(&self) -> bool {
        self.core.closed()
    }

    fn __enter__(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        slf.get().core.runtime(slf.py())?;
        Ok(slf)
    }

    #[pyo3(text_signature = "(self, exc_type, exc_value, traceback)")]
    fn __exit__(
        &self,
        _exc_type: Option<&Bound<'_, PyAny>>,
        _exc: Option<&Bound<'_, PyAny>>,
        _traceback: Option<&Bound<'_, PyAny>>,
    ) {
        self.close();
    }

    #[doc = stub_doc!("Context.__reduce__")]
    fn __reduce__(&self) -> PyResult<()> {
        Err(crate::errors::not_picklable("Context"))
    }

    fn __repr__(&self) -> String {
        let state = if self.closed() { "closed" } else { "open" };
        format!(
            "<v8ctx.Context {state}, owned by thread {:?}>",
            self.core.owner.name
        )
    }
}

impl Context {
    /// Evaluates an expression v8ctx wrote itself (an import or a require), awaiting it.
    fn evaluate_own(
        &self,
        py: Python<'_>,
        code: &str,
        timeout: Option<f64>,
    ) -> PyResult<Py<PyAny>> {
        self.run(py, timeout, |runtime, deadline| {
            execute::run_script(
                py,
                runtime,
                code,
                execute::SCRIPT_NAME,
                true,
                true,
                deadline,
            )
        })
    }

    /// Runs a JavaScript operation under the limits (see `ContextCore::run`).
    pub(crate) fn run<R>(
        &self,
        py: Python<'_>,
        timeout: Option<f64>,
        operation: impl FnOnce(&Runtime, Option<Instant>) -> PyResult<R>,
    ) -> PyResult<R> {
        self.core.run(py, timeout, operation)
    }
}

/// Refuses a heap limit too small for V8 and the bootstrap.
pub fn check_heap_limit(max_heap_mb: Option<usize>) -> PyResult<()> {
    match max_heap_mb {
        Some(mb) if mb < MIN_HEAP_MB => Err(PyValueError::new_err(format!(
            "max_heap_mb must be at least {MIN_HEAP_MB}, not {mb}"
        ))),
        _ => Ok(()),
    }
}

impl Drop for ContextCore {
    fn drop(&mut self) {
        self.close();
    }
}

impl ContextCore {
    /// Disposes the isolate (on a foreign thread: marks it closed and leaves disposal to the owner).
    pub fn close(&self) {
        if !self.closed.swap(true, Ordering::AcqRel) {
            owner::release(self.key, &self.owner);
        }
    }

    pub fn closed(&self) -> bool {
        self.closed.load(Ordering::Acquire) || !self.owner.is_alive()
    }

    /// The key of the runtime, unique in the process.
    pub fn key(&self) -> u64 {
        self.key
    }

    /// The runtime, if this thread may use it now; the error says why not.
    fn runtime(&self, py: Python<'_>) -> PyResult<Rc<Runtime>> {
        if owner::forked() {
            return Err(fork_error());
        }
        if self.closed.load(Ordering::Acquire) {
            let reason = self.closed_because.lock().clone();
            return Err(errors::context_closed(
                py,
                reason.unwrap_or_else(|| "this Context is closed".to_string()),
            ));
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

    /// Runs a JavaScript operation under the limits (`timeout` in seconds, else the Context's).
    /// A run that used up the heap closes the Context: its heap limit stays raised.
    pub fn run<R>(
        &self,
        py: Python<'_>,
        timeout: Option<f64>,
        operation: impl FnOnce(&Runtime, Option<Instant>) -> PyResult<R>,
    ) -> PyResult<R> {
        self.run_as(py, self.timeout(timeout)?, None, operation)
    }

    /// `timeout` in seconds as a duration, else the Context's default.
    pub fn timeout(&self, timeout: Option<f64>) -> PyResult<Option<Duration>> {
        Ok(limits::timeout(timeout)?.or(self.default_timeout))
    }

    /// `run` with the timeout as a duration, for a step of the awaited operation numbered
    /// `resumed` (`awaiting.rs`) or a new operation (None).
    pub fn run_as<R>(
        &self,
        py: Python<'_>,
        timeout: Option<Duration>,
        resumed: Option<u32>,
        operation: impl FnOnce(&Runtime, Option<Instant>) -> PyResult<R>,
    ) -> PyResult<R> {
        let mut exhausted = false;
        let result = self.with_runtime(py, |runtime| {
            let result = execute::limited(py, runtime, timeout, resumed, operation);
            exhausted = runtime.stops().heap_exhausted();
            result
        });
        if exhausted {
            let limit = self
                .max_heap_mb
                .map_or("V8's default heap limit".to_string(), |mb| {
                    format!("max_heap_mb={mb}")
                });
            *self.closed_because.lock() = Some(format!(
                "this Context was closed because its JavaScript used up its heap ({limit}); \
                 its isolate cannot be trusted with a limit again: create a new Context"
            ));
            self.close();
        }
        result
    }

    pub fn with_runtime<R>(
        &self,
        py: Python<'_>,
        operation: impl FnOnce(&Runtime) -> PyResult<R>,
    ) -> PyResult<R> {
        let runtime = self.runtime(py)?;
        operation(&runtime)
    }
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
