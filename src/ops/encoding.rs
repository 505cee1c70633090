//! `TextDecoder` for every WHATWG encoding (`js/web/encoding.js`), from `encoding_rs` (Firefox's
//! implementation of the Encoding Standard): gbk, gb18030, big5, shift_jis, euc-jp, euc-kr,
//! the single-byte ones, utf-16le/be and utf-8.

use std::cell::RefCell;

use deno_core::{op2, v8, GarbageCollected};
use deno_error::JsErrorBox;
use encoding_rs::{CoderResult, DecoderResult, Encoding};

/// The standard's name (as `TextDecoder.encoding` gives it) for `label`, or null if no
/// encoding has that label; "replacement" is refused too, as `TextDecoder` must.
#[op2]
#[string]
pub fn op_v8ctx_encoding_name(#[string] label: &str) -> Option<String> {
    let encoding = Encoding::for_label(label.as_bytes())?;
    (encoding != encoding_rs::REPLACEMENT).then(|| encoding.name().to_ascii_lowercase())
}

/// A `TextDecoder`'s state between `decode(..., {stream: true})` calls.
pub struct Decoder {
    encoding: &'static Encoding,
    fatal: bool,
    ignore_bom: bool,
    state: RefCell<encoding_rs::Decoder>,
}

// SAFETY: Decoder holds no V8 references, so there is nothing to trace.
unsafe impl GarbageCollected for Decoder {
    fn trace(&self, _visitor: &mut v8::cppgc::Visitor) {}

    fn get_name(&self) -> &'static std::ffi::CStr {
        c"TextDecoderState"
    }
}

impl Decoder {
    fn fresh(&self) -> encoding_rs::Decoder {
        fresh(self.encoding, self.ignore_bom)
    }
}

fn fresh(encoding: &'static Encoding, ignore_bom: bool) -> encoding_rs::Decoder {
    if ignore_bom {
        encoding.new_decoder_without_bom_handling()
    } else {
        encoding.new_decoder_with_bom_removal()
    }
}

/// A decoder for the encoding `name` (from `op_v8ctx_encoding_name`).
#[op2]
#[cppgc]
pub fn op_v8ctx_decoder_new(
    #[string] name: &str,
    fatal: bool,
    ignore_bom: bool,
) -> Result<Decoder, JsErrorBox> {
    let encoding = Encoding::for_label(name.as_bytes())
        .ok_or_else(|| JsErrorBox::range_error(format!("unknown encoding: {name}")))?;
    Ok(Decoder {
        encoding,
        fatal,
        ignore_bom,
        state: RefCell::new(fresh(encoding, ignore_bom)),
    })
}

/// Decodes `data` with a decoder of its own: a `decode()` that is no part of a stream. It needs
/// no state kept between calls, so a TextDecoder only ever used this way holds no C++ object
/// (which a snapshot could not keep: `snapshot/`).
#[op2]
#[string]
pub fn op_v8ctx_decode_once(
    #[string] name: &str,
    fatal: bool,
    ignore_bom: bool,
    #[anybuffer] data: &[u8],
) -> Result<String, JsErrorBox> {
    let encoding = Encoding::for_label(name.as_bytes())
        .ok_or_else(|| JsErrorBox::range_error(format!("unknown encoding: {name}")))?;
    decode(
        &mut fresh(encoding, ignore_bom),
        encoding,
        fatal,
        data,
        true,
    )
}

/// Decodes `data`; unless `stream`, also ends the stream (bytes still held are decoded or
/// replaced) and starts a new one.
#[op2]
#[string]
pub fn op_v8ctx_decoder_decode(
    #[cppgc] decoder: &Decoder,
    #[anybuffer] data: &[u8],
    stream: bool,
) -> Result<String, JsErrorBox> {
    let mut state = decoder.state.borrow_mut();
    let decoded = decode(&mut state, decoder.encoding, decoder.fatal, data, !stream);
    if !stream || decoded.is_err() {
        *state = decoder.fresh();
    }
    decoded
}

/// Decodes `data` with `state`; `last` ends the stream.
fn decode(
    state: &mut encoding_rs::Decoder,
    encoding: &'static Encoding,
    fatal: bool,
    data: &[u8],
    last: bool,
) -> Result<String, JsErrorBox> {
    let mut out = String::new();
    let mut rest = data;
    // encoding_rs writes only into the room the String has; a String made with the room it
    // asks for is filled in one pass, the loop only guards against asking for too little.
    let complete = loop {
        let room = state
            .max_utf8_buffer_length(rest.len())
            .ok_or_else(|| JsErrorBox::range_error("input too large to decode"))?;
        out.reserve(room);
        if fatal {
            let (result, read) = state.decode_to_string_without_replacement(rest, &mut out, last);
            rest = &rest[read..];
            match result {
                DecoderResult::InputEmpty => break true,
                DecoderResult::Malformed(_, _) => break false,
                DecoderResult::OutputFull => {}
            }
        } else {
            let (result, read, _) = state.decode_to_string(rest, &mut out, last);
            rest = &rest[read..];
            if let CoderResult::InputEmpty = result {
                break true;
            }
        }
    };
    if !complete {
        return Err(JsErrorBox::type_error(format!(
            "The encoded data was not valid for encoding {}",
            encoding.name().to_ascii_lowercase()
        )));
    }
    Ok(out)
}
