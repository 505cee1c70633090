//! The operating-system calls of process workers, the only `unsafe` of `pool/`: pipes, starting
//! a worker with its control pipe at fd 3, waiting for a pipe with a deadline, reading a
//! worker's RSS, killing it, and a worker's own descriptors and exit.
//!
//! Every descriptor made here is close-on-exec, so no other child of the parent (a
//! `subprocess.Popen`, another pool's worker) inherits one: a worker notices its parent is gone
//! because the parent held the last write end of its control pipe (`process_child.rs`).

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
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
pub fn readable_within(file: &File, wait: Option<Duration>) -> io::Result<bool> {
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
    // SAFETY: kill has no memory preconditions; `pid` is a child this pool has not reaped yet,
    // so the number cannot have been reused by another process.
    unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
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

/// In a worker: its three pipes (jobs in, replies out, control in). The replies pipe arrives as
/// stdout; it is moved away and stdout becomes a copy of stderr, so a stray print in the worker
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
