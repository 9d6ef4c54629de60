//! Fitting the second-stage scorer ([`crate::cluster::SecondStage`]) on borderline pairs.
//!
//! After the pair model and the knobs are fitted, every training pair (all same-happening
//! pairs, and each item's most similar pairs of other happenings, as in [`super::learn`]) is
//! scored by the first stage; those whose probability falls within [`BAND`] of the join
//! threshold are the ones its errors come from, and only they train the second model. Strata
//! (set, same/cross language) are balanced as in the first stage.

use serde::Serialize;

use super::devset::DevSet;
use super::learn::{HARD_NEGATIVES, Sample, fit};
use super::run_grouper;
use crate::cluster::evidence::{M, SecondStage};
use crate::cluster::{GroupingConfig, PairEvidence};

/// Half-width of the band around the join threshold (in probability).
pub const BAND: f32 = 0.2;

/// L2 strength (per set): the band holds few pairs, so shrink harder than the first stage.
pub const L2: f64 = 1e-2;

/// The fitted second stage and how many training pairs fell in its band.
#[derive(Debug, Clone, Serialize)]
pub struct SecondFit {
    pub stage: Option<SecondStage>,
    pub in_band: usize,
    pub pairs: usize,
}

/// Evidence of the training pairs of one set, with their labels.
fn pairs(set: &DevSet, cfg: &GroupingConfig) -> Vec<(PairEvidence, bool)> {
    let (g, _) = run_grouper(&set.feats, cfg);
    let mut out = Vec::new();
    for j in 0..set.feats.len() {
        let mut negatives: Vec<(f32, PairEvidence)> = Vec::new();
        for i in 0..set.feats.len() {
            if i == j {
                continue;
            }
            let Some(ev) = g.pair_evidence(set.feats[j].item_id, set.feats[i].item_id) else {
                continue;
            };
            let Some(cos) = ev.cosine else { continue };
            if set.items[j].story == set.items[i].story {
                if i < j {
                    out.push((ev, true));
                }
            } else {
                negatives.push((cos, ev));
            }
        }
        negatives.sort_by(|a, b| b.0.total_cmp(&a.0));
        out.extend(
            negatives
                .into_iter()
                .take(HARD_NEGATIVES)
                .map(|(_, e)| (e, false)),
        );
    }
    out
}

/// Fit the second stage for `cfg` (its first stage and threshold) on `sets`.
pub fn fit_second_stage(sets: &[&DevSet], cfg: &GroupingConfig) -> SecondFit {
    let mut first = cfg.clone();
    first.model.second_stage = None;
    let low = (cfg.join_threshold - BAND).max(0.01);
    let high = (cfg.join_threshold + BAND).min(0.99);
    let per_set: Vec<Vec<(PairEvidence, bool)>> = std::thread::scope(|scope| {
        let first = &first;
        let handles: Vec<_> = sets
            .iter()
            .map(|s| scope.spawn(move || pairs(s, first)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut samples: Vec<Sample<M>> = Vec::new();
    let (mut in_band, mut total) = (0, 0);
    for set_pairs in per_set {
        total += set_pairs.len();
        let mut strata: [Vec<Sample<M>>; 2] = [Vec::new(), Vec::new()];
        for (ev, y) in set_pairs {
            let z = ev.logit(&first.model);
            let p = crate::cluster::evidence::sigmoid(z);
            if p < low || p > high {
                continue;
            }
            in_band += 1;
            strata[usize::from(ev.cross_language)].push(Sample {
                x: ev.second_features(z).map(f64::from),
                y,
                w: 0.0,
            });
        }
        let kept: Vec<&mut Vec<Sample<M>>> = strata
            .iter_mut()
            .filter(|s| s.iter().any(|p| p.y) && s.iter().any(|p| !p.y))
            .collect();
        let share = 1.0 / kept.len().max(1) as f64;
        for s in kept {
            let pos = s.iter().filter(|p| p.y).count() as f64;
            let neg = s.len() as f64 - pos;
            for p in s.iter_mut() {
                p.w = share * 0.5 / if p.y { pos } else { neg };
            }
            samples.append(s);
        }
    }
    let stage = (!samples.is_empty()).then(|| SecondStage {
        low,
        high,
        weights: fit(&samples, L2 * sets.len() as f64, 1).map(|b| b as f32),
    });
    SecondFit {
        stage,
        in_band,
        pairs: total,
    }
}
