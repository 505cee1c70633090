"""mini-racer (``py_mini_racer``): one MiniRacer per context; Python callbacks are async only."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading

import py_mini_racer

import workloads as w


PATHS = {
    "call": [("call", "mr.call('add', 1, 2)"), ("JSFunction", "f = mr.eval('add'); f(1, 2)")],
    "evaluate": [("eval", "mr.eval(expr)")],
    "jsfunction": [("JSFunction", "f = mr.eval('add'); f(1, 2)")],
    "callback": [
        ("wrap_py_function", "async with mr.wrap_py_function(async_fn): await mr.eval('viaPythonAsync(1, 2)'), "
         "on one asyncio loop (mini-racer's only way; the MiniRacer must be made on that loop)")
    ],
    "cycle": [("close", "mr = MiniRacer(); mr.eval(src); mr.call('main'); mr.close()")],
    "records": [
        ("call", "mr.call('id', records) (JSON both ways inside mini-racer)"),
        ("json+JSFunction", "json.loads(viaJson(json.dumps(records))), viaJson a JSFunction doing JSON.parse/JSON.stringify"),
    ],
    "text": [
        ("call", "mr.call('id', text) (JSON both ways inside mini-racer)"),
        ("JSFunction", "f = mr.eval('id'); f(text) (native str conversion)"),
    ],
    "md5": [("call", "mr.call('md5hex', s)")],
    "pool": [("thread-local", "no pool in mini-racer: one MiniRacer per thread (threading.local), mr.call")],
    "library_1st": [("eval", "mr = MiniRacer(); mr.eval(typescript); mr.eval(use); mr.close()")],
    "library_2nd": [("eval", "the same, the second time in the process")],
    "library_restart": [("eval", "as library_1st: nothing it compiled outlives the process")],
}
MISSING = {
    "pool_thread": "no pool",
    "pool_process": "no process isolation",
    "snapshot": "no user snapshots",
    "module": "no ES modules",
}


def context():
    mr = py_mini_racer.MiniRacer()
    mr.eval(w.LIB_JS)
    return mr


def callback():
    loop = asyncio.new_event_loop()
    stack = contextlib.AsyncExitStack()

    async def setup():
        mr = context()
        js_add = await stack.enter_async_context(mr.wrap_py_function(w.py_add_async))
        mr.eval("(f) => { globalThis.py_add = f }")(js_add)
        return mr

    mr = loop.run_until_complete(setup())

    async def once():
        return await mr.eval("viaPythonAsync(1, 2)")

    def close():
        loop.run_until_complete(stack.aclose())
        mr.close()
        loop.close()

    return (lambda: loop.run_until_complete(once())), close


def make(row: str, path: str):
    if row == "cycle":
        source, _ = w.make_script()

        def cycle():
            mr = py_mini_racer.MiniRacer()
            mr.eval(source)
            result = mr.call("main")
            mr.close()
            return result

        return cycle, None
    if row == "callback":
        return callback()
    if row == "pool":
        local = threading.local()

        def call():
            mr = getattr(local, "mr", None)
            if mr is None:
                mr = local.mr = context()
            return mr.call("work", w.WORK_N)

        return call, None
    if row in ("library_1st", "library_2nd", "library_restart"):
        source = w.read(w.LIBRARY_FILE)

        def load():
            mr = py_mini_racer.MiniRacer()
            mr.eval(source)
            result = mr.eval(w.LIBRARY_USE)
            mr.close()
            return result

        return load, None

    mr = context()
    if row == "call" and path == "call":
        op = lambda: mr.call("add", 1, 2)  # noqa: E731
    elif row in ("call", "jsfunction"):
        f = mr.eval("add")
        op = lambda: f(1, 2)  # noqa: E731
    elif row == "evaluate":
        op = lambda: mr.eval(w.EXPR)  # noqa: E731
    elif row in ("records", "text"):
        value = w.make_records() if row == "records" else w.make_text()
        if path == "call":
            op = lambda: mr.call("id", value)  # noqa: E731
        elif path == "JSFunction":
            f = mr.eval("id")
            op = lambda: f(value)  # noqa: E731
        else:
            f = mr.eval("viaJson")
            op = lambda: json.loads(f(json.dumps(value)))  # noqa: E731
    elif row == "md5":
        text = w.md5_input()
        op = lambda s=text: mr.call("md5hex", s)  # noqa: E731
    else:
        raise ValueError(row)
    return op, mr.close
