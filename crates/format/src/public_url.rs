//! Where a copy of a cable can be read on the web: the address of the publisher's
//! page, derived from the cable as the publisher derives it, for the publishers
//! whose pages cablescope reads.
//!
//! * WikiLeaks' Cablegate viewer (`wikileaks-html-2010`, `wikileaks-html-2011`):
//!   `https://wikileaks.org/cable/YYYY/MM/ID.html`, the year and month of the
//!   cable's date-time group and its id (the viewer files each cable so; the
//!   shared corpus keeps the same paths).
//! * WikiLeaks' PlusD (`plusd-html`): `https://wikileaks.org/plusd/cables/PID.html`,
//!   where `PID` is the page's own canonical id (`1973STATE097844_b`: four-digit
//!   year, zero-padded serial, collection letter). The padding differs between
//!   stations, so the address is given only when the page's id was read.
//!
//! Copies from anywhere else (raw telegrams, CSV rows, exports, republished
//! pages) have no address that follows from the cable: none is made up.

use crate::record::{Cable, Source};

/// Cablegate viewer pages.
const VIEWER: &str = "https://wikileaks.org/cable";
/// PlusD pages.
const PLUSD: &str = "https://wikileaks.org/plusd/cables";

/// The public addresses of the copies of `c` (each copy merged into it, or the
/// record's own source), without repeats, in the order of the copies.
///
/// ```
/// use cablescope_format::{parse, Hints};
/// use cablescope_format::public_url::public_urls;
///
/// let text = "R 051119Z JUN 08\nFM AMEMBASSY MOSCOW\nTO RUEHC/SECSTATE WASHDC 8123\n\
///             UNCLAS MOSCOW 001599\n\nSUBJECT: TEST\n\n1. (U) Hello.\n";
/// let mut cable = parse(text, &Hints::default());
/// assert!(public_urls(&cable).is_empty(), "a raw telegram has no public page");
/// cable.source.format = "wikileaks-html-2011".into();
/// assert_eq!(
///     public_urls(&cable),
///     ["https://wikileaks.org/cable/2008/06/08MOSCOW1599.html"]
/// );
/// ```
pub fn public_urls(c: &Cable) -> Vec<String> {
    let copies: Vec<&Source> = if c.sources.is_empty() {
        vec![&c.source]
    } else {
        c.sources.iter().collect()
    };
    let mut out: Vec<String> = Vec::new();
    for s in copies {
        if let Some(u) = url_of(c, &s.format) {
            if !out.contains(&u) {
                out.push(u);
            }
        }
    }
    out
}

fn url_of(c: &Cable, format: &str) -> Option<String> {
    if format.starts_with("wikileaks-html") {
        let id = c.id.as_deref().filter(|i| is_plain_id(i))?;
        let created = c.created.as_deref()?;
        let (y, m) = (created.get(..4)?, created.get(5..7)?);
        if !(y.bytes().all(|b| b.is_ascii_digit()) && m.bytes().all(|b| b.is_ascii_digit())) {
            return None;
        }
        return Some(format!("{VIEWER}/{y}/{m}/{id}.html"));
    }
    if format == "plusd-html" {
        let pid = c.published.as_ref()?.id.as_deref()?;
        return is_plusd_id(pid).then(|| format!("{PLUSD}/{pid}.html"));
    }
    None
}

/// A cable id made only of letters and digits (safe in a path).
fn is_plain_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `1973STATE097844_b`, `1976WARSAW05657_b2`: four digits, letters and digits,
/// `_`, a lower-case letter and an optional number.
fn is_plusd_id(pid: &str) -> bool {
    let Some((body, coll)) = pid.split_once('_') else {
        return false;
    };
    let mut cs = coll.chars();
    body.len() > 6
        && body.bytes().take(4).all(|b| b.is_ascii_digit())
        && is_plain_id(body)
        && cs.next().is_some_and(|c| c.is_ascii_lowercase())
        && cs.all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Published;

    fn cable(format: &str) -> Cable {
        Cable {
            id: Some("06TOKYO1363".into()),
            created: Some("2006-03-15T07:45:00Z".into()),
            source: Source {
                format: format.into(),
                ..Source::default()
            },
            ..Cable::default()
        }
    }

    #[test]
    fn viewer_pages_are_filed_by_year_and_month() {
        assert_eq!(
            public_urls(&cable("wikileaks-html-2010")),
            ["https://wikileaks.org/cable/2006/03/06TOKYO1363.html"]
        );
        let mut undated = cable("wikileaks-html-2011");
        undated.created = None;
        assert!(public_urls(&undated).is_empty());
        for f in ["telegram", "cables-csv", "republished", "body-text"] {
            assert!(public_urls(&cable(f)).is_empty(), "{f}");
        }
    }

    #[test]
    fn plusd_pages_need_their_own_id() {
        let mut c = cable("plusd-html");
        assert!(public_urls(&c).is_empty());
        for (pid, ok) in [
            ("1973STATE097844_b", true),
            ("1976WARSAW05657_b2", true),
            ("73STATE97844", false),
            ("1973STATE097844_b/../x", false),
            ("1973STATE<script>_b", false),
        ] {
            c.published = Some(Published {
                id: Some(pid.into()),
                ..Published::default()
            });
            assert_eq!(
                public_urls(&c),
                if ok {
                    vec![format!("https://wikileaks.org/plusd/cables/{pid}.html")]
                } else {
                    Vec::<String>::new()
                },
                "{pid}"
            );
        }
    }

    #[test]
    fn merged_copies_give_each_publisher_once() {
        let mut c = cable("telegram");
        c.sources = vec![
            Source {
                format: "wikileaks-html-2010".into(),
                ..Source::default()
            },
            Source {
                format: "telegram".into(),
                ..Source::default()
            },
            Source {
                format: "wikileaks-html-2011".into(),
                ..Source::default()
            },
        ];
        assert_eq!(
            public_urls(&c),
            ["https://wikileaks.org/cable/2006/03/06TOKYO1363.html"]
        );
    }
}
