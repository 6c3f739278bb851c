//! Failed sign-ins kept as rows, so that the nodes of a shared database count one
//! budget together: without them each node would grant a guesser its own budget,
//! N nodes N times as many tries. The budgets themselves (how many failures, over
//! what window, who is exempt) are the server's (`cablescope_server::auth::limit`);
//! this module only stores and counts.

use std::time::Duration;

use jiff::Timestamp;

use crate::access_db::{to_us, AccessError};
use crate::users::Users;

/// Failed sign-ins within a window, as the access store counts them (every node).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SignInCounts {
    /// Of this (address, account) pair.
    pub pair: u64,
    /// Of the account, from any address.
    pub account: u64,
    /// Of the address, on any account.
    pub address: u64,
    /// The pair signed in successfully within the remembered time (exempt from
    /// the account and address budgets).
    pub known: bool,
    /// When the pair last signed in successfully, remembered or not.
    pub last_success: Option<Timestamp>,
}

/// A success is written again only when the stored one is older than this: the
/// exemption lasts far longer, and a busy client must not turn every request into
/// a database write.
pub const SUCCESS_REFRESH: Duration = Duration::from_secs(3600);

impl SignInCounts {
    /// True when a success at `now` is worth recording (none stored, or the
    /// stored one older than [`SUCCESS_REFRESH`]).
    pub fn success_is_stale(&self, now: Timestamp) -> bool {
        let refresh = jiff::SignedDuration::try_from(SUCCESS_REFRESH).unwrap_or_default();
        self.last_success
            .is_none_or(|t| now.duration_since(t) >= refresh)
    }
}

fn micros(d: Duration) -> i64 {
    d.as_micros().min(i64::MAX as u128) as i64
}

impl Users {
    /// The failures of `address` on `account` within `window` before `now`, and
    /// whether the pair signed in within `remember`.
    pub fn sign_in_counts(
        &self,
        address: &str,
        account: &str,
        now: Timestamp,
        window: Duration,
        remember: Duration,
    ) -> Result<SignInCounts, AccessError> {
        let now_us = to_us(now);
        let (pair, account_n, address_n, last) =
            self.db
                .signin_counts(address, account, now_us - micros(window))?;
        Ok(SignInCounts {
            pair,
            account: account_n,
            address: address_n,
            known: last.is_some_and(|t| t >= now_us - micros(remember)),
            last_success: last.map(crate::access_db::from_us).transpose()?,
        })
    }

    /// Records how a sign-in of `address` on `account` ended at `now`: a failure
    /// is counted (failures older than `window` are dropped), a success remembers
    /// the pair.
    pub fn record_sign_in(
        &self,
        address: &str,
        account: &str,
        failed: bool,
        now: Timestamp,
        window: Duration,
    ) -> Result<(), AccessError> {
        let now_us = to_us(now);
        if failed {
            self.db
                .record_signin_failure(address, account, now_us, now_us - micros(window))
        } else {
            self.db.record_signin_success(address, account, now_us)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_count_per_pair_account_and_address_within_the_window() {
        let d = tempfile::tempdir().unwrap();
        let users = Users::open(d.path()).unwrap();
        let t0 = Timestamp::now();
        let w = Duration::from_secs(60);
        let at = |s: i64| t0 + jiff::SignedDuration::from_secs(s);
        for (s, addr, acct) in [(0, "a", "x"), (1, "a", "x"), (2, "a", "y"), (3, "b", "x")] {
            users.record_sign_in(addr, acct, true, at(s), w).unwrap();
        }
        let c = users.sign_in_counts("a", "x", at(10), w, w).unwrap();
        assert_eq!((c.pair, c.account, c.address, c.known), (2, 3, 3, false));
        // Past the window the first two have left it (a failure counts for
        // `window` after it, the bound included).
        let c = users.sign_in_counts("a", "x", at(62), w, w).unwrap();
        assert_eq!((c.pair, c.account, c.address), (0, 1, 1));
        users.record_sign_in("a", "x", false, at(62), w).unwrap();
        let c = users.sign_in_counts("a", "x", at(63), w, w).unwrap();
        assert!(c.known && !c.success_is_stale(at(63)));
        assert!(c.success_is_stale(at(62 + 3600)));
        assert!(!users.sign_in_counts("a", "x", at(200), w, w).unwrap().known);
        let c = users.sign_in_counts("a", "y", at(63), w, w).unwrap();
        assert!(!c.known && c.success_is_stale(at(63)));
    }
}
