//! The OpenAPI document of the JSON API (served at `/api/openapi.json`).

use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};
use utoipa::{Modify, OpenApi};

use crate::api;

/// The API's OpenAPI 3.1 description: every route of [`api::route_table`] (a test
/// checks the two agree), with its parameters, responses and schemas, and who may
/// call it ([`Security`]).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "cablescope API",
        description = "Search and read a cablescope archive of diplomatic cables. \
            Queries use cablescope's query language (`tag:PREL origin:MOSCOW \"nuclear program\"`, \
            `created:[2008-01-01 TO 2008-06-30]`, `cites:08MOSCOW1599`). \
            Every error is `{\"error\": {\"code\", \"message\", \"position\"?}}`.\n\n\
            An archive without users is open to everyone. Once it has users, every route but \
            `/healthz` and this document needs `Authorization: Bearer TOKEN` (a token from \
            `cablescope users add`; a browser signed in at `/login` sends its session cookie \
            instead). A missing or refused token is `401`, a role that does not allow the \
            route `403`; five refused tokens from one address within a minute are `429` \
            with `Retry-After`. Readers read what their clearance allows (a cable they may \
            not see is `404`, like an unknown one); curators also ingest; admins also manage \
            users and read `/metrics`."
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
        api::ingest::ingest,
        api::users::list,
        api::users::add,
        api::users::revoke,
        api::users::rotate,
        api::docs::openapi_json,
        api::health::healthz,
        api::health::metrics,
    ),
    modifiers(&Security),
    tags(
        (name = "search", description = "Queries, facets, timeline and export"),
        (name = "cables", description = "One cable, its references and citation graph"),
        (name = "archive", description = "Archive statistics and ingest"),
        (name = "users", description = "Users and their tokens (admins)"),
        (name = "server", description = "Health, metrics and this document"),
    )
)]
pub struct ApiDoc;

/// The routes that need no token.
const FREE: &[&str] = &["/healthz", "/api/openapi.json"];

/// The role each route needs beyond reading, for its `403` response.
fn role_needed(path: &str) -> Option<&'static str> {
    if path == api::ingest::PATH {
        Some("curator")
    } else if path.starts_with("/api/users") || path == "/metrics" {
        Some("admin")
    } else {
        None
    }
}

/// Declares the Bearer scheme, which routes need it, and the `401`, `403` and
/// `429` answers of the protected ones.
pub struct Security;

fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("cst_<16 hex>_<64 hex>")
                    .description(Some(
                        "A token from `cablescope users add` (or `POST /api/users`). Not needed \
                         when the archive has no users.",
                    ))
                    .build(),
            ),
        );
        for (path, item) in doc.paths.paths.iter_mut() {
            let ops: [&mut Option<Operation>; 3] =
                [&mut item.get, &mut item.post, &mut item.delete];
            for op in ops.into_iter().flatten() {
                if FREE.contains(&path.as_str()) {
                    // An empty requirement: no credentials.
                    op.security = Some(vec![SecurityRequirement::default()]);
                    continue;
                }
                op.security = Some(vec![SecurityRequirement::new(
                    "bearer",
                    Vec::<String>::new(),
                )]);
                let r = &mut op.responses.responses;
                r.entry("401".into()).or_insert_with(|| {
                    error_response("No token, or a malformed, unknown, expired or revoked one (with `WWW-Authenticate: Bearer`)")
                });
                let forbidden = match role_needed(path) {
                    Some(role) => format!("The token's role is not {role} or above, or the server is `--public` (read-only)"),
                    None => "Refused (a change through a session cookie without its CSRF token)".into(),
                };
                r.entry("403".into())
                    .or_insert_with(|| error_response(&forbidden));
                r.entry("429".into()).or_insert_with(|| {
                    error_response("Too many refused tokens (per address and account, account, or address); retry after `Retry-After` seconds")
                });
            }
        }
    }
}
