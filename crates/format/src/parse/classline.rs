//! The classification line: `C O N F I D E N T I A L SECTION 01 OF 02 PARIS 000997`.

use std::sync::OnceLock;

use regex::Regex;

use super::text::despace;
use crate::marking::Level;

/// What a classification line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassLine {
    /// The level.
    pub level: Level,
    /// `UNCLAS EFTO`.
    pub efto: bool,
    /// NOFORN written on the line itself (`SECRET//NOFORN`, `S E C R E T NOFORN`).
    pub noforn: bool,
    /// Section n of m.
    pub section: Option<(u32, u32)>,
    /// Station as written (`ABU DHABI`).
    pub station: Option<String>,
    /// Serial as written.
    pub serial: Option<String>,
    /// True when the serial looks cut: fewer than the six digits the line pads it
    /// to, and zero-padded or glued to the next word (`00167SIPDIS`).
    pub serial_cut: bool,
    /// Words after the serial (captions glued onto the line).
    pub rest: String,
}

fn class_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?x)^\s*
            (?P<level>UNCLASSIFIED|UNCLAS|LIMITED\ ?OFFICIAL\ ?USE|CONFIDENTIAL|TOP\ ?SECRET|SECRET)
            (?P<tail>(?:\s*//?\s*[A-Z]+)*)
            (?:\s+(?P<efto>E\ ?F\ ?T\ ?O))?
            (?:\s+(?i:SECTION|SECTON|SECT)\s*(?P<sn>\d{1,2})\s+(?i:OF)\s+(?P<sof>\d{1,2}))?
            (?:\s+(?P<station>[A-Z][A-Z\ .'\-]*?[A-Z])\s*(?P<serial>[0-9O]*[0-9][0-9O]*)(?P<glued>[A-Z][^\s]*)?)?
            (?P<rest>(?:\s.*)?)$",
        )
        .expect("valid class-line regex")
    })
}

/// Words that may follow the level on a classification line without making it
/// prose (`SECRET - RELEASABLE TO ...` is foreign-origin text, not a line).
const LINE_WORDS: &[&str] = &[
    "SIPDIS",
    "NOFORN",
    "SENSITIVE",
    "EXDIS",
    "NODIS",
    "LIMDIS",
    "STADIS",
    "CHEROKEE",
    "ROGER",
    "NOFORN.",
    "SECTION",
    "EFTO",
    "FOUO",
];

/// Cheap test run before the regex: the line starts with a level word or with a
/// letter-spaced run.
fn could_be_class_line(t: &str) -> bool {
    let b = t.as_bytes();
    if b.len() >= 6
        && b[0].is_ascii_alphabetic()
        && b[1] == b' '
        && b[2].is_ascii_alphabetic()
        && b[3] == b' '
    {
        return true;
    }
    // "SS E C R E T": a doubled first letter before the letter-spacing.
    if b.len() >= 6 && b[0] == b[1] && b[2] == b' ' && b[4] == b' ' {
        return true;
    }
    let first = t.split([' ', '/']).next().unwrap_or("");
    matches!(
        first,
        "UNCLAS" | "UNCLASSIFIED" | "CONFIDENTIAL" | "SECRET" | "TOP" | "TOPSECRET" | "LIMITED"
    ) || first.starts_with("UNCLAS")
        || first.starts_with("CONFIDENTIAL")
        || first.starts_with("SECRET")
}

/// [`read`] for a line that may run on: collapsed copies put the whole preamble on
/// the classification line (`S E C R E T KYIV 002414 SIPDIS DEPT FOR ... TAGS:
/// ...`), past the length [`read`] accepts. The line's start is read; `rest` is
/// everything after the serial.
pub fn read_long(line: &str) -> Option<ClassLine> {
    let trimmed = line.trim();
    if trimmed.len() <= 200 {
        return read(line);
    }
    let mut c = read(super::text::prefix(trimmed, 200))?;
    let serial = c.serial.clone()?;
    c.station.as_ref()?;
    let at = trimmed.find(&serial)? + serial.len();
    c.rest = trimmed[at..].trim().to_string();
    Some(c)
}

/// Reads a classification line, if `line` is one.
pub fn read(line: &str) -> Option<ClassLine> {
    // Export debris before or after the line: `","S E C R E T THE HAGUE 000328`
    // (a CSV row's cell boundary), a stray quote.
    let trimmed = line
        .trim()
        .trim_start_matches(['"', ',', '\''])
        .trim_end_matches(['"', ','])
        .trim();
    if trimmed.is_empty() || trimmed.len() > 200 || !could_be_class_line(trimmed) {
        return None;
    }
    // Letter-spaced levels are upper case by definition; mixed-case "Secret" at the
    // start of a sentence is prose.
    let first = trimmed.split_whitespace().next().unwrap_or("");
    let b = trimmed.as_bytes();
    // Newspaper copies write "S e c r e t state 068250": letter-spacing makes it a
    // classification line whatever the case.
    let letter_spaced = b.len() > 8 && b[1] == b' ' && b[3] == b' ' && first.len() == 1;
    let upper;
    let trimmed = if letter_spaced {
        upper = trimmed.to_ascii_uppercase();
        upper.as_str()
    } else if first.chars().any(|c| c.is_ascii_lowercase()) {
        return None;
    } else {
        trimmed
    };
    let mut d = despace(trimmed);
    // A doubled first letter of a letter-spaced level ("SS E C R E T") comes out as
    // "SS ECRET": repair it.
    // The typos are spelled out (first letter doubled, then a space) rather than
    // built with `format!` on every call: this runs for every candidate line.
    for (level, typo) in [
        ("SECRET", "SS ECRET"),
        ("CONFIDENTIAL", "CC ONFIDENTIAL"),
        ("UNCLASSIFIED", "UU NCLASSIFIED"),
        ("UNCLAS", "UU NCLAS"),
    ] {
        if d.starts_with(typo) && d[typo.len()..].starts_with([' ', '/']) {
            d = format!("{level}{}", &d[typo.len()..]);
            break;
        }
    }
    let c = class_re().captures(&d)?;
    let level_text = c.name("level")?.as_str();
    // Whole-token check: "SECRETARY" and "CONFIDENTIALLY" are not levels.
    let after = &d[c.name("level")?.end()..];
    if after.starts_with(|ch: char| ch.is_ascii_alphanumeric()) {
        return None;
    }
    let level = match level_text.replace(' ', "").as_str() {
        "UNCLASSIFIED" | "UNCLAS" => Level::U,
        "LIMITEDOFFICIALUSE" => Level::Lou,
        "CONFIDENTIAL" => Level::C,
        "TOPSECRET" => Level::Ts,
        "SECRET" => Level::S,
        _ => return None,
    };
    let tail = c.name("tail").map(|m| m.as_str()).unwrap_or("");
    let mut rest = c
        .name("rest")
        .map(|m| m.as_str().trim())
        .unwrap_or("")
        .to_string();
    // What the serial is glued to: a field or office (`000549E.O. 12958`,
    // `008305S/CT`) or a caption (`SIPDIS`) stays in the line's tail; letters
    // that are neither (`00040QSITIVE`, a garbled caption) are debris.
    if let Some(g) = c.name("glued") {
        let g = g.as_str();
        let known = ["SIPDIS", "NOFORN", "SENSITIVE", "EXDIS", "NODIS", "LIMDIS"]
            .iter()
            .any(|k| g.starts_with(k));
        if known || g.contains(['/', '.', ':']) {
            rest = format!("{g} {rest}").trim().to_string();
        }
    }
    let mut station = c.name("station").map(|m| m.as_str().trim().to_string());
    let mut serial = c.name("serial").map(|m| m.as_str().to_string());
    // A receiving station's banner (`CONFIDENTIAL     PTQ1859`): a short code glued
    // to a number after a wide gap names no post; the line is a bare level.
    // A line cut inside its section field (`C O N F I D E N T I A L SECTION 01`,
    // `OF 02 JEDDAH 000084` on the next line) names no station.
    if station.as_deref().is_some_and(|s| s.starts_with("SECT")) {
        station = None;
        serial = None;
        rest = String::new();
    }
    if let (Some(st), Some(se)) = (c.name("station"), c.name("serial")) {
        let glued_code = st.end() == se.start() && st.as_str().len() <= 4;
        let wide_gap = line.contains("   ");
        let code = crate::station::canonical_station(&crate::station::squash(st.as_str()));
        if glued_code && (wide_gap || !crate::station::is_known_station(&code)) {
            station = None;
            serial = None;
            rest = String::new();
        }
    }
    let glued = c.name("glued").is_some_and(|m| !m.as_str().is_empty());
    let serial_cut = serial
        .as_deref()
        .is_some_and(|s| s.len() < 6 && (glued || s.starts_with('0')));
    // A line whose remainder is prose is not a classification line: accept it when
    // it has a station and serial, or when what follows is known caption words.
    if station.is_none() && !rest.is_empty() {
        let ok = rest
            .split(|ch: char| ch.is_whitespace() || ch == '/')
            .filter(|w| !w.is_empty())
            .all(|w| LINE_WORDS.contains(&w));
        if !ok {
            return None;
        }
    }
    if let Some(s) = &station {
        // "SECRET - RELEASABLE TO ..." and "CONFIDENTIAL PAGE 02 ..." are not station lines.
        if s.starts_with("PAGE") || s.starts_with("RELEASABLE") || s.split_whitespace().count() > 5
        {
            return None;
        }
    }
    let noforn = tail.contains("NOFORN")
        || tail.contains("NF")
        || rest
            .split_whitespace()
            .any(|w| w.trim_matches(['/', '.']) == "NOFORN");
    let section = match (c.name("sn"), c.name("sof")) {
        (Some(n), Some(m)) => Some((n.as_str().parse().ok()?, m.as_str().parse().ok()?)),
        _ => None,
    };
    Some(ClassLine {
        level,
        efto: c.name("efto").is_some() || tail.contains("EFTO"),
        noforn,
        section,
        station,
        serial,
        serial_cut,
        rest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letter_spaced_with_section() {
        let c = read("C O N F I D E N T I A L SECTION 01 OF 02 PARIS 000997 ").unwrap();
        assert_eq!(c.level, Level::C);
        assert_eq!(c.section, Some((1, 2)));
        assert_eq!(c.station.as_deref(), Some("PARIS"));
        assert_eq!(c.serial.as_deref(), Some("000997"));
    }

    #[test]
    fn unclas_and_spaces_in_station() {
        let c = read("UNCLAS ABU DHABI 002641").unwrap();
        assert_eq!(c.level, Level::U);
        assert_eq!(c.station.as_deref(), Some("ABU DHABI"));
        let c = read("UNCLAS EFTO SECTION 02 OF 04 USUN NEW YORK 000512").unwrap();
        assert!(c.efto);
        assert_eq!(c.station.as_deref(), Some("USUN NEW YORK"));
    }

    #[test]
    fn mixed_case_letter_spacing() {
        let c = read("S e c r e t state 068250").unwrap();
        assert_eq!(c.level, Level::S);
        assert_eq!(c.station.as_deref(), Some("STATE"));
        let c = read("CONFIDENTIAL SECTION 01 of 03 KUWAIT 000128").unwrap();
        assert_eq!(c.section, Some((1, 3)));
        assert_eq!(c.station.as_deref(), Some("KUWAIT"));
    }

    #[test]
    fn doubled_first_letter() {
        let c = read("SS E C R E T PESHAWAR 000041").unwrap();
        assert_eq!(c.level, Level::S);
        assert_eq!(c.serial.as_deref(), Some("000041"));
    }

    #[test]
    fn csv_and_quote_debris_around_the_line() {
        let c = read("\",\"S E C R E T THE HAGUE 000328").unwrap();
        assert_eq!(c.station.as_deref(), Some("THE HAGUE"));
        assert_eq!(c.serial.as_deref(), Some("000328"));
        let c = read("\"UNCLAS STATE 000012\"").unwrap();
        assert_eq!(c.serial.as_deref(), Some("000012"));
    }

    #[test]
    fn a_collapsed_preamble_on_the_classification_line() {
        let line = format!(
            "S E C R E T KYIV 002414 SIPDIS DEPT FOR EUR/UMB E.O. 12958: DECL: 12/10/2018 TAGS: PREL UP SUBJECT: {}",
            "A LONG SUBJECT ".repeat(12)
        );
        assert!(read(&line).is_none());
        let c = read_long(&line).unwrap();
        assert_eq!(c.station.as_deref(), Some("KYIV"));
        assert!(c.rest.starts_with("SIPDIS DEPT FOR EUR/UMB E.O."));
        assert!(c.rest.ends_with("A LONG SUBJECT"));
        // Long prose is no classification line.
        assert!(read_long(&format!("SECRET talks {}", "went on ".repeat(40))).is_none());
    }

    #[test]
    fn a_line_cut_in_its_section_field_names_no_station() {
        let c = read("C O N F I D E N T I A L SECTION 01").unwrap();
        assert_eq!(c.level, Level::C);
        assert_eq!((c.station, c.serial), (None, None));
    }

    #[test]
    fn a_receiving_station_banner_names_no_post() {
        let c = read("CONFIDENTIAL     PTQ1859").unwrap();
        assert_eq!(c.level, Level::C);
        assert_eq!((c.station, c.serial), (None, None));
        // A real line keeps its station, glued serial or not.
        let c = read("CONFIDENTIAL PARIS 001859").unwrap();
        assert_eq!(c.station.as_deref(), Some("PARIS"));
    }

    #[test]
    fn a_serial_glued_to_the_next_token() {
        let c = read("C O N F I D E N T I A L STATE 008305S/CT").unwrap();
        assert_eq!(c.serial.as_deref(), Some("008305"));
        assert_eq!(c.rest, "S/CT");
        let c = read("UNCLAS CAIRO 000549E.O. 12958: N/A").unwrap();
        assert_eq!(c.serial.as_deref(), Some("000549"));
        assert!(c.rest.starts_with("E.O. 12958"));
        let c = read("S E C R E T CAIRO 003126SIPDISSIPDIS").unwrap();
        assert_eq!(c.serial.as_deref(), Some("003126"));
        assert!(c.rest.starts_with("SIPDIS"));
    }

    #[test]
    fn garbled_serial() {
        let c = read("UNCLAS REYKJAVIK 00040QSITIVE").unwrap();
        assert_eq!(c.serial.as_deref(), Some("00040"));
    }

    #[test]
    fn not_classification_lines() {
        assert!(read("SECRETARY RICE MET WITH").is_none());
        assert!(read("Secret talks began").is_none());
        assert!(read("SECRET - RELEASABLE TO THE UNITED STATES OF AMERICA").is_none());
        assert!(read("CONFIDENTIALLY, HE SAID").is_none());
        assert!(read("Secret of the matter").is_none());
    }

    #[test]
    fn bare_levels_and_captions() {
        assert_eq!(read("CONFIDENTIAL").unwrap().level, Level::C);
        assert!(read("SECRET//NOFORN").unwrap().noforn);
        assert!(read("S E C R E T NOFORN").unwrap().noforn);
        assert_eq!(
            read("LIMITED OFFICIAL USE ATHENS 2959").unwrap().level,
            Level::Lou
        );
    }
}
