"""What live Contexts holding one large library cost: RSS growth and load time for each of
``--contexts`` Contexts that compile typescript's 10.8 MB compiler and stay open.

V8 keeps each script's source as long as the script lives. v8ctx lends every Context, the first
included, the one copy of the source text the process keeps with its code cache
(``src/code_cache/source_text.rs``) instead of copying 21.6 MB of UTF-16 into each heap.

Usage::

    python bench/shared_source.py                 # 6 Contexts
    python bench/shared_source.py --contexts 10 --json
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import v8ctx  # noqa: E402
import workloads as w  # noqa: E402
from _common import emit_json, environment, mb, print_table, rss_bytes  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contexts", type=int, default=6)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    source = w.read(w.LIBRARY_FILE)
    gc.collect()
    base = rss_bytes()
    contexts, rows, results = [], [], []
    for n in range(1, args.contexts + 1):
        t = time.perf_counter()
        ctx = v8ctx.Context()
        ctx.compile(source)
        assert ctx.evaluate(w.LIBRARY_USE) == w.LIBRARY_RESULT
        seconds = time.perf_counter() - t
        ctx.gc()
        contexts.append(ctx)
        grown = rss_bytes() - base
        results.append({"context": n, "load_s": seconds, "rss_growth_bytes": grown})
        rows.append([str(n), f"{seconds * 1e3:.0f} ms", f"{mb(grown):.0f} MB"])
    for ctx in contexts:
        ctx.close()
    if args.json:
        emit_json({"environment": environment(), "results": results})
    else:
        print_table(f"{args.contexts} live Contexts holding typescript", ["context", "load + first use", "RSS growth"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
