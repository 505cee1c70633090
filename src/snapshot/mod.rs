//! `v8ctx.Snapshot`: a V8 heap after the user's code ran, to start Contexts and Pools from.
//!
//! `Snapshot.create` runs the code in a fresh process (`maker_process.rs` starts it, `maker.rs`
//! is what runs there): V8 serializes a heap in a snapshotting mode of its own, and aborts the
//! process, uncatchably, on what it cannot serialize, so neither happens in the caller's process.
//! The result is sealed in an envelope (`envelope.rs`) that is checked before V8 reads a byte.
//! A runtime started from it (`Runtime::create`) resumes the bootstrap the maker's setup left
//! in the heap, with the options recorded in the envelope.

mod envelope;
mod maker;
mod maker_process;
mod sidecar;

use std::sync::Arc;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};

pub use envelope::Recorded;
pub use maker::_serve_snapshot_maker;

use crate::arguments;
use crate::browser::{self, Browser};
use crate::errors;
use crate::execute;
use crate::limits;
use crate::modules::ModuleRoot;

/// A checked snapshot, as runtimes use it.
pub struct Image {
    /// The whole envelope.
    bytes: Vec<u8>,
    v8: std::ops::Range<usize>,
    pub recorded: Recorded,
}

impl Image {
    pub fn open(py: Python<'_>, bytes: Vec<u8>) -> PyResult<Image> {
        let opened = envelope::open(&bytes)
            .map_err(|why| errors::snapshot_error(py, format!("the snapshot {why}")))?;
        Ok(Image {
            bytes,
            v8: opened.v8,
            recorded: opened.recorded,
        })
    }

    /// The whole envelope, as `to_bytes` returns it.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The module root of a runtime started from this snapshot: the one given, or, if none was,
    /// the one the snapshot's code found its modules in.
    pub fn modules_or(&self, given: Arc<ModuleRoot>) -> Arc<ModuleRoot> {
        match *given {
            ModuleRoot::Empty => Arc::clone(&self.recorded.modules),
            _ => given,
        }
    }

    /// V8's blob.
    pub fn v8_bytes(&self) -> &[u8] {
        &self.bytes[self.v8.clone()]
    }
}

#[doc = stub_doc!("Snapshot")]
#[pyclass(module = "v8ctx", frozen)]
pub struct Snapshot {
    image: Arc<Image>,
}

#[pymethods]
impl Snapshot {
    #[doc = stub_doc!("Snapshot.create")]
    #[staticmethod]
    #[pyo3(signature = (
        code, *, filename = None, random_seed = None, modules = None, browser = false,
        user_agent = None, url = None, max_heap_mb = None, timeout = None, console = None,
        snapshot = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn create(
        py: Python<'_>,
        code: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = arguments::filename)] filename: Option<&str>,
        #[pyo3(from_py_with = arguments::random_seed)] random_seed: Option<u64>,
        modules: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arguments::browser)] browser: bool,
        #[pyo3(from_py_with = arguments::user_agent)] user_agent: Option<&str>,
        #[pyo3(from_py_with = arguments::url)] url: Option<&str>,
        #[pyo3(from_py_with = arguments::max_heap_mb)] max_heap_mb: Option<usize>,
        #[pyo3(from_py_with = arguments::timeout)] timeout: Option<f64>,
        console: Option<Py<PyAny>>,
        #[pyo3(from_py_with = arguments::snapshot)] snapshot: Option<Bound<'_, Snapshot>>,
    ) -> PyResult<Snapshot> {
        let sources = sources(code, filename)?;
        let timeout = limits::timeout(timeout)?;
        crate::modules::from_python(modules)?;
        browser::from_arguments(browser, user_agent, url)?;
        crate::context::check_heap_limit(max_heap_mb)?;
        crate::host::check_console(py, console.as_ref())?;
        let request = maker::Request {
            sources,
            random_seed,
            modules,
            browser,
            user_agent: user_agent.map(str::to_owned),
            url: url.map(str::to_owned),
            max_heap_mb,
            timeout,
            base: snapshot.as_ref().map(|s| s.get().image.bytes()),
        };
        let bytes = maker_process::make(py, &request, console.as_ref())?;
        Ok(Snapshot {
            image: Arc::new(Image::open(py, bytes)?),
        })
    }

    #[doc = stub_doc!("Snapshot.from_bytes")]
    #[staticmethod]
    #[pyo3(signature = (data))]
    fn from_bytes(
        py: Python<'_>,
        #[pyo3(from_py_with = arguments::data)] data: &[u8],
    ) -> PyResult<Snapshot> {
        Ok(Snapshot {
            image: Arc::new(Image::open(py, data.to_vec())?),
        })
    }

    #[doc = stub_doc!("Snapshot.to_bytes")]
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.image.bytes)
    }

    #[doc = stub_doc!("Snapshot.save")]
    fn save(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = arguments::path)] path: std::path::PathBuf,
    ) -> PyResult<()> {
        let mut temporary = path.clone().into_os_string();
        temporary.push(format!(".{}.partial", std::process::id()));
        let temporary = std::path::PathBuf::from(temporary);
        py.detach(|| {
            std::fs::write(&temporary, &self.image.bytes)
                .and_then(|()| std::fs::rename(&temporary, &path))
                .inspect_err(|_| {
                    let _ = std::fs::remove_file(&temporary);
                })
        })
        .map_err(|err| crate::errors::os_error(py, err, &path))
    }

    #[doc = stub_doc!("Snapshot.load")]
    #[staticmethod]
    #[pyo3(signature = (path))]
    fn load(
        py: Python<'_>,
        #[pyo3(from_py_with = arguments::path)] path: std::path::PathBuf,
    ) -> PyResult<Snapshot> {
        let bytes = py
            .detach(|| std::fs::read(&path))
            .map_err(|err| crate::errors::os_error(py, err, &path))?;
        Ok(Snapshot {
            image: Arc::new(Image::open(py, bytes)?),
        })
    }

    #[doc = stub_doc!("Snapshot.random_seed")]
    #[getter]
    fn random_seed(&self) -> Option<u64> {
        self.image.recorded.random_seed
    }

    #[doc = stub_doc!("Snapshot.browser")]
    #[getter]
    fn browser(&self) -> bool {
        self.image.recorded.browser.is_some()
    }

    #[doc = stub_doc!("Snapshot.user_agent")]
    #[getter]
    fn user_agent(&self) -> Option<&str> {
        self.image
            .recorded
            .browser
            .as_ref()
            .map(|b| b.user_agent.as_str())
    }

    #[doc = stub_doc!("Snapshot.url")]
    #[getter]
    fn url(&self) -> Option<&str> {
        self.image.recorded.browser.as_ref().map(|b| b.url.as_str())
    }

    #[doc = stub_doc!("Snapshot.nbytes")]
    #[getter]
    fn nbytes(&self) -> usize {
        self.image.bytes.len()
    }

    #[doc = stub_doc!("Snapshot.__reduce__")]
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let from_bytes = slf.get_type().getattr("from_bytes")?;
        let bytes = slf.get().to_bytes(py);
        PyTuple::new(py, [from_bytes, PyTuple::new(py, [bytes])?.into_any()])
    }

    fn __repr__(&self) -> String {
        format!("<v8ctx.Snapshot of {} bytes>", self.image.bytes.len())
    }
}

impl Snapshot {
    pub fn image(&self) -> &Arc<Image> {
        &self.image
    }
}

/// `create`'s `code` as `(filename, source)` pairs.
fn sources(code: &Bound<'_, PyAny>, filename: Option<&str>) -> PyResult<Vec<(String, String)>> {
    if let Ok(source) = code.cast::<PyString>() {
        return Ok(vec![(
            filename.unwrap_or(execute::SCRIPT_NAME).to_string(),
            source.extract::<String>()?,
        )]);
    }
    if filename.is_some() {
        return Err(PyTypeError::new_err(
            "filename= names a single source; name each source of a list as a (filename, source) \
             pair",
        ));
    }
    let items = if let Ok(list) = code.cast::<PyList>() {
        list.iter().collect::<Vec<_>>()
    } else if let Ok(tuple) = code.cast::<PyTuple>() {
        tuple.iter().collect()
    } else {
        return Err(PyTypeError::new_err(format!(
            "code must be a str or a list of sources, not {}",
            code.get_type().name()?
        )));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            if let Ok(source) = item.cast::<PyString>() {
                return Ok((
                    execute::SCRIPT_NAME.to_string(),
                    source.extract::<String>()?,
                ));
            }
            item.extract::<(String, String)>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "code[{i}] must be a str or a (filename, source) pair of str, not {}",
                    item.get_type()
                        .name()
                        .map_or_else(|_| "?".into(), |n| n.to_string())
                ))
            })
        })
        .collect()
}

/// The seed and browser globals of a runtime started from `image`, if any: those given, or,
/// from a snapshot, the ones it fixed (the options given must agree with them).
pub fn options_from(
    image: Option<&Image>,
    random_seed: Option<u64>,
    browser: Option<Browser>,
) -> PyResult<(Option<u64>, Option<Browser>)> {
    let Some(image) = image else {
        return Ok((random_seed, browser));
    };
    let recorded = &image.recorded;
    if let Some(seed) = random_seed.filter(|seed| Some(*seed) != recorded.random_seed) {
        return Err(PyValueError::new_err(format!(
            "random_seed={seed} differs from the snapshot's ({}): its code ran, and may have \
             kept Math.random or crypto, with that seed; make the snapshot with \
             random_seed={seed}",
            recorded
                .random_seed
                .map_or_else(|| "none".to_string(), |s| s.to_string()),
        )));
    }
    if browser.is_some() && browser != recorded.browser {
        return Err(PyValueError::new_err(
            "browser=, user_agent= and url= differ from the snapshot's: its code ran with the \
             browser globals it was made with; make the snapshot with these instead",
        ));
    }
    Ok((recorded.random_seed, recorded.browser.clone()))
}
