//! Who is asking ([`Viewer`]) and how they came to be who they are
//! ([`Standing`]): decided once per request by the authentication layer
//! ([`crate::gate`]) and taken by every handler.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use cablescope_access::declass::Date;
use cablescope_access::{Clearance, Role, User};

use crate::error::ApiError;

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
/// authentication layer ([`crate::gate`]), and taken by every handler.
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

    /// The viewer as the security model (sessions, the audit log) knows them.
    pub fn access_viewer(&self) -> cablescope_access::Viewer {
        cablescope_access::Viewer {
            name: self.user.clone(),
            role: self.role,
            clearance: self.clearance.clone(),
        }
    }
}

/// Every handler (API and UI) takes a `Viewer`: the authentication layer
/// ([`crate::gate::authenticate`]) decides who it is, once, before any handler
/// runs, and leaves it in the request. A router built without that layer answers
/// 500 rather than guessing.
impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .ok_or_else(|| ApiError::internal("no viewer: the authentication layer is missing"))
    }
}
