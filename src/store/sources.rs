//! Sources (outlets), their feeds, and per-feed conditional-GET and backoff state.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Result, SqliteStore, StoreError, parse_ts, ts};
use crate::model::{Feed, Lang, Ownership, Source};

/// Per-feed state the fetcher needs between runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub consecutive_failures: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub ttl_minutes: Option<u32>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
}

pub(crate) fn ownership_str(o: Ownership) -> &'static str {
    match o {
        Ownership::State => "state",
        Ownership::PublicBroadcaster => "public_broadcaster",
        Ownership::Private => "private",
        Ownership::PartyAffiliated => "party_affiliated",
        Ownership::ForeignGovernmentFunded => "foreign_government_funded",
        Ownership::Unknown => "unknown",
    }
}

pub(crate) fn ownership_from(s: &str) -> Ownership {
    match s {
        "state" => Ownership::State,
        "public_broadcaster" => Ownership::PublicBroadcaster,
        "private" => Ownership::Private,
        "party_affiliated" => Ownership::PartyAffiliated,
        "foreign_government_funded" => Ownership::ForeignGovernmentFunded,
        _ => Ownership::Unknown,
    }
}

pub(crate) fn lang_from(s: &str) -> Lang {
    Lang::from_tag(s).unwrap_or(Lang::Und)
}

impl SqliteStore {
    /// Insert a source or refresh its descriptive fields. A user's `enabled` and `refresh_secs`
    /// choices survive re-seeding from the catalog.
    pub fn upsert_source(&self, s: &Source) -> Result<()> {
        self.upsert_source_with_origin(s, "user")
    }

    /// Like `upsert_source`, marking the row as coming from the bundled catalog.
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
        let tx = self.conn().unchecked_transaction()?;
        tx.execute(
            "INSERT INTO sources(id, name, homepage, language, country, ownership, note, enabled, refresh_secs, origin, added_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT(id) DO UPDATE SET name=excluded.name, homepage=excluded.homepage,
               language=excluded.language, country=excluded.country, ownership=excluded.ownership,
               note=excluded.note",
            params![
                s.id,
                s.name,
                s.homepage,
                s.language.code(),
                s.country,
                ownership_str(s.ownership),
                s.note,
                s.enabled,
                s.refresh_secs,
                origin,
                ts(&Utc::now())
            ],
        )?;
        for (pos, f) in s.feeds.iter().enumerate() {
            let owner: Option<String> = tx
                .query_row(
                    "SELECT source_id FROM feeds WHERE url = ?1",
                    [&f.url],
                    |r| r.get(0),
                )
                .optional()?;
            match owner {
                Some(o) if o != s.id => {
                    return Err(StoreError::Invalid(format!(
                        "feed {} already belongs to source {o}",
                        f.url
                    )));
                }
                Some(_) => {
                    tx.execute(
                        "UPDATE feeds SET verified = ?2, position = ?3 WHERE url = ?1",
                        params![f.url, f.verified, pos as i64],
                    )?;
                }
                None => {
                    tx.execute(
                        "INSERT INTO feeds(url, source_id, verified, position) VALUES (?1, ?2, ?3, ?4)",
                        params![f.url, s.id, f.verified, pos as i64],
                    )?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// How many sources there are, and how many are enabled.
    pub fn source_counts(&self) -> Result<(u32, u32)> {
        Ok(self.conn().query_row(
            "SELECT count(*), coalesce(sum(enabled), 0) FROM sources",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    pub fn sources(&self) -> Result<Vec<Source>> {
        self.sources_where(None)
    }

    /// Only the sources with these ids (the outlets of the stories or items on screen): an
    /// archive can hold thousands of outlets, and a story list needs a few hundred at most.
    pub fn sources_by_ids(&self, ids: &[&str]) -> Result<Vec<Source>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.sources_where(Some(&serde_json::to_string(ids)?))
    }

    /// Sources (all, or those in the JSON array `ids`) with their feeds, in two queries.
    fn sources_where(&self, ids: Option<&str>) -> Result<Vec<Source>> {
        const COLS: &str = "SELECT id, name, homepage, language, country, ownership, note, enabled, refresh_secs FROM sources";
        const FEEDS: &str = "SELECT source_id, url, verified FROM feeds";
        let (src_sql, feed_sql) = match ids {
            Some(_) => (
                format!(
                    "{COLS} WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY language, name COLLATE NOCASE"
                ),
                format!(
                    "{FEEDS} WHERE source_id IN (SELECT value FROM json_each(?1)) ORDER BY position"
                ),
            ),
            None => (
                format!("{COLS} ORDER BY language, name COLLATE NOCASE"),
                format!("{FEEDS} ORDER BY position"),
            ),
        };
        let args: Vec<&dyn rusqlite::ToSql> = match &ids {
            Some(j) => vec![j],
            None => Vec::new(),
        };
        let mut feeds: std::collections::HashMap<String, Vec<Feed>> = Default::default();
        let mut stmt = self.conn().prepare_cached(&feed_sql)?;
        let rows = stmt.query_map(args.as_slice(), |r| {
            Ok((
                r.get::<_, String>(0)?,
                Feed {
                    url: r.get(1)?,
                    verified: r.get(2)?,
                },
            ))
        })?;
        for r in rows {
            let (id, f) = r?;
            feeds.entry(id).or_default().push(f);
        }
        let mut stmt = self.conn().prepare_cached(&src_sql)?;
        let rows = stmt.query_map(args.as_slice(), row_to_source)?;
        let mut out = Vec::new();
        for r in rows {
            let mut s = r?;
            s.feeds = feeds.remove(&s.id).unwrap_or_default();
            out.push(s);
        }
        Ok(out)
    }

    pub fn source(&self, id: &str) -> Result<Option<Source>> {
        let s = self
            .conn()
            .query_row(
                "SELECT id, name, homepage, language, country, ownership, note, enabled, refresh_secs
                 FROM sources WHERE id = ?1",
                [id],
                row_to_source,
            )
            .optional()?;
        match s {
            Some(mut s) => {
                s.feeds = self.feeds_of(&s.id)?;
                Ok(Some(s))
            }
            None => Ok(None),
        }
    }

    /// The source that owns a feed URL, if any.
    pub fn source_of_feed(&self, url: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT source_id FROM feeds WHERE url = ?1", [url], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn feeds_of(&self, id: &str) -> Result<Vec<Feed>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT url, verified FROM feeds WHERE source_id = ?1 ORDER BY position")?;
        let rows = stmt.query_map([id], |r| {
            Ok(Feed {
                url: r.get(0)?,
                verified: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Remove a source and its feeds. Its items stay in the archive (nothing ingested is lost).
    pub fn remove_source(&self, id: &str) -> Result<()> {
        let n = self
            .conn()
            .execute("DELETE FROM sources WHERE id = ?1", [id])?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("source {id}")));
        }
        Ok(())
    }

    pub fn set_source_enabled(&self, id: &str, enabled: bool) -> Result<()> {
        let n = self.conn().execute(
            "UPDATE sources SET enabled = ?2 WHERE id = ?1",
            params![id, enabled],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("source {id}")));
        }
        Ok(())
    }

    pub fn set_source_refresh(&self, id: &str, secs: u32) -> Result<()> {
        let n = self.conn().execute(
            "UPDATE sources SET refresh_secs = ?2 WHERE id = ?1",
            params![id, secs.max(60)],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("source {id}")));
        }
        Ok(())
    }

    pub fn feed_state(&self, feed_url: &str) -> Result<FeedState> {
        let st = self
            .conn()
            .query_row(
                "SELECT etag, last_modified, consecutive_failures, next_attempt_at, ttl_minutes,
                        last_attempt_at, last_success_at FROM feeds WHERE url = ?1",
                [feed_url],
                |r| {
                    Ok(FeedState {
                        etag: r.get(0)?,
                        last_modified: r.get(1)?,
                        consecutive_failures: r.get(2)?,
                        next_attempt_at: r.get::<_, Option<String>>(3)?.map(|s| parse_ts(&s)),
                        ttl_minutes: r.get(4)?,
                        last_attempt_at: r.get::<_, Option<String>>(5)?.map(|s| parse_ts(&s)),
                        last_success_at: r.get::<_, Option<String>>(6)?.map(|s| parse_ts(&s)),
                    })
                },
            )
            .optional()?;
        Ok(st.unwrap_or_default())
    }

    pub fn save_feed_state(&self, feed_url: &str, st: &FeedState) -> Result<()> {
        let n = self.conn().execute(
            "UPDATE feeds SET etag = ?2, last_modified = ?3, consecutive_failures = ?4,
               next_attempt_at = ?5, ttl_minutes = ?6, last_attempt_at = ?7, last_success_at = ?8
             WHERE url = ?1",
            params![
                feed_url,
                st.etag,
                st.last_modified,
                st.consecutive_failures,
                st.next_attempt_at.as_ref().map(ts),
                st.ttl_minutes,
                st.last_attempt_at.as_ref().map(ts),
                st.last_success_at.as_ref().map(ts),
            ],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("feed {feed_url}")));
        }
        Ok(())
    }
}

fn row_to_source(r: &rusqlite::Row<'_>) -> rusqlite::Result<Source> {
    Ok(Source {
        id: r.get(0)?,
        name: r.get(1)?,
        homepage: r.get(2)?,
        language: lang_from(&r.get::<_, String>(3)?),
        country: r.get(4)?,
        ownership: ownership_from(&r.get::<_, String>(5)?),
        note: r.get(6)?,
        feeds: Vec::new(),
        enabled: r.get(7)?,
        refresh_secs: r.get(8)?,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::Store;

    pub(crate) fn source(id: &str, lang: Lang, url: &str) -> Source {
        Source {
            id: id.into(),
            name: format!("Outlet {id}"),
            homepage: None,
            feeds: vec![Feed {
                url: url.into(),
                verified: true,
            }],
            language: lang,
            country: Some("IR".into()),
            ownership: Ownership::State,
            note: None,
            enabled: true,
            refresh_secs: 900,
        }
    }

    crate::store::testing::on_both_backends!(upsert_keeps_user_choices_and_rejects_stolen_feed);
    fn upsert_keeps_user_choices_and_rejects_stolen_feed(s: Store) {
        let a = source("irna", Lang::Fa, "https://www.irna.ir/rss");
        s.upsert_source(&a).unwrap();
        s.set_source_enabled("irna", false).unwrap();
        s.upsert_source(&a).unwrap();
        assert!(!s.source("irna").unwrap().unwrap().enabled);
        let b = source("other", Lang::Fa, "https://www.irna.ir/rss");
        assert!(matches!(s.upsert_source(&b), Err(StoreError::Invalid(_))));
        assert_eq!(s.sources().unwrap().len(), 1);
    }

    crate::store::testing::on_both_backends!(feed_state_round_trips);
    fn feed_state_round_trips(s: Store) {
        s.upsert_source(&source("x", Lang::Ar, "http://127.0.0.1/a.xml"))
            .unwrap();
        let st = FeedState {
            etag: Some("\"abc\"".into()),
            last_modified: Some("Wed, 21 Oct 2015 07:28:00 GMT".into()),
            consecutive_failures: 3,
            next_attempt_at: Some(parse_ts("2026-01-01T00:00:00Z")),
            ttl_minutes: Some(60),
            last_attempt_at: None,
            last_success_at: None,
        };
        s.save_feed_state("http://127.0.0.1/a.xml", &st).unwrap();
        assert_eq!(s.feed_state("http://127.0.0.1/a.xml").unwrap(), st);
        s.remove_source("x").unwrap();
        assert!(s.sources().unwrap().is_empty());
    }
}
