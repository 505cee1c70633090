//! Compiled code shared by every Context in the process (V8's code cache).
//!
//! The same library (an obfuscated signing routine, say) is compiled into Context after Context:
//! one per thread, per request, per `with` block, one in every Pool worker. V8 can serialize
//! what it compiled for a script and take that in place of parsing and compiling the source
//! again; for a 20 KB library that takes compiling it and first calling into it from about 1 ms
//! to 0.2 ms. V8 checks a cache against its own version and flags and refuses one that does not
//! fit; the source itself it does not check (only its length), so caches are kept by the whole
//! source text.
//!
//! When a cache is made:
//! - only for sources of at least `MIN_SOURCE_LEN` bytes: shorter ones compile in microseconds;
//! - on the second time a source is compiled, so a one-off script costs no cache;
//! - at the end of the operation after the one that compiled it, so the functions that operation
//!   ran (compiled lazily, on first call) are in the cache too. A Context closed before any other
//!   operation makes none, and the next compilation of the source tries again.
//!
//! The caches and the sources they belong to take at most `MAX_BYTES`; the oldest go first.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use deno_core::v8;
use parking_lot::Mutex;

/// Sources shorter than this are compiled from scratch every time.
const MIN_SOURCE_LEN: usize = 1024;

/// At most this many bytes of sources and caches are kept.
const MAX_BYTES: usize = 64 << 20;

/// What is known of a source.
pub enum Known {
    /// Its code cache.
    Code(Arc<[u8]>),
    /// It was compiled before: make a cache of it (see `Candidates`).
    SeenBefore(Arc<str>),
    /// Nothing: too short, or compiled for the first time.
    Nothing,
}

/// Looks `source` up, and remembers that it is being compiled.
pub fn lookup(source: &str) -> Known {
    if source.len() < MIN_SOURCE_LEN {
        return Known::Nothing;
    }
    let mut store = STORE.lock();
    let store = store.get_or_insert_with(Store::default);
    match store.entries.get_key_value(source) {
        Some((_, Some(code))) => Known::Code(Arc::clone(code)),
        Some((key, None)) => Known::SeenBefore(Arc::clone(key)),
        None => {
            store.insert(Arc::from(source), None);
            Known::Nothing
        }
    }
}

/// Forgets the cache of `source`, which V8 refused.
pub fn refused(source: &str) {
    if let Some(store) = STORE.lock().as_mut() {
        if let Some(code) = store.entries.get_mut(source) {
            store.bytes -= code.take().map_or(0, |c| c.len());
        }
    }
}

/// Scripts of one runtime whose caches are to be made.
#[derive(Default)]
pub struct Candidates {
    /// Compiled by the operation in progress.
    waiting: Vec<(Arc<str>, v8::Global<v8::UnboundScript>)>,
    /// Compiled by an earlier operation: made when the current one ends.
    due: Vec<(Arc<str>, v8::Global<v8::UnboundScript>)>,
}

impl Candidates {
    pub fn add(&mut self, source: Arc<str>, script: v8::Global<v8::UnboundScript>) {
        self.waiting.push((source, script));
    }

    /// An operation begins: what earlier ones compiled becomes due at its end.
    pub fn operation_begins(&mut self) {
        self.due.append(&mut self.waiting);
    }

    /// The scripts whose caches are due; `make` them when the operation has ended.
    pub fn take_due(&mut self) -> Vec<(Arc<str>, v8::Global<v8::UnboundScript>)> {
        std::mem::take(&mut self.due)
    }
}

/// Makes and keeps the caches of `scripts`.
pub fn make(scope: &v8::PinScope<'_, '_>, scripts: Vec<(Arc<str>, v8::Global<v8::UnboundScript>)>) {
    for (source, script) in scripts {
        let script = v8::Local::new(scope, &script);
        if let Some(code) = script.create_code_cache() {
            if let Some(store) = STORE.lock().as_mut() {
                store.insert(source, Some(Arc::from(&code[..])));
            }
        }
    }
}

static STORE: Mutex<Option<Store>> = Mutex::new(None);

#[derive(Default)]
struct Store {
    /// Each source seen, with its cache once made.
    entries: HashMap<Arc<str>, Option<Arc<[u8]>>>,
    /// The sources in the order they were first seen, for eviction.
    order: VecDeque<Arc<str>>,
    /// Bytes of sources and caches held.
    bytes: usize,
}

impl Store {
    fn insert(&mut self, source: Arc<str>, code: Option<Arc<[u8]>>) {
        let added = code.as_ref().map_or(0, |c| c.len());
        match self.entries.get_mut(&source) {
            Some(old) => {
                self.bytes -= old.as_ref().map_or(0, |c| c.len());
                *old = code;
            }
            None => {
                self.bytes += source.len();
                self.order.push_back(Arc::clone(&source));
                self.entries.insert(source, code);
            }
        }
        self.bytes += added;
        while self.bytes > MAX_BYTES {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(code) = self.entries.remove(&oldest) {
                self.bytes -= oldest.len() + code.map_or(0, |c| c.len());
            }
        }
    }
}
