//! v8ctx: JavaScript in V8 from Python, through deno_core. ARCHITECTURE.md explains the modules
//! and the thread model.

/// The docstring the stubs (`python/v8ctx/_v8ctx.pyi`) give `$key` ("Context.call", or "Context"
/// for the class), as `build.rs` extracted it: the stubs are the one text of the API's
/// documentation, which `help()` shows for the compiled classes too. A key the stubs lack does
/// not compile.
macro_rules! stub_doc {
    ($key:literal) => {
        include_str!(concat!(env!("OUT_DIR"), "/stub_docs/", $key, ".txt"))
    };
}

mod arguments;
mod awaiting;
mod bridge;
mod browser;
mod build_identity;
mod code_cache;
mod context;
mod convert;
mod errors;
mod execute;
mod external_memory;
mod flags;
mod function;
mod gil;
mod handles;
mod host;
mod isolate;
mod limits;
mod modules;
mod names;
mod ops;
mod owner;
mod pool;
mod pyffi;
mod release_queue;
mod runtime;
mod script;
mod snapshot;
mod stack;

use pyo3::prelude::*;
/// Rust's allocations (deno_core's, rusty_v8's serializer buffers, the conversions') go to
/// mimalloc: large buffers made and dropped on every conversion (a 600 KB serializer output, say)
/// then reuse memory instead of paying fresh page faults from the system allocator each time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[pymodule]
fn _v8ctx(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(module)?;
    module.add_class::<context::Context>()?;
    module.add_class::<script::Script>()?;
    module.add_class::<function::JsFunction>()?;
    module.add_class::<pool::Pool>()?;
    module.add_class::<snapshot::Snapshot>()?;
    module.add_function(wrap_pyfunction!(
        code_cache::api::set_code_cache_dir,
        module
    )?)?;
    module.add_function(wrap_pyfunction!(code_cache::api::code_cache_info, module)?)?;
    module.add_function(wrap_pyfunction!(pool::_close_pools, module)?)?;
    module.add_function(wrap_pyfunction!(pool::_serve_process_worker, module)?)?;
    module.add_function(wrap_pyfunction!(owner::_v8_runs_here, module)?)?;
    module.add_function(wrap_pyfunction!(snapshot::_serve_snapshot_maker, module)?)?;
    Ok(())
}
