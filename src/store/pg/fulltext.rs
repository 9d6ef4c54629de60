//! Full-text articles on PostgreSQL: the same per-source mode and per-item rows as SQLite's
//! (`store::fulltext`), and the same rule for search: when the feed gave only the headline, the
//! article's lead becomes the item's searchable body (weight B of its `tsvector`, over Parallax's
//! fold as everywhere on this back end).

use chrono::Utc;

use super::super::fulltext::{
    AUTO_SAMPLE, code_value, mode_from, mode_value, mostly_headlines, state_from,
};
use super::super::{Result, StoreError, StoredFulltext, parse_ts, ts};
use super::PgStore;
use super::items::lexemes;
use crate::error::Code;
use crate::fulltext::{Article, FulltextMode, is_headline_only};

impl PgStore {
    pub fn source_fulltext(&self, source_id: &str) -> Result<FulltextMode> {
        let row = self
            .db()
            .query_opt("SELECT fulltext FROM sources WHERE id = $1", &[&source_id])?;
        match row {
            None => Err(StoreError::NotFound(format!("source {source_id}"))),
            Some(r) => Ok(mode_from(r.get::<_, Option<&str>>(0))),
        }
    }

    pub fn set_source_fulltext(&self, source_id: &str, mode: FulltextMode) -> Result<()> {
        let n = self.db().execute(
            "UPDATE sources SET fulltext = $2 WHERE id = $1",
            &[&source_id, &mode_value(mode)],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("source {source_id}")));
        }
        Ok(())
    }

    pub fn source_is_headline_only(&self, source_id: &str) -> Result<bool> {
        let rows = self.db().query(
            "SELECT title, summary_text FROM items WHERE source_id = $1 ORDER BY id DESC LIMIT $2",
            &[&source_id, &(AUTO_SAMPLE as i64)],
        )?;
        Ok(mostly_headlines(
            rows.iter()
                .map(|r| (r.get::<_, &str>(0), r.get::<_, &str>(1))),
        ))
    }

    pub fn fulltext_enabled(&self, source_id: &str) -> Result<bool> {
        Ok(match self.source_fulltext(source_id)? {
            FulltextMode::On => true,
            FulltextMode::Off => false,
            FulltextMode::Auto => self.source_is_headline_only(source_id)?,
        })
    }

    pub fn fulltext(&self, item_id: i64) -> Result<Option<StoredFulltext>> {
        let row = self.db().query_opt(
            "SELECT item_id, url, fetched_at, text, lead, error_code, error, bytes, etag, last_modified
             FROM item_fulltext WHERE item_id = $1",
            &[&item_id],
        )?;
        Ok(row.map(|r| StoredFulltext {
            item_id: r.get(0),
            url: r.get(1),
            fetched_at: parse_ts(r.get(2)),
            state: state_from(r.get(3), r.get(4), r.get(5), r.get(6)),
            bytes: r.get::<_, i64>(7).max(0) as u64,
            etag: r.get(8),
            last_modified: r.get(9),
        }))
    }

    /// Store an article's text (replacing an earlier text or error); when the item's feed gave
    /// only its headline, its search vector becomes its title and the article's lead.
    pub fn put_fulltext(&self, item_id: i64, url: &str, a: &Article) -> Result<()> {
        let mut db = self.db();
        let mut tx = db.transaction()?;
        tx.execute(
            "INSERT INTO item_fulltext(item_id, url, fetched_at, text, lead, bytes, etag, last_modified)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT(item_id) DO UPDATE SET url = excluded.url, fetched_at = excluded.fetched_at,
               text = excluded.text, lead = excluded.lead, error_code = NULL, error = NULL,
               bytes = excluded.bytes, etag = excluded.etag, last_modified = excluded.last_modified",
            &[
                &item_id,
                &url,
                &ts(&Utc::now()),
                &a.text,
                &a.lead,
                &(a.bytes.min(i64::MAX as u64) as i64),
                &a.etag,
                &a.last_modified,
            ],
        )?;
        let feed = tx.query_opt(
            "SELECT title, summary_text FROM items WHERE id = $1",
            &[&item_id],
        )?;
        if let Some(r) = feed {
            let (title, summary): (&str, &str) = (r.get(0), r.get(1));
            if is_headline_only(title, summary) {
                tx.execute(
                    "UPDATE items SET search = setweight(array_to_tsvector($2::text[]), 'A')
                       || setweight(array_to_tsvector($3::text[]), 'B')
                     WHERE id = $1",
                    &[&item_id, &lexemes(title), &lexemes(&a.lead)],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Record why an item has no article text; a text fetched before is kept.
    pub fn put_fulltext_error(
        &self,
        item_id: i64,
        url: &str,
        code: Code,
        message: &str,
    ) -> Result<()> {
        self.db().execute(
            "INSERT INTO item_fulltext(item_id, url, fetched_at, error_code, error)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT(item_id) DO UPDATE SET url = excluded.url, fetched_at = excluded.fetched_at,
               error_code = excluded.error_code, error = excluded.error
             WHERE item_fulltext.text IS NULL",
            &[&item_id, &url, &ts(&Utc::now()), &code_value(code)?, &message],
        )?;
        Ok(())
    }

    pub fn touch_fulltext(&self, item_id: i64) -> Result<()> {
        self.db().execute(
            "UPDATE item_fulltext SET fetched_at = $2 WHERE item_id = $1",
            &[&item_id, &ts(&Utc::now())],
        )?;
        Ok(())
    }
}
