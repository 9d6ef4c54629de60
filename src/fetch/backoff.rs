//! When to try a failing feed again.

use rand::Rng;
use std::time::Duration;

/// Wait after the first failure; doubles with each further consecutive failure.
const BASE: Duration = Duration::from_secs(5 * 60);
/// Longest wait a failure streak alone can cause.
const CAP: Duration = Duration::from_secs(12 * 3600);
/// Longest `Retry-After` we honour: a typo'd or hostile header must not silence a source for weeks.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(24 * 3600);

/// Delay before the next attempt after `consecutive_failures` failures in a row (>= 1),
/// never earlier than the server's `Retry-After`.
pub fn backoff(consecutive_failures: u32, retry_after: Option<Duration>) -> Duration {
    backoff_with(&mut rand::thread_rng(), consecutive_failures, retry_after)
}

/// [`backoff`] with a caller-supplied random source (seed it in tests).
///
/// "Equal jitter": half the exponential delay is fixed, the other half random, so many sources
/// that failed together (one host down) do not come back in lockstep.
pub fn backoff_with<R: Rng + ?Sized>(
    rng: &mut R,
    consecutive_failures: u32,
    retry_after: Option<Duration>,
) -> Duration {
    let doublings = consecutive_failures.saturating_sub(1).min(16);
    let exp = BASE.saturating_mul(1u32 << doublings).min(CAP);
    let half = exp / 2;
    let jittered = half + half.mul_f64(rng.gen_range(0.0..=1.0));
    match retry_after {
        Some(ra) => jittered.max(ra.min(RETRY_AFTER_CAP)),
        None => jittered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn grows_exponentially_within_jitter_bounds_and_caps() {
        let mut rng = StdRng::seed_from_u64(7);
        for failures in 1..=20u32 {
            let d = backoff_with(&mut rng, failures, None);
            let exp = BASE.saturating_mul(1 << (failures - 1).min(16)).min(CAP);
            assert!(
                d >= exp / 2 && d <= exp,
                "failures={failures} d={d:?} exp={exp:?}"
            );
        }
        assert!(backoff_with(&mut rng, 100, None) <= CAP);
    }

    #[test]
    fn deterministic_under_a_seed_and_jittered_across_draws() {
        let a: Vec<_> = (0..5)
            .map(|_| 3)
            .scan(StdRng::seed_from_u64(1), |r, f| {
                Some(backoff_with(r, f, None))
            })
            .collect();
        let b: Vec<_> = (0..5)
            .map(|_| 3)
            .scan(StdRng::seed_from_u64(1), |r, f| {
                Some(backoff_with(r, f, None))
            })
            .collect();
        assert_eq!(a, b);
        assert!(
            a.windows(2).any(|w| w[0] != w[1]),
            "jitter must vary: {a:?}"
        );
    }

    #[test]
    fn retry_after_is_a_floor_and_is_capped() {
        let mut rng = StdRng::seed_from_u64(3);
        let long = Duration::from_secs(3 * 3600);
        assert!(backoff_with(&mut rng, 1, Some(long)) >= long);
        let absurd = Duration::from_secs(90 * 24 * 3600);
        assert_eq!(backoff_with(&mut rng, 1, Some(absurd)), RETRY_AFTER_CAP);
        let short = Duration::from_secs(1);
        assert!(backoff_with(&mut rng, 1, Some(short)) >= BASE / 2);
    }
}
