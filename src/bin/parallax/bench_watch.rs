//! `parallax bench watch`: matching 100 watches against each new item, on the demo archive's
//! real Arabic, Persian and English items.

use std::time::Instant;

use chrono::Utc;
use parallax::model::{Lang, Ownership};
use parallax::watch::{CompiledWatch, ItemFacts, ItemText, Watch, WatchRule};

const DEMO: &str = include_str!("../../../assets/demo/itn-demo.jsonl");

#[derive(clap::Args)]
pub struct Args {
    /// Number of watches.
    #[arg(long, default_value_t = 100)]
    watches: usize,
    /// Passes over the items.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    #[arg(long)]
    json: bool,
}

#[derive(serde::Deserialize)]
struct Row {
    lang: String,
    title: String,
    #[serde(default)]
    text: String,
}

/// `n` watches built from the items' own names (so some match), in all three scripts, with a
/// few outlet, ownership and language watches and the alias list in play.
fn watches(rows: &[Row], n: usize) -> (Vec<CompiledWatch>, usize) {
    let mut terms: Vec<String> = Vec::new();
    for r in rows {
        for w in r.title.split(|c: char| !c.is_alphanumeric()) {
            let long = w.chars().count() >= 5;
            let name = w.chars().next().is_some_and(|c| c.is_uppercase());
            let arabic = w
                .chars()
                .next()
                .is_some_and(|c| ('\u{0600}'..'\u{06FF}').contains(&c));
            if long && (name || arabic) && !terms.iter().any(|t| t == w) {
                terms.push(w.to_string());
            }
        }
    }
    // Interleave scripts so every size mixes them.
    terms.sort_by_key(|t| (t.len() * 7919) % 101);
    let aliases = vec![
        vec!["Soleimani".into(), "سليماني".into(), "سلیمانی".into()],
        vec![
            "Mahsa Amini".into(),
            "مهسا امینی".into(),
            "مهسا أميني".into(),
        ],
    ];
    let now = Utc::now();
    let mut rules: Vec<WatchRule> = vec![
        WatchRule::Outlets {
            sources: vec!["irna".into(), "bbc-persian".into()],
        },
        WatchRule::Ownership {
            ownership: Ownership::State,
        },
        WatchRule::Language { lang: Lang::Fa },
        WatchRule::Terms {
            terms: vec!["Soleimani".into(), "Mahsa Amini".into()],
        },
    ];
    let mut it = terms.into_iter();
    while rules.len() < n {
        // Two-word watches half the time: "Vladimir Putin"-style names.
        let Some(a) = it.next() else { break };
        let t = if rules.len().is_multiple_of(2) {
            it.next().map(|b| format!("{a} {b}")).unwrap_or(a)
        } else {
            a
        };
        rules.push(WatchRule::Terms { terms: vec![t] });
    }
    let n = rules.len();
    let compiled = rules
        .into_iter()
        .enumerate()
        .map(|(i, rule)| {
            CompiledWatch::new(
                Watch {
                    id: i as i64,
                    name: format!("w{i}"),
                    rule,
                    created_at: now,
                    created_by: None,
                },
                &aliases,
            )
        })
        .collect();
    (compiled, n)
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let rows: Vec<Row> = DEMO
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let (watches, n) = watches(&rows, a.watches);
    let mut per_item: Vec<f64> = Vec::new();
    let mut hits = 0usize;
    for _ in 0..a.rounds {
        for r in &rows {
            let lang = Lang::from_tag(&r.lang).unwrap_or(Lang::Und);
            let t0 = Instant::now();
            // Everything done per new item: prepare its text once, then every watch.
            let text = ItemText::new(&r.title, &r.text);
            let facts = ItemFacts {
                text: &text,
                lang: &lang,
                source_id: "demo",
                ownership: Some(Ownership::Unknown),
            };
            let matched = watches
                .iter()
                .filter(|w| w.match_item(&facts).is_some())
                .count();
            per_item.push(t0.elapsed().as_secs_f64() * 1e6);
            hits += matched;
        }
    }
    per_item.sort_by(|x, y| x.total_cmp(y));
    let q = |p: f64| per_item[((per_item.len() - 1) as f64 * p).round() as usize];
    let report = serde_json::json!({
        "watches": n,
        "items": rows.len(),
        "rounds": a.rounds,
        "median_us": q(0.5),
        "p95_us": q(0.95),
        "max_us": q(1.0),
        "matches_per_item": hits as f64 / per_item.len() as f64,
    });
    if a.json {
        return crate::print_json(&report);
    }
    println!(
        "{n} watches × {} real ar/fa/en items ({} rounds): median {:.1} µs, p95 {:.1} µs, max {:.1} µs per item; {:.2} matches per item",
        rows.len(),
        a.rounds,
        q(0.5),
        q(0.95),
        q(1.0),
        hits as f64 / per_item.len() as f64
    );
    Ok(())
}
