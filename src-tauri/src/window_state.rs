//! Window size and position are saved shortly after each move or resize, not only on a clean
//! exit (all the window-state plugin does by itself): a killed or crashed app keeps them too.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tauri::{Manager, Runtime, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// A drag or resize sends a burst of events; write once it settles.
const SETTLE: Duration = Duration::from_millis(500);

pub fn save_on_change<R: Runtime>(app: &tauri::AppHandle<R>) {
    for window in app.webview_windows().into_values() {
        let app = app.clone();
        let generation = Arc::new(AtomicU64::new(0));
        window.on_window_event(move |e| {
            if !matches!(e, WindowEvent::Moved(_) | WindowEvent::Resized(_)) {
                return;
            }
            let mine = generation.fetch_add(1, Ordering::SeqCst) + 1;
            let generation = generation.clone();
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                tokio::time::sleep(SETTLE).await;
                if generation.load(Ordering::SeqCst) == mine
                    && let Err(e) = app.save_window_state(StateFlags::all())
                {
                    eprintln!("parallax: could not save the window state: {e}");
                }
            });
        });
    }
}
