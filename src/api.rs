//! The engine's public surface: the CLI and the Tauri shell call only this.
//!
//! `Engine` is a cheap, cloneable handle. Its methods are synchronous (SQLite is); async callers
//! run them on a blocking thread. Long jobs report through `Change` events, never by polling.

mod archive;
#[cfg(feature = "eval")]
mod bench;
#[cfg(feature = "eval")]
mod bench_scale;
mod carry;
mod carry_prepare;
mod catalog;
mod demo;
mod dto;
mod export;
mod fulltext;
mod lease;
mod model_install;
mod pipeline;
mod refresh;
mod related;
mod search;
mod settings;
mod sources;
mod stories;
mod users;
mod watch;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use serde::Serialize;
use tokio::sync::broadcast;

pub use crate::store::{Role, TeamUser};
pub use archive::ArchiveCounts;
#[cfg(feature = "eval")]
pub use bench::{BENCH_QUERIES, BenchCorpus, Timing, bench_corpus};
#[cfg(feature = "eval")]
pub use bench_scale::{
    ScaleBase, ScaleProbe, ScaleTiming, copy_archive, extend_sqlite, load_postgres, postgres_size,
    read_scale_base,
};
pub use carry::{
    CarryItem, CarryLink, OutletFramingView, StoryCarry, StoryFraming, describe as describe_carry,
    fmt_lag,
};
pub use demo::{DEMO_ATTRIBUTION, DemoReport};
pub use dto::*;
pub use export::{Attribution, ExportFormat, StoryExport};
pub use fulltext::{
    ArticleBrief, ArticleState, ArticleStatus, ArticleView, FulltextSummary, ItemDetail,
    SourceFulltext,
};
pub use related::{RelatedStories, RelatedStory};
pub use settings::Settings;
pub use watch::{AlertView, AliasGroup, NewWatch, SeenReport, WatchAdded};

use crate::error::Code;
use crate::store::{Store, StoreError};

/// An engine error as it crosses IPC: a stable code the UI branches on and a human message.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS, thiserror::Error)]
#[ts(export)]
#[error("{message}")]
pub struct ApiError {
    pub code: Code,
    pub message: String,
}

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }
    pub fn precondition(message: impl Into<String>) -> Self {
        Self::new(Code::Precondition, message)
    }
}

/// Every stage error carries its IPC code: `?` turns it into an `ApiError`.
macro_rules! api_error_from {
    ($($error:ty),* $(,)?) => {$(
        impl From<$error> for ApiError {
            fn from(e: $error) -> Self {
                ApiError::new(e.code(), e.to_string())
            }
        }
    )*};
}

api_error_from!(
    StoreError,
    crate::embed::EmbedError,
    crate::fetch::FetchError,
    crate::catalog::CatalogError,
    crate::opml::OpmlError,
    crate::parse::ParseError,
);

pub type ApiResult<T> = Result<T, ApiError>;

/// Something the UI should know about, emitted as it happens.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    ItemsAdded {
        source_id: String,
        count: u32,
    },
    StoriesUpdated {
        ids: Vec<i64>,
    },
    FetchProgress {
        done: u32,
        total: u32,
        source_id: Option<String>,
    },
    SourceFailed {
        source_id: String,
        code: Code,
        message: String,
    },
    /// Watches raised these alerts (new ones only; an alert is raised once per story).
    AlertsRaised {
        ids: Vec<i64>,
    },
    /// A long task (grouping an archive, installing the model, loading the demo) advanced.
    Task {
        task: String,
        done: u64,
        total: u64,
        message: String,
    },
}

#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub db_path: PathBuf,
    /// Explicit model path; `None` uses `PARALLAX_MODEL` or the default install location.
    pub model_path: Option<PathBuf>,
    /// Offer the bundled catalog's outlets when a new, empty archive is opened.
    pub seed_catalog: bool,
    /// Team mode: the archive is this PostgreSQL database (a libpq URL or key=value string)
    /// instead of the SQLite file at `db_path`, which then only places local files (the
    /// lexicon) beside it.
    pub postgres: Option<String>,
}

impl EngineConfig {
    pub fn new(db_path: PathBuf) -> Self {
        EngineConfig {
            db_path,
            model_path: None,
            seed_catalog: true,
            postgres: None,
        }
    }
}

impl EngineConfig {
    /// `<platform data dir>/parallax/archive.db`, unless `PARALLAX_DB` says otherwise.
    pub fn default_db_path() -> PathBuf {
        if let Some(p) = std::env::var_os("PARALLAX_DB") {
            return PathBuf::from(p);
        }
        data_dir().join("archive.db")
    }
}

pub use crate::paths::data_dir;

#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    store: crate::refresh::SharedStore,
    fetcher: OnceLock<Arc<crate::fetch::Fetcher>>,
    /// robots.txt per origin, for article pages.
    robots: crate::fulltext::RobotsCache,
    pipeline: pipeline::Pipeline,
    events: broadcast::Sender<Change>,
    config: EngineConfig,
    lease_holder: crate::store::LeaseHolder,
    /// The archive's `data_version` when last polled (0: never).
    data_version: std::sync::atomic::AtomicI64,
}

impl Drop for Inner {
    /// Hand the grouping lease back so another process can group at once.
    fn drop(&mut self) {
        self.pipeline.prepare.close();
        let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = store.release_lease(&self.lease_holder) {
            tracing::warn!("releasing the grouping lease: {e}");
        }
    }
}

impl Engine {
    pub fn open(config: EngineConfig) -> ApiResult<Engine> {
        let store = match &config.postgres {
            Some(url) => Store::connect_postgres(url)?,
            None => Store::open(&config.db_path)?,
        };
        let (events, _) = broadcast::channel(1024);
        let seed = config.seed_catalog;
        let engine = Engine {
            inner: Arc::new(Inner {
                store: Arc::new(Mutex::new(store)),
                fetcher: OnceLock::new(),
                robots: crate::fulltext::RobotsCache::new(),
                pipeline: pipeline::Pipeline::default(),
                events,
                config,
                lease_holder: lease::new_holder(),
                data_version: std::sync::atomic::AtomicI64::new(0),
            }),
        };
        if seed && engine.is_first_run()? {
            engine.seed_catalog()?;
        }
        Ok(engine)
    }

    pub fn db_path(&self) -> &Path {
        &self.inner.config.db_path
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// Subscribe to engine events.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.inner.events.subscribe()
    }

    pub(crate) fn emit(&self, c: Change) {
        // Every change to stories (grouping, a correction) passes here.
        if let Change::StoriesUpdated { ids } = &c {
            self.queue_analyses(ids);
        }
        // No subscriber is fine: the CLI does not listen.
        let _ = self.inner.events.send(c);
    }

    /// Run `f` with the store. A panic elsewhere never poisons the archive for good: the lock is
    /// recovered because every write is a transaction that either committed or rolled back.
    pub(crate) fn with_store<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError>,
    ) -> ApiResult<T> {
        let guard: MutexGuard<'_, Store> =
            self.inner.store.lock().unwrap_or_else(|p| p.into_inner());
        Ok(f(&guard)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Feed, Item, Lang, Ownership, Source, TimeSource};
    use crate::store::{StoryAssignment, StoryFilter};

    fn engine() -> (tempfile::TempDir, Engine) {
        let dir = tempfile::tempdir().unwrap();
        let e = Engine::open(EngineConfig {
            seed_catalog: false,
            ..EngineConfig::new(dir.path().join("a.db"))
        })
        .unwrap();
        (dir, e)
    }

    fn src(id: &str, name: &str, lang: Lang) -> Source {
        Source {
            id: id.into(),
            name: name.into(),
            homepage: None,
            feeds: vec![Feed {
                url: format!("http://127.0.0.1:9/{id}"),
                verified: true,
            }],
            language: lang,
            country: None,
            ownership: Ownership::State,
            note: None,
            enabled: true,
            refresh_secs: 900,
        }
    }

    fn item(source: &str, guid: &str, title: &str, minutes: i64) -> Item {
        Item {
            source_id: source.into(),
            guid: guid.into(),
            url: None,
            title: title.into(),
            summary_html: String::new(),
            summary_text: String::new(),
            author: None,
            published: chrono::DateTime::parse_from_rfc3339("2020-01-03T01:00:00Z")
                .unwrap()
                .with_timezone(&chrono::Utc)
                + chrono::Duration::minutes(minutes),
            time_source: TimeSource::Published,
            categories: vec![],
            media: vec![],
            declared_lang: None,
            content_hash: format!("{source}{guid}"),
        }
    }

    #[test]
    fn story_detail_orders_items_and_measures_lags() {
        let (_d, e) = engine();
        let ids = e
            .with_store(|s| {
                s.upsert_source(&src("almayadeen", "Al Mayadeen", Lang::Ar))?;
                s.upsert_source(&src("irna", "IRNA", Lang::Fa))?;
                let ids = s
                    .insert_items(&[
                        item("irna", "1", "سردار سلیمانی به شهادت رسید", 190),
                        item("almayadeen", "2", "استشهاد اللواء قاسم سليماني", 0),
                    ])?
                    .inserted;
                s.set_languages(&[(ids[0], Lang::Fa, 0.99), (ids[1], Lang::Ar, 0.99)])?;
                s.assign(
                    &ids.iter()
                        .map(|&i| StoryAssignment {
                            item_id: i,
                            story_id: 7,
                            score: Some(0.9),
                            explanation: None,
                            pinned: false,
                            routine: false,
                        })
                        .collect::<Vec<_>>(),
                )?;
                Ok(ids)
            })
            .unwrap();
        let d = e.get_story(7).unwrap();
        assert_eq!(d.items[0].id, ids[1]);
        assert_eq!(d.propagation[1].source.name, "IRNA");
        assert_eq!(d.propagation[1].lag_secs, 190 * 60);
        assert_eq!(d.summary.first_source.as_ref().unwrap().name, "Al Mayadeen");
        let list = e
            .list_stories(&StoryFilter {
                cross_lingual_only: true,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(list.len(), 1);
        let err = e.get_story(99).unwrap_err();
        assert_eq!(err.code, Code::Precondition);
    }

    #[test]
    fn catalog_is_seeded_once_and_removals_stick() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.db");
        let e = Engine::open(EngineConfig::new(p.clone())).unwrap();
        let n = e.list_sources().unwrap().len();
        assert!(n >= 45, "{n}");
        e.remove_source("irna").unwrap();
        drop(e);
        let e = Engine::open(EngineConfig::new(p)).unwrap();
        assert_eq!(e.list_sources().unwrap().len(), n - 1);
        // OPML round trip through the archive: everything is already known, nothing duplicated.
        let opml = e.export_opml().unwrap();
        let r = e.import_opml(&opml).unwrap();
        assert!(r.added.is_empty());
        assert_eq!(r.skipped.len(), n - 1);
    }

    #[test]
    fn settings_are_validated_and_persisted() {
        let (_d, e) = engine();
        assert_eq!(e.settings().unwrap(), Settings::default());
        let mut s = Settings {
            grouping_window_hours: 48,
            ..Default::default()
        };
        e.update_settings(&s).unwrap();
        assert_eq!(e.settings().unwrap().grouping_window_hours, 48);
        s.languages.clear();
        assert_eq!(e.update_settings(&s).unwrap_err().code, Code::Precondition);
    }
}
