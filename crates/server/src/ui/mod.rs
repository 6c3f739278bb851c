//! The web UI: server-rendered pages with light JavaScript.
//!
//! | route | page |
//! |---|---|
//! | `/`, `/search?q=&sort=&cursor=&limit=` | search: form, results, facets, timeline, paging ([`search`]) |
//! | `/cables/{id}` | one cable ([`cable`]); loose ids redirect (308) to the canonical one |
//! | `/cables/{id}/graph?depth=1..3` | its citation neighbourhood ([`graph`]) |
//! | `/overview` | charts of the archive ([`overview`]) |
//! | `/login` (GET, POST), `/logout` (POST) | signing in and out ([`login`]) |
//! | `/assets/{file}` | embedded CSS, JavaScript and icon, cached for a year ([`assets`]) |
//!
//! Pages are HTML rendered with maud (which escapes every value), built to work
//! without JavaScript (search is a GET form, facets and paging are links) and under a
//! strict Content-Security-Policy: no inline scripts, styles or event handlers. Every
//! handler takes the [`Viewer`] and every archive read goes through the viewer's
//! session (`cablescope_access::Session`, [`AppState::with_session`]): redacted
//! and audited there, so clearance applies to the UI exactly as to the API and the
//! CLI, the cable page's copies diff included.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use maud::{html, Markup};

use crate::viewer::Viewer;
use crate::AppState;

pub mod assets;
pub mod cable;
pub mod charts;
pub mod geo;
pub mod graph;
pub mod layout;
pub mod login;
pub mod overview;
pub mod search;
pub mod tags;
mod text;

/// The UI routes.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/", get(search::page))
        .route("/search", get(search::page))
        .route("/overview", get(overview::page))
        .route("/cables/{id}", get(cable::page))
        .route("/cables/{id}/graph", get(graph::page))
        .route("/login", get(login::page).post(login::sign_in))
        .route("/logout", post(login::sign_out))
        .route("/assets/{file}", get(assets::serve))
        // Any other path gets the HTML 404 page (the API answers its own paths
        // under `/api` with JSON, through its more specific catch-all).
        .route("/{*path}", any(not_found_page))
}

fn status_page(status: StatusCode, viewer: &Viewer, heading: &str, message: Markup) -> Response {
    let page = layout::Page::new(heading, viewer);
    (status, layout::message_page(&page, heading, message)).into_response()
}

/// A 404 page with `message`.
pub(crate) fn not_found(viewer: &Viewer, message: Markup) -> Response {
    status_page(StatusCode::NOT_FOUND, viewer, "Not found", message)
}

/// A 400 page explaining what is wrong with the request.
pub(crate) fn bad_request(viewer: &Viewer, message: &str) -> Response {
    status_page(
        StatusCode::BAD_REQUEST,
        viewer,
        "Bad request",
        html! { p { (message) } },
    )
}

/// A 500 page: the archive could not be read. The error is named (it says what
/// failed: a damaged record, a locked index) so that the operator can act on it.
pub(crate) fn internal_error(viewer: &Viewer, err: &cablescope_access::Error) -> Response {
    status_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        viewer,
        "Something went wrong",
        html! {
            p { "The archive could not be read. Try again in a moment." }
            p.error-detail { code { (err.to_string()) } }
        },
    )
}

/// The HTML 404 page for a path no route serves (outside `/api`).
pub async fn not_found_page(viewer: Viewer, uri: axum::http::Uri) -> Response {
    not_found(
        &viewer,
        html! {
            p { "There is no page at " code { (uri.path()) } "." }
        },
    )
}
