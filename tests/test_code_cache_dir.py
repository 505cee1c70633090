"""Code caches kept in a directory (``set_code_cache_dir``): a later process compiles a library
from what an earlier one left there, and never from a file that is not exactly that library's.

Every process here is a fresh child: what is tested is what crosses from one process to the next.
"""

import json
import os
import stat
import sys
import textwrap
from pathlib import Path

import pytest

import v8ctx
from _subprocess import run_python

# A library large enough (over 32 KB) to be written after its first compilation.
LIBRARY = "".join(f"function f{i}(x) {{ return x * {i} + {i % 7}; }}\n" for i in range(1500))
LIBRARY += "globalThis.total = (n) => { let s = 0; for (let i = 0; i < 1500; i++) s += globalThis['f' + i](n); return s; };\n"
EXPECTED = sum(3 * i + i % 7 for i in range(1500))


@pytest.fixture(autouse=True)
def no_directory_in_this_process():
    """The tests that call set_code_cache_dir here start and end without a directory, whatever
    the environment set at import."""
    v8ctx.set_code_cache_dir(None)
    yield
    v8ctx.set_code_cache_dir(None)


def compile_in_a_child(directory, library=LIBRARY, setup="", environment=None):
    """Compiles ``library`` in a fresh process using ``directory``; its result and cache info."""
    script = f"""
        import json, v8ctx
        {setup or f"v8ctx.set_code_cache_dir({str(directory)!r})"}
        with v8ctx.Context() as ctx:
            ctx.compile({library!r})
            result = ctx.call("total", [3])
        print(json.dumps([result, v8ctx.code_cache_info()]))
    """
    if environment is None:
        return json.loads(run_python(script).splitlines()[-1])
    import subprocess

    env = {**os.environ, **environment}
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1]), out.stderr


def cache_files(directory):
    return sorted(Path(directory).glob("*.jscache"))


def test_a_second_process_compiles_from_the_file_the_first_wrote(tmp_path):
    result, info = compile_in_a_child(tmp_path)
    assert result == EXPECTED
    assert (info["disk_writes"], info["disk_hits"]) == (1, 0)
    assert len(cache_files(tmp_path)) == 1

    result, info = compile_in_a_child(tmp_path)
    assert result == EXPECTED
    assert (info["disk_writes"], info["disk_hits"], info["disk_discarded"]) == (0, 1, 0)


def test_the_directory_and_its_files_are_private_to_their_user(tmp_path):
    directory = tmp_path / "made" / "by" / "v8ctx"
    compile_in_a_child(directory)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert [stat.S_IMODE(f.stat().st_mode) for f in cache_files(directory)] == [0o600]


def test_a_file_holding_another_source_of_the_same_length_is_not_used(tmp_path):
    """V8 checks only a cache's source length: run with the other source's cache, ``f0`` would
    return 27 instead of 0 and the total would be off."""
    other = LIBRARY.replace("return x * 0 + 0", "return x * 9 + 0")
    assert len(other) == len(LIBRARY)
    compile_in_a_child(tmp_path / "mine")
    (mine,) = cache_files(tmp_path / "mine")
    assert compile_in_a_child(tmp_path / "other", other)[0] == EXPECTED + 27
    (theirs,) = cache_files(tmp_path / "other")
    theirs.replace(mine)

    result, info = compile_in_a_child(tmp_path / "mine")
    assert result == EXPECTED
    assert (info["disk_hits"], info["disk_discarded"], info["disk_writes"]) == (0, 1, 1)


@pytest.mark.parametrize("damage", ["flipped byte in the code", "truncated", "empty", "another build"])
def test_a_damaged_or_foreign_file_is_replaced_and_the_source_compiled(tmp_path, damage):
    compile_in_a_child(tmp_path)
    (file,) = cache_files(tmp_path)
    data = bytearray(file.read_bytes())
    if damage == "flipped byte in the code":
        data[-100] ^= 0xFF
    elif damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "empty":
        data = bytearray()
    else:
        data[16] ^= 0xFF  # the build identity follows the 16-byte tag
    file.write_bytes(bytes(data))

    result, info = compile_in_a_child(tmp_path)
    assert result == EXPECTED
    assert (info["disk_hits"], info["disk_discarded"], info["disk_writes"]) == (0, 1, 1)
    result, info = compile_in_a_child(tmp_path)
    assert (result, info["disk_hits"]) == (EXPECTED, 1)


def test_the_directory_keeps_at_most_max_bytes_dropping_the_least_recently_used(tmp_path):
    libraries = [LIBRARY + f"\nglobalThis.which = {n};" for n in range(4)]
    roomy = f"v8ctx.set_code_cache_dir({str(tmp_path)!r}, max_bytes={2**24})"
    files = []
    for age, library in enumerate(libraries[:3]):
        compile_in_a_child(tmp_path, library, setup=roomy)
        (new,) = set(cache_files(tmp_path)) - set(files)
        files.append(new)
        os.utime(new, (1_000_000 + age, 1_000_000 + age))  # oldest first, whatever the clock's grain
    one_file = files[0].stat().st_size
    limit = 2 * one_file + one_file // 2
    setup = f"v8ctx.set_code_cache_dir({str(tmp_path)!r}, max_bytes={limit})"
    # Setting the limit evicts at once, oldest first: the first library's file goes.
    assert compile_in_a_child(tmp_path, libraries[1], setup=setup)[1]["disk_hits"] == 1
    assert sorted(cache_files(tmp_path)) == sorted(files[1:])
    # Reading the second touched it: writing a fourth now drops the third, the least recently used.
    compile_in_a_child(tmp_path, libraries[3], setup=setup)
    assert sum(f.stat().st_size for f in cache_files(tmp_path)) <= limit
    assert files[1].exists() and not files[2].exists()


def test_the_environment_variable_sets_the_directory(tmp_path):
    environment = {"V8CTX_CODE_CACHE_DIR": str(tmp_path), "V8CTX_CODE_CACHE_MAX_BYTES": str(2**24)}
    (result, info), _ = compile_in_a_child(tmp_path, setup="pass", environment=environment)
    assert (result, info["directory"], info["max_bytes"]) == (EXPECTED, str(tmp_path.resolve()), 2**24)
    (_, info), _ = compile_in_a_child(tmp_path, setup="pass", environment=environment)
    assert info["disk_hits"] == 1


@pytest.mark.parametrize("variables", [{"V8CTX_CODE_CACHE_MAX_BYTES": "lots"}, {}])
def test_an_unusable_environment_variable_warns_and_runs_without_a_directory(tmp_path, variables):
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    environment = {"V8CTX_CODE_CACHE_DIR": str(not_a_directory if not variables else tmp_path), **variables}
    (result, info), stderr = compile_in_a_child(tmp_path, setup="pass", environment=environment)
    assert (result, info["directory"]) == (EXPECTED, None)
    assert "RuntimeWarning: V8CTX_CODE_CACHE_" in stderr


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o1777])
def test_an_existing_directory_others_can_write_to_is_refused(tmp_path, mode):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(mode)
    with pytest.raises(PermissionError, match="writable by no one else"):
        v8ctx.set_code_cache_dir(shared)
    # Through a symbolic link too: the directory it leads to is what is checked.
    link = tmp_path / "link"
    link.symlink_to(shared)
    with pytest.raises(PermissionError, match="writable by no one else"):
        v8ctx.set_code_cache_dir(link)
    assert v8ctx.code_cache_info()["directory"] is None


def test_process_pool_workers_use_the_directory_set_in_their_parent(tmp_path):
    run_python(
        f"""
        import v8ctx
        v8ctx.set_code_cache_dir({str(tmp_path)!r})
        with v8ctx.Pool({LIBRARY!r}, workers=1, isolation="process") as pool:
            assert pool.call("total", [3]) == {EXPECTED}
        """
    )
    assert len(cache_files(tmp_path)) == 1
    assert compile_in_a_child(tmp_path)[1]["disk_hits"] == 1


def test_bad_arguments_name_the_problem(tmp_path):
    with pytest.raises(TypeError, match="takes a directory .* not int"):
        v8ctx.set_code_cache_dir(123)
    for max_bytes in (0, -1, "1"):
        with pytest.raises(ValueError, match="max_bytes must be a positive int"):
            v8ctx.set_code_cache_dir(tmp_path, max_bytes=max_bytes)
    file = tmp_path / "file"
    file.write_text("")
    with pytest.raises(OSError, match=f"cannot keep code caches in {str(file)!r}: File exists"):
        v8ctx.set_code_cache_dir(file)
    assert v8ctx.code_cache_info()["directory"] is None


def test_a_directory_that_cannot_be_written_is_refused(tmp_path):
    if os.geteuid() == 0:
        # root writes anywhere; a directory on a read-only file system stands in.
        target = Path("/proc/self")
    else:
        target = tmp_path / "read-only"
        target.mkdir(mode=0o500)
    with pytest.raises(OSError, match="cannot keep code caches in"):
        v8ctx.set_code_cache_dir(target)
    assert v8ctx.code_cache_info()["directory"] is None


def test_unsetting_stops_using_the_directory(tmp_path):
    setup = f"v8ctx.set_code_cache_dir({str(tmp_path)!r}); v8ctx.set_code_cache_dir(None)"
    result, info = compile_in_a_child(tmp_path, setup=setup)
    assert (result, info["directory"], info["disk_writes"]) == (EXPECTED, None, 0)
    assert cache_files(tmp_path) == []


def test_code_cache_info_has_the_keys_the_stub_promises():
    import ast

    stub = ast.parse(Path(v8ctx.__file__).with_name("_v8ctx.pyi").read_text())
    (typed,) = [node for node in stub.body if isinstance(node, ast.ClassDef) and node.name == "CodeCacheInfo"]
    promised = {item.target.id for item in typed.body if isinstance(item, ast.AnnAssign)}
    assert set(v8ctx.code_cache_info()) == promised


def test_a_snapshot_made_where_the_directory_holds_the_library_holds_it(tmp_path):
    """The process making the snapshot inherits the environment variable, and its runtime takes
    the library's code cache from the directory; the snapshot holds the library all the same."""
    compile_in_a_child(tmp_path)
    (file,) = cache_files(tmp_path)
    os.utime(file, (1_000_000, 1_000_000))
    import subprocess

    script = f"""
import v8ctx
snap = v8ctx.Snapshot.create({LIBRARY!r})
with v8ctx.Context(snapshot=snap) as ctx:
    print(ctx.call("total", [3]))
"""
    env = {**os.environ, "V8CTX_CODE_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert (out.returncode, out.stdout.split()) == (0, [str(EXPECTED)]), out.stderr
    assert file.stat().st_mtime > 1_000_000  # read, so touched


def test_a_source_read_from_the_directory_is_lent_not_copied_into_the_heap(tmp_path):
    """A 5 MB source would take 6 MB of the heap as UTF-16; the process that reads its cache from
    the directory keeps its text and lends it, as for a cache it made itself."""
    script = f"""
        import v8ctx
        v8ctx.set_code_cache_dir({str(tmp_path)!r})
        source = "// 漢字\\n" * (2 << 18) + "globalThis.total = (n) => n * 2;\\n"
        used = []
        for code in ["var small = 1;", source]:
            with v8ctx.Context() as ctx:
                ctx.compile(code)
                if code is source:
                    assert ctx.call("total", [21]) == 42
                ctx.gc()
                used.append(ctx.heap_stats()["used_heap_size"])
        print(used[0], used[1], v8ctx.code_cache_info()["disk_hits"])
    """
    run_python(script)  # writes the cache
    baseline, used, hits = map(int, run_python(script).split())
    assert hits == 1
    assert used < baseline + (1 << 20), (baseline, used)
