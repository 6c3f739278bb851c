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
mod captions;
mod classline;
mod content;
mod envelope;
mod fields;
mod header;
mod identity;
mod layout;
mod level;
mod preamble;
mod references;
mod reflow;
mod signature;
mod text;

use crate::diagnostics::Diagnostic;
use crate::record::{Cable, Source};
use crate::station::{canonical_station, is_known_station, squash, station_from_name};

pub use body::count_redactions;
pub use classline::{read as read_classification_line, ClassLine};
pub use references::{parse as parse_references, Citing};

/// The caption words (handling and distribution captions): read among the
/// preamble's free lines (`captions`), skipped as lines of their own between
/// paragraphs (`body`, which also takes `EYES ONLY`), and stripped from a
/// station written after them (`station_code`).
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

/// What the parser's stages share: the text, where the cable stands in it, the
/// preamble and body read from it, what the early stages decided, and the record
/// being built with its diagnostics. Each stage reads what earlier ones set and
/// fills its part of `cable`; the order of stages is the order of diagnostics.
struct Ctx<'a> {
    hints: &'a Hints,
    /// The prepared text (line ends and anchors normalised, glued lines split).
    normalized: &'a str,
    lay: layout::Layout<'a>,
    /// The preamble as one text: everything before paragraph 1, the
    /// classification line's tail included.
    pre_text: String,
    pre: preamble::Preamble,
    /// The preamble's free lines (not in a field) that stand before the body.
    pre_free: Vec<String>,
    body: body::Body,
    dating: identity::Dating,
    ident: identity::Identity,
    cable: Cable,
    diags: Vec<Diagnostic>,
}

/// Parses the text of one cable.
///
/// The stages, in order, each in its module:
///
/// 1. `layout`: where the cable stands in the text (furniture, envelopes, copies,
///    classification line, paragraph 1); then the preamble and body are read
///    ([`read_preamble_and_body`]);
/// 2. `captions`: captions and passing lines;
/// 3. `identity::dating` and `header::preamble_fields`: the year, then E.O., TAGS,
///    SUBJECT and CLASSIFIED BY;
/// 4. `identity::identify`: the id;
/// 5. `identity::created`: the date;
/// 6. `header::envelope_fields`: precedence, addressees, origin;
/// 7. `content`: section, summary, comment, signers;
/// 8. `level`: the classification and the marking doubts;
/// 9. `content`: extract notes, declassification date, references;
/// 10. `content::paragraphs`: the paragraphs, and whether the text held a cable.
pub fn parse(text: &str, hints: &Hints) -> Cable {
    let normalized = prepare(text);
    let normalized = match reflow::split_inline_paragraphs(&normalized) {
        std::borrow::Cow::Owned(s) => s,
        std::borrow::Cow::Borrowed(_) => normalized,
    };
    let all: Vec<&str> = text::lines(&normalized).collect();
    let mut diags: Vec<Diagnostic> = Vec::new();
    let lay = layout::locate(&all, &mut diags);
    let (pre_text, pre, pre_free, body) = read_preamble_and_body(&lay);
    let mut cx = Ctx {
        hints,
        normalized: &normalized,
        lay,
        pre_text,
        pre,
        pre_free,
        body,
        dating: identity::Dating::default(),
        ident: identity::Identity::default(),
        cable: Cable {
            source: hints.source.clone(),
            ..Cable::default()
        },
        diags,
    };
    captions::captions_and_passing(&mut cx);
    cx.dating = identity::dating(&cx);
    header::preamble_fields(&mut cx);
    identity::identify(&mut cx);
    identity::created(&mut cx);
    header::envelope_fields(&mut cx);
    content::section(&mut cx);
    content::summary_and_comment(&mut cx);
    level::classify(&mut cx);
    content::extract_and_dates(&mut cx);
    content::references(&mut cx);
    content::paragraphs(&mut cx);
    let Ctx {
        mut cable, diags, ..
    } = cx;
    cable.diagnostics = diags;
    cable
}

/// The preamble (as text, split into fields, and its free lines) and the body of
/// the located copy. Fields the read copy lacks come from a dropped copy of the
/// header.
fn read_preamble_and_body(
    lay: &layout::Layout<'_>,
) -> (String, preamble::Preamble, Vec<String>, body::Body) {
    let layout::Layout {
        rest,
        para1,
        class_pos,
        class_line,
        dropped_copy,
        ..
    } = lay;
    let (rest, para1, class_pos) = (*rest, *para1, *class_pos);
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
        let (p1, cp, cl) = layout::locate_text(dropped_copy);
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
    (pre_text, pre, pre_free, body)
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
            || layout::is_addressee_line(t)
            || (text::is_upper(t) && t.len() <= 120 && !t.contains(": ") && !t.contains('.'));
        if routing {
            envelope_lines += 1;
            continue;
        }
        if layout::DumpRow::is_dump_line(t) || t.starts_with("header") || t.starts_with("---") {
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_cable_dated_note_with_an_impossible_time_is_no_date_and_no_panic() {
        assert_eq!(
            super::identity::date_note("Cable dated:2005-08-17T25:61:00"),
            None
        );
        assert_eq!(
            super::identity::date_note("Cable dated:2005-08-17T21:24:00")
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
                super::identity::written_id(&text, "THEHAGUE", 2585),
                Some((2005, None)),
                "{row}"
            );
        }
        let text = "1,12/31/2005 23:59,05THEHAGUE2585,\nSECRET THE HAGUE 002585\n";
        let (year, date) = super::identity::written_id(text, "THEHAGUE", 2585).unwrap();
        assert_eq!(year, 2005);
        assert_eq!(date.unwrap().to_string(), "2005-12-31T23:59:00");
    }

    use super::captions::is_distribution_line;
    use super::identity::complete_serial;
    use super::layout::is_copyright_notice;
    use super::*;
    use crate::diagnostics::Code;

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
