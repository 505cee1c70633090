"""The command line: ``python -m v8ctx`` (or ``v8ctx``).

    v8ctx -e CODE          evaluate CODE, print its value (Python repr, or JSON with --json)
    v8ctx FILE             run a script; a .mjs file (or --module) is imported as an ES module
    v8ctx                  a REPL: state kept between lines, multi-line input, history

``--timeout`` applies to each evaluation (and each REPL line), ``--max-heap-mb`` and ``--seed``
are the Context's. Console output is printed: log, info and debug to stdout, warn and error to
stderr. A JavaScript error prints its stack to stderr and exits with status 1 (the REPL prints
it and goes on).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from typing import Any

from . import Context, JSError, JSMemoryError, JSSyntaxError

HISTORY = os.path.join(os.path.expanduser("~"), ".v8ctx_history")

# Syntax errors that mean "the input stops early": the REPL reads another line instead.
_INCOMPLETE = ("Unexpected end of input", "Unterminated template literal", "missing ) after argument list")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="v8ctx", description="Run JavaScript in V8.")
    parser.add_argument("file", nargs="?", help="a script to run (a .mjs file is an ES module)")
    parser.add_argument("-e", "--eval", dest="code", metavar="CODE", help="evaluate CODE and print its value")
    parser.add_argument("--json", action="store_true", help="print the value as JSON")
    parser.add_argument("--module", action="store_true", help="import FILE as an ES module")
    parser.add_argument("--timeout", type=float, metavar="SECONDS", help="time limit of each evaluation")
    parser.add_argument("--max-heap-mb", type=int, metavar="MB", help="the V8 heap limit")
    parser.add_argument("--seed", type=int, metavar="N", help="seed Math.random and crypto")
    return parser


def _console(level: str, message: str) -> None:
    stream = sys.stderr if level in ("warn", "error") else sys.stdout
    print(message, file=stream, flush=True)


def _json_default(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()  # a Date
    if isinstance(value, (bytes, set)):
        return list(value)  # an ArrayBuffer or typed array, a Set
    raise TypeError(f"{type(value).__name__} has no JSON form")


def _as_json_would(value):
    """``value`` with NaN and the infinities as None, as ``JSON.stringify`` writes them: JSON has
    no such numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _as_json_would(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_json_would(item) for item in value]
    return value


def _show(value, as_json: bool) -> str:
    """The text printed for a result; TypeError for a value with no JSON form."""
    if as_json:
        return json.dumps(_as_json_would(value), default=_json_default, ensure_ascii=False, allow_nan=False)
    return repr(value)


def _report(err: BaseException) -> None:
    text = err.stack if isinstance(err, JSError) and err.stack else f"{type(err).__name__}: {err}"
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.code is not None and args.file is not None:
        parser.error("give -e CODE or a FILE, not both")
    modules = os.path.dirname(os.path.abspath(args.file)) if args.file else None

    def make_context() -> Context:
        return Context(
            timeout=args.timeout,
            max_heap_mb=args.max_heap_mb,
            random_seed=args.seed,
            console=_console,
            modules=modules,
        )

    try:
        ctx = make_context()
    except (ValueError, TypeError) as err:
        parser.error(str(err))
    if args.code is not None:
        with ctx:
            return _run(lambda: print(_show(ctx.evaluate(args.code), args.json), flush=True))
    if args.file is not None:
        with ctx:
            return _run(lambda: _run_file(ctx, args.file, args.module))
    return _repl(ctx, make_context, args.json)


def _run(action) -> int:
    try:
        action()
    except JSError as err:
        _report(err)
        return 1
    except KeyboardInterrupt:
        print("KeyboardInterrupt", file=sys.stderr)
        return 130
    except (OSError, UnicodeDecodeError) as err:
        print(f"v8ctx: {err}", file=sys.stderr)
        return 2
    except (TypeError, ValueError) as err:  # a result that cannot be converted or shown
        print(f"v8ctx: {err}", file=sys.stderr)
        return 1
    return 0


def _run_file(ctx: Context, path: str, as_module: bool) -> None:
    if as_module or path.endswith(".mjs"):
        ctx.import_module("./" + os.path.basename(path))
        return
    with open(path, encoding="utf-8") as source:
        code = source.read()
    if code.startswith("#!"):
        code = "//" + code  # a shebang line, as Node allows
    ctx.eval(code, filename=path)


def _repl(ctx: Context, make_context, as_json: bool) -> int:
    readline: Any
    try:
        import readline
    except ImportError:  # not on every platform: the REPL works without line editing
        readline = None
    if readline is not None:
        try:
            readline.read_history_file(HISTORY)
        except OSError:
            pass
    interactive = sys.stdin.isatty()
    if interactive:
        print("v8ctx REPL: JavaScript in V8. Ctrl-D exits; Ctrl-C stops a running line.")
    pending: list[str] = []
    try:
        while True:
            try:
                line = input(("... " if pending else "> ") if interactive else "")
            except EOFError:
                if interactive:
                    print()
                return 0
            except KeyboardInterrupt:
                print("\n(cleared)" if pending else "")
                pending = []
                continue
            pending.append(line)
            source = "\n".join(pending)
            if not source.strip():
                pending = []
                continue
            try:
                value = ctx.evaluate(source)
            except JSSyntaxError as err:
                if any(reason in err.message for reason in _INCOMPLETE):
                    continue
                _report(err)
            except JSMemoryError as err:
                _report(err)
                print("(the heap was used up: the REPL goes on in a fresh Context)", file=sys.stderr)
                ctx.close()
                ctx = make_context()
            except JSError as err:
                _report(err)
            except KeyboardInterrupt:
                print("KeyboardInterrupt", file=sys.stderr, flush=True)
            except (TypeError, ValueError) as err:  # a result that cannot be converted
                print(f"v8ctx: {err}", file=sys.stderr, flush=True)
            else:
                if value is not None:
                    try:
                        print(_show(value, as_json), flush=True)
                    except TypeError as err:
                        print(f"v8ctx: {err}", file=sys.stderr, flush=True)
            pending = []
    finally:
        ctx.close()
        if readline is not None:
            try:
                readline.set_history_length(1000)
                readline.write_history_file(HISTORY)
            except OSError:
                pass


def run() -> None:
    """The ``v8ctx`` console script."""
    sys.exit(main())
