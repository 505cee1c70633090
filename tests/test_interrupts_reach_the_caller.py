"""Ctrl-C and exit requests are never lost inside v8ctx.

A console callback that uses a second Context must not take Ctrl-C away from the outer operation,
and a KeyboardInterrupt or SystemExit raised in a console callback stops the script and reaches
the caller instead of being printed as unraisable. Each case runs in a fresh interpreter, since a
lost Ctrl-C leaves an endless loop running.
"""

import pytest

from _subprocess import run_python


def test_ctrl_c_still_stops_the_outer_operation_after_a_nested_one():
    out = run_python(
        """
        import os, signal, threading, v8ctx
        inner = v8ctx.Context()
        def console(level, message):
            inner.evaluate("1 + 1")  # a nested operation on the main thread
            threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
        outer = v8ctx.Context(console=console)
        try:
            outer.evaluate("console.log('start'); while (true) {}")
        except KeyboardInterrupt:
            print("interrupted")
        print(outer.evaluate("2"), inner.evaluate("3"))
        """,
        timeout=60,
    )
    assert out.split() == ["interrupted", "2", "3"]


@pytest.mark.parametrize("raised, caught", [("KeyboardInterrupt", "KeyboardInterrupt"), ("SystemExit(3)", "SystemExit")])
def test_an_exit_raised_in_a_console_callback_reaches_the_caller(raised, caught):
    out = run_python(
        f"""
        import v8ctx
        def console(level, message):
            raise {raised}
        ctx = v8ctx.Context(console=console)
        try:
            ctx.evaluate("console.log('x'); while (true) {{}}")
        except {caught}:
            print("raised")
        print(ctx.evaluate("1"))
        """,
        timeout=60,
    )
    assert out.split() == ["raised", "1"]


def test_an_ordinary_exception_in_a_console_callback_does_not_fail_the_script():
    out = run_python(
        """
        import v8ctx
        def console(level, message):
            raise ValueError("bad console")
        ctx = v8ctx.Context(console=console)
        print(ctx.evaluate("console.log('x'); 42"))
        """,
        timeout=60,
    )
    assert out.split() == ["42"]


def test_a_keyboard_interrupt_in_a_pool_console_reaches_the_caller():
    out = run_python(
        """
        import v8ctx
        def console(level, message):
            raise KeyboardInterrupt
        with v8ctx.Pool("function f() { console.log('x'); while (true) {} }", workers=1, console=console) as pool:
            try:
                pool.call("f")
            except KeyboardInterrupt:
                print("raised")
            print(pool.evaluate("1"))
        """,
        timeout=60,
    )
    assert out.split() == ["raised", "1"]
