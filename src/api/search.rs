//! Search: folded full-text (Arabic letters find Persian spellings and back), grouped by story.

use std::collections::HashMap;

use super::stories::{source_map, story_item, summary};
use super::{ApiResult, Engine, MatchKind, SearchGroup, SearchItemHit, SearchQuery};
use crate::store::{ItemQuery, StoryFilter};

impl Engine {
    pub fn search(&self, q: &SearchQuery) -> ApiResult<Vec<SearchGroup>> {
        let limit = q.limit.unwrap_or(200) as usize;
        self.with_store(|s| {
            let hits = s.search_text(&q.text, limit)?;
            let names = source_map(s)?;
            let ranks: HashMap<i64, f64> = hits.iter().map(|h| (h.item_id, h.rank)).collect();
            let items = s.items(&ItemQuery {
                ids: Some(hits.iter().map(|h| h.item_id).collect()),
                ..Default::default()
            })?;
            // Group by story, keeping the best (lowest bm25) hit's order.
            let mut groups: Vec<(Option<i64>, f64, Vec<SearchItemHit>)> = Vec::new();
            for it in items {
                let rank = ranks.get(&it.id).copied().unwrap_or(0.0);
                let story = s.assignment(it.id)?.map(|a| a.story_id);
                let hit = SearchItemHit {
                    item: story_item(s, it, &names)?,
                    kind: MatchKind::Text,
                    score: -rank as f32,
                };
                match groups.iter_mut().find(|g| story.is_some() && g.0 == story) {
                    Some(g) => {
                        g.1 = g.1.min(rank);
                        g.2.push(hit);
                    }
                    None => groups.push((story, rank, vec![hit])),
                }
            }
            groups.sort_by(|a, b| a.1.total_cmp(&b.1));
            // Apply the story filters (languages, outlet, ownership, time) to the grouped stories.
            let filter_active = !q.filter.languages.is_empty()
                || q.filter.cross_lingual_only
                || q.filter.source_id.is_some()
                || q.filter.ownership.is_some()
                || q.filter.since.is_some()
                || q.filter.until.is_some();
            let story_ids: Vec<i64> = groups.iter().filter_map(|g| g.0).collect();
            let stories: HashMap<i64, _> = s
                .stories(&StoryFilter {
                    ids: Some(story_ids),
                    limit: Some(limit as u32),
                    ..q.filter.clone()
                })?
                .into_iter()
                .map(|r| (r.id, r))
                .collect();
            let mut out = Vec::new();
            for (story, _, mut hits) in groups {
                hits.sort_by(|a, b| b.score.total_cmp(&a.score));
                let rec = story.and_then(|id| stories.get(&id).cloned());
                if filter_active && rec.is_none() {
                    continue;
                }
                out.push(SearchGroup {
                    story: rec.map(|r| summary(r, &names)),
                    hits,
                });
            }
            Ok(out)
        })
    }
}
