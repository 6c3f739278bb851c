//! Every archive read of the UI, for one reader's [`Access`] (clearance, date and
//! declassification policy): the pages call these and nothing else, so the clearance
//! rules (issue 7, `cablescope_archive::access`) apply to the UI exactly as to the
//! API and the CLI. What the reader may not see is absent, and looks exactly like
//! what the archive does not hold.

use std::collections::BTreeSet;

use cablescope_archive::store::{CopyRow, Edge, Store};
use cablescope_archive::{Access, Archive, Direction, RefWalk, Result, Stats};
use cablescope_format::Cable;

use crate::state::Viewer;

/// The reader's access to `a` (their clearance, today, the archive's policy).
pub(crate) fn of(viewer: &Viewer, a: &Archive) -> Result<Access> {
    viewer.access(a)
}

/// The merged record of `id` as the reader may see it (redacted).
pub(crate) fn cable(a: &Archive, id: &str, access: &Access) -> Result<Option<Cable>> {
    a.cable_for(id, access)
}

/// True when the archive holds `id` and the reader may see it.
pub(crate) fn visible(a: &Archive, id: &str, access: &Access) -> Result<bool> {
    if access.sees_everything() {
        // No need to read the record to know it may be seen.
        return Ok(!a.store().present(&[id.to_string()])?.is_empty());
    }
    Ok(match a.store().cable(id)? {
        Some(c) => access.judge(&c).visible,
        None => false,
    })
}

/// Which of `ids` the reader may see.
pub(crate) fn visible_set(
    a: &Archive,
    ids: &[String],
    access: &Access,
) -> Result<BTreeSet<String>> {
    let present: BTreeSet<String> = a.store().present(ids)?.into_iter().collect();
    if access.sees_everything() {
        return Ok(present);
    }
    let mut out = BTreeSet::new();
    for id in present {
        if visible(a, &id, access)? {
            out.insert(id);
        }
    }
    Ok(out)
}

/// The stored copies of a cable, each redacted for the reader (none when the cable
/// is invisible to them).
pub(crate) fn copies(a: &Archive, id: &str, access: &Access) -> Result<Vec<CopyRow>> {
    Ok(a.store()
        .copies_of(id)?
        .into_iter()
        .filter_map(|mut row| {
            row.record = access.redact(&row.record)?;
            Some(row)
        })
        .collect())
}

/// Edges into `id` from cables the reader may see whose reference lists they may
/// read (the same rule as the reference walk).
pub(crate) fn cited_by(a: &Archive, id: &str, access: &Access) -> Result<Vec<Edge>> {
    let edges = a.store().cited_by(id)?;
    if access.sees_everything() {
        return Ok(edges);
    }
    let mut out = Vec::new();
    for e in edges {
        if let Some(c) = a.store().cable(&e.from)? {
            let v = access.judge(&c);
            if v.visible && v.header {
                out.push(e);
            }
        }
    }
    Ok(out)
}

/// The citation neighbourhood of `id` in both directions, `depth` steps.
pub(crate) fn refs(a: &Archive, id: &str, depth: u32, access: &Access) -> Result<RefWalk> {
    crate::visibility::refs_for(a, id, Direction::Both, depth, access)
}

/// Archive statistics over what the reader may see.
pub(crate) fn stats(a: &Archive, missing: usize, access: &Access) -> Result<Stats> {
    crate::visibility::stats_for(a, missing, access)
}
