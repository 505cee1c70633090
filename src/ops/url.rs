//! WHATWG URL parsing and setters for `URL` (`js/web/url.js`), from the `url` crate (Servo's,
//! which follows the URL Standard and its web-platform tests).

use deno_core::op2;
use url::{quirks, Url};

/// A URL's parts as `URL` (`js/web/url.js`) reads them, in this order.
fn parts(url: &Url) -> Vec<String> {
    vec![
        quirks::href(url).to_string(),
        quirks::protocol(url).to_string(),
        quirks::username(url).to_string(),
        quirks::password(url).to_string(),
        quirks::host(url).to_string(),
        quirks::hostname(url).to_string(),
        quirks::port(url).to_string(),
        quirks::pathname(url).to_string(),
        quirks::search(url).to_string(),
        quirks::hash(url).to_string(),
    ]
}

/// `[href, protocol, username, password, host, hostname, port, pathname, search, hash]` of
/// `href` parsed against `base`, or null if either does not parse.
#[op2]
#[serde]
pub fn op_v8ctx_url_parse(
    #[string] href: &str,
    #[string] base: Option<String>,
) -> Option<Vec<String>> {
    let url = match base {
        Some(base) => Url::parse(&base).ok()?.join(href).ok()?,
        None => Url::parse(href).ok()?,
    };
    Some(parts(&url))
}

/// The parts of `href` after setting one of them (numbered as `parts` lists them, 0 for href),
/// or null if setting `href` itself failed; other setters ignore bad values, as the standard
/// says.
#[op2]
#[serde]
pub fn op_v8ctx_url_set(
    #[string] href: &str,
    part: u32,
    #[string] value: &str,
) -> Option<Vec<String>> {
    let mut url = Url::parse(href).ok()?;
    match part {
        0 => quirks::set_href(&mut url, value).ok()?,
        1 => drop(quirks::set_protocol(&mut url, value)),
        2 => drop(quirks::set_username(&mut url, value)),
        3 => drop(quirks::set_password(&mut url, value)),
        4 => drop(quirks::set_host(&mut url, value)),
        5 => drop(quirks::set_hostname(&mut url, value)),
        6 => drop(quirks::set_port(&mut url, value)),
        7 => quirks::set_pathname(&mut url, value),
        8 => quirks::set_search(&mut url, value),
        9 => quirks::set_hash(&mut url, value),
        _ => return None,
    }
    Some(parts(&url))
}

/// The origin of `href` as `URL.origin` serializes it.
#[op2]
#[string]
pub fn op_v8ctx_url_origin(#[string] href: &str) -> String {
    Url::parse(href).map_or_else(|_| "null".to_string(), |url| quirks::origin(&url))
}

/// `url.domainToASCII`: "" for a domain that is not valid.
#[op2]
#[string]
pub fn op_v8ctx_domain_to_ascii(#[string] domain: &str) -> String {
    quirks::domain_to_ascii(domain)
}
