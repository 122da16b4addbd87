//! Reconnect delays: full-jitter exponential backoff, as centrifuge-js computes it.
//!
//! `delay = min(max, min + random(0 ..= min(max, min * 2^attempt)))`, with the
//! exponent capped at 31. The jitter spreads a crowd of clients that lost the
//! same server so they do not all come back in the same millisecond.
//!
//! Used by `connection` (the delays) and by the hosts (the policy in the
//! options). Imports: std only.

/// A small, fast pseudo-random generator (SplitMix64).
///
/// Randomness is injected: the browser seeds it from `Math.random()`, tests
/// seed it with a constant so delays are reproducible.
#[derive(Debug, Clone)]
pub struct Jitter {
    state: u64,
}

impl Jitter {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Self {
        Jitter { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniformly distributed integer in `0..=bound`.
    pub fn up_to(&mut self, bound: u64) -> u64 {
        if bound == u64::MAX {
            return self.next_u64();
        }
        self.next_u64() % (bound + 1)
    }
}

/// Reconnect delay bounds in milliseconds.
///
/// ```
/// use twin_panel::protocol::backoff::{BackoffPolicy, Jitter};
/// let policy = BackoffPolicy { min_ms: 500, max_ms: 20_000 };
/// let delay = policy.delay(0, &mut Jitter::new(7));
/// assert!((500..=1_000).contains(&delay));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    /// The shortest delay (centrifuge-js `minReconnectDelay`, default 500 ms).
    pub min_ms: u64,
    /// The longest delay (centrifuge-js `maxReconnectDelay`, default 20 s).
    pub max_ms: u64,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        BackoffPolicy {
            min_ms: 500,
            max_ms: 20_000,
        }
    }
}

impl BackoffPolicy {
    /// The delay before reconnect attempt number `attempt` (0 for the first retry).
    pub fn delay(&self, attempt: u32, jitter: &mut Jitter) -> u64 {
        let min = self.min_ms;
        let max = self.max_ms.max(min);
        let exp = attempt.min(31);
        let ceiling = min.saturating_mul(1u64 << exp).min(max);
        min.saturating_add(jitter.up_to(ceiling)).min(max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_stay_within_the_centrifuge_js_bounds() {
        let policy = BackoffPolicy::default();
        let mut jitter = Jitter::new(42);
        let bounds = [
            (0, 500, 1_000),
            (1, 500, 1_500),
            (2, 500, 2_500),
            (3, 500, 4_500),
            (4, 500, 8_500),
            (5, 500, 16_500),
            (6, 500, 20_000),
            (31, 500, 20_000),
            (1_000, 500, 20_000),
        ];
        for (attempt, lo, hi) in bounds {
            for _ in 0..2_000 {
                let d = policy.delay(attempt, &mut jitter);
                assert!(
                    (lo..=hi).contains(&d),
                    "attempt {attempt}: {d} not in {lo}..={hi}"
                );
            }
        }
    }

    #[test]
    fn jitter_spreads_the_delays() {
        let policy = BackoffPolicy::default();
        let mut jitter = Jitter::new(1);
        let delays: Vec<u64> = (0..200).map(|_| policy.delay(5, &mut jitter)).collect();
        let lowest = *delays.iter().min().unwrap();
        let highest = *delays.iter().max().unwrap();
        assert!(
            highest - lowest > 10_000,
            "{lowest}..{highest} is too narrow"
        );
    }

    #[test]
    fn same_seed_same_delays() {
        let policy = BackoffPolicy::default();
        let a: Vec<u64> = {
            let mut j = Jitter::new(9);
            (0..10).map(|n| policy.delay(n, &mut j)).collect()
        };
        let b: Vec<u64> = {
            let mut j = Jitter::new(9);
            (0..10).map(|n| policy.delay(n, &mut j)).collect()
        };
        assert_eq!(a, b);
    }

    #[test]
    fn max_below_min_is_clamped_to_min() {
        let policy = BackoffPolicy {
            min_ms: 1_000,
            max_ms: 10,
        };
        assert_eq!(policy.delay(3, &mut Jitter::new(3)), 1_000);
    }
}
