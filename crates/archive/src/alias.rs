//! Aliases: the other ids a cable is published under.
//!
//! A container says what id its publisher gave a cable (a viewer page's Reference
//! ID, a CSV row's id column: [`Cable::published`]). That id usually equals the one
//! read from the text; when it does not (a damaged serial line, a malformed id in the
//! publisher's metadata), readers still look the cable up by the published id. The
//! store keeps every such id in its `aliases` table (alias → canonical id), written in
//! the same transaction as the record, and [`crate::store::Store::cable`] falls back
//! to it when no cable has the id asked for; the index adds the aliases to the
//! cable's `id_noyear` terms ([`index_terms`]), so `id:` and the search box find
//! them too.
//!
//! Aliases are a function of the merged record alone, so the store's table and the
//! index document always agree, whatever path wrote the record.

use cablescope_format::Cable;

/// Longest published id kept as an alias (a real id has at most ~25 characters;
/// anything longer is not an id but debris in the metadata).
const MAX_ALIAS_CHARS: usize = 40;

/// The ids `c` is also known by, sorted, without `c`'s own id (compared without
/// regard to case): the published id in canonical form where it reads as an id
/// (`07 BUENOS AIRES 01673` → `07BUENOSAIRES1673`), and as written when that is
/// one word (`1974ATHENS02959_b`, `08EFTOLONDON2883`: what a reader copies from
/// the publisher's page). Empty for most cables.
pub fn aliases(c: &Cable) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(p) = published(c) {
        out.extend(canonical(p));
        out.extend(as_written(p));
    }
    let own = c.id.as_deref().unwrap_or("");
    out.retain(|a| !a.eq_ignore_ascii_case(own));
    out.sort();
    out.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    out
}

fn published(c: &Cable) -> Option<&str> {
    c.published.as_ref().and_then(|p| p.id.as_deref())
}

/// A published id as written, trimmed, when it is one short word.
fn as_written(written: &str) -> Option<String> {
    let t = written.trim();
    (!t.is_empty() && t.chars().count() <= MAX_ALIAS_CHARS && !t.contains(char::is_whitespace))
        .then(|| t.to_string())
}

/// The canonical form of a published id (`07 BUENOS AIRES 01673` →
/// `07BUENOSAIRES1673`), `None` when it does not read as an id with a year.
pub fn canonical(written: &str) -> Option<String> {
    let t = written.trim();
    if t.is_empty() || t.chars().count() > MAX_ALIAS_CHARS {
        return None;
    }
    match crate::index::norm::id_terms(t) {
        Some(("id", v)) => Some(v),
        _ => None,
    }
}

/// The `id_noyear` terms the index adds for `c`'s published id when it differs
/// from `c`'s own: the id in canonical form (`07BUENOSAIRES1673`, which the `id:`
/// query of an id with a year also looks up there) and without its year
/// (`BUENOSAIRES1673`). A full id starts with its two year digits and a
/// station-and-serial term never does, so the two kinds cannot collide. (The
/// query language canonicalises what a reader types, so the form as written needs
/// no term.)
pub fn index_terms(c: &Cable) -> Vec<String> {
    let Some(a) = published(c).and_then(canonical) else {
        return Vec::new();
    };
    if c.id.as_deref() == Some(a.as_str()) {
        return Vec::new();
    }
    vec![crate::index::norm::noyear(&a), a]
}

#[cfg(test)]
mod tests {
    use super::*;
    use cablescope_format::record::Published;

    fn cable(id: &str, published: Option<&str>) -> Cable {
        Cable {
            id: Some(id.into()),
            published: Some(Published {
                id: published.map(str::to_string),
                ..Published::default()
            }),
            ..Cable::default()
        }
    }

    #[test]
    fn a_published_id_that_differs_is_an_alias_in_canonical_form_and_as_written() {
        let c = cable("07BUENOSAIRES167", Some("07 BUENOS AIRES 01673"));
        assert_eq!(aliases(&c), ["07BUENOSAIRES1673"]);
        assert_eq!(index_terms(&c), ["BUENOSAIRES1673", "07BUENOSAIRES1673"]);
        let c = cable("07BUENOSAIRES167", Some("07BUENOSAIRES01673"));
        assert_eq!(aliases(&c), ["07BUENOSAIRES01673", "07BUENOSAIRES1673"]);
    }

    #[test]
    fn the_same_id_written_otherwise_is_only_an_alias_as_written() {
        assert_eq!(
            aliases(&cable("08MOSCOW1599", Some("08MOSCOW01599"))),
            ["08MOSCOW01599"]
        );
        assert!(index_terms(&cable("08MOSCOW1599", Some("08MOSCOW01599"))).is_empty());
        assert!(aliases(&cable("08MOSCOW1599", Some("08moscow1599"))).is_empty());
        assert!(aliases(&cable("08MOSCOW1599", None)).is_empty());
        assert!(aliases(&cable("08MOSCOW1599", Some("  "))).is_empty());
    }

    #[test]
    fn an_id_that_does_not_parse_is_kept_as_one_word_and_debris_is_not() {
        assert_eq!(
            aliases(&cable("08MOSCOW1599", Some(" ref-x1 "))),
            ["ref-x1"]
        );
        assert!(index_terms(&cable("08MOSCOW1599", Some("ref-x1"))).is_empty());
        assert!(aliases(&cable("08MOSCOW1599", Some("not an id at all"))).is_empty());
        let long = "X".repeat(MAX_ALIAS_CHARS + 1);
        assert!(aliases(&cable("08MOSCOW1599", Some(&long))).is_empty());
    }
}
