//! `parallax bench export`: exporting a 200-item story of real ar/fa/en items (the demo
//! archive's), as HTML, CSV and JSON; median and p95 of repeated runs.

use std::time::Instant;

use parallax::api::{Engine, EngineConfig, ExportFormat};

#[derive(clap::Args)]
pub struct Args {
    /// Items in the story.
    #[arg(long, default_value_t = 200)]
    items: usize,
    #[arg(long, default_value_t = 20)]
    runs: usize,
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let dir = tempfile_dir()?;
    let engine = Engine::open(EngineConfig {
        seed_catalog: false,
        model_path: Some(dir.join("no-model")),
        ..EngineConfig::new(dir.join("bench.db"))
    })?;
    // The demo's real items, then all of the first `items` put in one story by hand, as a
    // merge would.
    engine.load_demo_archive(None)?;
    let first: Vec<i64> = engine
        .list_items(&parallax::store::ItemQuery {
            limit: Some(a.items),
            ascending: true,
            ..Default::default()
        })?
        .iter()
        .map(|it| it.id)
        .collect();
    let story = engine.create_story(&first)?;
    let n = engine.get_story(story)?.items.len();
    let mut report = serde_json::Map::new();
    report.insert("items".into(), n.into());
    for f in [ExportFormat::Html, ExportFormat::Csv, ExportFormat::Json] {
        let mut ms: Vec<f64> = Vec::with_capacity(a.runs);
        let mut bytes = 0;
        for _ in 0..a.runs.max(1) {
            let t0 = Instant::now();
            bytes = engine.export_story(story, f)?.len();
            ms.push(t0.elapsed().as_secs_f64() * 1e3);
        }
        ms.sort_by(|x, y| x.total_cmp(y));
        let median = ms[ms.len() / 2];
        let p95 = ms[((ms.len() - 1) as f64 * 0.95).round() as usize];
        if !a.json {
            println!(
                "{n}-item story as {}: median {median:.1} ms, p95 {p95:.1} ms, {bytes} bytes ({} runs)",
                f.extension(),
                ms.len()
            );
        }
        report.insert(
            f.extension().into(),
            serde_json::json!({"median_ms": median, "p95_ms": p95, "bytes": bytes}),
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    if a.json {
        crate::print_json(&report)?;
    }
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let d = std::env::temp_dir().join(format!("parallax-bench-export-{}", std::process::id()));
    std::fs::create_dir_all(&d)?;
    Ok(d)
}
