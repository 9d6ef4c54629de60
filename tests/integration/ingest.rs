//! The real fetch → parse → store pipeline against the fixture server.

use crate::ingest_fetch::test_config;
use crate::support::corpus::Corpus;
use crate::support::fixtures::{Expect, Fixture, MOVED};
use crate::support::render::{Channel, Entry, Format, render};
use crate::support::server::{Behaviour, FixtureServer, StaticFeed};
use chrono::Utc;
use parallax::error::Code;
use parallax::fetch::Fetcher;
use parallax::model::{Feed, Lang, Ownership, Source};
use parallax::refresh::{
    FeedOutcome, RefreshOptions, RefreshSummary, SharedStore, refresh_sources,
};
use parallax::store::{FetchOutcome, ItemQuery, Store};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

pub struct Bed {
    pub _dir: tempfile::TempDir,
    pub db: std::path::PathBuf,
    pub store: SharedStore,
    pub server: FixtureServer,
    pub fixtures: Vec<Fixture>,
    pub sources: Vec<Source>,
    pub fetcher: Fetcher,
}

/// A source id per fixture name (`ar-rss2-1256` → `fx-ar-rss2-1256`).
pub fn source_id(name: &str) -> String {
    format!("fx-{}", name.replace('/', "-"))
}

pub async fn bed() -> Bed {
    let (server, fixtures) = crate::ingest_fetch::serve().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.db");
    let store = crate::support::backend::open_store(&db);
    let sources: Vec<Source> = fixtures
        .iter()
        .filter(|f| f.name != MOVED)
        .map(|f| Source {
            id: source_id(&f.name),
            name: f.name.clone(),
            homepage: None,
            feeds: vec![Feed {
                url: server.url(&f.name),
                verified: true,
            }],
            language: Lang::from_tag(&f.name[..2]).unwrap_or(Lang::Und),
            country: None,
            ownership: Ownership::Unknown,
            note: None,
            enabled: true,
            refresh_secs: 900,
        })
        .collect();
    for s in &sources {
        store.upsert_source(s).unwrap();
    }
    let fetcher = Fetcher::new(test_config()).unwrap();
    Bed {
        _dir: dir,
        db,
        store: Arc::new(Mutex::new(store)),
        server,
        fixtures,
        sources,
        fetcher,
    }
}

impl Bed {
    pub async fn refresh(&self, respect_backoff: bool) -> RefreshSummary {
        let opts = RefreshOptions {
            respect_backoff,
            ..RefreshOptions::default()
        };
        refresh_sources(&self.store, &self.fetcher, &self.sources, &opts, |_| {}).await
    }

    pub fn titles(&self, name: &str) -> BTreeSet<String> {
        let q = ItemQuery {
            source: Some(source_id(name)),
            ..ItemQuery::default()
        };
        self.store
            .lock()
            .unwrap()
            .items(&q)
            .unwrap()
            .into_iter()
            .map(|s| s.item.title)
            .collect()
    }

    pub fn item_count(&self) -> i64 {
        self.store.lock().unwrap().item_count().unwrap()
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn outcomes(summary: &RefreshSummary) -> HashMap<String, FeedOutcome> {
    summary
        .feeds
        .iter()
        .map(|f| (f.job.source_id.clone(), f.outcome.clone()))
        .collect()
}

#[tokio::test]
async fn one_refresh_stores_every_feed_byte_exact_and_reports_every_failure() {
    let bed = bed().await;
    let summary = bed.refresh(true).await;
    let by_source = outcomes(&summary);
    assert_eq!(summary.feeds.len(), bed.sources.len());
    let mut failures_seen = Vec::new();
    for f in bed.fixtures.iter().filter(|f| f.name != MOVED) {
        let id = source_id(&f.name);
        let outcome = &by_source[&id];
        match &f.expect {
            Expect::Items(entries) => {
                let FeedOutcome::Updated { parsed, inserted } = outcome else {
                    panic!("{}: {outcome:?}", f.name)
                };
                // The parser may drop repeated guids itself; the store would otherwise.
                let distinct = if f.name == "duplicate-guids" {
                    entries.len() - 3
                } else {
                    entries.len()
                };
                assert!(
                    *parsed == entries.len() || *parsed == distinct,
                    "{}: {parsed}",
                    f.name
                );
                // Titles are stored as plain text with whitespace runs (NBSP included) collapsed;
                // every other code point, ZWNJ included, must survive.
                let served: BTreeSet<String> = entries.iter().map(|e| collapse(&e.title)).collect();
                let stored = bed.titles(&f.name);
                if f.name == "duplicate-guids" {
                    // Four items share one guid: the first is kept, the others are duplicates.
                    assert_eq!(*inserted, entries.len() - 3, "{}", f.name);
                    assert!(
                        stored.is_subset(&served) && stored.contains(&collapse(&entries[0].title))
                    );
                } else {
                    assert_eq!(*inserted, entries.len(), "{}", f.name);
                    // Real Arabic and Persian titles round-trip byte for byte, whatever the
                    // encoding on the wire (windows-1256, ISO-8859-6, BOM, numeric references).
                    assert_eq!(stored, served, "{}", f.name);
                }
            }
            Expect::Fails { code, says } => {
                let FeedOutcome::Failed { code: got, message } = outcome else {
                    panic!("{}: {outcome:?}", f.name)
                };
                assert_eq!(got, code, "{}: {message}", f.name);
                assert!(
                    message.contains(says),
                    "{}: {message:?} lacks {says:?}",
                    f.name
                );
                let log = bed.store.lock().unwrap().fetch_log(Some(&id), 5).unwrap();
                assert_eq!(log.len(), 1, "{}", f.name);
                assert_eq!(log[0].outcome, FetchOutcome::Error);
                assert_eq!(log[0].error_code, Some(*code));
                assert_eq!(log[0].error.as_deref(), Some(message.as_str()));
                assert!(bed.titles(&f.name).is_empty());
                failures_seen.push(f.name.clone());
            }
        }
    }
    assert!(failures_seen.len() >= 11, "{failures_seen:?}");
    assert_eq!(summary.failed(), failures_seen.len());
    assert_eq!(
        summary.inserted_ids().len() as i64,
        bed.item_count(),
        "the hook sees every stored item"
    );
}

#[tokio::test]
async fn second_refresh_is_304_and_changes_nothing() {
    let bed = bed().await;
    let first = bed.refresh(true).await;
    let count = bed.item_count();
    let second = bed.refresh(true).await;
    assert_eq!(bed.item_count(), count, "nothing new stored");
    assert!(second.inserted_ids().is_empty());
    for f in &second.feeds {
        let before = first.feeds.iter().find(|r| r.job == f.job).unwrap();
        match (&before.outcome, &f.outcome) {
            // The gzip fixture sends no validators: full body again, every item a duplicate.
            (FeedOutcome::Updated { .. }, FeedOutcome::Updated { inserted, .. }) => {
                assert!(f.job.source_id.contains("gzip"), "{:?}", f.job);
                assert_eq!(*inserted, 0);
            }
            (FeedOutcome::Updated { .. }, FeedOutcome::NotModified) => {
                let log = bed
                    .store
                    .lock()
                    .unwrap()
                    .fetch_log(Some(&f.job.source_id), 1)
                    .unwrap();
                assert_eq!(log[0].outcome, FetchOutcome::NotModified, "{:?}", f.job);
                assert_eq!(log[0].status, Some(304));
            }
            // Failing feeds back off instead of being hammered again.
            (FeedOutcome::Failed { .. }, FeedOutcome::Deferred { until }) => {
                assert!(*until > Utc::now())
            }
            other => panic!("{:?}: {other:?}", f.job),
        }
    }
    assert_eq!(bed.server.hits("fa-rss2").conditional, 1);
    assert_eq!(
        bed.server.hits("not-found").requests,
        1,
        "a failing feed is not retried before its backoff"
    );
}

#[tokio::test]
async fn forced_refresh_retries_failing_feeds_and_backoff_grows() {
    let bed = bed().await;
    bed.refresh(true).await;
    let state = |name: &str| {
        bed.store
            .lock()
            .unwrap()
            .feed_state(&bed.server.url(name))
            .unwrap()
    };
    let rl = state("rate-limited");
    let wait = rl.next_attempt_at.unwrap() - rl.last_attempt_at.unwrap();
    assert!(
        wait >= chrono::Duration::seconds(120),
        "Retry-After: 120 honoured: {wait}"
    );
    let un = state("unavailable");
    let wait = un.next_attempt_at.unwrap() - un.last_attempt_at.unwrap();
    assert!(
        wait >= chrono::Duration::minutes(110),
        "Retry-After date honoured: {wait}"
    );
    let first = state("server-error");
    bed.refresh(false).await;
    let second = state("server-error");
    assert_eq!(
        (first.consecutive_failures, second.consecutive_failures),
        (1, 2)
    );
    assert_eq!(bed.server.hits("server-error").requests, 2);
}

#[tokio::test]
async fn a_feed_that_gains_items_stores_only_the_new_ones() {
    let bed = bed().await;
    bed.refresh(true).await;
    let before = bed.titles("fa-rss2");
    let Expect::Items(mut entries) = bed.fixtures[0].expect.clone() else {
        panic!()
    };
    assert_eq!(bed.fixtures[0].name, "fa-rss2");
    let corpus = Corpus::fixtures(400);
    let fresh: Vec<Entry> = corpus.fa[300..303]
        .iter()
        .map(|it| Entry::from_raw(it, Utc::now()))
        .collect();
    entries.splice(0..0, fresh.iter().cloned());
    let ch = Channel {
        title: "NTREX Persian".into(),
        site: "https://h.example/".into(),
        lang: "fa".into(),
        xml_encoding: Some("UTF-8".into()),
        ttl_minutes: None,
    };
    bed.server.set(
        "fa-rss2",
        Behaviour::Feed(StaticFeed::new(
            render(Format::Rss2, &ch, &entries),
            "application/rss+xml",
        )),
    );
    let summary = bed.refresh(true).await;
    let report = summary
        .feeds
        .iter()
        .find(|f| f.job.source_id == "fx-fa-rss2")
        .unwrap();
    assert_eq!(
        report.outcome,
        FeedOutcome::Updated {
            parsed: 15,
            inserted: 3
        }
    );
    assert_eq!(report.inserted_ids.len(), 3);
    let after = bed.titles("fa-rss2");
    let added: BTreeSet<String> = after.difference(&before).cloned().collect();
    assert_eq!(added, fresh.iter().map(|e| collapse(&e.title)).collect());
}

/// SQLite only: another process holds the archive file's write lock (PostgreSQL has no such lock).
#[tokio::test]
async fn a_locked_database_fails_clearly_and_loses_nothing_sqlite_only() {
    let bed = bed().await;
    let only: Vec<Source> = bed
        .sources
        .iter()
        .filter(|s| s.id == "fx-ar-rss2-1256")
        .cloned()
        .collect();
    // Another process holds the write lock for the whole refresh.
    let other = rusqlite::Connection::open(&bed.db).unwrap(); // sqlite_only: the file's lock
    other
        .execute_batch(
            "BEGIN IMMEDIATE; INSERT INTO settings(key, value) VALUES ('lock-holder', '1');",
        )
        .ok();
    let opts = RefreshOptions::default();
    let summary = refresh_sources(&bed.store, &bed.fetcher, &only, &opts, |_| {}).await;
    let FeedOutcome::Failed { code, message } = &summary.feeds[0].outcome else {
        panic!("{:?}", summary.feeds[0])
    };
    assert_eq!(*code, Code::Storage);
    assert!(
        message.starts_with("store: ") && message.contains("locked"),
        "{message}"
    );
    other.execute_batch("ROLLBACK").unwrap();
    drop(other);
    // The validators were not saved, so the next refresh downloads and stores everything.
    let summary = refresh_sources(
        &bed.store,
        &bed.fetcher,
        &only,
        &RefreshOptions {
            respect_backoff: false,
            ..opts
        },
        |_| {},
    )
    .await;
    assert!(
        matches!(
            summary.feeds[0].outcome,
            FeedOutcome::Updated { inserted: 12, .. }
        ),
        "{:?}",
        summary.feeds[0]
    );
    assert_eq!(bed.server.hits("ar-rss2-1256").conditional, 0);
}

/// SQLite only: a garbage archive file.
#[test]
fn a_corrupt_database_is_reported_and_left_untouched_sqlite_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.db");
    let garbage = "هذا ليس قاعدة بيانات".repeat(400);
    std::fs::write(&path, &garbage).unwrap();
    let opened = Store::open(&path); // sqlite_only: the garbage file above
    let Err(e) = opened else {
        panic!("garbage opened as a database")
    };
    assert_eq!(e.code(), Code::Storage);
    assert!(
        e.to_string().contains("not a readable Parallax database"),
        "{e}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), garbage);
}

#[tokio::test]
async fn odd_dates_never_land_in_the_future_and_bare_items_get_stable_guids() {
    let bed = bed().await;
    let before = Utc::now();
    bed.refresh(true).await;
    let items = |name: &str| {
        let q = ItemQuery {
            source: Some(source_id(name)),
            ..ItemQuery::default()
        };
        bed.store.lock().unwrap().items(&q).unwrap()
    };
    let future = items("future-dates");
    assert_eq!(future.len(), 12);
    assert!(
        future.iter().all(|s| s.item.published <= Utc::now()),
        "2099 dates are clamped"
    );
    let local = items("local-dates");
    assert_eq!(local.len(), 12);
    assert!(
        local
            .iter()
            .all(|s| s.item.published <= Utc::now() && s.item.published.timestamp() > 0)
    );
    let bare = items("no-guid-no-link");
    assert_eq!(bare.len(), 12);
    assert!(
        bare.iter()
            .all(|s| s.item.url.is_none() && !s.item.guid.is_empty())
    );
    let guids: BTreeSet<_> = bare.iter().map(|s| s.item.guid.clone()).collect();
    assert_eq!(guids.len(), 12, "synthetic guids are distinct");
    // Re-ingesting the same bare feed finds them all again by those guids.
    // Served again without validators (so no 304), the same bare feed adds nothing.
    let Behaviour::Feed(feed) = bed
        .fixtures
        .iter()
        .find(|f| f.name == "no-guid-no-link")
        .unwrap()
        .behaviour
        .clone()
    else {
        panic!()
    };
    bed.server.set(
        "no-guid-no-link",
        Behaviour::Feed(feed.without_validators()),
    );
    let again = bed.refresh(false).await;
    let report = again
        .feeds
        .iter()
        .find(|f| f.job.source_id == source_id("no-guid-no-link"))
        .unwrap();
    assert_eq!(
        report.outcome,
        FeedOutcome::Updated {
            parsed: 12,
            inserted: 0
        }
    );
    assert!(
        bed.store
            .lock()
            .unwrap()
            .fetch_log(None, 1000)
            .unwrap()
            .iter()
            .all(|e| e.started_at >= before - chrono::Duration::seconds(1))
    );
}

#[tokio::test]
async fn scheduler_repeats_on_interval_never_below_ttl_and_stops_on_signal() {
    let bed = bed().await;
    // ar-rss2 every second; fa-rss2 also asks for every second but its feed says <ttl>45</ttl>;
    // not-found fails and backs off for minutes.
    // A store of its own: user settings are clamped to a minute, catalog rows are not.
    let dir = tempfile::tempdir().unwrap();
    let own = crate::support::backend::open_store(&dir.path().join("s.db"));
    for src in &bed.sources {
        if let Some(enabled) = match src.id.as_str() {
            "fx-ar-rss2" | "fx-fa-rss2" | "fx-not-found" => Some(true),
            "fx-en-rdf" => Some(false),
            _ => None,
        } {
            own.upsert_source(&Source {
                enabled,
                refresh_secs: 1,
                ..src.clone()
            })
            .unwrap();
        }
    }
    let store = Arc::new(Mutex::new(own));
    let fetcher = Arc::new(Fetcher::new(test_config()).unwrap());
    let scheduler = parallax::refresh::Scheduler::new(store, fetcher, RefreshOptions::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let passes = Arc::new(Mutex::new(Vec::new()));
    let seen = passes.clone();
    let task = tokio::spawn(scheduler.run(
        async {
            let _ = stopped.await;
        },
        move |summary| {
            seen.lock().unwrap().push(summary);
            async {}
        },
    ));
    tokio::time::sleep(std::time::Duration::from_millis(4500)).await;
    stop.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(5), task)
        .await
        .expect("stops on signal")
        .unwrap();
    let passes = passes.lock().unwrap();
    assert!(
        passes.len() >= 2,
        "{} passes: {passes:?} ar={:?}",
        passes.len(),
        bed.server.hits("ar-rss2")
    );
    assert!(
        bed.server.hits("ar-rss2").requests >= 3,
        "{:?}",
        bed.server.hits("ar-rss2")
    );
    assert!(bed.server.hits("ar-rss2").not_modified >= 2);
    assert_eq!(
        bed.server.hits("fa-rss2").requests,
        1,
        "TTL 45 min holds it back"
    );
    assert_eq!(
        bed.server.hits("not-found").requests,
        1,
        "backoff holds it back"
    );
    assert_eq!(
        bed.server.hits("en-rdf").requests,
        0,
        "disabled sources are not fetched"
    );
    assert_eq!(passes[0].items_new(), 24);
}
