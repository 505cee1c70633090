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

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList};

use crate::errors;
use crate::execute::{self, Names};
use crate::gil;
use crate::limits::{self, Stops};
use crate::owner;
use crate::runtime::{self, Runtime};

/// What a job asks a worker to do.
enum Request {
    Call { name: String, args: Vec<Py<PyAny>> },
    Evaluate { code: String },
}

/// Where a job's result goes.
enum Reply {
    /// A thread blocked in `call`/`evaluate`.
    Blocking(std::sync::mpsc::SyncSender<PyResult<Py<PyAny>>>),
    /// An asyncio future, resolved on its event loop.
    Future {
        event_loop: Py<PyAny>,
        future: Py<PyAny>,
    },
}

struct Job {
    /// For a cancelled asyncio future to find its job (`cancel_job`).
    id: u64,
    request: Request,
    timeout: Option<Duration>,
    reply: Reply,
}

/// A worker slot's numbers, read by `stats()`.
#[derive(Default)]
struct SlotStats {
    calls: AtomicU64,
    restarts: AtomicU64,
    heap_used: AtomicUsize,
}

/// The pool's configuration, fixed at creation.
struct Config {
    code: String,
    recycle_after: Option<u64>,
    max_heap_mb: Option<usize>,
    timeout: Option<Duration>,
    random_seed: Option<u64>,
    console: Option<Py<PyAny>>,
}

struct State {
    queue: VecDeque<Job>,
    closing: bool,
    /// Raised by `restart()`; a worker older than this replaces itself.
    generation: u64,
    /// How each slot's replacement, if one was started, turned out.
    handover: Vec<Handover>,
    /// Why a worker `restart()` asked for could not start, for `restart()` to raise.
    restart_failure: Option<String>,
    /// The generation of the worker serving each slot, for `restart()` to wait on.
    slot_generation: Vec<u64>,
    threads: Vec<JoinHandle<()>>,
    /// The jobs inside JavaScript now, with the stop flags of the runtime running each.
    running: HashMap<u64, Arc<Stops>>,
}

struct Shared {
    config: Config,
    state: Mutex<State>,
    changed: Condvar,
    slots: Vec<SlotStats>,
    total_calls: AtomicU64,
    next_job: AtomicU64,
    /// The stop flags of every live worker's runtime, for `close(cancel=True)`.
    live: Mutex<Vec<Arc<Stops>>>,
}

/// Where a slot's replacement stands, as its predecessor sees it.
#[derive(Clone)]
enum Handover {
    /// None was started, or it is still starting: the worker serves on.
    Pending,
    /// The replacement has its runtime ready: the worker it replaces leaves.
    Ready,
    /// The replacement could not start (its runtime or the pool's code failed): the worker
    /// serves on, and tries again at its next recycling point.
    Failed(String),
}

/// How a new worker reports that it is ready (or could not start).
type Ready = std::sync::mpsc::Sender<PyResult<()>>;

/// V8 workers shared by every Python thread, recycled before they bloat.
#[pyclass(module = "v8ctx", frozen)]
pub struct Pool {
    shared: Arc<Shared>,
    workers: usize,
}

static POOLS: Mutex<Vec<Weak<Shared>>> = Mutex::new(Vec::new());

#[pymethods]
impl Pool {
    #[new]
    #[pyo3(signature = (code = String::new(), *, workers = None, recycle_after = None, max_heap_mb = None, timeout = None, random_seed = None, console = None))]
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
        owner::watch_for_fork();
        let shared = Arc::new(Shared {
            config: Config {
                code,
                recycle_after,
                max_heap_mb,
                timeout,
                random_seed,
                console,
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
        let args = execute::positional(args)?
            .into_iter()
            .map(Bound::unbind)
            .collect();
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
        let args = execute::positional(args)?
            .into_iter()
            .map(Bound::unbind)
            .collect();
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

/// Called by asyncio when a `call_async`/`evaluate_async` future is done: if it was cancelled,
/// its job is dropped from the queue or, running, terminated, so it holds no worker.
#[pyclass(frozen)]
struct JobCanceller {
    shared: Weak<Shared>,
    id: u64,
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
                stops.abandon();
            }
            let queued = state.queue.iter().position(|job| job.id == self.id);
            queued.and_then(|at| state.queue.remove(at))
        };
        drop(dropped); // its arguments are released with the GIL held, outside the lock
        Ok(())
    }
}

/// Closes the queue and joins the workers (without the GIL): after they finished the queue, or,
/// with `cancel`, after failing the queued calls and terminating the running ones.
fn shutdown(py: Python<'_>, shared: &Shared, cancel: bool) {
    if owner::forked() {
        abandon(shared);
        return;
    }
    let (threads, dropped) = {
        let mut state = shared.state.lock();
        state.closing = true;
        shared.changed.notify_all();
        let dropped: Vec<Job> = if cancel {
            state.queue.drain(..).collect()
        } else {
            Vec::new()
        };
        (std::mem::take(&mut state.threads), dropped)
    };
    if cancel {
        for stops in shared.live.lock().iter() {
            stops.cancel();
        }
    }
    for job in dropped {
        deliver(
            py,
            job.reply,
            Err(errors::pool_closed(
                py,
                "the Pool was closed with cancel=True before this call ran".to_string(),
            )),
        );
    }
    py.detach(|| {
        for thread in threads {
            let _ = thread.join();
        }
        // Replacements started while shutting down register themselves; join them too.
        loop {
            let more = std::mem::take(&mut shared.state.lock().threads);
            if more.is_empty() {
                break;
            }
            for thread in more {
                let _ = thread.join();
            }
        }
    });
}

/// Closes a Pool inherited through `fork()` without touching its workers: they stayed in the
/// parent, and a lock may have been held by one of them at the fork, never to be released here.
/// The threads' handles are forgotten, since joining or detaching a thread that is not in this
/// process can hang or fail.
fn abandon(shared: &Shared) {
    if let Some(mut state) = shared.state.try_lock() {
        state.closing = true;
        std::mem::forget(std::mem::take(&mut state.threads));
    }
}

/// Closes every Pool still open; registered with `atexit`, so interpreter exit never waits on
/// (or races) a worker.
#[pyfunction]
pub fn _close_pools(py: Python<'_>) {
    let Some(mut open) = POOLS.try_lock_for(Duration::from_secs(1)) else {
        return; // held by a thread that did not survive a fork: nothing here can be closed
    };
    let pools: Vec<Arc<Shared>> = open.drain(..).filter_map(|p| p.upgrade()).collect();
    drop(open);
    for shared in pools {
        shutdown(py, &shared, true);
    }
}

fn pool_closed(py: Python<'_>) -> PyErr {
    errors::pool_closed(py, "this Pool is closed".to_string())
}

/// How a worker came to be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Start {
    /// One of the pool's first workers.
    Initial,
    /// Replacing a worker (worn out, or `restart()`); the predecessor leaves once this is ready.
    Replacement,
}

/// Starts a worker thread for `slot`; false if the OS refused a thread.
fn spawn_worker(
    shared: &Arc<Shared>,
    slot: usize,
    generation: u64,
    start: Start,
    ready: Ready,
) -> bool {
    let worker_shared = Arc::clone(shared);
    let spawned = std::thread::Builder::new()
        .name(format!("v8ctx-pool-{slot}"))
        .spawn(move || work(worker_shared, slot, generation, start, ready));
    let Ok(handle) = spawned else {
        return false;
    };
    // Join the retired workers that have ended, so a long-lived pool does not keep their stacks.
    let mut state = shared.state.lock();
    let (ended, running): (Vec<_>, Vec<_>) = std::mem::take(&mut state.threads)
        .into_iter()
        .partition(|t| t.is_finished());
    state.threads = running;
    state.threads.push(handle);
    drop(state);
    for thread in ended {
        let _ = thread.join();
    }
    true
}

/// Starts the worker that will take over `slot`; false if the OS refused a thread. Nobody waits
/// for it to be ready: the worker it replaces serves until it is.
fn spawn_replacement(shared: &Arc<Shared>, slot: usize, generation: u64) -> bool {
    let (ready, _) = std::sync::mpsc::channel();
    spawn_worker(shared, slot, generation, Start::Replacement, ready)
}

/// What a worker does next.
enum Next {
    Serve(Job),
    /// `restart()` asked for a new generation: start a replacement.
    Restart,
    /// The pool is closed and drained, or this worker's replacement is ready.
    Leave,
}

/// A new runtime with the pool's code loaded.
fn start_runtime(shared: &Shared) -> PyResult<Runtime> {
    let config = &shared.config;
    Python::attach(|py| {
        let options = runtime::Options {
            // The hard V8 limit leaves room above the recycling threshold.
            max_heap_mb: config.max_heap_mb.map(|mb| (mb * 2).max(32)),
            random_seed: config.random_seed,
            console: config.console.as_ref().map(|c| c.clone_ref(py)),
        };
        let mut runtime =
            gil::without_gil(py, || Runtime::new(options)).map_err(PyRuntimeError::new_err)?;
        if !config.code.is_empty() {
            execute::limited(py, &mut runtime, None, |runtime, deadline| {
                execute::run_script(py, runtime, &config.code, false, false, deadline)
            })?;
        }
        Ok(runtime)
    })
}

/// The worker thread: start, serve jobs, hand over to a replacement when due.
fn work(shared: Arc<Shared>, slot: usize, mut generation: u64, start: Start, ready: Ready) {
    let mut runtime = match start_runtime(&shared) {
        Ok(runtime) => runtime,
        Err(err) => {
            if start == Start::Replacement {
                let why = Python::attach(|py| err.value(py).to_string());
                shared.state.lock().handover[slot] = Handover::Failed(why);
                shared.changed.notify_all();
            }
            let _ = ready.send(Err(err));
            return;
        }
    };
    let stats = &shared.slots[slot];
    begin_serving(&shared, stats, &mut runtime);
    {
        let mut state = shared.state.lock();
        if start == Start::Replacement {
            state.handover[slot] = Handover::Ready;
            stats.restarts.fetch_add(1, Ordering::Relaxed);
        }
        state.slot_generation[slot] = generation;
        shared.changed.notify_all();
    }
    let _ = ready.send(Ok(()));
    // The generation of the replacement this worker started and waits for, if any.
    let mut replacing: Option<u64> = None;
    // Calls this runtime has served: with `recycle_after`, a bound, not a trigger.
    let mut served: u64 = 0;
    loop {
        // Past `recycle_after` the runtime takes no more calls: it waits for its replacement,
        // which was started early enough (`replace_at`) to be ready by then under steady load.
        let used_up =
            replacing.is_some() && shared.config.recycle_after.is_some_and(|n| served >= n);
        let next = {
            let mut state = shared.state.lock();
            loop {
                if let Some(wanted) = replacing {
                    match std::mem::replace(&mut state.handover[slot], Handover::Pending) {
                        Handover::Pending => {}
                        Handover::Ready => break Next::Leave,
                        Handover::Failed(why) => {
                            // Serve on; a failed restart() leaves this worker as the new
                            // generation, so restart() can return and report why.
                            replacing = None;
                            if wanted > generation {
                                generation = wanted;
                                state.slot_generation[slot] = generation;
                                state.restart_failure = Some(why);
                                shared.changed.notify_all();
                            }
                            continue;
                        }
                    }
                }
                if replacing.is_none() && state.generation != generation && !state.closing {
                    break Next::Restart;
                }
                if !used_up {
                    if let Some(job) = state.queue.pop_front() {
                        // Registered as running before the lock is let go, so a cancel finds
                        // the job either queued or running.
                        runtime.stops().expect_job();
                        state.running.insert(job.id, Arc::clone(runtime.stops()));
                        break Next::Serve(job);
                    }
                }
                if state.closing {
                    break Next::Leave;
                }
                shared.changed.wait(&mut state);
            }
        };
        let job = match next {
            Next::Leave => break,
            Next::Restart => {
                let next_generation = shared.state.lock().generation;
                replacing =
                    spawn_replacement(&shared, slot, next_generation).then_some(next_generation);
                if replacing.is_none() {
                    // No thread for a replacement: serve on as the new generation rather than
                    // leave the slot empty or keep restart() waiting.
                    generation = next_generation;
                    shared.state.lock().slot_generation[slot] = generation;
                    shared.changed.notify_all();
                }
                continue;
            }
            Next::Serve(job) => job,
        };
        // A retiring worker's numbers no longer describe its slot: its replacement's do.
        let slot_stats = replacing.is_none().then_some(stats);
        let heap_used = serve(&shared, slot_stats, &mut runtime, job);
        served += 1;
        if runtime.stops().heap_exhausted() {
            // Unusable until replaced: rebuild here rather than fail the next calls.
            let Ok(fresh) = start_runtime(&shared) else {
                break;
            };
            forget_stops(&shared, &runtime);
            drop(std::mem::replace(&mut runtime, fresh));
            begin_serving(&shared, stats, &mut runtime);
            stats.restarts.fetch_add(1, Ordering::Relaxed);
            served = 0;
            continue;
        }
        let worn_out = shared
            .config
            .recycle_after
            .is_some_and(|n| served >= replace_at(n))
            || shared
                .config
                .max_heap_mb
                .is_some_and(|mb| heap_used > mb * 1024 * 1024);
        if worn_out && replacing.is_none() {
            let current = shared.state.lock().generation;
            replacing = spawn_replacement(&shared, slot, current).then_some(current);
        }
    }
    forget_stops(&shared, &runtime);
    drop(runtime);
}

/// After how many calls a runtime that may serve `recycle_after` starts its replacement: a
/// quarter before the end, so the replacement is warm when the runtime is used up and no call
/// waits for a cold start (unless calls come faster than a runtime starts).
fn replace_at(recycle_after: u64) -> u64 {
    recycle_after - (recycle_after / 4).min(recycle_after - 1)
}

/// A runtime starts serving a slot: `close(cancel=True)` can stop it, and the slot's numbers
/// describe it.
fn begin_serving(shared: &Shared, stats: &SlotStats, runtime: &mut Runtime) {
    shared.live.lock().push(Arc::clone(runtime.stops()));
    stats.calls.store(0, Ordering::Relaxed);
    stats
        .heap_used
        .store(runtime.used_heap_size(), Ordering::Relaxed);
}

fn forget_stops(shared: &Shared, runtime: &Runtime) {
    shared
        .live
        .lock()
        .retain(|s| !Arc::ptr_eq(s, runtime.stops()));
}

/// Runs one job (registered as running when it was taken from the queue, unregistered here),
/// updates the numbers (the slot's, unless None), and delivers its result;
/// returns the runtime's heap in use.
fn serve(shared: &Shared, stats: Option<&SlotStats>, runtime: &mut Runtime, job: Job) -> usize {
    let timeout = job.timeout.or(shared.config.timeout);
    Python::attach(|py| {
        let result = execute::limited(py, runtime, timeout, |runtime, deadline| {
            match &job.request {
                Request::Call { name, args } => {
                    let args: Vec<Bound<'_, PyAny>> =
                        args.iter().map(|a| a.bind(py).clone()).collect();
                    execute::call_function(
                        py,
                        runtime,
                        |_| Names::Global,
                        name,
                        &args,
                        true,
                        deadline,
                    )
                }
                Request::Evaluate { code } => {
                    execute::run_script(py, runtime, code, true, true, deadline)
                }
            }
        });
        // No cancel may terminate this runtime once the job's operation is over.
        shared.state.lock().running.remove(&job.id);
        // Counted before the caller hears back, so stats() never lags a returned call.
        shared.total_calls.fetch_add(1, Ordering::Relaxed);
        let heap_used = runtime.used_heap_size();
        if let Some(stats) = stats {
            stats.heap_used.store(heap_used, Ordering::Relaxed);
            stats.calls.fetch_add(1, Ordering::Relaxed);
        }
        deliver(py, job.reply, result);
        heap_used
    })
}

/// Hands a job's result to whoever waits for it.
fn deliver(py: Python<'_>, reply: Reply, result: PyResult<Py<PyAny>>) {
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
