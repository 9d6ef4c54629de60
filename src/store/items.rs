//! Items: idempotent inserts with dedupe, language results, queries and folded full-text search.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, ToSql, params};
use serde::Serialize;

use super::{Result, SqliteStore, parse_ts, ts};
use crate::model::{Item, Lang, Media, TimeSource};
use crate::normalize::fold;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct InsertReport {
    /// Row ids of items that were new.
    pub inserted: Vec<i64>,
    /// Items already in the archive (same source+guid, same canonical URL, or same content in one outlet).
    pub duplicates: usize,
    /// Per input item, in order: its new row id, or `None` for a duplicate.
    pub ids: Vec<Option<i64>>,
}

/// An item as stored, with its row id and detected language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredItem {
    pub id: i64,
    #[serde(flatten)]
    pub item: Item,
    pub lang: Option<Lang>,
    pub lang_confidence: Option<f64>,
    pub fetched_at: DateTime<Utc>,
    /// First sentences of the article page, when its full text was fetched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
}

impl StoredItem {
    /// The text grouping, language detection and search use: the feed's, or, when the feed gave
    /// only the headline, the lead of the fetched article.
    pub fn body_text(&self) -> &str {
        match &self.lead {
            Some(lead)
                if crate::fulltext::is_headline_only(&self.item.title, &self.item.summary_text) =>
            {
                lead
            }
            _ => &self.item.summary_text,
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct ItemQuery {
    pub lang: Option<Lang>,
    pub source: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub ids: Option<Vec<i64>>,
    /// Only items with no language yet.
    pub undetected: bool,
    pub limit: Option<usize>,
    /// Oldest first (arrival order) instead of newest first.
    pub ascending: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub item_id: i64,
    pub rank: f64,
}

pub(crate) fn time_source_str(t: TimeSource) -> &'static str {
    match t {
        TimeSource::Published => "published",
        TimeSource::Updated => "updated",
        TimeSource::Fetched => "fetched",
    }
}

pub(crate) fn time_source_from(s: &str) -> TimeSource {
    match s {
        "published" => TimeSource::Published,
        "updated" => TimeSource::Updated,
        _ => TimeSource::Fetched,
    }
}

/// The text the FTS index holds for an item: folded so both scripts match.
fn index_text(item: &Item) -> (String, String) {
    (fold(&item.title), fold(&item.summary_text))
}

/// An item's stored embedding: item id, detected language, vector.
pub type StoredVector = (i64, Option<Lang>, Vec<f32>);

impl SqliteStore {
    /// Insert new items in one transaction; known ones are counted as duplicates and left as they are.
    pub fn insert_items(&self, items: &[Item]) -> Result<InsertReport> {
        let tx = self.conn().unchecked_transaction()?;
        let mut report = InsertReport::default();
        let now = ts(&Utc::now());
        {
            let mut by_guid =
                tx.prepare_cached("SELECT 1 FROM items WHERE source_id = ?1 AND guid = ?2")?;
            let mut by_url = tx.prepare_cached("SELECT 1 FROM items WHERE url = ?1")?;
            let mut by_hash = tx
                .prepare_cached("SELECT 1 FROM items WHERE source_id = ?1 AND content_hash = ?2")?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO items(source_id, guid, url, title, summary_html, summary_text, author,
                   published, time_source, categories, media, declared_lang, content_hash, fetched_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?;
            let mut fts =
                tx.prepare_cached("INSERT INTO items_fts(rowid, title, body) VALUES (?1, ?2, ?3)")?;
            for it in items {
                let dup = by_guid.exists(params![it.source_id, it.guid])?
                    || match &it.url {
                        Some(u) => by_url.exists([u])?,
                        None => false,
                    }
                    // Across outlets equal text is syndication worth keeping ("who carried it"),
                    // so content dedupe stays within one outlet's feeds.
                    || by_hash.exists(params![it.source_id, it.content_hash])?;
                if dup {
                    report.duplicates += 1;
                    report.ids.push(None);
                    continue;
                }
                insert.execute(params![
                    it.source_id,
                    it.guid,
                    it.url,
                    it.title,
                    it.summary_html,
                    it.summary_text,
                    it.author,
                    ts(&it.published),
                    time_source_str(it.time_source),
                    serde_json::to_string(&it.categories)?,
                    serde_json::to_string(&it.media)?,
                    it.declared_lang.as_ref().map(|l| l.code().to_string()),
                    it.content_hash,
                    now,
                ])?;
                let id = tx.last_insert_rowid();
                let (t, b) = index_text(it);
                fts.execute(params![id, t, b])?;
                report.inserted.push(id);
                report.ids.push(Some(id));
            }
        }
        tx.commit()?;
        Ok(report)
    }

    /// Record detected languages (item id, language, confidence).
    pub fn set_languages(&self, detections: &[(i64, Lang, f64)]) -> Result<()> {
        let tx = self.conn().unchecked_transaction()?;
        {
            let mut st = tx
                .prepare_cached("UPDATE items SET lang = ?2, lang_confidence = ?3 WHERE id = ?1")?;
            for (id, lang, conf) in detections {
                st.execute(params![id, lang.code(), conf])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn items(&self, q: &ItemQuery) -> Result<Vec<StoredItem>> {
        let mut sql = String::from(
            "SELECT id, source_id, guid, url, title, summary_html, summary_text, author, published,
                    time_source, categories, media, declared_lang, content_hash, lang, lang_confidence, fetched_at,
                    (SELECT lead FROM item_fulltext f WHERE f.item_id = items.id)
             FROM items WHERE 1=1",
        );
        let mut args: Vec<Box<dyn ToSql>> = Vec::new();
        if let Some(l) = &q.lang {
            sql.push_str(" AND lang = ?");
            args.push(Box::new(l.code().to_string()));
        }
        if let Some(s) = &q.source {
            sql.push_str(" AND source_id = ?");
            args.push(Box::new(s.clone()));
        }
        if let Some(t) = &q.since {
            sql.push_str(" AND published >= ?");
            args.push(Box::new(ts(t)));
        }
        if q.undetected {
            sql.push_str(" AND lang IS NULL");
        }
        if let Some(ids) = &q.ids {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            sql.push_str(" AND id IN (SELECT value FROM json_each(?))");
            args.push(Box::new(serde_json::to_string(ids)?));
        }
        sql.push_str(if q.ascending {
            " ORDER BY published ASC, id ASC"
        } else {
            " ORDER BY published DESC, id DESC"
        });
        if let Some(n) = q.limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        let mut stmt = self.conn().prepare(&sql)?;
        let params: Vec<&dyn ToSql> = args.iter().map(|b| b.as_ref()).collect();
        let rows = stmt.query_map(params.as_slice(), row_to_item)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r??);
        }
        Ok(out)
    }

    pub fn item_count(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM items", [], |r| r.get(0))?)
    }

    /// Full-text search over folded title and summary. The query is folded the same way and each
    /// term matched as a prefix, so "سليماني" finds "سلیمانی" and "سلیمانی‌ها".
    pub fn search_text(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        let terms: Vec<String> = crate::normalize::fold_tokens(query)
            .into_iter()
            .map(|t| format!("\"{}\"*", t.replace('"', "")))
            .collect();
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn().prepare_cached(
            "SELECT rowid, bm25(items_fts, 3.0, 1.0) FROM items_fts WHERE items_fts MATCH ?1
             ORDER BY bm25(items_fts, 3.0, 1.0) LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![terms.join(" "), limit as i64], |r| {
            Ok(SearchHit {
                item_id: r.get(0)?,
                rank: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Store an item's embedding (little-endian f32).
    pub fn put_embedding(&self, item_id: i64, model: &str, v: &[f32]) -> Result<()> {
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        self.conn().execute(
            "INSERT OR REPLACE INTO embeddings(item_id, model, vector) VALUES (?1, ?2, ?3)",
            params![item_id, model, bytes],
        )?;
        Ok(())
    }

    pub fn embedding(&self, item_id: i64) -> Result<Option<Vec<f32>>> {
        let b: Option<Vec<u8>> = self
            .conn()
            .query_row(
                "SELECT vector FROM embeddings WHERE item_id = ?1",
                [item_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(b.map(|b| {
            b.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        }))
    }

    /// Up to `limit` stored embeddings of `model` with item id > `after_id`, in id order, each
    /// with the item's detected language: pages for building an in-memory index without holding
    /// the archive for long.
    pub fn embeddings_after(
        &self,
        model: &str,
        after_id: i64,
        limit: usize,
    ) -> Result<Vec<StoredVector>> {
        let mut st = self.conn().prepare_cached(
            "SELECT e.item_id, i.lang, e.vector FROM embeddings e JOIN items i ON i.id = e.item_id
             WHERE e.item_id > ?1 AND e.model = ?2 ORDER BY e.item_id LIMIT ?3",
        )?;
        let rows = st.query_map(params![after_id, model, limit as i64], |r| {
            let lang: Option<String> = r.get(1)?;
            let bytes: Vec<u8> = r.get(2)?;
            Ok((
                r.get::<_, i64>(0)?,
                lang.as_deref().and_then(Lang::from_tag),
                bytes
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect(),
            ))
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

fn row_to_item(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<StoredItem>> {
    let categories: String = r.get(10)?;
    let media: String = r.get(11)?;
    let declared: Option<String> = r.get(12)?;
    let lang: Option<String> = r.get(14)?;
    let build = || -> Result<StoredItem> {
        Ok(StoredItem {
            id: r.get(0)?,
            item: Item {
                source_id: r.get(1)?,
                guid: r.get(2)?,
                url: r.get(3)?,
                title: r.get(4)?,
                summary_html: r.get(5)?,
                summary_text: r.get(6)?,
                author: r.get(7)?,
                published: parse_ts(&r.get::<_, String>(8)?),
                time_source: time_source_from(&r.get::<_, String>(9)?),
                categories: serde_json::from_str(&categories)?,
                media: serde_json::from_str::<Vec<Media>>(&media)?,
                declared_lang: declared.as_deref().and_then(Lang::from_tag),
                content_hash: r.get(13)?,
            },
            lang: lang.as_deref().and_then(Lang::from_tag),
            lang_confidence: r.get(15)?,
            fetched_at: parse_ts(&r.get::<_, String>(16)?),
            lead: r.get(17)?,
        })
    };
    Ok(build())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::Store;

    pub(crate) fn item(source: &str, guid: &str, title: &str) -> Item {
        Item {
            source_id: source.into(),
            guid: guid.into(),
            url: Some(format!("https://example.org/{source}/{guid}")),
            title: title.into(),
            summary_html: format!("<p>{title}</p>"),
            summary_text: title.into(),
            author: None,
            published: parse_ts("2020-04-10T08:00:00Z"),
            time_source: TimeSource::Published,
            categories: vec!["سیاسی".into()],
            media: vec![],
            declared_lang: Some(Lang::Fa),
            content_hash: format!("h-{source}-{title}"),
        }
    }

    crate::store::testing::on_both_backends!(reingesting_changes_nothing_and_text_round_trips);
    fn reingesting_changes_nothing_and_text_round_trips(s: Store) {
        // A Persian headline with ZWNJs (U+200C): NTREX-128 line 17 (fas), CC BY-SA 4.0.
        let title = "مردم مقدونیه برای همه‌پرسی تغییر نام کشور به پای صندوق رای می‌روند";
        let a = item("news", "g1", title);
        let r1 = s.insert_items(std::slice::from_ref(&a)).unwrap();
        assert_eq!(r1.inserted.len(), 1);
        let r2 = s.insert_items(std::slice::from_ref(&a)).unwrap();
        assert_eq!((r2.inserted.len(), r2.duplicates), (0, 1));
        let got = s.item(r1.inserted[0]).unwrap().unwrap();
        assert_eq!(got.item.title.as_bytes(), title.as_bytes());
        assert_eq!(got.item.categories, vec!["سیاسی".to_string()]);
        assert_eq!(s.item_count().unwrap(), 1);
    }

    crate::store::testing::on_both_backends!(
        same_url_from_another_feed_is_a_duplicate_but_syndicated_text_is_kept
    );
    fn same_url_from_another_feed_is_a_duplicate_but_syndicated_text_is_kept(s: Store) {
        let a = item("a", "1", "ارتفاع عدد ضحايا الزلزال");
        let mut b = item("b", "2", "ارتفاع عدد ضحايا الزلزال");
        b.url = a.url.clone();
        let mut c = item("c", "3", "ارتفاع عدد ضحايا الزلزال");
        c.content_hash = a.content_hash.clone();
        let r = s.insert_items(&[a, b, c]).unwrap();
        assert_eq!((r.inserted.len(), r.duplicates), (2, 1));
    }

    crate::store::testing::on_both_backends!(folded_search_finds_both_spellings_title_first);
    fn folded_search_finds_both_spellings_title_first(s: Store) {
        // Real headlines: Persian spells Soleimani with ی, Arabic with ي.
        let fa = item("hamshahri", "1", "روایت دختر سردار سلیمانی از وصیت پدرش");
        let ar = item(
            "aawsat",
            "2",
            "قاسم سليماني يعزي بقائد العمليات في فيلق بدر",
        );
        let mut body_only = item("irna", "3", "خبر");
        body_only.summary_text = "سردار سلیمانی در این گزارش".into();
        let other = item("bbc", "4", "Earthquake in Turkey");
        let ids = s
            .insert_items(&[fa, ar, body_only, other])
            .unwrap()
            .inserted;
        for query in ["سليماني", "سلیمانی", "سليم"] {
            let hits: Vec<i64> = s
                .search_text(query, 10)
                .unwrap()
                .iter()
                .map(|h| h.item_id)
                .collect();
            assert_eq!(hits.len(), 3, "{query}: {hits:?}");
            assert_eq!(
                hits.last(),
                Some(&ids[2]),
                "{query}: a body match ranks below title matches"
            );
        }
        let both: Vec<i64> = s
            .search_text("سردار سليماني", 10)
            .unwrap()
            .iter()
            .map(|h| h.item_id)
            .collect();
        assert_eq!(both.len(), 2, "every term must match: {both:?}");
        assert!(s.search_text("earthquake", 10).unwrap()[0].item_id == ids[3]);
        assert!(s.search_text("\"'*:&|!()", 10).unwrap().is_empty());
    }

    crate::store::testing::on_both_backends!(embeddings_page_in_id_order_with_languages);
    fn embeddings_page_in_id_order_with_languages(s: Store) {
        let ids = s
            .insert_items(&[
                item("a", "1", "یک"),
                item("a", "2", "دو"),
                item("a", "3", "سه"),
            ])
            .unwrap()
            .inserted;
        s.set_languages(&[(ids[0], Lang::Fa, 0.9), (ids[2], Lang::Ar, 0.8)])
            .unwrap();
        s.put_embedding(ids[2], "m", &[0.5, -1.25]).unwrap();
        s.put_embedding(ids[0], "m", &[1.0, 2.0]).unwrap();
        s.put_embedding(ids[1], "other", &[3.0]).unwrap();
        s.put_embedding(ids[0], "m", &[1.5, 2.5]).unwrap();
        assert_eq!(s.embedding(ids[0]).unwrap(), Some(vec![1.5, 2.5]));
        let page = s.embeddings_after("m", 0, 10).unwrap();
        assert_eq!(
            page,
            vec![
                (ids[0], Some(Lang::Fa), vec![1.5, 2.5]),
                (ids[2], Some(Lang::Ar), vec![0.5, -1.25])
            ]
        );
        assert_eq!(s.embeddings_after("m", ids[0], 1).unwrap().len(), 1);
    }
}
