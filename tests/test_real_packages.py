"""Real npm packages, as Debian ships them, loaded the three ways users load JavaScript.

Each result is checked against one computed independently: by Python (hashlib, hmac, zlib, gzip,
zipfile, uuid, decimal, datetime, xml.etree, the ``cryptography`` package) or, where Python has
no equivalent, by Node 20 running the same copy of the same package (Node is required: without
it these tests fail, they are never skipped).

============  ========  =========================================  ================================
package       version   loaded                                     checked against
============  ========  =========================================  ================================
pako          2.1.0     ``import_module`` (exports "import")       zlib, gzip
pako          2.1.0     ``compile`` dist/pako.es5.min.js           gzip
marked        4.2.3     ``import_module`` (lib/marked.esm.js)      Node
acorn         8.8.1     ``import_module`` (dist/acorn.mjs)         Python evaluating the same source
js-yaml       4.1.0     ``import_module`` (dist/js-yaml.mjs)       Node
big.js        6.2.1     ``import_module`` (big.mjs)                decimal
uuid          8.3.2     ``import_module`` (esm-browser)            uuid
terser        5.16.5    ``import_module`` (main.js)                Node
elliptic      6.5.4     ``require`` (+ bn.js, hash.js, hmac-drbg)  cryptography (secp256k1)
hash.js       1.1.7     ``require``                                hashlib, hmac
lodash        4.17.21   ``require``                                Python
xml2js        0.4.23    ``require`` (+ sax, xmlbuilder)            xml.etree.ElementTree
semver        7.3.5     ``require`` (+ lru-cache)                  Python (SemVer 2.0.0 precedence)
typescript    4.8.4     ``require`` (once per module)              Node
base64-js     1.5.1     ``ctx.require``                            base64
jszip         3.10.1    ``require`` (+ pako, lie, setimmediate)    zipfile
tweetnacl     1.0.3     ``compile`` nacl-fast.js (UMD on self)     cryptography (Ed25519, X25519)
mustache      3.0.1     ``compile`` mustache.js                    html.escape
moment        2.29.4    ``compile`` libjs-moment's moment.min.js   datetime.strftime
jsencrypt     2.3.0     ``compile`` with ``browser=True``          cryptography (RSA PKCS#1 v1.5)
crypto-js     3.1.2     ``Snapshot.create``, its 33 components     hashlib, hmac, cryptography (AES)
============  ========  =========================================  ================================

Packages loaded through ``modules=`` are copied (never symlinked: v8ctx refuses symlinks that
leave the root) with their dependency closure into one temporary ``node_modules``. The Debian
packages are listed in ``.ci/packages.txt``; ``cryptography`` comes from PyPI.
"""

import base64
import collections
import datetime
import decimal
import gzip
import hashlib
import hmac
import html
import io
import json
import operator
import pathlib
import random
import shutil
import subprocess
import uuid
import xml.etree.ElementTree as ET
import zipfile
import zlib

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils, x25519

import v8ctx

NODEJS = pathlib.Path("/usr/share/nodejs")
JAVASCRIPT = pathlib.Path("/usr/share/javascript")

# The packages loaded through modules=, copied with their dependencies.
MODULE_PACKAGES = [
    "pako", "marked", "acorn", "js-yaml", "big.js", "uuid", "terser",
    "elliptic", "hash.js", "lodash", "xml2js", "semver", "typescript", "base64-js", "jszip",
]

# Node resolves these before node_modules, so a package.json naming one (Debian's hash.js names
# "assert") gets the built-in, and the npm package of that name is never copied.
NODE_BUILT_INS = {
    "assert", "buffer", "child_process", "crypto", "events", "fs", "http", "https", "net", "os",
    "path", "process", "punycode", "querystring", "stream", "string_decoder", "timers", "tty",
    "url", "util", "vm", "zlib",
}

# Dependencies Debian patched out: its elliptic uses require("assert") for minimalistic-assert.
PATCHED_OUT = {"minimalistic-assert"}


def dependency_closure(names):
    """The packages `names` need, read from their package.json files under /usr/share/nodejs."""
    closure, pending = [], list(names)
    while pending:
        name = pending.pop()
        if name in closure or name in NODE_BUILT_INS or name in PATCHED_OUT:
            continue
        manifest = NODEJS / name / "package.json"
        if not manifest.is_file():
            pytest.fail(f"{manifest} is missing: apt-get install the packages in .ci/packages.txt")
        closure.append(name)
        pending.extend(json.loads(manifest.read_text()).get("dependencies", {}))
    return closure


@pytest.fixture(scope="session")
def packages(tmp_path_factory):
    """A module root whose node_modules holds copies of MODULE_PACKAGES and their dependencies."""
    root = tmp_path_factory.mktemp("packages")
    for name in dependency_closure(MODULE_PACKAGES):
        # Debian's packages link into /usr/share/javascript; copying follows the links.
        shutil.copytree(NODEJS / name, root / "node_modules" / name, symlinks=False)
    return root


def bundle(path):
    """A browser bundle's source, read from where its Debian package puts it."""
    if not path.is_file():
        pytest.fail(f"{path} is missing: apt-get install the packages in .ci/packages.txt")
    return path.read_text()


def node(root, body):
    """What `body`, an async function body run by Node 20 as an ES module in `root`, returns (as JSON)."""
    executable = shutil.which("node")
    if executable is None:
        pytest.fail("Node.js (the `node` command, Debian's nodejs) is needed to compute the reference results")
    script = f"const result = await (async () => {{ {body} }})();\nprocess.stdout.write(JSON.stringify(result));"
    done = subprocess.run([executable, "--input-type=module", "-e", script], cwd=root, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        pytest.fail(f"node failed computing the reference:\n{done.stderr}")
    return json.loads(done.stdout)


# ---- As ES modules: ctx.import_module ---------------------------------------------------------------

DATA = b"".join(b"%d: the quick brown fox jumps over the lazy dog\n" % i for i in range(2000))


def test_pako_deflate_gives_a_zlib_stream_python_inflates(packages):
    pako = v8ctx.Context(modules=packages).import_module("pako")
    compressed = pako["deflate"](DATA, {"level": 9})
    assert isinstance(compressed, bytes) and len(compressed) < len(DATA) // 10
    assert zlib.decompress(compressed) == DATA


def test_pako_inflates_what_python_zlib_and_gzip_compress(packages):
    pako = v8ctx.Context(modules=packages).import_module("pako")
    assert pako["inflate"](zlib.compress(DATA, 6)) == DATA
    assert pako["ungzip"](gzip.compress(DATA)) == DATA


def test_marked_renders_markdown_as_node_does(packages):
    markdown = "\n".join(
        [
            "# Title with `code`", "", "Some *emphasis*, **strong** and [a link](https://example.com/?a=1&b=2).", "",
            "- one", "- two", "  1. nested", "", "```js", "if (a < b) { return '&'; }", "```", "",
            "| left | right |", "|:-----|------:|", "| 1 | <b>2</b> |", "", "> quoted <tag> & text", "",
        ]
    )
    marked = v8ctx.Context(modules=packages).import_module("marked")
    expected = node(packages, f"const {{ marked }} = await import('marked'); return marked.parse({json.dumps(markdown)});")
    assert marked["parse"](markdown) == expected


def test_acorn_parses_arithmetic_into_an_estree_that_evaluates_as_python_does(packages):
    operators = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "%": operator.mod, "**": operator.pow}

    def evaluate(node):
        kind = node["type"]
        if kind == "Program":
            [statement] = node["body"]
            return evaluate(statement)
        if kind == "ExpressionStatement":
            return evaluate(node["expression"])
        if kind == "Literal":
            return node["value"]
        if kind == "UnaryExpression" and node["operator"] == "-":
            return -evaluate(node["argument"])
        if kind == "BinaryExpression":
            return operators[node["operator"]](evaluate(node["left"]), evaluate(node["right"]))
        raise AssertionError(f"unexpected node {kind}")

    acorn = v8ctx.Context(modules=packages).import_module("acorn")
    for source in ["(1 + 2) * 3 - 4 / 8", "2 ** 3 ** 2 % 7 - 10 % 4 * -5", "1 - 2 - 3 * (4 - 5) / 6 ** 2", "7 % 3 ** 2 + -(2 - 9) * 0.25"]:
        assert evaluate(acorn["parse"](source, {"ecmaVersion": 2022})) == eval(source), source


def test_js_yaml_loads_anchors_merges_and_block_scalars_as_node_does(packages):
    document = "\n".join(
        [
            "defaults: &defaults", "  adapter: postgres", "  port: 5432", "development:", "  <<: *defaults",
            "  database: dev", "folded: >", "  one", "  two", "", "  three", "literal: |-", "  keep", "    indent",
            "numbers: [0x1F, 0o17, 1e3, -.5, 12_000]", "flags: {on: true, off: false, nothing: ~}",
            "list:", "  - 'single ''quoted'''", "  - \"double \\u00e9\\t\"", "  - plain: value", "    other: 2", "",
        ]
    )
    yaml = v8ctx.Context(modules=packages).import_module("js-yaml")
    expected = node(packages, f"const yaml = await import('js-yaml'); return yaml.load({json.dumps(document)});")
    assert yaml["load"](document) == expected


def test_big_js_decimal_arithmetic_is_python_decimal_s(packages):
    ctx = v8ctx.Context(modules=packages)
    big = ctx.import_module("big.js")["Big"]
    compute = ctx.evaluate("(Big, operation, a, b) => { Big.DP = 50; Big.RM = Big.roundHalfUp; return new Big(a)[operation](b).toFixed(50) }")
    exact = decimal.Context(prec=2000, rounding=decimal.ROUND_HALF_UP)
    places = decimal.Decimal(10) ** -50
    python = {
        "div": lambda a, b: exact.divide(a, b),
        "times": lambda a, b: exact.multiply(a, b),
        "minus": lambda a, b: exact.subtract(a, b),
        "pow": lambda a, b: exact.power(a, int(b)),
    }
    cases = [("div", "1", "7"), ("div", "-22", "7"), ("div", "123456789.987654321", "0.0003"), ("times", "0.1", "0.2"),
             ("times", "-98765432109876543210.5", "12345678901234567890.25"), ("minus", "0.3", "0.1"), ("pow", "1.0001", 365)]
    for operation, a, b in cases:
        expected = exact.quantize(python[operation](decimal.Decimal(a), decimal.Decimal(b)), places)
        assert compute(big, operation, a, b) == f"{expected:f}", (operation, a, b)


def test_uuid_name_based_ids_are_python_s_uuid3_and_uuid5(packages):
    ids = v8ctx.Context(modules=packages).import_module("uuid")
    for name in ["example.com", "https://example.com/a?b=c", "ünïcødé ✓", ""]:
        for namespace in [uuid.NAMESPACE_DNS, uuid.NAMESPACE_URL]:
            assert ids["v5"](name, str(namespace)) == str(uuid.uuid5(namespace, name))
            assert ids["v3"](name, str(namespace)) == str(uuid.uuid3(namespace, name))


def test_uuid_v4_ids_are_random_rfc_4122_version_4(packages):
    ids = v8ctx.Context(modules=packages).import_module("uuid")
    made = [uuid.UUID(ids["v4"]()) for _ in range(200)]
    assert all(u.version == 4 and u.variant == uuid.RFC_4122 for u in made)
    assert len(set(made)) == 200


def test_terser_minifies_as_node_does(packages):
    source = """
        function fibonacci(count) {
            const sequence = [0, 1];
            for (let index = 2; index < count; index++) {
                sequence.push(sequence[index - 1] + sequence[index - 2]);
            }
            if (false) { console.log("never"); }
            return sequence.slice(0, count);
        }
        export const firstTen = fibonacci(10);
    """
    options = {"module": True, "compress": {"passes": 2}, "mangle": True}
    terser = v8ctx.Context(modules=packages).import_module("terser")
    expected = node(packages, f"const {{ minify }} = await import('terser'); return (await minify({json.dumps(source)}, {json.dumps(options)})).code;")
    assert terser["minify"](source, options)["code"] == expected


# ---- Through require() ------------------------------------------------------------------------------

PRIVATE_KEY = 0x1E99423A4ED27608A15A2616A2B0E9E52CED330AC530EDCC32C8FFC6A526AEDD


def test_elliptic_derives_the_secp256k1_public_key_cryptography_does(packages):
    public_key = v8ctx.Context(modules=packages).evaluate(
        "(secret) => new (require('elliptic').ec)('secp256k1').keyFromPrivate(secret, 'hex').getPublic(false, 'hex')"
    )
    reference = ec.derive_private_key(PRIVATE_KEY, ec.SECP256K1()).public_key()
    uncompressed = reference.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    assert public_key(f"{PRIVATE_KEY:064x}") == uncompressed.hex()


def test_elliptic_ecdsa_signatures_verify_with_cryptography(packages):
    sign = v8ctx.Context(modules=packages).evaluate(
        "(secret, digest) => new (require('elliptic').ec)('secp256k1').keyFromPrivate(secret, 'hex').sign(digest, { canonical: true }).toDER('hex')"
    )
    public_key = ec.derive_private_key(PRIVATE_KEY, ec.SECP256K1()).public_key()
    for message in [b"", b"hello", bytes(range(256)) * 4]:
        digest = hashlib.sha256(message).digest()
        signature = bytes.fromhex(sign(f"{PRIVATE_KEY:064x}", digest.hex()))
        public_key.verify(signature, digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))  # raises if wrong


@pytest.mark.parametrize("algorithm", ["sha1", "sha224", "sha256", "sha384", "sha512", "ripemd160"])
def test_hash_js_digests_are_hashlib_s(packages, algorithm):
    digest = v8ctx.Context(modules=packages).evaluate("(name, data) => require('hash.js')[name]().update(data).digest('hex')")
    for data in [b"", b"abc", bytes(range(256)) * 9]:
        assert digest(algorithm, data) == hashlib.new(algorithm, data).hexdigest()


def test_hash_js_hmacs_are_python_s(packages):
    mac = v8ctx.Context(modules=packages).evaluate("(name, key, data) => { const hash = require('hash.js'); return hash.hmac(hash[name], key).update(data).digest('hex') }")
    for name in ["sha256", "sha512"]:
        for key in [b"k", b"\x0b" * 20, bytes(range(200))]:
            assert mac(name, key, b"what do ya want for nothing?") == hmac.new(key, b"what do ya want for nothing?", name).hexdigest()


def test_lodash_groups_and_aggregates_as_python_does(packages):
    chance = random.Random(4)
    records = [{"name": f"person{i}", "dept": chance.choice("ABCDE"), "salary": chance.randrange(1000, 9000)} for i in range(300)]
    summarise = v8ctx.Context(modules=packages).evaluate(
        """(records) => {
            const _ = require('lodash');
            return _(records).groupBy('dept').mapValues((people) => ({
                count: people.length,
                total: _.sumBy(people, 'salary'),
                top: _.maxBy(people, 'salary').name,
                pages: _.chunk(_.map(_.sortBy(people, ['salary', 'name']), 'name'), 25).length,
            })).value();
        }"""
    )
    by_dept = collections.defaultdict(list)
    for record in records:
        by_dept[record["dept"]].append(record)
    expected = {
        dept: {
            "count": len(people),
            "total": sum(p["salary"] for p in people),
            "top": max(people, key=lambda p: p["salary"])["name"],
            "pages": -(-len(people) // 25),
        }
        for dept, people in by_dept.items()
    }
    assert summarise(records) == expected


def test_xml2js_parses_the_tree_elementtree_wrote(packages):
    books = [{"id": "b1", "title": "Tom & Jerry <1>", "price": "9.99"}, {"id": "b\"2\"", "title": "Ünïcødé — ok", "price": "0"}]
    catalog = ET.Element("catalog")
    for book in books:
        element = ET.SubElement(catalog, "book", id=book["id"])
        ET.SubElement(element, "title").text = book["title"]
        ET.SubElement(element, "price").text = book["price"]
    document = ET.tostring(catalog, encoding="unicode")
    parse = v8ctx.Context(modules=packages).evaluate(
        "(xml) => new Promise((resolve, reject) => require('xml2js').parseString(xml, (error, result) => error ? reject(error) : resolve(result)))"
    )
    expected = {"catalog": {"book": [{"$": {"id": b["id"]}, "title": [b["title"]], "price": [b["price"]]} for b in books]}}
    assert parse(document) == expected


def test_semver_sorts_by_semver_2_precedence(packages):
    def precedence(version):
        core, _, prerelease = version.partition("-")
        release = tuple(int(part) for part in core.split("."))
        if not prerelease:
            return release + (1, ())
        return release + (0, tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in prerelease.split(".")))

    versions = [
        "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
        "1.0.0-rc.1", "1.0.0", "0.9.12", "0.10.0", "1.2.0", "1.10.0", "2.0.0-0", "2.0.0", "10.0.0", "1.0.0-alpha.10",
        "1.0.0-alpha.9", "1.0.0-0.3.7", "1.0.0-x.7.z.92",
    ]
    random.Random(11).shuffle(versions)
    sort = v8ctx.Context(modules=packages).evaluate("(versions) => require('semver').sort(versions)")
    assert sort(versions) == sorted(versions, key=precedence)


@pytest.fixture(scope="module")
def typescript(packages):
    """One Context with the TypeScript compiler required, shared by the tests (it is 9 MB of JavaScript)."""
    ctx = v8ctx.Context(modules=packages)
    ctx.evaluate("globalThis.ts = require('typescript'); undefined")
    return ctx


TYPESCRIPT_SOURCE = """
enum Colour { Red = 1, Green, Blue }
interface Shape { area(): number }
abstract class Base implements Shape { constructor(protected readonly name: string) {} abstract area(): number }
export class Circle extends Base {
    constructor(private radius: number) { super("circle"); }
    area(): number { return Math.PI * this.radius ** 2; }
}
export async function total(shapes: Shape[], ...more: Shape[]): Promise<number> {
    const all = [...shapes, ...more];
    for await (const shape of all) { void shape; }
    return all.reduce((sum, { area }) => sum + area(), 0) as number;
}
export const favourite: Colour = Colour.Blue;
"""


def test_typescript_transpiles_to_es5_as_node_does(packages, typescript):
    # newLine is explicit: without ts.sys (absent where process.browser is true) TypeScript writes \r\n.
    options = {"compilerOptions": {"target": "ES5", "module": "CommonJS", "downlevelIteration": True, "newLine": "lf"}, "fileName": "shapes.ts"}
    transpile = typescript.evaluate("(source, options) => ts.transpileModule(source, options).outputText")
    expected = node(packages, f"const {{ default: ts }} = await import('typescript'); return ts.transpileModule({json.dumps(TYPESCRIPT_SOURCE)}, {json.dumps(options)}).outputText;")
    assert "__awaiter" in expected and "class Circle" not in expected
    assert transpile(TYPESCRIPT_SOURCE, options) == expected


def test_typescript_reports_syntax_errors_as_node_does(packages, typescript):
    broken = "let x: number = ;\nfunction (a b) {}\n"
    options = {"reportDiagnostics": True, "compilerOptions": {"target": "ES2020"}}
    diagnose = "(source, options) => ts.transpileModule(source, options).diagnostics.map((d) => [d.start, d.code, ts.flattenDiagnosticMessageText(d.messageText, '\\n')])"
    expected = node(packages, f"const {{ default: ts }} = await import('typescript'); return ({diagnose})({json.dumps(broken)}, {json.dumps(options)});")
    assert len(expected) >= 2
    assert typescript.evaluate(diagnose)(broken, options) == expected


def test_ctx_require_gives_base64_js_functions_that_agree_with_python(packages):
    base64_js = v8ctx.Context(modules=packages).require("base64-js")
    assert all(isinstance(base64_js[name], v8ctx.JSFunction) for name in ["byteLength", "toByteArray", "fromByteArray"])
    for data in [b"", b"f", b"fo", b"foo", bytes(range(256)) * 3]:
        encoded = base64.b64encode(data).decode()
        assert base64_js["fromByteArray"](data) == encoded
        assert base64_js["toByteArray"](encoded) == data
        assert base64_js["byteLength"](encoded) == len(data)


ARCHIVE = {"hello.txt": b"Hello, zip!\n", "data/big.bin": DATA, "data/empty": b"", "ünï.txt": "ünïcødé".encode()}


def test_jszip_writes_a_deflated_archive_python_zipfile_reads(packages):
    write = v8ctx.Context(modules=packages).evaluate(
        """(files) => {
            const JSZip = require('jszip');
            const zip = new JSZip();
            for (const [name, data] of Object.entries(files)) zip.file(name, data);
            return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
        }"""
    )
    archive = zipfile.ZipFile(io.BytesIO(write(ARCHIVE)))
    assert archive.testzip() is None
    assert {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()} == ARCHIVE
    assert archive.getinfo("data/big.bin").compress_type == zipfile.ZIP_DEFLATED


def test_jszip_reads_an_archive_python_zipfile_wrote(packages):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in ARCHIVE.items():
            archive.writestr(name, data)
    read = v8ctx.Context(modules=packages).evaluate(
        """async (bytes) => {
            const zip = await require('jszip').loadAsync(bytes);
            const files = {};
            for (const entry of Object.values(zip.files)) if (!entry.dir) files[entry.name] = await entry.async('uint8array');
            return files;
        }"""
    )
    assert read(buffer.getvalue()) == ARCHIVE


# ---- As browser bundles: ctx.compile ----------------------------------------------------------------


def test_pako_s_es5_bundle_defines_a_global_whose_gzip_python_reads():
    ctx = v8ctx.Context()
    ctx.compile(bundle(NODEJS / "pako/dist/pako.es5.min.js"))
    assert gzip.decompress(ctx.call("pako.gzip", [DATA])) == DATA


SEED = bytes(range(32, 64))


def test_tweetnacl_ed25519_keys_and_signatures_are_cryptography_s():
    ctx = v8ctx.Context()
    ctx.compile(bundle(NODEJS / "tweetnacl/nacl-fast.js"))
    sign = ctx.evaluate("(seed, message) => { const pair = nacl.sign.keyPair.fromSeed(seed); return [pair.publicKey, nacl.sign.detached(message, pair.secretKey)] }")
    reference = ed25519.Ed25519PrivateKey.from_private_bytes(SEED)
    public = reference.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    for message in [b"", b"attack at dawn", DATA]:
        assert sign(SEED, message) == [public, reference.sign(message)]


def test_tweetnacl_x25519_shared_secrets_are_cryptography_s():
    ctx = v8ctx.Context()
    ctx.compile(bundle(NODEJS / "tweetnacl/nacl-fast.js"))
    ours = x25519.X25519PrivateKey.from_private_bytes(SEED)
    ours_public = ours.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    theirs = ctx.evaluate("nacl.box.keyPair()")
    shared = ctx.call("nacl.scalarMult", [theirs["secretKey"], ours_public])
    assert shared == ours.exchange(x25519.X25519PublicKey.from_public_bytes(theirs["publicKey"]))
    assert ctx.call("nacl.scalarMult.base", [SEED]) == ours_public


def test_mustache_renders_sections_and_escapes_as_html_escape_does():
    ctx = v8ctx.Context()
    ctx.compile(bundle(NODEJS / "mustache/mustache.js"))
    people = [{"name": "Ann <admin>", "age": 31, "admin": True}, {"name": 'Bob & "Co"', "age": 4, "admin": False}]
    template = "<ul>{{#people}}<li>{{name}} ({{age}}){{#admin}} *{{/admin}}</li>{{/people}}{{^people}}nobody{{/people}}</ul>{{{raw}}}"
    expected = "<ul>" + "".join(f"<li>{html.escape(p['name'])} ({p['age']}){' *' if p['admin'] else ''}</li>" for p in people) + "</ul><b>kept</b>"
    assert ctx.call("Mustache.render", [template, {"people": people, "raw": "<b>kept</b>"}]) == expected
    assert ctx.call("Mustache.render", [template, {"people": [], "raw": ""}]) == "<ul>nobody</ul>"


def test_moment_formats_utc_timestamps_as_strftime_does():
    ctx = v8ctx.Context()
    ctx.compile(bundle(JAVASCRIPT / "moment/moment.min.js"))
    format_utc = ctx.evaluate("(milliseconds, format) => moment.utc(milliseconds).format(format)")
    chance = random.Random(3)
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    for _ in range(100):
        seconds = chance.randrange(-2_000_000_000, 4_000_000_000)
        moment = epoch + datetime.timedelta(seconds=seconds)
        expected = moment.strftime("%Y-%m-%d %H:%M:%S %A %B %j %G-W%V-%u")
        assert format_utc(seconds * 1000, "YYYY-MM-DD HH:mm:ss dddd MMMM DDDD GGGG-[W]WW-E") == expected


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jsencrypt(key_pem):
    ctx = v8ctx.Context(browser=True, user_agent="Mozilla/5.0 (X11; Linux x86_64) v8ctx-tests", url="https://example.com/")
    ctx.compile(bundle(JAVASCRIPT / "jsencrypt/jsencrypt.min.js"))
    ctx.evaluate(f"globalThis.rsa = new JSEncrypt(); rsa.setKey({json.dumps(key_pem)}); undefined")
    return ctx


def test_jsencrypt_ciphertext_decrypts_with_cryptography(rsa_key):
    public_pem = rsa_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    ctx = jsencrypt(public_pem)
    for message in ["hello", "ünïcødé ✓", "x" * 200]:
        ciphertext = ctx.call("rsa.encrypt", [message])
        assert isinstance(ciphertext, str), ciphertext
        assert rsa_key.decrypt(base64.b64decode(ciphertext), padding.PKCS1v15()).decode() == message


def test_jsencrypt_decrypts_what_cryptography_encrypts(rsa_key):
    private_pem = rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()).decode()
    ctx = jsencrypt(private_pem)
    for message in ["hello", "ünïcødé ✓", "x" * 200]:
        ciphertext = base64.b64encode(rsa_key.public_key().encrypt(message.encode(), padding.PKCS1v15())).decode()
        assert ctx.call("rsa.decrypt", [ciphertext]) == message


# ---- From a user snapshot: Snapshot.create, Context(snapshot=...) --------------------------------

# crypto-js's own bundle order (its npm crypto-js.js); libjs-cryptojs ships the components apart.
CRYPTO_JS_COMPONENTS = "core x64-core lib-typedarrays enc-utf16 enc-base64 md5 sha1 sha256 sha224 sha512 sha384 sha3 ripemd160 hmac pbkdf2 evpkdf cipher-core mode-cfb mode-ctr mode-ctr-gladman mode-ofb mode-ecb pad-ansix923 pad-iso10126 pad-iso97971 pad-zeropadding pad-nopadding format-hex aes tripledes rc4 rabbit rabbit-legacy".split()


@pytest.fixture(scope="module")
def crypto_js():
    """A Context from a snapshot in which crypto-js (190 KB, 33 classic scripts) ran."""
    sources = [bundle(JAVASCRIPT / f"cryptojs/components/{name}.js") for name in CRYPTO_JS_COMPONENTS]
    snap = v8ctx.Snapshot.from_bytes(v8ctx.Snapshot.create(sources).to_bytes())
    with v8ctx.Context(snapshot=snap) as ctx:
        yield ctx


MESSAGES = ["", "abc", "ünïcødé ✓", DATA.decode()[:5000]]


@pytest.mark.parametrize("algorithm", ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"])
def test_crypto_js_digests_from_a_snapshot_are_hashlib_s(crypto_js, algorithm):
    digest = crypto_js.evaluate(f"(m) => CryptoJS.{algorithm.upper()}(m).toString()")
    for message in MESSAGES:
        assert digest(message) == hashlib.new(algorithm, message.encode()).hexdigest()


@pytest.mark.parametrize("algorithm", ["md5", "sha1", "sha256", "sha512"])
def test_crypto_js_hmacs_from_a_snapshot_are_python_s(crypto_js, algorithm):
    keyed = crypto_js.evaluate(f"(m, k) => CryptoJS.Hmac{algorithm.upper()}(m, k).toString()")
    for message in MESSAGES:
        assert keyed(message, "key ✓") == hmac.new("key ✓".encode(), message.encode(), algorithm).hexdigest()


def test_crypto_js_hmac_sha224_and_sha384_from_a_snapshot_are_node_s(crypto_js, tmp_path):
    """crypto-js 3.1.2 gets these two HMACs wrong (its 3.1.3 fixed them): faithful means wrong alike."""
    body = "CryptoJS.HmacSHA224(m, 'key ✓').toString() + CryptoJS.HmacSHA384(m, 'key ✓').toString()"
    reference = node(tmp_path, f"""
        const {{ readFileSync }} = await import("node:fs");
        const vm = await import("node:vm");
        const context = vm.createContext({{}});
        for (const file of {json.dumps([str(JAVASCRIPT / f"cryptojs/components/{name}.js") for name in CRYPTO_JS_COMPONENTS])})
            vm.runInContext(readFileSync(file, "utf8"), context);
        return vm.runInContext(`${{JSON.stringify({json.dumps(MESSAGES)})}}.map((m) => {body})`, context);
    """)
    assert crypto_js.evaluate(f"{json.dumps(MESSAGES)}.map((m) => {body})") == reference
    assert reference[1][:56] != hmac.new("key ✓".encode(), b"abc", "sha224").hexdigest()


def test_crypto_js_pbkdf2_from_a_snapshot_is_hashlib_s(crypto_js):
    derive = crypto_js.evaluate("(p, s) => CryptoJS.PBKDF2(p, s, { keySize: 8, iterations: 50 }).toString()")
    assert derive("secret", "salt") == hashlib.pbkdf2_hmac("sha1", b"secret", b"salt", 50, 32).hex()


def test_crypto_js_aes_cbc_from_a_snapshot_round_trips_with_cryptography(crypto_js):
    from cryptography.hazmat.primitives import padding as symmetric_padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key, iv = bytes(range(32)), bytes(range(100, 116))
    cipher = Cipher(algorithms.AES(key), modes.CBC(iv))
    encrypt = crypto_js.evaluate("(m, k, iv) => CryptoJS.AES.encrypt(m, CryptoJS.enc.Hex.parse(k), { iv: CryptoJS.enc.Hex.parse(iv) }).toString()")
    decrypt = crypto_js.evaluate("(c, k, iv) => CryptoJS.AES.decrypt(c, CryptoJS.enc.Hex.parse(k), { iv: CryptoJS.enc.Hex.parse(iv) }).toString(CryptoJS.enc.Utf8)")
    for message in ["attack at dawn", "ünïcødé ✓" * 7]:
        padder = symmetric_padding.PKCS7(128).padder()
        padded = padder.update(message.encode()) + padder.finalize()
        encryptor = cipher.encryptor()
        ours = base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode()
        assert encrypt(message, key.hex(), iv.hex()) == ours
        assert decrypt(ours, key.hex(), iv.hex()) == message
