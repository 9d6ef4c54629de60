//! Archives at team scale for benchmarks: a real archive (built by `parallax bench archive`
//! through the real pipeline) replicated N times into a SQLite file and into PostgreSQL, so the
//! API can be timed at 1M items without running the pipeline 1M times.
//!
//! What is replicated, and what is not: copy `k` repeats every item, vector, story and story
//! membership of the original with fresh ids (item id + k × the largest item id, story id + k ×
//! the largest story id), guid and URL suffixed `#copyk` (so no two items dedupe), and every time
//! moved `k` × the archive's span earlier (copies do not overlap in time). Texts, languages,
//! vectors and the shape of every story are the original's: a 1M archive made this way has the
//! original's vocabulary (each word's posting list is N times longer) and N identical
//! neighbours for every meaning query. Explanations keep the original's item ids.
//!
//! Both back ends get the same rows through their own bulk path: SQLite by prepared inserts in
//! one transaction per copy (as `insert_items` writes them, FTS row included), PostgreSQL by
//! binary `COPY` (items through a staging table so the search column is built by the store's own
//! expression from the store's own lexemes). Benchmarks report medians and p95; nothing here is
//! asserted on time.

use std::path::Path;
use std::time::Instant;

use chrono::Duration;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use rusqlite::{OpenFlags, params};
use serde::Serialize;

use super::{ApiError, ApiResult, Engine, SearchQuery};
use crate::error::Code;
use crate::eval::stats::quantile;
use crate::store::{Headline, StoreError, StoryFilter, parse_ts, pg_lexemes, ts};

fn sq(e: rusqlite::Error) -> ApiError {
    StoreError::from(e).into()
}

fn pq(e: postgres::Error) -> ApiError {
    StoreError::from(e).into()
}

fn scale_err(msg: impl Into<String>) -> ApiError {
    ApiError::new(Code::Precondition, format!("bench scale: {}", msg.into()))
}

/// One item row of the original archive, with its FTS text and (for PostgreSQL) its lexemes.
struct BaseItem {
    id: i64,
    source_id: String,
    guid: String,
    url: Option<String>,
    title: String,
    summary_html: String,
    summary_text: String,
    author: Option<String>,
    published: String,
    time_source: String,
    categories: String,
    media: String,
    declared_lang: Option<String>,
    content_hash: String,
    lang: Option<String>,
    lang_confidence: Option<f64>,
    fetched_at: String,
    fts_title: String,
    fts_body: String,
}

struct BaseStory {
    id: i64,
    first_seen: String,
    last_seen: String,
    item_count: i64,
    outlet_count: i64,
    languages: String,
    lang_count: i64,
    first_source_id: Option<String>,
    first_item_id: Option<i64>,
    headlines: Vec<Headline>,
    updated_at: String,
    routine: bool,
}

struct BaseMember {
    item_id: i64,
    story_id: i64,
    score: Option<f64>,
    explanation: Option<String>,
    pinned: bool,
    assigned_at: String,
    routine: bool,
}

/// The original archive, read once into memory (a 100k-item archive is a few hundred MB).
pub struct ScaleBase {
    items: Vec<BaseItem>,
    vectors: Vec<(i64, String, Vec<u8>)>,
    stories: Vec<BaseStory>,
    members: Vec<BaseMember>,
    max_item: i64,
    max_story: i64,
    /// Whole days from the oldest to the newest item, plus one: the shift between copies.
    span_days: i64,
}

impl ScaleBase {
    pub fn items(&self) -> usize {
        self.items.len()
    }
    pub fn stories(&self) -> usize {
        self.stories.len()
    }
    pub fn span_days(&self) -> i64 {
        self.span_days
    }

    fn item_id(&self, id: i64, k: i64) -> i64 {
        id + k * self.max_item
    }
    fn story_id(&self, id: i64, k: i64) -> i64 {
        id + k * self.max_story
    }
    /// A stored time moved `k` spans earlier, in the stored fixed-width form.
    fn shift(&self, t: &str, k: i64) -> String {
        if k == 0 {
            return t.to_string();
        }
        ts(&(parse_ts(t) - Duration::days(k * self.span_days)))
    }
    fn tag(s: &str, k: i64) -> String {
        if k == 0 {
            s.to_string()
        } else {
            format!("{s}#copy{k}")
        }
    }
    fn headlines(&self, h: &[Headline], k: i64) -> ApiResult<String> {
        let moved: Vec<Headline> = h
            .iter()
            .map(|h| Headline {
                item_id: self.item_id(h.item_id, k),
                ..h.clone()
            })
            .collect();
        serde_json::to_string(&moved).map_err(|e| scale_err(e.to_string()))
    }
}

/// Open the original archive read-only and immutable: SQLite then leaves no `-wal`/`-shm` files
/// beside it either (the original may be shared by other readers; it must not change).
fn open_original(path: &Path) -> ApiResult<rusqlite::Connection> {
    let p = path
        .to_string_lossy()
        .replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23");
    rusqlite::Connection::open_with_flags(
        format!("file:{p}?immutable=1"),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(sq)
}

/// Read the original archive (never written).
pub fn read_scale_base(path: &Path) -> ApiResult<ScaleBase> {
    if !path.is_file() {
        return Err(scale_err(format!(
            "{} is not an archive file",
            path.display()
        )));
    }
    let c = open_original(path)?;
    let mut st = c
        .prepare(
            "SELECT i.id, i.source_id, i.guid, i.url, i.title, i.summary_html, i.summary_text,
               i.author, i.published, i.time_source, i.categories, i.media, i.declared_lang,
               i.content_hash, i.lang, i.lang_confidence, i.fetched_at, f.title, f.body
             FROM items i JOIN items_fts f ON f.rowid = i.id ORDER BY i.id",
        )
        .map_err(sq)?;
    let items = st
        .query_map([], |r| {
            Ok(BaseItem {
                id: r.get(0)?,
                source_id: r.get(1)?,
                guid: r.get(2)?,
                url: r.get(3)?,
                title: r.get(4)?,
                summary_html: r.get(5)?,
                summary_text: r.get(6)?,
                author: r.get(7)?,
                published: r.get(8)?,
                time_source: r.get(9)?,
                categories: r.get(10)?,
                media: r.get(11)?,
                declared_lang: r.get(12)?,
                content_hash: r.get(13)?,
                lang: r.get(14)?,
                lang_confidence: r.get(15)?,
                fetched_at: r.get(16)?,
                fts_title: r.get(17)?,
                fts_body: r.get(18)?,
            })
        })
        .map_err(sq)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(sq)?;
    let vectors = c
        .prepare("SELECT item_id, model, vector FROM embeddings ORDER BY item_id")
        .map_err(sq)?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(sq)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(sq)?;
    let raw_stories = c
        .prepare(
            "SELECT id, first_seen, last_seen, item_count, outlet_count, languages, lang_count,
               first_source_id, first_item_id, headlines, updated_at, routine
             FROM stories ORDER BY id",
        )
        .map_err(sq)?
        .query_map([], |r| {
            Ok((
                BaseStory {
                    id: r.get(0)?,
                    first_seen: r.get(1)?,
                    last_seen: r.get(2)?,
                    item_count: r.get(3)?,
                    outlet_count: r.get(4)?,
                    languages: r.get(5)?,
                    lang_count: r.get(6)?,
                    first_source_id: r.get(7)?,
                    first_item_id: r.get(8)?,
                    headlines: Vec::new(),
                    updated_at: r.get(10)?,
                    routine: r.get(11)?,
                },
                r.get::<_, String>(9)?,
            ))
        })
        .map_err(sq)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(sq)?;
    let mut stories = Vec::with_capacity(raw_stories.len());
    for (mut s, h) in raw_stories {
        s.headlines = serde_json::from_str(&h)
            .map_err(|e| scale_err(format!("story {} has unreadable headlines: {e}", s.id)))?;
        stories.push(s);
    }
    let members = c
        .prepare(
            "SELECT item_id, story_id, score, explanation, pinned, assigned_at, routine
             FROM story_items ORDER BY item_id",
        )
        .map_err(sq)?
        .query_map([], |r| {
            Ok(BaseMember {
                item_id: r.get(0)?,
                story_id: r.get(1)?,
                score: r.get(2)?,
                explanation: r.get(3)?,
                pinned: r.get(4)?,
                assigned_at: r.get(5)?,
                routine: r.get(6)?,
            })
        })
        .map_err(sq)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(sq)?;
    if items.is_empty() || stories.is_empty() {
        return Err(scale_err(format!(
            "{} has no grouped items to replicate (build one with `parallax bench archive`)",
            path.display()
        )));
    }
    let max_item = items.iter().map(|i| i.id).max().unwrap_or(0);
    let max_story = stories.iter().map(|s| s.id).max().unwrap_or(0);
    let times = items.iter().map(|i| parse_ts(&i.published));
    let (lo, hi) = times.fold((None, None), |(lo, hi), t| {
        (
            Some(lo.map_or(t, |l: chrono::DateTime<chrono::Utc>| l.min(t))),
            Some(hi.map_or(t, |h: chrono::DateTime<chrono::Utc>| h.max(t))),
        )
    });
    let span_days = match (lo, hi) {
        (Some(lo), Some(hi)) => (hi - lo).num_days() + 1,
        _ => 1,
    };
    Ok(ScaleBase {
        items,
        vectors,
        stories,
        members,
        max_item,
        max_story,
        span_days,
    })
}

/// Make `out` a copy of the original archive (SQLite's own `VACUUM INTO`: consistent, and the
/// original is only read).
pub fn copy_archive(from: &Path, out: &Path) -> ApiResult<()> {
    if out.exists() {
        return Err(scale_err(format!(
            "{} exists: pass a new path, or --reuse to time what it holds",
            out.display()
        )));
    }
    let c = open_original(from)?;
    c.execute("VACUUM INTO ?1", [out.to_string_lossy()])
        .map_err(sq)?;
    Ok(())
}

/// Add copies `1..copies` to the SQLite archive at `path` (which holds copy 0, the original).
/// `progress` hears each finished copy.
pub fn extend_sqlite(
    path: &Path,
    base: &ScaleBase,
    copies: usize,
    mut progress: impl FnMut(usize),
) -> ApiResult<()> {
    // Opened through the store first, so the file is migrated to this Parallax's schema.
    drop(crate::store::Store::open(path)?);
    let mut c = rusqlite::Connection::open(path).map_err(sq)?;
    c.pragma_update(None, "synchronous", "NORMAL").map_err(sq)?;
    for k in 1..copies as i64 {
        let tx = c.transaction().map_err(sq)?;
        {
            let mut item = tx
                .prepare(
                    "INSERT INTO items(id, source_id, guid, url, title, summary_html, summary_text,
                       author, published, time_source, categories, media, declared_lang,
                       content_hash, lang, lang_confidence, fetched_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                )
                .map_err(sq)?;
            let mut fts = tx
                .prepare("INSERT INTO items_fts(rowid, title, body) VALUES (?1, ?2, ?3)")
                .map_err(sq)?;
            for i in &base.items {
                let id = base.item_id(i.id, k);
                item.execute(params![
                    id,
                    i.source_id,
                    ScaleBase::tag(&i.guid, k),
                    i.url.as_deref().map(|u| ScaleBase::tag(u, k)),
                    i.title,
                    i.summary_html,
                    i.summary_text,
                    i.author,
                    base.shift(&i.published, k),
                    i.time_source,
                    i.categories,
                    i.media,
                    i.declared_lang,
                    ScaleBase::tag(&i.content_hash, k),
                    i.lang,
                    i.lang_confidence,
                    base.shift(&i.fetched_at, k),
                ])
                .map_err(sq)?;
                fts.execute(params![id, i.fts_title, i.fts_body])
                    .map_err(sq)?;
            }
            let mut vec = tx
                .prepare("INSERT INTO embeddings(item_id, model, vector) VALUES (?1, ?2, ?3)")
                .map_err(sq)?;
            for (id, model, v) in &base.vectors {
                vec.execute(params![base.item_id(*id, k), model, v])
                    .map_err(sq)?;
            }
            let mut story = tx
                .prepare(
                    "INSERT INTO stories(id, first_seen, last_seen, item_count, outlet_count,
                       languages, lang_count, first_source_id, first_item_id, headlines,
                       updated_at, routine)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .map_err(sq)?;
            for s in &base.stories {
                story
                    .execute(params![
                        base.story_id(s.id, k),
                        base.shift(&s.first_seen, k),
                        base.shift(&s.last_seen, k),
                        s.item_count,
                        s.outlet_count,
                        s.languages,
                        s.lang_count,
                        s.first_source_id,
                        s.first_item_id.map(|i| base.item_id(i, k)),
                        base.headlines(&s.headlines, k)?,
                        s.updated_at,
                        s.routine,
                    ])
                    .map_err(sq)?;
            }
            let mut member = tx
                .prepare(
                    "INSERT INTO story_items(item_id, story_id, score, explanation, pinned,
                       assigned_at, routine)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(sq)?;
            for m in &base.members {
                member
                    .execute(params![
                        base.item_id(m.item_id, k),
                        base.story_id(m.story_id, k),
                        m.score,
                        m.explanation,
                        m.pinned,
                        base.shift(&m.assigned_at, k),
                        m.routine,
                    ])
                    .map_err(sq)?;
            }
        }
        tx.commit().map_err(sq)?;
        progress(k as usize + 1);
    }
    c.pragma_update(None, "wal_checkpoint", "TRUNCATE")
        .map_err(sq)?;
    Ok(())
}

/// Load copies `0..copies` into the (empty, migrated) PostgreSQL archive at `url`, with the
/// outlets of the SQLite archive `outlets_from` (the copy, not the original). Ends with `ANALYZE`, as autovacuum would after a load this size.
pub fn load_postgres(
    url: &str,
    outlets_from: &Path,
    base: &ScaleBase,
    copies: usize,
    mut progress: impl FnMut(usize),
) -> ApiResult<()> {
    {
        let sources = crate::store::Store::open(outlets_from)?.sources()?;
        let store = crate::store::Store::connect_postgres(url)?;
        if store.item_count()? > 0 {
            return Err(scale_err(
                "the PostgreSQL archive already holds items: pass an empty database, or --reuse to time what it holds",
            ));
        }
        for s in &sources {
            store.upsert_source(s)?;
        }
    }
    let mut c = postgres::Client::connect(url, postgres::NoTls).map_err(pq)?;
    c.batch_execute(
        "SET synchronous_commit = off;
         CREATE UNLOGGED TABLE IF NOT EXISTS bench_scale_items (
           id BIGINT, source_id TEXT, guid TEXT, url TEXT, title TEXT, summary_html TEXT,
           summary_text TEXT, author TEXT, published TEXT, time_source TEXT, categories TEXT,
           media TEXT, declared_lang TEXT, content_hash TEXT, lang TEXT,
           lang_confidence DOUBLE PRECISION, fetched_at TEXT, title_lex TEXT[], body_lex TEXT[]);
         TRUNCATE bench_scale_items;",
    )
    .map_err(pq)?;
    // The lexemes are the same in every copy: folded once.
    let lex: Vec<(Vec<String>, Vec<String>)> = base
        .items
        .iter()
        .map(|i| (pg_lexemes(&i.title), pg_lexemes(&i.summary_text)))
        .collect();
    use Type as T;
    for k in 0..copies as i64 {
        let mut tx = c.transaction().map_err(pq)?;
        let w = tx
            .copy_in("COPY bench_scale_items FROM STDIN BINARY")
            .map_err(pq)?;
        let types = [
            T::INT8,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::TEXT,
            T::FLOAT8,
            T::TEXT,
            T::TEXT_ARRAY,
            T::TEXT_ARRAY,
        ];
        let mut w = BinaryCopyInWriter::new(w, &types);
        for (i, (tl, bl)) in base.items.iter().zip(&lex) {
            let row: [&(dyn ToSql + Sync); 19] = [
                &base.item_id(i.id, k),
                &i.source_id,
                &ScaleBase::tag(&i.guid, k),
                &i.url.as_deref().map(|u| ScaleBase::tag(u, k)),
                &i.title,
                &i.summary_html,
                &i.summary_text,
                &i.author,
                &base.shift(&i.published, k),
                &i.time_source,
                &i.categories,
                &i.media,
                &i.declared_lang,
                &ScaleBase::tag(&i.content_hash, k),
                &i.lang,
                &i.lang_confidence,
                &base.shift(&i.fetched_at, k),
                tl,
                bl,
            ];
            w.write(&row).map_err(pq)?;
        }
        w.finish().map_err(pq)?;
        // The search column exactly as `insert_items` builds it.
        tx.batch_execute(
            "INSERT INTO items(id, source_id, guid, url, title, summary_html, summary_text, author,
               published, time_source, categories, media, declared_lang, content_hash, lang,
               lang_confidence, fetched_at, search)
             SELECT id, source_id, guid, url, title, summary_html, summary_text, author,
               published, time_source, categories, media, declared_lang, content_hash, lang,
               lang_confidence, fetched_at,
               setweight(array_to_tsvector(title_lex), 'A') || setweight(array_to_tsvector(body_lex), 'B')
             FROM bench_scale_items;
             TRUNCATE bench_scale_items;",
        )
        .map_err(pq)?;

        let w = tx
            .copy_in("COPY embeddings(item_id, model, vector) FROM STDIN BINARY")
            .map_err(pq)?;
        let mut w = BinaryCopyInWriter::new(w, &[T::INT8, T::TEXT, T::BYTEA]);
        for (id, model, v) in &base.vectors {
            w.write(&[&base.item_id(*id, k), model, v]).map_err(pq)?;
        }
        w.finish().map_err(pq)?;

        let w = tx
            .copy_in(
                "COPY stories(id, first_seen, last_seen, item_count, outlet_count, languages,
                   lang_count, first_source_id, first_item_id, headlines, updated_at, routine)
                 FROM STDIN BINARY",
            )
            .map_err(pq)?;
        let mut w = BinaryCopyInWriter::new(
            w,
            &[
                T::INT8,
                T::TEXT,
                T::TEXT,
                T::INT8,
                T::INT8,
                T::TEXT,
                T::INT8,
                T::TEXT,
                T::INT8,
                T::TEXT,
                T::TEXT,
                T::BOOL,
            ],
        );
        for s in &base.stories {
            w.write(&[
                &base.story_id(s.id, k),
                &base.shift(&s.first_seen, k),
                &base.shift(&s.last_seen, k),
                &s.item_count,
                &s.outlet_count,
                &s.languages,
                &s.lang_count,
                &s.first_source_id,
                &s.first_item_id.map(|i| base.item_id(i, k)),
                &base.headlines(&s.headlines, k)?,
                &s.updated_at,
                &s.routine,
            ])
            .map_err(pq)?;
        }
        w.finish().map_err(pq)?;

        let w = tx
            .copy_in(
                "COPY story_items(item_id, story_id, score, explanation, pinned, assigned_at, routine)
                 FROM STDIN BINARY",
            )
            .map_err(pq)?;
        let mut w = BinaryCopyInWriter::new(
            w,
            &[
                T::INT8,
                T::INT8,
                T::FLOAT8,
                T::TEXT,
                T::BOOL,
                T::TEXT,
                T::BOOL,
            ],
        );
        for m in &base.members {
            w.write(&[
                &base.item_id(m.item_id, k),
                &base.story_id(m.story_id, k),
                &m.score,
                &m.explanation,
                &m.pinned,
                &base.shift(&m.assigned_at, k),
                &m.routine,
            ])
            .map_err(pq)?;
        }
        w.finish().map_err(pq)?;
        tx.commit().map_err(pq)?;
        progress(k as usize + 1);
    }
    // Later inserts (a fetch into the benchmark archive) must not collide with the loaded ids.
    c.batch_execute(
        "DROP TABLE bench_scale_items;
         SELECT setval(pg_get_serial_sequence('items', 'id'), (SELECT max(id) FROM items));
         ANALYZE;",
    )
    .map_err(pq)?;
    Ok(())
}

/// The PostgreSQL archive's size on disk (tables, indexes, TOAST), in bytes.
pub fn postgres_size(url: &str) -> ApiResult<i64> {
    let mut c = postgres::Client::connect(url, postgres::NoTls).map_err(pq)?;
    Ok(
        c.query_one("SELECT pg_database_size(current_database())", &[])
            .map_err(pq)?
            .get(0),
    )
}

/// Median and 95th percentile of one engine call over `runs` calls (wall clock).
#[derive(Debug, Clone, Serialize)]
pub struct ScaleTiming {
    pub name: String,
    pub runs: usize,
    pub median_ms: f64,
    pub p95_ms: f64,
    /// Size of the last answer (stories, items or groups), so a fast empty answer shows.
    pub rows: usize,
}

fn time<T>(
    name: &str,
    runs: usize,
    mut call: impl FnMut(usize) -> ApiResult<T>,
    size: impl Fn(&T) -> usize,
) -> ApiResult<ScaleTiming> {
    let mut wall = Vec::with_capacity(runs);
    let mut rows = 0;
    for i in 0..runs.max(1) {
        let t0 = Instant::now();
        let out = call(i)?;
        wall.push(t0.elapsed().as_secs_f64() * 1e3);
        rows = size(&out);
    }
    Ok(ScaleTiming {
        name: name.into(),
        runs: wall.len(),
        median_ms: quantile(&wall, 0.5),
        p95_ms: quantile(&wall, 0.95),
        rows,
    })
}

/// Stories to open, chosen on one back end and opened on both (the ids are the same).
#[derive(Debug, Clone)]
pub struct ScaleProbe {
    pub largest: (i64, u32),
    pub median: (i64, u32),
}

impl Engine {
    /// The largest story and one of median size (by item count) of this archive.
    pub fn scale_probe(&self) -> ApiResult<ScaleProbe> {
        let all = self.with_store(|s| {
            s.stories(&StoryFilter {
                include_routine: true,
                limit: Some(u32::MAX),
                ..Default::default()
            })
        })?;
        let mut sizes: Vec<(u32, i64)> = all.iter().map(|s| (s.item_count, s.id)).collect();
        sizes.sort_unstable();
        let (Some(&(lc, lid)), Some(&(mc, mid))) = (sizes.last(), sizes.get(sizes.len() / 2))
        else {
            return Err(scale_err("the archive has no stories"));
        };
        Ok(ScaleProbe {
            largest: (lid, lc),
            median: (mid, mc),
        })
    }

    /// Time the calls the app makes at this scale: the stories list with the app's default filter
    /// (first page and the next), opening stories, and search as the app sends it (text only, and
    /// text with meaning). With `semantic`, the first meaning search (which builds the in-memory
    /// vector index from the archive) is timed on its own as "meaning index build".
    pub fn bench_scale(
        &self,
        probe: &ScaleProbe,
        runs: usize,
        semantic: bool,
    ) -> ApiResult<Vec<ScaleTiming>> {
        let page = |offset: u32| StoryFilter {
            limit: Some(500),
            offset: Some(offset),
            ..Default::default()
        };
        let queries = super::BENCH_QUERIES;
        let search = |i: usize, semantic: bool| SearchQuery {
            text: queries[i % queries.len()].into(),
            filter: StoryFilter {
                limit: Some(200),
                ..Default::default()
            },
            semantic,
            limit: Some(200),
        };
        let mut out = vec![
            time(
                "story list (first page of 500)",
                runs,
                |_| self.list_stories(&page(0)),
                Vec::len,
            )?,
            time(
                "story list (next page, offset 500)",
                runs,
                |_| self.list_stories(&page(500)),
                Vec::len,
            )?,
        ];
        let top: Vec<i64> = self.list_stories(&page(0))?.iter().map(|s| s.id).collect();
        if !top.is_empty() {
            out.push(time(
                "open story (first page, in turn)",
                runs,
                |i| self.get_story(top[i % top.len()]),
                |d| d.items.len(),
            )?);
        }
        out.push(time(
            &format!("open story (largest, {} items)", probe.largest.1),
            runs,
            |_| self.get_story(probe.largest.0),
            |d| d.items.len(),
        )?);
        out.push(time(
            &format!("open story (median, {} items)", probe.median.1),
            runs,
            |_| self.get_story(probe.median.0),
            |d| d.items.len(),
        )?);
        out.push(time(
            "search text (6 queries in turn)",
            runs,
            |i| self.search(&search(i, false)),
            Vec::len,
        )?);
        if semantic {
            out.push(time(
                "meaning index build (first meaning search)",
                1,
                |i| self.search(&search(i, true)),
                Vec::len,
            )?);
            out.push(time(
                "search text + meaning (as the app sends it)",
                runs,
                |i| self.search(&search(i, true)),
                Vec::len,
            )?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::EngineConfig;
    use crate::model::{Feed, Item, Lang, Ownership, Source, TimeSource};
    use crate::store::{Store, StoryAssignment};

    /// A small grouped archive: two stories (one ar+en, one fa), vectors for every item.
    fn original(path: &Path) {
        let s = Store::open(path).unwrap();
        s.upsert_source(&Source {
            id: "wire".into(),
            name: "Wire".into(),
            homepage: None,
            feeds: vec![Feed {
                url: "https://wire.invalid/rss".into(),
                verified: false,
            }],
            language: Lang::En,
            country: None,
            ownership: Ownership::Unknown,
            note: None,
            enabled: false,
            refresh_secs: 900,
        })
        .unwrap();
        let at = |h: i64| {
            chrono::DateTime::parse_from_rfc3339("2024-03-01T08:00:00Z")
                .unwrap()
                .with_timezone(&chrono::Utc)
                + Duration::hours(h)
        };
        let item = |guid: &str, title: &str, h: i64| Item {
            source_id: "wire".into(),
            guid: guid.into(),
            url: Some(format!("https://wire.invalid/{guid}")),
            title: title.into(),
            summary_html: String::new(),
            summary_text: String::new(),
            author: None,
            published: at(h),
            time_source: TimeSource::Published,
            categories: vec![],
            media: vec![],
            declared_lang: None,
            content_hash: guid.into(),
        };
        let ids = s
            .insert_items(&[
                item("a", "Earthquake hits Herat province", 0),
                item("b", "زلزال يضرب ولاية هرات", 2),
                item("c", "زمین‌لرزه در هرات", 30),
            ])
            .unwrap()
            .inserted;
        s.set_languages(&[
            (ids[0], Lang::En, 0.9),
            (ids[1], Lang::Ar, 0.9),
            (ids[2], Lang::Fa, 0.9),
        ])
        .unwrap();
        for (n, id) in ids.iter().enumerate() {
            s.put_embedding(*id, "m", &[n as f32, 1.0, 0.5]).unwrap();
        }
        let (s1, s2) = (s.new_story_id().unwrap(), s.new_story_id().unwrap());
        let a = |item_id: i64, story_id: i64| StoryAssignment {
            item_id,
            story_id,
            ..Default::default()
        };
        s.assign(&[a(ids[0], s1), a(ids[1], s1), a(ids[2], s2)])
            .unwrap();
    }

    fn engine(path: &Path, postgres: Option<String>) -> Engine {
        Engine::open(EngineConfig {
            seed_catalog: false,
            postgres,
            ..EngineConfig::new(path.to_path_buf())
        })
        .unwrap()
    }

    fn scaled(dir: &Path) -> (ScaleBase, std::path::PathBuf) {
        let from = dir.join("original.db");
        original(&from);
        let base = read_scale_base(&from).unwrap();
        let out = dir.join("scaled.db");
        copy_archive(&from, &out).unwrap();
        extend_sqlite(&out, &base, 3, |_| {}).unwrap();
        (base, out)
    }

    #[test]
    fn copies_get_fresh_ids_earlier_times_and_their_own_stories() {
        let dir = tempfile::tempdir().unwrap();
        let (base, out) = scaled(dir.path());
        assert_eq!((base.items(), base.stories(), base.span_days()), (3, 2, 2));
        let e = engine(&out, None);
        let st = e.status().unwrap();
        assert_eq!((st.items, st.stories), (9, 6));

        let stories = e
            .list_stories(&StoryFilter {
                limit: Some(100),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(stories.len(), 6);
        // Each copy's story holds that copy's items, dated one span (2 days) per copy earlier.
        let two = stories
            .iter()
            .filter(|s| s.item_count == 2)
            .map(|s| e.get_story(s.id).unwrap())
            .collect::<Vec<_>>();
        assert_eq!(two.len(), 3);
        let mut firsts: Vec<String> = two
            .iter()
            .map(|d| d.items[0].published.to_rfc3339())
            .collect();
        firsts.sort();
        assert_eq!(
            firsts,
            [
                "2024-02-26T08:00:00+00:00",
                "2024-02-28T08:00:00+00:00",
                "2024-03-01T08:00:00+00:00"
            ]
        );
        for d in &two {
            let ids: Vec<i64> = d.items.iter().map(|i| i.id).collect();
            let copy = (ids[0] - 1) / 3;
            assert!(ids.iter().all(|i| (i - 1) / 3 == copy), "{ids:?}");
            // The headlines point at the copy's own items.
            assert!(
                d.summary.headlines.iter().all(|h| ids.contains(&h.item_id)),
                "{:?}",
                d.summary.headlines
            );
        }
        // Folded text search finds every copy (the Persian spelling from an Arabic query).
        let hits = e.with_store(|s| s.search_text("هرات", 50)).unwrap();
        assert_eq!(hits.len(), 6);
        let vectors = e.with_store(|s| s.embeddings_after("m", 0, 50)).unwrap();
        assert_eq!(vectors.len(), 9);
        assert_eq!(vectors[3].2, vec![0.0, 1.0, 0.5]);
        // A second build into the same file is refused, never appended.
        assert!(copy_archive(&dir.path().join("original.db"), &out).is_err());
    }

    #[test]
    #[ignore = "needs PostgreSQL: scripts/test-postgres.sh starts one and runs these"]
    fn replica_on_postgres_matches_sqlite() {
        let url = std::env::var(crate::store::testing::PG_ENV).expect("PARALLAX_TEST_PG");
        let pg = crate::store::testing::fresh_database(&url);
        let dir = tempfile::tempdir().unwrap();
        let (base, out) = scaled(dir.path());
        load_postgres(&pg, &out, &base, 3, |_| {}).unwrap();
        let (lite, post) = (engine(&out, None), engine(&out, Some(pg.clone())));
        let page = StoryFilter {
            limit: Some(100),
            ..Default::default()
        };
        let ids = |e: &Engine| -> Vec<(i64, u32)> {
            e.list_stories(&page)
                .unwrap()
                .iter()
                .map(|s| (s.id, s.item_count))
                .collect()
        };
        assert_eq!(ids(&lite), ids(&post));
        for (id, _) in ids(&lite) {
            let (a, b) = (lite.get_story(id).unwrap(), post.get_story(id).unwrap());
            assert_eq!(a.items, b.items);
            assert_eq!(a.summary.headlines, b.summary.headlines);
        }
        let hits = |e: &Engine| {
            let mut h: Vec<i64> = e
                .with_store(|s| s.search_text("هرات", 50))
                .unwrap()
                .iter()
                .map(|h| h.item_id)
                .collect();
            h.sort();
            h
        };
        assert_eq!(hits(&lite), hits(&post));
        assert!(postgres_size(&pg).unwrap() > 0);
        // Loading twice is refused: the archive already holds items.
        assert!(load_postgres(&pg, &out, &base, 1, |_| {}).is_err());
    }
}
