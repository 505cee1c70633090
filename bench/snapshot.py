"""User snapshots: a Context ready to call into a library, from a snapshot or compiled fresh.

For each library, in one process, side by side:

  ready          ``Context(snapshot=snap)`` returned: the library ran when the snapshot was made
                 (``Snapshot.create(library)``, timed once), so the Context can call it at once
  + call         the same, then the first call, which compiles the functions it runs (V8
                 compiles a function on its first call, and the snapshot's code never called them)
  + call, warmed the same from ``Snapshot.create([library, first_call])``: the call ran once while
                 the snapshot was made, so the functions it needs are compiled in the snapshot
  compile + call ``Context()``, ``compile(library)`` then the first call; the first Context of the
                 process compiles from source, later ones use v8ctx's shared code cache
  plain          ``Context()`` alone, what any Context costs

Medians of ``--runs`` (the compile row's first run is shown apart). Libraries come from Debian
(``apt-get install libjs-cryptojs libjs-jsencrypt node-lodash node-typescript``): crypto-js is the
library of the target (ready to call in at most 2 ms), jsencrypt a browser bundle, typescript a 10.8 MB
compiler.

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

CRYPTO_JS = "/usr/share/javascript/cryptojs/components"
# crypto-js's own bundle order (its npm crypto-js.js); libjs-cryptojs ships the components apart.
CRYPTO_JS_COMPONENTS = "core x64-core lib-typedarrays enc-utf16 enc-base64 md5 sha1 sha256 sha224 sha512 sha384 sha3 ripemd160 hmac pbkdf2 evpkdf cipher-core mode-cfb mode-ctr mode-ctr-gladman mode-ofb mode-ecb pad-ansix923 pad-iso10126 pad-iso97971 pad-zeropadding pad-nopadding format-hex aes tripledes rc4 rabbit rabbit-legacy".split()

# name -> (files, Context options, the first call, runs divisor for slow libraries)
LIBRARIES = {
    "crypto-js (190 KB)": (
        [f"{CRYPTO_JS}/{name}.js" for name in CRYPTO_JS_COMPONENTS],
        {},
        "CryptoJS.MD5('message').toString()",
        1,
    ),
    "jsencrypt (60 KB)": (
        ["/usr/share/javascript/jsencrypt/jsencrypt.min.js"],
        {"browser": True},
        "typeof new JSEncrypt().encrypt",
        1,
    ),
    "lodash (540 KB)": (["/usr/share/nodejs/lodash/lodash.js"], {}, "_.chunk([1, 2, 3], 2).length", 1),
    "typescript (10.8 MB)": (
        ["/usr/share/nodejs/typescript/lib/typescript.js"],
        {},
        "ts.transpileModule('let x: number = 1', {}).outputText.length",
        10,
    ),
}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}" if seconds >= 0.01 else f"{seconds * 1000:.2f}"


def measure(sources: list[str], options: dict, first_call: str, runs: int) -> dict:
    start = time.perf_counter()
    snap = v8ctx.Snapshot.create(sources, timeout=300, **options)
    created = time.perf_counter() - start
    warmed_snap = v8ctx.Snapshot.create([*sources, first_call], timeout=300, **options)

    # Each returns the Context once it is ready to call (with the first call made, but for
    # "created"), so that the time measured is the time to a first result; closing it (the
    # isolate's teardown) is not part of what a user waits for.
    def from_snapshot(snapshot, call=True):
        ctx = v8ctx.Context(snapshot=snapshot)
        if call:
            ctx.evaluate(first_call)
        return ctx

    def compiled():
        ctx = v8ctx.Context(**options)
        for source in sources:
            ctx.compile(source)
        ctx.evaluate(first_call)
        return ctx

    def plain():
        ctx = v8ctx.Context(**options)
        ctx.evaluate("0")
        return ctx

    runners = {
        "compile": compiled,
        "snapshot": lambda: from_snapshot(snap),
        "warmed": lambda: from_snapshot(warmed_snap),
        "ready": lambda: from_snapshot(snap, call=False),
        "plain": plain,
    }
    times = {name: [] for name in runners}
    # Interleaved, so that a noisy moment of the machine hits every row alike.
    for _ in range(runs):
        for name, run in runners.items():
            start = time.perf_counter()
            ctx = run()
            times[name].append(time.perf_counter() - start)
            ctx.close()
    return {
        "create_s": created,
        "snapshot_bytes": snap.nbytes,
        "snapshot_ms": median(times["snapshot"]) * 1000,
        "warmed_ms": median(times["warmed"]) * 1000,
        "ready_ms": median(times["ready"]) * 1000,
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
    for name, (paths, options, first_call, divisor) in LIBRARIES.items():
        missing = [path for path in paths if not os.path.exists(path)]
        if missing:
            print(f"skipping {name}: {missing[0]} is not installed", file=sys.stderr)
            continue
        sources = []
        for path in paths:
            with open(path, encoding="utf-8") as f:
                sources.append(f.read())
        results[name] = measure(sources, options, first_call, max(3, args.runs // divisor))
    if args.json:
        emit_json({"environment": environment(), "results": results})
        return
    env = environment()
    print(f"v8ctx {env['v8ctx']}  Python {env['python']}  {env['cpus']} CPUs  load {env['loadavg_at_start']}\n")
    rows = [
        [
            name,
            ms(r["ready_ms"] / 1000),
            ms(r["snapshot_ms"] / 1000),
            ms(r["warmed_ms"] / 1000),
            ms(r["compile_first_ms"] / 1000),
            ms(r["compile_ms"] / 1000),
            f"{r['compile_ms'] / r['warmed_ms']:.1f}x",
            ms(r["plain_ms"] / 1000),
            f"{r['create_s']:.2f} s, {r['snapshot_bytes'] / 1e6:.1f} MB",
        ]
        for name, r in results.items()
    ]
    print_table(
        "A Context from a snapshot, against compiling the library into one (ms, medians)",
        ["library", "ready", "+ call", "+ call, warmed", "compile + call, 1st", "later", "speedup", "plain Context", "Snapshot.create"],
        rows,
    )
    target = results.get(next(iter(LIBRARIES)))
    if target is not None:
        verdict = "PASS" if target["ready_ms"] <= 2.0 else "FAIL"
        print(
            f"target: a Context from a crypto-js snapshot ready to call in at most 2 ms: {target['ready_ms']:.2f} ms {verdict}"
            f" (its first call done: {target['snapshot_ms']:.2f} ms, {target['warmed_ms']:.2f} ms from a warmed snapshot)"
        )


if __name__ == "__main__":
    main()
