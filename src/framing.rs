//! The framing lens: what each outlet chose to say about a story.
//!
//! - Distinctive words and two-word phrases of each outlet against the rest of its language's
//!   coverage of the story: weighted log-odds with an informative Dirichlet prior
//!   ([`logodds`], Monroe, Colaresi & Quinn 2008), not raw counts.
//! - Loaded terms from the curated [`lexicon`] ("martyr" / "killed", "the Zionist entity" /
//!   "Israel"), per outlet, with gloss and source.
//! - "Only in <language>": sentences no other language's coverage contains (no sentence of
//!   another language within [`crate::carry::RELATED_FLOOR`] in embedding cosine).

pub mod lexicon;
pub mod logodds;

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::carry::{CarryConfig, Prepared};
use crate::model::Lang;
pub use lexicon::Lexicon;

/// Distinctive terms shown per outlet.
const TOP_TERMS: usize = 8;
/// z-score from which a term is distinctive (one-sided 5 %: only over-use is shown).
const MIN_Z: f64 = 1.645;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Term {
    pub term: String,
    pub z: f32,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct LoadedHit {
    /// The spelling found.
    pub term: String,
    pub gloss: String,
    pub category: String,
    pub neutral: Option<String>,
    pub source: String,
    pub count: u32,
    pub item_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct OutletFraming {
    pub outlet: String,
    pub lang: Lang,
    pub items: u32,
    /// Distinctive against the other outlets of the same language (empty when it is the only one).
    pub distinctive: Vec<Term>,
    pub loaded: Vec<LoadedHit>,
}

/// A sentence only one language's coverage has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct OnlyIn {
    pub lang: Lang,
    pub item_id: i64,
    /// Index into the item's sentences.
    pub sentence: u32,
    pub text: String,
    /// Other items of that language with the same sentence.
    pub also_in: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Framing {
    pub outlets: Vec<OutletFraming>,
    pub only_in: Vec<OnlyIn>,
    /// Whether "only in" could be computed (embeddings and more than one language).
    pub only_in_checked: bool,
}

/// The framing of a prepared story.
pub fn lens(p: &Prepared, lexicon: &Lexicon, cfg: &CarryConfig) -> Framing {
    // (outlet, lang) → item ids, unigram+bigram counts, loaded hits
    struct Acc {
        items: Vec<i64>,
        counts: HashMap<String, u32>,
        loaded: BTreeMap<(usize, String), (u32, Vec<i64>)>,
    }
    let mut acc: BTreeMap<(String, Lang), Acc> = BTreeMap::new();
    for (d, doc) in p.docs.iter().enumerate() {
        let a = acc
            .entry((doc.outlet.clone(), doc.lang.clone()))
            .or_insert_with(|| Acc {
                items: Vec::new(),
                counts: HashMap::new(),
                loaded: BTreeMap::new(),
            });
        a.items.push(doc.id);
        for s in p.sents_of(d).iter().filter(|s| !s.boilerplate) {
            let t = &s.folded.tokens;
            for w in t.iter().filter(|w| is_term(w)) {
                bump(&mut a.counts, w);
            }
            let mut bigram = String::new();
            for pair in t.windows(2).filter(|p| is_term(&p[0]) && is_term(&p[1])) {
                bigram.clear();
                bigram.push_str(&pair[0]);
                bigram.push(' ');
                bigram.push_str(&pair[1]);
                bump(&mut a.counts, &bigram);
            }
            for (entry, spelling) in lexicon.find(&doc.lang, t) {
                let e = a.loaded.entry((entry, spelling.to_string())).or_default();
                e.0 += 1;
                if !e.1.contains(&doc.id) {
                    e.1.push(doc.id);
                }
            }
        }
    }
    // per language: the totals, to form "the rest" of each outlet
    let mut lang_totals: HashMap<Lang, HashMap<String, u32>> = HashMap::new();
    for ((_, lang), a) in &acc {
        let t = lang_totals.entry(lang.clone()).or_default();
        for (w, c) in &a.counts {
            *t.entry(w.clone()).or_default() += c;
        }
    }
    let outlets = acc
        .iter()
        .map(|((outlet, lang), a)| {
            let empty = HashMap::new();
            let all = lang_totals.get(lang).unwrap_or(&empty);
            // The prior's strength: a quarter of the language's coverage of the story (at least
            // 10 pseudo-counts). Much stronger shrinks every word of a small story to nothing;
            // much weaker lets a word used twice by one outlet dominate.
            let total: f64 = all.values().map(|&c| c as f64).sum();
            let prior = (total / 4.0).max(10.0);
            let distinctive = logodds::distinctive_within(&a.counts, all, prior, MIN_Z, 2)
                .into_iter()
                .take(TOP_TERMS)
                .map(|s| Term {
                    term: s.term,
                    z: s.z as f32,
                    count: s.count,
                })
                .collect();
            let loaded = a
                .loaded
                .iter()
                .map(|((entry, spelling), (count, items))| {
                    let e = &lexicon.entries[*entry];
                    LoadedHit {
                        term: spelling.clone(),
                        gloss: e.gloss.clone(),
                        category: e.category.clone(),
                        neutral: e.neutral.clone(),
                        source: e.source.clone(),
                        count: *count,
                        item_ids: items.clone(),
                    }
                })
                .collect();
            OutletFraming {
                outlet: outlet.clone(),
                lang: lang.clone(),
                items: a.items.len() as u32,
                distinctive,
                loaded,
            }
        })
        .collect();
    let (only_in, only_in_checked) = only_in(p, cfg.related_floor);
    Framing {
        outlets,
        only_in,
        only_in_checked,
    }
}

/// Count `term` once more, allocating its key only the first time.
fn bump(counts: &mut HashMap<String, u32>, term: &str) {
    match counts.get_mut(term) {
        Some(c) => *c += 1,
        None => {
            counts.insert(term.to_string(), 1);
        }
    }
}

/// A word worth counting: not a bare number or a one-letter token.
fn is_term(w: &str) -> bool {
    w.chars().count() >= 2 && !w.chars().all(|c| c.is_ascii_digit())
}

fn only_in(p: &Prepared, floor: f32) -> (Vec<OnlyIn>, bool) {
    let langs: std::collections::BTreeSet<&Lang> = p.docs.iter().map(|d| &d.lang).collect();
    if !p.has_vectors || langs.len() < 2 {
        return (Vec::new(), false);
    }
    let with_vec: Vec<usize> = (0..p.sents.len())
        .filter(|&i| p.sents[i].eligible && p.sents[i].vector.is_some())
        .collect();
    // covered: within `floor` of a sentence of another language
    let mut covered = vec![false; p.sents.len()];
    for &(a, b, c) in p.similar(floor).iter() {
        if c >= floor {
            covered[a] = true;
            covered[b] = true;
        }
    }
    // one entry per distinct sentence of a language, at its first item
    let mut first: BTreeMap<(Lang, String), usize> = BTreeMap::new();
    let mut out: Vec<OnlyIn> = Vec::new();
    for &i in &with_vec {
        if covered[i] {
            continue;
        }
        let s = &p.sents[i];
        let doc = &p.docs[s.doc];
        match first.entry((doc.lang.clone(), s.folded.key())) {
            std::collections::btree_map::Entry::Occupied(o) => {
                let k = *o.get();
                if !out[k].also_in.contains(&doc.id) && out[k].item_id != doc.id {
                    out[k].also_in.push(doc.id);
                }
            }
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(out.len());
                out.push(OnlyIn {
                    lang: doc.lang.clone(),
                    item_id: doc.id,
                    sentence: s.idx as u32,
                    text: doc.sentences[s.idx].clone(),
                    also_in: Vec::new(),
                });
            }
        }
    }
    (out, true)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::carry::{Boilerplate, Doc};

    fn doc(id: i64, outlet: &str, lang: Lang, text: &str) -> Doc {
        Doc {
            id,
            outlet: outlet.into(),
            lang,
            published: Utc.with_ymd_and_hms(2024, 9, 28, 10, id as u32, 0).unwrap(),
            sentences: crate::carry::sentences_of("", text),
        }
    }

    #[test]
    fn outlets_differ_by_their_words_and_loaded_terms() {
        let docs = vec![
            doc(
                1,
                "almayadeen",
                Lang::Ar,
                "استشهد القائد في غارة للعدو الإسرائيلي على الضاحية. وقالت المقاومة إن الشهيد قاد المقاومة لسنوات. المقاومة تتوعد بالرد على الغارة. وأكدت المقاومة أن دماء القائد لن تذهب هدرا. وشيعت المقاومة القائد في الضاحية. ورفعت المقاومة رايات النصر.",
            ),
            doc(
                2,
                "alarabiya",
                Lang::Ar,
                "قتل القائد في غارة إسرائيلية على الضاحية الجنوبية لبيروت. وقال الجيش الإسرائيلي إن الغارة استهدفت القائد. الجيش الإسرائيلي يتحدث عن نجاح الغارة. وأضاف الجيش الإسرائيلي أن القائد كان مسؤولا عن هجمات. ونشر الجيش الإسرائيلي صورا للغارة. وقال الجيش الإسرائيلي إنه يواصل عملياته. وأعلن الجيش الإسرائيلي حالة التأهب.",
            ),
            doc(
                3,
                "reuters",
                Lang::En,
                "An Israeli strike killed the commander in Beirut's southern suburbs, the Israeli military said.",
            ),
        ];
        let p = Prepared::new(docs, &Boilerplate::default());
        let f = lens(&p, &Lexicon::bundled(), &CarryConfig::default());
        assert!(!f.only_in_checked, "no embeddings: only-in is not claimed");
        let mayadeen = f.outlets.iter().find(|o| o.outlet == "almayadeen").unwrap();
        let terms: Vec<&str> = mayadeen
            .distinctive
            .iter()
            .map(|t| t.term.as_str())
            .collect();
        assert!(terms.contains(&"المقاومه"), "{terms:?}");
        let loaded: Vec<&str> = mayadeen.loaded.iter().map(|h| h.term.as_str()).collect();
        assert!(
            loaded.contains(&"استشهد") && loaded.contains(&"العدو الإسرائيلي"),
            "{loaded:?}"
        );
        let arabiya = f.outlets.iter().find(|o| o.outlet == "alarabiya").unwrap();
        assert!(arabiya.loaded.is_empty(), "{:?}", arabiya.loaded);
        let terms: Vec<&str> = arabiya
            .distinctive
            .iter()
            .map(|t| t.term.as_str())
            .collect();
        assert!(terms.iter().any(|t| t.contains("الجيش")), "{terms:?}");
        // the only English outlet has nothing to be distinctive against
        let reuters = f.outlets.iter().find(|o| o.outlet == "reuters").unwrap();
        assert!(reuters.distinctive.is_empty());
    }
}
