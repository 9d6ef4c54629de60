//! `parallax bench fulltext`: main-text extraction on the committed ar/fa/en article pages:
//! per page recall of the article text and boilerplate left in, then median and p95 of the
//! extraction time per page over repeated runs.

use std::path::PathBuf;
use std::time::Instant;

use parallax::eval::fulltext::{FOUND_RECALL, evaluate, load_pages};

#[derive(clap::Args)]
pub struct Args {
    /// Folder of NAME.html pages, each with its NAME.gold.txt.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/articles"))]
    dir: PathBuf,
    /// Extractions of each page timed.
    #[arg(long, default_value_t = 20)]
    runs: usize,
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let pages = load_pages(&a.dir)
        .map_err(|e| anyhow::anyhow!("cannot read pages in {}: {e}", a.dir.display()))?;
    anyhow::ensure!(
        !pages.is_empty(),
        "no NAME.html + NAME.gold.txt pages in {}",
        a.dir.display()
    );
    let report = evaluate(&pages);
    let mut ms: Vec<f64> = Vec::with_capacity(pages.len() * a.runs);
    for p in &pages {
        for _ in 0..a.runs.max(1) {
            let t0 = Instant::now();
            // An error is timed too: it is what the page costs.
            let _ = parallax::fulltext::extract(&p.html, Some("https://example.org/article"));
            ms.push(t0.elapsed().as_secs_f64() * 1e3);
        }
    }
    ms.sort_by(|x, y| x.total_cmp(y));
    let q = |f: f64| ms[((ms.len() as f64 * f).ceil() as usize).clamp(1, ms.len()) - 1];
    let bytes: usize = pages.iter().map(|p| p.html.len()).sum();
    if a.json {
        return crate::print_json(&serde_json::json!({
            "pages": report.pages,
            "found": report.found,
            "mean_recall": report.mean_recall,
            "mean_boilerplate": report.mean_boilerplate,
            "median_ms": q(0.5),
            "p95_ms": q(0.95),
            "runs": a.runs,
        }));
    }
    println!(
        "{:<16} {:>7} {:>12} {:>9}",
        "page", "recall", "boilerplate", "tokens"
    );
    for s in &report.pages {
        println!(
            "{:<16} {:>7.3} {:>12.3} {:>9}{}",
            s.name,
            s.recall,
            s.boilerplate,
            s.extracted_tokens,
            s.error
                .as_deref()
                .map(|e| format!("  error: {e}"))
                .unwrap_or_default()
        );
    }
    println!(
        "main text found (recall ≥ {FOUND_RECALL}): {}/{} pages; mean recall {:.3}; mean boilerplate {:.3}",
        report.found,
        report.pages.len(),
        report.mean_recall,
        report.mean_boilerplate
    );
    println!(
        "extraction per page ({} pages, {} KB in all, {} runs each): median {:.2} ms, p95 {:.2} ms",
        pages.len(),
        bytes / 1024,
        a.runs,
        q(0.5),
        q(0.95)
    );
    Ok(())
}
