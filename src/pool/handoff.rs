//! Hand-offs between a Pool's callers and its workers that poll briefly before they sleep.
//!
//! A call to a worker thread is two hand-offs: the caller's job to a worker, the worker's result
//! back. Had each waiting side gone to sleep at once (a condition variable, a channel), each
//! hand-off would cost a wakeup of a sleeping thread, which on a virtual machine is several
//! microseconds and made the Pool's overhead over `Context.call` about 14 µs. Here the side that
//! waits, when it has reason to expect the other soon (a worker that just served a job, a caller
//! whose job was just queued), first polls for up to `SPIN`, then sleeps as before. A call that
//! takes longer than that costs `SPIN` of one core's time on each side, once; on a machine with
//! one CPU nobody polls, since the other side could not run meanwhile.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long a waiting side polls before it sleeps: longer than a trivial call's round trip
/// (a few µs), short against any call whose time matters.
const SPIN: Duration = Duration::from_micros(50);

/// Polls `ready` until it gives a value or `SPIN` has passed; None then, or at once on a machine
/// with one CPU.
pub(super) fn poll<T>(mut ready: impl FnMut() -> Option<T>) -> Option<T> {
    static SEVERAL_CPUS: OnceLock<bool> = OnceLock::new();
    let several_cpus = *SEVERAL_CPUS
        .get_or_init(|| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1));
    if !several_cpus {
        return None;
    }
    let start = Instant::now();
    loop {
        if let Some(value) = ready() {
            return Some(value);
        }
        if start.elapsed() >= SPIN {
            return None;
        }
        for _ in 0..64 {
            std::hint::spin_loop();
        }
    }
}
