//! A cached source in the form V8 keeps strings in (Latin-1 or UTF-16), made once per process
//! and lent to every Context compiling the source, as an external string.
//!
//! V8 keeps a script's source as long as the script lives (to compile its functions lazily), so
//! without this every Context holds a copy of every library it compiled, and makes that copy
//! anew: typescript's 10.8 MB of UTF-8 (60 characters of it not Latin-1) went through a
//! temporary 21.6 MB UTF-16 buffer into a 21.6 MB heap string in each Context, and fresh memory
//! is slow on the VMs this runs on (the kernel zeroes every page). Lent, the text is made once and
//! shared by all isolates; each string holds an `Arc` of it, which V8 gives back (`release_*`)
//! when it collects the string or disposes of its isolate. An ASCII source lends the very bytes
//! of its `Arc<str>`.
//!
//! Only runtimes that do not become snapshots borrow it: a snapshot must own its strings.

use std::ffi::c_char;
use std::ptr::slice_from_raw_parts;
use std::sync::Arc;

use deno_core::v8;

pub enum SourceText {
    Ascii(Arc<str>),
    Latin1(Arc<[u8]>),
    Utf16(Arc<[u16]>),
}

impl SourceText {
    /// The text of the source the cache keeps as `kept`.
    pub fn of(kept: &Arc<str>) -> Self {
        let bytes = kept.as_bytes();
        if bytes.is_ascii() {
            return SourceText::Ascii(Arc::clone(kept));
        }
        if encoding_rs::mem::is_utf8_latin1(bytes) {
            let mut latin1 = vec![0u8; bytes.len()];
            let written = encoding_rs::mem::convert_utf8_to_latin1_lossy(bytes, &mut latin1);
            latin1.truncate(written);
            return SourceText::Latin1(Arc::from(latin1));
        }
        // Made in place at its exact length: a Vec made into an Arc is copied, which for
        // typescript is 21.6 MB more of fresh memory. encoding_rs's decoder, unlike its `mem`
        // functions, writes into a buffer no longer than what it writes.
        let mut utf16: Arc<[u16]> = std::iter::repeat_n(0, utf16_len(bytes)).collect();
        let out = Arc::get_mut(&mut utf16).expect("not shared yet");
        let (result, read, written) = encoding_rs::UTF_8
            .new_decoder_without_bom_handling()
            .decode_to_utf16_without_replacement(bytes, out, true);
        assert!(
            result == encoding_rs::DecoderResult::InputEmpty
                && read == bytes.len()
                && written == out.len(),
            "a str is valid UTF-8 of utf16_len units"
        );
        SourceText::Utf16(utf16)
    }

    /// The memory it takes beyond the source itself.
    pub fn extra_bytes(&self) -> usize {
        match self {
            SourceText::Ascii(_) => 0,
            SourceText::Latin1(latin1) => latin1.len(),
            SourceText::Utf16(utf16) => utf16.len() * 2,
        }
    }

    /// An external V8 string over the text (None: V8 refused it; make the string anew then).
    pub fn lend<'s>(&self, scope: &v8::PinScope<'s, '_>) -> Option<v8::Local<'s, v8::String>> {
        // SAFETY: each call hands V8 one strong reference to the text (`Arc::into_raw`), which
        // keeps the buffer valid and unchanged while the string lives; V8 calls the matching
        // `release_*` exactly once with the same pointer and length, which gives the reference
        // back. When V8 makes no string it takes nothing, and `given_back_unless` gives it back.
        unsafe {
            match self {
                SourceText::Ascii(text) => {
                    let raw = Arc::into_raw(Arc::clone(text)) as *const u8 as *mut c_char;
                    let lent =
                        v8::String::new_external_onebyte_raw(scope, raw, text.len(), release_ascii);
                    given_back_unless(lent, raw, text.len(), release_ascii)
                }
                SourceText::Latin1(text) => {
                    let raw = Arc::into_raw(Arc::clone(text)) as *const u8 as *mut c_char;
                    let lent = v8::String::new_external_onebyte_raw(
                        scope,
                        raw,
                        text.len(),
                        release_latin1,
                    );
                    given_back_unless(lent, raw, text.len(), release_latin1)
                }
                SourceText::Utf16(text) => {
                    let raw = Arc::into_raw(Arc::clone(text)) as *const u16 as *mut u16;
                    let lent =
                        v8::String::new_external_twobyte_raw(scope, raw, text.len(), release_utf16);
                    given_back_unless(lent, raw, text.len(), release_utf16)
                }
            }
        }
    }
}

/// The UTF-16 code units of the UTF-8 `bytes`: one per byte that starts a character, two for a
/// four-byte one.
fn utf16_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .map(|&b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0))
        .sum()
}

/// `lent`, or, when V8 made no string (and so took nothing), None after giving the reference
/// `raw` back.
///
/// # Safety
/// `raw` and `len` are a reference `release` gives back, not given back yet.
unsafe fn given_back_unless<'s, P>(
    lent: Option<v8::Local<'s, v8::String>>,
    raw: P,
    len: usize,
    release: unsafe extern "C" fn(P, usize),
) -> Option<v8::Local<'s, v8::String>> {
    if lent.is_none() {
        // SAFETY: see above.
        unsafe { release(raw, len) };
    }
    lent
}

// SAFETY (all three): `buffer` and `len` are those of a reference `lend` made with
// `Arc::into_raw` of that very type, given back once.
unsafe extern "C" fn release_ascii(buffer: *mut c_char, len: usize) {
    drop(unsafe {
        Arc::<str>::from_raw(slice_from_raw_parts(buffer as *const u8, len) as *const str)
    });
}

unsafe extern "C" fn release_latin1(buffer: *mut c_char, len: usize) {
    drop(unsafe { Arc::<[u8]>::from_raw(slice_from_raw_parts(buffer as *const u8, len)) });
}

unsafe extern "C" fn release_utf16(buffer: *mut u16, len: usize) {
    drop(unsafe { Arc::<[u16]>::from_raw(slice_from_raw_parts(buffer as *const u16, len)) });
}
