//! Builds the V8 startup snapshot: deno_core's own JavaScript and v8ctx's bootstrap, already run,
//! so a new Context deserializes a heap instead of running megabytes of setup code.

#[path = "src/ops/mod.rs"]
mod ops;

use std::path::PathBuf;

use deno_core::snapshot::{create_snapshot, CreateSnapshotOptions};

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("v8ctx_snapshot.bin");
    let snapshot = create_snapshot(
        CreateSnapshotOptions {
            cargo_manifest_dir: env!("CARGO_MANIFEST_DIR"),
            startup_snapshot: None,
            skip_op_registration: false,
            extensions: vec![ops::v8ctx_host::init()],
            extension_transpiler: None,
            with_runtime_cb: None,
        },
        None,
    )
    .expect("building the V8 startup snapshot failed");
    std::fs::write(&out, &snapshot.output).expect("writing the V8 startup snapshot failed");
    for file in snapshot.files_loaded_during_snapshot {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    println!("cargo:rerun-if-changed=src/ops");
    println!("cargo:rerun-if-changed=src/js");
}
