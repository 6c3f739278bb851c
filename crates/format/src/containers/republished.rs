//! Web pages that republish a cable among other content (news sites, blogs): the
//! cable is found inside the page and everything else is left out.
//!
//! The cable starts at its first recognisable line (a page title such as
//! `Cablegate: ...` just before it is kept, since the parser reads it as a
//! fallback subject) and ends before the site's boilerplate (copyright lines,
//! headline lists).

use super::html::{decode_entities, strip_tags};
use super::{Extracted, Format};

/// Lines that start a cable's text.
fn starts_cable(t: &str) -> bool {
    let up = t.trim_start();
    up.starts_with("VZCZC")
        || (up.starts_with("DE R") && up.contains('#'))
        || crate::parse::read_classification_line(up).is_some_and(|c| c.station.is_some())
        || up.starts_with("E.O. 1")
        || up.starts_with("TAGS:")
        || up.starts_with("SUBJECT:")
}

/// True for page text (after HTML is removed) that republishes a cable: a
/// `Cablegate:` title or a copyright trailer around cable lines.
pub fn looks_like(text: &str) -> bool {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    first.trim_start().starts_with("Cablegate:")
        // The `contains` is a fast whole-text search that spares scanning every
        // line of the (usually ©-free) text.
        || (text.contains('\u{a9}')
            && text.lines().any(|l| l.trim_start().starts_with('\u{a9}'))
            && text.lines().any(starts_cable))
}

/// Visible text of an HTML page: scripts and styles dropped, block elements turned
/// into line breaks, tags stripped, entities decoded.
pub fn page_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let lower_find = |s: &str, pat: &str| {
        s.as_bytes()
            .windows(pat.len())
            .position(|w| w.eq_ignore_ascii_case(pat.as_bytes()))
    };
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let name: String = tail[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
            .collect::<String>()
            .to_ascii_lowercase();
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            match lower_find(tail, &close) {
                Some(e) => {
                    let after = &tail[e..];
                    rest = after.find('>').map_or("", |g| &after[g + 1..]);
                }
                None => rest = "",
            }
            continue;
        }
        let end = tail.find('>').map_or(tail.len(), |g| g + 1);
        if matches!(
            name.trim_start_matches('/'),
            "p" | "br"
                | "div"
                | "li"
                | "tr"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "pre"
                | "blockquote"
                | "section"
                | "article"
        ) {
            out.push('\n');
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    decode_entities(&strip_tags(&out))
}

/// The cable inside a republished page's text (HTML already removed).
pub fn extract(text: &str) -> Extracted {
    let lines: Vec<&str> = text.split('\n').collect();
    let start = lines.iter().position(|l| starts_cable(l)).unwrap_or(0);
    // Keep a "Cablegate: ..." title standing shortly before the cable.
    let title = lines[..start]
        .iter()
        .rposition(|l| l.trim_start().starts_with("Cablegate:"))
        .filter(|&t| start - t <= 5);
    let from = title.unwrap_or(start);
    let body = lines[from..].join("\n");
    Extracted {
        text: body,
        format: Format::RepublishedPage,
        published: None,
        year: None,
        index: 1,
        notes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cable_is_cut_out_of_the_page() {
        let page = "<html><head><style>p{}</style><script>var x = '<p>';</script></head><body>\
            <div>Home | World | Business</div><h1>Cablegate: A Visit</h1><p>DE RUEHMO #0100/01 0101010</p>\
            <p>R 100000Z JAN 08</p><p>E.O. 12958: N/A</p><p>1. (U) Text &amp; more.</p><p>&copy; Some Media</p></body></html>";
        let text = page_text(page);
        assert!(!text.contains("var x"));
        assert!(looks_like(&text));
        let e = extract(&text);
        assert!(e.text.starts_with("Cablegate: A Visit\n"));
        assert!(e.text.contains("\nDE RUEHMO #0100/01"));
        assert!(e.text.contains("1. (U) Text & more."));
        assert!(!e.text.contains("Home | World"));
    }
}
