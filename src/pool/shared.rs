//! What the Pool's front end (`mod.rs`) and its workers (`worker.rs`) share: the job queue and
//! the per-slot state, under one lock, with one condition variable for every change.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use pyo3::prelude::*;

use super::process_worker::{Launch, Spare};
use crate::execute::Request;
use crate::limits::Stops;

/// Where a job's result goes.
pub(super) enum Reply {
    /// A thread blocked in `call`/`evaluate`.
    Blocking(std::sync::mpsc::SyncSender<PyResult<Py<PyAny>>>),
    /// An asyncio future, resolved on its event loop.
    Future {
        event_loop: Py<PyAny>,
        future: Py<PyAny>,
    },
}

pub(super) struct Job {
    /// For a cancelled asyncio future to find its job (`cancel_job`).
    pub(super) id: u64,
    pub(super) request: Request,
    pub(super) timeout: Option<Duration>,
    pub(super) reply: Reply,
    /// It was given to a worker process that died before taking it, and is queued again
    /// (`Ran::Undelivered`); a second such death fails it.
    pub(super) redelivered: bool,
}

/// A worker slot's numbers, read by `stats()`.
#[derive(Default)]
pub(super) struct SlotStats {
    pub(super) calls: AtomicU64,
    pub(super) restarts: AtomicU64,
    pub(super) heap_used: AtomicUsize,
    /// The worker process serving the slot (0 for a worker thread).
    pub(super) pid: AtomicU32,
}

/// The pool's configuration, fixed at creation.
pub(super) struct Config {
    pub(super) code: String,
    pub(super) recycle_after: Option<u64>,
    pub(super) max_heap_mb: Option<usize>,
    pub(super) timeout: Option<Duration>,
    pub(super) random_seed: Option<u64>,
    pub(super) console: Option<Py<PyAny>>,
    /// Exposed in every worker's runtime before the code runs (callables run on the worker).
    pub(super) globals: Vec<(String, Py<PyAny>)>,
    pub(super) modules: Arc<crate::modules::ModuleRoot>,
    pub(super) browser: Option<crate::browser::Browser>,
    /// The user snapshot every worker's runtime starts from.
    pub(super) snapshot: Option<Arc<crate::snapshot::Image>>,
    /// How to start a worker process; None for worker threads.
    pub(super) launch: Option<Launch>,
}

pub(super) struct State {
    pub(super) queue: VecDeque<Job>,
    pub(super) closing: bool,
    /// Raised by `restart()`; a worker older than this replaces itself.
    pub(super) generation: u64,
    /// How each slot's replacement, if one was started, turned out.
    pub(super) handover: Vec<Handover>,
    /// Why a worker `restart()` asked for could not start, for `restart()` to raise.
    pub(super) restart_failure: Option<String>,
    /// The generation of the worker serving each slot, for `restart()` to wait on.
    pub(super) slot_generation: Vec<u64>,
    pub(super) threads: Vec<JoinHandle<()>>,
    /// The jobs inside JavaScript now, with how to stop the worker running each.
    pub(super) running: HashMap<u64, Arc<dyn Stoppable>>,
}

pub(super) struct Shared {
    pub(super) config: Config,
    pub(super) state: Mutex<State>,
    pub(super) changed: Condvar,
    pub(super) slots: Vec<SlotStats>,
    pub(super) total_calls: AtomicU64,
    pub(super) next_job: AtomicU64,
    /// How to stop every live worker, for `close(cancel=True)`.
    pub(super) live: Mutex<Vec<Arc<dyn Stoppable>>>,
    /// A worker process started ahead of need, so replacing one costs no cold start.
    pub(super) spare: Spare,
    /// The process that created the pool: in a child forked from it, the pool is inherited and
    /// its workers are not there.
    pub(super) process: u32,
}

impl Shared {
    pub(super) fn inherited(&self) -> bool {
        self.process != std::process::id()
    }

    /// Queues `job` for the next free worker; gives it back if the pool is closing.
    pub(super) fn enqueue(&self, job: Job) -> Result<(), Job> {
        let mut state = self.state.lock();
        if state.closing {
            return Err(job);
        }
        state.queue.push_back(job);
        self.changed.notify_all();
        Ok(())
    }
}

/// How a worker's JavaScript is stopped from another thread: a runtime's stop flags, or the
/// control pipe of a worker process.
pub(super) trait Stoppable: Send + Sync {
    /// Terminates the job running now, whose caller gave up on it (a cancelled future).
    fn abandon(&self, job: u64);
    /// Terminates whatever runs now and anything run later: the Pool is closing.
    fn cancel(&self);
}

impl Stoppable for Stops {
    fn abandon(&self, _job: u64) {
        Stops::abandon(self);
    }

    fn cancel(&self) {
        Stops::cancel(self);
    }
}

/// Where a slot's replacement stands, as its predecessor sees it.
#[derive(Clone)]
pub(super) enum Handover {
    /// None was started, or it is still starting: the worker serves on.
    Pending,
    /// The replacement has its runtime ready: the worker it replaces leaves.
    Ready,
    /// The replacement could not start (its runtime or the pool's code failed): the worker
    /// serves on, and tries again at its next recycling point.
    Failed(String),
}

/// How a new worker reports that it is ready (or could not start).
pub(super) type Ready = std::sync::mpsc::Sender<PyResult<()>>;
