"""Run JavaScript in V8 from Python: fast, thread-aware, and never crashing the process.

Example::

    >>> import v8ctx
    >>> with v8ctx.Context() as ctx:
    ...     ctx.compile("function add(a, b) { return a + b }")
    ...     ctx.call("add", [1, 2])
    3
"""

import atexit
import os
import warnings

from ._v8ctx import (
    Context,
    ContextClosedError,
    JSError,
    JSFunction,
    JSMemoryError,
    JSSyntaxError,
    JSTimeoutError,
    Pool,
    PoolClosedError,
    PromiseNeverSettlesError,
    Script,
    Snapshot,
    SnapshotError,
    WorkerCrashedError,
    WrongThreadError,
    __version__,
    code_cache_info,
    set_code_cache_dir,
)
from ._v8ctx import _close_pools
from ._shared import shared_pool

# Pools still open at exit are closed before the interpreter finalizes, so exit never waits on a
# worker that needs the GIL.
atexit.register(_close_pools)


def _code_cache_dir_from_environment() -> None:
    directory = os.environ.get("V8CTX_CODE_CACHE_DIR")
    if not directory:
        return
    max_bytes = os.environ.get("V8CTX_CODE_CACHE_MAX_BYTES", "")
    try:
        if max_bytes and not max_bytes.isdigit():
            raise ValueError(f"V8CTX_CODE_CACHE_MAX_BYTES={max_bytes!r} is no positive int")
        set_code_cache_dir(directory, max_bytes=int(max_bytes) if max_bytes else None)
    except (OSError, ValueError) as err:
        warnings.warn(f"V8CTX_CODE_CACHE_DIR is not used: {err}", RuntimeWarning, stacklevel=2)


_code_cache_dir_from_environment()

__all__ = [
    "Context",
    "ContextClosedError",
    "JSError",
    "JSFunction",
    "JSMemoryError",
    "JSSyntaxError",
    "JSTimeoutError",
    "Pool",
    "PoolClosedError",
    "PromiseNeverSettlesError",
    "Script",
    "Snapshot",
    "SnapshotError",
    "WorkerCrashedError",
    "WrongThreadError",
    "__version__",
    "code_cache_info",
    "set_code_cache_dir",
    "shared_pool",
]
