//! The reference conversion: value by value through the V8 API. It converts everything the
//! mapping covers and names the place of every error (see the module above).

use std::collections::HashMap;

use deno_core::v8;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    IntoPyDict, PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList,
    PyMemoryView, PySet, PyString, PyTuple,
};

use super::lent::{self, MIN_LENT_LEN};
use super::{
    date_to_py, datetime_types, int_from_le_bytes, number_to_py, Path, Segment, MAX_ARRAY_LENGTH,
    MAX_CACHED_KEYS, MAX_DEPTH, MAX_SAFE_INTEGER,
};
use crate::limits::StopCheck;
use crate::pyffi;
use crate::stack;

/// Converts a Python value to JavaScript; `path` names it in errors.
pub fn to_js<'s>(
    scope: &v8::PinScope<'s, '_>,
    value: &Bound<'_, PyAny>,
    path: &mut Path,
) -> PyResult<v8::Local<'s, v8::Value>> {
    let mut containers = Vec::new();
    PyToJs {
        scope,
        path,
        containers: &mut containers,
        keys: HashMap::new(),
        converted: HashMap::new(),
        stop: StopCheck::default(),
    }
    .convert(value)
}

struct PyToJs<'a, 's, 'i> {
    scope: &'a v8::PinScope<'s, 'i>,
    path: &'a mut Path,
    /// The containers being converted, outermost first, to detect cycles.
    containers: &'a mut Vec<*mut pyo3::ffi::PyObject>,
    /// JavaScript names of the str dict keys seen so far. Records usually share key objects
    /// (Python interns them), so each name is made and internalized once per conversion. The
    /// keys stay alive meanwhile: their dicts are referenced by what is being converted.
    keys: HashMap<*mut pyo3::ffi::PyObject, v8::Local<'s, v8::String>>,
    /// The containers converted so far: one referenced again becomes the same JavaScript object,
    /// so shared references stay shared (and `x = [x, x]` forty times over stays linear).
    converted: HashMap<*mut pyo3::ffi::PyObject, v8::Local<'s, v8::Value>>,
    stop: StopCheck,
}

impl<'s> PyToJs<'_, 's, '_> {
    fn convert(&mut self, value: &Bound<'_, PyAny>) -> PyResult<v8::Local<'s, v8::Value>> {
        let scope = self.scope;
        if self.stop.stopped() {
            return Err(stopped());
        }
        if value.is_none() {
            return Ok(v8::null(scope).into());
        }
        if let Ok(b) = value.cast::<PyBool>() {
            return Ok(v8::Boolean::new(scope, b.is_true()).into());
        }
        if let Ok(i) = value.cast::<PyInt>() {
            return self.int(i);
        }
        if let Ok(f) = value.cast::<PyFloat>() {
            return Ok(v8::Number::new(scope, f.value()).into());
        }
        if let Ok(s) = value.cast::<PyString>() {
            return string_to_js(scope, s, v8::NewStringType::Normal).map(Into::into);
        }
        if let Ok(list) = value.cast::<PyList>() {
            return self.nested(value, |this| this.array(list.iter()));
        }
        if let Ok(tuple) = value.cast::<PyTuple>() {
            return self.nested(value, |this| this.array(tuple.iter()));
        }
        if let Ok(dict) = value.cast::<PyDict>() {
            return self.nested(value, |this| this.dict(dict));
        }
        if value.is_instance_of::<PyBytes>()
            || value.is_instance_of::<PyByteArray>()
            || value.is_instance_of::<PyMemoryView>()
        {
            // The storage itself, not what a subclass's `__bytes__` says.
            let data: Vec<u8> = if let Ok(b) = value.cast::<PyBytes>() {
                b.as_bytes().to_vec()
            } else if let Ok(b) = value.cast::<PyByteArray>() {
                b.to_vec()
            } else {
                value
                    .py()
                    .import("builtins")?
                    .getattr("bytes")?
                    .call1((value,))?
                    .cast_into::<PyBytes>()?
                    .as_bytes()
                    .to_vec()
            };
            let len = data.len();
            let store = v8::ArrayBuffer::new_backing_store_from_vec(data).make_shared();
            let buffer = v8::ArrayBuffer::with_backing_store(scope, &store);
            return v8::Uint8Array::new(scope, buffer, 0, len)
                .map(Into::into)
                .ok_or_else(|| self.failed("bytes"));
        }
        if value.is_instance_of::<PySet>() || value.is_instance_of::<PyFrozenSet>() {
            return self.nested(value, |this| {
                let set = v8::Set::new(scope);
                let mut members = 0;
                for (i, item) in value.try_iter()?.enumerate() {
                    let item = this.item(Segment::Index(i), &item?)?;
                    set.add(scope, item).ok_or_else(|| this.failed("set"))?;
                    members += 1;
                }
                // Python tells NaNs apart by identity; a JavaScript Set holds one NaN.
                if set.size() != members {
                    return Err(PyValueError::new_err(format!(
                        "the set at {} holds members JavaScript counts as one (two NaNs); one \
                         would be lost",
                        this.path.render()
                    )));
                }
                Ok(set.into())
            });
        }
        let py = value.py();
        let types = datetime_types(py)?;
        if value.is_instance(types.datetime.bind(py))? {
            let aware = if value.getattr("tzinfo")?.is_none() {
                let utc = [("tzinfo", types.utc.bind(py))].into_py_dict(py)?;
                value.call_method("replace", (), Some(&utc))?
            } else {
                value.clone()
            };
            // Whole milliseconds since the epoch, exactly (timestamp() is a float).
            let millis: f64 = aware
                .sub(types.epoch.bind(py))?
                .floor_div(types.millisecond.bind(py))?
                .extract()?;
            return v8::Date::new(scope, millis)
                .map(Into::into)
                .ok_or_else(|| self.failed("datetime"));
        }
        if let Ok(function) = value.cast::<crate::function::JsFunction>() {
            return crate::function::to_js(scope, function.get());
        }
        Err(PyTypeError::new_err(format!(
            "cannot convert {} at {} to JavaScript",
            value.get_type().name()?,
            self.path.render()
        )))
    }

    fn item(
        &mut self,
        segment: Segment,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<v8::Local<'s, v8::Value>> {
        self.path.segments.push(segment);
        let converted = self.convert(value)?;
        self.path.segments.pop();
        Ok(converted)
    }

    /// Converts a container, refusing cycles and runaway depth.
    fn nested(
        &mut self,
        value: &Bound<'_, PyAny>,
        convert: impl FnOnce(&mut Self) -> PyResult<v8::Local<'s, v8::Value>>,
    ) -> PyResult<v8::Local<'s, v8::Value>> {
        let ptr = value.as_ptr();
        if self.containers.contains(&ptr) {
            return Err(PyValueError::new_err(format!(
                "{} contains itself (a reference cycle), which JavaScript values cannot express",
                self.path.render()
            )));
        }
        if let Some(done) = self.converted.get(&ptr) {
            return Ok(*done);
        }
        if self.containers.len() >= MAX_DEPTH || stack::nearly_full() {
            return Err(self.path.too_deep(self.containers.len()));
        }
        self.containers.push(ptr);
        let converted = convert(self);
        self.containers.pop();
        let converted = converted?;
        self.converted.insert(ptr, converted);
        Ok(converted)
    }

    fn array<'py>(
        &mut self,
        items: impl Iterator<Item = Bound<'py, PyAny>>,
    ) -> PyResult<v8::Local<'s, v8::Value>> {
        let items = items
            .enumerate()
            .map(|(i, item)| self.item(Segment::Index(i), &item))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(v8::Array::new_with_elements(self.scope, &items).into())
    }

    fn dict(&mut self, dict: &Bound<'_, PyDict>) -> PyResult<v8::Local<'s, v8::Value>> {
        let scope = self.scope;
        let object = v8::Object::new(scope);
        // Only an int key, or a key of a str subclass, can name the same property as another key
        // (1 and "1"; two objects of one text that the subclass tells apart).
        let mut may_merge = false;
        let len = dict.len();
        let mut position = 0;
        loop {
            // A conversion hook may change the dict; Python's own iteration refuses that too.
            if dict.len() != len {
                return Err(PyRuntimeError::new_err(format!(
                    "the dict at {} changed size while it was converted",
                    self.path.render()
                )));
            }
            let Some((key, item)) = pyffi::dict_next_owned(dict, &mut position) else {
                break;
            };
            let js_key = if let Ok(s) = key.cast::<PyString>() {
                may_merge |= !s.is_exact_instance_of::<PyString>();
                match self.keys.get(&key.as_ptr()) {
                    Some(name) => *name,
                    None => {
                        let name = string_to_js(scope, s, v8::NewStringType::Internalized)?;
                        if self.keys.len() < MAX_CACHED_KEYS {
                            self.keys.insert(key.as_ptr(), name);
                        }
                        name
                    }
                }
            } else if key.is_instance_of::<PyInt>() && !key.is_instance_of::<PyBool>() {
                may_merge = true;
                string_to_js(scope, &key.str()?, v8::NewStringType::Internalized)?
            } else {
                return Err(PyTypeError::new_err(format!(
                    "dict key {} at {} is a {}; JavaScript object keys must be str or int",
                    key.repr()?,
                    self.path.render(),
                    key.get_type().name()?
                )));
            };
            let value = self.item(Segment::Key(key.unbind()), &item)?;
            object
                .create_data_property(scope, js_key.into(), value)
                .ok_or_else(|| self.failed("dict"))?;
        }
        if may_merge && own_property_count(scope, object) != dict.len() {
            return Err(self.merged_keys(dict));
        }
        Ok(object.into())
    }

    /// The error for a dict two of whose keys name one property (`{1: "a", "1": "b"}`).
    fn merged_keys(&self, dict: &Bound<'_, PyDict>) -> PyErr {
        let mut names: HashMap<String, Bound<'_, PyAny>> = HashMap::new();
        for key in dict.keys() {
            let name = match key.cast::<PyString>() {
                Ok(s) => s.to_string_lossy().into_owned(),
                Err(_) => key.str().map(|s| s.to_string()).unwrap_or_default(),
            };
            if let Some(first) = names.get(&name) {
                return PyValueError::new_err(format!(
                    "dict keys {} and {} at {} both become the JavaScript property {name:?}; \
                     one would be lost",
                    first.repr().map(|r| r.to_string()).unwrap_or_default(),
                    key.repr().map(|r| r.to_string()).unwrap_or_default(),
                    self.path.render()
                ));
            }
            names.insert(name, key);
        }
        PyValueError::new_err(format!(
            "two keys of the dict at {} name the same JavaScript property",
            self.path.render()
        ))
    }

    fn int(&self, int: &Bound<'_, PyInt>) -> PyResult<v8::Local<'s, v8::Value>> {
        let scope = self.scope;
        if let Ok(i) = int.extract::<i64>() {
            if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&i) {
                return Ok(v8::Number::new(scope, i as f64).into());
            }
        }
        // Beyond 2**53 a number would silently lose digits: a BigInt keeps them all. The words
        // are read from an exact int, so that no method of a subclass can change them.
        let int = pyffi::exact_int(int)?;
        let negative = int.lt(0)?;
        let magnitude = if negative {
            int.neg()?
        } else {
            int.clone().into_any()
        };
        let bits: usize = magnitude.call_method0("bit_length")?.extract()?;
        let len = bits.div_ceil(64) * 8;
        let bytes = magnitude.call_method1("to_bytes", (len, "little"))?;
        let bytes = bytes.cast::<PyBytes>()?.as_bytes();
        let words: Vec<u64> = bytes
            .chunks(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("to_bytes pads to whole words")))
            .collect();
        v8::BigInt::new_from_words(scope, negative, &words)
            .map(Into::into)
            .ok_or_else(|| self.failed("int"))
    }

    fn failed(&self, what: &str) -> PyErr {
        PyValueError::new_err(format!(
            "V8 could not create the {what} at {}",
            self.path.render()
        ))
    }
}

/// A Python str as a JavaScript string; lone surrogates (which UTF-8 cannot carry) go as UTF-16.
///
/// Small strs go through the UTF-8 CPython caches in the str. A large non-ASCII one goes through
/// a temporary Latin-1 or UTF-16 copy instead: the cache would stay attached to the str for its
/// whole life, one to three times its size (a 200 MB str of "é" kept 400 MB more).
pub fn string_to_js<'s>(
    scope: &v8::PinScope<'s, '_>,
    s: &Bound<'_, PyString>,
    kind: v8::NewStringType,
) -> PyResult<v8::Local<'s, v8::String>> {
    // The text itself, not what a subclass's `__len__`, `isascii` or `encode` say.
    let exact;
    let s = match s.is_exact_instance_of::<PyString>() {
        true => s,
        false => {
            exact = pyffi::exact_str(s)?;
            &exact
        }
    };
    let large = s.len()? >= MIN_LENT_LEN;
    let created = if large && !s.call_method0("isascii")?.is_truthy()? {
        match s.call_method1("encode", ("latin-1",)) {
            Ok(latin1) => {
                v8::String::new_from_one_byte(scope, latin1.cast::<PyBytes>()?.as_bytes(), kind)
            }
            Err(_) => two_byte_string(scope, s, kind)?,
        }
    } else {
        match pyffi::utf8(s) {
            // ASCII is already Latin-1: V8 copies it without decoding UTF-8.
            Some(bytes) if bytes.is_ascii() => (large && matches!(kind, v8::NewStringType::Normal))
                .then(|| lent::lend(scope, s, bytes))
                .flatten()
                .or_else(|| v8::String::new_from_one_byte(scope, bytes, kind)),
            Some(bytes) => v8::String::new_from_utf8(scope, bytes, kind),
            None => two_byte_string(scope, s, kind)?,
        }
    };
    created.ok_or_else(|| {
        PyValueError::new_err("string too long for JavaScript (V8's limit is about 512 MB)")
    })
}

/// A str as a UTF-16 JavaScript string; lone surrogates stay (None: V8 could not make it).
fn two_byte_string<'s>(
    scope: &v8::PinScope<'s, '_>,
    s: &Bound<'_, PyString>,
    kind: v8::NewStringType,
) -> PyResult<Option<v8::Local<'s, v8::String>>> {
    let utf16 = match s.call_method1("encode", ("utf-16-le",)) {
        Ok(utf16) => utf16,
        // Surrogate code points: a high and a low one in a row would read as one character in
        // UTF-16, which must not happen silently.
        Err(_) => {
            let utf16 = s.call_method1("encode", ("utf-16-le", "surrogatepass"))?;
            let decoded = pyffi::str_from_utf16(s.py(), utf16.cast::<PyBytes>()?.as_bytes())?;
            if !decoded.as_any().eq(s.as_any())? {
                return Err(PyValueError::new_err(format!(
                    "the str {} holds a surrogate pair as two code points, which JavaScript \
                     would read as the one character they encode; decode it first \
                     (s.encode('utf-16', 'surrogatepass').decode('utf-16'))",
                    truncated_repr(s)
                )));
            }
            utf16
        }
    };
    let units: Vec<u16> = utf16
        .cast::<PyBytes>()?
        .as_bytes()
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    Ok(v8::String::new_from_two_byte(scope, &units, kind))
}

/// The error of a conversion its operation stopped (the operation raises the stop's own error).
fn stopped() -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err("the conversion was stopped with its operation")
}

/// How many own properties `object` has (all of them: a dict's keys are plain data properties).
fn own_property_count(scope: &v8::PinScope<'_, '_>, object: v8::Local<'_, v8::Object>) -> usize {
    let args = v8::GetPropertyNamesArgs {
        mode: v8::KeyCollectionMode::OwnOnly,
        property_filter: v8::PropertyFilter::ALL_PROPERTIES,
        index_filter: v8::IndexFilter::IncludeIndices,
        key_conversion: v8::KeyConversionMode::KeepNumbers,
    };
    object
        .get_own_property_names(scope, args)
        .map_or(0, |names| names.length() as usize)
}

/// `repr(s)`, cut to about 60 characters for an error message.
fn truncated_repr(s: &Bound<'_, PyString>) -> String {
    let repr = s.repr().map(|r| r.to_string()).unwrap_or_default();
    match repr.char_indices().nth(60) {
        Some((end, _)) => format!("{}...", &repr[..end]),
        None => repr,
    }
}

// ---------------------------------------------------------------------------------------------
// JavaScript to Python

/// Converts a JavaScript value to Python; `root` names it in errors ("result").
/// Run it under a TryCatch: getters and Proxy traps it reads may throw.
pub fn to_python<'py, 's>(
    py: Python<'py>,
    scope: &v8::PinScope<'s, '_>,
    value: v8::Local<'s, v8::Value>,
    root: &'static str,
) -> PyResult<Bound<'py, PyAny>> {
    let mut objects = Vec::new();
    let mut path = Path::new(root);
    JsToPy {
        py,
        scope,
        path: &mut path,
        objects: &mut objects,
        keys: HashMap::new(),
        converted: HashMap::new(),
        stop: StopCheck::default(),
    }
    .convert(value)
}

/// A JavaScript object and the Python object it became.
type Converted<'s, 'py> = (v8::Local<'s, v8::Object>, Bound<'py, PyAny>);

struct JsToPy<'a, 'py, 's, 'i> {
    py: Python<'py>,
    scope: &'a v8::PinScope<'s, 'i>,
    path: &'a mut Path,
    /// The objects being converted, outermost first (identity hash, object), to detect cycles.
    objects: &'a mut Vec<(i32, v8::Local<'s, v8::Object>)>,
    /// Python str for the property names seen so far, by name hash: records share their names,
    /// and dicts sharing key objects are smaller and faster to fill.
    keys: HashMap<i32, (v8::Local<'s, v8::Value>, Bound<'py, PyString>)>,
    /// The objects converted so far, by identity hash: one referenced again becomes the same
    /// Python object, so shared references stay shared (and a doubling structure stays linear).
    converted: HashMap<i32, Vec<Converted<'s, 'py>>>,
    stop: StopCheck,
}

impl<'py, 's> JsToPy<'_, 'py, 's, '_> {
    fn convert(&mut self, value: v8::Local<'s, v8::Value>) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        let scope = self.scope;
        if self.stop.stopped() {
            return Err(stopped());
        }
        if let Ok(s) = v8::Local::<v8::String>::try_from(value) {
            return Ok(string_to_py(py, scope, s)?.into_any());
        }
        if value.is_int32() {
            let i = value.int32_value(scope).unwrap_or_default();
            return Ok(i.into_pyobject(py)?.into_any());
        }
        if value.is_number() {
            let f = value.number_value(scope).unwrap_or(f64::NAN);
            return number_to_py(py, f);
        }
        if value.is_boolean() {
            return Ok(PyBool::new(py, value.is_true()).to_owned().into_any());
        }
        if let Ok(function) = v8::Local::<v8::Function>::try_from(value) {
            return crate::function::to_python(py, scope, function).map_err(|err| {
                PyTypeError::new_err(format!("{} (at {})", err.value(py), self.path.render()))
            });
        }
        if value.is_null_or_undefined() || value.is_symbol() {
            return Ok(py.None().into_bound(py));
        }
        if value.is_big_int() {
            let big = value
                .to_big_int(scope)
                .ok_or_else(|| self.failed("BigInt"))?;
            return bigint_to_py(py, &big);
        }
        if value.is_array_buffer_view() {
            let view = v8::Local::<v8::ArrayBufferView>::try_from(value)
                .map_err(|_| self.failed("TypedArray"))?;
            return Ok(PyBytes::new_with(py, view.byte_length(), |dest| {
                view.copy_contents(dest);
                Ok(())
            })?
            .into_any());
        }
        if value.is_array_buffer() || value.is_shared_array_buffer() {
            let store = if let Ok(buffer) = v8::Local::<v8::ArrayBuffer>::try_from(value) {
                buffer.get_backing_store()
            } else {
                v8::Local::<v8::SharedArrayBuffer>::try_from(value)
                    .map_err(|_| self.failed("SharedArrayBuffer"))?
                    .get_backing_store()
            };
            let bytes: Vec<u8> = store.iter().map(|cell| cell.get()).collect();
            return Ok(PyBytes::new(py, &bytes).into_any());
        }
        if value.is_date() {
            let date = v8::Local::<v8::Date>::try_from(value).map_err(|_| self.failed("Date"))?;
            let converted = date_to_py(py, date.value_of()).map_err(|_| {
                PyValueError::new_err(format!(
                    "the Date at {} is outside the range of Python's datetime (years 1 to 9999)",
                    self.path.render()
                ))
            })?;
            return Ok(converted.unwrap_or_else(|| py.None().into_bound(py)));
        }
        if value.is_promise() {
            return Ok(py.None().into_bound(py));
        }
        let object = value
            .to_object(scope)
            .ok_or_else(|| self.failed("object"))?;
        self.nested(object, |this| {
            if let Ok(array) = v8::Local::<v8::Array>::try_from(value) {
                return this.array(array);
            }
            if let Ok(map) = v8::Local::<v8::Map>::try_from(value) {
                return this.map(map);
            }
            if let Ok(set) = v8::Local::<v8::Set>::try_from(value) {
                return this.set(set);
            }
            if value.is_native_error() {
                return this.error(object);
            }
            this.object(object)
        })
    }

    fn nested(
        &mut self,
        object: v8::Local<'s, v8::Object>,
        convert: impl FnOnce(&mut Self) -> PyResult<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let hash = object.get_identity_hash().get();
        if self
            .objects
            .iter()
            .any(|(h, o)| *h == hash && o.strict_equals(object.into()))
        {
            return Err(PyValueError::new_err(format!(
                "{} contains itself (a reference cycle), which Python values cannot express",
                self.path.render()
            )));
        }
        let done = self.converted.get(&hash).and_then(|same_hash| {
            same_hash
                .iter()
                .find(|(o, _)| o.strict_equals(object.into()))
        });
        if let Some((_, done)) = done {
            return Ok(done.clone());
        }
        if self.objects.len() >= MAX_DEPTH || stack::nearly_full() {
            return Err(self.path.too_deep(self.objects.len()));
        }
        self.objects.push((hash, object));
        let converted = convert(self);
        self.objects.pop();
        let converted = converted?;
        self.converted
            .entry(hash)
            .or_default()
            .push((object, converted.clone()));
        Ok(converted)
    }

    fn item(
        &mut self,
        segment: Segment,
        value: v8::Local<'s, v8::Value>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.path.segments.push(segment);
        let converted = self.convert(value)?;
        self.path.segments.pop();
        Ok(converted)
    }

    fn array(&mut self, array: v8::Local<'s, v8::Array>) -> PyResult<Bound<'py, PyAny>> {
        let length = array.length();
        if length as usize > MAX_ARRAY_LENGTH {
            return Err(PyValueError::new_err(format!(
                "the Array at {} has length {length}: longer than any Array with its elements \
                 in place can be ({MAX_ARRAY_LENGTH}), so it is almost all holes, and a list of \
                 that many items would exhaust memory",
                self.path.render()
            )));
        }
        let list = PyList::empty(self.py);
        for i in 0..array.length() {
            self.path.segments.push(Segment::Index(i as usize));
            let item = array
                .get_index(self.scope, i)
                .ok_or_else(|| self.read_failed())?;
            list.append(self.convert(item)?)?;
            self.path.segments.pop();
        }
        Ok(list.into_any())
    }

    fn map(&mut self, map: v8::Local<'s, v8::Map>) -> PyResult<Bound<'py, PyAny>> {
        let dict = PyDict::new(self.py);
        let pairs = map.as_array(self.scope);
        for i in (0..pairs.length()).step_by(2) {
            let key = pairs
                .get_index(self.scope, i)
                .ok_or_else(|| self.read_failed())?;
            let value = pairs
                .get_index(self.scope, i + 1)
                .ok_or_else(|| self.read_failed())?;
            let key = self.item(Segment::Index(i as usize / 2), key)?;
            let value = self.item(Segment::Key(key.clone().unbind()), value)?;
            let before = dict.len();
            dict.set_item(&key, value)
                .map_err(|e| self.unhashable(e, "Map key"))?;
            if dict.len() == before {
                // The dict kept the first of the two keys.
                let first = dict.keys().iter().find(|k| k.eq(&key).unwrap_or(false));
                return Err(self.equal_in_python("Map keys", first.as_ref().unwrap_or(&key), &key));
            }
        }
        Ok(dict.into_any())
    }

    fn set(&mut self, set: v8::Local<'s, v8::Set>) -> PyResult<Bound<'py, PyAny>> {
        let out = PySet::empty(self.py)?;
        let members = set.as_array(self.scope);
        for i in 0..members.length() {
            let member = members
                .get_index(self.scope, i)
                .ok_or_else(|| self.read_failed())?;
            let member = self.item(Segment::Index(i as usize), member)?;
            let before = out.len();
            out.add(&member)
                .map_err(|e| self.unhashable(e, "Set member"))?;
            if out.len() == before {
                let first = out.iter().find(|m| m.eq(&member).unwrap_or(false));
                return Err(self.equal_in_python(
                    "Set members",
                    first.as_ref().unwrap_or(&member),
                    &member,
                ));
            }
        }
        Ok(out.into_any())
    }

    fn error(&mut self, error: v8::Local<'s, v8::Object>) -> PyResult<Bound<'py, PyAny>> {
        let dict = PyDict::new(self.py);
        for name in ["name", "message", "stack"] {
            let key = v8::String::new(self.scope, name).ok_or_else(|| self.failed("key"))?;
            let value = error
                .get(self.scope, key.into())
                .ok_or_else(|| self.read_failed())?;
            let segment = Segment::Key(PyString::new(self.py, name).into_any().unbind());
            dict.set_item(name, self.item(segment, value)?)?;
        }
        Ok(dict.into_any())
    }

    fn object(&mut self, object: v8::Local<'s, v8::Object>) -> PyResult<Bound<'py, PyAny>> {
        let scope = self.scope;
        let dict = PyDict::new(self.py);
        let names = object
            .get_own_property_names(
                scope,
                v8::GetPropertyNamesArgs {
                    mode: v8::KeyCollectionMode::OwnOnly,
                    property_filter: v8::PropertyFilter::ONLY_ENUMERABLE
                        | v8::PropertyFilter::SKIP_SYMBOLS,
                    index_filter: v8::IndexFilter::IncludeIndices,
                    key_conversion: v8::KeyConversionMode::ConvertToString,
                },
            )
            .ok_or_else(|| self.read_failed())?;
        for i in 0..names.length() {
            let key = names
                .get_index(scope, i)
                .ok_or_else(|| self.read_failed())?;
            let name = self.key(key)?;
            self.path
                .segments
                .push(Segment::Key(name.clone().into_any().unbind()));
            let value = object.get(scope, key).ok_or_else(|| self.read_failed())?;
            let converted = self.convert(value)?;
            self.path.segments.pop();
            dict.set_item(name, converted)?;
        }
        Ok(dict.into_any())
    }

    /// A property name (a string, as own-property names are converted) as a Python str.
    fn key(&mut self, key: v8::Local<'s, v8::Value>) -> PyResult<Bound<'py, PyString>> {
        let name = v8::Local::<v8::String>::try_from(key).map_err(|_| self.failed("key"))?;
        let hash = name.get_identity_hash().get();
        if let Some((cached, py_name)) = self.keys.get(&hash) {
            if *cached == key {
                return Ok(py_name.clone());
            }
        }
        let py_name = string_to_py(self.py, self.scope, name)?;
        if self.keys.len() < MAX_CACHED_KEYS {
            self.keys.insert(hash, (key, py_name.clone()));
        }
        Ok(py_name)
    }

    /// The error for two distinct JavaScript keys or members that are equal in Python (`1` and
    /// `true`, `1` and `1.0`), of which a dict or set would keep one.
    fn equal_in_python(
        &self,
        what: &str,
        first: &Bound<'_, PyAny>,
        second: &Bound<'_, PyAny>,
    ) -> PyErr {
        let repr = |v: &Bound<'_, PyAny>| v.repr().map(|r| r.to_string()).unwrap_or_default();
        PyValueError::new_err(format!(
            "the {what} {} and {} at {} are distinct in JavaScript but equal in Python; one \
             would be lost",
            repr(first),
            repr(second),
            self.path.render()
        ))
    }

    fn unhashable(&self, err: PyErr, what: &str) -> PyErr {
        PyTypeError::new_err(format!(
            "a {what} at {} cannot be a Python dict key or set member: {err}",
            self.path.render()
        ))
    }

    fn read_failed(&self) -> PyErr {
        PyValueError::new_err(format!(
            "reading {} threw in JavaScript (a getter or Proxy trap)",
            self.path.render()
        ))
    }

    fn failed(&self, what: &str) -> PyErr {
        PyValueError::new_err(format!(
            "could not convert the {what} at {}",
            self.path.render()
        ))
    }
}

/// A JavaScript string as a Python str; Latin-1 strings are copied without transcoding. Lone
/// surrogates stay lone surrogates (`pyffi::str_from_utf16`).
fn string_to_py<'py>(
    py: Python<'py>,
    scope: &v8::PinScope<'_, '_>,
    s: v8::Local<'_, v8::String>,
) -> PyResult<Bound<'py, PyString>> {
    if !s.is_onebyte() {
        let mut utf16 = vec![0u16; s.length()];
        s.write_v2(scope, 0, &mut utf16, v8::WriteFlags::empty());
        #[cfg(target_endian = "little")]
        // SAFETY: the same memory seen as bytes: u16 has no padding, and on a little-endian
        // machine its bytes are the UTF-16-LE encoding.
        let bytes =
            unsafe { std::slice::from_raw_parts(utf16.as_ptr().cast::<u8>(), utf16.len() * 2) };
        #[cfg(target_endian = "big")]
        let bytes = &utf16
            .iter()
            .flat_map(|unit| unit.to_le_bytes())
            .collect::<Vec<u8>>();
        return pyffi::str_from_utf16(py, bytes);
    }
    if let Some(lent) = lent::lent_str(py, &s) {
        return Ok(lent);
    }
    thread_local! {
        /// Reused for every Latin-1 copy on the thread, so a large string costs no fresh pages.
        static LATIN1: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    LATIN1.with(|buffer| {
        let mut latin1 = buffer.borrow_mut();
        latin1.resize(s.length(), 0);
        s.write_one_byte_v2(scope, 0, &mut latin1, v8::WriteFlags::empty());
        let created = pyffi::str_from_latin1(py, &latin1);
        if latin1.capacity() > MIN_LENT_LEN * 16 {
            // Keep the thread's buffer from pinning a huge one-off string's worth of memory.
            *latin1 = Vec::new();
        }
        created
    })
}

fn bigint_to_py<'py>(
    py: Python<'py>,
    big: &v8::Local<'_, v8::BigInt>,
) -> PyResult<Bound<'py, PyAny>> {
    if let (value, true) = big.i64_value() {
        return Ok(value.into_pyobject(py)?.into_any());
    }
    let mut words = vec![0u64; big.word_count()];
    let (negative, words) = big.to_words_array(&mut words);
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    int_from_le_bytes(py, &bytes, negative)
}
