//! Text clean-up shared by the extractors: line endings, anchors, letter-spacing.

/// Normalises a cable's text for parsing:
/// - CRLF and CR become LF; a BOM, NULs and form feeds go;
/// - the `¶` anchors WikiLeaks put before paragraph numbers go;
/// - non-breaking spaces become spaces;
/// - dump rows whose lines end in `\` (backslash-continued exports) lose the `\`,
///   and their tab-separated row fields are put on lines of their own.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\u{FEFF}' | '\0' | '\u{B6}' => {}
            '\u{0C}' => out.push('\n'),
            '\u{A0}' | '\u{2007}' | '\u{202F}' => out.push(' '),
            _ => out.push(c),
        }
    }
    if is_backslash_continued(&out) {
        out = out
            .split('\n')
            .map(|l| {
                let t = l.trim_end();
                t.strip_suffix('\\').unwrap_or(t)
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
        assert_eq!(despace("C O N F I D E N T I A L  SECTION 01 OF 02"), "CONFIDENTIAL SECTION 01 OF 02");
        assert_eq!(despace("S E C R E T KYIV 002414"), "SECRET KYIV 002414");
        assert_eq!(despace("UNCLAS A B"), "UNCLAS AB");
    }

    #[test]
    fn normalize_line_endings_and_anchors() {
        assert_eq!(normalize("a\r\nb\rc\u{B6}1."), "a\nb\nc1.");
        assert_eq!(normalize("x \\\ny \\\nz \\\nw \\\n"), "x\ny\nz\nw\n");
    }
}
