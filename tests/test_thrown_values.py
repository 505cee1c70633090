"""Whatever JavaScript throws, the JSError says what it was: never an empty message."""

import pytest

import v8ctx


@pytest.fixture
def ctx():
    context = v8ctx.Context()
    yield context
    context.close()


def thrown(ctx, code):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate(code)
    return info.value


def test_a_thrown_object_nested_past_the_conversion_limit_is_still_described(ctx):
    error = thrown(ctx, "{ let t = {leaf: true}; for (let i = 0; i < 100000; i++) t = {t}; throw t }")
    assert error.message.startswith('{"t":{"t":')
    assert "[...]" in error.message


def test_a_cyclic_thrown_object_shows_the_cycle(ctx):
    error = thrown(ctx, "{ const z = {a: 1}; z.self = z; throw z }")
    assert error.message == '{"a":1,"self":"[Circular]"}'


def test_a_thrown_symbol_is_described(ctx):
    assert thrown(ctx, "throw Symbol('token')").message == "Symbol(token)"


def test_a_thrown_object_whose_conversions_throw_is_described_by_its_tag(ctx):
    error = thrown(ctx, "throw {toString() { throw 1 }, toJSON() { throw 2 }}")
    assert error.message == "[object Object]"


@pytest.mark.parametrize("code, message", [("throw {a: 1, b: [1, 2]}", '{"a":1,"b":[1,2]}'), ("throw 42", "42"), ("throw 'plain'", "plain")])
def test_ordinary_thrown_values_keep_their_plain_rendering(ctx, code, message):
    assert thrown(ctx, code).message == message
