"""Large ASCII strs are lent to V8 without a copy, and that memory is bounded
(src/convert/lent.rs, src/external_memory.rs).

A lent str is kept alive until no V8 string points at it. Each isolate counts the strs lent to
it once (``heap_stats()["lent_string_bytes"]``), collects dead ones on a schedule of its own
(V8 alone let them reach gigabytes) and counts them against ``max_heap_mb`` with its
ArrayBuffers; a str that does not fit is copied into the heap instead.
"""

import threading

import pytest

import v8ctx

MB = 2**20


def fresh_str(i: int, size: int = MB) -> str:
    return chr(97 + i % 26) * size


def test_dead_lent_strs_are_collected_in_time():
    with v8ctx.Context() as ctx:
        ctx.compile("function f(s) { return s.length }")
        highest = 0
        for i in range(400):
            assert ctx.call("f", [fresh_str(i)]) == MB
            highest = max(highest, ctx.heap_stats()["lent_string_bytes"])
        # 400 MB were lent, one at a time; the collection point is 32 MB
        assert highest <= 40 * MB
        assert ctx.heap_stats()["external_memory"] < 64 * MB


def test_dead_lent_strs_are_collected_with_several_threads_lending():
    highest = []

    def lend_many(seed):
        with v8ctx.Context() as ctx:
            ctx.compile("function f(s) { return s.length }")
            top = 0
            for i in range(200):
                assert ctx.call("f", [fresh_str(seed + i)]) == MB
                top = max(top, ctx.heap_stats()["lent_string_bytes"])
            highest.append(top)

    threads = [threading.Thread(target=lend_many, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(highest) == 3 and max(highest) <= 40 * MB


def test_a_kept_str_is_counted_once_however_often_it_is_lent():
    with v8ctx.Context() as ctx:
        ctx.compile("var keep = []; function k(s) { keep.push(s); return keep.length }")
        s = fresh_str(0)
        for n in range(1, 4):
            assert ctx.call("k", [s]) == n
        assert ctx.heap_stats()["lent_string_bytes"] == MB
        assert ctx.call("k", [fresh_str(1)]) == 4
        assert ctx.heap_stats()["lent_string_bytes"] == 2 * MB
        ctx.evaluate("keep = null")
        ctx.gc()
        assert ctx.heap_stats()["lent_string_bytes"] == 0


def test_one_str_lent_to_two_contexts_is_held_by_each_until_it_lets_go():
    s = fresh_str(2)
    with v8ctx.Context() as a, v8ctx.Context() as b:
        for ctx in (a, b):
            ctx.compile("var keep; function k(s) { keep = s; return s.length }")
            assert ctx.call("k", [s]) == MB
        a.evaluate("keep = null")
        a.gc()
        assert a.heap_stats()["lent_string_bytes"] == 0
        assert b.heap_stats()["lent_string_bytes"] == MB
        # b's string still points into the str, and comes back as that very str
        assert b.evaluate("keep") is s
        b.evaluate("keep = null")
        b.gc()
        assert b.heap_stats()["lent_string_bytes"] == 0


def test_lent_strs_count_against_max_heap_mb_with_array_buffers():
    with v8ctx.Context(max_heap_mb=64) as ctx:
        ctx.compile("var keep = []; function k(s) { keep.push(s); return s.length }")
        fits = "try { new Uint8Array(40 * 2**20).length } catch (e) { e.message }"
        assert ctx.evaluate(fits) == 40 * MB
        for i in range(30):
            assert ctx.call("k", [fresh_str(i)]) == MB
        assert ctx.heap_stats()["lent_string_bytes"] == 30 * MB
        assert ctx.evaluate(fits) == "Array buffer allocation failed"


def test_a_str_that_does_not_fit_the_budget_is_copied_instead():
    with v8ctx.Context(max_heap_mb=64) as ctx:
        ctx.compile("var buffer = new Uint8Array(40 * 2**20); var keep; function k(s) { keep = s; return s.length }")
        s = fresh_str(3, 30 * MB)
        assert ctx.call("k", [s]) == 30 * MB
        assert ctx.heap_stats()["lent_string_bytes"] == 0
        back = ctx.evaluate("keep")
        assert back == s and back is not s


@pytest.mark.parametrize("size, lent", [(64 * 1024 - 1, False), (64 * 1024, True)])
def test_strs_from_64_kb_on_are_lent_and_smaller_ones_copied(size, lent):
    with v8ctx.Context() as ctx:
        ctx.compile("var keep; function k(s) { keep = s; return s.length }")
        s = fresh_str(4, size)
        assert ctx.call("k", [s]) == size
        assert ctx.heap_stats()["lent_string_bytes"] == (size if lent else 0)
        assert (ctx.evaluate("keep") is s) == lent
