"""The web platform globals: ``self``, the opt-in browser globals, ``URL``, ``TextDecoder`` with the
WHATWG legacy encodings, and ``structuredClone``. Expected values come from Python's codecs or,
where marked, from Node 20 on the same input."""

import pytest

import v8ctx


@pytest.fixture(scope="module")
def ctx():
    with v8ctx.Context() as context:
        yield context


# ---- self and the browser globals ----------------------------------------------------------------


def test_self_is_the_global_object_as_in_deno_and_web_workers(ctx):
    assert ctx.evaluate("self === globalThis && typeof window === 'undefined'") is True


def test_a_umd_bundle_that_looks_for_self_exports_onto_it(ctx):
    umd = """(function (root, factory) {
        if (typeof define === 'function' && define.amd) define([], factory);
        else if (typeof module === 'object' && module.exports) module.exports = factory();
        else root.umdLib = factory();
    }(typeof self !== 'undefined' ? self : this, function () { return { answer: 42 }; }));"""
    ctx.compile(umd)
    assert ctx.evaluate("umdLib.answer") == 42


def test_browser_globals_are_opt_in_and_say_what_the_user_set():
    ctx = v8ctx.Context(browser=True, user_agent="TestBrowser/1.0", url="https://shop.example.com:8443/cart?id=7#pay")
    assert ctx.evaluate("window === globalThis && window.self === self") is True
    assert ctx.evaluate("navigator.userAgent") == "TestBrowser/1.0"
    assert ctx.evaluate("[location.href, location.host, location.pathname, location.search, location.hash, location.origin]") == [
        "https://shop.example.com:8443/cart?id=7#pay",
        "shop.example.com:8443",
        "/cart",
        "?id=7",
        "#pay",
        "https://shop.example.com:8443",
    ]


def test_the_default_browser_looks_like_chrome_on_a_blank_page():
    ctx = v8ctx.Context(browser=True)
    assert ctx.evaluate("[/Chrome\\//.test(navigator.userAgent), location.href, typeof document]") == [True, "about:blank", "undefined"]


def test_browser_options_without_browser_true_are_a_mistake():
    with pytest.raises(TypeError, match="pass browser=True"):
        v8ctx.Context(user_agent="x")


def test_a_browser_url_must_be_absolute():
    with pytest.raises(ValueError, match="not an absolute URL"):
        v8ctx.Context(browser=True, url="/relative")


# ---- URL (expected values computed by Node 20) -------------------------------------------------

URL_PARTS = ["href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"]

URL_CASES = [
    (
        "https://user:pa ss@EXAMPLE.com:443/a/./b/../c?x=1 2#frag",
        None,
        ["https://user:pa%20ss@example.com/a/c?x=1%202#frag", "https://example.com", "https:", "user", "pa%20ss", "example.com", "example.com", "", "/a/c", "?x=1%202", "#frag"],
    ),
    ("../d?y#z", "http://h.com/a/b/c", ["http://h.com/a/d?y#z", "http://h.com", "http:", "", "", "h.com", "h.com", "", "/a/d", "?y", "#z"]),
    ("//other.org/p", "https://h.com/a", ["https://other.org/p", "https://other.org", "https:", "", "", "other.org", "other.org", "", "/p", "", ""]),
    (
        "http://例え.jp/パス",
        None,
        ["http://xn--r8jz45g.jp/%E3%83%91%E3%82%B9", "http://xn--r8jz45g.jp", "http:", "", "", "xn--r8jz45g.jp", "xn--r8jz45g.jp", "", "/%E3%83%91%E3%82%B9", "", ""],
    ),
    ("HTTP://[::1]:8080/", None, ["http://[::1]:8080/", "http://[::1]:8080", "http:", "", "", "[::1]:8080", "[::1]", "8080", "/", "", ""]),
    ("file:///C:/x/../y", None, ["file:///C:/y", "null", "file:", "", "", "", "", "", "/C:/y", "", ""]),
    ("data:text/plain,hi there", None, ["data:text/plain,hi there", "null", "data:", "", "", "", "", "", "text/plain,hi there", "", ""]),
    ("http://h.com:80/", None, ["http://h.com/", "http://h.com", "http:", "", "", "h.com", "h.com", "", "/", "", ""]),
    ("blob:https://a.com/uuid", None, ["blob:https://a.com/uuid", "https://a.com", "blob:", "", "", "", "", "", "https://a.com/uuid", "", ""]),
    ("  https://h.com/\t\na  ", None, ["https://h.com/a", "https://h.com", "https:", "", "", "h.com", "h.com", "", "/a", "", ""]),
    ("http://0x7f.1/", None, ["http://127.0.0.1/", "http://127.0.0.1", "http:", "", "", "127.0.0.1", "127.0.0.1", "", "/", "", ""]),
    (
        "mailto:someone@example.com?subject=hi",
        None,
        ["mailto:someone@example.com?subject=hi", "null", "mailto:", "", "", "", "", "", "someone@example.com", "?subject=hi", ""],
    ),
]


@pytest.mark.parametrize("url, base, parts", URL_CASES)
def test_url_parses_as_the_url_standard_says(ctx, url, base, parts):
    ctx.expose("urlCase", {"url": url, "base": base, "names": URL_PARTS})
    got = ctx.evaluate("(() => { const x = urlCase.base === null ? new URL(urlCase.url) : new URL(urlCase.url, urlCase.base); return urlCase.names.map(n => x[n]) })()")
    assert got == parts


@pytest.mark.parametrize("url", ["", "http://", "http://a b/", "//x", "http://[::1/", "https://h.com:99999/", "http://1.2.3.4.5/"])
def test_invalid_urls_throw_type_error_and_cannot_parse(ctx, url):
    ctx.expose("bad", url)
    assert ctx.evaluate("[URL.canParse(bad), URL.parse(bad), (() => { try { new URL(bad) } catch (e) { return e.constructor.name } })()]") == [False, None, "TypeError"]


def test_url_setters_and_search_params_stay_in_step(ctx):
    script = """(() => {
        const u = new URL("https://a.com/p?x=1&y=2");
        const seen = [];
        u.searchParams.append("z", "a b"); seen.push(u.href);
        u.search = ""; seen.push(u.href, [...u.searchParams].length);
        u.searchParams.set("q", "1"); seen.push(u.href);
        u.protocol = "http"; u.port = "8080"; u.hash = "top"; u.pathname = "/a b"; seen.push(u.href);
        u.port = "99999"; seen.push(u.href);
        try { u.href = "nope" } catch (e) { seen.push(e.constructor.name) }
        seen.push(JSON.stringify({ u }));
        return seen;
    })()"""
    assert ctx.evaluate(script) == [
        "https://a.com/p?x=1&y=2&z=a+b",
        "https://a.com/p",
        0,
        "https://a.com/p?q=1",
        "http://a.com:8080/a%20b?q=1#top",
        "http://a.com:8080/a%20b?q=1#top",
        "TypeError",
        '{"u":"http://a.com:8080/a%20b?q=1#top"}',
    ]


# ---- TextDecoder ---------------------------------------------------------------------------------

TEXTS = {
    "gbk": "你好，世界：编码测试",
    "gb18030": "你好𠀀世界€",
    "big5": "繁體中文測試",
    "shift_jis": "日本語のテキスト、カタカナ",
    "euc-jp": "日本語のテキスト",
    "euc-kr": "한국어 텍스트",
    "windows-1252": "café – “quotes” €",
    "iso-8859-2": "Łódź żółć",
    "koi8-r": "Привет мир",
    "utf-16le": "mixed ascii 和 emoji 😀",
    "utf-16be": "mixed ascii 和 emoji 😀",
}


@pytest.mark.parametrize("encoding", sorted(TEXTS))
def test_text_decoder_decodes_the_whatwg_legacy_encodings(ctx, encoding):
    text = TEXTS[encoding]
    ctx.expose("encoded", text.encode(encoding.replace("windows-", "cp")))
    assert ctx.evaluate(f"new TextDecoder({encoding!r}).decode(encoded)") == text


@pytest.mark.parametrize("encoding", ["gbk", "shift_jis", "big5", "utf-8", "utf-16le"])
def test_streaming_decodes_byte_by_byte_as_in_one_piece(ctx, encoding):
    text = {"gbk": "汉字流式", "shift_jis": "ストリーム", "big5": "串流測試", "utf-8": "流式😀", "utf-16le": "流式😀"}[encoding]
    ctx.expose("encoded", text.encode(encoding))
    script = f"""(() => {{
        const d = new TextDecoder({encoding!r});
        let out = "";
        for (let i = 0; i < encoded.length; i++) out += d.decode(encoded.subarray(i, i + 1), {{ stream: true }});
        return out + d.decode();
    }})()"""
    assert ctx.evaluate(script) == text


@pytest.mark.parametrize(
    "label, name",
    [("latin1", "windows-1252"), ("utf-16", "utf-16le"), ("x-sjis", "shift_jis"), ("gb2312", "gbk"), (" UTF8 ", "utf-8"), ("x-gbk", "gbk"), ("csbig5", "big5")],
)
def test_labels_map_to_the_standard_names(ctx, label, name):
    assert ctx.evaluate(f"new TextDecoder({label!r}).encoding") == name


@pytest.mark.parametrize("label", ["replacement", "no-such-encoding"])
def test_unknown_labels_and_replacement_are_range_errors(ctx, label):
    assert ctx.evaluate(f"try {{ new TextDecoder({label!r}) }} catch (e) {{ e.constructor.name }}") == "RangeError"


def test_fatal_decoding_throws_type_error_and_the_default_replaces(ctx):
    assert ctx.evaluate("try { new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff])) } catch (e) { e.message }") == (
        "The encoded data was not valid for encoding utf-8"
    )
    assert ctx.evaluate("new TextDecoder().decode(new Uint8Array([0x41, 0xff]))") == "A\ufffd"


def test_the_bom_is_removed_unless_ignore_bom(ctx):
    assert ctx.evaluate("new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))") == "A"
    assert ctx.evaluate("new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))") == "\ufeffA"


# ---- structuredClone -----------------------------------------------------------------------------


def test_structured_clone_copies_deeply_with_cycles_and_built_in_types(ctx):
    script = """(() => {
        const original = { date: new Date(0), map: new Map([[1, { deep: [1, 2] }]]), set: new Set(['a']), bytes: new Uint8Array([1, 2]), re: /x/gi, big: 10n };
        original.self = original;
        const copy = structuredClone(original);
        return [copy !== original, copy.self === copy, copy.date.getTime(), copy.map.get(1).deep, copy.map.get(1) !== original.map.get(1),
                [...copy.set], Array.from(copy.bytes), copy.re.flags, copy.big === 10n];
    })()"""
    assert ctx.evaluate(script) == [True, True, 0, [1, 2], True, ["a"], [1, 2], "gi", True]


@pytest.mark.parametrize("value", ["() => 1", "Symbol('s')", "{ f() {} }"])
def test_what_cannot_be_cloned_is_a_data_clone_error(ctx, value):
    assert ctx.evaluate(f"try {{ structuredClone({value}) }} catch (e) {{ [e instanceof DOMException, e.name] }}") == [True, "DataCloneError"]
