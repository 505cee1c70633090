"""Value conversion benchmark: v8ctx's own conversion against a JSON round trip.

Two payloads, each sent Python -> JavaScript -> Python:

* ``records``: a list of ``--items`` (default 10,000) small dicts
  ``{"id": i, "name": f"user{i}", "score": i * 0.5, "tags": ["a", "b"]}``;
* ``text``: a ``--str-mb`` (default 1) MB str.

Two ways, both through v8ctx on the same Context:

* native: ``ctx.call("id", [value])`` with ``function id(x) { return x }`` (large containers take
  the fast ways described in README "Values": JSON text parsed by V8 on the way in, V8's
  serializer decoded in Rust on the way out);
* json:   ``json.loads(ctx.call("viaJson", [json.dumps(value)]))`` with
  ``function viaJson(s) { return JSON.stringify(JSON.parse(s)) }``.

Reports the median milliseconds per round trip over ``--repeat`` repetitions and the ratio
json / native (above 1: the native conversion is faster). Also shows each direction of the native
conversion alone (Python -> JS into a function returning null; JS -> Python of a prebuilt global).

Usage::

    python bench/values.py
    python bench/values.py --items 1000 --str-mb 0.1 --repeat 5
    python bench/values.py --json
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import emit_json, environment, median, print_table  # noqa: E402

import v8ctx  # noqa: E402

JS = r"""
function id(x) { return x; }
function sink(x) { return null; }
function viaJson(s) { return JSON.stringify(JSON.parse(s)); }
function keep(x) { globalThis.__kept = x; return null; }
function kept() { return globalThis.__kept; }
"""


def make_records(n: int) -> list:
    return [{"id": i, "name": f"user{i}", "score": i * 0.5, "tags": ["a", "b"]} for i in range(n)]


def make_text(megabytes: float) -> str:
    size = int(megabytes * 1024 * 1024)
    chunk = "The quick brown fox jumps over the lazy dog. 0123456789 "
    return (chunk * (size // len(chunk) + 1))[:size]


def measure(fn, repeat: int, warmup: int = 2) -> dict:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return {"median_ms": median(times) * 1e3, "min_ms": min(times) * 1e3, "max_ms": max(times) * 1e3, "repeat": repeat}


def bench_payload(ctx: v8ctx.Context, name: str, value, repeat: int) -> dict:
    native = lambda: ctx.call("id", [value])  # noqa: E731
    via_json = lambda: json.loads(ctx.call("viaJson", [json.dumps(value)]))  # noqa: E731

    # The two approaches must agree with the input (== treats 1 and 1.0 alike, which is what the
    # documented "integral float comes back as int" normalization needs).
    assert native() == value, f"{name}: native round trip changed the value"
    assert via_json() == value, f"{name}: JSON round trip changed the value"

    ctx.call("keep", [value])
    to_js = lambda: ctx.call("sink", [value])  # noqa: E731
    to_py = lambda: ctx.call("kept")  # noqa: E731

    result = {
        "native": measure(native, repeat),
        "json": measure(via_json, repeat),
        "native_to_js_only": measure(to_js, repeat),
        "native_to_python_only": measure(to_py, repeat),
    }
    ctx.call("keep", [None])
    result["ratio_json_over_native"] = result["json"]["median_ms"] / result["native"]["median_ms"]
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000, help="dicts in the records list (default 10000)")
    parser.add_argument("--str-mb", type=float, default=1.0, help="size of the str payload in MB (default 1)")
    parser.add_argument("--repeat", type=int, default=30, help="timed repetitions per measurement (default 30)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = parser.parse_args(argv)

    results = {"environment": environment(), "items": args.items, "str_mb": args.str_mb, "payloads": {}}
    with v8ctx.Context() as ctx:
        ctx.compile(JS)
        payloads = {
            f"records ({args.items} dicts)": make_records(args.items),
            f"text ({args.str_mb:g} MB str)": make_text(args.str_mb),
        }
        for name, value in payloads.items():
            results["payloads"][name] = bench_payload(ctx, name, value, max(1, args.repeat))

    if args.json:
        emit_json(results)
        return 0

    env = results["environment"]
    print(f"v8ctx {env['v8ctx']}  Python {env['python']}  {env['cpus']} CPUs  load {env['loadavg_at_start']}\n")
    rows = []
    for name, r in results["payloads"].items():
        rows.append(
            [
                name,
                f"{r['native']['median_ms']:.3f}",
                f"{r['json']['median_ms']:.3f}",
                f"{r['ratio_json_over_native']:.2f}x",
                f"{r['native_to_js_only']['median_ms']:.3f}",
                f"{r['native_to_python_only']['median_ms']:.3f}",
            ]
        )
    print_table(
        f"Round trip Python -> JS -> Python, median ms over {args.repeat} repetitions",
        ["payload", "native ms", "json ms", "json/native", "native: to JS ms", "native: to Python ms"],
        rows,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
