//! A worker's life, the same for both isolations: a thread starts its engine (a runtime of its
//! own, or a worker process it drives), serves jobs from the shared queue, and hands its slot
//! over to a replacement when due (module doc of `mod.rs`).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::MutexGuard;
use pyo3::prelude::*;

use super::delivery::{deliver, deliver_detached};
use super::handoff;
use super::shared::{Handover, Job, Ready, Shared, SlotStats, Stoppable};
use crate::execute::Request;

/// What runs a worker's JavaScript: a `Runtime` on the worker's thread (`thread_worker.rs`), or
/// a worker process (`process_worker.rs`).
pub(super) trait Engine: Sized + 'static {
    /// A fresh engine with the pool's code loaded.
    fn start(shared: &Arc<Shared>) -> PyResult<Self>;
    /// How other threads stop its JavaScript.
    fn stops(&self) -> Arc<dyn Stoppable>;
    /// Readies it for a job, before the job is registered as running.
    fn expect_job(&self);
    /// Runs `request` under `timeout` (the GIL held, and released while JavaScript runs).
    fn run(
        &self,
        py: Python<'_>,
        shared: &Shared,
        job: u64,
        request: &Request,
        timeout: Option<Duration>,
    ) -> Ran;
    /// Its heap in use, as of its last job.
    fn used_heap_size(&self) -> usize;
    /// Whether it can serve no more calls: its heap was exhausted, or its process ended.
    fn spent(&self) -> bool;
    /// Its worker process, for `stats()`; 0 for a thread.
    fn pid(&self) -> u32;
}

/// How running a job went.
pub(super) enum Ran {
    /// It ran, to this result (which may be an error: the engine died running it).
    Done(PyResult<Py<PyAny>>),
    /// The engine died before the job reached it (a worker process killed while idle, whose
    /// death the pool could not see yet): the job did not run, so it may run on another engine.
    /// The error is what the job raises if it is not run again.
    Undelivered(PyErr),
}

/// How a worker came to be.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Start {
    /// One of the pool's first workers.
    Initial,
    /// Replacing a worker (worn out, or `restart()`); the predecessor leaves once this is ready.
    Replacement,
}

/// Starts a worker thread for `slot` with an engine `E`; false if the OS refused a thread.
pub(super) fn spawn_worker<E: Engine>(
    shared: &Arc<Shared>,
    slot: usize,
    generation: u64,
    start: Start,
    ready: Ready,
) -> bool {
    let worker_shared = Arc::clone(shared);
    let spawned = std::thread::Builder::new()
        .name(format!("v8ctx-pool-{slot}"))
        // The thread keeps one Python thread state for its whole life: each `Python::attach`
        // without one would make and free a thread state and its frame stack (an mmap and an
        // munmap, with a TLB shootdown) on every job.
        .spawn(move || {
            Python::attach(|py| {
                py.detach(|| work::<E>(worker_shared, slot, generation, start, ready))
            })
        });
    let Ok(handle) = spawned else {
        return false;
    };
    // Join the retired workers that have ended, so a long-lived pool does not keep their stacks.
    let mut state = shared.state.lock();
    let (ended, running): (Vec<_>, Vec<_>) = std::mem::take(&mut state.threads)
        .into_iter()
        .partition(|t| t.is_finished());
    state.threads = running;
    state.threads.push(handle);
    drop(state);
    for thread in ended {
        let _ = thread.join();
    }
    true
}

/// Starts the worker that will take over `slot`; false if the OS refused a thread. Nobody waits
/// for it to be ready: the worker it replaces serves until it is.
fn spawn_replacement<E: Engine>(shared: &Arc<Shared>, slot: usize, generation: u64) -> bool {
    let (ready, _) = std::sync::mpsc::channel();
    spawn_worker::<E>(shared, slot, generation, Start::Replacement, ready)
}

/// What a worker does next.
enum Next {
    Serve(Job),
    /// The engine is spent (its process died while idle, or a rebuild failed): start a fresh
    /// one before this job, or fail the job with why none starts.
    Rebuild(Job),
    /// `restart()` asked for a new generation: start a replacement.
    Restart,
    /// The pool is closed and drained, or this worker's replacement is ready.
    Leave,
}

/// The worker thread: start, serve jobs, hand over to a replacement when due.
fn work<E: Engine>(
    shared: Arc<Shared>,
    slot: usize,
    mut generation: u64,
    start: Start,
    ready: Ready,
) {
    let mut engine = match E::start(&shared) {
        Ok(engine) => engine,
        Err(err) => {
            if start == Start::Replacement {
                let why = Python::attach(|py| err.value(py).to_string());
                shared.state.lock().handover[slot] = Handover::Failed(why);
                shared.changed.notify_all();
            }
            let _ = ready.send(Err(err));
            return;
        }
    };
    let stats = &shared.slots[slot];
    let mut stops = begin_serving(&shared, stats, &engine);
    {
        let mut state = shared.state.lock();
        if start == Start::Replacement {
            state.handover[slot] = Handover::Ready;
            stats.restarts.fetch_add(1, Ordering::Relaxed);
        }
        state.slot_generation[slot] = generation;
        shared.changed.notify_all();
    }
    let _ = ready.send(Ok(()));
    // The generation of the replacement this worker started and waits for, if any.
    let mut replacing: Option<u64> = None;
    // Calls this runtime has served: with `recycle_after`, a bound, not a trigger.
    let mut served: u64 = 0;
    // Whether this worker just served a job, and so may poll for the next before it sleeps.
    let mut just_served = false;
    loop {
        // Past `recycle_after` the runtime takes no more calls: it waits for its replacement,
        // which was started early enough (`replace_at`) to be ready by then under steady load.
        let used_up =
            replacing.is_some() && shared.config.recycle_after.is_some_and(|n| served >= n);
        let next = {
            let mut state = shared.state.lock();
            loop {
                if let Some(wanted) = replacing {
                    match std::mem::replace(&mut state.handover[slot], Handover::Pending) {
                        Handover::Pending => {}
                        Handover::Ready => break Next::Leave,
                        Handover::Failed(why) => {
                            // Serve on; a failed restart() leaves this worker as the new
                            // generation, so restart() can return and report why.
                            replacing = None;
                            if wanted > generation {
                                generation = wanted;
                                state.slot_generation[slot] = generation;
                                state.restart_failure = Some(why);
                                shared.changed.notify_all();
                            }
                            continue;
                        }
                    }
                }
                if replacing.is_none() && state.generation != generation && !state.closing {
                    break Next::Restart;
                }
                if !used_up {
                    if let Some(job) = state.queue.pop_front() {
                        if engine.spent() {
                            break Next::Rebuild(job);
                        }
                        // Registered as running before the lock is let go, so a cancel finds
                        // the job either queued or running.
                        engine.expect_job();
                        state.running.insert(job.id, Arc::clone(&stops));
                        break Next::Serve(job);
                    }
                }
                if state.closing {
                    break Next::Leave;
                }
                if std::mem::take(&mut just_served) && !used_up {
                    // Callers often call again at once (`handoff.rs`): poll the queue briefly,
                    // then look again under the lock, as a job queued since the last poll may
                    // have notified nobody.
                    MutexGuard::unlocked(&mut state, || {
                        handoff::poll(|| (!shared.state.lock().queue.is_empty()).then_some(()))
                    });
                    continue;
                }
                shared.changed.wait(&mut state);
            }
        };
        let job = match next {
            Next::Leave => break,
            Next::Restart => {
                let next_generation = shared.state.lock().generation;
                replacing = spawn_replacement::<E>(&shared, slot, next_generation)
                    .then_some(next_generation);
                if replacing.is_none() {
                    // No thread for a replacement: serve on as the new generation rather than
                    // leave the slot empty or keep restart() waiting.
                    generation = next_generation;
                    shared.state.lock().slot_generation[slot] = generation;
                    shared.changed.notify_all();
                }
                continue;
            }
            Next::Serve(job) => job,
            Next::Rebuild(job) => {
                match E::start(&shared) {
                    Ok(fresh) => {
                        swap_in(&shared, stats, &mut engine, &mut stops, fresh);
                        served = 0;
                        // Back to the front, where this or any free worker takes it.
                        shared.state.lock().queue.push_front(job);
                        shared.changed.notify_all();
                    }
                    Err(err) => Python::attach(|py| deliver(py, job.reply, Err(err))),
                }
                continue;
            }
        };
        // A retiring worker's numbers no longer describe its slot: its replacement's do.
        let slot_stats = replacing.is_none().then_some(stats);
        let heap_used = serve(&shared, slot_stats, &engine, job);
        served += 1;
        just_served = true;
        if engine.spent() {
            // Unusable until replaced: rebuild here rather than make the next call wait for it.
            // If none starts, the next job tries again (`Next::Rebuild`) and learns why.
            if let Ok(fresh) = E::start(&shared) {
                swap_in(&shared, stats, &mut engine, &mut stops, fresh);
                served = 0;
            }
            continue;
        }
        let worn_out = shared
            .config
            .recycle_after
            .is_some_and(|n| served >= replace_at(n))
            || shared
                .config
                .max_heap_mb
                .is_some_and(|mb| heap_used > mb * 1024 * 1024);
        if worn_out && replacing.is_none() {
            let current = shared.state.lock().generation;
            replacing = spawn_replacement::<E>(&shared, slot, current).then_some(current);
        }
    }
    forget_stops(&shared, &stops);
    drop(engine);
}

/// After how many calls a runtime that may serve `recycle_after` starts its replacement: a
/// quarter before the end, so the replacement is warm when the runtime is used up and no call
/// waits for a cold start (unless calls come faster than a runtime starts).
fn replace_at(recycle_after: u64) -> u64 {
    recycle_after - (recycle_after / 4).min(recycle_after - 1)
}

/// An engine starts serving a slot: `close(cancel=True)` can stop it (through what this
/// returns), and the slot's numbers describe it.
fn begin_serving<E: Engine>(shared: &Shared, stats: &SlotStats, engine: &E) -> Arc<dyn Stoppable> {
    let stops = engine.stops();
    shared.live.lock().push(Arc::clone(&stops));
    stats.calls.store(0, Ordering::Relaxed);
    stats
        .heap_used
        .store(engine.used_heap_size(), Ordering::Relaxed);
    stats.pid.store(engine.pid(), Ordering::Relaxed);
    stops
}

/// Puts `fresh` in the place of a spent engine.
fn swap_in<E: Engine>(
    shared: &Shared,
    stats: &SlotStats,
    engine: &mut E,
    stops: &mut Arc<dyn Stoppable>,
    fresh: E,
) {
    forget_stops(shared, stops);
    drop(std::mem::replace(engine, fresh));
    *stops = begin_serving(shared, stats, engine);
    stats.restarts.fetch_add(1, Ordering::Relaxed);
}

fn forget_stops(shared: &Shared, stops: &Arc<dyn Stoppable>) {
    shared.live.lock().retain(|s| !Arc::ptr_eq(s, stops));
}

/// Runs one job (registered as running when it was taken from the queue, unregistered here),
/// updates the numbers (the slot's, unless None), and delivers its result; returns the
/// runtime's heap in use. A job the engine died before taking goes back to the front of the
/// queue, once, for a live worker to run.
fn serve<E: Engine>(shared: &Shared, stats: Option<&SlotStats>, engine: &E, mut job: Job) -> usize {
    let timeout = job.timeout.or(shared.config.timeout);
    let (heap_used, outcome) = Python::attach(|py| {
        let result = match engine.run(py, shared, job.id, &job.request, timeout) {
            Ran::Done(result) => result,
            Ran::Undelivered(_) if !job.redelivered => {
                let mut state = shared.state.lock();
                state.running.remove(&job.id);
                job.redelivered = true;
                state.queue.push_front(job);
                shared.changed.notify_all();
                return (engine.used_heap_size(), None);
            }
            Ran::Undelivered(err) => Err(err),
        };
        // No cancel may terminate this runtime once the job's operation is over.
        shared.state.lock().running.remove(&job.id);
        // Counted before the caller hears back, so stats() never lags a returned call.
        shared.total_calls.fetch_add(1, Ordering::Relaxed);
        let heap_used = engine.used_heap_size();
        if let Some(stats) = stats {
            stats.heap_used.store(heap_used, Ordering::Relaxed);
            stats.calls.fetch_add(1, Ordering::Relaxed);
        }
        drop(job.request); // its arguments are released with the GIL held
        (heap_used, Some((job.reply, result)))
    });
    if let Some((reply, result)) = outcome {
        deliver_detached(reply, result);
    }
    heap_used
}
