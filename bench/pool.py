"""v8ctx.Pool benchmark.

1. Throughput on a CPU-bound function (``work(n)``, a few ms per call) called from 2 Python threads,
   with a 1-worker and a 2-worker pool: calls per second (best of ``--repeats``) and the 2-vs-1
   ratio (target >= 1.8x on a machine with 2 free cores).

2. Per-call overhead on a trivial function ``t(x) { return x }`` from one Python thread:
   ``Pool.call`` (1 and 2 workers) and ``Pool.call_async`` awaited one at a time, against
   ``Context.call`` on a thread-local Context. Median microseconds per call over batches.

3. Time to recycle a worker: wall time of ``restart()`` on a 1-worker pool whose code is ~20 KB
   (median of ``--restarts``), next to the time to create such a pool.

4. RSS growth over ``--calls`` calls (default 1,000,000) on a 2-worker pool from 2 Python threads,
   without recycling and with ``recycle_after=10000``. The function builds a small object and a
   string per call (garbage, nothing retained); ``--retain BYTES`` makes every call also keep a
   string of that size in a global array, like a cache that is never cleared.

Usage::

    python bench/pool.py                  # full run (~1-2 minutes on 2 cores)
    python bench/pool.py --calls 100000   # quicker RSS part
    python bench/pool.py --json

RSS is read from /proc/self/statm (Linux only). Throughput needs free cores: run it on an idle machine
(the load average at start is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import emit_json, environment, mb, median, print_table, rss_bytes  # noqa: E402

import v8ctx  # noqa: E402

WORK = "function work(n) { let s = 0; for (let i = 0; i < n; i++) s = (s + i * i) % 1000003; return s }"
TRIVIAL = "function t(x) { return x }"
GARBAGE = r"""
var kept = [];
function f(x, retain) {
  const o = { value: x * 2, label: "n" + x, tags: ["a", "b", String(x % 7)] };
  if (retain > 0) kept.push(("k" + x).padEnd(retain, "."));
  return o.value + o.tags.length;
}
"""

THROUGHPUT_TARGET = 1.8


def big_code(size: int = 20_000) -> str:
    """~``size`` characters of plausible library code: many small functions and a data table."""
    parts = [WORK, TRIVIAL]
    i = 0
    while sum(len(p) for p in parts) < size:
        parts.append(
            f"function helper{i}(a, b) {{ const t = [a, b, {i}]; return t.reduce((x, y) => x + y, 0) * {i % 13} }}\n"
            f"var table{i} = {{ key: 'k{i}', values: [{i}, {i + 1}, {i + 2}], nested: {{ depth: {i % 5} }} }};\n"
        )
        i += 1
    return "".join(parts)


def run_threads(n_threads: int, target, *args) -> float:
    """Wall time for ``n_threads`` threads each running ``target(*args)``."""
    threads = [threading.Thread(target=target, args=args) for _ in range(n_threads)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


# --------------------------------------------------------------------------------------------------
# 1. throughput


def bench_throughput(iterations: int, calls_per_thread: int, repeats: int) -> dict:
    results = {}
    with v8ctx.Context() as c:
        c.compile(WORK)
        c.call("work", [iterations])
        start = time.perf_counter()
        expected = c.call("work", [iterations])
        single_call_ms = (time.perf_counter() - start) * 1e3
    for workers in (1, 2):
        with v8ctx.Pool(WORK, workers=workers) as pool:
            for _ in range(workers * 2):
                pool.call("work", [1000])  # warm every worker
            errors = []

            def caller():
                for _ in range(calls_per_thread):
                    if pool.call("work", [iterations]) != expected:
                        errors.append("wrong result")

            rates = []
            for _ in range(repeats):
                elapsed = run_threads(2, caller)
                rates.append(2 * calls_per_thread / elapsed)
            if errors:
                raise RuntimeError(f"{len(errors)} wrong results with {workers} workers")
        results[workers] = {"calls_per_s": max(rates), "all_calls_per_s": rates}
    ratio = results[2]["calls_per_s"] / results[1]["calls_per_s"]
    return {
        "iterations": iterations,
        "single_call_ms": single_call_ms,
        "threads": 2,
        "calls_per_thread": calls_per_thread,
        "repeats": repeats,
        "workers_1": results[1],
        "workers_2": results[2],
        "ratio_2_vs_1": ratio,
        "target_ratio": THROUGHPUT_TARGET,
        "ratio_ok": ratio >= THROUGHPUT_TARGET,
    }


# --------------------------------------------------------------------------------------------------
# 2. per-call overhead


def per_call_us(call, batches: int, batch: int) -> list[float]:
    for _ in range(min(batch, 1000)):
        call()
    out = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(batch):
            call()
        out.append((time.perf_counter() - start) / batch * 1e6)
    return out


def bench_overhead(batches: int, batch: int) -> dict:
    rows = {}
    local = threading.local()

    def context_call():
        ctx = getattr(local, "ctx", None)
        if ctx is None:
            ctx = local.ctx = v8ctx.Context()
            ctx.compile(TRIVIAL)
        return ctx.call("t", [1])

    rows["Context.call (thread-local)"] = per_call_us(context_call, batches, batch)
    local.ctx.close()

    for workers in (1, 2):
        with v8ctx.Pool(TRIVIAL, workers=workers) as pool:
            rows[f"Pool.call, {workers} worker{'s' if workers > 1 else ''}"] = per_call_us(
                lambda: pool.call("t", [1]), batches, batch
            )

    with v8ctx.Pool(TRIVIAL, workers=1) as pool:

        async def awaited():
            out = []
            for _ in range(min(batch, 1000)):
                await pool.call_async("t", [1])
            for _ in range(batches):
                start = time.perf_counter()
                for _ in range(batch):
                    await pool.call_async("t", [1])
                out.append((time.perf_counter() - start) / batch * 1e6)
            return out

        rows["Pool.call_async awaited, 1 worker"] = asyncio.run(awaited())

    medians = {name: median(v) for name, v in rows.items()}
    base = medians["Context.call (thread-local)"]
    return {
        "batches": batches,
        "batch": batch,
        "median_us": medians,
        "min_us": {name: min(v) for name, v in rows.items()},
        "pool_1_worker_minus_context_us": medians["Pool.call, 1 worker"] - base,
    }


# --------------------------------------------------------------------------------------------------
# 3. recycle time


def bench_restart(restarts: int) -> dict:
    code = big_code()
    creates = []
    for _ in range(max(3, restarts // 4)):
        start = time.perf_counter()
        pool = v8ctx.Pool(code, workers=1)
        creates.append(time.perf_counter() - start)
        pool.close()
    times = []
    with v8ctx.Pool(code, workers=1) as pool:
        pool.call("helper3", [1, 2])
        for _ in range(restarts):
            start = time.perf_counter()
            pool.restart()
            times.append(time.perf_counter() - start)
            assert pool.call("t", [5]) == 5
        restarts_seen = pool.stats()["workers"][0]["restarts"]
    return {
        "code_chars": len(code),
        "restarts": restarts,
        "restarts_counted": restarts_seen,
        "median_restart_ms": median(times) * 1e3,
        "min_restart_ms": min(times) * 1e3,
        "max_restart_ms": max(times) * 1e3,
        "median_create_ms": median(creates) * 1e3,
    }


# --------------------------------------------------------------------------------------------------
# 4. RSS growth


def rss_run(calls: int, recycle_after: int | None, retain: int) -> dict:
    gc.collect()
    rss_start = rss_bytes()
    pool = v8ctx.Pool(GARBAGE, workers=2, recycle_after=recycle_after)
    try:
        for i in range(1000):  # warm-up
            pool.call("f", [i, 0])
        gc.collect()
        rss_before = rss_bytes()
        peak = [rss_before]
        done = threading.Event()

        def sample():
            while not done.wait(0.05):
                peak[0] = max(peak[0], rss_bytes())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        per_thread = calls // 2
        errors = []

        def caller(offset):
            call = pool.call
            for i in range(offset, offset + per_thread):
                if call("f", [i, retain]) != i * 2 + 3:
                    errors.append(i)

        threads = [threading.Thread(target=caller, args=(k * per_thread,)) for k in range(2)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        done.set()
        sampler.join()
        time.sleep(0.2)  # let a pending replacement finish
        gc.collect()
        rss_after = rss_bytes()
        stats = pool.stats()
        if errors:
            raise RuntimeError(f"{len(errors)} wrong results")
    finally:
        pool.close()
    gc.collect()
    return {
        "calls": 2 * per_thread,
        "recycle_after": recycle_after,
        "retain_bytes_per_call": retain,
        "seconds": elapsed,
        "calls_per_s": 2 * per_thread / elapsed,
        "rss_start_mb": mb(rss_start),
        "rss_before_mb": mb(rss_before),
        "rss_after_mb": mb(rss_after),
        "rss_peak_mb": mb(max(peak[0], rss_after)),
        "rss_growth_mb": mb(rss_after - rss_before),
        "rss_after_close_mb": mb(rss_bytes()),
        "restarts": sum(w["restarts"] for w in stats["workers"]),
        "heap_used_mb": [round(mb(w["heap_used"]), 1) for w in stats["workers"]],
    }


def bench_rss(calls: int, retain: int) -> dict:
    return {
        "no_recycling": rss_run(calls, None, retain),
        "recycle_after_10000": rss_run(calls, 10_000, retain),
    }


# --------------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=200_000, help="loop iterations of work(n) per call (default 200000, a few ms)")
    parser.add_argument("--throughput-calls", type=int, default=150, help="CPU-bound calls per thread (default 150)")
    parser.add_argument("--repeats", type=int, default=3, help="throughput repeats, best kept (default 3)")
    parser.add_argument("--batches", type=int, default=15, help="overhead batches (default 15)")
    parser.add_argument("--batch", type=int, default=2000, help="calls per overhead batch (default 2000)")
    parser.add_argument("--restarts", type=int, default=20, help="restart() calls to time (default 20)")
    parser.add_argument("--calls", type=int, default=1_000_000, help="calls for the RSS part (default 1000000; 0 skips it)")
    parser.add_argument("--retain", type=int, default=0, help="bytes each call keeps alive in the RSS part (default 0)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of tables")
    args = parser.parse_args(argv)

    results = {"environment": environment()}
    results["throughput"] = bench_throughput(args.iterations, args.throughput_calls, max(1, args.repeats))
    results["overhead"] = bench_overhead(max(1, args.batches), max(1, args.batch))
    results["restart"] = bench_restart(max(1, args.restarts))
    if args.calls > 0:
        results["rss"] = bench_rss(args.calls, max(0, args.retain))

    if args.json:
        emit_json(results)
        return 0

    env = results["environment"]
    print(f"v8ctx {env['v8ctx']}  Python {env['python']}  {env['cpus']} CPUs  load {env['loadavg_at_start']}\n")
    r = results["throughput"]
    print_table(
        f"1. Throughput: work({r['iterations']}) (~{r['single_call_ms']:.1f} ms) from 2 threads x {r['calls_per_thread']} calls, best of {r['repeats']}",
        ["workers", "calls / s", "all runs"],
        [
            ["1", f"{r['workers_1']['calls_per_s']:.1f}", ", ".join(f"{x:.1f}" for x in r["workers_1"]["all_calls_per_s"])],
            ["2", f"{r['workers_2']['calls_per_s']:.1f}", ", ".join(f"{x:.1f}" for x in r["workers_2"]["all_calls_per_s"])],
            [f"2 vs 1 (target >= {r['target_ratio']})", f"{r['ratio_2_vs_1']:.2f}x", "OK" if r["ratio_ok"] else "BELOW TARGET"],
        ],
    )
    r = results["overhead"]
    print_table(
        f"2. Per-call overhead: t(x) {{ return x }} from one thread, {r['batches']} batches of {r['batch']}",
        ["how", "median us / call", "min us / call"],
        [[name, f"{us:.2f}", f"{r['min_us'][name]:.2f}"] for name, us in r["median_us"].items()],
    )
    r = results["restart"]
    print_table(
        f"3. Recycling: 1-worker pool with {r['code_chars']:,} chars of code",
        ["metric", "value"],
        [
            [f"restart() median ms ({r['restarts']} restarts)", f"{r['median_restart_ms']:.2f}"],
            ["restart() min / max ms", f"{r['min_restart_ms']:.2f} / {r['max_restart_ms']:.2f}"],
            ["Pool() creation median ms", f"{r['median_create_ms']:.2f}"],
        ],
    )
    if "rss" in results:
        rows = []
        for name, r in results["rss"].items():
            rows.append(
                [
                    name,
                    f"{r['calls']:,}",
                    f"{r['calls_per_s']:,.0f}",
                    f"{r['rss_before_mb']:.1f} / {r['rss_after_mb']:.1f} / {r['rss_peak_mb']:.1f}",
                    f"{r['rss_growth_mb']:+.1f}",
                    str(r["restarts"]),
                    ", ".join(str(h) for h in r["heap_used_mb"]),
                ]
            )
        retain = results["rss"]["no_recycling"]["retain_bytes_per_call"]
        print_table(
            f"4. RSS over calls on a 2-worker pool from 2 threads (retain {retain} bytes per call)",
            ["pool", "calls", "calls / s", "RSS before / after / peak MB", "growth MB", "restarts", "heap used MB"],
            rows,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
