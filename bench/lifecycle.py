"""Context lifecycle and call overhead benchmark.

1. ``--cycles`` create/compile/call/close cycles on one thread::

       with v8ctx.Context() as c:
           c.compile(SMALL_LIB)
           c.call("f", [1])

   reports the median time per cycle (over batches) and RSS growth after a warm-up of 200 cycles
   (target: < 50 MB).

2. ``--calls`` calls of a trivial function on one Context: calls per second (median over batches)
   and RSS growth after a warm-up (target: < 20 MB).

3. ``--lent-calls`` calls of ``f(s) { return s.length }`` from each of ``--lent-threads`` threads
   (one Context each), every call with a fresh 1 MB ASCII str, which v8ctx lends to V8 without a
   copy: peak RSS growth, for a live set of one str per thread (target: < 200 MB). Lent strings
   are external memory V8 must be told about, or dead ones pile up until it happens to collect.

Usage::

    python bench/lifecycle.py                     # full run: 10,000 cycles, 1,000,000 calls
    python bench/lifecycle.py --cycles 500 --calls 50000
    python bench/lifecycle.py --json

RSS is read from /proc/self/statm (Linux only).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import emit_json, environment, mb, median, print_table, rss_bytes  # noqa: E402

import v8ctx  # noqa: E402

SMALL_LIB = r"""
var VERSION = "1.0";
var table = [];
for (var i = 0; i < 64; i++) table.push(i * i);
function helper(x) { return table[x & 63] + x; }
function f(x) { return { value: helper(x) * 2, label: "n" + x, ok: true }; }
"""

TRIVIAL = "function t(x) { return x; }"

CYCLE_WARMUP = 200
CALL_WARMUP = 10_000
CYCLE_TARGET_MB = 50
CALL_TARGET_MB = 20
LENT_TARGET_MB = 200
LENT_STR_LEN = 1 << 20


def one_cycle() -> None:
    with v8ctx.Context() as c:
        c.compile(SMALL_LIB)
        c.call("f", [1])


def bench_cycles(cycles: int, batch: int) -> dict:
    with v8ctx.Context() as c:  # sanity check of the workload itself
        c.compile(SMALL_LIB)
        assert c.call("f", [1]) == {"value": 4, "label": "n1", "ok": True}

    for _ in range(CYCLE_WARMUP):
        one_cycle()
    gc.collect()
    rss_before = rss_bytes()
    rss_peak = rss_before

    per_cycle = []
    done = 0
    start = time.perf_counter()
    while done < cycles:
        n = min(batch, cycles - done)
        t0 = time.perf_counter()
        for _ in range(n):
            one_cycle()
        per_cycle.append((time.perf_counter() - t0) / n)
        done += n
        rss_peak = max(rss_peak, rss_bytes())
    total = time.perf_counter() - start
    gc.collect()
    rss_after = rss_bytes()
    growth = rss_after - rss_before
    return {
        "cycles": cycles,
        "batch": batch,
        "batches": len(per_cycle),
        "median_ms_per_cycle": median(per_cycle) * 1e3,
        "min_ms_per_cycle": min(per_cycle) * 1e3,
        "max_ms_per_cycle": max(per_cycle) * 1e3,
        "total_s": total,
        "rss_before_mb": mb(rss_before),
        "rss_after_mb": mb(rss_after),
        "rss_peak_mb": mb(rss_peak),
        "rss_growth_mb": mb(growth),
        "rss_target_mb": CYCLE_TARGET_MB,
        "rss_ok": mb(growth) < CYCLE_TARGET_MB,
    }


def bench_calls(calls: int, batch: int) -> dict:
    with v8ctx.Context() as c:
        c.compile(TRIVIAL)
        call = c.call
        args = [1]
        assert call("t", args) == 1
        for _ in range(CALL_WARMUP):
            call("t", args)
        gc.collect()
        rss_before = rss_bytes()
        rss_peak = rss_before

        rates = []
        done = 0
        start = time.perf_counter()
        while done < calls:
            n = min(batch, calls - done)
            t0 = time.perf_counter()
            for _ in range(n):
                call("t", args)
            rates.append(n / (time.perf_counter() - t0))
            done += n
            rss_peak = max(rss_peak, rss_bytes())
        total = time.perf_counter() - start
        gc.collect()
        rss_after = rss_bytes()
    growth = rss_after - rss_before
    return {
        "calls": calls,
        "batch": batch,
        "batches": len(rates),
        "median_calls_per_s": median(rates),
        "median_us_per_call": 1e6 / median(rates),
        "overall_calls_per_s": calls / total,
        "total_s": total,
        "rss_before_mb": mb(rss_before),
        "rss_after_mb": mb(rss_after),
        "rss_peak_mb": mb(rss_peak),
        "rss_growth_mb": mb(growth),
        "rss_target_mb": CALL_TARGET_MB,
        "rss_ok": mb(growth) < CALL_TARGET_MB,
    }


def bench_lent_strings(threads: int, calls: int) -> dict:
    import threading

    gc.collect()
    rss_before = rss_bytes()
    peak = [rss_before]
    errors = []

    def worker(seed: int) -> None:
        try:
            with v8ctx.Context() as c:
                c.compile("function f(s) { return s.length }")
                for i in range(calls):
                    s = (chr(97 + (seed + i) % 26) * LENT_STR_LEN)
                    assert c.call("f", [s]) == LENT_STR_LEN
                    if i % 100 == 0:
                        peak[0] = max(peak[0], rss_bytes())
        except BaseException as e:  # reported after the join
            errors.append(e)

    start = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    total = time.perf_counter() - start
    if errors:
        raise errors[0]
    growth = peak[0] - rss_before
    return {
        "threads": threads,
        "calls_per_thread": calls,
        "str_mb": mb(LENT_STR_LEN),
        "total_s": total,
        "rss_before_mb": mb(rss_before),
        "rss_peak_mb": mb(peak[0]),
        "rss_peak_growth_mb": mb(growth),
        "rss_target_mb": LENT_TARGET_MB,
        "rss_ok": mb(growth) < LENT_TARGET_MB,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=10_000, help="create/compile/call/close cycles (default 10000)")
    parser.add_argument("--calls", type=int, default=1_000_000, help="calls on one Context (default 1000000)")
    parser.add_argument("--cycle-batch", type=int, default=100, help="cycles per timed batch (default 100)")
    parser.add_argument("--call-batch", type=int, default=10_000, help="calls per timed batch (default 10000)")
    parser.add_argument("--lent-calls", type=int, default=3_000, help="calls per thread with a fresh 1 MB str (default 3000)")
    parser.add_argument("--lent-threads", type=int, default=3, help="threads for --lent-calls, one Context each (default 3)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = parser.parse_args(argv)

    results = {"environment": environment()}
    if args.cycles > 0:
        results["cycles"] = bench_cycles(args.cycles, max(1, args.cycle_batch))
    if args.calls > 0:
        results["calls"] = bench_calls(args.calls, max(1, args.call_batch))
    if args.lent_calls > 0:
        results["lent_strings"] = bench_lent_strings(max(1, args.lent_threads), args.lent_calls)

    if args.json:
        emit_json(results)
        return 0

    env = results["environment"]
    print(f"v8ctx {env['v8ctx']}  Python {env['python']}  {env['cpus']} CPUs  load {env['loadavg_at_start']}\n")
    if "cycles" in results:
        r = results["cycles"]
        print_table(
            f"Context lifecycle: {r['cycles']} cycles (create, compile SMALL_LIB, call, close), batches of {r['batch']}",
            ["metric", "value"],
            [
                ["median ms / cycle", f"{r['median_ms_per_cycle']:.3f}"],
                ["min / max batch ms / cycle", f"{r['min_ms_per_cycle']:.3f} / {r['max_ms_per_cycle']:.3f}"],
                ["total s", f"{r['total_s']:.1f}"],
                ["RSS before / after / peak MB", f"{r['rss_before_mb']:.1f} / {r['rss_after_mb']:.1f} / {r['rss_peak_mb']:.1f}"],
                [f"RSS growth MB (target < {r['rss_target_mb']})", f"{r['rss_growth_mb']:+.1f}  {'OK' if r['rss_ok'] else 'OVER TARGET'}"],
            ],
        )
    if "calls" in results:
        r = results["calls"]
        print_table(
            f"Calls on one Context: {r['calls']} calls of t(x) {{ return x }}, batches of {r['batch']}",
            ["metric", "value"],
            [
                ["median calls / s", f"{r['median_calls_per_s']:,.0f}"],
                ["median us / call", f"{r['median_us_per_call']:.3f}"],
                ["overall calls / s", f"{r['overall_calls_per_s']:,.0f}"],
                ["total s", f"{r['total_s']:.1f}"],
                ["RSS before / after / peak MB", f"{r['rss_before_mb']:.1f} / {r['rss_after_mb']:.1f} / {r['rss_peak_mb']:.1f}"],
                [f"RSS growth MB (target < {r['rss_target_mb']})", f"{r['rss_growth_mb']:+.1f}  {'OK' if r['rss_ok'] else 'OVER TARGET'}"],
            ],
        )
    if "lent_strings" in results:
        r = results["lent_strings"]
        print_table(
            f"Lent strings: {r['threads']} threads x {r['calls_per_thread']} calls of f(s) {{ return s.length }}, a fresh {r['str_mb']:.0f} MB str each",
            ["metric", "value"],
            [
                ["total s", f"{r['total_s']:.1f}"],
                ["RSS before / peak MB", f"{r['rss_before_mb']:.1f} / {r['rss_peak_mb']:.1f}"],
                [f"RSS peak growth MB (target < {r['rss_target_mb']})", f"{r['rss_peak_growth_mb']:+.1f}  {'OK' if r['rss_ok'] else 'OVER TARGET'}"],
            ],
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
