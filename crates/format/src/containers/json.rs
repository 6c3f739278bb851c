//! JSON exports: JSON Lines or a JSON array of objects such as
//! `{_id, origin, date_time, classification, body}` whose bodies were flattened
//! (newlines turned into spaces). The `_id` of such exports is not the cable id (it
//! holds the references column), so it is not used as one.

use serde_json::Value;

use super::csv::us_date_year;
use super::{Extracted, Format};
use crate::record::Published;

/// Why an export could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("record {record}: {message}")]
pub struct JsonError {
    /// One-based record (line) number.
    pub record: usize,
    /// What went wrong.
    pub message: String,
}

/// Reads every record of a JSON Lines or JSON array export.
pub fn records(text: &str) -> Vec<Result<Extracted, JsonError>> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        return match serde_json::from_str::<Vec<Value>>(trimmed) {
            Ok(values) => not_an_export_when_no_record_has_a_body(
                values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| record(v, i + 1))
                    .collect(),
            ),
            Err(e) => vec![Err(JsonError {
                record: 1,
                message: e.to_string(),
            })],
        };
    }
    let out: Vec<Result<Extracted, JsonError>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| match serde_json::from_str::<Value>(line) {
            Ok(v) => record(&v, i + 1),
            Err(e) => Err(JsonError {
                record: i + 1,
                message: e.to_string(),
            }),
        })
        .collect();
    not_an_export_when_no_record_has_a_body(out)
}

/// A JSON file none of whose records carries a cable text is not a cable export
/// (metadata, truth files): one error for the file, not one per record.
fn not_an_export_when_no_record_has_a_body(
    out: Vec<Result<Extracted, JsonError>>,
) -> Vec<Result<Extracted, JsonError>> {
    if out.len() > 1 && out.iter().all(Result::is_err) {
        return vec![Err(JsonError {
            record: 1,
            message: format!("none of its {} records holds a cable text (body, content or text): not a cable export", out.len()),
        })];
    }
    out
}

fn text_of(v: &Value, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| v.get(*k))
        .and_then(|x| x.as_str())
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

fn record(v: &Value, n: usize) -> Result<Extracted, JsonError> {
    if !v.is_object() {
        return Err(JsonError {
            record: n,
            message: "not a JSON object".into(),
        });
    }
    let body = text_of(v, &["body", "content", "text"]).ok_or_else(|| JsonError {
        record: n,
        message: "no body, content or text field".into(),
    })?;
    let header = text_of(v, &["header"]).unwrap_or_default();
    let created = text_of(v, &["date_time", "created", "date"]);
    let published = Published {
        // `_id` is deliberately not read: in these exports it is the references column.
        id: text_of(v, &["refid", "reference_id", "cable_id"]),
        created: created.clone(),
        released: text_of(v, &["released"]),
        classification: text_of(v, &["classification"]),
        origin: text_of(v, &["origin"]),
        tags: Vec::new(),
    };
    let body = if body.contains('\n') {
        body
    } else {
        relines(&body)
    };
    let text = if header.is_empty() {
        body
    } else {
        format!("{header}\n\n{body}")
    };
    Ok(Extracted {
        text,
        format: Format::JsonExport,
        published: Some(published),
        year: created.as_deref().and_then(us_date_year).or_else(|| {
            created
                .as_deref()
                .and_then(|c| c.get(..4))
                .and_then(|y| y.parse().ok())
        }),
        index: n,
        notes: Vec::new(),
    })
}

/// Restores line structure in a flattened body: the export turned each newline
/// into a space, and the telegram's lines ended in a space, so a run of two or more
/// spaces marks a line break.
pub fn relines(flat: &str) -> String {
    let mut out = String::with_capacity(flat.len());
    let mut spaces = 0usize;
    for c in flat.chars() {
        if c == ' ' {
            spaces += 1;
            continue;
        }
        match spaces {
            0 => {}
            1 => out.push(' '),
            _ => out.push('\n'),
        }
        spaces = 0;
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattened_bodies_get_their_lines_back() {
        let line = r#"{ "_id" : "87NEWDELHI100", "origin" : "Embassy New Delhi", "date_time" : "8/7/1987 12:11", "classification" : "UNCLASSIFIED", "body" : "UNCLAS NEW DELHI 19406  E.O. 12356: N/A TAGS: PTER, IN SUBJECT:  A TEST  REF: NEW DELHI 100  1.  SUMMARY: ONE TWO.  SMITH" }"#;
        let recs = records(&format!("{line}\n{line}\n"));
        assert_eq!(recs.len(), 2);
        let e = recs[0].as_ref().unwrap();
        assert_eq!(e.year, Some(1987));
        assert!(e.text.starts_with(
            "UNCLAS NEW DELHI 19406\nE.O. 12356: N/A TAGS: PTER, IN SUBJECT:\nA TEST\nREF:"
        ));
        let p = e.published.as_ref().unwrap();
        assert_eq!(p.id, None, "_id is the references column, not the cable id");
        assert_eq!(p.origin.as_deref(), Some("Embassy New Delhi"));
    }

    #[test]
    fn bad_lines_are_errors_not_panics() {
        let recs = records("{\"body\": \"x\"}\nnot json\n[1]\n");
        assert!(recs[0].is_ok());
        assert!(recs[1].is_err());
        assert!(recs[2].is_err());
    }

    #[test]
    fn arrays_work() {
        let recs = records("[{\"body\": \"UNCLAS STATE 000001\"}, {\"text\": \"b\"}]");
        assert_eq!(recs.len(), 2);
        assert!(recs.iter().all(Result::is_ok));
    }
}
