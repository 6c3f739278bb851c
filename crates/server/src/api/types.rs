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
    /// Cited cables that are not in the archive, most cited first (count = how
    /// many cables cite it).
    pub most_cited_missing: Vec<FacetBucket>,
}

/// The server's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct HealthResponse {
    /// `ok`.
    pub status: String,
    /// Cables in the archive.
    pub cables: u64,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable, machine-readable code: `bad_query`, `bad_parameter`, `bad_cursor`,
    /// `bad_path`, `ambiguous_id`, `query_too_long`, `uri_too_long`, `not_found`,
    /// `no_route`, `method_not_allowed`, `busy`, `timeout`, `internal`.
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
