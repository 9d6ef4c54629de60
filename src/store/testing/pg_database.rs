//! A fresh, uniquely named database on a PostgreSQL test server. One file, compiled twice: by the
//! store's unit tests (`store::testing`) and by the engine test suites (`tests/support`, through a
//! `#[path]` module), so the engine exposes no test-only function to product code. It depends on
//! nothing but the `postgres` crate for that reason.

use std::sync::atomic::{AtomicU32, Ordering};

/// Create a uniquely named database on the server at `url` (a libpq URL with a user that may
/// create databases); returns a key=value connection string for it (what
/// `Store::connect_postgres` and `EngineConfig::postgres` take). Panics when the server refuses:
/// a test that cannot get its database must fail, not pass by doing nothing.
pub fn fresh_database(url: &str) -> String {
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
    let config: postgres::Config = url.parse().expect("a libpq URL");
    to_url(&config, &name)
}

/// The key=value form of `config` for database `db`.
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
