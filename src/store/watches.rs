//! Watches, the alias list and alerts.
//!
//! An alert is one row per (watch, story): the first matching item raises it, later ones only
//! extend it (`alert_items`, `last_item_id`, `updated_at`). Delivery is a claim: the process that
//! sets `delivered_at` is the one that notifies, so an alert is announced once.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, SqliteStore, StoreError, parse_ts, ts};
use crate::watch::{Watch, WatchRule};

/// An alert as stored, with the story it is about now (stories merge, split and regroup).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertRecord {
    pub id: i64,
    pub watch_id: i64,
    pub story_id: i64,
    pub first_item_id: i64,
    pub last_item_id: i64,
    pub matches: u32,
    pub reason: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// When the user marked it seen (in the app's list or `parallax alerts seen`).
    pub seen_at: Option<DateTime<Utc>>,
}

/// What recording a match did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertChange {
    /// A new alert for this watch and story.
    Raised(i64),
    /// An existing alert gained this item.
    Extended(i64),
    /// The item was already counted.
    Unchanged(i64),
}

/// A match to record.
pub struct AlertHit<'a> {
    pub watch_id: i64,
    pub story_id: i64,
    pub item_id: i64,
    pub reason: &'a str,
    pub now: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    /// Raised by a run over the stored archive: listed, never announced.
    pub backfill: bool,
}

/// The story alert `a` is about now. Stories merge, split and are regrouped under new ids, so
/// the stored `story_id` is only where the alert was raised: it stays the alert's story while one
/// of its items is still there; otherwise the alert follows the item that raised it. A stored id
/// below zero marks a story the alert has left (see `record_alerts`).
fn current_story(a: &str) -> String {
    format!(
        "CASE WHEN EXISTS (SELECT 1 FROM alert_items cx JOIN story_items cy ON cy.item_id = cx.item_id
             WHERE cx.alert_id = {a}.id AND cy.story_id = {a}.story_id) THEN {a}.story_id
         ELSE coalesce((SELECT cf.story_id FROM story_items cf WHERE cf.item_id = {a}.first_item_id),
             {a}.story_id) END"
    )
}

/// Alerts with their current story as `cur`.
fn alerts_now(a: &str) -> String {
    format!(
        "(SELECT {a}.*, {} AS cur FROM alerts {a})",
        current_story(a)
    )
}

/// When the user saw item ?3 in an earlier alert of watch ?1 (a story split it off or a regroup
/// moved it): the new alert for its story starts seen, since that match was seen already.
const SEEN_BEFORE: &str =
    "SELECT max(p.seen_at) FROM alerts p JOIN alert_items px ON px.alert_id = p.id
    WHERE p.watch_id = ?1 AND px.item_id = ?3";

/// The SQL both back ends share (SQLite's `?N` parameters; PostgreSQL replaces them with `$N`).
pub(crate) struct AlertSql {
    /// An alert as listed: its current story, the first of its items in that story (the
    /// headline shown, so opening the story always shows it) and the items it has there.
    pub select: String,
    /// Alerts with the same watch as alert ?2 now about the same story: after two stories
    /// merge, their alerts show as one, so marking that one seen marks them all.
    pub same_ids: String,
    /// Unseen alerts counted as the list shows them: one per watch and current story.
    pub unseen_count: String,
    /// The alert of watch ?1 now about story ?2 (the oldest when a merge left several).
    pub find: String,
    /// An alert of watch ?1 stored under story ?2 that has left it: it gives the id up.
    pub vacate: String,
    /// A new alert (PostgreSQL: a concurrent writer's alert for the same key wins).
    pub insert: String,
}

pub(crate) static ALERT_SQL: std::sync::LazyLock<AlertSql> = std::sync::LazyLock::new(|| {
    let in_cur = "FROM alert_items x JOIN story_items y ON y.item_id = x.item_id
        WHERE x.alert_id = a.id AND y.story_id = a.cur";
    AlertSql {
        select: format!(
            "SELECT a.id, a.watch_id, a.cur,
                coalesce((SELECT min(x.item_id) {in_cur}), a.first_item_id), a.last_item_id,
                coalesce(nullif((SELECT count(*) {in_cur}), 0),
                    (SELECT count(*) FROM alert_items z WHERE z.alert_id = a.id)), a.reason,
                a.created_at, a.updated_at, a.due_at, a.delivered_at, a.seen_at
             FROM {} a",
            alerts_now("a")
        ),
        same_ids: format!(
            "SELECT a.id FROM {} a, {} b WHERE b.id = ?2 AND a.watch_id = b.watch_id AND a.cur = b.cur",
            alerts_now("a"),
            alerts_now("b")
        ),
        unseen_count: format!(
            "SELECT count(*) FROM (SELECT DISTINCT a.watch_id, a.cur FROM {} a
             WHERE a.seen_at IS NULL) AS u",
            alerts_now("a")
        ),
        // Candidates first (stored under the story, or raised by an item now in it), so the
        // current-story test runs on a handful of rows.
        find: format!(
            "SELECT a.id FROM (SELECT c.*, {} AS cur FROM alerts c WHERE c.watch_id = ?1
                AND (c.story_id = ?2 OR c.first_item_id IN
                    (SELECT s.item_id FROM story_items s WHERE s.story_id = ?2))) a
             WHERE a.cur = ?2 ORDER BY a.id LIMIT 1",
            current_story("c")
        ),
        insert: format!(
            "INSERT INTO alerts(watch_id, story_id, first_item_id, last_item_id, reason,
               created_at, updated_at, due_at, delivered_at, seen_at)
             VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?5, ?6, ?7, ({SEEN_BEFORE}))
             ON CONFLICT (watch_id, story_id) DO NOTHING RETURNING id"
        ),
        vacate: format!(
            "UPDATE alerts SET story_id = -id WHERE watch_id = ?1 AND story_id = ?2 AND id IN
                (SELECT a.id FROM {} a WHERE a.cur <> ?2)",
            alerts_now("a")
        ),
    }
});

fn row_to_alert(r: &rusqlite::Row<'_>) -> rusqlite::Result<AlertRecord> {
    let t = |i: usize| -> rusqlite::Result<DateTime<Utc>> { Ok(parse_ts(&r.get::<_, String>(i)?)) };
    Ok(AlertRecord {
        id: r.get(0)?,
        watch_id: r.get(1)?,
        story_id: r.get(2)?,
        first_item_id: r.get(3)?,
        last_item_id: r.get(4)?,
        matches: r.get(5)?,
        reason: r.get(6)?,
        created_at: t(7)?,
        updated_at: t(8)?,
        due_at: t(9)?,
        delivered_at: r.get::<_, Option<String>>(10)?.map(|s| parse_ts(&s)),
        seen_at: r.get::<_, Option<String>>(11)?.map(|s| parse_ts(&s)),
    })
}

impl SqliteStore {
    pub fn insert_watch(&self, name: &str, rule: &WatchRule, now: DateTime<Utc>) -> Result<Watch> {
        self.conn().execute(
            "INSERT INTO watches(name, rule, created_at) VALUES (?1, ?2, ?3)",
            params![name, serde_json::to_string(rule)?, ts(&now)],
        )?;
        Ok(Watch {
            id: self.conn().last_insert_rowid(),
            name: name.to_string(),
            rule: rule.clone(),
            created_at: now,
            created_by: None,
        })
    }

    pub fn watches(&self) -> Result<Vec<Watch>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT id, name, rule, created_at FROM watches ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name, rule, created) = row?;
            out.push(Watch {
                id,
                name,
                rule: serde_json::from_str(&rule)?,
                created_at: parse_ts(&created),
                created_by: None,
            });
        }
        Ok(out)
    }

    /// Remove a watch and its alerts.
    pub fn delete_watch(&self, id: i64) -> Result<()> {
        let n = self
            .conn()
            .execute("DELETE FROM watches WHERE id = ?1", [id])?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("watch {id}")));
        }
        Ok(())
    }

    pub fn insert_alias(&self, spellings: &[String]) -> Result<i64> {
        self.conn().execute(
            "INSERT INTO aliases(spellings) VALUES (?1)",
            [serde_json::to_string(spellings)?],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    pub fn aliases(&self) -> Result<Vec<(i64, Vec<String>)>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT id, spellings FROM aliases ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, s) = row?;
            out.push((id, serde_json::from_str(&s)?));
        }
        Ok(out)
    }

    pub fn delete_alias(&self, id: i64) -> Result<()> {
        if self
            .conn()
            .execute("DELETE FROM aliases WHERE id = ?1", [id])?
            == 0
        {
            return Err(StoreError::NotFound(format!("alias group {id}")));
        }
        Ok(())
    }

    /// Record matches in one transaction: a new alert per (watch, story), else extend it.
    pub fn record_alerts(&self, hits: &[AlertHit<'_>]) -> Result<Vec<AlertChange>> {
        let tx = self.conn().unchecked_transaction()?;
        let mut out = Vec::with_capacity(hits.len());
        {
            let sql = &*ALERT_SQL;
            let mut find = tx.prepare_cached(&sql.find)?;
            let mut vacate = tx.prepare_cached(&sql.vacate)?;
            let mut insert = tx.prepare_cached(&format!(
                "INSERT INTO alerts(watch_id, story_id, first_item_id, last_item_id, reason,
                       created_at, updated_at, due_at, delivered_at, seen_at)
                     VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?5, ?6, ?7, ({SEEN_BEFORE}))"
            ))?;
            let mut link = tx.prepare_cached(
                "INSERT OR IGNORE INTO alert_items(alert_id, item_id) VALUES (?1, ?2)",
            )?;
            let mut extend = tx.prepare_cached(
                "UPDATE alerts SET last_item_id = max(last_item_id, ?2), updated_at = ?3 WHERE id = ?1",
            )?;
            for h in hits {
                // A story the item was merged into may already carry this watch's alert.
                let existing: Option<i64> = find
                    .query_row(params![h.watch_id, h.story_id], |r| r.get(0))
                    .optional()?;
                let change = match existing {
                    Some(id) => {
                        if link.execute(params![id, h.item_id])? == 0 {
                            AlertChange::Unchanged(id)
                        } else {
                            extend.execute(params![id, h.item_id, ts(&h.now)])?;
                            AlertChange::Extended(id)
                        }
                    }
                    None => {
                        // An alert raised in this story id that has since left it (a split or
                        // a regroup reused the id) must not keep the id from the new alert.
                        vacate.execute(params![h.watch_id, h.story_id])?;
                        insert.execute(params![
                            h.watch_id,
                            h.story_id,
                            h.item_id,
                            h.reason,
                            ts(&h.now),
                            ts(&h.due_at),
                            h.backfill.then(|| ts(&h.now)),
                        ])?;
                        let id = tx.last_insert_rowid();
                        link.execute(params![id, h.item_id])?;
                        AlertChange::Raised(id)
                    }
                };
                out.push(change);
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// Ids of items in a story, after `after` in id order (a new watch runs over these).
    pub fn grouped_items_after(&self, after: i64, limit: usize) -> Result<Vec<i64>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT item_id FROM story_items WHERE item_id > ?1 ORDER BY item_id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit as i64], |r| r.get(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// How many items belong to a story.
    pub fn grouped_item_count(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM story_items", [], |r| r.get(0))?)
    }

    /// Alerts newest first, raised or extended since `since`; with `unseen_only`, only those
    /// not marked seen.
    pub fn alerts(
        &self,
        since: Option<DateTime<Utc>>,
        unseen_only: bool,
        limit: usize,
    ) -> Result<Vec<AlertRecord>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{} WHERE a.updated_at >= ?1 AND (?2 = 0 OR a.seen_at IS NULL)
             ORDER BY a.created_at DESC, a.id DESC LIMIT ?3",
            ALERT_SQL.select
        ))?;
        let since = since.map(|t| ts(&t)).unwrap_or_default();
        let rows = stmt.query_map(
            params![since, i64::from(unseen_only), limit as i64],
            row_to_alert,
        )?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Mark alert `id` seen (with the alerts it shows as after a merge); returns how many rows
    /// changed (0: seen already). `NotFound` when there is no such alert.
    pub fn mark_alert_seen(&self, id: i64, now: DateTime<Utc>) -> Result<u64> {
        if self.alert(id)?.is_none() {
            return Err(StoreError::NotFound(format!("alert {id}")));
        }
        let n = self.conn().execute(
            &format!(
                "UPDATE alerts SET seen_at = ?1 WHERE seen_at IS NULL AND id IN ({})",
                ALERT_SQL.same_ids
            ),
            params![ts(&now), id],
        )?;
        Ok(n as u64)
    }

    /// Mark every unseen alert seen, or only those up to alert id `up_to` (what a list showed,
    /// so an alert raised meanwhile stays new). Returns how many changed.
    pub fn mark_all_alerts_seen(&self, up_to: Option<i64>, now: DateTime<Utc>) -> Result<u64> {
        let n = self.conn().execute(
            "UPDATE alerts SET seen_at = ?1 WHERE seen_at IS NULL AND id <= ?2",
            params![ts(&now), up_to.unwrap_or(i64::MAX)],
        )?;
        Ok(n as u64)
    }

    /// Alerts not marked seen, one per watch and story (what the app's badge shows).
    pub fn unseen_alert_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn()
            .query_row(&ALERT_SQL.unseen_count, [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    pub fn alert(&self, id: i64) -> Result<Option<AlertRecord>> {
        let mut stmt = self
            .conn()
            .prepare_cached(&format!("{} WHERE a.id = ?1", ALERT_SQL.select))?;
        Ok(stmt.query_row([id], row_to_alert).optional()?)
    }

    /// Claim the alerts due by `now` and not yet delivered: the caller announces them.
    /// One statement, so two processes never both claim one alert.
    pub fn claim_due_alerts(&self, now: DateTime<Utc>) -> Result<Vec<AlertRecord>> {
        let mut stmt = self.conn().prepare_cached(
            "UPDATE alerts SET delivered_at = ?1 WHERE delivered_at IS NULL AND due_at <= ?1
             RETURNING id",
        )?;
        let ids: Vec<i64> = stmt
            .query_map([ts(&now)], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(a) = self.alert(id)? {
                out.push(a);
            }
        }
        out.sort_by_key(|a| (a.created_at, a.id));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::items::tests::item;

    fn at(m: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-06-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + chrono::Duration::minutes(m)
    }

    /// A watch for `term` and `n` stored items (ids in order).
    fn watch_and_items(s: &Store, term: &str, n: usize) -> (Watch, Vec<i64>) {
        let w = s
            .insert_watch(
                term,
                &WatchRule::Terms {
                    terms: vec![term.into()],
                },
                at(0),
            )
            .unwrap();
        let items: Vec<_> = (1..=n)
            .map(|i| item("a", &i.to_string(), &format!("x{i}")))
            .collect();
        (w, s.insert_items(&items).unwrap().inserted)
    }

    crate::store::testing::on_both_backends!(one_alert_per_watch_and_story_and_claimed_once);
    fn one_alert_per_watch_and_story_and_claimed_once(s: Store) {
        let (w, ids) = watch_and_items(&s, "Putin", 3);
        let hit = |item_id, story_id, m, due| AlertHit {
            watch_id: w.id,
            story_id,
            item_id,
            reason: "Putin",
            now: at(m),
            due_at: at(due),
            backfill: false,
        };
        let r = s
            .record_alerts(&[
                hit(ids[0], 7, 1, 1),
                hit(ids[1], 7, 2, 2),
                hit(ids[1], 7, 3, 3),
            ])
            .unwrap();
        assert!(matches!(r[0], AlertChange::Raised(_)));
        assert!(matches!(r[1], AlertChange::Extended(_)));
        assert!(matches!(r[2], AlertChange::Unchanged(_)));
        // Quiet hours: the second story's alert waits until minute 60.
        s.record_alerts(&[hit(ids[2], 8, 5, 60)]).unwrap();
        let all = s.alerts(None, false, 10).unwrap();
        assert_eq!(all.len(), 2);
        let first = all.iter().find(|a| a.first_item_id == ids[0]).unwrap();
        assert_eq!((first.matches, first.last_item_id), (2, ids[1]));
        let due = s.claim_due_alerts(at(10)).unwrap();
        assert_eq!(due.len(), 1);
        assert!(
            s.claim_due_alerts(at(10)).unwrap().is_empty(),
            "claimed once"
        );
        assert_eq!(s.claim_due_alerts(at(60)).unwrap().len(), 1);
        s.delete_watch(w.id).unwrap();
        assert!(s.alerts(None, false, 10).unwrap().is_empty());
        assert!(s.delete_watch(w.id).is_err());
    }

    crate::store::testing::on_both_backends!(seen_state_is_kept_per_alert);
    fn seen_state_is_kept_per_alert(s: Store) {
        let (w, ids) = watch_and_items(&s, "Soleimani", 3);
        let hit = |item_id, story_id, m| AlertHit {
            watch_id: w.id,
            story_id,
            item_id,
            reason: "Soleimani",
            now: at(m),
            due_at: at(m),
            backfill: false,
        };
        let raised: Vec<i64> = s
            .record_alerts(&[hit(ids[0], 7, 1), hit(ids[1], 8, 2), hit(ids[2], 9, 3)])
            .unwrap()
            .into_iter()
            .map(|c| match c {
                AlertChange::Raised(id) => id,
                other => panic!("expected a new alert, got {other:?}"),
            })
            .collect();
        assert_eq!(s.unseen_alert_count().unwrap(), 3);
        assert_eq!(s.mark_alert_seen(raised[1], at(10)).unwrap(), 1);
        assert_eq!(
            s.mark_alert_seen(raised[1], at(11)).unwrap(),
            0,
            "seen already"
        );
        let seen = s.alert(raised[1]).unwrap().unwrap();
        assert_eq!(seen.seen_at, Some(at(10)), "the first mark is kept");
        assert_eq!(s.unseen_alert_count().unwrap(), 2);
        let unseen: Vec<i64> = s
            .alerts(None, true, 10)
            .unwrap()
            .iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(unseen, vec![raised[2], raised[0]]);
        assert_eq!(s.alerts(None, false, 10).unwrap().len(), 3);
        assert!(matches!(
            s.mark_alert_seen(999_999, at(12)),
            Err(StoreError::NotFound(_))
        ));
        // "Mark all seen" up to what the list showed leaves a newer alert new.
        assert_eq!(s.mark_all_alerts_seen(Some(raised[0]), at(13)).unwrap(), 1);
        assert_eq!(s.alerts(None, true, 10).unwrap()[0].id, raised[2]);
        assert_eq!(s.mark_all_alerts_seen(None, at(14)).unwrap(), 1);
        assert_eq!(s.unseen_alert_count().unwrap(), 0);
        // A later item extends a seen alert without making it new again.
        s.record_alerts(&[hit(ids[1], 7, 20)]).unwrap();
        assert_eq!(s.unseen_alert_count().unwrap(), 0);
    }

    crate::store::testing::on_both_backends!(
        alerts_follow_their_items_when_stories_split_or_regroup
    );
    fn alerts_follow_their_items_when_stories_split_or_regroup(s: Store) {
        use crate::store::StoryAssignment;
        let place = |pairs: &[(i64, i64)]| {
            let rows: Vec<StoryAssignment> = pairs
                .iter()
                .map(|&(item_id, story_id)| StoryAssignment {
                    item_id,
                    story_id,
                    score: None,
                    explanation: None,
                    pinned: false,
                    routine: false,
                })
                .collect();
            s.assign(&rows).unwrap();
        };
        let (w, ids) = watch_and_items(&s, "ترامپ", 4);
        let hit = |item_id, story_id, m| AlertHit {
            watch_id: w.id,
            story_id,
            item_id,
            reason: "ترامپ",
            now: at(m),
            due_at: at(m),
            backfill: false,
        };
        place(&[(ids[0], 10), (ids[1], 10)]);
        s.record_alerts(&[hit(ids[0], 10, 1), hit(ids[1], 10, 2)])
            .unwrap();
        let first = s.alerts(None, false, 10).unwrap().remove(0);
        assert_eq!((first.story_id, first.matches), (10, 2));
        s.mark_all_alerts_seen(None, at(3)).unwrap();

        // A re-check splits the later item off: the alert stays with the story that still holds
        // its first item, and shows that item; the split-off story gets an alert of its own.
        place(&[(ids[1], 11)]);
        let now = s.alert(first.id).unwrap().unwrap();
        assert_eq!(
            (now.story_id, now.first_item_id, now.matches),
            (10, ids[0], 1)
        );
        let r = s.record_alerts(&[hit(ids[1], 11, 4)]).unwrap();
        let AlertChange::Raised(split_off) = r[0] else {
            panic!("{r:?}")
        };
        assert_ne!(split_off, first.id);
        // Its item was seen in the first alert: the new alert starts seen, nothing is new.
        assert_eq!(s.alert(split_off).unwrap().unwrap().seen_at, Some(at(3)));
        assert_eq!(s.unseen_alert_count().unwrap(), 0);

        // A regroup gives every story a new id, reusing 10 for another one: both alerts follow
        // their items, a re-match raises nothing new, and what was seen stays seen.
        place(&[(ids[0], 20), (ids[1], 21), (ids[2], 10)]);
        let r = s
            .record_alerts(&[hit(ids[0], 20, 5), hit(ids[1], 21, 5)])
            .unwrap();
        assert!(
            r.iter().all(|c| matches!(c, AlertChange::Unchanged(_))),
            "{r:?}"
        );
        let stories: Vec<(i64, bool)> = s
            .alerts(None, false, 10)
            .unwrap()
            .iter()
            .map(|a| (a.story_id, a.seen_at.is_some()))
            .collect();
        assert_eq!(stories, vec![(21, true), (20, true)]);
        // A match in the story that now has id 10 raises its own alert: the first alert,
        // raised under that id, gives the id up.
        let r = s.record_alerts(&[hit(ids[2], 10, 6)]).unwrap();
        assert!(matches!(r[0], AlertChange::Raised(_)), "{r:?}");
        assert_eq!(
            s.unseen_alert_count().unwrap(),
            1,
            "a match never seen is new"
        );
        assert_eq!(s.alert(first.id).unwrap().unwrap().story_id, 20);
        // Two stories merge: their alerts are about one story; a new item there extends one.
        place(&[(ids[1], 20), (ids[3], 20)]);
        let r = s.record_alerts(&[hit(ids[3], 20, 7)]).unwrap();
        assert_eq!(r, vec![AlertChange::Extended(first.id)]);
    }
}
