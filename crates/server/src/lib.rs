//! # cablescope-server
//!
//! The HTTP face of a cablescope archive: a JSON API under `/api` (see [`api`]) and a
//! server-rendered web UI (see [`ui`]), both served by one axum router over one
//! [`AppState`]. All assets are embedded in the binary; nothing is fetched from the
//! network.
#![warn(missing_docs)]

pub mod api;
pub mod state;
pub mod ui;

pub use state::{AppState, ServerConfig, Viewer};

/// The whole application: API routes, UI routes and their shared state.
pub fn router(state: AppState) -> axum::Router {
    axum::Router::new()
        .merge(api::router())
        .merge(ui::router())
        .with_state(state)
}
