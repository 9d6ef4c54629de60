//! The routes the desktop app needs when it is a client of a team server (`parallax::remote`):
//! who am I, the status line, the full story filter and search query as JSON, carry and framing,
//! the sources list, alerts and their seen state, and why an item is in its story. All are reads
//! (any user) except marking alerts seen, which any user may do too: whether an alert was seen is
//! the team's shared triage state, not a correction of the archive. The corrections the app sends
//! are `serve`'s and `corrections`' routes. Kept in one module so the router gains one `merge`
//! line.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::auth::Caller;
use super::{HttpError, Shared, call};
use crate::api::SearchQuery;
use crate::store::StoryFilter;

/// Most rows one request may ask for (lists are paged by the client).
const MAX_LIMIT: u32 = 500;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/me", get(me))
        .route("/api/status", get(status))
        .route("/api/stories/query", post(query_stories))
        .route("/api/search/query", post(query_search))
        .route("/api/stories/:id/carry", get(carry))
        .route("/api/stories/:id/framing", get(framing))
        .route("/api/items/:id/explanation", get(explanation))
        .route("/api/sources", get(sources))
        .route("/api/alerts", get(alerts))
        .route("/api/alerts/unseen-count", get(unseen_count))
        .route("/api/alerts/seen", post(mark_all_seen))
        .route("/api/alerts/:id/seen", post(mark_seen))
}

/// The caller's name and role: the app checks a token with it and shows who it is connected as.
async fn me(caller: Caller) -> Json<crate::store::TeamUser> {
    Json(caller.0)
}

async fn status(_: Caller, State(st): State<Shared>) -> Result<Response, HttpError> {
    let line = call(&st.engine, |e| e.status()).await?;
    Ok(Json(line).into_response())
}

/// The story list with the app's whole filter (languages, outlet, ownership, dates, ids), which
/// the query string of `GET /api/stories` does not carry.
async fn query_stories(
    _: Caller,
    State(st): State<Shared>,
    Json(mut filter): Json<StoryFilter>,
) -> Result<Response, HttpError> {
    filter.limit = Some(filter.limit.unwrap_or(50).min(MAX_LIMIT));
    let list = call(&st.engine, move |e| e.list_stories(&filter)).await?;
    Ok(Json(list).into_response())
}

/// Search with the app's query (text, filter, by meaning when the server has the model loaded).
async fn query_search(
    _: Caller,
    State(st): State<Shared>,
    Json(mut q): Json<SearchQuery>,
) -> Result<Response, HttpError> {
    q.limit = Some(q.limit.unwrap_or(50).min(MAX_LIMIT));
    let groups = call(&st.engine, move |e| e.search(&q)).await?;
    Ok(Json(groups).into_response())
}

/// Who carried whose sentences (the server embeds them the first time when it has the model).
async fn carry(
    _: Caller,
    State(st): State<Shared>,
    Path(id): Path<i64>,
) -> Result<Response, HttpError> {
    let c = call(&st.engine, move |e| e.story_carry(id)).await?;
    Ok(Json(c).into_response())
}

/// Distinctive and loaded terms per outlet, "only in" sentences per language.
async fn framing(
    _: Caller,
    State(st): State<Shared>,
    Path(id): Path<i64>,
) -> Result<Response, HttpError> {
    let f = call(&st.engine, move |e| e.story_framing(id)).await?;
    Ok(Json(f).into_response())
}

async fn explanation(
    _: Caller,
    State(st): State<Shared>,
    Path(item): Path<i64>,
) -> Result<Response, HttpError> {
    let why = call(&st.engine, move |e| e.explain_item(item)).await?;
    Ok(Json(why).into_response())
}

async fn sources(_: Caller, State(st): State<Shared>) -> Result<Response, HttpError> {
    let list = call(&st.engine, |e| e.list_sources()).await?;
    Ok(Json(list).into_response())
}

#[derive(Deserialize)]
struct AlertsParams {
    limit: Option<u32>,
}

/// Alerts of the team's watches, newest first.
async fn alerts(
    _: Caller,
    State(st): State<Shared>,
    Query(p): Query<AlertsParams>,
) -> Result<Response, HttpError> {
    let limit = p.limit.unwrap_or(100).min(MAX_LIMIT) as usize;
    let list = call(&st.engine, move |e| e.alerts(None, limit)).await?;
    Ok(Json(list).into_response())
}

/// Alerts not marked seen, one per watch and story (the app's badge).
async fn unseen_count(_: Caller, State(st): State<Shared>) -> Result<Response, HttpError> {
    let n = call(&st.engine, |e| e.unseen_alert_count()).await?;
    Ok(Json(n).into_response())
}

/// Mark one alert seen for the team; answers the engine's `SeenReport`.
async fn mark_seen(
    caller: Caller,
    State(st): State<Shared>,
    Path(id): Path<i64>,
) -> Result<Response, HttpError> {
    let report = call(&st.engine, move |e| e.mark_alert_seen(id)).await?;
    tracing::info!(user = %caller.0.name, alert = id, "alert seen");
    Ok(Json(report).into_response())
}

#[derive(Deserialize)]
struct SeenBody {
    /// The newest alert the user was shown (one raised meanwhile stays new); `None`: all.
    up_to: Option<i64>,
}

/// "Mark all seen" up to the newest alert the caller's list showed.
async fn mark_all_seen(
    caller: Caller,
    State(st): State<Shared>,
    Json(body): Json<SeenBody>,
) -> Result<Response, HttpError> {
    let report = call(&st.engine, move |e| e.mark_all_alerts_seen(body.up_to)).await?;
    tracing::info!(user = %caller.0.name, up_to = ?body.up_to, "alerts seen");
    Ok(Json(report).into_response())
}

#[cfg(test)]
pub(super) mod tests {
    //! The app's client (`parallax::remote::TeamClient`) against these routes over real HTTP on
    //! loopback, on a SQLite archive (the routes are the same on PostgreSQL: tests/team.rs).

    use crate::api::{Engine, EngineConfig, SearchQuery};
    use crate::error::Code;
    use crate::remote::TeamClient;
    use crate::store::{Role, StoryFilter};

    /// A server on loopback over the demo archive (SQLite): its directory, engine and address.
    pub(in crate::serve) async fn served() -> (tempfile::TempDir, Engine, String) {
        let dir = tempfile::tempdir().unwrap();
        let config = EngineConfig {
            seed_catalog: false,
            model_path: Some(dir.path().join("no-model")),
            ..EngineConfig::new(dir.path().join("archive.db"))
        };
        let engine = tokio::task::spawn_blocking(move || {
            let e = Engine::open(config).unwrap();
            e.load_demo_archive(None).unwrap();
            e
        })
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let e2 = engine.clone();
        tokio::spawn(super::super::serve(e2, listener, std::future::pending()));
        (dir, engine, base)
    }

    pub(in crate::serve) fn add(engine: &Engine, name: &str, role: Role) -> String {
        engine.add_user(name, role).unwrap()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_app_client_reads_and_corrects_with_role_checks() {
        let (_dir, engine, base) = served().await;
        let editor = add(&engine, "maryam", Role::Editor);
        let reader = add(&engine, "omid", Role::Reader);

        // A wrong token and a wrong address are told apart.
        let e = TeamClient::connect(&base, "plx_0000").await.unwrap_err();
        assert!(e.message.contains("refused the token"), "{e}");
        let e = TeamClient::connect(&format!("{base}/nothing-here"), &reader)
            .await
            .unwrap_err();
        assert!(e.message.contains("not as a Parallax team server"), "{e}");

        let r = TeamClient::connect(&base, &reader).await.unwrap();
        assert_eq!(
            (r.user().name.as_str(), r.user().role),
            ("omid", Role::Reader)
        );
        let w = TeamClient::connect(&base, &editor).await.unwrap();

        let status = r.status().await.unwrap();
        assert_eq!(status.items, 503);
        let all = r
            .list_stories(&StoryFilter {
                limit: Some(500),
                ..StoryFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(all.len() as u32, status.stories);
        // The whole filter crosses: Persian stories only.
        let fa = r
            .list_stories(&StoryFilter {
                languages: vec![crate::model::Lang::Fa],
                limit: Some(500),
                ..StoryFilter::default()
            })
            .await
            .unwrap();
        assert!(
            !fa.is_empty() && fa.len() < all.len(),
            "{} of {}",
            fa.len(),
            all.len()
        );
        assert!(
            fa.iter()
                .all(|s| s.languages.contains(&crate::model::Lang::Fa))
        );

        let big = all.iter().max_by_key(|s| s.item_count).unwrap();
        assert!(big.item_count >= 2, "a story with two items to split");
        let detail = r.get_story(big.id).await.unwrap();
        assert_eq!(detail.items.len() as u32, big.item_count);
        let item = detail.items[0].id;
        let (story_of, _why) = r.explain_item(item).await.unwrap();
        assert_eq!(story_of, big.id);
        let carry = r.story_carry(big.id).await.unwrap();
        assert_eq!(carry.items.len(), detail.items.len());
        let framing = r.story_framing(big.id).await.unwrap();
        assert!(!framing.outlets.is_empty());
        // Related stories through the client: the server's own answer, never the story itself.
        let related = r.related_stories(big.id, 5).await.unwrap();
        assert!(related.stories.len() <= 5);
        assert!(related.stories.iter().all(|x| x.story.id != big.id));
        assert!(
            r.related_stories(i64::MAX, 5).await.is_err(),
            "no such story"
        );

        // Arabic letters find the Persian spelling, through the JSON query route.
        let found = r
            .search(&SearchQuery {
                text: "تركيه".into(),
                ..SearchQuery::default()
            })
            .await
            .unwrap();
        assert!(
            found
                .iter()
                .flat_map(|g| &g.hits)
                .any(|h| h.item.title.contains("ترکیه"))
        );

        assert!(r.list_sources().await.unwrap().len() >= 3);
        assert!(
            r.alerts(10).await.unwrap().is_empty(),
            "no watches: no alerts"
        );
        assert_eq!(r.unseen_alert_count().await.unwrap(), 0);
        let seen = r.mark_all_alerts_seen(None).await.unwrap();
        assert_eq!((seen.marked, seen.unseen), (0, 0));
        let e = r.mark_alert_seen(999_999).await.unwrap_err();
        assert_eq!(e.code, Code::Precondition, "{e}");

        // Articles: nothing stored yet; the reader may not make the server fetch one.
        let view = r.article(item).await.unwrap();
        assert_eq!(
            (view.item_id, &view.article),
            (item, &crate::api::ArticleState::None)
        );
        let briefs = r.article_statuses(&[item]).await.unwrap();
        assert_eq!(briefs.len(), 1);
        assert_eq!(briefs[0].status, crate::api::ArticleStatus::None);
        let e = r.fetch_article(item).await.unwrap_err();
        assert!(e.message.contains("omid is a reader"), "{e}");

        // A reader's corrections are refused with the server's message; nothing changes.
        let other = all.iter().find(|s| s.id != big.id).unwrap().id;
        for refused in [
            r.merge_stories(big.id, other).await.unwrap_err(),
            r.move_item(item, other).await.unwrap_err(),
            r.split_story(big.id, &[item]).await.unwrap_err(),
        ] {
            assert_eq!(refused.code, Code::Precondition);
            assert!(refused.message.contains("omid is a reader"), "{refused}");
        }
        assert_eq!(
            r.get_story(big.id).await.unwrap().items.len(),
            detail.items.len()
        );

        // An editor's are made, and the reader sees them.
        let new = w.split_story(big.id, &[item]).await.unwrap();
        assert_eq!(r.explain_item(item).await.unwrap().0, new);
        w.move_item(item, big.id).await.unwrap();
        assert_eq!(r.explain_item(item).await.unwrap().0, big.id);
        w.merge_stories(big.id, other).await.unwrap();
        let e = r.get_story(other).await.unwrap_err();
        assert_eq!(e.code, Code::Precondition, "{e}");
    }
}
