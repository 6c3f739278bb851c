//! One cable as a spreadsheet row: the columns every CSV export writes (the CLI's
//! `export --format csv` and the API's `/api/export?format=csv`), from the record
//! the reader may read, and the cell escaping that keeps a spreadsheet from
//! running what a cable says.
//!
//! Why escape: a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
//! return) is a formula to Excel, LibreOffice and Google Sheets. Cable text is
//! written by others and may be hostile (`=HYPERLINK(...)` in a republished copy),
//! so such a cell is written with a leading `'`, which spreadsheets show as text
//! and drop from the value (OWASP's advice for CSV injection).

use std::borrow::Cow;

use cablescope_format::public_url::public_urls;
use cablescope_format::Cable;

/// The column names, in order.
pub const HEADER: [&str; 10] = [
    "id",
    "published_id",
    "created",
    "classification",
    "origin",
    "tags",
    "subject",
    "references",
    "text",
    "source_url",
];

/// The row of `cable` (a redacted record: withheld paragraphs are marked, never
/// shown), every cell escaped with [`cell`].
///
/// * `published_id`: the id the copy was published under when it differs from
///   the cable's own (a viewer page's Reference ID, a CSV id column);
/// * `references`: the cited cables' ids, space-separated (references that name
///   no cable are left out);
/// * `text`: the paragraphs with their portion marks, `(C) …`, separated by blank
///   lines; a withheld paragraph is `(withheld)`;
/// * `source_url`: the public pages of the copies from a known publisher
///   ([`cablescope_format::public_url`]), space-separated; empty for the others.
pub fn row(cable: &Cable) -> [String; 10] {
    let id = cable.id.as_deref().unwrap_or("");
    let published = cable
        .published
        .as_ref()
        .and_then(|p| p.id.as_deref())
        .or(cable.id_as_written.as_deref())
        .filter(|p| *p != id)
        .unwrap_or("");
    let references: Vec<&str> = cable
        .references
        .iter()
        .filter_map(|r| r.id.as_deref())
        .collect();
    let text: Vec<String> = cable
        .paragraphs
        .iter()
        .map(|p| {
            if p.withheld {
                return "(withheld)".to_string();
            }
            match &p.marking {
                Some(m) => format!("({m}) {}", p.text),
                None => p.text.clone(),
            }
        })
        .collect();
    [
        id,
        published,
        cable.created.as_deref().unwrap_or(""),
        cable.classification.as_deref().unwrap_or(""),
        cable.origin.station.as_deref().unwrap_or(""),
        &cable.tags.join(" "),
        cable.subject.as_deref().unwrap_or(""),
        &references.join(" "),
        &text.join("\n\n"),
        &public_urls(cable).join(" "),
    ]
    .map(|v| cell(v).into_owned())
}

/// `value` made safe for a spreadsheet: a leading `'` when it would start a
/// formula (`=`, `+`, `-`, `@`, tab, carriage return), else unchanged.
pub fn cell(value: &str) -> Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cablescope_format::record::{Paragraph, Reference, ReferenceKind};

    #[test]
    fn formulas_are_written_as_text() {
        for v in ["=1+1", "+1", "-2", "@SUM(A1)", "\t=x", "\r=x"] {
            assert_eq!(cell(v), format!("'{v}"), "{v:?}");
        }
        for v in ["", "MOSCOW", "1-2", "a=b", "'quoted"] {
            assert_eq!(cell(v), v, "{v:?}");
        }
    }

    #[test]
    fn a_row_holds_the_text_references_and_published_id() {
        let c = Cable {
            id: Some("08MOSCOW1599".into()),
            id_as_written: Some("08MOSCOW01599".into()),
            subject: Some("=HYPERLINK(\"http://x\")".into()),
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
                    kind: ReferenceKind::Email,
                    id: None,
                    text: "your e-mail".into(),
                    year_inferred: false,
                },
            ],
            paragraphs: vec![
                Paragraph {
                    marking: Some("C".into()),
                    text: "Talks resumed.".into(),
                    ..Paragraph::default()
                },
                Paragraph {
                    withheld: true,
                    ..Paragraph::default()
                },
            ],
            ..Cable::default()
        };
        let r = row(&c);
        assert_eq!(r.len(), HEADER.len());
        assert_eq!(r[0], "08MOSCOW1599");
        assert_eq!(r[1], "08MOSCOW01599");
        assert_eq!(r[6], "'=HYPERLINK(\"http://x\")");
        assert_eq!(r[7], "08MOSCOW1500");
        assert_eq!(r[8], "(C) Talks resumed.\n\n(withheld)");
        assert_eq!(
            r[9], "",
            "a copy from no known publisher has no public page"
        );
        let mut viewer = c.clone();
        viewer.created = Some("2008-06-05T11:19:00Z".into());
        viewer.source.format = "wikileaks-html-2010".into();
        viewer.source.path = Some("/srv/x/08MOSCOW1599.html".into());
        assert_eq!(
            row(&viewer)[9],
            "https://wikileaks.org/cable/2008/06/08MOSCOW1599.html"
        );
    }
}
