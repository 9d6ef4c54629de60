//! The canonical data model every stage shares: every feed format maps onto `Item`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Stable identifier of a source (catalog id such as `bbc-persian`, or a slug for user-added ones).
pub type SourceId = String;

/// Languages Parallax knows by name. Others are kept as an ISO 639-1 code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ar,
    Fa,
    En,
    Ur,
    /// Detected below the confidence floor, or no text.
    Und,
    /// Any other ISO 639-1 code.
    #[serde(untagged)]
    Other(String),
}

impl Lang {
    pub fn code(&self) -> &str {
        match self {
            Lang::Ar => "ar",
            Lang::Fa => "fa",
            Lang::En => "en",
            Lang::Ur => "ur",
            Lang::Und => "und",
            Lang::Other(c) => c,
        }
    }

    /// Parse a loose language tag (`fa-IR`, `AR`, `prs`, `per`, `en_US`). Dari is Persian for our purposes.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let t = tag.trim().to_ascii_lowercase().replace('_', "-");
        let primary = t.split('-').next().unwrap_or("");
        Some(match primary {
            "" => return None,
            "ar" | "ara" | "arb" => Lang::Ar,
            "fa" | "fas" | "per" | "prs" | "pes" => Lang::Fa,
            "en" | "eng" => Lang::En,
            "ur" | "urd" => Lang::Ur,
            "und" => Lang::Und,
            p if p.len() == 2 && p.chars().all(|c| c.is_ascii_lowercase()) => {
                Lang::Other(p.to_string())
            }
            _ => return None,
        })
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Who owns or funds an outlet, as publicly known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum Ownership {
    State,
    PublicBroadcaster,
    Private,
    PartyAffiliated,
    ForeignGovernmentFunded,
    Unknown,
}

/// One outlet (a catalog entry or a user-added source).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Source {
    pub id: SourceId,
    pub name: String,
    pub homepage: Option<String>,
    pub feeds: Vec<Feed>,
    pub language: Lang,
    /// ISO 3166-1 alpha-2 country code of the outlet's base.
    pub country: Option<String>,
    pub ownership: Ownership,
    pub note: Option<String>,
    pub enabled: bool,
    /// Refresh interval in seconds.
    pub refresh_secs: u32,
}

/// One feed URL of a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Feed {
    pub url: String,
    /// False when the URL could not be verified offline.
    #[serde(default = "default_true")]
    pub verified: bool,
}

fn default_true() -> bool {
    true
}

/// How the published time of an item was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum TimeSource {
    /// The feed's published date.
    Published,
    /// The feed's updated date (no published date given).
    Updated,
    /// Neither: the time we fetched it (an estimate).
    Fetched,
}

/// A media attachment (image, audio, video) referenced by an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Media {
    pub url: String,
    pub mime: Option<String>,
}

/// A feed entry after parsing, before storage: the one shape every format maps onto.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub source_id: SourceId,
    /// The feed's id/guid, or a synthetic one (link, then content hash) when the feed gives none.
    pub guid: String,
    /// Canonical URL (tracking parameters removed, resolved against the feed's base).
    pub url: Option<String>,
    pub title: String,
    /// Sanitized HTML (no scripts, no remote loads).
    pub summary_html: String,
    /// Plain text of the summary.
    pub summary_text: String,
    pub author: Option<String>,
    pub published: DateTime<Utc>,
    pub time_source: TimeSource,
    pub categories: Vec<String>,
    pub media: Vec<Media>,
    /// Language declared by the feed (`<language>`, `xml:lang`), a prior for detection.
    pub declared_lang: Option<Lang>,
    /// Hash of the normalized title and text, for cross-feed dedupe.
    pub content_hash: String,
}
