"""URLSearchParams (src/js/web/url_search_params.js), as the URL Standard specifies it: the
application/x-www-form-urlencoded parser and serializer, the list operations, iteration, and the
tie between a URL's searchParams and its search.

Expected values were computed by Node 20's own URLSearchParams and URL running the same
expressions."""

import pytest

import v8ctx

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def ctx():
    context = v8ctx.Context()
    yield context
    context.close()


def pairs(ctx, init):
    return ctx.evaluate(f"[...new URLSearchParams({init})]")


def serialized(ctx, init):
    return ctx.evaluate(f"new URLSearchParams({init}).toString()")


# --------------------------------------------------------------------------------------------------
# Parsing a string


@pytest.mark.parametrize(
    "query, expected",
    [
        ("'a=1&b=2&a=3'", [["a", "1"], ["b", "2"], ["a", "3"]]),
        ("'?a=1'", [["a", "1"]]),  # one leading "?" is dropped
        ("'??a=1'", [["?a", "1"]]),  # only one
        ("'a=1&&b&=c&d='", [["a", "1"], ["b", ""], ["", "c"], ["d", ""]]),  # empty pieces skipped; "=" optional
        ("'a=b=c'", [["a", "b=c"]]),  # the first "=" splits
        ("'a+b=c+d&e=%20%2B%3D'", [["a b", "c d"], ["e", " +="]]),  # "+" is a space, "%2B" a plus
        ("'x=%zz&y=%4&z=%41%42'", [["x", "%zz"], ["y", "%4"], ["z", "AB"]]),  # bad escapes stay as they are
        ("'k=%E2%82%AC&bad=%FF&half=%E2%82'", [["k", "\u20ac"], ["bad", "\ufffd"], ["half", "\ufffd"]]),  # UTF-8, invalid replaced
        ("'\u00e9=\u00fc'", [["\u00e9", "\u00fc"]]),
        ("''", []),
    ],
)
def test_parsing_a_query_string(ctx, query, expected):
    assert pairs(ctx, query) == expected


def test_a_percent_encoded_bom_is_kept(ctx):
    # UTF-8 decode "without BOM": U+FEFF at the start of a name or value stays.
    assert pairs(ctx, "'a=%EF%BB%BFx&%EF%BB%BF=1'") == [["a", "\ufeffx"], ["\ufeff", "1"]]


# --------------------------------------------------------------------------------------------------
# Other initializers


def test_sequence_of_pairs(ctx):
    assert serialized(ctx, "[['a', '1'], ['b', 2]]") == "a=1&b=2"


def test_any_iterable_of_pairs(ctx):
    assert serialized(ctx, "new Map([['m', '1']])") == "m=1"


def test_another_url_search_params_is_copied(ctx):
    assert serialized(ctx, "new URLSearchParams('x=1&y=2')") == "x=1&y=2"


@pytest.mark.parametrize("pair", ["['a']", "['a', 'b', 'c']", "1"])
def test_a_pair_must_have_two_items(ctx, pair):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate(f"new URLSearchParams([{pair}])")
    assert info.value.name == "TypeError"


def test_record_of_own_properties(ctx):
    assert serialized(ctx, "{ a: '1', b: 2, c: [3, 4] }") == "a=1&b=2&c=3%2C4"


def test_record_keys_and_values_are_serialized(ctx):
    assert serialized(ctx, "{ 'a b': 'c&d', '=': '+' }") == "a+b=c%26d&%3D=%2B"


def test_object_with_to_string_is_a_record_not_a_string(ctx):
    assert serialized(ctx, "{ toString() { return 'q=1'; } }") == "toString=toString%28%29+%7B+return+%27q%3D1%27%3B+%7D"


@pytest.mark.parametrize("init, expected", [("", ""), ("undefined", ""), ("null", ""), ("123", "123=")])
def test_missing_and_primitive_initializers(ctx, init, expected):
    assert serialized(ctx, init) == expected


# --------------------------------------------------------------------------------------------------
# Serializing


def test_the_urlencoded_percent_encode_set(ctx):
    # Only ASCII alphanumerics and *-._ stay as they are; a space becomes "+".
    assert serialized(ctx, "[['all', ' !\"#$%&\\'()*+,-./:;<=>?@[\\\\]^_`{|}~']]") == (
        "all=+%21%22%23%24%25%26%27%28%29*%2B%2C-.%2F%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E_%60%7B%7C%7D%7E"
    )


@pytest.mark.parametrize(
    "value, expected",
    [
        ("\\u0000\\u001f\\u007f\\u0080", "%00%1F%7F%C2%80"),
        ("\u00e9", "%C3%A9"),
        ("\U0001F600", "%F0%9F%98%80"),
    ],
)
def test_non_ascii_is_percent_encoded_utf8(ctx, value, expected):
    assert serialized(ctx, f"[['v', '{value}']]") == f"v={expected}"


def test_lone_surrogates_serialize_as_replacement_characters(ctx):
    assert serialized(ctx, "[['\\ud800', '\\udc00']]") == "%EF%BF%BD=%EF%BF%BD"


# --------------------------------------------------------------------------------------------------
# The list operations


def test_append_adds_at_the_end(ctx):
    assert ctx.evaluate("const p = new URLSearchParams('a=1'); p.append('b', '2'); p.append('a', '3'); p.toString()") == "a=1&b=2&a=3"


def test_append_converts_its_arguments_to_strings(ctx):
    assert ctx.evaluate("const p = new URLSearchParams(); p.append('n', null); p.append(undefined, 1); p.toString()") == "n=null&undefined=1"


@pytest.mark.parametrize(
    "call, expected",
    [
        ("p.delete('a')", "b=2"),
        ("p.delete('a', '3')", "a=1&b=2"),  # with a value, only matching pairs
        ("p.delete('a', undefined)", "b=2"),  # an undefined value is no value
    ],
)
def test_delete(ctx, call, expected):
    assert ctx.evaluate(f"const p = new URLSearchParams('a=1&b=2&a=3'); {call}; p.toString()") == expected


def test_get_and_get_all(ctx):
    assert ctx.evaluate(
        "const p = new URLSearchParams('a=1&b=2&a=3'); [p.get('a'), p.get('c'), p.getAll('a'), p.getAll('c')]"
    ) == ["1", None, ["1", "3"], []]


def test_has_with_and_without_a_value(ctx):
    assert ctx.evaluate(
        "const p = new URLSearchParams('a=1&b=2'); [p.has('a'), p.has('c'), p.has('a', '1'), p.has('a', '2'), p.has('a', undefined)]"
    ) == [True, False, True, False, True]


def test_set_replaces_the_first_and_removes_the_rest(ctx):
    assert ctx.evaluate("const p = new URLSearchParams('a=1&b=2&a=3'); p.set('a', 'x'); p.toString()") == "a=x&b=2"


def test_set_appends_a_new_name(ctx):
    assert ctx.evaluate("const p = new URLSearchParams('b=2'); p.set('a', 'x'); p.toString()") == "b=2&a=x"


def test_sort_is_stable_by_name(ctx):
    assert ctx.evaluate("const p = new URLSearchParams('z=1&a=2&z=0&b=3&a=1'); p.sort(); p.toString()") == "a=2&a=1&b=3&z=1&z=0"


def test_sort_compares_utf16_code_units(ctx):
    # U+1F600 is the surrogate pair D83D DE00, which sorts before U+FFFD.
    assert ctx.evaluate(
        "const p = new URLSearchParams([['\\uFFFD', '1'], ['\\uD83D\\uDE00', '2'], ['a', '3']]); p.sort(); [...p.keys()]"
    ) == ["a", "\U0001F600", "\ufffd"]


@pytest.mark.parametrize("call", ["new URLSearchParams().append('a')", "new URLSearchParams().get()"])
def test_missing_arguments_are_type_errors(ctx, call):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate(call)
    assert info.value.name == "TypeError"


# --------------------------------------------------------------------------------------------------
# Size and iteration


def test_size_keys_values_entries(ctx):
    assert ctx.evaluate(
        "const p = new URLSearchParams('a=1&b=2&c=3'); [p.size, [...p.keys()], [...p.values()], [...p.entries()]]"
    ) == [3, ["a", "b", "c"], ["1", "2", "3"], [["a", "1"], ["b", "2"], ["c", "3"]]]


def test_for_each_passes_value_name_and_object_with_this_arg(ctx):
    assert ctx.evaluate(
        "const p = new URLSearchParams('a=1&b=2'); const out = []; p.forEach(function (v, k, o) { out.push([k, v, o === p, String(this)]); }, 'T'); out"
    ) == [["a", "1", True, "T"], ["b", "2", True, "T"]]


def test_iteration_sees_pairs_appended_meanwhile(ctx):
    assert ctx.evaluate(
        "const p = new URLSearchParams('a=1&b=2'); const out = []; for (const [k, v] of p) { out.push(k + v); if (k === 'a') p.append('c', '3'); } out"
    ) == ["a1", "b2", "c3"]


def test_iteration_is_by_position_in_the_live_list(ctx):
    # Deleting the current pair shifts the list under the iterator, so "b" is skipped.
    assert ctx.evaluate(
        "const p = new URLSearchParams('a=1&b=2&c=3'); const out = []; for (const [k] of p) { out.push(k); if (k === 'a') p.delete('a'); } out"
    ) == ["a", "c"]


def test_iterator_objects(ctx):
    assert ctx.evaluate(
        "const it = new URLSearchParams('a=1')[Symbol.iterator](); [Object.prototype.toString.call(it), it.next(), it.next()]"
    ) == ["[object URLSearchParams Iterator]", {"value": ["a", "1"], "done": False}, {"value": None, "done": True}]


def test_default_iterator_is_entries(ctx):
    assert ctx.evaluate("URLSearchParams.prototype[Symbol.iterator] === URLSearchParams.prototype.entries") is True


def test_to_string_tag(ctx):
    assert ctx.evaluate("Object.prototype.toString.call(new URLSearchParams())") == "[object URLSearchParams]"


# --------------------------------------------------------------------------------------------------
# A URL's searchParams


def test_url_search_params_is_one_object_parsed_from_the_query(ctx):
    assert ctx.evaluate("const u = new URL('http://h/p?q=a%20b+c'); [u.searchParams.get('q'), u.searchParams === u.searchParams]") == [
        "a b c", True,
    ]


def test_an_empty_query_gives_empty_params(ctx):
    assert ctx.evaluate("const u = new URL('http://h/p?'); [u.searchParams.size, u.searchParams.toString()]") == [0, ""]


def test_changing_search_params_updates_the_url(ctx):
    assert ctx.evaluate("const u = new URL('http://h/p?a=1&b=2'); u.searchParams.append('c', '3 4'); [u.href, u.search]") == [
        "http://h/p?a=1&b=2&c=3+4", "?a=1&b=2&c=3+4",
    ]


def test_setting_params_on_a_url_without_a_query_adds_one(ctx):
    assert ctx.evaluate("const u = new URL('http://h/p'); u.searchParams.set('k', 'v'); u.href") == "http://h/p?k=v"


def test_deleting_the_last_param_drops_the_question_mark(ctx):
    assert ctx.evaluate("const u = new URL('http://h/p?a=1'); u.searchParams.delete('a'); [u.href, u.search]") == ["http://h/p", ""]


def test_sorting_params_updates_the_url(ctx):
    assert ctx.evaluate("const u = new URL('http://h/p?b=2&a=1'); u.searchParams.sort(); u.search") == "?a=1&b=2"


def test_setting_search_reparses_the_same_params_object(ctx):
    assert ctx.evaluate(
        "const u = new URL('http://h/p?a=1'); const p = u.searchParams; u.search = '?x=9'; [p.get('a'), p.get('x'), p.toString()]"
    ) == [None, "9", "x=9"]


def test_setting_href_reparses_the_params(ctx):
    assert ctx.evaluate("const u = new URL('http://h/p?a=1'); const p = u.searchParams; u.href = 'http://h/q?z=0'; p.toString()") == "z=0"
