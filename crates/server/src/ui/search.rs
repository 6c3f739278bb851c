//! The search page (`/` and `/search?q=&sort=&cursor=&limit=`): a plain GET form,
//! results with highlighted snippets, facets that refine the query with plain links,
//! a timeline of matches by month, sorting and cursor paging. Everything works
//! without JavaScript.

use cablescope_access::FacetSet;
use std::collections::BTreeMap;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cablescope_access::query::{IdPattern, QuerySyntaxError};
use cablescope_access::{Error, Hit, Page as Wanted, SearchResults, Sort, Suggestion};
use maud::{html, Markup};

use crate::state::AppState;
use crate::ui::charts::{self, Bar};
use crate::ui::layout::{self, Nav, Page};
use crate::ui::text::{
    cable_url, count, has_clause, level_class, long_date, quote_value, refine, remove_clause,
    snippet_parts, url_with,
};
use crate::ui::{internal_error, tags};
use crate::viewer::Viewer;

/// Hits per page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: usize = 20;
/// Largest page.
pub const MAX_LIMIT: usize = 100;
/// Facet values shown before "more".
const FACET_SHOWN: usize = 8;
/// A month timeline longer than this is drawn by year.
const MAX_MONTH_BARS: usize = 240;
/// Most "did you mean" queries shown (as `/api/search` gives).
const MAX_SUGGESTIONS: usize = crate::api::search::MAX_SUGGESTIONS;

/// Result order, as written in the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortKey {
    Relevance,
    Date,
    DateDesc,
}

impl SortKey {
    const ALL: [SortKey; 3] = [SortKey::Relevance, SortKey::Date, SortKey::DateDesc];

    fn parse(s: &str) -> SortKey {
        match s {
            "date" => SortKey::Date,
            "-date" => SortKey::DateDesc,
            _ => SortKey::Relevance,
        }
    }

    fn param(self) -> &'static str {
        match self {
            SortKey::Relevance => "relevance",
            SortKey::Date => "date",
            SortKey::DateDesc => "-date",
        }
    }

    fn label(self) -> &'static str {
        match self {
            SortKey::Relevance => "Relevance",
            SortKey::Date => "Oldest first",
            SortKey::DateDesc => "Newest first",
        }
    }

    fn sort(self) -> Sort {
        match self {
            SortKey::Relevance => Sort::Relevance,
            SortKey::Date => Sort::Date,
            SortKey::DateDesc => Sort::DateDesc,
        }
    }
}

/// The page's parameters, read leniently: a bad `limit` or `sort` falls back to the
/// default rather than failing the page.
#[derive(Debug, Clone)]
struct Params {
    q: String,
    sort: SortKey,
    cursor: Option<String>,
    /// The cursors of the pages before this one, oldest first (at most
    /// [`BACK_PAGES`]): what "Previous page" follows. Cursors only go forward,
    /// so the way back travels in the URL.
    back: Vec<String>,
    limit: usize,
    /// 1-based position of the first hit on this page (for "21–40 of N").
    from: u64,
}

/// Most earlier cursors a results URL carries; past them, "Previous page" gives
/// way to "First page".
const BACK_PAGES: usize = 30;

impl Params {
    fn parse(raw: Option<&str>) -> Params {
        let mut p = Params {
            q: String::new(),
            sort: SortKey::Relevance,
            cursor: None,
            back: Vec::new(),
            limit: DEFAULT_LIMIT,
            from: 1,
        };
        for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            match &*k {
                "q" => p.q = v.trim().to_string(),
                "sort" => p.sort = SortKey::parse(&v),
                "cursor" if !v.is_empty() => p.cursor = Some(v.into_owned()),
                "back" => {
                    // Cursors are hex: anything else is not one of ours.
                    p.back = v
                        .split(',')
                        .filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_hexdigit()))
                        .map(str::to_string)
                        .collect();
                    let extra = p.back.len().saturating_sub(BACK_PAGES);
                    p.back.drain(..extra);
                }
                "limit" => {
                    if let Ok(n) = v.trim().parse::<usize>() {
                        p.limit = n.clamp(1, MAX_LIMIT);
                    }
                }
                "from" => p.from = v.trim().parse::<u64>().unwrap_or(1).max(1),
                _ => {}
            }
        }
        p
    }

    /// A search URL with this page's sort and limit, for query `q`.
    fn href(&self, q: &str, sort: SortKey, cursor: Option<&str>, from: u64) -> String {
        self.page_href(q, sort, cursor, &[], from)
    }

    /// [`Params::href`] that also carries the cursors of earlier pages.
    fn page_href(
        &self,
        q: &str,
        sort: SortKey,
        cursor: Option<&str>,
        back: &[String],
        from: u64,
    ) -> String {
        let limit = (self.limit != DEFAULT_LIMIT).then(|| self.limit.to_string());
        let from = (from > 1).then(|| from.to_string());
        let back = back.join(",");
        url_with(
            "/search",
            &[
                ("q", q),
                (
                    "sort",
                    if sort == SortKey::Relevance {
                        ""
                    } else {
                        sort.param()
                    },
                ),
                ("limit", limit.as_deref().unwrap_or("")),
                ("cursor", cursor.unwrap_or("")),
                ("back", &back),
                ("from", from.as_deref().unwrap_or("")),
            ],
        )
    }

    /// The previous page's URL, when this page knows it: the last cursor in
    /// `back`, or the first page from the second.
    fn previous(&self) -> Option<String> {
        self.cursor.as_ref()?;
        let from = self.from.saturating_sub(self.limit as u64).max(1);
        match self.back.split_last() {
            Some((prev, rest)) => Some(self.page_href(&self.q, self.sort, Some(prev), rest, from)),
            None if self.from <= self.limit as u64 + 1 => {
                Some(self.href(&self.q, self.sort, None, 1))
            }
            None => None,
        }
    }

    /// The next page's URL, from the cursor the search returned.
    fn next(&self, cursor: &str, from: u64) -> String {
        let mut back = self.back.clone();
        back.extend(self.cursor.clone());
        let extra = back.len().saturating_sub(BACK_PAGES);
        back.drain(..extra);
        self.page_href(&self.q, self.sort, Some(cursor), &back, from)
    }

    /// `/api/export` of every match of this query, in this order, as `format`
    /// (the signed-in browser's own session reads it: the same redacted records).
    fn export_href(&self, format: &str) -> String {
        url_with(
            "/api/export",
            &[
                ("q", &self.q),
                ("format", format),
                ("sort", self.sort.param()),
            ],
        )
    }

    /// The first page of a refined query, same sort.
    fn refined(&self, q: &str) -> String {
        self.href(q, self.sort, None, 1)
    }
}

/// `GET /` and `GET /search`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = Params::parse(raw.as_deref());
    if params.q.is_empty() {
        let total = state.with_session(&viewer, |s| s.count()).await;
        return match total {
            Ok(total) => home(&viewer, total).into_response(),
            Err(e) => internal_error(&viewer, &e),
        };
    }
    if let Some(to) = pasted_id(&state, &viewer, &params).await {
        return Redirect::to(&to).into_response();
    }
    let page = Wanted {
        limit: params.limit,
        cursor: params.cursor.clone(),
        sort: params.sort.sort(),
        facets: FacetSet::ALL,
        snippets: true,
    };
    let q = params.q.clone();
    let first_page = params.cursor.is_none();
    let results = state
        .with_session(&viewer, move |s| {
            let parsed = cablescope_access::query::parse(&q)?;
            let r = s.search(&q, &parsed, &page)?;
            let suggestions = if first_page {
                s.suggestions(&q, r.total, MAX_SUGGESTIONS)?
            } else {
                Vec::new()
            };
            Ok((r, suggestions))
        })
        .await;
    match results {
        Ok((results, suggestions)) => {
            results_page(&params, &results, &suggestions, &viewer).into_response()
        }
        Err(Error::Query(e)) => (
            StatusCode::BAD_REQUEST,
            error_page(&params, &viewer, syntax_error(&params.q, &e)),
        )
            .into_response(),
        Err(Error::Cursor(_)) => (
            StatusCode::BAD_REQUEST,
            error_page(
                &params,
                &viewer,
                html! {
                    div.query-error role="alert" {
                        h2 { "This page link no longer works" }
                        p {
                            "The link to a further page of results is not valid for this search. "
                            a href=(params.refined(&params.q)) { "Start again from the first page" }
                            "."
                        }
                    }
                },
            ),
        )
            .into_response(),
        Err(e) => internal_error(&viewer, &e),
    }
}

/// Where a query that is only a cable id, pasted in any loose form
/// (`08MOSCOW1599`, `08 MOSCOW 1599`, `Moscow 1599`), should go: the cable when
/// the reader can see exactly one cable by that id, the `id:` search when several
/// (an id without a year), else nowhere (the words are searched as words: `nuclear
/// 2009` reads as an id too, and names no cable). The look-up is the reader's own
/// gated search, so a withheld cable is never revealed by a redirect.
async fn pasted_id(state: &AppState, viewer: &Viewer, params: &Params) -> Option<String> {
    if params.cursor.is_some() || params.q.contains(':') {
        return None;
    }
    IdPattern::parse(&params.q)?;
    let q = format!("id:\"{}\"", params.q);
    let wanted = Wanted {
        limit: 2,
        cursor: None,
        sort: Sort::Relevance,
        facets: FacetSet::default(),
        snippets: false,
    };
    let found = {
        let q = q.clone();
        state
            .with_session(viewer, move |s| {
                let parsed = cablescope_access::query::parse(&q)?;
                s.search(&q, &parsed, &wanted)
            })
            .await
            .ok()?
    };
    match found.hits.as_slice() {
        [] => None,
        [one] => Some(cable_url(&one.id)),
        _ => Some(params.refined(&q)),
    }
}

/// The search form; `autofocus` on the home page only (elsewhere it would steal the
/// reader's place).
fn form(params: &Params, autofocus: bool) -> Markup {
    html! {
        form.search-form #search-form role="search" method="get" action="/search" {
            label.search-label for="q" { "Search the cables" }
            div.search-row {
                input #q type="search" name="q" value=(params.q) autocomplete="off"
                    spellcheck="false" aria-describedby="syntax-help-summary" autofocus[autofocus];
                label.visually-hidden for="sort" { "Order" }
                select #sort name="sort" {
                    @for s in SortKey::ALL {
                        option value=(s.param()) selected[s == params.sort] { (s.label()) }
                    }
                }
                @if params.limit != DEFAULT_LIMIT {
                    input type="hidden" name="limit" value=(params.limit);
                }
                button #search-button type="submit" { "Search" }
            }
            (syntax_help())
        }
    }
}

/// The query language in brief, each example a link that runs it.
fn syntax_help() -> Markup {
    const EXAMPLES: &[(&str, &str)] = &[
        ("iran nuclear", "both words (more words narrow the search)"),
        (
            "sanction",
            "every form of the word: sanction, sanctions, sanctioned (the word as written first)",
        ),
        ("=sanction", "the word exactly as written (also \"sanction\")"),
        ("iran OR iraq", "either word"),
        ("iran -iraq", "iran without iraq (also NOT iraq)"),
        ("\"nuclear program\"", "the exact phrase"),
        ("\"nuclear program\"~2", "the words within 2 positions"),
        (
            "(iran OR iraq) AND nucl*",
            "grouping; words starting with nucl",
        ),
        ("moskow~1", "fuzzy: one letter may differ"),
        ("*", "every cable"),
        ("tag:PREL", "a TAGS entry"),
        (
            "origin:MOSCOW",
            "the sending post (also origin:\"AMEMBASSY MOSCOW\" or its routing indicator, origin:RUEHMO)",
        ),
        (
            "classification:SECRET",
            "a level, whatever the caveats; classification:[C TO *]",
        ),
        ("caption:NOFORN", "a handling caption"),
        ("subject:\"arms control\"", "words in the subject line"),
        ("signer:burns", "the signature; also classified_by:"),
        (
            "created:2008-06",
            "a year, month or day; created:[2008-01 TO 2008-06]",
        ),
        ("id:\"MOSCOW 1599\"", "a cable id, the year optional"),
        ("cites:08MOSCOW1599", "cables whose references include it"),
        ("cited_by:08MOSCOW1599", "the cables it references"),
        ("marking:S/NF", "any paragraph with that portion mark"),
    ];
    html! {
        details.syntax-help {
            summary #syntax-help-summary { "Query syntax" }
            p {
                "Words must all match; operators " code { "AND" } ", " code { "OR" } ", "
                code { "NOT" } " are upper case. Escape special characters with "
                code { "\\" } "."
            }
            table.syntax {
                caption.visually-hidden { "Query examples" }
                thead { tr { th scope="col" { "Query" } th scope="col" { "Finds" } } }
                tbody {
                    @for (q, what) in EXAMPLES {
                        tr {
                            td { a href=(url_with("/search", &[("q", q)])) { code { (q) } } }
                            td { (what) }
                        }
                    }
                }
            }
        }
    }
}

fn home(viewer: &Viewer, total: u64) -> Markup {
    let params = Params::parse(None);
    let mut page = Page::new("Search", viewer);
    page.nav = Nav::Search;
    page.header_search = false;
    layout::page(
        &page,
        html! {
            div.home {
                h1 { "Search " (count(total)) " cables" }
                (form(&params, true))
                section.examples aria-labelledby="examples-title" {
                    h2 #examples-title { "Start with" }
                    ul.example-list {
                        li { a href="/search?q=*&sort=-date" { "The newest cables" } }
                        li { a href="/search?q=*&sort=date" { "The oldest cables" } }
                        li { a href=(url_with("/search", &[("q", "classification:SECRET")])) { "Every SECRET cable" } }
                        li { a href=(url_with("/search", &[("q", "tag:PREL")])) { "Political relations (tag PREL)" } }
                        li { a href="/overview" { "An overview of the archive" } }
                    }
                }
            }
        },
    )
}

fn error_page(params: &Params, viewer: &Viewer, message: Markup) -> Markup {
    let mut page = Page::new("Search", viewer);
    page.nav = Nav::Search;
    page.header_search = false;
    let title = format!("{} — search", params.q);
    page.title = &title;
    layout::page(
        &page,
        html! {
            h1.visually-hidden { "Search" }
            (form(params, false))
            (message)
        },
    )
}

/// The query with a caret under the problem, and the parser's message.
fn syntax_error(q: &str, e: &QuerySyntaxError) -> Markup {
    let line: Vec<char> = q
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let at = e.position.min(line.len());
    let before: String = line[..at].iter().collect();
    let bad: String = line.get(at).map(|c| c.to_string()).unwrap_or_default();
    let after: String = line.get(at + 1..).unwrap_or(&[]).iter().collect();
    html! {
        div.query-error #query-error role="alert" {
            h2 { "The query has a syntax error" }
            pre.caret {
                code {
                    (before) @if bad.is_empty() { " " } @else { mark.err-at { (bad) } } (after) "\n"
                    (" ".repeat(at)) "^"
                }
            }
            p.error-message { (e.message) " (at character " (e.position + 1) ")" }
        }
    }
}

/// The refinement clauses of a facet value (`tag:PREL`; a classification becomes its
/// level and caveats), or `None` when the value cannot be searched for.
fn facet_clauses(facet: &str, value: &str, siblings: &[(String, u64)]) -> Option<Vec<String>> {
    match facet {
        "origin" | "tag" | "caption" => Some(vec![format!("{facet}:{}", quote_value(value))]),
        "year" => value
            .parse::<u32>()
            .ok()
            .map(|y| vec![format!("created:{y}")]),
        "classification" => classification_clauses(value, siblings),
        _ => None,
    }
}

/// The caveats written after `//` in a classification string.
fn caveats_of(class: &str) -> Vec<String> {
    class
        .to_ascii_uppercase()
        .split("//")
        .skip(1)
        .map(|p| p.trim().to_string())
        .filter(|p| {
            cablescope_format::marking::Control::parse(p)
                .is_some_and(|c| c.is_caption() || c == cablescope_format::marking::Control::Noforn)
        })
        .collect()
}

/// `SECRET//NOFORN` → `classification:S caption:NOFORN`; a plain `SECRET` excludes
/// the caveats its siblings of the same level carry, so the refinement finds what
/// the facet counted.
pub(crate) fn classification_clauses(
    value: &str,
    siblings: &[(String, u64)],
) -> Option<Vec<String>> {
    let (level, _) = cablescope_format::marking::read_classification(value)?;
    let code = level.rank_code();
    let mut out = vec![format!("classification:{code}")];
    let own = caveats_of(value);
    for c in &own {
        out.push(format!("caption:{}", quote_value(c)));
    }
    if own.is_empty() {
        let mut others: Vec<String> = siblings
            .iter()
            .filter(|(s, _)| {
                cablescope_format::marking::read_classification(s).map(|(l, _)| l.rank())
                    == Some(level.rank())
            })
            .flat_map(|(s, _)| caveats_of(s))
            .collect();
        others.sort();
        others.dedup();
        for c in others {
            out.push(format!("-caption:{}", quote_value(&c)));
        }
    }
    Some(out)
}

fn refine_all(q: &str, clauses: &[String]) -> String {
    clauses.iter().fold(q.to_string(), |q, c| refine(&q, c))
}

fn remove_all(q: &str, clauses: &[String]) -> String {
    clauses
        .iter()
        .fold(q.to_string(), |q, c| remove_clause(&q, c))
}

fn facet_title(name: &str) -> &'static str {
    match name {
        "origin" => "Origin",
        "tag" => "Tags",
        "classification" => "Classification",
        "caption" => "Captions",
        "year" => "Year",
        _ => "Other",
    }
}

fn facet_item(
    params: &Params,
    facet: &str,
    value: &str,
    n: u64,
    siblings: &[(String, u64)],
) -> Markup {
    let meaning = if facet == "tag" {
        tags::meaning(value)
    } else {
        None
    };
    let Some(clauses) = facet_clauses(facet, value, siblings) else {
        return html! { li { span.facet-label { (value) } " " span.count { (count(n)) } } };
    };
    let active = clauses.iter().all(|c| has_clause(&params.q, c));
    let href = if active {
        params.refined(&remove_all(&params.q, &clauses))
    } else {
        params.refined(&refine_all(&params.q, &clauses))
    };
    html! {
        li {
            a.facet-link.active[active] href=(href) title=[meaning]
                data-facet=(facet) data-value=(value) {
                span.facet-label { (value) }
                @if let Some(m) = meaning { span.facet-meaning { (m) } }
                @if active {
                    span.visually-hidden { " (selected; follow to remove)" }
                    span.facet-remove aria-hidden="true" { "×" }
                } @else {
                    span.count { (count(n)) }
                }
            }
        }
    }
}

/// Text with `backquoted` spans as `<code>`, escaped.
fn code_spans(text: &str) -> Markup {
    html! {
        @for (i, part) in text.split('`').enumerate() {
            @if i % 2 == 1 { code { (part) } } @else { (part) }
        }
    }
}

/// A facet's buckets in the order the page lists them: years newest first (a
/// historian scans a period, and the recent years would otherwise sit under
/// "more"), every other facet largest count first, as counted.
fn facet_order(name: &str, buckets: &[(String, u64)]) -> Vec<(String, u64)> {
    let mut b = buckets.to_vec();
    if name == "year" {
        b.sort_by(|x, y| y.0.cmp(&x.0));
    }
    b
}

fn facets(params: &Params, results: &SearchResults) -> Markup {
    html! {
        aside.facets #facets aria-label="Refine the results" {
            // Open beside the results on a wide screen (the summary is hidden
            // there); on a narrow one the box sits above the results and app.js
            // closes it, so the first hits are on the first screen.
            details.facets-box #facets-box open {
            summary.facets-summary { "Refine the " (count(results.total)) " results" }
            h2.facets-title { "Refine" }
            @for name in ["origin", "tag", "classification", "caption", "year"] {
                @if let Some(buckets) = results.facets.get(name).filter(|b| !b.is_empty()) {
                    @let buckets = &facet_order(name, buckets);
                    @let id = format!("facet-{name}");
                    section.facet #(id) aria-labelledby=(format!("{id}-title")) {
                        h3 #(format!("{id}-title")) { (facet_title(name)) }
                        ul {
                            @for (v, n) in buckets.iter().take(FACET_SHOWN) {
                                (facet_item(params, name, v, *n, buckets))
                            }
                        }
                        @if name == "year" {
                            @let undated = results.total.saturating_sub(buckets.iter().map(|b| b.1).sum());
                            @if undated > 0 {
                                p.facet-undated {
                                    span.facet-label { "undated" } " " span.count { (count(undated)) }
                                }
                            }
                        }
                        @if buckets.len() > FACET_SHOWN {
                            details.facet-more {
                                summary { (buckets.len() - FACET_SHOWN) " more" }
                                ul {
                                    @for (v, n) in buckets.iter().skip(FACET_SHOWN) {
                                        (facet_item(params, name, v, *n, buckets))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            }
        }
    }
}

/// `(year, month)` of a `YYYY-MM` key.
fn ym(key: &str) -> Option<(i32, u32)> {
    let (y, m) = key.split_once('-')?;
    Some((
        y.parse().ok()?,
        m.parse().ok().filter(|m| (1..=12).contains(m))?,
    ))
}

/// Matches by month as bars (gaps filled with empty months), or by year when the
/// span is long; each bar narrows the search to its period.
fn timeline(params: &Params, results: &SearchResults) -> Option<Markup> {
    let months: BTreeMap<(i32, u32), u64> = results
        .facets
        .get("month")?
        .iter()
        .filter_map(|(k, n)| Some((ym(k)?, *n)))
        .collect();
    let (&first, _) = months.iter().next()?;
    let (&last, _) = months.iter().next_back()?;
    let span = ((last.0 - first.0) * 12 + last.1 as i32 - first.1 as i32 + 1).max(1) as usize;
    let mut bars = Vec::new();
    if span <= MAX_MONTH_BARS {
        let (mut y, mut m) = first;
        for _ in 0..span {
            let n = months.get(&(y, m)).copied().unwrap_or(0);
            let key = format!("{y}-{m:02}");
            bars.push(Bar {
                label: y.to_string(),
                value: n,
                href: (n > 0)
                    .then(|| params.refined(&refine(&params.q, &format!("created:{key}")))),
                title: format!(
                    "{} {y}: {} cable{}",
                    crate::ui::text::month_name(m),
                    count(n),
                    if n == 1 { "" } else { "s" }
                ),
            });
            m += 1;
            if m > 12 {
                m = 1;
                y += 1;
            }
        }
    } else {
        let mut years: BTreeMap<i32, u64> = BTreeMap::new();
        for ((y, _), n) in &months {
            *years.entry(*y).or_default() += n;
        }
        for y in first.0..=last.0 {
            let n = years.get(&y).copied().unwrap_or(0);
            bars.push(Bar {
                label: y.to_string(),
                value: n,
                href: (n > 0).then(|| params.refined(&refine(&params.q, &format!("created:{y}")))),
                title: format!("{y}: {} cable{}", count(n), if n == 1 { "" } else { "s" }),
            });
        }
    }
    let by_month = span <= MAX_MONTH_BARS;
    let label_every = if by_month {
        // One label a year, or every few years on a long range.
        12 * (span / 12 / 12 + 1)
    } else {
        (bars.len() / 16).max(1)
    };
    let first_month = first.1 as usize;
    let labels = move |i: usize, _: &Bar| {
        if by_month {
            (i + first_month - 1).is_multiple_of(label_every) || (i == 0 && span < 12)
        } else {
            i.is_multiple_of(label_every)
        }
    };
    let caption = if by_month {
        "Matching cables by month"
    } else {
        "Matching cables by year"
    };
    Some(html! {
        figure.timeline #timeline {
            figcaption { (caption) }
            (charts::columns(&bars, caption, &labels))
        }
    })
}

fn hit(h: &Hit) -> Markup {
    let url = cable_url(&h.id);
    html! {
        li.hit data-id=(h.id) {
            h3.hit-title {
                a.hit-link href=(url) {
                    @match &h.subject {
                        Some(s) if !s.trim().is_empty() => (s),
                        _ => (h.id),
                    }
                }
            }
            p.hit-meta {
                span.hit-id { (h.id) }
                @if let Some(c) = &h.created {
                    " · " time datetime=(c) { (long_date(c)) }
                }
                @if let Some(o) = &h.origin { " · " span.hit-origin { (o) } }
                @if let Some(c) = &h.classification {
                    " · " span.cls.(level_class(c)) { (c) }
                }
            }
            @if let Some(s) = &h.snippet {
                @let parts = snippet_parts(s);
                // A fragment cut from a paragraph: show where it was cut.
                @let cut_before = parts.first().and_then(|p| p.text.chars().next()).is_some_and(char::is_lowercase);
                @let cut_after = parts.last().and_then(|p| p.text.trim_end().chars().last()).is_some_and(|c| !matches!(c, '.' | '!' | '?' | '"' | ')'));
                p.snippet {
                    @if cut_before { "… " }
                    @for part in &parts {
                        @if part.mark { mark { (part.text) } } @else { (part.text) }
                    }
                    @if cut_after { " …" }
                }
            }
            @if !h.tags.is_empty() {
                ul.hit-tags aria-label="Tags" {
                    @for t in &h.tags {
                        li { abbr title=[tags::meaning(t)] { (t) } }
                    }
                }
            }
        }
    }
}

fn results_page(
    params: &Params,
    results: &SearchResults,
    suggestions: &[Suggestion],
    viewer: &Viewer,
) -> Markup {
    let mut page = Page::new("Search", viewer);
    page.nav = Nav::Search;
    page.header_search = false;
    let title = format!("{} — search", params.q);
    page.title = &title;
    let first = params.from;
    let last = params.from + results.hits.len() as u64 - 1;
    layout::page(
        &page,
        html! {
            h1.visually-hidden { "Search results" }
            (form(params, false))
            div.search-layout {
                @if results.total > 0 { (facets(params, results)) }
                section.results #results aria-labelledby="results-title" {
                    @for h in cablescope_access::query::hints(&params.q) {
                        p.query-hint role="note" { (code_spans(&h)) }
                    }
                    @if !suggestions.is_empty() {
                        p.did-you-mean #did-you-mean role="note" {
                            "Did you mean "
                            @for (i, s) in suggestions.iter().enumerate() {
                                @if i > 0 { ", " }
                                a href=(params.refined(&s.query)) { (s.query) }
                                " (" (count(s.total)) ")"
                            }
                            "?"
                        }
                    }
                    h2.results-title #results-title aria-live="polite" {
                        @if results.total == 0 {
                            "No cables match"
                        } @else if results.hits.is_empty() {
                            (count(results.total)) " cables match; this page is past the last one"
                        } @else {
                            (count(results.total)) " "
                            @if results.total == 1 { "cable matches" } @else { "cables match" }
                            @if results.total as usize > results.hits.len() {
                                span.range { " — showing " (count(first)) "–" (count(last)) }
                            }
                        }
                    }
                    @if results.total == 0 {
                        p.no-results {
                            "Try fewer words, a prefix (" code { "nucl*" } "), or "
                            a href=(params.refined("*")) { "every cable" } "."
                        }
                    }
                    @if let Some(t) = timeline(params, results) { (t) }
                    @if results.total > 0 {
                        nav.sort-links aria-label="Order of results" {
                            span { "Order: " }
                            @for s in SortKey::ALL {
                                @if s == params.sort {
                                    a.current href=(params.href(&params.q, s, None, 1)) aria-current="true" { (s.label()) }
                                } @else {
                                    a href=(params.href(&params.q, s, None, 1)) { (s.label()) }
                                }
                            }
                        }
                    }
                    @if results.total > 0 {
                        nav.export-links #export aria-label="Export every match" {
                            span {
                                "Export "
                                @if results.total == 1 { "this cable" } @else { "all " (count(results.total)) }
                                ": "
                            }
                            a download href=(params.export_href("csv")) title="A spreadsheet: one row per cable, with its text and citations" { "CSV" }
                            a download href=(params.export_href("jsonl")) title="Full records, one JSON object per line" { "JSON lines" }
                            a download href=(params.export_href("graphml")) title="The citation graph of the matches, for yEd, Gephi or networkx" { "GraphML" }
                        }
                    }
                    ol.hits #hits start=(first) {
                        @for h in &results.hits { (hit(h)) }
                    }
                    @if params.cursor.is_some() || results.next_cursor.is_some() {
                        @let previous = params.previous();
                        @let first_page = params.href(&params.q, params.sort, None, 1);
                        nav.pager aria-label="Pages" {
                            @if params.cursor.is_some() && previous.as_deref() != Some(first_page.as_str()) {
                                a.first-page rel="first" href=(first_page) { "« First page" }
                            }
                            @if let Some(p) = &previous {
                                a.previous-page #previous-page rel="prev" href=(p) { "‹ Previous page" }
                            }
                            @if let Some(c) = &results.next_cursor {
                                a.next-page #next-page rel="next" href=(params.next(c, last + 1)) { "Next page »" }
                            }
                        }
                    }
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_read_leniently() {
        let p = Params::parse(Some("q=tag%3APREL&sort=-date&limit=5000&from=x&cursor="));
        assert_eq!(p.q, "tag:PREL");
        assert_eq!(p.sort, SortKey::DateDesc);
        assert_eq!(p.limit, MAX_LIMIT);
        assert_eq!(p.from, 1);
        assert_eq!(p.cursor, None);
        let p = Params::parse(Some("q=a&limit=0&sort=bogus"));
        assert_eq!(p.limit, 1);
        assert_eq!(p.sort, SortKey::Relevance);
        assert_eq!(
            p.href("a b", SortKey::Date, Some("c1"), 3),
            "/search?q=a+b&sort=date&limit=1&cursor=c1&from=3"
        );
    }

    #[test]
    fn pages_carry_the_way_back() {
        let p1 = Params::parse(Some("q=iran"));
        assert_eq!(p1.previous(), None, "the first page has none");
        let p2 = Params::parse(Some(&p1.next("c1", 21)[8..]));
        assert_eq!(p2.cursor.as_deref(), Some("c1"));
        assert_eq!(p2.previous().as_deref(), Some("/search?q=iran"));
        let p3 = Params::parse(Some(&p2.next("c2", 41)[8..]));
        assert_eq!(p3.back, ["c1"]);
        assert_eq!(
            p3.previous().as_deref(),
            Some("/search?q=iran&cursor=c1&from=21")
        );
        // Foreign values are dropped, and the trail is capped.
        let many: Vec<String> = (0..40).map(|i| format!("{i:02x}")).collect();
        let p = Params::parse(Some(&format!(
            "q=x&cursor=ff&from=900&back={},<script>",
            many.join(",")
        )));
        assert_eq!(p.back.len(), BACK_PAGES);
        assert_eq!(p.back.last().map(String::as_str), Some("27"));
        // Past the trail, no Previous (First remains).
        let p = Params::parse(Some("q=x&cursor=ff&from=900"));
        assert_eq!(p.previous(), None);
    }

    #[test]
    fn years_are_listed_newest_first() {
        let b = vec![
            ("2009".to_string(), 90),
            ("1975".to_string(), 5),
            ("2010".to_string(), 3),
        ];
        let years: Vec<String> = facet_order("year", &b).into_iter().map(|x| x.0).collect();
        assert_eq!(years, ["2010", "2009", "1975"]);
        assert_eq!(facet_order("origin", &b), b);
    }

    #[test]
    fn classification_facets_become_level_and_captions() {
        let sib = vec![
            ("SECRET".to_string(), 2),
            ("SECRET//NOFORN".to_string(), 3),
            ("CONFIDENTIAL".to_string(), 1),
        ];
        assert_eq!(
            classification_clauses("SECRET//NOFORN", &sib).unwrap(),
            vec!["classification:S", "caption:NOFORN"]
        );
        assert_eq!(
            classification_clauses("SECRET", &sib).unwrap(),
            vec!["classification:S", "-caption:NOFORN"]
        );
        assert_eq!(
            classification_clauses("CONFIDENTIAL", &sib).unwrap(),
            vec!["classification:C"]
        );
        assert_eq!(
            classification_clauses("UNCLASSIFIED//FOR OFFICIAL USE ONLY", &sib).unwrap(),
            vec!["classification:SBU"]
        );
        assert_eq!(classification_clauses("WHATEVER", &sib), None);
    }
}
