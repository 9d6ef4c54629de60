//! `parallax eval tune`: fit the pair model and the grouping thresholds on the dev sets, and
//! the checks that say whether the result transfers: leave-one-set-out (fit on all but one
//! set, score the one left out) and ablations (refit without one part). Only the dev sets go in.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Scores;
pub use super::devset::DevSet;
use super::learn::{Mask, learn};
use crate::cluster::GroupingConfig;
use crate::cluster::evidence::{FEATURES, N};

/// The tuning objective: mean BCubed F1 over the sets (each set counts the same).
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
struct Knob {
    name: &'static str,
    values: Vec<f32>,
    set: fn(&mut GroupingConfig, f32),
}

fn range(from: f32, to: f32, step: f32) -> Vec<f32> {
    let n = ((to - from) / step).round() as usize;
    (0..=n).map(|i| from + step * i as f32).collect()
}

fn knobs() -> Vec<Knob> {
    vec![
        Knob {
            name: "join_threshold",
            values: range(0.3, 0.95, 0.05),
            set: |c, v| c.join_threshold = v,
        },
        Knob {
            name: "split_factor",
            values: vec![0.0, 0.6, 0.8, 1.0],
            set: |c, v| c.split_factor = v,
        },
        Knob {
            name: "merge_factor",
            values: vec![0.7, 0.8, 0.9, 1.0, 100.0],
            set: |c, v| c.merge_factor = v,
        },
        Knob {
            name: "link_top_k",
            values: vec![1.0, 2.0, 3.0],
            set: |c, v| c.link_top_k = v as usize,
        },
    ]
}

/// Coordinate descent over the knobs (two rounds), from `start`.
fn tune_knobs(sets: &[&DevSet], start: &GroupingConfig) -> (GroupingConfig, f64) {
    let mut best = start.clone();
    let mut best_f = objective(sets, &best);
    for round in 0..2 {
        for k in knobs() {
            // The second round only revisits the threshold, the knob the others move.
            if round == 1 && k.name != "join_threshold" {
                continue;
            }
            for &v in &k.values {
                let mut c = best.clone();
                (k.set)(&mut c, v);
                let f = objective(sets, &c);
                if f > best_f + 1e-9 {
                    best_f = f;
                    best = c;
                }
            }
            tracing::debug!(knob = k.name, f = best_f, "tuned");
        }
    }
    (best, best_f)
}

/// Re-tune only the join threshold from `cfg`.
fn tune_threshold(sets: &[&DevSet], cfg: &GroupingConfig) -> GroupingConfig {
    let mut best = (cfg.clone(), objective(sets, cfg));
    for v in range(0.3, 0.95, 0.05) {
        let mut c = cfg.clone();
        c.join_threshold = v;
        let f = objective(sets, &c);
        if f > best.1 + 1e-9 {
            best = (c, f);
        }
    }
    best.0
}

/// Fit the pair model on `sets` (leaving out `mask`ed features), tune the knobs, then
/// calibrate the no-model fallback against those knobs.
pub fn fit_and_tune(sets: &[&DevSet], mask: &Mask, start: &GroupingConfig) -> GroupingConfig {
    let mut cfg = start.clone();
    cfg.horizon_days = learned_horizon(sets);
    cfg.model = learn(sets, start, mask);
    let (cfg, _) = tune_knobs(sets, &cfg);
    calibrate_fallback(sets, &cfg)
}

/// [`fit_and_tune`] without the no-model fallback (its weights stay as in `start`): every dev
/// item has an embedding, so the fallback scores no pair and the figures are the same; the
/// encoder options compare many fits, and this halves what each costs.
pub fn fit_embedding_path(sets: &[&DevSet], mask: &Mask, start: &GroupingConfig) -> GroupingConfig {
    let mut cfg = start.clone();
    cfg.horizon_days = learned_horizon(sets);
    cfg.model = super::learn::learn_with_embedding(sets, start, mask);
    tune_knobs(sets, &cfg).0
}

/// The story time horizon: the longest span of a gold story among the dated items of `sets`,
/// plus a day (rounded up to whole days). The F1 cannot choose it: no story of the dev sets spans
/// more, so every longer horizon scores the same there, while in a real archive a longer one lets
/// a topic chain day after day into one story. The tightest horizon the labelled data allows is
/// the one that keeps a story to one happening.
pub fn learned_horizon(sets: &[&DevSet]) -> f64 {
    let mut spans: BTreeMap<(&str, &str), (i64, i64)> = BTreeMap::new();
    for set in sets {
        for (item, f) in set.items.iter().zip(&set.feats) {
            let Some(t) = f.published else { continue };
            let t = t.timestamp();
            let e = spans
                .entry((set.name.as_str(), item.story.as_str()))
                .or_insert((t, t));
            e.0 = e.0.min(t);
            e.1 = e.1.max(t);
        }
    }
    let longest = spans.values().map(|(a, b)| b - a).max().unwrap_or(0);
    (longest as f64 / 86_400.0 + 1.0).ceil()
}

/// The knobs are tuned with embeddings, and the fallback's probabilities (words, names, numbers
/// and time only) are not calibrated to the same threshold: at the shared threshold it chained
/// whole topics (coverage-dev BCubed precision 0.59). Rather than a second threshold the fallback
/// weights get their own intercept: shifting both language intercepts by `d` moves every fallback
/// pair's logit by `d`, which is a threshold change for joins, splits and merges alike, and
/// leaves the embedding path untouched. The shift is chosen on the same sets without embeddings,
/// by BCubed F0.5: without the model the evidence is thin, and a fallback that merges
/// happenings costs the analyst's trust more than one that leaves coverage apart.
pub fn calibrate_fallback(sets: &[&DevSet], cfg: &GroupingConfig) -> GroupingConfig {
    let bare: Vec<DevSet> = sets.iter().map(|s| s.without_embeddings()).collect();
    // Features 0 and 1 are the same-language and cross-language intercepts.
    let shifted = |same: f32, cross: f32| {
        let mut c = cfg.clone();
        c.model.without_embedding[0] += same;
        c.model.without_embedding[1] += cross;
        c
    };
    let f_half = |c: &GroupingConfig| {
        let total: f64 = std::thread::scope(|scope| {
            let handles: Vec<_> = bare
                .iter()
                .map(|s| scope.spawn(move || f_beta(&s.run(c), 0.5)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or(0.0)).sum()
        });
        total / bare.len().max(1) as f64
    };
    // One shift for both, then the cross-language one alone: across scripts the fallback has
    // only names and numbers to go on, and its errors there differ from those within a language.
    let pick = |candidates: &mut dyn Iterator<Item = (f32, f32)>| {
        let mut best = ((0.0f32, 0.0f32), f64::MIN);
        for (same, cross) in candidates {
            let f = f_half(&shifted(same, cross));
            // Ties go to the smaller shift (closer to what was fitted).
            let size = same.abs() + cross.abs();
            if f > best.1 + 1e-9
                || ((f - best.1).abs() <= 1e-9 && size < best.0.0.abs() + best.0.1.abs())
            {
                best = ((same, cross), f);
            }
        }
        best
    };
    let ((same, _), _) = pick(&mut range(-8.0, 4.0, 0.25).into_iter().map(|d| (d, d)));
    let ((_, cross), f) = pick(&mut range(-8.0, 4.0, 0.25).into_iter().map(|d| (same, d)));
    tracing::info!(same, cross, f05 = f, "fallback intercepts shifted");
    shifted(same, cross)
}

/// BCubed F-beta (beta < 1 weighs precision more).
fn f_beta(s: &Scores, beta: f64) -> f64 {
    let (p, r) = (s.bcubed.precision, s.bcubed.recall);
    let b2 = beta * beta;
    if p + r == 0.0 {
        0.0
    } else {
        (1.0 + b2) * p * r / (b2 * p + r)
    }
}

/// One set's figures under one config.
#[derive(Debug, Clone, Serialize)]
pub struct SetFigures {
    pub bcubed_f1: f64,
    pub bcubed_p: f64,
    pub bcubed_r: f64,
    pub cross_p: f64,
    pub cross_r: f64,
    pub stories: usize,
    pub gold_stories: usize,
}

impl From<Scores> for SetFigures {
    fn from(s: Scores) -> Self {
        SetFigures {
            bcubed_f1: s.bcubed.f1,
            bcubed_p: s.bcubed.precision,
            bcubed_r: s.bcubed.recall,
            cross_p: s.cross_language.precision,
            cross_r: s.cross_language.recall,
            stories: s.stories,
            gold_stories: s.gold_stories,
        }
    }
}

/// Per-set figures: fitted on all sets, and fitted without the set (leave-one-set-out).
#[derive(Debug, Clone, Serialize)]
pub struct Transfer {
    pub all_sets: BTreeMap<String, SetFigures>,
    pub leave_one_out: BTreeMap<String, SetFigures>,
    pub mean_all_sets: f64,
    pub mean_leave_one_out: f64,
}

/// Fit on all sets and leave-one-set-out. LOSO fits start from `start` too, which has seen no
/// set (`GroupingConfig::untuned`).
pub fn transfer(
    sets: &[DevSet],
    mask: &Mask,
    start: &GroupingConfig,
) -> (GroupingConfig, Transfer) {
    let all: Vec<&DevSet> = sets.iter().collect();
    let cfg = fit_and_tune(&all, mask, start);
    let all_sets: BTreeMap<String, SetFigures> = sets
        .iter()
        .map(|s| (s.name.clone(), s.run(&cfg).into()))
        .collect();
    let leave_one_out: BTreeMap<String, SetFigures> = if sets.len() < 2 {
        BTreeMap::new()
    } else {
        sets.iter()
            .enumerate()
            .map(|(i, held)| {
                let rest: Vec<&DevSet> = sets
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, s)| s)
                    .collect();
                let c = fit_and_tune(&rest, mask, start);
                (held.name.clone(), held.run(&c).into())
            })
            .collect()
    };
    let mean = |m: &BTreeMap<String, SetFigures>| {
        m.values().map(|f| f.bcubed_f1).sum::<f64>() / m.len().max(1) as f64
    };
    let t = Transfer {
        mean_all_sets: mean(&all_sets),
        mean_leave_one_out: mean(&leave_one_out),
        all_sets,
        leave_one_out,
    };
    (cfg, t)
}

/// An ablation variant: name, features left out, change to the grouper.
pub type Variant = (&'static str, Mask, fn(&mut GroupingConfig));

/// The ablation variants: each drops one part of the model or of the grouper.
pub fn variants() -> Vec<Variant> {
    fn keep(_: &mut GroupingConfig) {}
    fn no_recheck(c: &mut GroupingConfig) {
        c.recheck_every = 0;
    }
    fn no_centring(c: &mut GroupingConfig) {
        c.centring = false;
    }
    let shipped = |extra: &[&str]| {
        let mut m = Mask::shipped();
        for (k, d) in Mask::dropping(extra).0.iter().enumerate() {
            m.0[k] |= d;
        }
        m
    };
    vec![
        ("shipped", shipped(&[]), keep),
        ("with_time_bonus", Mask::default(), keep),
        ("no_csls", shipped(&["csls"]), keep),
        ("no_cosine", shipped(&["cosine"]), keep),
        (
            "no_happening_signals",
            shipped(&[
                "same_round",
                "different_round",
                "same_weekday",
                "different_weekday",
                "same_event_day",
                "different_event_day",
            ]),
            keep,
        ),
        (
            "no_action",
            shipped(&["same_action", "different_action"]),
            keep,
        ),
        ("no_time", shipped(&["days_apart"]), keep),
        (
            "no_words_names_numbers",
            shipped(&["shared_words", "names", "shared_numbers"]),
            keep,
        ),
        ("no_recheck", shipped(&[]), no_recheck),
        ("no_centring", shipped(&[]), no_centring),
    ]
}

/// One ablation row.
#[derive(Debug, Clone, Serialize)]
pub struct AblationRow {
    pub variant: String,
    pub transfer: Transfer,
}

/// `leave_one_out`: also fit each variant leave-one-set-out (six fits per variant).
pub fn ablation(sets: &[DevSet], only: Option<&str>, leave_one_out: bool) -> Vec<AblationRow> {
    variants()
        .into_iter()
        .filter(|(name, _, _)| only.is_none_or(|o| o == *name))
        .map(|(name, mask, change)| {
            let mut start = GroupingConfig::untuned();
            change(&mut start);
            let transfer = if leave_one_out {
                transfer(sets, &mask, &start).1
            } else {
                let all: Vec<&DevSet> = sets.iter().collect();
                let cfg = fit_and_tune(&all, &mask, &start);
                let all_sets: BTreeMap<String, SetFigures> = sets
                    .iter()
                    .map(|s| (s.name.clone(), s.run(&cfg).into()))
                    .collect();
                Transfer {
                    mean_all_sets: all_sets.values().map(|f| f.bcubed_f1).sum::<f64>()
                        / all_sets.len().max(1) as f64,
                    mean_leave_one_out: f64::NAN,
                    all_sets,
                    leave_one_out: BTreeMap::new(),
                }
            };
            AblationRow {
                variant: name.to_string(),
                transfer,
            }
        })
        .collect()
}

/// One row of the encoder-options table: a way to fit, its figures, and what each fit chose.
#[derive(Debug, Clone, Serialize)]
pub struct EncoderRow {
    pub option: String,
    pub transfer: Transfer,
    /// Per fit ("all sets" or the held-out set's name): what the option chose inside the
    /// training sets.
    pub chosen: BTreeMap<String, String>,
}

/// A fit on training sets only: the config, and a note on what it chose.
type FitFn = dyn Fn(&[&DevSet]) -> (GroupingConfig, String) + Sync;

/// All-sets and (if `leave_one_out`) leave-one-set-out figures of one way to fit.
fn transfer_with(
    sets: &[DevSet],
    leave_one_out: bool,
    fit: &FitFn,
) -> (Transfer, BTreeMap<String, String>) {
    let mut chosen = BTreeMap::new();
    let all: Vec<&DevSet> = sets.iter().collect();
    let (cfg, note) = fit(&all);
    chosen.insert("all sets".to_string(), note);
    let all_sets: BTreeMap<String, SetFigures> = sets
        .iter()
        .map(|s| (s.name.clone(), s.run(&cfg).into()))
        .collect();
    let mut loso = BTreeMap::new();
    if leave_one_out && sets.len() >= 2 {
        for (i, held) in sets.iter().enumerate() {
            let rest: Vec<&DevSet> = sets
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, s)| s)
                .collect();
            let (c, note) = fit(&rest);
            chosen.insert(held.name.clone(), note);
            loso.insert(held.name.clone(), SetFigures::from(held.run(&c)));
        }
    }
    let mean = |m: &BTreeMap<String, SetFigures>| {
        if m.is_empty() {
            f64::NAN
        } else {
            m.values().map(|f| f.bcubed_f1).sum::<f64>() / m.len() as f64
        }
    };
    (
        Transfer {
            mean_all_sets: mean(&all_sets),
            mean_leave_one_out: mean(&loso),
            all_sets,
            leave_one_out: loso,
        },
        chosen,
    )
}

/// The encoder options (README, "Grouping"): the current model, then the same fit on
/// projected embeddings (the projection and its setting learnt inside the training sets).
/// `only`: these options by name (all when empty).
pub fn encoder_options(sets: &[DevSet], only: &[&str], leave_one_out: bool) -> Vec<EncoderRow> {
    let mask = Mask::shipped();
    let current = move |train: &[&DevSet]| {
        (
            fit_embedding_path(train, &mask, &GroupingConfig::untuned()),
            String::new(),
        )
    };
    let projected = move |train: &[&DevSet]| -> (GroupingConfig, String) {
        let (choice, p) = super::projection::choose(train);
        let mut start = GroupingConfig::untuned();
        start.projection = p;
        let note = match choice.spec {
            Some(s) => format!("k {} ridge {}", s.k, s.ridge),
            None => "none".to_string(),
        };
        let aucs: Vec<String> = choice
            .inner_auc
            .iter()
            .map(|(s, a)| match s {
                Some(s) => format!("k{}/r{}: {a:.4}", s.k, s.ridge),
                None => format!("none: {a:.4}"),
            })
            .collect();
        tracing::info!(chosen = %note, inner_auc = %aucs.join(", "), "projection");
        (
            fit_embedding_path(train, &mask, &start),
            format!("{note} (inner AUC {})", aucs.join(", ")),
        )
    };
    let second = move |train: &[&DevSet]| {
        let cfg = fit_embedding_path(train, &mask, &GroupingConfig::untuned());
        with_second_stage(train, cfg)
    };
    let both = move |train: &[&DevSet]| {
        let (cfg, note) = projected(train);
        let (cfg, second_note) = with_second_stage(train, cfg);
        (cfg, format!("{note}; {second_note}"))
    };
    let options: Vec<(&str, &FitFn)> = vec![
        ("current", &current),
        ("+projection", &projected),
        ("+second-stage", &second),
        ("+projection+second-stage", &both),
    ];
    options
        .into_iter()
        .filter(|(name, _)| {
            only.is_empty()
                || only
                    .iter()
                    .any(|o| o == name || *o == name.trim_start_matches('+'))
        })
        .map(|(name, fit)| {
            let (transfer, chosen) = transfer_with(sets, leave_one_out, fit);
            // Each row as soon as it is done: a full run takes a while.
            tracing::info!(
                option = name,
                mean_all_sets = transfer.mean_all_sets,
                mean_leave_one_out = transfer.mean_leave_one_out,
                all_sets = ?transfer.all_sets.iter().map(|(k, v)| (k.clone(), v.bcubed_f1)).collect::<Vec<_>>(),
                leave_one_out = ?transfer.leave_one_out.iter().map(|(k, v)| (k.clone(), v.bcubed_f1)).collect::<Vec<_>>(),
                "encoder option done"
            );
            EncoderRow {
                option: name.to_string(),
                transfer,
                chosen,
            }
        })
        .collect()
}

/// Add a second stage fitted on `train`'s borderline pairs to a fitted config, then re-tune
/// the join threshold (the second stage moves probabilities across it; the other knobs stay).
fn with_second_stage(train: &[&DevSet], mut cfg: GroupingConfig) -> (GroupingConfig, String) {
    let fit = super::second::fit_second_stage(train, &cfg);
    let note = format!(
        "{} of {} training pairs in the band {:.2}..{:.2}",
        fit.in_band,
        fit.pairs,
        (cfg.join_threshold - super::second::BAND).max(0.01),
        (cfg.join_threshold + super::second::BAND).min(0.99)
    );
    tracing::info!(%note, "second stage");
    cfg.model.second_stage = fit.stage;
    (tune_threshold(train, &cfg), note)
}

/// The encoder-options table as Markdown: per set all-sets / leave-one-set-out BCubed F1.
pub fn encoder_table(rows: &[EncoderRow]) -> String {
    let names: Vec<String> = rows
        .first()
        .map(|r| r.transfer.all_sets.keys().cloned().collect())
        .unwrap_or_default();
    let short = |n: &str| n.trim_end_matches("-ar-fa-en").to_string();
    let mut s = String::from("| option |");
    for n in &names {
        s.push_str(&format!(" {} all / LOSO |", short(n)));
    }
    s.push_str(" mean all / LOSO |\n|---|");
    for _ in &names {
        s.push_str("---|");
    }
    s.push_str("---|\n");
    let fig = |m: &BTreeMap<String, SetFigures>, n: &str| {
        m.get(n)
            .map_or("—".to_string(), |f| format!("{:.3}", f.bcubed_f1))
    };
    let num = |x: f64| {
        if x.is_nan() {
            "—".to_string()
        } else {
            format!("{x:.3}")
        }
    };
    for r in rows {
        s.push_str(&format!("| {} |", r.option));
        for n in &names {
            s.push_str(&format!(
                " {} / {} |",
                fig(&r.transfer.all_sets, n),
                fig(&r.transfer.leave_one_out, n)
            ));
        }
        s.push_str(&format!(
            " {} / {} |\n",
            num(r.transfer.mean_all_sets),
            num(r.transfer.mean_leave_one_out)
        ));
    }
    s
}

/// The fitted config as the Rust of `cluster::config` (to paste into the defaults).
pub fn rust_defaults(cfg: &GroupingConfig) -> String {
    let vec = |w: &[f32; N]| {
        let mut s = String::from("[\n");
        for (name, v) in FEATURES.iter().zip(w) {
            s.push_str(&format!("            {v:.4}, // {name}\n"));
        }
        s.push_str("        ]");
        s
    };
    format!(
        "join_threshold: {:.3}, horizon_days: {:.1}, split_factor: {:.2}, merge_factor: {:.2}, link_top_k: {}\n\
         PairModel {{\n        with_embedding: {},\n        without_embedding: {},\n    }}\n",
        cfg.join_threshold,
        cfg.horizon_days,
        cfg.split_factor,
        cfg.merge_factor,
        cfg.link_top_k,
        vec(&cfg.model.with_embedding),
        vec(&cfg.model.without_embedding)
    )
}
