//! `parallax status [--json]`: per-source health.

use parallax::api::Engine;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    json: bool,
}

#[derive(serde::Serialize)]
struct Row {
    id: String,
    name: String,
    enabled: bool,
    last_fetch: Option<String>,
    last_outcome: Option<parallax::store::FetchOutcome>,
    last_status: Option<u16>,
    last_error: Option<String>,
    consecutive_failures: u32,
    items: u32,
    items_per_day: f64,
}

pub fn run(engine: Engine, a: Args) -> anyhow::Result<()> {
    let rows: Vec<Row> = engine
        .list_sources()?
        .into_iter()
        .map(|v| {
            let h = v.health;
            Row {
                id: v.source.id,
                name: v.source.name,
                enabled: v.source.enabled,
                last_fetch: h
                    .as_ref()
                    .and_then(|h| h.last_fetch)
                    .map(|t| t.to_rfc3339()),
                last_outcome: h.as_ref().and_then(|h| h.last_outcome),
                last_status: h.as_ref().and_then(|h| h.last_status),
                last_error: h.as_ref().and_then(|h| h.last_error.clone()),
                consecutive_failures: h.as_ref().map(|h| h.consecutive_failures).unwrap_or(0),
                items: h.as_ref().map(|h| h.item_count).unwrap_or(0),
                items_per_day: h.as_ref().map(|h| h.items_per_day).unwrap_or(0.0),
            }
        })
        .collect();
    if a.json {
        return crate::print_json(&rows);
    }
    let st = engine.status()?;
    println!(
        "{} sources ({} enabled, {} failing), {} items, {} stories",
        st.sources, st.enabled, st.failing, st.items, st.stories
    );
    match &st.model {
        parallax::api::ModelState::Missing { message }
        | parallax::api::ModelState::Failed { message } => {
            println!("model: {message}")
        }
        state => println!("model: {}", format!("{state:?}").to_lowercase()),
    }
    for r in rows {
        println!(
            "{:<24} {:<12} {:>6} items {:>6.1}/day  {}",
            r.id,
            r.last_outcome
                .map(|o| format!("{o:?}"))
                .unwrap_or_else(|| "never".into()),
            r.items,
            r.items_per_day,
            r.last_error.unwrap_or_default()
        );
    }
    Ok(())
}
