"""Type stubs for the compiled core. This file is the API contract: keep it in step with src/."""

from collections.abc import Sequence
from types import TracebackType
from typing import Any, Callable, Optional

__version__: str

class JSError(Exception):
    """A JavaScript exception, or a JavaScript failure v8ctx reports as one.

    ``str(err)`` is the JavaScript stack (``"TypeError: x is not a function\\n    at f (<v8ctx>:1:20)"``).
    """

    name: str
    """The error's ``name`` (``"TypeError"``); ``"Error"`` when a non-Error value was thrown."""
    message: str
    """The error's ``message``; for a thrown non-Error, its string form (JSON for objects and arrays)."""
    stack: str
    """The JavaScript stack trace, starting with ``"name: message"``."""
    value: Any
    """The thrown value converted to Python when it was not an ``Error`` (``throw 42``), else None."""

class JSSyntaxError(JSError):
    """The source failed to parse; the message and stack carry the location (``<v8ctx>:line:column``)."""

class JSTimeoutError(JSError, TimeoutError):
    """The call ran past its ``timeout`` and was terminated; the Context stays usable."""

class JSMemoryError(JSError, MemoryError):
    """The script approached the Context's ``max_heap_mb`` and was terminated."""

class ContextClosedError(RuntimeError):
    """The Context was closed, or its owner thread exited; create a new Context."""

class WrongThreadError(RuntimeError):
    """A Context was used from a thread other than the one that created it."""

class Script:
    """Code loaded with ``Context.load``; reaches the script's private declarations, then the globals.

    Used from the Context's owner thread only, like the Context itself.
    """

    @property
    def context(self) -> Context:
        """The Context this script was loaded into."""

    def call(self, name: str, args: Sequence[Any] = (), *, auto_await: bool = True) -> Any:
        """Call the function ``name`` (dotted names reach into objects) from the script's scope."""

    def evaluate(self, expression: str, *, auto_await: bool = True) -> Any:
        """Evaluate ``expression`` in the script's scope and return its value (a Promise is awaited)."""

class Context:
    """A JavaScript global scope in its own V8 isolate, owned by the thread that creates it.

    Example::

        >>> import v8ctx
        >>> with v8ctx.Context() as ctx:
        ...     ctx.compile("function add(a, b) { return a + b }")
        ...     ctx.call("add", [1, 2])
        3
    """

    def __init__(self) -> None: ...
    def compile(self, code: str) -> None:
        """Run ``code`` as a classic script in the global scope; its functions and ``var``s become globals.

        Source identical to a script already compiled in this Context is skipped, so loading a library
        twice is harmless. Raises JSSyntaxError if it does not parse, JSError if it throws.
        """

    def call(self, name: str, args: Sequence[Any] = (), *, auto_await: bool = True) -> Any:
        """Call the global function ``name`` (dotted names reach into objects: ``"CryptoJS.MD5"``).

        ``args`` is a list or tuple of positional arguments. A returned Promise is awaited unless
        ``auto_await`` is False. Raises JSError if the name is missing or not a function, or if the
        function throws or its Promise rejects.
        """

    def evaluate(self, code: str, *, auto_await: bool = True) -> Any:
        """Run ``code`` as a script and return its completion value (a Promise is awaited)."""

    def eval(self, code: str, return_value: bool = False, auto_await: bool = True) -> Any:
        """never_jscore's ``eval``: run ``code``; return its completion value only if ``return_value``."""

    def load(self, code: str) -> Script:
        """Run ``code`` with its top-level declarations private to the returned Script.

        The Context's globals stay visible inside it. Loading the same or changed source any number
        of times never conflicts ("Identifier has already been declared" cannot happen). The
        script's objects are freed once the Script object is gone (at the Context's next operation).

        Example::

            >>> ctx = v8ctx.Context()
            >>> old, new = ctx.load("const K = 1; function k() { return K }"), ctx.load("const K = 2; function k() { return K }")
            >>> old.call("k"), new.call("k")
            (1, 2)
        """

    def gc(self) -> None:
        """Ask V8 to collect garbage now (a low-memory notification: a full, compacting collection)."""

    def heap_stats(self) -> dict[str, int]:
        """V8's heap statistics for this isolate, in bytes (``used_heap_size``, ``total_heap_size``, ...)."""

    def close(self) -> None:
        """Dispose the isolate now. Idempotent; callable from any thread (a foreign thread defers disposal)."""

    @property
    def closed(self) -> bool:
        """True once the Context was closed, or its owner thread exited."""

    def __enter__(self) -> Context: ...
    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None: ...
