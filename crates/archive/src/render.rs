//! A cable as readable text: the header fields in aligned lines, then the
//! paragraphs with their portion marks, the signature and the sources. This is
//! what `cablescope show` prints and what the HTTP API returns as `text`, so both
//! front ends show a cable the same way.
//!
//! Withheld parts of a redacted record (see `Cable::withheld` and
//! `Paragraph::withheld`) are shown as placeholders that keep the paragraph number
//! and marking, so a reader sees where something was left out.

use std::io::{self, Write};

use cablescope_format::record::Recipient;
use cablescope_format::Cable;

/// Width of the field-name column.
const NAME_WIDTH: usize = 15;

fn field(out: &mut dyn Write, name: &str, value: &str) -> io::Result<()> {
    if value.is_empty() {
        return Ok(());
    }
    writeln!(out, "{name:<NAME_WIDTH$} {value}")
}

fn recipients(rs: &[Recipient]) -> String {
    rs.iter()
        .map(|r| r.name.clone())
        .collect::<Vec<_>>()
        .join("; ")
}

/// True when the redacted record names `name` among its withheld header fields.
fn withheld(c: &Cable, name: &str) -> bool {
    c.withheld.iter().any(|w| w == name)
}

/// Writes `c` as text. `present(id)` says whether a cited cable is in the archive
/// (for the reader): references are marked `(in archive)` or `(missing)`.
pub fn write_cable(
    out: &mut dyn Write,
    c: &Cable,
    present: &dyn Fn(&str) -> bool,
) -> io::Result<()> {
    let id = c.id.as_deref().unwrap_or("");
    match &c.id_as_written {
        Some(w) if w != id => field(out, "ID", &format!("{id} (written {w})"))?,
        _ => field(out, "ID", id)?,
    }
    field(out, "CREATED", c.created.as_deref().unwrap_or(""))?;
    field(out, "PRECEDENCE", c.precedence.as_deref().unwrap_or(""))?;
    let origin = match (&c.origin.station, &c.origin.name) {
        (Some(s), Some(n)) if n != s => format!("{s} ({n})"),
        (Some(s), _) => s.clone(),
        (None, Some(n)) => n.clone(),
        (None, None) => String::new(),
    };
    field(out, "ORIGIN", &origin)?;
    field(
        out,
        "CLASSIFICATION",
        c.classification.as_deref().unwrap_or(""),
    )?;
    field(out, "CAPTIONS", &c.captions.join(", "))?;
    field(out, "TO", &recipients(&c.recipients))?;
    field(out, "INFO", &recipients(&c.info_recipients))?;
    let eo = c.eo.as_deref().unwrap_or("");
    field(out, "E.O.", eo.strip_prefix("E.O.").unwrap_or(eo).trim())?;
    field(
        out,
        "DECLASSIFY ON",
        c.declassify_on.as_deref().unwrap_or(""),
    )?;
    field(out, "CLASSIFIED BY", &c.classified_by.join("; "))?;
    field(out, "REASONS", &c.reasons.join(", "))?;
    field(out, "TAGS", &c.tags.join(", "))?;
    let subject = match (&c.subject_marking, &c.subject) {
        (Some(m), Some(s)) => format!("({m}) {s}"),
        (None, Some(s)) => s.clone(),
        (Some(m), None) if withheld(c, "subject") => {
            format!("({m}) [withheld: not within your clearance]")
        }
        _ if withheld(c, "subject") => "[withheld: not within your clearance]".to_string(),
        _ => String::new(),
    };
    field(out, "SUBJECT", &subject)?;
    if c.references.is_empty() && withheld(c, "references") {
        field(out, "REF", "[withheld: not within your clearance]")?;
    }
    for (i, r) in c.references.iter().enumerate() {
        let label = r.label.as_deref().unwrap_or("");
        let status = match r.id.as_deref() {
            Some(rid) if present(rid) => format!("{rid} (in archive)"),
            Some(rid) => format!("{rid} (missing)"),
            None => r.text.clone(),
        };
        let name = if i == 0 { "REF" } else { "" };
        let line = if label.is_empty() {
            status
        } else {
            format!("{label}. {status}")
        };
        field(out, name, &line)?;
    }
    writeln!(out)?;
    for p in &c.paragraphs {
        let mark = p
            .marking
            .as_deref()
            .map(|m| format!("({m}) "))
            .unwrap_or_default();
        let number = if p.number > 0 {
            format!("{}. ", p.number)
        } else {
            String::new()
        };
        if p.withheld {
            writeln!(out, "{number}{mark}[withheld: not within your clearance]")?;
            writeln!(out)?;
            continue;
        }
        if let Some(h) = &p.heading {
            writeln!(out, "{h}")?;
        }
        writeln!(out, "{number}{mark}{}", p.text)?;
        writeln!(out)?;
    }
    field(out, "SIGNED", &c.signers.join("; "))?;
    let sources: Vec<String> = if c.sources.is_empty() {
        vec![c.source.path.clone().unwrap_or_default()]
    } else {
        c.sources
            .iter()
            .map(|s| format!("{} ({})", s.path.as_deref().unwrap_or("-"), s.format))
            .collect()
    };
    for (i, s) in sources.iter().enumerate() {
        field(out, if i == 0 { "SOURCES" } else { "" }, s)?;
    }
    if !c.diagnostics.is_empty() {
        field(out, "DIAGNOSTICS", &c.diagnostics.len().to_string())?;
    }
    Ok(())
}

/// The cable as text (see [`write_cable`]).
pub fn cable_text(c: &Cable, present: &dyn Fn(&str) -> bool) -> String {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_cable(&mut buf, c, present);
    String::from_utf8_lossy(&buf).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cablescope_format::record::{Paragraph, Reference, ReferenceKind};

    fn cable() -> Cable {
        Cable {
            id: Some("08MOSCOW1599".into()),
            id_as_written: Some("08 MOSCOW 01599".into()),
            created: Some("2008-06-05T11:19:00Z".into()),
            classification: Some("SECRET//NOFORN".into()),
            tags: vec!["PREL".into(), "RS".into()],
            subject: Some("WIDGET TALKS".into()),
            subject_marking: Some("C".into()),
            references: vec![
                Reference {
                    label: Some("A".into()),
                    kind: ReferenceKind::Cable,
                    id: Some("08MOSCOW1500".into()),
                    text: "08 MOSCOW 1500".into(),
                    year_inferred: false,
                },
                Reference {
                    label: Some("B".into()),
                    kind: ReferenceKind::Cable,
                    id: Some("08STATE12345".into()),
                    text: "08 STATE 12345".into(),
                    year_inferred: false,
                },
            ],
            paragraphs: vec![
                Paragraph {
                    number: 1,
                    marking: Some("U".into()),
                    text: "Widgets arrived.".into(),
                    ..Paragraph::default()
                },
                Paragraph {
                    number: 2,
                    marking: Some("S/NF".into()),
                    withheld: true,
                    ..Paragraph::default()
                },
            ],
            ..Cable::default()
        }
    }

    #[test]
    fn header_marks_references_and_withheld_paragraphs() {
        let text = cable_text(&cable(), &|id| id == "08MOSCOW1500");
        assert!(
            text.contains("ID              08MOSCOW1599 (written 08 MOSCOW 01599)"),
            "{text}"
        );
        assert!(text.contains("SUBJECT         (C) WIDGET TALKS"), "{text}");
        assert!(text.contains("REF             A. 08MOSCOW1500 (in archive)"));
        assert!(text.contains("                B. 08STATE12345 (missing)"));
        assert!(text.contains("1. (U) Widgets arrived."));
        assert!(text.contains("2. (S/NF) [withheld: not within your clearance]"));
    }

    #[test]
    fn withheld_header_fields_are_named() {
        let mut c = cable();
        c.subject = None;
        c.references.clear();
        c.withheld = vec!["subject".into(), "references".into()];
        let text = cable_text(&c, &|_| false);
        assert!(text.contains("SUBJECT         (C) [withheld"), "{text}");
        assert!(text.contains("REF             [withheld"), "{text}");
    }
}
