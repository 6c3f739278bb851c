//! The JSON API under `/api`.

use crate::AppState;

/// The API routes.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
}
