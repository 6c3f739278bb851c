//! Failed sign-ins per client address: after [`MAX_FAILURES`] failures within
//! [`WINDOW`], every further sign-in attempt from that address (a `POST /login` or a
//! request carrying a Bearer token) gets `429 Too Many Requests` with `Retry-After`
//! until the oldest failure leaves the window.
//!
//! A blocked address is refused even a right token: otherwise the answer to a
//! guess (429 or 200) would still tell a guesser when they had found one.
//! IPv6 clients are counted per /64 prefix (one host usually holds a whole /64,
//! so counting single addresses would let it rotate through them).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Failed sign-ins allowed per address within [`WINDOW`].
pub const MAX_FAILURES: usize = 5;

/// The window failures are counted over.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Most addresses tracked at once; past it, the addresses whose failures are all
/// outside the window are dropped first, then the least recently failed.
const MAX_ADDRESSES: usize = 100_000;

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

/// The failure counts (not thread-safe: the server keeps it behind a mutex).
#[derive(Debug, Default)]
pub struct FailureLimiter {
    failures: HashMap<ClientKey, VecDeque<Instant>>,
}

impl FailureLimiter {
    /// `Err(retry_after)` when `who` has used up its failures; `Ok` otherwise.
    pub fn check(&mut self, who: &ClientKey, now: Instant) -> Result<(), Duration> {
        let Some(q) = self.failures.get_mut(who) else {
            return Ok(());
        };
        prune(q, now);
        if q.is_empty() {
            self.failures.remove(who);
            return Ok(());
        }
        if q.len() >= MAX_FAILURES {
            let oldest = q[q.len() - MAX_FAILURES];
            let wait = WINDOW.saturating_sub(now.saturating_duration_since(oldest));
            return Err(wait.max(Duration::from_secs(1)));
        }
        Ok(())
    }

    /// Counts a failed sign-in of `who`.
    pub fn fail(&mut self, who: &ClientKey, now: Instant) {
        if self.failures.len() >= MAX_ADDRESSES && !self.failures.contains_key(who) {
            self.make_room(now);
        }
        let q = self.failures.entry(who.clone()).or_default();
        prune(q, now);
        q.push_back(now);
        // Only the last MAX_FAILURES matter for the decision.
        while q.len() > MAX_FAILURES {
            q.pop_front();
        }
    }

    fn make_room(&mut self, now: Instant) {
        self.failures.retain(|_, q| {
            prune(q, now);
            !q.is_empty()
        });
        if self.failures.len() >= MAX_ADDRESSES {
            // Still full of recent failures: forget the address that failed least
            // recently (its block is the nearest to expiring anyway).
            if let Some(k) = self
                .failures
                .iter()
                .min_by_key(|(_, q)| q.back().copied())
                .map(|(k, _)| k.clone())
            {
                self.failures.remove(&k);
            }
        }
    }
}

fn prune(q: &mut VecDeque<Instant>, now: Instant) {
    while q
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW)
    {
        q.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_block_until_the_oldest_leaves_the_window() {
        let mut l = FailureLimiter::default();
        let a = ClientKey::of(Some("192.0.2.1".parse().unwrap()));
        let b = ClientKey::of(Some("192.0.2.2".parse().unwrap()));
        let t0 = Instant::now();
        for i in 0..MAX_FAILURES {
            assert!(l.check(&a, t0).is_ok(), "attempt {i}");
            l.fail(&a, t0 + Duration::from_secs(i as u64));
        }
        let now = t0 + Duration::from_secs(10);
        let wait = l.check(&a, now).unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(l.check(&b, now).is_ok(), "another address is not blocked");
        // The first failure leaves the window at t0 + 60 s.
        assert!(l.check(&a, t0 + WINDOW).is_ok());
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
