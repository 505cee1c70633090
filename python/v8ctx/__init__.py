"""Run JavaScript in V8 from Python: fast, thread-aware, and never crashing the process.

Example::

    >>> import v8ctx
    >>> with v8ctx.Context() as ctx:
    ...     ctx.compile("function add(a, b) { return a + b }")
    ...     ctx.call("add", [1, 2])
    3
"""

import atexit

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
)
from ._v8ctx import _close_pools
from ._shared import shared_pool

# Pools still open at exit are closed before the interpreter finalizes, so exit never waits on a
# worker that needs the GIL.
atexit.register(_close_pools)

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
    "shared_pool",
]
