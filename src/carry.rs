//! Carry tracing: which items of a story reuse the sentences of earlier items, verbatim, edited
//! or translated, and how much later.
//!
//! Each item is split into sentences ([`sentence`]); agency datelines and boilerplate an outlet
//! repeats across many items ([`Boilerplate`]) are set aside, and so are sentences of fewer than
//! [`MIN_TOKENS`] words, so an empty item, a one-word title or "Follow us on Telegram" never makes
//! an edge. Two sentences in one language match by word shingles over folded text
//! ([`reuse`]); two in different languages match when their sentence embeddings are at least
//! [`TRANSLATION_FLOOR`] apart in cosine and their numbers agree. For every sentence of an item
//! the earliest earlier item of another outlet that has it is its origin; the edges gather those
//! per (origin, carrier) pair.

pub mod boilerplate;
pub mod reuse;
pub mod sentence;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use boilerplate::Boilerplate;
use sentence::Folded;

use crate::model::Lang;

/// Words a sentence needs to take part in matching (after its dateline is removed).
pub const MIN_TOKENS: usize = 4;
/// Cosine of e5 sentence embeddings from which "B translates A" is claimed (with the other
/// checks of [`Prepared::translation_pairs`]): the lowest floor of the NTREX curve where the
/// rule's precision is ≥ 0.99 for ar↔en, fa↔en and ar↔fa (`parallax eval carry`, README).
pub const TRANSLATION_FLOOR: f32 = 0.88;
/// Cosine from which a sentence counts as present in another language's coverage (for "only
/// in <language>"): a recall-oriented floor, lower than the translation floor.
pub const RELATED_FLOOR: f32 = 0.85;

/// One item as carry tracing sees it.
#[derive(Debug, Clone)]
pub struct Doc {
    pub id: i64,
    pub outlet: String,
    pub lang: Lang,
    pub published: DateTime<Utc>,
    /// Display sentences (title first), as [`sentences_of`] makes them.
    pub sentences: Vec<String>,
}

/// Title and body split into sentences, a body sentence repeating the title (or another
/// sentence) dropped.
pub fn sentences_of(title: &str, body: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    sentence::split(title)
        .into_iter()
        .chain(sentence::split(body))
        .filter(|s| seen.insert(sentence::fold_key(s)))
        .collect()
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum CarryKind {
    /// Same language, (nearly) the same words.
    Verbatim,
    /// Same language, a lightly edited reprint.
    Edited,
    /// Another language: a translation.
    Translated,
}

/// One carried sentence: indices into the origin's and the carrier's sentence lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SentencePair {
    pub origin: u32,
    pub carrier: u32,
    /// Shingle containment (same language) or embedding cosine (translation).
    pub score: f32,
    pub kind: CarryKind,
}

/// "carrier reuses `carried` of the `origin_sentences` sentences of origin, `lag_secs` later".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct CarryEdge {
    pub origin_item: i64,
    pub carrier_item: i64,
    pub kind: CarryKind,
    /// Distinct origin sentences the carrier reuses.
    pub carried: u32,
    /// Sentences of the origin that could be carried (boilerplate and short ones excluded).
    pub origin_sentences: u32,
    /// Sentences of the carrier that could carry (same rule).
    pub carrier_sentences: u32,
    pub lag_secs: i64,
    pub pairs: Vec<SentencePair>,
}

/// Which thresholds a trace used.
#[derive(Debug, Clone, Copy)]
pub struct CarryConfig {
    pub translation_floor: f32,
    pub related_floor: f32,
    /// Shingle containment from which two same-language sentences are one passage.
    pub reuse_min: f32,
    /// Containment from which a reused sentence counts as verbatim.
    pub verbatim_min: f32,
}

impl Default for CarryConfig {
    fn default() -> Self {
        CarryConfig {
            translation_floor: TRANSLATION_FLOOR,
            related_floor: RELATED_FLOOR,
            reuse_min: 0.6,
            verbatim_min: 0.9,
        }
    }
}

/// Shortest over longest word count from which two sentences can translate each other: a
/// headline is similar in meaning to the long sentence it sums up, but it does not translate it.
pub const LENGTH_RATIO_MIN: f32 = 0.5;

/// "B translates A" as far as one pair can tell: the similarity is above the floor, the numbers
/// do not disagree (when both sentences have numbers, they share one; a number written out in
/// words has none) and the lengths are comparable.
pub fn translation_match(cosine: f32, a: &Folded, b: &Folded, floor: f32) -> bool {
    cosine >= floor && numbers_agree(&a.numbers, &b.numbers) && lengths_agree(a, b)
}

pub fn lengths_agree(a: &Folded, b: &Folded) -> bool {
    let (x, y) = (a.tokens.len() as f32, b.tokens.len() as f32);
    x.min(y) >= LENGTH_RATIO_MIN * x.max(y)
}

pub fn numbers_agree(a: &BTreeSet<String>, b: &BTreeSet<String>) -> bool {
    a.is_empty() || b.is_empty() || a.intersection(b).next().is_some()
}

/// A sentence ready for matching.
#[derive(Debug, Clone)]
pub struct Sent {
    pub doc: usize,
    pub idx: usize,
    pub folded: Folded,
    /// Repeated by its outlet across many items.
    pub boilerplate: bool,
    /// Long enough and not boilerplate.
    pub eligible: bool,
    pub vector: Option<Vec<f32>>,
}

/// A cross-language sentence pair (indices into the prepared sentences) and its cosine.
type SimilarPair = (usize, usize, f32);

/// A story's items, split and folded, with embeddings once [`Prepared::set_vectors`] ran.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub docs: Vec<Doc>,
    pub sents: Vec<Sent>,
    /// Whether cross-language matching had embeddings.
    pub has_vectors: bool,
    /// Cross-language pairs above a floor, and that floor ([`Prepared::similar`]).
    similar: std::sync::OnceLock<(f32, Vec<SimilarPair>)>,
}

impl Prepared {
    pub fn new(mut docs: Vec<Doc>, boilerplate: &Boilerplate) -> Prepared {
        docs.sort_by(|a, b| a.published.cmp(&b.published).then(a.id.cmp(&b.id)));
        let mut sents = Vec::new();
        for (d, doc) in docs.iter().enumerate() {
            for (i, s) in doc.sentences.iter().enumerate() {
                let folded = Folded::of(s);
                let is_boilerplate = boilerplate.is_boilerplate(&doc.outlet, &folded.key());
                let eligible = folded.tokens.len() >= MIN_TOKENS && !is_boilerplate;
                sents.push(Sent {
                    doc: d,
                    idx: i,
                    folded,
                    boilerplate: is_boilerplate,
                    eligible,
                    vector: None,
                });
            }
        }
        Prepared {
            docs,
            sents,
            has_vectors: false,
            similar: std::sync::OnceLock::new(),
        }
    }

    /// The sentences of doc `d` (they are stored doc by doc, in order).
    pub fn sents_of(&self, d: usize) -> &[Sent] {
        let lo = self.sents.partition_point(|s| s.doc < d);
        let hi = self.sents.partition_point(|s| s.doc <= d);
        &self.sents[lo..hi]
    }

    fn languages(&self) -> BTreeSet<&Lang> {
        self.docs.iter().map(|d| &d.lang).collect()
    }

    /// Indices into `sents` of the sentences that need an embedding: eligible ones, when the
    /// story has more than one language.
    pub fn needing_vectors(&self) -> Vec<usize> {
        if self.languages().len() < 2 {
            return Vec::new();
        }
        (0..self.sents.len())
            .filter(|&i| self.sents[i].eligible)
            .collect()
    }

    /// The text embedded for sentence `i`: the display sentence without its dateline.
    pub fn embedding_text(&self, i: usize) -> &str {
        let s = &self.sents[i];
        sentence::strip_dateline(&self.docs[s.doc].sentences[s.idx])
    }

    /// Attach embeddings, aligned with [`Prepared::needing_vectors`].
    pub fn set_vectors(&mut self, which: &[usize], vectors: Vec<Vec<f32>>) {
        for (&i, v) in which.iter().zip(vectors) {
            self.sents[i].vector = Some(v);
        }
        self.has_vectors = true;
        self.similar = std::sync::OnceLock::new();
    }

    /// Trace the carry edges.
    pub fn trace(&self, cfg: &CarryConfig) -> Vec<CarryEdge> {
        // carrier sentence → candidate (origin sentence, score, kind)
        let mut matches: HashMap<usize, Vec<(usize, f32, CarryKind)>> = HashMap::new();
        for (a, b, score) in reuse::same_language_pairs(self, cfg.reuse_min) {
            let kind = if score >= cfg.verbatim_min {
                CarryKind::Verbatim
            } else {
                CarryKind::Edited
            };
            self.record(&mut matches, a, b, score, kind);
        }
        if self.has_vectors {
            // one pass over the cross-language pairs serves this and the framing lens
            self.similar(cfg.translation_floor.min(cfg.related_floor));
            for (a, b, score) in self.translation_pairs(cfg.translation_floor) {
                self.record(&mut matches, a, b, score, CarryKind::Translated);
            }
        }
        // The earliest plausible origin of each carrier sentence (docs are in time order).
        let mut edges: BTreeMap<(usize, usize), Vec<SentencePair>> = BTreeMap::new();
        for (carrier, cands) in matches {
            let Some(origin_doc) = cands.iter().map(|c| self.sents[c.0].doc).min() else {
                continue;
            };
            let Some(best) = cands
                .iter()
                .filter(|c| self.sents[c.0].doc == origin_doc)
                .max_by(|x, y| x.1.total_cmp(&y.1))
            else {
                continue;
            };
            edges
                .entry((origin_doc, self.sents[carrier].doc))
                .or_default()
                .push(SentencePair {
                    origin: self.sents[best.0].idx as u32,
                    carrier: self.sents[carrier].idx as u32,
                    score: best.1,
                    kind: best.2,
                });
        }
        let eligible = |d: usize| self.sents_of(d).iter().filter(|s| s.eligible).count() as u32;
        edges
            .into_iter()
            .map(|((o, c), mut pairs)| {
                pairs.sort_by_key(|p| (p.carrier, p.origin));
                let kind = if pairs.iter().any(|p| p.kind == CarryKind::Translated) {
                    CarryKind::Translated
                } else if pairs.iter().all(|p| p.kind == CarryKind::Verbatim) {
                    CarryKind::Verbatim
                } else {
                    CarryKind::Edited
                };
                let carried = pairs
                    .iter()
                    .map(|p| p.origin)
                    .collect::<BTreeSet<_>>()
                    .len() as u32;
                CarryEdge {
                    origin_item: self.docs[o].id,
                    carrier_item: self.docs[c].id,
                    kind,
                    carried,
                    origin_sentences: eligible(o),
                    carrier_sentences: eligible(c),
                    lag_secs: (self.docs[c].published - self.docs[o].published).num_seconds(),
                    pairs,
                }
            })
            .collect()
    }

    /// Keep a match when `a` and `b` are of different outlets; the earlier one is the origin.
    fn record(
        &self,
        m: &mut HashMap<usize, Vec<(usize, f32, CarryKind)>>,
        a: usize,
        b: usize,
        score: f32,
        kind: CarryKind,
    ) {
        let (da, db) = (self.sents[a].doc, self.sents[b].doc);
        if da == db || self.docs[da].outlet == self.docs[db].outlet {
            return;
        }
        // docs are sorted by (published, id): a lower index is the earlier item
        let (origin, carrier) = if da < db { (a, b) } else { (b, a) };
        m.entry(carrier).or_default().push((origin, score, kind));
    }

    /// Cross-language pairs (a, b) at or above `floor` with agreeing numbers, each sentence
    /// paired with its best match in each other item only.
    pub fn translation_pairs(&self, floor: f32) -> Vec<(usize, usize, f32)> {
        // best[(sentence, other doc)] = (other sentence, cosine)
        let mut best: HashMap<(usize, usize), (usize, f32)> = HashMap::new();
        // in (a, b) order, as a scan of all pairs meets them: ties keep the first match
        for &(a, b, c) in self.similar(floor).iter() {
            if c < floor {
                continue;
            }
            let (sa, sb) = (&self.sents[a], &self.sents[b]);
            if self.docs[sb.doc].outlet == self.docs[sa.doc].outlet
                || !translation_match(c, &sa.folded, &sb.folded, floor)
            {
                continue;
            }
            for (x, y) in [(a, b), (b, a)] {
                let e = best.entry((x, self.sents[y].doc)).or_insert((y, c));
                if c > e.1 {
                    *e = (y, c);
                }
            }
        }
        // mutual best: a's best in b's item is b, and b's best in a's item is a
        let mut out = Vec::new();
        for (&(a, _), &(b, c)) in &best {
            if a < b
                && best
                    .get(&(b, self.sents[a].doc))
                    .is_some_and(|&(x, _)| x == a)
            {
                out.push((a, b, c));
            }
        }
        out.sort_by_key(|&(a, b, _)| (a, b));
        out
    }

    /// Pairs (a, b), a < b in (a, b) order, of eligible sentences with embeddings in different
    /// languages whose cosine is at least `floor` (possibly more pairs, from a lower floor: the
    /// caller filters). Computed once per story at the lowest floor asked first, so carry
    /// tracing and the framing lens share one pass over the pairs.
    pub fn similar(&self, floor: f32) -> std::borrow::Cow<'_, [(usize, usize, f32)]> {
        let cached = self
            .similar
            .get_or_init(|| (floor, self.similar_pairs(floor)));
        if cached.0 <= floor {
            std::borrow::Cow::Borrowed(&cached.1)
        } else {
            std::borrow::Cow::Owned(self.similar_pairs(floor))
        }
    }

    /// The pass behind [`Prepared::similar`]: the vectors of each language in one contiguous
    /// matrix, each sentence against the later sentences of the other languages.
    fn similar_pairs(&self, floor: f32) -> Vec<(usize, usize, f32)> {
        let dim = self
            .sents
            .iter()
            .filter_map(|s| s.vector.as_ref().map(Vec::len))
            .max()
            .unwrap_or(0);
        // per language: sentence indices (ascending) and their vectors, row by row
        let mut by_lang: BTreeMap<&Lang, (Vec<usize>, Vec<f32>)> = BTreeMap::new();
        for (i, s) in self.sents.iter().enumerate() {
            let Some(v) = s.vector.as_deref() else {
                continue;
            };
            if !s.eligible || v.len() != dim {
                continue;
            }
            let e = by_lang.entry(&self.docs[s.doc].lang).or_default();
            e.0.push(i);
            e.1.extend_from_slice(v);
        }
        let groups: Vec<&(Vec<usize>, Vec<f32>)> = by_lang.values().collect();
        let mut out = Vec::new();
        for (g, (ids, rows)) in groups.iter().enumerate() {
            for (other_ids, other_rows) in groups[g + 1..].iter().map(|x| (&x.0, &x.1)) {
                for (n, &a) in ids.iter().enumerate() {
                    let va = &rows[n * dim..(n + 1) * dim];
                    for (m, &b) in other_ids.iter().enumerate() {
                        let vb = &other_rows[m * dim..(m + 1) * dim];
                        // the fast sum finds the candidates; the kept score is the one
                        // embed::cosine gives, so results do not move with the rounding
                        if dot(va, vb) < floor - SUM_MARGIN {
                            continue;
                        }
                        let c = crate::embed::cosine(va, vb);
                        if c >= floor {
                            out.push(if a < b { (a, b, c) } else { (b, a, c) });
                        }
                    }
                }
            }
        }
        out.sort_by_key(|&(a, b, _)| (a, b));
        out
    }
}

/// Largest rounding difference between [`dot`] and [`crate::embed::cosine`] allowed for: a
/// sum of 384 products of unit vectors differs by ≲ 384 · 2⁻²⁴ ≈ 2.3e-5 between orders.
const SUM_MARGIN: f32 = 1e-3;

/// Dot product (the cosine of two unit vectors) in eight independent lanes, which the compiler
/// turns into SIMD; a single running sum cannot be reordered and stays scalar. Its rounding differs
/// from [`crate::embed::cosine`]'s, hence [`SUM_MARGIN`].
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    const L: usize = 8;
    let mut acc = [0.0f32; L];
    let (ca, cb) = (a.chunks_exact(L), b.chunks_exact(L));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        // indexed on purpose: a fixed-length lane loop is what the vectoriser turns into SIMD
        #[allow(clippy::needless_range_loop)]
        for i in 0..L {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// Outlet-facing sentence of a story for the UI: the item's sentence list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ItemSentences {
    pub item_id: i64,
    pub sentences: Vec<String>,
}

impl Prepared {
    pub fn item_sentences(&self) -> Vec<ItemSentences> {
        self.docs
            .iter()
            .map(|d| ItemSentences {
                item_id: d.id,
                sentences: d.sentences.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
