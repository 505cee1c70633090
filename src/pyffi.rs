//! Every raw CPython call v8ctx makes, as orjson keeps them: the value conversions' fast paths
//! (`convert/`) read and build objects through the C API where pyo3's safe API costs a type
//! check, a reference count or a bounds check per element.
//!
//! What is safe here is safe for any caller. The borrowed walks over containers (`list_item`,
//! `tuple_item`, `dict_next`) are `unsafe`: an item is borrowed from its container, so it is valid
//! only while the container is unchanged, which the caller promises by running no Python code
//! (and changing nothing) while it holds the items. `convert/json.rs`, their one caller, only
//! reads exact builtins and their subclasses through these functions, which run no Python code.

use std::ptr::addr_of_mut;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use pyo3::Borrowed;

/// The builtin type of an object, subclasses included, as a borrowed object of that type.
pub enum Builtin<'a, 'py> {
    None,
    True,
    False,
    /// An int; `exact` when not of a subclass (an IntEnum's str() differs from int's).
    Int {
        int: Borrowed<'a, 'py, PyInt>,
        exact: bool,
    },
    Float(Borrowed<'a, 'py, PyFloat>),
    Str(Borrowed<'a, 'py, PyString>),
    List(Borrowed<'a, 'py, PyList>),
    Tuple(Borrowed<'a, 'py, PyTuple>),
    Dict(Borrowed<'a, 'py, PyDict>),
}

impl<'a, 'py> Builtin<'a, 'py> {
    /// The builtin `value` is, or None for any other type. Exact types are told by their type
    /// pointer alone; the C API's subclass checks cost a call each.
    pub fn of(value: Borrowed<'a, 'py, PyAny>) -> Option<Self> {
        let object = value.as_ptr();
        // SAFETY: `value` is a live object; the type objects are CPython's statics; each
        // unchecked cast follows the check of that type.
        unsafe {
            let exact = ffi::Py_TYPE(object);
            let kind = if exact == addr_of_mut!(ffi::PyUnicode_Type) {
                Builtin::Str(value.cast_unchecked())
            } else if exact == addr_of_mut!(ffi::PyLong_Type) {
                Builtin::Int {
                    int: value.cast_unchecked(),
                    exact: true,
                }
            } else if exact == addr_of_mut!(ffi::PyFloat_Type) {
                Builtin::Float(value.cast_unchecked())
            } else if exact == addr_of_mut!(ffi::PyDict_Type) {
                Builtin::Dict(value.cast_unchecked())
            } else if exact == addr_of_mut!(ffi::PyList_Type) {
                Builtin::List(value.cast_unchecked())
            } else if object == ffi::Py_None() {
                Builtin::None
            } else if object == ffi::Py_True() {
                Builtin::True
            } else if object == ffi::Py_False() {
                Builtin::False
            } else if exact == addr_of_mut!(ffi::PyTuple_Type) || ffi::PyTuple_Check(object) != 0 {
                Builtin::Tuple(value.cast_unchecked())
            } else if ffi::PyUnicode_Check(object) != 0 {
                Builtin::Str(value.cast_unchecked())
            } else if ffi::PyLong_Check(object) != 0 {
                Builtin::Int {
                    int: value.cast_unchecked(),
                    exact: false,
                }
            } else if ffi::PyFloat_Check(object) != 0 {
                Builtin::Float(value.cast_unchecked())
            } else if ffi::PyDict_Check(object) != 0 {
                Builtin::Dict(value.cast_unchecked())
            } else if ffi::PyList_Check(object) != 0 {
                Builtin::List(value.cast_unchecked())
            } else {
                return None;
            };
            Some(kind)
        }
    }
}

/// `int` as an exact int: a subclass's value copied, without running any of its methods.
pub fn exact_int<'py>(int: &Bound<'py, PyInt>) -> PyResult<Bound<'py, PyInt>> {
    // SAFETY: `int` is an int, for which PyNumber_Index calls no `__index__` and returns a new
    // reference to an exact int (or NULL with an exception set).
    unsafe {
        Bound::from_owned_ptr_or_err(int.py(), ffi::PyNumber_Index(int.as_ptr()))
            .map(|o| o.cast_into_unchecked())
    }
}

/// `s` as an exact str: a subclass's text copied, without running any of its methods.
pub fn exact_str<'py>(s: &Bound<'py, PyString>) -> PyResult<Bound<'py, PyString>> {
    // SAFETY: `s` is a str, for which PyUnicode_FromObject returns a new reference to an exact
    // str of its text (or NULL with an exception set).
    unsafe {
        Bound::from_owned_ptr_or_err(s.py(), ffi::PyUnicode_FromObject(s.as_ptr()))
            .map(|o| o.cast_into_unchecked())
    }
}

/// Whether `s` is a str and not of a subclass.
pub fn is_exact_str(s: Borrowed<'_, '_, PyString>) -> bool {
    // SAFETY: `s` is a live object.
    unsafe { ffi::PyUnicode_CheckExact(s.as_ptr()) != 0 }
}

/// The next key and value of `dict` after `position` (which starts at 0), owned: they stay valid
/// whatever Python code runs next, even code that changes the dict.
pub fn dict_next_owned<'py>(
    dict: &Bound<'py, PyDict>,
    position: &mut ffi::Py_ssize_t,
) -> Option<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    // SAFETY: what the dict lends is made owned before any Python code can run.
    unsafe { dict_next(dict.as_borrowed(), position) }
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
}

/// The value of an int that fits 64 bits; None beyond. Runs no Python code (an int subclass's
/// value is read directly).
pub fn int_value(int: Borrowed<'_, '_, PyInt>) -> Option<i64> {
    let mut overflow = 0;
    // SAFETY: `int` is an int.
    let value = unsafe { ffi::PyLong_AsLongLongAndOverflow(int.as_ptr(), &mut overflow) };
    (overflow == 0).then_some(value)
}

/// Item `i` of `list`, borrowed from it.
///
/// # Safety
/// `i` is below the list's length, and the list is left unchanged while the item is used
/// (module doc).
pub unsafe fn list_item<'a, 'py>(
    list: Borrowed<'a, 'py, PyList>,
    i: usize,
) -> Borrowed<'a, 'py, PyAny> {
    // SAFETY: as the caller promises; PyList_GetItem lends a live item of an index in range.
    unsafe {
        Borrowed::from_ptr(
            list.py(),
            ffi::PyList_GetItem(list.as_ptr(), i as ffi::Py_ssize_t),
        )
    }
}

/// Item `i` of `tuple`, borrowed from it.
///
/// # Safety
/// `i` is below the tuple's length.
pub unsafe fn tuple_item<'a, 'py>(
    tuple: Borrowed<'a, 'py, PyTuple>,
    i: usize,
) -> Borrowed<'a, 'py, PyAny> {
    // SAFETY: as the caller promises; a tuple's items live as long as it does.
    unsafe {
        Borrowed::from_ptr(
            tuple.py(),
            ffi::PyTuple_GetItem(tuple.as_ptr(), i as ffi::Py_ssize_t),
        )
    }
}

/// The next key and value of `dict` after `position` (which starts at 0), borrowed from it.
///
/// # Safety
/// The dict is left unchanged from the first call to the last use of what it lent (module doc).
pub unsafe fn dict_next<'a, 'py>(
    dict: Borrowed<'a, 'py, PyDict>,
    position: &mut ffi::Py_ssize_t,
) -> Option<(Borrowed<'a, 'py, PyAny>, Borrowed<'a, 'py, PyAny>)> {
    let mut key: *mut ffi::PyObject = std::ptr::null_mut();
    let mut value: *mut ffi::PyObject = std::ptr::null_mut();
    // SAFETY: `dict` is a dict; PyDict_Next lends its keys and values, which stay valid as
    // the caller promises.
    unsafe {
        (ffi::PyDict_Next(dict.as_ptr(), position, &mut key, &mut value) != 0).then(|| {
            (
                Borrowed::from_ptr(dict.py(), key),
                Borrowed::from_ptr(dict.py(), value),
            )
        })
    }
}

/// The UTF-8 bytes CPython keeps for `s` (computed once and cached in the object); None when `s`
/// has lone surrogates, which UTF-8 cannot carry.
pub fn utf8<'a>(s: &'a Bound<'_, PyString>) -> Option<&'a [u8]> {
    extern "C" {
        // In the stable ABI only from 3.10, but exported by every CPython 3 (since 3.3) with
        // this signature, so an abi3 module built for 3.9 may call it.
        fn PyUnicode_AsUTF8AndSize(
            unicode: *mut ffi::PyObject,
            size: *mut ffi::Py_ssize_t,
        ) -> *const std::ffi::c_char;
    }
    let mut size: ffi::Py_ssize_t = 0;
    // SAFETY: `s` is a str; the returned buffer lives as long as `s` and is not mutated.
    let data = unsafe { PyUnicode_AsUTF8AndSize(s.as_ptr(), &mut size) };
    if data.is_null() {
        // Clear the UnicodeEncodeError the call set; the caller takes the UTF-16 way.
        drop(PyErr::take(s.py()));
        return None;
    }
    // SAFETY: CPython guarantees `size` bytes at `data` for as long as `s` lives.
    Some(unsafe { std::slice::from_raw_parts(data.cast(), size as usize) })
}

/// `s` as a Rust str borrowed from CPython's UTF-8 copy (`utf8`); None when `s` has lone
/// surrogates.
pub fn utf8_str<'a>(s: &'a Bound<'_, PyString>) -> Option<&'a str> {
    // SAFETY: CPython's UTF-8 encoder only produces valid UTF-8; it fails on what it cannot encode.
    utf8(s).map(|bytes| unsafe { std::str::from_utf8_unchecked(bytes) })
}

/// A str of the Latin-1 `bytes` (every byte one character).
pub fn str_from_latin1<'py>(py: Python<'py>, bytes: &[u8]) -> PyResult<Bound<'py, PyString>> {
    // SAFETY: a valid buffer of bytes.len() bytes; the result is a new str or null.
    unsafe {
        let created = ffi::PyUnicode_DecodeLatin1(
            bytes.as_ptr().cast(),
            bytes.len() as ffi::Py_ssize_t,
            std::ptr::null(),
        );
        Bound::from_owned_ptr_or_err(py, created).map(|o| o.cast_into_unchecked())
    }
}

/// A str of UTF-16 (little-endian bytes). Lone surrogates stay lone surrogates (Python strs can
/// hold them), so distinct JavaScript strings stay distinct: two keys never merge.
pub fn str_from_utf16<'py>(py: Python<'py>, bytes: &[u8]) -> PyResult<Bound<'py, PyString>> {
    let mut byte_order: std::ffi::c_int = -1;
    // SAFETY: a valid buffer of bytes.len() bytes; the result is a new str or null.
    unsafe {
        let created = ffi::PyUnicode_DecodeUTF16(
            bytes.as_ptr().cast(),
            bytes.len() as ffi::Py_ssize_t,
            c"surrogatepass".as_ptr(),
            &mut byte_order,
        );
        Bound::from_owned_ptr_or_err(py, created).map(|o| o.cast_into_unchecked())
    }
}

/// A new empty dict.
pub fn new_dict(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    // SAFETY: the result is a new dict or null.
    unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyDict_New()).map(|o| o.cast_into_unchecked()) }
}

/// `dict[key] = value`, without the checks pyo3 adds.
pub fn dict_set(
    dict: &Bound<'_, PyDict>,
    key: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    // SAFETY: `dict` is a dict; PyDict_SetItem takes its own references.
    if unsafe { ffi::PyDict_SetItem(dict.as_ptr(), key.as_ptr(), value.as_ptr()) } != 0 {
        return Err(PyErr::fetch(dict.py()));
    }
    Ok(())
}

/// A list of `items`, made once they all exist: no half-filled list is ever visible (to a
/// garbage collection, say).
pub fn list_of<'py>(
    py: Python<'py>,
    items: Vec<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyList>> {
    // SAFETY: a new list whose every slot is set below, before any other call into Python that
    // could allocate; PyList_SetItem steals each reference.
    unsafe {
        let list = Bound::from_owned_ptr_or_err(py, ffi::PyList_New(items.len() as _))?;
        for (i, item) in items.into_iter().enumerate() {
            ffi::PyList_SetItem(list.as_ptr(), i as _, item.into_ptr());
        }
        Ok(list.cast_into_unchecked())
    }
}
