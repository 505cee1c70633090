//! Python strs lent to V8: an ASCII str of `MIN_LENT_LEN` bytes or more reaches JavaScript as an
//! external string over CPython's own buffer, without a copy.
//!
//! The registry keeps each lent str alive (its buffer is immutable and never moves) until no V8
//! string of any isolate points at it, and counts it once per isolate holding it in that
//! isolate's `Budget`, which counts it against `max_heap_mb` and collects the dead ones in time.
//! A str that does not fit the budget is copied into the heap instead.
//!
//! V8 releases an external string by its buffer and length alone, during a collection or the
//! disposal of its isolate, with that isolate current: `isolate::current_address` tells which
//! isolate's holding ends when one str is lent to several.

use std::collections::HashMap;
use std::ffi::c_char;
use std::sync::Arc;

use deno_core::v8;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::external_memory::Budget;
use crate::isolate;
use crate::pyffi::utf8;

/// From this size on, an ASCII str reaches JavaScript without a copy.
pub(super) const MIN_LENT_LEN: usize = 64 * 1024;

/// A Python str whose buffer V8 strings point into.
struct Lent {
    string: Py<PyAny>,
    /// The isolates holding it, each with the number of its V8 strings over the buffer.
    holders: Vec<(Arc<Budget>, usize)>,
}

/// The lent strs, by buffer address.
static LENT: parking_lot::Mutex<Option<HashMap<usize, Lent>>> = parking_lot::Mutex::new(None);

/// A V8 string over the buffer of the ASCII str `s` (`bytes`), or None when it is not lent (it
/// does not fit the isolate's budget, or V8 refused it): copy it then.
pub(super) fn lend<'s>(
    scope: &v8::PinScope<'s, '_>,
    s: &Bound<'_, PyString>,
    bytes: &[u8],
) -> Option<v8::Local<'s, v8::String>> {
    let budget = Arc::clone(scope.get_slot::<Arc<Budget>>()?);
    budget.prepare_to_lend(bytes.len());
    let address = bytes.as_ptr() as usize;
    {
        let mut lent = LENT.lock();
        let entry = lent
            .get_or_insert_with(HashMap::new)
            .entry(address)
            .or_insert_with(|| Lent {
                string: s.clone().into_any().unbind(),
                holders: Vec::new(),
            });
        match entry
            .holders
            .iter_mut()
            .find(|(b, _)| Arc::ptr_eq(b, &budget))
        {
            Some((_, strings)) => *strings += 1,
            None if budget.count_lent(bytes.len()) => entry.holders.push((budget, 1)),
            None => {
                if entry.holders.is_empty() {
                    lent.as_mut()?.remove(&address);
                }
                return None;
            }
        }
    }
    // SAFETY: the bytes stay valid and unchanged while LENT holds their str; V8 calls `release`
    // exactly once, when it no longer needs them.
    let created = unsafe {
        v8::String::new_external_onebyte_raw(
            scope,
            bytes.as_ptr() as *mut c_char,
            bytes.len(),
            release,
        )
    };
    if created.is_none() {
        // SAFETY: V8 did not take the buffer; undo the holding taken above.
        unsafe { release(bytes.as_ptr() as *mut c_char, bytes.len()) };
    }
    created
}

/// V8's release of one external string over `buffer`.
unsafe extern "C" fn release(buffer: *mut c_char, len: usize) {
    let current = isolate::current_address();
    let given_back = {
        let mut lent = LENT.lock();
        let Some(map) = lent.as_mut() else { return };
        let Some(entry) = map.get_mut(&(buffer as usize)) else {
            return;
        };
        let Some(index) = entry
            .holders
            .iter()
            .position(|(budget, _)| budget.is_of(current))
            .or((!entry.holders.is_empty()).then_some(0))
        else {
            return;
        };
        entry.holders[index].1 -= 1;
        let given_back = (entry.holders[index].1 == 0).then(|| entry.holders.remove(index).0);
        if entry.holders.is_empty() {
            // Dropping a Py without the GIL is deferred by pyo3 to the next GIL holder.
            map.remove(&(buffer as usize));
        }
        given_back
    };
    if let Some(budget) = given_back {
        budget.give_back(len);
    }
}

/// The Python str itself, when `s` is a whole string v8ctx lent to JavaScript coming back
/// unchanged.
pub(super) fn lent_str<'py>(
    py: Python<'py>,
    s: &v8::Local<'_, v8::String>,
) -> Option<Bound<'py, PyString>> {
    if !s.is_external_onebyte() {
        return None;
    }
    let resource = s.get_external_onebyte_string_resource()?;
    // SAFETY: V8 keeps the resource alive at least as long as the string we hold a handle to.
    let address = unsafe { resource.as_ref().data() } as usize;
    let lent = LENT.lock();
    let entry = lent.as_ref()?.get(&address)?;
    let string = entry.string.bind(py).cast::<PyString>().ok()?.clone();
    (string.len().ok()? == s.length()).then_some(string)
}

/// A lent str with exactly the characters `latin1`, if there is one: a string the serializer
/// copied out of V8 that is one v8ctx lent, which then comes back as the very str that was lent
/// (and costs no second copy of its memory).
pub(super) fn lent_str_equal_to<'py>(
    py: Python<'py>,
    latin1: &[u8],
) -> Option<Bound<'py, PyString>> {
    if latin1.len() < MIN_LENT_LEN {
        return None;
    }
    let lent = LENT.lock();
    lent.as_ref()?.values().find_map(|entry| {
        let string = entry.string.bind(py).cast::<PyString>().ok()?;
        (utf8(string)? == latin1).then(|| string.clone())
    })
}
