//! An item's article over HTTP, for the app's reading view when it is a team server's client:
//! what is stored (any user), which of a story's items have their text (any user), and "fetch
//! the full text now" (editors: it makes the server fetch a page and write to the archive).
//! Kept in one module so the router gains one `merge` line.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::auth::Caller;
use super::{HttpError, Shared, call};
use crate::api::ApiError;
use crate::store::Role;

/// Most item ids one status request may name (a story's items, with room to spare).
const MAX_IDS: usize = 1000;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/items/:id/article", get(article))
        .route("/api/items/:id/article/fetch", post(fetch_article))
        .route("/api/articles", get(statuses))
}

/// `ArticleView`: the stored text, or why there is none, and whether a fetch is offered.
async fn article(
    _: Caller,
    State(st): State<Shared>,
    Path(id): Path<i64>,
) -> Result<Response, HttpError> {
    let view = call(&st.engine, move |e| e.article(id)).await?;
    Ok(Json(view).into_response())
}

/// Fetch the item's article page now and answer what the reading view then shows. A page that
/// cannot be had is an `error` article state (200), not a failed request; a source with full
/// text switched off, or an item without a link, is refused (400).
async fn fetch_article(
    caller: Caller,
    State(st): State<Shared>,
    Path(id): Path<i64>,
) -> Result<Response, HttpError> {
    caller.require(Role::Editor)?;
    tracing::info!(user = %caller.0.name, item = id, "fetch article");
    let view = st.engine.fetch_article_now(id).await?;
    Ok(Json(view).into_response())
}

#[derive(Deserialize)]
struct StatusParams {
    /// Comma-separated item ids.
    ids: String,
}

/// `[ArticleBrief]` for `?ids=1,2,3`: whether each item's text is stored (`none` for an id
/// with no article row, an unknown one included).
async fn statuses(
    _: Caller,
    State(st): State<Shared>,
    Query(p): Query<StatusParams>,
) -> Result<Response, HttpError> {
    let ids = parse_ids(&p.ids)?;
    let list = call(&st.engine, move |e| e.article_statuses(&ids)).await?;
    Ok(Json(list).into_response())
}

fn parse_ids(s: &str) -> Result<Vec<i64>, ApiError> {
    let ids = s
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<i64>()
                .map_err(|_| ApiError::precondition(format!("ids: {t:?} is not an item id")))
        })
        .collect::<Result<Vec<i64>, ApiError>>()?;
    if ids.len() > MAX_IDS {
        return Err(ApiError::precondition(format!(
            "ids: at most {MAX_IDS} items per request, not {}",
            ids.len()
        )));
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    //! The routes over real HTTP on loopback, on a SQLite archive, with the article page served
    //! by a second loopback server (the routes are the same on PostgreSQL: tests/team.rs).

    use std::path::PathBuf;

    use serde_json::Value;

    use crate::api::{Engine, EngineConfig};
    use crate::model::{Feed, Item, Lang, Ownership, Source, TimeSource};
    use crate::store::Role;

    fn page(name: &str) -> String {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/articles")
            .join(name);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    /// A loopback site with one article page (and no robots.txt: a 404 allows everything).
    async fn site() -> String {
        let html = page("en-1-news.html");
        let app = axum::Router::new().route(
            "/news/1",
            axum::routing::get(move || {
                let html = html.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
                        html,
                    )
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        base
    }

    /// A response's JSON body.
    async fn json(r: reqwest::Response) -> Value {
        let text = r.text().await.unwrap();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    }

    fn item(guid: &str, url: Option<String>) -> Item {
        Item {
            source_id: "wire".into(),
            guid: guid.into(),
            url,
            title: format!("Headline {guid}"),
            summary_html: String::new(),
            summary_text: String::new(),
            author: None,
            published: chrono::Utc::now(),
            time_source: TimeSource::Published,
            categories: vec![],
            media: vec![],
            declared_lang: Some(Lang::En),
            content_hash: format!("h-{guid}"),
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn readers_read_articles_and_editors_fetch_them() {
        let site = site().await;
        let dir = tempfile::tempdir().unwrap();
        let config = EngineConfig {
            seed_catalog: false,
            model_path: Some(dir.path().join("no-model")),
            ..EngineConfig::new(dir.path().join("archive.db"))
        };
        let article_url = format!("{site}/news/1");
        let (engine, ids) = tokio::task::spawn_blocking(move || {
            let e = Engine::open(config).unwrap();
            e.save_sources(&[Source {
                id: "wire".into(),
                name: "Wire".into(),
                homepage: None,
                feeds: vec![Feed {
                    url: "http://127.0.0.1:9/feed.xml".into(),
                    verified: true,
                }],
                language: Lang::En,
                country: None,
                ownership: Ownership::Unknown,
                note: None,
                enabled: true,
                refresh_secs: 900,
            }])
            .unwrap();
            let ids = e
                .with_store(|s| s.insert_items(&[item("1", Some(article_url)), item("2", None)]))
                .unwrap()
                .inserted;
            (e, ids)
        })
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(super::super::serve(
            engine.clone(),
            listener,
            std::future::pending(),
        ));
        let e2 = engine.clone();
        let (editor, reader) = tokio::task::spawn_blocking(move || {
            (
                e2.add_user("maryam", Role::Editor).unwrap(),
                e2.add_user("omid", Role::Reader).unwrap(),
            )
        })
        .await
        .unwrap();
        let http = reqwest::Client::new();
        let get = |path: String, token: Option<&str>| {
            let mut r = http.get(format!("{base}{path}"));
            if let Some(t) = token {
                r = r.bearer_auth(t);
            }
            r.send()
        };
        let fetch = |id: i64, token: &str| {
            http.post(format!("{base}/api/items/{id}/article/fetch"))
                .bearer_auth(token)
                .send()
        };
        let (linked, unlinked) = (ids[0], ids[1]);

        let r = get(format!("/api/items/{linked}/article"), None)
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let r = get(format!("/api/items/{linked}/article"), Some(&reader))
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v = json(r).await;
        assert_eq!(v["article"]["status"], "none");
        assert_eq!(v["can_fetch"], true);

        // A reader may not make the server fetch; an editor may.
        assert_eq!(fetch(linked, &reader).await.unwrap().status(), 403);
        let r = fetch(linked, &editor).await.unwrap();
        assert_eq!(r.status(), 200);
        let v = json(r).await;
        assert_eq!(v["article"]["status"], "text", "{v}");
        let gold = page("en-1-news.gold.txt");
        let start: String = gold.chars().take(40).collect();
        assert!(
            v["article"]["text"].as_str().unwrap().contains(&start),
            "{v}"
        );

        // Stored: every reader sees it, and the status list says so.
        let v = json(
            get(format!("/api/items/{linked}/article"), Some(&reader))
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(v["article"]["status"], "text");
        let r = get(
            format!("/api/articles?ids={linked},{unlinked},999999"),
            Some(&reader),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 200);
        let v = json(r).await;
        assert_eq!(
            v,
            serde_json::json!([
                { "item_id": linked, "status": "text" },
                { "item_id": unlinked, "status": "none" },
                // An unknown id has no article either (the engine does not look the item up).
                { "item_id": 999999, "status": "none" }
            ])
        );

        // Bad requests say why.
        let r = fetch(unlinked, &editor).await.unwrap();
        assert_eq!(r.status(), 400);
        let v = json(r).await;
        assert!(v["message"].as_str().unwrap().contains("no link"), "{v}");
        let r = get("/api/items/999999/article".into(), Some(&reader))
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let r = get("/api/articles?ids=1,x".into(), Some(&reader))
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let many = (0..1001)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let r = get(format!("/api/articles?ids={many}"), Some(&reader))
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        // Switched off for the outlet: refused.
        let e2 = engine.clone();
        tokio::task::spawn_blocking(move || {
            e2.set_source_fulltext("wire", crate::fulltext::FulltextMode::Off)
                .unwrap()
        })
        .await
        .unwrap();
        let r = fetch(linked, &editor).await.unwrap();
        assert_eq!(r.status(), 400);
    }
}
