//! The bytes of a user snapshot: a header v8ctx checks before V8 sees anything, then V8's blob.
//!
//! V8 trusts a startup snapshot completely: bytes from another build of V8 or v8ctx, or damaged
//! ones, make it abort or misbehave instead of failing. So the blob travels inside an envelope
//! (all integers little-endian):
//!
//! ```text
//! tag "v8ctx-snapshot\0\0" (16) | format u32 | checksum (32) | build (32)
//! | v8ctx version, V8 version (u32 length + UTF-8 each) | recorded | V8 blob (u64 length + bytes)
//! ```
//!
//! `build` is `build_identity::build_id()`: it differs between any two builds whose heaps could
//! differ. `checksum` is a SHA-256 of everything after it. A forged envelope passes both checks,
//! so a snapshot is as trusted as code: load only your own.

use sha2::{Digest, Sha256};

use std::sync::Arc;

use crate::browser::Browser;
use crate::build_identity::build_id;
use crate::modules::ModuleRoot;

const TAG: &[u8; 16] = b"v8ctx-snapshot\0\0";
const FORMAT: u32 = 1;
const CHECKSUM_AT: usize = TAG.len() + 4;
const BUILD_AT: usize = CHECKSUM_AT + 32;
const FIXED: usize = BUILD_AT + 32;

/// What a snapshot's runtime was set up with, which every runtime started from it keeps.
pub struct Recorded {
    pub random_seed: Option<u64>,
    pub browser: Option<Browser>,
    /// Where its code found modules: runtimes started from it find them there too, unless given
    /// a `modules=` of their own.
    pub modules: Arc<ModuleRoot>,
    /// Hashes of the sources `compile` ran (`Runtime::remember_source`), so compiling one again
    /// in a Context from the snapshot runs nothing.
    pub compiled_sources: Vec<u64>,
}

/// An envelope whose header was checked: `v8` is V8's blob.
pub struct Opened {
    pub recorded: Recorded,
    /// Where V8's blob lies in the envelope.
    pub v8: std::ops::Range<usize>,
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// Wraps V8's blob with what was recorded.
pub fn seal(v8: &[u8], recorded: &Recorded) -> Vec<u8> {
    let mut out = Vec::with_capacity(v8.len() + 256);
    out.extend_from_slice(TAG);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&[0; 32]);
    out.extend_from_slice(build_id());
    put_bytes(&mut out, env!("CARGO_PKG_VERSION").as_bytes());
    put_bytes(&mut out, deno_core::v8::V8::get_version().as_bytes());
    match recorded.random_seed {
        Some(seed) => {
            out.push(1);
            out.extend_from_slice(&seed.to_le_bytes());
        }
        None => out.push(0),
    }
    match &recorded.browser {
        Some(browser) => {
            out.push(1);
            put_bytes(&mut out, browser.user_agent.as_bytes());
            put_bytes(&mut out, browser.url.as_bytes());
        }
        None => out.push(0),
    }
    match &*recorded.modules {
        ModuleRoot::Empty => out.push(0),
        ModuleRoot::Directory(path) => {
            out.push(1);
            put_bytes(&mut out, path.as_os_str().as_encoded_bytes());
        }
        ModuleRoot::Mapping(files) => {
            out.push(2);
            out.extend_from_slice(&(files.len() as u32).to_le_bytes());
            for (path, source) in files {
                put_bytes(&mut out, path.as_bytes());
                put_bytes(&mut out, source.as_bytes());
            }
        }
    }
    out.extend_from_slice(&(recorded.compiled_sources.len() as u32).to_le_bytes());
    for hash in &recorded.compiled_sources {
        out.extend_from_slice(&hash.to_le_bytes());
    }
    out.extend_from_slice(&(v8.len() as u64).to_le_bytes());
    out.extend_from_slice(v8);
    let checksum: [u8; 32] = Sha256::digest(&out[BUILD_AT..]).into();
    out[CHECKSUM_AT..BUILD_AT].copy_from_slice(&checksum);
    out
}

/// Reads what `seal` wrote, in order, refusing anything short.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len());
        let end = end.ok_or_else(|| "it is truncated".to_string())?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }

    fn text(&mut self) -> Result<String, String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| "a text field is not UTF-8".into())
    }
}

/// Checks an envelope and finds V8's blob in it; the error says what is wrong, in a phrase that
/// follows "the snapshot".
pub fn open(bytes: &[u8]) -> Result<Opened, String> {
    if bytes.len() < FIXED || &bytes[..TAG.len()] != TAG {
        return Err("is not a v8ctx snapshot (it does not start with v8ctx's snapshot tag)".into());
    }
    let mut reader = Reader {
        bytes,
        at: TAG.len(),
    };
    let format = reader.u32()?;
    if format != FORMAT {
        return Err(format!(
            "is in snapshot format {format}, and this v8ctx reads format {FORMAT} only"
        ));
    }
    reader.at = FIXED;
    let versions = (reader.text(), reader.text());
    if &bytes[BUILD_AT..FIXED] != build_id() {
        let made_by = match versions {
            (Ok(ours), Ok(v8)) => format!("v8ctx {ours} on V8 {v8}"),
            _ => "an unknown build".to_string(),
        };
        return Err(format!(
            "was made by another build of v8ctx or V8 ({made_by}; this is v8ctx {} on V8 {}): \
             make it again with this one",
            env!("CARGO_PKG_VERSION"),
            deno_core::v8::V8::get_version()
        ));
    }
    let checksum: [u8; 32] = Sha256::digest(&bytes[BUILD_AT..]).into();
    if bytes[CHECKSUM_AT..BUILD_AT] != checksum {
        return Err("is damaged: its checksum does not match its contents".into());
    }
    let random_seed = match reader.u8()? {
        0 => None,
        _ => Some(reader.u64()?),
    };
    let browser = match reader.u8()? {
        0 => None,
        _ => Some(Browser {
            user_agent: reader.text()?,
            url: reader.text()?,
        }),
    };
    let modules = match reader.u8()? {
        0 => ModuleRoot::Empty,
        1 => {
            let n = reader.u32()? as usize;
            let path = reader.take(n)?;
            // SAFETY: the bytes are `as_encoded_bytes` of an OsStr that this same build wrote
            // (the build check above), on this platform, where any bytes are a valid OsStr.
            let path = unsafe { std::ffi::OsStr::from_encoded_bytes_unchecked(path) };
            ModuleRoot::Directory(path.into())
        }
        _ => {
            let n = reader.u32()? as usize;
            let files = (0..n)
                .map(|_| Ok((reader.text()?, reader.text()?)))
                .collect::<Result<_, String>>()?;
            ModuleRoot::Mapping(files)
        }
    };
    let count = reader.u32()? as usize;
    let compiled_sources = (0..count).map(|_| reader.u64()).collect::<Result<_, _>>()?;
    let v8_length = usize::try_from(reader.u64()?).map_err(|_| "it is truncated".to_string())?;
    let start = reader.at;
    reader.take(v8_length)?;
    if reader.at != bytes.len() {
        return Err("has bytes after its end".into());
    }
    Ok(Opened {
        recorded: Recorded {
            random_seed,
            browser,
            modules: Arc::new(modules),
            compiled_sources,
        },
        v8: start..reader.at,
    })
}
