"""Node's pure built-in modules, as ``require()`` serves them in every Context (src/js/node/):
buffer, events, util, path, querystring, string_decoder and assert.

Expected values come from Python's standard library (base64, binascii, codecs, struct,
urllib.parse) where it says the same thing, and otherwise are literals that Node 20 computed
(node v20.20) from the very same JavaScript expressions.
"""

import base64
import codecs
import random
import struct
import urllib.parse

import pytest

import v8ctx

PRELUDE = """
var Buffer = require("buffer").Buffer;
function caught(f) { try { f(); return "no error"; } catch (e) { return [e.name, e.code, e.message]; } }
function toText(bytes, encoding) { return Buffer.from(bytes).toString(encoding); }
function fromText(text, encoding) { return Buffer.from(text, encoding); }
"""


@pytest.fixture(scope="module")
def ctx():
    with v8ctx.Context() as context:
        context.compile(PRELUDE)
        yield context


def thrown(ctx, statement):
    """[name, code, message] of what `statement` throws."""
    return ctx.evaluate(f"caught(() => {{ {statement}; }})")


RANDOM = random.Random(20)


def random_bytes(n):
    return bytes(RANDOM.randrange(256) for _ in range(n))


def random_text(n):
    """Letters, accents, CJK, astral characters, controls and lone (high) surrogates."""
    out = []
    for _ in range(n):
        kind = RANDOM.random()
        if kind < 0.4:
            out.append(chr(RANDOM.randrange(32, 127)))
        elif kind < 0.55:
            out.append(chr(RANDOM.randrange(0x80, 0x800)))
        elif kind < 0.7:
            out.append(chr(RANDOM.choice([RANDOM.randrange(0x800, 0xD800), RANDOM.randrange(0xE000, 0x10000)])))
        elif kind < 0.85:
            out.append(chr(RANDOM.randrange(0x10000, 0x110000)))
        elif kind < 0.9:
            out.append(chr(RANDOM.randrange(0xD800, 0xDC00)))  # a lone high surrogate (never followed by a low one)
        else:
            out.append(chr(RANDOM.randrange(32)))
    return "".join(out)


def well_formed(text):
    """Lone surrogates replaced by U+FFFD, as UTF-8 encoding does."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


# ==================================================================================================
# buffer


def test_require_serves_the_module_under_its_node_prefix_too(ctx):
    assert ctx.evaluate("require('node:buffer') === require('buffer') && require('buffer').Buffer === Buffer")


def test_a_buffer_is_a_uint8array_and_crosses_to_python_as_bytes(ctx):
    assert ctx.evaluate("[Buffer.from('hi') instanceof Uint8Array, Object.getPrototypeOf(Buffer) === Uint8Array]") == [True, True]
    assert ctx.evaluate("Buffer.from('hi')") == b"hi"


DECODERS = {
    "utf8": lambda b: b.decode("utf-8", "replace"),
    "hex": lambda b: b.hex(),
    "base64": lambda b: base64.b64encode(b).decode(),
    "base64url": lambda b: base64.urlsafe_b64encode(b).decode().rstrip("="),
    "latin1": lambda b: b.decode("latin-1"),
    "binary": lambda b: b.decode("latin-1"),
    "ascii": lambda b: bytes(x & 0x7F for x in b).decode("ascii"),
    "ucs2": lambda b: b[: len(b) // 2 * 2].decode("utf-16-le", "surrogatepass"),
    "utf16le": lambda b: b[: len(b) // 2 * 2].decode("utf-16-le", "surrogatepass"),
}


@pytest.mark.parametrize("encoding", sorted(DECODERS))
@pytest.mark.parametrize("length", [0, 1, 2, 3, 7, 64, 65, 300])
def test_to_string_decodes_random_bytes_in_every_encoding(ctx, encoding, length):
    for _ in range(5):
        data = random_bytes(length)
        assert ctx.call("toText", [data, encoding]) == DECODERS[encoding](data)


def utf16_units(text):
    raw = text.encode("utf-16-le", "surrogatepass")
    return [raw[i] | raw[i + 1] << 8 for i in range(0, len(raw), 2)]


ENCODERS = {
    "utf8": lambda s: well_formed(s).encode("utf-8"),
    "utf-8": lambda s: well_formed(s).encode("utf-8"),
    "latin1": lambda s: bytes(u & 0xFF for u in utf16_units(s)),
    "ucs2": lambda s: s.encode("utf-16-le", "surrogatepass"),
    "utf16le": lambda s: s.encode("utf-16-le", "surrogatepass"),
}


@pytest.mark.parametrize("encoding", sorted(ENCODERS))
@pytest.mark.parametrize("length", [0, 1, 5, 40, 100])
def test_from_string_encodes_random_text_in_every_encoding(ctx, encoding, length):
    for _ in range(5):
        text = random_text(length)
        assert ctx.call("fromText", [text, encoding]) == ENCODERS[encoding](text)


@pytest.mark.parametrize("encoding", ["hex", "base64", "base64url", "latin1", "ascii", "ucs2"])
def test_bytes_survive_a_round_trip_through_text(ctx, encoding):
    for length in range(0, 40):
        data = random_bytes(length)
        if encoding == "ascii":
            data = bytes(b & 0x7F for b in data)
        if encoding == "ucs2":
            data = data[: len(data) // 2 * 2]
        assert ctx.call("fromText", [ctx.call("toText", [data, encoding]), encoding]) == data


@pytest.mark.parametrize("expression, expected", [
    ("Buffer.from('ab zz cd', 'hex')", bytes.fromhex('ab')),
    ("Buffer.from('abc', 'hex')", bytes.fromhex('ab')),
    ("Buffer.from('0g', 'hex')", b""),
    ("Buffer.from('AbCdEf', 'hex')", bytes.fromhex('abcdef')),
    ("Buffer.from('aGk=\\n aGk=', 'base64')", bytes.fromhex('6869')),
    ("Buffer.from('QQ==QQ==', 'base64')", bytes.fromhex('41')),
    ("Buffer.from('-_-_', 'base64')", bytes.fromhex('fbffbf')),
    ("Buffer.from('+/+/', 'base64url')", bytes.fromhex('fbffbf')),
    ("Buffer.from('Q', 'base64')", b""),
    ("Buffer.from('aGVsbG8', 'base64')", bytes.fromhex('68656c6c6f')),
    ("Buffer.from('\\u00e9\\u0141', 'ascii')", bytes.fromhex('e941')),
    ("Buffer.from('\\u20ac', 'latin1')", bytes.fromhex('ac')),
    ("Buffer.from('abc', 'UTF-8')", bytes.fromhex('616263')),
    ("Buffer.from('abc', 'Latin1')", bytes.fromhex('616263')),
    ("Buffer.from([0xe9, 0x41]).toString('ascii')", 'iA'),
    ("Buffer.from([1, 2, 3]).toString('ucs2')", 'ȁ'),
])
def test_decoding_text_follows_node_leniency(ctx, expression, expected):
    assert ctx.evaluate(expression) == expected


@pytest.mark.parametrize("data", [b"\xc3", b"\xe2\x82", b"\xf0\x9f\x98", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\xff\xfe", b"a\x80b", b"\xe2\x41\xe2\x82\xac"])
def test_malformed_utf8_becomes_one_replacement_character_per_maximal_subpart(ctx, data):
    assert ctx.call("toText", [data, "utf8"]) == data.decode("utf-8", "replace")


def test_a_byte_order_mark_is_kept_when_decoding(ctx):
    assert ctx.call("toText", [b"\xef\xbb\xbfx" * 40, "utf8"]) == "\ufeffx" * 40


@pytest.mark.parametrize("expression, expected", [
    ("Buffer.byteLength('h\\u00e9\\u20ac\\ud83d\\ude00')", 10),
    ("Buffer.byteLength('\\ud800')", 3),
    ("Buffer.byteLength('abcd', 'ucs2')", 8),
    ("Buffer.byteLength('abcd', 'latin1')", 4),
    ("Buffer.byteLength('abcde', 'hex')", 2),
    ("Buffer.byteLength('aGk=', 'base64')", 2),
    ("Buffer.byteLength('aGk', 'base64url')", 2),
    ("Buffer.byteLength('abc', 'no-such-encoding')", 3),
    ("Buffer.byteLength(new Uint16Array(3))", 6),
    ("Buffer.byteLength(new ArrayBuffer(5))", 5),
])
def test_byte_length_counts_what_the_encoding_would_write(ctx, expression, expected):
    assert ctx.evaluate(expression) == expected


@pytest.mark.parametrize("expression, expected", [
    ("Buffer.isEncoding('utf8')", True),
    ("Buffer.isEncoding('UCS-2')", True),
    ("Buffer.isEncoding('base64url')", True),
    ("Buffer.isEncoding('binary')", True),
    ("Buffer.isEncoding('utf16')", False),
    ("Buffer.isEncoding('')", False),
    ("Buffer.isEncoding(null)", False),
])
def test_is_encoding_knows_node_s_names_in_any_case(ctx, expression, expected):
    assert ctx.evaluate(expression) == expected


@pytest.mark.parametrize("statement, expected", [
    ("caught(() => Buffer.from('abc').toString('utf-7'))", ['TypeError', 'ERR_UNKNOWN_ENCODING', 'Unknown encoding: utf-7']),
    ("caught(() => Buffer.from('abc', 'nope'))", ['TypeError', 'ERR_UNKNOWN_ENCODING', 'Unknown encoding: nope']),
    ("caught(() => Buffer.from(5))", ['TypeError', 'ERR_INVALID_ARG_TYPE', 'The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object. Received type number (5)']),
    ("caught(() => Buffer.from({}))", ['TypeError', 'ERR_INVALID_ARG_TYPE', 'The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object. Received an instance of Object']),
    ("caught(() => Buffer.alloc(-1))", ['RangeError', 'ERR_OUT_OF_RANGE', 'The value of "size" is out of range. It must be >= 0 && <= 4294967296. Received -1']),
    ("caught(() => Buffer.alloc('3'))", ['TypeError', 'ERR_INVALID_ARG_TYPE', 'The "size" argument must be of type number. Received type string (\'3\')']),
    ("caught(() => Buffer.alloc(2).write(5))", ['TypeError', 'ERR_INVALID_ARG_TYPE', 'argument must be a string']),
    ("caught(() => Buffer.concat('ab'))", ['TypeError', 'ERR_INVALID_ARG_TYPE', 'The "list" argument must be an instance of Array. Received type string (\'ab\')']),
    ("caught(() => Buffer.concat([Buffer.from('a'), 'b']))", ['TypeError', 'ERR_INVALID_ARG_TYPE', 'The "list[1]" argument must be an instance of Buffer or Uint8Array. Received type string (\'b\')']),
    ("caught(() => Buffer.from('ab').equals('ab'))", ['TypeError', 'ERR_INVALID_ARG_TYPE', 'The "otherBuffer" argument must be an instance of Buffer or Uint8Array. Received type string (\'ab\')']),
    ("caught(() => Buffer.alloc(4).fill('zz', 'hex'))", ['TypeError', 'ERR_INVALID_ARG_VALUE', "The argument 'value' is invalid. Received 'zz'"]),
    ("caught(() => Buffer.alloc(3).swap16())", ['RangeError', 'ERR_INVALID_BUFFER_SIZE', 'Buffer size must be a multiple of 16-bits']),
])
def test_bad_arguments_throw_node_s_errors(ctx, statement, expected):
    assert ctx.evaluate(statement) == expected


@pytest.mark.parametrize("expression, expected", [
    ("(() => { const b = Buffer.alloc(6); return [b.write('xy'), b]; })()", [2, bytes.fromhex('787900000000')]),
    ("(() => { const b = Buffer.alloc(6); return [b.write('xy', 4), b]; })()", [2, bytes.fromhex('000000007879')]),
    ("(() => { const b = Buffer.alloc(6); return [b.write('xyz', 4), b]; })()", [2, bytes.fromhex('000000007879')]),
    ("(() => { const b = Buffer.alloc(6); return [b.write('xyz', 1, 1), b]; })()", [1, bytes.fromhex('007800000000')]),
    ("(() => { const b = Buffer.alloc(6); return [b.write('7a7b', 'hex'), b]; })()", [2, bytes.fromhex('7a7b00000000')]),
    ("(() => { const b = Buffer.alloc(6); return [b.write('ab', 2, 'ucs2'), b]; })()", [4, bytes.fromhex('000061006200')]),
    ("(() => { const b = Buffer.alloc(4); return [b.write('\\u20ac\\u20ac'), b]; })()", [3, bytes.fromhex('e282ac00')]),
    ("(() => { const b = Buffer.alloc(3); return [b.write('\\ud83d\\ude00'), b]; })()", [0, bytes.fromhex('000000')]),
    ("(() => { const b = Buffer.alloc(5); return [b.write('a\\ud83d\\ude00'), b]; })()", [5, bytes.fromhex('61f09f9880')]),
    ("caught(() => Buffer.alloc(2).write('x', 3))", ['RangeError', 'ERR_OUT_OF_RANGE', 'The value of "offset" is out of range. It must be >= 0 && <= 2. Received 3']),
    ("caught(() => Buffer.alloc(2).write('x', 1.5))", ['RangeError', 'ERR_OUT_OF_RANGE', 'The value of "offset" is out of range. It must be an integer. Received 1.5']),
])
def test_write_writes_whole_characters_and_returns_the_bytes_written(ctx, expression, expected):
    assert ctx.evaluate(expression) == expected


@pytest.mark.parametrize("expression, expected", [
    ("Buffer.from('abcdef').toString('utf8', 1, 3)", 'bc'),
    ("Buffer.from('abcdef').toString('hex', 4)", '6566'),
    ("Buffer.from('abcdef').toString(undefined, -5, 100)", 'abcdef'),
    ("Buffer.from('abcdef').toString('latin1', 3, 1)", ''),
    ("Buffer.from('abcdef').toString('base64', '1', 2.9)", 'Yg=='),
])
def test_to_string_takes_a_start_and_end(ctx, expression, expected):
    assert ctx.evaluate(expression) == expected


INTEGERS = [  # name, byte width, struct code (None: 3, 5 and 6 bytes, through int.from_bytes)
    ("UInt8", 1, "B"), ("Int8", 1, "b"), ("UInt16LE", 2, "<H"), ("UInt16BE", 2, ">H"), ("Int16LE", 2, "<h"), ("Int16BE", 2, ">h"),
    ("UInt32LE", 4, "<I"), ("UInt32BE", 4, ">I"), ("Int32LE", 4, "<i"), ("Int32BE", 4, ">i"),
    ("BigUInt64LE", 8, "<Q"), ("BigUInt64BE", 8, ">Q"), ("BigInt64LE", 8, "<q"), ("BigInt64BE", 8, ">q"),
]


@pytest.mark.parametrize("name, width, code", INTEGERS)
def test_fixed_width_integers_read_at_every_offset(ctx, name, width, code):
    data = random_bytes(11)
    ctx.compile(f"var sample = Buffer.from('{data.hex()}', 'hex');")
    for offset in range(len(data) - width + 1):
        assert ctx.evaluate(f"sample.read{name}({offset})") == struct.unpack_from(code, data, offset)[0]


@pytest.mark.parametrize("name, width, code", INTEGERS)
def test_reading_past_the_end_is_a_range_error_naming_the_last_valid_offset(ctx, name, width, code):
    for length in range(0, 10):
        for offset in [length - width + 1, length, length + 3, -1]:
            if 0 <= offset <= length - width:
                continue
            result = thrown(ctx, f"Buffer.alloc({length}).read{name}({offset})")
            if length < width:
                assert result == ["RangeError", "ERR_BUFFER_OUT_OF_BOUNDS", "Attempt to access memory outside buffer bounds"]
            else:
                assert result == ["RangeError", "ERR_OUT_OF_RANGE",
                                  f'The value of "offset" is out of range. It must be >= 0 and <= {length - width}. Received {offset}']


@pytest.mark.parametrize("name, width, code", INTEGERS)
def test_fixed_width_integers_write_at_every_offset(ctx, name, width, code):
    signed = code[-1].islower()
    bits = 8 * width
    for offset in range(0, 12 - width + 1):
        value = RANDOM.randrange(-(2 ** (bits - 1)), 2 ** (bits - 1)) if signed else RANDOM.randrange(2**bits)
        literal = f"{value}n" if "Big" in name else str(value)
        written = ctx.evaluate(f"(() => {{ const b = Buffer.alloc(12); return [b.write{name}({literal}, {offset}), b]; }})()")
        expected = bytearray(12)
        struct.pack_into(code, expected, offset, value)
        assert written == [offset + width, bytes(expected)]


@pytest.mark.parametrize("width", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("endian", ["LE", "BE"])
@pytest.mark.parametrize("signed", [False, True])
def test_variable_width_integers_round_trip(ctx, width, endian, signed):
    order = "little" if endian == "LE" else "big"
    kind = "Int" if signed else "UInt"
    for _ in range(20):
        bits = 8 * width
        value = RANDOM.randrange(-(2 ** (bits - 1)), 2 ** (bits - 1)) if signed else RANDOM.randrange(2**bits)
        offset = RANDOM.randrange(3)
        written, read = ctx.evaluate(
            f"(() => {{ const b = Buffer.alloc(10); b.write{kind}{endian}({value}, {offset}, {width}); return [b, b.read{kind}{endian}({offset}, {width})]; }})()"
        )
        assert written[offset : offset + width] == value.to_bytes(width, order, signed=signed)
        assert read == value


@pytest.mark.parametrize("code, name", [("<f", "FloatLE"), (">f", "FloatBE"), ("<d", "DoubleLE"), (">d", "DoubleBE")])
def test_floats_read_and_write_as_ieee_754(ctx, code, name):
    for value in [0.0, 1.5, -2.25, 3.4e38, 1e-45, 123456.789, -1e300]:
        if code.endswith("f") and abs(value) > 3.5e38:
            continue
        packed = struct.pack(code, value)
        written = ctx.evaluate(f"(() => {{ const b = Buffer.alloc({len(packed)}); b.write{name}({value!r}); return b; }})()")
        assert written == packed
        assert ctx.evaluate(f"Buffer.from('{packed.hex()}', 'hex').read{name}(0)") == struct.unpack(code, packed)[0]


@pytest.mark.parametrize("statement, expected", [
    ("caught(() => Buffer.alloc(4).writeUInt8(256))", ['RangeError', 'ERR_OUT_OF_RANGE', 'The value of "value" is out of range. It must be >= 0 and <= 255. Received 256']),
    ("caught(() => Buffer.alloc(4).writeInt16LE(-32769))", ['RangeError', 'ERR_OUT_OF_RANGE', 'The value of "value" is out of range. It must be >= -32768 and <= 32767. Received -32769']),
    ("caught(() => Buffer.alloc(4).writeUInt32BE(2 ** 32))", ['RangeError', 'ERR_OUT_OF_RANGE', 'The value of "value" is out of range. It must be >= 0 and <= 4294967295. Received 4294967296']),
    ("caught(() => Buffer.alloc(8).writeUIntLE(2 ** 48, 0, 6))", ['RangeError', 'ERR_OUT_OF_RANGE', 'The value of "value" is out of range. It must be >= 0 and < 2 ** 48. Received 281_474_976_710_656']),
    ("caught(() => Buffer.alloc(8).writeBigInt64LE(2n ** 63n))", ['RangeError', 'ERR_OUT_OF_RANGE', 'The value of "value" is out of range. It must be >= -(2n ** 63n) and < 2n ** 63n. Received 9_223_372_036_854_775_808n']),
    ("caught(() => Buffer.alloc(8).writeBigUInt64LE(1))", ['TypeError', None, 'Cannot mix BigInt and other types, use explicit conversions']),
    ("caught(() => Buffer.alloc(4).readUInt16LE('1'))", ['TypeError', 'ERR_INVALID_ARG_TYPE', 'The "offset" argument must be of type number. Received type string (\'1\')']),
    ("caught(() => Buffer.alloc(4).readUInt16LE(1.5))", ['RangeError', 'ERR_OUT_OF_RANGE', 'The value of "offset" is out of range. It must be an integer. Received 1.5']),
    ("caught(() => Buffer.alloc(4).readUIntLE(0, 7))", ['RangeError', 'ERR_OUT_OF_RANGE', 'The value of "byteLength" is out of range. It must be >= 1 and <= 6. Received 7']),
    ("caught(() => Buffer.alloc(4).readIntBE(0))", ['TypeError', 'ERR_INVALID_ARG_TYPE', 'The "byteLength" argument must be of type number. Received undefined']),
    ("caught(() => Buffer.alloc(2).writeUInt32LE(1))", ['RangeError', 'ERR_BUFFER_OUT_OF_BOUNDS', 'Attempt to access memory outside buffer bounds']),
])
def test_out_of_range_values_and_offsets_are_refused(ctx, statement, expected):
    assert ctx.evaluate(statement) == expected


def test_writes_store_numbers_modulo_the_width(ctx):
    assert ctx.evaluate("(() => { const b = Buffer.alloc(3); b.writeUInt8(1.7, 0); b.writeInt8(-1, 1); b.writeUInt8('12', 2); return b; })()") == b"\x01\xff\x0c"


def test_every_reader_and_writer_has_its_lowercase_alias(ctx):
    assert ctx.evaluate(
        "Object.getOwnPropertyNames(Buffer.prototype).filter((n) => /UInt/.test(n)).every((n) => Buffer.prototype[n.replace('UInt', 'Uint')] === Buffer.prototype[n])"
    )


@pytest.mark.parametrize("method, size", [("swap16", 2), ("swap32", 4), ("swap64", 8)])
def test_swaps_reverse_each_group_of_bytes(ctx, method, size):
    data = random_bytes(size * 5)
    expected = b"".join(data[i : i + size][::-1] for i in range(0, len(data), size))
    assert ctx.evaluate(f"Buffer.from('{data.hex()}', 'hex').{method}()") == expected


@pytest.mark.parametrize("expression, expected", [
    ("(() => { const b = Buffer.from('abcdef'); const s = b.slice(1, 3); s[0] = 0x58; return [s, b, Buffer.isBuffer(s)]; })()", [bytes.fromhex('5863'), bytes.fromhex('615863646566'), True]),
    ("(() => { const b = Buffer.from('abcdef'); const s = b.subarray(-2); s.fill(0x21); return [s, b, Buffer.isBuffer(s)]; })()", [bytes.fromhex('2121'), bytes.fromhex('616263642121'), True]),
    ("Buffer.from('abcdef').slice(4, 2)", b""),
    ("(() => { const ab = new Uint8Array([1, 2, 3, 4]).buffer; const b = Buffer.from(ab, 1, 2); b[0] = 9; return [b, new Uint8Array(ab)]; })()", [bytes.fromhex('0903'), bytes.fromhex('01090304')]),
    ("(() => { const u = new Uint8Array([1, 2]); const b = Buffer.from(u); b[0] = 9; return [b, u]; })()", [bytes.fromhex('0902'), bytes.fromhex('0102')]),
    ("Buffer.from(new Uint16Array([1, 258, 515]))", bytes.fromhex('010203')),
    ("Buffer.from([1, 256, -1, 1.5, '7'])", bytes.fromhex('0100ff0107')),
    ("Buffer.from({ type: 'Buffer', data: [104, 105] })", bytes.fromhex('6869')),
    ("Buffer.from(new String('str'))", bytes.fromhex('737472')),
    ("Buffer.alloc(5, 'ab')", bytes.fromhex('6162616261')),
    ("Buffer.alloc(4, 'YWJj', 'base64')", bytes.fromhex('61626361')),
    ("Buffer.alloc(3, 257)", bytes.fromhex('010101')),
    ("Buffer.alloc(7, 0).fill('xy', 1, 6)", bytes.fromhex('00787978797800')),
    ("Buffer.alloc(5).fill('\\u20ac')", bytes.fromhex('e282ace282')),
    ("Buffer.alloc(6).fill(Buffer.from([1, 2, 3, 4]), 1)", bytes.fromhex('000102030401')),
    ("Buffer.allocUnsafe(3).fill(0).length", 3),
    ("Buffer.concat([Buffer.from('ab'), new Uint8Array([99]), Buffer.from('de')])", bytes.fromhex('6162636465')),
    ("Buffer.concat([Buffer.from('abc'), Buffer.from('de')], 4)", bytes.fromhex('61626364')),
    ("Buffer.concat([Buffer.from('ab')], 4)", bytes.fromhex('61620000')),
    ("Buffer.of(1, 2, 300)", bytes.fromhex('01022c')),
    ("Buffer.copyBytesFrom(new Uint16Array([1, 2, 3]), 1, 1)", bytes.fromhex('0200')),
])
def test_making_slicing_and_filling_buffers(ctx, expression, expected):
    assert ctx.evaluate(expression) == expected


@pytest.mark.parametrize("expression, expected", [
    ("(() => { const t = Buffer.alloc(6, 0x2e); return [Buffer.from('abcd').copy(t, 1), t]; })()", [4, bytes.fromhex('2e616263642e')]),
    ("(() => { const t = Buffer.alloc(3, 0x2e); return [Buffer.from('abcd').copy(t, 1, 2), t]; })()", [2, bytes.fromhex('2e6364')]),
    ("(() => { const b = Buffer.from('abcdef'); return [b.copy(b, 2, 0, 4), b]; })()", [4, bytes.fromhex('616261626364')]),
    ("[Buffer.compare(Buffer.from('a'), Buffer.from('b')), Buffer.compare(Buffer.from('b'), Buffer.from('a')), Buffer.compare(Buffer.from('ab'), Buffer.from('a'))]", [-1, 1, 1]),
    ("Buffer.from('abcd').compare(Buffer.from('xbcx'), 1, 3, 1, 3)", 0),
    ("[Buffer.from('ab').equals(Buffer.from('ab')), Buffer.from('ab').equals(new Uint8Array([97]))]", [True, False]),
])
def test_copying_and_comparing(ctx, expression, expected):
    assert ctx.evaluate(expression) == expected


@pytest.mark.parametrize("expression, expected", [
    ("Buffer.from('abcabc').indexOf('c')", 2),
    ("Buffer.from('abcabc').indexOf('c', 3)", 5),
    ("Buffer.from('abcabc').indexOf('c', -2)", 5),
    ("Buffer.from('abcabc').lastIndexOf('b')", 4),
    ("Buffer.from('abcabc').lastIndexOf('b', 3)", 1),
    ("Buffer.from('abcabc').indexOf(0x62)", 1),
    ("Buffer.from('abcabc').indexOf(0x162)", 1),
    ("Buffer.from('abcabc').indexOf(Buffer.from('ca'))", 2),
    ("Buffer.from('abcabc').indexOf('6361', 'hex')", 2),
    ("Buffer.from('abcabc').indexOf('')", 0),
    ("Buffer.from('abcabc').lastIndexOf('')", 6),
    ("Buffer.from('abcabc').indexOf('z')", -1),
    ("Buffer.from('a\\u20acb', 'ucs2').indexOf('\\u20ac', 0, 'ucs2')", 2),
    ("Buffer.from('h\\u00e9llo').indexOf('\\u00e9')", 1),
    ("[Buffer.from('abc').includes('bc'), Buffer.from('abc').includes('bd'), Buffer.from('abc').includes(97, 1)]", [True, False, False]),
])
def test_searching_for_text_bytes_and_buffers(ctx, expression, expected):
    assert ctx.evaluate(expression) == expected


@pytest.mark.parametrize("expression, expected", [
    ("Buffer.from('hi').toJSON()", {'type': 'Buffer', 'data': [104, 105]}),
    ("JSON.parse(JSON.stringify({ b: Buffer.from([1, 2]) }))", {'b': {'type': 'Buffer', 'data': [1, 2]}}),
    ("[Buffer.isBuffer(Buffer.alloc(1)), Buffer.isBuffer(new Uint8Array(1)), Buffer.isBuffer('x')]", [True, False, False]),
    ("[require('buffer').kMaxLength, require('buffer').constants.MAX_LENGTH, require('buffer').constants.MAX_STRING_LENGTH]", [4294967296, 4294967296, 536870888]),
    ("[require('buffer').atob('aGk='), require('buffer').btoa('hi')]", ['hi', 'aGk=']),
    ("require('buffer').SlowBuffer(3).length", 3),
    ("Buffer.from('ab').map((x) => x + 1)", bytes.fromhex('6263')),
    ("[Buffer.from('ab').map((x) => x) instanceof Buffer, Buffer.from('ab').subarray(1) instanceof Buffer]", [True, True]),
    ("require('util').inspect(Buffer.from('hi'))", '<Buffer 68 69>'),
    ("require('util').inspect(Buffer.alloc(52))", '<Buffer 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ... 2 more bytes>'),
    ("(() => { const b = Buffer.from('ab'); return [b.parent === b.buffer, b.offset === b.byteOffset]; })()", [True, True]),
    ("Buffer(3)", bytes.fromhex('000000')),
    ("new Buffer('ab', 'hex')", bytes.fromhex('ab')),
])
def test_the_rest_of_the_buffer_api(ctx, expression, expected):
    assert ctx.evaluate(expression) == expected


def test_buffer_blob_is_the_global_blob(ctx):
    assert ctx.evaluate("typeof Blob === 'undefined' || require('buffer').Blob === Blob")


# ==================================================================================================
# events

EVENTS = """
(() => {
  const EventEmitter = require("events");
  const log = [];
  const e = new EventEmitter();
  const named = (name) => { const f = (...args) => log.push([name, ...args]); Object.defineProperty(f, "name", { value: name }); return f; };
  BODY;
  return log;
})()
"""


def events(ctx, body):
    return ctx.evaluate(EVENTS.replace("BODY", body))


@pytest.mark.parametrize("body, expected", [
    ("(() => { const EventEmitter = require('events'); const log = []; const e = new EventEmitter(); e.on('x', (...a) => log.push(['a', ...a])); e.on('x', (...a) => log.push(['b', ...a])); log.push(e.emit('x', 1, 2), e.emit('y')); return log; })()", [['a', 1, 2], ['b', 1, 2], True, False]),
    ("(() => { const EventEmitter = require('events'); const log = []; const e = new EventEmitter(); e.once('x', (v) => log.push(v)); e.emit('x', 1); e.emit('x', 2); log.push(e.listenerCount('x')); return log; })()", [1, 0]),
    ("(() => { const EventEmitter = require('events'); const log = []; const e = new EventEmitter(); e.on('x', () => log.push('on')); e.prependListener('x', () => log.push('prepended')); e.prependOnceListener('x', () => log.push('prepended once')); e.emit('x'); e.emit('x'); return log; })()", ['prepended once', 'prepended', 'on', 'prepended', 'on']),
    ("(() => { const EventEmitter = require('events'); const log = []; const e = new EventEmitter(); const f = () => log.push('f'); e.on('x', f); e.on('x', f); e.off('x', f); e.emit('x'); log.push(e.listenerCount('x')); return log; })()", ['f', 1]),
    ("(() => { const EventEmitter = require('events'); const log = []; const e = new EventEmitter(); e.on('newListener', (n) => log.push(['new', n])); e.on('removeListener', (n) => log.push(['removed', n])); const f = () => {}; e.on('x', f); e.removeListener('x', f); return log; })()", [['new', 'removeListener'], ['new', 'x'], ['removed', 'x']]),
    ("(() => { const EventEmitter = require('events'); const e = new EventEmitter(); e.on('a', () => {}); e.on('b', () => {}); e.on('b', () => {}); const before = [e.eventNames(), e.listenerCount('b')]; e.removeAllListeners('b'); const middle = e.eventNames(); e.removeAllListeners(); return [before, middle, e.eventNames()]; })()", [[['a', 'b'], 2], ['a'], []]),
    ("(() => { const EventEmitter = require('events'); const e = new EventEmitter(); const f = () => {}; e.once('x', f); return [e.listeners('x')[0] === f, e.rawListeners('x')[0] === f, e.rawListeners('x')[0].listener === f]; })()", [True, False, True]),
    ("(() => { const EventEmitter = require('events'); const e = new EventEmitter(); const log = []; e.on('x', () => { e.on('x', () => log.push('added during emit')); log.push('first'); }); e.emit('x'); e.emit('x'); return log; })()", ['first', 'first', 'added during emit']),
    ("(() => { const EventEmitter = require('events'); const e = new EventEmitter(); let self; e.on('x', function () { self = this; }); e.emit('x'); return self === e; })()", True),
    ("(() => { const EventEmitter = require('events'); const e = new EventEmitter(); const before = [e.getMaxListeners(), EventEmitter.defaultMaxListeners]; e.setMaxListeners(1); return [...before, e.getMaxListeners()]; })()", [10, 10, 1]),
    ("(() => { const { EventEmitter } = require('events'); return [EventEmitter === require('events'), require('events').captureRejections, typeof require('events').errorMonitor]; })()", [True, False, 'symbol']),
])
def test_event_emitter_listeners(ctx, body, expected):
    assert ctx.evaluate(body) == expected


@pytest.mark.parametrize("statement, expected", [
    ("caught(() => new (require('events'))().emit('error', new TypeError('boom')))", ['TypeError', None, 'boom']),
    ("caught(() => new (require('events'))().emit('error', 'text'))", ['Error', 'ERR_UNHANDLED_ERROR', "Unhandled error. ('text')"]),
    ("caught(() => new (require('events'))().emit('error', { code: 42 }))", ['Error', 'ERR_UNHANDLED_ERROR', 'Unhandled error. ({ code: 42 })']),
    ("caught(() => new (require('events'))().emit('error'))", ['Error', 'ERR_UNHANDLED_ERROR', 'Unhandled error. (undefined)']),
    ("caught(() => new (require('events'))().on('x', 'not a function'))", ['TypeError', 'ERR_INVALID_ARG_TYPE', 'The "listener" argument must be of type function. Received type string (\'not a function\')']),
    ("caught(() => new (require('events'))().setMaxListeners(-1))", ['RangeError', 'ERR_OUT_OF_RANGE', 'The value of "setMaxListeners" is out of range. It must be >= 0. Received -1']),
])
def test_an_unhandled_error_event_throws_as_node_does(ctx, statement, expected):
    assert ctx.evaluate(statement) == expected


def test_an_error_listener_or_the_error_monitor_sees_the_error(ctx):
    assert events(ctx, "e.on(EventEmitter.errorMonitor, named('monitor')); e.on('error', named('handler')); e.emit('error', 5)") == [["monitor", 5], ["handler", 5]]


def test_event_emitter_once_resolves_with_the_arguments(ctx):
    assert ctx.evaluate("(async () => { const EE = require('events'); const e = new EE(); setTimeout(() => e.emit('ready', 1, 'two'), 1); return await EE.once(e, 'ready'); })()") == [1, "two"]


def test_event_emitter_once_rejects_on_an_error_event(ctx):
    assert ctx.evaluate(
        "(async () => { const EE = require('events'); const e = new EE(); setTimeout(() => e.emit('error', new Error('failed')), 1); try { await EE.once(e, 'ready'); } catch (err) { return [err.message, e.listenerCount('ready')]; } })()"
    ) == ["failed", 0]


def test_more_listeners_than_the_maximum_warn_once_on_the_console():
    lines = []
    with v8ctx.Context(console=lambda level, message: lines.append((level, message))) as context:
        context.evaluate("{ const e = new (require('events'))(); e.setMaxListeners(1); for (let i = 0; i < 4; i++) e.on('x', () => {}); }")
    assert len(lines) == 1
    assert lines[0][0] == "error" and "MaxListenersExceededWarning: Possible EventEmitter memory leak detected. 2 x listeners" in lines[0][1]


def test_constructors_that_inherit_the_old_way_work(ctx):
    assert ctx.evaluate(
        "(() => { const EE = require('events'); function Old() { EE.call(this); } require('util').inherits(Old, EE); const o = new Old(); let got; o.on('x', (v) => { got = v; }); o.emit('x', 3); return [o instanceof EE, got]; })()"
    ) == [True, 3]


# ==================================================================================================
# util


@pytest.mark.parametrize("expression, expected", [
    ("require('util').format('%s is %d years', 'Ann', 42.5)", 'Ann is 42.5 years'),
    ("require('util').format('%i %f', '42.9px', '1.5e3')", '42 1500'),
    ("require('util').format('%d', 10n)", '10n'),
    ("require('util').format('%j', { a: [1, 'b'] })", '{"a":[1,"b"]}'),
    ("require('util').format('%j', (() => { const o = {}; o.o = o; return o; })())", '[Circular]'),
    ("require('util').format('%o', [1])", '[ 1, [length]: 1 ]'),
    ("require('util').format('%O', { a: { b: { c: { d: 1 } } } })", '{ a: { b: { c: [Object] } } }'),
    ("require('util').format('%c%s', 'color: red', 'styled')", 'styled'),
    ("require('util').format('100%% %s', 'sure')", '100% sure'),
    ("require('util').format('%%')", '%%'),
    ("require('util').format('%s')", '%s'),
    ("require('util').format('%x %s', 'a')", '%x a'),
    ("require('util').format('%s', { a: 1 }, 'extra', 3)", '{ a: 1 } extra 3'),
    ("require('util').format(1, 'a', { b: 2 })", '1 a { b: 2 }'),
    ("require('util').format('%s', Symbol('s'))", 'Symbol(s)'),
    ("require('util').format('%s', -0)", '-0'),
    ("require('util').format('%s', null, undefined)", 'null undefined'),
    ("require('util').format('%s', new (class Named { toString() { return 'custom'; } })())", 'custom'),
])
def test_format_substitutes_like_node(ctx, expression, expected):
    assert ctx.evaluate(expression) == expected


@pytest.mark.parametrize("expression, expected", [
    ("require('util').inspect('it\\'s')", '"it\'s"'),
    ("require('util').inspect('say \"hi\" it\\'s')", '`say "hi" it\'s`'),
    ("require('util').inspect('a\\nb\\x00')", "'a\\nb\\x00'"),
    ("require('util').inspect([1, 'a', [2, [3, [4]]]])", "[ 1, 'a', [ 2, [ 3, [Array] ] ] ]"),
    ("require('util').inspect({ a: 1, 'b-c': 2, 3: 4, [Symbol('k')]: 5 })", "{ '3': 4, a: 1, 'b-c': 2, [Symbol(k)]: 5 }"),
    ("require('util').inspect({ a: { b: { c: { d: 1 } } } })", '{ a: { b: { c: [Object] } } }'),
    ("require('util').inspect({ a: { b: { c: {} } } })", '{ a: { b: { c: {} } } }'),
    ("require('util').inspect({ a: { b: { c: { d: 1 } } } }, { depth: 0 })", '{ a: [Object] }'),
    ("require('util').inspect({ a: { b: { c: { d: 1 } } } }, { depth: Infinity })", '{\n  a: { b: { c: { d: 1 } } }\n}'),
    ("require('util').inspect(new Map([[1, 'one'], ['k', { v: true }]]))", "Map(2) { 1 => 'one', 'k' => { v: true } }"),
    ("require('util').inspect(new Set([1, 'x']))", "Set(2) { 1, 'x' }"),
    ("require('util').inspect([new Map(), new Set(), [], {}])", '[ Map(0) {}, Set(0) {}, [], {} ]'),
    ("require('util').inspect(new Date(0))", '1970-01-01T00:00:00.000Z'),
    ("require('util').inspect(/ab+c/gi)", '/ab+c/gi'),
    ("require('util').inspect([function named() {}, () => {}, class K {}, async function af() {}])", '[\n  [Function: named],\n  [Function (anonymous)],\n  [class K],\n  [AsyncFunction: af]\n]'),
    ("require('util').inspect((() => { const o = { name: 'loop' }; o.self = o; return o; })())", "<ref *1> { name: 'loop', self: [Circular *1] }"),
    ("require('util').inspect([1, , 3, , , 6])", '[ 1, <1 empty item>, 3, <2 empty items>, 6 ]'),
    ("require('util').inspect(Object.create(null))", '[Object: null prototype] {}'),
    ("require('util').inspect(new (class Point { constructor() { this.x = 1; } })())", 'Point { x: 1 }'),
    ("require('util').inspect(new Uint8Array([1, 2]))", 'Uint8Array(2) [ 1, 2 ]'),
    ("require('util').inspect([Object(1), Object('s'), Object(true)])", "[ [Number: 1], [String: 's'], [Boolean: true] ]"),
    ("require('util').inspect({ get g() { return 1; }, set s(v) {} })", '{ g: [Getter], s: [Setter] }'),
    ("require('util').inspect({ a: 'x'.repeat(50), b: 'y'.repeat(50) })", "{\n  a: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',\n  b: 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy'\n}"),
    ("require('util').inspect(Object.assign(new Error('bare'), { stack: 'Error: bare' }))", '[Error: bare]'),
    ("require('util').inspect(new Error('with stack')).split('\\n')[0]", 'Error: with stack'),
    ("require('util').inspect({ [Symbol.for('nodejs.util.inspect.custom')]() { return 'CUSTOM'; } })", 'CUSTOM'),
    ("require('util').inspect({ toString() { return 'x'; } })", '{ toString: [Function: toString] }'),
    ("require('util').inspect(Promise.resolve(7))", 'Promise { 7 }'),
    ("require('util').inspect(-0)", '-0'),
    ("require('util').inspect(123n)", '123n'),
])
def test_inspect_shows_values_like_node(ctx, expression, expected):
    assert ctx.evaluate(expression) == expected


def test_inspect_does_not_pack_long_arrays_into_columns(ctx):
    # Node lays arrays of more than six short items out in columns over several lines; v8ctx keeps
    # them to one line while they fit, like any other array.
    assert ctx.evaluate("require('util').inspect([1, 2, 3, 4, 5, 6, 7])") == "[ 1, 2, 3, 4, 5, 6, 7 ]"


@pytest.mark.parametrize("expression, expected", [
    ("require('util').isDeepStrictEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })", True),
    ("require('util').isDeepStrictEqual({ a: 1 }, { a: '1' })", False),
    ("require('util').isDeepStrictEqual([1, , 3], [1, undefined, 3])", False),
    ("require('util').isDeepStrictEqual(NaN, NaN)", True),
    ("require('util').isDeepStrictEqual(0, -0)", False),
    ("require('util').isDeepStrictEqual(new Set([{ a: 1 }, 2]), new Set([2, { a: 1 }]))", True),
    ("require('util').isDeepStrictEqual(new Map([[1, { v: 1 }]]), new Map([[1, { v: 2 }]]))", False),
    ("require('util').isDeepStrictEqual(new Date(5), new Date(5))", True),
    ("require('util').isDeepStrictEqual(/a/g, /a/i)", False),
    ("require('util').isDeepStrictEqual(Object.create(null), {})", False),
    ("require('util').isDeepStrictEqual(new Error('x'), new Error('y'))", False),
    ("require('util').isDeepStrictEqual(new Uint8Array([1]), new Uint8Array([1]))", True),
    ("require('util').isDeepStrictEqual(Buffer.from('a'), new Uint8Array([97]))", False),
    ("(() => { const a = { v: 1 }; a.self = a; const b = { v: 1 }; b.self = b; return require('util').isDeepStrictEqual(a, b); })()", True),
])
def test_is_deep_strict_equal(ctx, expression, expected):
    assert ctx.evaluate(expression) == expected


@pytest.mark.parametrize("expression, expected", [
    ("(() => { const t = require('util').types; return [t.isDate(new Date()), t.isDate({})]; })()", [True, False]),
    ("(() => { const t = require('util').types; return [t.isRegExp(/x/), t.isRegExp('x')]; })()", [True, False]),
    ("(() => { const t = require('util').types; return [t.isPromise(Promise.resolve()), t.isPromise({ then() {} })]; })()", [True, False]),
    ("(() => { const t = require('util').types; return [t.isTypedArray(new Int8Array()), t.isTypedArray([]), t.isUint8Array(Buffer.alloc(0)), t.isUint8Array(new Int8Array())]; })()", [True, False, True, False]),
    ("(() => { const t = require('util').types; return [t.isArrayBuffer(new ArrayBuffer(1)), t.isArrayBuffer(new Uint8Array(1))]; })()", [True, False]),
    ("(() => { const t = require('util').types; return [t.isMap(new Map()), t.isSet(new Set()), t.isMap(new WeakMap())]; })()", [True, True, False]),
    ("(() => { const t = require('util').types; return [t.isAsyncFunction(async () => {}), t.isAsyncFunction(() => {}), t.isGeneratorFunction(function* () {}), t.isGeneratorFunction(() => {})]; })()", [True, False, True, False]),
    ("(() => { const t = require('util').types; return [t.isNativeError(new TypeError()), t.isBoxedPrimitive(Object(1)), t.isBoxedPrimitive(1)]; })()", [True, True, False]),
])
def test_util_types(ctx, expression, expected):
    assert ctx.evaluate(expression) == expected


def test_inherits_links_the_prototypes_and_sets_super(ctx):
    assert ctx.evaluate(
        "(() => { function A() {} function B() {} require('util').inherits(A, B); return [Object.getPrototypeOf(A.prototype) === B.prototype, A.super_ === B]; })()"
    ) == [True, True]


def test_promisify_turns_a_callback_api_into_a_promise(ctx):
    assert ctx.evaluate("(async () => { const add = (a, b, cb) => setTimeout(() => cb(null, a + b), 1); return await require('util').promisify(add)(2, 3); })()") == 5


def test_promisify_rejects_with_the_callback_error(ctx):
    assert ctx.evaluate("(async () => { try { await require('util').promisify((cb) => cb(new Error('nope')))(); } catch (e) { return e.message; } })()") == "nope"


def test_promisify_uses_the_custom_symbol(ctx):
    assert ctx.evaluate(
        "(() => { const util = require('util'); const f = () => {}; const custom = () => 'mine'; f[util.promisify.custom] = custom; return [util.promisify(f) === custom, util.promisify.custom === Symbol.for('nodejs.util.promisify.custom')]; })()"
    ) == [True, True]


def test_callbackify_calls_back_with_the_result(ctx):
    assert ctx.evaluate("new Promise((resolve) => require('util').callbackify(async (x) => x * 2)(21, (err, value) => resolve([err, value])))") == [None, 42]


def test_callbackify_wraps_a_falsy_rejection_reason(ctx):
    assert ctx.evaluate(
        "new Promise((resolve) => require('util').callbackify(() => Promise.reject(null))((err) => resolve([err.code, err.message, err.reason])))"
    ) == ["ERR_FALSY_VALUE_REJECTION", "Promise was rejected with falsy value", None]


def test_deprecate_warns_once_on_the_console_and_still_calls_through():
    lines = []
    with v8ctx.Context(console=lambda level, message: lines.append((level, message))) as context:
        assert context.evaluate("{ const old = require('util').deprecate((x) => x * 2, 'old() is old', 'DEP_OLD'); [old(1), old(2), old(3)] }") == [2, 4, 6]
    assert lines == [("error", "[DEP_OLD] DeprecationWarning: old() is old")]


@pytest.mark.parametrize("expression, expected", [
    ("require('util').inspect.custom === Symbol.for('nodejs.util.inspect.custom')", True),
    ("[require('util').TextEncoder === TextEncoder, require('util').TextDecoder === TextDecoder]", [True, True]),
    ("[require('util').isArray([]), require('util').isArray({ length: 0 })]", [True, False]),
    ("(() => { const log = require('util').debuglog('section'); return [typeof log, log.enabled, log('ignored')]; })()", ['function', False, None]),
])
def test_the_rest_of_util(ctx, expression, expected):
    assert ctx.evaluate(expression) == expected


# ==================================================================================================
# path (POSIX; resolve() starts from "/")


@pytest.mark.parametrize("expression, expected", [
    ("require('path').join('/a/b', '../c', './d')", '/a/c/d'),
    ("require('path').join('a', '', 'b/')", 'a/b/'),
    ("require('path').join()", '.'),
    ("require('path').join('..', 'a', '..', '..')", '../..'),
    ("require('path').resolve('a/b', '../c')", '/a/c'),
    ("require('path').resolve('/x', 'y', '/z', 'w')", '/z/w'),
    ("require('path').resolve()", '/'),
    ("require('path').normalize('/a//b/../c/./d/')", '/a/c/d/'),
    ("require('path').normalize('')", '.'),
    ("require('path').normalize('../../x')", '../../x'),
    ("require('path').normalize('/../x')", '/x'),
    ("require('path').dirname('/a/b/c.txt')", '/a/b'),
    ("require('path').dirname('/a')", '/'),
    ("require('path').dirname('a')", '.'),
    ("require('path').dirname('a/b/')", 'a'),
    ("require('path').basename('/a/b/c.txt')", 'c.txt'),
    ("require('path').basename('/a/b/c.txt', '.txt')", 'c'),
    ("require('path').basename('/a/b/c.txt/', '.txt')", 'c'),
    ("require('path').basename('c.txt', 'c.txt')", ''),
    ("require('path').extname('index.html')", '.html'),
    ("require('path').extname('index.coffee.md')", '.md'),
    ("require('path').extname('index.')", '.'),
    ("require('path').extname('.bashrc')", ''),
    ("require('path').extname('..')", ''),
    ("require('path').relative('/data/a/b', '/data/c')", '../../c'),
    ("require('path').relative('/a', '/a')", ''),
    ("require('path').relative('a', 'a/b/c')", 'b/c'),
    ("[require('path').isAbsolute('/x'), require('path').isAbsolute('x'), require('path').isAbsolute('')]", [True, False, False]),
    ("require('path').parse('/home/user/file.tar.gz')", {'root': '/', 'dir': '/home/user', 'base': 'file.tar.gz', 'ext': '.gz', 'name': 'file.tar'}),
    ("require('path').parse('./.profile')", {'root': '', 'dir': '.', 'base': '.profile', 'ext': '', 'name': '.profile'}),
    ("require('path').parse('/')", {'root': '/', 'dir': '/', 'base': '', 'ext': '', 'name': ''}),
    ("require('path').format({ root: '/', dir: '/home/user', base: 'file.txt' })", '/home/user/file.txt'),
    ("require('path').format({ root: '/', name: 'file', ext: 'txt' })", '/file.txt'),
    ("require('path').format({ name: 'file', ext: '.txt' })", 'file.txt'),
    ("[require('path').sep, require('path').delimiter, require('path').posix === require('path')]", ['/', ':', True]),
])
def test_path(ctx, expression, expected):
    assert ctx.evaluate(expression) == expected


def test_path_win32_is_not_provided(ctx):
    assert ctx.evaluate("require('path').win32") is None


@pytest.mark.parametrize("statement, expected", [
    ("caught(() => require('path').join('a', 5))", ['TypeError', 'ERR_INVALID_ARG_TYPE', 'The "path" argument must be of type string. Received type number (5)']),
    ("caught(() => require('path').basename(null))", ['TypeError', 'ERR_INVALID_ARG_TYPE', 'The "path" argument must be of type string. Received null']),
    ("caught(() => require('path').resolve('a', {}))", ['TypeError', 'ERR_INVALID_ARG_TYPE', 'The "paths[1]" argument must be of type string. Received an instance of Object']),
])
def test_path_arguments_must_be_strings(ctx, statement, expected):
    assert ctx.evaluate(statement) == expected


# ==================================================================================================
# querystring

QS_TEXT = ["a b", "x=y&z", "é€😀", "!'()*-._~", "100% sure", "a/b?c#d", "", "+"]


@pytest.mark.parametrize("text", QS_TEXT)
def test_escape_percent_encodes_like_encode_uri_component(ctx, text):
    assert ctx.evaluate(f"require('querystring').escape({text!r})") == urllib.parse.quote(text, safe="-_.!~*'()")


@pytest.mark.parametrize("text", QS_TEXT)
def test_unescape_reverses_escape(ctx, text):
    assert ctx.evaluate(f"require('querystring').unescape(require('querystring').escape({text!r}))") == text


@pytest.mark.parametrize("query", ["a=1&b=2", "a=1&a=2&a=3", "name=J%C3%B6rg+M%C3%BCller&x", "k=&=v", "q=a%2Bb&q=c+d", "%E2%82%AC=%F0%9F%98%80", "a=b=c"])
def test_parse_agrees_with_urllib(ctx, query):
    expected = {}
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        if key in expected:
            expected[key] = (expected[key] if isinstance(expected[key], list) else [expected[key]]) + [value]
        else:
            expected[key] = value
    assert ctx.evaluate(f"require('querystring').parse({query!r})") == expected


@pytest.mark.parametrize("expression, expected", [
    ("require('querystring').parse('a:1;b:2', ';', ':')", {'a': '1', 'b': '2'}),
    ("require('querystring').parse('a=1&b=2&c=3', null, null, { maxKeys: 2 })", {'a': '1', 'b': '2'}),
    ("Object.keys(require('querystring').parse('k=v&'.repeat(1200))).length", 1),
    ("Object.keys(require('querystring').parse('k=v&'.repeat(1200), null, null, { maxKeys: 0 })).length", 1),
    ("require('querystring').parse('a=%E4%ZZ%&b=%zz')", {'a': '�%ZZ%', 'b': '%zz'}),
    ("require('querystring').parse('a=b', null, null, { decodeURIComponent: (s) => s.toUpperCase() })", {'A': 'B'}),
    ("Object.getPrototypeOf(require('querystring').parse('a=1'))", None),
    ("require('querystring').stringify({ a: [1, 2], b: 'x y', c: true, d: null, e: undefined, f: {}, g: NaN, h: 1n })", 'a=1&a=2&b=x%20y&c=true&d=&e=&f=&g=&h=1'),
    ("require('querystring').stringify({ w: '\u00e9' }, ';', ':')", 'w:%C3%A9'),
    ("require('querystring').stringify({ w: 'a b' }, null, null, { encodeURIComponent: (s) => s.toUpperCase() })", 'W=A B'),
    ("require('querystring').stringify('not an object')", ''),
    ("[require('querystring').decode === require('querystring').parse, require('querystring').encode === require('querystring').stringify]", [True, True]),
    ("require('querystring').unescapeBuffer('a%20b%zz')", bytes.fromhex('612062257a7a')),
])
def test_querystring(ctx, expression, expected):
    assert ctx.evaluate(expression) == expected


# ==================================================================================================
# string_decoder

DECODE_CHUNKS = """
(chunks, encoding) => {
  const { StringDecoder } = require("string_decoder");
  const decoder = new StringDecoder(encoding);
  const out = chunks.map((chunk) => decoder.write(Buffer.from(chunk)));
  out.push(decoder.end());
  return out;
}
"""


@pytest.fixture(scope="module")
def decode_chunks(ctx):
    ctx.compile(f"var decodeChunks = {DECODE_CHUNKS};")
    return lambda chunks, encoding: ctx.call("decodeChunks", [chunks, encoding])


def incremental(chunks, codec):
    decoder = codecs.getincrementaldecoder(codec)(errors="surrogatepass" if codec == "utf-16-le" else "replace")
    return [decoder.decode(chunk) for chunk in chunks] + [decoder.decode(b"", final=True)]


MULTIBYTE = "aé€😀b\u00e9\U0010ffff"


def test_utf8_split_between_two_writes_comes_out_as_python_s_incremental_decoder_gives_it(decode_chunks):
    data = MULTIBYTE.encode("utf-8")
    for cut in range(len(data) + 1):
        chunks = [data[:cut], data[cut:]]
        assert decode_chunks(chunks, "utf8") == incremental(chunks, "utf-8")


def test_utf16_holds_back_an_odd_byte_or_a_high_surrogate(decode_chunks):
    data = "a\U0001F600".encode("utf-16-le")  # 61 00 3d d8 00 de
    assert [decode_chunks([data[:cut], data[cut:]], "utf16le") for cut in range(len(data) + 1)] == [
        ["", "a\U0001F600", ""],
        ["", "a\U0001F600", ""],
        ["a", "\U0001F600", ""],
        ["a", "\U0001F600", ""],
        ["a", "\U0001F600", ""],
        ["a\ud83d", "\ude00", ""],  # an odd byte is held back; the whole high surrogate before it is not
        ["a\U0001F600", "", ""],
    ]


@pytest.mark.parametrize("encoding, codec", [("utf8", "utf-8"), ("utf16le", "utf-16-le"), ("ucs2", "utf-16-le")])
def test_multibyte_text_split_anywhere_in_three_writes_comes_out_whole(decode_chunks, encoding, codec):
    data = MULTIBYTE.encode(codec, "surrogatepass")
    for first in range(len(data) + 1):
        for second in range(first, len(data) + 1):
            chunks = [data[:first], data[first:second], data[second:]]
            # Each write's text crosses to Python on its own: a pair split between two writes
            # arrives as two lone surrogates, joined again here.
            assert "".join(decode_chunks(chunks, encoding)).encode("utf-16-le", "surrogatepass").decode("utf-16-le") == MULTIBYTE


@pytest.mark.parametrize("encoding, chunks, expected", [
    ("utf8", [b"\xe2\x82"], ["", "\ufffd"]),
    ("utf8", [b"\xe2", b"\x41"], ["", "\ufffdA", ""]),
    ("utf8", [b"\xf0\x9f", b"\x98"], ["", "", "\ufffd"]),
    ("utf16le", [b"a\x00b"], ["a", ""]),
    ("utf16le", [b"\x3d\xd8"], ["", "\ud83d"]),
])
def test_end_flushes_what_is_left_of_an_incomplete_character(decode_chunks, encoding, chunks, expected):
    assert decode_chunks(chunks, encoding) == expected


@pytest.mark.parametrize("encoding", ["base64", "base64url"])
def test_base64_is_written_in_whole_groups_of_three_bytes(decode_chunks, encoding):
    data = random_bytes(20)
    for cut in range(len(data) + 1):
        out = decode_chunks([data[:cut], data[cut:]], encoding)
        whole = cut - cut % 3
        encode = base64.b64encode if encoding == "base64" else (lambda b: base64.urlsafe_b64encode(b).rstrip(b"="))
        assert out[0] == encode(data[:whole]).decode()
        assert "".join(out) == encode(data).decode()


@pytest.mark.parametrize("encoding, decode", [("hex", bytes.hex), ("latin1", lambda b: b.decode("latin-1")), ("ascii", lambda b: bytes(x & 0x7F for x in b).decode())])
def test_single_byte_encodings_never_hold_anything_back(decode_chunks, encoding, decode):
    data = random_bytes(9)
    assert decode_chunks([data[:4], data[4:]], encoding) == [decode(data[:4]), decode(data[4:]), ""]


@pytest.mark.parametrize("expression, expected", [
    ("new (require('string_decoder').StringDecoder)().encoding", 'utf8'),
    ("new (require('string_decoder').StringDecoder)('UCS-2').encoding", 'utf16le'),
    ("new (require('string_decoder').StringDecoder)('binary').encoding", 'latin1'),
    ("caught(() => new (require('string_decoder').StringDecoder)('utf-7'))", ['TypeError', 'ERR_UNKNOWN_ENCODING', 'Unknown encoding: utf-7']),
    ("caught(() => new (require('string_decoder').StringDecoder)('utf8').write(5))", ['TypeError', 'ERR_INVALID_ARG_TYPE', 'The "buf" argument must be an instance of Buffer, TypedArray, or DataView. Received type number (5)']),
    ("new (require('string_decoder').StringDecoder)('utf8').write('strings pass through')", 'strings pass through'),
    ("new (require('string_decoder').StringDecoder)('utf8').end(Buffer.from([0xc3, 0xa9, 0xc3]))", 'é�'),
])
def test_string_decoder(ctx, expression, expected):
    assert ctx.evaluate(expression) == expected


# ==================================================================================================
# assert


@pytest.mark.parametrize("statement", [
    "require('assert')(1)", "require('assert').ok('x')", "require('assert').equal(1, '1')", "require('assert').notEqual(1, 2)",
    "require('assert').strictEqual(NaN, NaN)", "require('assert').notStrictEqual(1, '1')", "require('assert').deepEqual({ a: 1 }, { a: '1' })",
    "require('assert').deepStrictEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })", "require('assert').notDeepStrictEqual({ a: 1 }, { a: '1' })",
    "require('assert').throws(() => { throw new TypeError('t'); }, TypeError)", "require('assert').throws(() => { throw new Error('abc'); }, /b/)",
    "require('assert').throws(() => { throw new Error('abc'); }, { message: 'abc' })", "require('assert').doesNotThrow(() => {})",
    "require('assert').match('abc', /b/)", "require('assert').ifError(null)", "require('assert').strict.equal(1, 1)",
])
def test_assertions_that_hold_return_nothing(ctx, statement):
    assert thrown(ctx, statement) == "no error"


@pytest.mark.parametrize("statement, expected", [
    ("caught(() => require('assert')(0))", ['AssertionError', 'ERR_ASSERTION', '0 == true']),
    ("caught(() => require('assert').ok())", ['AssertionError', 'ERR_ASSERTION', 'No value argument passed to `assert.ok()`']),
    ("caught(() => require('assert').ok(false, 'custom'))", ['AssertionError', 'ERR_ASSERTION', 'custom']),
    ("caught(() => require('assert').equal(1, 2))", ['AssertionError', 'ERR_ASSERTION', '1 == 2']),
    ("caught(() => require('assert').notEqual(1, '1'))", ['AssertionError', 'ERR_ASSERTION', "1 != '1'"]),
    ("caught(() => require('assert').strictEqual(1, 2))", ['AssertionError', 'ERR_ASSERTION', 'Expected values to be strictly equal:\n\n1 !== 2\n']),
    ("caught(() => require('assert').strictEqual('hello world', 'hello there'))", ['AssertionError', 'ERR_ASSERTION', "Expected values to be strictly equal:\n+ actual - expected\n\n+ 'hello world'\n- 'hello there'\n         ^"]),
    ("caught(() => require('assert').strictEqual({}, {}))", ['AssertionError', 'ERR_ASSERTION', 'Values have same structure but are not reference-equal:\n\n{}\n']),
    ("caught(() => require('assert').notStrictEqual(1, 1))", ['AssertionError', 'ERR_ASSERTION', 'Expected "actual" to be strictly unequal to: 1']),
    ("caught(() => require('assert').deepStrictEqual({ a: 1 }, { a: 2 }))", ['AssertionError', 'ERR_ASSERTION', 'Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   a: 1\n-   a: 2\n  }']),
    ("caught(() => require('assert').deepEqual({ a: 1 }, { a: 2 }))", ['AssertionError', 'ERR_ASSERTION', 'Expected values to be loosely deep-equal:\n\n{\n  a: 1\n}\n\nshould loosely deep-equal\n\n{\n  a: 2\n}']),
    ("caught(() => require('assert').notDeepStrictEqual({ a: 1 }, { a: 1 }))", ['AssertionError', 'ERR_ASSERTION', 'Expected "actual" not to be strictly deep-equal to:\n\n{\n  a: 1\n}\n']),
    ("caught(() => require('assert').strict.equal(1, '1'))", ['AssertionError', 'ERR_ASSERTION', "Expected values to be strictly equal:\n\n1 !== '1'\n"]),
    ("caught(() => require('assert').throws(() => {}))", ['AssertionError', 'ERR_ASSERTION', 'Missing expected exception.']),
    ("caught(() => require('assert').throws(() => {}, TypeError, 'wanted'))", ['AssertionError', 'ERR_ASSERTION', 'Missing expected exception (TypeError): wanted']),
    ("caught(() => require('assert').throws(() => { throw new Error('abc'); }, TypeError))", ['AssertionError', 'ERR_ASSERTION', 'The error is expected to be an instance of "TypeError". Received "Error"\n\nError message:\n\nabc']),
    ("caught(() => require('assert').throws(() => { throw new Error('abc'); }, /xyz/))", ['AssertionError', 'ERR_ASSERTION', "The input did not match the regular expression /xyz/. Input:\n\n'Error: abc'\n"]),
    ("caught(() => require('assert').doesNotThrow(() => { throw new Error('abc'); }))", ['AssertionError', 'ERR_ASSERTION', 'Got unwanted exception.\nActual message: "abc"']),
    ("caught(() => require('assert').match('abc', /x/))", ['AssertionError', 'ERR_ASSERTION', "The input did not match the regular expression /x/. Input:\n\n'abc'\n"]),
    ("caught(() => require('assert').fail())", ['AssertionError', 'ERR_ASSERTION', 'Failed']),
    ("caught(() => require('assert').fail('boom'))", ['AssertionError', 'ERR_ASSERTION', 'boom']),
    ("caught(() => require('assert').ifError(new Error('e')))", ['AssertionError', 'ERR_ASSERTION', 'ifError got unwanted exception: e']),
    ("caught(() => require('assert').equal(1))", ['TypeError', 'ERR_MISSING_ARGS', 'The "actual" and "expected" arguments must be specified']),
    ("caught(() => require('assert').throws('not a function'))", ['TypeError', 'ERR_INVALID_ARG_TYPE', 'The "fn" argument must be of type function. Received type string (\'not a function\')']),
])
def test_failed_assertions_throw_node_s_assertion_errors(ctx, statement, expected):
    assert ctx.evaluate(statement) == expected


def test_an_assertion_error_carries_what_was_compared(ctx):
    assert ctx.evaluate(
        "(() => { try { require('assert').strictEqual(1, 2); } catch (e) { return [e instanceof require('assert').AssertionError, e instanceof Error, e.actual, e.expected, e.operator, e.generatedMessage, String(e).split(':')[0]]; } })()"
    ) == [True, True, 1, 2, "strictEqual", True, "AssertionError [ERR_ASSERTION]"]


def test_an_error_as_the_message_is_thrown_instead(ctx):
    assert thrown(ctx, "require('assert').strictEqual(1, 2, new RangeError('mine'))") == ["RangeError", None, "mine"]


def test_assert_strict_is_the_strict_mode(ctx):
    assert ctx.evaluate(
        "(() => { const a = require('assert'); return [a.strict.strict === a.strict, a.strict.deepEqual === a.deepStrictEqual, a.strict.notEqual === a.notStrictEqual, typeof a.strict]; })()"
    ) == [True, True, True, "function"]


def test_rejects_awaits_the_rejection(ctx):
    assert ctx.evaluate("(async () => { await require('assert').rejects(Promise.reject(new TypeError('t')), TypeError); return 'held'; })()") == "held"
    assert ctx.evaluate("(async () => { try { await require('assert').rejects(async () => 1); } catch (e) { return [e.name, e.message]; } })()") == [
        "AssertionError",
        "Missing expected rejection.",
    ]
