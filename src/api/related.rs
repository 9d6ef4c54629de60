//! Related stories: the other happenings of a story's topic, before, after and at the same
//! time, found by meaning in the archive's vector index ([`crate::cluster::related`]).

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{ApiResult, Engine, StorySummary};
use crate::cluster::related::{RELATED_FLOOR, Relation, rank, relation, topic_vector};
use crate::model::Lang;
use crate::store::{ItemQuery, StoreError, StoryFilter};

/// Items the index returns at most for one story's topic vector (many may belong to a few
/// stories, so well above what the list shows).
const RELATED_K: usize = 400;

/// A story related to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct RelatedStory {
    pub story: StorySummary,
    pub relation: Relation,
    /// Days between the two stories' spans (0 when they overlap).
    pub gap_days: f64,
    /// Centred cosine of its closest item to the story's topic vector.
    pub score: f32,
}

/// The related stories of one story, oldest first, or why there are none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct RelatedStories {
    pub stories: Vec<RelatedStory>,
    /// Set when related stories cannot be looked for (no embedding model).
    pub unavailable: Option<String>,
}

impl Engine {
    /// Up to `limit` stories closest in meaning to story `story_id`'s topic, oldest first.
    pub fn related_stories(&self, story_id: i64, limit: usize) -> ApiResult<RelatedStories> {
        let (this, members) = self.with_store(|s| {
            let rec = s
                .story(story_id)?
                .ok_or_else(|| StoreError::NotFound(format!("story {story_id}")))?;
            Ok((rec, s.story_members(story_id)?))
        })?;
        if let Err(e) = self.model() {
            return Ok(RelatedStories {
                stories: Vec::new(),
                unavailable: Some(format!(
                    "Related stories are found by meaning, which needs the embedding model ({e})."
                )),
            });
        }
        let vectors: Vec<(Lang, Vec<f32>)> = self.with_store(|s| {
            let items = s.items(&ItemQuery {
                ids: Some(members.clone()),
                ..Default::default()
            })?;
            let mut out = Vec::with_capacity(items.len());
            for it in items {
                if let Some(v) = s.embedding(it.id)? {
                    out.push((it.lang.unwrap_or(Lang::Und), v));
                }
            }
            Ok(out)
        })?;
        let own: HashSet<i64> = members.iter().copied().collect();
        let hits = {
            let slot = self.meaning_index()?;
            let Some(m) = slot.as_ref() else {
                return Ok(RelatedStories {
                    stories: Vec::new(),
                    unavailable: None,
                });
            };
            let centred: Vec<Vec<f32>> =
                vectors.iter().map(|(l, v)| m.means.centre(l, v)).collect();
            match topic_vector(centred.iter().map(Vec::as_slice)) {
                Some(topic) => m
                    .index
                    .search(&topic, RELATED_FLOOR, RELATED_K, |id| !own.contains(&id)),
                None => Vec::new(),
            }
        };
        let ids: Vec<i64> = hits.iter().map(|h| h.id).collect();
        let story_of: HashMap<i64, i64> = self
            .with_store(|s| s.assignments(&ids))?
            .into_iter()
            .map(|a| (a.item_id, a.story_id))
            .filter(|&(_, story)| story != story_id)
            .collect();
        let picked = rank(
            hits.iter()
                .filter_map(|h| story_of.get(&h.id).map(|&s| (s, h.score))),
            limit,
        );
        if picked.is_empty() {
            return Ok(RelatedStories {
                stories: Vec::new(),
                unavailable: None,
            });
        }
        let summaries: HashMap<i64, StorySummary> = self
            .list_stories(&StoryFilter {
                ids: Some(picked.iter().map(|c| c.story).collect()),
                include_routine: true,
                limit: Some(picked.len() as u32),
                ..Default::default()
            })?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        let mut stories: Vec<RelatedStory> = picked
            .iter()
            .filter_map(|c| {
                let story = summaries.get(&c.story)?.clone();
                let (relation, gap_days) = relation(
                    (this.first_seen, this.last_seen),
                    (story.first_seen, story.last_seen),
                );
                Some(RelatedStory {
                    story,
                    relation,
                    gap_days,
                    score: c.score,
                })
            })
            .collect();
        stories.sort_by(|a, b| {
            a.story
                .first_seen
                .cmp(&b.story.first_seen)
                .then(a.story.id.cmp(&b.story.id))
        });
        Ok(RelatedStories {
            stories,
            unavailable: None,
        })
    }
}
