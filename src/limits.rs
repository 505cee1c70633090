//! Stopping JavaScript from outside: timeouts, the heap limit, and Ctrl-C.
//!
//! All three end the same way: something calls `TerminateExecution` on the isolate (thread-safe),
//! V8 unwinds the running script, and the operation that ran it maps the termination to the right
//! Python exception (`Limits::finish`) and cancels the termination so the isolate stays usable.
//!
//! - Timeouts: one watchdog thread for the whole process keeps the deadlines of the operations in
//!   flight and terminates an isolate whose deadline passes.
//! - Memory: V8 calls a near-heap-limit callback before it would abort the process for lack of
//!   heap; it terminates the script and grants headroom to unwind. The Context is then closed,
//!   because its heap limit stays raised (V8 offers no way back).
//! - Ctrl-C: while JavaScript runs the GIL is released and Python's own SIGINT handling cannot
//!   run. A chained SIGINT handler wakes a small thread that terminates the isolate running on the
//!   main thread; the operation then lets Python run its signal handlers (`KeyboardInterrupt`).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use deno_core::v8;
use parking_lot::{Condvar, Mutex};
use pyo3::exceptions::PyValueError;
use pyo3::PyResult;

/// Why the running JavaScript was terminated, if it was.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Stop {
    Timeout,
    HeapExhausted,
    Interrupt,
    /// Its Pool was closed with `cancel=True`.
    Cancelled,
    /// A Python callback raised an exception that must not be swallowed (`Stops::raise`).
    Raised,
    /// The caller gave up on the call (a cancelled asyncio future; `Stops::abandon`).
    Abandoned,
}

/// The longest timeout, about 31 years: deadlines are instants, and a later one than the clock
/// can hold would overflow (None is the timeout that never ends).
const MAX_TIMEOUT_SECONDS: f64 = 1e9;

/// A timeout in seconds as a Duration; it must be positive and at most `MAX_TIMEOUT_SECONDS`.
pub fn timeout(seconds: Option<f64>) -> PyResult<Option<Duration>> {
    match seconds {
        None => Ok(None),
        Some(t) if t > 0.0 && t <= MAX_TIMEOUT_SECONDS => Ok(Some(Duration::from_secs_f64(t))),
        Some(t) => Err(PyValueError::new_err(format!(
            "timeout must be a positive number of seconds, at most {MAX_TIMEOUT_SECONDS:e} \
             (None for no timeout), not {t:?}"
        ))),
    }
}

/// What the near-heap-limit callback grants beyond the limit so a terminated script can unwind:
/// more than the largest single object V8 allocates (a 2**27-element array or a 2**29-character
/// two-byte string, 1 GiB each), since the allocation that hit the limit has to succeed.
const HEAP_HEADROOM: usize = (1 << 30) + (64 << 20);
/// How many times an isolate's heap limit is raised at most: the unwinding of a terminated script
/// needs one grant; native code that allocates on before it returns to JavaScript, a few more.
const MAX_HEAP_GRANTS: u32 = 4;

/// One isolate's stop flags, shared with the watchdog, the heap callback and the SIGINT thread.
pub struct Stops {
    handle: v8::IsolateHandle,
    timed_out: AtomicBool,
    heap_exhausted: AtomicBool,
    heap_grants: AtomicU32,
    interrupted: AtomicBool,
    cancelled: AtomicBool,
    abandoned: AtomicBool,
    /// What a Python callback raised that the operation must raise in turn.
    raised: Mutex<Option<pyo3::PyErr>>,
}

impl Stops {
    pub fn new(handle: v8::IsolateHandle) -> Arc<Self> {
        Arc::new(Stops {
            handle,
            timed_out: AtomicBool::new(false),
            heap_exhausted: AtomicBool::new(false),
            heap_grants: AtomicU32::new(0),
            interrupted: AtomicBool::new(false),
            cancelled: AtomicBool::new(false),
            abandoned: AtomicBool::new(false),
            raised: Mutex::new(None),
        })
    }

    fn stop(&self, flag: &AtomicBool) {
        flag.store(true, Ordering::Release);
        self.handle.terminate_execution();
    }

    /// The near-heap-limit callback's decision: stop the script, and grant `HEAP_HEADROOM` (or half
    /// the limit, if more) so the allocation that hit the limit succeeds and V8 can unwind instead
    /// of aborting the process. An isolate is closed after its heap is exhausted, so the grants
    /// are counted for its whole life.
    pub fn heap_limit_reached(&self, current_limit: usize) -> usize {
        self.stop(&self.heap_exhausted);
        if self.heap_grants.fetch_add(1, Ordering::AcqRel) >= MAX_HEAP_GRANTS {
            // Native code that keeps allocating after termination was requested; past this V8
            // aborts, which only a worker process can contain.
            return current_limit;
        }
        current_limit + HEAP_HEADROOM.max(current_limit / 2)
    }

    /// ArrayBuffer allocations kept failing (`external_memory`): stopped like an exhausted heap.
    pub fn buffers_exhausted(&self) {
        self.stop(&self.heap_exhausted);
    }

    /// Whether the heap limit was reached since the isolate was created.
    pub fn heap_exhausted(&self) -> bool {
        self.heap_exhausted.load(Ordering::Acquire)
    }

    /// The operation's deadline passed (the watchdog, or the event loop waiting for a Promise).
    pub fn expire(&self) {
        self.stop(&self.timed_out);
    }

    /// Terminates whatever runs now and anything run later (its Pool is shutting down).
    pub fn cancel(&self) {
        self.stop(&self.cancelled);
    }

    /// Terminates the call running now, whose caller gave up on it. Only for a call known to be
    /// running (the Pool's registry of running jobs); `expect_job` clears it for the next one.
    pub fn abandon(&self) {
        self.stop(&self.abandoned);
    }

    /// Readies the flags for a new job, before it is registered as running.
    pub fn expect_job(&self) {
        self.abandoned.store(false, Ordering::Release);
    }

    /// Whether waiting for the event loop should give up: Ctrl-C, cancelled, or a callback
    /// raised `KeyboardInterrupt` or `SystemExit`.
    pub fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::Acquire)
            || self.cancelled.load(Ordering::Acquire)
            || self.abandoned.load(Ordering::Acquire)
            || self.raised.lock().is_some()
    }

    /// Stops the running JavaScript so that the operation raises `error` (a `KeyboardInterrupt`
    /// or `SystemExit` from a Python callback, which must reach the caller); the first one wins.
    pub fn raise(&self, error: pyo3::PyErr) {
        self.raised.lock().get_or_insert(error);
        self.handle.terminate_execution();
    }

    /// The exception `raise` kept, taken.
    pub fn take_raised(&self) -> Option<pyo3::PyErr> {
        self.raised.lock().take()
    }
}

thread_local! {
    /// The stop flags of the operation running on this thread (the innermost, when nested).
    static CURRENT: std::cell::RefCell<Option<Arc<Stops>>> = const { std::cell::RefCell::new(None) };
}

/// Whether the operation running on this thread was told to stop (timeout, Ctrl-C, cancel):
/// for Rust work that makes no V8 call a termination could interrupt (converting a result).
pub fn stop_requested() -> bool {
    CURRENT.with(|current| {
        current
            .borrow()
            .as_ref()
            .is_some_and(|stops| stops.timed_out.load(Ordering::Acquire) || stops.interrupted())
    })
}

/// A check of `stop_requested` every few thousand steps of a long loop, cheap enough for every
/// value a conversion visits.
#[derive(Default)]
pub struct StopCheck(u32);

impl StopCheck {
    /// Counts a step; true if the operation was told to stop (checked every 4096 steps).
    pub fn stopped(&mut self) -> bool {
        self.0 = self.0.wrapping_add(1);
        self.0.is_multiple_of(4096) && stop_requested()
    }
}

/// The limits armed for one operation; `finish` disarms them and tells why it was stopped.
pub struct Armed {
    stops: Arc<Stops>,
    /// The operation this one runs inside, if any, restored as the thread's current by `finish`.
    outer: Option<Arc<Stops>>,
    deadline: Option<(Instant, u64)>,
    /// On the main thread: what Ctrl-C terminated before this operation (an outer operation,
    /// when a callback from its JavaScript runs another Context), restored by `finish`.
    main_thread_outer: Option<Option<(Arc<Stops>, u64)>>,
}

impl Armed {
    /// Arms `timeout` (if any) and, on the main thread, Ctrl-C, for the operation about to run.
    pub fn new(stops: &Arc<Stops>, timeout: Option<Duration>) -> Self {
        stops.timed_out.store(false, Ordering::Release);
        stops.interrupted.store(false, Ordering::Release);
        let deadline = timeout.map(|t| watchdog().watch(Instant::now() + t, stops));
        let main_thread_outer = is_main_thread().then(|| {
            let signals_so_far = SIGINTS.load(Ordering::Acquire);
            MAIN_THREAD_ISOLATE
                .lock()
                .replace((Arc::clone(stops), signals_so_far))
        });
        let outer = CURRENT.with(|current| current.borrow_mut().replace(Arc::clone(stops)));
        Armed {
            stops: Arc::clone(stops),
            outer,
            deadline,
            main_thread_outer,
        }
    }

    /// When the event loop must give up waiting for a Promise.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline.map(|(at, _)| at)
    }

    /// Disarms the limits, cancels a termination they caused, and says which stopped the run.
    /// Call it on the isolate's thread, with the isolate entered or not.
    pub fn finish(self, isolate: &v8::Isolate) -> Option<Stop> {
        if let Some(deadline) = self.deadline {
            watchdog().unwatch(deadline);
        }
        if let Some(outer) = self.main_thread_outer {
            *MAIN_THREAD_ISOLATE.lock() = outer;
        }
        CURRENT.with(|current| *current.borrow_mut() = self.outer);
        let stops = &self.stops;
        let stop = if stops.raised.lock().is_some() {
            Some(Stop::Raised)
        } else if stops.heap_exhausted() {
            Some(Stop::HeapExhausted)
        } else if stops.timed_out.load(Ordering::Acquire) {
            Some(Stop::Timeout)
        } else if stops.cancelled.load(Ordering::Acquire) {
            Some(Stop::Cancelled)
        } else if stops.abandoned.swap(false, Ordering::AcqRel) {
            Some(Stop::Abandoned)
        } else if stops.interrupted.load(Ordering::Acquire) {
            Some(Stop::Interrupt)
        } else {
            None
        };
        if stop.is_some() {
            isolate.cancel_terminate_execution();
        }
        stop
    }
}

// ---------------------------------------------------------------------------------------------
// Timeouts

/// How often the watchdog terminates again an operation whose deadline has passed: V8 forgets a
/// termination once it has unwound to v8ctx, and v8ctx may run more JavaScript for the same
/// operation afterwards (a thrown object's getters while the error is converted, a Proxy trap),
/// which must stop too.
const TERMINATE_AGAIN_EVERY: Duration = Duration::from_millis(10);

struct Watchdog {
    deadlines: Mutex<Deadlines>,
    changed: Condvar,
    next: AtomicU64,
}

#[derive(Default)]
struct Deadlines {
    /// The operations whose deadline is still ahead, earliest first.
    ahead: BTreeMap<(Instant, u64), Arc<Stops>>,
    /// The operations whose deadline has passed and that have not finished yet, by key.
    passed: BTreeMap<u64, Arc<Stops>>,
}

fn watchdog() -> &'static Watchdog {
    static WATCHDOG: once_cell::sync::Lazy<&'static Watchdog> = once_cell::sync::Lazy::new(|| {
        let watchdog: &'static Watchdog = Box::leak(Box::new(Watchdog {
            deadlines: Mutex::new(Deadlines::default()),
            changed: Condvar::new(),
            next: AtomicU64::new(0),
        }));
        std::thread::Builder::new()
            .name("v8ctx-watchdog".into())
            .spawn(move || watchdog.run())
            .expect("the v8ctx watchdog thread could not start");
        watchdog
    });
    &WATCHDOG
}

impl Watchdog {
    fn watch(&self, at: Instant, stops: &Arc<Stops>) -> (Instant, u64) {
        let key = (at, self.next.fetch_add(1, Ordering::Relaxed));
        let mut deadlines = self.deadlines.lock();
        let earliest = deadlines
            .ahead
            .keys()
            .next()
            .is_none_or(|first| key < *first);
        deadlines.ahead.insert(key, Arc::clone(stops));
        if earliest {
            self.changed.notify_one();
        }
        key
    }

    /// Forgets the deadline: no termination for it happens after this returns.
    fn unwatch(&self, key: (Instant, u64)) {
        let mut deadlines = self.deadlines.lock();
        deadlines.ahead.remove(&key);
        deadlines.passed.remove(&key.1);
    }

    fn run(&self) {
        let mut deadlines = self.deadlines.lock();
        loop {
            let now = Instant::now();
            while let Some(entry) = deadlines.ahead.first_entry() {
                if now < entry.key().0 {
                    break;
                }
                let ((_, id), stops) = entry.remove_entry();
                stops.expire();
                deadlines.passed.insert(id, stops);
            }
            let next = deadlines.ahead.keys().next().map(|key| key.0);
            if deadlines.passed.is_empty() {
                match next {
                    Some(at) => {
                        self.changed.wait_until(&mut deadlines, at);
                    }
                    None => self.changed.wait(&mut deadlines),
                }
                continue;
            }
            let again = now + TERMINATE_AGAIN_EVERY;
            let wake = next.map_or(again, |at| at.min(again));
            self.changed.wait_until(&mut deadlines, wake);
            for stops in deadlines.passed.values() {
                stops.expire();
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Ctrl-C

/// The isolate running JavaScript on the main thread, which SIGINT terminates, with the count of
/// SIGINTs when its operation started: a signal that came before (while Python ran, say) belongs
/// to Python, not to this operation, however late the SIGINT thread wakes.
static MAIN_THREAD_ISOLATE: Mutex<Option<(Arc<Stops>, u64)>> = Mutex::new(None);
/// SIGINTs received so far (incremented by the handler: atomics are async-signal-safe).
static SIGINTS: AtomicU64 = AtomicU64::new(0);

fn is_main_thread() -> bool {
    thread_local! {
        // SAFETY: both calls only read the process and thread ids.
        static MAIN: bool = unsafe { libc::getpid() == libc::gettid() };
    }
    MAIN.with(|main| *main)
}

/// Python's handler (or whatever was installed before ours), which ours calls after its own work.
static mut PREVIOUS_SIGINT: Option<libc::sigaction> = None;
/// Posted by the signal handler (sem_post is async-signal-safe), awaited by the SIGINT thread.
static mut SIGINT_SEMAPHORE: std::mem::MaybeUninit<libc::sem_t> = std::mem::MaybeUninit::uninit();
static SIGINT_THREAD: Once = Once::new();

extern "C" fn on_sigint(
    signal: libc::c_int,
    info: *mut libc::siginfo_t,
    context: *mut libc::c_void,
) {
    SIGINTS.fetch_add(1, Ordering::AcqRel);
    // SAFETY: the semaphore was initialised before this handler was installed; PREVIOUS_SIGINT
    // is written only while installing, before the handler can run.
    unsafe {
        libc::sem_post(std::ptr::addr_of_mut!(SIGINT_SEMAPHORE).cast());
        if let Some(previous) = *std::ptr::addr_of!(PREVIOUS_SIGINT) {
            let handler = previous.sa_sigaction;
            if handler == libc::SIG_DFL || handler == libc::SIG_IGN {
                return;
            }
            if previous.sa_flags & libc::SA_SIGINFO != 0 {
                let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                    std::mem::transmute(handler);
                f(signal, info, context);
            } else {
                let f: extern "C" fn(libc::c_int) = std::mem::transmute(handler);
                f(signal);
            }
        }
    }
}

/// Makes Ctrl-C stop JavaScript running on the main thread. Python installs its own handler
/// again when the program calls `signal.signal(SIGINT, ...)`; each new Context re-checks.
/// Leaves SIGINT alone when it is ignored or has the default action (which ends the process).
pub fn watch_sigint() {
    SIGINT_THREAD.call_once(|| {
        // SAFETY: initialise the semaphore once, before any handler that posts it exists.
        unsafe { libc::sem_init(std::ptr::addr_of_mut!(SIGINT_SEMAPHORE).cast(), 0, 0) };
        std::thread::Builder::new()
            .name("v8ctx-sigint".into())
            .spawn(|| loop {
                // SAFETY: initialised above; waiting is the semaphore's purpose.
                let woke =
                    unsafe { libc::sem_wait(std::ptr::addr_of_mut!(SIGINT_SEMAPHORE).cast()) };
                if woke == 0 {
                    if let Some((stops, armed_at)) = MAIN_THREAD_ISOLATE.lock().as_ref() {
                        if SIGINTS.load(Ordering::Acquire) > *armed_at {
                            stops.stop(&stops.interrupted);
                        }
                    }
                }
            })
            .expect("the v8ctx SIGINT thread could not start");
    });
    // SAFETY: sigaction with valid pointers; PREVIOUS_SIGINT is only written here, and only
    // called with the GIL held (from Context creation), so never concurrently.
    unsafe {
        let mut current: libc::sigaction = std::mem::zeroed();
        libc::sigaction(libc::SIGINT, std::ptr::null(), &mut current);
        let ours = on_sigint as *const () as usize;
        if current.sa_sigaction == ours
            || current.sa_sigaction == libc::SIG_DFL
            || current.sa_sigaction == libc::SIG_IGN
        {
            return;
        }
        *std::ptr::addr_of_mut!(PREVIOUS_SIGINT) = Some(current);
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = ours;
        action.sa_flags = libc::SA_SIGINFO | (current.sa_flags & libc::SA_RESTART);
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
}
