//! Hand-written raw telegram fixtures.
//!
//! [`Telegram`] writes a cable the way the raw telegrams of the corpus look:
//!
//! ```text
//! P 051119Z JUN 08
//! FM AMEMBASSY MOSCOW
//! TO RUEHC/SECSTATE WASHDC PRIORITY 8123
//! BT
//! C O N F I D E N T I A L MOSCOW 001599
//!
//! SIPDIS
//!
//! E.O. 12958: DECL: 06/05/2018
//! TAGS: PREL, RS
//! SUBJECT: (C) WIDGET TALKS
//!
//! REF: A. 08 MOSCOW 1500
//!
//! Classified By: Ambassador John Doe, reasons 1.4 (b) and (d).
//!
//! 1. (C) The widget delegation arrived.
//!
//! BEYRLE
//! ```
//!
//! Every part has a default, so a test sets only the parts it is about. The output
//! is fixed to the byte: tests compare search results, snippets and offsets over
//! it, so changing the layout here changes what those tests see.

use std::fmt;
use std::path::{Path, PathBuf};

/// A raw telegram fixture, built part by part; [`Telegram::text`] writes it.
///
/// The defaults: DTG `051119Z JUN 08`, `UNCLAS`, the caption `SIPDIS`, E.O. line
/// `DECL: 06/05/2018`, TAGS `PREL, RS`, SUBJECT `(U) ROUTINE MATTERS`, no REF
/// line, no Classified By line, no paragraphs, and the signature `BEYRLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Telegram {
    station: String,
    serial: u32,
    dtg: String,
    class_line: String,
    captions: Vec<String>,
    eo: String,
    tags: String,
    subject: String,
    refs: String,
    classified_by: String,
    paras: Vec<(String, String)>,
    signature: String,
}

impl Telegram {
    /// A telegram from the embassy at `station` (`MOSCOW`) with serial `serial`,
    /// every other part at its default.
    pub fn new(station: &str, serial: u32) -> Telegram {
        Telegram {
            station: station.to_string(),
            serial,
            dtg: "051119Z JUN 08".to_string(),
            class_line: "UNCLAS".to_string(),
            captions: vec!["SIPDIS".to_string()],
            eo: "DECL: 06/05/2018".to_string(),
            tags: "PREL, RS".to_string(),
            subject: "(U) ROUTINE MATTERS".to_string(),
            refs: String::new(),
            classified_by: String::new(),
            paras: Vec::new(),
            signature: "BEYRLE".to_string(),
        }
    }

    /// The date-time group after the precedence (`051119Z JUN 08`).
    pub fn dtg(mut self, dtg: &str) -> Telegram {
        self.dtg = dtg.to_string();
        self
    }

    /// The classification. `SECRET`, `CONFIDENTIAL` and `TOP SECRET` are written
    /// with spaced letters as telegrams spell them (`S E C R E T`); anything else
    /// (`UNCLAS`, `UNCLASSIFIED`, a line already spaced) is written as given.
    pub fn class(mut self, level: &str) -> Telegram {
        self.class_line = match level {
            "SECRET" | "CONFIDENTIAL" | "TOP SECRET" => spaced(level),
            _ => level.to_string(),
        };
        self
    }

    /// The caption lines under the classification line (`NOFORN`, `SIPDIS`),
    /// replacing the default `SIPDIS`; none for an empty list.
    pub fn captions(mut self, captions: &[&str]) -> Telegram {
        self.captions = captions.iter().map(|c| c.to_string()).collect();
        self
    }

    /// What follows `E.O. 12958: ` (`DECL: 06/05/2018`, `DECL: 25X1-HUMAN`, `N/A`).
    pub fn eo(mut self, eo: &str) -> Telegram {
        self.eo = eo.to_string();
        self
    }

    /// The TAGS line's content (`PREL, PGOV, RS`).
    pub fn tags(mut self, tags: &str) -> Telegram {
        self.tags = tags.to_string();
        self
    }

    /// The SUBJECT line's content, written as given: with its portion mark
    /// (`(C) WIDGET TALKS`) or without one (`HERRING QUOTA TALKS`).
    pub fn subject(mut self, subject: &str) -> Telegram {
        self.subject = subject.to_string();
        self
    }

    /// The REF line's content (`A. 08 MOSCOW 1500 B. 08 STATE 12345`); an empty
    /// string writes no REF line.
    pub fn refs(mut self, refs: &str) -> Telegram {
        self.refs = refs.to_string();
        self
    }

    /// Who classified the cable (`Ambassador John Doe`), written as
    /// `Classified By: WHO, reasons 1.4 (b) and (d).`; an empty string writes no
    /// such line.
    pub fn classified_by(mut self, who: &str) -> Telegram {
        self.classified_by = who.to_string();
        self
    }

    /// Adds the next numbered paragraph, with its portion mark (`C`, `S/NF`) or,
    /// for an empty `mark`, unmarked.
    pub fn para(mut self, mark: &str, text: &str) -> Telegram {
        self.paras.push((mark.to_string(), text.to_string()));
        self
    }

    /// The signature line at the end (`BEYRLE`).
    pub fn signature(mut self, name: &str) -> Telegram {
        self.signature = name.to_string();
        self
    }

    /// The telegram text.
    pub fn text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Telegram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = &self.station;
        write!(
            f,
            "P {}\nFM AMEMBASSY {st}\nTO RUEHC/SECSTATE WASHDC PRIORITY 8123\nBT\n{} {st} {:06}\n\n",
            self.dtg, self.class_line, self.serial
        )?;
        for c in &self.captions {
            writeln!(f, "{c}")?;
        }
        write!(
            f,
            "\nE.O. 12958: {}\nTAGS: {}\nSUBJECT: {}\n\n",
            self.eo, self.tags, self.subject
        )?;
        if !self.refs.is_empty() {
            write!(f, "REF: {}\n\n", self.refs)?;
        }
        if !self.classified_by.is_empty() {
            write!(
                f,
                "Classified By: {}, reasons 1.4 (b) and (d).\n\n",
                self.classified_by
            )?;
        }
        for (i, (mark, text)) in self.paras.iter().enumerate() {
            let n = i + 1;
            if mark.is_empty() {
                write!(f, "{n}. {text}\n\n")?;
            } else {
                write!(f, "{n}. ({mark}) {text}\n\n")?;
            }
        }
        writeln!(f, "{}", self.signature)
    }
}

/// `TOP SECRET` as `T O P S E C R E T`: the letters, one space apart.
fn spaced(level: &str) -> String {
    let letters: Vec<String> = level
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(String::from)
        .collect();
    letters.join(" ")
}

/// Writes `text` to `dir/rel`, creating the folders between, and returns the path.
///
/// # Panics
///
/// When a folder or the file cannot be written (a test fixture that cannot be set
/// up is a failed test), naming the path.
pub fn write(dir: &Path, rel: impl AsRef<Path>, text: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("creating {}: {e}", parent.display()));
    }
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use cablescope_format::{parse, Hints};

    /// Every part set, against the text written out by hand.
    #[test]
    fn every_part_lands_in_its_place() {
        let t = Telegram::new("OSLO", 321)
            .dtg("061200Z JUL 09")
            .class("CONFIDENTIAL")
            .captions(&["NOFORN", "SIPDIS"])
            .eo("DECL: 07/06/2019")
            .tags("PREL, NO")
            .subject("(C) HERRING QUOTA TALKS")
            .refs("A. 09 OSLO 300")
            .classified_by("Ambassador Jane Roe")
            .para("U", "The herring delegation met on Tuesday.")
            .para("", "An unmarked paragraph.")
            .para("C/NF", "The quota figure stays between us.")
            .signature("ROE");
        let want = "P 061200Z JUL 09
FM AMEMBASSY OSLO
TO RUEHC/SECSTATE WASHDC PRIORITY 8123
BT
C O N F I D E N T I A L OSLO 000321

NOFORN
SIPDIS

E.O. 12958: DECL: 07/06/2019
TAGS: PREL, NO
SUBJECT: (C) HERRING QUOTA TALKS

REF: A. 09 OSLO 300

Classified By: Ambassador Jane Roe, reasons 1.4 (b) and (d).

1. (U) The herring delegation met on Tuesday.

2. An unmarked paragraph.

3. (C/NF) The quota figure stays between us.

ROE
";
        assert_eq!(t.text(), want);
    }

    #[test]
    fn defaults_fill_what_a_test_leaves_out() {
        let want = "P 051119Z JUN 08
FM AMEMBASSY PARIS
TO RUEHC/SECSTATE WASHDC PRIORITY 8123
BT
UNCLAS PARIS 000077

SIPDIS

E.O. 12958: DECL: 06/05/2018
TAGS: PREL, RS
SUBJECT: (U) ROUTINE MATTERS

1. (U) Croissants and policy.

BEYRLE
";
        let t = Telegram::new("PARIS", 77).para("U", "Croissants and policy.");
        assert_eq!(t.text(), want);
        // Empty REF and Classified By write no line; no captions, no caption lines.
        let bare = Telegram::new("PARIS", 77)
            .refs("")
            .classified_by("")
            .captions(&[])
            .text();
        assert!(bare.contains("000077\n\n\nE.O. 12958"), "{bare}");
        assert!(!bare.contains("REF:") && !bare.contains("Classified By"));
    }

    #[test]
    fn classification_words_are_spaced_out_and_others_kept() {
        let line = |level: &str| {
            let text = Telegram::new("ROME", 5).class(level).text();
            text.lines().nth(4).unwrap().to_string()
        };
        assert_eq!(line("SECRET"), "S E C R E T ROME 000005");
        assert_eq!(line("CONFIDENTIAL"), "C O N F I D E N T I A L ROME 000005");
        assert_eq!(line("TOP SECRET"), "T O P S E C R E T ROME 000005");
        assert_eq!(line("UNCLAS"), "UNCLAS ROME 000005");
        assert_eq!(line("S E C R E T"), "S E C R E T ROME 000005");
        assert_eq!(line("UNCLASSIFIED"), "UNCLASSIFIED ROME 000005");
    }

    #[test]
    fn a_clone_extends_without_changing_the_original() {
        let base = Telegram::new("ROME", 5).para("U", "One.");
        let more = base.clone().para("S", "Two.");
        assert!(more.text().contains("\n2. (S) Two.\n\nBEYRLE\n"));
        assert!(!base.text().contains("Two."));
    }

    /// The parser reads back what the builder wrote, so the fixtures mean what the
    /// tests say they mean.
    #[test]
    fn the_parser_reads_every_part_back() {
        let text = Telegram::new("MOSCOW", 1599)
            .class("SECRET")
            .captions(&["SIPDIS"])
            .tags("PREL, PGOV, RS")
            .subject("(C) WIDGET TALKS WITH THE MINISTRY")
            .refs("A. 08 MOSCOW 1500 B. 08 STATE 12345")
            .classified_by("Ambassador John Doe")
            .para("U", "The widget delegation arrived on Tuesday.")
            .para("S/NF", "The ministry asked about zebra crossings.")
            .para("", "An unmarked closing paragraph.")
            .text();
        let c = parse(&text, &Hints::default());
        assert_eq!(c.id.as_deref(), Some("08MOSCOW1599"));
        assert_eq!(c.classification.as_deref(), Some("SECRET"));
        assert_eq!(c.captions, ["SIPDIS"]);
        assert_eq!(c.tags, ["PREL", "PGOV", "RS"]);
        assert_eq!(c.subject.as_deref(), Some("WIDGET TALKS WITH THE MINISTRY"));
        assert_eq!(c.subject_marking.as_deref(), Some("C"));
        let refs: Vec<Option<&str>> = c.references.iter().map(|r| r.id.as_deref()).collect();
        assert_eq!(refs, [Some("08MOSCOW1500"), Some("08STATE12345")]);
        assert_eq!(c.classified_by, ["John Doe"]);
        let marks: Vec<Option<&str>> = c.paragraphs.iter().map(|p| p.marking.as_deref()).collect();
        assert_eq!(marks, [Some("U"), Some("S/NF"), None]);
        assert_eq!(c.signers, ["BEYRLE"]);
    }

    #[test]
    fn write_creates_folders_and_returns_the_path() {
        let tmp = tempfile::tempdir().unwrap();
        let p = write(tmp.path(), "a/b/08PARIS77.txt", "text");
        assert_eq!(p, tmp.path().join("a/b/08PARIS77.txt"));
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "text");
        // Overwrites, and takes bytes as well as text.
        write(tmp.path(), "a/b/08PARIS77.txt", [0u8, 159]);
        assert_eq!(std::fs::read(&p).unwrap(), [0u8, 159]);
    }
}
