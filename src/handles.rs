//! The handle table: the JavaScript values Python objects hold on to (a `Script`'s evaluator, a
//! `JSFunction`), one table per runtime, by key.
//!
//! A Python object holds only its key; the `v8::Global` stays here, on the owner thread. Dropping
//! the Python object on any thread queues its key (`ReleaseQueue`), and the owner frees the
//! handle at its next operation. The table sits in an isolate slot as well, so the value
//! conversions, which only have a scope, can register functions and find them again.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::{Arc, Weak};

use deno_core::v8;

use crate::context::ContextCore;
use crate::release_queue::ReleaseQueue;

/// One runtime's handles; shared by the `Runtime` and its isolate slot.
pub type Shared = Rc<RefCell<Handles>>;

pub struct Handles {
    entries: HashMap<u64, v8::Global<v8::Value>>,
    next: u64,
    released: Arc<ReleaseQueue>,
    /// The Context this runtime serves, for the `JSFunction`s conversions make; None in a Pool
    /// worker, whose functions cannot leave its thread.
    home: Option<Weak<ContextCore>>,
}

impl Handles {
    /// An empty table, also put in `isolate`'s slot.
    pub fn new_in(isolate: &mut v8::Isolate) -> Shared {
        let handles = Rc::new(RefCell::new(Handles {
            entries: HashMap::new(),
            next: 0,
            released: Arc::default(),
            home: None,
        }));
        isolate.set_slot(Rc::clone(&handles));
        handles
    }

    /// The table of the isolate `scope` is in.
    pub fn of(scope: &v8::PinScope<'_, '_>) -> Option<Shared> {
        scope.get_slot::<Shared>().cloned()
    }

    /// Lets go of every value (the heap is about to be snapshotted).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Keeps `value`; returns its key and where to release it.
    pub fn add(&mut self, value: v8::Global<v8::Value>) -> (u64, Arc<ReleaseQueue>) {
        self.next += 1;
        self.entries.insert(self.next, value);
        (self.next, Arc::clone(&self.released))
    }

    /// The value kept under `key`, if it was not released.
    pub fn get(&self, key: u64) -> Option<&v8::Global<v8::Value>> {
        self.entries.get(&key)
    }

    /// Frees the handles whose Python objects are gone, on any thread.
    pub fn free_released(&mut self) {
        for key in self.released.take() {
            self.entries.remove(&key);
        }
    }

    /// Ties the table to the Context the runtime serves.
    pub fn set_home(&mut self, context: &Arc<ContextCore>) {
        self.home = Some(Arc::downgrade(context));
    }

    /// The Context the runtime serves, while it is alive.
    pub fn home(&self) -> Option<Arc<ContextCore>> {
        self.home.as_ref().and_then(Weak::upgrade)
    }
}
