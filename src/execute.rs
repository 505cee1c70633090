//! The operation layer: running JavaScript for Context, Script, Pool and JSFunction (scripts,
//! calls of a `Target`, exceptions and Promise results).

use deno_core::v8;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use smallvec::SmallVec;

use std::time::{Duration, Instant};

use crate::bridge;
use crate::code_cache::{self, Known};
use crate::convert::{self, Path};
use crate::errors::{self, JsErrorKind};
use crate::gil::without_gil;
use crate::handles::Handles;
use crate::limits::{Armed, Stop};
use crate::names::Names;
use crate::runtime::{Runtime, SettleError};

/// The name scripts run by `compile`, `evaluate` and `eval` carry in stack traces.
pub const SCRIPT_NAME: &str = "<v8ctx>";

/// What an operation left to do once its JavaScript returned.
pub enum Completion {
    Value(Py<PyAny>),
    /// A Promise still pending, to settle by running the event loop.
    Pending(v8::Global<v8::Promise>),
}

/// Runs a classic script named `name` in stack traces (`SCRIPT_NAME` unless the caller gave a
/// `filename=`); returns its completion value if `want_value`.
pub fn run_script(
    py: Python<'_>,
    runtime: &Runtime,
    code: &str,
    name: &str,
    auto_await: bool,
    want_value: bool,
    deadline: Option<Instant>,
) -> PyResult<Py<PyAny>> {
    let completion = start_script(py, runtime, code, name, auto_await, want_value)?;
    settle(py, runtime, completion, deadline)
}

/// `Context.compile`: runs `code` as a classic script for its effects, unless identical source
/// ran in this runtime before; a run that failed is forgotten, so it can be retried.
pub fn compile_once(
    py: Python<'_>,
    runtime: &Runtime,
    code: &str,
    name: &str,
    deadline: Option<Instant>,
) -> PyResult<()> {
    if !runtime.remember_source(code) {
        return Ok(());
    }
    run_script(py, runtime, code, name, false, false, deadline)
        .map(drop)
        .inspect_err(|_| runtime.forget_source(code))
}

/// Runs a classic script up to its completion value, which may be a Promise still pending.
pub fn start_script(
    py: Python<'_>,
    runtime: &Runtime,
    code: &str,
    name: &str,
    auto_await: bool,
    want_value: bool,
) -> PyResult<Completion> {
    let makes_snapshot = runtime.makes_snapshot();
    let (completion, candidate) = runtime.with_scope(|scope| {
        v8::tc_scope!(let scope, scope);
        let compiled = without_gil(py, || {
            let known = code_cache::lookup(code);
            // A snapshot must own its strings: it borrows no text.
            let text = if makes_snapshot {
                None
            } else {
                known.text_to_lend()
            };
            let lent = text.as_ref().and_then(|text| text.lend(scope));
            let (source, origin) = source_with(scope, code, name, lent)?;
            let script = compile(scope, source, &origin, code, &known);
            // A candidate has its text, so a snapshot, which lends none, makes no cache.
            let candidate = match (known, script, text) {
                (Known::Candidate(source), Some(script), Some(text)) => {
                    Some(code_cache::Candidate {
                        source,
                        script: v8::Global::new(scope, script.get_unbound_script(scope)),
                        text,
                    })
                }
                _ => None,
            };
            let result = script.and_then(|script| script.run(scope));
            scope.perform_microtask_checkpoint();
            Ok((result, candidate))
        });
        match compiled {
            Ok((result, candidate)) => (
                complete(py, scope, result, auto_await, want_value),
                candidate,
            ),
            Err(err) => (Err(err), None),
        }
    });
    if let Some(candidate) = candidate {
        runtime.code_caches().add(candidate);
    }
    completion
}

/// Compiles a classic script, from its code cache when there is one.
fn compile<'s>(
    scope: &v8::PinScope<'s, '_>,
    source: v8::Local<'s, v8::String>,
    origin: &v8::ScriptOrigin<'s>,
    code: &str,
    known: &Known,
) -> Option<v8::Local<'s, v8::Script>> {
    use v8::script_compiler::{compile, CachedData, CompileOptions, NoCacheReason, Source};
    let Known::Code { code: cache, .. } = known else {
        return v8::Script::compile(scope, source, Some(origin));
    };
    let mut source = Source::new_with_cached_data(source, Some(origin), CachedData::new(cache));
    let script = compile(
        scope,
        &mut source,
        CompileOptions::ConsumeCodeCache,
        NoCacheReason::NoReason,
    );
    // V8 then compiled the source itself.
    if source.get_cached_data().is_some_and(|c| c.rejected()) {
        code_cache::refused(code);
    }
    script
}

/// Runs `operation` under the limits: `timeout`, the heap limit and Ctrl-C. A run they stopped
/// raises JSTimeoutError, JSMemoryError or (after Python's signal handlers ran) KeyboardInterrupt.
///
/// `resumed` is the number of the awaited operation a step continues (`awaiting.rs`); None
/// numbers a new operation.
pub fn limited<R>(
    py: Python<'_>,
    runtime: &Runtime,
    timeout: Option<Duration>,
    resumed: Option<u32>,
    operation: impl FnOnce(&Runtime, Option<Instant>) -> PyResult<R>,
) -> PyResult<R> {
    if runtime.enter_operation() {
        // Nested in an operation on this runtime (a Python callable called back into it): it
        // runs under that operation's limits and deadline and leaves the ending to it.
        let result = operation(runtime, runtime.deadline());
        runtime.leave_operation();
        return result;
    }
    let result = limited_outermost(py, runtime, timeout, resumed, operation);
    runtime.leave_operation();
    result
}

/// `limited` for an operation no other operation on its runtime is running around.
fn limited_outermost<R>(
    py: Python<'_>,
    runtime: &Runtime,
    timeout: Option<Duration>,
    resumed: Option<u32>,
    operation: impl FnOnce(&Runtime, Option<Instant>) -> PyResult<R>,
) -> PyResult<R> {
    let armed = Armed::new(runtime.stops(), timeout);
    runtime.set_deadline(armed.deadline());
    match resumed {
        Some(number) => runtime.operation_resumes(number),
        None => {
            runtime.operation_begins();
        }
    }
    runtime.code_caches().operation_begins();
    let result = operation(runtime, armed.deadline());
    runtime.report_unhandled_rejections();
    bridge::forget_thrown_unless_awaited(&runtime.isolate());
    let stop = armed.finish(&runtime.isolate());
    // A run that finished anyway as the timeout or Ctrl-C struck keeps its result (below).
    let finished_anyway = matches!(stop, Some(Stop::Timeout | Stop::Interrupt)) && result.is_ok();
    match stop {
        None => runtime.make_due_code_caches(py),
        // An exhausted heap closes the runtime's Context (a Pool rebuilds it): no JavaScript.
        Some(Stop::HeapExhausted) => {}
        Some(_) if finished_anyway => {}
        Some(_) => runtime.cancel_operation_timers(),
    }
    match (stop, result) {
        (None, result) => result,
        (Some(Stop::HeapExhausted), _) => Err(errors::js_error_of_kind(
            py,
            JsErrorKind::Memory,
            "OutOfMemoryError",
            "JavaScript used up its heap and was terminated",
        )),
        (Some(Stop::Raised), _) => Err(runtime
            .stops()
            .take_raised()
            .expect("Stop::Raised means an exception is kept")),
        (Some(Stop::Abandoned), _) => Err(errors::js_error_new(
            py,
            "Error",
            "the call was cancelled by its caller and terminated",
        )),
        (Some(Stop::Cancelled), _) => Err(errors::pool_closed(
            py,
            "the Pool was closed with cancel=True while this call ran".to_string(),
        )),
        // It finished anyway, just as the limit struck: keep the result.
        (Some(_), Ok(value)) => Ok(value),
        (Some(Stop::Timeout), Err(_)) => Err(timeout_error(py, timeout)),
        (Some(Stop::Interrupt), Err(_)) => {
            py.check_signals()?;
            Err(errors::js_error_new(
                py,
                "Error",
                "JavaScript was interrupted by SIGINT",
            ))
        }
    }
}

/// Converts what JavaScript returned, or the exception it threw; leaves a pending Promise to
/// `settle`.
pub fn complete<'s>(
    py: Python<'_>,
    scope: &mut v8::PinnedRef<'_, v8::TryCatch<'_, 's, v8::HandleScope<'_>>>,
    result: Option<v8::Local<'s, v8::Value>>,
    auto_await: bool,
    want_value: bool,
) -> PyResult<Completion> {
    // Terminated in the microtasks after the code returned: the operation did not finish.
    let Some(value) = result.filter(|_| !scope.has_terminated()) else {
        return Err(caught(py, scope));
    };
    if !want_value {
        return Ok(Completion::Value(py.None()));
    }
    if let Ok(promise) = v8::Local::<v8::Promise>::try_from(value) {
        if !auto_await {
            return Ok(Completion::Value(py.None()));
        }
        return match promise.state() {
            v8::PromiseState::Pending => Ok(Completion::Pending(v8::Global::new(scope, promise))),
            _ => settled(py, scope, promise).map(Completion::Value),
        };
    }
    let converted = convert::to_python(py, scope, value, "result")?;
    Ok(Completion::Value(converted.unbind()))
}

/// The exception a TryCatch caught, as a JSError.
pub fn caught(
    py: Python<'_>,
    scope: &mut v8::PinnedRef<'_, v8::TryCatch<'_, '_, v8::HandleScope<'_>>>,
) -> PyErr {
    let message = scope.message();
    match scope.exception() {
        Some(exception) => errors::from_exception(py, scope, exception, message),
        None => errors::js_error_new(py, "Error", "JavaScript execution was terminated"),
    }
}

/// The value of a settled Promise, or its rejection as a JSError.
pub fn settled<'s>(
    py: Python<'_>,
    scope: &mut v8::PinScope<'s, '_>,
    promise: v8::Local<'s, v8::Promise>,
) -> PyResult<Py<PyAny>> {
    let result = promise.result(scope);
    if promise.state() == v8::PromiseState::Rejected {
        // Raised here: keep it from being reported as an unhandled rejection as well.
        crate::runtime::handled(scope, promise);
        return Err(errors::from_exception(py, scope, result, None));
    }
    Ok(convert::to_python(py, scope, result, "result")?.unbind())
}

/// Finishes an operation: runs the event loop until a pending Promise settles.
pub fn settle(
    py: Python<'_>,
    runtime: &Runtime,
    completion: Completion,
    deadline: Option<Instant>,
) -> PyResult<Py<PyAny>> {
    let promise = match completion {
        Completion::Value(value) => return Ok(value),
        Completion::Pending(promise) => promise,
    };
    without_gil(py, || runtime.settle(&promise, deadline))
        .map_err(|e| settle_error(py, runtime, e))?;
    runtime.with_scope(|scope| {
        v8::tc_scope!(let scope, scope);
        let promise = v8::Local::new(scope, &promise);
        settled(py, scope, promise)
    })
}

/// The exception for why waiting for a Promise ended before it settled.
pub fn settle_error(py: Python<'_>, runtime: &Runtime, error: SettleError) -> PyErr {
    match error {
        SettleError::Uncaught(error) => runtime.with_scope(|scope| {
            let error = v8::Local::new(scope, error);
            errors::from_exception(py, scope, error, None)
        }),
        SettleError::Stopped => {
            errors::js_error_new(py, "Error", "waiting for the Promise was stopped")
        }
        SettleError::NeverSettles => errors::js_error_of_kind(
            py,
            JsErrorKind::NeverSettles,
            "Error",
            "the Promise never settles: nothing left in the event loop (no timer, no pending \
             operation) can resolve or reject it",
        ),
        SettleError::EventLoop(error) => errors::js_error_new(py, "Error", &error.to_string()),
        SettleError::Nested => errors::js_error_new(
            py,
            "Error",
            "a call made by a Python callable that a timer or Promise callback called cannot \
             wait for a Promise: the event loop is already running further up the stack. \
             Return the Promise to JavaScript instead, or pass auto_await=False",
        ),
    }
}

/// The JSTimeoutError of an operation that ran past `timeout`.
pub fn timeout_error(py: Python<'_>, timeout: Option<Duration>) -> PyErr {
    let message = format!(
        "JavaScript ran past its timeout of {} s and was terminated",
        timeout.map_or(0.0, |t| t.as_secs_f64())
    );
    errors::js_error_of_kind(py, JsErrorKind::Timeout, "TimeoutError", &message)
}

/// `code` as a V8 string, and the origin (`name`) stack traces name it by.
pub fn source<'s>(
    scope: &v8::PinScope<'s, '_>,
    code: &str,
    name: &str,
) -> PyResult<(v8::Local<'s, v8::String>, v8::ScriptOrigin<'s>)> {
    source_with(scope, code, name, None)
}

/// `source`, with the string `lent` for the code when there is one (`code_cache::SourceText`).
fn source_with<'s>(
    scope: &v8::PinScope<'s, '_>,
    code: &str,
    name: &str,
    lent: Option<v8::Local<'s, v8::String>>,
) -> PyResult<(v8::Local<'s, v8::String>, v8::ScriptOrigin<'s>)> {
    let source = match lent {
        Some(lent) => lent,
        None => v8::String::new(scope, code).ok_or_else(|| {
            PyRuntimeError::new_err("source too long for V8 (about 512 MB at most)")
        })?,
    };
    let name = v8::String::new(scope, name)
        .ok_or_else(|| PyValueError::new_err("filename is too long for V8"))?;
    let origin = crate::ops::script_origin(scope, name);
    Ok((source, origin))
}

/// What an operation calls or reads: the one way Context, Script, Pool and JSFunction name
/// JavaScript.
#[derive(Clone, Copy)]
pub enum Target<'a> {
    /// A global name, dotted to reach into objects ("f", "a.b.f"): a property of the global
    /// object or a top-level `const`/`let`/`class`.
    Global(&'a str),
    /// A name as the code of Script `script` sees it (its own declarations, then the globals).
    InScript { script: u64, name: &'a str },
    /// A value in the handle table (a `JSFunction`).
    Handle(u64),
}

impl Target<'_> {
    /// How errors name the target.
    fn describe(&self) -> String {
        match self {
            Target::Global(name) | Target::InScript { name, .. } => name.to_string(),
            Target::Handle(_) => "the function".to_string(),
        }
    }
}

/// An operation queued or awaited before it runs (a Pool job, `Context.call_async`): a call of
/// a global function or a script, holding its Python arguments.
pub enum Request {
    Call { name: String, args: Vec<Py<PyAny>> },
    Evaluate { code: String },
}

impl Request {
    /// Runs the request up to its completion value (a Promise is awaited after).
    pub fn start(&self, py: Python<'_>, runtime: &Runtime) -> PyResult<Completion> {
        match self {
            Request::Call { name, args } => {
                let args: Vec<Bound<'_, PyAny>> = args.iter().map(|a| a.bind(py).clone()).collect();
                start_call(py, runtime, Target::Global(name), &args, true)
            }
            Request::Evaluate { code } => start_script(py, runtime, code, SCRIPT_NAME, true, true),
        }
    }
}

/// Calls the function `target` with `args` and finishes the operation.
pub fn call_function(
    py: Python<'_>,
    runtime: &Runtime,
    target: Target<'_>,
    args: &[Bound<'_, PyAny>],
    auto_await: bool,
    deadline: Option<Instant>,
) -> PyResult<Py<PyAny>> {
    let completion = start_call(py, runtime, target, args, auto_await)?;
    settle(py, runtime, completion, deadline)
}

/// Calls the function `target` with `args`, up to its result, which may be a pending Promise.
pub fn start_call(
    py: Python<'_>,
    runtime: &Runtime,
    target: Target<'_>,
    args: &[Bound<'_, PyAny>],
    auto_await: bool,
) -> PyResult<Completion> {
    runtime.with_scope(|scope| {
        v8::tc_scope!(let scope, scope);
        let (value, this) = resolve(py, scope, target)?;
        let function = v8::Local::<v8::Function>::try_from(value).map_err(|_| {
            errors::js_error_new(
                py,
                "TypeError",
                &format!("{} is not a function", target.describe()),
            )
        })?;
        let argv = args
            .iter()
            .enumerate()
            .map(|(i, arg)| convert::to_js(scope, arg, &mut Path::indexed("args", i)))
            .collect::<PyResult<SmallVec<[_; 4]>>>()?;
        let result = without_gil(py, || {
            let result = function.call(scope, this, &argv);
            scope.perform_microtask_checkpoint();
            result
        });
        complete(py, scope, result, auto_await, true)
    })
}

/// The value `target` names, converted (`Context.get`).
pub fn read(py: Python<'_>, runtime: &Runtime, target: Target<'_>) -> PyResult<Py<PyAny>> {
    runtime.with_scope(|scope| {
        v8::tc_scope!(let scope, scope);
        let (value, _) = resolve(py, scope, target)?;
        let converted = convert::to_python(py, scope, value, "value");
        match converted {
            Err(_) if scope.has_caught() => Err(caught(py, scope)),
            converted => Ok(converted?.unbind()),
        }
    })
}

/// The evaluator of Script `key` (see `script.rs`).
pub fn script_evaluator<'s>(
    py: Python<'_>,
    scope: &v8::PinScope<'s, '_>,
    key: u64,
) -> PyResult<v8::Local<'s, v8::Function>> {
    Handles::of(scope)
        .and_then(|handles| {
            let handles = handles.borrow();
            let evaluator = v8::Local::new(scope, handles.get(key)?);
            v8::Local::<v8::Function>::try_from(evaluator).ok()
        })
        .ok_or_else(|| errors::context_closed(py, "this Script was released".to_string()))
}

/// The value `target` names and the `this` to call it with (the object holding it).
fn resolve<'s>(
    py: Python<'_>,
    scope: &v8::PinScope<'s, '_>,
    target: Target<'_>,
) -> PyResult<(v8::Local<'s, v8::Value>, v8::Local<'s, v8::Value>)> {
    let undefined: v8::Local<v8::Value> = v8::undefined(scope).into();
    let (name, evaluator) = match target {
        Target::Handle(key) => {
            let value = Handles::of(scope).and_then(|handles| {
                let handles = handles.borrow();
                Some(v8::Local::new(scope, handles.get(key)?))
            });
            let value = value.ok_or_else(|| {
                errors::context_closed(py, "this JSFunction was released".to_string())
            })?;
            return Ok((value, undefined));
        }
        Target::Global(name) => (name, None),
        Target::InScript { script, name } => (name, Some(script_evaluator(py, scope, script)?)),
    };
    let segments = identifiers(name)?;
    let global = scope.get_current_context().global(scope);
    let mut this = undefined;
    // The first name is looked up as the code that declared it would see it: `typeof` keeps a
    // missing name from throwing, so it is reported like a missing global.
    let first = segments[0];
    let lookup = || format!("typeof {first} === 'undefined' ? undefined : {first}");
    let mut value = match evaluator {
        None => {
            let property = Names::key(scope, first).and_then(|key| global.get(scope, key.into()));
            match property {
                // Top-level `const`, `let` and `class` are not properties of the global object.
                Some(found) if found.is_undefined() => v8::String::new(scope, &lookup())
                    .and_then(|source| v8::Script::compile(scope, source, None))
                    .and_then(|script| script.run(scope)),
                other => other,
            }
        }
        Some(evaluate) => v8::String::new(scope, &lookup())
            .and_then(|source| evaluate.call(scope, this, &[source.into()])),
    };
    for i in 0..segments.len() {
        let reached = segments[..=i].join(".");
        let current = value.ok_or_else(|| {
            errors::js_error_new(py, "Error", &format!("reading {reached} threw"))
        })?;
        if current.is_undefined() {
            return Err(errors::js_error_new(
                py,
                "ReferenceError",
                &format!("{reached} is not defined"),
            ));
        }
        if i + 1 == segments.len() {
            return Ok((current, this));
        }
        let holder = match current.to_object(scope) {
            Some(object) if current.is_object() => object,
            _ => {
                return Err(errors::js_error_new(
                    py,
                    "TypeError",
                    &format!("{reached} is not an object, so {name} cannot be reached"),
                ))
            }
        };
        this = current;
        let next = segments[i + 1];
        value = Names::key(scope, next).and_then(|key| holder.get(scope, key.into()));
    }
    unreachable!("split yields at least one segment")
}

/// The identifiers of a dotted name ("a.b.f"); an error names the one that is not.
pub fn identifiers(name: &str) -> PyResult<SmallVec<[&str; 4]>> {
    let segments: SmallVec<[&str; 4]> = name.split('.').collect();
    match segments.iter().find(|s| !is_identifier(s)) {
        Some(bad) => Err(PyValueError::new_err(format!(
            "{name:?} is not a name: {bad:?} is not a JavaScript identifier"
        ))),
        None => Ok(segments),
    }
}

/// A plain JavaScript identifier (ASCII or Unicode letters, digits, `_` and `$`).
fn is_identifier(segment: &str) -> bool {
    let mut chars = segment.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// `positional`, as objects a job or an awaited operation can keep.
pub fn positional_owned(args: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Py<PyAny>>> {
    Ok(positional(args)?.into_iter().map(Bound::unbind).collect())
}

/// Positional arguments for a call, as Python gave them.
pub type Arguments<'py> = SmallVec<[Bound<'py, PyAny>; 4]>;

/// `args` as a sequence of positional arguments.
pub fn positional<'py>(args: Option<&Bound<'py, PyAny>>) -> PyResult<Arguments<'py>> {
    let Some(args) = args else {
        return Ok(SmallVec::new());
    };
    if let Ok(list) = args.cast::<PyList>() {
        return Ok(list.iter().collect());
    }
    if let Ok(tuple) = args.cast::<PyTuple>() {
        return Ok(tuple.iter().collect());
    }
    Err(PyTypeError::new_err(format!(
        "args must be a list or tuple of positional arguments, not {}",
        args.get_type().name()?
    )))
}
