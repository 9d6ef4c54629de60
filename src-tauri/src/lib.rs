//! Parallax desktop shell: opens the engine, forwards its events to the webview, and exposes one
//! short list of commands, each a single call into `parallax::api`. No SQL and no logic here.

mod announce;
mod command_names;
mod commands;
mod events;
mod save;
mod team;
mod window_state;

use parallax::api::{Engine, EngineConfig};
use tauri::{Manager, Runtime};

pub use announce::{
    ALERTS_ANNOUNCED_EVENT, OPEN_STORY_EVENT, OpenStory, notification_text, story_of_action,
};
pub use command_names::COMMANDS;
pub use commands::handler;
pub use events::CHANGE_EVENT;
pub use save::{E2E_EXPORT_DIR, SaveTarget};
pub use team::{ArchiveInfo, Team};

/// The archive the app opens: `PARALLAX_DB` when set (E2E uses a temporary one), else the same
/// platform location the CLI uses, so both see one archive.
pub fn engine_config() -> EngineConfig {
    EngineConfig::new(EngineConfig::default_db_path())
}

/// Open the engine, register it as state and start forwarding its events to the webview.
pub fn attach<R: Runtime>(
    app: &tauri::AppHandle<R>,
    config: EngineConfig,
) -> Result<(), parallax::api::ApiError> {
    let engine = Engine::open(config)?;
    events::forward(app.clone(), engine.subscribe());
    announce::start(app.clone(), engine.clone());
    app.manage(engine.clone());
    engine.preload_model();
    // Carry and framing of multilingual stories are prepared as refreshes change them.
    engine.prepare_analyses_in_background();
    // The fetch scheduler runs in the background for the app's lifetime; the UI hears of it
    // through events only.
    tauri::async_runtime::spawn(async move {
        if let Err(e) = engine.watch(std::future::pending()).await {
            eprintln!("parallax: scheduler stopped: {e}");
        }
    });
    Ok(())
}

/// Without a GPU, WebKitGTK composites through Mesa's software GL (llvmpipe): measured on a
/// 100k-item archive, ~270 MB more across the app and 12x slower scroll frames than its plain
/// software painter, for a window of text. A user's own `WEBKIT_DISABLE_COMPOSITING_MODE` wins.
fn software_rendering_defaults() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none()
        && !std::path::Path::new("/dev/dri").exists()
    {
        // SAFETY: called first thing in `run`, before any thread is started.
        unsafe { std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1") };
    }
}

pub fn run() {
    software_rendering_defaults();
    tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            app.manage(SaveTarget::from_env());
            // The team archive choice is kept with the app's other settings (window state).
            let team = Team::new(app.path().app_config_dir()?.join("team.json"));
            team.on_change(events::to_webview(app.handle().clone()));
            app.manage(team);
            attach(app.handle(), engine_config())?;
            window_state::save_on_change(app.handle());
            Ok(())
        })
        .invoke_handler(handler())
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("parallax: the app could not start: {e}");
            std::process::exit(1);
        });
}
