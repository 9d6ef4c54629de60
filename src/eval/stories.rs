//! `parallax eval stories`: run a story-eval JSONL file through the grouping pipeline and score it.
//!
//! Items go in `published` order (stable: ties and undated items keep file order, undated items
//! first since they carry no time), each through [`crate::cluster::Grouper::assign`] exactly as the
//! app places new items. Scores: BCubed and pairwise precision/recall/F1, pairwise also split into
//! same-language and cross-language pairs. Two baselines run on the same file for comparison.

mod baselines;
pub mod devset;
mod embedder;
pub mod learn;
mod metrics;
pub mod projection;
pub mod second;
pub mod tune;

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::cluster::{self, Grouper, GroupingConfig, ItemFeatures};
use crate::model::Lang;

pub use embedder::{CacheEmbedder, Embedder, ModelEmbedder, StoredModelEmbedder};
pub use metrics::{Prf, Scores, score};

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("eval: cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("eval: {path} line {line}: {message}")]
    Parse {
        path: String,
        line: usize,
        message: String,
    },
    #[error("eval: {0} is empty")]
    Empty(String),
    #[error("eval: embedding failed: {0}")]
    Embed(String),
}

/// One line of a story-eval file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EvalItem {
    pub id: String,
    pub lang: String,
    #[serde(default)]
    pub published: Option<DateTime<Utc>>,
    #[serde(default)]
    pub source: Option<String>,
    pub title: String,
    #[serde(default)]
    pub text: Option<String>,
    pub story: String,
}

impl EvalItem {
    pub fn lang(&self) -> Lang {
        Lang::from_tag(&self.lang).unwrap_or(Lang::Und)
    }

    /// What the embedder reads for this item (the same function the app uses).
    pub fn embedding_input(&self) -> String {
        cluster::embedding_input(&self.title, self.text.as_deref().unwrap_or(""))
    }
}

/// Read a story-eval JSONL file and put it in feeding order.
pub fn load(path: &Path) -> Result<Vec<EvalItem>, EvalError> {
    let shown = path.display().to_string();
    let raw = std::fs::read_to_string(path).map_err(|source| EvalError::Read {
        path: shown.clone(),
        source,
    })?;
    let mut items = Vec::new();
    for (n, line) in raw.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let item: EvalItem = serde_json::from_str(line).map_err(|e| EvalError::Parse {
            path: shown.clone(),
            line: n + 1,
            message: e.to_string(),
        })?;
        items.push(item);
    }
    if items.is_empty() {
        return Err(EvalError::Empty(shown));
    }
    // Stable sort: ties keep file order; `None` (no time) sorts first.
    items.sort_by_key(|i| i.published);
    Ok(items)
}

/// Embed every item's input text, in order.
pub fn embed_items(
    items: &[EvalItem],
    embedder: &dyn Embedder,
) -> Result<Vec<Vec<f32>>, EvalError> {
    let inputs: Vec<String> = items.iter().map(EvalItem::embedding_input).collect();
    let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let mut out = Vec::with_capacity(refs.len());
    let mut first_error = None;
    for chunk in refs.chunks(32) {
        // Keep going after a failure so one run reports every text that failed.
        match embedder.embed(chunk) {
            Ok(v) => out.extend(v),
            Err(e) => first_error = first_error.or(Some(e)),
        }
    }
    first_error.map_or(Ok(out), Err)
}

/// Features for the grouper; `embeddings` may be `None` to measure the no-model fallback.
pub fn features(items: &[EvalItem], embeddings: Option<&[Vec<f32>]>) -> Vec<ItemFeatures> {
    items
        .iter()
        .enumerate()
        .map(|(i, it)| ItemFeatures {
            item_id: i as i64,
            lang: it.lang(),
            published: it.published,
            source: it.source.clone().unwrap_or_default(),
            title: it.title.clone(),
            text: it.text.clone().unwrap_or_default(),
            embedding: embeddings.and_then(|e| e.get(i).cloned()),
        })
        .collect()
}

/// Languages as the app sees them: detected from title and text, no source prior.
pub fn detect_languages(items: &[EvalItem]) -> Vec<Lang> {
    let d = crate::language::Detector::shared_default();
    items
        .iter()
        .map(|it| {
            let text = format!("{}\n{}", it.title, it.text.as_deref().unwrap_or(""));
            d.detect(&text, None).lang
        })
        .collect()
}

/// Replace each item's language with the detected one (scores still split by gold language).
pub fn use_languages(feats: &mut [ItemFeatures], langs: &[Lang]) {
    feats
        .iter_mut()
        .zip(langs)
        .for_each(|(f, l)| f.lang = l.clone());
}

/// Run the grouper over items in order; returns one story id per item and the seconds spent.
pub fn group(features: &[ItemFeatures], cfg: &GroupingConfig) -> (Vec<i64>, f64) {
    let (g, secs) = run_grouper(features, cfg);
    // Read back at the end: merges may have moved earlier items.
    let labels = features
        .iter()
        .map(|f| g.story_of(f.item_id).unwrap_or(-1))
        .collect();
    (labels, secs)
}

/// The grouper after feeding every item, and the seconds spent assigning.
pub fn run_grouper(features: &[ItemFeatures], cfg: &GroupingConfig) -> (Grouper, f64) {
    let mut g = Grouper::new(cfg.clone());
    let start = Instant::now();
    for f in features {
        g.assign(f.clone());
    }
    // As the app does after each batch: the last items' stories are re-checked too.
    g.recheck();
    (g, start.elapsed().as_secs_f64())
}

/// One known near-miss pair of gold stories and what the grouper did with it.
#[derive(Debug, Clone, Serialize)]
pub struct NearMiss {
    pub stories: (String, String),
    /// True when some predicted story holds items of both.
    pub merged: bool,
    /// Items of either story placed in a predicted story that holds the other one's items.
    pub items_mixed: usize,
    /// The closest approach: an item whose best match was in the other story, with that score
    /// (above zero means it joined) and the score parts.
    pub closest: Option<Closest>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Closest {
    pub item: String,
    pub matched: String,
    pub score: f32,
    pub parts: Vec<cluster::ScorePart>,
}

/// Read near-miss pairs from a SOURCE.md list ("1. `a` ↔ `b` ...").
pub fn parse_near_misses(markdown: &str) -> Vec<(String, String)> {
    markdown
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let (num, rest) = l.split_once(". ")?;
            if !num.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let mut ticks = rest.split('`');
            let (_, a, mid, b) = (ticks.next()?, ticks.next()?, ticks.next()?, ticks.next()?);
            mid.contains('↔').then(|| (a.to_string(), b.to_string()))
        })
        .collect()
}

/// What happened to each near-miss pair.
pub fn near_misses(
    items: &[EvalItem],
    features: &[ItemFeatures],
    g: &Grouper,
    pairs: &[(String, String)],
) -> Vec<NearMiss> {
    let by_id: HashMap<i64, usize> = features
        .iter()
        .enumerate()
        .map(|(i, f)| (f.item_id, i))
        .collect();
    let label = |i: usize| g.story_of(features[i].item_id).unwrap_or(-1);
    pairs
        .iter()
        .map(|(a, b)| {
            let of = |s: &str| -> Vec<usize> {
                (0..items.len()).filter(|&i| items[i].story == s).collect()
            };
            let (ia, ib) = (of(a), of(b));
            let la: std::collections::HashSet<i64> = ia.iter().map(|&i| label(i)).collect();
            let lb: std::collections::HashSet<i64> = ib.iter().map(|&i| label(i)).collect();
            let items_mixed = ia.iter().filter(|&&i| lb.contains(&label(i))).count()
                + ib.iter().filter(|&&i| la.contains(&label(i))).count();
            let mut closest: Option<Closest> = None;
            for &i in ia.iter().chain(&ib) {
                let Some(e) = g.explain(features[i].item_id) else {
                    continue;
                };
                let Some(m) = e.matched_item.and_then(|m| by_id.get(&m).copied()) else {
                    continue;
                };
                let other = if items[i].story == *a { b } else { a };
                if items[m].story == *other && closest.as_ref().is_none_or(|c| e.score > c.score) {
                    closest = Some(Closest {
                        item: items[i].id.clone(),
                        matched: items[m].id.clone(),
                        score: e.score,
                        parts: e.parts.clone(),
                    });
                }
            }
            NearMiss {
                stories: (a.clone(), b.clone()),
                merged: items_mixed > 0,
                items_mixed,
                closest,
            }
        })
        .collect()
}

/// The `--json` report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub file: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub near_misses: Vec<NearMiss>,
    pub bcubed: Prf,
    pub pairwise: Prf,
    pub same_language: Prf,
    pub cross_language: Prf,
    pub items: usize,
    pub stories: usize,
    pub gold_stories: usize,
    /// Grouping throughput (assignments per second, embeddings precomputed).
    pub items_per_second: f64,
    /// Embedding throughput of the embedder used.
    pub embed_items_per_second: f64,
    pub embedder: String,
    /// Whether the grouper saw gold or detected languages.
    pub languages: String,
    pub baselines: HashMap<String, BaselineReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BaselineReport {
    pub description: String,
    pub bcubed: Prf,
    pub pairwise: Prf,
    pub same_language: Prf,
    pub cross_language: Prf,
    pub stories: usize,
}

/// Evaluate one file with our method and the baselines.
pub fn evaluate(
    path: &Path,
    embedder: &dyn Embedder,
    cfg: &GroupingConfig,
    near_miss_pairs: &[(String, String)],
    detect_language: bool,
) -> Result<Report, EvalError> {
    let items = load(path)?;
    let start = Instant::now();
    let embeddings = embed_items(&items, embedder)?;
    let embed_secs = start.elapsed().as_secs_f64();
    let mut feats = features(&items, Some(&embeddings));
    let langs = detect_language.then(|| detect_languages(&items));
    if let Some(l) = &langs {
        use_languages(&mut feats, l);
    }
    let (g, secs) = run_grouper(&feats, cfg);
    let labels: Vec<i64> = feats
        .iter()
        .map(|f| g.story_of(f.item_id).unwrap_or(-1))
        .collect();
    let near_misses = near_misses(&items, &feats, &g, near_miss_pairs);
    let s = score(&items, &labels);
    let mut baselines = HashMap::new();
    let b = |description: &str, labels: &[i64]| {
        let s = score(&items, labels);
        BaselineReport {
            description: description.to_string(),
            bcubed: s.bcubed,
            pairwise: s.pairwise,
            same_language: s.same_language,
            cross_language: s.cross_language,
            stories: s.stories,
        }
    };
    let cos = baselines::cosine_only(&items, &embeddings, baselines::COSINE_THRESHOLD);
    baselines.insert(
        "embedding_cosine".to_string(),
        b("raw e5 cosine to story centroid, online, t = 0.89", &cos),
    );
    let tfidf = baselines::tfidf_monolingual(&items, baselines::TFIDF_THRESHOLD);
    baselines.insert(
        "tfidf_monolingual".to_string(),
        b(
            "TF-IDF char 3-5-grams, online centroid per language (Miranda et al. 2018 style)",
            &tfidf,
        ),
    );
    let mut no_emb_feats = features(&items, None);
    if let Some(l) = &langs {
        use_languages(&mut no_emb_feats, l);
    }
    let (no_emb, _) = group(&no_emb_feats, cfg);
    baselines.insert(
        "ours_without_embeddings".to_string(),
        b("this grouper with no embedding model", &no_emb),
    );
    Ok(Report {
        file: path.display().to_string(),
        near_misses,
        bcubed: s.bcubed,
        pairwise: s.pairwise,
        same_language: s.same_language,
        cross_language: s.cross_language,
        items: items.len(),
        stories: s.stories,
        gold_stories: s.gold_stories,
        items_per_second: items.len() as f64 / secs.max(1e-9),
        embed_items_per_second: items.len() as f64 / embed_secs.max(1e-9),
        embedder: embedder.name(),
        languages: if detect_language { "detected" } else { "gold" }.to_string(),
        baselines,
    })
}

/// Agreement of two embedders on the items' inputs: (mean, minimum) cosine.
pub fn compare_embedders(
    items: &[EvalItem],
    a: &dyn Embedder,
    b: &dyn Embedder,
) -> Result<(f32, f32), EvalError> {
    let ea = embed_items(items, a)?;
    let eb = embed_items(items, b)?;
    let cos: Vec<f32> = ea
        .iter()
        .zip(&eb)
        .map(|(x, y)| cluster::dot(x, y))
        .collect();
    let mean = cos.iter().sum::<f32>() / cos.len().max(1) as f32;
    Ok((mean, cos.iter().copied().fold(f32::INFINITY, f32::min)))
}
