//! Code caches kept in a directory, so a process starts with what earlier ones compiled. Off
//! unless a directory is set (`v8ctx.set_code_cache_dir`, or `V8CTX_CODE_CACHE_DIR`).
//!
//! Without it a restarted service, every CLI run, every process Pool worker and every
//! multiprocessing or Dask worker compiles its libraries from scratch: about 300 ms of parsing
//! for typescript's compiler. With it, every code cache the process makes (the module above says
//! when) is written there too (unless it alone exceeds `max_bytes`), and a source the memory store
//! lacks is looked for there before V8 compiles it. Process Pool workers are given the directory;
//! other child processes (multiprocessing, Dask) find it through `V8CTX_CODE_CACHE_DIR`.
//!
//! One file per source, named by a 64-bit hash of it and of the build (`<hash>.jscache`), integers
//! little-endian:
//!
//! ```text
//! tag "v8ctx-jscache\0\0\0" (16) | build (32) | source length u64 | code length u64
//! | SHA-256 of the code (32) | source | code
//! ```
//!
//! V8 checks a cache against its own version and flags and its source's length only, and trusts
//! the rest. So a file is used only when this very build wrote it (`build_identity`), it holds
//! exactly the source being compiled (neither a hash collision nor an edited file runs other
//! code) and its code matches its checksum. Any other file is deleted and the source compiled
//! anew. The checksum guards against damage, not against an adversary: a forged file is run like
//! code, so the directory must belong to its user and be writable by no one else (`set` creates
//! it so, and refuses an existing one that is not).
//!
//! A file is written whole under a temporary name, then renamed: another process reads a whole
//! file or none. After each write the least recently used files go until the directory holds at
//! most `max_bytes` (a file read is touched, so it counts as used), and once when the directory
//! is set.

use std::fs::{self, File, OpenOptions};
use std::hash::Hasher;
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use parking_lot::RwLock;
use sha2::{Digest, Sha256};

use crate::build_identity::build_id;

const TAG: &[u8; 16] = b"v8ctx-jscache\0\0\0";
const HEADER_LEN: usize = TAG.len() + 32 + 8 + 8 + 32;
const EXTENSION: &str = "jscache";

/// What a directory holds unless told otherwise.
pub const DEFAULT_MAX_BYTES: u64 = 256 << 20;

/// A temporary file this old is left over from a process that died while writing it.
const ABANDONED_AFTER: Duration = Duration::from_secs(600);

/// The environment variables v8ctx reads the directory from when imported (`__init__.py`), which
/// process Pool workers are given.
const DIR_VARIABLE: &str = "V8CTX_CODE_CACHE_DIR";
const MAX_BYTES_VARIABLE: &str = "V8CTX_CODE_CACHE_MAX_BYTES";

/// The directory in use, if any.
pub struct Directory {
    pub path: PathBuf,
    pub max_bytes: u64,
}

static DIRECTORY: RwLock<Option<Arc<Directory>>> = RwLock::new(None);

/// What the directory did since the process started.
pub static HITS: AtomicU64 = AtomicU64::new(0);
pub static WRITES: AtomicU64 = AtomicU64::new(0);
pub static DISCARDED: AtomicU64 = AtomicU64::new(0);

/// Uses `path` from now on (None: no directory). Creates it, private to its user, if missing, and
/// fails unless files can be written there.
pub fn set(path: Option<&Path>, max_bytes: u64) -> io::Result<()> {
    let directory = match path {
        None => None,
        Some(path) => {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(path)?;
            let path = path.canonicalize()?;
            check_private(&path)?;
            let probe = temporary_path(&path, "probe");
            create_new(&probe)?;
            fs::remove_file(&probe)?;
            let directory = Directory { path, max_bytes };
            directory.evict();
            Some(Arc::new(directory))
        }
    };
    *DIRECTORY.write() = directory;
    Ok(())
}

/// Fails unless `path` (a directory that existed or was just made) belongs to this user and no
/// one else can write to it: a file planted there would run as code.
fn check_private(path: &Path) -> io::Result<()> {
    let metadata = fs::metadata(path)?;
    // SAFETY: geteuid has no preconditions.
    let user = unsafe { libc::geteuid() };
    if metadata.uid() != user || metadata.mode() & 0o022 != 0 {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "it must belong to this user and be writable by no one else (it is mode {:o}, \
                 owned by uid {}); another user's files there would run as code",
                metadata.mode() & 0o7777,
                metadata.uid()
            ),
        ));
    }
    Ok(())
}

/// The directory in use.
pub fn current() -> Option<Arc<Directory>> {
    DIRECTORY.read().clone()
}

/// The code cache kept for `source`, if there is a sound one.
pub fn read(source: &str) -> Option<Arc<[u8]>> {
    let directory = current()?;
    let path = directory.path.join(file_name(source));
    let mut file = File::open(&path).ok()?;
    match read_code(&mut file, source, directory.max_bytes) {
        Ok(Some(code)) => {
            // Touched, so that eviction takes the least recently used first.
            let _ = file.set_modified(SystemTime::now());
            HITS.fetch_add(1, Ordering::Relaxed);
            Some(Arc::from(code))
        }
        // Another build's, another source's, or damaged.
        Ok(None) => {
            discard(&path);
            None
        }
        Err(_) => None,
    }
}

/// Keeps the code cache of `source` for later processes.
pub fn write(source: &str, code: &[u8]) {
    if let Some(directory) = current() {
        if let Ok(true) = directory.write(source, code) {
            WRITES.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Deletes the file of `source`, whose cache V8 refused.
pub fn forget(source: &str) {
    if let Some(directory) = current() {
        discard(&directory.path.join(file_name(source)));
    }
}

/// Has a process Pool worker use the directory in use (or none).
pub fn pass_to(command: &mut Command) {
    match current() {
        Some(directory) => command
            .env(DIR_VARIABLE, &directory.path)
            .env(MAX_BYTES_VARIABLE, directory.max_bytes.to_string()),
        None => command.env_remove(DIR_VARIABLE),
    };
}

/// Deletes `path`, counting it if there was such a file.
fn discard(path: &Path) {
    if fs::remove_file(path).is_ok() {
        DISCARDED.fetch_add(1, Ordering::Relaxed);
    }
}

impl Directory {
    /// Writes the file of `source`; false when it would not fit in `max_bytes` at all.
    fn write(&self, source: &str, code: &[u8]) -> io::Result<bool> {
        if (HEADER_LEN + source.len() + code.len()) as u64 > self.max_bytes {
            return Ok(false);
        }
        let mut header = Vec::with_capacity(HEADER_LEN);
        header.extend_from_slice(TAG);
        header.extend_from_slice(build_id());
        header.extend_from_slice(&(source.len() as u64).to_le_bytes());
        header.extend_from_slice(&(code.len() as u64).to_le_bytes());
        header.extend_from_slice(&Sha256::digest(code));
        let name = file_name(source);
        let temporary = temporary_path(&self.path, &name);
        // Only a file this call created is removed on failure.
        let mut file = create_new(&temporary)?;
        let written = (|| {
            file.write_all(&header)?;
            file.write_all(source.as_bytes())?;
            file.write_all(code)?;
            fs::rename(&temporary, self.path.join(name))
        })();
        if written.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        written?;
        self.evict();
        Ok(true)
    }

    /// Deletes the least recently used files until the rest fit in `max_bytes`, and temporary
    /// files abandoned by processes that died while writing them.
    fn evict(&self) {
        let Ok(entries) = fs::read_dir(&self.path) else {
            return;
        };
        let now = SystemTime::now();
        let mut files = Vec::new();
        let mut total = 0u64;
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            let modified = metadata.modified().unwrap_or(now);
            match path.extension().and_then(|e| e.to_str()) {
                Some(EXTENSION) => {
                    total += metadata.len();
                    files.push((modified, metadata.len(), path));
                }
                Some("tmp")
                    if now.duration_since(modified).unwrap_or_default() > ABANDONED_AFTER =>
                {
                    let _ = fs::remove_file(&path);
                }
                _ => {}
            }
        }
        files.sort();
        for (_, len, path) in files {
            if total <= self.max_bytes {
                break;
            }
            if fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
    }
}

/// The code in `file` when it is this build's cache of exactly `source` and fits in `max_bytes`;
/// None for any other file.
fn read_code(file: &mut File, source: &str, max_bytes: u64) -> io::Result<Option<Vec<u8>>> {
    let mut header = [0u8; HEADER_LEN];
    if file.read_exact(&mut header).is_err() {
        return Ok(None);
    }
    let (tag, rest) = header.split_at(TAG.len());
    let (build, rest) = rest.split_at(32);
    let (source_len, rest) = rest.split_at(8);
    let (code_len, checksum) = rest.split_at(8);
    let source_len = u64::from_le_bytes(source_len.try_into().expect("8 bytes"));
    let code_len = u64::from_le_bytes(code_len.try_into().expect("8 bytes"));
    let file_len = file.metadata()?.len();
    if tag != TAG
        || build != build_id()
        || source_len != source.len() as u64
        || Some(file_len) != (HEADER_LEN as u64 + source_len).checked_add(code_len)
        || file_len > max_bytes
    {
        return Ok(None);
    }
    // Compared a piece at a time: a large source is not read into memory whole.
    let mut piece = vec![0u8; (1 << 20).min(source.len())];
    for expected in source.as_bytes().chunks(piece.len().max(1)) {
        let piece = &mut piece[..expected.len()];
        if file.read_exact(piece).is_err() || piece != expected {
            return Ok(None);
        }
    }
    let mut code = vec![0u8; code_len as usize];
    if file.read_exact(&mut code).is_err() || Sha256::digest(&code)[..] != *checksum {
        return Ok(None);
    }
    Ok(Some(code))
}

/// The file of `source` in the directory: a 64-bit hash of it and of the build, which needs no
/// stability beyond this build (another build's files are refused anyway).
fn file_name(source: &str) -> String {
    let mut hasher = rustc_hash::FxHasher::default();
    // Builds sharing a directory (two virtualenvs, a rolling upgrade) keep files of their own.
    hasher.write(build_id());
    hasher.write(source.as_bytes());
    hasher.write_usize(source.len());
    format!("{:016x}.{EXTENSION}", hasher.finish())
}

/// A name no other writer uses at the same time, in this process or another.
fn temporary_path(directory: &Path, stem: &str) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    // The pid and a counter are unique on one host; containers sharing a directory may reuse
    // pids, so the time goes in too.
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    directory.join(format!("{stem}.{}.{n}.{nanos}.tmp", std::process::id()))
}

/// Creates a file that did not exist, readable and writable by its user only.
fn create_new(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}
