"""What the value tests share: the structural comparison, the documented normalizations of a
round trip, and the hypothesis strategy of Python values."""

import math

from hypothesis import strategies as st

MAX_SAFE_INTEGER = 2**53 - 1


def assert_same(actual, expected, path="value"):
    """Exact structural equality including types (True != 1, 3.0 != 3) and the sign of zero; an
    expected tuple stands for the list it comes back as."""
    if isinstance(expected, tuple):
        expected = list(expected)
    assert type(actual) is type(expected), f"{path}: got {actual!r} ({type(actual).__name__}), want {expected!r} ({type(expected).__name__})"
    if isinstance(expected, list):
        assert len(actual) == len(expected), f"{path}: got {actual!r}, want {expected!r}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_same(a, e, f"{path}[{i}]")
    elif isinstance(expected, dict):
        assert set(actual) == set(expected), f"{path}: got keys {sorted(map(repr, actual))}, want {sorted(map(repr, expected))}"
        for key in expected:
            assert_same(actual[key], expected[key], f"{path}[{key!r}]")
    elif isinstance(expected, float):
        if math.isnan(expected):
            assert math.isnan(actual), f"{path}: got {actual!r}, want nan"
        else:
            assert actual == expected, f"{path}: got {actual!r}, want {expected!r}"
            assert math.copysign(1.0, actual) == math.copysign(1.0, expected), f"{path}: sign of zero lost: got {actual!r}, want {expected!r}"
    else:
        assert actual == expected, f"{path}: got {actual!r}, want {expected!r}"


def normalize(value):
    """What a Python value should come back as after Python -> JavaScript -> Python.

    The documented normalizations: tuples come back as lists, a float that is integral and a safe
    integer (|x| <= 2**53-1) comes back as int except -0.0, bytearray/memoryview come back as bytes,
    frozenset as set. Everything else comes back equal and of the same type.
    """
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) <= MAX_SAFE_INTEGER:
            if value == 0.0 and math.copysign(1.0, value) < 0:
                return value
            return int(value)
        return value
    if isinstance(value, (list, tuple)):
        return [normalize(item) for item in value]
    if isinstance(value, dict):
        return {key: normalize(item) for key, item in value.items()}
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, frozenset):
        return set(value)
    return value


def text():
    return st.text(alphabet=st.characters(blacklist_categories=("Cs",)))


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**300), max_value=2**300)
    | st.floats(allow_nan=False)
    | text()
    | st.binary(max_size=64)
)

VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=8)
    | st.lists(children, max_size=8).map(tuple)
    | st.dictionaries(text(), children, max_size=8),
    max_leaves=40,
)
