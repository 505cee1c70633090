//! v8ctx: JavaScript in V8 from Python, through deno_core. ARCHITECTURE.md explains the modules
//! and the thread model.

mod code_cache;
mod context;
mod convert;
mod errors;
mod execute;
mod host;
mod limits;
mod ops;
mod owner;
mod pool;
mod runtime;
mod script;

use pyo3::prelude::*;

#[pymodule]
fn _v8ctx(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(module)?;
    module.add_class::<context::Context>()?;
    module.add_class::<script::Script>()?;
    module.add_class::<pool::Pool>()?;
    module.add_function(wrap_pyfunction!(pool::_close_pools, module)?)?;
    Ok(())
}
