//! `parallax fetch [--source ID] [--force]` (one refresh with a progress bar) and
//! `parallax watch` (the scheduler, until Ctrl-C).

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use parallax::api::{Change, Engine, EngineConfig};
use parallax::refresh::RefreshSummary;
use std::path::Path;

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

fn engine(db: &Path) -> anyhow::Result<Engine> {
    Ok(Engine::open(EngineConfig::new(db.to_path_buf()))?)
}

pub fn run_fetch(db: &Path, a: FetchArgs) -> anyhow::Result<()> {
    let engine = engine(db)?;
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
                    Change::SourceFailed {
                        source_id, message, ..
                    } => {
                        let line = format!("{source_id}  {message}");
                        // A hidden bar (no terminal) drops println: the errors must still show.
                        if bar.is_hidden() {
                            eprintln!("{line}");
                        } else {
                            bar.println(line);
                        }
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
    println!("{}", describe(&summary));
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

pub fn run_watch(db: &Path, _a: WatchArgs) -> anyhow::Result<()> {
    let engine = engine(db)?;
    let mut events = engine.subscribe();
    eprintln!("watching: refreshing sources on their intervals; Ctrl-C to stop");
    let rt = runtime()?;
    rt.spawn(async move {
        while let Ok(ev) = events.recv().await {
            let now = chrono::Utc::now().format("%H:%M:%S");
            match ev {
                Change::ItemsAdded { source_id, count } => {
                    println!("{now} {source_id}: {count} new items")
                }
                Change::SourceFailed {
                    source_id, message, ..
                } => println!("{now} {source_id}: {message}"),
                Change::StoriesUpdated { ids } => println!("{now} {} stories updated", ids.len()),
                _ => {}
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
