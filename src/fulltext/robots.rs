//! robots.txt, fetched once per origin and kept a day (RFC 9309), parsed by `texting_robots`,
//! and its `Crawl-delay`: article pages of one origin are spaced at least that far apart (the
//! feeds are not: they are one request per refresh interval anyway).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

use super::FulltextError;
use crate::fetch::{Conditional, FetchError, Fetched, Fetcher, RequestSpec};

/// The product token robots.txt groups are matched against (our User-Agent starts with it).
pub const ROBOTS_AGENT: &str = "Parallax";
/// RFC 9309 §2.4: a cached robots.txt should not be used for more than 24 hours.
const TTL: Duration = Duration::from_secs(24 * 3600);
/// The longest `Crawl-delay` honoured: a site asking for more gets one article page per this
/// long (article fetches of a refresh run before grouping, so an hour-long delay would hold the
/// new items back for the whole round).
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(10);

const ROBOTS_REQUEST: RequestSpec = RequestSpec {
    accept: "text/plain, */*;q=0.5",
    // RFC 9309 §2.5: crawlers must parse at least 500 KiB; we read no more than that.
    max_body_bytes: Some(512 * 1024),
    allowed_types: None,
};

/// What an origin's robots.txt lets us do.
enum Rules {
    AllowAll,
    /// The file could not be had for a reason that counts as "do not crawl" (5xx, network).
    Unreachable(String),
    Parsed(texting_robots::Robot),
}

type Slot = Arc<OnceCell<(Instant, Arc<Rules>)>>;
/// When the last article request to an origin with a crawl delay was let go.
type Pacer = Arc<tokio::sync::Mutex<Option<Instant>>>;

/// Per-origin robots.txt rules, shared by every article fetch of an engine.
#[derive(Default)]
pub struct RobotsCache {
    slots: Mutex<HashMap<String, Slot>>,
    pacers: Mutex<HashMap<String, Pacer>>,
}

/// A `Crawl-delay` value as a duration: negative, NaN or missing is none, and it is capped.
pub fn crawl_delay(seconds: Option<f32>) -> Option<Duration> {
    let s = seconds.filter(|s| s.is_finite() && *s > 0.0)?;
    Some(Duration::from_secs_f32(
        s.min(MAX_CRAWL_DELAY.as_secs_f32()),
    ))
}

impl RobotsCache {
    pub fn new() -> RobotsCache {
        RobotsCache::default()
    }

    /// `Ok` when `url` may be fetched, once its origin's crawl delay since the last article
    /// request there has passed; concurrent checks of one origin share one download and queue
    /// for their turn.
    pub async fn wait_turn(&self, fetcher: &Fetcher, url: &str) -> Result<(), FulltextError> {
        let delay = self.check(fetcher, url).await?;
        let Some(delay) = delay else {
            return Ok(());
        };
        let origin = origin_of(url)?;
        let pacer = {
            let mut map = self.pacers.lock().unwrap_or_else(|p| p.into_inner());
            map.entry(origin).or_default().clone()
        };
        // Held while sleeping, so the requests of one origin go one at a time, `delay` apart.
        let mut last = pacer.lock().await;
        if let Some(at) = *last {
            tokio::time::sleep_until((at + delay).into()).await;
        }
        *last = Some(Instant::now());
        Ok(())
    }

    /// `Ok` with the origin's crawl delay when `url` may be fetched; concurrent checks of one
    /// origin share one download.
    pub async fn check(
        &self,
        fetcher: &Fetcher,
        url: &str,
    ) -> Result<Option<Duration>, FulltextError> {
        let origin = origin_of(url)?;
        let slot = self.slot(&origin);
        let (_, rules) = slot
            .get_or_init(|| async {
                (
                    Instant::now(),
                    Arc::new(load(fetcher, &format!("{origin}/robots.txt")).await),
                )
            })
            .await;
        match &**rules {
            Rules::AllowAll => Ok(None),
            Rules::Parsed(robot) if robot.allowed(url) => Ok(crawl_delay(robot.delay)),
            Rules::Parsed(_) => Err(FulltextError::Disallowed {
                origin,
                url: url.to_owned(),
            }),
            Rules::Unreachable(reason) => Err(FulltextError::RobotsUnreachable {
                origin,
                reason: reason.clone(),
            }),
        }
    }

    fn slot(&self, origin: &str) -> Slot {
        let mut map = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = map
            .get(origin)
            .is_some_and(|s| s.get().is_none_or(|(at, _)| at.elapsed() < TTL));
        if !fresh {
            map.insert(origin.to_owned(), Slot::default());
        }
        map.get(origin).cloned().unwrap_or_default()
    }
}

fn origin_of(url: &str) -> Result<String, FulltextError> {
    let parsed = url::Url::parse(url).map_err(|e| {
        FulltextError::Fetch(FetchError::InvalidUrl {
            url: url.to_owned(),
            reason: e.to_string(),
        })
    })?;
    Ok(parsed.origin().ascii_serialization())
}

/// RFC 9309 §2.3.1: 2xx is parsed; 4xx (and a redirect chain too long) means no rules; 5xx and
/// an unreachable server mean "assume complete disallow".
async fn load(fetcher: &Fetcher, robots_url: &str) -> Rules {
    match fetcher
        .fetch_as(robots_url, &Conditional::default(), &ROBOTS_REQUEST)
        .await
    {
        Ok(Fetched::Body(body)) => {
            match texting_robots::Robot::new(ROBOTS_AGENT, body.text.as_bytes()) {
                Ok(robot) => Rules::Parsed(robot),
                // An unparseable file states no rule we could follow.
                Err(_) => Rules::AllowAll,
            }
        }
        Ok(Fetched::NotModified) => Rules::AllowAll,
        Err(FetchError::Http { status, .. }) if (400..500).contains(&status) => Rules::AllowAll,
        Err(FetchError::TooManyRedirects { .. } | FetchError::TooLarge { .. }) => Rules::AllowAll,
        Err(e) => Rules::Unreachable(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crawl_delays_are_read_and_capped() {
        assert_eq!(crawl_delay(None), None);
        assert_eq!(crawl_delay(Some(0.0)), None);
        assert_eq!(crawl_delay(Some(-3.0)), None);
        assert_eq!(crawl_delay(Some(f32::NAN)), None);
        assert_eq!(crawl_delay(Some(1.5)), Some(Duration::from_millis(1500)));
        assert_eq!(crawl_delay(Some(3600.0)), Some(MAX_CRAWL_DELAY));
        let robot = texting_robots::Robot::new(
            ROBOTS_AGENT,
            b"User-agent: *\nCrawl-delay: 2\nDisallow: /private/\n",
        )
        .unwrap();
        assert_eq!(crawl_delay(robot.delay), Some(Duration::from_secs(2)));
    }
}
