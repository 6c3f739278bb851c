//! `GET /healthz` (is the archive readable?) and `GET /metrics` (Prometheus).

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cablescope_access::Role;

use super::types::{ErrorBody, HealthResponse};

use crate::error::{ApiError, ApiResult};
use crate::{AppState, Standing, Viewer};

/// True when `viewer` may see counts over the whole archive (cables they might
/// not be cleared for included): anyone on an open or public archive, else admins.
fn sees_totals(viewer: &Viewer) -> bool {
    matches!(viewer.standing, Standing::Open | Standing::Public) || viewer.has_role(Role::Admin)
}

/// Cables in the store, read through the pool (which also checks that a handle
/// can be opened and its index reloaded).
async fn count(state: &AppState) -> ApiResult<u64> {
    state.read(|lib| lib.cable_count()).await.map_err(|e| {
        eprintln!("cablescope-server: health check failed: {e}");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the archive cannot be read",
        )
    })
}

/// Health: 200 when the archive can be read. Needs no token; the number of cables
/// is given only where everyone may count them (an open or public archive) or to
/// a signed-in admin.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "server",
    responses(
        (status = 200, description = "The archive is readable", body = HealthResponse),
        (status = 503, description = "The archive cannot be read, or its index is damaged (the message names the damaged files)", body = ErrorBody),
    )
)]
pub async fn healthz(
    State(state): State<AppState>,
    viewer: Viewer,
) -> ApiResult<Json<HealthResponse>> {
    // A damaged index answers wrongly or fails: not healthy, and the reason (the
    // damaged files; `cablescope repair` mends them) says why.
    let health = state.read(|lib| Ok(lib.health())).await.map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the archive cannot be read",
        )
    })?;
    if !health.ok() {
        eprintln!(
            "cablescope-server: health check failed: {}",
            health.summary()
        );
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "index_damaged",
            health.summary(),
        ));
    }
    let cables = count(&state).await?;
    state.metrics().set_cables(cables);
    Ok(Json(HealthResponse {
        status: "ok".into(),
        cables: sees_totals(&viewer).then_some(cables),
    }))
}

/// Metrics in the Prometheus (OpenMetrics) text format: requests by route and
/// status, latency histogram, requests in flight, cables in the archive. On a
/// closed archive for admins only (the count covers every cable).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "server",
    responses(
        (status = 200, description = "OpenMetrics text", body = String,
            content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8"),
    )
)]
pub async fn metrics(State(state): State<AppState>, viewer: Viewer) -> Response {
    if !sees_totals(&viewer) {
        if let Err(e) = crate::gate::require(&state, &viewer, Role::Admin, "metrics") {
            return e.into_response();
        }
    }
    // A failed count leaves the last known value: metrics still answer.
    if let Ok(n) = count(&state).await {
        state.metrics().set_cables(n);
    }
    let mut r = state.metrics().render().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(crate::metrics::CONTENT_TYPE),
    );
    r
}
