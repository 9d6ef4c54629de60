use chrono::Utc;
use postgres::Row;

use super::super::sources::{lang_from, ownership_from, ownership_str};
use super::super::{FeedState, Result, StoreError, parse_ts, ts};
use super::PgStore;
use crate::model::{Feed, Source};

const SOURCE_COLS: &str = "SELECT id, name, homepage, language, country, ownership, note, enabled, refresh_secs FROM sources";

fn row_to_source(r: &Row) -> Source {
    Source {
        id: r.get(0),
        name: r.get(1),
        homepage: r.get(2),
        language: lang_from(r.get(3)),
        country: r.get(4),
        ownership: ownership_from(r.get(5)),
        note: r.get(6),
        feeds: Vec::new(),
        enabled: r.get(7),
        refresh_secs: r.get::<_, i64>(8) as u32,
    }
}

impl PgStore {
    pub fn upsert_source(&self, s: &Source) -> Result<()> {
        self.upsert_source_with_origin(s, "user")
    }

    pub fn seed_catalog_source(&self, s: &Source) -> Result<bool> {
        let existed = self.source(&s.id)?.is_some();
        if !existed {
            self.upsert_source_with_origin(s, "catalog")?;
        }
        Ok(!existed)
    }

    fn upsert_source_with_origin(&self, s: &Source, origin: &str) -> Result<()> {
        if s.feeds.is_empty() {
            return Err(StoreError::Invalid(format!(
                "source {} has no feed URL",
                s.id
            )));
        }
        let mut db = self.db();
        let mut tx = db.transaction()?;
        tx.execute(
            "INSERT INTO sources(id, name, homepage, language, country, ownership, note, enabled, refresh_secs, origin, added_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT(id) DO UPDATE SET name=excluded.name, homepage=excluded.homepage,
               language=excluded.language, country=excluded.country, ownership=excluded.ownership,
               note=excluded.note",
            &[
                &s.id,
                &s.name,
                &s.homepage,
                &s.language.code(),
                &s.country,
                &ownership_str(s.ownership),
                &s.note,
                &s.enabled,
                &i64::from(s.refresh_secs),
                &origin,
                &ts(&Utc::now()),
            ],
        )?;
        for (pos, f) in s.feeds.iter().enumerate() {
            // Locks the feed's row (if any) so two upserts cannot both claim one URL.
            let owner: Option<String> = tx
                .query_opt(
                    "SELECT source_id FROM feeds WHERE url = $1 FOR UPDATE",
                    &[&f.url],
                )?
                .map(|r| r.get(0));
            match owner {
                Some(o) if o != s.id => {
                    return Err(StoreError::Invalid(format!(
                        "feed {} already belongs to source {o}",
                        f.url
                    )));
                }
                Some(_) => {
                    tx.execute(
                        "UPDATE feeds SET verified = $2, position = $3 WHERE url = $1",
                        &[&f.url, &f.verified, &(pos as i64)],
                    )?;
                }
                None => {
                    tx.execute(
                        "INSERT INTO feeds(url, source_id, verified, position) VALUES ($1, $2, $3, $4)",
                        &[&f.url, &s.id, &f.verified, &(pos as i64)],
                    )?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn source_counts(&self) -> Result<(u32, u32)> {
        let r = self.db().query_one(
            "SELECT count(*), count(*) FILTER (WHERE enabled) FROM sources",
            &[],
        )?;
        Ok((r.get::<_, i64>(0) as u32, r.get::<_, i64>(1) as u32))
    }

    pub fn sources(&self) -> Result<Vec<Source>> {
        self.sources_where(None)
    }

    pub fn sources_by_ids(&self, ids: &[&str]) -> Result<Vec<Source>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.sources_where(Some(ids))
    }

    fn sources_where(&self, ids: Option<&[&str]>) -> Result<Vec<Source>> {
        let mut db = self.db();
        let (src_rows, feed_rows) = match ids {
            Some(ids) => (
                db.query(
                    &format!("{SOURCE_COLS} WHERE id = ANY($1) ORDER BY language, lower(name)"),
                    &[&ids],
                )?,
                db.query(
                    "SELECT source_id, url, verified FROM feeds WHERE source_id = ANY($1) ORDER BY position",
                    &[&ids],
                )?,
            ),
            None => (
                db.query(&format!("{SOURCE_COLS} ORDER BY language, lower(name)"), &[])?,
                db.query(
                    "SELECT source_id, url, verified FROM feeds ORDER BY position",
                    &[],
                )?,
            ),
        };
        let mut feeds: std::collections::HashMap<String, Vec<Feed>> = Default::default();
        for r in &feed_rows {
            feeds.entry(r.get(0)).or_default().push(Feed {
                url: r.get(1),
                verified: r.get(2),
            });
        }
        Ok(src_rows
            .iter()
            .map(|r| {
                let mut s = row_to_source(r);
                s.feeds = feeds.remove(&s.id).unwrap_or_default();
                s
            })
            .collect())
    }

    pub fn source(&self, id: &str) -> Result<Option<Source>> {
        let mut db = self.db();
        let Some(row) = db.query_opt(&format!("{SOURCE_COLS} WHERE id = $1"), &[&id])? else {
            return Ok(None);
        };
        let mut s = row_to_source(&row);
        s.feeds = db
            .query(
                "SELECT url, verified FROM feeds WHERE source_id = $1 ORDER BY position",
                &[&id],
            )?
            .iter()
            .map(|r| Feed {
                url: r.get(0),
                verified: r.get(1),
            })
            .collect();
        Ok(Some(s))
    }

    pub fn source_of_feed(&self, url: &str) -> Result<Option<String>> {
        Ok(self
            .db()
            .query_opt("SELECT source_id FROM feeds WHERE url = $1", &[&url])?
            .map(|r| r.get(0)))
    }

    pub fn remove_source(&self, id: &str) -> Result<()> {
        let n = self
            .db()
            .execute("DELETE FROM sources WHERE id = $1", &[&id])?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("source {id}")));
        }
        Ok(())
    }

    pub fn set_source_enabled(&self, id: &str, enabled: bool) -> Result<()> {
        let n = self.db().execute(
            "UPDATE sources SET enabled = $2 WHERE id = $1",
            &[&id, &enabled],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("source {id}")));
        }
        Ok(())
    }

    pub fn set_source_refresh(&self, id: &str, secs: u32) -> Result<()> {
        let n = self.db().execute(
            "UPDATE sources SET refresh_secs = $2 WHERE id = $1",
            &[&id, &i64::from(secs.max(60))],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("source {id}")));
        }
        Ok(())
    }

    pub fn feed_state(&self, feed_url: &str) -> Result<FeedState> {
        let row = self.db().query_opt(
            "SELECT etag, last_modified, consecutive_failures, next_attempt_at, ttl_minutes,
                    last_attempt_at, last_success_at FROM feeds WHERE url = $1",
            &[&feed_url],
        )?;
        Ok(row
            .map(|r| FeedState {
                etag: r.get(0),
                last_modified: r.get(1),
                consecutive_failures: r.get::<_, i64>(2) as u32,
                next_attempt_at: r.get::<_, Option<&str>>(3).map(parse_ts),
                ttl_minutes: r.get::<_, Option<i64>>(4).map(|m| m as u32),
                last_attempt_at: r.get::<_, Option<&str>>(5).map(parse_ts),
                last_success_at: r.get::<_, Option<&str>>(6).map(parse_ts),
            })
            .unwrap_or_default())
    }

    pub fn save_feed_state(&self, feed_url: &str, st: &FeedState) -> Result<()> {
        let n = self.db().execute(
            "UPDATE feeds SET etag = $2, last_modified = $3, consecutive_failures = $4,
               next_attempt_at = $5, ttl_minutes = $6, last_attempt_at = $7, last_success_at = $8
             WHERE url = $1",
            &[
                &feed_url,
                &st.etag,
                &st.last_modified,
                &i64::from(st.consecutive_failures),
                &st.next_attempt_at.as_ref().map(ts),
                &st.ttl_minutes.map(i64::from),
                &st.last_attempt_at.as_ref().map(ts),
                &st.last_success_at.as_ref().map(ts),
            ],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("feed {feed_url}")));
        }
        Ok(())
    }
}
