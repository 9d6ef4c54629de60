//! Parallax desktop shell: opens the engine, forwards its events to the webview, and exposes one
//! short list of commands, each a single call into `parallax::api`. No SQL and no logic here.

mod command_names;
mod commands;
mod events;
mod window_state;

use parallax::api::{Engine, EngineConfig};
use tauri::{Manager, Runtime};

pub use command_names::COMMANDS;
pub use commands::handler;
pub use events::CHANGE_EVENT;

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
    app.manage(engine.clone());
    engine.preload_model();
    // The fetch scheduler runs in the background for the app's lifetime; the UI hears of it
    // through events only.
    tauri::async_runtime::spawn(async move {
        if let Err(e) = engine.watch(std::future::pending()).await {
            eprintln!("parallax: scheduler stopped: {e}");
        }
    });
    Ok(())
}

pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .setup(|app| {
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
