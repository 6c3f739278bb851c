//! The web UI end to end: a small archive built from hand-written fixture cables,
//! the real application router driven in process with `tower::ServiceExt::oneshot`,
//! and the pages checked as a browser without JavaScript would use them (GET forms,
//! following links), plus the strict-CSP rules (no inline script, style or handler)
//! on every page.

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use cablescope_access::{Admin, IngestOptions};
use cablescope_format::{Cable, Paragraph};
use cablescope_server::ui::cable::{paragraphs, render, CableView};
use cablescope_server::{AppState, ServerConfig, Viewer};
use cablescope_testkit::{write, Telegram};
use serde_json::Value;
use tower::ServiceExt;

/// A fixture telegram as these tests write them: classified by the ambassador,
/// signed DOE.
fn tg(station: &str, serial: u32) -> Telegram {
    Telegram::new(station, serial)
        .classified_by("Ambassador John Doe")
        .signature("DOE")
}

/// The fixture cables, as (file, telegram).
fn fixtures() -> Vec<(&'static str, Telegram)> {
    vec![
        (
            "moscow/08MOSCOW1599.txt",
            tg("MOSCOW", 1599)
                .class("SECRET")
                .captions(&["NOFORN", "SIPDIS"])
                .tags("PREL, PGOV, RS")
                .subject("(C) WIDGET TALKS WITH THE MINISTRY")
                .refs("A. 08 MOSCOW 1500 B. 08 STATE 12345")
                .para(
                    "U",
                    "The widget delegation arrived on Tuesday and met the\ndeputy minister for two hours.",
                )
                .para("S/NF", "The ministry asked about zebra crossings.")
                .para("C", "Confidential remarks on the widget budget."),
        ),
        (
            "moscow/08MOSCOW1500.txt",
            tg("MOSCOW", 1500)
                .dtg("011119Z JUN 08")
                .class("CONFIDENTIAL")
                .subject("(C) EARLIER WIDGET NOTE")
                .para("C", "An earlier note on widgets and zebra matters."),
        ),
        (
            "paris/09PARIS200.txt",
            tg("PARIS", 200)
                .dtg("101200Z MAR 09")
                .tags("ECON, FR")
                .subject("(U) NUCLEAR PROGRAM REVIEW")
                .refs("08 MOSCOW 1599")
                .para("U", "The nuclear program was discussed at length in Paris."),
        ),
        // Two copies of one cable that differ in one word: merged into one record.
        (
            "paris/a/08PARIS100.txt",
            tg("PARIS", 100)
                .dtg("201200Z JUN 08")
                .tags("ENRG, FR")
                .subject("(U) ENERGY PROGRAM")
                .para("U", "The energy minister spoke about reactors.")
                .para("U", "Prices rose sharply in May."),
        ),
        (
            "paris/b/08PARIS100.txt",
            tg("PARIS", 100)
                .dtg("201200Z JUN 08")
                .tags("ENRG, FR")
                .subject("(U) ENERGY PROGRAM")
                .para("U", "The energy minister spoke about turbines.")
                .para("U", "Prices rose sharply in May."),
        ),
    ]
}

/// A temporary archive holding the fixtures, and the app over it.
struct Env {
    _dir: tempfile::TempDir,
    app: axum::Router,
}

impl Env {
    /// The temporary folder the inputs and the archive are in.
    fn root(&self) -> &str {
        self._dir.path().to_str().unwrap()
    }

    fn new() -> Env {
        Env::with(fixtures())
    }

    fn with(fixtures: Vec<(&str, Telegram)>) -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("in");
        for (file, t) in &fixtures {
            write(&input, file, t.text());
        }
        let arch = dir.path().join("arch");
        {
            let mut a = Admin::open(&arch).expect("open archive");
            let paths: Vec<PathBuf> = vec![input];
            let p = a
                .ingest(&paths, &IngestOptions::default(), &mut |_| {})
                .expect("ingest");
            assert!(p.cables_written >= 1, "{p:?}");
        }
        let state = AppState::open(&arch, ServerConfig::default()).expect("serve");
        Env {
            _dir: dir,
            app: cablescope_server::router(state),
        }
    }

    async fn get(&self, uri: &str) -> Resp {
        let req = Request::get(uri).body(Body::empty()).expect("request");
        let resp = self.app.clone().oneshot(req).await.expect("response");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .expect("body");
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// GET a page that must be a 200 HTML page obeying the CSP rules.
    async fn page(&self, uri: &str) -> String {
        let r = self.get(uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
        assert!(
            r.header(header::CONTENT_TYPE.as_str())
                .starts_with("text/html"),
            "{uri}"
        );
        assert_csp_clean(uri, &r.body);
        r.body
    }
}

struct Resp {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
}

/// The opening tags of `html` (`<a href="...">`), skipping the content of script
/// elements (raw text, where `<` means nothing).
fn tags(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[..=end];
        out.push(tag);
        rest = &rest[end + 1..];
        if tag.starts_with("<script") {
            match rest.find("</script>") {
                Some(close) => rest = &rest[close..],
                None => break,
            }
        }
    }
    out
}

/// Attribute names of an opening tag (values are double-quoted by maud, with `"`
/// escaped inside).
fn attr_names(tag: &str) -> Vec<String> {
    let inner = tag.trim_start_matches('<').trim_end_matches('>');
    let mut names = Vec::new();
    let mut in_quote = false;
    let mut word = String::new();
    let mut first = true;
    for c in inner.chars() {
        match c {
            '"' => in_quote = !in_quote,
            _ if in_quote => {}
            c if c.is_whitespace() || c == '=' || c == '/' => {
                if !word.is_empty() {
                    if !first {
                        names.push(word.to_ascii_lowercase());
                    }
                    first = false;
                    word.clear();
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() && !first {
        names.push(word.to_ascii_lowercase());
    }
    names
}

/// No inline script code, no `style` attribute, no `on…` handler attribute.
fn assert_csp_clean(uri: &str, html: &str) {
    for tag in tags(html) {
        if tag.starts_with("</") || tag.starts_with("<!") {
            continue;
        }
        let names = attr_names(tag);
        for n in &names {
            assert_ne!(n, "style", "{uri}: style attribute in {tag}");
            assert!(!n.starts_with("on"), "{uri}: handler attribute in {tag}");
        }
        if tag.starts_with("<script") {
            let ok = names.iter().any(|n| n == "src") || tag.contains("type=\"application/json\"");
            assert!(ok, "{uri}: inline script {tag}");
        }
        if tag.starts_with("<style") {
            panic!("{uri}: inline <style> element");
        }
        assert!(
            !tag.contains("javascript:"),
            "{uri}: javascript: URL in {tag}"
        );
    }
    // Inline scripts would also show as code between script tags.
    let mut rest = html;
    while let Some(i) = rest.find("<script") {
        rest = &rest[i..];
        let open_end = rest.find('>').expect("script tag ends");
        let close = rest.find("</script>").expect("script closes");
        let body = &rest[open_end + 1..close];
        if !rest[..open_end].contains("application/json") {
            assert!(body.trim().is_empty(), "{uri}: inline script code");
        }
        rest = &rest[close..];
    }
}

/// `&amp;` back to `&` in an attribute value taken from the HTML.
fn unescape_attr(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The value of `attr` in the first tag that contains `marker`.
fn attr_of(html: &str, marker: &str, attr: &str) -> Option<String> {
    let tag = tags(html).into_iter().find(|t| t.contains(marker))?;
    let key = format!(" {attr}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape_attr(&tag[start..end]))
}

/// The ids of the hits on a results page, in order.
fn hit_ids(html: &str) -> Vec<String> {
    tags(html)
        .into_iter()
        .filter(|t| t.starts_with("<li class=\"hit\""))
        .filter_map(|t| {
            let s = t.find("data-id=\"")? + 9;
            Some(t[s..s + t[s..].find('"')?].to_string())
        })
        .collect()
}

#[tokio::test]
async fn home_page_has_the_search_form_and_the_layout() {
    let env = Env::new();
    let html = env.page("/").await;
    assert!(html.contains("<form class=\"search-form\" id=\"search-form\" role=\"search\" method=\"get\" action=\"/search\">"), "{html}");
    assert!(html.contains("id=\"q\""));
    assert!(html.contains("Search 4 cables"), "{html}");
    // Landmarks, skip link, nav with API docs, the viewer badge.
    assert!(html.contains("<a class=\"skip-link\" href=\"#main\">"));
    assert!(html.contains("<main id=\"main\""));
    assert!(html.contains("<nav class=\"site-nav\" aria-label=\"Main\">"));
    assert!(html.contains("href=\"/api/docs\""));
    assert!(html.contains("id=\"viewer\""));
    assert!(html.contains(">anonymous<"));
    assert!(html.contains("<label class=\"search-label\" for=\"q\">"));
}

#[tokio::test]
async fn search_is_a_plain_get_form_listing_matches_with_highlights() {
    let env = Env::new();
    let html = env.page("/search?q=widget").await;
    let ids = hit_ids(&html);
    assert_eq!(
        ids.iter().collect::<std::collections::BTreeSet<_>>(),
        ["08MOSCOW1500", "08MOSCOW1599"]
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .iter()
            .collect()
    );
    assert!(html.contains("2 cables match"), "{html}");
    assert!(
        html.contains("<mark>widget</mark>") || html.contains("<mark>widgets</mark>"),
        "{html}"
    );
    assert!(html.contains("href=\"/cables/08MOSCOW1599\""));
    // The query stays in the box.
    assert!(html.contains("value=\"widget\""));
    // The timeline of matches by month, each bar a refinement.
    assert!(html.contains("id=\"timeline\""));
    assert!(html.contains("created%3A2008-06"), "{html}");
    // `/` without a query is the home page; `/?q=` searches as well.
    let html = env.page("/?q=zebra").await;
    assert_eq!(hit_ids(&html).len(), 2);
    assert!(!html.contains("query-hint"));
    // A lower-case `or` between words is a word: said beside the results.
    let html = env.page("/search?q=widget+or+zebra").await;
    assert!(
        html.contains("operators are written in capitals: <code>widget OR zebra</code>"),
        "{html}"
    );
}

#[tokio::test]
async fn following_a_facet_link_narrows_the_results() {
    let env = Env::new();
    let html = env.page("/search?q=*").await;
    assert_eq!(hit_ids(&html).len(), 4);
    let href = attr_of(&html, "data-facet=\"tag\" data-value=\"FR\"", "href").expect("FR facet");
    assert!(href.starts_with("/search?q="), "{href}");
    let narrowed = env.page(&href).await;
    let mut ids = hit_ids(&narrowed);
    ids.sort();
    assert_eq!(ids, ["08PARIS100", "09PARIS200"]);
    // The selected facet is marked and links back to the wider search.
    let back =
        attr_of(&narrowed, "data-facet=\"tag\" data-value=\"FR\"", "href").expect("FR facet");
    assert!(narrowed.contains("class=\"facet-link active\""));
    let wide = env.page(&back).await;
    assert_eq!(hit_ids(&wide).len(), 4);
    // A classification facet refines by level and caveats.
    let href = attr_of(&html, "data-value=\"SECRET//NOFORN\"", "href").expect("class facet");
    assert_eq!(hit_ids(&env.page(&href).await), ["08MOSCOW1599"]);
    // Years, origins.
    let href = attr_of(&html, "data-facet=\"year\" data-value=\"2009\"", "href").expect("year");
    assert_eq!(hit_ids(&env.page(&href).await), ["09PARIS200"]);
    let href =
        attr_of(&html, "data-facet=\"origin\" data-value=\"MOSCOW\"", "href").expect("origin");
    assert_eq!(hit_ids(&env.page(&href).await).len(), 2);
}

#[tokio::test]
async fn a_facet_added_to_an_or_query_applies_to_all_of_it() {
    let env = Env::new();
    let html = env.page("/search?q=reactors+OR+zebra").await;
    assert_eq!(hit_ids(&html).len(), 3);
    let href = attr_of(&html, "data-facet=\"tag\" data-value=\"RS\"", "href").expect("RS facet");
    let mut ids = hit_ids(&env.page(&href).await);
    ids.sort();
    assert_eq!(ids, ["08MOSCOW1500", "08MOSCOW1599"]);
}

#[tokio::test]
async fn sorting_and_cursor_paging_work_with_links() {
    let env = Env::new();
    let html = env.page("/search?q=*&sort=date&limit=1").await;
    assert_eq!(hit_ids(&html), ["08MOSCOW1500"]);
    assert!(
        !html.contains("previous-page"),
        "the first page has no Previous"
    );
    let mut seen = hit_ids(&html);
    let mut pages = vec![html];
    while let Some(next) = attr_of(pages.last().unwrap(), "id=\"next-page\"", "href") {
        assert!(next.contains("cursor="), "{next}");
        let page = env.page(&next).await;
        assert!(page.contains("id=\"previous-page\""), "previous-page link");
        seen.extend(hit_ids(&page));
        assert!(seen.len() <= 4, "no repeats: {seen:?}");
        pages.push(page);
    }
    assert_eq!(
        seen,
        ["08MOSCOW1500", "08MOSCOW1599", "08PARIS100", "09PARIS200"]
    );
    // From the third page on, First as well as Previous.
    assert!(pages[2].contains("First page"));
    // Previous walks back through the same pages.
    let mut back = Vec::new();
    let mut page = pages.last().unwrap().clone();
    while let Some(prev) = attr_of(&page, "id=\"previous-page\"", "href") {
        page = env.page(&prev).await;
        back.extend(hit_ids(&page));
    }
    assert_eq!(back, ["08PARIS100", "08MOSCOW1599", "08MOSCOW1500"]);
    let html = env.page("/search?q=*&sort=-date").await;
    assert_eq!(hit_ids(&html)[0], "09PARIS200");
    // A cursor that this search did not print is a clear 400, not a 500.
    let r = env.get("/search?q=*&cursor=garbage").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("first page"));
}

#[tokio::test]
async fn every_result_page_offers_the_whole_query_for_download() {
    let env = Env::new();
    let html = env.page("/search?q=*&sort=-date&limit=1").await;
    for (format, first_line) in [
        ("csv", "id,published_id,"),
        ("jsonl", "{"),
        ("graphml", "<?xml"),
    ] {
        let marker = format!("format={format}");
        let href = attr_of(&html, &marker, "href")
            .unwrap_or_else(|| panic!("an export link for {format}"));
        assert!(href.starts_with("/api/export?"), "{href}");
        assert!(href.contains("sort=-date"), "same order: {href}");
        let r = env.get(&href).await;
        assert_eq!(r.status, StatusCode::OK, "{href}");
        assert!(r.body.starts_with(first_line), "{format}: {}", r.body);
        if format == "csv" {
            // The whole query, not the page of one: a header and four rows.
            let rows = csv::Reader::from_reader(r.body.as_bytes())
                .records()
                .count();
            assert_eq!(rows, 4);
        }
    }
    // No matches, no export links.
    let html = env.page("/search?q=zzzznothing").await;
    assert!(!html.contains("/api/export"));
}

#[tokio::test]
async fn a_pasted_id_opens_the_cable() {
    let env = Env::new();
    for (pasted, to) in [
        ("08MOSCOW1599", "/cables/08MOSCOW1599"),
        ("08+MOSCOW+1599", "/cables/08MOSCOW1599"),
        ("moscow+01500", "/cables/08MOSCOW1500"),
        ("2009-Paris-200", "/cables/09PARIS200"),
    ] {
        let r = env.get(&format!("/search?q={pasted}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{pasted}");
        assert_eq!(r.header("location"), to, "{pasted}");
    }
    // Words that read as an id but name no cable are searched as words.
    let r = env.get("/search?q=nuclear+2009").await;
    assert_eq!(r.status, StatusCode::OK);
    // A fielded query is never taken for a paste.
    let r = env.get("/search?q=origin%3AMOSCOW").await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn years_are_listed_newest_first_and_undated_matches_counted() {
    let mut f = fixtures();
    f.push((
        "undated/rome.txt",
        tg("ROME", 5).dtg("").para("U", "An undated widget note."),
    ));
    let env = Env::with(f);
    let html = env.page("/search?q=*").await;
    let marker = "data-facet=\"year\" data-value=\"";
    let years: Vec<&str> = html
        .match_indices(marker)
        .map(|(i, _)| &html[i + marker.len()..i + marker.len() + 4])
        .collect();
    assert_eq!(years, ["2009", "2008"], "newest first");
    let undated = html
        .split("class=\"facet-undated\"")
        .nth(1)
        .expect("an undated line under the years");
    let undated = &undated[..undated.find("</p>").unwrap()];
    assert!(undated.contains(">1<"), "one undated match: {undated}");
}

#[tokio::test]
async fn a_syntax_error_shows_the_query_with_a_caret() {
    let env = Env::new();
    let r = env.get("/search?q=created%3A%5B2008-13+TO+2009%5D").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_csp_clean("syntax error", &r.body);
    assert!(r.body.contains("id=\"query-error\""), "{}", r.body);
    assert!(r.body.contains("class=\"err-at\""));
    assert!(r.body.contains("^"));
    // The form keeps the query so it can be fixed.
    assert!(r.body.contains("value=\"created:[2008-13 TO 2009]\""));
    let r = env.get("/search?q=tag%3A%28").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn html_special_characters_in_a_query_are_escaped() {
    let env = Env::new();
    let evil =
        "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E+%22%3E%3Cimg+src%3Dx+onerror%3Dalert(1)%3E";
    let r = env.get(evil).await;
    assert!(r.status == StatusCode::OK || r.status == StatusCode::BAD_REQUEST);
    assert_csp_clean(evil, &r.body);
    assert!(!r.body.contains("<script>alert"), "{}", r.body);
    assert!(!r.body.contains("<img src=x"));
    assert!(r.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[tokio::test]
async fn the_cable_page_shows_header_marks_refs_cited_by_and_citation() {
    let env = Env::new();
    let html = env.page("/cables/08MOSCOW1599").await;
    // Header table.
    assert!(html.contains("id=\"header-fields\""));
    for th in [
        "Date",
        "Origin",
        "Classification",
        "Captions",
        "To",
        "Tags",
        "Subject",
        "Classified by",
        "Reasons",
        "E.O.",
    ] {
        assert!(
            html.contains(&format!("<th scope=\"row\">{th}</th>")),
            "row {th}"
        );
    }
    assert!(html.contains("SECRET//NOFORN"));
    assert!(html.contains("5 June 2008"));
    // Tags with their meanings.
    assert!(html.contains(">PREL</a>"));
    assert!(html.contains("Political relations between states"));
    assert!(html.contains("Russia"));
    // Portion marks as badges.
    assert!(html.contains(">(S/NF)</span>"), "{html}");
    assert!(html.contains(">(U)</span>"));
    assert!(html.contains("class=\"mark lvl-s\""));
    // Wrapped lines of a paragraph are joined for reading.
    assert!(html.contains("met the deputy minister"), "{html}");
    // References: present linked, missing marked.
    assert!(html.contains("<a class=\"ref-link\" href=\"/cables/08MOSCOW1500\">08MOSCOW1500</a>"));
    assert!(html.contains("<li class=\"ref missing\">"));
    assert!(html.contains("08STATE12345"));
    assert!(html.contains("not in archive"));
    // Cited by.
    assert!(html.contains("id=\"cited-by\""));
    let cited = &html[html.find("id=\"cited-by\"").unwrap()..];
    assert!(cited.contains("href=\"/cables/09PARIS200\""));
    assert!(cited.contains("NUCLEAR PROGRAM REVIEW"));
    // Citation and BibTeX.
    assert!(html.contains(
        "Embassy Moscow, \u{201c}WIDGET TALKS WITH THE MINISTRY,\u{201d} cable 08MOSCOW1599, 5 June 2008, SECRET//NOFORN, via cablescope."
    ), "{html}");
    assert!(html.contains("@misc{cable08MOSCOW1599,"));
    assert!(html.contains("title = {{WIDGET TALKS WITH THE MINISTRY}}"));
    // Links to the graph and the API record.
    assert!(html.contains("href=\"/cables/08MOSCOW1599/graph\""));
    assert!(html.contains("href=\"/api/cables/08MOSCOW1599\""));
    // Sources.
    assert!(html.contains("id=\"sources\""));
    assert!(html.contains("telegram"));
}

#[tokio::test]
async fn merged_copies_that_differ_get_a_side_by_side_diff() {
    let env = Env::new();
    let html = env.page("/cables/08PARIS100").await;
    let sources = &html[html.find("id=\"sources\"").unwrap()..];
    // Both copies, each by its file name: where the server keeps the inputs is for
    // administrators (this server has no users, so nobody is one).
    let list = &sources[..sources.find("</table>").unwrap()];
    assert_eq!(
        list.matches("<code class=\"path\">08PARIS100.txt</code>")
            .count(),
        2,
        "{list}"
    );
    assert!(
        !sources.contains("/in/"),
        "a server folder shown: {sources}"
    );
    assert!(!html.contains(env.root()), "a server path shown");
    assert!(sources.contains("<table class=\"diff\">"), "{sources}");
    let reactors_turbines = (sources.contains("<del>reactors.</del>")
        || sources.contains("<del>reactors</del>"))
        && (sources.contains("<ins>turbines.</ins>") || sources.contains("<ins>turbines</ins>"));
    let turbines_reactors = (sources.contains("<del>turbines.</del>")
        || sources.contains("<del>turbines</del>"))
        && (sources.contains("<ins>reactors.</ins>") || sources.contains("<ins>reactors</ins>"));
    assert!(reactors_turbines || turbines_reactors, "{sources}");
}

#[tokio::test]
async fn loose_ids_redirect_and_unknown_ids_get_a_404_page() {
    let env = Env::new();
    for loose in [
        "08%20MOSCOW%201599",
        "08moscow1599",
        "08%20MOSCOW%2001599",
        "MOSCOW%201599",
    ] {
        let r = env.get(&format!("/cables/{loose}")).await;
        assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT, "{loose}");
        assert_eq!(r.header("location"), "/cables/08MOSCOW1599", "{loose}");
    }
    let r = env.get("/cables/08%20MOSCOW%201599/graph?depth=2").await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(r.header("location"), "/cables/08MOSCOW1599/graph?depth=2");
    for unknown in [
        "/cables/99NOWHERE1",
        "/cables/%3Cb%3E",
        "/cables/08STATE12345/graph",
    ] {
        let r = env.get(unknown).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{unknown}");
        assert!(r.header("content-type").starts_with("text/html"));
        assert!(r.body.contains("<h1>Not found</h1>"), "{}", r.body);
        assert_csp_clean(unknown, &r.body);
        assert!(!r.body.contains("<b>"));
    }
    let r = env.get("/no/such/page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("<h1>Not found</h1>"));
    // The API keeps its JSON 404.
    let r = env.get("/api/no-such-route").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.header("content-type").starts_with("application/json"));
}

#[tokio::test]
async fn the_overview_page_counts_the_archive() {
    let env = Env::new();
    let html = env.page("/overview").await;
    assert!(html.contains("<dd id=\"total-cables\">4</dd>"), "{html}");
    let by_year =
        &html[html.find("id=\"by-year\"").unwrap()..html.find("id=\"by-origin\"").unwrap()];
    assert!(by_year.contains("<svg"));
    assert!(
        by_year.contains(">2008</a></th><td class=\"num\">3</td>"),
        "{by_year}"
    );
    assert!(by_year.contains(">2009</a></th><td class=\"num\">1</td>"));
    let by_origin = &html[html.find("id=\"by-origin\"").unwrap()..];
    assert!(by_origin.contains(">MOSCOW</a></th><td class=\"num\">2</td>"));
    assert!(by_origin.contains(">PARIS</a></th><td class=\"num\">2</td>"));
    assert!(
        html.contains(">UNCLASSIFIED</a></th><td class=\"num\">2</td>"),
        "{html}"
    );
    let missing = &html[html.find("id=\"most-cited-missing\"").unwrap()..];
    assert!(missing.contains("08STATE12345"));
    assert!(missing.contains("1 cable<"));
    // TAGS, commonest first, each a search; months with their counts.
    let by_tag = &html[html.find("id=\"by-tag\"").unwrap()..];
    assert!(by_tag.contains("<svg"));
    assert!(
        by_tag.contains("q=tag%3AFR\">FR</a></th><td class=\"num\">2</td>"),
        "{by_tag}"
    );
    let fr = by_tag.find(">FR</a>").unwrap();
    let prel = by_tag.find(">PREL</a>").unwrap();
    assert!(fr < prel, "commonest first");
    let by_month =
        &html[html.find("id=\"by-month\"").unwrap()..html.find("id=\"by-origin\"").unwrap()];
    assert!(by_month.contains("<svg"));
    assert!(
        by_month.contains(">2009-03</a></th><td class=\"num\">1</td>"),
        "{by_month}"
    );
}

/// The JSON the graph page embeds for `graph.js`.
fn graph_json(html: &str) -> Value {
    let start = html
        .find("<script id=\"graph-data\" type=\"application/json\">")
        .expect("graph data")
        + "<script id=\"graph-data\" type=\"application/json\">".len();
    let end = start + html[start..].find("</script>").expect("end");
    serde_json::from_str(&html[start..end]).expect("valid JSON")
}

#[tokio::test]
async fn the_graph_page_embeds_the_neighbourhood() {
    let env = Env::new();
    let html = env.page("/cables/08MOSCOW1599/graph").await;
    assert!(html.contains("id=\"graph\""));
    assert!(html.contains("src=\"/assets/graph."));
    let data = graph_json(&html);
    assert_eq!(data["center"], "08MOSCOW1599");
    let mut nodes: Vec<(String, bool)> = data["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["id"].as_str().unwrap().to_string(),
                n["present"].as_bool().unwrap(),
            )
        })
        .collect();
    nodes.sort();
    assert_eq!(
        nodes,
        [
            ("08MOSCOW1500".to_string(), true),
            ("08MOSCOW1599".to_string(), true),
            ("08STATE12345".to_string(), false),
            ("09PARIS200".to_string(), true),
        ]
    );
    assert_eq!(data["edges"].as_array().unwrap().len(), 3);
    let center = &data["nodes"][0];
    assert_eq!(center["subject"], "WIDGET TALKS WITH THE MINISTRY");
    // Without JavaScript: the same cables in a table, the missing one marked.
    assert!(html.contains("<tr class=\"graph-node missing\" data-id=\"08STATE12345\">"));
    assert!(html.contains("<tr class=\"graph-node\" data-id=\"09PARIS200\">"));
    // Depth 1 from the Paris cable does not reach 08MOSCOW1500; depth 2 does.
    let d1 = graph_json(&env.page("/cables/09PARIS200/graph?depth=1").await);
    assert_eq!(d1["nodes"].as_array().unwrap().len(), 2);
    let d2 = graph_json(&env.page("/cables/09PARIS200/graph?depth=2").await);
    assert_eq!(d2["nodes"].as_array().unwrap().len(), 4);
    assert_eq!(d2["depth"], 2);
}

#[tokio::test]
async fn assets_are_embedded_and_cached_for_long() {
    let env = Env::new();
    let html = env.page("/").await;
    for (marker, ty) in [
        ("rel=\"stylesheet\"", "text/css"),
        ("src=\"/assets/app.", "text/javascript"),
    ] {
        let tag = tags(&html)
            .into_iter()
            .find(|t| t.contains(marker))
            .expect(marker)
            .to_string();
        let url = attr_of(&tag, "", if ty == "text/css" { "href" } else { "src" }).expect("url");
        let r = env.get(&url).await;
        assert_eq!(r.status, StatusCode::OK, "{url}");
        assert!(r.header("content-type").starts_with(ty), "{url}");
        assert!(r.header("cache-control").contains("immutable"), "{url}");
        assert!(!r.body.is_empty());
    }
    let r = env.get("/assets/style.css").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), "no-cache");
    let r = env.get("/assets/nothing.css").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_page_obeys_the_strict_csp_rules() {
    let env = Env::new();
    for uri in [
        "/",
        "/search?q=*",
        "/search?q=widget&sort=-date",
        "/overview",
        "/cables/08MOSCOW1599",
        "/cables/08PARIS100",
        "/cables/08MOSCOW1599/graph?depth=3",
    ] {
        env.page(uri).await;
    }
}

fn withheld_cable() -> Cable {
    Cable {
        id: Some("08MOSCOW1599".into()),
        classification: Some("SECRET//NOFORN".into()),
        subject: None,
        withheld: vec!["subject".into(), "references".into()],
        paragraphs: vec![
            Paragraph {
                number: 1,
                marking: Some("U".into()),
                text: "The open part.".into(),
                ..Paragraph::default()
            },
            Paragraph {
                number: 3,
                marking: Some("S/NF".into()),
                withheld: true,
                ..Paragraph::default()
            },
        ],
        ..Cable::default()
    }
}

#[test]
fn a_withheld_paragraph_renders_as_a_placeholder() {
    let c = withheld_cable();
    let html = paragraphs(&c).into_string();
    assert!(
        html.contains("Paragraph 3 (S/NF) withheld — not within your clearance"),
        "{html}"
    );
    assert!(html.contains("class=\"para withheld\""));
    assert!(html.contains("The open part."));
    // The whole page: the subject and references are placeholders too.
    let page = render(&CableView::new(c), &Viewer::anonymous()).into_string();
    assert!(page.contains("Subject withheld"));
    assert!(page.contains("The references are withheld — not within your clearance."));
    assert!(page.contains("<th scope=\"row\">Subject</th><td class=\"withheld\">"));
    assert_csp_clean("withheld", &page);
}

#[tokio::test]
async fn an_id_without_its_year_that_names_several_cables_lists_them() {
    let mut fixtures = fixtures();
    let other_year = fixtures[1].1.clone().dtg("011119Z JUN 07");
    fixtures.push(("moscow/07MOSCOW1500.txt", other_year));
    let env = Env::with(fixtures);
    let html = env.page("/cables/MOSCOW%201500").await;
    assert!(html.contains("MOSCOW1500 names 2 cables"), "{html}");
    assert!(html.contains("href=\"/cables/07MOSCOW1500\""));
    assert!(html.contains("href=\"/cables/08MOSCOW1500\""));
    // With the year it is one cable.
    let r = env.get("/cables/2007%20MOSCOW%201500").await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(r.header("location"), "/cables/07MOSCOW1500");
}

#[tokio::test]
async fn a_path_that_is_not_utf8_is_a_400_page_not_a_panic() {
    let env = Env::new();
    for uri in ["/cables/%FF%FE", "/cables/%FF/graph"] {
        let r = env.get(uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(r.body.contains("<h1>Bad request</h1>"), "{}", r.body);
        assert_csp_clean(uri, &r.body);
    }
}
