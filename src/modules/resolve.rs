//! Node's module resolution over a `ModuleRoot`: relative and root-absolute paths with the
//! extensions and `index` files Node tries, bare specifiers through `node_modules` and a
//! package's `package.json` (`exports` with conditions and `*` patterns, then `module` for
//! `import`, then `main`), and the built-in modules.
//!
//! Deliberate differences from Node, in the user's favour: `import` tries extensions and
//! `index` files as `require` does, and the conditions are those of a browser-like engine
//! (`import`/`require`, `module`, `browser`, `default`; never `node`), since v8ctx provides
//! only the pure built-ins.

use serde_json::Value;

use super::builtins;
use super::root::{self, Entry, ModuleRoot};

/// Which kind of loading asks, which picks `package.json` conditions and fields.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Import,
    Require,
}

/// What a specifier resolved to.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    Builtin(&'static str),
    File(String),
}

/// How a file is run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Module,
    CommonJs,
    Json,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Module => "module",
            Format::CommonJs => "commonjs",
            Format::Json => "json",
        }
    }
}

const EXTENSIONS: [&str; 4] = [".js", ".mjs", ".cjs", ".json"];
const INDEXES: [&str; 4] = ["index.js", "index.mjs", "index.cjs", "index.json"];

/// Resolves `specifier` as imported or required by the module at `referrer` (None: the
/// Context's own scripts, which resolve from the root).
pub fn resolve(
    root: &ModuleRoot,
    specifier: &str,
    referrer: Option<&str>,
    mode: Mode,
) -> Result<Resolved, String> {
    let from = || match referrer {
        Some(path) => format!(" (imported from {})", root.display(path)),
        None => String::new(),
    };
    if let Some(name) = specifier.strip_prefix("node:") {
        return builtins::named(name).map(Resolved::Builtin).ok_or_else(|| {
            format!(
                "v8ctx does not provide the Node built-in module '{specifier}'{}",
                from()
            )
        });
    }
    if let Some(name) = builtins::named(specifier) {
        return Ok(Resolved::Builtin(name));
    }
    if builtins::UNPROVIDED.contains(&specifier.split('/').next().unwrap_or_default()) {
        return Err(format!(
            "v8ctx does not provide the Node built-in module '{specifier}'{}",
            from()
        ));
    }
    if matches!(root, ModuleRoot::Empty) {
        return Err(format!(
            "cannot load '{specifier}'{}: this Context has no modules (pass \
             Context(modules=a directory or {{specifier: source}}))",
            from()
        ));
    }
    let base = referrer.map_or("/", root::parent);
    let found = if specifier.starts_with("file:") {
        let path = root
            .path_of_url(specifier)
            .ok_or_else(|| format!("'{specifier}'{} is outside the module root", from()))?;
        file_or_directory(root, &path, mode)?
    } else if is_path(specifier) {
        let path = match root.path_of_absolute(specifier) {
            Some(inside) => inside,
            None => root::join(base, specifier)?,
        };
        // "." and "dir/" name a directory only, as in Node.
        let directory_only = specifier.ends_with('/')
            || specifier.ends_with("/.")
            || specifier.ends_with("/..")
            || specifier == "."
            || specifier == "..";
        if directory_only {
            directory(root, &path, mode)?
        } else {
            file_or_directory(root, &path, mode)?
        }
    } else if specifier.contains(':') {
        return Err(format!(
            "cannot load '{specifier}'{}: v8ctx loads modules only from the module root, never \
             from the network",
            from()
        ));
    } else {
        bare(root, specifier, base, mode)?
    };
    found
        .map(Resolved::File)
        .ok_or_else(|| format!("cannot find module '{specifier}'{}", from()))
}

fn is_path(specifier: &str) -> bool {
    specifier.starts_with("./")
        || specifier.starts_with("../")
        || specifier.starts_with('/')
        || specifier == "."
        || specifier == ".."
}

/// A path as a file, with the extensions tried, or as a directory with its package or index.
fn file_or_directory(root: &ModuleRoot, path: &str, mode: Mode) -> Result<Option<String>, String> {
    if let Some(file) = file(root, path)? {
        return Ok(Some(file));
    }
    directory(root, path, mode)
}

/// A directory's package `main` (or `module`, for `import`) or its index file.
fn directory(root: &ModuleRoot, path: &str, mode: Mode) -> Result<Option<String>, String> {
    if root.entry(path)? != Entry::Directory {
        return Ok(None);
    }
    if let Some(package) = package_json(root, path)? {
        let fields: &[&str] = match mode {
            Mode::Import => &["module", "main"],
            Mode::Require => &["main"],
        };
        for field in fields {
            if let Some(Value::String(main)) = package.get(field) {
                let target = root::join(path, main)?;
                if let Some(found) = file(root, &target)? {
                    return Ok(Some(found));
                }
                if let Some(found) = index(root, &target)? {
                    return Ok(Some(found));
                }
            }
        }
    }
    index(root, path)
}

fn file(root: &ModuleRoot, path: &str) -> Result<Option<String>, String> {
    if root.is_file(path)? {
        return Ok(Some(path.to_string()));
    }
    for extension in EXTENSIONS {
        let candidate = format!("{path}{extension}");
        if root.is_file(&candidate)? {
            return Ok(Some(candidate));
        }
    }
    Ok(None)
}

fn index(root: &ModuleRoot, directory: &str) -> Result<Option<String>, String> {
    for name in INDEXES {
        let candidate = root::join(directory, name)?;
        if root.is_file(&candidate)? {
            return Ok(Some(candidate));
        }
    }
    Ok(None)
}

/// A directory's `package.json`, parsed; an unparsable one is an error naming it.
fn package_json(root: &ModuleRoot, directory: &str) -> Result<Option<Value>, String> {
    let path = root::join(directory, "package.json")?;
    if !root.is_file(&path)? {
        return Ok(None);
    }
    let text = root.read(&path)?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| format!("{} is not valid JSON: {e}", root.display(&path)))
}

/// A bare specifier: a mapping's own key first, then packages in `node_modules` directories
/// from the referrer's directory up to the root.
fn bare(
    root: &ModuleRoot,
    specifier: &str,
    base: &str,
    mode: Mode,
) -> Result<Option<String>, String> {
    if let ModuleRoot::Mapping(_) = root {
        let path = root::join("/", specifier)?;
        if let Some(found) = file(root, &path)? {
            return Ok(Some(found));
        }
    }
    let mut parts = specifier.splitn(3, '/');
    let first = parts.next().unwrap_or_default();
    let name_len = if first.starts_with('@') {
        first.len() + 1 + parts.next().map_or(0, str::len)
    } else {
        first.len()
    };
    let (name, subpath) = specifier.split_at(name_len.min(specifier.len()));
    if name.is_empty() || name.split('/').any(|p| p == "." || p == "..") {
        return Err(format!("'{specifier}' is not a valid package name"));
    }
    let mut directory = base.to_string();
    loop {
        let package = root::join(&directory, &format!("node_modules/{name}"))?;
        if root.entry(&package)? == Entry::Directory {
            return in_package(root, &package, subpath, mode, specifier);
        }
        if directory == "/" {
            return Ok(None);
        }
        directory = root::parent(&directory).to_string();
    }
}

fn in_package(
    root: &ModuleRoot,
    package: &str,
    subpath: &str,
    mode: Mode,
    specifier: &str,
) -> Result<Option<String>, String> {
    let manifest = package_json(root, package)?;
    let exports = manifest
        .as_ref()
        .and_then(|m| m.get("exports"))
        .filter(|e| !e.is_null());
    if let Some(exports) = exports {
        let wanted = format!(".{subpath}");
        let Some(target) = exports_target(exports, &wanted, mode) else {
            return Err(format!(
                "the package at {} does not export '{wanted}' (asked for '{specifier}')",
                root.display(package)
            ));
        };
        let path = root::join(package, &target)?;
        let escapes = target
            .split('/')
            .skip(1)
            .any(|part| part == "." || part == ".." || part == "node_modules");
        if escapes || !path.starts_with(&format!("{package}/")) {
            return Err(format!(
                "the exports of {} lead outside the package",
                root.display(package)
            ));
        }
        return file_or_directory(root, &path, mode);
    }
    if subpath.is_empty() {
        return file_or_directory(root, package, mode);
    }
    file_or_directory(root, &root::join(package, &format!(".{subpath}"))?, mode)
}

fn conditions(mode: Mode) -> &'static [&'static str] {
    match mode {
        Mode::Import => &["import", "module", "browser", "default"],
        Mode::Require => &["require", "browser", "default"],
    }
}

/// The target `exports` gives `subpath` ("." or "./x"), if any.
fn exports_target(exports: &Value, subpath: &str, mode: Mode) -> Option<String> {
    let is_subpath_map =
        matches!(exports, Value::Object(map) if map.keys().any(|k| k.starts_with('.')));
    if !is_subpath_map {
        return (subpath == ".")
            .then(|| target(exports, None, mode))
            .flatten();
    }
    let Value::Object(map) = exports else {
        unreachable!()
    };
    if let Some(value) = map.get(subpath) {
        return target(value, None, mode);
    }
    // The longest pattern prefix wins, as Node orders them.
    let mut best: Option<(&str, &str, &Value)> = None;
    for (key, value) in map {
        let Some((prefix, suffix)) = key.split_once('*') else {
            continue;
        };
        if subpath.len() >= prefix.len() + suffix.len()
            && subpath.starts_with(prefix)
            && subpath.ends_with(suffix)
            && best.is_none_or(|(p, _, _)| prefix.len() > p.len())
        {
            best = Some((prefix, suffix, value));
        }
    }
    let (prefix, suffix, value) = best?;
    let star = &subpath[prefix.len()..subpath.len() - suffix.len()];
    target(value, Some(star), mode)
}

fn target(value: &Value, star: Option<&str>, mode: Mode) -> Option<String> {
    match value {
        Value::String(path) if path.starts_with("./") => Some(match star {
            Some(star) => path.replace('*', star),
            None => path.clone(),
        }),
        Value::Array(choices) => choices.iter().find_map(|v| target(v, star, mode)),
        Value::Object(map) => map
            .iter()
            .filter(|(condition, _)| conditions(mode).contains(&condition.as_str()))
            .find_map(|(_, v)| target(v, star, mode)),
        _ => None,
    }
}

/// How the file at `path` runs: by extension, then the `type` of the nearest `package.json`,
/// then, for a `.js` file without one, by whether it has `import`/`export` statements (Node 22
/// detects them the same way).
pub fn format(root: &ModuleRoot, path: &str, source: &str) -> Result<Format, String> {
    if path.ends_with(".mjs") {
        return Ok(Format::Module);
    }
    if path.ends_with(".cjs") {
        return Ok(Format::CommonJs);
    }
    if path.ends_with(".json") {
        return Ok(Format::Json);
    }
    let mut directory = root::parent(path).to_string();
    loop {
        if let Some(package) = package_json(root, &directory)? {
            match package.get("type").and_then(Value::as_str) {
                Some("module") => return Ok(Format::Module),
                Some("commonjs") => return Ok(Format::CommonJs),
                _ => break,
            }
        }
        if directory == "/" {
            break;
        }
        directory = root::parent(&directory).to_string();
    }
    Ok(if super::detect::has_module_syntax(source) {
        Format::Module
    } else {
        Format::CommonJs
    })
}
