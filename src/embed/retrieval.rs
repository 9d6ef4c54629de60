//! Measurements behind search by meaning: how well a query finds the same story in other
//! languages at a given similarity floor (`parallax eval search`), and how fast the vector
//! index scans an archive-sized set (`parallax bench search`).
//!
//! Items are embedded as the pipeline stores them (cleaned title + lead); queries are the
//! headlines of other items, whole or cut to their first four words as an analyst would type.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::bench::EvalItem;
use super::index::VectorIndex;
use super::{EmbedError, Model};
use crate::cluster::{LangMeans, embedding_input};
use crate::model::Lang;

/// How query and item vectors are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Centring {
    /// Plain cosine of the e5 vectors.
    Raw,
    /// Each vector minus its language's shipped background mean.
    Language,
    /// Each vector minus its language's mean: the background blended with the running mean of
    /// the archive's own items (what search does).
    Archive,
}

pub use super::index::BACKGROUND_WEIGHT;

/// Results of one (query kind, centring) pair over one file.
#[derive(Debug, Clone, Serialize)]
pub struct RetrievalRow {
    pub file: String,
    pub queries: String,
    pub centring: Centring,
    /// Query–target pairs (query's story, other language).
    pub targets: usize,
    /// Quantiles of target scores: p10, median.
    pub target_p10: f32,
    pub target_median: f32,
    /// Quantiles of non-target scores (other stories, any language): p99, p99.9, max.
    pub other_p99: f32,
    pub other_p999: f32,
    pub other_max: f32,
    /// Fraction of targets ranked in the top 10 among all items.
    pub recall_at_10: f32,
    /// Median target score by (query language → target language).
    pub median_by_pair: Vec<(String, f32)>,
    /// For each floor: (floor, fraction of targets at or above it, other items at or above it
    /// per query).
    pub at_floor: Vec<(f32, f32, f32)>,
}

/// The shared nearest-rank quantile, as f32.
fn quantile(values: &[f32], q: f64) -> f32 {
    crate::eval::stats::quantile(values, q) as f32
}

fn lang_of(code: &str) -> Lang {
    Lang::from_tag(code).unwrap_or(Lang::Und)
}

/// Query text of an item: its headline, or its first four words.
fn query_text(it: &EvalItem, short: bool) -> String {
    let t = crate::cluster::clean_title(&it.title);
    if short {
        t.split_whitespace().take(4).collect::<Vec<_>>().join(" ")
    } else {
        t
    }
}

/// Score every query language's headlines against every item of the other languages.
pub fn evaluate(
    model: &Model,
    file: &str,
    items: &[EvalItem],
    floors: &[f32],
) -> Result<Vec<RetrievalRow>, EmbedError> {
    let inputs: Vec<String> = items
        .iter()
        .map(|it| embedding_input(&it.title, &it.text))
        .collect();
    let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let item_vecs = model.embed(&refs)?;
    let mut rows = Vec::new();
    for short in [false, true] {
        let qs: Vec<String> = items.iter().map(|it| query_text(it, short)).collect();
        let qrefs: Vec<&str> = qs.iter().map(String::as_str).collect();
        let query_vecs = model.embed(&qrefs)?;
        let background = LangMeans::with_background(BACKGROUND_WEIGHT);
        let mut archive = background.clone();
        for (it, v) in items.iter().zip(&item_vecs) {
            archive.add(&lang_of(&it.lang), v);
        }
        for centring in [Centring::Raw, Centring::Language, Centring::Archive] {
            let centre = |lang: &Lang, v: &[f32]| match centring {
                Centring::Raw => v.to_vec(),
                Centring::Language => background.centre(lang, v),
                Centring::Archive => archive.centre(lang, v),
            };
            let mut index = VectorIndex::new();
            for (i, (it, v)) in items.iter().zip(&item_vecs).enumerate() {
                index.upsert(i as i64, &centre(&lang_of(&it.lang), v));
            }
            let mut target = Vec::new();
            let mut by_pair: std::collections::BTreeMap<String, Vec<f32>> = Default::default();
            let mut other = Vec::new();
            let mut in_top10 = 0usize;
            let mut nq = 0usize;
            for (qi, (q, qv)) in items.iter().zip(&query_vecs).enumerate() {
                let qv = centre(&lang_of(&q.lang), qv);
                let hits = index.search(&qv, -1.0, items.len(), |id| id as usize != qi);
                nq += 1;
                for (rank, h) in hits.iter().enumerate() {
                    let it = &items[h.id as usize];
                    if it.story == q.story {
                        if it.lang != q.lang {
                            target.push(h.score);
                            by_pair
                                .entry(format!("{}→{}", q.lang, it.lang))
                                .or_default()
                                .push(h.score);
                            in_top10 += usize::from(rank < 10);
                        }
                    } else {
                        other.push(h.score);
                    }
                }
            }
            target.sort_by(f32::total_cmp);
            other.sort_by(f32::total_cmp);
            let at_floor = floors
                .iter()
                .map(|&f| {
                    let t = target.iter().filter(|&&s| s >= f).count() as f32;
                    let o = other.iter().filter(|&&s| s >= f).count() as f32;
                    (f, t / target.len().max(1) as f32, o / nq.max(1) as f32)
                })
                .collect();
            rows.push(RetrievalRow {
                file: file.to_string(),
                queries: if short { "first 4 words" } else { "headline" }.to_string(),
                centring,
                targets: target.len(),
                target_p10: quantile(&target, 0.10),
                target_median: quantile(&target, 0.5),
                other_p99: quantile(&other, 0.99),
                other_p999: quantile(&other, 0.999),
                other_max: other.last().copied().unwrap_or(f32::NAN),
                recall_at_10: in_top10 as f32 / target.len().max(1) as f32,
                median_by_pair: by_pair
                    .into_iter()
                    .map(|(k, mut v)| {
                        v.sort_by(f32::total_cmp);
                        (k, quantile(&v, 0.5))
                    })
                    .collect(),
                at_floor,
            });
        }
    }
    Ok(rows)
}

/// Scan speed of the index at archive size.
#[derive(Debug, Clone, Serialize)]
pub struct ScanBench {
    pub vectors: usize,
    pub index_mb: f32,
    pub build_ms: f32,
    pub queries: usize,
    pub median_ms: f32,
    pub p90_ms: f32,
}

/// Fill an index with `n` vectors made from `real` ones (each copy nudged by a little noise so
/// no two rows are equal) and time `queries` top-50 searches.
pub fn bench_scan(real: &[Vec<f32>], n: usize, queries: usize, floor: f32) -> ScanBench {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let t0 = Instant::now();
    let mut index = VectorIndex::new();
    let mut qs = Vec::new();
    for i in 0..n {
        let base = &real[i % real.len()];
        let v: Vec<f32> = base
            .iter()
            .map(|x| x + rng.gen_range(-0.02f32..0.02))
            .collect();
        let v = LangMeans::empty().centre(&Lang::Und, &v);
        if qs.len() < queries {
            qs.push(v.clone());
        }
        index.upsert(i as i64, &v);
    }
    let build_ms = t0.elapsed().as_secs_f32() * 1000.0;
    let mut times: Vec<f32> = qs
        .iter()
        .map(|q| {
            let t = Instant::now();
            let hits = index.search(q, floor, 50, |_| true);
            std::hint::black_box(hits);
            t.elapsed().as_secs_f32() * 1000.0
        })
        .collect();
    times.sort_by(f32::total_cmp);
    ScanBench {
        vectors: index.len(),
        index_mb: index.bytes() as f32 / 1e6,
        build_ms,
        queries: times.len(),
        median_ms: quantile(&times, 0.5),
        p90_ms: quantile(&times, 0.9),
    }
}

/// Load one story-eval file.
pub fn load_file(path: &Path) -> Result<Vec<EvalItem>, String> {
    let body = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    body.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v: serde_json::Value =
                serde_json::from_str(line).map_err(|e| format!("{}: {e}", path.display()))?;
            let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
            Ok(EvalItem {
                id: s("id"),
                lang: s("lang"),
                title: s("title"),
                text: s("text"),
                story: s("story"),
            })
        })
        .collect()
}
