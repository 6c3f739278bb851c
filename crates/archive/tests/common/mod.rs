//! Fixture cables and helpers shared by the archive tests.

// Each test crate uses a subset of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// A hand-written fixture cable.
pub struct Fixture<'a> {
    /// Station (`MOSCOW`).
    pub station: &'a str,
    /// Two-digit year.
    pub yy: u32,
    /// Serial.
    pub serial: u32,
    /// Day of June.
    pub day: u32,
    /// Classification line word, spaced (`S E C R E T`, `C O N F I D E N T I A L`, `UNCLAS`).
    pub class_line: &'a str,
    /// Captions under the classification line.
    pub captions: &'a [&'a str],
    /// TAGS.
    pub tags: &'a str,
    /// Subject mark and text, e.g. `(C) WIDGET TALKS`.
    pub subject: &'a str,
    /// REF line (without `REF: `), empty for none.
    pub refs: &'a str,
    /// Paragraphs: (mark, text).
    pub paras: &'a [(&'a str, &'a str)],
}

impl Fixture<'_> {
    /// The cable as telegram text.
    pub fn text(&self) -> String {
        let mut s = format!(
            "P {day:02}1119Z JUN {yy:02}\nFM AMEMBASSY {st}\nTO RUEHC/SECSTATE WASHDC PRIORITY 8123\nBT\n{cl} {st} {serial:06}\n\n",
            day = self.day,
            yy = self.yy,
            st = self.station,
            cl = self.class_line,
            serial = self.serial
        );
        for c in self.captions {
            s.push_str(c);
            s.push('\n');
        }
        s.push_str(&format!(
            "\nE.O. 12958: DECL: 06/05/2018\nTAGS: {}\nSUBJECT: {}\n\n",
            self.tags, self.subject
        ));
        if !self.refs.is_empty() {
            s.push_str(&format!("REF: {}\n\n", self.refs));
        }
        for (i, (m, t)) in self.paras.iter().enumerate() {
            s.push_str(&format!("{}. ({m}) {t}\n\n", i + 1));
        }
        s.push_str("BEYRLE\n");
        s
    }

    /// The canonical id.
    pub fn id(&self) -> String {
        format!("{:02}{}{}", self.yy, self.station, self.serial)
    }
}

/// A plain unclassified cable with one paragraph.
pub fn simple(station: &str, serial: u32, words: &str) -> String {
    Fixture {
        station,
        yy: 8,
        serial,
        day: 5,
        class_line: "UNCLAS",
        captions: &["SIPDIS"],
        tags: "PREL, RS",
        subject: "(U) ROUTINE MATTERS",
        refs: "",
        paras: &[("U", words)],
    }
    .text()
}

/// Writes `text` to `dir/name`, creating folders.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p
}

/// The `shared` folder beside the repository, or `None` (after printing a notice)
/// when it is absent outside CI; in CI a missing folder is a failure.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if dir.join("corpus").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!(
            "../shared/corpus is missing: CI must have the shared data beside the clone ({})",
            dir.display()
        );
    }
    eprintln!(
        "notice: {} not found; skipping a test that needs the real cables",
        dir.display()
    );
    None
}
