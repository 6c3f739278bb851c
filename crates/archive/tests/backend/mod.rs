//! Which store the archive suites run on: the embedded one, or PostgreSQL when
//! `CABLESCOPE_TEST_BACKEND=postgres` (with `CABLESCOPE_TEST_DATABASE` naming the
//! test cluster; see `cablescope_testkit::pg`), or PostgreSQL with the records
//! partitioned across two clusters when `CABLESCOPE_TEST_BACKEND=partitioned`
//! (and `CABLESCOPE_TEST_SHARD`). CI runs the suites all three ways.

// Each test crate uses a subset of these helpers.
#![allow(dead_code)]

use std::path::Path;

use cablescope_archive::{Archive, StoreLocation};

/// The store location of the archive directory `dir` for this run: embedded, or
/// the test database named after `dir` (the same one each time `dir` is opened).
pub fn location(dir: &Path) -> StoreLocation {
    if !cablescope_testkit::pg::postgres_backend() {
        return StoreLocation::Embedded;
    }
    std::fs::create_dir_all(dir).expect("create the archive directory");
    let url = cablescope_testkit::pg::database_for(dir)
        .expect("CABLESCOPE_TEST_BACKEND=postgres needs CABLESCOPE_TEST_DATABASE");
    if cablescope_testkit::pg::partitioned_backend() {
        let shards = cablescope_testkit::pg::shards_for(&url).expect("two shard databases");
        // Idempotent: the second open of `dir` finds the same layout.
        cablescope_archive::store::partition(&url, &shards).expect("partition the test store");
    }
    StoreLocation::Postgres(url)
}

/// Opens (creating) the archive in `dir` on this run's store.
pub fn open(dir: impl AsRef<Path>) -> Archive {
    let dir = dir.as_ref();
    Archive::open_on(dir, &location(dir)).expect("open the archive")
}
