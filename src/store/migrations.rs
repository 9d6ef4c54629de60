//! Versioned schema migrations (append only: never edit a released step).

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use super::{Result, StoreError};

const V1: &str = r#"
CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    homepage TEXT,
    language TEXT NOT NULL,
    country TEXT,
    ownership TEXT NOT NULL,
    note TEXT,
    enabled INTEGER NOT NULL DEFAULT 1,
    refresh_secs INTEGER NOT NULL DEFAULT 900,
    origin TEXT NOT NULL DEFAULT 'user',
    added_at TEXT NOT NULL
);
CREATE TABLE feeds (
    url TEXT PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    verified INTEGER NOT NULL DEFAULT 1,
    position INTEGER NOT NULL DEFAULT 0,
    etag TEXT,
    last_modified TEXT,
    ttl_minutes INTEGER,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_attempt_at TEXT,
    last_success_at TEXT
);
CREATE INDEX feeds_source ON feeds(source_id);
CREATE TABLE fetch_log (
    id INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL,
    feed_url TEXT NOT NULL,
    started_at TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    status INTEGER,
    bytes INTEGER NOT NULL,
    items_new INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    error_code TEXT,
    error TEXT
);
CREATE INDEX fetch_log_source ON fetch_log(source_id, started_at);
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL,
    guid TEXT NOT NULL,
    url TEXT,
    title TEXT NOT NULL,
    summary_html TEXT NOT NULL,
    summary_text TEXT NOT NULL,
    author TEXT,
    published TEXT NOT NULL,
    time_source TEXT NOT NULL,
    categories TEXT NOT NULL,
    media TEXT NOT NULL,
    declared_lang TEXT,
    content_hash TEXT NOT NULL,
    lang TEXT,
    lang_confidence REAL,
    fetched_at TEXT NOT NULL,
    UNIQUE(source_id, guid)
);
CREATE INDEX items_url ON items(url) WHERE url IS NOT NULL;
CREATE INDEX items_hash ON items(source_id, content_hash);
CREATE INDEX items_published ON items(published);
CREATE INDEX items_lang ON items(lang, published);
-- Folded text (normalize::fold): Arabic-letter queries find Persian spellings and back.
CREATE VIRTUAL TABLE items_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 0');
CREATE TABLE embeddings (
    item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE TABLE stories (
    id INTEGER PRIMARY KEY,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    item_count INTEGER NOT NULL,
    outlet_count INTEGER NOT NULL,
    languages TEXT NOT NULL,
    lang_count INTEGER NOT NULL,
    first_source_id TEXT,
    first_item_id INTEGER,
    headlines TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX stories_last_seen ON stories(last_seen);
CREATE TABLE story_items (
    item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    story_id INTEGER NOT NULL,
    score REAL,
    explanation TEXT,
    pinned INTEGER NOT NULL DEFAULT 0,
    assigned_at TEXT NOT NULL
);
CREATE INDEX story_items_story ON story_items(story_id);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#;

/// Indexes for large archives (100k items): per-outlet counts and story filters read an index
/// instead of every item row, and the ranked story list sorts a covering index, not the table.
const V2: &str = r#"
CREATE INDEX items_source_published ON items(source_id, published);
CREATE INDEX stories_rank ON stories(item_count, last_seen, outlet_count, lang_count, languages, first_seen);
"#;

/// Watches, the user's alias list and alerts (one per watch and story; `alert_items` records
/// every item that matched, so re-processing an item never counts it twice).
const V3: &str = r#"
CREATE TABLE watches (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    rule TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE aliases (
    id INTEGER PRIMARY KEY,
    spellings TEXT NOT NULL
);
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    watch_id INTEGER NOT NULL REFERENCES watches(id) ON DELETE CASCADE,
    story_id INTEGER NOT NULL,
    first_item_id INTEGER NOT NULL,
    last_item_id INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    delivered_at TEXT,
    UNIQUE(watch_id, story_id)
);
CREATE INDEX alerts_created ON alerts(created_at);
CREATE INDEX alerts_undelivered ON alerts(due_at) WHERE delivered_at IS NULL;
CREATE TABLE alert_items (
    alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL,
    PRIMARY KEY(alert_id, item_id)
) WITHOUT ROWID;
"#;

/// The grouping lease: one row naming the process that groups this archive (see store::lease).
const V4: &str = r#"
CREATE TABLE grouping_lease (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    holder TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
);
"#;

/// Carry tracing and framing: per-story analyses (stale when the story's members change) and
/// the sentence-embedding cache they use.
const V5: &str = r#"
CREATE TABLE sentence_vectors (
    key BLOB PRIMARY KEY,
    vector BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE story_analysis (
    story_id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    body TEXT NOT NULL
);
"#;

/// Full-text articles: a per-source mode (NULL: automatic, on for headline-only feeds) and one
/// row per item whose article page was tried (the text, or why there is none).
const V6: &str = r#"
ALTER TABLE sources ADD COLUMN fulltext TEXT CHECK (fulltext IN ('on', 'off'));
CREATE TABLE item_fulltext (
    item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    text TEXT,
    lead TEXT,
    error_code TEXT,
    error TEXT,
    bytes INTEGER NOT NULL DEFAULT 0,
    etag TEXT,
    last_modified TEXT,
    CHECK ((text IS NULL) <> (error IS NULL))
);
"#;

/// Team users (API tokens stored as SHA-256; see store::users).
const V7: &str = r#"
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
"#;

/// Which alerts the user has looked at, kept in the archive (not in one app's storage) so the
/// CLI and every app on the archive agree on what is new.
const V8: &str = r#"
ALTER TABLE alerts ADD COLUMN seen_at TEXT;
CREATE INDEX alerts_unseen ON alerts(created_at) WHERE seen_at IS NULL;
"#;

/// Routine series (horoscopes, weather, market closes): flagged per item by the grouper, per
/// story by majority, and kept out of the ranked list (see cluster::routine).
const V9: &str = r#"
ALTER TABLE story_items ADD COLUMN routine INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN routine INTEGER NOT NULL DEFAULT 0;
DROP INDEX stories_rank;
CREATE INDEX stories_rank ON stories(item_count, last_seen, outlet_count, lang_count, languages, first_seen, routine);
"#;

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1),
        M::up(V2),
        M::up(V3),
        M::up(V4),
        M::up(V5),
        M::up(V6),
        M::up(V7),
        M::up(V8),
        M::up(V9),
    ])
}

pub(super) fn apply(conn: &mut Connection) -> Result<()> {
    migrations().to_latest(conn).map_err(|e| match e {
        rusqlite_migration::Error::RusqliteError { err, .. } => StoreError::Sqlite(err),
        other => StoreError::Migration(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }
}
