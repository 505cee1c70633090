"""The Dask job of examples/dask_sign.py, measured: 100,000 records signed by a JavaScript
HMAC-SHA256 routine (examples/hmac_sha256.js) through a Pool captured by the tasks' closure.

1. Throughput with a LocalCluster of 1 and of 2 worker processes (one thread each): records per
   second (best of ``--repeats``) and the 2-vs-1 ratio (target at least 1.8x on two cores).
2. Per-task overhead: ``--tasks`` tasks of one record each through the 1-worker cluster, against
   the same calls on a pool in this process; microseconds per task.

Usage::

    python bench/dask_sign.py
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import environment, print_table  # noqa: E402

import v8ctx  # noqa: E402

SIGNER = (pathlib.Path(__file__).parent.parent / "examples" / "hmac_sha256.js").read_text()
THROUGHPUT_TARGET = 1.8


def records(count):
    return [{"id": i, "amount": f"{i % 997}.{i % 100:02d}"} for i in range(count)]


def cluster_run(client, pool, batches) -> float:
    start = time.perf_counter()
    client.gather(client.map(lambda batch: pool.call("signAll", [batch]), batches, pure=False))
    return time.perf_counter() - start


def main() -> None:
    from dask.distributed import Client, LocalCluster

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=2_500)
    parser.add_argument("--tasks", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    data = records(args.records)
    batches = [data[i : i + args.batch] for i in range(0, len(data), args.batch)]
    pool = v8ctx.Pool(SIGNER, workers=1)
    rates = {}
    per_task_us = None
    for workers in (1, 2):
        with LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
        ) as cluster, Client(cluster) as client:
            cluster_run(client, pool, batches[: workers * 2])  # every worker has its shared pool
            best = min(cluster_run(client, pool, batches) for _ in range(args.repeats))
            rates[workers] = args.records / best
            if workers == 1:
                tiny = [[r] for r in data[: args.tasks]]
                per_task_us = cluster_run(client, pool, tiny) / args.tasks * 1e6
    start = time.perf_counter()
    for record in data[: args.tasks]:
        pool.call("signAll", [[record]])
    in_process_us = (time.perf_counter() - start) / args.tasks * 1e6
    pool.close()

    env = environment()
    print(f"{env['platform']}, {env['cpus']} CPUs, Python {env['python']} | load average at start {env['loadavg_at_start']}")
    print_table(
        f"1. {args.records:,} records in batches of {args.batch:,} (target: 2 workers >= {THROUGHPUT_TARGET}x 1)",
        ["Dask worker processes", "records/s"],
        [["1", f"{rates[1]:,.0f}"], ["2", f"{rates[2]:,.0f}"], ["ratio", f"{rates[2] / rates[1]:.2f}x"]],
    )
    print_table(
        "2. one-record tasks",
        ["path", "us per task"],
        [["Dask task (1 worker process)", f"{per_task_us:.0f}"], ["Pool.call in this process", f"{in_process_us:.0f}"]],
    )


if __name__ == "__main__":
    main()
