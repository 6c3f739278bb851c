//! The cable page (`/cables/{id}`): the header fields as a table, the text with its
//! portion marks, references linked to their cables (or marked "not in archive"),
//! the cables that cite this one, the sources with a side-by-side diff where merged
//! copies differ, the diagnostics, and a citation with a BibTeX entry. Paragraphs and
//! header fields the viewer's clearance withholds show as placeholders: in the
//! record, and in every copy of the Sources diff, whose portions are judged by the
//! join of the copy's own marking and the merged record's
//! (`cablescope_access::Access::judge_copy`), so a diff never shows as `<ins>` text
//! what the merged record withholds. Everything comes from one audited read
//! (`Session::cable_page`); the citation and BibTeX are made from the redacted
//! record.
//!
//! Ids are read loosely: `/cables/08%20MOSCOW%201599` redirects (308) to
//! `/cables/08MOSCOW1599`; an id without a year redirects when it names one cable
//! and lists the candidates when it names several.

use std::collections::BTreeSet;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use cablescope_access::{CablePage, CopyView, Hit, Lookup, Resolved};
use cablescope_format::public_url::public_urls;
use cablescope_format::{Cable, Code, Paragraph, Recipient};
use maud::{html, Markup};
use similar::{DiffOp, DiffTag};

use crate::state::AppState;
use crate::ui::layout::{self, Page};
use crate::ui::text::{
    cable_url, count, level_class, long_date, long_time, mark_words, one_line, reflow, short_date,
    url_with, ymd,
};
use crate::ui::{bad_request, internal_error, not_found, tags};
use crate::viewer::Viewer;

/// Most rows of one side-by-side diff.
const MAX_DIFF_ROWS: usize = 600;

pub use cablescope_access::Citing;

/// Everything the cable page shows, gathered in one read of the archive.
#[derive(Debug, Clone, Default)]
pub struct CableView {
    /// The merged record, as the viewer may see it.
    pub cable: Cable,
    /// Referenced ids that are in the archive (and visible to the viewer).
    pub present: BTreeSet<String>,
    /// The cables that cite this one.
    pub cited_by: Vec<Citing>,
    /// The stored copies, each as the viewer may see it (judged by the join of its
    /// own markings and the merged record's).
    pub copies: Vec<CopyView>,
}

impl CableView {
    /// A view of a cable alone: no references present, no citing cables, no copies.
    pub fn new(cable: Cable) -> Self {
        CableView {
            cable,
            ..CableView::default()
        }
    }
}

impl From<CablePage> for CableView {
    fn from(p: CablePage) -> Self {
        CableView {
            cable: p.read.cable,
            present: p.read.present,
            cited_by: p.cited_by,
            copies: p.copies,
        }
    }
}

/// What a page of a cable (`/cables/{id}`, `/cables/{id}/graph`) does with an id
/// as written: serve it, send the browser to its canonical form, list the
/// candidates, or say there is none.
pub(crate) enum Route {
    /// The id is canonical and names a cable the viewer may see.
    Serve(String),
    /// The canonical form of the id.
    Redirect(String),
    /// An id without a year names several cables (the id without its year, and
    /// some of them).
    Ambiguous(String, Vec<Hit>),
    /// No cable (that the viewer may see).
    NotFound,
}

impl Route {
    /// The route of `written`, resolved for the viewer (audited as `resolve`).
    pub(crate) fn of(written: &str, r: Resolved) -> Route {
        match r {
            Resolved::Id(id) if id == written => Route::Serve(id),
            Resolved::Id(id) => Route::Redirect(id),
            Resolved::Ambiguous { id, hits, .. } => Route::Ambiguous(id, hits),
            Resolved::NotFound => Route::NotFound,
        }
    }
}

/// What the handler found.
enum Found {
    Page(Box<CableView>),
    Other(Route),
}

/// `GET /cables/{id}`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(written)) = path else {
        return bad_request(&viewer, "The address does not hold a readable cable id.");
    };
    let w = written.clone();
    let found = state
        .with_session(&viewer, move |s| {
            Ok(match Route::of(&w, s.resolve(&w)?) {
                Route::Serve(id) => match s.cable_page(&id)? {
                    Lookup::Found(p) => Found::Page(Box::new(p.into())),
                    _ => Found::Other(Route::NotFound),
                },
                other => Found::Other(other),
            })
        })
        .await;
    match found {
        Ok(Found::Page(view)) => render(&view, &viewer).into_response(),
        Ok(Found::Other(Route::Redirect(id))) => {
            Redirect::permanent(&cable_url(&id)).into_response()
        }
        Ok(Found::Other(Route::Ambiguous(id, hits))) => {
            ambiguous(&viewer, &id, &hits, "").into_response()
        }
        Ok(Found::Other(_)) => not_found_cable(&viewer, &written),
        Err(e) => internal_error(&viewer, &e),
    }
}

/// The 404 page for an id the archive does not hold.
pub(crate) fn not_found_cable(viewer: &Viewer, written: &str) -> Response {
    not_found(
        viewer,
        html! {
            p {
                "There is no cable " strong.missing-id { (written) } " in the archive."
            }
            p {
                "Cables that cite it, if any: "
                a href=(url_with("/search", &[("q", &format!("cites:{}", crate::ui::text::quote_value(written.trim())))])) { "search for cites:" (written.trim()) }
                "."
            }
        },
    )
}

/// Several cables match an id written without its year.
pub(crate) fn ambiguous(viewer: &Viewer, written: &str, hits: &[Hit], suffix: &str) -> Markup {
    let title = format!("{written}: several cables");
    layout::message_page(
        &Page::new(&title, viewer),
        &format!("{written} names {} cables", hits.len()),
        html! {
            p { "Add the year to the id, or pick one:" }
            ul.candidates {
                @for h in hits {
                    li {
                        a href=(format!("{}{suffix}", cable_url(&h.id))) { (h.id) }
                        @if let Some(c) = &h.created { " — " (long_date(c)) }
                        @if let Some(s) = &h.subject { " — " (s) }
                    }
                }
            }
        },
    )
}

/// Plain-language name of the sending post for a citation: `AMEMBASSY MOSCOW` →
/// "Embassy Moscow", `SECSTATE WASHDC` → "Secretary of State".
pub fn post_name(c: &Cable) -> String {
    let name = c
        .origin
        .name
        .clone()
        .or_else(|| c.origin.station.clone())
        .unwrap_or_default();
    let up = name.trim().to_ascii_uppercase();
    if up.starts_with("SECSTATE") {
        return "Secretary of State".into();
    }
    const PREFIXES: &[(&str, &str)] = &[
        ("AMEMBASSY ", "Embassy "),
        ("AMCONSUL ", "Consulate "),
        ("USMISSION ", "US Mission "),
        ("USINT ", "US Interests Section "),
        ("USDEL ", "US Delegation "),
        ("USOFFICE ", "US Office "),
    ];
    let (prefix, rest) = PREFIXES
        .iter()
        .find_map(|(p, r)| up.strip_prefix(p).map(|rest| (*r, rest)))
        .unwrap_or(("", up.as_str()));
    let rest: Vec<String> = rest
        .split_whitespace()
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_string() + &cs.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect();
    format!("{prefix}{}", rest.join(" ")).trim().to_string()
}

/// The citation: `Embassy Moscow, "SUBJECT," cable 08MOSCOW1599, 5 June 2008,
/// CONFIDENTIAL, https://wikileaks.org/cable/2008/06/08MOSCOW1599.html.`, ending
/// with the public page of a copy from a known publisher
/// ([`cablescope_format::public_url`]), else `via cablescope.` (never a path on the
/// server).
pub fn citation(c: &Cable) -> String {
    let id = c.id.as_deref().unwrap_or("(no id)");
    let mut s = post_name(c);
    if !s.is_empty() {
        s.push_str(", ");
    }
    match c.subject.as_deref().filter(|s| !s.trim().is_empty()) {
        // The comma goes inside the quotation marks, as style guides want.
        Some(subject) => s.push_str(&format!(
            "\u{201c}{},\u{201d} cable {id}",
            one_line(subject)
        )),
        None => s.push_str(&format!("cable {id}")),
    }
    s.push_str(", ");
    s.push_str(
        &c.created
            .as_deref()
            .map(long_date)
            .unwrap_or_else(|| "undated".into()),
    );
    if let Some(cl) = &c.classification {
        s.push_str(", ");
        s.push_str(cl);
    }
    match public_urls(c).first() {
        Some(url) => {
            s.push_str(", ");
            s.push_str(url);
            s.push('.');
        }
        None => s.push_str(", via cablescope."),
    }
    s
}

/// Escapes text for a BibTeX value in braces.
fn tex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '&' | '%' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(ch);
            }
            '^' => out.push_str("\\^{}"),
            '~' => out.push_str("\\~{}"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A URL for a BibTeX `url` field (read verbatim by the `url` package): only
/// braces and backslashes would break the entry, and public addresses have none,
/// but a hostile one is emptied of them rather than trusted.
fn tex_url(u: &str) -> String {
    u.chars()
        .filter(|c| !matches!(c, '{' | '}' | '\\') && !c.is_control())
        .collect()
}

/// A BibTeX `@misc` entry for the cable (with the `url` of a copy's public page,
/// when it has one).
pub fn bibtex(c: &Cable) -> String {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let id = c.id.as_deref().unwrap_or("unknown");
    let key: String = id.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let mut fields: Vec<(&str, String)> = Vec::new();
    let post = post_name(c);
    if !post.is_empty() {
        fields.push(("author", format!("{{{}}}", tex(&post))));
    }
    let title = c
        .subject
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(one_line)
        .unwrap_or_else(|| format!("Cable {id}"));
    fields.push(("title", format!("{{{}}}", tex(&title))));
    let mut how = format!("Diplomatic cable {}", tex(id));
    if let Some(cl) = &c.classification {
        how.push_str(", ");
        how.push_str(&tex(cl));
    }
    fields.push(("howpublished", how));
    if let Some((y, m, d)) = c.created.as_deref().and_then(ymd) {
        fields.push(("year", y.to_string()));
        fields.push(("month", MONTHS[(m - 1) as usize].to_string()));
        fields.push(("date", format!("{y:04}-{m:02}-{d:02}")));
    }
    match public_urls(c).first() {
        Some(url) => fields.push(("url", tex_url(url))),
        None => fields.push(("note", "Via cablescope".to_string())),
    }
    let mut s = format!("@misc{{cable{key},\n");
    for (k, v) in &fields {
        if *k == "month" {
            s.push_str(&format!("  {k} = {v},\n"));
        } else {
            s.push_str(&format!("  {k} = {{{v}}},\n"));
        }
    }
    s.push('}');
    s
}

fn withheld_cell() -> Markup {
    html! { td.withheld { "withheld — not within your clearance" } }
}

fn recipients(rs: &[Recipient]) -> Markup {
    html! {
        ul.plain {
            @for r in rs {
                li {
                    (r.name)
                    @if let Some(p) = &r.precedence { " " span.precedence { (p) } }
                    @if let Some(ri) = &r.routing_indicator { " " span.ri { "(" (ri) ")" } }
                }
            }
        }
    }
}

/// The header fields as a table; withheld fields as placeholders.
fn header_table(c: &Cable) -> Markup {
    let withheld = |name: &str| c.withheld.iter().any(|w| w == name);
    let origin = match (&c.origin.station, &c.origin.name) {
        (Some(s), Some(n)) if n != s => format!("{s} — {n}"),
        (Some(s), _) => s.clone(),
        (None, Some(n)) => n.clone(),
        (None, None) => String::new(),
    };
    html! {
        table.fields #header-fields {
            caption.visually-hidden { "Header fields" }
            tbody {
                tr { th scope="row" { "Id" } td {
                    span.cable-id-value { (c.id.as_deref().unwrap_or("—")) }
                    @if let Some(w) = c.id_as_written.as_deref().filter(|w| Some(*w) != c.id.as_deref()) {
                        " " span.as-written { "(written " (w) ")" }
                    }
                } }
                @if let Some(t) = &c.created {
                    tr { th scope="row" { "Date" } td { time datetime=(t) { (long_time(t)) } } }
                }
                @if let Some(p) = &c.precedence { tr { th scope="row" { "Precedence" } td { (p) } } }
                @if !origin.is_empty() {
                    tr { th scope="row" { "Origin" } td {
                        @if let Some(s) = &c.origin.station {
                            a href=(url_with("/search", &[("q", &format!("origin:{}", crate::ui::text::quote_value(s)))])) { (origin) }
                        } @else { (origin) }
                        @if let Some(ri) = &c.origin.routing_indicator { " " span.ri { "(" (ri) ")" } }
                    } }
                }
                @if let Some(cl) = &c.classification {
                    tr { th scope="row" { "Classification" } td { span.cls.(level_class(cl)) { (cl) } } }
                }
                @if !c.captions.is_empty() {
                    tr { th scope="row" { "Captions" } td { (c.captions.join(", ")) } }
                }
                @if let Some(s) = &c.section {
                    tr { th scope="row" { "Section" } td { (s.number) " of " (s.of) } }
                }
                @if !c.recipients.is_empty() {
                    tr { th scope="row" { "To" } td { (recipients(&c.recipients)) } }
                }
                @if !c.info_recipients.is_empty() {
                    tr { th scope="row" { "Info" } td { (recipients(&c.info_recipients)) } }
                }
                @if !c.exempt_recipients.is_empty() {
                    tr { th scope="row" { "Exempt" } td { (recipients(&c.exempt_recipients)) } }
                }
                @if !c.passing_lines.is_empty() {
                    tr { th scope="row" { "Passing" } td { (c.passing_lines.join("; ")) } }
                }
                @if let Some(eo) = &c.eo {
                    tr { th scope="row" { "E.O." } td { (eo.strip_prefix("E.O.").unwrap_or(eo).trim()) } }
                }
                @if let Some(d) = &c.declassify_on {
                    tr { th scope="row" { "Declassify on" } td { (long_date(d)) } }
                }
                @if withheld("classified_by") {
                    tr { th scope="row" { "Classified by" } (withheld_cell()) }
                } @else if !c.classified_by.is_empty() {
                    tr { th scope="row" { "Classified by" } td { (c.classified_by.join("; ")) } }
                }
                @if withheld("reasons") {
                    tr { th scope="row" { "Reasons" } (withheld_cell()) }
                } @else if !c.reasons.is_empty() {
                    tr { th scope="row" { "Reasons" } td { (c.reasons.join(", ")) } }
                }
                @if !c.tags.is_empty() {
                    tr { th scope="row" { "Tags" } td {
                        ul.tags #tags {
                            @for t in &c.tags {
                                li.tag {
                                    a.tag-code href=(url_with("/search", &[("q", &format!("tag:{}", crate::ui::text::quote_value(t)))])) { (t) }
                                    @if let Some(m) = tags::meaning(t) { " " span.tag-meaning { (m) } }
                                }
                            }
                        }
                    } }
                }
                @if withheld("subject") {
                    tr { th scope="row" { "Subject" } (withheld_cell()) }
                } @else if let Some(s) = &c.subject {
                    tr { th scope="row" { "Subject" } td {
                        @if let Some(m) = &c.subject_marking { (mark_badge(m, None)) " " }
                        (s)
                    } }
                }
                @if c.redactions > 0 {
                    tr { th scope="row" { "Redactions" } td { (c.redactions) " redacted span" @if c.redactions != 1 { "s" } } }
                }
                @if c.partial {
                    tr { th scope="row" { "Partial" } td { "This text is an extract or one section of several." } }
                }
                @if let Some(p) = &c.published {
                    @if let Some(r) = &p.released {
                        tr { th scope="row" { "Released" } td { (long_date(r)) } }
                    }
                }
            }
        }
    }
}

/// A portion mark as a badge: `(S/NF)`.
fn mark_badge(mark: &str, as_written: Option<&str>) -> Markup {
    let title = match as_written {
        Some(w) if w != mark => format!("{} (written {w})", mark_words(mark)),
        _ => mark_words(mark),
    };
    html! { span.mark.(level_class(mark)) title=(title) { "(" (mark) ")" } }
}

/// The paragraphs with their numbers and portion marks; withheld ones as placeholders.
pub fn paragraphs(c: &Cable) -> Markup {
    html! {
        div.cable-text #cable-text {
            @for p in &c.paragraphs { (paragraph(p, &cuts_in(c, p.number))) }
        }
    }
}

/// Where the text of paragraph `number` breaks off, from the parser's
/// `truncated_paragraph` diagnostics: (the last words before the loss, as the
/// diagnostic quotes them, and the diagnostic's message).
fn cuts_in(c: &Cable, number: u32) -> Vec<(String, String)> {
    c.diagnostics
        .iter()
        .filter(|d| d.code == Code::TruncatedParagraph && d.paragraph == Some(number))
        .map(|d| {
            let tail = d
                .message
                .split_once('\u{201C}')
                .and_then(|(_, rest)| rest.split_once('\u{201D}'))
                .map(|(t, _)| t.trim_start_matches('…').trim().to_string())
                .unwrap_or_default();
            (tail, d.message.clone())
        })
        .collect()
}

/// The mark put where a copy's text breaks off.
fn cut_mark(message: &str) -> Markup {
    html! {
        " " span.cut-off title=(message) role="note" {
            "[…] "
            span.cut-off-note { "text lost here in this copy" }
        }
    }
}

fn paragraph(p: &Paragraph, cuts: &[(String, String)]) -> Markup {
    let anchor = format!("p{}", p.number);
    if p.withheld {
        let what = if p.number == 0 {
            "The unnumbered text".to_string()
        } else {
            format!("Paragraph {}", p.number)
        };
        let mark = p
            .marking
            .as_deref()
            .map(|m| format!(" ({m})"))
            .unwrap_or_default();
        return html! {
            div.para.withheld id=(anchor) {
                p {
                    @if p.number > 0 { a.para-num href=(format!("#{anchor}")) { (p.number) "." } " " }
                    @if let Some(m) = &p.marking { (mark_badge(m, None)) " " }
                    span.withheld-note { (what) (mark) " withheld — not within your clearance" }
                }
            }
        };
    }
    let blocks = reflow(&p.text);
    // Each cut goes after the first line that ends with the words it quotes, else
    // at the end of the paragraph.
    let mut placed: Vec<bool> = vec![false; cuts.len()];
    let mut after_line: Vec<Vec<usize>> =
        blocks.iter().map(|b| vec![usize::MAX; b.len()]).collect();
    for (k, (tail, _)) in cuts.iter().enumerate() {
        if tail.is_empty() {
            continue;
        }
        'find: for (bi, block) in blocks.iter().enumerate() {
            for (li, line) in block.iter().enumerate() {
                if after_line[bi][li] == usize::MAX && line.trim_end().ends_with(tail.as_str()) {
                    after_line[bi][li] = k;
                    placed[k] = true;
                    break 'find;
                }
            }
        }
    }
    html! {
        div.para.cut[!cuts.is_empty()] id=(anchor) {
            @if let Some(h) = &p.heading { p.para-heading { (h) } }
            @if blocks.is_empty() {
                p {
                    @if p.number > 0 { a.para-num href=(format!("#{anchor}")) { (p.number) "." } " " }
                    @if let Some(m) = &p.marking { (mark_badge(m, p.marking_as_written.as_deref())) }
                }
            }
            @for (i, block) in blocks.iter().enumerate() {
                p {
                    @if i == 0 {
                        @if p.number > 0 { a.para-num href=(format!("#{anchor}")) { (p.number) "." } " " }
                        @if let Some(m) = &p.marking { (mark_badge(m, p.marking_as_written.as_deref())) " " }
                    }
                    @for (j, line) in block.iter().enumerate() {
                        @if j > 0 { br; }
                        (line)
                        @if let Some((_, m)) = cuts.get(after_line[i][j]) { (cut_mark(m)) }
                    }
                }
            }
            @for (k, (_, m)) in cuts.iter().enumerate() {
                @if !placed[k] { p { (cut_mark(m)) } }
            }
        }
    }
}

fn references(view: &CableView) -> Markup {
    let c = &view.cable;
    let withheld = c.withheld.iter().any(|w| w == "references");
    html! {
        @if withheld {
            section.references #references aria-labelledby="refs-title" {
                h2 #refs-title { "References" }
                p.withheld { "The references are withheld — not within your clearance." }
            }
        } @else if !c.references.is_empty() {
            section.references #references aria-labelledby="refs-title" {
                h2 #refs-title { "References" }
                ol.refs {
                    @for r in &c.references {
                        @let present = r.id.as_ref().is_some_and(|id| view.present.contains(id));
                        li.ref.missing[r.id.is_some() && !present] {
                            @if let Some(l) = &r.label { span.ref-label { (l) "." } " " }
                            @match &r.id {
                                Some(id) if present => {
                                    a.ref-link href=(cable_url(id)) { (id) }
                                }
                                Some(id) => {
                                    span.ref-id { (id) } " "
                                    span.badge.not-in-archive { "not in archive" }
                                }
                                None => {}
                            }
                            @if r.id.is_none() || one_line(&r.text) != r.id.clone().unwrap_or_default() {
                                " " span.ref-text { (one_line(&r.text)) }
                            }
                            @if r.year_inferred { " " span.note { "(year inferred)" } }
                        }
                    }
                }
            }
        }
    }
}

fn cited_by(view: &CableView) -> Markup {
    let id = view.cable.id.clone().unwrap_or_default();
    html! {
        section.cited-by #cited-by aria-labelledby="cited-by-title" {
            h2 #cited-by-title { "Cited by" }
            @if view.cited_by.is_empty() {
                p.none { "No cable in the archive cites this one." }
            } @else {
                p {
                    (count(view.cited_by.len() as u64)) " "
                    @if view.cited_by.len() == 1 { "cable cites" } @else { "cables cite" }
                    " this one. "
                    a href=(url_with("/search", &[("q", &format!("cites:{id}")), ("sort", "date")])) { "Search them" }
                }
                ul.citing {
                    @for c in &view.cited_by {
                        li {
                            a href=(cable_url(&c.id)) { (c.id) }
                            @if let Some(t) = &c.created { " " time datetime=(t) { (short_date(t)) } }
                            @if let Some(s) = &c.subject { " — " span.subject { (s) } }
                        }
                    }
                }
            }
        }
    }
}

/// The copy as logical lines for a diff: header fields, then one line per paragraph
/// (whitespace normalised, so differences in line wrapping between containers do not
/// show as changes).
fn copy_lines(c: &Cable) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = |name: &str, v: &str| {
        if !v.trim().is_empty() {
            out.push(format!("{name}: {}", one_line(v)));
        }
    };
    field("ID", c.id.as_deref().unwrap_or(""));
    field("DATE", c.created.as_deref().unwrap_or(""));
    field("PRECEDENCE", c.precedence.as_deref().unwrap_or(""));
    field(
        "FROM",
        c.origin
            .name
            .as_deref()
            .or(c.origin.station.as_deref())
            .unwrap_or(""),
    );
    let to: Vec<&str> = c.recipients.iter().map(|r| r.name.as_str()).collect();
    field("TO", &to.join("; "));
    let info: Vec<&str> = c.info_recipients.iter().map(|r| r.name.as_str()).collect();
    field("INFO", &info.join("; "));
    field("CLASSIFICATION", c.classification.as_deref().unwrap_or(""));
    field("CAPTIONS", &c.captions.join(", "));
    field("E.O.", c.eo.as_deref().unwrap_or(""));
    field("TAGS", &c.tags.join(", "));
    field("SUBJECT", c.subject.as_deref().unwrap_or(""));
    for r in &c.references {
        let l = r
            .label
            .as_deref()
            .map(|l| format!("{l}. "))
            .unwrap_or_default();
        field("REF", &format!("{l}{}", r.text));
    }
    field("CLASSIFIED BY", &c.classified_by.join("; "));
    for p in &c.paragraphs {
        let num = if p.number > 0 {
            format!("{}. ", p.number)
        } else {
            String::new()
        };
        let mark = p
            .marking
            .as_deref()
            .map(|m| format!("({m}) "))
            .unwrap_or_default();
        let text = if p.withheld {
            "[withheld]".to_string()
        } else {
            one_line(&p.text)
        };
        out.push(format!("{num}{mark}{text}"));
    }
    let mut field = |name: &str, v: &str| {
        if !v.trim().is_empty() {
            out.push(format!("{name}: {}", one_line(v)));
        }
    };
    field("SIGNED", &c.signers.join("; "));
    out
}

/// One side of a changed line pair, with the words that differ marked.
fn inline_diff(old: &str, new: &str) -> (Markup, Markup) {
    let d = similar::TextDiff::from_words(old, new);
    let mut left = Vec::new();
    let mut right = Vec::new();
    for ch in d.iter_all_changes() {
        let v = ch.value().to_string();
        match ch.tag() {
            similar::ChangeTag::Equal => {
                left.push((false, v.clone()));
                right.push((false, v));
            }
            similar::ChangeTag::Delete => left.push((true, v)),
            similar::ChangeTag::Insert => right.push((true, v)),
        }
    }
    let side = |parts: Vec<(bool, String)>, del: bool| {
        html! {
            @for (changed, t) in parts {
                @if changed { @if del { del { (t) } } @else { ins { (t) } } } @else { (t) }
            }
        }
    };
    (side(left, true), side(right, false))
}

/// A side-by-side diff of two copies' lines, in hunks with three lines of context.
fn diff_table(a_name: &str, b_name: &str, a: &[String], b: &[String]) -> Markup {
    let ops = similar::capture_diff_slices(similar::Algorithm::Myers, a, b);
    let groups = similar::group_diff_ops(ops, 3);
    let mut rows: Vec<Markup> = Vec::new();
    let mut truncated = false;
    for (gi, group) in groups.iter().enumerate() {
        if gi > 0 {
            rows.push(html! { tr.hunk-gap { td colspan="4" { "…" } } });
        }
        for op in group {
            let (tag, old, new) = op.as_tag_tuple();
            match (tag, op) {
                (DiffTag::Equal, _) => {
                    for (i, j) in old.clone().zip(new.clone()) {
                        rows.push(html! {
                            tr.same {
                                td.ln { (i + 1) } td.a { (a[i]) }
                                td.ln { (j + 1) } td.b { (b[j]) }
                            }
                        });
                    }
                }
                (_, DiffOp::Delete { .. } | DiffOp::Insert { .. } | DiffOp::Replace { .. }) => {
                    let olds: Vec<usize> = old.clone().collect();
                    let news: Vec<usize> = new.clone().collect();
                    for k in 0..olds.len().max(news.len()) {
                        let row = match (olds.get(k), news.get(k)) {
                            (Some(&i), Some(&j)) => {
                                let (l, r) = inline_diff(&a[i], &b[j]);
                                html! { tr.changed { td.ln { (i + 1) } td.a.del { (l) } td.ln { (j + 1) } td.b.ins { (r) } } }
                            }
                            (Some(&i), None) => html! {
                                tr.removed { td.ln { (i + 1) } td.a.del { del { (a[i]) } } td.ln {} td.b.empty {} }
                            },
                            (None, Some(&j)) => html! {
                                tr.added { td.ln {} td.a.empty {} td.ln { (j + 1) } td.b.ins { ins { (b[j]) } } }
                            },
                            (None, None) => html! {},
                        };
                        rows.push(row);
                    }
                }
                _ => {}
            }
            if rows.len() > MAX_DIFF_ROWS {
                truncated = true;
                break;
            }
        }
        if truncated {
            break;
        }
    }
    html! {
        div.diff-wrap {
            table.diff {
                caption.visually-hidden { "Differences between " (a_name) " and " (b_name) }
                thead {
                    tr {
                        th.ln scope="col" { span.visually-hidden { "Line" } }
                        th scope="col" { (a_name) }
                        th.ln scope="col" { span.visually-hidden { "Line" } }
                        th scope="col" { (b_name) }
                    }
                }
                tbody { @for r in rows { (r) } }
            }
            @if truncated { p.note { "The diff is long; only its beginning is shown." } }
        }
    }
}

fn copy_name(row: &CopyView) -> String {
    if row.item > 1 || row.record.source.item.is_some() {
        format!("{} #{}", row.path, row.item)
    } else {
        row.path.clone()
    }
}

fn sources(view: &CableView) -> Markup {
    let c = &view.cable;
    let is_main = |row: &CopyView| {
        c.source.path.as_deref() == Some(row.path.as_str())
            && c.source.item.map(|i| i as u64).unwrap_or(row.item) == row.item
    };
    let base = view.copies.iter().position(is_main).unwrap_or(0);
    // Without stored copies (a view built in memory), list what the record names.
    // (name, format, encoding, most fields, public page)
    type Listed = (String, String, String, bool, Option<String>);
    let listed: Vec<Listed> = if view.copies.is_empty() {
        let srcs = if c.sources.is_empty() {
            vec![c.source.clone()]
        } else {
            c.sources.clone()
        };
        srcs.into_iter()
            .map(|s| {
                let main = s == c.source;
                let alone = Cable {
                    source: s.clone(),
                    sources: Vec::new(),
                    ..c.clone()
                };
                (
                    s.path.unwrap_or_else(|| "-".into()),
                    s.format,
                    s.encoding,
                    main,
                    public_urls(&alone).into_iter().next(),
                )
            })
            .collect()
    } else {
        view.copies
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    copy_name(r),
                    r.record.source.format.clone(),
                    r.record.source.encoding.clone(),
                    i == base,
                    public_urls(&r.record).into_iter().next(),
                )
            })
            .collect()
    };
    html! {
        section.sources #sources aria-labelledby="sources-title" {
            h2 #sources-title { "Sources" }
            table.source-list {
                caption.visually-hidden { "Copies of this cable" }
                thead { tr { th scope="col" { "Path" } th scope="col" { "Format" } th scope="col" { "Encoding" } th scope="col" { "Published at" } } }
                tbody {
                    @for (path, format, encoding, main, url) in &listed {
                        tr.main-source[*main] {
                            td { code.path { (path) } @if *main && listed.len() > 1 { " " span.badge { "most fields" } } }
                            td { (format) }
                            td { (encoding) }
                            td {
                                @if let Some(u) = url {
                                    a.public-url href=(u) rel="noopener noreferrer external" { (u) }
                                } @else { "—" }
                            }
                        }
                    }
                }
            }
            @if view.copies.len() > 1 {
                @let base_row = &view.copies[base];
                @let a = copy_lines(&base_row.record);
                @for (i, other) in view.copies.iter().enumerate() {
                    @if i != base {
                        @let b = copy_lines(&other.record);
                        @if a == b {
                            p.same-text { code { (copy_name(other)) } " has the same text as " code { (copy_name(base_row)) } "." }
                        } @else {
                            details.copy-diff open {
                                summary { "Differences: " code { (copy_name(base_row)) } " and " code { (copy_name(other)) } }
                                (diff_table(&copy_name(base_row), &copy_name(other), &a, &b))
                            }
                        }
                    }
                }
            }
        }
    }
}

fn diagnostics(c: &Cable) -> Markup {
    html! {
        @if !c.diagnostics.is_empty() {
            section.diagnostics #diagnostics aria-labelledby="diag-title" {
                h2 #diag-title { "Diagnostics" }
                table.diag {
                    caption.visually-hidden { "What the parser repaired or doubts" }
                    thead { tr { th scope="col" { "Code" } th scope="col" { "Paragraph" } th scope="col" { "Message" } } }
                    tbody {
                        @for d in &c.diagnostics {
                            @let code = serde_json::to_value(d.code).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
                            tr {
                                td { code.diag-code { (code) } }
                                td { @if let Some(p) = d.paragraph { a href=(format!("#p{p}")) { (p) } } }
                                td { @if d.message.is_empty() { span.withheld { "withheld" } } @else { (d.message) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn cite(c: &Cable) -> Markup {
    html! {
        section.cite #cite aria-labelledby="cite-title" {
            h2 #cite-title { "Cite this cable" }
            div.cite-block {
                p.citation #citation-text { (citation(c)) }
                button.copy-button type="button" data-copy="citation-text" hidden { "Copy citation" }
            }
            h3 { "BibTeX" }
            div.cite-block {
                pre.bibtex #bibtex { code { (bibtex(c)) } }
                button.copy-button type="button" data-copy="bibtex" hidden { "Copy BibTeX" }
            }
        }
    }
}

/// The whole cable page for `viewer`.
pub fn render(view: &CableView, viewer: &Viewer) -> Markup {
    let c = &view.cable;
    let id = c.id.clone().unwrap_or_default();
    let subject_withheld = c.withheld.iter().any(|w| w == "subject");
    let heading = match (&c.subject, subject_withheld) {
        (_, true) => "Subject withheld".to_string(),
        (Some(s), false) if !s.trim().is_empty() => one_line(s),
        _ => id.clone(),
    };
    let title = format!("{id}: {heading}");
    let page = Page::new(&title, viewer);
    layout::page(
        &page,
        html! {
            article.cable #cable data-id=(id) aria-labelledby="cable-title" {
                header.cable-head {
                    p.cable-kicker {
                        span.cable-id { (id) }
                        @if let Some(cl) = &c.classification { " " span.cls.(level_class(cl)) { (cl) } }
                    }
                    h1 #cable-title .subject-withheld[subject_withheld] { (heading) }
                    p.cable-sub {
                        @let post = post_name(c);
                        @if !post.is_empty() { (post) }
                        @if let Some(t) = &c.created { @if !post.is_empty() { " · " } time datetime=(t) { (long_date(t)) } }
                    }
                    nav.cable-actions aria-label="This cable" {
                        a href=(format!("{}/graph", cable_url(&id))) { "Citation graph" }
                        a href=(format!("/api/cables/{}", crate::ui::text::path_segment(&id))) { "JSON record" }
                        a href="#cite" { "Cite" }
                        @if !c.diagnostics.is_empty() { a href="#diagnostics" { "Diagnostics (" (c.diagnostics.len()) ")" } }
                    }
                }
                section.header-section aria-labelledby="header-title" {
                    h2 #header-title { "Header" }
                    (header_table(c))
                }
                (references(view))
                section.text-section aria-labelledby="text-title" {
                    h2 #text-title { "Text" }
                    @if c.paragraphs.is_empty() { p.none { "The record holds no text." } }
                    (paragraphs(c))
                    @if !c.signers.is_empty() {
                        p.signature { span.visually-hidden { "Signed: " } (c.signers.join(", ")) }
                    }
                }
                (cited_by(view))
                (sources(view))
                (diagnostics(c))
                (cite(c))
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use cablescope_format::Origin;

    fn cable() -> Cable {
        Cable {
            id: Some("08MOSCOW1599".into()),
            created: Some("2008-06-05T11:19:00Z".into()),
            origin: Origin {
                routing_indicator: Some("RUEHMO".into()),
                station: Some("MOSCOW".into()),
                name: Some("AMEMBASSY MOSCOW".into()),
            },
            classification: Some("CONFIDENTIAL".into()),
            subject: Some("WIDGETS & {GADGETS}".into()),
            ..Cable::default()
        }
    }

    #[test]
    fn citation_reads_like_the_example() {
        assert_eq!(
            citation(&cable()),
            "Embassy Moscow, \u{201c}WIDGETS & {GADGETS},\u{201d} cable 08MOSCOW1599, 5 June 2008, CONFIDENTIAL, via cablescope."
        );
        let mut c = cable();
        c.subject = None;
        c.created = None;
        assert_eq!(
            citation(&c),
            "Embassy Moscow, cable 08MOSCOW1599, undated, CONFIDENTIAL, via cablescope."
        );
    }

    #[test]
    fn a_paragraph_that_breaks_off_is_marked_where_its_text_stops() {
        let text = "UNCLAS MOSCOW 001599\n\nSUBJECT: TEST\n\n\
            1. (U) The delegation arrived on Tuesday and met the deputy\n\
            minister, who said that the government would weigh the\n\n\
            proposal. Talks go on.\n\n\
            2. (U) The minister said the government would consider the offer\n\
            and that the talks on the pipeline would resume after the\n\n\
            3. (U) Complete.\n";
        let c = cablescope_format::parse(text, &cablescope_format::Hints::default());
        let cut: Vec<u32> = c
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::TruncatedParagraph)
            .filter_map(|d| d.paragraph)
            .collect();
        assert!(cut.contains(&2), "{:?}", c.diagnostics);
        let html = paragraphs(&c).into_string();
        let p2 = &html[html.find("id=\"p2\"").unwrap()..html.find("id=\"p3\"").unwrap()];
        // The mark follows the last words that survive.
        assert!(
            p2.contains("would resume after the <span class=\"cut-off\""),
            "{p2}"
        );
        assert_eq!(p2.matches("class=\"cut-off\"").count(), 1, "{p2}");
        // A line lost inside a paragraph: the mark stands where the gap is.
        if cut.contains(&1) {
            let p1 = &html[html.find("id=\"p1\"").unwrap()..html.find("id=\"p2\"").unwrap()];
            assert!(
                p1.contains("would weigh the <span class=\"cut-off\""),
                "{p1}"
            );
        }
        let p3 = &html[html.find("id=\"p3\"").unwrap()..];
        assert!(!p3.contains("cut-off"), "{p3}");
    }

    #[test]
    fn a_copy_from_a_known_publisher_is_cited_by_its_public_page() {
        let mut c = cable();
        c.source.format = "wikileaks-html-2011".into();
        c.source.path = Some("/srv/cables/cable/2008/06/08MOSCOW1599.html".into());
        let url = "https://wikileaks.org/cable/2008/06/08MOSCOW1599.html";
        let cit = citation(&c);
        assert!(cit.ends_with(&format!(", CONFIDENTIAL, {url}.")), "{cit}");
        assert!(!cit.contains("/srv/"), "{cit}");
        let b = bibtex(&c);
        assert!(b.contains(&format!("url = {{{url}}}")), "{b}");
        assert!(!b.contains("cablescope") && !b.contains("/srv/"), "{b}");
    }

    #[test]
    fn bibtex_escapes_tex() {
        let b = bibtex(&cable());
        assert!(b.starts_with("@misc{cable08MOSCOW1599,\n"), "{b}");
        assert!(b.contains("title = {{WIDGETS \\& \\{GADGETS\\}}}"), "{b}");
        assert!(b.contains("author = {{Embassy Moscow}}"));
        assert!(b.contains("month = jun,"));
        assert!(b.contains("date = {2008-06-05}"));
        assert!(b.trim_end().ends_with('}'));
    }

    #[test]
    fn post_names() {
        let mut c = cable();
        assert_eq!(post_name(&c), "Embassy Moscow");
        c.origin.name = Some("SECSTATE WASHDC".into());
        assert_eq!(post_name(&c), "Secretary of State");
        c.origin.name = Some("AMCONSUL RIO DE JANEIRO".into());
        assert_eq!(post_name(&c), "Consulate Rio De Janeiro");
    }

    #[test]
    fn diff_marks_changed_words() {
        let a = vec!["SUBJECT: A".to_string(), "1. (C) the cat sat".to_string()];
        let b = vec!["SUBJECT: A".to_string(), "1. (C) the dog sat".to_string()];
        let html = diff_table("a", "b", &a, &b).into_string();
        assert!(html.contains("<del>cat</del>"), "{html}");
        assert!(html.contains("<ins>dog</ins>"), "{html}");
    }
}
