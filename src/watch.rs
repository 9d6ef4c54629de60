//! Watches: what an analyst wants to be told about, and matching them against items and stories.
//!
//! A term matches an item when its folded words appear in order in the item's folded words (the
//! normalisation stage's folding: Arabic and Persian letter variants agree), or, across scripts,
//! when the consonant skeletons of its words appear in order among the item's name skeletons
//! (Soleimani ↔ سليماني ↔ سلیمانی). A user alias list adds spellings neither can bridge.
//! Everything an item is matched on is prepared once ([`ItemText`]), then each watch is a few
//! slice comparisons, so a hundred watches cost well under a millisecond per item.

mod quiet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::cluster::text::{name_keys, tokens};
use crate::model::{Lang, Ownership};

pub use quiet::QuietHours;

/// What a watch looks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WatchRule {
    /// Any of these terms or names, in any script.
    Terms { terms: Vec<String> },
    /// An item from any of these outlets (source ids).
    Outlets { sources: Vec<String> },
    /// An item from any outlet of this kind (for example state media).
    Ownership { ownership: Ownership },
    /// An item in this language.
    Language { lang: Lang },
    /// A story reaches this many languages.
    StoryLanguages { at_least: u32 },
    /// A story is first reported by this outlet.
    StoryFirstReportedBy { source: String },
    /// A story gains this many outlets within this many minutes.
    StoryOutletsWithin { outlets: u32, minutes: u32 },
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WatchError {
    #[error("watch: {0}")]
    Invalid(String),
}

impl WatchRule {
    /// Refuse rules that would match everything or nothing, with a message a user can act on.
    pub fn validate(&self) -> Result<(), WatchError> {
        let bad = |m: &str| Err(WatchError::Invalid(m.to_string()));
        match self {
            WatchRule::Terms { terms } => {
                if terms.is_empty() {
                    return bad("give at least one term or name to watch");
                }
                for t in terms {
                    validate_term(t)?;
                }
                Ok(())
            }
            WatchRule::Outlets { sources } if sources.iter().all(|s| s.trim().is_empty()) => {
                bad("give at least one outlet id")
            }
            WatchRule::Language { lang: Lang::Und } => bad("choose a language"),
            WatchRule::StoryLanguages { at_least } if *at_least < 2 => {
                bad("a story reaches at least 2 languages to be cross-lingual")
            }
            WatchRule::StoryFirstReportedBy { source } if source.trim().is_empty() => {
                bad("give the outlet id that reports first")
            }
            WatchRule::StoryOutletsWithin { outlets, minutes } => {
                if *outlets < 2 {
                    bad("a story gains at least 2 outlets to be worth an alert")
                } else if *minutes == 0 || *minutes > 7 * 24 * 60 {
                    bad("the time span is between 1 minute and 7 days")
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// Rules judged on a whole story rather than on one item.
    pub fn is_story_rule(&self) -> bool {
        matches!(
            self,
            WatchRule::StoryLanguages { .. }
                | WatchRule::StoryFirstReportedBy { .. }
                | WatchRule::StoryOutletsWithin { .. }
        )
    }

    /// A short human description ("Soleimani", "first reported by irna", ...).
    pub fn describe(&self) -> String {
        match self {
            WatchRule::Terms { terms } => terms.join(" | "),
            WatchRule::Outlets { sources } => format!("outlets: {}", sources.join(", ")),
            WatchRule::Ownership { ownership } => {
                format!("{} outlets", ownership_label(*ownership))
            }
            WatchRule::Language { lang } => format!("language: {}", lang.code()),
            WatchRule::StoryLanguages { at_least } => {
                format!("a story reaches {at_least} languages")
            }
            WatchRule::StoryFirstReportedBy { source } => {
                format!("a story first reported by {source}")
            }
            WatchRule::StoryOutletsWithin { outlets, minutes } => {
                format!("a story gains {outlets} outlets within {minutes} min")
            }
        }
    }
}

fn ownership_label(o: Ownership) -> &'static str {
    match o {
        Ownership::State => "state",
        Ownership::PublicBroadcaster => "public broadcaster",
        Ownership::Private => "private",
        Ownership::PartyAffiliated => "party-affiliated",
        Ownership::ForeignGovernmentFunded => "foreign-government-funded",
        Ownership::Unknown => "unknown-ownership",
    }
}

/// A term must carry at least two letters or digits once folded: a one-letter term would match
/// nearly every item.
pub fn validate_term(term: &str) -> Result<(), WatchError> {
    let folded = crate::normalize::fold(term);
    let significant = folded.chars().filter(|c| c.is_alphanumeric()).count();
    if term.trim().is_empty() {
        return Err(WatchError::Invalid("a watch term cannot be empty".into()));
    }
    if significant < 2 {
        return Err(WatchError::Invalid(format!(
            "the term {term:?} is too short: use at least two letters"
        )));
    }
    Ok(())
}

/// A watch as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Watch {
    pub id: i64,
    pub name: String,
    pub rule: WatchRule,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    /// Who added it, on a team archive (watches there are the team's, shared by everyone);
    /// `None` on a local archive, which has one user.
    #[serde(default)]
    pub created_by: Option<String>,
}

/// Script of a name skeleton: cross-script matches only, since within one script the folded
/// words already decide (and skeletons would only add false hits such as Tramp for Trump).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Arabic,
}

/// One spelling of a term, ready to compare.
#[derive(Debug, Clone)]
struct Variant {
    /// The spelling as the user typed it (reported as what matched).
    shown: String,
    words: Vec<String>,
    /// Per word that has a skeleton, the skeletons it may take, when all words are of one script
    /// (else no cross-script matching).
    skeletons: Option<(Script, Vec<Vec<String>>)>,
}

/// A term with every spelling it stands for (itself plus its aliases).
#[derive(Debug, Clone)]
pub struct CompiledTerm {
    pub term: String,
    variants: Vec<Variant>,
}

impl CompiledTerm {
    /// Compile `term` with the alias groups (each a list of spellings of one name): every group
    /// holding a spelling that folds like the term adds all its spellings.
    pub fn new(term: &str, aliases: &[Vec<String>]) -> CompiledTerm {
        let key = words(term);
        let mut spellings: Vec<String> = vec![term.trim().to_string()];
        for group in aliases {
            if group.iter().any(|s| words(s) == key) {
                for s in group {
                    if !spellings.iter().any(|x| words(x) == words(s)) {
                        spellings.push(s.trim().to_string());
                    }
                }
            }
        }
        CompiledTerm {
            term: term.trim().to_string(),
            variants: spellings.iter().map(|s| variant(s)).collect(),
        }
    }

    /// The spelling that matched, if any.
    pub fn find(&self, item: &ItemText) -> Option<&str> {
        self.variants.iter().find_map(|v| {
            let hit = contains_seq(&item.words, &v.words)
                || v.skeletons.as_ref().is_some_and(|(script, keys)| {
                    let other = match script {
                        Script::Latin => &item.arabic_keys,
                        Script::Arabic => &item.latin_keys,
                    };
                    contains_seq_opt(other, keys)
                });
            hit.then_some(v.shown.as_str())
        })
    }
}

fn variant(spelling: &str) -> Variant {
    let folded = words(spelling);
    // Words too short for a skeleton ("Rishi" in "Rishi Sunak") are left out of the
    // cross-script match: the rest, in order, still has to appear.
    let mut keys: Vec<Vec<String>> = Vec::new();
    let mut scripts = Vec::new();
    for w in spelling.split(|c: char| !c.is_alphanumeric()) {
        // A typed name may be lowercase: skeletons read Latin words only when capitalised.
        let (latin, arabic) = name_keys(&capitalise(w));
        if let Some(k) = latin.into_iter().next() {
            scripts.push(Script::Latin);
            let mut alts = vec![k.clone()];
            // Persian writes an initial v with و, which skeletons drop: Vladimir = ولادیمیر.
            if w.starts_with(['v', 'V']) && k.len() > 3 && k.starts_with('F') {
                alts.push(k[1..].to_string());
            }
            keys.push(alts);
        } else if let Some(k) = arabic.into_iter().next() {
            scripts.push(Script::Arabic);
            keys.push(vec![k]);
        }
    }
    scripts.dedup();
    let skeletons = match scripts.as_slice() {
        [one] => Some((*one, keys)),
        _ => None,
    };
    Variant {
        shown: spelling.to_string(),
        words: folded,
        skeletons,
    }
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) if f.is_ascii_lowercase() => {
            let rest: String = c.as_str().to_ascii_lowercase();
            format!("{}{rest}", f.to_ascii_uppercase())
        }
        Some(f) if f.is_ascii_uppercase() && w.chars().all(|c| c.is_ascii_uppercase()) => {
            // "SOLEIMANI" typed in capitals is a name too.
            format!("{f}{}", c.as_str().to_ascii_lowercase())
        }
        _ => w.to_string(),
    }
}

/// Folded words, with the Persian letters Arabic lacks written as Arabic writes them in names
/// (پوتین = بوتين, چ → ج, ژ → ز, گ → ك, ڤ → ف): a name's Arabic and Persian spellings agree.
fn words(text: &str) -> Vec<String> {
    tokens(text)
        .into_iter()
        .map(|t| {
            t.chars()
                .map(|c| match c {
                    'پ' => 'ب',
                    'چ' => 'ج',
                    'ژ' => 'ز',
                    'گ' => 'ك',
                    'ڤ' => 'ف',
                    c => c,
                })
                .collect()
        })
        .collect()
}

fn contains_seq(hay: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

fn contains_seq_opt(hay: &[Option<String>], needle: &[Vec<String>]) -> bool {
    !needle.is_empty()
        && hay.windows(needle.len()).any(|w| {
            w.iter()
                .zip(needle)
                .all(|(a, alts)| a.as_ref().is_some_and(|a| alts.contains(a)))
        })
}

/// An item's text prepared once for all watches.
#[derive(Debug, Clone, Default)]
pub struct ItemText {
    words: Vec<String>,
    /// Per word, in order: its skeleton when it is a (capitalised) Latin name, else `None`.
    latin_keys: Vec<Option<String>>,
    /// Per Arabic-script word, in order: its skeleton.
    arabic_keys: Vec<Option<String>>,
}

impl ItemText {
    pub fn new(title: &str, text: &str) -> ItemText {
        let mut latin_keys = Vec::new();
        let mut arabic_keys = Vec::new();
        for part in [title, text] {
            for w in part.split(|c: char| !c.is_alphanumeric()) {
                if w.is_empty() {
                    continue;
                }
                let (latin, arabic) = name_keys(w);
                latin_keys.push(latin.into_iter().next());
                arabic_keys.push(arabic.into_iter().next());
            }
            // A break between title and text so no name spans the two.
            latin_keys.push(None);
            arabic_keys.push(None);
        }
        let mut folded = words(title);
        folded.push(String::new());
        folded.extend(words(text));
        ItemText {
            words: folded,
            latin_keys,
            arabic_keys,
        }
    }
}

/// What an item-level rule is judged on.
pub struct ItemFacts<'a> {
    pub text: &'a ItemText,
    pub lang: &'a Lang,
    pub source_id: &'a str,
    pub ownership: Option<Ownership>,
}

/// What a story rule is judged on: the story's items, oldest first, as (outlet, time, language).
pub struct StoryFacts<'a> {
    pub items: &'a [(String, DateTime<Utc>, Lang)],
}

/// A watch ready to run: terms compiled with their aliases.
#[derive(Debug, Clone)]
pub struct CompiledWatch {
    pub watch: Watch,
    terms: Vec<CompiledTerm>,
}

impl CompiledWatch {
    pub fn new(watch: Watch, aliases: &[Vec<String>]) -> CompiledWatch {
        let terms = match &watch.rule {
            WatchRule::Terms { terms } => terms
                .iter()
                .map(|t| CompiledTerm::new(t, aliases))
                .collect(),
            _ => Vec::new(),
        };
        CompiledWatch { watch, terms }
    }

    /// Why an item matches this watch (`None`: it does not, or this is a story rule).
    pub fn match_item(&self, f: &ItemFacts<'_>) -> Option<String> {
        match &self.watch.rule {
            WatchRule::Terms { .. } => self.terms.iter().find_map(|t| {
                t.find(f.text).map(|hit| {
                    if hit == t.term {
                        t.term.clone()
                    } else {
                        format!("{} ({hit})", t.term)
                    }
                })
            }),
            WatchRule::Outlets { sources } => sources
                .iter()
                .any(|s| s == f.source_id)
                .then(|| format!("outlet {}", f.source_id)),
            WatchRule::Ownership { ownership } => (f.ownership == Some(*ownership))
                .then(|| format!("{} outlet {}", ownership_label(*ownership), f.source_id)),
            WatchRule::Language { lang } => (f.lang == lang).then(|| format!("in {}", lang.code())),
            _ => None,
        }
    }

    /// Why a story matches this story rule (`None`: it does not, or this is an item rule).
    pub fn match_story(&self, f: &StoryFacts<'_>) -> Option<String> {
        match &self.watch.rule {
            WatchRule::StoryLanguages { at_least } => {
                let mut langs: Vec<&Lang> = f
                    .items
                    .iter()
                    .map(|(_, _, l)| l)
                    .filter(|l| **l != Lang::Und)
                    .collect();
                langs.sort_by_key(|l| l.code());
                langs.dedup();
                (langs.len() as u32 >= *at_least).then(|| {
                    let codes: Vec<&str> = langs.iter().map(|l| l.code()).collect();
                    format!("{} languages ({})", langs.len(), codes.join(", "))
                })
            }
            WatchRule::StoryFirstReportedBy { source } => f
                .items
                .first()
                .filter(|(s, _, _)| s == source)
                .map(|_| format!("first reported by {source}")),
            WatchRule::StoryOutletsWithin { outlets, minutes } => {
                let span = chrono::Duration::minutes(*minutes as i64);
                // Slide a window over the items in time order; count distinct outlets in it.
                let items = f.items;
                let mut lo = 0;
                for hi in 0..items.len() {
                    while items[hi].1 - items[lo].1 > span {
                        lo += 1;
                    }
                    let mut seen: Vec<&str> =
                        items[lo..=hi].iter().map(|(s, _, _)| s.as_str()).collect();
                    seen.sort_unstable();
                    seen.dedup();
                    if seen.len() as u32 >= *outlets {
                        return Some(format!("{} outlets within {minutes} min", seen.len()));
                    }
                }
                None
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
