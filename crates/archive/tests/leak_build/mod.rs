//! Builds the canary archive of `leak_common` (for the test crates that depend on
//! the archive crate).

// Each test crate uses a subset of these helpers.
#![allow(dead_code)]

use std::path::Path;

use cablescope_archive::{Archive, IngestOptions};
use cablescope_testkit::write;

use crate::leak_common::files;

#[path = "../backend/mod.rs"]
pub mod backend;

/// Builds the canary archive in `dir/archive` (sources in `dir/src`): every file
/// of `leak_common::files`, copies included.
pub fn archive(dir: &Path) -> Archive {
    let src = dir.join("src");
    for (name, text) in files() {
        write(&src, name, text);
    }
    let mut a = backend::open(dir.join("archive"));
    a.ingest(&[src], &IngestOptions::default(), &mut |_| {})
        .expect("ingest");
    a
}

/// Builds an archive of telegrams `(id, text)` in `dir/archive`.
pub fn archive_of<'a>(dir: &Path, cables: impl Iterator<Item = (&'a str, String)>) -> Archive {
    let src = dir.join("src");
    for (id, text) in cables {
        write(&src, format!("{id}.txt"), text);
    }
    let mut a = backend::open(dir.join("archive"));
    a.ingest(&[src], &IngestOptions::default(), &mut |_| {})
        .expect("ingest");
    a
}
