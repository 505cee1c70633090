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
//! - on the second time a source is compiled, so a one-off script costs no cache; a source of
//!   `EAGER_SOURCE_LEN` bytes or more (typescript's 10.8 MB compiler, a bundled app) on its first,
//!   since compiling it costs far more than making its cache, and so the second Context gains;
//! - at the end of the operation after the one that compiled it, so the functions that operation
//!   ran (compiled lazily, on first call) are in the cache too; or, if no operation follows, when
//!   the runtime is disposed (a Context that only ran `evaluate(library + call)`, say).
//!
//! - with a directory set (`disk`), also on the first time for a source of `DISK_EAGER_SOURCE_LEN`
//!   bytes or more: a library a process compiles once is what the directory is for.
//!
//! The caches and the sources they belong to take at most `MAX_BYTES`, the oldest going first; a
//! source compiled once is remembered by a hash only, the last `MAX_SEEN` of them. A directory set
//! with `disk` keeps them for later processes too.

pub mod api;
pub mod disk;

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use deno_core::v8;
use parking_lot::Mutex;

/// Sources shorter than this are compiled from scratch every time.
const MIN_SOURCE_LEN: usize = 1024;

/// At most this many bytes of sources and their caches are kept.
const MAX_BYTES: usize = 64 << 20;

/// Longer sources are compiled from scratch every time: their caches would crowd out the rest.
const MAX_SOURCE_LEN: usize = MAX_BYTES / 4;

/// Sources from this size on have their cache made after their first compilation.
const EAGER_SOURCE_LEN: usize = 1 << 20;

/// With a directory set, sources from this size on have their cache made after their first
/// compilation: below it, compiling costs about as much as reading a cache from a file.
const DISK_EAGER_SOURCE_LEN: usize = 32 << 10;

/// At most this many sources compiled once are remembered.
const MAX_SEEN: usize = 4096;

/// What is known of a source.
pub enum Known {
    /// Its code cache.
    Code(Arc<[u8]>),
    /// Make a cache of it (see `Candidates`): it was compiled before, or it is large.
    Candidate(Arc<str>),
    /// Nothing: too short, or compiled for the first time.
    Nothing,
}

/// Looks `source` up, in memory and then in the directory, and remembers that it is being
/// compiled. Reading the directory can take milliseconds: call it without the GIL.
pub fn lookup(source: &str) -> Known {
    if !(MIN_SOURCE_LEN..=MAX_SOURCE_LEN).contains(&source.len()) {
        return Known::Nothing;
    }
    if let Some(code) = with_store(|store| store.caches.get(source).cloned()) {
        return Known::Code(code);
    }
    if let Some(code) = disk::read(source) {
        with_store(|store| store.keep(Arc::from(source), Arc::clone(&code)));
        return Known::Code(code);
    }
    let eager_from = match disk::current() {
        Some(_) => DISK_EAGER_SOURCE_LEN,
        None => EAGER_SOURCE_LEN,
    };
    // A large source is a candidate at once, without hashing it to remember it.
    if source.len() >= eager_from || with_store(|store| store.saw(source)) {
        Known::Candidate(Arc::from(source))
    } else {
        Known::Nothing
    }
}

fn with_store<R>(f: impl FnOnce(&mut Store) -> R) -> R {
    f(STORE.lock().get_or_insert_with(Store::default))
}

/// Forgets the cache of `source`, which V8 refused; the next compilation makes a new one.
pub fn refused(source: &str) {
    disk::forget(source);
    if let Some(store) = STORE.lock().as_mut() {
        if let Some(code) = store.caches.remove(source) {
            store.bytes -= source.len() + code.len();
            store.order.retain(|kept| &**kept != source);
        }
    }
}

/// A compiled script whose cache is to be made, with its source.
type Candidate = (Arc<str>, v8::Global<v8::UnboundScript>);

/// Scripts of one runtime whose caches are to be made.
#[derive(Default)]
pub struct Candidates {
    /// Compiled by the operation in progress.
    waiting: Vec<Candidate>,
    /// Compiled by an earlier operation: made when the current one ends.
    due: Vec<Candidate>,
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
    pub fn take_due(&mut self) -> Vec<Candidate> {
        std::mem::take(&mut self.due)
    }

    /// Every script still waiting, for a runtime about to be disposed (a Context that ran one
    /// operation, say) to make its caches at last.
    pub fn take_all(&mut self) -> Vec<Candidate> {
        let mut all = self.take_due();
        all.append(&mut self.waiting);
        all
    }
}

/// Makes and keeps the caches of `scripts`.
pub fn make(scope: &v8::PinScope<'_, '_>, scripts: Vec<Candidate>) {
    for (source, script) in scripts {
        let made = STORE
            .lock()
            .as_ref()
            .is_some_and(|store| store.caches.contains_key(&source));
        if made {
            // Another runtime compiled it meanwhile.
            continue;
        }
        let script = v8::Local::new(scope, &script);
        if let Some(code) = script.create_code_cache() {
            disk::write(&source, &code);
            with_store(|store| store.keep(source, Arc::from(&code[..])));
        }
    }
}

/// How many code caches the process keeps in memory, and their bytes with their sources'.
pub fn in_memory() -> (usize, usize) {
    with_store(|store| (store.caches.len(), store.bytes))
}

static STORE: Mutex<Option<Store>> = Mutex::new(None);

#[derive(Default)]
struct Store {
    /// The code caches, by source text.
    caches: HashMap<Arc<str>, Arc<[u8]>>,
    /// Their sources, oldest first.
    order: VecDeque<Arc<str>>,
    /// Bytes of the sources and caches in `caches`.
    bytes: usize,
    /// Hashes of sources compiled once (a collision costs only a needless cache).
    seen: HashSet<u64>,
    seen_order: VecDeque<u64>,
}

impl Store {
    /// Whether `source` was compiled before; remembers that it has been now.
    fn saw(&mut self, source: &str) -> bool {
        let hash = source_hash(source);
        if self.seen.contains(&hash) {
            return true;
        }
        if self.seen_order.len() >= MAX_SEEN {
            if let Some(oldest) = self.seen_order.pop_front() {
                self.seen.remove(&oldest);
            }
        }
        self.seen.insert(hash);
        self.seen_order.push_back(hash);
        false
    }

    fn keep(&mut self, source: Arc<str>, code: Arc<[u8]>) {
        if source.len() + code.len() > MAX_BYTES {
            return;
        }
        self.bytes += code.len();
        match self.caches.insert(Arc::clone(&source), code) {
            Some(old) => self.bytes -= old.len(),
            None => {
                self.bytes += source.len();
                self.order.push_back(source);
            }
        }
        while self.bytes > MAX_BYTES {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(code) = self.caches.remove(&oldest) {
                self.bytes -= oldest.len() + code.len();
            }
        }
    }
}

/// A 64-bit hash of a source text.
pub fn source_hash(source: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    source.hash(&mut hasher);
    hasher.finish()
}
