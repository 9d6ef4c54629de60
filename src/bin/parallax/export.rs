//! `parallax export story ID --format html|csv|json [--out FILE]` and
//! `parallax export search TEXT [--meaning] [--out FILE]` (CSV).

use std::path::PathBuf;

use anyhow::Context;
use parallax::api::{Engine, ExportFormat, SearchQuery};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(clap::Subcommand)]
enum What {
    /// One story: a self-contained HTML report, or its items as CSV or JSON.
    Story {
        id: i64,
        /// html, csv or json.
        #[arg(long, default_value = "html")]
        format: String,
        /// Write here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// A search result as CSV (one row per item found, grouped by story).
    Search {
        text: String,
        /// Also items in other languages that say the same thing (needs the model).
        #[arg(long)]
        meaning: bool,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub fn run(engine: Engine, a: Args) -> anyhow::Result<()> {
    let (text, out) = match a.what {
        What::Story { id, format, out } => {
            let f = ExportFormat::parse(&format).ok_or_else(|| {
                anyhow::anyhow!("--format: expected html, csv or json, got {format:?}")
            })?;
            (engine.export_story(id, f)?, out)
        }
        What::Search { text, meaning, out } => {
            let q = SearchQuery {
                text,
                semantic: meaning,
                ..Default::default()
            };
            (engine.export_search(&q)?, out)
        }
    };
    match out {
        Some(path) => {
            // Written next to the target and renamed, so a failed export never leaves half a file.
            let tmp = path.with_extension("partial");
            std::fs::write(&tmp, &text)
                .with_context(|| format!("cannot write {}", tmp.display()))?;
            std::fs::rename(&tmp, &path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {} ({} bytes)", path.display(), text.len());
        }
        None => print!("{text}"),
    }
    Ok(())
}
