//! Baselines reported next to our method on the same file, so the report shows what each part
//! of the design buys.

use std::collections::HashMap;

use super::EvalItem;
use crate::cluster::{dot, normalised};

/// Raw-cosine threshold from the shared notes' measurement (tuned on all three dev sets).
pub const COSINE_THRESHOLD: f32 = 0.89;
/// TF-IDF threshold: best mean BCubed F1 over the three dev sets (`parallax eval tune`).
pub const TFIDF_THRESHOLD: f32 = 0.25;

/// Embedding cosine alone: join the story whose (normalised) centroid is nearest if the raw
/// cosine clears `threshold`, else start a story.
pub fn cosine_only(items: &[EvalItem], embeddings: &[Vec<f32>], threshold: f32) -> Vec<i64> {
    let mut sums: Vec<Vec<f32>> = Vec::new();
    let mut labels = Vec::with_capacity(items.len());
    for v in embeddings.iter().take(items.len()) {
        let best = sums
            .iter()
            .enumerate()
            .map(|(i, s)| (i, dot(&normalised(s), v)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        match best {
            Some((i, c)) if c >= threshold => {
                for (s, x) in sums[i].iter_mut().zip(v) {
                    *s += x;
                }
                labels.push(i as i64);
            }
            _ => {
                labels.push(sums.len() as i64);
                sums.push(v.clone());
            }
        }
    }
    labels
}

type Sparse = HashMap<String, f32>;

fn char_ngrams(text: &str) -> HashMap<String, f32> {
    let chars: Vec<char> = format!(" {} ", crate::normalize::fold(text))
        .chars()
        .collect();
    let mut tf = HashMap::new();
    for n in 3..=5 {
        for w in chars.windows(n) {
            *tf.entry(w.iter().collect::<String>()).or_insert(0.0) += 1.0;
        }
    }
    tf
}

fn sparse_dot(a: &Sparse, b: &Sparse) -> f32 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small
        .iter()
        .filter_map(|(k, x)| large.get(k).map(|y| x * y))
        .sum()
}

fn sparse_norm(a: &Sparse) -> f32 {
    a.values().map(|x| x * x).sum::<f32>().sqrt()
}

/// Monolingual TF-IDF clustering in the style of Miranda et al. (2018): each language clustered
/// on its own, character 3-5-gram TF-IDF with document frequencies counted as items arrive,
/// online nearest-centroid with a cosine threshold.
pub fn tfidf_monolingual(items: &[EvalItem], threshold: f32) -> Vec<i64> {
    let mut df: HashMap<String, HashMap<String, f32>> = HashMap::new();
    let mut docs: HashMap<String, f32> = HashMap::new();
    // Per language: (cluster label, centroid sum).
    let mut clusters: HashMap<String, Vec<(i64, Sparse)>> = HashMap::new();
    let mut next = 0i64;
    let mut labels = Vec::with_capacity(items.len());
    for it in items {
        let lang = it.lang.clone();
        let tf = char_ngrams(&it.embedding_input());
        let ldf = df.entry(lang.clone()).or_default();
        let n = docs.entry(lang.clone()).or_insert(0.0);
        *n += 1.0;
        for g in tf.keys() {
            *ldf.entry(g.clone()).or_insert(0.0) += 1.0;
        }
        let mut v: Sparse = tf
            .into_iter()
            .map(|(g, c)| {
                let idf = ((*n + 1.0) / (ldf[&g] + 1.0)).ln() + 1.0;
                (g, c * idf)
            })
            .collect();
        let norm = sparse_norm(&v).max(1e-12);
        v.values_mut().for_each(|x| *x /= norm);
        let cs = clusters.entry(lang).or_default();
        let best = cs
            .iter()
            .enumerate()
            .map(|(i, (_, c))| (i, sparse_dot(c, &v) / sparse_norm(c).max(1e-12)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        match best {
            Some((i, s)) if s >= threshold => {
                for (g, x) in v {
                    *cs[i].1.entry(g).or_insert(0.0) += x;
                }
                labels.push(cs[i].0);
            }
            _ => {
                cs.push((next, v));
                labels.push(next);
                next += 1;
            }
        }
    }
    labels
}
