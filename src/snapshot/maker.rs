//! What runs in the process `Snapshot.create` starts (`python -m v8ctx._snapshot`): the code,
//! in a runtime made for snapshotting, then the snapshot, sealed, sent back on stdout.
//!
//! The parent writes the request (a pickle, `Request::to_spec`) to stdin as one frame
//! (`pool/frames.rs`), and keeps stdin open until it has the answer; the child answers with
//! frames on stdout: console lines as it runs, then the snapshot or the exception that ended it.

use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::envelope::{self, Recorded};
use super::sidecar;
use crate::errors;
use crate::execute;
use crate::gil::without_gil;
use crate::pool::{frames, os_process, wire};
use crate::runtime::{self, NotSnapshotted, Runtime};

/// Frames the maker sends.
pub const CONSOLE: u8 = frames::CONSOLE;
pub const MADE: u8 = 1;
pub const RAISED: u8 = 2;

/// What `Snapshot.create` asks for.
pub struct Request<'py> {
    pub sources: Vec<(String, String)>,
    pub random_seed: Option<u64>,
    pub modules: Option<&'py Bound<'py, PyAny>>,
    pub browser: bool,
    pub user_agent: Option<String>,
    pub url: Option<String>,
    pub max_heap_mb: Option<usize>,
    pub timeout: Option<Duration>,
    /// The snapshot to start from instead of v8ctx's own, as its envelope.
    pub base: Option<&'py [u8]>,
}

impl Request<'_> {
    /// The request as the maker process reads it.
    pub fn to_spec(&self, py: Python<'_>) -> PyResult<Vec<u8>> {
        let spec = PyDict::new(py);
        spec.set_item("build", wire::build(py)?)?;
        spec.set_item("sources", self.sources.clone())?;
        spec.set_item("random_seed", self.random_seed)?;
        spec.set_item("modules", self.modules)?;
        spec.set_item("browser", self.browser)?;
        spec.set_item("user_agent", &self.user_agent)?;
        spec.set_item("url", &self.url)?;
        spec.set_item("max_heap_mb", self.max_heap_mb)?;
        spec.set_item("timeout", self.timeout.map(|t| t.as_secs_f64()))?;
        spec.set_item("base", self.base.map(|b| pyo3::types::PyBytes::new(py, b)))?;
        wire::dumps(py, spec.as_any()).map_err(|err| {
            pyo3::exceptions::PyTypeError::new_err(format!(
                "Snapshot.create runs the code in a separate process, and modules= does not \
                 pickle: {err}"
            ))
        })
    }
}

fn answer(kind: u8, parts: &[&[u8]]) -> PyResult<()> {
    let mut out = std::io::stdout().lock();
    frames::write_frame(&mut out, kind, parts)?;
    Ok(out.flush()?)
}

/// The maker process's whole life.
#[pyfunction]
pub fn _serve_snapshot_maker(py: Python<'_>) -> PyResult<()> {
    let stdin = std::fs::File::from(std::io::stdin().as_fd().try_clone_to_owned()?);
    let mut requests = frames::FrameReader::new(stdin);
    let Some(request) = py.detach(|| requests.next_blocking())? else {
        return Ok(());
    };
    // The caller keeps stdin open while it waits: its end (the caller gave up, or died) ends this
    // process too, whatever the code is doing.
    std::thread::Builder::new()
        .name("v8ctx-snapshot-caller".into())
        .spawn(move || {
            let mut rest = [0u8; 1];
            while matches!(requests.file().read(&mut rest), Ok(1..)) {}
            os_process::exit_now(1);
        })?;
    match make(py, &request.payload) {
        Ok(snapshot) => answer(MADE, &[&snapshot])?,
        Err(err) => answer(RAISED, &[&wire::dumps_exception(py, err)])?,
    }
    Ok(())
}

fn make(py: Python<'_>, spec: &[u8]) -> PyResult<Vec<u8>> {
    let spec = wire::Spec::from_parent(py, spec, "the snapshot maker's")?;
    let item = |key: &str| spec.item(key);
    let sources: Vec<(String, String)> = item("sources")?.extract()?;
    let random_seed: Option<u64> = item("random_seed")?.extract()?;
    let browser = spec.browser()?;
    let timeout: Option<f64> = item("timeout")?.extract()?;
    let base = match item("base")?.extract::<Option<Vec<u8>>>()? {
        Some(bytes) => Some(std::sync::Arc::new(super::Image::open(py, bytes)?)),
        None => None,
    };
    let (random_seed, browser) = super::options_from(base.as_deref(), random_seed, browser)?;
    let deadline = timeout.map(|t| Instant::now() + Duration::from_secs_f64(t));
    let remaining = || deadline.map(|d| d.saturating_duration_since(Instant::now()));
    let modules = crate::modules::from_python(Some(&item("modules")?))?;
    let modules = match &base {
        Some(image) => image.modules_or(modules),
        None => modules,
    };
    let options = runtime::Options {
        max_heap_mb: item("max_heap_mb")?.extract()?,
        random_seed,
        console: Some(frames::ConsoleToFrames::callable(py, answer)?),
        modules: Arc::clone(&modules),
        browser: browser.clone(),
        snapshot: base,
    };
    let runtime = Runtime::for_snapshot(options).map_err(PyRuntimeError::new_err)?;
    for (name, code) in &sources {
        execute::limited(py, &runtime, remaining(), None, |runtime, deadline| {
            execute::compile_once(py, runtime, code, name, deadline)
        })?;
    }
    // What the code started (timers, Promises waiting on them, dynamic imports) finishes first:
    // only a heap with nothing left to run is snapshotted.
    execute::limited(py, &runtime, remaining(), None, |runtime, deadline| {
        without_gil(py, || runtime.run_until_idle(deadline))
            .map_err(|err| execute::settle_error(py, runtime, err))
    })?;
    let recorded = Recorded {
        random_seed,
        browser,
        modules,
        compiled_sources: runtime.compiled_source_hashes(),
    };
    let made = runtime.into_snapshot().map_err(|why| match why {
        NotSnapshotted::Refused(refusal) => errors::snapshot_error(py, refusal),
        NotSnapshotted::Failed => {
            PyRuntimeError::new_err("the runtime could not be prepared for its snapshot")
        }
    })?;
    let v8 = sidecar::restore_startup_strings(&made).ok_or_else(|| {
        PyRuntimeError::new_err(
            "deno_core's snapshot does not end as this v8ctx expects (see snapshot/sidecar.rs)",
        )
    })?;
    Ok(envelope::seal(&v8, &recorded))
}
