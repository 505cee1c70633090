//! Builds the V8 startup snapshot: deno_core's own JavaScript and v8ctx's bootstrap, already run,
//! so a new Context deserializes a heap instead of running megabytes of setup code. Also gives
//! the compiled classes the stubs' docstrings (`stub_docs`).

#[path = "src/ops/mod.rs"]
mod ops;

use std::path::PathBuf;

use deno_core::snapshot::{create_snapshot, CreateSnapshotOptions};

fn main() {
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    stub_docs(&out_dir);
    let out = out_dir.join("v8ctx_snapshot.bin");
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

/// Writes each docstring of `python/v8ctx/_v8ctx.pyi` to `OUT_DIR/stub_docs/<Class>.<name>.txt`
/// (a class's own to `<Class>.txt`), for `stub_doc!` (`src/lib.rs`): the stubs are the one text
/// of the API's documentation, and `help()` on the compiled classes shows it. A line-based reader
/// of the stubs' own layout: `class` at the margin, `def` at the margin or indented four spaces,
/// a docstring in triple double quotes right after the header.
fn stub_docs(out_dir: &std::path::Path) {
    const STUBS: &str = "python/v8ctx/_v8ctx.pyi";
    println!("cargo:rerun-if-changed={STUBS}");
    let stubs = std::fs::read_to_string(STUBS).expect("reading the stubs failed");
    let dir = out_dir.join("stub_docs");
    std::fs::create_dir_all(&dir).expect("creating OUT_DIR/stub_docs failed");
    let lines: Vec<&str> = stubs.lines().collect();
    let mut class: Option<&str> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let key = if let Some(rest) = line.strip_prefix("class ") {
            let name = rest.split(['(', ':']).next().unwrap_or_default().trim();
            class = Some(name);
            Some(name.to_string())
        } else if let Some(rest) = line.strip_prefix("def ") {
            class = None;
            Some(rest.split('(').next().unwrap_or_default().to_string())
        } else if let (Some(rest), Some(class)) = (line.strip_prefix("    def "), class) {
            Some(format!(
                "{class}.{}",
                rest.split('(').next().unwrap_or_default()
            ))
        } else {
            None
        };
        i += 1;
        let Some(key) = key else { continue };
        // The header ends at the first line that closes it with a colon.
        let mut header = line.to_string();
        while !(header.trim_end().ends_with(':') || header.trim_end().ends_with("...")) {
            header = lines[i].to_string();
            i += 1;
        }
        if header.trim_end().ends_with("...") {
            continue;
        }
        let Some(first) = lines.get(i).map(|l| l.trim_start()) else {
            continue;
        };
        let Some(first) = first.strip_prefix("\"\"\"") else {
            continue;
        };
        let mut doc = vec![first.to_string()];
        if let Some(end) = first.find("\"\"\"") {
            doc = vec![first[..end].to_string()];
        } else {
            loop {
                i += 1;
                let next = lines[i];
                if let Some(end) = next.find("\"\"\"") {
                    doc.push(next[..end].to_string());
                    break;
                }
                doc.push(next.to_string());
            }
        }
        i += 1;
        // As inspect.cleandoc does: the first line stripped, the rest dedented in common.
        let indent = doc[1..]
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0);
        let mut text = doc[0].trim().to_string();
        for line in &doc[1..] {
            text.push('\n');
            text.push_str(line.get(indent..).unwrap_or("").trim_end());
        }
        let text = text.trim_end().replace("\\\\", "\\");
        std::fs::write(dir.join(format!("{key}.txt")), text).expect("writing a stub doc failed");
    }
}
