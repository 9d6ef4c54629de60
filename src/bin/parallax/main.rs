//! `parallax` command line: a thin edge over `parallax::api`.

use clap::{Parser, Subcommand};

mod eval_lang;

#[derive(Parser)]
#[command(
    name = "parallax",
    version,
    about = "Cross-lingual news story tracking"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluations over the shared data sets.
    Eval {
        #[command(subcommand)]
        what: EvalCommand,
    },
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Language-identification accuracy and speed.
    Lang(eval_lang::Args),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Eval { what } => match what {
            EvalCommand::Lang(args) => eval_lang::run(args),
        },
    }
}
