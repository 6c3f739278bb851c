//! The marking vocabulary: classification levels, dissemination and SCI controls,
//! distribution captions, REL TO lists, portion marks as written in real cables, and
//! the one rule that says which marking a portion of a record carries.
//!
//! Every layer uses these types: the parser reads marks with [`read_mark`], the
//! archive indexes and gates by [`Marking`] and [`Clearance`], the query language
//! and the server name levels and controls through [`Level`] and [`Control`].
//!
//! # Portion marks
//!
//! A portion mark is the parenthesised text after a paragraph number (`1. (S//NF)`)
//! or before a subject. [`read_mark`] reads it with a small grammar: tokens split on
//! `/`, `//`, `-`, `,` and spaces; an optional level first (`U`, `SBU`, `LOU`, `C`,
//! `S`, `TS`, spelt out or abbreviated; `FOUO` and `SENSITIVE BUT UNCLASSIFIED` mean
//! SBU), then controls (`NF`/`NOFORN`, `OC`/`ORCON`, `PR`/`PROPIN`, `IMCON`,
//! `RELIDO`, `FISA`, SCI systems `SI`, `TK`, `HCS`, `G`, `KDK`, `RSV`, `BYE`), and a
//! `REL [TO] A, B AND C` list. Glued forms (`SNF`, `CNF`, `SBU/N`) are read too.
//! A mark with no level (`(NF)`, `(REL UK)`) takes the cable's overall level.
//!
//! # The effective marking of a portion ([`effective_marks`])
//!
//! 1. A readable mark gives its level (or, without one, the cable's overall level)
//!    and its controls.
//! 2. An unmarked portion takes the cable's overall level (the classification, else
//!    the highest mark, else U) and no control.
//! 3. An **unreadable mark** (a level with an unknown token, `(S//XYZ)`, or a mark
//!    whose level cannot be read) withholds the portion from everyone but readers
//!    cleared for the cable's *highest* level (classification or any mark, whichever
//!    is higher, and at least the mark's own level) who hold *every* control seen
//!    anywhere in the cable (portion marks, captions, classification string). It
//!    never falls below what the mark shows.
//! 4. **Special controls** (anything but NOFORN: ORCON, PROPIN, IMCON, SCI, ...) are
//!    judged as one group per cable: a portion carrying any of them requires every
//!    control carried by any such portion of the cable. This only ever withholds
//!    more than the per-portion rule (it differs only in the rare cable that mixes
//!    two different special-control sets), and it lets the search index gate these
//!    portions exactly with a fixed schema.
//! 5. `REL TO` lists release a portion to foreign partners; they restrict none of
//!    the archive's readers (all are treated as US readers) and are kept for display.
//!
//! Distribution captions (NODIS, EXDIS, LIMDIS, ...) and a NOFORN caption or
//! `//NOFORN` suffix apply to the whole cable: [`cable_controls`].

use std::collections::BTreeSet;
use std::fmt;

use crate::record::Cable;

/// A classification level, lowest first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Unclassified.
    #[default]
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
    /// Every level, lowest first.
    pub const ALL: [Level; 6] = [
        Level::U,
        Level::Sbu,
        Level::Lou,
        Level::C,
        Level::S,
        Level::Ts,
    ];

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

    /// Rank for comparisons where SBU and LOU count as the same level:
    /// 0 U, 1 SBU/LOU, 2 C, 3 S, 4 TS.
    pub fn rank(self) -> u8 {
        match self {
            Level::U => 0,
            Level::Sbu | Level::Lou => 1,
            Level::C => 2,
            Level::S => 3,
            Level::Ts => 4,
        }
    }

    /// The level of a rank (LOU folds into SBU); ranks above 4 are TS.
    pub fn from_rank(rank: u8) -> Level {
        match rank {
            0 => Level::U,
            1 => Level::Sbu,
            2 => Level::C,
            3 => Level::S,
            _ => Level::Ts,
        }
    }

    /// The code of this level's rank (`LOU` gives `SBU`): the five codes used in
    /// index fields and clearances.
    pub fn rank_code(self) -> &'static str {
        Level::from_rank(self.rank()).code()
    }

    /// The higher of two levels by rank (the first on a tie).
    pub fn max_rank(self, other: Level) -> Level {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    /// Parses a level code or name (`C`, `CONFIDENTIAL`, `sbu`, `Top Secret`,
    /// `TOPSECRET`, `FOUO`, `U//FOUO`).
    pub fn parse(s: &str) -> Option<Level> {
        let up: String = s
            .trim()
            .to_ascii_uppercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        Some(match up.as_str() {
            "U" | "UNCLAS" | "UNCLASSIFIED" => Level::U,
            "SBU" | "SENSITIVE" | "FOUO" | "U//FOUO" | "U/FOUO" | "SENSITIVE BUT UNCLASSIFIED" => {
                Level::Sbu
            }
            "LOU" | "LIMITED OFFICIAL USE" => Level::Lou,
            "C" | "CONFIDENTIAL" => Level::C,
            "S" | "SECRET" => Level::S,
            "TS" | "TOP SECRET" | "TOPSECRET" => Level::Ts,
            _ => return None,
        })
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A control that restricts who may read: a dissemination control or SCI system
/// on a portion, or a distribution caption on a whole cable. A reader must hold
/// every control on what they read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Control {
    /// NOFORN: no foreign dissemination (`NF`).
    Noforn,
    /// ORCON: originator controlled (`OC`).
    Orcon,
    /// PROPIN: proprietary information (`PR`).
    Propin,
    /// IMCON: controlled imagery (`IMC`).
    Imcon,
    /// RELIDO: releasable by the information disclosure official.
    Relido,
    /// FISA: derived from Foreign Intelligence Surveillance Act collection.
    Fisa,
    /// SCI: Special Intelligence (COMINT), `SI`.
    Si,
    /// SCI: TALENT KEYHOLE, `TK`.
    Tk,
    /// SCI: HUMINT Control System, `HCS`.
    Hcs,
    /// SCI: GAMMA, `G`.
    Gamma,
    /// SCI: KLONDIKE, `KDK`.
    Klondike,
    /// SCI: RESERVE, `RSV`.
    Reserve,
    /// SCI: BYEMAN, `BYE`.
    Byeman,
    /// Caption NODIS: no distribution beyond the addressee.
    Nodis,
    /// Caption NODIF (a NODIS variant).
    Nodif,
    /// Caption EXDIS: exclusive distribution.
    Exdis,
    /// Caption LIMDIS: limited distribution.
    Limdis,
    /// Caption STADIS: State distribution only.
    Stadis,
    /// Caption CHEROKEE: the Secretary's channel.
    Cherokee,
    /// Caption ROGER channel.
    Roger,
    /// Caption EYES ONLY.
    EyesOnly,
}

impl Control {
    /// Every control, in the order codes are written.
    pub const ALL: [Control; 21] = [
        Control::Noforn,
        Control::Orcon,
        Control::Propin,
        Control::Imcon,
        Control::Relido,
        Control::Fisa,
        Control::Si,
        Control::Tk,
        Control::Hcs,
        Control::Gamma,
        Control::Klondike,
        Control::Reserve,
        Control::Byeman,
        Control::Nodis,
        Control::Nodif,
        Control::Exdis,
        Control::Limdis,
        Control::Stadis,
        Control::Cherokee,
        Control::Roger,
        Control::EyesOnly,
    ];

    /// The name readers are granted (`users add --caveat`) and captions use:
    /// `NOFORN`, `ORCON`, `SI`, `EYES_ONLY`, ...
    pub fn name(self) -> &'static str {
        match self {
            Control::Noforn => "NOFORN",
            Control::Orcon => "ORCON",
            Control::Propin => "PROPIN",
            Control::Imcon => "IMCON",
            Control::Relido => "RELIDO",
            Control::Fisa => "FISA",
            Control::Si => "SI",
            Control::Tk => "TK",
            Control::Hcs => "HCS",
            Control::Gamma => "GAMMA",
            Control::Klondike => "KLONDIKE",
            Control::Reserve => "RESERVE",
            Control::Byeman => "BYEMAN",
            Control::Nodis => "NODIS",
            Control::Nodif => "NODIF",
            Control::Exdis => "EXDIS",
            Control::Limdis => "LIMDIS",
            Control::Stadis => "STADIS",
            Control::Cherokee => "CHEROKEE",
            Control::Roger => "ROGER",
            Control::EyesOnly => "EYES_ONLY",
        }
    }

    /// The short code written in a normalised portion mark (`NF`, `OC`, `SI`).
    pub fn code(self) -> &'static str {
        match self {
            Control::Noforn => "NF",
            Control::Orcon => "OC",
            Control::Propin => "PR",
            Control::Imcon => "IMC",
            Control::Gamma => "G",
            Control::Klondike => "KDK",
            Control::Reserve => "RSV",
            Control::Byeman => "BYE",
            other => other.name(),
        }
    }

    /// True for a distribution caption (applies to a whole cable, never written in a
    /// portion mark).
    pub fn is_caption(self) -> bool {
        matches!(
            self,
            Control::Nodis
                | Control::Nodif
                | Control::Exdis
                | Control::Limdis
                | Control::Stadis
                | Control::Cherokee
                | Control::Roger
                | Control::EyesOnly
        )
    }

    /// True for a special control: a portion control other than NOFORN (judged as
    /// a group per cable, see the module documentation).
    pub fn is_special(self) -> bool {
        self != Control::Noforn && !self.is_caption()
    }

    /// Reads a control from a name or code (`NOFORN`, `nf`, `ORCON`, `OC`,
    /// `EYES ONLY`, `Talent Keyhole`). Portion-mark tokens that are ambiguous alone
    /// (`N`, `G`) are read only by [`read_mark`].
    pub fn parse(s: &str) -> Option<Control> {
        let up: String = s
            .trim()
            .to_ascii_uppercase()
            .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        control_token(&up).or(match up.as_str() {
            "GAMMA" => Some(Control::Gamma),
            "TALENT KEYHOLE" => Some(Control::Tk),
            "EYES ONLY" | "EYES" => Some(Control::EyesOnly),
            "COMINT" => Some(Control::Si),
            _ => None,
        })
    }
}

impl fmt::Display for Control {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One token of a portion mark as a control (codes and names written in marks).
fn control_token(t: &str) -> Option<Control> {
    Some(match t {
        "NF" | "NOFORN" => Control::Noforn,
        "OC" | "ORCON" => Control::Orcon,
        "PR" | "PROPIN" => Control::Propin,
        "IMC" | "IMCON" => Control::Imcon,
        "RELIDO" => Control::Relido,
        "FISA" => Control::Fisa,
        "SI" | "COMINT" => Control::Si,
        "TK" => Control::Tk,
        "HCS" => Control::Hcs,
        "KDK" | "KLONDIKE" => Control::Klondike,
        "RSV" | "RESERVE" => Control::Reserve,
        "BYE" | "BYEMAN" => Control::Byeman,
        "NODIS" => Control::Nodis,
        "NODIF" => Control::Nodif,
        "EXDIS" => Control::Exdis,
        "LIMDIS" => Control::Limdis,
        "STADIS" => Control::Stadis,
        "CHEROKEE" => Control::Cherokee,
        "ROGER" => Control::Roger,
        _ => return None,
    })
}

/// A portion mark as written, normalised: an optional level (`(NF)` has none), its
/// controls and its REL TO list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PortionMark {
    /// The level, when the mark names one.
    pub level: Option<Level>,
    /// The controls the mark carries.
    pub controls: BTreeSet<Control>,
    /// `REL TO` partners, upper-case, in the order written; `Some(vec![])` for a
    /// bare `REL`.
    pub rel_to: Option<Vec<String>>,
}

impl PortionMark {
    /// True when the mark carries NOFORN.
    pub fn noforn(&self) -> bool {
        self.controls.contains(&Control::Noforn)
    }

    /// The normalised code (`S/NF`, `C/NF/PR`, `TS/NF/SI`, `C/REL NATO`, `NF`):
    /// the level, then each control's code in [`Control::ALL`] order, then the REL TO
    /// list. [`PortionMark::parse_code`] reads it back.
    pub fn code(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(l) = self.level {
            parts.push(l.code().to_string());
        }
        for c in Control::ALL {
            if self.controls.contains(&c) {
                parts.push(c.code().to_string());
            }
        }
        if let Some(rel) = &self.rel_to {
            if rel.is_empty() {
                parts.push("REL".into());
            } else {
                parts.push(format!("REL {}", rel.join(", ")));
            }
        }
        parts.join("/")
    }

    /// Reads a normalised code (as [`PortionMark::code`] writes it) or any mark
    /// [`read_mark`] knows; `None` for anything else.
    pub fn parse_code(s: &str) -> Option<PortionMark> {
        match read_mark(s) {
            MarkReading::Known(m) => Some(m),
            _ => None,
        }
    }
}

impl fmt::Display for PortionMark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

/// What the text inside a portion mark's parentheses turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkReading {
    /// A recognised mark.
    Known(PortionMark),
    /// A mark (it starts with a level or a control) with a part that cannot be
    /// read: what could be read of it is kept, so the portion is never judged below
    /// what the mark shows.
    Unknown(PortionMark),
    /// Not a portion mark at all (ordinary parenthesised text).
    NotAMark,
}

/// Reads the text between a portion mark's parentheses (grammar in the module
/// documentation): `S//NF`, `S/NOFORN`, `SNF`, `S-NF` → S/NF; `SBU/N`,
/// `SBU NOFORN` → SBU/NF; `U//FOUO` → SBU; `S//OC/NF` → S/NF/OC; `NF` → NF (no
/// level); `S//XYZ` → unknown with level S.
pub fn read_mark(inner: &str) -> MarkReading {
    let up: String = inner.trim().to_ascii_uppercase();
    if up.is_empty() || up.len() > 64 {
        return MarkReading::NotAMark;
    }
    let compact: String = up.chars().filter(|c| !c.is_whitespace()).collect();
    // Glued forms.
    let glued = match compact.as_str() {
        "SNF" => Some(Level::S),
        "CNF" => Some(Level::C),
        "TSNF" => Some(Level::Ts),
        "SBUNF" | "SBUN" => Some(Level::Sbu),
        _ => None,
    };
    if let Some(level) = glued {
        return MarkReading::Known(PortionMark {
            level: Some(level),
            controls: [Control::Noforn].into(),
            rel_to: None,
        });
    }
    let tokens: Vec<&str> = up
        .split(|c: char| c == '/' || c == '-' || c == ',' || c == ';' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .collect();
    let Some(&first) = tokens.first() else {
        return MarkReading::NotAMark;
    };
    let mut mark = PortionMark::default();
    let mut i = 0;
    // Multi-word levels first, then one-token levels.
    let words = |n: usize| tokens.get(i..i + n).map(|w| w.join(" "));
    if words(3).as_deref() == Some("LIMITED OFFICIAL USE") {
        mark.level = Some(Level::Lou);
        i += 3;
    } else if words(3).as_deref() == Some("SENSITIVE BUT UNCLASSIFIED") {
        mark.level = Some(Level::Sbu);
        i += 3;
    } else if words(4).as_deref() == Some("FOR OFFICIAL USE ONLY") {
        mark.level = Some(Level::Sbu);
        i += 4;
    } else if words(2).as_deref() == Some("TOP SECRET") {
        mark.level = Some(Level::Ts);
        i += 2;
    } else {
        let level = match first {
            "U" | "UNCLAS" | "UNCLASSIFIED" => Some(Level::U),
            "SBU" | "SENSITIVE" | "FOUO" => Some(Level::Sbu),
            "LOU" => Some(Level::Lou),
            "C" | "CONFIDENTIAL" => Some(Level::C),
            "S" | "SECRET" => Some(Level::S),
            "TS" | "TOPSECRET" => Some(Level::Ts),
            _ => None,
        };
        if level.is_some() {
            mark.level = level;
            i += 1;
        } else if control_token(first).is_none_or(Control::is_caption) && first != "REL" {
            // Neither a level nor a portion control: ordinary text ("(Begin text)",
            // "(B)", "(SEE REFTEL)").
            return MarkReading::NotAMark;
        }
    }
    let mut unknown = false;
    while i < tokens.len() {
        let t = tokens[i];
        i += 1;
        match t {
            // After a level, a lone N is NOFORN (SBU/N) and FOUO/SBU make U into SBU.
            "N" if mark.level.is_some() => {
                mark.controls.insert(Control::Noforn);
            }
            "FOUO" | "SBU" if matches!(mark.level, Some(Level::U) | Some(Level::Sbu)) => {
                mark.level = Some(Level::Sbu);
            }
            "G" if mark.level.is_some() => {
                mark.controls.insert(Control::Gamma);
            }
            // "(C - ENTIRE TEXT)": the mark covers the whole text.
            "ENTIRE" if tokens.get(i) == Some(&"TEXT") => i += 1,
            "REL" => {
                if tokens.get(i) == Some(&"TO") {
                    i += 1;
                }
                let mut rel = Vec::new();
                while let Some(&w) = tokens.get(i) {
                    if control_token(w).is_some() || w == "REL" {
                        break;
                    }
                    i += 1;
                    if w != "AND" {
                        rel.push(w.to_string());
                    }
                }
                mark.rel_to.get_or_insert_with(Vec::new).extend(rel);
            }
            _ => match control_token(t) {
                Some(c) if !c.is_caption() => {
                    mark.controls.insert(c);
                }
                _ => unknown = true,
            },
        }
    }
    if unknown {
        MarkReading::Unknown(mark)
    } else {
        MarkReading::Known(mark)
    }
}

/// A portion's effective marking: the level and controls a reader must hold to
/// read it ([`Clearance::may_read`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Marking {
    /// The level.
    pub level: Level,
    /// The controls a reader must hold.
    pub controls: BTreeSet<Control>,
}

impl Marking {
    /// A marking with a level and no control.
    pub fn level(level: Level) -> Marking {
        Marking {
            level,
            controls: BTreeSet::new(),
        }
    }

    /// True when the marking carries NOFORN.
    pub fn noforn(&self) -> bool {
        self.controls.contains(&Control::Noforn)
    }

    /// True when it carries a special control (anything but NOFORN).
    pub fn special(&self) -> bool {
        self.controls.iter().any(|c| c.is_special())
    }

    /// The class the search index files this portion under: the level's rank code,
    /// then `/NF` for NOFORN alone, `/X` for any special control (`S`, `S/NF`,
    /// `S/X`). With [`Marking::special`] portions gated as a group (module
    /// documentation), the class and the cable's group controls decide readability
    /// exactly.
    pub fn class(&self) -> PortionClass {
        PortionClass {
            rank: self.level.rank(),
            kind: if self.special() {
                ClassKind::Special
            } else if self.noforn() {
                ClassKind::Noforn
            } else {
                ClassKind::Plain
            },
        }
    }

    /// The normalised code (`S/NF`, `C/NF/OC`).
    pub fn code(&self) -> String {
        PortionMark {
            level: Some(self.level),
            controls: self.controls.clone(),
            rel_to: None,
        }
        .code()
    }

    /// The more restrictive of two markings: the higher level and both sets of
    /// controls.
    pub fn join(&self, other: &Marking) -> Marking {
        Marking {
            level: self.level.max_rank(other.level),
            controls: self.controls.union(&other.controls).copied().collect(),
        }
    }

    /// True when a reader holding `self` may read what `other` marks (`other` is no
    /// more restrictive).
    pub fn covers(&self, other: &Marking) -> bool {
        other.level.rank() <= self.level.rank() && other.controls.is_subset(&self.controls)
    }
}

impl fmt::Display for Marking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

/// How the index files a portion (see [`Marking::class`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClassKind {
    /// No control.
    Plain,
    /// NOFORN and nothing else.
    Noforn,
    /// At least one special control (NOFORN perhaps too).
    Special,
}

/// A portion class: a level rank and a kind. Fifteen classes, each with a text
/// field of its own in the search index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortionClass {
    /// Level rank (0 U … 4 TS).
    pub rank: u8,
    /// Which controls.
    pub kind: ClassKind,
}

impl PortionClass {
    /// Every class, lowest first; each level followed by its NOFORN and special
    /// twins.
    pub fn all() -> Vec<PortionClass> {
        let mut out = Vec::with_capacity(15);
        for rank in 0..=4 {
            for kind in [ClassKind::Plain, ClassKind::Noforn, ClassKind::Special] {
                out.push(PortionClass { rank, kind });
            }
        }
        out
    }

    /// The class code: `S`, `S/NF`, `S/X`.
    pub fn code(self) -> String {
        let l = Level::from_rank(self.rank).code();
        match self.kind {
            ClassKind::Plain => l.to_string(),
            ClassKind::Noforn => format!("{l}/NF"),
            ClassKind::Special => format!("{l}/X"),
        }
    }

    /// The suffix of the index text field of this class (`s`, `s_nf`, `s_x`).
    pub fn field_suffix(self) -> String {
        self.code().to_ascii_lowercase().replace('/', "_")
    }
}

/// What a reader is cleared for: a level and the controls they hold.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Clearance {
    /// Level rank: 0 U, 1 SBU/LOU, 2 C, 3 S, 4 TS.
    pub rank: u8,
    /// Controls held.
    pub controls: BTreeSet<Control>,
}

impl Clearance {
    /// Everything: TS with every control.
    pub fn all() -> Clearance {
        Clearance {
            rank: 4,
            controls: Control::ALL.into_iter().collect(),
        }
    }

    /// Nothing above U, no control.
    pub fn none() -> Clearance {
        Clearance {
            rank: 0,
            controls: BTreeSet::new(),
        }
    }

    /// A level (`U`, `SBU`, `LOU`, `C`, `S`, `TS`, or full names) and control
    /// names; `None` when the level or a control is not known.
    pub fn parse(level: &str, controls: &[&str]) -> Option<Clearance> {
        let level = Level::parse(level)?;
        let controls = controls
            .iter()
            .map(|c| Control::parse(c))
            .collect::<Option<BTreeSet<_>>>()?;
        Some(Clearance {
            rank: level.rank(),
            controls,
        })
    }

    /// The level of this clearance (by rank).
    pub fn level(&self) -> Level {
        Level::from_rank(self.rank)
    }

    /// True when cleared for everything.
    pub fn is_all(&self) -> bool {
        self.rank >= 4 && Control::ALL.iter().all(|c| self.controls.contains(c))
    }

    /// True when this reader may read a portion marked `m`.
    pub fn may_read(&self, m: &Marking) -> bool {
        m.level.rank() <= self.rank && m.controls.iter().all(|c| self.controls.contains(c))
    }

    /// True when this reader holds every control in `set`.
    pub fn holds_all<'a>(&self, set: impl IntoIterator<Item = &'a Control>) -> bool {
        set.into_iter().all(|c| self.controls.contains(c))
    }

    /// The controls this reader does not hold.
    pub fn lacks(&self) -> Vec<Control> {
        Control::ALL
            .into_iter()
            .filter(|c| !self.controls.contains(c))
            .collect()
    }

    /// True when this clearance is no wider than `other` (a lower or equal level and
    /// no control `other` lacks): what an admin may grant.
    pub fn within(&self, other: &Clearance) -> bool {
        self.rank <= other.rank && self.controls.is_subset(&other.controls)
    }

    /// The code of the level (`C`) and the held controls (`C+NOFORN,ORCON`).
    pub fn describe(&self) -> String {
        let l = self.level().code();
        if self.controls.is_empty() {
            l.to_string()
        } else {
            let cs: Vec<&str> = self.controls.iter().map(|c| c.name()).collect();
            format!("{l}+{}", cs.join(","))
        }
    }
}

/// What a classification string says: its level and the controls written after
/// `//` (`SECRET//NOFORN` → S + NOFORN; `UNCLASSIFIED//FOR OFFICIAL USE ONLY` → SBU).
pub fn read_classification(class: &str) -> Option<(Level, BTreeSet<Control>)> {
    let up = class.to_ascii_uppercase();
    let mut parts = up.split("//");
    let first = parts.next()?.trim();
    let mut level = Level::parse(first)?;
    let mut controls = BTreeSet::new();
    for p in parts {
        let p = p.trim();
        if level == Level::U && (p.contains("OFFICIAL USE") || p == "SBU" || p == "FOUO") {
            level = Level::Sbu;
            continue;
        }
        for w in p.split(['/', ',']) {
            if let Some(c) = Control::parse(w) {
                controls.insert(c);
            }
        }
    }
    Some((level, controls))
}

/// The cable-wide controls: distribution captions and NOFORN from the captions and
/// the classification string. A reader lacking one sees nothing of the cable.
pub fn cable_controls(c: &Cable) -> BTreeSet<Control> {
    let mut out = BTreeSet::new();
    for cap in &c.captions {
        let up = cap.trim().to_ascii_uppercase();
        // "EXDIS - DISTRIBUTE AS NODIS" names two: the stricter also applies.
        for part in up.split([' ', '/', '-', ',']).filter(|w| !w.is_empty()) {
            if let Some(ctl) = control_token(part) {
                if ctl.is_caption() || ctl == Control::Noforn {
                    out.insert(ctl);
                }
            }
        }
        if let Some(ctl) = Control::parse(&up) {
            if ctl.is_caption() || ctl == Control::Noforn {
                out.insert(ctl);
            }
        }
    }
    if let Some((_, cs)) = c.classification.as_deref().and_then(read_classification) {
        out.extend(
            cs.into_iter()
                .filter(|c| c.is_caption() || *c == Control::Noforn),
        );
    }
    out
}

/// The effective markings of one record ([`effective_marks`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveMarks {
    /// The overall level: the classification's, else the highest mark, else U.
    /// Header text without a mark of its own (REF list, classified-by, reasons) is
    /// read at this level.
    pub overall: Level,
    /// The highest level anywhere: overall, or any portion's mark.
    pub highest: Level,
    /// Cable-wide controls ([`cable_controls`]).
    pub cable: BTreeSet<Control>,
    /// Every portion control seen on the cable (readable and unreadable marks).
    pub seen: BTreeSet<Control>,
    /// The special controls of the cable's group (module documentation, rule 4).
    pub group: BTreeSet<Control>,
    /// The subject's marking (`None` without a subject).
    pub subject: Option<Marking>,
    /// Each paragraph's marking, in order.
    pub paragraphs: Vec<Marking>,
}

impl EffectiveMarks {
    /// The marking of header text without a mark of its own.
    pub fn header(&self) -> Marking {
        Marking::level(self.overall)
    }

    /// Every portion's marking (subject first).
    pub fn portions(&self) -> impl Iterator<Item = &Marking> {
        self.subject.iter().chain(self.paragraphs.iter())
    }
}

/// How a stored mark string reads (a normalised code, or a mark as written).
fn mark_of(s: Option<&str>) -> Option<MarkReading> {
    let s = s?.trim();
    if s.is_empty() {
        return None;
    }
    Some(match read_mark(s) {
        // A stored mark that is not a mark at all is still a mark the parser saw:
        // it cannot be read, so it is judged as unreadable.
        MarkReading::NotAMark => MarkReading::Unknown(PortionMark::default()),
        r => r,
    })
}

/// The effective marking of every portion of `c` (rules in the module
/// documentation). This is the one rule that redaction and search gating share.
pub fn effective_marks(c: &Cable) -> EffectiveMarks {
    let subject_mark = c
        .subject
        .as_ref()
        .and_then(|_| mark_of(c.subject_marking.as_deref()));
    let para_marks: Vec<Option<MarkReading>> = c
        .paragraphs
        .iter()
        .map(|p| mark_of(p.marking.as_deref()))
        .collect();
    let all_marks = || subject_mark.iter().chain(para_marks.iter().flatten());
    let class = c.classification.as_deref().and_then(read_classification);
    let highest_mark = all_marks()
        .filter_map(|m| match m {
            MarkReading::Known(m) | MarkReading::Unknown(m) => m.level,
            MarkReading::NotAMark => None,
        })
        .max_by_key(|l| l.rank());
    let overall = class
        .as_ref()
        .map(|(l, _)| *l)
        .or(highest_mark)
        .unwrap_or(Level::U);
    let highest = highest_mark.map_or(overall, |h| overall.max_rank(h));
    let cable = cable_controls(c);
    let mut seen: BTreeSet<Control> = cable.clone();
    for m in all_marks() {
        if let MarkReading::Known(m) | MarkReading::Unknown(m) = m {
            seen.extend(m.controls.iter().copied());
        }
    }
    let judge = |m: Option<&MarkReading>| -> Marking {
        match m {
            None | Some(MarkReading::NotAMark) => Marking::level(overall),
            Some(MarkReading::Known(pm)) => Marking {
                level: pm.level.unwrap_or(overall),
                controls: pm.controls.clone(),
            },
            Some(MarkReading::Unknown(pm)) => Marking {
                level: pm.level.map_or(highest, |l| highest.max_rank(l)),
                controls: seen.clone(),
            },
        }
    };
    let mut subject = c.subject.as_ref().map(|_| judge(subject_mark.as_ref()));
    let mut paragraphs: Vec<Marking> = para_marks.iter().map(|m| judge(m.as_ref())).collect();
    // Rule 4: special controls as one group per cable.
    let group: BTreeSet<Control> = subject
        .iter()
        .chain(paragraphs.iter())
        .filter(|m| m.special())
        .flat_map(|m| m.controls.iter().copied())
        .collect();
    for m in subject.iter_mut().chain(paragraphs.iter_mut()) {
        if m.special() {
            m.controls.extend(group.iter().copied());
        }
    }
    EffectiveMarks {
        overall,
        highest,
        cable,
        seen,
        group,
        subject,
        paragraphs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Paragraph;

    fn norm(s: &str) -> String {
        match read_mark(s) {
            MarkReading::Known(m) => m.code(),
            MarkReading::Unknown(m) => format!("?{}", m.code()),
            MarkReading::NotAMark => "-".into(),
        }
    }

    #[test]
    fn simple_marks_normalise() {
        assert_eq!(norm("S//NF"), "S/NF");
        assert_eq!(norm("S/NOFORN"), "S/NF");
        assert_eq!(norm("SNF"), "S/NF");
        assert_eq!(norm("S NF"), "S/NF");
        assert_eq!(norm("S-NF"), "S/NF");
        assert_eq!(norm("SBU/N"), "SBU/NF");
        assert_eq!(norm("SBU NOFORN"), "SBU/NF");
        assert_eq!(norm("SBU/NF"), "SBU/NF");
        assert_eq!(norm("U//FOUO"), "SBU");
        assert_eq!(norm("c"), "C");
        assert_eq!(norm("TS"), "TS");
        assert_eq!(norm("LOU"), "LOU");
        assert_eq!(norm("C - ENTIRE TEXT"), "C");
    }

    #[test]
    fn compound_marks_keep_every_control() {
        assert_eq!(norm("S//OC/NF"), "S/NF/OC");
        assert_eq!(norm("S//ORCON/NOFORN"), "S/NF/OC");
        assert_eq!(norm("S/NOFORN/ORCON"), "S/NF/OC");
        assert_eq!(norm("S/REL/NF"), "S/NF/REL");
        assert_eq!(norm("S//NF//REL"), "S/NF/REL");
        assert_eq!(norm("C/NF/PROPIN"), "C/NF/PR");
        assert_eq!(norm("S//SI//NF"), "S/NF/SI");
        assert_eq!(norm("TS//SI/TK//NOFORN"), "TS/NF/SI/TK");
        assert_eq!(norm("S//IMCON"), "S/IMC");
        assert_eq!(norm("C/REL NATO"), "C/REL NATO");
        assert_eq!(norm("S/REL TO UK"), "S/REL UK");
        assert_eq!(norm("S/ REL TO UK"), "S/REL UK");
        assert_eq!(norm("S/REL CHINA AND UK"), "S/REL CHINA, UK");
        assert_eq!(norm("C//REL AUSTRALIA GROUP"), "C/REL AUSTRALIA, GROUP");
        assert_eq!(norm("NF"), "NF");
        assert_eq!(norm("/REL UK"), "REL UK");
        // Codes read back as themselves.
        for code in [
            "S/NF/OC",
            "C/NF/PR",
            "TS/NF/SI/TK",
            "C/REL NATO",
            "NF",
            "SBU/NF",
        ] {
            assert_eq!(norm(code), code);
        }
    }

    #[test]
    fn unreadable_and_non_marks() {
        assert_eq!(norm("S//XYZ"), "?S");
        assert_eq!(norm("S//XYZ/NF"), "?S/NF");
        assert_eq!(norm("septel"), "-");
        assert_eq!(norm("Begin text"), "-");
        assert_eq!(norm("B"), "-");
        assert_eq!(norm("SEE REFTEL"), "-");
        assert_eq!(norm("REF"), "-");
        assert_eq!(norm("NODIS"), "-");
    }

    #[test]
    fn levels_order() {
        assert!(Level::C > Level::Sbu);
        assert_eq!(Level::Sbu.rank(), Level::Lou.rank());
        assert_eq!(Level::parse("top secret"), Some(Level::Ts));
        assert_eq!(Level::parse("TOPSECRET"), Some(Level::Ts));
    }

    fn para(n: u32, mark: Option<&str>) -> Paragraph {
        Paragraph {
            number: n,
            marking: mark.map(str::to_string),
            text: format!("text {n}"),
            ..Paragraph::default()
        }
    }

    fn cable(class: &str, marks: &[Option<&str>]) -> Cable {
        Cable {
            classification: Some(class.into()),
            paragraphs: marks
                .iter()
                .enumerate()
                .map(|(i, m)| para(i as u32 + 1, *m))
                .collect(),
            ..Cable::default()
        }
    }

    fn codes(e: &EffectiveMarks) -> Vec<String> {
        e.paragraphs.iter().map(Marking::code).collect()
    }

    #[test]
    fn unmarked_and_level_less_portions_take_the_overall_level() {
        let e = effective_marks(&cable("CONFIDENTIAL", &[None, Some("NF"), Some("U")]));
        assert_eq!(codes(&e), ["C", "C/NF", "U"]);
        assert_eq!(e.overall, Level::C);
        let e = effective_marks(&cable(
            "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
            &[None, Some("SBU NOFORN")],
        ));
        assert_eq!(codes(&e), ["SBU", "SBU/NF"]);
    }

    #[test]
    fn unreadable_marks_need_the_highest_level_and_every_control() {
        let e = effective_marks(&cable(
            "CONFIDENTIAL",
            &[Some("S//XYZ"), Some("C/NF"), Some("U")],
        ));
        // The highest level is S (the unreadable mark's own); NOFORN was seen.
        assert_eq!(codes(&e), ["S/NF", "C/NF", "U"]);
        // A mark the stored record holds verbatim but that is no mark at all.
        let e = effective_marks(&cable("SECRET", &[Some("what?"), Some("C")]));
        assert_eq!(codes(&e), ["S", "C"]);
        // Never below the mark's own level, even above the classification.
        let e = effective_marks(&cable("UNCLASSIFIED", &[Some("TS-ZZ"), None]));
        assert_eq!(codes(&e), ["TS", "U"]);
        assert_eq!(e.highest, Level::Ts);
    }

    #[test]
    fn special_controls_form_one_group() {
        let e = effective_marks(&cable(
            "SECRET//NOFORN",
            &[Some("S//OC"), Some("S//PR/NF"), Some("S/NF"), None],
        ));
        assert_eq!(codes(&e), ["S/NF/OC/PR", "S/NF/OC/PR", "S/NF", "S"]);
        assert_eq!(e.cable, [Control::Noforn].into());
        let cl = Clearance::parse("S", &["NOFORN", "ORCON"]).unwrap();
        assert!(!cl.may_read(&e.paragraphs[0]));
        assert!(cl.may_read(&e.paragraphs[2]));
        let cl = Clearance::parse("S", &["NOFORN", "ORCON", "PROPIN"]).unwrap();
        assert!(cl.may_read(&e.paragraphs[0]));
    }

    #[test]
    fn cable_controls_from_captions_and_class() {
        let c = Cable {
            classification: Some("SECRET//NOFORN".into()),
            captions: vec!["SIPDIS".into(), "EXDIS".into(), "EYES ONLY".into()],
            ..Cable::default()
        };
        let cs: Vec<&str> = cable_controls(&c).iter().map(|c| c.name()).collect();
        assert_eq!(cs, ["NOFORN", "EXDIS", "EYES_ONLY"]);
    }

    #[test]
    fn clearances() {
        let c = Clearance::parse("c", &["noforn"]).unwrap();
        assert_eq!(c.describe(), "C+NOFORN");
        assert!(c.may_read(&Marking {
            level: Level::Sbu,
            controls: [Control::Noforn].into()
        }));
        assert!(!c.may_read(&Marking::level(Level::S)));
        assert!(Clearance::parse("C", &["BOGUS"]).is_none());
        assert!(Clearance::all().is_all());
        assert!(c.within(&Clearance::all()));
        assert!(!Clearance::all().within(&c));
        assert_eq!(PortionClass::all().len(), 15);
        let m = Marking {
            level: Level::Lou,
            controls: [Control::Orcon, Control::Noforn].into(),
        };
        assert_eq!(m.class().code(), "SBU/X");
        assert_eq!(m.class().field_suffix(), "sbu_x");
    }
}
