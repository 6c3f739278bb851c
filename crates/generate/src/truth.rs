//! The truth sidecar: what the generator put into each cable, one JSON object per
//! line of `truth.jsonl`, in the parser record's field names and vocabulary.

use serde::{Deserialize, Serialize};

/// Everything generated for one cable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// Canonical reference id (`09PARIS997`).
    pub id: String,
    /// Output file (relative to the output folder) holding the cable; for
    /// `cables.csv`, the file name and `#` row number.
    pub file: String,
    /// Creation time, ISO 8601 UTC, from the date-time group.
    pub created: String,
    /// Action precedence (ROUTINE, PRIORITY, IMMEDIATE, NIACT IMMEDIATE, FLASH).
    pub precedence: String,
    /// The originating post.
    pub origin: TruthOrigin,
    /// Classification in Cablegate's published vocabulary.
    pub classification: String,
    /// Captions as written, in order.
    pub captions: Vec<String>,
    /// Action addressees.
    pub recipients: Vec<TruthRecipient>,
    /// Information addressees.
    pub info_recipients: Vec<TruthRecipient>,
    /// The E.O. line as written.
    pub eo: String,
    /// Declassification date (`YYYY-MM-DD`), when the E.O. line gives one.
    pub declassify_on: Option<String>,
    /// Classifying officers' names (titles removed).
    pub classified_by: Vec<String>,
    /// Classification reasons (`1.4(b)`).
    pub reasons: Vec<String>,
    /// TAGS in order.
    pub tags: Vec<String>,
    /// Subject, portion mark removed, continuation lines joined by one space.
    pub subject: String,
    /// Normalised portion mark of the subject line.
    pub subject_marking: Option<String>,
    /// Ids of the cables in the REF block, in order.
    pub references: Vec<String>,
    /// The subset of `references` that are not in the generated corpus.
    pub references_outside: Vec<String>,
    /// Summary text (without the label, the end marker and the portion mark).
    pub summary: Option<String>,
    /// Comment text (without the label and the end marker).
    pub comment: Option<String>,
    /// Numbered paragraphs.
    pub paragraphs: Vec<TruthParagraph>,
    /// Signature surnames.
    pub signers: Vec<String>,
    /// Count of `XXXXXXXXXXXX` redactions in the text.
    pub redactions: u32,
    /// Number of sections (1 for a single-section cable).
    pub sections: u32,
    /// Damage applied to this copy.
    pub damage: Vec<Damage>,
    /// Fields the damage removed from the copy (names as in this record, with
    /// `origin.routing_indicator` style paths).
    pub lost_fields: Vec<String>,
}

/// The originating post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthOrigin {
    /// DE-line routing indicator.
    pub routing_indicator: String,
    /// Station code.
    pub station: String,
    /// FM-line PLAD.
    pub name: String,
}

/// One addressee line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthRecipient {
    /// Routing indicator.
    pub routing_indicator: Option<String>,
    /// PLAD as written.
    pub name: String,
    /// Precedence word on the line, when written.
    pub precedence: Option<String>,
    /// Per-addressee count as written.
    pub serial: Option<String>,
}

/// A numbered paragraph's number and normalised portion mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthParagraph {
    /// Paragraph number.
    pub number: u32,
    /// Normalised mark (`U`, `SBU`, `C`, `S`, with `/NF`), or none.
    pub marking: Option<String>,
}

/// One kind of damage applied to a copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Damage {
    /// `lost_lines` (last line of some paragraphs dropped), `missing_header` (the
    /// envelope is gone) or `lost_signature`.
    pub kind: String,
    /// Paragraph numbers affected (for `lost_lines`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub paragraphs: Vec<u32>,
}
