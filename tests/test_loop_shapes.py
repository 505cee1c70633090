"""Every loop shape an optimizing compiler treats differently stops under timeout=, max_heap_mb=
and Ctrl-C.

V8 honours a termination only at an interrupt check (function entry, loop back-edge), and an
optimizing tier may remove checks: Turboshaft's loop unrolling once removed the back-edge check of
any loop whose body creates an array of constant size between 17 and 999 elements, so
``while (true) new Array(100).fill(1)`` ran forever whatever the limits (src/flags.rs). Each case
runs in a fresh interpreter, so a loop that cannot be stopped fails its test, not the run.
"""

import pytest

from _stopping import assert_timeout_stops
from _subprocess import run_python

# Loops that run forever without growing the heap. Each is warmed up first where that matters,
# so the endless part runs as optimized (Turbofan) code, OSR'd or called after 10,000 calls.
ENDLESS = {
    "array-of-100-filled": "while (true) new Array(100).fill(1)",
    "array-of-17": "for (;;) { const a = new Array(17); a[0] = 1 }",
    "array-of-999": "do { new Array(999) } while (true)",
    "array-of-1000": "while (true) new Array(1000).fill(0)",
    "array-literal-of-50": "while (true) { const a = [" + ",".join(["0"] * 50) + "] }",
    "empty-while": "while (true) {}",
    "osr-counter": "let s = 0; for (let i = 0; ; i++) s = (s + i) % 7",
    "builtins-in-loop": "while (true) 'abc'.repeat(20).split('').reverse().join('')",
    "call-in-loop": "function make() { return new Array(100).fill(2) } while (true) make()",
    "hot-function-then-forever": (
        "function f(n) { let a; for (let i = 0; i < n; i++) a = new Array(100).fill(i); return a }"
        " for (let k = 0; k < 10000; k++) f(10); f(Infinity)"
    ),
    "nested-counted-loops": (
        "while (true) { for (let i = 0; i < 100; i++) { const row = new Array(64).fill(i) } }"
    ),
    "typed-array-in-loop": "while (true) new Uint8Array(256).fill(1)",
}

# Loops that keep what they allocate, for the heap limit.
RETAINING = {
    "push-filled-arrays": "const a = []; while (true) a.push(new Array(1000).fill(1))",
    "push-arrays-of-100": "const a = []; while (true) a.push(new Array(100).fill(1))",
    "push-literals": "const a = []; while (true) a.push([" + ",".join(["1"] * 50) + "])",
    "grow-strings": "const a = []; let s = 'x'; while (true) { s += s.length; a.push(s.slice(-200)) }",
    "hot-function-retaining": (
        "const keep = []; function f(n) { for (let i = 0; i < n; i++) keep.push(new Array(100).fill(i)) }"
        " for (let k = 0; k < 10000; k++) f(1); f(Infinity)"
    ),
}


@pytest.mark.parametrize("code", ENDLESS.values(), ids=ENDLESS.keys())
def test_timeout_stops_the_loop(code):
    assert_timeout_stops(code)


@pytest.mark.parametrize("code", RETAINING.values(), ids=RETAINING.keys())
def test_heap_limit_stops_the_loop(code):
    out = run_python(
        f"""
        import resource, v8ctx
        try:
            v8ctx.Context(max_heap_mb=32, timeout=30).evaluate({code!r})
        except v8ctx.JSMemoryError:
            print("out of memory")
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
        """,
        timeout=60,
    )
    verdict, peak_mb = out.strip().split("\n")
    assert verdict == "out of memory"
    assert int(peak_mb) < 1500, f"peak RSS {peak_mb} MB for a 32 MB heap"


@pytest.mark.parametrize(
    "code",
    [ENDLESS["array-of-100-filled"], ENDLESS["hot-function-then-forever"], ENDLESS["empty-while"]],
    ids=["array-of-100-filled", "hot-function-then-forever", "empty-while"],
)
def test_ctrl_c_stops_the_loop(code):
    out = run_python(
        f"""
        import os, signal, threading, v8ctx
        ctx = v8ctx.Context()
        threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
        try:
            ctx.evaluate({code!r})
        except KeyboardInterrupt:
            print("interrupted")
        print(ctx.evaluate("1 + 1"))
        """,
        timeout=60,
    )
    assert out.split() == ["interrupted", "2"]


def test_pool_close_with_cancel_stops_the_loop():
    out = run_python(
        f"""
        import threading, time, v8ctx
        pool = v8ctx.Pool("function spin() {{ {ENDLESS['array-of-100-filled']} }}", workers=1)
        failures = []
        def call():
            try:
                pool.call("spin")
            except Exception as error:
                failures.append(type(error).__name__)
        caller = threading.Thread(target=call)
        caller.start()
        time.sleep(0.5)
        pool.close(cancel=True)
        caller.join(30)
        print(caller.is_alive(), failures)
        """,
        timeout=60,
    )
    assert out.strip() == "False ['PoolClosedError']"


def test_interpreter_exit_with_an_open_pool_running_the_loop():
    out = run_python(
        f"""
        import threading, time, v8ctx
        pool = v8ctx.Pool("function spin() {{ {ENDLESS['array-of-100-filled']} }}", workers=1)
        threading.Thread(target=lambda: pool.call("spin"), daemon=True).start()
        time.sleep(0.5)
        print("exiting")
        """,
        timeout=60,
    )
    assert out.split() == ["exiting"]
