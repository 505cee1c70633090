//! A child process's stderr, copied to the parent's stderr as it comes, with its tail kept for
//! the message that says how the child died.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};

/// How many bytes of a child's stderr are kept for its crash report.
const STDERR_TAIL: usize = 4096;

/// A child's stderr, copied to the parent's stderr as it comes, with its tail kept.
pub(crate) struct StderrTail {
    tail: Mutex<(VecDeque<u8>, bool)>,
    closed: Condvar,
}

impl StderrTail {
    pub(crate) fn drain(mut stderr: impl Read + Send + 'static) -> Arc<Self> {
        let tail = Arc::new(StderrTail {
            tail: Mutex::new((VecDeque::new(), false)),
            closed: Condvar::new(),
        });
        let filling = Arc::clone(&tail);
        let drained = std::thread::Builder::new()
            .name("v8ctx-child-stderr".into())
            .spawn(move || {
                let mut chunk = [0u8; 8192];
                while let Ok(read @ 1..) = stderr.read(&mut chunk) {
                    let _ = io::stderr().write_all(&chunk[..read]);
                    let mut kept = filling.tail.lock();
                    kept.0.extend(&chunk[..read]);
                    let excess = kept.0.len().saturating_sub(STDERR_TAIL);
                    kept.0.drain(..excess);
                }
                filling.tail.lock().1 = true;
                filling.closed.notify_all();
            });
        if drained.is_err() {
            tail.tail.lock().1 = true;
        }
        tail
    }

    /// The last lines, once the child closed its stderr (waiting at most `wait` for that).
    pub(crate) fn tail(&self, wait: Duration) -> String {
        let mut kept = self.tail.lock();
        if !kept.1 {
            self.closed.wait_for(&mut kept, wait);
        }
        let text = String::from_utf8_lossy(kept.0.make_contiguous()).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        let last = &lines[lines.len().saturating_sub(12)..];
        last.iter().map(|l| format!("  {l}\n")).collect()
    }
}
