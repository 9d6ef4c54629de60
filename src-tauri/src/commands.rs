//! The commands the UI calls. Each is one call into `parallax::api`, run on a blocking thread
//! (SQLite is synchronous) so the UI thread never waits; errors cross IPC as `{ code, message }`.

use parallax::api::{
    AlertView, AliasGroup, ApiError, ApiResult, ArticleBrief, ArticleView, Change, DemoReport,
    Engine, Explanation, ExportFormat, ImportReport, ModelState, NewWatch, RelatedStories,
    SearchGroup, SearchQuery, SeenReport, Settings, SourceView, StatusLine, StoryCarry,
    StoryDetail, StoryFraming, StorySummary, WatchAdded,
};
use parallax::error::Code;
use parallax::model::Source;
use parallax::store::StoryFilter;
use parallax::watch::Watch;
use tauri::{AppHandle, Emitter, Runtime, State, ipc::Invoke};

use crate::events::CHANGE_EVENT;
use crate::save::{SaveRequest, save};
use crate::team::{ArchiveInfo, Feature, Team};

/// The handler for every command below (also used by the IPC tests).
pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        status,
        data_location,
        list_stories,
        get_story,
        story_carry,
        story_framing,
        related_stories,
        explain_item,
        search,
        list_sources,
        add_source,
        refresh,
        set_source_enabled,
        remove_source,
        import_opml,
        export_opml,
        load_demo_archive,
        settings,
        update_settings,
        move_item,
        split_story,
        merge_stories,
        install_model,
        regroup_all,
        watches,
        add_watch,
        remove_watch,
        aliases,
        add_alias,
        remove_alias,
        alerts,
        export_story,
        export_search,
        archive_info,
        connect_team,
        use_local_archive,
        mark_alert_seen,
        mark_all_alerts_seen,
        unseen_alert_count,
        article,
        article_statuses,
        fetch_article,
    ]
}

/// After a correction on the team server: the views reload as after a local one (the local
/// engine announces its own changes; the server does not push them to the app yet).
fn stories_changed<R: Runtime>(app: &AppHandle<R>, ids: Vec<i64>) {
    let _ = app.emit(CHANGE_EVENT, &Change::StoriesUpdated { ids });
}

/// Which archive is shown (local or team), the saved server, who the token belongs to.
#[tauri::command]
async fn archive_info(team: State<'_, Team>) -> ApiResult<ArchiveInfo> {
    Ok(team.info().await)
}

/// Check the server and the token, then show the team archive (an empty token: the saved one).
#[tauri::command]
async fn connect_team<R: Runtime>(
    app: AppHandle<R>,
    team: State<'_, Team>,
    server: String,
    token: String,
) -> ApiResult<ArchiveInfo> {
    let info = team.connect(&server, &token).await?;
    stories_changed(&app, vec![]);
    Ok(info)
}

#[tauri::command]
async fn use_local_archive<R: Runtime>(
    app: AppHandle<R>,
    team: State<'_, Team>,
) -> ApiResult<ArchiveInfo> {
    let info = team.use_local().await?;
    stories_changed(&app, vec![]);
    Ok(info)
}

async fn blocking<T: Send + 'static>(
    engine: &Engine,
    f: impl FnOnce(&Engine) -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    let engine = engine.clone();
    tauri::async_runtime::spawn_blocking(move || f(&engine))
        .await
        .map_err(|e| ApiError::new(Code::Internal, format!("app: background task failed: {e}")))?
}

#[tauri::command]
async fn status(engine: State<'_, Engine>, team: State<'_, Team>) -> ApiResult<StatusLine> {
    if let Some(c) = team.client().await {
        return c.status().await;
    }
    blocking(&engine, |e| e.status()).await
}

/// Where the archive shown lives: the local file, or the team server's address.
#[tauri::command]
async fn data_location(engine: State<'_, Engine>, team: State<'_, Team>) -> ApiResult<String> {
    Ok(match team.client().await {
        Some(c) => c.server().to_string(),
        None => engine.db_path().display().to_string(),
    })
}

#[tauri::command]
async fn list_stories(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    filter: StoryFilter,
) -> ApiResult<Vec<StorySummary>> {
    if let Some(c) = team.client().await {
        return c.list_stories(&filter).await;
    }
    blocking(&engine, move |e| e.list_stories(&filter)).await
}

#[tauri::command]
async fn get_story(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    story_id: i64,
) -> ApiResult<StoryDetail> {
    if let Some(c) = team.client().await {
        return c.get_story(story_id).await;
    }
    blocking(&engine, move |e| e.get_story(story_id)).await
}

#[tauri::command]
async fn story_carry(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    story_id: i64,
) -> ApiResult<StoryCarry> {
    if let Some(c) = team.client().await {
        return c.story_carry(story_id).await;
    }
    blocking(&engine, move |e| e.story_carry(story_id)).await
}

#[tauri::command]
async fn story_framing(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    story_id: i64,
) -> ApiResult<StoryFraming> {
    if let Some(c) = team.client().await {
        return c.story_framing(story_id).await;
    }
    blocking(&engine, move |e| e.story_framing(story_id)).await
}

#[tauri::command]
async fn related_stories(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    story_id: i64,
    limit: u32,
) -> ApiResult<RelatedStories> {
    if let Some(c) = team.client().await {
        return c.related_stories(story_id, limit).await;
    }
    blocking(&engine, move |e| {
        e.related_stories(story_id, limit.min(50) as usize)
    })
    .await
}

#[tauri::command]
async fn explain_item(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    item_id: i64,
) -> ApiResult<(i64, Explanation)> {
    if let Some(c) = team.client().await {
        return c.explain_item(item_id).await;
    }
    blocking(&engine, move |e| e.explain_item(item_id)).await
}

#[tauri::command]
async fn search(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    query: SearchQuery,
) -> ApiResult<Vec<SearchGroup>> {
    if let Some(c) = team.client().await {
        return c.search(&query).await;
    }
    blocking(&engine, move |e| e.search(&query)).await
}

#[tauri::command]
async fn list_sources(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
) -> ApiResult<Vec<SourceView>> {
    if let Some(c) = team.client().await {
        return c.list_sources().await;
    }
    blocking(&engine, |e| e.list_sources()).await
}

/// Feed or homepage URL; the engine fetches it once to check it (async, on the tokio runtime).
#[tauri::command]
async fn add_source(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    url: String,
) -> ApiResult<Source> {
    if let Some(c) = team.client().await {
        return c.add_source(&url).await;
    }
    engine.add_source(&url).await
}

/// "Refresh now": every enabled source, or one; progress arrives as events.
#[tauri::command]
async fn refresh(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    source_id: Option<String>,
) -> ApiResult<()> {
    team.local_only(Feature::Refresh).await?;
    engine.refresh(source_id.as_deref(), true).await.map(|_| ())
}

#[tauri::command]
async fn set_source_enabled(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    source_id: String,
    enabled: bool,
) -> ApiResult<()> {
    if let Some(c) = team.client().await {
        return c.set_source_enabled(&source_id, enabled).await;
    }
    blocking(&engine, move |e| e.set_source_enabled(&source_id, enabled)).await
}

#[tauri::command]
async fn remove_source(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    source_id: String,
) -> ApiResult<()> {
    if let Some(c) = team.client().await {
        return c.remove_source(&source_id).await;
    }
    blocking(&engine, move |e| e.remove_source(&source_id)).await
}

#[tauri::command]
async fn import_opml(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    text: String,
) -> ApiResult<ImportReport> {
    if let Some(c) = team.client().await {
        return c.import_opml(&text).await;
    }
    blocking(&engine, move |e| e.import_opml(&text)).await
}

#[tauri::command]
async fn export_opml(engine: State<'_, Engine>, team: State<'_, Team>) -> ApiResult<String> {
    if let Some(c) = team.client().await {
        return c.export_opml().await;
    }
    blocking(&engine, |e| e.export_opml()).await
}

/// The bundled demo archive (Wikipedia "In the news", CC BY-SA 3.0), for a first look offline.
#[tauri::command]
async fn load_demo_archive(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
) -> ApiResult<DemoReport> {
    team.local_only(Feature::Demo).await?;
    blocking(&engine, |e| e.load_demo_archive(None)).await
}

#[tauri::command]
async fn settings(engine: State<'_, Engine>) -> ApiResult<Settings> {
    blocking(&engine, |e| e.settings()).await
}

#[tauri::command]
async fn update_settings(engine: State<'_, Engine>, settings: Settings) -> ApiResult<Settings> {
    blocking(&engine, move |e| e.update_settings(&settings)).await
}

#[tauri::command]
async fn move_item<R: Runtime>(
    app: AppHandle<R>,
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    item_id: i64,
    to_story: i64,
) -> ApiResult<()> {
    if let Some(c) = team.client().await {
        return c
            .move_item(item_id, to_story)
            .await
            .inspect(|_| stories_changed(&app, vec![to_story]));
    }
    blocking(&engine, move |e| e.move_item(item_id, to_story)).await
}

#[tauri::command]
async fn split_story<R: Runtime>(
    app: AppHandle<R>,
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    story_id: i64,
    item_ids: Vec<i64>,
) -> ApiResult<i64> {
    if let Some(c) = team.client().await {
        return c
            .split_story(story_id, &item_ids)
            .await
            .inspect(|new| stories_changed(&app, vec![story_id, *new]));
    }
    blocking(&engine, move |e| e.split_story(story_id, &item_ids)).await
}

#[tauri::command]
async fn merge_stories<R: Runtime>(
    app: AppHandle<R>,
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    into: i64,
    from: i64,
) -> ApiResult<()> {
    if let Some(c) = team.client().await {
        return c
            .merge_stories(into, from)
            .await
            .inspect(|_| stories_changed(&app, vec![into, from]));
    }
    blocking(&engine, move |e| e.merge_stories(into, from)).await
}

#[tauri::command]
async fn install_model(engine: State<'_, Engine>, team: State<'_, Team>) -> ApiResult<ModelState> {
    team.local_only(Feature::Model).await?;
    blocking(&engine, |e| e.install_model()).await
}

/// Regroup the whole archive (after installing the model or changing the window); corrections stay.
#[tauri::command]
async fn regroup_all(engine: State<'_, Engine>, team: State<'_, Team>) -> ApiResult<u32> {
    team.local_only(Feature::Regroup).await?;
    blocking(&engine, |e| e.regroup_all().map(|n| n as u32)).await
}

#[tauri::command]
async fn watches(engine: State<'_, Engine>, team: State<'_, Team>) -> ApiResult<Vec<Watch>> {
    if let Some(c) = team.client().await {
        return c.watches().await;
    }
    blocking(&engine, |e| e.watches()).await
}

/// Add a watch; with `backfill` it also runs over the archive already stored.
#[tauri::command]
async fn add_watch(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    watch: NewWatch,
) -> ApiResult<WatchAdded> {
    if let Some(c) = team.client().await {
        return c.add_watch(&watch).await;
    }
    blocking(&engine, move |e| e.add_watch(&watch)).await
}

#[tauri::command]
async fn remove_watch(engine: State<'_, Engine>, team: State<'_, Team>, id: i64) -> ApiResult<()> {
    if let Some(c) = team.client().await {
        return c.remove_watch(id).await;
    }
    blocking(&engine, move |e| e.remove_watch(id)).await
}

#[tauri::command]
async fn aliases(engine: State<'_, Engine>, team: State<'_, Team>) -> ApiResult<Vec<AliasGroup>> {
    if let Some(c) = team.client().await {
        return c.aliases().await;
    }
    blocking(&engine, |e| e.aliases()).await
}

#[tauri::command]
async fn add_alias(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    spellings: Vec<String>,
) -> ApiResult<AliasGroup> {
    if let Some(c) = team.client().await {
        return c.add_alias(&spellings).await;
    }
    blocking(&engine, move |e| e.add_alias(&spellings)).await
}

#[tauri::command]
async fn remove_alias(engine: State<'_, Engine>, team: State<'_, Team>, id: i64) -> ApiResult<()> {
    if let Some(c) = team.client().await {
        return c.remove_alias(id).await;
    }
    blocking(&engine, move |e| e.remove_alias(id)).await
}

/// Alerts, newest first, one per watch and story.
#[tauri::command]
async fn alerts(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    limit: u32,
) -> ApiResult<Vec<AlertView>> {
    if let Some(c) = team.client().await {
        return c.alerts(limit).await;
    }
    blocking(&engine, move |e| e.alerts(None, limit as usize)).await
}

/// Mark one alert seen in the archive (the CLI and every app on it then agree).
#[tauri::command]
async fn mark_alert_seen(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    id: i64,
) -> ApiResult<SeenReport> {
    if let Some(c) = team.client().await {
        return c.mark_alert_seen(id).await;
    }
    blocking(&engine, move |e| e.mark_alert_seen(id)).await
}

/// Mark every alert up to `up_to` (the newest the list showed) seen; `None`: all.
#[tauri::command]
async fn mark_all_alerts_seen(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    up_to: Option<i64>,
) -> ApiResult<SeenReport> {
    if let Some(c) = team.client().await {
        return c.mark_all_alerts_seen(up_to).await;
    }
    blocking(&engine, move |e| e.mark_all_alerts_seen(up_to)).await
}

/// Alerts not marked seen, one per watch and story (the navigation badge).
#[tauri::command]
async fn unseen_alert_count(engine: State<'_, Engine>, team: State<'_, Team>) -> ApiResult<u32> {
    if let Some(c) = team.client().await {
        return c.unseen_alert_count().await;
    }
    blocking(&engine, |e| e.unseen_alert_count()).await
}

/// An item's stored article text, or why it has none.
#[tauri::command]
async fn article(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    item_id: i64,
) -> ApiResult<ArticleView> {
    if let Some(c) = team.client().await {
        return c.article(item_id).await;
    }
    blocking(&engine, move |e| e.article(item_id)).await
}

/// Which of a story's items have their article text stored.
#[tauri::command]
async fn article_statuses(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    item_ids: Vec<i64>,
) -> ApiResult<Vec<ArticleBrief>> {
    if let Some(c) = team.client().await {
        return c.article_statuses(&item_ids).await;
    }
    blocking(&engine, move |e| e.article_statuses(&item_ids)).await
}

/// "Fetch full text": the same engine call as `parallax items fulltext ID` (robots.txt, size
/// and type caps); a failed page is recorded on the item and shown with it.
#[tauri::command]
async fn fetch_article(
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    item_id: i64,
) -> ApiResult<ArticleView> {
    if let Some(c) = team.client().await {
        return c.fetch_article(item_id).await;
    }
    engine.fetch_article_now(item_id).await
}

/// Export a story to the file the user picks; `None` when the dialog was cancelled.
#[tauri::command]
async fn export_story<R: Runtime>(
    app: AppHandle<R>,
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    story_id: i64,
    format: ExportFormat,
) -> ApiResult<Option<String>> {
    // On a team archive the server makes the file (the same engine call); it is saved here.
    let text = match team.client().await {
        Some(c) => c.export_story(story_id, format).await?,
        None => blocking(&engine, move |e| e.export_story(story_id, format)).await?,
    };
    let request = SaveRequest {
        file_name: format!("parallax-story-{story_id}.{}", format.extension()),
        filter_name: match format {
            ExportFormat::Html => "HTML report",
            ExportFormat::Csv => "CSV",
            ExportFormat::Json => "JSON",
        },
        extension: format.extension(),
    };
    save(&app, request, text).await
}

/// Export a search result as CSV to the file the user picks; `None` when cancelled.
#[tauri::command]
async fn export_search<R: Runtime>(
    app: AppHandle<R>,
    engine: State<'_, Engine>,
    team: State<'_, Team>,
    query: SearchQuery,
) -> ApiResult<Option<String>> {
    let text = match team.client().await {
        Some(c) => c.export_search(&query).await?,
        None => blocking(&engine, move |e| e.export_search(&query)).await?,
    };
    let request = SaveRequest {
        file_name: "parallax-search.csv".to_string(),
        filter_name: "CSV",
        extension: "csv",
    };
    save(&app, request, text).await
}
