//! Ending a Pool: `close()`, the atexit hook, and a Pool inherited through `fork()`.

use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;
use pyo3::prelude::*;

use super::delivery::deliver;
use super::shared::{Job, Shared};
use crate::errors;

/// Every Pool created, for the atexit hook.
pub(super) static POOLS: Mutex<Vec<Weak<Shared>>> = Mutex::new(Vec::new());

/// Closes the queue and joins the workers (without the GIL): after they finished the queue, or,
/// with `cancel`, after failing the queued calls and terminating the running ones.
pub(super) fn shutdown(py: Python<'_>, shared: &Shared, cancel: bool) {
    if shared.inherited() {
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
    // No worker can take the spare worker process any more; ending it may take a moment.
    let spare = shared.spare.lock().take();
    py.detach(|| drop(spare));
}

/// Closes a Pool inherited through `fork()` without touching its workers: they stayed in the
/// parent, and a lock may have been held by one of them at the fork, never to be released here.
/// The threads' handles are forgotten, since joining or detaching a thread that is not in this
/// process can hang or fail.
pub(super) fn abandon(shared: &Shared) {
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

pub(super) fn pool_closed(py: Python<'_>) -> PyErr {
    errors::pool_closed(py, "this Pool is closed".to_string())
}
