"""One module per library bench/compare.py measures, each with the same shape:

  PATHS                row -> [(path, description)]: every reasonable way the library has to do
                       the row's work (compare.py uses the fastest); the first is its most natural
  MISSING              row -> why the library has no path for that row
  make(row, path)      (operation, close or None): the operation returns what
                       ``workloads.expected(row)`` says (the md5 operation takes its input, by
                       default the timed one); close releases what make created

An adapter imports its library at the top, so this package imports one only when asked.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import shutil

# name in the table -> (adapter module, import name, distribution, program it needs on PATH)
LIBRARIES = {
    "v8ctx": ("v8ctx_lib", "v8ctx", "v8ctx", None),
    "mini-racer": ("mini_racer", "py_mini_racer", "mini-racer", None),
    "never-jscore": ("never_jscore_lib", "never_jscore", "never-jscore", None),
    "pydeno": ("pydeno_lib", "pydeno", "pydeno", None),
    "pyexecjs": ("pyexecjs", "execjs", "PyExecJS", "node"),
}
NAMES = list(LIBRARIES)


def unavailable(name: str) -> str | None:
    """Why ``name`` cannot be measured here, or None."""
    _, module, _, program = LIBRARIES[name]
    if importlib.util.find_spec(module) is None:
        return "not installed (pip install -e '.[bench]')"
    if program and shutil.which(program) is None:
        return f"no {program} on PATH"
    return None


def version(name: str) -> str:
    try:
        return importlib.metadata.version(LIBRARIES[name][2])
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def adapter(name: str):
    return importlib.import_module(f"rivals.{LIBRARIES[name][0]}")
