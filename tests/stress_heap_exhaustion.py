"""Reproduction harness for V8 aborts around heap exhaustion (issue #17, section 2).

A fresh-clone CI run once died with SIGTRAP and V8's "Fatal error in v8::HandleScope::CreateHandle():
Cannot create a handle without a HandleScope" in
tests/test_limits.py::test_heap_exhaustion_in_a_called_function_raises_memory_error. This script runs
heap-exhaustion scenarios many times, each in a fresh interpreter, several at once (so they compete
for the CPU, which shifts the timing of V8's GC and background threads and of v8ctx's keeper
isolate), and reports every child killed by a signal together with the tail of its stderr.

It is a standalone script, not a pytest module (``tests/test_heap_stress.py`` runs it in a bounded
form)::

    python tests/stress_heap_exhaustion.py                       # 200 runs, 2 at a time
    nice -n 19 python tests/stress_heap_exhaustion.py --all --runs 3000 --parallel 3 --core
    python tests/stress_heap_exhaustion.py --scenarios call_first,pool --runs 500
    python tests/stress_heap_exhaustion.py --core                # core dumps -> gdb backtrace
    python tests/stress_heap_exhaustion.py --gdb --runs 50       # every child under gdb -batch
    python tests/stress_heap_exhaustion.py --list

The default runs every scenario but the "slow" ones (several seconds a run: --all adds them).
Children import a private copy of the installed module (see `snapshot`), so a rebuild during a
long run neither changes the build under test nor breaks symbolizing its cores.

Scenarios marked "known" (a separate abort already being fixed: one huge ``new Array(2**26)``)
only run when named with ``--scenarios`` or with ``--known``; their crashes are counted apart and
do not make the exit status nonzero.

Exit status: 0 if no child of a non-known scenario crashed (signal), failed (exit code or output)
or timed out; 1 otherwise.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import dataclasses
import glob
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

HANDLESCOPE_MESSAGE = "Cannot create a handle without a HandleScope"

# --------------------------------------------------------------------------------------------------
# Scenarios. Each is a snippet run with `python -c`; it prints "OK" as its last line when everything
# it checks held. Snippets start with `import v8ctx` and nothing else v8ctx-related, so unless stated
# the first Context is created by the snippet itself (and with it the keeper isolate's thread).

HOG_PUSH = "function hog() { const a = []; while (true) a.push(new Array(10000).fill(1)) }"
HOG_STRINGS = (
    "function hog() { const a = []; let i = 0;"
    " while (true) { let s = ''; for (let j = 0; j < 64; j++) s += 'abcdefgh' + (i++); a.push(s) } }"
)
HOG_MAP = "function hog() { const m = new Map(); let i = 0; while (true) { m.set(i, {i, s: 'k' + i, n: [i, i]}); i++ } }"
HOG_SHAPES = (
    "function hog() { const a = []; let i = 0;"
    " while (true) { const o = {}; o['k' + (i % 4096)] = i; o['j' + (i++ % 17)] = o; a.push(o) } }"
)
HOG_HUGE = "function hog() { return new Array(2**26).fill(1) }"

# A library long enough (>= 1 KB) for a code cache to be made the second time it is compiled.
LIBRARY = "var lib = {};\n" + "".join(
    f"lib.f{i} = function (x) {{ return x * {i} + {i} * {i} - (x >> {i % 7}); }};\n" for i in range(40)
)

EXPECT_MEMORY_ERROR = """
def expect_memory_error(run, what="heap exhaustion"):
    try:
        run()
    except v8ctx.JSMemoryError:
        return
    except BaseException as e:
        raise AssertionError(f"{what}: {type(e).__name__}: {e}")
    raise AssertionError(f"{what}: no JSMemoryError")
"""


@dataclasses.dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    code: str
    timeout: float = 60.0
    known: bool = False  # a known, separately tracked abort
    slow: bool = False  # seconds per run: only with --all (or named), not in the bounded default


def _snippet(body: str) -> str:
    return "import v8ctx\n" + EXPECT_MEMORY_ERROR + textwrap.dedent(body)


def _call_first(hog: str, mb: int = 64) -> str:
    # Exactly the shape of test_heap_exhaustion_in_a_called_function_raises_memory_error.
    return _snippet(
        f"""
        ctx = v8ctx.Context(max_heap_mb={mb})
        ctx.compile({hog!r})
        expect_memory_error(lambda: ctx.call("hog"))
        assert ctx.closed
        print("OK")
        """
    )


SCENARIOS: list[Scenario] = [
    Scenario(
        "call_first",
        "the CI test verbatim: first Context (keeper isolate starting alongside), ctx.call of a "
        "function pushing arrays into a 64 MB heap",
        _call_first(HOG_PUSH),
    ),
    Scenario(
        "evaluate_first",
        "as call_first, but the loop runs at the top level of ctx.evaluate",
        _snippet(
            """
            ctx = v8ctx.Context(max_heap_mb=64)
            expect_memory_error(lambda: ctx.evaluate("const a = []; while (true) a.push(new Array(10000).fill(1))"))
            assert ctx.closed
            print("OK")
            """
        ),
    ),
    Scenario(
        "call_after_keeper",
        "as call_first, but waits until the keeper isolate surely exists (tells the keeper race apart)",
        _snippet(
            f"""
            import time
            ctx = v8ctx.Context(max_heap_mb=64)
            ctx.compile({HOG_PUSH!r})
            time.sleep(0.3)
            expect_memory_error(lambda: ctx.call("hog"))
            print("OK")
            """
        ),
    ),
    Scenario("strings_first", "as call_first, allocating strings (32 MB)", _call_first(HOG_STRINGS, mb=32)),
    Scenario("map_first", "as call_first, filling a Map with small objects (32 MB)", _call_first(HOG_MAP, mb=32)),
    Scenario("shapes_first", "as call_first, objects of thousands of shapes (map churn; 32 MB)", _call_first(HOG_SHAPES, mb=32), slow=True),
    Scenario("small_heap_first", "as call_first with the smallest heap (16 MB)", _call_first(HOG_PUSH, mb=16)),
    Scenario(
        "thread",
        "first Context created and exhausted on a non-main thread (no Ctrl-C arming)",
        _snippet(
            f"""
            import threading
            errors = []
            def run():
                try:
                    ctx = v8ctx.Context(max_heap_mb=64)
                    ctx.compile({HOG_PUSH!r})
                    expect_memory_error(lambda: ctx.call("hog"))
                    after = v8ctx.Context()
                    assert after.evaluate("6 * 7") == 42
                except BaseException as e:
                    errors.append(repr(e))
            t = threading.Thread(target=run)
            t.start()
            t.join()
            assert not errors, errors
            print("OK")
            """
        ),
    ),
    Scenario(
        "two_threads",
        "two threads exhaust their own Contexts at the same moment",
        _snippet(
            f"""
            import threading
            errors = []
            barrier = threading.Barrier(2)
            def run():
                try:
                    ctx = v8ctx.Context(max_heap_mb=64)
                    ctx.compile({HOG_PUSH!r})
                    barrier.wait()
                    expect_memory_error(lambda: ctx.call("hog"))
                except BaseException as e:
                    errors.append(repr(e))
            threads = [threading.Thread(target=run) for _ in range(2)]
            for t in threads: t.start()
            for t in threads: t.join()
            assert not errors, errors
            print("OK")
            """
        ),
    ),
    Scenario(
        "four_threads",
        "four threads exhaust their own Contexts at once, each disposing its isolate while the others collect garbage",
        _snippet(
            f"""
            import threading
            errors = []
            barrier = threading.Barrier(4)
            def run(i):
                try:
                    ctx = v8ctx.Context(max_heap_mb=32)
                    ctx.compile(({HOG_PUSH!r}, {HOG_STRINGS!r}, {HOG_MAP!r}, {HOG_PUSH!r})[i])
                    barrier.wait()
                    expect_memory_error(lambda: ctx.call("hog"))
                except BaseException as e:
                    errors.append(repr(e))
            threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
            for t in threads: t.start()
            for t in threads: t.join()
            assert not errors, errors
            print("OK")
            """
        ),
        slow=True,
    ),
    Scenario(
        "exhaust_beside_churn",
        "one thread exhausts and disposes its Context while another churns garbage (GC running) in its own",
        _snippet(
            f"""
            import threading
            errors = []
            started = threading.Event()
            def churn():
                try:
                    ctx = v8ctx.Context(max_heap_mb=64)
                    started.set()
                    for _ in range(3):
                        ctx.evaluate("(() => {{ let t = 0; for (let i = 0; i < 300000; i++) {{ const o = {{i, a: new Array(20).fill(i)}}; t += o.a.length }} return t }})()")
                except BaseException as e:
                    errors.append(repr(e))
            t = threading.Thread(target=churn)
            t.start()
            started.wait()
            ctx = v8ctx.Context(max_heap_mb=32)
            ctx.compile({HOG_PUSH!r})
            expect_memory_error(lambda: ctx.call("hog"))
            t.join()
            assert not errors, errors
            print("OK")
            """
        ),
    ),
    Scenario(
        "two_threads_loop",
        "two threads, each exhausting and disposing five 16 MB Contexts in a row, out of step with each other",
        _snippet(
            f"""
            import threading
            errors = []
            def run(i):
                try:
                    for round in range(5):
                        ctx = v8ctx.Context(max_heap_mb=16)
                        ctx.compile(({HOG_PUSH!r}, {HOG_STRINGS!r})[(i + round) % 2])
                        expect_memory_error(lambda: ctx.call("hog"))
                        del ctx
                except BaseException as e:
                    errors.append(repr(e))
            threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
            for t in threads: t.start()
            for t in threads: t.join()
            assert not errors, errors
            print("OK")
            """
        ),
        slow=True,
    ),
    Scenario(
        "others_alive",
        "three other Contexts alive (one with a code-cache candidate) during and after the exhaustion",
        _snippet(
            f"""
            lib = {LIBRARY!r}
            others = [v8ctx.Context() for _ in range(3)]
            for o in others:
                o.compile(lib)        # second and third compile: code-cache candidates
                assert o.evaluate("lib.f3(2)") == 6 + 9 - 0
            ctx = v8ctx.Context(max_heap_mb=64)
            ctx.compile(lib)
            ctx.compile({HOG_PUSH!r})
            expect_memory_error(lambda: ctx.call("hog"))
            for o in others:
                assert o.evaluate("lib.f1(1)") == 1 + 1 - 0
            del ctx
            for o in others:
                o.close()
            print("OK")
            """
        ),
    ),
    Scenario(
        "code_cache_candidate",
        "the exhausted Context has code caches due (library compiled twice in the process) and is then disposed",
        _snippet(
            f"""
            lib = {LIBRARY!r}
            first = v8ctx.Context()
            first.compile(lib)
            first.close()
            ctx = v8ctx.Context(max_heap_mb=64)
            ctx.compile(lib + {HOG_PUSH!r})   # not the same source: a fresh candidate
            ctx.compile(lib)                  # second compile of lib: a cache is due
            expect_memory_error(lambda: ctx.call("hog"))
            again = v8ctx.Context()
            again.compile(lib)
            assert again.evaluate("lib.f2(3)") == 6 + 4 - 0
            print("OK")
            """
        ),
    ),
    Scenario(
        "unhandled_rejection",
        "an unhandled rejection is pending when the heap runs out (report_unhandled_rejections after a termination)",
        _snippet(
            f"""
            ctx = v8ctx.Context(max_heap_mb=64, console=lambda level, message: None)
            ctx.compile({HOG_PUSH!r})
            expect_memory_error(lambda: ctx.evaluate("Promise.reject(new Error('pending')); hog()"))
            print("OK")
            """
        ),
    ),
    Scenario(
        "async_microtask",
        "the heap runs out in a microtask (after an await), during the microtask checkpoint",
        _snippet(
            f"""
            ctx = v8ctx.Context(max_heap_mb=64)
            ctx.compile({HOG_PUSH!r} + "; async function later() {{ await 0; hog() }}")
            expect_memory_error(lambda: ctx.call("later"))
            print("OK")
            """
        ),
    ),
    Scenario(
        "async_timer",
        "the heap runs out in a setTimeout callback, inside deno_core's event loop (settle)",
        _snippet(
            f"""
            ctx = v8ctx.Context(max_heap_mb=64)
            ctx.compile({HOG_PUSH!r})
            expect_memory_error(lambda: ctx.evaluate("new Promise(r => setTimeout(() => r(hog()), 1))"))
            print("OK")
            """
        ),
    ),
    Scenario(
        "console_in_loop",
        "JavaScript calls into Python (console) while it fills the heap",
        _snippet(
            """
            seen = []
            ctx = v8ctx.Context(max_heap_mb=64, console=lambda level, message: seen.append(message))
            expect_memory_error(lambda: ctx.evaluate(
                "const a = []; while (true) { a.push(new Array(10000).fill(1)); if (a.length % 50 == 0) console.log(a.length) }"))
            assert seen
            print("OK")
            """
        ),
    ),
    Scenario(
        "script_call",
        "a loaded Script's function exhausts the heap (Script.call)",
        _snippet(
            f"""
            ctx = v8ctx.Context(max_heap_mb=64)
            script = ctx.load({HOG_PUSH!r})
            expect_memory_error(lambda: script.call("hog"))
            del script
            print("OK")
            """
        ),
    ),
    Scenario(
        "repeat",
        "three Contexts exhausted one after the other in one process, each disposed by the next",
        _snippet(
            f"""
            for hog in ({HOG_PUSH!r}, {HOG_STRINGS!r}, {HOG_MAP!r}):
                ctx = v8ctx.Context(max_heap_mb=32)
                ctx.compile(hog)
                expect_memory_error(lambda: ctx.call("hog"))
            print("OK")
            """
        ),
    ),
    Scenario(
        "gc_after",
        "gc() and heap_stats() on another Context right after the exhaustion, then interpreter exit with it open",
        _snippet(
            f"""
            keep = v8ctx.Context()
            ctx = v8ctx.Context(max_heap_mb=64)
            ctx.compile({HOG_PUSH!r})
            expect_memory_error(lambda: ctx.call("hog"))
            keep.gc()
            assert keep.heap_stats()["used_heap_size"] > 0
            print("OK")
            """
        ),
    ),
    Scenario(
        "pool",
        "Pool(code, workers=2, max_heap_mb=32): two concurrent calls exhaust both workers, which rebuild",
        _snippet(
            f"""
            import threading
            pool = v8ctx.Pool({HOG_PUSH!r} + "; function ok(x) {{ return x + 1 }}", workers=2, max_heap_mb=32)
            errors = []
            def run():
                try:
                    expect_memory_error(lambda: pool.call("hog"), "pool.call")
                except BaseException as e:
                    errors.append(repr(e))
            threads = [threading.Thread(target=run) for _ in range(2)]
            for t in threads: t.start()
            for t in threads: t.join()
            assert not errors, errors
            expect_memory_error(lambda: pool.evaluate("const a = []; while (true) a.push(new Array(10000).fill(1))"), "pool.evaluate")
            assert [pool.call("ok", [i]) for i in range(4)] == [1, 2, 3, 4]
            pool.close()
            print("OK")
            """
        ),
    ),
    Scenario(
        "pool_first_call",
        "Pool whose very first call (workers still starting) exhausts the heap, then exit with the pool open",
        _snippet(
            f"""
            pool = v8ctx.Pool({HOG_STRINGS!r}, workers=2, max_heap_mb=32)
            expect_memory_error(lambda: pool.call("hog"))
            print("OK")
            """
        ),
        slow=True,
    ),
    Scenario(
        "huge_array",
        "KNOWN separate abort: one huge new Array(2**26).fill(1) (heap limit raised until V8 gives up)",
        _call_first(HOG_HUGE),
        timeout=120.0,
        known=True,
    ),
]

BY_NAME = {s.name: s for s in SCENARIOS}

# --------------------------------------------------------------------------------------------------
# Running children


@dataclasses.dataclass
class Outcome:
    scenario: str
    index: int
    kind: str  # "ok", "crash", "fail", "timeout"
    returncode: int | None
    signal_name: str | None
    seconds: float
    stdout: str
    stderr: str
    backtrace: str = ""
    so_mtime: str = ""  # the build the child loaded (mtime of the extension module when it started)

    @property
    def handlescope(self) -> bool:
        return HANDLESCOPE_MESSAGE in self.stderr or HANDLESCOPE_MESSAGE in self.backtrace


# Where children import v8ctx from: the installed package, or a private copy of it (`snapshot`).
_IMPORT_ROOT: str | None = None


def _installed_root() -> str | None:
    """The directory the v8ctx package is imported from, without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("v8ctx")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.dirname(os.path.abspath(list(spec.submodule_search_locations)[0]))


def _v8ctx_path() -> str | None:
    return _IMPORT_ROOT or _installed_root()


def _module_file(root: str | None = None) -> str | None:
    path = root or _v8ctx_path()
    if path is None:
        return None
    found = glob.glob(os.path.join(path, "v8ctx", "_v8ctx*.so"))
    return found[0] if found else None


def snapshot(directory: str | None = None) -> str | None:
    """Copies the installed v8ctx package to a private directory and makes children import it.

    The module may be rebuilt and reinstalled while the harness runs: a child starting mid-install
    then dies of SIGBUS in dlopen, and a core can only be symbolized against the exact binary that
    made it. The copy is named after the module's mtime and kept (cores refer to it by path).
    """
    global _IMPORT_ROOT
    root = _installed_root()
    module = _module_file(root)
    if module is None:
        return None
    for _ in range(20):  # wait out an install in progress: the mtime must be stable for a moment
        before = os.stat(module)
        time.sleep(0.5)
        after = os.stat(module)
        if (before.st_mtime_ns, before.st_size) == (after.st_mtime_ns, after.st_size):
            break
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(os.path.getmtime(module)))
    base = directory or tempfile.gettempdir()
    target = os.path.join(base, f"v8ctx-stress-build-{stamp}")
    if not os.path.exists(os.path.join(target, "v8ctx")):
        staging = target + f".tmp{os.getpid()}"
        shutil.copytree(os.path.join(root, "v8ctx"), os.path.join(staging, "v8ctx"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        try:
            os.rename(staging, target)
        except OSError:  # another harness made it meanwhile
            shutil.rmtree(staging, ignore_errors=True)
    _IMPORT_ROOT = target
    return target


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONFAULTHANDLER"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    path = _v8ctx_path()
    if path:
        env["PYTHONPATH"] = os.pathsep.join([path] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


def _signal_name(returncode: int | None) -> str | None:
    if returncode is None or returncode >= 0:
        return None
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


GDB_COMMANDS = [
    "-iex", "set debuginfod enabled off",
    "-ex", "set pagination off",
    "-ex", "set print thread-events off",
    "-ex", "handle SIGPIPE nostop noprint pass",
]


def _gdb_command(code: str) -> list[str]:
    return [
        "gdb", "-q", "-batch", "-nx", *GDB_COMMANDS,
        "-ex", "run",
        "-ex", "echo \\n==== crashing thread ====\\n",
        "-ex", "bt 40",
        "-ex", "echo \\n==== all threads ====\\n",
        "-ex", "thread apply all bt 30",
        "--args", sys.executable, "-c", code,
    ]


def _parse_gdb(output: str) -> tuple[int | None, str]:
    """(child returncode as subprocess would report it, backtrace text) from gdb -batch output."""
    import re

    m = re.search(r'(?:Program|Thread \d+ "[^"]*"|Thread \d+) (?:received|terminated with) signal (SIG\w+)', output)
    if m:
        try:
            number = signal.Signals[m.group(1)].value
        except KeyError:
            number = 255
        start = output.find("==== crashing thread ====")
        return -number, output[start:] if start >= 0 else output[m.start():]
    m = re.search(r"exited with code (\d+)", output)
    if m:
        return int(m.group(1), 8), ""
    if "exited normally" in output:
        return 0, ""
    return None, ""


def _core_backtrace(core: str) -> str:
    try:
        out = subprocess.run(
            ["gdb", "-q", "-batch", "-nx", *GDB_COMMANDS,
             "-ex", "echo \\n==== crashing thread ====\\n", "-ex", "bt 40",
             "-ex", "echo \\n==== all threads ====\\n", "-ex", "thread apply all bt 30",
             sys.executable, core],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300,
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"(gdb on {core} failed: {e})"
    start = out.find("==== crashing thread ====")
    return out[start:] if start >= 0 else out


def run_one(scenario: Scenario, index: int, use_gdb: bool, use_core: bool, keep_dir: str | None) -> Outcome:
    code = scenario.code
    workdir = tempfile.mkdtemp(prefix=f"v8ctx-stress-{scenario.name}-")
    core_dumps = use_core and not scenario.known  # the known abort would dump ~600 MB every run

    def limits() -> None:
        os.setsid()
        if core_dumps:
            resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

    argv = _gdb_command(code) if use_gdb else [sys.executable, "-c", code]
    module = _module_file()
    so_mtime = time.strftime("%H:%M:%S", time.localtime(os.path.getmtime(module))) if module else ""
    start = time.monotonic()
    proc = subprocess.Popen(
        argv, cwd=workdir, env=_child_env(), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=limits,
    )
    timeout = scenario.timeout * (4 if use_gdb else 1)
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGABRT)  # faulthandler prints every thread's traceback
            out, err = proc.communicate(timeout=10)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            out, err = proc.communicate()
    seconds = time.monotonic() - start
    stdout = out.decode("utf-8", "replace")
    stderr = err.decode("utf-8", "replace")
    returncode: int | None = proc.returncode
    backtrace = ""
    if use_gdb:
        returncode, backtrace = _parse_gdb(stdout)
        # gdb prints the program's output and its own to the same streams; keep both.
        stderr = stderr + ("\n---- gdb ----\n" + stdout[-20000:] if returncode not in (0,) else "")
    if timed_out:
        kind = "timeout"
    elif returncode is not None and returncode < 0:
        kind = "crash"
    elif returncode == 0 and stdout.rstrip().endswith("OK"):
        kind = "ok"
    elif use_gdb and returncode == 0 and "OK" in stdout:
        kind = "ok"
    else:
        kind = "fail"
    if kind == "crash" and core_dumps and not use_gdb:
        cores = sorted(glob.glob(os.path.join(workdir, "core*")))
        if cores:
            backtrace = _core_backtrace(cores[0])
            if keep_dir:
                os.makedirs(keep_dir, exist_ok=True)
                kept = os.path.join(keep_dir, f"core.{scenario.name}.{index}.{proc.pid}")
                shutil.move(cores[0], kept)
                backtrace = f"(core kept at {kept})\n" + backtrace
        else:
            backtrace = "(no core file: check `ulimit -c` and /proc/sys/kernel/core_pattern)"
    shutil.rmtree(workdir, ignore_errors=True)
    return Outcome(scenario.name, index, kind, returncode, _signal_name(returncode), seconds, stdout, stderr,
                   backtrace, so_mtime)


# --------------------------------------------------------------------------------------------------
# Driver


def _tail(text: str, lines: int) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def run_all(
    scenarios: list[Scenario],
    runs: int,
    parallel: int,
    use_gdb: bool = False,
    use_core: bool = False,
    keep_dir: str | None = None,
    progress: bool = True,
    stop_after_crashes: int = 0,
    on_outcome=None,
) -> list[Outcome]:
    """Runs `runs` children in total, round-robin over `scenarios`, `parallel` at a time."""
    plan = [(scenarios[i % len(scenarios)], i) for i in range(runs)]
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    stop = threading.Event()
    started = time.monotonic()

    def job(item):
        scenario, index = item
        if stop.is_set():
            return None
        outcome = run_one(scenario, index, use_gdb, use_core, keep_dir)
        with lock:
            outcomes.append(outcome)
            if on_outcome:
                on_outcome(outcome)
            bad = outcome.kind != "ok"
            if bad and not BY_NAME.get(outcome.scenario, scenario).known:
                print(f"\n!!! {outcome.kind} in {outcome.scenario}#{outcome.index}: "
                      f"rc={outcome.returncode} {outcome.signal_name or ''} after {outcome.seconds:.1f} s",
                      file=sys.stderr, flush=True)
                print(_tail(outcome.stderr, 25), file=sys.stderr, flush=True)
                crashes = sum(1 for o in outcomes if o.kind == "crash" and not BY_NAME[o.scenario].known)
                if stop_after_crashes and crashes >= stop_after_crashes:
                    stop.set()
            if progress and (len(outcomes) % 50 == 0 or len(outcomes) == runs):
                counts = collections.Counter(o.kind for o in outcomes)
                print(f"[{time.monotonic() - started:7.1f} s] {len(outcomes)}/{runs} "
                      + " ".join(f"{k}={v}" for k, v in sorted(counts.items())), file=sys.stderr, flush=True)
        return outcome

    with concurrent.futures.ThreadPoolExecutor(max_workers=parallel) as executor:
        list(executor.map(job, plan))
    return outcomes


def summarize(outcomes: list[Outcome], tail_lines: int = 30) -> tuple[str, int]:
    """A report, and the number of bad (non-ok) outcomes of non-known scenarios."""
    lines = []
    module = _module_file()
    if module:
        lines.append(f"module: {module} (mtime {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(os.path.getmtime(module)))})")
    by = collections.defaultdict(list)
    for o in outcomes:
        by[o.scenario].append(o)
    lines.append(f"{'scenario':24} {'runs':>5} {'ok':>5} {'crash':>5} {'fail':>5} {'tmo':>4} {'hscope':>6}  mean s  signals")
    bad_total = 0
    for name in [s.name for s in SCENARIOS if s.name in by]:
        group = by[name]
        kinds = collections.Counter(o.kind for o in group)
        signals = collections.Counter(o.signal_name for o in group if o.signal_name)
        hs = sum(o.handlescope for o in group)
        mean = sum(o.seconds for o in group) / len(group)
        known = BY_NAME[name].known
        if not known:
            bad_total += len(group) - kinds["ok"]
        lines.append(f"{name + (' (known)' if known else ''):24} {len(group):5} {kinds['ok']:5} {kinds['crash']:5} "
                     f"{kinds['fail']:5} {kinds['timeout']:4} {hs:6}  {mean:6.2f}  "
                     + ", ".join(f"{k}x{v}" for k, v in signals.items()))
    total = collections.Counter(o.kind for o in outcomes)
    lines.append(f"total: {len(outcomes)} runs, " + ", ".join(f"{k}={v}" for k, v in sorted(total.items()))
                 + f"; HandleScope aborts: {sum(o.handlescope for o in outcomes)}")
    shown = 0
    for o in outcomes:
        if o.kind == "ok" or (BY_NAME[o.scenario].known and shown >= 1):
            continue
        shown += 1
        lines.append("")
        lines.append(f"===== {o.kind}: {o.scenario}#{o.index} rc={o.returncode} {o.signal_name or ''} "
                     f"after {o.seconds:.1f} s, build {o.so_mtime}{' [HandleScope]' if o.handlescope else ''} =====")
        lines.append("--- stdout tail ---")
        lines.append(_tail(o.stdout, 5))
        lines.append("--- stderr tail ---")
        lines.append(_tail(o.stderr, tail_lines))
        if o.backtrace:
            lines.append("--- backtrace ---")
            lines.append(o.backtrace[:12000])
        if shown >= 20:
            lines.append("(more bad runs not shown)")
            break
    return "\n".join(lines), bad_total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200, help="children in total (default 200)")
    parser.add_argument("--parallel", type=int, default=2, help="children at once (default 2)")
    parser.add_argument("--scenarios", default="",
                        help="comma-separated scenario names (default: all but the slow and the known ones)")
    parser.add_argument("--all", action="store_true", help="also run the slow scenarios (several seconds each)")
    parser.add_argument("--known", action="store_true", help="also run the known-abort scenarios")
    parser.add_argument("--gdb", action="store_true", help="run every child under gdb -batch (backtrace of a crash)")
    parser.add_argument("--core", action="store_true",
                        help="enable core dumps in children (ulimit -c unlimited, per-run cwd) and print a gdb "
                             "backtrace from the core of a crashed child")
    parser.add_argument("--keep-cores", metavar="DIR", help="with --core: move core files of crashes to DIR")
    parser.add_argument("--stop-after", type=int, default=0, metavar="N", help="stop after N crashes (0: never)")
    parser.add_argument("--json", metavar="FILE", help="append one JSON line per run to FILE")
    parser.add_argument("--no-snapshot", action="store_true",
                        help="children import the installed module itself, not a private copy of it "
                             "(a rebuild during the run then changes the build under test)")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)

    if args.list:
        for s in SCENARIOS:
            print(f"{s.name:22} {'[known] ' if s.known else ''}{'[slow] ' if s.slow else ''}{s.description}")
        return 0
    if args.scenarios:
        unknown = [n for n in args.scenarios.split(",") if n not in BY_NAME]
        if unknown:
            parser.error(f"unknown scenarios: {unknown}; --list shows them")
        scenarios = [BY_NAME[n] for n in args.scenarios.split(",")]
    else:
        scenarios = [s for s in SCENARIOS if (args.known or not s.known) and (args.all or not s.slow)]
    if (args.gdb or args.core) and not shutil.which("gdb"):
        parser.error("gdb is not installed")
    if args.core:
        try:
            with open("/proc/sys/kernel/core_pattern") as f:
                pattern = f.read().strip()
        except OSError:
            pattern = "?"
        if pattern.startswith("|"):
            print(f"warning: core_pattern pipes cores to {pattern!r}; no core file will appear in the "
                  "child's directory (use --gdb instead)", file=sys.stderr)
    json_file = open(args.json, "a") if args.json else None
    if not args.no_snapshot:
        snapshot()

    def record(o: Outcome) -> None:
        if json_file:
            json_file.write(json.dumps({
                "time": time.time(), "so_mtime": o.so_mtime, "scenario": o.scenario, "kind": o.kind, "rc": o.returncode,
                "signal": o.signal_name, "seconds": round(o.seconds, 3), "handlescope": o.handlescope,
                "stderr_tail": _tail(o.stderr, 40) if o.kind != "ok" else "",
                "backtrace": o.backtrace[:20000] if o.kind != "ok" else "",
            }) + "\n")
            json_file.flush()

    module = _module_file()
    if module and not args.quiet:
        print(f"module {module}, mtime {time.ctime(os.path.getmtime(module))}; {args.runs} runs, "
              f"{args.parallel} at a time, over {', '.join(s.name for s in scenarios)}", file=sys.stderr)
    outcomes = run_all(scenarios, args.runs, args.parallel, args.gdb, args.core, args.keep_cores,
                       progress=not args.quiet, stop_after_crashes=args.stop_after, on_outcome=record)
    report, bad = summarize(outcomes)
    print(report)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
