"""CommonJS: ``require()`` in JavaScript and ``ctx.require()`` from Python, as Node does them."""

import pytest

import v8ctx


def test_module_exports_and_exports_are_what_require_returns():
    ctx = v8ctx.Context(modules={"a.js": "exports.x = 1; exports.y = () => 2;", "b.js": "module.exports = function b() { return 'b' };"})
    a = ctx.require("./a.js")
    assert a["x"] == 1 and a["y"]() == 2
    assert ctx.require("./b")() == "b"


def test_filename_and_dirname_are_the_module_s_own(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "where.js").write_text("module.exports = [__filename, __dirname];")
    ctx = v8ctx.Context(modules=tmp_path)
    root = str(tmp_path.resolve())
    assert ctx.require("./lib/where") == [f"{root}/lib/where.js", f"{root}/lib"]


def test_json_files_are_parsed():
    ctx = v8ctx.Context(modules={"conf.json": '{"debug": false, "level": [1, 2]}'})
    assert ctx.require("./conf.json") == {"debug": False, "level": [1, 2]}


def test_a_module_runs_once_and_every_require_gets_the_same_exports():
    ctx = v8ctx.Context(modules={"once.js": "globalThis.runs = (globalThis.runs || 0) + 1; module.exports = {};"})
    assert ctx.evaluate("require('./once.js') === require('/once.js') && runs") == 1


def test_cycles_see_the_exports_so_far_as_node_does():
    ctx = v8ctx.Context(
        modules={
            "a.js": "exports.early = 'a-early'; const b = require('./b.js'); exports.late = 'a-late'; exports.bSaw = b.saw;",
            "b.js": "const a = require('./a.js'); exports.saw = [a.early, a.late];",
        }
    )
    assert ctx.require("./a.js") == {"early": "a-early", "late": "a-late", "bSaw": ["a-early", None]}


def test_a_module_that_threw_is_forgotten_and_retried():
    ctx = v8ctx.Context(modules={"flaky.js": "globalThis.tries = (globalThis.tries || 0) + 1; if (tries === 1) throw new Error('first time'); module.exports = tries;"})
    with pytest.raises(v8ctx.JSError, match="first time"):
        ctx.require("./flaky.js")
    assert ctx.require("./flaky.js") == 2


def test_a_missing_module_is_module_not_found_naming_the_requiring_file():
    ctx = v8ctx.Context(modules={"main.js": "require('./nowhere')"})
    code = ctx.evaluate("try { require('./main.js') } catch (e) { [e.code, e.message] }")
    assert code == ["MODULE_NOT_FOUND", "cannot find module './nowhere' (imported from /main.js)"]


def test_an_unprovided_built_in_is_named_and_can_be_caught():
    ctx = v8ctx.Context(modules={"probe.js": "let fs = null; try { fs = require('fs') } catch (e) { module.exports = e.message }"})
    assert ctx.require("./probe.js") == "v8ctx does not provide the Node built-in module 'fs' (imported from /probe.js)"


def test_requiring_an_es_module_says_to_import_it():
    ctx = v8ctx.Context(modules={"esm.mjs": "export default 1"})
    with pytest.raises(v8ctx.JSError, match=r"require\(\) of the ES module /esm\.mjs: load it with import\(\)"):
        ctx.require("./esm.mjs")


def test_require_resolve_gives_the_file_and_built_ins_their_node_name(tmp_path):
    (tmp_path / "x.js").write_text("")
    ctx = v8ctx.Context(modules=tmp_path)
    assert ctx.evaluate("[require.resolve('./x'), require.resolve('path')]") == [str(tmp_path.resolve() / "x.js"), "node:path"]


def test_a_syntax_error_names_the_file_and_line(tmp_path):
    (tmp_path / "broken.js").write_text("const fine = 1;\nconst broken = ;\n")
    ctx = v8ctx.Context(modules=tmp_path)
    with pytest.raises(v8ctx.JSSyntaxError) as caught:
        ctx.require("./broken.js")
    assert f"{tmp_path.resolve()}/broken.js:2" in str(caught.value)


def test_stack_traces_name_the_file_and_its_own_lines():
    ctx = v8ctx.Context(modules={"thrower.js": "\n\nmodule.exports = () => { throw new Error('here') };"})
    with pytest.raises(v8ctx.JSError) as caught:
        ctx.require("./thrower.js")()
    assert "/thrower.js:3:" in caught.value.stack


def test_a_hashbang_line_is_ignored():
    ctx = v8ctx.Context(modules={"cli.js": "#!/usr/bin/env node\nmodule.exports = 'ran';"})
    assert ctx.require("./cli.js") == "ran"


def test_commonjs_modules_see_process_buffer_and_global_but_scripts_do_not():
    ctx = v8ctx.Context(modules={"node_style.js": "module.exports = [typeof process.env, Buffer.from('hi').toString('hex'), global === globalThis];"})
    assert ctx.require("./node_style.js") == ["object", "6869", True]
    assert ctx.evaluate("[typeof process, typeof Buffer, typeof global]") == ["undefined", "undefined", "undefined"]


def test_process_looks_like_a_browser_shim_so_packages_take_their_browser_paths():
    ctx = v8ctx.Context()
    assert ctx.evaluate("const p = require('process'); [p.browser, p.versions.node, typeof p.nextTick]") == [True, None, "function"]


def test_require_of_built_ins_works_without_modules_and_with_the_node_prefix():
    ctx = v8ctx.Context()
    assert ctx.evaluate("require('node:path') === require('path')") is True
    assert ctx.require("querystring")["escape"]("a b") == "a%20b"


def test_ctx_require_of_exports_with_a_cycle_is_a_clear_error():
    with pytest.raises(ValueError, match=r"result\['posix'\] contains itself"):
        v8ctx.Context().require("path")


def test_require_rejects_a_non_string_like_node():
    ctx = v8ctx.Context()
    assert ctx.evaluate("try { require(42) } catch (e) { e.code }") == "ERR_INVALID_ARG_TYPE"


def test_absolute_paths_from_dirname_and_require_resolve_load(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "x.js").write_text("module.exports = 'x'")
    (tmp_path / "main.js").write_text("module.exports = [require(__dirname + '/lib/x.js'), require(require.resolve('./lib/x'))]")
    assert v8ctx.Context(modules=tmp_path).require("./main.js") == ["x", "x"]


def test_require_cache_is_keyed_by_filename_so_deleting_an_entry_reloads():
    ctx = v8ctx.Context(modules={"n.js": "globalThis.loads = (globalThis.loads || 0) + 1; module.exports = loads;"})
    assert ctx.evaluate("require('./n.js'); delete require.cache[require.resolve('./n.js')]; require('./n.js')") == 2
