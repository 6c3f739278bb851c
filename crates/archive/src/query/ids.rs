//! Loose cable ids: `08MOSCOW1599`, `08 MOSCOW 1599`, `MOSCOW 1599`, `2008MOSCOW01599`.
//!
//! The query module depends on no other cablescope crate, so this is a small,
//! self-contained normalisation: upper-case, drop spaces and punctuation, split into an
//! optional year, a station and a serial without leading zeros. Station *aliases*
//! (`SECSTATE` for `STATE`, misspellings) are not resolved here: that table lives in the
//! format crate, and the translator applies it (see the translation plan in `mod.rs`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A cable id as a user wrote it in a query, normalised.
///
/// Invariants (guaranteed for patterns made by [`IdPattern::parse`]): `station` is
/// non-empty and holds only `A`–`Z`; `year`, when present, is a full year in
/// 1950–2049 (two-digit years expand as in the format crate: `yy < 50` is `20yy`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdPattern {
    /// Full year (`2008` for `08MOSCOW1599`), or `None` when the id was written without
    /// one (`MOSCOW 1599`), which matches that station and serial in any year.
    pub year: Option<i32>,
    /// Station, upper-case, spaces and punctuation removed (`BUENOSAIRES`).
    pub station: String,
    /// Serial without leading zeros.
    pub serial: u64,
}

/// Why a string is not (yet) a cable id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IdError {
    /// A prefix of an id: more words could complete it (`08`, `08 MOSCOW`, `MOSCOW`).
    Incomplete,
    /// Not an id and no continuation can make it one.
    Invalid(String),
}

impl IdPattern {
    /// Parses a loosely written id. Returns `None` when `s` is not an id.
    ///
    /// ```text
    /// 08MOSCOW1599  08 MOSCOW 1599  08-moscow-01599  2008MOSCOW1599  → year 2008
    /// MOSCOW 1599   Buenos Aires 1512                                → no year
    /// ```
    pub fn parse(s: &str) -> Option<IdPattern> {
        Self::parse_detailed(s).ok()
    }

    /// [`IdPattern::parse`] with the reason for a failure; `Incomplete` lets the parser
    /// take more words (`id:08 MOSCOW 1599`).
    pub(crate) fn parse_detailed(s: &str) -> Result<IdPattern, IdError> {
        let mut squashed = String::with_capacity(s.len());
        for c in s.chars() {
            if c.is_ascii_alphanumeric() {
                squashed.push(c.to_ascii_uppercase());
            } else if c.is_whitespace() || matches!(c, '.' | '\'' | '-' | '_' | '/') {
                // Separators people put inside ids.
            } else {
                return Err(IdError::Invalid(format!(
                    "`{c}` cannot appear in a cable id"
                )));
            }
        }
        let bytes = squashed.as_bytes();
        let year_len = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        let station_len = bytes[year_len..]
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        let serial = &squashed[year_len + station_len..];
        if squashed.is_empty() {
            return Err(IdError::Incomplete);
        }
        if station_len == 0 {
            // Only digits so far: a year waiting for its station.
            return if year_len <= 4 {
                Err(IdError::Incomplete)
            } else {
                Err(IdError::Invalid(
                    "a cable id starts with a year (2 or 4 digits) or a station".into(),
                ))
            };
        }
        if serial.is_empty() {
            return Err(IdError::Incomplete);
        }
        if !serial.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdError::Invalid(
                "the serial of a cable id is digits after the station".into(),
            ));
        }
        let year = match year_len {
            0 => None,
            2 => {
                let yy: i32 = squashed[..2].parse().unwrap_or(0);
                Some(if yy < 50 { 2000 + yy } else { 1900 + yy })
            }
            4 => {
                let y: i32 = squashed[..4].parse().unwrap_or(0);
                if !(1950..=2049).contains(&y) {
                    return Err(IdError::Invalid(format!("year {y} is outside 1950-2049")));
                }
                Some(y)
            }
            _ => {
                return Err(IdError::Invalid(
                    "the year of a cable id has 2 or 4 digits".into(),
                ))
            }
        };
        let trimmed = serial.trim_start_matches('0');
        let serial = if trimmed.is_empty() {
            0
        } else {
            trimmed
                .parse::<u64>()
                .map_err(|_| IdError::Invalid("the serial is too long".into()))?
        };
        Ok(IdPattern {
            year,
            station: squashed[year_len..year_len + station_len].to_string(),
            serial,
        })
    }

    /// The canonical id (`08MOSCOW1599`) when the year is known.
    pub fn canonical(&self) -> Option<String> {
        self.year
            .map(|y| format!("{:02}{}{}", y.rem_euclid(100), self.station, self.serial))
    }

    /// Station and serial without the year (`MOSCOW1599`), the `id_noyear` term.
    pub fn without_year(&self) -> String {
        format!("{}{}", self.station, self.serial)
    }
}

impl fmt::Display for IdPattern {
    /// `08MOSCOW1599`, or `MOSCOW1599` without a year; parses back to the same pattern.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.canonical() {
            Some(id) => f.write_str(&id),
            None => f.write_str(&self.without_year()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(year: Option<i32>, station: &str, serial: u64) -> IdPattern {
        IdPattern {
            year,
            station: station.into(),
            serial,
        }
    }

    #[test]
    fn loose_forms() {
        let want = id(Some(2008), "MOSCOW", 1599);
        for s in [
            "08MOSCOW1599",
            "08 MOSCOW 1599",
            "08moscow01599",
            "08-MOSCOW-1599",
            "2008MOSCOW1599",
            " 08  Moscow  0001599 ",
        ] {
            assert_eq!(IdPattern::parse(s), Some(want.clone()), "{s}");
        }
        assert_eq!(
            IdPattern::parse("MOSCOW 1599"),
            Some(id(None, "MOSCOW", 1599))
        );
        assert_eq!(
            IdPattern::parse("Buenos Aires 1512"),
            Some(id(None, "BUENOSAIRES", 1512))
        );
        assert_eq!(
            IdPattern::parse("73STATE0"),
            Some(id(Some(1973), "STATE", 0))
        );
    }

    #[test]
    fn incomplete_and_invalid() {
        for s in ["", "08", "2008", "08 MOSCOW", "MOSCOW"] {
            assert_eq!(
                IdPattern::parse_detailed(s),
                Err(IdError::Incomplete),
                "{s}"
            );
        }
        for s in [
            "123MOSCOW1",
            "08MOSCOW1599X",
            "08MOS1COW",
            "1234567",
            "08MOSCOW99999999999999999999999",
            "2077MOSCOW1",
            "08MOSCOW#1",
        ] {
            assert!(
                matches!(IdPattern::parse_detailed(s), Err(IdError::Invalid(_))),
                "{s}"
            );
        }
    }

    #[test]
    fn display() {
        assert_eq!(id(Some(2008), "MOSCOW", 1599).to_string(), "08MOSCOW1599");
        assert_eq!(id(Some(1973), "STATE", 7).to_string(), "73STATE7");
        assert_eq!(id(None, "MOSCOW", 1599).to_string(), "MOSCOW1599");
        assert_eq!(id(None, "MOSCOW", 1599).canonical(), None);
    }
}
