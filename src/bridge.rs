//! Python callables in JavaScript: `Context.expose(name, obj)` and `Context(globals=...)`.
//!
//! A callable becomes a JavaScript function whose data is its index in the isolate's `Callables`;
//! `call_python`, V8's callback for all of them, takes the GIL (JavaScript runs without it),
//! converts the arguments and the result by the usual value rules, and turns a Python exception
//! into a JavaScript `Error` named after its class. The exception object itself is kept beside
//! the Error (`Thrown`), so if JavaScript does not catch it, the caller gets the original Python
//! exception back, traceback and all, with the JavaScript stack added as a note. A BaseException
//! that is no Exception (`KeyboardInterrupt`, `SystemExit`, `GeneratorExit`) is never turned into
//! JavaScript: it stops the operation and reaches the caller.
//!
//! Any other value is converted once, when exposed.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use deno_core::v8;
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};

use crate::convert::{self, Path};
use crate::execute;
use crate::function::JsFunction;
use crate::limits::Stops;
use crate::runtime::Runtime;

/// Python exceptions thrown into JavaScript and not yet seen again, kept at most this many.
const MAX_THROWN: usize = 256;

/// The exposed Python callables of an isolate (an isolate slot), with its stop flags.
struct Callables {
    callables: RefCell<Vec<Py<PyAny>>>,
    stops: Arc<Stops>,
}

/// Python exceptions thrown into JavaScript as Errors, with those Errors (an isolate slot).
#[derive(Default)]
struct Thrown(RefCell<Vec<(v8::Global<v8::Value>, PyErr)>>);

/// A Promise's resolve and reject functions.
type Settlers = (v8::Global<v8::Value>, v8::Global<v8::Value>);

/// Async Python functions JavaScript called during a step of an awaited operation
/// (`awaiting.rs`), each with the Promise JavaScript got for its result (an isolate slot).
struct AsyncCalls {
    /// The bootstrap's maker of [promise, resolve, reject].
    deferred: v8::Global<v8::Function>,
    /// Awaited operations in progress: while any is, an async function may be called (its
    /// coroutine then runs on the asyncio loop driving them).
    awaiting: std::cell::Cell<u32>,
    /// Coroutines started since the driver last took them, by call number.
    started: RefCell<Vec<(u64, Py<PyAny>)>>,
    /// The resolve and reject functions of each started call's Promise.
    pending: RefCell<HashMap<u64, Settlers>>,
    next: std::cell::Cell<u64>,
}

/// The items of a `globals=` mapping (a dict of dotted names), checked.
pub fn globals(globals: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, Py<PyAny>)>> {
    let Some(globals) = globals else {
        return Ok(Vec::new());
    };
    let globals = globals.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err(format!(
            "globals must be a dict of names to values, not {}",
            globals
                .get_type()
                .name()
                .map_or("?".to_string(), |n| n.to_string())
        ))
    })?;
    globals
        .iter()
        .map(|(name, value)| {
            let name = name.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "globals keys must be str names, not {}",
                    name.repr().map_or("?".to_string(), |r| r.to_string())
                ))
            })?;
            let name = name.to_cow()?.into_owned();
            execute::identifiers(&name)?;
            Ok((name, value.unbind()))
        })
        .collect()
}

/// Makes `value` reachable from JavaScript at the dotted global `name` (objects on the way are
/// created when missing): a callable as a function, anything else converted once.
pub fn expose(
    py: Python<'_>,
    runtime: &Runtime,
    name: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let segments = execute::identifiers(name)?;
    runtime.with_scope(|scope| {
        v8::tc_scope!(let scope, scope);
        let exposed = if value.is_callable() && !value.is_instance_of::<JsFunction>() {
            python_function(scope, value, segments[segments.len() - 1])?
        } else {
            convert::to_js(scope, value, &mut Path::new("value"))?
        };
        let global = scope.get_current_context().global(scope);
        let first = v8_name(scope, segments[0])?;
        let lexical =
            lexical_binding(scope, global, first).ok_or_else(|| failed(py, scope, name))?;
        let mut holder = global;
        for (i, segment) in segments.iter().enumerate() {
            let key = v8_name(scope, segment)?;
            if i + 1 == segments.len() {
                if i == 0 && lexical.is_some() {
                    return Err(PyValueError::new_err(format!(
                        "cannot expose {name}: a top-level let, const or class {name} hides \
                         the global property from JavaScript"
                    )));
                }
                set_verified(scope, holder, key, exposed).ok_or_else(|| failed(py, scope, name))?;
                break;
            }
            let existing = match (i, lexical) {
                (0, Some(value)) => value,
                _ => holder
                    .get(scope, key.into())
                    .ok_or_else(|| failed(py, scope, name))?,
            };
            holder = if existing.is_undefined() {
                let object = v8::Object::new(scope);
                set_verified(scope, holder, key, object.into())
                    .ok_or_else(|| failed(py, scope, name))?;
                object
            } else if existing.is_object() {
                existing
                    .to_object(scope)
                    .ok_or_else(|| failed(py, scope, name))?
            } else {
                return Err(PyValueError::new_err(format!(
                    "cannot expose {name}: {} is already a {}, not an object",
                    segments[..=i].join("."),
                    existing.type_of(scope).to_rust_string_lossy(scope)
                )));
            };
        }
        Ok(())
    })
}

/// The value of the top-level `let`, `const` or `class` named `name`, if there is one: what
/// scripts see by that name instead of the global object's property. None if reading it threw.
fn lexical_binding<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    global: v8::Local<'s, v8::Object>,
    name: v8::Local<'s, v8::String>,
) -> Option<Option<v8::Local<'s, v8::Value>>> {
    let property = match global.has(scope, name.into())? {
        true => Some(global.get(scope, name.into())?),
        false => None,
    };
    // The name is an identifier (`execute::identifiers`): the script only reads it.
    let seen = {
        v8::tc_scope!(let tc, scope);
        let value = v8::Script::compile(tc, name, None).and_then(|script| script.run(tc));
        if tc.has_terminated() {
            return None;
        }
        value
    };
    Some(match (seen, property) {
        (Some(seen), Some(property)) if seen.same_value(property) => None,
        (Some(seen), _) => Some(seen),
        // Not declared at all (a ReferenceError), or declared but not yet initialized.
        (None, _) => None,
    })
}

/// Sets `holder[key]` and checks that it took: a frozen object or a read-only property refuses
/// it without a word outside strict mode. None if it did not, or if setting it threw.
fn set_verified<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    holder: v8::Local<'s, v8::Object>,
    key: v8::Local<'s, v8::String>,
    value: v8::Local<'s, v8::Value>,
) -> Option<()> {
    holder.set(scope, key.into(), value).filter(|set| *set)?;
    holder
        .get(scope, key.into())
        .filter(|now| now.same_value(value))
        .map(drop)
}

fn v8_name<'s>(scope: &v8::PinScope<'s, '_>, name: &str) -> PyResult<v8::Local<'s, v8::String>> {
    v8::String::new(scope, name).ok_or_else(|| PyValueError::new_err("name too long for V8"))
}

/// The error of a property JavaScript would not let be set (a frozen object, a throwing setter).
fn failed(
    py: Python<'_>,
    scope: &mut v8::PinnedRef<'_, v8::TryCatch<'_, '_, v8::HandleScope<'_>>>,
    name: &str,
) -> PyErr {
    if scope.has_caught() {
        return execute::caught(py, scope);
    }
    PyValueError::new_err(format!(
        "cannot expose {name}: JavaScript refused the property (it is read-only, or its \
         object is frozen, sealed or not extensible)"
    ))
}

/// Gives a new isolate its (empty) tables of exposed callables, thrown Python exceptions and
/// awaited async calls; `deferred` is the bootstrap's maker of [promise, resolve, reject].
pub fn install(isolate: &mut v8::Isolate, stops: Arc<Stops>, deferred: v8::Global<v8::Function>) {
    isolate.set_slot(Callables {
        callables: RefCell::new(Vec::new()),
        stops,
    });
    isolate.set_slot(Thrown::default());
    isolate.set_slot(AsyncCalls {
        deferred,
        awaiting: std::cell::Cell::new(0),
        started: RefCell::new(Vec::new()),
        pending: RefCell::new(HashMap::new()),
        next: std::cell::Cell::new(0),
    });
}

/// Drops what `install` put in the isolate's slots, global handles among them, while the
/// isolate can still release them (`Runtime::into_snapshot`: V8 serializes no heap that the
/// embedder holds handles into, and slots dropped with the isolate no longer release theirs).
pub fn uninstall(isolate: &mut v8::Isolate) {
    isolate.remove_slot::<Callables>();
    isolate.remove_slot::<Thrown>();
    isolate.remove_slot::<AsyncCalls>();
}

/// A JavaScript function that calls the Python `callable`.
fn python_function<'s>(
    scope: &v8::PinScope<'s, '_>,
    callable: &Bound<'_, PyAny>,
    name: &str,
) -> PyResult<v8::Local<'s, v8::Value>> {
    let callables = scope
        .get_slot::<Callables>()
        .expect("`install` runs when the runtime is created");
    let index = {
        let mut callables = callables.callables.borrow_mut();
        callables.push(callable.clone().unbind());
        callables.len() - 1
    };
    let data = v8::Integer::new_from_unsigned(scope, index as u32);
    let function = v8::Function::builder(call_python)
        .data(data.into())
        .build(scope)
        .ok_or_else(|| PyValueError::new_err("V8 could not create the function"))?;
    function.set_name(v8_name(scope, name)?);
    Ok(function.into())
}

/// V8's callback for every exposed Python callable.
fn call_python<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    args: v8::FunctionCallbackArguments<'s>,
    mut result: v8::ReturnValue<'s, v8::Value>,
) {
    let index = args.data().uint32_value(scope).unwrap_or(u32::MAX) as usize;
    Python::attach(|py| {
        let Some(callables) = scope.get_slot::<Callables>() else {
            return;
        };
        let stops = Arc::clone(&callables.stops);
        let Some(callable) = callables
            .callables
            .borrow()
            .get(index)
            .map(|callable| callable.clone_ref(py))
        else {
            return;
        };
        let failure = {
            v8::tc_scope!(let tc, scope);
            let outcome = (|| {
                let arguments = (0..args.length())
                    .map(|i| convert::to_python(py, tc, args.get(i), "argument"))
                    .collect::<PyResult<Vec<_>>>()?;
                let returned = callable.bind(py).call1(PyTuple::new(py, arguments)?)?;
                if is_coroutine(&returned)? {
                    return defer(tc, returned);
                }
                convert::to_js(tc, &returned, &mut Path::new("return value"))
            })();
            match outcome {
                Ok(value) => {
                    result.set(value);
                    None
                }
                // A getter or Proxy trap threw while the arguments were read: that exception
                // goes on (rethrown as the TryCatch ends).
                Err(_) if tc.has_caught() => {
                    tc.rethrow();
                    None
                }
                Err(err) => Some(err),
            }
        };
        match failure {
            None => {}
            Some(err) if !err.is_instance_of::<PyException>(py) => stops.raise(err),
            // Thrown outside the TryCatch above, so that it reaches JavaScript.
            Some(err) => throw(py, scope, err),
        }
    });
}

/// Whether `value` is a coroutine (what calling an `async def` function returns). A type check,
/// not `hasattr`: a failed attribute lookup costs an exception on every call.
fn is_coroutine(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    static COROUTINE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    let py = value.py();
    let coroutine = COROUTINE.get_or_try_init(py, || {
        py.import("types")?
            .getattr("CoroutineType")?
            .cast_into::<PyType>()
            .map(Bound::unbind)
            .map_err(PyErr::from)
    })?;
    value.is_instance(coroutine.bind(py))
}

/// The Promise JavaScript gets for the coroutine an async Python function returned: settled by
/// `settle_call` when the coroutine, run by the asyncio driver of an awaited operation, is done.
/// Outside awaited operations nothing could run it, so the call fails instead.
fn defer<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    coroutine: Bound<'_, PyAny>,
) -> PyResult<v8::Local<'s, v8::Value>> {
    let calls = scope
        .get_slot::<AsyncCalls>()
        .expect("`install` runs when the runtime is created");
    if calls.awaiting.get() == 0 {
        let _ = coroutine.call_method0("close");
        return Err(PyTypeError::new_err(
            "an async Python function was called from JavaScript run by a synchronous call: use \
             `await ctx.call_async(...)` or `await ctx.evaluate_async(...)` so that asyncio can \
             run it",
        ));
    }
    let deferred = v8::Local::new(scope, &calls.deferred);
    let undefined = v8::undefined(scope).into();
    let parts = deferred
        .call(scope, undefined, &[])
        .and_then(|parts| v8::Local::<v8::Array>::try_from(parts).ok())
        .ok_or_else(|| PyValueError::new_err("could not create the Promise"))?;
    let part = |i| {
        parts
            .get_index(scope, i)
            .ok_or_else(|| PyValueError::new_err("no Promise"))
    };
    let (promise, resolve, reject) = (part(0)?, part(1)?, part(2)?);
    let calls = scope
        .get_slot::<AsyncCalls>()
        .expect("`install` runs when the runtime is created");
    let number = calls.next.get() + 1;
    calls.next.set(number);
    calls.pending.borrow_mut().insert(
        number,
        (
            v8::Global::new(scope, resolve),
            v8::Global::new(scope, reject),
        ),
    );
    calls
        .started
        .borrow_mut()
        .push((number, coroutine.unbind()));
    Ok(promise)
}

/// An awaited operation begins (true) or ends (false).
pub fn awaiting(isolate: &v8::Isolate, begins: bool) {
    if let Some(calls) = isolate.get_slot::<AsyncCalls>() {
        let count = calls.awaiting.get();
        calls.awaiting.set(if begins {
            count + 1
        } else {
            count.saturating_sub(1)
        });
    }
}

/// The coroutines async functions returned since the last call, by call number.
pub fn take_started(isolate: &v8::Isolate) -> Vec<(u64, Py<PyAny>)> {
    isolate
        .get_slot::<AsyncCalls>()
        .map(|calls| std::mem::take(&mut *calls.started.borrow_mut()))
        .unwrap_or_default()
}

/// Forgets call `number`, whose coroutine will never run: its Promise stays pending.
pub fn forget_call(isolate: &v8::Isolate, number: u64) {
    if let Some(calls) = isolate.get_slot::<AsyncCalls>() {
        calls.pending.borrow_mut().remove(&number);
    }
}

/// Whether a started call's Promise is still to be settled.
pub fn calls_pending(isolate: &v8::Isolate) -> bool {
    isolate
        .get_slot::<AsyncCalls>()
        .is_some_and(|calls| !calls.pending.borrow().is_empty())
}

/// Settles the Promise of call `number` with its coroutine's outcome: its value, or its
/// exception as `throw` would throw it. `None` forgets the call (its coroutine was cancelled).
pub fn settle_call(
    py: Python<'_>,
    scope: &mut v8::PinScope<'_, '_>,
    number: u64,
    outcome: Option<PyResult<Bound<'_, PyAny>>>,
) -> PyResult<()> {
    let Some(outcome) = outcome else {
        forget_call(scope, number);
        return Ok(());
    };
    let Some(calls) = scope.get_slot::<AsyncCalls>() else {
        return Ok(());
    };
    let Some((resolve, reject)) = calls.pending.borrow_mut().remove(&number) else {
        return Ok(());
    };
    let (settle, value) = match outcome
        .and_then(|value| convert::to_js(scope, &value, &mut Path::new("async result")))
    {
        Ok(value) => (resolve, value),
        Err(err) if !err.is_instance_of::<PyException>(py) => return Err(err),
        Err(err) => match error_for(py, scope, err) {
            Some(error) => (reject, error),
            None => return Ok(()),
        },
    };
    let settle = v8::Local::new(scope, &settle);
    let settle = v8::Local::<v8::Function>::try_from(settle)
        .map_err(|_| PyValueError::new_err("not a function"))?;
    let undefined = v8::undefined(scope).into();
    settle.call(scope, undefined, &[value]);
    scope.perform_microtask_checkpoint();
    Ok(())
}

/// Throws `err` into JavaScript as an Error named after its class, and keeps it beside that
/// Error for `original`.
fn throw(py: Python<'_>, scope: &v8::PinScope<'_, '_>, err: PyErr) {
    if let Some(error) = error_for(py, scope, err) {
        scope.throw_exception(error);
    }
}

/// The JavaScript Error for `err` (named after its class), kept beside it for `original`.
fn error_for<'s>(
    py: Python<'_>,
    scope: &v8::PinScope<'s, '_>,
    err: PyErr,
) -> Option<v8::Local<'s, v8::Value>> {
    let value = err.value(py);
    let class = value
        .get_type()
        .name()
        .map_or("Error".to_string(), |n| n.to_string());
    let text = value.str().map_or(String::new(), |s| s.to_string());
    let (Some(message), Some(name_key), Some(name)) = (
        v8::String::new(scope, &text),
        v8::String::new(scope, "name"),
        v8::String::new(scope, &class),
    ) else {
        return None;
    };
    let error = v8::Exception::error(scope, message);
    if let Some(object) = error.to_object(scope) {
        object.set(scope, name_key.into(), name.into());
    }
    if let Some(thrown) = scope.get_slot::<Thrown>() {
        let mut thrown = thrown.0.borrow_mut();
        if thrown.len() >= MAX_THROWN {
            thrown.remove(0);
        }
        thrown.push((v8::Global::new(scope, error), err));
    }
    Some(error)
}

/// The Python exception `exception` was thrown for (`throw`), if it is one, with the JavaScript
/// `stack` it went through added as a note.
pub fn original(
    py: Python<'_>,
    scope: &v8::PinScope<'_, '_>,
    exception: v8::Local<'_, v8::Value>,
    stack: impl FnOnce() -> String,
) -> Option<PyErr> {
    let thrown = scope.get_slot::<Thrown>()?;
    let err = {
        let mut thrown = thrown.0.borrow_mut();
        let at = thrown
            .iter()
            .position(|(error, _)| v8::Local::new(scope, error).strict_equals(exception))?;
        thrown.remove(at).1
    };
    let value = err.value(py);
    if value.hasattr("add_note").unwrap_or(false) {
        let _ = value.call_method1("add_note", (format!("JavaScript stack:\n{}", stack()),));
    }
    Some(err)
}

/// Forgets the Python exceptions thrown during the operation that ended, unless an awaited
/// operation is in progress (a Promise it awaits may still reject with one of them).
pub fn forget_thrown_unless_awaited(isolate: &v8::Isolate) {
    let awaited = isolate
        .get_slot::<AsyncCalls>()
        .is_some_and(|calls| calls.awaiting.get() > 0);
    if let (false, Some(thrown)) = (awaited, isolate.get_slot::<Thrown>()) {
        thrown.0.borrow_mut().clear();
    }
}
