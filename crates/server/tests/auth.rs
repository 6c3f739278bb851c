//! Authentication from the attacker's side: missing, wrong, malformed, expired and
//! revoked tokens on every protected route (enumerated from the OpenAPI document);
//! role violations; the sign-in limits (per address and account, atomic, behind
//! trusted proxies); the session cookie's flags and
//! contents; CSRF on sign-in, sign-out and cookie-authenticated API changes;
//! cross-origin posts; the security headers of every page; sessions ending when
//! their token is rotated or revoked; and what curators and admins may do.

mod auth_common;

use auth_common::{cookie_value, documented_routes, example_uri, Env, Reply, Req, CABLES};
use axum::http::StatusCode;
use cablescope_access::Clearance;
use cablescope_server::auth::CSP;
use cablescope_server::{AppState, Limits, ServerConfig};

/// The value of the first hidden `csrf` field of a page.
fn csrf_field(html: &str) -> String {
    let key = "name=\"csrf\" value=\"";
    let start = html
        .find(key)
        .unwrap_or_else(|| panic!("no csrf field in:\n{html}"))
        + key.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// A browser's sign-in: loads the form, posts the token with the form's CSRF
/// token from `ip`; returns the POST's reply and the session cookie's value.
async fn sign_in_from(
    env: &Env,
    token: &str,
    ip: u32,
    extra: &[(&'static str, &str)],
) -> (Reply, String) {
    let form = Req::get("/login").client(ip).send(&env.app).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let login_cookie = cookie_value(&form.set_cookie("cablescope_login").expect("form cookie"));
    assert_eq!(
        csrf_field(&form.body),
        login_cookie,
        "double submit: field = cookie"
    );
    let mut req = Req::post("/login")
        .client(ip)
        .header("cookie", &format!("cablescope_login={login_cookie}"))
        .header("origin", "http://archive.test");
    for (k, v) in extra {
        req = req.header(k, v);
    }
    let r = req
        .form(&[
            ("token", token),
            ("csrf", &login_cookie),
            ("next", "/overview"),
        ])
        .send(&env.app)
        .await;
    let session = r
        .set_cookie("cablescope_session")
        .map(|c| cookie_value(&c))
        .unwrap_or_default();
    (r, session)
}

async fn sign_in(env: &Env, token: &str) -> String {
    let (r, session) = sign_in_from(env, token, 7, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    session
}

fn with_session(req: Req, session: &str) -> Req {
    req.header("cookie", &format!("cablescope_session={session}"))
}

fn assert_security_headers(what: &str, r: &Reply) {
    assert_eq!(r.header("content-security-policy"), CSP, "{what}");
    assert_eq!(r.header("x-frame-options"), "DENY", "{what}");
    assert_eq!(r.header("referrer-policy"), "no-referrer", "{what}");
    assert_eq!(r.header("x-content-type-options"), "nosniff", "{what}");
}

/// A token with its last secret digit changed: well formed, but wrong.
fn wrong(token: &str) -> String {
    let mut t = token.to_string();
    let last = t.pop().unwrap();
    t.push(if last == '0' { '1' } else { '0' });
    t
}

#[tokio::test]
async fn an_open_archive_is_read_without_tokens_and_changed_by_nobody() {
    let env = Env::open();
    let r = Req::get("/api/search?q=*").send(&env.app).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["total"], CABLES.len());
    // A token is not looked at.
    let r = Req::get("/api/search?q=kvtopsec")
        .bearer("nonsense")
        .send(&env.app)
        .await;
    assert_eq!(r.json()["total"], 1);
    let r = Req::get("/").send(&env.app).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(">anonymous<"), "{}", r.body);
    assert!(r.body.contains("href=\"/login\">Sign in</a>"), "{}", r.body);
    let r = Req::get("/login").send(&env.app).await;
    assert!(r.body.contains("no users"), "{}", r.body);
    let r = Req::get("/healthz").send(&env.app).await;
    assert_eq!(r.json()["cables"], CABLES.len());
    for (uri, body) in [
        ("/api/ingest?name=x.txt", "UNCLAS"),
        ("/api/users", "{\"name\":\"x\",\"clearance\":\"U\"}"),
    ] {
        let r = Req::post(uri)
            .body("application/json", body)
            .send(&env.app)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}: {}", r.body);
        assert_eq!(r.code(), "forbidden");
    }
    // No users, no log: nothing was written beside the archive.
    assert!(!env.dir.join("access.db").exists());
    assert!(!env.dir.join("uploads").exists());
}

#[tokio::test]
async fn every_protected_route_refuses_missing_wrong_malformed_expired_and_revoked_tokens() {
    let env = Env::closed();
    let valid = env.token("admin").to_string();
    let bad: Vec<(&str, Option<String>)> = vec![
        ("missing", None),
        ("wrong", Some(format!("Bearer {}", wrong(&valid)))),
        ("malformed", Some("Bearer not-a-token".into())),
        (
            "upper-case",
            Some(format!("Bearer {}", valid.to_uppercase())),
        ),
        ("other scheme", Some(format!("Basic {valid}"))),
        ("empty", Some("Bearer ".into())),
        ("expired", Some(format!("Bearer {}", env.expired))),
        ("revoked", Some(format!("Bearer {}", env.revoked))),
    ];
    let routes = documented_routes(&env.app).await;
    // Every route is tried with the same wrong tokens: lift the per-account
    // budget (tested below), which would otherwise answer 429 after a while.
    let limits = Limits {
        sign_in: cablescope_server::auth::limit::Policy {
            per_account: usize::MAX,
            ..Default::default()
        },
        ..Limits::default()
    };
    let app = cablescope_server::router(
        AppState::open_with_limits(
            &env.dir,
            ServerConfig {
                store: auth_common::backend::location(&env.dir),
                ..ServerConfig::default()
            },
            limits,
        )
        .unwrap(),
    );
    let mut ip = 100;
    for (method, path) in &routes {
        let uri = example_uri(path);
        let free = path == "/healthz" || path == "/api/openapi.json";
        for (what, auth) in &bad {
            ip += 1; // a fresh address each time: the sign-in limit is tested below
            let mut req = if method == "get" {
                Req::get(&uri)
            } else {
                Req::post(&uri)
            };
            req = req.client(ip);
            if let Some(a) = auth {
                req = req.header("authorization", a);
            }
            let r = req.send(&app).await;
            if free {
                assert_eq!(
                    r.status,
                    StatusCode::OK,
                    "{method} {path} ({what}) needs no token"
                );
                continue;
            }
            assert_eq!(
                r.status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} ({what}): {}",
                r.body
            );
            let challenge = r.header("www-authenticate");
            assert!(
                challenge.starts_with("Bearer realm=\"cablescope\""),
                "{method} {path}: {challenge}"
            );
            if auth.is_some() {
                assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
                assert_eq!(r.code(), "invalid_token", "{method} {path} ({what})");
            } else {
                assert_eq!(r.code(), "unauthorized");
            }
            assert_security_headers(path, &r);
            // Nothing from the archive in a refusal.
            assert!(!r.body.contains("kv"), "{}", r.body);
        }
    }
    // The reasons are told to the holder of the token only.
    let r = Req::get("/api/stats")
        .bearer(&env.expired)
        .client(1)
        .send(&env.app)
        .await;
    assert!(r.body.contains("expired"), "{}", r.body);
    let r = Req::get("/api/stats")
        .bearer(&env.revoked)
        .client(2)
        .send(&env.app)
        .await;
    assert!(r.body.contains("revoked"), "{}", r.body);
    // Every failure is in the audit log.
    let failed = env
        .audit()
        .iter()
        .filter(|e| e.entry.action == "login_failed")
        .count();
    assert!(
        failed >= (routes.len() - 2) * 7,
        "{failed} login_failed entries"
    );
}

#[tokio::test]
async fn pages_send_a_browser_without_a_session_to_sign_in() {
    let env = Env::closed();
    for uri in [
        "/",
        "/search?q=kvopen",
        "/cables/09ROME1",
        "/cables/09ROME1/graph",
        "/overview",
        "/nowhere",
    ] {
        let r = Req::get(uri).send(&env.app).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{uri}");
        let next: String = form_urlencoded::byte_serialize(uri.as_bytes()).collect();
        assert_eq!(r.header("location"), format!("/login?next={next}"), "{uri}");
        assert!(!r.body.contains("kv"));
    }
    // A stale session cookie is deleted on the way.
    let r = with_session(Req::get("/"), &"ab".repeat(32))
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let c = r.set_cookie("cablescope_session").expect("cleared");
    assert!(c.contains("Max-Age=0"), "{c}");
    // The API answers 401 JSON instead.
    let r = Req::get("/api/cables/09ROME1").send(&env.app).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.header("content-type").starts_with("application/json"));
    // What needs no sign-in.
    for uri in [
        "/login",
        "/healthz",
        "/api/openapi.json",
        "/api/docs/",
        "/assets/style.css",
    ] {
        let r = Req::get(uri).send(&env.app).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
    }
    let r = Req::get("/login?next=/cables/09ROME1").send(&env.app).await;
    assert!(r.body.contains("not signed in"), "{}", r.body);
    assert!(r.body.contains("name=\"next\" value=\"/cables/09ROME1\""));
    // Healthz needs no token, and so counts nothing.
    let r = Req::get("/healthz").send(&env.app).await;
    assert!(r.json().get("cables").is_none());
}

#[tokio::test]
async fn six_failed_sign_ins_from_one_address_are_answered_429() {
    let env = Env::closed();
    let good = env.token("c").to_string();
    for i in 0..5 {
        let r = Req::get("/api/stats")
            .bearer(&wrong(&good))
            .client(1)
            .send(&env.app)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let r = Req::get("/api/stats")
        .bearer(&wrong(&good))
        .client(1)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    let wait: u64 = r
        .header("retry-after")
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(r.code(), "too_many_attempts");
    // Blocked even with the right token (else the answer would tell a guesser
    // when they had found one) ...
    let r = Req::get("/api/stats")
        .bearer(&good)
        .client(1)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // ... but only that address.
    let r = Req::get("/api/stats")
        .bearer(&good)
        .client(2)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // Requests without any token are not sign-in attempts: 401 as ever.
    let r = Req::get("/api/stats").client(1).send(&env.app).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // The sign-in form counts the same way.
    for i in 0..5 {
        let (r, session) = sign_in_from(&env, &wrong(&good), 3, &[]).await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "form attempt {i}: {}",
            r.body
        );
        assert!(session.is_empty());
        assert!(r.body.contains("was not accepted"));
    }
    let (r, _) = sign_in_from(&env, &good, 3, &[]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.header("retry-after").parse::<u64>().is_ok());
    let failed: Vec<String> = env
        .audit()
        .iter()
        .filter(|e| e.entry.action == "login_failed")
        .map(|e| e.entry.what.clone())
        .collect();
    assert_eq!(failed.len(), 10, "{failed:?}");
    assert!(
        failed
            .iter()
            .any(|w| w.starts_with("web sign-in from 10.0.0.3")),
        "{failed:?}"
    );
    assert!(
        failed
            .iter()
            .any(|w| w.starts_with("bearer token from 10.0.0.1")),
        "{failed:?}"
    );
}

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_session_cookie_that_is_not_the_token() {
    let env = Env::closed();
    let token = env.token("c").to_string();
    let form = Req::get("/login").send(&env.app).await;
    let lc = form.set_cookie("cablescope_login").unwrap();
    assert!(
        lc.contains("HttpOnly") && lc.contains("SameSite=Strict") && lc.contains("Path=/login"),
        "{lc}"
    );
    assert!(!lc.contains("Secure"), "{lc}");
    assert!(form.body.contains("type=\"password\""));

    let (r, session) = sign_in_from(&env, &token, 9, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.header("location"), "/overview");
    let c = r.set_cookie("cablescope_session").unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(c.contains(flag), "{flag} missing: {c}");
    }
    assert!(!c.contains("Secure"), "plain HTTP: no Secure flag: {c}");
    // The cookie is an opaque id, not the token nor any part of it.
    let secret = token.rsplit('_').next().unwrap();
    let id = token.split('_').nth(1).unwrap();
    assert!(
        !c.contains(secret) && !c.contains(id) && !c.contains("cst_"),
        "{c}"
    );
    assert_eq!(session.len(), 64);
    // The form's cookie is spent.
    assert!(r
        .set_cookie("cablescope_login")
        .unwrap()
        .contains("Max-Age=0"));

    // The session reads as its user, with their clearance.
    let page = with_session(Req::get("/cables/09BERLIN3"), &session)
        .send(&env.app)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("<span class=\"viewer-name\">c</span>"),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("<span class=\"viewer-clearance\"> · C</span>"));
    assert!(page.body.contains("kvmixconf") && !page.body.contains("kvsecret"));
    assert!(page.body.contains("action=\"/logout\""));
    assert_eq!(page.header("cache-control"), "no-store");
    let api = with_session(Req::get("/api/search?q=*"), &session)
        .send(&env.app)
        .await;
    assert_eq!(api.status, StatusCode::OK);
    let c = cablescope_access::Clearance::parse("C", &[]).unwrap();
    assert_eq!(api.json()["total"], auth_common::visible_cables(&c).len());
    assert!(env
        .audit()
        .iter()
        .any(|e| e.entry.who == "c" && e.entry.action == "login" && e.entry.clearance == "C"));

    // Over TLS (a proxy says so), both cookies are Secure.
    let https = [("x-forwarded-proto", "https")];
    let form = Req::get("/login")
        .header("x-forwarded-proto", "https")
        .send(&env.app)
        .await;
    assert!(form
        .set_cookie("cablescope_login")
        .unwrap()
        .contains("; Secure"));
    let (r, _) = sign_in_from(&env, &token, 9, &https).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let c = r.set_cookie("cablescope_session").unwrap();
    assert!(c.ends_with("; Secure"), "{c}");
}

#[tokio::test]
async fn sign_in_refuses_other_origins_and_forms_without_their_token() {
    let env = Env::closed();
    let token = env.token("s").to_string();
    let form = Req::get("/login").send(&env.app).await;
    let lc = cookie_value(&form.set_cookie("cablescope_login").unwrap());
    let post =
        |origin: Option<&'static str>, fetch_site: Option<&'static str>, csrf: Option<String>| {
            let mut req = Req::post("/login").header("cookie", &format!("cablescope_login={lc}"));
            if let Some(o) = origin {
                req = req.header("origin", o);
            }
            if let Some(f) = fetch_site {
                req = req.header("sec-fetch-site", f);
            }
            let mut fields = vec![("token", token.clone())];
            if let Some(c) = csrf {
                fields.push(("csrf", c));
            }
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            req.form(&fields)
        };
    for (what, req) in [
        (
            "another origin",
            post(Some("http://evil.example"), None, Some(lc.clone())),
        ),
        (
            "another port",
            post(Some("http://archive.test:8081"), None, Some(lc.clone())),
        ),
        (
            "a cross-site fetch",
            post(Some("null"), Some("cross-site"), Some(lc.clone())),
        ),
        (
            "no CSRF field",
            post(Some("http://archive.test"), None, None),
        ),
        (
            "a wrong CSRF field",
            post(Some("http://archive.test"), None, Some("ab".repeat(32))),
        ),
    ] {
        let r = req.send(&env.app).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}: {}", r.body);
        assert!(r.set_cookie("cablescope_session").is_none(), "{what}");
        assert_security_headers(what, &r);
    }
    // Without the form's cookie (a forged form elsewhere cannot set it).
    let r = Req::post("/login")
        .header("origin", "http://archive.test")
        .form(&[("token", &token), ("csrf", &lc)])
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Our own page under `Referrer-Policy: no-referrer` may post `Origin: null`:
    // the CSRF token decides.
    let r = post(Some("null"), Some("same-origin"), Some(lc.clone()))
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = post(Some("null"), None, Some(lc.clone()))
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // `next` never leaves the site.
    let r = Req::post("/login")
        .header("cookie", &format!("cablescope_login={lc}"))
        .form(&[
            ("token", token.as_str()),
            ("csrf", &lc),
            ("next", "//evil.example/x"),
        ])
        .send(&env.app)
        .await;
    assert_eq!(r.header("location"), "/");
}

#[tokio::test]
async fn sign_out_needs_the_session_csrf_field_and_ends_the_session() {
    let env = Env::closed();
    let session = sign_in(&env, env.token("snf")).await;
    let page = with_session(Req::get("/"), &session).send(&env.app).await;
    let csrf = csrf_field(&page.body);
    for (what, fields) in [
        ("no field", vec![]),
        ("a wrong field", vec![("csrf", "00".repeat(32))]),
    ] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = with_session(Req::post("/logout"), &session)
            .header("origin", "http://archive.test")
            .form(&fields)
            .send(&env.app)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}: {}", r.body);
    }
    let r = with_session(Req::post("/logout"), &session)
        .header("origin", "http://evil.example")
        .form(&[("csrf", &csrf)])
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "cross-origin sign-out");
    // Still signed in.
    let r = with_session(Req::get("/"), &session).send(&env.app).await;
    assert_eq!(r.status, StatusCode::OK);

    let r = with_session(Req::post("/logout"), &session)
        .header("origin", "http://archive.test")
        .form(&[("csrf", &csrf)])
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), "/login");
    assert!(r
        .set_cookie("cablescope_session")
        .unwrap()
        .contains("Max-Age=0"));
    let r = with_session(Req::get("/"), &session).send(&env.app).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the session is over");
    let r = with_session(Req::get("/api/stats"), &session)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(env
        .audit()
        .iter()
        .any(|e| e.entry.who == "snf" && e.entry.action == "logout"));
}

#[tokio::test]
async fn a_session_ends_when_its_token_is_rotated_or_its_user_revoked() {
    let env = Env::closed();
    let admin = env.token("admin").to_string();
    let c = sign_in(&env, env.token("c")).await;
    let u = sign_in(&env, env.token("u")).await;
    let r = Req::post("/api/users/c/rotate")
        .bearer(&admin)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = with_session(Req::get("/api/stats"), &c)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = Req::post("/api/users/u/revoke")
        .bearer(&admin)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = with_session(Req::get("/"), &u).send(&env.app).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn changes_through_a_session_cookie_need_the_csrf_header() {
    let env = Env::closed();
    let session = sign_in(&env, env.token("admin")).await;
    let page = with_session(Req::get("/"), &session).send(&env.app).await;
    let csrf = csrf_field(&page.body);
    let body = "{\"name\":\"newbie\",\"clearance\":\"C\"}";
    let r = with_session(Req::post("/api/users"), &session)
        .body("application/json", body)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(r.code(), "csrf");
    let r = with_session(Req::post("/api/users"), &session)
        .header("x-csrf-token", &csrf)
        .header("origin", "http://evil.example")
        .body("application/json", body)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = with_session(Req::post("/api/users"), &session)
        .header("x-csrf-token", &csrf)
        .body("application/json", body)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // Reads through the cookie need no header.
    let r = with_session(Req::get("/api/users"), &session)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn roles_are_enforced_and_curators_ingest_uploads() {
    let env = Env::closed();
    let telegram = auth_common::Tg {
        id: "09MADRID8",
        station: "MADRID",
        serial: 8,
        dtg: "091015Z AUG 09",
        class_line: "C O N F I D E N T I A L",
        captions: &["SIPDIS"],
        decl: "DECL: 08/09/2099",
        subject: "(U) UPLOADED",
        refs: "",
        classified_by: "",
        paras: &[
            ("U", "An kvuploaded note."),
            ("C", "A kvuploadconf remark."),
        ],
    }
    .text();
    // A reader may not ingest; nothing is written.
    let r = Req::post("/api/ingest?name=madrid.txt")
        .bearer(env.token("ts"))
        .body("application/octet-stream", telegram.clone())
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(r.code(), "forbidden");
    assert!(!env.dir.join("uploads").exists());
    // A curator may not manage users nor read the metrics.
    let curator = env.token("curator").to_string();
    for (m, uri) in [
        ("get", "/api/users"),
        ("post", "/api/users/u/revoke"),
        ("get", "/metrics"),
    ] {
        let req = if m == "get" {
            Req::get(uri)
        } else {
            Req::post(uri)
        };
        let r = req.bearer(&curator).send(&env.app).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}: {}", r.body);
        assert!(r.body.contains("admin"), "{}", r.body);
    }
    // Bad uploads.
    for (uri, body, code) in [
        ("/api/ingest?name=../x.txt", "UNCLAS", "bad_parameter"),
        ("/api/ingest?name=.hidden", "UNCLAS", "bad_parameter"),
        ("/api/ingest?name=empty.txt", "", "bad_body"),
    ] {
        let r = Req::post(uri)
            .bearer(&curator)
            .body("application/octet-stream", body)
            .send(&env.app)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}: {}", r.body);
        assert_eq!(r.code(), code);
    }
    // A curator ingests.
    let r = Req::post("/api/ingest?name=madrid.txt")
        .bearer(&curator)
        .body("application/octet-stream", telegram.clone())
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["cables_written"], 1, "{v}");
    assert_eq!(v["name"], "madrid.txt");
    assert!(env.dir.join("uploads").join("madrid.txt").is_file());
    // The same upload again adds nothing.
    let r = Req::post("/api/ingest?name=madrid.txt")
        .bearer(&curator)
        .body("application/octet-stream", telegram)
        .send(&env.app)
        .await;
    assert_eq!(r.json()["cables_written"], 0, "{}", r.body);
    // Readers see it at their clearance.
    let r = Req::get("/api/cables/09MADRID8")
        .bearer(env.token("u"))
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("kvuploaded") && !r.body.contains("kvuploadconf"));
    let r = Req::get("/api/search?q=kvuploadconf")
        .bearer(env.token("c"))
        .send(&env.app)
        .await;
    assert_eq!(r.json()["total"], 1);
    assert!(env
        .audit()
        .iter()
        .any(|e| e.entry.who == "curator" && e.entry.action == "ingest" && e.entry.results == 1));
}

#[tokio::test]
async fn an_upload_over_the_limit_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = auth_common::build_archive(tmp.path());
    let users = cablescope_access::users::Users::open(auth_common::access(&dir)).unwrap();
    let token = users
        .add(
            "cur",
            &Clearance::all(),
            cablescope_access::Role::Curator,
            None,
        )
        .unwrap();
    let limits = Limits {
        max_upload_bytes: 1000,
        ..Limits::default()
    };
    let app = cablescope_server::router(
        AppState::open_with_limits(
            &dir,
            ServerConfig {
                store: auth_common::backend::location(&dir),
                ..ServerConfig::default()
            },
            limits,
        )
        .unwrap(),
    );
    let r = Req::post("/api/ingest?name=big.txt")
        .bearer(&token)
        .body("application/octet-stream", vec![b'x'; 5000])
        .send(&app)
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Streamed without a length: cut off while streaming, nothing kept.
    let chunks = futures_util::stream::iter(
        (0..10).map(|_| Ok::<_, std::io::Error>(bytes_of(vec![b'y'; 500]))),
    );
    let r = Req::post("/api/ingest?name=big.txt")
        .bearer(&token)
        .body(
            "application/octet-stream",
            axum::body::Body::from_stream(chunks),
        )
        .send(&app)
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    let kept: Vec<_> = std::fs::read_dir(dir.join("uploads"))
        .map(|d| d.filter_map(Result::ok).collect())
        .unwrap_or_default();
    assert!(kept.is_empty(), "{kept:?}");
}

fn bytes_of(v: Vec<u8>) -> axum::body::Bytes {
    axum::body::Bytes::from(v)
}

#[tokio::test]
async fn admins_manage_users_and_a_new_token_appears_only_once() {
    let env = Env::closed();
    let admin = env.token("admin").to_string();
    let r = Req::post("/api/users")
        .bearer(&admin)
        .body(
            "application/json",
            "{\"name\":\"dora\",\"role\":\"reader\",\"clearance\":\"secret+noforn\",\"expires_days\":30}",
        )
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v = r.json();
    let token = v["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("cst_"));
    assert_eq!(v["user"]["clearance"], "S+NOFORN");
    assert_eq!(v["user"]["status"], "active");
    assert!(v["user"]["expires"].is_string());
    let r = Req::get("/api/search?q=kvnoforn")
        .bearer(&token)
        .send(&env.app)
        .await;
    assert_eq!(r.json()["total"], 1);
    let list = Req::get("/api/users").bearer(&admin).send(&env.app).await;
    assert!(list.body.contains("\"dora\"") && !list.body.contains(&token[20..]));

    for (body, status) in [
        (
            "{\"name\":\"dora\",\"clearance\":\"U\"}",
            StatusCode::CONFLICT,
        ),
        (
            "{\"name\":\"bad name\",\"clearance\":\"U\"}",
            StatusCode::BAD_REQUEST,
        ),
        (
            "{\"name\":\"x\",\"clearance\":\"RESTRICTED\"}",
            StatusCode::BAD_REQUEST,
        ),
        (
            "{\"name\":\"x\",\"clearance\":\"S+NOFRON\"}",
            StatusCode::BAD_REQUEST,
        ),
        (
            "{\"name\":\"x\",\"clearance\":\"U\",\"role\":\"root\"}",
            StatusCode::BAD_REQUEST,
        ),
        (
            "{\"name\":\"x\",\"clearance\":\"U\",\"admin\":true}",
            StatusCode::BAD_REQUEST,
        ),
        ("not json", StatusCode::BAD_REQUEST),
    ] {
        let r = Req::post("/api/users")
            .bearer(&admin)
            .body("application/json", body)
            .send(&env.app)
            .await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
    }
    let r = Req::post("/api/users")
        .bearer(&admin)
        .body("text/plain", "{}")
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let r = Req::post("/api/users/dora/rotate")
        .bearer(&admin)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let new = r.json()["token"].as_str().unwrap().to_string();
    assert_ne!(new, token);
    let r = Req::get("/api/stats").bearer(&token).send(&env.app).await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "the old token stops at once"
    );
    let r = Req::get("/api/stats").bearer(&new).send(&env.app).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = Req::post("/api/users/dora/revoke")
        .bearer(&admin)
        .send(&env.app)
        .await;
    assert_eq!(r.json()["changed"], true);
    assert_eq!(r.json()["user"]["status"], "revoked");
    let r = Req::post("/api/users/dora/revoke")
        .bearer(&admin)
        .send(&env.app)
        .await;
    assert_eq!(r.json()["changed"], false);
    let r = Req::get("/api/stats").bearer(&new).send(&env.app).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = Req::post("/api/users/dora/rotate")
        .bearer(&admin)
        .send(&env.app)
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a revoked user gets no token"
    );
    let changes: Vec<String> = env
        .audit()
        .iter()
        .filter(|e| e.entry.action == "users" && e.entry.who == "admin")
        .map(|e| e.entry.what.clone())
        .collect();
    assert_eq!(changes.len(), 3, "{changes:?}");
    assert!(
        changes[0].starts_with("add dora role=reader clearance=S+NOFORN expires="),
        "{changes:?}"
    );
    assert!(changes.iter().all(|c| !c.contains("cst_")));
}

#[tokio::test]
async fn every_response_carries_the_strict_csp_and_framing_headers() {
    for env in [Env::open(), Env::closed()] {
        let token = env.tokens.get("c").cloned();
        for uri in [
            "/",
            "/search?q=kvopen",
            "/overview",
            "/cables/09ROME1",
            "/cables/09ROME1/graph",
            "/cables/99NOWHERE1",
            "/login",
            "/nowhere",
            "/api/search?q=x",
            "/api/docs/",
        ] {
            let mut req = Req::get(uri);
            if let Some(t) = &token {
                if uri != "/login" {
                    req = req.bearer(t);
                }
            }
            let r = req.send(&env.app).await;
            assert!(
                r.status.is_success() || r.status == StatusCode::NOT_FOUND,
                "{uri}: {}",
                r.status
            );
            assert_security_headers(uri, &r);
            if r.header("content-type").starts_with("text/html") {
                // No inline script or style for the policy to block.
                assert!(!r.body.contains("<style"), "{uri}");
                assert!(!r.body.contains(" style=\""), "{uri}");
                assert!(!r.body.contains("<script>"), "{uri}");
            }
        }
    }
}

#[tokio::test]
async fn the_openapi_document_declares_the_bearer_scheme_and_its_refusals() {
    let env = Env::closed();
    let doc = Req::get("/api/openapi.json").send(&env.app).await.json();
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    let search = &doc["paths"]["/api/search"]["get"];
    assert!(search["responses"]["401"].is_object());
    assert!(search["responses"]["429"].is_object());
    assert_eq!(search["security"][0]["bearer"], serde_json::json!([]));
    let health = &doc["paths"]["/healthz"]["get"];
    assert_eq!(health["security"], serde_json::json!([{}]));
    assert!(
        doc["paths"]["/api/ingest"]["post"]["responses"]["403"]["description"]
            .as_str()
            .unwrap()
            .contains("curator")
    );
}

#[tokio::test]
async fn an_admin_grants_no_more_than_their_own_clearance() {
    let env = Env::closed();
    // An admin cleared C with EXDIS (added with file access, the root).
    let token = cablescope_access::users::Users::open(auth_common::access(&env.dir))
        .unwrap()
        .add(
            "admin-c",
            &Clearance::parse("C", &["EXDIS"]).unwrap(),
            cablescope_access::Role::Admin,
            None,
        )
        .unwrap();
    let add = |body: &'static str| {
        Req::post("/api/users")
            .bearer(&token)
            .body("application/json", body)
    };
    for body in [
        // Above the admin's level.
        "{\"name\":\"t1\",\"clearance\":\"TS\"}",
        "{\"name\":\"t2\",\"clearance\":\"S\"}",
        // A control the admin lacks.
        "{\"name\":\"t3\",\"clearance\":\"C+NOFORN\"}",
        "{\"name\":\"t4\",\"clearance\":\"U+NODIS\"}",
        "{\"name\":\"t5\",\"clearance\":\"C+EXDIS+ORCON\",\"role\":\"admin\"}",
    ] {
        let r = add(body).send(&env.app).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{body}: {}", r.body);
        assert!(r.body.contains("above your own clearance"), "{}", r.body);
    }
    // Nobody was added.
    let list = Req::get("/api/users").bearer(&token).send(&env.app).await;
    for n in ["t1", "t2", "t3", "t4", "t5"] {
        assert!(!list.body.contains(&format!("\"{n}\"")), "{}", list.body);
    }
    // Within: a lower level, the same level with a subset of the controls.
    for body in [
        "{\"name\":\"w1\",\"clearance\":\"U\"}",
        "{\"name\":\"w2\",\"clearance\":\"C+EXDIS\",\"role\":\"admin\"}",
    ] {
        let r = add(body).send(&env.app).await;
        assert_eq!(r.status, StatusCode::CREATED, "{body}: {}", r.body);
    }
    // Rotating a higher user's token would hand it over: refused; a lower one's
    // is fine.
    let r = Req::post("/api/users/ts/rotate")
        .bearer(&token)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = Req::post("/api/users/u/rotate")
        .bearer(&token)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The root (an admin cleared for everything) adds anyone.
    let r = Req::post("/api/users")
        .bearer(env.token("admin"))
        .body(
            "application/json",
            "{\"name\":\"t6\",\"clearance\":\"TS+NOFORN\"}",
        )
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

/// A well-formed token for a random account nobody has.
fn stranger_token(n: u32) -> String {
    format!(
        "cst_{:016x}_{}",
        0xdead_0000_u64 + u64::from(n),
        "0".repeat(64)
    )
}

#[tokio::test]
async fn a_neighbour_on_the_same_address_cannot_lock_others_out() {
    let env = Env::closed();
    let c = env.token("c").to_string();
    let u = env.token("u").to_string();
    // c has signed in from behind the NAT (client 7) before.
    let r = Req::get("/api/stats")
        .bearer(&c)
        .client(7)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // A neighbour guesses at u's account until that pair is blocked ...
    for _ in 0..5 {
        let r = Req::get("/api/stats")
            .bearer(&wrong(&u))
            .client(7)
            .send(&env.app)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = Req::get("/api/stats")
        .bearer(&wrong(&u))
        .client(7)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // ... which does not block c on the same address.
    let r = Req::get("/api/stats")
        .bearer(&c)
        .client(7)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Spraying many accounts spends the address's wider budget: new accounts from
    // there wait, but c, known from there, still signs in.
    for n in 0..60 {
        let _ = Req::get("/api/stats")
            .bearer(&stranger_token(n))
            .client(7)
            .send(&env.app)
            .await;
    }
    let r = Req::get("/api/stats")
        .bearer(&stranger_token(999))
        .client(7)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let r = Req::get("/api/stats")
        .bearer(&c)
        .client(7)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // And u's blocked pair is only that pair: u from elsewhere signs in.
    let r = Req::get("/api/stats")
        .bearer(&u)
        .client(8)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn an_account_is_limited_across_addresses() {
    let env = Env::closed();
    let u = env.token("u").to_string();
    // 20 failures spread over 20 addresses: the account's budget.
    for n in 0..20 {
        let r = Req::get("/api/stats")
            .bearer(&wrong(&u))
            .client(100 + n)
            .send(&env.app)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    let r = Req::get("/api/stats")
        .bearer(&wrong(&u))
        .client(200)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_parallel_bad_tokens_get_no_more_tries_than_the_limit() {
    let env = Env::closed();
    let bad = wrong(env.token("c"));
    let app = env.app.clone();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let app = app.clone();
            let bad = bad.clone();
            tokio::spawn(async move {
                Req::get("/api/stats")
                    .bearer(&bad)
                    .client(9)
                    .send(&app)
                    .await
                    .status
            })
        })
        .collect();
    let mut refused = 0;
    let mut limited = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::UNAUTHORIZED => refused += 1,
            StatusCode::TOO_MANY_REQUESTS => limited += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert!(refused <= 5, "{refused} tries got through");
    assert_eq!(refused + limited, 50);
    let failed = env
        .audit()
        .iter()
        .filter(|e| e.entry.action == "login_failed")
        .count();
    assert!(failed <= 5, "{failed} failures were checked");
}

#[tokio::test]
async fn forwarded_for_counts_only_from_a_trusted_proxy() {
    // Behind a trusted proxy (the tests' peer is 127.0.0.1), each client named in
    // X-Forwarded-For has its own budget.
    let proxied = Env::build(
        true,
        ServerConfig {
            trusted_proxies: cablescope_server::auth::proxy::TrustedProxies::new(vec!["127.0.0.1"
                .parse()
                .unwrap()]),
            ..ServerConfig::default()
        },
    );
    let u = proxied.token("u").to_string();
    for _ in 0..5 {
        let r = Req::get("/api/stats")
            .bearer(&wrong(&u))
            .header("x-forwarded-for", "192.0.2.1")
            .send(&proxied.app)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = Req::get("/api/stats")
        .bearer(&u)
        .header("x-forwarded-for", "192.0.2.1")
        .send(&proxied.app)
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let r = Req::get("/api/stats")
        .bearer(&u)
        .header("x-forwarded-for", "192.0.2.2")
        .send(&proxied.app)
        .await;
    assert_eq!(r.status, StatusCode::OK, "another client behind the proxy");
    let failed: Vec<String> = proxied
        .audit()
        .iter()
        .filter(|e| e.entry.action == "login_failed")
        .map(|e| e.entry.what.clone())
        .collect();
    assert!(
        failed.iter().all(|w| w.contains("from 192.0.2.1")),
        "{failed:?}"
    );

    // Without trust, a client cannot escape its budget by inventing the header.
    let env = Env::closed();
    let u = env.token("u").to_string();
    for n in 0..5 {
        let r = Req::get("/api/stats")
            .bearer(&wrong(&u))
            .header("x-forwarded-for", &format!("192.0.2.{n}"))
            .send(&env.app)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = Req::get("/api/stats")
        .bearer(&wrong(&u))
        .header("x-forwarded-for", "192.0.2.99")
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn failures_on_one_node_count_on_the_other() {
    // Two nodes of one database share the sign-in budgets: five failures of a
    // pair spread over both nodes use the pair's budget up on both.
    if !cablescope_testkit::pg::postgres_backend() {
        eprintln!("notice: the shared sign-in budget needs the PostgreSQL pass (CABLESCOPE_TEST_BACKEND=postgres)");
        return;
    }
    let env = Env::closed();
    let u = env.token("u").to_string();
    let bad = wrong(&u);
    for n in 0..3 {
        let r = Req::get("/api/stats")
            .bearer(&bad)
            .client(7)
            .send(&env.app)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "node A, attempt {n}");
    }
    // Node B: its own folder (with the audit key node A made), the same database.
    let b_dir = env.tmp.path().join("node-b");
    std::fs::create_dir_all(&b_dir).unwrap();
    std::fs::copy(env.dir.join("audit.key"), b_dir.join("audit.key")).unwrap();
    let b = cablescope_server::router(
        AppState::open(
            &b_dir,
            ServerConfig {
                store: auth_common::backend::location(&env.dir),
                ..ServerConfig::default()
            },
        )
        .expect("node B"),
    );
    for n in 0..2 {
        let r = Req::get("/api/stats").bearer(&bad).client(7).send(&b).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "node B, attempt {n}");
    }
    // Five failures in all: the pair is blocked on node B (which saw only two),
    // even with the right token, and on node A.
    let r = Req::get("/api/stats").bearer(&u).client(7).send(&b).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    let r = Req::get("/api/stats")
        .bearer(&u)
        .client(7)
        .send(&env.app)
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    // Another address is not blocked, on either node, and its success is
    // remembered by both.
    let r = Req::get("/api/stats").bearer(&u).client(8).send(&b).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn only_administrators_see_where_the_server_keeps_the_inputs() {
    let env = Env::closed();
    let root = env.tmp.path().to_str().unwrap().to_string();
    let read = |who: &'static str| {
        let token = env.token(who).to_string();
        let app = env.app.clone();
        async move {
            let cable = Req::get("/api/cables/09ROME1")
                .bearer(&token)
                .send(&app)
                .await;
            let page = Req::get("/cables/09ROME1").bearer(&token).send(&app).await;
            assert_eq!(cable.status, StatusCode::OK, "{who}: {}", cable.body);
            assert_eq!(page.status, StatusCode::OK, "{who}");
            (cable.body, page.body)
        }
    };
    let (api, page) = read("admin").await;
    assert!(api.contains(&root), "the admin sees the stored path: {api}");
    assert!(page.contains(&root), "the admin's page shows it");
    for who in ["u", "ts", "curator"] {
        let (api, page) = read(who).await;
        assert!(!api.contains(&root), "{who} sees a server path: {api}");
        assert!(!page.contains(&root), "{who}'s page shows a server path");
    }
}
