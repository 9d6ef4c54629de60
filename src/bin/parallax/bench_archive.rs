//! `parallax bench archive` (build a large archive from real headlines, through the real
//! pipeline) and `parallax bench api` (median timings of the calls the app makes).

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use parallax::api::{Change, Engine, EngineConfig, bench_corpus};

#[derive(Args)]
pub struct ArchiveArgs {
    /// Archive to create or complete (a rerun stores nothing twice and resumes grouping).
    #[arg(long)]
    db: PathBuf,
    #[arg(long, default_value_t = 100_000)]
    items: usize,
    /// The shared data folder.
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// Keep English descriptions as summaries (≈4× longer embedding inputs, a slower build).
    #[arg(long)]
    with_summaries: bool,
}

fn bar(total: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(total);
    pb.set_style(
        ProgressStyle::with_template(&format!(
            "{what} {{bar:40}} {{pos}}/{{len}} {{per_sec}} eta {{eta}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb
}

pub fn archive(a: ArchiveArgs) -> anyhow::Result<()> {
    let engine = Engine::open(EngineConfig {
        seed_catalog: false,
        ..EngineConfig::new(a.db.clone())
    })?;
    if let Err(why) = engine.model() {
        anyhow::bail!("the archive must be grouped by meaning as the app does: {why}");
    }
    let t = Instant::now();
    let corpus = bench_corpus(&a.data, a.items, a.with_summaries)?;
    let pb = bar(corpus.items.len() as u64, "storing ");
    let new = engine.store_bench_corpus(&corpus, |done, _| pb.set_position(done as u64))?;
    pb.finish();
    eprintln!(
        "stored {new} new of {} items from {} outlets in {:.1} s",
        corpus.items.len(),
        corpus.sources.len(),
        t.elapsed().as_secs_f64()
    );
    drop(corpus);

    let mut events = engine.subscribe();
    let pb = bar(0, "grouping");
    let watcher = {
        let pb = pb.clone();
        std::thread::spawn(move || {
            while let Ok(c) = events.blocking_recv() {
                if let Change::Task {
                    task, done, total, ..
                } = c
                    && task == "grouping"
                {
                    pb.set_length(total);
                    pb.set_position(done);
                }
            }
        })
    };
    let t = Instant::now();
    let grouped = engine.group_pending()?;
    let secs = t.elapsed().as_secs_f64();
    pb.finish();
    drop(engine);
    let _ = watcher.join();
    eprintln!(
        "grouped {grouped} items in {secs:.1} s ({:.1} items/s: detect + embed + group + store)",
        grouped as f64 / secs.max(1e-9)
    );
    let engine = Engine::open(EngineConfig {
        seed_catalog: false,
        ..EngineConfig::new(a.db)
    })?;
    let st = engine.status()?;
    println!(
        "archive: {} items, {} stories, {} sources",
        st.items, st.stories, st.sources
    );
    Ok(())
}

#[derive(Args)]
pub struct ApiArgs {
    /// Archive to time (opened as the app opens it; nothing is written).
    #[arg(long)]
    db: PathBuf,
    #[arg(long, default_value_t = 30)]
    runs: usize,
    #[arg(long)]
    json: bool,
}

pub fn api(a: ApiArgs) -> anyhow::Result<()> {
    let engine = Engine::open(EngineConfig {
        seed_catalog: false,
        ..EngineConfig::new(a.db)
    })?;
    let timings = engine.bench_api(a.runs)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&timings)?);
        return Ok(());
    }
    println!(
        "{:<40} {:>5} {:>10} {:>10} {:>10} {:>6}",
        "call", "runs", "median ms", "p90 ms", "cpu ms", "rows"
    );
    for t in timings {
        println!(
            "{:<40} {:>5} {:>10.2} {:>10.2} {:>10.2} {:>6}",
            t.name, t.runs, t.median_ms, t.p90_ms, t.cpu_median_ms, t.rows
        );
    }
    Ok(())
}
