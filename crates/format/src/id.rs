//! Reference ids: `YY` + station + serial, and their many written forms.

use std::fmt;
use std::sync::OnceLock;

use regex::Regex;

use crate::station::{canonical_station, is_known_station, squash};

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
        CableId {
            year,
            station: canonical_station(&squash(station)),
            serial,
            variant: None,
        }
    }
}

impl fmt::Display for CableId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}{}{}",
            self.year.rem_euclid(100),
            self.station,
            self.serial
        )
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
        // The station is matched lazily so that a glued serial keeps its leading
        // zeros (`CAIRO0561`); an `O` typed for a leading zero is a serial only
        // after a space (`BUENOS AIRES O1512`).
        Regex::new(
            r"(?x)^
            (?P<station>[A-Z](?:[A-Z\ .'\-]*?[A-Z])?)
            (?:\s*-?\s*(?P<serial>[0-9][0-9O]*)|\s+-?\s*(?P<oserial>O[0-9O]*[0-9][0-9O]*))$",
        )
        .expect("valid id regex")
    })
}

/// Debris glued after the serial: `TOSEC140323` (a Secretary's travel series),
/// `ZDK164`/`ZFR2585` (operating signals; the first serial is the real one), and
/// `SUSPECTEDDUPLICATE1392` (the serial after the marker is the real one).
fn suffix_debris_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?x)^(?:
              (?P<a>.*?[0-9])\s*(?:TOSEC|SECTO)\s*[0-9]+
             |(?P<b>.*?[0-9])Z[A-Z]{2}[0-9]+
             |(?P<c>.*?)[0-9]+\s*SUSPECTEDDUPLICATE\s*(?P<cs>[0-9]+)
            )$",
        )
        .expect("valid debris regex")
    })
}

/// Section-line debris glued between the year and the station:
/// `SECTION01OF03`, and its damaged spellings (`SECTIO03OF03`, `SCTION02OF02`,
/// `SECTIOQ1OF06`, `SECTION01GF02`, `SECTION0QF05`, `SECTION01O02`, `01OF02`).
fn section_debris_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^(?P<word>[A-Z]*)[0-9OQ]{1,2}[A-Z]{0,2}[0-9]{1,2}(?P<rest>[A-Z].*)$")
            .expect("valid section regex")
    })
}

/// Caveats and captions that published ids sometimes carry glued before the station
/// (`06EFTOBAKU1165`, `85NOFORNMOGADISHU1643`). Stripped only when what remains is a
/// known station.
const CAVEAT_PREFIXES: &[&str] = &[
    "EFTO",
    "NOFORN",
    "SIPDIS",
    "SENSITIVE",
    "LIMDIS",
    "EXDIS",
    "NODIS",
];

/// Canonical station of a squashed station written in an id or a REF line.
///
/// `USMISSION`, `AMEMBASSY` and `EMBASSY` are removed wherever they stand (as the
/// peer library does); a caveat prefix, or the tail of a glued `CLASSIFIED`
/// (`SIFIEDABUJA`), is removed when the rest is a known station; then the alias and
/// misspelling tables apply.
pub fn fix_station(squashed: &str) -> String {
    let s = squashed
        .replace("USMISSION", "")
        .replace("AMEMBASSY", "")
        .replace("EMBASSY", "");
    let s = if s.is_empty() {
        squashed.to_string()
    } else {
        s
    };
    let direct = canonical_station(&s);
    if is_known_station(&direct) {
        return direct;
    }
    for p in CAVEAT_PREFIXES {
        if let Some(rest) = s.strip_prefix(p) {
            let c = canonical_station(rest);
            if !rest.is_empty() && is_known_station(&c) {
                return c;
            }
        }
    }
    const CLASSIFIED: &str = "UNCLASSIFIED";
    for k in 4..=CLASSIFIED.len() {
        if let Some(rest) = s.strip_prefix(&CLASSIFIED[CLASSIFIED.len() - k..]) {
            let c = canonical_station(rest);
            if !rest.is_empty() && is_known_station(&c) {
                return c;
            }
        }
    }
    direct
}

/// True when `word` looks like a damaged `SECTION` (at most two edits away).
fn is_section_like(word: &str) -> bool {
    word.is_empty() || (word.len() >= 4 && edit_distance(word, "SECTION") <= 2)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Parses a written reference id. `default_year` is used when the text has none.
///
/// Accepts `08MOSCOW1599`, `08 MOSCOW 01599`, `1973STATE097844_b`, `MOSCOW 1599`
/// (with a default year), and `O` typed for `0` in the serial. Damaged published
/// ids are repaired by general rules, so that a damaged id and its correct twin
/// give the same canonical id:
/// - caveat prefixes (`06EFTOBAKU1165`, `85NOFORNMOGADISHU1643`) and office words
///   (`09AMEMBASSYHANOI1284`) before the station;
/// - glued section debris (`08SCTION02OF02SAOPAULO335`, `0901OF02...`);
/// - a doubled year (`7575LIBREVILLE1895`);
/// - suffix debris (`90STATE255577TOSEC140323`, `07OSLO000160ZDK164`,
///   `08ACCRA001382SUSPECTEDDUPLICATE1392`);
/// - misspelt stations, through the station fixes table (`09BRASILA12`).
pub fn parse_id(text: &str, default_year: Option<i32>) -> Option<CableId> {
    let mut upper = text.trim().to_ascii_uppercase();
    let mut variant = None;
    if let Some(i) = upper.rfind('_') {
        let v = &upper[i + 1..];
        if v.len() == 1 && v.as_bytes()[0].is_ascii_alphabetic() {
            variant = Some(v.to_ascii_lowercase());
            upper.truncate(i);
        }
    }
    if let Some(c) = suffix_debris_re().captures(&upper) {
        upper = match (c.name("a").or(c.name("b")), c.name("c"), c.name("cs")) {
            (Some(keep), _, _) => keep.as_str().to_string(),
            (None, Some(head), Some(serial)) => format!("{}{}", head.as_str(), serial.as_str()),
            _ => upper.clone(),
        };
    }
    let digits = upper.bytes().take_while(u8::is_ascii_digit).count();
    let (year, rest) = match digits {
        0 => (default_year?, upper.as_str()),
        4.. if upper.starts_with("19") || upper.starts_with("20") => {
            (upper[..4].parse().ok()?, &upper[4..])
        }
        4.. if upper[..2] == upper[2..4] => (expand_year(upper[..2].parse().ok()?), &upper[4..]),
        2.. => (expand_year(upper[..2].parse().ok()?), &upper[2..]),
        _ => return None,
    };
    let mut rest = rest.trim_start().to_string();
    if let Some(c) = section_debris_re().captures(&rest) {
        if is_section_like(&c["word"]) {
            rest = c["rest"].to_string();
        }
    }
    let caps = id_regex().captures(&rest)?;
    let station = fix_station(&squash(caps.name("station")?.as_str()));
    let serial_text = caps
        .name("serial")
        .or(caps.name("oserial"))?
        .as_str()
        .replace('O', "0");
    if serial_text.len() > 9 {
        return None;
    }
    let serial = serial_text.parse().ok()?;
    Some(CableId {
        year,
        station,
        serial,
        variant,
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
        assert_eq!(
            canon("09 secstate 100988").as_deref(),
            Some("09STATE100988")
        );
        assert_eq!(canon("MOSCOW 1599"), None);
        assert_eq!(
            parse_id("MOSCOW 1599", Some(2008)).unwrap().to_string(),
            "08MOSCOW1599"
        );
        assert_eq!(
            canon("07BUENOS AIRES O1512").as_deref(),
            Some("07BUENOSAIRES1512")
        );
    }

    #[test]
    fn station_fixes_apply() {
        assert_eq!(canon("04RIO77").as_deref(), Some("04RIODEJANEIRO77"));
        assert_eq!(
            canon("07PORT-AU-PRINCE31").as_deref(),
            Some("07PORTAUPRINCE31")
        );
        assert_eq!(canon("03SECTSTATE55").as_deref(), Some("03STATE55"));
        assert_eq!(canon("09USUNNEYORK81").as_deref(), Some("09USUNNEWYORK81"));
        assert_eq!(canon("05EMBASSYLIMA9").as_deref(), Some("05LIMA9"));
        assert_eq!(canon("06SECDEF42").as_deref(), Some("06SECDEF42"));
        // Distinct posts stay distinct.
        assert_eq!(canon("07TAIPEI88").as_deref(), Some("07TAIPEI88"));
        assert_eq!(canon("07BRUSSELS88").as_deref(), Some("07BRUSSELS88"));
        assert_eq!(canon("07VIENNA88").as_deref(), Some("07VIENNA88"));
    }

    #[test]
    fn damaged_ids_meet_their_twins() {
        let same = |bad: &str, good: &str| {
            assert_eq!(canon(bad), canon(good), "{bad} vs {good}");
            assert!(canon(good).is_some(), "{good}");
        };
        same("08SECTIO02OF03LIMA714", "08LIMA714");
        same("07SCTION01OF02ROME77", "07ROME77");
        same("09SQCTION03OF04OSLO12", "09OSLO12");
        same("09SECTIOQ1OF02HARARE5", "09HARARE5");
        same("08SECTION02GF03DAKAR61", "08DAKAR61");
        same("06SECTION01O02ACCRA3", "06ACCRA3");
        same("09ECTION01OF02QUITO44", "09QUITO44");
        same("06EFTOLIMA101", "06LIMA101");
        same("84NOFORNDAKAR202", "84DAKAR202");
        same("09AMEMBASSYLIMA17", "09LIMA17");
        same("8484DAKAR303", "84DAKAR303");
        same("91STATE12345TOSEC100200", "91STATE12345");
        same("05OSLO000321ZDK322", "05OSLO321");
        same("04MADRID001200ZFR1201", "04MADRID1200");
        same("07LIMA000555SUSPECTEDDUPLICATE556", "07LIMA556");
        same("08SIFIEDLIMA66", "08LIMA66");
        same("07BRASILA66", "07BRASILIA66");
        same("08AITTAIPIE9", "08AITTAIPEI9");
    }

    #[test]
    fn glued_zero_serial_is_not_eaten() {
        assert_eq!(canon("09LIMA0561").as_deref(), Some("09LIMA561"));
        assert_eq!(canon("09CAIRO0561").as_deref(), Some("09CAIRO561"));
    }

    #[test]
    fn variant_is_split_off() {
        assert_eq!(
            parse_id("1974ATHENS02959_b", None)
                .unwrap()
                .variant
                .as_deref(),
            Some("b")
        );
    }

    #[test]
    fn years_pivot() {
        assert_eq!(expand_year(8), 2008);
        assert_eq!(expand_year(66), 1966);
        assert_eq!(expand_year(1973), 1973);
    }
}
