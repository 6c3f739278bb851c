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
        // Compound and unreadable marks in an UNCLAS cable: SBU NOFORN, a bare
        // (NF) (the cable's level with NOFORN), and a mark with an unknown control
        // (the cable's highest level, SBU, and every control seen: NOFORN).
        (
            "08MADRID90",
            tg("MADRID", 90, "131119Z SEP 08")
                .eo("N/A")
                .subject("(U) MADRID ITEMS")
                .para("U", "Open zqmadopen paragraph.")
                .para("SBU NOFORN", "Sensitive zqsensnf paragraph.")
                .para("NF", "Bare zqbarenf paragraph.")
                .para("U//ZQX", "Oddly zqweirdmad marked paragraph."),
        ),
        // In a CONFIDENTIAL cable: C/NF/PROPIN, S-NF above the classification, and
        // an unknown control (highest level S, every control seen: NOFORN, PROPIN).
        (
            "08CAIRO91",
            tg("CAIRO", 91, "141119Z OCT 08")
                .class("CONFIDENTIAL")
                .eo("DECL: 10/14/2018")
                .subject("(U) CAIRO ITEMS")
                .para("U", "Open zqcairopen paragraph.")
                .para("C/NF/PROPIN", "Vendor zqpropin paragraph.")
                .para("S-NF", "Dashed zqsdashnf paragraph.")
                .para("C//XQZ", "Oddly zqstrangecai marked paragraph."),
        ),
        // A SECRET copy (this one) and a longer UNCLAS copy of the same cable
        // (`extra_copies`, whose file sorts first: the low copy comes first).
        (
            "08VIENNA92",
            tg("VIENNA", 92, "151119Z NOV 08")
                .class("SECRET")
                .eo("DECL: 11/15/2033")
                .subject("(S) ZQCOPYSUBJ VISIT")
                .para("S", "The envoy named zqcopysecret sources in the capital.")
                .para("S", "The second zqcopytwo paragraph names the minister."),
        ),
        // An UNCLAS copy (this one) and a CONFIDENTIAL copy of the same cable whose
        // file sorts first: the high copy comes first.
        (
            "08DUBLIN93",
            tg("DUBLIN", 93, "161119Z DEC 08")
                .eo("N/A")
                .subject("(U) ZQDUBSUBJ HARBOUR")
                .para("U", "The harbour zqdubconf plans were shown to the team.")
                .para("U", "The port authority zqdubopen answered at length."),
        ),
        // A SECRET cable with every compound mark of the issue: special controls
        // (ORCON, SI) are one group per cable, so each of their portions needs both.
        (
            "09OSLO94",
            tg("OSLO", 94, "171119Z JAN 09")
                .class("SECRET")
                .eo("DECL: 01/17/2034")
                .subject("(U) OSLO ITEMS")
                .para("U", "Open zqosloopen paragraph.")
                .para("S//OC/NF", "Orcon zqorcon paragraph.")
                .para("S//SI//NF", "Sigint zqsigint paragraph.")
                .para("S/NOFORN/ORCON", "Spelt zqnforcon paragraph.")
                .para("S//NF//REL", "Release zqnfrel paragraph.")
                .para("S/REL/NF", "Slashed zqrelnf paragraph.")
                .para("S//ZQX", "Oddly zqbizarreos marked paragraph."),
        ),
    ]
}

/// More copies of cables of [`cables`], as (file name, telegram): written beside
/// them, so that copies at different levels merge. Each file name sorts before its
/// cable's `ID.txt` (`-` before `.`).
pub fn extra_copies() -> Vec<(&'static str, Telegram)> {
    vec![
        (
            // A longer UNCLAS copy of a SECRET cable, with header fields the
            // SECRET copy lacks (REF list, classified-by line): an attacker's copy.
            "08VIENNA92-copy.txt",
            tg("VIENNA", 92, "151119Z NOV 08")
                .eo("N/A")
                .subject("(U) ZQCOPYSUBJ VISIT")
                .refs("A. 08 MOSCOW 30")
                .classified_by("Ambassador Jane Zqauthorby")
                .para("U", "The envoy named zqcopysecret sources in the capital.")
                .para("U", "The second zqcopytwo paragraph names the minister.")
                .para("U", "Third zqcopyopen paragraph about the weather."),
        ),
        (
            "08DUBLIN93-copy.txt",
            tg("DUBLIN", 93, "161119Z DEC 08")
                .class("CONFIDENTIAL")
                .eo("DECL: 12/16/2018")
                .subject("(C) ZQDUBSUBJ HARBOUR")
                .para("C", "The harbour zqdubconf plans were shown to the team."),
        ),
    ]
}

/// Every file of the canary corpus, as (file name, text): each cable of
/// [`cables`] as `ID.txt`, and the [`extra_copies`].
pub fn files() -> Vec<(String, String)> {
    cables()
        .into_iter()
        .map(|(id, t)| (format!("{id}.txt"), t.text()))
        .chain(
            extra_copies()
                .into_iter()
                .map(|(f, t)| (f.to_string(), t.text())),
        )
        .collect()
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
    Canary {
        word: "zqmadopen",
        cable: "08MADRID90",
        phrase: "open zqmadopen",
        field: "",
        rank: 0,
        caveats: &[],
    },
    Canary {
        word: "zqsensnf",
        cable: "08MADRID90",
        phrase: "sensitive zqsensnf",
        field: "",
        rank: 1,
        caveats: &["NOFORN"],
    },
    Canary {
        word: "zqbarenf",
        cable: "08MADRID90",
        phrase: "bare zqbarenf",
        field: "",
        rank: 0,
        caveats: &["NOFORN"],
    },
    Canary {
        word: "zqweirdmad",
        cable: "08MADRID90",
        phrase: "oddly zqweirdmad",
        field: "",
        rank: 1,
        caveats: &["NOFORN"],
    },
    Canary {
        word: "zqcairopen",
        cable: "08CAIRO91",
        phrase: "open zqcairopen",
        field: "",
        rank: 0,
        caveats: &[],
    },
    Canary {
        word: "zqpropin",
        cable: "08CAIRO91",
        phrase: "vendor zqpropin",
        field: "",
        rank: 2,
        caveats: &["NOFORN", "PROPIN"],
    },
    Canary {
        word: "zqsdashnf",
        cable: "08CAIRO91",
        phrase: "dashed zqsdashnf",
        field: "",
        rank: 3,
        caveats: &["NOFORN"],
    },
    Canary {
        word: "zqstrangecai",
        cable: "08CAIRO91",
        phrase: "oddly zqstrangecai",
        field: "",
        rank: 3,
        caveats: &["NOFORN", "PROPIN"],
    },
    Canary {
        word: "zqcopysecret",
        cable: "08VIENNA92",
        phrase: "named zqcopysecret sources",
        field: "",
        rank: 3,
        caveats: &[],
    },
    Canary {
        word: "zqcopytwo",
        cable: "08VIENNA92",
        phrase: "second zqcopytwo paragraph",
        field: "",
        rank: 3,
        caveats: &[],
    },
    Canary {
        word: "zqcopysubj",
        cable: "08VIENNA92",
        phrase: "zqcopysubj visit",
        field: "subject",
        rank: 3,
        caveats: &[],
    },
    Canary {
        word: "zqauthorby",
        cable: "08VIENNA92",
        phrase: "jane zqauthorby",
        field: "classified_by",
        rank: 3,
        caveats: &[],
    },
    Canary {
        word: "zqcopyopen",
        cable: "08VIENNA92",
        phrase: "third zqcopyopen paragraph",
        field: "",
        rank: 0,
        caveats: &[],
    },
    Canary {
        word: "zqdubconf",
        cable: "08DUBLIN93",
        phrase: "harbour zqdubconf plans",
        field: "",
        rank: 2,
        caveats: &[],
    },
    Canary {
        word: "zqdubsubj",
        cable: "08DUBLIN93",
        phrase: "zqdubsubj harbour",
        field: "subject",
        rank: 2,
        caveats: &[],
    },
    Canary {
        word: "zqdubopen",
        cable: "08DUBLIN93",
        phrase: "authority zqdubopen",
        field: "",
        rank: 0,
        caveats: &[],
    },
    Canary {
        word: "zqosloopen",
        cable: "09OSLO94",
        phrase: "open zqosloopen",
        field: "",
        rank: 0,
        caveats: &[],
    },
    Canary {
        word: "zqorcon",
        cable: "09OSLO94",
        phrase: "orcon zqorcon",
        field: "",
        rank: 3,
        caveats: &["NOFORN", "ORCON", "SI"],
    },
    Canary {
        word: "zqsigint",
        cable: "09OSLO94",
        phrase: "sigint zqsigint",
        field: "",
        rank: 3,
        caveats: &["NOFORN", "ORCON", "SI"],
    },
    Canary {
        word: "zqnforcon",
        cable: "09OSLO94",
        phrase: "spelt zqnforcon",
        field: "",
        rank: 3,
        caveats: &["NOFORN", "ORCON", "SI"],
    },
    Canary {
        word: "zqnfrel",
        cable: "09OSLO94",
        phrase: "release zqnfrel",
        field: "",
        rank: 3,
        caveats: &["NOFORN"],
    },
    Canary {
        word: "zqrelnf",
        cable: "09OSLO94",
        phrase: "slashed zqrelnf",
        field: "",
        rank: 3,
        caveats: &["NOFORN"],
    },
    Canary {
        word: "zqbizarreos",
        cable: "09OSLO94",
        phrase: "oddly zqbizarreos",
        field: "",
        rank: 3,
        caveats: &["NOFORN", "ORCON", "SI"],
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
    v.push("08MADRID90");
    v.push("08CAIRO91");
    // A (U) paragraph that only the UNCLAS copy holds: no copy withholds it.
    v.push("08VIENNA92");
    v.push("08DUBLIN93");
    v.push("09OSLO94");
    v.sort();
    v
}
