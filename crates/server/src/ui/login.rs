//! Signing in and out of the web UI: `GET /login` (the form), `POST /login` and
//! `POST /logout`.
//!
//! Signing in takes the user's token (the one `cablescope users add` printed) and
//! opens a server-side session; the browser keeps only the session's random id, in
//! an `HttpOnly; SameSite=Strict; Path=/` cookie, `Secure` when the request came
//! over TLS (see [`crate::auth::session`]). Both forms are protected against
//! cross-site forgery ([`crate::auth::csrf`]): a request from another origin is
//! refused, and the form must carry its CSRF token (the session's for sign-out,
//! the sign-in form's own cookie for sign-in). Failed sign-ins count towards the
//! sign-in limits, like refused Bearer tokens (`429` with `Retry-After`), and
//! every sign-in, failure and sign-out is written to the audit log.

use std::time::Duration;

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Extension, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;

use crate::auth::csrf::{self, Origin};
use crate::auth::session::{self, LOGIN_COOKIE, SESSION_COOKIE};
use crate::auth::{Client, SignInError};
use crate::state::AppState;
use crate::ui::layout::{self, Page};
use crate::viewer::{Standing, Viewer};

/// How long the sign-in form's CSRF cookie lives.
const FORM_LIFETIME: Duration = Duration::from_secs(3600);

/// Longest `next` address kept.
const MAX_NEXT: usize = 2000;

/// The query of `GET /login`.
#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    /// Where to go once signed in (a path on this site).
    pub next: Option<String>,
}

/// The sign-in form.
#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    /// The user's token.
    pub token: Option<String>,
    /// The form's CSRF token.
    pub csrf: Option<String>,
    /// Where to go once signed in.
    pub next: Option<String>,
}

/// The sign-out form.
#[derive(Debug, Default, Deserialize)]
pub struct LogoutForm {
    /// The session's CSRF token.
    pub csrf: Option<String>,
}

/// `next` when it is a path on this site (not another site: `//host`, `/\host`,
/// a scheme), not the sign-in pages themselves; else `/`.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(n) = next.map(str::trim) else {
        return "/".into();
    };
    let ok = n.starts_with('/')
        && !n.starts_with("//")
        && n.len() <= MAX_NEXT
        && n.bytes().all(|b| (0x21..0x7f).contains(&b) && b != b'\\')
        && !(n == "/login" || n.starts_with("/login?") || n.starts_with("/logout"));
    if ok {
        n.to_string()
    } else {
        "/".into()
    }
}

fn see_other(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn message(status: StatusCode, viewer: &Viewer, heading: &str, body: Markup) -> Response {
    let page = Page::new(heading, viewer);
    (status, layout::message_page(&page, heading, body)).into_response()
}

fn forbidden(viewer: &Viewer, why: &str) -> Response {
    message(
        StatusCode::FORBIDDEN,
        viewer,
        "Request refused",
        html! {
            p { (why) }
            p { a href="/login" { "Go to the sign-in page" } }
        },
    )
}

/// The sign-in form's CSRF value: the browser's current one when it has a
/// well-formed one (several tabs may hold the form), else a new one.
fn form_token(headers: &HeaderMap) -> Result<String, cablescope_access::users::AccessError> {
    match session::cookie(headers, LOGIN_COOKIE) {
        Some(v) if session::well_formed(v) => Ok(v.to_string()),
        _ => session::random_hex(),
    }
}

/// The sign-in page with its form, `error` above it, and the form's cookie set.
fn form_page(
    status: StatusCode,
    viewer: &Viewer,
    headers: &HeaderMap,
    uri: &Uri,
    next: &str,
    error: Option<&str>,
) -> Response {
    let token = match form_token(headers) {
        Ok(t) => t,
        Err(e) => return crate::error::ApiError::internal(e).into_response(),
    };
    let mut page = Page::new("Sign in", viewer);
    page.header_search = false;
    let body = html! {
        div.login-page {
            h1 { "Sign in" }
            p {
                "This archive is open to its users only. Sign in with the token you were given "
                "(it starts with " code { "cst_" } "); your clearance decides what you can read."
            }
            @if let Some(e) = error {
                p.form-error role="alert" { (e) }
            }
            form.login-form method="post" action="/login" {
                input type="hidden" name=(csrf::FIELD) value=(token);
                input type="hidden" name="next" value=(next);
                label for="token" { "Token" }
                input #token type="password" name="token" required
                    autocomplete="off" spellcheck="false" autocapitalize="off"
                    autofocus[error.is_none()];
                button type="submit" { "Sign in" }
            }
            p.login-help {
                "Programs use the same token in a header: "
                code { "Authorization: Bearer TOKEN" }
                " (see the " a href="/api/docs" { "API documentation" } ")."
            }
        }
    };
    let mut r = (status, layout::page(&page, body)).into_response();
    let secure = session::is_secure(headers, uri);
    r.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(LOGIN_COOKIE, &token, "/login", FORM_LIFETIME, secure),
    );
    r
}

/// `GET /login`: the form; or, when there is nothing to sign in to or the
/// browser is signed in already, a page that says so.
pub async fn page(
    viewer: Viewer,
    headers: HeaderMap,
    uri: Uri,
    query: Result<Query<LoginQuery>, QueryRejection>,
) -> Response {
    let next = safe_next(query.as_ref().ok().and_then(|q| q.next.as_deref()));
    match viewer.standing {
        Standing::Public => message(
            StatusCode::OK,
            &viewer,
            "Nothing to sign in to",
            html! {
                p { "This server is public: everyone reads everything, and nobody signs in." }
                p { a href=(next) { "Continue" } }
            },
        ),
        Standing::Open => message(
            StatusCode::OK,
            &viewer,
            "Nothing to sign in to",
            html! {
                p {
                    "This archive has no users: everyone reads everything without signing in. "
                    "Its administrator adds users with " code { "cablescope users add" } "."
                }
                p { a href=(next) { "Continue" } }
            },
        ),
        Standing::Session | Standing::Token => message(
            StatusCode::OK,
            &viewer,
            "Signed in",
            html! {
                p {
                    "You are signed in as " strong { (viewer.user.as_deref().unwrap_or("")) }
                    ", cleared for " (layout::clearance_words(&viewer)) "."
                }
                p { a href=(next) { "Continue" } }
            },
        ),
        Standing::SignedOut => form_page(StatusCode::OK, &viewer, &headers, &uri, &next, None),
    }
}

/// `POST /login`: checks the origin, the form's CSRF token, the address's
/// failure count and the token; on success opens a session and goes to `next`.
pub async fn sign_in(
    State(state): State<AppState>,
    viewer: Viewer,
    Extension(Client(who)): Extension<Client>,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    match viewer.standing {
        Standing::Public => {
            return forbidden(&viewer, "This server is public: nobody signs in.");
        }
        Standing::Open => return see_other("/"),
        _ => {}
    }
    if csrf::origin(&headers) == Origin::Cross {
        return forbidden(&viewer, "A sign-in from another site was refused.");
    }
    let Ok(Form(form)) = form else {
        return message(
            StatusCode::BAD_REQUEST,
            &viewer,
            "Bad request",
            html! { p { "The sign-in form was not understood. " a href="/login" { "Try again" } "." } },
        );
    };
    let expected = session::cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if !csrf::tokens_match(expected, form.csrf.as_deref().unwrap_or("")) {
        return forbidden(
            &viewer,
            "The sign-in form has expired or did not come from this site. Load the sign-in page again and retry.",
        );
    }
    let next = safe_next(form.next.as_deref());
    let token = form.token.unwrap_or_default();
    let user = match crate::gate::sign_in(&state, token, &who, "web sign-in").await {
        Ok(u) => u,
        Err(SignInError::Limited(wait)) => {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let mut r = message(
                StatusCode::TOO_MANY_REQUESTS,
                &viewer,
                "Too many attempts",
                html! {
                    p { "Too many failed sign-ins. Try again in " (secs) " seconds." }
                },
            );
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return r;
        }
        Err(SignInError::Refused(e)) => {
            let mut r = form_page(
                StatusCode::UNAUTHORIZED,
                &viewer,
                &headers,
                &uri,
                &next,
                Some(&format!("That token was not accepted ({e}).")),
            );
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"cablescope\", error=\"invalid_token\""),
            );
            return r;
        }
        Err(SignInError::Internal(m)) => {
            return crate::error::ApiError::internal(m).into_response();
        }
    };
    let st = state.clone();
    let old = session::cookie(&headers, SESSION_COOKIE).map(str::to_string);
    let opened = tokio::task::spawn_blocking(move || {
        // A browser signing in again leaves its old session behind: end it.
        if let Some(old) = old {
            st.auth().end_session_blocking(&old)?;
        }
        st.auth().open_session_blocking(&user).map(|s| (s, user))
    })
    .await;
    let ((id, _csrf), user) = match opened {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return crate::error::ApiError::internal(e).into_response(),
        Err(e) => return crate::error::ApiError::internal(e).into_response(),
    };
    let st = state.clone();
    let what = format!("web sign-in from {}", who.as_str());
    let v = cablescope_access::Viewer::from_user(&user);
    let _ = tokio::task::spawn_blocking(move || crate::gate::audit_event(&st, &v, "login", &what))
        .await;

    let secure = session::is_secure(&headers, &uri);
    let mut r = see_other(&next);
    r.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(SESSION_COOKIE, &id, "/", session::ABSOLUTE, secure),
    );
    r.headers_mut().append(
        header::SET_COOKIE,
        session::clear_cookie(LOGIN_COOKIE, "/login", secure),
    );
    r
}

/// `POST /logout`: ends the browser's session (with the session's CSRF token in
/// the form) and goes to the sign-in page.
pub async fn sign_out(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Response {
    if matches!(viewer.standing, Standing::Public | Standing::Open) {
        return see_other("/");
    }
    if csrf::origin(&headers) == Origin::Cross {
        return forbidden(&viewer, "A sign-out from another site was refused.");
    }
    let secure = session::is_secure(&headers, &uri);
    let clear = session::clear_cookie(SESSION_COOKIE, "/", secure);
    let Some(id) = session::cookie(&headers, SESSION_COOKIE) else {
        return see_other("/login");
    };
    let st = state.clone();
    let sid = id.to_string();
    let info =
        match tokio::task::spawn_blocking(move || st.auth().session_info_blocking(&sid)).await {
            Ok(Ok(info)) => info,
            Ok(Err(e)) => return crate::error::ApiError::internal(e).into_response(),
            Err(e) => return crate::error::ApiError::internal(e).into_response(),
        };
    let Some(info) = info else {
        // Nothing to end: forget the stale cookie.
        let mut r = see_other("/login");
        r.headers_mut().append(header::SET_COOKIE, clear);
        return r;
    };
    let given = form.ok().and_then(|Form(f)| f.csrf).unwrap_or_default();
    if !csrf::tokens_match(&info.csrf, &given) {
        return forbidden(
            &viewer,
            "The sign-out form did not carry this session's token. Use the Sign out button of a page of this site.",
        );
    }
    let st = state.clone();
    let v = viewer.access_viewer();
    let sid = id.to_string();
    let ended = tokio::task::spawn_blocking(move || {
        let ended = st.auth().end_session_blocking(&sid);
        crate::gate::audit_event(&st, &v, "logout", "web sign-out");
        ended
    })
    .await;
    match ended {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return crate::error::ApiError::internal(e).into_response(),
        Err(e) => return crate::error::ApiError::internal(e).into_response(),
    }
    let mut r = see_other("/login");
    r.headers_mut().append(header::SET_COOKIE, clear);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/search?q=x")), "/search?q=x");
        assert_eq!(safe_next(Some("/cables/08X1")), "/cables/08X1");
        for bad in [
            None,
            Some("https://evil.example/"),
            Some("//evil.example/"),
            Some("/\\evil.example"),
            Some("evil"),
            Some("/login"),
            Some("/login?next=/"),
            Some("/logout"),
            Some("/a\r\nSet-Cookie: x=1"),
            Some("/caf\u{e9}"),
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }
}
