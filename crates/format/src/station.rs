//! Stations: the post codes used in reference ids, their routing indicators and the
//! spellings that name them.
//!
//! The tables under `data/` were derived by cablescope's developers from cable
//! headers (each cable's DE line and FM line name the same post) and from the shape
//! of published reference ids; see `data/*.tsv` for their columns. They are loaded
//! once, on first use.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const ROUTING_INDICATORS: &str = include_str!("../data/routing-indicators.tsv");
const STATIONS: &str = include_str!("../data/stations.tsv");
const PLAD_ALIASES: &str = include_str!("../data/plad-aliases.tsv");
/// Misspellings and abbreviations of station codes (`BRASILA`, `HCMC`, `SECTSTATE`)
/// and a few codes of older cables; see the file's header.
const STATION_FIXES: &str = include_str!("../data/station-fixes.tsv");

/// Spellings that differ from the id station, beyond what the data files hold. These
/// are the documented long forms (cable-format guide §2, "Map long forms").
const BUILTIN_ALIASES: &[(&str, &str)] = &[
    ("SECSTATE", "STATE"),
    ("SECSTATEWASHDC", "STATE"),
    ("SECSTATEWASHINGTONDC", "STATE"),
    ("DEPT", "STATE"),
    ("DEPARTMENT", "STATE"),
    ("STATEDEPT", "STATE"),
    ("UNVIE", "UNVIEVIENNA"),
    ("USMISSIONUNVIEVIENNA", "UNVIEVIENNA"),
    ("USUN", "USUNNEWYORK"),
    ("USUNNY", "USUNNEWYORK"),
    ("USMISSIONUSUNNEWYORK", "USUNNEWYORK"),
    ("USEU", "USEUBRUSSELS"),
    ("USMISSIONUSEUBRUSSELS", "USEUBRUSSELS"),
    ("USMISSIONUSNATO", "USNATO"),
    ("USNATOBRUSSELS", "USNATO"),
    ("AIT", "AITTAIPEI"),
    ("AMERICANINSTITUTETAIWANTAIPEI", "AITTAIPEI"),
    ("USOSCE", "USOSCE"),
];

struct Tables {
    by_ri: HashMap<String, (String, String)>,
    stations: HashSet<String>,
    aliases: HashMap<String, String>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut by_ri = HashMap::new();
        for cols in rows(ROUTING_INDICATORS) {
            if let [ri, station, plad, ..] = cols.as_slice() {
                by_ri.insert(ri.to_string(), (station.to_string(), plad.to_string()));
            }
        }
        let mut stations: HashSet<String> = rows(STATIONS)
            .filter_map(|c| c.first().map(|s| s.to_string()))
            .collect();
        let mut aliases = HashMap::new();
        for (from, to) in BUILTIN_ALIASES {
            aliases.insert(from.to_string(), to.to_string());
        }
        for cols in rows(PLAD_ALIASES) {
            if let [from, to, ..] = cols.as_slice() {
                aliases.insert(squash(from), to.to_string());
            }
        }
        // Applied last: a fix overrides a junk code that made it into the station
        // list (`AITTAIPIE`, `NDJAENA`).
        for cols in rows(STATION_FIXES) {
            if let [from, to, ..] = cols.as_slice() {
                let key = squash(from);
                if key != *to {
                    stations.remove(&key);
                }
                stations.insert(to.to_string());
                aliases.insert(key, to.to_string());
            }
        }
        for (station, _) in by_ri.values() {
            stations.insert(station.clone());
        }
        stations.extend(aliases.values().cloned());
        Tables {
            by_ri,
            stations,
            aliases,
        }
    })
}

fn rows(data: &str) -> impl Iterator<Item = Vec<&str>> {
    data.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::trim).collect())
}

/// Upper-cases and removes everything but letters and digits:
/// `Buenos Aires` → `BUENOSAIRES`, `PORT-AU-PRINCE` → `PORTAUPRINCE`.
pub fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Office prefixes of a plain-language address that do not belong to the station.
const OFFICE_PREFIXES: &[&str] = &[
    "AMEMBASSY ",
    "AMERICAN EMBASSY ",
    "AMCONSUL ",
    "AMCONSULATE ",
    "AMCONGEN ",
    "AMERICAN CONSULATE ",
    "USMISSION ",
    "US MISSION ",
    "USDEL ",
    "USOFFICE ",
    "USLO ",
    "USINT ",
    "EMBASSY ",
    "CONSULATE ",
];

/// The station code named by a plain-language address or a written station name:
/// `AMEMBASSY BUENOS AIRES` → `BUENOSAIRES`, `SECSTATE WASHDC` → `STATE`,
/// `USMISSION USUN NEW YORK` → `USUNNEWYORK`. Returns the squashed text when no
/// table knows it.
pub fn station_from_name(name: &str) -> String {
    let t = tables();
    let upper = name.trim().to_ascii_uppercase();
    let upper = upper.split("//").next().unwrap_or("").trim();
    let full = squash(upper);
    if let Some(s) = t.aliases.get(&full) {
        return s.clone();
    }
    let mut rest = upper;
    for _ in 0..2 {
        if let Some(p) = OFFICE_PREFIXES.iter().find(|p| rest.starts_with(*p)) {
            rest = rest[p.len()..].trim_start();
        }
    }
    let squashed = squash(rest);
    if let Some(s) = t.aliases.get(&squashed) {
        return s.clone();
    }
    // "USMISSION GENEVA" is GENEVA; "SECSTATE WASHDC" and "... WASHINGTON DC" are
    // the Department.
    if let Some(s) = squashed
        .strip_suffix("WASHDC")
        .or_else(|| squashed.strip_suffix("WASHINGTONDC"))
    {
        if s.is_empty() || s == "SECSTATE" || s == "STATE" || s == "DEPTOFSTATE" {
            return "STATE".to_string();
        }
    }
    squashed
}

/// Canonical station for a squashed id or REF spelling, applying aliases only.
pub fn canonical_station(squashed: &str) -> String {
    tables()
        .aliases
        .get(squashed)
        .cloned()
        .unwrap_or_else(|| squashed.to_string())
}

/// True when `station` is a station code known from ids, headers or aliases.
pub fn is_known_station(station: &str) -> bool {
    let t = tables();
    t.stations.contains(station) || t.aliases.contains_key(station)
}

/// The station and plain-language address a routing indicator stands for.
pub fn by_routing_indicator(ri: &str) -> Option<(&'static str, &'static str)> {
    tables()
        .by_ri
        .get(ri)
        .map(|(s, p)| (s.as_str(), p.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plad_to_station() {
        assert_eq!(station_from_name("AMEMBASSY BUENOS AIRES"), "BUENOSAIRES");
        assert_eq!(station_from_name("SECSTATE WASHDC"), "STATE");
        assert_eq!(
            station_from_name("AMCONSUL HO CHI MINH CITY"),
            "HOCHIMINHCITY"
        );
        assert_eq!(station_from_name("USMISSION USUN NEW YORK"), "USUNNEWYORK");
        assert_eq!(
            station_from_name("RUEKJCS/SECDEF WASHDC//USDP//"),
            "RUEKJCSSECDEFWASHDC"
        );
    }

    #[test]
    fn fixes_table_maps_misspellings() {
        assert_eq!(canonical_station("BRASILA"), "BRASILIA");
        assert_eq!(canonical_station("HCMC"), "HOCHIMINHCITY");
        assert_eq!(canonical_station("SECTSTATE"), "STATE");
        assert_eq!(canonical_station("AITTAIPIE"), "AITTAIPEI");
        assert_eq!(canonical_station("COTON0U"), "COTONOU");
        assert!(is_known_station("SECDEF"));
        assert!(is_known_station("USDAFAS"));
        assert!(!is_known_station("INCSRBRAZIL"));
    }

    #[test]
    fn distinct_posts_are_not_aliased() {
        for code in [
            "TAIPEI",
            "KIEV",
            "BRUSSELS",
            "VIENNA",
            "AITTAIPEI",
            "KYIV",
            "USEUBRUSSELS",
            "UNVIEVIENNA",
        ] {
            assert_eq!(canonical_station(code), code);
            assert!(is_known_station(code), "{code}");
        }
    }

    #[test]
    fn squash_removes_punctuation() {
        assert_eq!(squash("Port-au-Prince"), "PORTAUPRINCE");
        assert_eq!(squash("ST. PETERSBURG"), "STPETERSBURG");
    }
}
