//! The store test suite runs on both back ends: each test is a function of a `Store`, run once on
//! an in-memory SQLite archive and once on a fresh PostgreSQL database.
//!
//! The PostgreSQL runs are `#[ignore]`d so that the test output counts them when no server is
//! there; `scripts/test-postgres.sh` starts a throwaway server (initdb/pg_ctl in a temporary
//! directory on a free 127.0.0.1 port), sets `PARALLAX_TEST_PG` and runs them with `--ignored`.

use std::sync::atomic::{AtomicU32, Ordering};

use super::Store;

/// The variable naming the test server (a libpq URL with a user that may create databases).
pub(crate) const PG_ENV: &str = "PARALLAX_TEST_PG";

/// A store on a new, empty database of the test server. Panics (the test fails) when
/// `PARALLAX_TEST_PG` is unset: an ignored test run on purpose must not pass by doing nothing.
pub(crate) fn postgres() -> Store {
    let url = std::env::var(PG_ENV).unwrap_or_else(|_| {
        panic!("{PG_ENV} is not set: run the PostgreSQL tests through scripts/test-postgres.sh")
    });
    Store::connect_postgres(&fresh_database(&url)).expect("connect to the test database")
}

/// Create a uniquely named database on the server at `url`; returns a URL for it.
pub(crate) fn fresh_database(url: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "parallax_test_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin =
        postgres::Client::connect(url, postgres::NoTls).expect("connect to the test server");
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create a test database");
    let mut config: postgres::Config = url.parse().expect("a libpq URL");
    config.dbname(&name);
    to_url(&config, &name)
}

/// The key=value form of `config` for database `db` (what `Store::connect_postgres` takes).
fn to_url(config: &postgres::Config, db: &str) -> String {
    let mut parts = vec![format!("dbname={db}")];
    if let Some(u) = config.get_user() {
        parts.push(format!("user={u}"));
    }
    for h in config.get_hosts() {
        if let postgres::config::Host::Tcp(h) = h {
            parts.push(format!("host={h}"));
        }
    }
    if let Some(p) = config.get_ports().first() {
        parts.push(format!("port={p}"));
    }
    parts.join(" ")
}

/// `on_both_backends!(name)` next to `fn name(s: Store)`: the tests `name::sqlite` and
/// `name::postgres`.
macro_rules! on_both_backends {
    ($name:ident) => {
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(crate::store::Store::open_in_memory().unwrap())
            }

            #[test]
            #[ignore = "needs PostgreSQL: scripts/test-postgres.sh starts one and runs these"]
            fn postgres() {
                super::$name(crate::store::testing::postgres())
            }
        }
    };
}
pub(crate) use on_both_backends;
