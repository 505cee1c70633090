"""The workloads bench/compare.py runs in every library: its rows, the JavaScript, the values sent,
and the result each operation must return (checked before any timing)."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import sys

EXPR = "1 + 2 * 3"
RECORDS_N = 10_000
TEXT_BYTES = 1024 * 1024
MD5_INPUT_CHARS = 1024
WORK_N = 400_000  # iterations of the CPU-bound function: a few ms per call

# A compact MD5 (RFC 1321) over the UTF-8 bytes of a JS string. String-heavy on purpose: the input
# goes through encodeURIComponent/unescape into a "binary string", is read back with charCodeAt, and
# the hex digest is built by string concatenation.
MD5_JS = r"""
var MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
var MD5_K = [];
for (var i = 0; i < 64; i++) MD5_K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296) | 0;
function md5hex(input) {
  var s = unescape(encodeURIComponent(input)), n = s.length;
  var nw = (((n + 8) >>> 6) + 1) * 16, x = new Array(nw), i, j;
  for (i = 0; i < nw; i++) x[i] = 0;
  for (i = 0; i < n; i++) x[i >> 2] |= s.charCodeAt(i) << ((i & 3) * 8);
  x[n >> 2] |= 0x80 << ((n & 3) * 8);
  x[nw - 2] = (n * 8) | 0;
  x[nw - 1] = Math.floor(n / 536870912);
  var a0 = 0x67452301, b0 = 0xefcdab89 | 0, c0 = 0x98badcfe | 0, d0 = 0x10325476;
  for (var blk = 0; blk < nw; blk += 16) {
    var a = a0, b = b0, c = c0, d = d0;
    for (j = 0; j < 64; j++) {
      var f, g;
      if (j < 16) { f = (b & c) | (~b & d); g = j; }
      else if (j < 32) { f = (d & b) | (~d & c); g = (5 * j + 1) & 15; }
      else if (j < 48) { f = b ^ c ^ d; g = (3 * j + 5) & 15; }
      else { f = c ^ (b | ~d); g = (7 * j) & 15; }
      var sum = (a + f + MD5_K[j] + x[blk + g]) | 0, r = MD5_S[((j >> 4) << 2) | (j & 3)];
      a = d; d = c; c = b;
      b = (b + ((sum << r) | (sum >>> (32 - r)))) | 0;
    }
    a0 = (a0 + a) | 0; b0 = (b0 + b) | 0; c0 = (c0 + c) | 0; d0 = (d0 + d) | 0;
  }
  var hex = "0123456789abcdef", out = "", words = [a0, b0, c0, d0];
  for (i = 0; i < 4; i++)
    for (j = 0; j < 4; j++) {
      var byte = (words[i] >>> (j * 8)) & 255;
      out += hex.charAt(byte >> 4) + hex.charAt(byte & 15);
    }
  return out;
}
"""

LIB_JS = (
    r"""
function add(a, b) { return a + b; }
function id(x) { return x; }
function viaJson(s) { return JSON.stringify(JSON.parse(s)); }
function viaPython(a, b) { return py_add(a, b); }
async function viaPythonAsync(a, b) { return await py_add(a, b); }
function work(n) {
  var h = 0;
  for (var i = 0; i < n; i++) { h = (h * 31 + i) | 0; h ^= h >>> 13; }
  return h;
}
"""
    + MD5_JS
)

MD5_VECTORS = [
    "",
    "a",
    "abc",
    "message digest",
    "The quick brown fox jumps over the lazy dog",
    "x" * 55,
    "y" * 56,
    "z" * 64,
    "h\u00e9llo w\u00f6rld \u2603 \U0001d11e \u4e2d\u6587",
]


def md5_input() -> str:
    chunk = "v8ctx md5 input 0123456789 abcdefghijklmnopqrstuvwxyz \u00e9\u00e8 ABCDEFGHIJKLMNOPQRSTUVWXYZ / "
    return (chunk * (MD5_INPUT_CHARS // len(chunk) + 1))[:MD5_INPUT_CHARS]


def work_expected(n: int) -> int:
    """Python mirror of the JS ``work(n)`` (int32 arithmetic)."""
    h = 0
    for i in range(n):
        h = ((h * 31 + i + 2**31) & 0xFFFFFFFF) - 2**31
        h ^= (h & 0xFFFFFFFF) >> 13
    return h


def make_records(n: int = RECORDS_N) -> list:
    return [{"id": i, "name": f"user{i}", "score": i * 0.5, "tags": ["a", "b"]} for i in range(n)]


def make_text(size: int = TEXT_BYTES) -> str:
    chunk = "The quick brown fox jumps over the lazy dog. 0123456789 "
    return (chunk * (size // len(chunk) + 1))[:size]


def make_script(target_bytes: int = 20 * 1024) -> tuple[str, int]:
    """A deterministic ~20 KB script: a data table, many small functions and ``main()`` calling each
    once. Returns (source, the value ``main()`` must return)."""
    table, funcs = [], []
    size = 0
    i = 0
    while size < target_bytes:
        v = (i * 37) % 1000
        table.append(f'  {{ key: "entry_{i:04d}", label: "item number {i} of the table", v: {v} }}')
        a, b, m = (i * 7) % 13 + 1, (i * 31) % 101, 97 + i % 50
        funcs.append(
            f"function f{i}(x) {{\n"
            f"  var y = (x * {a} + {b}) % {m};\n"
            f"  return y + TABLE[{i} % TABLE.length].v;\n"
            f"}}"
        )
        size += len(table[-1]) + len(funcs[-1]) + 10
        i += 1
    count = i
    source = (
        "var TABLE = [\n" + ",\n".join(table) + "\n];\n"
        + "\n".join(funcs) + "\n"
        + "var FNS = [" + ", ".join(f"f{k}" for k in range(count)) + "];\n"
        + "function main() {\n  var s = 0;\n  for (var i = 0; i < FNS.length; i++) s += FNS[i](i);\n  return s;\n}\n"
    )
    expected = sum((k * ((k * 7) % 13 + 1) + (k * 31) % 101) % (97 + k % 50) + (k % count * 37) % 1000 for k in range(count))
    return source, expected


# A large library, loaded into a fresh context: Debian's node-typescript (10.8 MB), run as a
# classic script (it defines the global `ts`), then used once.
LIBRARY_FILE = "/usr/share/nodejs/typescript/lib/typescript.js"
# (trimmed: the line ending is CRLF where typescript finds no Node `ts.sys`)
LIBRARY_USE = "ts.transpileModule('let x: number = 1', {}).outputText.trim()"
LIBRARY_RESULT = "var x = 1;"

# The library a user snapshot holds: Debian's node-lodash (540 KB, defines the global `_`).
SNAPSHOT_FILE = "/usr/share/nodejs/lodash/lodash.js"
SNAPSHOT_USE = "_.chunk([1, 2, 3], 2).length"
SNAPSHOT_RESULT = 2

# An ES module graph of two files; the row imports main.js and calls area(6, 7).
MODULES = {
    "main.js": "import { mul } from './math.js';\nexport function area(w, h) { return mul(w, h); }\n",
    "math.js": "export function mul(a, b) { return a * b; }\n",
}
MODULE_RESULT = 42


def in_earlier_process(code: str) -> None:
    """Runs ``code`` in a process of its own (with this directory importable), as a process
    that ran before a restart: the library_restart row's untimed setup."""
    bench = os.path.dirname(os.path.abspath(__file__))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([bench, os.environ.get("PYTHONPATH", "")])}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=300)


def read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def py_add(a, b):
    """The Python callable JavaScript calls in the callback row."""
    return a + b


async def py_add_async(a, b):
    return a + b


@dataclasses.dataclass(frozen=True)
class Row:
    label: str
    unit: str
    higher_is_better: bool
    # v8ctx's target against the best rival (rate ratio, or time ratio for time rows); None: shown only
    target: float | None
    # "repeat": batches of the operation in one process; "first"/"second": the first or second
    # run of the operation in a fresh process (one sample per process)
    kind: str = "repeat"


ROWS = {
    "call": Row("trivial call add(1, 2)", "calls/s", True, 10.0),
    "evaluate": Row("evaluate('1 + 2 * 3')", "evals/s", True, 2.0),
    "jsfunction": Row("call a JS function handle f(1, 2)", "calls/s", True, 2.0),
    "callback": Row("JS calls a Python function", "calls/s", True, 2.0),
    "cycle": Row("create + compile 20 KB + call + close", "ms/cycle", False, 2.0),
    "records": Row("round trip 10,000 dicts", "ms", False, 2.0),
    "text": Row("round trip 1 MB str", "ms", False, 2.0),
    "md5": Row("MD5 in JS over 1 KB str", "calls/s", True, 2.0),
    "pool_thread": Row("pool call add(1, 2), thread workers", "calls/s", True, 2.0),
    "pool_process": Row("pool call add(1, 2), process workers", "calls/s", True, 2.0),
    "pool": Row("pool, 2 threads, CPU-bound fn", "calls/s", True, None),
    "snapshot": Row("context from a lodash snapshot + call", "ms", False, 2.0),
    "module": Row("fresh context + import ES module + call", "ms", False, 2.0),
    "library_1st": Row("load typescript, 1st context", "ms", False, 2.0, kind="first"),
    "library_2nd": Row("load typescript, 2nd context", "ms", False, 2.0, kind="second"),
    "library_restart": Row("load typescript, restarted process", "ms", False, None, kind="first"),
}


def expected(row: str):
    """What the operation of ``row`` returns (the pool row checks its own results)."""
    if row in ("call", "jsfunction", "callback", "pool_thread", "pool_process"):
        return 3
    if row == "evaluate":
        return 7
    if row == "cycle":
        return make_script()[1]
    if row == "records":
        return make_records()
    if row == "text":
        return make_text()
    if row == "md5":
        return hashlib.md5(md5_input().encode("utf-8")).hexdigest()
    if row == "snapshot":
        return SNAPSHOT_RESULT
    if row == "module":
        return MODULE_RESULT
    if row in ("library_1st", "library_2nd", "library_restart"):
        return LIBRARY_RESULT
    raise ValueError(row)
