//! `GET /api/stats`: counts by year, origin, classification and level, and the
//! most-cited cables missing from the archive.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::types::{buckets, ErrorBody, MarkInfo, StatsResponse};
use super::{int_param, ApiQuery};
use crate::error::ApiResult;
use crate::{AppState, Viewer};

/// Parameters of `/api/stats`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// How many of the most-cited missing cables to list, 0 to 1000 (default 20).
    #[param(value_type = Option<u32>, minimum = 0, maximum = 1000)]
    pub missing: Option<String>,
}

/// Archive statistics (over the cables the reader may see).
#[utoipa::path(
    get,
    path = "/api/stats",
    tag = "archive",
    params(StatsParams),
    responses(
        (status = 200, description = "Counts", body = StatsResponse),
        (status = 400, description = "Bad `missing`", body = ErrorBody),
    )
)]
pub async fn stats(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(p): ApiQuery<StatsParams>,
) -> ApiResult<Json<StatsResponse>> {
    let missing = int_param("missing", p.missing.as_deref(), 20, 0, 1000)?;
    let s = state
        .with_session(&viewer, move |s| s.stats(missing as usize))
        .await?;
    Ok(Json(StatsResponse {
        cables: s.cables,
        by_year: buckets(&s.by_year),
        by_origin: buckets(&s.by_origin),
        by_classification: buckets(&s.by_classification),
        by_level: buckets(&s.by_level),
        by_tag: buckets(&s.by_tag),
        by_month: buckets(&s.by_month),
        most_cited_missing: buckets(&s.most_cited_missing),
        marks: s
            .marks
            .into_iter()
            .map(|m| MarkInfo {
                written: m.written,
                stored: m.stored,
                unknown: m.unknown,
                code: m.code,
                level: m.level,
                controls: m.controls,
                cables: m.cables,
            })
            .collect(),
    }))
}
