//! The cryptography behind `crypto.subtle` (`js/web/subtle.js`) and Node's `crypto`
//! (`js/node/crypto.js`): digests, HMAC, PBKDF2 and AES, from the RustCrypto crates. The
//! JavaScript side checks arguments and shapes results; these ops only compute, and throw a
//! plain Error naming what was wrong, which the JavaScript side maps to the standard's error.

use aes::cipher::consts::U16;
use aes::cipher::generic_array::GenericArray;
use aes::cipher::{
    BlockDecryptMut, BlockEncrypt, BlockEncryptMut, BlockSizeUser, KeyInit, KeyIvInit,
};
use deno_core::{op2, OpState};
use deno_error::JsErrorBox;
use ghash::universal_hash::UniversalHash;
use ghash::GHash;
use hmac::Mac;
use sha2::Digest;

fn unknown(algorithm: &str) -> JsErrorBox {
    JsErrorBox::generic(format!("unsupported hash algorithm: {algorithm}"))
}

/// Runs `$body` with `$hash` bound to the RustCrypto type of a hash algorithm's name.
macro_rules! with_hash {
    ($algorithm:expr, $hash:ident => $body:expr, $md5:expr) => {
        match $algorithm {
            "SHA-1" => {
                type $hash = sha1::Sha1;
                $body
            }
            "SHA-256" => {
                type $hash = sha2::Sha256;
                $body
            }
            "SHA-384" => {
                type $hash = sha2::Sha384;
                $body
            }
            "SHA-512" => {
                type $hash = sha2::Sha512;
                $body
            }
            "MD5" if $md5 => {
                type $hash = md5::Md5;
                $body
            }
            other => Err(unknown(other)),
        }
    };
}

/// Copies `result` into the caller's `out`, which must be exactly its size. Results are written
/// into buffers JavaScript allocated, so they count against the Context's memory limit as every
/// ArrayBuffer does (`external_memory`), instead of arriving in memory V8 never accounts.
fn deliver(result: &[u8], out: &mut [u8]) -> Result<u32, JsErrorBox> {
    let Some(target) = out.get_mut(..result.len()) else {
        return Err(JsErrorBox::range_error(format!(
            "the output buffer holds {} bytes, the result {}",
            out.len(),
            result.len()
        )));
    };
    target.copy_from_slice(result);
    Ok(result.len() as u32)
}

#[op2]
pub fn op_v8ctx_digest(
    #[string] algorithm: &str,
    #[anybuffer] data: &[u8],
    #[buffer] out: &mut [u8],
) -> Result<u32, JsErrorBox> {
    with_hash!(algorithm, H => deliver(&H::digest(data), out), true)
}

#[op2]
pub fn op_v8ctx_hmac(
    #[string] algorithm: &str,
    #[anybuffer] key: &[u8],
    #[anybuffer] data: &[u8],
    #[buffer] out: &mut [u8],
) -> Result<u32, JsErrorBox> {
    with_hash!(algorithm, H => {
        let mut mac = <hmac::Hmac<H> as Mac>::new_from_slice(key)
            .map_err(|e| JsErrorBox::generic(e.to_string()))?;
        mac.update(data);
        deliver(&mac.finalize().into_bytes(), out)
    }, true)
}

/// PBKDF2 with HMAC (RFC 8018) into `out`, its length the derived key's. Polls `stop` every few
/// thousand iterations: V8's termination reaches only JavaScript, and an iteration count from
/// hostile code could otherwise keep this op running for hours past a timeout.
#[op2]
pub fn op_v8ctx_pbkdf2(
    state: &mut OpState,
    #[string] algorithm: &str,
    #[anybuffer] password: &[u8],
    #[anybuffer] salt: &[u8],
    iterations: u32,
    #[buffer] out: &mut [u8],
) -> Result<(), JsErrorBox> {
    if iterations == 0 {
        return Err(JsErrorBox::generic("PBKDF2 needs at least one iteration"));
    }
    let stop = super::stop_requested(state);
    let stopped = || JsErrorBox::generic("PBKDF2 was stopped");
    with_hash!(algorithm, H => {
        let prf = <hmac::Hmac<H> as Mac>::new_from_slice(password)
            .map_err(|e| JsErrorBox::generic(e.to_string()))?;
        let size = <H as Digest>::output_size();
        for (index, block) in out.chunks_mut(size).enumerate() {
            let mut mac = prf.clone();
            mac.update(salt);
            mac.update(&(index as u32 + 1).to_be_bytes());
            let mut u = mac.finalize().into_bytes();
            let mut t = u;
            for round in 1..iterations {
                if round % 4096 == 0 && stop() {
                    return Err(stopped());
                }
                let mut mac = prf.clone();
                mac.update(&u);
                u = mac.finalize().into_bytes();
                t.iter_mut().zip(u.iter()).for_each(|(t, u)| *t ^= u);
            }
            block.copy_from_slice(&t[..block.len()]);
        }
        Ok(())
    }, true)
}

/// The AES modes of `crypto.subtle`; `param` is the CTR counter length or the GCM tag length,
/// in bits.
fn aes(
    mode: &str,
    encrypt: bool,
    key: &[u8],
    iv: &[u8],
    param: u32,
    additional_data: &[u8],
    data: &[u8],
) -> Result<Vec<u8>, JsErrorBox> {
    let error = |what: &str| JsErrorBox::generic(what.to_string());
    let bad_key = || error("AES keys are 16, 24 or 32 bytes long");
    macro_rules! by_key_size {
        ($run:ident) => {
            match key.len() {
                16 => $run!(aes::Aes128),
                24 => $run!(aes::Aes192),
                32 => $run!(aes::Aes256),
                _ => Err(bad_key()),
            }
        };
    }
    match mode {
        "AES-CBC" => {
            use cbc::cipher::block_padding::Pkcs7;
            macro_rules! cbc {
                ($aes:ty) => {{
                    let bad_iv = || error("the AES-CBC iv is 16 bytes long");
                    if encrypt {
                        let cipher = cbc::Encryptor::<$aes>::new_from_slices(key, iv)
                            .map_err(|_| bad_iv())?;
                        Ok(cipher.encrypt_padded_vec_mut::<Pkcs7>(data))
                    } else {
                        let cipher = cbc::Decryptor::<$aes>::new_from_slices(key, iv)
                            .map_err(|_| bad_iv())?;
                        cipher
                            .decrypt_padded_vec_mut::<Pkcs7>(data)
                            .map_err(|_| error("decryption failed: bad padding"))
                    }
                }};
            }
            by_key_size!(cbc)
        }
        "AES-CTR" => {
            if iv.len() != 16 {
                return Err(error("the AES-CTR counter is 16 bytes long"));
            }
            if !(1..=128).contains(&param) {
                return Err(error("the AES-CTR counter length is 1 to 128 bits"));
            }
            let counter = u128::from_be_bytes(iv.try_into().expect("checked length"));
            macro_rules! ctr {
                ($aes:ty) => {{
                    let cipher = <$aes>::new_from_slice(key).map_err(|_| bad_key())?;
                    Ok(counter_mode(&cipher, counter, param, data))
                }};
            }
            by_key_size!(ctr)
        }
        "AES-GCM" => {
            if iv.is_empty() {
                return Err(error("the AES-GCM iv must not be empty"));
            }
            if !matches!(param, 32 | 64 | 96 | 104 | 112 | 120 | 128) {
                return Err(error("the AES-GCM tag length is 32, 64 or 96 to 128 bits"));
            }
            macro_rules! gcm {
                ($aes:ty) => {{
                    let cipher = <$aes>::new_from_slice(key).map_err(|_| bad_key())?;
                    let tag_bytes = param as usize / 8;
                    if encrypt {
                        Ok(gcm_seal(&cipher, iv, additional_data, data, tag_bytes))
                    } else {
                        gcm_open(&cipher, iv, additional_data, data, tag_bytes)
                            .ok_or_else(|| error("decryption failed: the data is not authentic"))
                    }
                }};
            }
            by_key_size!(gcm)
        }
        other => Err(JsErrorBox::generic(format!(
            "unsupported AES mode: {other}"
        ))),
    }
}

/// An AES block cipher of any key size.
trait Aes: BlockEncrypt + BlockSizeUser<BlockSize = U16> {}
impl<C: BlockEncrypt + BlockSizeUser<BlockSize = U16>> Aes for C {}

/// CTR mode as the Web Crypto API defines it: the low `bits` bits of the counter block count
/// up and wrap, the bits above them stay as they are.
fn counter_mode<C: Aes>(cipher: &C, counter: u128, bits: u32, data: &[u8]) -> Vec<u8> {
    let mask = if bits == 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    };
    let mut block = counter;
    let mut out = Vec::with_capacity(data.len());
    for chunk in data.chunks(16) {
        let mut keystream = GenericArray::from(block.to_be_bytes());
        cipher.encrypt_block(&mut keystream);
        out.extend(chunk.iter().zip(keystream.iter()).map(|(d, k)| d ^ k));
        block = (block & !mask) | (block.wrapping_add(1) & mask);
    }
    out
}

/// GHASH over `additional_data` and `ciphertext` with their bit lengths (NIST SP 800-38D).
fn gcm_hash(key: &GenericArray<u8, U16>, additional_data: &[u8], ciphertext: &[u8]) -> [u8; 16] {
    let mut ghash = GHash::new(key);
    ghash.update_padded(additional_data);
    ghash.update_padded(ciphertext);
    let mut lengths = [0u8; 16];
    lengths[..8].copy_from_slice(&((additional_data.len() as u64) * 8).to_be_bytes());
    lengths[8..].copy_from_slice(&((ciphertext.len() as u64) * 8).to_be_bytes());
    ghash.update(&[GenericArray::from(lengths)]);
    ghash.finalize().into()
}

/// GCM's hash key and pre-counter block J0 for `iv`, of any length.
fn gcm_start<C: Aes>(cipher: &C, iv: &[u8]) -> (GenericArray<u8, U16>, u128) {
    let mut hash_key = GenericArray::from([0u8; 16]);
    cipher.encrypt_block(&mut hash_key);
    let j0 = if iv.len() == 12 {
        let mut block = [0u8; 16];
        block[..12].copy_from_slice(iv);
        block[15] = 1;
        u128::from_be_bytes(block)
    } else {
        u128::from_be_bytes(gcm_hash(&hash_key, &[], iv))
    };
    (hash_key, j0)
}

/// The tag: the hash encrypted with J0, cut to `tag_bytes`.
fn gcm_tag<C: Aes>(
    cipher: &C,
    hash_key: &GenericArray<u8, U16>,
    j0: u128,
    additional_data: &[u8],
    ciphertext: &[u8],
    tag_bytes: usize,
) -> Vec<u8> {
    let hash = gcm_hash(hash_key, additional_data, ciphertext);
    let mut tag = counter_mode(cipher, j0, 32, &hash);
    tag.truncate(tag_bytes);
    tag
}

/// GCM encryption: ciphertext followed by the tag.
fn gcm_seal<C: Aes>(
    cipher: &C,
    iv: &[u8],
    additional_data: &[u8],
    data: &[u8],
    tag_bytes: usize,
) -> Vec<u8> {
    let (hash_key, j0) = gcm_start(cipher, iv);
    let mut sealed = counter_mode(cipher, increment32(j0), 32, data);
    let tag = gcm_tag(cipher, &hash_key, j0, additional_data, &sealed, tag_bytes);
    sealed.extend(tag);
    sealed
}

/// GCM decryption of ciphertext followed by the tag; None if the tag does not match.
fn gcm_open<C: Aes>(
    cipher: &C,
    iv: &[u8],
    additional_data: &[u8],
    data: &[u8],
    tag_bytes: usize,
) -> Option<Vec<u8>> {
    let split = data.len().checked_sub(tag_bytes)?;
    let (ciphertext, tag) = data.split_at(split);
    let (hash_key, j0) = gcm_start(cipher, iv);
    let expected = gcm_tag(
        cipher,
        &hash_key,
        j0,
        additional_data,
        ciphertext,
        tag_bytes,
    );
    // Compared in constant time: every byte, whatever the first difference.
    let difference = expected.iter().zip(tag).fold(0u8, |d, (a, b)| d | (a ^ b));
    (difference == 0).then(|| counter_mode(cipher, increment32(j0), 32, ciphertext))
}

/// GCM's inc32: the low 32 bits count up, wrapping.
fn increment32(block: u128) -> u128 {
    (block & !0xffff_ffff) | (block.wrapping_add(1) & 0xffff_ffff)
}

/// AES in `mode` ("AES-CBC", "AES-CTR" or "AES-GCM"), encrypting if `encrypt`, into `out`
/// (`deliver`); returns the bytes written (fewer than `out` holds after CBC unpadding).
#[op2]
#[allow(clippy::too_many_arguments)]
pub fn op_v8ctx_aes(
    #[string] mode: &str,
    encrypt: bool,
    #[anybuffer] key: &[u8],
    #[anybuffer] iv: &[u8],
    param: u32,
    #[anybuffer] additional_data: &[u8],
    #[anybuffer] data: &[u8],
    #[buffer] out: &mut [u8],
) -> Result<u32, JsErrorBox> {
    deliver(
        &aes(mode, encrypt, key, iv, param, additional_data, data)?,
        out,
    )
}
