//! Reference ids: `YY` + station + serial, and their many written forms.

use std::fmt;
use std::sync::OnceLock;

use regex::Regex;

use crate::station::{canonical_station, squash};

/// A cable reference id, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CableId {
    /// Full year (1966–2010 for Cablegate).
    pub year: i32,
    /// Station code (`MOSCOW`, `STATE`, `USUNNEWYORK`).
    pub station: String,
    /// Serial without leading zeros.
    pub serial: u64,
    /// PlusD variant suffix (`b` in `1973STATE097844_b`).
    pub variant: Option<String>,
}

impl CableId {
    /// Builds an id from its parts; the station is canonicalised.
    pub fn new(year: i32, station: &str, serial: u64) -> Self {
        CableId { year, station: canonical_station(&squash(station)), serial, variant: None }
    }
}

impl fmt::Display for CableId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}{}{}", self.year.rem_euclid(100), self.station, self.serial)
    }
}

/// Expands a two-digit year: `yy < 50` is 20yy, else 19yy (Cablegate spans 1966–2010).
pub fn expand_year(yy: i32) -> i32 {
    match yy {
        0..=49 => 2000 + yy,
        50..=99 => 1900 + yy,
        _ => yy,
    }
}

fn id_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?x)^
            (?P<year>\d{4}|\d{2})?\s*
            (?P<station>[A-Z][A-Z\ .'\-]*?[A-Z])\s*-?\s*
            (?P<serial>[0-9O]*[0-9][0-9O]*)
            (?:_(?P<variant>[A-Z]))?$",
        )
        .expect("valid id regex")
    })
}

/// Parses a written reference id. `default_year` is used when the text has none.
///
/// Accepts `08MOSCOW1599`, `08 MOSCOW 01599`, `1973STATE097844_b`, `MOSCOW 1599`
/// (with a default year), the `EFTO` prefix some published ids carry, and `O` typed
/// for `0` in the serial.
pub fn parse_id(text: &str, default_year: Option<i32>) -> Option<CableId> {
    let upper = text.trim().to_ascii_uppercase();
    let caps = id_regex().captures(&upper)?;
    let year = match caps.name("year") {
        Some(y) => expand_year(y.as_str().parse().ok()?),
        None => default_year?,
    };
    let mut station = squash(caps.name("station")?.as_str());
    if let Some(rest) = station.strip_prefix("EFTO") {
        if !rest.is_empty() {
            station = rest.to_string();
        }
    }
    let serial_text = caps.name("serial")?.as_str().replace('O', "0");
    if serial_text.len() > 9 {
        return None;
    }
    let serial = serial_text.parse().ok()?;
    Some(CableId {
        year,
        station: canonical_station(&station),
        serial,
        variant: caps.name("variant").map(|v| v.as_str().to_ascii_lowercase()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> Option<String> {
        parse_id(s, None).map(|i| i.to_string())
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(canon("08MOSCOW1599").as_deref(), Some("08MOSCOW1599"));
        assert_eq!(canon("08 MOSCOW 01599").as_deref(), Some("08MOSCOW1599"));
        assert_eq!(canon("1973STATE097844_b").as_deref(), Some("73STATE97844"));
        assert_eq!(canon("06EFTOBAKU1165").as_deref(), Some("06BAKU1165"));
        assert_eq!(canon("09 secstate 100988").as_deref(), Some("09STATE100988"));
        assert_eq!(canon("MOSCOW 1599"), None);
        assert_eq!(parse_id("MOSCOW 1599", Some(2008)).unwrap().to_string(), "08MOSCOW1599");
        assert_eq!(canon("07BUENOS AIRES O1512").as_deref(), Some("07BUENOSAIRES1512"));
    }

    #[test]
    fn variant_is_split_off() {
        assert_eq!(parse_id("1974ATHENS02959_b", None).unwrap().variant.as_deref(), Some("b"));
    }

    #[test]
    fn years_pivot() {
        assert_eq!(expand_year(8), 2008);
        assert_eq!(expand_year(66), 1966);
        assert_eq!(expand_year(1973), 1973);
    }
}
