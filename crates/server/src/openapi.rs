//! The OpenAPI document of the JSON API (served at `/api/openapi.json`).

use utoipa::OpenApi;

use crate::api;

/// The API's OpenAPI 3.1 description: every route of [`api::route_table`] (a test
/// checks the two agree), with its parameters, responses and schemas.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "cablescope API",
        description = "Search and read a cablescope archive of diplomatic cables. \
            Queries use cablescope's query language (`tag:PREL origin:MOSCOW \"nuclear program\"`, \
            `created:[2008-01-01 TO 2008-06-30]`, `cites:08MOSCOW1599`). \
            Every error is `{\"error\": {\"code\", \"message\", \"position\"?}}`."
    ),
    paths(
        api::search::search,
        api::search::facets,
        api::search::timeline,
        api::cables::cable,
        api::cables::refs,
        api::graph::graph,
        api::export::export,
        api::stats::stats,
        api::docs::openapi_json,
        api::health::healthz,
        api::health::metrics,
    ),
    tags(
        (name = "search", description = "Queries, facets, timeline and export"),
        (name = "cables", description = "One cable, its references and citation graph"),
        (name = "archive", description = "Archive statistics"),
        (name = "server", description = "Health, metrics and this document"),
    )
)]
pub struct ApiDoc;
