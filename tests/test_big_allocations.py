"""One allocation larger than what the heap limit leaves ends in JSMemoryError, never in V8's
fatal out-of-memory handler (which aborts the process).

The near-heap-limit callback grants enough headroom for the largest object V8 allocates in one
piece and terminates the script (src/limits.rs). Each case runs in a fresh interpreter: an abort
fails that test only.
"""

import pytest

from _subprocess import run_python

FILL = "new Array({n}).fill(1).length"


def outcomes(max_heap_mb, codes):
    """What each of `codes` gives in a fresh Context with `max_heap_mb`: its value or an error name."""
    out = run_python(
        f"""
        import v8ctx
        for code in {codes!r}:
            try:
                print(v8ctx.Context(max_heap_mb={max_heap_mb}, timeout=60).evaluate(code))
            except v8ctx.JSError as error:
                print(type(error).__name__)
        """,
        timeout=300,
    )
    return out.split()


@pytest.mark.parametrize("max_heap_mb", [16, 64, 256])
def test_filled_arrays_of_every_size_around_the_limit(max_heap_mb):
    # 8 bytes an element: from a quarter of the limit to 8 times it, and the largest array V8 makes.
    limit_elements = max_heap_mb * 2**20 // 8
    sizes = [limit_elements // 4, limit_elements // 2, limit_elements, 2 * limit_elements]
    sizes += [min(8 * limit_elements, 2**27), 2**27]
    results = outcomes(max_heap_mb, [FILL.format(n=n) for n in sizes])
    assert results[0] == str(sizes[0])
    for n, result in zip(sizes, results):
        assert result in (str(n), "JSMemoryError"), (n, result)
    assert results[-1] == "JSMemoryError"  # 1 GiB: past every limit here


def test_array_from_with_a_callback_past_the_limit():
    assert outcomes(64, ["Array.from({length: 2**25}, (_, i) => i).length"]) == ["JSMemoryError"]


def test_json_parse_of_a_huge_array_past_the_limit():
    code = "JSON.parse('[' + '1,'.repeat(2**24) + '1]').length"
    assert outcomes(16, [code]) == ["JSMemoryError"]


def test_flattening_a_huge_string_past_the_limit():
    # repeat() makes a rope of a few KB; toUpperCase() needs the 256 MB flat string at once.
    assert outcomes(64, ["'ab'.repeat(2**27).toUpperCase().length"]) == ["JSMemoryError"]


def test_a_pool_worker_survives_a_one_line_allocation_past_its_limit():
    out = run_python(
        f"""
        import v8ctx
        with v8ctx.Pool("function hog() {{ return {FILL.format(n='2**26')} }}", workers=1, max_heap_mb=32) as pool:
            try:
                pool.call("hog")
            except v8ctx.JSMemoryError:
                print("out of memory")
            print(pool.evaluate("6 * 7"))
        """,
        timeout=120,
    )
    assert out.split() == ["out", "of", "memory", "42"]
