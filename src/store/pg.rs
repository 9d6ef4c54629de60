//! The PostgreSQL back end (team mode): the same archive in one shared database.
//!
//! The `postgres` crate (the blocking client over tokio-postgres) fits the engine, whose store
//! calls are synchronous and already run on blocking threads in async code: the same call shape
//! as rusqlite, no second runtime to bridge. Its one rule: it may not run on an async runtime's
//! thread (it drives its own runtime, and tokio forbids a runtime inside another). `off_runtime`
//! makes every call safe wherever it comes from: the refresh and the server call the store from
//! async code, as they always did for SQLite.
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

use std::cell::{RefCell, RefMut};

use postgres::{Client, NoTls};

pub use events::FeedChange;
#[cfg(feature = "eval")]
pub(crate) use items::lexemes;

use super::{Result, StoreError};

pub(crate) struct PgStore {
    /// Always `Some` until dropped (taken out so it can be closed off the runtime).
    client: RefCell<Option<Client>>,
}

/// Run `f`, a blocking PostgreSQL call, where blocking is allowed. On a multi-threaded tokio
/// runtime's worker (or inside its `block_on`), `block_in_place` hands that thread's other tasks
/// to another worker and leaves the runtime context for the call, so the client's own runtime may
/// start; on a blocking-pool thread or outside tokio it is a plain call. (A current-thread runtime
/// cannot lend its only thread: the engine never calls the store from one.)
pub(crate) fn off_runtime<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

impl Drop for PgStore {
    /// Closing the connection talks to the server: off the runtime too.
    fn drop(&mut self) {
        if let Some(client) = self.client.get_mut().take() {
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
            client: RefCell::new(Some(client)),
        })
    }

    /// The connection, for one call (calls never nest, so the borrow is always free).
    fn db(&self) -> RefMut<'_, Client> {
        RefMut::map(self.client.borrow_mut(), |c| {
            c.as_mut()
                .expect("the connection is only taken out when the store is dropped")
        })
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
