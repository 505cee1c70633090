"""Single-thread behaviour of v8ctx.Context: the API contract of python/v8ctx/_v8ctx.pyi.

Everything here runs in the pytest process; anything involving threads, fork or thousands of
isolates lives in test_threads.py and runs in a subprocess.
"""

import re

import pytest

import v8ctx
from _assertions import assert_same


@pytest.fixture
def ctx():
    context = v8ctx.Context()
    yield context
    context.close()


# --------------------------------------------------------------------------------------------------
# module surface


def test_version_is_a_string():
    assert isinstance(v8ctx.__version__, str)
    assert v8ctx.__version__


def test_jserror_is_an_exception_subclass():
    assert issubclass(v8ctx.JSError, Exception)


def test_jssyntaxerror_is_a_jserror_subclass():
    assert issubclass(v8ctx.JSSyntaxError, v8ctx.JSError)


def test_context_closed_error_is_a_runtime_error_subclass():
    assert issubclass(v8ctx.ContextClosedError, RuntimeError)


def test_wrong_thread_error_is_a_runtime_error_subclass():
    assert issubclass(v8ctx.WrongThreadError, RuntimeError)


# --------------------------------------------------------------------------------------------------
# evaluate / compile / call


def test_evaluate_returns_the_value_of_an_expression(ctx):
    assert ctx.evaluate("1+2") == 3


def test_compile_returns_none(ctx):
    assert ctx.compile("function add(a, b) { return a + b }") is None


def test_call_a_compiled_function_with_a_list_of_args(ctx):
    ctx.compile("function add(a,b){return a+b}")
    assert ctx.call("add", [1, 2]) == 3


def test_call_accepts_args_as_a_tuple(ctx):
    ctx.compile("function add(a,b){return a+b}")
    assert ctx.call("add", (1, 2)) == 3


def test_call_args_default_to_no_arguments(ctx):
    ctx.compile("function nargs(){ return arguments.length }")
    assert ctx.call("nargs") == 0


def test_compile_makes_function_declarations_global(ctx):
    ctx.compile("function globalFn(){ return 'hi' }")
    assert ctx.evaluate("typeof globalThis.globalFn") == "function"
    assert ctx.evaluate("globalFn()") == "hi"


def test_compile_makes_var_declarations_global(ctx):
    ctx.compile("var x = 5")
    assert ctx.evaluate("x") == 5
    assert ctx.evaluate("globalThis.x") == 5


# --------------------------------------------------------------------------------------------------
# compiled code is shared between Contexts
#
# A source of 1 KB or more compiled a second time in the process gets a V8 code cache, which later
# compilations of the same text (in any Context, on any thread) use instead of compiling it again
# (src/code_cache.rs). That must change nothing but the time it takes.


def library(tag: str, functions: int = 40) -> str:
    """A library well over 1 KB, its functions compiled lazily on first call."""
    parts = [f"var runs = (globalThis.runs || 0) + 1; var tag = {tag!r};"]
    for i in range(functions):
        parts.append(f"function f{i}(x) {{ return tag + ':' + (x * {i + 1} + {i}) }}")
    parts.append("function all(x) { var out = []; for (var i = 0; i < %d; i++) out.push(globalThis['f' + i](x)); return out }" % functions)
    parts.append("function fails() {\n  throw new Error('from ' + tag)\n}")
    return "\n".join(parts)


def test_a_library_compiled_in_context_after_context_behaves_the_same_in_each():
    source = library("lib")
    expected = [f"lib:{3 * (i + 1) + i}" for i in range(40)]
    for _ in range(6):
        with v8ctx.Context() as ctx:
            ctx.compile(source)
            assert ctx.evaluate("runs") == 1, "the top-level code runs in every Context"
            assert ctx.call("all", [3]) == expected
            assert ctx.evaluate("f7.toString()") == "function f7(x) { return tag + ':' + (x * 8 + 7) }"
            with pytest.raises(v8ctx.JSError) as info:
                ctx.call("fails")
            assert info.value.message == "from lib"
            assert f"at fails (<v8ctx>:{source.count(chr(10))}:9)" in info.value.stack


def test_libraries_of_equal_length_each_keep_their_own_code():
    first, second = library("AAA"), library("BBB")
    assert len(first) == len(second) and first != second
    for _ in range(4):
        for source, tag in ((first, "AAA"), (second, "BBB")):
            with v8ctx.Context() as ctx:
                ctx.compile(source)
                assert ctx.call("f1", [1]) == f"{tag}:3"
                assert ctx.call("all", [0])[39] == f"{tag}:39"


def test_a_library_run_by_evaluate_and_eval_in_many_contexts_behaves_the_same():
    source = library("ev") + "\nall(2).length"
    for _ in range(4):
        with v8ctx.Context() as ctx:
            assert ctx.evaluate(source) == 40
            assert ctx.eval(source, return_value=True) == 40
            assert ctx.evaluate("runs") == 2


def test_a_library_run_by_the_only_operation_of_each_context_behaves_the_same():
    """A Context that runs one operation makes the code cache when it is disposed."""
    source = library("one") + "\nall(1)[5]"
    for _ in range(5):
        with v8ctx.Context() as ctx:
            assert ctx.evaluate(source) == "one:11"


def test_a_library_of_a_megabyte_or_more_behaves_the_same_from_its_second_context_on():
    """Sources of 1 MB or more have their cache made after their first compilation, so the
    second Context already compiles from it; a non-ASCII one (a two-byte V8 string) too."""
    padding = "// \u2603 padding to make the library large\n" * 30_000
    source = library("big\u2603") + "\n" + padding + "var last = all(5)[39];"
    assert len(source.encode()) >= 1 << 20
    for _ in range(3):
        with v8ctx.Context() as ctx:
            ctx.compile(source)
            assert ctx.evaluate("last") == "big\u2603:239"
            assert ctx.call("f0", [1]) == "big\u2603:1"
            with pytest.raises(v8ctx.JSError) as info:
                ctx.call("fails")
            assert info.value.message == "from big\u2603"


def test_call_reaches_into_objects_with_a_dotted_name(ctx):
    ctx.compile("var a = {b: {c: function(x){return x*2}}}")
    assert ctx.call("a.b.c", [4]) == 8


def test_call_with_a_dotted_name_binds_this_to_the_containing_object(ctx):
    ctx.compile("var obj = {k: 3, get(){return this.k}}")
    assert ctx.call("obj.get") == 3


def test_call_of_a_missing_function_raises_reference_error(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.call("nope")
    assert info.value.name == "ReferenceError"
    assert "nope" in str(info.value)


def test_call_with_a_missing_segment_in_a_dotted_name_raises_jserror_naming_it(ctx):
    ctx.compile("var a = {b: {c: function(x){return x*2}}}")
    with pytest.raises(v8ctx.JSError) as info:
        ctx.call("a.zz.c")
    assert "a.zz" in str(info.value)


def test_call_of_a_non_function_raises_type_error(ctx):
    ctx.compile("var n = 1")
    with pytest.raises(v8ctx.JSError) as info:
        ctx.call("n")
    assert info.value.name == "TypeError"
    assert "n is not a function" in info.value.message


# --------------------------------------------------------------------------------------------------
# JavaScript exceptions


def test_thrown_error_becomes_jserror_with_name_message_and_stack(ctx):
    ctx.compile("function boom(){ throw new TypeError('bad thing') }")
    with pytest.raises(v8ctx.JSError) as info:
        ctx.call("boom")
    err = info.value
    assert err.name == "TypeError"
    assert err.message == "bad thing"
    assert "boom" in err.stack
    assert re.search(r"<v8ctx>:1:\d+", err.stack), err.stack
    assert str(err).startswith("TypeError: bad thing")


def test_thrown_error_object_has_value_none(ctx):
    ctx.compile("function boom2(){ throw new Error('x') }")
    with pytest.raises(v8ctx.JSError) as info:
        ctx.call("boom2")
    assert info.value.value is None


@pytest.mark.parametrize(
    ("thrown", "message", "value"),
    [
        ("42", "42", 42),
        ("'plain string'", "plain string", "plain string"),
        ("({code: 7})", "{\"code\":7}", {"code": 7}),
    ],
    ids=["number", "string", "object"],
)
def test_throwing_a_non_error_value_raises_jserror_named_error_carrying_the_value(ctx, thrown, message, value):
    ctx.compile(f"function throwIt(){{ throw {thrown} }}")
    with pytest.raises(v8ctx.JSError) as info:
        ctx.call("throwIt")
    assert info.value.name == "Error"
    assert info.value.message == message
    assert info.value.value == value


def test_compile_of_code_that_throws_raises_jserror(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.compile("throw new RangeError('at top level')")
    assert info.value.name == "RangeError"
    assert info.value.message == "at top level"


def test_evaluate_of_code_that_throws_raises_jserror(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("null.prop")
    assert info.value.name == "TypeError"


def test_compile_syntax_error_raises_jssyntaxerror_with_location(ctx):
    with pytest.raises(v8ctx.JSSyntaxError) as info:
        ctx.compile("function (")
    assert info.value.name == "SyntaxError"
    assert "<v8ctx>:1:" in str(info.value)


def test_evaluate_syntax_error_raises_jssyntaxerror(ctx):
    with pytest.raises(v8ctx.JSSyntaxError) as info:
        ctx.evaluate("1 +* 2")
    assert info.value.name == "SyntaxError"


def test_context_still_works_after_a_syntax_error(ctx):
    ctx.compile("var before = 1")
    with pytest.raises(v8ctx.JSSyntaxError):
        ctx.compile("function (")
    ctx.compile("function after(){ return before + 1 }")
    assert ctx.call("after") == 2


def test_context_still_works_after_a_thrown_error(ctx):
    with pytest.raises(v8ctx.JSError):
        ctx.evaluate("throw new Error('once')")
    assert ctx.evaluate("'still alive'") == "still alive"


# --------------------------------------------------------------------------------------------------
# evaluate vs eval; compile de-duplication


def test_evaluate_returns_the_completion_value_of_a_multi_statement_script(ctx):
    assert ctx.evaluate("var q = 2; q * 21") == 42


def test_eval_returns_none_by_default(ctx):
    assert ctx.eval("var side = 7; side") is None


def test_eval_runs_the_code_even_without_return_value(ctx):
    ctx.eval("var side = 7; side")
    assert ctx.evaluate("side") == 7


def test_eval_with_return_value_returns_the_completion_value(ctx):
    assert ctx.eval("var r = 20; r + 1", return_value=True) == 21


def test_compiling_identical_source_twice_is_harmless(ctx):
    source = "const K = 1; class C {}"
    ctx.compile(source)
    ctx.compile(source)
    assert ctx.evaluate("K") == 1
    assert ctx.evaluate("typeof C") == "function"


def test_compiling_identical_source_twice_runs_it_once(ctx):
    source = "var runs = (typeof runs === 'number' ? runs : 0) + 1"
    ctx.compile(source)
    ctx.compile(source)
    assert ctx.evaluate("runs") == 1


def test_redeclaring_a_const_in_different_source_raises_jserror(ctx):
    ctx.compile("const K2 = 1")
    with pytest.raises(v8ctx.JSError) as info:
        ctx.compile("const K2 = 2")
    assert info.value.name == "SyntaxError"
    assert ctx.evaluate("K2") == 1


# --------------------------------------------------------------------------------------------------
# Promises and microtasks


def test_evaluate_awaits_a_resolved_promise(ctx):
    assert ctx.evaluate("Promise.resolve(5)") == 5


def test_call_awaits_an_async_function(ctx):
    ctx.compile("async function f(x){ await null; return x+1 }")
    assert ctx.call("f", [1]) == 2


def test_evaluate_awaits_a_chain_of_thens(ctx):
    assert ctx.evaluate("Promise.resolve(1).then(x => x + 1).then(x => Promise.resolve(x * 10))") == 20


def test_rejected_promise_raises_jserror_with_the_rejection_name(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("Promise.reject(new RangeError('nope'))")
    assert info.value.name == "RangeError"
    assert info.value.message == "nope"


def test_async_function_that_throws_raises_jserror(ctx):
    ctx.compile("async function fails(){ await null; throw new Error('async boom') }")
    with pytest.raises(v8ctx.JSError) as info:
        ctx.call("fails")
    assert info.value.name == "Error"
    assert info.value.message == "async boom"


def test_evaluate_with_auto_await_false_returns_none_for_a_promise(ctx):
    assert ctx.evaluate("Promise.resolve(5)", auto_await=False) is None


def test_call_with_auto_await_false_returns_none_for_a_promise(ctx):
    ctx.compile("async function f(x){ await null; return x+1 }")
    assert ctx.call("f", [1], auto_await=False) is None


def test_auto_await_false_still_returns_plain_values(ctx):
    ctx.compile("function plain(){ return 'p' }")
    assert ctx.evaluate("6 * 7", auto_await=False) == 42
    assert ctx.call("plain", auto_await=False) == "p"


def test_microtasks_run_after_compile(ctx):
    ctx.compile("var done = false; Promise.resolve().then(() => { done = true })")
    assert ctx.evaluate("done") is True


def test_microtasks_run_after_call(ctx):
    ctx.compile("var flag = false; function kick(){ Promise.resolve().then(() => { flag = true }) }")
    ctx.call("kick")
    assert ctx.evaluate("flag") is True


# --------------------------------------------------------------------------------------------------
# values between Python and JavaScript

ROUND_TRIP_VALUES = [
    pytest.param(None, id="None"),
    pytest.param(True, id="True"),
    pytest.param(False, id="False"),
    pytest.param(0, id="int-0"),
    pytest.param(-7, id="int-negative"),
    pytest.param(2**31, id="int-2**31"),
    pytest.param(2**53 - 1, id="int-max-safe"),
    pytest.param(1.5, id="float"),
    pytest.param(-0.25, id="float-negative"),
    pytest.param("", id="str-empty"),
    pytest.param("plain", id="str-ascii"),
    pytest.param("héllo ✓", id="str-unicode"),
    pytest.param("emoji 😀 outside the BMP", id="str-astral"),
    pytest.param([], id="list-empty"),
    pytest.param([1, "two", None, True, 2.5], id="list-mixed"),
    pytest.param((1, "two", False), id="tuple"),
    pytest.param({}, id="dict-empty"),
    pytest.param({"a": 1, "b": "x", "c": None}, id="dict"),
    pytest.param(
        {"a": [1, {"b": [True, None, "x"]}], "c": {"d": {"e": -0.25}}, "é ✓": []},
        id="nested",
    ),
]


@pytest.mark.parametrize("value", ROUND_TRIP_VALUES)
def test_identity_function_round_trips_value_exactly(ctx, value):
    ctx.compile("function id(x){return x}")
    assert_same(ctx.call("id", [value]), value)


def test_undefined_becomes_none(ctx):
    assert ctx.evaluate("undefined") is None


def test_null_becomes_none(ctx):
    assert ctx.evaluate("null") is None


def test_function_without_return_gives_none(ctx):
    ctx.compile("function nothing(){}")
    assert ctx.call("nothing") is None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("true", True),
        ("false", False),
        ("-7", -7),
        ("2 ** 31", 2**31),
        ("Number.MAX_SAFE_INTEGER", 2**53 - 1),
        ("1.5", 1.5),
        ("'héllo ✓'", "héllo ✓"),
        ("[1, 'a', null, undefined]", [1, "a", None, None]),
        ("({a: 1, b: {c: [true, -0.25]}})", {"a": 1, "b": {"c": [True, -0.25]}}),
    ],
)
def test_javascript_values_convert_to_python(ctx, source, expected):
    assert_same(ctx.evaluate(source), expected)


@pytest.mark.parametrize(
    ("value", "kinds"),
    [
        (None, {"null", "undefined"}),
        (True, {"boolean"}),
        (0, {"number"}),
        (2**53 - 1, {"number"}),
        (1.5, {"number"}),
        ("héllo ✓", {"string"}),
        ([1, 2], {"array"}),
        ((1, 2), {"array"}),
        ({"k": 1}, {"object"}),
    ],
    ids=["None", "bool", "int", "int-max-safe", "float", "str", "list", "tuple", "dict"],
)
def test_python_values_arrive_as_the_matching_javascript_type(ctx, value, kinds):
    ctx.compile(
        "function kind(x){ return x === null ? 'null' : x === undefined ? 'undefined'"
        " : Array.isArray(x) ? 'array' : typeof x }"
    )
    assert ctx.call("kind", [value]) in kinds


def test_python_int_arrives_as_the_exact_javascript_number(ctx):
    ctx.compile("function isMaxSafe(x){ return x === Number.MAX_SAFE_INTEGER }")
    assert ctx.call("isMaxSafe", [2**53 - 1]) is True


def test_python_str_arrives_with_javascript_string_length(ctx):
    ctx.compile("function len(s){ return s.length }")
    assert ctx.call("len", ["héllo ✓"]) == 7
    assert ctx.call("len", ["😀"]) == 2  # one astral character is two UTF-16 code units


def test_python_dict_arrives_as_object_with_its_keys(ctx):
    ctx.compile("function keys(o){ return Object.keys(o).sort() }")
    assert ctx.call("keys", [{"b": 1, "a": 2, "é": 3}]) == ["a", "b", "é"]


def test_args_are_passed_positionally(ctx):
    ctx.compile("function describe(a, b, c){ return [a, b, c] }")
    assert ctx.call("describe", ["x", 2, [3]]) == ["x", 2, [3]]


# --------------------------------------------------------------------------------------------------
# lifecycle: context manager, close


def test_closed_is_false_on_a_new_context():
    context = v8ctx.Context()
    try:
        assert context.closed is False
    finally:
        context.close()


def test_with_statement_returns_the_context_itself():
    context = v8ctx.Context()
    with context as entered:
        assert entered is context
        assert entered.evaluate("1 + 1") == 2


def test_with_block_closes_the_context():
    with v8ctx.Context() as context:
        assert context.closed is False
    assert context.closed is True


def test_with_block_closes_the_context_and_propagates_an_exception():
    with pytest.raises(ValueError):
        with v8ctx.Context() as context:
            raise ValueError("from the block")
    assert context.closed is True


def test_close_sets_closed():
    context = v8ctx.Context()
    context.close()
    assert context.closed is True


def test_close_twice_is_fine():
    context = v8ctx.Context()
    context.close()
    assert context.close() is None
    assert context.closed is True


CALLS_AFTER_CLOSE = {
    "evaluate": lambda c: c.evaluate("1"),
    "compile": lambda c: c.compile("var afterClose = 1"),
    "call": lambda c: c.call("f"),
    "eval": lambda c: c.eval("1", return_value=True),
    "gc": lambda c: c.gc(),
    "heap_stats": lambda c: c.heap_stats(),
    "__enter__": lambda c: c.__enter__(),
}


@pytest.mark.parametrize("method", sorted(CALLS_AFTER_CLOSE))
def test_method_after_close_raises_context_closed_error(method):
    context = v8ctx.Context()
    context.compile("function f(){ return 1 }")
    context.close()
    with pytest.raises(v8ctx.ContextClosedError):
        CALLS_AFTER_CLOSE[method](context)


def test_method_after_with_block_raises_context_closed_error():
    with v8ctx.Context() as context:
        context.evaluate("1")
    with pytest.raises(v8ctx.ContextClosedError):
        context.evaluate("1")


# --------------------------------------------------------------------------------------------------
# gc and heap statistics


def test_gc_returns_none_and_keeps_reachable_values(ctx):
    ctx.compile("var keep = [1, 2, 3]")
    assert ctx.gc() is None
    assert ctx.evaluate("keep.length") == 3


def test_gc_collects_unreachable_objects(ctx):
    ctx.compile("var big = new Array(2e6).fill(0).map((_, i) => ({i}))")
    before = ctx.heap_stats()["used_heap_size"]
    assert before > 20_000_000, f"the allocation should be visible in used_heap_size ({before} bytes)"
    ctx.compile("big = null")
    ctx.gc()
    after = ctx.heap_stats()["used_heap_size"]
    assert after < before / 2, f"used_heap_size went from {before} to {after} bytes"


def test_heap_stats_reports_positive_integer_sizes(ctx):
    stats = ctx.heap_stats()
    assert isinstance(stats, dict)
    for key in ("used_heap_size", "total_heap_size", "heap_size_limit"):
        assert key in stats, f"{key} missing from {sorted(stats)}"
        assert type(stats[key]) is int, f"{key} = {stats[key]!r}"
        assert stats[key] > 0, f"{key} = {stats[key]!r}"


def test_heap_stats_values_are_all_ints(ctx):
    stats = ctx.heap_stats()
    assert all(isinstance(k, str) and type(v) is int and v >= 0 for k, v in stats.items()), stats


# --------------------------------------------------------------------------------------------------
# built-ins


def test_intl_is_available_with_locale_data(ctx):
    assert ctx.evaluate("new Intl.NumberFormat('en-US').format(1234.5)") == "1,234.5"


def test_webassembly_is_available(ctx):
    assert ctx.evaluate("typeof WebAssembly.Module") == "function"


def test_webassembly_validates_a_minimal_module(ctx):
    assert ctx.evaluate("WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))") is True


# --------------------------------------------------------------------------------------------------
# isolation


def test_two_contexts_do_not_share_globals():
    a, b = v8ctx.Context(), v8ctx.Context()
    try:
        a.compile("var onlyInA = 1")
        assert a.evaluate("typeof onlyInA") == "number"
        assert b.evaluate("typeof onlyInA") == "undefined"
    finally:
        a.close()
        b.close()


def test_two_contexts_do_not_share_builtins():
    a, b = v8ctx.Context(), v8ctx.Context()
    try:
        a.compile("Array.prototype.patched = function(){ return 'patched' }")
        assert a.evaluate("[].patched()") == "patched"
        assert b.evaluate("typeof [].patched") == "undefined"
    finally:
        a.close()
        b.close()


def test_two_contexts_used_alternately_keep_their_own_state():
    a, b = v8ctx.Context(), v8ctx.Context()
    try:
        a.compile("var n = 0; function inc(){ return ++n }")
        b.compile("var n = 100; function inc(){ return ++n }")
        assert [a.call("inc"), b.call("inc"), a.call("inc"), b.call("inc")] == [1, 101, 2, 102]
    finally:
        b.close()
        a.close()


def test_closing_one_context_leaves_the_other_working():
    a, b = v8ctx.Context(), v8ctx.Context()
    try:
        a.close()
        assert b.evaluate("'b works'") == "b works"
    finally:
        b.close()
