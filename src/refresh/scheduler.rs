//! Refresh each feed on its source's interval until told to stop.

use super::state::next_due;
use super::{FeedJob, RefreshOptions, RefreshSummary, SharedStore, refresh_feeds, with_store};
use crate::fetch::Fetcher;
use chrono::Utc;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Longest sleep between passes, so sources added or re-enabled meanwhile are picked up.
const MAX_NAP: Duration = Duration::from_secs(30);

/// Shortest sleep between passes.
const MIN_NAP: Duration = Duration::from_secs(1);

pub struct Scheduler {
    store: SharedStore,
    fetcher: Arc<Fetcher>,
    options: RefreshOptions,
}

impl Scheduler {
    pub fn new(store: SharedStore, fetcher: Arc<Fetcher>, options: RefreshOptions) -> Scheduler {
        Scheduler {
            store,
            fetcher,
            options,
        }
    }

    /// Feeds of enabled sources that are due now, and how long until the next one is.
    pub async fn due(&self) -> Result<(Vec<FeedJob>, Duration), crate::store::StoreError> {
        let now = Utc::now();
        with_store(&self.store, move |s| {
            let mut due = Vec::new();
            let mut nap = MAX_NAP;
            for source in s.sources()?.into_iter().filter(|s| s.enabled) {
                for feed in &source.feeds {
                    let state = s.feed_state(&feed.url)?;
                    match next_due(&state, source.refresh_secs, &feed.url) {
                        Some(t) if t > now => nap = nap.min((t - now).to_std().unwrap_or(MAX_NAP)),
                        _ => due.push(FeedJob {
                            source_id: source.id.clone(),
                            url: feed.url.clone(),
                        }),
                    }
                }
            }
            Ok((due, nap.max(MIN_NAP)))
        })
        .await
    }

    /// Refresh due feeds, sleep until the next is due, repeat until `shutdown` resolves.
    /// `after_each` receives every non-empty pass's summary (run language detection and story
    /// grouping on its `inserted_ids()` there). A store error pauses one pass, not the loop.
    pub async fn run<F, Fut>(self, shutdown: impl Future<Output = ()>, mut after_each: F)
    where
        F: FnMut(RefreshSummary) -> Fut,
        Fut: Future<Output = ()>,
    {
        tokio::pin!(shutdown);
        loop {
            let nap = match self.due().await {
                Ok((jobs, nap)) => {
                    if !jobs.is_empty() {
                        let pass =
                            refresh_feeds(&self.store, &self.fetcher, jobs, &self.options, |_| {});
                        let summary = tokio::select! {
                            s = pass => s,
                            () = &mut shutdown => return,
                        };
                        after_each(summary).await;
                        // The nap was computed before this pass moved every due time: look again
                        // shortly (not at once, so a feed whose state cannot be saved is not
                        // refetched in a tight loop).
                        MIN_NAP
                    } else {
                        nap
                    }
                }
                Err(e) => {
                    tracing::warn!("{e}");
                    MAX_NAP
                }
            };
            tokio::select! {
                () = tokio::time::sleep(nap) => {}
                () = &mut shutdown => return,
            }
        }
    }
}
