//! Classification levels and portion marks.

use std::fmt;

/// A classification level, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Unclassified.
    U,
    /// Sensitive But Unclassified (the SENSITIVE caption; FOUO in Cablegate).
    Sbu,
    /// Limited Official Use (until 1995; ranks with SBU).
    Lou,
    /// Confidential.
    C,
    /// Secret.
    S,
    /// Top Secret.
    Ts,
}

impl Level {
    /// Short code as used in portion marks: U, SBU, LOU, C, S, TS.
    pub fn code(self) -> &'static str {
        match self {
            Level::U => "U",
            Level::Sbu => "SBU",
            Level::Lou => "LOU",
            Level::C => "C",
            Level::S => "S",
            Level::Ts => "TS",
        }
    }

    /// Rank for comparisons where SBU and LOU count as the same level.
    pub fn rank(self) -> u8 {
        match self {
            Level::U => 0,
            Level::Sbu | Level::Lou => 1,
            Level::C => 2,
            Level::S => 3,
            Level::Ts => 4,
        }
    }

    /// Parses a level code or name (`C`, `CONFIDENTIAL`, `sbu`, `Top Secret`).
    pub fn parse(s: &str) -> Option<Level> {
        let up = s.trim().to_ascii_uppercase();
        Some(match up.as_str() {
            "U" | "UNCLAS" | "UNCLASSIFIED" => Level::U,
            "SBU" | "SENSITIVE" | "FOUO" => Level::Sbu,
            "LOU" | "LIMITED OFFICIAL USE" => Level::Lou,
            "C" | "CONFIDENTIAL" => Level::C,
            "S" | "SECRET" => Level::S,
            "TS" | "TOP SECRET" => Level::Ts,
            _ => return None,
        })
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A normalised portion mark: a level and whether it carries NOFORN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Marking {
    /// The level.
    pub level: Level,
    /// True for NOFORN (`/NF`).
    pub noforn: bool,
}

impl fmt::Display for Marking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.level.code())?;
        if self.noforn {
            f.write_str("/NF")?;
        }
        Ok(())
    }
}

/// What the text inside a portion mark's parentheses turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkReading {
    /// A recognised mark.
    Known(Marking),
    /// Looks like a mark (starts with a level) but has an unrecognised form.
    Unknown,
    /// Not a portion mark at all (ordinary parenthesised text).
    NotAMark,
}

/// Reads the text between a portion mark's parentheses:
/// `S//NF`, `S/NOFORN`, `SNF` → S/NF; `SBU/N` → SBU/NF; `U//FOUO` → SBU.
pub fn read_mark(inner: &str) -> MarkReading {
    let up: String = inner.trim().to_ascii_uppercase();
    if up.is_empty() || up.len() > 24 {
        return MarkReading::NotAMark;
    }
    let compact: String = up.chars().filter(|c| !c.is_whitespace()).collect();
    // Glued forms first.
    let glued = match compact.as_str() {
        "SNF" => Some((Level::S, true)),
        "CNF" => Some((Level::C, true)),
        "TSNF" => Some((Level::Ts, true)),
        "SBUNF" => Some((Level::Sbu, true)),
        _ => None,
    };
    if let Some((level, noforn)) = glued {
        return MarkReading::Known(Marking { level, noforn });
    }
    let mut parts = compact.split('/').filter(|p| !p.is_empty());
    let Some(first) = parts.next() else {
        return MarkReading::NotAMark;
    };
    let level = match first {
        "U" | "UNCLAS" | "UNCLASSIFIED" => Level::U,
        "SBU" | "SENSITIVE" => Level::Sbu,
        "LOU" => Level::Lou,
        "C" | "CONFIDENTIAL" => Level::C,
        "S" | "SECRET" => Level::S,
        "TS" | "TOPSECRET" => Level::Ts,
        _ => return MarkReading::NotAMark,
    };
    let mut marking = Marking {
        level,
        noforn: false,
    };
    for p in parts {
        match p {
            "NF" | "NOFORN" | "N" => marking.noforn = true,
            "FOUO" if level == Level::U => marking.level = Level::Sbu,
            "SBU" if level == Level::U => marking.level = Level::Sbu,
            _ => return MarkReading::Unknown,
        }
    }
    MarkReading::Known(marking)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        match read_mark(s) {
            MarkReading::Known(m) => m.to_string(),
            MarkReading::Unknown => "?".into(),
            MarkReading::NotAMark => "-".into(),
        }
    }

    #[test]
    fn marks_normalise() {
        assert_eq!(norm("S//NF"), "S/NF");
        assert_eq!(norm("S/NOFORN"), "S/NF");
        assert_eq!(norm("SNF"), "S/NF");
        assert_eq!(norm("SBU/N"), "SBU/NF");
        assert_eq!(norm("U//FOUO"), "SBU");
        assert_eq!(norm("c"), "C");
        assert_eq!(norm("TS"), "TS");
        assert_eq!(norm("S/REL UK"), "?");
        assert_eq!(norm("septel"), "-");
        assert_eq!(norm("Begin text"), "-");
    }

    #[test]
    fn levels_order() {
        assert!(Level::C > Level::Sbu);
        assert_eq!(Level::Sbu.rank(), Level::Lou.rank());
        assert_eq!(Level::parse("top secret"), Some(Level::Ts));
    }
}
