//! The JSON API under `/api` (and `/healthz`, `/metrics`), documented at
//! `/api/openapi.json` and browsable at `/api/docs`.
//!
//! | route | what |
//! |---|---|
//! | `GET /api/search?q=&sort=&limit=&cursor=` | a page of hits, facets, the next cursor |
//! | `GET /api/facets?q=` | facet counts of a query |
//! | `GET /api/timeline?q=` | matches per month |
//! | `GET /api/cables/{id}` | one cable: record and text |
//! | `GET /api/cables/{id}/refs?direction=&depth=` | its reference neighbourhood |
//! | `GET /api/graph/{id}?depth=&direction=&format=` | the same as a graph file |
//! | `GET /api/export?q=&format=&sort=` | every match, streamed |
//! | `GET /api/stats?missing=` | counts by year, origin, classification |
//! | `POST /api/ingest?name=FILE` | curators: upload a file of cables and ingest it |
//! | `GET /api/users`, `POST /api/users` | admins: list users, add one (its token in the answer) |
//! | `POST /api/users/{name}/revoke`, `.../rotate` | admins: revoke a user, give them a new token |
//! | `GET /healthz`, `GET /metrics` | health, Prometheus metrics (admins, on a closed archive) |
//!
//! Every handler takes the [`Viewer`](crate::Viewer) and reads through the
//! viewer's session (`cablescope_access::Session`: redacted, audited); who the
//! viewer is, and what each role may do, is decided in [`crate::gate`]. Errors are
//! JSON ([`crate::error::ApiError`]).

pub mod cables;
pub mod docs;
pub mod export;
pub mod graph;
pub mod health;
pub mod ingest;
pub mod search;
pub mod stats;
pub mod types;
pub mod users;

use std::collections::BTreeMap;

use axum::extract::{FromRequest, FromRequestParts, OriginalUri, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::{any, get, post, MethodRouter};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::AppState;

/// The documented endpoints: (method, path template, handler). The router is
/// built from this table, and a test checks it against the OpenAPI document.
fn endpoints() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    vec![
        ("get", "/api/search", get(search::search)),
        ("get", "/api/facets", get(search::facets)),
        ("get", "/api/timeline", get(search::timeline)),
        ("get", "/api/cables/{id}", get(cables::cable)),
        ("get", "/api/cables/{id}/refs", get(cables::refs)),
        ("get", "/api/graph/{id}", get(graph::graph)),
        ("get", "/api/export", get(export::export)),
        ("get", "/api/stats", get(stats::stats)),
        ("post", ingest::PATH, post(ingest::ingest)),
        ("get", "/api/users", get(users::list)),
        ("post", "/api/users", post(users::add)),
        ("post", "/api/users/{name}/revoke", post(users::revoke)),
        ("post", "/api/users/{name}/rotate", post(users::rotate)),
        ("get", "/api/openapi.json", get(docs::openapi_json)),
        ("get", "/healthz", get(health::healthz)),
        ("get", "/metrics", get(health::metrics)),
    ]
}

/// The (method, path template) of every documented endpoint, as routed.
pub fn route_table() -> Vec<(&'static str, &'static str)> {
    endpoints().into_iter().map(|(m, p, _)| (m, p)).collect()
}

/// The routes of `endpoints()` whose path is (`uploads`) or is not `ingest::PATH`,
/// one method router per path, answering other methods with a JSON 405.
fn routes(uploads: bool) -> axum::Router<AppState> {
    let mut by_path: BTreeMap<&'static str, (MethodRouter<AppState>, Vec<String>)> =
        BTreeMap::new();
    for (method, path, handler) in endpoints() {
        if (path == ingest::PATH) != uploads {
            continue;
        }
        match by_path.remove(path) {
            Some((mr, mut methods)) => {
                methods.push(method.to_uppercase());
                by_path.insert(path, (mr.merge(handler), methods));
            }
            None => {
                by_path.insert(path, (handler, vec![method.to_uppercase()]));
            }
        }
    }
    let mut r = axum::Router::new();
    for (path, (handler, methods)) in by_path {
        let allowed = methods.join(" or ");
        r = r.route(
            path,
            handler.fallback(move |method, uri| method_not_allowed(method, uri, allowed.clone())),
        );
    }
    r
}

/// The API routes (but the upload), the interactive documentation at
/// `/api/docs`, and a JSON 404 for every other path under `/api`.
pub fn router() -> axum::Router<AppState> {
    routes(false)
        .route("/api", any(no_route))
        .route("/api/", any(no_route))
        .route("/api/{*rest}", any(no_route))
        .merge(docs::swagger_ui())
}

/// The upload route, `POST /api/ingest` (it gets its own body limit).
pub fn upload_router() -> axum::Router<AppState> {
    routes(true)
}

async fn no_route(OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_route",
        format!(
            "no API route {}; the routes are listed at /api/docs",
            uri.path()
        ),
    )
}

async fn method_not_allowed(
    method: axum::http::Method,
    OriginalUri(uri): OriginalUri,
    allowed: String,
) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} does not answer {method}; use {allowed}", uri.path()),
    )
}

/// `axum::extract::Query` with JSON errors (`400 bad_parameter`).
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e| ApiError::bad_parameter(e.body_text()))
    }
}

/// `axum::Json` with JSON errors (`400 bad_body`, `415` without a JSON content
/// type).
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        use axum::extract::rejection::JsonRejection;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(j) => Ok(ApiJson(j.0)),
            Err(JsonRejection::MissingJsonContentType(e)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                e.body_text(),
            )),
            Err(e) => Err(ApiError::bad_request("bad_body", e.body_text())),
        }
    }
}

/// `axum::extract::Path` with JSON errors (`400 bad_path`, e.g. for a path that
/// is not valid UTF-8 once percent-decoded).
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e| ApiError::bad_request("bad_path", e.body_text()))
    }
}

/// The query `q` of a request: `*` (every cable) when absent or blank; `400
/// query_too_long` past the server's limit; `400 bad_query` (with the position)
/// when it does not parse.
pub fn query_param(
    q: Option<&str>,
    state: &AppState,
) -> Result<(String, cablescope_access::query::Query), ApiError> {
    let q = match q.map(str::trim) {
        None | Some("") => "*",
        Some(q) => q,
    };
    let max = state.limits().max_query_chars;
    let n = q.chars().count();
    if n > max {
        return Err(ApiError::bad_request(
            "query_too_long",
            format!("the query is {n} characters long; the limit is {max}"),
        ));
    }
    let parsed = cablescope_access::query::parse(q)?;
    Ok((q.to_string(), parsed))
}

/// Parses an integer parameter within `min..=max`.
pub fn int_param(
    name: &str,
    value: Option<&str>,
    default: u32,
    min: u32,
    max: u32,
) -> Result<u32, ApiError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(default);
    };
    match v.parse::<u64>() {
        Ok(n) if n >= u64::from(min) && n <= u64::from(max) => Ok(n as u32),
        _ => Err(ApiError::bad_parameter(format!(
            "{name} must be a whole number from {min} to {max}, not {v:?}"
        ))),
    }
}

/// Parses `sort`: `relevance`, `date` (oldest first) or `-date` (newest first).
pub fn sort_param(
    value: Option<&str>,
    default: cablescope_access::Sort,
) -> Result<cablescope_access::Sort, ApiError> {
    use cablescope_access::Sort;
    match value.map(str::trim) {
        None | Some("") => Ok(default),
        Some("relevance") => Ok(Sort::Relevance),
        Some("date") => Ok(Sort::Date),
        Some("-date") => Ok(Sort::DateDesc),
        Some(other) => Err(ApiError::bad_parameter(format!(
            "sort must be relevance, date or -date, not {other:?}"
        ))),
    }
}

/// Parses a yes/no parameter: `true`/`false` (or `1`/`0`, `yes`/`no`).
pub fn bool_param(name: &str, value: Option<&str>, default: bool) -> Result<bool, ApiError> {
    match value.map(str::trim) {
        None | Some("") => Ok(default),
        Some("true" | "1" | "yes") => Ok(true),
        Some("false" | "0" | "no") => Ok(false),
        Some(other) => Err(ApiError::bad_parameter(format!(
            "{name} must be true or false, not {other:?}"
        ))),
    }
}

/// Parses `facets`: facet names separated by commas, or `all` (the facets in
/// `all`); empty or absent: none.
pub fn facets_param(
    value: Option<&str>,
    all: &[cablescope_access::Facet],
) -> Result<cablescope_access::FacetSet, ApiError> {
    use cablescope_access::{Facet, FacetSet};
    let mut set = FacetSet::NONE;
    for name in value.unwrap_or("").split(',').map(str::trim) {
        match name {
            "" => {}
            "all" => set = FacetSet::of(all).iter().fold(set, FacetSet::with),
            _ => match Facet::from_name(name) {
                Some(f) => set = set.with(f),
                None => {
                    let names: Vec<&str> = Facet::ALL.iter().map(|f| f.name()).collect();
                    return Err(ApiError::bad_parameter(format!(
                        "facets must be `all` or names among {} separated by commas, not {name:?}",
                        names.join(", ")
                    )));
                }
            },
        }
    }
    Ok(set)
}

/// Parses `direction`: `cites`, `cited-by` or `both`.
pub fn direction_param(value: Option<&str>) -> Result<cablescope_access::Direction, ApiError> {
    use cablescope_access::Direction;
    match value.map(str::trim) {
        None | Some("") | Some("both") => Ok(Direction::Both),
        Some("cites") => Ok(Direction::Cites),
        Some("cited-by") | Some("cited_by") => Ok(Direction::CitedBy),
        Some(other) => Err(ApiError::bad_parameter(format!(
            "direction must be cites, cited-by or both, not {other:?}"
        ))),
    }
}
