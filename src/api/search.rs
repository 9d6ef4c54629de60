//! Search: folded full-text (Arabic letters find Persian spellings and back) and, with the model
//! installed, by meaning across languages; grouped by story and filtered like the stories list.
//!
//! Meaning search embeds the query as the pipeline embeds items (e5 `query: ` prefix on both
//! sides: the stored vectors are symmetric-task vectors), removes each side's language mean and
//! scans an in-memory int8 index of every stored item vector. The index is built from the
//! archive on first use and kept current by the pipeline ([`Engine::index_meanings`]).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use super::stories::{source_map, story_item, summary};
use super::{ApiResult, Engine, MatchKind, SearchGroup, SearchItemHit, SearchQuery};
use crate::cluster::LangMeans;
use crate::embed::MODEL_TAG;
use crate::embed::index::{BACKGROUND_WEIGHT, Neighbour, VectorIndex};
use crate::model::Lang;
use crate::store::{ItemQuery, StoryFilter};

/// Lowest centred cosine an item found only by meaning needs. `parallax eval search`: above the
/// 99th percentile of other stories' scores for four-word queries on all three dev sets
/// (0.19–0.24) and for headline queries on NTREX (0.23); 93% of NTREX translations pass it.
pub const MEANING_FLOOR: f32 = 0.25;
/// At most this many items found by meaning (text hits are not limited by it).
const MEANING_K: usize = 50;
/// Reciprocal-rank fusion constant: text and meaning ranks weigh alike.
const RRF_K: f64 = 60.0;
/// Embeddings read per archive lock while building the index.
const BUILD_PAGE: usize = 2000;

/// The vector index behind search by meaning; `None` until first used.
#[derive(Default)]
pub(super) struct MeaningIndex {
    index: Mutex<Option<Meanings>>,
}

/// Centred item vectors and the language means they were centred with. Centred cosines find
/// translations far better than raw ones: NTREX recall@10 0.85 raw, 0.96 centred with archive
/// means (`parallax eval search`).
pub(super) struct Meanings {
    pub(super) index: VectorIndex,
    pub(super) means: LangMeans,
}

impl MeaningIndex {
    /// The lock is recovered after a panic: the index holds no half-done state worth refusing.
    fn lock(&self) -> MutexGuard<'_, Option<Meanings>> {
        self.index.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Meanings {
    fn add(&mut self, id: i64, lang: &Lang, v: &[f32]) {
        // A vector seen again (items re-processed) must not count twice in the means.
        if !self.index.contains(id) {
            self.means.add(lang, v);
        }
        self.index.upsert(id, &self.means.centre(lang, v));
    }
}

/// One found item before grouping.
struct Found {
    fused: f64,
    kind: MatchKind,
    score: f32,
}

/// Hits of one story (or one ungrouped item), with fused ranks.
struct Group {
    story: Option<i64>,
    best: f64,
    hits: Vec<(f64, SearchItemHit)>,
}

fn rrf(rank: usize) -> f64 {
    1.0 / (RRF_K + rank as f64)
}

impl Engine {
    pub fn search(&self, q: &SearchQuery) -> ApiResult<Vec<SearchGroup>> {
        let limit = q.limit.unwrap_or(200) as usize;
        // Embedding the query takes tens of milliseconds: done before taking the archive lock.
        let meaning = if q.semantic {
            self.search_meaning(&q.text, MEANING_K.min(limit))?
        } else {
            Vec::new()
        };
        self.with_store(|s| {
            let text_hits = s.search_text(&q.text, limit)?;
            let mut found: HashMap<i64, Found> = HashMap::new();
            for (rank, h) in text_hits.iter().enumerate() {
                found.insert(
                    h.item_id,
                    Found {
                        fused: rrf(rank),
                        kind: MatchKind::Text,
                        score: -h.rank as f32,
                    },
                );
            }
            // An item found both ways stays a text hit, ranked higher for the agreement.
            for (rank, n) in meaning.iter().enumerate() {
                found
                    .entry(n.id)
                    .or_insert(Found {
                        fused: 0.0,
                        kind: MatchKind::Meaning,
                        score: n.score,
                    })
                    .fused += rrf(rank);
            }
            let names = source_map(s)?;
            let items = s.items(&ItemQuery {
                ids: Some(found.keys().copied().collect()),
                ..Default::default()
            })?;
            // Group by story; a group ranks by its best item.
            let mut groups: Vec<Group> = Vec::new();
            for it in items {
                let Some(f) = found.remove(&it.id) else {
                    continue;
                };
                let story = s.assignment(it.id)?.map(|a| a.story_id);
                let hit = SearchItemHit {
                    item: story_item(s, it, &names)?,
                    kind: f.kind,
                    score: f.score,
                };
                match groups
                    .iter_mut()
                    .find(|g| story.is_some() && g.story == story)
                {
                    Some(g) => {
                        g.best = g.best.max(f.fused);
                        g.hits.push((f.fused, hit));
                    }
                    None => groups.push(Group {
                        story,
                        best: f.fused,
                        hits: vec![(f.fused, hit)],
                    }),
                }
            }
            groups.sort_by(|a, b| b.best.total_cmp(&a.best));
            // Apply the story filters (languages, outlet, ownership, time) to the grouped stories.
            let filter_active = !q.filter.languages.is_empty()
                || q.filter.cross_lingual_only
                || q.filter.source_id.is_some()
                || q.filter.ownership.is_some()
                || q.filter.since.is_some()
                || q.filter.until.is_some();
            let story_ids: Vec<i64> = groups.iter().filter_map(|g| g.story).collect();
            let stories: HashMap<i64, _> = s
                .stories(&StoryFilter {
                    limit: Some(story_ids.len() as u32),
                    ids: Some(story_ids),
                    ..q.filter.clone()
                })?
                .into_iter()
                .map(|r| (r.id, r))
                .collect();
            let mut out = Vec::new();
            for Group {
                story, mut hits, ..
            } in groups
            {
                let rec = story.and_then(|id| stories.get(&id).cloned());
                if filter_active && rec.is_none() {
                    continue;
                }
                hits.sort_by(|a, b| b.0.total_cmp(&a.0));
                out.push(SearchGroup {
                    story: rec.map(|r| summary(r, &names)),
                    hits: hits.into_iter().map(|(_, h)| h).collect(),
                });
            }
            Ok(out)
        })
    }

    /// Items whose meaning is close to `text`, best first. Without the model: none (the UI says
    /// why from the status line).
    fn search_meaning(&self, text: &str, k: usize) -> ApiResult<Vec<Neighbour>> {
        let text = text.trim();
        let Ok(model) = self.model() else {
            return Ok(Vec::new());
        };
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let v = model.embed(&[text])?.pop().unwrap_or_default();
        let lang = self.detector()?.detect(text, None).lang;
        let slot = self.meaning_index()?;
        Ok(slot
            .as_ref()
            .map(|m| {
                m.index
                    .search(&m.means.centre(&lang, &v), MEANING_FLOOR, k, |_| true)
            })
            .unwrap_or_default())
    }

    /// The index, built from the archive's stored vectors on first use: one pass for the
    /// language means, one to centre and quantise. The archive lock is taken one page at a time,
    /// so fetching and reading go on while a large archive loads.
    pub(super) fn meaning_index(&self) -> ApiResult<MutexGuard<'_, Option<Meanings>>> {
        let mut slot = self.inner.pipeline.meaning.lock();
        if slot.is_none() {
            let mut means = LangMeans::with_background(BACKGROUND_WEIGHT);
            self.each_stored_vector(|_, lang, v| means.add(lang, v))?;
            let mut index = VectorIndex::new();
            self.each_stored_vector(|id, lang, v| {
                index.upsert(id, &means.centre(lang, v));
            })?;
            tracing::debug!(
                items = index.len(),
                bytes = index.bytes(),
                "search: meaning index built"
            );
            *slot = Some(Meanings { index, means });
        }
        Ok(slot)
    }

    fn each_stored_vector(&self, mut f: impl FnMut(i64, &Lang, &[f32])) -> ApiResult<()> {
        let mut after = i64::MIN;
        loop {
            let page = self.with_store(|s| s.embeddings_after(MODEL_TAG, after, BUILD_PAGE))?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = last.0;
            for (id, lang, v) in &page {
                f(*id, lang.as_ref().unwrap_or(&Lang::Und), v);
            }
        }
    }

    /// Keep the meaning index current with vectors the pipeline just stored (or re-read). Before
    /// the index is first built there is nothing to do: the build reads them from the archive.
    pub(super) fn index_meanings<'a>(
        &self,
        rows: impl Iterator<Item = (i64, &'a Lang, &'a Vec<f32>)>,
    ) {
        let mut slot = self.inner.pipeline.meaning.lock();
        if let Some(m) = slot.as_mut() {
            for (id, lang, v) in rows.filter(|r| !r.2.is_empty()) {
                m.add(id, lang, v);
            }
        }
    }

    /// Items in the meaning index (0 until it is first built).
    pub fn meaning_index_len(&self) -> usize {
        self.inner
            .pipeline
            .meaning
            .lock()
            .as_ref()
            .map_or(0, |m| m.index.len())
    }
}
