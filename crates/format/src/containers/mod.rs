//! Containers: the files users actually have (viewer pages, CSV dumps, JSON
//! exports, body-only texts, PlusD pages, republished web pages) and the cable
//! texts inside them.
//!
//! Each reader turns a container's text into [`Extracted`] items: the telegram text
//! to give the parser, and what the container itself claimed about the cable
//! ([`Published`]). [`detect`] picks the reader from the content, not the file
//! name. Readers are pure: they get text, never paths to open.

pub mod body_text;
pub mod csv;
pub mod html;
pub mod json;
pub mod republished;

use serde::{Deserialize, Serialize};

use crate::record::Published;

/// A container format, as named in `source.format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Plain telegram text, one or several cables.
    Telegram,
    /// WikiLeaks cable-viewer page, 2011 template.
    #[serde(rename = "wikileaks-html-2011")]
    WikileaksHtml2011,
    /// WikiLeaks cable-viewer page, December 2010 template.
    #[serde(rename = "wikileaks-html-2010")]
    WikileaksHtml2010,
    /// The `cables.csv` dump (8 columns, `\"` escapes).
    CablesCsv,
    /// JSON or JSON Lines export with flattened bodies.
    JsonExport,
    /// A body-only text with HTML leftovers.
    BodyText,
    /// A WikiLeaks PlusD page (1970s telegrams).
    PlusdHtml,
    /// A web page that republishes a cable among other content.
    RepublishedPage,
}

impl Format {
    /// The name used in `source.format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Telegram => "telegram",
            Format::WikileaksHtml2011 => "wikileaks-html-2011",
            Format::WikileaksHtml2010 => "wikileaks-html-2010",
            Format::CablesCsv => "cables-csv",
            Format::JsonExport => "json-export",
            Format::BodyText => "body-text",
            Format::PlusdHtml => "plusd-html",
            Format::RepublishedPage => "republished-page",
        }
    }
}

/// One cable's text found in a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The telegram text for the parser (header and body joined by a blank line
    /// where the container kept them apart).
    pub text: String,
    /// The container format it came from.
    pub format: Format,
    /// What the container published about the cable (metadata table, CSV columns).
    pub published: Option<Published>,
    /// The cable's year when the container knows it (a CSV or export date), for
    /// texts that lost their date-time group.
    pub year: Option<i32>,
    /// Position of this cable in its container (row, record or split index), from 1.
    pub index: usize,
    /// What cutting the text out of its container did (copies of the cable joined),
    /// added to the record's diagnostics.
    pub notes: Vec<Diagnostic>,
}

/// One record's text cut out of a container's text.
#[derive(Debug)]
pub(crate) struct Piece {
    /// The text of the record.
    pub(crate) text: String,
    /// True for the piece that holds the start of the container's text (the one
    /// the container's metadata describes).
    pub(crate) first: bool,
    /// Diagnostics about the cut.
    pub(crate) notes: Vec<Diagnostic>,
}

/// Cuts a text holding one or more records (see [`html::record_starts`]) into one
/// piece per cable. Consecutive pieces that are copies of one cable (the same DE
/// line, DTG or classification line, and the same section: a page's header
/// preview above an export row holding the whole cable, a cable pasted twice)
/// become one piece: the longest copy, with the routing header of another copy
/// put before it when it has none. Different sections of a cable stay apart
/// (joining sections is the assembler's work).
pub(crate) fn split_records(text: &str, body_start: usize) -> Vec<Piece> {
    let mut bounds = vec![0];
    bounds.extend(html::record_starts(text, body_start));
    bounds.push(text.len());
    bounds.dedup();
    // A piece of routing lines only (a page's header block above another cable's
    // export row) is no record: it stays with the text after it.
    let mut joined: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for w in bounds.windows(2) {
        let piece = &text[start..w[1]];
        if w[1] < text.len() && crate::parse::is_routing_only(piece) {
            continue;
        }
        joined.push((start, w[1]));
        start = w[1];
    }
    let pieces: Vec<&str> = joined
        .iter()
        .map(|&(a, b)| text[a..b].trim_end())
        .filter(|p| !p.trim().is_empty())
        .collect();
    if pieces.len() < 2 {
        return pieces
            .into_iter()
            .map(|p| Piece {
                text: p.to_string(),
                first: true,
                notes: Vec::new(),
            })
            .collect();
    }
    let ids: Vec<crate::parse::CopyIdentity> = pieces
        .iter()
        .map(|p| crate::parse::CopyIdentity::of(p))
        .collect();
    let mut out: Vec<Piece> = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        let mut j = i + 1;
        while j < pieces.len() && ids[j].same_cable(&ids[i]) {
            j += 1;
        }
        let group = i..j;
        // The longest copy; the first among equals.
        let best = group
            .clone()
            .max_by_key(|&k| (pieces[k].len(), std::cmp::Reverse(k)))
            .expect("a non-empty group");
        let mut text = pieces[best].to_string();
        let mut notes = Vec::new();
        if j - i > 1 {
            if !ids[best].has_envelope {
                if let Some(k) = group.clone().find(|&k| ids[k].has_envelope) {
                    text = format!("{}\n\n{text}", envelope_lines(pieces[k]));
                }
            }
            notes.push(Diagnostic::new(
                Code::MultipleCables,
                format!(
                    "the text holds this cable {} times (a header preview, an export row, a \
                     second copy): copy {} of {}, the longest, was read",
                    j - i,
                    best - i + 1,
                    j - i
                ),
            ));
        }
        out.push(Piece {
            text,
            first: i == 0,
            notes,
        });
        i = j;
    }
    out
}

/// The routing header at the top of a copy: its lines up to the classification
/// line (or the first field line).
fn envelope_lines(piece: &str) -> &str {
    let mut end = 0;
    for l in piece.split('\n') {
        let t = l.trim();
        if crate::parse::read_classification_line(t).is_some()
            || t.starts_with("E.O.")
            || t.starts_with("TAGS")
            || t.starts_with("SUBJECT")
        {
            break;
        }
        end += l.len() + 1;
    }
    piece[..end.min(piece.len())].trim_end()
}

use std::io::Read;

use crate::decode::{decode, DecodeError};
use crate::diagnostics::{Code, Diagnostic};
use crate::parse::{parse, Hints};
use crate::record::{Cable, Source};
use crate::station::station_from_name;

/// The first `n` bytes of `text`, cut back to a character boundary.
pub(crate) fn prefix(text: &str, n: usize) -> &str {
    let mut end = n.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Picks the container format from the content (the first few kilobytes suffice).
/// The file name is only a tie-breaker: content wins.
pub fn detect(name: &str, head: &str) -> Format {
    let t = head.trim_start_matches('\u{feff}').trim_start();
    if (t.starts_with('{') && t[1..].trim_start().starts_with('"'))
        || (t.starts_with('[') && t[1..].trim_start().starts_with('{'))
    {
        return Format::JsonExport;
    }
    if is_csv_row_start(t) {
        return Format::CablesCsv;
    }
    let lower_head = prefix(t, 2048).to_ascii_lowercase();
    let htmlish = lower_head.contains("<html")
        || lower_head.contains("<!doctype")
        || lower_head.contains("<body");
    if let Some(f) = html::kind(t) {
        return f;
    }
    if body_text::looks_like(t) {
        return Format::BodyText;
    }
    if htmlish || (name.ends_with(".html") || name.ends_with(".htm")) && t.starts_with('<') {
        return Format::RepublishedPage;
    }
    if republished::looks_like(t) {
        return Format::RepublishedPage;
    }
    if is_body_only(t) {
        return Format::BodyText;
    }
    Format::Telegram
}

/// A cable text without an envelope that starts like a cable body (classification
/// line, partial-extract note, or preamble fields): a body-only text. Telegrams
/// carry their envelope (VZCZC, DE, DTG) and fragments (a REF line) carry neither.
fn is_body_only(t: &str) -> bool {
    let lines: Vec<&str> = t.lines().take(80).collect();
    let envelope = lines.iter().any(|l| {
        let l = l.trim_start();
        l.starts_with("VZCZC") || (l.starts_with("DE R") && l.contains('#')) || l.starts_with("FM ")
    });
    if envelope {
        return false;
    }
    lines.iter().take(40).any(|l| {
        let l = l.trim();
        crate::parse::read_classification_line(l).is_some_and(|c| c.station.is_some())
            || l.contains("partial extract of the original cable")
    })
}

/// True for the start of a `cables.csv` row: `"1","12/28/1966 18:48","...`.
fn is_csv_row_start(t: &str) -> bool {
    // The row must open with a quote; checking that first spares splitting (a
    // search through the whole text) for every other format.
    if !t.starts_with('"') {
        return false;
    }
    let mut parts = t.splitn(3, "\",\"");
    let first = parts.next().unwrap_or("");
    let second = parts.next().unwrap_or("");
    first.starts_with('"')
        && first.len() > 1
        && first[1..].bytes().all(|b| b.is_ascii_digit())
        && second.contains('/')
        && second
            .split_whitespace()
            .next()
            .is_some_and(|d| d.split('/').count() == 3)
}

/// Splits the texts of a non-streaming container into cables.
pub fn extract(format: Format, text: &str) -> Vec<Result<Extracted, String>> {
    match format {
        Format::WikileaksHtml2011 | Format::WikileaksHtml2010 => {
            html::viewer_page(text).into_iter().map(Ok).collect()
        }
        Format::PlusdHtml => html::plusd_page(text).into_iter().map(Ok).collect(),
        Format::JsonExport => json::records(text)
            .into_iter()
            .map(|r| r.map_err(|e| e.to_string()))
            .collect(),
        Format::CablesCsv => csv::CsvCables::new(text.as_bytes())
            .map(|r| r.map_err(|e| e.to_string()))
            .collect(),
        Format::BodyText => vec![Ok(body_text::extract(text))],
        Format::RepublishedPage => {
            let page = if text.trim_start().starts_with('<') {
                republished::page_text(text)
            } else {
                text.to_string()
            };
            vec![Ok(republished::extract(&page))]
        }
        Format::Telegram => {
            // One or several cables in one file: split where a further envelope starts
            // after cable text.
            // Most files hold one cable: only look for splits when a second
            // envelope could be there.
            let several = occurs_twice(text, "VZCZC")
                || occurs_twice(text, "\nFM ")
                || occurs_twice(text, "\nDE R");
            let pieces = if several {
                split_records(text, 0)
            } else {
                Vec::new()
            };
            if pieces.is_empty() {
                // An empty text is still a (empty) cable: the hints may fill it.
                return vec![Ok(Extracted {
                    text: text.to_string(),
                    format: Format::Telegram,
                    published: None,
                    year: None,
                    index: 1,
                    notes: Vec::new(),
                })];
            }
            pieces
                .into_iter()
                .enumerate()
                .map(|(i, p)| {
                    Ok(Extracted {
                        text: p.text,
                        format: Format::Telegram,
                        published: None,
                        year: None,
                        index: i + 1,
                        notes: p.notes,
                    })
                })
                .collect()
        }
    }
}

/// True when `pat` occurs at least twice in `text` (as `matches(pat).nth(1)`, for
/// patterns that cannot overlap themselves). The search for the second occurrence
/// uses `contains`, which is much faster than a `matches` iterator over the
/// (usually match-free) rest of the text.
fn occurs_twice(text: &str, pat: &str) -> bool {
    text.find(pat)
        .is_some_and(|i| text[i + pat.len()..].contains(pat))
}

/// [`to_cable`], or why the text is no cable at all (see [`not_a_cable`]).
fn cable_or_junk(
    e: Extracted,
    path: Option<String>,
    encoding: &str,
    several: bool,
    opts: &ReadOptions,
) -> Result<Cable, String> {
    match parse_extracted(e, path, encoding, several, opts, true) {
        (_, Some(why)) => Err(why),
        (c, None) => Ok(c),
    }
}

/// Parses one extracted text into a record, and sets what the container published
/// beside it: fields the text lacks are taken from the container (with a
/// diagnostic), and disagreements earn `published_mismatch` diagnostics.
pub fn to_cable(
    e: Extracted,
    path: Option<String>,
    encoding: &str,
    several: bool,
    opts: &ReadOptions,
) -> Cable {
    parse_extracted(e, path, encoding, several, opts, false).0
}

/// [`to_cable`], and with `check_junk` why the text is no cable, if it is none.
fn parse_extracted(
    e: Extracted,
    path: Option<String>,
    encoding: &str,
    several: bool,
    opts: &ReadOptions,
    check_junk: bool,
) -> (Cable, Option<String>) {
    let hints = Hints {
        id: opts.id.clone(),
        year: opts.year,
        container_year: e.year,
        source: Source {
            path,
            format: e.format.name().to_string(),
            encoding: encoding.to_string(),
            item: several.then_some(e.index),
            official_release: false,
        },
    };
    let mut c = parse(&e.text, &hints);
    // A text the container published metadata for is a cable; others are looked at
    // again only when the parser found no field or paragraph in them.
    let junk = (check_junk && e.published.is_none())
        .then(|| not_a_cable(&e.text, &c))
        .flatten();
    c.diagnostics.extend(e.notes);
    if let Some(p) = e.published {
        apply_published(&mut c, p, e.format);
    }
    (c, junk)
}

fn apply_published(c: &mut Cable, p: crate::record::Published, format: Format) {
    let mismatch = |c: &mut Cable, field: &str, text: &str, published: &str| {
        c.diagnostics.push(Diagnostic::new(
            Code::PublishedMismatch,
            format!("{field}: the text says {text}, the container published {published}"),
        ));
    };
    if let Some(pid) = &p.id {
        let canonical = crate::id::parse_id(pid, None).map(|i| i.to_string());
        match (&c.id, canonical) {
            (None, Some(cid)) => {
                c.diagnostics.push(Diagnostic::new(
                    Code::IdInferred,
                    format!("id taken from the container ({pid})"),
                ));
                c.id = Some(cid);
                if pid.as_str() != c.id.as_deref().unwrap_or("") {
                    c.id_as_written = Some(pid.clone());
                }
            }
            (Some(tid), Some(cid)) if *tid != cid => {
                let tid = tid.clone();
                mismatch(c, "id", &tid, pid);
            }
            _ => {}
        }
    }
    if let Some(created) = &p.created {
        let iso = published_time(created, format);
        match (&c.created, iso) {
            (None, Some(iso)) => {
                c.diagnostics.push(Diagnostic::new(
                    Code::MissingField,
                    format!("created taken from the container ({created})"),
                ));
                c.created = Some(iso);
            }
            (Some(t), Some(iso)) if t.get(..10) != iso.get(..10) => {
                let t = t.clone();
                mismatch(c, "created", &t, created);
            }
            _ => {}
        }
    }
    if let Some(class) = &p.classification {
        match &c.classification {
            None => {
                c.diagnostics.push(Diagnostic::new(
                    Code::ClassificationImplied,
                    format!("no classification in the text: taken from the container ({class})"),
                ));
                c.classification = Some(class.clone());
            }
            Some(t) if t != class => {
                let t = t.clone();
                mismatch(c, "classification", &t, class);
            }
            _ => {}
        }
    }
    if let Some(origin) = &p.origin {
        let station = station_from_name(origin);
        match &c.origin.station {
            None if !station.is_empty() => c.origin.station = Some(station),
            Some(s) if crate::station::is_known_station(&station) && *s != station => {
                let s = s.clone();
                mismatch(c, "origin", &s, origin);
            }
            _ => {}
        }
    }
    if c.tags.is_empty() && !p.tags.is_empty() {
        for t in &p.tags {
            let up = t.to_uppercase();
            if !c.tags.contains(&up) {
                c.tags.push(up);
            }
        }
    }
    c.published = Some(p);
}

/// A container time as ISO 8601: `M/D/YYYY H:MM` (CSV dumps, exact) or
/// `YYYY-MM-DD HH:MM` (viewer pages, whose minutes are corrupt: kept as :00).
fn published_time(s: &str, format: Format) -> Option<String> {
    let s = s.trim();
    let (date, time) = s.split_once(' ').unwrap_or((s, "0:00"));
    let (h, m) = time.split_once(':').unwrap_or((time, "0"));
    let hour: i8 = h.trim().parse().ok()?;
    let mut minute: i8 = m.trim().get(..2).unwrap_or(m.trim()).parse().ok()?;
    let (y, mo, d): (i16, i8, i8) = if date.contains('/') {
        let mut it = date.split('/');
        let mo = it.next()?.parse().ok()?;
        let d = it.next()?.parse().ok()?;
        (it.next()?.parse().ok()?, mo, d)
    } else {
        let mut it = date.split('-');
        (
            it.next()?.parse().ok()?,
            it.next()?.parse().ok()?,
            it.next()?.parse().ok()?,
        )
    };
    if matches!(
        format,
        Format::WikileaksHtml2010 | Format::WikileaksHtml2011
    ) {
        minute = 0;
    }
    // `Date::at` panics on an hour or minute out of range (a damaged `25:61`):
    // both parts are checked, and a time that is not one gives no date at all.
    let time = jiff::civil::Time::new(hour, minute, 0, 0).ok()?;
    let dt = jiff::civil::Date::new(y, mo, d).ok()?.to_datetime(time);
    Some(crate::dtg::iso(dt))
}

/// Why an input (or one item inside it) gave no record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The bytes are not text, or too large.
    #[error("{0}")]
    Decode(#[from] DecodeError),
    /// Reading the stream failed.
    #[error("read error: {0}")]
    Io(String),
    /// One row or record of a container could not be read.
    #[error("{format} item {index}: {message}")]
    Item {
        /// The container format.
        format: &'static str,
        /// Position of the item in the container, from 1.
        index: usize,
        /// What went wrong.
        message: String,
    },
}

/// What the caller knows about every text of an input, and the size limit.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Id hint for texts that carry none.
    pub id: Option<String>,
    /// Year hint for texts that carry none.
    pub year: Option<i32>,
    /// Largest input read whole (containers other than CSV dumps, which stream).
    pub max_bytes: u64,
    /// Whether a file name that is a cable id (`03ABUDHABI2641.txt`,
    /// `.../2003/01/03ABUDHABI2641.html`) gives the id of a record whose text gives
    /// none (with an `id_from_file_name` diagnostic). On by default.
    pub file_name_ids: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            id: None,
            year: None,
            max_bytes: crate::decode::MAX_INPUT_BYTES as u64,
            file_name_ids: true,
        }
    }
}

fn file_id_re() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r"^(?:\d{2}|\d{4})[A-Z]{2,}\d{1,7}(?:_[a-z])?$").expect("valid regex")
    })
}

/// The cable id a file name is, if it is one: the last component of the path
/// (archive members included), its extension removed, shaped like an id and naming
/// a known post.
pub fn id_from_file_name(name: &str) -> Option<crate::id::CableId> {
    let base = name.rsplit(['/', '\\', '!']).next()?;
    let stem = base.split('.').next()?;
    if !file_id_re().is_match(stem) {
        return None;
    }
    let id = crate::id::parse_id(stem, None)?;
    crate::station::is_known_station(&id.station).then_some(id)
}

/// Gives a record whose text gave no id the id of its file name, when the text
/// does not contradict it (another post, or another year).
fn apply_file_name_id(c: &mut Cable, name: &str) {
    if c.id.is_some() {
        return;
    }
    let Some(fid) = id_from_file_name(name) else {
        return;
    };
    let text_line = c
        .classification_line
        .as_deref()
        .and_then(crate::parse::read_classification_line);
    let text_station = text_line
        .as_ref()
        .and_then(|l| l.station.as_deref())
        .map(crate::parse::station_code)
        .or_else(|| c.origin.station.clone());
    if text_station.as_ref().is_some_and(|s| *s != fid.station) {
        return;
    }
    if let Some(y) = c
        .created
        .as_deref()
        .and_then(|d| d.get(..4)?.parse::<i32>().ok())
    {
        if y != fid.year {
            return;
        }
    }
    let text_serial = text_line
        .as_ref()
        .and_then(|l| l.serial.as_deref())
        .and_then(|s| s.replace('O', "0").parse::<u64>().ok());
    let id = fid.to_string();
    let mut message = format!("the text gives no id: taken from the file name ({id})");
    if let Some(s) = text_serial.filter(|s| *s != fid.serial) {
        message.push_str(&format!("; the text's serial is {s}"));
    }
    c.diagnostics
        .push(Diagnostic::new(Code::IdFromFileName, message));
    c.origin.station.get_or_insert_with(|| fid.station.clone());
    c.id = Some(id);
}

/// Why an extracted text is no cable at all (site boilerplate, a page of links),
/// if it is none: the parser found no header field, no classification line, no
/// numbered or marked paragraph and no field keyword, and what remains once known
/// boilerplate is removed is a few words. Short or header-less cables always keep
/// something of this (a mark, a field, a classification line) and are kept.
fn not_a_cable(text: &str, c: &Cable) -> Option<String> {
    let has_field = c.id.is_some()
        || c.created.is_some()
        || c.classification.is_some()
        || c.subject.is_some()
        || !c.tags.is_empty()
        || !c.references.is_empty()
        || !c.recipients.is_empty()
        || !c.info_recipients.is_empty()
        || c.eo.is_some()
        || c.origin.station.is_some()
        || c.origin.routing_indicator.is_some()
        || c.published.is_some();
    let has_paragraph = c
        .paragraphs
        .iter()
        .any(|p| p.number > 0 || p.marking.is_some());
    if has_field || has_paragraph {
        return None;
    }
    let (stripped, _) = html::block_text(text);
    let keyword = stripped.lines().any(|l| {
        let t = l.trim_start().to_ascii_uppercase();
        ["E.O.", "EO 1", "TAGS", "SUBJ", "REF", "CLASSIFIED BY"]
            .iter()
            .any(|k| t.starts_with(k))
    });
    if keyword {
        return None;
    }
    let mut rest = stripped.clone();
    let mut found: Vec<&str> = Vec::new();
    for b in BOILERPLATE {
        if rest.contains(b) {
            found.push(b);
            rest = rest.replace(b, " ");
        }
    }
    if found.is_empty() {
        return None;
    }
    let words = rest
        .split_whitespace()
        .filter(|w| !w.contains("://") && !w.starts_with("www."))
        .filter(|w| w.chars().filter(char::is_ascii_alphabetic).count() >= 2)
        .count();
    (words < 30).then(|| {
        format!(
            "not a cable: the text is site boilerplate ({}) with no cable field, \
             classification line or paragraph",
            found
                .iter()
                .map(|b| format!("\u{201C}{b}\u{201D}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// Site furniture that pages around cables carry.
const BOILERPLATE: &[&str] = &[
    "Appears in these articles:",
    "Page not found",
    "This page could not be found",
    "All rights reserved",
    "Subscribe to our newsletter",
    "Enable JavaScript",
    "Share this article",
    "Related articles",
];

/// How many bytes are sniffed to pick a format.
const SNIFF: usize = 64 * 1024;

/// Reads every cable in one input stream: the format is detected from the content,
/// `cables.csv` dumps are streamed row by row (bounded memory), other containers
/// are read whole up to `opts.max_bytes`. `on_cable` gets each record or item error in
/// order; the return value is the detected format, or the error that stopped the
/// whole input (unreadable, binary, too large).
pub fn read_stream(
    name: &str,
    input: &mut dyn Read,
    opts: &ReadOptions,
    on_cable: &mut dyn FnMut(Result<Cable, ReadError>),
) -> Result<Format, ReadError> {
    let max_bytes = opts.max_bytes;
    let mut head = Vec::with_capacity(SNIFF);
    input
        .take(SNIFF as u64)
        .read_to_end(&mut head)
        .map_err(|e| ReadError::Io(e.to_string()))?;
    let head_text = String::from_utf8_lossy(&head);
    let format = detect(name, &head_text);
    let path = Some(name.to_string());
    if format == Format::CablesCsv {
        let chained = std::io::Read::chain(&head[..], input);
        // Each row (one cable) within the input limit: a larger row fails as soon
        // as it passes it, in bounded memory.
        for row in csv::CsvCables::with_row_limit(chained, max_bytes) {
            match row {
                // Fields are decoded one by one (UTF-8, else Windows-1252); the row
                // reports UTF-8 as the dump's encoding.
                Ok(e) => on_cable(Ok(to_cable(e, path.clone(), "utf-8", true, opts))),
                Err(err) => on_cable(Err(ReadError::Item {
                    format: format.name(),
                    index: row_of(&err),
                    message: err.to_string(),
                })),
            }
        }
        return Ok(format);
    }
    let mut bytes = head;
    input
        .take(
            max_bytes
                .saturating_add(1)
                .saturating_sub(bytes.len() as u64),
        )
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Io(e.to_string()))?;
    if bytes.len() as u64 > max_bytes {
        return Err(ReadError::Decode(DecodeError::TooLarge {
            size: bytes.len(),
            limit: max_bytes as usize,
        }));
    }
    let decoded = decode(&bytes)?;
    // Markers of an HTML template can sit past the sniffed head: look again.
    let format = if format == Format::RepublishedPage || format == Format::BodyText {
        detect(name, &decoded.text)
    } else {
        format
    };
    let items = extract(format, &decoded.text);
    let several = items.len() > 1;
    let total = items.len();
    let one_cable_format = !matches!(format, Format::CablesCsv | Format::JsonExport);
    for item in items {
        match item {
            Ok(e) => {
                let index = e.index;
                let mut c = match cable_or_junk(e, path.clone(), decoded.encoding, several, opts) {
                    Ok(c) => c,
                    Err(why) => {
                        on_cable(Err(ReadError::Item {
                            format: format.name(),
                            index,
                            message: why,
                        }));
                        continue;
                    }
                };
                if opts.file_name_ids && index == 1 {
                    apply_file_name_id(&mut c, name);
                }
                if one_cable_format && index > 1 {
                    // Pages and telegram files usually hold one cable: say where an
                    // extra record came from.
                    c.diagnostics.push(Diagnostic::new(
                        Code::MultipleCables,
                        format!("record {index} of {total} found in this {}", format.name()),
                    ));
                }
                on_cable(Ok(c))
            }
            Err(message) => on_cable(Err(ReadError::Item {
                format: format.name(),
                index: 0,
                message,
            })),
        }
    }
    Ok(format)
}

fn row_of(err: &csv::CsvError) -> usize {
    match err {
        csv::CsvError::Syntax { row, .. }
        | csv::CsvError::Columns { row, .. }
        | csv::CsvError::Field { row, .. } => *row as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_times_out_of_range_are_no_time_not_a_panic() {
        // Found by the `containers` fuzz target: `Date::at` panicked on these.
        for bad in [
            "1/2/2008 25:00",
            "1/2/2008 12:61",
            "2008-01-02 -1:00",
            "2/30/2008 1:00",
        ] {
            assert_eq!(published_time(bad, Format::CablesCsv), None, "{bad}");
        }
        assert_eq!(
            published_time("1/2/2008 23:59", Format::CablesCsv).as_deref(),
            Some("2008-01-02T23:59:00Z")
        );
        assert_eq!(
            published_time("2008-01-02 07:45", Format::WikileaksHtml2011).as_deref(),
            Some("2008-01-02T07:00:00Z")
        );
    }
}
