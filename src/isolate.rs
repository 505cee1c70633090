//! Entering and exiting V8 isolates, the only code that does: the exit after creation
//! (invariant 1 of `runtime.rs`), the `Entered` guard around every operation (invariant 2) and
//! the enter before disposal (invariant 3). Also which isolate is current on this thread.

use std::ptr::NonNull;

use deno_core::v8;

unsafe extern "C" {
    /// rusty_v8's binding of `v8::Isolate::GetCurrent()`, which it does not make public.
    fn v8__Isolate__GetCurrent() -> *mut std::ffi::c_void;
}

/// The address of the isolate entered on this thread (0 if none), as `as_raw_isolate_ptr` gives
/// it: V8 runs a collection, and so the release of a lent str, with its isolate current.
pub fn current_address() -> usize {
    // SAFETY: reads a thread-local of V8; no preconditions.
    unsafe { v8__Isolate__GetCurrent() as usize }
}

/// Keeps an isolate entered for as long as it lives (invariant 2).
pub struct Entered(NonNull<v8::Isolate>);

impl Entered {
    pub fn new(isolate: &mut v8::Isolate) -> Self {
        // SAFETY: the isolate is alive and owned by this thread (invariant 4); the matching exit
        // is in Drop, so enter and exit always pair up.
        unsafe { isolate.enter() };
        Entered(NonNull::from(isolate))
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        // SAFETY: entered in `new` on this thread; isolates entered after it have been exited
        // again by their own guards, so it is the current isolate.
        unsafe { self.0.as_ref().exit() };
    }
}

/// Exits the isolate `JsRuntime::new` just created and entered on this thread (invariant 1).
pub fn exit_after_creation(isolate: &mut v8::Isolate) {
    // SAFETY: deno_core created and entered this isolate on this thread, and nothing has
    // entered another isolate since, so it is the current one.
    unsafe { isolate.exit() };
}

/// Enters `isolate` once more, for good, right before its owner disposes it (invariant 3):
/// `OwnedIsolate::drop` asserts that the isolate it disposes is the current one, and exits it.
///
/// # Safety
/// The isolate is alive, owned by this thread and not entered by v8ctx, and is disposed next.
pub unsafe fn enter_to_dispose(isolate: &mut v8::Isolate) {
    // SAFETY: as the caller promises; after this enter the isolate is current.
    unsafe { isolate.enter() };
}
