//! The pipe protocol between a process-isolated Pool and its worker processes.
//!
//! A frame is a little-endian u32 length (of what follows), a kind byte, and a payload. Values
//! travel as pickles (`v8ctx._process_wire`): the worker converts them to and from JavaScript
//! with the same codecs an in-process Context uses, so the rules and the errors (with their
//! paths) are the same; the parent unpickles only data and v8ctx's exceptions from a worker.
//!
//! Parent to worker, on the jobs pipe: `Start` once, then one job at a time (`Call` or
//! `Evaluate`), and while a job runs, the answers to its callbacks. Worker to parent, on the
//! replies pipe: `Ready` or `StartFailed`, then per job any number of `Console` and `Callback`
//! frames and one `Return` or `Raise`. The control pipe carries single stop requests
//! (`CONTROL_*`), read by a thread of the worker while its main thread runs JavaScript.

use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use super::os_process::readable_within;

/// Frame kinds, parent to worker.
pub const START: u8 = 1;
pub const CALL: u8 = 2;
pub const EVALUATE: u8 = 3;
pub const CALLBACK_RETURN: u8 = 4;
pub const CALLBACK_RAISE: u8 = 5;
/// Frame kinds, worker to parent.
pub const READY: u8 = 16;
pub const START_FAILED: u8 = 17;
pub const RETURN: u8 = 18;
pub const RAISE: u8 = 19;
pub const CONSOLE: u8 = 20;
pub const CALLBACK: u8 = 21;

/// Control requests: terminate job `id` (followed by its u64), or everything (the Pool closes).
pub const CONTROL_ABANDON: u8 = b'a';
pub const CONTROL_CANCEL: u8 = b'c';

/// A frame over `MAX_FRAME` is refused as a corrupt stream rather than allocated.
pub const MAX_FRAME: usize = 1 << 31;

pub struct Frame {
    pub kind: u8,
    pub payload: Vec<u8>,
}

/// Writes one frame whose payload is the concatenation of `parts`, as one buffer.
pub fn write_frame(out: &mut impl Write, kind: u8, parts: &[&[u8]]) -> io::Result<()> {
    let length: usize = 1 + parts.iter().map(|p| p.len()).sum::<usize>();
    let length = u32::try_from(length)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a frame over 4 GB"))?;
    let mut frame = Vec::with_capacity(5 + length as usize);
    frame.extend_from_slice(&length.to_le_bytes());
    frame.push(kind);
    for part in parts {
        frame.extend_from_slice(part);
    }
    out.write_all(&frame)
}

/// How waiting for a frame ended.
pub enum Received {
    Frame(Frame),
    /// Nothing complete arrived before the deadline.
    TimedOut,
    /// The other side closed its end: it exited or died.
    Closed,
}

/// Reads frames from a pipe through a buffer, waiting at most until a deadline.
pub struct FrameReader<R> {
    file: R,
    /// Always initialized to its full length; `start..end` is what was read and not taken.
    buffer: Vec<u8>,
    start: usize,
    end: usize,
}

/// The buffer a reader keeps between frames.
const BUFFER: usize = 64 * 1024;

impl<R: Read + AsRawFd> FrameReader<R> {
    pub fn new(file: R) -> Self {
        FrameReader {
            file,
            buffer: vec![0; BUFFER],
            start: 0,
            end: 0,
        }
    }

    pub fn file(&self) -> &R {
        &self.file
    }

    /// The next frame, or why there is none by `deadline` (None: wait as long as it takes).
    pub fn next(&mut self, deadline: Option<Instant>) -> io::Result<Received> {
        loop {
            if let Some(frame) = self.take_frame()? {
                return Ok(Received::Frame(frame));
            }
            let wait = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            if wait == Some(Duration::ZERO) || !readable_within(&self.file, wait)? {
                return Ok(Received::TimedOut);
            }
            if self.fill()? == 0 {
                return Ok(Received::Closed);
            }
        }
    }

    /// The next frame, waiting as long as it takes; None if the pipe closed first.
    pub fn next_blocking(&mut self) -> io::Result<Option<Frame>> {
        match self.next(None)? {
            Received::Frame(frame) => Ok(Some(frame)),
            // Without a deadline only a closed pipe ends the wait.
            Received::Closed | Received::TimedOut => Ok(None),
        }
    }

    fn fill(&mut self) -> io::Result<usize> {
        // Make room: move the unread part to the front, and grow for a frame that needs more.
        if self.start > 0 {
            self.buffer.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        let needed = self.pending_frame_len().max(self.end + 1);
        if needed > self.buffer.len() {
            self.buffer.resize(needed.next_power_of_two(), 0);
        } else if self.end == 0 && self.buffer.len() > BUFFER {
            // A large frame passed: do not keep its memory for the pool's life.
            self.buffer = vec![0; BUFFER];
        }
        loop {
            match self.file.read(&mut self.buffer[self.end..]) {
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err),
                Ok(read) => {
                    self.end += read;
                    return Ok(read);
                }
            }
        }
    }

    /// The length of the frame whose header is buffered (0 before a header is complete).
    fn pending_frame_len(&self) -> usize {
        let unread = &self.buffer[self.start..self.end];
        if unread.len() < 4 {
            return 0;
        }
        4 + u32::from_le_bytes([unread[0], unread[1], unread[2], unread[3]]) as usize
    }

    fn take_frame(&mut self) -> io::Result<Option<Frame>> {
        let total = self.pending_frame_len();
        if total == 0 || self.end - self.start < total {
            if total > MAX_FRAME || (total != 0 && total < 5) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a corrupt frame in a worker pipe",
                ));
            }
            return Ok(None);
        }
        let frame = Frame {
            kind: self.buffer[self.start + 4],
            payload: self.buffer[self.start + 5..self.start + total].to_vec(),
        };
        self.start += total;
        Ok(Some(frame))
    }
}

/// A job's header: its id and its timeout in seconds (negative: none).
pub fn job_header(id: u64, timeout: Option<Duration>) -> [u8; 16] {
    let mut header = [0u8; 16];
    header[..8].copy_from_slice(&id.to_le_bytes());
    let seconds = timeout.map_or(-1.0, |t| t.as_secs_f64());
    header[8..].copy_from_slice(&seconds.to_le_bytes());
    header
}

/// The id, timeout and body of a job frame's payload.
pub fn split_job(payload: &[u8]) -> Option<(u64, Option<Duration>, &[u8])> {
    let id = u64::from_le_bytes(payload.get(..8)?.try_into().ok()?);
    let seconds = f64::from_le_bytes(payload.get(8..16)?.try_into().ok()?);
    let timeout = (seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    Some((id, timeout, &payload[16..]))
}

/// A reply's header: the worker's heap in use, and whether it can serve no more calls.
pub fn reply_header(heap_used: usize, spent: bool) -> [u8; 9] {
    let mut header = [0u8; 9];
    header[..8].copy_from_slice(&(heap_used as u64).to_le_bytes());
    header[8] = spent as u8;
    header
}

/// The heap in use, spent flag and body of a `Ready`, `Return` or `Raise` payload.
pub fn split_reply(payload: &[u8]) -> Option<(usize, bool, &[u8])> {
    let heap = u64::from_le_bytes(payload.get(..8)?.try_into().ok()?);
    Some((heap as usize, *payload.get(8)? != 0, &payload[9..]))
}

/// The console of JavaScript in a child process (a worker, the snapshot maker): it sends each
/// line as a `CONSOLE` frame, through `send`, to the parent, whose console it is.
#[pyo3::pyclass(frozen)]
pub struct ConsoleToFrames {
    send: fn(u8, &[&[u8]]) -> pyo3::PyResult<()>,
}

impl ConsoleToFrames {
    /// A console callable sending through `send`.
    pub fn callable(
        py: pyo3::Python<'_>,
        send: fn(u8, &[&[u8]]) -> pyo3::PyResult<()>,
    ) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
        Ok(pyo3::Bound::new(py, ConsoleToFrames { send })?
            .into_any()
            .unbind())
    }
}

#[pyo3::pymethods]
impl ConsoleToFrames {
    fn __call__(&self, name: &str, message: &str) -> pyo3::PyResult<()> {
        let level = crate::host::level_number(name) as u8;
        (self.send)(CONSOLE, &[&[level], message.as_bytes()])
    }
}
