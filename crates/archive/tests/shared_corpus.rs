//! Ingest the 1,715 real viewer pages of `../shared/corpus/cablegate-html` and check
//! the counts against the truth file.

use cablescope_archive::FacetSet;
use std::collections::BTreeMap;

use cablescope_archive::index::{all_query, Index};
use cablescope_archive::store::Store;
use cablescope_archive::{Archive, IngestOptions, SearchOptions};

#[test]
fn ingests_the_cablegate_pages() {
    let Some(corpus) = cablescope_testkit::shared_dir("corpus") else {
        return;
    };
    let truth = std::fs::read_to_string(corpus.join("cablegate-html-truth.jsonl")).unwrap();
    let mut ids = std::collections::BTreeSet::new();
    let mut by_class: BTreeMap<String, u64> = BTreeMap::new();
    for line in truth.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        ids.insert(v["id"].as_str().unwrap().to_string());
        *by_class
            .entry(v["classification"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut a = Archive::open(tmp.path()).unwrap();
    let start = std::time::Instant::now();
    let p = a
        .ingest(
            &[corpus.join("cablegate-html")],
            &IngestOptions::default(),
            &mut |_| {},
        )
        .unwrap();
    eprintln!(
        "ingested {} files, {} cables in {:.2}s ({:.0} cables/s), {} batches",
        p.files_seen,
        p.cables_read,
        start.elapsed().as_secs_f64(),
        p.cables_per_sec(),
        p.batches
    );
    assert_eq!(p.files_seen, 1715);
    assert_eq!(p.files_failed, 0, "{:?}", p.errors);
    assert_eq!(p.per_format.values().sum::<u64>(), 1715);
    let stored: Vec<String> = a.store().ids().unwrap();
    // Pages quoting other cables give extra records; ids the parser reads with an
    // EFTO prefix are compared without it (as the parser's accuracy test does).
    assert!(stored.len() >= ids.len() - 10, "{} stored", stored.len());
    let efto = |id: &str| match id.get(2..6) {
        Some("EFTO") => format!("{}{}", &id[..2], &id[6..]),
        _ => id.to_string(),
    };
    let found: Vec<&String> = ids
        .iter()
        .filter(|id| stored.binary_search(id).is_ok() || stored.binary_search(&efto(id)).is_ok())
        .collect();
    let missing: Vec<&String> = ids.iter().filter(|id| !found.contains(id)).collect();
    eprintln!("truth ids not stored (parser misses): {missing:?}");
    assert!(missing.len() * 200 <= ids.len(), "{missing:?}");
    let v = a.verify().unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!(a.index().count().unwrap(), stored.len() as u64);
    let inputs = a.store().inputs().unwrap();
    assert_eq!(inputs.len(), 1715);
    assert!(inputs.values().all(|i| i.ok && i.cables >= 1));

    // The published classification (the viewer page's table) of the truth's cables
    // agrees with the truth.
    let mut published: BTreeMap<String, u64> = BTreeMap::new();
    for id in &found {
        let c = a
            .cable(id)
            .unwrap()
            .or_else(|| a.cable(&efto(id)).unwrap())
            .unwrap();
        let p = c
            .published
            .and_then(|p| p.classification)
            .unwrap_or_default();
        *published.entry(p).or_default() += 1;
    }
    let agree: u64 = by_class
        .iter()
        .map(|(k, n)| (*n).min(published.get(k).copied().unwrap_or(0)))
        .sum();
    assert!(
        agree + missing.len() as u64 >= 1715,
        "{published:?} vs {by_class:?}"
    );

    // The classification facet (from the text) is close to the truth.
    let q = all_query();
    let res = a
        .search(
            q.as_ref(),
            &SearchOptions {
                facets: FacetSet::ALL,
                ..SearchOptions::new(cablescope_archive::Scope::unrestricted())
            },
        )
        .unwrap();
    assert_eq!(res.total, stored.len() as u64);
    let facet: BTreeMap<String, u64> = res.facets["classification"].iter().cloned().collect();
    let agree: u64 = by_class
        .iter()
        .map(|(k, n)| (*n).min(facet.get(k).copied().unwrap_or(0)))
        .sum();
    assert!(
        agree * 100 >= 1715 * 97,
        "facet {facet:?} vs truth {by_class:?}"
    );

    // ---- Queries whose answers come from the truth file and the pages themselves ----
    let truth_rows: Vec<serde_json::Value> = truth
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let all_opts = |facets: FacetSet| SearchOptions {
        limit: 100_000,
        facets,
        ..SearchOptions::new(cablescope_archive::Scope::unrestricted())
    };
    let records: Vec<cablescope_format::Cable> = stored
        .iter()
        .map(|id| a.cable(id).unwrap().unwrap())
        .collect();

    // (a) The published classification of the stored records equals the truth's counts
    // exactly; the text-derived one (the index facet) is within the parser's misses.
    let mut published_all: BTreeMap<String, u64> = BTreeMap::new();
    for c in &records {
        if let Some(p) = c.published.as_ref().and_then(|p| p.classification.clone()) {
            *published_all.entry(p).or_default() += 1;
        }
    }
    eprintln!("(a) published classification: {published_all:?}");
    eprintln!("(a) truth classification:     {by_class:?}");
    // Two pages that are copies of one cable (06REYKJAVIK40 is 06REYKJAVIK401 with
    // a cut serial) are one record, carrying one page's metadata: the counts may
    // fall short by such merged pages, never exceed the truth.
    let short: u64 = by_class
        .iter()
        .map(|(k, n)| n.saturating_sub(published_all.get(k).copied().unwrap_or(0)))
        .sum();
    assert!(
        published_all
            .iter()
            .all(|(k, n)| by_class.get(k).is_some_and(|t| n <= t))
            && short <= missing.len() as u64,
        "published classification {published_all:?} vs truth {by_class:?}"
    );
    let mut text_counts: BTreeMap<String, u64> = BTreeMap::new();
    for c in &records {
        if let Some(cl) = &c.classification {
            *text_counts.entry(cl.to_uppercase()).or_default() += 1;
        }
    }
    assert_eq!(facet, text_counts, "index facet vs stored records");
    let mut differ = Vec::new();
    for row in &truth_rows {
        let id = row["id"].as_str().unwrap();
        let want = row["classification"].as_str().unwrap();
        let got = a
            .cable(id)
            .unwrap()
            .or_else(|| a.cable(&efto(id)).unwrap())
            .and_then(|c| c.classification)
            .unwrap_or_default()
            .to_uppercase();
        if got != want {
            differ.push(format!("{id}: {got:?} != {want:?}"));
        }
    }
    eprintln!(
        "(a) text-derived classification differs from the published one on {} pages: {differ:?}",
        differ.len()
    );
    assert!(differ.len() <= 25, "{differ:?}");

    // (b) A phrase: the hits are the pages whose text holds the two words in a row.
    let mut source_id: BTreeMap<String, String> = BTreeMap::new();
    for row in &truth_rows {
        source_id.insert(
            row["source"].as_str().unwrap().to_string(),
            row["id"].as_str().unwrap().to_string(),
        );
    }
    let phrase = ["nuclear", "program"];
    let mut expected = std::collections::BTreeSet::new();
    for (source, id) in &source_id {
        let page =
            String::from_utf8_lossy(&std::fs::read(corpus.join(source)).unwrap()).into_owned();
        let w = words(&page_text(&page));
        if w.windows(2).any(|p| p[0] == phrase[0] && p[1] == phrase[1]) {
            expected.insert(id.clone());
        }
    }
    let res = a
        .search_str("\"nuclear program\"", &all_opts(FacetSet::NONE))
        .unwrap();
    let hit_ids: std::collections::BTreeSet<String> =
        res.hits.iter().map(|h| h.id.clone()).collect();
    assert_eq!(res.total as usize, hit_ids.len());
    let hits_truth: std::collections::BTreeSet<String> = ids
        .iter()
        .filter(|id| hit_ids.contains(*id) || hit_ids.contains(&efto(id)))
        .cloned()
        .collect();
    let only_index: Vec<&String> = hits_truth.difference(&expected).collect();
    let only_pages: Vec<&String> = expected.difference(&hits_truth).collect();
    eprintln!(
        "(b) \"nuclear program\": {} pages hold it, {} hits ({} of them truth pages); only in hits {only_index:?}, only in pages {only_pages:?}",
        expected.len(),
        hit_ids.len(),
        hits_truth.len()
    );
    assert!(expected.len() >= 20, "too few pages for a meaningful check");
    assert!(
        (only_index.len() + only_pages.len()) * 100 <= expected.len().max(100),
        "phrase hits differ from the pages"
    );

    // (c) A tag facet: PREL over every cable vs the truth rows tagged PREL.
    let res = a.search_str("*", &all_opts(FacetSet::ALL)).unwrap();
    let tags: BTreeMap<String, u64> = res.facets["tag"].iter().cloned().collect();
    let want = truth_rows
        .iter()
        .filter(|r| r["tags"].as_array().unwrap().iter().any(|t| t == "PREL"))
        .count() as u64;
    let got = tags.get("PREL").copied().unwrap_or(0);
    let res = a.search_str("tag:PREL", &all_opts(FacetSet::NONE)).unwrap();
    eprintln!(
        "(c) tag PREL: facet {got}, tag:PREL total {}, truth {want}",
        res.total
    );
    assert_eq!(res.total, got);
    // The truth's tags come from the viewer's table, which is empty on some pages
    // (178 of 1,715) whose telegram has a TAGS line, and the pages quoting other
    // cables add records: compare over the truth cables with published tags.
    let published_tags: std::collections::BTreeSet<String> = truth_rows
        .iter()
        .filter(|r| !r["tags"].as_array().unwrap().is_empty())
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let got_tagged = res
        .hits
        .iter()
        .filter(|h| published_tags.contains(&h.id))
        .count() as u64;
    eprintln!(
        "(c) tag PREL over the {} truth cables with published tags: index {got_tagged}, truth {want}",
        published_tags.len()
    );
    assert!(
        got_tagged.abs_diff(want) * 100 <= want,
        "PREL {got_tagged} vs truth {want}"
    );
    // The facet over every cable counts at least those, and agrees with tag:PREL.
    assert!(got >= got_tagged);

    // (d) cites: the most-cited id; the hits are the cables whose parsed references hold it.
    let mut cited: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for c in &records {
        for r in &c.references {
            if let Some(to) = &r.id {
                cited
                    .entry(to.clone())
                    .or_default()
                    .insert(c.id.clone().unwrap());
            }
        }
    }
    let (target, citing) = cited
        .iter()
        .max_by_key(|(id, s)| (s.len(), std::cmp::Reverse((*id).clone())))
        .unwrap();
    let res = a
        .search_str(&format!("cites:{target}"), &all_opts(FacetSet::NONE))
        .unwrap();
    let hit_ids: std::collections::BTreeSet<String> =
        res.hits.iter().map(|h| h.id.clone()).collect();
    eprintln!(
        "(d) cites:{target}: {} hits, {} cables cite it ({} distinct ids cited in all)",
        hit_ids.len(),
        citing.len(),
        cited.len()
    );
    assert!(citing.len() >= 2);
    assert_eq!(&hit_ids, citing);
    // And a handful more cited ids, each exactly.
    for (to, from) in cited.iter().filter(|(_, s)| s.len() >= 2).take(20) {
        let res = a
            .search_str(&format!("cites:{to}"), &all_opts(FacetSet::NONE))
            .unwrap();
        let hit_ids: std::collections::BTreeSet<String> =
            res.hits.iter().map(|h| h.id.clone()).collect();
        assert_eq!(&hit_ids, from, "cites:{to}");
    }

    // Re-ingesting adds nothing.
    let p = a
        .ingest(
            &[corpus.join("cablegate-html")],
            &IngestOptions::default(),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(p.files_unchanged, 1715);
    assert_eq!(p.cables_written, 0);

    // (e) The rest of ../shared/corpus on top: copies merge.
    let before = a.store().count().unwrap();
    let mut rest: Vec<std::path::PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !p.ends_with("cablegate-html"))
        .collect();
    rest.sort();
    let p = a
        .ingest(&rest, &IngestOptions::default(), &mut |_| {})
        .unwrap();
    let after = a.store().count().unwrap();
    // Cables with a page in both viewer dumps.
    let mut both = Vec::new();
    for row in &truth_rows {
        let source = row["source"].as_str().unwrap();
        let twin = source.replacen("cablegate-html/", "cablegate-html-2010/", 1);
        if corpus.join(&twin).is_file() {
            both.push(row["id"].as_str().unwrap().to_string());
        }
    }
    let mut single = Vec::new();
    for id in &both {
        let c = a
            .cable(id)
            .unwrap()
            .or_else(|| a.cable(&efto(id)).unwrap())
            .unwrap_or_else(|| panic!("{id} missing after the second ingest"));
        let copies = a.store().copies_of(c.id.as_deref().unwrap()).unwrap().len();
        if c.sources.len() < 2 || copies < 2 {
            single.push(format!(
                "{id}: {} sources, {copies} copies",
                c.sources.len()
            ));
        }
    }
    eprintln!(
        "(e) rest of the corpus: {} files, {} cables read, {} written, {} failed; ids {before} -> {after}; {} cables in both viewer dumps, {} not merged: {single:?}",
        p.files_seen,
        p.cables_read,
        p.cables_written,
        p.files_failed,
        both.len(),
        single.len()
    );
    assert!(both.len() >= 300, "{} pages in both dumps", both.len());
    assert!(single.is_empty(), "{single:?}");
    assert!(after < 2 * before, "{before} -> {after}");
    assert!(
        after - before + both.len() as u64 <= p.cables_read,
        "copies of known cables made new ids: {before} -> {after}"
    );
    let v = a.verify().unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!(a.index().count().unwrap(), after);
}

/// The telegram text of a viewer page: the `<pre>` blocks with tags stripped and
/// entities decoded.
fn page_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("<pre>") {
        let body = &rest[i + 5..];
        let end = body.find("</pre>").unwrap_or(body.len());
        let mut in_tag = false;
        for ch in body[..end].chars() {
            match ch {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.push('\n');
        rest = &body[end..];
    }
    out.replace("&#x000A;", "\n")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Lower-cased alphanumeric words (as tantivy's `default` tokenizer splits them).
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}
