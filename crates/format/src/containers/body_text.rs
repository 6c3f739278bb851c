//! Body-only texts cut from viewer pages: no envelope, a `<code><pre>` prefix,
//! leftover paragraph anchors and tag links, sometimes entities.

use super::html::block_text;
use super::{Extracted, Format};

/// True when a text carries viewer-page leftovers rather than being clean telegram
/// text.
pub fn looks_like(text: &str) -> bool {
    let head = super::prefix(text, 4096);
    head.contains("<code><pre>")
        || head.contains("<a id='par")
        || head.contains("<a id=\"par")
        || head.contains("href='/tag/")
        || head.contains("&#x000A;")
        || head.contains("Appears in these articles:")
}

/// The telegram text of a body-only file.
pub fn extract(text: &str) -> Extracted {
    let (clean, _) = block_text(&text.replace("&#x000A;", "\n"));
    Extracted {
        text: clean,
        format: Format::BodyText,
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
    fn leftovers_are_removed() {
        let t = "<code><pre>C O N F I D E N T I A L ROME 000123\n\nTAGS: <a href='/tag/PREL_0.html'>PREL</a>\n\n<a id='par1' href='#par1'>\u{b6}</a>1. (C) It&#8217;s fine.</pre></code>";
        assert!(looks_like(t));
        let e = extract(t);
        assert_eq!(
            e.text,
            "C O N F I D E N T I A L ROME 000123\n\nTAGS: PREL\n\n1. (C) It\u{2019}s fine."
        );
        assert_eq!(e.format, Format::BodyText);
    }
}
