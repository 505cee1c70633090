"""Checks that a piece of JavaScript is stopped, each in a fresh interpreter (a stop that fails
leaves the JavaScript running forever, which must fail one test, not hang the run)."""

from _subprocess import run_python

__all__ = ["assert_timeout_stops"]


def assert_timeout_stops(code: str, timeout: float = 0.5) -> None:
    """Evaluating `code` in a Context with `timeout` raises JSTimeoutError, and the Context still works."""
    out = run_python(
        f"""
        import v8ctx
        ctx = v8ctx.Context(timeout={timeout})
        try:
            ctx.evaluate({code!r})
        except v8ctx.JSTimeoutError:
            print("timed out")
        print(ctx.evaluate("1 + 1"))
        """,
        timeout=60,
    )
    assert out.split() == ["timed", "out", "2"]
