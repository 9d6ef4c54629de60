//! Fetching inside the engine: one refresh, the scheduler, and adding a source by URL.
//! Each refresh is followed by language detection and grouping of what it stored.

use std::future::Future;
use std::sync::Arc;

use super::{ApiError, ApiResult, Change, Engine};
use crate::discover;
use crate::error::Code;
use crate::fetch::{Conditional, FetchConfig, Fetched, Fetcher};
use crate::model::{Feed, Lang, Ownership, Source};
use crate::refresh::{
    FeedJob, FeedOutcome, RefreshEvent, RefreshOptions, RefreshSummary, Scheduler, refresh_feeds,
    refresh_sources,
};

impl Engine {
    pub(super) fn fetcher(&self) -> ApiResult<Arc<Fetcher>> {
        if let Some(f) = self.inner.fetcher.get() {
            return Ok(f.clone());
        }
        let f = Arc::new(Fetcher::new(FetchConfig::default())?);
        Ok(self.inner.fetcher.get_or_init(|| f).clone())
    }

    /// Refresh every enabled source (or one), then detect and group what was new.
    /// `force` also fetches feeds that are backing off after failures.
    pub async fn refresh(&self, source: Option<&str>, force: bool) -> ApiResult<RefreshSummary> {
        let all = self.with_store(|s| s.sources())?;
        let sources: Vec<Source> = match source {
            Some(id) => {
                let one: Vec<Source> = all.into_iter().filter(|s| s.id == id).collect();
                if one.is_empty() {
                    return Err(ApiError::precondition(format!("no source with id {id:?}")));
                }
                one
            }
            None => all,
        };
        let options = RefreshOptions {
            respect_backoff: !(force || source.is_some()),
            ..RefreshOptions::default()
        };
        let fetcher = self.fetcher()?;
        let done = std::sync::atomic::AtomicU32::new(0);
        let total = std::sync::atomic::AtomicU32::new(0);
        let summary = refresh_sources(&self.inner.store, &fetcher, &sources, &options, |ev| {
            self.emit_refresh_event(ev, &done, &total)
        })
        .await;
        self.after_refresh(&summary).await?;
        Ok(summary)
    }

    /// Fetch these feeds (a team server's claimed jobs) and store what they hold, backoff
    /// respected. Nothing more: language, grouping and watches are the grouping server's (see
    /// `serve::pipeline`), so a worker never needs the grouping lease.
    pub async fn refresh_jobs(&self, jobs: Vec<FeedJob>) -> ApiResult<RefreshSummary> {
        let fetcher = self.fetcher()?;
        Ok(refresh_feeds(
            &self.inner.store,
            &fetcher,
            jobs,
            &RefreshOptions::default(),
            |_| {},
        )
        .await)
    }

    fn emit_refresh_event(
        &self,
        ev: RefreshEvent,
        done: &std::sync::atomic::AtomicU32,
        total: &std::sync::atomic::AtomicU32,
    ) {
        use std::sync::atomic::Ordering::Relaxed;
        match ev {
            RefreshEvent::Started { feeds } => {
                total.store(feeds as u32, Relaxed);
                self.emit(Change::FetchProgress {
                    done: 0,
                    total: feeds as u32,
                    source_id: None,
                });
            }
            RefreshEvent::Feed { job, outcome } => {
                let d = done.fetch_add(1, Relaxed) + 1;
                match outcome {
                    FeedOutcome::Failed { code, message } => self.emit(Change::SourceFailed {
                        source_id: job.source_id.clone(),
                        code,
                        message,
                    }),
                    FeedOutcome::Updated { inserted, .. } if inserted > 0 => {
                        self.emit(Change::ItemsAdded {
                            source_id: job.source_id.clone(),
                            count: inserted as u32,
                        })
                    }
                    _ => {}
                }
                self.emit(Change::FetchProgress {
                    done: d,
                    total: total.load(Relaxed),
                    source_id: Some(job.source_id),
                });
            }
            RefreshEvent::Finished => {}
        }
    }

    /// Language and grouping for what a refresh stored, off the async threads.
    async fn after_refresh(&self, summary: &RefreshSummary) -> ApiResult<()> {
        let mut ids = summary.inserted_ids();
        ids.sort_unstable();
        // Articles first, so a headline-only item is detected and grouped by its lead. A
        // failing archive write here must not keep the items from being grouped.
        if let Err(e) = self.fetch_fulltexts(&ids).await {
            tracing::warn!("full-text articles: {e}");
        }
        let engine = self.clone();
        // Then whatever another process stored and left to the lease holder (usually nothing).
        tokio::task::spawn_blocking(move || {
            engine.process_items(&ids)?;
            engine.group_pending()
        })
        .await
        .map_err(|e| ApiError::new(Code::Internal, format!("grouping task failed: {e}")))??;
        Ok(())
    }

    /// Refresh each source on its interval until `shutdown` resolves.
    pub async fn watch(&self, shutdown: impl Future<Output = ()>) -> ApiResult<()> {
        let scheduler = Scheduler::new(
            self.inner.store.clone(),
            self.fetcher()?,
            RefreshOptions::default(),
        );
        let engine = self.clone();
        scheduler
            .run(shutdown, move |summary| {
                let engine = engine.clone();
                async move {
                    let done = std::sync::atomic::AtomicU32::new(0);
                    let total = std::sync::atomic::AtomicU32::new(summary.feeds.len() as u32);
                    for f in &summary.feeds {
                        engine.emit_refresh_event(
                            RefreshEvent::Feed {
                                job: f.job.clone(),
                                outcome: f.outcome.clone(),
                            },
                            &done,
                            &total,
                        );
                    }
                    if let Err(e) = engine.after_refresh(&summary).await {
                        tracing::warn!("grouping after refresh failed: {e}");
                    }
                }
            })
            .await;
        Ok(())
    }

    /// Add a source by feed URL or by homepage URL (feed autodiscovery). The URL is fetched
    /// once to check it; an unreachable or non-feed URL is refused with the reason.
    pub async fn add_source(&self, url: &str) -> ApiResult<Source> {
        let parsed = url::Url::parse(url.trim())
            .ok()
            .filter(crate::canonical::is_web)
            .ok_or_else(|| ApiError::precondition(format!("not an http(s) URL: {url:?}")))?;
        let url = parsed.to_string();
        if let Some(owner) = self.with_store(|s| s.source_of_feed(&url))? {
            return Err(ApiError::precondition(format!(
                "{url} is already a feed of {owner}"
            )));
        }
        let fetcher = self.fetcher()?;
        let (feed_url, feed, page_url) = match try_feed(&fetcher, &url).await? {
            Probe::Feed(feed) => (url.clone(), feed, None),
            Probe::Page(page) => {
                // A homepage: follow its <link rel="alternate"> feeds, then the usual paths.
                let mut candidates: Vec<String> = discover::feed_links(&page, &url)
                    .into_iter()
                    .map(|d| d.url)
                    .collect();
                candidates.extend(discover::fallback_candidates(&url));
                let mut found = None;
                for c in candidates {
                    if let Ok(Probe::Feed(feed)) = try_feed(&fetcher, &c).await {
                        found = Some((c, feed, Some(url.clone())));
                        break;
                    }
                }
                found.ok_or_else(|| {
                    ApiError::new(
                        Code::FeedFormat,
                        format!("{url} is not a feed and no feed was found on that page"),
                    )
                })?
            }
        };
        let host = parsed
            .host_str()
            .unwrap_or("source")
            .trim_start_matches("www.");
        let name = feed
            .title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| host.to_string());
        let mut id = crate::catalog::slug_for(&feed_url);
        let base = id.clone();
        let mut n = 2;
        while self.with_store(|s| s.source(&id))?.is_some() {
            id = format!("{base}-{n}");
            n += 1;
        }
        // The feed's own <link>; else the page the user gave; else the host's root.
        let homepage = feed.homepage.clone().or(page_url).unwrap_or_else(|| {
            format!("{}://{}/", parsed.scheme(), parsed.host_str().unwrap_or(""))
        });
        let source = Source {
            id,
            name,
            homepage: Some(homepage),
            feeds: vec![Feed {
                url: feed_url,
                verified: true,
            }],
            language: feed.declared_lang.clone().unwrap_or(Lang::Und),
            country: None,
            ownership: Ownership::Unknown,
            note: None,
            enabled: true,
            refresh_secs: self.settings()?.refresh_minutes * 60,
        };
        self.with_store(|s| s.upsert_source(&source))?;
        Ok(source)
    }
}

/// What a fetched URL turned out to be.
enum Probe {
    Feed(crate::parse::ParsedFeed),
    /// Not a feed: the body, a page to search for feed links.
    Page(String),
}

/// Fetch `url` and tell a feed from a page; `Err` when it cannot be fetched at all.
async fn try_feed(fetcher: &Fetcher, url: &str) -> ApiResult<Probe> {
    let fetched = fetcher
        .fetch(url, &Conditional::default())
        .await
        .map_err(|e| ApiError::new(e.code(), format!("{url}: {e}")))?;
    let Fetched::Body(body) = fetched else {
        return Err(ApiError::new(
            Code::Network,
            format!("{url}: unexpected 304"),
        ));
    };
    match crate::parse::parse_feed(&body.text, body.base_url(), "new", chrono::Utc::now()) {
        Ok(feed) => Ok(Probe::Feed(feed)),
        Err(_) => Ok(Probe::Page(body.text)),
    }
}
