//! Text clean-up shared by the extractors: line endings, anchors, letter-spacing.

/// Normalises a cable's text for parsing:
/// - CRLF and CR become LF; a BOM, NULs and form feeds go;
/// - the `¶` anchors WikiLeaks put before paragraph numbers go;
/// - non-breaking spaces become spaces;
/// - dump rows whose lines end in `\` (backslash-continued exports) lose the `\`,
///   and their tab-separated row fields are put on lines of their own.
pub fn normalize(text: &str) -> String {
    let special = |c: char| {
        matches!(
            c,
            '\r' | '\u{FEFF}' | '\0' | '\u{B6}' | '\u{0C}' | '\u{A0}' | '\u{2007}' | '\u{202F}'
        )
    };
    // The first byte of every special character's UTF-8 form. Scanning bytes is far
    // cheaper than decoding every char; ASCII bytes and these lead bytes never
    // occur inside another character, so a hit is always a char boundary.
    let maybe_special = |b: &u8| matches!(b, b'\r' | b'\0' | 0x0C | 0xC2 | 0xE2 | 0xEF);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // Bytes at the start of `rest` already known to hold no special character.
    let mut clean = 0;
    // Copy runs of ordinary text whole; handle the special characters one by one.
    while let Some(off) = rest.as_bytes()[clean..].iter().position(maybe_special) {
        let i = clean + off;
        let c = rest[i..].chars().next().expect("a char at a found index");
        if !special(c) {
            clean = i + c.len_utf8();
            continue;
        }
        clean = 0;
        out.push_str(&rest[..i]);
        let mut used = c.len_utf8();
        match c {
            '\r' => {
                if rest[i + used..].starts_with('\n') {
                    used += 1;
                }
                out.push('\n');
            }
            '\u{0C}' => out.push('\n'),
            '\u{A0}' | '\u{2007}' | '\u{202F}' => out.push(' '),
            _ => {}
        }
        rest = &rest[i + used..];
    }
    out.push_str(rest);
    if let Some(pos) = out.find("Cable dated:") {
        // Media-partner extracts glue the date note to the text:
        // "Cable dated:2006-01-29T11:49:00S E C R E T ..." — give it its own line.
        let tail = &out[pos + "Cable dated:".len()..];
        let stamp = tail
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | ':' | 'T'))
            .count();
        let lead = tail.len() - tail.trim_start().len();
        let cut = pos + "Cable dated:".len() + lead + stamp;
        if stamp >= 16 && cut < out.len() {
            let rest = out[cut..].trim_start_matches(']').to_string();
            out.truncate(cut);
            out.push('\n');
            out.push_str(&rest);
        }
    }
    if is_backslash_continued(&out) {
        out = out
            .split('\n')
            .map(|l| {
                let t = l.trim_end();
                t.strip_suffix('\\').unwrap_or(t).trim_end()
            })
            .collect::<Vec<_>>()
            .join("\n");
        out = out.replace('\t', "\n");
    } else if starts_with_tab_dump_row(&out) {
        out = out.replace('\t', "\n");
    }
    out
}

fn is_backslash_continued(text: &str) -> bool {
    let mut total = 0usize;
    let mut slashed = 0usize;
    for l in text.split('\n').take(200) {
        let t = l.trim_end();
        if t.is_empty() {
            continue;
        }
        total += 1;
        if t.ends_with('\\') {
            slashed += 1;
        }
    }
    total >= 4 && slashed * 2 >= total
}

fn starts_with_tab_dump_row(text: &str) -> bool {
    let first = text.trim_start().split('\n').next().unwrap_or("");
    first.contains('\t') && first.contains("VZCZC")
}

/// Separates fields that collapsed copies glued together: `SIPDISDEPT FOR`,
/// `SIPDISE.O. 12958`, `02/15/2016TAGS:`, `...AMBASSADORE.O. 12958`.
pub fn deglue(text: &str) -> std::borrow::Cow<'_, str> {
    use std::sync::OnceLock;
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"(SIPDIS|NOFORN|SENSITIVE)([A-Z]{2,}|E\.O\.)|([0-9a-z.])(TAGS:|SUBJECT:|E\.O\.\s?1[0-9]{4})|([0-9A-Za-z.])(Classified [Bb]y:)")
            .expect("valid deglue regex")
    });
    if !re.is_match(text) {
        return std::borrow::Cow::Borrowed(text);
    }
    re.replace_all(text, |c: &regex::Captures<'_>| {
        match (c.get(1), c.get(2), c.get(3), c.get(4)) {
            (Some(a), Some(b), _, _) => format!("{} {}", a.as_str(), b.as_str()),
            (_, _, Some(a), Some(b)) => format!("{} {}", a.as_str(), b.as_str()),
            _ => match (c.get(5), c.get(6)) {
                // A Classified By glued to the subject: `...RUSSIAClassified By:`.
                (Some(a), Some(b)) => format!("{}\n{}", a.as_str(), b.as_str()),
                _ => c[0].to_string(),
            },
        }
    })
}

/// Collapses letter-spaced words: `C O N F I D E N T I A L  SECTION 01` →
/// `CONFIDENTIAL SECTION 01`. Runs of single letters separated by single spaces
/// are joined; everything else is kept with single spaces.
pub fn despace(line: &str) -> String {
    let tokens: Vec<&str> = line.split(' ').collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        if t.is_empty() {
            i += 1;
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        if is_letter(t) && i + 1 < tokens.len() && is_letter(tokens[i + 1]) {
            while i < tokens.len() && is_letter(tokens[i]) {
                out.push_str(tokens[i]);
                i += 1;
            }
            continue;
        }
        out.push_str(t);
        i += 1;
    }
    out
}

fn is_letter(t: &str) -> bool {
    t.len() == 1 && t.as_bytes()[0].is_ascii_alphabetic()
}

/// The first `n` bytes of `s`, cut back to a character boundary.
pub fn prefix(s: &str, n: usize) -> &str {
    let mut end = n.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Collapses all whitespace runs to single spaces and trims.
pub fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// True for rule lines (`-----`, `=====`, `_____`), possibly with spaces.
pub fn is_rule(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3 && t.chars().all(|c| matches!(c, '-' | '=' | '_' | ' ' | '*'))
}

/// True when a line has letters and none of them are lower case.
pub fn is_upper(line: &str) -> bool {
    let mut letters = false;
    for c in line.chars() {
        if c.is_lowercase() {
            return false;
        }
        if c.is_alphabetic() {
            letters = true;
        }
    }
    letters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn despace_collapses_letter_spacing() {
        assert_eq!(
            despace("C O N F I D E N T I A L  SECTION 01 OF 02"),
            "CONFIDENTIAL SECTION 01 OF 02"
        );
        assert_eq!(despace("S E C R E T KYIV 002414"), "SECRET KYIV 002414");
        assert_eq!(despace("UNCLAS A B"), "UNCLAS AB");
    }

    #[test]
    fn a_classified_by_glued_to_the_subject_is_cut_off() {
        assert_eq!(
            deglue("SUBJECT: TALKS ON RUSSIAClassified By: DCM Jane Roe"),
            "SUBJECT: TALKS ON RUSSIA\nClassified By: DCM Jane Roe"
        );
    }

    #[test]
    fn normalize_line_endings_and_anchors() {
        assert_eq!(normalize("a\r\nb\rc\u{B6}1."), "a\nb\nc1.");
        assert_eq!(normalize("x \\\ny \\\nz \\\nw \\\n"), "x\ny\nz\nw\n");
    }
}
