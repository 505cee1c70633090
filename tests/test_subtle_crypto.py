"""crypto.subtle (src/js/web/subtle.js): the W3C Web Cryptography API for SHA digests, HMAC,
AES-CBC/CTR/GCM, PBKDF2 and HKDF, checked against Python's own implementations (hashlib, hmac,
and the ``cryptography`` package, a test dependency).

Every operation returns a Promise (awaited by ``ctx.call``/``ctx.evaluate``); results are
ArrayBuffers, which come back as bytes. Failures are Promise rejections: a DOMException whose
name says what was wrong (NotSupportedError, InvalidAccessError, DataError, OperationError,
SyntaxError), or a TypeError for an argument of the wrong type.
"""

import base64
import hashlib
import hmac

import pytest
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

import v8ctx

pytestmark = pytest.mark.timeout(60)

SHAS = {"SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
PY_HASHES = {"SHA-1": hashes.SHA1, "SHA-256": hashes.SHA256, "SHA-384": hashes.SHA384, "SHA-512": hashes.SHA512}
BLOCK_BITS = {"SHA-1": 512, "SHA-256": 512, "SHA-384": 1024, "SHA-512": 1024}
AES_MODES = ["AES-CBC", "AES-CTR", "AES-GCM"]
KEY_SIZES = [16, 24, 32]

# What the tests call from Python: each imports its key and runs one operation, so that only
# bytes, strings and plain objects cross into Python.
HELPERS = r"""
async function importRaw(raw, algorithm, usages, extractable = true) {
  return crypto.subtle.importKey("raw", raw, algorithm, extractable, usages);
}
function describe(key) {
  return { type: key.type, extractable: key.extractable, algorithm: key.algorithm, usages: key.usages };
}
async function sign(raw, hash, data) {
  return crypto.subtle.sign("HMAC", await importRaw(raw, { name: "HMAC", hash }, ["sign"]), data);
}
async function verify(raw, hash, signature, data) {
  return crypto.subtle.verify("HMAC", await importRaw(raw, { name: "HMAC", hash }, ["verify"]), signature, data);
}
async function encrypt(raw, algorithm, data) {
  return crypto.subtle.encrypt(algorithm, await importRaw(raw, algorithm.name, ["encrypt"]), data);
}
async function decrypt(raw, algorithm, data) {
  return crypto.subtle.decrypt(algorithm, await importRaw(raw, algorithm.name, ["decrypt"]), data);
}
async function deriveBits(name, secret, algorithm, length) {
  return crypto.subtle.deriveBits({ name, ...algorithm }, await importRaw(secret, name, ["deriveBits"], false), length);
}
async function deriveKey(name, secret, algorithm, derivedKeyType, usages) {
  const base = await importRaw(secret, name, ["deriveKey"], false);
  const key = await crypto.subtle.deriveKey({ name, ...algorithm }, base, derivedKeyType, true, usages);
  return { key: describe(key), raw: await crypto.subtle.exportKey("raw", key) };
}
async function exportJwk(raw, algorithm, usages) {
  return crypto.subtle.exportKey("jwk", await importRaw(raw, algorithm, usages));
}
async function importJwk(jwk, algorithm, extractable, usages) {
  const key = await crypto.subtle.importKey("jwk", jwk, algorithm, extractable, usages);
  return { key: describe(key), raw: extractable ? await crypto.subtle.exportKey("raw", key) : null };
}
async function generate(algorithm, usages) {
  const key = await crypto.subtle.generateKey(algorithm, true, usages);
  return { key: describe(key), raw: await crypto.subtle.exportKey("raw", key) };
}
// What a call of the global function `name` is rejected with: [its name, whether a DOMException].
async function failure(name, ...args) {
  try {
    await globalThis[name](...args);
  } catch (error) {
    return [error.name, error instanceof DOMException];
  }
  return null;
}
// The same for a Promise-returning expression.
async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return [error.name, error instanceof DOMException];
  }
  return null;
}
"""


@pytest.fixture
def ctx():
    context = v8ctx.Context()
    context.compile(HELPERS)
    yield context
    context.close()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def data_of(n, seed=1):
    return bytes((i * 31 + seed * 7) & 0xFF for i in range(n))


def rejected(ctx, code):
    """What the Promise that JavaScript `code` evaluates to is rejected with: (name, is a DOMException)."""
    result = ctx.evaluate(f"rejection((async () => {code})())")
    return None if result is None else tuple(result)


DOM = True  # the rejection is a DOMException
PLAIN = False  # the rejection is an ordinary JavaScript error (TypeError)


# ---- digest ------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"abc", data_of(1000), data_of(100_000)], ids=["empty", "abc", "1000", "100000"])
@pytest.mark.parametrize("algorithm", list(SHAS))
def test_digest_is_the_hash_of_the_data(ctx, algorithm, data):
    assert ctx.call("crypto.subtle.digest", [algorithm, data]) == hashlib.new(SHAS[algorithm], data).digest()


@pytest.mark.parametrize(
    "view",
    [
        "data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)",
        "new Uint8Array(data)",
        "new DataView(data.buffer, data.byteOffset, data.byteLength)",
        "new Int32Array(data.buffer.slice(data.byteOffset, data.byteOffset + 12))",
        "new Uint8Array([0, 0, 0, ...data, 0]).subarray(3, 3 + data.length)",
    ],
    ids=["ArrayBuffer", "Uint8Array", "DataView", "Int32Array", "offset subarray"],
)
def test_digest_takes_any_buffer_source_and_hashes_exactly_its_bytes(ctx, view):
    data = data_of(12)
    ctx.compile(f"function digestOf(data) {{ return crypto.subtle.digest('SHA-256', {view}); }}")
    assert ctx.call("digestOf", [data]) == hashlib.sha256(data).digest()


@pytest.mark.parametrize("algorithm", ["sha-256", "Sha-256", {"name": "sHa-256"}, {"name": "SHA-256", "extra": 1}], ids=repr)
def test_algorithm_names_are_case_insensitive_strings_or_objects(ctx, algorithm):
    assert ctx.call("crypto.subtle.digest", [algorithm, b"abc"]) == hashlib.sha256(b"abc").digest()


def test_digest_copies_the_data_when_called(ctx):
    data = data_of(64)
    result = ctx.evaluate(
        "(() => { const data = new Uint8Array(64).map((_, i) => (i * 31 + 7) & 255);"
        " const promise = crypto.subtle.digest('SHA-256', data); data.fill(0); return promise; })()"
    )
    assert result == hashlib.sha256(data).digest()


def test_results_are_array_buffers_of_the_context(ctx):
    assert ctx.evaluate("crypto.subtle.digest('SHA-1', new Uint8Array(1)).then((b) => b instanceof ArrayBuffer)") is True


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-3", "foo", "HMAC", "AES-GCM"])
def test_digest_of_an_unknown_or_non_hash_algorithm_is_not_supported(ctx, algorithm):
    assert rejected(ctx, f"crypto.subtle.digest({algorithm!r}, new Uint8Array(1))") == ("NotSupportedError", DOM)


@pytest.mark.parametrize(
    "name, call",
    [
        ("RSA-OAEP", "generateKey({name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256'}, true, ['encrypt'])"),
        ("RSASSA-PKCS1-v1_5", "importKey('spki', new Uint8Array(10), {name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256'}, true, ['verify'])"),
        ("RSA-PSS", "generateKey({name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256'}, true, ['sign'])"),
        ("ECDSA", "generateKey({name: 'ECDSA', namedCurve: 'P-256'}, true, ['sign'])"),
        ("ECDH", "generateKey({name: 'ECDH', namedCurve: 'P-256'}, true, ['deriveBits'])"),
        ("Ed25519", "generateKey('Ed25519', true, ['sign'])"),
        ("X25519", "generateKey('X25519', true, ['deriveBits'])"),
    ],
)
def test_asymmetric_algorithms_are_not_supported_and_the_error_names_them(ctx, name, call):
    result = ctx.evaluate(f"crypto.subtle.{call}.then(() => null, (e) => [e.name, e instanceof DOMException, e.message])")
    assert result[:2] == ["NotSupportedError", True]
    assert name in result[2]


@pytest.mark.parametrize("data", ["'abc'", "[1, 2, 3]", "null", "undefined", "{}", "new Uint8Array(new SharedArrayBuffer(4))"])
def test_data_that_is_not_a_buffer_source_is_a_type_error(ctx, data):
    assert rejected(ctx, f"crypto.subtle.digest('SHA-256', {data})") == ("TypeError", PLAIN)


def test_operations_reject_instead_of_throwing(ctx):
    assert ctx.evaluate("(() => { const p = crypto.subtle.digest('SHA-256', 'x'); p.catch(() => {}); return p instanceof Promise; })()") is True


# ---- HMAC --------------------------------------------------------------------------------------


@pytest.mark.parametrize("key_length", [1, 16, 64, 65, 200])
@pytest.mark.parametrize("hash_name", list(SHAS))
def test_hmac_sign_is_the_mac_of_the_data(ctx, hash_name, key_length):
    key, data = data_of(key_length, 3), data_of(300)
    assert ctx.call("sign", [key, hash_name, data]) == hmac.new(key, data, SHAS[hash_name]).digest()


@pytest.mark.parametrize("hash_name", list(SHAS))
def test_hmac_verify_accepts_the_mac(ctx, hash_name):
    key, data = data_of(20), b"message"
    assert ctx.call("verify", [key, hash_name, hmac.new(key, data, SHAS[hash_name]).digest(), data]) is True


@pytest.mark.parametrize(
    "tamper",
    [lambda mac: bytes([mac[0] ^ 1]) + mac[1:], lambda mac: mac[:-1], lambda mac: mac + b"\0", lambda mac: b""],
    ids=["flipped bit", "truncated", "extended", "empty"],
)
def test_hmac_verify_rejects_any_other_signature_by_resolving_false(ctx, tamper):
    key, data = data_of(20), b"message"
    assert ctx.call("verify", [key, "SHA-256", tamper(hmac.new(key, data, "sha256").digest()), data]) is False


@pytest.mark.parametrize("hash_name", list(SHAS))
def test_an_imported_hmac_key_describes_itself(ctx, hash_name):
    key = ctx.evaluate(f"importRaw(new Uint8Array(20), {{name: 'hmac', hash: {hash_name.lower()!r}}}, ['verify', 'sign'], false).then(describe)")
    assert key == {
        "type": "secret",
        "extractable": False,
        "algorithm": {"name": "HMAC", "length": 160, "hash": {"name": hash_name}},
        "usages": ["sign", "verify"],
    }


@pytest.mark.parametrize("hash_name", list(SHAS))
def test_hmac_generate_key_is_as_long_as_the_hash_block_by_default(ctx, hash_name):
    generated = ctx.call("generate", [{"name": "HMAC", "hash": hash_name}, ["sign"]])
    assert generated["key"]["algorithm"] == {"name": "HMAC", "length": BLOCK_BITS[hash_name], "hash": {"name": hash_name}}
    assert len(generated["raw"]) == BLOCK_BITS[hash_name] // 8


def test_hmac_generate_key_takes_a_length_in_bits(ctx):
    generated = ctx.call("generate", [{"name": "HMAC", "hash": "SHA-256", "length": 384}, ["sign"]])
    assert generated["key"]["algorithm"]["length"] == 384
    assert len(generated["raw"]) == 48


@pytest.mark.parametrize("hash_name, alg", [("SHA-1", "HS1"), ("SHA-256", "HS256"), ("SHA-384", "HS384"), ("SHA-512", "HS512")])
def test_hmac_key_exports_as_a_jwk(ctx, hash_name, alg):
    key = data_of(33)
    jwk = ctx.call("exportJwk", [key, {"name": "HMAC", "hash": hash_name}, ["sign", "verify"]])
    assert jwk == {"alg": alg, "ext": True, "k": b64url(key), "key_ops": ["sign", "verify"], "kty": "oct"}


@pytest.mark.parametrize("hash_name", list(SHAS))
def test_hmac_jwk_imports_as_the_key_it_encodes(ctx, hash_name):
    key = data_of(40)
    jwk = {"kty": "oct", "k": b64url(key), "alg": "HS" + hash_name[4:], "ext": True, "key_ops": ["sign"]}
    imported = ctx.call("importJwk", [jwk, {"name": "HMAC", "hash": hash_name}, True, ["sign"]])
    assert imported["raw"] == key
    assert imported["key"]["algorithm"] == {"name": "HMAC", "length": 320, "hash": {"name": hash_name}}


@pytest.mark.parametrize(
    "change, usages, extractable",
    [
        ({"kty": "RSA"}, ["sign"], False),
        ({"kty": None}, ["sign"], False),
        ({"k": None}, ["sign"], False),
        ({"k": "not*base64url"}, ["sign"], False),
        ({"k": ""}, ["sign"], False),
        ({"alg": "HS512"}, ["sign"], False),
        ({"use": "enc"}, ["sign"], False),
        ({"key_ops": ["verify"]}, ["sign"], False),
        ({"key_ops": ["sign", "sign"]}, ["sign"], False),
        ({"ext": False}, ["sign"], True),
    ],
    ids=["kty not oct", "no kty", "no k", "k not base64url", "empty k", "alg of another hash", "use not sig",
         "key_ops without the usage", "key_ops repeated", "ext false but extractable"],
)
def test_hmac_jwk_that_contradicts_the_import_is_a_data_error(ctx, change, usages, extractable):
    jwk = {"kty": "oct", "k": b64url(data_of(32))}
    jwk.update(change)
    jwk = {name: value for name, value in jwk.items() if value is not None}
    assert tuple(ctx.call("failure", ["importJwk", jwk, {"name": "HMAC", "hash": "SHA-256"}, extractable, usages])) == ("DataError", DOM)


@pytest.mark.parametrize("length, ok", [(256, True), (249, True), (248, False), (257, False)])
def test_hmac_import_length_must_fall_within_the_last_byte_of_the_key(ctx, length, ok):
    code = f"importRaw(new Uint8Array(32), {{name: 'HMAC', hash: 'SHA-256', length: {length}}}, ['sign'])"
    assert rejected(ctx, code) == (None if ok else ("DataError", DOM))


def test_an_empty_hmac_key_is_a_data_error(ctx):
    assert rejected(ctx, "importRaw(new Uint8Array(0), {name: 'HMAC', hash: 'SHA-256'}, ['sign'])") == ("DataError", DOM)


def test_hmac_import_without_a_hash_is_a_type_error(ctx):
    assert rejected(ctx, "importRaw(new Uint8Array(16), {name: 'HMAC'}, ['sign'])") == ("TypeError", PLAIN)


# ---- Keys and usages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "algorithm, usages",
    [
        ("{name: 'HMAC', hash: 'SHA-256'}", ["encrypt"]),
        ("'AES-GCM'", ["sign"]),
        ("'AES-CBC'", ["deriveBits"]),
        ("'PBKDF2'", ["encrypt"]),
    ],
)
def test_a_usage_the_algorithm_does_not_have_is_a_syntax_error(ctx, algorithm, usages):
    code = f"crypto.subtle.importKey('raw', new Uint8Array(16), {algorithm}, false, {usages!r})"
    assert rejected(ctx, code) == ("SyntaxError", DOM)


@pytest.mark.parametrize(
    "call",
    [
        "importKey('raw', new Uint8Array(16), 'AES-GCM', false, [])",
        "importKey('raw', new Uint8Array(16), {name: 'HMAC', hash: 'SHA-1'}, false, [])",
        "generateKey({name: 'AES-CTR', length: 128}, false, [])",
        "generateKey({name: 'HMAC', hash: 'SHA-1'}, false, [])",
    ],
)
def test_a_secret_key_without_usages_is_a_syntax_error(ctx, call):
    assert rejected(ctx, f"crypto.subtle.{call}") == ("SyntaxError", DOM)


@pytest.mark.parametrize("usages", ["['sing']", "'sign'", "null"])
def test_usages_that_are_not_key_usages_are_a_type_error(ctx, usages):
    code = f"crypto.subtle.importKey('raw', new Uint8Array(16), {{name: 'HMAC', hash: 'SHA-1'}}, false, {usages})"
    assert rejected(ctx, code) == ("TypeError", PLAIN)


def test_key_usages_are_deduplicated_and_in_the_spec_order(ctx):
    key = ctx.evaluate("importRaw(new Uint8Array(16), 'AES-GCM', ['unwrapKey', 'decrypt', 'encrypt', 'decrypt']).then(describe)")
    assert key["usages"] == ["encrypt", "decrypt", "unwrapKey"]


def test_a_key_algorithm_is_a_copy_that_cannot_change_the_key(ctx):
    result = ctx.evaluate(
        "(async () => { const key = await importRaw(new Uint8Array(16), {name: 'HMAC', hash: 'SHA-256'}, ['sign']);"
        " key.algorithm.hash.name = 'SHA-1'; const mac = await crypto.subtle.sign('HMAC', key, new Uint8Array(1));"
        " return [key.algorithm === key.algorithm, mac.byteLength]; })()"
    )
    assert result == [True, 32]


@pytest.mark.parametrize("format", ["raw", "jwk"])
def test_exporting_a_key_that_is_not_extractable_is_an_invalid_access_error(ctx, format):
    code = f"crypto.subtle.exportKey({format!r}, await importRaw(new Uint8Array(16), 'AES-GCM', ['encrypt'], false))"
    assert rejected(ctx, code) == ("InvalidAccessError", DOM)


@pytest.mark.parametrize("format", ["spki", "pkcs8"])
def test_exporting_a_secret_key_as_a_public_or_private_key_is_not_supported(ctx, format):
    code = f"crypto.subtle.exportKey({format!r}, await importRaw(new Uint8Array(16), 'AES-GCM', ['encrypt']))"
    assert rejected(ctx, code) == ("NotSupportedError", DOM)


def test_an_unknown_key_format_is_a_type_error(ctx):
    assert rejected(ctx, "crypto.subtle.importKey('pem', new Uint8Array(16), 'AES-GCM', false, ['encrypt'])") == ("TypeError", PLAIN)


@pytest.mark.parametrize(
    "code",
    [
        "crypto.subtle.sign('HMAC', await importRaw(new Uint8Array(16), {name: 'HMAC', hash: 'SHA-256'}, ['verify']), new Uint8Array(1))",
        "crypto.subtle.encrypt({name: 'AES-GCM', iv: new Uint8Array(12)}, await importRaw(new Uint8Array(16), 'AES-GCM', ['decrypt']), new Uint8Array(1))",
        "crypto.subtle.deriveBits({name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(8), iterations: 1}, await importRaw(new Uint8Array(8), 'PBKDF2', ['deriveKey'], false), 128)",
    ],
    ids=["sign", "encrypt", "deriveBits"],
)
def test_using_a_key_for_an_operation_outside_its_usages_is_an_invalid_access_error(ctx, code):
    assert rejected(ctx, code) == ("InvalidAccessError", DOM)


def test_using_a_key_of_another_algorithm_is_an_invalid_access_error(ctx):
    code = "crypto.subtle.encrypt({name: 'AES-GCM', iv: new Uint8Array(12)}, await importRaw(new Uint8Array(16), 'AES-CBC', ['encrypt']), new Uint8Array(1))"
    assert rejected(ctx, code) == ("InvalidAccessError", DOM)


def test_a_key_that_is_not_a_crypto_key_is_a_type_error(ctx):
    assert rejected(ctx, "crypto.subtle.sign('HMAC', {type: 'secret'}, new Uint8Array(1))") == ("TypeError", PLAIN)


@pytest.mark.parametrize("interface", ["CryptoKey", "SubtleCrypto"])
def test_crypto_key_and_subtle_crypto_cannot_be_constructed(ctx, interface):
    result = ctx.evaluate(f"(() => {{ try {{ new {interface}(); }} catch (e) {{ return [e.name, e.message]; }} }})()")
    assert result == ["TypeError", "Illegal constructor"]


def test_crypto_subtle_is_the_subtle_crypto_and_not_enumerable(ctx):
    assert ctx.evaluate("[crypto.subtle instanceof SubtleCrypto, Object.keys(crypto).includes('subtle'), Object.prototype.toString.call(crypto.subtle)]") == [
        True,
        False,
        "[object SubtleCrypto]",
    ]


# ---- AES ---------------------------------------------------------------------------------------


def aes_ecb(key, block):
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return encryptor.update(block) + encryptor.finalize()


def aes_cbc(key, iv, data):
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def aes_ctr(key, counter, length, data):
    """CTR as the Web Cryptography API defines it: the low `length` bits of the block count, wrapping."""
    value = int.from_bytes(counter, "big")
    mask = (1 << length) - 1
    out = bytearray()
    for i in range(0, len(data), 16):
        block = (value & ~mask) | ((value + i // 16) & mask)
        stream = aes_ecb(key, block.to_bytes(16, "big"))
        out += bytes(a ^ b for a, b in zip(data[i : i + 16], stream))
    return bytes(out)


@pytest.mark.parametrize("length", [0, 1, 15, 16, 17, 100])
@pytest.mark.parametrize("key_size", KEY_SIZES)
def test_aes_cbc_encrypts_with_pkcs7_padding(ctx, key_size, length):
    key, iv, data = data_of(key_size, 2), data_of(16, 3), data_of(length, 4)
    assert ctx.call("encrypt", [key, {"name": "AES-CBC", "iv": iv}, data]) == aes_cbc(key, iv, data)


@pytest.mark.parametrize("length", [0, 1, 16, 100])
@pytest.mark.parametrize("key_size", KEY_SIZES)
def test_aes_cbc_decrypt_inverts_encrypt(ctx, key_size, length):
    key, iv, data = data_of(key_size, 2), data_of(16, 3), data_of(length, 4)
    assert ctx.call("decrypt", [key, {"name": "AES-CBC", "iv": iv}, aes_cbc(key, iv, data)]) == data


@pytest.mark.parametrize("length", [1, 16, 100])
@pytest.mark.parametrize("key_size", KEY_SIZES)
def test_aes_ctr_encrypts_with_the_counter_block(ctx, key_size, length):
    key, counter, data = data_of(key_size, 2), data_of(16, 5), data_of(length, 4)
    expected = Cipher(algorithms.AES(key), modes.CTR(counter)).encryptor().update(data)
    assert ctx.call("encrypt", [key, {"name": "AES-CTR", "counter": counter, "length": 128}, data]) == expected


@pytest.mark.parametrize("length", [8, 32, 64])
def test_aes_ctr_counter_wraps_within_its_length(ctx, length):
    key, data = data_of(16), data_of(80)
    counter = b"\x11" * 8 + (2**64 - 2).to_bytes(8, "big")  # the low bits of every width are about to wrap
    algorithm = {"name": "AES-CTR", "counter": counter, "length": length}
    assert ctx.call("encrypt", [key, algorithm, data]) == aes_ctr(key, counter, length, data)


def test_aes_ctr_decrypt_inverts_encrypt(ctx):
    key, counter, data = data_of(32), data_of(16, 5), data_of(50)
    algorithm = {"name": "AES-CTR", "counter": counter, "length": 64}
    assert ctx.call("decrypt", [key, algorithm, aes_ctr(key, counter, 64, data)]) == data


def test_aes_ctr_refuses_more_blocks_than_its_counter_can_count(ctx):
    code = "encrypt(new Uint8Array(16), {name: 'AES-CTR', counter: new Uint8Array(16), length: 2}, new Uint8Array(65))"
    assert rejected(ctx, code) == ("OperationError", DOM)


@pytest.mark.parametrize("aad", [None, b"", b"header"], ids=["no aad", "empty aad", "aad"])
@pytest.mark.parametrize("length", [0, 1, 16, 100])
@pytest.mark.parametrize("key_size", KEY_SIZES)
def test_aes_gcm_encrypts_to_ciphertext_and_tag(ctx, key_size, length, aad):
    key, iv, data = data_of(key_size, 2), data_of(12, 6), data_of(length, 4)
    algorithm = {"name": "AES-GCM", "iv": iv}
    if aad is not None:
        algorithm["additionalData"] = aad
    assert ctx.call("encrypt", [key, algorithm, data]) == AESGCM(key).encrypt(iv, data, aad or None)


@pytest.mark.parametrize("tag_length", [32, 64, 96, 104, 112, 120, 128])
def test_aes_gcm_tag_length_truncates_the_tag(ctx, tag_length):
    key, iv, data = data_of(16), data_of(12, 6), data_of(40)
    sealed = AESGCM(key).encrypt(iv, data, None)
    expected = sealed[: len(data) + tag_length // 8]
    assert ctx.call("encrypt", [key, {"name": "AES-GCM", "iv": iv, "tagLength": tag_length}, data]) == expected


@pytest.mark.parametrize("iv_length", [8, 12, 16, 60])
def test_aes_gcm_takes_ivs_of_any_length(ctx, iv_length):
    key, iv, data = data_of(16), data_of(iv_length, 6), data_of(40)
    assert ctx.call("encrypt", [key, {"name": "AES-GCM", "iv": iv}, data]) == AESGCM(key).encrypt(iv, data, None)


@pytest.mark.parametrize("key_size", KEY_SIZES)
def test_aes_gcm_decrypt_inverts_encrypt(ctx, key_size):
    key, iv, data = data_of(key_size, 2), data_of(12, 6), data_of(50)
    sealed = AESGCM(key).encrypt(iv, data, b"aad")
    assert ctx.call("decrypt", [key, {"name": "AES-GCM", "iv": iv, "additionalData": b"aad"}, sealed]) == data


@pytest.mark.parametrize(
    "tamper",
    [lambda s: bytes([s[0] ^ 1]) + s[1:], lambda s: s[:-1] + bytes([s[-1] ^ 1]), lambda s: s[:10]],
    ids=["ciphertext", "tag", "shorter than the tag"],
)
def test_aes_gcm_decrypt_of_tampered_data_is_an_operation_error(ctx, tamper):
    key, iv = data_of(16), data_of(12, 6)
    sealed = tamper(AESGCM(key).encrypt(iv, b"attack at dawn", None))
    assert tuple(ctx.call("failure", ["decrypt", key, {"name": "AES-GCM", "iv": iv}, sealed])) == ("OperationError", DOM)


def test_aes_gcm_decrypt_with_other_additional_data_is_an_operation_error(ctx):
    key, iv = data_of(16), data_of(12, 6)
    sealed = AESGCM(key).encrypt(iv, b"attack at dawn", b"one")
    algorithm = {"name": "AES-GCM", "iv": iv, "additionalData": b"two"}
    assert tuple(ctx.call("failure", ["decrypt", key, algorithm, sealed])) == ("OperationError", DOM)


@pytest.mark.parametrize("ciphertext", [bytes(32), bytes(17), b""], ids=["bad padding", "not whole blocks", "empty"])
def test_aes_cbc_decrypt_of_bad_ciphertext_is_an_operation_error(ctx, ciphertext):
    algorithm = {"name": "AES-CBC", "iv": bytes(16)}
    assert tuple(ctx.call("failure", ["decrypt", bytes(16), algorithm, ciphertext])) == ("OperationError", DOM)


@pytest.mark.parametrize(
    "algorithm, error",
    [
        ("{name: 'AES-CBC', iv: new Uint8Array(15)}", ("OperationError", DOM)),
        ("{name: 'AES-CBC'}", ("TypeError", PLAIN)),
        ("{name: 'AES-CBC', iv: 'sixteen bytes!!!'}", ("TypeError", PLAIN)),
        ("{name: 'AES-CTR', counter: new Uint8Array(12), length: 64}", ("OperationError", DOM)),
        ("{name: 'AES-CTR', counter: new Uint8Array(16), length: 0}", ("OperationError", DOM)),
        ("{name: 'AES-CTR', counter: new Uint8Array(16), length: 129}", ("OperationError", DOM)),
        ("{name: 'AES-CTR', counter: new Uint8Array(16), length: 256}", ("TypeError", PLAIN)),
        ("{name: 'AES-CTR', counter: new Uint8Array(16)}", ("TypeError", PLAIN)),
        ("{name: 'AES-GCM', iv: new Uint8Array(0)}", ("OperationError", DOM)),
        ("{name: 'AES-GCM', iv: new Uint8Array(12), tagLength: 100}", ("OperationError", DOM)),
        ("{name: 'AES-GCM', iv: new Uint8Array(12), additionalData: 'text'}", ("TypeError", PLAIN)),
    ],
    ids=["cbc iv 15 bytes", "cbc no iv", "cbc iv string", "ctr counter 12 bytes", "ctr length 0", "ctr length 129",
         "ctr length past an octet", "ctr no length", "gcm empty iv", "gcm tag length 100", "gcm aad string"],
)
def test_bad_aes_parameters_are_rejected(ctx, algorithm, error):
    name = algorithm.split("'")[1]
    code = f"crypto.subtle.encrypt({algorithm}, await importRaw(new Uint8Array(16), {name!r}, ['encrypt']), new Uint8Array(16))"
    assert rejected(ctx, code) == error


@pytest.mark.parametrize("size", [0, 8, 20, 33])
@pytest.mark.parametrize("mode", AES_MODES)
def test_an_aes_key_of_another_size_is_a_data_error(ctx, mode, size):
    assert rejected(ctx, f"importRaw(new Uint8Array({size}), {mode!r}, ['encrypt'])") == ("DataError", DOM)


@pytest.mark.parametrize("bits", [128, 192, 256])
@pytest.mark.parametrize("mode", AES_MODES)
def test_aes_generate_key_makes_a_key_of_its_length(ctx, mode, bits):
    generated = ctx.call("generate", [{"name": mode, "length": bits}, ["encrypt", "decrypt"]])
    assert generated["key"] == {"type": "secret", "extractable": True, "algorithm": {"name": mode, "length": bits}, "usages": ["encrypt", "decrypt"]}
    assert len(generated["raw"]) == bits // 8


@pytest.mark.parametrize("length", [0, 64, 100, 512])
def test_aes_generate_key_of_another_length_is_an_operation_error(ctx, length):
    assert rejected(ctx, f"crypto.subtle.generateKey({{name: 'AES-GCM', length: {length}}}, true, ['encrypt'])") == ("OperationError", DOM)


@pytest.mark.parametrize("key_size", KEY_SIZES)
@pytest.mark.parametrize("mode", AES_MODES)
def test_aes_key_exports_as_a_jwk(ctx, mode, key_size):
    key = data_of(key_size)
    jwk = ctx.call("exportJwk", [key, mode, ["encrypt", "decrypt"]])
    alg = f"A{key_size * 8}{mode[4:]}"
    assert jwk == {"alg": alg, "ext": True, "k": b64url(key), "key_ops": ["encrypt", "decrypt"], "kty": "oct"}


@pytest.mark.parametrize("mode", AES_MODES)
def test_aes_jwk_imports_as_the_key_it_encodes(ctx, mode):
    key = data_of(32)
    jwk = {"kty": "oct", "k": b64url(key), "alg": f"A256{mode[4:]}", "use": "enc"}
    assert ctx.call("importJwk", [jwk, mode, True, ["encrypt"]])["raw"] == key


@pytest.mark.parametrize(
    "change",
    [{"alg": "A128GCM"}, {"alg": "A256CBC"}, {"use": "sig"}, {"k": b64url(bytes(20))}, {"kty": "oct-ish"}],
    ids=["alg of another size", "alg of another mode", "use not enc", "k of 20 bytes", "kty not oct"],
)
def test_aes_jwk_that_contradicts_the_import_is_a_data_error(ctx, change):
    jwk = {"kty": "oct", "k": b64url(data_of(32))}
    jwk.update(change)
    assert tuple(ctx.call("failure", ["importJwk", jwk, "AES-GCM", False, ["encrypt"]])) == ("DataError", DOM)


@pytest.mark.parametrize("format", ["raw", "jwk"])
@pytest.mark.parametrize("mode", AES_MODES)
def test_wrap_key_then_unwrap_key_gives_the_key_back(ctx, mode, format):
    params = "{name: 'AES-CTR', counter: new Uint8Array(16), length: 64}" if mode == "AES-CTR" else f"{{name: {mode!r}, iv: new Uint8Array(16)}}"
    result = ctx.evaluate(
        f"(async () => {{ const kek = await importRaw(new Uint8Array(32).fill(9), {mode!r}, ['wrapKey', 'unwrapKey'], false);"
        f" const key = await importRaw(new Uint8Array(16).fill(5), {{name: 'HMAC', hash: 'SHA-256'}}, ['sign']);"
        f" const wrapped = await crypto.subtle.wrapKey({format!r}, key, kek, {params});"
        f" const back = await crypto.subtle.unwrapKey({format!r}, wrapped, kek, {params}, {{name: 'HMAC', hash: 'SHA-256'}}, true, ['sign']);"
        f" return crypto.subtle.exportKey('raw', back); }})()"
    )
    assert result == bytes([5] * 16)


def test_wrap_key_raw_is_the_encryption_of_the_exported_key(ctx):
    kek, iv, key = data_of(16, 8), data_of(12), data_of(32, 9)
    wrapped = ctx.evaluate(
        f"(async () => {{ const kek = await importRaw(new Uint8Array({list(kek)}), 'AES-GCM', ['wrapKey']);"
        f" const key = await importRaw(new Uint8Array({list(key)}), 'AES-CBC', ['encrypt']);"
        f" return crypto.subtle.wrapKey('raw', key, kek, {{name: 'AES-GCM', iv: new Uint8Array({list(iv)})}}); }})()"
    )
    assert wrapped == AESGCM(kek).encrypt(iv, key, None)


# ---- PBKDF2 and HKDF ---------------------------------------------------------------------------


@pytest.mark.parametrize("length", [8, 160, 256, 1024])
@pytest.mark.parametrize("iterations", [1, 2, 1000])
@pytest.mark.parametrize("hash_name", list(SHAS))
def test_pbkdf2_derive_bits_is_pbkdf2_hmac(ctx, hash_name, iterations, length):
    password, salt = b"correct horse battery staple", data_of(16)
    algorithm = {"hash": hash_name, "salt": salt, "iterations": iterations}
    expected = hashlib.pbkdf2_hmac(SHAS[hash_name], password, salt, iterations, length // 8)
    assert ctx.call("deriveBits", ["PBKDF2", password, algorithm, length]) == expected


@pytest.mark.parametrize("password, salt", [(b"", b"salt"), (b"password", b""), (b"", b"")], ids=["empty password", "empty salt", "both empty"])
def test_pbkdf2_takes_empty_passwords_and_salts(ctx, password, salt):
    algorithm = {"hash": "SHA-256", "salt": salt, "iterations": 3}
    assert ctx.call("deriveBits", ["PBKDF2", password, algorithm, 256]) == hashlib.pbkdf2_hmac("sha256", password, salt, 3, 32)


def test_pbkdf2_derive_bits_of_length_zero_is_empty(ctx):
    assert ctx.call("deriveBits", ["PBKDF2", b"pw", {"hash": "SHA-256", "salt": b"s", "iterations": 1}, 0]) == b""


@pytest.mark.parametrize("length, iterations", [(None, 1), (7, 1), (100, 1), (256, 0)], ids=["null length", "length 7", "length 100", "zero iterations"])
def test_pbkdf2_derive_bits_without_a_whole_byte_length_or_iterations_is_an_operation_error(ctx, length, iterations):
    algorithm = {"hash": "SHA-256", "salt": b"salt", "iterations": iterations}
    assert tuple(ctx.call("failure", ["deriveBits", "PBKDF2", b"pw", algorithm, length])) == ("OperationError", DOM)


def test_a_pbkdf2_key_cannot_be_extractable(ctx):
    assert rejected(ctx, "crypto.subtle.importKey('raw', new Uint8Array(8), 'PBKDF2', true, ['deriveBits'])") == ("SyntaxError", DOM)


@pytest.mark.parametrize("bits", [128, 192, 256])
@pytest.mark.parametrize("mode", AES_MODES)
def test_pbkdf2_derive_key_makes_the_aes_key_of_the_derived_bits(ctx, mode, bits):
    salt = data_of(16)
    derived = ctx.call("deriveKey", ["PBKDF2", b"pw", {"hash": "SHA-256", "salt": salt, "iterations": 100}, {"name": mode, "length": bits}, ["encrypt"]])
    assert derived["key"]["algorithm"] == {"name": mode, "length": bits}
    assert derived["raw"] == hashlib.pbkdf2_hmac("sha256", b"pw", salt, 100, bits // 8)


@pytest.mark.parametrize("hash_name", list(SHAS))
def test_pbkdf2_derive_key_makes_an_hmac_key_as_long_as_the_hash_block(ctx, hash_name):
    salt = data_of(16)
    derived = ctx.call("deriveKey", ["PBKDF2", b"pw", {"hash": "SHA-1", "salt": salt, "iterations": 10}, {"name": "HMAC", "hash": hash_name}, ["sign"]])
    assert derived["key"]["algorithm"] == {"name": "HMAC", "length": BLOCK_BITS[hash_name], "hash": {"name": hash_name}}
    assert derived["raw"] == hashlib.pbkdf2_hmac("sha1", b"pw", salt, 10, BLOCK_BITS[hash_name] // 8)


def test_derive_key_of_an_aes_key_of_another_length_is_an_operation_error(ctx):
    args = ["deriveKey", "PBKDF2", b"pw", {"hash": "SHA-256", "salt": b"s", "iterations": 1}, {"name": "AES-GCM", "length": 100}, ["encrypt"]]
    assert tuple(ctx.call("failure", args)) == ("OperationError", DOM)


@pytest.mark.parametrize("length", [8, 256, 2040])
@pytest.mark.parametrize("salt, info", [(b"", b""), (b"salt", b"info"), (data_of(100), data_of(300))], ids=["empty", "short", "long"])
@pytest.mark.parametrize("hash_name", list(SHAS))
def test_hkdf_derive_bits_is_rfc_5869_hkdf(ctx, hash_name, salt, info, length):
    ikm = data_of(22)
    expected = HKDF(algorithm=PY_HASHES[hash_name](), length=length // 8, salt=salt, info=info).derive(ikm)
    assert ctx.call("deriveBits", ["HKDF", ikm, {"hash": hash_name, "salt": salt, "info": info}, length]) == expected


def test_hkdf_derive_bits_past_255_hash_lengths_is_an_operation_error(ctx):
    algorithm = {"hash": "SHA-256", "salt": b"", "info": b""}
    assert tuple(ctx.call("failure", ["deriveBits", "HKDF", b"ikm", algorithm, 255 * 256 + 8])) == ("OperationError", DOM)


# ---- Randomness --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "algorithm, usages",
    [({"name": "AES-GCM", "length": 256}, ["encrypt"]), ({"name": "HMAC", "hash": "SHA-512"}, ["sign"])],
    ids=["AES-GCM", "HMAC"],
)
def test_a_seeded_context_generates_the_same_key_every_time(algorithm, usages):
    keys = []
    for _ in range(2):
        context = v8ctx.Context(random_seed=7)
        try:
            context.compile(HELPERS)
            keys.append(context.call("generate", [algorithm, usages])["raw"])
        finally:
            context.close()
    assert keys[0] == keys[1]


def test_generated_keys_differ_without_a_seed(ctx):
    first, second = (ctx.call("generate", [{"name": "AES-GCM", "length": 256}, ["encrypt"]])["raw"] for _ in range(2))
    assert first != second
