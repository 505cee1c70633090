"""The command line, ``python -m v8ctx``: run in subprocesses, the REPL through a pseudo-terminal.

* ``-e CODE`` prints the value as a Python repr (``--json``: as JSON); a file runs as a script,
  a ``.mjs`` file (or ``--module``) as an ES module that may import its neighbours.
* Console output is printed (log to stdout, warn and error to stderr).
* A JavaScript error prints its stack to stderr and exits with status 1; ``--timeout``,
  ``--max-heap-mb`` and ``--seed`` are the Context's.
* With no argument, a REPL keeps its state between lines, reads multi-line input, and survives
  errors, timeouts and Ctrl-C; Ctrl-D ends it with status 0.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time

import pytest

from _subprocess import _child_env


def cli(*args: str, stdin: str | None = None, cwd: str | None = None, timeout: float = 60):
    return subprocess.run(
        [sys.executable, "-m", "v8ctx", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_child_env(),
        cwd=cwd,
        timeout=timeout,
    )


def test_eval_prints_the_value_as_a_python_repr():
    done = cli("-e", "[1, 'a', {b: null}, 2n ** 60n]")
    assert (done.returncode, done.stdout, done.stderr) == (0, "[1, 'a', {'b': None}, 1152921504606846976]\n", "")


def test_eval_with_json_prints_json():
    done = cli("--json", "-e", "({when: new Date(0), bytes: new Uint8Array([1, 2]), s: 'é'})")
    assert done.stdout == '{"when": "1970-01-01T00:00:00+00:00", "bytes": [1, 2], "s": "é"}\n'


def test_json_writes_nan_and_the_infinities_as_null_as_json_stringify_does():
    done = cli("--json", "-e", "({a: NaN, b: [Infinity, -Infinity, 1.5]})")
    assert (done.returncode, done.stdout) == (0, '{"a": null, "b": [null, null, 1.5]}\n')


@pytest.mark.parametrize(
    "args, message",
    [
        (("--json", "-e", "(() => 1)"), "v8ctx: JSFunction has no JSON form\n"),
        (("-e", "const a = []; a[0] = a; a"), "v8ctx: result[0] contains itself (a reference cycle), which Python values cannot express\n"),
    ],
    ids=["no-json-form", "cycle"],
)
def test_a_result_that_cannot_be_shown_is_a_one_line_error_with_status_1(args, message):
    # It was a Python traceback.
    done = cli(*args)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", message)


def test_piped_input_goes_on_after_a_result_that_cannot_be_shown():
    done = cli("--json", stdin="const a = []; a[0] = a; a\n(() => 1)\n6 * 7\n")
    assert (done.returncode, done.stdout) == (0, "42\n")
    assert done.stderr.count("v8ctx: ") == 2


def test_console_output_is_printed_log_to_stdout_and_errors_to_stderr():
    done = cli("-e", "console.log('out', 1); console.warn('careful'); console.error('bad'); 7")
    assert done.stdout == "out 1\n7\n"
    assert done.stderr == "careful\nbad\n"


def test_a_javascript_error_prints_its_stack_and_exits_with_status_1():
    done = cli("-e", "function boom() { throw new RangeError('no') }\nboom()")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("RangeError: no\n    at boom (<v8ctx>:1:")


def test_timeout_stops_the_evaluation_with_status_1():
    done = cli("--timeout", "0.5", "-e", "for (;;) {}")
    assert done.returncode == 1
    assert "ran past its timeout of 0.5 s" in done.stderr


def test_max_heap_mb_bounds_the_heap():
    done = cli("--max-heap-mb", "32", "-e", "let a = []; while (true) a.push(new Array(1000).fill(1))")
    assert done.returncode == 1 and "used up its heap" in done.stderr


def test_seed_makes_math_random_reproducible():
    first, second = (cli("--seed", "42", "-e", "Math.random()").stdout for _ in range(2))
    assert first == second and 0 < float(first) < 1


def test_a_script_file_runs_and_prints_nothing_but_its_console(tmp_path):
    script = tmp_path / "hello.js"
    script.write_text("#!/usr/bin/env v8ctx\nconst n = 6 * 7;\nconsole.log('n is', n);\nn\n")
    done = cli(str(script))
    assert (done.returncode, done.stdout, done.stderr) == (0, "n is 42\n", "")


def test_a_module_file_imports_its_neighbours(tmp_path):
    (tmp_path / "lib.mjs").write_text("export const twice = (x) => x * 2;\n")
    (tmp_path / "main.mjs").write_text("import { twice } from './lib.mjs';\nconsole.log(twice(21));\n")
    done = cli(str(tmp_path / "main.mjs"))
    assert (done.returncode, done.stdout, done.stderr) == (0, "42\n", "")


def test_an_error_in_a_script_file_names_its_line(tmp_path):
    script = tmp_path / "bad.js"
    script.write_text("let ok = 1;\nthrow new Error('line two');\n")
    done = cli(str(script))
    assert done.returncode == 1 and done.stderr.startswith(f"Error: line two\n    at {script}:2:")


def test_a_missing_file_exits_with_status_2(tmp_path):
    done = cli(str(tmp_path / "nowhere.js"))
    assert done.returncode == 2 and "nowhere.js" in done.stderr


def test_eval_and_a_file_together_are_refused():
    done = cli("-e", "1", "x.js")
    assert done.returncode == 2 and "not both" in done.stderr


def test_piped_input_is_read_as_a_session_without_prompts():
    done = cli(stdin="let x = 2\nfunction f() {\n  return x * 21\n}\nf()\nthrow new Error('boom')\nf() + 1\n")
    assert done.returncode == 0
    assert done.stdout == "42\n43\n"
    assert done.stderr.startswith("Error: boom")


class Terminal:
    """``python -m v8ctx`` on a pseudo-terminal: what a user at a terminal sees and types."""

    def __init__(self, *args: str):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: becomes the CLI
            os.environ.update(_child_env())
            os.environ["HOME"] = os.environ.get("V8CTX_TEST_HOME", "/tmp")
            os.execv(sys.executable, [sys.executable, "-m", "v8ctx", *args])
        self.seen = ""

    def read_until(self, text: str, within: float = 30) -> str:
        deadline = time.monotonic() + within
        while text not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise AssertionError(f"never saw {text!r}; the terminal showed:\n{self.seen}")
            try:
                self.seen += os.read(self.fd, 4096).decode("utf-8", "replace")
            except OSError:  # the CLI ended
                raise AssertionError(f"ended before {text!r}; the terminal showed:\n{self.seen}")
        before, _, self.seen = self.seen.partition(text)
        return before

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def line(self, text: str) -> str:
        """Types a line and returns what was printed before the next prompt."""
        self.type(text + "\n")
        self.read_until(text)
        return self.read_until("> ").strip()

    def end(self) -> int:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                self.fd = None
                return os.waitstatus_to_exitcode(status)
            try:
                os.read(self.fd, 4096)
            except OSError:
                pass
            time.sleep(0.02)
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError("the REPL did not exit")


@pytest.fixture
def repl(tmp_path, monkeypatch):
    monkeypatch.setenv("V8CTX_TEST_HOME", str(tmp_path))
    terminal = Terminal("--timeout", "1")
    terminal.read_until("> ")
    yield terminal
    if terminal.fd is not None:
        try:
            os.kill(terminal.pid, signal.SIGKILL)
            os.waitpid(terminal.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def test_repl_keeps_state_between_lines_and_reads_multi_line_input(repl):
    assert repl.line("let x = 20") == ""
    repl.type("function f(y) {\n")
    repl.read_until("... ")
    assert repl.line("  return x + y }") == ""
    assert repl.line("f(22)") == "42"
    assert repl.line("({a: [1, 2]})") == "{'a': [1, 2]}"
    repl.type("\x04")  # Ctrl-D
    assert repl.end() == 0


def test_repl_survives_errors_timeouts_and_ctrl_c(repl):
    assert "ReferenceError: nope is not defined" in repl.line("nope + 1")
    assert "ran past its timeout of 1 s" in repl.line("for (;;) {}")
    repl.type("let spins = 0; while (true) spins++\n")
    time.sleep(0.3)
    repl.type("\x03")  # Ctrl-C while JavaScript runs
    assert "KeyboardInterrupt" in repl.read_until("> ")
    assert repl.line("spins > 0") == "True"
    repl.type("\x04")
    assert repl.end() == 0


def test_repl_saves_its_history(repl, tmp_path):
    repl.line("1 + 1")
    repl.type("\x04")
    assert repl.end() == 0
    assert "1 + 1" in (tmp_path / ".v8ctx_history").read_text()
