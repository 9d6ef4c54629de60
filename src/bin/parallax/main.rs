//! `parallax` command line: a thin edge over `parallax::api`.

use clap::{Parser, Subcommand};

mod sources;

#[derive(Debug, Parser)]
#[command(
    name = "parallax",
    version,
    about = "Cross-lingual news story tracking"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Source catalog, OPML import/export, feed autodiscovery.
    Sources(sources::SourcesArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().cmd {
        Cmd::Sources(args) => sources::run(args),
    }
}
