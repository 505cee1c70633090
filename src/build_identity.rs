//! This build's identity: what a file v8ctx wrote (a snapshot, a code cache kept on disk) is
//! checked against before V8 sees its bytes, because V8 trusts them and aborts or misbehaves on
//! ones another build made.

use sha2::{Digest, Sha256};

/// A SHA-256 of v8ctx's and V8's versions and of v8ctx's own startup snapshot: it differs
/// between any two builds whose heaps or compiled code could differ.
pub fn build_id() -> &'static [u8; 32] {
    static ID: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let mut hash = Sha256::new();
        hash.update(env!("CARGO_PKG_VERSION"));
        hash.update([0]);
        hash.update(deno_core::v8::V8::get_version());
        hash.update([0]);
        hash.update(crate::runtime::SNAPSHOT);
        hash.finalize().into()
    })
}
