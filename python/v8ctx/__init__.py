"""Run JavaScript in V8 from Python: fast, thread-aware, and never crashing the process.

Example::

    >>> import v8ctx
    >>> with v8ctx.Context() as ctx:
    ...     ctx.compile("function add(a, b) { return a + b }")
    ...     ctx.call("add", [1, 2])
    3
"""

from ._v8ctx import (
    Context,
    ContextClosedError,
    JSError,
    JSMemoryError,
    JSSyntaxError,
    JSTimeoutError,
    Script,
    WrongThreadError,
    __version__,
)

__all__ = [
    "Context",
    "ContextClosedError",
    "JSError",
    "JSMemoryError",
    "JSSyntaxError",
    "JSTimeoutError",
    "Script",
    "WrongThreadError",
    "__version__",
]
