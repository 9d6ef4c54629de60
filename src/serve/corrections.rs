//! Corrections (split, move; merge is in `serve`) over HTTP: editors only, and each recorded in
//! the archive's audit log with the user's name, so a team sees who did what (`GET /api/audit`).
//! Watch and alias changes are recorded the same way (`serve::watches`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::auth::Caller;
use super::{HttpError, Shared, call};
use crate::store::Role;

/// An editor's change: check the role, run `f` on the engine, then audit it with `detail` of its
/// result. Write routes go through here, so none skips the role check or the audit row.
pub(super) async fn edit<T: Send + 'static>(
    st: &Shared,
    caller: &Caller,
    action: &'static str,
    f: impl FnOnce(&crate::api::Engine) -> Result<T, crate::api::ApiError> + Send + 'static,
    detail: impl FnOnce(&T) -> serde_json::Value,
) -> Result<T, HttpError> {
    caller.require(Role::Editor)?;
    let out = call(&st.engine, f).await?;
    record(st, caller, action, detail(&out)).await;
    Ok(out)
}

/// Write "`caller` did `action`" to the audit log and the server's log. The change itself is
/// made by then: if the audit row cannot be written the request still succeeds, and the server's
/// log keeps the record.
pub(super) async fn record(
    st: &Shared,
    caller: &Caller,
    action: &'static str,
    detail: serde_json::Value,
) {
    let user = caller.0.name.clone();
    tracing::info!(user = %user, action, %detail, "correction");
    let written = call(&st.engine, move |e| {
        e.with_store(|s| s.record_audit(&user, action, &detail.to_string()))
    })
    .await;
    if let Err(HttpError(_, e)) = written {
        tracing::warn!("audit log: {}", e.message);
    }
}

#[derive(Deserialize)]
pub(super) struct SplitBody {
    items: Vec<i64>,
}

/// Move these items of the story into a new story; answers `{"story": NEW_ID}`.
pub(super) async fn split(
    caller: Caller,
    State(st): State<Shared>,
    Path(story): Path<i64>,
    Json(body): Json<SplitBody>,
) -> Result<Response, HttpError> {
    caller.require(Role::Editor)?;
    let items = body.items.clone();
    let new = call(&st.engine, move |e| e.split_story(story, &items)).await?;
    record(
        &st,
        &caller,
        "split",
        serde_json::json!({ "story": story, "items": body.items, "new_story": new }),
    )
    .await;
    Ok(Json(serde_json::json!({ "story": new })).into_response())
}

#[derive(Deserialize)]
pub(super) struct MoveBody {
    to: i64,
}

/// Move one item to another story (pinned there: grouping leaves it).
pub(super) async fn move_item(
    caller: Caller,
    State(st): State<Shared>,
    Path(item): Path<i64>,
    Json(body): Json<MoveBody>,
) -> Result<Response, HttpError> {
    caller.require(Role::Editor)?;
    call(&st.engine, move |e| e.move_item(item, body.to)).await?;
    record(
        &st,
        &caller,
        "move",
        serde_json::json!({ "item": item, "to": body.to }),
    )
    .await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
pub(super) struct AuditParams {
    limit: Option<u32>,
}

/// Who did what, newest first: `[{"at", "user", "action", "detail"}]`.
pub(super) async fn audit(
    _: Caller,
    State(st): State<Shared>,
    Query(p): Query<AuditParams>,
) -> Result<Response, HttpError> {
    let limit = p.limit.unwrap_or(100).min(1000) as usize;
    let rows = call(&st.engine, move |e| e.with_store(|s| s.audit_log(limit))).await?;
    let list: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|(at, user, action, detail)| {
            serde_json::json!({
                "at": at,
                "user": user,
                "action": action,
                "detail": serde_json::from_str::<serde_json::Value>(&detail).unwrap_or(serde_json::Value::String(detail)),
            })
        })
        .collect();
    Ok(Json(list).into_response())
}
