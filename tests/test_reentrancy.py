"""A Python callable may call back into the Context that called it, or use another one
(src/runtime.rs: operations take `&Runtime`; `execute::limited` runs a nested operation under
the outer one's limits).
"""

import pytest

import v8ctx
from _subprocess import run_python


@pytest.fixture
def ctx():
    with v8ctx.Context() as ctx:
        yield ctx


def test_a_callable_calls_back_into_its_own_context(ctx):
    ctx.compile("function twice(x) { return 2 * x }")
    ctx.expose("viaPython", lambda x: ctx.call("twice", [x]) + 1)
    assert ctx.evaluate("viaPython(20)") == 41


def test_three_levels_deep_across_two_contexts(ctx):
    with v8ctx.Context() as other:
        ctx.compile("function base(x) { return x + 1 }")
        ctx.expose("level3", lambda x: ctx.call("base", [x]) * 10)
        other.expose("level2", lambda x: ctx.evaluate(f"level3({x})") + 5)
        ctx.expose("level1", lambda x: other.evaluate(f"level2({x})"))
        assert ctx.evaluate("level1(1)") == 25


def test_nested_calls_see_and_change_the_same_globals(ctx):
    ctx.compile("var counter = 0")
    ctx.expose("bump", lambda: ctx.evaluate("++counter"))
    assert ctx.evaluate("bump(); bump(); counter") == 2


def test_a_nested_call_may_define_what_the_outer_code_then_uses(ctx):
    ctx.expose("define", lambda: ctx.compile("function late() { return 'late' }"))
    assert ctx.evaluate("define(); late()") == "late"


def test_a_nested_error_reaches_the_outer_javascript_and_the_context_stays_usable(ctx):
    ctx.expose("inner", lambda: ctx.evaluate("throw new RangeError('deep')"))
    assert ctx.evaluate("try { inner() } catch (e) { e.name }") == "JSError"
    assert ctx.evaluate("1 + 1") == 2


def test_a_nested_call_may_wait_for_a_promise_when_no_event_loop_runs_above_it(ctx):
    ctx.expose("later", lambda: ctx.evaluate("new Promise(r => setTimeout(() => r(7), 5))"))
    assert ctx.evaluate("later()") == 7


def test_a_nested_call_inside_a_timer_cannot_wait_for_a_promise(ctx):
    ctx.expose("later", lambda: ctx.evaluate("new Promise(r => setTimeout(() => r(7), 5))"))
    with pytest.raises(v8ctx.JSError, match="event loop is already running"):
        ctx.evaluate("new Promise((resolve, reject) => setTimeout(() => { try { resolve(later()) } catch (e) { reject(e) } }, 1))")
    assert ctx.evaluate("1 + 1") == 2


def test_a_library_compiled_again_inside_a_timer_runs():
    """The second compilation of a source of 1 KB or more makes it a code-cache candidate, also
    from a callable a timer called, while the event loop holds the runtime (this aborted the
    process once, so it runs in a child)."""
    out = run_python(
        """
        import v8ctx
        source = "globalThis.n = (globalThis.n || 0) + 1; n;\\n// " + "x" * 2048
        with v8ctx.Context() as ctx:
            ctx.expose("again", lambda: ctx.evaluate(source))
            print(ctx.evaluate(source), ctx.evaluate("new Promise(r => setTimeout(() => r(again()), 1))"))
        """
    )
    assert out.split() == ["1", "2"]


def test_the_outer_timeout_covers_a_nested_call():
    with v8ctx.Context(timeout=0.3) as ctx:
        ctx.expose("spinInside", lambda: ctx.evaluate("while (true) {}"))
        with pytest.raises(v8ctx.JSTimeoutError):
            ctx.evaluate("spinInside()")
        assert ctx.evaluate("1 + 1") == 2


def test_closing_the_context_from_a_callable_ends_it_after_the_call(ctx):
    ctx.expose("closeIt", ctx.close)
    assert ctx.evaluate("closeIt(); 'finished'") == "finished"
    assert ctx.closed
    with pytest.raises(v8ctx.ContextClosedError):
        ctx.evaluate("1")
