//! Effective markings of a cable's portions, and readers' clearances (issue 7).
//!
//! A portion's effective marking is its own portion mark, else the cable's overall
//! level. LOU counts as SBU. A `/NF` mark carries NOFORN. Caveats written in the
//! captions or the classification string apply to the whole cable.

use std::collections::BTreeSet;

use cablescope_format::marking::Level;
use cablescope_format::Cable;

/// The dissemination caveats that restrict readers, as stored in the `caveat` field.
pub const CAVEATS: &[&str] = &[
    "NOFORN",
    "EXDIS",
    "NODIS",
    "NODIF",
    "LIMDIS",
    "STADIS",
    "CHEROKEE",
    "ROGER",
    "EYES_ONLY",
];

/// The five level codes used in field names and `marking` values, lowest first.
pub const LEVELS: &[&str] = &["U", "SBU", "C", "S", "TS"];

/// A portion's effective marking: a level rank (0 = U … 4 = TS) and NOFORN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortionMark {
    /// Level rank: 0 U, 1 SBU/LOU, 2 C, 3 S, 4 TS.
    pub rank: u8,
    /// True when the portion is marked `/NF`.
    pub noforn: bool,
}

impl PortionMark {
    /// The code stored in the `marking` field: `C`, `S/NF`, ...
    pub fn code(self) -> String {
        let l = LEVELS[self.rank as usize];
        if self.noforn {
            format!("{l}/NF")
        } else {
            l.to_string()
        }
    }

    /// The text field that holds portions with this marking (`text_c`, `text_s_nf`).
    pub fn text_field(self) -> String {
        let l = LEVELS[self.rank as usize].to_ascii_lowercase();
        if self.noforn {
            format!("text_{l}_nf")
        } else {
            format!("text_{l}")
        }
    }

    /// Parses a normalised mark (`C`, `S/NF`, `LOU`, `SBU/NF`, `SECRET`).
    pub fn parse(s: &str) -> Option<PortionMark> {
        let up = s.trim().to_ascii_uppercase();
        let (lvl, nf) = match up.split_once('/') {
            Some((l, rest)) => (l.to_string(), {
                let r = rest.trim_start_matches('/');
                matches!(r, "NF" | "NOFORN" | "N")
            }),
            None => (up.clone(), false),
        };
        let level = Level::parse(&lvl)?;
        Some(PortionMark {
            rank: level.rank(),
            noforn: nf,
        })
    }
}

/// The level of a classification string (`SECRET//NOFORN` → S,
/// `UNCLASSIFIED//FOR OFFICIAL USE ONLY` → SBU).
pub fn classification_level(class: &str) -> Option<Level> {
    let up = class.to_ascii_uppercase();
    let mut parts = up.split("//");
    let first = parts.next()?.trim();
    let level = Level::parse(first)?;
    if level == Level::U && parts.any(|p| p.contains("OFFICIAL USE") || p.trim() == "SBU") {
        return Some(Level::Sbu);
    }
    Some(level)
}

/// The cable's overall level: from its classification; when that is missing, the
/// highest portion mark, else U.
pub fn cable_level(c: &Cable) -> Level {
    if let Some(l) = c.classification.as_deref().and_then(classification_level) {
        return l;
    }
    c.paragraphs
        .iter()
        .filter_map(|p| p.marking.as_deref().and_then(PortionMark::parse))
        .map(|m| m.rank)
        .max()
        .map(|r| match r {
            0 => Level::U,
            1 => Level::Sbu,
            2 => Level::C,
            3 => Level::S,
            _ => Level::Ts,
        })
        .unwrap_or(Level::U)
}

/// The cable-wide caveats (from the captions and the classification string).
pub fn cable_caveats(c: &Cable) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut words: Vec<String> = c.captions.iter().map(|s| s.to_ascii_uppercase()).collect();
    if let Some(class) = &c.classification {
        words.extend(
            class
                .to_ascii_uppercase()
                .split("//")
                .skip(1)
                .map(str::to_string),
        );
    }
    for w in words {
        let w = w.trim().replace(' ', "_");
        if let Some(cv) = CAVEATS
            .iter()
            .find(|cv| w == **cv || w.starts_with(&format!("{cv}_")))
        {
            out.insert((*cv).to_string());
        }
    }
    out
}

/// The effective marking of a portion written with `mark` in cable `c`.
pub fn effective(mark: Option<&str>, c: &Cable) -> PortionMark {
    mark.and_then(PortionMark::parse).unwrap_or(PortionMark {
        rank: cable_level(c).rank(),
        noforn: false,
    })
}

/// What a reader may read: a level and the caveats they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clearance {
    /// Level rank: 0 U, 1 SBU/LOU, 2 C, 3 S, 4 TS.
    pub rank: u8,
    /// Caveats held (values of [`CAVEATS`]).
    pub caveats: BTreeSet<String>,
}

impl Clearance {
    /// Everything: TS with every caveat (an archive without users).
    pub fn all() -> Clearance {
        Clearance {
            rank: 4,
            caveats: CAVEATS.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// A level (`U`, `SBU`, `LOU`, `C`, `S`, `TS`, or full names) and caveats.
    pub fn new(level: &str, caveats: &[&str]) -> Option<Clearance> {
        let level = Level::parse(level)?;
        Some(Clearance {
            rank: level.rank(),
            caveats: caveats
                .iter()
                .map(|c| c.trim().to_ascii_uppercase().replace(' ', "_"))
                .collect(),
        })
    }

    /// True when this reader may read a portion with marking `m` (cable-wide caveats
    /// are checked separately, with [`Clearance::lacks`]).
    pub fn may_read(&self, m: PortionMark) -> bool {
        m.rank <= self.rank && (!m.noforn || self.caveats.contains("NOFORN"))
    }

    /// The markings (as stored in `marking`) this reader may read.
    pub fn readable_markings(&self) -> Vec<PortionMark> {
        let mut out = Vec::new();
        for rank in 0..=4u8 {
            for noforn in [false, true] {
                let m = PortionMark { rank, noforn };
                if self.may_read(m) {
                    out.push(m);
                }
            }
        }
        out
    }

    /// The text fields this reader may search.
    pub fn text_fields(&self) -> Vec<String> {
        self.readable_markings()
            .into_iter()
            .map(PortionMark::text_field)
            .collect()
    }

    /// The caveats this reader does not hold (a cable carrying one is invisible).
    pub fn lacks(&self) -> Vec<&'static str> {
        CAVEATS
            .iter()
            .copied()
            .filter(|c| !self.caveats.contains(*c))
            .collect()
    }
}

/// Every text field, in [`LEVELS`] order, each level followed by its NOFORN twin.
pub fn all_text_fields() -> Vec<String> {
    Clearance::all().text_fields()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_and_fields() {
        let m = PortionMark::parse("S/NF").unwrap();
        assert_eq!(m.code(), "S/NF");
        assert_eq!(m.text_field(), "text_s_nf");
        assert_eq!(PortionMark::parse("LOU").unwrap().code(), "SBU");
        assert_eq!(
            classification_level("UNCLASSIFIED//FOR OFFICIAL USE ONLY"),
            Some(Level::Sbu)
        );
        assert_eq!(classification_level("SECRET//NOFORN"), Some(Level::S));
        let c = Clearance::new("c", &[]).unwrap();
        assert_eq!(c.text_fields(), ["text_u", "text_sbu", "text_c"]);
        assert_eq!(all_text_fields().len(), 10);
    }

    #[test]
    fn caveats_from_captions_and_class() {
        let c = Cable {
            classification: Some("SECRET//NOFORN".into()),
            captions: vec!["SIPDIS".into(), "EXDIS".into()],
            ..Cable::default()
        };
        let cv: Vec<String> = cable_caveats(&c).into_iter().collect();
        assert_eq!(cv, ["EXDIS", "NOFORN"]);
    }
}
