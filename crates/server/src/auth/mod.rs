//! Who may do what: tokens, browser sessions, roles, sign-in limits, CSRF, the
//! security headers and the audit log of every read (issue 7).
//!
//! # The rules
//!
//! * An archive **without users is open**: every request is anonymous and reads
//!   everything ([`Standing::Open`]); tokens are not looked at. Creating the first
//!   user (`cablescope users add`, even while the server runs) **closes** it: from
//!   the next request on, every request needs a token or a session, for good.
//! * On a closed archive every request needs `Authorization: Bearer TOKEN` or the
//!   session cookie set by `POST /login`, except these, which need nothing:
//!   `/healthz`, `/login`, `/logout`, `/api/openapi.json`, `/api/docs` and
//!   `/assets/*`. Without either, the API (`/api/*`, `/metrics`) answers `401` with
//!   `WWW-Authenticate: Bearer realm="cablescope"`, and a page redirects (`303`) to
//!   `/login?next=PAGE`. A missing, malformed, unknown, expired or revoked token is
//!   `401` too, with `error="invalid_token"` (on any route but the open ones,
//!   which ignore tokens).
//! * Failed sign-ins (a refused token, by Bearer or by the sign-in form) are
//!   counted per (address, account), per account and per address (a wider
//!   budget); a used-up budget answers sign-ins (Bearer requests and `POST
//!   /login`) with `429` and `Retry-After` until its oldest failure is a minute
//!   old. Five per (address, account) by default; a pair that signed in before is
//!   not locked out by others' failures ([`limit`]). Behind a reverse proxy the
//!   address is the client it names, if trusted ([`proxy`]).
//! * Roles: readers read; curators also ingest (`POST /api/ingest`); admins also
//!   manage users (`/api/users`) and read `/metrics`. A role violation is `403
//!   forbidden` ([`crate::gate::require`]). Nobody ingests or manages users over HTTP on an
//!   open archive (there is no one to check), nor on a `--public` server (`403
//!   read_only`).
//! * `serve --public` serves everything read-only to anyone: no sign-in, every
//!   request is the anonymous reader cleared for everything ([`Standing::Public`]).
//! * A cable the reader may not see answers exactly like an unknown id (the
//!   session every handler reads through sees to that).
//! * Every search, read, export, refs, graph and stats request of a closed
//!   archive is written to the archive's hash-chained audit log by the session it
//!   reads through (`cablescope_access::Session`), and so is every sign-in, failed
//!   sign-in and sign-out; an open archive keeps no log (its readers have no
//!   names), like the CLI.
//!
//! This module holds the state (users, browser sessions, failure counts, the
//! audit sink) and the answers; the layer that applies them to each request is
//! [`crate::gate`]. Browser sessions and CSRF are in [`session`] and [`csrf`]. Every response
//! carries [`CSP`], `X-Frame-Options: DENY` and `Referrer-Policy: no-referrer`
//! (set in [`crate::router`]), and a signed-in user's responses
//! `Cache-Control: no-store` unless the handler chose otherwise.

pub mod csrf;
pub mod limit;
pub mod proxy;
pub mod session;

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cablescope_access::audit::{AuditEntry, Auditor, Timestamp, ANONYMOUS};
use cablescope_access::sessions::SessionInfo;
use cablescope_access::users::{AccessError, AuthError, UserStatus, Users};
use cablescope_access::{AccessLocation, User};

use crate::error::ApiError;
use limit::{Attempt, ClientKey, FailureLimiter, Outcome, Policy};

/// The Content-Security-Policy of every response: only this server's own scripts,
/// styles and images (and `data:` images), no plugins, no `<base>`, no framing,
/// forms post only here.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The `WWW-Authenticate` challenge of a request without credentials.
const CHALLENGE: &str = "Bearer realm=\"cablescope\"";

/// The challenge of a request whose token was refused.
const CHALLENGE_INVALID: &str = "Bearer realm=\"cablescope\", error=\"invalid_token\"";

/// Most handles on the access tables kept for reuse.
const MAX_IDLE_USERS: usize = 8;

/// Users, sessions, failure counts and the audit log of one served archive.
pub struct Auth {
    at: AccessLocation,
    /// The sign-in budgets (also checked against every node's failures on a
    /// shared database).
    policy: Policy,
    /// Idle connections to the access tables (`access.db` or the shared
    /// database; a connection is `Send`, not `Sync`). Sessions are kept there
    /// too, so they outlive a restart and are shared by the nodes of a database.
    users: Mutex<Vec<Users>>,
    limiter: Mutex<FailureLimiter>,
    pair_locks: Vec<Mutex<()>>,
    /// The audit log, and whether the archive is closed (latched once seen with
    /// users: users are revoked, never deleted; a deleted `access.db` must not
    /// open it).
    auditor: Auditor,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("at", &self.at)
            .field("closed", &self.auditor.known_closed())
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Locks that run the sign-in attempts of one (address, account) pair one at a
/// time (pairs share a lock by hash; sharing only serialises a little more).
const PAIR_LOCKS: usize = 64;

fn shard(who: &ClientKey, account: &str) -> usize {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    who.hash(&mut h);
    account.hash(&mut h);
    (h.finish() % PAIR_LOCKS as u64) as usize
}

/// An admitted attempt, settled with its outcome when dropped.
struct PendingAttempt<'a> {
    limiter: &'a Mutex<FailureLimiter>,
    attempt: Option<Attempt>,
    outcome: Outcome,
}

impl Drop for PendingAttempt<'_> {
    fn drop(&mut self) {
        if let Some(a) = self.attempt.take() {
            lock(self.limiter).finish(a, self.outcome, Instant::now());
        }
    }
}

/// A refused sign-in (form or Bearer).
#[derive(Debug)]
pub enum SignInError {
    /// Too many failures (see [`limit`]): retry after this long.
    Limited(Duration),
    /// The token was refused (missing, malformed, unknown, expired, revoked).
    Refused(AuthError),
    /// The access database could not be read, or no randomness for a session.
    Internal(String),
}

impl Auth {
    /// The access state of the archive at `at` (nothing is opened yet).
    pub fn new(at: AccessLocation) -> Auth {
        Auth {
            auditor: Auditor::new(&at),
            at,
            policy: Policy::default(),
            users: Mutex::new(Vec::new()),
            limiter: Mutex::new(FailureLimiter::default()),
            pair_locks: (0..PAIR_LOCKS).map(|_| Mutex::new(())).collect(),
        }
    }

    /// The access state of the archive at `at`, with sign-in budgets `policy`.
    pub fn with_policy(at: AccessLocation, policy: Policy) -> Auth {
        Auth {
            limiter: Mutex::new(FailureLimiter::new(policy.clone())),
            policy,
            ..Auth::new(at)
        }
    }

    /// The audit sink of this archive (every read, sign-in and change).
    pub fn auditor(&self) -> &Auditor {
        &self.auditor
    }

    /// Runs `f` with a connection to `access.db` (blocking: call it on a blocking
    /// thread). Creates `access.db` when absent.
    pub fn with_users<T>(&self, f: impl FnOnce(&Users) -> T) -> Result<T, AccessError> {
        let idle = lock(&self.users).pop();
        let users = match idle {
            Some(u) => u,
            None => Users::open(&self.at)?,
        };
        let out = f(&users);
        let mut pool = lock(&self.users);
        if pool.len() < MAX_IDLE_USERS {
            pool.push(users);
        }
        Ok(out)
    }

    /// True when the archive has users (blocking). Cheap once closed; on an open
    /// archive a file check, and a query only when `access.db` exists.
    pub fn is_closed_blocking(&self) -> Result<bool, AccessError> {
        self.auditor.is_closed()
    }

    /// True once the archive was seen closed (no file access).
    pub fn known_closed(&self) -> bool {
        self.auditor.known_closed()
    }

    /// The user `token` belongs to (blocking), with the sign-in limits for `who`
    /// applied and failures counted and audited ([`limit`]). Attempts of one
    /// (address, account) pair run one at a time, and each reserves its place in
    /// the budgets before the token is checked, so parallel attempts get no more
    /// tries than the budget.
    pub fn authenticate_blocking(
        &self,
        token: &str,
        who: &ClientKey,
        how: &str,
    ) -> Result<User, SignInError> {
        let account = limit::account_of(token);
        let _serial = lock(&self.pair_locks[shard(who, &account)]);
        let attempt = lock(&self.limiter)
            .begin(who, &account, Instant::now())
            .map_err(SignInError::Limited)?;
        // Settled on every path, a panic included (then not counted).
        let mut pending = PendingAttempt {
            limiter: &self.limiter,
            attempt: Some(attempt),
            outcome: Outcome::Abandoned,
        };
        let shared = self.at.is_shared();
        let address = who.as_str();
        let policy = &self.policy;
        let result = self
            .with_users(|u| {
                // Every node's failures, on a shared database, before the token
                // is looked at (a right token over budget is refused too).
                let counts = if shared {
                    let counts = u.sign_in_counts(
                        address,
                        &account,
                        Timestamp::now(),
                        policy.window,
                        policy.remember,
                    )?;
                    if let Err(wait) = policy.check_shared(&counts) {
                        return Ok(Err(SignInError::Limited(wait)));
                    }
                    Some(counts)
                } else {
                    None
                };
                let r = u.authenticate(token);
                let now = Timestamp::now();
                // Failures always; a success only when the stored one is stale.
                let record = match (&counts, &r) {
                    (None, _) | (Some(_), Err(AuthError::Store(_))) => None,
                    (Some(_), Err(_)) => Some(true),
                    (Some(c), Ok(_)) => c.success_is_stale(now).then_some(false),
                };
                if let Some(failed) = record {
                    if let Err(e) = u.record_sign_in(address, &account, failed, now, policy.window)
                    {
                        tracing::error!(error = %e, "cannot record a sign-in in the database");
                    }
                }
                Ok(Ok(r))
            })
            .and_then(|r: Result<_, AccessError>| r)
            .map_err(|e| SignInError::Internal(e.to_string()))??;
        match result {
            Ok(user) => {
                pending.outcome = Outcome::Success;
                Ok(user)
            }
            Err(AuthError::Store(e)) => Err(SignInError::Internal(e.to_string())),
            Err(e) => {
                pending.outcome = Outcome::Failure;
                drop(pending);
                // A trace of the attempt; the refusal stands even when it cannot
                // be written.
                let entry = AuditEntry::new(
                    ANONYMOUS,
                    "login_failed",
                    &format!("{how} from {}: {e}", who.as_str()),
                );
                if let Err(err) = self.record(&entry) {
                    tracing::error!(error = %err, "cannot write the audit log");
                }
                Err(SignInError::Refused(e))
            }
        }
    }

    /// Appends `entry` to the audit log (blocking).
    pub fn record(&self, entry: &AuditEntry) -> Result<u64, AccessError> {
        self.auditor.record(entry)
    }

    /// The user of session `id` when it is alive and its user may still read
    /// (blocking): not revoked, not expired, and still holding the token the
    /// session was opened with. A dead session is ended.
    pub fn session_blocking(&self, id: &str) -> Result<Option<(User, SessionInfo)>, AccessError> {
        self.with_users(|u| {
            let Some(info) = u.session(id, Timestamp::now())? else {
                return Ok(None);
            };
            match u.get(&info.user)? {
                Some(user)
                    if user.status() == UserStatus::Active && user.token_id == info.token_id =>
                {
                    Ok(Some((user, info)))
                }
                _ => {
                    u.end_session(id)?;
                    Ok(None)
                }
            }
        })?
    }

    /// Opens a session for `user` (blocking); returns its id and CSRF token.
    pub fn open_session_blocking(&self, user: &User) -> Result<(String, String), AccessError> {
        self.with_users(|u| u.open_session(user, Timestamp::now()))?
    }

    /// Ends session `id` (blocking); true when it was alive.
    pub fn end_session_blocking(&self, id: &str) -> Result<bool, AccessError> {
        self.with_users(|u| u.end_session(id))?
    }

    /// The live session `id`, without checking its user (blocking; for
    /// sign-out).
    pub fn session_info_blocking(&self, id: &str) -> Result<Option<SessionInfo>, AccessError> {
        self.with_users(|u| u.session(id, Timestamp::now()))?
    }
}

/// Which requests need a sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Needs none (`/healthz`, `/login`, `/logout`, the API documents, assets).
    Free,
    /// The API (`/api/*`, `/metrics`): refused with 401 JSON.
    Api,
    /// A page: redirected to `/login`.
    Page,
}

/// The class of a request path. Everything not listed as free needs a sign-in,
/// so a new route is protected by default.
pub fn classify(path: &str) -> Class {
    match path {
        "/healthz" | "/login" | "/logout" | "/api/openapi.json" | "/api/docs" => Class::Free,
        p if p.starts_with("/api/docs/") || p.starts_with("/assets/") => Class::Free,
        "/api" | "/metrics" => Class::Api,
        p if p.starts_with("/api/") => Class::Api,
        _ => Class::Page,
    }
}

/// The client address the middleware found (for sign-in limits and the log).
#[derive(Debug, Clone)]
pub struct Client(pub ClientKey);

fn with_header(mut r: Response, name: header::HeaderName, value: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
    r
}

/// `401` for a request without credentials.
pub fn missing_credentials() -> Response {
    let e = ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "this archive needs a token: send `Authorization: Bearer TOKEN` (or sign in at /login)",
    );
    with_header(e.into_response(), header::WWW_AUTHENTICATE, CHALLENGE)
}

/// `401` for a refused token.
pub fn refused_token(e: &AuthError) -> Response {
    let e = ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", e.to_string());
    with_header(
        e.into_response(),
        header::WWW_AUTHENTICATE,
        CHALLENGE_INVALID,
    )
}

/// `429` with `Retry-After` in whole seconds.
pub fn too_many(wait: Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let e = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        format!("too many failed sign-ins; retry in {secs} s"),
    );
    with_header(e.into_response(), header::RETRY_AFTER, &secs.to_string())
}

pub(crate) fn sign_in_failure(e: SignInError) -> Response {
    match e {
        SignInError::Limited(wait) => too_many(wait),
        SignInError::Refused(e) => refused_token(&e),
        SignInError::Internal(m) => ApiError::internal(m).into_response(),
    }
}

/// The token of an `Authorization` header: `Bearer TOKEN` (scheme in any case).
/// Anything else (another scheme, several words, not text) is `None`.
pub(crate) fn bearer(value: &HeaderValue) -> Option<String> {
    let v = value.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && !token.contains(' '))
        .then(|| token.to_string())
}

/// `403 csrf`.
pub fn csrf_refused(why: &str) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "csrf", why.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_protected_unless_listed() {
        for p in [
            "/healthz",
            "/login",
            "/logout",
            "/api/openapi.json",
            "/api/docs",
            "/api/docs/index.html",
            "/assets/style.css",
        ] {
            assert_eq!(classify(p), Class::Free, "{p}");
        }
        for p in [
            "/api",
            "/api/search",
            "/metrics",
            "/api/openapi.json/x",
            "/api/docsx",
        ] {
            assert_eq!(classify(p), Class::Api, "{p}");
        }
        for p in [
            "/",
            "/search",
            "/cables/08X1",
            "/healthz/",
            "/loginx",
            "//api/search",
            "/assetsx",
        ] {
            assert_eq!(classify(p), Class::Page, "{p}");
        }
    }

    #[test]
    fn bearer_headers_parse_strictly() {
        let v = |s: &str| HeaderValue::from_str(s).unwrap();
        assert_eq!(bearer(&v("Bearer abc")).as_deref(), Some("abc"));
        assert_eq!(bearer(&v("bearer  abc ")).as_deref(), Some("abc"));
        assert_eq!(bearer(&v("Basic abc")), None);
        assert_eq!(bearer(&v("Bearer")), None);
        assert_eq!(bearer(&v("Bearer a b")), None);
    }
}
