//! `parallax fetch [--source ID] [--force]` (one refresh with a progress bar) and
//! `parallax watch` (the scheduler, until Ctrl-C).

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use parallax::api::{Change, Engine, EngineConfig};
use parallax::refresh::{FeedOutcome, RefreshSummary};

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

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

pub fn run_fetch(config: EngineConfig, a: FetchArgs) -> anyhow::Result<()> {
    let engine = Engine::open(config)?;
    let mut events = engine.subscribe();
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} feeds {elapsed} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let rt = runtime()?;
    let progress = {
        let bar = bar.clone();
        rt.spawn(async move {
            while let Ok(ev) = events.recv().await {
                match ev {
                    Change::FetchProgress { done, total, .. } => {
                        bar.set_length(total as u64);
                        bar.set_position(done as u64);
                    }
                    Change::StoriesUpdated { ids } => {
                        bar.set_message(format!("grouping: {} stories updated", ids.len()))
                    }
                    _ => {}
                }
            }
        })
    };
    let summary = rt.block_on(engine.refresh(a.source.as_deref(), a.force))?;
    progress.abort();
    bar.finish_and_clear();
    // From the summary, not the event stream, so no failure is missed when the bar stops.
    for f in &summary.feeds {
        if let FeedOutcome::Failed { message, .. } = &f.outcome {
            eprintln!("{}  {}  {message}", f.job.source_id, f.job.url);
        }
    }
    println!("{}", describe(&summary));
    crate::note_lease(&engine)?;
    if let Err(why) = engine.model() {
        println!("note: items were grouped by shared words and names only ({why})");
    }
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

pub fn run_watch(config: EngineConfig, _a: WatchArgs) -> anyhow::Result<()> {
    let engine = Engine::open(config)?;
    let mut events = engine.subscribe();
    // stdout carries only alerts, one JSON object per line, so it can be piped on; progress goes
    // to stderr.
    eprintln!("watching: refreshing sources on their intervals; alerts on stdout; Ctrl-C to stop");
    let rt = runtime()?;
    let announcer = engine.clone();
    rt.spawn(async move {
        // Alerts held by quiet hours come due without any event, and other processes may leave
        // items to group: look every 30 s as well.
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
        loop {
            tokio::select! {
                ev = events.recv() => {
                    let Ok(ev) = ev else { break };
                    let now = chrono::Utc::now().format("%H:%M:%S");
                    match ev {
                        Change::ItemsAdded { source_id, count } => {
                            eprintln!("{now} {source_id}: {count} new items")
                        }
                        Change::SourceFailed {
                            source_id, message, ..
                        } => eprintln!("{now} {source_id}: {message}"),
                        Change::StoriesUpdated { ids } => {
                            eprintln!("{now} {} stories updated", ids.len())
                        }
                        Change::AlertsRaised { .. } => print_due_alerts(&announcer).await,
                        _ => {}
                    }
                }
                _ = tick.tick() => {
                    // Items another process stored and left to the lease holder (this one, if
                    // nobody else groups), then alerts held by quiet hours.
                    let e = announcer.clone();
                    if let Ok(Err(err)) = tokio::task::spawn_blocking(move || e.group_pending()).await {
                        eprintln!("grouping: {err}");
                    }
                    print_due_alerts(&announcer).await
                }
            }
        }
    });
    rt.block_on(engine.watch(async {
        // If the signal cannot be installed, run until killed rather than not at all.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }))?;
    Ok(())
}

/// Print the alerts that are due (claimed, so no other process announces them too).
async fn print_due_alerts(engine: &Engine) {
    let e = engine.clone();
    match tokio::task::spawn_blocking(move || e.take_due_alerts()).await {
        Ok(Ok(alerts)) => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            for a in alerts {
                if let Ok(line) = serde_json::to_string(&a) {
                    let _ = writeln!(out, "{line}");
                }
            }
            let _ = out.flush();
        }
        Ok(Err(e)) => eprintln!("alerts: {e}"),
        Err(e) => eprintln!("alerts: {e}"),
    }
}
