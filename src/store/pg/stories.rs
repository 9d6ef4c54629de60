use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use postgres::Row;
use postgres::types::ToSql;

use super::super::sources::ownership_str;
use super::super::stories::{Member, summarize};
use super::super::{Result, StoryAssignment, StoryFilter, StoryRecord, parse_ts, ts};
use super::PgStore;
use crate::model::Lang;

const STORY_SELECT: &str = "SELECT id, first_seen, last_seen, item_count, outlet_count, languages,
    first_source_id, first_item_id, headlines, routine FROM stories";

const ENSURE_STORY: &str = "INSERT INTO stories(id, first_seen, last_seen, item_count, outlet_count, languages, lang_count, headlines, updated_at)
     VALUES ($1, $2, $2, 0, 0, '', 0, '[]', $2) ON CONFLICT (id) DO NOTHING";

fn row_to_assignment(r: &Row) -> StoryAssignment {
    StoryAssignment {
        item_id: r.get(0),
        story_id: r.get(1),
        score: r.get::<_, Option<f64>>(2).map(|v| v as f32),
        explanation: r.get(3),
        pinned: r.get(4),
        routine: r.get(5),
    }
}

fn row_to_story(r: &Row) -> Result<StoryRecord> {
    let langs: &str = r.get(5);
    Ok(StoryRecord {
        id: r.get(0),
        first_seen: parse_ts(r.get(1)),
        last_seen: parse_ts(r.get(2)),
        item_count: r.get::<_, i64>(3) as u32,
        outlet_count: r.get::<_, i64>(4) as u32,
        languages: langs
            .split(',')
            .filter(|s| !s.is_empty())
            .filter_map(Lang::from_tag)
            .collect(),
        first_source_id: r.get(6),
        first_item_id: r.get(7),
        headlines: serde_json::from_str(r.get(8))?,
        routine: r.get(9),
    })
}

/// Recompute a story's summary from its members (the same summary as on SQLite).
fn recompute(tx: &mut postgres::Transaction<'_>, story_id: i64) -> Result<()> {
    let rows: Vec<Member> = tx
        .query(
            "SELECT i.id, i.source_id, i.published, coalesce(i.lang, i.declared_lang, 'und'), i.title,
               si.routine
             FROM story_items si JOIN items i ON i.id = si.item_id
             WHERE si.story_id = $1 ORDER BY i.published, i.id",
            &[&story_id],
        )?
        .iter()
        .map(|r| Member {
            id: r.get(0),
            source_id: r.get(1),
            published: r.get(2),
            lang: r.get(3),
            title: r.get(4),
            routine: r.get(5),
        })
        .collect();
    let Some(sum) = summarize(&rows)? else {
        tx.execute("DELETE FROM stories WHERE id = $1", &[&story_id])?;
        return Ok(());
    };
    tx.execute(
        "UPDATE stories SET first_seen = $2, last_seen = $3, item_count = $4, outlet_count = $5,
           languages = $6, lang_count = $7, first_source_id = $8, first_item_id = $9, headlines = $10,
           updated_at = $11, routine = $12 WHERE id = $1",
        &[
            &story_id,
            &sum.first_seen,
            &sum.last_seen,
            &sum.item_count,
            &sum.outlet_count,
            &sum.languages,
            &sum.lang_count,
            &sum.first_source_id,
            &sum.first_item_id,
            &sum.headlines,
            &ts(&Utc::now()),
            &sum.routine,
        ],
    )?;
    Ok(())
}

impl PgStore {
    /// Allocate a new, empty story id: one more than the largest, as SQLite's rowid does. The
    /// table lock makes concurrent allocations wait for each other instead of colliding.
    pub fn new_story_id(&self) -> Result<i64> {
        let mut db = self.db();
        let mut tx = db.transaction()?;
        tx.batch_execute("LOCK TABLE stories IN SHARE ROW EXCLUSIVE MODE")?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO stories(id, first_seen, last_seen, item_count, outlet_count, languages, lang_count, headlines, updated_at)
                 VALUES ((SELECT coalesce(max(id), 0) + 1 FROM stories), $1, $1, 0, 0, '', 0, '[]', $1)
                 RETURNING id",
                &[&ts(&Utc::now())],
            )?
            .get(0);
        tx.commit()?;
        Ok(id)
    }

    pub fn ensure_story(&self, id: i64) -> Result<()> {
        self.db().execute(ENSURE_STORY, &[&id, &ts(&Utc::now())])?;
        Ok(())
    }

    pub fn max_story_id(&self) -> Result<i64> {
        Ok(self
            .db()
            .query_one("SELECT coalesce(max(id), 0) FROM stories", &[])?
            .get(0))
    }

    pub fn assign(&self, assignments: &[StoryAssignment]) -> Result<()> {
        let mut db = self.db();
        let mut tx = db.transaction()?;
        let mut touched = BTreeSet::new();
        let now = ts(&Utc::now());
        let old = tx.prepare("SELECT story_id, pinned FROM story_items WHERE item_id = $1")?;
        let up = tx.prepare(
            "INSERT INTO story_items(item_id, story_id, score, explanation, pinned, assigned_at, routine)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT(item_id) DO UPDATE SET story_id = excluded.story_id, score = excluded.score,
               explanation = excluded.explanation, pinned = excluded.pinned, assigned_at = excluded.assigned_at,
               routine = excluded.routine",
        )?;
        let ensure = tx.prepare(ENSURE_STORY)?;
        for a in assignments {
            let prev: Option<(i64, bool)> = tx
                .query_opt(&old, &[&a.item_id])?
                .map(|r| (r.get(0), r.get(1)));
            if matches!(prev, Some((_, true))) && !a.pinned {
                continue;
            }
            if let Some((s, _)) = prev {
                touched.insert(s);
            }
            tx.execute(&ensure, &[&a.story_id, &now])?;
            tx.execute(
                &up,
                &[
                    &a.item_id,
                    &a.story_id,
                    &a.score.map(f64::from),
                    &a.explanation,
                    &a.pinned,
                    &now,
                    &a.routine,
                ],
            )?;
            touched.insert(a.story_id);
        }
        for id in &touched {
            recompute(&mut tx, *id)?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn assignment(&self, item_id: i64) -> Result<Option<StoryAssignment>> {
        Ok(self
            .db()
            .query_opt(
                "SELECT item_id, story_id, score, explanation, pinned, routine FROM story_items WHERE item_id = $1",
                &[&item_id],
            )?
            .as_ref()
            .map(row_to_assignment))
    }

    pub fn assignments(&self, item_ids: &[i64]) -> Result<Vec<StoryAssignment>> {
        if item_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .db()
            .query(
                "SELECT item_id, story_id, score, explanation, pinned, routine FROM story_items
                 WHERE item_id = ANY($1)",
                &[&item_ids],
            )?
            .iter()
            .map(row_to_assignment)
            .collect())
    }

    pub fn assignments_since(&self, since: DateTime<Utc>) -> Result<Vec<StoryAssignment>> {
        Ok(self
            .db()
            .query(
                "SELECT si.item_id, si.story_id, si.score, si.explanation, si.pinned, si.routine
                 FROM story_items si JOIN items i ON i.id = si.item_id
                 WHERE i.published >= $1 ORDER BY i.published, i.id",
                &[&ts(&since)],
            )?
            .iter()
            .map(row_to_assignment)
            .collect())
    }

    pub fn story_members(&self, story_id: i64) -> Result<Vec<i64>> {
        Ok(self
            .db()
            .query(
                "SELECT item_id FROM story_items WHERE story_id = $1 ORDER BY item_id",
                &[&story_id],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    pub fn ungrouped_items(&self, limit: usize) -> Result<Vec<i64>> {
        Ok(self
            .db()
            .query(
                "SELECT i.id FROM items i LEFT JOIN story_items si ON si.item_id = i.id
                 WHERE si.item_id IS NULL ORDER BY i.published, i.id LIMIT $1",
                &[&(limit.min(i64::MAX as usize) as i64)],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    pub fn clear_automatic_assignments(&self) -> Result<()> {
        self.db().batch_execute(
            "BEGIN;
             DELETE FROM story_items WHERE NOT pinned;
             DELETE FROM stories WHERE id NOT IN (SELECT story_id FROM story_items);
             COMMIT;",
        )?;
        Ok(())
    }

    pub fn story(&self, id: i64) -> Result<Option<StoryRecord>> {
        self.db()
            .query_opt(&format!("{STORY_SELECT} WHERE id = $1"), &[&id])?
            .as_ref()
            .map(row_to_story)
            .transpose()
    }

    pub fn story_count(&self) -> Result<i64> {
        Ok(self
            .db()
            .query_one("SELECT count(*) FROM stories WHERE item_count > 0", &[])?
            .get(0))
    }

    /// The same ranking as on SQLite: breadth (outlets × languages) discounted by age in days
    /// relative to the newest story.
    pub fn stories(&self, f: &StoryFilter) -> Result<Vec<StoryRecord>> {
        let mut sql = String::from("SELECT id FROM stories WHERE item_count > 0");
        let mut args: Vec<Box<dyn ToSql + Sync>> = Vec::new();
        let mut arg = |sql: &mut String, clause: &str, v: Box<dyn ToSql + Sync>| {
            args.push(v);
            sql.push_str(&clause.replace('?', &format!("${}", args.len())));
        };
        if f.cross_lingual_only {
            sql.push_str(" AND lang_count > 1");
        }
        if !f.include_routine && f.ids.is_none() {
            sql.push_str(" AND NOT routine");
        }
        if !f.languages.is_empty() {
            let patterns: Vec<String> = f
                .languages
                .iter()
                .map(|l| format!("%{}%", l.code()))
                .collect();
            arg(&mut sql, " AND languages LIKE ANY(?)", Box::new(patterns));
        }
        if let Some(t) = &f.since {
            arg(&mut sql, " AND last_seen >= ?", Box::new(ts(t)));
        }
        if let Some(t) = &f.until {
            arg(&mut sql, " AND first_seen <= ?", Box::new(ts(t)));
        }
        if let Some(src) = &f.source_id {
            arg(
                &mut sql,
                " AND id IN (SELECT si.story_id FROM items i JOIN story_items si ON si.item_id = i.id
                   WHERE i.source_id = ?)",
                Box::new(src.clone()),
            );
        }
        if let Some(o) = f.ownership {
            arg(
                &mut sql,
                " AND id IN (SELECT si.story_id FROM sources s JOIN items i ON i.source_id = s.id
                   JOIN story_items si ON si.item_id = i.id WHERE s.ownership = ?)",
                Box::new(ownership_str(o).to_string()),
            );
        }
        if let Some(ids) = &f.ids {
            arg(&mut sql, " AND id = ANY(?)", Box::new(ids.clone()));
        }
        sql.push_str(
            " ORDER BY (outlet_count * lang_count) /
                 (1.0 + extract(epoch FROM (SELECT max(last_seen)::timestamptz FROM stories)
                        - last_seen::timestamptz) / 86400.0) DESC,
               last_seen DESC, id DESC",
        );
        sql.push_str(&format!(
            " LIMIT {} OFFSET {}",
            f.limit.unwrap_or(500),
            f.offset.unwrap_or(0)
        ));
        let mut db = self.db();
        let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|b| b.as_ref()).collect();
        let ids: Vec<i64> = db.query(&sql, &params)?.iter().map(|r| r.get(0)).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut by_id: HashMap<i64, StoryRecord> = HashMap::with_capacity(ids.len());
        for r in db.query(&format!("{STORY_SELECT} WHERE id = ANY($1)"), &[&ids])? {
            let rec = row_to_story(&r)?;
            by_id.insert(rec.id, rec);
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }
}
