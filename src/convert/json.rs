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

use deno_core::v8;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt, PyString};
use pyo3::Borrowed;
use rustc_hash::FxBuildHasher;

use super::lent::MIN_LENT_LEN as LENT_FROM;
use super::{exact_integer, MAX_DEPTH, MAX_SAFE_INTEGER};
use crate::limits::StopCheck;
use crate::pyffi::{self, Builtin};
use crate::stack;

/// The JSON text being written and the containers met, reused by every conversion on the
/// thread: growing them anew took a tenth of the time of converting 10,000 records.
#[derive(Default)]
struct Buffers {
    text: Vec<u8>,
    containers: HashSet<usize, FxBuildHasher>,
}

thread_local! {
    static BUFFERS: RefCell<Buffers> = RefCell::default();
}

/// A text buffer that grew past this is not kept for the next conversion.
const KEPT_CAPACITY: usize = 4 << 20;

/// Nor is a set of containers that grew past this.
const KEPT_CONTAINERS: usize = 1 << 16;

/// `value` (a list, tuple or dict) as JavaScript, or None when `direct` must convert it.
pub fn to_js<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    value: &Bound<'_, PyAny>,
) -> Option<v8::Local<'s, v8::Value>> {
    BUFFERS.with(|buffers| {
        let mut buffers = buffers.try_borrow_mut().ok()?;
        let Buffers { text, containers } = &mut *buffers;
        text.clear();
        containers.clear();
        let mut encoder = Encoder {
            out: text,
            ascii: true,
            containers,
            stop: StopCheck::default(),
        };
        let written = encoder.value(value.as_borrowed(), 0);
        let ascii = encoder.ascii;
        let parsed = written.and_then(|()| parse(scope, text, ascii));
        if text.capacity() > KEPT_CAPACITY {
            *text = Vec::new();
        }
        if containers.capacity() > KEPT_CONTAINERS {
            *containers = HashSet::default();
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

struct Encoder<'a> {
    out: &'a mut Vec<u8>,
    /// Whether the text is all ASCII so far: V8 then takes it as Latin-1 without decoding.
    ascii: bool,
    /// The containers written so far, by address: JSON cannot say that two places hold one
    /// object, so a container met twice gives up to `direct`, which keeps it shared.
    containers: &'a mut HashSet<usize, FxBuildHasher>,
    stop: StopCheck,
}

impl Encoder<'_> {
    /// Writes `value`; None gives up. Reads the objects through `pyffi` only, which runs no
    /// Python code, so nothing can change them meanwhile (what its borrowed walks require).
    fn value(&mut self, value: Borrowed<'_, '_, PyAny>, depth: usize) -> Option<()> {
        if self.stop.stopped() {
            return None;
        }
        let kind = Builtin::of(value)?;
        if matches!(
            kind,
            Builtin::List(_) | Builtin::Tuple(_) | Builtin::Dict(_)
        ) && !self.containers.insert(value.as_ptr() as usize)
        {
            return None;
        }
        match kind {
            Builtin::None => self.out.extend_from_slice(b"null"),
            Builtin::True => self.out.extend_from_slice(b"true"),
            Builtin::False => self.out.extend_from_slice(b"false"),
            Builtin::Int { int, .. } => {
                let int = safe_integer(int)?;
                self.out
                    .extend_from_slice(itoa::Buffer::new().format(int).as_bytes());
            }
            Builtin::Float(float) => self.float(float.value())?,
            Builtin::Str(s) => self.string(s)?,
            Builtin::List(list) => {
                // SAFETY: every index is below the length; the list is unchanged (see above).
                self.array(depth, list.len(), |i| unsafe { pyffi::list_item(list, i) })?;
            }
            Builtin::Tuple(tuple) => {
                // SAFETY: every index is below the length.
                self.array(depth, tuple.len(), |i| unsafe {
                    pyffi::tuple_item(tuple, i)
                })?;
            }
            Builtin::Dict(dict) => self.object(dict, depth)?,
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

    fn array<'a, 'py>(
        &mut self,
        depth: usize,
        len: usize,
        item: impl Fn(usize) -> Borrowed<'a, 'py, PyAny>,
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

    fn object(&mut self, dict: Borrowed<'_, '_, PyDict>, depth: usize) -> Option<()> {
        self.open(depth, b'{')?;
        let mut position = 0;
        let mut first = true;
        let (mut int_keys, mut str_keys) = (false, false);
        // SAFETY: the dict is unchanged while its keys and values are used (see `value`).
        while let Some((key, item)) = unsafe { pyffi::dict_next(dict, &mut position) } {
            if !first {
                self.out.push(b',');
            }
            first = false;
            match Builtin::of(key)? {
                // A dict with int and str keys may name one property twice: `direct` checks.
                Builtin::Str(_) if int_keys => return None,
                // Two keys of a str subclass may hold one text (`direct` checks).
                Builtin::Str(key) if !pyffi::is_exact_str(key) => return None,
                Builtin::Str(key) => {
                    str_keys = true;
                    self.string(key)?
                }
                // `direct` names an int key by str(key), which a subclass (an IntEnum) may change.
                Builtin::Int { int, exact: true } if !str_keys => {
                    int_keys = true;
                    let int = pyffi::int_value(int)?;
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
    fn string(&mut self, s: Borrowed<'_, '_, PyString>) -> Option<()> {
        let bytes = pyffi::utf8(&s)?;
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

/// An int JavaScript holds exactly as a number; None beyond (`direct` makes a BigInt of it).
fn safe_integer(int: Borrowed<'_, '_, PyInt>) -> Option<i64> {
    pyffi::int_value(int).filter(|int| (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(int))
}
