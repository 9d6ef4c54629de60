//! `parallax bench fetch`: refresh N local feeds of real items into a fresh archive, and have
//! newsboat reload the same feeds, several times; report medians and the ratio.
//!
//! The feeds come from the fixture server (`examples/fixture_server.rs`), run as its own process
//! so neither reader's memory or CPU figures include the server's.

use anyhow::{Context, bail};
use parallax::fetch::{FetchConfig, Fetcher};
use parallax::model::{Feed, Lang, Ownership, Source};
use parallax::refresh::{RefreshOptions, refresh_sources};
use parallax::store::Store;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Number of feeds (25 real items each).
    #[arg(long, default_value_t = 1000)]
    feeds: usize,
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Distinct origins the feeds are spread over (per-host limits apply to each).
    #[arg(long, default_value_t = 50)]
    hosts: usize,
    /// The fixture server (default: `examples/fixture_server` beside this executable; build it
    /// with `cargo build --release -p parallax --example fixture_server`).
    #[arg(long)]
    fixture_server: Option<PathBuf>,
    #[arg(long, default_value = "/usr/bin/newsboat")]
    newsboat: PathBuf,
    /// Skip the newsboat comparison.
    #[arg(long)]
    no_newsboat: bool,
}

/// One timed refresh.
#[derive(Debug, Clone, Copy)]
struct Run {
    secs: f64,
    feeds_ok: usize,
    /// Items read from the feeds.
    items: usize,
    /// Items stored after dedupe (identical items recur across the benchmark's feeds).
    stored: usize,
}

/// The fixture server child; closing its stdin stops it.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let server_bin = match &a.fixture_server {
        Some(p) => p.clone(),
        None => std::env::current_exe()?
            .parent()
            .map(|d| d.join("examples/fixture_server"))
            .context("no executable dir")?,
    };
    anyhow::ensure!(
        server_bin.exists(),
        "fixture server not found at {} (cargo build --release -p parallax --example fixture_server)",
        server_bin.display()
    );
    let mut child = Command::new(&server_bin)
        .args([
            "--bench",
            &a.feeds.to_string(),
            "--ports",
            &a.hosts.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", server_bin.display()))?;
    let stdout = child.stdout.take().context("fixture server stdout")?;
    let _server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let hello: serde_json::Value =
        serde_json::from_str(&line).with_context(|| format!("fixture server said {line:?}"))?;
    let urls: Vec<String> = serde_json::from_value(hello["bench"].clone())?;
    anyhow::ensure!(
        urls.len() == a.feeds,
        "fixture server serves {} feeds, wanted {}",
        urls.len(),
        a.feeds
    );

    let scratch = std::env::temp_dir().join(format!("parallax-bench-fetch-{}", std::process::id()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let config = FetchConfig::default();
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut newsboat_rss_kb = Vec::new();
    for r in 0..a.runs {
        let dir = scratch.join(format!("run{r}"));
        std::fs::create_dir_all(&dir)?;
        let run = runtime.block_on(parallax_run(&urls, &dir, config.clone()))?;
        eprintln!(
            "run {}: parallax {:.2}s, {} feeds ok, {} items",
            r + 1,
            run.secs,
            run.feeds_ok,
            run.items
        );
        ours.push(run);
        if !a.no_newsboat {
            let (run, rss) = newsboat_run(&a.newsboat, &urls, &dir, config.global_concurrency)?;
            eprintln!(
                "run {}: newsboat {:.2}s, {} feeds, {} items, peak RSS {} MB",
                r + 1,
                run.secs,
                run.feeds_ok,
                run.items,
                rss / 1024
            );
            theirs.push(run);
            newsboat_rss_kb.push(rss);
        }
        std::fs::remove_dir_all(&dir)?;
    }
    let _ = std::fs::remove_dir_all(&scratch);

    let med = median(ours.iter().map(|r| r.secs).collect());
    let run = ours[0];
    println!(
        "parallax: {} feeds ({} hosts), {} items read ({} stored), median {:.2}s over {} runs: {:.0} feeds/s, {:.0} items/s, peak RSS {} MB",
        a.feeds,
        a.hosts,
        run.items,
        run.stored,
        med,
        a.runs,
        run.feeds_ok as f64 / med,
        run.items as f64 / med,
        vm_hwm_kb().unwrap_or(0) / 1024
    );
    if !theirs.is_empty() {
        let nb = median(theirs.iter().map(|r| r.secs).collect());
        println!(
            "newsboat: {} feeds, {} items stored, median {:.2}s ({} reload-threads): {:.0} feeds/s, peak RSS {} MB",
            theirs[0].feeds_ok,
            theirs[0].items,
            nb,
            config.global_concurrency,
            theirs[0].feeds_ok as f64 / nb,
            median(newsboat_rss_kb.iter().map(|k| *k as f64).collect()) as u64 / 1024
        );
        println!("ratio: parallax is {:.1}x newsboat's speed", nb / med);
    }
    Ok(())
}

async fn parallax_run(urls: &[String], dir: &Path, config: FetchConfig) -> anyhow::Result<Run> {
    let store = Store::open(&dir.join("archive.db"))?;
    let langs = [Lang::Fa, Lang::Ar, Lang::En];
    let sources: Vec<Source> = urls
        .iter()
        .enumerate()
        .map(|(i, url)| Source {
            id: format!("bench-{i}"),
            name: format!("Bench {i}"),
            homepage: None,
            feeds: vec![Feed {
                url: url.clone(),
                verified: true,
            }],
            language: langs[i % 3].clone(),
            country: None,
            ownership: Ownership::Unknown,
            note: None,
            enabled: true,
            refresh_secs: 900,
        })
        .collect();
    for s in &sources {
        store.upsert_source(s)?;
    }
    let store = Arc::new(Mutex::new(store));
    let fetcher = Fetcher::new(config)?;
    let started = Instant::now();
    let summary = refresh_sources(
        &store,
        &fetcher,
        &sources,
        &RefreshOptions::default(),
        |_| {},
    )
    .await;
    let secs = started.elapsed().as_secs_f64();
    if let Some(f) = summary
        .feeds
        .iter()
        .find(|f| matches!(f.outcome, parallax::refresh::FeedOutcome::Failed { .. }))
    {
        bail!(
            "{} feeds failed, e.g. {}: {:?}",
            summary.failed(),
            f.job.url,
            f.outcome
        );
    }
    Ok(Run {
        secs,
        feeds_ok: summary.updated(),
        items: summary.items_parsed(),
        stored: summary.items_new(),
    })
}

/// `newsboat -x reload` on the same feeds with its own config and cache; returns the run and
/// its peak RSS in KiB (GNU time).
fn newsboat_run(
    newsboat: &Path,
    urls: &[String],
    dir: &Path,
    threads: usize,
) -> anyhow::Result<(Run, u64)> {
    let nb = dir.join("newsboat");
    std::fs::create_dir_all(&nb)?;
    std::fs::write(nb.join("urls"), urls.join("\n") + "\n")?;
    std::fs::write(nb.join("config"), format!("reload-threads {threads}\n"))?;
    let cache = nb.join("cache.db");
    let started = Instant::now();
    let status = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(nb.join("rss"))
        .arg(newsboat)
        .args(["-x", "reload", "-u"])
        .arg(nb.join("urls"))
        .arg("-c")
        .arg(&cache)
        .arg("-C")
        .arg(nb.join("config"))
        .env("HOME", &nb)
        .env("XDG_CONFIG_HOME", &nb)
        .env("XDG_DATA_HOME", &nb)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .with_context(|| format!("cannot run {}", newsboat.display()))?;
    let secs = started.elapsed().as_secs_f64();
    anyhow::ensure!(status.success(), "newsboat failed: {status}");
    let rss_kb = std::fs::read_to_string(nb.join("rss"))?
        .trim()
        .lines()
        .last()
        .unwrap_or("0")
        .trim()
        .parse()
        .unwrap_or(0);
    let conn = rusqlite::Connection::open(&cache)?;
    let items: i64 = conn.query_row("SELECT count(*) FROM rss_item", [], |r| r.get(0))?;
    let feeds: i64 = conn.query_row("SELECT count(*) FROM rss_feed", [], |r| r.get(0))?;
    Ok((
        Run {
            secs,
            feeds_ok: feeds as usize,
            items: items as usize,
            stored: items as usize,
        },
        rss_kb,
    ))
}

fn median(v: Vec<f64>) -> f64 {
    parallax::eval::stats::median(&v)
}

/// Peak resident set size of this process (VmHWM), in KiB.
fn vm_hwm_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
