//! The telegram parser: text in, [`Cable`] out.
//!
//! The parser never fails: whatever the text (a full telegram, a REF line, an empty
//! string) it returns a record holding what the text and the hints give, with a
//! diagnostic for every repair and doubt. Work is linear in the input: every
//! extractor is a line scan or a `regex` match (no backtracking engine).

/// A lazily compiled regex: `re!(name, r"...")` defines `fn name() -> &'static Regex`.
/// Defined before the submodules so that they can use it too.
macro_rules! re {
    ($name:ident, $pat:expr) => {
        fn $name() -> &'static ::regex::Regex {
            static RE: ::std::sync::OnceLock<::regex::Regex> = ::std::sync::OnceLock::new();
            RE.get_or_init(|| ::regex::Regex::new($pat).expect("valid regex"))
        }
    };
}

mod body;
mod classline;
mod envelope;
mod fields;
mod preamble;
mod references;
mod reflow;
mod signature;
mod text;

use crate::assemble::classification_string;
use crate::diagnostics::{Code, Diagnostic};
use crate::dtg::{dtg_datetime, iso, julian_datetime, minutes_between};
use crate::id::{parse_id, CableId};
use crate::marking::{Level, PortionMark};
use crate::record::{Cable, Origin, Section, Source};
use crate::station::{
    by_routing_indicator, canonical_station, is_known_station, squash, station_from_name,
};

pub use body::count_redactions;
pub use classline::{read as read_classification_line, ClassLine};
pub use references::{parse as parse_references, Citing};

/// What the caller knows about a text besides the text itself.
#[derive(Debug, Clone, Default)]
pub struct Hints {
    /// The cable's id, for text that does not carry it (any written form).
    pub id: Option<String>,
    /// The cable's year, for text that does not carry it (the user's hint).
    pub year: Option<i32>,
    /// The year the container gave (a CSV row's or an export's date), for text that
    /// does not carry its own; used before [`Hints::year`], without a diagnostic.
    pub container_year: Option<i32>,
    /// Where the text came from.
    pub source: Source,
}

re!(
    cable_dated_re,
    r"Cable dated:\s*(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})"
);
re!(
    weekday_re,
    r"(?m)^\s*(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),\s+(\d{1,2})\s+([A-Za-z]+)\s+(\d{4}),\s+(\d{1,2}):(\d{2})\s*$"
);
re!(dump_ts_re, r"^\s*\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?\s*$");
re!(
    field_line_re,
    r"^\s*(?:E\.\s?O\.|EO\s+1\d{4}|TAGS?(?-u:\b)|SUBJ(?:ECT)?\s*:|REF\s*:|REFS\s*:)"
);

/// True for a line that opens with a field keyword (`field_line_re`), tested on the
/// first letter before the regex runs.
fn is_field_line(l: &str) -> bool {
    matches!(
        l.trim_start().as_bytes().first(),
        Some(b'E' | b'T' | b'S' | b'R')
    ) && field_line_re().is_match(l)
}

/// Parses the text of one cable.
pub fn parse(text: &str, hints: &Hints) -> Cable {
    let normalized = prepare(text);
    let normalized = match reflow::split_inline_paragraphs(&normalized) {
        std::borrow::Cow::Owned(s) => s,
        std::borrow::Cow::Borrowed(_) => normalized,
    };
    let all: Vec<&str> = text::lines(&normalized).collect();
    let mut cable = Cable {
        source: hints.source.clone(),
        ..Cable::default()
    };
    let mut diags: Vec<Diagnostic> = Vec::new();

    // Page furniture around the cable: site boilerplate after it, a title before.
    let end = trailer_start(&all).unwrap_or(all.len());
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

    // The preamble: everything before paragraph 1, the class line's tail included.
    let mut pre_text = String::new();
    for (i, l) in rest[..para1].iter().enumerate() {
        if Some(i) == class_pos {
            if let Some(cl) = &class_line {
                pre_text.push_str(&cl.rest);
            }
        } else if classline::read(l).is_some_and(|c| c.rest.is_empty() || c.station.is_some()) {
            // repeated classification lines
        } else {
            pre_text.push_str(l);
        }
        pre_text.push('\n');
    }
    let pre_text = text::deglue(&pre_text).into_owned();
    let mut pre = preamble::split(&pre_text);
    // Fields the read copy lacks come from the other copy of the header (a preview
    // keeps SUBJECT and REF that a collapsed copy cut after TAGS lost).
    if !dropped_copy.is_empty() {
        let (p1, cp, cl) = locate_text(&dropped_copy);
        if let (Some(cp), Some(cl)) = (cp, cl) {
            let mut other = cl.rest.clone();
            for l in &dropped_copy[cp + 1..p1.max(cp + 1)] {
                other.push('\n');
                other.push_str(l);
            }
            let other = preamble::split(&text::deglue(&other));
            for f in other.fields {
                let theirs = text::squeeze(&f.text);
                match pre.fields.iter_mut().find(|x| x.field == f.field) {
                    // Positions index the read copy's preamble: none for this one.
                    None => pre.fields.push(preamble::FieldText { end: 0, ..f }),
                    // A longer, uncut field (TAGS that wrapped onto a second line in
                    // one copy and were cut in the other).
                    Some(ours)
                        if f.field != preamble::Field::Ref
                            && theirs.len() > text::squeeze(&ours.text).len()
                            && !theirs.ends_with("..") =>
                    {
                        ours.text = f.text;
                    }
                    Some(_) => {}
                }
            }
        }
    }
    let pre = pre;
    // Without numbered paragraphs the text after the last field is the body.
    let (pre_free, body_lines): (Vec<String>, Vec<&str>) = if para1 == rest.len() {
        let last_field_end = last_field_line(&pre_text, &pre);
        let body_start = match last_field_end {
            Some(n) => n,
            None => class_pos.map(|p| p + 1).unwrap_or(0),
        };
        let body_start = body_start.min(rest.len());
        let free = if last_field_end.is_some() {
            pre.free
                .iter()
                .filter(|f| !rest[body_start..].iter().any(|l| l.trim() == f.as_str()))
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        (free, rest[body_start..].to_vec())
    } else {
        (pre.free.clone(), rest[para1..].to_vec())
    };
    let body = body::parse(&body_lines);

    // ---- captions and passing lines
    let mut captions: Vec<String> = Vec::new();
    let add_caption = |c: &str, captions: &mut Vec<String>| {
        if !captions.iter().any(|x| x == c) {
            captions.push(c.to_string());
        }
    };
    if let Some(cl) = &class_line {
        if cl.noforn {
            add_caption("NOFORN", &mut captions);
        }
    }
    // Free lines after the last field (headings, an opening before paragraph 1):
    // passing lines there name an office to pass to.
    let fields_end = pre
        .fields
        .iter()
        .map(|f| f.end)
        .max()
        .unwrap_or(0)
        .min(pre_text.len());
    // (A few dozen short lines: a list is searched faster than a set is hashed.)
    let after_fields: Vec<&str> = pre_text[fields_end..].split('\n').map(str::trim).collect();
    // Free lines that directly follow another line (no blank line between): the
    // short line a long passing line wrapped onto.
    let follows: Vec<&str> = pre_text
        .split('\n')
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|w| !w[0].trim().is_empty())
        .map(|w| w[1].trim())
        .collect();
    let mut after_passing = false;
    for f in &pre_free {
        let words = caption_words(f);
        let all_captions = !words.is_empty() && words.len() == word_count(f);
        for w in &words {
            add_caption(w, &mut captions);
        }
        // A standalone SENSITIVE BUT UNCLASSIFIED line among the captions is the
        // SENSITIVE caption written out; after the fields it is a handling notice.
        if f.trim_end_matches(['.', ','])
            .eq_ignore_ascii_case("SENSITIVE BUT UNCLASSIFIED")
            && !after_fields.contains(&f.as_str())
        {
            add_caption("SENSITIVE", &mut captions);
            continue;
        }
        let note = f.contains("partial extract")
            || f.contains("Cable dated")
            || classline::read(text::prefix(f, 120)).is_some()
            || DumpRow::is_dump_line(f);
        let heading = {
            let up = f.to_ascii_uppercase();
            [
                "SUMMARY",
                "BEGIN",
                "INTRODUCTION",
                "OVERVIEW",
                "COMMENT",
                "BACKGROUND",
            ]
            .iter()
            .any(|h| up.starts_with(h))
        };
        // Distribution lines: upper case (`DEPT FOR EUR/RUS`, long ones too), or an
        // office then FOR/PASS in mixed case (`NSC for David Stephens`), and the
        // short line a long one wrapped onto.
        let passing = !all_captions
            && !note
            && !heading
            && ((text::is_upper(f) && f.len() <= 400 && !after_fields.contains(&f.as_str()))
                || is_distribution_line(f)
                || (after_passing
                    && !heading
                    && follows.contains(&f.as_str())
                    && f.len() <= 60
                    && !f.ends_with(['.', ':', ','])));
        if passing {
            cable.passing_lines.push(f.clone());
        }
        after_passing = passing;
    }
    for c in &body.captions {
        add_caption(c, &mut captions);
    }
    cable.captions = captions;

    // ---- fields
    let eo_field = pre.get(preamble::Field::Eo);
    // The year: the DTG's, else another date the text gives (an extract's date
    // note, a weekday line), else the year of the cable's own id written in an
    // export row inside the text; then the container's, then the user's hint.
    let note_date = date_note(&normalized);
    // The station and serial the text writes: on its classification line, else on
    // a line of their own.
    let text_station_serial: Option<(String, String)> = class_line
        .as_ref()
        .and_then(|c| Some((c.station.clone()?, c.serial.clone()?)))
        .or_else(|| station_line.clone());
    let class_ids = text_station_serial
        .as_ref()
        .map(|(st, se)| (station_code(st), se.as_str()))
        .and_then(|(st, se)| Some((st, se.replace('O', "0").parse::<u64>().ok()?)));
    // Only looked for when the text has no DTG or date note (a scan of the text).
    let written = if env.dtg.is_none() && note_date.is_none() {
        class_ids
            .as_ref()
            .and_then(|(st, se)| written_id(&normalized, st, *se))
    } else {
        None
    };
    let year_from_text = env
        .dtg
        .as_ref()
        .map(|d| d.year)
        .or(note_date.map(|d| i32::from(d.year())))
        .or(written.as_ref().map(|w| w.0));
    let year = year_from_text.or(hints.container_year).or(hints.year);
    if let Some(eo) = eo_field {
        let line = text::squeeze(&format!("{} {}", eo.keyword, eo.text));
        cable.declassify_on = fields::declassify_on(&eo.text, year);
        cable.eo = Some(line);
    }
    if let Some(t) = pre.get(preamble::Field::Tags) {
        cable.tags = fields::tags(&t.text);
    }
    if let Some(s) = pre.get(preamble::Field::Subject) {
        let (subject, mark) = fields::subject(&s.text);
        cable.subject = subject;
        cable.subject_marking = mark;
    }
    if cable.subject.is_none() {
        if let Some(title) = &leader.title {
            cable.subject = Some(title.clone());
            diags.push(Diagnostic::new(
                Code::SubjectFromTitle,
                "no SUBJECT line: the subject is the page title",
            ));
        }
    }
    let clby_text = pre
        .get(preamble::Field::ClassifiedBy)
        .map(|f| f.text.clone())
        .or_else(|| {
            // "1. (U) Classified by ..." inside the first paragraph.
            body.paragraphs.iter().take(2).find_map(|p| {
                let lower = p.text.to_ascii_lowercase();
                lower
                    .find("classified by")
                    .map(|i| p.text[i + "classified by".len()..].to_string())
            })
        });
    if let Some(t) = &clby_text {
        cable.classified_by = fields::classified_by(t);
        cable.reasons = fields::reasons(t);
    }
    if let Some(f) = pre.get(preamble::Field::ClassifiedBy) {
        let line = text::squeeze(&format!("{} {}", f.keyword, f.text));
        cable.classified_by_line = Some(line.trim_start_matches('(').to_string());
    }
    if let Some(p) = class_pos {
        cable.classification_line = Some(text::squeeze(rest[p].trim_matches(['"', ','])));
    }

    // ---- id
    let hint_id = hints
        .id
        .as_deref()
        .and_then(|h| parse_id(h, hints.year.or(year)));
    let mut id: Option<CableId> = None;
    let mut header_body_mismatch = false;
    if let Some((st, se)) = &text_station_serial {
        {
            let station = station_code(st);
            if let (Some(y), Ok(serial)) = (
                year.or(hint_id.as_ref().map(|h| h.year)),
                se.replace('O', "0").parse(),
            ) {
                if !station.is_empty() && se.len() <= 9 {
                    id = Some(CableId {
                        year: y,
                        station,
                        serial,
                        variant: None,
                    });
                }
            }
        }
    }
    // A serial cut on the classification line (`BUENOS AIRES 00167SIPDIS`) that
    // the DE line's serial completes (`#1673`): the DE line wins.
    if let (Some(i), Some(de), Some(cl)) = (id.as_mut(), &env.de, &class_line) {
        let same_post = by_routing_indicator(&de.ri).is_none_or(|(st, _)| st == i.station);
        if cl.serial_cut && same_post && i.serial % 10_000 != de.ssn % 10_000 {
            if let Some(full) = complete_serial(i.serial, de.ssn) {
                diags.push(Diagnostic::new(
                    Code::IdSerialMismatch,
                    format!(
                        "the classification line's serial {} is cut; the DE line's #{:04} \
                         completes it: {full}",
                        cl.serial.as_deref().unwrap_or(""),
                        de.ssn
                    ),
                ));
                i.serial = full;
            }
        }
    }
    // A page whose header is one cable and whose text is another: trust the header.
    if let (Some(i), Some(de)) = (&id, &env.de) {
        if let Some((de_station, _)) = by_routing_indicator(&de.ri) {
            let text_is_foreign = foreign_ssn.is_some_and(|f| f % 10_000 == i.serial % 10_000);
            if (i.station != de_station || text_is_foreign) && i.serial % 10_000 != de.ssn % 10_000
            {
                diags.push(Diagnostic::new(
                    Code::MultipleCables,
                    format!(
                        "the header (DE {} #{:04}) and the text ({}) belong to different cables; the id follows the header",
                        de.ri, de.ssn, i
                    ),
                ));
                header_body_mismatch = true;
                id = Some(CableId {
                    year: i.year,
                    station: de_station.to_string(),
                    serial: de.ssn,
                    variant: None,
                });
            }
        }
    }
    if id.is_none() {
        if let Some(h) = &hint_id {
            id = Some(h.clone());
        }
    }
    if id.is_none() {
        if let (Some(de), Some(y)) = (&env.de, year) {
            if let Some((station, _)) = by_routing_indicator(&de.ri) {
                id = Some(CableId {
                    year: y,
                    station: station.to_string(),
                    serial: de.ssn,
                    variant: None,
                });
                diags.push(Diagnostic::new(
                    Code::IdInferred,
                    format!(
                        "no classification line: id rebuilt from the DE line ({} #{})",
                        de.ri, de.ssn
                    ),
                ));
            }
        }
    }
    if id.is_none() {
        if let Some(d) = leader.dump_id.as_ref().or(dump.id.as_ref()) {
            id = parse_id(d, year);
            if id.is_some() {
                diags.push(Diagnostic::new(
                    Code::IdInferred,
                    format!("id taken from the export row before the cable ({d})"),
                ));
            }
        }
    }
    if let (Some(i), Some(de)) = (&id, &env.de) {
        if i.serial % 10_000 != de.ssn % 10_000 {
            diags.push(Diagnostic::new(
                Code::IdSerialMismatch,
                format!(
                    "id serial {} disagrees with the DE line's station serial #{:04}",
                    i.serial, de.ssn
                ),
            ));
        }
    }
    cable.id = id.as_ref().map(|i| i.to_string());
    if let (Some(h), Some(i)) = (&hints.id, &cable.id) {
        if h.trim() != i && hint_id.as_ref().is_some_and(|x| x.to_string() == *i) {
            cable.id_as_written = Some(h.trim().to_string());
        }
    }
    if cable.id.is_none() {
        if let Some(h) = &hints.id {
            // A hint we cannot split into year, station and serial is kept as written,
            // upper-cased and without spaces.
            let s = squash(h);
            if !s.is_empty() {
                cable.id = Some(s);
            }
        }
    }
    if let (Some(hy), Some(ty)) = (hints.year, year_from_text) {
        if hy != ty {
            diags.push(Diagnostic::new(
                Code::YearFromHint,
                format!("hint year {hy} ignored: the text says {ty}"),
            ));
        }
    } else if hints.year.is_some()
        && year_from_text.is_none()
        && hints.container_year.is_none()
        && id.is_some()
        && hint_id.is_none()
    {
        diags.push(Diagnostic::new(
            Code::YearFromHint,
            "year taken from the --year hint",
        ));
    }

    // ---- created
    let dtg_dt = env
        .dtg
        .as_ref()
        .and_then(|d| dtg_datetime(d.day, d.hour, d.minute, d.month, d.year));
    let de_year = dtg_dt
        .map(|d| d.year() as i32)
        .or(id.as_ref().map(|i| i.year));
    let de_dt = match (&env.de, de_year) {
        (
            Some(DeLineRef {
                day: Some((jd, h, m)),
                ..
            }),
            Some(y),
        ) => {
            let mut y = y;
            // A DE day early in January with a DTG of late December: the next year.
            if let Some(d) = dtg_dt {
                if d.month() == 12 && *jd <= 5 {
                    y += 1;
                }
            }
            julian_datetime(y, *jd, *h, *m)
        }
        _ => None,
    };
    match (dtg_dt, de_dt) {
        (Some(d), de) => {
            cable.created = Some(iso(d));
            if let Some(de) = de {
                let diff = minutes_between(d, de);
                if diff.abs() > 24 * 60 {
                    diags.push(Diagnostic::new(
                        Code::DtgDeMismatch,
                        format!("the DE line's time is {} hours from the DTG", diff / 60),
                    ));
                }
            }
        }
        (None, Some(de)) => {
            cable.created = Some(iso(de));
            diags.push(Diagnostic::new(Code::MissingDtg, "no date-time group line"));
            diags.push(Diagnostic::new(
                Code::CreatedFromDe,
                "created rebuilt from the DE line's Julian day and time",
            ));
        }
        (None, None) => {
            let from_row = written.as_ref().and_then(|w| w.1);
            let msg = match (note_date, from_row) {
                (Some(_), _) => {
                    "no date-time group line; created taken from the extract's date note"
                }
                (None, Some(_)) => {
                    "no date-time group line; created taken from the export row that names \
                     the cable inside the text"
                }
                (None, None) => "no date-time group line and no other date: created is unknown",
            };
            cable.created = note_date.or(from_row).map(iso);
            diags.push(Diagnostic::new(Code::MissingDtg, msg));
        }
    }

    // ---- precedence, envelope fields
    cable.transmission_id = env.transmission_id.clone();
    if let Some(d) = &env.dtg {
        cable.precedence = d
            .prosigns
            .first()
            .and_then(|p| envelope::prosign_precedence(p))
            .map(str::to_string);
        if cable.precedence.is_none() && !d.prosigns.is_empty() {
            cable.precedence = None;
        }
        if cable.precedence.as_deref() == Some("IMMEDIATE")
            && env
                .to
                .iter()
                .any(|r| r.precedence.as_deref() == Some("NIACT IMMEDIATE"))
        {
            cable.precedence = Some("NIACT IMMEDIATE".into());
        }
    }
    cable.recipients = env.to.clone();
    cable.info_recipients = env.info.clone();
    cable.exempt_recipients = env.exempt.clone();

    // ---- origin
    let ri_entry = env.de.as_ref().and_then(|d| by_routing_indicator(&d.ri));
    let fm_station = env.from.as_deref().map(station_from_name);
    // The station: the id's when the text named it (classification line or hint),
    // else the classification line's even without a year, else the FM line's, the
    // routing indicator's, or a rebuilt id's.
    let class_station = text_station_serial
        .as_ref()
        .map(|(st, _)| station_code(st))
        .filter(|s| !s.is_empty() && !header_body_mismatch);
    let station = id
        .as_ref()
        .filter(|i| {
            class_line.as_ref().is_some_and(|c| c.station.is_some()) || hint_id.as_ref() == Some(*i)
        })
        .map(|i| i.station.clone())
        .or(class_station)
        .or_else(|| fm_station.clone().filter(|s| !s.is_empty()))
        .or_else(|| ri_entry.map(|(s, _)| s.to_string()))
        .or_else(|| id.as_ref().map(|i| i.station.clone()));
    // The FM line naming another known post than the id (`FM USEU BRUSSELS` on a
    // BRUSSELS id: the mission, not the embassy, sent it) gives the origin; the id
    // stays as written.
    let station = match (&fm_station, &station) {
        (Some(fm), Some(st)) if fm != st && is_known_station(fm) && !header_body_mismatch => {
            Some(fm.clone())
        }
        _ => station,
    };
    cable.origin = Origin {
        routing_indicator: env.de.as_ref().map(|d| d.ri.clone()),
        station: station.clone(),
        name: env
            .from
            .clone()
            .or_else(|| ri_entry.map(|(_, p)| p.to_string())),
    };
    if let Some(de) = &env.de {
        if ri_entry.is_none() {
            diags.push(Diagnostic::new(
                Code::UnknownStation,
                format!("routing indicator {} is not in the station table", de.ri),
            ));
        }
    }
    if let Some(s) = &station {
        if !is_known_station(s) {
            diags.push(Diagnostic::new(
                Code::UnknownStation,
                format!("station {s} is not a known post"),
            ));
        }
    }
    if let (Some(fs), Some(i)) = (&fm_station, &id) {
        if is_known_station(fs) && is_known_station(&i.station) && *fs != i.station {
            diags.push(Diagnostic::new(
                Code::StationMismatch,
                format!("FM line names {fs}, the id names {}", i.station),
            ));
        }
    }

    // ---- section
    let breaks = body.breaks;
    if let Some((n, m)) = class_line.as_ref().and_then(|c| c.section) {
        // A first section whose text runs to the signature is the whole cable (the
        // publisher joined the sections and dropped their breaks).
        let complete = m <= 1
            || breaks.is_some_and(|(page, of)| page >= m || page >= of && of > 0 && n == 1)
            || (n == 1 && breaks.is_none() && !body.signers.is_empty());
        if !complete {
            cable.section = Some(Section { number: n, of: m });
            cable.partial = true;
        }
    } else if let Some(de) = &env.de {
        if let (Some(s), Some((page, of))) = (de.section, breaks) {
            if page < of && s > 0 {
                cable.section = Some(Section { number: s, of });
                cable.partial = true;
            }
        }
    }

    // ---- paragraphs, summary, comment, signature
    let body_text: String = body
        .paragraphs
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n");
    // A summary can stand before paragraph 1, among the preamble's free lines.
    // Captions and passing lines are not part of a summary that opens before
    // paragraph 1.
    let lead: Vec<&str> = pre_free
        .iter()
        .map(String::as_str)
        .filter(|f| {
            let captions_only = {
                let w = caption_words(f);
                !w.is_empty() && w.len() == word_count(f)
            };
            !captions_only && !cable.passing_lines.iter().any(|p| p == f)
        })
        .collect();
    let with_lead = if lead.is_empty() {
        body_text.clone()
    } else {
        format!("{}\n\n{body_text}", lead.join("\n"))
    };
    cable.summary = fields::summary(&with_lead).or_else(|| {
        body.paragraphs.iter().find_map(|p| {
            let t = p.text.trim_start();
            let up = t.get(..7).unwrap_or("").to_ascii_uppercase();
            (up.starts_with("SUMMARY"))
                .then(|| {
                    let rest = t[7..].trim_start_matches([':', '.', ' ', '-', '=']);
                    text::squeeze(fields::cut_at_inline_heading(rest))
                })
                .filter(|s| !s.is_empty())
        })
    });
    cable.comment = fields::comment(&body_text);
    cable.redactions = count_redactions(&normalized[..normalized.len()]);
    cable.signers = body.signers.clone();

    // ---- classification
    let max_mark: Option<&PortionMark> = body
        .marks
        .iter()
        .flatten()
        .filter(|m| m.level.is_some())
        .max_by_key(|m| (m.level.map(Level::rank), m.noforn()));
    let has_nf_marks = body.marks.iter().flatten().any(PortionMark::noforn);
    let has_sbu_marks = body
        .marks
        .iter()
        .flatten()
        .any(|m| m.level == Some(Level::Sbu));
    let sensitive = cable.captions.iter().any(|c| c == "SENSITIVE");
    let noforn = cable.captions.iter().any(|c| c == "NOFORN");
    let fl4_level = env.security_letter.and_then(|c| match c {
        'U' | 'E' => Some(Level::U),
        'C' => Some(Level::C),
        'S' => Some(Level::S),
        'T' => Some(Level::Ts),
        _ => None,
    });
    let dump_level = dump
        .classification
        .as_deref()
        .and_then(|c| Level::parse(c.split("//").next().unwrap_or("")));
    let (level, implied_by) = match (&class_line, fl4_level, max_mark) {
        (Some(_), Some(l), _) if header_body_mismatch => (
            Some(l),
            Some("the header's security warning (the text is another cable's)"),
        ),
        (Some(cl), _, _) => (Some(cl.level), None),
        (None, Some(l), _) => (Some(l), Some("the security warning on format line 4")),
        (None, None, _) if dump_level.is_some() => {
            (dump_level, Some("the export row before the cable"))
        }
        (None, None, Some(m)) => (m.level, Some("the highest portion mark")),
        _ => (None, None),
    };
    if let Some(l) = level {
        // UNCLAS with NOFORN and no SENSITIVE: Cablegate published it as FOUO.
        let fouo = sensitive
            || (l == Level::U && noforn)
            || (implied_by.is_some() && l == Level::Sbu)
            || (implied_by.is_some() && l == Level::U && has_sbu_marks);
        cable.classification = Some(classification_string(l, noforn, fouo));
        if let Some(by) = implied_by {
            diags.push(Diagnostic::new(
                Code::ClassificationImplied,
                format!(
                    "no classification line: {} implied by {by}",
                    cable.classification.as_deref().unwrap_or("")
                ),
            ));
        }
        if let (Some(cl), Some(f)) = (&class_line, fl4_level) {
            if cl.level.rank() != f.rank() {
                diags.push(Diagnostic::new(
                    Code::SecurityWarningMismatch,
                    format!(
                        "format line 4 says {f}, the classification line {}",
                        cl.level
                    ),
                ));
            }
        }
        if class_line.is_some() && l == Level::U && has_sbu_marks && !sensitive {
            diags.push(Diagnostic::new(
                Code::SbuWithoutCaption,
                "(SBU) portion marks without the SENSITIVE caption: published as plain UNCLASSIFIED",
            ));
        }
        // A FOR OFFICIAL USE ONLY cable is at SBU: its (SBU) paragraphs are not above it.
        let effective = if fouo && l == Level::U { Level::Sbu } else { l };
        for (p, m) in body.paragraphs.iter().zip(&body.marks) {
            if let Some(m) = m {
                if m.level.is_some_and(|ml| ml.rank() > effective.rank()) {
                    diags.push(Diagnostic::at(
                        Code::MarkingAboveClassification,
                        p.number,
                        format!(
                            "paragraph {} is marked {m}, above the cable's {l}",
                            p.number
                        ),
                    ));
                }
            }
        }
    }
    if has_nf_marks && !noforn {
        diags.push(Diagnostic::new(
            Code::NofornMarksWithoutCaption,
            "NF portion marks without the NOFORN caption",
        ));
    }
    let any_marked = body.marks.iter().any(Option::is_some);
    if any_marked {
        for p in &body.paragraphs {
            if p.number > 0 && p.marking.is_none() {
                diags.push(Diagnostic::at(
                    Code::UnmarkedParagraph,
                    p.number,
                    format!(
                        "paragraph {} has no portion mark; it takes the cable's classification",
                        p.number
                    ),
                ));
            }
        }
    }

    // ---- partial extracts
    if memchr::memmem::find(
        normalized.as_bytes(),
        b"partial extract of the original cable",
    )
    .is_some()
        || leader.partial_note
    {
        cable.partial = true;
        diags.push(Diagnostic::new(
            Code::PartialExtract,
            "the text is a partial extract of the original cable",
        ));
    }
    if let (Some(d), Some(c)) = (&cable.declassify_on, &cable.created) {
        if d.as_str() < &c[..10] {
            diags.push(Diagnostic::new(
                Code::DeclassifyBeforeCreated,
                format!("DECL date {d} is before the cable's date"),
            ));
        }
    }

    // ---- references (need the id and year)
    if let Some(r) = pre.get(preamble::Field::Ref) {
        let citing = Citing {
            year: id.as_ref().map(|i| i.year).or(year),
            id: id.clone(),
        };
        cable.references = references::parse(&r.text, &citing);
        for more in &r.more {
            for reference in references::parse(more, &citing) {
                if !cable.references.contains(&reference) {
                    cable.references.push(reference);
                }
            }
        }
    }

    cable.paragraphs = body.paragraphs;
    // Prose between the preamble's last field and paragraph 1: the continuation of
    // the previous section's last paragraph, an unnumbered opening, or a heading.
    if para1 < rest.len() {
        let after_fields = pre
            .fields
            .iter()
            .map(|f| f.end)
            .max()
            .unwrap_or(0)
            .min(pre_text.len());
        let prose: Vec<&str> = pre_text[after_fields..]
            .split('\n')
            .map(str::trim)
            .filter(|l| {
                let furniture = l.is_empty()
                    || text::is_rule(l)
                    || l.contains("partial extract")
                    || (text::is_upper(l) && l.len() <= 100);
                !furniture && caption_words(l).len() < word_count(l)
            })
            .collect();
        let continuation = cable.section.is_some_and(|s| s.number > 1);
        let total: usize = prose.iter().map(|l| l.len()).sum();
        if !prose.is_empty() {
            if continuation
                || prose.len() > 2
                || total > 100
                || prose.iter().any(|l| l.ends_with(['.', ',', ':']))
            {
                // The body may already open unnumbered (its first number was not
                // accepted as paragraph 1): the prose belongs to that opening.
                if let Some(first) = cable.paragraphs.first_mut().filter(|p| p.number == 0) {
                    first.text = format!("{}\n{}", prose.join("\n"), first.text);
                } else {
                    cable.paragraphs.insert(
                        0,
                        crate::record::Paragraph {
                            number: 0,
                            text: prose.join("\n"),
                            ..Default::default()
                        },
                    );
                }
            } else if let Some(first) = cable.paragraphs.first_mut() {
                if first.heading.is_none() {
                    first.heading = Some(text::squeeze(&prose.join(" ")));
                }
            }
        }
    }
    if cable.paragraphs.iter().all(|p| p.text.trim().is_empty()) && !dropped_copy.is_empty() {
        // No text but a second copy of the header that was not read (a page whose
        // body is a header preview and a collapsed repeat cut after TAGS): what the
        // copy shows as its text is kept, so that no word of it is lost.
        let from = dropped_copy
            .iter()
            .position(|l| classline::read_long(l).is_some_and(|c| c.station.is_some()))
            .unwrap_or(0);
        let kept: Vec<&str> = dropped_copy[from..]
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect();
        if !kept.is_empty() {
            cable.paragraphs = vec![crate::record::Paragraph {
                number: 0,
                text: kept.join("\n"),
                ..Default::default()
            }];
            diags.push(Diagnostic::new(
                Code::MissingField,
                "the copy has no text beyond its header: the repeated header it shows \
                 in place of the text is kept as paragraph 0",
            ));
        }
    }
    let empty = cable.paragraphs.iter().all(|p| p.text.trim().is_empty())
        && cable.id.is_none()
        && cable.subject.is_none()
        && cable.tags.is_empty()
        && cable.references.is_empty()
        && cable.classification.is_none()
        && cable.created.is_none();
    if empty {
        diags.retain(|d| d.code != Code::MissingDtg);
        diags.push(Diagnostic::new(
            Code::NoCableText,
            "the text holds no cable: no header fields and no paragraphs",
        ));
    }
    diags.extend(body.diagnostics);
    cable.diagnostics = diags;
    cable
}

/// The text normalised (line ends, anchors) with glued format lines and export-row
/// timestamps put on lines of their own.
fn prepare(text: &str) -> String {
    let normalized = text::normalize(text);
    let normalized = match reflow::unglue_envelope(&normalized) {
        std::borrow::Cow::Owned(s) => s,
        std::borrow::Cow::Borrowed(_) => normalized,
    };
    match reflow::split_row_timestamp(&normalized) {
        std::borrow::Cow::Owned(s) => s,
        std::borrow::Cow::Borrowed(_) => normalized,
    }
}

/// What names one copy of a cable: its DE line, date-time group and
/// classification line. Used to tell a cable repeated inside one text (a header
/// preview above an export row, a cable pasted twice) from a second cable.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct CopyIdentity {
    de: Option<(String, u64)>,
    dtg: Option<(i8, i8, i8, i8, i32)>,
    class: Option<(String, u64)>,
    section: Option<u32>,
    /// True when the copy carries a routing header (DE line or DTG).
    pub(crate) has_envelope: bool,
}

/// True when a text holds routing lines only (an envelope, export-row fields): no
/// classification line, field, paragraph or prose. Such a text is never a record
/// of its own.
pub(crate) fn is_routing_only(text: &str) -> bool {
    let normalized = prepare(text);
    let mut envelope_lines = 0;
    for l in normalized.split('\n') {
        let t = l.trim().trim_end_matches('\\').trim();
        if t.is_empty() {
            continue;
        }
        if classline::read_long(t).is_some() || is_field_line(t) || preamble::is_para_start(t) {
            return false;
        }
        let routing = t.starts_with("VZCZC")
            || envelope::read_de(t).is_some()
            || envelope::read_dtg(t).is_some()
            || t.starts_with("ZN")
            || t.starts_with("FM ")
            || t.starts_with("TO ")
            || t.starts_with("INFO ")
            || t.starts_with("XMT ")
            || envelope::is_ri_list(t)
            || addressee_re().is_match(t)
            || (text::is_upper(t) && t.len() <= 120 && !t.contains(": ") && !t.contains('.'));
        if routing {
            envelope_lines += 1;
            continue;
        }
        if DumpRow::is_dump_line(t) || t.starts_with("header") || t.starts_with("---") {
            continue;
        }
        return false;
    }
    envelope_lines > 0
}

impl CopyIdentity {
    /// Reads the first DE line, DTG line and classification line with a station.
    pub(crate) fn of(text: &str) -> CopyIdentity {
        let normalized = prepare(text);
        let mut id = CopyIdentity::default();
        for l in normalized.split('\n').take(300) {
            let t = l.trim();
            if id.de.is_none() {
                if let Some(de) = envelope::read_de(t) {
                    id.section = id.section.or(de.section.filter(|s| *s > 0));
                    id.de = Some((de.ri, de.ssn % 10_000));
                    continue;
                }
            }
            if id.dtg.is_none() {
                if let Some(d) = envelope::read_dtg(t) {
                    id.dtg = Some((d.day, d.hour, d.minute, d.month, d.year));
                    continue;
                }
            }
            if id.class.is_none() {
                if let Some(c) = classline::read(t) {
                    if let (Some(st), Some(se)) = (&c.station, &c.serial) {
                        if let Ok(n) = se.replace('O', "0").parse::<u64>() {
                            id.class = Some((squash(st), n));
                            if let Some((n, _)) = c.section {
                                id.section = id.section.or(Some(n));
                            }
                        }
                    }
                }
            }
            if id.de.is_some() && id.dtg.is_some() && id.class.is_some() {
                break;
            }
        }
        id.has_envelope = id.de.is_some() || id.dtg.is_some();
        id
    }

    /// True when both copies name the same cable (and the same section of it): at
    /// least one of DE line, DTG and classification line is on both and equal, and
    /// none is on both and different.
    pub(crate) fn same_cable(&self, other: &CopyIdentity) -> bool {
        fn cmp<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> Option<bool> {
            match (a, b) {
                (Some(a), Some(b)) => Some(a == b),
                _ => None,
            }
        }
        let checks = [
            cmp(&self.de, &other.de),
            cmp(&self.dtg, &other.dtg),
            cmp(&self.class, &other.class),
            cmp(&self.section, &other.section),
        ];
        let class_or_env = checks[..3].contains(&Some(true));
        class_or_env && !checks.contains(&Some(false))
    }
}

/// The serial whose leading digits are `cut` (a serial that lost its last one or
/// two digits) and whose last four are the DE line's `ssn`.
fn complete_serial(cut: u64, ssn: u64) -> Option<u64> {
    (1..=2).find_map(|k| {
        let scale = 10u64.pow(k);
        let base = cut.checked_mul(scale)?;
        let x = (ssn % 10_000 + 10_000 - base % 10_000) % 10_000;
        (x < scale).then_some(base + x)
    })
}

/// A date the text gives besides its DTG: a media-partner extract's
/// `Cable dated:2005-08-17T21:24:00` note, or a weekday line
/// (`Monday, 14 August 2006, 17:17`).
fn date_note(text: &str) -> Option<jiff::civil::DateTime> {
    let from_note = cable_dated_re().captures(text).and_then(|c| {
        let g = |i: usize| c[i].parse::<i32>().ok();
        // Fallible throughout: a note's "25:61" is no time (`Date::at` panics).
        jiff::civil::DateTime::new(
            i16::try_from(g(1)?).ok()?,
            i8::try_from(g(2)?).ok()?,
            i8::try_from(g(3)?).ok()?,
            i8::try_from(g(4)?).ok()?,
            i8::try_from(g(5)?).ok()?,
            0,
            0,
        )
        .ok()
    });
    from_note.or_else(|| {
        // Every weekday name ends in "day", and a comma follows it: without that,
        // no search of the whole text.
        if !text.contains("day,") {
            return None;
        }
        weekday_re().captures(text).and_then(|c| {
            let month = crate::dtg::month_number(c[2].get(..3)?)?;
            dtg_datetime(
                c[1].parse().ok()?,
                c[4].parse().ok()?,
                c[5].parse().ok()?,
                month,
                c[3].parse().ok()?,
            )
        })
    })
}

re!(
    written_id_re,
    r#"(?m)(?:^|[\s,"|:])(\d{2}[A-Z]{3,}\d{1,6})(?:[\s,"|\\]|$)"#
);
re!(
    row_date_re,
    r"(?:^|[\s,\t])(?:(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d\d)|(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d))?)(?:[\s,\t:]|$)"
);

/// The cable's own id written in the text (an export row's reference id before a
/// copy of the text: `05THEHAGUE2585`), recognised by the station and serial of
/// the classification line; its year, and the row's date when one stands within a
/// few lines before it in the same year.
fn written_id(
    text: &str,
    station: &str,
    serial: u64,
) -> Option<(i32, Option<jiff::civil::DateTime>)> {
    if station.is_empty() {
        return None;
    }
    for c in written_id_re().captures_iter(text) {
        let m = c.get(1).expect("group 1");
        if !m.as_str().contains(station) {
            continue;
        }
        let Some(id) = parse_id(m.as_str(), None) else {
            continue;
        };
        if id.station != station || id.serial != serial {
            continue;
        }
        // The row's date: the last timestamp in the few lines before the id (row
        // number, date, id), or on the id's own line.
        let line_end = text[m.end()..]
            .find('\n')
            .map_or(text.len(), |i| m.end() + i);
        let mut from = m.start();
        for _ in 0..6 {
            from = text[..from].rfind('\n').unwrap_or(0);
        }
        let date = row_date_re()
            .captures_iter(&text[from..line_end])
            .filter_map(|d| {
                let g = |i: usize| d.get(i).and_then(|x| x.as_str().parse::<i32>().ok());
                let (y, mo, da, h, mi) = match g(3) {
                    Some(y) => (y, g(1)?, g(2)?, g(4)?, g(5)?),
                    None => (g(6)?, g(7)?, g(8)?, g(9).unwrap_or(0), g(10).unwrap_or(0)),
                };
                // Every part checked: a row's "24:75" is no time (found by
                // fuzzing: `Date::at` panics on one).
                let dt = jiff::civil::DateTime::new(
                    i16::try_from(y).ok()?,
                    i8::try_from(mo).ok()?,
                    i8::try_from(da).ok()?,
                    i8::try_from(h).ok()?,
                    i8::try_from(mi).ok()?,
                    0,
                    0,
                )
                .ok()?;
                (y == id.year).then_some(dt)
            })
            .last();
        return Some((id.year, date));
    }
    None
}

/// Where the text's first paragraph starts (or the end), and its classification
/// line (position and reading), looked for before the first paragraph.
fn locate_text(rest: &[&str]) -> (usize, Option<usize>, Option<ClassLine>) {
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

type DeLineRef = envelope::DeLine;

/// Station code of a station as written on a classification line.
pub(crate) fn station_code(written: &str) -> String {
    let mut words: Vec<&str> = written.split_whitespace().collect();
    // Captions glued before the station: "UNCLAS SENSITIVE BERN 000123".
    while words.len() > 1 && CAPTIONS.contains(&words[0]) {
        words.remove(0);
    }
    let joined = words.join(" ");
    let squashed = squash(&joined);
    let code = canonical_station(&squashed);
    if is_known_station(&code) {
        return code;
    }
    let from_name = station_from_name(&joined);
    if is_known_station(&from_name) {
        return from_name;
    }
    code
}

const CAPTIONS: &[&str] = &[
    "SIPDIS",
    "NOFORN",
    "SENSITIVE",
    "EXDIS",
    "NODIS",
    "NODIF",
    "LIMDIS",
    "STADIS",
    "CHEROKEE",
    "ROGER",
];

fn caption_words(line: &str) -> Vec<String> {
    let up = line.to_ascii_uppercase();
    let mut out = Vec::new();
    // "SENSITIVE BUT UNCLASSIFIED" is a handling notice, not the SENSITIVE caption
    // (WikiLeaks published such cables as plain UNCLASSIFIED).
    let up = up.replace("SENSITIVE BUT UNCLASSIFIED", "");
    for w in up.split(|c: char| !c.is_ascii_alphanumeric()) {
        if CAPTIONS.contains(&w) && !out.iter().any(|x: &String| x == w) {
            out.push(w.to_string());
        }
    }
    if up.contains("EYES ONLY") {
        out.push("EYES ONLY".to_string());
    }
    out
}

re!(
    distribution_re,
    r"^(?:(?:[A-Z][A-Z0-9/.&\-]*|State|Department|Dept|Treasury|Commerce|Justice|Defense|Energy|Embassy)(?:,?\s+[A-Z][A-Z0-9/.&\-]*){0,3}\s+(?i:for|pass|also\s+for|please\s+pass)\s|(?i:please\s+pass|pass\s+to)\s)"
);

/// A passing line in mixed case: `NSC for David Stephens`, `STATE FOR EUR/FO A/S
/// Dan Fried`, `Please pass to USTR`.
fn is_distribution_line(f: &str) -> bool {
    f.len() <= 300 && distribution_re().is_match(f)
}

fn word_count(line: &str) -> usize {
    line.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .count()
}

/// The line index (in the preamble text) after the last field's natural end.
fn last_field_line(pre_text: &str, pre: &preamble::Preamble) -> Option<usize> {
    let end = pre
        .fields
        .iter()
        .filter(|f| !f.text.trim().is_empty())
        .map(|f| f.end)
        .max()?;
    let before = &pre_text[..end.min(pre_text.len())];
    let newlines = before.matches('\n').count();
    Some(if before.ends_with('\n') {
        newlines
    } else {
        newlines + 1
    })
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
struct DumpRow {
    id: Option<String>,
    classification: Option<String>,
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

    fn is_dump_line(l: &str) -> bool {
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

struct Leader {
    skip: usize,
    title: Option<String>,
    dump_id: Option<String>,
    partial_note: bool,
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

fn is_copyright_notice(t: &str) -> bool {
    // The notice opens with `©` (0xC2 0xA9 in UTF-8), `copyright` or `(c)`.
    t.len() < 100
        && matches!(t.as_bytes().first(), Some(b'c' | b'C' | b'(' | 0xC2))
        && copyright_re().is_match(t)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_cable_dated_note_with_an_impossible_time_is_no_date_and_no_panic() {
        assert_eq!(super::date_note("Cable dated:2005-08-17T25:61:00"), None);
        assert_eq!(
            super::date_note("Cable dated:2005-08-17T21:24:00")
                .map(|d| d.to_string())
                .as_deref(),
            Some("2005-08-17T21:24:00")
        );
    }

    #[test]
    fn a_written_id_row_with_an_impossible_time_is_no_date_and_no_panic() {
        for row in [
            "1,12/31/2005 24:75,05THEHAGUE2585,",
            "1,2005-12-31 99:99,05THEHAGUE2585,",
            "1,13/45/2005 10:00,05THEHAGUE2585,",
        ] {
            let text = format!("{row}\nSECRET THE HAGUE 002585\n");
            assert_eq!(
                super::written_id(&text, "THEHAGUE", 2585),
                Some((2005, None)),
                "{row}"
            );
        }
        let text = "1,12/31/2005 23:59,05THEHAGUE2585,\nSECRET THE HAGUE 002585\n";
        let (year, date) = super::written_id(text, "THEHAGUE", 2585).unwrap();
        assert_eq!(year, 2005);
        assert_eq!(date.unwrap().to_string(), "2005-12-31T23:59:00");
    }

    use super::*;

    #[test]
    fn empty_text_gives_an_empty_record() {
        let c = parse("", &Hints::default());
        assert_eq!(c.id, None);
        assert!(c.paragraphs.is_empty());
    }

    #[test]
    fn copyright_lines_inside_the_text_are_text() {
        assert!(is_copyright_notice("\u{A9} Scoop Media"));
        assert!(is_copyright_notice("Copyright 2010 The Daily Paper"));
        assert!(is_copyright_notice("(c) 2009 Someone"));
        assert!(!is_copyright_notice("Copyright Piracy - Positive Strides"));
        assert!(!is_copyright_notice("(c) the third point of the list"));
        let text = "UNCLAS ROME 000123\n\nSUBJECT: TEST\n\n1. (U) One.\n\nCopyright Piracy - Strides\n\n2. (U) Two.\n(c) a list item\n\nDOE\n";
        let c = parse(text, &Hints::default());
        let nums: Vec<u32> = c.paragraphs.iter().map(|p| p.number).collect();
        assert_eq!(nums, vec![1, 2]);
        assert!(c.paragraphs[1].text.contains("(c) a list item"));
        assert!(!c.diagnostics.iter().any(|d| d.code == Code::TrailerRemoved));
        // A notice after the last paragraph is boilerplate.
        let c = parse(
            &format!("{text}\n\u{A9} Scoop Media\nHeadlines\n"),
            &Hints::default(),
        );
        assert!(c.diagnostics.iter().any(|d| d.code == Code::TrailerRemoved));
        assert!(!c.paragraphs[1].text.contains("Scoop"));
    }

    #[test]
    fn passing_lines_in_mixed_case_and_long_ones() {
        let text = "C O N F I D E N T I A L ROME 000123\n\nSIPDIS\n\nSTATE FOR EUR/FO A/S Dan Fried, ISN/FO A/S\nJohn Rood\nNSC for David Stephens\nDEPT FOR E, P, EB, EAP/J, EAP/P, EAP/PD, PA WHITE HOUSE/NSC/NEC; JUSTICE FOR ANTI-TRUST DIVISION; TREASURY/OASIA/IMI/JAPAN; DEPT PASS USTR/PUBLIC AFFAIRS OFFICE\n\nE.O. 12958: DECL: 01/01/2019\nTAGS: PREL\nSUBJECT: TEST\n\n1. (C) One.\n";
        let c = parse(text, &Hints::default());
        assert_eq!(c.passing_lines.len(), 4, "{:?}", c.passing_lines);
        assert_eq!(c.passing_lines[1], "John Rood");
        assert!(!is_distribution_line("Summary and comment follow."));
        assert!(is_distribution_line(
            "State for EUR/NB, EEB/IFD/OMA (DFREUDENWALD)"
        ));
        assert!(!is_distribution_line("Thanks for your help."));
        assert!(!is_distribution_line("The minister asked for more."));
    }

    #[test]
    fn a_cut_serial_loses_to_the_de_line() {
        assert_eq!(complete_serial(167, 1673), Some(1673));
        assert_eq!(complete_serial(40, 401), Some(401));
        assert_eq!(complete_serial(9694, 6945), Some(96945));
        assert_eq!(complete_serial(123, 9999), None);
        let text = "VZCZCXYZ0000\nDE RUEHBU #1673/01 1231234\nZNY CCCCC ZZH\nR 031234Z MAY 07\n\
                    FM AMEMBASSY BUENOS AIRES\nTO RUEHC/SECSTATE WASHDC 1234\n\n\
                    C O N F I D E N T I A L BUENOS AIRES 00167SIPDIS\n\nSUBJECT: TEST\n\n1. (C) Text.\n";
        let c = parse(text, &Hints::default());
        assert_eq!(c.id.as_deref(), Some("07BUENOSAIRES1673"));
        // An uncut serial that disagrees stays (with its diagnostic).
        let c = parse(&text.replace("00167SIPDIS", "001672"), &Hints::default());
        assert_eq!(c.id.as_deref(), Some("07BUENOSAIRES1672"));
        assert!(c
            .diagnostics
            .iter()
            .any(|d| d.code == Code::IdSerialMismatch));
    }

    #[test]
    fn the_year_from_the_cables_own_id_in_an_export_row() {
        let text = "This record is a partial extract of the original cable.\n\n\
                    UNCLAS THE HAGUE 001695\n\nSUBJECT: A PREVIEW...\n\n1113\n2000-06-07\n\n\
                    00THEHAGUE1695\n\nEmbassy The Hague\n\nUNCLASSIFIED\n\n\
                    UNCLAS THE HAGUE 001695\n\nSUBJECT: A PREVIEW OF THE WHOLE\n\nREF: STATE 12\n\n\
                    1. (U) The text, long enough to be the copy that is read.\n";
        let c = parse(text, &Hints::default());
        assert_eq!(c.id.as_deref(), Some("00THEHAGUE1695"));
        assert_eq!(c.created.as_deref(), Some("2000-06-07T00:00:00Z"));
        assert_eq!(c.references[0].id.as_deref(), Some("00STATE12"));
        // Another cable's id (a REF in a row) gives nothing.
        let other = text.replace("00THEHAGUE1695", "00THEHAGUE1600");
        assert_eq!(parse(&other, &Hints::default()).id, None);
    }

    #[test]
    fn a_preview_kept_over_a_shorter_collapsed_repeat_keeps_its_fields() {
        let text = "UNCLAS STOCKHOLM 000704\n\nSTATE FOR CA/P/IP JANE ROE\n\nE.O. 12958: N/A\n\
                    TAGS: CVIS PREL\nSUBJECT: A SCENESETTER FOR A VISIT\n\nREF: (A) S...\n\n\
                    UNCLAS STOCKHOLM 000704 STATE FOR CA/P/IP JANE ROE E.O. 12958: N/A TAGS: CVIS\n";
        let c = parse(text, &Hints::default());
        assert_eq!(c.subject.as_deref(), Some("A SCENESETTER FOR A VISIT"));
        assert_eq!(c.tags, vec!["CVIS", "PREL"]);
        assert_eq!(c.passing_lines, vec!["STATE FOR CA/P/IP JANE ROE"]);
        // The repeat is what the copy shows as its text.
        assert_eq!(c.paragraphs.len(), 1);
        assert!(c.paragraphs[0]
            .text
            .starts_with("UNCLAS STOCKHOLM 000704 STATE FOR"));
    }

    #[test]
    fn sensitive_but_unclassified_and_unclas_noforn() {
        let head = "UNCLAS ROME 000123\n\nSIPDIS\n";
        let tail = "E.O. 12958: N/A\nTAGS: PREL\nSUBJECT: TEST\n\n";
        let c = parse(
            &format!("{head}SENSITIVE BUT UNCLASSIFIED\n\n{tail}1. (SBU) Text.\n"),
            &Hints::default(),
        );
        assert!(c.captions.iter().any(|x| x == "SENSITIVE"));
        assert_eq!(
            c.classification.as_deref(),
            Some("UNCLASSIFIED//FOR OFFICIAL USE ONLY")
        );
        // After the fields it is a handling notice.
        let c = parse(
            &format!("{head}{tail}SENSITIVE BUT UNCLASSIFIED\n\n1. (SBU) Text.\n"),
            &Hints::default(),
        );
        assert_eq!(c.classification.as_deref(), Some("UNCLASSIFIED"));
        let c = parse(
            &format!("{head}NOFORN\n{tail}1. (U) Text.\n"),
            &Hints::default(),
        );
        assert_eq!(
            c.classification.as_deref(),
            Some("UNCLASSIFIED//FOR OFFICIAL USE ONLY")
        );
    }

    #[test]
    fn station_and_serial_without_a_level_word() {
        let hints = Hints {
            year: Some(2003),
            ..Hints::default()
        };
        let c = parse(
            "ABU DHABI 002641\n\nSUBJECT: TEST\n\n1. (C) Text.\n",
            &hints,
        );
        assert_eq!(c.id.as_deref(), Some("03ABUDHABI2641"));
        assert_eq!(
            c.classification.as_deref(),
            Some("CONFIDENTIAL"),
            "implied by the mark"
        );
        // A flattened export put the level on a line of its own.
        let c = parse(
            "CONFIDENTIAL\nNEW DELHI 005734\nE.O. 12958: DECL: 09/09/2014\n1. (C) Text.\n",
            &hints,
        );
        assert_eq!(c.id.as_deref(), Some("03NEWDELHI5734"));
        // The rest of a classification line cut in its section field.
        let c = parse(
            "C O N F I D E N T I A L SECTION 01\nOF 02 JEDDAH 000084\n\n1. (C) Text.\n",
            &hints,
        );
        assert_eq!(c.id.as_deref(), Some("03JEDDAH84"));
        // An unknown word and a number are no station line.
        let c = parse("MEETING 2003\n\n1. (C) Text.\n", &hints);
        assert_eq!(c.id, None);
    }

    #[test]
    fn origin_from_an_fm_line_naming_another_post() {
        let text = "DE RUEHBS #0269/01 0401234\nR 091234Z FEB 09\nFM USEU BRUSSELS\n\
                    TO RUEHC/SECSTATE WASHDC 1234\n\nC O N F I D E N T I A L BRUSSELS 000269\n\n\
                    SUBJECT: TEST\n\n1. (C) Text.\n";
        let c = parse(text, &Hints::default());
        assert_eq!(c.id.as_deref(), Some("09BRUSSELS269"));
        assert_eq!(c.origin.station.as_deref(), Some("USEUBRUSSELS"));
        let c = parse(&text.replace("FM USEU", "FM AMEMBASSY"), &Hints::default());
        assert_eq!(c.origin.station.as_deref(), Some("BRUSSELS"));
    }

    #[test]
    fn id_hint_is_canonicalised() {
        let c = parse(
            "",
            &Hints {
                id: Some("08 MOSCOW 01599".into()),
                ..Hints::default()
            },
        );
        assert_eq!(c.id.as_deref(), Some("08MOSCOW1599"));
        assert_eq!(c.id_as_written.as_deref(), Some("08 MOSCOW 01599"));
    }
}
