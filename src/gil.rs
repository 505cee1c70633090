//! Releasing the GIL around V8 work without the `Send` bound `Python::detach` asks for.
//!
//! Invariant: the closure runs on the calling thread and its result comes back to it, so V8
//! handles (which are tied to their isolate's thread) captured by it never change threads.
//! `detach` asks for `Send` only because it cannot know that; `SameThread` vouches for it here.

use pyo3::prelude::*;

/// Runs `f` with the GIL released, so other Python threads run while V8 works.
///
/// Unlike `Python::detach`, `f` need not be `Send`: it may capture V8 handles or a channel's
/// receiver. That is sound because `detach` runs `f` on this same thread and hands its result back
/// to it, so nothing it captures leaves the thread.
pub fn without_gil<T, F: FnOnce() -> T>(py: Python<'_>, f: F) -> T {
    struct SameThread<T>(T);
    // SAFETY: see above; the value never changes threads.
    unsafe impl<T> Send for SameThread<T> {}
    impl<T> SameThread<T> {
        fn into_inner(self) -> T {
            self.0
        }
    }
    let job = SameThread(f);
    py.detach(move || SameThread(job.into_inner()()))
        .into_inner()
}
