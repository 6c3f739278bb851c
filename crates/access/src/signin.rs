//! Signing in outside the server: who reads an archive with a token (the CLI).

use crate::access_db::AccessLocation;
use crate::audit::{AuditEntry, AuditLog, ANONYMOUS};
use crate::users::{has_users, AccessError, AuthError, Users};
use crate::viewer::Viewer;

/// Why [`viewer_for`] refused a reader.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// The token was refused (missing, malformed, unknown, expired, revoked).
    #[error(transparent)]
    Refused(AuthError),
    /// The users could not be read.
    #[error(transparent)]
    Store(#[from] AccessError),
}

/// Who reads the archive at `at` (its directory, or an [`AccessLocation`]) with `token`: the anonymous reader cleared for
/// everything when the archive has no users; else the token's user. A refused
/// token is recorded in the audit log as `login_failed` (`how` says where from:
/// `cli`), and returned as [`SignInError::Refused`].
pub fn viewer_for(
    at: impl Into<AccessLocation>,
    token: Option<&str>,
    how: &str,
) -> Result<Viewer, SignInError> {
    let at = at.into();
    if !has_users(&at)? {
        return Ok(Viewer::anonymous());
    }
    let users = Users::open(&at)?;
    match users.authenticate(token.unwrap_or("")) {
        Ok(user) => Ok(Viewer::from_user(&user)),
        Err(AuthError::Store(e)) => Err(SignInError::Store(e)),
        Err(source) => {
            // Failed attempts are worth a trace; the refusal stands even if the
            // trace cannot be written.
            let entry = AuditEntry::new(ANONYMOUS, "login_failed", &format!("{how}: {source}"));
            if let Err(e) = AuditLog::open(&at).and_then(|log| log.record(&entry)) {
                eprintln!("cablescope: warning: cannot write the audit log: {e}");
            }
            Err(SignInError::Refused(source))
        }
    }
}
