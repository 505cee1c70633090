"""An argument of the wrong type or range is refused with an error that names it.

``str(error)`` is what logs and most error reports keep, so the parameter's name is in the
message itself, phrased as CPython's builtins phrase theirs: ``timeout must be a number of seconds
or None, not str``. An explicit None means the same as leaving an optional argument out.
"""

import os

import pytest

import v8ctx


@pytest.fixture(scope="module")
def ctx():
    with v8ctx.Context() as context:
        context.compile("function add(a, b) { return a + b }")
        yield context


@pytest.fixture(scope="module")
def script(ctx):
    return ctx.load("function twice(x) { return 2 * x }")


@pytest.fixture(scope="module")
def pool():
    with v8ctx.Pool("function add(a, b) { return a + b }", workers=1) as p:
        yield p


@pytest.fixture(scope="module")
def snapshot():
    return v8ctx.Snapshot.create("var ready = true")


WRONG_TYPES = {
    "Context.evaluate code": (lambda c, s, p, n: c.evaluate(123), "code must be str, not int"),
    "Context.compile code": (lambda c, s, p, n: c.compile(b"1"), "code must be str, not bytes"),
    "Context.eval code": (lambda c, s, p, n: c.eval(None), "code must be str, not NoneType"),
    "Context.load code": (lambda c, s, p, n: c.load(1), "code must be str, not int"),
    "Context.evaluate_async code": (lambda c, s, p, n: c.evaluate_async(1), "code must be str, not int"),
    "Context.call name": (lambda c, s, p, n: c.call(1), "name must be str, not int"),
    "Context.get name": (lambda c, s, p, n: c.get(["add"]), "name must be str, not list"),
    "Context.require name": (lambda c, s, p, n: c.require(1), "name must be str, not int"),
    "Context.expose name": (lambda c, s, p, n: c.expose(1, print), "name must be str, not int"),
    "Context.import_module specifier": (
        lambda c, s, p, n: c.import_module(1),
        "specifier must be str, not int",
    ),
    "Context.compile filename": (
        lambda c, s, p, n: c.compile("1", filename=1),
        "filename must be str or None, not int",
    ),
    "Context.evaluate timeout": (
        lambda c, s, p, n: c.evaluate("1", timeout="1"),
        "timeout must be a number of seconds or None, not str",
    ),
    "Context.call auto_await": (
        lambda c, s, p, n: c.call("add", [1, 2], auto_await=None),
        "auto_await must be a bool, not NoneType",
    ),
    "Context.eval return_value": (
        lambda c, s, p, n: c.eval("1", return_value="yes"),
        "return_value must be a bool, not str",
    ),
    "Context() timeout": (lambda c, s, p, n: v8ctx.Context(timeout="1"), "timeout must be a number of seconds or None, not str"),
    "Context() max_heap_mb": (lambda c, s, p, n: v8ctx.Context(max_heap_mb="x"), "max_heap_mb must be an int or None, not str"),
    "Context() random_seed": (lambda c, s, p, n: v8ctx.Context(random_seed=1.5), "random_seed must be an int or None, not float"),
    "Context() browser": (lambda c, s, p, n: v8ctx.Context(browser="yes"), "browser must be a bool, not str"),
    "Context() user_agent": (
        lambda c, s, p, n: v8ctx.Context(browser=True, user_agent=3),
        "user_agent must be str or None, not int",
    ),
    "Context() url": (lambda c, s, p, n: v8ctx.Context(browser=True, url=3), "url must be str or None, not int"),
    "Context() snapshot": (
        lambda c, s, p, n: v8ctx.Context(snapshot=b"bytes"),
        "snapshot must be a v8ctx.Snapshot or None, not bytes",
    ),
    "Script.call name": (lambda c, s, p, n: s.call(1), "name must be str, not int"),
    "Script.evaluate expression": (lambda c, s, p, n: s.evaluate(1), "expression must be str, not int"),
    "Script.call timeout": (
        lambda c, s, p, n: s.call("twice", [1], timeout=[]),
        "timeout must be a number of seconds or None, not list",
    ),
    "JSFunction timeout": (
        lambda c, s, p, n: c.evaluate("(x => x)")(1, timeout="soon"),
        "timeout must be a number of seconds or None, not str",
    ),
    "Pool() code": (lambda c, s, p, n: v8ctx.Pool(1), "code must be str, not int"),
    "Pool() isolation": (lambda c, s, p, n: v8ctx.Pool(isolation=1), "isolation must be str, not int"),
    "Pool() workers": (lambda c, s, p, n: v8ctx.Pool(workers="2"), "workers must be an int or None, not str"),
    "Pool() recycle_after": (
        lambda c, s, p, n: v8ctx.Pool(recycle_after=1.5),
        "recycle_after must be an int or None, not float",
    ),
    "Pool() max_rss_mb": (
        lambda c, s, p, n: v8ctx.Pool(isolation="process", max_rss_mb="x"),
        "max_rss_mb must be an int or None, not str",
    ),
    "Pool.call name": (lambda c, s, p, n: p.call(1), "name must be str, not int"),
    "Pool.evaluate code": (lambda c, s, p, n: p.evaluate(1), "code must be str, not int"),
    "Pool.call_async name": (lambda c, s, p, n: p.call_async(1), "name must be str, not int"),
    "Pool.close cancel": (lambda c, s, p, n: p.close(cancel="no"), "cancel must be a bool, not str"),
    "Snapshot.create filename": (
        lambda c, s, p, n: v8ctx.Snapshot.create("1", filename=1),
        "filename must be str or None, not int",
    ),
    "Snapshot.create snapshot": (
        lambda c, s, p, n: v8ctx.Snapshot.create("1", snapshot="base"),
        "snapshot must be a v8ctx.Snapshot or None, not str",
    ),
    "Snapshot.from_bytes data": (lambda c, s, p, n: v8ctx.Snapshot.from_bytes("text"), "data must be bytes, not str"),
    "Snapshot.load path": (lambda c, s, p, n: v8ctx.Snapshot.load(1), "path must be a str or os.PathLike, not int"),
    "Snapshot.save path": (lambda c, s, p, n: n.save(1.5), "path must be a str or os.PathLike, not float"),
}


@pytest.mark.parametrize("call, message", WRONG_TYPES.values(), ids=WRONG_TYPES.keys())
def test_an_argument_of_the_wrong_type_is_a_type_error_naming_it(ctx, script, pool, snapshot, call, message):
    with pytest.raises(TypeError) as raised:
        call(ctx, script, pool, snapshot)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    "make, name, value",
    [
        (lambda: v8ctx.Context(max_heap_mb=-1), "max_heap_mb", "-1"),
        (lambda: v8ctx.Context(random_seed=-5), "random_seed", "-5"),
        (lambda: v8ctx.Context(random_seed=2**64), "random_seed", str(2**64)),
        (lambda: v8ctx.Pool(workers=-1), "workers", "-1"),
    ],
)
def test_a_negative_or_too_large_count_is_a_value_error_naming_it(make, name, value):
    with pytest.raises(ValueError) as raised:
        make()
    assert str(raised.value) == f"{name} must be an int from 0 to {2**64 - 1}, not {value}"


def test_source_with_a_lone_surrogate_is_a_unicode_error_naming_the_argument(ctx):
    with pytest.raises(UnicodeEncodeError) as raised:
        ctx.evaluate('"\ud800"')
    assert (raised.value.start, raised.value.end) == (1, 2)
    assert raised.value.reason == "code cannot hold a lone surrogate"


def test_an_explicit_none_means_the_argument_was_left_out(ctx, snapshot, tmp_path):
    assert ctx.evaluate("1 + 1", filename=None, timeout=None) == 2
    with v8ctx.Context(timeout=None, max_heap_mb=None, random_seed=None, snapshot=None, user_agent=None, url=None) as c:
        assert c.call("Math.max", [1, 2], timeout=None) == 2
    assert v8ctx.Snapshot.create("1", filename=None, snapshot=None, random_seed=None).nbytes > 0


def test_the_right_types_still_pass_including_subclasses_and_path_like_objects(ctx, snapshot, tmp_path):
    class Source(str):
        pass

    assert ctx.evaluate(Source("'é' + 1")) == "é1"
    assert ctx.call(Source("add"), [1, 2], timeout=5) == 3  # an int timeout is a number of seconds
    path = tmp_path / "ready.snapshot"
    snapshot.save(path)
    assert v8ctx.Snapshot.load(os.fspath(path)).to_bytes() == snapshot.to_bytes()


HUGE_TIMEOUTS = {
    "Context()": lambda c, s, p: v8ctx.Context(timeout=1e19),
    "Context.evaluate": lambda c, s, p: c.evaluate("1", timeout=1e300),
    "Context.call": lambda c, s, p: c.call("Math.max", [1], timeout=1e19),
    "Script.call": lambda c, s, p: s.call("twice", [1], timeout=1e19),
    "JSFunction": lambda c, s, p: c.evaluate("(x => x)")(1, timeout=1e19),
    "Pool()": lambda c, s, p: v8ctx.Pool(workers=1, timeout=1e19),
    "Pool.evaluate": lambda c, s, p: p.evaluate("1", timeout=1e19),
    "Snapshot.create": lambda c, s, p: v8ctx.Snapshot.create("1", timeout=1e19),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("call", HUGE_TIMEOUTS.values(), ids=HUGE_TIMEOUTS.keys())
def test_a_timeout_too_long_for_the_clock_is_a_value_error_and_breaks_nothing(ctx, script, pool, call):
    # A deadline beyond what an instant can hold panicked (a PanicException; a thread Pool's
    # worker died with the Pool left looking open, and the next call hung).
    with pytest.raises(ValueError, match=r"timeout must be a positive number of seconds, at most 1e9 \(None for no timeout\), not 1e\d+"):
        call(ctx, script, pool)
    assert pool.evaluate("1 + 1") == 2
    assert ctx.evaluate("1 + 1", timeout=1e9) == 2
