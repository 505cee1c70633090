"""Strings of hundreds of megabytes, both ways (issue #17, section 10).

V8's longest string is 2**29 - 24 characters. Anything up to it round-trips exactly, whatever its
characters; past it, JavaScript gets a RangeError and Python a ValueError saying so. A large
non-ASCII str reaches V8 through a temporary copy, not through the UTF-8 CPython would otherwise
cache in the str for the rest of its life. The 200 MB cases run in a fresh interpreter (each
needs about a gigabyte for a moment).
"""

import sys

import pytest

import v8ctx
from _subprocess import run_python

V8_MAX_LENGTH = 2**29 - 24


@pytest.fixture
def ctx():
    with v8ctx.Context() as ctx:
        yield ctx


@pytest.mark.parametrize("char", ["a", "é", "中", "😀"], ids=["ascii", "latin1", "bmp", "astral"])
def test_200_mb_strs_round_trip_both_ways(char):
    out = run_python(
        f"""
        import v8ctx
        ctx = v8ctx.Context()
        n = 200 * 2**20 // len({char!r}.encode("utf-16-le")) * 2
        s = {char!r} * n
        assert ctx.call("String", [s]) == s
        assert ctx.evaluate(f"{char!r}.repeat({{n}})") == s
        print("ok")
        """,
        timeout=240,
    )
    assert out.strip() == "ok"


def test_a_javascript_string_of_v8s_longest_length_reaches_python():
    out = run_python(
        f"""
        import v8ctx
        s = v8ctx.Context().evaluate("'a'.repeat({V8_MAX_LENGTH})")
        print(len(s), s == "a" * {V8_MAX_LENGTH})
        """,
        timeout=240,
    )
    assert out.split() == [str(V8_MAX_LENGTH), "True"]


def test_a_javascript_string_past_v8s_limit_is_a_range_error(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("'a'.repeat(2**29)")
    assert info.value.name == "RangeError" and "Invalid string length" in info.value.message


@pytest.mark.parametrize("char", ["a", "é"], ids=["ascii", "latin1"])
def test_a_python_str_past_v8s_limit_is_a_value_error(char):
    out = run_python(
        f"""
        import v8ctx
        ctx = v8ctx.Context()
        try:
            ctx.call("String", [{char!r} * (2**29 + 10)])
        except ValueError as e:
            print("ValueError:", e)
        print(ctx.evaluate("1 + 1"))
        """,
        timeout=240,
    )
    assert "ValueError: string too long for JavaScript" in out
    assert out.split()[-1] == "2"


@pytest.mark.parametrize("char", ["é", "中", "😀"], ids=["latin1", "bmp", "astral"])
def test_a_large_non_ascii_str_keeps_its_size_after_the_call(ctx, char):
    s = char * 2**20
    before = sys.getsizeof(s)
    assert ctx.call("String", [s]) == s
    assert sys.getsizeof(s) == before


def test_a_large_str_with_a_lone_surrogate_round_trips(ctx):
    s = "é" * 2**20 + "\ud800" + "中"
    assert ctx.call("String", [s]) == s


def test_a_large_str_spelling_a_surrogate_pair_as_two_code_points_is_refused(ctx):
    with pytest.raises(ValueError, match="surrogate pair as two code points"):
        ctx.call("String", ["é" * 2**20 + "\ud83d\ude00"])
