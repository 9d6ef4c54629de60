//! `GET /api/events`: server-sent events for new items, story updates, alerts and source health.
//!
//! The events come from the archive's change feed (written by triggers in each writing
//! transaction, see `store::pg::events`), not from this process's own work, so a client of any
//! server sees what every worker fetched and whoever groups grouped. One poller per server reads
//! the feed every second while anyone listens and fans each change out to the open streams.
//!
//! Each event is `event: KIND` with a JSON `data:` line:
//! - `ready` `{}`: the stream is open; everything after it is sent.
//! - `items_added` `{"source_id", "count", "max_id"}`
//! - `stories_updated` `{"ids": [...]}`
//! - `alerts` `{"ids": [...]}`: alerts raised or raised again (read them with the alert routes).
//! - `source_health` `{"source_id", "feed_url", "outcome", "status", "error_code", "error", ...}`:
//!   a feed failed, or recovered after failing.
//! - `lagged` `{"missed": N}`: this client read too slowly and missed N events; reload.

use std::convert::Infallible;
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use tokio::sync::broadcast;

use super::Shared;
use super::auth::Caller;
use super::jobs::blocking;
use crate::api::Engine;
use crate::store::FeedChange;

/// How often the change feed is read while someone listens.
const POLL_EVERY: Duration = Duration::from_secs(1);
/// After a failed read (the database is away).
const RETRY_EVERY: Duration = Duration::from_secs(10);
/// Changes read at most per round trip.
const PAGE: usize = 1000;

/// Fans the change feed out to the open streams.
pub(super) struct Hub {
    engine: Engine,
    tx: broadcast::Sender<Arc<FeedChange>>,
    /// Whether the poller runs; held while a stream subscribes or the poller decides to stop,
    /// so the two never miss each other.
    polling: tokio::sync::Mutex<bool>,
}

impl Hub {
    pub(super) fn new(engine: Engine) -> Arc<Hub> {
        Arc::new(Hub {
            engine,
            tx: broadcast::channel(4096).0,
            polling: tokio::sync::Mutex::new(false),
        })
    }

    /// A receiver of every change committed from now on; the first listener starts the
    /// poller, from the change feed's present position.
    async fn subscribe(
        self: &Arc<Self>,
    ) -> crate::api::ApiResult<broadcast::Receiver<Arc<FeedChange>>> {
        let mut polling = self.polling.lock().await;
        let rx = self.tx.subscribe();
        if !*polling {
            let cursor = blocking(&self.engine, |e| e.with_store(|s| s.change_cursor())).await?;
            tokio::spawn(poll(Arc::downgrade(self), cursor));
            *polling = true;
        }
        Ok(rx)
    }
}

/// Read the change feed from `cursor` and broadcast it until the hub is gone or nobody listens.
async fn poll(hub: Weak<Hub>, mut cursor: (i64, i64)) {
    loop {
        let Some(h) = hub.upgrade() else { return };
        {
            let mut polling = h.polling.lock().await;
            if h.tx.receiver_count() == 0 {
                // The next listener starts polling again from its own present.
                *polling = false;
                return;
            }
        }
        let read = blocking(&h.engine, move |e| {
            e.with_store(|s| s.changes_after(cursor, PAGE))
        })
        .await;
        let wait = match read {
            Ok((changes, next)) => {
                let full = changes.len() == PAGE;
                for c in changes {
                    // No receiver left is fine: checked on the next round.
                    let _ = h.tx.send(Arc::new(c));
                }
                cursor = next;
                if full { Duration::ZERO } else { POLL_EVERY }
            }
            Err(e) => {
                tracing::warn!("reading the change feed: {e}");
                RETRY_EVERY
            }
        };
        drop(h);
        tokio::time::sleep(wait).await;
    }
}

/// The event stream (any user with a token).
pub(super) async fn stream(
    _: Caller,
    State(st): State<Shared>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, super::HttpError> {
    let rx = st.events.subscribe().await?;
    let ready = Event::default().event("ready").data("{}");
    let changes = futures_util::stream::unfold(rx, |mut rx| async move {
        let event = match rx.recv().await {
            Ok(c) => Event::default()
                .event(c.kind.as_str())
                .id(format!("{}-{}", c.cursor.0, c.cursor.1))
                .data(c.body.as_str()),
            Err(broadcast::error::RecvError::Lagged(n)) => Event::default()
                .event("lagged")
                .data(serde_json::json!({ "missed": n }).to_string()),
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok(event), rx))
    });
    let all = futures_util::StreamExt::chain(
        futures_util::stream::once(async move { Ok(ready) }),
        changes,
    );
    Ok(Sse::new(all).keep_alive(KeepAlive::default()))
}
