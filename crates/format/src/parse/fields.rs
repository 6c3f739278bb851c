//! Extractors for single fields: E.O./DECL, Classified By and reasons, TAGS,
//! SUBJECT, summary and comment blocks.

use super::preamble::join_lines;
use super::text::squeeze;
use crate::marking::{read_mark, MarkReading};

re!(
    decl_date_re,
    r"(?i)(?-u:\b)DECL(?:ASSIFY)?(?:\s+ON)?\s*[:.]?\s*(?:\(?\s*)?(\d{1,4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,4})(?-u:\b)"
);
re!(
    any_date_re,
    r"(?-u:\b)(\d{1,4})\s*[/\-]\s*(\d{1,2})\s*[/\-]\s*(\d{1,4})(?-u:\b)"
);

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
            match cable_year {
                // Without the cable's year, cablemap's reading: 20yy.
                None => 2000 + y_or_d,
                // The century that puts the date at or after the cable's year.
                Some(base) => {
                    let mut y = base / 100 * 100 + y_or_d;
                    if y < base && y + 100 - base <= 60 {
                        y += 100;
                    }
                    y
                }
            }
        };
        (y, a, b)
    };
    let date = jiff::civil::Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    Some(date.to_string())
}

re!(
    reasons_re,
    r"(?i)(?-u:\b)1\s?\.\s?([45])\s*[\s(]*((?:[a-h](?:\s*[),/&]|\s+and\s+|\s+or\s+|\s*\(|\s+|$)*)+)"
);

/// Classification reasons in a text: `1.4 (b) and (d)` → `["1.4(b)", "1.4(d)"]`.
pub fn reasons(text: &str) -> Vec<String> {
    let flat = squeeze(text);
    let mut out = Vec::new();
    for c in reasons_re().captures_iter(&flat) {
        let section = format!("1.{}", &c[1]);
        let letters = &c[2];
        // Standalone letters a-h: "(B/D)", "b and d", "(b,d)".
        let chars: Vec<char> = letters.chars().collect();
        for (i, ch) in chars.iter().enumerate() {
            let lone = (i == 0 || !chars[i - 1].is_alphanumeric())
                && chars.get(i + 1).is_none_or(|n| !n.is_alphanumeric());
            if lone && matches!(ch.to_ascii_lowercase(), 'a'..='h') {
                let r = format!("{section}({})", ch.to_ascii_lowercase());
                if !out.contains(&r) {
                    out.push(r);
                }
            }
        }
    }
    out
}

/// Titles, offices, ranks and other words that are never part of a classifying
/// officer's name (upper case, a digit zero read as the letter O).
const TITLE_WORDS: &[&str] = &[
    "AMBASSADOR",
    "AMBASSAOR",
    "AMBASASDOR",
    "ABASSADOR",
    "AMABASSADOR",
    "AMBASSADOT",
    "AMBASSADR",
    "AMBASSADRO",
    "AMBSSADOR",
    "AMBBASSADOR",
    "AMBSSADOR",
    "AMBASSADO",
    "AMBASSSADOR",
    "AMBASSODOR",
    "AMBASSADIOR",
    "AMBASADOR",
    "AMB",
    "AMBASSADOR-AT-LARGE",
    "AMBASSADOR-DESIGNATE",
    "ACTING",
    "DEPUTY",
    "CHIEF",
    "MISSION",
    "DCM",
    "CDA",
    "CHARGE",
    "CHARG",
    "CHARGE'",
    "AFFAIRES",
    "AFFAIRS",
    "AFFAIR",
    "AFAIRS",
    "AFFAIRES,",
    "A.I",
    "AI",
    "A.Y",
    "AI.",
    "POLITICAL",
    "ECONOMIC",
    "POL",
    "ECON",
    "POLMINCONS",
    "POLMINCOUNS",
    "ECONCOUNS",
    "POLCOUNS",
    "COUNS",
    "COUNSL",
    "ECMIN",
    "EMIN",
    "ECPO",
    "ECONOFF",
    "POLOFF",
    "POLECON",
    "POL-ECON",
    "ECOPOL",
    "POLMIL",
    "POL-MIL",
    "POLITICO-MILITARY",
    "COUNSELOR",
    "COUNSELLOR",
    "COUNSELOUR",
    "COUNSELR",
    "COUNCILOR",
    "COUNSEOR",
    "COUNSLEOR",
    "COUNSELOR,",
    "MINISTER",
    "MINISTER-COUNSELOR",
    "MINISTER-COUNSELLOR",
    "MCOUNSELOR",
    "M-C",
    "MC",
    "MIN",
    "COUN",
    "MINCOUNS",
    "CONSUL",
    "CONSUL-GENERAL",
    "GENERAL",
    "CONGEN",
    "CG",
    "DPO",
    "PO",
    "PRINCIPAL",
    "OFFICER",
    "OFFICE",
    "AIT",
    "DIRECTOR",
    "DIR",
    "DIRECOTR",
    "DIRECTORATE",
    "CHAIRMAN",
    "SECTION",
    "HEAD",
    "TEAM",
    "LEADER",
    "COORDINATOR",
    "SPECIAL",
    "ENVOY",
    "REPRESENTATIVE",
    "REPRESENATIVE",
    "REPRESENTIVE",
    "ADVISOR",
    "ADVISER",
    "ASSISTANT",
    "SECRETARY",
    "UNDER",
    "DAS",
    "PDAS",
    "PERMANENT",
    "ALTERNATE",
    "U.S",
    "US",
    "USEU",
    "USUN",
    "USNATO",
    "USDEL",
    "USOSCE",
    "DELEGATION",
    "DELEGATE",
    "MEMBER",
    "LEGAL",
    "ATTACHE",
    "ATTACH",
    "DEFENSE",
    "LEGATT",
    "RSO",
    "ARSO",
    "TDY",
    "IPO",
    "IO",
    "ISN",
    "NEA",
    "AF",
    "EUR",
    "WHA",
    "EAP",
    "SCA",
    "PRM",
    "AFR",
    "INR",
    "DRL",
    "PM",
    "INL",
    "OES",
    "ECA",
    "EEB",
    "CT",
    "PRA",
    "COM",
    "OFFICER,",
    "CONOFF",
    "MGMT",
    "MANAGEMENT",
    "PUBLIC",
    "PAO",
    "IRO",
    "REGIONAL",
    "SECURITY",
    "INTERAGENCY",
    "PROVINCIAL",
    "PRT",
    "ARMS",
    "CONTROL",
    "INSTITUTIONAL",
    "UNIT",
    "COMMERCIAL",
    "AGRICULTURAL",
    "ENVIRONMENT",
    "SCIENCE",
    "HEALTH",
    "ENERGY",
    "LABOR",
    "CULTURAL",
    "PRESS",
    "INFORMATION",
    "CONSULAR",
    "ADMINISTRATIVE",
    "ADMINISTRATOR",
    "EXECUTIVE",
    "SENIOR",
    "INTERIM",
    "EMBASSY",
    "CONSULATE",
    "MILITARY",
    "USAID",
    "NAS",
    "MISSION,",
    "DEPT",
    "DEPARTMENT",
    "STATE",
    "DIVISION",
    "BUREAU",
    "LTC",
    "COL",
    "LT",
    "MAJ",
    "CAPT",
    "CPT",
    "GEN",
    "CDR",
    "LCDR",
    "ADM",
    "RADM",
    "BG",
    "MG",
    "SGT",
    "MR",
    "MRS",
    "MS",
    "DR",
    "AMERICAN",
    "INSTITUTE",
    "TAIWAN",
    "EST&H",
    "ESTH",
    "PROGRAM",
    "PROGRAMS",
    "DEP",
    "ASST",
    "AMBASSADOR:",
    "CHARGE-D'AFFAIRES",
    "NONE",
    "CLASSIFIED",
    "CLASSIFICATION",
    "GUIDE",
    "LINE",
    "ADDED",
    "MESSAGE",
    "ENTIRE",
    "TEXT",
    "REASON",
    "REASONS",
    "PARA",
    "PARAGRAPH",
    "CABLE",
    "THIS",
    "BY",
    "TO",
    "OF",
    "FOR",
    "THE",
    "AND",
    "IN",
    "ON",
    "AT",
    "PER",
    "FROM",
    "WITH",
    "OR",
    "UNCLASSIFIED",
    "CONFIDENTIAL",
    "SECRET",
    "NOFORN",
    "SIPDIS",
    "SUMMARY",
    "PAGE",
    "DOS",
    "KIRKUK",
    "ECONOMIC/POLITICAL",
    "POLITICAL/ECONOMIC",
    "DELEGATE,",
];

/// Name suffixes that stay with the name (`THOMAS W. SIMONS, JR.`).
const NAME_SUFFIXES: &[&str] = &["JR", "SR", "II", "III", "IV"];

/// Lower-case words inside names (`Anna della Croce`).
const NAME_PARTICLES: &[&str] = &[
    "de", "del", "della", "di", "da", "van", "von", "der", "den", "du", "la", "le", "bin", "al",
    "dos", "das",
];

/// Lower-case words that never continue a name broken across lines.
const NOT_NAME_FRAGMENTS: &[&str] = &[
    "for",
    "reason",
    "reasons",
    "per",
    "under",
    "and",
    "based",
    "due",
    "of",
    "the",
    "acting",
    "a.i",
    "ai",
    "in",
    "on",
    "at",
    "to",
    "from",
    "with",
    "or",
    "e.o",
    "classified",
    "by",
];

re!(clby_keyword_re, r"(?i)(?-u:\b)class\w{0,4}e?d\s*by(?-u:\b)");
re!(
    clby_stop_re,
    r"(?i)(?-u:\b)fr\s+rea|(?-u:\b)per(?-u:\b)|(?-u:\b)under(?-u:\b)|(?-u:\b)based\s+up?on(?-u:\b)|(?-u:\b)due\s+to(?-u:\b)|reas[o0]n|(?-u:\b)re\s*asons(?-u:\b)|(?-u:\b)e\s?\.\s?o(?-u:\b)|(?-u:\b)eo\s+1|(?-u:\b)1\s?\.\s?[1-9](?-u:\b)|(?-u:\b)summary(?-u:\b)|\(\s*acting\s*\)|(?-u:\b)this\s+message(?-u:\b)|\n\s*\n|\n\s*1\.\s"
);
re!(clby_for_re, r"(?i)(?-u:\b)for(?-u:\b)");

fn norm_word(w: &str) -> String {
    let t = w.trim_matches(|c: char| matches!(c, ',' | ';' | ':' | '\'' | '\u{2019}' | '"'));
    let t = t.trim_end_matches('.');
    t.to_uppercase().replace('0', "O")
}

fn is_title(w: &str) -> bool {
    let n = norm_word(w);
    if n.is_empty() {
        return true;
    }
    if TITLE_WORDS.contains(&n.as_str()) {
        return true;
    }
    // Charge d'Affaires in its many spellings: d'Affaires, d,Affaires, de'Affairs, d'Afairs.
    let letters: String = n.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    if is_compound_title(&letters) {
        return true;
    }
    (letters.starts_with('D') && letters.contains("AF") && letters.contains("AIR"))
        || letters.starts_with("AFFAIR")
}

/// Run-together office abbreviations: `DepPolCouns`, `Econpol`, `PolMinCouns`.
fn is_compound_title(letters: &str) -> bool {
    const PIECES: &[&str] = &[
        "DEPUTY", "DEP", "POL", "ECON", "ECO", "COUNS", "COUN", "OFF", "MIN", "MIL", "MGMT",
        "CONS", "CHIEF", "AMB", "ACTING", "DIR", "PAO", "RSO", "ECPO", "POLMIL",
    ];
    fn walk(s: &str, parts: usize) -> bool {
        if s.is_empty() {
            return parts >= 2;
        }
        PIECES
            .iter()
            .any(|p| s.strip_prefix(p).is_some_and(|rest| walk(rest, parts + 1)))
    }
    letters.len() >= 5 && walk(letters, 0)
}

fn is_initial(w: &str) -> bool {
    // "F.", "W.S.", "D.C.", "A", "0." (a zero written for O).
    let t = w.trim_end_matches(',');
    let mut chars = t.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if !(first.is_uppercase() || first == '0') {
        return false;
    }
    let mut expect_dot = true;
    for c in chars {
        if expect_dot {
            if c != '.' {
                return false;
            }
            expect_dot = false;
        } else if c.is_uppercase() {
            expect_dot = true;
        } else {
            return false;
        }
    }
    true
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum NameTok {
    Name,
    Particle,
    Other,
}

fn classify_token(w: &str) -> NameTok {
    if w.starts_with('(') || w.ends_with(')') || w.starts_with('[') {
        return NameTok::Other;
    }
    let core = w.trim_matches(|c: char| matches!(c, ',' | ';' | ':' | '"'));
    if core.is_empty() {
        return NameTok::Other;
    }
    if NAME_PARTICLES.contains(&core) {
        return NameTok::Particle;
    }
    if is_title(core) {
        return NameTok::Other;
    }
    if is_initial(core) {
        return NameTok::Name;
    }
    let first = core.chars().next().unwrap_or(' ');
    let name_like = first.is_uppercase()
        && core
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '\'' | '\u{2019}' | '-' | '.' | '0'));
    if name_like && core.chars().filter(|c| c.is_alphabetic()).count() >= 1 {
        NameTok::Name
    } else {
        NameTok::Other
    }
}

/// Joins words that WikiLeaks' line wrapping broke (`Hoyt Y` / `ee` → `Hoyt Yee`).
fn join_broken_lines(text: &str) -> String {
    let mut out = String::new();
    for line in text.split('\n') {
        let t = line.trim();
        if out.is_empty() {
            out.push_str(t);
            continue;
        }
        if t.is_empty() {
            out.push(' ');
            continue;
        }
        let prev_tok = out.split_whitespace().last().unwrap_or("").to_string();
        let first_tok = t.split_whitespace().next().unwrap_or("");
        let first_core: String = first_tok
            .chars()
            .take_while(|c| c.is_alphabetic() || *c == '.')
            .collect();
        let prev_ends_word = out.ends_with(|c: char| c.is_alphabetic() || c == ' ')
            && prev_tok.chars().all(|c| c.is_alphabetic())
            && prev_tok.chars().next().is_some_and(|c| c.is_uppercase());
        let lower_fragment = first_tok
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase())
            && !NOT_NAME_FRAGMENTS.contains(&first_core.to_ascii_lowercase().trim_end_matches('.'));
        let single_cap = first_tok.len() == 1 && first_tok.chars().all(|c| c.is_ascii_uppercase());
        let glue_title = single_cap
            && prev_tok.len() >= 3
            && prev_tok.chars().all(|c| c.is_ascii_uppercase())
            && is_title(&format!("{prev_tok}{first_tok}"));
        if prev_ends_word && (lower_fragment || glue_title) {
            let trimmed = out.trim_end().len();
            out.truncate(trimmed);
            out.push_str(t);
        } else {
            out.push(' ');
            out.push_str(t);
        }
    }
    squeeze(&out)
}

/// Where the name part of a Classified By statement ends (reasons, sentence end).
fn clby_head(seg: &str) -> String {
    // The lower-cased copy keeps byte offsets: ASCII only changes.
    let mapped: String = seg
        .chars()
        .map(|c| {
            if c == '0' {
                'o'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    let mut end = seg.len();
    if let Some(m) = clby_stop_re().find(&mapped) {
        end = m.start();
    }
    for m in clby_for_re().find_iter(&seg[..end]) {
        let next = seg[m.end()..].split_whitespace().next();
        let stop = match next {
            None => true,
            Some(n) => {
                let l = n.to_ascii_lowercase();
                n.starts_with(|c: char| c.is_lowercase())
                    || ["rea", "purpose", "1.", "e.o", "eo", "section", "classif"]
                        .iter()
                        .any(|p| l.starts_with(p))
            }
        };
        if stop {
            end = m.start();
            break;
        }
    }
    let head = join_broken_lines(&seg[..end]);
    // A sentence ends after a name word with a full stop ("... MCDONALD. CONFIDENTIAL").
    let mut cut = head.len();
    let mut pos = 0usize;
    for tok in head.split(' ') {
        let tok_end = pos + tok.len();
        let t = tok.trim_end_matches([',', ';', ':']);
        if let Some(core) = t.strip_suffix('.') {
            let norm = norm_word(core);
            let is_sentence_end = core.chars().filter(|c| c.is_alphabetic()).count() >= 2
                && !core.contains(['.', '/'])
                && !NAME_SUFFIXES.contains(&norm.as_str())
                && classify_token(core) == NameTok::Name;
            if is_sentence_end {
                cut = tok_end;
                break;
            }
        }
        pos = tok_end + 1;
    }
    head[..cut.min(head.len())].to_string()
}

/// The name at the end of a piece of a statement ("Political Counselor F. Daniel Sainz").
fn name_in_piece(piece: &str) -> Option<String> {
    let mut toks: Vec<(String, NameTok)> = Vec::new();
    for w in piece.split_whitespace() {
        if let Some(slash) = w.rfind('/') {
            // "DCM/Ted" splits; office codes such as "POL/ECONOFF" or "AF/C" do not.
            let last = &w[slash + 1..];
            let mixed = last.chars().next().is_some_and(char::is_uppercase)
                && last.chars().any(char::is_lowercase);
            toks.push((w[..slash].to_string(), NameTok::Other));
            if mixed {
                toks.push((last.to_string(), classify_token(last)));
            } else if !last.is_empty() {
                toks.push((last.to_string(), NameTok::Other));
            }
            continue;
        }
        toks.push((w.to_string(), classify_token(w)));
    }
    // "AMBASSADOR TO SUDAN", "Director for Development": the word after TO, FOR or
    // OF belongs to the title.
    let mut i = 0;
    while i < toks.len() {
        if matches!(norm_word(&toks[i].0).as_str(), "TO" | "FOR" | "OF") {
            let mut j = i + 1;
            if toks.get(j).is_some_and(|t| norm_word(&t.0) == "THE") {
                j += 1;
            }
            if j < toks.len() {
                toks[j].1 = NameTok::Other;
            }
            i = j;
        }
        i += 1;
    }
    let kinds: Vec<NameTok> = toks.iter().map(|t| t.1).collect();
    let is_name = |k: usize| -> bool {
        match kinds[k] {
            NameTok::Name => true,
            NameTok::Particle => {
                k > 0 && kinds[k - 1] == NameTok::Name && kinds.get(k + 1) == Some(&NameTok::Name)
            }
            NameTok::Other => false,
        }
    };
    let mut end = toks.len();
    while end > 0 {
        if !is_name(end - 1) {
            end -= 1;
            continue;
        }
        let mut start = end;
        while start > 0 && is_name(start - 1) {
            start -= 1;
        }
        let run: Vec<&str> = toks[start..end].iter().map(|t| t.0.as_str()).collect();
        let substantial = run
            .iter()
            .any(|w| !is_initial(w) && w.chars().filter(|c| c.is_alphabetic()).count() >= 2);
        if substantial {
            let mut name = run.join(" ");
            name = name.trim_end_matches([',', ';', ':', '-']).to_string();
            let last_norm = norm_word(run.last().copied().unwrap_or(""));
            if name.ends_with('.')
                && !matches!(last_norm.as_str(), "JR" | "SR")
                && !is_initial(run.last().copied().unwrap_or(""))
            {
                name.pop();
            }
            return Some(name);
        }
        end = start;
    }
    None
}

fn names_in_segment(seg: &str) -> Vec<String> {
    let head = clby_head(seg);
    // Parts at commas, semicolons and colons; name suffixes rejoin their name.
    let mut parts: Vec<String> = Vec::new();
    for p in head.split([',', ';', ':']) {
        let t = p.trim();
        if t.is_empty() {
            continue;
        }
        let n = norm_word(t);
        if NAME_SUFFIXES.contains(&n.as_str()) {
            if let Some(prev) = parts.last_mut() {
                prev.push_str(", ");
                prev.push_str(t);
                continue;
            }
        }
        parts.push(t.to_string());
    }
    let mut names: Vec<String> = Vec::new();
    for part in &parts {
        let pieces: Vec<String> = {
            let mut v = vec![String::new()];
            for w in part.split_whitespace() {
                if w.eq_ignore_ascii_case("and") || w == "&" {
                    v.push(String::new());
                } else {
                    let last = v.last_mut().expect("non-empty");
                    if !last.is_empty() {
                        last.push(' ');
                    }
                    last.push_str(w);
                }
            }
            v
        };
        for (k, piece) in pieces.iter().enumerate() {
            // After the first name, only names joined by AND count ("..., ACTING AND S/CT DAS NAME").
            if !names.is_empty() && k == 0 {
                continue;
            }
            if let Some(n) = name_in_piece(piece) {
                if !names.contains(&n) {
                    names.push(n);
                }
            }
        }
    }
    names
}

/// Names of the classifying officers in a Classified By statement, titles removed,
/// spelling and case as written. The innermost of doubled labels counts
/// (`Classified By: Classified by DCM ...`); a statement naming no one (`SECTION
/// 1.5 (B) AND (D)`) gives nothing.
pub fn classified_by(text: &str) -> Vec<String> {
    let text = text.replace("\\n", " ");
    let mut bounds: Vec<(usize, usize)> = Vec::new();
    let mut seg_start = 0usize;
    for m in clby_keyword_re().find_iter(&text) {
        bounds.push((seg_start, m.start()));
        seg_start = m.end();
    }
    bounds.push((seg_start, text.len()));
    for &(s, e) in bounds.iter().rev() {
        let names = names_in_segment(&text[s..e]);
        if !names.is_empty() {
            return names;
        }
    }
    Vec::new()
}

/// Four-letter subject and program tags, for splitting glued tag runs.
const KNOWN_TAGS4: &[&str] = &[
    "AADP", "ABLD", "ABUD", "ACKM", "ACOA", "ADCO", "ADPM", "AEMR", "AFIN", "AFSI", "AFSN", "AGAO",
    "AINF", "AINR", "AINT", "ALOW", "AMED", "AMGT", "AMTC", "ANET", "AODE", "AOMS", "AORC", "APCS",
    "APER", "ASCH", "ASEC", "ASIG", "BBSR", "BEXP", "BMGT", "BTIO", "CASC", "CFED", "CJAN", "CLOK",
    "CMGT", "CPAS", "CVIS", "EAGR", "EAID", "EAIR", "ECIN", "ECON", "ECPS", "EFIN", "EFIS", "EIND",
    "EINT", "EINV", "ELAB", "ELTN", "EMIN", "ENRG", "EPET", "ETRD", "ETTC", "EWWT", "KAWC", "KBCT",
    "KBIO", "KBTR", "KBTS", "KCFE", "KCIP", "KCOR", "KCRM", "KDEM", "KDRG", "KFLO", "KFLU", "KFRD",
    "KGHG", "KGIC", "KGIT", "KHDP", "KHLS", "KHSA", "KICC", "KIDE", "KIPR", "KIRF", "KISL", "KJUS",
    "KMCA", "KMDR", "KMPI", "KNAR", "KNEI", "KNNP", "KNPP", "KOCI", "KOLY", "KOMC", "KPAL", "KPAO",
    "KPKO", "KPLS", "KPRP", "KPRV", "KRAD", "KREL", "KSAF", "KSCA", "KSEP", "KSTC", "KSTH", "KSUM",
    "KTEX", "KTFN", "KTIA", "KTIP", "KTLA", "KUNR", "KVIR", "KWAC", "KWBG", "KWMN", "MARR", "MASS",
    "MCAP", "MNUC", "MOPS", "ODIP", "OEXC", "OFDP", "OIIP", "OPDC", "OPRC", "OREP", "OSCI", "OTRA",
    "OVIP", "PARM", "PBTS", "PGOV", "PHSA", "PHUM", "PINR", "PINS", "PNAT", "PREF", "PREL", "PROP",
    "PTER", "SCUL", "SENV", "SMIG", "SNAR", "SOCI", "TBIO", "TINT", "TNGD", "TPHY", "TRGY", "TSPA",
    "TSPL",
];

/// Two-letter geographic tags, for splitting glued tag runs (`PHUMBA`, `VEPREL`).
const GEO_TAGS2: &[&str] = &[
    "AE", "AF", "AG", "AJ", "AL", "AM", "AR", "AS", "AU", "BA", "BF", "BG", "BH", "BK", "BL", "BM",
    "BO", "BR", "BU", "BY", "CA", "CB", "CD", "CE", "CG", "CH", "CI", "CO", "CR", "CS", "CT", "CU",
    "CY", "DA", "DJ", "DK", "DR", "EC", "EG", "EI", "EN", "ER", "ES", "ET", "EZ", "FI", "FJ", "FR",
    "GA", "GE", "GG", "GM", "GR", "GT", "GV", "GY", "HA", "HO", "HR", "HU", "IC", "ID", "IN", "IO",
    "IR", "IS", "IT", "IZ", "JA", "JM", "JO", "KE", "KG", "KN", "KS", "KU", "KV", "KZ", "LE", "LG",
    "LH", "LO", "LU", "LY", "MA", "MD", "MG", "MI", "MK", "ML", "MO", "MP", "MR", "MT", "MU", "MX",
    "MZ", "NG", "NI", "NL", "NO", "NP", "NS", "NU", "NZ", "PA", "PE", "PK", "PL", "PM", "PO", "QA",
    "RO", "RP", "RS", "RW", "SA", "SF", "SG", "SI", "SL", "SM", "SN", "SO", "SP", "SU", "SW", "SY",
    "SZ", "TH", "TO", "TS", "TU", "TW", "TX", "TZ", "UG", "UK", "UP", "UY", "UZ", "VE", "VM", "VT",
    "WI", "YM", "ZA", "ZI",
];

/// Multi-word tags that stay one tag, longest first.
const TAG_PHRASES: &[&str] = &[
    "ITALY NATIONAL ELECTIONS",
    "ISRAELI PALESTINIAN AFFAIRS",
    "POLITICS FOREIGN POLICY",
    "MEETINGS WITH AMBASSADOR",
    "MEDIA REACTION REPORT",
    "ECONOMY AND FINANCE",
    "TIP IN TURKEY",
    "HUMAN RIGHTS",
    "GOI EXTERNAL",
    "GAZA DISENGAGEMENT",
    "ECONOMIC AFFAIRS",
    "CONSULAR AFFAIRS",
    "GLOBAL DEFENSE",
    "IRAQI FREEDOM",
    "ITALIAN POLITICS",
    "DOMESTIC POLITICS",
    "NEW ZEALAND",
    "COUNTRY CLEARANCE",
    "FOREIGN POL",
];

/// Misspelt tags and their fixes (cablemap's list).
const TAG_FIXES: &[(&str, &str)] = &[("POGOV", "PGOV"), ("SYR", "SY"), ("UNDESCO", "UNESCO")];

fn is_tag_line_start(t: &str) -> bool {
    let up = t.trim_start().to_ascii_uppercase();
    [
        "SUBJ",
        "REF",
        "E.O",
        "EO ",
        "CLASSIFIED",
        "CLASSIFED",
        "TAGS",
        "DECL",
    ]
    .iter()
    .any(|k| up.starts_with(k))
}

/// The lines of a TAGS field: the first line, and the lines that continue it (after
/// a trailing comma, a line opening with `WORD,`, or a line of upper-case tags).
fn tag_field_lines(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for l in text.split('\n') {
        let t = l.trim();
        if out.is_empty() {
            if !t.is_empty() {
                out.push(t);
            }
            continue;
        }
        if t.is_empty() || is_tag_line_start(t) {
            break;
        }
        let prev_comma = out.last().is_some_and(|p| p.trim_end().ends_with(','));
        let first = t.split_whitespace().next().unwrap_or("");
        let word_comma = first.ends_with(',')
            && first.len() > 1
            && first[..first.len() - 1]
                .chars()
                .all(|c| c.is_alphanumeric());
        let all_caps_tags = t.chars().all(|c| {
            c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, ' ' | ',' | '-' | '(' | ')')
        }) && t
            .split_whitespace()
            .all(|w| w.trim_matches([',', '(', ')']).len() <= 12);
        if prev_comma || word_comma || all_caps_tags {
            out.push(t);
        } else {
            break;
        }
    }
    out
}

/// Splits a glued run of tags (`KFRDKIRFCVIS...EG`, `PHUMBA`) into known four-letter
/// tags and two-letter country codes; None unless the whole run splits and holds at
/// least one four-letter tag.
fn split_glued(tok: &str) -> Option<Vec<String>> {
    let b = tok.as_bytes();
    let n = b.len();
    if n < 6 || !b.iter().all(u8::is_ascii_uppercase) {
        return None;
    }
    // best[i]: (parts, four-letter count) for the prefix of length i.
    let mut prev: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    let mut fours = vec![0usize; n + 1];
    let mut ok = vec![false; n + 1];
    ok[0] = true;
    for i in 0..n {
        if !ok[i] {
            continue;
        }
        if i + 4 <= n
            && KNOWN_TAGS4.contains(&&tok[i..i + 4])
            && (!ok[i + 4] || fours[i + 4] < fours[i] + 1)
        {
            ok[i + 4] = true;
            prev[i + 4] = Some((i, 4));
            fours[i + 4] = fours[i] + 1;
        }
        if i + 2 <= n && GEO_TAGS2.contains(&&tok[i..i + 2]) && !ok[i + 2] {
            ok[i + 2] = true;
            prev[i + 2] = Some((i, 2));
            fours[i + 2] = fours[i];
        }
    }
    if !ok[n] || fours[n] == 0 {
        return None;
    }
    let mut parts = Vec::new();
    let mut at = n;
    while at > 0 {
        let (from, _) = prev[at]?;
        parts.push(tok[from..at].to_string());
        at = from;
    }
    parts.reverse();
    Some(parts)
}

/// Tags from a TAGS field: upper-case, in order, without duplicates; `SIPDIS`
/// dropped; person names split into separate tokens (`OVIP (RICE, CONDOLEEZZA)` →
/// OVIP, RICE, CONDOLEEZZA); known multi-word tags kept whole; glued runs split;
/// cablemap's spelling fixes applied.
pub fn tags(text: &str) -> Vec<String> {
    let text = text.replace("\\n", "\n");
    // The field's lines joined (a tag hyphenated across lines, `ZANU-` / `PF`, rejoins).
    let joined = join_lines(&tag_field_lines(&text).join("\n"));
    let mut words: Vec<String> = Vec::new();
    let line = joined.as_str();
    {
        // An inline next field ends the tags: "... AF, UK SUBJECT: ...".
        let up = line.to_ascii_uppercase();
        let mut end = line.len();
        for k in [
            " SUBJECT",
            " SUBJ:",
            " REF:",
            " REFS:",
            " CLASSIFIED BY",
            "SUBJECT:",
        ] {
            if let Some(p) = up.find(k) {
                end = end.min(p);
            }
        }
        for tok in
            line[..end].split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | ';'))
        {
            let t = tok.trim_matches(|c: char| matches!(c, ':' | '"' | '\'' | '-' | '[' | ']'));
            let mut up = t.to_uppercase();
            // Keep the full stop of an initial ("JAMES B."), drop other trailing stops.
            let is_initial =
                up.len() == 2 && up.ends_with('.') && up.as_bytes()[0].is_ascii_alphabetic();
            if !is_initial {
                up = up.trim_matches('.').to_string();
            }
            if up.is_empty() || !up.chars().any(|c| c.is_alphanumeric()) {
                continue;
            }
            if matches!(up.as_str(), "SIPDIS" | "TAGS" | "TAG" | "TAGS:") {
                continue;
            }
            if let Some((_, fix)) = TAG_FIXES.iter().find(|(w, _)| *w == up) {
                up = fix.to_string();
            }
            if up == "RIGHTSPOLMIL" {
                // "HUMAN RIGHTSPOLMIL" (04PANAMA586).
                words.extend(["RIGHTS", "POL", "MIL"].map(String::from));
                continue;
            }
            if let Some(parts) = split_glued(&up) {
                words.extend(parts);
                continue;
            }
            words.push(up);
        }
    }
    let mut out: Vec<String> = Vec::new();
    let push = |t: String, out: &mut Vec<String>| {
        if !out.contains(&t) {
            out.push(t);
        }
    };
    let mut i = 0;
    while i < words.len() {
        // Word by word: no word holds a space, so this is `join(" ") == p`
        // without building the joined string for every word and phrase.
        let phrase = TAG_PHRASES.iter().find(|p| {
            // The phrase's first word is this word (without splitting the phrase).
            let w = words[i].as_str();
            if !(p.starts_with(w) && p.as_bytes().get(w.len()).is_none_or(|&b| b == b' ')) {
                return false;
            }
            let n = p.split(' ').count();
            i + n <= words.len() && p.split(' ').eq(words[i..i + n].iter().map(String::as_str))
        });
        if let Some(p) = phrase {
            push(p.to_string(), &mut out);
            i += p.split(' ').count();
            continue;
        }
        let w = words[i].clone();
        push(w.clone(), &mut out);
        // cablemap's person tag for the Deputy Secretary: STEINBERG, JAMES B.
        if w == "JAMES"
            && i > 0
            && words[i - 1] == "STEINBERG"
            && words.get(i + 1).is_none_or(|n| n != "B." && n != "B")
        {
            push("B.".into(), &mut out);
        }
        i += 1;
    }
    out
}

re!(html_entity_re, r"&#(\d{2,6});|&(amp|quot|lt|gt|apos);");
re!(
    subject_stop_re,
    r"(?i)\n[ \t]*\n|\s+REF\(S\)|(?-u:\b)REFS?\s*:|\n\s*REFS?\s+\(?[A-Z1-9][.)]|(?-u:\b)classified\s+by(?-u:\b)|\n\s*[1-9]\.?\s+\(|\n\s*[1-9]\.\s|\n\s*1\.?\s*summary|(?-u:\b)This is an Action Req"
);
re!(
    subject_stop_cs_re,
    r"(?-u:\b)\d{5,}\s+\d{3}(?:\.\d)?\s+OF(?-u:\b)|-{4,}|(?:^|\s)PAGE\s+\d+"
);

re!(hyphen_wrap_re, r"([A-Za-z])-[ \t]*\n[ \t]*");

/// Where the station of a section break that ends at `end` starts: the last one to
/// three words before it that name a known post (`THE HAGUE`), else the last word.
fn break_station_start(text: &str, end: usize) -> usize {
    let before = text[..end].trim_end();
    let starts: Vec<usize> = before
        .char_indices()
        .filter(|&(i, c)| {
            !c.is_whitespace() && (i == 0 || before[..i].ends_with(char::is_whitespace))
        })
        .map(|(i, _)| i)
        .collect();
    for k in (1..=3).rev() {
        if let Some(&at) = starts.len().checked_sub(k).and_then(|i| starts.get(i)) {
            let words = &before[at..];
            let code = crate::station::canonical_station(&crate::station::squash(words));
            if crate::station::is_known_station(&code) {
                return at;
            }
        }
    }
    match starts.last() {
        Some(&at) if before[at..].bytes().all(|b| b.is_ascii_uppercase()) => at,
        _ => end,
    }
}
re!(lead_mark_subject_re, r"^\(([^)]{1,64})\)\s*");
re!(trail_mark_subject_re, r"\s\(([A-Z/ ,\-]{1,64})\)$");

fn decode_entities(s: &str) -> String {
    html_entity_re()
        .replace_all(s, |c: &regex::Captures| {
            if let Some(n) = c.get(1) {
                n.as_str()
                    .parse::<u32>()
                    .ok()
                    .and_then(char::from_u32)
                    .map(String::from)
                    .unwrap_or_default()
            } else {
                match &c[2] {
                    "amp" => "&",
                    "quot" => "\"",
                    "lt" => "<",
                    "gt" => ">",
                    _ => "'",
                }
                .to_string()
            }
        })
        .into_owned()
}

/// The subject text with its portion mark split off (`(C) TEXT` or `TEXT (C)`; the
/// mark normalised, `S/NF`).
pub fn subject(text: &str) -> (Option<String>, Option<String>) {
    let text = text.replace("\\n", " ");
    // A subject wrapped after a hyphen (`US-` / `INDIA NUCLEAR DEAL`) rejoins.
    let text = hyphen_wrap_re().replace_all(&text, "$1-");
    let body = text.trim_start().trim_start_matches(':').trim_start();
    let mut end = body.len();
    if let Some(m) = subject_stop_re().find(body) {
        end = end.min(m.start());
    }
    if let Some(m) = subject_stop_cs_re().find(body) {
        let start = if m.as_str().starts_with(|c: char| c.is_ascii_digit()) {
            // A section break: cut before its station too.
            break_station_start(body, m.start())
        } else {
            m.start()
        };
        end = end.min(start);
    }
    let s = squeeze(&decode_entities(&body[..end]));
    let s = s.trim_end_matches(['\\']).trim();
    if s.is_empty() {
        return (None, None);
    }
    let mut subject = s.to_string();
    let mut mark = None;
    if let Some(c) = lead_mark_subject_re().captures(&subject) {
        match read_mark(&c[1]) {
            MarkReading::Known(m) => {
                mark = Some(m.to_string());
                subject = subject[c.get(0).expect("match").end()..].trim().to_string();
            }
            // Kept as written, so that the subject is judged by the rule for
            // unreadable marks (never below what the mark shows), not as unmarked.
            MarkReading::Unknown(_) => {
                mark = Some(c[1].trim().to_string());
                subject = subject[c.get(0).expect("match").end()..].trim().to_string();
            }
            MarkReading::NotAMark => {}
        }
    }
    if let Some(c) = trail_mark_subject_re().captures(&subject) {
        if let MarkReading::Known(m) = read_mark(&c[1]) {
            if mark.is_none() {
                mark = Some(m.to_string());
            }
            let cut = c.get(0).expect("match").start();
            subject = subject[..cut].trim().to_string();
        }
    }
    // A trailing archive number: "... WITH GOL [8466936]".
    if let Some(open) = subject.rfind(" [") {
        let inner = &subject[open + 2..];
        if inner.ends_with(']') && inner[..inner.len() - 1].chars().all(|c| c.is_ascii_digit()) {
            subject.truncate(open);
        }
    }
    let subject = subject.trim().to_string();
    ((!subject.is_empty()).then_some(subject), mark)
}

re!(
    summary_open_re,
    r"(?i)(?:^|[\s(\-])(?:begin\s+)?summ?a?ry(?:\s+(?:and|&)\s+(?:comment|introduction|action\s+request|background|action\s+requested)|\s*/\s*comment)?\s*(?::|\.|-+|=+|\n|$)"
);
re!(
    summary_end_re,
    r"(?i)(?-u:\b)end\s+(?:of\s+)?summ?a?ry(?:\s*/\s*comment)?(?-u:\b)[.:\-]?"
);
// Without an END SUMMARY: a summary heading at a line start, running to a blank line or a rule.
re!(
    summary_line_open_re,
    r"(?im)^[ \t\-]*(?:\(\s*[A-Z/]{1,10}\s*\)\s*)?summ?a?ry(?:\s+(?:and|&)\s+(?:comment|introduction|action\s+request))?[ \t\-]*(?::|\.|\s)"
);
re!(
    summary_block_end_re,
    r"\n[ \t]*\n|\n[ \t]*[-\u{2010}\u{2013}]{3,}|\s-{3,}[ \t]*[A-Za-z][^\n\-]{0,60}?-{3,}"
);
re!(
    summary_lead_re,
    r"(?i)^\s*(?:\d{1,3}\s*\.\s*)?(?:\(\s*[A-Za-z/ ]{1,12}\)\s*)?(?:summ?a?ry(?:\s*/\s*comment)?\s*(?:[:.\-]|=+)\s*)?(?:\(\s*[A-Za-z/ ]{1,12}\)\s*)?"
);
re!(
    comment_open_re,
    r"(?i)(?:^|[\s(\-])comments?\s*(?::|\.\s|-+\s)"
);
re!(
    comment_end_re,
    r"(?i)(?-u:\b)end\s+(?:of\s+)?comments?(?-u:\b)[.:)]?"
);
re!(
    inner_para_re,
    r"(?m)^\s*\d{1,3}\s*\.\s*(?:\([A-Za-z/ ]{1,12}\))?\s*"
);
re!(
    rule_run_re,
    r"[-\u{2010}\u{2011}\u{2012}\u{2013}\u{2014}_=]{3,}"
);

// Cheap tests before the block searches: the word in any case. A case-insensitive
// literal compiles to a SIMD search over its case variants, where a scan for the
// first letter (`s`, `c`) stopped at nearly every word of English prose.
re!(summ_word_re, r"(?i-u)summ");
re!(comment_word_re, r"(?i-u)comment");

/// The summary block of a body text: from the nearest Summary heading (or the
/// start) to END SUMMARY; without an END marker, a Summary paragraph up to a blank
/// line or a rule. Paragraph numbers, portion marks and rules are removed.
pub fn summary(text: &str) -> Option<String> {
    // Cheap test first: no "summ" (any case), no summary.
    if !summ_word_re().is_match(text) {
        return None;
    }
    let text: std::borrow::Cow<'_, str> = if text.contains("\\n") {
        text.replace("\\n", "\n").into()
    } else {
        text.into()
    };
    if let Some(end) = summary_end_re().find(&text) {
        let before = &text[..end.start()];
        let open = summary_open_re().find_iter(before).last();
        let start = open.map(|m| m.end()).unwrap_or(0);
        let s = clean_summary(&before[start..]);
        if !s.is_empty() {
            return Some(s);
        }
    }
    let open = summary_line_open_re().find(&text)?;
    let rest = &text[open.end()..];
    // The heading may stand alone above its text ("SUMMARY\n-------\n\ntext").
    let lead = rest.len()
        - rest
            .trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, '-' | '\u{2010}' | ':' | '.')
            })
            .len();
    let rest = &rest[lead..];
    let stop = summary_block_end_re()
        .find(rest)
        .map(|m| m.start())
        .unwrap_or(rest.len());
    let s = clean_summary(&rest[..stop]);
    (!s.is_empty()).then_some(s)
}

fn clean_summary(inner: &str) -> String {
    let s = rule_run_re().replace_all(inner, " ");
    let s = clean_block(&s);
    // "1. (C) Summary: (SBU) text": a second heading or a mark after the heading.
    let lead = summary_lead_re().find(&s).map(|m| m.end()).unwrap_or(0);
    let s = if lead > 0 && lead < s.len() {
        s[lead..].to_string()
    } else {
        s
    };
    s.trim_matches(|c: char| c == ':' || c.is_whitespace())
        .to_string()
}

/// A summary that runs on into the text stops at an inline `--- Heading ---`.
pub fn cut_at_inline_heading(s: &str) -> &str {
    match summary_block_end_re().find(s) {
        Some(m) if m.as_str().trim_start().starts_with("---") => s[..m.start()].trim_end(),
        _ => s,
    }
}

/// Comment blocks of a body text, joined.
pub fn comment(text: &str) -> Option<String> {
    if !comment_word_re().is_match(text) {
        return None;
    }
    let mut blocks = Vec::new();
    let mut pos = 0;
    while let Some(open) = find_comment_open(text, pos) {
        // "End comment." is a closer, not an opener.
        // Only the few characters before the opener matter: never copy the text.
        let mut from = open.start().saturating_sub(12);
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        let before = text[from..open.start()].trim_end().to_ascii_lowercase();
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

/// `comment_open_re().find_at(text, pos)`, with the pattern's automaton started
/// near the first "comment" (any case) at or after `pos` rather than at `pos`: a
/// match holds the word one character (at most four bytes) after its start, and
/// no other character folds to the letters of "comment", so no match can start
/// earlier.
fn find_comment_open(text: &str, pos: usize) -> Option<regex::Match<'_>> {
    let h = &text.as_bytes()[pos..];
    let first = memchr::memchr2_iter(b'c', b'C', h).find(|&i| {
        h.get(i + 1..i + 7)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"omment"))
    })?;
    let mut from = (pos + first).saturating_sub(4).max(pos);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    comment_open_re().find_at(text, from)
}

fn clean_block(inner: &str) -> String {
    let s = inner_para_re().replace_all(inner, " ");
    let s = squeeze(&s);
    s.trim_matches(|c: char| c == '-' || c == ':' || c.is_whitespace())
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The jump to the first "comment" finds what the pattern finds from `pos`.
        #[test]
        fn comment_opener_search_agrees_with_the_pattern(
            parts in proptest::collection::vec(
                "(comment|COMMENTS|Comment|comm|c|\\(|-|:|\\.|[ ]|\u{3000}|\u{2003}|é|x|\n)", 0..40),
            at in 0usize..200,
        ) {
            let text: String = parts.concat();
            let mut pos = at.min(text.len());
            while !text.is_char_boundary(pos) {
                pos -= 1;
            }
            let want = comment_open_re().find_at(&text, pos).map(|m| m.range());
            proptest::prop_assert_eq!(find_comment_open(&text, pos).map(|m| m.range()), want);
        }
    }

    #[test]
    fn decl_dates() {
        assert_eq!(
            declassify_on("DECL: 01/05/2028", Some(2008)).as_deref(),
            Some("2028-01-05")
        );
        assert_eq!(
            declassify_on("DECL: 1/5/18", Some(2008)).as_deref(),
            Some("2018-01-05")
        );
        assert_eq!(
            declassify_on("DECL: 2020/01/28", Some(2010)).as_deref(),
            Some("2020-01-28")
        );
        assert_eq!(declassify_on("N/A", Some(2008)), None);
        assert_eq!(
            declassify_on("DECL: DECLASSIFIED BY NARA 09/02/2009", Some(1966)),
            None
        );
        assert_eq!(declassify_on("DECL: OADR", Some(1990)), None);
    }

    #[test]
    fn decl_dates_cablemap_forms() {
        assert_eq!(
            declassify_on("decl: 7/4/11", None).as_deref(),
            Some("2011-07-04")
        );
        assert_eq!(
            declassify_on("DECL:  2/9/2021", None).as_deref(),
            Some("2021-02-09")
        );
        assert_eq!(
            declassify_on("DECL: 09/15/2031 TAGS: PREL", None).as_deref(),
            Some("2031-09-15")
        );
        assert_eq!(
            declassify_on("DECL: 2022/03/04", None).as_deref(),
            Some("2022-03-04")
        );
        assert_eq!(declassify_on("n/a", None), None);
        assert_eq!(declassify_on("DECL: after the islands reunite", None), None);
        // Two-digit years: 20yy without the cable's year, else at or after it.
        assert_eq!(
            declassify_on("DECL: 12/31/98", None).as_deref(),
            Some("2098-12-31")
        );
        assert_eq!(
            declassify_on("DECL: 12/31/98", Some(1993)).as_deref(),
            Some("1998-12-31")
        );
        assert_eq!(
            declassify_on("DECL: 3/1/04", Some(1999)).as_deref(),
            Some("2004-03-01")
        );
    }

    #[test]
    fn reason_forms() {
        assert_eq!(reasons("1.4 (b) and (d)"), vec!["1.4(b)", "1.4(d)"]);
        assert_eq!(reasons("REASONS 1.4 (B) AND (D)"), vec!["1.4(b)", "1.4(d)"]);
        assert_eq!(reasons("1.4(B/D)."), vec!["1.4(b)", "1.4(d)"]);
        assert_eq!(reasons("1.5 (b,d)"), vec!["1.5(b)", "1.5(d)"]);
        assert_eq!(reasons("Reason: 1.5 (d)"), vec!["1.5(d)"]);
        assert_eq!(reasons("reasons 1.4 (B),(D)"), vec!["1.4(b)", "1.4(d)"]);
        assert_eq!(reasons("reasons 1.4 b and d"), vec!["1.4(b)", "1.4(d)"]);
        assert_eq!(reasons("reasons 1.4 (b&d)"), vec!["1.4(b)", "1.4(d)"]);
        assert_eq!(
            reasons("for reasons 1.4 (\nB) AND (D)"),
            vec!["1.4(b)", "1.4(d)"]
        );
    }

    #[test]
    fn officers() {
        assert_eq!(
            classified_by("Ambassador Clifford Sobel. Reason: 1.5 (d)"),
            vec!["Clifford Sobel"]
        );
        assert_eq!(
            classified_by("DEPUTY CHIEF OF MISSION JOHN KOENIG FOR REASONS 1.4 (B) AND (D)"),
            vec!["JOHN KOENIG"]
        );
        assert_eq!(
            classified_by("Kathleen Allegrone, Political Minister-Counselor, 1.4 (b /d)."),
            vec!["Kathleen Allegrone"]
        );
        assert_eq!(
            classified_by("POLITICAL MINISTER-COUNSELOR LESLIE A. BASSETT, REASONS: 1.4(B/D)."),
            vec!["LESLIE A. BASSETT"]
        );
    }

    fn cb(t: &str) -> Vec<String> {
        classified_by(t)
    }

    #[test]
    fn officers_titles_before_names() {
        assert_eq!(
            cb(": Acting Deputy Chief of Mission Ada Quill for Reasons 1.4"),
            vec!["Ada Quill"]
        );
        assert_eq!(
            cb(": Economic Counselor R. Tobias Venn for reasons 1.4 (b)"),
            vec!["R. Tobias Venn"]
        );
        assert_eq!(cb(" DCM\nMARTIN OSGOOD - 1.5 B,D."), vec!["MARTIN OSGOOD"]);
        assert_eq!(
            cb(" AF/C - ELLA MAE DORSET, REASON 1.4"),
            vec!["ELLA MAE DORSET"]
        );
        assert_eq!(
            cb(" AMBASSADOR TO ERITREA PAUL NADLER."),
            vec!["PAUL NADLER"]
        );
        assert_eq!(
            cb(" CHARGE D'AFFAIRES HOLLIS\nGRANT: 1.5 B, D."),
            vec!["HOLLIS GRANT"]
        );
        assert_eq!(
            cb(" POL/ECONOFF. R.T. WEMBLY.  REASON 1.5"),
            vec!["R.T. WEMBLY"]
        );
        assert_eq!(
            cb(": A/DCM K.L. McTavish, reason para 1.4 (b)"),
            vec!["K.L. McTavish"]
        );
        assert_eq!(
            cb(": Pol/Econ Officer Maria Lund Bo for reasons 1.4"),
            vec!["Maria Lund Bo"]
        );
        assert_eq!(
            cb(": CHARGE D\\'AFFAIRES PETER HALE FOR REASONS 1.4"),
            vec!["PETER HALE"]
        );
        assert_eq!(cb(": (U) CDA Nora Pike; E.O. 12958 1.4"), vec!["Nora Pike"]);
        assert_eq!(
            cb(": ACTING DEPUTY PRINCIPAL OFFICER SIMON FARLEY.  REA \nSONS 1.4"),
            vec!["SIMON FARLEY"]
        );
        assert_eq!(
            cb(": DEFENSE ATTACHE LTC OWEN PRICE FOR REASONS 1.4"),
            vec!["OWEN PRICE"]
        );
        assert_eq!(
            cb(": U.S. PERMANENT REPRESENATIVE AMBASSADOR JANE DOLE \nFOR REASONS"),
            vec!["JANE DOLE"]
        );
        assert_eq!(
            cb(": Charge d'Afairs (AI) Ivo Brandt for Reasons 1.4"),
            vec!["Ivo Brandt"]
        );
        assert_eq!(
            cb(": PRM/AFR Dir. Lena Soto-reasons 1.4(b/d)"),
            vec!["Lena Soto"]
        );
        assert_eq!(
            cb(": Acting Pol/Econ Counselor:Hugo Marsh, 1.4"),
            vec!["Hugo Marsh"]
        );
        assert_eq!(
            cb(": DOS CLASSIFICATION GUIDE BY IRA KELLS"),
            vec!["IRA KELLS"]
        );
        assert_eq!(
            cb(": DCM J. Ray Loft (acting) for reasons 1.4"),
            vec!["J. Ray Loft"]
        );
        assert_eq!(
            cb(": AMBASSADOR ALAN P. WREN II FR REASONS 1.4"),
            vec!["ALAN P. WREN II"]
        );
        assert_eq!(
            cb(": Charge d'Affaires a.i. Carl T. Boyd under Section 1.4"),
            vec!["Carl T. Boyd"]
        );
        assert_eq!(
            cb(": Acting DCM/Tom Rusk for reasons 1.4"),
            vec!["Tom Rusk"]
        );
        assert_eq!(cb(": AMB:TBRANSON, Reasons 1.4"), vec!["TBRANSON"]);
        assert_eq!(cb(": EUR/PRA, Dir. BHalvers, Reason 1.4"), vec!["BHalvers"]);
        assert_eq!(cb(" AMBASSAD0R W0LCOTT.  REAS0N: 1.5"), vec!["W0LCOTT"]);
        assert_eq!(cb(": CDA Ruth Oakes a.y., Sea3on: 1x4"), vec!["Ruth Oakes"]);
        assert_eq!(cb(": CDA: Vic Adler for reQ#8$"), vec!["Vic Adler"]);
        assert_eq!(cb(": Charge' Amy Nolte for Reasons 1.4"), vec!["Amy Nolte"]);
        assert_eq!(cb(": Glenn R. Pratt \n \nSUMMARY"), vec!["Glenn R. Pratt"]);
        assert_eq!(
            cb(": AMBASSADOR DAVE MOSS. \n CONFIDENTIAL \n\nPAGE 02 LUSAKA 01234"),
            vec!["DAVE MOSS"]
        );
        assert_eq!(
            cb(": ISN ? LUCY B. HARTE, ACTING \nASSISTANT SECRETARY, 1.4"),
            vec!["LUCY B. HARTE"]
        );
    }

    #[test]
    fn officers_names_before_titles() {
        assert_eq!(
            cb(": Tessa M. Varga, Assistant Secretary, VCI, reasons 1.4"),
            vec!["Tessa M. Varga"]
        );
        assert_eq!(
            cb(": Orwell Dean, Ambassador; REASON 1.4"),
            vec!["Orwell Dean"]
        );
        assert_eq!(
            cb(":\nGERALD P.K. SWAN, AMBASSADOR. REASON 1.5"),
            vec!["GERALD P.K. SWAN"]
        );
        assert_eq!(
            cb(": HENRY W. BALE, JR., AMBASSADOR. REASON"),
            vec!["HENRY W. BALE, JR."]
        );
        assert_eq!(
            cb(": Ambassador Paul L. Drake, III. \nReasons 1.4"),
            vec!["Paul L. Drake, III"]
        );
        assert_eq!(cb(": LEE 0. FORTUNE, DIRECTOR"), vec!["LEE 0. FORTUNE"]);
        assert_eq!(
            cb(": Charge d'Affaires, a.i., Ramon L. Ortiz \n \n1.(C) Summary:"),
            vec!["Ramon L. Ortiz"]
        );
    }

    #[test]
    fn officers_broken_words_doubled_labels_and_two_names() {
        assert_eq!(cb(": DCM Tomas Y \nee for reasons 1.4"), vec!["Tomas Yee"]);
        assert_eq!(
            cb(": Classified by Deputy Political Counselor Victor N. Ros \ns, E.O. 12958"),
            vec!["Victor N. Ross"]
        );
        assert_eq!(
            cb(": Ambassador Lauri \nnda Kemp for reasons"),
            vec!["Laurinda Kemp"]
        );
        assert_eq!(
            cb(": Deputy Director Helga \n A Brun for reasons"),
            vec!["Helga A Brun"]
        );
        assert_eq!(cb(": (C) CLASSIFIED BY MINISTER COUNSELOR FOR ECONOMIC AFFAIR \nS GORDON LYNN; REASON 1.4"), vec!["GORDON LYNN"]);
        assert_eq!(cb(":  Minister Counselor for Economic and \nPolitical Affairs Ivan K. Ruiz for reasons 1.4"), vec!["Ivan K. Ruiz"]);
        assert_eq!(
            cb(" LINE ADDED 1/1/01. CLASSIFIED BY DCM TWARDEN PER 1.5"),
            vec!["TWARDEN"]
        );
        assert_eq!(
            cb(": Classified By: Ambbassador Rolf Kerr, reasons 1.4"),
            vec!["Rolf Kerr"]
        );
        assert_eq!(
            cb(": Classified by Ambassadior Hans T.Berger.  Reasons: 1. \n4"),
            vec!["Hans T.Berger"]
        );
        assert_eq!(cb(" SECTION 1.5 (B) AND (D)"), Vec::<String>::new());
        assert_eq!(
            cb(" AF MARK OLSEN, ACTING AND S/CT DAS JUNE PRATER ; E.O. 12958"),
            vec!["MARK OLSEN", "JUNE PRATER"]
        );
        assert_eq!(
            cb(": Ambassador Nils Ek and DCM Ana della Rosa, reasons 1.4"),
            vec!["Nils Ek", "Ana della Rosa"]
        );
    }

    #[test]
    fn tag_tokens() {
        assert_eq!(
            tags("PREL, PGOV OVIP (RICE, CONDOLEEZZA) PREL SIPDIS"),
            vec!["PREL", "PGOV", "OVIP", "RICE", "CONDOLEEZZA"]
        );
    }

    fn tg(t: &str) -> Vec<String> {
        tags(t)
    }

    #[test]
    fn tag_continuation_lines() {
        assert_eq!(tg(" anything\nthere"), vec!["ANYTHING"]);
        assert_eq!(tg(" anything, \nthere"), vec!["ANYTHING", "THERE"]);
        assert_eq!(tg(": anything,\nthere\n"), vec!["ANYTHING", "THERE"]);
        assert_eq!(
            tg(": PREL PGOV KPAO\nECON, PHUM, FR, UK "),
            vec!["PREL", "PGOV", "KPAO", "ECON", "PHUM", "FR", "UK"]
        );
        assert_eq!(
            tg(": OVIP PREL\nNATO, GM, FR\n"),
            vec!["OVIP", "PREL", "NATO", "GM", "FR"]
        );
        assert_eq!(
            tg(": ECON PREL SP\nEINV\n"),
            vec!["ECON", "PREL", "SP", "EINV"]
        );
        assert_eq!(
            tg(": PGOV KU COUNTRY\nCLEARANCE"),
            vec!["PGOV", "KU", "COUNTRY CLEARANCE"]
        );
        assert_eq!(tg(": PGOV PREL\nThe minister said"), vec!["PGOV", "PREL"]);
        assert_eq!(
            tg(": PGOV, PREL, UK SUBJECT: NEW FACES"),
            vec!["PGOV", "PREL", "UK"]
        );
        assert_eq!(
            tg(": ovip (harlan, jane q.), prel, econ,\netra, ch\n"),
            vec!["OVIP", "HARLAN", "JANE", "Q.", "PREL", "ECON", "ETRA", "CH"]
        );
    }

    #[test]
    fn tag_fixes_phrases_and_glued_runs() {
        assert_eq!(
            tg(" PTER MARR, MOPPS, POGOV"),
            vec!["PTER", "MARR", "MOPPS", "PGOV"]
        );
        assert_eq!(
            tg(": PREL SCUL CS UNDESCO SYR"),
            vec!["PREL", "SCUL", "CS", "UNESCO", "SY"]
        );
        // cablemap writes COUNTERTERRORISM; WikiLeaks' published lists keep the two words.
        assert_eq!(
            tg(": PREL YM COUNTER TERRORISM"),
            vec!["PREL", "YM", "COUNTER", "TERRORISM"]
        );
        assert_eq!(
            tg(" PHUM, OPRC, OPRC, FR, FRPHUM, FRPHUM, HUMAN RIGHTS"),
            vec!["PHUM", "OPRC", "FR", "HUMAN RIGHTS"]
        );
        assert_eq!(tg(": KCRM ASEC PHUMJO"), vec!["KCRM", "ASEC", "PHUM", "JO"]);
        assert_eq!(tg(": KFRDCVISASECEG"), vec!["KFRD", "CVIS", "ASEC", "EG"]);
        assert_eq!(
            tg(": PGOV PREL SNARMNUC KNNPMASS"),
            vec!["PGOV", "PREL", "SNAR", "MNUC", "KNNP", "MASS"]
        );
        assert_eq!(
            tg(": PREL LABOR UNESCO COUNTERTERRORISM"),
            vec!["PREL", "LABOR", "UNESCO", "COUNTERTERRORISM"]
        );
        assert_eq!(
            tg(": MARR PM HUMAN RIGHTSPOLMIL"),
            vec!["MARR", "PM", "HUMAN RIGHTS", "POL", "MIL"]
        );
        assert_eq!(
            tg(": ECON PM ECONOMIC AFFAIRS IRAQI FREEDOM NEW ZEALAND"),
            vec![
                "ECON",
                "PM",
                "ECONOMIC AFFAIRS",
                "IRAQI FREEDOM",
                "NEW ZEALAND"
            ]
        );
        assert_eq!(
            tg(": OVIP STEINBERG JAMES PREL"),
            vec!["OVIP", "STEINBERG", "JAMES", "B.", "PREL"]
        );
        assert_eq!(
            tg(": OVIP BIDEN JOSEPH PREL EU"),
            vec!["OVIP", "BIDEN", "JOSEPH", "PREL", "EU"]
        );
        assert_eq!(
            tg(": ECON ETRD CA MX SIPDIS"),
            vec!["ECON", "ETRD", "CA", "MX"]
        );
        assert_eq!(tg(": PGOV ZANU-PF ZI"), vec!["PGOV", "ZANU-PF", "ZI"]);
    }

    #[test]
    fn subjects() {
        assert_eq!(
            subject("(C) IAEA/SYRIA:\nCONCERN"),
            (Some("IAEA/SYRIA: CONCERN".into()), Some("C".into()))
        );
        assert_eq!(
            subject("FROM BRAZIL (S)"),
            (Some("FROM BRAZIL".into()), Some("S".into()))
        );
    }

    fn subj(t: &str) -> Option<String> {
        subject(t).0
    }

    #[test]
    fn a_subject_wrapped_at_a_hyphen_rejoins() {
        assert_eq!(
            subj(": TALKS ON THE US-\nINDIA NUCLEAR DEAL\n").as_deref(),
            Some("TALKS ON THE US-INDIA NUCLEAR DEAL")
        );
    }

    #[test]
    fn a_section_break_glued_to_the_subject_ends_it_with_its_station() {
        assert_eq!(
            subj(": RUSSIAN RELATIONS WITH AN ASSERTIVE UZBEKISTAN MOSCOW 00000337 001.2 OF 002 Classified")
                .as_deref(),
            Some("RUSSIAN RELATIONS WITH AN ASSERTIVE UZBEKISTAN")
        );
        assert_eq!(
            subj(": DUTCH VIEWS ON IRAN THE HAGUE 00000123  001.2 OF 002").as_deref(),
            Some("DUTCH VIEWS ON IRAN")
        );
    }

    #[test]
    fn tags_end_at_a_glued_subject() {
        assert_eq!(tags(" PREL PGOVSUBJECT: TALKS"), vec!["PREL", "PGOV"]);
    }

    #[test]
    fn summary_openers_and_an_inline_heading() {
        assert_eq!(
            summary("1. (C) Summary/Comment: The talks went well. End Summary/Comment.").as_deref(),
            Some("The talks went well.")
        );
        assert_eq!(
            summary("1. (C) Summary ==== The talks went well. End summary.").as_deref(),
            Some("The talks went well.")
        );
        assert_eq!(
            cut_at_inline_heading("The talks went well. --- Background --- The minister came."),
            "The talks went well."
        );
    }

    #[test]
    fn classified_by_variants() {
        let names = |t: &str| classified_by(t);
        assert_eq!(
            names(": Pol/Econ Couns. Jane Roe, reason 1.4(b)"),
            vec!["Jane Roe"]
        );
        assert_eq!(
            names(": PolOff Jane Roe BASED UPON 1.4 (b)"),
            vec!["Jane Roe"]
        );
        assert_eq!(
            names(": Amb. Jane Roe and DCM John Doe for reasons 1.4 (b)"),
            vec!["Jane Roe", "John Doe"]
        );
        assert_eq!(names(" by DCM Jane Roe, reasons 1.4(b)"), vec!["Jane Roe"]);
        assert_eq!(
            names(": Ambasador Jane Roe for reasons 1.4 (d)"),
            vec!["Jane Roe"]
        );
    }

    #[test]
    fn subject_marks_long_dashed_and_unreadable() {
        let (s, m) = subject("(S//NF//REL TO USA, GBR) TALKS");
        assert_eq!(s.as_deref(), Some("TALKS"));
        assert!(m.as_deref().is_some_and(|m| m.starts_with("S/NF")), "{m:?}");
        assert_eq!(subject("(S-NF) TALKS").1.as_deref(), Some("S/NF"));
        // Unreadable: kept as written, so it is judged as unreadable, not unmarked.
        let (s, m) = subject("(S//ZQX) TALKS");
        assert_eq!(
            (s.as_deref(), m.as_deref()),
            (Some("TALKS"), Some("S//ZQX"))
        );
        // Ordinary parentheses stay text.
        assert_eq!(subject("(CORRECTED COPY) TALKS").1, None);
    }

    #[test]
    fn subject_end_rules() {
        assert_eq!(
            subj(" ONE LINE ONLY \n\nREF: STATE 1").as_deref(),
            Some("ONE LINE ONLY")
        );
        assert_eq!(
            subj(": A SUBJECT THAT RUNS onto a \nSECOND LINE \n\nREF:").as_deref(),
            Some("A SUBJECT THAT RUNS onto a SECOND LINE")
        );
        assert_eq!(
            subj(" FISHERIES TALKS STALL\nREF A. LIMA 12").as_deref(),
            Some("FISHERIES TALKS STALL")
        );
        assert_eq!(
            subj(": PORT WORKERS STRIKE REF: LIMA 861").as_deref(),
            Some("PORT WORKERS STRIKE")
        );
        assert_eq!(
            subj(": A TOUGH YEAR? REFS: (A) LIMA 1").as_deref(),
            Some("A TOUGH YEAR?")
        );
        assert_eq!(
            subj(": ENVOY VISITS THE NORTH Ref(s): A) 08 LIMA 1").as_deref(),
            Some("ENVOY VISITS THE NORTH")
        );
        assert_eq!(
            subj(": PERU: POWER CUTS -CAUSES AND EFFECTS Classified By: Charge").as_deref(),
            Some("PERU: POWER CUTS -CAUSES AND EFFECTS")
        );
        assert_eq!(
            subj(": AHOY! PIRATES AGAIN\n1. Summary and Comment: x").as_deref(),
            Some("AHOY! PIRATES AGAIN")
        );
        assert_eq!(
            subj(": WEEKLY NOTES 01-02-2009 \n----------- \n1. SUMMARY").as_deref(),
            Some("WEEKLY NOTES 01-02-2009")
        );
        assert_eq!(
            subj(": PART 2 OF 3:  THE LONG \nROAD\nLIMA 00000123 001.2 OF 004").as_deref(),
            Some("PART 2 OF 3: THE LONG ROAD")
        );
        assert_eq!(
            subj(": TALKS ON FISH;\nQUOTAS\nThis is an Action request.").as_deref(),
            Some("TALKS ON FISH; QUOTAS")
        );
        assert_eq!(
            subj(": (U) Minister's talk\nwith Counterpart\n1. Classified by x").as_deref(),
            Some("Minister's talk with Counterpart")
        );
        assert_eq!(
            subj(": Grants for Projects (Fiji)").as_deref(),
            Some("Grants for Projects (Fiji)")
        );
        assert_eq!(
            subj(": O&#8217;NEILL&#8217;S VISIT").as_deref(),
            Some("O\u{2019}NEILL\u{2019}S VISIT")
        );
        assert_eq!(
            subject(": (S/NF) A SECRET MATTER"),
            (Some("A SECRET MATTER".into()), Some("S/NF".into()))
        );
        assert_eq!(
            subj(": A JOINT VENTURE WITH GOL [1234567]").as_deref(),
            Some("A JOINT VENTURE WITH GOL")
        );
    }

    #[test]
    fn summary_and_comment() {
        let t = "1. (C) Summary: The visit went well.\n2. (C) More. End summary.\n3. (C) Comment: We doubt it. End comment.";
        assert_eq!(summary(t).as_deref(), Some("The visit went well. More."));
        assert_eq!(comment(t).as_deref(), Some("We doubt it."));
    }

    #[test]
    fn summary_forms() {
        assert_eq!(
            summary("SUMMARY: THE PORT REOPENED.\nEND SUMMARY\n\nIN DETAIL").as_deref(),
            Some("THE PORT REOPENED.")
        );
        assert_eq!(
            summary("The talks ended early.\nEnd Summary.\n\nMORE").as_deref(),
            Some("The talks ended early.")
        );
        assert_eq!(
            summary("SUMMARY: Rain fell.\n\nWHAT NEXT").as_deref(),
            Some("Rain fell.")
        );
        assert_eq!(
            summary("------- SUMMARY -------\n\nSummary: On May 2 the vote passed. End Summary.")
                .as_deref(),
            Some("On May 2 the vote passed.")
        );
        assert_eq!(summary("Paragraph 5 has a request.\n\nSummary and Action Request. Please act. End Summary and Action Request.").as_deref(), Some("Please act."));
        assert_eq!(
            summary("Summary and Comment: Unrest grows. End Summary and Comment.").as_deref(),
            Some("Unrest grows.")
        );
        assert_eq!(
            summary("Summary: In talks:\n\n-- the mayor agreed\n\nto act. End summary").as_deref(),
            Some("In talks: -- the mayor agreed to act.")
        );
        assert_eq!(
            summary("Summary. The fair opened. End\nSummary.").as_deref(),
            Some("The fair opened.")
        );
        assert_eq!(
            summary("Summary: (SBU) Local firms grew. End Summary").as_deref(),
            Some("Local firms grew.")
        );
        assert_eq!(summary("SUMMARY AND INTRODUCTION\n\u{2010}\u{2010}\u{2010}\u{2010}\n\nThe mayor fell. END SUMMARY AND INTRODUCTION.").as_deref(), Some("The mayor fell."));
        assert_eq!(
            summary("The summary execution was condemned.\n\nMore."),
            None
        );
    }
}
