//! The JsRuntime wrapper, and the isolate discipline it keeps (the enter and exit calls
//! themselves are in `isolate.rs`).
//!
//! rusty_v8 enters an isolate when it is created and, when it is dropped, asserts that it is the
//! thread's current isolate and exits it. That model only allows isolates to be dropped in reverse
//! order of creation, which is exactly what Python's garbage collector does not guarantee. So every
//! `Runtime` keeps these invariants:
//!
//! 1. Between operations no isolate of ours is entered: `Runtime::new` exits the isolate that
//!    `JsRuntime::new` entered.
//! 2. Every operation enters the isolate and exits it again (`isolate::Entered`, a guard, so an early return
//!    cannot skip the exit). Entering nests, so an operation may run while another runtime's
//!    operation is in progress on the same thread (a console callback that uses a second Context).
//! 3. Disposal enters the isolate exactly once; `OwnedIsolate::drop` then finds it current and
//!    exits it, restoring whatever was entered before.
//! 4. A `Runtime` is only touched on the thread that created it (`owner` enforces this), so the
//!    isolate and its handles never cross threads.

use std::cell::RefCell;
use std::collections::HashSet;
use std::future::{poll_fn, Future};
use std::rc::Rc;
use std::sync::Arc;
use std::task::Poll;

use deno_core::{v8, JsRuntime, JsRuntimeForSnapshot, PollEventLoopOptions, RuntimeOptions};
use pyo3::prelude::*;

use crate::bridge;
use crate::browser::Browser;
use crate::code_cache::{self, Candidates};
use crate::external_memory;
use crate::flags;
use crate::gil::without_gil;
use crate::handles::{self, Handles};
use crate::host;
use crate::isolate::{self, Entered};
use crate::limits::Stops;
use crate::modules::{self, ModuleRoot};
use crate::names::Names;
use crate::ops;
use crate::snapshot::Image;
use crate::stack;

/// The V8 startup snapshot `build.rs` made: deno_core's JavaScript and `js/bootstrap.js`, run.
pub static SNAPSHOT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/v8ctx_snapshot.bin"));

/// Where the bootstrap's per-runtime functions are kept in a runtime that will be snapshotted,
/// so a runtime started from that snapshot finds them: a private symbol, which no JavaScript can
/// name or enumerate.
const BOOTSTRAP_KEY: &str = "v8ctx.bootstrap";

/// A deno_core runtime, or one that ends as a snapshot (`Snapshot.create`).
enum Js {
    Running(JsRuntime),
    Snapshotting(JsRuntimeForSnapshot),
}

impl std::ops::Deref for Js {
    type Target = JsRuntime;
    fn deref(&self) -> &JsRuntime {
        match self {
            Js::Running(js) => js,
            Js::Snapshotting(js) => js,
        }
    }
}

impl std::ops::DerefMut for Js {
    fn deref_mut(&mut self) -> &mut JsRuntime {
        match self {
            Js::Running(js) => js,
            Js::Snapshotting(js) => js,
        }
    }
}

thread_local! {
    /// The thread's event loop driver. Each `Runtime` holds a reference, so it outlives every
    /// runtime created on the thread whatever order thread-locals are destroyed in.
    static EVENT_LOOP: Rc<tokio::runtime::Runtime> = Rc::new(
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a current-thread tokio runtime needs no OS resources that can run out"),
    );
}

/// Why `Runtime::into_snapshot` made no snapshot.
pub enum NotSnapshotted {
    /// The heap holds what no snapshot may (the bootstrap's `beforeSnapshot` says what).
    Refused(String),
    /// Not a runtime made by `for_snapshot`, or its preparation was terminated.
    Failed,
}

/// One V8 isolate with its deno_core runtime and the state v8ctx keeps beside it.
///
/// Operations take `&Runtime`, so that a Python callable JavaScript calls may run another
/// operation on the same runtime (re-entrancy, `bridge.rs`): the isolate is reached through its
/// raw pointer (`isolate()`), as rusty_v8 lets V8 callbacks do, and the few fields that change
/// are cells. The `JsRuntime` itself is borrowed only to run the event loop (`settle`), which a
/// nested operation never does, and to drop it.
pub struct Runtime {
    /// None only once `into_snapshot` has consumed it.
    js: RefCell<Option<Js>>,
    /// The isolate `js` owns, which lives exactly as long as this Runtime.
    isolate: v8::UnsafeRawIsolatePtr,
    /// Operations in progress on this runtime: more than one while a Python callable runs one
    /// from inside another.
    depth: std::cell::Cell<u32>,
    /// The deadline of the outermost operation in progress.
    deadline: std::cell::Cell<Option<std::time::Instant>>,
    /// Hashes of the sources `compile` has run, so a library compiled twice runs once.
    compiled_sources: RefCell<HashSet<u64>>,
    /// What Python objects hold on to: Scripts' evaluators, functions (`handles.rs`).
    handles: handles::Shared,
    /// Scripts compiled here whose code caches are still to be made.
    code_caches: RefCell<Candidates>,
    /// Whether the heap becomes a snapshot (`for_snapshot`): fixed at creation, and readable
    /// while `js` is borrowed (by the event loop running a timer that calls Python, say).
    makes_snapshot: bool,
    stops: Arc<Stops>,
    /// Memory outside the heap: ArrayBuffers and lent strs.
    external: Arc<external_memory::Budget>,
    /// None only once `into_snapshot` let go of them.
    kept: Option<Kept>,
    /// The number of the operation running now, which timers record (`ops::OperationNumber`).
    operation: Rc<std::cell::Cell<u32>>,
    /// The number the next operation gets.
    next_operation: std::cell::Cell<u32>,
    /// An exception a callback of the event loop threw and nothing caught (`ops::Uncaught`).
    uncaught: Rc<RefCell<Option<v8::Global<v8::Value>>>>,
    event_loop: Rc<tokio::runtime::Runtime>,
    /// The user snapshot the heap started from, whose bytes V8 may read for as long as the
    /// isolate lives: dropped after `js` (see `Drop`).
    _image: Option<Arc<Image>>,
}

/// The handles a runtime keeps into its own heap. V8 refuses to serialize a heap while the
/// embedder holds global handles into it, so `into_snapshot` drops these first.
struct Kept {
    context: v8::Global<v8::Context>,
    /// The bootstrap's reporter of unhandled rejections.
    report_rejection: v8::Global<v8::Function>,
    /// The bootstrap's canceller of the timers an operation created.
    cancel_timers_of: v8::Global<v8::Function>,
    /// The bootstrap's `nextTimerDelay`.
    next_timer_delay: v8::Global<v8::Function>,
    /// What the bootstrap does right before a snapshot (puts back what deno_core needs).
    before_snapshot: v8::Global<v8::Function>,
}

/// Rejected Promises without a handler, kept in an isolate slot until the operation ends.
///
/// v8ctx tracks these itself instead of deno_core, which reports them only from its event loop
/// (so a call that awaits nothing never would) and as fatal errors.
#[derive(Default)]
struct Unhandled(RefCell<Vec<(v8::Global<v8::Promise>, v8::Global<v8::Value>)>>);

extern "C" fn track_rejection(message: v8::PromiseRejectMessage) {
    // SAFETY: V8 calls this with a live message on the isolate's thread, inside the isolate.
    v8::callback_scope!(unsafe scope, &message);
    let promise = message.get_promise();
    let Some(unhandled) = scope.get_slot::<Unhandled>() else {
        return;
    };
    match message.get_event() {
        v8::PromiseRejectEvent::PromiseRejectWithNoHandler => {
            let reason = message
                .get_value()
                .unwrap_or_else(|| v8::undefined(scope).into());
            let entry = (
                v8::Global::new(scope, promise),
                v8::Global::new(scope, reason),
            );
            unhandled.0.borrow_mut().push(entry);
        }
        v8::PromiseRejectEvent::PromiseHandlerAddedAfterReject => {
            unhandled.0.borrow_mut().retain(|(p, _)| *p != promise);
        }
        _ => {}
    }
}

/// Records that v8ctx handled `promise` (raised its rejection), so it is not reported as well.
pub fn handled(scope: &v8::PinScope<'_, '_>, promise: v8::Local<'_, v8::Promise>) {
    if let Some(unhandled) = scope.get_slot::<Unhandled>() {
        unhandled.0.borrow_mut().retain(|(p, _)| *p != promise);
    }
}

/// How a new runtime is set up (the Context's constructor options).
pub struct Options {
    pub max_heap_mb: Option<usize>,
    pub random_seed: Option<u64>,
    pub console: Option<Py<PyAny>>,
    /// Where `import` and `require()` find modules.
    pub modules: Arc<ModuleRoot>,
    /// The browser globals to define, if any (`browser.rs`).
    pub browser: Option<Browser>,
    /// The user snapshot to start from, instead of v8ctx's own (`snapshot/`).
    pub snapshot: Option<Arc<Image>>,
}

/// Why waiting for a Promise ended without it settling.
pub enum SettleError {
    /// The event loop has nothing left that could settle it.
    NeverSettles,
    /// The deadline passed, or the run was stopped (`limits`).
    Stopped,
    /// A callback the event loop ran (a timer's, a microtask) threw, and nothing caught it.
    Uncaught(v8::Global<v8::Value>),
    /// The event loop failed otherwise.
    EventLoop(deno_core::error::CoreError),
    /// The event loop is already running further up the stack (a timer or Promise callback
    /// called the Python callable that made this nested operation).
    Nested,
}

/// Whether `promise` is still pending, between turns of the event loop.
fn still_pending(
    js: &mut JsRuntime,
    context: &v8::Global<v8::Context>,
    promise: &v8::Global<v8::Promise>,
) -> bool {
    let isolate: &mut v8::Isolate = js.v8_isolate();
    v8::scope!(scope, isolate);
    let local = v8::Local::new(scope, context);
    let scope = &mut v8::ContextScope::new(scope, local);
    v8::Local::new(scope, promise).state() == v8::PromiseState::Pending
}

/// Where one turn of the event loop (`Runtime::step`) left an awaited Promise.
pub enum Stepped {
    Settled,
    /// Still pending; deno_core's loop waits for timers.
    Waiting,
    /// Still pending, and deno_core's loop has nothing left (only Python can settle it now).
    Idle,
}

/// Starts, once per process, a thread that keeps an idle isolate alive for good.
///
/// V8 shares the read-only heap and the optimizing compiler's thread among the live isolates of
/// a process, and tears both down when the last one goes. Code that creates and closes one
/// Context at a time (`with Context() as c:` in a loop) would then rebuild them for every
/// Context: a third of the time creating one takes. The kept runtime comes from the same
/// snapshot, is exited like every other (invariant 1), never entered again and never runs
/// JavaScript; its thread only parks. Should the thread fail to start, Contexts work as before,
/// only slower to create.
///
/// It is also the process's first isolate: every caller waits until it exists. V8 has one
/// read-only heap per process, made by the first isolate from its snapshot, and every later
/// isolate's snapshot refers into it; isolates from v8ctx's own snapshot and from user
/// snapshots (`snapshot/`) can share it only if it is the one v8ctx's own snapshot makes.
fn keep_isolate_group_alive() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let (created, first) = std::sync::mpsc::channel();
        let keeper = std::thread::Builder::new()
            .name("v8ctx-isolate-keeper".into())
            .spawn(move || {
                let _kept = Runtime::create(
                    Options {
                        max_heap_mb: None,
                        random_seed: None,
                        console: None,
                        modules: Arc::new(ModuleRoot::Empty),
                        browser: None,
                        snapshot: None,
                    },
                    false,
                );
                let _ = created.send(());
                loop {
                    std::thread::park();
                }
            });
        if keeper.is_ok() {
            // An error means the keeper thread ended without a runtime: nothing to wait for.
            let _ = first.recv();
        }
    });
}

/// The bootstrap's per-runtime functions (reporter, timer canceller, deferred maker, next timer
/// delay, and what runs right before a snapshot). A fresh heap gets them from `__v8ctxSetup`,
/// and keeps them under `BOOTSTRAP_KEY` when it will be snapshotted; a heap from a user snapshot
/// finds them there and resumes (its setup ran when the snapshot was made, with the options the
/// snapshot records).
fn bootstrap<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    options: &Options,
    will_snapshot: bool,
) -> Option<[v8::Local<'s, v8::Function>; 5]> {
    let global = scope.get_current_context().global(scope);
    let key_name = v8::String::new(scope, BOOTSTRAP_KEY)?;
    let key = v8::Private::for_api(scope, Some(key_name));
    let undefined = v8::undefined(scope).into();
    let functions = if options.snapshot.is_some() {
        v8::Local::<v8::Array>::try_from(global.get_private(scope, key)?).ok()?
    } else {
        let name = v8::String::new(scope, "__v8ctxSetup")?;
        let setup = v8::Local::<v8::Function>::try_from(global.get(scope, name.into())?).ok()?;
        let seed: v8::Local<v8::Value> = match options.random_seed {
            // A JavaScript number holds 53 bits; the generator mixes them all.
            Some(seed) => v8::Number::new(scope, (seed % (1 << 53)) as f64).into(),
            None => v8::null(scope).into(),
        };
        let browser: v8::Local<v8::Value> = match &options.browser {
            Some(browser) => {
                let user_agent = v8::String::new(scope, &browser.user_agent)?.into();
                let url = v8::String::new(scope, &browser.url)?.into();
                v8::Array::new_with_elements(scope, &[user_agent, url]).into()
            }
            None => v8::null(scope).into(),
        };
        let snapshotting = v8::Boolean::new(scope, will_snapshot).into();
        let functions = v8::Local::<v8::Array>::try_from(setup.call(
            scope,
            undefined,
            &[seed, browser, snapshotting],
        )?)
        .ok()?;
        if will_snapshot {
            global.set_private(scope, key, functions.into())?;
        }
        functions
    };
    let function = |i| {
        functions
            .get_index(scope, i)
            .and_then(|f| v8::Local::<v8::Function>::try_from(f).ok())
    };
    let [report, cancel, deferred, next_timer, resume, before_snapshot] = [
        function(0)?,
        function(1)?,
        function(2)?,
        function(3)?,
        function(4)?,
        function(5)?,
    ];
    if options.snapshot.is_some() {
        let snapshotting = v8::Boolean::new(scope, will_snapshot).into();
        resume.call(scope, undefined, &[snapshotting])?;
    }
    Some([report, cancel, deferred, next_timer, before_snapshot])
}

impl Runtime {
    /// A fresh isolate with the bootstrap run; no isolate is left entered.
    pub fn new(options: Options) -> Result<Self, String> {
        keep_isolate_group_alive();
        Self::create(options, false)
    }

    /// A fresh isolate whose heap `into_snapshot` will serialize, once the code to keep has run.
    /// The process should run nothing else (`snapshot/` makes snapshots in a process of their
    /// own). The kept isolate comes first here too: a snapshot creator that made the process's
    /// read-only heap itself would keep it writable and add to it, and a snapshot with such
    /// additions cannot run beside isolates from v8ctx's own snapshot.
    pub fn for_snapshot(options: Options) -> Result<Self, String> {
        keep_isolate_group_alive();
        Self::create(options, true)
    }

    fn create(mut options: Options, will_snapshot: bool) -> Result<Self, String> {
        flags::set();
        if let Some(image) = &options.snapshot {
            options.modules = image.modules_or(Arc::clone(&options.modules));
        }
        let stack_limit = stack::limit_for_this_thread()?;
        let event_loop = EVENT_LOOP.with(Rc::clone);
        // deno_core hands V8's delayed tasks to the tokio runtime current at creation, and aborts
        // the process if there is none.
        let _tokio = event_loop.enter();
        let limit = options.max_heap_mb.map(|mb| mb * 1024 * 1024);
        let (external, allocator) = external_memory::Budget::new(limit);
        let mut create_params = v8::CreateParams::default().array_buffer_allocator(allocator);
        if let Some(limit) = limit {
            create_params = create_params.heap_limits(0, limit);
        }
        if will_snapshot {
            // V8 gives a snapshot creator no C++ heap of its own, and the ops that return
            // objects living there (a TextDecoder, say) abort the process without one.
            // `keep_isolate_group_alive` initialized V8, so the platform exists.
            let heap = v8::cppgc::Heap::create(
                v8::V8::get_current_platform(),
                v8::cppgc::HeapCreateParams::default(),
            );
            create_params = create_params.cpp_heap(heap);
        }
        let startup: &'static [u8] = match &options.snapshot {
            // SAFETY: the Runtime keeps the image (`_image`) until after the isolate is disposed
            // (`Drop` drops `js` first), so V8 never reads the bytes after they are freed: the
            // heap's external strings point into them.
            Some(image) => unsafe { std::mem::transmute::<&[u8], &'static [u8]>(image.v8_bytes()) },
            None => SNAPSHOT,
        };
        let runtime_options = RuntimeOptions {
            create_params: Some(create_params),
            startup_snapshot: Some(startup),
            // The snapshot has the op bindings already; binding them again costs a millisecond.
            skip_op_registration: true,
            extensions: vec![ops::v8ctx_host::init()],
            module_loader: Some(Rc::new(modules::Loader(Arc::clone(&options.modules)))),
            ..Default::default()
        };
        let mut js = if will_snapshot {
            JsRuntimeForSnapshot::try_new(runtime_options).map(Js::Snapshotting)
        } else {
            JsRuntime::try_new(runtime_options).map(Js::Running)
        }
        .map_err(|e| format!("could not create the V8 runtime: {e}"))?;
        let context = js.main_context();
        if let Some(limit) = stack_limit {
            stack::set_limit(js.v8_isolate(), limit);
        }
        let stops = Stops::new(js.v8_isolate().thread_safe_handle());
        external.attach(js.v8_isolate(), &stops);
        js.v8_isolate().set_slot(Arc::clone(&external));
        let heap_stops = Arc::clone(&stops);
        // Always armed, also without max_heap_mb: V8 aborts the process when it runs out of heap.
        let heap_buffers = Arc::clone(&external);
        js.add_near_heap_limit_callback(move |current, _initial| {
            if heap_buffers.collecting_for_a_refusal(current) {
                return current;
            }
            heap_stops.heap_limit_reached(current)
        });
        js.op_state().borrow_mut().put(host::console_hook(
            options.console.take(),
            Arc::clone(&stops),
        ));
        js.v8_isolate().set_slot(Unhandled::default());
        let handles = Handles::new_in(js.v8_isolate());
        Names::new_in(js.v8_isolate());
        js.v8_isolate().set_promise_reject_callback(track_rejection);
        // deno_core asks V8 for a detailed stack trace of every Error as it is made, for its
        // inspector; v8ctx reads `.stack` and the message's location instead. Capturing it needs
        // the source positions of every function on the stack, which V8 gets by parsing the
        // function again: one ReferenceError typescript's 10.8 MB compiler catches while it loads
        // re-parsed the whole bundle (a third of its load).
        js.v8_isolate()
            .set_capture_stack_trace_for_uncaught_exceptions(false, 0);
        // Invariant 1.
        isolate::exit_after_creation(js.v8_isolate());
        let operation = Rc::new(std::cell::Cell::new(0));
        js.op_state()
            .borrow_mut()
            .put(ops::OperationNumber(Rc::clone(&operation)));
        let uncaught = Rc::new(RefCell::new(None));
        js.op_state()
            .borrow_mut()
            .put(ops::Uncaught(Rc::clone(&uncaught)));
        js.op_state()
            .borrow_mut()
            .put(ops::StopRequested(crate::limits::stop_requested));
        js.op_state()
            .borrow_mut()
            .put(ops::modules::Modules(Rc::new(modules::Loader(Arc::clone(
                &options.modules,
            )))));
        let bootstrapped = {
            let isolate: &mut v8::Isolate = js.v8_isolate();
            let _entered = Entered::new(isolate);
            v8::scope!(scope, isolate);
            let local = v8::Local::new(scope, &context);
            let scope = &mut v8::ContextScope::new(scope, local);
            // Caught, so that V8 does not print it to stdout, which a Pool worker's and the
            // snapshot maker's parent reads frames from.
            v8::tc_scope!(let scope, scope);
            match bootstrap(scope, &options, will_snapshot) {
                Some([report, cancel, deferred, next_timer, before_snapshot]) => Ok((
                    v8::Global::new(scope, report),
                    v8::Global::new(scope, cancel),
                    v8::Global::new(scope, deferred),
                    v8::Global::new(scope, next_timer),
                    v8::Global::new(scope, before_snapshot),
                )),
                None => Err(format!(
                    "the v8ctx bootstrap script failed: {}",
                    thrown_message(scope)
                )),
            }
        };
        let (report_rejection, cancel_timers_of, deferred, next_timer_delay, before_snapshot) =
            match bootstrapped {
                Ok(functions) => functions,
                Err(err) => {
                    dispose(js);
                    return Err(err);
                }
            };
        bridge::install(js.v8_isolate(), Arc::clone(&stops), deferred);
        // SAFETY: only the address is kept; `isolate()` says when it may be used.
        let isolate = unsafe { js.v8_isolate().as_raw_isolate_ptr() };
        Ok(Runtime {
            js: RefCell::new(Some(js)),
            isolate,
            kept: Some(Kept {
                context,
                report_rejection,
                cancel_timers_of,
                next_timer_delay,
                before_snapshot,
            }),
            depth: std::cell::Cell::new(0),
            deadline: std::cell::Cell::new(None),
            compiled_sources: RefCell::new(
                options
                    .snapshot
                    .as_ref()
                    .map(|image| image.recorded.compiled_sources.iter().copied().collect())
                    .unwrap_or_default(),
            ),
            handles,
            code_caches: RefCell::new(Candidates::default()),
            makes_snapshot: will_snapshot,
            stops,
            external,
            operation,
            next_operation: std::cell::Cell::new(0),
            uncaught,
            event_loop,
            _image: options.snapshot,
        })
    }

    /// The JsRuntime, to run its event loop; Nested if the loop already runs further up the
    /// stack.
    fn js_for_event_loop(&self) -> Result<std::cell::RefMut<'_, JsRuntime>, SettleError> {
        let js = self.js.try_borrow_mut().map_err(|_| SettleError::Nested)?;
        Ok(std::cell::RefMut::map(js, |js| {
            &mut **js
                .as_mut()
                .expect("only into_snapshot consumes the runtime")
        }))
    }

    fn kept(&self) -> &Kept {
        self.kept
            .as_ref()
            .expect("only into_snapshot lets go of them, and it consumes the runtime")
    }

    /// Reports the rejected Promises that are still unhandled at the end of an operation.
    pub fn report_unhandled_rejections(&self) {
        let pending = match self.isolate().get_slot::<Unhandled>() {
            Some(unhandled) if !unhandled.0.borrow().is_empty() => unhandled.0.take(),
            _ => return,
        };
        let report = self.kept().report_rejection.clone();
        self.with_scope(|scope| {
            v8::tc_scope!(let scope, scope);
            let report = v8::Local::new(scope, &report);
            let undefined = v8::undefined(scope).into();
            for (_, reason) in pending {
                let reason = v8::Local::new(scope, &reason);
                // A console that fails cannot be reported anywhere better; the TryCatch drops it.
                let _ = report.call(scope, undefined, &[reason]);
            }
        });
    }

    /// Numbers a new operation, for the timers it creates; returns its number.
    pub fn operation_begins(&self) -> u32 {
        let number = self.next_operation.get().wrapping_add(1);
        self.next_operation.set(number);
        self.operation.set(number);
        number
    }

    /// The number of the operation running now.
    pub fn current_operation(&self) -> u32 {
        self.operation.get()
    }

    /// A later step of the operation numbered `number` (an awaited one): its timers are its own.
    pub fn operation_resumes(&self, number: u32) {
        self.operation.set(number);
    }

    /// How long until the next timer is due (zero if one is overdue); None if none is pending.
    pub fn next_timer_delay(&self) -> Option<std::time::Duration> {
        let delay = self.kept().next_timer_delay.clone();
        let millis = self.with_scope(|scope| {
            v8::tc_scope!(let scope, scope);
            let delay = v8::Local::new(scope, &delay);
            let undefined = v8::undefined(scope).into();
            delay
                .call(scope, undefined, &[])
                .and_then(|ms| ms.number_value(scope))
                .unwrap_or(-1.0)
        });
        (millis >= 0.0).then(|| std::time::Duration::from_secs_f64(millis / 1000.0))
    }

    /// One turn of the event loop for an awaited operation (`awaiting.rs`): runs the timers that
    /// are due, finished ops and microtasks, without waiting for anything.
    pub fn step(&self, promise: &v8::Global<v8::Promise>) -> Result<Stepped, SettleError> {
        let event_loop = Rc::clone(&self.event_loop);
        let isolate = &mut self.isolate();
        let _entered = Entered::new(isolate);
        let mut js = self.js_for_event_loop()?;
        let js = &mut *js;
        let context = &self.kept().context;
        event_loop.block_on(async {
            // Yielding once lets tokio fire its due timers (deno_core's are tokio sleeps).
            tokio::task::yield_now().await;
            poll_fn(|cx| {
                let turn = js.poll_event_loop(cx, PollEventLoopOptions::default());
                if let Some(error) = self.uncaught.take() {
                    return Poll::Ready(Err(SettleError::Uncaught(error)));
                }
                let pending = still_pending(js, context, promise);
                Poll::Ready(match (pending, turn) {
                    (false, _) => Ok(Stepped::Settled),
                    (true, Poll::Pending) => Ok(Stepped::Waiting),
                    (true, Poll::Ready(Ok(()))) => Ok(Stepped::Idle),
                    (true, Poll::Ready(Err(e))) => Err(SettleError::EventLoop(e)),
                })
            })
            .await
        })
    }

    /// Cancels the timers the current operation created: it was stopped (timed out, interrupted,
    /// cancelled), and its pending work goes with it instead of running in later operations.
    pub fn cancel_operation_timers(&self) {
        let cancel = self.kept().cancel_timers_of.clone();
        let operation = self.operation.get();
        self.with_scope(|scope| {
            v8::tc_scope!(let scope, scope);
            let cancel = v8::Local::new(scope, &cancel);
            let undefined = v8::undefined(scope).into();
            let operation = v8::Integer::new_from_unsigned(scope, operation).into();
            // Only the bootstrap's own code runs; it cannot fail but for a termination.
            let _ = cancel.call(scope, undefined, &[operation]);
        });
    }

    /// Whether this runtime's heap becomes a snapshot (`for_snapshot`). Such a runtime collects no
    /// code-cache candidates: V8 aborts on making a cache in an isolate it snapshots, and the
    /// snapshot keeps the bytecode itself.
    pub fn makes_snapshot(&self) -> bool {
        self.makes_snapshot
    }

    /// Scripts compiled here whose code caches are still to be made.
    pub fn code_caches(&self) -> std::cell::RefMut<'_, Candidates> {
        self.code_caches.borrow_mut()
    }

    /// Makes the code caches that are due (see `code_cache`), once an operation has ended. Only
    /// then is the GIL released, so an operation with none due pays nothing for them.
    pub fn make_due_code_caches(&self, py: Python<'_>) {
        let due = self.code_caches.borrow_mut().take_due();
        if !due.is_empty() {
            without_gil(py, || self.with_scope(|scope| code_cache::make(scope, due)));
        }
    }

    /// The flags that tell why JavaScript on this isolate was stopped.
    pub fn stops(&self) -> &Arc<Stops> {
        &self.stops
    }

    /// A handle to the isolate. Each call makes a new one, as rusty_v8 does for V8 callbacks,
    /// instead of borrowing `js`: an operation nested in another (re-entrancy) makes its own.
    pub fn isolate(&self) -> v8::Isolate {
        // SAFETY: the isolate lives as long as `self` (it is disposed in `drop`), and a Runtime
        // is used on its owner thread only (invariant 4), where V8 allows any number of handles.
        unsafe { v8::Isolate::from_raw_isolate_ptr(self.isolate) }
    }

    /// Counts an operation in (`execute::limited`): true if it is nested in another on this
    /// runtime. The outermost one sets the deadline the nested ones inherit.
    pub fn enter_operation(&self) -> bool {
        self.depth.set(self.depth.get() + 1);
        self.depth.get() > 1
    }

    /// The outermost operation's deadline.
    pub fn deadline(&self) -> Option<std::time::Instant> {
        self.deadline.get()
    }

    pub fn set_deadline(&self, deadline: Option<std::time::Instant>) {
        self.deadline.set(deadline);
    }

    /// Counts an operation out.
    pub fn leave_operation(&self) {
        self.depth.set(self.depth.get() - 1);
    }

    /// Runs `f` inside this isolate with a handle scope and the main context entered.
    pub fn with_scope<R>(&self, f: impl FnOnce(&mut v8::PinScope<'_, '_>) -> R) -> R {
        // Handles whose Python object is gone, on any thread, are freed at the next operation.
        self.handles.borrow_mut().free_released();
        // deno_core's timer ops find the tokio runtime through the thread's current context, and
        // abort the process when there is none.
        let _tokio = self.event_loop.enter();
        let isolate = &mut self.isolate();
        let _entered = Entered::new(isolate);
        v8::scope!(scope, isolate);
        let context = v8::Local::new(scope, &self.kept().context);
        let scope = &mut v8::ContextScope::new(scope, context);
        f(scope)
    }

    /// The handle table (`handles.rs`).
    pub fn handles(&self) -> &handles::Shared {
        &self.handles
    }

    /// Records `source` as compiled; false if identical source was compiled before.
    pub fn remember_source(&self, source: &str) -> bool {
        self.compiled_sources
            .borrow_mut()
            .insert(code_cache::source_hash(source))
    }

    /// The hashes `remember_source` recorded, for a snapshot to keep.
    pub fn compiled_source_hashes(&self) -> Vec<u64> {
        self.compiled_sources.borrow().iter().copied().collect()
    }

    /// Forgets a source recorded by `remember_source` whose run failed, so it can be retried.
    pub fn forget_source(&self, source: &str) {
        self.compiled_sources
            .borrow_mut()
            .remove(&code_cache::source_hash(source));
    }

    /// Runs the event loop (timers, microtasks, V8's foreground tasks) until `promise` settles,
    /// `deadline` passes, or the run is interrupted.
    pub fn settle(
        &self,
        promise: &v8::Global<v8::Promise>,
        deadline: Option<std::time::Instant>,
    ) -> Result<(), SettleError> {
        let event_loop = Rc::clone(&self.event_loop);
        let stops = Arc::clone(&self.stops);
        let isolate = &mut self.isolate();
        let _entered = Entered::new(isolate);
        let mut js = self.js_for_event_loop()?;
        let js = &mut *js;
        let context = &self.kept().context;
        event_loop.block_on(async {
            let far = std::time::Instant::now() + std::time::Duration::from_secs(86_400 * 365);
            let mut deadline =
                std::pin::pin!(tokio::time::sleep_until(deadline.unwrap_or(far).into()));
            // Ctrl-C cannot wake the loop, so it looks for an interrupt this often.
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(50));
            poll_fn(|cx| {
                if deadline.as_mut().poll(cx).is_ready() {
                    // Flag it as the watchdog would, which may not have woken yet.
                    stops.expire();
                    return Poll::Ready(Err(SettleError::Stopped));
                }
                if stops.interrupted() {
                    return Poll::Ready(Err(SettleError::Stopped));
                }
                while tick.poll_tick(cx).is_ready() {}
                let turn = js.poll_event_loop(cx, PollEventLoopOptions::default());
                if let Some(error) = self.uncaught.take() {
                    return Poll::Ready(Err(SettleError::Uncaught(error)));
                }
                let pending = still_pending(js, context, promise);
                match (pending, turn) {
                    (false, _) => Poll::Ready(Ok(())),
                    (true, Poll::Pending) => Poll::Pending,
                    (true, Poll::Ready(Ok(()))) => Poll::Ready(Err(SettleError::NeverSettles)),
                    (true, Poll::Ready(Err(e))) => Poll::Ready(Err(SettleError::EventLoop(e))),
                }
            })
            .await
        })
    }

    /// Serializes the heap, which `for_snapshot` made and the code to keep has run in, and
    /// disposes the isolate.
    pub fn into_snapshot(mut self) -> Result<Box<[u8]>, NotSnapshotted> {
        if !matches!(self.js.get_mut(), Some(Js::Snapshotting(_))) {
            return Err(NotSnapshotted::Failed);
        }
        let before_snapshot = self.kept().before_snapshot.clone();
        let prepared = self.with_scope(|scope| {
            v8::tc_scope!(let scope, scope);
            let before_snapshot = v8::Local::new(scope, &before_snapshot);
            let undefined = v8::undefined(scope).into();
            match before_snapshot.call(scope, undefined, &[]) {
                None if scope.has_terminated() => Err(NotSnapshotted::Failed),
                None => Err(NotSnapshotted::Refused(format!(
                    "preparing the heap for its snapshot threw {}",
                    thrown_message(scope)
                ))),
                Some(refusal) if refusal.is_string() => {
                    Err(NotSnapshotted::Refused(refusal.to_rust_string_lossy(scope)))
                }
                Some(_) => Ok(()),
            }
        });
        drop(before_snapshot);
        prepared?;
        self.kept = None;
        self.handles.borrow_mut().clear();
        let _tokio = self.event_loop.enter();
        let Some(Js::Snapshotting(mut js)) = self.js.get_mut().take() else {
            unreachable!("checked above");
        };
        bridge::uninstall(js.v8_isolate());
        Names::clear_in(js.v8_isolate());
        js.v8_isolate().remove_slot::<Unhandled>();
        // SAFETY: invariant 3: the snapshot creator exits the isolate when it disposes it, after
        // serializing, so it is entered once more, as for any disposal.
        unsafe { isolate::enter_to_dispose(js.v8_isolate()) };
        Ok(js.snapshot())
    }

    /// Runs the event loop until nothing is left in it (no timer, no pending operation), or
    /// `deadline` passes, or the run is interrupted.
    pub fn run_until_idle(&self, deadline: Option<std::time::Instant>) -> Result<(), SettleError> {
        // A Promise nothing can settle: waiting for it ends exactly when the loop is idle.
        let unsettled = self.with_scope(|scope| {
            let resolver = v8::PromiseResolver::new(scope).map(|r| r.get_promise(scope));
            resolver.map(|promise| v8::Global::new(scope, promise))
        });
        let Some(unsettled) = unsettled else {
            return Err(SettleError::Stopped);
        };
        match self.settle(&unsettled, deadline) {
            Err(SettleError::NeverSettles) => Ok(()),
            Ok(()) => unreachable!("nothing can resolve the Promise"),
            Err(err) => Err(err),
        }
    }

    /// A full, compacting garbage collection.
    pub fn collect_garbage(&self) {
        let isolate = &mut self.isolate();
        let _entered = Entered::new(isolate);
        isolate.low_memory_notification();
    }

    /// The bytes of V8 heap in use, for the Pool's recycling.
    pub fn used_heap_size(&self) -> usize {
        let isolate = &mut self.isolate();
        let _entered = Entered::new(isolate);
        isolate.get_heap_statistics().used_heap_size()
    }

    /// V8's heap statistics, as (name, bytes) pairs.
    pub fn heap_stats(&self) -> Vec<(&'static str, usize)> {
        let isolate = &mut self.isolate();
        let _entered = Entered::new(isolate);
        let s = isolate.get_heap_statistics();
        vec![
            ("total_heap_size", s.total_heap_size()),
            ("total_heap_size_executable", s.total_heap_size_executable()),
            ("total_physical_size", s.total_physical_size()),
            ("total_available_size", s.total_available_size()),
            ("used_heap_size", s.used_heap_size()),
            ("heap_size_limit", s.heap_size_limit()),
            ("malloced_memory", s.malloced_memory()),
            ("peak_malloced_memory", s.peak_malloced_memory()),
            ("external_memory", s.external_memory()),
            ("array_buffer_bytes", self.external.used()),
            ("lent_string_bytes", self.external.lent()),
            ("number_of_native_contexts", s.number_of_native_contexts()),
            (
                "number_of_detached_contexts",
                s.number_of_detached_contexts(),
            ),
        ]
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        let waiting = self.code_caches.get_mut().take_all();
        if !waiting.is_empty() && !self.stops.heap_exhausted() {
            self.with_scope(|scope| code_cache::make(scope, waiting));
        }
        let _tokio = self.event_loop.enter();
        if let Some(js) = self.js.get_mut().take() {
            dispose(js);
        }
        // Only now may the user snapshot's bytes go (`_image`), with the other fields.
    }
}

/// Disposes a runtime no operation has entered (invariant 3).
fn dispose(js: Js) {
    match js {
        Js::Running(mut js) => {
            // SAFETY: invariant 3. The isolate is alive, ours and not entered; it is disposed
            // next.
            unsafe { isolate::enter_to_dispose(js.v8_isolate()) };
            drop(js);
        }
        // rusty_v8 cannot dispose a snapshot creator that made no snapshot: it leaks it, with a
        // warning. It lives in a process of its own that ends next (`snapshot/`).
        Js::Snapshotting(js) => std::mem::forget(js),
    }
}

/// What the JavaScript `scope` caught threw, as text, for an error message.
fn thrown_message(
    scope: &mut v8::PinnedRef<'_, v8::TryCatch<'_, '_, v8::HandleScope<'_>>>,
) -> String {
    match scope.exception() {
        Some(exception) => exception.to_rust_string_lossy(scope),
        None => "nothing (it was stopped)".to_string(),
    }
}
