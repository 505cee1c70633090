"""Python callables in JavaScript: ``Context.expose`` and ``Context(globals=...)`` (src/bridge.rs).

A callable becomes a JavaScript function that runs it on the owner thread with the GIL taken,
converting arguments and result by the usual value rules. A Python exception becomes a
JavaScript Error named after its class; if JavaScript does not catch it, the very same Python
exception reaches the caller, with the JavaScript stack added as a note. KeyboardInterrupt and
SystemExit are never turned into JavaScript.
"""

import gc
import sys

import pytest
from hypothesis import HealthCheck, given, settings

import v8ctx
from _assertions import VALUES, assert_same, normalize
from _subprocess import run_python


@pytest.fixture
def ctx():
    with v8ctx.Context() as ctx:
        yield ctx


# --------------------------------------------------------------------------------------------------
# exposing


def test_an_exposed_callable_is_called_with_converted_arguments(ctx):
    seen = []
    ctx.expose("record", lambda *args: seen.append(args) or len(seen))
    assert ctx.evaluate("record(1, 'two', [3], {four: 4}, null)") == 1
    assert seen == [(1, "two", [3], {"four": 4}, None)]


def test_its_result_is_converted_to_javascript(ctx):
    ctx.expose("make", lambda: {"list": [1, 2.5], "text": "é", "none": None})
    assert ctx.evaluate("const m = make(); [m.list[1], m.text, m.none === null, Array.isArray(m.list)]") == [
        2.5,
        "é",
        True,
        True,
    ]


def test_a_dotted_name_creates_the_objects_on_its_way(ctx):
    ctx.expose("host.clock.now", lambda: 42)
    assert ctx.evaluate("[typeof host, typeof host.clock, host.clock.now()]") == ["object", "object", 42]


def test_a_dotted_name_reaches_into_an_existing_object(ctx):
    ctx.compile("var lib = { version: 1 }")
    ctx.expose("lib.double", lambda x: 2 * x)
    assert ctx.evaluate("[lib.version, lib.double(4)]") == [1, 8]


def test_a_dotted_name_through_a_non_object_is_refused(ctx):
    ctx.compile("var count = 3")
    with pytest.raises(ValueError, match="count is already a number, not an object"):
        ctx.expose("count.inc", lambda: 1)


def test_an_invalid_name_is_refused(ctx):
    with pytest.raises(ValueError, match="is not a JavaScript identifier"):
        ctx.expose("host.now()", lambda: 1)


def test_a_non_callable_value_is_converted_once(ctx):
    config = {"mode": "fast"}
    ctx.expose("config", config)
    config["mode"] = "slow"
    assert ctx.evaluate("config.mode") == "fast"


def test_the_function_carries_the_last_name_segment(ctx):
    ctx.expose("host.now", lambda: 1)
    assert ctx.evaluate("host.now.name") == "now"


def test_globals_expose_at_creation():
    with v8ctx.Context(globals={"add": lambda a, b: a + b, "settings.limit": 10}) as ctx:
        assert ctx.evaluate("add(settings.limit, 5)") == 15


@pytest.mark.parametrize(
    "globals, message",
    [([("f", len)], "globals must be a dict"), ({1: len}, "globals keys must be str names")],
)
def test_globals_that_are_not_a_dict_of_names_are_refused(globals, message):
    with pytest.raises(TypeError, match=message):
        v8ctx.Context(globals=globals)


def test_a_jsfunction_exposed_under_another_name_is_that_function(ctx):
    f = ctx.evaluate("(function sign(x) { return x + '!' })")
    ctx.expose("alias", f)
    assert ctx.evaluate("alias('a')") == "a!"
    assert ctx.evaluate("alias.name") == "sign"


# --------------------------------------------------------------------------------------------------
# exceptions


def fail(message):
    raise ValueError(message)


def test_a_python_exception_becomes_a_javascript_error_named_after_its_class(ctx):
    ctx.expose("fail", fail)
    assert ctx.evaluate("try { fail('bad') } catch (e) { [e instanceof Error, e.name, e.message] }") == [
        True,
        "ValueError",
        "bad",
    ]


def test_an_uncaught_python_exception_reaches_the_caller_as_the_same_object(ctx):
    raised = []

    def keep_and_fail():
        raised.append(KeyError("missing"))
        raise raised[0]

    ctx.expose("keepAndFail", keep_and_fail)
    ctx.compile("function outer() { return keepAndFail() }")
    with pytest.raises(KeyError) as info:
        ctx.call("outer")
    assert info.value is raised[0]
    # the traceback still runs through the callable
    assert any(frame.name == "keep_and_fail" for frame in info.traceback)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes are Python 3.11+")
def test_the_javascript_stack_is_added_as_a_note(ctx):
    ctx.expose("fail", fail)
    ctx.compile("function outer() { return fail('deep') }")
    with pytest.raises(ValueError) as info:
        ctx.call("outer")
    (note,) = info.value.__notes__
    assert note.startswith("JavaScript stack:\n")
    assert "at outer" in note


def test_a_python_exception_rethrown_by_javascript_is_still_the_same_object(ctx):
    ctx.expose("fail", fail)
    with pytest.raises(ValueError, match="again") as info:
        ctx.evaluate("try { fail('again') } catch (e) { e.seen = true; throw e }")
    assert type(info.value) is ValueError


def test_a_javascript_error_thrown_through_a_python_callable_keeps_its_name(ctx):
    # JavaScript -> Python (JSError) -> JavaScript: the error JavaScript sees is named JSError.
    ctx.compile("function bad() { throw new RangeError('inner') }")
    ctx.expose("callBad", lambda: ctx.call("bad"))
    assert ctx.evaluate("try { callBad() } catch (e) { [e.name, e.message.includes('RangeError: inner')] }") == [
        "JSError",
        True,
    ]


@pytest.mark.parametrize("raised", [KeyboardInterrupt, SystemExit])
def test_interrupts_and_exits_are_never_swallowed_by_javascript(ctx, raised):
    def stop():
        raise raised()

    ctx.expose("stop", stop)
    with pytest.raises(raised):
        ctx.evaluate("try { stop() } catch (e) { 'caught' }")
    assert ctx.evaluate("1 + 1") == 2


def test_an_unconvertible_result_is_a_type_error_in_javascript(ctx):
    ctx.expose("opaque", lambda: object())
    assert ctx.evaluate("try { opaque() } catch (e) { [e.name, e.message] }") == [
        "TypeError",
        "cannot convert object at return value to JavaScript",
    ]


def test_an_async_python_function_cannot_be_awaited_from_a_synchronous_call(ctx):
    async def fetch():
        return 1

    ctx.expose("fetch", fetch)
    name, message = ctx.evaluate("try { fetch() } catch (e) { [e.name, e.message] }")
    assert name == "TypeError" and "async Python function" in message


def test_a_getter_that_throws_while_arguments_are_read_throws_in_javascript(ctx):
    ctx.expose("take", lambda value: value)
    assert ctx.evaluate(
        "try { take({ get a() { throw new SyntaxError('from getter') } }) } catch (e) { [e.name, e.message] }"
    ) == ["SyntaxError", "from getter"]


# --------------------------------------------------------------------------------------------------
# limits


def test_time_in_python_counts_against_the_timeout_and_stops_javascript_when_it_returns():
    out = run_python(
        """
        import time, v8ctx
        ctx = v8ctx.Context(timeout=0.3)
        ctx.expose("sleep", time.sleep)
        start = time.monotonic()
        try:
            ctx.evaluate("sleep(0.6); while (true) {}")
        except v8ctx.JSTimeoutError:
            print("timed out", time.monotonic() - start >= 0.6)
        print(ctx.evaluate("1 + 1"))
        """,
        timeout=60,
    )
    assert out.split() == ["timed", "out", "True", "2"]


def test_ten_thousand_callbacks_keep_no_references_and_no_memory(ctx):
    payload = {"rows": [1, 2, 3]}
    ctx.expose("give", lambda: payload)
    ctx.expose("take", lambda value: None)
    ctx.compile("function loop(n) { for (let i = 0; i < n; i++) take(give()) }")
    ctx.call("loop", [1000])
    gc.collect()
    references = sys.getrefcount(payload)
    objects = len(gc.get_objects())
    ctx.call("loop", [10_000])
    gc.collect()
    assert sys.getrefcount(payload) == references
    assert len(gc.get_objects()) - objects < 100


# --------------------------------------------------------------------------------------------------
# values through a Python callable


_ECHO = None


def echo_ctx():
    global _ECHO
    if _ECHO is None or _ECHO.closed:
        _ECHO = v8ctx.Context(globals={"echo": lambda value: value})
        _ECHO.compile("function viaPython(value) { return echo(value) }")
    return _ECHO


def teardown_module(module):
    if _ECHO is not None:
        _ECHO.close()


@pytest.mark.timeout(900)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALUES)
def test_property_values_round_trip_through_a_python_callable(value):
    assert_same(echo_ctx().call("viaPython", [value]), normalize(value))


def test_a_hundred_thousand_calls_from_javascript_add_up(ctx):
    # The speed is measured by bench/bridge.py; this checks that every call ran once.
    ctx.expose("inc", lambda n: n + 1)
    ctx.compile("function count(n) { let s = 0; for (let i = 0; i < n; i++) s = inc(s); return s }")
    assert ctx.call("count", [100_000]) == 100_000


# --------------------------------------------------------------------------------------------------
# Pool(globals=...)


def test_pool_globals_run_on_the_worker_thread():
    import threading

    def where(x):
        return [threading.get_ident(), x + 1]

    with v8ctx.Pool("function viaHost(x) { return host.where(x) }", workers=1, globals={"host.where": where, "limit": 3}) as pool:
        thread, value = pool.call("viaHost", [1])
        assert thread != threading.get_ident() and value == 2
        assert pool.evaluate("limit") == 3


def test_a_pool_global_raising_reaches_the_caller_as_the_same_exception():
    error = LookupError("from the worker")

    def fail():
        raise error

    with v8ctx.Pool("", workers=1, globals={"fail": fail}) as pool:
        with pytest.raises(LookupError) as info:
            pool.evaluate("fail()")
        assert info.value is error


def test_pool_globals_that_are_not_a_dict_of_names_are_refused_at_once():
    with pytest.raises(TypeError, match="globals must be a dict"):
        v8ctx.Pool("", workers=1, globals=[("f", len)])
    with pytest.raises(ValueError, match="is not a JavaScript identifier"):
        v8ctx.Pool("", workers=1, globals={"no such name": len})


@pytest.mark.parametrize(
    "name, message",
    [
        ("frozen.key", "cannot expose frozen.key: JavaScript refused the property (it is read-only, or its object is frozen, sealed or not extensible)"),
        ("NaN", "cannot expose NaN: JavaScript refused the property (it is read-only, or its object is frozen, sealed or not extensible)"),
        ("readOnly", "cannot expose readOnly: JavaScript refused the property (it is read-only, or its object is frozen, sealed or not extensible)"),
        ("counter", "cannot expose counter: a top-level let, const or class counter hides the global property from JavaScript"),
    ],
)
def test_a_property_javascript_would_not_take_is_refused_not_silently_skipped(ctx, name, message):
    ctx.compile(
        "var frozen = Object.freeze({}); let counter = 1;"
        " Object.defineProperty(globalThis, 'readOnly', { value: 1, writable: false })"
    )
    with pytest.raises(ValueError) as raised:
        ctx.expose(name, 5)
    assert str(raised.value) == message
    with pytest.raises(ValueError):
        v8ctx.Context(globals={"NaN": 5})


def test_a_dotted_name_reaches_into_a_top_level_const(ctx):
    ctx.compile("const lib = {}")
    ctx.expose("lib.helper", lambda: "from Python")
    assert ctx.evaluate("lib.helper()") == "from Python"


def test_a_throwing_setter_on_the_way_raises_its_error(ctx):
    ctx.compile("var guarded = new Proxy({}, { set() { throw new RangeError('no sets here') } })")
    with pytest.raises(v8ctx.JSError, match="no sets here"):
        ctx.expose("guarded.inner.value", 1)
