"""v8ctx against its rivals, side by side in one run: mini-racer (``py_mini_racer``),
never-jscore, pydeno (deno_core + pyo3, in-process ``Runtime`` and process-isolated
``IsolatedRuntime``) and PyExecJS over the machine's Node.

PythonMonkey is not measured: it does not install here (its ``pminit`` dependency runs ``npm i``
while building, and the machine reaches no npm registry).

Each library runs the same workloads (``workloads.py``) through its adapter (``rivals/``, one
module per library); the table shows each library's median and the ratio of v8ctx against the
fastest rival on that row (written so that above 1x means v8ctx wins), with the target from the
issue and PASS/FAIL. A library with no way to do a row shows ``-`` (the notes say why):

  row           workload                                                   unit       target
  call          ``add(1, 2)`` on one context, repeated                     calls/s    >= 10x
  evaluate      evaluate the small expression ``1 + 2 * 3``                evals/s    >= 2x
  jsfunction    call a handle to the JS function ``add``                   calls/s    >= 2x
  callback      a JS function calling a Python function                    calls/s    >= 2x
  cycle         create a context, compile a 20 KB script, call main(),     ms/cycle   <= 1/2 time
                close
  records       round trip (Python -> JS -> Python) of 10,000 small dicts   ms         <= 1/2 time
  text          round trip of a 1 MB str                                   ms         <= 1/2 time
  md5           an MD5 written in JavaScript over a 1 KB str               calls/s    >= 2x
  pool_thread   ``add(1, 2)`` through a pool of thread workers             calls/s    >= 2x
  pool_process  ``add(1, 2)`` through process isolation                    calls/s    >= 2x
  pool          2 Python threads calling a CPU-bound function through the  calls/s    (information)
                library's pool, or one context per thread where it has none
  snapshot      a context from a user snapshot holding lodash, one call    ms         <= 1/2 time
  module        a fresh context importing a two-file ES module graph, one  ms         <= 1/2 time
                call
  library_1st   typescript's 10.8 MB compiler loaded into the process's    ms         <= 1/2 time
                first context and used once (median of --processes runs)
  library_2nd   the same in the second context of the process              ms         <= 1/2 time
  library_restart  the same in a restarted process, which may use what an     ms      (information)
                earlier process left on disk (v8ctx's code cache directory, a
                saved snapshot); a library with neither loads cold

Every (library, row, path) measurement runs in its own fresh interpreter (this script with
``--one LIB ROW PATH``, printing one JSON line) under a timeout, so a rival that aborts, segfaults or
hangs shows up as CRASH(signal) / TIMEOUT in its cell instead of taking the benchmark down; it also
gives every library the same fresh process. The ``bench`` extra installs the rivals
(``pip install -e '.[bench]'``); PyExecJS also needs ``node`` on PATH.

Where a library has more than one reasonable path for a row (mini-racer's ``call`` vs a
``JSFunction``, native conversion vs ``json.dumps``/``JSON.parse``), each path is measured and its
fastest is used for the comparison; the notes under the table list every path and its result.
v8ctx is always measured on its plain path.

Each "repeat" measurement: a warm-up that also sizes a batch to about ``--seconds`` seconds, then
``--repeat`` timed batches; the median is reported. Every worker checks its results before timing
(``add`` returns 3, the round trips return what was sent, the JavaScript MD5 matches ``hashlib`` on
several inputs, typescript transpiles, ``main()`` and the CPU-bound function return the values
Python computes).

Usage::

    python bench/compare.py                 # full run, about 10 minutes on 2 cores
    python bench/compare.py --quick         # about 3 minutes
    python bench/compare.py --json          # results as JSON on stdout
    python bench/compare.py --rows call,md5 --libs v8ctx,mini-racer
    python bench/compare.py --self-check    # only the correctness checks, every path
"""

from __future__ import annotations

import argparse
import gc
import hashlib
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

import rivals  # noqa: E402
import workloads  # noqa: E402
from _common import emit_json, environment, median, print_table  # noqa: E402

# --------------------------------------------------------------------------------------------------
# Libraries and rows: one adapter module per library (rivals/), the rows and workloads in workloads.py

LIBS = rivals.NAMES
RIVALS = [lib for lib in LIBS if lib != "v8ctx"]
ROWS = workloads.ROWS

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


def run_one(lib: str, row: str, path: str, seconds: float, repeat: int) -> dict:
    if row == "pool":
        return run_pool(lib, path, seconds, repeat)
    kind = ROWS[row].kind
    want = workloads.expected(row)
    t0 = time.perf_counter()
    op, close = rivals.adapter(lib).make(row, path)
    setup_s = time.perf_counter() - t0
    if row == "md5":
        # The md5 operation takes its input (default: the timed 1 KB str); check it on every vector.
        for v in workloads.MD5_VECTORS:
            got, right = op(v), hashlib.md5(v.encode("utf-8")).hexdigest()
            check(got == right, f"md5({v[:20]!r}...) = {got}, hashlib says {right}")
    if kind == "repeat":
        check(op() == want, f"{row} returns {str(want)[:60]}")
        samples = measure(op, seconds, repeat)
    else:
        # One sample per process: the first run of the operation, or the second after the first.
        if kind == "second":
            check(op() == want, f"{row} returns {want!r}")
        t = time.perf_counter()
        got = op()
        samples = [time.perf_counter() - t]
        check(got == want, f"{row} returns {want!r}, not {got!r}")
    if close:
        close()
    return {"samples": samples, "setup_s": setup_s}


def run_pool(lib: str, path: str, seconds: float, repeat: int, threads: int = 2) -> dict:
    """Aggregate seconds per call of ``threads`` threads calling ``work(WORK_N)`` until a deadline;
    the threads live for the whole measurement (so per-thread contexts are created once)."""
    expected = workloads.work_expected(workloads.WORK_N)
    call, close = rivals.adapter(lib).make("pool", path)
    start, end = threading.Barrier(threads + 1), threading.Barrier(threads + 1)
    state = {"deadline": 0.0, "stop": False}
    counts, ends, errors, results_ok = [0] * threads, [0.0] * threads, [], [True]

    def loop(k: int) -> None:
        while True:
            start.wait()
            if state["stop"]:
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
        check(results_ok[0], f"work({workloads.WORK_N}) == {expected}")
        if r:
            samples.append((max(ends) - t0) / max(1, sum(counts)))
    state["stop"] = True
    start.wait()
    for t in pool_threads:
        t.join()
    if close:
        close()
    return {"samples": samples, "threads": threads, "work_n": workloads.WORK_N}


def worker_main(lib: str, row: str, path: str, seconds: float, repeat: int) -> int:
    result = run_one(lib, row, path, seconds, repeat)
    # Print before tearing anything down: a crash at interpreter exit must not lose the numbers.
    sys.stdout.write("@@RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


# --------------------------------------------------------------------------------------------------
# Driver side


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


def measure_path(lib: str, row: str, path: str, seconds: float, repeat: int, processes: int, timeout: float) -> dict:
    """A "repeat" row in one process; a first/second-run row once in each of ``processes`` fresh
    processes, the median over them (a failed process fails the path)."""
    if ROWS[row].kind == "repeat":
        return run_subprocess(lib, row, path, seconds, repeat, timeout)
    runs = [run_subprocess(lib, row, path, seconds, repeat, timeout) for _ in range(processes)]
    failed = [e for e in runs if e["status"] != "OK"]
    if failed:
        return failed[0]
    samples = [e["samples"][0] for e in runs]
    return {"status": "OK", "samples": samples, "median_s": median(samples), "wall_s": sum(e["wall_s"] for e in runs)}


def tail(text: str, lines: int = 3) -> str:
    kept = [ln for ln in (text or "").strip().splitlines() if ln.strip() and set(ln.strip()) != {"#"}]
    return " | ".join(ln.strip() for ln in kept[-lines:])


def value_of(row: str, median_s: float) -> float:
    """The displayed value: a rate for 'higher is better' rows, milliseconds otherwise."""
    return 1.0 / median_s if ROWS[row].higher_is_better else median_s * 1e3


def fmt_value(row: str, v: float) -> str:
    if ROWS[row].higher_is_better:
        return f"{v:,.0f}/s" if v >= 10 else f"{v:.2g}/s"
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
        spec = ROWS[row]
        cells = {}
        for lib in libs:
            entries = results[row].get(lib)
            if isinstance(entries, str):  # why the library has no result: not installed, no such feature
                cells[lib] = {"status": "-", "why": entries}
                continue
            path, e = best_path(entries)
            cells[lib] = {"status": e["status"], "path": path}
            if e["status"] == "OK":
                cells[lib]["value"] = value_of(row, e["median_s"])
                cells[lib]["median_s"] = e["median_s"]
        ours = cells.get("v8ctx", {})
        rivals_ok = [(lib, cells[lib]) for lib in libs if lib in RIVALS and cells[lib].get("status") == "OK"]
        ratio = best = None
        if rivals_ok and ours.get("status") == "OK":
            best, cell = min(rivals_ok, key=lambda lc: lc[1]["median_s"])
            ratio = cell["median_s"] / ours["median_s"]  # > 1: v8ctx faster
        # Rivals with a path but without a number (crash, timeout, error): the comparison is incomplete.
        missing = [lib for lib in libs if lib in RIVALS and cells[lib]["status"] not in ("OK", "-")]
        if spec.target is None:
            verdict = "info"
        elif ratio is None:
            verdict = "n/a"
        else:
            verdict = ("PASS" if ratio >= spec.target else "FAIL") + ("*" if missing else "")
        summary[row] = {
            "label": spec.label,
            "unit": spec.unit,
            "cells": cells,
            "best_rival": best,
            "ratio": ratio,
            "target": spec.target,
            "verdict": verdict,
            "rivals_without_result": missing,
        }
    return summary


def target_text(row: str) -> str:
    spec = ROWS[row]
    if spec.target is None:
        return "-"
    if spec.higher_is_better:
        return f">= {spec.target:g}x rate"
    return f"<= 1/{spec.target:g} time"


def print_report(env: dict, settings: dict, results: dict, summary: dict, libs: list, rows: list) -> None:
    print(f"Machine: {env['cpu_model']}, {env['cpus']} CPUs, {env['platform']}")
    print(f"Python {env['python']}; load average at start {env['loadavg_at_start']}")
    print("Versions: " + ", ".join(f"{lib} {env['versions'][lib]}" for lib in libs))
    print(
        f"Settings: {settings['repeat']} timed batches of ~{settings['seconds']:g} s per measurement, median reported; "
        f"first/second-context rows: median of {settings['processes']} processes; "
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
        line.append("n/a" if s["ratio"] is None else f"{s['ratio']:.2f}x vs {s['best_rival']}")
        line += [target_text(row), s["verdict"]]
        table.append(line)
    print_table("Medians (higher /s is better, lower ms is better); ratio > 1x means v8ctx is faster; "
                "- = the library has no way to do it (see the notes)", headers, table)
    if any(summary[row]["rivals_without_result"] for row in rows):
        print("* a rival crashed, timed out or failed on this row: compared against the rivals that finished\n")

    print("Paths measured (the fastest of a library's paths is used above; * = used):")
    for row in rows:
        print(f"  {row}: {ROWS[row].label}")
        for lib in libs:
            entries = results[row].get(lib)
            if isinstance(entries, str):
                print(f"    {lib}: - ({entries})")
                continue
            used = summary[row]["cells"][lib].get("path")
            descriptions = dict(rivals.adapter(lib).PATHS[row])
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


def environment_info(libs: list) -> dict:
    env = environment()
    env["cpu_model"] = cpu_model()
    env["versions"] = {lib: rivals.version(lib) for lib in libs}
    # While developing, the version alone does not say which build ran: add the extension's mtime.
    spec = importlib.util.find_spec("v8ctx._v8ctx")
    if spec is not None and spec.origin and os.path.exists(spec.origin):
        built = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(os.path.getmtime(spec.origin)))
        env["v8ctx_extension_built"] = built
        env["versions"]["v8ctx"] += f" (extension built {built})"
    return env


def paths_of(lib: str, row: str):
    """[(path, description)] of ``lib`` for ``row``, or why it has none."""
    why = rivals.unavailable(lib)
    if why:
        return why
    adapter = rivals.adapter(lib)
    if row not in adapter.PATHS:
        return adapter.MISSING[row]
    return adapter.PATHS[row]


def self_check(libs: list, rows: list, timeout: float) -> int:
    """Correctness only: the checks each worker does before timing, on every path."""
    failures = 0
    for lib in libs:
        for row in rows:
            paths = paths_of(lib, row)
            if isinstance(paths, str):
                print(f"{lib} {row}: - ({paths})")
                continue
            for path, _ in paths:
                e = run_subprocess(lib, row, path, 0.01, 1, timeout)
                ok = e["status"] == "OK"
                failures += not ok
                print(f"{lib} {row} [{path}]: {'ok' if ok else e['status'] + ' ' + e.get('stderr_tail', '')}", flush=True)
    return 1 if failures else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short run: 3 batches of ~0.2 s, 1 process per first/second row")
    parser.add_argument("--repeat", type=int, default=None, help="timed batches per measurement (default 5, --quick 3)")
    parser.add_argument("--seconds", type=float, default=None, help="approximate seconds per batch (default 1, --quick 0.2)")
    parser.add_argument("--processes", type=int, default=None, help="processes per first/second-context row (default 3, --quick 1)")
    parser.add_argument("--timeout", type=float, default=180, help="seconds before a measurement is killed (default 180)")
    parser.add_argument("--libs", default=",".join(LIBS), help="comma-separated libraries (default: all)")
    parser.add_argument("--rows", default=",".join(ROWS), help="comma-separated rows (default: all)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument("--self-check", action="store_true", help="only run every path's correctness checks")
    parser.add_argument("--one", nargs=3, metavar=("LIB", "ROW", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    repeat = args.repeat or (3 if args.quick else 5)
    seconds = args.seconds or (0.2 if args.quick else 1.0)
    processes = args.processes or (1 if args.quick else 3)
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
        return self_check(libs, rows, args.timeout)

    env = environment_info(libs)
    settings = {"repeat": repeat, "seconds": seconds, "processes": processes, "timeout": args.timeout, "quick": args.quick}
    start = time.perf_counter()
    results: dict = {}
    for row in rows:
        results[row] = {}
        for lib in libs:
            paths = paths_of(lib, row)
            if isinstance(paths, str):
                results[row][lib] = paths
                continue
            results[row][lib] = {}
            for path, _ in paths:
                print(f"[compare] {row:<12} {lib:<12} {path:<16}", end=" ", file=sys.stderr, flush=True)
                e = measure_path(lib, row, path, seconds, repeat, processes, args.timeout)
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
