"""Blob and File (src/js/web/blob.js), as the File API specifies them: bytes from strings (UTF-8),
buffers, views and other Blobs, a normalized type, slice(), and text()/arrayBuffer()/bytes().

Expected values were computed by Node 20's own Blob and File running the same expressions, except
where a test says that the File API differs from Node."""

import pytest

import v8ctx

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def ctx():
    context = v8ctx.Context()
    yield context
    context.close()


# --------------------------------------------------------------------------------------------------
# Construction


def test_empty_blob(ctx):
    assert ctx.evaluate("const b = new Blob(); [b.size, b.type]") == [0, ""]


def test_strings_are_utf8_encoded(ctx):
    assert ctx.evaluate("new Blob(['abc', 'd\u00e9f']).size") == 7


def test_lone_surrogates_become_replacement_characters(ctx):
    assert ctx.evaluate("new Blob(['\\ud800']).bytes()") == b"\xef\xbf\xbd"


def test_buffers_views_and_blobs_are_concatenated_in_order(ctx):
    assert ctx.evaluate("new Blob(['ab', new Blob(['cd']), new Uint8Array([101])]).text()") == "abcde"


def test_array_buffers_typed_arrays_and_data_views_count_their_bytes(ctx):
    assert ctx.evaluate(
        "new Blob([new Uint8Array([1, 2, 3]), new Uint16Array([1]).buffer, new DataView(new ArrayBuffer(2))]).size"
    ) == 7


def test_a_view_contributes_only_its_window(ctx):
    assert ctx.evaluate("new Blob([new Uint8Array([1, 2, 3, 4]).subarray(1, 3)]).bytes()") == b"\x02\x03"


def test_parts_are_copied_at_construction(ctx):
    assert ctx.evaluate("const u = new Uint8Array([1, 2]); const b = new Blob([u]); u[0] = 9; b.bytes()") == b"\x01\x02"


def test_other_values_are_converted_to_strings(ctx):
    assert ctx.evaluate("new Blob([1, true, null, { toString() { return 'o'; } }]).text()") == "1truenullo"


def test_any_iterable_of_parts_is_accepted(ctx):
    assert ctx.evaluate("new Blob(new Set(['a', 'b'])).text()") == "ab"


def test_a_string_is_not_a_sequence_of_parts(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("new Blob('abc')")
    assert info.value.name == "TypeError"


@pytest.mark.parametrize(
    "type, expected",
    [
        ("Text/HTML; Charset=UTF-8", "text/html; charset=utf-8"),  # lowercased
        ("text/plain\\u00e9", ""),  # a character beyond ASCII empties it
        ("a\\nb", ""),  # so does a control character
    ],
)
def test_type_is_lowercased_or_emptied(ctx, type, expected):
    assert ctx.evaluate(f"new Blob(['a'], {{ type: '{type}' }}).type") == expected


def test_transparent_endings_keep_line_breaks(ctx):
    assert ctx.evaluate("new Blob(['a\\r\\nb'], { endings: 'transparent' }).text()") == "a\r\nb"


def test_native_endings_turn_every_line_break_into_lf(ctx):
    # The File API's "convert line endings to native" turns CRLF and a lone CR into LF; Node 20
    # converts CRLF only ("a\nb\rc\nd").
    assert ctx.evaluate("new Blob(['a\\r\\nb\\rc\\nd'], { endings: 'native' }).text()") == "a\nb\nc\nd"


def test_unknown_endings_are_a_type_error(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("new Blob([], { endings: 'bogus' })")
    assert info.value.name == "TypeError"


def test_blob_identity(ctx):
    assert ctx.evaluate("[new Blob([]) instanceof Blob, Object.prototype.toString.call(new Blob())]") == [True, "[object Blob]"]


# --------------------------------------------------------------------------------------------------
# Reading


def test_text_decodes_utf8(ctx):
    assert ctx.evaluate("new Blob(['h\u00e9llo']).text()") == "h\u00e9llo"


def test_text_drops_a_leading_bom(ctx):
    assert ctx.evaluate("new Blob(['\\ufeffbom']).text()") == "bom"


def test_text_replaces_invalid_utf8(ctx):
    assert ctx.evaluate("new Blob([new Uint8Array([0xff, 0x61])]).text()") == "\ufffda"


def test_array_buffer_resolves_to_a_copy_of_the_bytes(ctx):
    assert ctx.evaluate("new Blob(['hello']).arrayBuffer().then((b) => [b instanceof ArrayBuffer, b.byteLength])") == [True, 5]
    assert ctx.evaluate("new Blob(['hello']).arrayBuffer()") == b"hello"


def test_bytes_resolves_to_a_uint8array(ctx):
    assert ctx.evaluate("new Blob(['hello']).bytes().then((b) => [b instanceof Uint8Array, Array.from(b)])") == [
        True, [104, 101, 108, 108, 111],
    ]


def test_reading_twice_gives_independent_copies(ctx):
    assert ctx.evaluate(
        "(async () => { const b = new Blob(['ab']); const first = await b.bytes(); first[0] = 0; return b.text(); })()"
    ) == "ab"


# --------------------------------------------------------------------------------------------------
# slice


@pytest.mark.parametrize(
    "arguments, expected",
    [
        ("1, 3", "bc"),
        ("-2", "ef"),  # negative positions count from the end
        ("-100, -2", "abcd"),
        ("2, 100", "cdef"),  # positions are clamped to the size
        ("4, 2", ""),  # an end before the start is empty
        ("", "abcdef"),
        ("undefined, 2", "ab"),
    ],
)
def test_slice_positions(ctx, arguments, expected):
    assert ctx.evaluate(f"new Blob(['abcdef']).slice({arguments}).text()") == expected


def test_slice_of_a_slice(ctx):
    assert ctx.evaluate("new Blob(['abcdef']).slice(1).slice(1, 3).text()") == "cd"


def test_slice_rounds_fractional_positions_half_to_even(ctx):
    # Web IDL [Clamp] long long rounds to the nearest integer, ties to even: slice(2, 4).
    # (Node 20 aborts the process on a fractional position.)
    assert ctx.evaluate("new Blob(['abcdef']).slice(1.5, 4.5).text()") == "cd"


def test_slice_has_no_type_unless_given(ctx):
    assert ctx.evaluate("new Blob(['abcdef'], { type: 'text/plain' }).slice(0, 1).type") == ""


def test_slice_content_type_is_lowercased(ctx):
    assert ctx.evaluate("new Blob(['abcdef']).slice(0, 1, 'Image/PNG').type") == "image/png"


# --------------------------------------------------------------------------------------------------
# File


def test_file_has_name_type_and_last_modified(ctx):
    assert ctx.evaluate(
        "const f = new File(['abc'], 'name.txt', { type: 'Text/Plain', lastModified: 42 });"
        "[f.name, f.size, f.type, f.lastModified, f instanceof Blob, f instanceof File]"
    ) == ["name.txt", 3, "text/plain", 42, True, True]


def test_file_last_modified_defaults_to_now(ctx):
    assert ctx.evaluate(
        "const f = new File([], 'x'); typeof f.lastModified === 'number' && Math.abs(f.lastModified - Date.now()) < 1000"
    ) is True


def test_file_name_is_converted_to_a_string(ctx):
    assert ctx.evaluate("new File(['x'], 7).name") == "7"


def test_file_requires_a_name(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("new File(['a'])")
    assert info.value.name == "TypeError"


def test_file_reads_like_a_blob(ctx):
    assert ctx.evaluate("new File(['abc'], 'f').text()") == "abc"
    assert ctx.evaluate("new File(['abc'], 'f').slice(1).text()") == "bc"


def test_file_to_string_tag(ctx):
    assert ctx.evaluate("Object.prototype.toString.call(new File([], 'f'))") == "[object File]"
