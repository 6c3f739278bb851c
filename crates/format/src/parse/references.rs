//! The REF block: bulleted items, each a cable id or a typed non-cable reference.
//!
//! The block text (without the leading `REF:` keyword) is read in three layers of
//! equal byte length, so that offsets carry over between them:
//!
//! 1. *base*: the text with `¶`, trailing backslashes, literal `\n` pairs and page
//!    markers (`TRIPOLI 00000402 001.2 OF 003`, `PAGE 02 ROME 01196 01 OF 02
//!    082030Z`) blanked out; non-cable values are cut from this layer;
//! 2. the block ends at the first terminator found in *base* (`Classified By`, a
//!    paragraph start, a letter-spaced banner, `SIPDIS`, ...), or at a blank line
//!    followed by a non-bullet once the current item is complete;
//! 3. *clean*: base with parentheticals other than years, bullets and marks
//!    (`(NOTAL)`, `("A TITLE")`), repeated REF keywords, `AND PREVIOUS`, `#` and
//!    `...` blanked, and `O` typed for `0` (and `0` for `O`) repaired; cables are
//!    read from this layer.
//!
//! Items are split at bullets (`A.`, `A)`, `(A)`, `[A]`, `A:`, `A.)`, `A -`, a bare
//! `A` at an item start, `(1)`) and at `;`. A cable is `[year] STATION [sep] SERIAL
//! [year]`, or `SERIAL STATION` in reverse order; the whole word run before the
//! serial must name a known station. Items of other kinds (e-mail, telcon, report,
//! handbook, fax/memo/meeting, web page) are kept as typed entries with their text;
//! any other item that holds no cable is dropped, as the peer library does (its
//! ordered list of references has no "unknown" entries).

use std::collections::HashSet;
use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use crate::id::{expand_year, fix_station, CableId};
use crate::record::{Reference, ReferenceKind};
use crate::station::{is_known_station, squash};

/// Context for reading references: the citing cable.
#[derive(Debug, Clone, Default)]
pub struct Citing {
    /// The citing cable's id, if known.
    pub id: Option<CableId>,
    /// The citing cable's year, if known.
    pub year: Option<i32>,
}

/// Reads the text of a REF block (without the `REF:` keyword).
///
/// Returns the items in order: one entry per cable id (a continuation list such as
/// `KABUL 936/935` gives one entry per serial, all with the item's label) and one per
/// typed non-cable item. A repeat of the same id under the same label is dropped, as
/// is a reference to the citing cable itself; the same id under two labels is kept
/// twice.
pub fn parse(text: &str, citing: &Citing) -> Vec<Reference> {
    let prepared = Prepared::new(text);
    let mut parser = Parser::new(&prepared, citing);
    parser.run();
    parser.out
}

/// Byte length of the REF block at the start of `text` (the text after the REF
/// keyword): where a terminator stands, or where a blank line is followed by a
/// non-bullet once the current item is complete. Items that are still incomplete
/// (`C) RIO` + blank line + `DE JANEIRO 1291`) carry on across blank lines.
pub fn extent(text: &str) -> usize {
    let prepared = Prepared::new(text);
    let citing = Citing::default();
    let mut parser = Parser::new(&prepared, &citing);
    parser.run();
    parser.stop
}

// ---------------------------------------------------------------------------
// Layers

struct Prepared {
    base: String,
    clean: String,
    end: usize,
}

fn page_marker_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?x)
            (?P<w>(?:[A-Za-z][A-Za-z.'\-]*[\ \t]+){0,3})[0-9]{8}\s+[0-9]{3}(?:\.[0-9])?\s+OF\s+[0-9]{3}(?-u:\b)
            |(?:(?:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|LIMITED\s+OFFICIAL\s+USE)\s+)?
             PAGE\s+[0-9]{2,3}\s+[A-Z]+\s+[0-9]{3,6}\s+(?:[0-9]{2}\s+OF\s+[0-9]{2}\s+)?[0-9]{6}Z(?-u:\b)",
        )
        .expect("valid page marker regex")
    })
}

fn base_noise_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?m)\\n|\\[ \t]*$").expect("valid noise regex"))
}

fn terminator_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?xm)
            (?i:(?-u:\b)classi[a-z]*\s*by(?-u:\b))
            |^[\ \t]*1[\ \t]*\.(?:[^0-9]|$)
            |(?-u:\b)1\.\ ?\((?:U|C|S|SBU|LOU|TS|S/NF|C/NF|SBU/NF)\)
            |^[\ \t]*(?:SUMMARY|Summary)(?-u:\b)
            |(?-u:\b)(?:[A-Za-z]\ ){4,}[A-Za-z](?-u:\b)
            |(?i:(?-u:\b)sensitive\s+but\s+unclassified(?-u:\b))
            |(?-u:\b)This\s+message(?-u:\b)
            |(?-u:\b)SIPDIS(?-u:\b)
            |(?-u:\b)E\.\ ?O\.\ ?1[0-9]{4}
            |(?-u:\b)TAGS\s*:
            |(?-u:\b)SUBJECT\s*:",
        )
        .expect("valid terminator regex")
    })
}

fn paren_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\([^()]{0,300}\)").expect("valid paren regex"))
}

fn keep_paren_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // Years `(08)`, `(2007)`, bullets and marks `(A)`, numeric bullets `(1)`.
    RE.get_or_init(|| {
        Regex::new(r"^\(\s*(?:'?[0-9O]{2,4}|[A-Za-z]|[0-9])\s*\)$").expect("valid regex")
    })
}

fn clean_noise_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?ix)
            (?-u:\b)REF(?:ERENCES?|TELS?|S)?(?-u:\b)(?:\(S\))?(?:\s*[:.])?
            |(?-u:\b)and\s+previous(?-u:\b)
            |\#
            |\.{2,}",
        )
        .expect("valid clean regex")
    })
}

fn blank(buf: &mut [u8], r: Range<usize>) {
    for b in &mut buf[r] {
        *b = b' ';
    }
}

impl Prepared {
    fn new(text: &str) -> Self {
        let mut buf = text.as_bytes().to_vec();
        for (i, c) in text.char_indices() {
            if c == '\u{B6}' || c == '\u{A0}' {
                blank(&mut buf, i..i + c.len_utf8());
            }
        }
        for m in base_noise_re().find_iter(text) {
            blank(&mut buf, m.range());
        }
        let base = String::from_utf8(buf).expect("blanking keeps UTF-8");
        let mut buf = base.clone().into_bytes();
        for c in page_marker_re().captures_iter(&base) {
            let whole = c.get(0).expect("whole match");
            let mut from = whole.start();
            if let Some(w) = c.name("w").filter(|w| !w.as_str().is_empty()) {
                from = marker_station_start(w.as_str()).map_or(w.end(), |k| w.start() + k);
            }
            blank(&mut buf, from..whole.end());
        }
        let base = String::from_utf8(buf).expect("blanking keeps UTF-8");

        let mut end = base.len();
        for m in terminator_re().find_iter(&base) {
            if !base[..m.start()].trim().is_empty() {
                end = m.start();
                break;
            }
        }

        let mut buf = base.clone().into_bytes();
        for m in paren_re().find_iter(&base) {
            if !keep_paren_re().is_match(m.as_str()) {
                blank(&mut buf, m.range());
            }
        }
        let tmp = String::from_utf8(buf).expect("blanking keeps UTF-8");
        let mut buf = tmp.clone().into_bytes();
        for m in clean_noise_re().find_iter(&tmp) {
            blank(&mut buf, m.range());
        }
        fix_zeros(&mut buf);
        let clean = String::from_utf8(buf).expect("ASCII edits keep UTF-8");
        Prepared { base, clean, end }
    }
}

/// Offset (inside the words before a page marker's number) where the station
/// starts: the longest run of the last three words that names a known station, else
/// the last word.
fn marker_station_start(words: &str) -> Option<usize> {
    let spans: Vec<(usize, usize)> = word_spans(words);
    for k in (1..=spans.len()).rev() {
        let from = spans[spans.len() - k].0;
        if is_known_station(&fix_station(&squash(&words[from..]))) {
            return Some(from);
        }
    }
    let last = spans.last()?;
    words[last.0..last.1]
        .bytes()
        .all(|b| !b.is_ascii_lowercase())
        .then_some(last.0)
}

fn word_spans(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, b) in s.bytes().enumerate() {
        match (b.is_ascii_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(st)) => {
                out.push((st, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push((st, s.len()));
    }
    out
}

/// `O` typed for zero next to digits (`O1512`, `(B)O4`) and zero typed for `O` inside
/// letter words (`SANTIAG0`, `0TTAWA`, `COTON0U`).
fn fix_zeros(buf: &mut [u8]) {
    let n = buf.len();
    for i in 0..n {
        let prev = if i > 0 { buf[i - 1] } else { b' ' };
        let next = if i + 1 < n { buf[i + 1] } else { b' ' };
        match buf[i] {
            b'O' if next.is_ascii_digit()
                && (!prev.is_ascii_alphabetic() || prev.is_ascii_digit()) =>
            {
                buf[i] = b'0';
            }
            b'0' if (prev.is_ascii_alphabetic() && !next.is_ascii_digit())
                || (next.is_ascii_alphabetic() && !prev.is_ascii_alphanumeric()) =>
            {
                buf[i] = b'O';
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum K {
    Word,
    Num,
    P(u8),
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    k: K,
    start: usize,
    end: usize,
    /// No whitespace between the previous token and this one.
    glued: bool,
    /// First token on its line.
    line_start: bool,
    /// A blank line stands before this token.
    blank: bool,
}

fn token_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"[A-Za-z](?:[A-Za-z'.]|-[A-Za-z])*|[0-9]+|[^\s]").expect("valid token regex")
    })
}

fn tokenize(text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut prev_end = 0usize;
    for m in token_re().find_iter(text) {
        let gap = &text[prev_end..m.start()];
        let newlines = gap.bytes().filter(|&b| b == b'\n').count();
        let b = m.as_str().as_bytes()[0];
        let k = if b.is_ascii_alphabetic() {
            K::Word
        } else if b.is_ascii_digit() {
            K::Num
        } else if b.is_ascii() {
            K::P(b)
        } else {
            K::P(0)
        };
        out.push(Tok {
            k,
            start: m.start(),
            end: m.end(),
            glued: !out.is_empty() && gap.is_empty(),
            line_start: out.is_empty() || newlines > 0,
            blank: !out.is_empty() && newlines >= 2,
        });
        prev_end = m.end();
    }
    out
}

// ---------------------------------------------------------------------------
// Item kinds

fn kind_re() -> &'static [(Regex, ReferenceKind, bool); 8] {
    static RE: OnceLock<[(Regex, ReferenceKind, bool); 8]> = OnceLock::new();
    RE.get_or_init(|| {
        let re = |s: &str| Regex::new(s).expect("valid kind regex");
        // (pattern, kind, wins over cables found in the same item)
        [
            (
                re(r"(?i)(?-u:\b)E-?\s?MAILS?(?-u:\b)"),
                ReferenceKind::Email,
                true,
            ),
            (
                re(r"(?i)(?-u:\b)(?:TELCONS?|TELECONS?|TELEPHONE|PHONECONS?)(?-u:\b)"),
                ReferenceKind::Tel,
                true,
            ),
            (
                re(r"(?i)(?-u:\b)REPORTS?(?-u:\b)|(?-u:\b)IIR(?-u:\b)|(?-u:\b)TD-[0-9]"),
                ReferenceKind::Report,
                true,
            ),
            (
                re(r"(?-u:\b)(?:FAM|FAH)(?-u:\b)"),
                ReferenceKind::Book,
                true,
            ),
            (
                re(r"(?i)(?-u:\b)(?:FAX|FAXES)(?-u:\b)"),
                ReferenceKind::Fax,
                false,
            ),
            (
                re(r"(?i)(?-u:\b)(?:MEMO|MEMOS|MEMORANDUM|MEMCONS?)(?-u:\b)"),
                ReferenceKind::Memo,
                false,
            ),
            (
                re(r"(?i)(?-u:\b)MEETINGS?(?-u:\b)"),
                ReferenceKind::Meeting,
                false,
            ),
            (
                re(r"(?i)https?://|(?-u:\b)www\."),
                ReferenceKind::Web,
                false,
            ),
        ]
    })
}

/// The kind of a non-cable item, and whether it wins over cables in the same item.
fn item_kind(clean: &str) -> Option<(ReferenceKind, bool)> {
    kind_re()
        .iter()
        .find(|(re, _, _)| re.is_match(clean))
        .map(|(_, k, strong)| (*k, *strong))
}

// ---------------------------------------------------------------------------
// Parser

#[derive(Debug, Clone)]
struct Found {
    station: String,
    serial: u64,
    year: i32,
    inferred: bool,
    span: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `A.`, `A)`, `(A)`, `[A]`, `A:`, `A.)`
    Explicit,
    /// `A` or `A -` before a station or year, at an item start only.
    Bare,
    /// `(1)`
    Numeric,
}

/// Words that may stand before the station without being part of it.
const LEADING_NOISE: &[&str] = &[
    "UNCLASS",
    "UNCLASSIFIED",
    "EMBASSY",
    "AMEMBASSY",
    "USMISSION",
    "AMCONSUL",
    "AMCONGEN",
    "REF",
    "REFERENCE",
];

/// Codes in the station tables that mean something else in a REF item.
const NOT_STATIONS: &[&str] = &[
    "PARA", "PAGE", "NO", "NUMBER", "ITEM", "SECTION", "ANNEX", "STATION",
];

const MAX_SERIAL_DIGITS: usize = 7;

struct Parser<'a> {
    p: &'a Prepared,
    citing: &'a Citing,
    toks: Vec<Tok>,
    out: Vec<Reference>,
    stop: usize,

    // the current item
    label: Option<String>,
    item_start: usize,
    item_cables: Vec<Found>,
    /// Spans of cables cited without a year that no citing year supplies.
    item_yearless: Vec<Range<usize>>,
    item_words: usize,
    item_nums: usize,
    item_num_tok: Option<usize>,
    item_serial: bool,

    // the current run: `[year] STATION [sep] SERIAL`
    words: Vec<usize>,
    pre_num: Option<usize>,
    prefix_year: Option<i32>,
    infix_year: Option<i32>,
    run_start: Option<usize>,

    /// Right after a cable (or inside its continuation list).
    tail: bool,
    /// The next bare number continues the previous cable.
    cont: bool,
    /// Inside an AND-list, where `, NNN` also continues.
    chain: bool,
    /// At an item start (a bare-letter bullet may follow).
    at_start: bool,
    /// A word glued to a rejected number (`301601z`).
    skip_glued: bool,

    // bullets
    expected: u8,
    expected_num: u8,
    seen_bullet: bool,
    current: Option<u8>,

    last: Option<Found>,
    /// (label, id) pairs already in `out`.
    seen: HashSet<(Option<String>, String)>,
}

impl<'a> Parser<'a> {
    fn new(p: &'a Prepared, citing: &'a Citing) -> Self {
        Parser {
            p,
            citing,
            toks: tokenize(&p.clean[..p.end]),
            out: Vec::new(),
            stop: p.end,
            label: None,
            item_start: 0,
            item_cables: Vec::new(),
            item_yearless: Vec::new(),
            item_words: 0,
            item_nums: 0,
            item_num_tok: None,
            item_serial: false,
            words: Vec::new(),
            pre_num: None,
            prefix_year: None,
            infix_year: None,
            run_start: None,
            tail: false,
            cont: false,
            chain: false,
            at_start: true,
            skip_glued: false,
            expected: b'A',
            expected_num: b'1',
            seen_bullet: false,
            current: None,
            last: None,
            seen: HashSet::new(),
        }
    }

    fn text(&self, i: usize) -> &'a str {
        let t = &self.toks[i];
        &self.p.clean[t.start..t.end]
    }

    fn kind(&self, i: usize) -> Option<K> {
        self.toks.get(i).map(|t| t.k)
    }

    fn run(&mut self) {
        let mut i = 0;
        while i < self.toks.len() {
            let t = self.toks[i];
            if t.blank && self.item_complete() && !self.starts_bullet(i) {
                self.stop = t.start;
                break;
            }
            let ctx = self.at_start || t.line_start || self.tail;
            if let Some((letter, next, form)) = self.bullet_at(i) {
                if self.accept(letter, form, i, ctx) {
                    i = self.open_bullet(i, letter, next, form);
                    continue;
                }
            }
            i = match t.k {
                K::P(b';') => {
                    self.close_item(t.start);
                    self.item_start = t.end;
                    self.at_start = true;
                    i + 1
                }
                K::P(b',') | K::P(b':') => self.on_comma(i),
                K::P(b'&') => self.on_and(i),
                K::P(b'/') => {
                    self.flush_run();
                    if self.tail {
                        self.cont = true;
                        self.chain = true;
                    }
                    i + 1
                }
                K::P(b'(') => self.on_paren(i),
                K::Word if self.text(i).eq_ignore_ascii_case("AND") => self.on_and(i),
                K::Word => self.on_word(i),
                K::Num => self.on_num(i),
                K::P(_) => i + 1,
            };
        }
        self.close_item(self.stop);
    }

    fn item_complete(&self) -> bool {
        self.item_serial || (self.item_words > 0 && self.item_nums > 0)
    }

    /// A bullet form at token `i`: (upper-case letter or digit, index after it, form).
    fn bullet_at(&self, i: usize) -> Option<(u8, usize, Form)> {
        let t = self.toks.get(i)?;
        if let K::P(open @ (b'(' | b'[')) = t.k {
            let close = if open == b'(' { b')' } else { b']' };
            if self.kind(i + 2) != Some(K::P(close)) {
                return None;
            }
            let inner = self.text(i + 1).as_bytes();
            return match (self.kind(i + 1)?, inner) {
                (K::Word, [c]) => Some((c.to_ascii_uppercase(), i + 3, Form::Explicit)),
                (K::Num, [d]) if open == b'(' => Some((*d, i + 3, Form::Numeric)),
                _ => None,
            };
        }
        if t.k != K::Word {
            return None;
        }
        let b = self.text(i).as_bytes();
        if let [c, b'.'] = b {
            let mut next = i + 1;
            if self.kind(next) == Some(K::P(b')')) && self.toks[next].glued {
                next += 1;
            }
            return Some((c.to_ascii_uppercase(), next, Form::Explicit));
        }
        let [c] = b else { return None };
        let c = c.to_ascii_uppercase();
        match self.kind(i + 1) {
            Some(K::P(b')')) | Some(K::P(b':')) => Some((c, i + 2, Form::Explicit)),
            Some(K::P(b'-')) if !self.toks[i + 1].glued => Some((c, i + 2, Form::Bare)),
            Some(K::Word) | Some(K::Num) => Some((c, i + 1, Form::Bare)),
            _ => None,
        }
    }

    fn accept(&self, letter: u8, form: Form, i: usize, ctx: bool) -> bool {
        match form {
            Form::Numeric => letter == self.expected_num,
            Form::Explicit => {
                // `KUWAIT (C)02293`: a classification mark between station and serial.
                if self.toks[i].k == K::P(b'(')
                    && !self.words.is_empty()
                    && matches!(letter, b'C' | b'S' | b'U')
                    && self.kind(i + 3) == Some(K::Num)
                {
                    return false;
                }
                letter == self.expected
                    // A list that starts again (a page repeats its REF line).
                    || (letter == b'A' && (self.toks[i].line_start || self.toks[i].blank))
                    || (ctx && self.current == Some(letter))
                    || (ctx && !self.seen_bullet)
                    || (ctx && letter > self.expected && (self.tail || letter <= self.expected + 2))
            }
            Form::Bare => ctx && self.words.is_empty() && letter == self.expected,
        }
    }

    fn starts_bullet(&self, mut i: usize) -> bool {
        while self.kind(i) == Some(K::P(b'-')) {
            i += 1;
        }
        match self.bullet_at(i) {
            Some((letter, _, Form::Numeric)) => letter == self.expected_num,
            Some((letter, _, Form::Explicit)) => {
                !self.seen_bullet
                    || letter == b'A'
                    || self.current == Some(letter)
                    || (letter >= self.expected && letter <= self.expected + 2)
            }
            Some((letter, _, Form::Bare)) => letter == self.expected,
            None => false,
        }
    }

    fn open_bullet(&mut self, i: usize, letter: u8, mut next: usize, form: Form) -> usize {
        self.close_item(self.toks[i].start);
        if form == Form::Numeric {
            self.expected_num = letter + 1;
        } else {
            self.expected = letter + 1;
            self.current = Some(letter);
            // Doubled bullets: `A. A)`, `A. (A)`, `A. REF A:`, `B. B HAVANA`.
            if let Some((again, after, f)) = self.bullet_at(next) {
                if again == letter && f != Form::Numeric {
                    next = after;
                }
            }
        }
        self.seen_bullet = true;
        self.label = Some((letter as char).to_string());
        self.item_start = self.toks[next - 1].end;
        self.at_start = true;
        next
    }

    fn on_comma(&mut self, i: usize) -> usize {
        // `PRAGUE, 1228`, `STATE: 73097`: a separator between station and serial.
        if !self.words.is_empty() && self.kind(i + 1) == Some(K::Num) {
            return i + 1;
        }
        self.flush_run();
        let comma = self.toks[i].k == K::P(b',');
        self.cont = comma && self.tail && self.chain;
        if !self.cont {
            self.tail = false;
            self.chain = false;
        }
        self.at_start = true;
        i + 1
    }

    fn on_and(&mut self, i: usize) -> usize {
        self.flush_run();
        if self.tail {
            self.cont = true;
            self.chain = true;
        }
        self.at_start = false;
        i + 1
    }

    fn on_paren(&mut self, i: usize) -> usize {
        if self.kind(i + 2) == Some(K::P(b')')) {
            match self.kind(i + 1) {
                Some(K::Num) => {
                    if let Some(y) = year_of(self.text(i + 1)) {
                        if !self.words.is_empty() {
                            self.infix_year = Some(y);
                        } else if !self.tail {
                            self.prefix_year = Some(y);
                            self.pre_num = None;
                            self.run_start.get_or_insert(self.toks[i].start);
                        }
                    }
                    self.at_start = false;
                    return i + 3;
                }
                // A classification mark: `KUWAIT (C)02293`.
                Some(K::Word) => return i + 3,
                _ => {}
            }
        }
        i + 1
    }

    fn on_word(&mut self, i: usize) -> usize {
        let t = self.toks[i];
        if self.skip_glued && t.glued {
            return i + 1;
        }
        self.skip_glued = false;
        self.tail = false;
        self.cont = false;
        self.chain = false;
        self.at_start = false;
        self.run_start.get_or_insert(t.start);
        self.words.push(i);
        self.item_words += 1;
        i + 1
    }

    fn on_num(&mut self, i: usize) -> usize {
        let t = self.toks[i];
        let digits = self.text(i);
        self.item_nums += 1;
        self.item_num_tok = Some(i);
        self.at_start = false;
        self.skip_glued = false;
        let next_glued_word = self.kind(i + 1) == Some(K::Word) && self.toks[i + 1].glued;
        if next_glued_word {
            // `09CAIRO0561`, `2005PANAMA2342`: a year glued to the station; anything
            // else glued to letters (`301601Z`) is not a serial.
            if self.words.is_empty() && matches!(digits.len(), 2 | 4) {
                if let Some(y) = year_of(digits) {
                    self.reset_run();
                    self.prefix_year = Some(y);
                    self.run_start = Some(t.start);
                    self.tail = false;
                    self.cont = false;
                    return i + 1;
                }
            }
            self.reset_run();
            self.tail = false;
            self.cont = false;
            self.chain = false;
            self.skip_glued = true;
            return i + 1;
        }
        let next_is_plain_word =
            self.kind(i + 1) == Some(K::Word) && self.bullet_at(i + 1).is_none();
        if !self.words.is_empty() {
            let station = self.resolve();
            match (station, serial_of(digits)) {
                (Some(station), Some(serial)) => {
                    let pre = self.pre_num.and_then(|n| year_of(self.text(n)));
                    let written = self.prefix_year.or(pre).or(self.infix_year);
                    let (suffix, after) = self.suffix_year(i + 1);
                    let start = self.run_start.unwrap_or(t.start);
                    let end = self.toks[after - 1].end;
                    self.emit(station, serial, written.or(suffix), false, start..end);
                    self.reset_run();
                    self.tail = true;
                    self.cont = false;
                    return after;
                }
                _ => {
                    // Not a cable; the number may still be the year of the next one.
                    self.reset_run();
                    self.tail = false;
                    self.cont = false;
                    self.chain = false;
                    if next_is_plain_word && (2..=4).contains(&digits.len()) {
                        self.pre_num = Some(i);
                        self.run_start = Some(t.start);
                    }
                    return i + 1;
                }
            }
        }
        if self.cont && !(next_is_plain_word && (2..=4).contains(&digits.len())) {
            if let (Some(last), Some(serial)) = (self.last.clone(), serial_of(digits)) {
                let (suffix, after) = self.suffix_year(i + 1);
                let (year, inferred) = match suffix {
                    Some(y) => (Some(y), false),
                    None => (Some(last.year), last.inferred),
                };
                let span = t.start..self.toks[after - 1].end;
                self.emit(last.station, serial, year, inferred, span);
                self.tail = true;
                self.cont = false;
                return after;
            }
        }
        self.tail = false;
        self.cont = false;
        self.chain = false;
        self.reset_run();
        self.pre_num = Some(i);
        self.run_start = Some(t.start);
        i + 1
    }

    /// A year written after a serial: `-91`, `/08`, `(08)`, `(2002)`, or a lone
    /// two-digit number before a delimiter (`AMMAN 07718 99, ...`). Returns the year
    /// and the index after it.
    fn suffix_year(&self, j: usize) -> (Option<i32>, usize) {
        let num2 = |k: usize| self.kind(k) == Some(K::Num) && self.text(k).len() == 2;
        match self.kind(j) {
            Some(K::P(b'-'))
                if num2(j + 1) && self.toks[j + 1].glued && !self.glued_after(j + 1) =>
            {
                (year_of(self.text(j + 1)), j + 2)
            }
            Some(K::P(b'/'))
                if num2(j + 1)
                    && !self.glued_after(j + 1)
                    && !matches!(self.kind(j + 2), Some(K::P(b'/')) | Some(K::Num)) =>
            {
                (year_of(self.text(j + 1)), j + 2)
            }
            Some(K::P(b'('))
                if self.kind(j + 1) == Some(K::Num)
                    && matches!(self.text(j + 1).len(), 2 | 4)
                    && self.kind(j + 2) == Some(K::P(b')')) =>
            {
                match year_of(self.text(j + 1)) {
                    Some(y) => (Some(y), j + 3),
                    None => (None, j),
                }
            }
            Some(K::Num)
                if num2(j)
                    && !self.toks[j].glued
                    && !self.toks[j].blank
                    && matches!(self.kind(j + 1), None | Some(K::P(b',')) | Some(K::P(b';'))) =>
            {
                (year_of(self.text(j)), j + 1)
            }
            _ => (None, j),
        }
    }

    fn glued_after(&self, k: usize) -> bool {
        self.toks
            .get(k + 1)
            .is_some_and(|n| n.glued && matches!(n.k, K::Word | K::Num))
    }

    /// The station named by the pending words, if the whole run names one.
    fn resolve(&self) -> Option<String> {
        let mut ws: Vec<&str> = self.words.iter().map(|&i| self.text(i)).collect();
        while ws.len() > 1 && LEADING_NOISE.iter().any(|n| ws[0].eq_ignore_ascii_case(n)) {
            ws.remove(0);
        }
        while ws.len() > 1
            && ws.last().is_some_and(|w| {
                w.eq_ignore_ascii_case("CABLES") || w.eq_ignore_ascii_case("CABLE")
            })
        {
            ws.pop();
        }
        if ws.is_empty() || ws.len() > 6 {
            return None;
        }
        let code = fix_station(&squash(&ws.join(" ")));
        (code.len() >= 2 && is_known_station(&code) && !NOT_STATIONS.contains(&code.as_str()))
            .then_some(code)
    }

    /// Ends the current run; a number before a station with no serial after it is a
    /// serial in reverse order (`870 Ulaanbaatar`, `377 KATHMANDU,`).
    fn flush_run(&mut self) {
        if let (Some(n), false) = (self.pre_num, self.words.is_empty()) {
            let digits = self.text(n);
            let looks_like_year = digits.starts_with('0')
                || (digits.len() == 4 && (digits.starts_with("19") || digits.starts_with("20")));
            if !looks_like_year {
                if let (Some(station), Some(serial)) = (self.resolve(), serial_of(digits)) {
                    let span =
                        self.toks[n].start..self.toks[*self.words.last().expect("non-empty")].end;
                    self.emit(station, serial, self.prefix_year, false, span);
                    self.tail = true;
                }
            }
        }
        self.reset_run();
    }

    fn reset_run(&mut self) {
        self.words.clear();
        self.pre_num = None;
        self.prefix_year = None;
        self.infix_year = None;
        self.run_start = None;
    }

    fn emit(
        &mut self,
        station: String,
        serial: u64,
        year: Option<i32>,
        inferred: bool,
        span: Range<usize>,
    ) {
        self.item_serial = true;
        let (year, inferred) = match year {
            Some(y) => (y, inferred),
            None => match self.infer_year(&station, serial) {
                Some(y) => (y, true),
                None => {
                    // No year to be had: the reference is kept, without an id.
                    self.item_yearless.push(span);
                    return;
                }
            },
        };
        let found = Found {
            station,
            serial,
            year,
            inferred,
            span,
        };
        self.last = Some(found.clone());
        self.item_cables.push(found);
    }

    /// The year of a cable cited without one: the citing cable's year, or the year
    /// before when the cable is the citing post's own and its serial is above the
    /// citing serial (serials restart each January). The peer library applies no
    /// such check; it only matters when the citing id is known. A citation of the
    /// citing cable's own serial is left in the citing year, so that it is dropped
    /// as a self-reference (usually page-marker debris).
    fn infer_year(&self, station: &str, serial: u64) -> Option<i32> {
        let year = self
            .citing
            .year
            .or(self.citing.id.as_ref().map(|i| i.year))?;
        if let Some(c) = &self.citing.id {
            if c.station == station && serial > c.serial {
                return Some(year - 1);
            }
        }
        Some(year)
    }

    fn close_item(&mut self, end: usize) {
        self.flush_run();
        // A bullet holding only a serial continues the previous cable's station (or
        // the citing cable's, when there is none yet): `B. 2962 AND PREVIOUS`.
        if self.item_cables.is_empty() && self.item_words == 0 && self.item_nums == 1 {
            if let Some(n) = self.item_num_tok {
                if let Some(serial) = serial_of(self.text(n)) {
                    let span = self.toks[n].start..self.toks[n].end;
                    if let Some(last) = self.last.clone() {
                        self.emit(last.station, serial, Some(last.year), true, span);
                    } else if let Some(c) = self.citing.id.clone() {
                        self.emit(c.station, serial, None, true, span);
                    }
                }
            }
        }
        let end = end.max(self.item_start);
        let kind = item_kind(&self.p.clean[self.item_start..end]);
        let value = self.p.base[self.item_start..end]
            .trim_matches(|c: char| c.is_whitespace() || c == ';' || c == ',');
        let cables = std::mem::take(&mut self.item_cables);
        let yearless = std::mem::take(&mut self.item_yearless);
        match kind {
            Some((kind, strong)) if strong || (cables.is_empty() && yearless.is_empty()) => {
                if !value.is_empty() {
                    self.out.push(Reference {
                        label: self.label.clone(),
                        kind,
                        id: None,
                        text: value.to_string(),
                        year_inferred: false,
                    });
                }
            }
            _ => {
                for f in cables {
                    self.push_cable(f);
                }
                for span in yearless {
                    let text = self.p.base[span].trim().to_string();
                    if self.seen.insert((self.label.clone(), text.clone())) {
                        self.out.push(Reference {
                            label: self.label.clone(),
                            kind: ReferenceKind::Cable,
                            id: None,
                            text,
                            year_inferred: false,
                        });
                    }
                }
            }
        }
        self.item_words = 0;
        self.item_nums = 0;
        self.item_num_tok = None;
        self.item_serial = false;
        self.tail = false;
        self.cont = false;
        self.chain = false;
        self.skip_glued = false;
        self.item_start = end;
    }

    fn push_cable(&mut self, f: Found) {
        let id = CableId {
            year: f.year,
            station: f.station,
            serial: f.serial,
            variant: None,
        }
        .to_string();
        if self.citing.id.as_ref().is_some_and(|c| c.to_string() == id) {
            return;
        }
        if !self.seen.insert((self.label.clone(), id.clone())) {
            return;
        }
        let text = self.p.base[f.span].trim().to_string();
        self.out.push(Reference {
            label: self.label.clone(),
            kind: ReferenceKind::Cable,
            id: Some(id),
            text,
            year_inferred: f.inferred,
        });
    }
}

/// A written year: 2 digits, 3 (`094` → 94) or 4 (`2007`, `1966`).
fn year_of(digits: &str) -> Option<i32> {
    let n: i32 = digits.parse().ok()?;
    match digits.len() {
        2 | 3 => Some(expand_year(n % 100)),
        4 if (1900..2100).contains(&n) => Some(n),
        _ => None,
    }
}

/// A serial: 1 to 7 digits, not all zeros; leading zeros are dropped.
fn serial_of(digits: &str) -> Option<u64> {
    if digits.is_empty() || digits.len() > MAX_SERIAL_DIGITS {
        return None;
    }
    digits.parse().ok().filter(|&n| n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn citing(id: &str) -> Citing {
        let id = crate::id::parse_id(id, None);
        Citing {
            year: id.as_ref().map(|i| i.year),
            id,
        }
    }

    fn ids_y(text: &str, year: i32) -> Vec<String> {
        parse(
            text,
            &Citing {
                id: None,
                year: Some(year),
            },
        )
        .into_iter()
        .filter_map(|r| r.id)
        .collect()
    }

    fn ids(text: &str, citing_id: &str) -> Vec<String> {
        parse(text, &citing(citing_id))
            .into_iter()
            .filter_map(|r| r.id)
            .collect()
    }

    fn ng(text: &str, year: i32) -> Vec<(ReferenceKind, String, Option<String>)> {
        parse(
            text,
            &Citing {
                id: None,
                year: Some(year),
            },
        )
        .into_iter()
        .map(|r| (r.kind, r.id.unwrap_or(r.text), r.label))
        .collect()
    }

    fn labels(text: &str, year: i32) -> Vec<Option<String>> {
        parse(
            text,
            &Citing {
                id: None,
                year: Some(year),
            },
        )
        .into_iter()
        .map(|r| r.label)
        .collect()
    }

    fn l(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn bullet_forms() {
        let want = vec!["03LIMA11", "03LIMA12"];
        for text in [
            "A. LIMA 11 B. LIMA 12",
            "A) LIMA 11 B) LIMA 12",
            "(A) LIMA 11 (B) LIMA 12",
            "[A] LIMA 11 [B] LIMA 12",
            "A: LIMA 11; B: LIMA 12",
            "A.) LIMA 11\n B.) LIMA 12",
            "A - LIMA 11 B - LIMA 12",
            "a. lima 11\nb. lima 12",
        ] {
            assert_eq!(ids_y(text, 2003), want, "{text}");
            assert_eq!(labels(text, 2003), vec![l("A"), l("B")], "{text}");
        }
    }

    #[test]
    fn bare_letter_bullets() {
        assert_eq!(
            ids_y("A DAKAR 301 B DAKAR 299", 2004),
            vec!["04DAKAR301", "04DAKAR299"]
        );
        assert_eq!(
            labels("A Lome 3, B Accra 4, C 02 Accra 5", 2004),
            vec![l("A"), l("B"), l("C")]
        );
        assert_eq!(
            ids_y("A Lome 3, B Accra 4, C 02 Accra 5", 2004),
            vec!["04LOME3", "04ACCRA4", "02ACCRA5"]
        );
    }

    #[test]
    fn doubled_and_glued_bullets() {
        let text = "A. A) OSLO 5 B. (B) OSLO 6 C. REF C: OSLO 7 D. D OSLO 8 E. E)OSLO 9";
        assert_eq!(
            ids_y(text, 2007),
            vec!["07OSLO5", "07OSLO6", "07OSLO7", "07OSLO8", "07OSLO9"]
        );
        assert_eq!(
            labels(text, 2007),
            vec![l("A"), l("B"), l("C"), l("D"), l("E")]
        );
        assert_eq!(
            ids_y("(A)OSLO 05,(B)OSLO 06;C)ROME 7", 2007),
            vec!["07OSLO5", "07OSLO6", "07ROME7"]
        );
        assert_eq!(ids_y("C.04 DAKAR 17", 2007), vec!["04DAKAR17"]);
    }

    #[test]
    fn unbulleted_item_before_bullets_has_no_label() {
        let text = "04 STATE 12; A. A)STATE 34; B. B) OSLO 56";
        assert_eq!(labels(text, 2001), vec![None, l("A"), l("B")]);
        assert_eq!(
            ids_y(text, 2001),
            vec!["04STATE12", "01STATE34", "01OSLO56"]
        );
    }

    #[test]
    fn numeric_bullets() {
        assert_eq!(
            ids_y("(1) 2004 LIMA 111, (2) 2004 QUITO 0222", 2005),
            vec!["04LIMA111", "04QUITO222"]
        );
        assert_eq!(
            labels("(1) 2004 LIMA 111, (2) 2004 QUITO 0222", 2005),
            vec![l("1"), l("2")]
        );
    }

    #[test]
    fn initials_are_not_bullets() {
        let r = ng("E-mails P. Jones-R. Smith", 2006);
        assert_eq!(
            r,
            vec![(
                ReferenceKind::Email,
                "E-mails P. Jones-R. Smith".to_string(),
                None
            )]
        );
    }

    #[test]
    fn single_letter_after_station_is_not_a_bullet() {
        assert_eq!(
            ids_y("PORT A 12; PORT A 13", 2009),
            vec!["09PORTAUPRINCE12", "09PORTAUPRINCE13"]
        );
        assert_eq!(
            ids_y("A. ST. PETERSBURG 44", 2009),
            vec!["09STPETERSBURG44"]
        );
    }

    #[test]
    fn years_prefix_infix_suffix() {
        assert_eq!(ids_y("06 DAKAR 11", 2009), vec!["06DAKAR11"]);
        assert_eq!(ids_y("2006 DAKAR 11", 2009), vec!["06DAKAR11"]);
        assert_eq!(ids_y("093 DAKAR 11", 2009), vec!["93DAKAR11"]);
        assert_eq!(ids_y("'05 DAKAR 11", 2009), vec!["05DAKAR11"]);
        assert_eq!(ids_y("(98) DAKAR 11", 2009), vec!["98DAKAR11"]);
        assert_eq!(ids_y("(A)O3 DAKAR 11", 2009), vec!["03DAKAR11"]);
        assert_eq!(ids_y("STATE (02) 4455", 2009), vec!["02STATE4455"]);
        assert_eq!(ids_y("DAKAR 4411-92", 2009), vec!["92DAKAR4411"]);
        assert_eq!(ids_y("DAKAR 00411/07", 2009), vec!["07DAKAR411"]);
        assert_eq!(ids_y("DAKAR 411 (07)", 2009), vec!["07DAKAR411"]);
        assert_eq!(ids_y("DAKAR 411 (2001)", 2009), vec!["01DAKAR411"]);
        assert_eq!(
            ids_y("DAKAR 0411 98, DAKAR 0412 00", 2009),
            vec!["98DAKAR411", "00DAKAR412"]
        );
        // A prefix year wins over a suffix.
        assert_eq!(ids_y("05 DAKAR 411 (2001)", 2009), vec!["05DAKAR411"]);
    }

    #[test]
    fn glued_years_and_serials() {
        assert_eq!(
            ids_y("08LIMA0123; 07LIMA456", 2009),
            vec!["08LIMA123", "07LIMA456"]
        );
        assert_eq!(ids_y("2004DAKAR1234", 2009), vec!["04DAKAR1234"]);
        assert_eq!(ids_y("B)HK04321", 2009), vec!["09HONGKONG4321"]);
        assert_eq!(ids_y("09-LIMA-33", 2010), vec!["09LIMA33"]);
    }

    #[test]
    fn separators_between_station_and_serial() {
        assert_eq!(
            ids_y("OSLO 12, OSLO, 13, STATE 7654321", 2008),
            vec!["08OSLO12", "08OSLO13", "08STATE7654321"]
        );
        assert_eq!(ids_y("STATE: 5511", 2008), vec!["08STATE5511"]);
        assert_eq!(ids_y("KABUL #77", 2008), vec!["08KABUL77"]);
        assert_eq!(ids_y("DAKAR (C)00412", 2008), vec!["08DAKAR412"]);
        assert_eq!(ids_y("STATE -012345", 2008), vec!["08STATE12345"]);
    }

    #[test]
    fn reverse_order() {
        assert_eq!(ids_y("512 Dushanbe", 2007), vec!["07DUSHANBE512"]);
        assert_eq!(
            ids_y("A) 813 HARARE, B) 03 HARARE 77", 2007),
            vec!["07HARARE813", "03HARARE77"]
        );
    }

    #[test]
    fn serial_rules() {
        assert_eq!(ids_y("LIMA O2345", 2006), vec!["06LIMA2345"]);
        assert_eq!(ids_y("THE HAGUE 0042", 2006), vec!["06THEHAGUE42"]);
        assert!(ids_y("STATE 12345678", 2006).is_empty());
        assert!(ids_y("SECDEF MSG DTG 121314Z JAN 06", 2006).is_empty());
        assert!(ids_y("B) EXP.LIC. X123456", 2006).is_empty());
    }

    #[test]
    fn station_normalisation() {
        assert_eq!(ids_y("LA PAZ 12", 2006), vec!["06LAPAZ12"]);
        assert_eq!(ids_y("N'DJAMENA 12", 2006), vec!["06NDJAMENA12"]);
        assert_eq!(ids_y("PORT-OF-SPAIN 12", 2006), vec!["06PORTOFSPAIN12"]);
        assert_eq!(ids_y("Rio de Janeiro 12", 2006), vec!["06RIODEJANEIRO12"]);
        assert_eq!(ids_y("SECSTATE 12", 2006), vec!["06STATE12"]);
        assert_eq!(ids_y("USUN NE YORK 12", 2006), vec!["06USUNNEWYORK12"]);
        assert_eq!(ids_y("MEXICO CITY 12", 2006), vec!["06MEXICO12"]);
        assert_eq!(
            ids_y("UNESCO PARIS FR 0012", 2006),
            vec!["06UNESCOPARISFR12"]
        );
        assert_eq!(
            ids_y("05 SANTIAG0 12; 05 0SLO 13", 2006),
            vec!["05SANTIAGO12", "05OSLO13"]
        );
        assert_eq!(ids_y("UNCLASS USDA FAS 12", 2006), vec!["06USDAFAS12"]);
        assert_eq!(ids_y("EMBASSY OSLO 12", 2006), vec!["06OSLO12"]);
        assert_eq!(ids_y("OSLO CABLES 012", 2006), vec!["06OSLO12"]);
        // Distinct posts stay distinct.
        assert_eq!(
            ids_y("TAIPEI 5; KIEV 6; VIENNA 7; BRUSSELS 8", 2006),
            vec!["06TAIPEI5", "06KIEV6", "06VIENNA7", "06BRUSSELS8"]
        );
    }

    #[test]
    fn whole_run_must_be_a_station() {
        assert!(ids_y("A. INCSR PERU 2008", 2009).is_empty());
        assert!(ids_y("A. LIMA NOTES JUNE 3", 2009).is_empty());
        assert!(ids_y("A. OSC LAT 20090101000111", 2009).is_empty());
        assert_eq!(
            ids_y("A. LIMA NOTES JUNE 3 B. LIMA 44", 2009),
            vec!["09LIMA44"]
        );
    }

    #[test]
    fn continuations() {
        assert_eq!(
            ids_y("A. LIMA 101 AND 99 B. OSLO 5", 2005),
            vec!["05LIMA101", "05LIMA99", "05OSLO5"]
        );
        assert_eq!(
            labels("A. LIMA 101 AND 99 B. OSLO 5", 2005),
            vec![l("A"), l("A"), l("B")]
        );
        assert_eq!(ids_y("Lima 71 and 72", 2005), vec!["05LIMA71", "05LIMA72"]);
        assert_eq!(
            ids_y("STATE 44 & USUN 55", 2005),
            vec!["05STATE44", "05USUNNEWYORK55"]
        );
        assert_eq!(
            ids_y("Lima 505/404/303", 2005),
            vec!["05LIMA505", "05LIMA404", "05LIMA303"]
        );
        assert_eq!(
            ids_y("04 Lima \n505/404 and previous", 2005),
            vec!["04LIMA505", "04LIMA404"]
        );
        assert_eq!(
            ids_y("OSLO CABLES 0311 AND 02211 (2001)", 2003),
            vec!["03OSLO311", "01OSLO2211"]
        );
    }

    #[test]
    fn comma_list_only_inside_an_and_chain() {
        assert_eq!(
            ids_y("A) SOFIA 101 and 202, 303, 404 B) SOFIA 505", 2006),
            vec![
                "06SOFIA101",
                "06SOFIA202",
                "06SOFIA303",
                "06SOFIA404",
                "06SOFIA505"
            ]
        );
        assert_eq!(
            ids_y("[A] Lima 12345, 67890, [B] Oslo 55", 2006),
            vec!["06LIMA12345", "06OSLO55"]
        );
        assert_eq!(
            ids_y("A. LIMA 1, 04 QUITO 2; 03 LIMA 3", 2006),
            vec!["06LIMA1", "04QUITO2", "03LIMA3"]
        );
    }

    #[test]
    fn bare_serial_bullet() {
        assert_eq!(
            ids_y("A. SOFIA 400 \n B. 398 AND PREVIOUS", 2007),
            vec!["07SOFIA400", "07SOFIA398"]
        );
        assert_eq!(
            ids("A) 1200 B) STATE 4321", "05DAKAR1300"),
            vec!["05DAKAR1200", "05STATE4321"]
        );
    }

    #[test]
    fn items_across_blank_lines() {
        assert_eq!(
            ids_y("A) OSLO 1 B) RIO \n \nDE JANEIRO 77", 2004),
            vec!["04OSLO1", "04RIODEJANEIRO77"]
        );
        assert_eq!(ids_y("(A) La Paz \n \n00123", 2004), vec!["04LAPAZ123"]);
        assert_eq!(ids_y("C) \n \nLima 0042", 2004), vec!["04LIMA42"]);
        assert_eq!(ids_y("D. 02 \n \nLIMA 9", 2004), vec!["02LIMA9"]);
        assert_eq!(ids_y(" \n \nA. OSLO 3", 2004), vec!["04OSLO3"]);
        assert_eq!(
            ids_y("A. 03 oslo 1\n\nB. 03 lima 2", 2004),
            vec!["03OSLO1", "03LIMA2"]
        );
        assert_eq!(
            ids_y("A: Lima 1  B: Quito  C: Oslo 3", 2004),
            vec!["04LIMA1", "04OSLO3"]
        );
    }

    #[test]
    fn block_ends() {
        assert_eq!(
            ids_y("OSLO 12\n\nThe embassy met 4 officials", 2004),
            vec!["04OSLO12"]
        );
        assert_eq!(ids_y("OSLO 12\n\n1.(SBU) LIMA 13", 2004), vec!["04OSLO12"]);
        assert_eq!(
            ids_y(
                "A. OSLO 12 B. LIMA 13 Classified By: Ambassador X, 1.4 (b)",
                2004
            ),
            vec!["04OSLO12", "04LIMA13"]
        );
        assert_eq!(
            ids_y("A. OSLO 12\n\n\nC O N F I D E N T I A L LIMA 000013", 2004),
            vec!["04OSLO12"]
        );
        assert_eq!(ids_y("OSLO 12 SIPDIS LIMA 14", 2004), vec!["04OSLO12"]);
        let text = "A. OSLO 12\nB. LIMA 13\n\nSome prose 1999 here";
        assert_eq!(&text[..extent(text)], "A. OSLO 12\nB. LIMA 13\n\n");
    }

    #[test]
    fn extent_runs_over_incomplete_items_and_dashes() {
        let text = "(A) Lima 1 \n \n-   (B) La Paz \n \n0002\n\nClassified By: X";
        assert_eq!(
            text[..extent(text)].trim_end(),
            "(A) Lima 1 \n \n-   (B) La Paz \n \n0002"
        );
        assert_eq!(ids_y(text, 2004), vec!["04LIMA1", "04LAPAZ2"]);
    }

    #[test]
    fn page_markers_and_headers_are_noise() {
        assert_eq!(
            ids_y(
                "A) OSLO 11, B) OSLO 12 OSLO 00000300 \n\n001.2 OF 002\n C) OSLO 13",
                2008
            ),
            vec!["08OSLO11", "08OSLO12", "08OSLO13"]
        );
        assert_eq!(
            ids_y(
                "A. SAO PAULO 5 SAO PAULO 00000161 001.3 OF 005 B. LIMA 6",
                2008
            ),
            vec!["08SAOPAULO5", "08LIMA6"]
        );
        assert_eq!(
            ids_y(
                "A. STATE 4411\n CONFIDENTIAL\nPAGE 02 LIMA 00321 01 OF 02 101010Z  B. LIMA 300",
                2008
            ),
            vec!["08STATE4411", "08LIMA300"]
        );
    }

    #[test]
    fn parentheticals_are_noise() {
        assert_eq!(
            ids_y("LIMA 60 (NOTES ON THE 3RD PLENUM)  LIMA 70 (NOTAL)", 2009),
            vec!["09LIMA60", "09LIMA70"]
        );
        assert_eq!(
            ids_y("A. OSLO 9 (\"A 2ND LOOK\") B. OSLO 10", 2009),
            vec!["09OSLO9", "09OSLO10"]
        );
        assert_eq!(
            ids_y("A. X (SUBJ: IIR 6 111\n2222 09) B. OSLO 10", 2009),
            vec!["09OSLO10"]
        );
    }

    #[test]
    fn pilcrows_backslashes_and_literal_newlines() {
        assert_eq!(
            ids_y("A. OSLO 1 \u{b6}B. OSLO 2", 2009),
            vec!["09OSLO1", "09OSLO2"]
        );
        assert_eq!(
            ids_y("A. A) OSLO 1 \\\n \\\n   B. B) LIMA 2 \\\n", 2009),
            vec!["09OSLO1", "09LIMA2"]
        );
        assert_eq!(
            ids_y("A. OSLO 1\\nB. LIMA 2", 2009),
            vec!["09OSLO1", "09LIMA2"]
        );
    }

    #[test]
    fn repeated_ref_keywords() {
        assert_eq!(ids_y("REF: STATE 41", 2003), vec!["03STATE41"]);
        assert_eq!(ids_y("REFERENCE: 01 LIMA 41", 2003), vec!["01LIMA41"]);
        assert_eq!(
            labels("A. REF: LIMA 41 \n B. LIMA 42", 2003),
            vec![l("A"), l("B")]
        );
    }

    #[test]
    fn non_cable_kinds() {
        let r = ng("A) OSLO 1 B) DOE-ROE EMAIL 01/02/08 \nB) OSLO 2", 2008);
        assert_eq!(
            r,
            vec![
                (ReferenceKind::Cable, "08OSLO1".to_string(), l("A")),
                (
                    ReferenceKind::Email,
                    "DOE-ROE EMAIL 01/02/08".to_string(),
                    l("B")
                ),
                (ReferenceKind::Cable, "08OSLO2".to_string(), l("B")),
            ]
        );
        assert_eq!(
            ng("SMITH (X/Y) E-MAIL OF 01/02/2003", 2003)[0].1,
            "SMITH (X/Y) E-MAIL OF 01/02/2003"
        );
        assert_eq!(
            ng("A. JONES/DOE TELCON 1/2/2009", 2009)[0].0,
            ReferenceKind::Tel
        );
        let r = ng(
            "A. (S/NF) TD-314/11111-09 1 MAY 2009 B. (S/NF) TD-314/22222-09 2 MAY2009.",
            2009,
        );
        assert_eq!(
            r[0],
            (
                ReferenceKind::Report,
                "(S/NF) TD-314/11111-09 1 MAY 2009".to_string(),
                l("A")
            )
        );
        assert_eq!(r[1].1, "(S/NF) TD-314/22222-09 2 MAY2009.");
        assert_eq!(
            ng("2003 HUMAN RIGHTS REPORT FOR PERU", 2004)[0].0,
            ReferenceKind::Report
        );
        assert_eq!(
            ng("7 FAM Annex Q, 12 (3)", 2004),
            vec![(
                ReferenceKind::Book,
                "7 FAM Annex Q, 12 (3)".to_string(),
                None
            )]
        );
        assert_eq!(
            ng("A. OSLO 1 B. OSLO FAX OF MAY 3", 2004)[1].0,
            ReferenceKind::Fax
        );
    }

    #[test]
    fn unrecognised_items_are_dropped() {
        let r = ng(
            "A) OSLO 1 B) USDEL X TELEGRAMS 000001/000002 C) HK \n0003",
            2007,
        );
        assert_eq!(
            r,
            vec![
                (ReferenceKind::Cable, "07OSLO1".to_string(), l("A")),
                (ReferenceKind::Cable, "07HONGKONG3".to_string(), l("C")),
            ]
        );
        assert!(parse(
            "N/A",
            &Citing {
                id: None,
                year: Some(2007)
            }
        )
        .is_empty());
        assert!(parse(
            "KUALA LUMPUR",
            &Citing {
                id: None,
                year: Some(2007)
            }
        )
        .is_empty());
    }

    #[test]
    fn email_wins_over_a_date() {
        assert_eq!(
            ng("08 STATE 11; E-Mail Blah; 05 STATE 11", 2008),
            vec![
                (ReferenceKind::Cable, "08STATE11".to_string(), None),
                (ReferenceKind::Email, "E-Mail Blah".to_string(), None),
                (ReferenceKind::Cable, "05STATE11".to_string(), None),
            ]
        );
    }

    #[test]
    fn year_inference() {
        let r = parse("OSLO 12", &citing("08LIMA5"));
        assert_eq!(r[0].id.as_deref(), Some("08OSLO12"));
        assert!(r[0].year_inferred);
        let r = parse("06 OSLO 12", &citing("08LIMA5"));
        assert!(!r[0].year_inferred);
        // The citing post's own serial above the citing serial: the year before.
        assert_eq!(ids("LIMA 3000", "10LIMA45"), vec!["09LIMA3000"]);
        assert_eq!(ids("LIMA 30", "10LIMA45"), vec!["10LIMA30"]);
        // No plausibility check for other stations or written years.
        assert_eq!(
            ids("OSLO 3000; 11 LIMA 3", "10LIMA45"),
            vec!["10OSLO3000", "11LIMA3"]
        );
        // Without any year, no id can be built: the reference is kept as written.
        let r = parse("A. OSLO 12 B. 07 ROME 5", &Citing::default());
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[0].kind, r[0].id.as_deref()),
            (ReferenceKind::Cable, None)
        );
        assert_eq!(r[0].text, "OSLO 12");
        assert_eq!(r[1].id.as_deref(), Some("07ROME5"));
    }

    #[test]
    fn self_references_are_dropped() {
        assert!(ids("BERN 113", "07BERN113").is_empty());
        assert_eq!(
            ids(
                "A) LIMA 10, B) LIMA 11 LIMA 00000050 \n\n001.2 OF 003",
                "08LIMA50"
            ),
            vec!["08LIMA10", "08LIMA11"]
        );
        assert_eq!(
            ids("STATE 7 STATE 00000050 001.2 OF 002", "08STATE50"),
            vec!["08STATE7"]
        );
    }

    #[test]
    fn a_list_that_starts_again() {
        let text = "A. OSLO 1 B. OSLO 2\n\n\nA. OSLO 1 B. OSLO 2 C. OSLO 3";
        assert_eq!(ids_y(text, 2005), vec!["05OSLO1", "05OSLO2", "05OSLO3"]);
    }

    #[test]
    fn duplicates() {
        // The same id under two labels is kept; under one label it is not repeated.
        assert_eq!(
            ids_y("A. LIMA 7, B. 05 LIMA 7, LIMA 7", 2005),
            vec!["05LIMA7", "05LIMA7"]
        );
    }

    #[test]
    fn year_inferred_flag_on_continuations() {
        let r = parse(
            "04 OSLO 1 AND 2; OSLO 3 AND 4",
            &Citing {
                id: None,
                year: Some(2005),
            },
        );
        let flags: Vec<bool> = r.iter().map(|r| r.year_inferred).collect();
        assert_eq!(flags, vec![false, false, true, true]);
    }

    #[test]
    fn cable_text_is_the_source_span() {
        let r = parse(
            "A. 06 OSLO 0012 (NOTAL)",
            &Citing {
                id: None,
                year: Some(2008),
            },
        );
        assert_eq!(r[0].text, "06 OSLO 0012");
    }

    #[test]
    fn long_input_is_linear() {
        let text = "OSLO 1 AND 2, ".repeat(20_000);
        let r = parse(
            &text,
            &Citing {
                id: None,
                year: Some(2008),
            },
        );
        assert!(!r.is_empty());
    }
}
