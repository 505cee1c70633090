//! JavaScript to Python through V8's ValueSerializer: V8 walks the value in C++ and writes its
//! structured-clone wire format, which is decoded here straight into Python objects. For large
//! objects and arrays this is several times faster than `direct`, which needs V8 API calls for
//! every property (listing an object's keys through the API is particularly slow).
//!
//! The decoder handles what data is made of: undefined, null, booleans, numbers, BigInts,
//! strings, plain objects, arrays without holes and Dates. On anything else (the serializer
//! refuses functions, symbols, Proxies and Promises; the decoder declines Maps, Sets, buffers,
//! Errors, wrapper objects, RegExps and arrays with holes, which `direct` reads through the
//! prototype chain), on a cycle, on nesting deeper than `MAX_DEPTH` and on any error it gives
//! up, and `direct` converts the value instead. A getter the serializer ran before giving up
//! therefore runs again; one that throws is reported by `direct` with its place. (One difference
//! remains: a getter that deletes a property of its own object not yet read drops that property
//! here, where `direct` gives it None.)
//!
//! The serializer also heeds a pending termination: a timeout that strikes while a result is
//! being converted raises JSTimeoutError even though the JavaScript itself had finished.
//!
//! Format (V8's `value-serializer.cc`): a header `0xFF version`, then one value, each a tag byte
//! and its payload; lengths are base-128 varints. Every object, array and Date gets the next
//! id, and a later occurrence of the same object is written as a reference to its id, which
//! becomes the Python object its first occurrence became (as in `direct`: shared references stay
//! shared).

use std::collections::HashMap;

use deno_core::v8;
use deno_core::v8::ValueSerializerHelper;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyString};
use rustc_hash::FxBuildHasher;

use super::lent::lent_str_equal_to;
use super::{
    date_to_py, datetime_types, exact_integer, int_from_le_bytes, number_to_py, MAX_ARRAY_LENGTH,
    MAX_CACHED_KEYS, MAX_DEPTH,
};
use crate::limits::StopCheck;
use crate::pyffi;
use crate::stack;

/// Whether `value` is worth serializing: objects and arrays, not what the decoder would
/// decline at once.
pub fn worth_trying(value: v8::Local<'_, v8::Value>) -> bool {
    value.is_object()
        && !(value.is_function()
            || value.is_proxy()
            || value.is_promise()
            || value.is_map()
            || value.is_set()
            || value.is_array_buffer()
            || value.is_array_buffer_view()
            || value.is_date()
            || value.is_native_error())
}

/// `value` as Python, or None when `direct` must convert it. Fails only when V8 stopped the
/// serializer (a timeout or Ctrl-C while a getter ran), which the caller reports.
pub fn to_python<'py, 's>(
    py: Python<'py>,
    scope: &mut v8::PinScope<'s, '_>,
    value: v8::Local<'s, v8::Value>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Some(bytes) = serialize(scope, value)? else {
        return Ok(None);
    };
    let _paused = if bytes.len() >= PAUSE_GC_FROM {
        // Imported now, if never before: no Python code may run while the collector is paused.
        datetime_types(py)?;
        Some(GcPause::new(py))
    } else {
        None
    };
    let decoded = Decoder::new(py, &bytes).document();
    if decoded.is_none() {
        // Whatever Python error made the decoder give up: `direct` meets it again, with a place.
        drop(PyErr::take(py));
    }
    Ok(decoded)
}

/// From this size of wire format on, Python's cyclic garbage collector is paused while the
/// objects are made (see `GcPause`).
const PAUSE_GC_FROM: usize = 16 * 1024;

/// Pauses Python's cyclic garbage collector, if it runs, until dropped. Making thousands of
/// dicts and lists triggers a collection every 700 of them, each traversing young objects, and
/// now and then all of them: a third of the time of decoding records. The objects made here
/// cannot form a cycle (the decoder refuses cycles), so pausing defers no garbage; no Python
/// code runs meanwhile to notice, and the collector's counts carry on as usual afterwards.
struct GcPause<'py> {
    /// `gc.enable`, taken before disabling so re-enabling needs no lookup.
    enable: Option<Bound<'py, PyAny>>,
}

impl<'py> GcPause<'py> {
    fn new(py: Python<'py>) -> Self {
        let paused = (|| {
            let gc = py.import("gc")?;
            if !gc.call_method0("isenabled")?.is_truthy()? {
                return Ok::<_, PyErr>(None);
            }
            let enable = gc.getattr("enable")?;
            gc.call_method0("disable")?;
            Ok(Some(enable))
        })();
        GcPause {
            enable: paused.unwrap_or_default(),
        }
    }
}

impl Drop for GcPause<'_> {
    fn drop(&mut self) {
        if let Some(enable) = &self.enable {
            // gc.enable() only sets a flag; it cannot fail.
            let _ = enable.call0();
        }
    }
}

/// The wire format of `value`, or None when the serializer refused it or a getter threw.
fn serialize<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    value: v8::Local<'s, v8::Value>,
) -> PyResult<Option<Vec<u8>>> {
    /// Throws the serializer's own error (the required default); the TryCatch drops it.
    struct Refusal;
    impl v8::ValueSerializerImpl for Refusal {
        fn throw_data_clone_error<'s>(
            &self,
            scope: &mut v8::PinScope<'s, '_>,
            message: v8::Local<'s, v8::String>,
        ) {
            let error = v8::Exception::error(scope, message);
            scope.throw_exception(error);
        }
    }
    v8::tc_scope!(let scope, scope);
    let context = scope.get_current_context();
    let serializer = v8::ValueSerializer::new(scope, Box::new(Refusal));
    serializer.write_header();
    if serializer.write_value(context, value) == Some(true) {
        return Ok(Some(serializer.release()));
    }
    if scope.has_terminated() {
        return Err(pyo3::exceptions::PyRuntimeError::new_err(
            "converting the result was stopped",
        ));
    }
    Ok(None)
}

/// Decodes one serialized value into Python objects. Every method returns None to give up.
struct Decoder<'b, 'py> {
    py: Python<'py>,
    bytes: &'b [u8],
    at: usize,
    /// What each id's object became, once decoded: a reference to it is that same object.
    decoded: Vec<Option<Bound<'py, PyAny>>>,
    /// How many objects and arrays are being decoded, one inside the other.
    depth: usize,
    stop: StopCheck,
    /// Python str for the one-byte property names seen so far: records repeat their names.
    keys: HashMap<&'b [u8], Bound<'py, PyString>, FxBuildHasher>,
    /// The one-byte name last seen at each position in an object: records list their names in
    /// the same order, so most names are found here without hashing.
    by_position: Vec<(&'b [u8], Bound<'py, PyString>)>,
}

impl<'b, 'py> Decoder<'b, 'py> {
    fn new(py: Python<'py>, bytes: &'b [u8]) -> Self {
        Decoder {
            py,
            bytes,
            at: 0,
            decoded: Vec::new(),
            depth: 0,
            stop: StopCheck::default(),
            keys: HashMap::default(),
            by_position: Vec::new(),
        }
    }

    /// The header, one value and nothing after it.
    fn document(mut self) -> Option<Bound<'py, PyAny>> {
        if self.byte()? != 0xFF {
            return None;
        }
        self.varint()?;
        let value = self.value()?;
        (self.at == self.bytes.len()).then_some(value)
    }

    fn value(&mut self) -> Option<Bound<'py, PyAny>> {
        if self.stop.stopped() {
            return None;
        }
        let py = self.py;
        match self.tag()? {
            b'_' | b'0' => Some(py.None().into_bound(py)),
            b'T' => Some(PyBool::new(py, true).to_owned().into_any()),
            b'F' => Some(PyBool::new(py, false).to_owned().into_any()),
            b'I' => self.zigzag()?.into_pyobject(py).ok().map(Bound::into_any),
            b'N' => number_to_py(py, self.double()?).ok(),
            b'Z' => self.bigint(),
            b'"' => {
                let len = self.varint()?;
                latin1(py, self.take(len)?)
            }
            b'c' => {
                let len = self.varint()?;
                utf16(py, self.take(len)?)
            }
            b'o' => self.nested(Self::object),
            b'A' => self.nested(Self::dense_array),
            b'a' => self.nested(Self::sparse_array),
            b'D' => {
                let id = self.new_id();
                let millis = self.double()?;
                let date = date_to_py(py, millis).ok()?;
                let date = date.unwrap_or_else(|| py.None().into_bound(py));
                self.decoded[id] = Some(date.clone());
                Some(date)
            }
            b'^' => self.reference(),
            _ => None,
        }
    }

    /// An object or array: a new id, whose object is known once its contents are decoded.
    fn nested(
        &mut self,
        contents: impl FnOnce(&mut Self) -> Option<Bound<'py, PyAny>>,
    ) -> Option<Bound<'py, PyAny>> {
        if self.depth >= MAX_DEPTH || stack::nearly_full() {
            return None;
        }
        let id = self.new_id();
        self.depth += 1;
        let decoded = contents(self);
        self.depth -= 1;
        self.decoded[id].clone_from(&decoded);
        decoded
    }

    fn new_id(&mut self) -> usize {
        self.decoded.push(None);
        self.decoded.len() - 1
    }

    /// Another occurrence of an object decoded before: the Python object it became. One still
    /// being decoded is a cycle, which `direct` reports.
    fn reference(&mut self) -> Option<Bound<'py, PyAny>> {
        let id = self.varint()? as usize;
        self.decoded.get(id)?.clone()
    }

    /// `o`: properties up to `{` and their count.
    fn object(&mut self) -> Option<Bound<'py, PyAny>> {
        let dict = pyffi::new_dict(self.py).ok()?;
        let mut position = 0;
        while !self.ends_with(b'{')? {
            let key = self.key(position)?;
            position += 1;
            let value = self.value()?;
            pyffi::dict_set(&dict, &key, &value).ok()?;
        }
        self.varint()?;
        Some(dict.into_any())
    }

    /// `A`: length, each element, then the array's other properties (which Python does not
    /// get) up to `$`, their count and the length again. An element written as a hole (`-`; the
    /// array lost elements while it was serialized) is left to `direct`.
    fn dense_array(&mut self) -> Option<Bound<'py, PyAny>> {
        let len = self.varint()? as usize;
        if len > self.bytes.len() - self.at {
            return None;
        }
        let mut items = Vec::with_capacity(len);
        for _ in 0..len {
            if self.ends_with(b'-')? {
                return None;
            }
            items.push(self.value()?);
        }
        self.skip_properties(b'$')?;
        Some(pyffi::list_of(self.py, items).ok()?.into_any())
    }

    /// `a` (an array with holes, or one whose elements V8 keeps in a dictionary): length, then
    /// the present elements and other properties as key and value, up to `@`, their count and
    /// the length again. Only an array with every element present is decoded here.
    fn sparse_array(&mut self) -> Option<Bound<'py, PyAny>> {
        let len = self.varint()? as usize;
        if len > MAX_ARRAY_LENGTH || len > self.bytes.len() - self.at {
            return None;
        }
        let mut items: Vec<Option<Bound<'py, PyAny>>> = vec![None; len];
        let mut present = 0;
        while !self.ends_with(b'@')? {
            let index = match self.name()? {
                Name::Index(i) => usize::try_from(i).ok(),
                Name::OneByte(_) | Name::TwoByte(_) => None,
            };
            let value = self.value()?;
            if let Some(slot) = index.and_then(|i| items.get_mut(i)) {
                present += usize::from(slot.is_none());
                *slot = Some(value);
            }
        }
        self.varint()?;
        self.varint()?;
        if present < len {
            return None;
        }
        Some(
            pyffi::list_of(self.py, items.into_iter().flatten().collect())
                .ok()?
                .into_any(),
        )
    }

    /// Properties after a dense array's elements, decoded (they may hold refused values) and
    /// dropped.
    fn skip_properties(&mut self, end: u8) -> Option<()> {
        while !self.ends_with(end)? {
            self.key(usize::MAX)?;
            self.value()?;
        }
        self.varint()?;
        self.varint()?;
        Some(())
    }

    /// A property name: a string, or a number for an integer index.
    fn name(&mut self) -> Option<Name<'b>> {
        let name = match self.tag()? {
            b'"' => {
                let len = self.varint()?;
                Name::OneByte(self.take(len)?)
            }
            b'c' => {
                let len = self.varint()?;
                Name::TwoByte(self.take(len)?)
            }
            b'I' => Name::Index(i64::from(self.zigzag()?)),
            b'N' => Name::Index(exact_integer(self.double()?)?),
            _ => return None,
        };
        Some(name)
    }

    /// A property name as Python str; `position` is its place in the object.
    fn key(&mut self, position: usize) -> Option<Bound<'py, PyString>> {
        let py = self.py;
        let bytes = match self.name()? {
            Name::OneByte(bytes) => bytes,
            Name::TwoByte(bytes) => return utf16(py, bytes)?.cast_into::<PyString>().ok(),
            Name::Index(i) => return Some(PyString::new(py, &i.to_string())),
        };
        if let Some((seen, name)) = self.by_position.get(position) {
            if *seen == bytes {
                return Some(name.clone());
            }
        }
        let name = match self.keys.get(bytes) {
            Some(name) => name.clone(),
            None => {
                let name = latin1(py, bytes)?.cast_into::<PyString>().ok()?;
                if self.keys.len() < MAX_CACHED_KEYS {
                    self.keys.insert(bytes, name.clone());
                }
                name
            }
        };
        if position < self.by_position.len() {
            self.by_position[position] = (bytes, name.clone());
        } else if position == self.by_position.len() && position < MAX_CACHED_KEYS {
            self.by_position.push((bytes, name.clone()));
        }
        Some(name)
    }

    /// `Z`: sign and byte length in one varint, then the magnitude, little-endian.
    fn bigint(&mut self) -> Option<Bound<'py, PyAny>> {
        let bitfield = self.varint()?;
        let digits = self.take(bitfield >> 1)?;
        int_from_le_bytes(self.py, digits, bitfield & 1 == 1).ok()
    }

    /// Consumes `end` if it is the next tag.
    fn ends_with(&mut self, end: u8) -> Option<bool> {
        self.skip_padding();
        let done = *self.bytes.get(self.at)? == end;
        if done {
            self.at += 1;
        }
        Some(done)
    }

    /// The next tag, skipping the padding V8 puts before two-byte strings.
    fn tag(&mut self) -> Option<u8> {
        self.skip_padding();
        self.byte()
    }

    fn skip_padding(&mut self) {
        while self.bytes.get(self.at) == Some(&0) {
            self.at += 1;
        }
    }

    fn byte(&mut self) -> Option<u8> {
        let byte = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(byte)
    }

    fn take(&mut self, len: u32) -> Option<&'b [u8]> {
        let end = self.at.checked_add(len as usize)?;
        let taken = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(taken)
    }

    fn varint(&mut self) -> Option<u32> {
        let mut value: u32 = 0;
        for shift in (0..35).step_by(7) {
            let byte = self.byte()?;
            value |= u32::from(byte & 0x7F).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn zigzag(&mut self) -> Option<i32> {
        let raw = self.varint()?;
        Some(((raw >> 1) as i32) ^ -((raw & 1) as i32))
    }

    fn double(&mut self) -> Option<f64> {
        let bytes = self.take(8)?;
        Some(f64::from_le_bytes(bytes.try_into().ok()?))
    }
}

/// A property name as the serializer writes it.
enum Name<'b> {
    /// Latin-1 characters.
    OneByte(&'b [u8]),
    /// UTF-16 code units, little-endian.
    TwoByte(&'b [u8]),
    /// An integer index.
    Index(i64),
}

/// A one-byte (Latin-1) string; one v8ctx lent to V8 comes back as the very str it was.
fn latin1<'py>(py: Python<'py>, bytes: &[u8]) -> Option<Bound<'py, PyAny>> {
    if let Some(lent) = lent_str_equal_to(py, bytes) {
        return Some(lent.into_any());
    }
    pyffi::str_from_latin1(py, bytes).ok().map(Bound::into_any)
}

/// A two-byte string (UTF-16, little-endian); lone surrogates stay, as in `direct`.
fn utf16<'py>(py: Python<'py>, bytes: &[u8]) -> Option<Bound<'py, PyAny>> {
    pyffi::str_from_utf16(py, bytes).ok().map(Bound::into_any)
}
