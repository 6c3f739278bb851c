//! Declassification under E.O. 13526: when a cable releases to everyone, and the
//! archive's policy that decides whether releases are honoured.
//!
//! # The rule
//!
//! Every cable has a **scheduled release date** ([`schedule`]), computed from the
//! record alone:
//!
//! * the date of its DECL line (`E.O. 12958: DECL: 06/05/2018` → 2018-06-05) when
//!   that is a date on or after the cable's creation (a DECL date before the cable was
//!   written is a damaged reading — the parser flags it `declassify_before_created` —
//!   and is not trusted);
//! * otherwise (event-based lines, `OADR`, `1.6X1`, `25X1-HUMAN`, no DECL line) the
//!   automatic declassification of §3.3(a): "on December 31 of the year that is 25
//!   years from the date of origin" — a cable created 2008-06-05 releases on
//!   2033-12-31;
//! * no release date at all when neither is known (no DECL date and no creation
//!   date).
//!
//! Under the 25-year rule, an exemption code written on the DECL line (`25X1` …
//! `25X9`, `50X1`, `50X2`, as in `DECL: 25X1-HUMAN`) exempts the cable when the
//! policy lists that code ([`DeclassPolicy::exempt`], every code by default;
//! `cablescope declass policy on --exempt 25X1,25X6` narrows it). A DECL date wins
//! over codes: the date is the classifier's own instruction.
//!
//! A cable is **released** at a date `as_of` when the policy is on, it has a release
//! date on or before `as_of`, and it is not exempt. A released cable reads as
//! UNCLASSIFIED in full: every portion, every header field, and its caveats (NODIS,
//! NOFORN, ...) are lifted too.
//!
//! # Where it is evaluated
//!
//! The index stores the scheduled date (`release`, a date fast field) and the
//! exemption codes of 25-year-rule cables (`decl_code`), both independent of the
//! policy; the policy flag, the exemption list and `as_of` are applied at query time
//! (`release <= as_of AND NOT decl_code IN exempt`). Switching the policy or changing
//! the exemption list therefore needs no reindexing.

use std::collections::BTreeSet;

use cablescope_format::Cable;
/// The date type of `as_of`, release dates and [`parse_date`] (jiff's civil date).
pub use jiff::civil::Date;

use crate::error::{Error, Result};

/// Key of the policy in the store's `meta` table (JSON of [`DeclassPolicy`]).
pub const POLICY_KEY: &str = "declass_policy";

/// The exemption codes recognised on a DECL line, in order.
pub const EXEMPTION_CODES: &[&str] = &[
    "25X1", "25X2", "25X3", "25X4", "25X5", "25X6", "25X7", "25X8", "25X9", "50X1", "50X2",
];

/// Whether the archive honours declassification dates, and which exemption codes
/// keep a cable classified past 25 years.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeclassPolicy {
    /// True when release dates are honoured (off by default: an archive shows what
    /// was published, with the markings it was published with).
    pub enabled: bool,
    /// Exemption codes (values of [`EXEMPTION_CODES`]) that exempt a cable from the
    /// 25-year rule.
    pub exempt: BTreeSet<String>,
}

impl Default for DeclassPolicy {
    fn default() -> Self {
        DeclassPolicy {
            enabled: false,
            exempt: EXEMPTION_CODES.iter().map(|s| s.to_string()).collect(),
        }
    }
}

impl DeclassPolicy {
    /// Parses a comma-separated exemption list (`25X1,25x6`, `none` or an empty
    /// string for no exemptions). An unknown code is an error naming it.
    pub fn parse_exempt(list: &str) -> Result<BTreeSet<String>> {
        let mut out = BTreeSet::new();
        let t = list.trim();
        if t.is_empty() || t.eq_ignore_ascii_case("none") {
            return Ok(out);
        }
        for part in t.split(',') {
            let code = part.trim().to_ascii_uppercase();
            if !EXEMPTION_CODES.contains(&code.as_str()) {
                return Err(Error::Other(format!(
                    "unknown exemption code {:?} (known: {})",
                    part.trim(),
                    EXEMPTION_CODES.join(", ")
                )));
            }
            out.insert(code);
        }
        Ok(out)
    }

    /// True when `codes` (from [`Schedule::codes`]) hold a code this policy exempts.
    pub fn exempts(&self, codes: &[String]) -> bool {
        codes.iter().any(|c| self.exempt.contains(c))
    }
}

/// Which rule gave a release date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseRule {
    /// The DECL line's date.
    DeclDate,
    /// December 31 of the 25th year after creation (E.O. 13526 §3.3).
    TwentyFiveYears,
}

/// A cable's scheduled release, independent of any policy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Schedule {
    /// The release date.
    #[serde(serialize_with = "ser_date")]
    pub date: Date,
    /// Which rule gave it.
    pub rule: ReleaseRule,
    /// Exemption codes on the DECL line (only under the 25-year rule; a DECL date
    /// wins over codes).
    pub codes: Vec<String>,
}

/// Writes a date as `YYYY-MM-DD`.
pub fn ser_date<S: serde::Serializer>(d: &Date, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(d)
}

/// The exemption codes written in an E.O. line (`25X1-HUMAN` → `25X1`), in order,
/// without duplicates.
pub fn exemption_codes(eo: &str) -> Vec<String> {
    let up = eo.to_ascii_uppercase();
    let b = up.as_bytes();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i + 4 <= b.len() {
        let starts_word = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        let ends_code = i + 4 == b.len() || !b[i + 4].is_ascii_digit();
        if starts_word && ends_code {
            let code = &up[i..i + 4];
            if EXEMPTION_CODES.contains(&code) && !out.iter().any(|c| c == code) {
                out.push(code.to_string());
            }
        }
        i += 1;
    }
    out
}

/// The date part (`YYYY-MM-DD`) of an ISO 8601 time or date.
fn date_of(s: &str) -> Option<Date> {
    s.get(..10)?.parse().ok()
}

/// The cable's scheduled release (see the module documentation), `None` when no date
/// can be given.
pub fn schedule(c: &Cable) -> Option<Schedule> {
    let created = c.created.as_deref().and_then(date_of);
    let decl = c.declassify_on.as_deref().and_then(date_of);
    if let Some(d) = decl {
        if created.is_none_or(|cr| d >= cr) {
            return Some(Schedule {
                date: d,
                rule: ReleaseRule::DeclDate,
                codes: Vec::new(),
            });
        }
    }
    let created = created?;
    let date = Date::new(created.year().checked_add(25)?, 12, 31).ok()?;
    Some(Schedule {
        date,
        rule: ReleaseRule::TwentyFiveYears,
        codes: c.eo.as_deref().map(exemption_codes).unwrap_or_default(),
    })
}

/// The date `c` releases under `policy`, ignoring whether the policy is on: `None`
/// when it has no date or an exemption code keeps it classified.
pub fn release_date(c: &Cable, policy: &DeclassPolicy) -> Option<Date> {
    let s = schedule(c)?;
    (!policy.exempts(&s.codes)).then_some(s.date)
}

/// True when `c` is released at `as_of` under `policy` (the policy must be on).
pub fn is_released(c: &Cable, policy: &DeclassPolicy, as_of: Date) -> bool {
    policy.enabled && release_date(c, policy).is_some_and(|d| d <= as_of)
}

/// Today's date in UTC (the default `as_of`).
pub fn today() -> Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// Parses an `--as-of` / `--before` date: `YYYY-MM-DD`, `YYYY-MM` (its first day),
/// `YYYY` (January 1), or `today`.
pub fn parse_date(s: &str) -> Result<Date> {
    let t = s.trim();
    let bad = || {
        Error::Other(format!(
            "not a date: {s:?} (write YYYY-MM-DD, YYYY-MM, YYYY or today)"
        ))
    };
    if t.eq_ignore_ascii_case("today") || t.eq_ignore_ascii_case("now") {
        return Ok(today());
    }
    let parts: Vec<&str> = t.split('-').collect();
    let num = |p: &str| -> Option<i64> {
        (!p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let (y, m, d) = match parts.as_slice() {
        [y] if y.len() == 4 => (num(y), Some(1), Some(1)),
        [y, m] if y.len() == 4 => (num(y), num(m), Some(1)),
        [y, m, d] if y.len() == 4 => (num(y), num(m), num(d)),
        _ => return Err(bad()),
    };
    let (Some(y), Some(m), Some(d)) = (y, m, d) else {
        return Err(bad());
    };
    Date::new(
        i16::try_from(y).map_err(|_| bad())?,
        i8::try_from(m).map_err(|_| bad())?,
        i8::try_from(d).map_err(|_| bad())?,
    )
    .map_err(|_| bad())
}

/// Seconds since the epoch of midnight UTC starting `d` (how dates are indexed).
pub fn date_secs(d: Date) -> i64 {
    d.to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp().as_second())
        .unwrap_or(i64::MAX)
}

/// The date of an indexed `release` value (seconds since the epoch).
pub fn secs_date(secs: i64) -> Option<Date> {
    jiff::Timestamp::from_second(secs)
        .ok()
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cable(created: &str, eo: &str, decl: Option<&str>) -> Cable {
        Cable {
            created: Some(created.into()),
            eo: Some(eo.into()),
            declassify_on: decl.map(str::to_string),
            ..Cable::default()
        }
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn decl_date_wins() {
        let c = cable(
            "2008-06-05T11:19:00Z",
            "E.O. 12958: DECL: 06/05/2018",
            Some("2018-06-05"),
        );
        let s = schedule(&c).unwrap();
        assert_eq!(s.date, d("2018-06-05"));
        assert_eq!(s.rule, ReleaseRule::DeclDate);
        let on = DeclassPolicy {
            enabled: true,
            ..DeclassPolicy::default()
        };
        assert!(is_released(&c, &on, d("2018-06-05")));
        assert!(!is_released(&c, &on, d("2018-06-04")));
        assert!(!is_released(&c, &DeclassPolicy::default(), d("2030-01-01")));
    }

    #[test]
    fn twenty_five_years_and_exemptions() {
        let c = cable("2008-06-05T11:19:00Z", "E.O. 12958: DECL: 1.6X1", None);
        let s = schedule(&c).unwrap();
        assert_eq!(s.date, d("2033-12-31"));
        assert_eq!(s.rule, ReleaseRule::TwentyFiveYears);
        let x = cable("1985-02-01T00:00:00Z", "E.O. 12356: DECL: 25X1-HUMAN", None);
        assert_eq!(exemption_codes(x.eo.as_deref().unwrap()), ["25X1"]);
        let all = DeclassPolicy {
            enabled: true,
            ..DeclassPolicy::default()
        };
        assert_eq!(release_date(&x, &all), None);
        let only6 = DeclassPolicy {
            enabled: true,
            exempt: DeclassPolicy::parse_exempt("25x6").unwrap(),
        };
        assert_eq!(release_date(&x, &only6), Some(d("2010-12-31")));
        assert!(is_released(&x, &only6, d("2011-01-01")));
    }

    #[test]
    fn damaged_decl_dates_are_not_trusted() {
        let c = cable(
            "2008-06-05T11:19:00Z",
            "E.O. 12958: DECL: 06/05/1998",
            Some("1998-06-05"),
        );
        assert_eq!(schedule(&c).unwrap().date, d("2033-12-31"));
        assert!(schedule(&Cable::default()).is_none());
    }

    #[test]
    fn codes_need_word_boundaries() {
        assert_eq!(
            exemption_codes("DECL: 25X1, 25X6-WMD 125X3 25X12"),
            ["25X1", "25X6"]
        );
        assert!(DeclassPolicy::parse_exempt("25X1,26X1").is_err());
        assert!(DeclassPolicy::parse_exempt("none").unwrap().is_empty());
    }

    #[test]
    fn dates_parse_loosely_but_strictly() {
        assert_eq!(parse_date("2018-06-05").unwrap(), d("2018-06-05"));
        assert_eq!(parse_date("2018-06").unwrap(), d("2018-06-01"));
        assert_eq!(parse_date("2018").unwrap(), d("2018-01-01"));
        for bad in [
            "18-06-05",
            "2018-13-01",
            "2018-02-30",
            "x",
            "",
            "2018-06-05T00",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
        assert_eq!(secs_date(date_secs(d("2033-12-31"))), Some(d("2033-12-31")));
    }
}
