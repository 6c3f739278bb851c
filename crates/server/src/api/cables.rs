//! `GET /api/cables/{id}` (one cable) and `GET /api/cables/{id}/refs` (its
//! reference neighbourhood). Ids may be written loosely: `08MOSCOW1599`,
//! `08 MOSCOW 1599`, `08 MOSCOW 01599`, or `MOSCOW 1599` when one cable has it.

use axum::extract::State;
use axum::Json;
use cablescope_access::{Hit, Lookup};
use serde::Deserialize;
use utoipa::IntoParams;

use super::types::{CableResponse, ErrorBody, RefEdge, RefNode, RefsResponse};
use super::{direction_param, int_param, ApiPath, ApiQuery};
use crate::error::{ApiError, ApiResult};
use crate::{AppState, Viewer};

/// Longest id accepted in a path (real ids are under 30 characters).
const MAX_ID_CHARS: usize = 200;

/// Deepest reference walk.
pub const MAX_DEPTH: u32 = 5;

/// `400 bad_path` for an id too long or blank to be one.
pub fn check_id(written: &str) -> ApiResult<()> {
    if written.chars().count() > MAX_ID_CHARS || written.trim().is_empty() {
        return Err(ApiError::bad_request(
            "bad_path",
            format!("a cable id has 1 to {MAX_ID_CHARS} characters"),
        ));
    }
    Ok(())
}

/// The answer to a lookup that found no single cable: `400 ambiguous_id` for an id
/// without a year naming several cables, `404` for none (an unknown id and a
/// cable the reader may not see answer alike).
pub fn not_one<T>(written: &str, found: Lookup<T>) -> ApiResult<T> {
    match found {
        Lookup::Found(t) => Ok(t),
        Lookup::Ambiguous { total, hits, .. } => Err(ambiguous(written, total, &hits)),
        Lookup::NotFound => Err(ApiError::not_found(format!(
            "no cable {written} in the archive"
        ))),
    }
}

fn ambiguous(written: &str, total: u64, hits: &[Hit]) -> ApiError {
    let example = hits.first().map(|h| h.id.as_str()).unwrap_or("");
    ApiError::bad_request(
        "ambiguous_id",
        format!("{written} names {total} cables; add the year (e.g. {example})"),
    )
}

/// One cable: its record (what the reader may read of it) and its text.
#[utoipa::path(
    get,
    path = "/api/cables/{id}",
    tag = "cables",
    params(("id" = String, Path, description = "Cable id, written loosely (`08MOSCOW1599`, `08 MOSCOW 1599`)")),
    responses(
        (status = 200, description = "The cable", body = CableResponse),
        (status = 400, description = "Id without a year naming several cables, or not valid UTF-8", body = ErrorBody),
        (status = 404, description = "No such cable", body = ErrorBody),
    )
)]
pub async fn cable(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(written): ApiPath<String>,
) -> ApiResult<Json<CableResponse>> {
    check_id(&written)?;
    let w = written.clone();
    let found = state.with_session(&viewer, move |s| s.cable(&w)).await?;
    let read = not_one(&written, found)?;
    // A cited cable the reader may not see is shown as missing.
    let text =
        cablescope_access::render::cable_text(&read.cable, &|rid| read.present.contains(rid));
    Ok(Json(CableResponse {
        id: read.id,
        record: read.cable,
        text,
    }))
}

/// Parameters of `/api/cables/{id}/refs`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RefsParams {
    /// `cites` (what the cable cites), `cited-by` (what cites it) or `both`
    /// (default).
    pub direction: Option<String>,
    /// Steps to walk, 1 to 5 (default 1).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 5)]
    pub depth: Option<String>,
}

/// The reference neighbourhood of a cable: the cables it cites and that cite it,
/// up to `depth` steps; cited cables not in the archive are `missing`.
#[utoipa::path(
    get,
    path = "/api/cables/{id}/refs",
    tag = "cables",
    params(
        ("id" = String, Path, description = "Cable id, written loosely"),
        RefsParams,
    ),
    responses(
        (status = 200, description = "Nodes and edges", body = RefsResponse),
        (status = 400, description = "Bad direction or depth", body = ErrorBody),
        (status = 404, description = "No such cable", body = ErrorBody),
    )
)]
pub async fn refs(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(written): ApiPath<String>,
    ApiQuery(p): ApiQuery<RefsParams>,
) -> ApiResult<Json<RefsResponse>> {
    let direction = direction_param(p.direction.as_deref())?;
    let depth = int_param("depth", p.depth.as_deref(), 1, 1, MAX_DEPTH)?;
    check_id(&written)?;
    let w = written.clone();
    let found = state
        .with_session(&viewer, move |s| s.refs(&w, direction, depth))
        .await?;
    let walk = not_one(&written, found)?;
    Ok(Json(RefsResponse {
        nodes: walk
            .nodes
            .iter()
            .map(|n| RefNode {
                id: n.id.clone(),
                missing: !n.present,
                depth: n.depth,
            })
            .collect(),
        edges: walk
            .edges
            .iter()
            .map(|e| RefEdge {
                from: e.from.clone(),
                to: e.to.clone(),
                label: e.label.clone(),
            })
            .collect(),
    }))
}
