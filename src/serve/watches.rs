//! Watches and name spellings (aliases) on a team archive. Both are the team's, not one user's:
//! the server's pipeline runs every watch over what arrives, and the alerts (and whether they
//! were seen) are shared triage state; aliases change what every watch matches. So anyone may
//! list them, editors change them, each change goes to the audit log with the user's name, and a
//! watch records who added it (`Watch::created_by`) so the app can say whose it is.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::Deserialize;

use super::auth::Caller;
use super::corrections::{edit, record};
use super::{HttpError, Shared, call};
use crate::api::NewWatch;
use crate::store::Role;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/watches", get(list).post(add))
        .route("/api/watches/:id", delete(remove))
        .route("/api/aliases", get(aliases).post(add_alias))
        .route("/api/aliases/:id", delete(remove_alias))
}

/// Every watch of the archive, oldest first, each with who added it.
async fn list(_: Caller, State(st): State<Shared>) -> Result<Response, HttpError> {
    let list = call(&st.engine, |e| e.watches()).await?;
    Ok(Json(list).into_response())
}

/// Add a watch (the app's `NewWatch` JSON); answers `WatchAdded` with the creator named.
async fn add(
    caller: Caller,
    State(st): State<Shared>,
    Json(body): Json<NewWatch>,
) -> Result<Response, HttpError> {
    caller.require(Role::Editor)?;
    let user = caller.0.name.clone();
    let added = call(&st.engine, move |e| {
        let mut added = e.add_watch(&body)?;
        // Like the audit row, the creator is a record of the change, not the change: if it
        // cannot be written (a SQLite-backed server keeps no creators) the watch stays added.
        match e.with_store(|s| s.set_watch_creator(added.watch.id, &user)) {
            Ok(()) => added.watch.created_by = Some(user),
            Err(err) => tracing::warn!("watch {} creator: {}", added.watch.id, err.message),
        }
        Ok(added)
    })
    .await?;
    record(
        &st,
        &caller,
        "add_watch",
        serde_json::json!({ "watch": added.watch.id, "name": added.watch.name }),
    )
    .await;
    Ok((StatusCode::CREATED, Json(added)).into_response())
}

/// Remove a watch and its alerts (any editor may remove any watch: they are the team's).
async fn remove(
    caller: Caller,
    State(st): State<Shared>,
    Path(id): Path<i64>,
) -> Result<Response, HttpError> {
    edit(
        &st,
        &caller,
        "remove_watch",
        move |e| e.remove_watch(id),
        |_| serde_json::json!({ "watch": id }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn aliases(_: Caller, State(st): State<Shared>) -> Result<Response, HttpError> {
    let list = call(&st.engine, |e| e.aliases()).await?;
    Ok(Json(list).into_response())
}

#[derive(Deserialize)]
struct AliasBody {
    spellings: Vec<String>,
}

/// Add a group of spellings of one name; answers the `AliasGroup` as stored (trimmed, deduped).
async fn add_alias(
    caller: Caller,
    State(st): State<Shared>,
    Json(body): Json<AliasBody>,
) -> Result<Response, HttpError> {
    let group = edit(
        &st,
        &caller,
        "add_alias",
        move |e| e.add_alias(&body.spellings),
        |g| serde_json::json!({ "alias": g.id, "spellings": g.spellings }),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(group)).into_response())
}

async fn remove_alias(
    caller: Caller,
    State(st): State<Shared>,
    Path(id): Path<i64>,
) -> Result<Response, HttpError> {
    edit(
        &st,
        &caller,
        "remove_alias",
        move |e| e.remove_alias(id),
        |_| serde_json::json!({ "alias": id }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    //! The routes through the app's client, on loopback over the demo archive.

    use super::super::client_routes::tests::{add, served};
    use crate::api::NewWatch;
    use crate::error::Code;
    use crate::remote::TeamClient;
    use crate::store::Role;
    use crate::watch::WatchRule;

    fn turkey() -> NewWatch {
        NewWatch {
            name: Some("Turkey".into()),
            rule: WatchRule::Terms {
                terms: vec!["Turkey".into()],
            },
            backfill: true,
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn watches_are_listed_to_readers_and_changed_by_editors() {
        let (_dir, engine, base) = served().await;
        let r = TeamClient::connect(&base, &add(&engine, "omid", Role::Reader))
            .await
            .unwrap();
        let w = TeamClient::connect(&base, &add(&engine, "maryam", Role::Editor))
            .await
            .unwrap();
        assert!(r.watches().await.unwrap().is_empty());

        let e = r.add_watch(&turkey()).await.unwrap_err();
        assert!(e.message.contains("omid is a reader"), "{e}");
        assert!(r.watches().await.unwrap().is_empty(), "nothing added");

        let added = w.add_watch(&turkey()).await.unwrap();
        assert!(added.backfilled > 0, "the demo archive mentions Turkey");
        let listed = r.watches().await.unwrap();
        assert_eq!(listed.len(), 1);
        // The archive keeps whole seconds; the answer to the add has the clock's time.
        assert_eq!(
            (listed[0].id, &listed[0].name, &listed[0].rule),
            (added.watch.id, &added.watch.name, &added.watch.rule)
        );
        assert!(!r.alerts(10).await.unwrap().is_empty(), "backfilled alerts");

        // The engine's own refusal crosses as it is.
        let e = w
            .add_watch(&NewWatch {
                name: None,
                rule: WatchRule::Terms { terms: vec![] },
                backfill: false,
            })
            .await
            .unwrap_err();
        assert_eq!(e.code, Code::Precondition, "{e}");

        let e = r.remove_watch(added.watch.id).await.unwrap_err();
        assert!(e.message.contains("omid is a reader"), "{e}");
        w.remove_watch(added.watch.id).await.unwrap();
        assert!(r.watches().await.unwrap().is_empty());
        let e = w.remove_watch(added.watch.id).await.unwrap_err();
        assert_eq!(e.code, Code::Precondition, "already gone: {e}");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn aliases_are_listed_to_readers_and_changed_by_editors() {
        let (_dir, engine, base) = served().await;
        let r = TeamClient::connect(&base, &add(&engine, "omid", Role::Reader))
            .await
            .unwrap();
        let w = TeamClient::connect(&base, &add(&engine, "maryam", Role::Editor))
            .await
            .unwrap();
        let spellings = vec![" Soleimani ".to_string(), "سلیمانی".to_string()];

        let e = r.add_alias(&spellings).await.unwrap_err();
        assert!(e.message.contains("omid is a reader"), "{e}");
        assert!(r.aliases().await.unwrap().is_empty());

        let group = w.add_alias(&spellings).await.unwrap();
        assert_eq!(group.spellings, vec!["Soleimani", "سلیمانی"], "trimmed");
        assert_eq!(r.aliases().await.unwrap(), vec![group.clone()]);
        let e = w.add_alias(&["one".to_string()]).await.unwrap_err();
        assert!(e.message.contains("two different spellings"), "{e}");

        let e = r.remove_alias(group.id).await.unwrap_err();
        assert!(e.message.contains("omid is a reader"), "{e}");
        w.remove_alias(group.id).await.unwrap();
        assert!(r.aliases().await.unwrap().is_empty());
    }
}
