//! The engine of a process-isolated worker: a worker thread of the parent drives one worker
//! process (`python -m v8ctx._worker`, `process_child.rs`) through its pipes (`frames.rs`).
//!
//! What the parent enforces from outside, because no limit inside V8 can be trusted to hold:
//! - a call that passes its `timeout` is first terminated inside the worker (the worker runs it
//!   under the same timeout); if no answer came `KILL_GRACE` later, the worker is killed and
//!   the call raises JSTimeoutError;
//! - with `max_rss_mb`, the worker's whole RSS is read every `RSS_POLL` while a call runs, and a
//!   worker past it is killed and the call raises JSMemoryError;
//! - a worker that dies (a signal, a V8 fatal error, an exit) fails the call it ran with
//!   WorkerCrashedError, naming how it died and its last lines on stderr; a job it died before
//!   taking (it sent nothing for it and left some of it in the jobs pipe) is `Ran::Undelivered`,
//!   and runs on another worker.
//!
//! A worker that was killed or died is spent, and its thread takes the pool's warm spare (a
//! worker process started ahead of need, `Spare`) in its place, so the next call does not wait
//! for a cold start. Each worker's stderr is copied to the parent's as it comes, and its tail
//! kept for the crash report.

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::OwnedFd;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use super::frames::{self, FrameReader, Received};
use super::os_process::{self, ParentEnd};
use super::shared::{Shared, Stoppable};
use super::stderr_tail::StderrTail;
use super::wire;
use super::worker::{Engine, Ran};
use crate::code_cache;
use crate::errors::{self, JsErrorKind};
use crate::execute::Request;
use crate::host;

/// How long a worker may take to stop after it was asked to (its timeout passed, its call was
/// cancelled, the pool closes) before it is killed.
pub const KILL_GRACE: Duration = Duration::from_millis(500);

/// How often a running call's worker has its RSS read, with `max_rss_mb`.
const RSS_POLL: Duration = Duration::from_millis(10);

/// How often a running call looks whether a stop was asked of it (`Control` sets it from
/// another thread), so that a worker that ignores the stop is killed `KILL_GRACE` after.
const STOP_POLL: Duration = Duration::from_millis(50);

/// How to start a worker process, fixed at the pool's creation.
pub(crate) struct Launch {
    pub(crate) python: PathBuf,
    /// PYTHONPATH for the worker: the directory v8ctx was imported from comes first, so the
    /// worker runs the same build as the parent.
    pub(crate) python_path: OsString,
    /// The pickled `Start` payload: the pool's code and options (`process_child.rs` reads it).
    pub(super) spec: Arc<Vec<u8>>,
    pub(super) max_rss_mb: Option<usize>,
}

/// The pool's warm spare worker process, if one is started.
pub(super) type Spare = Mutex<Option<WorkerProcess>>;

/// One worker process, driven by the worker thread that took it.
pub(super) struct WorkerProcess {
    child: Child,
    jobs: Mutex<ParentEnd>,
    replies: Mutex<FrameReader<ParentEnd>>,
    control: Arc<Control>,
    stderr: Arc<StderrTail>,
    heap_used: AtomicUsize,
    /// It was killed or ended: it serves no more calls.
    spent: AtomicBool,
    /// Reaped: its pid may belong to another process now.
    reaped: AtomicBool,
    /// What a console callback raised during a call that is not an Exception (Ctrl-C, exit):
    /// the call raises it once its worker answered.
    console_raised: Mutex<Option<PyErr>>,
    /// The process that started it.
    parent: u32,
}

impl Engine for WorkerProcess {
    fn start(shared: &Arc<Shared>) -> PyResult<Self> {
        let launch = shared
            .config
            .launch
            .as_ref()
            .expect("a process worker belongs to a pool with a launch");
        let taken = shared.spare.lock().take();
        let worker = match taken {
            Some(spare) => spare,
            None => WorkerProcess::spawn(launch).map_err(spawn_failed)?,
        };
        // The next spare starts now, while this one finishes starting.
        if !shared.state.lock().closing {
            let mut spare = shared.spare.lock();
            if spare.is_none() {
                *spare = WorkerProcess::spawn(launch).ok();
            }
        }
        Python::attach(|py| worker.wait_ready(py, shared))?;
        Ok(worker)
    }

    fn stops(&self) -> Arc<dyn Stoppable> {
        Arc::clone(&self.control) as Arc<dyn Stoppable>
    }

    fn expect_job(&self) {
        let mut requested = self.control.requested.lock();
        if matches!(*requested, Some((_, StopKind::Abandon))) {
            *requested = None;
        }
    }

    fn run(
        &self,
        py: Python<'_>,
        shared: &Shared,
        job: u64,
        request: &Request,
        timeout: Option<Duration>,
    ) -> Ran {
        let header = frames::job_header(job, timeout);
        let (kind, body) = match job_body(py, request) {
            Ok(job) => job,
            Err(err) => return Ran::Done(Err(err)),
        };
        if body.len() >= frames::MAX_FRAME - header.len() {
            return Ran::Done(Err(pyo3::exceptions::PyValueError::new_err(format!(
                "the request is {} MB, over the {} MB a worker process accepts",
                body.len() >> 20,
                frames::MAX_FRAME >> 20
            ))));
        }
        let sent =
            py.detach(|| frames::write_frame(&mut *self.jobs.lock(), kind, &[&header, &body]));
        if sent.is_err() {
            // It did not read the whole job, so it cannot have begun it.
            return Ran::Undelivered(self.died(py));
        }
        let kill_at = timeout.map(|t| Instant::now() + t + KILL_GRACE);
        match self.exchange(py, shared, kill_at, &[frames::RETURN, frames::RAISE]) {
            Exchanged::Frame(frame) => Ran::Done(self.reply(py, frame)),
            Exchanged::Killed(why) => Ran::Done(Err(why.error(py, timeout, shared))),
            // Nothing sent back for the job, and some of it left unread: it was never begun. A
            // worker that took all of it may have run it, so it is not run again.
            Exchanged::Died { spoke: false } if self.jobs.lock().unread().unwrap_or(0) > 0 => {
                Ran::Undelivered(self.died(py))
            }
            Exchanged::Died { .. } => Ran::Done(Err(self.died(py))),
        }
    }

    fn used_heap_size(&self) -> usize {
        self.heap_used.load(Ordering::Relaxed)
    }

    fn spent(&self) -> bool {
        // Between calls a worker sends nothing: anything to read means it ended (or broke).
        self.spent.load(Ordering::Relaxed)
            || self.replies.try_lock().is_some_and(|r| {
                os_process::readable_within(r.file(), Some(Duration::ZERO)).unwrap_or(true)
            })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// A request as a job frame's kind and body.
fn job_body(py: Python<'_>, request: &Request) -> PyResult<(u8, Vec<u8>)> {
    match request {
        Request::Call { name, args } => {
            let call = PyTuple::new(
                py,
                [
                    name.into_pyobject(py)?.into_any(),
                    PyList::new(py, args)?.into_any(),
                ],
            )?;
            let body = wire::dumps(py, call.as_any()).map_err(|err| {
                PyTypeError::new_err(format!(
                    "args cannot be sent to a worker process (isolation='process' passes data, \
                     not Python objects): {err}"
                ))
            })?;
            Ok((frames::CALL, body))
        }
        Request::Evaluate { code } => Ok((frames::EVALUATE, code.as_bytes().to_vec())),
    }
}

/// How an exchange with the worker ended.
enum Exchanged {
    /// The frame it was waiting for.
    Frame(frames::Frame),
    /// The parent killed the worker.
    Killed(KillReason),
    /// The worker died, or broke the protocol (and was killed); `spoke`: it had sent a frame
    /// during the exchange.
    Died { spoke: bool },
}

enum KillReason {
    Timeout,
    Rss(u64),
    Stop(StopKind),
}

impl KillReason {
    fn error(&self, py: Python<'_>, timeout: Option<Duration>, shared: &Shared) -> PyErr {
        let grace = KILL_GRACE.as_secs_f64();
        match self {
            KillReason::Timeout => errors::js_error_of_kind(
                py,
                JsErrorKind::Timeout,
                "TimeoutError",
                &format!(
                    "JavaScript ran past its timeout of {} s and did not stop within {grace} s \
                     more, so its worker process was killed",
                    timeout.map_or(0.0, |t| t.as_secs_f64())
                ),
            ),
            KillReason::Rss(rss) => errors::js_error_of_kind(
                py,
                JsErrorKind::Memory,
                "OutOfMemoryError",
                &format!(
                    "the worker process reached {} MB of RSS, past max_rss_mb={}, and was killed",
                    rss >> 20,
                    shared
                        .config
                        .launch
                        .as_ref()
                        .and_then(|l| l.max_rss_mb)
                        .unwrap_or(0)
                ),
            ),
            KillReason::Stop(StopKind::Cancel) => errors::pool_closed(
                py,
                format!(
                    "the Pool was closed with cancel=True while this call ran, and its worker \
                     process, which did not stop within {grace} s, was killed"
                ),
            ),
            KillReason::Stop(StopKind::Abandon) => errors::js_error_new(
                py,
                "Error",
                "the call was cancelled by its caller and its worker process killed",
            ),
        }
    }
}

impl WorkerProcess {
    /// Starts a worker process and sends it the pool's code; it gets ready on its own.
    fn spawn(launch: &Launch) -> io::Result<Self> {
        let (jobs_in, jobs) = os_process::pipe_to_child()?;
        let (replies, replies_out) = os_process::pipe()?;
        let replies = ParentEnd::new(replies);
        let (control_in, control_out) = os_process::socket_pair()?;
        let mut command = Command::new(&launch.python);
        command
            .args(["-m", "v8ctx._worker"])
            .env("PYTHONPATH", &launch.python_path)
            .stdin(Stdio::from(jobs_in))
            .stdout(Stdio::from(replies_out))
            .stderr(Stdio::piped());
        code_cache::disk::pass_to(&mut command);
        let mut child = os_process::spawn_with_control(&mut command, &control_in)?;
        // The worker's ends are its own now: closing them here lets either side see the other go.
        drop(command);
        drop(control_in);
        let stderr = StderrTail::drain(ParentEnd::new(File::from(OwnedFd::from(
            child.stderr.take().expect("stderr is piped"),
        ))));
        // Sent from a thread: a large pool code fills the pipe before the worker reads it.
        let mut start_pipe = jobs.try_clone()?;
        let spec = Arc::clone(&launch.spec);
        std::thread::Builder::new()
            .name("v8ctx-worker-start".into())
            .spawn(move || {
                let _ = frames::write_frame(&mut start_pipe, frames::START, &[&spec]);
            })?;
        Ok(WorkerProcess {
            child,
            jobs: Mutex::new(jobs),
            replies: Mutex::new(FrameReader::new(replies)),
            control: Arc::new(Control {
                pipe: Mutex::new(Some(control_out)),
                requested: Mutex::new(None),
            }),
            stderr,
            heap_used: AtomicUsize::new(0),
            spent: AtomicBool::new(false),
            reaped: AtomicBool::new(false),
            console_raised: Mutex::new(None),
            parent: std::process::id(),
        })
    }

    /// Waits until the worker has its runtime and the pool's code loaded.
    fn wait_ready(&self, py: Python<'_>, shared: &Shared) -> PyResult<()> {
        match self.exchange(py, shared, None, &[frames::READY, frames::START_FAILED]) {
            Exchanged::Frame(frame) if frame.kind == frames::READY => {
                let (heap, _, _) =
                    frames::split_reply(&frame.payload).ok_or_else(|| self.broken(py))?;
                self.heap_used.store(heap, Ordering::Relaxed);
                Ok(())
            }
            Exchanged::Frame(frame) => Err(exception_from_worker(py, &frame.payload)),
            Exchanged::Killed(_) | Exchanged::Died { .. } => Err(self.died(py)),
        }
    }

    /// Serves the worker's console output and callbacks until it sends one of `wanted`, or the
    /// parent kills it (at `kill_at`, past `max_rss_mb`, or `KILL_GRACE` after a stop request).
    fn exchange(
        &self,
        py: Python<'_>,
        shared: &Shared,
        kill_at: Option<Instant>,
        wanted: &[u8],
    ) -> Exchanged {
        let max_rss = shared
            .config
            .launch
            .as_ref()
            .and_then(|l| l.max_rss_mb)
            .map(|mb| (mb as u64) << 20);
        let mut spoke = false;
        loop {
            let stop_kill_at = self.control.requested.lock().map(|(at, _)| at + KILL_GRACE);
            let poll = if max_rss.is_some() {
                RSS_POLL
            } else {
                STOP_POLL
            };
            let wake = [kill_at, stop_kill_at, Some(Instant::now() + poll)]
                .into_iter()
                .flatten()
                .min();
            let received = py.detach(|| self.replies.lock().next(wake));
            let now = Instant::now();
            if let Some(limit) = max_rss {
                if let Some(rss) = os_process::rss_bytes(self.child.id()).filter(|r| *r > limit) {
                    self.kill();
                    return Exchanged::Killed(KillReason::Rss(rss));
                }
            }
            let frame = match received {
                Ok(Received::Frame(frame)) => frame,
                Ok(Received::TimedOut) => {
                    if kill_at.is_some_and(|at| now >= at) {
                        self.kill();
                        return Exchanged::Killed(KillReason::Timeout);
                    }
                    if stop_kill_at.is_some_and(|at| now >= at) {
                        let kind = self.control.requested.lock().map(|(_, kind)| kind);
                        self.kill();
                        return Exchanged::Killed(KillReason::Stop(
                            kind.unwrap_or(StopKind::Cancel),
                        ));
                    }
                    continue;
                }
                Ok(Received::Closed) | Err(_) => return Exchanged::Died { spoke },
            };
            spoke = true;
            if wanted.contains(&frame.kind) {
                return Exchanged::Frame(frame);
            }
            let answered = match frame.kind {
                frames::CONSOLE => {
                    self.console(py, shared, &frame.payload);
                    Ok(())
                }
                frames::CALLBACK => self.answer_callback(py, shared, &frame.payload),
                _ => Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "unexpected frame",
                )),
            };
            if answered.is_err() {
                self.kill();
                return Exchanged::Died { spoke: true };
            }
        }
    }

    /// A `Return` or `Raise` frame as the call's result.
    fn reply(&self, py: Python<'_>, frame: frames::Frame) -> PyResult<Py<PyAny>> {
        let (heap, spent, body) =
            frames::split_reply(&frame.payload).ok_or_else(|| self.broken(py))?;
        self.heap_used.store(heap, Ordering::Relaxed);
        if spent {
            self.spent.store(true, Ordering::Relaxed);
        }
        if let Some(err) = self.console_raised.lock().take() {
            return Err(err);
        }
        if frame.kind == frames::RAISE {
            return Err(exception_from_worker(py, body));
        }
        wire::loads_from_worker(py, body).map(Bound::unbind)
    }

    fn console(&self, py: Python<'_>, shared: &Shared, payload: &[u8]) {
        let Some((level, message)) = payload.split_first() else {
            return;
        };
        let message = String::from_utf8_lossy(message);
        match host::emit(
            py,
            shared.config.console.as_ref(),
            u32::from(*level),
            &message,
        ) {
            Ok(()) => {}
            Err(err) if !err.is_instance_of::<pyo3::exceptions::PyException>(py) => {
                self.console_raised.lock().get_or_insert(err);
            }
            Err(err) => err.write_unraisable(py, None),
        }
    }

    /// Runs the exposed Python callable a worker's JavaScript called, and sends back what it
    /// returned or raised.
    fn answer_callback(&self, py: Python<'_>, shared: &Shared, payload: &[u8]) -> io::Result<()> {
        let outcome = (|| -> PyResult<Vec<u8>> {
            let (name, args): (String, Bound<'_, PyTuple>) =
                wire::loads_from_worker(py, payload)?.extract()?;
            let callable = shared
                .config
                .globals
                .iter()
                .find(|(exposed, _)| *exposed == name)
                .map(|(_, value)| value.bind(py))
                .ok_or_else(|| PyRuntimeError::new_err(format!("no exposed callable {name}")))?;
            let result = callable.call1(args)?;
            wire::dumps(py, &result).map_err(|err| {
                PyTypeError::new_err(format!(
                    "what globals[{name:?}] returned cannot be sent to the worker process: {err}"
                ))
            })
        })();
        let (kind, body) = match outcome {
            Ok(body) => (frames::CALLBACK_RETURN, body),
            Err(err) => (frames::CALLBACK_RAISE, wire::dumps_exception(py, err)),
        };
        py.detach(|| frames::write_frame(&mut *self.jobs.lock(), kind, &[&body]))
    }

    /// Kills the worker (it is reaped by `how_it_ended` or the drop).
    fn kill(&self) {
        self.spent.store(true, Ordering::Relaxed);
        if self.try_wait().is_none() {
            os_process::kill(self.child.id());
        }
    }

    /// The WorkerCrashedError of a worker that ended while it had a call (or was starting).
    fn died(&self, py: Python<'_>) -> PyErr {
        self.spent.store(true, Ordering::Relaxed);
        let how = py.detach(|| self.how_it_ended());
        let tail = py.detach(|| self.stderr.tail(Duration::from_millis(500)));
        let stderr = if tail.trim().is_empty() {
            "It wrote nothing to stderr.".to_string()
        } else {
            format!("Its last lines on stderr:\n{tail}")
        };
        errors::worker_crashed(
            py,
            format!(
                "the worker process (pid {}) {how}. {stderr}",
                self.child.id()
            ),
        )
    }

    fn broken(&self, py: Python<'_>) -> PyErr {
        self.kill();
        errors::worker_crashed(
            py,
            format!(
                "the worker process (pid {}) sent a malformed reply and was killed",
                self.child.id()
            ),
        )
    }

    /// Waits (briefly) for the worker to exit, and says how it did.
    fn how_it_ended(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(1);
        let status = loop {
            match self.try_wait() {
                Some(status) => break Some(status),
                None if Instant::now() >= deadline => break None,
                None => std::thread::sleep(Duration::from_millis(5)),
            }
        };
        match status {
            Some(None) => "ended (another wait of this process took its exit status)".to_string(),
            Some(Some(status)) => os_process::how_it_exited(status),
            None => {
                self.kill();
                "closed its pipe without exiting, and was killed".to_string()
            }
        }
    }

    /// None while the worker runs; once it ended, its status (None if someone else, such as
    /// an `os.wait()` of the user's, reaped it first). Reaps it.
    fn try_wait(&self) -> Option<Option<std::process::ExitStatus>> {
        if self.reaped.load(Ordering::Relaxed) {
            return Some(None);
        }
        let ended = match os_process::try_wait(self.child.id()) {
            Ok(None) => return None,
            Ok(Some(status)) => Some(std::process::ExitStatus::from_raw(status)),
            Err(_) => None,
        };
        self.reaped.store(true, Ordering::Relaxed);
        Some(ended)
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        if self.parent != std::process::id() {
            return; // the worker belongs to the parent this process was forked from
        }
        // Closing its control pipe ends the worker at once; it is killed if it lingers.
        drop(self.control.pipe.lock().take());
        let deadline = Instant::now() + Duration::from_millis(200);
        while Instant::now() < deadline {
            if self.try_wait().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        self.kill_and_reap();
    }
}

impl WorkerProcess {
    fn kill_and_reap(&mut self) {
        if self.try_wait().is_none() {
            os_process::kill(self.child.id());
            let _ = self.child.wait();
            self.reaped.store(true, Ordering::Relaxed);
        }
    }
}

/// What was asked of a running worker.
#[derive(Clone, Copy)]
enum StopKind {
    Abandon,
    Cancel,
}

/// The parent's end of a worker's control pipe: stop requests, read by the worker while its
/// JavaScript runs.
struct Control {
    /// None once the worker is let go.
    pipe: Mutex<Option<ParentEnd>>,
    /// The stop asked of the running call, and when: `KILL_GRACE` later the worker is killed.
    requested: Mutex<Option<(Instant, StopKind)>>,
}

impl Stoppable for Control {
    fn abandon(&self, job: u64) {
        let mut request = [0u8; 9];
        request[0] = frames::CONTROL_ABANDON;
        request[1..].copy_from_slice(&job.to_le_bytes());
        if let Some(pipe) = self.pipe.lock().as_mut() {
            let _ = pipe.write_all(&request);
        }
        self.requested
            .lock()
            .get_or_insert((Instant::now(), StopKind::Abandon));
    }

    fn cancel(&self) {
        if let Some(pipe) = self.pipe.lock().as_mut() {
            let _ = pipe.write_all(&[frames::CONTROL_CANCEL]);
        }
        *self.requested.lock() = Some((Instant::now(), StopKind::Cancel));
    }
}

fn spawn_failed(err: io::Error) -> PyErr {
    PyRuntimeError::new_err(format!("could not start a worker process: {err}"))
}

/// The exception a worker sent, as the parent raises it.
fn exception_from_worker(py: Python<'_>, body: &[u8]) -> PyErr {
    match wire::loads_from_worker(py, body) {
        Ok(value) => PyErr::from_value(value),
        Err(err) => err,
    }
}
