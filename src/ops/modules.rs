//! The ops `require()` (`js/node/require.js`) stands on: resolving and reading through the
//! Context's module root, and compiling a CommonJS module as a function. The root itself lives
//! in `modules/`, behind `ModuleHost`, so this file stays free of Python and of the crate.

use std::rc::Rc;

use deno_core::{op2, v8, OpState};
use deno_error::JsErrorBox;

/// The Context's module root as the ops see it.
pub trait ModuleHost {
    /// `[format, path, shown path]` for a specifier required by the module at `referrer` (None
    /// for the Context's own scripts); format is "builtin", "commonjs", "json" or "module".
    fn resolve(&self, specifier: &str, referrer: Option<&str>) -> Result<Vec<String>, String>;
    /// The source text of the file at `path`.
    fn read(&self, path: &str) -> Result<String, String>;
}

/// The op state entry holding the root (`runtime.rs` puts one in every runtime).
pub struct Modules(pub Rc<dyn ModuleHost>);

fn host(state: &OpState) -> Result<Rc<dyn ModuleHost>, JsErrorBox> {
    state
        .try_borrow::<Modules>()
        .map(|modules| Rc::clone(&modules.0))
        .ok_or_else(|| JsErrorBox::generic("this runtime has no module root"))
}

#[op2]
#[serde]
pub fn op_v8ctx_require_resolve(
    state: &mut OpState,
    #[string] specifier: String,
    #[string] referrer: Option<String>,
) -> Result<Vec<String>, JsErrorBox> {
    host(state)?
        .resolve(&specifier, referrer.as_deref())
        .map_err(JsErrorBox::generic)
}

#[op2]
#[string]
pub fn op_v8ctx_module_read(
    state: &mut OpState,
    #[string] path: String,
) -> Result<String, JsErrorBox> {
    host(state)?.read(&path).map_err(JsErrorBox::generic)
}

/// The parameters of a CommonJS module's function: Node's five, and the globals Node code
/// expects that a plain engine does not have.
const PARAMETERS: [&str; 8] = [
    "exports",
    "require",
    "module",
    "__filename",
    "__dirname",
    "process",
    "Buffer",
    "global",
];

/// Compiles a CommonJS module's source as the body of a function of `PARAMETERS`, named
/// `filename` in stack traces, with its own line numbers. A syntax error is thrown with the
/// file, line and column it was found at as the first frame of its stack.
#[op2(reentrant)]
pub fn op_v8ctx_commonjs_compile<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    source: v8::Local<'s, v8::String>,
    #[string] filename: String,
) -> Result<v8::Local<'s, v8::Value>, JsErrorBox> {
    let name = v8::String::new(scope, &filename)
        .ok_or_else(|| JsErrorBox::range_error("file name too long"))?;
    let origin = super::script_origin(scope, name);
    let parameters: Vec<_> = PARAMETERS
        .iter()
        .map(|p| v8::String::new(scope, p).expect("a short constant string"))
        .collect();
    v8::tc_scope!(let scope, scope);
    let mut source = v8::script_compiler::Source::new(source, Some(&origin));
    let function = v8::script_compiler::compile_function(
        scope,
        &mut source,
        &parameters,
        &[],
        v8::script_compiler::CompileOptions::NoCompileOptions,
        v8::script_compiler::NoCacheReason::NoReason,
    );
    match function {
        Some(function) => Ok(function.into()),
        None => {
            if let (Some(exception), Some(message)) = (scope.exception(), scope.message()) {
                locate_syntax_error(scope, exception, message, &filename);
            }
            scope.rethrow();
            Ok(v8::undefined(scope).into())
        }
    }
}

/// Puts `filename:line:column` first among the frames of a syntax error's stack, which V8 took
/// where `require()` ran, not where the error is.
fn locate_syntax_error<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    exception: v8::Local<'s, v8::Value>,
    message: v8::Local<'s, v8::Message>,
    filename: &str,
) {
    let Some(error) = exception.to_object(scope) else {
        return;
    };
    let Some(key) = v8::String::new(scope, "stack") else {
        return;
    };
    let Some(stack) = error.get(scope, key.into()).filter(|s| s.is_string()) else {
        return;
    };
    let stack = stack.to_rust_string_lossy(scope);
    let line = message.get_line_number(scope).unwrap_or(0);
    let column = message.get_start_column() + 1;
    let (head, frames) = stack.split_once('\n').unwrap_or((&stack, ""));
    let located = format!("{head}\n    at {filename}:{line}:{column}\n{frames}");
    if let Some(located) = v8::String::new(scope, located.trim_end()) {
        error.set(scope, key.into(), located.into());
    }
}
