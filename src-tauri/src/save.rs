//! Where an export is written: only a path the user picked in the system's save dialog. The UI
//! never names a path. The E2E suite cannot drive a native dialog, so `scripts/e2e.sh` sets
//! `PARALLAX_E2E_EXPORT_DIR` and the shell then saves into that directory instead of asking.

use std::path::PathBuf;

use parallax::api::{ApiError, ApiResult};
use parallax::error::Code;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;

/// Set by `scripts/e2e.sh` only: save exports into this directory without a dialog.
pub const E2E_EXPORT_DIR: &str = "PARALLAX_E2E_EXPORT_DIR";

/// How the shell obtains the path to save to (registered as app state).
#[derive(Debug, Clone, PartialEq)]
pub enum SaveTarget {
    /// Ask the user with the save dialog (the app).
    Dialog,
    /// Save into this directory under the suggested name (E2E and IPC tests).
    Directory(PathBuf),
}

impl SaveTarget {
    pub fn from_env() -> SaveTarget {
        match std::env::var_os(E2E_EXPORT_DIR) {
            Some(d) if !d.is_empty() => SaveTarget::Directory(PathBuf::from(d)),
            _ => SaveTarget::Dialog,
        }
    }
}

/// A file to save: the name the dialog suggests and its type.
pub struct SaveRequest {
    pub file_name: String,
    pub filter_name: &'static str,
    pub extension: &'static str,
}

/// Ask where to save (per the app's `SaveTarget`), then write `contents` there. `None`: the user
/// cancelled and nothing was written.
pub async fn save<R: Runtime>(
    app: &AppHandle<R>,
    request: SaveRequest,
    contents: String,
) -> ApiResult<Option<String>> {
    let target = app
        .try_state::<SaveTarget>()
        .map(|s| s.inner().clone())
        .unwrap_or(SaveTarget::Dialog);
    let path = match target {
        SaveTarget::Directory(dir) => dir.join(&request.file_name),
        SaveTarget::Dialog => match pick(app, &request).await? {
            Some(p) => p,
            None => return Ok(None),
        },
    };
    let shown = path.display().to_string();
    tauri::async_runtime::spawn_blocking(move || std::fs::write(&path, contents))
        .await
        .map_err(|e| {
            ApiError::new(
                Code::Internal,
                format!("export: background task failed: {e}"),
            )
        })?
        .map_err(|e| ApiError::new(Code::Storage, format!("export: cannot write {shown}: {e}")))?;
    Ok(Some(shown))
}

async fn pick<R: Runtime>(app: &AppHandle<R>, request: &SaveRequest) -> ApiResult<Option<PathBuf>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app
        .dialog()
        .file()
        .set_title("Export")
        .set_file_name(&request.file_name)
        .add_filter(request.filter_name, &[request.extension]);
    // Modal to the app's window, so it opens over it rather than somewhere on the desktop.
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    dialog.save_file(move |picked| {
        // The receiver only goes away if the command was dropped; nothing to tell then.
        let _ = tx.send(picked);
    });
    let Ok(Some(picked)) = rx.await else {
        return Ok(None);
    };
    picked
        .into_path()
        .map(Some)
        .map_err(|e| ApiError::precondition(format!("export: not a file path: {e}")))
}
