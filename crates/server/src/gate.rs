//! The authentication layer: decides, once per request, who is asking (the
//! [`Viewer`] every handler takes), answers 401, 429 or a redirect to the sign-in
//! page itself, checks CSRF on session changes, and refuses role violations
//! ([`require`]). The rules are in [`crate::auth`], which holds the state this
//! layer applies (users, sessions, failure counts, the audit sink).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cablescope_access::audit::AuditEntry;
use cablescope_access::{Role, User};

use crate::auth::limit::ClientKey;
use crate::auth::session::{self, SESSION_COOKIE};
use crate::auth::{
    bearer, classify, csrf, csrf_refused, missing_credentials, sign_in_failure, Class, Client,
    SignInError,
};
use crate::error::ApiError;
use crate::logging::RequestIdentity;
use crate::state::AppState;
use crate::viewer::{Standing, Viewer};

/// [`Auth::is_closed_blocking`] on a blocking thread.
pub async fn is_closed(state: &AppState) -> Result<bool, ApiError> {
    if state.auth().known_closed() {
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

/// The authentication layer: decides the [`Viewer`] of every request and leaves
/// it in the request for the handlers, or answers 401, 429 or a redirect itself.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    // Behind a trusted proxy, the client it names (`serve --trusted-proxy`).
    let peer = peer.map(|ip| state.config().trusted_proxies.client(ip, req.headers()));
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
    let identity = RequestIdentity {
        user: viewer.user.clone(),
        client: who.as_str().to_string(),
    };
    req.extensions_mut().insert(viewer);
    let mut resp = next.run(req).await;
    resp.extensions_mut().insert(identity);
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

/// Records a sign-in event (`login`, `logout`) of `viewer` (blocking); failures
/// are reported on standard error but do not undo the event.
pub fn audit_event(state: &AppState, viewer: &cablescope_access::Viewer, action: &str, what: &str) {
    let e = AuditEntry::for_viewer(viewer, action, what);
    if let Err(err) = state.auth().record(&e) {
        tracing::error!(error = %err, "cannot write the audit log");
    }
}
