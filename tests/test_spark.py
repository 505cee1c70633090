"""v8ctx in PySpark: a Pool captured by a ``mapPartitions`` closure signs 100,000 records.

A local Spark (``local[2]``, no UI) started in a fresh interpreter; each Python worker unpickles
the Pool into its shared pool. Every signature is checked against Python's hmac.
"""

from __future__ import annotations

import os

from _subprocess import run_python

TESTS = os.path.dirname(os.path.abspath(__file__))


def test_spark_map_partitions_signs_100000_records_with_a_captured_pool():
    out = run_python(
        f"""
        import sys
        sys.path.insert(0, {TESTS!r})
        from pyspark.sql import SparkSession
        import v8ctx
        from _pickling_tasks import SIGNER, expected, records

        spark = (SparkSession.builder.master("local[2]").appName("v8ctx-test")
                 .config("spark.ui.enabled", "false").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        data = records(0, 100_000)
        pool = v8ctx.Pool(SIGNER, workers=1)
        signed = (spark.sparkContext.parallelize(data, 8)
                  .mapPartitions(lambda part: pool.call("signAll", [list(part)]))
                  .collect())
        spark.stop()
        assert len(signed) == 100_000
        wrong = [r for s, r in zip(signed, data) if s != expected(r)]
        assert not wrong, wrong[:3]
        pool.close()
        print("OK")
        """,
        timeout=300,
    )
    assert out.strip().endswith("OK")
