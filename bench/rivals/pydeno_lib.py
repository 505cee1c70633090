"""pydeno: an in-process ``Runtime`` (deno_core, like v8ctx) and a process-isolated
``IsolatedRuntime``; JavaScript functions come back as ``JsFunction`` handles."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading

import pydeno

import workloads as w


PATHS = {
    "call": [("eval", "rt.eval('add(1, 2)')"), ("JsFunction", "f = rt.eval('add'); f(1, 2)")],
    "evaluate": [("eval", "rt.eval(expr)")],
    "jsfunction": [("JsFunction", "f = rt.eval('add'); f(1, 2)")],
    "callback": [("bind_function", "rt.bind_function('py_add', fn); f = rt.eval('viaPython'); f(1, 2)")],
    "cycle": [("close", "rt = Runtime(); rt.eval(src); rt.eval('main()'); rt.close()")],
    "records": [
        ("JsFunction", "f = rt.eval('id'); f(records) (native conversion)"),
        ("json+JsFunction", "json.loads(viaJson(json.dumps(records)))"),
    ],
    "text": [("JsFunction", "f = rt.eval('id'); f(text)")],
    "md5": [("JsFunction", "f = rt.eval('md5hex'); f(s)")],
    "pool_process": [("IsolatedRuntime", "IsolatedRuntime(); rt.eval('add(1, 2)') (a worker process; handles cannot cross)")],
    "pool": [("thread-local", "no thread pool: one Runtime per thread (threading.local), f = rt.eval('work'); f(n)")],
    "snapshot": [("SnapshotBuilder", "rt = Runtime(RuntimeConfig(snapshot=snap)); rt.eval(use); rt.close()")],
    "module": [("add_static_module", "rt = Runtime(); rt.add_static_module(name, src) for both files (bare specifiers); "
                "rt.eval_module('main.js')['area'](6, 7); rt.close()")],
    "library_1st": [("eval", "rt = Runtime(); rt.eval(typescript); rt.eval(use); rt.close()")],
    "library_2nd": [("eval", "the same, the second time in the process")],
    "library_restart": [
        ("eval", "as library_1st: no code cache outlives the process"),
        ("snapshot file", "Runtime(RuntimeConfig(snapshot=open(file).read())).eval(use), the file built earlier"),
    ],
}
MISSING = {"pool_thread": "no thread pool (its pools are of sandboxed processes)"}


def runtime(config=None):
    rt = pydeno.Runtime(config)
    rt.eval(w.LIB_JS)
    return rt


def make(row: str, path: str):
    if row == "cycle":
        source, _ = w.make_script()

        def cycle():
            rt = pydeno.Runtime()
            rt.eval(source)
            result = rt.eval("main()")
            rt.close()
            return result

        return cycle, None
    if row == "pool_process":
        rt = pydeno.IsolatedRuntime()
        rt.eval(w.LIB_JS)
        return (lambda: rt.eval("add(1, 2)")), rt.close
    if row == "pool":
        local = threading.local()

        def call():
            f = getattr(local, "work", None)
            if f is None:
                local.rt = runtime()
                f = local.work = local.rt.eval("work")
            return f(w.WORK_N)

        return call, None
    if row == "snapshot":
        builder = pydeno.SnapshotBuilder()
        builder.execute_script("lodash.js", w.read(w.SNAPSHOT_FILE))
        config = pydeno.RuntimeConfig(snapshot=builder.build())

        def from_snapshot():
            rt = pydeno.Runtime(config)
            result = rt.eval(w.SNAPSHOT_USE)
            rt.close()
            return result

        return from_snapshot, None
    if row == "module":
        files = {name: source.replace("from './", "from '") for name, source in w.MODULES.items()}

        def import_module():
            rt = pydeno.Runtime()
            for name, source in files.items():
                rt.add_static_module(name, source)
            result = rt.eval_module("main.js")["area"](6, 7)
            rt.close()
            return result

        return import_module, None
    if row == "library_restart" and path == "snapshot file":
        return restarted_from_snapshot()
    if row in ("library_1st", "library_2nd", "library_restart"):
        source = w.read(w.LIBRARY_FILE)

        def load():
            rt = pydeno.Runtime()
            rt.eval(source)
            result = rt.eval(w.LIBRARY_USE)
            rt.close()
            return result

        return load, None

    rt = runtime()
    if row == "call" and path == "eval":
        op = lambda: rt.eval("add(1, 2)")  # noqa: E731
    elif row in ("call", "jsfunction"):
        f = rt.eval("add")
        op = lambda: f(1, 2)  # noqa: E731
    elif row == "evaluate":
        op = lambda: rt.eval(w.EXPR)  # noqa: E731
    elif row == "callback":
        rt.bind_function("py_add", w.py_add)
        f = rt.eval("viaPython")
        op = lambda: f(1, 2)  # noqa: E731
    elif row in ("records", "text"):
        value = w.make_records() if row == "records" else w.make_text()
        if path == "json+JsFunction":
            f = rt.eval("viaJson")
            op = lambda: json.loads(f(json.dumps(value)))  # noqa: E731
        else:
            f = rt.eval("id")
            op = lambda: f(value)  # noqa: E731
    elif row == "md5":
        text = w.md5_input()
        f = rt.eval("md5hex")
        op = lambda s=text: f(s)  # noqa: E731
    else:
        raise ValueError(row)
    return op, rt.close


def restarted_from_snapshot():
    """library_restart: an earlier process built a snapshot of typescript and saved it."""
    keep = tempfile.mkdtemp(prefix="pydeno-bench-")
    file = os.path.join(keep, "typescript.snapshot")
    w.in_earlier_process(
        "import pydeno, workloads as w\n"
        "b = pydeno.SnapshotBuilder(); b.execute_script('typescript.js', w.read(w.LIBRARY_FILE))\n"
        f"open({file!r}, 'wb').write(b.build())\n"
    )

    def load():
        with open(file, "rb") as f:
            rt = pydeno.Runtime(pydeno.RuntimeConfig(snapshot=f.read()))
        result = rt.eval(w.LIBRARY_USE)
        rt.close()
        return result

    return load, lambda: shutil.rmtree(keep)
