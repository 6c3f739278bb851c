//! Determinism and the corpus's shape: classification mix, dates, citations.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use cablescope_generate::{generate, Generator, OutputFormat};

/// Every file under `dir`, relative path → bytes, in sorted order.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(dir).expect("read_dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).expect("prefix").display().to_string();
                out.insert(rel, fs::read(&p).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn same_arguments_give_identical_bytes() {
    for format in [
        OutputFormat::Telegram,
        OutputFormat::CablesCsv,
        OutputFormat::Html,
    ] {
        let a = tempfile::tempdir().expect("tempdir");
        let b = tempfile::tempdir().expect("tempdir");
        let sa = generate(1200, 5, format, a.path()).expect("generate");
        // A different thread count must not change a byte.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool");
        let sb = pool
            .install(|| generate(1200, 5, format, b.path()))
            .expect("generate");
        assert_eq!(sa, sb);
        let (x, y) = (snapshot(a.path()), snapshot(b.path()));
        assert_eq!(x.len(), y.len());
        assert!(x == y, "{format:?} output differs between runs");
        // A different seed gives a different corpus.
        let c = tempfile::tempdir().expect("tempdir");
        generate(1200, 6, format, c.path()).expect("generate");
        assert_ne!(
            fs::read(a.path().join("truth.jsonl")).expect("truth"),
            fs::read(c.path().join("truth.jsonl")).expect("truth")
        );
    }
}

#[test]
fn classification_mix_follows_cablegate() {
    let g = Generator::new(5000, 1);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for k in 0..g.len() {
        let c = g.cable(k, OutputFormat::Telegram);
        *counts.entry(c.truth.classification).or_default() += 1;
    }
    let share = |k: &str| *counts.get(k).unwrap_or(&0) as f64 / 5000.0;
    let u = share("UNCLASSIFIED") + share("UNCLASSIFIED//FOR OFFICIAL USE ONLY");
    let c = share("CONFIDENTIAL") + share("CONFIDENTIAL//NOFORN");
    let s = share("SECRET") + share("SECRET//NOFORN");
    eprintln!("{counts:?}");
    assert!((u - 0.533).abs() < 0.02, "unclassified {u}");
    assert!((c - 0.405).abs() < 0.02, "confidential {c}");
    assert!((s - 0.062).abs() < 0.01, "secret {s}");
    let fouo = share("UNCLASSIFIED//FOR OFFICIAL USE ONLY") / u;
    assert!(
        (0.35..0.50).contains(&fouo),
        "FOUO share of unclassified {fouo}"
    );
    let cnf = share("CONFIDENTIAL//NOFORN") / c;
    let snf = share("SECRET//NOFORN") / s;
    assert!(
        (0.02..0.08).contains(&cnf),
        "NOFORN share of CONFIDENTIAL {cnf}"
    );
    assert!((0.18..0.40).contains(&snf), "NOFORN share of SECRET {snf}");
    assert!(snf > cnf);
}

#[test]
fn dates_serials_and_citations_are_realistic() {
    let g = Generator::new(5000, 3);
    let mut per_year: BTreeMap<String, usize> = BTreeMap::new();
    let mut cited_in = 0;
    let mut cited_out = 0;
    let mut earlier = true;
    let ids: Vec<String> = (0..g.len()).map(|k| g.plan().slots[k].id()).collect();
    for k in 0..g.len() {
        let c = g.cable(k, OutputFormat::Telegram);
        *per_year
            .entry(c.truth.created[..4].to_string())
            .or_default() += 1;
        for r in &c.truth.references {
            if c.truth.references_outside.contains(r) {
                cited_out += 1;
            } else {
                cited_in += 1;
                // Citations point back in time.
                earlier &= ids[..k].contains(r);
            }
        }
        // DTG and DE line agree: the DE Julian day is the DTG's day of year.
        let tel = c.telegram();
        if let Some(de) = tel.lines().find(|l| l.starts_with("DE ")) {
            let jjj: u32 = de[de.len() - 7..de.len() - 4].parse().expect("julian");
            assert_eq!(jjj, g.plan().slots[k].day_of_year(), "{de}");
            let ssn = format!("#{:04}", g.plan().slots[k].serial % 10_000);
            assert!(de.contains(&ssn), "{de} lacks {ssn}");
        }
    }
    assert!(earlier, "a reference points forward in time");
    assert!(
        cited_in > 2 * cited_out && cited_out > 0,
        "{cited_in} {cited_out}"
    );
    // 2009 is the busiest year, 2010 has only two months.
    let n = |y: &str| *per_year.get(y).unwrap_or(&0);
    assert!(n("2009") > n("2008") && n("2008") > n("2006") && n("2006") > n("2004"));
    assert!(n("2010") < n("2009") / 3);
}
