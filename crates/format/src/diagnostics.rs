//! Diagnostics: what the parser repaired, inferred or doubts about a cable.

use serde::{Deserialize, Serialize};

/// Machine-readable diagnostic code. Serialised in `snake_case`
/// (`truncated_paragraph`, `missing_dtg`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// A paragraph (or a line inside it) seems to have lost its end.
    TruncatedParagraph,
    /// No date-time group line; `created` came from elsewhere or is null.
    MissingDtg,
    /// The text says it is a partial extract of the original cable.
    PartialExtract,
    /// The DTG and the DE line's Julian day/time disagree by more than a day.
    DtgDeMismatch,
    /// A station or routing indicator that no table knows.
    UnknownStation,
    /// A numbered paragraph without a portion mark in a classified cable.
    UnmarkedParagraph,
    /// A portion mark above the cable's overall classification.
    MarkingAboveClassification,
    /// No classification line: the level was implied by portion marks or FL4.
    ClassificationImplied,
    /// The id's serial disagrees with the DE line's station serial number.
    IdSerialMismatch,
    /// The subject was taken from a page title, not a SUBJECT line.
    SubjectFromTitle,
    /// (SBU) portion marks in an UNCLAS cable without the SENSITIVE caption.
    SbuWithoutCaption,
    /// NF portion marks without the NOFORN caption.
    NofornMarksWithoutCaption,
    /// A portion mark in an unrecognised form, kept as written.
    UnknownMarking,
    /// Paragraph numbers skip or repeat.
    ParagraphNumbering,
    /// Text after the cable (site boilerplate, copyright lines) was left out.
    TrailerRemoved,
    /// Text before the cable (page title, navigation) was left out.
    LeaderRemoved,
    /// The id was rebuilt from the DE line, a hint or the container.
    IdInferred,
    /// The creation time was rebuilt from the DE line's Julian day.
    CreatedFromDe,
    /// The year of the cable was taken from a hint.
    YearFromHint,
    /// The id station differs from the FM line's station.
    StationMismatch,
    /// FL4 security warning disagrees with the classification line.
    SecurityWarningMismatch,
    /// The declassification date is before the cable's date.
    DeclassifyBeforeCreated,
    /// A required header field was not found.
    MissingField,
    /// Section count disagrees with the section-break lines.
    SectionMismatch,
    /// The published metadata disagrees with the text.
    PublishedMismatch,
    /// Copies of one cable disagree on a field.
    CopyConflict,
    /// A section of a multi-section cable is missing.
    SectionMissing,
    /// Text was decoded from a legacy 8-bit encoding.
    LegacyEncoding,
    /// Input was cut at a size or line limit.
    InputTruncated,
    /// A second cable was found in the same text.
    MultipleCables,
    /// The text holds nothing of a cable (no header fields, no paragraphs).
    NoCableText,
    /// A copy declared an official release governs markings of the merged record.
    OfficialRelease,
    /// The text gives no id: the id is the file name's (`03ABUDHABI2641.txt`).
    IdFromFileName,
}

/// One repair or doubt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// What kind of repair or doubt.
    pub code: Code,
    /// Human-readable explanation.
    pub message: String,
    /// The paragraph concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub paragraph: Option<u32>,
}

impl Diagnostic {
    /// A diagnostic about the whole cable.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            paragraph: None,
        }
    }

    /// A diagnostic about one paragraph.
    pub fn at(code: Code, paragraph: u32, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            paragraph: Some(paragraph),
        }
    }
}
