//! State shared by every request: the archive directory, a pool of read handles,
//! the server's configuration and limits, and its metrics.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use cablescope_archive::declass::Date;
use cablescope_archive::{Access, Archive, Clearance, Role, Store, User};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::auth::Auth;
use crate::error::ApiError;
use crate::metrics::Metrics;

/// Settings of a running server.
#[derive(Debug, Clone, Default)]
pub struct ServerConfig {
    /// Serve everything read-only to anyone (`serve --public`): no sign-in, every
    /// reader cleared for everything, ingest and user management refused (403
    /// `read_only`). Reads are still audited when the archive has users.
    pub public: bool,
    /// Evaluate declassification at this date instead of today (`serve --as-of`).
    pub as_of: Option<Date>,
}

/// Bounds on what one request, and all of them together, may cost.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Archive reads running at once (each holds a read handle and a blocking
    /// thread); more wait their turn.
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
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_reads: 16,
            max_exports: 4,
            request_timeout: Duration::from_secs(30),
            max_query_chars: 2000,
            max_uri_query_bytes: 16 * 1024,
            max_body_bytes: 64 * 1024,
            max_upload_bytes: 1 << 30,
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
    idle: Mutex<Vec<Archive>>,
    /// Permits for archive reads: bounds the handles and blocking threads in use.
    reads: Arc<Semaphore>,
    /// Permits for exports.
    exports: Arc<Semaphore>,
    /// One ingest at a time (the archive has one writer).
    ingests: Arc<Semaphore>,
    metrics: Metrics,
    auth: Auth,
}

/// How a [`Viewer`] came to be who they are (what the page header offers them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// An archive without users: anyone reads everything, nobody signs in.
    Open,
    /// `--public`: anyone reads everything, read-only; sign-in is off.
    Public,
    /// A closed archive (it has users) and nobody signed in. Only the pages that
    /// need no sign-in (`/login`, `/healthz`, the API documents) see this viewer.
    SignedOut,
    /// Signed in with an `Authorization: Bearer` token.
    Token,
    /// Signed in with a browser session (the cookie set by `POST /login`).
    Session,
}

/// Who is asking, and what they may read. Decided once per request, by the
/// authentication layer ([`crate::auth`]), and taken by every handler.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The signed-in user's name, `None` when nobody is signed in.
    pub user: Option<String>,
    /// The signed-in user's role, `None` when nobody is signed in.
    pub role: Option<Role>,
    /// What the viewer may read.
    pub clearance: Clearance,
    /// The date declassification is evaluated at (`serve --as-of`; `None`: today).
    pub as_of: Option<Date>,
    /// How the viewer was identified.
    pub standing: Standing,
    /// The session's CSRF token, for the forms of a page (signed in with a
    /// session only).
    pub csrf: Option<String>,
}

impl Viewer {
    /// The viewer of an archive without users: anonymous, cleared for everything.
    pub fn anonymous() -> Viewer {
        Viewer {
            user: None,
            role: None,
            clearance: Clearance::all(),
            as_of: None,
            standing: Standing::Open,
            csrf: None,
        }
    }

    /// Anyone, on a `--public` server: anonymous, cleared for everything.
    pub fn public() -> Viewer {
        Viewer {
            standing: Standing::Public,
            ..Viewer::anonymous()
        }
    }

    /// Nobody signed in, on a closed archive: cleared for nothing beyond
    /// UNCLASSIFIED (and shown only the pages that need no sign-in).
    pub fn signed_out() -> Viewer {
        Viewer {
            clearance: Clearance::none(),
            standing: Standing::SignedOut,
            ..Viewer::anonymous()
        }
    }

    /// `user`, signed in with a token or a session.
    pub fn user(user: &User, standing: Standing, csrf: Option<String>) -> Viewer {
        Viewer {
            user: Some(user.name.clone()),
            role: Some(user.role),
            clearance: user.clearance.clone(),
            as_of: None,
            standing,
            csrf,
        }
    }

    /// The same viewer, reading the archive as of `as_of`.
    pub fn at(self, as_of: Option<Date>) -> Viewer {
        Viewer { as_of, ..self }
    }

    /// True when a user is signed in.
    pub fn signed_in(&self) -> bool {
        self.user.is_some()
    }

    /// True when the viewer is a signed-in user whose role includes `needed`.
    pub fn has_role(&self, needed: Role) -> bool {
        self.role.is_some_and(|r| r.allows(needed))
    }

    /// The viewer as the archive's audit log and access checks know them.
    pub fn archive_viewer(&self) -> cablescope_archive::Viewer {
        cablescope_archive::Viewer {
            name: self.user.clone(),
            role: self.role,
            clearance: self.clearance.clone(),
        }
    }

    /// The viewer's [`Access`] to `archive`: their clearance, the server's as-of
    /// date (today by default) and the archive's declassification policy. Every
    /// archive read takes it.
    pub fn access(&self, archive: &Archive) -> cablescope_archive::Result<Access> {
        archive.access(self.clearance.clone(), self.as_of)
    }
}

/// Every handler (API and UI) takes a `Viewer`: the authentication layer
/// ([`crate::auth::authenticate`]) decides who it is, once, before any handler
/// runs, and leaves it in the request. A router built without that layer answers
/// 500 rather than guessing.
impl FromRequestParts<AppState> for Viewer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .ok_or_else(|| ApiError::internal("no viewer: the authentication layer is missing"))
    }
}

/// A read handle borrowed from the pool; it goes back to the pool when dropped.
pub struct Handle {
    archive: Option<Archive>,
    inner: Arc<Inner>,
}

impl Deref for Handle {
    type Target = Archive;

    fn deref(&self) -> &Archive {
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
    pub fn open(dir: impl AsRef<Path>, config: ServerConfig) -> cablescope_archive::Result<Self> {
        AppState::open_with_limits(dir, config, Limits::default())
    }

    /// Opens the archive in `dir` for serving, with `limits`.
    pub fn open_with_limits(
        dir: impl AsRef<Path>,
        config: ServerConfig,
        limits: Limits,
    ) -> cablescope_archive::Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        if !dir.join(cablescope_archive::store::DB_FILE).is_file() {
            // Opening would create an empty archive where a typo points.
            return Err(cablescope_archive::Error::NotFound(format!(
                "no archive at {}",
                dir.display()
            )));
        }
        let first = Archive::open_for_reading(&dir)?;
        let cables = first.store().count().unwrap_or(0);
        let metrics = Metrics::new();
        metrics.set_cables(cables);
        Ok(AppState {
            inner: Arc::new(Inner {
                config,
                reads: Arc::new(Semaphore::new(limits.max_reads.max(1))),
                exports: Arc::new(Semaphore::new(limits.max_exports.max(1))),
                limits,
                idle: Mutex::new(vec![first]),
                ingests: Arc::new(Semaphore::new(1)),
                metrics,
                auth: Auth::new(&dir),
                dir,
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
    pub fn checkout(&self) -> cablescope_archive::Result<Handle> {
        let idle = self
            .inner
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let archive = match idle {
            Some(a) => a,
            None => Archive::open_for_reading(&self.inner.dir)?,
        };
        let handle = Handle {
            archive: Some(archive),
            inner: self.inner.clone(),
        };
        handle.index().reload()?;
        Ok(handle)
    }

    /// Runs `f` with a read handle on a blocking thread, so slow searches never
    /// stall the async workers. Handles are reused; a new one is opened when all
    /// are busy. At most [`Limits::max_reads`] run at once; the others wait.
    pub async fn read<T, F>(&self, f: F) -> cablescope_archive::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Archive) -> cablescope_archive::Result<T> + Send + 'static,
    {
        let permit = self
            .inner
            .reads
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| cablescope_archive::Error::Other("the server is shutting down".into()))?;
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
            Err(e) => Err(cablescope_archive::Error::Other(format!(
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
}
