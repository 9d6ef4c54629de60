//! Parse stage: one feed body (any of RSS 0.9x, RSS 1.0/RDF, RSS 2.0, Atom 0.3/1.0, JSON Feed)
//! becomes a list of `model::Item`s, with plain-text titles, sanitized summaries, canonical URLs,
//! stable guids and honest timestamps.
//!
//! feed-rs does the format parsing. Around it: `prolog` classifies and repairs the body first
//! (one quick-xml pass: well-formedness, HTML pages, entity-defining DTDs, re-decoding
//! declarations, bare `&`, missing RSS versions, Atom 0.3, per-entry `xml:lang`/`xml:base`),
//! `date` reads the dates feed-rs cannot (Jalali, Persian/Arabic digits and month names, zone
//! names), and `item` maps entries onto the one model.
//!
//! Decisions (documented here because downstream stages rely on them):
//! - A date more than [`FUTURE_TOLERANCE_MINUTES`] after the fetch (usually a local time labelled
//!   as UTC) or before 1995 (placeholders such as the Unix epoch) is not trusted: the item falls
//!   back to its other date, else to the fetch time with `TimeSource::Fetched`.
//! - Items without guid get their canonical link as guid, else `sha256:<content_hash>`.
//! - A guid repeated within one feed keeps its first occurrence (feeds list newest first).
//! - A truncated or malformed document is an error: no partial item list is returned. Bare `&`
//!   is the one breakage repaired (escaped) rather than refused.
//! - Titles and summaries are text from feeds, never trusted: see `sanitize` for the policy and
//!   the input bounds that keep hostile nesting from stalling html5ever.

#[cfg(feature = "eval")]
pub mod bench;
pub(crate) mod date;
mod item;
mod prolog;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::Code;
use crate::model::{Item, Lang};

pub use date::{jalali_to_gregorian, parse_date};
pub use item::content_hash;

/// Dates this far past the fetch time are treated as wrong (see module docs).
pub const FUTURE_TOLERANCE_MINUTES: i64 = 15;

/// The syndication format a feed was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedFormat {
    /// RSS 0.91 / 0.92.
    Rss0x,
    /// RSS 1.0 (RDF).
    Rss1,
    /// RSS 2.0, and RSS without (or with an unknown) version.
    Rss2,
    Atom,
    Atom03,
    JsonFeed,
}

/// A parsed feed: its own metadata and its items mapped onto the shared model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedFeed {
    pub title: Option<String>,
    /// The site the feed belongs to: RSS `<channel><link>`, Atom `<link rel="alternate">`,
    /// JSON Feed `home_page_url`; absolute, http(s) only.
    pub homepage: Option<String>,
    pub declared_lang: Option<Lang>,
    pub ttl_minutes: Option<u32>,
    pub items: Vec<Item>,
    pub format: FeedFormat,
}

/// Why a body could not be read as a feed. A valid feed with no items is not an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Something other than a feed: an HTML page, plain text, unrelated XML or JSON.
    #[error("parse: not a feed: {what}{}", links_note(.feed_links))]
    NotAFeed {
        what: String,
        /// Feed URLs the page advertises with `<link rel="alternate">`, canonicalized.
        feed_links: Vec<String>,
    },
    /// A feed that is not well-formed (truncated, bad syntax, missing required parts).
    #[error("parse: malformed feed: {reason}")]
    Malformed { reason: String },
    /// A DTD that defines entities: refused outright, never expanded (billion laughs, XXE).
    #[error(
        "parse: refused a document type declaration that defines entities (entity expansion attack?)"
    )]
    EntityExpansion,
}

fn links_note(links: &[String]) -> String {
    if links.is_empty() {
        String::new()
    } else {
        format!("; it links to feed(s): {}", links.join(", "))
    }
}

impl ParseError {
    /// The category that crosses IPC.
    pub fn code(&self) -> Code {
        Code::FeedFormat
    }
}

/// Parses one feed body (already decoded to UTF-8 by the fetch stage). `base_url` is the feed's
/// URL, used to resolve relative links; `fetched_at` stands in for missing or untrustworthy dates.
pub fn parse_feed(
    body: &str,
    base_url: &str,
    source_id: &str,
    fetched_at: DateTime<Utc>,
) -> Result<ParsedFeed, ParseError> {
    let prepared = prolog::prepare(body, base_url)?;
    let feed = run_feed_rs(&prepared, base_url)?;
    let ctx = item::Context {
        doc_base: prepared.xml_base.as_deref().unwrap_or(base_url),
        source_id,
        fetched_at,
        format: prepared.format,
        feed_lang: feed
            .language
            .clone()
            .or_else(|| prepared.lang.clone())
            .and_then(|t| Lang::from_tag(&t)),
    };
    Ok(ParsedFeed {
        title: feed
            .title
            .as_ref()
            .map(|t| item::title_text(prepared.format, t))
            .filter(|t| !t.is_empty()),
        homepage: homepage(&feed.links, ctx.doc_base),
        declared_lang: ctx.feed_lang.clone(),
        ttl_minutes: feed.ttl.or(prepared.sy_ttl_minutes),
        items: item::map_entries(&ctx, feed.entries, &prepared.entries),
        format: prepared.format,
    })
}

/// The feed's own site link: `rel="alternate"` (or no rel) that is not a feed or a file.
fn homepage(links: &[feed_rs::model::Link], base: &str) -> Option<String> {
    let is_page = |l: &&feed_rs::model::Link| {
        matches!(l.rel.as_deref(), None | Some("alternate"))
            && l.media_type.as_deref().is_none_or(|m| m.contains("html"))
    };
    let link = links.iter().find(is_page)?;
    let url = url::Url::parse(base)
        .ok()
        .and_then(|b| b.join(link.href.trim()).ok())
        .or_else(|| url::Url::parse(link.href.trim()).ok())?;
    crate::canonical::is_web(&url).then(|| url.to_string())
}

fn run_feed_rs(
    prepared: &prolog::Prepared<'_>,
    base_url: &str,
) -> Result<feed_rs::model::Feed, ParseError> {
    let parse = |body: &str| {
        feed_rs::parser::Builder::new()
            .base_uri(url::Url::parse(base_url).ok().map(|_| base_url))
            // Empty ids mark entries without one; `item` synthesizes stable guids (feed-rs would use random UUIDs).
            .id_generator(|_, _, _| String::new())
            .timestamp_parser(parse_date)
            .sanitize_content(false)
            .build()
            .parse(body.as_bytes())
    };
    match parse(&prepared.body) {
        Ok(feed) => Ok(feed),
        // Atom 1.0 feeds with MIME-style text types (`type="text/plain"`) fail as a whole in feed-rs.
        Err(feed_rs::parser::ParseFeedError::ParseError(_))
            if prepared.format == FeedFormat::Atom =>
        {
            let fixed = prolog::normalize_atom(&prepared.body, false)?;
            parse(&fixed).map_err(malformed)
        }
        Err(e) => Err(malformed(e)),
    }
}

/// feed-rs errors after the scan passed (the document is well-formed XML or JSON): a missing
/// channel, a JSON Feed of the wrong shape, an unusable content type.
fn malformed(e: feed_rs::parser::ParseFeedError) -> ParseError {
    use feed_rs::parser::{ParseErrorKind, ParseFeedError as E};
    let reason = match e {
        E::ParseError(ParseErrorKind::NoFeedRoot) => "no channel or feed element".to_string(),
        e => e.to_string(),
    };
    ParseError::Malformed { reason }
}

#[cfg(test)]
mod tests;
