//! The API's response bodies (and the error body), shared with the web UI.
//!
//! Every type serialises to the JSON documented in `/api/openapi.json`; field
//! names are a contract: add fields freely, never rename.

use std::collections::BTreeMap;

use cablescope_format::Cable;
use serde::Serialize;
use utoipa::ToSchema;

/// One value of a facet and how many matching cables have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FacetBucket {
    /// The value (`MOSCOW`, `PREL`, `SECRET//NOFORN`, `2008`).
    pub value: String,
    /// Matching cables with this value.
    pub count: u64,
}

/// Facet buckets by facet name.
pub type Facets = BTreeMap<String, Vec<FacetBucket>>;

/// One search hit.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SearchHit {
    /// Canonical cable id (`08MOSCOW1599`).
    pub id: String,
    /// Creation time, ISO 8601 UTC, when known.
    pub created: Option<String>,
    /// Classification string (`SECRET//NOFORN`), when the reader may see it.
    pub classification: Option<String>,
    /// Origin station (`MOSCOW`), when the reader may see it.
    pub origin: Option<String>,
    /// TAGS, when the reader may see them.
    pub tags: Vec<String>,
    /// Subject line, when the reader may read it.
    pub subject: Option<String>,
    /// A passage around the matched words, as HTML: the matches wrapped in
    /// `<mark>`, everything else escaped. Safe to insert into a page as is.
    pub snippet: Option<String>,
    /// BM25 relevance score (0 when sorted by date).
    pub score: f32,
}

/// A page of search results.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SearchResponse {
    /// How many cables match (all pages).
    pub total: u64,
    /// This page of hits.
    pub hits: Vec<SearchHit>,
    /// Counts over every match by `origin`, `tag`, `classification`, `caption`
    /// (largest first) and `year` (by year).
    pub facets: Facets,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// Sentences about a query that may not mean what was meant (a lower-case
    /// `or` between two words is a word, not an operator); absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
    /// "Did you mean": the query with one word respelt as a word of the archive,
    /// when the query found fewer than 10 cables and the respelt one finds more
    /// for this reader; most matches first, on the first page only; absent when
    /// none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<SuggestionBody>,
}

/// A respelt query ("did you mean").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SuggestionBody {
    /// The query with one word respelt.
    pub query: String,
    /// How many cables it finds for this reader.
    pub total: u64,
}

/// Facet counts of a query.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FacetsResponse {
    /// How many cables match.
    pub total: u64,
    /// Counts by `origin`, `tag`, `classification`, `caption` (largest first),
    /// `year` and `month` (`YYYY-MM`, by date).
    pub facets: Facets,
}

/// Matches in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MonthCount {
    /// `YYYY-MM`.
    pub month: String,
    /// Matching cables created that month.
    pub count: u64,
}

/// Matches of a query per month.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TimelineResponse {
    /// How many cables match (undated ones included).
    pub total: u64,
    /// Every month from the first to the last with a match, in order; months
    /// without matches in between have count 0.
    pub months: Vec<MonthCount>,
}

/// One cable.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CableResponse {
    /// Canonical id (the id asked for may have been written loosely).
    pub id: String,
    /// The merged cable record (fields as printed by `cablescope parse`), with
    /// the parts the reader may not read withheld.
    #[schema(value_type = Object)]
    pub record: Cable,
    /// The cable as readable text with portion marks, as `cablescope show` prints it.
    pub text: String,
}

/// A cable met by a reference walk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RefNode {
    /// Cable id.
    pub id: String,
    /// True when the cable is cited but not in the archive (or not visible to the
    /// reader: the two look the same).
    pub missing: bool,
    /// Steps from the start cable.
    pub depth: u32,
}

/// A citation: `from` cites `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RefEdge {
    /// The citing cable.
    pub from: String,
    /// The cited cable.
    pub to: String,
    /// The REF label (`A`, `B`), empty when there was none.
    pub label: String,
}

/// The reference neighbourhood of a cable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RefsResponse {
    /// Cables met, the start first, in order of discovery.
    pub nodes: Vec<RefNode>,
    /// Citations followed.
    pub edges: Vec<RefEdge>,
}

/// A node of the citation graph, with the cable's header fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct GraphNode {
    /// Cable id.
    pub id: String,
    /// False when the cable is cited but not in the archive (or not visible).
    pub present: bool,
    /// True for the cable the graph was asked about.
    pub matched: bool,
    /// Steps from that cable.
    pub depth: u32,
    /// Creation time, ISO 8601.
    pub created: Option<String>,
    /// Origin station.
    pub origin: Option<String>,
    /// Classification string.
    pub classification: Option<String>,
    /// Subject line.
    pub subject: Option<String>,
}

/// The citation graph around a cable (`format=json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct GraphResponse {
    /// Cables, the start first.
    pub nodes: Vec<GraphNode>,
    /// Citations.
    pub edges: Vec<RefEdge>,
}

/// Archive statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct StatsResponse {
    /// Cables the reader may see.
    pub cables: u64,
    /// Counts by year (oldest first; `""` for undated cables).
    pub by_year: Vec<FacetBucket>,
    /// Counts by origin station, largest first.
    pub by_origin: Vec<FacetBucket>,
    /// Counts by classification string, largest first.
    pub by_classification: Vec<FacetBucket>,
    /// Counts by level (U, SBU, C, S, TS).
    pub by_level: Vec<FacetBucket>,
    /// Counts by TAGS entry, largest first (a cable counts once per tag).
    pub by_tag: Vec<FacetBucket>,
    /// Counts by month of creation (`YYYY-MM`, oldest first; undated cables are
    /// not counted).
    pub by_month: Vec<FacetBucket>,
    /// Cited cables that are not in the archive, most cited first (count = how
    /// many cables cite it).
    pub most_cited_missing: Vec<FacetBucket>,
    /// Every portion mark seen in the cables the reader may see, unreadable ones
    /// first.
    pub marks: Vec<MarkInfo>,
}

/// A portion mark as written and how the marking vocabulary reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MarkInfo {
    /// As written (`S//OC/NF`, `S-NF`).
    pub written: String,
    /// The mark the record keeps, when it differs from `written`.
    pub stored: Option<String>,
    /// True when it cannot be read in full: judged by the unreadable-mark rule
    /// (the cable's highest level and every control seen in it).
    pub unknown: bool,
    /// The normalised code of what could be read (`S/NF/OC`).
    pub code: String,
    /// The level it names.
    pub level: Option<String>,
    /// The controls it carries (`NOFORN`, `ORCON`).
    pub controls: Vec<String>,
    /// Cables carrying it.
    pub cables: u64,
}

/// The server's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct HealthResponse {
    /// `ok`.
    pub status: String,
    /// Cables in the archive; absent on a closed archive (it needs no sign-in,
    /// and a count of cables a reader may not see is not for everyone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cables: Option<u64>,
}

/// What `POST /api/ingest` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct IngestResponse {
    /// The upload's name (kept as `uploads/NAME` in the archive directory).
    pub name: String,
    /// Bytes received.
    pub bytes: u64,
    /// Files met (an archive upload holds several).
    pub files_seen: u64,
    /// Files read and parsed.
    pub files_parsed: u64,
    /// Files skipped as unchanged (the same upload again).
    pub files_unchanged: u64,
    /// Files that could not be read.
    pub files_failed: u64,
    /// Cables read (copies).
    pub cables_read: u64,
    /// Cables added or changed in the archive.
    pub cables_written: u64,
    /// Cables removed (a changed upload no longer holds them).
    pub cables_removed: u64,
    /// Items of containers that could not be read (a bad CSV row).
    pub item_errors: u64,
    /// Files parsed per container format.
    pub per_format: BTreeMap<String, u64>,
    /// The first errors (at most 100), `path: message`.
    pub errors: Vec<String>,
}

/// A user, as `/api/users` shows them (never with their token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UserInfo {
    /// The user name.
    pub name: String,
    /// `reader`, `curator` or `admin`.
    pub role: String,
    /// The clearance, as one word: level and caveats joined by `+` (`C+NOFORN`).
    pub clearance: String,
    /// When the user was added (RFC 3339, UTC).
    pub created: String,
    /// When their token stops working (RFC 3339, UTC), absent for never.
    pub expires: Option<String>,
    /// `active`, `expired` or `revoked`.
    pub status: String,
    /// The public id of their current token (not a secret: it is part of the token).
    pub token_id: String,
}

/// Every user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UsersResponse {
    /// By name.
    pub users: Vec<UserInfo>,
}

/// A user and their new token (`POST /api/users`, `.../rotate`): the only time the
/// token is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UserTokenResponse {
    /// The user.
    pub user: UserInfo,
    /// Their token; store it now, it is not kept.
    pub token: String,
}

/// A revoked user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RevokeResponse {
    /// The user.
    pub user: UserInfo,
    /// False when they were revoked already.
    pub changed: bool,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable, machine-readable code: `bad_query`, `bad_parameter`, `bad_cursor`,
    /// `bad_path`, `bad_body`, `ambiguous_id`, `query_too_long`, `uri_too_long`,
    /// `not_found`, `no_route`, `method_not_allowed`, `unauthorized`,
    /// `invalid_token`, `forbidden`, `read_only`, `csrf`, `too_many_attempts`,
    /// `conflict`, `busy`, `too_large`, `unsupported_media_type`, `timeout`,
    /// `internal`.
    pub code: String,
    /// What is wrong, in words a user can act on.
    pub message: String,
    /// For `bad_query`: the 0-based character offset in `q` of the token that made
    /// the query invalid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<usize>,
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// Turns `(value, count)` pairs into buckets.
pub fn buckets(pairs: &[(String, u64)]) -> Vec<FacetBucket> {
    pairs
        .iter()
        .map(|(value, count)| FacetBucket {
            value: value.clone(),
            count: *count,
        })
        .collect()
}
