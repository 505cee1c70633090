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
mod source_text;

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::BuildHasher;
use std::sync::Arc;

use deno_core::v8;
use parking_lot::Mutex;
use rustc_hash::FxBuildHasher;

pub use source_text::SourceText;

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
    /// Its code cache, and its text to lend V8 (`source_text`).
    Code {
        code: Arc<[u8]>,
        text: Arc<SourceText>,
    },
    /// Make a cache of it (see `Candidates`): it was compiled before, or it is large.
    Candidate(Arc<str>),
    /// Nothing: too short, or compiled for the first time.
    Nothing,
}

impl Known {
    /// The text to lend V8 for this compilation: the cache's, or for a candidate a new one,
    /// which `make` keeps with the cache. Made here rather than by V8 (`v8::String::new`) for a
    /// candidate too, because V8's way transcodes through a temporary buffer into a heap copy
    /// (17 ms and 43 MB of fresh pages for typescript), and the next Context would make the
    /// text again for its first use of the cache.
    pub fn text_to_lend(&self) -> Option<Arc<SourceText>> {
        match self {
            Known::Code { text, .. } => Some(Arc::clone(text)),
            Known::Candidate(source) => Some(Arc::new(SourceText::of(source))),
            Known::Nothing => None,
        }
    }
}

/// Looks `source` up, in memory and then in the directory, and remembers that it is being
/// compiled. Reading the directory can take milliseconds: call it without the GIL.
pub fn lookup(source: &str) -> Known {
    if !(MIN_SOURCE_LEN..=MAX_SOURCE_LEN).contains(&source.len()) {
        return Known::Nothing;
    }
    if let Some((kept, Entry { code, text })) = with_store(|store| store.cached(source)) {
        // The text is made on the first use of the cache, outside the lock (it takes
        // milliseconds for a large source), so a cache never used costs none.
        let text = text.unwrap_or_else(|| {
            let made = Arc::new(SourceText::of(&kept));
            with_store(|store| store.keep_text(source, made))
        });
        return Known::Code { code, text };
    }
    if let Some(code) = disk::read(source) {
        // Its text too, made here rather than by V8 for the same reasons as a candidate's.
        let kept: Arc<str> = Arc::from(source);
        let text = Arc::new(SourceText::of(&kept));
        let text = with_store(|store| store.keep(kept, Arc::clone(&code), text));
        return Known::Code { code, text };
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
        if let Some(entry) = store.caches.remove(source) {
            store.bytes -= entry.bytes(source);
            store.order.retain(|kept| &**kept != source);
        }
    }
}

/// A compiled script whose cache is to be made.
pub struct Candidate {
    pub source: Arc<str>,
    pub script: v8::Global<v8::UnboundScript>,
    /// The text V8 was lent for it (`Known::text_to_lend`), kept with the cache.
    pub text: Arc<SourceText>,
}

/// Scripts of one runtime whose caches are to be made.
#[derive(Default)]
pub struct Candidates {
    /// Compiled by the operation in progress.
    waiting: Vec<Candidate>,
    /// Compiled by an earlier operation: made when the current one ends.
    due: Vec<Candidate>,
}

impl Candidates {
    pub fn add(&mut self, candidate: Candidate) {
        self.waiting.push(candidate);
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
    for Candidate {
        source,
        script,
        text,
    } in scripts
    {
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
            with_store(|store| store.keep(source, Arc::from(&code[..]), text));
        }
    }
}

/// How many code caches the process keeps in memory, and their bytes with their sources'.
pub fn in_memory() -> (usize, usize) {
    with_store(|store| (store.caches.len(), store.bytes))
}

static STORE: Mutex<Option<Store>> = Mutex::new(None);

/// A source's code cache, and its text once the cache was used.
#[derive(Clone)]
struct Entry {
    code: Arc<[u8]>,
    text: Option<Arc<SourceText>>,
}

impl Entry {
    /// The bytes it and its source take.
    fn bytes(&self, source: &str) -> usize {
        source.len() + self.code.len() + self.text.as_ref().map_or(0, |t| t.extra_bytes())
    }
}

#[derive(Default)]
struct Store {
    /// The code caches, by source text.
    caches: HashMap<Arc<str>, Entry, FxBuildHasher>,
    /// Their sources, oldest first.
    order: VecDeque<Arc<str>>,
    /// Bytes of the sources, caches and texts in `caches`.
    bytes: usize,
    /// Hashes of sources compiled once (a collision costs only a needless cache).
    seen: HashSet<u64, FxBuildHasher>,
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

    /// The kept source equal to `source`, and its entry.
    fn cached(&self, source: &str) -> Option<(Arc<str>, Entry)> {
        let (kept, entry) = self.caches.get_key_value(source)?;
        Some((Arc::clone(kept), entry.clone()))
    }

    /// Keeps `text`, made of `source`, and returns the text to lend: the one another thread
    /// kept meanwhile if it did (so the process holds one copy), else `text`, which is lent
    /// without being kept when its entry would outgrow `MAX_BYTES`. The entry, in use now,
    /// becomes the newest, so the room its text takes is made by evicting others.
    fn keep_text(&mut self, source: &str, text: Arc<SourceText>) -> Arc<SourceText> {
        let Some((key, entry)) = self.caches.get_key_value(source) else {
            return text;
        };
        if let Some(kept) = &entry.text {
            return Arc::clone(kept);
        }
        if entry.bytes(source) + text.extra_bytes() > MAX_BYTES {
            return text;
        }
        let key = Arc::clone(key);
        if let Some(at) = self.order.iter().position(|kept| Arc::ptr_eq(kept, &key)) {
            self.order.remove(at);
        }
        self.order.push_back(key);
        if let Some(entry) = self.caches.get_mut(source) {
            entry.text = Some(Arc::clone(&text));
        }
        self.bytes += text.extra_bytes();
        self.evict();
        text
    }

    /// Keeps `code` and `text`, made of `source`, and returns the text to lend (`keep_text`).
    fn keep(
        &mut self,
        source: Arc<str>,
        code: Arc<[u8]>,
        text: Arc<SourceText>,
    ) -> Arc<SourceText> {
        let entry = Entry { code, text: None };
        if entry.bytes(&source) > MAX_BYTES {
            return text;
        }
        self.bytes += entry.bytes(&source);
        match self.caches.insert(Arc::clone(&source), entry) {
            Some(old) => self.bytes -= old.bytes(&source),
            None => self.order.push_back(Arc::clone(&source)),
        }
        self.evict();
        self.keep_text(&source, text)
    }

    /// Drops the oldest caches until the rest fit in `MAX_BYTES`.
    fn evict(&mut self) {
        while self.bytes > MAX_BYTES {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(entry) = self.caches.remove(&oldest) {
                self.bytes -= entry.bytes(&oldest);
            }
        }
    }
}

/// A 64-bit hash of a source text, the same in every process of this build (a snapshot keeps
/// them). Fx, not the standard SipHash: sources are megabytes, and SipHash took 6 ms for each
/// hash of typescript's 10.8 MB, three of them (and as many in the `caches` map) in the first
/// Context that compiled it; Fx takes a tenth of that.
pub fn source_hash(source: &str) -> u64 {
    FxBuildHasher.hash_one(source)
}
