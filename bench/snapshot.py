"""User snapshots: a Context ready to call into a library, from a snapshot or compiled fresh.

For each library, in one process, side by side:

  snapshot  ``Context(snapshot=snap)`` then the first call: the library ran when the snapshot
            was made (``Snapshot.create``, timed once, in its own process)
  compile   ``Context()``, ``compile(library)`` then the first call; the first Context of the
            process compiles from source, later ones use v8ctx's shared code cache
  plain     ``Context()`` alone, what any Context costs

Medians of ``--runs`` (the compile row's first run is shown apart). Libraries come from Debian
(``apt-get install libjs-jsencrypt node-lodash node-typescript``): jsencrypt is a browser bundle
of the size of crypto-js (the target: ready in at most 2 ms), typescript a 10.8 MB compiler.

Usage::

    python bench/snapshot.py              # about a minute
    python bench/snapshot.py --runs 50 --json
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import emit_json, environment, median, print_table  # noqa: E402

import v8ctx  # noqa: E402

# name -> (file, Context options, the first call, runs divisor for slow libraries)
LIBRARIES = {
    "jsencrypt (60 KB)": (
        "/usr/share/javascript/jsencrypt/jsencrypt.min.js",
        {"browser": True},
        "typeof new JSEncrypt().encrypt",
        1,
    ),
    "lodash (540 KB)": ("/usr/share/nodejs/lodash/lodash.js", {}, "_.chunk([1, 2, 3], 2).length", 1),
    "typescript (10.8 MB)": (
        "/usr/share/nodejs/typescript/lib/typescript.js",
        {},
        "ts.transpileModule('let x: number = 1', {}).outputText.length",
        10,
    ),
}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}" if seconds >= 0.01 else f"{seconds * 1000:.2f}"


def measure(source: str, options: dict, first_call: str, runs: int) -> dict:
    start = time.perf_counter()
    snap = v8ctx.Snapshot.create(source, timeout=300, **options)
    created = time.perf_counter() - start

    # Each returns the Context once it is ready to call, so that the time measured is the time to
    # a first result; closing it (the isolate's teardown) is not part of what a user waits for.
    def from_snapshot():
        ctx = v8ctx.Context(snapshot=snap)
        ctx.evaluate(first_call)
        return ctx

    def compiled():
        ctx = v8ctx.Context(**options)
        ctx.compile(source)
        ctx.evaluate(first_call)
        return ctx

    def plain():
        ctx = v8ctx.Context(**options)
        ctx.evaluate("0")
        return ctx

    times = {"snapshot": [], "compile": [], "plain": []}
    # Interleaved, so that a noisy moment of the machine hits every row alike.
    for _ in range(runs):
        for name, run in (("compile", compiled), ("snapshot", from_snapshot), ("plain", plain)):
            start = time.perf_counter()
            ctx = run()
            times[name].append(time.perf_counter() - start)
            ctx.close()
    return {
        "create_s": created,
        "snapshot_bytes": snap.nbytes,
        "snapshot_ms": median(times["snapshot"]) * 1000,
        "compile_first_ms": times["compile"][0] * 1000,
        "compile_ms": median(times["compile"][1:]) * 1000,
        "plain_ms": median(times["plain"]) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    v8ctx.Context().close()  # the process's first isolate is not the one measured
    results = {}
    for name, (path, options, first_call, divisor) in LIBRARIES.items():
        if not os.path.exists(path):
            print(f"skipping {name}: {path} is not installed", file=sys.stderr)
            continue
        with open(path, encoding="utf-8") as f:
            source = f.read()
        results[name] = measure(source, options, first_call, max(3, args.runs // divisor))
    if args.json:
        emit_json({"environment": environment(), "results": results})
        return
    env = environment()
    print(f"v8ctx {env['v8ctx']}  Python {env['python']}  {env['cpus']} CPUs  load {env['loadavg_at_start']}\n")
    rows = [
        [
            name,
            ms(r["snapshot_ms"] / 1000),
            ms(r["compile_first_ms"] / 1000),
            ms(r["compile_ms"] / 1000),
            f"{r['compile_ms'] / r['snapshot_ms']:.1f}x",
            ms(r["plain_ms"] / 1000),
            f"{r['create_s']:.2f} s, {r['snapshot_bytes'] / 1e6:.1f} MB",
        ]
        for name, r in results.items()
    ]
    print_table(
        "Ready to call (ms, medians): a Context from a snapshot, against compiling the library",
        ["library", "snapshot", "compile, 1st", "compile, later", "speedup", "plain Context", "Snapshot.create"],
        rows,
    )


if __name__ == "__main__":
    main()
