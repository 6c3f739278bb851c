//! Browser tests: the web UI driven in real headless Chromium through ChromeDriver
//! (Debian's `chromium` and `chromium-driver`, installed by `.ci/run`).
//!
//! A generated archive is served in-process; the test searches, refines by a facet,
//! opens a cable, follows a reference, opens the graph and the overview, follows a
//! "did you mean", checks the layout at 1400 and 400 px wide, and writes a
//! screenshot of each page to `target/tmp/screenshots/` for a person to look at.
//! Without the browser the test prints a notice and passes, except in CI
//! (`CI=true`), where a missing browser is a failure.

mod support;

use std::path::{Path, PathBuf};

use cablescope_access::{Admin, IngestOptions};
use cablescope_server::{AppState, ServerConfig};
use support::webdriver::{browser_available, screenshots, Driver, Session};

/// One generated cable's truth, as far as the test needs it.
struct Pick {
    /// A cable that cites another cable present in the archive.
    citing: String,
    /// A cable it cites that is in the archive.
    cited: String,
    /// A word of the citing cable's subject.
    word: String,
}

/// Generates and ingests a small archive; picks a citing/cited pair from the truth.
fn build_archive(root: &Path) -> (PathBuf, Pick) {
    let corpus = root.join("corpus");
    cablescope_generate::generate(600, 7, cablescope_generate::OutputFormat::Telegram, &corpus)
        .unwrap();
    let truth: Vec<serde_json::Value> = std::fs::read_to_string(corpus.join("truth.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // truth.jsonl is not a cable: keep it out of the corpus walked below.
    std::fs::rename(corpus.join("truth.jsonl"), root.join("truth.jsonl")).unwrap();
    let present: std::collections::BTreeSet<&str> =
        truth.iter().filter_map(|t| t["id"].as_str()).collect();
    let pick = truth
        .iter()
        .find_map(|t| {
            let id = t["id"].as_str()?;
            let cited = t["references"]
                .as_array()?
                .iter()
                .filter_map(|r| r.as_str())
                .find(|r| present.contains(r) && *r != id)?;
            let word = t["subject"]
                .as_str()?
                .split(|c: char| !c.is_ascii_alphabetic())
                .find(|w| w.len() >= 6)?
                .to_ascii_lowercase();
            Some(Pick {
                citing: id.to_string(),
                cited: cited.to_string(),
                word,
            })
        })
        .expect("a generated cable citing another present cable");
    let dir = root.join("archive");
    let mut a = Admin::open(&dir).unwrap();
    a.ingest(&[corpus], &IngestOptions::default(), &mut |_| {})
        .unwrap();
    (dir, pick)
}

async fn shot(s: &Session, name: &str) {
    let path = screenshots().join(format!("{name}.png"));
    s.screenshot(&path).await.unwrap();
    eprintln!("screenshot: {}", path.display());
}

async fn hit_count(s: &Session) -> usize {
    s.find_all(".hit").await.unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_refine_open_follow_and_graph_in_chromium() {
    if !browser_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (dir, pick) = build_archive(tmp.path());
    let state = AppState::open(&dir, ServerConfig::default()).unwrap();
    let server = support::serve(state).await;
    let base = server.base.clone();

    let driver = Driver::start().await.unwrap();
    let profile = tmp.path().join("chromium-profile");
    let s = driver.session(&profile).await.unwrap();

    // 1. Search: type into the query box and press Enter.
    s.goto(&format!("{base}/")).await.unwrap();
    shot(&s, "01-home").await;
    let q = s.find("#q").await.unwrap();
    s.type_into(&q, &format!("{}\u{E007}", pick.word))
        .await
        .unwrap();
    s.find(".hit").await.unwrap();
    let before = hit_count(&s).await;
    assert!(before > 0, "searching {:?} found nothing", pick.word);
    assert!(s.current_url().await.unwrap().contains(&pick.word));
    shot(&s, "02-search").await;

    // 2. Refine by clicking a facet: the query gains a field clause.
    let facet = s.find(".facet a").await.unwrap();
    s.click(&facet).await.unwrap();
    s.find(".hit").await.unwrap();
    let url = s.current_url().await.unwrap();
    assert!(
        url.contains("%3A") || url.contains(':'),
        "facet click did not add a field: {url}"
    );
    assert!(hit_count(&s).await <= before.max(1));
    shot(&s, "03-facet").await;

    // 3. Open a cable from the results.
    s.goto(&format!("{base}/search?q=id%3A{}", pick.citing))
        .await
        .unwrap();
    let first = s.find(".hit a").await.unwrap();
    s.click(&first).await.unwrap();
    s.find("table").await.unwrap();
    let url = s.current_url().await.unwrap();
    assert!(url.ends_with(&format!("/cables/{}", pick.citing)), "{url}");
    let body = s.text(&s.find("main").await.unwrap()).await.unwrap();
    assert!(
        body.contains(&pick.cited),
        "the cable page does not list its reference {}",
        pick.cited
    );
    shot(&s, "04-cable").await;

    // 4. Follow the reference to the cited cable.
    let mut followed = false;
    for link in s.find_all(".ref a").await.unwrap() {
        let href = s.attr(&link, "href").await.unwrap().unwrap_or_default();
        if href.ends_with(&format!("/cables/{}", pick.cited)) {
            s.click(&link).await.unwrap();
            followed = true;
            break;
        }
    }
    assert!(followed, "no .ref link to {}", pick.cited);
    s.find("table").await.unwrap();
    assert!(s
        .current_url()
        .await
        .unwrap()
        .ends_with(&format!("/cables/{}", pick.cited)));
    let body = s.text(&s.find("main").await.unwrap()).await.unwrap();
    assert!(
        body.contains(&pick.citing),
        "the cited cable does not list {} as citing it",
        pick.citing
    );
    shot(&s, "05-reference").await;

    // 5. The graph page draws nodes with JavaScript.
    s.goto(&format!("{base}/cables/{}/graph", pick.cited))
        .await
        .unwrap();
    s.find("#graph svg .node").await.unwrap();
    let nodes = s.find_all("#graph svg .node").await.unwrap().len();
    assert!(nodes >= 2, "graph drew {nodes} nodes");
    shot(&s, "06-graph").await;

    // 6. The overview page.
    s.goto(&format!("{base}/overview")).await.unwrap();
    s.find("svg").await.unwrap();
    shot(&s, "07-overview").await;

    // 7. An id pasted into the search box, loosely written, opens the cable.
    s.goto(&format!("{base}/")).await.unwrap();
    let q = s.find("#q").await.unwrap();
    let (year, rest) = pick.citing.split_at(2);
    let station: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let serial = &rest[station.len()..];
    s.type_into(&q, &format!("{year} {station} {serial}\u{E007}"))
        .await
        .unwrap();
    s.find("table").await.unwrap();
    let url = s.current_url().await.unwrap();
    assert!(url.ends_with(&format!("/cables/{}", pick.citing)), "{url}");

    // A typo gets "did you mean", which runs the respelt query.
    let typo = format!("{}q", pick.word);
    s.goto(&format!("{base}/search?q={typo}")).await.unwrap();
    let suggestion = s.find("#did-you-mean a").await.unwrap();
    assert_eq!(s.text(&suggestion).await.unwrap(), pick.word);
    s.click(&suggestion).await.unwrap();
    s.find(".hit").await.unwrap();
    assert!(hit_count(&s).await > 0);
    // Export links take the whole query.
    let csv = s.find("#export a").await.unwrap();
    let href = s.attr(&csv, "href").await.unwrap().unwrap_or_default();
    assert!(
        href.contains("/api/export?") && href.contains(&pick.word),
        "{href}"
    );

    // 8. Wide and narrow screens: facets beside the results, or above them in a
    // closed box; the timeline's labels keep a readable size; nothing wider than
    // the screen but the timeline, which scrolls in its own box.
    const LAYOUT: &str = r#"
        var f = document.getElementById('facets').getBoundingClientRect();
        var h = document.getElementById('hits').getBoundingClientRect();
        var box = document.getElementById('facets-box');
        var tick = document.querySelector('#timeline text.tick');
        return {
            facets_right: f.right, facets_bottom: f.bottom,
            hits_left: h.left, hits_top: h.top,
            open: box.open,
            tick_px: tick ? tick.getBoundingClientRect().height : 0,
            overflow: document.documentElement.scrollWidth - window.innerWidth
        };"#;
    for (width, height) in [(1400, 1000), (400, 900)] {
        s.set_window(width, height).await.unwrap();
        s.goto(&format!("{base}/search?q={}", pick.word))
            .await
            .unwrap();
        s.find(".hit").await.unwrap();
        let l = s.execute(LAYOUT).await.unwrap();
        let n = |k: &str| l[k].as_f64().unwrap_or(f64::NAN);
        if width > 1000 {
            assert_eq!(l["open"], true, "{l}");
            assert!(n("facets_right") <= n("hits_left"), "facets beside: {l}");
        } else {
            assert_eq!(l["open"], false, "closed on a narrow screen: {l}");
            assert!(n("facets_bottom") <= n("hits_top"), "facets above: {l}");
        }
        assert!(
            n("tick_px") >= 9.0,
            "timeline labels readable at {width}: {l}"
        );
        assert!(
            n("overflow") <= 1.0,
            "page wider than the screen at {width}: {l}"
        );
        shot(&s, &format!("08-search-{width}")).await;
        s.goto(&format!("{base}/cables/{}", pick.citing))
            .await
            .unwrap();
        s.find("table").await.unwrap();
        shot(&s, &format!("09-cable-{width}")).await;
        s.goto(&format!("{base}/overview")).await.unwrap();
        s.find("svg").await.unwrap();
        // The overview: the map of posts with a circle per placed post, the TAGS
        // and monthly charts, readable labels, nothing wider than the screen.
        const OVERVIEW: &str = r#"
            var tick = document.querySelector('#by-month text.tick');
            var label = document.querySelector('#by-origin text.row-label');
            return {
                label_px: label ? label.getBoundingClientRect().height : 0,
                posts: document.querySelectorAll('#posts-map svg .post').length,
                tags: document.querySelectorAll('#by-tag svg a').length,
                months: document.querySelectorAll('#by-month svg a').length,
                tick_px: tick ? tick.getBoundingClientRect().height : 0,
                overflow: document.documentElement.scrollWidth - window.innerWidth
            };"#;
        let o = s.execute(OVERVIEW).await.unwrap();
        let n = |k: &str| o[k].as_f64().unwrap_or(f64::NAN);
        assert!(n("posts") >= 20.0, "posts on the map: {o}");
        assert!(n("tags") >= 10.0, "TAGS chart: {o}");
        assert!(n("months") >= 12.0, "months chart: {o}");
        assert!(n("tick_px") >= 9.0, "month labels readable at {width}: {o}");
        assert!(
            n("label_px") >= 9.0,
            "origin names readable at {width}: {o}"
        );
        assert!(
            n("overflow") <= 1.0,
            "overview wider than the screen at {width}: {o}"
        );
        shot(&s, &format!("10-overview-{width}")).await;
    }

    s.quit().await;
    server.stop().await;
}
