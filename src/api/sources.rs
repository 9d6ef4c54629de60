//! Sources as the app lists them, enable/disable/remove, and the status line.

use std::collections::HashMap;

use super::{ApiResult, Engine, SourceView, StatusLine};

impl Engine {
    /// Stored items matching `q`, newest first (`parallax items`).
    pub fn list_items(
        &self,
        q: &crate::store::ItemQuery,
    ) -> ApiResult<Vec<crate::store::StoredItem>> {
        self.with_store(|s| s.items(q))
    }

    pub fn list_sources(&self) -> ApiResult<Vec<SourceView>> {
        self.with_store(|s| {
            let mut health: HashMap<String, _> = s
                .source_health()?
                .into_iter()
                .map(|h| (h.source_id.clone(), h))
                .collect();
            Ok(s.sources()?
                .into_iter()
                .map(|src| SourceView {
                    health: health.remove(&src.id),
                    source: src,
                })
                .collect())
        })
    }

    pub fn set_source_enabled(&self, id: &str, enabled: bool) -> ApiResult<()> {
        self.with_store(|s| s.set_source_enabled(id, enabled))
    }

    pub fn set_source_refresh(&self, id: &str, minutes: u32) -> ApiResult<()> {
        self.with_store(|s| s.set_source_refresh(id, minutes.saturating_mul(60)))
    }

    /// Remove a source; its items stay in the archive.
    pub fn remove_source(&self, id: &str) -> ApiResult<()> {
        self.with_store(|s| s.remove_source(id))
    }

    pub fn status(&self) -> ApiResult<StatusLine> {
        let model = self.model_state();
        // Counts only: the per-source health (item counts per outlet) is for the sources view.
        self.with_store(|s| {
            let (sources, enabled) = s.source_counts()?;
            let (failing, last_fetch) = s.fetch_summary()?;
            Ok(StatusLine {
                sources,
                enabled,
                failing,
                items: s.item_count()? as u32,
                stories: s.story_count()? as u32,
                last_fetch,
                model,
            })
        })
    }
}
