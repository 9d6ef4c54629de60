//! Per-language centring of embeddings.
//!
//! e5 cosines carry a language offset (a same-language pair of different stories can outscore a
//! cross-language pair of one story). Subtracting each language's mean vector removes most of it.
//! The means run over the archive as items arrive; they start from a background mean computed
//! from real headlines of each language (`lang_means.json`, derived from the shared headline
//! corpora by `scripts/lang_means.py`), so the first items of a fresh install are centred too.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::model::Lang;

use super::normalised;

/// Running sum and count of raw embeddings for one language.
#[derive(Debug, Clone, Default)]
struct Running {
    sum: Vec<f64>,
    n: f64,
}

impl Running {
    fn add(&mut self, v: &[f32]) {
        if self.sum.len() != v.len() {
            self.sum = vec![0.0; v.len()];
            self.n = 0.0;
        }
        for (s, x) in self.sum.iter_mut().zip(v) {
            *s += f64::from(*x);
        }
        self.n += 1.0;
    }
}

/// Language mean vectors: background seed blended with a running mean over seen items.
#[derive(Debug, Clone, Default)]
pub struct LangMeans {
    background: BTreeMap<String, Vec<f32>>,
    background_weight: f64,
    running: BTreeMap<String, Running>,
}

fn shipped_background() -> &'static BTreeMap<String, Vec<f32>> {
    static BG: OnceLock<BTreeMap<String, Vec<f32>>> = OnceLock::new();
    BG.get_or_init(|| {
        // A committed, derived file; a parse failure is a build defect caught by the unit test.
        serde_json::from_str(include_str!("lang_means.json")).unwrap_or_default()
    })
}

impl LangMeans {
    /// Means that start empty: the first item of each language is not centred.
    pub fn empty() -> Self {
        LangMeans::default()
    }

    /// Means seeded with the shipped background, counting as `weight` items per language.
    pub fn with_background(weight: f32) -> Self {
        let mut background = shipped_background().clone();
        // The pooled key starts from the average of the shipped means.
        if let Some(dim) = background.values().next().map(Vec::len) {
            let n = background.len() as f32;
            let mut pooled = vec![0.0f32; dim];
            for v in background.values() {
                for (p, x) in pooled.iter_mut().zip(v) {
                    *p += x / n;
                }
            }
            background.insert("*".to_string(), pooled);
        }
        LangMeans {
            background,
            background_weight: f64::from(weight.max(0.0)),
            running: BTreeMap::new(),
        }
    }

    /// The same means with the background mapped by `p` (before any item is added): the
    /// running means then sum projected vectors, so every mean is in the projected space.
    pub fn projected(mut self, p: &super::projection::Projection) -> Self {
        for v in self.background.values_mut() {
            *v = p.apply(v);
        }
        self
    }

    /// Languages without their own mean (Urdu, undetermined, ...) share one pooled mean.
    pub(crate) fn key(lang: &Lang) -> &str {
        match lang {
            Lang::Ar | Lang::Fa | Lang::En => lang.code(),
            _ => "*",
        }
    }

    pub fn add(&mut self, lang: &Lang, raw: &[f32]) {
        self.running
            .entry(Self::key(lang).to_string())
            .or_default()
            .add(raw);
        if Self::key(lang) != "*" {
            self.running.entry("*".to_string()).or_default().add(raw);
        }
    }

    /// The current mean for a language, if anything is known about it.
    pub fn mean(&self, lang: &Lang) -> Option<Vec<f32>> {
        let key = Self::key(lang);
        let bg = self.background.get(key);
        let run = self.running.get(key);
        let (bw, rn) = (
            if bg.is_some() {
                self.background_weight
            } else {
                0.0
            },
            run.map_or(0.0, |r| r.n),
        );
        if bw + rn <= 0.0 {
            return None;
        }
        let dim = bg.map(Vec::len).or(run.map(|r| r.sum.len()))?;
        let mut mean = vec![0.0f32; dim];
        for (d, m) in mean.iter_mut().enumerate() {
            let b = bg
                .and_then(|b| b.get(d))
                .map_or(0.0, |x| f64::from(*x) * bw);
            let r = run.and_then(|r| r.sum.get(d)).copied().unwrap_or(0.0);
            *m = ((b + r) / (bw + rn)) as f32;
        }
        Some(mean)
    }

    /// Subtract the language mean and re-normalise.
    pub fn centre(&self, lang: &Lang, raw: &[f32]) -> Vec<f32> {
        match self.mean(lang) {
            Some(mean) if mean.len() == raw.len() => {
                let v: Vec<f32> = raw.iter().zip(&mean).map(|(x, m)| x - m).collect();
                normalised(&v)
            }
            _ => normalised(raw),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_background_has_three_languages() {
        let bg = shipped_background();
        for l in ["ar", "fa", "en"] {
            assert_eq!(bg.get(l).map(Vec::len), Some(384), "{l}");
        }
    }

    #[test]
    fn running_mean_blends_with_background() {
        let mut m = LangMeans::empty();
        assert!(m.mean(&Lang::Ar).is_none());
        m.add(&Lang::Ar, &[1.0, 0.0]);
        m.add(&Lang::Ar, &[0.0, 1.0]);
        assert_eq!(m.mean(&Lang::Ar), Some(vec![0.5, 0.5]));
        // Centring removes the shared component.
        let c = m.centre(&Lang::Ar, &[1.0, 0.0]);
        assert!(
            (c[0] - 0.70710677).abs() < 1e-5 && (c[1] + 0.70710677).abs() < 1e-5,
            "{c:?}"
        );
    }
}
