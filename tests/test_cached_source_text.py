"""A source the process compiled before, with a code cache, reaches each later Context as one
shared external string: its text is exact, and it is not copied into every Context's heap.

Each test uses sources no other test compiles (the code cache is process-wide), so the first,
second and third Contexts here are that source's first, second and third compilations.
"""

import uuid

import pytest

import v8ctx


def library(characters: str, size: int) -> tuple[str, str]:
    """A library of about ``size`` bytes whose function ``body`` returns its own text, and the
    text that must come back; unique to this call."""
    tag = uuid.uuid4().hex
    padding = f"// {characters} {tag}\n" * (size // (len(characters.encode()) + 40) + 1)
    function = f"function body() {{ return {characters!r} + '{tag}'; }}"
    return f"{padding}{function}\nglobalThis.source = body.toString();\n", function


@pytest.mark.parametrize(
    "characters",
    ["plain ASCII", "Latin-1: café, naïve, ½", "UTF-16: Ελληνικά, 漢字, 😀 (a surrogate pair)"],
    ids=["ascii", "latin1", "utf16"],
)
def test_each_later_context_runs_the_exact_source(characters):
    source, function = library(characters, 4096)
    for _ in range(4):
        with v8ctx.Context() as ctx:
            ctx.compile(source)
            assert ctx.evaluate("source") == function
            assert ctx.call("body").startswith(characters)
            assert ctx.evaluate(f"source.length === {len(function.encode('utf-16-le')) // 2}")


def test_a_large_cached_source_is_not_copied_into_each_context():
    """2 MB of UTF-16: 4 MB in the heap of the Context that compiles it first, about nothing in
    the later ones, which borrow the text the process keeps with the code cache."""
    source, _ = library("UTF-16: 漢字", 2 << 20)
    used = []
    contexts = []
    for _ in range(3):
        ctx = v8ctx.Context()
        contexts.append(ctx)
        ctx.compile(source)
        ctx.evaluate("1")  # the code cache is made at the end of the operation after the compile
        ctx.gc()
        used.append(ctx.heap_stats()["used_heap_size"])
    for ctx in contexts:
        ctx.close()
    assert used[0] > used[2] + (3 << 20), used


def test_a_context_keeps_its_borrowed_source_after_the_others_close():
    source, function = library("UTF-16: 漢字", 8192)
    keeper = None
    for n in range(3):
        ctx = v8ctx.Context()
        ctx.compile(source)
        if n == 2:
            keeper = ctx
        else:
            ctx.close()
    keeper.gc()
    assert keeper.evaluate("body.toString()") == function
    keeper.close()
