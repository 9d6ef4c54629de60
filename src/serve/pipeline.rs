//! The grouping server's loop: what `parallax serve` does besides answering requests and
//! fetching (see `jobs`). Every few seconds it groups what the fetchers stored: article pages
//! (for headline-only sources), language detection, embedding (when the model is installed),
//! grouping and watches run in `Engine::group_pending_with_articles`, which works only while this
//! process holds the archive's grouping lease. Several servers may run this loop; one groups at a time, and
//! another takes over when its lease goes silent.

use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::jobs::blocking;
use crate::api::Engine;

/// How often the loop runs.
#[derive(Debug, Clone)]
pub struct PipelineOptions {
    /// Between grouping passes (items wait at most this long for their story).
    pub group_every: Duration,
    /// How long the change feed behind `/api/events` keeps its rows.
    pub keep_changes: Duration,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            group_every: Duration::from_secs(2),
            keep_changes: Duration::from_secs(3600),
        }
    }
}

/// Run until `stop` turns true.
pub async fn run(engine: Engine, opts: PipelineOptions, mut stop: watch::Receiver<bool>) {
    let mut last_prune = Instant::now();
    loop {
        if *stop.borrow() {
            break;
        }
        // Articles first (for the sources that want them), so a headline-only item is grouped
        // and found by its article's lead, as after a refresh on one machine.
        match engine.group_pending_with_articles().await {
            Ok(n) if n > 0 => tracing::info!("grouped {n} items"),
            Ok(_) => {}
            Err(e) => tracing::warn!("grouping: {e}"),
        }
        if last_prune.elapsed() >= Duration::from_secs(60) {
            let keep = opts.keep_changes.as_secs().min(u64::from(u32::MAX)) as u32;
            if let Err(e) =
                blocking(&engine, move |e| e.with_store(|s| s.prune_changes(keep))).await
            {
                tracing::warn!("pruning the change feed: {e}");
            }
            last_prune = Instant::now();
        }
        tokio::select! {
            () = tokio::time::sleep(opts.group_every) => {}
            _ = stop.changed() => break,
        }
    }
}
