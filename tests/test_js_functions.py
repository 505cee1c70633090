"""JavaScript functions in Python: ``v8ctx.JSFunction`` and ``Context.get`` (src/function.rs).

A function in a result (alone or inside an object or array) becomes a JSFunction, callable from
Python on its Context's owner thread with the Context's rules; passed back into JavaScript it is
the very same function. It keeps its Context's runtime alive; closing the Context ends it.
"""

import threading

import pytest

import v8ctx
from _subprocess import run_python


@pytest.fixture
def ctx():
    with v8ctx.Context() as ctx:
        yield ctx


def test_a_function_in_a_result_becomes_a_callable_jsfunction(ctx):
    double = ctx.evaluate("(function double(x) { return 2 * x })")
    assert isinstance(double, v8ctx.JSFunction)
    assert double(21) == 42
    assert double.name == "double"
    assert repr(double) == "<v8ctx.JSFunction double>"


def test_an_anonymous_function_has_an_empty_name(ctx):
    f = ctx.evaluate("[x => x][0]")
    assert f.name == "" and repr(f) == "<v8ctx.JSFunction (anonymous)>"


def test_functions_inside_objects_and_arrays_become_jsfunctions(ctx):
    api = ctx.evaluate("({ version: 2, sign: k => 'signed:' + k, steps: [x => x + 1, x => x * 10] })")
    assert api["version"] == 2
    assert api["sign"]("key") == "signed:key"
    assert [step(3) for step in api["steps"]] == [4, 30]


def test_a_factory_result_keeps_its_closure(ctx):
    ctx.compile("function makeSigner(key) { let used = 0; return (text) => `${key}:${text}:${++used}` }")
    sign = ctx.call("makeSigner", ["k1"])
    assert [sign("a"), sign("b")] == ["k1:a:1", "k1:b:2"]


def test_a_returned_promise_is_awaited(ctx):
    later = ctx.evaluate("(x) => new Promise(resolve => setTimeout(() => resolve(x + 1), 5))")
    assert later(1) == 2


def test_a_jsfunction_passed_back_is_the_same_function(ctx):
    f = ctx.evaluate("globalThis.original = function () {}; original")
    ctx.compile("function same(g) { return g === original }")
    assert ctx.call("same", [f]) is True


def test_a_jsfunction_of_another_context_is_refused(ctx):
    with v8ctx.Context() as other:
        foreign = other.evaluate("() => 1")
        ctx.compile("function call(g) { return g() }")
        with pytest.raises(ValueError, match="belongs to another Context"):
            ctx.call("call", [foreign])


def test_a_thrown_error_reaches_the_caller_as_jserror(ctx):
    f = ctx.evaluate("() => { throw new TypeError('nope') }")
    with pytest.raises(v8ctx.JSError) as info:
        f()
    assert info.value.name == "TypeError" and info.value.message == "nope"


def test_a_jsfunction_takes_positional_arguments_and_only_a_timeout_by_keyword(ctx):
    add = ctx.evaluate("(a, b) => a + b")
    assert add(1, 2, timeout=5) == 3
    with pytest.raises(TypeError):
        add(a=1)


def test_a_jsfunction_takes_a_timeout():
    with v8ctx.Context() as ctx:
        spin = ctx.evaluate("() => { while (true) {} }")
        with pytest.raises(v8ctx.JSTimeoutError):
            spin(timeout=0.2)
        assert ctx.evaluate("1 + 1") == 2


def test_get_reads_a_dotted_global(ctx):
    ctx.compile("var config = { limits: { rows: 10 } }; const sign = (x) => x + '!'")
    assert ctx.get("config.limits.rows") == 10
    assert ctx.get("sign")("a") == "a!"


def test_get_of_a_missing_name_is_a_reference_error(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.get("nowhere.at_all")
    assert info.value.name == "ReferenceError"


def test_a_jsfunction_keeps_its_context_running_after_the_context_object_is_gone():
    f = v8ctx.Context().evaluate("(x) => x * 3")
    assert f(3) == 9


def test_a_jsfunction_of_a_closed_context_raises_context_closed_error(ctx):
    f = ctx.evaluate("() => 1")
    ctx.close()
    with pytest.raises(v8ctx.ContextClosedError):
        f()


def test_a_jsfunction_on_another_thread_raises_wrong_thread_error(ctx):
    f = ctx.evaluate("() => 1")
    errors = []

    def use():
        try:
            f()
        except v8ctx.WrongThreadError as e:
            errors.append(e)

    thread = threading.Thread(target=use)
    thread.start()
    thread.join()
    assert len(errors) == 1


def test_a_jsfunction_dropped_on_another_thread_is_released_by_the_owner():
    out = run_python(
        """
        import threading, v8ctx
        ctx = v8ctx.Context()
        ctx.compile("var refs = []; function make() { const f = () => 1; refs.push(new WeakRef(f)); return f }")
        holder = [[ctx.call("make") for _ in range(100)]]
        kept = ctx.call("make")
        thread = threading.Thread(target=holder.clear)
        thread.start(); thread.join()
        ctx.evaluate("1")  # the owner frees the released handles at its next operation
        ctx.gc()
        print(ctx.evaluate("refs.filter(r => r.deref() !== undefined).length"), kept())
        """,
        timeout=60,
    )
    assert out.split() == ["1", "1"]


def test_a_function_cannot_leave_a_pool_worker():
    with v8ctx.Pool("function make() { return { f: () => 1 } }", workers=1) as pool:
        with pytest.raises(TypeError, match=r"cannot leave a Pool worker.*\(at result\['f'\]\)"):
            pool.call("make")


def test_a_function_proxy_becomes_a_jsfunction_named_after_its_target():
    # V8 aborted the process when asked the name of a callable Proxy: in a child.
    out = run_python(
        """
        import v8ctx
        ctx = v8ctx.Context()
        add = ctx.evaluate("new Proxy(function add(a, b) { return a + b }, {})")
        nested = ctx.evaluate("new Proxy(new Proxy(function inner() {}, {}), {})")
        revoked = ctx.evaluate("const r = Proxy.revocable(function gone() {}, {}); r.revoke(); r.proxy")
        ctx.expose("seen", lambda f: f.name)
        print(add.name, add(1, 2), nested.name, repr(revoked.name))
        print(ctx.evaluate("seen(new Proxy(function viaArgument() {}, {}))"))
        try:
            revoked()
        except v8ctx.JSError as e:
            print(e.name)
        """
    )
    assert out.split("\n")[:3] == ["add 3 inner ''", "viaArgument", "TypeError"]
