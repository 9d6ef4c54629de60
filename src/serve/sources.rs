//! Managing the team archive's sources over HTTP: add (by feed or homepage URL, checked by
//! fetching it once, as in the app), remove, turn on and off, and OPML in and out. Changes need
//! the editor role and go to the audit log; the server's fetch workers pick a new or re-enabled
//! feed up from the job table on their next look (PostgreSQL adds a job for every new feed).
//! Listing sources is `client_routes`; exporting OPML is a read, open to any user.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::auth::Caller;
use super::corrections::{edit, record};
use super::{HttpError, Shared, call};
use crate::store::Role;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/sources", post(add))
        .route("/api/sources/:id", delete(remove))
        .route("/api/sources/:id/enabled", post(set_enabled))
        .route("/api/sources/opml", get(export_opml).post(import_opml))
}

#[derive(Deserialize)]
struct AddBody {
    url: String,
}

/// Add a source; answers the `Source` as stored (201).
async fn add(
    caller: Caller,
    State(st): State<Shared>,
    Json(body): Json<AddBody>,
) -> Result<Response, HttpError> {
    caller.require(Role::Editor)?;
    let source = st.engine.add_source(&body.url).await?;
    record(
        &st,
        &caller,
        "add_source",
        serde_json::json!({ "source": source.id, "url": body.url }),
    )
    .await;
    Ok((StatusCode::CREATED, Json(source)).into_response())
}

/// Remove a source; its items stay in the archive.
async fn remove(
    caller: Caller,
    State(st): State<Shared>,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    let which = id.clone();
    edit(
        &st,
        &caller,
        "remove_source",
        move |e| e.remove_source(&which),
        |_| serde_json::json!({ "source": id }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
struct EnabledBody {
    enabled: bool,
}

async fn set_enabled(
    caller: Caller,
    State(st): State<Shared>,
    Path(id): Path<String>,
    Json(body): Json<EnabledBody>,
) -> Result<Response, HttpError> {
    let action = if body.enabled {
        "enable_source"
    } else {
        "disable_source"
    };
    let which = id.clone();
    edit(
        &st,
        &caller,
        action,
        move |e| e.set_source_enabled(&which, body.enabled),
        |_| serde_json::json!({ "source": id }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The archive's sources as an OPML file.
async fn export_opml(_: Caller, State(st): State<Shared>) -> Result<Response, HttpError> {
    let text = call(&st.engine, |e| e.export_opml()).await?;
    Ok(([(header::CONTENT_TYPE, "text/x-opml; charset=utf-8")], text).into_response())
}

/// Import an OPML file (the request body, as text); answers the `ImportReport`.
async fn import_opml(
    caller: Caller,
    State(st): State<Shared>,
    text: String,
) -> Result<Response, HttpError> {
    let report = edit(
        &st,
        &caller,
        "import_opml",
        move |e| e.import_opml(&text),
        |r| serde_json::json!({ "added": r.added, "skipped": r.skipped.len() }),
    )
    .await?;
    Ok(Json(report).into_response())
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::routing::get;

    use super::super::client_routes::tests::{add, served};
    use crate::error::Code;
    use crate::remote::TeamClient;
    use crate::store::Role;

    /// A real RSS file from the fixtures, served on loopback.
    async fn feed_server() -> String {
        let rss = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/feeds/rss2_stylesheet_pi_doctype_comment_en.xml"),
        )
        .unwrap();
        let app = Router::new().route(
            "/feed.xml",
            get(move || async move { ([("content-type", "application/rss+xml")], rss) }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/feed.xml", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn editors_manage_sources_and_readers_get_the_servers_refusal() {
        let (_dir, engine, base) = served().await;
        let r = TeamClient::connect(&base, &add(&engine, "omid", Role::Reader))
            .await
            .unwrap();
        let w = TeamClient::connect(&base, &add(&engine, "maryam", Role::Editor))
            .await
            .unwrap();
        let feed = feed_server().await;
        let before = r.list_sources().await.unwrap().len();

        // A reader: refused every change, with the server's message; nothing changes.
        let some = r.list_sources().await.unwrap()[0].source.id.clone();
        for refused in [
            r.add_source(&feed).await.unwrap_err(),
            r.remove_source(&some).await.unwrap_err(),
            r.set_source_enabled(&some, false).await.unwrap_err(),
            r.import_opml("<opml/>").await.unwrap_err(),
        ] {
            assert!(refused.message.contains("omid is a reader"), "{refused}");
        }
        assert_eq!(r.list_sources().await.unwrap().len(), before);

        // An editor adds a feed (checked by fetching it), turns it off and on, removes it.
        let added = w.add_source(&feed).await.unwrap();
        assert_eq!(added.name, "Welsh Assembly news");
        let e = w.add_source(&feed).await.unwrap_err();
        assert!(e.message.contains("already a feed of"), "{e}");
        let e = w.add_source("not a url").await.unwrap_err();
        assert_eq!(e.code, Code::Precondition, "{e}");
        let shown = |id: String| {
            let r = r.clone();
            async move {
                r.list_sources()
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|s| s.source.id == id)
            }
        };
        assert!(shown(added.id.clone()).await.unwrap().source.enabled);
        w.set_source_enabled(&added.id, false).await.unwrap();
        assert!(!shown(added.id.clone()).await.unwrap().source.enabled);
        w.set_source_enabled(&added.id, true).await.unwrap();
        assert!(shown(added.id.clone()).await.unwrap().source.enabled);

        // OPML out (a reader may) and back in: the removed source returns.
        let opml = r.export_opml().await.unwrap();
        assert!(opml.contains(&feed), "{opml}");
        w.remove_source(&added.id).await.unwrap();
        assert!(shown(added.id.clone()).await.is_none());
        let e = w.remove_source(&added.id).await.unwrap_err();
        assert_eq!(e.code, Code::Precondition, "{e}");
        let report = w.import_opml(&opml).await.unwrap();
        assert_eq!(report.added.len(), 1, "{report:?}");
        assert_eq!(r.list_sources().await.unwrap().len(), before + 1);
        let e = w.import_opml("not opml").await.unwrap_err();
        assert_eq!(e.code, Code::Precondition, "{e}");
    }
}
