//! `GET /api/cables/{id}` (one cable) and `GET /api/cables/{id}/refs` (its
//! reference neighbourhood). Ids may be written loosely: `08MOSCOW1599`,
//! `08 MOSCOW 1599`, `08 MOSCOW 01599`, or `MOSCOW 1599` when one cable has it.

use axum::extract::State;
use axum::Json;
use cablescope_archive::access::{withheld_list, Resolved};
use cablescope_archive::{Access, Archive};
use serde::Deserialize;
use utoipa::IntoParams;

use super::types::{CableResponse, ErrorBody, RefEdge, RefNode, RefsResponse};
use super::{direction_param, int_param, ApiPath, ApiQuery};
use crate::auth::audit_blocking;
use crate::error::{ApiError, ApiResult};
use crate::{AppState, Viewer};

/// Longest id accepted in a path (real ids are under 30 characters).
const MAX_ID_CHARS: usize = 200;

/// Deepest reference walk.
pub const MAX_DEPTH: u32 = 5;

/// The canonical id of the cable `written` names for the reader, or the error to
/// answer: `400 ambiguous_id` for an id without a year naming several cables.
pub fn resolve(a: &Archive, written: &str, access: &Access) -> ApiResult<String> {
    if written.chars().count() > MAX_ID_CHARS || written.trim().is_empty() {
        return Err(ApiError::bad_request(
            "bad_path",
            format!("a cable id has 1 to {MAX_ID_CHARS} characters"),
        ));
    }
    match a.resolve_id_for(written, access)? {
        Resolved::Id(id) => Ok(id),
        Resolved::Ambiguous { total, example } => Err(ApiError::bad_request(
            "ambiguous_id",
            format!("{written} names {total} cables; add the year (e.g. {example})"),
        )),
    }
}

fn no_cable(written: &str) -> ApiError {
    ApiError::not_found(format!("no cable {written} in the archive"))
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
    let st = state.clone();
    let r = state
        .read(move |a| {
            let access = viewer.access(a)?;
            let id = match resolve(a, &written, &access) {
                Ok(id) => id,
                Err(e) => return Ok(Err(e)),
            };
            let Some(record) = a.cable_for(&id, &access)? else {
                // Recorded like a read that found nothing: the answer is the
                // same for an unknown id and an invisible cable.
                audit_blocking(&st, &viewer, "read", &id, 0, Vec::new())?;
                return Ok(Err(no_cable(&written)));
            };
            audit_blocking(&st, &viewer, "read", &id, 1, withheld_list(&record))?;
            // A cited cable the reader may not see is shown as missing.
            let present = |rid: &str| matches!(a.cable_for(rid, &access), Ok(Some(_)));
            let text = cablescope_archive::render::cable_text(&record, &present);
            Ok(Ok(CableResponse { id, record, text }))
        })
        .await??;
    Ok(Json(r))
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
    let st = state.clone();
    let r = state
        .read(move |a| {
            let access = viewer.access(a)?;
            let id = match resolve(a, &written, &access) {
                Ok(id) => id,
                Err(e) => return Ok(Err(e)),
            };
            // `None`: unknown, or invisible to the reader (the two look the same).
            let Some(walk) = a.refs_for(&id, direction, depth, &access)? else {
                audit_blocking(&st, &viewer, "refs", &id, 0, Vec::new())?;
                return Ok(Err(no_cable(&written)));
            };
            audit_blocking(
                &st,
                &viewer,
                "refs",
                &id,
                walk.nodes.len() as u64,
                Vec::new(),
            )?;
            Ok(Ok(RefsResponse {
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
        })
        .await??;
    Ok(Json(r))
}
