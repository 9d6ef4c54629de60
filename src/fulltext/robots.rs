//! robots.txt, fetched once per origin and kept a day (RFC 9309), parsed by `texting_robots`.

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

/// Per-origin robots.txt rules, shared by every article fetch of an engine.
#[derive(Default)]
pub struct RobotsCache {
    slots: Mutex<HashMap<String, Slot>>,
}

impl RobotsCache {
    pub fn new() -> RobotsCache {
        RobotsCache::default()
    }

    /// `Ok` when `url` may be fetched; concurrent checks of one origin share one download.
    pub async fn check(&self, fetcher: &Fetcher, url: &str) -> Result<(), FulltextError> {
        let parsed = url::Url::parse(url).map_err(|e| {
            FulltextError::Fetch(FetchError::InvalidUrl {
                url: url.to_owned(),
                reason: e.to_string(),
            })
        })?;
        let origin = parsed.origin().ascii_serialization();
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
            Rules::AllowAll => Ok(()),
            Rules::Parsed(robot) if robot.allowed(url) => Ok(()),
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
