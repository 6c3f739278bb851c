//! Extractors for single fields: E.O./DECL, Classified By and reasons, TAGS,
//! SUBJECT, summary and comment blocks.

use std::sync::OnceLock;

use regex::Regex;

use super::preamble::join_lines;
use super::text::squeeze;
use crate::marking::{read_mark, MarkReading};

macro_rules! re {
    ($name:ident, $pat:expr) => {
        fn $name() -> &'static Regex {
            static RE: OnceLock<Regex> = OnceLock::new();
            RE.get_or_init(|| Regex::new($pat).expect("valid regex"))
        }
    };
}

re!(
    decl_date_re,
    r"(?i)\bDECL(?:ASSIFY)?(?:\s+ON)?\s*[:.]?\s*(?:\(?\s*)?(\d{1,4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,4})\b"
);
re!(any_date_re, r"\b(\d{1,4})\s*[/\-]\s*(\d{1,2})\s*[/\-]\s*(\d{1,4})\b");

/// Reads the declassification date from an E.O. field's text (`DECL: 01/05/2028`),
/// choosing the century of a two-digit year so the date is not before the cable.
pub fn declassify_on(eo_text: &str, cable_year: Option<i32>) -> Option<String> {
    let up = eo_text.to_ascii_uppercase();
    if up.contains("DECLASSIFIED") || up.contains("N/A") && !up.contains("DECL") {
        return None;
    }
    let c = decl_date_re().captures(eo_text).or_else(|| {
        // "E.O. 12356: 9/25/88" (a date without DECL) only when nothing else is written.
        if up.contains("DECL") || up.contains("OADR") {
            None
        } else {
            any_date_re().captures(eo_text)
        }
    })?;
    let a: i32 = c[1].parse().ok()?;
    let b: i32 = c[2].parse().ok()?;
    let y_or_d: i32 = c[3].parse().ok()?;
    let (year, month, day) = if c[1].len() == 4 {
        (a, b, y_or_d)
    } else {
        let y = if c[3].len() == 4 {
            y_or_d
        } else {
            let base = cable_year.unwrap_or(2000);
            let century = base / 100 * 100;
            let mut y = century + y_or_d;
            if y < base {
                y += 100;
            }
            if y > base + 60 {
                y -= 100;
            }
            y
        };
        (y, a, b)
    };
    let date = jiff::civil::Date::new(i16::try_from(year).ok()?, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()?;
    Some(date.to_string())
}

re!(reasons_re, r"(?i)\b1\s?\.\s?([45])\s*[\s(]*((?:[a-h](?:\s*[),/&]|\s+and\s+|\s+or\s+|\s*\(|\s+|$)*)+)");
re!(reason_letters_re, r"(?i)(?:^|[\s(,/&])([a-h])(?:[\s),/&.]|$)");

/// Classification reasons in a text: `1.4 (b) and (d)` → `["1.4(b)", "1.4(d)"]`.
pub fn reasons(text: &str) -> Vec<String> {
    let flat = squeeze(text);
    let mut out = Vec::new();
    for c in reasons_re().captures_iter(&flat) {
        let section = format!("1.{}", &c[1]);
        let letters = &c[2];
        for l in reason_letters_re().captures_iter(letters) {
            let r = format!("{section}({})", l[1].to_ascii_lowercase());
            if !out.contains(&r) {
                out.push(r);
            }
        }
    }
    out
}

/// Titles and offices that precede or follow a classifying officer's name.
const TITLE_WORDS: &[&str] = &[
    "AMBASSADOR", "AMB", "AMBASSADOR-AT-LARGE", "CHARGE", "CHARGE'", "D'AFFAIRES", "DAFFAIRES", "A.I.", "AI",
    "CDA", "DCM", "DEPUTY", "CHIEF", "OF", "MISSION", "POLITICAL", "POL", "POLITICAL/ECONOMIC", "ECONOMIC",
    "ECON", "COUNSELOR", "COUNSELLOR", "MINISTER", "MINISTER-COUNSELOR", "POLCOUNS", "POLOFF", "ECONOFF",
    "ECONCOUNS", "POL/ECON", "POLECON", "SECTION", "OFFICER", "ACTING", "A/DCM", "CONSUL", "GENERAL",
    "CONSUL-GENERAL", "PRINCIPAL", "THE", "AND", "FOR", "PUBLIC", "AFFAIRS", "MANAGEMENT", "DIRECTOR",
    "ASSISTANT", "SECRETARY", "UNDER", "SPECIAL", "ENVOY", "REPRESENTATIVE", "PERMANENT", "ALTERNATE",
    "COORDINATOR", "CHIEF,", "ATTACHE", "DEFENSE", "RSO", "REGIONAL", "SECURITY", "LEGAL", "ADVISER",
    "ADVISOR", "PMA", "PM", "POLMINCOUNS", "MINCOUNS", "EMBASSY", "CONSULATE", "U.S.", "US", "USNATO",
    "USEU", "INTERIM", "CHARGE D'AFFAIRES", "DEPUTY-CHIEF", "DEPT", "OFFICE", "DIVISION", "UNIT", "HEAD",
    "SENIOR", "POLITICO-MILITARY", "POL-MIL", "POLMIL", "CONSULAR", "DAS", "A/S", "ADMINISTRATOR",
    "EXECUTIVE", "COUNSELOR,", "AGRICULTURAL", "COMMERCIAL", "ENERGY", "ENVIRONMENT", "SCIENCE", "HEALTH",
    "ATTACH", "ECOPOL", "INL", "NAS", "USAID", "MILITARY",
];

/// Names of the classifying officers in a Classified By statement, titles removed.
pub fn classified_by(text: &str) -> Vec<String> {
    let flat = squeeze(text);
    let flat = flat.trim_start_matches(|c: char| c == ':' || c.is_whitespace());
    // A doubled label: "Classified By: Classified by ...".
    let lower = flat.to_ascii_lowercase();
    let flat = if lower.starts_with("classified by") { flat[13..].trim_start_matches([':', ' ']) } else { flat };
    // The name ends at the reasons.
    let cut_words = [
        " for reason", " reason", " for reasons", ", reason", " per ", " under ", " e.o.", " e.o ", " eo ", " 1.4",
        " 1.5", "(1.4", "(1.5", ", 1.", "; ", " based on", " b and d", " due to",
    ];
    let lower = flat.to_ascii_lowercase();
    let mut end = flat.len();
    for w in cut_words {
        if let Some(p) = lower.find(w) {
            end = end.min(p);
        }
    }
    let head = flat[..end].trim().trim_end_matches([',', '.', ':', ';', '(']).trim();
    if head.is_empty() {
        return Vec::new();
    }
    // "Name, Title" → Name; "Title Name" → Name.
    let mut parts: Vec<&str> = head.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    if parts.len() > 1 {
        parts.retain(|p| !p.split_whitespace().all(is_title_word));
    }
    let mut names = Vec::new();
    for part in parts {
        for piece in part.split(" and ").flat_map(|p| p.split(" AND ")) {
            let words: Vec<&str> = piece.split_whitespace().collect();
            let first_name = words.iter().position(|w| !is_title_word(w)).unwrap_or(words.len());
            let name = words[first_name..].join(" ");
            let name = name.trim_end_matches([',', '.']).trim();
            if !name.is_empty() && name.chars().any(|c| c.is_alphabetic()) {
                names.push(name.to_string());
            }
        }
        if !names.is_empty() {
            break;
        }
    }
    names
}

fn is_title_word(w: &str) -> bool {
    let up = w.to_ascii_uppercase();
    let up = up.trim_end_matches([',', ':', '.']);
    TITLE_WORDS.contains(&up) || TITLE_WORDS.contains(&w.to_ascii_uppercase().as_str())
}

/// Tags from a TAGS field: upper-case, in order, without duplicates; `SIPDIS`
/// dropped; person names split into separate tokens.
pub fn tags(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tok in text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | ';')) {
        let t = tok.trim_matches(|c: char| matches!(c, '.' | ':' | '"' | '\'' | '-'));
        if t.is_empty() || !t.chars().any(|c| c.is_alphanumeric()) {
            continue;
        }
        let up = t.to_uppercase();
        if up == "SIPDIS" || up == "TAGS" {
            continue;
        }
        if !out.contains(&up) {
            out.push(up);
        }
    }
    out
}

/// The subject text with its portion mark split off.
pub fn subject(text: &str) -> (Option<String>, Option<String>) {
    let s = join_lines(text);
    let s = s.trim().trim_start_matches(':').trim();
    if s.is_empty() {
        return (None, None);
    }
    let mut subject = s.to_string();
    let mut mark = None;
    if let Some(rest) = subject.strip_prefix('(') {
        if let Some(close) = rest.find(')') {
            if let MarkReading::Known(m) = read_mark(&rest[..close]) {
                mark = Some(m.to_string());
                subject = rest[close + 1..].trim().to_string();
            }
        }
    }
    if mark.is_none() && subject.ends_with(')') {
        if let Some(open) = subject.rfind('(') {
            if let MarkReading::Known(m) = read_mark(&subject[open + 1..subject.len() - 1]) {
                mark = Some(m.to_string());
                subject = subject[..open].trim().to_string();
            }
        }
    }
    let subject = subject.trim_end_matches(['\\']).trim().to_string();
    ((!subject.is_empty()).then_some(subject), mark)
}

re!(
    summary_open_re,
    r"(?i)(?:^|[\s(\-])(?:begin\s+)?summ?a?ry(?:\s+(?:and|&)\s+(?:comment|introduction|action\s+request|background|action\s+requested))?\s*(?::|\.|-+|\n|$)"
);
re!(summary_end_re, r"(?i)\bend\s+(?:of\s+)?summ?a?ry\b[.:\-]?");
re!(comment_open_re, r"(?i)(?:^|[\s(\-])comments?\s*(?::|\.\s|-+\s)");
re!(comment_end_re, r"(?i)\bend\s+(?:of\s+)?comments?\b[.:)]?");
re!(inner_para_re, r"(?m)^\s*\d{1,3}\s*\.\s*(?:\([A-Za-z/ ]{1,12}\))?\s*");

/// The summary block of a body text.
pub fn summary(text: &str) -> Option<String> {
    if let Some(end) = summary_end_re().find(text) {
        let before = &text[..end.start()];
        let open = summary_open_re().find_iter(before).last();
        let start = open.map(|m| m.end()).unwrap_or(0);
        let inner = &before[start..];
        let s = clean_block(inner);
        return (!s.is_empty()).then_some(s);
    }
    None
}

/// Comment blocks of a body text, joined.
pub fn comment(text: &str) -> Option<String> {
    let mut blocks = Vec::new();
    let mut pos = 0;
    while let Some(open) = comment_open_re().find_at(text, pos) {
        // "End comment." is a closer, not an opener.
        let before = text[..open.start()].trim_end().to_ascii_lowercase();
        if before.ends_with("end") || before.ends_with("no") {
            pos = open.end();
            continue;
        }
        let rest = &text[open.end()..];
        let (inner, used) = match comment_end_re().find(rest) {
            Some(e) => (&rest[..e.start()], e.end()),
            None => {
                // Without a closer the comment runs to the end of its paragraph.
                let stop = rest.find("\n\n").unwrap_or(rest.len());
                (&rest[..stop], stop)
            }
        };
        let s = clean_block(inner);
        if !s.is_empty() {
            blocks.push(s);
        }
        pos = open.end() + used;
    }
    (!blocks.is_empty()).then(|| blocks.join("\n\n"))
}

fn clean_block(inner: &str) -> String {
    let s = inner_para_re().replace_all(inner, " ");
    let s = squeeze(&s);
    s.trim_matches(|c: char| c == '-' || c == ':' || c.is_whitespace()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decl_dates() {
        assert_eq!(declassify_on("DECL: 01/05/2028", Some(2008)).as_deref(), Some("2028-01-05"));
        assert_eq!(declassify_on("DECL: 1/5/18", Some(2008)).as_deref(), Some("2018-01-05"));
        assert_eq!(declassify_on("DECL: 2020/01/28", Some(2010)).as_deref(), Some("2020-01-28"));
        assert_eq!(declassify_on("N/A", Some(2008)), None);
        assert_eq!(declassify_on("DECL: DECLASSIFIED BY NARA 09/02/2009", Some(1966)), None);
        assert_eq!(declassify_on("DECL: OADR", Some(1990)), None);
    }

    #[test]
    fn reason_forms() {
        assert_eq!(reasons("1.4 (b) and (d)"), vec!["1.4(b)", "1.4(d)"]);
        assert_eq!(reasons("REASONS 1.4 (B) AND (D)"), vec!["1.4(b)", "1.4(d)"]);
        assert_eq!(reasons("1.4(B/D)."), vec!["1.4(b)", "1.4(d)"]);
        assert_eq!(reasons("1.5 (b,d)"), vec!["1.5(b)", "1.5(d)"]);
        assert_eq!(reasons("Reason: 1.5 (d)"), vec!["1.5(d)"]);
    }

    #[test]
    fn officers() {
        assert_eq!(classified_by("Ambassador Clifford Sobel. Reason: 1.5 (d)"), vec!["Clifford Sobel"]);
        assert_eq!(classified_by("DEPUTY CHIEF OF MISSION JOHN KOENIG FOR REASONS 1.4 (B) AND (D)"), vec!["JOHN KOENIG"]);
        assert_eq!(
            classified_by("Kathleen Allegrone, Political Minister-Counselor, 1.4 (b /d)."),
            vec!["Kathleen Allegrone"]
        );
        assert_eq!(classified_by("POLITICAL MINISTER-COUNSELOR LESLIE A. BASSETT, REASONS: 1.4(B/D)."), vec!["LESLIE A. BASSETT"]);
    }

    #[test]
    fn tag_tokens() {
        assert_eq!(tags("PREL, PGOV OVIP (RICE, CONDOLEEZZA) PREL SIPDIS"), vec!["PREL", "PGOV", "OVIP", "RICE", "CONDOLEEZZA"]);
    }

    #[test]
    fn subjects() {
        assert_eq!(subject("(C) IAEA/SYRIA:\nCONCERN"), (Some("IAEA/SYRIA: CONCERN".into()), Some("C".into())));
        assert_eq!(subject("FROM BRAZIL (S)"), (Some("FROM BRAZIL".into()), Some("S".into())));
    }

    #[test]
    fn summary_and_comment() {
        let t = "1. (C) Summary: The visit went well.\n2. (C) More. End summary.\n3. (C) Comment: We doubt it. End comment.";
        assert_eq!(summary(t).as_deref(), Some("The visit went well. More."));
        assert_eq!(comment(t).as_deref(), Some("We doubt it."));
    }
}
