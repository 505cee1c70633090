//! The exception hierarchy, and JavaScript exceptions turned into Python ones.

use deno_core::v8;
use pyo3::exceptions::{PyException, PyMemoryError, PyRuntimeError, PyTimeoutError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

use crate::convert;

/// The exception classes, created at import (some have two bases, which pyo3's
/// `create_exception!` cannot express).
struct Exceptions {
    js_error: Py<PyType>,
    js_syntax_error: Py<PyType>,
    js_timeout_error: Py<PyType>,
    js_memory_error: Py<PyType>,
    promise_never_settles: Py<PyType>,
    context_closed: Py<PyType>,
    wrong_thread: Py<PyType>,
    pool_closed: Py<PyType>,
    worker_crashed: Py<PyType>,
    snapshot: Py<PyType>,
}

static EXCEPTIONS: PyOnceLock<Exceptions> = PyOnceLock::new();

/// Creates the exception classes and adds them to the module.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    let make = |name: &str, bases: Vec<Bound<'_, PyType>>, doc: &str| -> PyResult<Py<PyType>> {
        let namespace = PyDict::new(py);
        namespace.set_item("__module__", "v8ctx")?;
        namespace.set_item("__doc__", doc)?;
        let class = py
            .get_type::<PyType>()
            .call1((name, PyTuple::new(py, bases)?, namespace))?
            .cast_into::<PyType>()?;
        module.add(name, &class)?;
        Ok(class.unbind())
    };
    let js_error = make(
        "JSError",
        vec![py.get_type::<PyException>()],
        "A JavaScript exception; .name, .message, .stack, and .value for a thrown non-Error.",
    )?;
    let js = js_error.bind(py);
    for (attribute, default) in [("name", "Error"), ("message", ""), ("stack", "")] {
        js.setattr(attribute, default)?;
    }
    js.setattr("value", py.None())?;
    let exceptions = Exceptions {
        js_syntax_error: make(
            "JSSyntaxError",
            vec![js.clone()],
            "JavaScript source that does not parse; the stack names the location.",
        )?,
        js_timeout_error: make(
            "JSTimeoutError",
            vec![js.clone(), py.get_type::<PyTimeoutError>()],
            "JavaScript ran past its timeout and was terminated.",
        )?,
        js_memory_error: make(
            "JSMemoryError",
            vec![js.clone(), py.get_type::<PyMemoryError>()],
            "JavaScript approached the Context's heap limit and was terminated.",
        )?,
        promise_never_settles: make(
            "PromiseNeverSettlesError",
            vec![js.clone()],
            "The awaited Promise can never settle: nothing left in the event loop can resolve it.",
        )?,
        context_closed: make(
            "ContextClosedError",
            vec![py.get_type::<PyRuntimeError>()],
            "The Context was closed, or its owner thread exited.",
        )?,
        wrong_thread: make(
            "WrongThreadError",
            vec![py.get_type::<PyRuntimeError>()],
            "A Context was used from a thread other than the one that created it.",
        )?,
        pool_closed: make(
            "PoolClosedError",
            vec![py.get_type::<PyRuntimeError>()],
            "The Pool was closed; its calls fail with this.",
        )?,
        worker_crashed: make(
            "WorkerCrashedError",
            vec![py.get_type::<PyRuntimeError>()],
            "A Pool's worker process died while it ran the call (a signal, a V8 fatal error, an \
             exit); the message names how and the last lines it wrote to stderr.",
        )?,
        snapshot: make(
            "SnapshotError",
            vec![py.get_type::<PyValueError>()],
            "A snapshot cannot be made of what the code left (pending timers, a crash of the \
             process making it), or bytes are not a snapshot this build of v8ctx can use.",
        )?,
        js_error,
    };
    let _ = EXCEPTIONS.set(py, exceptions);
    Ok(())
}

fn exceptions(py: Python<'_>) -> &Exceptions {
    EXCEPTIONS
        .get(py)
        .expect("exception classes are created when the module is imported")
}

pub fn context_closed(py: Python<'_>, message: String) -> PyErr {
    PyErr::from_type(exceptions(py).context_closed.bind(py).clone(), message)
}

pub fn wrong_thread(py: Python<'_>, message: String) -> PyErr {
    PyErr::from_type(exceptions(py).wrong_thread.bind(py).clone(), message)
}

pub fn pool_closed(py: Python<'_>, message: String) -> PyErr {
    PyErr::from_type(exceptions(py).pool_closed.bind(py).clone(), message)
}

pub fn worker_crashed(py: Python<'_>, message: String) -> PyErr {
    PyErr::from_type(exceptions(py).worker_crashed.bind(py).clone(), message)
}

pub fn snapshot_error(py: Python<'_>, message: String) -> PyErr {
    PyErr::from_type(exceptions(py).snapshot.bind(py).clone(), message)
}

/// The TypeError of pickling an object that lives in one thread's isolate.
pub fn not_picklable(what: &str) -> PyErr {
    pyo3::exceptions::PyTypeError::new_err(format!(
        "a {what} cannot be pickled: it lives in a V8 isolate bound to one thread of one \
         process. Pickle a v8ctx.Pool instead (it unpickles into the receiving process's shared \
         pool for the same code and options), or create the Context where it is used"
    ))
}

/// Which JSError class to raise.
#[derive(Clone, Copy)]
pub enum JsErrorKind {
    Plain,
    Timeout,
    Memory,
    NeverSettles,
}

/// A JSError (or subclass) with its attributes set; `str(err)` is the stack.
pub fn js_error(
    py: Python<'_>,
    kind: JsErrorKind,
    name: &str,
    message: &str,
    stack: &str,
    value: Option<Bound<'_, PyAny>>,
) -> PyErr {
    let classes = exceptions(py);
    let class = match kind {
        JsErrorKind::Timeout => &classes.js_timeout_error,
        JsErrorKind::Memory => &classes.js_memory_error,
        JsErrorKind::NeverSettles => &classes.promise_never_settles,
        JsErrorKind::Plain if name == "SyntaxError" => &classes.js_syntax_error,
        JsErrorKind::Plain => &classes.js_error,
    };
    let build = || -> PyResult<PyErr> {
        let instance = class.bind(py).call1((stack,))?;
        instance.setattr("name", name)?;
        instance.setattr("message", message)?;
        instance.setattr("stack", stack)?;
        if let Some(value) = value {
            instance.setattr("value", value)?;
        }
        Ok(PyErr::from_value(instance))
    };
    build().unwrap_or_else(|e| e)
}

/// A JSError the core raises itself, as if JavaScript had thrown `new <name>(message)`.
pub fn js_error_new(py: Python<'_>, name: &str, message: &str) -> PyErr {
    js_error_of_kind(py, JsErrorKind::Plain, name, message)
}

/// `js_error_new` for the subclasses (`JSTimeoutError`, `JSMemoryError`).
pub fn js_error_of_kind(py: Python<'_>, kind: JsErrorKind, name: &str, message: &str) -> PyErr {
    js_error(py, kind, name, message, &format!("{name}: {message}"), None)
}

/// Turns a caught JavaScript exception into a JSError.
pub fn from_exception<'s>(
    py: Python<'_>,
    scope: &mut v8::PinScope<'s, '_>,
    exception: v8::Local<'s, v8::Value>,
    message: Option<v8::Local<'s, v8::Message>>,
) -> PyErr {
    // A Python exception a Python callable threw, back from JavaScript: the very exception.
    let original = crate::bridge::original(py, scope, exception, || {
        exception
            .to_object(scope)
            .and_then(|o| string_property(scope, o, "stack"))
            .unwrap_or_default()
    });
    if let Some(original) = original {
        return original;
    }
    let (name, text, mut stack, value) = if exception.is_native_error() {
        let object = exception.to_object(scope);
        let read = |key: &str| object.and_then(|o| string_property(scope, o, key));
        let name = read("name").unwrap_or_else(|| "Error".to_string());
        let text = read("message").unwrap_or_default();
        let stack = read("stack").unwrap_or_else(|| format!("{name}: {text}"));
        (name, text, stack, None)
    } else {
        let text = describe(scope, exception);
        let value = convert::to_python(py, scope, exception, "thrown value").ok();
        let stack = format!("Error: {text}");
        ("Error".to_string(), text, stack, value)
    };
    // A syntax error or a thrown non-Error has no frames: add where V8 saw it.
    if !stack.contains("\n    at ") {
        if let Some(location) = message.and_then(|m| location(scope, m)) {
            stack.push_str("\n    at ");
            stack.push_str(&location);
        }
    }
    js_error(py, JsErrorKind::Plain, &name, &text, &stack, value)
}

fn string_property<'s>(
    scope: &v8::PinScope<'s, '_>,
    object: v8::Local<'s, v8::Object>,
    key: &str,
) -> Option<String> {
    let key = v8::String::new(scope, key)?;
    let value = object.get(scope, key.into())?;
    if value.is_undefined() {
        return None;
    }
    Some(value.to_rust_string_lossy(scope))
}

/// Renders a thrown non-Error for the message: JSON for objects and arrays (a cycle, or a
/// repeated object, shows as "[Circular]" and nesting past 20 levels as "[...]"), a symbol's
/// description, else its string form, else its tag; never empty for lack of a way to show it.
const DESCRIBE: &str = r#"(value) => {
    if (typeof value === "symbol") return value.toString();
    if (typeof value === "object" && value !== null) {
        const depth = new Map();
        try {
            return JSON.stringify(value, function (key, item) {
                if (typeof item !== "object" || item === null) return item;
                if (depth.has(item)) return "[Circular]";
                const level = (depth.get(this) ?? 0) + 1;
                if (level > 20) return "[...]";
                depth.set(item, level);
                return item;
            });
        } catch {}
    }
    try { return String(value) } catch {}
    return Object.prototype.toString.call(value);
}"#;

/// A thrown non-Error as text (`DESCRIBE`).
fn describe<'s>(scope: &mut v8::PinScope<'s, '_>, value: v8::Local<'s, v8::Value>) -> String {
    v8::tc_scope!(let scope, scope);
    let described = v8::String::new(scope, DESCRIBE)
        .and_then(|source| v8::Script::compile(scope, source, None))
        .and_then(|script| script.run(scope))
        .and_then(|function| v8::Local::<v8::Function>::try_from(function).ok())
        .and_then(|function| {
            let undefined = v8::undefined(scope).into();
            function.call(scope, undefined, &[value])
        })
        .filter(|text| text.is_string());
    match described {
        Some(text) => text.to_rust_string_lossy(scope),
        None => "a value that cannot be shown (rendering it failed)".to_string(),
    }
}

/// `resource:line:column` of a message, columns counted from 1 as in stack traces.
fn location<'s>(
    scope: &v8::PinScope<'s, '_>,
    message: v8::Local<'s, v8::Message>,
) -> Option<String> {
    let resource = message.get_script_resource_name(scope)?;
    let line = message.get_line_number(scope)?;
    let column = message.get_start_column() + 1;
    Some(format!(
        "{}:{line}:{column}",
        resource.to_rust_string_lossy(scope)
    ))
}

/// The OSError of `err` on `path`, as Python's own file functions raise it: the subclass of its
/// errno (FileNotFoundError, IsADirectoryError, ...) with the path in its message and `filename`.
pub fn os_error(py: Python<'_>, err: std::io::Error, path: &std::path::Path) -> PyErr {
    let Some(errno) = err.raw_os_error() else {
        return pyo3::exceptions::PyOSError::new_err(format!("{}: {err}", path.display()));
    };
    let message = err.to_string();
    let strerror = message
        .strip_suffix(&format!(" (os error {errno})"))
        .unwrap_or(&message);
    py.get_type::<pyo3::exceptions::PyOSError>()
        .call1((errno, strerror, path.display().to_string()))
        .map_or_else(|e| e, PyErr::from_value)
}
