//! The signature at the end of a cable: the sender's surname in capitals.

use std::sync::OnceLock;

use regex::Regex;

use super::body::ends_sentence;
use super::text::is_rule;

/// Words that end a text but are not signatures.
const NOT_SIGNERS: &[&str] = &[
    "UNCLASSIFIED",
    "UNCLAS",
    "CONFIDENTIAL",
    "SECRET",
    "TOP SECRET",
    "LIMITED OFFICIAL USE",
    "SIPDIS",
    "NOFORN",
    "SENSITIVE",
    "END TEXT",
    "END",
    "NNNN",
    "NNN",
    "BT",
    "EXDIS",
    "NODIS",
    "LIMDIS",
    "DECLASSIFIED",
    "MINIMIZE CONSIDERED",
    "END CABLE",
    "END SUMMARY",
    "END COMMENT",
    "GP-3",
    "GP-1",
    "GP-2",
    "GP-4",
    "EXEMPT",
    "XGDS",
    "GDS",
    "REGARDS",
    "THANKS",
    "THANK YOU",
    "END NOTE",
    "END FYI",
    "FYI",
    "QUOTE",
    "UNQUOTE",
    "UNQTE",
    "QTE",
    "END QUOTE",
    "END OF TEXT",
    "NOTAL",
    "STADIS",
    "CHEROKEE",
    "ROGER",
    "EYES ONLY",
    "SBU",
    "SENSITIVE BUT UNCLASSIFIED",
    "FOR OFFICIAL USE ONLY",
    "NOTE",
    "CORRECTED COPY",
    "OADR",
];

fn re(cell: &'static OnceLock<Regex>, pat: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pat).expect("valid regex"))
}

/// Trailing lines that follow the signature: page headers, archive notes, dump
/// trailers (`2004CARACA01540 - UNCLASSIFIED`).
fn is_trailer_line(t: &str) -> bool {
    static PAGE: OnceLock<Regex> = OnceLock::new();
    static DUMP: OnceLock<Regex> = OnceLock::new();
    let up = t.to_ascii_uppercase();
    let bare = up.trim_end_matches(['.', ' ']);
    t.is_empty()
        || t.chars().all(|c| {
            matches!(
                c,
                '.' | '-' | '>' | '<' | '_' | '=' | '*' | '/' | '"' | '\\' | ' '
            )
        })
        || NOT_SIGNERS.contains(&bare)
        || t.starts_with('#')
        || up.starts_with("DECLASSIFIED/RELEASED")
        || (up.starts_with("<<") && up.ends_with(">>"))
        || bare
            .trim_start_matches(['<', ' '])
            .starts_with("END OF DOCUMENT")
        || up.starts_with("NOTE BY")
        || up.starts_with("NOTE:")
        || re(&PAGE, r"^PAGE\s+\d{1,3}\s").is_match(&up)
        || re(&DUMP, r"^\d{4}[A-Z]+\d+\s+-\s").is_match(&up)
}

/// The surname on a signature line (`GILLESPIE##`, `MCNAMARA.`, `VAN VOORST`).
fn signer_of(line: &str) -> Option<String> {
    let t = line
        .trim()
        .trim_end_matches('#')
        .trim_end_matches('.')
        .trim();
    if t.is_empty() || t.len() > 40 || t.split_whitespace().count() > 4 {
        return None;
    }
    if !t
        .chars()
        .all(|c| c.is_ascii_uppercase() || matches!(c, ' ' | '-' | '\'' | '/' | '.'))
    {
        return None;
    }
    if !t.starts_with(|c: char| c.is_ascii_uppercase())
        || t.chars().filter(|c| c.is_ascii_uppercase()).count() < 2
    {
        return None;
    }
    if t.starts_with("XXXX") || is_rule(t) || NOT_SIGNERS.contains(&t) || t.starts_with("GP-") {
        return None;
    }
    Some(t.to_string())
}

/// A signature glued to the end of the last sentence: `... CONSIDERED. EAGLETON`.
fn trailing_signer(line: &str) -> Option<(usize, String)> {
    static TAIL: OnceLock<Regex> = OnceLock::new();
    let c = re(
        &TAIL,
        r"[.!?]\s+([A-Z][A-Z'\-]+(?:\s[A-Z][A-Z'\-]+)?)(?:##|\.)?\s*$",
    )
    .captures(line)?;
    let m = c.get(1)?;
    let name = m.as_str().to_string();
    if NOT_SIGNERS.contains(&name.as_str())
        || name.len() < 3
        || name.split_whitespace().any(|w| w.len() < 2)
    {
        return None;
    }
    // The sentence before must not be a one-word caption ("SIPDIS. SMITH" is fine,
    // "U.S. ARMY" is not a signature).
    let before = line[..m.start()].trim_end();
    let last_word = before.split_whitespace().last().unwrap_or("");
    if last_word
        .trim_end_matches(['.', '!', '?'])
        .chars()
        .filter(|c| c.is_alphabetic())
        .count()
        < 2
    {
        return None;
    }
    Some((m.start(), name))
}

/// Removes the signature line(s) from the end of the last paragraph's lines and
/// returns the signers.
pub fn take_signature(lines: &mut Vec<String>) -> Vec<String> {
    // "HALL NNNN 2004ROME02926 - Classification: ..." keeps only what precedes NNNN.
    if let Some(last) = lines.iter().rposition(|l| !l.trim().is_empty()) {
        if let Some(p) = lines[last].find(" NNNN") {
            let kept = lines[last][..p].trim_end().to_string();
            lines[last] = kept;
        }
    }
    while lines.last().is_some_and(|l| is_trailer_line(l.trim())) {
        lines.pop();
    }
    let n = lines.len();
    if n == 0 {
        return Vec::new();
    }
    let last = lines[n - 1].trim().to_string();
    if let Some(signer) = signer_of(&last).filter(|s| n >= 2 || s.split_whitespace().count() <= 2) {
        let prev = if n >= 2 { lines[n - 2].trim() } else { "" };
        let mixed_case_text = lines
            .iter()
            .any(|l| l.chars().any(|c| c.is_ascii_lowercase()));
        let prev_bare = prev.trim_end_matches('.');
        // In an all-capitals cable the signature must stand apart from the text.
        let apart = prev.is_empty()
            || mixed_case_text
            || ends_sentence(prev)
            || NOT_SIGNERS.contains(&prev_bare)
            || prev.starts_with("GP-");
        if !apart {
            return Vec::new();
        }
        lines.pop();
        return vec![signer];
    }
    if let Some((at, signer)) = trailing_signer(&last) {
        let kept = lines[n - 1].trim_end()[..].to_string();
        let cut = kept.len() - (last.len() - at);
        lines[n - 1] = kept[..cut].trim_end().to_string();
        return vec![signer];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(text: &str) -> Vec<String> {
        let mut lines: Vec<String> = text.split('\n').map(String::from).collect();
        take_signature(&mut lines)
    }

    #[test]
    fn plain_surname_lines() {
        assert_eq!(
            sig("We will report further.\n\nPALMERSTON"),
            vec!["PALMERSTON"]
        );
        assert_eq!(sig("Mixed case text here.\nWILLOUGHBY"), vec!["WILLOUGHBY"]);
        assert_eq!(sig("Text.\n\nTREMAINE##"), vec!["TREMAINE"]);
        assert_eq!(sig("Text.\n\nCASTELLAN."), vec!["CASTELLAN"]);
        assert_eq!(sig("Text.\n\nTER HORST"), vec!["TER HORST"]);
        assert_eq!(sig("Text.\n\nO'FLAHERTY"), vec!["O'FLAHERTY"]);
        assert_eq!(sig("Text.\n\nBRANDT-OSSIAN"), vec!["BRANDT-OSSIAN"]);
        assert_eq!(sig("Some text.\nQUILLFEATHER"), vec!["QUILLFEATHER"]);
    }

    #[test]
    fn a_signature_before_banners_and_release_footers() {
        assert_eq!(sig("Text.\nSMITH\nCONFIDENTIAL\n\nNNN"), vec!["SMITH"]);
        assert_eq!(sig("Text.\nSMITH\n\nNNNN"), vec!["SMITH"]);
        assert_eq!(
            sig("Text.\nSMITH\n\nUNCLASSIFIED\n\n<< END OF DOCUMENT >>"),
            vec!["SMITH"]
        );
    }

    #[test]
    fn boilerplate_before_and_after() {
        assert_eq!(sig("TEXT FOLLOWS.\nGP-3\nMARLOWE"), vec!["MARLOWE"]);
        assert_eq!(sig("Best.\nREGARDS \n \nFENWICK"), vec!["FENWICK"]);
        assert_eq!(sig("UNQUOTE\n\nHARTIGAN"), vec!["HARTIGAN"]);
        assert_eq!(
            sig("Closing words.\nORMSBY\n\n\nCONFIDENTIAL\n\nSIPDIS\n"),
            vec!["ORMSBY"]
        );
        assert_eq!(
            sig("Closing.\nPELLEW\nLIMITED OFFICIAL USE\nNNNN"),
            vec!["PELLEW"]
        );
        assert_eq!(
            sig("Closing.\nDUNMORE\n\nNOTE BY OC/T: HEADING GARBLED. SERVICE TO FOLLOW."),
            vec!["DUNMORE"]
        );
        assert_eq!(
            sig("Closing.\nKESTREL\n\nNOTE: NOT PASSED TO ABOVE ADDRESSEE(S)\n\n CONFIDENTIAL"),
            vec!["KESTREL"]
        );
        assert_eq!(
            sig("Closing.\nLANYON\n\n\nNNNN\n\n 2003LAGOS01234 - UNCLASSIFIED"),
            vec!["LANYON"]
        );
        assert_eq!(sig("Closing.\nGRAYLING \n."), vec!["GRAYLING"]);
        assert_eq!(sig("Closing.\nPENDLE\n\nDeclassified/Released US Department of State EO Systematic Review 30 JUN 2005"), vec!["PENDLE"]);
        assert_eq!(sig("SOME WORDS.-/\n\n\nBARROWMAN"), vec!["BARROWMAN"]);
        assert_eq!(
            sig("Closing.\nTOLLIVER\n PAGE 03 KABUL 01234 03 OF 03 121212Z"),
            vec!["TOLLIVER"]
        );
        assert_eq!(
            sig("Closing.\nSKEFFINGTON NNNN 2004PARIS01234 - Classification: SECRET"),
            vec!["SKEFFINGTON"]
        );
    }

    #[test]
    fn surname_glued_to_the_last_sentence() {
        let mut lines = vec!["21. LUSAKA MINIMIZE CONSIDERED. HOLLOWAY".to_string()];
        assert_eq!(take_signature(&mut lines), vec!["HOLLOWAY"]);
        assert_eq!(lines, vec!["21. LUSAKA MINIMIZE CONSIDERED."]);
        assert_eq!(sig("... END OF TEXT. ARBUTHNOT"), vec!["ARBUTHNOT"]);
    }

    #[test]
    fn prose_or_caps_text_is_no_signature() {
        assert!(sig("The monthly rate for May was 4.2 percent. The").is_empty());
        assert!(sig("THE MINISTER SAID THE GOVERNMENT WOULD\nRESPOND").is_empty());
        assert!(sig("Text.\n\nCONFIDENTIAL").is_empty());
        assert!(sig("Text.\n\nEND SUMMARY.").is_empty());
    }
}
