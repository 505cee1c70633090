"""Pools past one process: pickling, shared pools and multiprocessing start methods.

* A Pool pickles as its specification (code and the options given) and unpickles into the
  receiving process's shared pool for it (``v8ctx.shared_pool``), created on first use and
  returned again afterwards, so a task that captures a pool in a closure just works.
* Contexts, Scripts and JSFunctions live in one thread's isolate: pickling one raises TypeError
  saying what to use instead.
* In ``multiprocessing`` and ``ProcessPoolExecutor`` workers it works under spawn, forkserver and
  fork. Under fork from a parent that had started V8 (where V8 cannot run in the child) an
  unpickled thread pool's specification runs with process isolation, whose workers are fresh
  processes; and every child exits cleanly.

The start-method cases run in a fresh interpreter (``run_python``), which checks every signature
against Python's hmac and prints "OK" last.
"""

from __future__ import annotations

import os
import pickle

import pytest

import v8ctx
from _subprocess import run_python

CODE = "function add(a, b) { return a + b }"
TESTS = os.path.dirname(os.path.abspath(__file__))


def test_a_pool_unpickles_into_the_shared_pool_for_its_specification():
    pool = v8ctx.Pool(CODE, workers=1, timeout=2)
    try:
        copy = pickle.loads(pickle.dumps(pool))
        assert copy is not pool
        assert copy is v8ctx.shared_pool(CODE, workers=1, timeout=2)
        assert pickle.loads(pickle.dumps(pool)) is copy
        assert copy.call("add", [2, 3]) == 5
    finally:
        pool.close()


def test_shared_pool_is_one_per_specification_and_replaced_once_closed():
    first = v8ctx.shared_pool(CODE, workers=1)
    assert v8ctx.shared_pool(CODE, workers=1) is first
    assert v8ctx.shared_pool(CODE, workers=1, timeout=5) is not first
    first.close()
    again = v8ctx.shared_pool(CODE, workers=1)
    assert again is not first and again.call("add", [1, 1]) == 2


def test_a_process_pool_pickles_with_its_isolation():
    pool = v8ctx.Pool(CODE, workers=1, isolation="process", max_rss_mb=512)
    try:
        copy = pickle.loads(pickle.dumps(pool))
        assert repr(copy) == "<v8ctx.Pool open, 1 process workers>"
        assert copy.call("add", [20, 22]) == 42
    finally:
        pool.close()


def test_a_pool_whose_globals_do_not_pickle_cannot_be_pickled():
    pool = v8ctx.Pool(CODE, workers=1, globals={"f": lambda: 1})
    try:
        with pytest.raises((pickle.PicklingError, AttributeError), match="lambda"):
            pickle.dumps(pool)
    finally:
        pool.close()


def test_contexts_scripts_and_functions_refuse_pickling_and_say_what_to_use():
    with v8ctx.Context() as ctx:
        script = ctx.load("function f() {}")
        function = ctx.evaluate("(function g() {})")
        for thing, name in [(ctx, "Context"), (script, "Script"), (function, "JSFunction")]:
            with pytest.raises(TypeError, match=f"a {name} cannot be pickled.*Pickle a v8ctx.Pool instead"):
                pickle.dumps(thing)


@pytest.mark.parametrize("method", ["spawn", "forkserver", "fork"])
def test_process_pool_executor_workers_sign_with_a_pickled_pool(method):
    out = run_python(
        f"""
        import multiprocessing, sys
        from concurrent.futures import ProcessPoolExecutor
        sys.path.insert(0, {TESTS!r})
        import v8ctx
        from _pickling_tasks import SIGNER, expected, records, sign_with

        pool = v8ctx.Pool(SIGNER, workers=1)  # V8 runs here: a forked child cannot run it
        batches = [records(i * 500, 500) for i in range(8)]
        context = multiprocessing.get_context({method!r})
        with ProcessPoolExecutor(2, mp_context=context) as executor:
            results = list(executor.map(sign_with, [pool] * len(batches), batches))
        kinds = set()
        for (pid, described, signatures), batch in zip(results, batches):
            assert signatures == [expected(r) for r in batch]
            kinds.add(described)
        wanted = "process" if {method!r} == "fork" else "thread"
        assert kinds == {{f"<v8ctx.Pool open, 1 {{wanted}} workers>"}}, kinds
        pool.close()
        print("OK")
        """,
        timeout=180,
    )
    assert out.strip().endswith("OK")


@pytest.mark.parametrize("method", ["spawn", "forkserver", "fork"])
def test_children_of_a_parent_that_never_started_v8_run_it_in_process(method):
    out = run_python(
        f"""
        import multiprocessing, sys
        sys.path.insert(0, {TESTS!r})
        from _pickling_tasks import expected, records, sign_with_shared

        batches = [records(i * 100, 100) for i in range(4)]
        with multiprocessing.get_context({method!r}).Pool(2) as workers:
            results = workers.map(sign_with_shared, batches)
        for (pid, described, signatures), batch in zip(results, batches):
            assert described == "<v8ctx.Pool open, 1 thread workers>", described
            assert signatures == [expected(r) for r in batch]
        print("OK")
        """,
        timeout=180,
    )
    assert out.strip().endswith("OK")


def test_a_thread_pool_created_in_a_child_forked_after_v8_started_says_what_to_do():
    out = run_python(
        """
        import os, v8ctx
        v8ctx.Context().evaluate("1")
        pid = os.fork()
        if pid == 0:
            try:
                v8ctx.Pool("", workers=1)
                os._exit(3)
            except RuntimeError as e:
                ok = "isolation='process'" in str(e)
            with v8ctx.Pool("function f() { return 7 }", workers=1, isolation="process") as pool:
                ok = ok and pool.call("f") == 7
            os._exit(0 if ok else 4)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, status
        print("OK")
        """,
        timeout=60,
    )
    assert out.strip().endswith("OK")
