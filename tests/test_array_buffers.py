"""ArrayBuffer memory counts against max_heap_mb together with the heap (src/external_memory.rs).

Backing stores live outside V8's heap; each isolate's allocator counts them and refuses one that
would take heap plus buffers past the limit, which JavaScript sees as V8 reports it (a catchable
RangeError). Cases that end in heap exhaustion run in a fresh interpreter.
"""

import pytest

import v8ctx
from _subprocess import run_python


@pytest.fixture
def limited():
    ctx = v8ctx.Context(max_heap_mb=64)
    yield ctx
    ctx.close()


def test_a_buffer_past_the_limit_fails_with_a_catchable_range_error(limited):
    assert limited.evaluate(
        "try { new Uint8Array(2**27); 'allocated' } catch (e) { e instanceof RangeError && e.message }"
    ) == "Array buffer allocation failed"


def test_the_context_stays_usable_after_a_refused_buffer(limited):
    with pytest.raises(v8ctx.JSError) as info:
        limited.evaluate("new ArrayBuffer(2**30)")
    assert info.value.name == "RangeError"
    assert limited.evaluate("new Uint8Array(2**20).fill(7)[123]") == 7
    assert not limited.closed


def test_buffers_within_the_limit_are_allocated_and_counted(limited):
    limited.compile("var kept = []; for (let i = 0; i < 20; i++) kept.push(new Uint8Array(2**20))")
    # the bootstrap keeps a few bytes of buffers of its own
    assert 20 * 2**20 <= limited.heap_stats()["array_buffer_bytes"] < 21 * 2**20


def test_buffers_and_heap_share_the_limit(limited):
    # Over 16 MB of heap first: a 48 MB buffer no longer fits in 64 MB, an 8 MB one still does.
    limited.compile("var heap = []; for (let i = 0; i < 2.5e5; i++) heap.push({i, s: 'x' + i})")
    assert limited.heap_stats()["used_heap_size"] > 16 * 2**20
    assert limited.evaluate("try { new Uint8Array(48 * 2**20); 'ok' } catch (e) { 'refused' }") == "refused"
    assert limited.evaluate("new Uint8Array(8 * 2**20).length") == 8 * 2**20


def test_freed_buffers_are_no_longer_counted():
    ctx = v8ctx.Context(max_heap_mb=64)
    for _ in range(10):
        assert ctx.evaluate("new Uint8Array(40 * 2**20).fill(1).length") == 40 * 2**20
    ctx.gc()
    assert ctx.heap_stats()["array_buffer_bytes"] < 2**20


def test_without_a_limit_buffers_are_counted_but_not_refused():
    ctx = v8ctx.Context()
    assert ctx.evaluate("globalThis.big = new Uint8Array(2**29); big.length") == 2**29
    assert ctx.heap_stats()["array_buffer_bytes"] >= 2**29


def test_the_gigabyte_attack_stays_under_the_limit():
    out = run_python(
        """
        import resource, v8ctx
        ctx = v8ctx.Context(max_heap_mb=256)
        try:
            ctx.evaluate("var keep = []; for (let i = 0; i < 6; i++) { const b = new Uint8Array(2**30); b.fill(1); keep.push(b) }")
        except v8ctx.JSError as error:
            print(error.name)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
        """
    )
    name, peak_mb = out.split()
    assert name == "RangeError"
    assert int(peak_mb) < 400


def test_a_script_that_keeps_retrying_ends_in_memory_error():
    out = run_python(
        """
        import v8ctx
        ctx = v8ctx.Context(max_heap_mb=64, timeout=60)
        try:
            ctx.evaluate("const kept = []; while (true) { try { kept.push(new Uint8Array(2**24)) } catch (e) {} }")
        except v8ctx.JSMemoryError:
            print("out of memory")
        print(v8ctx.Context(max_heap_mb=64).evaluate("new Uint8Array(16).length"))
        """
    )
    assert out.split() == ["out", "of", "memory", "16"]
