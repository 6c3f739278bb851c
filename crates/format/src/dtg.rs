//! Date-time groups (`051119Z JUN 08`) and the DE line's Julian day and time.

use jiff::civil::{Date, DateTime};

use crate::id::expand_year;

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// Month number (1–12) of a three-letter month abbreviation.
pub fn month_number(abbr: &str) -> Option<i8> {
    let up = abbr.to_ascii_uppercase();
    MONTHS.iter().position(|m| *m == up).map(|i| i as i8 + 1)
}

/// A date-time group resolved to a civil UTC time.
pub fn dtg_datetime(day: i8, hour: i8, minute: i8, month: i8, year: i32) -> Option<DateTime> {
    if !(0..=23).contains(&hour) || !(0..=59).contains(&minute) {
        return None;
    }
    let date = Date::new(i16::try_from(year).ok()?, month, day).ok()?;
    Some(date.at(hour, minute, 0, 0))
}

/// The civil time named by a DE line's Julian day (1–366) and HHMM in `year`.
pub fn julian_datetime(year: i32, day_of_year: i16, hour: i8, minute: i8) -> Option<DateTime> {
    if !(0..=23).contains(&hour) || !(0..=59).contains(&minute) {
        return None;
    }
    let jan1 = Date::new(i16::try_from(year).ok()?, 1, 1).ok()?;
    let date = jan1.with().day_of_year(day_of_year).build().ok()?;
    Some(date.at(hour, minute, 0, 0))
}

/// Formats a civil UTC time as `2008-06-05T11:19:00Z`.
pub fn iso(dt: DateTime) -> String {
    format!("{}Z", dt.strftime("%Y-%m-%dT%H:%M:%S"))
}

/// Year of a DTG's written year (`08`, `2008`).
pub fn dtg_year(written: &str) -> Option<i32> {
    let n: i32 = written.parse().ok()?;
    Some(if written.len() <= 2 {
        expand_year(n)
    } else {
        n
    })
}

/// Minutes from `a` to `b` (positive when `b` is later).
pub fn minutes_between(a: DateTime, b: DateTime) -> i64 {
    a.duration_until(b).as_secs() / 60
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn julian_day_157_of_2008_is_june_5() {
        let dt = julian_datetime(2008, 157, 11, 19).unwrap();
        assert_eq!(iso(dt), "2008-06-05T11:19:00Z");
    }

    #[test]
    fn dtg_resolves() {
        let dt = dtg_datetime(5, 11, 19, month_number("jun").unwrap(), 2008).unwrap();
        assert_eq!(iso(dt), "2008-06-05T11:19:00Z");
        assert!(dtg_datetime(31, 11, 19, 2, 2008).is_none());
        assert!(dtg_datetime(5, 25, 0, 2, 2008).is_none());
    }

    #[test]
    fn minutes() {
        let a = dtg_datetime(5, 11, 19, 6, 2008).unwrap();
        let b = dtg_datetime(6, 11, 19, 6, 2008).unwrap();
        assert_eq!(minutes_between(a, b), 1440);
    }
}
