//! The SQLite back end: one connection to the archive file (WAL mode), the desktop default.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::{Result, StoreError, migrations};

/// How long a writer waits for another process's lock before giving up with `Locked`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub struct SqliteStore {
    conn: Connection,
    path: Option<PathBuf>,
}

impl SqliteStore {
    /// Open (creating if missing) the archive at `path`, in WAL mode, migrated to the latest schema.
    pub fn open(path: &Path) -> Result<SqliteStore> {
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

    pub fn open_in_memory() -> Result<SqliteStore> {
        Self::init(Connection::open_in_memory()?, None)
    }

    fn init(mut conn: Connection, path: Option<PathBuf>) -> Result<SqliteStore> {
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
        Ok(SqliteStore { conn, path })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_file_is_reported_corrupt_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("archive.db");
        let junk = b"this is not sqlite at all, just some bytes that were here before".repeat(100);
        std::fs::write(&p, &junk).unwrap();
        let err = SqliteStore::open(&p).err().expect("must fail");
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
        let _first = SqliteStore::open(&p).unwrap();
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
            let s = SqliteStore::open(&p).unwrap();
            s.set_setting("k", "v").unwrap();
        }
        let s = SqliteStore::open(&p).unwrap();
        assert_eq!(s.setting("k").unwrap().as_deref(), Some("v"));
        assert!(s.integrity_check().unwrap().is_empty());
    }
}
