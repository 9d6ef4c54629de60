//! `parallax serve`: the engine's API over HTTP for a team sharing one PostgreSQL archive.
//!
//! Every route but `/health` needs `Authorization: Bearer <token>` (a token from `parallax users
//! add`); writes need the editor role. Engine calls are synchronous (the store is), so each runs
//! on a blocking thread, never on the runtime's. TLS is left to a reverse proxy (see README).

mod articles;
mod auth;
mod client_routes;
mod corrections;
mod events;
mod exports;
pub mod jobs;
mod metrics;
pub mod pipeline;
mod sources;
mod watches;

use std::future::Future;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::api::{ApiError, Engine, SearchQuery};
use crate::error::Code;
use crate::store::{Role, StoryFilter};
use auth::Caller;
use metrics::Metrics;

struct AppState {
    engine: Engine,
    metrics: Metrics,
    events: Arc<events::Hub>,
}

type Shared = Arc<AppState>;

/// The server's routes over `engine`.
pub fn router(engine: Engine) -> Router {
    let state: Shared = Arc::new(AppState {
        events: events::Hub::new(engine.clone()),
        engine,
        metrics: Metrics::default(),
    });
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/api/stories", get(stories))
        .route("/api/stories/:id", get(story))
        .route("/api/stories/:id/merge", post(merge))
        .route("/api/stories/:id/related", get(related))
        .route("/api/search", get(search))
        .merge(articles::routes())
        // The live server: events, and corrections that record who made them.
        .route("/api/events", get(events::stream))
        .route("/api/stories/:id/split", post(corrections::split))
        .route("/api/items/:id/move", post(corrections::move_item))
        .route("/api/audit", get(corrections::audit))
        // The desktop app as a client (parallax::remote).
        .merge(client_routes::routes())
        // Watches and aliases, exports, source management (each the team's, role-checked).
        .merge(watches::routes())
        .merge(exports::routes())
        .merge(sources::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count,
        ))
        .with_state(state)
}

/// Serve on `listener` until `shutdown` completes.
pub async fn serve(
    engine: Engine,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(engine))
        .with_graceful_shutdown(shutdown)
        .await
}

/// An engine error as an HTTP response: the same `{code, message}` body the app receives.
struct HttpError(StatusCode, ApiError);

impl From<ApiError> for HttpError {
    fn from(e: ApiError) -> Self {
        let status = match e.code {
            Code::Precondition => StatusCode::BAD_REQUEST,
            Code::Storage => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        HttpError(status, e)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        (self.0, Json(self.1)).into_response()
    }
}

/// Run an engine call on a blocking thread.
async fn call<T: Send + 'static>(
    engine: &Engine,
    f: impl FnOnce(&Engine) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, HttpError> {
    let engine = engine.clone();
    tokio::task::spawn_blocking(move || f(&engine))
        .await
        .map_err(|e| ApiError::new(Code::Internal, format!("the request failed: {e}")))?
        .map_err(HttpError::from)
}

/// 200 when the archive answers, 503 when it does not. No token needed.
async fn health(State(st): State<Shared>) -> Response {
    match call(&st.engine, |e| e.archive_counts()).await {
        Ok(_) => Json(serde_json::json!({ "status": "ok" })).into_response(),
        Err(HttpError(_, e)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "unavailable", "message": e.message })),
        )
            .into_response(),
    }
}

/// Prometheus text format: archive sizes and requests served.
async fn metrics(_: Caller, State(st): State<Shared>) -> Result<Response, HttpError> {
    let counts = call(&st.engine, |e| e.archive_counts()).await?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        st.metrics.render(&counts),
    )
        .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StoriesParams {
    limit: Option<u32>,
    offset: Option<u32>,
    cross_lingual_only: bool,
    include_routine: bool,
    source_id: Option<String>,
}

async fn stories(
    _: Caller,
    State(st): State<Shared>,
    Query(p): Query<StoriesParams>,
) -> Result<Response, HttpError> {
    let filter = StoryFilter {
        limit: Some(p.limit.unwrap_or(50).min(500)),
        offset: p.offset,
        cross_lingual_only: p.cross_lingual_only,
        include_routine: p.include_routine,
        source_id: p.source_id,
        ..StoryFilter::default()
    };
    let list = call(&st.engine, move |e| e.list_stories(&filter)).await?;
    Ok(Json(list).into_response())
}

async fn story(
    _: Caller,
    State(st): State<Shared>,
    Path(id): Path<i64>,
) -> Result<Response, HttpError> {
    let detail = call(&st.engine, move |e| e.get_story(id)).await?;
    Ok(Json(detail).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RelatedParams {
    limit: Option<u32>,
}

/// `RelatedStories`: the story's topic chain (empty with a reason when the server has no model).
async fn related(
    _: Caller,
    State(st): State<Shared>,
    Path(id): Path<i64>,
    Query(p): Query<RelatedParams>,
) -> Result<Response, HttpError> {
    let limit = p.limit.unwrap_or(8).min(50) as usize;
    let r = call(&st.engine, move |e| e.related_stories(id, limit)).await?;
    Ok(Json(r).into_response())
}

#[derive(Deserialize)]
struct MergeBody {
    from: i64,
}

/// Merge story `from` into this one (a correction: editors only).
async fn merge(
    caller: Caller,
    State(st): State<Shared>,
    Path(into): Path<i64>,
    Json(body): Json<MergeBody>,
) -> Result<Response, HttpError> {
    caller.require(Role::Editor)?;
    call(&st.engine, move |e| e.merge_stories(into, body.from)).await?;
    corrections::record(
        &st,
        &caller,
        "merge",
        serde_json::json!({ "into": into, "from": body.from }),
    )
    .await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
struct SearchParams {
    q: String,
    limit: Option<u32>,
}

/// Folded full-text search grouped by story (by words: the server loads no model yet).
async fn search(
    _: Caller,
    State(st): State<Shared>,
    Query(p): Query<SearchParams>,
) -> Result<Response, HttpError> {
    let q = SearchQuery {
        text: p.q,
        filter: StoryFilter::default(),
        semantic: false,
        limit: Some(p.limit.unwrap_or(50).min(500)),
    };
    let groups = call(&st.engine, move |e| e.search(&q)).await?;
    Ok(Json(groups).into_response())
}
