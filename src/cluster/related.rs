//! Related stories: the happenings around one story (the talk round before, the retaliation
//! after, the rival account the same day), found by meaning across languages.
//!
//! A story is one happening with a time horizon, so a long-running topic becomes many stories.
//! The analyst still needs the chain: a story's items, language-centred and averaged, give one
//! topic vector (a story's items average out the noise of one headline, as in story-level
//! linking); other stories are ranked by their closest item to it. The floor is measured by
//! `parallax eval related` on the dev sets.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Lowest centred cosine between a story's topic vector and an item of another story for the
/// two to count as related. `parallax eval related` (the 32 gold stories of the two dense dev
/// sets against every dev story) picks the floor that maximises near-miss recall × (1 − off-topic
/// share): at 0.45, 23 of the 26 near-miss pairs are listed and 10.1% of the stories listed come
/// from another set (off topic, an upper bound); 0.40 lists 24 with 16.3%, 0.50 lists 19 with 3.6%.
pub const RELATED_FLOOR: f32 = 0.45;

/// Where a related story lies in time relative to the story it is related to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Relation {
    /// Ended before this story began.
    Earlier,
    /// Began after this story ended.
    Later,
    /// The spans overlap: another happening at the same time, or a part the grouper kept apart
    /// (the analyst can merge it).
    SameTime,
}

/// Where `other` lies relative to `this`, and the gap between the spans in days (0 when they
/// overlap).
pub fn relation(
    this: (DateTime<Utc>, DateTime<Utc>),
    other: (DateTime<Utc>, DateTime<Utc>),
) -> (Relation, f64) {
    let days = |d: chrono::Duration| d.num_seconds() as f64 / 86_400.0;
    if other.1 < this.0 {
        (Relation::Earlier, days(this.0 - other.1))
    } else if other.0 > this.1 {
        (Relation::Later, days(other.0 - this.1))
    } else {
        (Relation::SameTime, 0.0)
    }
}

/// The topic vector of a story: the normalised mean of its items' language-centred vectors.
/// `None` when no item has a vector.
pub fn topic_vector<'a>(centred: impl IntoIterator<Item = &'a [f32]>) -> Option<Vec<f32>> {
    let mut sum: Vec<f32> = Vec::new();
    for v in centred {
        if sum.is_empty() {
            sum = vec![0.0; v.len()];
        }
        if v.len() != sum.len() {
            continue;
        }
        for (s, x) in sum.iter_mut().zip(v) {
            *s += x;
        }
    }
    let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
    (norm > 0.0).then(|| sum.iter().map(|x| x / norm).collect())
}

/// A candidate story: its closest item's cosine to the topic vector and how many of its items
/// passed the floor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub story: i64,
    pub score: f32,
    pub items: u32,
}

/// Rank the stories of `hits` (story, cosine), best first: each by its closest item, ties by
/// more items then the lower id (deterministic).
pub fn rank(hits: impl IntoIterator<Item = (i64, f32)>, limit: usize) -> Vec<Candidate> {
    let mut by_story: std::collections::BTreeMap<i64, Candidate> = Default::default();
    for (story, score) in hits {
        let c = by_story.entry(story).or_insert(Candidate {
            story,
            score,
            items: 0,
        });
        c.score = c.score.max(score);
        c.items += 1;
    }
    let mut out: Vec<Candidate> = by_story.into_values().collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.items.cmp(&a.items))
            .then(a.story.cmp(&b.story))
    });
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2025-06-{d:02}T12:00:00Z"))
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn relation_says_which_side_and_how_far() {
        let this = (day(10), day(12));
        assert_eq!(relation(this, (day(3), day(5))), (Relation::Earlier, 5.0));
        assert_eq!(relation(this, (day(15), day(16))), (Relation::Later, 3.0));
        assert_eq!(
            relation(this, (day(11), day(20))),
            (Relation::SameTime, 0.0)
        );
    }

    #[test]
    fn topic_vector_is_the_normalised_mean() {
        let a = [1.0f32, 0.0];
        let b = [0.0f32, 1.0];
        let t = topic_vector([&a[..], &b[..]]).unwrap();
        assert!((t[0] - t[1]).abs() < 1e-6 && (t[0] - 0.70710677).abs() < 1e-6);
        assert!(topic_vector(std::iter::empty()).is_none());
        assert!(topic_vector([&[0.0f32, 0.0][..]]).is_none());
    }

    #[test]
    fn rank_keeps_each_storys_closest_item_best_first() {
        let r = rank([(7, 0.61), (9, 0.70), (7, 0.75), (8, 0.70), (8, 0.65)], 2);
        assert_eq!(
            r,
            vec![
                Candidate {
                    story: 7,
                    score: 0.75,
                    items: 2
                },
                Candidate {
                    story: 8,
                    score: 0.70,
                    items: 2
                },
            ]
        );
    }
}
