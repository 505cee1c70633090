//! A worker thread: it creates its own runtime, loads the pool's code, serves jobs from the
//! shared queue, and hands its slot over to a replacement when due (module doc of `mod.rs`).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use super::delivery::deliver;
use super::shared::{Handover, Job, Ready, Shared, SlotStats};
use crate::bridge;
use crate::execute;
use crate::gil;
use crate::runtime::{self, Runtime};

/// How a worker came to be.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Start {
    /// One of the pool's first workers.
    Initial,
    /// Replacing a worker (worn out, or `restart()`); the predecessor leaves once this is ready.
    Replacement,
}

/// Starts a worker thread for `slot`; false if the OS refused a thread.
pub(super) fn spawn_worker(
    shared: &Arc<Shared>,
    slot: usize,
    generation: u64,
    start: Start,
    ready: Ready,
) -> bool {
    let worker_shared = Arc::clone(shared);
    let spawned = std::thread::Builder::new()
        .name(format!("v8ctx-pool-{slot}"))
        .spawn(move || work(worker_shared, slot, generation, start, ready));
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
fn spawn_replacement(shared: &Arc<Shared>, slot: usize, generation: u64) -> bool {
    let (ready, _) = std::sync::mpsc::channel();
    spawn_worker(shared, slot, generation, Start::Replacement, ready)
}

/// What a worker does next.
enum Next {
    Serve(Job),
    /// `restart()` asked for a new generation: start a replacement.
    Restart,
    /// The pool is closed and drained, or this worker's replacement is ready.
    Leave,
}

/// A new runtime with the pool's code loaded.
fn start_runtime(shared: &Shared) -> PyResult<Runtime> {
    let config = &shared.config;
    Python::attach(|py| {
        let options = runtime::Options {
            // The hard V8 limit leaves room above the recycling threshold.
            max_heap_mb: config.max_heap_mb.map(|mb| (mb * 2).max(32)),
            random_seed: config.random_seed,
            console: config.console.as_ref().map(|c| c.clone_ref(py)),
            modules: Arc::clone(&config.modules),
            browser: config.browser.clone(),
        };
        let runtime =
            gil::without_gil(py, || Runtime::new(options)).map_err(PyRuntimeError::new_err)?;
        for (name, value) in &config.globals {
            execute::limited(py, &runtime, None, None, |runtime, _| {
                bridge::expose(py, runtime, name, value.bind(py))
            })?;
        }
        if !config.code.is_empty() {
            execute::limited(py, &runtime, None, None, |runtime, deadline| {
                execute::run_script(py, runtime, &config.code, false, false, deadline)
            })?;
        }
        Ok(runtime)
    })
}

/// The worker thread: start, serve jobs, hand over to a replacement when due.
fn work(shared: Arc<Shared>, slot: usize, mut generation: u64, start: Start, ready: Ready) {
    let mut runtime = match start_runtime(&shared) {
        Ok(runtime) => runtime,
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
    begin_serving(&shared, stats, &runtime);
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
                        // Registered as running before the lock is let go, so a cancel finds
                        // the job either queued or running.
                        runtime.stops().expect_job();
                        state.running.insert(job.id, Arc::clone(runtime.stops()));
                        break Next::Serve(job);
                    }
                }
                if state.closing {
                    break Next::Leave;
                }
                shared.changed.wait(&mut state);
            }
        };
        let job = match next {
            Next::Leave => break,
            Next::Restart => {
                let next_generation = shared.state.lock().generation;
                replacing =
                    spawn_replacement(&shared, slot, next_generation).then_some(next_generation);
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
        };
        // A retiring worker's numbers no longer describe its slot: its replacement's do.
        let slot_stats = replacing.is_none().then_some(stats);
        let heap_used = serve(&shared, slot_stats, &runtime, job);
        served += 1;
        if runtime.stops().heap_exhausted() {
            // Unusable until replaced: rebuild here rather than fail the next calls.
            let Ok(fresh) = start_runtime(&shared) else {
                break;
            };
            forget_stops(&shared, &runtime);
            drop(std::mem::replace(&mut runtime, fresh));
            begin_serving(&shared, stats, &runtime);
            stats.restarts.fetch_add(1, Ordering::Relaxed);
            served = 0;
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
            replacing = spawn_replacement(&shared, slot, current).then_some(current);
        }
    }
    forget_stops(&shared, &runtime);
    drop(runtime);
}

/// After how many calls a runtime that may serve `recycle_after` starts its replacement: a
/// quarter before the end, so the replacement is warm when the runtime is used up and no call
/// waits for a cold start (unless calls come faster than a runtime starts).
fn replace_at(recycle_after: u64) -> u64 {
    recycle_after - (recycle_after / 4).min(recycle_after - 1)
}

/// A runtime starts serving a slot: `close(cancel=True)` can stop it, and the slot's numbers
/// describe it.
fn begin_serving(shared: &Shared, stats: &SlotStats, runtime: &Runtime) {
    shared.live.lock().push(Arc::clone(runtime.stops()));
    stats.calls.store(0, Ordering::Relaxed);
    stats
        .heap_used
        .store(runtime.used_heap_size(), Ordering::Relaxed);
}

fn forget_stops(shared: &Shared, runtime: &Runtime) {
    shared
        .live
        .lock()
        .retain(|s| !Arc::ptr_eq(s, runtime.stops()));
}

/// Runs one job (registered as running when it was taken from the queue, unregistered here),
/// updates the numbers (the slot's, unless None), and delivers its result;
/// returns the runtime's heap in use.
fn serve(shared: &Shared, stats: Option<&SlotStats>, runtime: &Runtime, job: Job) -> usize {
    let timeout = job.timeout.or(shared.config.timeout);
    Python::attach(|py| {
        let result = execute::limited(py, runtime, timeout, None, |runtime, deadline| {
            let completion = job.request.start(py, runtime)?;
            execute::settle(py, runtime, completion, deadline)
        });
        // No cancel may terminate this runtime once the job's operation is over.
        shared.state.lock().running.remove(&job.id);
        // Counted before the caller hears back, so stats() never lags a returned call.
        shared.total_calls.fetch_add(1, Ordering::Relaxed);
        let heap_used = runtime.used_heap_size();
        if let Some(stats) = stats {
            stats.heap_used.store(heap_used, Ordering::Relaxed);
            stats.calls.fetch_add(1, Ordering::Relaxed);
        }
        deliver(py, job.reply, result);
        heap_used
    })
}
