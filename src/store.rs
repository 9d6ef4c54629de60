//! The archive: sources, feed state, fetch log, items, the folded full-text index, stories,
//! watches and alerts, on one of two back ends: SQLite (`sqlite`, the desktop default: one
//! file) or PostgreSQL (`pg`, team mode: one shared database). `Store` is the one interface; each
//! call goes to the back end it was opened on, and the same test suite runs on both.
//!
//! One `Store` wraps one connection. Everything ingested is kept: inserts are idempotent (dedupe by
//! source+guid, canonical URL and, within one outlet, content hash), so re-ingesting a feed changes
//! nothing. Opening never repairs or replaces a file it cannot read: it reports it.

mod analysis;
mod fetch_log;
mod fulltext;
mod items;
mod lease;
mod migrations;
mod pg;
mod settings;
mod sources;
mod sqlite;
mod stories;
#[cfg(test)]
pub(crate) mod testing;
mod users;
mod watches;

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};

pub use analysis::{SentenceKey, sentence_key};
pub use fetch_log::{FetchLogEntry, FetchOutcome, SourceHealth};
pub use fulltext::{FulltextState, StoredFulltext};
pub use items::{InsertReport, ItemQuery, SearchHit, StoredItem};
pub use lease::{Lease, LeaseHolder, LeaseOutcome};
pub use sources::FeedState;
pub use stories::{Headline, StoryAssignment, StoryFilter, StoryRecord};
pub use users::{Role, TeamUser};
pub use watches::{AlertChange, AlertHit, AlertRecord};

use crate::error::Code;
use crate::model::{Item, Lang, Source};
use crate::watch::{Watch, WatchRule};
use items::StoredVector;
pub use pg::FeedChange;
use pg::PgStore;
/// The search-vector lexemes of a text on PostgreSQL (for bulk loads that build the column).
#[cfg(feature = "eval")]
pub(crate) use pg::lexemes as pg_lexemes;
use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store: database {path} is locked by another process (is another Parallax running?)")]
    Locked { path: String },
    #[error(
        "store: {path} is not a readable Parallax database ({detail}); it was left untouched — move it aside or point --db elsewhere"
    )]
    Corrupt { path: String, detail: String },
    #[error("store: cannot open {path}: {detail}")]
    Open { path: String, detail: String },
    #[error("store: schema migration failed: {0}")]
    Migration(String),
    #[error("store: {0} not found")]
    NotFound(String),
    #[error("store: {0}")]
    Invalid(String),
    /// A write failed for lack of space (`SQLITE_FULL`, or a write the OS refused, as a full
    /// disk or a file-size limit makes it). The transaction rolled back: nothing is half-written.
    #[error(
        "store: cannot write the archive: the disk is full or the file may not grow ({0}); what was stored before is intact: free some space and fetch again"
    )]
    Full(rusqlite::Error),
    #[error("store: {0}")]
    Sqlite(rusqlite::Error),
    #[error("store: PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("store: bad stored JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl StoreError {
    pub fn code(&self) -> Code {
        match self {
            StoreError::NotFound(_) | StoreError::Invalid(_) => Code::Precondition,
            _ => Code::Storage,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        /// `SQLITE_IOERR_WRITE`: the OS refused a write (ENOSPC mid-write, EFBIG past a limit).
        const IOERR_WRITE: std::ffi::c_int = 778;
        match &e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::DiskFull || f.extended_code == IOERR_WRITE =>
            {
                StoreError::Full(e)
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// One connection to the archive, on either back end.
pub struct Store {
    backend: Backend,
}

enum Backend {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl Store {
    /// Open (creating if missing) the SQLite archive at `path`, in WAL mode, migrated to the
    /// latest schema.
    pub fn open(path: &Path) -> Result<Store> {
        Ok(Store {
            backend: Backend::Sqlite(SqliteStore::open(path)?),
        })
    }

    pub fn open_in_memory() -> Result<Store> {
        Ok(Store {
            backend: Backend::Sqlite(SqliteStore::open_in_memory()?),
        })
    }

    /// Connect to a PostgreSQL archive (`postgres://user@host/db` or a key=value string),
    /// migrated to the latest schema.
    pub fn connect_postgres(url: &str) -> Result<Store> {
        Ok(Store {
            backend: Backend::Postgres(pg::off_runtime(|| PgStore::connect(url))?),
        })
    }

    /// Whether this is a PostgreSQL (team) archive.
    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    pub fn item(&self, id: i64) -> Result<Option<StoredItem>> {
        Ok(self
            .items(&ItemQuery {
                ids: Some(vec![id]),
                ..Default::default()
            })?
            .into_iter()
            .next())
    }

    /// The archive file (SQLite), `None` in memory or on PostgreSQL.
    pub fn path(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Sqlite(s) => s.path(),
            Backend::Postgres(_) => None,
        }
    }
}

/// Every call of the interface, sent to the back end the store was opened on. The methods are
/// documented where the SQLite back end implements them (`store/*.rs`); `store/pg/` mirrors them.
macro_rules! dispatch {
    ($(fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {
        impl Store {
            $(
                pub fn $name(&self $(, $arg: $ty)*) -> $ret {
                    match &self.backend {
                        Backend::Sqlite(s) => s.$name($($arg),*),
                        Backend::Postgres(p) => pg::off_runtime(|| p.$name($($arg),*)),
                    }
                }
            )*
        }
    };
}

/// Team-server calls that exist only on PostgreSQL (the job table, the change feed, the audit
/// log): on SQLite they fail with a clear error.
macro_rules! postgres_only {
    ($(fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {
        impl Store {
            $(
                pub fn $name(&self $(, $arg: $ty)*) -> $ret {
                    match &self.backend {
                        Backend::Postgres(p) => pg::off_runtime(|| p.$name($($arg),*)),
                        Backend::Sqlite(_) => Err(StoreError::Invalid(format!(
                            "{} needs a PostgreSQL (team) archive",
                            stringify!($name)
                        ))),
                    }
                }
            )*
        }
    };
}

postgres_only! {
    // fetch jobs shared by the server's workers
    fn claim_fetch_jobs(&self, worker: &str, limit: usize, claim_secs: u32) -> Result<Vec<crate::refresh::FeedJob>>;
    fn finish_fetch_job(&self, worker: &str, feed_url: &str, due_at: DateTime<Utc>) -> Result<bool>;
    fn next_fetch_due_secs(&self) -> Result<Option<f64>>;
    // the change feed behind the server's event stream
    fn change_cursor(&self) -> Result<(i64, i64)>;
    fn changes_after(&self, cursor: (i64, i64), limit: usize) -> Result<(Vec<FeedChange>, (i64, i64))>;
    fn prune_changes(&self, keep_secs: u32) -> Result<u64>;
    // who did what
    fn record_audit(&self, user: &str, action: &str, detail: &str) -> Result<()>;
    fn audit_log(&self, limit: usize) -> Result<Vec<(String, String, String, String)>>;
    fn set_watch_creator(&self, id: i64, user: &str) -> Result<()>;
}

dispatch! {
    fn integrity_check(&self) -> Result<Vec<String>>;
    // full-text articles
    fn source_fulltext(&self, source_id: &str) -> Result<crate::fulltext::FulltextMode>;
    fn set_source_fulltext(&self, source_id: &str, mode: crate::fulltext::FulltextMode) -> Result<()>;
    fn source_is_headline_only(&self, source_id: &str) -> Result<bool>;
    fn fulltext_enabled(&self, source_id: &str) -> Result<bool>;
    fn fulltext(&self, item_id: i64) -> Result<Option<StoredFulltext>>;
    fn put_fulltext(&self, item_id: i64, url: &str, a: &crate::fulltext::Article) -> Result<()>;
    fn put_fulltext_error(&self, item_id: i64, url: &str, code: Code, message: &str) -> Result<()>;
    fn touch_fulltext(&self, item_id: i64) -> Result<()>;
    fn data_version(&self) -> Result<i64>;
    // analysis
    fn sentence_vectors(&self, keys: &[SentenceKey]) -> Result<HashMap<SentenceKey, Vec<f32>>>;
    fn put_sentence_vectors(&self, rows: &[(SentenceKey, Vec<f32>)]) -> Result<()>;
    fn story_analysis(&self, story_id: i64, fingerprint: &str) -> Result<Option<String>>;
    fn clear_story_analysis(&self, story_id: i64) -> Result<()>;
    fn largest_story(&self) -> Result<Option<(i64, u32)>>;
    fn put_story_analysis(&self, story_id: i64, fingerprint: &str, body: &str) -> Result<()>;
    // fetch log
    fn log_fetch(&self, e: &FetchLogEntry) -> Result<()>;
    fn fetch_log(&self, source: Option<&str>, limit: usize) -> Result<Vec<FetchLogEntry>>;
    fn fetch_summary(&self) -> Result<(u32, Option<DateTime<Utc>>)>;
    fn source_health(&self) -> Result<Vec<SourceHealth>>;
    // items
    fn insert_items(&self, items: &[Item]) -> Result<InsertReport>;
    fn set_languages(&self, detections: &[(i64, Lang, f64)]) -> Result<()>;
    fn items(&self, q: &ItemQuery) -> Result<Vec<StoredItem>>;
    fn item_count(&self) -> Result<i64>;
    fn search_text(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>>;
    fn put_embedding(&self, item_id: i64, model: &str, v: &[f32]) -> Result<()>;
    fn embedding(&self, item_id: i64) -> Result<Option<Vec<f32>>>;
    fn embeddings_after(&self, model: &str, after_id: i64, limit: usize) -> Result<Vec<StoredVector>>;
    // grouping lease
    fn lease(&self) -> Result<Option<Lease>>;
    fn try_lease(&self, me: &LeaseHolder, now: DateTime<Utc>, alive: &(dyn Fn(u32) -> bool + Sync)) -> Result<LeaseOutcome>;
    fn release_lease(&self, me: &LeaseHolder) -> Result<()>;
    // settings
    fn setting(&self, key: &str) -> Result<Option<String>>;
    fn set_setting(&self, key: &str, value: &str) -> Result<()>;
    // sources
    fn upsert_source(&self, s: &Source) -> Result<()>;
    fn seed_catalog_source(&self, s: &Source) -> Result<bool>;
    fn source_counts(&self) -> Result<(u32, u32)>;
    fn sources(&self) -> Result<Vec<Source>>;
    fn sources_by_ids(&self, ids: &[&str]) -> Result<Vec<Source>>;
    fn source(&self, id: &str) -> Result<Option<Source>>;
    fn source_of_feed(&self, url: &str) -> Result<Option<String>>;
    fn remove_source(&self, id: &str) -> Result<()>;
    fn set_source_enabled(&self, id: &str, enabled: bool) -> Result<()>;
    fn set_source_refresh(&self, id: &str, secs: u32) -> Result<()>;
    fn feed_state(&self, feed_url: &str) -> Result<FeedState>;
    fn save_feed_state(&self, feed_url: &str, st: &FeedState) -> Result<()>;
    // stories
    fn new_story_id(&self) -> Result<i64>;
    fn ensure_story(&self, id: i64) -> Result<()>;
    fn max_story_id(&self) -> Result<i64>;
    fn assign(&self, assignments: &[StoryAssignment]) -> Result<()>;
    fn assignment(&self, item_id: i64) -> Result<Option<StoryAssignment>>;
    fn assignments(&self, item_ids: &[i64]) -> Result<Vec<StoryAssignment>>;
    fn assignments_since(&self, since: DateTime<Utc>) -> Result<Vec<StoryAssignment>>;
    fn story_members(&self, story_id: i64) -> Result<Vec<i64>>;
    fn ungrouped_items(&self, limit: usize) -> Result<Vec<i64>>;
    fn clear_automatic_assignments(&self) -> Result<()>;
    fn story(&self, id: i64) -> Result<Option<StoryRecord>>;
    fn story_count(&self) -> Result<i64>;
    fn stories(&self, f: &StoryFilter) -> Result<Vec<StoryRecord>>;
    // watches and alerts
    fn insert_watch(&self, name: &str, rule: &WatchRule, now: DateTime<Utc>) -> Result<Watch>;
    fn watches(&self) -> Result<Vec<Watch>>;
    fn delete_watch(&self, id: i64) -> Result<()>;
    fn insert_alias(&self, spellings: &[String]) -> Result<i64>;
    fn aliases(&self) -> Result<Vec<(i64, Vec<String>)>>;
    fn delete_alias(&self, id: i64) -> Result<()>;
    fn record_alerts(&self, hits: &[AlertHit<'_>]) -> Result<Vec<AlertChange>>;
    fn grouped_items_after(&self, after: i64, limit: usize) -> Result<Vec<i64>>;
    fn grouped_item_count(&self) -> Result<i64>;
    fn alerts(&self, since: Option<DateTime<Utc>>, unseen_only: bool, limit: usize) -> Result<Vec<AlertRecord>>;
    fn mark_alert_seen(&self, id: i64, now: DateTime<Utc>) -> Result<u64>;
    fn mark_all_alerts_seen(&self, up_to: Option<i64>, now: DateTime<Utc>) -> Result<u64>;
    fn unseen_alert_count(&self) -> Result<u64>;
    fn alert(&self, id: i64) -> Result<Option<AlertRecord>>;
    fn claim_due_alerts(&self, now: DateTime<Utc>) -> Result<Vec<AlertRecord>>;
    // team users
    fn add_user(&self, name: &str, role: Role, token_sha256: &str) -> Result<()>;
    fn user_by_token(&self, token_sha256: &str) -> Result<Option<TeamUser>>;
}

/// RFC 3339 with fixed width so text order is time order.
pub(crate) fn ts(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub(crate) fn parse_ts(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_default()
}
