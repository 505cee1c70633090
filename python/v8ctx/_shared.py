"""Shared pools: one per process for each specification, what a pickled Pool unpickles into."""

from __future__ import annotations

import pickle
import threading

from ._v8ctx import Pool, _v8_runs_here

_pools: dict[bytes, Pool] = {}
_lock = threading.Lock()


def shared_pool(code="", **options):
    """This process's Pool for ``code`` and ``options`` (as for ``Pool``): created on first use,
    returned again for the same specification afterwards, replaced if it was closed, and closed
    at exit like every Pool.

    In a process forked from one that had started V8 (where V8 cannot run), a thread pool's
    specification gets ``isolation="process"``: its workers are fresh processes, so the same
    code runs with the same semantics.
    """
    try:
        key = pickle.dumps((code, sorted(_canonical(options).items())))
    except Exception as err:
        raise TypeError(f"shared_pool's code and options identify the pool, so they must pickle: {err}") from err
    with _lock:
        pool = _pools.get(key)
        if pool is None or pool.closed:
            pool = _pools[key] = Pool(code, **_runnable_here(options))
        return pool


def _canonical(options):
    """Options as a Pool keeps them for pickling (``timeout=2`` is ``2.0``), and without those
    that are None: equal specifications get one pool however they were written."""
    canonical = {name: value for name, value in options.items() if value is not None}
    if "timeout" in canonical:
        canonical["timeout"] = float(canonical["timeout"])
    if canonical.get("isolation") == "thread":
        del canonical["isolation"]
    if canonical.get("browser") is False:
        del canonical["browser"]
    return canonical


def _runnable_here(options):
    if options.get("isolation", "thread") == "thread" and not _v8_runs_here():
        return {**options, "isolation": "process"}
    return options


def _pool_from_spec(code, options):
    """What a pickled Pool unpickles into."""
    return shared_pool(code, **options)
