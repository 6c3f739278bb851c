//! State shared by every request: the archive directory, a pool of read handles,
//! and the server's configuration.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cablescope_archive::{Archive, Clearance};

/// Settings of a running server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Serve everything read-only to anyone (issue 7's `--public`).
    pub public: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig { public: false }
    }
}

/// Cheap to clone; every handler gets one.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    config: ServerConfig,
    /// Idle read handles. A rusqlite connection is `Send` but not `Sync`, so each
    /// request borrows a whole handle for the duration of one blocking call.
    idle: Mutex<Vec<Archive>>,
}

/// Who is asking, and what they may read. Until users exist (issue 7) every request
/// is an anonymous reader cleared for everything.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The signed-in user's name, `None` when anonymous.
    pub user: Option<String>,
    /// What the viewer may read.
    pub clearance: Clearance,
}

impl Viewer {
    /// The viewer of an archive without users.
    pub fn anonymous() -> Viewer {
        Viewer {
            user: None,
            clearance: Clearance::all(),
        }
    }
}

impl AppState {
    /// Opens the archive in `dir` for serving (it must exist and be readable).
    pub fn open(dir: impl AsRef<Path>, config: ServerConfig) -> cablescope_archive::Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        let first = Archive::open_for_reading(&dir)?;
        Ok(AppState {
            inner: Arc::new(Inner {
                dir,
                config,
                idle: Mutex::new(vec![first]),
            }),
        })
    }

    /// The archive directory.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// The server's settings.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// Runs `f` with a read handle on a blocking thread, so slow searches never
    /// stall the async workers. Handles are reused; a new one is opened when all
    /// are busy.
    pub async fn read<T, F>(&self, f: F) -> cablescope_archive::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Archive) -> cablescope_archive::Result<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let handle = inner.idle.lock().expect("pool lock").pop();
            let archive = match handle {
                Some(a) => a,
                None => Archive::open_for_reading(&inner.dir)?,
            };
            let out = f(&archive);
            inner.idle.lock().expect("pool lock").push(archive);
            out
        })
        .await
        .expect("blocking read task panicked")
    }
}
