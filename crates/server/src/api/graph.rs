//! `GET /api/graph/{id}`: the citation graph around a cable, as JSON or as a file
//! for graph tools (GraphML, GEXF).

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cablescope_access::graph_format::{self, GraphEdge};
use serde::Deserialize;
use utoipa::IntoParams;

use super::cables::{check_id, not_one};
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
    check_id(&written)?;
    let w = written.clone();
    let found = state
        .with_session(&viewer, move |s| s.neighbourhood(&w, direction, depth))
        .await?;
    let n = not_one(&written, found)?;
    let g = (
        n.id,
        GraphResponse {
            nodes: n
                .nodes
                .into_iter()
                .map(|v| GraphNode {
                    matched: v.depth == 0,
                    id: v.id,
                    present: v.present,
                    depth: v.depth,
                    created: v.created,
                    origin: v.origin,
                    classification: v.classification,
                    subject: v.subject,
                })
                .collect(),
            edges: n
                .edges
                .into_iter()
                .map(|e| RefEdge {
                    from: e.from,
                    to: e.to,
                    label: e.label,
                })
                .collect(),
        },
    );
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
