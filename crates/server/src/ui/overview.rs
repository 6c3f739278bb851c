//! The overview page (`/overview`): charts of the archive — a world map of the
//! posts, cables by year and by month, the top origins, the commonest TAGS, the classification mix, the
//! most-cited cables missing from the archive — drawn on the server as SVG, each
//! with its numbers in a table.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use cablescope_access::Stats;
use maud::{html, Markup};

use crate::state::AppState;
use crate::ui::charts::{self, Bar};
use crate::ui::geo;
use crate::ui::internal_error;
use crate::ui::layout::{self, Nav, Page};
use crate::ui::search::classification_clauses;
use crate::ui::text::{count, quote_value, url_with};
use crate::viewer::Viewer;

/// Origins drawn.
const TOP_ORIGINS: usize = 20;
/// TAGS entries drawn.
const TOP_TAGS: usize = 20;
/// Missing cables listed.
const TOP_MISSING: usize = 25;

/// `GET /overview`.
pub async fn page(State(state): State<AppState>, viewer: Viewer) -> Response {
    match state.with_session(&viewer, |s| s.stats(TOP_MISSING)).await {
        Ok(stats) => render(&stats, &viewer).into_response(),
        Err(e) => internal_error(&viewer, &e),
    }
}

fn search(q: &str) -> String {
    url_with("/search", &[("q", q)])
}

fn cables(n: u64) -> String {
    format!("{} cable{}", count(n), if n == 1 { "" } else { "s" })
}

/// A chart with its numbers in a table (the accessible form of the chart).
fn figure(
    id: &str,
    title: &str,
    chart: Markup,
    head: (&str, &str),
    rows: &[(String, u64, Option<String>)],
) -> Markup {
    html! {
        section.overview-chart id=(id) aria-labelledby=(format!("{id}-title")) {
            h2 id=(format!("{id}-title")) { (title) }
            figure { (chart) }
            details.numbers {
                summary { "The numbers" }
                table.numbers-table {
                    caption.visually-hidden { (title) }
                    thead { tr { th scope="col" { (head.0) } th.num scope="col" { (head.1) } } }
                    tbody {
                        @for (label, n, href) in rows {
                            tr {
                                th scope="row" {
                                    @if let Some(h) = href { a href=(h) { (label) } } @else { (label) }
                                }
                                td.num { (count(*n)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The overview page for `stats`.
pub fn render(stats: &Stats, viewer: &Viewer) -> Markup {
    let mut page = Page::new("Overview", viewer);
    page.nav = Nav::Overview;

    // Years in order, gaps filled so the chart's time axis is even.
    let mut years: Vec<(i32, u64)> = stats
        .by_year
        .iter()
        .filter_map(|(y, n)| Some((y.parse::<i32>().ok()?, *n)))
        .collect();
    years.sort();
    let undated: u64 = stats
        .by_year
        .iter()
        .filter(|(y, _)| y.parse::<i32>().is_err())
        .map(|(_, n)| n)
        .sum();
    let mut year_rows: Vec<(String, u64, Option<String>)> = Vec::new();
    if let (Some(first), Some(last)) = (years.first(), years.last()) {
        for y in first.0..=last.0 {
            let n = years
                .iter()
                .find(|(k, _)| *k == y)
                .map(|(_, n)| *n)
                .unwrap_or(0);
            year_rows.push((
                y.to_string(),
                n,
                (n > 0).then(|| search(&format!("created:{y}"))),
            ));
        }
    }
    let year_bars: Vec<Bar> = year_rows
        .iter()
        .map(|(y, n, h)| Bar {
            label: y.clone(),
            value: *n,
            href: h.clone(),
            title: format!("{y}: {}", cables(*n)),
        })
        .collect();
    let every = (year_bars.len() / 14).max(1);
    let year_chart = charts::columns(&year_bars, "Cables by year", &|i, _| {
        i.is_multiple_of(every)
    });

    // Months in order, gaps filled, one label a year (every few on a long span).
    let months: Vec<((i32, u32), u64)> = stats
        .by_month
        .iter()
        .filter_map(|(k, n)| {
            let (y, m) = k.split_once('-')?;
            Some(((y.parse().ok()?, m.parse().ok()?), *n))
        })
        .collect();
    let mut month_rows: Vec<(String, u64, Option<String>)> = Vec::new();
    if let (Some(first), Some(last)) = (months.first(), months.last()) {
        let (mut y, mut m) = first.0;
        while (y, m) <= last.0 {
            let key = format!("{y}-{m:02}");
            let n = months
                .iter()
                .find(|(k, _)| *k == (y, m))
                .map(|(_, n)| *n)
                .unwrap_or(0);
            month_rows.push((
                key.clone(),
                n,
                (n > 0).then(|| search(&format!("created:{key}"))),
            ));
            m += 1;
            if m > 12 {
                (y, m) = (y + 1, 1);
            }
        }
    }
    let month_bars: Vec<Bar> = month_rows
        .iter()
        .map(|(k, n, h)| Bar {
            label: k[..4].to_string(),
            value: *n,
            href: h.clone(),
            title: format!("{k}: {}", cables(*n)),
        })
        .collect();
    let years_spanned = month_rows.len().div_ceil(12).max(1);
    let label_years = years_spanned.div_ceil(14).max(1);
    let month_chart = charts::columns(&month_bars, "Cables by month", &|i, b| {
        let first_of_year = month_rows[i].0.ends_with("-01") || i == 0;
        first_of_year
            && b.label
                .parse::<usize>()
                .is_ok_and(|y| y.is_multiple_of(label_years))
    });
    let month_table: Vec<(String, u64, Option<String>)> = month_rows
        .iter()
        .filter(|(_, n, _)| *n > 0)
        .cloned()
        .collect();

    let tag_rows: Vec<(String, u64, Option<String>)> = stats
        .by_tag
        .iter()
        .take(TOP_TAGS)
        .map(|(t, n)| {
            (
                t.clone(),
                *n,
                Some(search(&format!("tag:{}", quote_value(t)))),
            )
        })
        .collect();
    let tag_bars: Vec<Bar> = tag_rows
        .iter()
        .map(|(t, n, h)| Bar {
            label: t.clone(),
            value: *n,
            href: h.clone(),
            title: match crate::ui::tags::meaning(t) {
                Some(m) => format!("{t} ({m}): {}", cables(*n)),
                None => format!("{t}: {}", cables(*n)),
            },
        })
        .collect();

    let all_origin_rows: Vec<(String, u64, Option<String>)> = stats
        .by_origin
        .iter()
        .filter(|(o, _)| !o.is_empty())
        .map(|(o, n)| {
            (
                o.clone(),
                *n,
                Some(search(&format!("origin:{}", quote_value(o)))),
            )
        })
        .collect();
    let origin_rows: Vec<(String, u64, Option<String>)> = stats
        .by_origin
        .iter()
        .take(TOP_ORIGINS)
        .map(|(o, n)| {
            (
                o.clone(),
                *n,
                Some(search(&format!("origin:{}", quote_value(o)))),
            )
        })
        .collect();
    let class_rows: Vec<(String, u64, Option<String>)> = stats
        .by_classification
        .iter()
        .map(|(c, n)| {
            let href =
                classification_clauses(c, &stats.by_classification).map(|cl| search(&cl.join(" ")));
            (c.clone(), *n, href)
        })
        .collect();
    let bars = |rows: &[(String, u64, Option<String>)]| -> Vec<Bar> {
        rows.iter()
            .map(|(l, n, h)| Bar {
                label: l.clone(),
                value: *n,
                href: h.clone(),
                title: format!("{l}: {}", cables(*n)),
            })
            .collect()
    };
    let posts = stats.by_origin.len();
    layout::page(
        &page,
        html! {
            div.overview {
                h1 { "The archive at a glance" }
                dl.headline #headline {
                    div { dt { "Cables" } dd #total-cables { (count(stats.cables)) } }
                    div { dt { "Posts" } dd { (count(posts as u64)) } }
                    @if let (Some(f), Some(l)) = (years.first(), years.last()) {
                        div { dt { "Years" } dd { (f.0) "–" (l.0) } }
                    }
                }
                @if stats.cables == 0 {
                    p.none { "The archive holds no cables yet. Add some with " code { "cablescope ingest PATH" } "." }
                } @else {
                    div.overview-grid {
                        (figure("posts-map", "Where the cables were sent from", html! {
                            (geo::world_map(&stats.by_origin, &|station| search(&format!("origin:{}", quote_value(station))), "Posts on a world map, circles sized by their cables"))
                            @let off = geo::unplaced(&stats.by_origin);
                            @if off > 0 { p.note { (cables(off)) " from posts without a known place (or of unknown origin) are not drawn." } }
                        }, ("Post", "Cables"), &all_origin_rows))
                        (figure("by-year", "Cables by year", html! {
                            (year_chart)
                            @if undated > 0 { p.note { (cables(undated)) " without a date are not drawn." } }
                        }, ("Year", "Cables"), &year_rows))
                        @if !month_rows.is_empty() {
                            (figure("by-month", "Cables by month", month_chart, ("Month", "Cables"), &month_table))
                        }
                        (figure("by-origin", &format!("Top {} origins", origin_rows.len()), charts::rows(&bars(&origin_rows), "Top origins", 560.0), ("Origin", "Cables"), &origin_rows))
                        @if !tag_rows.is_empty() {
                            (figure("by-tag", &format!("Top {} TAGS", tag_rows.len()), charts::rows(&tag_bars, "Top TAGS", 560.0), ("TAGS", "Cables"), &tag_rows))
                        }
                        (figure("by-classification", "Classification", charts::rows(&bars(&class_rows), "Classification mix", 560.0), ("Classification", "Cables"), &class_rows))
                        section.overview-chart #most-cited-missing aria-labelledby="missing-title" {
                            h2 #missing-title { "Most-cited cables not in the archive" }
                            @if stats.most_cited_missing.is_empty() {
                                p.none { "Every cited cable is in the archive." }
                            } @else {
                                table.numbers-table.missing-table {
                                    caption.visually-hidden { "Cited cables missing from the archive, most cited first" }
                                    thead { tr { th scope="col" { "Cable" } th.num scope="col" { "Cited by" } } }
                                    tbody {
                                        @for (id, n) in &stats.most_cited_missing {
                                            tr {
                                                th scope="row" { span.ref-id { (id) } }
                                                td.num { a href=(search(&format!("cites:{id}"))) { (cables(*n)) } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
