//! Signing in and out in real headless Chromium (through ChromeDriver), under the
//! strict Content-Security-Policy, `Referrer-Policy: no-referrer` and the CSRF
//! checks: a browser without a session is sent to the sign-in page, signs in with
//! a token, comes back to the page it asked for and reads it at its clearance,
//! sees who it is in the header, and signs out with the header's button. A wrong
//! token shows an error. Screenshots go to `target/tmp/screenshots/`. Without the
//! browser the test prints a notice and passes, except in CI (`CI=true`).

mod auth_common;
mod support;

use cablescope_access::users::{Role, Users};
use cablescope_access::Clearance;
use cablescope_server::{AppState, ServerConfig};
use support::webdriver::{browser_available, screenshots, Driver, Session};

async fn shot(s: &Session, name: &str) {
    let path = screenshots().join(format!("{name}.png"));
    s.screenshot(&path).await.unwrap();
    eprintln!("screenshot: {}", path.display());
}

/// Waits (up to 5 s) for the current URL to satisfy `ok`.
async fn wait_url(s: &Session, ok: impl Fn(&str) -> bool) -> String {
    for _ in 0..50 {
        let u = s.current_url().await.unwrap();
        if ok(&u) {
            return u;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    s.current_url().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_signs_in_reads_at_its_clearance_and_signs_out() {
    if !browser_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = auth_common::build_archive(tmp.path());
    let token = Users::open(auth_common::access(&dir))
        .unwrap()
        .add(
            "reader-c",
            &Clearance::parse("C", &[]).unwrap(),
            Role::Reader,
            None,
        )
        .unwrap();
    let state = AppState::open(&dir, ServerConfig::default()).unwrap();
    let server = support::serve(state).await;
    let base = server.base.clone();
    let driver = Driver::start().await.unwrap();
    let s = driver.session(&tmp.path().join("profile")).await.unwrap();

    // 1. A page of a closed archive sends the browser to sign in.
    s.goto(&format!("{base}/cables/09BERLIN3")).await.unwrap();
    let url = s.current_url().await.unwrap();
    assert!(url.contains("/login?next="), "{url}");
    assert!(s.find(".viewer-signin").await.is_ok(), "a Sign in link");
    shot(&s, "auth-01-sign-in").await;

    // 2. A wrong token: an error, still on the sign-in page.
    let input = s.find("#token").await.unwrap();
    s.type_into(&input, &format!("{}x\u{E007}", &token[..token.len() - 1]))
        .await
        .unwrap();
    let err = s.find(".form-error").await.unwrap();
    assert!(s.text(&err).await.unwrap().contains("not accepted"));
    shot(&s, "auth-02-refused").await;

    // 3. The right token: back to the page asked for, read as reader-c.
    let input = s.find("#token").await.unwrap();
    s.type_into(&input, &format!("{token}\u{E007}"))
        .await
        .unwrap();
    let url = wait_url(&s, |u| u.ends_with("/cables/09BERLIN3")).await;
    assert!(url.ends_with("/cables/09BERLIN3"), "{url}");
    let badge = s.text(&s.find("#viewer").await.unwrap()).await.unwrap();
    assert!(badge.contains("reader-c · C"), "{badge}");
    let main = s.text(&s.find("main").await.unwrap()).await.unwrap();
    assert!(main.contains("kvmixconf"), "{main}");
    assert!(
        !main.contains("kvsecret") && !main.contains("kvnoforn"),
        "{main}"
    );
    // The session cookie is invisible to scripts (HttpOnly).
    let cookies = s.execute("return document.cookie;").await.unwrap();
    assert_eq!(cookies.as_str(), Some(""), "{cookies}");
    shot(&s, "auth-03-signed-in").await;

    // 4. The API documentation works under the policy, as the signed-in reader.
    s.goto(&format!("{base}/api/docs/")).await.unwrap();
    s.find(".swagger-ui .info").await.unwrap();
    shot(&s, "auth-04-api-docs").await;

    // 5. Sign out with the header's button.
    s.goto(&format!("{base}/overview")).await.unwrap();
    let out = s.find(".viewer-signout button").await.unwrap();
    s.click(&out).await.unwrap();
    let url = wait_url(&s, |u| u.ends_with("/login")).await;
    assert!(url.ends_with("/login"), "{url}");
    s.goto(&format!("{base}/overview")).await.unwrap();
    let url = s.current_url().await.unwrap();
    assert!(url.contains("/login?next="), "signed out: {url}");
    shot(&s, "auth-05-signed-out").await;

    s.quit().await;
    server.stop().await;
    let log = cablescope_access::audit::AuditLog::open(auth_common::access(&dir))
        .unwrap()
        .entries(&Default::default())
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.entry.action.as_str()).collect();
    for a in ["login_failed", "login", "read", "logout"] {
        assert!(actions.contains(&a), "no {a} in {actions:?}");
    }
}
