//! Browser sessions: who signed in, kept with the users (`access.db`, or the shared
//! database), so a server restart keeps them and a sign-in on one node of a shared
//! deployment is a session on every node.
//!
//! A session id is 32 random bytes (hex) that only the browser holds, in a cookie;
//! the store keeps its SHA-256, so a copy of the table yields no usable cookie.
//! A session remembers the id of the token it was opened with: the server ends it
//! when that token is rotated or revoked, or its user expires. Sessions end after
//! [`IDLE`] without a request and [`ABSOLUTE`] after sign-in at the latest; at most
//! [`MAX_SESSIONS`] are kept (the least recently seen go first).
//!
//! The last-seen time is written at most once per [`TOUCH_EVERY`]: a request reads
//! its session, and only some requests write, so a busy browser does not turn
//! every page into a database write. The idle limit is two hours; a minute of
//! slack in it is harmless.

use std::time::Duration;

use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::access_db::{to_us, AccessError, SessionRow};
use crate::users::{User, Users};

/// A session ends after this long without a request.
pub const IDLE: Duration = Duration::from_secs(2 * 3600);

/// A session ends this long after sign-in, however busy.
pub const ABSOLUTE: Duration = Duration::from_secs(12 * 3600);

/// Most sessions kept; past it the least recently seen one is ended.
pub const MAX_SESSIONS: usize = 10_000;

/// A session's last-seen time is written when it is older than this.
pub const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// Random bytes in a session id, a CSRF token and the sign-in form's token.
const RANDOM_BYTES: usize = 32;

/// A fresh random value: 32 bytes from the operating system, as lowercase hex.
pub fn random_hex() -> Result<String, AccessError> {
    let mut b = [0u8; RANDOM_BYTES];
    getrandom::fill(&mut b).map_err(|e| AccessError::Random(e.to_string()))?;
    Ok(hex(&b))
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for x in bytes {
        use std::fmt::Write;
        let _ = write!(s, "{x:02x}");
    }
    s
}

/// True when `s` has the shape of a value made by [`random_hex`] (checked before
/// any lookup, so a hostile cookie costs nothing).
pub fn well_formed(s: &str) -> bool {
    s.len() == RANDOM_BYTES * 2
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// What is stored for a session id: its SHA-256.
fn digest(id: &str) -> String {
    hex(&Sha256::digest(id.as_bytes()))
}

fn micros(d: Duration) -> i64 {
    d.as_micros().min(i64::MAX as u128) as i64
}

/// What a live session says about its browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// The user's name.
    pub user: String,
    /// The id of the token the user signed in with.
    pub token_id: String,
    /// The session's CSRF token (the hidden field of every form it posts).
    pub csrf: String,
}

impl Users {
    /// Opens a session for `user` at `now`; returns the session id (for the
    /// cookie: only its digest is stored) and its CSRF token.
    pub fn open_session(
        &self,
        user: &User,
        now: Timestamp,
    ) -> Result<(String, String), AccessError> {
        let id = random_hex()?;
        let csrf = random_hex()?;
        let now_us = to_us(now);
        self.db.insert_session(
            &digest(&id),
            &SessionRow {
                user: user.name.clone(),
                token_id: user.token_id.clone(),
                csrf: csrf.clone(),
                created_us: now_us,
                last_seen_us: now_us,
            },
            now_us - micros(IDLE),
            now_us - micros(ABSOLUTE),
            MAX_SESSIONS,
        )?;
        Ok((id, csrf))
    }

    /// The live session `id` at `now` (its idle clock restarts); `None` when
    /// unknown, malformed or expired (an expired one is deleted). Whether its user
    /// may still read is the caller's to check (see [`SessionInfo::token_id`]).
    pub fn session(&self, id: &str, now: Timestamp) -> Result<Option<SessionInfo>, AccessError> {
        if !well_formed(id) {
            return Ok(None);
        }
        let key = digest(id);
        let Some(row) = self.db.session(&key)? else {
            return Ok(None);
        };
        let now_us = to_us(now);
        if now_us.saturating_sub(row.last_seen_us) >= micros(IDLE)
            || now_us.saturating_sub(row.created_us) >= micros(ABSOLUTE)
        {
            self.db.delete_session(&key)?;
            return Ok(None);
        }
        if now_us.saturating_sub(row.last_seen_us) >= micros(TOUCH_EVERY) {
            self.db.touch_session(&key, now_us)?;
        }
        Ok(Some(SessionInfo {
            user: row.user,
            token_id: row.token_id,
            csrf: row.csrf,
        }))
    }

    /// Ends session `id`; true when it existed.
    pub fn end_session(&self, id: &str) -> Result<bool, AccessError> {
        if !well_formed(id) {
            return Ok(false);
        }
        self.db.delete_session(&digest(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::Role;
    use cablescope_format::marking::Clearance;
    use jiff::SignedDuration;

    fn at(t0: Timestamp, d: Duration) -> Timestamp {
        t0 + SignedDuration::try_from(d).unwrap()
    }

    #[test]
    fn sessions_expire_when_idle_and_at_the_absolute_limit() {
        let d = tempfile::tempdir().unwrap();
        let users = Users::open(d.path()).unwrap();
        users
            .add("alice", &Clearance::all(), Role::Reader, None)
            .unwrap();
        let alice = users.get("alice").unwrap().unwrap();
        let t0 = Timestamp::now();
        let (id, csrf) = users.open_session(&alice, t0).unwrap();
        assert!(well_formed(&id) && well_formed(&csrf) && id != csrf);
        let info = users.session(&id, at(t0, IDLE / 2)).unwrap().unwrap();
        assert_eq!(info.user, "alice");
        assert_eq!(info.csrf, csrf);
        assert_eq!(info.token_id, alice.token_id);
        // Touched at IDLE/2: alive until IDLE/2 + IDLE.
        assert!(users.session(&id, at(t0, IDLE)).unwrap().is_some());
        // Kept busy, it still ends at the absolute limit.
        let mut t = IDLE;
        while t < ABSOLUTE - IDLE / 2 {
            t += IDLE / 2;
            assert!(users.session(&id, at(t0, t)).unwrap().is_some());
        }
        assert!(users.session(&id, at(t0, ABSOLUTE)).unwrap().is_none());
        assert!(
            users.db.session(&digest(&id)).unwrap().is_none(),
            "an expired session is deleted"
        );

        let (id2, _) = users.open_session(&alice, t0).unwrap();
        assert!(
            users.session(&id2, at(t0, IDLE)).unwrap().is_none(),
            "idle for IDLE"
        );
        assert!(users.session("not-hex", t0).unwrap().is_none());
    }

    #[test]
    fn only_the_digest_is_stored_and_sign_out_ends_it() {
        let d = tempfile::tempdir().unwrap();
        let users = Users::open(d.path()).unwrap();
        users
            .add("bob", &Clearance::all(), Role::Reader, None)
            .unwrap();
        let bob = users.get("bob").unwrap().unwrap();
        let now = Timestamp::now();
        let (id, _) = users.open_session(&bob, now).unwrap();
        assert!(
            users.db.session(&id).unwrap().is_none(),
            "the id itself is no key"
        );
        assert!(users.db.session(&digest(&id)).unwrap().is_some());
        // Another handle on the same file (a restarted server) sees the session.
        let again = Users::open(d.path()).unwrap();
        assert!(again.session(&id, now).unwrap().is_some());
        assert!(again.end_session(&id).unwrap());
        assert!(!again.end_session(&id).unwrap());
        assert!(users.session(&id, now).unwrap().is_none());
    }

    #[test]
    fn the_least_recently_seen_go_past_the_cap() {
        let d = tempfile::tempdir().unwrap();
        let users = Users::open(d.path()).unwrap();
        users
            .add("carol", &Clearance::all(), Role::Reader, None)
            .unwrap();
        let carol = users.get("carol").unwrap().unwrap();
        let t0 = Timestamp::now();
        let row = |i: i64| SessionRow {
            user: "carol".into(),
            token_id: carol.token_id.clone(),
            csrf: String::new(),
            created_us: to_us(t0) + i,
            last_seen_us: to_us(t0) + i,
        };
        for i in 0..5 {
            users
                .db
                .insert_session(&format!("k{i}"), &row(i), 0, 0, 3)
                .unwrap();
        }
        let kept: Vec<bool> = (0..5)
            .map(|i| users.db.session(&format!("k{i}")).unwrap().is_some())
            .collect();
        assert_eq!(kept, [false, false, true, true, true]);
    }
}
