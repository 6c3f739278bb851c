//! The UI's static files (CSS, JavaScript, icon), embedded in the binary so the
//! server works offline and needs nothing beside it.
//!
//! Each file is served at `/assets/{stem}.{hash}.{ext}`, the hash being a digest of
//! its content: a new build with a changed file gets a new URL, so browsers may keep
//! every asset for a year (`Cache-Control: immutable`). An asset asked for under an
//! old hash is still served, but not cached, so a page from before an upgrade works.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// One embedded file.
struct Asset {
    /// File name under `crates/server/assets/`.
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "style.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../assets/style.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/app.js"),
    },
    Asset {
        name: "graph.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/graph.js"),
    },
    Asset {
        name: "icon.svg",
        content_type: "image/svg+xml",
        bytes: include_bytes!("../../assets/icon.svg"),
    },
];

/// 64-bit FNV-1a: a content digest for cache busting (not for security).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The hashed URL of every asset, computed once.
fn urls() -> &'static [String] {
    static URLS: OnceLock<Vec<String>> = OnceLock::new();
    URLS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                let (stem, ext) = a.name.rsplit_once('.').unwrap_or((a.name, ""));
                format!("/assets/{stem}.{:012x}.{ext}", fnv1a(a.bytes) >> 16)
            })
            .collect()
    })
}

/// The URL of the embedded file `name` (`style.css` → `/assets/style.1a2b3c4d5e6f.css`).
///
/// # Panics
///
/// When `name` is not an embedded asset: a programming error caught by any test that
/// renders a page.
pub fn url(name: &str) -> &'static str {
    let i = ASSETS
        .iter()
        .position(|a| a.name == name)
        .unwrap_or_else(|| panic!("no embedded asset {name}"));
    &urls()[i]
}

/// `GET /assets/{file}`: an embedded file, with long cache headers when the hash in
/// the name is the current one.
pub async fn serve(Path(file): Path<String>) -> Response {
    let wanted = format!("/assets/{file}");
    let found = urls().iter().position(|u| *u == wanted).map(|i| (i, true));
    // An old hash (or none): match on stem and extension.
    let found = found.or_else(|| {
        let (stem, ext) = file.rsplit_once('.')?;
        let stem = stem.split('.').next()?;
        let name = format!("{stem}.{ext}");
        ASSETS
            .iter()
            .position(|a| a.name == name)
            .map(|i| (i, false))
    });
    let Some((i, current)) = found else {
        return (StatusCode::NOT_FOUND, "no such asset\n").into_response();
    };
    let a = &ASSETS[i];
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(a.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        a.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_carry_a_content_hash() {
        let u = url("style.css");
        assert!(u.starts_with("/assets/style."), "{u}");
        assert!(u.ends_with(".css"));
        assert_eq!(u.len(), "/assets/style..css".len() + 12);
        assert_ne!(url("app.js"), url("graph.js"));
    }
}
