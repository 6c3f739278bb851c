//! Fixture cables for the clearance tests: hand-written telegrams that plant unique
//! canary words in portions of every marking, and the readers who look for them.
//! Shared by the archive's, the access crate's and the CLI's leak suites (the
//! archive they are ingested into is built by `leak_build`).

// Each test crate uses a subset of these helpers.
#![allow(dead_code)]

use cablescope_format::marking::{Clearance, Control};
use cablescope_testkit::Telegram;

/// A telegram as the clearance tests write them: TAGS `PREL, XX`, every other
/// part at the testkit's defaults until set.
pub fn tg(station: &str, serial: u32, dtg: &str) -> Telegram {
    Telegram::new(station, serial).dtg(dtg).tags("PREL, XX")
}

/// The canary corpus, as (id, telegram). Each cable is alone in its month, so a
/// month bucket shows exactly whether a reader may count it.
pub fn cables() -> Vec<(&'static str, Telegram)> {
    vec![
        (
            "08PARIS10",
            tg("PARIS", 10, "051119Z JAN 08")
                .eo("N/A")
                .subject("(U) OPEN MATTERS")
                .para("U", "Open zqunclas paragraph about zqcommon trade."),
        ),
        (
            "08PARIS11",
            tg("PARIS", 11, "061119Z FEB 08")
                .eo("N/A")
                .subject("(U) SENSITIVE MATTERS")
                .para("U", "Open zqopenparis paragraph.")
                .para("SBU", "Sensitive zqsbuword paragraph."),
        ),
        (
            "08MOSCOW20",
            tg("MOSCOW", 20, "071119Z MAR 08")
                .class("SECRET")
                .eo("DECL: 1.4(B), (D)")
                .subject("(S) ZQSUBJECT TALKS WITH THE MINISTRY")
                .refs("A. 08 MOSCOW 30")
                .classified_by("Ambassador John Zqclassby")
                .para(
                    "U",
                    "Summary: The zqmixopen delegation arrived. End summary.",
                )
                .para("C", "Confidential zqconfid paragraph.")
                .para("S", "Secret zqsecret paragraph.")
                .para("S/NF", "Noforn zqnoforn paragraph.")
                .para("", "Unmarked zqunmarked paragraph."),
        ),
        (
            "08MOSCOW30",
            tg("MOSCOW", 30, "081119Z APR 08")
                .class("CONFIDENTIAL")
                .eo("DECL: 04/08/2018")
                .subject("(C) EARLIER NOTE")
                .para("C", "Target zqtarget paragraph."),
        ),
        (
            "08STATE40",
            tg("STATE", 40, "091119Z MAY 08")
                .class("SECRET")
                .captions(&["NODIS"])
                .eo("DECL: 05/09/2033")
                .subject("(U) A VERY PRIVATE MATTER")
                .para("U", "Nodis zqnodis paragraph about zqcommon trade."),
        ),
        (
            "08STATE50",
            tg("STATE", 50, "101119Z JUN 08")
                .class("CONFIDENTIAL")
                .captions(&["EXDIS"])
                .eo("DECL: 06/10/2018")
                .subject("(C) EXCLUSIVE")
                .para("C", "Exdis zqexdis paragraph."),
        ),
        (
            "08PARIS70",
            tg("PARIS", 70, "111119Z JUL 08")
                .eo("N/A")
                .subject("(U) CITATIONS")
                .refs("A. 08 STATE 40 B. 08 STATE 99")
                .para("U", "Citing zqcite paragraph."),
        ),
        (
            "08LONDON80",
            tg("LONDON", 80, "121119Z AUG 08")
                .class("TOP SECRET")
                .eo("DECL: 25X1-HUMAN")
                .subject("(U) LONDON ITEMS")
                .para("U", "Open zqlondonopen paragraph.")
                .para("TS", "Top zqtopsec paragraph."),
        ),
    ]
}

/// The readers of the tests: U, SBU, C, S, S with NOFORN, TS with every caveat,
/// and TS with every caveat but NODIS.
pub fn readers() -> Vec<(&'static str, Clearance)> {
    let all_but_nodis: Vec<&str> = Control::ALL
        .iter()
        .map(|c| c.name())
        .filter(|c| *c != "NODIS")
        .collect();
    vec![
        ("U", Clearance::parse("U", &[]).expect("U")),
        ("SBU", Clearance::parse("SBU", &[]).expect("SBU")),
        ("C", Clearance::parse("C", &[]).expect("C")),
        ("S", Clearance::parse("S", &[]).expect("S")),
        (
            "S+NOFORN",
            Clearance::parse("S", &["NOFORN"]).expect("S+NF"),
        ),
        ("TS+ALL", Clearance::all()),
        (
            "TS-NODIS",
            Clearance::parse("TS", &all_but_nodis).expect("TS"),
        ),
    ]
}

/// A canary: a word, the cable it is planted in, a phrase around it, and who may
/// read it (minimum level rank 0 U … 4 TS, caveats needed).
pub struct Canary {
    /// The word.
    pub word: &'static str,
    /// Its cable.
    pub cable: &'static str,
    /// A phrase holding it.
    pub phrase: &'static str,
    /// A field it must be searched in (`subject`, `classified_by`), or "" for text.
    pub field: &'static str,
    /// Lowest level rank that reads it.
    pub rank: u8,
    /// Caveats needed.
    pub caveats: &'static [&'static str],
}

impl Canary {
    /// True when `c` may read this canary (the test's own oracle, independent of
    /// the archive's code).
    pub fn readable_by(&self, c: &Clearance) -> bool {
        c.rank >= self.rank
            && self
                .caveats
                .iter()
                .all(|cv| c.controls.iter().any(|h| h.name() == *cv))
    }
}

/// Every canary.
pub const CANARIES: &[Canary] = &[
    Canary {
        word: "zqunclas",
        cable: "08PARIS10",
        phrase: "open zqunclas paragraph",
        field: "",
        rank: 0,
        caveats: &[],
    },
    Canary {
        word: "zqsbuword",
        cable: "08PARIS11",
        phrase: "sensitive zqsbuword",
        field: "",
        rank: 1,
        caveats: &[],
    },
    Canary {
        word: "zqmixopen",
        cable: "08MOSCOW20",
        phrase: "the zqmixopen delegation",
        field: "",
        rank: 0,
        caveats: &[],
    },
    Canary {
        word: "zqconfid",
        cable: "08MOSCOW20",
        phrase: "confidential zqconfid",
        field: "",
        rank: 2,
        caveats: &[],
    },
    Canary {
        word: "zqsecret",
        cable: "08MOSCOW20",
        phrase: "secret zqsecret paragraph",
        field: "",
        rank: 3,
        caveats: &[],
    },
    Canary {
        word: "zqnoforn",
        cable: "08MOSCOW20",
        phrase: "noforn zqnoforn",
        field: "",
        rank: 3,
        caveats: &["NOFORN"],
    },
    Canary {
        word: "zqunmarked",
        cable: "08MOSCOW20",
        phrase: "unmarked zqunmarked",
        field: "",
        rank: 3,
        caveats: &[],
    },
    Canary {
        word: "zqsubject",
        cable: "08MOSCOW20",
        phrase: "zqsubject talks",
        field: "subject",
        rank: 3,
        caveats: &[],
    },
    Canary {
        word: "zqclassby",
        cable: "08MOSCOW20",
        phrase: "john zqclassby",
        field: "classified_by",
        rank: 3,
        caveats: &[],
    },
    Canary {
        word: "zqtarget",
        cable: "08MOSCOW30",
        phrase: "target zqtarget",
        field: "",
        rank: 2,
        caveats: &[],
    },
    Canary {
        word: "zqnodis",
        cable: "08STATE40",
        phrase: "nodis zqnodis",
        field: "",
        rank: 0,
        caveats: &["NODIS"],
    },
    Canary {
        word: "zqexdis",
        cable: "08STATE50",
        phrase: "exdis zqexdis",
        field: "",
        rank: 2,
        caveats: &["EXDIS"],
    },
    Canary {
        word: "zqcite",
        cable: "08PARIS70",
        phrase: "citing zqcite",
        field: "",
        rank: 0,
        caveats: &[],
    },
    Canary {
        word: "zqtopsec",
        cable: "08LONDON80",
        phrase: "top zqtopsec",
        field: "",
        rank: 4,
        caveats: &[],
    },
];

/// Which cables a reader sees: those with a readable canary, or a readable
/// portion without one (the oracle, from the fixture's own markings).
pub fn visible_cables(c: &Clearance) -> Vec<&'static str> {
    let mut v: Vec<&str> = Vec::new();
    let nodis = c.controls.contains(&Control::Nodis);
    let exdis = c.controls.contains(&Control::Exdis);
    v.push("08PARIS10");
    v.push("08PARIS11");
    v.push("08MOSCOW20"); // (U) paragraph, no cable-wide caveat
    if c.rank >= 2 {
        v.push("08MOSCOW30");
    }
    if nodis {
        v.push("08STATE40");
    }
    if exdis && c.rank >= 2 {
        v.push("08STATE50");
    }
    v.push("08PARIS70");
    v.push("08LONDON80"); // (U) paragraph
    v.sort();
    v
}
