//! The V8 strings of the names Python looks up (`ctx.call("lib.hex")`, `ctx.get("n")`), made
//! once per runtime.
//!
//! Making a key string for each lookup, hashing it and finding it in V8's string table took a
//! tenth of a trivial `call` (perf); the cache hands out the internalized string instead, which
//! V8 looks up by its stored hash. One per runtime, in an isolate slot, as the handle table is.
//! Bounded: a runtime that has looked up `MAX_NAMES` distinct names starts the cache afresh.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use deno_core::v8;

const MAX_NAMES: usize = 256;

#[derive(Default)]
pub struct Names {
    strings: HashMap<Box<str>, v8::Global<v8::String>>,
}

type Shared = Rc<RefCell<Names>>;

impl Names {
    /// An empty cache, put in `isolate`'s slot.
    pub fn new_in(isolate: &mut v8::Isolate) {
        isolate.set_slot::<Shared>(Rc::default());
    }

    /// Lets go of every string (the heap is about to be snapshotted).
    pub fn clear_in(isolate: &mut v8::Isolate) {
        if let Some(names) = isolate.get_slot::<Shared>() {
            names.borrow_mut().strings.clear();
        }
    }

    /// The internalized V8 string `name`, made on its first lookup in this runtime.
    pub fn key<'s>(scope: &v8::PinScope<'s, '_>, name: &str) -> Option<v8::Local<'s, v8::String>> {
        let Some(names) = scope.get_slot::<Shared>().cloned() else {
            return v8::String::new(scope, name);
        };
        if let Some(kept) = names.borrow().strings.get(name) {
            return Some(v8::Local::new(scope, kept));
        }
        let key =
            v8::String::new_from_utf8(scope, name.as_bytes(), v8::NewStringType::Internalized)?;
        let mut names = names.borrow_mut();
        if names.strings.len() >= MAX_NAMES {
            names.strings.clear();
        }
        names
            .strings
            .insert(name.into(), v8::Global::new(scope, key));
        Some(key)
    }
}
