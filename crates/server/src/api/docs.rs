//! `GET /api/openapi.json` (the OpenAPI 3.1 document) and `/api/docs` (Swagger
//! UI, served from files embedded in the binary).

use std::sync::OnceLock;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::openapi::ApiDoc;
use crate::AppState;

/// The OpenAPI document as JSON, built once.
pub fn openapi_document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"cannot render the document: {e}\"}}"))
    })
}

/// The OpenAPI document of this API.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "server",
    responses((status = 200, description = "OpenAPI 3.1 document", body = Object))
)]
pub async fn openapi_json() -> Response {
    let mut r = openapi_document().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// Swagger UI at `/api/docs`, reading `/api/openapi.json`.
pub fn swagger_ui() -> axum::Router<AppState> {
    SwaggerUi::new("/api/docs")
        .config(Config::new(["/api/openapi.json"]).try_it_out_enabled(true))
        .into()
}
