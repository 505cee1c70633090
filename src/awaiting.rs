//! Operations awaited from asyncio: `Context.call_async` and `Context.evaluate_async`.
//!
//! An awaited operation runs in steps on the event loop's thread, which owns the Context. The
//! first step starts the call or script; while the Promise it returned is pending, each later
//! step runs one turn of the JavaScript event loop (`Runtime::step`: due timers, microtasks)
//! and says how long the asyncio side may sleep before the next timer is due. Between steps the
//! asyncio loop runs other tasks, and the coroutines of async Python functions that JavaScript
//! called (`bridge::defer`); when one is done, its Promise is settled at once (`settle_call`).
//! The driver of the steps is Python (`v8ctx/_awaiting.py`); each step is an ordinary
//! operation under the limits, with the time left before the operation's deadline as its
//! timeout, and the operation's own number, so the timers it created are cancelled with it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use deno_core::v8;
use parking_lot::Mutex;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyTuple;

use crate::bridge;
use crate::context::ContextCore;
use crate::execute::{self, Completion, Request};
use crate::handles::Handles;
use crate::release_queue::ReleaseQueue;
use crate::runtime::{Runtime, Stepped};

/// How long the driver sleeps when deno_core waits on something other than a timer.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

enum State {
    NotStarted {
        request: Request,
        timeout: Option<Duration>,
    },
    Waiting(Waiting),
    Finished,
}

/// An operation whose Promise is pending, between steps.
struct Waiting {
    /// The Promise, in the runtime's handle table.
    promise: u64,
    released: Arc<ReleaseQueue>,
    deadline: Option<Instant>,
    timeout: Option<Duration>,
    /// The operation's number, which its timers carry.
    number: u32,
}

/// One awaited operation; `v8ctx._awaiting.drive` steps it.
#[pyclass(module = "v8ctx", frozen)]
pub struct AwaitedOperation {
    context: Arc<ContextCore>,
    state: Mutex<State>,
}

/// The awaitable for `request` on `context`: a coroutine that runs it when awaited.
pub fn awaitable<'py>(
    py: Python<'py>,
    context: &Arc<ContextCore>,
    request: Request,
    timeout: Option<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let operation = AwaitedOperation {
        context: Arc::clone(context),
        state: Mutex::new(State::NotStarted {
            request,
            timeout: context.timeout(timeout)?,
        }),
    };
    drive(py)?.call1((operation,))
}

/// `v8ctx._awaiting.drive`.
fn drive(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static DRIVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    DRIVE
        .get_or_try_init(py, || {
            py.import("v8ctx._awaiting")?
                .getattr("drive")
                .map(Bound::unbind)
        })
        .map(|drive| drive.bind(py))
}

/// Where a step left the operation.
enum Outcome {
    Done(Py<PyAny>),
    /// Step again after at most this long (None: when something changes).
    Wait(Option<Duration>),
}

#[pymethods]
impl AwaitedOperation {
    /// Runs the next step: `(done, value, wait, started)`, where `wait` is how many seconds the
    /// driver may sleep (None: until a started coroutine finishes) and `started` the coroutines,
    /// by call number, of the async Python functions JavaScript called in this step.
    fn step<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let mut state = self.state.lock();
        let current = std::mem::replace(&mut *state, State::Finished);
        let stepped = match current {
            State::NotStarted { request, timeout } => self.start(py, request, timeout),
            State::Waiting(waiting) => self.resume(py, waiting),
            State::Finished => {
                return Err(PyRuntimeError::new_err("this operation has finished"));
            }
        };
        // Taken whatever happened, so that no later operation's driver runs them.
        let started = self
            .context
            .with_runtime(py, |runtime| Ok(bridge::take_started(&runtime.isolate())))
            .unwrap_or_default();
        let (outcome, next) = match stepped {
            Ok(stepped) => stepped,
            Err(err) => {
                self.drop_calls(py, started);
                return Err(err);
            }
        };
        *state = next;
        drop(state);
        match outcome {
            Outcome::Done(value) => (true, value, None::<f64>, started).into_pyobject(py),
            Outcome::Wait(wait) => {
                (false, py.None(), wait.map(|w| w.as_secs_f64()), started).into_pyobject(py)
            }
        }
    }

    /// Settles the Promise of async call `number` (a started coroutine) with its result
    /// (`ok`), its exception (not `ok`), or nothing (`ok` None: it was cancelled).
    fn settle_call(
        &self,
        py: Python<'_>,
        number: u64,
        ok: Option<bool>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let outcome = ok.map(|ok| match ok {
            true => Ok(value.clone()),
            false => Err(PyErr::from_value(value.clone())),
        });
        self.context.run_as(py, None, None, |runtime, _| {
            runtime.with_scope(|scope| {
                v8::tc_scope!(let scope, scope);
                bridge::settle_call(py, scope, number, outcome)
            })
        })
    }

    /// Ends the operation early (its awaiting task was cancelled): its timers are cancelled and
    /// the Context stays usable.
    fn cancel(&self, py: Python<'_>) -> PyResult<()> {
        let current = std::mem::replace(&mut *self.state.lock(), State::Finished);
        match current {
            State::Waiting(waiting) => self.abandon(py, &waiting),
            _ => Ok(()),
        }
    }
}

impl AwaitedOperation {
    /// Ends a waiting operation that will not settle: its timers are cancelled.
    fn abandon(&self, py: Python<'_>, waiting: &Waiting) -> PyResult<()> {
        self.context.with_runtime(py, |runtime| {
            runtime.operation_resumes(waiting.number);
            runtime.cancel_operation_timers();
            Ok(())
        })?;
        self.end(py, Some(waiting));
        Ok(())
    }

    /// The operation is over: it no longer counts as awaited, and the Promise it waited for, if
    /// any, is released. Nothing to do once the Context is closed: its runtime went with it.
    fn end(&self, py: Python<'_>, waiting: Option<&Waiting>) {
        let _ = self.context.with_runtime(py, |runtime| {
            if let Some(waiting) = waiting {
                waiting.released.push(waiting.promise);
            }
            bridge::awaiting(&runtime.isolate(), false);
            Ok(())
        });
    }

    /// Closes the coroutines a failed step started: their calls will never be settled.
    fn drop_calls(&self, py: Python<'_>, started: Vec<(u64, Py<PyAny>)>) {
        for (number, coroutine) in started {
            let _ = coroutine.bind(py).call_method0("close");
            let _ = self.context.with_runtime(py, |runtime| {
                bridge::forget_call(&runtime.isolate(), number);
                Ok(())
            });
        }
    }

    fn start(
        &self,
        py: Python<'_>,
        request: Request,
        timeout: Option<Duration>,
    ) -> PyResult<(Outcome, State)> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let started = self.context.run_as(py, timeout, None, |runtime, _| {
            bridge::awaiting(&runtime.isolate(), true);
            let promise = match request.start(py, runtime)? {
                Completion::Value(value) => return Ok((Outcome::Done(value), State::Finished)),
                Completion::Pending(promise) => promise,
            };
            let (promise, released) = runtime.with_scope(|scope| {
                let promise = v8::Local::new(scope, &promise);
                // The driver awaits it: a rejection between two steps is not unhandled.
                if let Some(ignore) = v8::Function::new(scope, ignore_rejection) {
                    promise.catch(scope, ignore);
                }
                let local: v8::Local<v8::Value> = promise.into();
                let kept = v8::Global::new(scope, local);
                runtime.handles().borrow_mut().add(kept)
            });
            let waiting = Waiting {
                promise,
                released,
                deadline,
                timeout,
                number: runtime.current_operation(),
            };
            Ok((Outcome::Wait(Some(Duration::ZERO)), State::Waiting(waiting)))
        });
        if !matches!(started, Ok((_, State::Waiting(_)))) {
            self.end(py, None);
        }
        started
    }

    fn resume(&self, py: Python<'_>, waiting: Waiting) -> PyResult<(Outcome, State)> {
        let remaining = waiting
            .deadline
            .map(|deadline| deadline.saturating_duration_since(Instant::now()));
        if remaining == Some(Duration::ZERO) {
            self.abandon(py, &waiting)?;
            return Err(execute::timeout_error(py, waiting.timeout));
        }
        let stepped = self
            .context
            .run_as(py, remaining, Some(waiting.number), |runtime, _| {
                step(py, runtime, &waiting, remaining)
            });
        match stepped {
            Ok(Outcome::Wait(wait)) => Ok((Outcome::Wait(wait), State::Waiting(waiting))),
            // Settled, failed, or stopped by the limits (which cancelled its timers).
            ended => {
                self.end(py, Some(&waiting));
                ended.map(|done| (done, State::Finished))
            }
        }
    }
}

/// One step of a waiting operation, inside an operation on its runtime.
fn step(
    py: Python<'_>,
    runtime: &Runtime,
    waiting: &Waiting,
    remaining: Option<Duration>,
) -> PyResult<Outcome> {
    let promise = runtime.with_scope(|scope| {
        let handles = Handles::of(scope)?;
        let handles = handles.borrow();
        let local = v8::Local::new(scope, handles.get(waiting.promise)?);
        let promise = v8::Local::<v8::Promise>::try_from(local).ok()?;
        Some(v8::Global::new(scope, promise))
    });
    let promise = promise.ok_or_else(|| PyRuntimeError::new_err("the awaited Promise is gone"))?;
    let stepped = crate::gil::without_gil(py, || runtime.step(&promise));
    let stepped = stepped.map_err(|err| execute::settle_error(py, runtime, err))?;
    match stepped {
        Stepped::Settled => runtime.with_scope(|scope| {
            v8::tc_scope!(let scope, scope);
            let promise = v8::Local::new(scope, &promise);
            execute::settled(py, scope, promise).map(Outcome::Done)
        }),
        idle_or_waiting => {
            let timer = runtime.next_timer_delay();
            let idle = matches!(idle_or_waiting, Stepped::Idle);
            if idle && timer.is_none() && !bridge::calls_pending(&runtime.isolate()) {
                return Err(execute::settle_error(
                    py,
                    runtime,
                    crate::runtime::SettleError::NeverSettles,
                ));
            }
            let wake = match (timer, idle) {
                (Some(timer), _) => Some(timer),
                (None, true) => None,
                (None, false) => Some(POLL_INTERVAL),
            };
            Ok(Outcome::Wait(match (wake, remaining) {
                (Some(wake), Some(left)) => Some(wake.min(left)),
                (wake, left) => wake.or(left),
            }))
        }
    }
}

/// The handler that marks an awaited Promise's rejection as handled (the step raises it).
fn ignore_rejection(
    _: &mut v8::PinScope<'_, '_>,
    _: v8::FunctionCallbackArguments<'_>,
    _: v8::ReturnValue<'_, v8::Value>,
) {
}
