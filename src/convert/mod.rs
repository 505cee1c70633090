//! Values between Python and JavaScript.
//!
//! The mapping (README "Values" has the user-facing table):
//!
//! | Python                         | JavaScript                 | back to Python             |
//! |--------------------------------|----------------------------|----------------------------|
//! | None                           | null                       | None (undefined too)       |
//! | bool                           | boolean                    | bool                       |
//! | int within ±(2**53 - 1)        | number                     | int                        |
//! | int beyond                     | BigInt                     | int                        |
//! | float                          | number                     | float, or int when integral|
//! | str                            | string                     | str                        |
//! | bytes, bytearray, memoryview   | Uint8Array                 | bytes                      |
//! | list, tuple                    | Array                      | list (holes become None)   |
//! | dict (str or int keys)         | Object                     | dict                       |
//! | set, frozenset                 | Set                        | set                        |
//! | datetime (naive = UTC)         | Date                       | aware datetime in UTC      |
//!
//! JavaScript only: Map becomes dict, any ArrayBuffer, TypedArray or DataView becomes bytes, an
//! invalid Date becomes None, an Error becomes a dict of name/message/stack, a function becomes a
//! `JSFunction` (`function.rs`; a TypeError in a Pool worker, which it cannot leave), symbols
//! and unsettled Promises become None; other objects become a dict of their own enumerable
//! string-keyed properties. A number that is integral and within ±(2**53 - 1) comes back as
//! int (except -0.0), so 2.0 comes back as 2; beyond that it stays a float.
//!
//! Three ways implement that one mapping:
//!
//! - `direct` converts value by value through the V8 API. It handles everything and names the
//!   place of every error (`args[0][3]['when']`). It is the reference the other two must match.
//! - `json` (Python to JavaScript, containers only) writes JSON text in Rust and has V8's
//!   JSON.parse build the objects: one call into V8 instead of one per property.
//! - `wire` (JavaScript to Python, objects and arrays only) has V8's ValueSerializer walk the
//!   value in C++ and decodes its output straight into Python objects.
//!
//! The fast two give up (return None) on anything they would not convert exactly as `direct`
//! does, and on every error; `direct` then converts the value from the start, so what a caller
//! gets, errors included, never depends on which way was taken.

mod direct;
mod json;
mod lent;
mod wire;

use deno_core::v8;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{IntoPyDict, PyBytes, PyDict, PyFloat, PyInt, PyList, PyTuple, PyType};
use smallvec::{smallvec, SmallVec};

/// Converts a Python value to JavaScript; `path` names it in errors.
pub fn to_js<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    value: &Bound<'_, PyAny>,
    path: &mut Path,
) -> PyResult<v8::Local<'s, v8::Value>> {
    let container = value.is_instance_of::<PyList>()
        || value.is_instance_of::<PyDict>()
        || value.is_instance_of::<PyTuple>();
    if container {
        if let Some(converted) = json::to_js(scope, value) {
            return Ok(converted);
        }
    }
    direct::to_js(scope, value, path)
}

/// Converts a JavaScript value to Python; `root` names it in errors ("result").
/// Run it under a TryCatch: getters and Proxy traps it reads may throw.
pub fn to_python<'py, 's>(
    py: Python<'py>,
    scope: &mut v8::PinScope<'s, '_>,
    value: v8::Local<'s, v8::Value>,
    root: &'static str,
) -> PyResult<Bound<'py, PyAny>> {
    if wire::worth_trying(value) {
        if let Some(converted) = wire::to_python(py, scope, value)? {
            return Ok(converted);
        }
    }
    direct::to_python(py, scope, value, root)
}

/// Nesting deeper than this is refused, so hostile input cannot overflow the stack.
pub const MAX_DEPTH: usize = 1000;

/// Longer Arrays are refused: V8 keeps no more elements than this in place (`FixedArray`'s
/// limit), so a longer one is sparse (`a[4e9] = 1`) and would become a list of billions of Nones.
const MAX_ARRAY_LENGTH: usize = 1 << 27;

/// How many distinct dict keys / property names one conversion remembers.
const MAX_CACHED_KEYS: usize = 1024;

/// The largest integer a JavaScript number holds exactly.
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// Where a value sits inside what is being converted, for error messages: `args[1]['key']`.
pub struct Path {
    root: &'static str,
    segments: SmallVec<[Segment; 4]>,
}

enum Segment {
    Index(usize),
    /// A dict key or property name, as the Python object it is (or becomes), shown by its repr.
    Key(Py<PyAny>),
}

impl Path {
    pub fn new(root: &'static str) -> Self {
        Path {
            root,
            segments: SmallVec::new(),
        }
    }

    /// `root[index]`, for one item of an argument list.
    pub fn indexed(root: &'static str, index: usize) -> Self {
        Path {
            root,
            segments: smallvec![Segment::Index(index)],
        }
    }

    /// `root[0]["key"]`; a path deeper than 12 shows its first and last 6 segments.
    fn render(&self) -> String {
        let show = |out: &mut String, segments: &[Segment]| {
            for segment in segments {
                match segment {
                    Segment::Index(i) => out.push_str(&format!("[{i}]")),
                    Segment::Key(k) => {
                        let repr = Python::attach(|py| {
                            k.bind(py).repr().map(|r| r.to_string()).unwrap_or_default()
                        });
                        out.push_str(&format!("[{repr}]"));
                    }
                }
            }
        };
        let mut out = String::from(self.root);
        let n = self.segments.len();
        if n > 12 {
            show(&mut out, &self.segments[..6]);
            out.push_str(&format!("...({} more)...", n - 12));
            show(&mut out, &self.segments[n - 6..]);
        } else {
            show(&mut out, &self.segments);
        }
        out
    }

    /// The error for a value nested `depth` levels deep that cannot go deeper.
    fn too_deep(&self, depth: usize) -> PyErr {
        if depth >= MAX_DEPTH {
            return PyValueError::new_err(format!(
                "{} is nested more than {MAX_DEPTH} levels deep",
                self.render()
            ));
        }
        PyValueError::new_err(format!(
            "{} is nested {depth} levels deep, more than this thread's stack has room to convert \
             (threading.stack_size() sets it for new threads)",
            self.render()
        ))
    }
}

/// `datetime.datetime`, the UTC epoch and one millisecond, for exact Date arithmetic.
struct DatetimeTypes {
    datetime: Py<PyType>,
    utc: Py<PyAny>,
    epoch: Py<PyAny>,
    millisecond: Py<PyAny>,
}

fn datetime_types(py: Python<'_>) -> PyResult<&DatetimeTypes> {
    static TYPES: PyOnceLock<DatetimeTypes> = PyOnceLock::new();
    TYPES.get_or_try_init(py, || {
        let module = py.import("datetime")?;
        let datetime = module.getattr("datetime")?.cast_into::<PyType>()?;
        let utc = module.getattr("timezone")?.getattr("utc")?;
        let epoch = datetime.call1((1970, 1, 1, 0, 0, 0, 0, &utc))?;
        let millisecond = module
            .getattr("timedelta")?
            .call((), Some(&[("milliseconds", 1)].into_py_dict(py)?))?;
        Ok(DatetimeTypes {
            datetime: datetime.unbind(),
            utc: utc.unbind(),
            epoch: epoch.unbind(),
            millisecond: millisecond.unbind(),
        })
    })
}

/// A Date's time value as an aware UTC datetime; None for an invalid Date. Fails (OverflowError)
/// outside datetime's range, years 1 to 9999.
fn date_to_py(py: Python<'_>, millis: f64) -> PyResult<Option<Bound<'_, PyAny>>> {
    if !millis.is_finite() {
        return Ok(None);
    }
    let types = datetime_types(py)?;
    let offset = types.millisecond.bind(py).mul(millis as i64)?;
    types.epoch.bind(py).add(offset).map(Some)
}

/// A JavaScript number as int when integral and exact (except -0.0), else as float.
fn number_to_py(py: Python<'_>, f: f64) -> PyResult<Bound<'_, PyAny>> {
    match exact_integer(f) {
        Some(i) => Ok(i.into_pyobject(py)?.into_any()),
        None => Ok(PyFloat::new(py, f).into_any()),
    }
}

/// `f` as an integer when it is one, within ±(2**53 - 1) and not -0.0: what comes back as int.
fn exact_integer(f: f64) -> Option<i64> {
    let integral = f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER as f64;
    (integral && !(f == 0.0 && f.is_sign_negative())).then_some(f as i64)
}

/// The int whose magnitude is the little-endian `bytes` (a BigInt's digits).
fn int_from_le_bytes<'py>(
    py: Python<'py>,
    bytes: &[u8],
    negative: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let int_type = py.get_type::<PyInt>();
    let magnitude = int_type.call_method1("from_bytes", (PyBytes::new(py, bytes), "little"))?;
    if negative {
        magnitude.neg()
    } else {
        Ok(magnitude)
    }
}
