//! A learned pair score: logistic regression over the score parts, fitted on dev-set pairs.
//!
//! Every pair of items of a set (the later one as if it arrived now) is a sample labelled by
//! whether gold puts both in one story. Classes are balanced within each (set, same/cross
//! language) stratum, so the fit estimates a likelihood ratio that does not depend on how many
//! stories a set has; strata without a positive pair (NTREX has no same-language story) carry
//! no ratio and are left out. The prior is one offset tuned afterwards on the same sets.

use serde::Serialize;

use super::run_grouper;
use super::tune::DevSet;
use crate::cluster::{GroupingConfig, PairWeights};

/// Names of the fitted coefficients, in feature order.
pub const FEATURES: [&str; 8] = [
    "same_language",
    "cross_language",
    "cosine",
    "tokens",
    "numbers",
    "names",
    "time_near",
    "time_far",
];
const N: usize = FEATURES.len();

struct Sample {
    x: [f64; N],
    y: bool,
    w: f64,
}

/// Pair samples of one set, with stratum-balanced weights. `hard_negatives`: keep only each
/// item's that many most similar different-story earlier items (the pairs a threshold decides).
fn samples(set: &DevSet, cfg: &GroupingConfig, hard_negatives: Option<usize>) -> Vec<Sample> {
    let (g, _) = run_grouper(&set.feats, cfg);
    // Stratum 0: same language, 1: cross language.
    let mut strata: [Vec<Sample>; 2] = [Vec::new(), Vec::new()];
    for j in 0..set.feats.len() {
        let mut negatives: Vec<(f32, Sample, usize)> = Vec::new();
        for i in 0..j {
            let (a, b) = (&set.feats[j], &set.feats[i]);
            let Some(ev) = g.pair_evidence(a.item_id, b.item_id) else {
                continue;
            };
            let Some(cos) = ev.cosine else { continue };
            let cross = ev.cross_language;
            let x = [
                f64::from(u8::from(!cross)),
                f64::from(u8::from(cross)),
                f64::from(cos),
                f64::from(ev.tokens),
                f64::from(ev.numbers),
                f64::from(ev.names),
                f64::from(ev.time_near()),
                f64::from(ev.time_far()),
            ];
            let y = set.items[j].story == set.items[i].story;
            if y || hard_negatives.is_none() {
                strata[usize::from(cross)].push(Sample { x, y, w: 0.0 });
            } else {
                negatives.push((cos, Sample { x, y, w: 0.0 }, usize::from(cross)));
            }
        }
        if let Some(k) = hard_negatives {
            negatives.sort_by(|a, b| b.0.total_cmp(&a.0));
            for (_, s, stratum) in negatives.into_iter().take(k) {
                strata[stratum].push(s);
            }
        }
    }
    let mut out = Vec::new();
    for mut s in strata {
        let pos = s.iter().filter(|p| p.y).count();
        let neg = s.len() - pos;
        if pos == 0 || neg == 0 {
            continue;
        }
        for p in s.iter_mut() {
            p.w = if p.y {
                0.5 / pos as f64
            } else {
                0.5 / neg as f64
            };
        }
        out.extend(s);
    }
    out
}

/// Weighted L2-regularised logistic regression by Newton's method (deterministic).
fn fit(samples: &[Sample], l2: f64) -> [f64; N] {
    let mut beta = [0.0f64; N];
    for _ in 0..50 {
        let mut grad = [0.0f64; N];
        let mut hess = [[0.0f64; N]; N];
        for s in samples {
            let z: f64 = (0..N).map(|k| beta[k] * s.x[k]).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let r = s.w * (f64::from(u8::from(s.y)) - p);
            let v = s.w * p * (1.0 - p);
            for (a, row) in hess.iter_mut().enumerate() {
                grad[a] += r * s.x[a];
                for (h, xb) in row.iter_mut().zip(s.x) {
                    *h += v * s.x[a] * xb;
                }
            }
        }
        // The two language indicators are intercepts: not shrunk.
        for k in 2..N {
            grad[k] -= l2 * beta[k];
            hess[k][k] += l2;
        }
        for (k, row) in hess.iter_mut().enumerate() {
            row[k] += 1e-9;
        }
        let step = solve(hess, grad);
        let mut change = 0.0f64;
        for k in 0..N {
            beta[k] += step[k];
            change = change.max(step[k].abs());
        }
        if change < 1e-8 {
            break;
        }
    }
    beta
}

/// Solve `a x = b` by Gaussian elimination with partial pivoting.
fn solve(mut a: [[f64; N]; N], mut b: [f64; N]) -> [f64; N] {
    for c in 0..N {
        let p = (c..N)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap_or(c);
        a.swap(c, p);
        b.swap(c, p);
        let d = a[c][c];
        if d.abs() < 1e-15 {
            continue;
        }
        let pivot = a[c];
        for r in c + 1..N {
            let f = a[r][c] / d;
            for (x, p) in a[r].iter_mut().zip(pivot).skip(c) {
                *x -= f * p;
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = [0.0f64; N];
    for c in (0..N).rev() {
        let s: f64 = (c + 1..N).map(|k| a[c][k] * x[k]).sum();
        x[c] = if a[c][c].abs() < 1e-15 {
            0.0
        } else {
            (b[c] - s) / a[c][c]
        };
    }
    x
}

/// The fitted model and the pair weights it gives (scaled so the cosine weight is 1).
#[derive(Debug, Clone, Serialize)]
pub struct Learned {
    pub coefficients: Vec<(String, f64)>,
    pub samples: usize,
    pub weights: PairWeights,
}

/// Fit the pair score on `sets` (features computed under `cfg`'s centring) and return `cfg`
/// with the learned weights; the offset (prior) is left to tuning.
pub fn learn(
    sets: &[&DevSet],
    cfg: &GroupingConfig,
    l2: f64,
    hard_negatives: Option<usize>,
) -> (GroupingConfig, Learned) {
    let all: Vec<Sample> = std::thread::scope(|scope| {
        let handles: Vec<_> = sets
            .iter()
            .map(|s| scope.spawn(move || samples(s, cfg, hard_negatives)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let beta = fit(&all, l2);
    let scale = if beta[2] > 1e-6 { beta[2] } else { 1.0 };
    let mut out = cfg.clone();
    let w = &mut out.weights;
    w.bias_same = (beta[0] / scale) as f32;
    w.bias_cross = (beta[1] / scale) as f32;
    w.cos = 1.0;
    w.tokens = (beta[3] / scale) as f32;
    w.numbers = (beta[4] / scale) as f32;
    w.names = (beta[5] / scale) as f32;
    w.time_near = (beta[6] / scale) as f32;
    w.time_far = (-beta[7] / scale) as f32;
    w.hub = 0.0;
    let learned = Learned {
        coefficients: FEATURES
            .iter()
            .zip(beta)
            .map(|(n, b)| (n.to_string(), b))
            .collect(),
        samples: all.len(),
        weights: out.weights.clone(),
    };
    (out, learned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_recovers_a_separating_direction() {
        // y = 1 when cosine is high; the fit must give cosine a positive weight and the
        // intercepts a negative one.
        let samples: Vec<Sample> = (0..200)
            .map(|i| {
                let c = i as f64 / 200.0;
                let mut x = [0.0; N];
                x[1] = 1.0;
                x[2] = c;
                Sample {
                    x,
                    y: c > 0.6 || (i % 17 == 0),
                    w: 1.0,
                }
            })
            .collect();
        let b = fit(&samples, 1e-3);
        assert!(b[2] > 1.0, "{b:?}");
        assert!(b[1] < 0.0, "{b:?}");
        assert!((-b[1] / b[2] - 0.6).abs() < 0.15, "{b:?}");
    }
}
