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


def test_a_text_made_for_an_old_cache_evicts_other_caches_not_its_own():
    """The first use of a cache adds its text to the 64 MB store: the room is made by evicting
    older caches, not the one in use (which was the oldest). Run in a child: it needs 60 MB."""
    from _subprocess import run_python

    out = run_python(
        """
        import uuid, v8ctx
        def library(size, extra=""):
            line = "// " + uuid.uuid4().hex + " " * 60 + "\\n"
            return line * (size // len(line)) + f"var last = '{extra}';\\n"
        mb = 1 << 20
        first = library(12 * mb, "漢")  # its text is UTF-16: 24 MB more
        for source in [first, library(12 * mb), library(12 * mb), library(12 * mb)]:
            with v8ctx.Context() as ctx:
                ctx.compile(source)
                ctx.evaluate("1")
        with v8ctx.Context() as ctx:
            ctx.compile(first)
            assert ctx.evaluate("last") == "漢"
        info = v8ctx.code_cache_info()
        print(info["memory_entries"], info["memory_bytes"] // mb)
        """
    )
    entries, megabytes = map(int, out.split())
    # The first library (12 MB and 24 MB of text) and two of the others stay: about 60 MB. With
    # the first evicted instead, 36 MB would remain.
    assert entries == 3 and megabytes >= 59, out
