"""Python and JavaScript calling each other: v8ctx against the rivals that can, side by side.

Rows (each library's every path in its own fresh interpreter, ``--one LIB ROW``):

  js_to_python   JavaScript calling a trivial Python function ``inc(n)`` in a loop   calls/s
                 (target: >= 1,000,000/s and >= 10x the fastest rival). v8ctx:
                 ``Context.expose``; pydeno: ``Runtime.bind_function``; mini-racer only
                 wraps async Python functions (``wrap_py_function``), so its path awaits a
                 Promise per call under asyncio.
  js_function    Python calling a JavaScript function ``add(1, 2)`` through a handle   calls/s
                 (target: as fast as ``Context.call``, measured beside it). v8ctx:
                 ``JSFunction`` and ``Context.call``; mini-racer: its ``JSFunction``;
                 pydeno: ``JsFunction`` from ``Runtime.eval``.
  loop_latency   v8ctx only: how late a 10 ms asyncio ticker wakes while a Context    ms
                 awaits ``new Promise(r => setTimeout(r, 1000))`` with ``evaluate_async``
                 (median and worst lateness of ~100 ticks).

Each measurement: a warm-up, then ``--repeat`` timed batches of about ``--seconds`` seconds;
the median batch is reported. Every path checks its result before timing.

Usage::

    python bench/bridge.py                  # about a minute
    python bench/bridge.py --json
    python bench/bridge.py --rows js_to_python --libs v8ctx,pydeno
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import emit_json, environment, median, print_table  # noqa: E402

LOOP = "function count(n) { let s = 0; for (let i = 0; i < n; i++) s = inc(s); return s }"
ASYNC_LOOP = "async function count(n) { let s = 0; for (let i = 0; i < n; i++) s = await inc(s); return s }"
ADD = "function add(a, b) { return a + b }"

LIBS = {"v8ctx": "v8ctx", "pydeno": "pydeno", "mini-racer": "py_mini_racer"}
PATHS = {
    "js_to_python": {"v8ctx": ["expose"], "pydeno": ["bind_function"], "mini-racer": ["wrap_py_function"]},
    "js_function": {"v8ctx": ["JSFunction", "Context.call"], "pydeno": ["JsFunction"], "mini-racer": ["JSFunction"]},
    "loop_latency": {"v8ctx": ["evaluate_async"]},
}


def rate(batch, seconds: float, repeat: int) -> float:
    """Median calls per second of ``batch(n)``, which makes n calls, over ``repeat`` batches."""
    n = 1000
    while True:
        start = time.perf_counter()
        batch(n)
        elapsed = time.perf_counter() - start
        if elapsed > seconds / 4 or n >= 10_000_000:
            break
        n *= 4
    n = max(1, int(n * seconds / max(elapsed, 1e-9)))
    rates = []
    for _ in range(repeat):
        start = time.perf_counter()
        batch(n)
        rates.append(n / (time.perf_counter() - start))
    return median(rates)


def js_to_python(lib: str, path: str, seconds: float, repeat: int) -> dict:
    inc = lambda n: n + 1  # noqa: E731
    if lib == "v8ctx":
        import v8ctx

        ctx = v8ctx.Context(globals={"inc": inc})
        ctx.compile(LOOP)
        batch = lambda n: ctx.call("count", [n])  # noqa: E731
    elif lib == "pydeno":
        import pydeno

        runtime = pydeno.Runtime()
        runtime.bind_function("inc", inc)
        runtime.eval(LOOP)
        batch = lambda n: runtime.eval(f"count({n})")  # noqa: E731
    else:
        import py_mini_racer

        async def ainc(n):
            return n + 1

        async def measure():
            racer = py_mini_racer.MiniRacer()
            racer.eval(ASYNC_LOOP)
            async with racer.wrap_py_function(ainc) as wrapped:
                racer.eval("this")["inc"] = wrapped
                count = racer.eval("count")

                async def batch(n):
                    assert await count(n) == n

                await batch(10)
                n, elapsed = 100, 0.0
                while elapsed < seconds / 4:
                    start = time.perf_counter()
                    await batch(n)
                    elapsed = time.perf_counter() - start
                    n *= 2
                n = max(1, int(n / 2 * seconds / elapsed))
                rates = []
                for _ in range(repeat):
                    start = time.perf_counter()
                    await batch(n)
                    rates.append(n / (time.perf_counter() - start))
                return median(rates)

        return {"value": asyncio.run(measure()), "unit": "calls/s"}
    assert batch(100) == 100
    return {"value": rate(batch, seconds, repeat), "unit": "calls/s"}


def js_function(lib: str, path: str, seconds: float, repeat: int) -> dict:
    if lib == "v8ctx":
        import v8ctx

        ctx = v8ctx.Context()
        ctx.compile(ADD)
        if path == "JSFunction":
            add = ctx.get("add")
            one = lambda: add(1, 2)  # noqa: E731
        else:
            call, args = ctx.call, [1, 2]
            one = lambda: call("add", args)  # noqa: E731
    elif lib == "pydeno":
        import pydeno

        runtime = pydeno.Runtime()
        add = runtime.eval(f"({ADD[:-1]}}})")
        one = lambda: add(1, 2)  # noqa: E731
    else:
        import py_mini_racer

        racer = py_mini_racer.MiniRacer()
        racer.eval(ADD)
        add = racer.eval("add")
        one = lambda: add(1, 2)  # noqa: E731
    assert one() == 3

    def batch(n):
        for _ in range(n):
            one()

    return {"value": rate(batch, seconds, repeat), "unit": "calls/s"}


def loop_latency(lib: str, path: str, seconds: float, repeat: int) -> dict:
    import v8ctx

    async def measure():
        ctx = v8ctx.Context()
        late = []

        async def ticker():
            while True:
                due = time.perf_counter() + 0.01
                await asyncio.sleep(0.01)
                late.append(time.perf_counter() - due)

        task = asyncio.create_task(ticker())
        await ctx.evaluate_async("new Promise(r => setTimeout(r, 1000))")
        task.cancel()
        return late

    late = asyncio.run(measure())
    return {"value": median(late) * 1000, "worst": max(late) * 1000, "ticks": len(late), "unit": "ms late"}


ROWS = {"js_to_python": js_to_python, "js_function": js_function, "loop_latency": loop_latency}


def run_one(lib: str, row: str, path: str, seconds: float, repeat: int, timeout: float) -> dict:
    command = [sys.executable, __file__, "--one", lib, row, path, "--seconds", str(seconds), "--repeat", str(repeat)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": "TIMEOUT"}
    if done.returncode != 0:
        return {"error": f"exit {done.returncode}: {done.stderr.strip().splitlines()[-1:] }"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default=",".join(ROWS))
    parser.add_argument("--libs", default=",".join(LIBS))
    parser.add_argument("--seconds", type=float, default=1.0, help="seconds per timed batch (default 1)")
    parser.add_argument("--repeat", type=int, default=5, help="timed batches per measurement (default 5)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per measurement process")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", nargs=3, metavar=("LIB", "ROW", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        lib, row, path = args.one
        print(json.dumps(ROWS[row](lib, path, args.seconds, args.repeat)))
        return 0

    libs = [lib for lib in args.libs.split(",") if importlib.util.find_spec(LIBS[lib]) is not None]
    results = {"environment": environment(), "rows": {}}
    for row in args.rows.split(","):
        for lib in libs:
            for path in PATHS[row].get(lib, []):
                results["rows"].setdefault(row, {})[f"{lib} {path}"] = run_one(
                    lib, row, path, args.seconds, args.repeat, args.timeout
                )
    if args.json:
        emit_json(results)
        return 0
    env = results["environment"]
    print(f"v8ctx {env['v8ctx']}  Python {env['python']}  {env['cpus']} CPUs  load {env['loadavg_at_start']}\n")
    for row, entries in results["rows"].items():
        table = []
        ours = max((r.get("value", 0) for k, r in entries.items() if k.startswith("v8ctx ")), default=0)
        for name, r in entries.items():
            if "error" in r:
                table.append([name, r["error"], ""])
                continue
            if row == "loop_latency":
                table.append([name, f"median {r['value']:.2f} / worst {r['worst']:.2f} ms late", f"{r['ticks']} ticks"])
            else:
                ratio = "" if name.startswith("v8ctx ") else f"v8ctx {ours / r['value']:.1f}x"
                table.append([name, f"{r['value']:,.0f} {r['unit']}", ratio])
        print_table(row, ["library path", "median", "vs"], table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
