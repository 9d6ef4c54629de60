//! Full-text stage: fetch an item's article page (robots.txt first, through the same hardened
//! [`Fetcher`] as the feeds) and extract its main text, for feeds that carry only headlines.
//!
//! A page that cannot be had (disallowed, not HTML, too large, a redirect loop, no article
//! text) is an error for that item alone; the item keeps what its feed gave.

mod extract;
mod robots;

pub use extract::{Extracted, extract};
pub use robots::{MAX_CRAWL_DELAY, RobotsCache, crawl_delay};

use crate::error::Code;
use crate::fetch::{Conditional, FetchError, Fetched, Fetcher, RequestSpec};

/// Article pages larger than this are refused (real article pages are well under 2 MB).
pub const MAX_PAGE_BYTES: u64 = 5 * 1024 * 1024;
/// Sentences of the article kept as the item's lead for grouping and search.
pub const LEAD_SENTENCES: usize = 3;
/// Upper bound of the lead, in characters.
pub const LEAD_MAX_CHARS: usize = 600;

const HTML_TYPES: &[&str] = &["text/html", "application/xhtml+xml"];

/// What an article request asks for: HTML only, capped well below the feed cap.
pub const ARTICLE_REQUEST: RequestSpec = RequestSpec {
    accept: "text/html, application/xhtml+xml;q=0.9",
    max_body_bytes: Some(MAX_PAGE_BYTES),
    allowed_types: Some(HTML_TYPES),
};

/// Whether a source's items get their article fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FulltextMode {
    /// On when the source's feeds carry only headlines (decided from its stored items).
    Auto,
    On,
    Off,
}

impl FulltextMode {
    pub fn as_str(self) -> &'static str {
        match self {
            FulltextMode::Auto => "auto",
            FulltextMode::On => "on",
            FulltextMode::Off => "off",
        }
    }

    pub fn parse(s: &str) -> Option<FulltextMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(FulltextMode::Auto),
            "on" => Some(FulltextMode::On),
            "off" => Some(FulltextMode::Off),
            _ => None,
        }
    }
}

/// True when an item's feed text adds nothing to its headline: empty, or the headline again.
pub fn is_headline_only(title: &str, summary_text: &str) -> bool {
    let squash = |s: &str| -> String {
        crate::normalize::fold(s)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect()
    };
    let summary = squash(summary_text);
    summary.is_empty() || summary == squash(title)
}

/// An article page fetched and its main text extracted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// Paragraphs separated by blank lines.
    pub text: String,
    /// The first sentences, for grouping and search.
    pub lead: String,
    /// URL after redirects.
    pub final_url: String,
    pub bytes: u64,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Outcome of one article fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Fetched(Article),
    /// 304 to a conditional request: what is stored is current.
    NotModified,
}

/// Why an item has no full text. Messages are shown next to the item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FulltextError {
    #[error("robots.txt of {origin} disallows {url}")]
    Disallowed { origin: String, url: String },
    #[error("robots.txt of {origin} could not be read ({reason}); its pages are not fetched")]
    RobotsUnreachable { origin: String, reason: String },
    #[error("{0}")]
    Fetch(#[from] FetchError),
    #[error("no article text found on the page")]
    NoText,
    #[error("cannot read the page as HTML: {0}")]
    Html(String),
}

impl FulltextError {
    pub fn code(&self) -> Code {
        match self {
            FulltextError::Disallowed { .. } => Code::Precondition,
            FulltextError::RobotsUnreachable { .. } => Code::Network,
            FulltextError::Fetch(e) => e.code(),
            FulltextError::NoText | FulltextError::Html(_) => Code::FeedFormat,
        }
    }
}

/// The first [`LEAD_SENTENCES`] sentences of `text`, at most [`LEAD_MAX_CHARS`] characters.
pub fn lead_of(text: &str) -> String {
    let mut out = String::new();
    for s in crate::carry::sentences_of("", text)
        .into_iter()
        .take(LEAD_SENTENCES)
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(s.trim());
        if out.chars().count() >= LEAD_MAX_CHARS {
            break;
        }
    }
    if out.chars().count() > LEAD_MAX_CHARS {
        out = out.chars().take(LEAD_MAX_CHARS).collect();
    }
    out
}

/// Fetch `url` (if robots.txt allows it) and extract its article text. Extraction is CPU work
/// and runs on the blocking pool.
pub async fn fetch_article(
    fetcher: &Fetcher,
    robots: &RobotsCache,
    url: &str,
    conditional: &Conditional,
) -> Result<Outcome, FulltextError> {
    robots.wait_turn(fetcher, url).await?;
    let body = match fetcher.fetch_as(url, conditional, &ARTICLE_REQUEST).await? {
        Fetched::NotModified => return Ok(Outcome::NotModified),
        Fetched::Body(body) => body,
    };
    let final_url = body.final_url.clone();
    let html = body.text;
    let page_url = final_url.clone();
    let extracted = tokio::task::spawn_blocking(move || extract(&html, Some(&page_url)))
        .await
        .map_err(|e| FulltextError::Html(format!("extraction task failed: {e}")))??;
    let lead = lead_of(&extracted.text);
    Ok(Outcome::Fetched(Article {
        text: extracted.text,
        lead,
        final_url,
        bytes: body.bytes,
        etag: body.etag,
        last_modified: body.last_modified,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_only_feeds() {
        assert!(is_headline_only("انفجار در بندر", ""));
        assert!(is_headline_only("انفجار در بندر", " انفجار در بندر. "));
        // The folding makes Arabic and Persian letter forms one.
        assert!(is_headline_only("انفجار در بندر", "انفجار در بندر"));
        assert!(!is_headline_only(
            "انفجار در بندر",
            "انفجار در بندر شهید رجایی ده‌ها زخمی برجا گذاشت."
        ));
    }

    #[test]
    fn lead_is_the_first_sentences() {
        let text = "First sentence here. Second one follows.\n\nThird paragraph starts. Fourth is left out.";
        assert_eq!(
            lead_of(text),
            "First sentence here. Second one follows. Third paragraph starts."
        );
        let long = "word ".repeat(400);
        assert_eq!(lead_of(&long).chars().count(), LEAD_MAX_CHARS);
    }

    #[test]
    fn modes_round_trip() {
        for m in [FulltextMode::Auto, FulltextMode::On, FulltextMode::Off] {
            assert_eq!(FulltextMode::parse(m.as_str()), Some(m));
        }
        assert_eq!(FulltextMode::parse("yes"), None);
    }
}
