//! `parallax watchlist add|list|remove|alias` and `parallax alerts [--since] [--unseen] [--json]`,
//! `parallax alerts seen ID|--all`.

use anyhow::bail;
use parallax::api::{AlertView, Engine, NewWatch};
use parallax::model::{Lang, Ownership};
use parallax::watch::WatchRule;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Add a watch: terms or names (any script), or one of the options below.
    Add(AddArgs),
    /// List the watches.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a watch (and its alerts).
    Remove { id: i64 },
    /// The alias list: spellings of one name that match each other.
    Alias {
        #[command(subcommand)]
        cmd: AliasCmd,
    },
}

#[derive(clap::Subcommand)]
enum AliasCmd {
    /// Add spellings of one name: `alias add Soleimani سليماني سلیمانی`.
    Add {
        spellings: Vec<String>,
    },
    List {
        #[arg(long)]
        json: bool,
    },
    Remove {
        id: i64,
    },
}

#[derive(clap::Args)]
struct AddArgs {
    /// Terms or names; an item matching any of them raises an alert.
    terms: Vec<String>,
    /// Items from this outlet (source id; repeat for a group of outlets).
    #[arg(long = "outlet")]
    outlets: Vec<String>,
    /// Items from outlets of this kind: state, public_broadcaster, private, party_affiliated,
    /// foreign_government_funded.
    #[arg(long)]
    ownership: Option<String>,
    /// Items in this language (ar, fa, en, ...).
    #[arg(long)]
    lang: Option<String>,
    /// A story reaches this many languages.
    #[arg(long)]
    story_languages: Option<u32>,
    /// A story is first reported by this outlet (source id).
    #[arg(long)]
    first_by: Option<String>,
    /// A story gains this many outlets within --within minutes.
    #[arg(long, requires = "within")]
    gains_outlets: Option<u32>,
    #[arg(long, requires = "gains_outlets")]
    within: Option<u32>,
    /// A name for the watch (default: a description of it).
    #[arg(long)]
    name: Option<String>,
    /// Do not run the new watch over the archive already stored.
    #[arg(long)]
    no_backfill: bool,
}

fn rule_of(a: &AddArgs) -> anyhow::Result<WatchRule> {
    let mut rules = Vec::new();
    if !a.terms.is_empty() {
        rules.push(WatchRule::Terms {
            terms: a.terms.clone(),
        });
    }
    if !a.outlets.is_empty() {
        rules.push(WatchRule::Outlets {
            sources: a.outlets.clone(),
        });
    }
    if let Some(o) = &a.ownership {
        let ownership: Ownership = serde_json::from_value(serde_json::Value::String(o.clone()))
            .map_err(|_| {
                anyhow::anyhow!(
                    "--ownership: {o:?} is not one of state, public_broadcaster, private, party_affiliated, foreign_government_funded, unknown"
                )
            })?;
        rules.push(WatchRule::Ownership { ownership });
    }
    if let Some(l) = &a.lang {
        let lang =
            Lang::from_tag(l).ok_or_else(|| anyhow::anyhow!("--lang: unknown language {l:?}"))?;
        rules.push(WatchRule::Language { lang });
    }
    if let Some(n) = a.story_languages {
        rules.push(WatchRule::StoryLanguages { at_least: n });
    }
    if let Some(s) = &a.first_by {
        rules.push(WatchRule::StoryFirstReportedBy { source: s.clone() });
    }
    if let (Some(outlets), Some(minutes)) = (a.gains_outlets, a.within) {
        rules.push(WatchRule::StoryOutletsWithin { outlets, minutes });
    }
    match rules.len() {
        0 => bail!(
            "say what to watch: terms, or one of --outlet, --ownership, --lang, --story-languages, --first-by, --gains-outlets N --within MIN"
        ),
        1 => Ok(rules.remove(0)),
        _ => bail!("one kind of watch at a time (add several watches for several kinds)"),
    }
}

pub fn run(engine: Engine, a: Args) -> anyhow::Result<()> {
    match a.cmd {
        Cmd::Add(add) => {
            let r = engine.add_watch(&NewWatch {
                name: add.name.clone(),
                rule: rule_of(&add)?,
                backfill: !add.no_backfill,
            })?;
            println!("watch {}: {}", r.watch.id, r.watch.name);
            if !add.no_backfill {
                println!(
                    "{} alert(s) from the archive already stored (listed by `parallax alerts`, not announced)",
                    r.backfilled
                );
            }
            Ok(())
        }
        Cmd::List { json } => {
            let watches = engine.watches()?;
            if json {
                return crate::print_json(&watches);
            }
            if watches.is_empty() {
                println!("no watches (add one: parallax watchlist add NAME)");
            }
            for w in watches {
                println!("{:>4}  {:<30}  {}", w.id, w.name, w.rule.describe());
            }
            Ok(())
        }
        Cmd::Remove { id } => {
            engine.remove_watch(id)?;
            println!("removed watch {id}");
            Ok(())
        }
        Cmd::Alias { cmd } => match cmd {
            AliasCmd::Add { spellings } => {
                let g = engine.add_alias(&spellings)?;
                println!("alias group {}: {}", g.id, g.spellings.join(" = "));
                Ok(())
            }
            AliasCmd::List { json } => {
                let groups = engine.aliases()?;
                if json {
                    return crate::print_json(&groups);
                }
                for g in groups {
                    println!("{:>4}  {}", g.id, g.spellings.join(" = "));
                }
                Ok(())
            }
            AliasCmd::Remove { id } => {
                engine.remove_alias(id)?;
                println!("removed alias group {id}");
                Ok(())
            }
        },
    }
}

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AlertsArgs {
    #[command(subcommand)]
    cmd: Option<AlertsCmd>,
    /// Only alerts raised or updated since this date, time or age (2024-09-17, 12h, 3d).
    #[arg(long)]
    since: Option<String>,
    /// Only alerts not marked seen (in the app or by `parallax alerts seen`).
    #[arg(long)]
    unseen: bool,
    #[arg(long, default_value_t = 100)]
    limit: usize,
    /// One JSON object per line.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Subcommand)]
enum AlertsCmd {
    /// Mark an alert seen (`seen ID`), or every alert (`seen --all`); kept in the archive.
    Seen {
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        id: Option<i64>,
        #[arg(long)]
        all: bool,
    },
}

pub fn alerts(engine: Engine, a: AlertsArgs) -> anyhow::Result<()> {
    if let Some(AlertsCmd::Seen { id, all }) = a.cmd {
        let report = match (id, all) {
            (Some(id), false) => engine.mark_alert_seen(id)?,
            (None, true) => engine.mark_all_alerts_seen(None)?,
            _ => bail!("give an alert id or --all"),
        };
        println!(
            "{} alert(s) marked seen; {} unseen",
            report.marked, report.unseen
        );
        return Ok(());
    }
    let since = a
        .since
        .as_deref()
        .map(crate::items::parse_since)
        .transpose()?;
    let alerts = if a.unseen {
        engine.unseen_alerts(since, a.limit)?
    } else {
        engine.alerts(since, a.limit)?
    };
    for al in &alerts {
        if a.json {
            println!("{}", serde_json::to_string(al)?);
        } else {
            println!("{}", line(al));
        }
    }
    if alerts.is_empty() && !a.json {
        println!(
            "{}",
            if a.unseen {
                "no unseen alerts"
            } else {
                "no alerts"
            }
        );
    }
    Ok(())
}

/// One human line per alert.
pub fn line(a: &AlertView) -> String {
    format!(
        "{} #{:<5}{} story {:<6} [{}] {}: {}  — {} ({}, {} match{})",
        a.created_at.format("%Y-%m-%d %H:%M"),
        a.id,
        if a.seen { " " } else { "*" },
        a.story_id,
        a.watch_name,
        a.source_name,
        a.title,
        a.reason,
        a.lang,
        a.matches,
        if a.matches == 1 { "" } else { "es" }
    )
}
