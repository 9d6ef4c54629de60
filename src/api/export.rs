//! Export: a story as a self-contained HTML report, its items as CSV or JSON; a search result as
//! CSV. The files stand alone (no scripts, no remote loads) so they can be mailed or archived.

mod html;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ApiError, ApiResult, Engine, SearchGroup, SearchQuery, StoryDetail};
use crate::error::Code;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Html,
    Csv,
    Json,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Html => "html",
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
        }
    }

    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "html" => Some(ExportFormat::Html),
            "csv" => Some(ExportFormat::Csv),
            "json" => Some(ExportFormat::Json),
            _ => None,
        }
    }
}

/// Credit an export must carry: per outlet, its name, homepage and any licence note (the demo's
/// Wikipedia items are CC BY-SA and say so).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Attribution {
    pub source_id: String,
    pub name: String,
    pub homepage: Option<String>,
    pub note: Option<String>,
}

/// The JSON export: the story as the app shows it, with credits and when it was made.
#[derive(Debug, Clone, Serialize)]
pub struct StoryExport {
    #[serde(flatten)]
    pub story: StoryDetail,
    pub attribution: Vec<Attribution>,
    pub exported_at: DateTime<Utc>,
    pub generator: String,
}

const CSV_HEADER: [&str; 14] = [
    "story_id",
    "item_id",
    "published",
    "time_estimated",
    "lag_secs",
    "lang",
    "outlet_id",
    "outlet",
    "ownership",
    "country",
    "title",
    "summary",
    "url",
    "attribution",
];

impl Engine {
    /// A story in `format`, as the text of the file.
    pub fn export_story(&self, story_id: i64, format: ExportFormat) -> ApiResult<String> {
        let story = self.get_story(story_id)?;
        let attribution = self.attribution(&story)?;
        let now = Utc::now();
        match format {
            ExportFormat::Json => {
                let export = StoryExport {
                    story,
                    attribution,
                    exported_at: now,
                    generator: generator(),
                };
                serde_json::to_string_pretty(&export)
                    .map_err(|e| ApiError::new(Code::Internal, e.to_string()))
            }
            ExportFormat::Csv => story_csv(&story, &attribution),
            ExportFormat::Html => Ok(html::report(&story, &attribution, now, &generator())),
        }
    }

    /// A search result as CSV: one row per item found, grouped by story as the app lists them.
    pub fn export_search(&self, q: &SearchQuery) -> ApiResult<String> {
        let groups = self.search(q)?;
        search_csv(&groups)
    }

    fn attribution(&self, story: &StoryDetail) -> ApiResult<Vec<Attribution>> {
        let mut ids: Vec<&str> = story.items.iter().map(|i| i.source.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let sources = self.with_store(|s| s.sources_by_ids(&ids))?;
        Ok(ids
            .iter()
            .map(|id| match sources.iter().find(|s| s.id == *id) {
                Some(s) => Attribution {
                    source_id: s.id.clone(),
                    name: s.name.clone(),
                    homepage: s.homepage.clone(),
                    note: s.note.clone(),
                },
                None => Attribution {
                    source_id: id.to_string(),
                    name: id.to_string(),
                    homepage: None,
                    note: None,
                },
            })
            .collect())
    }
}

fn generator() -> String {
    format!("Parallax {}", env!("CARGO_PKG_VERSION"))
}

fn csv_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(Code::Internal, format!("export: {e}"))
}

fn finish(w: csv::Writer<Vec<u8>>) -> ApiResult<String> {
    let bytes = w.into_inner().map_err(csv_error)?;
    // A BOM, so spreadsheet programs read the Arabic and Persian text as UTF-8.
    let mut out = String::from('\u{FEFF}');
    out.push_str(&String::from_utf8(bytes).map_err(csv_error)?);
    Ok(out)
}

fn story_csv(story: &StoryDetail, attribution: &[Attribution]) -> ApiResult<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER).map_err(csv_error)?;
    let first = story.items.first().map(|i| i.published);
    for it in &story.items {
        let credit = attribution
            .iter()
            .find(|a| a.source_id == it.source.id)
            .and_then(|a| a.note.clone())
            .unwrap_or_default();
        w.write_record([
            story.summary.id.to_string(),
            it.id.to_string(),
            crate::store::ts(&it.published),
            it.time_estimated.to_string(),
            first
                .map(|f| (it.published - f).num_seconds().to_string())
                .unwrap_or_default(),
            it.lang.code().to_string(),
            it.source.id.clone(),
            it.source.name.clone(),
            serde_json::to_value(it.source.ownership)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            it.source.country.clone().unwrap_or_default(),
            it.title.clone(),
            it.summary_text.clone(),
            it.url.clone().unwrap_or_default(),
            credit,
        ])
        .map_err(csv_error)?;
    }
    finish(w)
}

fn search_csv(groups: &[SearchGroup]) -> ApiResult<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "rank",
        "story_id",
        "story_headline",
        "item_id",
        "match",
        "score",
        "published",
        "lang",
        "outlet_id",
        "outlet",
        "title",
        "url",
    ])
    .map_err(csv_error)?;
    for (rank, g) in groups.iter().enumerate() {
        let headline = g
            .story
            .as_ref()
            .and_then(|s| s.headlines.first())
            .map(|h| h.title.clone())
            .unwrap_or_default();
        for h in &g.hits {
            let it = &h.item;
            w.write_record([
                (rank + 1).to_string(),
                g.story
                    .as_ref()
                    .map(|s| s.id.to_string())
                    .unwrap_or_default(),
                headline.clone(),
                it.id.to_string(),
                match h.kind {
                    super::MatchKind::Text => "text".to_string(),
                    super::MatchKind::Meaning => "meaning".to_string(),
                },
                format!("{:.4}", h.score),
                crate::store::ts(&it.published),
                it.lang.code().to_string(),
                it.source.id.clone(),
                it.source.name.clone(),
                it.title.clone(),
                it.url.clone().unwrap_or_default(),
            ])
            .map_err(csv_error)?;
        }
    }
    finish(w)
}
