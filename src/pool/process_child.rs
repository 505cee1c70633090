//! Inside a worker process (`python -m v8ctx._worker`): one runtime with the pool's code, serving
//! one job at a time from the parent (`frames.rs` has the protocol).
//!
//! The main thread reads jobs and runs them exactly as a worker thread does
//! (`thread_worker::run_request`), so values, errors and limits are the same in both isolations.
//! The pool's console and exposed Python callables are the parent's: console output is sent to
//! the parent, and an exposed callable is a `ParentCallable` that asks the parent to run it and
//! waits for the answer. A control thread reads stop requests while JavaScript runs, and ends the
//! process the moment its control pipe closes: the parent is gone, or let the worker go.

use std::fs::File;
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use super::frames::{self, Frame, FrameReader};
use super::os_process;
use super::shared::Config;
use super::thread_worker::{run_request, start_runtime};
use super::wire;
use crate::execute::Request;
use crate::limits::Stops;

/// The worker's pipes to its parent, used by the main loop, the console and the callables, all
/// on the main thread.
struct Channel {
    jobs: FrameReader<File>,
    replies: File,
}

static CHANNEL: Mutex<Option<Channel>> = Mutex::new(None);

/// The job running now and its runtime's stop flags, for the control thread.
struct Running {
    job: Option<u64>,
    stops: Option<Arc<Stops>>,
    /// A job the parent abandoned before it started here (the request can overtake the job).
    abandoned_early: Option<u64>,
}

static RUNNING: Mutex<Running> = Mutex::new(Running {
    job: None,
    stops: None,
    abandoned_early: None,
});

fn send(kind: u8, parts: &[&[u8]]) -> PyResult<()> {
    let mut channel = CHANNEL.lock();
    let channel = channel.as_mut().ok_or_else(no_parent)?;
    frames::write_frame(&mut channel.replies, kind, parts).map_err(|_| no_parent())
}

fn receive(py: Python<'_>) -> Option<Frame> {
    py.detach(|| {
        let mut channel = CHANNEL.lock();
        channel.as_mut()?.jobs.next_blocking().ok().flatten()
    })
}

fn no_parent() -> PyErr {
    PyRuntimeError::new_err("the worker process lost its parent")
}

/// The worker's main loop; returns when the parent closes the jobs pipe.
#[pyfunction]
pub fn _serve_process_worker(py: Python<'_>) -> PyResult<()> {
    let (jobs, replies, control) = os_process::worker_pipes()?;
    std::thread::Builder::new()
        .name("v8ctx-worker-control".into())
        .spawn(move || obey(control))?;
    *CHANNEL.lock() = Some(Channel {
        jobs: FrameReader::new(jobs),
        replies,
    });
    let Some(start) = receive(py).filter(|f| f.kind == frames::START) else {
        return Ok(());
    };
    let runtime = match config_from_spec(py, &start.payload).and_then(|c| start_runtime(&c)) {
        Ok(runtime) => runtime,
        Err(err) => return send(frames::START_FAILED, &[&wire::dumps_exception(py, err)]),
    };
    RUNNING.lock().stops = Some(Arc::clone(runtime.stops()));
    send(
        frames::READY,
        &[&frames::reply_header(runtime.used_heap_size(), false)],
    )?;
    while let Some(frame) = receive(py) {
        let Some((job, timeout, body)) = frames::split_job(&frame.payload) else {
            break;
        };
        {
            // Running from here, so a stop reaches it even while its arguments are unpickled.
            let mut running = RUNNING.lock();
            runtime.stops().expect_job();
            running.job = Some(job);
            if running.abandoned_early.take() == Some(job) {
                runtime.stops().abandon();
            }
        }
        let request = match frame.kind {
            frames::CALL => request_of_call(py, body),
            frames::EVALUATE => String::from_utf8(body.to_vec())
                .map(|code| Request::Evaluate { code })
                .map_err(|_| PyTypeError::new_err("code is not UTF-8")),
            _ => break,
        };
        let result = request.and_then(|request| run_request(py, &runtime, &request, timeout));
        RUNNING.lock().job = None;
        let header =
            frames::reply_header(runtime.used_heap_size(), runtime.stops().heap_exhausted());
        match result.and_then(|value| wire::dumps(py, value.bind(py))) {
            Ok(body) => send(frames::RETURN, &[&header, &body])?,
            Err(err) => send(frames::RAISE, &[&header, &wire::dumps_exception(py, err)])?,
        }
    }
    Ok(())
}

fn request_of_call(py: Python<'_>, body: &[u8]) -> PyResult<Request> {
    let (name, args): (String, Bound<'_, PyList>) = wire::loads(py, body)?.extract()?;
    Ok(Request::Call {
        name,
        args: args.iter().map(Bound::unbind).collect(),
    })
}

/// The pool's configuration from the parent's `Start` payload, built by `process_spec`.
fn config_from_spec(py: Python<'_>, payload: &[u8]) -> PyResult<Config> {
    let spec = wire::Spec::from_parent(py, payload, "the worker's")?;
    let item = |key: &str| spec.item(key);
    let mut globals = Vec::new();
    for exposed in item("globals")?.cast::<PyList>()?.iter() {
        let (name, value, callable): (String, Bound<'_, PyAny>, bool) = exposed.extract()?;
        let value = if callable {
            Bound::new(py, ParentCallable { name: name.clone() })?.into_any()
        } else {
            value
        };
        globals.push((name, value.unbind()));
    }
    let modules = item("modules")?;
    let browser = spec.browser()?;
    Ok(Config {
        code: item("code")?.extract()?,
        recycle_after: None,
        max_heap_mb: item("max_heap_mb")?.extract()?,
        timeout: item("timeout")?
            .extract::<Option<f64>>()?
            .map(Duration::from_secs_f64),
        random_seed: item("random_seed")?.extract()?,
        // A worker's console is its parent's.
        console: Some(frames::ConsoleToFrames::callable(py, send)?),
        globals,
        modules: crate::modules::from_python(Some(&modules))?,
        browser,
        snapshot: match item("snapshot")?.extract::<Option<Vec<u8>>>()? {
            Some(bytes) => Some(Arc::new(crate::snapshot::Image::open(py, bytes)?)),
            None => None,
        },
        launch: None,
    })
}

/// A Python callable exposed to the pool's JavaScript: it lives in the parent, which runs it.
#[pyclass(frozen)]
struct ParentCallable {
    name: String,
}

#[pymethods]
impl ParentCallable {
    #[pyo3(signature = (*args))]
    fn __call__(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        let call = PyTuple::new(
            py,
            [
                self.name.clone().into_pyobject(py)?.into_any(),
                args.clone().into_any(),
            ],
        )?;
        let body = wire::dumps(py, call.as_any()).map_err(|err| {
            PyTypeError::new_err(format!(
                "the arguments of {} cannot be sent to the parent process: {err}",
                self.name
            ))
        })?;
        send(frames::CALLBACK, &[&body])?;
        let answer = receive(py).ok_or_else(no_parent)?;
        let value = wire::loads(py, &answer.payload)?;
        match answer.kind {
            frames::CALLBACK_RETURN => Ok(value.unbind()),
            _ => Err(PyErr::from_value(value)),
        }
    }
}

/// The control thread: stop requests from the parent, and the process's end when its control
/// pipe closes.
fn obey(mut control: File) {
    let mut request = [0u8; 1];
    loop {
        if !matches!(control.read(&mut request), Ok(1)) {
            os_process::exit_now(0);
        }
        match request[0] {
            frames::CONTROL_ABANDON => {
                let mut id = [0u8; 8];
                if control.read_exact(&mut id).is_err() {
                    os_process::exit_now(0);
                }
                let id = u64::from_le_bytes(id);
                let mut running = RUNNING.lock();
                match (&running.stops, running.job) {
                    (Some(stops), Some(job)) if job == id => stops.abandon(),
                    _ => running.abandoned_early = Some(id),
                }
            }
            frames::CONTROL_CANCEL => {
                if let Some(stops) = &RUNNING.lock().stops {
                    stops.cancel();
                }
            }
            _ => {}
        }
    }
}

/// The spec a worker process starts from: the pool's code and options as picklable values.
/// Exposed callables stay in the parent; the worker gets their names.
#[allow(clippy::too_many_arguments)]
pub(super) fn process_spec(
    py: Python<'_>,
    code: &str,
    timeout: Option<Duration>,
    max_heap_mb: Option<usize>,
    random_seed: Option<u64>,
    globals: &[(String, Py<PyAny>)],
    modules: Option<&Bound<'_, PyAny>>,
    browser: bool,
    user_agent: Option<&str>,
    url: Option<&str>,
    snapshot: Option<Bound<'_, pyo3::types::PyBytes>>,
) -> PyResult<Vec<u8>> {
    let spec = PyDict::new(py);
    spec.set_item("build", wire::build(py)?)?;
    spec.set_item("code", code)?;
    // For the code only: each call's timeout comes with the call.
    spec.set_item("timeout", timeout.map(|t| t.as_secs_f64()))?;
    spec.set_item("max_heap_mb", max_heap_mb)?;
    spec.set_item("random_seed", random_seed)?;
    let exposed = PyList::empty(py);
    for (name, value) in globals {
        let value = value.bind(py);
        let callable = value.is_callable();
        let sent = if callable {
            py.None().into_bound(py)
        } else {
            value.clone()
        };
        exposed.append((name, sent, callable))?;
    }
    spec.set_item("globals", exposed)?;
    spec.set_item("modules", modules)?;
    spec.set_item("browser", browser)?;
    spec.set_item("user_agent", user_agent)?;
    spec.set_item("url", url)?;
    spec.set_item("snapshot", snapshot)?;
    wire::dumps(py, spec.as_any()).map_err(|err| {
        PyTypeError::new_err(format!(
            "a process Pool sends its globals and modules to each worker process, and these do \
             not pickle: {err}"
        ))
    })
}
