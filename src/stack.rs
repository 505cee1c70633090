//! The stack limit each isolate gets: from the real bounds of the thread that creates it.
//!
//! V8 assumes about 1 MB of stack below the point where an isolate is created, and a script that
//! recurses deeply on a thread with less (`threading.stack_size(256 * 1024)`, a thread pool with
//! small stacks) would then run off the end of the stack and crash the process instead of raising
//! `RangeError`. An isolate is only ever entered on the thread that created it (`runtime.rs`,
//! invariant 4), so a limit computed once at creation holds for its whole life.
//!
//! The limit is set with `v8::Isolate::SetStackLimit` after creation: V8 overwrites the one in
//! `CreateParams` with its default when the isolate initialises its thread.

use std::ffi::c_void;

use deno_core::v8;

unsafe extern "C" {
    /// `void v8::Isolate::SetStackLimit(uintptr_t)`, which rusty_v8 does not bind. It is a
    /// non-virtual member function, so under the Itanium C++ ABI it takes `this` as its first
    /// argument like a C function; the symbol is in the V8 library rusty_v8 links.
    #[link_name = "_ZN2v87Isolate13SetStackLimitEm"]
    fn v8_isolate_set_stack_limit(isolate: v8::UnsafeRawIsolatePtr, limit: usize);
}

/// What V8 assumes it may use below the creation point (its `--stack-size`, 984 KB).
const V8_DEFAULT_STACK: usize = 984 * 1024;
/// Stack kept free below V8's limit: V8's own C++ runtime functions run past the limit JavaScript
/// is checked against, and so do Python callbacks called from JavaScript (the console).
const RESERVE: usize = 64 * 1024;
/// The least stack JavaScript must have above `RESERVE`: the bootstrap and a few calls deep.
const MIN_FOR_JAVASCRIPT: usize = 32 * 1024;

/// The stack limit for an isolate about to be created on the calling thread: V8's default, or
/// higher where the thread's stack ends sooner than V8 assumes. An error if the thread has too
/// little stack left to run V8 at all; None if its bounds cannot be read (V8's default applies).
pub fn limit_for_this_thread() -> Result<Option<usize>, String> {
    let Some(lowest) = lowest_address() else {
        return Ok(None);
    };
    let here = stack_position();
    if here < lowest + RESERVE + MIN_FOR_JAVASCRIPT {
        return Err(format!(
            "this thread has {} KB of stack left, too little for V8 (it needs {} KB): start the \
             thread with a larger stack (threading.stack_size())",
            here.saturating_sub(lowest) / 1024,
            (RESERVE + MIN_FOR_JAVASCRIPT) / 1024
        ));
    }
    Ok(Some(
        (lowest + RESERVE).max(here - V8_DEFAULT_STACK.min(here)),
    ))
}

/// Sets `limit` (from `limit_for_this_thread`) on `isolate`, just created on the calling thread.
pub fn set_limit(isolate: &mut v8::Isolate, limit: usize) {
    // SAFETY: the pointer to the live C++ isolate, on its owner thread; `limit` lies within this
    // thread's stack, the only one that will ever enter the isolate (invariant 4 of `runtime.rs`).
    unsafe { v8_isolate_set_stack_limit(isolate.as_raw_isolate_ptr(), limit) };
}

/// The address of a local of the caller's frame (a zero-sized one would not be on the stack).
#[inline(always)]
fn stack_position() -> usize {
    let marker = 0u8;
    std::ptr::addr_of!(marker) as usize
}

/// Stack a conversion keeps in hand before it nests one level deeper: a level of the recursive
/// conversion, with the V8 and Python calls it makes, uses a few hundred bytes to a few KB.
const CONVERSION_RESERVE: usize = 48 * 1024;

/// Whether the calling thread's stack has too little left for another level of a recursive
/// conversion; on a thread with a small stack this comes long before `MAX_DEPTH`.
pub fn nearly_full() -> bool {
    let here = stack_position();
    lowest_address().is_some_and(|lowest| here < lowest + CONVERSION_RESERVE)
}

/// The lowest address of the calling thread's stack, read once per thread: a thread's stack does
/// not move, and reading it is not cheap (on the main thread glibc parses `/proc/self/maps`, a
/// few percent of creating a Context).
fn lowest_address() -> Option<usize> {
    thread_local! {
        static LOWEST: Option<usize> = read_lowest_address();
    }
    LOWEST.with(|lowest| *lowest)
}

fn read_lowest_address() -> Option<usize> {
    // SAFETY: `attr` is initialised by pthread_getattr_np before it is read and destroyed once;
    // the calls only read the calling thread's attributes.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut start: *mut c_void = std::ptr::null_mut();
        let mut size: usize = 0;
        let read = libc::pthread_attr_getstack(&attr, &mut start, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        (read == 0 && !start.is_null()).then_some(start as usize)
    }
}
