//! `parallax parse FILE`: parse a saved feed offline and print the items the pipeline would store.
//! `parallax bench parse`: parse throughput on real text.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use parallax::parse::parse_feed;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Saved feed (RSS 0.9x/1.0/2.0, Atom, JSON Feed) in UTF-8; `-` reads stdin.
    file: PathBuf,
    /// The feed's URL, to resolve relative links.
    #[arg(long, default_value = "https://example.invalid/feed")]
    base: String,
    /// Source id to stamp on the items.
    #[arg(long, default_value = "cli")]
    source: String,
    /// One line per item (published, time source, language, title) instead of JSON.
    #[arg(long)]
    brief: bool,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let mut bytes = Vec::new();
    if a.file.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading stdin")?;
    } else {
        bytes = std::fs::read(&a.file).with_context(|| format!("reading {}", a.file.display()))?;
    }
    let body = String::from_utf8(bytes).map_err(|_| {
        anyhow::anyhow!(
            "{} is not UTF-8: convert it first (e.g. iconv -f windows-1256 -t utf-8)",
            a.file.display()
        )
    })?;
    let feed = parse_feed(&body, &a.base, &a.source, chrono::Utc::now())?;
    if !a.brief {
        return crate::print_json(&feed);
    }
    println!(
        "# {:?} {} items, title {:?}, language {:?}, ttl {:?}",
        feed.format,
        feed.items.len(),
        feed.title.as_deref().unwrap_or(""),
        feed.declared_lang.as_ref().map(|l| l.code()),
        feed.ttl_minutes
    );
    for item in &feed.items {
        let lang = item.declared_lang.as_ref().map_or("-", |l| l.code());
        println!(
            "{}\t{:?}\t{lang}\t{}",
            item.published.to_rfc3339(),
            item.time_source,
            item.title
        );
    }
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// The shared data directory.
    #[arg(long, default_value = "../shared")]
    shared: PathBuf,
    /// Parses of the feed; the median is reported.
    #[arg(long, default_value_t = 100)]
    rounds: usize,
    #[arg(long)]
    json: bool,
}

pub fn run_bench(a: BenchArgs) -> anyhow::Result<()> {
    let report = parallax::parse::bench::run(&a.shared, a.rounds)?;
    if a.json {
        return crate::print_json(&report);
    }
    println!("{report}");
    Ok(())
}
