//! Which thread owns which runtime, and disposal that always happens on the owner.
//!
//! A `Runtime` is not `Send`, so it never lives in a Python object: each thread keeps the runtimes
//! it created in a thread-local table, and a `Context` holds only its key and an `Arc` to the
//! owner's `OwnerThread`. Releasing a runtime from another thread (the last reference dropped by
//! the garbage collector there, or `close()`) only queues its key on the owner; the owner disposes
//! queued runtimes at its next v8ctx call, and all of its runtimes when the thread exits.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Once};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::release_queue::ReleaseQueue;
use crate::runtime::Runtime;

/// The part of a thread's state other threads may see.
pub struct OwnerThread {
    /// v8ctx's number for the thread (OS thread ids are reused; these are not).
    pub ident: u64,
    /// The Python name of the thread when it created its first Context.
    pub name: String,
    alive: AtomicBool,
    released: ReleaseQueue,
}

impl OwnerThread {
    pub fn is_alive(&self) -> bool {
        self.alive.load(Ordering::Acquire)
    }
}

/// The runtimes of one thread.
struct ThreadRuntimes {
    owner: Arc<OwnerThread>,
    runtimes: RefCell<HashMap<u64, Rc<Runtime>>>,
}

impl ThreadRuntimes {
    fn dispose_released(&self) {
        for key in self.owner.released.take() {
            self.dispose(key);
        }
    }

    fn dispose(&self, key: u64) {
        // Take it out first and drop it after the table borrow ends: disposal runs V8 code.
        let runtime = self.runtimes.borrow_mut().remove(&key);
        drop(runtime);
    }
}

impl Drop for ThreadRuntimes {
    fn drop(&mut self) {
        self.owner.alive.store(false, Ordering::Release);
        let runtimes = std::mem::take(self.runtimes.get_mut());
        if forked() {
            // V8's threads did not survive the fork; disposing would hang. The process is
            // exiting, so leaking is harmless.
            std::mem::forget(runtimes);
        }
    }
}

static NEXT_THREAD: AtomicU64 = AtomicU64::new(1);
static NEXT_RUNTIME: AtomicU64 = AtomicU64::new(1);

thread_local! {
    static THREAD_IDENT: u64 = NEXT_THREAD.fetch_add(1, Ordering::Relaxed);
    static THREAD_RUNTIMES: RefCell<Option<ThreadRuntimes>> = const { RefCell::new(None) };
}

/// v8ctx's number for the calling thread.
pub fn current_thread() -> u64 {
    THREAD_IDENT.with(|ident| *ident)
}

/// Registers `runtime` as owned by the calling thread, whose Python name is `thread_name`;
/// returns its key and the owner.
pub fn adopt(
    py: Python<'_>,
    runtime: Runtime,
    thread_name: String,
) -> PyResult<(u64, Arc<OwnerThread>)> {
    let first = THREAD_RUNTIMES.with(|cell| cell.borrow().is_none());
    if first {
        install_exit_hook(py)?;
    }
    let key = NEXT_RUNTIME.fetch_add(1, Ordering::Relaxed);
    Ok(THREAD_RUNTIMES.with(|cell| {
        let mut slot = cell.borrow_mut();
        let thread = slot.get_or_insert_with(|| ThreadRuntimes {
            owner: Arc::new(OwnerThread {
                ident: current_thread(),
                name: thread_name,
                alive: AtomicBool::new(true),
                released: ReleaseQueue::default(),
            }),
            runtimes: RefCell::new(HashMap::new()),
        });
        thread.runtimes.borrow_mut().insert(key, Rc::new(runtime));
        (key, Arc::clone(&thread.owner))
    }))
}

/// Disposes the thread's runtimes when Python clears the thread's state, which happens before
/// `Thread.join()` returns; the thread-local destructor alone would run only after it, when the
/// OS thread ends.
#[pyclass(frozen)]
struct ThreadExitHook {
    ident: u64,
}

impl Drop for ThreadExitHook {
    fn drop(&mut self) {
        // At interpreter exit another thread may clear this hook: leave that thread's runtimes.
        if THREAD_IDENT.try_with(|ident| *ident) == Ok(self.ident) {
            let thread = THREAD_RUNTIMES
                .try_with(|cell| cell.try_borrow_mut().ok().and_then(|mut slot| slot.take()))
                .ok()
                .flatten();
            drop(thread);
        }
    }
}

/// Stores a `ThreadExitHook` in a `threading.local`: its per-thread values are released when
/// their thread's state is cleared.
fn install_exit_hook(py: Python<'_>) -> PyResult<()> {
    static THREAD_LOCAL: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let local = THREAD_LOCAL.get_or_try_init(py, || {
        py.import("_thread")?
            .getattr("_local")?
            .call0()
            .map(Bound::unbind)
    })?;
    let hook = Py::new(
        py,
        ThreadExitHook {
            ident: current_thread(),
        },
    )?;
    local.bind(py).setattr("v8ctx_thread_exit", hook)
}

/// The runtime `key` of the calling thread, after disposing what other threads released.
/// None if it was disposed. Only the owner may call this.
pub fn runtime(key: u64) -> Option<Rc<Runtime>> {
    THREAD_RUNTIMES.with(|cell| {
        let slot = cell.borrow();
        let thread = slot.as_ref()?;
        thread.dispose_released();
        let runtime = thread.runtimes.borrow().get(&key).cloned();
        runtime
    })
}

/// Disposes what other threads released to the calling thread; called before creating a runtime.
pub fn dispose_released() {
    THREAD_RUNTIMES.with(|cell| {
        if let Some(thread) = cell.borrow().as_ref() {
            thread.dispose_released();
        }
    });
}

/// Releases runtime `key`: disposed now on its owner thread, queued for the owner elsewhere.
/// Safe from any thread, and during thread exit.
pub fn release(key: u64, owner: &OwnerThread) {
    if forked() || !owner.is_alive() {
        // After a fork V8 cannot dispose anything; a dead owner disposed all its runtimes.
        return;
    }
    if current_thread() == owner.ident {
        let disposed_here = THREAD_RUNTIMES
            .try_with(|cell| match cell.try_borrow() {
                Ok(slot) => slot.as_ref().map(|thread| thread.dispose(key)).is_some(),
                Err(_) => false,
            })
            .unwrap_or(true);
        if disposed_here {
            return;
        }
    }
    owner.released.push(key);
}

static FORKED: AtomicBool = AtomicBool::new(false);
static WATCH_FORK: Once = Once::new();

/// True in a child process forked after V8 started; V8 does not survive `fork()`.
pub fn forked() -> bool {
    FORKED.load(Ordering::Relaxed)
}

/// Whether V8 can run in this process: false in a child forked after V8 started here.
#[pyo3::pyfunction]
pub fn _v8_runs_here() -> bool {
    !forked()
}

/// Arms fork detection; call before the process's first runtime is created.
pub fn watch_for_fork() {
    extern "C" fn in_child() {
        FORKED.store(true, Ordering::Relaxed);
    }
    WATCH_FORK.call_once(|| {
        // SAFETY: registers a handler that only stores to an atomic, which is async-signal-safe.
        unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
    });
}
