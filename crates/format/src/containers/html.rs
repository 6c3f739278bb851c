//! WikiLeaks HTML pages: the cable viewer (December 2010 and 2011 templates) and
//! PlusD.
//!
//! # Why no HTML parser crate
//!
//! These pages are machine-generated from a handful of fixed templates: the
//! parts we need (`<table class='cable'>`, two `<code><pre>` blocks, PlusD's
//! `s_key`/`s_val` pairs and its "Raw content" pane) always appear with the same
//! literal markup, attribute values never contain a raw `>`, and the cable text
//! itself contains no markup beyond `<a>` links and the odd `<br>`. A small
//! linear scanner over those fixed markers is enough; a full HTML parser crate
//! (and its dependency tree) would be overkill and would not make the
//! template-specific knowledge any less necessary.
//!
//! # Telling the templates apart
//!
//! Both viewer templates have the same `<title>Cable Viewer</title>`, the same
//! `<table class='cable'>` (Reference ID | Created | Released | Classification |
//! Origin) and the same two `<code><pre>` blocks. A diff of one cable's page in
//! both sets shows they differ only in the page furniture:
//!
//! | | December 2010 | 2011 |
//! |---|---|---|
//! | banner image | `src='/img/ja-cg.jpg'` | `src='/static/gfx/ja-cg.jpg'` |
//! | script | `/static/js/js.js` | `/static/js/cables.js` |
//! | release browser | flat list of dates | month pickers `id='rdate_YYYYMM'` |
//! | site links | `cablegate.wikileaks.org`, `wikileaks.org` | `wikileaks.ch` |
//! | left pane | "Articles" (always) | "Contact us on IRC"; "Articles" only sometimes |
//!
//! [`kind`] counts three markers per side (2011: `/static/gfx/ja-cg.jpg`,
//! `cables.js`, `id='rdate_`; 2010: `/img/ja-cg.jpg`, `js.js`,
//! `cablegate.wikileaks.org`) and picks the side with more; a viewer page with
//! none of them is taken as the 2011 template. One page of the 2011 set
//! (09PARIS1254) was saved from the 2010 site and is, by its layout, a 2010 page.
//! The old Cablegate pages with National Archives notes (1966–1975 cables
//! released in August 2011) use the 2011 layout (`/static/gfx`, `cables.js`,
//! `rdate_201108`), with an "Articles" pane and an IRC link by IP address.
//!
//! PlusD pages (`/plusd/` assets) have `<table id="synopsis">` with
//! `<div class="s_key">Label:</div><div class="s_val">value</div>` pairs and
//! panes headed "Content", "Raw content" and "Metadata".

use std::sync::OnceLock;

use regex::Regex;

use super::{Extracted, Format};
use crate::record::Published;

macro_rules! re {
    ($name:ident, $pat:expr) => {
        fn $name() -> &'static Regex {
            static RE: OnceLock<Regex> = OnceLock::new();
            RE.get_or_init(|| Regex::new($pat).expect("valid regex"))
        }
    };
}

// ---------------------------------------------------------------------------
// Recognition
// ---------------------------------------------------------------------------

/// Recognises a WikiLeaks page by its content: the cable viewer (2011 or
/// December 2010 template, see the module notes for what tells them apart) or a
/// PlusD page. Returns `None` for any other HTML (or text).
pub fn kind(page: &str) -> Option<Format> {
    if is_plusd(page) {
        return Some(Format::PlusdHtml);
    }
    // Plain telegrams hold no '<' at all: one fast byte search spares the
    // substring searches over the whole text.
    let viewer = page.contains('<')
        && (page.contains("<table class='cable'>") || page.contains("<table class=\"cable\">"))
        && page.contains("<pre>");
    if !viewer {
        return None;
    }
    let score = |markers: &[&str]| markers.iter().filter(|m| page.contains(*m)).count();
    let y2011 = score(&[
        "/static/gfx/ja-cg.jpg",
        "/static/js/cables.js",
        "id='rdate_",
    ]);
    let y2010 = score(&[
        "/img/ja-cg.jpg",
        "/static/js/js.js",
        "cablegate.wikileaks.org",
    ]);
    if y2010 > y2011 {
        Some(Format::WikileaksHtml2010)
    } else {
        Some(Format::WikileaksHtml2011)
    }
}

fn is_plusd(page: &str) -> bool {
    page.contains("/plusd/") && page.contains("id=\"synopsis\"") && page.contains("Canonical ID")
}

// ---------------------------------------------------------------------------
// Cable viewer pages
// ---------------------------------------------------------------------------

/// Reads a cable-viewer page (either template).
///
/// The text of each item is the header block and the body block (tags stripped,
/// entities decoded, paragraph anchors removed, TAGS links reduced to their
/// text) joined by a blank line. The metadata table is read by column name into
/// [`Published`], with `tags` from the TAGS links as the page shows them (in
/// order, repeats kept: a page holding its cable twice lists its tags twice).
///
/// A page whose body holds more than one record (a dump row or a second
/// envelope after the text of the first) yields one item per record; only the
/// first carries the page's [`Published`]. Leading dump-row fields before the
/// body's own envelope do not split. A page without `<pre>` blocks yields
/// nothing.
pub fn viewer_page(page: &str) -> Vec<Extracted> {
    let format = kind(page)
        .filter(|f| *f != Format::PlusdHtml)
        .unwrap_or(Format::WikileaksHtml2011);
    let blocks = pre_blocks(page);
    if blocks.is_empty() {
        return Vec::new();
    }
    let mut tags: Vec<String> = Vec::new();
    let texts: Vec<String> = blocks
        .iter()
        .map(|b| {
            let (text, t) = block_text(b);
            tags.extend(t);
            text
        })
        .collect();
    let mut published = metadata_table(page);
    if let Some(p) = published.as_mut() {
        p.tags = tags;
    } else if !tags.is_empty() {
        published = Some(Published {
            tags,
            ..Published::default()
        });
    }

    let year = published
        .as_ref()
        .and_then(|p| p.created.as_deref())
        .and_then(leading_year);

    let (text, body_start) = if texts.len() == 1 {
        (texts[0].clone(), 0)
    } else {
        let header = &texts[0];
        let mut text = String::with_capacity(texts.iter().map(|t| t.len() + 2).sum());
        text.push_str(header);
        text.push_str("\n\n");
        let body_start = text.len();
        for (i, t) in texts[1..].iter().enumerate() {
            if i > 0 {
                text.push_str("\n\n");
            }
            text.push_str(t);
        }
        (text, body_start)
    };

    let pieces = super::split_records(&text, body_start);
    let mut out = Vec::with_capacity(pieces.len());
    for piece in pieces {
        let first = piece.first;
        out.push(Extracted {
            text: piece.text,
            format,
            published: if first { published.clone() } else { None },
            year: if first { year } else { None },
            index: out.len() + 1,
            notes: piece.notes,
        });
    }
    out
}

/// The raw HTML of each `<code><pre>` block (falling back to bare `<pre>`).
fn pre_blocks(page: &str) -> Vec<&str> {
    let mut out = blocks_between(page, "<code><pre>", "</pre></code>");
    if out.is_empty() {
        out = blocks_between(page, "<pre>", "</pre>");
    }
    out
}

fn blocks_between<'a>(page: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find(open) {
        let after = &rest[start + open.len()..];
        match after.find(close) {
            Some(end) => {
                out.push(&after[..end]);
                rest = &after[end + close.len()..];
            }
            None => {
                out.push(after);
                break;
            }
        }
    }
    out
}

/// One `<pre>` block to text: paragraph anchors dropped with their `¶`, other
/// tags stripped (link text kept), entities decoded. Also returns the text of
/// the TAGS links (`href='/tag/...'`).
pub(crate) fn block_text(html: &str) -> (String, Vec<String>) {
    let mut stripped = String::with_capacity(html.len());
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        stripped.push_str(&rest[..i]);
        let tail = &rest[i..];
        let Some(len) = tag_len(tail) else {
            stripped.push('<');
            rest = &tail[1..];
            continue;
        };
        let tag = &tail[..len];
        let after = &tail[len..];
        if is_anchor_open(tag) {
            let close = find_within(after, "</a>", 64);
            if is_par_anchor(tag) {
                if let Some(c) = close {
                    rest = &after[c + 4..];
                    continue;
                }
            } else if tag.contains("/tag/") {
                if let Some(c) = close {
                    let t = decode_entities(&strip_tags(&after[..c]));
                    let t = t.trim();
                    if !t.is_empty() {
                        tags.push(t.to_string());
                    }
                }
            }
        }
        rest = after;
    }
    stripped.push_str(rest);
    (decode_entities(&stripped), tags)
}

fn is_anchor_open(tag: &str) -> bool {
    tag.len() > 3
        && tag.as_bytes()[1].eq_ignore_ascii_case(&b'a')
        && tag.as_bytes()[2].is_ascii_whitespace()
}

fn is_par_anchor(tag: &str) -> bool {
    tag.contains("href='#par") || tag.contains("href=\"#par")
}

/// Length of the tag at the start of `s` (which starts with `<`), when it looks
/// like a tag (`<a `, `</a>`, `<br>`, `<!-- -->`); `None` for a literal `<`.
fn tag_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if s.starts_with("<!--") {
        return Some(s.find("-->").map_or(s.len(), |e| e + 3));
    }
    let first = *b.get(1)?;
    let name_at = if first == b'/' { 2 } else { 1 };
    if !(b.get(name_at)?.is_ascii_alphabetic() || first == b'!' || first == b'?') {
        return None;
    }
    find_within(s, ">", MAX_TAG_LEN).map(|e| e + 1)
}

/// Longest tag taken as markup; a `<` without a `>` this close is text. (Keeps
/// the scans linear on pages with stray `<`.)
const MAX_TAG_LEN: usize = 4096;

/// `s.find(pat)`, looking only at the first `limit` bytes (plus the pattern).
fn find_within(s: &str, pat: &str, limit: usize) -> Option<usize> {
    let mut end = (limit + pat.len()).min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].find(pat)
}

/// Removes tags, keeping their text.
pub(crate) fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        match tag_len(tail) {
            Some(len) => rest = &tail[len..],
            None => {
                out.push('<');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Text of an HTML fragment: tags stripped, entities decoded, whitespace runs
/// collapsed, trimmed.
fn fragment_text(html: &str) -> String {
    decode_entities(&strip_tags(html))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `<table class='cable'>` read by column name.
fn metadata_table(page: &str) -> Option<Published> {
    let start = page
        .find("<table class='cable'>")
        .or_else(|| page.find("<table class=\"cable\">"))?;
    let table = &page[start..];
    let table = &table[..table.find("</table>").unwrap_or(table.len())];
    let mut headers: Vec<String> = Vec::new();
    let mut cells: Vec<String> = Vec::new();
    for row in table.split("<tr").skip(1) {
        if headers.is_empty() && row.contains("<th") {
            headers = cells_of(row, "th")
                .iter()
                .map(|c| fragment_text(c))
                .collect();
        } else if cells.is_empty() && row.contains("<td") {
            cells = cells_of(row, "td").iter().map(|c| cell_value(c)).collect();
        }
    }
    if cells.is_empty() {
        return None;
    }
    let mut p = Published::default();
    for (h, v) in headers.iter().zip(cells) {
        if v.is_empty() {
            continue;
        }
        match h.to_ascii_lowercase().as_str() {
            "reference id" | "reference" | "id" => p.id = Some(v),
            "created" | "date" => p.created = Some(v),
            "released" => p.released = Some(v),
            "classification" => p.classification = Some(v),
            "origin" => p.origin = Some(v),
            _ => {}
        }
    }
    Some(p)
}

/// The inner HTML of each `<th>`/`<td>` cell of a row.
fn cells_of<'a>(row: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let mut out = Vec::new();
    let mut rest = row;
    while let Some(i) = rest.find(&open) {
        let tail = &rest[i..];
        let Some(gt) = tail.find('>') else { break };
        let inner = &tail[gt + 1..];
        let end = inner.find(&close).unwrap_or(inner.len());
        out.push(&inner[..end]);
        rest = &inner[end..];
    }
    out
}

/// A metadata cell: the text of its link when it has one (never the `title`
/// attribute), else its text.
fn cell_value(cell: &str) -> String {
    if let Some(a) = cell.find("<a") {
        let tail = &cell[a..];
        if let Some(gt) = tail.find('>') {
            let inner = &tail[gt + 1..];
            let end = inner.find("</a>").unwrap_or(inner.len());
            return fragment_text(&inner[..end]);
        }
    }
    fragment_text(cell)
}

// ---------------------------------------------------------------------------
// Splitting a viewer page's text into records
// ---------------------------------------------------------------------------

const TS: &str = r"(?:\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?|\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d)";

re!(row_number_re, r"^\s*\d{1,7}\s*$");
re!(ts_alone_re, &format!(r"^\s*{TS}\s*$"));
re!(kv_id_re, r"^id:\s*\d+");
re!(kv_date_re, r"^date:\s");
re!(
    csv_row_re,
    r"^\s*\d{1,7},\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d,"
);
re!(tab_row_re, &format!(r"^\s*(?:\d{{1,7}}\t)?{TS}\t"));
re!(
    flat_row_re,
    r"^\s*\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d\s+(?:UNCLAS|C O N F|S E C R E T|CONFIDENTIAL|SECRET|LIMITED OFFICIAL)"
);
re!(vzczc_re, r#"(?:^|[\s"\\])VZCZC[A-Z0-9]"#);
re!(
    dtg_re,
    r"^\s*(?:[A-Z]{1,2}\s+)*\d{6}Z\s+[A-Z]{3}\s+\d{2,4}(?-u:\b)"
);
re!(fm_re, r"^\s*FM\s+\S");
re!(
    text_line_re,
    r"(?i)^\s*(?:E\.\s?O\.|EO\s+1\d{4}|TAGS?(?-u:\b)|SUBJ(?:ECT)?\s*:|REFS?\s*:|CLASSIFIED\s+BY(?-u:\b)|\(?\d{1,2}[.)]\s|¶|UNCLAS(?-u:\b)|C\s?O\s?N\s?F\s?I\s?D\s?E\s?N\s?T\s?I\s?A\s?L(?-u:\b)|S\s?E\s?C\s?R\s?E\s?T(?-u:\b)|LIMITED OFFICIAL USE(?-u:\b))"
);

/// Lines a dump row's leading fields may take before its envelope.
const DUMP_LEADER_LINES: usize = 9;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Start {
    /// An export row (row number, timestamp, id, origin, classification ...).
    Dump,
    /// A telegram envelope (`VZCZC...`, or a DTG line followed by `FM`).
    Envelope,
}

/// Byte offsets (in `text`, at or after `body_start`) where a further record
/// starts. A record start only splits when the current record already has
/// cable text (a classification line, a field line, a numbered paragraph):
/// dump-row fields and an envelope at the top of the body belong to the first
/// record, and an envelope right after a dump row belongs to that row. One
/// exception: when the body opens with a record whose envelope (DE serial, else
/// DTG) differs from the header block's, the body is another cable and is split
/// from the header.
pub(crate) fn record_starts(text: &str, body_start: usize) -> Vec<usize> {
    let header = Envelope::of(text[..body_start].split('\n'));
    let body = &text[body_start..];
    let lines: Vec<(usize, &str)> = {
        let mut v = Vec::new();
        let mut off = 0;
        for l in body.split('\n') {
            v.push((body_start + off, l));
            off += l.len() + 1;
        }
        v
    };
    let mut cuts = Vec::new();
    let mut has_text = false;
    let mut leader = 0usize;
    // The record opening the body before any text, and its envelope so far.
    let mut lead: Option<(usize, Envelope)> = None;
    for (i, &(off, line)) in lines.iter().enumerate() {
        if let Some((_, env)) = lead.as_mut() {
            env.take(line);
        }
        if let Some((kind, at)) = record_start(&lines, i) {
            if has_text {
                cuts.push(off + at);
                has_text = false;
            } else if cuts.is_empty() && lead.is_none() {
                let mut env = Envelope::default();
                env.take(line);
                lead = Some((off + at, env));
            }
            leader = if kind == Start::Dump {
                DUMP_LEADER_LINES
            } else {
                0
            };
            continue;
        }
        if leader > 0 {
            leader -= 1;
            continue;
        }
        if !has_text && text_line_re().is_match(line) {
            has_text = true;
            if cuts.is_empty() {
                if let Some((at, env)) = lead.take() {
                    if header.differs(&env) {
                        cuts.push(at);
                    }
                }
            }
        }
    }
    cuts
}

re!(de_serial_re, r"^\s*DE\s+[A-Z]{3,8}\s*#\s*(\d+)");
re!(dtg_value_re, r"(\d{6})Z\s+([A-Z]{3})\s+(\d{2,4})(?-u:\b)");

/// What identifies an envelope: the DE line's serial and the DTG.
#[derive(Default)]
struct Envelope {
    serial: Option<u64>,
    dtg: Option<String>,
}

impl Envelope {
    fn of<'a>(lines: impl Iterator<Item = &'a str>) -> Self {
        let mut env = Envelope::default();
        for l in lines {
            env.take(l);
        }
        env
    }

    /// Notes the first DE serial and the first DTG.
    fn take(&mut self, line: &str) {
        // Tab-row lines end in `\`; a cell may precede the envelope line.
        let line = line.rsplit('\t').next().unwrap_or(line);
        if self.serial.is_none() {
            if let Some(c) = de_serial_re().captures(line) {
                self.serial = c[1].parse().ok();
            }
        }
        if self.dtg.is_none() && dtg_re().is_match(line) {
            if let Some(c) = dtg_value_re().captures(line) {
                self.dtg = Some(format!("{} {} {}", &c[1], &c[2], &c[3]));
            }
        }
    }

    /// True when both name their message and the names differ.
    fn differs(&self, other: &Envelope) -> bool {
        match (self.serial, other.serial) {
            (Some(a), Some(b)) => a != b,
            _ => matches!((&self.dtg, &other.dtg), (Some(a), Some(b)) if a != b),
        }
    }
}

/// Whether line `i` starts a record, and the byte offset in the line where it does.
fn record_start(lines: &[(usize, &str)], i: usize) -> Option<(Start, usize)> {
    let line = lines[i].1;
    let next = || {
        lines[i + 1..]
            .iter()
            .map(|(_, l)| *l)
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
    };
    if tab_row_re().is_match(line) || csv_row_re().is_match(line) {
        return Some((Start::Dump, 0));
    }
    if row_number_re().is_match(line)
        && ts_alone_re().is_match(lines.get(i + 1).map_or("", |l| l.1))
    {
        return Some((Start::Dump, 0));
    }
    if ts_alone_re().is_match(line) && !(i > 0 && row_number_re().is_match(lines[i - 1].1)) {
        return Some((Start::Dump, 0));
    }
    if kv_id_re().is_match(line) && kv_date_re().is_match(lines.get(i + 1).map_or("", |l| l.1)) {
        return Some((Start::Dump, 0));
    }
    if flat_row_re().is_match(line) {
        return Some((Start::Dump, 0));
    }
    if let Some(m) = vzczc_re().find(line) {
        // A tab-separated row glued behind the last line of the previous one
        // (`CARTER \<TAB>Embassy Bern<TAB>...<TAB>VZCZC...`): cut at the tab.
        let before = &line[..m.start()];
        if let Some(tab) = before.find('\t') {
            if before[..tab].trim_end().ends_with('\\') {
                return Some((Start::Envelope, tab));
            }
        }
        return Some((Start::Envelope, 0));
    }
    if dtg_re().is_match(line) && fm_re().is_match(next()) {
        return Some((Start::Envelope, 0));
    }
    None
}

// ---------------------------------------------------------------------------
// PlusD pages
// ---------------------------------------------------------------------------

/// Reads a WikiLeaks PlusD page: the synopsis block into [`Published`] (id =
/// Canonical ID, created = Date, classification = Original Classification,
/// origin = From, tags = the TAGS codes) and the telegram text from the "Raw
/// content" pane (else "Content"), entities decoded, PAGE headers kept. One
/// item per page; none when the page has no text pane.
pub fn plusd_page(page: &str) -> Vec<Extracted> {
    let mut p = Published::default();
    for (key, value) in plusd_fields(page) {
        match key.as_str() {
            "Canonical ID" => p.id = non_blank(fragment_text(value)),
            "Date" => p.created = non_blank(fragment_text(value)),
            "Original Classification" => p.classification = non_blank(fragment_text(value)),
            "From" => p.origin = non_blank(fragment_text(value)),
            "TAGS" => p.tags = plusd_tags(value),
            _ => {}
        }
    }
    let Some(text) = plusd_text(page) else {
        return Vec::new();
    };
    let year = p.created.as_deref().and_then(leading_year);
    vec![Extracted {
        text,
        format: Format::PlusdHtml,
        published: Some(p),
        year,
        index: 1,
        notes: Vec::new(),
    }]
}

/// The year a published date starts with (`2006-03-31 14:02`, `1974 May 17, ...`).
fn leading_year(date: &str) -> Option<i32> {
    let d = date.trim_start();
    let digits = d.bytes().take_while(|b| b.is_ascii_digit()).count();
    (digits == 4).then(|| d[..4].parse().ok()).flatten()
}

fn non_blank(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// The synopsis pairs: label (without the colon) and the value's inner HTML.
fn plusd_fields(page: &str) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(k) = rest.find("class=\"s_key\"") {
        let tail = &rest[k..];
        let Some(gt) = tail.find('>') else { break };
        let key_html = &tail[gt + 1..];
        let key_end = key_html.find("</div>").unwrap_or(key_html.len());
        let key = fragment_text(&key_html[..key_end]);
        let key = key.trim_end_matches(':').trim().to_string();
        let after_key = &key_html[key_end..];
        // The value div follows, before the next key.
        let next_key = after_key.find("class=\"s_key\"").unwrap_or(after_key.len());
        let Some(v) = after_key[..next_key].find("class=\"s_val\"") else {
            rest = after_key;
            continue;
        };
        let vtail = &after_key[v..];
        let Some(vgt) = vtail.find('>') else { break };
        let inner = &vtail[vgt + 1..];
        let end = inner.find("</div>").unwrap_or(inner.len());
        out.push((key, &inner[..end]));
        rest = &inner[end..];
    }
    out
}

/// TAGS codes from the value's links: the link text before the expansion
/// (`PINS<span> - Political Affairs...</span>` gives `PINS`).
fn plusd_tags(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = value;
    while let Some(a) = rest.find("<a ") {
        let tail = &rest[a..];
        let Some(gt) = tail.find('>') else { break };
        let inner = &tail[gt + 1..];
        let end = inner.find("</a>").unwrap_or(inner.len());
        let content = &inner[..end];
        let code = &content[..content.find('<').unwrap_or(content.len())];
        let code = fragment_text(code);
        if !code.is_empty() && !out.contains(&code) {
            out.push(code);
        }
        rest = &inner[end..];
    }
    if out.is_empty() {
        out = fragment_text(value)
            .split(['|', ','])
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
    }
    out
}

/// The telegram text: the "Raw content" pane, else "Content" (hidden header
/// block, then the text).
fn plusd_text(page: &str) -> Option<String> {
    let raw = pane(page, "Raw content").and_then(|p| {
        let t = &p[p.find("class=\"text-content\"")?..];
        let inner = &t[t.find('>')? + 1..];
        Some(&inner[..inner.find("</div>").unwrap_or(inner.len())])
    });
    if let Some(raw) = raw {
        return Some(clean_plusd(raw));
    }
    let content = pane(page, "Content")?;
    let div_inner = |class: &str| -> Option<&str> {
        let t = &content[content.find(class)?..];
        let inner = &t[t.find('>')? + 1..];
        Some(&inner[..inner.find("</div>").unwrap_or(inner.len())])
    };
    let header = div_inner("class=\"text-header").unwrap_or("");
    let body = div_inner("id=\"tagged-text\"").or_else(|| div_inner("class=\"text-content\""))?;
    let mut text = clean_plusd(header);
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(&clean_plusd(body));
    Some(text)
}

/// The HTML of a PlusD pane, from its header to the next pane.
fn pane<'a>(page: &'a str, title: &str) -> Option<&'a str> {
    let marker = format!("<div class=\"pane-header\">{title}</div>");
    let start = page.find(&marker)? + marker.len();
    let rest = &page[start..];
    let end = rest.find("<div class=\"pane-tab\"").unwrap_or(rest.len());
    Some(&rest[..end])
}

fn clean_plusd(html: &str) -> String {
    let text = decode_entities(&strip_tags(html));
    text.trim_start_matches(['\n', '\r']).trim_end().to_string()
}

// ---------------------------------------------------------------------------
// Entities
// ---------------------------------------------------------------------------

/// Decodes HTML character references: named (the Latin-1 set, `&apos;` and the
/// common typographic ones), decimal (`&#182;`) and hex (`&#x000A;`). `&nbsp;`
/// becomes a plain space (these texts are telegrams, where it only ever stood
/// for one). Unknown or malformed references and bare `&` are kept as written.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        // `&name;` with at most 32 characters between.
        let semi = tail.as_bytes()[1..]
            .iter()
            .take(33)
            .position(|&b| b == b';')
            .map(|p| p + 1);
        let decoded = semi.and_then(|e| entity(&tail[1..e]).map(|c| (c, e)));
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &tail[e + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = if let Some(hex) = num.strip_prefix(['x', 'X']) {
            if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            u32::from_str_radix(hex, 16).ok()?
        } else {
            if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            num.parse::<u32>().ok()?
        };
        return char::from_u32(code).filter(|&c| c != '\0');
    }
    if name == "nbsp" {
        return Some(' ');
    }
    if let Some(c) = OTHER_ENTITIES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| *c)
    {
        return Some(c);
    }
    LATIN1_ENTITIES
        .iter()
        .position(|n| *n == name)
        .and_then(|i| char::from_u32(0xA0 + i as u32))
}

/// Names of U+00A0..=U+00FF in order.
const LATIN1_ENTITIES: [&str; 96] = [
    "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf",
    "laquo", "not", "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro",
    "para", "middot", "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest",
    "Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave", "Eacute",
    "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml", "ETH", "Ntilde", "Ograve", "Oacute",
    "Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute",
    "THORN", "szlig", "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil",
    "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth", "ntilde",
    "ograve", "oacute", "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave", "uacute", "ucirc",
    "uuml", "yacute", "thorn", "yuml",
];

const OTHER_ENTITIES: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("ndash", '\u{2013}'),
    ("mdash", '\u{2014}'),
    ("lsquo", '\u{2018}'),
    ("rsquo", '\u{2019}'),
    ("sbquo", '\u{201A}'),
    ("ldquo", '\u{201C}'),
    ("rdquo", '\u{201D}'),
    ("bdquo", '\u{201E}'),
    ("hellip", '\u{2026}'),
    ("bull", '\u{2022}'),
    ("euro", '\u{20AC}'),
    ("trade", '\u{2122}'),
    ("OElig", '\u{0152}'),
    ("oelig", '\u{0153}'),
    ("Scaron", '\u{0160}'),
    ("scaron", '\u{0161}'),
    ("Yuml", '\u{0178}'),
    ("dagger", '\u{2020}'),
    ("Dagger", '\u{2021}'),
    ("permil", '\u{2030}'),
    ("lsaquo", '\u{2039}'),
    ("rsaquo", '\u{203A}'),
    ("ensp", ' '),
    ("emsp", ' '),
    ("thinsp", ' '),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-written page in the 2011 layout.
    fn page_2011(table: &str, header: &str, body: &str) -> String {
        format!(
            "<html><head><title>Cable Viewer</title></head><body>\n\
             <div class='pane small'><img alt='x' src='/static/gfx/ja-cg.jpg' />\n\
             <div class='pick'><a class='sort fix' href='#rdate_201101'>2011/01</a></div>\n\
             <div class='sort' id='rdate_201101'><a href='/reldate/2011-01-01_0.html'>2011/01/01</a></div>\n\
             <a href='http://en.reddit.com/domain/wikileaks.ch'>Reddit</a></div>\n\
             <div class='pane big'><h3>Viewing cable 99TESTPOST12, A SUBJECT</h3>\n\
             {table}\n<code><pre>{header}</pre></code>\n<code><pre>{body}</pre></code>\n\
             </div><script src='/static/js/cables.js' type='text/javascript'></script></body></html>"
        )
    }

    fn page_2010(table: &str, header: &str, body: &str) -> String {
        format!(
            "<html><head><title>Cable Viewer</title></head><body>\n\
             <div class='pane small'><img alt='x' src='/img/ja-cg.jpg' />\n\
             <h3>Articles</h3><div class='sort'><a href='/articles/2010/x.html'>Somewhere</a></div>\n\
             <a href='http://twitter.com/home?status=http%3A%2F%2Fcablegate.wikileaks.org%2F'>t</a></div>\n\
             <div class='pane big'>{table}\n<code><pre>{header}</pre></code>\n<code><pre>{body}</pre></code>\n\
             </div><script src='/static/js/js.js' type='text/javascript'></script></body></html>"
        )
    }

    const TABLE: &str = "<table class='cable'>\n<tr>\n<th>Reference ID</th>\n<th>Created</th>\n\
        <th>Released</th>\n<th>Classification</th>\n<th>Origin</th>\n</tr>\n<tr>\n\
        <td>\n<a href='/cable/1999/01/99TESTPOST12.html'>99TESTPOST12</a>\n</td>\n\
        <td>\n<a href='/date/1999-01_0.html'>1999-01-02 03:04</a>\n</td>\n\
        <td>\n<a href='/reldate/2011-01-01_0.html'>2011-01-01 00:00</a>\n</td>\n\
        <td>\n<a href='/classification/3_0.html' title='confidential'>SECRET</a>\n</td>\n\
        <td>\n<a href='/origin/1_0.html'>Embassy Testville</a>\n</td>\n</tr>\n</table>";

    const HEADER: &str = "VZCZCXYZ0001&#x000A;PP RUEHWEB&#x000A;DE RUEHZZ #0012 0020304&#x000A;\
        ZNY SSSSS ZZH&#x000A;P 020304Z JAN 99&#x000A;FM AMEMBASSY TESTVILLE&#x000A;\
        TO RUEHC/SECSTATE WASHDC PRIORITY 0001";

    const BODY: &str =
        "S E C R E T TESTVILLE 000012 &#x000A;&#x000A;E.O. 12958: DECL: 01/02/2009 &#x000A;\
        TAGS: <a href='/tag/PREL_0.html'>PREL</a> <a href='/tag/XX_0.html'>XX</a>&#x000A;\
        SUBJECT: A SUBJECT &amp; ANOTHER &#x000A;&#x000A;<a id='par1' href='#par1'>¶</a>1. (S) \
        Some &quot;text&quot; &#233;t&#xE9; AT&T. &#x000A;&#x000A;\
        <a id='parB' href='#parB'>¶</a>B. More.&#x000A;&#x000A;SMITH&#x000A;";

    #[test]
    fn recognises_templates() {
        assert_eq!(
            kind(&page_2011(TABLE, HEADER, BODY)),
            Some(Format::WikileaksHtml2011)
        );
        assert_eq!(
            kind(&page_2010(TABLE, HEADER, BODY)),
            Some(Format::WikileaksHtml2010)
        );
        assert_eq!(kind(PLUSD), Some(Format::PlusdHtml));
        assert_eq!(kind("<html><body><pre>VZCZC</pre></body></html>"), None);
        assert_eq!(kind("plain text"), None);
        // A viewer page without furniture markers is taken as the 2011 template.
        let bare = format!("{TABLE}<code><pre>{HEADER}</pre></code>");
        assert_eq!(kind(&bare), Some(Format::WikileaksHtml2011));
    }

    #[test]
    fn reads_viewer_page() {
        for (page, format) in [
            (page_2011(TABLE, HEADER, BODY), Format::WikileaksHtml2011),
            (page_2010(TABLE, HEADER, BODY), Format::WikileaksHtml2010),
        ] {
            let items = viewer_page(&page);
            assert_eq!(items.len(), 1);
            let e = &items[0];
            assert_eq!(e.format, format);
            assert!(e.text.starts_with("VZCZCXYZ0001\nPP RUEHWEB\nDE RUEHZZ"));
            assert!(e
                .text
                .contains("PRIORITY 0001\n\nS E C R E T TESTVILLE 000012"));
            assert!(e.text.contains("TAGS: PREL XX\n"));
            assert!(e.text.contains("SUBJECT: A SUBJECT & ANOTHER"));
            assert!(e.text.contains("\n1. (S) Some \"text\" été AT&T."));
            assert!(e.text.contains("\nB. More."));
            assert!(!e.text.contains('¶') && !e.text.contains('<'));
            assert!(e.text.ends_with("SMITH"));
            let p = e.published.as_ref().unwrap();
            assert_eq!(p.id.as_deref(), Some("99TESTPOST12"));
            assert_eq!(p.created.as_deref(), Some("1999-01-02 03:04"));
            assert_eq!(p.released.as_deref(), Some("2011-01-01 00:00"));
            assert_eq!(p.classification.as_deref(), Some("SECRET"));
            assert_eq!(p.origin.as_deref(), Some("Embassy Testville"));
            assert_eq!(p.tags, vec!["PREL", "XX"]);
        }
    }

    #[test]
    fn table_by_column_name() {
        // No Released column, columns reordered, an extra column.
        let table = "<table class='cable'><tr><th>Origin</th><th>Reference ID</th>\
            <th>Notes</th><th>Classification</th><th>Created</th></tr><tr>\
            <td><a href='/o'>Embassy Testville</a></td><td><a href='/c'>99TESTPOST12</a></td>\
            <td>whatever</td><td><a href='/k' title='secret//noforn'>SECRET//NOFORN</a></td>\
            <td>1999-01-02 03:04</td></tr></table>";
        let items = viewer_page(&page_2011(table, HEADER, BODY));
        let p = items[0].published.as_ref().unwrap();
        assert_eq!(p.id.as_deref(), Some("99TESTPOST12"));
        assert_eq!(p.released, None);
        assert_eq!(p.classification.as_deref(), Some("SECRET//NOFORN"));
        assert_eq!(p.origin.as_deref(), Some("Embassy Testville"));
        assert_eq!(p.created.as_deref(), Some("1999-01-02 03:04"));
    }

    #[test]
    fn ordinary_and_leading_dump_rows_do_not_split() {
        // Dump-row fields on separate lines, then the body's own envelope.
        let body = format!(
            "4242&#x000A;1999-01-02 03:04:00&#x000A;99TESTPOST12&#x000A;Embassy Testville&#x000A;\
             SECRET&#x000A;{HEADER}&#x000A;{BODY}"
        );
        assert_eq!(viewer_page(&page_2011(TABLE, HEADER, &body)).len(), 1);
        // Key-value dump row at the top.
        let body = format!(
            "id: 4242&#x000A;date: 1/2/1999 3:04&#x000A;refid: 99TESTPOST12&#x000A;\
             classification: SECRET&#x000A;header:&#x000A;{HEADER}&#x000A;{BODY}"
        );
        assert_eq!(viewer_page(&page_2011(TABLE, HEADER, &body)).len(), 1);
        // Tab-separated row with trailing backslashes.
        let body = "4242\t1999-01-02 03:04:00\t99TESTPOST12\tEmbassy Testville\tSECRET\t\tVZCZCXYZ0001\\&#x000A;\
             DE RUEHZZ #0012 0020304\\&#x000A;P 020304Z JAN 99\\&#x000A;FM AMEMBASSY TESTVILLE\\&#x000A;\
             TO RUEHC/SECSTATE WASHDC\tS E C R E T TESTVILLE 000012 \\&#x000A;TAGS: PREL\\&#x000A;\
             1. Text.\\&#x000A;SMITH";
        assert_eq!(viewer_page(&page_2011(TABLE, HEADER, body)).len(), 1);
    }

    #[test]
    fn splits_second_records() {
        // A second, different cable glued behind the signature.
        let second = "VZCZCXYZ0002&#x000A;DE RUEHYY #0034 0050607&#x000A;R 050607Z FEB 99&#x000A;\
            FM AMEMBASSY OTHERTOWN&#x000A;TO RUEHC/SECSTATE WASHDC&#x000A;\
            UNCLAS OTHERTOWN 000034&#x000A;TAGS: ECON&#x000A;1. Other text.&#x000A;JONES";
        let items = viewer_page(&page_2011(TABLE, HEADER, &format!("{BODY}{second}")));
        assert_eq!(items.len(), 2);
        assert!(items[0].text.ends_with("SMITH"));
        assert!(items[1].text.starts_with("VZCZCXYZ0002\nDE RUEHYY"));
        assert!(items[1].text.ends_with("JONES"));
        assert!(items[0].published.is_some());
        assert!(items[1].published.is_none());
        assert_eq!((items[0].index, items[1].index), (1, 2));
        assert_eq!((items[0].year, items[1].year), (Some(1999), None));

        // A DTG + FM envelope without VZCZC.
        let second =
            "R 050607Z FEB 99&#x000A;FM AMEMBASSY OTHERTOWN&#x000A;TO SECSTATE WASHDC&#x000A;\
            UNCLAS OTHERTOWN 000034&#x000A;1. Other text.";
        assert_eq!(
            viewer_page(&page_2011(TABLE, HEADER, &format!("{BODY}{second}"))).len(),
            2
        );

        // A truncated preview followed by the key-value export of the full cable.
        let body = format!(
            "S E C R E T TESTVILLE 000012&#x000A;TAGS: PREL&#x000A;SUBJECT: A SUBJ...&#x000A;&#x000A;\
             id: 4242&#x000A;date: 1/2/1999 3:04&#x000A;refid: 99TESTPOST12&#x000A;header:&#x000A;\
             {HEADER}&#x000A;{BODY}"
        );
        // Both are copies of one cable: one item, the longest copy (the export row).
        let items = viewer_page(&page_2011(TABLE, HEADER, &body));
        assert_eq!(items.len(), 1);
        assert!(items[0].text.starts_with("id: 4242\ndate:"));
        assert!(items[0].text.ends_with("SMITH"));
        assert!(items[0].published.is_some());
        assert_eq!(items[0].notes.len(), 1);
        assert!(items[0].notes[0].message.contains("2 times"));

        // The same tab row twice, the second glued behind the first's last line.
        let row = "4242\t1999-01-02 03:04:00\t99TESTPOST12\tEmbassy Testville\tSECRET\t\tVZCZCXYZ0001\\&#x000A;\
             P 020304Z JAN 99\\&#x000A;FM AMEMBASSY TESTVILLE\tS E C R E T TESTVILLE 000012 \\&#x000A;\
             TAGS: PREL\\&#x000A;1. Text.\\&#x000A;SMITH \\";
        let again = "\tEmbassy Testville\tSECRET\t\tVZCZCXYZ0001\\&#x000A;P 020304Z JAN 99\\&#x000A;\
             FM AMEMBASSY TESTVILLE\tS E C R E T TESTVILLE 000012 \\&#x000A;1. Text.\\&#x000A;SMITH";
        // Copies of one cable: the longer (the first, with its TAGS line) is read.
        let items = viewer_page(&page_2011(TABLE, HEADER, &format!("{row}{again}")));
        assert_eq!(items.len(), 1);
        assert!(items[0].text.ends_with("SMITH \\"));
        assert!(items[0].text.contains("TAGS: PREL"));
    }

    #[test]
    fn a_header_block_above_another_cables_row_is_no_record_of_its_own() {
        let body =
            "id: 4242&#x000A;date: 1/2/1998 3:04&#x000A;refid: 98TESTPOST7&#x000A;header:&#x000A;\
             VZCZCXYZ0001&#x000A;DE RUEHZZ #0007/01 0020304&#x000A;P 020304Z JAN 98&#x000A;\
             FM AMEMBASSY TESTVILLE&#x000A;TO RUEHC/SECSTATE WASHDC&#x000A;\
             S E C R E T TESTVILLE 000007&#x000A;TAGS: PREL&#x000A;1. Older text.";
        // The header block holds routing lines only: no record of its own, it stays
        // with the text (the parser names the record by the header and says so).
        let items = viewer_page(&page_2011(TABLE, HEADER, body));
        assert_eq!(items.len(), 1);
        assert!(items[0].text.starts_with("VZCZCXYZ0001\nPP RUEHWEB"));
        assert!(items[0].text.contains("PRIORITY 0001\n\nid: 4242"));
        assert!(items[0].text.ends_with("1. Older text."));
        // The same envelope repeated in the body does not split.
        let body = format!(
            "id: 4242&#x000A;date: 1/2/1999 3:04&#x000A;header:&#x000A;{HEADER}&#x000A;{BODY}"
        );
        assert_eq!(viewer_page(&page_2011(TABLE, HEADER, &body)).len(), 1);
    }

    #[test]
    fn tags_as_shown() {
        let body = format!("{BODY}&#x000A;TAGS: <a href='/tag/PREL_0.html'>PREL</a>&#x000A;");
        let items = viewer_page(&page_2011(TABLE, HEADER, &body));
        let p = items[0].published.as_ref().unwrap();
        assert_eq!(p.tags, vec!["PREL", "XX", "PREL"]);
    }

    #[test]
    fn stray_angle_brackets_are_text() {
        let (text, _) = block_text("a < b &lt;c&gt; <<EOF d");
        assert_eq!(text, "a < b <c> <<EOF d");
        assert_eq!(strip_tags("x <b>y</b> <!-- z --> w"), "x y  w");
    }

    #[test]
    fn large_pages_stay_linear() {
        // ~1.5 MB: anchors, links, stray `<` without `>`, `&` without `;`.
        let line = "<a id='par1' href='#par1'>¶</a>1. TEXT a < b &c << AT&T e &#x000A;";
        let body = line.repeat(24_000);
        let page = page_2011(TABLE, HEADER, &body);
        assert!(page.len() > 1_500_000);
        let t = std::time::Instant::now();
        let items = viewer_page(&page);
        assert_eq!(items.len(), 1);
        assert!(items[0]
            .text
            .contains("1. TEXT a < b &c << AT&T e \n1. TEXT"));
        eprintln!("{} bytes in {:?}", page.len(), t.elapsed());
    }

    #[test]
    fn entities() {
        assert_eq!(decode_entities("a&#x000A;b"), "a\nb");
        assert_eq!(
            decode_entities("&amp;&lt;&gt;&quot;&apos;&nbsp;"),
            "&<>\"' "
        );
        assert_eq!(
            decode_entities("&#182;&para;&eacute;&Uuml;&rsquo;"),
            "¶¶éÜ\u{2019}"
        );
        assert_eq!(
            decode_entities("AT&T &welcomed8 &bogus; &#xZZ; &#; &"),
            "AT&T &welcomed8 &bogus; &#xZZ; &#; &"
        );
        assert_eq!(decode_entities("&#0;&#x110000;"), "&#0;&#x110000;");
    }

    const PLUSD: &str = r##"<!DOCTYPE html><html><head>
<script type="text/javascript" src="/plusd/js/jquery.min.js"></script>
<title>Cable: 1975TESTVILLE00012_b</title></head><body>
<table id="synopsis">
<tr><td colspan="2">A SUBJECT</td></tr>
<tr><td><div class="s_key"><a class="i" title="Date">Date:</a></div><div class="s_val" title=" 1975 Jan 02, 03:04 (Thursday)">1975 Jan 02, 03:04 (Thursday)</div></td>
<td><div class="s_key"><a class="i" title="Canonical ID">Canonical ID:</a></div><div class="s_val" title=" 1975TESTVILLE00012_b">1975TESTVILLE00012_b</div></td></tr>
<tr><td><div class="s_key"><a class="i" title="Original Classification">Original Classification:</a></div><div class="s_val" title=" CONFIDENTIAL (1 documents)">CONFIDENTIAL</div></td>
<td><div class="s_key"><a class="i" title="Current Classification">Current Classification:</a></div><div class="s_val" title=" UNCLASSIFIED">UNCLASSIFIED</div></td></tr>
<tr><td><div class="s_key"><a class="i" title="Handling Restrictions", ">Handling Restrictions</a></div> <div class="s_val" title="-- N/A or Blank --">-- N/A or Blank --</div><br /></td></tr>
<tr><td><div class="s_key"><a class="i" title="TAGS">TAGS:</a></div><div class="s_val" title=" &lt;a href=&quot;x&quot;&gt;PREL&lt;/a&gt;"><a style="c" href="/plusd/?q=&qftags=PREL#result" title="PREL Political Affairs (2 documents)" >PREL<span style="c"> - Political Affairs--External Relations</span></a> <span style=''color: #000'';>|</span> <a href="/plusd/?q=&qftags=DOE%2C+JOHN#result" title="DOE, JOHN  (5 documents)" >DOE, JOHN</a></div></td></tr>
<tr><td class="sc"><div class="s_key"><a class="i" title="From">From:</a></div><div class="s_val" title=" x"><a style="c" href="/plusd/?q=&qforigin=Ruritania%23%23Testville#result" title="Ruritania Testville (3 documents)">Ruritania Testville</a></div></td></tr>
</table>
<div class="pane-tab"><div class="pane-header">Content</div><div class="pane-content"><div class="text-header hidden">
CONFIDENTIAL
PAGE 01  TESTVILLE 00012  020400Z
R 020304Z JAN 75</div><div class="text-button" id="showhide">Show&nbsp;Headers</div><div class="text-content"><div id="tagged-text">
1. CONTENT &quot;PANE&quot; TEXT.
</div></div><br /></div></div><div class="pane-tab"><div class="pane-header">Raw content</div><div class="pane-content"><div class="text-content">
CONFIDENTIAL
PAGE 01  TESTVILLE 00012  020400Z
R 020304Z JAN 75
FM AMEMBASSY TESTVILLE
1. RAW &quot;PANE&quot; TEXT &amp; MORE.
NNN
</div></div></div><div class="pane-tab"><div class="pane-header">Metadata</div><div class="pane-content"><div class="text-content">---
Subject: A SUBJECT
</div></div></div></body></html>"##;

    #[test]
    fn reads_plusd_page() {
        let items = plusd_page(PLUSD);
        assert_eq!(items.len(), 1);
        let e = &items[0];
        assert_eq!(e.format, Format::PlusdHtml);
        assert!(e.text.starts_with("CONFIDENTIAL\nPAGE 01  TESTVILLE 00012"));
        assert!(e.text.contains("1. RAW \"PANE\" TEXT & MORE.\nNNN"));
        let p = e.published.as_ref().unwrap();
        assert_eq!(p.id.as_deref(), Some("1975TESTVILLE00012_b"));
        assert_eq!(p.created.as_deref(), Some("1975 Jan 02, 03:04 (Thursday)"));
        assert_eq!(p.classification.as_deref(), Some("CONFIDENTIAL"));
        assert_eq!(p.origin.as_deref(), Some("Ruritania Testville"));
        assert_eq!(p.released, None);
        assert_eq!(p.tags, vec!["PREL", "DOE, JOHN"]);
        assert_eq!(e.year, Some(1975));
        assert_eq!(e.index, 1);
    }

    #[test]
    fn plusd_falls_back_to_content_pane() {
        let cut = PLUSD
            .find("<div class=\"pane-tab\"><div class=\"pane-header\">Raw content")
            .unwrap();
        let page = format!("{}</body></html>", &PLUSD[..cut]);
        let items = plusd_page(&page);
        assert_eq!(items.len(), 1);
        let t = &items[0].text;
        assert!(t.starts_with("CONFIDENTIAL\nPAGE 01"), "{t}");
        assert!(
            t.contains("R 020304Z JAN 75\n1. CONTENT \"PANE\" TEXT."),
            "{t}"
        );
        assert!(!t.contains("Show"));
    }

    #[test]
    fn no_pre_blocks_no_items() {
        assert!(viewer_page("<html><body>nothing</body></html>").is_empty());
        assert!(plusd_page("<html><body>nothing</body></html>").is_empty());
    }
}
