use chrono::{DateTime, Utc};
use postgres::Row;

use super::super::watches::ALERT_SQL;
use super::super::{AlertChange, AlertHit, AlertRecord, Result, StoreError, parse_ts, ts};
use super::PgStore;
use crate::watch::{Watch, WatchRule};

fn row_to_alert(r: &Row) -> AlertRecord {
    AlertRecord {
        id: r.get(0),
        watch_id: r.get(1),
        story_id: r.get(2),
        first_item_id: r.get(3),
        last_item_id: r.get(4),
        matches: r.get::<_, i64>(5) as u32,
        reason: r.get(6),
        created_at: parse_ts(r.get(7)),
        updated_at: parse_ts(r.get(8)),
        due_at: parse_ts(r.get(9)),
        delivered_at: r.get::<_, Option<&str>>(10).map(parse_ts),
        seen_at: r.get::<_, Option<&str>>(11).map(parse_ts),
    }
}

/// The shared SQL numbers its parameters `?N`, as SQLite does: PostgreSQL spells them `$N`.
fn pg_params(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        let numbered = c == '?' && chars.peek().is_some_and(|d| d.is_ascii_digit());
        out.push(if numbered { '$' } else { c });
    }
    out
}

impl PgStore {
    pub fn insert_watch(&self, name: &str, rule: &WatchRule, now: DateTime<Utc>) -> Result<Watch> {
        let id: i64 = self
            .db()
            .query_one(
                "INSERT INTO watches(name, rule, created_at) VALUES ($1, $2, $3) RETURNING id",
                &[&name, &serde_json::to_string(rule)?, &ts(&now)],
            )?
            .get(0);
        Ok(Watch {
            id,
            name: name.to_string(),
            rule: rule.clone(),
            created_at: now,
            created_by: None,
        })
    }

    pub fn watches(&self) -> Result<Vec<Watch>> {
        let rows = self.db().query(
            "SELECT id, name, rule, created_at, created_by FROM watches ORDER BY id",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(Watch {
                    id: r.get(0),
                    name: r.get(1),
                    rule: serde_json::from_str(r.get(2))?,
                    created_at: parse_ts(r.get(3)),
                    created_by: r.get(4),
                })
            })
            .collect()
    }

    pub fn delete_watch(&self, id: i64) -> Result<()> {
        if self
            .db()
            .execute("DELETE FROM watches WHERE id = $1", &[&id])?
            == 0
        {
            return Err(StoreError::NotFound(format!("watch {id}")));
        }
        Ok(())
    }

    pub fn insert_alias(&self, spellings: &[String]) -> Result<i64> {
        Ok(self
            .db()
            .query_one(
                "INSERT INTO aliases(spellings) VALUES ($1) RETURNING id",
                &[&serde_json::to_string(spellings)?],
            )?
            .get(0))
    }

    pub fn aliases(&self) -> Result<Vec<(i64, Vec<String>)>> {
        let rows = self
            .db()
            .query("SELECT id, spellings FROM aliases ORDER BY id", &[])?;
        rows.iter()
            .map(|r| Ok((r.get(0), serde_json::from_str(r.get(1))?)))
            .collect()
    }

    pub fn delete_alias(&self, id: i64) -> Result<()> {
        if self
            .db()
            .execute("DELETE FROM aliases WHERE id = $1", &[&id])?
            == 0
        {
            return Err(StoreError::NotFound(format!("alias group {id}")));
        }
        Ok(())
    }

    /// As on SQLite, in one transaction. A concurrent writer's alert for the same watch and
    /// story is found by the unique key, never doubled.
    pub fn record_alerts(&self, hits: &[AlertHit<'_>]) -> Result<Vec<AlertChange>> {
        let mut db = self.db();
        let mut tx = db.transaction()?;
        let mut out = Vec::with_capacity(hits.len());
        let find = tx.prepare(&pg_params(&ALERT_SQL.find))?;
        let vacate = tx.prepare(&pg_params(&ALERT_SQL.vacate))?;
        let insert = tx.prepare(&pg_params(&ALERT_SQL.insert))?;
        let link = tx.prepare(
            "INSERT INTO alert_items(alert_id, item_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )?;
        let extend = tx.prepare(
            "UPDATE alerts SET last_item_id = greatest(last_item_id, $2), updated_at = $3 WHERE id = $1",
        )?;
        for h in hits {
            let existing: Option<i64> = tx
                .query_opt(&find, &[&h.watch_id, &h.story_id])?
                .map(|r| r.get(0));
            let raised: Option<i64> = match existing {
                Some(_) => None,
                None => {
                    // An alert raised in this story id that has since left it must not keep
                    // the id from the new alert (as on SQLite).
                    tx.execute(&vacate, &[&h.watch_id, &h.story_id])?;
                    tx.query_opt(
                        &insert,
                        &[
                            &h.watch_id,
                            &h.story_id,
                            &h.item_id,
                            &h.reason,
                            &ts(&h.now),
                            &ts(&h.due_at),
                            &h.backfill.then(|| ts(&h.now)),
                        ],
                    )?
                    .map(|r| r.get(0))
                }
            };
            let change = match (raised, existing) {
                (Some(id), _) => {
                    tx.execute(&link, &[&id, &h.item_id])?;
                    AlertChange::Raised(id)
                }
                (None, found) => {
                    let id: i64 = match found {
                        Some(id) => id,
                        None => tx.query_one(&find, &[&h.watch_id, &h.story_id])?.get(0),
                    };
                    if tx.execute(&link, &[&id, &h.item_id])? == 0 {
                        AlertChange::Unchanged(id)
                    } else {
                        tx.execute(&extend, &[&id, &h.item_id, &ts(&h.now)])?;
                        AlertChange::Extended(id)
                    }
                }
            };
            out.push(change);
        }
        tx.commit()?;
        Ok(out)
    }

    pub fn grouped_items_after(&self, after: i64, limit: usize) -> Result<Vec<i64>> {
        Ok(self
            .db()
            .query(
                "SELECT item_id FROM story_items WHERE item_id > $1 ORDER BY item_id LIMIT $2",
                &[&after, &(limit.min(i64::MAX as usize) as i64)],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    pub fn grouped_item_count(&self) -> Result<i64> {
        Ok(self
            .db()
            .query_one("SELECT count(*) FROM story_items", &[])?
            .get(0))
    }

    pub fn alerts(
        &self,
        since: Option<DateTime<Utc>>,
        unseen_only: bool,
        limit: usize,
    ) -> Result<Vec<AlertRecord>> {
        let since = since.map(|t| ts(&t)).unwrap_or_default();
        Ok(self
            .db()
            .query(
                &format!(
                    "{} WHERE a.updated_at >= $1 AND (NOT $2 OR a.seen_at IS NULL)
                     ORDER BY a.created_at DESC, a.id DESC LIMIT $3",
                    ALERT_SQL.select
                ),
                &[&since, &unseen_only, &(limit.min(i64::MAX as usize) as i64)],
            )?
            .iter()
            .map(row_to_alert)
            .collect())
    }

    pub fn mark_alert_seen(&self, id: i64, now: DateTime<Utc>) -> Result<u64> {
        if self.alert(id)?.is_none() {
            return Err(StoreError::NotFound(format!("alert {id}")));
        }
        let same = pg_params(&ALERT_SQL.same_ids);
        Ok(self.db().execute(
            &format!("UPDATE alerts SET seen_at = $1 WHERE seen_at IS NULL AND id IN ({same})"),
            &[&ts(&now), &id],
        )?)
    }

    pub fn mark_all_alerts_seen(&self, up_to: Option<i64>, now: DateTime<Utc>) -> Result<u64> {
        Ok(self.db().execute(
            "UPDATE alerts SET seen_at = $1 WHERE seen_at IS NULL AND id <= $2",
            &[&ts(&now), &up_to.unwrap_or(i64::MAX)],
        )?)
    }

    pub fn unseen_alert_count(&self) -> Result<u64> {
        let n: i64 = self
            .db()
            .query_one(ALERT_SQL.unseen_count.as_str(), &[])?
            .get(0);
        Ok(n.max(0) as u64)
    }

    pub fn alert(&self, id: i64) -> Result<Option<AlertRecord>> {
        Ok(self
            .db()
            .query_opt(&format!("{} WHERE a.id = $1", ALERT_SQL.select), &[&id])?
            .as_ref()
            .map(row_to_alert))
    }

    /// One statement, so two processes never both claim one alert.
    pub fn claim_due_alerts(&self, now: DateTime<Utc>) -> Result<Vec<AlertRecord>> {
        let ids: Vec<i64> = self
            .db()
            .query(
                "UPDATE alerts SET delivered_at = $1 WHERE delivered_at IS NULL AND due_at <= $1
                 RETURNING id",
                &[&ts(&now)],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
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
