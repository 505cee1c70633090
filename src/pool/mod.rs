//! `v8ctx.Pool`: V8 worker threads that any Python thread (or asyncio task) can share.
//!
//! One thread, one isolate, one lifetime: each worker is an OS thread that creates its own
//! `Runtime`, loads the pool's code once, and serves jobs from one shared queue. A worker is never
//! recycled in place: when its heap passed `max_heap_mb`, or `restart()` asked, it starts its
//! replacement thread and keeps serving until the replacement has its runtime ready and the code
//! loaded; only then does it leave the queue, dispose its runtime and end. `recycle_after` is a
//! bound instead: the replacement is started a quarter before it (`replace_at`), and a worker
//! that reached it takes no more calls while it waits. So recycling never fails a call, and makes
//! one wait for a cold start only when calls come faster than a runtime starts. A worker whose
//! runtime used up its heap cannot serve until replaced, so it builds a fresh runtime at once.
//!
//! Jobs carry Python objects (`Py<PyAny>`, which is `Send`); a worker takes the GIL to convert
//! them and releases it while JavaScript runs, exactly as a Context does (`execute`).
//!
//! `mod.rs` is the Python front end; `shared.rs` the queue and slot state the front end and the
//! workers share; `thread_worker.rs` a worker thread's life; `delivery.rs` how results reach
//! blocked callers and asyncio futures; `closing.rs` shutdown, fork and interpreter exit.

mod closing;
mod delivery;
mod shared;
mod thread_worker;

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

pub use closing::_close_pools;
use closing::{abandon, pool_closed, shutdown, POOLS};
use delivery::JobCanceller;
use shared::{Config, Handover, Job, Reply, Shared, SlotStats, State};
use thread_worker::{spawn_worker, Start};

use crate::bridge;
use crate::execute::{self, Request};
use crate::gil;
use crate::limits;
use crate::owner;

/// V8 workers shared by every Python thread, recycled before they bloat.
#[pyclass(module = "v8ctx", frozen)]
pub struct Pool {
    shared: Arc<Shared>,
    workers: usize,
}

#[pymethods]
impl Pool {
    #[new]
    #[pyo3(signature = (code = String::new(), *, workers = None, recycle_after = None, max_heap_mb = None, timeout = None, random_seed = None, console = None, globals = None, modules = None, browser = false, user_agent = None, url = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        code: String,
        workers: Option<usize>,
        recycle_after: Option<u64>,
        max_heap_mb: Option<usize>,
        timeout: Option<f64>,
        random_seed: Option<u64>,
        console: Option<Py<PyAny>>,
        globals: Option<&Bound<'_, PyAny>>,
        modules: Option<&Bound<'_, PyAny>>,
        browser: bool,
        user_agent: Option<String>,
        url: Option<String>,
    ) -> PyResult<Self> {
        if owner::forked() {
            return Err(PyRuntimeError::new_err(
                "V8 does not survive os.fork(): create the Pool in a process started with 'spawn'",
            ));
        }
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
        let timeout = limits::timeout(timeout)?;
        // Checked here, so a bad mapping fails the constructor rather than every worker.
        let globals = bridge::globals(globals)?;
        let modules = crate::modules::from_python(modules)?;
        let browser = crate::browser::from_arguments(browser, user_agent, url)?;
        owner::watch_for_fork();
        let shared = Arc::new(Shared {
            config: Config {
                code,
                recycle_after,
                max_heap_mb,
                timeout,
                random_seed,
                console,
                globals,
                modules,
                browser,
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
        });
        let (ready, started) = std::sync::mpsc::channel();
        let spawned = (0..workers)
            .filter(|slot| spawn_worker(&shared, *slot, 0, Start::Initial, ready.clone()))
            .count();
        drop(ready);
        let startup: Vec<PyResult<()>> =
            gil::without_gil(py, || started.iter().take(workers).collect());
        let pool = Pool { shared, workers };
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

    /// Calls the global function `name` on a free worker; blocks (without the GIL) until done.
    #[pyo3(signature = (name, args = None, *, timeout = None))]
    fn call(
        &self,
        py: Python<'_>,
        name: String,
        args: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
    ) -> PyResult<Py<PyAny>> {
        let args = execute::positional_owned(args)?;
        self.wait(py, Request::Call { name, args }, timeout)
    }

    /// Evaluates `code` on a free worker and returns its completion value.
    #[pyo3(signature = (code, *, timeout = None))]
    fn evaluate(&self, py: Python<'_>, code: String, timeout: Option<f64>) -> PyResult<Py<PyAny>> {
        self.wait(py, Request::Evaluate { code }, timeout)
    }

    /// `call` for asyncio: returns an awaitable future of the running event loop.
    #[pyo3(signature = (name, args = None, *, timeout = None))]
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        name: String,
        args: Option<&Bound<'py, PyAny>>,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let args = execute::positional_owned(args)?;
        self.submit_async(py, Request::Call { name, args }, timeout)
    }

    /// `evaluate` for asyncio: returns an awaitable future of the running event loop.
    #[pyo3(signature = (code, *, timeout = None))]
    fn evaluate_async<'py>(
        &self,
        py: Python<'py>,
        code: String,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.submit_async(py, Request::Evaluate { code }, timeout)
    }

    /// Replaces every worker by a fresh one (warmed up first); returns when all are replaced.
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

    /// Total calls, queue length, and per worker: calls on its current runtime, restarts, heap used.
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
            workers.append(worker)?;
        }
        stats.set_item("workers", workers)?;
        Ok(stats)
    }

    /// Finishes the queued calls, joins every worker thread and frees every runtime. With
    /// `cancel`, queued calls fail with PoolClosedError and running ones are terminated instead.
    #[pyo3(signature = (*, cancel = false))]
    fn close(&self, py: Python<'_>, cancel: bool) {
        shutdown(py, &self.shared, cancel);
    }

    #[getter]
    fn closed(&self) -> bool {
        self.shared.state.lock().closing
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

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
        format!("<v8ctx.Pool {state}, {} workers>", self.workers)
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        if owner::forked() {
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
    fn submit(
        &self,
        py: Python<'_>,
        request: Request,
        timeout: Option<f64>,
        reply: Reply,
    ) -> PyResult<u64> {
        let id = self.shared.next_job.fetch_add(1, Ordering::Relaxed);
        let job = Job {
            id,
            request,
            timeout: limits::timeout(timeout)?,
            reply,
        };
        let mut state = self.shared.state.lock();
        if state.closing {
            return Err(pool_closed(py));
        }
        state.queue.push_back(job);
        self.shared.changed.notify_all();
        Ok(id)
    }

    fn wait(&self, py: Python<'_>, request: Request, timeout: Option<f64>) -> PyResult<Py<PyAny>> {
        if owner::forked() {
            return Err(PyRuntimeError::new_err(
                "V8 does not survive os.fork(): this Pool's workers stayed in the parent process",
            ));
        }
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        self.submit(py, request, timeout, Reply::Blocking(sender))?;
        loop {
            // Wake now and then so Ctrl-C reaches the waiting thread.
            let received =
                gil::without_gil(py, || receiver.recv_timeout(Duration::from_millis(100)));
            match received {
                Ok(result) => return result,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => py.check_signals()?,
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(pool_closed(py))
                }
            }
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
        let id = self.submit(py, request, timeout, reply)?;
        let canceller = JobCanceller {
            shared: Arc::downgrade(&self.shared),
            id,
        };
        future.call_method1("add_done_callback", (canceller,))?;
        Ok(future)
    }
}
