//! The Python functions that set where code caches are kept and tell what the cache did.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use super::disk;

#[doc = stub_doc!("set_code_cache_dir")]
#[pyfunction]
#[pyo3(signature = (path, *, max_bytes = None))]
pub fn set_code_cache_dir(
    py: Python<'_>,
    path: Option<&Bound<'_, PyAny>>,
    max_bytes: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let path: Option<PathBuf> = path
        .map(|path| {
            path.extract().map_err(|_| {
                PyTypeError::new_err(format!(
                    "set_code_cache_dir() takes a directory (str or os.PathLike) or None, not {}",
                    path.get_type()
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default()
                ))
            })
        })
        .transpose()?;
    let max_bytes = match max_bytes {
        None => disk::DEFAULT_MAX_BYTES,
        Some(value) => match value.extract::<u64>() {
            Ok(n) if n > 0 => n,
            _ => {
                return Err(PyValueError::new_err(format!(
                    "max_bytes must be a positive int, not {}",
                    value.repr()?
                )))
            }
        },
    };
    py.detach(|| disk::set(path.as_deref(), max_bytes))
        .map_err(|err| directory_error(py, path.as_deref(), err))
}

/// An OSError of the class and errno of `err` that names the directory, as Python's own do.
fn directory_error(py: Python<'_>, path: Option<&Path>, err: std::io::Error) -> PyErr {
    let shown = PyString::new(
        py,
        &path.map(|p| p.display().to_string()).unwrap_or_default(),
    )
    .repr()
    .map(|r| r.to_string())
    .unwrap_or_default();
    let text = err.to_string();
    let reason = text
        .rsplit_once(" (os error")
        .map_or(text.as_str(), |(reason, _)| reason);
    let message = format!("cannot keep code caches in {shown}: {reason}");
    let errno = err.raw_os_error();
    let class = PyErr::from(err).get_type(py);
    match errno {
        Some(errno) => PyErr::from_type(class, (errno, message)),
        None => PyErr::from_type(class, message),
    }
}

#[doc = stub_doc!("code_cache_info")]
#[pyfunction]
pub fn code_cache_info(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let info = PyDict::new(py);
    let directory = disk::current();
    info.set_item(
        "directory",
        directory.as_ref().map(|d| d.path.display().to_string()),
    )?;
    info.set_item("max_bytes", directory.as_ref().map(|d| d.max_bytes))?;
    let (entries, bytes) = super::in_memory();
    info.set_item("memory_entries", entries)?;
    info.set_item("memory_bytes", bytes)?;
    info.set_item("disk_hits", disk::HITS.load(Ordering::Relaxed))?;
    info.set_item("disk_writes", disk::WRITES.load(Ordering::Relaxed))?;
    info.set_item("disk_discarded", disk::DISCARDED.load(Ordering::Relaxed))?;
    Ok(info)
}
