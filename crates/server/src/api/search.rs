//! `GET /api/search`, `GET /api/facets` and `GET /api/timeline`: the query
//! language (see `crates/archive/src/query`) over the reader's view of the archive.

use axum::extract::State;
use axum::Json;
use cablescope_access::query::Query;
use cablescope_access::{Facet, FacetSet, Hit, Page, SearchResults, Sort};
use serde::Deserialize;
use utoipa::IntoParams;

use super::types::{
    buckets, ErrorBody, Facets, FacetsResponse, MonthCount, SearchHit, SearchResponse,
    SuggestionBody, TimelineResponse,
};
use super::{bool_param, facets_param, int_param, query_param, sort_param, ApiQuery};
use crate::error::{ApiError, ApiResult};
use crate::{AppState, Viewer};

/// The facets `facets=all` asks of `/api/search` (the month histogram is
/// `/api/timeline`).
const SEARCH_FACETS: &[Facet] = &[
    Facet::Origin,
    Facet::Tag,
    Facet::Classification,
    Facet::Caption,
    Facet::Year,
];

/// Facets of `/api/facets`.
const ALL_FACETS: &[Facet] = &[
    Facet::Origin,
    Facet::Tag,
    Facet::Classification,
    Facet::Caption,
    Facet::Year,
    Facet::Month,
];

/// Most hits per page.
pub const MAX_LIMIT: u32 = 100;

/// Most "did you mean" queries in an answer.
pub const MAX_SUGGESTIONS: usize = 3;

/// Parameters of `/api/search`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The query (`tag:PREL origin:MOSCOW "nuclear program"`); `*` or empty: every
    /// cable. At most 2,000 characters.
    pub q: Option<String>,
    /// `relevance` (default), `date` (oldest first) or `-date` (newest first).
    pub sort: Option<String>,
    /// Hits per page, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page (with the same `q` and `sort`).
    pub cursor: Option<String>,
    /// Facet counts to add over every match: `all` (origin, tag, classification,
    /// caption, year) or names separated by commas (`origin,year`; also `level`
    /// and `month`). None by default: counting facets costs a pass over every
    /// match.
    pub facets: Option<String>,
    /// `true` for a highlighted snippet per hit (default `false`).
    pub snippets: Option<String>,
    /// Not supported: refused with a message naming `cursor` (a page number or
    /// an offset would silently repeat or skip hits while the archive changes).
    #[param(ignore)]
    pub page: Option<String>,
    /// Not supported, as `page`.
    #[param(ignore)]
    pub offset: Option<String>,
}

/// Parameter of `/api/facets` and `/api/timeline`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueryParams {
    /// The query; `*` or empty: every cable.
    pub q: Option<String>,
}

/// Tantivy's snippet HTML (matches in `<b>`, text escaped) as the API's: matches in
/// `<mark>`, and everything else escaped again, whatever the input holds, so the
/// result is safe to insert into a page even if the snippet format changes.
pub fn snippet_html(html: &str) -> String {
    const ENTITIES: &[&str] = &[
        "&amp;", "&lt;", "&gt;", "&quot;", "&#x27;", "&#39;", "&#x2F;",
    ];
    let mut out = String::with_capacity(html.len() + 16);
    let mut open = false;
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if let Some(r) = rest.strip_prefix("<b>") {
            if !open {
                out.push_str("<mark>");
                open = true;
            }
            rest = r;
            continue;
        }
        if let Some(r) = rest.strip_prefix("</b>") {
            if open {
                out.push_str("</mark>");
                open = false;
            }
            rest = r;
            continue;
        }
        match c {
            '&' => match ENTITIES.iter().find(|e| rest.starts_with(**e)) {
                Some(e) => {
                    out.push_str(e);
                    rest = &rest[e.len()..];
                    continue;
                }
                None => out.push_str("&amp;"),
            },
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

fn hit(h: &Hit) -> SearchHit {
    SearchHit {
        id: h.id.clone(),
        created: h.created.clone(),
        classification: h.classification.clone(),
        origin: h.origin.clone(),
        tags: h.tags.clone(),
        subject: h.subject.clone(),
        snippet: h
            .snippet
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(snippet_html),
        score: h.score,
    }
}

fn pick_facets(r: &SearchResults, set: FacetSet) -> Facets {
    set.iter()
        .map(|f| {
            (
                f.name().to_string(),
                r.facets
                    .get(f.name())
                    .map(|b| buckets(b))
                    .unwrap_or_default(),
            )
        })
        .collect()
}

/// What a request of this module asks of the viewer's session.
enum Ask {
    Facets,
    Timeline,
}

/// Runs `q` (written as `text`) for `viewer` through their session (redacted and
/// audited there).
async fn run(
    state: &AppState,
    viewer: Viewer,
    q: Query,
    ask: Ask,
    text: String,
) -> ApiResult<SearchResults> {
    Ok(state
        .with_session(&viewer, move |s| match ask {
            Ask::Facets => s.facets(&text, &q),
            Ask::Timeline => s.timeline(&text, &q),
        })
        .await?)
}

/// A page of hits with facets and the cursor of the next page.
#[utoipa::path(
    get,
    path = "/api/search",
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "A page of hits", body = SearchResponse),
        (status = 400, description = "Malformed query (with `position`), bad sort, limit or cursor, query too long", body = ErrorBody),
    )
)]
pub async fn search(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Json<SearchResponse>> {
    for (name, given) in [("page", &p.page), ("offset", &p.offset)] {
        if given.is_some() {
            return Err(ApiError::bad_request(
                "bad_parameter",
                format!(
                    "`{name}` is not a parameter of /api/search: pages follow each other by \
                     cursor; pass the `next_cursor` of the previous page as `cursor`"
                ),
            ));
        }
    }
    let (text, parsed) = query_param(p.q.as_deref(), &state)?;
    let sort = sort_param(p.sort.as_deref(), Sort::Relevance)?;
    let limit = int_param("limit", p.limit.as_deref(), 20, 1, MAX_LIMIT)?;
    let facets = facets_param(p.facets.as_deref(), SEARCH_FACETS)?;
    let page = Page {
        limit: limit as usize,
        sort,
        cursor: p.cursor.filter(|c| !c.is_empty()),
        facets,
        snippets: bool_param("snippets", p.snippets.as_deref(), false)?,
    };
    let hints = cablescope_access::query::hints(&text);
    let first_page = page.cursor.is_none();
    let (r, suggestions) = state
        .with_session(&viewer, move |s| {
            let r = s.search(&text, &parsed, &page)?;
            // "Did you mean", on the first page of a query that found little.
            let suggestions = if first_page {
                s.suggestions(&text, r.total, MAX_SUGGESTIONS)?
            } else {
                Vec::new()
            };
            Ok((r, suggestions))
        })
        .await?;
    Ok(Json(SearchResponse {
        total: r.total,
        hits: r.hits.iter().map(hit).collect(),
        facets: pick_facets(&r, facets),
        next_cursor: r.next_cursor.clone(),
        hints,
        suggestions: suggestions
            .into_iter()
            .map(|s| SuggestionBody {
                query: s.query,
                total: s.total,
            })
            .collect(),
    }))
}

/// Facet counts over every match of a query.
#[utoipa::path(
    get,
    path = "/api/facets",
    tag = "search",
    params(QueryParams),
    responses(
        (status = 200, description = "Facet counts", body = FacetsResponse),
        (status = 400, description = "Malformed or too long query", body = ErrorBody),
    )
)]
pub async fn facets(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(p): ApiQuery<QueryParams>,
) -> ApiResult<Json<FacetsResponse>> {
    let (text, parsed) = query_param(p.q.as_deref(), &state)?;
    let r = run(&state, viewer, parsed, Ask::Facets, text).await?;
    Ok(Json(FacetsResponse {
        total: r.total,
        facets: pick_facets(&r, FacetSet::of(ALL_FACETS)),
    }))
}

/// `YYYY-MM` → (year, month).
fn parse_month(s: &str) -> Option<(i32, u32)> {
    let (y, m) = s.split_once('-')?;
    let y: i32 = y.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    (1..=12).contains(&m).then_some((y, m))
}

/// Most months a timeline fills gaps over (a century); beyond that, only the
/// months with matches are listed.
const MAX_FILLED_MONTHS: i64 = 1200;

/// The months from the first to the last of `counts` (sorted `YYYY-MM`), with 0
/// for the months in between that have no matches.
pub fn fill_months(counts: &[(String, u64)]) -> Vec<MonthCount> {
    let known: Vec<((i32, u32), u64)> = counts
        .iter()
        .filter_map(|(k, n)| parse_month(k).map(|ym| (ym, *n)))
        .collect();
    let (Some(&(first, _)), Some(&(last, _))) = (known.first(), known.last()) else {
        return Vec::new();
    };
    let index = |(y, m): (i32, u32)| i64::from(y) * 12 + i64::from(m) - 1;
    let span = index(last) - index(first);
    if !(0..MAX_FILLED_MONTHS).contains(&span) {
        return known
            .iter()
            .map(|((y, m), n)| MonthCount {
                month: format!("{y:04}-{m:02}"),
                count: *n,
            })
            .collect();
    }
    let mut out: Vec<MonthCount> = (0..=span)
        .map(|i| {
            let k = index(first) + i;
            MonthCount {
                month: format!("{:04}-{:02}", k.div_euclid(12), k.rem_euclid(12) + 1),
                count: 0,
            }
        })
        .collect();
    for (ym, n) in known {
        let i = (index(ym) - index(first)) as usize;
        out[i].count += n;
    }
    out
}

/// Matches of a query per month of creation, for a histogram.
#[utoipa::path(
    get,
    path = "/api/timeline",
    tag = "search",
    params(QueryParams),
    responses(
        (status = 200, description = "Matches per month", body = TimelineResponse),
        (status = 400, description = "Malformed or too long query", body = ErrorBody),
    )
)]
pub async fn timeline(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(p): ApiQuery<QueryParams>,
) -> ApiResult<Json<TimelineResponse>> {
    let (text, parsed) = query_param(p.q.as_deref(), &state)?;
    let r = run(&state, viewer, parsed, Ask::Timeline, text).await?;
    let mut months = r.facets.get("month").cloned().unwrap_or_default();
    months.sort();
    Ok(Json(TimelineResponse {
        total: r.total,
        months: fill_months(&months),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_mark_matches_and_escape_the_rest() {
        assert_eq!(
            snippet_html("the <b>widget</b> &amp; &lt;script&gt;"),
            "the <mark>widget</mark> &amp; &lt;script&gt;"
        );
        // Anything that is not a highlight is text, escaped.
        assert_eq!(
            snippet_html("<i>x</i> a & b \"q\" <b>open"),
            "&lt;i&gt;x&lt;/i&gt; a &amp; b &quot;q&quot; <mark>open</mark>"
        );
        assert_eq!(snippet_html("</b>stray"), "stray");
    }

    #[test]
    fn months_are_filled_between_first_and_last() {
        let got = fill_months(&[
            ("2008-11".into(), 2),
            ("2009-02".into(), 5),
            ("junk".into(), 9),
        ]);
        let got: Vec<(&str, u64)> = got.iter().map(|m| (m.month.as_str(), m.count)).collect();
        assert_eq!(
            got,
            [
                ("2008-11", 2),
                ("2008-12", 0),
                ("2009-01", 0),
                ("2009-02", 5)
            ]
        );
        assert!(fill_months(&[]).is_empty());
        // A stray date far away does not produce thousands of empty months.
        let wide = fill_months(&[("1066-10".into(), 1), ("2008-06".into(), 1)]);
        assert_eq!(wide.len(), 2);
    }
}
