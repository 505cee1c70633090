"""JavaScript v8ctx runs on the user's behalf after a timeout struck stays under that timeout.

Converting a thrown or rejected value, a result, or a console argument runs its getters and Proxy
traps; V8 forgets a termination once it has unwound, so the watchdog terminates again every few
milliseconds until the operation ends (src/limits.rs). Each case runs in a fresh interpreter: a
getter nothing stops would hang it with the GIL held.
"""

import pytest

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
    out = run_python(
        f"""
        import v8ctx
        ctx = v8ctx.Context(timeout=0.5)
        try:
            ctx.evaluate({code!r})
        except v8ctx.JSTimeoutError:
            print("timed out")
        print(ctx.evaluate("1 + 1"))
        """,
        timeout=60,
    )
    assert out.split() == ["timed", "out", "2"]


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
