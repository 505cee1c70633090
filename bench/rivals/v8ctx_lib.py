"""v8ctx, always on its plain paths."""

from __future__ import annotations

import os
import shutil
import tempfile

import v8ctx

import workloads as w


PATHS = {
    "call": [("call", "ctx.call('add', [1, 2])")],
    "evaluate": [("evaluate", "ctx.evaluate(expr)")],
    "jsfunction": [("JSFunction", "f = ctx.evaluate('add'); f(1, 2)")],
    "callback": [("expose", "ctx.expose('py_add', fn); ctx.call('viaPython', [1, 2])")],
    "cycle": [("with", "with Context() as c: c.compile(src); c.call('main')")],
    "records": [("call", "ctx.call('id', [records]) (native conversion)")],
    "text": [("call", "ctx.call('id', [text]) (native conversion)")],
    "md5": [("call", "ctx.call('md5hex', [s])")],
    "pool_thread": [("Pool", "Pool(src, workers=2).call('add', [1, 2]) from one thread")],
    "pool_process": [("Pool", "Pool(src, workers=2, isolation='process').call('add', [1, 2])")],
    "pool": [("Pool", "Pool(src, workers=2).call from 2 threads")],
    "snapshot": [("Snapshot", "with Context(snapshot=snap) as c: c.evaluate(use)")],
    "module": [("import_module", "with Context(modules=files) as c: c.import_module('./main.js')['area'](6, 7)")],
    "library_1st": [("compile", "with Context() as c: c.compile(typescript); c.evaluate(use)")],
    "library_2nd": [("compile", "the same, the second time in the process (the code cache applies)")],
    "library_restart": [
        ("code cache dir", "set_code_cache_dir(d), which an earlier process filled; then as library_1st"),
        ("Snapshot.load", "with Context(snapshot=Snapshot.load(file)) as c: c.evaluate(use), the file saved earlier"),
    ],
}
MISSING: dict = {}


def context():
    ctx = v8ctx.Context()
    ctx.compile(w.LIB_JS)
    return ctx


def make(row: str, path: str):
    if row == "cycle":
        source, _ = w.make_script()

        def cycle():
            with v8ctx.Context() as c:
                c.compile(source)
                return c.call("main")

        return cycle, None
    if row in ("pool_thread", "pool_process", "pool"):
        isolation = "process" if row == "pool_process" else "thread"
        pool = v8ctx.Pool(w.LIB_JS, workers=2, isolation=isolation)
        if row == "pool":
            return (lambda: pool.call("work", [w.WORK_N])), pool.close
        return (lambda: pool.call("add", [1, 2])), pool.close
    if row == "snapshot":
        snap = v8ctx.Snapshot.create(w.read(w.SNAPSHOT_FILE))

        def from_snapshot():
            with v8ctx.Context(snapshot=snap) as c:
                return c.evaluate(w.SNAPSHOT_USE)

        return from_snapshot, None
    if row == "module":

        def import_module():
            with v8ctx.Context(modules=w.MODULES) as c:
                return c.import_module("./main.js")["area"](6, 7)

        return import_module, None
    if row == "library_restart":
        return restarted(path)
    if row in ("library_1st", "library_2nd"):
        source = w.read(w.LIBRARY_FILE)

        def load():
            with v8ctx.Context() as c:
                c.compile(source)
                return c.evaluate(w.LIBRARY_USE)

        return load, None

    ctx = context()
    if row == "call":
        op = lambda: ctx.call("add", [1, 2])  # noqa: E731
    elif row == "evaluate":
        op = lambda: ctx.evaluate(w.EXPR)  # noqa: E731
    elif row == "jsfunction":
        f = ctx.evaluate("add")
        op = lambda: f(1, 2)  # noqa: E731
    elif row == "callback":
        ctx.expose("py_add", w.py_add)
        op = lambda: ctx.call("viaPython", [1, 2])  # noqa: E731
    elif row in ("records", "text"):
        value = w.make_records() if row == "records" else w.make_text()
        op = lambda: ctx.call("id", [value])  # noqa: E731
    elif row == "md5":
        text = w.md5_input()
        op = lambda s=text: ctx.call("md5hex", [s])  # noqa: E731
    else:
        raise ValueError(row)
    return op, ctx.close


def restarted(path: str):
    """library_restart: an earlier process leaves its code caches, or a snapshot, on disk."""
    keep = tempfile.mkdtemp(prefix="v8ctx-bench-")
    source = w.read(w.LIBRARY_FILE)
    if path == "code cache dir":
        w.in_earlier_process(
            "import v8ctx, workloads as w\n"
            f"v8ctx.set_code_cache_dir({keep!r})\n"
            "with v8ctx.Context() as c:\n"
            "    c.compile(w.read(w.LIBRARY_FILE)); c.evaluate(w.LIBRARY_USE)\n"
        )
        v8ctx.set_code_cache_dir(keep)

        def load():
            with v8ctx.Context() as c:
                c.compile(source)
                return c.evaluate(w.LIBRARY_USE)

    else:
        file = os.path.join(keep, "typescript.snapshot")
        w.in_earlier_process(f"import v8ctx, workloads as w\nv8ctx.Snapshot.create(w.read(w.LIBRARY_FILE)).save({file!r})\n")

        def load():
            with v8ctx.Context(snapshot=v8ctx.Snapshot.load(file)) as c:
                return c.evaluate(w.LIBRARY_USE)

    return load, lambda: shutil.rmtree(keep)
