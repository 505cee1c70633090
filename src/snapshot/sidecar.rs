//! deno_core's sidecar (the part of its snapshots after V8's blob), and the one repair a user
//! snapshot needs in it.
//!
//! A heap started from v8ctx's startup snapshot holds the setup scripts' sources as external
//! strings, which V8 resolves through the runtime's external reference table. deno_core builds
//! that table from the list of external strings in the snapshot's sidecar. In a new snapshot it
//! lists only the sources it loaded itself, so a snapshot of a heap that started from a snapshot
//! lists none of them, and a runtime started from it reads those strings from whatever the table
//! holds at their index: a crash. (Building the heap from the sources instead does not work
//! either: V8 shares one read-only heap among a process's isolates, and the one built from the
//! sources differs from the startup snapshot's.) So `restore_startup_strings` puts the startup
//! snapshot's list back.
//!
//! It relies on the sidecar's last fields, as deno_core 0.413's `snapshot_format.rs` writes them
//! (deno_core is pinned): `op_count u64 | source_count u64 | addl_refs_count u64 | source maps
//! (u32 count, ...) | external strings (u32 count, then u32 length + bytes each)`, followed by the
//! snapshot's trailer, V8's blob length as a u64. Anything that does not end as expected is
//! refused, never guessed at.

use crate::ops;
use crate::runtime::SNAPSHOT;

const U32: usize = 4;
const U64: usize = 8;

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        bytes.get(at..at + U32)?.try_into().ok()?,
    ))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        bytes.get(at..at + U64)?.try_into().ok()?,
    ))
}

/// Where the sidecar of a deno_core snapshot starts and ends.
fn sidecar(snapshot: &[u8]) -> Option<(usize, usize)> {
    let end = snapshot.len().checked_sub(U64)?;
    let start = usize::try_from(u64_at(snapshot, end)?).ok()?;
    (start <= end).then_some((start, end))
}

/// The startup snapshot's source count and the bytes of its external string list (count
/// included), found by the lengths of the setup scripts that `build.rs` loaded.
fn startup_strings() -> Option<(u64, &'static [u8])> {
    let (_, end) = sidecar(SNAPSHOT)?;
    let scripts = ops::v8ctx_host::init().js_files;
    let mut length = U32;
    for script in scripts.iter() {
        length += U32 + script.load().ok()?.len();
    }
    let start = end.checked_sub(length)?;
    let count = u32_at(SNAPSHOT, start)? as usize;
    let maps = u32_at(SNAPSHOT, start.checked_sub(U32)?)?;
    let source_count = u64_at(SNAPSHOT, start.checked_sub(U32 + 2 * U64)?)?;
    (count == scripts.len() && maps == 0 && source_count == count as u64)
        .then(|| (source_count, &SNAPSHOT[start..end]))
}

/// The snapshot deno_core made of a heap that started from v8ctx's startup snapshot, with the
/// startup snapshot's external strings listed again; None if either does not end as expected.
pub fn restore_startup_strings(made: &[u8]) -> Option<Vec<u8>> {
    let (source_count, strings) = startup_strings()?;
    let (start, end) = sidecar(made)?;
    // The made sidecar ends: source_count (0) | addl_refs_count | no source maps | no strings.
    let tail = U64 + U64 + U32 + U32;
    let cut = end.checked_sub(tail).filter(|cut| *cut >= start)?;
    let nothing_loaded = u64_at(made, cut)? == 0
        && u32_at(made, cut + 2 * U64)? == 0
        && u32_at(made, cut + 2 * U64 + U32)? == 0;
    if !nothing_loaded {
        return None;
    }
    let mut repaired = Vec::with_capacity(made.len() + strings.len());
    repaired.extend_from_slice(&made[..cut]);
    repaired.extend_from_slice(&source_count.to_le_bytes());
    repaired.extend_from_slice(&made[cut + U64..cut + 2 * U64]);
    repaired.extend_from_slice(&0u32.to_le_bytes());
    repaired.extend_from_slice(strings);
    repaired.extend_from_slice(&made[end..]);
    Some(repaired)
}
