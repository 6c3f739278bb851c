//! The web UI: server-rendered pages with light JavaScript.

use crate::AppState;

/// The UI routes.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
}
