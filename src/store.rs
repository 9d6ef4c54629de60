//! The SQLite archive: sources, feed state, fetch log, items, the folded FTS5 index, stories,
//! watches and alerts.
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
mod settings;
mod sources;
mod stories;
mod watches;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub use analysis::{SentenceKey, sentence_key};
pub use fetch_log::{FetchLogEntry, FetchOutcome, SourceHealth};
pub use fulltext::{FulltextState, StoredFulltext};
pub use items::{InsertReport, ItemQuery, SearchHit, StoredItem};
pub use lease::{Lease, LeaseHolder, LeaseOutcome};
pub use sources::FeedState;
pub use stories::{Headline, StoryAssignment, StoryFilter, StoryRecord};
pub use watches::{AlertChange, AlertHit, AlertRecord};

use crate::error::Code;

/// How long a writer waits for another process's lock before giving up with `Locked`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

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

pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

impl Store {
    /// Open (creating if missing) the archive at `path`, in WAL mode, migrated to the latest schema.
    pub fn open(path: &Path) -> Result<Store> {
        let shown = path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
                path: shown.clone(),
                detail: e.to_string(),
            })?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| classify(e, &shown))?;
        Self::init(conn, Some(path.to_path_buf()))
    }

    pub fn open_in_memory() -> Result<Store> {
        Self::init(Connection::open_in_memory()?, None)
    }

    fn init(mut conn: Connection, path: Option<PathBuf>) -> Result<Store> {
        let shown = path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| ":memory:".into());
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| classify(e, &shown))?;
        // Reading the header first turns "file is not a database" into a clear Corrupt error
        // before any write could touch the file.
        conn.query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0))
            .map_err(|e| classify(e, &shown))?;
        if path.is_some() {
            conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0))
                .map_err(|e| classify(e, &shown))?;
        }
        conn.execute_batch("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;")
            .map_err(|e| classify(e, &shown))?;
        migrations::apply(&mut conn).map_err(|e| match e {
            StoreError::Sqlite(inner) => classify(inner, &shown),
            other => other,
        })?;
        Ok(Store { conn, path })
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Full integrity check (slow on big archives: for `parallax status --check`).
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let problems: Vec<String> = rows.collect::<std::result::Result<_, _>>()?;
        Ok(problems.into_iter().filter(|p| p != "ok").collect())
    }

    /// Changes whenever another connection commits to the archive (not this one's own writes).
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// Map SQLite failures on open to errors a user can act on.
fn classify(e: rusqlite::Error, path: &str) -> StoreError {
    use rusqlite::ErrorCode as C;
    match e.sqlite_error_code() {
        Some(C::DatabaseBusy) | Some(C::DatabaseLocked) => StoreError::Locked { path: path.into() },
        Some(C::NotADatabase) | Some(C::DatabaseCorrupt) => StoreError::Corrupt {
            path: path.into(),
            detail: e.to_string(),
        },
        Some(C::CannotOpen) | Some(C::PermissionDenied) | Some(C::ReadOnly) => StoreError::Open {
            path: path.into(),
            detail: e.to_string(),
        },
        _ => StoreError::from(e),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_file_is_reported_corrupt_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("archive.db");
        let junk = b"this is not sqlite at all, just some bytes that were here before".repeat(100);
        std::fs::write(&p, &junk).unwrap();
        let err = Store::open(&p).err().expect("must fail");
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("left untouched"));
        assert_eq!(
            std::fs::read(&p).unwrap(),
            junk,
            "file must not be modified"
        );
    }

    #[test]
    fn locked_database_gives_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("archive.db");
        let _first = Store::open(&p).unwrap();
        let holder = Connection::open(&p).unwrap();
        holder.execute_batch("BEGIN EXCLUSIVE;").unwrap();
        let second = Connection::open(&p).unwrap();
        second.busy_timeout(Duration::from_millis(50)).unwrap();
        let e = second
            .execute("INSERT INTO settings(key, value) VALUES ('a','b')", [])
            .unwrap_err();
        assert!(matches!(classify(e, "x"), StoreError::Locked { .. }));
        holder.execute_batch("ROLLBACK;").unwrap();
    }

    #[test]
    fn reopen_keeps_data_and_schema() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.db");
        {
            let s = Store::open(&p).unwrap();
            s.set_setting("k", "v").unwrap();
        }
        let s = Store::open(&p).unwrap();
        assert_eq!(s.setting("k").unwrap().as_deref(), Some("v"));
        assert!(s.integrity_check().unwrap().is_empty());
    }
}
