//! Keeping a node's index up with a shared database.
//!
//! With PostgreSQL as the store, every app server keeps its own tantivy index of
//! it. The [`Follower`] thread catches that index up: it waits for a `NOTIFY` on
//! the change channel (sent by every write, from any node or the CLI) or for the
//! poll interval to pass, and applies the changes the index lacks
//! ([`Archive::sync_index`]: the same change log a crash recovery reads). Searches
//! on the node see the new cables at the next reload of their read handle.
//!
//! The writer lock of the index is taken only while changes are applied, so an
//! ingest started on the same node (which writes the same index) is never locked
//! out for long; while it holds the lock the follower waits for its next turn.
//! A database that cannot be reached is retried at each interval: the node goes
//! on serving what its index holds.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::Result;
use crate::index::Index;
use crate::store::{Store, StoreLocation};
use crate::Archive;

/// How a follower runs.
#[derive(Debug, Clone)]
pub struct FollowOptions {
    /// Longest wait between two catch-ups when no notification comes (a lost
    /// notification, a connection that dropped, a writer that does not notify).
    pub poll: Duration,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions {
            poll: Duration::from_secs(1),
        }
    }
}

/// A thread that keeps the index in a directory up with a shared database; it
/// stops when dropped.
#[derive(Debug)]
pub struct Follower {
    stop: Arc<AtomicBool>,
    applied: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl Follower {
    /// Starts following `location` into the index in `dir`. The index is caught
    /// up once before this returns, so a node starts serving what the database
    /// holds (an error then is returned: a node must not start on a database it
    /// cannot read).
    pub fn start(dir: &Path, location: &StoreLocation, opts: FollowOptions) -> Result<Follower> {
        let mut archive = Archive::open_for_reading_on(dir, location)?;
        let applied = Arc::new(AtomicU64::new(0));
        catch_up(&mut archive, &applied)?;
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (stop, applied) = (stop.clone(), applied.clone());
            let (dir, location) = (dir.to_path_buf(), location.clone());
            std::thread::Builder::new()
                .name("cablescope-follow".into())
                .spawn(move || run(archive, &dir, &location, &opts, &stop, &applied))?
        };
        Ok(Follower {
            stop,
            applied,
            thread: Some(thread),
        })
    }

    /// How many changes the follower has applied since it started.
    pub fn applied(&self) -> u64 {
        self.applied.load(Ordering::Relaxed)
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Applies what the index lacks, then lets go of the writer lock. Another
/// process holding the lock (an ingest on this node) is not an error: it is
/// writing the same changes, and the next round finds what is left.
fn catch_up(archive: &mut Archive, applied: &AtomicU64) -> Result<()> {
    if archive.store().last_seq()? <= archive.index().committed_seq()? {
        return Ok(());
    }
    let r = archive.sync_index();
    archive.close_writer();
    match r {
        Ok(n) => {
            applied.fetch_add(n, Ordering::Relaxed);
            Ok(())
        }
        Err(crate::Error::Tantivy(tantivy::TantivyError::LockFailure(..))) => Ok(()),
        Err(e) => Err(e),
    }
}

fn run(
    mut archive: Archive,
    dir: &PathBuf,
    location: &StoreLocation,
    opts: &FollowOptions,
    stop: &AtomicBool,
    applied: &AtomicU64,
) {
    let mut failing = false;
    while !stop.load(Ordering::Relaxed) {
        // Waiting on the store's own connection: a notification wakes the
        // follower at once, the poll interval bounds the wait either way.
        let waited = match archive.store().as_postgres() {
            Some(pg) => pg.wait_for_changes(opts.poll).map(|_| ()),
            None => {
                std::thread::sleep(opts.poll);
                Ok(())
            }
        };
        let round = waited.and_then(|_| catch_up(&mut archive, applied));
        match round {
            Ok(()) => {
                if failing {
                    tracing::info!(dir = %dir.display(), "the index follows the database again");
                }
                failing = false;
            }
            Err(e) => {
                if !failing {
                    tracing::warn!(dir = %dir.display(), error = %e, "cannot follow the database; retrying");
                }
                failing = true;
                std::thread::sleep(opts.poll);
                // A dropped connection is not coming back: open anew.
                if let Ok(a) = Archive::open_for_reading_on(dir, location) {
                    archive = a;
                }
            }
        }
    }
}
