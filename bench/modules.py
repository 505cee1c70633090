"""Loading real packages: a first, second and third Context in one process.

Rows, each path in fresh interpreters (``--one PACKAGE PATH``), the median of ``--processes``:

  require   ``ctx.require(name)``: CommonJS through the module root (a copy of Debian's package
            under ``node_modules``)
  import    ``ctx.import_module(name)``: the package's ES module build, where it has one
  compile   ``ctx.compile(source)`` of the package's browser bundle or main file, the classic-script
            path (the shared code cache applies)

Packages come from Debian (``apt-get install node-typescript node-lodash node-marked``).

Usage::

    python bench/modules.py                 # about a minute
    python bench/modules.py --json
    python bench/modules.py --packages typescript --processes 5
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import environment, median, print_table  # noqa: E402

DEBIAN = "/usr/share/nodejs"

# package -> (paths measured, the file `compile` runs, an expression that uses the package)
PACKAGES = {
    "typescript": (["require", "compile"], "lib/typescript.js", "ts.transpileModule('let x: number = 1', {}).outputText.length"),
    "lodash": (["require", "compile"], "lodash.js", "_.chunk([1, 2, 3], 2).length"),
    "marked": (["import", "require"], None, None),
}
CONTEXTS = 3


def package_root(name: str) -> str:
    root = tempfile.mkdtemp(prefix="v8ctx-bench-")
    shutil.copytree(os.path.join(DEBIAN, name), os.path.join(root, "node_modules", name), symlinks=False)
    return root


def one(name: str, path: str) -> list[float]:
    """Milliseconds to load `name` by `path` into each of CONTEXTS fresh Contexts, in order."""
    import v8ctx

    root = package_root(name)
    _, main, check = PACKAGES[name]
    times = []
    for _ in range(CONTEXTS):
        ctx = v8ctx.Context(modules=root)
        start = time.perf_counter()
        if path == "require":
            ctx.evaluate(f"globalThis.lib = require({name!r}); 0")
        elif path == "import":
            ctx.evaluate(f"import({name!r}).then(m => {{ globalThis.lib = m; return 0 }})")
        else:
            with open(os.path.join(root, "node_modules", name, main)) as f:
                ctx.compile(f.read())
        times.append((time.perf_counter() - start) * 1000)
        if check and path == "require":
            ctx.evaluate(f"var ts = lib, _ = lib; {check}")
        ctx.close()
    shutil.rmtree(root)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--packages", default=",".join(PACKAGES))
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", nargs=2, metavar=("PACKAGE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(*args.one)))
        return
    results = {}
    for name in args.packages.split(","):
        for path in PACKAGES[name][0]:
            runs = [
                json.loads(subprocess.run([sys.executable, __file__, "--one", name, path], check=True, capture_output=True, text=True).stdout)
                for _ in range(args.processes)
            ]
            results[f"{name} {path}"] = [median(run[i] for run in runs) for i in range(CONTEXTS)]
    if args.json:
        print(json.dumps({"environment": environment(), "results": results}, indent=2))
        return
    print_table(
        f"Loading a package into a 1st, 2nd and 3rd Context of one process (ms, median of {args.processes} processes)",
        ["package path", "1st", "2nd", "3rd"],
        [[row, *(f"{t:.1f}" for t in times)] for row, times in results.items()],
    )


if __name__ == "__main__":
    main()
