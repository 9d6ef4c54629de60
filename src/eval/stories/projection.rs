//! Learning the embedding projection ([`crate::cluster::projection`]) from dev-set pairs.
//!
//! A ridge-regularised LDA on pair differences. For each training set the items are centred by
//! their language's mean (as the grouper does) and normalised; `S_w` is the scatter of the
//! differences of same-happening pairs, `S_b` that of each item's most similar pairs of other
//! happenings (the ones the threshold has to decide). Both are weighted so every (set, same- or
//! cross-language) stratum counts the same, as in [`super::learn`]. The map whitens
//! `S_w + ridge·I` (directions along which reports of one happening differ shrink) and keeps the
//! `k` directions along which near-miss happenings differ most relative to that. Closed form
//! (two symmetric eigendecompositions), deterministic.

use super::devset::DevSet;
use super::learn::HARD_NEGATIVES;
use crate::cluster::projection::Projection;

/// One projection setting: kept dimensions and ridge (relative to the mean eigenvalue of `S_w`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Spec {
    pub k: usize,
    pub ridge: f64,
}

/// The settings tried; the one chosen is picked inside the training sets ([`choose`]).
pub const CANDIDATES: [Spec; 6] = [
    Spec {
        k: 384,
        ridge: 10.0,
    },
    Spec { k: 384, ridge: 3.0 },
    Spec { k: 384, ridge: 1.0 },
    Spec { k: 384, ridge: 0.1 },
    Spec { k: 128, ridge: 1.0 },
    Spec { k: 128, ridge: 0.1 },
];

/// Dense symmetric matrix, row-major.
#[derive(Debug, Clone)]
struct Sym {
    n: usize,
    a: Vec<f64>,
}

impl Sym {
    fn zeros(n: usize) -> Self {
        Sym {
            n,
            a: vec![0.0; n * n],
        }
    }

    fn add_outer(&mut self, d: &[f64], w: f64) {
        let n = self.n;
        for i in 0..n {
            let wi = w * d[i];
            if wi == 0.0 {
                continue;
            }
            let row = &mut self.a[i * n..(i + 1) * n];
            for (x, dj) in row.iter_mut().zip(d) {
                *x += wi * dj;
            }
        }
    }

    fn trace(&self) -> f64 {
        (0..self.n).map(|i| self.a[i * self.n + i]).sum()
    }

    fn scale(&mut self, s: f64) {
        self.a.iter_mut().for_each(|x| *x *= s);
    }
}

/// Eigenvalues (descending) and eigenvectors (as rows, same order) of a symmetric matrix, by
/// cyclic Jacobi rotations: slow for large matrices but exact and deterministic, and 384 is small.
fn eigen(m: &Sym) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = m.n;
    let mut a = m.a.clone();
    let mut v = vec![0.0f64; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let norm: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt().max(1e-300);
    for _sweep in 0..50 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum::<f64>()
            .sqrt();
        if off <= 1e-12 * norm {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq.abs() <= 1e-300 {
                    continue;
                }
                let (app, aqq) = (a[p * n + p], a[q * n + q]);
                let theta = (aqq - app) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                // A ← Jᵀ A J on rows/columns p and q.
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                // Eigenvectors are the columns of V ← V J.
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[j * n + j].total_cmp(&a[i * n + i]).then(i.cmp(&j)));
    let values = order.iter().map(|&i| a[i * n + i]).collect();
    let vectors = order
        .iter()
        .map(|&i| (0..n).map(|k| v[k * n + i]).collect())
        .collect();
    (values, vectors)
}

/// A set's items centred by their language's mean over the set and normalised (`None`: no
/// embedding).
fn centred(set: &DevSet) -> Vec<Option<Vec<f64>>> {
    let mut sums: std::collections::BTreeMap<String, (Vec<f64>, f64)> = Default::default();
    for f in &set.feats {
        if let Some(v) = &f.embedding {
            let e = sums
                .entry(f.lang.code().to_string())
                .or_insert_with(|| (vec![0.0; v.len()], 0.0));
            if e.0.len() == v.len() {
                e.0.iter_mut().zip(v).for_each(|(s, x)| *s += f64::from(*x));
                e.1 += 1.0;
            }
        }
    }
    set.feats
        .iter()
        .map(|f| {
            let v = f.embedding.as_ref()?;
            let (sum, n) = sums.get(f.lang.code())?;
            let c: Vec<f64> = v
                .iter()
                .zip(sum)
                .map(|(x, s)| f64::from(*x) - s / n)
                .collect();
            let norm = c.iter().map(|x| x * x).sum::<f64>().sqrt().max(1e-12);
            Some(c.into_iter().map(|x| x / norm).collect())
        })
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A labelled pair: indices, same happening, cross-language.
type Pair = (usize, usize, bool, bool);

/// All same-happening pairs, and each item's `HARD_NEGATIVES` most similar items of other
/// happenings (by centred cosine).
fn pairs(set: &DevSet, c: &[Option<Vec<f64>>]) -> Vec<Pair> {
    let mut out = Vec::new();
    for j in 0..c.len() {
        let Some(cj) = &c[j] else { continue };
        let mut negatives: Vec<(f64, usize)> = Vec::new();
        for (i, ci) in c.iter().enumerate() {
            let Some(ci) = ci else { continue };
            if i == j {
                continue;
            }
            let cross = set.feats[i].lang != set.feats[j].lang;
            if set.items[i].story == set.items[j].story {
                if i < j {
                    out.push((i, j, true, cross));
                }
            } else {
                negatives.push((dot(ci, cj), i));
            }
        }
        negatives.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in negatives.into_iter().take(HARD_NEGATIVES) {
            out.push((i, j, false, set.feats[i].lang != set.feats[j].lang));
        }
    }
    out
}

/// Per-pair weights: every (set, same/cross-language) stratum with both classes has the same
/// total, split evenly between its positives and its negatives.
fn weights(p: &[Pair]) -> Vec<f64> {
    let mut counts = [[0usize; 2]; 2];
    for &(_, _, y, cross) in p {
        counts[usize::from(cross)][usize::from(y)] += 1;
    }
    let kept = counts
        .iter()
        .filter(|c| c[0] > 0 && c[1] > 0)
        .count()
        .max(1) as f64;
    p.iter()
        .map(|&(_, _, y, cross)| {
            let c = counts[usize::from(cross)];
            if c[0] == 0 || c[1] == 0 {
                0.0
            } else {
                0.5 / kept / c[usize::from(y)] as f64
            }
        })
        .collect()
}

/// The within-happening and near-miss scatters of `sets`, each scaled to mean eigenvalue 1.
fn scatters(sets: &[&DevSet]) -> Option<(Sym, Sym)> {
    let dim = sets
        .iter()
        .flat_map(|s| s.feats.iter())
        .find_map(|f| f.embedding.as_ref().map(Vec::len))?;
    let (mut sw, mut sb) = (Sym::zeros(dim), Sym::zeros(dim));
    for set in sets {
        let c = centred(set);
        let p = pairs(set, &c);
        let w = weights(&p);
        for (&(i, j, y, _), w) in p.iter().zip(w) {
            let (Some(a), Some(b)) = (&c[i], &c[j]) else {
                continue;
            };
            if a.len() != dim || b.len() != dim || w == 0.0 {
                continue;
            }
            let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
            if y {
                sw.add_outer(&d, w);
            } else {
                sb.add_outer(&d, w);
            }
        }
    }
    let (tw, tb) = (sw.trace(), sb.trace());
    if tw <= 0.0 || tb <= 0.0 {
        return None;
    }
    sw.scale(dim as f64 / tw);
    sb.scale(dim as f64 / tb);
    Some((sw, sb))
}

/// The projection for each spec from one pair of scatters (the `S_w` eigendecomposition is
/// shared by all ridges).
fn from_scatters(sw: &Sym, sb: &Sym, specs: &[Spec]) -> Vec<Projection> {
    let n = sw.n;
    let (lw, vw) = eigen(sw);
    specs
        .iter()
        .map(|spec| {
            // W = V diag((l + ridge)^-1/2) Vᵀ
            let mut w = vec![0.0f64; n * n];
            for (l, v) in lw.iter().zip(&vw) {
                let s = 1.0 / (l.max(0.0) + spec.ridge).sqrt();
                for i in 0..n {
                    let si = s * v[i];
                    for j in 0..n {
                        w[i * n + j] += si * v[j];
                    }
                }
            }
            // B = W S_b W
            let mul = |x: &[f64], y: &[f64]| {
                let mut out = vec![0.0f64; n * n];
                for i in 0..n {
                    for k in 0..n {
                        let xik = x[i * n + k];
                        if xik == 0.0 {
                            continue;
                        }
                        let (row, yk) = (&mut out[i * n..(i + 1) * n], &y[k * n..(k + 1) * n]);
                        row.iter_mut().zip(yk).for_each(|(o, b)| *o += xik * b);
                    }
                }
                out
            };
            let b = mul(&mul(&w, &sb.a), &w);
            let k = spec.k.min(n);
            let rows: Vec<Vec<f64>> = if k == n {
                // All directions kept: the whitening alone (a rotation would not change a cosine).
                (0..n).map(|i| w[i * n..(i + 1) * n].to_vec()).collect()
            } else {
                let (_, ub) = eigen(&Sym { n, a: b });
                ub.into_iter()
                    .take(k)
                    .map(|u| {
                        (0..n)
                            .map(|j| (0..n).map(|i| u[i] * w[i * n + j]).sum())
                            .collect()
                    })
                    .collect()
            };
            Projection {
                rows: rows.len(),
                cols: n,
                matrix: rows.into_iter().flatten().map(|x| x as f32).collect(),
            }
        })
        .collect()
}

/// Mean AUC of the projected centred cosine (same happening above near misses) over the
/// strata of `set`; `None` projects nothing.
fn auc(set: &DevSet, p: Option<&Projection>) -> f64 {
    let c = centred(set);
    let pr: Vec<Option<Vec<f64>>> = c
        .iter()
        .map(|v| {
            let v = v.as_ref()?;
            let x: Vec<f32> = v.iter().map(|x| *x as f32).collect();
            let y = p.map_or(x.clone(), |p| p.apply(&x));
            let y: Vec<f64> = y.into_iter().map(f64::from).collect();
            let norm = dot(&y, &y).sqrt().max(1e-12);
            Some(y.into_iter().map(|x| x / norm).collect())
        })
        .collect();
    let mut strata: [[Vec<f64>; 2]; 2] = Default::default();
    for (i, j, y, cross) in pairs(set, &c) {
        if let (Some(a), Some(b)) = (&pr[i], &pr[j]) {
            strata[usize::from(cross)][usize::from(y)].push(dot(a, b));
        }
    }
    let aucs: Vec<f64> = strata
        .iter_mut()
        .filter(|s| !s[0].is_empty() && !s[1].is_empty())
        .map(|s| {
            s[0].sort_by(f64::total_cmp);
            // Share of (positive, negative) pairs ordered right; ties count half.
            let mut right = 0.0;
            for &x in &s[1] {
                let below = s[0].partition_point(|&n| n < x);
                let tied = s[0][below..].partition_point(|&n| n <= x);
                right += below as f64 + 0.5 * tied as f64;
            }
            right / (s[0].len() * s[1].len()) as f64
        })
        .collect();
    aucs.iter().sum::<f64>() / aucs.len().max(1) as f64
}

/// Learn the projection of `spec` on `sets` (`None` when they hold no usable pairs).
pub fn learn_projection(sets: &[&DevSet], spec: Spec) -> Option<Projection> {
    let (sw, sb) = scatters(sets)?;
    from_scatters(&sw, &sb, &[spec]).into_iter().next()
}

/// What [`choose`] picked and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Choice {
    /// `None`: no projection did better than the e5 vectors as they are.
    pub spec: Option<Spec>,
    /// Inner leave-one-set-out AUC of each candidate (the first entry is no projection).
    pub inner_auc: Vec<(Option<Spec>, f64)>,
}

/// Pick the setting inside `sets` only: each candidate (and no projection) is learnt on all but
/// one of them and scored by pair AUC on the one left out; the best mean wins and is learnt on
/// all of `sets`. The held-out set of an outer leave-one-set-out never enters.
pub fn choose(sets: &[&DevSet]) -> (Choice, Option<Projection>) {
    let mut scores: Vec<(Option<Spec>, f64)> = vec![(None, 0.0)];
    scores.extend(CANDIDATES.iter().map(|s| (Some(*s), 0.0)));
    if sets.len() >= 2 {
        for held in 0..sets.len() {
            let rest: Vec<&DevSet> = (0..sets.len())
                .filter(|&i| i != held)
                .map(|i| sets[i])
                .collect();
            let projections = scatters(&rest).map(|(sw, sb)| from_scatters(&sw, &sb, &CANDIDATES));
            scores[0].1 += auc(sets[held], None);
            for (k, s) in scores.iter_mut().skip(1).enumerate() {
                s.1 += auc(sets[held], projections.as_ref().and_then(|p| p.get(k)));
            }
        }
        scores.iter_mut().for_each(|s| s.1 /= sets.len() as f64);
    }
    let best = scores
        .iter()
        .copied()
        .reduce(|a, b| if b.1 > a.1 + 1e-9 { b } else { a })
        .and_then(|(s, _)| s);
    let projection = best.and_then(|s| learn_projection(sets, s));
    (
        Choice {
            spec: best,
            inner_auc: scores,
        },
        projection,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_diagonalises_a_symmetric_matrix() {
        let m = Sym {
            n: 3,
            a: vec![4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 1.0],
        };
        let (l, v) = eigen(&m);
        assert!(l[0] >= l[1] && l[1] >= l[2], "{l:?}");
        for (lam, u) in l.iter().zip(&v) {
            for i in 0..3 {
                let mu: f64 = (0..3).map(|j| m.a[i * 3 + j] * u[j]).sum();
                assert!((mu - lam * u[i]).abs() < 1e-9, "{l:?} {v:?}");
            }
        }
        assert!((l.iter().sum::<f64>() - m.trace()).abs() < 1e-9);
    }

    #[test]
    fn projection_drops_the_direction_reports_differ_along() {
        // Dimension 0 carries the happening, dimension 1 only noise between reports of one
        // happening (and also between near misses, at the same scale), dimension 2 is quiet.
        // The learnt map must weigh dimension 0 far above dimension 1.
        let mut sw = Sym::zeros(3);
        let mut sb = Sym::zeros(3);
        for k in 0..50 {
            let noise = if k % 2 == 0 { 1.0 } else { -1.0 };
            sw.add_outer(&[0.05 * noise, noise, 0.01], 1.0);
            sb.add_outer(&[1.0, noise, 0.0], 1.0);
        }
        let (tw, tb) = (sw.trace(), sb.trace());
        sw.scale(3.0 / tw);
        sb.scale(3.0 / tb);
        for spec in [Spec { k: 3, ridge: 0.1 }, Spec { k: 1, ridge: 0.1 }] {
            let p = &from_scatters(&sw, &sb, &[spec])[0];
            let gain = |axis: usize| {
                let mut e = [0.0f32; 3];
                e[axis] = 1.0;
                p.apply(&e).iter().map(|x| x * x).sum::<f32>().sqrt()
            };
            assert!(gain(0) > 5.0 * gain(1), "{spec:?}: {p:?}");
            assert_eq!(p.rows, spec.k);
        }
    }
}
