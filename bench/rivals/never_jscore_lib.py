"""never-jscore: Contexts on deno_core, and a thread pool (``JSEngine``)."""

from __future__ import annotations

import json
import threading

import never_jscore

import workloads as w


PATHS = {
    "call": [("call", "ctx.call('add', [1, 2])")],
    "evaluate": [("evaluate", "ctx.evaluate(expr)")],
    "cycle": [
        ("del", "c = Context(); c.compile(src); c.call('main', []); del c"),
        ("with", "with Context() as c: c.compile(src); c.call('main', [])"),
    ],
    "records": [
        ("call", "ctx.call('id', [records]) (native conversion)"),
        ("json", "json.loads(ctx.call('viaJson', [json.dumps(records)]))"),
    ],
    "text": [("call", "ctx.call('id', [text])")],
    "md5": [("call", "ctx.call('md5hex', [s])")],
    "pool_thread": [("JSEngine", "JSEngine(src, workers=2).call('add', [1, 2]) from one thread")],
    "pool": [
        ("JSEngine", "JSEngine(src, workers=2).call from 2 threads"),
        ("thread-local", "one Context per thread (threading.local)"),
    ],
    "library_1st": [("compile", "c = Context(); c.compile(typescript); c.evaluate(use); del c")],
    "library_2nd": [("compile", "the same, the second time in the process")],
    "library_restart": [("compile", "as library_1st: nothing it compiled outlives the process")],
}
MISSING = {
    "jsfunction": "functions do not cross to Python ('JSON parse error')",
    "callback": "no Python callables in JavaScript",
    "pool_process": "no process isolation",
    "snapshot": "no user snapshots",
    "module": "'Module loading is not supported'",
}


def context():
    ctx = never_jscore.Context()
    ctx.compile(w.LIB_JS)
    return ctx


def make(row: str, path: str):
    if row == "cycle":
        source, _ = w.make_script()
        if path == "with":

            def cycle():
                with never_jscore.Context() as c:
                    c.compile(source)
                    return c.call("main", [])

        else:

            def cycle():
                c = never_jscore.Context()
                c.compile(source)
                result = c.call("main", [])
                del c
                return result

        return cycle, None
    if row in ("pool", "pool_thread") and path == "JSEngine":
        engine = never_jscore.JSEngine(w.LIB_JS, workers=2)
        if row == "pool":
            return (lambda: engine.call("work", [w.WORK_N])), None
        return (lambda: engine.call("add", [1, 2])), None
    if row == "pool":
        local = threading.local()

        def call():
            c = getattr(local, "ctx", None)
            if c is None:
                c = local.ctx = context()
            return c.call("work", [w.WORK_N])

        return call, None
    if row in ("library_1st", "library_2nd", "library_restart"):
        source = w.read(w.LIBRARY_FILE)

        def load():
            c = never_jscore.Context()
            c.compile(source)
            result = c.evaluate(w.LIBRARY_USE)
            del c
            return result

        return load, None

    ctx = context()
    if row == "call":
        op = lambda: ctx.call("add", [1, 2])  # noqa: E731
    elif row == "evaluate":
        op = lambda: ctx.evaluate(w.EXPR)  # noqa: E731
    elif row in ("records", "text"):
        value = w.make_records() if row == "records" else w.make_text()
        if path == "json":
            op = lambda: json.loads(ctx.call("viaJson", [json.dumps(value)]))  # noqa: E731
        else:
            op = lambda: ctx.call("id", [value])  # noqa: E731
    elif row == "md5":
        text = w.md5_input()
        op = lambda s=text: ctx.call("md5hex", [s])  # noqa: E731
    else:
        raise ValueError(row)
    return op, None
