//! Python to JavaScript through JSON.parse: a Python list, tuple or dict is written as JSON text
//! here and V8's JSON parser (called directly, not the script-visible `JSON.parse`) builds the
//! objects in one call, following map transitions as object literals do. For large containers
//! this is several times faster than `direct`, which makes one API call per property.
//!
//! JSON covers None, bool, int within ±(2**53 - 1), finite float, str without lone surrogates,
//! list, tuple and dict with str or int keys, exactly as `direct` converts them; JSON.parse
//! defines properties (a "__proto__" key included) as `direct` does, in the same order. On
//! anything else, and on nesting deeper than `MAX_DEPTH` (a cycle ends up there too), the
//! encoder gives up and `direct` converts the value, naming the place of any error. It also
//! leaves containers holding an ASCII str of `LENT_FROM` bytes or more to `direct`, which lends
//! such strings to V8 instead of copying them, and gives up before the text outgrows what V8
//! can take as one string.

use std::cell::RefCell;
use std::collections::HashSet;
use std::ptr::addr_of_mut;

use deno_core::v8;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyString;
use pyo3::Borrowed;
use rustc_hash::FxBuildHasher;

use super::lent::MIN_LENT_LEN as LENT_FROM;
use super::{exact_integer, utf8, MAX_DEPTH, MAX_SAFE_INTEGER};
use crate::limits::StopCheck;
use crate::stack;

thread_local! {
    /// The JSON text being written, reused by every conversion on the thread.
    static TEXT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A text buffer that grew past this is not kept for the next conversion.
const KEPT_CAPACITY: usize = 4 << 20;

/// `value` (a list, tuple or dict) as JavaScript, or None when `direct` must convert it.
pub fn to_js<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    value: &Bound<'_, PyAny>,
) -> Option<v8::Local<'s, v8::Value>> {
    TEXT.with(|text| {
        let mut text = text.try_borrow_mut().ok()?;
        text.clear();
        let mut encoder = Encoder {
            py: value.py(),
            out: &mut text,
            ascii: true,
            containers: HashSet::default(),
            stop: StopCheck::default(),
        };
        let written = encoder.value(value.as_ptr(), 0);
        let ascii = encoder.ascii;
        let parsed = written.and_then(|()| parse(scope, &text, ascii));
        if text.capacity() > KEPT_CAPACITY {
            *text = Vec::new();
        }
        parsed
    })
}

/// Has V8 parse the JSON `text`.
fn parse<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    text: &[u8],
    ascii: bool,
) -> Option<v8::Local<'s, v8::Value>> {
    let source = if ascii {
        v8::String::new_from_one_byte(scope, text, v8::NewStringType::Normal)?
    } else {
        v8::String::new_from_utf8(scope, text, v8::NewStringType::Normal)?
    };
    v8::tc_scope!(let scope, scope);
    v8::json::parse(scope, source)
}

struct Encoder<'a, 'py> {
    py: Python<'py>,
    out: &'a mut Vec<u8>,
    /// Whether the text is all ASCII so far: V8 then takes it as Latin-1 without decoding.
    ascii: bool,
    /// The containers written so far: JSON cannot say that two places hold one object, so a
    /// container met twice gives up to `direct`, which keeps it shared.
    containers: HashSet<*mut ffi::PyObject, FxBuildHasher>,
    stop: StopCheck,
}

impl Encoder<'_, '_> {
    /// Writes `value`; None gives up. Reads the objects through the C API only: no Python code
    /// runs, so nothing can change them meanwhile.
    fn value(&mut self, value: *mut ffi::PyObject, depth: usize) -> Option<()> {
        // SAFETY (all blocks below): `value` is a live object borrowed from the caller, of the
        // type `Kind::of` found.
        if self.stop.stopped() {
            return None;
        }
        let kind = Kind::of(value)?;
        if matches!(kind, Kind::List | Kind::Tuple | Kind::Dict) && !self.containers.insert(value) {
            return None;
        }
        match kind {
            Kind::None => self.out.extend_from_slice(b"null"),
            Kind::True => self.out.extend_from_slice(b"true"),
            Kind::False => self.out.extend_from_slice(b"false"),
            Kind::Int => {
                let int = safe_integer(value)?;
                self.out
                    .extend_from_slice(itoa::Buffer::new().format(int).as_bytes());
            }
            Kind::Float => self.float(unsafe { ffi::PyFloat_AsDouble(value) })?,
            Kind::Str => self.string(value)?,
            Kind::List => {
                let len = unsafe { ffi::PyList_Size(value) };
                self.array(depth, len, |i| unsafe { ffi::PyList_GetItem(value, i) })?;
            }
            Kind::Tuple => {
                let len = unsafe { ffi::PyTuple_Size(value) };
                self.array(depth, len, |i| unsafe { ffi::PyTuple_GetItem(value, i) })?;
            }
            Kind::Dict => self.object(value, depth)?,
        }
        Some(())
    }

    /// A finite float, exactly: integral ones as integers (JSON.parse makes the same number of
    /// "2" as of "2.0"), others in the shortest form that reads back the same.
    fn float(&mut self, float: f64) -> Option<()> {
        if !float.is_finite() {
            return None;
        }
        match exact_integer(float) {
            Some(int) => self
                .out
                .extend_from_slice(itoa::Buffer::new().format(int).as_bytes()),
            None => self
                .out
                .extend_from_slice(ryu::Buffer::new().format_finite(float).as_bytes()),
        }
        Some(())
    }

    /// Starts a container, unless it is nested too deep or the text outgrew what V8 can parse
    /// (a list holding itself many times over can make JSON text without end).
    fn open(&mut self, depth: usize, bracket: u8) -> Option<()> {
        if depth >= MAX_DEPTH || self.out.len() > v8::String::MAX_LENGTH || stack::nearly_full() {
            return None;
        }
        self.out.push(bracket);
        Some(())
    }

    fn array(
        &mut self,
        depth: usize,
        len: ffi::Py_ssize_t,
        item: impl Fn(ffi::Py_ssize_t) -> *mut ffi::PyObject,
    ) -> Option<()> {
        self.open(depth, b'[')?;
        for i in 0..len {
            if i > 0 {
                self.out.push(b',');
            }
            self.value(item(i), depth + 1)?;
        }
        self.out.push(b']');
        Some(())
    }

    fn object(&mut self, dict: *mut ffi::PyObject, depth: usize) -> Option<()> {
        self.open(depth, b'{')?;
        let mut position: ffi::Py_ssize_t = 0;
        let mut key: *mut ffi::PyObject = std::ptr::null_mut();
        let mut item: *mut ffi::PyObject = std::ptr::null_mut();
        let mut first = true;
        let (mut int_keys, mut str_keys) = (false, false);
        // SAFETY: `dict` is a dict; PyDict_Next lends its keys and values.
        while unsafe { ffi::PyDict_Next(dict, &mut position, &mut key, &mut item) } != 0 {
            if !first {
                self.out.push(b',');
            }
            first = false;
            // SAFETY: `key` is a live object lent by PyDict_Next.
            let exact_int = unsafe { ffi::Py_TYPE(key) == addr_of_mut!(ffi::PyLong_Type) };
            match Kind::of(key)? {
                // A dict with int and str keys may name one property twice: `direct` checks.
                Kind::Str if int_keys => return None,
                Kind::Str => {
                    str_keys = true;
                    self.string(key)?
                }
                // `direct` names an int key by str(key), which a subclass (an IntEnum) may change.
                Kind::Int if exact_int && !str_keys => {
                    int_keys = true;
                    let mut overflow = 0;
                    // SAFETY: `key` is an int lent by PyDict_Next.
                    let int = unsafe { ffi::PyLong_AsLongLongAndOverflow(key, &mut overflow) };
                    if overflow != 0 {
                        return None;
                    }
                    self.out.push(b'"');
                    self.out
                        .extend_from_slice(itoa::Buffer::new().format(int).as_bytes());
                    self.out.push(b'"');
                }
                _ => return None,
            }
            self.out.push(b':');
            self.value(item, depth + 1)?;
        }
        self.out.push(b'}');
        Some(())
    }

    /// A JSON string; the UTF-8 goes through as it is, so only `"`, `\` and controls are escaped.
    fn string(&mut self, s: *mut ffi::PyObject) -> Option<()> {
        // SAFETY: `s` is a live str borrowed from the caller.
        let s = unsafe { Borrowed::from_ptr(self.py, s).cast_unchecked::<PyString>() };
        let bytes = utf8(&s)?;
        if bytes.len() >= LENT_FROM && bytes.is_ascii() {
            // `direct` lends it to V8 without a copy.
            return None;
        }
        if self.out.len() + bytes.len() > v8::String::MAX_LENGTH {
            return None;
        }
        self.out.push(b'"');
        if !bytes
            .iter()
            .any(|&b| b < 0x20 || b == b'"' || b == b'\\' || b >= 0x80)
        {
            self.out.extend_from_slice(bytes);
            self.out.push(b'"');
            return Some(());
        }
        let mut clean = 0;
        for (i, &byte) in bytes.iter().enumerate() {
            match byte {
                b'"' | b'\\' | 0x00..=0x1F => {}
                0x80.. => {
                    self.ascii = false;
                    continue;
                }
                _ => continue,
            }
            self.out.extend_from_slice(&bytes[clean..i]);
            if byte < 0x20 {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                self.out.extend_from_slice(b"\\u00");
                self.out.push(HEX[usize::from(byte >> 4)]);
                self.out.push(HEX[usize::from(byte & 0xF)]);
            } else {
                self.out.push(b'\\');
                self.out.push(byte);
            }
            clean = i + 1;
        }
        self.out.extend_from_slice(&bytes[clean..]);
        self.out.push(b'"');
        Some(())
    }
}

/// The types JSON carries, subclasses included (as `direct` takes them).
enum Kind {
    None,
    True,
    False,
    Int,
    Float,
    Str,
    List,
    Tuple,
    Dict,
}

impl Kind {
    /// The kind of `value`, or None for any other type. Exact types are told by their type
    /// pointer alone; the C API's subclass checks cost a call each.
    fn of(value: *mut ffi::PyObject) -> Option<Kind> {
        // SAFETY: `value` is a live object; the type objects are CPython's statics.
        unsafe {
            let exact = ffi::Py_TYPE(value);
            let kind = if exact == addr_of_mut!(ffi::PyUnicode_Type) {
                Kind::Str
            } else if exact == addr_of_mut!(ffi::PyLong_Type) {
                Kind::Int
            } else if exact == addr_of_mut!(ffi::PyFloat_Type) {
                Kind::Float
            } else if exact == addr_of_mut!(ffi::PyDict_Type) {
                Kind::Dict
            } else if exact == addr_of_mut!(ffi::PyList_Type) {
                Kind::List
            } else if value == ffi::Py_None() {
                Kind::None
            } else if value == ffi::Py_True() {
                Kind::True
            } else if value == ffi::Py_False() {
                Kind::False
            } else if exact == addr_of_mut!(ffi::PyTuple_Type) || ffi::PyTuple_Check(value) != 0 {
                Kind::Tuple
            } else if ffi::PyUnicode_Check(value) != 0 {
                Kind::Str
            } else if ffi::PyLong_Check(value) != 0 {
                Kind::Int
            } else if ffi::PyFloat_Check(value) != 0 {
                Kind::Float
            } else if ffi::PyDict_Check(value) != 0 {
                Kind::Dict
            } else if ffi::PyList_Check(value) != 0 {
                Kind::List
            } else {
                return None;
            };
            Some(kind)
        }
    }
}

/// An int JavaScript holds exactly as a number; None beyond (`direct` makes a BigInt of it).
fn safe_integer(value: *mut ffi::PyObject) -> Option<i64> {
    let mut overflow = 0;
    // SAFETY: `value` is an int.
    let int = unsafe { ffi::PyLong_AsLongLongAndOverflow(value, &mut overflow) };
    (overflow == 0 && (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&int)).then_some(int)
}
