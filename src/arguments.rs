//! The API's arguments, read so that a wrong one is named in the error's message.
//!
//! pyo3 reports a failed extraction in the extractor's own words ("'int' object is not an
//! instance of 'str'", "must be real number, not str") and names the argument only in a note,
//! which `str(error)` and most logs leave out. Every parameter is read instead by the function of
//! its name below, given to pyo3 as `#[pyo3(from_py_with = arguments::timeout)]`, whose errors
//! read as CPython's builtins' do: `timeout must be a number of seconds or None, not str`.
//!
//! An optional parameter's reader takes an explicit None as leaving it out. A value of the right
//! type but out of range is a `ValueError`; the range a parameter accepts beyond that (a positive
//! timeout, a heap limit V8 can keep) is checked where the value is used.

use std::path::PathBuf;

use pyo3::exceptions::{PyTypeError, PyUnicodeEncodeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::pyffi;
use crate::snapshot::Snapshot;

/// `name must be expected, not <type of value>`.
fn wrong_type(name: &str, expected: &str, value: &Bound<'_, PyAny>) -> PyErr {
    let type_name = value
        .get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string());
    PyTypeError::new_err(format!("{name} must be {expected}, not {type_name}"))
}

/// `read(value)`, with a TypeError it raises replaced by `wrong_type`'s.
fn typed<T>(
    value: &Bound<'_, PyAny>,
    name: &str,
    expected: &str,
    read: impl FnOnce(&Bound<'_, PyAny>) -> PyResult<T>,
) -> PyResult<T> {
    read(value).map_err(|err| match err.is_instance_of::<PyTypeError>(value.py()) {
        true => wrong_type(name, expected, value),
        false => err,
    })
}

/// None for None, else `read(value)`.
fn optional<'a, 'py, T>(
    value: &'a Bound<'py, PyAny>,
    read: impl FnOnce(&'a Bound<'py, PyAny>) -> PyResult<T>,
) -> PyResult<Option<T>> {
    if value.is_none() {
        return Ok(None);
    }
    read(value).map(Some)
}

/// A str, borrowed from CPython's own UTF-8 copy of it (no copy for a 10 MB source).
fn text<'a>(value: &'a Bound<'_, PyAny>, name: &str) -> PyResult<&'a str> {
    text_or(value, name, "str")
}

fn text_or<'a>(value: &'a Bound<'_, PyAny>, name: &str, expected: &str) -> PyResult<&'a str> {
    let string = value
        .cast::<PyString>()
        .map_err(|_| wrong_type(name, expected, value))?;
    pyffi::utf8_str(string).ok_or_else(|| lone_surrogate(name, string))
}

/// The UnicodeEncodeError of a str with a lone surrogate, which UTF-8 cannot carry (JavaScript
/// source and names travel as UTF-8): Python's own, with the argument named in its reason.
#[cold]
fn lone_surrogate(name: &str, string: &Bound<'_, PyString>) -> PyErr {
    let py = string.py();
    let err = match string.call_method1("encode", ("utf-8",)) {
        Err(err) if err.is_instance_of::<PyUnicodeEncodeError>(py) => err,
        Err(err) => return err,
        Ok(_) => return PyValueError::new_err(format!("{name} cannot be read as UTF-8")),
    };
    let position =
        |attribute: &str| -> PyResult<usize> { err.value(py).getattr(attribute)?.extract() };
    match (position("start"), position("end")) {
        (Ok(start), Ok(end)) => PyUnicodeEncodeError::new_err((
            "utf-8",
            string.clone().unbind(),
            start,
            end,
            format!("{name} cannot hold a lone surrogate"),
        )),
        _ => err,
    }
}

fn optional_text<'a>(value: &'a Bound<'_, PyAny>, name: &str) -> PyResult<Option<&'a str>> {
    optional(value, |value| text_or(value, name, "str or None"))
}

fn seconds(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Option<f64>> {
    optional(value, |value| {
        typed(value, name, "a number of seconds or None", |v| v.extract())
    })
}

/// A whole number from 0 to `u64::MAX`: a negative or larger int is a ValueError naming the
/// range, not the OverflowError of an unsigned conversion.
fn unsigned(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Option<u64>> {
    optional(value, |value| {
        typed(value, name, "an int or None", |v| v.extract::<u64>()).map_err(|err| {
            match err.is_instance_of::<pyo3::exceptions::PyOverflowError>(value.py()) {
                true => PyValueError::new_err(format!(
                    "{name} must be an int from 0 to {}, not {}",
                    u64::MAX,
                    value
                        .repr()
                        .map_or_else(|_| "?".to_owned(), |r| r.to_string())
                )),
                false => err,
            }
        })
    })
}

fn optional_size(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Option<usize>> {
    unsigned(value, name)?
        .map(|n| {
            usize::try_from(n).map_err(|_| {
                PyValueError::new_err(format!("{name} must be at most {}, not {n}", usize::MAX))
            })
        })
        .transpose()
}

fn flag(value: &Bound<'_, PyAny>, name: &str) -> PyResult<bool> {
    typed(value, name, "a bool", |v| v.extract())
}

fn optional_snapshot<'py>(
    value: &Bound<'py, PyAny>,
    name: &str,
) -> PyResult<Option<Bound<'py, Snapshot>>> {
    optional(value, |value| {
        value
            .cast::<Snapshot>()
            .cloned()
            .map_err(|_| wrong_type(name, "a v8ctx.Snapshot or None", value))
    })
}

fn byte_string<'a>(value: &'a Bound<'_, PyAny>, name: &str) -> PyResult<&'a [u8]> {
    value
        .cast::<PyBytes>()
        .map(|bytes| bytes.as_bytes())
        .map_err(|_| wrong_type(name, "bytes", value))
}

fn file_path(value: &Bound<'_, PyAny>, name: &str) -> PyResult<PathBuf> {
    typed(value, name, "a str or os.PathLike", |v| v.extract())
}

/// One public reader per parameter name, each calling the reader of its kind with its name.
macro_rules! parameters {
    ($($read:ident -> $value:ty: $($name:ident),+;)+) => {$($(
        #[doc = concat!("Reads the `", stringify!($name), "` argument (`", stringify!($read), "`).")]
        pub fn $name<'a, 'py>(value: &'a Bound<'py, PyAny>) -> PyResult<$value> {
            $read(value, stringify!($name))
        }
    )+)+};
}

parameters! {
    text -> &'a str: code, name, specifier, expression, isolation;
    optional_text -> Option<&'a str>: filename, user_agent, url;
    seconds -> Option<f64>: timeout;
    unsigned -> Option<u64>: random_seed, recycle_after;
    optional_size -> Option<usize>: max_heap_mb, max_rss_mb, workers;
    flag -> bool: auto_await, return_value, browser, cancel;
    optional_snapshot -> Option<Bound<'py, Snapshot>>: snapshot;
    byte_string -> &'a [u8]: data;
    file_path -> PathBuf: path;
}
