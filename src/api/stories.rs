//! Story lists, story detail with propagation, and manual corrections.

use std::collections::HashMap;

use super::{
    ApiError, ApiResult, Engine, Explanation, OutletLag, SourceRef, StoryDetail, StoryItem,
    StorySummary,
};
use crate::model::{Lang, Source, TimeSource};
use crate::store::{ItemQuery, Store, StoreError, StoredItem, StoryFilter, StoryRecord};

impl Engine {
    pub fn list_stories(&self, filter: &StoryFilter) -> ApiResult<Vec<StorySummary>> {
        self.with_store(|s| {
            let records = s.stories(filter)?;
            let names = source_map_for(
                s,
                records.iter().filter_map(|r| r.first_source_id.as_deref()),
            )?;
            Ok(records.into_iter().map(|r| summary(r, &names)).collect())
        })
    }

    pub fn get_story(&self, story_id: i64) -> ApiResult<StoryDetail> {
        self.with_store(|s| {
            let rec = s
                .story(story_id)?
                .ok_or_else(|| StoreError::NotFound(format!("story {story_id}")))?;
            let ids = s.story_members(story_id)?;
            let stored = s.items(&ItemQuery {
                ids: Some(ids),
                ascending: true,
                ..Default::default()
            })?;
            let names = source_map_for(
                s,
                stored
                    .iter()
                    .map(|i| i.item.source_id.as_str())
                    .chain(rec.first_source_id.as_deref()),
            )?;
            let mut items = story_items_of(s, stored, &names)?;
            items.sort_by(|a, b| a.published.cmp(&b.published).then(a.id.cmp(&b.id)));
            let propagation = propagation(&items);
            Ok(StoryDetail {
                summary: summary(rec, &names),
                items,
                propagation,
            })
        })
    }

    /// Items by id, shaped for display (search results, explain).
    pub fn story_items(&self, ids: &[i64]) -> ApiResult<Vec<StoryItem>> {
        self.with_store(|s| {
            let stored = s.items(&ItemQuery {
                ids: Some(ids.to_vec()),
                ..Default::default()
            })?;
            let names = source_map_for(s, stored.iter().map(|i| i.item.source_id.as_str()))?;
            story_items_of(s, stored, &names)
        })
    }

    pub fn move_item(&self, item_id: i64, to_story: i64) -> ApiResult<()> {
        let from = self
            .with_store(|s| s.assignment(item_id))?
            .map(|a| a.story_id);
        self.with_store(|s| s.move_item(item_id, to_story))?;
        self.emit(super::Change::StoriesUpdated {
            ids: from.into_iter().chain([to_story]).collect(),
        });
        Ok(())
    }

    pub fn split_story(&self, story_id: i64, item_ids: &[i64]) -> ApiResult<i64> {
        let new = self.with_store(|s| s.split_story(story_id, item_ids))?;
        self.emit(super::Change::StoriesUpdated {
            ids: vec![story_id, new],
        });
        Ok(new)
    }

    pub fn merge_stories(&self, into: i64, from: i64) -> ApiResult<()> {
        self.with_store(|s| s.merge_stories(into, from))?;
        self.emit(super::Change::StoriesUpdated {
            ids: vec![into, from],
        });
        Ok(())
    }

    /// Why an item is in its story.
    pub fn explain_item(&self, item_id: i64) -> ApiResult<(i64, Explanation)> {
        let a = self.with_store(|s| s.assignment(item_id))?.ok_or_else(|| {
            ApiError::precondition(format!("item {item_id} is not in a story yet"))
        })?;
        Ok((a.story_id, explanation(&a)))
    }
}

pub(super) fn source_map(s: &Store) -> Result<HashMap<String, Source>, StoreError> {
    Ok(s.sources()?
        .into_iter()
        .map(|x| (x.id.clone(), x))
        .collect())
}

/// Only the outlets these ids name (a story or a page of stories needs few of thousands).
pub(super) fn source_map_for<'a>(
    s: &Store,
    ids: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, Source>, StoreError> {
    let ids: Vec<&str> = ids
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    Ok(s.sources_by_ids(&ids)?
        .into_iter()
        .map(|x| (x.id.clone(), x))
        .collect())
}

fn source_ref(id: &str, names: &HashMap<String, Source>) -> SourceRef {
    names
        .get(id)
        .map(SourceRef::of)
        .unwrap_or_else(|| SourceRef::unknown(id))
}

pub(super) fn summary(r: StoryRecord, names: &HashMap<String, Source>) -> StorySummary {
    StorySummary {
        id: r.id,
        headlines: r.headlines,
        languages: r.languages,
        item_count: r.item_count,
        outlet_count: r.outlet_count,
        first_seen: r.first_seen,
        last_seen: r.last_seen,
        first_source: r.first_source_id.as_deref().map(|id| source_ref(id, names)),
        routine: r.routine,
    }
}

fn explanation(a: &crate::store::StoryAssignment) -> Explanation {
    let mut e = a
        .explanation
        .as_deref()
        .and_then(|j| serde_json::from_str::<Explanation>(j).ok())
        .unwrap_or(Explanation {
            score: a.score.unwrap_or(0.0),
            threshold: 0.0,
            parts: Vec::new(),
            matched_item: None,
            runner_up: None,
            new_story: false,
            decision: String::new(),
            regroup: None,
            manual: false,
            horizon: None,
        });
    e.manual = e.manual || a.pinned;
    e
}

pub(super) fn story_item(
    s: &Store,
    it: StoredItem,
    names: &HashMap<String, Source>,
) -> Result<StoryItem, StoreError> {
    let a = s.assignment(it.id)?;
    Ok(display_item(it, a.as_ref(), names))
}

/// Many items shaped for display, their assignments read in one query.
pub(super) fn story_items_of(
    s: &Store,
    items: Vec<StoredItem>,
    names: &HashMap<String, Source>,
) -> Result<Vec<StoryItem>, StoreError> {
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let assigned: HashMap<i64, crate::store::StoryAssignment> = s
        .assignments(&ids)?
        .into_iter()
        .map(|a| (a.item_id, a))
        .collect();
    Ok(items
        .into_iter()
        .map(|it| {
            let a = assigned.get(&it.id);
            display_item(it, a, names)
        })
        .collect())
}

fn display_item(
    it: StoredItem,
    a: Option<&crate::store::StoryAssignment>,
    names: &HashMap<String, Source>,
) -> StoryItem {
    let explanation = a.map(explanation);
    StoryItem {
        id: it.id,
        source: source_ref(&it.item.source_id, names),
        lang: it
            .lang
            .clone()
            .or(it.item.declared_lang.clone())
            .unwrap_or(Lang::Und),
        lang_confidence: it.lang_confidence,
        title: it.item.title,
        summary_html: it.item.summary_html,
        summary_text: it.item.summary_text,
        url: it.item.url,
        published: it.item.published,
        time_estimated: it.item.time_source == TimeSource::Fetched,
        explanation,
    }
}

/// First appearance per outlet, with the lag behind the story's first report.
fn propagation(items: &[StoryItem]) -> Vec<OutletLag> {
    let Some(first) = items.first() else {
        return Vec::new();
    };
    let mut seen = std::collections::HashSet::new();
    items
        .iter()
        .filter(|i| seen.insert(i.source.id.clone()))
        .map(|i| OutletLag {
            source: i.source.clone(),
            lang: i.lang.clone(),
            item_id: i.id,
            first_at: i.published,
            lag_secs: (i.published - first.published).num_seconds(),
        })
        .collect()
}
