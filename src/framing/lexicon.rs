//! The loaded-terms lexicon: a curated, documented, user-editable TOML list of framing terms in
//! Arabic, Persian and English, each with its gloss and a public source.

use std::path::Path;

use serde::Deserialize;

use crate::model::Lang;
use crate::normalize;

/// The bundled default (`assets/lexicon/loaded-terms.toml`).
pub const BUNDLED: &str = include_str!("../../assets/lexicon/loaded-terms.toml");
/// The user's copy's file name, next to the archive.
pub const FILE_NAME: &str = "loaded-terms.toml";

/// Arabic proclitics a word may carry in front (folded): and, so, with, like, for, the.
const AR_PREFIXES: &[&str] = &[
    "و", "ف", "ب", "ك", "ل", "وب", "ول", "وك", "فب", "فل", "ال", "وال", "بال", "فال", "كال",
];
/// "for the": ل + ال is written لل, so these replace the article itself.
const AR_LAM_ARTICLE: &[&str] = &["لل", "ولل", "فلل"];

#[derive(Debug, Clone, Deserialize)]
pub struct Entry {
    pub lang: String,
    pub terms: Vec<String>,
    pub gloss: String,
    pub category: String,
    #[serde(default)]
    pub neutral: Option<String>,
    pub source: String,
}

#[derive(Debug, Deserialize)]
struct File {
    entry: Vec<Entry>,
}

#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("lexicon {path}: {detail}")]
    Invalid { path: String, detail: String },
}

/// A parsed lexicon with each spelling folded into tokens.
#[derive(Debug, Clone)]
pub struct Lexicon {
    pub entries: Vec<Entry>,
    /// (entry index, spelling, folded tokens)
    patterns: Vec<(usize, String, Lang, Vec<String>)>,
}

impl Lexicon {
    pub fn bundled() -> Lexicon {
        // The bundled file is checked by a test; an error here is a build defect.
        Lexicon::parse(BUNDLED, "bundled").unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn parse(text: &str, origin: &str) -> Result<Lexicon, LexiconError> {
        let invalid = |detail: String| LexiconError::Invalid {
            path: origin.to_string(),
            detail,
        };
        let f: File = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let mut patterns = Vec::new();
        for (i, e) in f.entry.iter().enumerate() {
            let lang = Lang::from_tag(&e.lang).ok_or_else(|| {
                invalid(format!("entry {}: unknown language {:?}", i + 1, e.lang))
            })?;
            if e.terms.is_empty() || e.gloss.trim().is_empty() || e.source.trim().is_empty() {
                return Err(invalid(format!(
                    "entry {} ({:?}): terms, gloss and source are required",
                    i + 1,
                    e.terms.first()
                )));
            }
            for t in &e.terms {
                let tokens = normalize::fold_tokens(t);
                if tokens.is_empty() {
                    return Err(invalid(format!("entry {}: empty term {t:?}", i + 1)));
                }
                patterns.push((i, t.clone(), lang.clone(), tokens));
            }
        }
        // Longest spelling first, so "رژیم صهیونیستی" is found before any shorter overlap.
        patterns.sort_by_key(|p| std::cmp::Reverse(p.3.len()));
        Ok(Lexicon {
            entries: f.entry,
            patterns,
        })
    }

    /// Read `path`; when it does not exist, write the bundled default there first (so the user
    /// has a file to edit). A file that does not parse is reported, with the bundled lexicon
    /// in its place.
    pub fn load_or_init(path: &Path) -> (Lexicon, Option<String>) {
        if !path.exists() {
            if let Err(e) = std::fs::write(path, BUNDLED) {
                tracing::warn!("cannot write {}: {e}", path.display());
            }
            return (Lexicon::bundled(), None);
        }
        let shown = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => match Lexicon::parse(&text, &shown) {
                Ok(l) => (l, None),
                Err(e) => (
                    Lexicon::bundled(),
                    Some(format!("{e}; using the bundled lexicon")),
                ),
            },
            Err(e) => (
                Lexicon::bundled(),
                Some(format!("lexicon {shown}: {e}; using the bundled lexicon")),
            ),
        }
    }

    /// Occurrences in folded `tokens` of `lang`: (entry index, spelling) per hit, a token used
    /// by one hit only.
    pub fn find(&self, lang: &Lang, tokens: &[String]) -> Vec<(usize, &str)> {
        let mut used = vec![false; tokens.len()];
        let mut out = Vec::new();
        for (entry, spelling, l, pat) in &self.patterns {
            if l != lang || pat.len() > tokens.len() {
                continue;
            }
            for start in 0..=tokens.len() - pat.len() {
                if used[start..start + pat.len()].iter().any(|&u| u) {
                    continue;
                }
                let first_ok = token_matches(lang, &tokens[start], &pat[0]);
                if first_ok && tokens[start + 1..start + pat.len()] == pat[1..] {
                    used[start..start + pat.len()]
                        .iter_mut()
                        .for_each(|u| *u = true);
                    out.push((*entry, spelling.as_str()));
                }
            }
        }
        out
    }
}

impl Lexicon {
    /// Each distinct source link, with the first spelling of every entry that cites it (in file
    /// order), for checking that the links still resolve.
    pub fn sources(&self) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for e in &self.entries {
            let term = e.terms.first().cloned().unwrap_or_default();
            match out.iter_mut().find(|(u, _)| *u == e.source) {
                Some((_, terms)) => terms.push(term),
                None => out.push((e.source.clone(), vec![term])),
            }
        }
        out
    }
}

/// Why `source` is not a well-formed public link (an absolute https URL to a named host), or
/// None when it is one.
pub fn source_problem(source: &str) -> Option<String> {
    if source.trim() != source || source.chars().any(char::is_whitespace) {
        return Some("contains spaces".into());
    }
    let url = match url::Url::parse(source) {
        Ok(u) => u,
        Err(e) => return Some(format!("not a URL ({e})")),
    };
    if url.scheme() != "https" {
        return Some(format!("{} instead of https", url.scheme()));
    }
    match url.host() {
        Some(url::Host::Domain(d)) if d.contains('.') && !d.ends_with('.') => {}
        Some(url::Host::Domain(d)) => return Some(format!("{d:?} is not a public host name")),
        Some(_) => return Some("an IP address, not a public host name".into()),
        None => return Some("no host".into()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Some("carries credentials".into());
    }
    None
}

/// A token is the term's word, or (Arabic) the word behind a proclitic.
fn token_matches(lang: &Lang, token: &str, word: &str) -> bool {
    if token == word {
        return true;
    }
    if *lang != Lang::Ar {
        return false;
    }
    AR_PREFIXES
        .iter()
        .any(|p| token.strip_prefix(p) == Some(word))
        || word.strip_prefix("ال").is_some_and(|bare| {
            AR_LAM_ARTICLE
                .iter()
                .any(|p| token.strip_prefix(p) == Some(bare))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_lexicon_is_complete_and_documented() {
        let l = Lexicon::bundled();
        assert!(l.entries.len() >= 30, "{}", l.entries.len());
        for e in &l.entries {
            assert!(e.source.starts_with("https://"), "{e:?}");
        }
        for code in ["ar", "fa", "en"] {
            assert!(
                l.entries.iter().filter(|e| e.lang == code).count() >= 8,
                "{code}"
            );
        }
    }

    #[test]
    fn every_bundled_entry_has_a_gloss_and_a_well_formed_https_source() {
        let l = Lexicon::bundled();
        for e in &l.entries {
            let first = e.terms.first();
            assert!(
                e.gloss.trim().chars().count() >= 10,
                "{first:?}: gloss {:?}",
                e.gloss
            );
            assert!(!e.category.trim().is_empty(), "{first:?}: no category");
            assert_eq!(source_problem(&e.source), None, "{first:?}: {}", e.source);
        }
        // every entry's link is listed once, with the entries citing it
        let links = l.sources();
        let cited: usize = links.iter().map(|(_, t)| t.len()).sum();
        assert_eq!(cited, l.entries.len());
        let mut urls: Vec<&str> = links.iter().map(|(u, _)| u.as_str()).collect();
        urls.sort_unstable();
        urls.dedup();
        assert_eq!(urls.len(), links.len());
    }

    #[test]
    fn malformed_sources_are_named() {
        for (bad, why) in [
            ("http://en.wikipedia.org/wiki/Shahid", "https"),
            ("en.wikipedia.org/wiki/Shahid", "not a URL"),
            ("https://en.wikipedia.org/wiki/Axis of Resistance", "spaces"),
            ("https://localhost/x", "public host"),
            ("https://192.0.2.1/x", "IP address"),
            ("https://user:pw@example.org/", "credentials"),
            ("Monroe et al. 2008, p. 12", "spaces"),
        ] {
            let p = source_problem(bad).unwrap_or_default();
            assert!(p.contains(why), "{bad}: {p:?}");
        }
        assert_eq!(
            source_problem(
                "https://en.wikipedia.org/wiki/People%27s_Mojahedin_Organization_of_Iran"
            ),
            None
        );
    }

    #[test]
    fn terms_are_found_in_folded_text_with_arabic_clitics() {
        let l = Lexicon::bundled();
        let fa = normalize::fold_tokens(
            "سخنگوی وزارت خارجه حملات رژیم صهیونيستي را محکوم کرد و گفت دو نفر به شهادت رسیدند",
        );
        let hits: Vec<&str> = l.find(&Lang::Fa, &fa).into_iter().map(|h| h.1).collect();
        assert!(hits.contains(&"رژیم صهیونیستی"), "{hits:?}");
        assert!(hits.contains(&"به شهادت رسیدند"), "{hits:?}");
        let ar = normalize::fold_tokens("وأعلنت المقاومة أن قوات الاحتلال قصفت المدينة واستشهد ثلاثة");
        let hits: Vec<&str> = l.find(&Lang::Ar, &ar).into_iter().map(|h| h.1).collect();
        assert!(hits.contains(&"قوات الاحتلال"), "{hits:?}");
        assert!(hits.contains(&"المقاومة"), "{hits:?}");
        assert!(hits.contains(&"استشهد"), "{hits:?}");
        // "the occupation forces" is one hit, not also "the occupation"
        assert!(!hits.contains(&"الاحتلال"), "{hits:?}");
        let en =
            normalize::fold_tokens("The regime said terrorists attacked; Terror grips the city");
        assert_eq!(l.find(&Lang::En, &en).len(), 3);
        assert!(l.find(&Lang::Fa, &en).is_empty());
    }

    #[test]
    fn a_broken_user_file_is_reported_and_the_bundled_one_used() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(FILE_NAME);
        let (l, err) = Lexicon::load_or_init(&p);
        assert!(err.is_none() && !l.entries.is_empty());
        assert!(p.exists(), "the default is written for the user to edit");
        std::fs::write(&p, "[[entry]]\nlang = \"xx1\"\nterms = []\n").unwrap();
        let (l, err) = Lexicon::load_or_init(&p);
        assert!(err.unwrap().contains(FILE_NAME));
        assert!(!l.entries.is_empty());
        std::fs::write(&p, "[[entry]]\nlang = \"fa\"\nterms = [\"شهید\"]\ngloss = \"martyr\"\ncategory = \"x\"\nsource = \"https://example.org\"\n").unwrap();
        let (l, err) = Lexicon::load_or_init(&p);
        assert!(err.is_none());
        assert_eq!(l.entries.len(), 1);
    }
}
