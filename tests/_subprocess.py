"""Run a Python snippet in a fresh interpreter.

Anything that could take the interpreter down (threads, fork, thousands of isolates) runs through
``run_python``, so that a V8 abort or a deadlock fails one test instead of killing the pytest process.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import textwrap

import pytest

__all__ = ["run_python"]

# After a timeout the child gets SIGABRT first (faulthandler then prints every thread's Python
# traceback, which is what you want to see for a deadlock), and SIGKILL if it is still alive after this.
_GRACE_AFTER_ABORT = 10.0


def _v8ctx_search_path() -> str | None:
    """The directory the parent would import ``v8ctx`` from, without importing it."""
    try:
        spec = importlib.util.find_spec("v8ctx")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    package_dir = list(spec.submodule_search_locations)[0]
    return os.path.dirname(os.path.abspath(package_dir))


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONFAULTHANDLER"] = "1"  # tracebacks of all threads on SIGSEGV/SIGABRT/...
    env["PYTHONUNBUFFERED"] = "1"  # keep what was printed before a crash
    env["PYTHONIOENCODING"] = "utf-8"
    search_path = _v8ctx_search_path()
    if search_path:
        parts = [search_path] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        env["PYTHONPATH"] = os.pathsep.join(parts)
    return env


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _describe_returncode(returncode: int) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = "unknown signal"
        return f"killed by signal {-returncode} ({name})"
    return f"exit code {returncode}"


def _decode(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", errors="replace")


def _report(headline: str, script: str, stdout: str, stderr: str) -> str:
    numbered = "\n".join(f"{i:4d}  {line}" for i, line in enumerate(script.splitlines(), 1))
    return (
        f"{headline}\n"
        f"----- script -----\n{numbered}\n"
        f"----- stdout -----\n{stdout}\n"
        f"----- stderr -----\n{stderr}"
    )


def run_python(code: str, timeout: float = 120) -> str:
    """Run ``textwrap.dedent(code)`` with ``sys.executable -c`` and return its stdout.

    Fails the calling test (showing the return code or signal, stdout and stderr) if the child exits
    with a nonzero status, is killed by a signal, or runs longer than ``timeout`` seconds.
    """
    script = textwrap.dedent(code)
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_child_env(),
        start_new_session=True,  # its own process group: a timeout also kills forked grandchildren
    )
    timed_out = False
    try:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _signal_group(proc, signal.SIGABRT)
            try:
                out, err = proc.communicate(timeout=_GRACE_AFTER_ABORT)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                out, err = proc.communicate()
    finally:
        if proc.poll() is None:  # interrupted (e.g. Ctrl-C): leave nothing behind
            _signal_group(proc, signal.SIGKILL)
            proc.wait()

    stdout, stderr = _decode(out), _decode(err)
    if timed_out:
        pytest.fail(
            _report(
                f"subprocess timed out after {timeout} s (then {_describe_returncode(proc.returncode)})",
                script,
                stdout,
                stderr,
            )
        )
    if proc.returncode != 0:
        pytest.fail(_report(f"subprocess failed: {_describe_returncode(proc.returncode)}", script, stdout, stderr))
    return stdout
