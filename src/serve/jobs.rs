//! Shared fetching: every `parallax serve` process (the grouping server and each `--worker`)
//! claims due feeds from the archive's job table, fetches and stores them, and hands each back
//! with its next due time. Claims carry a deadline: a feed whose worker died mid-fetch is taken
//! by another once the claim runs out, and since items are unique by source and guid (and by
//! canonical URL) a feed fetched twice stores its items once.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::api::Engine;
use crate::refresh::{FeedJob, RefreshSummary, next_due};

/// How a process fetches.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Feeds fetched at once by this process.
    pub concurrency: usize,
    /// How long a claim lasts: longer than any one fetch takes (the fetcher's own timeouts), so a
    /// live worker never loses its feed, short enough that a dead worker's feeds wait little.
    pub claim_secs: u32,
    /// This process's name in the job table.
    pub worker: String,
}

impl FetchOptions {
    pub fn new(worker: String) -> FetchOptions {
        FetchOptions {
            concurrency: 16,
            claim_secs: 300,
            worker,
        }
    }
}

/// Longest wait between looks at the job table when nothing is due.
const MAX_NAP: Duration = Duration::from_secs(5);
const MIN_NAP: Duration = Duration::from_millis(200);

/// Fetch claimed feeds until `stop` turns true. On stop, fetches in flight are abandoned; their
/// claims run out and another process takes them.
pub async fn run(engine: Engine, opts: FetchOptions, mut stop: watch::Receiver<bool>) {
    let mut tasks: JoinSet<()> = JoinSet::new();
    loop {
        if *stop.borrow() {
            break;
        }
        let free = opts.concurrency.saturating_sub(tasks.len());
        let mut nap = MIN_NAP;
        if free > 0 {
            let (worker, claim_secs) = (opts.worker.clone(), opts.claim_secs);
            match blocking(&engine, move |e| {
                e.with_store(|s| s.claim_fetch_jobs(&worker, free, claim_secs))
            })
            .await
            {
                Ok(jobs) if jobs.is_empty() && tasks.is_empty() => {
                    nap = next_look(&engine).await;
                }
                Ok(jobs) => {
                    for job in jobs {
                        tasks.spawn(fetch_one(engine.clone(), opts.clone(), job));
                    }
                }
                Err(e) => {
                    tracing::warn!("claiming feeds: {e}");
                    nap = MAX_NAP;
                }
            }
        }
        tokio::select! {
            Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                if let Err(e) = done {
                    tracing::warn!("a fetch task failed: {e}");
                }
            }
            () = tokio::time::sleep(nap) => {}
            _ = stop.changed() => break,
        }
    }
    tasks.abort_all();
}

/// How long until the next feed is due, within [MIN_NAP, MAX_NAP].
async fn next_look(engine: &Engine) -> Duration {
    match blocking(engine, |e| e.with_store(|s| s.next_fetch_due_secs())).await {
        Ok(Some(secs)) => Duration::from_secs_f64(secs.clamp(0.0, MAX_NAP.as_secs_f64())),
        Ok(None) => MAX_NAP,
        Err(e) => {
            tracing::warn!("looking for due feeds: {e}");
            MAX_NAP
        }
    }
    .max(MIN_NAP)
}

/// Fetch one claimed feed, then hand it back due again on its source's interval.
async fn fetch_one(engine: Engine, opts: FetchOptions, job: FeedJob) {
    let summary = match engine.refresh_jobs(vec![job.clone()]).await {
        Ok(s) => s,
        Err(e) => {
            // Not even tried (no HTTP client): leave the claim to run out and be retried.
            tracing::warn!("{}: {e}", job.url);
            return;
        }
    };
    log(&job, &summary);
    let url = job.url.clone();
    let handed_back = blocking(&engine, move |e| {
        e.with_store(|s| {
            let state = s.feed_state(&url)?;
            let secs = s
                .source(&job.source_id)?
                .map(|s| s.refresh_secs)
                .unwrap_or(0);
            // A feed never fetched (deferred by a backoff it had before) is due when the
            // backoff ends; one just fetched on its interval.
            let due = next_due(&state, secs, &url).unwrap_or_else(chrono::Utc::now);
            s.finish_fetch_job(&opts.worker, &url, due)
        })
    })
    .await;
    match handed_back {
        Ok(true) => {}
        Ok(false) => tracing::info!(
            "{}: the claim ran out before the fetch ended; another worker has it",
            job.url
        ),
        Err(e) => tracing::warn!("{}: handing the feed back: {e}", job.url),
    }
}

fn log(job: &FeedJob, summary: &RefreshSummary) {
    for f in &summary.feeds {
        tracing::debug!(source = %job.source_id, url = %job.url, outcome = ?f.outcome, new = f.inserted_ids.len(), "fetched");
    }
}

/// Run an engine call on a blocking thread.
pub(super) async fn blocking<T: Send + 'static>(
    engine: &Engine,
    f: impl FnOnce(&Engine) -> crate::api::ApiResult<T> + Send + 'static,
) -> crate::api::ApiResult<T> {
    let engine = engine.clone();
    tokio::task::spawn_blocking(move || f(&engine))
        .await
        .unwrap_or_else(|e| {
            Err(crate::api::ApiError::new(
                crate::error::Code::Internal,
                format!("a database task failed: {e}"),
            ))
        })
}
