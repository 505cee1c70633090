"""Threads with small stacks get RangeError for deep recursion, never a crash.

V8 assumes about 1 MB of stack; each isolate's limit is raised to fit the real stack of the
thread that creates it (src/stack.rs), and conversions stop before the stack runs out. Each case
runs in a fresh interpreter: a stack overflow would kill it.
"""

import pytest

from _subprocess import run_python

RECURSE = "function r(n) { return r(n + 1) + 1 } r(0)"


@pytest.mark.parametrize("stack_kb", [128, 256, 0], ids=["128KB", "256KB", "default"])
def test_deep_recursion_on_a_thread_raises_range_error(stack_kb):
    out = run_python(
        f"""
        import threading, v8ctx
        if {stack_kb}:
            threading.stack_size({stack_kb} * 1024)
        seen = []
        def run():
            ctx = v8ctx.Context()
            for code in [{RECURSE!r}, "eval('['.repeat(20000) + ']'.repeat(20000)).length",
                         "eval('('.repeat(20000) + '1' + ')'.repeat(20000))"]:
                try:
                    ctx.evaluate(code)
                except v8ctx.JSError as error:
                    seen.append(error.name)
            seen.append(ctx.evaluate("let d = 0; function q() {{ d++; q() }} try {{ q() }} catch (e) {{}} d > 100"))
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        print(seen)
        """,
        timeout=120,
    )
    assert out.strip() == "['RangeError', 'RangeError', 'RangeError', True]"


@pytest.mark.parametrize("stack_kb", [128])
def test_deep_values_on_a_small_stack_fail_cleanly_both_ways(stack_kb):
    out = run_python(
        f"""
        import threading, v8ctx
        threading.stack_size({stack_kb} * 1024)
        seen = []
        def run():
            ctx = v8ctx.Context()
            try:
                ctx.evaluate("{{ let x = []; for (let i = 0; i < 999; i++) x = [x]; x }}")
            except ValueError as error:
                seen.append("stack" in str(error))
            deep = []
            for _ in range(999):
                deep = [deep]
            ctx.compile("function id(v) {{ return 1 }}")
            try:
                ctx.call("id", [deep])
            except ValueError as error:
                seen.append("stack" in str(error))
            shallow = ctx.evaluate("{{ let x = []; for (let i = 0; i < 20; i++) x = [x]; x }}")
            seen.append(len(repr(shallow)))
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        print(seen)
        """,
        timeout=120,
    )
    assert out.strip() == "[True, True, 42]"


def test_a_thread_too_small_for_v8_is_refused_with_a_clear_error():
    out = run_python(
        """
        import threading, v8ctx
        threading.stack_size(64 * 1024)
        seen = []
        def run():
            try:
                v8ctx.Context()
            except RuntimeError as error:
                seen.append(str(error))
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        print(seen[0])
        """,
        timeout=60,
    )
    assert "too little for V8" in out and "threading.stack_size" in out


def test_deep_recursion_in_pool_workers_raises_range_error():
    out = run_python(
        f"""
        import threading, v8ctx
        threading.stack_size(256 * 1024)
        with v8ctx.Pool("function r(n) {{ return r(n + 1) + 1 }}", workers=2) as pool:
            errors = []
            def call():
                try:
                    pool.call("r", [0])
                except v8ctx.JSError as error:
                    errors.append(error.name)
            callers = [threading.Thread(target=call) for _ in range(4)]
            for caller in callers:
                caller.start()
            for caller in callers:
                caller.join()
            print(errors, pool.evaluate("1 + 1"))
        """,
        timeout=120,
    )
    assert out.strip() == "['RangeError', 'RangeError', 'RangeError', 'RangeError'] 2"
