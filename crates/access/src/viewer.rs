//! Who reads: a user of the archive, or the anonymous reader of an archive
//! without users. What every session and audit entry is made for.

use cablescope_format::marking::Clearance;

use crate::users::{Role, User};

/// The `who` of entries made by a reader of an archive without users.
pub const ANONYMOUS: &str = "anonymous";

/// Who reads, and what they may read: shared by the CLI, the access checks and the
/// server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// The user's name; `None` for the anonymous reader of an archive without users.
    pub name: Option<String>,
    /// The user's role; `None` when anonymous.
    pub role: Option<Role>,
    /// What the viewer may read.
    pub clearance: Clearance,
}

impl Viewer {
    /// The reader of an archive without users: anonymous, cleared for everything.
    pub fn anonymous() -> Viewer {
        Viewer {
            name: None,
            role: None,
            clearance: Clearance::all(),
        }
    }

    /// The viewer signed in as `user`.
    pub fn from_user(user: &User) -> Viewer {
        Viewer {
            name: Some(user.name.clone()),
            role: Some(user.role),
            clearance: user.clearance.clone(),
        }
    }

    /// The name written in the audit log: the user's, or `anonymous`.
    pub fn who(&self) -> &str {
        self.name.as_deref().unwrap_or(ANONYMOUS)
    }

    /// The clearance as written in the audit log (`C+NOFORN`).
    pub fn clearance_label(&self) -> String {
        crate::users::clearance_label(&self.clearance)
    }

    /// True when the viewer is a signed-in user whose role includes `needed`.
    /// The anonymous viewer has no role: what it may do beyond reading is the
    /// caller's decision (the CLI treats file access to an archive as admin).
    pub fn has_role(&self, needed: Role) -> bool {
        self.role.is_some_and(|r| r.allows(needed))
    }
}
