//! Full-text articles in the engine: fetched after each refresh for the sources that want them
//! (before grouping, so a headline-only item is grouped and found by its article's lead), shown
//! with the item, refetched on demand, and switched per source.

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use super::{ApiError, ApiResult, Change, Engine};
use crate::error::Code;
use crate::fetch::{Conditional, FetchConfig, Fetcher};
use crate::fulltext::{self, FulltextMode, Outcome};
use crate::model::Lang;
use crate::store::{FulltextState, StoredFulltext, StoredItem};

/// Article pages fetched at once by one refresh (the fetcher's per-origin cap applies too).
const CONCURRENCY: usize = 8;

/// An item with its article text (or the reason it has none).
#[derive(Debug, Clone, Serialize)]
pub struct ItemDetail {
    #[serde(flatten)]
    pub item: StoredItem,
    pub fulltext: Option<StoredFulltext>,
}

/// What one round of article fetches did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FulltextSummary {
    pub fetched: usize,
    pub unchanged: usize,
    pub failed: usize,
}

/// A source's full-text mode and what it resolves to now.
#[derive(Debug, Clone, Serialize)]
pub struct SourceFulltext {
    pub source_id: String,
    pub mode: FulltextMode,
    /// Whether its new items get their article fetched (`auto` resolved from its items).
    pub enabled: bool,
}

/// An item's article as the app's reading view shows it. The text is plain text (paragraphs
/// separated by blank lines, no markup): the view renders it as text, never as HTML.
/// Deserialised too: the app reads it from a team server (`parallax::remote`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ArticleView {
    pub item_id: i64,
    pub lang: Lang,
    /// The item's link as the feed gave it.
    pub link: Option<String>,
    /// Whether "Fetch full text" is offered: the item has a link and full text is not switched
    /// off for its source.
    pub can_fetch: bool,
    pub article: ArticleState,
}

/// What is stored of an item's article page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ArticleState {
    /// Never fetched.
    None,
    Text {
        text: String,
        /// The page the text came from (after redirects).
        url: String,
        #[ts(type = "string")]
        fetched_at: chrono::DateTime<chrono::Utc>,
    },
    /// The last try failed; the item keeps its feed text.
    Error {
        code: Code,
        message: String,
        url: String,
        #[ts(type = "string")]
        fetched_at: chrono::DateTime<chrono::Utc>,
    },
}

/// Whether an item has its article text stored, for the story view's buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum ArticleStatus {
    None,
    Text,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ArticleBrief {
    pub item_id: i64,
    pub status: ArticleStatus,
}

impl From<Option<StoredFulltext>> for ArticleState {
    fn from(f: Option<StoredFulltext>) -> ArticleState {
        match f {
            None => ArticleState::None,
            Some(f) => match f.state {
                FulltextState::Text { text, .. } => ArticleState::Text {
                    text,
                    url: f.url,
                    fetched_at: f.fetched_at,
                },
                FulltextState::Error { code, message } => ArticleState::Error {
                    code,
                    message,
                    url: f.url,
                    fetched_at: f.fetched_at,
                },
            },
        }
    }
}

impl Engine {
    /// An item's article for the reading view (or why it has none).
    pub fn article(&self, item_id: i64) -> ApiResult<ArticleView> {
        let d = self.item_detail(item_id)?;
        // A removed source keeps its items; they stay fetchable on demand.
        let mode = match self.with_store(|s| s.source_fulltext(&d.item.item.source_id)) {
            Ok(m) => m,
            Err(e) if e.code == Code::Precondition => FulltextMode::Auto,
            Err(e) => return Err(e),
        };
        let link = d.item.item.url.clone();
        Ok(ArticleView {
            item_id,
            lang: d.item.lang.clone().unwrap_or(Lang::Und),
            can_fetch: link.is_some() && mode != FulltextMode::Off,
            link,
            article: d.fulltext.into(),
        })
    }

    /// Fetch an item's article now (as `parallax items fulltext ID`) and return what the reading
    /// view shows; a page that cannot be had leaves an error on the item, not an `Err`.
    /// Refused for a source whose full text is switched off.
    pub async fn fetch_article_now(&self, item_id: i64) -> ApiResult<ArticleView> {
        let view = self.article(item_id)?;
        if !view.can_fetch {
            return Err(ApiError::precondition(match view.link {
                None => format!("item {item_id} has no link to fetch"),
                Some(_) => "full text is switched off for this outlet (Sources, or `parallax sources fulltext ID on`)".to_string(),
            }));
        }
        self.refetch_fulltext(item_id).await?;
        self.article(item_id)
    }

    /// For each of `item_ids`, whether its article text is stored, failed, or was never fetched
    /// (`None`, also for an id the archive does not have).
    pub fn article_statuses(&self, item_ids: &[i64]) -> ApiResult<Vec<ArticleBrief>> {
        self.with_store(|s| {
            let mut out = Vec::with_capacity(item_ids.len());
            for &id in item_ids {
                let status = match s.fulltext(id)?.map(|f| f.state) {
                    None => ArticleStatus::None,
                    Some(FulltextState::Text { .. }) => ArticleStatus::Text,
                    Some(FulltextState::Error { .. }) => ArticleStatus::Error,
                };
                out.push(ArticleBrief {
                    item_id: id,
                    status,
                });
            }
            Ok(out)
        })
    }

    /// Use this fetcher configuration (timeouts, caps) instead of the default; `false` when a
    /// fetcher was already made (the first one stays).
    pub fn use_fetch_config(&self, config: FetchConfig) -> ApiResult<bool> {
        let f = Arc::new(Fetcher::new(config)?);
        Ok(self.inner.fetcher.set(f).is_ok())
    }

    /// Fetch the article of each of `ids` whose source has full text on and that was not tried
    /// before. One page failing is recorded on its item and never stops the others.
    pub async fn fetch_fulltexts(&self, ids: &[i64]) -> ApiResult<FulltextSummary> {
        let items = self.with_store(|s| {
            s.items(&crate::store::ItemQuery {
                ids: Some(ids.to_vec()),
                ascending: true,
                ..Default::default()
            })
        })?;
        let mut enabled: HashMap<String, bool> = HashMap::new();
        let mut todo = Vec::new();
        for it in items {
            let Some(url) = it.item.url.clone() else {
                continue;
            };
            let source = it.item.source_id.clone();
            let on = match enabled.get(&source) {
                Some(on) => *on,
                None => {
                    let on = self.with_store(|s| s.fulltext_enabled(&source))?;
                    enabled.insert(source, on);
                    on
                }
            };
            if on && self.with_store(|s| s.fulltext(it.id))?.is_none() {
                todo.push((it.id, url));
            }
        }
        if todo.is_empty() {
            return Ok(FulltextSummary::default());
        }
        let total = todo.len();
        let fetcher = self.fetcher()?;
        let mut summary = FulltextSummary::default();
        let mut stream = futures_util::stream::iter(todo)
            .map(|(id, url)| {
                let fetcher = fetcher.clone();
                async move {
                    let r = fulltext::fetch_article(
                        &fetcher,
                        &self.inner.robots,
                        &url,
                        &Conditional::default(),
                    )
                    .await;
                    (id, url, r)
                }
            })
            .buffer_unordered(CONCURRENCY);
        while let Some((id, url, result)) = stream.next().await {
            self.record(id, &url, result, &mut summary)?;
        }
        self.emit(Change::Task {
            task: "fulltext".into(),
            done: total as u64,
            total: total as u64,
            message: format!(
                "full text: {} articles fetched, {} failed",
                summary.fetched, summary.failed
            ),
        });
        Ok(summary)
    }

    /// Group the items waiting for their story, each batch's articles fetched first: what a
    /// team server's grouping loop does with what its fetch workers stored (the workers only
    /// store; `after_refresh` does the same for one process's refresh). Only while this process
    /// holds the grouping lease, so one server fetches each article. A failing article round is
    /// logged and the batch grouped on its feed text. Returns the items grouped.
    pub async fn group_pending_with_articles(&self) -> ApiResult<usize> {
        /// Items per round: an article round is bounded by the fetcher's timeouts and caps.
        const BATCH: usize = 256;
        let mut done = 0usize;
        loop {
            let engine = self.clone();
            let batch = tokio::task::spawn_blocking(move || {
                if !engine.hold_grouping_lease()? {
                    return Ok(Vec::new());
                }
                engine.with_store(|s| s.ungrouped_items(BATCH))
            })
            .await
            .map_err(|e| ApiError::new(Code::Internal, format!("grouping task failed: {e}")))??;
            if batch.is_empty() {
                return Ok(done);
            }
            if let Err(e) = self.fetch_fulltexts(&batch).await {
                tracing::warn!("full-text articles: {e}");
            }
            let engine = self.clone();
            let ids = batch.clone();
            let touched = tokio::task::spawn_blocking(move || engine.process_items(&ids))
                .await
                .map_err(|e| {
                    ApiError::new(Code::Internal, format!("grouping task failed: {e}"))
                })??;
            // Nothing placed: the lease was lost meanwhile, and its new holder groups them.
            if touched.is_empty() {
                return Ok(done);
            }
            done += batch.len();
        }
    }

    /// Fetch one item's article now, whatever its source's mode (a conditional GET when a text
    /// is stored already).
    pub async fn refetch_fulltext(&self, item_id: i64) -> ApiResult<ItemDetail> {
        let item = self
            .with_store(|s| s.item(item_id))?
            .ok_or_else(|| ApiError::precondition(format!("no item with id {item_id}")))?;
        let url = item
            .item
            .url
            .clone()
            .ok_or_else(|| ApiError::precondition(format!("item {item_id} has no link")))?;
        let conditional = match self.with_store(|s| s.fulltext(item_id))? {
            Some(f) if matches!(f.state, crate::store::FulltextState::Text { .. }) => Conditional {
                etag: f.etag,
                last_modified: f.last_modified,
            },
            _ => Conditional::default(),
        };
        let fetcher = self.fetcher()?;
        let result =
            fulltext::fetch_article(&fetcher, &self.inner.robots, &url, &conditional).await;
        self.record(item_id, &url, result, &mut FulltextSummary::default())?;
        self.item_detail(item_id)
    }

    fn record(
        &self,
        id: i64,
        url: &str,
        result: Result<Outcome, fulltext::FulltextError>,
        summary: &mut FulltextSummary,
    ) -> ApiResult<()> {
        self.with_store(|s| match result {
            Ok(Outcome::Fetched(article)) => {
                summary.fetched += 1;
                s.put_fulltext(id, url, &article)
            }
            Ok(Outcome::NotModified) => {
                summary.unchanged += 1;
                s.touch_fulltext(id)
            }
            Err(e) => {
                summary.failed += 1;
                s.put_fulltext_error(id, url, e.code(), &e.to_string())
            }
        })
    }

    /// An item with its article text or the reason it has none.
    pub fn item_detail(&self, item_id: i64) -> ApiResult<ItemDetail> {
        self.with_store(|s| {
            let item = s.item(item_id)?;
            let fulltext = s.fulltext(item_id)?;
            Ok(item.map(|item| ItemDetail { item, fulltext }))
        })?
        .ok_or_else(|| ApiError::precondition(format!("no item with id {item_id}")))
    }

    pub fn source_fulltext(&self, source_id: &str) -> ApiResult<SourceFulltext> {
        self.with_store(|s| {
            Ok(SourceFulltext {
                source_id: source_id.to_owned(),
                mode: s.source_fulltext(source_id)?,
                enabled: s.fulltext_enabled(source_id)?,
            })
        })
    }

    /// Turn full text on or off for a source, or back to automatic.
    pub fn set_source_fulltext(
        &self,
        source_id: &str,
        mode: FulltextMode,
    ) -> ApiResult<SourceFulltext> {
        self.with_store(|s| s.set_source_fulltext(source_id, mode))?;
        self.source_fulltext(source_id)
    }
}
