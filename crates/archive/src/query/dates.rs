//! Partial dates (`2008`, `2008-06`, `2008-06-05`) as half-open day ranges.
//!
//! Plain proleptic Gregorian arithmetic on `(year, month, day)`; no time zones (the index
//! stores creation times in UTC and the translator compares whole UTC days).

/// A calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Day {
    pub year: u32,
    pub month: u32,
    pub day: u32,
}

/// Smallest and largest year accepted in `created:` (the end of the last year must
/// still be a four-digit date).
const MIN_YEAR: u32 = 1000;
const MAX_YEAR: u32 = 9998;

impl Day {
    /// `YYYY-MM-DD`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// Parses a full `YYYY-MM-DD` date (used for canonical strings).
    pub fn parse_iso(s: &str) -> Option<Day> {
        match PartialDate::parse(s) {
            Ok(p) if p.precision == Precision::Day => Some(p.start),
            _ => None,
        }
    }

    fn next(self) -> Day {
        if self.day < days_in_month(self.year, self.month) {
            Day {
                day: self.day + 1,
                ..self
            }
        } else {
            self.first_of_next_month()
        }
    }

    fn first_of_next_month(self) -> Day {
        if self.month < 12 {
            Day {
                year: self.year,
                month: self.month + 1,
                day: 1,
            }
        } else {
            Day {
                year: self.year + 1,
                month: 1,
                day: 1,
            }
        }
    }
}

// `u32::is_multiple_of` is newer (1.87) than the workspace's rust-version (1.85).
#[allow(clippy::manual_is_multiple_of)]
fn is_leap(y: u32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// How much of a date was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Precision {
    Year,
    Month,
    Day,
}

/// A date written to year, month or day precision: the period `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PartialDate {
    pub start: Day,
    pub precision: Precision,
}

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; the error explains what is wrong.
    pub fn parse(s: &str) -> Result<PartialDate, String> {
        let bad = |why: &str| format!("bad date `{s}`: {why}");
        let parts: Vec<&str> = s.split('-').collect();
        let shape_ok = !parts.is_empty()
            && parts.len() <= 3
            && parts[0].len() == 4
            && parts[1..].iter().all(|p| p.len() == 2)
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
        if !shape_ok {
            return Err(bad("expected YYYY, YYYY-MM or YYYY-MM-DD"));
        }
        let num = |p: &str| p.parse::<u32>().unwrap_or(0);
        let year = num(parts[0]);
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(bad(&format!("the year must be {MIN_YEAR} to {MAX_YEAR}")));
        }
        let month = parts.get(1).map_or(1, |p| num(p));
        if !(1..=12).contains(&month) {
            return Err(bad("the month must be 01 to 12"));
        }
        let day = parts.get(2).map_or(1, |p| num(p));
        if day < 1 || day > days_in_month(year, month) {
            return Err(bad(&format!(
                "{year:04}-{month:02} has no day {}",
                parts[2]
            )));
        }
        let precision = match parts.len() {
            1 => Precision::Year,
            2 => Precision::Month,
            _ => Precision::Day,
        };
        Ok(PartialDate {
            start: Day { year, month, day },
            precision,
        })
    }

    /// First day after the period.
    pub fn end(self) -> Day {
        let s = self.start;
        match self.precision {
            Precision::Year => Day {
                year: s.year + 1,
                month: 1,
                day: 1,
            },
            Precision::Month => s.first_of_next_month(),
            Precision::Day => s.next(),
        }
    }
}

/// The shortest written form of the half-open range `[from, to)` when it is exactly one
/// year, month or day (`2008`, `2008-06`, `2008-06-05`).
pub(crate) fn compact(from: &str, to: &str) -> Option<String> {
    let (f, t) = (Day::parse_iso(from)?, Day::parse_iso(to)?);
    let candidates = [
        (Precision::Year, f.month == 1 && f.day == 1),
        (Precision::Month, f.day == 1),
        (Precision::Day, true),
    ];
    for (precision, aligned) in candidates {
        if aligned
            && (PartialDate {
                start: f,
                precision,
            })
            .end()
                == t
        {
            return Some(match precision {
                Precision::Year => format!("{:04}", f.year),
                Precision::Month => format!("{:04}-{:02}", f.year, f.month),
                Precision::Day => f.iso(),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(s: &str) -> (String, String) {
        let p = PartialDate::parse(s).unwrap();
        (p.start.iso(), p.end().iso())
    }

    #[test]
    fn periods() {
        assert_eq!(period("2008"), ("2008-01-01".into(), "2009-01-01".into()));
        assert_eq!(
            period("2008-06"),
            ("2008-06-01".into(), "2008-07-01".into())
        );
        assert_eq!(
            period("2008-12"),
            ("2008-12-01".into(), "2009-01-01".into())
        );
        assert_eq!(
            period("2008-06-30"),
            ("2008-06-30".into(), "2008-07-01".into())
        );
        assert_eq!(
            period("2008-02-29"),
            ("2008-02-29".into(), "2008-03-01".into())
        );
        assert_eq!(
            period("2010-12-31"),
            ("2010-12-31".into(), "2011-01-01".into())
        );
    }

    #[test]
    fn bad_dates() {
        for s in [
            "",
            "08",
            "2008-6",
            "2008-13",
            "2008-00",
            "2009-02-29",
            "1900-02-29",
            "2008-06-31",
            "2008-06-05-01",
            "20O8",
            "0999",
            "9999",
            "2008-06-5",
            "2008--06",
        ] {
            assert!(PartialDate::parse(s).is_err(), "{s}");
        }
        assert!(PartialDate::parse("2000-02-29").is_ok());
    }

    #[test]
    fn compact_forms() {
        assert_eq!(compact("2008-01-01", "2009-01-01").as_deref(), Some("2008"));
        assert_eq!(
            compact("2008-06-01", "2008-07-01").as_deref(),
            Some("2008-06")
        );
        assert_eq!(
            compact("2008-06-30", "2008-07-01").as_deref(),
            Some("2008-06-30")
        );
        assert_eq!(compact("2008-01-01", "2008-07-01"), None);
        assert_eq!(compact("2008-01-01", "2010-01-01"), None);
    }
}
