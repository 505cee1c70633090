"""Sign 100,000 records with a JavaScript HMAC routine on a Dask cluster, and check them.

The Pool is captured by the task's closure: it pickles as its specification and unpickles, in
each Dask worker process, into that process's shared pool (``v8ctx.shared_pool``), created on the
first task and reused by every later one.

    pip install v8ctx "dask[distributed]"
    python examples/dask_sign.py

PySpark works the same way (a Pool in a ``mapPartitions`` closure becomes each Python worker's
shared pool; tests/test_spark.py runs it):

    rdd = spark.sparkContext.parallelize(records, 8)
    signed = rdd.mapPartitions(lambda part: pool.call("signAll", [list(part)])).collect()
"""

import hashlib
import hmac
import pathlib

import v8ctx

SIGNER = (pathlib.Path(__file__).parent / "hmac_sha256.js").read_text()
KEY = b"v8ctx-example-key"


def expected(record):
    message = f"{record['id']}:{record['amount']}".encode()
    return hmac.new(KEY, message, hashlib.sha256).hexdigest()


def main():
    from dask.distributed import Client, LocalCluster

    records = [{"id": i, "amount": f"{i % 997}.{i % 100:02d}"} for i in range(100_000)]
    batches = [records[i : i + 5_000] for i in range(0, len(records), 5_000)]
    pool = v8ctx.Pool(SIGNER, workers=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            futures = client.map(lambda batch: pool.call("signAll", [batch]), batches)
            signatures = [s for batch in client.gather(futures) for s in batch]
    wrong = sum(s != expected(r) for s, r in zip(signatures, records))
    print(f"{len(signatures)} records signed in JavaScript, {wrong} differ from Python's hmac")
    pool.close()


if __name__ == "__main__":
    main()
