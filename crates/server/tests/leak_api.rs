//! The clearance model over HTTP, from the attacker's side: canary words planted in
//! (U), (C), (S), (S/NF), (TS) and unmarked paragraphs, a SUBJECT (S) line, a
//! SECRET classified-by line, a NODIS cable and a wholly SECRET cable; then every
//! user — one per clearance, a curator, an admin — calls every route of the API
//! (enumerated from the OpenAPI document, so a new route cannot be forgotten) and
//! looks for every canary. A canary must appear exactly when the user may read it
//! (search hits, totals, facets, timeline, snippets, record and text, refs, graph,
//! export rows, stats), an invisible cable must answer exactly like an unknown id,
//! and the routes beyond reading must answer by role.

mod auth_common;

use std::collections::BTreeSet;

use auth_common::{
    documented_routes, unknown_twin, visible_cables, Env, Reply, Req, TestUser, CABLES, CANARIES,
};
use axum::http::StatusCode;
use cablescope_access::users::Role;
use cablescope_server::ServerConfig;
use serde_json::Value;

/// Fails when the body shows a canary `user` may not read.
fn assert_no_leak(user: &TestUser, what: &str, r: &Reply) {
    let body = r.body.to_lowercase();
    for c in CANARIES {
        if body.contains(c.word) {
            assert!(
                c.readable_by(&user.clearance),
                "{}: {what} shows {} ({} may not read it):\n{}",
                user.name,
                c.word,
                user.name,
                r.body
            );
        }
    }
}

async fn get(env: &Env, token: &str, uri: &str) -> Reply {
    Req::get(uri).bearer(token).send(&env.app).await
}

async fn get_ok(env: &Env, user: &TestUser, token: &str, uri: &str) -> Reply {
    let r = get(env, token, uri).await;
    assert_eq!(r.status, StatusCode::OK, "{} {uri}: {}", user.name, r.body);
    assert_no_leak(user, uri, &r);
    r
}

fn q(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Checks that an invisible cable's answer is the unknown id's, bar the id.
async fn assert_like_unknown(
    env: &Env,
    user: &TestUser,
    token: &str,
    uri_of: &dyn Fn(&str) -> String,
    id: &str,
) {
    let twin = unknown_twin(id);
    let a = get(env, token, &uri_of(id)).await;
    let b = get(env, token, &uri_of(&twin)).await;
    assert_eq!(
        a.status,
        StatusCode::NOT_FOUND,
        "{} {}: {}",
        user.name,
        uri_of(id),
        a.body
    );
    assert_eq!(a.status, b.status);
    assert_eq!(
        a.headers, b.headers,
        "{}: headers differ for {id} and {twin}",
        user.name
    );
    assert_eq!(
        a.body.replace(id, "ID"),
        b.body.replace(&twin, "ID"),
        "{}: bodies differ for {id} and {twin}",
        user.name
    );
    assert_no_leak(user, &uri_of(id), &a);
}

fn sum(v: &Value) -> u64 {
    v.as_array()
        .map(|a| a.iter().filter_map(|b| b["count"].as_u64()).sum())
        .unwrap_or(0)
}

/// The checks of one route for one user.
async fn probe(env: &Env, method: &str, path: &str, user: &TestUser, token: &str) {
    let cl = &user.clearance;
    let visible = visible_cables(cl);
    let n_visible = visible.len() as u64;
    let admin = user.role == Role::Admin;
    let curator = user.role >= Role::Curator;
    match (method, path) {
        ("get", "/api/search") => {
            for c in CANARIES {
                let allowed = c.readable_by(cl);
                let r = get_ok(
                    env,
                    user,
                    token,
                    &format!("/api/search?facets=all&snippets=true&q={}", q(&c.query())),
                )
                .await;
                let v = r.json();
                assert_eq!(
                    v["total"],
                    u64::from(allowed),
                    "{} searching {}: {v}",
                    user.name,
                    c.word
                );
                for h in v["hits"].as_array().unwrap() {
                    assert_eq!(h["id"], c.cable);
                }
                // Phrase, prefix and fuzzy forms find it exactly as often.
                let prefix = format!("{}*", &c.query()[..c.query().len() - 2]);
                let r = get_ok(
                    env,
                    user,
                    token,
                    &format!("/api/search?facets=all&snippets=true&q={}", q(&prefix)),
                )
                .await;
                assert_eq!(
                    r.json()["total"],
                    u64::from(allowed),
                    "{} {prefix}",
                    user.name
                );
            }
            // "Did you mean": a canary misspelt is respelt for exactly the
            // readers who may read it (the candidate words come from the whole
            // index; each must be confirmed by the reader's own search).
            for c in CANARIES.iter().filter(|c| c.field.is_empty()) {
                let typo = format!("{}x", c.word);
                let r = get(env, token, &format!("/api/search?q={}", q(&typo))).await;
                assert_eq!(r.status, StatusCode::OK);
                let v = r.json();
                let offered = v["suggestions"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|s| s["query"] == c.word && s["total"] == 1));
                assert_eq!(
                    offered,
                    c.readable_by(cl),
                    "{} misspelling {}: {v}",
                    user.name,
                    c.word
                );
                let unechoed = Reply {
                    body: r.body.replace(&typo, ""),
                    status: r.status,
                    headers: r.headers.clone(),
                };
                assert_no_leak(user, "suggestions", &unechoed);
            }
            let r = get_ok(
                env,
                user,
                token,
                "/api/search?facets=all&snippets=true&q=*&limit=100",
            )
            .await;
            let v = r.json();
            assert_eq!(v["total"], n_visible, "{}: {v}", user.name);
            let ids: BTreeSet<&str> = v["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["id"].as_str().unwrap())
                .collect();
            assert_eq!(ids, visible, "{}", user.name);
            for f in ["origin", "classification", "year", "tag"] {
                let s = sum(&v["facets"][f]);
                assert!(s <= n_visible * 2, "{} facet {f}: {s}", user.name);
                if f != "tag" {
                    assert_eq!(s, n_visible, "{} facet {f}", user.name);
                }
            }
        }
        ("get", "/api/facets") => {
            for c in CANARIES {
                let r = get_ok(
                    env,
                    user,
                    token,
                    &format!("/api/facets?q={}", q(&c.query())),
                )
                .await;
                let v = r.json();
                let n = u64::from(c.readable_by(cl));
                assert_eq!(v["total"], n, "{} facets {}", user.name, c.word);
                assert_eq!(sum(&v["facets"]["year"]), n, "{} {}", user.name, c.word);
                assert_eq!(sum(&v["facets"]["month"]), n, "{} {}", user.name, c.word);
            }
            let v = get_ok(env, user, token, "/api/facets?q=*").await.json();
            assert_eq!(v["total"], n_visible);
            assert_eq!(sum(&v["facets"]["month"]), n_visible);
        }
        ("get", "/api/timeline") => {
            for c in CANARIES {
                let r = get_ok(
                    env,
                    user,
                    token,
                    &format!("/api/timeline?q={}", q(&c.query())),
                )
                .await;
                let v = r.json();
                let n = u64::from(c.readable_by(cl));
                assert_eq!(v["total"], n, "{} timeline {}", user.name, c.word);
                assert_eq!(sum(&v["months"]), n);
            }
            let v = get_ok(env, user, token, "/api/timeline?q=*").await.json();
            assert_eq!(sum(&v["months"]), n_visible, "{}: {v}", user.name);
        }
        ("get", "/api/cables/{id}") => {
            for c in CABLES {
                let uri_of = |id: &str| format!("/api/cables/{id}");
                if !visible.contains(c.id) {
                    assert_like_unknown(env, user, token, &uri_of, c.id).await;
                    continue;
                }
                let r = get_ok(env, user, token, &uri_of(c.id)).await;
                let body = r.body.to_lowercase();
                for k in CANARIES.iter().filter(|k| k.cable == c.id) {
                    assert_eq!(
                        body.contains(k.word),
                        k.readable_by(cl),
                        "{} reading {}: {} {}",
                        user.name,
                        c.id,
                        k.word,
                        r.body
                    );
                }
            }
        }
        ("get", "/api/cables/{id}/refs") => {
            for c in CABLES {
                let uri_of = |id: &str| format!("/api/cables/{id}/refs");
                if !visible.contains(c.id) {
                    assert_like_unknown(env, user, token, &uri_of, c.id).await;
                    continue;
                }
                get_ok(env, user, token, &uri_of(c.id)).await;
            }
            // 09PARIS6 cites 09TOKYO5 (wholly SECRET): missing for those who may
            // not see it, like a cable the archive does not hold.
            let v = get_ok(env, user, token, "/api/cables/09PARIS6/refs")
                .await
                .json();
            let tokyo = v["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|n| n["id"] == "09TOKYO5")
                .expect("the cited id is listed");
            assert_eq!(
                tokyo["missing"],
                !visible.contains("09TOKYO5"),
                "{}",
                user.name
            );
            // 09BERLIN3's REF list is SECRET header text.
            let v = get_ok(
                env,
                user,
                token,
                "/api/cables/09BERLIN3/refs?direction=cites",
            )
            .await
            .json();
            let cites_rome = v["edges"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["from"] == "09BERLIN3" && e["to"] == "09ROME2");
            assert_eq!(cites_rome, cl.rank >= 3, "{}: {v}", user.name);
        }
        ("get", "/api/graph/{id}") => {
            for c in CABLES {
                for format in ["json", "graphml", "gexf"] {
                    let uri_of = |id: &str| format!("/api/graph/{id}?depth=2&format={format}");
                    if !visible.contains(c.id) {
                        assert_like_unknown(env, user, token, &uri_of, c.id).await;
                        continue;
                    }
                    get_ok(env, user, token, &uri_of(c.id)).await;
                }
            }
            // The graph around 09PARIS6 names 09BERLIN3's subject only to S.
            let r = get_ok(env, user, token, "/api/graph/09PARIS6").await;
            assert_eq!(
                r.body.to_lowercase().contains("kvsubject"),
                cl.rank >= 3,
                "{}",
                user.name
            );
        }
        ("get", "/api/export") => {
            let r = get_ok(env, user, token, "/api/export?q=*").await;
            let lines: Vec<Value> = r
                .body
                .lines()
                .map(|l| serde_json::from_str(l).expect("a JSON line"))
                .collect();
            let ids: BTreeSet<&str> = lines.iter().map(|c| c["id"].as_str().unwrap()).collect();
            assert_eq!(ids, visible, "{}", user.name);
            assert_eq!(r.header("x-total-count"), n_visible.to_string());
            let body = r.body.to_lowercase();
            for k in CANARIES {
                assert_eq!(
                    body.contains(k.word),
                    k.readable_by(cl),
                    "{} export: {}",
                    user.name,
                    k.word
                );
            }
            let r = get_ok(env, user, token, "/api/export?q=*&format=csv").await;
            let rows = csv::Reader::from_reader(r.body.as_bytes())
                .records()
                .count();
            assert_eq!(rows as u64, n_visible, "{}: {}", user.name, r.body);
            // The CSV carries the text and the subject: what it shows of them
            // follows the clearance too (subjects are often upper case: compared
            // without case). It has no classified-by column.
            let body = r.body.to_lowercase();
            for k in CANARIES
                .iter()
                .filter(|k| matches!(k.field, "" | "subject"))
            {
                assert_eq!(
                    body.contains(k.word),
                    k.readable_by(cl),
                    "{} CSV export: {}",
                    user.name,
                    k.word
                );
            }
            assert_eq!(r.body.to_lowercase().contains("kvsubject"), cl.rank >= 3);
            for c in CANARIES {
                let r = get_ok(
                    env,
                    user,
                    token,
                    &format!("/api/export?q={}", q(&c.query())),
                )
                .await;
                assert_eq!(
                    r.body.lines().count(),
                    usize::from(c.readable_by(cl)),
                    "{} {}",
                    user.name,
                    c.word
                );
            }
        }
        ("get", "/api/stats") => {
            let v = get_ok(env, user, token, "/api/stats?missing=100")
                .await
                .json();
            assert_eq!(v["cables"], n_visible, "{}: {v}", user.name);
            assert_eq!(sum(&v["by_year"]), n_visible);
            assert_eq!(sum(&v["by_origin"]), n_visible);
            assert_eq!(sum(&v["by_level"]), n_visible);
            // Tags and months count the cables the reader may see, as the
            // search's own facets over every cable do.
            let f = get_ok(env, user, token, "/api/facets?q=*").await.json();
            assert_eq!(
                sum(&v["by_month"]),
                sum(&f["facets"]["month"]),
                "{}",
                user.name
            );
            assert_eq!(sum(&v["by_tag"]), sum(&f["facets"]["tag"]), "{}", user.name);
            assert!(sum(&v["by_month"]) <= n_visible);
        }
        ("get", "/metrics") => {
            let r = get(env, token, "/metrics").await;
            if admin {
                assert_eq!(r.status, StatusCode::OK);
                assert!(r
                    .body
                    .contains(&format!("cablescope_archive_cables {}", CABLES.len())));
            } else {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{}: {}", user.name, r.body);
                assert_eq!(r.code(), "forbidden");
            }
        }
        ("get", "/api/users") => {
            let r = get(env, token, "/api/users").await;
            if admin {
                assert_eq!(r.status, StatusCode::OK);
                // Names and token ids, never a token.
                for (name, tok) in &env.tokens {
                    assert!(r.body.contains(&format!("\"{name}\"")));
                    let secret = tok.rsplit('_').next().unwrap();
                    assert!(!r.body.contains(secret), "a token secret in the user list");
                }
            } else {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", user.name);
            }
        }
        ("post", "/api/users") => {
            // A body that would fail: an admin gets past the role check to a 400;
            // anyone else is refused before the body is read.
            let r = Req::post("/api/users")
                .bearer(token)
                .body("application/json", "{}")
                .send(&env.app)
                .await;
            let want = if admin {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(r.status, want, "{}: {}", user.name, r.body);
        }
        ("post", "/api/users/{name}/revoke") | ("post", "/api/users/{name}/rotate") => {
            let uri = path.replace("{name}", "nobody");
            let r = Req::post(&uri).bearer(token).send(&env.app).await;
            let want = if admin {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(r.status, want, "{} {uri}: {}", user.name, r.body);
        }
        ("post", "/api/ingest") => {
            // Without a name: a curator gets past the role check to a 400.
            let r = Req::post("/api/ingest")
                .bearer(token)
                .body("application/octet-stream", "x")
                .send(&env.app)
                .await;
            let want = if curator {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(r.status, want, "{}: {}", user.name, r.body);
        }
        ("get", "/api/openapi.json") => {
            get_ok(env, user, token, "/api/openapi.json").await;
        }
        ("get", "/healthz") => {
            let r = get_ok(env, user, token, "/healthz").await;
            // Needs no token, so shows nobody the number of cables of a closed
            // archive.
            assert!(r.json().get("cables").is_none(), "{}", r.body);
        }
        (m, p) => panic!("no leak probe for {m} {p}: add one to tests/leak_api.rs"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_shows_each_clearance_exactly_what_it_may_read() {
    let env = Env::closed();
    let routes = documented_routes(&env.app).await;
    assert!(routes.len() >= 16, "{routes:?}");
    for (user, token) in env.users() {
        for (method, path) in &routes {
            probe(&env, method, path, &user, &token).await;
        }
    }
    // Every read was recorded, with what was withheld.
    let log = env.audit();
    let c_read = log
        .iter()
        .find(|e| e.entry.who == "c" && e.entry.action == "read" && e.entry.what == "09BERLIN3")
        .expect("c's read of 09BERLIN3 is in the audit log");
    assert_eq!(c_read.entry.results, 1);
    assert_eq!(c_read.entry.clearance, "C");
    let w = c_read.entry.withheld.join("|");
    assert!(w.contains("09BERLIN3 subject"), "{w}");
    assert!(w.contains("(S/NF)"), "{w}");
    assert!(!w.contains("(C)"), "{w}");
    for action in [
        "search", "facets", "timeline", "read", "refs", "graph", "export", "stats",
    ] {
        for u in ["u", "snf", "admin"] {
            assert!(
                log.iter()
                    .any(|e| e.entry.who == u && e.entry.action == action),
                "no {action} by {u} in the audit log"
            );
        }
    }
    // An export's entry counts the rows sent and names what they withheld.
    let export = log
        .iter()
        .find(|e| e.entry.who == "u" && e.entry.action == "export" && e.entry.what == "*")
        .expect("u's export");
    assert_eq!(export.entry.results, visible_cables(&test_u()).len() as u64);
    assert!(export
        .entry
        .withheld
        .iter()
        .any(|w| w.starts_with("09BERLIN3")));
    assert!(
        log.iter().any(|e| e.entry.who == "u"
            && e.entry.action == "read"
            && e.entry.what == "09TOKYO5"
            && e.entry.results == 0),
        "a read of an invisible cable is recorded as finding nothing"
    );
}

fn test_u() -> cablescope_access::Clearance {
    cablescope_access::Clearance::parse("U", &[]).unwrap()
}

#[tokio::test]
async fn the_web_pages_show_each_clearance_exactly_what_it_may_read() {
    let env = Env::closed();
    for (user, token) in env.users() {
        let cl = &user.clearance;
        let visible = visible_cables(cl);
        for c in CABLES {
            let r = Req::get(&format!("/cables/{}", c.id))
                .bearer(&token)
                .send(&env.app)
                .await;
            if visible.contains(c.id) {
                assert_eq!(r.status, StatusCode::OK, "{} {}", user.name, c.id);
                if c.id == "09VIENNA11" {
                    // The copies diff (an UNCLAS and a SECRET copy) is on the page:
                    // the canary checks below cover it.
                    assert!(r.body.contains("copy-diff"), "{}: {}", user.name, r.body);
                }
                for k in CANARIES.iter().filter(|k| k.cable == c.id) {
                    assert_eq!(
                        r.body.to_lowercase().contains(k.word),
                        k.readable_by(cl),
                        "{} page {}: {}",
                        user.name,
                        c.id,
                        k.word
                    );
                }
            } else {
                let twin = unknown_twin(c.id);
                let u = Req::get(&format!("/cables/{twin}"))
                    .bearer(&token)
                    .send(&env.app)
                    .await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{} {}", user.name, c.id);
                assert_eq!(r.headers, u.headers);
                assert_eq!(r.body.replace(c.id, "ID"), u.body.replace(&twin, "ID"));
            }
            assert_no_leak(&user, &format!("/cables/{}", c.id), &r);
            let g = Req::get(&format!("/cables/{}/graph?depth=3", c.id))
                .bearer(&token)
                .send(&env.app)
                .await;
            assert_no_leak(&user, "graph page", &g);
        }
        for k in CANARIES {
            let r = Req::get(&format!("/search?q={}", q(&k.query())))
                .bearer(&token)
                .send(&env.app)
                .await;
            assert_eq!(r.status, StatusCode::OK);
            // The page repeats the query in its search box: not a leak.
            let echoed = Reply {
                body: r.body.to_lowercase().replace(k.word, ""),
                status: r.status,
                headers: r.headers.clone(),
            };
            assert_no_leak(&user, "search page", &echoed);
            assert_eq!(
                r.body.contains(&format!("data-id=\"{}\"", k.cable)),
                k.readable_by(cl),
                "{} search page {}",
                user.name,
                k.word
            );
        }
        // A misspelt canary gets "did you mean" only from those who may read it.
        for k in CANARIES.iter().filter(|k| k.field.is_empty()) {
            let typo = format!("{}x", k.word);
            let r = Req::get(&format!("/search?q={}", q(&typo)))
                .bearer(&token)
                .send(&env.app)
                .await;
            assert_eq!(r.status, StatusCode::OK);
            let unechoed = Reply {
                body: r.body.to_lowercase().replace(&typo, ""),
                status: r.status,
                headers: r.headers.clone(),
            };
            assert_no_leak(&user, "search page suggestions", &unechoed);
            assert_eq!(
                r.body.contains("did-you-mean"),
                k.readable_by(cl),
                "{} misspelling {}",
                user.name,
                k.word
            );
        }
        let r = Req::get("/overview").bearer(&token).send(&env.app).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_no_leak(&user, "overview", &r);
    }
}

#[tokio::test]
async fn declassification_is_evaluated_at_the_as_of_date() {
    // 09TOKYO5 (wholly SECRET) is declassified on 2090-05-06 by its DECL line.
    let later = Env::build(
        true,
        ServerConfig {
            as_of: Some("2091-01-01".parse().unwrap()),
            ..ServerConfig::default()
        },
    );
    {
        let mut a = cablescope_access::Admin::open_on(
            &later.dir,
            &auth_common::backend::location(&later.dir),
        )
        .unwrap();
        a.set_declass_policy(
            &cablescope_access::declass::DeclassPolicy {
                enabled: true,
                ..Default::default()
            },
            &cablescope_access::Viewer::anonymous(),
            &cablescope_access::Auditor::new(auth_common::access(&later.dir)),
        )
        .unwrap();
    }
    let now = cablescope_server::router(
        cablescope_server::AppState::open(
            &later.dir,
            ServerConfig {
                store: auth_common::backend::location(&later.dir),
                ..ServerConfig::default()
            },
        )
        .unwrap(),
    );
    let u = later.token("u");
    let r = Req::get("/api/cables/09TOKYO5").bearer(u).send(&now).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not released today");
    let r = Req::get("/api/cables/09TOKYO5")
        .bearer(u)
        .send(&later.app)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("kvwholesecret"));
    let r = Req::get("/api/search?facets=all&snippets=true&q=kvwholesecret")
        .bearer(u)
        .send(&later.app)
        .await;
    assert_eq!(r.json()["total"], 1);
    let log = later.audit();
    assert!(
        log.iter()
            .any(|e| e.entry.action == "read" && e.entry.what == "09TOKYO5 (as of 2091-01-01)"),
        "the audit entry names the date"
    );
}

#[tokio::test]
async fn a_public_server_shows_everything_to_anyone_and_changes_nothing() {
    let env = Env::build(
        true,
        ServerConfig {
            public: true,
            ..ServerConfig::default()
        },
    );
    let r = Req::get("/api/export?q=*").send(&env.app).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for k in CANARIES {
        assert!(r.body.to_lowercase().contains(k.word), "{}", k.word);
    }
    let r = Req::get("/").send(&env.app).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(">anonymous<"));
    // A token changes nothing, and changes are refused even to an admin.
    for (method, uri, body) in [
        ("post", "/api/ingest?name=x.txt", "UNCLAS"),
        ("get", "/api/users", ""),
        ("post", "/api/users", "{\"name\":\"x\",\"clearance\":\"U\"}"),
        ("post", "/api/users/u/revoke", ""),
        ("post", "/api/users/u/rotate", ""),
    ] {
        for token in [None, Some(env.token("admin"))] {
            let mut req = if method == "get" {
                Req::get(uri)
            } else {
                Req::post(uri)
            };
            if !body.is_empty() {
                req = req.body("application/json", body.to_string());
            }
            if let Some(t) = token {
                req = req.bearer(t);
            }
            let r = req.send(&env.app).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{method} {uri}: {}",
                r.body
            );
            assert_eq!(r.code(), "read_only");
        }
    }
    // Reads are audited (the archive has users), as the anonymous reader.
    assert!(env
        .audit()
        .iter()
        .any(|e| e.entry.who == "anonymous" && e.entry.action == "export"));
    // Nothing was ingested and no user was changed.
    let users = cablescope_access::users::Users::open(auth_common::access(&env.dir)).unwrap();
    assert_eq!(users.get("u").unwrap().unwrap().status().as_str(), "active");
    assert!(!env.dir.join("uploads").exists());
}

#[tokio::test]
async fn a_curators_low_copy_of_a_cable_opens_nothing() {
    let env = Env::closed();
    // The curator (cleared C) uploads an UNCLAS "copy" of the SECRET 09TOKYO5 with
    // its paragraph and subject marked (U), and a REF list of its own.
    let tokyo = CABLES.iter().find(|c| c.id == "09TOKYO5").unwrap();
    let low = auth_common::Tg {
        class_line: "UNCLAS",
        decl: "N/A",
        subject: "(U) KVHIDDENSUBJ TRADE",
        refs: "A. 09 ROME 2",
        classified_by: "Kvcuratorby",
        paras: &[
            ("U", "Only kvwholesecret text here."),
            ("U", "And kvcuratoradds a line."),
        ],
        ..*tokyo
    };
    let r = Req::post("/api/ingest?name=tokyo-copy.txt")
        .bearer(env.token("curator"))
        .body("application/octet-stream", low.text())
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // It merged into the SECRET cable: one record, two copies, still SECRET.
    let ts = env.token("ts");
    let r = get_ok(
        &env,
        &auth_common::test_users()[4],
        ts,
        "/api/cables/09TOKYO5",
    )
    .await;
    assert_eq!(r.json()["record"]["classification"], "SECRET", "{}", r.body);
    assert!(r.body.contains("kvwholesecret") && r.body.contains("kvcuratoradds"));
    for (user, token) in env.users() {
        let s = user.clearance.rank >= 3;
        for (query, want) in [
            ("kvwholesecret", s),
            ("subject:kvhiddensubj", s),
            ("classified_by:kvcuratorby", s),
            // The REF list is read at the merged level (SECRET).
            ("cites:09ROME2", s),
            // Text that only the curator's copy holds is judged by its own mark.
            ("kvcuratoradds", true),
        ] {
            let r = get(
                &env,
                &token,
                &format!("/api/search?facets=all&snippets=true&q={}", q(query)),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let has = r.json()["hits"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["id"] == "09TOKYO5");
            assert_eq!(has, want, "{} {query}: {}", user.name, r.body);
        }
        // The record and the page (with its copies diff) hold the withheld text
        // only for S readers, whichever copy it came from.
        let r = get(&env, &token, "/api/cables/09TOKYO5").await;
        let page = Req::get("/cables/09TOKYO5")
            .bearer(&token)
            .send(&env.app)
            .await;
        for body in [&r.body, &page.body] {
            assert!(body.contains("kvcuratoradds"), "{}: {body}", user.name);
            for secret in ["kvwholesecret", "kvhiddensubj", "kvcuratorby", "09 ROME 2"] {
                assert_eq!(
                    body.to_lowercase().contains(&secret.to_lowercase()),
                    s,
                    "{} {secret}: {body}",
                    user.name
                );
            }
        }
    }
}
