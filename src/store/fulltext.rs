//! Full-text articles: each source's mode, and per item the article text or why there is none.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, SqliteStore, StoreError, parse_ts, ts};
use crate::error::Code;
use crate::fulltext::{Article, FulltextMode, is_headline_only};
use crate::normalize::fold;

/// Recent items looked at to decide whether a source's feeds carry only headlines.
pub(super) const AUTO_SAMPLE: usize = 20;

/// Whether a source whose latest items are `(title, summary_text)` carries only headlines: most
/// of them have no text beyond the title. `false` for a source with no items yet.
pub(super) fn mostly_headlines<'a>(latest: impl IntoIterator<Item = (&'a str, &'a str)>) -> bool {
    let (mut total, mut bare) = (0usize, 0usize);
    for (title, summary) in latest {
        total += 1;
        bare += usize::from(is_headline_only(title, summary));
    }
    total > 0 && bare * 5 >= total * 4
}

/// The stored form of a mode: `NULL` for `Auto` (so a later change of the default applies).
pub(super) fn mode_value(mode: FulltextMode) -> Option<&'static str> {
    match mode {
        FulltextMode::Auto => None,
        m => Some(m.as_str()),
    }
}

/// A stored mode (`Auto` when never set).
pub(super) fn mode_from(v: Option<&str>) -> FulltextMode {
    v.and_then(FulltextMode::parse)
        .unwrap_or(FulltextMode::Auto)
}

/// An error code as stored (its JSON name, as the app receives it).
pub(super) fn code_value(code: Code) -> Result<String> {
    Ok(serde_json::to_value(code)?
        .as_str()
        .map(str::to_owned)
        .unwrap_or_default())
}

/// A stored error code (`internal` for one this version does not know).
pub(super) fn code_from(v: Option<&str>) -> Code {
    v.and_then(|c| serde_json::from_value(serde_json::Value::String(c.into())).ok())
        .unwrap_or(Code::Internal)
}

/// The state a stored row describes: its text, or else its error.
pub(super) fn state_from(
    text: Option<String>,
    lead: Option<String>,
    error_code: Option<&str>,
    error: Option<String>,
) -> FulltextState {
    match text {
        Some(text) => FulltextState::Text {
            text,
            lead: lead.unwrap_or_default(),
        },
        None => FulltextState::Error {
            code: code_from(error_code),
            message: error.unwrap_or_default(),
        },
    }
}

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
            Some(v) => Ok(mode_from(v.as_deref())),
        }
    }

    pub fn set_source_fulltext(&self, source_id: &str, mode: FulltextMode) -> Result<()> {
        let n = self.conn().execute(
            "UPDATE sources SET fulltext = ?2 WHERE id = ?1",
            params![source_id, mode_value(mode)],
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
        let latest = rows.collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(mostly_headlines(
            latest.iter().map(|(t, s)| (t.as_str(), s.as_str())),
        ))
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
                    let state = state_from(
                        r.get(3)?,
                        r.get(4)?,
                        r.get::<_, Option<String>>(5)?.as_deref(),
                        r.get(6)?,
                    );
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
        let code = code_value(code)?;
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
    use crate::store::testing::on_both_backends;

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

    on_both_backends!(modes_and_headline_only_sources);
    fn modes_and_headline_only_sources(s: Store) {
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
        assert!(!s.source_is_headline_only("irna").unwrap());
        assert!(!s.fulltext_enabled("irna").unwrap());
        let mut bare = item("irna", "1", "سفر وزیر امور خارجه به مسقط");
        bare.summary_text = String::new();
        s.insert_items(&[bare]).unwrap();
        assert!(s.source_is_headline_only("irna").unwrap());
        assert!(s.fulltext_enabled("irna").unwrap());
        s.set_source_fulltext("irna", FulltextMode::Off).unwrap();
        assert!(!s.fulltext_enabled("irna").unwrap());
        // A catalog re-seed or an edit of the source keeps the mode.
        s.upsert_source(&src).unwrap();
        assert_eq!(s.source_fulltext("irna").unwrap(), FulltextMode::Off);
        s.set_source_fulltext("irna", FulltextMode::On).unwrap();
        assert_eq!(s.source_fulltext("irna").unwrap(), FulltextMode::On);
        s.set_source_fulltext("irna", FulltextMode::Auto).unwrap();
        assert_eq!(s.source_fulltext("irna").unwrap(), FulltextMode::Auto);
        assert!(matches!(
            s.set_source_fulltext("nope", FulltextMode::On),
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            s.source_fulltext("nope"),
            Err(StoreError::NotFound(_))
        ));
    }

    on_both_backends!(mostly_full_feeds_are_not_headline_only);
    fn mostly_full_feeds_are_not_headline_only(s: Store) {
        // 3 bare headlines of 5 is under the 4-in-5 share: the feed carries text.
        let items: Vec<_> = (0..5)
            .map(|i| {
                let mut it = item("bbc", &i.to_string(), &format!("Headline {i}"));
                if i < 3 {
                    it.summary_text = String::new();
                } else {
                    it.summary_text = format!("A paragraph of text under headline {i}.");
                }
                it
            })
            .collect();
        s.insert_items(&items).unwrap();
        assert!(!s.source_is_headline_only("bbc").unwrap());
        let mut more = item("bbc", "5", "Headline 5");
        more.summary_text = String::new();
        s.insert_items(&[more]).unwrap();
        // Still 4 of 6 recent items bare: under 4 in 5.
        assert!(!s.source_is_headline_only("bbc").unwrap());
    }

    on_both_backends!(text_error_and_search);
    fn text_error_and_search(s: Store) {
        let mut it = item("bbc", "1", "Talks resume");
        it.summary_text = String::new();
        let id = s.insert_items(&[it]).unwrap().inserted[0];
        assert_eq!(s.fulltext(id).unwrap(), None);
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
        assert_eq!(
            got.state,
            FulltextState::Error {
                code: Code::Network,
                message: "fetch: HTTP 500".into()
            }
        );
        assert_eq!(got.url, "https://example.org/a");
        assert_eq!(s.item(id).unwrap().unwrap().lead, None);
        assert!(s.search_text("muscat", 10).unwrap().is_empty());

        let text = "Negotiators met in Muscat on Saturday. A second round is planned.";
        s.put_fulltext(id, "https://example.org/a", &article(text))
            .unwrap();
        let stored = s.item(id).unwrap().unwrap();
        assert_eq!(stored.lead.as_deref(), Some(text));
        assert_eq!(stored.body_text(), text);
        let got = s.fulltext(id).unwrap().unwrap();
        assert_eq!(
            got.state,
            FulltextState::Text {
                text: text.into(),
                lead: text.into()
            }
        );
        assert_eq!((got.bytes, got.etag.as_deref()), (1234, Some("\"e1\"")));
        // The lead is searchable, folded and by prefix; the headline still ranks as a title.
        assert_eq!(s.search_text("muscat", 10).unwrap()[0].item_id, id);
        assert_eq!(s.search_text("negotiat", 10).unwrap()[0].item_id, id);
        assert_eq!(s.search_text("talks muscat", 10).unwrap()[0].item_id, id);
        // A later failure keeps the text.
        fail();
        assert!(matches!(
            s.fulltext(id).unwrap().unwrap().state,
            FulltextState::Text { .. }
        ));
        // A 304 marks the text checked again, and keeps it.
        let before = s.fulltext(id).unwrap().unwrap();
        s.touch_fulltext(id).unwrap();
        let after = s.fulltext(id).unwrap().unwrap();
        assert!(after.fetched_at >= before.fetched_at);
        assert_eq!(after.state, before.state);
        // A new text replaces the old one, and the search follows it.
        s.put_fulltext(
            id,
            "https://example.org/a",
            &article("Delegations gathered in Geneva instead."),
        )
        .unwrap();
        assert!(s.search_text("muscat", 10).unwrap().is_empty());
        assert_eq!(s.search_text("geneva", 10).unwrap()[0].item_id, id);
    }

    on_both_backends!(a_feed_with_text_keeps_it_for_search_and_grouping);
    fn a_feed_with_text_keeps_it_for_search_and_grouping(s: Store) {
        let mut it = item("bbc", "1", "Talks resume");
        it.summary_text = "Iran and the US resume indirect talks in Oman.".into();
        let id = s.insert_items(&[it]).unwrap().inserted[0];
        s.put_fulltext(
            id,
            "https://example.org/a",
            &article("Negotiators met in Muscat on Saturday."),
        )
        .unwrap();
        let stored = s.item(id).unwrap().unwrap();
        // The article is kept and shown, but the feed's own text is what is grouped and found.
        assert!(stored.lead.is_some());
        assert_eq!(
            stored.body_text(),
            "Iran and the US resume indirect talks in Oman."
        );
        assert!(s.search_text("muscat", 10).unwrap().is_empty());
        assert_eq!(s.search_text("oman", 10).unwrap()[0].item_id, id);
    }
}
