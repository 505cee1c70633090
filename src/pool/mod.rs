//! `v8ctx.Pool`: V8 workers that any Python thread (or asyncio task) can share.
//!
//! A worker is a thread of the parent that serves jobs from one shared queue with an engine:
//! with `isolation="thread"` a `Runtime` of its own (`thread_worker.rs`); with
//! `isolation="process"` a worker process it drives through pipes (`process_worker.rs`, and
//! `process_child.rs` inside the worker). Both load the pool's code once and share one life
//! (`worker.rs`): a worker is never recycled in place. When its heap passed `max_heap_mb`, or
//! `restart()` asked, it starts its replacement thread and keeps serving until the replacement
//! has its engine ready and the code loaded; only then does it leave the queue and end.
//! `recycle_after` is a bound instead: the replacement is started a quarter before it
//! (`replace_at`), and a worker that reached it takes no more calls while it waits. So
//! recycling never fails a call, and makes one wait for a cold start only when calls come faster
//! than a runtime starts. A spent engine (its heap exhausted, its process killed or dead) cannot
//! serve until replaced, so the worker builds a fresh one at once; a process pool keeps a warm
//! spare process for that.
//!
//! Jobs carry Python objects (`Py<PyAny>`, which is `Send`); a worker takes the GIL to convert
//! them (or pickle them for its process) and releases it while JavaScript runs.
//!
//! `mod.rs` is the Python front end; `shared.rs` the queue and slot state the front end and the
//! workers share; `delivery.rs` how results reach blocked callers and asyncio futures;
//! `closing.rs` shutdown, fork and interpreter exit; `frames.rs` and `wire.rs` what crosses
//! the pipes of a worker process; `os_process.rs` the system calls behind them.

mod closing;
mod delivery;
pub(crate) mod frames;
mod handoff;
pub(crate) mod os_process;
mod process_child;
pub(crate) mod process_worker;
mod shared;
pub(crate) mod stderr_tail;
mod thread_worker;
pub(crate) mod wire;
mod worker;

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

pub use closing::_close_pools;
use closing::{abandon, pool_closed, shutdown, POOLS};
use delivery::JobCanceller;
pub use process_child::_serve_process_worker;
use process_worker::{Launch, WorkerProcess};
use shared::{Config, Handover, Job, Reply, Shared, SlotStats, State};
use worker::{spawn_worker, Start};

use crate::arguments;
use crate::bridge;
use crate::execute::{self, Request};
use crate::gil;
use crate::limits;
use crate::owner;
use crate::snapshot::Snapshot;

#[doc = stub_doc!("Pool")]
#[doc = ""]
#[doc = stub_doc!("Pool.__new__")]
#[pyclass(module = "v8ctx", frozen)]
pub struct Pool {
    shared: Arc<Shared>,
    workers: usize,
    isolation: Isolation,
    /// `(code, options)` as given, what the Pool pickles as (`__reduce__`).
    spec: Py<PyTuple>,
}

/// `(code, options)` with only the options that were given (not None, not their default), so
/// equal specifications compare equal whichever way they were written.
fn pickle_spec(
    py: Python<'_>,
    code: &str,
    options: &[(&str, Bound<'_, PyAny>)],
) -> PyResult<Py<PyTuple>> {
    let given = PyDict::new(py);
    for (name, value) in options {
        if !value.is_none() {
            given.set_item(name, value)?;
        }
    }
    Ok(PyTuple::new(py, [code.into_pyobject(py)?.into_any(), given.into_any()])?.unbind())
}

/// Where a Pool's workers run their JavaScript.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Isolation {
    /// Worker threads of this process (fast hand-offs; a V8 abort or a hang that no limit
    /// stops takes the process down).
    Thread,
    /// Worker processes (a pipe round trip per call; a worker that hangs or dies is killed and
    /// replaced, and the caller gets an exception).
    Process,
}

impl Isolation {
    fn from_name(name: &str) -> PyResult<Self> {
        match name {
            "thread" => Ok(Isolation::Thread),
            "process" => Ok(Isolation::Process),
            other => Err(PyValueError::new_err(format!(
                "isolation must be 'thread' or 'process', not {other:?}"
            ))),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Isolation::Thread => "thread",
            Isolation::Process => "process",
        }
    }
}

/// How this interpreter starts a worker process: the same Python, finding the same v8ctx.
pub(crate) fn launch_here(
    py: Python<'_>,
    spec: Vec<u8>,
    max_rss_mb: Option<usize>,
) -> PyResult<Launch> {
    let python: std::path::PathBuf = py.import("sys")?.getattr("executable")?.extract()?;
    if python.as_os_str().is_empty() {
        return Err(PyRuntimeError::new_err(
            "isolation='process' starts workers with sys.executable, which this interpreter \
             does not know",
        ));
    }
    let package: std::path::PathBuf = py.import("v8ctx")?.getattr("__file__")?.extract()?;
    let site = package
        .parent()
        .and_then(|p| p.parent())
        .ok_or_else(|| PyRuntimeError::new_err("cannot tell where v8ctx was imported from"))?;
    let mut python_path = site.as_os_str().to_os_string();
    if let Some(inherited) = std::env::var_os("PYTHONPATH").filter(|p| !p.is_empty()) {
        python_path.push(":");
        python_path.push(inherited);
    }
    Ok(Launch {
        python,
        python_path,
        spec: Arc::new(spec),
        max_rss_mb,
    })
}

#[pymethods]
impl Pool {
    #[new]
    #[pyo3(signature = (code = "", *, isolation = "thread", workers = None, recycle_after = None, max_heap_mb = None, max_rss_mb = None, timeout = None, random_seed = None, console = None, globals = None, modules = None, browser = false, user_agent = None, url = None, snapshot = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        #[pyo3(from_py_with = arguments::code)] code: &str,
        #[pyo3(from_py_with = arguments::isolation)] isolation: &str,
        #[pyo3(from_py_with = arguments::workers)] workers: Option<usize>,
        #[pyo3(from_py_with = arguments::recycle_after)] recycle_after: Option<u64>,
        #[pyo3(from_py_with = arguments::max_heap_mb)] max_heap_mb: Option<usize>,
        #[pyo3(from_py_with = arguments::max_rss_mb)] max_rss_mb: Option<usize>,
        #[pyo3(from_py_with = arguments::timeout)] timeout: Option<f64>,
        #[pyo3(from_py_with = arguments::random_seed)] random_seed: Option<u64>,
        console: Option<Py<PyAny>>,
        globals: Option<&Bound<'_, PyAny>>,
        modules: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arguments::browser)] browser: bool,
        #[pyo3(from_py_with = arguments::user_agent)] user_agent: Option<&str>,
        #[pyo3(from_py_with = arguments::url)] url: Option<&str>,
        #[pyo3(from_py_with = arguments::snapshot)] snapshot: Option<Bound<'_, Snapshot>>,
    ) -> PyResult<Self> {
        let isolation = Isolation::from_name(isolation)?;
        if owner::forked() && isolation == Isolation::Thread {
            return Err(PyRuntimeError::new_err(
                "V8 does not survive os.fork(), and this process was forked from one that had \
                 started it: use Pool(..., isolation='process') here (its workers are fresh \
                 processes), or start this process with 'spawn' or 'forkserver'",
            ));
        }
        let spec = pickle_spec(
            py,
            code,
            &[
                (
                    "isolation",
                    (isolation != Isolation::Thread)
                        .then_some(isolation.name())
                        .into_pyobject(py)?
                        .into_any(),
                ),
                ("workers", workers.into_pyobject(py)?.into_any()),
                ("recycle_after", recycle_after.into_pyobject(py)?.into_any()),
                ("max_heap_mb", max_heap_mb.into_pyobject(py)?.into_any()),
                ("max_rss_mb", max_rss_mb.into_pyobject(py)?.into_any()),
                ("timeout", timeout.into_pyobject(py)?.into_any()),
                ("random_seed", random_seed.into_pyobject(py)?.into_any()),
                (
                    "console",
                    console
                        .as_ref()
                        .map(|c| c.bind(py).clone())
                        .into_pyobject(py)?
                        .into_any(),
                ),
                ("globals", globals.cloned().into_pyobject(py)?.into_any()),
                ("modules", modules.cloned().into_pyobject(py)?.into_any()),
                (
                    "browser",
                    browser.then_some(true).into_pyobject(py)?.into_any(),
                ),
                ("user_agent", user_agent.into_pyobject(py)?.into_any()),
                ("url", url.into_pyobject(py)?.into_any()),
                ("snapshot", snapshot.clone().into_pyobject(py)?.into_any()),
            ],
        )?;
        let workers =
            workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
        if workers == 0 {
            return Err(PyValueError::new_err("workers must be at least 1"));
        }
        if recycle_after == Some(0) {
            return Err(PyValueError::new_err(
                "recycle_after must be at least 1 call",
            ));
        }
        if max_rss_mb.is_some() && isolation == Isolation::Thread {
            return Err(PyValueError::new_err(
                "max_rss_mb is watched from outside the worker, so it needs isolation='process'",
            ));
        }
        let timeout = limits::timeout(timeout)?;
        // Checked here, so a bad mapping fails the constructor rather than every worker.
        let globals = bridge::globals(globals)?;
        let module_root = crate::modules::from_python(modules)?;
        let launch = match isolation {
            Isolation::Thread => None,
            Isolation::Process => {
                let spec = process_child::process_spec(
                    py,
                    code,
                    timeout,
                    max_heap_mb,
                    random_seed,
                    &globals,
                    modules,
                    browser,
                    user_agent,
                    url,
                    snapshot
                        .as_ref()
                        .map(|s| pyo3::types::PyBytes::new(py, s.get().image().bytes())),
                )?;
                Some(launch_here(py, spec, max_rss_mb)?)
            }
        };
        let browser = crate::browser::from_arguments(browser, user_agent, url)?;
        let snapshot = snapshot.map(|s| Arc::clone(s.get().image()));
        let (random_seed, browser) =
            crate::snapshot::options_from(snapshot.as_deref(), random_seed, browser)?;
        if isolation == Isolation::Thread {
            // A process pool starts no V8 here, so its children may still run V8 in-process.
            owner::watch_for_fork();
        }
        let shared = Arc::new(Shared {
            config: Config {
                code: code.to_string(),
                recycle_after,
                max_heap_mb,
                timeout,
                random_seed,
                console,
                globals,
                modules: module_root,
                browser,
                snapshot,
                launch,
            },
            state: Mutex::new(State {
                queue: VecDeque::new(),
                closing: false,
                generation: 0,
                handover: vec![Handover::Pending; workers],
                restart_failure: None,
                slot_generation: vec![0; workers],
                threads: Vec::new(),
                running: HashMap::new(),
            }),
            changed: Condvar::new(),
            slots: (0..workers).map(|_| SlotStats::default()).collect(),
            total_calls: AtomicU64::new(0),
            next_job: AtomicU64::new(0),
            live: Mutex::new(Vec::new()),
            spare: Mutex::new(None),
            process: std::process::id(),
        });
        let (ready, started) = std::sync::mpsc::channel();
        let spawn = match isolation {
            Isolation::Thread => spawn_worker::<crate::runtime::Runtime>,
            Isolation::Process => spawn_worker::<WorkerProcess>,
        };
        let spawned = (0..workers)
            .filter(|slot| spawn(&shared, *slot, 0, Start::Initial, ready.clone()))
            .count();
        drop(ready);
        let startup: Vec<PyResult<()>> =
            gil::without_gil(py, || started.iter().take(workers).collect());
        let pool = Pool {
            shared,
            workers,
            isolation,
            spec,
        };
        let failure = startup.into_iter().find_map(Result::err).or_else(|| {
            (spawned < workers).then(|| {
                PyRuntimeError::new_err(format!(
                    "could start only {spawned} of {workers} worker threads"
                ))
            })
        });
        if let Some(err) = failure {
            shutdown(py, &pool.shared, true);
            return Err(err);
        }
        POOLS.lock().push(Arc::downgrade(&pool.shared));
        Ok(pool)
    }

    #[doc = stub_doc!("Pool.call")]
    #[pyo3(signature = (name, args = None, *, timeout = None))]
    fn call(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = arguments::name)] name: &str,
        args: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arguments::timeout)] timeout: Option<f64>,
    ) -> PyResult<Py<PyAny>> {
        let args = execute::positional_owned(args)?;
        self.wait(
            py,
            Request::Call {
                name: name.to_owned(),
                args,
            },
            timeout,
        )
    }

    #[doc = stub_doc!("Pool.evaluate")]
    #[pyo3(signature = (code, *, timeout = None))]
    fn evaluate(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = arguments::code)] code: &str,
        #[pyo3(from_py_with = arguments::timeout)] timeout: Option<f64>,
    ) -> PyResult<Py<PyAny>> {
        self.wait(
            py,
            Request::Evaluate {
                code: code.to_owned(),
            },
            timeout,
        )
    }

    #[doc = stub_doc!("Pool.call_async")]
    #[pyo3(signature = (name, args = None, *, timeout = None))]
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        #[pyo3(from_py_with = arguments::name)] name: &str,
        args: Option<&Bound<'py, PyAny>>,
        #[pyo3(from_py_with = arguments::timeout)] timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let args = execute::positional_owned(args)?;
        self.submit_async(
            py,
            Request::Call {
                name: name.to_owned(),
                args,
            },
            timeout,
        )
    }

    #[doc = stub_doc!("Pool.evaluate_async")]
    #[pyo3(signature = (code, *, timeout = None))]
    fn evaluate_async<'py>(
        &self,
        py: Python<'py>,
        #[pyo3(from_py_with = arguments::code)] code: &str,
        #[pyo3(from_py_with = arguments::timeout)] timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.submit_async(
            py,
            Request::Evaluate {
                code: code.to_owned(),
            },
            timeout,
        )
    }

    #[doc = stub_doc!("Pool.restart")]
    fn restart(&self, py: Python<'_>) -> PyResult<()> {
        let shared = &self.shared;
        {
            let mut state = shared.state.lock();
            if state.closing {
                return Err(pool_closed(py));
            }
            state.generation += 1;
            shared.changed.notify_all();
        }
        let target = shared.state.lock().generation;
        loop {
            let done = py.detach(|| {
                let mut state = shared.state.lock();
                let pending =
                    |s: &State| s.slot_generation.iter().any(|g| *g < target) && !s.closing;
                if pending(&state) {
                    // Wake now and then so Ctrl-C reaches the waiting thread.
                    shared
                        .changed
                        .wait_for(&mut state, Duration::from_millis(100));
                }
                !pending(&state)
            });
            if done {
                return match shared.state.lock().restart_failure.take() {
                    None => Ok(()),
                    Some(why) => Err(PyRuntimeError::new_err(format!(
                        "restart() could not start a fresh worker, so the old one serves on: {why}"
                    ))),
                };
            }
            py.check_signals()?;
        }
    }

    #[doc = stub_doc!("Pool.stats")]
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let stats = PyDict::new(py);
        stats.set_item("calls", self.shared.total_calls.load(Ordering::Relaxed))?;
        stats.set_item("queued", self.shared.state.lock().queue.len())?;
        let workers = PyList::empty(py);
        for slot in &self.shared.slots {
            let worker = PyDict::new(py);
            worker.set_item("calls", slot.calls.load(Ordering::Relaxed))?;
            worker.set_item("restarts", slot.restarts.load(Ordering::Relaxed))?;
            worker.set_item("heap_used", slot.heap_used.load(Ordering::Relaxed))?;
            if self.isolation == Isolation::Process {
                worker.set_item("pid", slot.pid.load(Ordering::Relaxed))?;
            }
            workers.append(worker)?;
        }
        stats.set_item("workers", workers)?;
        Ok(stats)
    }

    #[doc = stub_doc!("Pool.close")]
    #[pyo3(signature = (*, cancel = false))]
    fn close(&self, py: Python<'_>, #[pyo3(from_py_with = arguments::cancel)] cancel: bool) {
        shutdown(py, &self.shared, cancel);
    }

    #[doc = stub_doc!("Pool.closed")]
    #[getter]
    fn closed(&self) -> bool {
        self.shared.state.lock().closing
    }

    #[doc = stub_doc!("Pool.__reduce__")]
    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, Py<PyTuple>)> {
        let rebuild = py.import("v8ctx._shared")?.getattr("_pool_from_spec")?;
        Ok((rebuild.unbind(), self.spec.clone_ref(py)))
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    #[pyo3(text_signature = "(self, exc_type, exc_value, traceback)")]
    fn __exit__(
        &self,
        py: Python<'_>,
        _exc_type: Option<&Bound<'_, PyAny>>,
        _exc: Option<&Bound<'_, PyAny>>,
        _traceback: Option<&Bound<'_, PyAny>>,
    ) {
        shutdown(py, &self.shared, false);
    }

    fn __repr__(&self) -> String {
        let state = if self.closed() { "closed" } else { "open" };
        format!(
            "<v8ctx.Pool {state}, {} {} workers>",
            self.workers,
            self.isolation.name()
        )
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        if self.shared.inherited() {
            abandon(&self.shared);
            return;
        }
        // The workers finish the queue and end by themselves; joining here could deadlock on
        // the GIL the dropping thread may hold.
        self.shared.state.lock().closing = true;
        self.shared.changed.notify_all();
    }
}

impl Pool {
    /// A job for `request`, numbered for a cancel to find it.
    fn job(&self, request: Request, timeout: Option<f64>, reply: Reply) -> PyResult<Job> {
        if self.shared.inherited() {
            return Err(PyRuntimeError::new_err(
                "V8 does not survive os.fork(): this Pool's workers stayed in the parent process \
                 (unpickle the Pool, or use v8ctx.shared_pool, to get one of this process)",
            ));
        }
        Ok(Job {
            id: self.shared.next_job.fetch_add(1, Ordering::Relaxed),
            request,
            timeout: limits::timeout(timeout)?,
            reply,
            redelivered: false,
        })
    }

    fn wait(&self, py: Python<'_>, request: Request, timeout: Option<f64>) -> PyResult<Py<PyAny>> {
        use std::sync::mpsc::{RecvTimeoutError, TryRecvError};
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        let job = self.job(request, timeout, Reply::Blocking(sender))?;
        // Queued with the GIL released, and not taken back until the result is in or polling
        // gives up: the worker takes the GIL first thing, and this thread taking it back
        // meanwhile would make one of them sleep until the other lets go. A trivial call is back
        // within microseconds, so it is polled for before this thread sleeps.
        let queued = gil::without_gil(py, || {
            self.shared.enqueue(job)?;
            Ok(handoff::poll(|| match receiver.try_recv() {
                Ok(result) => Some(Ok(result)),
                Err(TryRecvError::Disconnected) => Some(Err(RecvTimeoutError::Disconnected)),
                Err(TryRecvError::Empty) => None,
            }))
        });
        let mut received = match queued {
            Ok(polled) => polled.unwrap_or(Err(RecvTimeoutError::Timeout)),
            Err(refused) => {
                drop::<Job>(refused); // its arguments are released with the GIL held
                return Err(pool_closed(py));
            }
        };
        loop {
            match received {
                Ok(result) => return result,
                Err(RecvTimeoutError::Timeout) => py.check_signals()?,
                Err(RecvTimeoutError::Disconnected) => return Err(pool_closed(py)),
            }
            // Wake now and then so Ctrl-C reaches the waiting thread.
            received = gil::without_gil(py, || receiver.recv_timeout(Duration::from_millis(100)));
        }
    }

    fn submit_async<'py>(
        &self,
        py: Python<'py>,
        request: Request,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
        let future = event_loop.call_method0("create_future")?;
        let reply = Reply::Future {
            event_loop: event_loop.unbind(),
            future: future.clone().unbind(),
        };
        let job = self.job(request, timeout, reply)?;
        let id = job.id;
        self.shared
            .enqueue(job)
            .map_err(|_refused| pool_closed(py))?;
        let canceller = JobCanceller {
            shared: Arc::downgrade(&self.shared),
            id,
        };
        future.call_method1("add_done_callback", (canceller,))?;
        Ok(future)
    }
}
