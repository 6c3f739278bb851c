//! Browser sessions: an opaque random id in an `HttpOnly; SameSite=Strict` cookie,
//! and a map on the server from that id to the signed-in user.
//!
//! The cookie never carries the user's token (a stolen cookie dies with its
//! session, and signing out ends it on the server). A session remembers the id of
//! the token it was opened with: rotating or revoking the token, or the user
//! expiring, ends the session at the next request. Sessions end after
//! [`IDLE`] without a request, and [`ABSOLUTE`] after sign-in at the latest; they
//! live in memory only, so a server restart signs everyone out.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap, HeaderValue, Uri};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "cablescope_session";

/// Name of the sign-in form's CSRF cookie (double submit: the form's hidden field
/// must repeat it). Scoped to `/login`.
pub const LOGIN_COOKIE: &str = "cablescope_login";

/// A session ends after this long without a request.
pub const IDLE: Duration = Duration::from_secs(2 * 3600);

/// A session ends this long after sign-in, however busy.
pub const ABSOLUTE: Duration = Duration::from_secs(12 * 3600);

/// Most sessions kept; past it the least recently used one is ended.
const MAX_SESSIONS: usize = 10_000;

/// Random bytes in a session id, a CSRF token and the sign-in form's token.
const RANDOM_BYTES: usize = 32;

/// A fresh random value: 32 bytes from the operating system, as
/// lowercase hex.
pub fn random_hex() -> Result<String, getrandom::Error> {
    let mut b = [0u8; RANDOM_BYTES];
    getrandom::fill(&mut b)?;
    let mut s = String::with_capacity(RANDOM_BYTES * 2);
    for x in b {
        use std::fmt::Write;
        let _ = write!(s, "{x:02x}");
    }
    Ok(s)
}

/// True when `s` has the shape of a value made by [`random_hex`] (checked before
/// any lookup, so a hostile cookie costs nothing).
pub fn well_formed(s: &str) -> bool {
    s.len() == RANDOM_BYTES * 2
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// One signed-in browser.
#[derive(Debug, Clone)]
struct Session {
    user: String,
    token_id: String,
    csrf: String,
    created: Instant,
    last_seen: Instant,
}

impl Session {
    fn expired(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.last_seen) >= IDLE
            || now.saturating_duration_since(self.created) >= ABSOLUTE
    }
}

/// What a live session says about its browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// The user's name.
    pub user: String,
    /// The id of the token the user signed in with.
    pub token_id: String,
    /// The session's CSRF token (the hidden field of every form it posts).
    pub csrf: String,
}

/// Every live session, by id.
#[derive(Debug, Default)]
pub struct Sessions {
    map: HashMap<String, Session>,
}

impl Sessions {
    /// Opens a session for `user`, signed in with the token whose id is
    /// `token_id`; returns the session id and its CSRF token.
    pub fn create(
        &mut self,
        user: &str,
        token_id: &str,
        now: Instant,
    ) -> Result<(String, String), getrandom::Error> {
        let id = random_hex()?;
        let csrf = random_hex()?;
        if self.map.len() >= MAX_SESSIONS {
            self.map.retain(|_, s| !s.expired(now));
        }
        if self.map.len() >= MAX_SESSIONS {
            if let Some(k) = self
                .map
                .iter()
                .min_by_key(|(_, s)| s.last_seen)
                .map(|(k, _)| k.clone())
            {
                self.map.remove(&k);
            }
        }
        self.map.insert(
            id.clone(),
            Session {
                user: user.to_string(),
                token_id: token_id.to_string(),
                csrf: csrf.clone(),
                created: now,
                last_seen: now,
            },
        );
        Ok((id, csrf))
    }

    /// The live session `id` (its idle clock restarts); `None` when unknown or
    /// expired (an expired one is forgotten).
    pub fn touch(&mut self, id: &str, now: Instant) -> Option<SessionInfo> {
        if !well_formed(id) {
            return None;
        }
        let s = self.map.get_mut(id)?;
        if s.expired(now) {
            self.map.remove(id);
            return None;
        }
        s.last_seen = now;
        Some(SessionInfo {
            user: s.user.clone(),
            token_id: s.token_id.clone(),
            csrf: s.csrf.clone(),
        })
    }

    /// Ends session `id`; true when it existed.
    pub fn remove(&mut self, id: &str) -> bool {
        self.map.remove(id).is_some()
    }

    /// Sessions held (expired ones included until next met).
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when no session is held.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

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
    fn sessions_expire_when_idle_and_at_the_absolute_limit() {
        let mut s = Sessions::default();
        let t0 = Instant::now();
        let (id, csrf) = s.create("alice", "tok1", t0).unwrap();
        assert!(well_formed(&id) && well_formed(&csrf) && id != csrf);
        let info = s.touch(&id, t0 + IDLE / 2).unwrap();
        assert_eq!(info.user, "alice");
        assert_eq!(info.csrf, csrf);
        // Touched at IDLE/2: alive until IDLE/2 + IDLE.
        assert!(s.touch(&id, t0 + IDLE).is_some());
        // Kept busy, it still ends at the absolute limit.
        let mut t = t0 + IDLE;
        while t < t0 + ABSOLUTE - IDLE / 2 {
            t += IDLE / 2;
            assert!(s.touch(&id, t).is_some());
        }
        assert!(s.touch(&id, t0 + ABSOLUTE).is_none());
        assert!(s.is_empty(), "an expired session is forgotten");

        let (id2, _) = s.create("bob", "tok2", t0).unwrap();
        assert!(s.touch(&id2, t0 + IDLE).is_none(), "idle for IDLE");
        assert!(s.touch("not-hex", t0).is_none());
    }

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
