//! The caller's side of `Snapshot.create`: starts the maker process (`maker.rs`), sends the
//! request, relays the console, and turns how the process ended into bytes or an exception.

use std::os::fd::OwnedFd;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pyo3::exceptions::{PyException, PyRuntimeError};
use pyo3::prelude::*;

use super::maker::{self, Request};
use crate::errors;
use crate::execute;
use crate::host;
use crate::pool::frames::{self, FrameReader, Received};
use crate::pool::os_process::{self, ParentEnd};
use crate::pool::stderr_tail::StderrTail;
use crate::pool::{launch_here, wire};

/// How often Ctrl-C is looked for while the maker runs.
const POLL: Duration = Duration::from_millis(50);

/// How long past the timeout the maker may take to stop by itself (it also has to serialize
/// the heap) before it is killed.
const GRACE: Duration = Duration::from_secs(10);

/// The maker process, and its stdin, which stays open while the caller waits: closing it (or
/// the caller's death) ends the maker. Dropping kills it unless it ended: an early return leaves
/// no process behind.
struct Maker {
    child: Child,
    _stdin: ParentEnd,
}

impl Drop for Maker {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// The sealed snapshot the maker made of `request`.
pub fn make(
    py: Python<'_>,
    request: &Request<'_>,
    console: Option<&Py<PyAny>>,
) -> PyResult<Vec<u8>> {
    let spec = request.to_spec(py)?;
    let launch = launch_here(py, Vec::new(), None)?;
    // A pipe of the pool's kind, so a maker that dies while the request is written never raises
    // SIGPIPE here.
    let (maker_stdin, stdin) = os_process::pipe_to_child()?;
    let child = Command::new(&launch.python)
        .args(["-m", "v8ctx._snapshot"])
        .env("PYTHONPATH", &launch.python_path)
        .stdin(Stdio::from(maker_stdin))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| {
            PyRuntimeError::new_err(format!(
                "Snapshot.create could not start the process that makes the snapshot: {err}"
            ))
        })?;
    let mut to_maker = stdin.try_clone()?;
    let mut maker = Maker {
        child,
        _stdin: stdin,
    };
    let stderr: Arc<StderrTail> = StderrTail::drain(maker.child.stderr.take().expect("piped"));
    // Written from a thread: a large request fills the pipe before the maker reads it all.
    std::thread::Builder::new()
        .name("v8ctx-snapshot-request".into())
        .spawn(move || {
            let _ = frames::write_frame(&mut to_maker, frames::START, &[&spec]);
        })?;
    let stdout = std::fs::File::from(OwnedFd::from(maker.child.stdout.take().expect("piped")));
    let mut answers = FrameReader::new(ParentEnd::new(stdout));
    let backstop = request.timeout.map(|t| Instant::now() + t + GRACE);
    loop {
        let received = py.detach(|| answers.next(Some(Instant::now() + POLL)))?;
        match received {
            Received::Frame(frame) if frame.kind == maker::CONSOLE => {
                let Some((level, message)) = frame.payload.split_first() else {
                    continue;
                };
                let message = String::from_utf8_lossy(message);
                match host::emit(py, console, u32::from(*level), &message) {
                    Ok(()) => {}
                    Err(err) if err.is_instance_of::<PyException>(py) => {
                        err.write_unraisable(py, None)
                    }
                    // Ctrl-C or exit from the console: the maker is killed as the guard drops.
                    Err(err) => return Err(err),
                }
            }
            Received::Frame(frame) if frame.kind == maker::MADE => return Ok(frame.payload),
            Received::Frame(frame) if frame.kind == maker::RAISED => {
                let exception = wire::loads_from_worker(py, &frame.payload)?;
                return Err(PyErr::from_value(exception));
            }
            Received::Frame(_) => {
                return Err(PyRuntimeError::new_err(
                    "the process making the snapshot sent a frame it should not",
                ))
            }
            Received::TimedOut => {
                py.check_signals()?;
                if backstop.is_some_and(|b| Instant::now() >= b) {
                    return Err(execute::timeout_error(py, request.timeout));
                }
            }
            Received::Closed => {
                let status = py.detach(|| maker.child.wait())?;
                return Err(errors::snapshot_error(
                    py,
                    format!(
                        "the process making the snapshot {} before it was done (V8 aborts on \
                         what it cannot put in a snapshot, and when the heap runs out); its \
                         last lines on stderr:\n{}",
                        os_process::how_it_exited(status),
                        stderr.tail(Duration::from_secs(1))
                    ),
                ));
            }
        }
    }
}
