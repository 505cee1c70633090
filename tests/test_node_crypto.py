"""require("crypto") (src/js/node/crypto.js): Node's crypto module for hashes, HMAC, randomness,
PBKDF2, timingSafeEqual and AES-CBC/CTR/GCM ciphers, checked against Python's own
implementations (hashlib, hmac, and the ``cryptography`` package, a test dependency).

Errors are Node's: the same class, ``code`` and message. Buffers come back to Python as bytes.
"""

import hashlib
import hmac
import re

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import v8ctx

pytestmark = pytest.mark.timeout(60)

UUID_V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
HASHES = ["md5", "sha1", "sha256", "sha384", "sha512"]
BITS = [128, 192, 256]

HELPERS = r"""
const nodeCrypto = require("crypto");
// Node's global; in v8ctx only CommonJS modules have it free.
const { Buffer } = require("buffer");
// What calling f throws, as {name, code, message}; null if it returns.
function thrown(f) {
  try {
    f();
  } catch (error) {
    return { name: error.name, code: error.code ?? null, message: error.message };
  }
  return null;
}
function hashOf(algorithm, chunks, encoding) {
  const hash = nodeCrypto.createHash(algorithm);
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest(encoding);
}
function hashText(algorithm, text, encoding) {
  return nodeCrypto.createHash(algorithm).update(text, encoding ?? undefined).digest();
}
function hmacOf(algorithm, key, chunks, encoding) {
  const mac = nodeCrypto.createHmac(algorithm, key);
  for (const chunk of chunks) mac.update(chunk);
  return mac.digest(encoding);
}
// A cipher run over chunks: what each update() and the final() returned, and the GCM tag.
function encryptParts(name, key, iv, chunks, options = {}) {
  const cipher = nodeCrypto.createCipheriv(name, key, iv, options.authTagLength ? { authTagLength: options.authTagLength } : undefined);
  if (options.autoPadding === false) cipher.setAutoPadding(false);
  if (options.aad) cipher.setAAD(options.aad);
  const parts = chunks.map((chunk) => cipher.update(chunk));
  parts.push(cipher.final());
  return { parts, tag: /gcm/i.test(name) ? cipher.getAuthTag() : null };
}
function decryptParts(name, key, iv, chunks, options = {}) {
  const decipher = nodeCrypto.createDecipheriv(name, key, iv);
  if (options.autoPadding === false) decipher.setAutoPadding(false);
  if (options.aad) decipher.setAAD(options.aad);
  if (options.tag) decipher.setAuthTag(options.tag);
  const parts = chunks.map((chunk) => decipher.update(chunk));
  parts.push(decipher.final());
  return parts;
}
function decryptError(name, key, iv, data, options = {}) {
  return thrown(() => decryptParts(name, key, iv, [data], options));
}
"""


@pytest.fixture
def ctx():
    context = v8ctx.Context()
    context.compile(HELPERS)
    yield context
    context.close()


def data_of(n, seed=1):
    return bytes((i * 31 + seed * 7) & 0xFF for i in range(n))


def chunked(data, sizes):
    """data cut into pieces of the given sizes, round and round."""
    pieces, i, k = [], 0, 0
    while i < len(data):
        pieces.append(data[i : i + sizes[k % len(sizes)]])
        i += sizes[k % len(sizes)]
        k += 1
    return pieces or [b""]


CHUNKINGS = {"whole": [1 << 30], "bytes": [1], "sevens": [7], "blocks": [16], "mixed": [3, 16, 1, 29, 32]}


def aes_cbc(key, iv, data, pad=True):
    if pad:
        padder = padding.PKCS7(128).padder()
        data = padder.update(data) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def aes_ctr(key, iv, data):
    return Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor().update(data)


# ---- Hashes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"abc", data_of(1000), data_of(200_000)], ids=["empty", "abc", "1000", "200000"])
@pytest.mark.parametrize("algorithm", HASHES)
def test_create_hash_digest_is_the_hash_of_the_data(ctx, algorithm, data):
    assert ctx.call("hashOf", [algorithm, [data]]) == hashlib.new(algorithm, data).digest()


@pytest.mark.parametrize(
    "name, algorithm",
    [("MD5", "md5"), ("SHA1", "sha1"), ("Sha256", "sha256"), ("sha-256", "sha256"), ("SHA-512", "sha512"),
     ("sha2-384", "sha384"), ("RSA-SHA256", "sha256"), ("sha1WithRSAEncryption", "sha1")],
)
def test_hash_names_are_case_insensitive_and_take_openssl_aliases(ctx, name, algorithm):
    assert ctx.call("hashOf", [name, [b"abc"]]) == hashlib.new(algorithm, b"abc").digest()


@pytest.mark.parametrize("algorithm", HASHES)
def test_update_chains_and_the_digest_covers_every_chunk(ctx, algorithm):
    chunks = [b"one", b"", data_of(100), b"three"]
    assert ctx.call("hashOf", [algorithm, chunks]) == hashlib.new(algorithm, b"".join(chunks)).digest()


@pytest.mark.parametrize(
    "encoding, render",
    [
        ("hex", lambda d: d.hex()),
        ("base64", lambda d: __import__("base64").b64encode(d).decode()),
        ("base64url", lambda d: __import__("base64").urlsafe_b64encode(d).rstrip(b"=").decode()),
        ("latin1", lambda d: d.decode("latin-1")),
        ("binary", lambda d: d.decode("latin-1")),
    ],
)
def test_digest_renders_in_the_requested_encoding(ctx, encoding, render):
    assert ctx.call("hashOf", ["sha256", [b"abc"], encoding]) == render(hashlib.sha256(b"abc").digest())


def test_digest_without_an_encoding_is_a_buffer(ctx):
    assert ctx.evaluate("Buffer.isBuffer(nodeCrypto.createHash('md5').update('x').digest())") is True


@pytest.mark.parametrize(
    "text, encoding, data",
    [("héllo ✓", None, "héllo ✓".encode()), ("héllo", "utf8", "héllo".encode()), ("00ff10", "hex", b"\x00\xff\x10"),
     ("c2FtcGxl", "base64", b"sample"), ("ÿé", "latin1", b"\xff\xe9")],
    ids=["default utf8", "utf8", "hex", "base64", "latin1"],
)
def test_update_decodes_strings_in_the_input_encoding(ctx, text, encoding, data):
    assert ctx.call("hashText", ["sha1", text, encoding]) == hashlib.sha1(data).digest()


def test_copy_forks_the_hash_state(ctx):
    result = ctx.evaluate("(() => { const h = nodeCrypto.createHash('sha256').update('one'); const c = h.copy().update('two'); return [h.digest(), c.digest()]; })()")
    assert result == [hashlib.sha256(b"one").digest(), hashlib.sha256(b"onetwo").digest()]


@pytest.mark.parametrize("call", ["digest()", "update('x')", "copy()"])
def test_a_hash_is_finished_once_digested(ctx, call):
    error = ctx.evaluate(f"thrown(() => {{ const h = nodeCrypto.createHash('sha256'); h.digest(); h.{call}; }})")
    assert error == {"name": "Error", "code": "ERR_CRYPTO_HASH_FINALIZED", "message": "Digest already called"}


def test_an_unknown_hash_is_an_error(ctx):
    assert ctx.evaluate("thrown(() => nodeCrypto.createHash('sha3-1024'))") == {"name": "Error", "code": None, "message": "Digest method not supported"}


@pytest.mark.parametrize("data", ["5", "null", "new ArrayBuffer(4)", "{}"])
def test_updating_with_what_is_not_a_string_or_view_is_a_type_error(ctx, data):
    error = ctx.evaluate(f"thrown(() => nodeCrypto.createHash('sha256').update({data}))")
    assert (error["name"], error["code"]) == ("TypeError", "ERR_INVALID_ARG_TYPE")


def test_get_hashes_lists_the_supported_hashes(ctx):
    assert set(HASHES) <= set(ctx.evaluate("nodeCrypto.getHashes()"))


# ---- HMAC --------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["secret", "", "k" * 200, b"\x00\xffkey", data_of(64)], ids=["string", "empty", "long", "bytes", "block-sized"])
@pytest.mark.parametrize("algorithm", HASHES)
def test_create_hmac_digest_is_the_mac_of_the_data(ctx, algorithm, key):
    chunks = [b"message ", data_of(100)]
    raw_key = key.encode() if isinstance(key, str) else key
    assert ctx.call("hmacOf", [algorithm, key, chunks]) == hmac.new(raw_key, b"".join(chunks), algorithm).digest()


@pytest.mark.parametrize("key", ["new Uint16Array([0x6b6b, 0x6b6b])", "new Uint8Array([107, 107, 107, 107]).buffer", "new DataView(new Uint8Array([107, 107, 107, 107]).buffer)"])
def test_an_hmac_key_may_be_any_buffer_view_or_array_buffer(ctx, key):
    assert ctx.evaluate(f"nodeCrypto.createHmac('sha256', {key}).update('x').digest()") == hmac.new(b"kkkk", b"x", "sha256").digest()


def test_a_second_hmac_digest_is_empty(ctx):
    assert ctx.evaluate("(() => { const m = nodeCrypto.createHmac('sha1', 'k'); m.digest(); return [m.digest('hex'), m.digest()]; })()") == ["", b""]


def test_an_unknown_hmac_digest_is_a_type_error(ctx):
    assert ctx.evaluate("thrown(() => nodeCrypto.createHmac('no-such-hash', 'k'))") == {"name": "TypeError", "code": "ERR_CRYPTO_INVALID_DIGEST", "message": "Invalid digest: no-such-hash"}


# ---- Randomness --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 16, 100_000])
def test_random_bytes_is_a_buffer_of_the_size(ctx, size):
    assert ctx.evaluate(f"(() => {{ const b = nodeCrypto.randomBytes({size}); return [Buffer.isBuffer(b), b.length]; }})()") == [True, size]


def test_random_bytes_with_a_callback_calls_back_later(ctx):
    result = ctx.evaluate("new Promise((resolve) => { let later = false; nodeCrypto.randomBytes(8, (error, buffer) => resolve([error, buffer.length, later])); later = true; })")
    assert result == [None, 8, True]


@pytest.mark.parametrize("size, name, code", [("-1", "RangeError", "ERR_OUT_OF_RANGE"), ("2 ** 31", "RangeError", "ERR_OUT_OF_RANGE"), ("'16'", "TypeError", "ERR_INVALID_ARG_TYPE")])
def test_random_bytes_of_a_bad_size_is_an_error(ctx, size, name, code):
    error = ctx.evaluate(f"thrown(() => nodeCrypto.randomBytes({size}))")
    assert (error["name"], error["code"]) == (name, code)


def test_random_fill_sync_fills_only_the_range_in_elements(ctx):
    result = ctx.evaluate("(() => { const a = new Uint32Array(4); const r = nodeCrypto.randomFillSync(a, 1, 2); return [r === a, a[0], a[3]]; })()")
    assert result == [True, 0, 0]


def test_random_fill_sync_past_the_end_is_a_range_error(ctx):
    error = ctx.evaluate("thrown(() => nodeCrypto.randomFillSync(new Uint8Array(4), 3, 2))")
    assert (error["name"], error["code"]) == ("RangeError", "ERR_OUT_OF_RANGE")


def test_random_fill_calls_back_with_the_buffer(ctx):
    assert ctx.evaluate("new Promise((resolve) => { const a = new Uint8Array(4); nodeCrypto.randomFill(a, (error, b) => resolve([error, b === a])); })") == [None, True]


@pytest.mark.parametrize("low, high", [(0, 1), (0, 10), (-5, 5), (10**12, 10**12 + 3), (0, 2**48 - 1)])
def test_random_int_is_an_integer_in_the_half_open_range(ctx, low, high):
    values = ctx.evaluate(f"Array.from({{length: 200}}, () => nodeCrypto.randomInt({low}, {high}))")
    assert all(isinstance(v, int) and low <= v < high for v in values)


def test_random_int_with_only_a_maximum_starts_at_zero(ctx):
    assert set(ctx.evaluate("Array.from({length: 300}, () => nodeCrypto.randomInt(3))")) == {0, 1, 2}


@pytest.mark.parametrize(
    "args, name, code",
    [("5, 5", "RangeError", "ERR_OUT_OF_RANGE"), ("0, 2 ** 48 + 1", "RangeError", "ERR_OUT_OF_RANGE"), ("1.5", "TypeError", "ERR_INVALID_ARG_TYPE"), ("'9'", "TypeError", "ERR_INVALID_ARG_TYPE")],
)
def test_random_int_of_a_bad_range_is_an_error(ctx, args, name, code):
    error = ctx.evaluate(f"thrown(() => nodeCrypto.randomInt({args}))")
    assert (error["name"], error["code"]) == (name, code)


def test_random_uuid_is_a_version_4_uuid(ctx):
    assert UUID_V4.match(ctx.evaluate("nodeCrypto.randomUUID()"))


def test_a_seeded_context_draws_the_same_random_bytes():
    draws = []
    for _ in range(2):
        context = v8ctx.Context(random_seed=7)
        try:
            draws.append(context.evaluate("require('crypto').randomBytes(32)"))
        finally:
            context.close()
    assert draws[0] == draws[1]


# ---- PBKDF2 and timingSafeEqual ----------------------------------------------------------------


@pytest.mark.parametrize("keylen", [0, 1, 20, 64, 100])
@pytest.mark.parametrize("iterations", [1, 2, 1000])
@pytest.mark.parametrize("digest", HASHES)
def test_pbkdf2_sync_is_pbkdf2_hmac(ctx, digest, iterations, keylen):
    expected = hashlib.pbkdf2_hmac(digest, b"password", b"salt", iterations, keylen) if keylen else b""
    assert ctx.call("nodeCrypto.pbkdf2Sync", ["password", "salt", iterations, keylen, digest]) == expected


@pytest.mark.parametrize("password, salt", [(b"", b"salt"), (data_of(100), b""), (b"", b"")], ids=["empty password", "empty salt", "both empty"])
def test_pbkdf2_sync_takes_empty_passwords_and_salts(ctx, password, salt):
    assert ctx.call("nodeCrypto.pbkdf2Sync", [password, salt, 3, 32, "sha256"]) == hashlib.pbkdf2_hmac("sha256", password, salt, 3, 32)


def test_pbkdf2_calls_back_with_the_derived_key(ctx):
    result = ctx.evaluate("new Promise((resolve) => nodeCrypto.pbkdf2('pw', 'salt', 10, 24, 'sha512', (error, key) => resolve([error, key])))")
    assert result == [None, hashlib.pbkdf2_hmac("sha512", b"pw", b"salt", 10, 24)]


@pytest.mark.parametrize(
    "args, name, code",
    [
        ("'p', 's', 0, 16, 'sha256'", "RangeError", "ERR_OUT_OF_RANGE"),
        ("'p', 's', 1, -1, 'sha256'", "RangeError", "ERR_OUT_OF_RANGE"),
        ("'p', 's', 1, 16", "TypeError", "ERR_INVALID_ARG_TYPE"),
        ("'p', 's', 1, 16, 'sha3'", "TypeError", "ERR_CRYPTO_INVALID_DIGEST"),
        ("5, 's', 1, 16, 'sha256'", "TypeError", "ERR_INVALID_ARG_TYPE"),
    ],
    ids=["zero iterations", "negative keylen", "no digest", "unknown digest", "password not bytes"],
)
def test_pbkdf2_sync_with_bad_arguments_is_an_error(ctx, args, name, code):
    error = ctx.evaluate(f"thrown(() => nodeCrypto.pbkdf2Sync({args}))")
    assert (error["name"], error["code"]) == (name, code)


@pytest.mark.parametrize("a, b, equal", [(b"abc", b"abc", True), (b"abc", b"abd", False), (b"", b"", True)])
def test_timing_safe_equal_compares_bytes(ctx, a, b, equal):
    assert ctx.call("nodeCrypto.timingSafeEqual", [a, b]) is equal


def test_timing_safe_equal_of_different_lengths_is_a_range_error(ctx):
    error = ctx.evaluate("thrown(() => nodeCrypto.timingSafeEqual(Buffer.from('ab'), Buffer.from('abc')))")
    assert error == {"name": "RangeError", "code": "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH", "message": "Input buffers must have the same byte length"}


# ---- Ciphers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("chunking", list(CHUNKINGS))
@pytest.mark.parametrize("length", [0, 1, 15, 16, 17, 100])
@pytest.mark.parametrize("bits", BITS)
def test_cbc_cipher_is_aes_cbc_with_pkcs7_padding(ctx, bits, length, chunking):
    key, iv, data = data_of(bits // 8, 2), data_of(16, 3), data_of(length, 4)
    result = ctx.call("encryptParts", [f"aes-{bits}-cbc", key, iv, chunked(data, CHUNKINGS[chunking])])
    assert b"".join(result["parts"]) == aes_cbc(key, iv, data)


@pytest.mark.parametrize("chunking", list(CHUNKINGS))
@pytest.mark.parametrize("length", [0, 1, 16, 100])
@pytest.mark.parametrize("bits", BITS)
def test_cbc_decipher_inverts_the_cipher(ctx, bits, length, chunking):
    key, iv, data = data_of(bits // 8, 2), data_of(16, 3), data_of(length, 4)
    parts = ctx.call("decryptParts", [f"aes-{bits}-cbc", key, iv, chunked(aes_cbc(key, iv, data), CHUNKINGS[chunking])])
    assert b"".join(parts) == data


def test_cbc_update_returns_the_whole_blocks_so_far(ctx):
    key, iv = data_of(16), data_of(16, 3)
    parts = ctx.call("encryptParts", ["aes-128-cbc", key, iv, [data_of(20), data_of(20)]])["parts"]
    assert [len(part) for part in parts] == [16, 16, 16]


def test_cbc_decipher_update_holds_back_the_last_block_for_final(ctx):
    key, iv = data_of(16), data_of(16, 3)
    ciphertext = aes_cbc(key, iv, data_of(40))
    parts = ctx.call("decryptParts", ["aes-128-cbc", key, iv, [ciphertext[:32], ciphertext[32:]]])
    assert [len(part) for part in parts] == [16, 16, 8]


@pytest.mark.parametrize("bits", BITS)
def test_set_auto_padding_false_encrypts_the_blocks_as_they_are(ctx, bits):
    key, iv, data = data_of(bits // 8), data_of(16, 3), data_of(48)
    result = ctx.call("encryptParts", [f"aes-{bits}-cbc", key, iv, chunked(data, [5]), {"autoPadding": False}])
    assert b"".join(result["parts"]) == aes_cbc(key, iv, data, pad=False)


def test_set_auto_padding_false_decrypts_and_keeps_the_padding(ctx):
    key, iv = data_of(16), data_of(16, 3)
    parts = ctx.call("decryptParts", ["aes-128-cbc", key, iv, [aes_cbc(key, iv, b"hi")], {"autoPadding": False}])
    assert b"".join(parts) == b"hi" + bytes([14] * 14)


@pytest.mark.parametrize("direction", ["encryptParts", "decryptParts"])
def test_without_auto_padding_a_partial_block_is_an_error(ctx, direction):
    error = ctx.evaluate(f"thrown(() => {direction}('aes-128-cbc', new Uint8Array(16), new Uint8Array(16), [new Uint8Array(20)], {{autoPadding: false}}))")
    assert error == {"name": "Error", "code": "ERR_OSSL_WRONG_FINAL_BLOCK_LENGTH", "message": "error:1C80006B:Provider routines::wrong final block length"}


def test_cbc_decipher_of_bad_padding_is_a_bad_decrypt_error(ctx):
    error = ctx.call("decryptError", ["aes-128-cbc", bytes(16), bytes(16), bytes(32)])
    assert error == {"name": "Error", "code": "ERR_OSSL_BAD_DECRYPT", "message": "error:1C800064:Provider routines::bad decrypt"}


@pytest.mark.parametrize("chunking", list(CHUNKINGS))
@pytest.mark.parametrize("bits", BITS)
def test_ctr_cipher_is_aes_ctr_and_update_returns_as_much_as_it_is_given(ctx, bits, chunking):
    key, iv, data = data_of(bits // 8, 2), data_of(16, 5), data_of(100, 4)
    chunks = chunked(data, CHUNKINGS[chunking])
    result = ctx.call("encryptParts", [f"aes-{bits}-ctr", key, iv, chunks])
    assert [len(part) for part in result["parts"][:-1]] == [len(chunk) for chunk in chunks]
    assert b"".join(result["parts"]) == aes_ctr(key, iv, data)


def test_ctr_counter_carries_across_the_whole_block(ctx):
    key, iv, data = data_of(16), b"\x01" * 8 + b"\xff" * 8, data_of(64)
    result = ctx.call("encryptParts", ["aes-128-ctr", key, iv, chunked(data, [7])])
    assert b"".join(result["parts"]) == aes_ctr(key, iv, data)


@pytest.mark.parametrize("chunking", list(CHUNKINGS))
@pytest.mark.parametrize("aad", [None, b"header"], ids=["no aad", "aad"])
@pytest.mark.parametrize("length", [0, 1, 16, 100])
@pytest.mark.parametrize("bits", BITS)
def test_gcm_cipher_is_aes_gcm(ctx, bits, length, aad, chunking):
    key, iv, data = data_of(bits // 8, 2), data_of(12, 6), data_of(length, 4)
    result = ctx.call("encryptParts", [f"aes-{bits}-gcm", key, iv, chunked(data, CHUNKINGS[chunking]), {"aad": aad}])
    sealed = AESGCM(key).encrypt(iv, data, aad)
    assert (b"".join(result["parts"]), result["tag"]) == (sealed[:-16], sealed[-16:])


def test_gcm_with_a_12_byte_iv_returns_ciphertext_from_update(ctx):
    key, iv = data_of(16), data_of(12, 6)
    parts = ctx.call("encryptParts", ["aes-128-gcm", key, iv, [b"hello", b" world"]])["parts"]
    assert [len(part) for part in parts] == [5, 6, 0]


@pytest.mark.parametrize("iv_length", [8, 16, 60])
def test_gcm_takes_ivs_of_other_lengths(ctx, iv_length):
    key, iv, data = data_of(16), data_of(iv_length, 6), data_of(50)
    result = ctx.call("encryptParts", ["aes-128-gcm", key, iv, chunked(data, [7])])
    sealed = AESGCM(key).encrypt(iv, data, None)
    assert (b"".join(result["parts"]), result["tag"]) == (sealed[:-16], sealed[-16:])


@pytest.mark.parametrize("tag_length", [4, 8, 12, 16])
def test_gcm_auth_tag_length_truncates_the_tag(ctx, tag_length):
    key, iv = data_of(16), data_of(12, 6)
    result = ctx.call("encryptParts", ["aes-128-gcm", key, iv, [b"data"], {"authTagLength": tag_length}])
    assert result["tag"] == AESGCM(key).encrypt(iv, b"data", None)[-16:][:tag_length]


@pytest.mark.parametrize("chunking", list(CHUNKINGS))
@pytest.mark.parametrize("bits", BITS)
def test_gcm_decipher_with_the_tag_gives_the_plaintext(ctx, bits, chunking):
    key, iv, data = data_of(bits // 8, 2), data_of(12, 6), data_of(100, 4)
    sealed = AESGCM(key).encrypt(iv, data, b"aad")
    parts = ctx.call("decryptParts", [f"aes-{bits}-gcm", key, iv, chunked(sealed[:-16], CHUNKINGS[chunking]), {"aad": b"aad", "tag": sealed[-16:]}])
    assert b"".join(parts) == data


@pytest.mark.parametrize(
    "tamper",
    [
        lambda ct, tag: (bytes([ct[0] ^ 1]) + ct[1:], {"tag": tag}),
        lambda ct, tag: (ct, {"tag": bytes([tag[0] ^ 1]) + tag[1:]}),
        lambda ct, tag: (ct, {"tag": tag, "aad": b"other"}),
        lambda ct, tag: (ct, {}),
    ],
    ids=["ciphertext", "tag", "aad", "no tag"],
)
def test_gcm_decipher_final_of_unauthentic_data_is_an_error(ctx, tamper):
    key, iv = data_of(16), data_of(12, 6)
    sealed = AESGCM(key).encrypt(iv, b"attack at dawn", None)
    data, options = tamper(sealed[:-16], sealed[-16:])
    error = ctx.call("decryptError", ["aes-128-gcm", key, iv, data, options])
    assert error == {"name": "Error", "code": None, "message": "Unsupported state or unable to authenticate data"}


@pytest.mark.parametrize(
    "code, operation",
    [
        ("nodeCrypto.createCipheriv('aes-128-gcm', new Uint8Array(16), new Uint8Array(12)).getAuthTag()", "getAuthTag"),
        ("(() => { const c = nodeCrypto.createCipheriv('aes-128-gcm', new Uint8Array(16), new Uint8Array(12)); c.update('x'); c.setAAD(new Uint8Array(1)); })()", "setAAD"),
        ("(() => { const c = nodeCrypto.createCipheriv('aes-128-cbc', new Uint8Array(16), new Uint8Array(16)); c.final(); c.setAutoPadding(false); })()", "setAutoPadding"),
        ("(() => { const d = nodeCrypto.createDecipheriv('aes-128-gcm', new Uint8Array(16), new Uint8Array(12)); d.setAuthTag(new Uint8Array(16)); d.setAuthTag(new Uint8Array(16)); })()", "setAuthTag"),
    ],
    ids=["getAuthTag before final", "setAAD after update", "setAutoPadding after final", "setAuthTag twice"],
)
def test_cipher_calls_out_of_order_are_invalid_state_errors(ctx, code, operation):
    assert ctx.evaluate(f"thrown(() => {code})") == {"name": "Error", "code": "ERR_CRYPTO_INVALID_STATE", "message": f"Invalid state for operation {operation}"}


def test_a_second_final_is_an_invalid_state_error(ctx):
    error = ctx.evaluate("thrown(() => { const c = nodeCrypto.createCipheriv('aes-128-cbc', new Uint8Array(16), new Uint8Array(16)); c.final(); c.final(); })")
    assert (error["name"], error["code"]) == ("Error", "ERR_CRYPTO_INVALID_STATE")


@pytest.mark.parametrize("encoding", ["hex", "base64", "latin1"])
def test_cipher_update_and_final_take_input_and_output_encodings(ctx, encoding):
    key, iv = b"0123456789abcdef", b"fedcba9876543210"
    text = "a secret message, long enough for two blocks ✓"
    result = ctx.evaluate(
        f"(() => {{ const c = nodeCrypto.createCipheriv('aes-128-cbc', '0123456789abcdef', 'fedcba9876543210');"
        f" return c.update({text!r}, 'utf8', {encoding!r}) + c.final({encoding!r}); }})()"
    )
    expected = aes_cbc(key, iv, text.encode())
    rendered = {"hex": expected.hex(), "base64": __import__("base64").b64encode(expected).decode(), "latin1": expected.decode("latin-1")}
    assert result == rendered[encoding]


def test_utf8_output_never_splits_a_character_across_updates(ctx):
    key, iv = data_of(16), data_of(16, 5)
    text = "h€llo ✓ wörld 𝄞 " * 4
    ciphertext = aes_ctr(key, iv, text.encode())
    parts = ctx.evaluate(
        f"(() => {{ const d = nodeCrypto.createDecipheriv('aes-128-ctr', new Uint8Array({list(key)}), new Uint8Array({list(iv)}));"
        f" const parts = Array.from(new Uint8Array({list(ciphertext)}), (byte) => d.update(new Uint8Array([byte]), undefined, 'utf8'));"
        f" parts.push(d.final('utf8')); return parts; }})()"
    )
    assert "".join(parts) == text
    assert "\ufffd" not in "".join(parts)


@pytest.mark.parametrize("name, key_length", [("aes128", 16), ("aes192", 24), ("AES256", 32), ("AES-128-CBC", 16)])
def test_cipher_names_are_case_insensitive_and_aes_n_means_cbc(ctx, name, key_length):
    key, iv = data_of(key_length), data_of(16, 3)
    assert b"".join(ctx.call("encryptParts", [name, key, iv, [b"data"]])["parts"]) == aes_cbc(key, iv, b"data")


@pytest.mark.parametrize(
    "args, name, code, message",
    [
        ("'aes-128-ecb', new Uint8Array(16), null", "Error", "ERR_CRYPTO_UNKNOWN_CIPHER", "Unknown cipher"),
        ("'chacha20-poly1305', new Uint8Array(32), new Uint8Array(12)", "Error", "ERR_CRYPTO_UNKNOWN_CIPHER", "Unknown cipher"),
        ("'aes-128-cbc', new Uint8Array(15), new Uint8Array(16)", "RangeError", "ERR_CRYPTO_INVALID_KEYLEN", "Invalid key length"),
        ("'aes-256-gcm', new Uint8Array(16), new Uint8Array(12)", "RangeError", "ERR_CRYPTO_INVALID_KEYLEN", "Invalid key length"),
        ("'aes-128-cbc', new Uint8Array(16), new Uint8Array(12)", "TypeError", "ERR_CRYPTO_INVALID_IV", "Invalid initialization vector"),
        ("'aes-128-ctr', new Uint8Array(16), null", "TypeError", "ERR_CRYPTO_INVALID_IV", "Invalid initialization vector"),
        ("'aes-128-gcm', new Uint8Array(16), new Uint8Array(0)", "TypeError", "ERR_CRYPTO_INVALID_IV", "Invalid initialization vector"),
    ],
    ids=["ecb", "chacha", "short key", "128-bit key for aes-256", "cbc iv of 12 bytes", "ctr without iv", "gcm empty iv"],
)
def test_create_cipheriv_with_an_unknown_cipher_or_a_bad_key_or_iv_is_an_error(ctx, args, name, code, message):
    assert ctx.evaluate(f"thrown(() => nodeCrypto.createCipheriv({args}))") == {"name": name, "code": code, "message": message}


# ---- The module --------------------------------------------------------------------------------


def test_webcrypto_and_subtle_are_the_global_crypto(ctx):
    assert ctx.evaluate("[nodeCrypto.webcrypto === globalThis.crypto, nodeCrypto.subtle === crypto.subtle]") == [True, True]


def test_get_random_values_fills_the_array(ctx):
    assert ctx.evaluate("(() => { const a = new Uint32Array(4); return nodeCrypto.getRandomValues(a) === a; })()") is True


@pytest.mark.parametrize("name", ["createSign", "createVerify", "generateKeyPairSync", "createECDH", "publicEncrypt", "createPrivateKey", "createDiffieHellman"])
def test_unsupported_functions_are_absent(ctx, name):
    assert ctx.evaluate(f"typeof nodeCrypto.{name}") == "undefined"


@pytest.mark.parametrize(
    "derive",
    [
        "require('crypto').pbkdf2Sync('p', 's', 2 ** 31 - 1, 64, 'sha512')",
        "crypto.subtle.importKey('raw', new Uint8Array(8), 'PBKDF2', false, ['deriveBits']).then(k =>"
        " crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(8), iterations: 4294967295 }, k, 256))",
    ],
)
def test_a_pbkdf2_with_hours_of_iterations_stops_at_the_timeout(derive):
    from _subprocess import run_python

    out = run_python(
        f"""
        import time, v8ctx
        ctx = v8ctx.Context(timeout=0.5)
        start = time.monotonic()
        try:
            ctx.evaluate({derive!r})
        except v8ctx.JSTimeoutError:
            print("timed out after", round(time.monotonic() - start, 1))
        """,
        timeout=60,
    )
    seconds = float(out.split()[-1])
    assert out.startswith("timed out") and seconds < 5
