//! ES modules and CommonJS for a Context (`Context(modules=...)`).
//!
//! One module root (`root.rs`) and one resolution (`resolve.rs`) serve both kinds of loading:
//! deno_core's module loading for `import` (the `ModuleLoader` below), and `require()`, which is
//! JavaScript (`js/node/require.js`) on the ops of `ops/modules.rs`, backed by `ModuleHost`
//! below. An ES module that imports a CommonJS file or a built-in gets a small generated module
//! whose default export is what `require()` returns.
//!
//! `ctx.import_module()` and `ctx.require()` are ordinary operations: they evaluate `import()`
//! or `require()` in the global scope, so limits, Promises and errors work as for any script.

mod builtins;
mod detect;
mod resolve;
mod root;

use std::path::PathBuf;
use std::sync::Arc;

use deno_core::{
    ModuleLoadOptions, ModuleLoadReferrer, ModuleLoadResponse, ModuleLoader, ModuleSource,
    ModuleSourceCode, ModuleSpecifier, ModuleType, RequestedModuleType, ResolutionKind,
};
use deno_error::JsErrorBox;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyMapping, PyString};

use crate::ops::modules::ModuleHost;
use resolve::{Format, Mode, Resolved};
pub use root::ModuleRoot;

/// The module root `Context(modules=...)` describes: a directory (a `str` or path-like object)
/// or a mapping of module paths to source text. Checked in full before any runtime exists.
pub fn from_python(modules: Option<&Bound<'_, PyAny>>) -> PyResult<Arc<ModuleRoot>> {
    let Some(modules) = modules.filter(|m| !m.is_none()) else {
        return Ok(Arc::new(ModuleRoot::Empty));
    };
    if let Ok(mapping) = modules.cast::<PyMapping>() {
        if !modules.is_instance_of::<PyString>() {
            let mut files = std::collections::HashMap::new();
            for item in mapping.items()?.iter() {
                let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
                let key: String = key.extract().map_err(|_| {
                    PyTypeError::new_err(format!(
                        "modules= keys are module paths (str), not {}",
                        key.get_type()
                            .name()
                            .map_or_else(|_| "?".into(), |n| n.to_string())
                    ))
                })?;
                let source: String = value.extract().map_err(|_| {
                    PyTypeError::new_err(format!(
                        "modules[{key:?}] must be the module's source text (str), not {}",
                        value
                            .get_type()
                            .name()
                            .map_or_else(|_| "?".into(), |n| n.to_string())
                    ))
                })?;
                files.insert(
                    root::mapping_key(&key).map_err(PyValueError::new_err)?,
                    source,
                );
            }
            return Ok(Arc::new(ModuleRoot::Mapping(files)));
        }
    }
    let path: PathBuf = modules.extract().map_err(|_| {
        PyTypeError::new_err(
            "modules= takes a directory (str or os.PathLike) or a mapping of module paths to \
             source text",
        )
    })?;
    root::directory(&path)
        .map(|dir| Arc::new(ModuleRoot::Directory(dir)))
        .map_err(PyValueError::new_err)
}

/// The script `ctx.import_module(specifier)` evaluates.
pub fn import_expression(specifier: &str) -> String {
    format!("import({})", json_string(specifier))
}

/// The script `ctx.require(name)` evaluates.
pub fn require_expression(name: &str) -> String {
    format!(
        "globalThis[Symbol.for(\"v8ctx.require\")]({})",
        json_string(name)
    )
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

/// The name the generated module for a CommonJS module binds `module.exports` to, which is
/// therefore never one of its named exports (`detect::commonjs_exports` leaves it out).
const FACADE_BINDING: &str = "$v8ctxExports";

/// The ES module that stands for a CommonJS module or a built-in (`required`, a JSON string):
/// `module.exports` as its default export, and `names` from it as named exports.
fn commonjs_facade(required: &str, names: &[impl AsRef<str>]) -> String {
    let m = FACADE_BINDING;
    let mut source = format!(
        "const {m} = globalThis[Symbol.for(\"v8ctx.require\")]({required});\nexport default {m};\n"
    );
    if !names.is_empty() {
        let names: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
        source.push_str(&format!(
            "export const {{ {} }} = {m} ?? {{}};\n",
            names.join(", ")
        ));
    }
    source
}

/// A runtime's view of its module root, for deno_core and for the `require()` ops.
pub struct Loader(pub Arc<ModuleRoot>);

impl Loader {
    fn load_source(&self, specifier: &ModuleSpecifier) -> Result<ModuleSource, String> {
        let code = if specifier.scheme() == "node" {
            let name = specifier.path();
            commonjs_facade(
                &json_string(&format!("node:{name}")),
                builtins::exports(name),
            )
        } else {
            let path = self
                .0
                .path_of_url(specifier.as_str())
                .ok_or_else(|| format!("'{specifier}' is not in the module root"))?;
            let source = self.0.read(&path)?;
            match resolve::format(&self.0, &path, &source)? {
                Format::Module => source,
                // Parsed, never run: a .json file is data, as `require()` treats it.
                Format::Json => format!(
                    "let data;\ntry {{ data = JSON.parse({}); }} catch (error) {{ error.message = {} + \": \" + error.message; throw error; }}\nexport default data;\n",
                    json_string(&source),
                    json_string(&self.0.display(&path))
                ),
                Format::CommonJs => commonjs_facade(
                    &json_string(self.0.url(&path).as_str()),
                    &detect::commonjs_exports(&source),
                ),
            }
        };
        // What wraps a source (a JSON file's escaping) may make it longer than V8 can hold.
        root::fits_a_string(&code, specifier.as_str())?;
        Ok(ModuleSource::new(
            ModuleType::JavaScript,
            ModuleSourceCode::String(code.into()),
            specifier,
            None,
        ))
    }
}

impl Loader {
    /// A module imported `with { type: "json" }`: the file's JSON text, which V8 parses as
    /// data; a file of any other format is refused, as Node refuses it, since JavaScript
    /// imported as JSON must not run.
    fn load_json(&self, specifier: &ModuleSpecifier) -> Result<ModuleSource, JsErrorBox> {
        let path = (specifier.scheme() == "file")
            .then(|| self.0.path_of_url(specifier.as_str()))
            .flatten()
            .ok_or_else(|| {
                JsErrorBox::type_error(format!(
                    "'{specifier}' is not a JSON file of the module root"
                ))
            })?;
        let source = self.0.read(&path).map_err(JsErrorBox::generic)?;
        match resolve::format(&self.0, &path, &source).map_err(JsErrorBox::generic)? {
            Format::Json => Ok(ModuleSource::new(
                ModuleType::Json,
                ModuleSourceCode::String(source.into()),
                specifier,
                None,
            )),
            _ => Err(JsErrorBox::type_error(format!(
                "'{}' is JavaScript, not JSON: import it without {{ type: \"json\" }}",
                self.0.display(&path)
            ))),
        }
    }
}

impl ModuleLoader for Loader {
    fn resolve(
        &self,
        specifier: &str,
        referrer: &str,
        _kind: ResolutionKind,
    ) -> Result<ModuleSpecifier, JsErrorBox> {
        let from = self.0.path_of_url(referrer);
        match resolve::resolve(&self.0, specifier, from.as_deref(), Mode::Import) {
            Ok(Resolved::Builtin(name)) => ModuleSpecifier::parse(&format!("node:{name}"))
                .map_err(|e| JsErrorBox::generic(e.to_string())),
            Ok(Resolved::File(path)) => Ok(self.0.url(&path)),
            Err(message) => Err(JsErrorBox::generic(message)),
        }
    }

    fn load(
        &self,
        specifier: &ModuleSpecifier,
        _referrer: Option<&ModuleLoadReferrer>,
        options: ModuleLoadOptions,
    ) -> ModuleLoadResponse {
        ModuleLoadResponse::Sync(match options.requested_module_type {
            RequestedModuleType::None => self.load_source(specifier).map_err(JsErrorBox::generic),
            RequestedModuleType::Json => self.load_json(specifier),
            other => Err(JsErrorBox::type_error(format!(
                "cannot import '{specifier}' with {{ type: {} }}: the only import attribute type \
                 supported is \"json\"",
                json_string(match &other {
                    RequestedModuleType::Text => "text",
                    RequestedModuleType::Bytes => "bytes",
                    RequestedModuleType::Other(name) => name,
                    RequestedModuleType::None | RequestedModuleType::Json => unreachable!(),
                })
            ))),
        })
    }
}

impl ModuleHost for Loader {
    fn resolve(&self, specifier: &str, referrer: Option<&str>) -> Result<Vec<String>, String> {
        let from = referrer.and_then(|r| self.0.path_of_url(r));
        match resolve::resolve(&self.0, specifier, from.as_deref(), Mode::Require)? {
            Resolved::Builtin(name) => {
                Ok(vec!["builtin".into(), format!("node:{name}"), name.into()])
            }
            Resolved::File(path) => {
                let source = self.0.read(&path)?;
                let format = resolve::format(&self.0, &path, &source)?;
                Ok(vec![
                    format.name().into(),
                    self.0.url(&path).to_string(),
                    self.0.display(&path),
                ])
            }
        }
    }

    fn read(&self, url: &str) -> Result<String, String> {
        let path = self
            .0
            .path_of_url(url)
            .ok_or_else(|| format!("'{url}' is not in the module root"))?;
        self.0.read(&path)
    }
}
