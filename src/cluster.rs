//! Cluster stage: online, incremental grouping of items into cross-lingual stories.
//!
//! Each new item (in arrival order) is scored against the items of every live story; it joins
//! the best story when the pair score clears zero, else starts a new story. The pair score is a
//! linear combination of evidence (see [`PairWeights`]): the cosine of language-centred e5
//! embeddings, overlap of folded tokens and numbers, names matched across scripts by consonant
//! skeleton, and a time prior in hours. Every
//! assignment keeps its [`Explanation`] so the UI can say why an item joined.
//!
//! Scale: a 384-bit sign signature per item shortlists candidates by Hamming distance (plus
//! items sharing a rare token), then exact scoring runs on the shortlist only.

pub mod bench;
mod centre;
mod index;
pub mod text;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::model::Lang;

pub use centre::LangMeans;
pub use text::{clean_title, embedding_input};

/// Weights of the linear pair score; a pair "belongs together" when the score is above zero.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairWeights {
    /// Added when both items share a language (a negative threshold on the cosine).
    pub bias_same: f32,
    /// Added when the languages differ.
    pub bias_cross: f32,
    /// Weight of the centred embedding cosine.
    pub cos: f32,
    /// Weight of the IDF-weighted cosine over folded word tokens.
    pub tokens: f32,
    /// Weight of shared numbers (0, 0.5, 1 for none, one, two or more).
    pub numbers: f32,
    /// Weight of names matched across scripts (IDF-weighted overlap of consonant skeletons,
    /// see [`text::name_keys`]).
    pub names: f32,
    /// Bonus for items published close together: `time_near * max(0, 1 - hours/48)`.
    pub time_near: f32,
    /// Penalty for items far apart: `time_far * clamp((hours - 72)/96, 0, 1)`.
    pub time_far: f32,
    /// Penalty on the pair's hubness: the mean of both items' average cosine to their nearest
    /// earlier items. Items in a crowded region of the space (a corpus on one topic) need more.
    pub hub: f32,
    /// Bias used when an embedding is missing on either side (model not installed).
    pub bias_no_embedding: f32,
    /// Token weight used when an embedding is missing.
    pub tokens_no_embedding: f32,
}

/// Everything that decides grouping. `Default` holds the values tuned on the dev sets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupingConfig {
    /// Stories whose last item is older than this (relative to the new item) stop attracting items.
    pub window_hours: f64,
    pub weights: PairWeights,
    /// Story score = (1 - top_k_mix) * best link + top_k_mix * mean of the best three links.
    pub top_k_mix: f32,
    /// Share of the story centroid in the embedding evidence: the cosine used for a story is
    /// `(1 - centroid_mix) * cos(best item) + centroid_mix * cos(story centroid)`.
    pub centroid_mix: f32,
    /// Two stories merge when a new item scores above this against both.
    pub merge_threshold: f32,
    /// Subtract each language's running mean vector before comparing embeddings.
    pub centring: bool,
    /// Centre stored items with the current means at comparison time (else with the means as
    /// they were when the item arrived, which freezes the early means' errors into them).
    pub recentre: bool,
    /// Seed the running means with the shipped background means (else they start empty).
    pub background_means: bool,
    /// How many items the background mean counts as when blended with the running mean.
    pub background_weight: f32,
    /// Strip outlet names and "Live:"-style markers from headlines before scoring.
    pub clean_headlines: bool,
    /// How many nearest items (by signature) are scored exactly per new item.
    pub shortlist: usize,
}

impl Default for GroupingConfig {
    /// Tuned on the three dev sets by `parallax eval tune --learned --gap-only --from-defaults`:
    /// the gap between the same- and cross-language thresholds comes from a logistic regression
    /// on dev pairs (see `eval::stories::learn`), every other knob by coordinate descent on mean
    /// BCubed F1 starting from the previous defaults.
    fn default() -> Self {
        GroupingConfig {
            weights: PairWeights {
                bias_same: -0.446,
                bias_cross: -0.36,
                tokens: 0.0,
                numbers: 0.10,
                names: 0.5,
                time_near: 0.05,
                time_far: 0.3,
                bias_no_embedding: -0.325,
                ..GroupingConfig::untuned().weights
            },
            top_k_mix: 0.75,
            background_weight: 20.0,
            ..GroupingConfig::untuned()
        }
    }
}

impl GroupingConfig {
    /// Hand-set starting values, before any tuning (the start point of every tuning run, so
    /// leave-one-set-out runs never start from values that saw the held-out set).
    pub fn untuned() -> Self {
        GroupingConfig {
            window_hours: 7.0 * 24.0,
            weights: PairWeights {
                bias_same: -0.42,
                bias_cross: -0.40,
                cos: 1.0,
                tokens: 0.15,
                numbers: 0.05,
                names: 0.0,
                time_near: 0.05,
                time_far: 0.3,
                hub: 0.0,
                bias_no_embedding: -0.35,
                tokens_no_embedding: 1.0,
            },
            top_k_mix: 0.0,
            centroid_mix: 0.0,
            merge_threshold: f32::INFINITY,
            centring: true,
            recentre: true,
            background_means: true,
            background_weight: 50.0,
            clean_headlines: true,
            shortlist: 512,
        }
    }
}

/// What the grouper needs to know about one item.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemFeatures {
    pub item_id: i64,
    pub lang: Lang,
    pub published: Option<DateTime<Utc>>,
    pub source: String,
    pub title: String,
    pub text: String,
    /// L2-normalised e5 embedding of [`embedding_input`]`(title, text)`; `None` without a model.
    pub embedding: Option<Vec<f32>>,
}

/// One piece of evidence in a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScorePart {
    pub name: String,
    pub value: f32,
    pub weight: f32,
}

/// Why an item went where it went. Serialises into the fields `api::Explanation` reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// Score of the chosen story (or of the best story it did not join, for a new story).
    pub score: f32,
    /// The evidence of the best-matching pair; `score` sums `value * weight` (plus story mixing).
    pub parts: Vec<ScorePart>,
    /// The item of the best story that matched best.
    pub matched_item: Option<i64>,
    /// Story the item matched best when it started a new story, else the second-best story.
    pub runner_up: Option<(i64, f32)>,
    /// The item started a new story.
    pub new_story: bool,
    /// Why: "joined", "new_story", "pinned", "restored".
    pub decision: String,
}

/// The result of [`Grouper::assign`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignment {
    pub story_id: i64,
    pub new_story: bool,
    pub explanation: Explanation,
    /// Stories merged into `story_id` by this assignment: `(kept, absorbed)`.
    pub merged: Vec<(i64, i64)>,
}

/// What the store keeps about a story.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StorySummary {
    pub story_id: i64,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    pub languages: Vec<Lang>,
    pub outlets: Vec<String>,
    /// Representative headline per language: the earliest item's cleaned title.
    pub headlines: BTreeMap<String, String>,
    pub items: Vec<i64>,
}

/// One item as the grouper remembers it.
#[derive(Debug, Clone)]
struct Member {
    item_id: i64,
    story: i64,
    lang: Lang,
    time: Option<DateTime<Utc>>,
    /// Centred (with the means at arrival), L2-normalised embedding: signatures, hubness.
    emb: Option<Vec<f32>>,
    /// L2-normalised raw embedding, re-centred with the current means when compared.
    raw: Option<Vec<f32>>,
    words: Vec<u32>,
    numbers: Vec<u32>,
    /// Name skeletons from Latin-script and Arabic-script words.
    latin_names: Vec<u32>,
    arabic_names: Vec<u32>,
    /// Mean cosine to the nearest earlier items at arrival.
    hub: f32,
    source: String,
    title: String,
    explanation: Explanation,
}

#[derive(Debug, Clone, Default)]
struct Story {
    members: Vec<usize>,
    /// Sum of the members' centred embeddings (empty until one has an embedding).
    sum: Vec<f32>,
    /// Sum of the members' raw embeddings and how many of each language (mean key) it holds.
    raw_sum: Vec<f32>,
    raw_langs: BTreeMap<String, f32>,
    first_seen: Option<DateTime<Utc>>,
    last_seen: Option<DateTime<Utc>>,
}

/// Evidence for one pair of items.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairEvidence {
    pub cross_language: bool,
    pub cosine: Option<f32>,
    pub tokens: f32,
    pub numbers: f32,
    /// Names matched across scripts (0..=1).
    pub names: f32,
    pub hours_apart: Option<f32>,
    /// Mean hubness of the two items (see [`PairWeights::hub`]).
    pub hub: f32,
}

impl PairEvidence {
    pub fn time_near(&self) -> f32 {
        self.hours_apart.map_or(0.0, |h| (1.0 - h / 48.0).max(0.0))
    }

    pub fn time_far(&self) -> f32 {
        self.hours_apart
            .map_or(0.0, |h| ((h - 72.0) / 96.0).clamp(0.0, 1.0))
    }

    /// The score parts under `w`; the score is the sum of `value * weight`.
    pub fn parts(&self, w: &PairWeights) -> Vec<ScorePart> {
        let part = |name: &str, value: f32, weight: f32| ScorePart {
            name: name.to_string(),
            value,
            weight,
        };
        let mut parts = Vec::with_capacity(6);
        match self.cosine {
            Some(c) => {
                let bias = if self.cross_language {
                    w.bias_cross
                } else {
                    w.bias_same
                };
                let name = if self.cross_language {
                    "bias_cross_language"
                } else {
                    "bias_same_language"
                };
                parts.push(part(name, 1.0, bias));
                parts.push(part("embedding_cosine", c, w.cos));
                parts.push(part("shared_words", self.tokens, w.tokens));
                if w.hub != 0.0 {
                    parts.push(part("crowded_neighbourhood", self.hub, -w.hub));
                }
            }
            None => {
                parts.push(part("bias_no_embedding", 1.0, w.bias_no_embedding));
                parts.push(part("shared_words", self.tokens, w.tokens_no_embedding));
            }
        }
        parts.push(part("shared_numbers", self.numbers, w.numbers));
        if w.names != 0.0 {
            parts.push(part("names_across_scripts", self.names, w.names));
        }
        if self.hours_apart.is_some() {
            parts.push(part("published_close", self.time_near(), w.time_near));
            parts.push(part("published_far_apart", self.time_far(), -w.time_far));
        }
        parts
    }

    pub fn score(&self, w: &PairWeights) -> f32 {
        let base = match self.cosine {
            Some(c) => {
                let bias = if self.cross_language {
                    w.bias_cross
                } else {
                    w.bias_same
                };
                bias + w.cos * c + w.tokens * self.tokens - w.hub * self.hub
            }
            None => w.bias_no_embedding + w.tokens_no_embedding * self.tokens,
        };
        base + w.numbers * self.numbers + w.names * self.names + w.time_near * self.time_near()
            - w.time_far * self.time_far()
    }
}

/// The online grouping engine. Deterministic: the same items in the same order give the same stories.
#[derive(Debug, Clone)]
pub struct Grouper {
    cfg: GroupingConfig,
    means: LangMeans,
    vocab: HashMap<String, u32>,
    df: Vec<u32>,
    members: Vec<Member>,
    by_item: HashMap<i64, usize>,
    stories: BTreeMap<i64, Story>,
    next_story: i64,
    pins: HashMap<i64, i64>,
    index: index::Index,
}

impl Grouper {
    pub fn new(cfg: GroupingConfig) -> Self {
        let means = if cfg.background_means {
            LangMeans::with_background(cfg.background_weight)
        } else {
            LangMeans::empty()
        };
        Grouper {
            cfg,
            means,
            vocab: HashMap::new(),
            df: Vec::new(),
            members: Vec::new(),
            by_item: HashMap::new(),
            stories: BTreeMap::new(),
            next_story: 1,
            pins: HashMap::new(),
            index: index::Index::default(),
        }
    }

    pub fn config(&self) -> &GroupingConfig {
        &self.cfg
    }

    /// Number of items held.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Place a new item: join the best live story or start a new one.
    pub fn assign(&mut self, f: ItemFeatures) -> Assignment {
        if let Some(&story_id) = self.pins.get(&f.item_id) {
            let explanation = decision_only("pinned");
            self.insert(f, story_id, explanation.clone());
            return Assignment {
                story_id,
                new_story: false,
                explanation,
                merged: Vec::new(),
            };
        }
        let mut m = self.prepare(&f);
        m.hub = self.hubness(&m);
        let ranked = self.rank_stories(&m);
        let w = &self.cfg.weights;
        let (story_id, new_story, explanation) = match ranked.first() {
            Some(best) if best.score > 0.0 => {
                let explanation = Explanation {
                    score: best.score,
                    parts: best.evidence.parts(w),
                    matched_item: Some(self.members[best.member].item_id),
                    runner_up: ranked.get(1).map(|r| (r.story, r.score)),
                    new_story: false,
                    decision: "joined".to_string(),
                };
                (best.story, false, explanation)
            }
            best => {
                let explanation = Explanation {
                    score: best.map_or(0.0, |b| b.score),
                    parts: best.map_or_else(Vec::new, |b| b.evidence.parts(w)),
                    matched_item: best.map(|b| self.members[b.member].item_id),
                    runner_up: best.map(|b| (b.story, b.score)),
                    new_story: true,
                    decision: "new_story".to_string(),
                };
                let id = self.next_story;
                (id, true, explanation)
            }
        };
        let mut merged = Vec::new();
        if !new_story {
            let threshold = self.cfg.merge_threshold;
            let absorb: Vec<i64> = ranked
                .iter()
                .skip(1)
                .filter(|r| r.score > threshold && ranked[0].score > threshold)
                .map(|r| r.story)
                .collect();
            for other in absorb {
                self.merge(story_id, other);
                merged.push((story_id, other));
            }
        }
        self.commit(m, f.embedding.as_deref(), story_id, explanation.clone());
        Assignment {
            story_id,
            new_story,
            explanation,
            merged,
        }
    }

    /// Never hand out a story id at or below `max` (ids already used in the archive).
    pub fn reserve_story_ids(&mut self, max: i64) {
        self.next_story = self.next_story.max(max + 1);
    }

    /// Rebuild live state after a restart: add an item to a known story without scoring.
    pub fn restore(&mut self, f: ItemFeatures, story_id: i64) {
        self.insert(f, story_id, decision_only("restored"));
    }

    /// A manual correction: move the item to `story_id` now and keep it there on re-runs.
    pub fn pin(&mut self, item_id: i64, story_id: i64) {
        self.pins.insert(item_id, story_id);
        let Some(&idx) = self.by_item.get(&item_id) else {
            return;
        };
        let old = self.members[idx].story;
        if old == story_id {
            return;
        }
        self.detach(idx);
        self.members[idx].story = story_id;
        self.members[idx].explanation = decision_only("pinned");
        self.attach(idx, story_id);
    }

    /// The explanation recorded when an item was placed.
    pub fn explain(&self, item_id: i64) -> Option<&Explanation> {
        self.by_item
            .get(&item_id)
            .map(|&i| &self.members[i].explanation)
    }

    /// Evidence between two held items under the current state (language means, word
    /// frequencies), as if `a` arrived now: what a learned pair score is trained on.
    pub fn pair_evidence(&self, a: i64, b: i64) -> Option<PairEvidence> {
        let (&ia, &ib) = (self.by_item.get(&a)?, self.by_item.get(&b)?);
        let (m, other) = (&self.members[ia], &self.members[ib]);
        Some(self.evidence(&self.idf_table(), &self.query(m), m, other))
    }

    /// Story of an item.
    pub fn story_of(&self, item_id: i64) -> Option<i64> {
        self.by_item.get(&item_id).map(|&i| self.members[i].story)
    }

    /// What the store keeps about one story.
    pub fn story(&self, story_id: i64) -> Option<StorySummary> {
        let s = self.stories.get(&story_id)?;
        let mut languages = BTreeSet::new();
        let mut outlets = BTreeSet::new();
        let mut headlines = BTreeMap::new();
        let mut ordered: Vec<&Member> = s.members.iter().map(|&i| &self.members[i]).collect();
        ordered.sort_by_key(|m| (m.time.is_none(), m.time));
        for m in &ordered {
            languages.insert(m.lang.clone());
            if !m.source.is_empty() {
                outlets.insert(m.source.clone());
            }
            headlines
                .entry(m.lang.code().to_string())
                .or_insert_with(|| m.title.clone());
        }
        Some(StorySummary {
            story_id,
            first_seen: s.first_seen,
            last_seen: s.last_seen,
            languages: languages.into_iter().collect(),
            outlets: outlets.into_iter().collect(),
            headlines,
            items: s.members.iter().map(|&i| self.members[i].item_id).collect(),
        })
    }

    /// Ids of all stories, ascending.
    pub fn story_ids(&self) -> Vec<i64> {
        self.stories.keys().copied().collect()
    }

    fn insert(&mut self, f: ItemFeatures, story_id: i64, explanation: Explanation) {
        let mut m = self.prepare(&f);
        if self.cfg.weights.hub != 0.0 {
            m.hub = self.hubness(&m);
        }
        self.commit(m, f.embedding.as_deref(), story_id, explanation);
    }

    /// Turn features into a member (not yet stored); interns new words with document frequency 0.
    fn prepare(&mut self, f: &ItemFeatures) -> Member {
        let title = if self.cfg.clean_headlines {
            clean_title(&f.title)
        } else {
            f.title.trim().to_string()
        };
        let mut words = Vec::new();
        let mut numbers = Vec::new();
        for t in text::tokens(&format!("{title} {}", f.text)) {
            let next = self.vocab.len() as u32;
            let id = *self.vocab.entry(t.clone()).or_insert(next);
            if id as usize == self.df.len() {
                self.df.push(0);
            }
            if text::is_number(&t) {
                numbers.push(id)
            } else {
                words.push(id)
            }
        }
        words.sort_unstable();
        words.dedup();
        numbers.sort_unstable();
        numbers.dedup();
        let (latin, arabic) = text::name_keys(&format!("{title} {}", f.text));
        let mut intern = |keys: Vec<String>| {
            let mut ids: Vec<u32> = keys
                .into_iter()
                .map(|k| {
                    let next = self.vocab.len() as u32;
                    // Skeletons are upper case ASCII; "~" keeps them apart from word tokens.
                    let id = *self.vocab.entry(format!("~{k}")).or_insert(next);
                    if id as usize == self.df.len() {
                        self.df.push(0);
                    }
                    id
                })
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let latin_names = intern(latin);
        let arabic_names = intern(arabic);
        let emb = f.embedding.as_ref().map(|v| {
            if self.cfg.centring {
                self.means.centre(&f.lang, v)
            } else {
                normalised(v)
            }
        });
        Member {
            item_id: f.item_id,
            story: 0,
            lang: f.lang.clone(),
            time: f.published,
            emb,
            raw: f.embedding.as_deref().map(normalised),
            words,
            numbers,
            latin_names,
            arabic_names,
            hub: 0.0,
            source: f.source.clone(),
            title,
            explanation: decision_only("pending"),
        }
    }

    fn commit(
        &mut self,
        mut m: Member,
        raw: Option<&[f32]>,
        story_id: i64,
        explanation: Explanation,
    ) {
        let names = m.latin_names.iter().chain(m.arabic_names.iter());
        for &id in m.words.iter().chain(m.numbers.iter()).chain(names) {
            self.df[id as usize] += 1;
        }
        if let Some(raw) = raw {
            self.means.add(&m.lang, raw);
        }
        m.story = story_id;
        m.explanation = explanation;
        let idx = self.members.len();
        if let Some(old) = self.by_item.insert(m.item_id, idx) {
            // The same item id placed twice: the newer copy wins, the old one leaves its story.
            self.detach(old);
            self.index.remove(old);
        }
        self.index.add(m.emb.as_deref(), &m.words);
        self.members.push(m);
        self.attach(idx, story_id);
        self.next_story = self.next_story.max(story_id + 1);
    }

    /// Take a member out of its story's sums; a story left empty goes away.
    fn detach(&mut self, idx: usize) {
        let m = &self.members[idx];
        let key = LangMeans::key(&m.lang).to_string();
        let Some(s) = self.stories.get_mut(&m.story) else {
            return;
        };
        s.members.retain(|&i| i != idx);
        if let Some(e) = &m.emb {
            s.sum.iter_mut().zip(e).for_each(|(a, b)| *a -= b);
        }
        if let Some(r) = &m.raw {
            s.raw_sum.iter_mut().zip(r).for_each(|(a, b)| *a -= b);
            if let Some(n) = s.raw_langs.get_mut(&key) {
                *n -= 1.0;
            }
        }
        if s.members.is_empty() {
            let id = m.story;
            self.stories.remove(&id);
        }
    }

    fn attach(&mut self, idx: usize, story_id: i64) {
        let time = self.members[idx].time;
        let emb = self.members[idx].emb.as_deref();
        let raw = self.members[idx].raw.as_deref();
        let key = LangMeans::key(&self.members[idx].lang).to_string();
        let s = self.stories.entry(story_id).or_default();
        s.members.push(idx);
        if let Some(e) = emb {
            add_into(&mut s.sum, e);
        }
        if let Some(r) = raw {
            add_into(&mut s.raw_sum, r);
            *s.raw_langs.entry(key).or_insert(0.0) += 1.0;
        }
        if let Some(t) = time {
            s.first_seen = Some(s.first_seen.map_or(t, |f| f.min(t)));
            s.last_seen = Some(s.last_seen.map_or(t, |l| l.max(t)));
        }
    }

    fn merge(&mut self, keep: i64, absorb: i64) {
        let Some(gone) = self.stories.remove(&absorb) else {
            return;
        };
        for &i in &gone.members {
            self.members[i].story = keep;
        }
        let s = self.stories.entry(keep).or_default();
        s.members.extend(gone.members);
        if !gone.sum.is_empty() {
            add_into(&mut s.sum, &gone.sum);
        }
        if !gone.raw_sum.is_empty() {
            add_into(&mut s.raw_sum, &gone.raw_sum);
            for (k, n) in gone.raw_langs {
                *s.raw_langs.entry(k).or_insert(0.0) += n;
            }
        }
        s.first_seen = match (s.first_seen, gone.first_seen) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        s.last_seen = match (s.last_seen, gone.last_seen) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }

    /// Inverse document frequency over the items held: `ln((n + 1) / (df + 1)) + 1`.
    fn idf_table(&self) -> IdfTable {
        IdfTable {
            ln_n: (self.members.len() as f32 + 2.0).ln(),
        }
    }

    fn idf(&self, t: &IdfTable, id: u32) -> f32 {
        let df = self.df.get(id as usize).copied().unwrap_or(0);
        t.ln_n - ln_1p(df) + 1.0
    }

    fn word_overlap(&self, t: &IdfTable, a: &[u32], b: &[u32]) -> f32 {
        if a.is_empty() || b.is_empty() {
            return 0.0;
        }
        let norm = |v: &[u32]| v.iter().map(|&w| self.idf(t, w).powi(2)).sum::<f32>();
        let (mut i, mut j, mut shared) = (0, 0, 0.0f32);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    shared += self.idf(t, a[i]).powi(2);
                    i += 1;
                    j += 1;
                }
            }
        }
        if shared == 0.0 {
            return 0.0;
        }
        shared / (norm(a) * norm(b)).sqrt()
    }

    /// Evidence between a prepared (uncommitted) item and a stored member.
    fn evidence(&self, t: &IdfTable, q: &Query, m: &Member, other: &Member) -> PairEvidence {
        let cosine = match (&q.centred, &other.raw, &m.emb, &other.emb) {
            (Some(x), Some(y), _, _) => Some(q.means.centred_cosine(x, y, &other.lang)),
            (None, _, Some(a), Some(b)) => Some(dot(a, b)),
            _ => None,
        };
        let shared_numbers = count_shared(&m.numbers, &other.numbers);
        PairEvidence {
            cross_language: m.lang != other.lang,
            cosine,
            tokens: self.word_overlap(t, &m.words, &other.words),
            numbers: (shared_numbers as f32 / 2.0).min(1.0),
            names: (self.word_overlap(t, &m.latin_names, &other.arabic_names)
                + self.word_overlap(t, &m.arabic_names, &other.latin_names))
            .min(1.0),
            hub: 0.5 * (m.hub + other.hub),
            hours_apart: match (m.time, other.time) {
                (Some(a), Some(b)) => Some((a - b).num_seconds().unsigned_abs() as f32 / 3600.0),
                _ => None,
            },
        }
    }

    fn is_live(&self, story: &Story, now: Option<DateTime<Utc>>) -> bool {
        match (now, story.last_seen) {
            (Some(now), Some(last)) => {
                (now - last).num_seconds() as f64 <= self.cfg.window_hours * 3600.0
            }
            _ => true,
        }
    }

    /// Mean cosine of an item to its nearest held items (0 until there are enough of them).
    fn hubness(&self, m: &Member) -> f32 {
        const K: usize = 5;
        let Some(e) = m.emb.as_deref() else {
            return 0.0;
        };
        if self.cfg.weights.hub == 0.0 || self.members.len() < K {
            return 0.0;
        }
        let mut cos: Vec<f32> = self
            .index
            .shortlist(Some(e), &[], self.cfg.shortlist, &self.df)
            .into_iter()
            .filter_map(|i| self.members[i].emb.as_deref().map(|o| dot(e, o)))
            .collect();
        cos.sort_by(|a, b| b.total_cmp(a));
        cos.iter().take(K).sum::<f32>() / K as f32
    }

    /// Live stories ranked by score, best first (ties by story id).
    /// Per-query state: current language means and the query's centred vector.
    fn query(&self, m: &Member) -> Query {
        let means = CurrentMeans::of(&self.means);
        let centred = match (&m.raw, self.cfg.centring && self.cfg.recentre) {
            (Some(x), true) => Some(means.centre(x, &m.lang)),
            _ => None,
        };
        Query {
            means,
            centred,
            recentre: self.cfg.centring && self.cfg.recentre,
        }
    }

    fn rank_stories(&self, m: &Member) -> Vec<Ranked> {
        let candidates =
            self.index
                .shortlist(m.emb.as_deref(), &m.words, self.cfg.shortlist, &self.df);
        let mut per_story: BTreeMap<i64, Vec<(f32, usize, PairEvidence)>> = BTreeMap::new();
        let idf = self.idf_table();
        let q = self.query(m);
        for idx in candidates {
            let other = &self.members[idx];
            let Some(story) = self.stories.get(&other.story) else {
                continue;
            };
            if !self.is_live(story, m.time) {
                continue;
            }
            let ev = self.evidence(&idf, &q, m, other);
            per_story
                .entry(other.story)
                .or_default()
                .push((ev.score(&self.cfg.weights), idx, ev));
        }
        let mix = self.cfg.top_k_mix;
        let cmix = self.cfg.centroid_mix;
        let w = &self.cfg.weights;
        let mut ranked: Vec<Ranked> = per_story
            .into_iter()
            .map(|(story, mut links)| {
                if cmix > 0.0 {
                    // Blend each link's cosine with the cosine to the story centroid.
                    let centroid = self.stories.get(&story).and_then(|s| q.centroid(s));
                    let e = q.centred.as_deref().or(m.emb.as_deref());
                    if let (Some(c), Some(e)) = (centroid, e) {
                        let cc = dot(&c, e) / dot(&c, &c).sqrt().max(1e-12);
                        for l in links.iter_mut() {
                            if let Some(cos) = l.2.cosine {
                                l.2.cosine = Some((1.0 - cmix) * cos + cmix * cc);
                                l.0 = l.2.score(w);
                            }
                        }
                    }
                }
                links.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                let best = links[0];
                let top: Vec<f32> = links.iter().take(3).map(|l| l.0).collect();
                let mean_top = top.iter().sum::<f32>() / top.len() as f32;
                Ranked {
                    story,
                    score: (1.0 - mix) * best.0 + mix * mean_top,
                    member: best.1,
                    evidence: best.2,
                }
            })
            .collect();
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.story.cmp(&b.story)));
        ranked
    }
}

/// The language means at the moment of one query.
struct CurrentMeans {
    by_key: BTreeMap<&'static str, Vec<f32>>,
}

impl CurrentMeans {
    fn of(means: &LangMeans) -> Self {
        let mut by_key = BTreeMap::new();
        for (key, lang) in [
            ("ar", Lang::Ar),
            ("fa", Lang::Fa),
            ("en", Lang::En),
            ("*", Lang::Und),
        ] {
            if let Some(m) = means.mean(&lang) {
                by_key.insert(key, m);
            }
        }
        CurrentMeans { by_key }
    }

    fn get(&self, lang: &Lang) -> Option<&Vec<f32>> {
        self.by_key.get(LangMeans::key(lang))
    }

    fn centre(&self, raw: &[f32], lang: &Lang) -> Vec<f32> {
        match self.get(lang) {
            Some(m) if m.len() == raw.len() => {
                normalised(&raw.iter().zip(m).map(|(x, m)| x - m).collect::<Vec<_>>())
            }
            _ => normalised(raw),
        }
    }

    /// Cosine of a centred unit query with a raw vector centred by its language's current mean.
    fn centred_cosine(&self, x: &[f32], y: &[f32], lang: &Lang) -> f32 {
        let Some(m) = self.get(lang).filter(|m| m.len() == y.len()) else {
            return dot(x, y) / dot(y, y).sqrt().max(1e-12);
        };
        let (mut xy, mut yy) = (0.0f32, 0.0f32);
        for ((a, b), c) in x.iter().zip(y).zip(m) {
            let d = b - c;
            xy += a * d;
            yy += d * d;
        }
        xy / yy.sqrt().max(1e-12)
    }
}

struct Query {
    means: CurrentMeans,
    centred: Option<Vec<f32>>,
    recentre: bool,
}

impl Query {
    /// The story centroid in the space the query is compared in.
    fn centroid(&self, s: &Story) -> Option<Vec<f32>> {
        if !self.recentre {
            return (!s.sum.is_empty()).then(|| s.sum.clone());
        }
        if s.raw_sum.is_empty() {
            return None;
        }
        let mut c = s.raw_sum.clone();
        for (key, n) in &s.raw_langs {
            if let Some(m) = self.means.by_key.get(key.as_str()) {
                c.iter_mut().zip(m).for_each(|(a, b)| *a -= n * b);
            }
        }
        Some(c)
    }
}

struct IdfTable {
    ln_n: f32,
}

/// `ln(1 + df)`, from a table for the small counts that dominate.
fn ln_1p(df: u32) -> f32 {
    static TABLE: std::sync::OnceLock<Vec<f32>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| (0..4096u32).map(|d| (d as f32 + 1.0).ln()).collect());
    table
        .get(df as usize)
        .copied()
        .unwrap_or_else(|| (df as f32 + 1.0).ln())
}

struct Ranked {
    story: i64,
    score: f32,
    member: usize,
    evidence: PairEvidence,
}

fn decision_only(decision: &str) -> Explanation {
    Explanation {
        score: 0.0,
        parts: Vec::new(),
        matched_item: None,
        runner_up: None,
        new_story: false,
        decision: decision.to_string(),
    }
}

fn add_into(sum: &mut Vec<f32>, v: &[f32]) {
    if sum.len() != v.len() {
        *sum = vec![0.0; v.len()];
    }
    sum.iter_mut().zip(v).for_each(|(a, b)| *a += b);
}

fn count_shared(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Dot product written so the compiler vectorises it (eight independent accumulators).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let chunks_a = a.chunks_exact(8);
    let chunks_b = b.chunks_exact(8);
    let tail: f32 = chunks_a
        .remainder()
        .iter()
        .zip(chunks_b.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (ca, cb) in chunks_a.zip(chunks_b) {
        for k in 0..8 {
            acc[k] += ca[k] * cb[k];
        }
    }
    acc.iter().sum::<f32>() + tail
}

pub(crate) fn normalised(v: &[f32]) -> Vec<f32> {
    let n = dot(v, v).sqrt();
    if n > 0.0 {
        v.iter().map(|x| x / n).collect()
    } else {
        v.to_vec()
    }
}
