//! Cross-site request forgery defences for the requests a browser sends with its
//! cookies: every form post (sign-in, sign-out) and every cookie-authenticated
//! API request that changes something.
//!
//! Two independent checks, both required:
//!
//! 1. **Same origin.** The request must not come from another site. The `Origin`
//!    header decides when it names an origin; a browser that sends `Origin: null`
//!    (our pages set `Referrer-Policy: no-referrer`, which makes some browsers do
//!    so even for same-origin form posts) is judged by `Sec-Fetch-Site`, then by
//!    `Referer`. A request naming another origin is refused; one naming none
//!    (a non-browser client) goes on to the second check.
//! 2. **A secret token.** A signed-in session's forms carry its CSRF token in a
//!    hidden field (`csrf`), API requests in the `X-CSRF-Token` header; the
//!    sign-in form, made before any session exists, repeats the value of its own
//!    `SameSite=Strict` cookie (double submit). Another site can read neither.

use axum::http::{header, HeaderMap};

/// The form field carrying the CSRF token.
pub const FIELD: &str = "csrf";

/// The header carrying the CSRF token on cookie-authenticated API requests.
pub const HEADER: &str = "x-csrf-token";

/// Where a request comes from, as far as its headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// This server's own pages.
    Same,
    /// Another site.
    Cross,
    /// The headers do not say (a client that is not a browser, or one that hides
    /// the origin).
    Unknown,
}

fn header_str(h: &HeaderMap, name: impl header::AsHeaderName) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// `host[:port]` of `scheme://host[:port]/...`, lower-cased; `None` for anything
/// that is not an http(s) URL.
fn authority(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let auth = &rest[..end];
    // `user@host` is not a browser-sent origin; refuse to guess.
    if auth.is_empty() || auth.contains('@') {
        return None;
    }
    Some(auth.to_ascii_lowercase())
}

/// Judges where a request comes from (see the module documentation).
pub fn origin(h: &HeaderMap) -> Origin {
    // The host the browser addressed: a proxy's X-Forwarded-Host, else Host.
    let ours: Vec<String> = [
        header_str(h, "x-forwarded-host").and_then(|v| v.split(',').next()),
        header_str(h, header::HOST),
    ]
    .into_iter()
    .flatten()
    .map(|v| v.trim().to_ascii_lowercase())
    .filter(|v| !v.is_empty())
    .collect();
    let judge = |url: &str| match authority(url) {
        Some(a) if ours.contains(&a) => Origin::Same,
        _ => Origin::Cross,
    };
    match header_str(h, header::ORIGIN) {
        Some(o) if !o.eq_ignore_ascii_case("null") => return judge(o),
        _ => {}
    }
    match header_str(h, "sec-fetch-site").map(str::to_ascii_lowercase) {
        // `none`: typed or bookmarked by the user, not caused by another page.
        Some(s) if s == "same-origin" || s == "none" => return Origin::Same,
        Some(s) if s == "cross-site" || s == "same-site" => return Origin::Cross,
        _ => {}
    }
    match header_str(h, header::REFERER) {
        Some(r) if !r.is_empty() => judge(r),
        _ => Origin::Unknown,
    }
}

/// Compares a submitted token with the expected one in time that does not depend
/// on where they differ. An empty expected token matches nothing.
pub fn tokens_match(expected: &str, given: &str) -> bool {
    let (a, b) = (expected.as_bytes(), given.as_bytes());
    if a.is_empty() || a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, v.parse().unwrap());
        }
        m
    }

    #[test]
    fn origins_are_judged_by_the_best_header_present() {
        let host = ("host", "archive.example:8080");
        assert_eq!(
            origin(&h(&[host, ("origin", "http://archive.example:8080")])),
            Origin::Same
        );
        assert_eq!(
            origin(&h(&[host, ("origin", "https://ARCHIVE.example:8080")])),
            Origin::Same
        );
        assert_eq!(
            origin(&h(&[host, ("origin", "http://evil.example")])),
            Origin::Cross
        );
        assert_eq!(
            origin(&h(&[host, ("origin", "http://archive.example:9999")])),
            Origin::Cross,
            "another port is another origin"
        );
        assert_eq!(
            origin(&h(&[
                host,
                ("origin", "null"),
                ("sec-fetch-site", "same-origin")
            ])),
            Origin::Same
        );
        assert_eq!(
            origin(&h(&[
                host,
                ("origin", "null"),
                ("sec-fetch-site", "cross-site")
            ])),
            Origin::Cross
        );
        assert_eq!(origin(&h(&[host, ("origin", "null")])), Origin::Unknown);
        assert_eq!(
            origin(&h(&[
                host,
                ("referer", "http://archive.example:8080/login?x")
            ])),
            Origin::Same
        );
        assert_eq!(
            origin(&h(&[
                host,
                ("referer", "http://archive.example:8080@evil.example/")
            ])),
            Origin::Cross
        );
        assert_eq!(origin(&h(&[host])), Origin::Unknown);
        assert_eq!(
            origin(&h(&[
                host,
                ("x-forwarded-host", "public.example"),
                ("origin", "https://public.example")
            ])),
            Origin::Same
        );
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("abc", "ab"));
        assert!(!tokens_match("", ""));
    }
}
