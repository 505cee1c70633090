"""v8ctx against its rivals, mini-racer (``py_mini_racer``) and never-jscore (``never_jscore``).

Each library runs the same workloads in turn; the table shows each library's median and the ratio
of v8ctx against the faster rival on that row (always written so that above 1x means v8ctx wins),
with the target from the issue and PASS/FAIL:

  row        workload                                                    unit       target
  call       ``add(1, 2)`` on one context, repeated                      calls/s    >= 5x
  evaluate   evaluate the small expression ``1 + 2 * 3``                 evals/s    >= 2x
  cycle      create a context, compile a 20 KB script, call main(),      ms/cycle   >= 2x (half the time)
             close
  records    round trip (Python -> JS -> Python) of 10,000 small dicts    ms         >= 2x (half the time)
  text       round trip of a 1 MB str                                    ms         >= 2x (half the time)
  md5        an MD5 written in JavaScript over a 1 KB str                calls/s    >= 1.2x
  pool       2 Python threads calling a CPU-bound function through the   calls/s    (information only)
             library's pool (v8ctx.Pool(workers=2), never_jscore.JSEngine(workers=2)); mini-racer
             has no pool, so one MiniRacer per thread (threading.local)

Every (library, row, path) measurement runs in its own fresh interpreter (this script with
``--one LIB ROW PATH``, printing one JSON line) under a timeout, so a rival that aborts, segfaults or
hangs shows up as CRASH(signal) / TIMEOUT in its cell instead of taking the benchmark down; it also
gives every library the same fresh process. A library that is not installed is shown as SKIP
(the ``bench`` extra lists the rivals: ``pip install -e '.[bench]'``).

Where a rival has more than one reasonable path for a row (mini-racer's ``call`` vs a ``JSFunction``,
native conversion vs ``json.dumps``/``JSON.parse``), each path is measured and the rival's fastest is
used for the comparison; the notes under the table list every path and its result. v8ctx is always
measured on its plain path (``Context.call`` with native conversion).

Each measurement: a warm-up that also sizes a batch to about ``--seconds`` seconds, then
``--repeat`` timed batches; the median is reported. Every worker checks its results before timing
(``add`` returns 3, the round trips return what was sent, the JavaScript MD5 matches ``hashlib`` on
several inputs, ``main()`` and the CPU-bound function return the values Python computes).

Usage::

    python bench/compare.py                 # full run, about 3 minutes on 2 cores
    python bench/compare.py --quick         # under a minute
    python bench/compare.py --json          # results as JSON on stdout
    python bench/compare.py --rows call,md5 --libs v8ctx,mini-racer
    python bench/compare.py --self-check    # only the correctness checks, every library
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import emit_json, environment, median, print_table  # noqa: E402

# --------------------------------------------------------------------------------------------------
# Libraries and rows

LIBS = {
    # name: (import name, distribution name)
    "v8ctx": ("v8ctx", "v8ctx"),
    "mini-racer": ("py_mini_racer", "mini-racer"),
    "never-jscore": ("never_jscore", "never-jscore"),
}
RIVALS = ["mini-racer", "never-jscore"]

# name: (label, unit, higher_is_better, target speedup of v8ctx over the best rival or None)
ROWS = {
    "call": ("trivial call add(1, 2)", "calls/s", True, 5.0),
    "evaluate": ("evaluate('1 + 2 * 3')", "evals/s", True, 2.0),
    "cycle": ("create + compile 20 KB + call + close", "ms/cycle", False, 2.0),
    "records": ("round trip 10,000 dicts", "ms", False, 2.0),
    "text": ("round trip 1 MB str", "ms", False, 2.0),
    "md5": ("MD5 in JS over 1 KB str", "calls/s", True, 1.2),
    "pool": ("pool, 2 threads, CPU-bound fn", "calls/s", True, None),
}

# (lib, row) -> [(path id, description)]; the first is the library's most natural path.
PATHS = {
    ("v8ctx", "call"): [("call", "ctx.call('add', [1, 2])")],
    ("v8ctx", "evaluate"): [("evaluate", "ctx.evaluate(expr)")],
    ("v8ctx", "cycle"): [("with", "with Context() as c: c.compile(src); c.call('main')")],
    ("v8ctx", "records"): [("call", "ctx.call('id', [records]) (native conversion)")],
    ("v8ctx", "text"): [("call", "ctx.call('id', [text]) (native conversion)")],
    ("v8ctx", "md5"): [("call", "ctx.call('md5hex', [s])")],
    ("v8ctx", "pool"): [("Pool", "v8ctx.Pool(src, workers=2).call from 2 threads")],
    ("mini-racer", "call"): [
        ("call", "mr.call('add', 1, 2)"),
        ("JSFunction", "f = mr.eval('add'); f(1, 2)"),
    ],
    ("mini-racer", "evaluate"): [("eval", "mr.eval(expr)")],
    ("mini-racer", "cycle"): [("close", "mr = MiniRacer(); mr.eval(src); mr.call('main'); mr.close()")],
    ("mini-racer", "records"): [
        ("call", "mr.call('id', records) (JSON both ways inside mini-racer)"),
        ("json+JSFunction", "json.loads(viaJson(json.dumps(records))), viaJson a JSFunction doing JSON.parse/JSON.stringify"),
    ],
    ("mini-racer", "text"): [
        ("call", "mr.call('id', text) (JSON both ways inside mini-racer)"),
        ("JSFunction", "f = mr.eval('id'); f(text) (native str conversion)"),
    ],
    ("mini-racer", "md5"): [("call", "mr.call('md5hex', s)")],
    ("mini-racer", "pool"): [("thread-local", "no pool in mini-racer: one MiniRacer per thread (threading.local), mr.call")],
    ("never-jscore", "call"): [("call", "ctx.call('add', [1, 2])")],
    ("never-jscore", "evaluate"): [("evaluate", "ctx.evaluate(expr)")],
    ("never-jscore", "cycle"): [
        ("del", "c = Context(); c.compile(src); c.call('main', []); del c"),
        ("with", "with Context() as c: c.compile(src); c.call('main', [])"),
    ],
    ("never-jscore", "records"): [
        ("call", "ctx.call('id', [records]) (native conversion)"),
        ("json", "json.loads(ctx.call('viaJson', [json.dumps(records)]))"),
    ],
    ("never-jscore", "text"): [("call", "ctx.call('id', [text])")],
    ("never-jscore", "md5"): [("call", "ctx.call('md5hex', [s])")],
    ("never-jscore", "pool"): [
        ("JSEngine", "never_jscore.JSEngine(src, workers=2).call from 2 threads"),
        ("thread-local", "one Context per thread (threading.local)"),
    ],
}

# --------------------------------------------------------------------------------------------------
# Workloads

EXPR = "1 + 2 * 3"
RECORDS_N = 10_000
TEXT_BYTES = 1024 * 1024
MD5_INPUT_CHARS = 1024
WORK_N = 400_000  # iterations of the CPU-bound function: a few ms per call

# A compact MD5 (RFC 1321) over the UTF-8 bytes of a JS string. String-heavy on purpose: the input
# goes through encodeURIComponent/unescape into a "binary string", is read back with charCodeAt, and
# the hex digest is built by string concatenation.
MD5_JS = r"""
var MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
var MD5_K = [];
for (var i = 0; i < 64; i++) MD5_K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296) | 0;
function md5hex(input) {
  var s = unescape(encodeURIComponent(input)), n = s.length;
  var nw = (((n + 8) >>> 6) + 1) * 16, x = new Array(nw), i, j;
  for (i = 0; i < nw; i++) x[i] = 0;
  for (i = 0; i < n; i++) x[i >> 2] |= s.charCodeAt(i) << ((i & 3) * 8);
  x[n >> 2] |= 0x80 << ((n & 3) * 8);
  x[nw - 2] = (n * 8) | 0;
  x[nw - 1] = Math.floor(n / 536870912);
  var a0 = 0x67452301, b0 = 0xefcdab89 | 0, c0 = 0x98badcfe | 0, d0 = 0x10325476;
  for (var blk = 0; blk < nw; blk += 16) {
    var a = a0, b = b0, c = c0, d = d0;
    for (j = 0; j < 64; j++) {
      var f, g;
      if (j < 16) { f = (b & c) | (~b & d); g = j; }
      else if (j < 32) { f = (d & b) | (~d & c); g = (5 * j + 1) & 15; }
      else if (j < 48) { f = b ^ c ^ d; g = (3 * j + 5) & 15; }
      else { f = c ^ (b | ~d); g = (7 * j) & 15; }
      var sum = (a + f + MD5_K[j] + x[blk + g]) | 0, r = MD5_S[((j >> 4) << 2) | (j & 3)];
      a = d; d = c; c = b;
      b = (b + ((sum << r) | (sum >>> (32 - r)))) | 0;
    }
    a0 = (a0 + a) | 0; b0 = (b0 + b) | 0; c0 = (c0 + c) | 0; d0 = (d0 + d) | 0;
  }
  var hex = "0123456789abcdef", out = "", words = [a0, b0, c0, d0];
  for (i = 0; i < 4; i++)
    for (j = 0; j < 4; j++) {
      var byte = (words[i] >>> (j * 8)) & 255;
      out += hex.charAt(byte >> 4) + hex.charAt(byte & 15);
    }
  return out;
}
"""

LIB_JS = (
    r"""
function add(a, b) { return a + b; }
function id(x) { return x; }
function viaJson(s) { return JSON.stringify(JSON.parse(s)); }
function work(n) {
  var h = 0;
  for (var i = 0; i < n; i++) { h = (h * 31 + i) | 0; h ^= h >>> 13; }
  return h;
}
"""
    + MD5_JS
)

MD5_VECTORS = [
    "",
    "a",
    "abc",
    "message digest",
    "The quick brown fox jumps over the lazy dog",
    "x" * 55,
    "y" * 56,
    "z" * 64,
    "h\u00e9llo w\u00f6rld \u2603 \U0001d11e \u4e2d\u6587",
]


def md5_input() -> str:
    chunk = "v8ctx md5 input 0123456789 abcdefghijklmnopqrstuvwxyz \u00e9\u00e8 ABCDEFGHIJKLMNOPQRSTUVWXYZ / "
    return (chunk * (MD5_INPUT_CHARS // len(chunk) + 1))[:MD5_INPUT_CHARS]


def work_expected(n: int) -> int:
    """Python mirror of the JS ``work(n)`` (int32 arithmetic)."""
    h = 0
    for i in range(n):
        h = ((h * 31 + i + 2**31) & 0xFFFFFFFF) - 2**31
        h ^= (h & 0xFFFFFFFF) >> 13
    return h


def make_records(n: int = RECORDS_N) -> list:
    return [{"id": i, "name": f"user{i}", "score": i * 0.5, "tags": ["a", "b"]} for i in range(n)]


def make_text(size: int = TEXT_BYTES) -> str:
    chunk = "The quick brown fox jumps over the lazy dog. 0123456789 "
    return (chunk * (size // len(chunk) + 1))[:size]


def make_script(target_bytes: int = 20 * 1024) -> tuple[str, int]:
    """A deterministic ~20 KB script: a data table, many small functions and ``main()`` calling each
    once. Returns (source, the value ``main()`` must return)."""
    table, funcs = [], []
    size = 0
    i = 0
    while size < target_bytes:
        v = (i * 37) % 1000
        table.append(f'  {{ key: "entry_{i:04d}", label: "item number {i} of the table", v: {v} }}')
        a, b, m = (i * 7) % 13 + 1, (i * 31) % 101, 97 + i % 50
        funcs.append(
            f"function f{i}(x) {{\n"
            f"  var y = (x * {a} + {b}) % {m};\n"
            f"  return y + TABLE[{i} % TABLE.length].v;\n"
            f"}}"
        )
        size += len(table[-1]) + len(funcs[-1]) + 10
        i += 1
    count = i
    source = (
        "var TABLE = [\n" + ",\n".join(table) + "\n];\n"
        + "\n".join(funcs) + "\n"
        + "var FNS = [" + ", ".join(f"f{k}" for k in range(count)) + "];\n"
        + "function main() {\n  var s = 0;\n  for (var i = 0; i < FNS.length; i++) s += FNS[i](i);\n  return s;\n}\n"
    )
    expected = sum((k * ((k * 7) % 13 + 1) + (k * 31) % 101) % (97 + k % 50) + (k % count * 37) % 1000 for k in range(count))
    return source, expected


# --------------------------------------------------------------------------------------------------
# Worker side: one (lib, row, path) measurement in this process


def check(cond: bool, what: str) -> None:
    if not cond:
        raise AssertionError(f"self-check failed: {what}")


def measure(op, seconds: float, repeat: int) -> list:
    """Seconds per op for each of ``repeat`` batches of about ``seconds`` seconds (after a warm-up
    that sizes the batch)."""
    warm_until = time.perf_counter() + max(0.05, seconds * 0.3)
    n = 0
    t0 = time.perf_counter()
    while True:
        op()
        n += 1
        now = time.perf_counter()
        if now >= warm_until and n >= 2:
            break
    per_op = (now - t0) / n
    batch = max(1, int(seconds / per_op))
    samples = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        for _ in range(batch):
            op()
        samples.append((time.perf_counter() - t) / batch)
    return samples


class Session:
    """The operations one library needs, on one long-lived context (except ``cycle``)."""

    def __init__(self, lib: str):
        self.lib = lib
        if lib == "v8ctx":
            import v8ctx

            self.mod = v8ctx
            self.ctx = v8ctx.Context()
            self.ctx.compile(LIB_JS)
            self.call = lambda name, *args: self.ctx.call(name, list(args))
            self.evaluate = self.ctx.evaluate
        elif lib == "mini-racer":
            import py_mini_racer

            self.mod = py_mini_racer
            self.ctx = py_mini_racer.MiniRacer()
            self.ctx.eval(LIB_JS)
            self.call = self.ctx.call
            self.evaluate = self.ctx.eval
        elif lib == "never-jscore":
            import never_jscore

            self.mod = never_jscore
            self.ctx = never_jscore.Context()
            self.ctx.compile(LIB_JS)
            self.call = lambda name, *args: self.ctx.call(name, list(args))
            self.evaluate = self.ctx.evaluate
        else:
            raise ValueError(lib)

    def close(self) -> None:
        if self.lib in ("v8ctx", "mini-racer"):
            self.ctx.close()
        else:
            del self.ctx


def cycle_op(lib: str, path: str, source: str):
    if lib == "v8ctx":
        import v8ctx

        def op():
            with v8ctx.Context() as c:
                c.compile(source)
                return c.call("main")

    elif lib == "mini-racer":
        import py_mini_racer

        def op():
            mr = py_mini_racer.MiniRacer()
            mr.eval(source)
            r = mr.call("main")
            mr.close()
            return r

    elif lib == "never-jscore":
        import never_jscore

        if path == "with":

            def op():
                with never_jscore.Context() as c:
                    c.compile(source)
                    return c.call("main", [])

        else:

            def op():
                c = never_jscore.Context()
                c.compile(source)
                r = c.call("main", [])
                del c
                return r

    return op


def run_one(lib: str, row: str, path: str, seconds: float, repeat: int) -> dict:
    if row == "pool":
        return run_pool(lib, path, seconds, repeat)
    if row == "cycle":
        source, expected = make_script()
        op = cycle_op(lib, path, source)
        check(op() == expected, f"main() of the 20 KB script returns {expected}")
        return {"samples": measure(op, seconds, repeat), "script_bytes": len(source)}

    s = Session(lib)
    info: dict = {}
    if row == "call":
        if path == "JSFunction":
            f = s.ctx.eval("add")
            op = lambda: f(1, 2)  # noqa: E731
        else:
            op = lambda: s.call("add", 1, 2)  # noqa: E731
        check(op() == 3, "add(1, 2) == 3")
    elif row == "evaluate":
        op = lambda: s.evaluate(EXPR)  # noqa: E731
        check(op() == 7, f"{EXPR} == 7")
    elif row in ("records", "text"):
        value = make_records() if row == "records" else make_text()
        if path == "call":
            op = lambda: s.call("id", value)  # noqa: E731
        elif path == "JSFunction":
            f = s.ctx.eval("id")
            op = lambda: f(value)  # noqa: E731
        elif path == "json+JSFunction":
            f = s.ctx.eval("viaJson")
            op = lambda: json.loads(f(json.dumps(value)))  # noqa: E731
        elif path == "json":
            op = lambda: json.loads(s.call("viaJson", json.dumps(value)))  # noqa: E731
        else:
            raise ValueError(path)
        check(op() == value, f"{row} round trip returns what was sent")
    elif row == "md5":
        for v in MD5_VECTORS + [md5_input()]:
            want = hashlib.md5(v.encode("utf-8")).hexdigest()
            got = s.call("md5hex", v)
            check(got == want, f"md5({v[:20]!r}...) = {got}, hashlib says {want}")
        info["md5_vectors_checked"] = len(MD5_VECTORS) + 1
        text = md5_input()
        op = lambda: s.call("md5hex", text)  # noqa: E731
    else:
        raise ValueError(row)
    samples = measure(op, seconds, repeat)
    s.close()
    return {"samples": samples, **info}


def run_pool(lib: str, path: str, seconds: float, repeat: int, threads: int = 2) -> dict:
    """Aggregate seconds per call of ``threads`` threads calling ``work(WORK_N)`` until a deadline;
    the threads live for the whole measurement (so per-thread contexts are created once)."""
    expected = work_expected(WORK_N)
    finish = lambda: None  # noqa: E731  (run in each thread before it exits)
    close = lambda: None  # noqa: E731
    if lib == "v8ctx":
        import v8ctx

        pool = v8ctx.Pool(LIB_JS, workers=2)
        call = lambda: pool.call("work", [WORK_N])  # noqa: E731
        close = pool.close
    elif lib == "never-jscore" and path == "JSEngine":
        import never_jscore

        engine = never_jscore.JSEngine(LIB_JS, workers=2)
        call = lambda: engine.call("work", [WORK_N])  # noqa: E731
    elif lib in ("mini-racer", "never-jscore"):
        tl = threading.local()
        if lib == "mini-racer":
            import py_mini_racer

            def call():
                mr = getattr(tl, "ctx", None)
                if mr is None:
                    mr = tl.ctx = py_mini_racer.MiniRacer()
                    mr.eval(LIB_JS)
                return mr.call("work", WORK_N)

            def finish():
                if getattr(tl, "ctx", None) is not None:
                    tl.ctx.close()

        else:
            import never_jscore

            def call():
                c = getattr(tl, "ctx", None)
                if c is None:
                    c = tl.ctx = never_jscore.Context()
                    c.compile(LIB_JS)
                return c.call("work", [WORK_N])

            def finish():
                tl.__dict__.pop("ctx", None)

    else:
        raise ValueError((lib, path))

    start, end = threading.Barrier(threads + 1), threading.Barrier(threads + 1)
    state = {"deadline": 0.0, "stop": False}
    counts, ends, errors, results_ok = [0] * threads, [0.0] * threads, [], [True]

    def loop(k: int) -> None:
        while True:
            start.wait()
            if state["stop"]:
                finish()
                return
            n = 0
            try:
                while time.perf_counter() < state["deadline"]:
                    if call() != expected:
                        results_ok[0] = False
                    n += 1
            except BaseException as e:  # reported by the main thread
                errors.append(f"{type(e).__name__}: {e}")
            counts[k], ends[k] = n, time.perf_counter()
            end.wait()

    pool_threads = [threading.Thread(target=loop, args=(k,), daemon=True) for k in range(threads)]
    for t in pool_threads:
        t.start()
    samples = []
    for r in range(repeat + 1):  # round 0 is the warm-up (creates per-thread contexts)
        t0 = time.perf_counter()
        state["deadline"] = t0 + (seconds if r else max(0.2, seconds * 0.5))
        start.wait()
        end.wait()
        if errors:
            raise RuntimeError(errors[0])
        check(results_ok[0], f"work({WORK_N}) == {expected}")
        if r:
            samples.append((max(ends) - t0) / max(1, sum(counts)))
    state["stop"] = True
    start.wait()
    for t in pool_threads:
        t.join()
    close()
    return {"samples": samples, "threads": threads, "work_n": WORK_N}


def worker_main(lib: str, row: str, path: str, seconds: float, repeat: int) -> int:
    result = run_one(lib, row, path, seconds, repeat)
    # Print before tearing anything down: a crash at interpreter exit must not lose the numbers.
    sys.stdout.write("@@RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


# --------------------------------------------------------------------------------------------------
# Driver side


def installed(lib: str) -> bool:
    return importlib.util.find_spec(LIBS[lib][0]) is not None


def version(lib: str) -> str:
    try:
        return importlib.metadata.version(LIBS[lib][1])
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def run_subprocess(lib: str, row: str, path: str, seconds: float, repeat: int, timeout: float) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--one", lib, row, path, "--seconds", str(seconds), "--repeat", str(repeat)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the worker's own process group only
        out, err = proc.communicate()
        return {"status": "TIMEOUT", "wall_s": time.perf_counter() - t0, "stderr_tail": tail(err)}
    wall = time.perf_counter() - t0
    result = None
    for line in out.splitlines():
        if line.startswith("@@RESULT "):
            result = json.loads(line[len("@@RESULT ") :])
    rc = proc.returncode
    entry: dict = {"wall_s": wall, "returncode": rc}
    if rc < 0:
        try:
            signame = signal.Signals(-rc).name
        except ValueError:
            signame = str(-rc)
        entry["signal"] = signame
    if result is not None:
        entry.update(status="OK", **result)
        entry["median_s"] = median(result["samples"])
        if rc != 0:
            entry["exit_note"] = f"measured, then {'crashed (' + entry['signal'] + ')' if rc < 0 else 'exited ' + str(rc)} at teardown"
            entry["stderr_tail"] = tail(err)
    elif rc < 0:
        entry.update(status=f"CRASH({entry['signal']})", stderr_tail=tail(err))
    else:
        entry.update(status="ERROR", stderr_tail=tail(err))
    return entry


def tail(text: str, lines: int = 3) -> str:
    kept = [ln for ln in (text or "").strip().splitlines() if ln.strip() and set(ln.strip()) != {"#"}]
    return " | ".join(ln.strip() for ln in kept[-lines:])


def value_of(row: str, median_s: float) -> float:
    """The displayed value: a rate for 'higher is better' rows, milliseconds otherwise."""
    return 1.0 / median_s if ROWS[row][2] else median_s * 1e3


def fmt_value(row: str, v: float) -> str:
    if ROWS[row][2]:
        return f"{v:,.0f}/s"
    return f"{v:.3g} ms" if v < 100 else f"{v:,.0f} ms"


def best_path(entries: dict):
    """(path, entry) of the fastest successful path, else (first path, its failed entry)."""
    ok = [(p, e) for p, e in entries.items() if e.get("status") == "OK"]
    if ok:
        return min(ok, key=lambda pe: pe[1]["median_s"])
    return next(iter(entries.items()))


def summarize(results: dict, libs: list, rows: list) -> dict:
    summary = {}
    for row in rows:
        label, unit, higher, target = ROWS[row]
        cells = {}
        for lib in libs:
            entries = results[row].get(lib)
            if entries is None:
                cells[lib] = {"status": "SKIP"}
                continue
            path, e = best_path(entries)
            cells[lib] = {"status": e["status"], "path": path}
            if e["status"] == "OK":
                cells[lib]["value"] = value_of(row, e["median_s"])
                cells[lib]["median_s"] = e["median_s"]
        ours = cells.get("v8ctx", {})
        rivals = [(lib, cells[lib]) for lib in libs if lib in RIVALS and cells[lib].get("status") == "OK"]
        ratio = best = None
        if rivals and ours.get("status") == "OK":
            best, cell = min(rivals, key=lambda lc: lc[1]["median_s"])
            ratio = cell["median_s"] / ours["median_s"]  # > 1: v8ctx faster
        # Installed rivals without a number (crash, timeout, error): the comparison is incomplete.
        missing = [lib for lib in libs if lib in RIVALS and cells[lib]["status"] not in ("OK", "SKIP")]
        if target is None:
            verdict = "info"
        elif ratio is None:
            verdict = "n/a"
        else:
            verdict = ("PASS" if ratio >= target else "FAIL") + ("*" if missing else "")
        summary[row] = {
            "label": label,
            "unit": unit,
            "cells": cells,
            "best_rival": best,
            "ratio": ratio,
            "target": target,
            "verdict": verdict,
            "rivals_without_result": missing,
        }
    return summary


def target_text(row: str) -> str:
    target = ROWS[row][3]
    if target is None:
        return "-"
    if ROWS[row][2]:
        return f">= {target:g}x rate"
    return f"<= 1/{target:g} time"


def print_report(env: dict, settings: dict, results: dict, summary: dict, libs: list, rows: list) -> None:
    print(f"Machine: {env['cpu_model']}, {env['cpus']} CPUs, {env['platform']}")
    print(f"Python {env['python']}; load average at start {env['loadavg_at_start']}")
    print("Versions: " + ", ".join(f"{lib} {env['versions'][lib]}" for lib in LIBS))
    print(
        f"Settings: {settings['repeat']} timed batches of ~{settings['seconds']:g} s per measurement, median reported; "
        f"each measurement in a fresh subprocess, timeout {settings['timeout']:g} s"
    )
    print()
    headers = ["row", "unit"] + libs + ["v8ctx vs best rival", "target", "result"]
    table = []
    for row in rows:
        s = summary[row]
        line = [s["label"], s["unit"]]
        for lib in libs:
            c = s["cells"][lib]
            line.append(fmt_value(row, c["value"]) if c["status"] == "OK" else c["status"])
        if s["ratio"] is None:
            line.append("n/a")
        else:
            line.append(f"{s['ratio']:.2f}x vs {s['best_rival']}")
        line += [target_text(row), s["verdict"]]
        table.append(line)
    print_table("Medians (higher /s is better, lower ms is better); ratio > 1x means v8ctx is faster", headers, table)
    if any(summary[row]["rivals_without_result"] for row in rows):
        print("* a rival crashed, timed out or failed on this row: compared against the rivals that finished\n")

    print("Paths measured (the fastest of a rival's paths is used above; * = used):")
    for row in rows:
        print(f"  {row}: {ROWS[row][0]}")
        for lib in libs:
            entries = results[row].get(lib)
            if entries is None:
                print(f"    {lib}: SKIP (not installed)")
                continue
            used = summary[row]["cells"][lib].get("path")
            descriptions = dict(PATHS[(lib, row)])
            for path, e in entries.items():
                mark = "*" if path == used and e["status"] == "OK" else " "
                shown = fmt_value(row, value_of(row, e["median_s"])) if e["status"] == "OK" else e["status"]
                print(f"   {mark}{lib} [{path}] {shown}: {descriptions[path]}")
                if e.get("exit_note"):
                    print(f"       note: {e['exit_note']}")
                if e["status"] != "OK" and e.get("stderr_tail"):
                    print(f"       stderr: {e['stderr_tail'][:300]}")
    print()
    print(f"Total wall time {settings['total_s']:.0f} s")


def environment_info() -> dict:
    env = environment()
    env["cpu_model"] = cpu_model()
    env["versions"] = {lib: version(lib) for lib in LIBS}
    # While developing, the version alone does not say which build ran: add the extension's mtime.
    spec = importlib.util.find_spec("v8ctx._v8ctx")
    if spec is not None and spec.origin and os.path.exists(spec.origin):
        built = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(os.path.getmtime(spec.origin)))
        env["v8ctx_extension_built"] = built
        env["versions"]["v8ctx"] += f" (extension built {built})"
    return env


def self_check(libs: list, timeout: float) -> int:
    """Correctness only: the checks each worker does before timing, for every library."""
    failures = 0
    for lib in libs:
        if not installed(lib):
            print(f"{lib}: SKIP (not installed)")
            continue
        for row in ROWS:
            path = PATHS[(lib, row)][0][0]
            e = run_subprocess(lib, row, path, 0.01, 1, timeout)
            ok = e["status"] == "OK"
            failures += not ok
            print(f"{lib} {row} [{path}]: {'ok' if ok else e['status'] + ' ' + e.get('stderr_tail', '')}")
    return 1 if failures else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short run (under a minute): 3 batches of ~0.2 s")
    parser.add_argument("--repeat", type=int, default=None, help="timed batches per measurement (default 5, --quick 3)")
    parser.add_argument("--seconds", type=float, default=None, help="approximate seconds per batch (default 1, --quick 0.2)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds before a measurement is killed (default 120)")
    parser.add_argument("--libs", default=",".join(LIBS), help="comma-separated libraries (default: all)")
    parser.add_argument("--rows", default=",".join(ROWS), help="comma-separated rows (default: all)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument("--self-check", action="store_true", help="only run every library's correctness checks")
    parser.add_argument("--one", nargs=3, metavar=("LIB", "ROW", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    repeat = args.repeat or (3 if args.quick else 5)
    seconds = args.seconds or (0.2 if args.quick else 1.0)
    if args.one:
        return worker_main(*args.one, seconds=seconds, repeat=repeat)

    libs = [x for x in args.libs.split(",") if x]
    rows = [x for x in args.rows.split(",") if x]
    for x in libs:
        if x not in LIBS:
            parser.error(f"unknown library {x!r} (choose from {', '.join(LIBS)})")
    for x in rows:
        if x not in ROWS:
            parser.error(f"unknown row {x!r} (choose from {', '.join(ROWS)})")
    if args.self_check:
        return self_check(libs, args.timeout)

    env = environment_info()
    settings = {"repeat": repeat, "seconds": seconds, "timeout": args.timeout, "quick": args.quick}
    start = time.perf_counter()
    results: dict = {}
    for row in rows:
        results[row] = {}
        for lib in libs:
            if not installed(lib):
                continue
            results[row][lib] = {}
            for path, _ in PATHS[(lib, row)]:
                print(f"[compare] {row:<8} {lib:<12} {path:<16}", end=" ", file=sys.stderr, flush=True)
                e = run_subprocess(lib, row, path, seconds, repeat, args.timeout)
                results[row][lib][path] = e
                shown = fmt_value(row, value_of(row, e["median_s"])) if e["status"] == "OK" else e["status"]
                print(f"{shown}  ({e['wall_s']:.1f} s)", file=sys.stderr, flush=True)
    settings["total_s"] = time.perf_counter() - start
    summary = summarize(results, libs, rows)

    if args.json:
        emit_json({"environment": env, "settings": settings, "summary": summary, "measurements": results})
    else:
        print_report(env, settings, results, summary, libs, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
