"""JavaScript v8ctx runs on the user's behalf after a timeout struck stays under that timeout.

Converting a thrown or rejected value, a result, or a console argument runs its getters and Proxy
traps; V8 forgets a termination once it has unwound, so the watchdog terminates again every few
milliseconds until the operation ends (src/limits.rs). Each case runs in a fresh interpreter: a
getter nothing stops would hang it with the GIL held.
"""

import pytest

from _stopping import assert_timeout_stops
from _subprocess import run_python

LOOPING = {
    "thrown-getter": "throw {get a() { while (true) {} }}",
    "thrown-proxy": "throw new Proxy({}, {get() { while (true) {} }})",
    "thrown-proxy-keys": "throw new Proxy({}, {ownKeys() { while (true) {} }})",
    "rejected-getter": "Promise.reject({get message() { while (true) {} }})",
    "result-getter": "({get x() { while (true) {} }})",
    "result-proxy": "new Proxy({}, {ownKeys() { while (true) {} }})",
    "console-getter": "console.log({get a() { while (true) {} }}); 1",
    "thrown-error-with-looping-stack": "const e = new Error('x'); Object.defineProperty(e, 'stack', {get() { while (true) {} }}); throw e",
}


@pytest.mark.parametrize("code", LOOPING.values(), ids=LOOPING.keys())
def test_timeout_stops_javascript_run_while_converting(code):
    assert_timeout_stops(code)


def test_pool_call_whose_thrown_value_loops_times_out():
    out = run_python(
        """
        import v8ctx
        with v8ctx.Pool("function f() { throw {get a() { while (true) {} }} }", workers=1, timeout=0.5) as pool:
            try:
                pool.call("f")
            except v8ctx.JSTimeoutError:
                print("timed out")
            print(pool.evaluate("1 + 1"))
        """,
        timeout=60,
    )
    assert out.split() == ["timed", "out", "2"]


def test_timeout_stops_converting_a_huge_result():
    # The script ends at once; turning 2**27 - 1 holes into Nones would take seconds and GBs.
    out = run_python(
        """
        import resource, time, v8ctx
        ctx = v8ctx.Context(timeout=0.5)
        start = time.monotonic()
        try:
            ctx.evaluate("const a = []; a.length = 2**27 - 1; a")
        except v8ctx.JSTimeoutError:
            print("timed out")
        print(time.monotonic() - start < 5, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024 < 1500)
        """,
        timeout=120,
    )
    assert out.split() == ["timed", "out", "True", "True"]


def test_ctrl_c_stops_converting_a_huge_result():
    out = run_python(
        """
        import os, subprocess, v8ctx
        ctx = v8ctx.Context()
        # From another process: the conversion holds the GIL, so a Python thread could not send it.
        subprocess.Popen(["sh", "-c", f"sleep 0.5; kill -INT {os.getpid()}"])
        try:
            ctx.evaluate("const a = []; a.length = 2**27 - 1; a")
        except KeyboardInterrupt:
            print("interrupted")
        print(ctx.evaluate("1 + 1"))
        """,
        timeout=120,
    )
    assert out.split() == ["interrupted", "2"]


def test_timeout_covers_converting_huge_arguments():
    out = run_python(
        """
        import v8ctx
        ctx = v8ctx.Context(timeout=0.2)
        ctx.compile("function size(x) { return x.length }")
        rows = [list(range(100)) for _ in range(300000)]
        try:
            print(ctx.call("size", [rows]))
        except v8ctx.JSTimeoutError:
            print("timed out")
        print(ctx.call("size", [[1, 2, 3]]))
        """,
        timeout=120,
    )
    assert out.split() == ["timed", "out", "3"]
