//! A tiny seeded pseudo-random generator (SplitMix64).
//!
//! Why not the `rand` crate: the generator's promise is byte-identical output for
//! the same arguments, across machines and across dependency upgrades. `rand`
//! documents that its `StdRng` algorithm may change between releases, and pinning
//! `rand_chacha` ties the corpus to one crate's stream forever. SplitMix64 is a
//! dozen lines, passes BigCrush, has a full 2^64 period per stream, and each
//! stream is keyed by (global seed, purpose, index) through the same finaliser,
//! so cables can be generated in any order, on any number of threads, with the
//! same result. It is not cryptographic, which a test corpus does not need.

/// SplitMix64 state.
#[derive(Debug, Clone)]
pub struct Rng(u64);

/// The SplitMix64 output finaliser (a strong 64-bit mixer).
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Hashes a string to 64 bits (FNV-1a, then mixed): stable across runs and
/// platforms, unlike `std`'s randomly keyed hasher.
pub fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix64(h)
}

impl Rng {
    /// A generator for one purpose (`stream`) and one item (`index`) of a corpus
    /// generated with `seed`.
    pub fn new(seed: u64, stream: u64, index: u64) -> Rng {
        Rng(mix64(
            mix64(seed ^ 0x5eed_cab1_e5c0_9e00)
                ^ mix64(stream.wrapping_add(0x1234_5678))
                ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15),
        ))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix64(self.0)
    }

    /// A uniform integer in `0..n` (`n > 0`), by multiply-shift (the bias is
    /// below 2^-32 for the small ranges used here).
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A uniform integer in `lo..=hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(u64::from(hi - lo) + 1) as u32
    }

    /// A uniform float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A uniformly chosen element.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index chosen with the given weights (not all zero).
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        weights.len() - 1
    }

    /// A geometric-like count `>= 1` with mean about `mean`, capped at `cap`.
    pub fn geometric(&mut self, mean: f64, cap: u32) -> u32 {
        let p = 1.0 / mean.max(1.0);
        let mut n = 1;
        while n < cap && !self.chance(p) {
            n += 1;
        }
        n
    }
}

/// Picks from a cumulative weight table (`cum` strictly increasing, last = total)
/// by binary search: used for the large station and month tables.
pub fn pick_cumulative(rng: &mut Rng, cum: &[u64]) -> usize {
    let total = *cum.last().expect("non-empty table");
    let x = rng.below(total);
    cum.partition_point(|&c| c <= x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::new(1, 2, 3).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::new(1, 2, 3).next_u64(), Rng::new(1, 2, 4).next_u64());
        assert_ne!(Rng::new(1, 2, 3).next_u64(), Rng::new(2, 2, 3).next_u64());
    }

    #[test]
    fn cumulative_pick_stays_in_range() {
        let cum = [3, 3, 10];
        let mut r = Rng::new(0, 0, 0);
        for _ in 0..1000 {
            let i = pick_cumulative(&mut r, &cum);
            assert!(i == 0 || i == 2);
        }
    }
}
