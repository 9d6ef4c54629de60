//! Cluster stage: online, incremental grouping of items into cross-lingual stories, one story
//! per happening.
//!
//! Each new item (in arrival order) is compared with the items of every live story by a
//! learned same-happening pair model ([`evidence`]): language-centred e5 cosine and its
//! crowding-corrected form (CSLS), shared words, names matched across scripts, numbers, which
//! round / weekday / calendar day the texts name, and the time gap. A story's score is the mean
//! probability of its best few pairs; the item joins the best story above the threshold, else
//! starts a new one. Every few items the stories that changed are re-checked ([`recheck`]):
//! split where two groups barely link, merged with a neighbour they link to strongly. Every
//! assignment keeps its [`Explanation`] so the UI can say why an item is where it is.
//!
//! Scale: a 384-bit sign signature per item shortlists candidates by Hamming distance (plus
//! items sharing a rare token), then exact scoring runs on the shortlist only.

pub mod actions;
pub mod bench;
mod centre;
pub mod config;
pub mod evidence;
mod index;
pub mod projection;
mod recheck;
pub mod related;
pub mod routine;
pub mod signals;
pub mod text;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::model::Lang;

pub use centre::LangMeans;
pub use config::GroupingConfig;
pub use evidence::{FEATURES, PairEvidence, PairModel, ScorePart, SecondStage};
pub use recheck::Move;
pub use signals::Signals;
pub use text::{clean_title, embedding_input};

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

/// Why an item went where it went. Serialises into the fields `api::Explanation` reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// Score of the chosen story (or of the best story it did not join, for a new story): the
    /// mean same-happening probability of the best pairs.
    pub score: f32,
    /// The score an item needs to join a story.
    pub threshold: f32,
    /// The evidence of the best-matching pair (logit parts: `value * weight`).
    pub parts: Vec<ScorePart>,
    /// The item of the best story that matched best.
    pub matched_item: Option<i64>,
    /// Story the item matched best when it started a new story, else the second-best story.
    pub runner_up: Option<(i64, f32)>,
    /// The item started a new story.
    pub new_story: bool,
    /// Why: "joined", "new_story", "pinned", "restored", "split", "merged".
    pub decision: String,
    /// For "split" and "merged": what the re-check saw.
    pub regroup: Option<Regroup>,
    /// A story the item matched above the threshold but did not join, because joining would
    /// have stretched it beyond the time horizon.
    pub horizon: Option<HorizonNote>,
}

/// Why an item did not join a story it matched: the story's span with the item in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HorizonNote {
    pub story: i64,
    pub score: f32,
    /// The story's time span in days had the item joined.
    pub span_days: f32,
    pub horizon_days: f32,
}

/// What a re-check saw when it split a story or merged two.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Regroup {
    /// The story the item was in before.
    pub from_story: i64,
    /// Mean same-happening probability between the two groups (split) or stories (merge).
    pub link: f32,
    /// The bar it fell below (split) or cleared (merge).
    pub bar: f32,
    /// Pairs behind `link`.
    pub pairs: usize,
}

/// The result of [`Grouper::assign`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignment {
    pub story_id: i64,
    pub new_story: bool,
    pub explanation: Explanation,
    /// The item is part of a routine series (horoscope, weather, market close…).
    pub routine: bool,
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

/// An item's mean cosine to its nearest items, per language of the other side (CSLS's `r`).
#[derive(Debug, Clone, Default)]
struct Nearest {
    /// Per language slot ([`slot`]): the best cosines seen, descending.
    top: [Vec<f32>; 4],
}

impl Nearest {
    fn offer(&mut self, lang: &Lang, cos: f32, k: usize) {
        let top = &mut self.top[slot(lang)];
        if top.len() == k && top.last().is_some_and(|&m| m >= cos) {
            return;
        }
        let at = top.partition_point(|&x| x >= cos);
        top.insert(at, cos);
        top.truncate(k);
    }

    fn mean(&self, lang: &Lang) -> f32 {
        let top = &self.top[slot(lang)];
        if top.is_empty() {
            0.0
        } else {
            top.iter().sum::<f32>() / top.len() as f32
        }
    }
}

fn slot(lang: &Lang) -> usize {
    match LangMeans::key(lang) {
        "ar" => 0,
        "fa" => 1,
        "en" => 2,
        _ => 3,
    }
}

/// One item as the grouper remembers it.
#[derive(Debug, Clone)]
struct Member {
    item_id: i64,
    story: i64,
    lang: Lang,
    time: Option<DateTime<Utc>>,
    /// Centred (with the means at arrival), L2-normalised embedding: signatures.
    emb: Option<Vec<f32>>,
    /// L2-normalised raw embedding, re-centred with the current means when compared.
    raw: Option<Vec<f32>>,
    words: Vec<u32>,
    numbers: Vec<u32>,
    /// Name skeletons from Latin-script and Arabic-script words.
    latin_names: Vec<u32>,
    arabic_names: Vec<u32>,
    signals: Signals,
    near: Nearest,
    source: String,
    title: String,
    explanation: Explanation,
    /// The item belongs to a routine series of its outlet ([`routine`]).
    routine: bool,
}

#[derive(Debug, Clone, Default)]
struct Story {
    members: Vec<usize>,
    first_seen: Option<DateTime<Utc>>,
    last_seen: Option<DateTime<Utc>>,
}

/// The online grouping engine. Deterministic: the same items in the same order give the same
/// stories.
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
    /// Stories changed since the last re-check, and neighbour stories worth a merge check.
    dirty: BTreeSet<i64>,
    merge_candidates: BTreeSet<(i64, i64)>,
    since_recheck: usize,
    moves: Vec<Move>,
    /// Headline patterns per outlet and the days they ran on: what makes an item routine.
    series: routine::Series,
}

/// A candidate item with its centred cosine to the query (`None` without embeddings).
type Link = (usize, Option<f32>);

impl Grouper {
    pub fn new(cfg: GroupingConfig) -> Self {
        let means = if cfg.background_means {
            LangMeans::with_background(cfg.background_weight)
        } else {
            LangMeans::empty()
        };
        // The means live in the projected space, so centring a projected vector is projecting
        // a centred one.
        let means = match &cfg.projection {
            Some(p) => means.projected(p),
            None => means,
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
            dirty: BTreeSet::new(),
            merge_candidates: BTreeSet::new(),
            since_recheck: 0,
            moves: Vec::new(),
            series: routine::Series::default(),
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

    /// Place a new item: join the best live story or start a new one. Every
    /// `recheck_every` items the changed stories are re-checked; the items that moved then are
    /// collected for [`Grouper::take_moves`].
    pub fn assign(&mut self, f: ItemFeatures) -> Assignment {
        let assignment = self.place(self.projected(f));
        self.since_recheck += 1;
        if self.cfg.recheck_every > 0 && self.since_recheck >= self.cfg.recheck_every {
            self.recheck();
        }
        assignment
    }

    fn place(&mut self, f: ItemFeatures) -> Assignment {
        if let Some(&story_id) = self.pins.get(&f.item_id) {
            let explanation = decision_only("pinned");
            let item_id = f.item_id;
            self.insert(f, story_id, explanation.clone());
            return Assignment {
                story_id,
                new_story: false,
                explanation,
                routine: self.is_routine(item_id),
            };
        }
        let mut m = self.prepare(&f);
        let links = self.links(&mut m);
        let (ranked, held_back) = self.rank_stories(&m, &links);
        let threshold = self.cfg.join_threshold;
        let held_back = held_back.filter(|h| h.score > threshold);
        let model = &self.cfg.model;
        let explanation =
            |best: Option<&Ranked>, runner_up: Option<&Ranked>, new_story| Explanation {
                score: best.map_or(0.0, |b| b.score),
                threshold,
                parts: best.map_or_else(Vec::new, |b| b.evidence.parts(model)),
                matched_item: best.map(|b| self.members[b.member].item_id),
                runner_up: runner_up.map(|r| (r.story, r.score)),
                new_story,
                decision: if new_story { "new_story" } else { "joined" }.to_string(),
                regroup: None,
                horizon: held_back.clone(),
            };
        let (story_id, new_story, explanation) = match ranked.first() {
            Some(best) if best.score > threshold => (
                best.story,
                false,
                explanation(Some(best), ranked.get(1), false),
            ),
            best => (self.next_story, true, explanation(best, best, true)),
        };
        // Stories the item links to almost as well as its own are worth a merge check.
        for r in ranked.iter().filter(|r| r.story != story_id) {
            if r.score > threshold * 0.5 {
                let pair = (story_id.min(r.story), story_id.max(r.story));
                self.merge_candidates.insert(pair);
            }
        }
        let routine = m.routine;
        let idx = self.commit(m, f.embedding.as_deref(), story_id, explanation.clone());
        self.meet_neighbours(idx, &links);
        Assignment {
            story_id,
            new_story,
            explanation,
            routine,
        }
    }

    /// Never hand out a story id at or below `max` (ids already used in the archive).
    pub fn reserve_story_ids(&mut self, max: i64) {
        self.next_story = self.next_story.max(max + 1);
    }

    /// Rebuild live state after a restart: add an item to a known story without scoring.
    pub fn restore(&mut self, f: ItemFeatures, story_id: i64) {
        let f = self.projected(f);
        self.insert(f, story_id, decision_only("restored"));
    }

    /// The item with its embedding mapped by the configured projection (if any): every
    /// vector the grouper keeps, and every mean it centres with, is in the projected space.
    fn projected(&self, mut f: ItemFeatures) -> ItemFeatures {
        if let (Some(p), Some(v)) = (&self.cfg.projection, &f.embedding) {
            f.embedding = Some(p.apply(v));
        }
        f
    }

    /// A manual correction: move the item to `story_id` now and keep it there on re-runs and
    /// re-checks.
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

    /// Whether a held item belongs to a routine series of its outlet.
    pub fn is_routine(&self, item_id: i64) -> bool {
        self.by_item
            .get(&item_id)
            .is_some_and(|&i| self.members[i].routine)
    }

    /// The explanation recorded when an item was placed (or last moved by a re-check).
    pub fn explain(&self, item_id: i64) -> Option<&Explanation> {
        self.by_item
            .get(&item_id)
            .map(|&i| &self.members[i].explanation)
    }

    /// Evidence between two held items under the current state (language means, word
    /// frequencies, neighbourhoods), as if `a` arrived now: what the pair model is fitted on.
    pub fn pair_evidence(&self, a: i64, b: i64) -> Option<PairEvidence> {
        let (&ia, &ib) = (self.by_item.get(&a)?, self.by_item.get(&b)?);
        Some(self.member_evidence(&self.idf_table(), ia, ib))
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
        let links = self.links(&mut m);
        let idx = self.commit(m, f.embedding.as_deref(), story_id, explanation);
        self.meet_neighbours(idx, &links);
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
            // A projected vector keeps its length: the means it is centred with are averages
            // of projected vectors, so scaling one would break "centred, then projected".
            raw: f.embedding.as_deref().map(|v| {
                if self.cfg.projection.is_some() {
                    v.to_vec()
                } else {
                    normalised(v)
                }
            }),
            words,
            numbers,
            latin_names,
            arabic_names,
            signals: Signals::of(&format!("{title} {}", f.text)),
            near: Nearest::default(),
            source: f.source.clone(),
            routine: routine::Series::is_routine(self.series.observe(
                &f.source,
                &title,
                f.published,
            )),
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
    ) -> usize {
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
        idx
    }

    /// Take a member out of its story; a story left empty goes away.
    fn detach(&mut self, idx: usize) {
        let story = self.members[idx].story;
        let Some(s) = self.stories.get_mut(&story) else {
            return;
        };
        s.members.retain(|&i| i != idx);
        if s.members.is_empty() {
            self.stories.remove(&story);
        } else {
            let span = self.span(&self.stories[&story].members);
            if let Some(s) = self.stories.get_mut(&story) {
                (s.first_seen, s.last_seen) = span;
            }
        }
        self.dirty.insert(story);
    }

    /// First and last publication time of some members.
    fn span(&self, members: &[usize]) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let times = members.iter().filter_map(|&i| self.members[i].time);
        (times.clone().min(), times.max())
    }

    fn attach(&mut self, idx: usize, story_id: i64) {
        let time = self.members[idx].time;
        let s = self.stories.entry(story_id).or_default();
        s.members.push(idx);
        if let Some(t) = time {
            s.first_seen = Some(s.first_seen.map_or(t, |f| f.min(t)));
            s.last_seen = Some(s.last_seen.map_or(t, |l| l.max(t)));
        }
        self.dirty.insert(story_id);
    }

    /// Move every member of `absorb` into `keep`.
    fn merge(&mut self, keep: i64, absorb: i64) {
        let Some(gone) = self.stories.remove(&absorb) else {
            return;
        };
        for &i in &gone.members {
            self.members[i].story = keep;
        }
        let s = self.stories.entry(keep).or_default();
        s.members.extend(gone.members);
        s.first_seen = match (s.first_seen, gone.first_seen) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        s.last_seen = match (s.last_seen, gone.last_seen) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.dirty.insert(keep);
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

    /// Centred cosine between a prepared query and a stored member.
    fn cosine(&self, q: &Query, m: &Member, other: &Member) -> Option<f32> {
        match (&q.centred, &other.raw, &m.emb, &other.emb) {
            (Some(x), Some(y), _, _) => Some(q.means.centred_cosine(x, y, &other.lang)),
            (None, _, Some(a), Some(b)) => Some(dot(a, b)),
            _ => None,
        }
    }

    /// Everything but the embedding between two members.
    fn text_evidence(&self, t: &IdfTable, m: &Member, other: &Member) -> PairEvidence {
        PairEvidence {
            cross_language: m.lang != other.lang,
            cosine: None,
            csls: None,
            words: self.word_overlap(t, &m.words, &other.words),
            names: (self.word_overlap(t, &m.latin_names, &other.arabic_names)
                + self.word_overlap(t, &m.arabic_names, &other.latin_names))
            .min(1.0),
            numbers: (count_shared(&m.numbers, &other.numbers) as f32 / 2.0).min(1.0),
            rounds: signals::Agreement::rounds(&m.signals, &other.signals),
            weekdays: signals::Agreement::weekdays(&m.signals, &other.signals),
            days: signals::Agreement::days(&m.signals, &other.signals),
            actions: signals::Agreement::actions(&m.signals, &other.signals),
            hours_apart: match (m.time, other.time) {
                (Some(a), Some(b)) => Some((a - b).num_seconds().unsigned_abs() as f32 / 3600.0),
                _ => None,
            },
            numbers_disagree: !m.numbers.is_empty()
                && !other.numbers.is_empty()
                && count_shared(&m.numbers, &other.numbers) == 0,
            names_disagree: {
                let has = |x: &Member| !x.latin_names.is_empty() || !x.arabic_names.is_empty();
                has(m)
                    && has(other)
                    && count_shared(&m.latin_names, &other.latin_names) == 0
                    && count_shared(&m.arabic_names, &other.arabic_names) == 0
                    && count_shared(&m.latin_names, &other.arabic_names) == 0
                    && count_shared(&m.arabic_names, &other.latin_names) == 0
            },
        }
    }

    /// Full evidence given the pair's cosine.
    fn evidence(
        &self,
        t: &IdfTable,
        m: &Member,
        other: &Member,
        cosine: Option<f32>,
    ) -> PairEvidence {
        let mut e = self.text_evidence(t, m, other);
        e.cosine = cosine;
        e.csls = cosine.map(|c| 2.0 * c - m.near.mean(&other.lang) - other.near.mean(&m.lang));
        e
    }

    /// Evidence between two stored members (the first as if it arrived now).
    fn member_evidence(&self, t: &IdfTable, a: usize, b: usize) -> PairEvidence {
        let (m, other) = (&self.members[a], &self.members[b]);
        let cosine = self.cosine(&self.query(m), m, other);
        self.evidence(t, m, other, cosine)
    }

    /// Same-happening probability of two stored members.
    fn member_probability(&self, t: &IdfTable, q: &Query, a: usize, b: usize) -> f32 {
        let (m, other) = (&self.members[a], &self.members[b]);
        let cosine = self.cosine(q, m, other);
        self.evidence(t, m, other, cosine)
            .probability(&self.cfg.model)
    }

    /// Whether adding an item at `time` (and the stories `other`, for a merge) would stretch
    /// `story`'s time span beyond the horizon. Undated items never do.
    fn beyond_horizon(&self, story: i64, time: Option<DateTime<Utc>>, other: Option<i64>) -> bool {
        let mut first = time;
        let mut last = time;
        for s in std::iter::once(story).chain(other) {
            let Some(st) = self.stories.get(&s) else {
                continue;
            };
            first = [first, st.first_seen].into_iter().flatten().min();
            last = [last, st.last_seen].into_iter().flatten().max();
        }
        match (first, last) {
            (Some(a), Some(b)) => (b - a).num_seconds() as f64 > self.cfg.horizon_days * 86_400.0,
            _ => false,
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

    /// Per-query state: current language means and the query's centred vector.
    fn query(&self, m: &Member) -> Query {
        let means = CurrentMeans::of(&self.means);
        let centred = match (&m.raw, self.cfg.centring && self.cfg.recentre) {
            (Some(x), true) => Some(means.centre(x, &m.lang)),
            _ => None,
        };
        Query { means, centred }
    }

    /// The shortlisted items with their cosine to `m`; sets `m`'s nearest-neighbour means.
    fn links(&self, m: &mut Member) -> Vec<Link> {
        let candidates =
            self.index
                .shortlist(m.emb.as_deref(), &m.words, self.cfg.shortlist, &self.df);
        let q = self.query(m);
        let links: Vec<Link> = candidates
            .into_iter()
            .map(|idx| (idx, self.cosine(&q, m, &self.members[idx])))
            .collect();
        for &(idx, c) in &links {
            if let Some(c) = c {
                m.near.offer(&self.members[idx].lang, c, self.cfg.csls_k);
            }
        }
        links
    }

    /// A new member is one of its neighbours' nearest items too.
    fn meet_neighbours(&mut self, idx: usize, links: &[Link]) {
        let lang = self.members[idx].lang.clone();
        let k = self.cfg.csls_k;
        for &(other, c) in links {
            if let Some(c) = c
                && other != idx
            {
                self.members[other].near.offer(&lang, c, k);
            }
        }
    }

    /// Live stories ranked by score, best first (ties by story id).
    fn rank_stories(&self, m: &Member, links: &[Link]) -> (Vec<Ranked>, Option<HorizonNote>) {
        let mut per_story: BTreeMap<i64, Vec<(f32, usize, PairEvidence)>> = BTreeMap::new();
        let idf = self.idf_table();
        for &(idx, cosine) in links {
            let other = &self.members[idx];
            let Some(story) = self.stories.get(&other.story) else {
                continue;
            };
            if !self.is_live(story, m.time) {
                continue;
            }
            let ev = self.evidence(&idf, m, other, cosine);
            per_story.entry(other.story).or_default().push((
                ev.probability(&self.cfg.model),
                idx,
                ev,
            ));
        }
        let k = self.cfg.link_top_k.max(1);
        let mut held_back: Vec<(i64, f32)> = Vec::new();
        let mut ranked: Vec<Ranked> = per_story
            .into_iter()
            .filter(|(story, links)| {
                let best = links.iter().map(|l| l.0).fold(0.0f32, f32::max);
                if best > self.cfg.horizon_override || !self.beyond_horizon(*story, m.time, None) {
                    return true;
                }
                held_back.push((*story, best));
                false
            })
            .map(|(story, mut links)| {
                links.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                let best = links[0];
                let top = links.len().min(k);
                let score = links.iter().take(top).map(|l| l.0).sum::<f32>() / top as f32;
                Ranked {
                    story,
                    score,
                    member: best.1,
                    evidence: best.2,
                }
            })
            .collect();
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.story.cmp(&b.story)));
        // The best story held back by the horizon, for Explain.
        let note = held_back
            .into_iter()
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(story, score)| HorizonNote {
                story,
                score,
                span_days: self.span_with(story, m.time),
                horizon_days: self.cfg.horizon_days as f32,
            });
        (ranked, note)
    }

    /// `story`'s time span in days with an item at `time` added.
    fn span_with(&self, story: i64, time: Option<DateTime<Utc>>) -> f32 {
        let Some(s) = self.stories.get(&story) else {
            return 0.0;
        };
        let first = [time, s.first_seen].into_iter().flatten().min();
        let last = [time, s.last_seen].into_iter().flatten().max();
        match (first, last) {
            (Some(a), Some(b)) => (b - a).num_seconds() as f32 / 86_400.0,
            _ => 0.0,
        }
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
        threshold: 0.0,
        parts: Vec::new(),
        matched_item: None,
        runner_up: None,
        new_story: false,
        decision: decision.to_string(),
        regroup: None,
        horizon: None,
    }
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
