"""v8ctx in a Dask cluster: a Pool captured by a task's closure signs 100,000 records.

A LocalCluster of two worker processes (loopback only); the tasks capture a Pool, which
unpickles in each worker process into that process's shared pool. Every signature is checked
against Python's hmac, and each worker process builds one pool however many tasks it runs.
"""

from __future__ import annotations

import os

from _subprocess import run_python

TESTS = os.path.dirname(os.path.abspath(__file__))


def test_a_local_dask_cluster_signs_100000_records_with_a_captured_pool():
    out = run_python(
        f"""
        import os, sys
        sys.path.insert(0, {TESTS!r})
        from dask.distributed import Client, LocalCluster
        import v8ctx
        from _pickling_tasks import SIGNER, expected, records

        data = records(0, 100_000)
        batches = [data[i : i + 5_000] for i in range(0, len(data), 5_000)]
        pool = v8ctx.Pool(SIGNER, workers=1)

        def sign(batch):
            return os.getpid(), id(v8ctx.shared_pool(SIGNER, workers=1)), pool.call("signAll", [batch])

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None, host="127.0.0.1") as cluster:
            with Client(cluster) as client:
                results = client.gather(client.map(sign, batches))
        signatures = [s for _, _, batch in results for s in batch]
        assert len(signatures) == 100_000
        wrong = [r for s, r in zip(signatures, data) if s != expected(r)]
        assert not wrong, wrong[:3]
        pools = {{}}
        for pid, pool_id, _ in results:
            pools.setdefault(pid, set()).add(pool_id)
        assert os.getpid() not in pools and all(len(ids) == 1 for ids in pools.values()), pools
        pool.close()
        print("OK", len(pools), "worker processes")
        """,
        timeout=300,
    )
    assert "OK" in out
