//! Refresh stage: fetch → parse → store for many feeds at once, and the scheduler that repeats it.
//!
//! Each feed is independent: its failure is recorded (fetch log, backoff state) and never stops the
//! others. Validators are saved only after the items they describe are stored, so a failed write
//! means the next refresh downloads the feed again instead of losing it behind a 304.

mod scheduler;
mod state;

pub use scheduler::Scheduler;
pub use state::{
    DEFAULT_INTERVAL_SECS, after_failure, after_not_modified, after_success, backing_off, interval,
    next_due,
};

use crate::error::Code;
use crate::fetch::{Conditional, FetchError, Fetched, Fetcher};
use crate::model::{Source, SourceId};
use crate::store::{FeedState, FetchLogEntry, FetchOutcome, Store, StoreError};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The store as the async pipeline shares it: one connection, used from blocking threads.
pub type SharedStore = Arc<Mutex<Store>>;

/// One feed to refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedJob {
    pub source_id: SourceId,
    pub url: String,
}

#[derive(Debug, Clone)]
pub struct RefreshOptions {
    /// Feeds processed at once (the fetcher's own limits still apply on top).
    pub concurrency: usize,
    /// Skip feeds whose backoff has not run out (false: a user asked for this refresh explicitly).
    pub respect_backoff: bool,
}

impl Default for RefreshOptions {
    fn default() -> Self {
        RefreshOptions {
            concurrency: 32,
            respect_backoff: true,
        }
    }
}

/// What happened to one feed.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedOutcome {
    /// Fetched and parsed: `parsed` items in the feed, `inserted` of them new.
    Updated {
        parsed: usize,
        inserted: usize,
    },
    NotModified,
    /// Not fetched: still backing off after failures until this time.
    Deferred {
        until: DateTime<Utc>,
    },
    Failed {
        code: Code,
        message: String,
    },
}

/// Progress, reported as each feed finishes.
#[derive(Debug, Clone, PartialEq)]
pub enum RefreshEvent {
    Started { feeds: usize },
    Feed { job: FeedJob, outcome: FeedOutcome },
    Finished,
}

/// The result for one feed, with the ids of items stored by this refresh (for language detection
/// and story grouping downstream).
#[derive(Debug, Clone, PartialEq)]
pub struct FeedReport {
    pub job: FeedJob,
    pub outcome: FeedOutcome,
    pub inserted_ids: Vec<i64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RefreshSummary {
    pub feeds: Vec<FeedReport>,
    pub elapsed_ms: u64,
}

impl RefreshSummary {
    /// Every item id stored by this refresh, in no particular order.
    pub fn inserted_ids(&self) -> Vec<i64> {
        self.feeds
            .iter()
            .flat_map(|f| f.inserted_ids.iter().copied())
            .collect()
    }

    pub fn count(&self, pred: impl Fn(&FeedOutcome) -> bool) -> usize {
        self.feeds.iter().filter(|f| pred(&f.outcome)).count()
    }

    pub fn updated(&self) -> usize {
        self.count(|o| matches!(o, FeedOutcome::Updated { .. }))
    }

    pub fn not_modified(&self) -> usize {
        self.count(|o| matches!(o, FeedOutcome::NotModified))
    }

    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, FeedOutcome::Failed { .. }))
    }

    pub fn deferred(&self) -> usize {
        self.count(|o| matches!(o, FeedOutcome::Deferred { .. }))
    }

    /// Items in all parsed feeds (new or not).
    pub fn items_parsed(&self) -> usize {
        self.feeds
            .iter()
            .map(|f| {
                if let FeedOutcome::Updated { parsed, .. } = f.outcome {
                    parsed
                } else {
                    0
                }
            })
            .sum()
    }

    pub fn items_new(&self) -> usize {
        self.feeds.iter().map(|f| f.inserted_ids.len()).sum()
    }
}

/// Every feed of every enabled source.
pub fn jobs_for(sources: &[Source]) -> Vec<FeedJob> {
    sources
        .iter()
        .filter(|s| s.enabled)
        .flat_map(|s| {
            s.feeds.iter().map(|f| FeedJob {
                source_id: s.id.clone(),
                url: f.url.clone(),
            })
        })
        .collect()
}

/// Refresh every feed of the enabled `sources`.
pub async fn refresh_sources(
    store: &SharedStore,
    fetcher: &Fetcher,
    sources: &[Source],
    options: &RefreshOptions,
    progress: impl Fn(RefreshEvent),
) -> RefreshSummary {
    refresh_feeds(store, fetcher, jobs_for(sources), options, progress).await
}

/// Refresh the given feeds, at most `options.concurrency` at a time.
pub async fn refresh_feeds(
    store: &SharedStore,
    fetcher: &Fetcher,
    jobs: Vec<FeedJob>,
    options: &RefreshOptions,
    progress: impl Fn(RefreshEvent),
) -> RefreshSummary {
    let started = Instant::now();
    progress(RefreshEvent::Started { feeds: jobs.len() });
    let mut reports = Vec::with_capacity(jobs.len());
    let mut stream = futures_util::stream::iter(jobs)
        .map(|job| refresh_one(store, fetcher, job, options))
        .buffer_unordered(options.concurrency.max(1));
    while let Some(report) = stream.next().await {
        progress(RefreshEvent::Feed {
            job: report.job.clone(),
            outcome: report.outcome.clone(),
        });
        reports.push(report);
    }
    progress(RefreshEvent::Finished);
    RefreshSummary {
        feeds: reports,
        elapsed_ms: started.elapsed().as_millis() as u64,
    }
}

/// Run `f` on the store from a blocking thread.
async fn with_store<T: Send + 'static>(
    store: &SharedStore,
    f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || {
        let guard = store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&guard)
    })
    .await
    .unwrap_or_else(|join| Err(StoreError::Invalid(format!("database task failed: {join}"))))
}

async fn refresh_one(
    store: &SharedStore,
    fetcher: &Fetcher,
    job: FeedJob,
    options: &RefreshOptions,
) -> FeedReport {
    let url = job.url.clone();
    let prev = match with_store(store, move |s| s.feed_state(&url)).await {
        Ok(st) => st,
        Err(e) => {
            return FeedReport {
                job,
                outcome: FeedOutcome::Failed {
                    code: e.code(),
                    message: e.to_string(),
                },
                inserted_ids: Vec::new(),
            };
        }
    };
    let started_at = Utc::now();
    if options.respect_backoff
        && let Some(until) = prev
            .next_attempt_at
            .filter(|_| backing_off(&prev, started_at))
    {
        return FeedReport {
            job,
            outcome: FeedOutcome::Deferred { until },
            inserted_ids: Vec::new(),
        };
    }
    let clock = Instant::now();
    let conditional = Conditional {
        etag: prev.etag.clone(),
        last_modified: prev.last_modified.clone(),
    };
    let fetched = fetcher.fetch(&job.url, &conditional).await;
    let store = store.clone();
    let moved_job = job.clone();
    // Parsing is CPU work: it runs on the blocking pool with the writes, not on the reactor.
    tokio::task::spawn_blocking(move || settle(&store, moved_job, prev, fetched, started_at, clock))
        .await
        .unwrap_or_else(|e| FeedReport {
            job,
            outcome: FeedOutcome::Failed {
                code: Code::Internal,
                message: format!("refresh: feed task failed: {e}"),
            },
            inserted_ids: Vec::new(),
        })
}

/// What one attempt produced, before it is written down.
struct Attempt {
    status: Option<u16>,
    bytes: u64,
    result: Result<Success, (Code, String, Option<std::time::Duration>)>,
}

enum Success {
    NotModified,
    Parsed(Box<(crate::parse::ParsedFeed, crate::fetch::Body)>),
}

/// Parse, store, save state and log one fetch result (on a blocking thread).
fn settle(
    store: &Mutex<Store>,
    job: FeedJob,
    prev: FeedState,
    fetched: Result<Fetched, FetchError>,
    started_at: DateTime<Utc>,
    clock: Instant,
) -> FeedReport {
    let attempt = match fetched {
        Ok(Fetched::NotModified) => Attempt {
            status: Some(304),
            bytes: 0,
            result: Ok(Success::NotModified),
        },
        Ok(Fetched::Body(body)) => Attempt {
            status: Some(body.status),
            bytes: body.bytes,
            result: match crate::parse::parse_feed(
                &body.text,
                body.base_url(),
                &job.source_id,
                started_at,
            ) {
                Ok(parsed) => Ok(Success::Parsed(Box::new((parsed, body)))),
                Err(e) => Err((e.code(), e.to_string(), None)),
            },
        },
        Err(e) => Attempt {
            status: e.status(),
            bytes: 0,
            result: Err((e.code(), e.to_string(), e.retry_after())),
        },
    };
    let guard = store
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let (outcome, inserted_ids) = write(&guard, &job, &prev, attempt.result, started_at);
    let (log_outcome, error_code, error) = match &outcome {
        Written::Updated { .. } => (FetchOutcome::Ok, None, None),
        Written::NotModified => (FetchOutcome::NotModified, None, None),
        Written::Failed { code, message } => {
            (FetchOutcome::Error, Some(*code), Some(message.clone()))
        }
    };
    let entry = FetchLogEntry {
        source_id: job.source_id.clone(),
        feed_url: job.url.clone(),
        started_at,
        duration_ms: clock.elapsed().as_millis() as u64,
        status: attempt.status,
        bytes: attempt.bytes,
        items_new: inserted_ids.len() as u32,
        outcome: log_outcome,
        error_code,
        error,
    };
    let outcome = match guard.log_fetch(&entry) {
        Ok(()) => outcome.into(),
        // The attempt itself may have succeeded, but a database that cannot take a log row is
        // failing: say so rather than report success.
        Err(e) => FeedOutcome::Failed {
            code: e.code(),
            message: e.to_string(),
        },
    };
    FeedReport {
        job,
        outcome,
        inserted_ids,
    }
}

/// The outcomes an attempted fetch can leave (a deferred feed is never attempted).
enum Written {
    Updated { parsed: usize, inserted: usize },
    NotModified,
    Failed { code: Code, message: String },
}

impl From<Written> for FeedOutcome {
    fn from(w: Written) -> FeedOutcome {
        match w {
            Written::Updated { parsed, inserted } => FeedOutcome::Updated { parsed, inserted },
            Written::NotModified => FeedOutcome::NotModified,
            Written::Failed { code, message } => FeedOutcome::Failed { code, message },
        }
    }
}

/// Store the items and the new feed state; on any failure keep the old validators and back off.
fn write(
    store: &Store,
    job: &FeedJob,
    prev: &FeedState,
    result: Result<Success, (Code, String, Option<std::time::Duration>)>,
    now: DateTime<Utc>,
) -> (Written, Vec<i64>) {
    let stored = match result {
        Ok(Success::NotModified) => store
            .save_feed_state(&job.url, &after_not_modified(prev, now))
            .map(|()| Written::NotModified),
        Ok(Success::Parsed(parsed_body)) => {
            let (parsed, body) = *parsed_body;
            match store.insert_items(&parsed.items) {
                Ok(report) => {
                    let next =
                        after_success(prev, now, body.etag, body.last_modified, parsed.ttl_minutes);
                    let written = match store.save_feed_state(&job.url, &next) {
                        Ok(()) => Written::Updated {
                            parsed: parsed.items.len(),
                            inserted: report.inserted.len(),
                        },
                        // The items are in; only the validators were not saved, so the next
                        // refresh downloads the feed again and finds them as duplicates.
                        Err(e) => Written::Failed {
                            code: e.code(),
                            message: e.to_string(),
                        },
                    };
                    return (written, report.inserted);
                }
                Err(e) => Err(e),
            }
        }
        Err((code, message, retry_after)) => {
            let next = after_failure(&mut rand::thread_rng(), prev, now, retry_after);
            store
                .save_feed_state(&job.url, &next)
                .map(|()| Written::Failed { code, message })
        }
    };
    let written = stored.unwrap_or_else(|e| {
        // The archive failed (locked, disk full), not the feed: no backoff, so the next run
        // retries as soon as the archive can take it. The old validators stay, so nothing is
        // hidden behind a 304 next time.
        Written::Failed {
            code: e.code(),
            message: e.to_string(),
        }
    });
    (written, Vec::new())
}
