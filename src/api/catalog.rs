//! The bundled catalog in the archive, and OPML in and out.

use super::{ApiResult, Engine, ImportReport};
use crate::{catalog, opml};

/// Settings key listing catalog ids already offered, so a source the user removed stays removed.
const SEEDED: &str = "catalog_seeded_ids";

impl Engine {
    /// A new archive: no sources and the catalog never offered. An archive the user filled by
    /// hand (or a test fixture) is not seeded behind their back.
    pub(crate) fn is_first_run(&self) -> ApiResult<bool> {
        self.with_store(|s| Ok(s.setting(SEEDED)?.is_none() && s.sources()?.is_empty()))
    }

    /// Add catalog outlets this archive has not been offered yet. Returns how many were added.
    pub fn seed_catalog(&self) -> ApiResult<usize> {
        let sources = catalog::bundled()?;
        self.with_store(|s| {
            let mut seeded: Vec<String> = s
                .setting(SEEDED)?
                .and_then(|v| serde_json::from_str(&v).ok())
                .unwrap_or_default();
            let mut added = 0;
            let fresh: Vec<_> = sources.iter().filter(|x| !seeded.contains(&x.id)).collect();
            for src in fresh {
                if s.seed_catalog_source(src)? {
                    added += 1;
                }
                seeded.push(src.id.clone());
            }
            s.set_setting(SEEDED, &serde_json::to_string(&seeded)?)?;
            Ok(added)
        })
    }

    /// Import sources from OPML; entries whose feed is already known are skipped, not duplicated.
    pub fn import_opml(&self, text: &str) -> ApiResult<ImportReport> {
        let report = opml::import_report(text)?;
        let mut out = ImportReport {
            added: Vec::new(),
            skipped: report
                .skipped
                .iter()
                .map(|s| format!("{}: {}", s.label, s.reason))
                .collect(),
        };
        self.with_store(|s| {
            for mut src in report.sources {
                if let Some(owner) = src
                    .feeds
                    .iter()
                    .find_map(|f| s.source_of_feed(&f.url).ok().flatten())
                {
                    out.skipped
                        .push(format!("{}: already in the archive as {owner}", src.name));
                    continue;
                }
                let base = src.id.clone();
                let mut n = 2;
                while s.source(&src.id)?.is_some() {
                    src.id = format!("{base}-{n}");
                    n += 1;
                }
                s.upsert_source(&src)?;
                out.added.push(src.id);
            }
            Ok(())
        })?;
        Ok(out)
    }

    pub fn export_opml(&self) -> ApiResult<String> {
        let sources = self.with_store(|s| s.sources())?;
        Ok(opml::export(&sources))
    }
}
