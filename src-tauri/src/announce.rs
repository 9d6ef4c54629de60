//! Desktop notifications for alerts. Each due alert is claimed from the archive (so the app and a
//! `parallax watch` on the same archive never both announce it), shown as a notification, and
//! reported to the webview, which refreshes its alerts list.

use std::time::Duration;

use parallax::api::{AlertView, Change, Engine};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::{Notification, NotificationExt};
use tokio::sync::broadcast::error::RecvError;

/// Emitted with the alerts just announced (`AlertView[]`).
pub const ALERTS_ANNOUNCED_EVENT: &str = "parallax://alerts-announced";

/// Alerts held by quiet hours come due without any event: look this often as well.
const DUE_CHECK: Duration = Duration::from_secs(30);

pub fn start<R: Runtime>(app: AppHandle<R>, engine: Engine) {
    let mut events = engine.subscribe();
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(DUE_CHECK);
        loop {
            tokio::select! {
                ev = events.recv() => match ev {
                    Ok(Change::AlertsRaised { .. }) | Err(RecvError::Lagged(_)) => {}
                    Ok(_) => continue,
                    Err(RecvError::Closed) => break,
                },
                _ = tick.tick() => {}
            }
            announce_due(&app, &engine).await;
        }
    });
}

async fn announce_due<R: Runtime>(app: &AppHandle<R>, engine: &Engine) {
    let e = engine.clone();
    let alerts = match tauri::async_runtime::spawn_blocking(move || e.take_due_alerts()).await {
        Ok(Ok(a)) => a,
        Ok(Err(err)) => {
            eprintln!("parallax: alerts: {err}");
            return;
        }
        Err(err) => {
            eprintln!("parallax: alerts: {err}");
            return;
        }
    };
    if alerts.is_empty() {
        return;
    }
    // Without the plugin (the IPC tests' mock app) the alerts are still listed in the app.
    if app.try_state::<Notification<R>>().is_some() {
        for a in &alerts {
            let (title, body) = notification_text(a);
            if let Err(err) = app.notification().builder().title(title).body(body).show() {
                eprintln!("parallax: notification for alert {}: {err}", a.id);
            }
        }
    }
    let _ = app.emit(ALERTS_ANNOUNCED_EVENT, &alerts);
}

/// "Watch name: reason" over the headline and where it came from.
pub fn notification_text(a: &AlertView) -> (String, String) {
    let title = if a.reason.is_empty() || a.reason == a.watch_name {
        a.watch_name.clone()
    } else {
        format!("{}: {}", a.watch_name, a.reason)
    };
    let body = if a.source_name.is_empty() {
        a.title.clone()
    } else {
        format!("{}\n{}", a.title, a.source_name)
    };
    (title, body)
}
