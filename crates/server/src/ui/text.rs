//! Small text helpers shared by the pages: dates for people, snippet decoding, the
//! reflowing of hard-wrapped cable text, URL building and query refinement.

use std::fmt::Write as _;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `(year, month, day)` of an ISO 8601 date or time (`2008-06-05T11:19:00Z`).
pub(crate) fn ymd(iso: &str) -> Option<(i32, u32, u32)> {
    let y: i32 = iso.get(..4)?.parse().ok()?;
    let m: u32 = iso.get(5..7)?.parse().ok()?;
    let d: u32 = iso.get(8..10)?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// English month name (1-based).
pub(crate) fn month_name(m: u32) -> &'static str {
    MONTHS
        .get((m as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("")
}

/// `5 June 2008`, or the input unchanged when it is not a date.
pub(crate) fn long_date(iso: &str) -> String {
    match ymd(iso) {
        Some((y, m, d)) => format!("{d} {} {y}", month_name(m)),
        None => iso.to_string(),
    }
}

/// `5 June 2008, 11:19 UTC` for a full time, else [`long_date`].
pub(crate) fn long_time(iso: &str) -> String {
    let date = long_date(iso);
    match iso.get(11..16) {
        Some(hm) if iso.as_bytes().get(10) == Some(&b'T') && hm != "00:00" => {
            format!("{date}, {hm} UTC")
        }
        _ => date,
    }
}

/// `2008-06-05`: the date part of an ISO time.
pub(crate) fn short_date(iso: &str) -> &str {
    iso.get(..10).unwrap_or(iso)
}

/// A piece of a search snippet: text, highlighted or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SnippetPart {
    /// True for a matched word.
    pub mark: bool,
    /// The text, unescaped (the page escapes it again).
    pub text: String,
}

/// Reads the HTML snippet the index makes (text escaped, matches in `<b>…</b>`) back
/// into plain parts, so the page can render it with its own escaping and `<mark>`:
/// nothing of the snippet reaches the page as HTML.
pub(crate) fn snippet_parts(html: &str) -> Vec<SnippetPart> {
    let mut out: Vec<SnippetPart> = Vec::new();
    let mut mark = false;
    let mut rest = html;
    while !rest.is_empty() {
        let (tag, len) = if rest.starts_with("<b>") {
            (Some(true), 3)
        } else if rest.starts_with("</b>") {
            (Some(false), 4)
        } else {
            (None, 0)
        };
        if let Some(open) = tag {
            mark = open;
            rest = &rest[len..];
            continue;
        }
        // Search from the second character (not byte: text may open with `’`).
        let step = rest.chars().next().map_or(1, char::len_utf8);
        let next = rest[step..]
            .find("<b>")
            .into_iter()
            .chain(rest[step..].find("</b>"))
            .min()
            .map(|i| i + step)
            .unwrap_or(rest.len());
        let text = unescape(&rest[..next]);
        match out.last_mut() {
            Some(p) if p.mark == mark => p.text.push_str(&text),
            _ => out.push(SnippetPart { mark, text }),
        }
        rest = &rest[next..];
    }
    // Words of one phrase are highlighted one by one: join them, with the spaces
    // between, into one mark.
    let mut merged: Vec<SnippetPart> = Vec::with_capacity(out.len());
    let mut i = 0;
    while i < out.len() {
        let gap = out[i].clone();
        let joins = !gap.mark
            && !gap.text.is_empty()
            && gap.text.chars().all(char::is_whitespace)
            && merged.last().is_some_and(|p: &SnippetPart| p.mark)
            && out.get(i + 1).is_some_and(|p| p.mark);
        if joins {
            let last = merged.last_mut().expect("checked");
            last.text.push_str(&gap.text);
            last.text.push_str(&out[i + 1].text);
            i += 2;
        } else {
            merged.push(gap);
            i += 1;
        }
    }
    merged
}

/// Decodes the entities an HTML escaper writes (`&amp;`, `&lt;`, `&#39;`, `&#x27;`);
/// anything else is kept literally.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// True when a line starts something a writer set on its own line: a list item
/// (`-`, `--`, `*`, `o`, `a)`, `(a)`, `A.`, `1)`), or indented text.
fn starts_own_line(line: &str) -> bool {
    if line.starts_with([' ', '\t']) {
        return true;
    }
    let t = line.trim_start();
    if t.starts_with(['-', '*', '•', '+']) || t.starts_with("o ") {
        return true;
    }
    let b = t.as_bytes();
    // (a)  (1)  (iv)
    if b.first() == Some(&b'(') {
        if let Some(close) = t.find(')') {
            return close <= 5 && t[1..close].chars().all(|c| c.is_ascii_alphanumeric());
        }
    }
    // a)  1)  A.  12.  but not a sentence that merely begins with "A. Smith"-like text
    let head: String = t
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    if !head.is_empty() && head.len() <= 3 {
        let after = t[head.len()..].chars().next();
        let numeric = head.chars().all(|c| c.is_ascii_digit());
        let single = head.len() == 1;
        if after == Some(')') && (numeric || single) {
            return true;
        }
        if after == Some('.') && (numeric || single) && t[head.len() + 1..].starts_with(' ') {
            return true;
        }
    }
    false
}

/// Cable text is hard-wrapped at about 70 columns. For reading on a screen, the
/// wrapped lines of one paragraph are joined, while deliberate breaks survive: blank
/// lines start a new block, and lines that start a list item, are indented, or
/// follow a short line stay on their own line. Returns blocks of lines.
pub(crate) fn reflow(text: &str) -> Vec<Vec<String>> {
    /// A line shorter than this ended on purpose (the wrap width is ~60-70).
    const SHORT: usize = 40;
    let mut blocks: Vec<Vec<String>> = Vec::new();
    let mut block: Vec<String> = Vec::new();
    let mut prev_short = false;
    for raw in text.lines() {
        let line = raw.trim_end();
        if line.trim().is_empty() {
            if !block.is_empty() {
                blocks.push(std::mem::take(&mut block));
            }
            prev_short = false;
            continue;
        }
        let own = starts_own_line(line);
        let trimmed = line.trim();
        match block.last_mut() {
            Some(last) if !own && !prev_short => {
                last.push(' ');
                last.push_str(trimmed);
            }
            _ => block.push(trimmed.to_string()),
        }
        prev_short = line.chars().count() < SHORT;
    }
    if !block.is_empty() {
        blocks.push(block);
    }
    blocks
}

/// Whitespace collapsed to single spaces (one logical line for a diff).
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Percent-encodes one path segment (everything but unreserved characters).
pub(crate) fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The URL of a cable's page.
pub(crate) fn cable_url(id: &str) -> String {
    format!("/cables/{}", path_segment(id))
}

/// `path?k=v&…` with the values form-encoded; empty values are left out.
pub(crate) fn url_with(path: &str, pairs: &[(&str, &str)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    let mut any = false;
    for (k, v) in pairs {
        if !v.is_empty() {
            ser.append_pair(k, v);
            any = true;
        }
    }
    if any {
        format!("{path}?{}", ser.finish())
    } else {
        path.to_string()
    }
}

/// A value as the query language reads it literally: bare when it is a plain word,
/// else quoted with `"` and `\` escaped.
pub(crate) fn quote_value(v: &str) -> String {
    if !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/'))
        && !matches!(v, "AND" | "OR" | "NOT" | "TO")
    {
        v.to_string()
    } else {
        let mut s = String::from("\"");
        for c in v.chars() {
            if matches!(c, '"' | '\\') {
                s.push('\\');
            }
            s.push(c);
        }
        s.push('"');
        s
    }
}

/// True when `OR` appears outside parentheses and quotes: appending a clause to such
/// a query would bind to its last alternative only (`a OR b tag:X` is `a OR (b tag:X)`).
pub(crate) fn top_level_or(q: &str) -> bool {
    let mut depth = 0i32;
    let mut in_quote = false;
    let mut escaped = false;
    let mut word = String::new();
    let mut found = false;
    let mut flush = |word: &mut String, depth: i32| {
        if depth == 0 && word == "OR" {
            found = true;
        }
        word.clear();
    };
    for c in q.chars() {
        if escaped {
            escaped = false;
            word.push('\\');
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => {
                in_quote = !in_quote;
                flush(&mut word, 1);
            }
            _ if in_quote => {}
            '(' | '[' | '{' => {
                flush(&mut word, depth);
                depth += 1;
            }
            ')' | ']' | '}' => {
                flush(&mut word, depth);
                depth -= 1;
            }
            c if c.is_whitespace() => flush(&mut word, depth),
            c => word.push(c),
        }
    }
    flush(&mut word, depth);
    found
}

/// The clauses of a query at the top level split on whitespace (quotes and brackets
/// kept together): enough to see whether a refinement is already there.
fn top_level_clauses(q: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut in_quote = false;
    let mut escaped = false;
    let mut start: Option<usize> = None;
    for (i, c) in q.char_indices() {
        if start.is_none() && !c.is_whitespace() {
            start = Some(i);
        }
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => in_quote = !in_quote,
            _ if in_quote => {}
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            c if c.is_whitespace() && depth <= 0 => {
                if let Some(s) = start.take() {
                    out.push((s, i));
                }
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, q.len()));
    }
    out
}

/// True when `clause` is one of the query's top-level clauses.
pub(crate) fn has_clause(q: &str, clause: &str) -> bool {
    !top_level_or(q)
        && top_level_clauses(q)
            .iter()
            .any(|&(s, e)| q[s..e].eq_ignore_ascii_case(clause))
}

/// The query narrowed by `clause` (`tag:PREL`): appended, with the query put in
/// parentheses when a top-level `OR` would otherwise swallow the clause; `*` (every
/// cable) is replaced.
pub(crate) fn refine(q: &str, clause: &str) -> String {
    let q = q.trim();
    if q.is_empty() || q == "*" {
        clause.to_string()
    } else if has_clause(q, clause) {
        q.to_string()
    } else if top_level_or(q) {
        format!("({q}) {clause}")
    } else {
        format!("{q} {clause}")
    }
}

/// The query without the top-level `clause` (`*` when nothing is left).
pub(crate) fn remove_clause(q: &str, clause: &str) -> String {
    let kept: Vec<&str> = top_level_clauses(q)
        .into_iter()
        .map(|(s, e)| &q[s..e])
        .filter(|c| !c.eq_ignore_ascii_case(clause))
        .collect();
    if kept.is_empty() {
        "*".to_string()
    } else {
        kept.join(" ")
    }
}

/// Thousands separated by commas: `12,345`.
pub(crate) fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The CSS class of a portion mark or classification by level: `lvl-u`, `lvl-sbu`,
/// `lvl-c`, `lvl-s`, `lvl-ts` (unknown marks get `lvl-x`).
pub(crate) fn level_class(mark: &str) -> &'static str {
    let up = mark.trim().to_ascii_uppercase();
    let level = if up.contains("//") {
        cablescope_format::marking::read_classification(&up).map(|(l, _)| l)
    } else {
        cablescope_format::marking::Level::parse(up.split('/').next().unwrap_or(""))
    };
    match level {
        Some(l) => match l.rank_code() {
            "U" => "lvl-u",
            "SBU" => "lvl-sbu",
            "C" => "lvl-c",
            "S" => "lvl-s",
            _ => "lvl-ts",
        },
        None => "lvl-x",
    }
}

/// A portion mark in words for a tooltip: `S/NF` → "SECRET, NOFORN".
pub(crate) fn mark_words(mark: &str) -> String {
    let up = mark.trim().to_ascii_uppercase();
    let mut parts = up.split('/').filter(|p| !p.is_empty());
    let level = match parts.next().unwrap_or("") {
        "U" => "UNCLASSIFIED",
        "SBU" => "SENSITIVE BUT UNCLASSIFIED",
        "LOU" => "LIMITED OFFICIAL USE",
        "C" => "CONFIDENTIAL",
        "S" => "SECRET",
        "TS" => "TOP SECRET",
        other => other,
    }
    .to_string();
    let rest: Vec<&str> = parts
        .map(|p| match p {
            "NF" => "NOFORN",
            other => other,
        })
        .collect();
    if rest.is_empty() {
        level
    } else {
        format!("{level}, {}", rest.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(long_date("2008-06-05T11:19:00Z"), "5 June 2008");
        assert_eq!(long_time("2008-06-05T11:19:00Z"), "5 June 2008, 11:19 UTC");
        assert_eq!(long_date("junk"), "junk");
        assert_eq!(short_date("2008-06-05T11:19:00Z"), "2008-06-05");
    }

    #[test]
    fn snippets_opening_with_a_multibyte_character_are_read() {
        let p = snippet_parts("’s <b>president</b>’s “plan”");
        let text: String = p.iter().map(|x| x.text.as_str()).collect();
        assert_eq!(text, "’s president’s “plan”");
        assert!(p.iter().any(|x| x.mark && x.text == "president"));
    }

    proptest::proptest! {
        /// Snippet reading never panics, and keeps every character of the text
        /// outside the tags, whatever Unicode the snippet holds.
        #[test]
        fn snippet_parts_never_panic(parts in proptest::collection::vec(("\\PC{0,12}", proptest::bool::ANY), 0..8)) {
            let mut html = String::new();
            for (t, b) in &parts {
                if *b { html.push_str("<b>"); }
                html.push_str(t);
                if *b { html.push_str("</b>"); }
            }
            let _ = snippet_parts(&html);
            let _ = unescape(&html);
        }
    }

    #[test]
    fn snippets_are_decoded_not_trusted() {
        let p = snippet_parts("a &lt;script&gt; <b>widget</b> &amp; &#39;x&#x27;");
        assert_eq!(
            p,
            vec![
                SnippetPart {
                    mark: false,
                    text: "a <script> ".into()
                },
                SnippetPart {
                    mark: true,
                    text: "widget".into()
                },
                SnippetPart {
                    mark: false,
                    text: " & 'x'".into()
                },
            ]
        );
        assert_eq!(
            snippet_parts("&bogus; & &#xZZ;")[0].text,
            "&bogus; & &#xZZ;"
        );
        assert!(snippet_parts("").is_empty());
    }

    #[test]
    fn reflow_joins_wrapped_lines_and_keeps_lists() {
        let t = "The delegation arrived on Tuesday and met with the\nminister for two hours.\n\n-- first point\n-- second point\nSHORT LINE\nnext";
        let b = reflow(t);
        assert_eq!(b.len(), 2);
        assert_eq!(
            b[0],
            vec!["The delegation arrived on Tuesday and met with the minister for two hours."]
        );
        assert_eq!(
            b[1],
            vec!["-- first point", "-- second point", "SHORT LINE", "next"]
        );
        assert_eq!(reflow("(a) one\n(b) two").len(), 1);
        assert_eq!(reflow("(a) one\n(b) two")[0].len(), 2);
    }

    #[test]
    fn query_refinement() {
        assert_eq!(refine("*", "tag:PREL"), "tag:PREL");
        assert_eq!(refine("iran", "tag:PREL"), "iran tag:PREL");
        assert_eq!(
            refine("iran OR iraq", "tag:PREL"),
            "(iran OR iraq) tag:PREL"
        );
        assert_eq!(
            refine("(iran OR iraq) tag:PREL", "origin:PARIS"),
            "(iran OR iraq) tag:PREL origin:PARIS"
        );
        assert_eq!(refine("iran tag:PREL", "tag:PREL"), "iran tag:PREL");
        assert!(!top_level_or("\"a OR b\" c"));
        assert!(top_level_or("a OR b"));
        assert!(has_clause("x tag:PREL", "tag:prel"));
        assert_eq!(remove_clause("x tag:PREL", "tag:PREL"), "x");
        assert_eq!(remove_clause("tag:PREL", "tag:PREL"), "*");
        assert_eq!(quote_value("PREL"), "PREL");
        assert_eq!(quote_value("EYES ONLY"), "\"EYES ONLY\"");
        assert_eq!(quote_value("a\"b"), "\"a\\\"b\"");
        assert_eq!(quote_value("OR"), "\"OR\"");
    }

    #[test]
    fn urls() {
        assert_eq!(cable_url("08MOSCOW1599"), "/cables/08MOSCOW1599");
        assert_eq!(path_segment("a b/<c>"), "a%20b%2F%3Cc%3E");
        assert_eq!(
            url_with("/search", &[("q", "tag:PREL & x"), ("cursor", "")]),
            "/search?q=tag%3APREL+%26+x"
        );
        assert_eq!(url_with("/search", &[]), "/search");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(count(12), "12");
    }

    #[test]
    fn marks() {
        assert_eq!(level_class("S/NF"), "lvl-s");
        assert_eq!(level_class("SECRET//NOFORN"), "lvl-s");
        assert_eq!(
            level_class("UNCLASSIFIED//FOR OFFICIAL USE ONLY"),
            "lvl-sbu"
        );
        assert_eq!(level_class("UNCLASSIFIED"), "lvl-u");
        assert_eq!(level_class("??"), "lvl-x");
        assert_eq!(mark_words("S/NF"), "SECRET, NOFORN");
    }
}
