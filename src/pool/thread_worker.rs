//! The engine of a worker thread: a `Runtime` of its own, on the worker's thread.

use std::sync::Arc;
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use super::shared::{Config, Shared, Stoppable};
use super::worker::{Engine, Ran};
use crate::bridge;
use crate::execute::{self, Request};
use crate::gil;
use crate::runtime::{self, Runtime};

impl Engine for Runtime {
    fn start(shared: &Arc<Shared>) -> PyResult<Self> {
        start_runtime(&shared.config)
    }

    fn stops(&self) -> Arc<dyn Stoppable> {
        Arc::clone(Runtime::stops(self)) as Arc<dyn Stoppable>
    }

    fn expect_job(&self) {
        Runtime::stops(self).expect_job();
    }

    fn run(
        &self,
        py: Python<'_>,
        _shared: &Shared,
        _job: u64,
        request: &Request,
        timeout: Option<Duration>,
    ) -> Ran {
        Ran::Done(run_request(py, self, request, timeout))
    }

    fn used_heap_size(&self) -> usize {
        Runtime::used_heap_size(self)
    }

    fn spent(&self) -> bool {
        Runtime::stops(self).heap_exhausted()
    }

    fn pid(&self) -> u32 {
        0
    }
}

/// Runs one Pool request on `runtime`: what a worker thread does, and a worker process too.
pub(super) fn run_request(
    py: Python<'_>,
    runtime: &Runtime,
    request: &Request,
    timeout: Option<Duration>,
) -> PyResult<Py<PyAny>> {
    execute::limited(py, runtime, timeout, None, |runtime, deadline| {
        let completion = request.start(py, runtime)?;
        execute::settle(py, runtime, completion, deadline)
    })
}

/// A new runtime with the pool's code loaded (in a worker thread, or a worker process).
pub(super) fn start_runtime(config: &Config) -> PyResult<Runtime> {
    Python::attach(|py| {
        let options = runtime::Options {
            // The hard V8 limit leaves room above the recycling threshold.
            max_heap_mb: config.max_heap_mb.map(|mb| (mb * 2).max(32)),
            random_seed: config.random_seed,
            console: config.console.as_ref().map(|c| c.clone_ref(py)),
            modules: Arc::clone(&config.modules),
            browser: config.browser.clone(),
            snapshot: config.snapshot.clone(),
        };
        let runtime =
            gil::without_gil(py, || Runtime::new(options)).map_err(PyRuntimeError::new_err)?;
        for (name, value) in &config.globals {
            execute::limited(py, &runtime, None, None, |runtime, _| {
                bridge::expose(py, runtime, name, value.bind(py))
            })?;
        }
        if !config.code.is_empty() {
            // The pool's timeout bounds its code too: code that never ends would otherwise hang
            // the constructor (and every worker's start) for good.
            execute::limited(py, &runtime, config.timeout, None, |runtime, deadline| {
                execute::run_script(
                    py,
                    runtime,
                    &config.code,
                    execute::SCRIPT_NAME,
                    false,
                    false,
                    deadline,
                )
            })?;
        }
        Ok(runtime)
    })
}
