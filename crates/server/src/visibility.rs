//! The reference walk and the statistics for one reader's [`Access`], in the shape
//! the server's handlers use. The rules live in the archive
//! (`cablescope_archive::access`, [`Archive::refs_for`], [`Archive::stats_for`]):
//! what a reader may not see is absent, and looks exactly like what the archive
//! does not hold.

use cablescope_archive::{Access, Archive, Direction, Node, RefWalk, Stats};

/// The walk of `Archive::refs` as `access` may see it. When the start cable is
/// unknown or invisible to the reader, the walk holds only the start, with
/// `present: false`, and no edges (the two cases look the same).
pub fn refs_for(
    a: &Archive,
    id: &str,
    direction: Direction,
    depth: u32,
    access: &Access,
) -> cablescope_archive::Result<RefWalk> {
    Ok(a.refs_for(id, direction, depth, access)?
        .unwrap_or_else(|| RefWalk {
            nodes: vec![Node {
                id: id.to_string(),
                depth: 0,
                present: false,
            }],
            edges: Vec::new(),
        }))
}

/// `Archive::stats` over the cables `access` may see.
pub fn stats_for(
    a: &Archive,
    missing: usize,
    access: &Access,
) -> cablescope_archive::Result<Stats> {
    a.stats_for(missing, &access.scope())
}
