"""Type stubs for the compiled core. This file is the API contract: keep it in step with src/."""

from collections.abc import Awaitable
from types import TracebackType
from os import PathLike
from typing import Any, Callable, Literal, Mapping, NoReturn, Optional, TypedDict, Union, final

__version__: str
__all__ = [
    "__version__",
    "JSError",
    "JSSyntaxError",
    "JSTimeoutError",
    "JSMemoryError",
    "PromiseNeverSettlesError",
    "ContextClosedError",
    "WrongThreadError",
    "PoolClosedError",
    "WorkerCrashedError",
    "SnapshotError",
    "Context",
    "Script",
    "JSFunction",
    "Pool",
    "Snapshot",
    "set_code_cache_dir",
    "code_cache_info",
    "_close_pools",
    "_serve_process_worker",
    "_serve_snapshot_maker",
    "_v8_runs_here",
]

ConsoleCallback = Callable[[str, str], object]
"""``console(level, message)``: level is "log", "info", "warn", "error" or "debug"."""

Modules = Union[str, "PathLike[str]", Mapping[str, str]]
"""A module root: a directory, or a mapping of module paths (``"lib/util.js"``) to source text."""

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
    """The source failed to parse (or JavaScript threw a SyntaxError); the stack names the location."""

class JSTimeoutError(JSError, TimeoutError):
    """The call ran past its ``timeout`` and was terminated; the Context stays usable."""

class JSMemoryError(JSError, MemoryError):
    """The script used up its heap and was terminated; a Context is then closed, a Pool worker replaced."""

class PromiseNeverSettlesError(JSError):
    """The awaited Promise can never settle: no timer, no pending operation is left that could
    resolve or reject it. Raised at once, not after the timeout; not a ``TimeoutError``."""

class ContextClosedError(RuntimeError):
    """The Context was closed (by ``close()``, or after running out of memory), or its owner thread exited."""

class WrongThreadError(RuntimeError):
    """A Context was used from a thread other than the one that created it."""

class PoolClosedError(RuntimeError):
    """The Pool was closed; calls made afterwards (or cancelled by ``close(cancel=True)``) raise this."""

class WorkerCrashedError(RuntimeError):
    """A process Pool's worker died while it ran the call (a signal, a V8 fatal error, an exit).

    The message names the worker's pid, how it ended (``killed by SIGSEGV``, ``exited with status
    1``) and the last lines it wrote to stderr. The pool replaces the worker and serves on. A call
    the dead worker never took (it died before reading all of it) runs on a fresh worker instead,
    and raises this only if that worker dies before taking it too."""

class SnapshotError(ValueError):
    """A snapshot cannot be made or used: bytes that are no snapshot, damaged ones (their
    checksum does not match), ones made by another build of v8ctx or V8, or the end of the process
    that was making one (the message names the signal and its last lines on stderr)."""

def set_code_cache_dir(path: Union[str, "PathLike[str]", None], *, max_bytes: Optional[int] = None) -> None:
    """Keep V8's code caches in the directory ``path`` as well as in memory, so that later
    processes start with what this one compiled; ``None`` stops using a directory.

    Every Context already shares, within its process, what V8 compiled for a script of 1 KB or
    more that it compiled before (or of 1 MB or more at once). With a directory set, each such
    cache is also written to ``path``, and a process compiling a source looks there before V8
    parses it: typescript's 10.8 MB compiler is ready in a new process in about half the
    time. A source of 32 KB or more is written after its first compilation (a process compiling
    many distinct one-off sources of that size is better left without a directory). Process Pool
    workers use the same directory; other child processes find it through
    ``$V8CTX_CODE_CACHE_DIR``.

    A file is used only if this very build of v8ctx wrote it for exactly the source being
    compiled and its checksum holds; any other is deleted and the source compiled anew. A file
    forged with a good checksum would run as code, so the directory must belong to this user and
    be writable by no one else: it is created so if missing, and an existing one that is not is
    refused (``PermissionError``). When the directory is set and after each write, the least
    recently used files are deleted until it holds at most ``max_bytes`` (default 256 MiB).

    Importing v8ctx calls this with ``$V8CTX_CODE_CACHE_DIR`` (and ``$V8CTX_CODE_CACHE_MAX_BYTES``)
    when set, warning instead of raising if it cannot be used.

    Raises ``OSError`` (its subclass for the cause) naming ``path`` when the directory cannot be
    created or written to, ``TypeError`` for a path that is no str or os.PathLike, and
    ``ValueError`` for a ``max_bytes`` that is no positive int.

    Example::

        >>> import tempfile, v8ctx
        >>> with tempfile.TemporaryDirectory() as directory:
        ...     v8ctx.set_code_cache_dir(directory)
        ...     v8ctx.code_cache_info()["directory"] is not None
        ...     v8ctx.set_code_cache_dir(None)
        True
    """

class CodeCacheInfo(TypedDict):
    """What ``code_cache_info()`` returns; the counts are since the process started."""

    directory: Optional[str]
    """The directory in use (``set_code_cache_dir``), or None."""
    max_bytes: Optional[int]
    """What the directory may hold, or None without one."""
    memory_entries: int
    """Code caches kept in memory, which every Context of the process shares."""
    memory_bytes: int
    """Their bytes, with their sources' (at most 64 MiB)."""
    disk_hits: int
    """Compilations that took their code cache from the directory."""
    disk_writes: int
    """Code caches written to the directory."""
    disk_discarded: int
    """Files deleted from the directory because they were unusable: another build's, another
    source's, damaged, or refused by V8."""

def code_cache_info() -> CodeCacheInfo:
    """What the process-wide code cache holds and did since the process started (see
    ``CodeCacheInfo``).

    Example::

        >>> import v8ctx
        >>> sorted(v8ctx.code_cache_info())[:3]
        ['directory', 'disk_discarded', 'disk_hits']
    """

def _close_pools() -> None:
    """Close every open Pool, cancelling their calls (registered with ``atexit``)."""

def _v8_runs_here() -> bool:
    """False in a child forked after V8 started in its parent, where V8 cannot run."""

def _serve_process_worker() -> None:
    """The main loop of a process Pool's worker (``python -m v8ctx._worker``); not for users."""

def _serve_snapshot_maker() -> None:
    """What the process ``Snapshot.create`` starts runs (``python -m v8ctx._snapshot``); not for users."""

Source = Union[str, tuple[str, str]]
"""One source for ``Snapshot.create``: its text, or a ``(filename, text)`` pair."""

@final
class Snapshot:
    """A V8 heap after the code given to ``create`` ran: globals, closures, state and loaded
    modules, to start Contexts and Pools from without running that code again.

    ``Snapshot.create`` runs the code in a separate process (V8 aborts its process, uncatchably,
    on what it cannot serialize), as ``Context.compile`` would, then runs the event loop until
    nothing is left in it (timers fire, Promises settle) and returns the heap. Each Context made
    from it starts from that state, independently of the others. The random seed, the browser
    globals and the module root are the snapshot's: a Context from it keeps them (passing a
    different ``random_seed`` or browser option is a ValueError; ``modules`` given to the
    Context replaces the root for what it loads later).

    Not in a snapshot: Python callables (``globals=`` and ``expose`` work on the Context made
    from it), WebAssembly (it does not exist while a snapshot is made; a Context made from one
    has it), and a TextDecoder in the middle of a stream (the maker process dies: SnapshotError).
    V8 adds its newest features (``Promise.try``, ``Float16Array``, ``Uint8Array.prototype.toHex``
    and their kind) to every Context but not while a snapshot is made: what the code defines
    under those names is defined again over them in each Context from the snapshot, and an
    object they belong to that the code froze or sealed, or such a property it made
    non-configurable, is a SnapshotError. Errors made while creating carry no stack frames;
    ``Error.stackTraceLimit`` set there holds in the Contexts.

    The bytes carry a tag, this build's identity and a checksum, checked before V8 reads them.
    They are trusted as code is: load only snapshots you made.

    Example::

        >>> import v8ctx
        >>> snap = v8ctx.Snapshot.create("var n = 41; function next() { return ++n }")
        >>> with v8ctx.Context(snapshot=snap) as ctx:
        ...     ctx.call("next")
        42
    """

    @staticmethod
    def create(
        code: Union[str, list[Source], tuple[Source, ...]],
        *,
        filename: Optional[str] = None,
        random_seed: Optional[int] = None,
        modules: Optional[Modules] = None,
        browser: bool = False,
        user_agent: Optional[str] = None,
        url: Optional[str] = None,
        max_heap_mb: Optional[int] = None,
        timeout: Optional[float] = None,
        console: Optional[ConsoleCallback] = None,
        snapshot: Optional[Snapshot] = None,
    ) -> Snapshot:
        """Run ``code`` (a source, or a list of sources and ``(filename, source)`` pairs, run in
        order; ``filename`` names a single source) and snapshot the heap. ``timeout`` bounds the
        whole run, ``max_heap_mb`` the heap as for a Context; ``console`` receives its console
        output; ``snapshot`` is a snapshot to start from instead of a fresh heap (its seed and
        browser options carry over). A JavaScript error raises JSError (JSSyntaxError,
        JSTimeoutError, JSMemoryError) as ``compile`` would; the end of the maker process, or a
        heap no Context could start from, raises SnapshotError."""

    @staticmethod
    def from_bytes(data: bytes) -> Snapshot:
        """The snapshot ``to_bytes`` returned; SnapshotError if ``data`` is not one this build can use."""

    def to_bytes(self) -> bytes:
        """The snapshot as bytes."""

    def save(self, path: Union[str, "PathLike[str]"]) -> None:
        """Write the snapshot to ``path``, through a temporary file beside it, so a reader never
        sees half of one."""

    @staticmethod
    def load(path: Union[str, "PathLike[str]"]) -> Snapshot:
        """The snapshot ``save`` wrote; OSError if the file cannot be read, SnapshotError if it
        is not a snapshot this build can use."""

    @property
    def random_seed(self) -> Optional[int]:
        """The ``random_seed`` the code ran with, which every Context from the snapshot keeps."""
    @property
    def browser(self) -> bool:
        """Whether the snapshot has the browser globals (``browser=True`` at ``create``)."""
    @property
    def user_agent(self) -> Optional[str]:
        """``navigator.userAgent``, if the snapshot has the browser globals."""
    @property
    def url(self) -> Optional[str]:
        """``location.href``, if the snapshot has the browser globals."""
    @property
    def nbytes(self) -> int:
        """The size of ``to_bytes()``."""
    def __reduce__(self) -> tuple[Callable[[bytes], Snapshot], tuple[bytes]]:
        """Pickles as its bytes."""

@final
class JSFunction:
    """A JavaScript function that reached Python (in a result, as an argument of an exposed
    callable, or from ``Context.get``).

    Called on its Context's owner thread only (WrongThreadError elsewhere), with the Context's
    limits; a returned Promise is awaited. Passed back into the same Context it is the very same
    function (another Context refuses it with ValueError). It keeps its Context's isolate alive
    while it lives, even after the Context object is gone; ``Context.close()`` ends it
    (ContextClosedError). Dropped on any thread, it is freed at the owner's next operation. A Pool
    worker's functions cannot leave it: a Pool result holding one raises TypeError.
    """

    def __reduce__(self) -> NoReturn:
        """Raises TypeError: it lives in one thread's isolate; pickle a Pool instead."""

    @property
    def name(self) -> str:
        """The function's ``name`` (``""`` for an anonymous one)."""
    def __call__(self, *args: Any, timeout: Optional[float] = None) -> Any: ...

@final
class Script:
    """Code loaded with ``Context.load``; reaches the script's private declarations, then the globals.

    Used from the Context's owner thread only, like the Context itself.
    """

    def __reduce__(self) -> NoReturn:
        """Raises TypeError: it lives in one thread's isolate; pickle a Pool instead."""

    @property
    def context(self) -> Context:
        """The Context this script was loaded into."""

    def call(
        self,
        name: str,
        args: Optional[Union[list[Any], tuple[Any, ...]]] = None,
        *,
        auto_await: bool = True,
        timeout: Optional[float] = None,
    ) -> Any:
        """Call the function ``name`` (dotted names reach into objects) from the script's scope."""

    def evaluate(self, expression: str, *, auto_await: bool = True, timeout: Optional[float] = None) -> Any:
        """Evaluate ``expression`` in the script's scope and return its value (a Promise is awaited)."""

@final
class Context:
    """A JavaScript global scope in its own V8 isolate, owned by the thread that creates it.

    ``timeout`` (seconds, positive, at most 1e9) is the default for every call; ``max_heap_mb`` caps the V8 heap (at least
    16); ``console`` receives ``console.*`` output (default: the ``v8ctx.console`` logger);
    ``random_seed`` makes ``Math.random`` and ``crypto`` reproducible.

    ``modules`` is where ``import`` and ``require()`` find files: a directory (resolved as Node
    does, ``node_modules`` and ``package.json`` included; nothing outside it is read, symlinks
    out of it are refused) or a mapping of module paths to source. Without it only the built-in
    modules load. ``browser=True`` defines ``window``, ``navigator`` (``user_agent``) and
    ``location`` (``url``, default ``about:blank``); there is no ``document``. ``self`` is the
    global object in every Context.

    Raises ValueError for an invalid timeout, heap limit, module root or url, TypeError for a
    console that is not callable or a bad ``modules`` value, RuntimeError in a process forked
    after V8 started.

    Example::

        >>> import v8ctx
        >>> with v8ctx.Context() as ctx:
        ...     ctx.compile("function add(a, b) { return a + b }")
        ...     ctx.call("add", [1, 2])
        3
    """

    def __reduce__(self) -> NoReturn:
        """Raises TypeError: it lives in one thread's isolate; pickle a Pool instead."""

    def __new__(
        cls,
        *,
        timeout: Optional[float] = None,
        max_heap_mb: Optional[int] = None,
        console: Optional[ConsoleCallback] = None,
        random_seed: Optional[int] = None,
        globals: Optional[dict[str, Any]] = None,
        modules: Optional[Modules] = None,
        browser: bool = False,
        user_agent: Optional[str] = None,
        url: Optional[str] = None,
        snapshot: Optional[Snapshot] = None,
    ) -> Context:
        """``globals`` maps dotted names to values, each exposed as ``expose(name, value)`` does.
        ``snapshot`` starts the Context from a Snapshot's heap instead of a fresh one."""

    def import_module(self, specifier: str, *, timeout: Optional[float] = None) -> dict[str, Any]:
        """Import the ES module ``specifier`` (resolved from the module root; ``"node:path"`` and
        the other built-ins always work) and return its namespace as a dict, functions as
        JSFunctions. Top-level ``await`` is awaited under ``timeout``. A module that cannot be
        found or read raises JSError naming it; a syntax error raises JSSyntaxError with the
        module's URL and line. There is no ``filename=``: stack traces name each module by its
        URL, the resolved path under the module root, which is already its name."""

    def require(self, name: str, *, timeout: Optional[float] = None) -> Any:
        """``require(name)`` as a CommonJS module at the module root would call it: a built-in
        module or a file of the module root. Returns its ``module.exports``, converted."""

    def expose(self, name: str, value: Any) -> None:
        """Make ``value`` reachable from JavaScript at the dotted global ``name`` (``"host.now"``;
        missing objects on the way are created, a non-object in the way is a ValueError).

        A callable becomes a JavaScript function that runs it on this thread with the GIL taken,
        converting its arguments and result by the value rules. Its exceptions become JavaScript
        Errors named after their class (``e.name == "ValueError"``), which JavaScript may catch; one
        it does not catch reaches the caller as the very same Python exception, with the JavaScript
        stack added as a note (Python 3.11+). A BaseException that is no Exception (KeyboardInterrupt,
        SystemExit, GeneratorExit, ...) is never turned into JavaScript: it stops the script and
        reaches the caller, from an ``async def`` function too. The callable may call back into this
        Context (a nested operation runs under the outer one's timeout; it may not wait for a
        Promise when a timer or Promise callback called it) or use another Context. Time spent in
        it counts against the timeout: JavaScript is stopped as soon as it returns. An ``async def``
        function gives JavaScript a Promise when the Context is driven from asyncio
        (``call_async``/``evaluate_async``); from a synchronous call it throws a TypeError there.

        Any other value (a JSFunction of this Context included) is converted once, now.

        A top-level ``let``/``const``/``class`` object on the way is reached into, as scripts see
        it. What JavaScript will not take is an error, never silently skipped: a read-only property
        or a frozen, sealed or non-extensible object (ValueError), a top-level ``let``/``const``/
        ``class`` of the name itself, which would hide the global property from scripts
        (ValueError), a setter or Proxy trap that throws (its JSError).
        """

    def call_async(
        self, name: str, args: Optional[Union[list[Any], tuple[Any, ...]]] = None, *, timeout: Optional[float] = None
    ) -> Awaitable[Any]:
        """``call`` for asyncio, on the event loop's thread (which must own this Context).

        The call starts when awaited. While its Promise waits on JavaScript timers or on async
        Python functions JavaScript called (``expose`` an ``async def``: JavaScript gets a Promise
        of its result, and its coroutine runs as a task of this loop), other tasks run. ``timeout``
        covers the whole wait. Cancelling the awaiting task ends the operation: its timers and the
        coroutines it started are cancelled, and the Context stays usable.
        """

    def evaluate_async(self, code: str, *, timeout: Optional[float] = None) -> Awaitable[Any]:
        """``evaluate`` for asyncio; see ``call_async``."""

    def get(self, name: str, *, timeout: Optional[float] = None) -> Any:
        """The value at the dotted global ``name`` (a top-level ``const`` included); a function comes
        back as a JSFunction. Raises JSError (ReferenceError) if it is not defined."""

    def compile(self, code: str, *, filename: Optional[str] = None, timeout: Optional[float] = None) -> None:
        """Run ``code`` as a classic script in the global scope; its functions and ``var``s become globals.

        ``filename`` (here and for ``evaluate``, ``eval`` and ``load``) names the source in stack
        traces, ``JSError.stack`` and syntax errors (``at f (app/sign.js:2:21)``); without it the
        name is ``<v8ctx>``.

        Source identical to a script already compiled in this Context is skipped, so loading a library
        twice is harmless. Raises JSSyntaxError if it does not parse, JSError if it throws.

        Compiled code is shared by the whole process: from the second time a source of 1 KB or more
        is compiled (here, by ``evaluate``/``eval``, or as a Pool's ``code``), V8's code cache of it
        lets every later Context, on any thread, skip parsing and compiling it again.
        """

    def call(
        self,
        name: str,
        args: Optional[Union[list[Any], tuple[Any, ...]]] = None,
        *,
        auto_await: bool = True,
        timeout: Optional[float] = None,
    ) -> Any:
        """Call the global function ``name`` (dotted names reach into objects: ``"CryptoJS.MD5"``).

        ``args`` is a list or tuple of positional arguments. A returned Promise is awaited unless
        ``auto_await`` is False (then a Promise comes back as None). Raises JSError if the name is
        missing (ReferenceError) or not a function (TypeError), or if the function throws or its
        Promise rejects; ValueError if ``name`` is not an identifier path; TypeError if an argument
        cannot be converted (the message names it: ``args[1]['key']``); ValueError if the result
        cannot be (a cycle, nesting beyond 1000 levels, an Array longer than 2**27, which can only be
        almost all holes).
        """

    def evaluate(
        self, code: str, *, auto_await: bool = True, filename: Optional[str] = None, timeout: Optional[float] = None
    ) -> Any:
        """Run ``code`` as a script and return its completion value (a Promise is awaited)."""

    def eval(
        self,
        code: str,
        return_value: bool = False,
        auto_await: bool = True,
        *,
        filename: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> Any:
        """never_jscore's ``eval``: run ``code``; return its completion value only if ``return_value``."""

    def load(self, code: str, *, filename: Optional[str] = None, timeout: Optional[float] = None) -> Script:
        """Run ``code`` with its top-level declarations private to the returned Script.

        The Context's globals stay visible inside it. Loading the same or changed source any number
        of times never conflicts ("Identifier has already been declared" cannot happen). The
        script's objects are freed once the Script object is gone (at the Context's next operation).

        Example::

            >>> ctx = v8ctx.Context()
            >>> old = ctx.load("const K = 1; function k() { return K }")
            >>> new = ctx.load("const K = 2; function k() { return K }")
            >>> old.call("k"), new.call("k")
            (1, 2)
        """

    def gc(self) -> None:
        """Ask V8 to collect garbage now (a low-memory notification: a full, compacting collection)."""

    def heap_stats(self) -> dict[str, int]:
        """V8's heap statistics for this isolate, in bytes (``used_heap_size``, ``total_heap_size``, ...),
        ``array_buffer_bytes`` (the live ArrayBuffer backing stores) and ``lent_string_bytes`` (the
        strs of 64 KB or more lent to JavaScript without a copy), which ``max_heap_mb`` bounds
        together with the heap."""

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

@final
class Pool:
    """V8 workers, each with its own isolate and ``code`` loaded once; safe from any thread.

    ``isolation="thread"`` (the default) runs the workers as threads of this process;
    ``isolation="process"`` runs each in a child process (``sys.executable -m v8ctx._worker``,
    never a fork), with the same methods and semantics. A process worker that passes its
    ``timeout`` is killed if it has not stopped 0.5 s later (JSTimeoutError), one whose RSS
    passes ``max_rss_mb`` is killed (JSMemoryError), one that dies fails its call with
    WorkerCrashedError; a warm spare process takes its place. Arguments, results and ``globals``
    values cross by pickle and are converted inside the worker exactly as in a Context; exposed
    callables and ``console`` run in this process. ``max_rss_mb`` needs process isolation.

    ``workers`` defaults to the CPU count. No runtime serves more than ``recycle_after`` calls:
    it starts its replacement a quarter before that, so the fresh thread is warm when the old one
    retires. A worker whose heap passed ``max_heap_mb`` (the V8 limit is twice that) is replaced
    the same way, serving until its replacement is ready. ``timeout``, ``random_seed`` and ``console`` are as
    for Context; ``timeout`` also bounds running ``code`` in each new worker, which may otherwise
    never end. Raises the JavaScript error if ``code`` fails to load (JSTimeoutError if it runs
    past ``timeout``).

    Example::

        >>> with v8ctx.Pool("function add(a, b) { return a + b }", workers=2) as pool:
        ...     pool.call("add", [1, 2])
        3
    """

    def __new__(
        cls,
        code: str = "",
        *,
        isolation: Literal["thread", "process"] = "thread",
        workers: Optional[int] = None,
        recycle_after: Optional[int] = None,
        max_heap_mb: Optional[int] = None,
        max_rss_mb: Optional[int] = None,
        timeout: Optional[float] = None,
        random_seed: Optional[int] = None,
        console: Optional[ConsoleCallback] = None,
        globals: Optional[dict[str, Any]] = None,
        modules: Optional[Modules] = None,
        browser: bool = False,
        user_agent: Optional[str] = None,
        url: Optional[str] = None,
        snapshot: Optional[Snapshot] = None,
    ) -> Pool:
        """``modules``, ``browser``, ``user_agent`` and ``url`` are as for Context, in every
        worker. ``globals`` is exposed in every worker's runtime before ``code`` runs, as
        ``Context.expose`` does: a callable runs on the worker's thread (with the GIL taken for
        it; with process isolation, on the thread of this process that drives the worker), any
        other value is converted once per worker. ``snapshot`` starts every worker from a
        Snapshot's heap (then ``code`` runs on top of it)."""

    def call(self, name: str, args: Optional[Union[list[Any], tuple[Any, ...]]] = None, *, timeout: Optional[float] = None) -> Any:
        """Call the global function ``name`` on a free worker; blocks without the GIL. Promises are awaited."""

    def evaluate(self, code: str, *, timeout: Optional[float] = None) -> Any:
        """Evaluate ``code`` on a free worker and return its completion value."""

    def call_async(
        self, name: str, args: Optional[Union[list[Any], tuple[Any, ...]]] = None, *, timeout: Optional[float] = None
    ) -> Awaitable[Any]:
        """``call`` for asyncio: a future of the running event loop; the loop is never blocked."""

    def evaluate_async(self, code: str, *, timeout: Optional[float] = None) -> Awaitable[Any]:
        """``evaluate`` for asyncio."""

    def restart(self) -> None:
        """Replace every worker by a fresh one (each warmed up first); returns when all are replaced.

        Raises RuntimeError, saying why, if a fresh worker could not start (its runtime or the
        pool's code failed); the old worker then serves on."""

    def __reduce__(self) -> tuple[Callable[..., Pool], tuple[str, dict[str, Any]]]:
        """A Pool pickles as its code and the options given; it unpickles into the receiving
        process's ``v8ctx.shared_pool`` for them (created there on first use). Its ``globals``
        and ``console`` must pickle for that."""

    def stats(self) -> dict[str, Any]:
        """``{"calls": n, "queued": n, "workers": [{"calls", "restarts", "heap_used"}, ...]}``;
        with process isolation each worker also has its ``"pid"``."""

    def close(self, *, cancel: bool = False) -> None:
        """Finish the queued calls, join the worker threads, free the runtimes. Idempotent.

        With ``cancel``, queued calls fail with PoolClosedError and running ones are terminated.
        """

    @property
    def closed(self) -> bool:
        """True once ``close`` was called."""

    def __enter__(self) -> Pool: ...
    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None: ...
