//! Where modules come from (`Context(modules=...)`): a directory on disk or a mapping of names to
//! source text, both seen as one tree of paths. A path here is virtual: '/'-separated, absolute,
//! and '/' is the root's top, so resolution never sees a real path and nothing outside the root
//! can be named at all; `Directory` also refuses symlinks that lead out of it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What a path in the tree is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    File,
    Directory,
    Missing,
}

pub enum ModuleRoot {
    /// No `modules=`: only the built-in modules can be loaded.
    Empty,
    /// A directory, canonical, so symlinks are compared by where they really lead.
    Directory(PathBuf),
    /// Virtual paths ("/lib/util.js") to source text.
    Mapping(HashMap<String, String>),
}

impl ModuleRoot {
    pub fn entry(&self, path: &str) -> Result<Entry, String> {
        match self {
            ModuleRoot::Empty => Ok(Entry::Missing),
            ModuleRoot::Mapping(files) => Ok(if files.contains_key(path) {
                Entry::File
            } else {
                let prefix = if path == "/" {
                    "/".to_string()
                } else {
                    format!("{path}/")
                };
                if files.keys().any(|key| key.starts_with(&prefix)) {
                    Entry::Directory
                } else {
                    Entry::Missing
                }
            }),
            ModuleRoot::Directory(root) => {
                let real = root.join(path.trim_start_matches('/'));
                let Ok(canonical) = real.canonicalize() else {
                    return Ok(Entry::Missing);
                };
                if !canonical.starts_with(root) {
                    return Err(format!(
                        "{} leads to {}, outside the module root {}",
                        real.display(),
                        canonical.display(),
                        root.display()
                    ));
                }
                Ok(match std::fs::metadata(&canonical) {
                    Ok(meta) if meta.is_file() => Entry::File,
                    Ok(meta) if meta.is_dir() => Entry::Directory,
                    _ => Entry::Missing,
                })
            }
        }
    }

    pub fn is_file(&self, path: &str) -> Result<bool, String> {
        Ok(self.entry(path)? == Entry::File)
    }

    /// The source text of the file at `path`.
    pub fn read(&self, path: &str) -> Result<String, String> {
        if self.entry(path)? != Entry::File {
            return Err(format!("no module file {}", self.display(path)));
        }
        match self {
            ModuleRoot::Empty => unreachable!("an empty root has no files"),
            ModuleRoot::Mapping(files) => fits_a_string(&files[path], path).map(str::to_owned),
            ModuleRoot::Directory(root) => {
                let real = root.join(path.trim_start_matches('/'));
                let cannot_read =
                    |e: std::io::Error| format!("cannot read {}: {e}", real.display());
                // Checked before it is read: a huge file is not read into memory for nothing.
                let len = std::fs::metadata(&real).map_err(cannot_read)?.len();
                if len > deno_core::v8::String::MAX_LENGTH as u64 {
                    return Err(too_long(len, &real.display().to_string()));
                }
                std::fs::read_to_string(&real).map_err(cannot_read)
            }
        }
    }

    /// How errors, stack traces and `__filename` show `path`: the real path of a directory's
    /// file, the virtual path of a mapping's.
    pub fn display(&self, path: &str) -> String {
        match self {
            ModuleRoot::Directory(root) => root
                .join(path.trim_start_matches('/'))
                .display()
                .to_string(),
            _ => path.to_string(),
        }
    }

    /// The `file:` URL a module at `path` is known by (its `import.meta.url`).
    pub fn url(&self, path: &str) -> url::Url {
        let shown = self.display(path);
        url::Url::from_file_path(&shown)
            .unwrap_or_else(|()| unreachable!("module paths are absolute: {shown}"))
    }

    /// The path of a module from its URL; None for URLs that are not this root's.
    pub fn path_of_url(&self, url: &str) -> Option<String> {
        let file = url::Url::parse(url).ok()?.to_file_path().ok()?;
        let path = match self {
            ModuleRoot::Directory(root) => format!("/{}", file.strip_prefix(root).ok()?.to_str()?),
            _ => file.to_str()?.to_string(),
        };
        // An escaped '/' can smuggle '..' past the URL parser; such a URL names no module.
        (!path.split('/').any(|part| part == ".." || part == ".")).then_some(path)
    }

    /// The path of `specifier` if it is a directory root's real absolute path of a file inside
    /// it (as `__filename`, `__dirname` and `require.resolve` give them).
    pub fn path_of_absolute(&self, specifier: &str) -> Option<String> {
        let ModuleRoot::Directory(root) = self else {
            return None;
        };
        let inside = Path::new(specifier).strip_prefix(root).ok()?;
        Some(format!("/{}", inside.to_str()?))
    }
}

/// `relative` (a path, '/'-separated) joined to the directory `base`, with '.' and '..' worked
/// out; a '..' above the root is an error.
pub fn join(base: &str, relative: &str) -> Result<String, String> {
    let mut parts: Vec<&str> = if relative.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|p| !p.is_empty()).collect()
    };
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!("'{relative}' leads outside the module root"));
                }
            }
            part => parts.push(part),
        }
    }
    Ok(format!("/{}", parts.join("/")))
}

/// The directory of a path.
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// The canonical directory `modules=` names, or what is wrong with it.
pub fn directory(path: &Path) -> Result<PathBuf, String> {
    let canonical = path
        .canonicalize()
        .map_err(|e| format!("modules={:?}: {e}", path.display().to_string()))?;
    if !canonical.is_dir() {
        return Err(format!(
            "modules={:?} is not a directory",
            path.display().to_string()
        ));
    }
    Ok(canonical)
}

/// The virtual path of a mapping's key ("lib/a.js", "./lib/a.js" and "/lib/a.js" are all
/// "/lib/a.js"), or what is wrong with it.
pub fn mapping_key(key: &str) -> Result<String, String> {
    if key.is_empty() || key.split('/').any(|part| part == "..") || key.contains('\0') {
        return Err(format!(
            "modules= keys are module paths inside the mapping, without '..': not {key:?}"
        ));
    }
    join("/", key)
}

/// `source` if V8 can hold it as one string (deno_core panics on a longer module source).
pub fn fits_a_string<'a>(source: &'a str, name: &str) -> Result<&'a str, String> {
    match source.len() > deno_core::v8::String::MAX_LENGTH {
        true => Err(too_long(source.len() as u64, name)),
        false => Ok(source),
    }
}

fn too_long(len: u64, name: &str) -> String {
    format!(
        "{name} is {len} bytes, more than JavaScript's longest string ({} characters) can hold",
        deno_core::v8::String::MAX_LENGTH
    )
}
