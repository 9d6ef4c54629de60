//! `parallax bench scale`: replicate a real archive to team scale (1M items) into a SQLite file
//! and a PostgreSQL database (the global `--pg`), then time the calls the app makes on both,
//! side by side (median and p95, and the PostgreSQL / SQLite ratio).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args as ClapArgs;
use parallax::api::{Engine, EngineConfig, ScaleTiming};

#[derive(ClapArgs)]
pub struct Args {
    /// The real archive to replicate (from `parallax bench archive`); only read.
    #[arg(long)]
    from: PathBuf,
    /// The SQLite archive to create (a copy of --from, then the replicas).
    #[arg(long)]
    sqlite: PathBuf,
    /// Items to reach: the original is copied ⌈items / its size⌉ times in all.
    #[arg(long, default_value_t = 1_000_000)]
    items: usize,
    /// Calls per measurement.
    #[arg(long, default_value_t = 30)]
    runs: usize,
    /// Time the archives already built (--sqlite and --pg) instead of building them.
    #[arg(long)]
    reuse: bool,
    /// Leave out search by meaning (it needs the model, and builds a vector index per back end).
    #[arg(long)]
    no_meaning: bool,
    #[arg(long)]
    json: bool,
}

fn file_mb(p: &std::path::Path) -> f64 {
    std::fs::metadata(p).map_or(0.0, |m| m.len() as f64 / 1_048_576.0)
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

pub fn run(a: Args, pg: Option<String>) -> anyhow::Result<()> {
    if !a.reuse {
        let t = Instant::now();
        let base = parallax::api::read_scale_base(&a.from)
            .with_context(|| format!("reading {}", a.from.display()))?;
        let copies = a.items.div_ceil(base.items()).max(1);
        eprintln!(
            "original: {} items, {} stories; {copies} copies → {} items, each copy {} days earlier than the one before (read in {:.1} s)",
            base.items(),
            base.stories(),
            base.items() * copies,
            base.span_days(),
            t.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        parallax::api::copy_archive(&a.from, &a.sqlite)?;
        parallax::api::extend_sqlite(&a.sqlite, &base, copies, |k| {
            eprintln!(
                "  sqlite: copy {k}/{copies} stored ({:.0} s)",
                t.elapsed().as_secs_f64()
            )
        })?;
        eprintln!(
            "SQLite: {} built in {:.0} s, {:.0} MB",
            a.sqlite.display(),
            t.elapsed().as_secs_f64(),
            file_mb(&a.sqlite)
        );
        if let Some(url) = &pg {
            let t = Instant::now();
            parallax::api::load_postgres(url, &a.sqlite, &base, copies, |k| {
                eprintln!(
                    "  postgres: copy {k}/{copies} stored ({:.0} s)",
                    t.elapsed().as_secs_f64()
                )
            })?;
            eprintln!(
                "PostgreSQL: loaded in {:.0} s (binary COPY, then ANALYZE)",
                t.elapsed().as_secs_f64()
            );
        }
    }

    let open = |postgres: Option<String>| -> anyhow::Result<Engine> {
        Ok(Engine::open(EngineConfig {
            seed_catalog: false,
            postgres,
            ..EngineConfig::new(a.sqlite.clone())
        })?)
    };
    let sqlite = open(None)?;
    let probe = sqlite.scale_probe()?;
    let semantic = !a.no_meaning;
    if semantic && let Err(why) = sqlite.model() {
        anyhow::bail!(
            "search by meaning needs the model ({why}); pass --no-meaning to leave it out"
        );
    }
    let load_before = load();
    let status = sqlite.status()?;
    let lite = sqlite.bench_scale(&probe, a.runs, semantic)?;
    drop(sqlite);
    let (pg_times, pg_size) = match &pg {
        Some(url) => {
            let e = open(Some(url.clone()))?;
            let st = e.status()?;
            anyhow::ensure!(
                st.items == status.items && st.stories == status.stories,
                "the PostgreSQL archive ({} items, {} stories) does not match the SQLite one ({} items, {} stories)",
                st.items,
                st.stories,
                status.items,
                status.stories
            );
            let t = e.bench_scale(&probe, a.runs, semantic)?;
            (Some(t), Some(parallax::api::postgres_size(url)?))
        }
        None => (None, None),
    };
    if a.json {
        return crate::print_json(&serde_json::json!({
            "items": status.items,
            "stories": status.stories,
            "sqlite_mb": file_mb(&a.sqlite),
            "postgres_mb": pg_size.map(|b| b as f64 / 1_048_576.0),
            "sqlite": lite,
            "postgres": pg_times,
        }));
    }
    println!(
        "{} items, {} stories ({} replicated, see README \"Team performance\"); {} runs per call; load average {} before, {} after",
        status.items,
        status.stories,
        a.from.display(),
        a.runs,
        load_before,
        load()
    );
    println!(
        "SQLite {:.0} MB{}",
        file_mb(&a.sqlite),
        pg_size.map_or(String::new(), |b| format!(
            ", PostgreSQL {:.0} MB",
            b as f64 / 1_048_576.0
        ))
    );
    println!(
        "{:<46} {:>11} {:>9} {:>11} {:>9} {:>8} {:>6}",
        "call (wall ms)", "sqlite med", "p95", "pg med", "p95", "pg/lite", "rows"
    );
    for (i, l) in lite.iter().enumerate() {
        let p: Option<&ScaleTiming> = pg_times.as_ref().and_then(|t| t.get(i));
        let cell = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
        println!(
            "{:<46} {:>11.1} {:>9.1} {:>11} {:>9} {:>8} {:>6}",
            l.name,
            l.median_ms,
            l.p95_ms,
            cell(p.map(|p| p.median_ms)),
            cell(p.map(|p| p.p95_ms)),
            p.map_or("-".into(), |p| format!(
                "{:.2}×",
                p.median_ms / l.median_ms.max(1e-9)
            )),
            l.rows
        );
    }
    Ok(())
}
