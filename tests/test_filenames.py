"""``filename=``: compile, evaluate, eval and load name their source in stack traces and errors.

Without it the name stays ``<v8ctx>``. The stack of a JSError is its ``str()``, so a Python
traceback shows the JavaScript frames, file and line.
"""

import pytest

import v8ctx

THROWS = "let a = 1;\nfunction boom() { throw new Error('x') }\nboom()"


@pytest.fixture
def ctx():
    with v8ctx.Context() as c:
        yield c


@pytest.mark.parametrize("run", ["compile", "evaluate", "eval", "load"])
def test_a_thrown_error_names_the_file_and_line(ctx, run):
    with pytest.raises(v8ctx.JSError) as caught:
        getattr(ctx, run)(THROWS, filename="app/sign.js")
    assert caught.value.stack.splitlines()[1:] == ["    at boom (app/sign.js:2:25)", "    at app/sign.js:3:1"]
    assert str(caught.value) == caught.value.stack


def test_without_a_filename_the_name_stays_v8ctx(ctx):
    with pytest.raises(v8ctx.JSError, match=r"at boom \(<v8ctx>:2:25\)"):
        ctx.evaluate(THROWS)


def test_a_syntax_error_names_the_file_and_position(ctx):
    with pytest.raises(v8ctx.JSSyntaxError) as caught:
        ctx.compile("let ok = 1;\nlet = ;", filename="broken.js")
    assert "at broken.js:2:" in caught.value.stack


def test_functions_of_a_named_script_keep_its_name_in_later_calls(ctx):
    script = ctx.load("function where() { return new Error('here').stack }", filename="lib/where.js")
    assert "at where (lib/where.js:1:" in script.call("where")
    ctx.compile("function outer() { return new Error('o').stack }", filename="outer.js")
    assert "at outer (outer.js:1:" in ctx.call("outer")


def test_a_filename_that_is_not_a_str_is_a_type_error(ctx):
    with pytest.raises(TypeError):
        ctx.evaluate("1", filename=3)
