//! Users, their roles and clearances, and the tokens they read with (issue 7).
//!
//! An archive without users is open: everyone reads everything. Once one user
//! exists (even revoked or expired) the archive is closed and every reader needs a
//! token. Users live in `access.db` beside the cable store (see [`crate::access_db`]).
//!
//! ## Tokens
//!
//! A token is opaque: `cst_<id>_<secret>`, where `id` is 8 random bytes and
//! `secret` 32 random bytes from the operating system's generator, both in
//! lowercase hex. Only the id (to find the user) and the SHA-256 of the secret are
//! stored, so a copy of `access.db` yields no usable token. A token is shown once,
//! when it is made (`add`, `rotate`); rotating replaces it, and the old one stops
//! working at once.
//!
//! ```no_run
//! use cablescope_access::users::{Role, Users};
//! use cablescope_access::Clearance;
//!
//! let users = Users::open(std::path::Path::new("cablescope-data"))?;
//! let token = users.add("alice", &Clearance::parse("S", &["NOFORN"]).unwrap(), Role::Reader, Some(90))?;
//! let alice = users.authenticate(&token).expect("a fresh token works");
//! assert_eq!(alice.name, "alice");
//! # Ok::<(), cablescope_access::users::AccessError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::access_db::{self, from_us, to_us, AccessStore, UserRow};
pub use crate::access_db::{AccessError, AccessLocation};
use cablescope_format::marking::{Clearance, Control, Level};

/// Prefix of every token (so a leaked one is recognisable by secret scanners).
pub const TOKEN_PREFIX: &str = "cst_";
/// Random bytes in a token's public id.
const ID_BYTES: usize = 8;
/// Random bytes in a token's secret.
const SECRET_BYTES: usize = 32;

/// What a user may do. Ordered: an admin may do all a curator may, a curator all
/// a reader may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Reads what their clearance allows.
    Reader,
    /// Also curates (declassification, removal).
    Curator,
    /// Also manages users and reads the audit log.
    Admin,
}

impl Role {
    /// The name used on the command line and in `access.db`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Curator => "curator",
            Role::Admin => "admin",
        }
    }

    /// True when this role includes `needed` (admin ⊇ curator ⊇ reader).
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Role, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "reader" => Ok(Role::Reader),
            "curator" => Ok(Role::Curator),
            "admin" => Ok(Role::Admin),
            _ => Err(format!("unknown role {s:?}: use reader, curator or admin")),
        }
    }
}

/// A user as stored (never with their token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The user name (1–64 characters of `[A-Za-z0-9._@-]`).
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// What they may read.
    pub clearance: Clearance,
    /// When the user was added.
    pub created: Timestamp,
    /// When their token stops working (`None`: never).
    pub expires: Option<Timestamp>,
    /// True once revoked (the name stays taken).
    pub revoked: bool,
    /// The public id of their current token (not a secret: it appears in the token).
    pub token_id: String,
}

/// Whether a user's token works now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    /// The token works.
    Active,
    /// Past its expiry.
    Expired,
    /// Revoked.
    Revoked,
}

impl UserStatus {
    /// `active`, `expired` or `revoked`.
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Expired => "expired",
            UserStatus::Revoked => "revoked",
        }
    }
}

impl fmt::Display for UserStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl User {
    /// The user's status at `now` (revoked wins over expired).
    pub fn status_at(&self, now: Timestamp) -> UserStatus {
        if self.revoked {
            UserStatus::Revoked
        } else if self.expires.is_some_and(|e| e <= now) {
            UserStatus::Expired
        } else {
            UserStatus::Active
        }
    }

    /// The user's status now.
    pub fn status(&self) -> UserStatus {
        self.status_at(Timestamp::now())
    }
}

/// Why a token was refused. The messages say no more than needed: a wrong secret
/// and an unknown id read the same, so guessing learns nothing.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No token was given, and the archive has users.
    #[error("this archive has users: a token is required (--token or $CABLESCOPE_TOKEN)")]
    Missing,
    /// Not shaped like a cablescope token.
    #[error("malformed token (a token looks like cst_<16 hex>_<64 hex>)")]
    Malformed,
    /// No user has this token.
    #[error("invalid token")]
    Unknown,
    /// The token's user has expired.
    #[error("token expired")]
    Expired,
    /// The token's user was revoked.
    #[error("token revoked")]
    Revoked,
    /// The access database could not be read.
    #[error(transparent)]
    Store(#[from] AccessError),
}

/// The users of one archive (`access.db` in its directory, or the shared
/// database), and the sessions they sign in with (see [`crate::sessions`]).
pub struct Users {
    pub(crate) db: Box<dyn AccessStore>,
}

impl fmt::Debug for Users {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Users").finish_non_exhaustive()
    }
}

/// True when the archive at `at` has users (revoked and expired ones count), i.e.
/// it is closed. Creates nothing: an archive without `access.db` has no users.
pub fn has_users(at: impl Into<AccessLocation>) -> Result<bool, AccessError> {
    let at = at.into();
    if !access_db::exists(&at) {
        return Ok(false);
    }
    Users::open(&at)?.has_users()
}

/// Checks a user name: 1–64 characters of `[A-Za-z0-9._@-]`.
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'@' | b'-'))
}

/// The rank (0 = U … 4 = TS) of a level written as a code or a full name, any
/// case: `U`, `SBU`, `LOU`, `C`, `S`, `TS`, `secret`, `Top Secret`, `top-secret`,
/// `Limited Official Use` (LOU counts as SBU).
pub fn parse_level(s: &str) -> Option<u8> {
    let norm = s.trim().replace(['-', '_'], " ");
    let norm = norm.split_whitespace().collect::<Vec<_>>().join(" ");
    Level::parse(&norm).map(Level::rank)
}

/// A control a reader may be granted, by name or code, any case (`noforn`,
/// `NF`, `orcon`, `eyes only`, `SI`, `EXDIS`): any control of the marking
/// vocabulary ([`Control::ALL`]), or `None` for an unknown name.
pub fn parse_caveat(s: &str) -> Option<Control> {
    Control::parse(s)
}

/// Every control name, comma-separated (for error messages).
pub fn control_names() -> String {
    Control::ALL
        .iter()
        .map(|c| c.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A clearance from a level and controls as a person writes them; unknown levels
/// and controls are errors (a typo must not silently narrow or widen a clearance).
pub fn parse_clearance(level: &str, caveats: &[&str]) -> Result<Clearance, AccessError> {
    let rank = parse_level(level).ok_or_else(|| {
        AccessError::InvalidClearance(format!(
            "unknown clearance level {level:?}: use U, SBU (LOU), C, S or TS, or their full names"
        ))
    })?;
    let mut out = Clearance::none();
    out.rank = rank;
    for c in caveats.iter().flat_map(|c| c.split(',')) {
        if c.trim().is_empty() {
            continue;
        }
        let cv = parse_caveat(c).ok_or_else(|| {
            AccessError::InvalidClearance(format!(
                "unknown control {:?}: use {}",
                c.trim(),
                control_names()
            ))
        })?;
        out.controls.insert(cv);
    }
    Ok(out)
}

/// A clearance written as one word: the level code, then each control's name in
/// alphabetical order, joined by `+` (`U`, `C+NOFORN`, `TS+EXDIS+NOFORN`). The
/// stored and logged form; rows written by earlier versions (the same names)
/// read back unchanged.
pub fn clearance_label(c: &Clearance) -> String {
    let mut names: Vec<&str> = c.controls.iter().map(|c| c.name()).collect();
    names.sort_unstable();
    let mut s = c.level().code().to_string();
    for n in names {
        s.push('+');
        s.push_str(n);
    }
    s
}

/// Reads a [`clearance_label`] back.
pub fn parse_clearance_label(s: &str) -> Option<Clearance> {
    let mut parts = s.split('+');
    let level = parts.next()?;
    let cvs: Vec<&str> = parts.collect();
    parse_clearance(level, &cvs).ok()
}

/// A new token: its public id, its secret and its text form.
struct NewToken {
    id: String,
    digest: String,
    text: String,
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn new_token() -> Result<NewToken, AccessError> {
    let mut id = [0u8; ID_BYTES];
    let mut secret = [0u8; SECRET_BYTES];
    getrandom::fill(&mut id).map_err(|e| AccessError::Random(e.to_string()))?;
    getrandom::fill(&mut secret).map_err(|e| AccessError::Random(e.to_string()))?;
    let id = hex(&id);
    let secret = hex(&secret);
    Ok(NewToken {
        digest: sha256_hex(secret.as_bytes()),
        text: format!("{TOKEN_PREFIX}{id}_{secret}"),
        id,
    })
}

/// The public id of a well-formed token (the account it claims, not a proof of
/// it): what sign-in limits count failures by. `None` for a malformed token.
pub fn token_account(token: &str) -> Option<&str> {
    split_token(token.trim()).map(|(id, _)| id)
}

/// Splits a token into its public id and secret, checking the shape exactly.
fn split_token(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix(TOKEN_PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    let lower_hex = |s: &str, n: usize| {
        s.len() == n
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    (lower_hex(id, ID_BYTES * 2) && lower_hex(secret, SECRET_BYTES * 2)).then_some((id, secret))
}

/// Compares two byte strings in time that depends only on their lengths: an
/// early exit at the first differing byte would tell an attacker, by timing, how
/// much of a guessed digest was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl UserRow {
    fn into_user(self) -> Result<User, AccessError> {
        let damaged = |what: &str| AccessError::Damaged(format!("user {}: {what}", self.name));
        Ok(User {
            role: self.role.parse().map_err(|_| damaged("role"))?,
            clearance: parse_clearance_label(&self.clearance)
                .ok_or_else(|| damaged("clearance"))?,
            created: from_us(self.created_us)?,
            expires: self.expires_us.map(from_us).transpose()?,
            revoked: self.revoked,
            token_id: self.token_id,
            name: self.name,
        })
    }
}

impl Users {
    /// Opens the users of the archive at `at` (a directory, which must exist, or
    /// an [`AccessLocation`]), creating the access tables on first use.
    pub fn open(at: impl Into<AccessLocation>) -> Result<Users, AccessError> {
        Ok(Users {
            db: access_db::open(&at.into())?,
        })
    }

    /// Adds a user and returns their token (shown once: only its digest is kept).
    /// `expires_days`: the token stops working that many days from now.
    pub fn add(
        &self,
        name: &str,
        clearance: &Clearance,
        role: Role,
        expires_days: Option<u32>,
    ) -> Result<String, AccessError> {
        self.add_at(name, clearance, role, expires_days, Timestamp::now())
    }

    /// [`Users::add`] with the clock given: the user is created at `now` (tests
    /// make expired users this way, without waiting).
    pub fn add_at(
        &self,
        name: &str,
        clearance: &Clearance,
        role: Role,
        expires_days: Option<u32>,
        now: Timestamp,
    ) -> Result<String, AccessError> {
        if !valid_name(name) {
            return Err(AccessError::InvalidName(name.to_string()));
        }
        let expires = match expires_days {
            None => None,
            Some(d) => Some(
                now.checked_add(jiff::SignedDuration::from_hours(i64::from(d) * 24))
                    .map_err(|_| AccessError::ExpiryOutOfRange(d))?,
            ),
        };
        let token = new_token()?;
        let inserted = self.db.insert_user(&UserRow {
            name: name.to_string(),
            role: role.as_str().to_string(),
            clearance: clearance_label(clearance),
            created_us: to_us(now),
            expires_us: expires.map(to_us),
            revoked: false,
            token_id: token.id,
            token_digest: token.digest,
        })?;
        if !inserted {
            return Err(AccessError::NameTaken(name.to_string()));
        }
        Ok(token.text)
    }

    /// Every user, by name.
    pub fn list(&self) -> Result<Vec<User>, AccessError> {
        self.db
            .users()?
            .into_iter()
            .map(UserRow::into_user)
            .collect()
    }

    /// One user by name.
    pub fn get(&self, name: &str) -> Result<Option<User>, AccessError> {
        self.db.user(name)?.map(UserRow::into_user).transpose()
    }

    /// Revokes a user: their token stops working and the name stays taken.
    /// Returns false when they were revoked already.
    pub fn revoke(&self, name: &str) -> Result<bool, AccessError> {
        let changed = self.db.revoke(name)?;
        if !changed && self.get(name)?.is_none() {
            return Err(AccessError::NoSuchUser(name.to_string()));
        }
        Ok(changed)
    }

    /// Gives a user a new token and returns it; the old one stops working at once.
    /// The expiry is kept. A revoked user gets none.
    pub fn rotate(&self, name: &str) -> Result<String, AccessError> {
        let token = new_token()?;
        if !self.db.set_token(name, &token.id, &token.digest)? {
            return Err(match self.get(name)? {
                None => AccessError::NoSuchUser(name.to_string()),
                Some(_) => AccessError::UserRevoked(name.to_string()),
            });
        }
        Ok(token.text)
    }

    /// [`Users::add`] on behalf of an administrator cleared for `actor`: refused
    /// ([`AccessError::AboveOwnClearance`]) unless the new clearance is within the
    /// actor's (`Clearance::within`: no higher level, no control the actor lacks).
    /// What the API's admins go through; file-system access (the CLI) is the root
    /// and uses [`Users::add`].
    pub fn add_as(
        &self,
        actor: &Clearance,
        name: &str,
        clearance: &Clearance,
        role: Role,
        expires_days: Option<u32>,
    ) -> Result<String, AccessError> {
        if !clearance.within(actor) {
            return Err(AccessError::AboveOwnClearance(format!(
                "cannot add {name} cleared {}: that is above your own clearance ({})",
                clearance_label(clearance),
                clearance_label(actor)
            )));
        }
        self.add(name, clearance, role, expires_days)
    }

    /// [`Users::rotate`] on behalf of an administrator cleared for `actor`: the new
    /// token is shown to the actor, so a user whose clearance is not within the
    /// actor's is refused ([`AccessError::AboveOwnClearance`]).
    pub fn rotate_as(&self, actor: &Clearance, name: &str) -> Result<String, AccessError> {
        if let Some(u) = self.get(name)? {
            if !u.clearance.within(actor) {
                return Err(AccessError::AboveOwnClearance(format!(
                    "cannot rotate the token of {name} cleared {}: that is above your own clearance ({}), and the new token would be yours",
                    clearance_label(&u.clearance),
                    clearance_label(actor)
                )));
            }
        }
        self.rotate(name)
    }

    /// True when there is any user, revoked and expired ones included: once users
    /// exist the archive is closed to readers without a token.
    pub fn has_users(&self) -> Result<bool, AccessError> {
        self.db.has_users()
    }

    /// The user a token belongs to, if it works now.
    pub fn authenticate(&self, token: &str) -> Result<User, AuthError> {
        self.authenticate_at(token, Timestamp::now())
    }

    /// [`Users::authenticate`] at the time `now` (expiry is checked against it).
    pub fn authenticate_at(&self, token: &str, now: Timestamp) -> Result<User, AuthError> {
        let token = token.trim();
        if token.is_empty() {
            return Err(AuthError::Missing);
        }
        let (id, secret) = split_token(token).ok_or(AuthError::Malformed)?;
        // The digest is computed before the lookup, so an unknown id and a wrong
        // secret cost the same.
        let digest = sha256_hex(secret.as_bytes());
        let raw = self.db.user_by_token(id)?;
        let Some(raw) = raw else {
            return Err(AuthError::Unknown);
        };
        if !constant_time_eq(digest.as_bytes(), raw.token_digest.as_bytes()) {
            return Err(AuthError::Unknown);
        }
        // Only a holder of the right secret learns that it was revoked or expired.
        let user = raw.into_user()?;
        match user.status_at(now) {
            UserStatus::Active => Ok(user),
            UserStatus::Expired => Err(AuthError::Expired),
            UserStatus::Revoked => Err(AuthError::Revoked),
        }
    }
}

/// Names and clearances of the demo users of [`demo_users`].
pub const DEMO_USERS: &[(&str, &str, &[&str])] = &[
    ("reader-u", "U", &[]),
    ("reader-c", "C", &[]),
    ("reader-s-nf", "S", &["NOFORN"]),
];

/// Creates the demo's three readers in the archive in `dir`: `reader-u` (U),
/// `reader-c` (C) and `reader-s-nf` (S with NOFORN). Returns (name, clearance
/// label, token) for each.
pub fn demo_users(
    at: impl Into<AccessLocation>,
) -> Result<Vec<(String, String, String)>, AccessError> {
    let users = Users::open(at)?;
    let mut out = Vec::new();
    for (name, level, caveats) in DEMO_USERS {
        let clearance = parse_clearance(level, caveats)?;
        let token = users.add(name, &clearance, Role::Reader, None)?;
        out.push((name.to_string(), clearance_label(&clearance), token));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shape() {
        let t = new_token().unwrap();
        assert!(t.text.starts_with("cst_"));
        assert_eq!(t.text.len(), 4 + 16 + 1 + 64);
        let (id, secret) = split_token(&t.text).unwrap();
        assert_eq!(id, t.id);
        assert_eq!(sha256_hex(secret.as_bytes()), t.digest);
        assert!(split_token("cst_abc_def").is_none());
        assert!(split_token(&t.text.to_uppercase()).is_none());
        assert_ne!(new_token().unwrap().text, t.text);
    }

    #[test]
    fn names_levels_caveats() {
        assert!(valid_name("alice.b@ex-ample_1"));
        assert!(!valid_name(""));
        assert!(!valid_name("a b"));
        assert!(!valid_name(&"x".repeat(65)));
        assert!(valid_name(&"x".repeat(64)));
        assert_eq!(parse_level("Top Secret"), Some(4));
        assert_eq!(parse_level("top-secret"), Some(4));
        assert_eq!(parse_level("secret"), Some(3));
        assert_eq!(parse_level("LOU"), Some(1));
        assert_eq!(parse_level("limited official use"), Some(1));
        assert_eq!(parse_level("restricted"), None);
        assert_eq!(parse_caveat("eyes only"), Some(Control::EyesOnly));
        assert_eq!(parse_caveat("EYES_ONLY"), Some(Control::EyesOnly));
        assert_eq!(parse_caveat("noforn"), Some(Control::Noforn));
        assert_eq!(parse_caveat("orcon"), Some(Control::Orcon));
        assert_eq!(parse_caveat("SI"), Some(Control::Si));
        assert_eq!(parse_caveat("NOFRON"), None);
        let c = parse_clearance("c", &["NOFORN,exdis"]).unwrap();
        assert_eq!(clearance_label(&c), "C+EXDIS+NOFORN");
        assert_eq!(parse_clearance_label("C+EXDIS+NOFORN"), Some(c.clone()));
        assert_eq!(parse_clearance_label("C+NOFORN+EXDIS"), Some(c));
        assert!(parse_clearance_label("TS+EYES_ONLY").is_some());
        let e = parse_clearance("C", &["NOFRON"]).unwrap_err().to_string();
        assert!(e.contains("NOFRON") && e.contains("ORCON"), "{e}");
        assert_eq!(
            clearance_label(&Clearance::all()).split('+').count(),
            1 + Control::ALL.len()
        );
    }

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Admin.allows(Role::Curator));
        assert!(Role::Curator.allows(Role::Reader));
        assert!(!Role::Reader.allows(Role::Curator));
        assert_eq!("ADMIN".parse::<Role>(), Ok(Role::Admin));
        assert!("root".parse::<Role>().is_err());
        assert!(!crate::viewer::Viewer::anonymous().has_role(Role::Reader));
    }

    #[test]
    fn constant_time_compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
