//! Stories that re-check themselves. Online assignment sees one item against what came before;
//! every few items the stories that changed are looked at as a whole:
//! - **split**: average-linkage clustering of a story's items by pair probability; when the
//!   two top groups link on average below the bar, the group without the story's first item
//!   becomes a new story (the three earthquakes two months apart that one chain of items tied);
//! - **merge**: two stories that a new item linked to both, whose items link on average above
//!   the bar, become one (a Persian and an English story of one happening, which no single
//!   headline pair tied strongly enough).
//!
//! Average links over many pairs average out the noise of one headline. Hand corrections stay:
//! a story holding a pinned item is never merged away, and a group holding one never split
//! off. Runs in story-id order, so results are deterministic.

use serde::Serialize;

use super::{Grouper, Regroup};

/// Stories larger than this are not split (the check is quadratic in the story's size).
const MAX_SPLIT: usize = 300;
/// Pairs sampled per side when two stories are compared for a merge.
const MAX_MERGE_SIDE: usize = 60;

/// An item moved by a re-check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Move {
    pub item_id: i64,
    pub from: i64,
    pub to: i64,
    /// "split" or "merged".
    pub decision: String,
}

impl Grouper {
    /// Re-check every story that changed since the last re-check.
    pub fn recheck(&mut self) {
        self.since_recheck = 0;
        let candidates = std::mem::take(&mut self.merge_candidates);
        for (a, b) in candidates {
            self.try_merge(a, b);
        }
        let dirty = std::mem::take(&mut self.dirty);
        for story in dirty {
            self.try_split(story);
        }
    }

    /// Items moved by re-checks since the last call, in order.
    pub fn take_moves(&mut self) -> Vec<Move> {
        std::mem::take(&mut self.moves)
    }

    fn has_pins(&self, members: &[usize]) -> bool {
        members
            .iter()
            .any(|&i| self.pins.contains_key(&self.members[i].item_id))
    }

    fn try_merge(&mut self, a: i64, b: i64) {
        let (Some(sa), Some(sb)) = (self.stories.get(&a), self.stories.get(&b)) else {
            return;
        };
        if self.has_pins(&sa.members) || self.has_pins(&sb.members) {
            return;
        }
        // Two happenings days apart stay two stories, however alike (see `horizon_days`).
        if self.beyond_horizon(a, None, Some(b)) {
            return;
        }
        let side = |m: &[usize]| -> Vec<usize> {
            let step = m.len().div_ceil(MAX_MERGE_SIDE).max(1);
            m.iter().step_by(step).copied().collect()
        };
        let (xa, xb) = (side(&sa.members), side(&sb.members));
        let idf = self.idf_table();
        let mut sum = 0.0f32;
        for &i in &xa {
            let q = self.query(&self.members[i]);
            for &j in &xb {
                sum += self.member_probability(&idf, &q, i, j);
            }
        }
        let pairs = xa.len() * xb.len();
        let link = sum / pairs.max(1) as f32;
        let bar = self.cfg.join_threshold * self.cfg.merge_factor;
        if link <= bar {
            return;
        }
        // The older story (smaller id) keeps its id.
        let (keep, gone) = (a.min(b), a.max(b));
        let moved: Vec<usize> = self.stories[&gone].members.clone();
        self.merge(keep, gone);
        self.record(&moved, gone, keep, "merged", link, bar, pairs);
    }

    fn try_split(&mut self, story: i64) {
        let Some(s) = self.stories.get(&story) else {
            return;
        };
        let members = s.members.clone();
        let n = members.len();
        if !(2..=MAX_SPLIT).contains(&n) {
            return;
        }
        let idf = self.idf_table();
        let mut condensed = Vec::with_capacity(n * (n - 1) / 2);
        for a in 0..n {
            let q = self.query(&self.members[members[a]]);
            for &mb in &members[a + 1..] {
                condensed.push(1.0 - self.member_probability(&idf, &q, members[a], mb));
            }
        }
        let dendrogram = kodama::linkage(&mut condensed, n, kodama::Method::Average);
        let bar = self.cfg.join_threshold * self.cfg.split_factor;
        // Cut the tree where groups link on average below the bar: every merge step above
        // that dissimilarity is undone.
        let mut groups: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
        let mut alive: Vec<bool> = vec![true; n];
        let mut weakest = 1.0f32;
        let mut cut_pairs = 0usize;
        for step in dendrogram.steps() {
            let link = 1.0 - step.dissimilarity;
            let joined = if link >= bar {
                alive[step.cluster1] = false;
                alive[step.cluster2] = false;
                let mut g = std::mem::take(&mut groups[step.cluster1]);
                g.extend(std::mem::take(&mut groups[step.cluster2]));
                g
            } else {
                if link < weakest {
                    weakest = link;
                    cut_pairs =
                        groups[step.cluster1].len().max(1) * groups[step.cluster2].len().max(1);
                }
                Vec::new()
            };
            // Each step makes a new cluster label; an undone step's label stays empty.
            alive.push(!joined.is_empty());
            groups.push(joined);
        }
        let mut parts: Vec<Vec<usize>> = groups
            .into_iter()
            .zip(alive)
            .filter(|(g, a)| *a && !g.is_empty())
            .map(|(g, _)| g)
            .collect();
        if parts.len() < 2 {
            return;
        }
        // The group holding the story's earliest item keeps the story; the others leave in
        // order of their earliest item, so ids are deterministic.
        let key = |i: usize| {
            let m = &self.members[members[i]];
            (m.time.is_none(), m.time, members[i])
        };
        for p in parts.iter_mut() {
            p.sort_by_key(|&i| key(i));
        }
        parts.sort_by_key(|p| key(p[0]));
        for part in parts.into_iter().skip(1) {
            let leaving: Vec<usize> = part.iter().map(|&i| members[i]).collect();
            if self.has_pins(&leaving) {
                continue;
            }
            let to = self.next_story;
            self.next_story += 1;
            for &i in &leaving {
                self.detach(i);
                self.members[i].story = to;
                self.attach(i, to);
            }
            self.record(&leaving, story, to, "split", weakest, bar, cut_pairs);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        moved: &[usize],
        from: i64,
        to: i64,
        decision: &str,
        link: f32,
        bar: f32,
        pairs: usize,
    ) {
        for &i in moved {
            let m = &mut self.members[i];
            m.explanation.decision = decision.to_string();
            m.explanation.new_story = false;
            m.explanation.regroup = Some(Regroup {
                from_story: from,
                link,
                bar,
                pairs,
            });
            self.moves.push(Move {
                item_id: m.item_id,
                from,
                to,
                decision: decision.to_string(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use crate::cluster::{Grouper, GroupingConfig, ItemFeatures};
    use crate::model::Lang;

    /// A unit vector near axis `axis` (384 dims, as the model's), nudged by `k`.
    fn vector(axis: usize, k: usize) -> Vec<f32> {
        let mut v = vec![0.0f32; 384];
        v[axis] = 1.0;
        v[(axis + 7 + k) % 384] = 0.15;
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    /// Two happenings two months apart with unrelated wording, stored in one story (as an
    /// older grouping left them).
    fn two_happenings_in_one_story() -> (Grouper, Vec<i64>, Vec<i64>) {
        let t0 = Utc
            .with_ymd_and_hms(2025, 8, 31, 12, 0, 0)
            .single()
            .expect("date");
        let mut g = Grouper::new(GroupingConfig::default());
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for k in 0..4 {
            let id = k as i64 + 1;
            g.restore(
                ItemFeatures {
                    item_id: id,
                    lang: Lang::En,
                    published: Some(t0 + Duration::hours(k as i64)),
                    source: format!("outlet {k}"),
                    title: format!("Earthquake in Kunar kills hundreds, report {k}"),
                    text: String::new(),
                    embedding: Some(vector(3, k)),
                },
                1,
            );
            a.push(id);
            let id = k as i64 + 11;
            g.restore(
                ItemFeatures {
                    item_id: id,
                    lang: Lang::En,
                    published: Some(t0 + Duration::days(64) + Duration::hours(k as i64)),
                    source: format!("outlet {k}"),
                    title: format!("Ceasefire talks open in Istanbul, update {k}"),
                    text: String::new(),
                    embedding: Some(vector(200, k)),
                },
                1,
            );
            b.push(id);
        }
        (g, a, b)
    }

    #[test]
    fn a_story_of_two_happenings_splits_and_says_why() {
        let (mut g, a, b) = two_happenings_in_one_story();
        g.recheck();
        let first = g.story_of(a[0]).expect("held");
        assert_eq!(first, 1, "the group with the earliest item keeps the story");
        for id in &a {
            assert_eq!(g.story_of(*id), Some(1));
        }
        let other = g.story_of(b[0]).expect("held");
        assert_ne!(other, 1);
        for id in &b {
            assert_eq!(g.story_of(*id), Some(other));
            let e = g.explain(*id).expect("explained");
            assert_eq!(e.decision, "split");
            let r = e.regroup.as_ref().expect("regroup details");
            assert_eq!(r.from_story, 1);
            assert!(r.link < r.bar, "{r:?}");
        }
        let moves = g.take_moves();
        assert_eq!(moves.len(), b.len());
        assert!(moves.iter().all(|m| m.from == 1 && m.to == other));
        // Settled: a second re-check changes nothing.
        g.recheck();
        assert!(g.take_moves().is_empty());
    }

    #[test]
    fn a_pinned_group_is_not_split_off() {
        let (mut g, _, b) = two_happenings_in_one_story();
        g.pin(b[0], 1);
        g.recheck();
        assert_eq!(g.story_of(b[0]), Some(1));
        assert_eq!(g.story_of(b[1]), Some(1), "the pin holds its whole group");
    }

    /// The same outlet's near-identical headline on `days` (hours after a start), as assigned.
    fn daily(g: &mut Grouper, days: &[i64]) -> Vec<i64> {
        let t0 = Utc
            .with_ymd_and_hms(2025, 11, 3, 9, 0, 0)
            .single()
            .expect("date");
        days.iter()
            .enumerate()
            .map(|(k, d)| {
                g.assign(ItemFeatures {
                    item_id: 100 + k as i64,
                    lang: Lang::En,
                    published: Some(t0 + Duration::days(*d)),
                    source: "recaps".into(),
                    title: format!("Game recap: home side beat visitors, match {k}"),
                    text: String::new(),
                    embedding: Some(vector(40, k % 2)),
                })
                .story_id
            })
            .collect()
    }

    #[test]
    fn a_story_does_not_grow_beyond_its_time_horizon() {
        let mut g = Grouper::new(GroupingConfig::default());
        let stories = daily(&mut g, &[0, 1, 2, 3, 5, 6, 7]);
        // Days 0–3 are one story (span 3 days, within the 4-day horizon); day 5 would stretch it
        // to 5 days, so it starts another, which days 6 and 7 join.
        assert!(stories[..4].iter().all(|s| *s == stories[0]), "{stories:?}");
        assert_ne!(stories[4], stories[0], "{stories:?}");
        assert!(stories[4..].iter().all(|s| *s == stories[4]), "{stories:?}");
        // Explain says which story it matched and why it did not join.
        let note = g
            .explain(104)
            .and_then(|e| e.horizon.clone())
            .expect("note");
        assert_eq!(note.story, stories[0]);
        assert!(note.span_days > note.horizon_days, "{note:?}");
        // The re-check does not merge them back.
        g.recheck();
        assert_ne!(g.story_of(100), g.story_of(104));
        // Without a horizon the same stream is one growing story.
        let mut open = Grouper::new(GroupingConfig {
            horizon_days: 3650.0,
            ..GroupingConfig::default()
        });
        let one = daily(&mut open, &[0, 1, 2, 3, 5, 6, 7]);
        assert!(one.iter().all(|s| *s == one[0]), "{one:?}");
    }

    #[test]
    fn recheck_is_deterministic() {
        let (mut g1, ..) = two_happenings_in_one_story();
        let (mut g2, ..) = two_happenings_in_one_story();
        g1.recheck();
        g2.recheck();
        assert_eq!(g1.take_moves(), g2.take_moves());
    }
}
