//! `parallax` command line: a thin edge over `parallax::api`.

mod catalog;
mod items;
mod parse;
mod sources;
mod status;
mod stories;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use parallax::api::{Engine, EngineConfig};

#[derive(Parser)]
#[command(
    name = "parallax",
    version,
    about = "Follow one story across Arabic, Persian and English outlets"
)]
struct Cli {
    /// Archive database (default: the platform data dir; env PARALLAX_DB).
    #[arg(long, global = true, env = "PARALLAX_DB")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List, add, remove, import and export sources.
    Sources(sources::Args),
    /// List stored items.
    Items(items::Args),
    /// Per-source health.
    Status(status::Args),
    /// List stories, show one, explain an item's place.
    Stories(stories::Args),
    /// Bundled catalog, OPML files and feed autodiscovery (offline, no archive needed).
    Catalog(catalog::Args),
    /// Parse a saved feed file and print its items (offline, no archive needed).
    Parse(parse::Args),
}

fn main() -> std::process::ExitCode {
    // `parallax items | head` should end quietly, as other Unix tools do, not panic on EPIPE.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal before any thread is spawned.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PARALLAX_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("parallax: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let db = cli.db.clone().unwrap_or_else(EngineConfig::default_db_path);
    let open = || -> anyhow::Result<Engine> { Ok(Engine::open(EngineConfig::new(db.clone()))?) };
    match cli.command {
        Command::Catalog(a) => catalog::run(a),
        Command::Parse(a) => parse::run(a),
        Command::Sources(a) => sources::run(open()?, a),
        Command::Items(a) => items::run(open()?, a),
        Command::Status(a) => status::run(open()?, a),
        Command::Stories(a) => stories::run(open()?, a),
    }
}

/// Print a value as pretty JSON on stdout.
pub(crate) fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}
