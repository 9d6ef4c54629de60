//! The store test suite runs on both back ends: each test is a function of a `Store`, run once on
//! an in-memory SQLite archive and once on a fresh PostgreSQL database.
//!
//! The PostgreSQL runs are `#[ignore]`d so that the test output counts them when no server is
//! there; `scripts/test-postgres.sh` starts a throwaway server (initdb/pg_ctl in a temporary
//! directory on a free 127.0.0.1 port), sets `PARALLAX_TEST_PG` and runs them with `--ignored`.

use super::Store;

// Shared with the engine test suites (tests/support includes the same file).
mod pg_database;
pub(crate) use pg_database::fresh_database;

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
