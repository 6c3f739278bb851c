//! The cable record: everything the parser recovers from one cable.
//!
//! Field names are a contract: the CLI prints this record as JSON and later layers
//! (archive, server, scorers) read it by name. Add fields freely; never rename.

use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostic;

/// One parsed cable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cable {
    /// Canonical reference id: two-digit year + station + serial without leading
    /// zeros (`08MOSCOW1599`).
    pub id: Option<String>,
    /// The id as the text or a hint wrote it, when that differs from `id`.
    pub id_as_written: Option<String>,
    /// Creation time from the date-time group, ISO 8601 UTC (`2008-06-05T11:19:00Z`).
    pub created: Option<String>,
    /// Action precedence: ROUTINE, PRIORITY, IMMEDIATE, NIACT IMMEDIATE or FLASH.
    pub precedence: Option<String>,
    /// The originating post.
    pub origin: Origin,
    /// Overall classification in Cablegate's published vocabulary
    /// (`CONFIDENTIAL//NOFORN`, `UNCLASSIFIED//FOR OFFICIAL USE ONLY`, ...).
    pub classification: Option<String>,
    /// The classification line as written, spaces squeezed
    /// (`UNCLAS SECTION 01 OF 02 THE HAGUE 001695`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub classification_line: Option<String>,
    /// Handling captions as written, in order of appearance (SIPDIS, NOFORN, ...).
    pub captions: Vec<String>,
    /// Passing and distribution lines (`DEPT FOR EUR/RUS`).
    pub passing_lines: Vec<String>,
    /// Transmission id from format line 1 (`VZCZCXRO4815`).
    pub transmission_id: Option<String>,
    /// Which section of a multi-section cable this text is.
    pub section: Option<Section>,
    /// Action addressees (TO).
    pub recipients: Vec<Recipient>,
    /// Information addressees (INFO).
    pub info_recipients: Vec<Recipient>,
    /// Exempted addressees (XMT).
    pub exempt_recipients: Vec<Recipient>,
    /// The executive-order line as written (`E.O. 12958: DECL: 01/05/2028`).
    pub eo: Option<String>,
    /// The declassification date from the E.O. line (`YYYY-MM-DD`).
    pub declassify_on: Option<String>,
    /// Names of the classifying officers, as written, titles removed.
    pub classified_by: Vec<String>,
    /// Classification reasons (`["1.4(b)", "1.4(d)"]`).
    pub reasons: Vec<String>,
    /// The Classified By statement as written, titles and reasons included, spaces
    /// squeezed (`Classified By: DCM Jane Roe for reasons 1.4 (b) and (d)`). Header
    /// text at the cable's overall level, withheld with `classified_by`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub classified_by_line: Option<String>,
    /// TAGS, upper-case, in order, without duplicates.
    pub tags: Vec<String>,
    /// The subject line, portion mark removed.
    pub subject: Option<String>,
    /// The portion mark of the subject line, normalised like paragraph marks.
    pub subject_marking: Option<String>,
    /// References from the REF block.
    pub references: Vec<Reference>,
    /// Text of the summary block.
    pub summary: Option<String>,
    /// Text of the comment block(s).
    pub comment: Option<String>,
    /// Numbered, portion-marked paragraphs; unnumbered text before paragraph 1 and
    /// cables without numbering are kept as paragraph 0.
    pub paragraphs: Vec<Paragraph>,
    /// The signature at the end, as written.
    pub signers: Vec<String>,
    /// Count of `XXXXXX`-style redacted spans.
    pub redactions: u32,
    /// True when the text is an extract or one section of several.
    pub partial: bool,
    /// Every repair and doubt.
    pub diagnostics: Vec<Diagnostic>,
    /// Header fields a reader's clearance withholds (`subject`, `summary`, ...),
    /// emptied in this copy of the record. Empty for a full record.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub withheld: Vec<String>,
    /// Where the text came from.
    pub source: Source,
    /// What the container (viewer page, CSV row, export) claimed about the cable, kept
    /// beside what the text says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<Published>,
    /// Every copy merged into this record (empty for a single copy).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub sources: Vec<Source>,
}

/// The originating post.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// Routing indicator of the transmitting station (DE line), e.g. `RUEHMO`.
    pub routing_indicator: Option<String>,
    /// Station code as used in reference ids, e.g. `MOSCOW`.
    pub station: Option<String>,
    /// Plain-language address from the FM line, e.g. `AMEMBASSY MOSCOW`.
    pub name: Option<String>,
}

/// Position of this text among the sections of a cable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// One-based section number.
    pub number: u32,
    /// Total number of sections.
    pub of: u32,
}

/// One addressee line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// Routing indicator, when the line has one (`RUEHC`).
    pub routing_indicator: Option<String>,
    /// Plain-language address as written (`SECSTATE WASHDC`).
    pub name: String,
    /// Precedence word on the line, normalised (PRIORITY, IMMEDIATE, ...).
    pub precedence: Option<String>,
    /// Per-addressee message count, leading zeros kept.
    pub serial: Option<String>,
}

/// Kind of a reference in the REF block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReferenceKind {
    /// A telegram with a reference id.
    Cable,
    /// An e-mail.
    Email,
    /// A report (IIR, daily report, TD ...).
    Report,
    /// A telegram-like message that is not a cable id (airgram, White House message).
    Telegram,
    /// A telephone call (telcon).
    Tel,
    /// A memorandum of conversation, letter, diplomatic note.
    Memo,
    /// A handbook or manual (`5 FAM 900`).
    Book,
    /// A fax.
    Fax,
    /// A meeting.
    Meeting,
    /// A web page.
    Web,
    /// Anything else (handbooks, "AND PREVIOUS", bare station names).
    Other,
}

/// One item of the REF block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// The bullet as written (`A`, `B`), if any.
    pub label: Option<String>,
    /// What the reference points to.
    pub kind: ReferenceKind,
    /// Canonical cable id, for cable references.
    pub id: Option<String>,
    /// The item's text as written.
    pub text: String,
    /// True when the year was not written and was taken from the citing cable.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub year_inferred: bool,
}

/// A numbered paragraph.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph {
    /// Paragraph number (0 for unnumbered text).
    pub number: u32,
    /// Normalised portion mark (U, SBU, LOU, C, S, TS, with `/NF`), or null.
    pub marking: Option<String>,
    /// The mark as written, when it differs from `marking`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub marking_as_written: Option<String>,
    /// A heading line that stood just before the paragraph.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub heading: Option<String>,
    /// The paragraph's text, mark and number removed, line breaks kept.
    pub text: String,
    /// True when a reader's clearance withholds this paragraph: `text` and
    /// `heading` are then empty, `number` and `marking` stay so the gap is visible.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub withheld: bool,
}

/// Where a record's text came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Input path (or `-` for standard input).
    pub path: Option<String>,
    /// Container format (`telegram`, `wikileaks-html-2011`, ...).
    pub format: String,
    /// Text encoding the bytes were decoded with (`utf-8`, `windows-1252`).
    pub encoding: String,
    /// Position of the cable inside a container holding several (CSV row, export
    /// record, split page part), from 1.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub item: Option<usize>,
    /// True when an admin declared this copy an official release (a declassified
    /// or FOIA copy): its markings then govern the text it holds when copies merge
    /// (see `assemble`). Never set by the parser.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub official_release: bool,
}

/// Metadata a container published about the cable, as strings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// Reference id as published.
    pub id: Option<String>,
    /// Creation time as published.
    pub created: Option<String>,
    /// Release date as published.
    pub released: Option<String>,
    /// Classification as published.
    pub classification: Option<String>,
    /// Origin label as published.
    pub origin: Option<String>,
    /// Tags as published.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tags: Vec<String>,
}
