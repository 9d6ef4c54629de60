//! `parallax items [--lang] [--source] [--since] [--json]`, `items show ID`, `items fulltext ID`

use chrono::{DateTime, NaiveDate, Utc};
use parallax::api::{Engine, ItemDetail};
use parallax::model::Lang;
use parallax::store::FulltextState;
use parallax::store::ItemQuery;

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    cmd: Option<Cmd>,
    /// Only items in this language (ar, fa, en, ur, und).
    #[arg(long)]
    lang: Option<String>,
    /// Only items from this source id.
    #[arg(long)]
    source: Option<String>,
    /// Only items published since this date, RFC 3339 time or age (2024-09-17, 12h, 3d).
    #[arg(long)]
    since: Option<String>,
    /// At most this many items (newest first).
    #[arg(long, default_value_t = 50)]
    limit: usize,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// One item with its article's full text (or why there is none).
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Fetch one item's article page now (whatever its source's full-text mode) and show it.
    Fulltext {
        id: i64,
        #[arg(long)]
        json: bool,
    },
}

/// A date, an RFC 3339 time, or an age such as `30m`, `12h`, `3d` (that long ago).
pub(crate) fn parse_since(s: &str) -> anyhow::Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let t = s.trim();
    if let Some(unit) = t.chars().last().filter(|c| matches!(c, 'm' | 'h' | 'd'))
        && let Ok(n) = t[..t.len() - 1].parse::<u32>()
    {
        let minutes = match unit {
            'm' => 1,
            'h' => 60,
            _ => 24 * 60,
        } * n as i64;
        return Ok(Utc::now() - chrono::Duration::minutes(minutes));
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        anyhow::anyhow!(
            "--since: expected YYYY-MM-DD, an RFC 3339 time or an age like 12h, got {s:?}"
        )
    })?;
    Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
}

pub fn run(engine: Engine, a: Args) -> anyhow::Result<()> {
    match a.cmd {
        Some(Cmd::Show { id, json }) => return show(&engine.item_detail(id)?, json),
        Some(Cmd::Fulltext { id, json }) => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let detail = rt.block_on(engine.refetch_fulltext(id))?;
            return show(&detail, json);
        }
        None => {}
    }
    let lang = match a.lang.as_deref() {
        Some(l) => Some(
            Lang::from_tag(l).ok_or_else(|| anyhow::anyhow!("--lang: unknown language {l:?}"))?,
        ),
        None => None,
    };
    let q = ItemQuery {
        lang,
        source: a.source,
        since: a.since.as_deref().map(parse_since).transpose()?,
        limit: Some(a.limit),
        ..Default::default()
    };
    let items = engine.list_items(&q)?;
    if a.json {
        return crate::print_json(&items);
    }
    for it in items {
        // Whether the article's full text is there (`items show ID` prints it, or the error).
        let fulltext = match engine.item_detail(it.id)?.fulltext.map(|f| f.state) {
            Some(FulltextState::Text { .. }) => "  [full text]",
            Some(FulltextState::Error { .. }) => "  [full text failed]",
            None => "",
        };
        println!(
            "{:>7} {} {:<3} {:<20} {}{fulltext}",
            it.id,
            it.item.published.format("%Y-%m-%d %H:%M"),
            it.lang.as_ref().map(|l| l.code()).unwrap_or("?"),
            it.item.source_id,
            it.item.title
        );
    }
    Ok(())
}

fn show(d: &ItemDetail, json: bool) -> anyhow::Result<()> {
    if json {
        return crate::print_json(d);
    }
    let it = &d.item;
    println!(
        "{} · {} · {}",
        it.item.source_id,
        it.item.published.format("%Y-%m-%d %H:%M"),
        it.lang.as_ref().map(|l| l.code()).unwrap_or("?")
    );
    println!("{}", it.item.title);
    if let Some(url) = &it.item.url {
        println!("{url}");
    }
    let feed_text = it.item.summary_text.trim();
    if !feed_text.is_empty() {
        println!("\nFeed text:\n{feed_text}");
    }
    match &d.fulltext {
        None => println!(
            "\nFull text: not fetched (`parallax items fulltext {}` fetches it)",
            it.id
        ),
        Some(f) => match &f.state {
            FulltextState::Text { text, .. } => {
                println!(
                    "\nFull text ({}, fetched {}):\n{text}",
                    f.url,
                    f.fetched_at.format("%Y-%m-%d %H:%M")
                );
            }
            FulltextState::Error { message, .. } => {
                println!(
                    "\nFull text: failed {}: {message}",
                    f.fetched_at.format("%Y-%m-%d %H:%M")
                );
            }
        },
    }
    Ok(())
}
