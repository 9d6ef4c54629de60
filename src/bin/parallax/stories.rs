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
        /// Also list routine series (horoscopes, weather, market closes), left out by default.
        #[arg(long)]
        routine: bool,
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
    /// Who carried whose sentences: verbatim, edited or translated, how many, how much later.
    Carry {
        id: i64,
        #[arg(long)]
        json: bool,
        /// Also print each carried sentence next to its origin.
        #[arg(long)]
        sentences: bool,
    },
    /// What each outlet chose to say: distinctive terms, loaded terms, "only in" sentences.
    Framing {
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
        routine: false,
        limit: 30,
        json: false,
    }) {
        Cmd::List {
            cross_lingual,
            routine,
            limit,
            json,
        } => {
            let list = engine.list_stories(&StoryFilter {
                cross_lingual_only: cross_lingual,
                include_routine: routine,
                limit: Some(limit),
                ..Default::default()
            })?;
            if json {
                return crate::print_json(&list);
            }
            for s in list {
                let langs: Vec<&str> = s.languages.iter().map(|l| l.code()).collect();
                println!(
                    "#{:<6} [{}] {} outlets, {} items, first {} by {}{}",
                    s.id,
                    langs.join(" "),
                    s.outlet_count,
                    s.item_count,
                    s.first_seen.format("%Y-%m-%d %H:%M"),
                    s.first_source
                        .as_ref()
                        .map(|f| f.name.as_str())
                        .unwrap_or("?"),
                    if s.routine { " (routine series)" } else { "" }
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
        Cmd::Carry {
            id,
            json,
            sentences,
        } => {
            let c = engine.story_carry(id)?;
            if json {
                return crate::print_json(&c);
            }
            print_carry(&c, sentences);
            Ok(())
        }
        Cmd::Framing { id, json } => {
            let f = engine.story_framing(id)?;
            if json {
                return crate::print_json(&f);
            }
            print_framing(&f);
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
            if e.decision == "new_story" {
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

pub use parallax::api::fmt_lag;

fn print_carry(c: &parallax::api::StoryCarry, sentences: bool) {
    if let Some(n) = &c.note {
        println!("note: {n}");
    }
    if c.links.is_empty() {
        println!(
            "story #{}: no item reuses another outlet's sentences ({} items)",
            c.story_id,
            c.items.len()
        );
        return;
    }
    let text = |item: i64, idx: u32| -> &str {
        c.items
            .iter()
            .find(|i| i.item_id == item)
            .and_then(|i| i.sentences.get(idx as usize))
            .map(String::as_str)
            .unwrap_or("")
    };
    for l in &c.links {
        println!(
            "[{}→{}] {}  (item {} → item {})",
            l.origin_lang, l.carrier_lang, l.summary, l.edge.origin_item, l.edge.carrier_item
        );
        if sentences {
            for p in &l.edge.pairs {
                println!("    {:.2}  {}", p.score, text(l.edge.origin_item, p.origin));
                println!("       → {}", text(l.edge.carrier_item, p.carrier));
            }
        }
    }
}

fn print_framing(f: &parallax::api::StoryFraming) {
    if let Some(n) = &f.note {
        println!("note: {n}");
    }
    if let Some(e) = &f.lexicon_error {
        println!("lexicon: {e}");
    }
    for o in &f.outlets {
        println!("{} [{}], {} items", o.source.name, o.lang, o.items);
        if !o.distinctive.is_empty() {
            let terms: Vec<String> = o
                .distinctive
                .iter()
                .map(|t| format!("{} ({:.1})", t.term, t.z))
                .collect();
            println!("  distinctive: {}", terms.join(", "));
        }
        for h in &o.loaded {
            println!(
                "  loaded: {} ×{} — {} [{}]",
                h.term, h.count, h.gloss, h.source
            );
        }
    }
    if f.only_in_checked {
        println!();
        for s in &f.only_in {
            println!("only in {}: {} (item {})", s.lang, s.text, s.item_id);
        }
    }
    println!(
        "\nlexicon: {} entries from {} (edit it to add terms)",
        f.lexicon_entries, f.lexicon_path
    );
}
