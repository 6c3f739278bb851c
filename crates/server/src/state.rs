//! State shared by every request: the archive directory, a pool of read handles
//! (each a [`Library`]: records are read only through a [`Session`]), the
//! server's configuration and limits, users and sessions ([`Auth`]) and metrics.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use cablescope_access::declass::Date;
use cablescope_access::{Auditor, FollowOptions, Follower, Library, Role, Session, StoreLocation};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::auth::limit::Policy;
use crate::auth::proxy::TrustedProxies;
use crate::auth::Auth;
use crate::conn::ConnLimits;
use crate::metrics::Metrics;
use crate::viewer::Viewer;

/// Settings of a running server.
#[derive(Debug, Clone, Default)]
pub struct ServerConfig {
    /// Serve everything read-only to anyone (`serve --public`): no sign-in, every
    /// reader cleared for everything, ingest and user management refused (403
    /// `read_only`). Reads are still audited when the archive has users.
    pub public: bool,
    /// Evaluate declassification at this date instead of today (`serve --as-of`).
    pub as_of: Option<Date>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`serve
    /// --trusted-proxy`); see [`crate::auth::proxy`].
    pub trusted_proxies: TrustedProxies,
    /// Where the archive's store is (`serve --database`): the embedded one in the
    /// archive directory, or a shared PostgreSQL database that this node keeps
    /// its own index of, in the archive directory ([`cablescope_archive::Follower`]).
    pub store: StoreLocation,
    /// A streaming replica of the shared database to read from (`serve
    /// --read-database`): the node's index follows it and cables are read from
    /// it, while writes (ingest, users, sessions, the audit log) go to `store`,
    /// the primary. `None`: everything on `store`.
    pub read_store: Option<StoreLocation>,
}

impl ServerConfig {
    /// Where this node reads cables and follows changes from: the replica when
    /// one is given, else the store.
    pub fn read_location(&self) -> &StoreLocation {
        self.read_store.as_ref().unwrap_or(&self.store)
    }
}

/// Bounds on what one request, and all of them together, may cost.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Archive reads running at once (each holds a read handle and a blocking
    /// thread); more wait their turn, first come first served. Default: two per
    /// core. A search is CPU work: with more at once (it was 16) the cores are
    /// shared among all of them and a long search's answer waits on every other;
    /// 251,287 cables, 32 clients on 2 cores: p99 540 ms with 16, 239 ms with 4,
    /// at the same throughput.
    pub max_reads: usize,
    /// Exports streaming at once; more get `503 busy`.
    pub max_exports: usize,
    /// Longest time to produce a response's head (an export's streamed body is not
    /// bounded: it may take as long as the client reads); then `503 timeout`.
    pub request_timeout: Duration,
    /// Longest query `q`, in characters; longer gets `400 query_too_long`.
    pub max_query_chars: usize,
    /// Longest query string of a URL, in bytes; longer gets `414 uri_too_long`.
    pub max_uri_query_bytes: usize,
    /// Largest request body, in bytes (forms, JSON bodies); larger gets 413.
    pub max_body_bytes: usize,
    /// Largest upload to `POST /api/ingest`, in bytes; larger gets 413.
    pub max_upload_bytes: u64,
    /// Bounds on connections: timeouts and caps ([`ConnLimits`]).
    pub connections: ConnLimits,
    /// Failed sign-ins allowed ([`crate::auth::limit`]).
    pub sign_in: Policy,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_reads: 2 * std::thread::available_parallelism().map_or(2, |n| n.get()),
            max_exports: 4,
            request_timeout: Duration::from_secs(30),
            max_query_chars: 2000,
            max_uri_query_bytes: 16 * 1024,
            max_body_bytes: 64 * 1024,
            max_upload_bytes: 1 << 30,
            connections: ConnLimits::default(),
            sign_in: Policy::default(),
        }
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
    limits: Limits,
    /// Idle read handles. A rusqlite connection is `Send` but not `Sync`, so each
    /// request borrows a whole handle for the duration of one blocking call.
    idle: Mutex<Vec<Library>>,
    /// Permits for archive reads: bounds the handles and blocking threads in use.
    reads: Arc<Semaphore>,
    /// Permits for exports.
    exports: Arc<Semaphore>,
    /// One ingest at a time (the archive has one writer).
    ingests: Arc<Semaphore>,
    metrics: Metrics,
    auth: Auth,
    /// Keeps the node's index up with a shared database (none when embedded).
    _follower: Option<Follower>,
}

/// A read handle borrowed from the pool; it goes back to the pool when dropped.
pub struct Handle {
    archive: Option<Library>,
    inner: Arc<Inner>,
}

impl Deref for Handle {
    type Target = Library;

    fn deref(&self) -> &Library {
        self.archive
            .as_ref()
            .expect("a handle holds its archive until dropped")
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Some(a) = self.archive.take() {
            self.inner
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(a);
        }
    }
}

impl AppState {
    /// Opens the archive in `dir` for serving (it must exist and be readable), with
    /// the default [`Limits`].
    pub fn open(dir: impl AsRef<Path>, config: ServerConfig) -> cablescope_access::Result<Self> {
        AppState::open_with_limits(dir, config, Limits::default())
    }

    /// Opens the archive in `dir` for serving, with `limits`.
    pub fn open_with_limits(
        dir: impl AsRef<Path>,
        config: ServerConfig,
        limits: Limits,
    ) -> cablescope_access::Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        // Refuses an absent archive (opening would create one where a typo points).
        let first = Library::open_for_reading_on(&dir, config.read_location())?;
        // A node of a shared database catches its index up before it serves, then
        // follows every write (of any node or the CLI).
        let follower = if config.store.is_shared() {
            Some(Follower::start(
                &dir,
                config.read_location(),
                FollowOptions::default(),
            )?)
        } else {
            None
        };
        let cables = first.cable_count().unwrap_or(0);
        // The server writes `access.db`, uploads and ingests: whatever it creates
        // is private to its owner.
        cablescope_access::files::private_umask();
        let metrics = Metrics::new();
        metrics.set_cables(cables);
        let auth = Auth::with_policy(
            cablescope_access::AccessLocation::beside(&dir, &config.store),
            limits.sign_in.clone(),
        );
        Ok(AppState {
            inner: Arc::new(Inner {
                config,
                reads: Arc::new(Semaphore::new(limits.max_reads.max(1))),
                exports: Arc::new(Semaphore::new(limits.max_exports.max(1))),
                limits,
                idle: Mutex::new(vec![first]),
                ingests: Arc::new(Semaphore::new(1)),
                metrics,
                auth,
                dir,
                _follower: follower,
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

    /// The server's limits.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// The server's metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// Borrows a read handle (blocking: call it on a blocking thread). The handle
    /// sees every commit made so far, by this process or another one (an ingest
    /// running beside the server).
    pub fn checkout(&self) -> cablescope_access::Result<Handle> {
        let idle = self
            .inner
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let archive = match idle {
            Some(a) => a,
            None => {
                Library::open_for_reading_on(&self.inner.dir, self.inner.config.read_location())?
            }
        };
        let handle = Handle {
            archive: Some(archive),
            inner: self.inner.clone(),
        };
        handle.reload()?;
        Ok(handle)
    }

    /// Runs `f` with a read handle on a blocking thread, so slow searches never
    /// stall the async workers. Handles are reused; a new one is opened when all
    /// are busy. At most [`Limits::max_reads`] run at once; the others wait.
    pub async fn read<T, F>(&self, f: F) -> cablescope_access::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Library) -> cablescope_access::Result<T> + Send + 'static,
    {
        let permit = self
            .inner
            .reads
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| cablescope_access::Error::Other("the server is shutting down".into()))?;
        let state = self.clone();
        let task = tokio::task::spawn_blocking(move || {
            // The permit lives as long as the blocking work, even when the request
            // that started it has timed out and gone.
            let _permit = permit;
            let handle = state.checkout()?;
            f(&handle)
        });
        match task.await {
            Ok(r) => r,
            Err(e) => Err(cablescope_access::Error::Other(format!(
                "a read task failed: {e}"
            ))),
        }
    }

    /// A permit to stream an export, if fewer than [`Limits::max_exports`] run.
    pub fn try_export_permit(&self) -> Option<OwnedSemaphorePermit> {
        self.inner.exports.clone().try_acquire_owned().ok()
    }

    /// The permit to write the archive, if no other ingest of this server runs.
    pub fn try_ingest_permit(&self) -> Option<OwnedSemaphorePermit> {
        self.inner.ingests.clone().try_acquire_owned().ok()
    }

    /// Users, sessions, sign-in limits and the audit log.
    pub fn auth(&self) -> &Auth {
        &self.inner.auth
    }

    /// The audit sink of every read.
    pub fn auditor(&self) -> &Auditor {
        self.inner.auth.auditor()
    }

    /// The session of `viewer` on the read handle `lib`: their clearance, the
    /// server's as-of date, the archive's policy, audited. Every archive read of a
    /// handler goes through one.
    pub fn session<'a>(
        &'a self,
        lib: &'a Library,
        viewer: &Viewer,
    ) -> cablescope_access::Result<Session<'a>> {
        // Where the operator keeps the inputs is for administrators only.
        Ok(lib
            .session(&viewer.access_viewer(), viewer.as_of, self.auditor())?
            .hiding_paths(!viewer.has_role(Role::Admin)))
    }

    /// Runs `f` with `viewer`'s session on a read handle, on a blocking thread
    /// ([`AppState::read`]).
    pub async fn with_session<T, F>(&self, viewer: &Viewer, f: F) -> cablescope_access::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Session<'_>) -> cablescope_access::Result<T> + Send + 'static,
    {
        let st = self.clone();
        let v = viewer.clone();
        self.read(move |lib| {
            let s = st.session(lib, &v)?;
            f(&s)
        })
        .await
    }
}
