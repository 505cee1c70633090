"""User snapshots: ``v8ctx.Snapshot`` holds a V8 heap after the user's code ran.

``Snapshot.create`` runs the code in a process of its own (V8 aborts, uncatchably, on what it
cannot serialize); ``Context(snapshot=)`` and ``Pool(snapshot=)`` start with everything it
defined. Bytes from another build, or damaged ones, are refused before V8 reads them. V8 shares
one read-only heap per process, so the order in which plain and snapshot Contexts first appear in
a process must not matter: those tests run in fresh interpreters.
"""

import json
import os
import pickle
import struct
import subprocess
import sys
import time

import pytest

import v8ctx
from _subprocess import run_python

LIBRARY = """
var calls = 0;
const sign = (s) => { calls += 1; return 'signed:' + s };
let table = { a: [1, 2], when: new Date(0) };
class Counter { constructor() { this.n = 0 } next() { return ++this.n } }
function makeCounter() { let n = 100; return () => ++n }
var counter = makeCounter();
"""

TYPESCRIPT = "/usr/share/nodejs/typescript/lib/typescript.js"
JSENCRYPT = "/usr/share/javascript/jsencrypt/jsencrypt.min.js"


@pytest.fixture(scope="module")
def library():
    return v8ctx.Snapshot.create([("library.js", LIBRARY)])


def test_a_context_from_a_snapshot_has_its_globals_closures_and_state(library):
    with v8ctx.Context(snapshot=library) as ctx:
        assert ctx.call("sign", ["x"]) == "signed:x"
        assert ctx.evaluate("calls") == 1
        assert ctx.evaluate("table.a") == [1, 2]
        assert ctx.evaluate("new Counter().next()") == 1
        assert ctx.call("counter") == 101


def test_each_context_starts_from_the_snapshot_state_not_from_another_context(library):
    with v8ctx.Context(snapshot=library) as first, v8ctx.Context(snapshot=library) as second:
        assert [first.call("counter") for _ in range(3)] == [101, 102, 103]
        assert second.call("counter") == 101


def test_compiling_a_source_the_snapshot_already_ran_runs_nothing(library):
    with v8ctx.Context(snapshot=library) as ctx:
        ctx.call("counter")
        ctx.compile(LIBRARY)
        assert ctx.call("counter") == 102


def test_functions_from_a_snapshot_keep_their_file_names_in_stack_traces():
    snap = v8ctx.Snapshot.create([("lib/boom.js", "function boom() {\n  throw new Error('x')\n}")])
    with v8ctx.Context(snapshot=snap) as ctx, pytest.raises(v8ctx.JSError) as caught:
        ctx.call("boom")
    assert "at boom (lib/boom.js:2:9)" in caught.value.stack


def test_a_list_of_sources_runs_in_order_and_names_each_one():
    snap = v8ctx.Snapshot.create(["var order = ['first']", ("second.js", "order.push('second')")])
    with v8ctx.Context(snapshot=snap) as ctx:
        assert ctx.evaluate("order") == ["first", "second"]


def test_timers_and_promises_the_code_started_finish_before_the_snapshot():
    snap = v8ctx.Snapshot.create(
        "setTimeout(() => { globalThis.late = 'timer' }, 20);"
        "(async () => { await null; globalThis.awaited = 'promise' })()"
    )
    with v8ctx.Context(snapshot=snap) as ctx:
        assert ctx.evaluate("[late, awaited]") == ["timer", "promise"]


def test_modules_imported_and_required_while_creating_stay_loaded():
    modules = {"add.mjs": "export const add = (a, b) => a + b", "k.js": "module.exports = {k: 9}"}
    snap = v8ctx.Snapshot.create(
        "import('./add.mjs').then((m) => { globalThis.add = m.add }); globalThis.k = require('./k.js')",
        modules=modules,
    )
    with v8ctx.Context(snapshot=snap) as ctx:
        assert ctx.call("add", [2, 3]) == 5
        # Without modules= of its own, the Context finds modules where the snapshot's code did.
        assert ctx.evaluate("require('./k.js') === k") is True


def test_a_random_seed_belongs_to_the_snapshot():
    snap = v8ctx.Snapshot.create("var first = Math.random()", random_seed=7)
    assert snap.random_seed == 7
    runs = []
    for _ in range(2):
        with v8ctx.Context(snapshot=snap) as ctx:
            runs.append(ctx.evaluate("[first, Math.random()]"))
    assert runs[0] == runs[1]
    with v8ctx.Context(snapshot=snap, random_seed=7) as ctx:
        assert ctx.evaluate("[first, Math.random()]") == runs[0]
    with pytest.raises(ValueError, match=r"random_seed=8 differs from the snapshot's \(7\)"):
        v8ctx.Context(snapshot=snap, random_seed=8)


def test_an_unseeded_snapshot_refuses_a_seed(library):
    with pytest.raises(ValueError, match=r"random_seed=1 differs from the snapshot's \(none\)"):
        v8ctx.Context(snapshot=library, random_seed=1)


def test_the_browser_globals_belong_to_the_snapshot():
    snap = v8ctx.Snapshot.create(
        "var agent = navigator.userAgent", browser=True, user_agent="Test/1.0", url="https://example.com/"
    )
    assert (snap.browser, snap.user_agent, snap.url) == (True, "Test/1.0", "https://example.com/")
    with v8ctx.Context(snapshot=snap) as ctx:
        assert ctx.evaluate("[agent, location.hostname, typeof window]") == ["Test/1.0", "example.com", "object"]
    with pytest.raises(ValueError, match="differ from the snapshot's"):
        v8ctx.Context(snapshot=snap, browser=True, user_agent="Other/2.0")


def test_a_context_from_a_snapshot_looks_like_a_plain_engine(library):
    with v8ctx.Context(snapshot=library) as ctx:
        assert ctx.evaluate("[typeof Deno, typeof __v8ctxSetup, typeof self, typeof WebAssembly]") == [
            "undefined",
            "undefined",
            "object",
            "object",
        ]
        own = "Object.getOwnPropertyNames(globalThis).concat(Object.getOwnPropertySymbols(globalThis).map(String))"
        with v8ctx.Context() as plain:
            names = set(ctx.evaluate(own)) - set(plain.evaluate(own))
        # Only what the snapshot's code declared as globals is new (const, let and class are
        # not properties of the global object).
        assert names == {"calls", "counter", "makeCounter"}


def test_python_callables_are_exposed_after_the_context_starts(library):
    with v8ctx.Context(snapshot=library, globals={"twice": lambda x: 2 * x}) as ctx:
        assert ctx.evaluate("twice(sign('a').length)") == 16


def test_a_snapshot_round_trips_through_bytes_files_and_pickle(library, tmp_path):
    path = tmp_path / "library.snapshot"
    library.save(path)
    assert not [p for p in os.listdir(tmp_path) if p != "library.snapshot"]
    for copy in (
        v8ctx.Snapshot.from_bytes(library.to_bytes()),
        v8ctx.Snapshot.load(path),
        pickle.loads(pickle.dumps(library)),
    ):
        assert copy.to_bytes() == library.to_bytes()
        with v8ctx.Context(snapshot=copy) as ctx:
            assert ctx.call("sign", ["b"]) == "signed:b"
    assert library.nbytes == len(library.to_bytes()) == path.stat().st_size
    assert repr(library) == f"<v8ctx.Snapshot of {library.nbytes} bytes>"


def test_a_snapshot_can_start_from_another():
    base = v8ctx.Snapshot.create("var layers = ['base']", random_seed=3)
    top = v8ctx.Snapshot.create("layers.push('top')", snapshot=base)
    assert top.random_seed == 3
    with v8ctx.Context(snapshot=top) as ctx:
        assert ctx.evaluate("layers") == ["base", "top"]


@pytest.mark.parametrize("isolation", ["thread", "process"])
def test_a_pool_starts_every_worker_from_the_snapshot(library, isolation):
    with v8ctx.Pool(snapshot=library, workers=2, isolation=isolation) as pool:
        assert pool.call("counter") == 101
        assert pool.call("sign", ["p"]) == "signed:p"
        assert pickle.loads(pickle.dumps(pool)).call("sign", ["q"]) == "signed:q"


# ---- what is refused ------------------------------------------------------------------------


def damaged(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def test_damaged_or_truncated_bytes_are_refused(library):
    data = library.to_bytes()
    for bad in (damaged(data, len(data) // 2), damaged(data, len(data) - 1), data[: len(data) // 2], data + b"!"):
        with pytest.raises(v8ctx.SnapshotError, match="the snapshot is damaged|has bytes after its end"):
            v8ctx.Snapshot.from_bytes(bad)


def test_bytes_that_are_no_snapshot_are_refused():
    for bad in (b"", b"hello", bytes(4096), b"v8ctx-snapshot"):
        with pytest.raises(v8ctx.SnapshotError, match="is not a v8ctx snapshot"):
            v8ctx.Snapshot.from_bytes(bad)


def test_bytes_from_another_build_are_refused(library):
    data = library.to_bytes()
    other_build = data[:52] + bytes(32) + data[84:]
    with pytest.raises(v8ctx.SnapshotError, match=r"made by another build of v8ctx or V8 \(v8ctx 0\.1\.0 on V8 "):
        v8ctx.Snapshot.from_bytes(other_build)
    other_format = data[:16] + struct.pack("<I", 99) + data[20:]
    with pytest.raises(v8ctx.SnapshotError, match="is in snapshot format 99"):
        v8ctx.Snapshot.from_bytes(other_format)


def test_a_file_that_cannot_be_read_or_written_is_an_os_error_naming_it(tmp_path):
    absent = tmp_path / "absent.snapshot"
    with pytest.raises(FileNotFoundError) as raised:
        v8ctx.Snapshot.load(absent)
    assert (raised.value.filename, str(raised.value)) == (str(absent), f"[Errno 2] No such file or directory: '{absent}'")
    with pytest.raises(IsADirectoryError) as raised:
        v8ctx.Snapshot.load(tmp_path)
    assert raised.value.filename == str(tmp_path)
    with pytest.raises(FileNotFoundError) as raised:
        v8ctx.Snapshot.create("var x = 1").save(tmp_path / "no-such-dir" / "x.snapshot")
    assert raised.value.filename == str(tmp_path / "no-such-dir" / "x.snapshot")


def test_a_javascript_error_while_creating_raises_it_with_its_stack():
    with pytest.raises(v8ctx.JSError) as caught:
        v8ctx.Snapshot.create([("init.js", "let ok = 1;\nthrow new TypeError('bad init')")])
    assert caught.value.name == "TypeError"
    assert "at init.js:2:1" in caught.value.stack
    with pytest.raises(v8ctx.JSSyntaxError):
        v8ctx.Snapshot.create("let = ;")


def test_the_limits_hold_while_creating():
    with pytest.raises(v8ctx.JSTimeoutError):
        v8ctx.Snapshot.create("while (true) {}", timeout=0.5)
    with pytest.raises(v8ctx.JSTimeoutError):
        v8ctx.Snapshot.create("setInterval(() => {}, 5)", timeout=0.5)
    with pytest.raises(v8ctx.JSMemoryError):
        v8ctx.Snapshot.create("const a = []; while (true) a.push(new Array(1000).fill(1))", max_heap_mb=32)


def makers_of(parent: int) -> list[int]:
    """The snapshot maker processes `parent` started."""
    found = subprocess.run(["pgrep", "-P", str(parent), "-f", "v8ctx._snapshot"], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return not any(line.startswith("State:") and "Z" in line for line in status)
    except FileNotFoundError:
        return False


def test_a_maker_process_ends_with_its_caller():
    caller = subprocess.Popen([sys.executable, "-c", "import v8ctx; v8ctx.Snapshot.create('while (true) {}')"])
    try:
        deadline = time.monotonic() + 60
        while not makers_of(caller.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        (maker,) = makers_of(caller.pid)
    finally:
        caller.kill()
        caller.wait()
    deadline = time.monotonic() + 10
    while running(maker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(maker)


def test_ctrl_c_while_creating_stops_the_maker():
    out = run_python(
        """
        import _thread, os, subprocess, threading, time, v8ctx
        threading.Timer(1.0, _thread.interrupt_main).start()
        try:
            v8ctx.Snapshot.create("while (true) {}")
        except KeyboardInterrupt:
            print("interrupted")
        left = subprocess.run(["pgrep", "-P", str(os.getpid()), "-f", "v8ctx._snapshot"], capture_output=True, text=True)
        print("makers left:", left.stdout.split())
        """,
        timeout=60,
    )
    assert out.split("\n")[:2] == ["interrupted", "makers left: []"]


def test_what_v8_cannot_serialize_ends_the_maker_process_not_the_caller():
    # A TextDecoder in the middle of a stream holds native state no snapshot can keep.
    code = "globalThis.d = new TextDecoder(); d.decode(new Uint8Array([0xe2]), {stream: true})"
    with pytest.raises(v8ctx.SnapshotError, match="the process making the snapshot was killed by SIG"):
        v8ctx.Snapshot.create(code)


def test_web_assembly_does_not_exist_while_creating():
    with pytest.raises(v8ctx.JSError, match="WebAssembly is not defined"):
        v8ctx.Snapshot.create("new WebAssembly.Memory({initial: 1})")


def test_console_output_while_creating_reaches_the_console():
    lines = []
    v8ctx.Snapshot.create("console.log('made', 1); console.warn('careful')", console=lambda *line: lines.append(line))
    assert lines == [("log", "made 1"), ("warn", "careful")]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: v8ctx.Snapshot.create(123), "code must be a str or a list of sources, not int"),
        (lambda: v8ctx.Snapshot.create(["ok", 1]), r"code\[1\] must be a str or a \(filename, source\) pair"),
        (lambda: v8ctx.Snapshot.create(["a"], filename="x.js"), "filename= names a single source"),
        (lambda: v8ctx.Context(snapshot="x"), "snapshot must be a v8ctx.Snapshot or None, not str"),
        (lambda: v8ctx.Snapshot.from_bytes("text"), "data must be bytes, not str"),
        (lambda: v8ctx.Snapshot.create("1", console=3), "console must be a callable"),
    ],
)
def test_wrong_arguments_are_type_errors_that_say_what_is_wrong(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_modules_that_do_not_pickle_are_refused_before_any_process_starts():
    with pytest.raises(TypeError):
        v8ctx.Snapshot.create("1", modules={"a.js": object()})


# ---- what V8 adds to every Context ----------------------------------------------------------
# V8 adds its newest features and Error.stackTraceLimit to each context as it creates it, but not
# while a heap is made into a snapshot; added where the snapshot's code defined the same property,
# or to an object it froze, V8 aborted the process. These run in fresh interpreters for that reason.

# Every object reachable from globalThis (and %AsyncIteratorPrototype%), by path, and each one's
# own property paths: what a Context has and the code of a snapshot does not see is what V8 adds.
WALK = """
(() => {
  const objects = new Map(), properties = [];
  const asyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype);
  const queue = [[globalThis, "globalThis", 0], [asyncIteratorPrototype, "%AsyncIteratorPrototype%", 0]];
  const name = (key) => typeof key === "symbol" ? `[${key.description}]` : key;
  while (queue.length) {
    const [object, path, depth] = queue.shift();
    if ([...objects.values()].includes(object) || path.includes("__snapshot")) continue;
    objects.set(path, object);
    for (const key of Reflect.ownKeys(object)) {
      properties.push([path, name(key)]);
      const d = Object.getOwnPropertyDescriptor(object, key);
      if (depth < 3 && d && (typeof d.value === "object" || typeof d.value === "function") && d.value !== null)
        queue.push([d.value, `${path}.${name(key)}`, depth + 1]);
    }
  }
  return { objects, properties };
})()
""".strip()

# (path, key) -> the property's value, for the paths WALK gives.
LOOKUP = "const {objects} = WALK; const at = (path, key) => [objects.get(path), key.startsWith('[') ? Symbol[key.slice(8, -1)] : key];"


def test_whatever_v8_adds_to_every_context_the_snapshot_s_code_may_define_first():
    out = run_python(
        f"""
        import json, v8ctx
        walk, lookup = {WALK!r}, {LOOKUP!r}.replace("WALK", {WALK!r})
        seen = v8ctx.Snapshot.create("globalThis.__snapshotSaw = " + walk + ".properties")
        with v8ctx.Context(snapshot=seen) as ctx:
            added = ctx.evaluate(
                "(saw => {{ const has = new Set(saw.map(String)), parents = new Set(saw.map(p => p[0]));"
                " return " + walk + ".properties.filter(p => !has.has(String(p)) && parents.has(p[0])) }})(__snapshotSaw)"
            )
        # Each one defined by the snapshot's code first, as a polyfill or a setting would be.
        snap = v8ctx.Snapshot.create(
            "(added => {{ " + lookup + " for (const [path, key] of added) {{ const [o, k] = at(path, key);"
            " o[k] = 'defined by the snapshot: ' + path + '.' + key }} }})(" + json.dumps(added) + ")"
        )
        with v8ctx.Context(snapshot=snap) as ctx:
            values = ctx.evaluate(
                "(added => {{ " + lookup + " return added.map(([path, key]) => {{ const [o, k] = at(path, key); return o[k] }}) }})("
                + json.dumps(added) + ")"
            )
        print(json.dumps([added, values]))
        """
    )
    added, values = json.loads(out)
    names = {f"{path}.{key}" for path, key in added}
    assert {"globalThis.Promise.try", "globalThis.Uint8Array.prototype.toHex",
            "globalThis.Float16Array", "%AsyncIteratorPrototype%.[Symbol.asyncDispose]"} <= names
    assert values == [f"defined by the snapshot: {path}.{key}" for path, key in added]


REFUSED = [
    ("Object.freeze(Promise)", "made Promise non-extensible"),
    ("Object.seal(Error)", "made Error non-extensible"),
    ("Object.preventExtensions(Map.prototype)", "made Map.prototype non-extensible"),
    ("Object.freeze(globalThis)", "made globalThis non-extensible"),
    ("Object.defineProperty(Uint8Array.prototype, 'toHex', { value: () => 'hex' })", "defined Uint8Array.prototype.toHex non-configurable"),
    ("Object.defineProperty(Error, 'stackTraceLimit', { value: 20, writable: true, configurable: true })", "defined Error.stackTraceLimit as a value"),
]


def test_what_v8_could_not_add_to_is_refused_naming_it():
    out = run_python(
        f"""
        import json, v8ctx
        messages = []
        for code, _ in {REFUSED!r}:
            try:
                v8ctx.Snapshot.create(code)
                messages.append(None)
            except v8ctx.SnapshotError as error:
                messages.append(str(error))
        print(json.dumps(messages))
        """
    )
    for (code, expected), message in zip(REFUSED, json.loads(out)):
        assert message is not None and f"the snapshot's code {expected}" in message, code


STACK_TRACE_LIMIT = """
Error.stackTraceLimit = 50;
const seenWhileCreating = Error.stackTraceLimit;
function make() { return new Error("made while creating") }
var kept = make(); kept.stack;
var depth = (n) => n === 0 ? new Error("deep").stack.split("\\n").length - 1 : depth(n - 1);
"""


def test_error_stack_trace_limit_set_by_the_snapshot_s_code_holds_in_its_contexts():
    out = run_python(
        f"""
        import json, v8ctx
        base = v8ctx.Snapshot.create({STACK_TRACE_LIMIT!r})
        on_top = v8ctx.Snapshot.create("var more = 1", snapshot=base)
        results = []
        for snap in (base, on_top):
            with v8ctx.Context(snapshot=snap) as ctx:
                results.append(ctx.evaluate("[seenWhileCreating, Error.stackTraceLimit, depth(80), kept.message]"))
        with v8ctx.Context(snapshot=v8ctx.Snapshot.create("var x = 1")) as ctx:
            results.append(ctx.evaluate("[Error.stackTraceLimit, Object.keys(Error)]"))
        print(json.dumps(results))
        """
    )
    assert json.loads(out) == [[50, 50, 50, "made while creating"]] * 2 + [[10, ["stackTraceLimit"]]]


@pytest.mark.parametrize(
    "code",
    [
        "globalThis.Object = { replaced: true }",
        "Object.getOwnPropertyDescriptor = () => { throw new Error('replaced') }",
        "Object.defineProperty = null; Object.setPrototypeOf = null",
        "Object.prototype.get = function () {}; globalThis.Deno = 'the code made its own Deno'",
    ],
)
def test_the_snapshot_s_code_may_replace_object_s_methods_and_poison_its_prototype(code):
    # What runs after the code (preparing the heap, starting each Context) uses captured
    # intrinsics: once, a replaced Object made the maker die with its error printed on stdout,
    # where the parent reads frames.
    snap = v8ctx.Snapshot.create(code)
    with v8ctx.Context(snapshot=snap) as ctx:
        deno = "the code made its own Deno" if "Deno" in code else None
        assert ctx.evaluate("[typeof Deno === 'string' ? Deno : null, typeof setTimeout]") == [deno, "function"]


# ---- one read-only heap per process ---------------------------------------------------------


@pytest.mark.parametrize("first", ["plain", "snapshot"])
def test_plain_and_snapshot_contexts_share_a_process_in_either_order(library, tmp_path, first):
    path = tmp_path / "lib.snapshot"
    library.save(path)
    out = run_python(
        f"""
        import threading, v8ctx
        snap = v8ctx.Snapshot.load({str(path)!r})
        def plain():
            with v8ctx.Context() as c:
                return c.evaluate("[1, 2].map(x => x * 2).join()")
        def snapshot():
            with v8ctx.Context(snapshot=snap) as c:
                return c.call("sign", ["z"])
        order = [plain, snapshot] if {first!r} == "plain" else [snapshot, plain]
        results = [f() for f in order + order]
        other = v8ctx.Snapshot.create("var other = 'second snapshot'")
        with v8ctx.Context(snapshot=other) as c:
            results.append(c.evaluate("other"))
        threaded = []
        t = threading.Thread(target=lambda: threaded.append(snapshot()))
        t.start(); t.join()
        print(results + threaded)
        """
    )
    results = ["2,4", "signed:z"] if first == "plain" else ["signed:z", "2,4"]
    assert out.strip() == repr(results + results + ["second snapshot", "signed:z"])


# ---- real libraries ---------------------------------------------------------------------------


def test_a_browser_bundle_from_a_snapshot_encrypts_like_one_compiled_fresh():
    code = open(JSENCRYPT).read()
    snap = v8ctx.Snapshot.create(code, browser=True)
    probe = "typeof JSEncrypt === 'function' && typeof new JSEncrypt().encrypt"
    with v8ctx.Context(snapshot=snap) as ctx, v8ctx.Context(browser=True) as fresh:
        fresh.compile(code)
        assert ctx.evaluate(probe) == fresh.evaluate(probe) == "function"


def test_typescript_from_a_snapshot_transpiles():
    snap = v8ctx.Snapshot.create([("typescript.js", open(TYPESCRIPT).read())], timeout=300)
    with v8ctx.Context(snapshot=snap) as ctx:
        out = ctx.evaluate("ts.transpileModule('const x: number = 1; export default x', {}).outputText")
    assert "var x = 1;" in out and ": number" not in out
