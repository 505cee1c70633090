"""Helpers shared by the benchmark scripts (not a test module): RSS, timing, output."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    """Resident set size of this process, from /proc/self/statm (second field, in pages)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE_SIZE


def mb(n: float) -> float:
    return n / (1024 * 1024)


def median(values):
    return statistics.median(values)


def timed(fn, *args):
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def environment() -> dict:
    import v8ctx

    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "v8ctx": v8ctx.__version__,
        "loadavg_at_start": load,
    }


def print_table(title: str, headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows)]
    line = "  ".join("-" * w for w in widths)
    print(title)
    print("  ".join(str(h).ljust(w) for h, w in zip(headers, widths)))
    print(line)
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))
    print()


def emit_json(payload: dict) -> None:
    json.dump(payload, sys.stdout, indent=2)
    print()
