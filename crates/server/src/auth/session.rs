//! Browser session cookies: an opaque random id in an `HttpOnly; SameSite=Strict`
//! cookie. The sessions themselves (who signed in, when, with which token, their
//! expiry) are kept with the users, in `access.db` or the shared database
//! ([`cablescope_access::sessions`]): a restart keeps them, and every node of a
//! shared deployment knows them.
//!
//! The cookie never carries the user's token (a stolen cookie dies with its
//! session, and signing out ends it on the server).

use std::time::Duration;

use axum::http::{header, HeaderMap, HeaderValue, Uri};

pub use cablescope_access::sessions::{random_hex, well_formed, ABSOLUTE, IDLE};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "cablescope_session";

/// Name of the sign-in form's CSRF cookie (double submit: the form's hidden field
/// must repeat it). Scoped to `/login`.
pub const LOGIN_COOKIE: &str = "cablescope_login";

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| k.trim() == name)
        .map(|(_, v)| v.trim().trim_matches('"'))
}

/// True when the request reached the server over TLS: an `https` URI (absolute
/// form), or a proxy's `X-Forwarded-Proto: https` or `Forwarded: proto=https`.
/// (A forged header only makes the cookie `Secure`, which a plain-HTTP browser
/// then refuses to send back: no gain for anyone.)
pub fn is_secure(headers: &HeaderMap, uri: &Uri) -> bool {
    if uri.scheme_str() == Some("https") {
        return true;
    }
    let first = |name: &str| {
        headers.get(name).and_then(|v| v.to_str().ok()).map(|v| {
            v.split(',')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    };
    if first("x-forwarded-proto").as_deref() == Some("https") {
        return true;
    }
    first("forwarded").is_some_and(|f| {
        f.split(';')
            .any(|kv| kv.trim().replace(' ', "") == "proto=https")
    })
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Strict`, the path given, `Secure`
/// when `secure`, and a `Max-Age` (a zero age deletes the cookie).
pub fn set_cookie(
    name: &str,
    value: &str,
    path: &str,
    max_age: Duration,
    secure: bool,
) -> HeaderValue {
    let mut s = format!(
        "{name}={value}; Path={path}; Max-Age={}; HttpOnly; SameSite=Strict",
        max_age.as_secs()
    );
    if secure {
        s.push_str("; Secure");
    }
    // Names, paths and values are ours (hex, fixed names): always valid.
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// A `Set-Cookie` value that deletes cookie `name` at `path`.
pub fn clear_cookie(name: &str, path: &str, secure: bool) -> HeaderValue {
    set_cookie(name, "", path, Duration::ZERO, secure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_parse_and_carry_their_flags() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            "a=1; cablescope_session=abc".parse().unwrap(),
        );
        h.append(header::COOKIE, "b=2".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "b"), Some("2"));
        assert_eq!(cookie(&h, "c"), None);
        let v = set_cookie("n", "v", "/", Duration::from_secs(60), false);
        assert_eq!(
            v.to_str().unwrap(),
            "n=v; Path=/; Max-Age=60; HttpOnly; SameSite=Strict"
        );
        assert!(clear_cookie("n", "/", true)
            .to_str()
            .unwrap()
            .ends_with("Max-Age=0; HttpOnly; SameSite=Strict; Secure"));
        let uri: Uri = "/x".parse().unwrap();
        let mut h = HeaderMap::new();
        assert!(!is_secure(&h, &uri));
        h.insert("x-forwarded-proto", "HTTPS".parse().unwrap());
        assert!(is_secure(&h, &uri));
        let mut h = HeaderMap::new();
        h.insert("forwarded", "for=192.0.2.1; proto=https".parse().unwrap());
        assert!(is_secure(&h, &uri));
    }
}
