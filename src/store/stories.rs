//! Stories: which item belongs to which story, why, and the per-story summary the lists show.
//!
//! Story aggregates are derived data, recomputed from `story_items` whenever membership changes.
//! Manual corrections are rows with `pinned = 1`; regrouping never moves a pinned item.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, ToSql, params};
use serde::{Deserialize, Serialize};

use super::sources::ownership_str;
use super::{Result, SqliteStore, StoreError, parse_ts, ts};
use crate::model::{Lang, Ownership};

/// The representative headline of a story in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Headline {
    pub lang: Lang,
    pub item_id: i64,
    pub title: String,
    pub source_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct StoryRecord {
    pub id: i64,
    #[ts(type = "string")]
    pub first_seen: DateTime<Utc>,
    #[ts(type = "string")]
    pub last_seen: DateTime<Utc>,
    pub item_count: u32,
    pub outlet_count: u32,
    pub languages: Vec<Lang>,
    pub first_source_id: Option<String>,
    pub first_item_id: Option<i64>,
    pub headlines: Vec<Headline>,
    /// Most of its items belong to routine series (see `cluster::routine`).
    pub routine: bool,
}

/// One item's membership: where it is and why.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StoryAssignment {
    pub item_id: i64,
    pub story_id: i64,
    pub score: Option<f32>,
    /// The grouping's explanation as JSON (score parts, matched item, runner-up).
    pub explanation: Option<String>,
    pub pinned: bool,
    /// The grouper found the item part of a routine series of its outlet.
    pub routine: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(default)]
pub struct StoryFilter {
    /// Keep stories that have at least one item in any of these languages (empty: all).
    pub languages: Vec<Lang>,
    pub cross_lingual_only: bool,
    /// Also rank stories made of routine series (horoscopes, weather…), which are left out
    /// by default. Search results (`ids`) always include them.
    pub include_routine: bool,
    pub source_id: Option<String>,
    pub ownership: Option<Ownership>,
    #[ts(type = "string | null")]
    pub since: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    pub until: Option<DateTime<Utc>>,
    /// Only these stories (search results).
    pub ids: Option<Vec<i64>>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

impl SqliteStore {
    /// Allocate a new, empty story id.
    pub fn new_story_id(&self) -> Result<i64> {
        let now = ts(&Utc::now());
        self.conn().execute(
            "INSERT INTO stories(first_seen, last_seen, item_count, outlet_count, languages, lang_count, headlines, updated_at)
             VALUES (?1, ?1, 0, 0, '', 0, '[]', ?1)",
            [&now],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Make sure a story row with this id exists (the grouper allocates ids itself).
    pub fn ensure_story(&self, id: i64) -> Result<()> {
        let now = ts(&Utc::now());
        self.conn().execute(
            "INSERT OR IGNORE INTO stories(id, first_seen, last_seen, item_count, outlet_count, languages, lang_count, headlines, updated_at)
             VALUES (?1, ?2, ?2, 0, 0, '', 0, '[]', ?2)",
            params![id, now],
        )?;
        Ok(())
    }

    pub fn max_story_id(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT coalesce(max(id), 0) FROM stories", [], |r| r.get(0))?)
    }

    /// Record automatic assignments. Pinned items keep their story; touched stories are recomputed.
    pub fn assign(&self, assignments: &[StoryAssignment]) -> Result<()> {
        let tx = self.conn().unchecked_transaction()?;
        let mut touched = BTreeSet::new();
        let now = ts(&Utc::now());
        {
            let mut old =
                tx.prepare_cached("SELECT story_id, pinned FROM story_items WHERE item_id = ?1")?;
            let mut up = tx.prepare_cached(
                "INSERT INTO story_items(item_id, story_id, score, explanation, pinned, assigned_at, routine)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(item_id) DO UPDATE SET story_id = excluded.story_id, score = excluded.score,
                   explanation = excluded.explanation, pinned = excluded.pinned, assigned_at = excluded.assigned_at,
                   routine = excluded.routine",
            )?;
            let mut ensure = tx.prepare_cached(
                "INSERT OR IGNORE INTO stories(id, first_seen, last_seen, item_count, outlet_count, languages, lang_count, headlines, updated_at)
                 VALUES (?1, ?2, ?2, 0, 0, '', 0, '[]', ?2)",
            )?;
            for a in assignments {
                let prev: Option<(i64, bool)> = old
                    .query_row([a.item_id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                if matches!(prev, Some((_, true))) && !a.pinned {
                    continue;
                }
                if let Some((s, _)) = prev {
                    touched.insert(s);
                }
                ensure.execute(params![a.story_id, now])?;
                up.execute(params![
                    a.item_id,
                    a.story_id,
                    a.score,
                    a.explanation,
                    a.pinned,
                    now,
                    a.routine
                ])?;
                touched.insert(a.story_id);
            }
        }
        for id in &touched {
            recompute(&tx, *id)?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn assignment(&self, item_id: i64) -> Result<Option<StoryAssignment>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT item_id, story_id, score, explanation, pinned, routine FROM story_items WHERE item_id = ?1",
                [item_id],
                row_to_assignment,
            )
            .optional()?)
    }

    /// The assignments of these items (those in a story), in one query.
    pub fn assignments(&self, item_ids: &[i64]) -> Result<Vec<StoryAssignment>> {
        if item_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn().prepare_cached(
            "SELECT item_id, story_id, score, explanation, pinned, routine FROM story_items
             WHERE item_id IN (SELECT value FROM json_each(?1))",
        )?;
        let rows = stmt.query_map([serde_json::to_string(item_ids)?], row_to_assignment)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// All assignments of items published since `since` (for rebuilding the grouper's live state).
    pub fn assignments_since(&self, since: DateTime<Utc>) -> Result<Vec<StoryAssignment>> {
        let mut stmt = self.conn().prepare(
            "SELECT si.item_id, si.story_id, si.score, si.explanation, si.pinned, si.routine
             FROM story_items si JOIN items i ON i.id = si.item_id
             WHERE i.published >= ?1 ORDER BY i.published, i.id",
        )?;
        let rows = stmt.query_map([ts(&since)], row_to_assignment)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    pub fn story_members(&self, story_id: i64) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT item_id FROM story_items WHERE story_id = ?1 ORDER BY item_id")?;
        let rows = stmt.query_map([story_id], |r| r.get(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Items not yet in any story, oldest first.
    pub fn ungrouped_items(&self, limit: usize) -> Result<Vec<i64>> {
        let mut stmt = self.conn().prepare(
            "SELECT i.id FROM items i LEFT JOIN story_items si ON si.item_id = i.id
             WHERE si.item_id IS NULL ORDER BY i.published, i.id LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| r.get(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Forget automatic assignments (pinned corrections stay) so grouping can re-run.
    pub fn clear_automatic_assignments(&self) -> Result<()> {
        self.conn().execute_batch(
            "DELETE FROM story_items WHERE pinned = 0;
             DELETE FROM stories WHERE id NOT IN (SELECT story_id FROM story_items);",
        )?;
        Ok(())
    }

    pub fn story(&self, id: i64) -> Result<Option<StoryRecord>> {
        let r = self
            .conn()
            .query_row(&format!("{STORY_SELECT} WHERE id = ?1"), [id], row_to_story)
            .optional()?;
        r.transpose()
    }

    pub fn story_count(&self) -> Result<i64> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM stories WHERE item_count > 0",
            [],
            |r| r.get(0),
        )?)
    }

    /// Stories ranked by breadth (outlets × languages) discounted by age relative to the newest
    /// story, so an archive from last year ranks the same way as today's news.
    ///
    /// The ranking reads only the `stories_rank` covering index (no headlines), then the page's
    /// rows are read by id: on 70k stories that is what keeps the first page fast.
    pub fn stories(&self, f: &StoryFilter) -> Result<Vec<StoryRecord>> {
        let mut sql = String::from("SELECT id FROM stories WHERE item_count > 0");
        let mut args: Vec<Box<dyn ToSql>> = Vec::new();
        if f.cross_lingual_only {
            sql.push_str(" AND lang_count > 1");
        }
        if !f.include_routine && f.ids.is_none() {
            sql.push_str(" AND routine = 0");
        }
        if !f.languages.is_empty() {
            let ors: Vec<String> = f
                .languages
                .iter()
                .map(|l| {
                    args.push(Box::new(format!("%{}%", l.code())));
                    "languages LIKE ?".to_string()
                })
                .collect();
            sql.push_str(&format!(" AND ({})", ors.join(" OR ")));
        }
        if let Some(t) = &f.since {
            sql.push_str(" AND last_seen >= ?");
            args.push(Box::new(ts(t)));
        }
        if let Some(t) = &f.until {
            sql.push_str(" AND first_seen <= ?");
            args.push(Box::new(ts(t)));
        }
        // Outlet and ownership filters: the stories of the matching items, found from the items'
        // side by index (a per-story EXISTS probes every story).
        if let Some(src) = &f.source_id {
            sql.push_str(
                " AND id IN (SELECT si.story_id FROM items i JOIN story_items si ON si.item_id = i.id
                   WHERE i.source_id = ?)",
            );
            args.push(Box::new(src.clone()));
        }
        if let Some(o) = f.ownership {
            sql.push_str(
                " AND id IN (SELECT si.story_id FROM sources s JOIN items i ON i.source_id = s.id
                   JOIN story_items si ON si.item_id = i.id WHERE s.ownership = ?)",
            );
            args.push(Box::new(ownership_str(o).to_string()));
        }
        if let Some(ids) = &f.ids {
            sql.push_str(" AND id IN (SELECT value FROM json_each(?))");
            args.push(Box::new(serde_json::to_string(ids)?));
        }
        sql.push_str(
            " ORDER BY (outlet_count * lang_count) /
                 (1.0 + ((SELECT julianday(max(last_seen)) FROM stories) - julianday(last_seen))) DESC,
               last_seen DESC, id DESC",
        );
        sql.push_str(&format!(
            " LIMIT {} OFFSET {}",
            f.limit.unwrap_or(500),
            f.offset.unwrap_or(0)
        ));
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let params: Vec<&dyn ToSql> = args.iter().map(|b| b.as_ref()).collect();
        let ids: Vec<i64> = stmt
            .query_map(params.as_slice(), |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn().prepare_cached(&format!(
            "{STORY_SELECT} WHERE id IN (SELECT value FROM json_each(?1))"
        ))?;
        let mut by_id: std::collections::HashMap<i64, StoryRecord> =
            std::collections::HashMap::with_capacity(ids.len());
        for r in stmt.query_map([serde_json::to_string(&ids)?], row_to_story)? {
            let rec = r??;
            by_id.insert(rec.id, rec);
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }
}

const STORY_SELECT: &str = "SELECT id, first_seen, last_seen, item_count, outlet_count, languages,
    first_source_id, first_item_id, headlines, routine FROM stories";

fn row_to_assignment(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoryAssignment> {
    Ok(StoryAssignment {
        item_id: r.get(0)?,
        story_id: r.get(1)?,
        score: r.get::<_, Option<f64>>(2)?.map(|v| v as f32),
        explanation: r.get(3)?,
        pinned: r.get(4)?,
        routine: r.get(5)?,
    })
}

fn row_to_story(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<StoryRecord>> {
    let langs: String = r.get(5)?;
    let headlines: String = r.get(8)?;
    let first_seen: String = r.get(1)?;
    let last_seen: String = r.get(2)?;
    let id: i64 = r.get(0)?;
    let item_count: u32 = r.get(3)?;
    let outlet_count: u32 = r.get(4)?;
    let first_source_id: Option<String> = r.get(6)?;
    let first_item_id: Option<i64> = r.get(7)?;
    let routine: bool = r.get(9)?;
    Ok((|| {
        Ok(StoryRecord {
            id,
            first_seen: parse_ts(&first_seen),
            last_seen: parse_ts(&last_seen),
            item_count,
            outlet_count,
            languages: langs
                .split(',')
                .filter(|s| !s.is_empty())
                .filter_map(Lang::from_tag)
                .collect(),
            first_source_id,
            first_item_id,
            headlines: serde_json::from_str(&headlines)?,
            routine,
        })
    })())
}

/// One member of a story, as its summary needs it.
pub(crate) struct Member {
    pub id: i64,
    pub source_id: String,
    /// Fixed-width RFC 3339 text, as stored.
    pub published: String,
    /// Detected, else declared, else "und".
    pub lang: String,
    pub title: String,
    pub routine: bool,
}

/// A story's summary columns, derived from its members (oldest first).
pub(crate) struct Summary {
    pub first_seen: String,
    pub last_seen: String,
    pub item_count: i64,
    pub outlet_count: i64,
    pub languages: String,
    pub lang_count: i64,
    pub first_source_id: String,
    pub first_item_id: i64,
    pub headlines: String,
    /// More than half of the members are routine.
    pub routine: bool,
}

/// The summary of a story with these members, `None` for an empty story (which is deleted).
pub(crate) fn summarize(rows: &[Member]) -> Result<Option<Summary>> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let outlets: BTreeSet<&str> = rows.iter().map(|r| r.source_id.as_str()).collect();
    let langs: BTreeSet<&str> = rows
        .iter()
        .map(|r| r.lang.as_str())
        .filter(|l| *l != "und")
        .collect();
    // Representative headline per language: the earliest item in that language, which is the
    // one others followed; ties go to the lower id (deterministic).
    let mut headlines: Vec<Headline> = Vec::new();
    for l in &langs {
        if let Some(r) = rows.iter().find(|r| r.lang == *l) {
            headlines.push(Headline {
                lang: Lang::from_tag(l).unwrap_or(Lang::Und),
                item_id: r.id,
                title: r.title.clone(),
                source_id: r.source_id.clone(),
            });
        }
    }
    let last_seen = rows
        .iter()
        .map(|r| r.published.as_str())
        .max()
        .unwrap_or(&first.published);
    Ok(Some(Summary {
        first_seen: first.published.clone(),
        last_seen: last_seen.to_string(),
        item_count: rows.len() as i64,
        outlet_count: outlets.len() as i64,
        languages: langs.iter().copied().collect::<Vec<_>>().join(","),
        lang_count: langs.len() as i64,
        first_source_id: first.source_id.clone(),
        first_item_id: first.id,
        headlines: serde_json::to_string(&headlines)?,
        routine: rows.iter().filter(|r| r.routine).count() * 2 > rows.len(),
    }))
}

/// Recompute a story's summary from its members. An emptied story is deleted.
fn recompute(conn: &rusqlite::Connection, story_id: i64) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, i.source_id, i.published, coalesce(i.lang, i.declared_lang, 'und'), i.title,
           si.routine
         FROM story_items si JOIN items i ON i.id = si.item_id
         WHERE si.story_id = ?1 ORDER BY i.published, i.id",
    )?;
    let rows: Vec<Member> = stmt
        .query_map([story_id], |r| {
            Ok(Member {
                id: r.get(0)?,
                source_id: r.get(1)?,
                published: r.get(2)?,
                lang: r.get(3)?,
                title: r.get(4)?,
                routine: r.get(5)?,
            })
        })?
        .collect::<std::result::Result<_, _>>()?;
    let Some(sum) = summarize(&rows)? else {
        conn.execute("DELETE FROM stories WHERE id = ?1", [story_id])?;
        return Ok(());
    };
    conn.execute(
        "UPDATE stories SET first_seen = ?2, last_seen = ?3, item_count = ?4, outlet_count = ?5,
           languages = ?6, lang_count = ?7, first_source_id = ?8, first_item_id = ?9, headlines = ?10,
           updated_at = ?11, routine = ?12 WHERE id = ?1",
        params![
            story_id,
            sum.first_seen,
            sum.last_seen,
            sum.item_count,
            sum.outlet_count,
            sum.languages,
            sum.lang_count,
            sum.first_source_id,
            sum.first_item_id,
            sum.headlines,
            ts(&Utc::now()),
            sum.routine
        ],
    )?;
    Ok(())
}

/// Corrections, made of the calls above: the same on both back ends.
impl super::Store {
    /// Manual correction: move an item to another story (pinned there).
    pub fn move_item(&self, item_id: i64, to_story: i64) -> Result<()> {
        self.story(to_story)?
            .ok_or_else(|| StoreError::NotFound(format!("story {to_story}")))?;
        let current = self.assignment(item_id)?;
        let routine = current.as_ref().is_some_and(|c| c.routine);
        self.assign(&[StoryAssignment {
            item_id,
            story_id: to_story,
            score: None,
            explanation: current.and_then(|c| c.explanation),
            pinned: true,
            routine,
        }])
    }

    /// Manual correction: move `item_ids` out of `story_id` into a new story; returns its id.
    /// Both sides are pinned: the analyst said what belongs where, so a regroup must not join
    /// them again.
    pub fn split_story(&self, story_id: i64, item_ids: &[i64]) -> Result<i64> {
        let members: BTreeSet<i64> = self.story_members(story_id)?.into_iter().collect();
        if item_ids.is_empty() || item_ids.iter().any(|i| !members.contains(i)) {
            return Err(StoreError::Invalid(format!(
                "split: every item must belong to story {story_id}"
            )));
        }
        if item_ids.len() == members.len() {
            return Err(StoreError::Invalid(
                "split: leave at least one item behind".into(),
            ));
        }
        let new_id = self.new_story_id()?;
        let leaving: BTreeSet<i64> = item_ids.iter().copied().collect();
        let mut moves = Vec::with_capacity(members.len());
        for item_id in members {
            if leaving.contains(&item_id) {
                let routine = self.assignment(item_id)?.is_some_and(|a| a.routine);
                moves.push(StoryAssignment {
                    item_id,
                    story_id: new_id,
                    score: None,
                    explanation: None,
                    pinned: true,
                    routine,
                });
            } else if let Some(stay) = self.assignment(item_id)? {
                moves.push(StoryAssignment {
                    pinned: true,
                    ..stay
                });
            }
        }
        self.assign(&moves)?;
        Ok(new_id)
    }

    /// Manual correction: merge story `from` into `into`. Every item of both is pinned there: the
    /// analyst judged the whole story, so a regroup keeps it whole.
    pub fn merge_stories(&self, into: i64, from: i64) -> Result<()> {
        if into == from {
            return Err(StoreError::Invalid(
                "merge: a story cannot be merged into itself".into(),
            ));
        }
        self.story(into)?
            .ok_or_else(|| StoreError::NotFound(format!("story {into}")))?;
        let mut moves: Vec<StoryAssignment> = Vec::new();
        for item_id in self.story_members(from)? {
            let routine = self.assignment(item_id)?.is_some_and(|a| a.routine);
            moves.push(StoryAssignment {
                item_id,
                story_id: into,
                score: None,
                explanation: None,
                pinned: true,
                routine,
            });
        }
        if moves.is_empty() {
            return Err(StoreError::NotFound(format!("story {from}")));
        }
        for item_id in self.story_members(into)? {
            if let Some(a) = self.assignment(item_id)? {
                moves.push(StoryAssignment { pinned: true, ..a });
            }
        }
        self.assign(&moves)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::items::tests::item;

    fn auto(item_id: i64, story_id: i64) -> StoryAssignment {
        StoryAssignment {
            item_id,
            story_id,
            score: Some(0.8),
            explanation: Some("{}".into()),
            pinned: false,
            routine: false,
        }
    }

    crate::store::testing::on_both_backends!(summaries_follow_membership_and_corrections_stick);
    fn summaries_follow_membership_and_corrections_stick(s: Store) {
        let mut a = item("almayadeen", "1", "الحرس الثوري يعلن إسقاط طائرة مسيرة");
        a.declared_lang = Some(Lang::Ar);
        let mut b = item("irna", "2", "سپاه از سرنگونی یک پهپاد خبر داد");
        b.published = a.published + chrono::Duration::minutes(190);
        let ids = s.insert_items(&[a, b]).unwrap().inserted;
        let st = s.new_story_id().unwrap();
        s.assign(&[auto(ids[0], st), auto(ids[1], st)]).unwrap();
        let rec = s.story(st).unwrap().unwrap();
        assert_eq!(rec.item_count, 2);
        assert_eq!(rec.languages, vec![Lang::Ar, Lang::Fa]);
        assert_eq!(rec.first_source_id.as_deref(), Some("almayadeen"));
        assert_eq!(rec.headlines.len(), 2);
        assert_eq!(
            s.stories(&StoryFilter {
                cross_lingual_only: true,
                ..Default::default()
            })
            .unwrap()
            .len(),
            1
        );

        let new = s.split_story(st, &[ids[1]]).unwrap();
        assert_eq!(s.story(st).unwrap().unwrap().languages, vec![Lang::Ar]);
        // An automatic re-run must not undo the manual split.
        s.assign(&[auto(ids[1], st)]).unwrap();
        assert_eq!(s.assignment(ids[1]).unwrap().unwrap().story_id, new);
        s.clear_automatic_assignments().unwrap();
        assert_eq!(s.assignment(ids[1]).unwrap().unwrap().story_id, new);
        // The item left behind is pinned too: the split said it does not belong with the other.
        assert_eq!(s.assignment(ids[0]).unwrap().unwrap().story_id, st);

        // A merge keeps the whole merged story through a regroup, not only the items it moved.
        let c = s.new_story_id().unwrap();
        let mut third = item("almayadeen", "3", "إسقاط طائرة مسيرة");
        third.published = Utc::now() - chrono::Duration::hours(1);
        let id3 = s.insert_items(&[third]).unwrap().inserted[0];
        s.assign(&[auto(id3, c)]).unwrap();
        s.merge_stories(c, new).unwrap();
        s.clear_automatic_assignments().unwrap();
        for id in [id3, ids[1]] {
            let a = s.assignment(id).unwrap().unwrap();
            assert_eq!((a.story_id, a.pinned), (c, true), "item {id}");
        }
        assert!(s.merge_stories(c, c).is_err());
        assert!(s.split_story(c, &[999]).is_err());
    }

    crate::store::testing::on_both_backends!(routine_stories_leave_the_ranking_but_stay_findable);
    fn routine_stories_leave_the_ranking_but_stay_findable(s: Store) {
        let mut days = Vec::new();
        for d in 0..3 {
            let mut it = item(
                "wire",
                &format!("h{d}"),
                &format!("Gold prices today, March {}", 9 - d),
            );
            it.published -= chrono::Duration::days(d);
            days.push(it);
        }
        let mut news = item("wire", "n", "Parliament impeaches the economy minister");
        news.published -= chrono::Duration::days(1);
        days.push(news);
        let ids = s.insert_items(&days).unwrap().inserted;
        let routine = |id, story| StoryAssignment {
            routine: true,
            ..auto(id, story)
        };
        // Story 1: three routine items and the news item moved in by mistake (still routine by
        // majority); story 2: the news item alone.
        s.assign(&[routine(ids[0], 1), routine(ids[1], 1), routine(ids[2], 1)])
            .unwrap();
        s.assign(&[auto(ids[3], 2)]).unwrap();
        assert!(s.story(1).unwrap().unwrap().routine);
        assert!(!s.story(2).unwrap().unwrap().routine);
        let ranked = |include_routine| -> Vec<i64> {
            s.stories(&StoryFilter {
                include_routine,
                ..Default::default()
            })
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect()
        };
        assert_eq!(ranked(false), vec![2]);
        assert_eq!(ranked(true).len(), 2);
        // Search results (ids) find routine stories too.
        let found = s
            .stories(&StoryFilter {
                ids: Some(vec![1]),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(found.len(), 1);
        // A manual move keeps the item's flag; a story that is mostly news is not routine.
        s.move_item(ids[0], 2).unwrap();
        assert!(s.assignment(ids[0]).unwrap().unwrap().routine);
        assert!(!s.story(2).unwrap().unwrap().routine);
    }

    crate::store::testing::on_both_backends!(ranking_and_outlet_filters_find_the_right_stories);
    fn ranking_and_outlet_filters_find_the_right_stories(s: Store) {
        use crate::model::Ownership;
        use crate::store::sources::tests::source;
        let mut irna = source("irna", Lang::Fa, "http://127.0.0.1:9/irna");
        irna.ownership = Ownership::State;
        s.upsert_source(&irna).unwrap();
        let mut bbc = source("bbc", Lang::En, "http://127.0.0.1:9/bbc");
        bbc.ownership = Ownership::PublicBroadcaster;
        s.upsert_source(&bbc).unwrap();
        let mut a = item("irna", "1", "سپاه از سرنگونی یک پهپاد خبر داد");
        a.declared_lang = Some(Lang::Fa);
        let mut b = item("bbc", "2", "Iran says it shot down a drone");
        b.declared_lang = Some(Lang::En);
        let mut c = item("bbc", "3", "Floods close schools in Karachi");
        c.declared_lang = Some(Lang::En);
        c.published = a.published - chrono::Duration::days(3);
        let ids = s.insert_items(&[a, b, c]).unwrap().inserted;
        s.assign(&[auto(ids[0], 1), auto(ids[1], 1), auto(ids[2], 2)])
            .unwrap();
        // Two outlets in two languages, newest: first; then the older single-outlet story.
        let all: Vec<i64> = s
            .stories(&StoryFilter::default())
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(all, vec![1, 2]);
        let by =
            |f: StoryFilter| -> Vec<i64> { s.stories(&f).unwrap().iter().map(|r| r.id).collect() };
        let irna_only = by(StoryFilter {
            source_id: Some("irna".into()),
            ..Default::default()
        });
        assert_eq!(irna_only, vec![1]);
        let state = by(StoryFilter {
            ownership: Some(Ownership::State),
            ..Default::default()
        });
        assert_eq!(state, vec![1]);
        assert_eq!(
            by(StoryFilter {
                offset: Some(1),
                ..Default::default()
            }),
            vec![2]
        );
        let found = s.assignments(&[ids[2], ids[0], 999]).unwrap();
        assert_eq!(found.len(), 2);
        let names: Vec<String> = s
            .sources_by_ids(&["bbc", "nope"])
            .unwrap()
            .into_iter()
            .map(|x| x.name)
            .collect();
        assert_eq!(names, vec!["Outlet bbc"]);
        assert_eq!(s.sources_by_ids(&["irna"]).unwrap()[0].feeds.len(), 1);
    }
}
