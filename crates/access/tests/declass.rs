//! Declassification through the archive: the stored policy, `as_of`, the DECL
//! date, the 25-year rule and its exemptions, what a released cable shows to a U
//! reader (records, search, snippets, facets, walks), and the `declass due` list.

#[path = "../../archive/tests/leak_build/mod.rs"]
mod leak_build;
#[path = "../../archive/tests/leak_common/mod.rs"]
mod leak_common;

use cablescope_access::declass::ReleaseRule;
use cablescope_access::FacetSet;
use cablescope_access::{Access, Auditor, Library, Lookup, RefWalk, Viewer};
use cablescope_archive::query;
use cablescope_archive::{Archive, Clearance, DeclassPolicy, Direction, SearchOptions, Store};
use cablescope_format::Cable;
use jiff::civil::Date;
use leak_build::archive_of;
use leak_common::tg;

/// (id, telegram) of the fixtures: all SECRET from Moscow, each released by
/// another rule.
fn decl() -> Vec<(&'static str, String)> {
    let secret = |serial: u32, dtg: &str, decl: &str, subject: &str, para: &str| {
        tg("MOSCOW", serial, dtg)
            .class("SECRET")
            .eo(decl)
            .subject(subject)
            .para("S", para)
    };
    vec![
        (
            "85MOSCOW1",
            secret(
                1,
                "011200Z FEB 85",
                "DECL: 02/01/2005",
                "(S) ZQSUBJONE",
                "First zqdeclone paragraph.",
            )
            .captions(&["NODIS"])
            .refs("A. 90 MOSCOW 2"),
        ),
        (
            "90MOSCOW2",
            secret(
                2,
                "011200Z MAR 90",
                "DECL: OADR",
                "(S) SECOND",
                "Second zqdecltwo paragraph.",
            ),
        ),
        (
            "95MOSCOW3",
            secret(
                3,
                "011200Z JUN 95",
                "DECL: 25X1-HUMAN",
                "(S) THIRD",
                "Third zqdeclthree paragraph.",
            ),
        ),
        (
            "08MOSCOW4",
            secret(
                4,
                "051119Z JUN 08",
                "DECL: 06/05/2033",
                "(S) FOURTH",
                "Fourth zqdeclfour paragraph.",
            ),
        ),
    ]
    .into_iter()
    .map(|(id, t)| (id, t.text()))
    .collect()
}

/// The record-level reads of a reader, through the access crate.
trait Reads {
    fn access(&self, c: Clearance, as_of: Option<Date>) -> cablescope_archive::Result<Access>;
    fn cable_for(&self, id: &str, acc: &Access) -> cablescope_archive::Result<Option<Cable>>;
    fn refs_for(
        &self,
        id: &str,
        dir: Direction,
        depth: u32,
        acc: &Access,
    ) -> cablescope_archive::Result<Option<RefWalk>>;
}

impl Reads for Archive {
    fn access(&self, c: Clearance, as_of: Option<Date>) -> cablescope_archive::Result<Access> {
        Ok(Access::new(
            c,
            as_of.unwrap_or_else(cablescope_access::declass::today),
            self.declass_policy()?,
        ))
    }

    fn cable_for(&self, id: &str, acc: &Access) -> cablescope_archive::Result<Option<Cable>> {
        Ok(self.cable(id)?.and_then(|c| acc.redact(&c)))
    }

    fn refs_for(
        &self,
        id: &str,
        dir: Direction,
        depth: u32,
        acc: &Access,
    ) -> cablescope_archive::Result<Option<RefWalk>> {
        let lib =
            Library::open_for_reading_on(self.dir(), &leak_build::backend::location(self.dir()))?;
        let auditor = Auditor::new(self.dir());
        let viewer = Viewer {
            name: None,
            role: None,
            clearance: acc.clearance.clone(),
        };
        let s = lib.session(&viewer, Some(acc.as_of), &auditor)?;
        assert_eq!(&s.access().policy, &acc.policy);
        Ok(match s.refs(id, dir, depth)? {
            Lookup::Found(w) => Some(w),
            _ => None,
        })
    }
}

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn build(dir: &std::path::Path) -> Archive {
    archive_of(dir, decl().into_iter())
}

fn u() -> Clearance {
    Clearance::parse("U", &[]).unwrap()
}

fn found(a: &Archive, q: &str, acc: &Access) -> Vec<String> {
    let r = a
        .search_str(
            q,
            &SearchOptions {
                limit: 50,
                ..acc.search_options()
            },
        )
        .unwrap();
    let mut v: Vec<String> = r.hits.into_iter().map(|h| h.id).collect();
    v.sort();
    v
}

fn on(exempt: &str) -> DeclassPolicy {
    DeclassPolicy {
        enabled: true,
        exempt: DeclassPolicy::parse_exempt(exempt).unwrap(),
    }
}

#[test]
fn the_records_carry_what_the_rules_need() {
    let tmp = tempfile::tempdir().unwrap();
    let a = build(tmp.path());
    let c = a.cable("85MOSCOW1").unwrap().unwrap();
    assert_eq!(c.declassify_on.as_deref(), Some("2005-02-01"));
    assert_eq!(c.created.as_deref().map(|s| &s[..10]), Some("1985-02-01"));
    let s = cablescope_archive::declass::schedule(&a.cable("90MOSCOW2").unwrap().unwrap());
    assert_eq!(
        s.map(|s| (s.date, s.rule)),
        Some((d("2015-12-31"), ReleaseRule::TwentyFiveYears))
    );
    let s = cablescope_archive::declass::schedule(&a.cable("95MOSCOW3").unwrap().unwrap()).unwrap();
    assert_eq!(s.codes, ["25X1"]);
}

#[test]
fn the_policy_is_off_by_default_and_as_of_then_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let a = build(tmp.path());
    assert_eq!(a.declass_policy().unwrap(), DeclassPolicy::default());
    for as_of in ["1980-01-01", "2020-01-01", "2100-01-01"] {
        let acc = a.access(u(), Some(d(as_of))).unwrap();
        assert!(!acc.policy.enabled);
        assert!(found(&a, "*", &acc).is_empty(), "{as_of}");
        assert!(found(&a, "zqdeclone OR zqdecltwo", &acc).is_empty());
        assert!(a.cable_for("90MOSCOW2", &acc).unwrap().is_none());
    }
}

#[test]
fn released_cables_read_as_unclassified_from_their_date() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = build(tmp.path());
    a.set_declass_policy(&on(""))
        .unwrap_or_else(|e| panic!("{e}"));
    // The policy is stored in the archive.
    drop(a);
    let a = leak_build::backend::open(tmp.path().join("archive"));
    assert!(a.declass_policy().unwrap().enabled);

    let at = |date: &str| a.access(u(), Some(d(date))).unwrap();
    // A DECL date: released on that day, not the day before; NODIS lifted too.
    assert!(found(&a, "zqdeclone", &at("2005-01-31")).is_empty());
    assert_eq!(found(&a, "zqdeclone", &at("2005-02-01")), ["85MOSCOW1"]);
    let rec = a
        .cable_for("85MOSCOW1", &at("2005-02-01"))
        .unwrap()
        .unwrap();
    assert_eq!(rec, a.cable("85MOSCOW1").unwrap().unwrap());
    // The 25-year rule: 1990 → 2015-12-31.
    assert!(found(&a, "zqdecltwo", &at("2015-12-30")).is_empty());
    assert_eq!(found(&a, "zqdecltwo", &at("2015-12-31")), ["90MOSCOW2"]);
    // With no exemptions, the 25X1 cable follows the 25-year rule too (1995 → 2020).
    assert_eq!(found(&a, "zqdeclthree", &at("2021-01-01")), ["95MOSCOW3"]);
    // Every query form and field sees a released cable whole.
    let acc = at("2021-01-01");
    for q in [
        "\"first zqdeclone paragraph\"",
        "zqdeclo*",
        "zqdeclonx~1",
        "subject:zqsubjone",
        "cites:90MOSCOW2",
        "cited_by:85MOSCOW1",
    ] {
        assert_eq!(found(&a, q, &acc).len(), 1, "{q}");
    }
    let r = a
        .search_str(
            "zqdeclone",
            &SearchOptions {
                snippets: true,
                facets: FacetSet::ALL,
                ..acc.search_options()
            },
        )
        .unwrap();
    assert_eq!(r.hits[0].subject.as_deref(), Some("ZQSUBJONE"));
    assert!(r.hits[0]
        .snippet
        .as_deref()
        .unwrap()
        .contains("<b>zqdeclone</b>"));
    assert_eq!(r.facets["month"], [("1985-02".to_string(), 1)]);
    // Walks and the graph see the released REF list.
    let w = a
        .refs_for("85MOSCOW1", Direction::Cites, 1, &acc)
        .unwrap()
        .unwrap();
    assert_eq!(w.edges.len(), 1);
    assert!(w.missing().is_empty());
    let s = a.stats_for(10, &acc.scope()).unwrap();
    assert_eq!(s.cables, 3);
    // The future date is not reached.
    assert!(found(&a, "zqdeclfour", &acc).is_empty());
    // The trait search path agrees.
    let q = a
        .translate_for(&query::parse("zqdecltwo").unwrap(), &acc.scope())
        .unwrap();
    let r = a.search(q.as_ref(), &acc.search_options()).unwrap();
    assert_eq!(r.total, 1);
}

#[test]
fn exemption_codes_keep_cables_classified() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = build(tmp.path());
    a.set_declass_policy(&DeclassPolicy {
        enabled: true,
        ..DeclassPolicy::default()
    })
    .unwrap();
    let acc = a.access(u(), Some(d("2030-01-01"))).unwrap();
    assert!(found(&a, "zqdeclthree", &acc).is_empty());
    assert_eq!(
        found(&a, "*", &acc),
        ["85MOSCOW1", "90MOSCOW2"],
        "the 25X1 cable stays exempt"
    );
    a.set_declass_policy(&on("25X6")).unwrap();
    let acc = a.access(u(), Some(d("2030-01-01"))).unwrap();
    assert_eq!(found(&a, "zqdeclthree", &acc), ["95MOSCOW3"]);
}

#[test]
fn due_lists_what_releases_next() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = build(tmp.path());
    let all = |as_of: &str| Access::new(Clearance::all(), d(as_of), DeclassPolicy::default());
    let due = a
        .declass_due(d("2016-01-01"), &all("2000-01-01").scope())
        .unwrap();
    let got: Vec<(&str, Date, &str)> = due
        .iter()
        .map(|x| (x.id.as_str(), x.release, x.level.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("85MOSCOW1", d("2005-02-01"), "S"),
            ("90MOSCOW2", d("2015-12-31"), "S")
        ]
    );
    assert_eq!(due[0].rule, ReleaseRule::DeclDate);
    // After the as-of date, before the limit (exclusive both ends).
    let due = a
        .declass_due(d("2033-06-05"), &all("2005-02-01").scope())
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].id, "90MOSCOW2");
    let due = a
        .declass_due(d("2040-01-01"), &all("2020-01-01").scope())
        .unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0].id, "08MOSCOW4");
    // Readers only learn of cables they may see.
    let s = Access::new(
        Clearance::parse("S", &[]).unwrap(),
        d("2000-01-01"),
        DeclassPolicy::default(),
    );
    let due = a.declass_due(d("2016-01-01"), &s.scope()).unwrap();
    assert_eq!(due.len(), 1, "the NODIS cable is not listed: {due:?}");
    // The exemption list decides: without exemptions the 25X1 cable is due.
    a.set_declass_policy(&on("none")).unwrap();
    let acc = a.access(Clearance::all(), Some(d("2016-01-01"))).unwrap();
    let due = a.declass_due(d("2021-01-01"), &acc.scope()).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].id, "95MOSCOW3");
    assert_eq!(due[0].release, d("2020-12-31"));
}

#[test]
fn the_store_keeps_its_own_settings_to_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = build(tmp.path());
    let seq = a.store().last_seq().unwrap();
    a.set_declass_policy(&on("25X1")).unwrap();
    // Changing the policy changes no cable and needs no reindexing.
    assert_eq!(a.store().last_seq().unwrap(), seq);
    assert!(a.verify().unwrap().ok());
    let mut s = cablescope_archive::SqliteStore::open(&tmp.path().join("archive")).unwrap();
    assert!(s.set_meta("next_seq", "1").is_err());
    assert!(s.set_meta("format_version", "9").is_err());
}
