//! `parallax sources ...`

use clap::Subcommand;
use parallax::api::Engine;
use parallax::fulltext::FulltextMode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// List sources (`--json`: one array of objects).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a source by feed URL or homepage URL (the page's feed is discovered).
    Add { url: String },
    /// Remove a source (its items stay in the archive).
    Remove { id: String },
    /// Enable a source.
    Enable { id: String },
    /// Disable a source (it is no longer fetched).
    Disable { id: String },
    /// Set how often a source is refreshed, in minutes (never below the feed's own TTL).
    Interval { id: String, minutes: u32 },
    /// Full-text articles for a source: `on`, `off`, or `auto` (on when its feeds carry only
    /// headlines); without a mode, show the current one.
    Fulltext { id: String, mode: Option<String> },
    /// Import sources from an OPML file (`-` for standard input).
    Import { file: String },
    /// Export all sources as OPML (to standard output, or `--out FILE`).
    Export {
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

#[derive(serde::Serialize)]
struct Row<'a> {
    id: &'a str,
    name: &'a str,
    language: &'a str,
    country: Option<&'a str>,
    ownership: parallax::model::Ownership,
    feeds: Vec<&'a str>,
    homepage: Option<&'a str>,
    enabled: bool,
    refresh_minutes: u32,
    note: Option<&'a str>,
    /// Full-text mode (`auto`, `on`, `off`) and whether it is on now.
    fulltext: &'static str,
    fulltext_enabled: bool,
}

pub fn run(engine: Engine, a: Args) -> anyhow::Result<()> {
    match a.cmd {
        Cmd::List { json } => {
            let views = engine.list_sources()?;
            let modes = views
                .iter()
                .map(|v| engine.source_fulltext(&v.source.id))
                .collect::<Result<Vec<_>, _>>()?;
            let rows: Vec<Row<'_>> = views
                .iter()
                .zip(&modes)
                .map(|(v, m)| Row {
                    id: &v.source.id,
                    name: &v.source.name,
                    language: v.source.language.code(),
                    country: v.source.country.as_deref(),
                    ownership: v.source.ownership,
                    feeds: v.source.feeds.iter().map(|f| f.url.as_str()).collect(),
                    homepage: v.source.homepage.as_deref(),
                    enabled: v.source.enabled,
                    refresh_minutes: v.source.refresh_secs / 60,
                    note: v.source.note.as_deref(),
                    fulltext: m.mode.as_str(),
                    fulltext_enabled: m.enabled,
                })
                .collect();
            if json {
                return crate::print_json(&rows);
            }
            for r in rows {
                println!(
                    "{:<24} {:<3} {:<3} {:<26} {}{}{}",
                    r.id,
                    r.language,
                    r.country.unwrap_or("-"),
                    format!("{:?}", r.ownership),
                    r.name,
                    if r.enabled { "" } else { "  (disabled)" },
                    if r.fulltext_enabled {
                        "  (full text)"
                    } else {
                        ""
                    }
                );
            }
            Ok(())
        }
        Cmd::Add { url } => {
            // Multi-threaded: a PostgreSQL archive's calls then borrow the worker they run on
            // instead of a thread of their own each (see store::pg::off_runtime).
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()?;
            let s = rt.block_on(engine.add_source(&url))?;
            println!(
                "added {} ({}), feed {}; fetch it with `parallax fetch --source {}`",
                s.id,
                s.name,
                s.feeds.first().map(|f| f.url.as_str()).unwrap_or("-"),
                s.id
            );
            Ok(())
        }
        Cmd::Remove { id } => {
            engine.remove_source(&id)?;
            println!("removed {id} (its items stay in the archive)");
            Ok(())
        }
        Cmd::Enable { id } => Ok(engine.set_source_enabled(&id, true)?),
        Cmd::Disable { id } => Ok(engine.set_source_enabled(&id, false)?),
        Cmd::Interval { id, minutes } => {
            anyhow::ensure!(minutes >= 1, "the interval must be at least one minute");
            engine.set_source_refresh(&id, minutes)?;
            println!("{id}: refreshed every {minutes} min (or the feed's TTL, if longer)");
            Ok(())
        }
        Cmd::Fulltext { id, mode } => {
            let state = match mode {
                Some(m) => {
                    let mode = FulltextMode::parse(&m).ok_or_else(|| {
                        anyhow::anyhow!("full-text mode must be on, off or auto, got {m:?}")
                    })?;
                    engine.set_source_fulltext(&id, mode)?
                }
                None => engine.source_fulltext(&id)?,
            };
            println!(
                "{id}: full text {} ({})",
                state.mode.as_str(),
                if state.enabled {
                    "article pages are fetched for new items"
                } else {
                    "feed text only"
                }
            );
            Ok(())
        }
        Cmd::Import { file } => {
            let text = if file == "-" {
                std::io::read_to_string(std::io::stdin())?
            } else {
                std::fs::read_to_string(&file)
                    .map_err(|e| anyhow::anyhow!("cannot read {file}: {e}"))?
            };
            let r = engine.import_opml(&text)?;
            println!("imported {} sources", r.added.len());
            for s in &r.skipped {
                println!("  skipped {s}");
            }
            Ok(())
        }
        Cmd::Export { out } => {
            let xml = engine.export_opml()?;
            match out {
                Some(p) => std::fs::write(&p, xml)
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", p.display()))?,
                None => print!("{xml}"),
            }
            Ok(())
        }
    }
}
