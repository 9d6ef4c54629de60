//! Writing prepared data into the archive (imports, fixtures, benchmark corpora) and a few
//! archive-wide facts, so that callers outside the engine never hold the store themselves.

use serde::Serialize;

use super::{ApiResult, Engine};
use crate::model::{Item, Lang, Source};
use crate::store::StoryAssignment;

/// How much the archive holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ArchiveCounts {
    pub items: i64,
    /// Items that belong to a story.
    pub grouped: i64,
    pub stories: i64,
}

impl Engine {
    /// Add sources as given, or update them (the user's enable/interval choices stay, as for any
    /// upsert; a feed URL another source owns is refused).
    pub fn save_sources(&self, sources: &[Source]) -> ApiResult<()> {
        self.with_store(|s| sources.iter().try_for_each(|src| s.upsert_source(src)))
    }

    /// Store items whose language is already known (an import, a fixture, a benchmark corpus):
    /// each is stored with its language at confidence 1, without detection, embedding or
    /// grouping. Returns each item's row id in order, `None` for one already in the archive.
    pub fn store_items(&self, items: &[(Item, Lang)]) -> ApiResult<Vec<Option<i64>>> {
        self.with_store(|s| {
            let plain: Vec<Item> = items.iter().map(|(it, _)| it.clone()).collect();
            let ids = s.insert_items(&plain)?.ids;
            let langs: Vec<(i64, Lang, f64)> = ids
                .iter()
                .zip(items)
                .filter_map(|(id, (_, lang))| id.map(|id| (id, lang.clone(), 1.0)))
                .collect();
            s.set_languages(&langs)?;
            Ok(ids)
        })
    }

    /// Make the given items one new story by hand. Like any correction it is pinned: regrouping
    /// keeps it. Returns the new story's id.
    pub fn create_story(&self, item_ids: &[i64]) -> ApiResult<i64> {
        if item_ids.is_empty() {
            return Err(super::ApiError::precondition(
                "a story needs at least one item",
            ));
        }
        let story = self.with_store(|s| {
            let story = s.new_story_id()?;
            let rows: Vec<StoryAssignment> = item_ids
                .iter()
                .map(|&item_id| StoryAssignment {
                    item_id,
                    story_id: story,
                    score: None,
                    explanation: None,
                    pinned: true,
                    routine: false,
                })
                .collect();
            s.assign(&rows)?;
            Ok(story)
        })?;
        self.emit(super::Change::StoriesUpdated { ids: vec![story] });
        Ok(story)
    }

    /// Items, grouped items and stories in the archive.
    pub fn archive_counts(&self) -> ApiResult<ArchiveCounts> {
        self.with_store(|s| {
            Ok(ArchiveCounts {
                items: s.item_count()?,
                grouped: s.grouped_item_count()?,
                stories: s.story_count()?,
            })
        })
    }

    /// The archive's own consistency check: the problems found, none when it is sound.
    pub fn check_integrity(&self) -> ApiResult<Vec<String>> {
        self.with_store(|s| s.integrity_check())
    }

    /// The story with the most items, and its size.
    pub fn largest_story(&self) -> ApiResult<Option<(i64, u32)>> {
        self.with_store(|s| s.largest_story())
    }

    /// Forget a story's stored carry and framing analysis: the next call computes it afresh.
    pub fn clear_story_analysis(&self, story_id: i64) -> ApiResult<()> {
        self.with_store(|s| s.clear_story_analysis(story_id))
    }

    /// Store item embeddings computed elsewhere (benchmark archives with synthetic vectors).
    #[cfg(feature = "eval")]
    pub fn put_embeddings(&self, model: &str, rows: &[(i64, Vec<f32>)]) -> ApiResult<()> {
        self.with_store(|s| {
            rows.iter()
                .try_for_each(|(id, v)| s.put_embedding(*id, model, v))
        })
    }
}
