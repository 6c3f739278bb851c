//! What the server's authentication and leak tests share: hand-written telegrams
//! that plant unique canary words in portions of every marking, the users who look
//! for them (one per clearance, a curator, an admin, an expired and a revoked one),
//! the oracle of who may read what (from the fixtures' own markings, independent of
//! the archive's code), and a small client for the router.

// Each test crate uses a subset of these helpers.
#![allow(dead_code)]

#[path = "../../../archive/tests/backend/mod.rs"]
pub mod backend;

/// Where the users and the audit log of the archive in `dir` are for this run:
/// beside its store (`access.db`, or the test database on the PostgreSQL pass).
pub fn access(dir: &std::path::Path) -> cablescope_access::AccessLocation {
    cablescope_access::AccessLocation::beside(dir, &backend::location(dir))
}

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use cablescope_access::users::{Role, Users};
use cablescope_access::{Admin, Clearance, IngestOptions};
use cablescope_server::{AppState, ServerConfig};
use serde_json::Value;
use tower::ServiceExt;

/// A hand-written telegram.
pub struct Tg {
    /// Canonical id the parser gives it.
    pub id: &'static str,
    /// Station.
    pub station: &'static str,
    /// Serial.
    pub serial: u32,
    /// Date-time group.
    pub dtg: &'static str,
    /// Classification line (`S E C R E T`, `UNCLAS`).
    pub class_line: &'static str,
    /// Caption lines.
    pub captions: &'static [&'static str],
    /// What follows `E.O. 12958: `.
    pub decl: &'static str,
    /// SUBJECT line, with its mark.
    pub subject: &'static str,
    /// REF line, empty for none.
    pub refs: &'static str,
    /// Classified By name, empty for none.
    pub classified_by: &'static str,
    /// Paragraphs: (mark, "" for unmarked; text).
    pub paras: &'static [(&'static str, &'static str)],
}

impl Tg {
    /// The telegram text.
    pub fn text(&self) -> String {
        let mut s = format!(
            "R {}\nFM AMEMBASSY {st}\nTO RUEHC/SECSTATE WASHDC 4411\nBT\n{} {st} {:06}\n\n",
            self.dtg,
            self.class_line,
            self.serial,
            st = self.station
        );
        for c in self.captions {
            s.push_str(c);
            s.push('\n');
        }
        s.push_str(&format!(
            "\nE.O. 12958: {}\nTAGS: PGOV, KV\nSUBJECT: {}\n\n",
            self.decl, self.subject
        ));
        if !self.refs.is_empty() {
            s.push_str(&format!("REF: {}\n\n", self.refs));
        }
        if !self.classified_by.is_empty() {
            s.push_str(&format!(
                "Classified By: Charge Mary {}, reasons 1.4 (b) and (d).\n\n",
                self.classified_by
            ));
        }
        for (i, (m, t)) in self.paras.iter().enumerate() {
            if m.is_empty() {
                s.push_str(&format!("{}. {t}\n\n", i + 1));
            } else {
                s.push_str(&format!("{}. ({m}) {t}\n\n", i + 1));
            }
        }
        s.push_str("WHITFIELD\n");
        s
    }
}

/// The fixture cables. Each is alone in its month.
pub const CABLES: &[Tg] = &[
    Tg {
        id: "09ROME1",
        station: "ROME",
        serial: 1,
        dtg: "021015Z JAN 09",
        class_line: "UNCLAS",
        captions: &["SIPDIS"],
        decl: "N/A",
        subject: "(U) HARBOUR FEES",
        refs: "",
        classified_by: "",
        paras: &[("U", "The kvopen harbour fees were discussed.")],
    },
    Tg {
        id: "09ROME2",
        station: "ROME",
        serial: 2,
        dtg: "031015Z FEB 09",
        class_line: "C O N F I D E N T I A L",
        captions: &["SIPDIS"],
        decl: "DECL: 02/03/2099",
        subject: "(U) PORT VISIT",
        refs: "",
        classified_by: "",
        paras: &[
            ("U", "A kvconfopen port visit is planned."),
            ("C", "The kvescort escort stays offshore."),
        ],
    },
    Tg {
        id: "09BERLIN3",
        station: "BERLIN",
        serial: 3,
        dtg: "041015Z MAR 09",
        class_line: "S E C R E T",
        captions: &["SIPDIS"],
        decl: "DECL: 03/04/2099",
        subject: "(S) KVSUBJECT TALKS ON PIPELINES",
        refs: "A. 09 ROME 2",
        classified_by: "Kvclassby",
        paras: &[
            ("U", "The kvmixopen delegation met officials."),
            ("C", "Officials raised kvmixconf tariffs."),
            ("S", "The minister disclosed kvsecret reserves."),
            ("S/NF", "Liaison shared kvnoforn reporting."),
            ("", "Post assesses kvunmarked risks."),
        ],
    },
    Tg {
        id: "09STATE4",
        station: "STATE",
        serial: 4,
        dtg: "051015Z APR 09",
        class_line: "S E C R E T",
        captions: &["NODIS"],
        decl: "DECL: 04/05/2099",
        subject: "(U) A PRIVATE CHANNEL",
        refs: "",
        classified_by: "",
        paras: &[("U", "The kvnodis channel stays open.")],
    },
    Tg {
        id: "09TOKYO5",
        station: "TOKYO",
        serial: 5,
        dtg: "061015Z MAY 09",
        class_line: "S E C R E T",
        captions: &["SIPDIS"],
        decl: "DECL: 05/06/2090",
        subject: "(S) KVHIDDENSUBJ TRADE",
        refs: "",
        classified_by: "",
        paras: &[("S", "Only kvwholesecret text here.")],
    },
    Tg {
        id: "09PARIS6",
        station: "PARIS",
        serial: 6,
        dtg: "071015Z JUN 09",
        class_line: "UNCLAS",
        captions: &["SIPDIS"],
        decl: "N/A",
        subject: "(U) CITATIONS",
        refs: "A. 09 TOKYO 5 B. 09 BERLIN 3",
        classified_by: "",
        paras: &[("U", "This kvcite cable cites two others.")],
    },
    Tg {
        id: "09LONDON7",
        station: "LONDON",
        serial: 7,
        dtg: "081015Z JUL 09",
        class_line: "T O P S E C R E T",
        captions: &["SIPDIS"],
        decl: "DECL: 07/08/2099",
        subject: "(U) LONDON NOTES",
        refs: "",
        classified_by: "",
        paras: &[
            ("U", "Open kvtsopen remarks."),
            ("TS", "Closed kvtopsec remarks."),
        ],
    },
    // Compound and unreadable marks in an UNCLAS cable: SBU NOFORN, a bare (NF),
    // and an unknown control (the cable's highest level, SBU, with NOFORN).
    Tg {
        id: "09LISBON8",
        station: "LISBON",
        serial: 8,
        dtg: "091015Z AUG 09",
        class_line: "UNCLAS",
        captions: &["SIPDIS"],
        decl: "N/A",
        subject: "(U) LISBON ITEMS",
        refs: "",
        classified_by: "",
        paras: &[
            ("U", "Open kvmadopen remarks."),
            ("SBU NOFORN", "Sensitive kvsensnf remarks."),
            ("NF", "Bare kvbarenf remarks."),
            ("U//ZQX", "Oddly kvweirdmad marked remarks."),
        ],
    },
    // In a CONFIDENTIAL cable: C/NF/PROPIN, S-NF above the classification, and an
    // unknown control (highest level S, every control seen: NOFORN, PROPIN).
    Tg {
        id: "09CAIRO9",
        station: "CAIRO",
        serial: 9,
        dtg: "101015Z SEP 09",
        class_line: "C O N F I D E N T I A L",
        captions: &["SIPDIS"],
        decl: "DECL: 09/10/2019",
        subject: "(U) CAIRO ITEMS",
        refs: "",
        classified_by: "",
        paras: &[
            ("U", "Open kvcairopen remarks."),
            ("C/NF/PROPIN", "Vendor kvpropin remarks."),
            ("S-NF", "Dashed kvsdashnf remarks."),
            ("C//XQZ", "Oddly kvstrangecai marked remarks."),
        ],
    },
    // Every compound mark of the issue in a SECRET cable (ORCON and SI are judged
    // as one group per cable).
    Tg {
        id: "09OSLO10",
        station: "OSLO",
        serial: 10,
        dtg: "111015Z OCT 09",
        class_line: "S E C R E T",
        captions: &["SIPDIS"],
        decl: "DECL: 10/11/2034",
        subject: "(U) OSLO ITEMS",
        refs: "",
        classified_by: "",
        paras: &[
            ("U", "Open kvosloopen remarks."),
            ("S//OC/NF", "Orcon kvorcon remarks."),
            ("S//SI//NF", "Sigint kvsigint remarks."),
            ("S/NOFORN/ORCON", "Spelt kvnforcon remarks."),
            ("S//NF//REL", "Release kvnfrel remarks."),
            ("S/REL/NF", "Slashed kvrelnf remarks."),
            ("S//ZQX", "Oddly kvbizarreos marked remarks."),
        ],
    },
    // The SECRET copy of a cable; `COPIES` holds a longer UNCLAS copy.
    Tg {
        id: "09VIENNA11",
        station: "VIENNA",
        serial: 11,
        dtg: "121015Z NOV 09",
        class_line: "S E C R E T",
        captions: &["SIPDIS"],
        decl: "DECL: 11/12/2034",
        subject: "(S) KVCOPYSUBJ VISIT",
        refs: "",
        classified_by: "",
        paras: &[
            ("S", "The envoy named kvcopysecret sources in the capital."),
            ("S", "The second kvcopytwo paragraph names the minister."),
        ],
    },
    // The UNCLAS copy of a cable; `COPIES` holds a CONFIDENTIAL copy.
    Tg {
        id: "09DUBLIN12",
        station: "DUBLIN",
        serial: 12,
        dtg: "131015Z DEC 09",
        class_line: "UNCLAS",
        captions: &["SIPDIS"],
        decl: "N/A",
        subject: "(U) KVDUBSUBJ HARBOUR",
        refs: "",
        classified_by: "",
        paras: &[
            ("U", "The harbour kvdubconf plans were shown to the team."),
            ("U", "The port authority kvdubopen answered at length."),
        ],
    },
];

/// More copies of cables of [`CABLES`], as (file name, telegram), written beside
/// them: each file name sorts before `ID.txt`, so the UNCLAS copy of 09VIENNA11
/// arrives before its SECRET copy and the CONFIDENTIAL copy of 09DUBLIN12 before
/// its UNCLAS one.
pub const COPIES: &[(&str, Tg)] = &[
    (
        "09VIENNA11-copy.txt",
        Tg {
            id: "09VIENNA11",
            station: "VIENNA",
            serial: 11,
            dtg: "121015Z NOV 09",
            class_line: "UNCLAS",
            captions: &["SIPDIS"],
            decl: "N/A",
            subject: "(U) KVCOPYSUBJ VISIT",
            refs: "A. 09 ROME 2",
            classified_by: "Kvauthorby",
            paras: &[
                ("U", "The envoy named kvcopysecret sources in the capital."),
                ("U", "The second kvcopytwo paragraph names the minister."),
                ("U", "Third kvcopyopen paragraph about the weather."),
            ],
        },
    ),
    (
        "09DUBLIN12-copy.txt",
        Tg {
            id: "09DUBLIN12",
            station: "DUBLIN",
            serial: 12,
            dtg: "131015Z DEC 09",
            class_line: "C O N F I D E N T I A L",
            captions: &["SIPDIS"],
            decl: "DECL: 12/13/2019",
            subject: "(C) KVDUBSUBJ HARBOUR",
            refs: "",
            classified_by: "",
            paras: &[("C", "The harbour kvdubconf plans were shown to the team.")],
        },
    ),
];

/// A canary word, its cable, the field it must be searched in ("" for text), and
/// who may read it (lowest level rank 0 U … 4 TS; caveats needed).
pub struct Canary {
    /// The word (lower case).
    pub word: &'static str,
    /// Its cable.
    pub cable: &'static str,
    /// The query field (`subject`, `classified_by`) or "".
    pub field: &'static str,
    /// Lowest rank that reads it.
    pub rank: u8,
    /// Caveats needed.
    pub caveats: &'static [&'static str],
}

impl Canary {
    /// True when a reader with `c` may read this canary.
    pub fn readable_by(&self, c: &Clearance) -> bool {
        c.rank >= self.rank
            && self
                .caveats
                .iter()
                .all(|cv| c.controls.iter().any(|h| h.name() == *cv))
    }

    /// The query that finds it.
    pub fn query(&self) -> String {
        if self.field.is_empty() {
            self.word.to_string()
        } else {
            format!("{}:{}", self.field, self.word)
        }
    }
}

/// Every canary.
pub const CANARIES: &[Canary] = &[
    Canary {
        word: "kvopen",
        cable: "09ROME1",
        field: "",
        rank: 0,
        caveats: &[],
    },
    Canary {
        word: "kvconfopen",
        cable: "09ROME2",
        field: "",
        rank: 0,
        caveats: &[],
    },
    Canary {
        word: "kvescort",
        cable: "09ROME2",
        field: "",
        rank: 2,
        caveats: &[],
    },
    Canary {
        word: "kvsubject",
        cable: "09BERLIN3",
        field: "subject",
        rank: 3,
        caveats: &[],
    },
    Canary {
        word: "kvclassby",
        cable: "09BERLIN3",
        field: "classified_by",
        rank: 3,
        caveats: &[],
    },
    Canary {
        word: "kvmixopen",
        cable: "09BERLIN3",
        field: "",
        rank: 0,
        caveats: &[],
    },
    Canary {
        word: "kvmixconf",
        cable: "09BERLIN3",
        field: "",
        rank: 2,
        caveats: &[],
    },
    Canary {
        word: "kvsecret",
        cable: "09BERLIN3",
        field: "",
        rank: 3,
        caveats: &[],
    },
    Canary {
        word: "kvnoforn",
        cable: "09BERLIN3",
        field: "",
        rank: 3,
        caveats: &["NOFORN"],
    },
    Canary {
        word: "kvunmarked",
        cable: "09BERLIN3",
        field: "",
        rank: 3,
        caveats: &[],
    },
    Canary {
        word: "kvnodis",
        cable: "09STATE4",
        field: "",
        rank: 0,
        caveats: &["NODIS"],
    },
    Canary {
        word: "kvhiddensubj",
        cable: "09TOKYO5",
        field: "subject",
        rank: 3,
        caveats: &[],
    },
    Canary {
        word: "kvwholesecret",
        cable: "09TOKYO5",
        field: "",
        rank: 3,
        caveats: &[],
    },
    Canary {
        word: "kvcite",
        cable: "09PARIS6",
        field: "",
        rank: 0,
        caveats: &[],
    },
    Canary {
        word: "kvtsopen",
        cable: "09LONDON7",
        field: "",
        rank: 0,
        caveats: &[],
    },
    Canary {
        word: "kvtopsec",
        cable: "09LONDON7",
        field: "",
        rank: 4,
        caveats: &[],
    },
    Canary {
        word: "kvmadopen",
        cable: "09LISBON8",
        field: "",
        rank: 0,
        caveats: &[],
    },
    Canary {
        word: "kvsensnf",
        cable: "09LISBON8",
        field: "",
        rank: 1,
        caveats: &["NOFORN"],
    },
    Canary {
        word: "kvbarenf",
        cable: "09LISBON8",
        field: "",
        rank: 0,
        caveats: &["NOFORN"],
    },
    Canary {
        word: "kvweirdmad",
        cable: "09LISBON8",
        field: "",
        rank: 1,
        caveats: &["NOFORN"],
    },
    Canary {
        word: "kvcairopen",
        cable: "09CAIRO9",
        field: "",
        rank: 0,
        caveats: &[],
    },
    Canary {
        word: "kvpropin",
        cable: "09CAIRO9",
        field: "",
        rank: 2,
        caveats: &["NOFORN", "PROPIN"],
    },
    Canary {
        word: "kvsdashnf",
        cable: "09CAIRO9",
        field: "",
        rank: 3,
        caveats: &["NOFORN"],
    },
    Canary {
        word: "kvstrangecai",
        cable: "09CAIRO9",
        field: "",
        rank: 3,
        caveats: &["NOFORN", "PROPIN"],
    },
    Canary {
        word: "kvosloopen",
        cable: "09OSLO10",
        field: "",
        rank: 0,
        caveats: &[],
    },
    Canary {
        word: "kvorcon",
        cable: "09OSLO10",
        field: "",
        rank: 3,
        caveats: &["NOFORN", "ORCON", "SI"],
    },
    Canary {
        word: "kvsigint",
        cable: "09OSLO10",
        field: "",
        rank: 3,
        caveats: &["NOFORN", "ORCON", "SI"],
    },
    Canary {
        word: "kvnforcon",
        cable: "09OSLO10",
        field: "",
        rank: 3,
        caveats: &["NOFORN", "ORCON", "SI"],
    },
    Canary {
        word: "kvnfrel",
        cable: "09OSLO10",
        field: "",
        rank: 3,
        caveats: &["NOFORN"],
    },
    Canary {
        word: "kvrelnf",
        cable: "09OSLO10",
        field: "",
        rank: 3,
        caveats: &["NOFORN"],
    },
    Canary {
        word: "kvbizarreos",
        cable: "09OSLO10",
        field: "",
        rank: 3,
        caveats: &["NOFORN", "ORCON", "SI"],
    },
    Canary {
        word: "kvcopysecret",
        cable: "09VIENNA11",
        field: "",
        rank: 3,
        caveats: &[],
    },
    Canary {
        word: "kvcopytwo",
        cable: "09VIENNA11",
        field: "",
        rank: 3,
        caveats: &[],
    },
    Canary {
        word: "kvcopyopen",
        cable: "09VIENNA11",
        field: "",
        rank: 0,
        caveats: &[],
    },
    Canary {
        word: "kvcopysubj",
        cable: "09VIENNA11",
        field: "subject",
        rank: 3,
        caveats: &[],
    },
    Canary {
        word: "kvauthorby",
        cable: "09VIENNA11",
        field: "classified_by",
        rank: 3,
        caveats: &[],
    },
    Canary {
        word: "kvdubconf",
        cable: "09DUBLIN12",
        field: "",
        rank: 2,
        caveats: &[],
    },
    Canary {
        word: "kvdubopen",
        cable: "09DUBLIN12",
        field: "",
        rank: 0,
        caveats: &[],
    },
    Canary {
        word: "kvdubsubj",
        cable: "09DUBLIN12",
        field: "subject",
        rank: 2,
        caveats: &[],
    },
];

/// The cables a reader with `c` sees (the oracle, from the fixtures' markings): a
/// cable without a readable portion, or with a cable-wide caveat the reader lacks,
/// is invisible.
pub fn visible_cables(c: &Clearance) -> BTreeSet<&'static str> {
    // Each of the others holds a (U) paragraph and no cable-wide caveat.
    let mut v: BTreeSet<&str> = [
        "09ROME1",
        "09ROME2",
        "09BERLIN3",
        "09PARIS6",
        "09LONDON7",
        "09LISBON8",
        "09CAIRO9",
        "09OSLO10",
        "09VIENNA11",
        "09DUBLIN12",
    ]
    .into_iter()
    .collect();
    if c.controls
        .contains(&cablescope_format::marking::Control::Nodis)
    {
        v.insert("09STATE4");
    }
    if c.rank >= 3 {
        v.insert("09TOKYO5");
    }
    v
}

/// For each invisible cable, an unknown id of the same length (so that an
/// identical answer is byte for byte identical, bar the id itself).
pub fn unknown_twin(id: &str) -> String {
    let (head, last) = id.split_at(id.len() - 1);
    let d = last.parse::<u8>().expect("ids end with a digit");
    format!("{head}{}", (d + 4) % 10)
}

/// A user of the tests.
pub struct TestUser {
    /// Name.
    pub name: &'static str,
    /// Role.
    pub role: Role,
    /// Clearance.
    pub clearance: Clearance,
}

/// The users: a reader per clearance, a curator and an admin.
pub fn test_users() -> Vec<TestUser> {
    let r = |name, level, caveats: &[&str], role| TestUser {
        name,
        role,
        clearance: Clearance::parse(level, caveats).expect("clearance"),
    };
    vec![
        r("u", "U", &[], Role::Reader),
        r("c", "C", &[], Role::Reader),
        r("s", "S", &[], Role::Reader),
        r("snf", "S", &["NOFORN"], Role::Reader),
        TestUser {
            name: "ts",
            role: Role::Reader,
            clearance: Clearance::all(),
        },
        r("curator", "C", &[], Role::Curator),
        TestUser {
            name: "admin",
            role: Role::Admin,
            clearance: Clearance::all(),
        },
    ]
}

/// A served fixture archive.
pub struct Env {
    /// Keeps the directory alive.
    pub tmp: tempfile::TempDir,
    /// The archive directory.
    pub dir: PathBuf,
    /// The application.
    pub app: axum::Router,
    /// Tokens by user name (closed archives).
    pub tokens: BTreeMap<&'static str, String>,
    /// The token of a user who expired yesterday.
    pub expired: String,
    /// The token of a revoked user.
    pub revoked: String,
}

/// Writes the fixtures and ingests them into `root/archive`.
pub fn build_archive(root: &Path) -> PathBuf {
    let src = root.join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    for c in CABLES {
        std::fs::write(src.join(format!("{}.txt", c.id)), c.text()).expect("write");
    }
    for (name, c) in COPIES {
        std::fs::write(src.join(name), c.text()).expect("write");
    }
    let dir = root.join("archive");
    let mut a = Admin::open_on(&dir, &backend::location(&dir)).expect("open archive");
    let p = a
        .ingest(&[src], &IngestOptions::default(), &mut |_| {})
        .expect("ingest");
    assert_eq!(p.cables_written as usize, CABLES.len(), "{p:?}");
    a.close_writer();
    dir
}

impl Env {
    /// The fixture archive without users (open).
    pub fn open() -> Env {
        Env::build(false, ServerConfig::default())
    }

    /// The fixture archive with the test users (closed).
    pub fn closed() -> Env {
        Env::build(true, ServerConfig::default())
    }

    /// The fixture archive, with users when `users`, served with `config`.
    pub fn build(users: bool, config: ServerConfig) -> Env {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = build_archive(tmp.path());
        let mut tokens = BTreeMap::new();
        let (mut expired, mut revoked) = (String::new(), String::new());
        if users {
            let u = Users::open(access(&dir)).expect("users");
            for t in test_users() {
                tokens.insert(
                    t.name,
                    u.add(t.name, &t.clearance, t.role, None).expect("add"),
                );
            }
            let two_days_ago = cablescope_access::audit::Timestamp::now()
                - std::time::Duration::from_secs(2 * 24 * 3600);
            expired = u
                .add_at("old", &Clearance::all(), Role::Admin, Some(1), two_days_ago)
                .expect("add expired");
            revoked = u
                .add("gone", &Clearance::all(), Role::Admin, None)
                .expect("add revoked");
            u.revoke("gone").expect("revoke");
        }
        let config = ServerConfig {
            store: backend::location(&dir),
            ..config
        };
        let app = cablescope_server::router(AppState::open(&dir, config).expect("serve"));
        Env {
            tmp,
            dir,
            app,
            tokens,
            expired,
            revoked,
        }
    }

    /// The token of `user`.
    pub fn token(&self, user: &str) -> &str {
        self.tokens
            .get(user)
            .map(String::as_str)
            .expect("a test user")
    }

    /// The users of the tests, with their tokens.
    pub fn users(&self) -> Vec<(TestUser, String)> {
        test_users()
            .into_iter()
            .map(|u| {
                let t = self.token(u.name).to_string();
                (u, t)
            })
            .collect()
    }

    /// The audit log's entries.
    pub fn audit(&self) -> Vec<cablescope_access::audit::AuditRecord> {
        cablescope_access::audit::AuditLog::open(access(&self.dir))
            .expect("audit log")
            .entries(&Default::default())
            .expect("entries")
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body as text.
    pub body: String,
}

impl Reply {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    /// A header's value ("" when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Every `Set-Cookie` header.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }

    /// The `Set-Cookie` header of cookie `name`.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// The JSON error code.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

/// The value of a `Set-Cookie` header (`name=VALUE; ...` → `VALUE`).
pub fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_string())
        .unwrap_or_default()
}

/// A request being built.
pub struct Req {
    inner: Request<Body>,
}

impl Req {
    /// A request with `method` to `uri`, from 127.0.0.1.
    pub fn new(method: Method, uri: &str) -> Req {
        let mut inner = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, "archive.test")
            .body(Body::empty())
            .expect("request");
        inner.extensions_mut().insert(ConnectInfo(SocketAddr::new(
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            40000,
        )));
        Req { inner }
    }

    /// A GET.
    pub fn get(uri: &str) -> Req {
        Req::new(Method::GET, uri)
    }

    /// A POST.
    pub fn post(uri: &str) -> Req {
        Req::new(Method::POST, uri)
    }

    /// With a header.
    pub fn header(mut self, name: &'static str, value: &str) -> Req {
        self.inner
            .headers_mut()
            .append(name, value.parse().expect("header value"));
        self
    }

    /// With `Authorization: Bearer token`.
    pub fn bearer(self, token: &str) -> Req {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// From the client address 10.0.(n/256).(n%256).
    pub fn client(mut self, n: u32) -> Req {
        let ip = Ipv4Addr::new(10, 0, (n / 256) as u8, (n % 256) as u8);
        self.inner
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(IpAddr::V4(ip), 40000)));
        self
    }

    /// With a body.
    pub fn body(mut self, content_type: &str, body: impl Into<Body>) -> Req {
        *self.inner.body_mut() = body.into();
        self.header("content-type", content_type)
    }

    /// With a URL-encoded form body.
    pub fn form(self, fields: &[(&str, &str)]) -> Req {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.body("application/x-www-form-urlencoded", body)
    }

    /// Sends it to `app`.
    pub async fn send(self, app: &axum::Router) -> Reply {
        let resp = app.clone().oneshot(self.inner).await.expect("response");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .expect("body");
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

/// The (method, path) of every route in the OpenAPI document.
pub async fn documented_routes(app: &axum::Router) -> BTreeSet<(String, String)> {
    let doc = Req::get("/api/openapi.json").send(app).await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.body);
    let doc = doc.json();
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                out.insert((method.clone(), path.clone()));
            }
        }
    }
    out
}

/// A concrete URI for a documented path (path parameters filled in).
pub fn example_uri(path: &str) -> String {
    path.replace("{id}", "09ROME1").replace("{name}", "u")
}
