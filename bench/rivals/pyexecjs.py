"""PyExecJS over the machine's Node: every call runs a new ``node`` process on the compiled
source, so it is the process-isolated kind of rival on every row."""

from __future__ import annotations

import execjs

import workloads as w


PATHS = {
    "call": [("call", "ctx = execjs.get('Node').compile(src); ctx.call('add', 1, 2)")],
    "evaluate": [("eval", "ctx.eval(expr)")],
    "cycle": [("compile", "execjs.get('Node').compile(src).call('main')")],
    "records": [("call", "ctx.call('id', records) (JSON both ways)")],
    "text": [("call", "ctx.call('id', text)")],
    "md5": [("call", "ctx.call('md5hex', s)")],
    "pool_process": [("call", "ctx.call('add', 1, 2): a node process per call")],
    "pool": [("call", "ctx.call('work', n) from 2 threads (a node process per call)")],
    "library_1st": [("compile", "execjs.get('Node').compile(typescript).eval(use)")],
    "library_2nd": [("compile", "the same, the second time in the process")],
    "library_restart": [("compile", "as library_1st: nothing it compiled outlives the process")],
}
MISSING = {
    "jsfunction": "no function handles",
    "callback": "no Python callables in JavaScript",
    "pool_thread": "no in-process engine",
    "snapshot": "no snapshots",
    "module": "no ES modules (scripts only)",
}



def make(row: str, path: str):
    node = execjs.get("Node")
    if row == "cycle":
        source, _ = w.make_script()
        return (lambda: node.compile(source).call("main")), None
    if row in ("library_1st", "library_2nd", "library_restart"):
        source = w.read(w.LIBRARY_FILE)
        return (lambda: node.compile(source).eval(w.LIBRARY_USE)), None
    ctx = node.compile(w.LIB_JS)
    if row in ("call", "pool_process"):
        op = lambda: ctx.call("add", 1, 2)  # noqa: E731
    elif row == "evaluate":
        op = lambda: ctx.eval(w.EXPR)  # noqa: E731
    elif row in ("records", "text"):
        value = w.make_records() if row == "records" else w.make_text()
        op = lambda: ctx.call("id", value)  # noqa: E731
    elif row == "md5":
        text = w.md5_input()
        op = lambda s=text: ctx.call("md5hex", s)  # noqa: E731
    elif row == "pool":
        op = lambda: ctx.call("work", w.WORK_N)  # noqa: E731
    else:
        raise ValueError(row)
    return op, None
