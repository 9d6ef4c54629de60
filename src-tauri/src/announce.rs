//! Desktop notifications for alerts. Each due alert is claimed from the archive (so the app and a
//! `parallax watch` on the same archive never both announce it), shown as a notification, and
//! reported to the webview, which refreshes its alerts list.
//!
//! A click on a notification opens its story: the notification plugin (2.6 and later) reports
//! a click on desktop as the action `tap` (on Linux through the notification server's
//! `ActionInvoked` D-Bus signal, for servers that support actions), carrying the notification's
//! `extra` payload, where the alert and story ids travel.

use std::time::Duration;

use parallax::api::{AlertView, Change, Engine};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::{ActionPerformed, Notification, NotificationExt};
use tokio::sync::broadcast::error::RecvError;

/// Emitted with the alerts just announced (`AlertView[]`).
pub const ALERTS_ANNOUNCED_EVENT: &str = "parallax://alerts-announced";
/// Emitted when the user clicked an alert's notification (`OpenStory`): the UI opens the story.
pub const OPEN_STORY_EVENT: &str = "parallax://open-story";

/// What a notification click asks the UI to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OpenStory {
    pub story_id: i64,
    pub alert_id: i64,
}

/// The story a notification action opens: a click on the notification (`tap`) of an alert.
pub fn story_of_action(action: &ActionPerformed) -> Option<OpenStory> {
    if action.action_id() != "tap" {
        return None;
    }
    let extra = action.notification()?.extra();
    Some(OpenStory {
        story_id: extra.get("story_id")?.as_i64()?,
        alert_id: extra.get("alert_id")?.as_i64()?,
    })
}

/// Open the clicked alert's story: raise the window, mark the alert seen (the user is looking at
/// it now), and tell the webview.
fn on_click<R: Runtime>(app: &AppHandle<R>, engine: &Engine, open: OpenStory) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
    if let Err(err) = engine.mark_alert_seen(open.alert_id) {
        eprintln!("parallax: alert {}: {err}", open.alert_id);
    }
    let _ = app.emit(OPEN_STORY_EVENT, open);
}

/// Alerts held by quiet hours come due without any event: look this often as well.
const DUE_CHECK: Duration = Duration::from_secs(30);

pub fn start<R: Runtime>(app: AppHandle<R>, engine: Engine) {
    // Registered before the first notification: those shown earlier would report nothing.
    if app.try_state::<Notification<R>>().is_some() {
        let (handle, e) = (app.clone(), engine.clone());
        let _ = app.notification().on_action(move |action| {
            if let Some(open) = story_of_action(action) {
                on_click(&handle, &e, open);
            }
        });
    }
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
            let shown = app
                .notification()
                .builder()
                .id(notification_id(a.id))
                .title(title)
                .body(body)
                .extra("alert_id", a.id)
                .extra("story_id", a.story_id)
                .show();
            if let Err(err) = shown {
                eprintln!("parallax: notification for alert {}: {err}", a.id);
            }
        }
    }
    let _ = app.emit(ALERTS_ANNOUNCED_EVENT, &alerts);
}

/// The plugin's notification id is an `i32`; alert ids stay well below that, and the story
/// travels in `extra` anyway.
fn notification_id(alert_id: i64) -> i32 {
    (alert_id % i64::from(i32::MAX)) as i32
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
