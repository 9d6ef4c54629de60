//! Pair evidence and the same-happening pair model: one place that turns the evidence between
//! two items into model features, a probability and the parts Explain shows.
//!
//! The model is a logistic regression over [`FEATURES`], fitted on the labelled dev sets by
//! `parallax eval tune` (see `eval::stories::learn`). Two weight vectors: one for pairs where
//! both items have an embedding, one for the no-model fallback (words, names, numbers, time).

use serde::{Deserialize, Serialize};

use super::signals::Agreement;

/// Names of the model's features, in the order of [`PairEvidence::features`].
pub const FEATURES: [&str; N] = [
    "same_language",
    "cross_language",
    "cosine",
    "cosine_cross_language",
    "csls",
    "csls_cross_language",
    "shared_words",
    "shared_words_cross_language",
    "names_across_scripts",
    "shared_numbers",
    "same_round",
    "different_round",
    "same_weekday",
    "different_weekday",
    "both_dated",
    "days_apart_log",
    "within_48h",
    "same_event_day",
    "different_event_day",
    "same_action",
    "different_action",
];
/// Number of features.
pub const N: usize = 21;

/// Weights of the logistic pair model, in [`FEATURES`] order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairModel {
    /// Used when both items have an embedding.
    pub with_embedding: [f32; N],
    /// Used when either item lacks one (the model is not installed): the embedding features
    /// are zero there, so they need their own intercepts and weights.
    pub without_embedding: [f32; N],
    /// A second model for the pairs the first one is unsure of (embedding pairs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_stage: Option<SecondStage>,
}

/// Names of the second stage's features, in the order of [`PairEvidence::second_features`]:
/// the first stage's logit, and what it lacks: disagreements (both items name numbers or names
/// and share none), and interactions of the cosine with the language pair and the time gap.
pub const SECOND_FEATURES: [&str; M] = [
    "bias",
    "first_stage_logit",
    "cross_language",
    "csls",
    "csls_cross_language",
    "cosine",
    "days_apart_log",
    "undated",
    "csls_undated",
    "csls_days_apart_log",
    "numbers_disagree",
    "names_disagree",
    "shared_words",
    "names_cross_language",
    "different_action_csls",
    "same_action_undated",
];
/// Number of second-stage features.
pub const M: usize = 16;

/// Re-scores the pairs whose first-stage probability falls in `[low, high]` (the band around
/// the join threshold where its errors are), with weights fitted only on such pairs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecondStage {
    pub low: f32,
    pub high: f32,
    pub weights: [f32; M],
}

/// Evidence for one pair of items.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PairEvidence {
    pub cross_language: bool,
    /// Cosine of the language-centred embeddings.
    pub cosine: Option<f32>,
    /// Cross-domain similarity local scaling: `2 cos − r_a − r_b`, where `r_x` is `x`'s mean
    /// cosine to its nearest items in the other item's language. It discounts pairs that are
    /// close only because both sit in a crowded region (one topic covered every day).
    pub csls: Option<f32>,
    /// IDF-weighted cosine over folded word tokens.
    pub words: f32,
    /// Names matched across scripts by consonant skeleton (0..=1).
    pub names: f32,
    /// Shared numbers: 0, 0.5, 1 for none, one, two or more.
    pub numbers: f32,
    pub rounds: Agreement,
    pub weekdays: Agreement,
    /// Calendar days named in the texts.
    pub days: Agreement,
    /// Kinds of happening named ([`super::actions`]): resigns, impeached, talks, strikes…
    pub actions: Agreement,
    pub hours_apart: Option<f32>,
    /// Both items name numbers and share none.
    pub numbers_disagree: bool,
    /// Both items name people or places (name skeletons) and none match.
    pub names_disagree: bool,
}

/// One piece of evidence in a pair score (a logit contribution is `value * weight`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScorePart {
    pub name: String,
    pub value: f32,
    pub weight: f32,
}

fn flag(b: bool) -> f32 {
    f32::from(u8::from(b))
}

impl PairEvidence {
    /// The model inputs, in [`FEATURES`] order.
    pub fn features(&self) -> [f32; N] {
        let cross = flag(self.cross_language);
        let cos = self.cosine.unwrap_or(0.0);
        let csls = self.csls.unwrap_or(0.0);
        let (dated, days_log, near) = match self.hours_apart {
            Some(h) => (1.0, (1.0 + h / 24.0).ln(), flag(h <= 48.0)),
            None => (0.0, 0.0, 0.0),
        };
        [
            1.0 - cross,
            cross,
            cos,
            cos * cross,
            csls,
            csls * cross,
            self.words,
            self.words * cross,
            self.names,
            self.numbers,
            flag(self.rounds.same),
            flag(self.rounds.different),
            flag(self.weekdays.same),
            flag(self.weekdays.different),
            dated,
            days_log,
            near,
            flag(self.days.same),
            flag(self.days.different),
            flag(self.actions.same),
            flag(self.actions.different),
        ]
    }

    fn weights<'a>(&self, m: &'a PairModel) -> &'a [f32; N] {
        if self.cosine.is_some() {
            &m.with_embedding
        } else {
            &m.without_embedding
        }
    }

    /// Log-odds that both items report the same happening.
    pub fn logit(&self, m: &PairModel) -> f32 {
        self.features()
            .iter()
            .zip(self.weights(m))
            .map(|(x, w)| x * w)
            .sum()
    }

    /// The same-happening probability: the first stage's, re-scored by the second stage when
    /// it falls in the second stage's band.
    pub fn probability(&self, m: &PairModel) -> f32 {
        let z = self.logit(m);
        let p = sigmoid(z);
        match &m.second_stage {
            Some(s) if self.cosine.is_some() && p >= s.low && p <= s.high => {
                let x = self.second_features(z);
                sigmoid(x.iter().zip(&s.weights).map(|(x, w)| x * w).sum())
            }
            _ => p,
        }
    }

    /// The second stage's inputs given the first stage's logit, in [`SECOND_FEATURES`] order.
    pub fn second_features(&self, first_logit: f32) -> [f32; M] {
        let cross = flag(self.cross_language);
        let cos = self.cosine.unwrap_or(0.0);
        let csls = self.csls.unwrap_or(0.0);
        let (undated, days_log) = match self.hours_apart {
            Some(h) => (0.0, (1.0 + h / 24.0).ln()),
            None => (1.0, 0.0),
        };
        [
            1.0,
            first_logit,
            cross,
            csls,
            csls * cross,
            cos,
            days_log,
            undated,
            csls * undated,
            csls * days_log,
            flag(self.numbers_disagree),
            flag(self.names_disagree),
            self.words,
            self.names * cross,
            flag(self.actions.different) * csls,
            flag(self.actions.same) * undated,
        ]
    }

    /// The non-zero parts of the logit, for Explain.
    pub fn parts(&self, m: &PairModel) -> Vec<ScorePart> {
        self.features()
            .iter()
            .zip(self.weights(m))
            .zip(FEATURES)
            .filter(|((x, w), _)| **x != 0.0 && **w != 0.0)
            .map(|((x, w), name)| ScorePart {
                name: name.to_string(),
                value: *x,
                weight: *w,
            })
            .collect()
    }
}

pub fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> PairModel {
        let mut w = [0.0; N];
        w[1] = -2.0; // cross_language
        w[4] = 5.0; // csls
        w[17] = 1.0; // same_event_day
        w[18] = -1.5; // different_event_day
        PairModel {
            with_embedding: w,
            without_embedding: [-3.0; N],
            second_stage: None,
        }
    }

    #[test]
    fn parts_sum_to_the_logit() {
        let e = PairEvidence {
            cross_language: true,
            cosine: Some(0.5),
            csls: Some(0.6),
            days: Agreement {
                same: false,
                different: true,
            },
            hours_apart: Some(30.0),
            ..PairEvidence::default()
        };
        let m = model();
        let sum: f32 = e.parts(&m).iter().map(|p| p.value * p.weight).sum();
        assert!((sum - e.logit(&m)).abs() < 1e-6);
        assert!((e.logit(&m) - (-2.0 + 3.0 - 1.5)).abs() < 1e-6);
        let names: Vec<String> = e.parts(&m).into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["cross_language", "csls", "different_event_day"]);
    }

    #[test]
    fn no_embedding_uses_the_fallback_weights() {
        let e = PairEvidence {
            words: 1.0,
            ..PairEvidence::default()
        };
        let m = model();
        assert!(e.probability(&m) < 0.01);
        assert_eq!(FEATURES.len(), e.features().len());
    }

    #[test]
    fn second_stage_rescores_only_its_band() {
        let mut m = model();
        // Second stage: "numbers disagree" is decisive, everything else neutral.
        let mut w = [0.0; M];
        w[0] = 3.0;
        w[10] = -6.0;
        m.second_stage = Some(SecondStage {
            low: 0.3,
            high: 0.7,
            weights: w,
        });
        let pair = |csls: f32, numbers_disagree| PairEvidence {
            cosine: Some(0.5),
            csls: Some(csls),
            numbers_disagree,
            ..PairEvidence::default()
        };
        // Logit 5·0.1 = 0.5 (p 0.62): in the band, re-scored.
        assert!(pair(0.1, true).probability(&m) < 0.05);
        assert!(pair(0.1, false).probability(&m) > 0.95);
        // Logit 5·0.6 = 3 (p 0.95): above the band, the first stage stands.
        let sure = pair(0.6, true);
        assert!((sure.probability(&m) - sigmoid(sure.logit(&m))).abs() < 1e-6);
        // Without an embedding the second stage never applies.
        let bare = PairEvidence {
            numbers_disagree: true,
            ..PairEvidence::default()
        };
        assert!((bare.probability(&m) - sigmoid(bare.logit(&m))).abs() < 1e-6);
    }
}
