//! BCubed and pairwise clustering scores.

use std::collections::HashMap;

use serde::Serialize;

use super::EvalItem;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    fn new(precision: f64, recall: f64) -> Self {
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Prf {
            precision,
            recall,
            f1,
        }
    }

    /// From pair counts; an empty denominator counts as perfect (nothing claimed, nothing missed).
    fn from_pairs(tp: u64, predicted: u64, gold: u64) -> Self {
        let p = if predicted == 0 {
            1.0
        } else {
            tp as f64 / predicted as f64
        };
        let r = if gold == 0 {
            1.0
        } else {
            tp as f64 / gold as f64
        };
        Prf::new(p, r)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    pub bcubed: Prf,
    pub pairwise: Prf,
    pub same_language: Prf,
    pub cross_language: Prf,
    pub stories: usize,
    pub gold_stories: usize,
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

fn tally<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>) -> HashMap<K, u64> {
    let mut m = HashMap::new();
    for k in keys {
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

fn pair_total<K>(m: &HashMap<K, u64>) -> u64 {
    m.values().map(|&n| pairs(n)).sum()
}

/// Score predicted story labels (one per item, same order as `items`) against gold `story`.
pub fn score(items: &[EvalItem], predicted: &[i64]) -> Scores {
    let gold: Vec<&str> = items.iter().map(|i| i.story.as_str()).collect();
    let lang: Vec<&str> = items.iter().map(|i| i.lang.as_str()).collect();
    let n = items.len().min(predicted.len());
    let both = tally((0..n).map(|i| (predicted[i], gold[i])));
    let pred = tally((0..n).map(|i| predicted[i]));
    let gold_n = tally((0..n).map(|i| gold[i]));
    let (mut bp, mut br) = (0.0, 0.0);
    for i in 0..n {
        let inter = both[&(predicted[i], gold[i])] as f64;
        bp += inter / pred[&predicted[i]] as f64;
        br += inter / gold_n[&gold[i]] as f64;
    }
    let nf = n.max(1) as f64;
    let (tp, pp, gp) = (pair_total(&both), pair_total(&pred), pair_total(&gold_n));
    let tp_same = pair_total(&tally((0..n).map(|i| (predicted[i], gold[i], lang[i]))));
    let pp_same = pair_total(&tally((0..n).map(|i| (predicted[i], lang[i]))));
    let gp_same = pair_total(&tally((0..n).map(|i| (gold[i], lang[i]))));
    Scores {
        bcubed: Prf::new(bp / nf, br / nf),
        pairwise: Prf::from_pairs(tp, pp, gp),
        same_language: Prf::from_pairs(tp_same, pp_same, gp_same),
        cross_language: Prf::from_pairs(tp - tp_same, pp - pp_same, gp - gp_same),
        stories: pred.len(),
        gold_stories: gold_n.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(lang: &str, story: &str) -> EvalItem {
        EvalItem {
            id: String::new(),
            lang: lang.to_string(),
            published: None,
            source: None,
            title: String::new(),
            text: None,
            story: story.to_string(),
        }
    }

    #[test]
    fn perfect_and_split_clusterings() {
        let items = vec![
            item("en", "a"),
            item("ar", "a"),
            item("en", "b"),
            item("fa", "b"),
        ];
        let s = score(&items, &[1, 1, 2, 2]);
        assert_eq!(s.bcubed.f1, 1.0);
        assert_eq!(s.cross_language.recall, 1.0);
        // All singletons: precision 1, BCubed recall 0.5, no pair found.
        let s = score(&items, &[1, 2, 3, 4]);
        assert_eq!(s.bcubed.precision, 1.0);
        assert_eq!(s.bcubed.recall, 0.5);
        assert_eq!(s.pairwise.recall, 0.0);
        // Everything together: 2 of 6 pairs right, both cross-language.
        let s = score(&items, &[1, 1, 1, 1]);
        assert!((s.pairwise.precision - 2.0 / 6.0).abs() < 1e-12);
        assert!((s.cross_language.precision - 2.0 / 5.0).abs() < 1e-12);
        assert_eq!(s.same_language.precision, 0.0);
    }
}
