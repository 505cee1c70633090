"""The structural comparison the value tests share."""

import math


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
