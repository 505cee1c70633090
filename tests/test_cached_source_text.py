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


# Characters of each kind of text, and the last character of a source of that kind.
CHARACTERS = {
    "ascii": ("plain ASCII", "~"),
    "latin1": ("Latin-1: café, naïve, ½", "ÿ"),
    "utf16": ("UTF-16: Ελληνικά, 漢字, 😀 (a surrogate pair)", "😀"),
}


@pytest.mark.parametrize(("characters", "last"), CHARACTERS.values(), ids=CHARACTERS.keys())
@pytest.mark.parametrize("size", [4096, 3 << 19], ids=["4 KB", "1.5 MB"])
def test_each_context_runs_the_exact_source(characters, last, size):
    """4 KB: the first compilation makes its own string, the second lends a text the cache then
    keeps, the third lends the cache's. 1.5 MB: the first lends the text too."""
    source, function = library(characters, size)
    # A text a unit short or long would cut the last character or read past it.
    source += f"globalThis.last = '{last}';"
    for _ in range(4):
        with v8ctx.Context() as ctx:
            ctx.compile(source)
            assert ctx.evaluate("source") == function
            assert ctx.call("body").startswith(characters)
            assert ctx.evaluate(f"source.length === {len(function.encode('utf-16-le')) // 2}")
            assert ctx.evaluate("last") == last


def heap_used_after_compiling(sources: list[str]) -> list[int]:
    """The heap each of ``len(sources)`` Contexts, all open at the end, uses after compiling its
    source and running one more operation (after which the code cache is made)."""
    used = []
    contexts = []
    for source in sources:
        ctx = v8ctx.Context()
        contexts.append(ctx)
        ctx.compile(source)
        ctx.evaluate("1")
        ctx.gc()
        used.append(ctx.heap_stats()["used_heap_size"])
    for ctx in contexts:
        ctx.close()
    return used


def test_a_large_source_is_not_copied_into_any_context():
    """2 MB of UTF-16 would take 4 MB of each Context's heap; it is cached from its first
    compilation, whose text the process keeps and lends to every Context."""
    source, _ = library("UTF-16: 漢字", 2 << 20)
    baseline, *used = heap_used_after_compiling(["var small = 1;", source, source, source])
    assert max(used) < baseline + (1 << 20), (baseline, used)


def test_a_mid_size_source_is_copied_only_by_its_first_compilation():
    """512 KB of UTF-16, 1 MB in a heap: the first Context makes its own string, the second lends
    a text that the cache made after it keeps, and the third borrows that."""
    source, _ = library("UTF-16: 漢字", 512 << 10)
    first, second, third = heap_used_after_compiling([source, source, source])
    assert first > second + (768 << 10), (first, second, third)
    assert abs(second - third) < 256 << 10, (first, second, third)


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
