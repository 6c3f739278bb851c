//! The JSON API end to end: a small archive built from hand-written fixture
//! cables (or generated ones, for the streaming and concurrency tests), the real
//! router driven in process with `tower::ServiceExt::oneshot`, and the real server
//! on 127.0.0.1 over TCP with `reqwest`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use cablescope_access::{Admin, IngestOptions, Library};
use cablescope_server::{AppState, Limits, ServerConfig};
use cablescope_testkit::{files_under, write, Telegram};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// The fixture cables, as (file, telegram).
fn fixtures() -> Vec<(&'static str, Telegram)> {
    vec![
        (
            "08MOSCOW1599.txt",
            Telegram::new("MOSCOW", 1599)
                .class("SECRET")
                .captions(&["NOFORN", "SIPDIS"])
                .tags("PREL, PGOV, RS")
                .subject("(C) WIDGET TALKS WITH THE MINISTRY")
                .refs("A. 08 MOSCOW 1500 B. 08 STATE 12345")
                .para("U", "The widget delegation arrived on Tuesday.")
                .para("S/NF", "The ministry asked about zebra crossings."),
        ),
        (
            "08MOSCOW1500.txt",
            Telegram::new("MOSCOW", 1500)
                .dtg("011119Z JUN 08")
                .class("CONFIDENTIAL")
                .subject("(C) EARLIER WIDGET NOTE")
                .para("C", "An earlier note on widgets and zebra matters."),
        ),
        (
            "07MOSCOW1599.txt",
            Telegram::new("MOSCOW", 1599)
                .dtg("101119Z NOV 07")
                .tags("ECON, RS")
                .subject("(U) GRAIN HARVEST")
                .para("U", "The grain harvest was large this year."),
        ),
        (
            "09PARIS200.txt",
            Telegram::new("PARIS", 200)
                .dtg("101200Z MAR 09")
                .tags("ECON, FR")
                .subject("(U) NUCLEAR PROGRAM REVIEW")
                .refs("09 MOSCOW 77")
                .para(
                    "U",
                    "The program review quoted <script>alert(1)</script> & \"friends\" verbatim.",
                ),
        ),
        (
            "08PARIS100.txt",
            Telegram::new("PARIS", 100)
                .dtg("201200Z JUN 08")
                .tags("ENRG, FR")
                .subject("(U) ENERGY PROGRAM")
                .refs("08 MOSCOW 1599")
                .para("U", "A nuclear energy program for the region."),
        ),
    ]
}

/// Ingests `files` into the archive at `dir`, in batches of `batch` files.
fn ingest(dir: &Path, files: &[PathBuf], batch: usize) {
    let mut a = Admin::open(dir).expect("open archive");
    let opts = IngestOptions {
        batch_files: batch,
        ..IngestOptions::default()
    };
    let s = a.ingest(files, &opts, &mut |_| {}).expect("ingest");
    assert_eq!(s.files_failed, 0, "{:?}", s.errors);
    a.close_writer();
}

/// A temporary archive built from the fixtures.
fn fixture_archive() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    for (file, t) in fixtures() {
        files.push(write(&tmp.path().join("in"), file, t.text()));
    }
    ingest(&tmp.path().join("arch"), &files, 2000);
    tmp
}

/// Every generated cable file of a corpus of `n` cables, sorted.
fn generated_files(dir: &Path, n: usize) -> Vec<PathBuf> {
    cablescope_generate::generate(n, 7, cablescope_generate::OutputFormat::Telegram, dir)
        .expect("generate");
    files_under(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect()
}

fn app(dir: &Path) -> axum::Router {
    let state = AppState::open(dir, ServerConfig::default()).expect("open state");
    cablescope_server::router(state)
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}), status {}: {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The error code of a JSON error body.
    fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code: {}", self.text()))
            .to_string()
    }
}

async fn call(app: &axum::Router, method: Method, uri: &str) -> Reply {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .expect("request");
    let resp = app.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

async fn get(app: &axum::Router, uri: &str) -> Reply {
    call(app, Method::GET, uri).await
}

/// GET that must answer 200 with JSON.
async fn get_ok(app: &axum::Router, uri: &str) -> Value {
    let r = get(app, uri).await;
    assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
    r.json()
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {v}"))
        .iter()
        .map(|h| h["id"].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test]
async fn search_returns_hits_facets_snippets_and_pages() {
    let tmp = fixture_archive();
    let app = app(&tmp.path().join("arch"));

    // Facets and snippets only when asked.
    let plain = get_ok(&app, "/api/search?q=widget").await;
    assert_eq!(plain["total"], 2, "{plain}");
    assert_eq!(plain["facets"], serde_json::json!({}), "{plain}");
    assert!(plain["hits"][0]["snippet"].is_null(), "{plain}");
    let some = get_ok(&app, "/api/search?q=widget&facets=origin,month").await;
    let names: Vec<&String> = some["facets"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["month", "origin"], "{some}");
    assert_eq!(some["facets"]["origin"][0]["count"], 2, "{some}");
    let bad = get(&app, "/api/search?q=widget&facets=origin,colour").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&bad.body).contains("colour"));
    let bad = get(&app, "/api/search?q=widget&snippets=maybe").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let v = get_ok(&app, "/api/search?q=widget&facets=all&snippets=true").await;
    assert_eq!(v["total"], 2, "{v}");
    let got: BTreeSet<String> = ids(&v, "hits").into_iter().collect();
    assert_eq!(
        got,
        BTreeSet::from(["08MOSCOW1500".to_string(), "08MOSCOW1599".to_string()])
    );
    let hit = &v["hits"][0];
    for k in [
        "id",
        "created",
        "classification",
        "origin",
        "subject",
        "snippet",
        "score",
    ] {
        assert!(hit.get(k).is_some(), "hit lacks {k}: {hit}");
    }
    assert!(
        hit["snippet"].as_str().unwrap().contains("<mark>widget"),
        "{hit}"
    );
    for f in ["origin", "tag", "classification", "caption", "year"] {
        assert!(v["facets"][f].is_array(), "facet {f} missing: {v}");
    }
    let moscow = v["facets"]["origin"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["value"] == "MOSCOW")
        .expect("MOSCOW bucket");
    assert_eq!(moscow["count"], 2);
    assert!(v["next_cursor"].is_null(), "{v}");

    // Fielded query, date order.
    let v = get_ok(&app, "/api/search?q=origin:MOSCOW&sort=date").await;
    assert_eq!(
        ids(&v, "hits"),
        ["07MOSCOW1599", "08MOSCOW1500", "08MOSCOW1599"]
    );
    let v = get_ok(&app, "/api/search?q=origin:MOSCOW&sort=-date").await;
    assert_eq!(ids(&v, "hits")[0], "08MOSCOW1599");

    // Paging with the cursor visits every match once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let uri = match &cursor {
            Some(c) => format!("/api/search?q=*&sort=date&limit=2&cursor={c}"),
            None => "/api/search?q=*&sort=date&limit=2".to_string(),
        };
        let v = get_ok(&app, &uri).await;
        assert_eq!(v["total"], 5);
        assert!(v["hits"].as_array().unwrap().len() <= 2);
        seen.extend(ids(&v, "hits"));
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), 5, "{seen:?}");

    // Empty q is every cable.
    assert_eq!(get_ok(&app, "/api/search?q=").await["total"], 5);
    assert_eq!(get_ok(&app, "/api/search").await["total"], 5);
}

#[tokio::test]
async fn snippets_are_html_safe() {
    let tmp = fixture_archive();
    let app = app(&tmp.path().join("arch"));
    let v = get_ok(&app, "/api/search?q=alert&snippets=true").await;
    assert_eq!(v["total"], 1, "{v}");
    let s = v["hits"][0]["snippet"].as_str().expect("snippet");
    assert!(s.contains("<mark>alert</mark>"), "{s}");
    assert!(s.contains("&lt;script&gt;"), "{s}");
    assert!(!s.contains("<script"), "{s}");
    // The only tags are the highlights.
    let stripped = s.replace("<mark>", "").replace("</mark>", "");
    assert!(!stripped.contains('<') && !stripped.contains('>'), "{s}");
    assert!(!stripped.contains('"'), "{s}");
}

#[tokio::test]
async fn bad_input_gets_json_errors_with_the_right_status() {
    let tmp = fixture_archive();
    let app = app(&tmp.path().join("arch"));

    // Malformed queries: 400 with the position of the problem.
    let r = get(&app, "/api/search?q=created:%5B2008-13%20TO%202009%5D").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let v = r.json();
    assert_eq!(v["error"]["code"], "bad_query");
    assert_eq!(v["error"]["position"], 9, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("month"));
    let r = get(&app, "/api/search?q=(widget%20OR").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "bad_query");
    assert!(r.json()["error"]["position"].is_u64());
    for uri in [
        "/api/facets?q=%22open",
        "/api/timeline?q=tag:",
        "/api/export?q=(",
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}: {}", r.text());
        assert_eq!(r.code(), "bad_query", "{uri}");
    }

    // Page size and other parameters out of range.
    for uri in [
        "/api/search?q=*&limit=0",
        "/api/search?q=*&limit=101",
        "/api/search?q=*&limit=1000000000000000000000000",
        "/api/search?q=*&limit=ten",
        "/api/search?q=*&sort=sideways",
        "/api/cables/08MOSCOW1599/refs?depth=9",
        "/api/cables/08MOSCOW1599/refs?direction=up",
        "/api/graph/08MOSCOW1599?depth=4",
        "/api/graph/08MOSCOW1599?format=png",
        "/api/export?format=xml",
        "/api/stats?missing=-1",
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}: {}", r.text());
        assert_eq!(r.code(), "bad_parameter", "{uri}");
    }
    // A lower-case operator between words: a hint, absent otherwise.
    let r = get(&app, "/api/search?q=widget%20or%20zebra").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("`widget OR zebra`"), "{}", r.text());
    let r = get(&app, "/api/search?q=widget%20OR%20zebra").await;
    assert!(!r.text().contains("\"hints\""), "{}", r.text());
    // "Did you mean": a typo gets the query respelt from the archive's words,
    // with the rest of the query kept and what it finds counted.
    let v = get_ok(&app, "/api/search?q=progarm").await;
    assert_eq!(v["total"], 0);
    assert_eq!(
        v["suggestions"],
        serde_json::json!([{"query": "program", "total": 2}]),
        "{v}"
    );
    let v = get_ok(&app, "/api/search?q=tag%3AFR%20AND%20enrgy").await;
    assert_eq!(v["suggestions"][0]["query"], "tag:FR AND energy", "{v}");
    assert_eq!(v["suggestions"][0]["total"], 1);
    // A word that finds its cables gets none; nor does a later page.
    let v = get_ok(&app, "/api/search?q=widget").await;
    assert!(v.get("suggestions").is_none(), "{v}");
    let r = get(&app, "/api/search?q=*&cursor=not-a-cursor").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.code(), "bad_cursor");
    // The API's own parameter, not the command line's flag.
    assert!(r.text().contains("without `cursor`"), "{}", r.text());
    assert!(!r.text().contains("--cursor"), "{}", r.text());
    // Page numbers and offsets are refused, not ignored (an ignored `page=2`
    // answers page 1 again), with the way to page instead.
    for uri in ["/api/search?q=*&page=2", "/api/search?q=*&offset=20"] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}: {}", r.text());
        assert_eq!(r.code(), "bad_parameter", "{uri}");
        assert!(r.text().contains("`next_cursor`"), "{uri}: {}", r.text());
    }

    // Over-long query: 400; over-long query string: 414.
    let long = "a".repeat(2001);
    let r = get(&app, &format!("/api/search?q={long}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "query_too_long");
    assert_eq!(
        get(&app, &format!("/api/search?q={}", "a".repeat(2000)))
            .await
            .status,
        StatusCode::OK
    );
    let huge = "a".repeat(20_000);
    let r = get(&app, &format!("/api/search?q={huge}")).await;
    assert_eq!(r.status, StatusCode::URI_TOO_LONG);
    assert_eq!(r.code(), "uri_too_long");

    // Unknown ids and routes: 404 JSON.
    let r = get(&app, "/api/cables/99NOWHERE1").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "not_found");
    let r = get(&app, "/api/cables/99NOWHERE1/refs").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        get(&app, "/api/graph/99NOWHERE1").await.status,
        StatusCode::NOT_FOUND
    );
    for uri in ["/api/nope", "/api/cables", "/api", "/api/search/extra"] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(r.code(), "no_route", "{uri}");
        assert!(r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
    }
    let r = call(&app, Method::POST, "/api/search?q=x").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.code(), "method_not_allowed");

    // Invalid UTF-8 in the path: 400, not a panic.
    for uri in [
        "/api/cables/%FF%FE",
        "/api/cables/%C3%28/refs",
        "/api/graph/08MOSCOW%FF",
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}: {}", r.text());
        assert_eq!(r.code(), "bad_path", "{uri}");
    }
    // Invalid UTF-8 in the query string is decoded lossily: a query, not a crash.
    let r = get(&app, "/api/search?q=%FF%FEwidget").await;
    assert!(
        r.status == StatusCode::OK || r.status == StatusCode::BAD_REQUEST,
        "{}",
        r.status
    );
}

#[tokio::test]
async fn cables_resolve_loose_ids_and_render_text() {
    let tmp = fixture_archive();
    let app = app(&tmp.path().join("arch"));

    for uri in [
        "/api/cables/08MOSCOW1599",
        "/api/cables/08%20MOSCOW%201599",
        "/api/cables/08%20MOSCOW%2001599",
    ] {
        let v = get_ok(&app, uri).await;
        assert_eq!(v["id"], "08MOSCOW1599", "{uri}");
        assert_eq!(v["record"]["id"], "08MOSCOW1599");
        assert_eq!(v["record"]["subject"], "WIDGET TALKS WITH THE MINISTRY");
        assert_eq!(
            v["record"]["tags"],
            serde_json::json!(["PREL", "PGOV", "RS"])
        );
    }
    let v = get_ok(&app, "/api/cables/08MOSCOW1599").await;
    // Inputs by file name: the server's folders are for administrators.
    let root = tmp.path().to_str().unwrap();
    assert!(!v.to_string().contains(root), "a server path: {v}");
    assert_eq!(v["record"]["source"]["path"], "08MOSCOW1599.txt", "{v}");
    let text = v["text"].as_str().expect("text");
    assert!(
        text.contains("SUBJECT         (C) WIDGET TALKS WITH THE MINISTRY"),
        "{text}"
    );
    assert!(text.contains("08MOSCOW1500 (in archive)"), "{text}");
    assert!(text.contains("08STATE12345 (missing)"), "{text}");
    assert!(
        text.contains("2. (S/NF) The ministry asked about zebra crossings."),
        "{text}"
    );

    // Without the year: the one cable, or an error naming the ambiguity.
    assert_eq!(
        get_ok(&app, "/api/cables/PARIS%20200").await["id"],
        "09PARIS200"
    );
    let r = get(&app, "/api/cables/MOSCOW%201599").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.code(), "ambiguous_id");
    assert!(r.text().contains("2 cables"), "{}", r.text());
}

#[tokio::test]
async fn refs_and_graph_walk_citations() {
    let tmp = fixture_archive();
    let app = app(&tmp.path().join("arch"));

    let v = get_ok(&app, "/api/cables/08MOSCOW1599/refs?direction=cites").await;
    let nodes: Vec<(String, bool)> = v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["id"].as_str().unwrap().to_string(),
                n["missing"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(nodes[0], ("08MOSCOW1599".to_string(), false));
    assert!(nodes.contains(&("08MOSCOW1500".to_string(), false)), "{v}");
    assert!(nodes.contains(&("08STATE12345".to_string(), true)), "{v}");
    assert_eq!(nodes.len(), 3, "{v}");
    assert_eq!(v["edges"].as_array().unwrap().len(), 2, "{v}");
    assert!(v["edges"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["from"] == "08MOSCOW1599"));

    // Cited by: 08PARIS100 cites it.
    let v = get_ok(
        &app,
        "/api/cables/08%20MOSCOW%201599/refs?direction=cited-by",
    )
    .await;
    let got: Vec<String> = ids(&v, "nodes");
    assert_eq!(got, ["08MOSCOW1599", "08PARIS100"]);

    // Two steps, both directions: 08MOSCOW1500 ← 08MOSCOW1599 ← 08PARIS100.
    let v = get_ok(&app, "/api/cables/08MOSCOW1500/refs?depth=2").await;
    let got: BTreeSet<String> = ids(&v, "nodes").into_iter().collect();
    assert!(
        got.contains("08PARIS100") && got.contains("08STATE12345"),
        "{v}"
    );

    // The graph, as JSON with header fields, and as files.
    let v = get_ok(&app, "/api/graph/08MOSCOW1599?depth=1").await;
    let start = &v["nodes"][0];
    assert_eq!(start["id"], "08MOSCOW1599");
    assert_eq!(start["matched"], true);
    assert_eq!(start["origin"], "MOSCOW");
    assert_eq!(start["classification"], "SECRET//NOFORN");
    let missing = v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "08STATE12345")
        .expect("missing node");
    assert_eq!(missing["present"], false);
    assert_eq!(v["edges"].as_array().unwrap().len(), 3, "{v}");

    let r = get(&app, "/api/graph/08MOSCOW1599?format=graphml").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/graphml+xml");
    assert!(r.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("08MOSCOW1599.graphml"));
    let x = r.text();
    assert!(x.contains(r#"<node id="08PARIS100">"#), "{x}");
    assert!(
        x.contains(r#"source="08MOSCOW1599" target="08STATE12345""#),
        "{x}"
    );
    let r = get(&app, "/api/graph/08MOSCOW1599?format=gexf&direction=cites").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/gexf+xml");
    assert!(r
        .text()
        .contains(r#"<node id="08MOSCOW1500" label="08MOSCOW1500">"#));
    assert!(!r.text().contains("08PARIS100"), "cites only: {}", r.text());
}

#[tokio::test]
async fn timeline_facets_and_stats_count_the_archive() {
    let tmp = fixture_archive();
    let app = app(&tmp.path().join("arch"));

    let v = get_ok(&app, "/api/timeline?q=*").await;
    assert_eq!(v["total"], 5);
    let months = v["months"].as_array().unwrap();
    assert_eq!(months.first().unwrap()["month"], "2007-11");
    assert_eq!(months.last().unwrap()["month"], "2009-03");
    assert_eq!(months.len(), 17, "every month from 2007-11 to 2009-03: {v}");
    let sum: u64 = months.iter().map(|m| m["count"].as_u64().unwrap()).sum();
    assert_eq!(sum, 5);
    let june = months.iter().find(|m| m["month"] == "2008-06").unwrap();
    assert_eq!(june["count"], 3);
    let v = get_ok(&app, "/api/timeline?q=tag:ECON").await;
    let months: Vec<&str> = v["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["month"].as_str().unwrap())
        .collect();
    assert_eq!(months.first(), Some(&"2007-11"));
    assert_eq!(months.last(), Some(&"2009-03"));

    let v = get_ok(&app, "/api/facets?q=tag:RS").await;
    assert_eq!(v["total"], 3);
    assert_eq!(v["facets"]["origin"][0]["value"], "MOSCOW");
    assert_eq!(v["facets"]["origin"][0]["count"], 3);
    assert!(v["facets"]["month"].is_array());
    let years: Vec<(&str, u64)> = v["facets"]["year"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["value"].as_str().unwrap(), b["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(years, [("2007", 1), ("2008", 2)]);

    let v = get_ok(&app, "/api/stats").await;
    assert_eq!(v["cables"], 5);
    let missing: Vec<&str> = v["most_cited_missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["value"].as_str().unwrap())
        .collect();
    assert!(
        missing.contains(&"08STATE12345") && missing.contains(&"09MOSCOW77"),
        "{v}"
    );
    let by_origin = v["by_origin"].as_array().unwrap();
    assert!(by_origin
        .iter()
        .any(|b| b["value"] == "PARIS" && b["count"] == 2));
    assert_eq!(
        get_ok(&app, "/api/stats?missing=1").await["most_cited_missing"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn health_and_metrics() {
    let tmp = fixture_archive();
    let app = app(&tmp.path().join("arch"));
    let v = get_ok(&app, "/healthz").await;
    assert_eq!(v["status"], "ok");
    assert_eq!(v["cables"], 5);

    get_ok(&app, "/api/search?q=widget").await;
    get_ok(&app, "/api/search?q=zebra").await;
    get(&app, "/api/search?q=(").await;
    get(&app, "/api/cables/99NOWHERE1").await;
    get(&app, "/api/nowhere").await;
    let r = get(&app, "/metrics").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/openmetrics-text"));
    let m = r.text();
    for line in [
        r#"cablescope_http_requests_total{method="GET",route="/api/search",status="200"} 2"#,
        r#"cablescope_http_requests_total{method="GET",route="/api/search",status="400"} 1"#,
        r#"cablescope_http_requests_total{method="GET",route="/api/cables/{id}",status="404"} 1"#,
        r#"cablescope_http_requests_total{method="GET",route="/api/{*rest}",status="404"} 1"#,
        r#"cablescope_http_request_duration_seconds_count{route="/api/search"} 3"#,
        "cablescope_archive_cables 5",
    ] {
        assert!(m.contains(line), "no {line} in:\n{m}");
    }
    // Histogram buckets are cumulative and end with +Inf.
    assert!(
        m.contains(
            r#"cablescope_http_request_duration_seconds_bucket{le="+Inf",route="/api/search"} 3"#
        ),
        "{m}"
    );
}

#[tokio::test]
async fn oversized_request_bodies_are_refused() {
    let tmp = fixture_archive();
    let dir = tmp.path().join("arch");

    // A request body over the limit: 413 before any handler runs.
    let app = app(&dir);
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/search")
        .header("content-length", "100000")
        .body(Body::from(vec![b'x'; 100_000]))
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_json_error(resp, "payload_too_large").await;

    // Other answers of the framework itself are JSON too: a wrong method, a JSON
    // body that is not JSON.
    let req = Request::builder()
        .method(Method::DELETE)
        .uri("/api/search")
        .body(Body::empty())
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(resp.headers().contains_key("allow"), "Allow is kept");
    assert_json_error(resp, "method_not_allowed").await;

    // A query string over the limit: 414, JSON.
    let long = format!("/api/search?q={}", "a".repeat(20_000));
    let req = Request::get(long).body(Body::empty()).unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::URI_TOO_LONG);
    assert_json_error(resp, "uri_too_long").await;

    // (The request timeout is tested in the crate's unit tests, with a handler
    // that never finishes.)
}

/// Checks that `resp` is a JSON error `{"error": {"code", "message"}}` with `code`.
async fn assert_json_error(resp: axum::response::Response, code: &str) {
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"),
        "{:?}",
        resp.headers()
    );
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error"]["code"], code, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{v}"
    );
}

/// Substitutes example values for the path parameters of an OpenAPI path.
fn example_uri(path: &str) -> String {
    path.replace("{id}", "08MOSCOW1599")
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_routes() {
    let tmp = fixture_archive();
    let app = app(&tmp.path().join("arch"));
    let doc = get_ok(&app, "/api/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));

    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "delete", "patch", "head", "options"]
                .contains(&method.as_str())
            {
                documented.insert((method.clone(), path.clone()));
            }
        }
    }
    let routed: BTreeSet<(String, String)> = cablescope_server::api::route_table()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(documented, routed, "router and document disagree");

    // Every documented route answers on the real router (never the JSON 404 of
    // unknown routes, never 405), and its responses' schemas resolve. Ingest and
    // user management need a curator's or an admin's token, which an archive
    // without users cannot have: 403 (tests/auth.rs covers them with users).
    for (method, path) in &documented {
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let r = call(&app, m, &example_uri(path)).await;
        assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        let needs_role = path == "/api/ingest" || path.starts_with("/api/users");
        assert!(
            if needs_role {
                r.status == StatusCode::FORBIDDEN && r.code() == "forbidden"
            } else {
                r.status == StatusCode::OK
            },
            "{method} {path}: {} {}",
            r.status,
            r.text()
        );
    }
    let text = serde_json::to_string(&doc).unwrap();
    for schema in [
        "SearchResponse",
        "SearchHit",
        "FacetBucket",
        "CableResponse",
        "RefsResponse",
        "GraphResponse",
        "TimelineResponse",
        "StatsResponse",
        "ErrorBody",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "schema {schema} missing"
        );
    }
    // Every `$ref` points at a schema that exists.
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &part[..part.find('"').unwrap()];
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "dangling $ref {name}"
        );
    }
    // A route that is not in the table is not routed.
    let r = get(&app, "/api/cables/08MOSCOW1599/everything").await;
    assert_eq!(r.code(), "no_route");

    // The interactive page, from embedded files.
    let r = get(&app, "/api/docs/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().to_lowercase().contains("swagger"), "{}", r.text());
    let r = get(&app, "/api/docs/swagger-initializer.js").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("/api/openapi.json"), "{}", r.text());
    let r = get(&app, "/api/docs").await;
    assert!(r.status.is_redirection(), "{}", r.status);
}

/// Starts the real server on an ephemeral port; returns its base URL and a
/// trigger that shuts it down, and the server task.
async fn start(
    dir: &Path,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let state = AppState::open(dir, ServerConfig::default()).expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(cablescope_server::serve(listener, state, async move {
        let _ = rx.await;
    }));
    (format!("http://{addr}"), tx, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_streams_every_match_over_tcp() {
    let tmp = tempfile::tempdir().unwrap();
    let files = generated_files(&tmp.path().join("corpus"), 700);
    let dir = tmp.path().join("arch");
    ingest(&dir, &files, 2000);
    let (base, stop, task) = start(&dir).await;
    let client = reqwest::Client::new();

    let total = client
        .get(format!("{base}/api/search?q=*&limit=1"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["total"]
        .as_u64()
        .unwrap();
    assert!(total >= 600, "{total}");

    let r = client
        .get(format!("{base}/api/export?q=*"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/x-ndjson");
    assert_eq!(r.headers()["x-total-count"], total.to_string().as_str());
    let body = r.text().await.unwrap();
    let mut seen = BTreeSet::new();
    let mut last_created = String::new();
    for line in body.lines() {
        let rec: Value = serde_json::from_str(line).expect("one JSON record per line");
        let id = rec["id"].as_str().expect("id").to_string();
        // Full records, not hits: paragraphs and sources are there.
        assert!(
            rec["paragraphs"].is_array() && rec["source"].is_object(),
            "{line}"
        );
        // Oldest first; undated cables last.
        if let Some(c) = rec["created"].as_str() {
            assert!(c >= last_created.as_str(), "{c} after {last_created}");
            last_created = c.to_string();
        }
        assert!(seen.insert(id), "an id exported twice");
    }
    assert_eq!(seen.len() as u64, total, "every match once");

    // A fielded export as CSV: one row per match, same as the search total.
    let search = client
        .get(format!("{base}/api/search?q=classification:SECRET&limit=1"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let n = search["total"].as_u64().unwrap();
    assert!(n > 0);
    let r = client
        .get(format!(
            "{base}/api/export?q=classification:SECRET&format=csv&sort=-date"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let body = r.text().await.unwrap();
    let mut rdr = csv::Reader::from_reader(body.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(&headers[0], "id");
    let class = headers
        .iter()
        .position(|h| h == "classification")
        .expect("a classification column");
    assert!(headers.iter().any(|h| h == "text"), "{headers:?}");
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len() as u64, n);
    assert!(
        rows.iter().all(|r| r[class].starts_with("SECRET")),
        "{body}"
    );

    // The same query's citation graph: every match a matched node, the cables
    // they cite beside them, each cited one once.
    for (format, ctype, root) in [
        ("graphml", "application/graphml+xml", "<graphml"),
        ("gexf", "application/gexf+xml", "<gexf"),
    ] {
        let r = client
            .get(format!(
                "{base}/api/export?q=classification:SECRET&format={format}"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{format}");
        assert_eq!(r.headers()["content-type"], ctype);
        assert_eq!(r.headers()["x-total-count"], n.to_string().as_str());
        assert!(r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with(&format!(".{format}\"")));
        let body = r.text().await.unwrap();
        assert!(body.contains(root), "{format}");
        if format == "graphml" {
            let matched = body.matches(r#"<data key="d1">true</data>"#).count();
            assert_eq!(matched as u64, n, "one matched node per match");
            let nodes = body.matches("<node id=").count();
            assert!(nodes as u64 >= n);
            assert!(body.contains("<edge "), "the matches cite cables");
        }
    }
    let r = client
        .get(format!("{base}/api/export?q=*&format=pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("graphml"));

    // Shut down while an export is in flight: it still finishes, whole.
    let mut r = client
        .get(format!("{base}/api/export?q=*"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    stop.send(()).unwrap();
    let mut bytes = Vec::new();
    while let Some(chunk) = r.chunk().await.expect("the body completes") {
        bytes.extend_from_slice(&chunk);
    }
    let lines = bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    assert_eq!(lines as u64, total);
    task.await.unwrap().expect("server stopped cleanly");

    // Exports running at once are bounded: with room for one, a second export
    // while the first is unread (its task waits on the full channel) is refused.
    let state = AppState::open_with_limits(
        &dir,
        ServerConfig::default(),
        Limits {
            max_exports: 1,
            ..Limits::default()
        },
    )
    .unwrap();
    let app = cablescope_server::router(state);
    let req = || {
        Request::builder()
            .uri("/api/export?q=*")
            .body(Body::empty())
            .unwrap()
    };
    let first = app.clone().oneshot(req()).await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let second = app.clone().oneshot(req()).await.unwrap();
    assert_eq!(second.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = second.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error"]["code"], "busy");
    // Reading the first to its end frees the permit.
    let lines = first
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    assert_eq!(lines as u64, total);
    // The permit was released before the body ended.
    let third = app.clone().oneshot(req()).await.unwrap();
    assert_eq!(third.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_succeed_while_an_ingest_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let files = generated_files(&tmp.path().join("corpus"), 600);
    let (first, second) = files.split_at(files.len() / 3);
    let dir = tmp.path().join("arch");
    ingest(&dir, first, 2000);
    let (base, stop, task) = start(&dir).await;
    let client = reqwest::Client::new();

    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let dir = dir.clone();
        let second = second.to_vec();
        let done = done.clone();
        std::thread::spawn(move || {
            // Small batches: many commits for the readers to see one by one.
            ingest(&dir, &second, 25);
            done.store(true, Ordering::SeqCst);
        })
    };

    let mut tasks = Vec::new();
    for i in 0..8 {
        let client = client.clone();
        let base = base.clone();
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            let mut totals = Vec::new();
            loop {
                let finished = done.load(Ordering::SeqCst);
                let uri = if i % 2 == 0 {
                    format!("{base}/api/search?q=*&limit=5")
                } else {
                    format!("{base}/api/facets?q=*")
                };
                let r = client.get(&uri).send().await.expect("request");
                assert_eq!(r.status(), 200, "{uri}");
                let v: Value = r.json().await.expect("json");
                let total = v["total"].as_u64().expect("total");
                if let Some(&last) = totals.last() {
                    assert!(total >= last, "count went down: {last} then {total}");
                }
                totals.push(total);
                if finished {
                    return totals;
                }
            }
        }));
    }
    let mut finals = Vec::new();
    for t in tasks {
        let totals = t.await.expect("client task");
        assert!(!totals.is_empty());
        finals.push(*totals.last().unwrap());
    }
    writer.join().expect("ingest thread");
    let expected = Library::open_for_reading(&dir)
        .unwrap()
        .cable_count()
        .unwrap();
    // Each task's last request started after the ingest had finished, so every
    // handle of the pool saw the last commit.
    assert!(
        finals.iter().all(|&n| n == expected),
        "{finals:?} vs {expected}"
    );
    let v: Value = client
        .get(format!("{base}/api/search?q=*"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["total"].as_u64().unwrap(), expected);
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
}
