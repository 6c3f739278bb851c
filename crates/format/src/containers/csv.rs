//! The `cables.csv` dump of September 2011: eight columns (row id, `M/D/YYYY H:MM`
//! UTC, reference id, origin label, classification, `|`-separated references,
//! header, body), quotes escaped as `\"` rather than doubled, raw newlines inside
//! fields. Read as a stream: a 1.7 GB dump passes through in bounded memory (one
//! record at a time).

use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

use super::{Extracted, Format};
use crate::decode::decode;
use crate::record::Published;

/// A row that could not be read as a cable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// The CSV syntax broke (an unterminated quote at the end of the file, I/O).
    #[error("row {row}: {message}")]
    Syntax {
        /// One-based row number.
        row: u64,
        /// What went wrong.
        message: String,
    },
    /// A row without the eight columns of the dump.
    #[error("row {row}: {found} columns, expected 8 (row id, date, id, origin, classification, references, header, body)")]
    Columns {
        /// One-based row number.
        row: u64,
        /// Columns found.
        found: usize,
    },
    /// A field that is not text (binary data, over-long lines).
    #[error("row {row}: {message}")]
    Field {
        /// One-based row number.
        row: u64,
        /// What went wrong.
        message: String,
    },
}

/// Streams the cables of a `cables.csv` dump.
pub struct CsvCables<R: Read> {
    reader: csv::Reader<RowBudget<R>>,
    record: csv::ByteRecord,
    row: u64,
    done: bool,
    /// Bytes read since the current row began (shared with [`RowBudget`]).
    used: Rc<Cell<u64>>,
    max_row: u64,
}

/// The reader under the CSV parser, counting the bytes of the row being read. The
/// `csv` crate buffers a whole record before it returns it, so one enormous row
/// (a 200 MB field) would otherwise be held in memory several times over before
/// any check could see it; this fails the read as soon as the row passes its budget.
/// Hand-written because the crate has no record-size limit of its own.
struct RowBudget<R> {
    inner: R,
    used: Rc<Cell<u64>>,
    max_row: u64,
}

/// The message of the I/O error [`RowBudget`] fails with.
const ROW_TOO_LONG: &str = "row too long";

impl<R: Read> Read for RowBudget<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.used.get() > self.max_row {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                ROW_TOO_LONG,
            ));
        }
        let n = self.inner.read(buf)?;
        self.used.set(self.used.get() + n as u64);
        Ok(n)
    }
}

impl<R: Read> CsvCables<R> {
    /// A reader over `input`, whose rows may each be at most
    /// [`MAX_INPUT_BYTES`](crate::decode::MAX_INPUT_BYTES) long.
    pub fn new(input: R) -> Self {
        Self::with_row_limit(input, crate::decode::MAX_INPUT_BYTES as u64)
    }

    /// A reader over `input` whose rows may each be at most `max_row` bytes: a
    /// longer row is reported as an error as soon as it passes the limit (memory
    /// stays bounded), and the rest of the input is not read.
    pub fn with_row_limit(input: R, max_row: u64) -> Self {
        let used = Rc::new(Cell::new(0));
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .escape(Some(b'\\'))
            .double_quote(false)
            .flexible(true)
            .from_reader(RowBudget {
                inner: input,
                used: used.clone(),
                max_row,
            });
        CsvCables {
            reader,
            record: csv::ByteRecord::new(),
            row: 0,
            done: false,
            used,
            max_row,
        }
    }
}

impl<R: Read> Iterator for CsvCables<R> {
    type Item = Result<Extracted, CsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        // The parser reads ahead by at most its buffer (8 KiB), so a row is
        // charged at most that much of the next one.
        self.used.set(0);
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                self.row += 1;
                Some(row_to_extracted(&self.record, self.row))
            }
            Err(e) => {
                self.row += 1;
                // An I/O error or broken syntax ends the stream: what follows cannot
                // be trusted to align with rows.
                self.done = matches!(e.kind(), csv::ErrorKind::Io(_)) || e.is_io_error();
                let too_long =
                    matches!(e.kind(), csv::ErrorKind::Io(io) if io.to_string() == ROW_TOO_LONG);
                let message = if too_long {
                    format!(
                        "longer than {} bytes: not read, and the rows after it neither (a row is one cable)",
                        self.max_row
                    )
                } else {
                    e.to_string()
                };
                Some(Err(CsvError::Syntax {
                    row: self.row,
                    message,
                }))
            }
        }
    }
}

fn field(record: &csv::ByteRecord, i: usize, row: u64) -> Result<String, CsvError> {
    let bytes = record.get(i).unwrap_or(b"");
    let text = decode(bytes).map_err(|e| CsvError::Field {
        row,
        message: e.to_string(),
    })?;
    // The dump escapes apostrophes too (`SHAH\'S`); the CSV layer only unescapes quotes.
    Ok(text.text.replace("\\'", "'"))
}

fn row_to_extracted(record: &csv::ByteRecord, row: u64) -> Result<Extracted, CsvError> {
    if record.len() < 8 {
        return Err(CsvError::Columns {
            row,
            found: record.len(),
        });
    }
    let date = field(record, 1, row)?;
    let header = field(record, 6, row)?;
    let body = field(record, 7, row)?;
    let published = Published {
        id: Some(field(record, 2, row)?).filter(|s| !s.is_empty()),
        created: Some(date.clone()).filter(|s| !s.is_empty()),
        released: None,
        classification: Some(field(record, 4, row)?).filter(|s| !s.is_empty()),
        origin: Some(field(record, 3, row)?).filter(|s| !s.is_empty()),
        tags: Vec::new(),
    };
    Ok(Extracted {
        text: format!("{header}\n\n{body}"),
        format: Format::CablesCsv,
        published: Some(published),
        year: us_date_year(&date),
        index: row as usize,
        notes: Vec::new(),
    })
}

/// The year of an `M/D/YYYY H:MM` date.
pub fn us_date_year(date: &str) -> Option<i32> {
    let d = date.split_whitespace().next()?;
    let y = d.rsplit('/').next()?;
    (y.len() == 4).then(|| y.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = concat!(
        "\"1\",\"12/28/1966 18:48\",\"66BUENOSAIRES2481\",\"Embassy Buenos Aires\",\"UNCLASSIFIED\",\"66STATE106206\",",
        "\"P R 281848Z DEC 66\nFM AMEMBASSY BUENOS AIRES\nTO SECSTATE WASHDC PRIORITY\",",
        "\"UNCLASSIFIED BUENOS AIRES 2481\n\n1. HE SAID \\\"NO\\\" TO THE SHAH\\'S PLAN.\n\nSMITH\n\"\n",
        "\"2\",\"2/25/1972 9:30\",\"72TEHRAN1164\",\"Embassy Tehran\",\"CONFIDENTIAL\",\"\",\"R 250930Z FEB 72\",\"C O N F I D E N T I A L TEHRAN 1164\n\"\n",
    );

    #[test]
    fn rows_stream_with_backslash_escapes() {
        let rows: Vec<_> = CsvCables::new(DUMP.as_bytes()).collect();
        assert_eq!(rows.len(), 2);
        let first = rows[0].as_ref().unwrap();
        assert!(first.text.contains("HE SAID \"NO\" TO THE SHAH'S PLAN."));
        assert!(first.text.starts_with("P R 281848Z DEC 66\nFM AMEMBASSY"));
        let p = first.published.as_ref().unwrap();
        assert_eq!(p.id.as_deref(), Some("66BUENOSAIRES2481"));
        assert_eq!(p.classification.as_deref(), Some("UNCLASSIFIED"));
        assert_eq!(first.year, Some(1966));
        assert_eq!(rows[1].as_ref().unwrap().index, 2);
    }

    #[test]
    fn short_rows_are_errors_and_reading_goes_on() {
        let dump = "\"1\",\"only\",\"three\"\n\"2\",\"2/25/1972 9:30\",\"72TEHRAN1164\",\"o\",\"c\",\"\",\"h\",\"b\"\n";
        let rows: Vec<_> = CsvCables::new(dump.as_bytes()).collect();
        assert!(matches!(
            rows[0],
            Err(CsvError::Columns { row: 1, found: 3 })
        ));
        assert!(rows[1].is_ok());
    }

    #[test]
    fn a_row_past_its_budget_is_an_error_in_bounded_memory() {
        let good = "\"1\",\"2/25/1972 9:30\",\"72TEHRAN1164\",\"o\",\"c\",\"\",\"h\",\"b\"\n";
        let long = format!(
            "\"2\",\"d\",\"i\",\"o\",\"c\",\"\",\"h\",\"{}\"\n",
            "x".repeat(50_000)
        );
        let dump = format!("{good}{long}{good}");
        let rows: Vec<_> = CsvCables::with_row_limit(dump.as_bytes(), 20_000).collect();
        assert!(rows[0].is_ok());
        match &rows[1] {
            Err(CsvError::Syntax { row: 2, message }) => {
                assert!(message.contains("longer than 20000 bytes"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(rows.len(), 2, "reading stops at the long row");
        // An endless field: without the budget this would grow without end.
        let endless = std::io::Read::chain(&b"\"1\",\""[..], std::io::repeat(b'a'));
        let rows: Vec<_> = CsvCables::with_row_limit(endless, 1 << 20).collect();
        assert_eq!(rows.len(), 1);
        assert!(rows[0].is_err());
        // The default budget is the input limit: a long but legal row passes.
        let ok = format!(
            "\"2\",\"d\",\"i\",\"o\",\"c\",\"\",\"h\",\"{}\"\n",
            "x".repeat(100_000)
        );
        assert!(CsvCables::new(ok.as_bytes()).all(|r| r.is_ok()));
    }
}
