//! The REF block: bulleted items, each a cable id or a typed non-cable reference.

use std::sync::OnceLock;

use regex::Regex;

use super::text::squeeze;
use crate::id::{expand_year, CableId};
use crate::record::{Reference, ReferenceKind};
use crate::station::{canonical_station, is_known_station, squash};

fn cable_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?x)
            (?:\b(?P<y1>(?:19|20)\d{2}|\d{2})\s*-?\s+|\((?P<y0>\d{2})\)\s*)?
            (?P<station>[A-Za-z][A-Za-z\ .'\-]*?[A-Za-z])\.?\s*-?\s*
            (?P<serial>[0-9O]*[0-9][0-9O]*)\b
            (?:\s*\(\s*(?P<y2>(?:19|20)\d{2}|\d{2})\s*\)|\s*[-/](?P<y3>\d{2})\b(?:[^/]|$))?",
        )
        .expect("valid reference regex")
    })
}

fn more_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^\s*(?:,|AND|and|&)\s*(?:,\s*)?(?P<serial>[0-9O]*[0-9][0-9O]*)\b(?:\s*\(\s*(?P<y>\d{2}|\d{4})\s*\))?")
            .expect("valid regex")
    })
}

fn bullet_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?x)(?:^|[\s;,])
            (?:REF\s+)?
            (?:\((?P<a>[A-Za-z])\)|\[(?P<b>[A-Za-z])\]|(?P<c>[A-Za-z])[.):])
            (?:\s*(?:\([A-Za-z]\)|[A-Za-z][.)]))?
            (?:\s|$)",
        )
        .expect("valid bullet regex")
    })
}

/// Context for reading references: the citing cable.
#[derive(Debug, Clone, Default)]
pub struct Citing {
    /// The citing cable's id, if known.
    pub id: Option<CableId>,
    /// The citing cable's year, if known.
    pub year: Option<i32>,
}

/// Reads the text of a REF block (without the `REF:` keyword).
pub fn parse(text: &str, citing: &Citing) -> Vec<Reference> {
    let flat = squeeze(text);
    if flat.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<Reference> = Vec::new();
    for (label, item) in split_items(&flat) {
        let item = item.trim().trim_end_matches([';', ',']).trim();
        if item.is_empty() {
            continue;
        }
        let up = item.to_ascii_uppercase();
        if matches!(up.trim_end_matches('.'), "N/A" | "NA" | "NONE" | "NO") {
            continue;
        }
        let ids = cable_ids(item, citing);
        if ids.is_empty() {
            out.push(Reference {
                label: label.clone(),
                kind: non_cable_kind(&up),
                id: None,
                text: item.to_string(),
                year_inferred: false,
            });
            continue;
        }
        for (id, inferred) in ids {
            let canonical = id.to_string();
            if citing.id.as_ref().is_some_and(|c| c.to_string() == canonical) {
                continue;
            }
            if out.iter().any(|r| r.id.as_deref() == Some(canonical.as_str())) {
                continue;
            }
            out.push(Reference {
                label: label.clone(),
                kind: ReferenceKind::Cable,
                id: Some(canonical),
                text: item.to_string(),
                year_inferred: inferred,
            });
        }
    }
    out
}

/// Splits a REF block into (bullet, text) items. Bullets must run A, B, C ... so
/// that initials and abbreviations inside items are not taken for bullets.
fn split_items(text: &str) -> Vec<(Option<String>, String)> {
    let mut cuts: Vec<(usize, usize, String)> = Vec::new();
    let mut expected = b'A';
    for c in bullet_re().captures_iter(text) {
        let letter = c.name("a").or(c.name("b")).or(c.name("c")).map(|m| m.as_str()).unwrap_or("");
        let Some(&b) = letter.as_bytes().first() else { continue };
        let up = b.to_ascii_uppercase();
        if up != expected {
            continue;
        }
        let m = c.get(0).expect("whole match");
        cuts.push((m.start(), m.end(), letter.to_ascii_uppercase()));
        expected = expected.saturating_add(1);
    }
    if cuts.is_empty() {
        return text.split(';').map(|s| (None, s.to_string())).collect();
    }
    let mut items = Vec::new();
    if cuts[0].0 > 0 && !text[..cuts[0].0].trim().is_empty() {
        items.push((None, text[..cuts[0].0].to_string()));
    }
    for (i, (_, end, label)) in cuts.iter().enumerate() {
        let stop = cuts.get(i + 1).map(|c| c.0).unwrap_or(text.len());
        items.push((Some(label.clone()), text[*end..stop].to_string()));
    }
    items
}

/// Cable ids in one item, with whether each one's year was inferred.
fn cable_ids(item: &str, citing: &Citing) -> Vec<(CableId, bool)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < item.len() {
        let Some(c) = cable_re().captures_at(item, pos) else { break };
        let whole = c.get(0).expect("whole match");
        pos = whole.end().max(pos + 1);
        let words: Vec<&str> = c["station"].split_whitespace().collect();
        let Some((station, skipped)) = known_station_suffix(&words) else { continue };
        // A year written before the station only counts when it sits right before
        // the station words we kept.
        let y_before = if skipped == 0 { c.name("y1").or(c.name("y0")) } else { None };
        let written = y_before.or(c.name("y2")).or(c.name("y3"));
        let serial_text = c["serial"].replace('O', "0");
        if serial_text.len() > 7 {
            continue;
        }
        let Ok(serial) = serial_text.parse::<u64>() else { continue };
        if serial == 0 {
            continue;
        }
        let (year, inferred) = match written.and_then(|y| y.as_str().parse::<i32>().ok()) {
            Some(y) => (expand_year(y), false),
            None => match infer_year(&station, serial, citing) {
                Some(y) => (y, true),
                None => continue,
            },
        };
        out.push((CableId { year, station: station.clone(), serial, variant: None }, inferred));
        // Continuations: "BRASILIA 2799 AND 2764".
        let mut tail = whole.end();
        while let Some(m) = more_re().captures(&item[tail..]) {
            let s = m["serial"].replace('O', "0");
            let Ok(serial) = s.parse::<u64>() else { break };
            let (year, inferred) = match m.name("y").and_then(|y| y.as_str().parse::<i32>().ok()) {
                Some(y) => (expand_year(y), false),
                None => (year, inferred),
            };
            out.push((CableId { year, station: station.clone(), serial, variant: None }, inferred));
            tail += m.get(0).expect("whole").end();
        }
        pos = pos.max(tail);
    }
    out
}

fn known_station_suffix(words: &[&str]) -> Option<(String, usize)> {
    let n = words.len();
    for k in (1..=n.min(5)).rev() {
        let cand = canonical_station(&squash(&words[n - k..].join(" ")));
        if cand.len() >= 3 && is_known_station(&cand) && !NOT_STATIONS.contains(&cand.as_str()) {
            return Some((cand, n - k));
        }
    }
    None
}

/// Words that are station codes in the id list but mean something else in a REF
/// item ("PARA 5", "PAGE 2").
const NOT_STATIONS: &[&str] = &["PARA", "PAGE", "NO", "NUMBER", "ITEM", "SECTION", "ANNEX"];

fn infer_year(station: &str, serial: u64, citing: &Citing) -> Option<i32> {
    let year = citing.year.or(citing.id.as_ref().map(|i| i.year))?;
    if let Some(c) = &citing.id {
        // Serials restart each January: a citation of the post's own serial at or
        // above the citing cable's must be from the year before.
        if c.station == station && serial >= c.serial {
            return Some(year - 1);
        }
    }
    Some(year)
}

fn non_cable_kind(up: &str) -> ReferenceKind {
    let has = |w: &str| up.split(|c: char| !c.is_ascii_alphanumeric() && c != '-').any(|t| t == w);
    if up.contains("E-MAIL") || up.contains("EMAIL") || has("MAIL") {
        ReferenceKind::Email
    } else if has("TELCON") || has("TELECON") || has("TELCONS") || up.contains("TELEPHONE") || up.contains("PHONE CALL") {
        ReferenceKind::Tel
    } else if has("IIR") || up.contains("REPORT") || up.starts_with("TD-") || has("TD") {
        ReferenceKind::Report
    } else if up.contains("AIRGRAM") || has("A-") || up.contains("MESSAGE") {
        ReferenceKind::Telegram
    } else if has("MEMCON") || has("MEMO") || up.contains("MEMORANDUM") || has("LETTER") || has("FAX") || up.contains("NOTE") {
        ReferenceKind::Memo
    } else {
        ReferenceKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str, citing: &str) -> Vec<String> {
        let id = crate::id::parse_id(citing, None);
        let c = Citing { year: id.as_ref().map(|i| i.year), id };
        parse(text, &c).into_iter().filter_map(|r| r.id).collect()
    }

    #[test]
    fn bullets_and_years() {
        assert_eq!(ids("A. 06 MOSCOW 546 B. STATE 1234", "07MOSCOW100"), vec!["06MOSCOW546", "07STATE1234"]);
        assert_eq!(ids("Moscow 1430", "08MOSCOW1599"), vec!["08MOSCOW1430"]);
        assert_eq!(ids("KABUL 3650", "10KABUL45"), vec!["09KABUL3650"]);
        assert_eq!(ids("A) BRASILIA 2799 AND 2764", "08BRASILIA100"), vec!["07BRASILIA2799", "07BRASILIA2764"]);
        assert_eq!(ids("STATE 106206 CIRCULAR; STATE CA-3400 NOV 2, 1966", "66BUENOSAIRES2481"), vec!["66STATE106206"]);
        assert_eq!(ids("(A) STATE 1234 (2007)", "08PARIS1"), vec!["07STATE1234"]);
        assert_eq!(ids("A. A) 05 MEXICO 7612 B. B) MEXICO 251", "06MEXICO456"), vec!["05MEXICO7612", "06MEXICO251"]);
    }

    #[test]
    fn non_cable_items_keep_their_text() {
        let refs = parse("A. EMBASSY MADRID E-MAIL TO EUR/WE OF OCTOBER 14 B. 5 FAM 900", &Citing::default());
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].kind, ReferenceKind::Email);
        assert_eq!(refs[0].label.as_deref(), Some("A"));
        assert_eq!(refs[1].kind, ReferenceKind::Other);
    }

    #[test]
    fn self_reference_is_dropped() {
        assert!(ids("BERN 113", "07BERN113").is_empty());
    }
}
