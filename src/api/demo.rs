//! The demo archive: real Arabic, Persian and English items (Wikipedia "In the news", CC BY-SA 3.0)
//! bundled with the app, so anyone can see cross-lingual stories with no network.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{ApiError, ApiResult, Change, Engine};
use crate::error::Code;
use crate::model::{Feed, Item, Lang, Ownership, Source, TimeSource};

/// The bundled file (see assets/demo/README.md for origin, licence and how it is regenerated).
pub const DEMO_ARCHIVE: &str = include_str!("../../assets/demo/itn-demo.jsonl");
pub const DEMO_ATTRIBUTION: &str = "Demo items: Wikipedia \"In the news\" (ar, fa, en), \
    by Wikipedia contributors via the ITN corpus, CC BY-SA 3.0.";

#[derive(Deserialize)]
struct DemoRow {
    id: String,
    lang: String,
    published: DateTime<Utc>,
    #[serde(default)]
    time_estimated: bool,
    source: String,
    title: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct DemoReport {
    pub items: u32,
    pub new_items: u32,
    pub stories: u32,
    pub attribution: String,
}

impl Engine {
    /// Load the bundled demo archive (or another file in the same format) and group it.
    /// Loading twice adds nothing.
    pub fn load_demo_archive(&self, text: Option<&str>) -> ApiResult<DemoReport> {
        let text = text.unwrap_or(DEMO_ARCHIVE);
        let mut rows = Vec::new();
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let row: DemoRow = serde_json::from_str(line).map_err(|e| {
                ApiError::new(
                    Code::FeedFormat,
                    format!("demo archive line {}: {e}", n + 1),
                )
            })?;
            rows.push(row);
        }
        let mut sources: BTreeMap<String, Source> = BTreeMap::new();
        let mut items = Vec::with_capacity(rows.len());
        for r in rows {
            let lang = Lang::from_tag(&r.lang).unwrap_or(Lang::Und);
            let id = format!("demo-{}", crate::catalog::slug_for(&r.source));
            sources.entry(id.clone()).or_insert_with(|| Source {
                id: id.clone(),
                name: r.source.clone(),
                homepage: Some(format!("https://{}.wikipedia.org/", lang.code())),
                // Never fetched (disabled): the URL only says where the items came from.
                feeds: vec![Feed {
                    url: format!("https://{}.wikipedia.org/#in-the-news", lang.code()),
                    verified: false,
                }],
                language: lang.clone(),
                country: None,
                ownership: Ownership::Unknown,
                note: Some(DEMO_ATTRIBUTION.into()),
                enabled: false,
                refresh_secs: 86_400,
            });
            // Exact, not `parse::content_hash`: the corpus repeats some blurbs word for word on
            // later days, and the demo keeps each dated row as its own item.
            let hash = hex::encode(Sha256::digest(format!("{}\n{}", r.title, r.text)));
            // Several blurbs link the same article (one subject, several events): a fragment
            // per blurb keeps them from being taken for one item by URL dedupe.
            let url = r.url.map(|u| format!("{u}#{}", r.id));
            items.push(Item {
                source_id: id,
                guid: r.id,
                url,
                summary_html: text_as_html(&r.text),
                summary_text: r.text,
                title: r.title,
                author: None,
                published: r.published,
                time_source: if r.time_estimated {
                    TimeSource::Fetched
                } else {
                    TimeSource::Published
                },
                categories: Vec::new(),
                media: Vec::new(),
                declared_lang: Some(lang),
                content_hash: hash,
            });
        }
        let total = items.len() as u32;
        let report = self.with_store(|s| {
            for src in sources.values() {
                if s.source(&src.id)?.is_none() {
                    s.upsert_source(src)?;
                }
            }
            s.insert_items(&items)
        })?;
        self.emit(Change::Task {
            task: "demo".into(),
            done: 0,
            total: total as u64,
            message: format!("loaded {} demo items; grouping…", report.inserted.len()),
        });
        use std::sync::atomic::Ordering;
        self.inner.pipeline.bulk_load.store(true, Ordering::Relaxed);
        let grouped = self.group_pending();
        self.inner
            .pipeline
            .bulk_load
            .store(false, Ordering::Relaxed);
        grouped?;
        Ok(DemoReport {
            items: total,
            new_items: report.inserted.len() as u32,
            stories: self.with_store(|s| s.story_count())? as u32,
            attribution: DEMO_ATTRIBUTION.into(),
        })
    }
}

/// Plain text as a sanitized one-paragraph summary (empty text, no summary).
pub(super) fn text_as_html(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!("<p>{}</p>", ammonia::clean_text(text))
    }
}
