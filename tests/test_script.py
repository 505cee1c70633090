"""Context.load: scripts whose top-level declarations stay private, loadable any number of times."""

import gc

import pytest

import v8ctx

LIBRARY = """
const K = 'k1';
let counter = 0;
class Box { constructor(v) { this.v = v } }
function bump() { counter += 1; return counter }
function make(v) { return new Box(v).v }
var util = { twice(x) { return x * 2 }, get k() { return K } };
"""


@pytest.fixture
def ctx():
    with v8ctx.Context() as context:
        yield context


def test_load_returns_a_script_bound_to_its_context(ctx):
    script = ctx.load(LIBRARY)
    assert isinstance(script, v8ctx.Script)
    assert script.context is ctx


def test_script_call_reaches_private_declarations(ctx):
    script = ctx.load(LIBRARY)
    assert script.call("make", ["v"]) == "v"
    assert script.call("bump") == 1
    assert script.call("bump") == 2


def test_script_call_reaches_into_objects_with_dotted_names(ctx):
    script = ctx.load(LIBRARY)
    assert script.call("util.twice", [21]) == 42


def test_script_evaluate_sees_private_declarations(ctx):
    script = ctx.load(LIBRARY)
    assert script.evaluate("K + ':' + util.k") == "k1:k1"
    assert script.evaluate("typeof Box") == "function"


def test_script_declarations_do_not_leak_into_globals(ctx):
    ctx.load(LIBRARY)
    assert ctx.evaluate("typeof K + typeof counter + typeof Box + typeof bump + typeof util") == (
        "undefined" * 5
    )


def test_script_sees_the_context_globals(ctx):
    ctx.compile("var shared = 10; function globalHelper(x) { return x + shared }")
    script = ctx.load("function useGlobals(x) { return globalHelper(x) * 2 }")
    assert script.call("useGlobals", [1]) == 22
    assert script.call("globalHelper", [1]) == 11


def test_script_can_still_write_globals_explicitly(ctx):
    ctx.load("globalThis.exported = 'yes'")
    assert ctx.evaluate("exported") == "yes"


def test_same_source_loads_any_number_of_times_without_conflict(ctx):
    scripts = [ctx.load(LIBRARY) for _ in range(20)]
    for script in scripts:
        assert script.call("bump") == 1


def test_changed_source_loads_beside_the_old_one(ctx):
    old = ctx.load("const K = 1; function k() { return K }")
    new = ctx.load("const K = 2; function k() { return K }")
    assert (old.call("k"), new.call("k")) == (1, 2)


def test_script_call_of_a_missing_name_raises_reference_error(ctx):
    script = ctx.load(LIBRARY)
    with pytest.raises(v8ctx.JSError) as info:
        script.call("missing")
    assert info.value.name == "ReferenceError"
    assert "missing is not defined" in info.value.message


def test_script_call_of_a_non_function_raises_type_error(ctx):
    script = ctx.load(LIBRARY)
    with pytest.raises(v8ctx.JSError) as info:
        script.call("K")
    assert info.value.name == "TypeError"


def test_call_name_must_be_an_identifier_path(ctx):
    script = ctx.load(LIBRARY)
    with pytest.raises(ValueError, match="not a JavaScript identifier"):
        script.call("bump(); bump")
    with pytest.raises(ValueError, match="not a JavaScript identifier"):
        ctx.call("a..b")


def test_load_with_a_syntax_error_raises_jssyntaxerror(ctx):
    with pytest.raises(v8ctx.JSSyntaxError):
        ctx.load("function (")


def test_load_that_throws_raises_jserror_with_its_line(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.load("const a = 1;\nthrow new Error('at load')")
    assert info.value.message == "at load"
    assert "<v8ctx>:2:" in info.value.stack


def test_script_evaluate_awaits_promises(ctx):
    script = ctx.load("async function later(x) { await null; return x * 3 }")
    assert script.call("later", [2]) == 6
    assert script.evaluate("later(5)") == 15


def test_script_after_context_close_raises_context_closed(ctx):
    script = ctx.load(LIBRARY)
    ctx.close()
    with pytest.raises(v8ctx.ContextClosedError):
        script.call("bump")


def test_dropped_scripts_are_freed(ctx):
    ctx.gc()
    baseline = ctx.heap_stats()["used_heap_size"]
    big = "const big = new Array(200000).fill(0).map((_, i) => ({ i })); function size() { return big.length }"
    for _ in range(10):
        script = ctx.load(big)
        assert script.call("size") == 200000
        del script
        gc.collect()
        ctx.gc()
    assert ctx.heap_stats()["used_heap_size"] < baseline + 20 * 1024 * 1024
