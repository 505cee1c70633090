//! The operating-system calls of process workers, the only `unsafe` of `pool/`: pipes and
//! socket pairs, starting a worker with its control socket at fd 3, waiting for a pipe with a
//! deadline, what a dead worker left unread, reading a worker's RSS, killing it, and a worker's
//! own descriptors and exit.
//!
//! A worker notices its parent is gone because the parent held the last other end of its control
//! socket (`process_child.rs`), so no other process may keep one. Every descriptor made here is
//! close-on-exec, so no exec'd child of the parent (a `subprocess.Popen`, another worker) keeps
//! one; and the ends the parent keeps are `ParentEnd`s, which a child forked without exec
//! (multiprocessing's fork, a prefork server) closes at once (`close_parent_ends_in_child`).
//!
//! A worker that died never raises SIGPIPE in the parent, even where a program restored
//! SIGPIPE's default action: the parent writes to sockets with `send(MSG_NOSIGNAL)`, and to its
//! one kind of pipe it writes (a worker's jobs) with SIGPIPE blocked in the writing thread.
//!
//! A worker's jobs travel on a pipe rather than a socket because a pipe keeps what its reader
//! left unread after the reader died (a socket drops it): so the parent can tell a job the
//! worker never took (`ParentEnd::unread`) from one it died running.

use std::fs::File;
use std::io::{self, Read};
use std::mem::ManuallyDrop;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Once;
use std::time::Duration;

/// The descriptor a worker finds its control pipe at.
pub const CONTROL_FD: RawFd = 3;

/// A pipe: (read end, write end), both close-on-exec.
pub fn pipe() -> io::Result<(File, File)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so both are fresh descriptors owned by nobody else.
    Ok(unsafe { (File::from_raw_fd(fds[0]), File::from_raw_fd(fds[1])) })
}

/// A pipe the parent writes to: (the child's read end, the parent's write end).
pub fn pipe_to_child() -> io::Result<(File, ParentEnd)> {
    let (read, write) = pipe()?;
    Ok((read, ParentEnd::of_kind(write, EndKind::PipeWriter)))
}

/// A socket pair: (the worker's end, the parent's end), both close-on-exec.
pub fn socket_pair() -> io::Result<(File, ParentEnd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` has room for the two descriptors socketpair writes.
    let made = unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_STREAM | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    };
    if made != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: socketpair succeeded, so both are fresh descriptors owned by nobody else.
    Ok(unsafe {
        (
            File::from_raw_fd(fds[0]),
            ParentEnd::new(File::from_raw_fd(fds[1])),
        )
    })
}

/// The parent's end of a worker's pipe or socket. In a child forked from the parent it is
/// closed at the fork and never again: its number may belong to another file there by then.
pub struct ParentEnd {
    file: ManuallyDrop<File>,
    process: u32,
    kind: EndKind,
}

/// How a `ParentEnd` is written to without SIGPIPE.
#[derive(Clone, Copy)]
enum EndKind {
    /// A socket (or a pipe's read end, never written): `send(MSG_NOSIGNAL)`.
    Socket,
    /// A pipe's write end: `write` with SIGPIPE blocked (`write_without_sigpipe`).
    PipeWriter,
}

impl ParentEnd {
    pub fn new(file: File) -> Self {
        ParentEnd::of_kind(file, EndKind::Socket)
    }

    fn of_kind(file: File, kind: EndKind) -> Self {
        register(file.as_raw_fd());
        ParentEnd {
            file: ManuallyDrop::new(file),
            process: std::process::id(),
            kind,
        }
    }

    pub fn try_clone(&self) -> io::Result<ParentEnd> {
        Ok(ParentEnd::of_kind(self.file.try_clone()?, self.kind))
    }

    /// How many bytes written to this pipe its reader has not read. They stay after the reader
    /// died, until this end closes too; so a dead worker's jobs pipe tells what never reached it.
    pub fn unread(&self) -> io::Result<usize> {
        let mut count: libc::c_int = 0;
        // SAFETY: FIONREAD writes one int, into `count`; on a pipe it counts the bytes buffered,
        // from either end.
        if unsafe { libc::ioctl(self.file.as_raw_fd(), libc::FIONREAD, &mut count) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(count.max(0) as usize)
    }
}

impl Drop for ParentEnd {
    fn drop(&mut self) {
        if self.process != std::process::id() {
            return; // closed at the fork (`close_parent_ends_in_child`)
        }
        // Unregistered before it is closed, so a fork in between never closes a reused number.
        unregister(self.file.as_raw_fd());
        // SAFETY: dropped once, here; `file` is not used after.
        unsafe { ManuallyDrop::drop(&mut self.file) };
    }
}

impl Read for ParentEnd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self.file).read(buf)
    }
}

impl AsRawFd for ParentEnd {
    fn as_raw_fd(&self) -> RawFd {
        self.file.as_raw_fd()
    }
}

impl io::Write for ParentEnd {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let fd = self.file.as_raw_fd();
        match self.kind {
            EndKind::Socket => {
                // SAFETY: `buf` is valid for `buf.len()` bytes; the descriptor is open while
                // `self` is.
                let sent =
                    unsafe { libc::send(fd, buf.as_ptr().cast(), buf.len(), libc::MSG_NOSIGNAL) };
                written_or_error(sent)
            }
            EndKind::PipeWriter => write_without_sigpipe(fd, buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn written_or_error(written: isize) -> io::Result<usize> {
    if written < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(written as usize)
    }
}

/// `write(fd, buf)` with SIGPIPE blocked in this thread meanwhile. A write that finds the
/// reader gone raises SIGPIPE for this thread, and fails with EPIPE or, if the reader left
/// mid-write, returns short; either way the signal is taken from the pending ones here, so it
/// never reaches the process once the mask is restored. One pending before is left there.
fn write_without_sigpipe(fd: RawFd, buf: &[u8]) -> io::Result<usize> {
    // SAFETY: the sigset calls write only to the local sets; the mask change is this thread's
    // and undone before returning; sigtimedwait with a zero timeout only takes a pending SIGPIPE,
    // blocked here, so no handler can be running for it; `buf` is valid for `buf.len()` bytes
    // and the descriptor is open while its `ParentEnd` is.
    unsafe {
        let mut sigpipe: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut sigpipe);
        libc::sigaddset(&mut sigpipe, libc::SIGPIPE);
        let sigpipe_pending = || {
            let mut pending: libc::sigset_t = std::mem::zeroed();
            libc::sigpending(&mut pending);
            libc::sigismember(&pending, libc::SIGPIPE) == 1
        };
        let was_pending = sigpipe_pending();
        let mut old_mask: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_BLOCK, &sigpipe, &mut old_mask);
        let written = written_or_error(libc::write(fd, buf.as_ptr().cast(), buf.len()));
        // A complete write cannot have found the reader gone.
        let short = !matches!(written, Ok(n) if n == buf.len());
        if short && !was_pending && sigpipe_pending() {
            let now = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            libc::sigtimedwait(&sigpipe, std::ptr::null_mut(), &now);
        }
        libc::pthread_sigmask(libc::SIG_SETMASK, &old_mask, std::ptr::null_mut());
        written
    }
}

/// The descriptors of live `ParentEnd`s (-1: a free slot), for a forked child to close. Atomics,
/// because the child's fork handler may take no lock: one held at the fork is held for good.
static PARENT_ENDS: [AtomicI32; 4096] = [const { AtomicI32::new(-1) }; 4096];

fn register(fd: RawFd) {
    static HANDLER: Once = Once::new();
    HANDLER.call_once(|| {
        // SAFETY: registers a handler that only loads and stores atomics and calls close, which
        // are async-signal-safe, as a fork child handler must be.
        unsafe { libc::pthread_atfork(None, None, Some(close_parent_ends_in_child)) };
    });
    // Past 4096 live ends a forked child keeps the rest (and its workers live until it exits).
    let _ = PARENT_ENDS.iter().find(|slot| {
        slot.compare_exchange(-1, fd, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
    });
}

fn unregister(fd: RawFd) {
    if let Some(slot) = PARENT_ENDS
        .iter()
        .find(|slot| slot.load(Ordering::Acquire) == fd)
    {
        slot.store(-1, Ordering::Release);
    }
}

extern "C" fn close_parent_ends_in_child() {
    for slot in &PARENT_ENDS {
        let fd = slot.swap(-1, Ordering::AcqRel);
        if fd >= 0 {
            // SAFETY: the descriptor was the parent's end of a worker's channel; in this child
            // nothing but the inherited (and never dropped) `ParentEnd` refers to it.
            unsafe { libc::close(fd) };
        }
    }
}

/// Starts `command` with `control` (a pipe's read end) as its fd 3, in a process group of its
/// own, so a Ctrl-C at the terminal reaches the parent (which stops its calls) and not the
/// workers.
pub fn spawn_with_control(command: &mut Command, control: &File) -> io::Result<Child> {
    let control = control.as_raw_fd();
    command.process_group(0);
    // SAFETY: the closure runs in the forked child before exec, where only async-signal-safe
    // calls are allowed: dup2 and fcntl are. dup2 clears close-on-exec on the copy; when the pipe
    // already is fd 3 there is no copy, so the flag is cleared by hand.
    unsafe {
        command.pre_exec(move || {
            let ok = if control == CONTROL_FD {
                libc::fcntl(CONTROL_FD, libc::F_SETFD, 0) == 0
            } else {
                libc::dup2(control, CONTROL_FD) == CONTROL_FD
            };
            if ok {
                Ok(())
            } else {
                Err(io::Error::last_os_error())
            }
        })
    };
    command.spawn()
}

/// Whether `file` has something to read (or reached its end) within `wait`; None waits forever.
pub fn readable_within(file: &impl AsRawFd, wait: Option<Duration>) -> io::Result<bool> {
    let timeout_ms = wait.map_or(-1, |w| w.as_millis().min(i32::MAX as u128) as i32);
    let mut poll = libc::pollfd {
        fd: file.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    loop {
        // SAFETY: one valid pollfd, and its count.
        let ready = unsafe { libc::poll(&mut poll, 1, timeout_ms) };
        if ready >= 0 {
            return Ok(ready > 0);
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// The resident set of process `pid` in bytes (everything it touched: V8's heap, ArrayBuffers,
/// WebAssembly memory, Python), or None once it is gone.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * page.max(4096) as u64)
}

/// Kills process `pid` at once (it is then reaped by whoever waits for it).
pub fn kill(pid: u32) {
    // SAFETY: kill has no memory preconditions; the caller made sure `pid` is a child not yet
    // reaped (`try_wait` just now), so the number cannot have been reused by another process.
    unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
}

/// How child `pid` ended, without waiting: Ok(None) while it runs; Err if it is no longer a
/// child to wait for (reaped by someone else: `os.wait()`, a SIGCHLD handler).
pub fn try_wait(pid: u32) -> io::Result<Option<i32>> {
    let mut status = 0;
    // SAFETY: waitpid with WNOHANG on one pid; `status` is ours to write.
    let done = unsafe { libc::waitpid(pid as libc::pid_t, &mut status, libc::WNOHANG) };
    match done {
        0 => Ok(None),
        d if d == pid as libc::pid_t => Ok(Some(status)),
        _ => Err(io::Error::last_os_error()),
    }
}

/// The name of signal `signal` ("SIGSEGV"), as the user would look it up.
pub fn signal_name(signal: i32) -> String {
    let known = [
        (libc::SIGSEGV, "SIGSEGV"),
        (libc::SIGABRT, "SIGABRT"),
        (libc::SIGTRAP, "SIGTRAP"),
        (libc::SIGKILL, "SIGKILL"),
        (libc::SIGBUS, "SIGBUS"),
        (libc::SIGILL, "SIGILL"),
        (libc::SIGFPE, "SIGFPE"),
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGINT, "SIGINT"),
        (libc::SIGPIPE, "SIGPIPE"),
    ];
    known
        .iter()
        .find(|(number, _)| *number == signal)
        .map_or_else(|| format!("signal {signal}"), |(_, name)| name.to_string())
}

/// In a worker: its three channels (jobs in, replies out, control in). The replies pipe arrives
/// as stdout; it is moved away and stdout becomes a copy of stderr, so a stray print in the worker
/// cannot corrupt the replies.
pub fn worker_pipes() -> io::Result<(File, File, File)> {
    // SAFETY: fds 0, 1 and 3 were set up by `spawn_with_control` and nothing else in the worker
    // owns them; dup makes a new descriptor, dup2 replaces fd 1, which is then unused.
    unsafe {
        let replies = libc::fcntl(1, libc::F_DUPFD_CLOEXEC, CONTROL_FD + 1);
        if replies < 0 || libc::dup2(2, 1) != 1 {
            return Err(io::Error::last_os_error());
        }
        let jobs = OwnedFd::from_raw_fd(0);
        let control = OwnedFd::from_raw_fd(CONTROL_FD);
        Ok((
            File::from(jobs),
            File::from_raw_fd(replies),
            File::from(control),
        ))
    }
}

/// Ends the worker process now, without running Python's exit (its parent is gone, or left it).
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit has no preconditions; it ends the process without running destructors.
    unsafe { libc::_exit(code) }
}

/// How a child that ended did: "was killed by SIGKILL", "exited with status 1".
pub fn how_it_exited(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.signal(), status.code()) {
        (Some(signal), _) => format!("was killed by {}", signal_name(signal)),
        (None, Some(code)) => format!("exited with status {code}"),
        (None, None) => "ended".to_string(),
    }
}
