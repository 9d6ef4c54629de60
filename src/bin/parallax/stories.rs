//! `parallax stories [list|show ID|explain ITEM_ID]`

use clap::Subcommand;
use parallax::api::Engine;
use parallax::store::StoryFilter;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Stories ranked by breadth and recency.
    List {
        #[arg(long)]
        cross_lingual: bool,
        #[arg(long, default_value_t = 30)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// One story: its items in order and who carried it when.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Why an item is in its story: the score parts of its best match and the runner-up.
    Explain {
        item_id: i64,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(engine: Engine, a: Args) -> anyhow::Result<()> {
    match a.cmd.unwrap_or(Cmd::List {
        cross_lingual: false,
        limit: 30,
        json: false,
    }) {
        Cmd::List {
            cross_lingual,
            limit,
            json,
        } => {
            let list = engine.list_stories(&StoryFilter {
                cross_lingual_only: cross_lingual,
                limit: Some(limit),
                ..Default::default()
            })?;
            if json {
                return crate::print_json(&list);
            }
            for s in list {
                let langs: Vec<&str> = s.languages.iter().map(|l| l.code()).collect();
                println!(
                    "#{:<6} [{}] {} outlets, {} items, first {} by {}",
                    s.id,
                    langs.join(" "),
                    s.outlet_count,
                    s.item_count,
                    s.first_seen.format("%Y-%m-%d %H:%M"),
                    s.first_source
                        .as_ref()
                        .map(|f| f.name.as_str())
                        .unwrap_or("?")
                );
                for h in &s.headlines {
                    println!("         {}: {}", h.lang, h.title);
                }
            }
            Ok(())
        }
        Cmd::Show { id, json } => {
            let d = engine.get_story(id)?;
            if json {
                return crate::print_json(&d);
            }
            for p in &d.propagation {
                println!(
                    "{:<28} {:<3} {}  +{}",
                    p.source.name,
                    p.lang,
                    p.first_at.format("%Y-%m-%d %H:%M"),
                    fmt_lag(p.lag_secs)
                );
            }
            println!();
            for it in &d.items {
                println!(
                    "[{}] {} {}: {}",
                    it.lang,
                    it.published.format("%Y-%m-%d %H:%M"),
                    it.source.name,
                    it.title
                );
            }
            Ok(())
        }
        Cmd::Explain { item_id, json } => {
            let (story, e) = engine.explain_item(item_id)?;
            if json {
                return crate::print_json(
                    &serde_json::json!({"story_id": story, "explanation": e}),
                );
            }
            println!(
                "item {item_id} is in story #{story} (score {:.3}){}",
                e.score,
                if e.manual { ", placed by hand" } else { "" }
            );
            if e.new_story {
                println!("  it started the story: nothing live matched well enough");
            }
            if let Some(m) = e.matched_item {
                println!("  best match: item {m}");
            }
            for p in &e.parts {
                println!("  {:<20} {:>7.3} × {:.2}", p.name, p.value, p.weight);
            }
            match e.runner_up {
                Some((s, sc)) => println!("  runner-up: story #{s} at {sc:.3}"),
                None => println!("  runner-up: none"),
            }
            Ok(())
        }
    }
}

/// "3 h 10 min", "45 min", "2 d 4 h".
pub fn fmt_lag(secs: i64) -> String {
    let m = secs.max(0) / 60;
    let (d, h, m) = (m / 1440, (m % 1440) / 60, m % 60);
    match (d, h) {
        (0, 0) => format!("{m} min"),
        (0, _) => format!("{h} h {m} min"),
        _ => format!("{d} d {h} h"),
    }
}
