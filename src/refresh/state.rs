//! How one fetch attempt moves a feed's stored state, and when a feed is due again.

use crate::fetch::backoff_with;
use crate::store::FeedState;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;

/// Interval used when a source has none set.
pub const DEFAULT_INTERVAL_SECS: u32 = 15 * 60;

/// After a 2xx that parsed and was stored: new validators, failures cleared.
pub fn after_success(
    prev: &FeedState,
    now: DateTime<Utc>,
    etag: Option<String>,
    last_modified: Option<String>,
    ttl_minutes: Option<u32>,
) -> FeedState {
    FeedState {
        etag,
        last_modified,
        consecutive_failures: 0,
        next_attempt_at: None,
        ttl_minutes: ttl_minutes.or(prev.ttl_minutes),
        last_attempt_at: Some(now),
        last_success_at: Some(now),
    }
}

/// After a 304: the feed is healthy and unchanged; validators stay.
pub fn after_not_modified(prev: &FeedState, now: DateTime<Utc>) -> FeedState {
    FeedState {
        consecutive_failures: 0,
        next_attempt_at: None,
        last_attempt_at: Some(now),
        last_success_at: Some(now),
        ..prev.clone()
    }
}

/// After any failure: keep the validators (the stored items still match them), back off.
pub fn after_failure<R: Rng + ?Sized>(
    rng: &mut R,
    prev: &FeedState,
    now: DateTime<Utc>,
    retry_after: Option<std::time::Duration>,
) -> FeedState {
    let failures = prev.consecutive_failures.saturating_add(1);
    let wait = backoff_with(rng, failures, retry_after);
    FeedState {
        consecutive_failures: failures,
        next_attempt_at: Some(now + Duration::from_std(wait).unwrap_or(Duration::hours(24))),
        last_attempt_at: Some(now),
        ..prev.clone()
    }
}

/// True when a failing feed's backoff (or the server's Retry-After) has not yet run out.
pub fn backing_off(state: &FeedState, now: DateTime<Utc>) -> bool {
    state.next_attempt_at.is_some_and(|t| t > now)
}

/// Effective refresh interval: the source's (default 15 min), never below the feed's TTL,
/// stretched by a per-feed jitter of up to 10% so feeds added together drift apart.
pub fn interval(refresh_secs: u32, ttl_minutes: Option<u32>, feed_url: &str) -> Duration {
    let base = if refresh_secs == 0 {
        DEFAULT_INTERVAL_SECS
    } else {
        refresh_secs
    };
    let secs = i64::from(base).max(i64::from(ttl_minutes.unwrap_or(0)) * 60);
    // A stable per-feed fraction (FNV-1a of the URL) rather than a fresh draw each tick, so a
    // feed's due time does not flicker between scheduler passes.
    let h = feed_url.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    });
    let jitter_permille = (h % 101) as i64;
    Duration::seconds(secs + secs * jitter_permille / 1000)
}

/// When the feed should next be fetched by the scheduler.
pub fn next_due(state: &FeedState, refresh_secs: u32, feed_url: &str) -> Option<DateTime<Utc>> {
    let regular = state
        .last_attempt_at
        .map(|t| t + interval(refresh_secs, state.ttl_minutes, feed_url));
    match (regular, state.next_attempt_at) {
        (None, None) => None,
        (Some(r), None) => Some(r),
        (None, Some(b)) => Some(b),
        (Some(r), Some(b)) => Some(r.max(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn failures_back_off_and_keep_validators_success_clears() {
        let mut rng = StdRng::seed_from_u64(9);
        let now = t("2026-11-25T12:00:00Z");
        let ok = after_success(
            &FeedState::default(),
            now,
            Some("\"e1\"".into()),
            Some("Mon".into()),
            Some(30),
        );
        let f1 = after_failure(&mut rng, &ok, now, None);
        assert_eq!(
            (f1.consecutive_failures, f1.etag.as_deref(), f1.ttl_minutes),
            (1, Some("\"e1\""), Some(30))
        );
        assert!(backing_off(&f1, now) && !backing_off(&f1, now + Duration::hours(1)));
        let f2 = after_failure(
            &mut rng,
            &f1,
            now,
            Some(std::time::Duration::from_secs(7200)),
        );
        assert_eq!(f2.consecutive_failures, 2);
        assert!(
            f2.next_attempt_at.unwrap() >= now + Duration::hours(2),
            "Retry-After is a floor"
        );
        let back = after_not_modified(&f2, now);
        assert_eq!(
            (
                back.consecutive_failures,
                back.next_attempt_at,
                back.etag.as_deref()
            ),
            (0, None, Some("\"e1\""))
        );
        assert_eq!(back.last_success_at, Some(now));
    }

    #[test]
    fn interval_defaults_respects_ttl_and_jitters_per_feed() {
        let i = interval(0, None, "https://a.example/rss");
        assert!(
            i >= Duration::minutes(15) && i <= Duration::seconds(990),
            "{i}"
        );
        let ttl = interval(600, Some(60), "https://a.example/rss");
        assert!(ttl >= Duration::minutes(60), "never below the TTL: {ttl}");
        let spread: std::collections::HashSet<_> = (0..20)
            .map(|n| interval(900, None, &format!("https://x.example/{n}")))
            .collect();
        assert!(spread.len() > 5, "jitter spreads feeds: {spread:?}");
        assert_eq!(interval(900, None, "u"), interval(900, None, "u"));
    }

    #[test]
    fn next_due_is_the_later_of_interval_and_backoff() {
        let now = t("2026-11-25T12:00:00Z");
        assert_eq!(next_due(&FeedState::default(), 900, "u"), None);
        let st = FeedState {
            last_attempt_at: Some(now),
            next_attempt_at: Some(now + Duration::hours(3)),
            ..Default::default()
        };
        assert_eq!(next_due(&st, 900, "u"), Some(now + Duration::hours(3)));
        let st = FeedState {
            last_attempt_at: Some(now),
            ..Default::default()
        };
        assert_eq!(
            next_due(&st, 900, "u"),
            Some(now + interval(900, None, "u"))
        );
    }
}
