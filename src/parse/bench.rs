//! Parse throughput on real text: a 200-item RSS 2.0 feed built from the shared Persian
//! (Hamshahri/Radio Farda) and Arabic (SaudiNewsNet) items, parsed repeatedly; the median round
//! is reported. Called by `parallax bench parse`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use serde::Serialize;

use super::parse_feed;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("parse: bench data missing at {path}: {err}")]
    Data { path: PathBuf, err: String },
    #[error("parse: bench feed failed to parse: {0}")]
    Parse(#[from] super::ParseError),
}

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub items: usize,
    pub feed_bytes: usize,
    pub rounds: usize,
    pub median_ms: f64,
    pub items_per_sec: f64,
    /// Median of feed-rs alone on the same document: the floor our repairs, sanitizing and
    /// mapping add to.
    pub feed_rs_only_ms: f64,
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "parse: {} items ({} KiB RSS 2.0, real fa+ar text), {} rounds: median {:.2} ms/feed, {:.0} items/s (feed-rs alone: {:.2} ms)",
            self.items,
            self.feed_bytes / 1024,
            self.rounds,
            self.median_ms,
            self.items_per_sec,
            self.feed_rs_only_ms
        )
    }
}

/// Real headlines and summaries from `shared/data`: (title, summary, link).
pub fn real_items(shared: &Path, n: usize) -> Result<Vec<(String, String, String)>, BenchError> {
    let fa_path = shared.join("data/fa-hamshahri-radiofarda-2020/hamshahri.json");
    let ar_path = shared.join("data/ar-saudinewsnet-2015/headlines_all_days.tsv");
    let read = |p: &Path| {
        std::fs::read_to_string(p).map_err(|e| BenchError::Data {
            path: p.to_path_buf(),
            err: e.to_string(),
        })
    };
    let fa: serde_json::Value =
        serde_json::from_str(&read(&fa_path)?).map_err(|e| BenchError::Data {
            path: fa_path.clone(),
            err: e.to_string(),
        })?;
    let mut out = Vec::with_capacity(n);
    for v in fa.as_array().into_iter().flatten().take(n / 2) {
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        out.push((s("title"), s("summary"), s("link")));
    }
    for line in read(&ar_path)?.lines().skip(1) {
        if out.len() >= n {
            break;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if let [_, _, _, title, url] = cols.as_slice() {
            out.push((
                title.to_string(),
                format!("<p>{title}</p>"),
                url.to_string(),
            ));
        }
    }
    Ok(out)
}

/// An RSS 2.0 document carrying `items`, one minute apart.
pub fn rss_document(items: &[(String, String, String)]) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let start = Utc
        .with_ymd_and_hms(2020, 4, 19, 8, 0, 0)
        .single()
        .unwrap_or_default();
    let mut doc = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>bench</title><link>https://www.hamshahrionline.ir/</link><language>fa</language>\n",
    );
    for (i, (title, summary, link)) in items.iter().enumerate() {
        let date = (start - Duration::minutes(i as i64)).to_rfc2822();
        doc.push_str(&format!(
            "<item><title>{}</title><link>{}</link><guid>{}</guid><pubDate>{date}</pubDate><description>{}</description><category>bench</category></item>\n",
            esc(title),
            esc(link),
            esc(link),
            esc(summary)
        ));
    }
    doc.push_str("</channel></rss>\n");
    doc
}

/// Parses the 200-item real-text feed `rounds` times and reports the median.
pub fn run(shared: &Path, rounds: usize) -> Result<BenchReport, BenchError> {
    let doc = rss_document(&real_items(shared, 200)?);
    let fetched = Utc::now();
    let rounds = rounds.max(1);
    let mut items = 0;
    let mut times = Vec::with_capacity(rounds);
    let mut raw_times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        let feed = parse_feed(&doc, "https://www.hamshahrionline.ir/rss", "bench", fetched)?;
        times.push(t.elapsed().as_secs_f64());
        items = feed.items.len();
        let t = Instant::now();
        let raw = feed_rs::parser::parse(doc.as_bytes()).map(|f| f.entries.len());
        raw_times.push(t.elapsed().as_secs_f64());
        std::hint::black_box(raw.ok());
    }
    let median = crate::eval::stats::median(&times);
    Ok(BenchReport {
        items,
        feed_bytes: doc.len(),
        rounds,
        median_ms: median * 1000.0,
        items_per_sec: items as f64 / median,
        feed_rs_only_ms: crate::eval::stats::median(&raw_times) * 1000.0,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// `cargo test --release -p parallax --lib parse::bench -- --ignored --nocapture`
    #[test]
    #[ignore = "benchmark: prints figures"]
    fn bench_parse_200_real_items() {
        let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
        assert!(
            shared.exists(),
            "this benchmark needs ../shared (the parse corpus): {}",
            shared.display()
        );
        match super::run(&shared, 100) {
            Ok(report) => println!("{report}"),
            Err(e) => panic!("{e}"),
        }
    }
}
