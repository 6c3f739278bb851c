//! Stage 1 of the parser: where the cable stands in the text.
//!
//! A text may carry page furniture around the cable (a site's title above it,
//! its boilerplate below), export-row fields and mail headers before the
//! envelope, a second envelope (the header repeated, or another cable glued on),
//! and the cable twice (a header preview, then the full copy). [`locate`] cuts all
//! of that away and says which lines are the read copy's text, where its
//! classification line and first paragraph are, and what it dropped, each cut
//! with a diagnostic. Every later stage reads only [`Layout::rest`].

use super::classline::{self, ClassLine};
use super::{envelope, is_field_line, preamble, reflow, station_code, text};
use crate::diagnostics::{Code, Diagnostic};
use crate::station::is_known_station;

re!(dump_ts_re, r"^\s*\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?\s*$");

/// Where the cable is in a text, and what around it was left out.
pub(super) struct Layout<'a> {
    /// The envelope's lines, read (two merged when an export row stood between).
    pub env: envelope::Envelope,
    /// The read copy's lines after its envelope: classification line, preamble,
    /// paragraphs, signature.
    pub rest: &'a [&'a str],
    /// Export-row fields (id, classification) found before or between envelopes.
    pub dump: DumpRow,
    /// The DE serial of another cable's envelope read under this one, if any.
    pub foreign_ssn: Option<u64>,
    /// The lines of a second copy of the cable that was not read.
    pub dropped_copy: Vec<&'a str>,
    /// Index in `rest` of paragraph 1 (`rest.len()` when none is numbered).
    pub para1: usize,
    /// Index in `rest` of the classification line, and its reading.
    pub class_pos: Option<usize>,
    /// The classification line, with a station and serial taken from a line of
    /// their own when it names none.
    pub class_line: Option<ClassLine>,
    /// A line holding only the station and serial (no level word), when the
    /// classification line names none.
    pub station_line: Option<(String, String)>,
    /// A page title or export row before the cable.
    pub leader: Leader,
}

/// Finds the cable in `all` (the prepared text's lines), pushing a diagnostic for
/// every part left out.
pub(super) fn locate<'a>(all: &'a [&'a str], diags: &mut Vec<Diagnostic>) -> Layout<'a> {
    // Page furniture around the cable: site boilerplate after it, a title before.
    let end = trailer_start(all).unwrap_or(all.len());
    if end < all.len() && all[end..].iter().any(|l| !l.trim().is_empty()) {
        diags.push(Diagnostic::new(
            Code::TrailerRemoved,
            format!(
                "{} lines after the cable (site boilerplate) were left out",
                all.len() - end
            ),
        ));
    }
    let lines = &all[..end];
    let leader = leader(lines);
    let lines = &lines[leader.skip..];
    if leader.skip > 0 {
        diags.push(Diagnostic::new(
            Code::LeaderRemoved,
            format!("{} lines before the cable were left out", leader.skip),
        ));
    }

    let stop =
        |l: &str| classline::read(l).is_some() || is_field_line(l) || preamble::is_para_start(l);
    // The envelope may follow page furniture (mail headers, dump rows, a bare
    // classification line): start at its first format line when there is one.
    let para_any = lines
        .iter()
        .position(|l| preamble::is_para_start(l))
        .unwrap_or(lines.len());
    let env_start = (0..para_any.min(80))
        .find(|&i| is_envelope_start(lines, i))
        .unwrap_or(0);
    let skipped = &lines[..env_start];
    let lines = &lines[env_start..];
    let mut env = envelope::scan(lines, &stop);
    let mut rest = &lines[env.end..];
    let mut dump = DumpRow::from_lines(skipped);
    // The DE serial of another cable's envelope read under this one, if any.
    let mut foreign_ssn: Option<u64> = None;
    // The lines of a second copy of the cable that was not read.
    let mut dropped_copy: Vec<&str> = Vec::new();

    // A second envelope: the same cable repeated (skip to its text) or another
    // cable glued on (cut it off; the container readers split such texts).
    if let Some(k) = (0..rest.len()).find(|&i| is_envelope_start(rest, i)) {
        let env2 = envelope::scan(&rest[k..], &stop);
        let same = match (&env.de, &env2.de, &env.dtg, &env2.dtg) {
            (Some(a), Some(b), _, _) => a.ssn == b.ssn && a.ri == b.ri,
            (_, _, Some(a), Some(b)) => {
                (a.day, a.hour, a.minute, a.month, a.year)
                    == (b.day, b.hour, b.minute, b.month, b.year)
            }
            _ => env.de.is_none() && env.dtg.is_none(),
        };
        // Cable text (as opposed to export-row fields and wrapped routing lines): a
        // classification line, a field, a paragraph, or a line of prose.
        let text_between = rest[..k].iter().any(|l| {
            let t = l.trim();
            classline::read(t).is_some_and(|c| c.station.is_some())
                || is_field_line(t)
                || preamble::is_para_start(t)
                || (t.len() > 60
                    && !envelope::is_ri_list(t)
                    && !is_office_codes(t)
                    && !DumpRow::is_dump_line(t))
        });
        let line_no = env_start + env.end + k + 1;
        if !text_between {
            // Nothing but export-row fields between two envelopes: the text follows
            // the second one. The first envelope names the record (a publisher's
            // page may glue another cable's text under it).
            if !same {
                diags.push(Diagnostic::new(
                    Code::MultipleCables,
                    format!(
                        "a second envelope at line {line_no} belongs to another cable; \
                         the text that follows it is read under the first"
                    ),
                ));
            }
            dump.merge(DumpRow::from_lines(&rest[..k]));
            if !same {
                foreign_ssn = env2.de.as_ref().map(|d| d.ssn);
            }
            let next = &rest[k + env2.end..];
            env = merge_envelopes(env, env2);
            rest = next;
        } else {
            // Text, then another envelope: a repeated header or a second cable glued
            // on. Only the first is read (the container readers split such texts).
            let mut cut = k;
            while cut > 0 && DumpRow::is_dump_line(rest[cut - 1]) {
                cut -= 1;
            }
            let later = &rest[k + env2.end..];
            if same && chars(later) > chars(&rest[..cut]) {
                // The cable twice, the second copy the more complete (the first a
                // header preview): read the second.
                diags.push(Diagnostic::new(
                    Code::MultipleCables,
                    format!(
                        "the cable's header repeats at line {line_no}; the copy after it \
                         is the longer and was read"
                    ),
                ));
                dropped_copy = rest[..cut].to_vec();
                env = merge_envelopes(env, env2);
                rest = later;
            } else {
                let what = if same {
                    "the cable's header repeats"
                } else {
                    "a second cable starts"
                };
                diags.push(Diagnostic::new(
                    Code::MultipleCables,
                    format!("{what} at line {line_no}; only the text before it is in this record"),
                ));
                if same {
                    dropped_copy = rest[k..].to_vec();
                }
                rest = &rest[..cut];
            }
        }
    }

    let (mut para1, mut class_pos, mut class_line) = locate_text(rest);
    // The cable's classification line again, before the first paragraph or after
    // the text: the cable twice in one text without a second envelope (a header
    // preview, then a collapsed or complete copy). The longer copy is read.
    if let Some(p) = class_pos {
        if let Some(r) = repeated_class_line(rest, p, class_line.as_ref()) {
            let (first, second) = (&rest[..r], &rest[r..]);
            let line_no = env_start + env.end + r + 1;
            if chars(second) > chars(first) {
                dropped_copy = first.to_vec();
                rest = second;
                (para1, class_pos, class_line) = locate_text(rest);
            } else {
                // The second copy's own leading lines (an export row, its envelope)
                // are not the first copy's text.
                let mut cut = r;
                while cut > p + 1 && is_copy_leader(rest[cut - 1]) {
                    cut -= 1;
                }
                dropped_copy = rest[cut..].to_vec();
                rest = &rest[..cut];
                para1 = para1.min(rest.len());
            }
            diags.push(Diagnostic::new(
                Code::MultipleCables,
                format!(
                    "the classification line repeats at line {line_no}: the text holds \
                     the cable twice; the longer copy was read"
                ),
            ));
        }
    }
    // The station and serial written without a level word (`ABU DHABI 002641`,
    // or a section break line), where no classification line names them: a copy
    // that lost its level word, a flattened export that put the level on a line of
    // its own (`CONFIDENTIAL` / `NEW DELHI 005734`).
    let station_line = if class_line.as_ref().is_some_and(|c| c.station.is_some()) {
        None
    } else {
        let from = class_pos.map_or(0, |p| p + 1);
        find_station_line(&rest[from.min(rest.len())..para1.max(from).min(rest.len())])
    };
    if let (Some(cl), Some((st, se))) = (class_line.as_mut(), &station_line) {
        cl.station = Some(st.clone());
        cl.serial = Some(se.clone());
    }
    if let (Some(cl), Some(pos)) = (class_line.as_mut(), class_pos) {
        // 1970s pages put the bare level first and the station line later.
        if cl.station.is_none() {
            if let Some(later) = rest[pos + 1..para1.min(80).min(rest.len()).max(pos + 1)]
                .iter()
                .filter_map(|l| classline::read(l))
                .find(|c| c.station.is_some())
            {
                cl.station = later.station;
                cl.serial = later.serial;
                cl.section = cl.section.or(later.section);
            }
        }
    }

    Layout {
        env,
        rest,
        dump,
        foreign_ssn,
        dropped_copy,
        para1,
        class_pos,
        class_line,
        station_line,
        leader,
    }
}

/// Where the text's first paragraph starts (or the end), and its classification
/// line (position and reading), looked for before the first paragraph.
pub(super) fn locate_text(rest: &[&str]) -> (usize, Option<usize>, Option<ClassLine>) {
    let para1 = (0..rest.len())
        .find(|&i| preamble::is_para_start(rest[i]) || reflow::is_marked_prose_at(rest, i))
        .unwrap_or(rest.len());
    let search = para1.min(80).min(rest.len());
    // Read the class line once, keeping its position (reading it is not cheap).
    let (class_pos, class_line) = rest[..search]
        .iter()
        .enumerate()
        .find_map(|(i, l)| classline::read_long(l).map(|c| (i, c)))
        .unzip();
    (para1, class_pos, class_line)
}

/// The line where the classification line at `pos` (with its station and serial)
/// is written again for the same section.
fn repeated_class_line(rest: &[&str], pos: usize, first: Option<&ClassLine>) -> Option<usize> {
    let first = first?;
    let (station, serial) = (first.station.as_deref()?, first.serial.as_deref()?);
    let serial = serial.trim_start_matches('0');
    // One searcher for the station over every line (`contains` built one per line).
    let station_finder = memchr::memmem::Finder::new(station);
    (pos + 1..rest.len()).find(|&i| {
        let t = rest[i].trim_start();
        // Cheap test: the same station must be on the line.
        station_finder.find(t.as_bytes()).is_some()
            && classline::read_long(t).is_some_and(|c| {
                c.station.as_deref() == Some(station)
                    && c.serial.as_deref().map(|s| s.trim_start_matches('0')) == Some(serial)
                    && c.section == first.section
            })
    })
}

/// A line that can stand between a cable's text and a second copy's classification
/// line: blank, an export-row field, a format line or an addressee.
fn is_copy_leader(l: &str) -> bool {
    let t = l.trim().trim_end_matches('\\').trim();
    t.is_empty()
        || DumpRow::is_dump_line(t)
        || t.starts_with("VZCZC")
        || t.starts_with("ZNY ")
        || t.starts_with("ZNR ")
        || t.starts_with("FM ")
        || t.starts_with("TO ")
        || t.starts_with("INFO ")
        || t.starts_with("header")
        || t.starts_with("---")
        || envelope::read_de(t).is_some()
        || envelope::read_dtg(t).is_some()
        || envelope::is_ri_list(t)
        || dump_ts_re().is_match(t.split('\t').next().unwrap_or(""))
        || addressee_re().is_match(t)
}

/// An addressee line of an envelope (`RUEHC/SECSTATE WASHDC PRIORITY 1234`).
pub(super) fn is_addressee_line(t: &str) -> bool {
    addressee_re().is_match(t)
}

re!(
    addressee_re,
    r"^(?:R[A-Z]{3,7}/[A-Z]|[A-Z][A-Z0-9 /.,&()\-]{2,80}\s(?:PRIORITY|IMMEDIATE|ROUTINE|\d{4})$)"
);

re!(
    station_line_re,
    r"^(?:OF\s+\d{1,2}\s+)?([A-Z][A-Z .'\-]{1,30}?)\s+(\d{3,6}|\d{8}\s+\d{3}(?:\.\d)?\s+OF\s+\d{3})\s*$"
);

/// A line holding only a known post and a serial (`ABU DHABI 002641`), or a
/// section break (`ABU DHABI 00002641  002 OF 003`), among the first lines.
fn find_station_line(lines: &[&str]) -> Option<(String, String)> {
    lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .take(6)
        .find_map(|l| {
            let c = station_line_re().captures(l)?;
            let station = c[1].trim();
            if !is_known_station(&station_code(station)) {
                return None;
            }
            let serial = c[2].split_whitespace().next()?.to_string();
            Some((station.to_string(), serial))
        })
}

/// Characters of text in some lines.
fn chars(lines: &[&str]) -> usize {
    lines.iter().map(|l| l.trim().len()).sum()
}

/// True when line `l` starts an envelope: `VZCZC`, a DE line, or a DTG line
/// followed closely by an FM line.
fn is_envelope_start(all: &[&str], i: usize) -> bool {
    let t = all[i].trim_start();
    // `VZCZC`, `DE `, or a DTG (a prosign or the day's digits first): most lines of
    // a text are none of these by their first letter.
    if !matches!(
        t.as_bytes().first(),
        Some(b'V' | b'D' | b'0'..=b'9' | b'R' | b'P' | b'O' | b'Z' | b'Y' | b'N')
    ) {
        return false;
    }
    let t = t.trim_end();
    if t.starts_with("VZCZC") || envelope::read_de(t).is_some() {
        return true;
    }
    envelope::read_dtg(t).is_some()
        && all[i + 1..]
            .iter()
            .take(3)
            .any(|x| x.trim_start().starts_with("FM "))
}

fn merge_envelopes(mut a: envelope::Envelope, b: envelope::Envelope) -> envelope::Envelope {
    a.transmission_id = a.transmission_id.or(b.transmission_id);
    a.de = a.de.or(b.de);
    a.security_letter = a.security_letter.or(b.security_letter);
    a.dtg = a.dtg.or(b.dtg);
    a.from = a.from.or(b.from);
    if a.to.is_empty() {
        a.to = b.to;
    }
    if a.info.is_empty() {
        a.info = b.info;
    }
    if a.exempt.is_empty() {
        a.exempt = b.exempt;
    }
    a
}

/// True for a line of distribution office codes (`INFO LOG-00 EEB-00 ... /004W`)
/// from the Department's incoming-record block.
fn is_office_codes(t: &str) -> bool {
    let mut codes = 0usize;
    let mut other = 0usize;
    for tok in t.split_whitespace() {
        let is_code = tok.split_once('-').is_some_and(|(a, b)| {
            !a.is_empty()
                && a.len() <= 6
                && a.bytes().all(|c| c.is_ascii_uppercase())
                && b.len() == 2
                && b.bytes().all(|c| c.is_ascii_digit())
        }) || (tok.starts_with('/') && tok.ends_with('W'))
            || matches!(tok, "INFO" | "ACTION" | "ORIGIN");
        if is_code {
            codes += 1;
        } else {
            other += 1;
        }
    }
    codes >= 3 && other <= 1
}

/// Fields of an export row (id, classification) found before a cable's envelope.
#[derive(Default)]
pub(super) struct DumpRow {
    pub id: Option<String>,
    pub classification: Option<String>,
}

impl DumpRow {
    fn from_lines(lines: &[&str]) -> DumpRow {
        let mut row = DumpRow::default();
        for l in lines {
            let t = l.trim();
            let value = t
                .split_once(':')
                .filter(|(k, _)| matches!(k.trim(), "refid" | "classification"))
                .map(|(_, v)| v.trim());
            let v = value.unwrap_or(t);
            if row.id.is_none() && is_bare_id(v) {
                row.id = Some(v.to_string());
            } else if row.classification.is_none() && is_published_classification(v) {
                row.classification = Some(v.to_string());
            }
        }
        row
    }

    fn merge(&mut self, other: DumpRow) {
        self.id = self.id.take().or(other.id);
        self.classification = self.classification.take().or(other.classification);
    }

    pub(super) fn is_dump_line(l: &str) -> bool {
        let t = l.trim();
        t.is_empty()
            || t == ">"
            || t.chars().all(|c| c.is_ascii_digit())
            || dump_ts_re().is_match(t)
            || is_bare_id(t)
            || is_published_classification(t)
            || t.split_once(':').is_some_and(|(k, _)| {
                matches!(
                    k.trim(),
                    "id" | "date"
                        | "refid"
                        | "origin"
                        | "classification"
                        | "destination"
                        | "header"
                )
            })
            || t.starts_with("Embassy ")
            || t.starts_with("Consulate ")
            || t.chars().filter(|c| *c == '|').count() >= 1
                && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '|')
    }
}

fn is_bare_id(t: &str) -> bool {
    t.len() >= 6
        && t.len() <= 30
        && t.as_bytes()[..2].iter().all(u8::is_ascii_digit)
        && t.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && t.chars().last().is_some_and(|c| c.is_ascii_digit())
        && t[2..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase())
}

fn is_published_classification(t: &str) -> bool {
    matches!(
        t,
        "UNCLASSIFIED"
            | "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
            | "CONFIDENTIAL"
            | "CONFIDENTIAL//NOFORN"
            | "SECRET"
            | "SECRET//NOFORN"
            | "LIMITED OFFICIAL USE"
            | "TOP SECRET"
    )
}

pub(super) struct Leader {
    /// Lines left out before the cable.
    pub skip: usize,
    /// A page title (`Cablegate: ...`), a subject when the cable has none.
    pub title: Option<String>,
    /// The id an export row names.
    pub dump_id: Option<String>,
    /// True when the page says the text is a partial extract.
    pub partial_note: bool,
}

/// Lines before the cable: a page title (`Cablegate: ...`), dump-row fields (row
/// number, timestamp, id, origin, classification, references).
fn leader(lines: &[&str]) -> Leader {
    let mut l = Leader {
        skip: 0,
        title: None,
        dump_id: None,
        partial_note: false,
    };
    let Some(first) = lines.iter().position(|x| !x.trim().is_empty()) else {
        return l;
    };
    let t = lines[first].trim();
    if let Some(title) = t.strip_prefix("Cablegate:") {
        l.title = Some(text::squeeze(title));
        l.skip = first + 1;
        return l;
    }
    if let Some(rest) = t.strip_prefix("Viewing cable ") {
        if let Some((id, subj)) = rest.split_once(',') {
            l.dump_id = Some(id.trim().to_string());
            let s = text::squeeze(subj);
            if !s.is_empty() {
                l.title = Some(s);
            }
        }
        l.skip = first + 1;
        return l;
    }
    // Dump row: row number, then a timestamp line, then id, origin, classification.
    let ts_line = if t.chars().all(|c| c.is_ascii_digit()) {
        first + 1
    } else {
        first
    };
    if lines.get(ts_line).is_some_and(|x| dump_ts_re().is_match(x)) {
        l.dump_id = lines.get(ts_line + 1).map(|s| s.trim().to_string());
        // Skip to the envelope or the classification line that follows the row.
        let limit = (ts_line + 12).min(lines.len());
        for (i, x) in lines.iter().enumerate().take(limit).skip(ts_line + 2) {
            let x = x.trim();
            if x.starts_with("VZCZC") || envelope::read_dtg(x).is_some() || x.starts_with("DE ") {
                l.skip = i;
                return l;
            }
        }
        l.skip = (ts_line + 5).min(lines.len());
    }
    l
}

/// Where site boilerplate starts after a republished cable (copyright lines and
/// what follows them).
fn trailer_start(lines: &[&str]) -> Option<usize> {
    let n = lines.len();
    // Only the last part of the text can be boilerplate.
    let from = n.saturating_sub(400);
    for (i, l) in lines.iter().enumerate().skip(from) {
        // A copyright notice (`© Scoop Media`, `Copyright 2010 ...`), with no cable
        // paragraph after it. A heading or list item that begins with `Copyright` or
        // `(c)` inside the text is text.
        if is_copyright_notice(l.trim())
            && !lines[i + 1..].iter().any(|l| preamble::is_para_start(l))
        {
            return Some(i);
        }
    }
    None
}

re!(
    copyright_re,
    r"^(?:\u{A9}|(?i:copyright)\s*(?:\u{A9}|\(c\)|\d{4})|\([cC]\)\s*(?:\d{4}|(?i:copyright)))"
);

pub(super) fn is_copyright_notice(t: &str) -> bool {
    // The notice opens with `©` (0xC2 0xA9 in UTF-8), `copyright` or `(c)`.
    t.len() < 100
        && matches!(t.as_bytes().first(), Some(b'c' | b'C' | b'(' | 0xC2))
        && copyright_re().is_match(t)
}
