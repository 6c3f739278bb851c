//! `GET /api/graph/{id}`: the citation graph around a cable, as JSON or as a file
//! for graph tools (GraphML, GEXF).

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cablescope_archive::graph_format::{self, GraphEdge};
use serde::Deserialize;
use utoipa::IntoParams;

use super::cables::resolve;
use super::types::{ErrorBody, GraphNode, GraphResponse, RefEdge};
use super::{direction_param, int_param, ApiPath, ApiQuery};
use crate::error::{ApiError, ApiResult};
use crate::{AppState, Viewer};

/// Deepest graph.
pub const MAX_DEPTH: u32 = 3;

/// Parameters of `/api/graph/{id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GraphParams {
    /// Steps from the cable, 1 to 3 (default 1).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 3)]
    pub depth: Option<String>,
    /// `cites`, `cited-by` or `both` (default).
    pub direction: Option<String>,
    /// `json` (default), `graphml` or `gexf`.
    pub format: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Graphml,
    Gexf,
}

/// The citation graph around a cable: every cable within `depth` citation steps,
/// with its header fields; cited cables not in the archive have `present: false`.
#[utoipa::path(
    get,
    path = "/api/graph/{id}",
    tag = "cables",
    params(
        ("id" = String, Path, description = "Cable id, written loosely"),
        GraphParams,
    ),
    responses(
        (status = 200, description = "The graph: JSON, or GraphML/GEXF when asked", content(
            (GraphResponse = "application/json"),
            (String = "application/graphml+xml"),
            (String = "application/gexf+xml"),
        )),
        (status = 400, description = "Bad depth, direction or format", body = ErrorBody),
        (status = 404, description = "No such cable", body = ErrorBody),
    )
)]
pub async fn graph(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(written): ApiPath<String>,
    ApiQuery(p): ApiQuery<GraphParams>,
) -> ApiResult<Response> {
    let depth = int_param("depth", p.depth.as_deref(), 1, 1, MAX_DEPTH)?;
    let direction = direction_param(p.direction.as_deref())?;
    let format = match p.format.as_deref().map(str::trim) {
        None | Some("") | Some("json") => Format::Json,
        Some("graphml") => Format::Graphml,
        Some("gexf") => Format::Gexf,
        Some(other) => {
            return Err(ApiError::bad_parameter(format!(
                "format must be json, graphml or gexf, not {other:?}"
            )))
        }
    };
    let st = state.clone();
    let g = state
        .read(move |a| {
            let access = viewer.access(a)?;
            let id = match resolve(a, &written, &access) {
                Ok(id) => id,
                Err(e) => return Ok(Err(e)),
            };
            let Some(walk) = a.refs_for(&id, direction, depth, &access)? else {
                crate::auth::audit_blocking(&st, &viewer, "graph", &id, 0, Vec::new())?;
                return Ok(Err(ApiError::not_found(format!(
                    "no cable {written} in the archive"
                ))));
            };
            crate::auth::audit_blocking(
                &st,
                &viewer,
                "graph",
                &id,
                walk.nodes.len() as u64,
                Vec::new(),
            )?;
            let mut nodes = Vec::with_capacity(walk.nodes.len());
            for n in &walk.nodes {
                let c = if n.present {
                    a.cable_for(&n.id, &access)?
                } else {
                    None
                };
                nodes.push(GraphNode {
                    id: n.id.clone(),
                    present: c.is_some(),
                    matched: n.depth == 0,
                    depth: n.depth,
                    created: c.as_ref().and_then(|c| c.created.clone()),
                    origin: c.as_ref().and_then(|c| c.origin.station.clone()),
                    classification: c.as_ref().and_then(|c| c.classification.clone()),
                    subject: c.as_ref().and_then(|c| c.subject.clone()),
                });
            }
            let edges = walk
                .edges
                .iter()
                .map(|e| RefEdge {
                    from: e.from.clone(),
                    to: e.to.clone(),
                    label: e.label.clone(),
                })
                .collect();
            Ok(Ok((id, GraphResponse { nodes, edges })))
        })
        .await??;
    let (id, g) = g;
    if format == Format::Json {
        return Ok(Json(g).into_response());
    }
    let nodes: Vec<graph_format::GraphNode> = g
        .nodes
        .into_iter()
        .map(|n| graph_format::GraphNode {
            id: n.id,
            present: n.present,
            matched: n.matched,
            created: n.created,
            origin: n.origin,
            classification: n.classification,
            subject: n.subject,
        })
        .collect();
    let edges: Vec<GraphEdge> = g
        .edges
        .into_iter()
        .map(|e| GraphEdge {
            from: e.from,
            to: e.to,
            label: e.label,
        })
        .collect();
    let mut body = Vec::new();
    let (ctype, ext) = match format {
        Format::Graphml => {
            graph_format::write_graphml(&mut body, &nodes, &edges).map_err(ApiError::internal)?;
            ("application/graphml+xml", "graphml")
        }
        _ => {
            graph_format::write_gexf(&mut body, &nodes, &edges).map_err(ApiError::internal)?;
            ("application/gexf+xml", "gexf")
        }
    };
    // Ids are letters, digits and `-`; anything else is dropped from the file name.
    let safe: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let disposition = format!("attachment; filename=\"{safe}.{ext}\"");
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}
