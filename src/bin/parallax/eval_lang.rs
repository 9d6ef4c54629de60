//! `parallax eval lang [--json]`: language-identification benchmark.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use parallax::eval::lang;

#[derive(clap::Args)]
pub struct Args {
    /// Print JSON: {"results": [...], "per_second": {...}, "confusion": [...]}.
    #[arg(long)]
    json: bool,
    /// The shared data directory.
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// Minimum seconds each detector's speed is measured for.
    #[arg(long, default_value_t = 2.0)]
    seconds: f64,
    /// Only evaluate detectors whose name contains this.
    #[arg(long)]
    only: Option<String>,
    /// Also print up to N misclassified texts per cell (to stderr) for each detector.
    #[arg(long, value_name = "N")]
    errors: Option<usize>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let samples = lang::load_samples(&args.data)
        .with_context(|| format!("loading samples from {}", args.data.display()))?;
    let contenders: Vec<_> = lang::contenders()
        .into_iter()
        .filter(|c| args.only.as_deref().is_none_or(|o| c.name.contains(o)))
        .collect();
    if let Some(limit) = args.errors {
        for c in &contenders {
            for (s, pred) in lang::errors(&samples, c, limit) {
                eprintln!(
                    "{}\t{}/{}\t{}→{}\t{}",
                    c.name, s.dataset, s.subset, s.lang, pred, s.text
                );
            }
        }
    }
    let min = Duration::from_secs_f64(args.seconds.max(0.0));
    let report = lang::run(&samples, &contenders, min);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.to_table());
    }
    Ok(())
}
