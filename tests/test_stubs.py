"""The .pyi stubs are the API contract: they must match what the compiled module exposes."""

import ast
import inspect
from pathlib import Path

import pytest

import v8ctx
from v8ctx import _v8ctx

STUB = Path(v8ctx.__file__).with_name("_v8ctx.pyi")
TREE = ast.parse(STUB.read_text())
CLASSES = {node.name: node for node in TREE.body if isinstance(node, ast.ClassDef)}


def stub_parameters(function: ast.FunctionDef) -> list[tuple[str, str]]:
    """(name, kind) of each parameter in a stub, in order."""
    args = function.args
    out = [(a.arg, "POSITIONAL_OR_KEYWORD") for a in args.posonlyargs + args.args]
    if args.vararg is not None:
        out.append((args.vararg.arg, "VAR_POSITIONAL"))
    out += [(a.arg, "KEYWORD_ONLY") for a in args.kwonlyargs]
    return out


def runtime_parameters(function) -> list[tuple[str, str]]:
    """(name, kind) of each parameter of a compiled function, ``self`` (positional-only there) left out."""
    signature = inspect.signature(function)
    return [(p.name, p.kind.name) for p in signature.parameters.values() if p.name != "self"]


def methods_with_signatures():
    for class_name in ("Context", "Script", "Pool", "JSFunction", "Snapshot"):
        for node in CLASSES[class_name].body:
            # A compiled __call__ is a slot wrapper whose signature is always (*args, **kwargs);
            # test_js_functions.py checks JSFunction's calling convention by calling it.
            if isinstance(node, ast.FunctionDef) and node.name != "__call__" and not any(
                isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list
            ):
                yield class_name, node


@pytest.mark.parametrize(
    ("class_name", "method"),
    list(methods_with_signatures()),
    ids=lambda value: value if isinstance(value, str) else value.name,
)
def test_stub_signature_matches_the_compiled_method(class_name, method):
    cls = getattr(_v8ctx, class_name)
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in method.decorator_list)
    expected = stub_parameters(method)[0 if static else 1 :]
    compiled = runtime_parameters(cls if method.name in ("__init__", "__new__") else getattr(cls, method.name))
    if method.name in ("__enter__", "__exit__"):
        compiled = [(name, "POSITIONAL_OR_KEYWORD") for name, _ in compiled]
        expected = [(name, "POSITIONAL_OR_KEYWORD") for name, _ in expected]
        assert len(compiled) == len(expected)
    else:
        assert compiled == expected


def test_every_public_name_is_in_the_stub():
    stubbed = {
        node.name if isinstance(node, (ast.ClassDef, ast.FunctionDef)) else node.target.id
        for node in TREE.body
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AnnAssign))
    }
    public = {name for name in dir(_v8ctx) if not name.startswith("__") or name == "__version__"}
    assert public - stubbed == set()


def is_typed_dict(node: ast.ClassDef) -> bool:
    """A TypedDict describes a dict the module returns; it exists only for type checkers."""
    return any(isinstance(base, ast.Name) and base.id == "TypedDict" for base in node.bases)


def test_properties_in_the_stub_exist():
    for class_name, node in CLASSES.items():
        if is_typed_dict(node):
            continue
        cls = getattr(_v8ctx, class_name)
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and any(
                isinstance(d, ast.Name) and d.id == "property" for d in item.decorator_list
            ):
                assert hasattr(cls, item.name), f"{class_name}.{item.name}"


# Conveniences written in Python (python/v8ctx/), not re-exported from the extension.
PURE_PYTHON = {"shared_pool"}


def test_the_package_reexports_the_public_api():
    for name in v8ctx.__all__:
        if name in PURE_PYTHON:
            assert getattr(v8ctx, name).__doc__, name
        else:
            assert getattr(v8ctx, name) is getattr(_v8ctx, name)


def docstrings_with_examples():
    for node in ast.walk(TREE):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            doc = ast.get_docstring(node)
            if doc and ">>>" in doc:
                yield node.name, doc


@pytest.mark.parametrize(("name", "doc"), list(docstrings_with_examples()), ids=lambda v: v if "\n" not in v else "")
def test_docstring_examples_run(name, doc):
    import doctest

    test = doctest.DocTestParser().get_doctest(doc, {"v8ctx": v8ctx}, name, str(STUB), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0 and runner.tries > 0


def test_stubtest_finds_nothing_but_the_allowlisted_aliases(tmp_path):
    """mypy's stubtest compares the stubs with the compiled module, defaults and @final included."""
    import subprocess
    import sys

    from _subprocess import _child_env

    allowlist = Path(__file__).with_name("stubtest_allowlist.txt")
    done = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "v8ctx", "--allowlist", str(allowlist)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_child_env(),
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_refuses_what_fails_at_run_time(tmp_path):
    """Arguments must be a list or tuple at run time, so the stubs refuse a str or a range."""
    import subprocess
    import sys

    from _subprocess import _child_env

    (tmp_path / "use.py").write_text(
        "import v8ctx\n"
        "ctx = v8ctx.Context()\n"
        "ctx.call('add', [1, 2])\n"
        "ctx.call('add', (1, 2))\n"
        "ctx.call('add', '12')\n"
        "ctx.call('add', range(3))\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "use.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_child_env(),
        timeout=600,
    )
    errors = [line.split(": error:")[0] for line in done.stdout.splitlines() if ": error:" in line]
    assert errors == ["use.py:5", "use.py:6"], done.stdout + done.stderr


def documented():
    """(runtime object, stub docstring) of every compiled class and method the stubs document."""
    for class_name in ("Context", "Script", "Pool", "JSFunction", "Snapshot"):
        node = CLASSES[class_name]
        yield f"{class_name}", getattr(_v8ctx, class_name), ast.get_docstring(node)
        for member in node.body:
            if isinstance(member, ast.FunctionDef) and member.name != "__new__" and ast.get_docstring(member):
                yield f"{class_name}.{member.name}", getattr(getattr(_v8ctx, class_name), member.name), ast.get_docstring(member)


@pytest.mark.parametrize("name, runtime, doc", list(documented()), ids=[n for n, _, _ in documented()])
def test_help_shows_the_stubs_docstrings(name, runtime, doc):
    # A constructor's docstring follows its class's, as help() shows them together.
    assert inspect.getdoc(runtime).startswith(doc)
