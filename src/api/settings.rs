//! User settings, stored in the archive so they travel with it.

use serde::{Deserialize, Serialize};

use super::{ApiError, ApiResult, Engine};
use crate::error::Code;
use crate::model::Lang;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(default)]
pub struct Settings {
    /// Languages the detector chooses among.
    pub languages: Vec<Lang>,
    /// Stories older than this stop attracting new items.
    pub grouping_window_hours: u32,
    /// Default refresh interval for sources, in minutes.
    pub refresh_minutes: u32,
    /// "system", "light" or "dark".
    pub theme: String,
    /// Alerts raised inside this daily period wait until it ends (none: announce at once).
    pub quiet_hours: Option<crate::watch::QuietHours>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            languages: vec![Lang::Ar, Lang::Fa, Lang::En, Lang::Ur],
            grouping_window_hours: 7 * 24,
            refresh_minutes: 15,
            theme: "system".into(),
            quiet_hours: None,
        }
    }
}

const KEY: &str = "settings";

impl Engine {
    pub fn settings(&self) -> ApiResult<Settings> {
        let raw = self.with_store(|s| s.setting(KEY))?;
        Ok(raw
            .and_then(|r| serde_json::from_str(&r).ok())
            .unwrap_or_default())
    }

    pub fn update_settings(&self, new: &Settings) -> ApiResult<Settings> {
        if new.languages.is_empty() {
            return Err(ApiError::precondition(
                "settings: choose at least one language",
            ));
        }
        if !(1..=24 * 60).contains(&new.grouping_window_hours) {
            return Err(ApiError::precondition(
                "settings: the grouping window must be between 1 hour and 60 days",
            ));
        }
        if !(5..=24 * 60).contains(&new.refresh_minutes) {
            return Err(ApiError::precondition(
                "settings: the refresh interval must be between 5 minutes and 24 hours",
            ));
        }
        if !["system", "light", "dark"].contains(&new.theme.as_str()) {
            return Err(ApiError::precondition(
                "settings: theme must be system, light or dark",
            ));
        }
        if let Some(q) = &new.quiet_hours {
            q.validate()
                .map_err(|e| ApiError::precondition(format!("settings: {e}")))?;
        }
        let json =
            serde_json::to_string(new).map_err(|e| ApiError::new(Code::Internal, e.to_string()))?;
        self.with_store(|s| s.set_setting(KEY, &json))?;
        Ok(new.clone())
    }
}
