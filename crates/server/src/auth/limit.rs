//! Failed sign-ins, counted so that a guesser is slowed down but nobody sharing an
//! address (a NAT, a proxy) can lock everyone else out.
//!
//! A sign-in attempt (a `POST /login` or a request carrying a Bearer token) is
//! counted three ways, each over [`Policy::window`]:
//!
//! * per **(address, account)**: [`Policy::per_pair`] failures; the account is the
//!   public id of the token tried (`cst_<id>_…`; every malformed token counts as
//!   one account, `-`);
//! * per **account**, from any address: [`Policy::per_account`] failures (a guesser
//!   spread over many addresses);
//! * per **address**, any account: [`Policy::per_address`], a wider budget (a
//!   guesser trying many accounts from one place).
//!
//! When one is used up the attempt gets `429 Too Many Requests` with
//! `Retry-After`, even with a right token: otherwise the answer (429 or 200) would
//! still tell a guesser when they had found one. An (address, account) pair that
//! signed in successfully within [`Policy::remember`] is exempt from the account
//! and address budgets (only its own pair budget applies): a neighbour behind the
//! same NAT who exhausts the address budget, or someone who learnt an account's
//! id and exhausts its budget, does not lock out a user who has signed in from
//! there before.
//!
//! **Atomic.** An attempt reserves its place in each budget before the token is
//! checked ([`FailureLimiter::begin`]) and settles it after
//! ([`FailureLimiter::finish`]): parallel attempts count as failures until they
//! are known not to be, so fifty parallel bad tokens get no more tries than the
//! budget. (The server also runs the attempts of one pair one at a time.)
//!
//! **Shared.** On a shared database the failures are also kept as rows
//! ([`cablescope_access::throttle`]) and every node checks the budgets against
//! the failures of all nodes ([`Policy::check_shared`]) after its own: a guesser
//! spreading tries over N nodes gets one budget, not N (attempts in flight on
//! other nodes are not reserved there, so the overshoot is at most what is in
//! flight at once).
//!
//! IPv6 clients are counted per /64 prefix (one host usually holds a whole /64,
//! so counting single addresses would let it rotate through them).

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Failed sign-ins allowed per (address, account) within the window, by default.
pub const MAX_FAILURES: usize = 5;

/// The window failures are counted over, by default.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Most keys tracked per table; past it, keys with nothing in the window are
/// dropped first, then the least recently failed.
const MAX_KEYS: usize = 100_000;

/// The budgets (see the module documentation).
#[derive(Debug, Clone)]
pub struct Policy {
    /// Failures per (address, account).
    pub per_pair: usize,
    /// Failures per account, from any address.
    pub per_account: usize,
    /// Failures per address, any account.
    pub per_address: usize,
    /// The window failures are counted over.
    pub window: Duration,
    /// How long a successful sign-in exempts its (address, account) pair from the
    /// account and address budgets.
    pub remember: Duration,
}

impl Policy {
    /// Checks the failures every node recorded (a shared database): `Err(wait)`
    /// when a budget is used up. The wait is the window (the rows' times are not
    /// read back: a conservative bound).
    pub fn check_shared(
        &self,
        c: &cablescope_access::throttle::SignInCounts,
    ) -> Result<(), Duration> {
        let over = c.pair >= self.per_pair as u64
            || (!c.known
                && (c.account >= self.per_account as u64 || c.address >= self.per_address as u64));
        if over {
            Err(self.window)
        } else {
            Ok(())
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            per_pair: MAX_FAILURES,
            per_account: 20,
            per_address: 50,
            window: WINDOW,
            remember: Duration::from_secs(24 * 3600),
        }
    }
}

/// Who is counted: an address (IPv6 by /64), or `unknown` when the server does
/// not know the peer (a router called without connection info, as in tests).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientKey(String);

impl ClientKey {
    /// The key of the peer address `ip`.
    pub fn of(ip: Option<IpAddr>) -> ClientKey {
        match ip {
            None => ClientKey("unknown".into()),
            Some(IpAddr::V4(v4)) => ClientKey(v4.to_string()),
            Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientKey(v4.to_string()),
                None => {
                    let s = v6.segments();
                    ClientKey(format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3]))
                }
            },
        }
    }

    /// The key as written in the audit log.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The account a sign-in attempt claims: the token's public id, or `-` for a
/// malformed token.
pub fn account_of(token: &str) -> String {
    cablescope_access::users::token_account(token)
        .unwrap_or("-")
        .to_string()
}

/// Failures within the window and attempts in flight, of one key.
#[derive(Debug, Default)]
struct Count {
    failures: VecDeque<Instant>,
    pending: usize,
}

impl Count {
    fn prune(&mut self, now: Instant, window: Duration) {
        while self
            .failures
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= window)
        {
            self.failures.pop_front();
        }
    }

    /// `Err(retry_after)` when failures and attempts in flight fill `max`.
    fn check(&self, max: usize, now: Instant, window: Duration) -> Result<(), Duration> {
        if self.failures.len() + self.pending < max {
            return Ok(());
        }
        if self.failures.len() >= max {
            let oldest = self.failures[self.failures.len() - max];
            let wait = window.saturating_sub(now.saturating_duration_since(oldest));
            return Err(wait.max(Duration::from_secs(1)));
        }
        // Full with attempts still in flight: they settle within moments.
        Err(Duration::from_secs(1))
    }

    fn is_empty(&self) -> bool {
        self.failures.is_empty() && self.pending == 0
    }
}

/// One budget table.
#[derive(Debug)]
struct Table<K> {
    counts: HashMap<K, Count>,
}

impl<K> Default for Table<K> {
    fn default() -> Self {
        Table {
            counts: HashMap::new(),
        }
    }
}

impl<K: Hash + Eq + Clone> Table<K> {
    fn check(&mut self, k: &K, max: usize, now: Instant, window: Duration) -> Result<(), Duration> {
        let Some(c) = self.counts.get_mut(k) else {
            return Ok(());
        };
        c.prune(now, window);
        if c.is_empty() {
            self.counts.remove(k);
            return Ok(());
        }
        c.check(max, now, window)
    }

    fn reserve(&mut self, k: &K, now: Instant, window: Duration) {
        if self.counts.len() >= MAX_KEYS && !self.counts.contains_key(k) {
            self.make_room(now, window);
        }
        self.counts.entry(k.clone()).or_default().pending += 1;
    }

    fn settle(&mut self, k: &K, failed: bool, now: Instant, window: Duration, keep: usize) {
        let Some(c) = self.counts.get_mut(k) else {
            return;
        };
        c.pending = c.pending.saturating_sub(1);
        c.prune(now, window);
        if failed {
            c.failures.push_back(now);
            // Only the last `keep` matter for the decision.
            while c.failures.len() > keep {
                c.failures.pop_front();
            }
        }
        if c.is_empty() {
            self.counts.remove(k);
        }
    }

    fn make_room(&mut self, now: Instant, window: Duration) {
        self.counts.retain(|_, c| {
            c.prune(now, window);
            !c.is_empty()
        });
        if self.counts.len() >= MAX_KEYS {
            // Still full of recent failures: forget the key that failed least
            // recently and has nothing in flight (its block is the nearest to
            // expiring anyway).
            if let Some(k) = self
                .counts
                .iter()
                .filter(|(_, c)| c.pending == 0)
                .min_by_key(|(_, c)| c.failures.back().copied())
                .map(|(k, _)| k.clone())
            {
                self.counts.remove(&k);
            }
        }
    }
}

/// A sign-in attempt admitted by [`FailureLimiter::begin`]: its places in the
/// budgets, to settle with [`FailureLimiter::finish`].
#[derive(Debug)]
#[must_use = "an attempt holds places in the budgets until finished"]
pub struct Attempt {
    who: ClientKey,
    account: String,
    /// Exempt from the account and address budgets (signed in from here before).
    known: bool,
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The token was right.
    Success,
    /// The token was refused.
    Failure,
    /// The check could not be made (the access database failed): not counted.
    Abandoned,
}

/// The failure counts (not thread-safe: the server keeps it behind a mutex).
#[derive(Debug, Default)]
pub struct FailureLimiter {
    policy: Policy,
    pairs: Table<(ClientKey, String)>,
    accounts: Table<String>,
    addresses: Table<ClientKey>,
    /// Last successful sign-in of each (address, account) pair.
    known: HashMap<(ClientKey, String), Instant>,
}

impl FailureLimiter {
    /// A limiter with `policy`.
    pub fn new(policy: Policy) -> FailureLimiter {
        FailureLimiter {
            policy,
            ..FailureLimiter::default()
        }
    }

    /// Admits an attempt of `who` on `account` and reserves its places, or
    /// `Err(retry_after)` when a budget is used up (counting attempts in flight).
    pub fn begin(
        &mut self,
        who: &ClientKey,
        account: &str,
        now: Instant,
    ) -> Result<Attempt, Duration> {
        let p = &self.policy;
        let pair = (who.clone(), account.to_string());
        self.pairs.check(&pair, p.per_pair, now, p.window)?;
        let known = self
            .known
            .get(&pair)
            .is_some_and(|t| now.saturating_duration_since(*t) < p.remember);
        if !known {
            self.accounts.check(&pair.1, p.per_account, now, p.window)?;
            self.addresses.check(who, p.per_address, now, p.window)?;
            self.accounts.reserve(&pair.1, now, p.window);
            self.addresses.reserve(who, now, p.window);
        }
        self.pairs.reserve(&pair, now, p.window);
        Ok(Attempt {
            who: who.clone(),
            account: account.to_string(),
            known,
        })
    }

    /// Settles `attempt`: a failure is counted in each budget it held a place in,
    /// a success remembers its pair.
    pub fn finish(&mut self, attempt: Attempt, outcome: Outcome, now: Instant) {
        let p = self.policy.clone();
        let failed = outcome == Outcome::Failure;
        let pair = (attempt.who, attempt.account);
        self.pairs.settle(&pair, failed, now, p.window, p.per_pair);
        if !attempt.known {
            self.accounts
                .settle(&pair.1, failed, now, p.window, p.per_account);
            self.addresses
                .settle(&pair.0, failed, now, p.window, p.per_address);
        }
        if outcome == Outcome::Success {
            if self.known.len() >= MAX_KEYS && !self.known.contains_key(&pair) {
                let remember = p.remember;
                self.known
                    .retain(|_, t| now.saturating_duration_since(*t) < remember);
                if self.known.len() >= MAX_KEYS {
                    if let Some(k) = self
                        .known
                        .iter()
                        .min_by_key(|(_, t)| **t)
                        .map(|(k, _)| k.clone())
                    {
                        self.known.remove(&k);
                    }
                }
            }
            self.known.insert(pair, now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> ClientKey {
        ClientKey::of(Some(s.parse().unwrap()))
    }

    fn fail(l: &mut FailureLimiter, who: &ClientKey, account: &str, at: Instant) {
        let a = l.begin(who, account, at).expect("admitted");
        l.finish(a, Outcome::Failure, at);
    }

    #[test]
    fn five_failures_block_the_pair_until_the_oldest_leaves_the_window() {
        let mut l = FailureLimiter::default();
        let a = ip("192.0.2.1");
        let b = ip("192.0.2.2");
        let t0 = Instant::now();
        for i in 0..MAX_FAILURES {
            fail(&mut l, &a, "acct1", t0 + Duration::from_secs(i as u64));
        }
        let now = t0 + Duration::from_secs(10);
        assert_eq!(
            l.begin(&a, "acct1", now).unwrap_err(),
            Duration::from_secs(50)
        );
        // The same address on another account, and another address on this one,
        // are not blocked.
        let ok = l.begin(&a, "acct2", now).unwrap();
        l.finish(ok, Outcome::Success, now);
        let ok = l.begin(&b, "acct1", now).unwrap();
        l.finish(ok, Outcome::Success, now);
        // The first failure leaves the window at t0 + 60 s.
        assert!(l.begin(&a, "acct1", t0 + WINDOW).is_ok());
    }

    #[test]
    fn attempts_in_flight_count_until_settled() {
        let mut l = FailureLimiter::default();
        let a = ip("192.0.2.1");
        let t = Instant::now();
        let held: Vec<Attempt> = (0..MAX_FAILURES)
            .map(|_| l.begin(&a, "acct", t).unwrap())
            .collect();
        assert!(
            l.begin(&a, "acct", t).is_err(),
            "no sixth attempt in flight"
        );
        for h in held {
            l.finish(h, Outcome::Failure, t);
        }
        assert!(l.begin(&a, "acct", t).is_err());
        // A success settles its place without counting.
        let mut l = FailureLimiter::default();
        for _ in 0..20 {
            let h = l.begin(&a, "acct", t).unwrap();
            l.finish(h, Outcome::Success, t);
        }
    }

    #[test]
    fn a_noisy_neighbour_does_not_lock_out_a_known_user() {
        let mut l = FailureLimiter::default();
        let nat = ip("198.51.100.1");
        let t = Instant::now();
        // Alice signs in from behind the NAT.
        let ok = l.begin(&nat, "alice", t).unwrap();
        l.finish(ok, Outcome::Success, t);
        // A neighbour sprays 50 accounts, exhausting the address budget.
        for i in 0..50 {
            fail(&mut l, &nat, &format!("guess{i}"), t);
        }
        assert!(
            l.begin(&nat, "someone-new", t).is_err(),
            "the address budget is spent"
        );
        // Alice is not locked out.
        let a = l.begin(&nat, "alice", t).expect("alice still signs in");
        l.finish(a, Outcome::Success, t);
    }

    #[test]
    fn an_account_is_limited_across_addresses() {
        let mut l = FailureLimiter::default();
        let t = Instant::now();
        for i in 0..20 {
            fail(&mut l, &ip(&format!("203.0.113.{i}")), "bob", t);
        }
        assert!(l.begin(&ip("203.0.113.200"), "bob", t).is_err());
        assert!(l.begin(&ip("203.0.113.200"), "carol", t).is_ok());
    }

    #[test]
    fn ipv6_counts_per_64_prefix() {
        let x = ClientKey::of(Some("2001:db8:1:2::1".parse().unwrap()));
        let y = ClientKey::of(Some("2001:db8:1:2:ffff::9".parse().unwrap()));
        let z = ClientKey::of(Some("2001:db8:1:3::1".parse().unwrap()));
        assert_eq!(x, y);
        assert_ne!(x, z);
        let mapped = ClientKey::of(Some("::ffff:192.0.2.1".parse().unwrap()));
        assert_eq!(mapped.as_str(), "192.0.2.1");
        assert_eq!(ClientKey::of(None).as_str(), "unknown");
    }
}
