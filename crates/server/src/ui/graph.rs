//! The graph page (`/cables/{id}/graph?depth=1..3`): the citation neighbourhood of a
//! cable in both directions. The data is embedded as JSON in a
//! `<script type="application/json">` block that `graph.js` draws as a timeline (time
//! on the x axis, labels in lanes that never overlap); without JavaScript the same
//! neighbourhood is shown as tables.

use std::collections::BTreeMap;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use cablescope_access::{Direction, Lookup, Neighbourhood};
use cablescope_format::parse_id;
use maud::{html, Markup, PreEscaped};
use serde::Serialize;

use crate::state::AppState;
use crate::ui::cable::{ambiguous, not_found_cable, Route};
use crate::ui::layout::{self, Page};
use crate::ui::text::{cable_url, count, long_date, one_line, short_date};
use crate::ui::{bad_request, internal_error};
use crate::viewer::Viewer;

/// Most nodes drawn; a larger neighbourhood is cut (nearest first) with a notice.
pub const MAX_NODES: usize = 300;
/// Deepest walk offered.
pub const MAX_DEPTH: u32 = 3;

/// A cable in the drawing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphNode {
    /// Cable id.
    pub id: String,
    /// Steps from the centre.
    pub depth: u32,
    /// False when the cable is cited but not in the archive (or not visible).
    pub present: bool,
    /// Subject line, when present and readable.
    pub subject: Option<String>,
    /// Creation time.
    pub created: Option<String>,
    /// The year the id names (`08MOSCOW1599`: 2008), which places a cable without a
    /// creation time on the time axis; none when the id names no plausible year.
    pub id_year: Option<i32>,
    /// Its page, when present.
    pub url: Option<String>,
}

/// The year an id names, read by the one id parser, when it is a plausible cable
/// year (the archive's ids run from 1966 to 2010; 2030 leaves room).
fn id_year(id: &str) -> Option<i32> {
    parse_id(id, None)
        .map(|c| c.year)
        .filter(|y| (1966..=2030).contains(y))
}

/// A citation: `from` cites `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphEdge {
    /// The citing cable.
    pub from: String,
    /// The cited cable.
    pub to: String,
    /// The reference's bullet (`A`), empty when none.
    pub label: String,
}

/// What `graph.js` draws.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphData {
    /// The cable at the centre.
    pub center: String,
    /// The depth walked.
    pub depth: u32,
    /// Cables, the centre first, then by depth.
    pub nodes: Vec<GraphNode>,
    /// Citations between them.
    pub edges: Vec<GraphEdge>,
    /// True when nodes beyond [`MAX_NODES`] were left out.
    pub truncated: bool,
}

/// Builds the drawing's data from the neighbourhood the viewer may see.
fn build(n: Neighbourhood, depth: u32) -> GraphData {
    let truncated = n.nodes.len() > MAX_NODES;
    let nodes: Vec<GraphNode> = n
        .nodes
        .into_iter()
        .take(MAX_NODES)
        .map(|v| GraphNode {
            url: v.present.then(|| cable_url(&v.id)),
            subject: v.subject.as_deref().map(one_line),
            created: v.created,
            id_year: id_year(&v.id),
            id: v.id,
            depth: v.depth,
            present: v.present,
        })
        .collect();
    let kept: BTreeMap<&str, ()> = nodes.iter().map(|n| (n.id.as_str(), ())).collect();
    let edges = n
        .edges
        .into_iter()
        .filter(|e| kept.contains_key(e.from.as_str()) && kept.contains_key(e.to.as_str()))
        .map(|e| GraphEdge {
            from: e.from,
            to: e.to,
            label: e.label,
        })
        .collect();
    GraphData {
        center: n.id,
        depth,
        nodes,
        edges,
        truncated,
    }
}

/// The depth asked for in the query string, 1 to [`MAX_DEPTH`] (default 1).
fn depth_param(raw: Option<&str>) -> u32 {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "depth")
        .and_then(|(_, v)| v.trim().parse::<u32>().ok())
        .unwrap_or(1)
        .clamp(1, MAX_DEPTH)
}

enum Found {
    Graph(Box<GraphData>),
    Other(Route),
}

/// `GET /cables/{id}/graph`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Ok(Path(written)) = path else {
        return bad_request(&viewer, "The address does not hold a readable cable id.");
    };
    let depth = depth_param(raw.as_deref());
    let w = written.clone();
    let found = state
        .with_session(&viewer, move |s| {
            Ok(match Route::of(&w, s.resolve(&w)?) {
                Route::Serve(id) => match s.neighbourhood(&id, Direction::Both, depth)? {
                    Lookup::Found(n) => Found::Graph(Box::new(build(n, depth))),
                    _ => Found::Other(Route::NotFound),
                },
                other => Found::Other(other),
            })
        })
        .await;
    let suffix = format!("/graph?depth={depth}");
    match found {
        Ok(Found::Graph(data)) => render(&data, &viewer).into_response(),
        Ok(Found::Other(Route::Redirect(id))) => {
            Redirect::permanent(&format!("{}{suffix}", cable_url(&id))).into_response()
        }
        Ok(Found::Other(Route::Ambiguous(id, hits))) => {
            ambiguous(&viewer, &id, &hits, &suffix).into_response()
        }
        Ok(Found::Other(_)) => not_found_cable(&viewer, &written),
        Err(e) => internal_error(&viewer, &e),
    }
}

/// The data as JSON safe inside a `<script>` element: `<`, `>` and `&` are written
/// as `\u003c` etc., so no text in the data (a subject with `</script>`) can end the
/// element, and the JSON still parses to the same values.
pub fn embedded_json(data: &GraphData) -> String {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "{}".into());
    let mut out = String::with_capacity(json.len() + 16);
    for ch in json.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The graph page.
pub fn render(data: &GraphData, viewer: &Viewer) -> Markup {
    let title = format!("Citation graph of {}", data.center);
    let mut page = Page::new(&title, viewer);
    page.scripts = &["graph.js"];
    let center = data.nodes.first();
    let relation = |n: &GraphNode| -> &'static str {
        let cites = data
            .edges
            .iter()
            .any(|e| e.from == data.center && e.to == n.id);
        let cited = data
            .edges
            .iter()
            .any(|e| e.to == data.center && e.from == n.id);
        match (cites, cited) {
            (true, true) => "cites it and is cited by it",
            (true, false) => "cited by this cable",
            (false, true) => "cites this cable",
            _ => "further away",
        }
    };
    let missing = data.nodes.iter().filter(|n| !n.present).count();
    layout::page(
        &page,
        html! {
            div.graph-page {
                h1 { "Citation graph of " a href=(cable_url(&data.center)) { (data.center) } }
                @if let Some(s) = center.and_then(|c| c.subject.as_ref()) { p.graph-subject { (s) } }
                form.depth-form #depth-form method="get" {
                    label for="depth" { "Depth" }
                    select #depth name="depth" {
                        @for d in 1..=MAX_DEPTH {
                            option value=(d) selected[d == data.depth] {
                                (d) @if d == 1 { " step" } @else { " steps" }
                            }
                        }
                    }
                    button type="submit" { "Show" }
                }
                p.graph-summary {
                    (count(data.nodes.len() as u64)) " cables, "
                    (count(data.edges.len() as u64)) " citations"
                    @if missing > 0 { ", " (count(missing as u64)) " not in the archive" }
                    "."
                    @if data.truncated { " Only the nearest " (MAX_NODES) " cables are shown." }
                }
                ul.legend aria-label="Legend" {
                    li { span.swatch.swatch-center aria-hidden="true" {} " this cable" }
                    li { span.swatch.swatch-present aria-hidden="true" {} " in the archive" }
                    li { span.swatch.swatch-missing aria-hidden="true" {} " not in archive" }
                    li { span.swatch.swatch-edge aria-hidden="true" {} " cites (arrow points to the cited cable)" }
                }
                div.graph #graph hidden aria-describedby="graph-help" {}
                p.hint #graph-help hidden {
                    "Time runs from left to right; arrows point from the citing cable to the cited one. Click a cable, or focus it with Tab and press Enter, to open it. Hover for its subject."
                }
                script #graph-data type="application/json" { (PreEscaped(embedded_json(data))) }
                section.graph-lists #graph-lists aria-labelledby="graph-lists-title" {
                    h2 #graph-lists-title { "Cables in the neighbourhood" }
                    table.graph-nodes {
                        caption.visually-hidden { "Cables by distance" }
                        thead {
                            tr {
                                th scope="col" { "Cable" }
                                th scope="col" { "Steps" }
                                th scope="col" { "Relation" }
                                th scope="col" { "Date" }
                                th scope="col" { "Subject" }
                            }
                        }
                        tbody {
                            @for n in &data.nodes {
                                tr.graph-node.missing[!n.present] data-id=(n.id) {
                                    td {
                                        @if let Some(u) = &n.url { a href=(u) { (n.id) } } @else { (n.id) }
                                        @if !n.present { " " span.badge.not-in-archive { "not in archive" } }
                                    }
                                    td { (n.depth) }
                                    td { @if n.depth == 0 { "this cable" } @else { (relation(n)) } }
                                    td { @if let Some(c) = &n.created { time datetime=(c) title=(long_date(c)) { (short_date(c)) } } }
                                    td { @if let Some(s) = &n.subject { (s) } }
                                }
                            }
                        }
                    }
                    h2 { "Citations" }
                    @if data.edges.is_empty() {
                        p.none { "No citations in this neighbourhood." }
                    } @else {
                        ul.graph-edges {
                            @for e in &data.edges {
                                li {
                                    a href=(cable_url(&e.from)) { (e.from) }
                                    " cites "
                                    @if data.nodes.iter().any(|n| n.id == e.to && n.present) {
                                        a href=(cable_url(&e.to)) { (e.to) }
                                    } @else {
                                        (e.to) " " span.badge.not-in-archive { "not in archive" }
                                    }
                                    @if !e.label.is_empty() { " (ref " (e.label) ")" }
                                }
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
    fn embedded_json_cannot_close_the_script() {
        let data = GraphData {
            center: "X".into(),
            depth: 1,
            nodes: vec![GraphNode {
                id: "X".into(),
                depth: 0,
                present: true,
                subject: Some("</script><b>&".into()),
                created: None,
                id_year: None,
                url: Some("/cables/X".into()),
            }],
            edges: vec![],
            truncated: false,
        };
        let s = embedded_json(&data);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["nodes"][0]["subject"], "</script><b>&");
    }

    #[test]
    fn the_year_comes_from_the_id() {
        assert_eq!(id_year("08MOSCOW1599"), Some(2008));
        assert_eq!(id_year("75STATE12345"), Some(1975));
        assert_eq!(id_year("1973STATE097844_b"), Some(1973));
        assert_eq!(id_year("MOSCOW1599"), None);
        assert_eq!(id_year("45PARIS1"), None);
    }

    #[test]
    fn depth_is_clamped() {
        assert_eq!(depth_param(None), 1);
        assert_eq!(depth_param(Some("depth=3")), 3);
        assert_eq!(depth_param(Some("depth=9")), 3);
        assert_eq!(depth_param(Some("depth=0")), 1);
        assert_eq!(depth_param(Some("depth=x")), 1);
    }
}
