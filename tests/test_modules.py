"""ES modules: ``Context(modules=...)`` and ``ctx.import_module()``.

A module root is a directory or a mapping of module paths to source; resolution is Node's
(relative paths, extensions, ``index`` files, ``node_modules`` and ``package.json``), and nothing
outside the root is ever read.
"""

import json
import os

import pytest

import v8ctx


def write_tree(root, files):
    for path, text in files.items():
        full = root / path
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_text(text if isinstance(text, str) else json.dumps(text))
    return root


# ---- Namespaces ----------------------------------------------------------------------------------


def test_import_module_returns_the_namespace_with_functions_as_jsfunctions():
    ctx = v8ctx.Context(modules={"math.js": "export const two = 2; export function double(x) { return x * 2 }"})
    namespace = ctx.import_module("./math.js")
    assert namespace["two"] == 2
    assert isinstance(namespace["double"], v8ctx.JSFunction)
    assert namespace["double"](21) == 42


def test_static_imports_link_modules_of_a_mapping():
    ctx = v8ctx.Context(
        modules={
            "main.js": "import { x } from './lib/x.js'; import y from './lib/y.js'; export const sum = x + y;",
            "lib/x.js": "export const x = 40;",
            "lib/y.js": "export default 2;",
        }
    )
    assert ctx.import_module("./main.js") == {"sum": 42}


def test_a_module_is_evaluated_once_however_often_it_is_imported():
    ctx = v8ctx.Context(modules={"counter.js": "globalThis.runs = (globalThis.runs || 0) + 1; export {};"})
    ctx.import_module("./counter.js")
    ctx.import_module("/counter.js")
    assert ctx.evaluate("runs") == 1


def test_top_level_await_is_awaited():
    ctx = v8ctx.Context(
        modules={"slow.js": "export const value = await new Promise(r => setTimeout(() => r('late'), 10));"}
    )
    assert ctx.import_module("./slow.js") == {"value": "late"}


def test_dynamic_import_works_from_scripts_and_modules():
    ctx = v8ctx.Context(
        modules={
            "a.js": "export const loaded = (await import('./b.js')).default;",
            "b.js": "export default 'from b';",
        }
    )
    assert ctx.evaluate("import('./a.js').then(m => m.loaded)") == "from b"


def test_import_meta_url_is_the_module_file_url(tmp_path):
    write_tree(tmp_path, {"where.mjs": "export const url = import.meta.url;"})
    ctx = v8ctx.Context(modules=tmp_path)
    url = ctx.import_module("./where.mjs")["url"]
    assert url == (tmp_path.resolve() / "where.mjs").as_uri()


def test_json_files_import_as_their_default_export():
    ctx = v8ctx.Context(modules={"data.json": '{"a": [1, 2]}', "main.js": "import d from './data.json'; export const a = d.a;"})
    assert ctx.import_module("./main.js") == {"a": [1, 2]}


def test_a_commonjs_file_imports_as_its_module_exports():
    ctx = v8ctx.Context(
        modules={"legacy.js": "module.exports = { hello: () => 'hi' };", "main.mjs": "import l from './legacy.js'; export const said = l.hello();"}
    )
    assert ctx.import_module("./main.mjs") == {"said": "hi"}


def test_a_commonjs_file_s_assigned_exports_import_by_name_as_in_node():
    ctx = v8ctx.Context(
        modules={
            "umd.js": "(function (exports) { exports.one = 1; exports.two = () => 2; })(typeof exports === 'object' ? exports : {});"
            " Object.defineProperty(exports, 'three', { enumerable: true, get: () => 3 });"
            " exports.default = 'not the default'; Object.defineProperty(exports, '__esModule', { value: true });",
            "main.mjs": "import whole, { one, two, three } from './umd.js'; export const got = [one, two(), three, Object.keys(whole)];",
        }
    )
    assert ctx.import_module("./main.mjs") == {"got": [1, 2, 3, ["one", "two", "three", "default"]]}


@pytest.mark.parametrize(
    "name, exported",
    [("buffer", "Buffer"), ("events", "EventEmitter"), ("path", "join"), ("crypto", "createHash"), ("url", "URL"), ("util", "format")],
)
def test_built_in_modules_import_with_named_exports(name, exported):
    ctx = v8ctx.Context(modules={"m.mjs": f"import * as ns from 'node:{name}'; export const ok = typeof ns.{exported} !== 'undefined' && ns.default.{exported} === ns.{exported};"})
    assert ctx.import_module("./m.mjs") == {"ok": True}


def test_every_named_export_of_a_built_in_is_defined():
    names = ["assert", "buffer", "crypto", "events", "path", "process", "querystring", "string_decoder", "timers", "url", "util"]
    ctx = v8ctx.Context()
    for name in names:
        namespace = ctx.evaluate(f"import('node:{name}').then(ns => Object.entries(ns).filter(([k, v]) => v === undefined).map(([k]) => k))")
        assert namespace == [], name


# ---- Resolution ----------------------------------------------------------------------------------


def test_extensions_and_index_files_are_tried(tmp_path):
    write_tree(tmp_path, {"lib/util.js": "export const u = 1;", "lib/dir/index.js": "export const i = 2;"})
    ctx = v8ctx.Context(modules=tmp_path)
    assert ctx.import_module("./lib/util") == {"u": 1}
    assert ctx.import_module("./lib/dir") == {"i": 2}


def test_bare_specifiers_find_packages_in_node_modules_by_their_module_field(tmp_path):
    write_tree(
        tmp_path,
        {
            "node_modules/pkg/package.json": {"name": "pkg", "main": "cjs.js", "module": "esm.js"},
            "node_modules/pkg/esm.js": "export const kind = 'esm';",
            "node_modules/pkg/cjs.js": "exports.kind = 'cjs';",
        },
    )
    ctx = v8ctx.Context(modules=tmp_path)
    assert ctx.import_module("pkg") == {"kind": "esm"}
    assert ctx.require("pkg") == {"kind": "cjs"}


def test_package_exports_pick_the_import_or_require_condition(tmp_path):
    write_tree(
        tmp_path,
        {
            "node_modules/dual/package.json": {
                "name": "dual",
                "exports": {".": {"node": "./node.js", "import": "./index.mjs", "require": "./index.cjs"}, "./feature/*": "./features/*.js"},
            },
            "node_modules/dual/node.js": "throw new Error('the node condition is not v8ctx');",
            "node_modules/dual/index.mjs": "export const via = 'import';",
            "node_modules/dual/index.cjs": "exports.via = 'require';",
            "node_modules/dual/features/x.js": "export const feature = 'x';",
        },
    )
    ctx = v8ctx.Context(modules=tmp_path)
    assert ctx.import_module("dual") == {"via": "import"}
    assert ctx.require("dual") == {"via": "require"}
    assert ctx.import_module("dual/feature/x") == {"feature": "x"}


def test_a_subpath_a_package_does_not_export_is_an_error_naming_it(tmp_path):
    write_tree(tmp_path, {"node_modules/closed/package.json": {"exports": {".": "./a.js"}}, "node_modules/closed/a.js": "", "node_modules/closed/b.js": ""})
    ctx = v8ctx.Context(modules=tmp_path)
    with pytest.raises(v8ctx.JSError, match=r"does not export '\./b\.js'"):
        ctx.import_module("closed/b.js")


def test_node_modules_are_searched_from_the_importing_file_upwards(tmp_path):
    write_tree(
        tmp_path,
        {
            "app/node_modules/near/index.js": "export default 'near';",
            "node_modules/far/index.js": "export default 'far';",
            "app/main.js": "import a from 'near'; import b from 'far'; export const both = [a, b];",
        },
    )
    ctx = v8ctx.Context(modules=tmp_path)
    assert ctx.import_module("./app/main.js") == {"both": ["near", "far"]}


def test_a_mapping_key_is_also_a_bare_specifier():
    ctx = v8ctx.Context(modules={"lodash-lite": "export const chunk = (a, n) => [a.slice(0, n), a.slice(n)];"})
    assert ctx.import_module("lodash-lite")["chunk"]([1, 2, 3], 1) == [[1], [2, 3]]


@pytest.mark.parametrize(
    "source, is_module",
    [
        ("import x from 'y'; export default x", True),
        ("export default 1", True),
        ("const a = 1;export{a as b}", True),
        ("/*! license */\nexport function f() {}", True),
        ("console.log(import.meta.url); export {}", True),
        ("module.exports = { import: 1, export: 2 }", False),
        ("// import x from 'y'\nmodule.exports = 1", False),
        ("module.exports = 'import x from y'", False),
        ("var r = /export {/; module.exports = `import * as x`", False),
        ("module.exports = import('./other.js').then(() => 1) && 1", False),
        ("var importer = 1, exported = 2; module.exports = importer + exported", False),
    ],
)
def test_a_js_file_without_a_package_type_is_a_module_if_it_has_import_or_export(source, is_module):
    ctx = v8ctx.Context(modules={"file.js": source, "other.js": "export {}", "y": "export default 0"})
    kind = ctx.evaluate("require.resolve('./file.js') && (() => { try { require('./file.js'); return 'commonjs' } catch (e) { return e.code } })()")
    assert kind == ("ERR_REQUIRE_ESM" if is_module else "commonjs")


def test_package_type_decides_for_js_files(tmp_path):
    write_tree(tmp_path, {"package.json": {"type": "commonjs"}, "a.js": "module.exports = 'cjs'"})
    ctx = v8ctx.Context(modules=tmp_path)
    assert ctx.import_module("./a.js") == {"default": "cjs"}


# ---- Confinement and errors ----------------------------------------------------------------------


def test_dot_dot_out_of_the_root_is_refused(tmp_path):
    (tmp_path / "root").mkdir()
    (tmp_path / "secret.js").write_text("export const secret = 1")
    ctx = v8ctx.Context(modules=tmp_path / "root")
    with pytest.raises(v8ctx.JSError, match="outside the module root"):
        ctx.import_module("../secret.js")


def test_a_symlink_out_of_the_root_is_refused(tmp_path):
    (tmp_path / "root").mkdir()
    (tmp_path / "secret.js").write_text("export const secret = 1")
    os.symlink(tmp_path / "secret.js", tmp_path / "root" / "link.js")
    ctx = v8ctx.Context(modules=tmp_path / "root")
    with pytest.raises(v8ctx.JSError, match="outside the module root"):
        ctx.import_module("./link.js")


def test_a_symlink_inside_the_root_is_followed(tmp_path):
    write_tree(tmp_path, {"real.js": "export const real = true"})
    os.symlink(tmp_path / "real.js", tmp_path / "alias.js")
    assert v8ctx.Context(modules=tmp_path).import_module("./alias.js") == {"real": True}


def test_network_specifiers_are_refused():
    ctx = v8ctx.Context(modules={"a.js": ""})
    with pytest.raises(v8ctx.JSError, match="never from the network"):
        ctx.import_module("https://example.com/x.js")


def test_a_missing_module_names_the_specifier_and_the_importing_file():
    ctx = v8ctx.Context(modules={"main.js": "import './gone.js';"})
    with pytest.raises(v8ctx.JSError, match=r"cannot find module '\./gone\.js' \(imported from /main\.js\)"):
        ctx.import_module("./main.js")


def test_a_syntax_error_names_the_module_file_and_line():
    ctx = v8ctx.Context(modules={"bad.js": "export const ok = 1;\nexport const broken = ;\n"})
    with pytest.raises(v8ctx.JSSyntaxError) as caught:
        ctx.import_module("./bad.js")
    assert "file:///bad.js:2" in str(caught.value)


def test_an_unprovided_node_built_in_is_named():
    ctx = v8ctx.Context(modules={"a.mjs": "import fs from 'fs';"})
    with pytest.raises(v8ctx.JSError, match="does not provide the Node built-in module 'fs'"):
        ctx.import_module("./a.mjs")


def test_without_modules_only_built_ins_load():
    ctx = v8ctx.Context()
    assert ctx.evaluate("import('node:path').then(p => p.join('a', 'b'))") == "a/b"
    with pytest.raises(v8ctx.JSError, match=r"has no modules \(pass Context\(modules="):
        ctx.import_module("./x.js")


@pytest.mark.parametrize(
    "modules, error, message",
    [
        (42, TypeError, "modules= takes a directory"),
        ({"a.js": 1}, TypeError, r'modules\["a.js"\] must be the module.s source text'),
        ({1: "x"}, TypeError, "keys are module paths"),
        ({"../a.js": "x"}, ValueError, "without '..'"),
        ("/definitely/not/here", ValueError, "No such file"),
    ],
)
def test_bad_modules_arguments_are_refused_before_any_runtime_exists(modules, error, message):
    with pytest.raises(error, match=message):
        v8ctx.Context(modules=modules)


def test_a_file_is_not_a_module_root(tmp_path):
    (tmp_path / "f.js").write_text("")
    with pytest.raises(ValueError, match="is not a directory"):
        v8ctx.Context(modules=tmp_path / "f.js")


def test_pool_workers_import_modules():
    with v8ctx.Pool(
        "globalThis.ready = import('./lib.js').then(m => { globalThis.lib = m })",
        modules={"lib.js": "export const triple = x => 3 * x;"},
        workers=2,
    ) as pool:
        assert pool.evaluate("ready.then(() => lib.triple(14))") == 42


# ---- Edges Node defines --------------------------------------------------------------------------


def test_an_imported_json_file_is_parsed_never_run():
    ctx = v8ctx.Context(modules={"data.json": "1);globalThis.ran=1;(2", "main.mjs": "import d from './data.json'; export default d;"})
    with pytest.raises(v8ctx.JSError, match=r"/data\.json: "):
        ctx.import_module("./main.mjs")
    assert ctx.evaluate("typeof ran") == "undefined"


def test_dot_names_the_directory_not_a_file_beside_it():
    ctx = v8ctx.Context(modules={"lib.js": "module.exports = 'the file'", "lib/index.js": "module.exports = 'the index'", "lib/a.js": "module.exports = require('.')"})
    assert ctx.require("./lib/a.js") == "the index"


def test_a_null_exports_falls_back_to_main(tmp_path):
    write_tree(tmp_path, {"node_modules/p/package.json": {"exports": None, "main": "m.js"}, "node_modules/p/m.js": "exports.via = 'main'"})
    assert v8ctx.Context(modules=tmp_path).require("p") == {"via": "main"}


def test_an_exports_target_that_leaves_its_package_is_refused(tmp_path):
    write_tree(
        tmp_path,
        {"node_modules/a/package.json": {"exports": {".": "./../ab/x.js"}}, "node_modules/ab/x.js": "exports.x = 1"},
    )
    with pytest.raises(v8ctx.JSError, match="lead outside the package"):
        v8ctx.Context(modules=tmp_path).require("a")


def test_commonjs_export_names_that_clash_with_the_wrapper_or_strict_mode_still_import():
    ctx = v8ctx.Context(
        modules={"c.js": "exports.m = 1; exports.$v8ctxExports = 2; exports.eval = 3;", "main.mjs": "import c, { m } from './c.js'; export const got = [m, c.eval];"}
    )
    assert ctx.import_module("./main.mjs") == {"got": [1, 3]}


IMPORT_ATTRIBUTES = {
    "d.json": '{"k": 1}',
    "a.js": "globalThis.ran = 1; export default 1",
    "static.mjs": "import j from './d.json' with { type: 'json' }; export default j",
    "unknown.mjs": "import j from './d.json' with { type: 'css' }; export default j",
}


def test_a_json_import_with_type_json_is_its_data():
    ctx = v8ctx.Context(modules=IMPORT_ATTRIBUTES)
    assert ctx.import_module("./static.mjs") == {"default": {"k": 1}}
    assert ctx.evaluate("import('./d.json', { with: { type: 'json' } }).then(m => m.default.k)") == 1


def test_javascript_imported_with_type_json_is_refused_and_never_runs():
    ctx = v8ctx.Context(modules=IMPORT_ATTRIBUTES)
    with pytest.raises(v8ctx.JSError, match=r"'/a\.js' is JavaScript, not JSON: import it without \{ type: \"json\" \}") as raised:
        ctx.evaluate("import('./a.js', { with: { type: 'json' } })")
    assert raised.value.name == "TypeError"
    assert ctx.evaluate("typeof ran") == "undefined"


def test_an_import_attribute_type_other_than_json_is_refused_naming_it():
    ctx = v8ctx.Context(modules=IMPORT_ATTRIBUTES)
    with pytest.raises(v8ctx.JSError, match=r"with \{ type: \"css\" \}: the only import attribute type supported is \"json\""):
        ctx.import_module("./unknown.mjs")


@pytest.mark.timeout(60)
def test_a_module_file_longer_than_a_javascript_string_is_refused_before_it_is_read(tmp_path):
    # deno_core panicked on such a source (a PanicException; a thread Pool's worker died).
    big = tmp_path / "big.mjs"
    with open(big, "wb") as f:
        f.truncate(2**30)  # sparse: no gigabyte is written, and none must be read
    ctx = v8ctx.Context(modules=tmp_path, max_heap_mb=64)
    with pytest.raises(v8ctx.JSError, match=r"big\.mjs is 1073741824 bytes, more than JavaScript's longest string"):
        ctx.import_module("./big.mjs")
    with v8ctx.Pool(workers=1, modules=tmp_path) as pool:
        with pytest.raises(v8ctx.JSError, match="longest string"):
            pool.evaluate("import('./big.mjs')")
        assert pool.evaluate("1 + 1") == 2
