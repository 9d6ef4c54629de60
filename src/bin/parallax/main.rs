//! `parallax` command line: a thin edge over `parallax::api`.

use clap::{Parser, Subcommand};

mod eval_stories;

#[derive(Parser, Debug)]
#[command(name = "parallax", version, about = "Cross-lingual news story tracking")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Measure a pipeline stage against a labelled file.
    #[command(subcommand)]
    Eval(EvalCmd),
    /// Benchmarks.
    #[command(subcommand)]
    Bench(eval_stories::BenchCmd),
}

#[derive(Subcommand, Debug)]
enum EvalCmd {
    /// Group a story-eval JSONL file and score it (BCubed, pairwise, same/cross-language).
    Stories(eval_stories::StoriesArgs),
    /// Tune grouping on dev sets; leave-one-set-out, ablations (prints JSON).
    Tune(eval_stories::TuneArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Eval(EvalCmd::Stories(a)) => eval_stories::run_stories(&a),
        Command::Eval(EvalCmd::Tune(a)) => eval_stories::run_tune(&a),
        Command::Bench(b) => eval_stories::run_bench(&b),
    }
}
