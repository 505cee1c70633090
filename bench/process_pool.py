"""Process-isolated Pool benchmark: what a worker process costs, side by side in one run.

1. Per-call overhead of a trivial call ``t(x)``, one Python thread, median microseconds over
   batches: ``Context.call``, a thread Pool, a process Pool (target: at most 100 us), and the
   process-isolated rivals that are installed: pydeno's ``IsolatedRuntime`` (``eval("t(1)")``, its
   fastest path) and PyExecJS over Node (``ctx.call``, which runs a ``node`` process per call).
2. Time from a worker killed with SIGKILL to the next served call: the call that ran on the
   killed worker raises WorkerCrashedError, and the next call is timed (median of ``--kills``);
   next to the time to create a 1-worker process pool (a cold start).
3. Throughput of a CPU-bound function (``work(n)``, a few ms per call) called from 2 Python
   threads on a 1-worker and a 2-worker process pool: calls per second (best of ``--repeats``)
   and the 2-vs-1 ratio (target at least 1.8x on a machine with 2 free cores).

Usage::

    python bench/process_pool.py
    python bench/process_pool.py --json
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import emit_json, environment, median, print_table  # noqa: E402

import v8ctx  # noqa: E402

TRIVIAL = "function t(x) { return x }"
WORK = "function work(n) { let s = 0; for (let i = 0; i < n; i++) s = (s + i * i) % 1000003; return s }"
OVERHEAD_TARGET_US = 100
THROUGHPUT_TARGET = 1.8


def per_call_us(call, calls: int, batches: int = 7) -> float:
    for _ in range(min(calls, 200)):
        call()
    times = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        times.append((time.perf_counter() - start) / calls * 1e6)
    return median(times)


def overheads(calls: int) -> list[list[str]]:
    rows = []
    with v8ctx.Context() as ctx:
        ctx.compile(TRIVIAL)
        rows.append(["v8ctx Context.call", per_call_us(lambda: ctx.call("t", [1]), calls)])
    with v8ctx.Pool(TRIVIAL, workers=1) as pool:
        rows.append(["v8ctx Pool thread", per_call_us(lambda: pool.call("t", [1]), calls)])
    with v8ctx.Pool(TRIVIAL, workers=1, isolation="process") as pool:
        rows.append(["v8ctx Pool process", per_call_us(lambda: pool.call("t", [1]), calls)])
    try:
        import pydeno

        runtime = pydeno.IsolatedRuntime(sandbox="auto")
        runtime.eval(TRIVIAL)
        rows.append(["pydeno IsolatedRuntime", per_call_us(lambda: runtime.eval("t(1)"), calls // 4)])
        runtime.close()
    except Exception as err:  # not installed, or cannot start here
        rows.append(["pydeno IsolatedRuntime", f"unavailable: {type(err).__name__}: {err}"[:60]])
    try:
        import execjs

        node = execjs.get("Node").compile(TRIVIAL)
        rows.append(["PyExecJS (Node)", per_call_us(lambda: node.call("t", 1), 5, batches=3)])
    except Exception as err:
        rows.append(["PyExecJS (Node)", f"unavailable: {type(err).__name__}: {err}"[:60]])
    return rows


def kill_to_next_call(kills: int) -> tuple[float, float]:
    """Median ms from a SIGKILL of the worker running a call to the next call's result, and the
    median ms to create a 1-worker process pool."""
    created = []
    for _ in range(3):
        start = time.perf_counter()
        v8ctx.Pool(WORK, workers=1, isolation="process").close()
        created.append((time.perf_counter() - start) * 1e3)
    recoveries = []
    with v8ctx.Pool(WORK + "\nfunction spin() { for (;;) {} }", workers=1, isolation="process") as pool:
        for _ in range(kills):
            pool.call("work", [10])
            pid = pool.stats()["workers"][0]["pid"]
            threading.Timer(0.05, os.kill, (pid, signal.SIGKILL)).start()
            try:
                pool.call("spin")
            except v8ctx.WorkerCrashedError:
                pass
            start = time.perf_counter()
            pool.call("work", [10])
            recoveries.append((time.perf_counter() - start) * 1e3)
            time.sleep(0.3)  # the next spare gets ready, as it would between crashes
    return median(recoveries), median(created)


def throughput(workers: int, n: int, calls_per_thread: int, repeats: int) -> float:
    best = 0.0
    with v8ctx.Pool(WORK, workers=workers, isolation="process") as pool:
        pool.call("work", [n])

        def caller():
            for _ in range(calls_per_thread):
                pool.call("work", [n])

        for _ in range(repeats):
            threads = [threading.Thread(target=caller) for _ in range(2)]
            start = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            best = max(best, 2 * calls_per_thread / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=4000)
    parser.add_argument("--kills", type=int, default=9)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    rows = overheads(args.calls)
    recovery_ms, cold_ms = kill_to_next_call(args.kills)
    one = throughput(1, 400_000, 60, args.repeats)
    two = throughput(2, 400_000, 60, args.repeats)
    if args.json:
        emit_json(
            {
                "environment": environment(),
                "per_call_us": {name: value for name, value in rows},
                "kill_to_next_call_ms": recovery_ms,
                "cold_start_ms": cold_ms,
                "throughput": {"1": one, "2": two, "ratio": two / one},
            }
        )
        return
    env = environment()
    print(f"{env['platform']}, {env['cpus']} CPUs, Python {env['python']} | load average at start {env['loadavg_at_start']}")
    print_table(
        f"1. per-call overhead, trivial call (target: process Pool <= {OVERHEAD_TARGET_US} us)",
        ["path", "us per call"],
        [[name, f"{value:.1f}" if isinstance(value, float) else value] for name, value in rows],
    )
    print_table(
        "2. a killed worker",
        ["measure", "ms"],
        [
            ["SIGKILL of a running worker to the next served call (median)", f"{recovery_ms:.1f}"],
            ["creating a 1-worker process pool (cold start, median of 3)", f"{cold_ms:.1f}"],
        ],
    )
    print_table(
        f"3. CPU-bound throughput from 2 threads (target: 2 workers >= {THROUGHPUT_TARGET}x 1)",
        ["workers", "calls/s"],
        [["1", f"{one:.1f}"], ["2", f"{two:.1f}"], ["ratio", f"{two / one:.2f}x"]],
    )


if __name__ == "__main__":
    main()
