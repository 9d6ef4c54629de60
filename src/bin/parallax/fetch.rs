//! `parallax fetch [--source ID] [--force]` (one refresh with a progress bar) and
//! `parallax watch` (the scheduler, until Ctrl-C).

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use parallax::fetch::{FetchConfig, Fetcher};
use parallax::refresh::{
    FeedOutcome, RefreshEvent, RefreshOptions, RefreshSummary, Scheduler, SharedStore,
    refresh_sources,
};
use parallax::store::Store;
use std::path::Path;
use std::sync::{Arc, Mutex};

#[derive(clap::Args)]
pub struct FetchArgs {
    /// Only this source (ignores its backoff: you asked for it).
    #[arg(long)]
    source: Option<String>,
    /// Fetch feeds that are still backing off after failures.
    #[arg(long)]
    force: bool,
}

#[derive(clap::Args)]
pub struct WatchArgs {}

fn open(db: &Path) -> anyhow::Result<SharedStore> {
    Ok(Arc::new(Mutex::new(Store::open(db)?)))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

pub fn run_fetch(db: &Path, a: FetchArgs) -> anyhow::Result<()> {
    let store = open(db)?;
    let all = store.lock().unwrap_or_else(|p| p.into_inner()).sources()?;
    let sources: Vec<_> = match &a.source {
        Some(id) => {
            let s: Vec<_> = all.into_iter().filter(|s| &s.id == id).collect();
            anyhow::ensure!(
                !s.is_empty(),
                "no source with id {id:?} (see `parallax sources list`)"
            );
            s
        }
        None => all,
    };
    let options = RefreshOptions {
        respect_backoff: !(a.force || a.source.is_some()),
        ..RefreshOptions::default()
    };
    let fetcher = Fetcher::new(FetchConfig::default())?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} feeds {elapsed} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let summary = runtime()?.block_on(refresh_sources(
        &store,
        &fetcher,
        &sources,
        &options,
        |event| match event {
            RefreshEvent::Started { feeds } => bar.set_length(feeds as u64),
            RefreshEvent::Feed { job, outcome } => {
                bar.inc(1);
                if let FeedOutcome::Failed { message, .. } = outcome {
                    bar.println(format!("{}  {}  {message}", job.source_id, job.url));
                }
            }
            RefreshEvent::Finished => bar.finish_and_clear(),
        },
    ));
    println!("{}", describe(&summary));
    Ok(())
}

/// One line: what a refresh did.
pub fn describe(s: &RefreshSummary) -> String {
    format!(
        "{} feeds in {:.1}s: {} updated ({} new items), {} not modified, {} failed, {} backing off",
        s.feeds.len(),
        s.elapsed_ms as f64 / 1000.0,
        s.updated(),
        s.items_new(),
        s.not_modified(),
        s.failed(),
        s.deferred()
    )
}

pub fn run_watch(db: &Path, _a: WatchArgs) -> anyhow::Result<()> {
    let store = open(db)?;
    let fetcher = Arc::new(Fetcher::new(FetchConfig::default())?);
    let scheduler = Scheduler::new(store, fetcher, RefreshOptions::default());
    eprintln!("watching: refreshing sources on their intervals; Ctrl-C to stop");
    runtime()?.block_on(scheduler.run(
        async {
            // If the signal cannot be installed, run until killed rather than not at all.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        },
        |summary| async move {
            println!(
                "{} {}",
                chrono::Utc::now().format("%H:%M:%S"),
                describe(&summary)
            );
            for f in &summary.feeds {
                if let FeedOutcome::Failed { message, .. } = &f.outcome {
                    println!("  {}  {}  {message}", f.job.source_id, f.job.url);
                }
            }
        },
    ));
    eprintln!("stopped");
    Ok(())
}
