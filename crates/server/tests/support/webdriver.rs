//! A minimal W3C WebDriver client for the browser tests.
//!
//! Hand-written on purpose: the Rust WebDriver crates (fantoccini, thirtyfour) pull
//! in a TLS stack (OpenSSL or rustls + ring) that nothing else here needs, while
//! the tests use eight plain-HTTP endpoints of the protocol against a local
//! ChromeDriver. Errors carry the driver's message so a failing step says why.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

/// The key W3C WebDriver uses for element references.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Where Debian's packages put the browser and its driver.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// ChromeDriver from Debian's `chromium-driver`.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A running ChromeDriver process, killed on drop.
pub struct Driver {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    /// Starts ChromeDriver on a free port and waits until it answers.
    pub async fn start() -> Result<Driver, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {CHROMEDRIVER}: {e}"))?;
        let d = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        for _ in 0..100 {
            if let Ok(r) = d.http.get(format!("{}/status", d.base)).send().await {
                if r.status().is_success() {
                    return Ok(d);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("chromedriver did not answer within 10 s".into())
    }

    /// Opens a headless Chromium session with a fresh profile.
    pub async fn session(&self, profile: &Path) -> Result<Session, String> {
        // The flags keep Chromium off the network (this machine's network is
        // closed; background fetches would fail noisily) and out of the sandbox,
        // which needs privileges test runners often lack.
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1366,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        }}});
        let v = call(
            &self.http,
            reqwest::Method::POST,
            &format!("{}/session", self.base),
            Some(caps),
        )
        .await?;
        let id = v["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session id in {v}"))?
            .to_string();
        Ok(Session {
            url: format!("{}/session/{id}", self.base),
            http: self.http.clone(),
        })
    }
}

/// One browser session.
pub struct Session {
    url: String,
    http: reqwest::Client,
}

/// An element found on the page.
#[derive(Debug, Clone)]
pub struct Element(String);

async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let mut req = http.request(method.clone(), url);
    if let Some(b) = body {
        req = req.json(&b);
    } else if method == reqwest::Method::POST {
        req = req.json(&json!({}));
    }
    let resp = req.send().await.map_err(|e| format!("{url}: {e}"))?;
    let status = resp.status();
    let v: Value = resp.json().await.map_err(|e| format!("{url}: {e}"))?;
    if !status.is_success() {
        return Err(format!("{url}: {status}: {}", v["value"]["message"]));
    }
    Ok(v["value"].clone())
}

impl Session {
    async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        call(
            &self.http,
            reqwest::Method::POST,
            &format!("{}{path}", self.url),
            Some(body),
        )
        .await
    }

    async fn get(&self, path: &str) -> Result<Value, String> {
        call(
            &self.http,
            reqwest::Method::GET,
            &format!("{}{path}", self.url),
            None,
        )
        .await
    }

    /// Navigates to `url` and waits for the page load.
    pub async fn goto(&self, url: &str) -> Result<(), String> {
        self.post("/url", json!({"url": url})).await.map(|_| ())
    }

    /// The current URL.
    pub async fn current_url(&self) -> Result<String, String> {
        Ok(self
            .get("/url")
            .await?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// The page title.
    pub async fn title(&self) -> Result<String, String> {
        Ok(self
            .get("/title")
            .await?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// Every element matching a CSS selector (none is not an error).
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>, String> {
        let v = self
            .post("/elements", json!({"using": "css selector", "value": css}))
            .await?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT_KEY].as_str().map(|s| Element(s.to_string())))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The first element matching `css`, waiting up to 5 s for it to appear
    /// (pages that draw with JavaScript need a moment).
    pub async fn find(&self, css: &str) -> Result<Element, String> {
        for _ in 0..50 {
            if let Some(e) = self.find_all(css).await?.into_iter().next() {
                return Ok(e);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "no element matches {css:?} on {}",
            self.current_url().await?
        ))
    }

    /// Clicks an element.
    pub async fn click(&self, e: &Element) -> Result<(), String> {
        self.post(&format!("/element/{}/click", e.0), json!({}))
            .await
            .map(|_| ())
    }

    /// Clears an input and types `text` into it.
    pub async fn type_into(&self, e: &Element, text: &str) -> Result<(), String> {
        self.post(&format!("/element/{}/clear", e.0), json!({}))
            .await?;
        self.post(&format!("/element/{}/value", e.0), json!({"text": text}))
            .await
            .map(|_| ())
    }

    /// The visible text of an element.
    pub async fn text(&self, e: &Element) -> Result<String, String> {
        Ok(self
            .get(&format!("/element/{}/text", e.0))
            .await?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// An attribute or property of an element (`href`, `value`).
    pub async fn attr(&self, e: &Element, name: &str) -> Result<Option<String>, String> {
        Ok(self
            .get(&format!("/element/{}/property/{name}", e.0))
            .await?
            .as_str()
            .map(str::to_string))
    }

    /// Resizes the browser window (the viewport follows, less any chrome).
    pub async fn set_window(&self, width: u32, height: u32) -> Result<(), String> {
        self.post("/window/rect", json!({"width": width, "height": height}))
            .await
            .map(|_| ())
    }

    /// Runs a script in the page and returns its value.
    pub async fn execute(&self, script: &str) -> Result<Value, String> {
        self.post("/execute/sync", json!({"script": script, "args": []}))
            .await
    }

    /// Writes a PNG screenshot of the viewport to `path`.
    pub async fn screenshot(&self, path: &Path) -> Result<PathBuf, String> {
        use base64::Engine as _;
        let v = self.get("/screenshot").await?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .map_err(|e| e.to_string())?;
        std::fs::write(path, png).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(path.to_path_buf())
    }

    /// Ends the session (closes the browser).
    pub async fn quit(self) {
        let _ = call(&self.http, reqwest::Method::DELETE, &self.url, None).await;
    }
}

/// True when Chromium and ChromeDriver are installed. Without them a browser test
/// prints a notice and passes, except in CI (`CI=true`), where it fails.
pub fn browser_available() -> bool {
    let ok = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !ok {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but {CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)");
        }
        eprintln!("NOTICE: browser tests skipped: {CHROMIUM} or {CHROMEDRIVER} not installed");
    }
    ok
}

/// The folder screenshots go to (`target/tmp/screenshots/`), created.
pub fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
