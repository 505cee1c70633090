"""v8ctx.Pool(isolation="process"): what only a process-isolated Pool does.

Its methods and semantics are a thread Pool's (the fixture-based tests of test_pool.py run with
both isolations); what it adds is that a worker is a child process, so JavaScript that no limit
inside V8 stops, and a worker that dies, cost the caller one exception and nothing else:

* a call past its ``timeout`` is terminated inside the worker, and if the worker has not answered
  ``KILL_GRACE`` (0.5 s) later it is killed; the call raises JSTimeoutError;
* with ``max_rss_mb`` the parent watches the worker's whole RSS and kills it past the limit; the
  call raises JSMemoryError;
* a worker that dies raises WorkerCrashedError for its call, naming the signal and its last lines
  on stderr;
* in every case a warm spare takes the worker's place and the pool serves the next call;
* no worker outlives the pool: ``close()``, interpreter exit, and the parent being killed all
  end them.

Scripts that could hang or take down the interpreter if isolation failed run in a fresh
interpreter (``run_python``), assert their results themselves and print "OK" last. Time bounds
are only generous upper limits for "this stops at all".
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import pickle
import signal
import time

import pytest

import v8ctx
from _subprocess import run_python

LIB = r"""
function add(a, b) { return a + b }
function spin() { for (;;) {} }
function echo(x) { return x }
function callBack(x) { return twice(x) + 1 }
function say(m) { console.warn(m); return m }
"""

GRACE = 0.5  # the documented KILL_GRACE


def worker_processes(pool: v8ctx.Pool) -> list[int]:
    return [w["pid"] for w in pool.stats()["workers"]]


def alive(pid: int) -> bool:
    """Whether `pid` runs. For a worker of this process: until it has fully exited, which is when
    its pipes are closed (a killed worker's threads and files are torn down after its main
    thread already shows as a zombie); the check leaves it for the pool to reap."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
    except ChildProcessError:  # not our child (or already reaped): look it up
        try:
            with open(f"/proc/{pid}/stat") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
        except FileNotFoundError:
            return False


def wait_until(condition, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@pytest.fixture
def pool():
    p = v8ctx.Pool(LIB, isolation="process", workers=2, timeout=5)
    yield p
    p.close()


# --------------------------------------------------------------------------------------------------
# construction


def test_workers_are_child_processes_with_their_pids_in_stats(pool):
    pids = worker_processes(pool)
    assert len(set(pids)) == 2 and os.getpid() not in pids
    assert all(alive(pid) for pid in pids)
    assert repr(pool) == "<v8ctx.Pool open, 2 process workers>"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"isolation": "fork"}, "isolation must be 'thread' or 'process'"),
        ({"max_rss_mb": 500}, "max_rss_mb is watched from outside the worker"),
        ({"isolation": "process", "workers": 0}, "workers must be at least 1"),
    ],
)
def test_invalid_isolation_arguments_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        v8ctx.Pool("", **kwargs)


def test_syntax_error_in_code_raises_jssyntaxerror_from_the_constructor_and_leaves_no_worker():
    before = set(worker_children())
    with pytest.raises(v8ctx.JSSyntaxError, match="require a function name"):
        v8ctx.Pool("function (", isolation="process", workers=1)
    assert wait_until(lambda: not set(worker_children()) - before, within=5)


def test_globals_that_do_not_pickle_fail_the_constructor():
    class Local:
        pass

    with pytest.raises(TypeError, match="do not pickle"):
        v8ctx.Pool("", isolation="process", globals={"thing": Local()})


# --------------------------------------------------------------------------------------------------
# values and errors cross as they do into an in-process Context


def test_values_round_trip_with_shared_references_kept(pool):
    shared = [1, 2]
    value = {"a": shared, "b": shared, "n": 2**60, "s": "\u00e9\U0001f600", "bytes": b"\x00\xff"}
    back = pool.call("echo", [value])
    assert back == {"a": [1, 2], "b": [1, 2], "n": 2**60, "s": "\u00e9\U0001f600", "bytes": b"\x00\xff"}
    assert back["a"] is back["b"]


def test_conversion_errors_name_their_path_as_in_a_thread_pool(pool):
    with pytest.raises(TypeError, match=r"args\[0\]\['a'\]\[0\]"):
        pool.call("echo", [{"a": [object()]}])


def test_python_callables_cannot_be_passed_as_arguments(pool):
    with pytest.raises(TypeError, match="cannot be sent to a worker process"):
        pool.call("echo", [lambda: 1])
    assert pool.call("add", [1, 2]) == 3


def test_thrown_errors_keep_name_message_and_stack(pool):
    with pytest.raises(v8ctx.JSError) as caught:
        pool.evaluate("function boom() { throw new RangeError('no') } boom()")
    assert caught.value.name == "RangeError"
    assert caught.value.message == "no"
    assert "at boom" in caught.value.stack


def test_exposed_callables_run_in_the_parent_process():
    seen = []

    def twice(x):
        seen.append((os.getpid(), x))
        return x * 2

    with v8ctx.Pool(LIB, isolation="process", workers=1, globals={"twice": twice, "k": {"v": 7}}) as p:
        assert p.call("callBack", [20]) == 41
        assert p.evaluate("k.v") == 7
    assert seen == [(os.getpid(), 20)]


def test_an_exposed_callable_that_raises_throws_into_javascript():
    def twice(x):
        raise ValueError("bad input")

    with v8ctx.Pool(LIB, isolation="process", workers=1, globals={"twice": twice}) as p:
        caught = p.evaluate("try { callBack(1) } catch (e) { String(e.message) }")
        assert "bad input" in caught
        assert p.call("add", [1, 1]) == 2


def test_console_output_reaches_the_v8ctx_console_logger(pool, caplog):
    with caplog.at_level(logging.DEBUG, logger="v8ctx.console"):
        assert pool.call("say", ["from a worker"]) == "from a worker"
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [(logging.WARNING, "from a worker")]


def test_modules_work_in_worker_processes():
    modules = {"lib/util.js": "exports.greet = (n) => 'hi ' + n", "lib/data.json": '{"n": 3}'}
    code = "const u = require('./lib/util.js'); const d = require('./lib/data.json');"
    with v8ctx.Pool(code, isolation="process", workers=1, modules=modules) as p:
        assert p.evaluate("u.greet('x') + d.n") == "hi x3"


def test_what_a_worker_sends_is_unpickled_as_data_only():
    from v8ctx import _process_wire

    assert _process_wire.loads_from_worker(pickle.dumps({"a": {1, 2}})) == {"a": {1, 2}}
    error = _process_wire.loads_from_worker(pickle.dumps(v8ctx.PoolClosedError("x")))
    assert isinstance(error, v8ctx.PoolClosedError)
    with pytest.raises(pickle.UnpicklingError, match="posix.system"):
        _process_wire.loads_from_worker(b"cposix\nsystem\n(S'true'\ntR.")


# --------------------------------------------------------------------------------------------------
# limits enforced from outside


@pytest.mark.parametrize(
    "code",
    [
        "var a = []; a[2**32 - 2] = 1; a.sort()",  # V8's sort never checks for termination
        "new Array(2**32 - 1).fill(0).length",
        "Array.from({length: 2**31}).length",
        "for (;;) {}",
    ],
)
def test_javascript_no_limit_stops_raises_timeout_within_the_grace_and_the_pool_serves_on(code):
    out = run_python(
        f"""
        import time, v8ctx
        pool = v8ctx.Pool("", isolation="process", workers=1, timeout=1)
        start = time.monotonic()
        try:
            pool.evaluate({code!r})
            raise SystemExit("no timeout")
        except v8ctx.JSTimeoutError as e:
            took = time.monotonic() - start
        assert took < 1 + {GRACE} + 2, took
        assert pool.evaluate("6 * 7") == 42
        pool.close()
        print("OK")
        """,
        timeout=60,
    )
    assert out.strip().endswith("OK")


def test_deep_recursion_raises_range_error_and_the_worker_serves_on(pool):
    with pytest.raises(v8ctx.JSError, match="Maximum call stack size exceeded"):
        pool.evaluate("function r(n) { return r(n + 1) + 1 } r(0)")
    assert pool.call("add", [2, 3]) == 5


def test_runaway_heap_allocation_raises_memory_error_and_the_pool_serves_on():
    with v8ctx.Pool("", isolation="process", workers=1, max_heap_mb=64, timeout=30) as p:
        with pytest.raises(v8ctx.JSMemoryError):
            p.evaluate("let a = []; while (true) a.push(new Array(10000).fill(1))")
        assert p.evaluate("1 + 1") == 2


def test_six_gigabytes_of_array_buffers_end_at_max_rss_mb_and_the_parent_stays_small():
    out = run_python(
        """
        import psutil, v8ctx
        me = psutil.Process()
        before = me.memory_info().rss
        pool = v8ctx.Pool("", isolation="process", workers=1, max_rss_mb=400, timeout=60)
        try:
            pool.evaluate("let k = []; for (let i = 0; i < 6; i++) { let b = new Uint8Array(2**30); b.fill(1); k.push(b) }")
            raise SystemExit("no memory error")
        except v8ctx.JSMemoryError as e:
            assert "max_rss_mb=400" in str(e), e
        assert pool.evaluate("new Uint8Array(1000).length") == 1000
        grew = (me.memory_info().rss - before) >> 20
        assert grew < 100, f"the parent grew by {grew} MB"
        pool.close()
        print("OK")
        """,
        timeout=120,
    )
    assert out.strip().endswith("OK")


# --------------------------------------------------------------------------------------------------
# workers that die


def test_a_worker_killed_during_a_call_raises_worker_crashed_error_naming_the_signal(pool):
    pool.call("add", [1, 1])  # both workers are warm
    killed = []

    def kill_soon():
        time.sleep(0.3)
        for worker in worker_processes(pool):
            try:
                os.kill(worker, signal.SIGKILL)
                killed.append(worker)
            except ProcessLookupError:
                pass

    import threading

    killer = threading.Thread(target=kill_soon)
    killer.start()
    with pytest.raises(v8ctx.WorkerCrashedError, match="SIGKILL") as caught:
        pool.call("spin")
    killer.join()
    assert isinstance(caught.value, RuntimeError)
    assert pool.call("add", [2, 2]) == 4
    # The worker that crashed is replaced; the idle one killed with it may be listed until the
    # pool next gives it a call.
    assert set(killed) - set(worker_processes(pool))


def spawned_workers() -> set[int]:
    """The worker processes of this interpreter: every pool's workers and warm spares (other
    tests' pools that are still open included)."""
    import psutil

    return {
        child.pid
        for child in psutil.Process().children()
        if "v8ctx._worker" in " ".join(child.cmdline())
    }


def call_in_thread(pool: v8ctx.Pool, name: str, args: list) -> concurrent.futures.Future:
    return concurrent.futures.ThreadPoolExecutor(1).submit(pool.call, name, args)


@pytest.mark.timeout(60)
def test_a_call_given_to_a_worker_that_died_before_reading_it_runs_on_a_fresh_worker():
    # The pool cannot see at once that an idle worker died (SIGKILL takes effect a moment after
    # it is sent): a call may be written to it first. Stopped, the worker cannot read the call
    # before it is killed, which makes that moment last.
    with v8ctx.Pool(LIB, isolation="process", workers=1) as pool:
        pool.call("add", [1, 1])
        (worker,) = worker_processes(pool)
        os.kill(worker, signal.SIGSTOP)
        future = call_in_thread(pool, "add", [2, 3])
        time.sleep(0.3)  # the call is in the worker's pipe
        assert not future.done()
        os.kill(worker, signal.SIGKILL)
        assert future.result(timeout=30) == 5
        assert worker_processes(pool) != [worker]
        assert pool.stats()["workers"][0]["restarts"] == 1


@pytest.mark.timeout(60)
def test_a_call_whose_second_worker_also_dies_before_reading_it_raises_worker_crashed_error():
    others = spawned_workers()
    with v8ctx.Pool(LIB, isolation="process", workers=1) as pool:
        pool.call("add", [1, 1])
        (worker,) = worker_processes(pool)
        time.sleep(0.5)  # the warm spare is ready
        stopped = spawned_workers() - others  # this pool's worker and its spare
        assert worker in stopped and len(stopped) == 2
        for pid in stopped:
            os.kill(pid, signal.SIGSTOP)
        future = call_in_thread(pool, "add", [2, 3])
        time.sleep(0.3)
        os.kill(worker, signal.SIGKILL)
        time.sleep(0.5)  # the spare took the call over, and cannot read it either
        (spare,) = [pid for pid in stopped if pid != worker]
        assert worker_processes(pool) == [spare]
        os.kill(spare, signal.SIGKILL)
        with pytest.raises(v8ctx.WorkerCrashedError, match=f"pid {spare}.*SIGKILL"):
            future.result(timeout=30)
        assert pool.call("add", [4, 4]) == 8


def test_a_crash_report_has_the_last_lines_the_worker_wrote_to_stderr():
    out = run_python(
        """
        import os, signal, threading, time, v8ctx
        # PYTHONFAULTHANDLER is set for this script, and inherited by the worker: a SIGSEGV makes
        # it print "Fatal Python error" to stderr before it dies.
        pool = v8ctx.Pool("function spin() { for (;;) {} }", isolation="process", workers=1)
        pid = pool.stats()["workers"][0]["pid"]
        threading.Timer(0.3, os.kill, (pid, signal.SIGSEGV)).start()
        try:
            pool.call("spin")
            raise SystemExit("no crash")
        except v8ctx.WorkerCrashedError as e:
            message = str(e)
        assert f"(pid {pid}) was killed by SIGSEGV" in message, message
        assert "Fatal Python error: Segmentation fault" in message, message
        assert pool.evaluate("'still serving'") == "still serving"
        pool.close()
        print("OK")
        """,
        timeout=60,
    )
    assert out.strip().endswith("OK")


def test_a_worker_that_died_while_idle_is_replaced_before_the_next_call(pool):
    pids = worker_processes(pool)
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    assert wait_until(lambda: not any(alive(pid) for pid in pids))
    assert [pool.call("add", [i, 1]) for i in range(4)] == [1, 2, 3, 4]


def test_sixteen_threads_and_a_task_get_right_results_or_documented_errors_while_workers_die():
    out = run_python(
        """
        import asyncio, os, random, signal, threading, time, v8ctx
        pool = v8ctx.Pool("function f(x) { return x * 2 }", isolation="process", workers=2, timeout=5)
        documented = (v8ctx.WorkerCrashedError, v8ctx.JSTimeoutError)
        stop = threading.Event()
        tallies = {"ok": 0, "crashed": 0}
        lock = threading.Lock()
        wrong = []

        def caller(n):
            for i in range(300):
                x = n * 1000 + i
                try:
                    result = pool.call("f", [x])
                except documented:
                    with lock:
                        tallies["crashed"] += 1
                    continue
                with lock:
                    tallies["ok"] += 1
                if result != 2 * x:
                    wrong.append((x, result))

        async def task():
            for i in range(300):
                try:
                    result = await pool.call_async("f", [i])
                except documented:
                    continue
                if result != 2 * i:
                    wrong.append(("async", i, result))

        killed = []

        def killer():
            while not stop.is_set():
                time.sleep(0.05)
                pids = [w["pid"] for w in pool.stats()["workers"]]
                killed.append(random.choice(pids))
                try:
                    os.kill(killed[-1], signal.SIGKILL)
                except ProcessLookupError:
                    pass

        def gone(pid):  # fully exited, its pipes closed (see alive() in the test module)
            try:
                return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
            except ChildProcessError:
                return True

        threads = [threading.Thread(target=caller, args=(n,)) for n in range(16)]
        kill = threading.Thread(target=killer)
        kill.start()
        for t in threads:
            t.start()
        asyncio.run(task())
        for t in threads:
            t.join()
        stop.set()
        kill.join()
        assert not wrong, wrong[:5]
        assert tallies["ok"] > 0 and tallies["ok"] + tallies["crashed"] == 16 * 300, tallies
        # A worker killed just now may be given the next call before its pipes close: wait.
        deadline = time.monotonic() + 10
        while not all(gone(pid) for pid in killed) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert pool.call("f", [21]) == 42
        pool.close()
        print("OK", tallies)
        """,
        timeout=240,
    )
    assert "OK" in out


# --------------------------------------------------------------------------------------------------
# no orphans


def worker_children() -> list[int]:
    """This process's children that are v8ctx workers (the spare included)."""
    import psutil

    found = []
    for child in psutil.Process().children():
        try:
            if "v8ctx._worker" in " ".join(child.cmdline()) and child.status() != psutil.STATUS_ZOMBIE:
                found.append(child.pid)
        except psutil.NoSuchProcess:
            pass
    return found


def test_close_ends_every_worker_process_and_the_spare():
    before = set(worker_children())
    p = v8ctx.Pool(LIB, isolation="process", workers=2)
    assert wait_until(lambda: len(set(worker_children()) - before) == 3)  # two and a spare
    p.close()
    assert wait_until(lambda: not set(worker_children()) - before, within=5)


def test_close_cancel_kills_a_worker_stuck_in_javascript_no_limit_stops():
    out = run_python(
        """
        import threading, time, v8ctx
        pool = v8ctx.Pool("", isolation="process", workers=1)
        outcome = []
        def call():
            try:
                pool.evaluate("var a = []; a[2**32 - 2] = 1; a.sort()")
            except v8ctx.PoolClosedError as e:
                outcome.append(str(e))
        t = threading.Thread(target=call)
        t.start()
        time.sleep(0.5)
        start = time.monotonic()
        pool.close(cancel=True)
        t.join(10)
        assert not t.is_alive() and outcome and "killed" in outcome[0], outcome
        assert time.monotonic() - start < 5
        print("OK")
        """,
        timeout=60,
    )
    assert out.strip().endswith("OK")


def test_interpreter_exit_with_a_stuck_call_ends_the_workers():
    out = run_python(
        """
        import os, sys, threading, time, v8ctx
        pool = v8ctx.Pool("", isolation="process", workers=1)
        print(pool.stats()["workers"][0]["pid"], flush=True)
        threading.Thread(target=pool.evaluate, args=("for (;;) {}",), daemon=True).start()
        time.sleep(0.3)
        sys.exit(0)
        """,
        timeout=60,
    )
    pid = int(out.split()[0])
    assert wait_until(lambda: not alive(pid), within=10)


def test_workers_notice_their_parent_was_killed_and_end():
    out = run_python(
        """
        import os, signal, subprocess, sys
        child = subprocess.run(
            [sys.executable, "-c", '''
        import os, signal, threading, v8ctx
        pool = v8ctx.Pool("", isolation="process", workers=2)
        print(*[w["pid"] for w in pool.stats()["workers"]], flush=True)
        threading.Thread(target=pool.evaluate, args=("for (;;) {}",), daemon=True).start()
        os.kill(os.getpid(), signal.SIGKILL)
        '''],
            capture_output=True, text=True, timeout=60,
        )
        assert child.returncode == -signal.SIGKILL, child
        print(child.stdout.strip())
        """,
        timeout=90,
    )
    pids = [int(p) for p in out.split()]
    assert len(pids) == 2
    assert wait_until(lambda: not any(alive(pid) for pid in pids), within=10)


def test_a_forked_child_exits_cleanly_and_leaves_the_parents_workers_alone():
    out = run_python(
        """
        import os, v8ctx
        pool = v8ctx.Pool("function f(x) { return x + 1 }", isolation="process", workers=1)
        assert pool.call("f", [1]) == 2
        pid = os.fork()
        if pid == 0:
            try:
                pool.call("f", [1])
                os._exit(3)
            except RuntimeError as e:
                os._exit(0 if "fork" in str(e) else 4)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, status
        pid = os.fork()
        if pid == 0:
            raise SystemExit(0)  # exits through the interpreter's finalization, pool and all
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, status
        assert pool.call("f", [41]) == 42
        pool.close()
        print("OK")
        """,
        timeout=60,
    )
    assert out.strip().endswith("OK")


def test_a_dead_worker_never_raises_sigpipe_in_a_parent_that_restored_its_default():
    # A call larger than the pipe's buffer is still being written when its (stopped) worker is
    # killed: the write fails with EPIPE, which raises SIGPIPE, fatal by default. The call was
    # never taken, so a fresh worker runs it.
    out = run_python(
        """
        import os, signal, threading, time, v8ctx
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # as many command-line programs do
        pool = v8ctx.Pool("function size(s) { return s.length }", isolation="process", workers=1)
        pid = pool.stats()["workers"][0]["pid"]
        os.kill(pid, signal.SIGSTOP)
        result = []
        caller = threading.Thread(target=lambda: result.append(pool.call("size", ["x" * 2**20])))
        caller.start()
        time.sleep(0.3)
        os.kill(pid, signal.SIGKILL)
        caller.join(30)
        assert result == [2**20], result
        assert pool.stats()["workers"][0]["restarts"] == 1
        pool.close(cancel=True)
        print("OK")
        """,
        timeout=60,
    )
    assert out.strip().endswith("OK")


FORKED_CHILD_LIVES_ON = """
import os, signal, time, v8ctx
pool = v8ctx.Pool("", isolation="process", workers=1)
print(pool.stats()["workers"][0]["pid"], flush=True)
if os.fork() == 0:
    time.sleep(30)  # a forked child (multiprocessing's fork, a prefork server) lives on
    os._exit(0)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_workers_end_with_their_parent_even_while_a_forked_child_of_it_lives():
    out = run_python(
        f"""
        import subprocess, sys
        child = subprocess.Popen([sys.executable, "-c", {FORKED_CHILD_LIVES_ON!r}], stdout=subprocess.PIPE, text=True)
        print(child.stdout.readline().strip(), flush=True)
        child.wait(30)
        """,
        timeout=90,
    )
    pid = int(out.split()[0])
    assert wait_until(lambda: not alive(pid), within=10)


def test_cancelling_a_call_async_with_a_large_argument_stops_it_without_killing_the_worker():
    import asyncio

    async def scenario(pool):
        pid = worker_processes(pool)[0]
        big = ["x" * 100] * 200_000
        task = asyncio.ensure_future(pool.call_async("spinWith", [big]))
        await asyncio.sleep(0.01)
        task.cancel()
        start = time.monotonic()
        assert await pool.call_async("add", [1, 2]) == 3
        return pid, time.monotonic() - start

    with v8ctx.Pool(LIB + "function spinWith(x) { for (;;) {} }", isolation="process", workers=1) as p:
        pid, took = asyncio.run(scenario(p))
        assert worker_processes(p) == [pid], "the worker was killed instead of its call stopped"
        assert took < GRACE


def test_a_process_pool_leaves_forked_children_free_to_run_v8_in_process():
    out = run_python(
        """
        import os, v8ctx
        pool = v8ctx.Pool("function f() { return 1 }", isolation="process", workers=1)
        assert pool.call("f") == 1
        pid = os.fork()
        if pid == 0:
            with v8ctx.Pool("function g() { return 2 }", workers=1) as threads:
                os._exit(0 if threads.call("g") == 2 and v8ctx.Context().evaluate("3") == 3 else 5)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, status
        pool.close()
        print("OK")
        """,
        timeout=60,
    )
    assert out.strip().endswith("OK")
