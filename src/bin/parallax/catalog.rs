//! `parallax catalog ...`: the bundled catalog, OPML files and feed autodiscovery, offline.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use parallax::{catalog, discover, opml};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: CatalogCmd,
}

#[derive(Debug, Subcommand)]
enum CatalogCmd {
    /// List the bundled catalog (or a catalog file) as tab-separated lines or JSON.
    List {
        /// Only this language (ar, fa, en).
        #[arg(long)]
        lang: Option<String>,
        #[arg(long)]
        json: bool,
        /// A catalog TOML file instead of the bundled one.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Validate a catalog file and print its counts per language and per verification state.
    Check {
        /// Defaults to the bundled catalog.
        file: Option<PathBuf>,
    },
    /// Write the bundled catalog (or a catalog file) as OPML 2.0.
    ExportOpml {
        #[arg(long)]
        file: Option<PathBuf>,
        /// Output path; stdout when absent.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Read an OPML file and print the sources it yields and the outlines it skipped.
    ImportOpml {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Find the feeds a saved HTML page announces; with none, print the fallback URLs to try.
    Discover {
        /// The saved page.
        html: PathBuf,
        /// The URL the page was loaded from (resolves relative links).
        page_url: String,
    },
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let mut out = String::new();
    execute(args.cmd, &mut out)?;
    emit(&out)
}

/// Write to stdout; a closed pipe (`| head`) is the reader's choice, not an error.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

fn execute(cmd: CatalogCmd, out: &mut String) -> anyhow::Result<()> {
    use std::fmt::Write;
    match cmd {
        CatalogCmd::List { lang, json, file } => {
            let mut sources = load(file.as_ref())?;
            if let Some(l) = lang {
                let want = parallax::model::Lang::from_tag(&l)
                    .with_context(|| format!("unknown language `{l}`"))?;
                sources.retain(|s| s.language == want);
            }
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&sources)?)?;
            } else {
                for s in &sources {
                    let feeds: Vec<String> = s
                        .feeds
                        .iter()
                        .map(|f| {
                            format!("{}{}", f.url, if f.verified { "" } else { " (unverified)" })
                        })
                        .collect();
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{:?}\t{}",
                        s.id,
                        s.language,
                        s.name,
                        s.ownership,
                        feeds.join(" ")
                    )?;
                }
            }
        }
        CatalogCmd::Check { file } => {
            let sources = load(file.as_ref())?;
            let mut per_lang: BTreeMap<String, usize> = BTreeMap::new();
            let (mut verified, mut unverified) = (0, 0);
            for s in &sources {
                *per_lang.entry(s.language.to_string()).or_default() += 1;
                for f in &s.feeds {
                    if f.verified {
                        verified += 1;
                    } else {
                        unverified += 1;
                    }
                }
            }
            writeln!(out, "valid catalog: {} sources", sources.len())?;
            for (lang, n) in per_lang {
                writeln!(out, "  {lang}: {n}")?;
            }
            writeln!(
                out,
                "feeds: {} ({verified} verified, {unverified} unverified)",
                verified + unverified
            )?;
        }
        CatalogCmd::ExportOpml { file, out: dest } => {
            let xml = opml::export(&load(file.as_ref())?);
            match dest {
                Some(p) => {
                    std::fs::write(&p, xml).with_context(|| format!("writing {}", p.display()))?
                }
                None => out.push_str(&xml),
            }
        }
        CatalogCmd::ImportOpml { file, json } => {
            let text = read(&file)?;
            let report = opml::import_report(&text)?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&report.sources)?)?;
            } else {
                for s in &report.sources {
                    let urls: Vec<&str> = s.feeds.iter().map(|f| f.url.as_str()).collect();
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{}",
                        s.id,
                        s.language,
                        s.name,
                        urls.join(" ")
                    )?;
                }
            }
            for s in &report.skipped {
                eprintln!("skipped: {}: {}", s.label, s.reason);
            }
            eprintln!(
                "{} sources, {} skipped",
                report.sources.len(),
                report.skipped.len()
            );
        }
        CatalogCmd::Discover { html, page_url } => {
            let feeds = discover::feed_links(&read(&html)?, &page_url);
            if feeds.is_empty() {
                eprintln!("no feed announced; fallback URLs to try:");
                for u in discover::fallback_candidates(&page_url) {
                    writeln!(out, "{u}")?;
                }
            } else {
                for f in feeds {
                    writeln!(
                        out,
                        "{:?}\t{}\t{}",
                        f.kind,
                        f.url,
                        f.title.unwrap_or_default()
                    )?;
                }
            }
        }
    }
    Ok(())
}

fn read(path: &PathBuf) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn load(file: Option<&PathBuf>) -> anyhow::Result<Vec<parallax::model::Source>> {
    Ok(match file {
        Some(p) => catalog::parse_catalog(&read(p)?)?,
        None => catalog::bundled()?,
    })
}
