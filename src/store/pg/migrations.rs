//! Versioned schema migrations for PostgreSQL (append only: never edit a released step). Step 1
//! is SQLite's steps 1–5 at once; later steps follow both back ends' changes.

use postgres::Client;

use super::super::{Result, StoreError};

const V1: &str = r#"
CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    homepage TEXT,
    language TEXT NOT NULL,
    country TEXT,
    ownership TEXT NOT NULL,
    note TEXT,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    refresh_secs BIGINT NOT NULL DEFAULT 900,
    origin TEXT NOT NULL DEFAULT 'user',
    added_at TEXT NOT NULL
);
CREATE TABLE feeds (
    url TEXT PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    verified BOOLEAN NOT NULL DEFAULT TRUE,
    position BIGINT NOT NULL DEFAULT 0,
    etag TEXT,
    last_modified TEXT,
    ttl_minutes BIGINT,
    consecutive_failures BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_attempt_at TEXT,
    last_success_at TEXT
);
CREATE INDEX feeds_source ON feeds(source_id);
CREATE TABLE fetch_log (
    id BIGSERIAL PRIMARY KEY,
    source_id TEXT NOT NULL,
    feed_url TEXT NOT NULL,
    started_at TEXT NOT NULL,
    duration_ms BIGINT NOT NULL,
    status BIGINT,
    bytes BIGINT NOT NULL,
    items_new BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    error_code TEXT,
    error TEXT
);
CREATE INDEX fetch_log_source ON fetch_log(source_id, started_at);
CREATE TABLE items (
    id BIGSERIAL PRIMARY KEY,
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
    lang_confidence DOUBLE PRECISION,
    fetched_at TEXT NOT NULL,
    -- Parallax's fold, tokenised in Rust: title tokens weigh A, body tokens B.
    search tsvector NOT NULL,
    UNIQUE(source_id, guid)
);
CREATE INDEX items_url ON items(url) WHERE url IS NOT NULL;
CREATE INDEX items_hash ON items(source_id, content_hash);
CREATE INDEX items_published ON items(published);
CREATE INDEX items_lang ON items(lang, published);
CREATE INDEX items_source_published ON items(source_id, published);
CREATE INDEX items_search ON items USING GIN (search);
CREATE TABLE embeddings (
    item_id BIGINT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    vector BYTEA NOT NULL
);
CREATE TABLE stories (
    id BIGINT PRIMARY KEY,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    item_count BIGINT NOT NULL,
    outlet_count BIGINT NOT NULL,
    languages TEXT NOT NULL,
    lang_count BIGINT NOT NULL,
    first_source_id TEXT,
    first_item_id BIGINT,
    headlines TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX stories_last_seen ON stories(last_seen);
CREATE INDEX stories_rank ON stories(item_count, last_seen, outlet_count, lang_count, languages, first_seen);
CREATE TABLE story_items (
    item_id BIGINT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    story_id BIGINT NOT NULL,
    score DOUBLE PRECISION,
    explanation TEXT,
    pinned BOOLEAN NOT NULL DEFAULT FALSE,
    assigned_at TEXT NOT NULL
);
CREATE INDEX story_items_story ON story_items(story_id);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE watches (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    rule TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE aliases (
    id BIGSERIAL PRIMARY KEY,
    spellings TEXT NOT NULL
);
CREATE TABLE alerts (
    id BIGSERIAL PRIMARY KEY,
    watch_id BIGINT NOT NULL REFERENCES watches(id) ON DELETE CASCADE,
    story_id BIGINT NOT NULL,
    first_item_id BIGINT NOT NULL,
    last_item_id BIGINT NOT NULL,
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
    alert_id BIGINT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    item_id BIGINT NOT NULL,
    PRIMARY KEY(alert_id, item_id)
);
CREATE TABLE grouping_lease (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    holder TEXT NOT NULL,
    pid BIGINT NOT NULL,
    host TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
);
CREATE TABLE sentence_vectors (
    key BYTEA PRIMARY KEY,
    vector BYTEA NOT NULL
);
CREATE TABLE story_analysis (
    story_id BIGINT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    body TEXT NOT NULL
);
"#;

/// Team users (API tokens stored as SHA-256; see store::users).
const V2: &str = r#"
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
"#;

/// Team server: the fetch job table the workers claim from (`store::pg::jobs`), the change feed
/// the server's event stream reads (`store::pg::events`), and who made each correction or watch.
const V3: &str = r#"
CREATE TABLE fetch_jobs (
    feed_url TEXT PRIMARY KEY REFERENCES feeds(url) ON DELETE CASCADE,
    source_id TEXT NOT NULL,
    due_at TIMESTAMPTZ NOT NULL,
    claimed_by TEXT,
    claimed_until TIMESTAMPTZ,
    attempts BIGINT NOT NULL DEFAULT 0,
    done BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX fetch_jobs_due ON fetch_jobs(due_at);
-- Every feed has its job, due at once when the feed is new; a removed feed's job goes with it.
INSERT INTO fetch_jobs(feed_url, source_id, due_at) SELECT url, source_id, now() FROM feeds;
CREATE FUNCTION parallax_feed_job() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
    INSERT INTO fetch_jobs(feed_url, source_id, due_at) VALUES (NEW.url, NEW.source_id, now())
    ON CONFLICT (feed_url) DO UPDATE SET source_id = EXCLUDED.source_id;
    RETURN NULL;
END $f$;
CREATE TRIGGER feed_job AFTER INSERT OR UPDATE OF source_id ON feeds
    FOR EACH ROW EXECUTE FUNCTION parallax_feed_job();

-- One row per change worth telling a client, written by statement-level triggers in the
-- writing transaction: whichever process wrote (a worker, the grouping server, a CLI), every
-- server's event stream sees it. `tx` is the writer's transaction id: a reader takes the rows of
-- transactions that finished between two snapshots, so none is skipped or sent twice whatever
-- order concurrent writers commit in.
CREATE TABLE change_feed (
    id BIGSERIAL PRIMARY KEY,
    tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
    at TIMESTAMPTZ NOT NULL DEFAULT now(),
    kind TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX change_feed_tx ON change_feed(tx);

CREATE FUNCTION parallax_items_added() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
    INSERT INTO change_feed(kind, body)
    SELECT 'items_added', json_build_object('source_id', source_id, 'count', count(*), 'max_id', max(id))::text
    FROM new_rows GROUP BY source_id;
    RETURN NULL;
END $f$;
CREATE TRIGGER items_added AFTER INSERT ON items
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION parallax_items_added();

CREATE FUNCTION parallax_stories_changed() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
    INSERT INTO change_feed(kind, body)
    SELECT 'stories_updated', json_build_object('ids', json_agg(DISTINCT id))::text
    FROM new_rows HAVING count(*) > 0;
    RETURN NULL;
END $f$;
CREATE TRIGGER stories_inserted AFTER INSERT ON stories
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION parallax_stories_changed();
CREATE TRIGGER stories_updated AFTER UPDATE ON stories
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION parallax_stories_changed();

CREATE FUNCTION parallax_alerts_changed() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
    INSERT INTO change_feed(kind, body)
    SELECT 'alerts', json_build_object('ids', json_agg(DISTINCT id))::text
    FROM new_rows WHERE delivered_at IS NULL HAVING count(*) > 0;
    RETURN NULL;
END $f$;
CREATE TRIGGER alerts_inserted AFTER INSERT ON alerts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION parallax_alerts_changed();
CREATE TRIGGER alerts_updated AFTER UPDATE ON alerts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION parallax_alerts_changed();

CREATE FUNCTION parallax_fetch_logged() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
    INSERT INTO change_feed(kind, body)
    SELECT 'source_health', json_build_object('source_id', source_id, 'feed_url', feed_url,
        'outcome', outcome, 'status', status, 'error_code', error_code, 'error', error,
        'items_new', items_new, 'at', started_at)::text
    FROM new_rows n
    -- Failures, and the first success after one: a change of health, not every fetch.
    WHERE n.outcome = 'error' OR (SELECT p.outcome FROM fetch_log p
        WHERE p.feed_url = n.feed_url AND p.id < n.id ORDER BY p.id DESC LIMIT 1) = 'error';
    RETURN NULL;
END $f$;
CREATE INDEX fetch_log_feed ON fetch_log(feed_url, id);
CREATE TRIGGER fetch_logged AFTER INSERT ON fetch_log
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION parallax_fetch_logged();

-- Who did what on the server: corrections and watch changes, by user name.
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL DEFAULT now(),
    user_name TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_user ON audit_log(user_name, at);
ALTER TABLE watches ADD COLUMN created_by TEXT;
"#;

/// Which alerts the user has looked at (as SQLite's V8).
const V4: &str = r#"
ALTER TABLE alerts ADD COLUMN seen_at TEXT;
CREATE INDEX alerts_unseen ON alerts(created_at) WHERE seen_at IS NULL;
"#;

/// Routine series, as SQLite's V9.
const V5: &str = r#"
ALTER TABLE story_items ADD COLUMN routine BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE stories ADD COLUMN routine BOOLEAN NOT NULL DEFAULT FALSE;
DROP INDEX stories_rank;
CREATE INDEX stories_rank ON stories(item_count, last_seen, outlet_count, lang_count, languages, first_seen, routine);
"#;

/// Full-text articles, as SQLite's V6: a per-source mode (NULL: automatic, on for headline-only
/// feeds) and one row per item whose article page was tried (the text, or why there is none).
const V6: &str = r#"
ALTER TABLE sources ADD COLUMN fulltext TEXT CHECK (fulltext IN ('on', 'off'));
CREATE TABLE item_fulltext (
    item_id BIGINT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    text TEXT,
    lead TEXT,
    error_code TEXT,
    error TEXT,
    bytes BIGINT NOT NULL DEFAULT 0,
    etag TEXT,
    last_modified TEXT,
    CHECK ((text IS NULL) <> (error IS NULL))
);
"#;

const STEPS: &[&str] = &[V1, V2, V3, V4, V5, V6];

/// An arbitrary constant key for the advisory lock that serialises migrations across processes.
const MIGRATION_LOCK: i64 = 0x5041_5241_4c58; // "PARALX"

/// Apply the steps not applied yet, in one transaction, under an advisory lock so two servers
/// starting at once do not both migrate.
pub(super) fn apply(client: &mut Client) -> Result<()> {
    let fail = |e: postgres::Error| StoreError::Migration(e.to_string());
    let mut tx = client.transaction().map_err(fail)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(fail)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS parallax_schema (version BIGINT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .map_err(fail)?;
    let done: i64 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM parallax_schema", &[])
        .map_err(fail)?
        .get(0);
    if done > STEPS.len() as i64 {
        return Err(StoreError::Migration(format!(
            "the database has schema version {done}, newer than this Parallax knows ({}): upgrade Parallax",
            STEPS.len()
        )));
    }
    for (i, step) in STEPS.iter().enumerate().skip(done as usize) {
        tx.batch_execute(step).map_err(fail)?;
        tx.execute(
            "INSERT INTO parallax_schema(version, applied_at) VALUES ($1, $2)",
            &[&(i as i64 + 1), &super::super::ts(&chrono::Utc::now())],
        )
        .map_err(fail)?;
    }
    tx.commit().map_err(fail)
}
