//! Tuning and transfer checks on the dev sets: coordinate-descent tuning of the grouping
//! weights, leave-one-set-out (tune on two sets, score the third), ablations, and how fast the
//! running language means settle. Used by `parallax eval tune`; only the dev sets go in.

use std::path::Path;

use serde::Serialize;

use super::{Embedder, EvalError, EvalItem, Scores, embed_items, features, group, load, score};
use crate::cluster::{GroupingConfig, ItemFeatures, LangMeans, PairWeights, dot, normalised};

/// One dev set with its features precomputed.
pub struct DevSet {
    pub name: String,
    pub items: Vec<EvalItem>,
    pub feats: Vec<ItemFeatures>,
}

impl DevSet {
    /// `detect_language`: feed detected languages (what the app sees) instead of gold ones.
    pub fn load(
        path: &Path,
        embedder: &dyn Embedder,
        detect_language: bool,
    ) -> Result<Self, EvalError> {
        let items = load(path)?;
        let embeddings = embed_items(&items, embedder)?;
        let mut feats = features(&items, Some(&embeddings));
        if detect_language {
            super::use_languages(&mut feats, &super::detect_languages(&items));
        }
        let name = path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        Ok(DevSet { name, items, feats })
    }

    pub fn run(&self, cfg: &GroupingConfig) -> Scores {
        let (labels, _) = group(&self.feats, cfg);
        score(&self.items, &labels)
    }

    /// The same set with the embeddings removed (the no-model fallback).
    pub fn without_embeddings(&self) -> DevSet {
        let feats = self.feats.iter().cloned().map(|mut f| {
            f.embedding = None;
            f
        });
        DevSet {
            name: self.name.clone(),
            items: self.items.clone(),
            feats: feats.collect(),
        }
    }
}

/// The tuning objective: mean BCubed F1 over the sets.
pub fn objective(sets: &[&DevSet], cfg: &GroupingConfig) -> f64 {
    // Sets are independent: score them on separate threads.
    let total: f64 = std::thread::scope(|scope| {
        let handles: Vec<_> = sets
            .iter()
            .map(|s| scope.spawn(move || s.run(cfg).bcubed.f1))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0.0)).sum()
    });
    total / sets.len().max(1) as f64
}

/// A tunable knob: name, candidate values, setter.
pub struct Knob {
    pub name: &'static str,
    pub values: Vec<f32>,
    pub set: fn(&mut GroupingConfig, f32),
}

fn range(from: f32, to: f32, step: f32) -> Vec<f32> {
    let n = ((to - from) / step).round() as i32;
    (0..=n).map(|i| from + step * i as f32).collect()
}

/// The knobs tuned by default; the biases are the same- and cross-language thresholds.
pub fn knobs() -> Vec<Knob> {
    vec![
        Knob {
            name: "bias_same",
            values: range(-0.95, -0.20, 0.025),
            set: |c, v| c.weights.bias_same = v,
        },
        Knob {
            name: "bias_cross",
            values: range(-0.95, -0.20, 0.025),
            set: |c, v| c.weights.bias_cross = v,
        },
        Knob {
            name: "background_weight",
            // Seeded always (a fresh install's first items get centred); how much is tuned.
            values: vec![1.0, 5.0, 20.0, 50.0, 200.0],
            set: |c, v| c.background_weight = v,
        },
        Knob {
            name: "tokens",
            values: range(0.0, 0.5, 0.05),
            set: |c, v| c.weights.tokens = v,
        },
        Knob {
            name: "numbers",
            values: range(0.0, 0.15, 0.025),
            set: |c, v| c.weights.numbers = v,
        },
        Knob {
            name: "names",
            values: range(0.0, 1.2, 0.1),
            set: |c, v| c.weights.names = v,
        },
        Knob {
            name: "time_near",
            values: range(0.0, 0.15, 0.025),
            set: |c, v| c.weights.time_near = v,
        },
        Knob {
            name: "time_far",
            values: range(0.0, 0.5, 0.1),
            set: |c, v| c.weights.time_far = v,
        },
        Knob {
            name: "top_k_mix",
            values: range(0.0, 1.0, 0.25),
            set: |c, v| c.top_k_mix = v,
        },
        Knob {
            name: "centroid_mix",
            values: range(0.0, 1.0, 0.25),
            set: |c, v| c.centroid_mix = v,
        },
    ]
}

/// Knobs of the no-embedding fallback.
pub fn fallback_knobs() -> Vec<Knob> {
    vec![Knob {
        name: "bias_no_embedding",
        values: range(-0.6, -0.05, 0.025),
        set: |c, v| c.weights.bias_no_embedding = v,
    }]
}

/// Coordinate descent from `start`: each knob in turn takes its best value (ties keep the
/// current one, so the result is deterministic), for `rounds` passes.
pub fn tune(
    sets: &[&DevSet],
    start: &GroupingConfig,
    knobs: &[Knob],
    rounds: usize,
) -> (GroupingConfig, f64) {
    let mut best = start.clone();
    let mut best_score = objective(sets, &best);
    for _ in 0..rounds {
        let before = best_score;
        for k in knobs {
            for &v in &k.values {
                let mut c = best.clone();
                (k.set)(&mut c, v);
                if c == best {
                    continue;
                }
                let s = objective(sets, &c);
                if s > best_score + 1e-9 {
                    best_score = s;
                    best = c;
                }
            }
        }
        if best_score <= before + 1e-9 {
            break;
        }
    }
    (best, best_score)
}

#[derive(Debug, Clone, Serialize)]
pub struct SetFigures {
    pub set: String,
    pub bcubed_f1: f64,
    pub cross_precision: f64,
    pub cross_recall: f64,
}

fn figures(set: &DevSet, cfg: &GroupingConfig) -> SetFigures {
    let s = set.run(cfg);
    SetFigures {
        set: set.name.clone(),
        bcubed_f1: s.bcubed.f1,
        cross_precision: s.cross_language.precision,
        cross_recall: s.cross_language.recall,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LosoRow {
    pub held_out: String,
    /// Tuned on the other sets, scored on the held-out one.
    pub held_out_figures: SetFigures,
    /// Tuned on all sets, scored on the same set.
    pub all_sets_figures: SetFigures,
    pub weights: PairWeights,
    pub top_k_mix: f32,
}

/// Leave-one-set-out: for each set, tune on the others and score it.
pub fn leave_one_out(
    sets: &[DevSet],
    start: &GroupingConfig,
    all_tuned: &GroupingConfig,
) -> Vec<LosoRow> {
    let knobs = knobs();
    (0..sets.len())
        .map(|h| {
            let train: Vec<&DevSet> = sets
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != h)
                .map(|(_, s)| s)
                .collect();
            let (cfg, _) = tune(&train, start, &knobs, 2);
            LosoRow {
                held_out: sets[h].name.clone(),
                held_out_figures: figures(&sets[h], &cfg),
                all_sets_figures: figures(&sets[h], all_tuned),
                weights: cfg.weights.clone(),
                top_k_mix: cfg.top_k_mix,
            }
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct AblationRow {
    pub variant: String,
    pub figures: Vec<SetFigures>,
}

/// Each component switched off (biases re-tuned on all sets so the comparison is fair).
pub fn ablation(sets: &[DevSet], tuned: &GroupingConfig) -> Vec<AblationRow> {
    let all: Vec<&DevSet> = sets.iter().collect();
    let thresholds: Vec<Knob> = knobs()
        .into_iter()
        .filter(|k| k.name.starts_with("bias"))
        .collect();
    type Switch = fn(&mut GroupingConfig);
    let variants: Vec<(&str, Switch)> = vec![
        ("full (tuned on all sets)", |_| {}),
        ("no centring", |c| c.centring = false),
        ("centring frozen at arrival (no re-centring)", |c| {
            c.recentre = false
        }),
        ("running means only (no background seed)", |c| {
            c.background_means = false
        }),
        ("background means only (weight 1e9)", |c| {
            c.background_weight = 1e9
        }),
        ("no word overlap", |c| c.weights.tokens = 0.0),
        ("no numbers", |c| c.weights.numbers = 0.0),
        ("no names across scripts", |c| c.weights.names = 0.0),
        ("no time prior", |c| {
            c.weights.time_near = 0.0;
            c.weights.time_far = 0.0;
        }),
        ("no headline clean-up (tokens)", |c| {
            c.clean_headlines = false
        }),
        ("best link only (top_k_mix = 0)", |c| c.top_k_mix = 0.0),
        ("mean of top-3 links (top_k_mix = 1)", |c| c.top_k_mix = 1.0),
        ("centroid only (centroid_mix = 1)", |c| c.centroid_mix = 1.0),
        ("item links only (centroid_mix = 0)", |c| {
            c.centroid_mix = 0.0
        }),
        ("one threshold for same and cross language", |c| {
            c.weights.bias_cross = c.weights.bias_same
        }),
    ];
    variants
        .into_iter()
        .map(|(name, f)| {
            let mut c = tuned.clone();
            f(&mut c);
            let c = if name.starts_with("full") {
                c
            } else if name.starts_with("one threshold") {
                let one = Knob {
                    name: "bias_both",
                    values: range(-0.95, -0.20, 0.025),
                    set: |c, v| {
                        c.weights.bias_same = v;
                        c.weights.bias_cross = v;
                    },
                };
                tune(&all, &c, &[one], 1).0
            } else {
                tune(&all, &c, &thresholds, 1).0
            };
            AblationRow {
                variant: name.to_string(),
                figures: sets.iter().map(|s| figures(s, &c)).collect(),
            }
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct SettleRow {
    pub lang: String,
    pub items: usize,
    /// Cosine between the running mean after `items` items and the mean over the whole set.
    pub running_vs_set_mean: f32,
    /// Cosine between the shipped background mean and the mean over the whole set.
    pub background_vs_set_mean: f32,
}

/// How many items a running language mean needs before it points where the set's mean does.
pub fn mean_settling(set: &DevSet) -> Vec<SettleRow> {
    let mut rows = Vec::new();
    let background = LangMeans::with_background(1.0);
    for lang in [
        crate::model::Lang::Ar,
        crate::model::Lang::Fa,
        crate::model::Lang::En,
    ] {
        let vecs: Vec<&Vec<f32>> = set
            .feats
            .iter()
            .filter(|f| f.lang == lang)
            .filter_map(|f| f.embedding.as_ref())
            .collect();
        if vecs.is_empty() {
            continue;
        }
        let mut all = LangMeans::empty();
        vecs.iter().for_each(|v| all.add(&lang, v));
        let Some(full) = all.mean(&lang).map(|m| normalised(&m)) else {
            continue;
        };
        let bg = background
            .mean(&lang)
            .map_or(0.0, |m| dot(&normalised(&m), &full));
        let mut run = LangMeans::empty();
        for (i, v) in vecs.iter().enumerate() {
            run.add(&lang, v);
            let n = i + 1;
            if [1, 5, 10, 25, 50, 100, 150].contains(&n) || n == vecs.len() {
                let m = run.mean(&lang).map_or(0.0, |m| dot(&normalised(&m), &full));
                rows.push(SettleRow {
                    lang: lang.code().to_string(),
                    items: n,
                    running_vs_set_mean: m,
                    background_vs_set_mean: bg,
                });
            }
        }
    }
    rows
}

/// Knobs tuned after a learned pair score: one threshold that keeps the learned gap between
/// same- and cross-language pairs, and how story links are mixed.
pub fn learned_knobs() -> Vec<Knob> {
    let mut out = vec![Knob {
        name: "threshold (keeps the learned same/cross gap)",
        values: range(-1.2, 0.0, 0.02),
        set: |c, v| {
            let gap = c.weights.bias_same - c.weights.bias_cross;
            c.weights.bias_cross = v;
            c.weights.bias_same = v + gap;
        },
    }];
    out.extend(
        knobs()
            .into_iter()
            .filter(|k| matches!(k.name, "top_k_mix" | "centroid_mix")),
    );
    out
}

/// Regularisation of the learned pair score.
pub const LEARN_L2: f64 = 1e-3;

/// How the learned pair score is fitted and what is tuned after it.
#[derive(Debug, Clone, Copy, Default)]
pub struct LearnOptions {
    /// Only each item's k most similar different-story items as negatives.
    pub hard_negatives: Option<usize>,
    /// Tune the threshold only (link mixing stays as in the start config).
    pub threshold_only: bool,
    /// Keep only the learned gap between the same- and cross-language thresholds; tune every
    /// other weight by coordinate descent as without a learned score.
    pub gap_only: bool,
}

/// Learn the pair score on `sets`, then tune the threshold and link mixing on the same sets.
pub fn learn_and_tune(
    sets: &[&DevSet],
    start: &GroupingConfig,
    opts: LearnOptions,
) -> (GroupingConfig, f64, super::learn::Learned) {
    let (cfg, learned) = super::learn::learn(sets, start, LEARN_L2, opts.hard_negatives);
    if opts.gap_only {
        let mut c = start.clone();
        c.weights.bias_same = c.weights.bias_cross + cfg.weights.bias_same - cfg.weights.bias_cross;
        let mut knobs: Vec<Knob> = knobs()
            .into_iter()
            .filter(|k| !k.name.starts_with("bias"))
            .collect();
        knobs.insert(0, learned_knobs().remove(0));
        let (c, f) = tune(sets, &c, &knobs, 2);
        return (c, f, learned);
    }
    let mut knobs = learned_knobs();
    if opts.threshold_only {
        knobs.truncate(1);
    }
    let (cfg, f) = tune(sets, &cfg, &knobs, 2);
    (cfg, f, learned)
}

#[derive(Debug, Clone, Serialize)]
pub struct LearnedLosoRow {
    pub held_out: String,
    pub held_out_figures: SetFigures,
    pub all_sets_figures: SetFigures,
    pub weights: PairWeights,
    pub top_k_mix: f32,
    pub centroid_mix: f32,
}

/// Leave-one-set-out for the learned pair score: fit and tune on the others, score the third.
pub fn learned_leave_one_out(
    sets: &[DevSet],
    start: &GroupingConfig,
    all_tuned: &GroupingConfig,
    opts: LearnOptions,
) -> Vec<LearnedLosoRow> {
    (0..sets.len())
        .map(|h| {
            let train: Vec<&DevSet> = sets
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != h)
                .map(|(_, s)| s)
                .collect();
            let (cfg, _, _) = learn_and_tune(&train, start, opts);
            LearnedLosoRow {
                held_out: sets[h].name.clone(),
                held_out_figures: figures(&sets[h], &cfg),
                all_sets_figures: figures(&sets[h], all_tuned),
                weights: cfg.weights.clone(),
                top_k_mix: cfg.top_k_mix,
                centroid_mix: cfg.centroid_mix,
            }
        })
        .collect()
}
