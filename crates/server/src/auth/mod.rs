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
//! * Five failed sign-ins (a refused token, by Bearer or by the sign-in form) from
//!   one address within a minute block that address's sign-ins (Bearer requests
//!   and `POST /login`) with `429` and `Retry-After` until the oldest failure is a
//!   minute old ([`limit`]).
//! * Roles: readers read; curators also ingest (`POST /api/ingest`); admins also
//!   manage users (`/api/users`) and read `/metrics`. A role violation is `403
//!   forbidden` ([`require`]). Nobody ingests or manages users over HTTP on an
//!   open archive (there is no one to check), nor on a `--public` server (`403
//!   read_only`).
//! * `serve --public` serves everything read-only to anyone: no sign-in, every
//!   request is the anonymous reader cleared for everything ([`Standing::Public`]).
//! * A cable the reader may not see answers exactly like an unknown id (the
//!   handlers and `cablescope_archive::access` see to that).
//! * Every search, read, export, refs, graph and stats request of a closed
//!   archive, and every sign-in, failed sign-in and sign-out, is written to the
//!   archive's hash-chained audit log ([`audit`]); an open archive keeps no log
//!   (its readers have no names), like the CLI.
//!
//! Browser sessions and CSRF are in [`session`] and [`csrf`]. Every response
//! carries [`CSP`], `X-Frame-Options: DENY` and `Referrer-Policy: no-referrer`
//! (set in [`crate::router`]), and a signed-in user's responses
//! `Cache-Control: no-store` unless the handler chose otherwise.

pub mod csrf;
pub mod limit;
pub mod session;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cablescope_archive::audit::{AuditEntry, AuditLog, ANONYMOUS};
use cablescope_archive::users::{AccessError, AuthError, UserStatus, Users};
use cablescope_archive::{Role, User};

use crate::error::ApiError;
use crate::state::{AppState, Standing, Viewer};
use limit::{ClientKey, FailureLimiter};
use session::{SessionInfo, Sessions, SESSION_COOKIE};

/// The Content-Security-Policy of every response: only this server's own scripts,
/// styles and images (and `data:` images), no plugins, no `<base>`, no framing,
/// forms post only here.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The `WWW-Authenticate` challenge of a request without credentials.
const CHALLENGE: &str = "Bearer realm=\"cablescope\"";

/// The challenge of a request whose token was refused.
const CHALLENGE_INVALID: &str = "Bearer realm=\"cablescope\", error=\"invalid_token\"";

/// Most read handles on `access.db` kept for reuse.
const MAX_IDLE_USERS: usize = 8;

/// Users, sessions, failure counts and the audit log of one served archive.
pub struct Auth {
    dir: PathBuf,
    /// Latched once the archive is seen with users: it never opens again (users
    /// are revoked, never deleted; a deleted `access.db` must not open it).
    closed: AtomicBool,
    /// Idle connections to `access.db` (a connection is `Send`, not `Sync`).
    users: Mutex<Vec<Users>>,
    sessions: Mutex<Sessions>,
    limiter: Mutex<FailureLimiter>,
    /// The audit log, opened on first write; one writer at a time.
    audit: Mutex<Option<AuditLog>>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("dir", &self.dir)
            .field("closed", &self.closed.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A refused sign-in (form or Bearer).
#[derive(Debug)]
pub enum SignInError {
    /// Too many failures from this address: retry after this long.
    Limited(Duration),
    /// The token was refused (missing, malformed, unknown, expired, revoked).
    Refused(AuthError),
    /// The access database could not be read, or no randomness for a session.
    Internal(String),
}

impl Auth {
    /// The access state of the archive in `dir` (nothing is opened yet).
    pub fn new(dir: &Path) -> Auth {
        Auth {
            dir: dir.to_path_buf(),
            closed: AtomicBool::new(false),
            users: Mutex::new(Vec::new()),
            sessions: Mutex::new(Sessions::default()),
            limiter: Mutex::new(FailureLimiter::default()),
            audit: Mutex::new(None),
        }
    }

    /// Runs `f` with a connection to `access.db` (blocking: call it on a blocking
    /// thread). Creates `access.db` when absent.
    pub fn with_users<T>(&self, f: impl FnOnce(&Users) -> T) -> Result<T, AccessError> {
        let idle = lock(&self.users).pop();
        let users = match idle {
            Some(u) => u,
            None => Users::open(&self.dir)?,
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
        if self.closed.load(Ordering::Acquire) {
            return Ok(true);
        }
        if !cablescope_archive::access_db::exists(&self.dir) {
            return Ok(false);
        }
        let closed = self.with_users(|u| u.has_users())??;
        if closed {
            self.closed.store(true, Ordering::Release);
        }
        Ok(closed)
    }

    /// The user `token` belongs to (blocking), with the failure limit for `who`
    /// applied and failures counted and audited.
    pub fn authenticate_blocking(
        &self,
        token: &str,
        who: &ClientKey,
        how: &str,
    ) -> Result<User, SignInError> {
        if let Err(wait) = lock(&self.limiter).check(who, Instant::now()) {
            return Err(SignInError::Limited(wait));
        }
        let result = self
            .with_users(|u| u.authenticate(token))
            .map_err(|e| SignInError::Internal(e.to_string()))?;
        match result {
            Ok(user) => Ok(user),
            Err(AuthError::Store(e)) => Err(SignInError::Internal(e.to_string())),
            Err(e) => {
                lock(&self.limiter).fail(who, Instant::now());
                // A trace of the attempt; the refusal stands even when it cannot
                // be written.
                let entry = AuditEntry::new(
                    ANONYMOUS,
                    "login_failed",
                    &format!("{how} from {}: {e}", who.as_str()),
                );
                if let Err(err) = self.record(&entry) {
                    eprintln!("cablescope-server: cannot write the audit log: {err}");
                }
                Err(SignInError::Refused(e))
            }
        }
    }

    /// Opens the audit log when the archive is closed (blocking): an export
    /// checks this before it streams, since its entry is written at the end.
    pub fn log_ready_blocking(&self) -> Result<(), AccessError> {
        if !self.is_closed_blocking()? {
            return Ok(());
        }
        let mut log = lock(&self.audit);
        if log.is_none() {
            *log = Some(AuditLog::open(&self.dir)?);
        }
        Ok(())
    }

    /// Appends `entry` to the audit log (blocking).
    pub fn record(&self, entry: &AuditEntry) -> Result<u64, AccessError> {
        let mut log = lock(&self.audit);
        if log.is_none() {
            *log = Some(AuditLog::open(&self.dir)?);
        }
        match log.as_ref() {
            Some(l) => l.record(entry),
            None => unreachable!("opened above"),
        }
    }

    /// The user of session `id` when it is alive and its user may still read
    /// (blocking): not revoked, not expired, and still holding the token the
    /// session was opened with. A dead session is ended.
    pub fn session_blocking(&self, id: &str) -> Result<Option<(User, SessionInfo)>, AccessError> {
        let Some(info) = lock(&self.sessions).touch(id, Instant::now()) else {
            return Ok(None);
        };
        let user = self.with_users(|u| u.get(&info.user))??;
        match user {
            Some(u) if u.status() == UserStatus::Active && u.token_id == info.token_id => {
                Ok(Some((u, info)))
            }
            _ => {
                lock(&self.sessions).remove(id);
                Ok(None)
            }
        }
    }

    /// Opens a session for `user`; returns its id and CSRF token.
    pub fn open_session(&self, user: &User) -> Result<(String, String), getrandom::Error> {
        lock(&self.sessions).create(&user.name, &user.token_id, Instant::now())
    }

    /// Ends session `id`; true when it was alive.
    pub fn end_session(&self, id: &str) -> bool {
        lock(&self.sessions).remove(id)
    }

    /// The live session `id`, without checking its user (for sign-out).
    pub fn session_info(&self, id: &str) -> Option<SessionInfo> {
        lock(&self.sessions).touch(id, Instant::now())
    }
}

/// [`Auth::is_closed_blocking`] on a blocking thread.
pub async fn is_closed(state: &AppState) -> Result<bool, ApiError> {
    if state.auth().closed.load(Ordering::Acquire) {
        return Ok(true);
    }
    let st = state.clone();
    tokio::task::spawn_blocking(move || st.auth().is_closed_blocking())
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
}

/// Checks `token` for a sign-in from `who` (`how`: `web sign-in`, `bearer token`)
/// on a blocking thread.
pub async fn sign_in(
    state: &AppState,
    token: String,
    who: &ClientKey,
    how: &'static str,
) -> Result<User, SignInError> {
    let st = state.clone();
    let who = who.clone();
    tokio::task::spawn_blocking(move || st.auth().authenticate_blocking(&token, &who, how))
        .await
        .map_err(|e| SignInError::Internal(e.to_string()))?
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
        format!("too many failed sign-ins from this address; retry in {secs} s"),
    );
    with_header(e.into_response(), header::RETRY_AFTER, &secs.to_string())
}

fn sign_in_failure(e: SignInError) -> Response {
    match e {
        SignInError::Limited(wait) => too_many(wait),
        SignInError::Refused(e) => refused_token(&e),
        SignInError::Internal(m) => ApiError::internal(m).into_response(),
    }
}

/// The token of an `Authorization` header: `Bearer TOKEN` (scheme in any case).
/// Anything else (another scheme, several words, not text) is `None`.
fn bearer(value: &HeaderValue) -> Option<String> {
    let v = value.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && !token.contains(' '))
        .then(|| token.to_string())
}

/// The `303` to the sign-in page, coming back to `uri` afterwards; a stale
/// session cookie is deleted on the way.
fn to_login(uri: &Uri, clear: Option<HeaderValue>) -> Response {
    let back = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let next: String = form_urlencoded::byte_serialize(back.as_bytes()).collect();
    let mut r = (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("/login?next={next}"))],
    )
        .into_response();
    if let Some(c) = clear {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    r
}

/// Decides who is asking (see the module documentation).
async fn identify(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    class: Class,
    who: &ClientKey,
) -> Result<Viewer, Response> {
    if !is_closed(state)
        .await
        .map_err(IntoResponse::into_response)?
    {
        return Ok(Viewer::anonymous());
    }
    if class != Class::Free {
        if let Some(h) = headers.get(header::AUTHORIZATION) {
            // A header that is not `Bearer TOKEN` is refused (and counted) like a
            // wrong token: the archive's check calls "-" malformed.
            let token = bearer(h).unwrap_or_else(|| "-".to_string());
            return match sign_in(state, token, who, "bearer token").await {
                Ok(user) => Ok(Viewer::user(&user, Standing::Token, None)),
                Err(e) => Err(sign_in_failure(e)),
            };
        }
    }
    let mut stale = false;
    if let Some(id) = session::cookie(headers, SESSION_COOKIE) {
        let id = id.to_string();
        let st = state.clone();
        let found = tokio::task::spawn_blocking(move || st.auth().session_blocking(&id))
            .await
            .map_err(|e| ApiError::internal(e).into_response())?
            .map_err(|e| ApiError::internal(e).into_response())?;
        if let Some((user, info)) = found {
            return Ok(Viewer::user(&user, Standing::Session, Some(info.csrf)));
        }
        stale = true;
    }
    match class {
        Class::Free => Ok(Viewer::signed_out()),
        Class::Api => Err(missing_credentials()),
        Class::Page => {
            let secure = session::is_secure(headers, uri);
            let clear = stale.then(|| session::clear_cookie(SESSION_COOKIE, "/", secure));
            Err(to_login(uri, clear))
        }
    }
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// `403 csrf`.
pub fn csrf_refused(why: &str) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "csrf", why.to_string())
}

/// The authentication layer: decides the [`Viewer`] of every request and leaves
/// it in the request for the handlers, or answers 401, 429 or a redirect itself.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let who = ClientKey::of(peer);
    req.extensions_mut().insert(Client(who.clone()));
    let class = classify(req.uri().path());
    let viewer = if state.config().public {
        Viewer::public()
    } else if req.uri().path().starts_with("/assets/") {
        // The same files for everyone: no need to look anyone up.
        Viewer::signed_out()
    } else {
        match identify(&state, req.headers(), req.uri(), class, &who).await {
            Ok(v) => v,
            Err(r) => return r,
        }
    }
    .at(state.config().as_of);

    // A browser's cookie rides along on any request to this site: a change made
    // through the API with a session must prove it comes from our own pages.
    // (Bearer requests need no such proof: a browser never adds the header itself.)
    if viewer.standing == Standing::Session && !is_safe(req.method()) && class == Class::Api {
        if csrf::origin(req.headers()) == csrf::Origin::Cross {
            return csrf_refused("cross-origin request refused").into_response();
        }
        let given = req
            .headers()
            .get(csrf::HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !csrf::tokens_match(viewer.csrf.as_deref().unwrap_or(""), given) {
            return csrf_refused(
                "a change made with a session cookie needs the X-CSRF-Token header (or use a Bearer token)",
            )
            .into_response();
        }
    }

    let signed_in = viewer.signed_in();
    req.extensions_mut().insert(viewer);
    let mut resp = next.run(req).await;
    if signed_in {
        // What a signed-in user reads is for them alone: no shared cache keeps it.
        resp.headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    resp
}

/// `403` unless `viewer` may do `what`, which needs `needed`: always refused on a
/// `--public` server (`read_only`) and on an open archive (nobody to check).
pub fn require(
    state: &AppState,
    viewer: &Viewer,
    needed: Role,
    what: &str,
) -> Result<(), ApiError> {
    if state.config().public {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "read_only",
            format!("this server is public and read-only (--public): {what} is off"),
        ));
    }
    if viewer.has_role(needed) {
        return Ok(());
    }
    let a = |r: Role| if r == Role::Admin { "an" } else { "a" };
    let message = match (viewer.standing, viewer.role) {
        (Standing::Open, _) => format!(
            "{what} needs {} {needed}'s token, and this archive has no users (add them with `cablescope users add`)",
            a(needed)
        ),
        (_, Some(role)) => format!("{what} needs the {needed} role; you are {} {role}", a(role)),
        (_, None) => format!("{what} needs the {needed} role"),
    };
    Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", message))
}

/// Writes an audit entry for a read by `viewer` (blocking: call it on a blocking
/// thread, such as inside [`AppState::read`]). `action` is `search`, `read`,
/// `export`, `refs`, `graph`, `stats`, ...; `what` the query or the cable id;
/// `results` how many results were shown; `withheld` what the reader's clearance
/// held back (`cablescope_archive::access::withheld_list`). Nothing is written on
/// an open archive. An error means the read must not be shown.
pub fn audit_blocking(
    state: &AppState,
    viewer: &Viewer,
    action: &str,
    what: &str,
    results: u64,
    withheld: Vec<String>,
) -> cablescope_archive::Result<()> {
    let fail = |e: AccessError| {
        cablescope_archive::Error::Other(format!("cannot write the audit log: {e}"))
    };
    if !state.auth().is_closed_blocking().map_err(fail)? {
        return Ok(());
    }
    let what = match viewer.as_of {
        Some(d) => format!("{what} (as of {d})"),
        None => what.to_string(),
    };
    let mut e = AuditEntry::for_viewer(&viewer.archive_viewer(), action, &what);
    e.results = results;
    e.withheld = withheld;
    state.auth().record(&e).map_err(fail)?;
    Ok(())
}

/// [`audit_blocking`] from async code: the write runs on a blocking thread, and
/// the request waits for it (a read that cannot be recorded is not shown).
pub async fn audit(
    state: &AppState,
    viewer: &Viewer,
    action: &str,
    what: &str,
    results: u64,
    withheld: Vec<String>,
) -> Result<(), ApiError> {
    let (st, v, action, what) = (
        state.clone(),
        viewer.clone(),
        action.to_string(),
        what.to_string(),
    );
    tokio::task::spawn_blocking(move || audit_blocking(&st, &v, &action, &what, results, withheld))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::from)
}

/// Records a sign-in event (`login`, `logout`) of `viewer` (blocking); failures
/// are reported on standard error but do not undo the event.
pub fn audit_event(
    state: &AppState,
    viewer: &cablescope_archive::Viewer,
    action: &str,
    what: &str,
) {
    let e = AuditEntry::for_viewer(viewer, action, what);
    if let Err(err) = state.auth().record(&e) {
        eprintln!("cablescope-server: cannot write the audit log: {err}");
    }
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
