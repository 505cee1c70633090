//! A queue of keys released on any thread, for the thread that owns what they name to dispose
//! of: runtimes (`owner.rs`) and Scripts (`runtime.rs`).

use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::Mutex;

/// Keys released on any thread, taken by their owner.
#[derive(Default)]
pub struct ReleaseQueue {
    any: AtomicBool,
    keys: Mutex<Vec<u64>>,
}

impl ReleaseQueue {
    /// Queues `key`; callable from any thread.
    pub fn push(&self, key: u64) {
        self.keys.lock().push(key);
        self.any.store(true, Ordering::Release);
    }

    /// The keys queued so far; one atomic swap and no allocation when there are none.
    pub fn take(&self) -> Vec<u64> {
        if !self.any.swap(false, Ordering::AcqRel) {
            return Vec::new();
        }
        std::mem::take(&mut *self.keys.lock())
    }
}
