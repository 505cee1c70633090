"""Stopping JavaScript from outside: timeouts, the heap limit, deep recursion, huge values, Ctrl-C.

Timing assertions are deliberately loose (timeouts of a few tenths of a second, upper bounds of
several seconds): the suite runs on small, busy machines. A lower bound ("not before the timeout")
only gets safer under load; an upper bound (PROMPTLY) is an order of magnitude above what stopping
takes, and only tells "stopped" from "stopped late". Anything that could take the interpreter down
(heap exhaustion, stack overflow, signals, big allocations) runs in a fresh interpreter through
``run_python``. An in-process test whose failure mode is a hang (an endless loop that a broken
timeout would never stop) carries HANGS_IF_BROKEN, so pytest-timeout ends it.
"""

import math
import time

import pytest

import v8ctx
from _subprocess import run_python

# A generous bound for "the call returned soon after its timeout".
PROMPTLY = 5.0

# For in-process tests that would hang forever if stopping JavaScript broke: the endless loop runs
# on the main thread, which pytest-timeout's "thread" method (pyproject.toml) can still end.
HANGS_IF_BROKEN = pytest.mark.timeout(60)


@pytest.fixture
def ctx():
    context = v8ctx.Context()
    yield context
    context.close()


def assert_times_out(call, timeout=0.3):
    """``call()`` raises JSTimeoutError no earlier than ``timeout`` and well before PROMPTLY."""
    start = time.monotonic()
    with pytest.raises(v8ctx.JSTimeoutError) as info:
        call()
    elapsed = time.monotonic() - start
    assert elapsed >= timeout * 0.9, f"stopped after {elapsed:.3f} s, before the {timeout} s timeout"
    assert elapsed < PROMPTLY, f"took {elapsed:.3f} s to stop a {timeout} s timeout"
    return info.value


# --------------------------------------------------------------------------------------------------
# Argument validation


@pytest.mark.parametrize("bad", [0, 0.0, -1, -0.5, math.nan, math.inf, -math.inf])
def test_context_rejects_invalid_default_timeout(bad):
    with pytest.raises(ValueError):
        v8ctx.Context(timeout=bad)


@pytest.mark.parametrize("bad", [0, -1, math.nan, math.inf])
@pytest.mark.parametrize(
    "method",
    ["compile", "call", "evaluate", "eval", "load", "script.call", "script.evaluate"],
)
def test_every_method_rejects_invalid_timeout(ctx, method, bad):
    ctx.compile("function f() { return 1 }")
    script = ctx.load("function g() { return 2 }")
    calls = {
        "compile": lambda: ctx.compile("var unused_compile = 1", timeout=bad),
        "call": lambda: ctx.call("f", timeout=bad),
        "evaluate": lambda: ctx.evaluate("1", timeout=bad),
        "eval": lambda: ctx.eval("1", timeout=bad),
        "load": lambda: ctx.load("1", timeout=bad),
        "script.call": lambda: script.call("g", timeout=bad),
        "script.evaluate": lambda: script.evaluate("g()", timeout=bad),
    }
    with pytest.raises(ValueError):
        calls[method]()
    assert ctx.evaluate("f()") == 1


@pytest.mark.parametrize("mb", [0, 1, 15])
def test_max_heap_mb_below_16_is_rejected(mb):
    with pytest.raises(ValueError):
        v8ctx.Context(max_heap_mb=mb)


def test_max_heap_mb_of_16_is_accepted():
    context = v8ctx.Context(max_heap_mb=16)
    try:
        assert context.evaluate("1 + 1") == 2
    finally:
        context.close()


@pytest.mark.parametrize("console", [5, "print", object()])
def test_non_callable_console_is_rejected(console):
    with pytest.raises(TypeError):
        v8ctx.Context(console=console)


def test_a_valid_timeout_does_not_disturb_a_quick_call(ctx):
    assert ctx.evaluate("6 * 7", timeout=0.5) == 42


# --------------------------------------------------------------------------------------------------
# Timeouts


def test_timeout_error_is_a_jserror_and_a_builtin_timeouterror():
    assert issubclass(v8ctx.JSTimeoutError, v8ctx.JSError)
    assert issubclass(v8ctx.JSTimeoutError, TimeoutError)


@HANGS_IF_BROKEN
def test_infinite_loop_in_evaluate_times_out(ctx):
    error = assert_times_out(lambda: ctx.evaluate("while (true) {}", timeout=0.3))
    assert error.name == "TimeoutError"
    assert isinstance(error, TimeoutError)
    assert isinstance(error, v8ctx.JSError)


@HANGS_IF_BROKEN
def test_timed_out_error_message_mentions_the_timeout(ctx):
    error = assert_times_out(lambda: ctx.evaluate("while (true) {}", timeout=0.3))
    assert "timeout" in str(error).lower()


@HANGS_IF_BROKEN
def test_context_keeps_its_globals_after_a_timeout(ctx):
    ctx.compile("var counter = 41; function bump() { return ++counter }")
    assert_times_out(lambda: ctx.evaluate("while (true) {}", timeout=0.3))
    assert ctx.call("bump") == 42
    assert ctx.evaluate("counter") == 42


@HANGS_IF_BROKEN
def test_context_can_time_out_repeatedly(ctx):
    for _ in range(3):
        assert_times_out(lambda: ctx.evaluate("while (true) {}", timeout=0.2), timeout=0.2)
        assert ctx.evaluate("1 + 2") == 3


@HANGS_IF_BROKEN
def test_infinite_loop_in_called_function_times_out(ctx):
    ctx.compile("function spin() { while (true) {} }")
    assert_times_out(lambda: ctx.call("spin", timeout=0.3))
    assert ctx.call("Math.max", [1, 5]) == 5


@HANGS_IF_BROKEN
def test_infinite_loop_in_compile_times_out(ctx):
    assert_times_out(lambda: ctx.compile("var before = 1; while (true) {}", timeout=0.3))
    assert ctx.evaluate("1") == 1


@HANGS_IF_BROKEN
def test_compile_that_timed_out_can_be_compiled_again(ctx):
    # A source that failed must not be remembered as "already compiled".
    source = "var runs = (typeof runs === 'number' ? runs : 0) + 1; if (runs === 1) { while (true) {} }"
    assert_times_out(lambda: ctx.compile(source, timeout=0.3))
    ctx.compile(source, timeout=2)
    assert ctx.evaluate("runs") == 2


@HANGS_IF_BROKEN
def test_infinite_loop_in_eval_times_out(ctx):
    assert_times_out(lambda: ctx.eval("while (true) {}", timeout=0.3))
    assert ctx.eval("2 + 2", return_value=True) == 4


@HANGS_IF_BROKEN
def test_infinite_loop_while_loading_a_script_times_out(ctx):
    assert_times_out(lambda: ctx.load("const k = 1; while (true) {}", timeout=0.3))
    assert ctx.evaluate("'alive'") == "alive"


@HANGS_IF_BROKEN
def test_infinite_loop_in_script_call_times_out(ctx):
    script = ctx.load("let calls = 0; function spin() { calls++; while (true) {} } function count() { return calls }")
    assert_times_out(lambda: script.call("spin", timeout=0.3))
    assert script.call("count") == 1


@HANGS_IF_BROKEN
def test_infinite_loop_in_script_evaluate_times_out(ctx):
    script = ctx.load("const secret = 7; function spin() { while (true) {} }")
    assert_times_out(lambda: script.evaluate("spin()", timeout=0.3))
    assert script.evaluate("secret") == 7


@HANGS_IF_BROKEN
def test_context_default_timeout_applies_to_every_call():
    context = v8ctx.Context(timeout=0.3)
    try:
        context.compile("function spin() { while (true) {} }")
        assert_times_out(lambda: context.evaluate("while (true) {}"))
        assert_times_out(lambda: context.call("spin"))
        script = context.load("function spin2() { while (true) {} }")
        assert_times_out(lambda: script.call("spin2"))
        assert context.evaluate("3") == 3
    finally:
        context.close()


def test_per_call_timeout_extends_the_context_default():
    context = v8ctx.Context(timeout=0.2)
    try:
        # Busy for 0.6 s: longer than the default, well inside the per-call timeout.
        result = context.evaluate("const t0 = Date.now(); while (Date.now() - t0 < 600) {} 'finished'", timeout=5)
        assert result == "finished"
    finally:
        context.close()


@HANGS_IF_BROKEN
def test_per_call_timeout_shortens_the_context_default():
    context = v8ctx.Context(timeout=30)  # below HANGS_IF_BROKEN: ignored, it fails as "too late"
    try:
        assert_times_out(lambda: context.evaluate("while (true) {}", timeout=0.3))
    finally:
        context.close()


@HANGS_IF_BROKEN
def test_per_call_timeout_does_not_change_the_context_default():
    context = v8ctx.Context(timeout=0.3)
    try:
        assert context.evaluate("const t0 = Date.now(); while (Date.now() - t0 < 500) {} 1", timeout=5) == 1
        assert_times_out(lambda: context.evaluate("while (true) {}"))
    finally:
        context.close()


@HANGS_IF_BROKEN
def test_infinite_loop_in_awaited_timer_callback_times_out(ctx):
    code = "new Promise(resolve => setTimeout(() => { while (true) {} }, 10))"
    assert_times_out(lambda: ctx.evaluate(code, timeout=0.3))
    assert ctx.evaluate("'ok'") == "ok"


@HANGS_IF_BROKEN
def test_promise_waiting_on_far_future_timer_times_out(ctx):
    error = assert_times_out(lambda: ctx.evaluate("new Promise(r => setTimeout(r, 1e6))", timeout=0.3))
    assert error.name == "TimeoutError"
    assert ctx.evaluate("'ok'") == "ok"


@HANGS_IF_BROKEN
def test_called_async_function_waiting_on_far_future_timer_times_out(ctx):
    ctx.compile("async function sleepy() { await new Promise(r => setTimeout(r, 1e6)); return 1 }")
    assert_times_out(lambda: ctx.call("sleepy", timeout=0.3))


@HANGS_IF_BROKEN
def test_promise_that_can_never_settle_fails_immediately(ctx):
    start = time.monotonic()
    with pytest.raises(v8ctx.PromiseNeverSettlesError) as info:
        ctx.evaluate("new Promise(() => {})", timeout=30)
    assert time.monotonic() - start < PROMPTLY
    assert isinstance(info.value, v8ctx.JSError)
    assert not isinstance(info.value, TimeoutError)
    assert "never settles" in str(info.value)


@HANGS_IF_BROKEN
def test_promise_that_can_never_settle_fails_without_a_timeout(ctx):
    start = time.monotonic()
    with pytest.raises(v8ctx.PromiseNeverSettlesError, match="never settles"):
        ctx.evaluate("new Promise(() => {})")
    assert time.monotonic() - start < PROMPTLY
    assert ctx.evaluate("1") == 1


def test_timeout_does_not_fire_on_a_later_call(ctx):
    # A deadline must be disarmed when its call finishes, not strike the next one.
    assert ctx.evaluate("1", timeout=0.2) == 1
    time.sleep(0.4)
    assert ctx.evaluate("const t0 = Date.now(); while (Date.now() - t0 < 300) {} 2") == 2


@HANGS_IF_BROKEN
def test_timeout_of_one_context_leaves_another_running():
    slow, other = v8ctx.Context(), v8ctx.Context()
    try:
        other.compile("var state = 'untouched'")
        assert_times_out(lambda: slow.evaluate("while (true) {}", timeout=0.3))
        assert other.evaluate("state") == "untouched"
    finally:
        slow.close()
        other.close()


# --------------------------------------------------------------------------------------------------
# Memory


def test_memory_error_is_a_jserror_and_a_builtin_memoryerror():
    assert issubclass(v8ctx.JSMemoryError, v8ctx.JSError)
    assert issubclass(v8ctx.JSMemoryError, MemoryError)


def test_runaway_allocation_under_max_heap_raises_memory_error():
    out = run_python(
        """
        import v8ctx
        ctx = v8ctx.Context(max_heap_mb=64)
        try:
            ctx.evaluate("let a = []; while (true) a.push(new Array(10000).fill(1))")
        except v8ctx.JSMemoryError as e:
            assert isinstance(e, MemoryError) and isinstance(e, v8ctx.JSError)
            print("memory error")
        else:
            print("no error")
        """
    )
    assert out.strip() == "memory error"


def test_context_is_closed_after_heap_exhaustion():
    out = run_python(
        """
        import v8ctx
        ctx = v8ctx.Context(max_heap_mb=64)
        try:
            ctx.evaluate("let a = []; while (true) a.push(new Array(10000).fill(1))")
        except v8ctx.JSMemoryError:
            pass
        print("closed:", ctx.closed)
        for name, call in [
            ("evaluate", lambda: ctx.evaluate("1")),
            ("call", lambda: ctx.call("Math.abs", [-1])),
            ("compile", lambda: ctx.compile("var x = 1")),
        ]:
            try:
                call()
            except v8ctx.ContextClosedError as e:
                print(name, "closed error:", str(e))
            else:
                print(name, "no error")
        """
    )
    lines = out.strip().splitlines()
    assert lines[0] == "closed: True"
    assert len(lines) == 4
    for line in lines[1:]:
        assert "closed error:" in line, line
        message = line.split("closed error:", 1)[1]
        assert "heap" in message
        assert "max_heap_mb=64" in message


def test_heap_exhaustion_leaves_other_contexts_working():
    out = run_python(
        """
        import v8ctx
        before = v8ctx.Context()
        before.compile("var keep = 'still here'; function twice(x) { return 2 * x }")
        doomed = v8ctx.Context(max_heap_mb=64)
        try:
            doomed.evaluate("let a = []; while (true) a.push(new Array(10000).fill(1))")
        except v8ctx.JSMemoryError:
            print("memory error")
        print(before.evaluate("keep"), before.call("twice", [21]), before.closed)
        after = v8ctx.Context()
        print(after.evaluate("'new ' + 'context'"))
        """
    )
    assert out.strip().splitlines() == ["memory error", "still here 42 False", "new context"]


def test_heap_exhaustion_in_a_called_function_raises_memory_error():
    out = run_python(
        """
        import v8ctx
        ctx = v8ctx.Context(max_heap_mb=64)
        ctx.compile("function hog() { const a = []; while (true) a.push(new Array(10000).fill(1)) }")
        try:
            ctx.call("hog")
        except v8ctx.JSMemoryError:
            print("memory error", ctx.closed)
        """
    )
    assert out.strip() == "memory error True"


@pytest.mark.timeout(360)  # above its run_python budget, which then fails this test alone
def test_runaway_allocation_without_max_heap_raises_memory_error_instead_of_aborting():
    out = run_python(
        """
        import time
        import v8ctx
        ctx = v8ctx.Context()
        start = time.monotonic()
        try:
            ctx.evaluate("let a = []; while (true) a.push(new Array(10000).fill(1))")
        except v8ctx.JSMemoryError:
            print("memory error")
        print("closed:", ctx.closed)
        other = v8ctx.Context()
        print(other.evaluate("1 + 1"))
        """,
        timeout=300,
    )
    assert out.strip().splitlines() == ["memory error", "closed: True", "2"]


# --------------------------------------------------------------------------------------------------
# Deep recursion


def test_unbounded_recursion_raises_range_error():
    out = run_python(
        """
        import v8ctx
        ctx = v8ctx.Context()
        try:
            ctx.evaluate("function r() { return r() + 1 }; r()")
        except v8ctx.JSError as e:
            print(e.name, isinstance(e, (v8ctx.JSTimeoutError, v8ctx.JSMemoryError)))
        """
    )
    assert out.strip() == "RangeError False"


def test_context_works_after_stack_overflow():
    out = run_python(
        """
        import v8ctx
        ctx = v8ctx.Context()
        ctx.compile("var kept = 'yes'; function r() { return r() + 1 }")
        try:
            ctx.call("r")
        except v8ctx.JSError as e:
            print("raised", e.name)
        print(ctx.evaluate("kept"), ctx.evaluate("(function f(n) { return n ? n + f(n - 1) : 0 })(100)"))
        """
    )
    assert out.strip().splitlines() == ["raised RangeError", "yes 5050"]


def test_stack_overflow_can_be_caught_in_javascript():
    out = run_python(
        """
        import v8ctx
        ctx = v8ctx.Context()
        print(ctx.evaluate("function r() { return r() + 1 }; try { r() } catch (e) { e instanceof RangeError }"))
        """
    )
    assert out.strip() == "True"


def test_unbounded_recursion_on_a_non_main_thread_raises_range_error():
    out = run_python(
        """
        import threading
        import v8ctx
        results = {}
        def worker():
            ctx = v8ctx.Context()
            try:
                ctx.evaluate("function r() { return r() + 1 }; r()")
            except v8ctx.JSError as e:
                results["name"] = e.name
            results["after"] = ctx.evaluate("6 * 7")
            ctx.close()
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        print(results.get("name"), results.get("after"))
        """
    )
    assert out.strip() == "RangeError 42"


# --------------------------------------------------------------------------------------------------
# Huge values


def test_hundred_megabyte_string_returns_or_fails_cleanly():
    out = run_python(
        """
        import v8ctx
        ctx = v8ctx.Context()
        try:
            s = ctx.evaluate("'x'.repeat(100 * 1024 * 1024)")
        except Exception as e:
            print("error", type(e).__name__)
        else:
            ok = len(s) == 100 * 1024 * 1024 and s[:3] == "xxx" and s[-3:] == "xxx"
            print("returned", ok)
        print("after", ctx.evaluate("1 + 1"))
        """,
        timeout=180,
    )
    lines = out.strip().splitlines()
    assert len(lines) == 2, out
    assert lines[0] == "returned True" or lines[0].startswith("error "), lines[0]
    assert lines[1] == "after 2"


# --------------------------------------------------------------------------------------------------
# Ctrl-C (SIGINT) on the main thread

_SIGINT_PRELUDE = """
import os, signal, threading, time
import v8ctx

sent_at = []
def send_sigint():
    sent_at.append(time.monotonic())
    os.kill(os.getpid(), signal.SIGINT)

def interrupted_after(call):
    # Seconds from the signal to KeyboardInterrupt, or a string saying what happened instead.
    timer = threading.Timer(0.3, send_sigint)
    timer.start()
    try:
        call()
    except KeyboardInterrupt:
        return time.monotonic() - sent_at[0]
    except BaseException as e:
        return "raised " + type(e).__name__
    finally:
        timer.join()
    return "returned"
"""


def test_sigint_interrupts_an_infinite_loop_with_keyboardinterrupt():
    out = run_python(
        _SIGINT_PRELUDE
        + """
ctx = v8ctx.Context()
print(interrupted_after(lambda: ctx.evaluate("while (true) {}")))
""",
        timeout=60,
    )
    result = out.strip()
    assert not result[:1].isalpha(), f"expected KeyboardInterrupt, got: {result}"
    assert float(result) < PROMPTLY, result


def test_context_works_after_sigint():
    out = run_python(
        _SIGINT_PRELUDE
        + """
ctx = v8ctx.Context()
ctx.compile("var kept = 'kept'")
interrupted_after(lambda: ctx.evaluate("while (true) {}"))
print(ctx.evaluate("kept"), ctx.evaluate("1 + 1"), ctx.closed)
""",
        timeout=60,
    )
    assert out.strip() == "kept 2 False"


def test_sigint_interrupts_waiting_on_far_future_timer():
    out = run_python(
        _SIGINT_PRELUDE
        + """
ctx = v8ctx.Context()
print(interrupted_after(lambda: ctx.evaluate("new Promise(r => setTimeout(r, 1e6))")))
print(ctx.evaluate("'after'"))
""",
        timeout=60,
    )
    first, second = out.strip().splitlines()
    assert not first[:1].isalpha(), f"expected KeyboardInterrupt, got: {first}"
    assert float(first) < PROMPTLY, first
    assert second == "after"


def test_sigint_interrupts_a_called_function():
    out = run_python(
        _SIGINT_PRELUDE
        + """
ctx = v8ctx.Context()
ctx.compile("function spin() { while (true) {} }")
print(interrupted_after(lambda: ctx.call("spin")))
""",
        timeout=60,
    )
    result = out.strip()
    assert not result[:1].isalpha(), f"expected KeyboardInterrupt, got: {result}"
    assert float(result) < PROMPTLY, result


def test_custom_sigint_handler_installed_before_context_is_called():
    out = run_python(
        _SIGINT_PRELUDE
        + """
calls = []
def handler(signum, frame):
    calls.append(signum)
    raise KeyboardInterrupt("from custom handler")
signal.signal(signal.SIGINT, handler)
ctx = v8ctx.Context()
print(interrupted_after(lambda: ctx.evaluate("while (true) {}")))
print(calls == [signal.SIGINT])
print(ctx.evaluate("3"))
""",
        timeout=60,
    )
    first, second, third = out.strip().splitlines()
    assert not first[:1].isalpha(), f"expected KeyboardInterrupt, got: {first}"
    assert float(first) < PROMPTLY, first
    assert second == "True"
    assert third == "3"


def test_custom_sigint_handler_that_does_not_raise_still_stops_javascript_and_is_called():
    # The handler only records the signal; the running JavaScript is still stopped (the call
    # returns), and the handler ran exactly once.
    out = run_python(
        _SIGINT_PRELUDE
        + """
calls = []
signal.signal(signal.SIGINT, lambda signum, frame: calls.append(signum))
ctx = v8ctx.Context()
result = interrupted_after(lambda: ctx.evaluate("while (true) {}"))
print(result if isinstance(result, str) else "interrupt")
print(calls == [signal.SIGINT])
""",
        timeout=60,
    )
    first, second = out.strip().splitlines()
    assert first in {"raised JSError", "interrupt"}, first
    assert second == "True"


def test_sigint_outside_javascript_still_raises_keyboardinterrupt():
    # Creating a Context must not swallow Ctrl-C while Python (not JavaScript) is running.
    out = run_python(
        """
        import os, signal, time
        import v8ctx
        ctx = v8ctx.Context()
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(2)
            print("not interrupted")
        except KeyboardInterrupt:
            print("interrupted")
        print(ctx.evaluate("1"))
        """,
        timeout=60,
    )
    assert out.strip().splitlines() == ["interrupted", "1"]


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "code",
    ["queueMicrotask(function again() { queueMicrotask(again) }); 5", "Promise.resolve().then(function again() { return Promise.resolve().then(again) }); 5"],
    ids=["queueMicrotask", "then"],
)
def test_a_timeout_in_the_microtasks_after_the_code_raises_instead_of_returning(code):
    # The code's own value was returned as if the operation had finished.
    ctx = v8ctx.Context(timeout=0.3)
    with pytest.raises(v8ctx.JSTimeoutError):
        ctx.evaluate(code)
    with pytest.raises(v8ctx.JSTimeoutError):
        ctx.compile(code)
    assert ctx.evaluate("1 + 1") == 2
