//! Which archive back end the engine test suites run on. Unset (or `sqlite`),
//! `PARALLAX_TEST_BACKEND` keeps archives in SQLite files, as the app does; `postgres` (what
//! scripts/test-postgres.sh sets) puts each archive on a fresh database of the server at
//! `PARALLAX_TEST_PG`.
//!
//! Tests name an archive by a path in their temporary directory on both back ends. On PostgreSQL
//! the first use of a path creates its database and every later use (a second engine, a store, the
//! `parallax` binary) reaches the same one, so a test reads the same on both.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use parallax::api::EngineConfig;
use parallax::store::Store;

use super::pg_database::fresh_database;

/// `sqlite` (the default) or `postgres`.
pub const BACKEND_ENV: &str = "PARALLAX_TEST_BACKEND";
/// The PostgreSQL test server: a libpq URL with a user that may create databases.
pub const PG_ENV: &str = "PARALLAX_TEST_PG";

/// The test server's URL when the suites run on PostgreSQL, `None` on SQLite. Panics when the
/// back end is PostgreSQL but no server is named (never a quiet SQLite run instead), or when the
/// variable names no known back end.
pub fn postgres_server() -> Option<String> {
    match std::env::var(BACKEND_ENV).as_deref() {
        Err(_) | Ok("") | Ok("sqlite") => None,
        Ok("postgres") => Some(std::env::var(PG_ENV).unwrap_or_else(|_| {
            panic!(
                "{BACKEND_ENV}=postgres but {PG_ENV} is not set: run the engine suites on \
                 PostgreSQL through scripts/test-postgres.sh, or set {PG_ENV} to a server URL"
            )
        })),
        Ok(other) => panic!("{BACKEND_ENV}={other}: expected `sqlite` or `postgres`"),
    }
}

pub fn is_postgres() -> bool {
    postgres_server().is_some()
}

/// The PostgreSQL database standing for the archive at `db` (created on first use), `None` on
/// SQLite.
pub fn archive_database(db: &Path) -> Option<String> {
    static DATABASES: Mutex<Option<HashMap<PathBuf, String>>> = Mutex::new(None);
    let server = postgres_server()?;
    let mut dbs = DATABASES.lock().unwrap_or_else(|p| p.into_inner());
    let url = dbs
        .get_or_insert_with(HashMap::new)
        .entry(db.to_path_buf())
        // On a thread of its own: the blocking client may not start its runtime on a tokio
        // test's thread.
        .or_insert_with(|| {
            std::thread::spawn(move || fresh_database(&server))
                .join()
                .expect("create a test database")
        })
        .clone();
    Some(url)
}

/// The engine configuration for the archive at `db` on the back end under test; callers set
/// `seed_catalog` and `model_path` as their test needs.
pub fn engine_config(db: &Path) -> EngineConfig {
    EngineConfig {
        postgres: archive_database(db),
        ..EngineConfig::new(db.to_path_buf())
    }
}

/// A store on the archive at `db`, for tests below the engine API.
pub fn open_store(db: &Path) -> Store {
    match archive_database(db) {
        Some(url) => Store::connect_postgres(&url).expect("connect to the test database"),
        None => Store::open(db).expect("open the test archive"),
    }
}

/// The `parallax` arguments that open the archive at `db`: `--db PATH`, plus `--pg URL` on
/// PostgreSQL (`--db` then only places local files beside it, as in team mode).
pub fn cli_archive_args(db: &Path) -> Vec<OsString> {
    let mut args = vec![OsString::from("--db"), db.as_os_str().to_owned()];
    if let Some(url) = archive_database(db) {
        args.extend([OsString::from("--pg"), OsString::from(url)]);
    }
    args
}
