//! The PostgreSQL back end (team mode): the same archive in one shared database.
//!
//! The `postgres` crate (the blocking client over tokio-postgres) fits the engine, whose store
//! calls are synchronous and already run on blocking threads in async code: the same call shape
//! as rusqlite, no second runtime to bridge. Its one rule: it may not run on an async runtime's
//! thread (it drives its own runtime, and tokio forbids a runtime inside another). `off_runtime`
//! makes every call safe wherever it comes from, a multi-threaded or a current-thread runtime:
//! the refresh and the server call the store from async code, as they always did for SQLite.
//!
//! The schema mirrors SQLite's, with the same column meanings: times are the same fixed-width
//! RFC 3339 text (text order is time order on both), vectors the same little-endian f32 bytes.
//! Full-text search is a `tsvector` over the tokens of Parallax's own fold (`normalize`), built
//! in Rust, so both back ends find exactly the same spellings whatever the server's locale.

mod analysis;
mod audit;
mod events;
mod fetch_log;
mod fulltext;
mod items;
mod jobs;
mod lease;
mod migrations;
mod settings;
mod sources;
mod stories;
mod users;
mod watches;

use std::ops::{Deref, DerefMut};
use std::sync::{Mutex, MutexGuard};

use postgres::{Client, NoTls};

pub use events::FeedChange;
#[cfg(feature = "eval")]
pub(crate) use items::lexemes;

use super::{Result, StoreError};

pub(crate) struct PgStore {
    /// Always `Some` until dropped (taken out so it can be closed off the runtime). A mutex, not
    /// a `RefCell`, so that `off_runtime` may run a call on another thread while the caller waits
    /// (the store itself is used by one caller at a time: it sits behind the engine's lock).
    client: Mutex<Option<Client>>,
}

/// The connection, borrowed for one call.
struct Conn<'a>(MutexGuard<'a, Option<Client>>);

impl Deref for Conn<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.0
            .as_ref()
            .expect("the connection is only taken out when the store is dropped")
    }
}

impl DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.0
            .as_mut()
            .expect("the connection is only taken out when the store is dropped")
    }
}

/// Run `f`, a blocking PostgreSQL call, where blocking is allowed. On a multi-threaded tokio
/// runtime's worker (or inside its `block_on`), `block_in_place` hands that thread's other tasks
/// to another worker and leaves the runtime context for the call, so the client's own runtime may
/// start. A current-thread runtime (`#[tokio::main(flavor = "current_thread")]`, a plain
/// `#[tokio::test]`) cannot lend its only thread, and starting the client's runtime on it panics:
/// the call runs on a scoped thread of its own while this one waits, as it would for any blocking
/// call. On a blocking-pool thread or outside tokio it is a plain call.
pub(crate) fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        Ok(_) => std::thread::scope(|s| {
            s.spawn(f)
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        }),
        Err(_) => f(),
    }
}

impl Drop for PgStore {
    /// Closing the connection talks to the server: off the runtime too.
    fn drop(&mut self) {
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Some(client) = client.take() {
            off_runtime(move || drop(client));
        }
    }
}

impl PgStore {
    /// Connect and bring the schema to the latest version.
    pub fn connect(url: &str) -> Result<PgStore> {
        let mut client = Client::connect(url, NoTls).map_err(|e| StoreError::Open {
            path: redact(url),
            detail: e.to_string(),
        })?;
        migrations::apply(&mut client)?;
        Ok(PgStore {
            client: Mutex::new(Some(client)),
        })
    }

    /// The connection, for one call (calls never nest, so the lock is always free; a call that
    /// panicked left no transaction open: the client rolls back a dropped one).
    fn db(&self) -> Conn<'_> {
        Conn(self.client.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// PostgreSQL checks its own pages; a logical check of the archive is SQLite's
    /// `PRAGMA integrity_check` only.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        Err(StoreError::Invalid(
            "the integrity check reads SQLite files; on PostgreSQL use pg_amcheck".into(),
        ))
    }

    /// Changes whenever any connection commits a write: the next transaction id to be handed
    /// out. (SQLite's `data_version` ignores this connection's own writes; this does not, so a
    /// listener reloads once more than it must, never once less.)
    pub fn data_version(&self) -> Result<i64> {
        let row = self.db().query_one(
            "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint",
            &[],
        )?;
        Ok(row.get(0))
    }
}

/// A connection string without its password, for messages.
fn redact(url: &str) -> String {
    match url.parse::<postgres::Config>() {
        Ok(c) => {
            let host = c
                .get_hosts()
                .iter()
                .map(|h| match h {
                    postgres::config::Host::Tcp(h) => h.clone(),
                    postgres::config::Host::Unix(p) => p.display().to_string(),
                })
                .collect::<Vec<_>>()
                .join(",");
            format!(
                "postgres://{}@{host}/{}",
                c.get_user().unwrap_or(""),
                c.get_dbname().unwrap_or("")
            )
        }
        Err(_) => "the PostgreSQL URL".into(),
    }
}

/// Little-endian f32 bytes, as both back ends store vectors.
fn vector_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn vector_from(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::store::Store;
    use crate::store::testing::{PG_ENV, fresh_database};

    /// A plain `#[tokio::test]` or a `current_thread` main: connecting, calls and dropping the
    /// store all work on the runtime's only thread (they used to panic, "Cannot start a runtime
    /// from within a runtime", and abort the process from the drop).
    #[test]
    #[ignore = "needs PostgreSQL: scripts/test-postgres.sh starts one and runs these"]
    fn calls_work_on_a_current_thread_runtime_postgres() {
        let server = std::env::var(PG_ENV).unwrap_or_else(|_| {
            panic!("{PG_ENV} is not set: run the PostgreSQL tests through scripts/test-postgres.sh")
        });
        let url = fresh_database(&server);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let s = Store::connect_postgres(&url).unwrap();
            s.set_setting("flavour", "current thread").unwrap();
            // The runtime still drives other tasks between calls.
            let echoed = tokio::spawn(async { "still running" }).await.unwrap();
            assert_eq!(echoed, "still running");
            assert_eq!(
                s.setting("flavour").unwrap().as_deref(),
                Some("current thread")
            );
            drop(s);
            let again = Store::connect_postgres(&url).unwrap();
            assert_eq!(
                again.setting("flavour").unwrap().as_deref(),
                Some("current thread")
            );
        });
    }
}
