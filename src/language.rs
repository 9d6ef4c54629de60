//! Language detection: every stored item gets a language and a confidence.
//!
//! Design (measured by `parallax eval lang`, see `eval::lang`):
//! 1. Look at the first [`MAX_CHARS`] characters only, so a huge input costs no more than a long
//!    summary.
//! 2. Count letters per script. The dominant script picks the candidate languages among the
//!    configured ones, so a few Latin brand names never flip Persian to English, and an English
//!    headline quoting Arabic stays English.
//! 3. One candidate for that script (English for Latin in the default set): answer without lingua.
//! 4. Arabic script with several candidates (ar, fa, ur): a cheap scorer over script-specific
//!    letters and function words decides when its margin is clear; otherwise lingua (restricted
//!    to those candidates, built once) gives confidence values, blended with the scorer.
//! 5. The feed's declared language is a prior multiplied into the candidates' probabilities;
//!    below the configured floor the answer is [`Lang::Und`].

mod arabic;
mod script;

use std::sync::LazyLock;

use lingua::{LanguageDetector, LanguageDetectorBuilder};
use serde::{Deserialize, Serialize};

pub use crate::model::Lang;
use script::{Script, ScriptCounts};

/// Detection looks at most at this many characters of the input (title + summary).
pub const MAX_CHARS: usize = 400;

/// How much more the declared language weighs than each other candidate.
const PRIOR_ODDS: f64 = 3.0;

/// Which languages to tell apart, and how sure detection must be to name one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LanguageConfig {
    pub languages: Vec<Lang>,
    /// Below this confidence the item is stored as [`Lang::Und`].
    pub floor: f64,
}

impl Default for LanguageConfig {
    fn default() -> Self {
        Self {
            languages: vec![Lang::Ar, Lang::Fa, Lang::En, Lang::Ur],
            floor: 0.5,
        }
    }
}

/// A detected language and how sure the detector is (0..=1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    pub lang: Lang,
    pub confidence: f64,
}

impl Detection {
    fn und(confidence: f64) -> Self {
        Self {
            lang: Lang::Und,
            confidence,
        }
    }
}

/// How a [`Detector`] decides; the non-default strategies exist so the benchmark can compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strategy {
    /// Script pre-pass + letter/word scorer, lingua only when ambiguous (the default).
    PrePass,
    /// Lingua confidence values over all configured languages, no pre-pass.
    // Only `parallax eval lang` (the `eval` feature) builds this one.
    #[cfg_attr(not(feature = "eval"), allow(dead_code))]
    LinguaOnly { low_accuracy: bool },
}

/// Candidates of one script with the lingua detector that separates them (when there are several).
struct ScriptGroup {
    script: Script,
    langs: Vec<(Lang, lingua::Language)>,
    lingua: Option<LanguageDetector>,
}

/// Language detector: build once (it loads lingua's models), share via `Arc` or
/// [`Detector::shared_default`].
pub struct Detector {
    langs: Vec<(Lang, lingua::Language)>,
    floor: f64,
    strategy: Strategy,
    groups: Vec<ScriptGroup>,
    /// Lingua over all configured languages, for [`Strategy::LinguaOnly`].
    all: Option<LanguageDetector>,
}

static SHARED_DEFAULT: LazyLock<Detector> =
    LazyLock::new(|| Detector::new(&LanguageConfig::default()));

impl Detector {
    /// Build a detector for the configured languages. Languages this build of lingua does not
    /// know are skipped with a warning (they cannot be detected).
    pub fn new(cfg: &LanguageConfig) -> Self {
        Self::with_strategy(cfg, Strategy::PrePass)
    }

    /// The detector for the default configuration, built on first use.
    pub fn shared_default() -> &'static Detector {
        &SHARED_DEFAULT
    }

    pub(crate) fn with_strategy(cfg: &LanguageConfig, strategy: Strategy) -> Self {
        let mut langs: Vec<(Lang, lingua::Language)> = Vec::new();
        for lang in &cfg.languages {
            match to_lingua(lang) {
                Some(l) if !langs.iter().any(|(_, x)| *x == l) => langs.push((lang.clone(), l)),
                Some(_) => {}
                None => tracing::warn!("language: {lang} is not supported by this build; skipped"),
            }
        }
        let build = |ls: &[lingua::Language], low: bool| {
            let mut b = LanguageDetectorBuilder::from_languages(ls);
            b.with_preloaded_language_models();
            if low {
                b.with_low_accuracy_mode();
            }
            b.build()
        };
        let (groups, all) = match strategy {
            Strategy::PrePass => {
                let mut groups: Vec<ScriptGroup> = Vec::new();
                for (lang, l) in &langs {
                    let script = Script::of_language(*l);
                    match groups.iter_mut().find(|g| g.script == script) {
                        Some(g) => g.langs.push((lang.clone(), *l)),
                        None => groups.push(ScriptGroup {
                            script,
                            langs: vec![(lang.clone(), *l)],
                            lingua: None,
                        }),
                    }
                }
                for g in &mut groups {
                    if g.langs.len() > 1 {
                        let ls: Vec<_> = g.langs.iter().map(|(_, l)| *l).collect();
                        g.lingua = Some(build(&ls, false));
                    }
                }
                (groups, None)
            }
            Strategy::LinguaOnly { low_accuracy } => {
                let ls: Vec<_> = langs.iter().map(|(_, l)| *l).collect();
                let all = (ls.len() > 1).then(|| build(&ls, low_accuracy));
                (Vec::new(), all)
            }
        };
        Self {
            langs,
            floor: cfg.floor,
            strategy,
            groups,
            all,
        }
    }

    /// The languages this detector can answer with.
    pub fn languages(&self) -> Vec<Lang> {
        self.langs.iter().map(|(l, _)| l.clone()).collect()
    }

    /// Detect the language of `text` (title + plain-text summary). `prior` is the feed's declared
    /// language, if any: it tips close calls, it does not override clear evidence.
    pub fn detect(&self, text: &str, prior: Option<&Lang>) -> Detection {
        let text = cap(text, MAX_CHARS);
        let scored = match self.strategy {
            Strategy::PrePass => self.pre_pass(text),
            Strategy::LinguaOnly { .. } => self.lingua_only(text),
        };
        let Some(Scored {
            mut probs,
            discount,
        }) = scored
        else {
            return Detection::und(0.0);
        };
        if let Some(p) = prior.filter(|p| probs.iter().any(|(l, _)| l == *p)) {
            for (l, v) in &mut probs {
                if l == p {
                    *v *= PRIOR_ODDS;
                }
            }
        }
        let total: f64 = probs.iter().map(|(_, v)| v).sum();
        let Some((lang, best)) = probs
            .into_iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .filter(|_| total > 0.0)
        else {
            return Detection::und(0.0);
        };
        let confidence = (best / total) * discount;
        if confidence < self.floor {
            Detection::und(confidence)
        } else {
            Detection { lang, confidence }
        }
    }

    fn pre_pass(&self, text: &str) -> Option<Scored> {
        let counts = ScriptCounts::of(text);
        let (script, share) = counts.dominant()?;
        let Some(group) = self.groups.iter().find(|g| g.script == script) else {
            // A script none of our languages is written in (Hebrew, Cyrillic, ...).
            return Some(Scored {
                probs: Vec::new(),
                discount: 0.0,
            });
        };
        // Mixed text goes by its dominant script; a mixed one is a little less certain.
        let mut discount = share.sqrt();
        if script == Script::Latin && group.langs.iter().all(|(l, _)| *l == Lang::En) {
            // English rarely uses diacritics; Turkish, Azerbaijani, French do.
            discount *= (1.0 - 8.0 * counts.latin_non_ascii_share()).max(0.0);
        }
        if group.langs.len() == 1 {
            return Some(Scored {
                probs: vec![(group.langs[0].0.clone(), 1.0)],
                discount,
            });
        }
        if script == Script::Arabic {
            let cands: Vec<Lang> = group.langs.iter().map(|(l, _)| l.clone()).collect();
            let s = arabic::score(text, &cands);
            discount *= 1.0 - s.other_share;
            if s.decisive() {
                return Some(Scored {
                    probs: s.probs(),
                    discount,
                });
            }
            // Lingua sees only the Arabic-script words: quoted Latin names are noise to it.
            let arabic_words = script::words_in(text, Script::Arabic);
            let lingua = lingua_probs(group.lingua.as_ref()?, &arabic_words, &group.langs);
            let probs = s.blend(&lingua);
            return Some(Scored { probs, discount });
        }
        let probs = lingua_probs(group.lingua.as_ref()?, text, &group.langs);
        Some(Scored { probs, discount })
    }

    fn lingua_only(&self, text: &str) -> Option<Scored> {
        if !text.chars().any(char::is_alphabetic) {
            return None;
        }
        let probs = match (&self.all, self.langs.as_slice()) {
            (Some(d), _) => lingua_probs(d, text, &self.langs),
            (None, [(l, _)]) => vec![(l.clone(), 1.0)],
            _ => return None,
        };
        Some(Scored {
            probs,
            discount: 1.0,
        })
    }
}

/// Unnormalised candidate probabilities, and a factor (0..=1) for evidence of something else.
struct Scored {
    probs: Vec<(Lang, f64)>,
    discount: f64,
}

fn lingua_probs(
    d: &LanguageDetector,
    text: &str,
    langs: &[(Lang, lingua::Language)],
) -> Vec<(Lang, f64)> {
    let values = d.compute_language_confidence_values(text);
    langs
        .iter()
        .map(|(lang, l)| {
            let v = values.iter().find(|(x, _)| x == l).map_or(0.0, |(_, v)| *v);
            (lang.clone(), v)
        })
        .collect()
}

/// The first `max` characters of `text`, cut back to a word boundary when one is near.
fn cap(text: &str, max: usize) -> &str {
    let Some((end, _)) = text.char_indices().nth(max) else {
        return text;
    };
    let head = &text[..end];
    match head.rfind(char::is_whitespace) {
        Some(ws) if ws > end / 2 => &head[..ws],
        _ => head,
    }
}

/// Map our language to lingua's, when this build includes its model.
pub(crate) fn to_lingua(lang: &Lang) -> Option<lingua::Language> {
    use lingua::IsoCode639_1;
    use std::str::FromStr;
    // IsoCode639_1 only has the codes of languages compiled in, so parsing is the check.
    let iso = IsoCode639_1::from_str(lang.code()).ok()?;
    Some(lingua::Language::from_iso_code_639_1(&iso))
}

#[cfg(test)]
mod tests;
