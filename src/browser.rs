//! `Context(browser=True, user_agent=..., url=...)`: the browser globals (`window`, `navigator`,
//! `location`) that code lifted from web pages probes for. There is no DOM: `document` stays
//! undefined, so code that needs one fails at its first use rather than misbehaving later.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

/// Chrome's user agent on Linux, for the V8 generation v8ctx runs.
pub const DEFAULT_USER_AGENT: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0.0.0 Safari/537.36";

/// What `navigator.userAgent` and `location` say.
#[derive(Clone, PartialEq, Eq)]
pub struct Browser {
    pub user_agent: String,
    pub url: String,
}

/// The browser globals the constructor's arguments ask for; `user_agent=` or `url=` without
/// `browser=True` is a mistake worth saying.
pub fn from_arguments(
    browser: bool,
    user_agent: Option<&str>,
    url: Option<&str>,
) -> PyResult<Option<Browser>> {
    if !browser {
        if user_agent.is_some() || url.is_some() {
            return Err(PyTypeError::new_err(
                "user_agent= and url= describe the browser globals: pass browser=True as well",
            ));
        }
        return Ok(None);
    }
    let url = url.unwrap_or("about:blank");
    let parsed = url::Url::parse(url)
        .map_err(|e| PyValueError::new_err(format!("url={url:?} is not an absolute URL: {e}")))?;
    Ok(Some(Browser {
        user_agent: user_agent.unwrap_or(DEFAULT_USER_AGENT).to_string(),
        url: parsed.to_string(),
    }))
}
