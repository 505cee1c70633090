//! The V8 settings v8ctx makes for the whole process, before the first isolate exists, and why:
//! its flags, and where its random numbers' seeds come from.

use std::sync::Once;

/// `--no-turboshaft-loop-unrolling`: Turboshaft's loop-unrolling phase removes the back-edge
/// stack check of loops whose trip count it knows to be small. Array creation of a constant size
/// between 17 and 999 elements (`new Array(100)`, an array literal of that size) is lowered to such
/// a compiler-made loop with no check of its own, and the removal meant for it leaks to the
/// enclosing loop: `while (true) new Array(100).fill(1)`, once optimized, then reaches no interrupt
/// check, so no timeout, heap limit or Ctrl-C can terminate it (`TerminateExecution` only takes
/// effect at such a check). Without the phase every JavaScript loop keeps its check; only the
/// unrolling of small counted loops is lost, which `bench/compare.py` does not measure as slower.
///
/// `--no-concurrent-sparkplug`: the baseline compiler otherwise builds code on a V8 worker
/// thread, which allocates the code object in the isolate's heap from there. When that
/// allocation fails while the isolate's own thread is in its last-resort collection before the
/// heap limit, V8 can abort the process in `CollectionBarrier::AwaitCollectionBackground`
/// ("Check failed: GetTimerForCollectionRequest(kind).IsStarted()"): seen once in 124 runs of
/// two threads exhausting 16 MB heaps (`tests/stress_heap_exhaustion.py`, `two_threads_loop`).
/// Baseline code is then compiled on the isolate's thread, in batches, which costs little
/// (Sparkplug is a single fast pass) and leaves no V8 thread allocating in a heap near its limit.
///
/// `--no-maglev-build-code-on-background` and `--no-maglev-deopt-data-on-background`: Maglev
/// compiles on a V8 worker thread and would there also allocate the code object and its
/// deoptimization data in the isolate's heap. When that allocation finds the heap at its limit,
/// V8 runs the near-heap-limit callback on the worker, inside a `HandleScope` it opens on the
/// isolate, while the isolate's own thread opens and closes its scopes: the two race on the
/// isolate's handle-scope bookkeeping, which comes out one level off, and the next handle
/// created at the top level aborts the process ("Cannot create a handle without a HandleScope";
/// about one heap exhaustion in 2,000 in `tests/stress_heap_exhaustion.py`). Both are then made
/// on the isolate's thread when the job is finalized; the compilation itself stays concurrent.
/// Together with the Sparkplug flag: no V8 thread but the isolate's own allocates in its heap.
const FLAGS: &[&str] = &[
    "--no-turboshaft-loop-unrolling",
    "--no-concurrent-sparkplug",
    "--no-maglev-build-code-on-background",
    "--no-maglev-deopt-data-on-background",
];

/// Sets `FLAGS` and the entropy source, once per process; call before creating any isolate.
pub fn set() {
    static SET: Once = Once::new();
    SET.call_once(|| {
        let mut args = vec![String::new()];
        args.extend(FLAGS.iter().map(|flag| flag.to_string()));
        let unknown = deno_core::v8_set_flags(args);
        debug_assert_eq!(unknown.len(), 1, "V8 does not know {:?}", &unknown[1..]);
        deno_core::v8::V8::set_entropy_source(fill_from_getrandom);
    });
}

/// V8 seeds several random number generators for every isolate (its hash seed, `Math.random`);
/// without an entropy source each one opens, reads and closes `/dev/urandom`, three times per
/// Context. The `getrandom` system call gives the same bytes without a file descriptor.
fn fill_from_getrandom(buffer: &mut [u8]) -> bool {
    let mut filled = 0;
    while filled < buffer.len() {
        let rest = &mut buffer[filled..];
        // SAFETY: writes at most `rest.len()` bytes into `rest`, memory this function borrows.
        let read = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        match read {
            n if n > 0 => filled += n as usize,
            _ if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => {}
            _ => return false,
        }
    }
    true
}
