//! feed-rs entries → `model::Item`: the one place where every format meets the shared model.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, Utc};
use feed_rs::model::{Entry, Link, Text};
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use super::prolog::EntryAttrs;
use super::{FUTURE_TOLERANCE_MINUTES, FeedFormat};
use crate::canonical::canonicalize;
use crate::model::{Item, Lang, Media, TimeSource};
use crate::sanitize;

/// Dates before web feeds existed are placeholders (`Thu, 01 Jan 1970 00:00:00 GMT`).
const EARLIEST_TRUSTED_YEAR: i32 = 1995;

/// Longest synthesized title (characters) for items that have none.
const SYNTH_TITLE_CHARS: usize = 140;

pub(crate) struct Context<'a> {
    /// The root `xml:base` when there is one, else the feed URL.
    pub doc_base: &'a str,
    pub source_id: &'a str,
    pub fetched_at: DateTime<Utc>,
    pub format: FeedFormat,
    pub feed_lang: Option<Lang>,
}

/// Maps entries in feed order, dropping empty ones and later repeats of a guid.
/// `attrs` are the scan's per-entry `xml:lang`/`xml:base`, used only when they align one to one.
pub(crate) fn map_entries(
    ctx: &Context<'_>,
    entries: Vec<Entry>,
    attrs: &[EntryAttrs],
) -> Vec<Item> {
    let mut seen = HashSet::new();
    // Building the ammonia policy costs about as much as cleaning a short summary: once per feed.
    let feed_sanitizer = sanitize::Sanitizer::new(ctx.doc_base);
    let aligned = attrs.len() == entries.len();
    let none = EntryAttrs::default();
    entries
        .into_iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let a = if aligned { &attrs[i] } else { &none };
            map_entry(ctx, &feed_sanitizer, a, e)
        })
        .filter(|item| seen.insert(item.guid.clone()))
        .collect()
}

fn map_entry(
    ctx: &Context<'_>,
    feed_sanitizer: &sanitize::Sanitizer,
    attrs: &EntryAttrs,
    e: Entry,
) -> Option<Item> {
    // Innermost xml:base wins: <content>, then the entry, then the document.
    let entry_base = e.base.clone().or_else(|| {
        let b = attrs.base.as_deref()?;
        let joined = url::Url::parse(ctx.doc_base).ok()?.join(b).ok()?;
        Some(joined.to_string())
    });
    let base = entry_base.as_deref().unwrap_or(ctx.doc_base);
    let link = pick_link(&e.links)
        .and_then(|l| canonicalize(&l.href, base))
        .or_else(|| {
            // RSS: a guid that is a URL is a permalink unless marked otherwise.
            let id = e.id.trim();
            if id.starts_with("http://") || id.starts_with("https://") {
                canonicalize(id, base)
            } else {
                None
            }
        });

    let source = summary_source(ctx.format, &e);
    let summary_html = match entry_base.as_deref() {
        Some(entry_base) => sanitize::html(&source, entry_base),
        None => feed_sanitizer.html(&source),
    };
    let summary_text = sanitize::text_of_html(&summary_html);
    let mut title = e
        .title
        .as_ref()
        .map(|t| title_text(ctx.format, t))
        .unwrap_or_default();
    if title.is_empty() {
        title = synth_title(&summary_text);
    }
    if title.is_empty() && summary_text.is_empty() && link.is_none() {
        return None;
    }
    let content_hash = content_hash(&title, &summary_text);
    let id = e.id.trim();
    let guid = if !id.is_empty() {
        id.to_string()
    } else if let Some(url) = &link {
        url.clone()
    } else {
        format!("sha256:{content_hash}")
    };

    // Future dates (local time labelled UTC) and placeholders (the Unix epoch) are not evidence.
    let latest = ctx.fetched_at + Duration::minutes(FUTURE_TOLERANCE_MINUTES);
    let trusted =
        |d: Option<DateTime<Utc>>| d.filter(|d| d.year() >= EARLIEST_TRUSTED_YEAR && *d <= latest);
    // Dublin Core (`dc:date`, `dcterms:issued`, ...) where the format's own dates are missing.
    let dc_date = trusted(
        attrs
            .dc_date
            .as_ref()
            .and_then(|(_, d)| super::parse_date(d)),
    );
    let (published, time_source) = match (trusted(e.published), trusted(e.updated), dc_date) {
        (Some(p), _, _) => (p, TimeSource::Published),
        (None, _, Some(d)) => (d, TimeSource::Published),
        (None, Some(u), None) => (u, TimeSource::Updated),
        (None, None, None) => (ctx.fetched_at, TimeSource::Fetched),
    };

    Some(Item {
        source_id: ctx.source_id.to_string(),
        guid,
        url: link,
        title,
        summary_html,
        summary_text,
        author: e
            .authors
            .iter()
            .map(|a| sanitize::plain_title(&a.name))
            .chain(attrs.dc_creator.as_deref().map(sanitize::plain_title))
            .find(|n| !n.is_empty()),
        published,
        time_source,
        categories: categories(&e),
        media: media(&e, base),
        declared_lang: e
            .language
            .as_deref()
            .or(attrs.lang.as_deref())
            .and_then(Lang::from_tag)
            .or_else(|| ctx.feed_lang.clone()),
        content_hash,
    })
}

/// The article link: `rel="alternate"` or no rel, not an attachment; else the first link.
fn pick_link(links: &[Link]) -> Option<&Link> {
    links
        .iter()
        .find(|l| {
            matches!(l.rel.as_deref(), None | Some("alternate"))
                && l.media_type.as_deref().is_none_or(|m| m.contains("html"))
        })
        .or_else(|| {
            links
                .iter()
                .find(|l| l.rel.as_deref() != Some("enclosure") && l.media_type.is_none())
        })
}

/// Whether `t` is plain text by its format's own rules: Atom text constructs of `type="text"`
/// (the default) and JSON Feed text fields. Their `<` is a character, never markup: `&lt;blink&gt;`
/// in an Atom text title reads "<blink>". RSS says nothing, and its titles carry escaped HTML.
fn is_literal_text(format: FeedFormat, t: &Text) -> bool {
    is_literal(format, &t.content_type.essence().to_string())
}

fn is_literal(format: FeedFormat, essence: &str) -> bool {
    matches!(
        format,
        FeedFormat::Atom | FeedFormat::Atom03 | FeedFormat::JsonFeed
    ) && essence == "text/plain"
}

/// A title as display text: an Atom text title kept as written (whitespace collapsed), anything
/// else reduced to the text of its HTML (JSON Feed titles too: real ones carry entities).
pub(crate) fn title_text(format: FeedFormat, t: &Text) -> String {
    if format != FeedFormat::JsonFeed && is_literal_text(format, t) {
        sanitize::collapse_whitespace(&t.content)
    } else {
        sanitize::plain_title(&t.content)
    }
}

/// The HTML to show as summary: the description/summary, else the full content
/// (`content:encoded`, Atom `content`, JSON `content_html`). Plain-text fields (see
/// [`is_literal_text`]) are escaped rather than read as HTML.
fn summary_source(format: FeedFormat, e: &Entry) -> String {
    let from_text = |t: &Text| {
        if is_literal_text(format, t) {
            escape_text(&t.content)
        } else {
            t.content.clone()
        }
    };
    if let Some(s) = e.summary.as_ref().filter(|s| !s.content.trim().is_empty()) {
        return from_text(s);
    }
    if let Some(c) = &e.content
        && let Some(body) = c.body.as_ref().filter(|b| !b.trim().is_empty())
    {
        return if is_literal(format, &c.content_type.essence().to_string()) {
            escape_text(body)
        } else {
            body.clone()
        };
    }
    e.media
        .iter()
        .find_map(|m| m.description.as_ref())
        .map(|d| escape_text(&d.content))
        .unwrap_or_default()
}

fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push_str("<br>"),
            _ => out.push(c),
        }
    }
    out
}

/// Title for an item that has none: the summary's first line, cut at a word boundary.
fn synth_title(summary_text: &str) -> String {
    let first = summary_text.lines().next().unwrap_or("");
    if first.chars().count() <= SYNTH_TITLE_CHARS {
        return first.to_string();
    }
    let cut: String = first.chars().take(SYNTH_TITLE_CHARS).collect();
    let at_word = cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]);
    format!("{at_word}…")
}

/// Hex SHA-256 over the NFC-normalized, lowercased, whitespace-collapsed title and text.
pub fn content_hash(title: &str, summary_text: &str) -> String {
    let norm = |s: &str| sanitize::collapse_whitespace(&s.nfc().collect::<String>().to_lowercase());
    let mut h = Sha256::new();
    h.update(norm(title).as_bytes());
    h.update([0x1F]);
    h.update(norm(summary_text).as_bytes());
    hex::encode(h.finalize())
}

fn categories(e: &Entry) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in &e.categories {
        let raw = c
            .label
            .as_deref()
            .filter(|l| !l.trim().is_empty())
            .unwrap_or(&c.term);
        let name = sanitize::plain_title(raw);
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// Media URLs are resolved but not canonicalized: CDN query strings are often signatures.
fn media(e: &Entry, base: &str) -> Vec<Media> {
    let resolve = |u: &str| -> Option<String> {
        let url = url::Url::parse(base)
            .ok()
            .and_then(|b| b.join(u.trim()).ok())
            .or_else(|| url::Url::parse(u.trim()).ok())?;
        crate::canonical::is_web(&url).then(|| url.to_string())
    };
    let mut out: Vec<Media> = Vec::new();
    let mut push = |url: Option<String>, mime: Option<String>| {
        if let Some(url) = url
            && !out.iter().any(|m| m.url == url)
        {
            out.push(Media { url, mime });
        }
    };
    for m in &e.media {
        for c in &m.content {
            push(
                c.url.as_ref().and_then(|u| resolve(u.as_str())),
                c.content_type.as_ref().map(|t| t.to_string()),
            );
        }
        for t in &m.thumbnails {
            push(resolve(&t.image.uri), None);
        }
    }
    for l in &e.links {
        if l.rel.as_deref() == Some("enclosure")
            || l.media_type.as_deref().is_some_and(|m| !m.contains("html"))
        {
            push(resolve(&l.href), l.media_type.clone());
        }
    }
    out
}
