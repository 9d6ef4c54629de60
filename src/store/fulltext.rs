//! Full-text articles: each source's mode, and per item the article text or why there is none.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, SqliteStore, StoreError, parse_ts, ts};
use crate::error::Code;
use crate::fulltext::{Article, FulltextMode, is_headline_only};
use crate::normalize::fold;

/// Recent items looked at to decide whether a source's feeds carry only headlines.
const AUTO_SAMPLE: usize = 20;

/// What is stored for one item's article page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredFulltext {
    pub item_id: i64,
    pub url: String,
    pub fetched_at: DateTime<Utc>,
    #[serde(flatten)]
    pub state: FulltextState,
    pub bytes: u64,
    #[serde(skip)]
    pub etag: Option<String>,
    #[serde(skip)]
    pub last_modified: Option<String>,
}

/// The article text, or the error that left the item with its feed text only.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FulltextState {
    Text { text: String, lead: String },
    Error { code: Code, message: String },
}

impl SqliteStore {
    /// A source's full-text mode (`Auto` when never set).
    pub fn source_fulltext(&self, source_id: &str) -> Result<FulltextMode> {
        let v: Option<Option<String>> = self
            .conn()
            .query_row(
                "SELECT fulltext FROM sources WHERE id = ?1",
                [source_id],
                |r| r.get(0),
            )
            .optional()?;
        match v {
            None => Err(StoreError::NotFound(format!("source {source_id}"))),
            Some(v) => Ok(v
                .as_deref()
                .and_then(FulltextMode::parse)
                .unwrap_or(FulltextMode::Auto)),
        }
    }

    pub fn set_source_fulltext(&self, source_id: &str, mode: FulltextMode) -> Result<()> {
        let value = match mode {
            FulltextMode::Auto => None,
            m => Some(m.as_str()),
        };
        let n = self.conn().execute(
            "UPDATE sources SET fulltext = ?2 WHERE id = ?1",
            params![source_id, value],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("source {source_id}")));
        }
        Ok(())
    }

    /// Whether a source's feeds carry only headlines: most of its latest items have no text
    /// beyond the title. `false` for a source with no items yet.
    pub fn source_is_headline_only(&self, source_id: &str) -> Result<bool> {
        let mut st = self.conn().prepare_cached(
            "SELECT title, summary_text FROM items WHERE source_id = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = st.query_map(params![source_id, AUTO_SAMPLE as i64], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let (mut total, mut bare) = (0usize, 0usize);
        for row in rows {
            let (title, summary) = row?;
            total += 1;
            bare += usize::from(is_headline_only(&title, &summary));
        }
        Ok(total > 0 && bare * 5 >= total * 4)
    }

    /// Whether full text is fetched for this source now (its mode, `Auto` resolved).
    pub fn fulltext_enabled(&self, source_id: &str) -> Result<bool> {
        Ok(match self.source_fulltext(source_id)? {
            FulltextMode::On => true,
            FulltextMode::Off => false,
            FulltextMode::Auto => self.source_is_headline_only(source_id)?,
        })
    }

    pub fn fulltext(&self, item_id: i64) -> Result<Option<StoredFulltext>> {
        self.conn()
            .query_row(
                "SELECT item_id, url, fetched_at, text, lead, error_code, error, bytes, etag, last_modified
                 FROM item_fulltext WHERE item_id = ?1",
                [item_id],
                |r| {
                    let text: Option<String> = r.get(3)?;
                    let state = match text {
                        Some(text) => FulltextState::Text {
                            text,
                            lead: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                        },
                        None => FulltextState::Error {
                            code: r
                                .get::<_, Option<String>>(5)?
                                .as_deref()
                                .and_then(|c| serde_json::from_value(serde_json::Value::String(c.into())).ok())
                                .unwrap_or(Code::Internal),
                            message: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                        },
                    };
                    Ok(StoredFulltext {
                        item_id: r.get(0)?,
                        url: r.get(1)?,
                        fetched_at: parse_ts(&r.get::<_, String>(2)?),
                        state,
                        bytes: r.get::<_, i64>(7)?.max(0) as u64,
                        etag: r.get(8)?,
                        last_modified: r.get(9)?,
                    })
                },
            )
            .optional()
            .map_err(Into::into)
    }

    /// Store an article's text; when the item's feed gave only its headline, the lead also
    /// becomes the item's searchable text.
    pub fn put_fulltext(&self, item_id: i64, url: &str, a: &Article) -> Result<()> {
        let tx = self.conn().unchecked_transaction()?;
        tx.execute(
            "INSERT OR REPLACE INTO item_fulltext(item_id, url, fetched_at, text, lead, bytes, etag, last_modified)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                item_id,
                url,
                ts(&Utc::now()),
                a.text,
                a.lead,
                a.bytes as i64,
                a.etag,
                a.last_modified
            ],
        )?;
        let feed: Option<(String, String)> = tx
            .query_row(
                "SELECT title, summary_text FROM items WHERE id = ?1",
                [item_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((title, summary)) = feed
            && is_headline_only(&title, &summary)
        {
            tx.execute(
                "UPDATE items_fts SET body = ?2 WHERE rowid = ?1",
                params![item_id, fold(&a.lead)],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Record why an item has no article text. A text fetched before is kept (a later failure,
    /// say the page went away, does not erase it).
    pub fn put_fulltext_error(
        &self,
        item_id: i64,
        url: &str,
        code: Code,
        message: &str,
    ) -> Result<()> {
        let code = serde_json::to_value(code)?
            .as_str()
            .map(str::to_owned)
            .unwrap_or_default();
        self.conn().execute(
            "INSERT INTO item_fulltext(item_id, url, fetched_at, error_code, error)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(item_id) DO UPDATE SET url = excluded.url, fetched_at = excluded.fetched_at,
               error_code = excluded.error_code, error = excluded.error
             WHERE item_fulltext.text IS NULL",
            params![item_id, url, ts(&Utc::now()), code, message],
        )?;
        Ok(())
    }

    /// Mark a stored text as checked now (a 304 answer to the conditional request).
    pub fn touch_fulltext(&self, item_id: i64) -> Result<()> {
        self.conn().execute(
            "UPDATE item_fulltext SET fetched_at = ?2 WHERE item_id = ?1",
            params![item_id, ts(&Utc::now())],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::items::tests::item;

    fn article(text: &str) -> Article {
        Article {
            text: text.into(),
            lead: crate::fulltext::lead_of(text),
            final_url: "https://example.org/a".into(),
            bytes: 1234,
            etag: Some("\"e1\"".into()),
            last_modified: None,
        }
    }

    #[test]
    fn modes_and_headline_only_sources() {
        let s = Store::open_in_memory().unwrap();
        let src = crate::model::Source {
            id: "irna".into(),
            name: "IRNA".into(),
            homepage: None,
            feeds: vec![crate::model::Feed {
                url: "https://example.org/rss".into(),
                verified: true,
            }],
            language: crate::model::Lang::Fa,
            country: None,
            ownership: crate::model::Ownership::Unknown,
            note: None,
            enabled: true,
            refresh_secs: 900,
        };
        s.upsert_source(&src).unwrap();
        assert_eq!(s.source_fulltext("irna").unwrap(), FulltextMode::Auto);
        // No items yet: nothing says the feed is headline-only.
        assert!(!s.fulltext_enabled("irna").unwrap());
        let mut bare = item("irna", "1", "سفر وزیر امور خارجه به مسقط");
        bare.summary_text = String::new();
        s.insert_items(&[bare]).unwrap();
        assert!(s.fulltext_enabled("irna").unwrap());
        s.set_source_fulltext("irna", FulltextMode::Off).unwrap();
        assert!(!s.fulltext_enabled("irna").unwrap());
        // A catalog re-seed or an edit of the source keeps the mode.
        s.upsert_source(&src).unwrap();
        assert_eq!(s.source_fulltext("irna").unwrap(), FulltextMode::Off);
        assert!(matches!(
            s.set_source_fulltext("nope", FulltextMode::On),
            Err(StoreError::NotFound(_))
        ));
    }

    #[test]
    fn text_error_and_search() {
        let s = Store::open_in_memory().unwrap();
        let mut it = item("bbc", "1", "Talks resume");
        it.summary_text = String::new();
        let id = s.insert_items(&[it]).unwrap().inserted[0];
        let fail = || {
            s.put_fulltext_error(
                id,
                "https://example.org/a",
                Code::Network,
                "fetch: HTTP 500",
            )
            .unwrap()
        };
        fail();
        let got = s.fulltext(id).unwrap().unwrap();
        assert!(matches!(
            got.state,
            FulltextState::Error {
                code: Code::Network,
                ..
            }
        ));
        assert_eq!(s.item(id).unwrap().unwrap().lead, None);

        s.put_fulltext(
            id,
            "https://example.org/a",
            &article("Negotiators met in Muscat on Saturday. A second round is planned."),
        )
        .unwrap();
        let stored = s.item(id).unwrap().unwrap();
        assert_eq!(
            stored.body_text(),
            "Negotiators met in Muscat on Saturday. A second round is planned."
        );
        assert!(!s.search_text("muscat", 10).unwrap().is_empty());
        // A later failure keeps the text.
        fail();
        assert!(matches!(
            s.fulltext(id).unwrap().unwrap().state,
            FulltextState::Text { .. }
        ));
    }
}
