//! Memory an isolate holds outside V8's heap, counted per isolate in its `Budget`: ArrayBuffer
//! backing stores (through an allocator of its own) and the Python strs lent to it
//! (`convert/lent.rs`). Under `max_heap_mb`, heap plus both stay within the limit.
//!
//! Backing stores live outside V8's heap, so without this `max_heap_mb` bounded nothing of
//! `new Uint8Array(2**30)`. A refused allocation fails inside JavaScript as V8 reports it
//! (`RangeError: Array buffer allocation failed`): catchable, and the Context stays usable. A
//! script that keeps asking after refusals is terminated like any other heap exhaustion.
//! A str that does not fit is copied into the heap instead of lent, where V8's limit governs it.
//! WebAssembly memories and resizable ArrayBuffers (`maxByteLength`) are reserved through V8's
//! page allocator, not through this one: they are not bounded here (README).
//!
//! Dead lent strs are collected on a schedule of their own (`prepare_to_lend`): left to V8, they
//! piled up to gigabytes with a few threads lending a fresh megabyte per call.

use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use deno_core::v8;

use crate::limits::Stops;

/// Refusals after which the script is terminated: V8 retries each failed allocation a few times
/// (after full collections), so this is a handful of JavaScript allocations that kept failing.
const REFUSALS_BEFORE_TERMINATION: u32 = 32;

/// Lent bytes (at least) between the collections lending causes.
const COLLECT_LENT_AT: usize = 32 * 1024 * 1024;

/// One isolate's ArrayBuffer accounting, shared with its allocator.
pub struct Budget {
    /// Bytes of live backing stores.
    used: AtomicUsize,
    /// Bytes of the Python strs lent to the isolate (each str counted once, however many V8
    /// strings point at it).
    lent: AtomicUsize,
    /// Lent bytes past which the next lend collects garbage first (`prepare_to_lend`).
    collect_lent_at: AtomicUsize,
    /// `max_heap_mb` in bytes, for heap and buffers together.
    limit: Option<usize>,
    refusals: AtomicU32,
    /// The last allocation asked for was refused: V8 is collecting garbage to retry it.
    refusing: AtomicBool,
    /// Set once the isolate exists: its owner thread, the isolate, and its stop flags.
    isolate: OnceLock<Owner>,
}

struct Owner {
    thread: libc::pthread_t,
    isolate: usize,
    stops: Arc<Stops>,
}

impl Budget {
    /// The allocator for a new isolate limited to `limit` bytes (heap plus buffers), and its
    /// budget; call `attach` once the isolate exists.
    pub fn new(limit: Option<usize>) -> (Arc<Budget>, v8::UniqueRef<v8::Allocator>) {
        let budget = Arc::new(Budget {
            used: AtomicUsize::new(0),
            lent: AtomicUsize::new(0),
            collect_lent_at: AtomicUsize::new(COLLECT_LENT_AT),
            limit,
            refusals: AtomicU32::new(0),
            refusing: AtomicBool::new(false),
            isolate: OnceLock::new(),
        });
        static VTABLE: v8::RustAllocatorVtable<Budget> = v8::RustAllocatorVtable {
            allocate,
            allocate_uninitialized,
            free,
            drop: release,
        };
        let handle = Arc::into_raw(Arc::clone(&budget));
        // SAFETY: `handle` is a strong reference the allocator owns until V8 calls `release`.
        let allocator = unsafe { v8::new_rust_allocator(handle, &VTABLE) };
        (budget, allocator)
    }

    /// Ties the budget to its isolate, just created on the calling thread.
    pub fn attach(&self, isolate: &v8::Isolate, stops: &Arc<Stops>) {
        // SAFETY: only the address is kept (UnsafeRawIsolatePtr is a transparent pointer); it
        // is used on this, the owner, thread alone.
        let address = unsafe {
            std::mem::transmute::<v8::UnsafeRawIsolatePtr, *mut c_void>(
                isolate.as_raw_isolate_ptr(),
            )
        };
        let _ = self.isolate.set(Owner {
            // SAFETY: pthread_self has no preconditions.
            thread: unsafe { libc::pthread_self() },
            isolate: address as usize,
            stops: Arc::clone(stops),
        });
    }

    /// Bytes of live ArrayBuffer backing stores.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }

    /// Bytes of the Python strs lent to the isolate.
    pub fn lent(&self) -> usize {
        self.lent.load(Ordering::Acquire)
    }

    /// Whether `len` more bytes fit: buffers, lent strs and the heap in use stay within the limit.
    fn fits(&self, len: usize) -> bool {
        let Some(limit) = self.limit else {
            return true;
        };
        let heap = self.isolate.get().map_or(0, |owner| owner.heap_in_use());
        self.used() + self.lent() + heap + len <= limit
    }

    /// Collects garbage first if lending `len` more bytes would pass the next collection point
    /// or the limit: V8 knows of the lent bytes (rusty_v8 reports external strings as external
    /// memory), but left to itself lets dead ones reach hundreds of megabytes per isolate
    /// before it collects. The point doubles with the live lent bytes, so a large live set
    /// does not cause a collection per call. On the owner thread; the caller holds no lock a
    /// collection takes (`lent.rs` releases lent strs in it).
    pub fn prepare_to_lend(&self, len: usize) {
        let due = self.lent() + len > self.collect_lent_at.load(Ordering::Acquire);
        if due || !self.fits(len) {
            if let Some(owner) = self.isolate.get() {
                owner.on_owner_thread(|isolate| isolate.low_memory_notification());
            }
            self.collect_lent_at
                .store(COLLECT_LENT_AT.max(2 * self.lent()), Ordering::Release);
        }
    }

    /// Counts a str of `len` bytes lent to the isolate, if it fits. Cannot collect garbage, so
    /// it may be called under a lock a collection takes.
    pub fn count_lent(&self, len: usize) -> bool {
        let fits = self.fits(len);
        if fits {
            self.lent.fetch_add(len, Ordering::AcqRel);
        }
        fits
    }

    /// A lent str of `len` bytes no V8 string of the isolate points at any more.
    pub fn give_back(&self, len: usize) {
        self.lent.fetch_sub(len, Ordering::AcqRel);
    }

    /// Whether this is the budget of the isolate at `address` (`isolate::current_address`).
    pub fn is_of(&self, address: usize) -> bool {
        self.isolate
            .get()
            .is_some_and(|owner| owner.isolate == address)
    }

    /// Whether an ArrayBuffer of `len` bytes is admitted; counts refusals.
    fn admits(&self, len: usize) -> bool {
        let fits = self.fits(len);
        self.refusing.store(!fits, Ordering::Release);
        if !fits {
            let refusals = self.refusals.fetch_add(1, Ordering::AcqRel) + 1;
            if refusals >= REFUSALS_BEFORE_TERMINATION {
                if let Some(owner) = self.isolate.get() {
                    owner.stops.buffers_exhausted();
                }
            }
        }
        fits
    }
}

impl Budget {
    /// Whether a near-heap-limit call comes from the last-resort collection V8 runs before it
    /// gives up on a refused ArrayBuffer (it calls the callback then, whatever the heap holds),
    /// not from a heap that is full: then nothing is to be terminated or granted.
    pub fn collecting_for_a_refusal(&self, heap_limit: usize) -> bool {
        self.refusing.load(Ordering::Acquire)
            && self
                .isolate
                .get()
                .is_some_and(|owner| owner.heap_in_use() < heap_limit / 2)
    }
}

impl Owner {
    /// The isolate's used heap, read only on its owner thread (where V8 allocates buffers for
    /// JavaScript); elsewhere 0, so only the buffers count.
    fn heap_in_use(&self) -> usize {
        self.on_owner_thread(|isolate| isolate.get_heap_statistics().used_heap_size())
            .unwrap_or(0)
    }

    /// `f` of the isolate, if this is its owner thread.
    fn on_owner_thread<T>(&self, f: impl FnOnce(&mut v8::Isolate) -> T) -> Option<T> {
        // SAFETY: pthread_self and pthread_equal have no preconditions.
        if unsafe { libc::pthread_equal(libc::pthread_self(), self.thread) } == 0 {
            return None;
        }
        // SAFETY: on the owner thread the isolate is alive while its allocator is called and
        // strs are lent to it. Reading heap statistics may be done in an allocation; a
        // collection is asked for only outside one.
        let mut isolate = unsafe {
            v8::Isolate::from_raw_isolate_ptr(std::mem::transmute::<
                *mut c_void,
                v8::UnsafeRawIsolatePtr,
            >(self.isolate as *mut c_void))
        };
        Some(f(&mut isolate))
    }
}

unsafe extern "C" fn allocate(budget: &Budget, len: usize) -> *mut c_void {
    if !budget.admits(len) {
        return std::ptr::null_mut();
    }
    // SAFETY: calloc with a non-zero size; V8 wants zeroed memory here.
    let data = unsafe { libc::calloc(len.max(1), 1) };
    if !data.is_null() {
        budget.used.fetch_add(len, Ordering::AcqRel);
    }
    data
}

unsafe extern "C" fn allocate_uninitialized(budget: &Budget, len: usize) -> *mut c_void {
    if !budget.admits(len) {
        return std::ptr::null_mut();
    }
    // SAFETY: malloc with a non-zero size.
    let data = unsafe { libc::malloc(len.max(1)) };
    if !data.is_null() {
        budget.used.fetch_add(len, Ordering::AcqRel);
    }
    data
}

unsafe extern "C" fn free(budget: &Budget, data: *mut c_void, len: usize) {
    // SAFETY: `data` came from `allocate` or `allocate_uninitialized`, and V8 frees it once.
    unsafe { libc::free(data) };
    budget.used.fetch_sub(len, Ordering::AcqRel);
}

unsafe extern "C" fn release(budget: *const Budget) {
    // SAFETY: the strong reference `Budget::new` gave the allocator, released once by V8.
    drop(unsafe { Arc::from_raw(budget) });
}
