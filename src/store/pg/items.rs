use chrono::Utc;
use postgres::Row;
use postgres::types::ToSql;

use super::super::items::{StoredVector, time_source_from, time_source_str};
use super::super::{InsertReport, ItemQuery, Result, SearchHit, StoredItem, parse_ts, ts};
use super::{PgStore, vector_bytes, vector_from};
use crate::model::{Item, Lang, Media};
use crate::normalize::fold_tokens;

/// PostgreSQL refuses lexemes of 2 KiB or more; no word is that long, a run of junk may be.
const MAX_LEXEME: usize = 2046;

/// The folded tokens the search vector holds (Parallax's fold and tokeniser, not the server's).
pub(crate) fn lexemes(text: &str) -> Vec<String> {
    fold_tokens(text)
        .into_iter()
        .filter(|t| t.len() <= MAX_LEXEME)
        .collect()
}

const ITEM_COLS: &str = "SELECT id, source_id, guid, url, title, summary_html, summary_text, author, published,
        time_source, categories, media, declared_lang, content_hash, lang, lang_confidence, fetched_at,
        (SELECT lead FROM item_fulltext f WHERE f.item_id = items.id)
 FROM items";

fn row_to_item(r: &Row) -> Result<StoredItem> {
    let declared: Option<&str> = r.get(12);
    let lang: Option<&str> = r.get(14);
    Ok(StoredItem {
        id: r.get(0),
        item: Item {
            source_id: r.get(1),
            guid: r.get(2),
            url: r.get(3),
            title: r.get(4),
            summary_html: r.get(5),
            summary_text: r.get(6),
            author: r.get(7),
            published: parse_ts(r.get(8)),
            time_source: time_source_from(r.get(9)),
            categories: serde_json::from_str(r.get(10))?,
            media: serde_json::from_str::<Vec<Media>>(r.get(11))?,
            declared_lang: declared.and_then(Lang::from_tag),
            content_hash: r.get(13),
        },
        lang: lang.and_then(Lang::from_tag),
        lang_confidence: r.get(15),
        fetched_at: parse_ts(r.get(16)),
        lead: r.get(17),
    })
}

impl PgStore {
    pub fn insert_items(&self, items: &[Item]) -> Result<InsertReport> {
        let mut db = self.db();
        let mut tx = db.transaction()?;
        let mut report = InsertReport::default();
        let now = ts(&Utc::now());
        let dup_check = tx.prepare(
            "SELECT EXISTS (SELECT 1 FROM items WHERE url = $1)
                 OR EXISTS (SELECT 1 FROM items WHERE source_id = $2 AND content_hash = $3)",
        )?;
        // A concurrent writer's same guid is a duplicate too: the unique key decides.
        let insert = tx.prepare(
            "INSERT INTO items(source_id, guid, url, title, summary_html, summary_text, author,
               published, time_source, categories, media, declared_lang, content_hash, fetched_at, search)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
               setweight(array_to_tsvector($15::text[]), 'A') || setweight(array_to_tsvector($16::text[]), 'B'))
             ON CONFLICT (source_id, guid) DO NOTHING
             RETURNING id",
        )?;
        for it in items {
            // Across outlets equal text is syndication worth keeping ("who carried it"), so
            // content dedupe stays within one outlet's feeds.
            let dup: bool = tx
                .query_one(&dup_check, &[&it.url, &it.source_id, &it.content_hash])?
                .get(0);
            let id: Option<i64> = if dup {
                None
            } else {
                tx.query_opt(
                    &insert,
                    &[
                        &it.source_id,
                        &it.guid,
                        &it.url,
                        &it.title,
                        &it.summary_html,
                        &it.summary_text,
                        &it.author,
                        &ts(&it.published),
                        &time_source_str(it.time_source),
                        &serde_json::to_string(&it.categories)?,
                        &serde_json::to_string(&it.media)?,
                        &it.declared_lang.as_ref().map(|l| l.code().to_string()),
                        &it.content_hash,
                        &now,
                        &lexemes(&it.title),
                        &lexemes(&it.summary_text),
                    ],
                )?
                .map(|r| r.get(0))
            };
            match id {
                Some(id) => report.inserted.push(id),
                None => report.duplicates += 1,
            }
            report.ids.push(id);
        }
        tx.commit()?;
        Ok(report)
    }

    pub fn set_languages(&self, detections: &[(i64, Lang, f64)]) -> Result<()> {
        let mut db = self.db();
        let mut tx = db.transaction()?;
        let st = tx.prepare("UPDATE items SET lang = $2, lang_confidence = $3 WHERE id = $1")?;
        for (id, lang, conf) in detections {
            tx.execute(&st, &[id, &lang.code(), conf])?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn items(&self, q: &ItemQuery) -> Result<Vec<StoredItem>> {
        let mut sql = format!("{ITEM_COLS} WHERE TRUE");
        let mut args: Vec<Box<dyn ToSql + Sync>> = Vec::new();
        let mut arg = |sql: &mut String, clause: &str, v: Box<dyn ToSql + Sync>| {
            args.push(v);
            sql.push_str(&clause.replace('?', &format!("${}", args.len())));
        };
        if let Some(l) = &q.lang {
            arg(&mut sql, " AND lang = ?", Box::new(l.code().to_string()));
        }
        if let Some(s) = &q.source {
            arg(&mut sql, " AND source_id = ?", Box::new(s.clone()));
        }
        if let Some(t) = &q.since {
            arg(&mut sql, " AND published >= ?", Box::new(ts(t)));
        }
        if q.undetected {
            sql.push_str(" AND lang IS NULL");
        }
        if let Some(ids) = &q.ids {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            arg(&mut sql, " AND id = ANY(?)", Box::new(ids.clone()));
        }
        sql.push_str(if q.ascending {
            " ORDER BY published ASC, id ASC"
        } else {
            " ORDER BY published DESC, id DESC"
        });
        if let Some(n) = q.limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|b| b.as_ref()).collect();
        let rows = self.db().query(&sql, &params)?;
        rows.iter().map(row_to_item).collect()
    }

    pub fn item_count(&self) -> Result<i64> {
        Ok(self
            .db()
            .query_one("SELECT count(*) FROM items", &[])?
            .get(0))
    }

    /// Every folded query term must match, each as a prefix; title matches weigh three times
    /// body matches, as in SQLite's bm25(3, 1). `rank`: lower is better, as bm25's.
    pub fn search_text(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        let terms: Vec<String> = lexemes(query)
            .into_iter()
            .map(|t| format!("'{}':*", t.replace('\\', "\\\\").replace('\'', "''")))
            .collect();
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self.db().query(
            "SELECT id, -ts_rank('{0, 0, 0.3333, 1}', search, q)::float8 AS rank
             FROM items, CAST($1::text AS tsquery) AS q
             WHERE search @@ q
             ORDER BY rank, id LIMIT $2",
            &[&terms.join(" & "), &(limit.min(i64::MAX as usize) as i64)],
        )?;
        Ok(rows
            .iter()
            .map(|r| SearchHit {
                item_id: r.get(0),
                rank: r.get(1),
            })
            .collect())
    }

    pub fn put_embedding(&self, item_id: i64, model: &str, v: &[f32]) -> Result<()> {
        self.db().execute(
            "INSERT INTO embeddings(item_id, model, vector) VALUES ($1, $2, $3)
             ON CONFLICT(item_id) DO UPDATE SET model = excluded.model, vector = excluded.vector",
            &[&item_id, &model, &vector_bytes(v)],
        )?;
        Ok(())
    }

    pub fn embedding(&self, item_id: i64) -> Result<Option<Vec<f32>>> {
        Ok(self
            .db()
            .query_opt(
                "SELECT vector FROM embeddings WHERE item_id = $1",
                &[&item_id],
            )?
            .map(|r| vector_from(r.get(0))))
    }

    pub fn embeddings_after(
        &self,
        model: &str,
        after_id: i64,
        limit: usize,
    ) -> Result<Vec<StoredVector>> {
        let rows = self.db().query(
            // `i.id > $1` too: without it the planner merge-joins from the first item on every
            // page (1 s a page at 1M items, 5 minutes to page through them all).
            "SELECT e.item_id, i.lang, e.vector FROM embeddings e JOIN items i ON i.id = e.item_id
             WHERE e.item_id > $1 AND i.id > $1 AND e.model = $2 ORDER BY e.item_id LIMIT $3",
            &[&after_id, &model, &(limit.min(i64::MAX as usize) as i64)],
        )?;
        Ok(rows
            .iter()
            .map(|r| {
                let lang: Option<&str> = r.get(1);
                (
                    r.get(0),
                    lang.and_then(Lang::from_tag),
                    vector_from(r.get(2)),
                )
            })
            .collect())
    }
}
