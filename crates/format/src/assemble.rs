//! Putting records together: sections of one cable that arrived as separate texts,
//! and copies of one cable from different containers.
//!
//! ## The merge rule
//!
//! Copies are grouped by canonical id. For every field, the value comes from the
//! best copy that has it, where copies rank by, in order:
//! 1. fewer damage diagnostics (lost lines, missing date-time group, partial
//!    extract, implied classification, rebuilt id, page furniture removed ...);
//! 2. more text (total length of the paragraphs);
//! 3. container format: raw telegram, 2011 viewer page, 2010 viewer page, CSV
//!    dump, JSON export, PlusD page, body-only text, republished page;
//! 4. source path (so the result does not depend on input order).
//!
//! The paragraphs travel together (from one copy, never mixed). Every copy is listed
//! in `sources`; `source` names the copy that supplied most fields. Where two copies
//! disagree on a field, a `copy_conflict` diagnostic names the field and the copies.

use std::collections::BTreeMap;

use crate::diagnostics::{Code, Diagnostic};
use crate::record::{Cable, Source};

/// Damage diagnostics: the ones that say a copy lost something.
const DAMAGE: &[Code] = &[
    Code::TruncatedParagraph,
    Code::MissingDtg,
    Code::PartialExtract,
    Code::ClassificationImplied,
    Code::IdInferred,
    Code::SubjectFromTitle,
    Code::TrailerRemoved,
    Code::LeaderRemoved,
    Code::MultipleCables,
    Code::SectionMissing,
    Code::CreatedFromDe,
];

fn damage(c: &Cable) -> usize {
    c.diagnostics
        .iter()
        .filter(|d| DAMAGE.contains(&d.code))
        .count()
}

fn text_len(c: &Cable) -> usize {
    c.paragraphs.iter().map(|p| p.text.len()).sum()
}

fn format_rank(format: &str) -> u8 {
    match format {
        "telegram" => 0,
        "wikileaks-html-2011" => 1,
        "wikileaks-html-2010" => 2,
        "cables-csv" => 3,
        "json-export" => 4,
        "plusd-html" => 5,
        "body-text" => 6,
        "republished-page" => 7,
        _ => 8,
    }
}

/// Ranks copies best first (see the module documentation).
fn rank(copies: &mut [Cable]) {
    copies.sort_by(|a, b| {
        damage(a)
            .cmp(&damage(b))
            .then(text_len(b).cmp(&text_len(a)))
            .then(format_rank(&a.source.format).cmp(&format_rank(&b.source.format)))
            .then(a.source.path.cmp(&b.source.path))
    });
}

/// Merges copies of one cable into one record (see the module documentation).
/// `copies` must be non-empty; a single copy is returned unchanged.
pub fn merge_copies(mut copies: Vec<Cable>) -> Cable {
    if copies.len() == 1 {
        return copies.pop().expect("one copy");
    }
    rank(&mut copies);
    let sources: Vec<Source> = copies.iter().map(|c| c.source.clone()).collect();
    let mut supplied = vec![0usize; copies.len()];
    let mut conflicts: Vec<Diagnostic> = Vec::new();
    let mut out = copies[0].clone();

    macro_rules! pick {
        ($field:ident, $empty:expr) => {{
            let is_empty = $empty;
            if let Some((i, c)) = copies
                .iter()
                .enumerate()
                .find(|(_, c)| !is_empty(&c.$field))
            {
                out.$field = c.$field.clone();
                supplied[i] += 1;
                let differing: Vec<&Cable> = copies
                    .iter()
                    .filter(|o| !is_empty(&o.$field) && o.$field != c.$field)
                    .collect();
                if !differing.is_empty() && stringify!($field) != "published" {
                    let names: Vec<String> =
                        differing.iter().map(|o| source_name(&o.source)).collect();
                    conflicts.push(Diagnostic::new(
                        Code::CopyConflict,
                        format!(
                            "{}: {} says {}, {} differ",
                            stringify!($field),
                            source_name(&c.source),
                            short(&serde_json::to_string(&c.$field).unwrap_or_default()),
                            names.join(", ")
                        ),
                    ));
                }
            }
        }};
    }
    let none_str = |o: &Option<String>| o.as_deref().is_none_or(str::is_empty);
    pick!(id, none_str);
    pick!(created, none_str);
    pick!(precedence, none_str);
    pick!(classification, none_str);
    pick!(subject, none_str);
    pick!(eo, none_str);
    pick!(declassify_on, none_str);
    pick!(transmission_id, none_str);
    pick!(summary, none_str);
    pick!(comment, none_str);
    pick!(origin, |o: &crate::record::Origin| o.station.is_none()
        && o.routing_indicator.is_none());
    pick!(tags, |v: &Vec<String>| v.is_empty());
    pick!(captions, |v: &Vec<String>| v.is_empty());
    pick!(recipients, |v: &Vec<crate::record::Recipient>| v.is_empty());
    pick!(info_recipients, |v: &Vec<crate::record::Recipient>| v
        .is_empty());
    pick!(references, |v: &Vec<crate::record::Reference>| v.is_empty());
    pick!(classified_by, |v: &Vec<String>| v.is_empty());
    pick!(reasons, |v: &Vec<String>| v.is_empty());
    pick!(signers, |v: &Vec<String>| v.is_empty());
    pick!(paragraphs, |v: &Vec<crate::record::Paragraph>| v.is_empty());
    pick!(published, |p: &Option<crate::record::Published>| p
        .is_none());

    // Copy-specific fields follow the paragraphs' copy.
    let para_src = copies
        .iter()
        .position(|c| c.paragraphs == out.paragraphs)
        .unwrap_or(0);
    out.subject_marking = copies[para_src].subject_marking.clone();
    out.redactions = copies[para_src].redactions;
    out.section = copies[para_src].section;
    out.partial = copies.iter().all(|c| c.partial);
    out.id_as_written = copies.iter().find_map(|c| c.id_as_written.clone());
    let best = supplied
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, std::cmp::Reverse(*i)))
        .map(|(i, _)| i);
    out.source = copies[best.unwrap_or(0)].source.clone();
    // The best copy's diagnostics describe the record; the others' damage no longer
    // applies to fields it did not supply, so only conflicts are added.
    out.diagnostics = copies[best.unwrap_or(0)].diagnostics.clone();
    out.diagnostics.extend(conflicts);
    out.sources = sources;
    out
}

fn source_name(s: &Source) -> String {
    format!("{} ({})", s.path.as_deref().unwrap_or("-"), s.format)
}

fn short(s: &str) -> String {
    if s.chars().count() <= 80 {
        s.to_string()
    } else {
        let cut: String = s.chars().take(77).collect();
        format!("{cut}...")
    }
}

/// Joins sections and merges copies: records are grouped by id (records without
/// one pass through); within a group, copies of the same section are merged, the
/// sections joined, and the result merged with any whole copies. Groups keep the
/// order of their first appearance.
pub fn assemble(records: Vec<Cable>) -> Vec<Cable> {
    let mut groups: Vec<Vec<Cable>> = Vec::new();
    let mut by_id: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for c in records {
        match c.id.clone() {
            Some(id) => match by_id.get(&id) {
                Some(&g) => groups[g].push(c),
                None => {
                    by_id.insert(id, groups.len());
                    groups.push(vec![c]);
                }
            },
            None => groups.push(vec![c]),
        }
    }
    groups.into_iter().map(assemble_group).collect()
}

fn assemble_group(copies: Vec<Cable>) -> Cable {
    let (sectioned, mut whole): (Vec<Cable>, Vec<Cable>) =
        copies.into_iter().partition(|c| c.section.is_some());
    if !sectioned.is_empty() {
        let mut by_number: BTreeMap<u32, Vec<Cable>> = BTreeMap::new();
        for c in sectioned {
            by_number
                .entry(c.section.map(|s| s.number).unwrap_or(0))
                .or_default()
                .push(c);
        }
        let parts: Vec<Cable> = by_number.into_values().map(merge_copies).collect();
        whole.push(join(parts));
    }
    merge_copies(whole)
}

/// Joins sections of one cable that arrived as separate records. Records that are
/// not sections pass through untouched. Returns records in the order of their first
/// appearance.
pub fn join_sections(records: Vec<Cable>) -> Vec<Cable> {
    let mut order: Vec<Option<Cable>> = Vec::with_capacity(records.len());
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for c in records {
        match (&c.section, &c.id) {
            (Some(_), Some(id)) => {
                groups.entry(id.clone()).or_default().push(order.len());
                order.push(Some(c));
            }
            _ => order.push(Some(c)),
        }
    }
    for (_, idx) in groups {
        let mut parts: Vec<Cable> = idx.iter().filter_map(|&i| order[i].take()).collect();
        parts.sort_by_key(|c| c.section.map(|s| s.number).unwrap_or(0));
        parts.dedup_by_key(|c| c.section.map(|s| s.number));
        let joined = join(parts);
        order[idx[0]] = Some(joined);
    }
    order.into_iter().flatten().collect()
}

fn join(mut parts: Vec<Cable>) -> Cable {
    let of = parts
        .iter()
        .filter_map(|c| c.section.map(|s| s.of))
        .max()
        .unwrap_or(1);
    let present: Vec<u32> = parts
        .iter()
        .filter_map(|c| c.section.map(|s| s.number))
        .collect();
    let missing: Vec<u32> = (1..=of).filter(|n| !present.contains(n)).collect();
    let mut rest = parts.split_off(1);
    let mut out = parts.pop().expect("at least one section");
    for part in rest.drain(..) {
        let mut paras = part.paragraphs.into_iter().peekable();
        // Text before the section's first numbered paragraph continues the previous
        // section's last paragraph.
        if let Some(p0) = paras.next_if(|p| p.number == 0) {
            match out.paragraphs.last_mut() {
                Some(last) => {
                    last.text.push('\n');
                    last.text.push_str(&p0.text);
                }
                None => out.paragraphs.push(p0),
            }
        }
        out.paragraphs.extend(paras);
        for r in part.references {
            if !out.references.contains(&r) {
                out.references.push(r);
            }
        }
        for c in part.captions {
            if !out.captions.contains(&c) {
                out.captions.push(c);
            }
        }
        if !part.signers.is_empty() {
            out.signers = part.signers;
        }
        out.redactions += part.redactions;
        out.comment = match (out.comment.take(), part.comment) {
            (Some(a), Some(b)) => Some(format!("{a}\n\n{b}")),
            (a, b) => a.or(b),
        };
        out.summary = out.summary.take().or(part.summary);
        out.sources.push(part.source);
        out.diagnostics.extend(part.diagnostics);
    }
    if !out.sources.is_empty() && !out.sources.contains(&out.source) {
        out.sources.insert(0, out.source.clone());
    }
    if missing.is_empty() {
        out.section = None;
        out.partial = false;
        out.diagnostics.retain(|d| d.code != Code::SectionMissing);
    } else {
        out.partial = true;
        let list: Vec<String> = missing.iter().map(u32::to_string).collect();
        out.diagnostics.push(Diagnostic::new(
            Code::SectionMissing,
            format!("section(s) {} of {of} missing", list.join(", ")),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Paragraph, Section};

    fn section(id: &str, n: u32, of: u32, paras: &[(u32, &str)]) -> Cable {
        Cable {
            id: Some(id.into()),
            section: Some(Section { number: n, of }),
            partial: true,
            paragraphs: paras
                .iter()
                .map(|(n, t)| Paragraph {
                    number: *n,
                    text: t.to_string(),
                    ..Default::default()
                })
                .collect(),
            source: Source {
                path: Some(format!("s{n}.txt")),
                format: "telegram".into(),
                encoding: "utf-8".into(),
                item: None,
            },
            ..Default::default()
        }
    }

    #[test]
    fn complete_sections_join_in_order() {
        let recs = vec![
            section("09PARIS997", 2, 2, &[(0, "continued."), (4, "Four.")]),
            section(
                "09PARIS997",
                1,
                2,
                &[(1, "One."), (2, "Two"), (3, "Three begins")],
            ),
        ];
        let out = join_sections(recs);
        assert_eq!(out.len(), 1);
        let c = &out[0];
        assert!(!c.partial);
        assert_eq!(c.section, None);
        let nums: Vec<u32> = c.paragraphs.iter().map(|p| p.number).collect();
        assert_eq!(nums, vec![1, 2, 3, 4]);
        assert_eq!(c.paragraphs[2].text, "Three begins\ncontinued.");
        assert_eq!(c.sources.len(), 2);
    }

    #[test]
    fn a_missing_section_is_reported() {
        let recs = vec![
            section("09PARIS997", 1, 3, &[(1, "One.")]),
            section("09PARIS997", 3, 3, &[(5, "Five.")]),
        ];
        let out = join_sections(recs);
        assert_eq!(out.len(), 1);
        assert!(out[0].partial);
        assert!(out[0]
            .diagnostics
            .iter()
            .any(|d| d.code == Code::SectionMissing && d.message.contains("2 of 3")));
    }

    #[test]
    fn merge_prefers_the_less_damaged_copy_and_lists_conflicts() {
        let mut damaged = section("08MOSCOW1599", 1, 1, &[(1, "Short")]);
        damaged.section = None;
        damaged.subject = Some("From a title".into());
        damaged
            .diagnostics
            .push(Diagnostic::new(Code::SubjectFromTitle, "t"));
        damaged.source.format = "republished-page".into();
        let mut good = section("08MOSCOW1599", 1, 1, &[(1, "Short and complete.")]);
        good.section = None;
        good.subject = Some("MEDVEDEV'S VISIT".into());
        good.tags = vec!["PREL".into()];
        good.source.format = "wikileaks-html-2011".into();
        good.source.path = Some("page.html".into());
        let merged = merge_copies(vec![damaged, good]);
        assert_eq!(merged.subject.as_deref(), Some("MEDVEDEV'S VISIT"));
        assert_eq!(merged.paragraphs[0].text, "Short and complete.");
        assert_eq!(merged.source.format, "wikileaks-html-2011");
        assert_eq!(merged.sources.len(), 2);
        assert!(merged
            .diagnostics
            .iter()
            .any(|d| d.code == Code::CopyConflict && d.message.starts_with("subject")));
    }
}
