"""Call targets resolve as the compiled code's own scope does, for Context, Script and Pool.

Top-level `const`, `let` and `class` declarations of a script are not properties of the global
object, yet modern and obfuscated code declares its entry points that way.
"""

import pytest

import v8ctx

DECLARATIONS = (
    "const sign = x => x + 1;"
    " let lib = { hex: n => n.toString(16) };"
    " class Maker { static make() { return 7 } }"
    " var old = () => 'var';"
    " function plain() { return 'function' }"
)

CALLS = [("sign", [1], 2), ("lib.hex", [255], "ff"), ("Maker.make", [], 7), ("old", [], "var"), ("plain", [], "function")]


@pytest.mark.parametrize("name, args, expected", CALLS)
def test_context_calls_every_kind_of_top_level_declaration(name, args, expected):
    with v8ctx.Context() as ctx:
        ctx.compile(DECLARATIONS)
        assert ctx.call(name, args) == expected


@pytest.mark.parametrize("name, args, expected", CALLS)
def test_pool_calls_every_kind_of_top_level_declaration(name, args, expected):
    with v8ctx.Pool(DECLARATIONS, workers=1) as pool:
        assert pool.call(name, args) == expected


@pytest.mark.parametrize("name, args, expected", CALLS)
def test_script_calls_its_own_and_the_global_declarations(name, args, expected):
    with v8ctx.Context() as ctx:
        ctx.compile(DECLARATIONS)
        script = ctx.load("const own = () => 'own'")
        assert script.call(name, args) == expected
        assert script.call("own") == "own"


def test_a_global_property_wins_over_nothing_and_a_missing_name_is_reported():
    with v8ctx.Context() as ctx:
        ctx.compile("globalThis.viaProperty = () => 1")
        assert ctx.call("viaProperty") == 1
        with pytest.raises(v8ctx.JSError, match="ReferenceError: missing is not defined"):
            ctx.call("missing")


def test_a_lexical_binding_not_yet_initialised_is_an_error_not_none():
    with v8ctx.Context() as ctx:
        with pytest.raises(v8ctx.JSError):
            ctx.compile("ctxCallsMe(); let ctxCallsMe = () => 1")
        with pytest.raises(v8ctx.JSError, match="ctxCallsMe"):
            ctx.call("ctxCallsMe")


def test_a_name_looked_up_again_finds_what_it_names_now():
    # The runtime keeps the V8 string of each name it looked up (names.rs), never the value.
    with v8ctx.Context() as ctx:
        ctx.compile("globalThis.f = () => 1; var lib = { hex: n => 'first' }")
        assert [ctx.call("f"), ctx.call("lib.hex", [1]), ctx.get("lib.hex") is not None] == [1, "first", True]
        ctx.compile("f = () => 2; lib = { hex: n => 'second' }")
        assert [ctx.call("f"), ctx.call("lib.hex", [1])] == [2, "second"]
        ctx.compile("delete globalThis.f")
        with pytest.raises(v8ctx.JSError, match="f is not defined"):
            ctx.call("f")


def test_more_names_than_the_runtime_keeps_all_resolve():
    with v8ctx.Context() as ctx:
        ctx.compile("for (let i = 0; i < 600; i++) globalThis['n' + i] = { v: () => i }")
        for _ in range(2):
            assert [ctx.call(f"n{i}.v") for i in range(600)] == list(range(600))
