//! Engine `Change`s reach the webview as one event whose payload is the tagged `Change` itself.

use parallax::api::Change;
use tauri::{AppHandle, Emitter, Runtime};
use tokio::sync::broadcast::{Receiver, error::RecvError};

pub const CHANGE_EVENT: &str = "parallax://change";

pub fn forward<R: Runtime>(app: AppHandle<R>, mut rx: Receiver<Change>) {
    tauri::async_runtime::spawn(async move {
        loop {
            let change = match rx.recv().await {
                Ok(c) => c,
                // Missed events: an empty update tells the UI to reload what it shows.
                Err(RecvError::Lagged(_)) => Change::StoriesUpdated { ids: vec![] },
                Err(RecvError::Closed) => break,
            };
            if app.emit(CHANGE_EVENT, &change).is_err() {
                break;
            }
        }
    });
}

/// Emit a `Change` that did not come from the local engine (a team server's) as it would.
pub fn to_webview<R: Runtime>(app: AppHandle<R>) -> impl Fn(Change) + Send + Sync + 'static {
    move |change| {
        let _ = app.emit(CHANGE_EVENT, &change);
    }
}
