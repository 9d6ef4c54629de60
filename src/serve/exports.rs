//! Exports on a team archive: the server makes the file with the same engine call as the app and
//! the CLI (`Engine::export_story`, `Engine::export_search`), and the app saves it where the user
//! picks. Exports are reads: any user may make one.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::auth::Caller;
use super::{HttpError, Shared, call};
use crate::api::{ApiError, ExportFormat, SearchQuery};
use crate::error::Code;

/// Most rows a search export may hold (the app's own search limit is far lower).
const MAX_SEARCH_ROWS: u32 = 5000;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/stories/:id/export", get(story))
        .route("/api/search/export", post(search))
}

#[derive(Deserialize)]
struct FormatParams {
    format: String,
}

fn content_type(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::Html => "text/html; charset=utf-8",
        ExportFormat::Csv => "text/csv; charset=utf-8",
        ExportFormat::Json => "application/json",
    }
}

/// `?format=html|csv|json`: the file's text.
async fn story(
    _: Caller,
    State(st): State<Shared>,
    Path(id): Path<i64>,
    Query(p): Query<FormatParams>,
) -> Result<Response, HttpError> {
    let format = ExportFormat::parse(&p.format).ok_or_else(|| {
        HttpError(
            StatusCode::BAD_REQUEST,
            ApiError::new(
                Code::Precondition,
                format!("unknown export format {:?}: html, csv or json", p.format),
            ),
        )
    })?;
    let text = call(&st.engine, move |e| e.export_story(id, format)).await?;
    Ok(([(header::CONTENT_TYPE, content_type(format))], text).into_response())
}

/// The search as CSV, with the app's whole query.
async fn search(
    _: Caller,
    State(st): State<Shared>,
    Json(mut q): Json<SearchQuery>,
) -> Result<Response, HttpError> {
    // The engine's default when the app sends none, capped so one request stays bounded.
    q.limit = Some(q.limit.unwrap_or(200).min(MAX_SEARCH_ROWS));
    let text = call(&st.engine, move |e| e.export_search(&q)).await?;
    Ok((
        [(header::CONTENT_TYPE, content_type(ExportFormat::Csv))],
        text,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::super::client_routes::tests::{add, served};
    use crate::api::{ExportFormat, SearchQuery};
    use crate::error::Code;
    use crate::remote::TeamClient;
    use crate::store::{Role, StoryFilter};

    #[tokio::test(flavor = "multi_thread")]
    async fn a_reader_gets_the_engines_export_of_a_story_and_a_search() {
        let (_dir, engine, base) = served().await;
        let r = TeamClient::connect(&base, &add(&engine, "omid", Role::Reader))
            .await
            .unwrap();
        let story = r
            .list_stories(&StoryFilter::default())
            .await
            .unwrap()
            .into_iter()
            .max_by_key(|s| s.item_count)
            .unwrap();
        for format in [ExportFormat::Html, ExportFormat::Csv, ExportFormat::Json] {
            let remote = r.export_story(story.id, format).await.unwrap();
            let local = engine.export_story(story.id, format).unwrap();
            match format {
                // The export carries the time it was made: compare all but that.
                ExportFormat::Json => {
                    let mut a: serde_json::Value = serde_json::from_str(&remote).unwrap();
                    let mut b: serde_json::Value = serde_json::from_str(&local).unwrap();
                    a["exported_at"].take();
                    b["exported_at"].take();
                    assert_eq!(a, b);
                    assert_eq!(a["summary"]["id"], story.id);
                    assert_eq!(
                        a["items"].as_array().unwrap().len() as u32,
                        story.item_count
                    );
                }
                ExportFormat::Csv => assert_eq!(remote, local),
                ExportFormat::Html => assert!(
                    remote.starts_with("<!doctype html>") && local.starts_with("<!doctype html>"),
                    "{remote:.40}"
                ),
            }
        }
        let e = r
            .export_story(i64::MAX, ExportFormat::Csv)
            .await
            .unwrap_err();
        assert_eq!(e.code, Code::Precondition, "{e}");
        let e = reqwest::Client::new()
            .get(format!("{base}/api/stories/{}/export?format=pdf", story.id))
            .bearer_auth(add(&engine, "leila", Role::Reader))
            .send()
            .await
            .unwrap();
        assert_eq!(e.status(), reqwest::StatusCode::BAD_REQUEST);
        assert!(e.text().await.unwrap().contains("html, csv or json"));

        let q = SearchQuery {
            text: "تركيه".into(),
            ..SearchQuery::default()
        };
        let csv = r.export_search(&q).await.unwrap();
        assert_eq!(csv, engine.export_search(&q).unwrap());
        assert!(csv.lines().count() > 1 && csv.contains("ترکیه"), "{csv}");
    }
}
