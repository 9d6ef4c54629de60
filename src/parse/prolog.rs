//! What a body is, and the repairs it needs before feed-rs sees it. One cheap pass over the
//! document head (quick-xml, no tree) finds the root element, refuses DTDs that define entities,
//! tells HTML pages apart from feeds, and reads the feed-level language feed-rs misses.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::{FeedFormat, ParseError};

const ATOM03_NS: &str = "http://purl.org/atom/ns#";
const ATOM10_NS: &str = "http://www.w3.org/2005/Atom";
const DC_NS: &str = "http://purl.org/dc/elements/1.1/";
const DCTERMS_NS: &str = "http://purl.org/dc/terms/";
/// Dublin Core elements that date an item, in order of preference.
const DC_DATES: [&str; 5] = ["date", "issued", "created", "available", "modified"];

/// A body ready for feed-rs, with what the head scan learnt.
#[derive(Debug)]
pub(crate) struct Prepared<'a> {
    pub body: Cow<'a, str>,
    pub format: FeedFormat,
    /// Feed-level language tag (`<language>`, `dc:language`, `xml:lang`, JSON `language`).
    pub lang: Option<String>,
    /// Per-entry `xml:lang`/`xml:base`, aligned with feed-rs's entries.
    pub entries: Vec<EntryAttrs>,
    /// Minutes between updates from `sy:updatePeriod`/`sy:updateFrequency` (RSS `ttl` wins).
    pub sy_ttl_minutes: Option<u32>,
    /// The root's `xml:base`, resolved against the feed URL: the base for relative links in
    /// summaries (feed-rs applies it to links, not to HTML inside text).
    pub xml_base: Option<String>,
}

pub(crate) fn prepare<'a>(body: &'a str, base_url: &str) -> Result<Prepared<'a>, ParseError> {
    let trimmed = body.trim_start_matches('\u{FEFF}').trim_start();
    match trimmed.as_bytes().first() {
        None => Err(ParseError::NotAFeed {
            what: "the response is empty".into(),
            feed_links: vec![],
        }),
        Some(b'{') => prepare_json(trimmed),
        Some(b'<') => prepare_xml(trimmed, base_url),
        Some(_) => Err(ParseError::NotAFeed {
            what: "the response is plain text, not XML or JSON".into(),
            feed_links: vec![],
        }),
    }
}

fn prepare_json(body: &str) -> Result<Prepared<'_>, ParseError> {
    let value: serde_json::Value =
        serde_json::from_str(body).map_err(|e| ParseError::Malformed {
            reason: format!("bad JSON: {e}"),
        })?;
    let version = value.get("version").and_then(|v| v.as_str()).unwrap_or("");
    if !version.starts_with("https://jsonfeed.org/version/1") {
        let what = if version.is_empty() {
            "JSON without a JSON Feed version".to_string()
        } else {
            format!("unsupported JSON Feed version {version:?}")
        };
        return Err(ParseError::NotAFeed {
            what,
            feed_links: vec![],
        });
    }
    if !value.get("items").is_some_and(serde_json::Value::is_array) {
        return Err(ParseError::Malformed {
            reason: "JSON Feed without an items array".into(),
        });
    }
    let lang = value
        .get("language")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    Ok(Prepared {
        body: Cow::Borrowed(body),
        format: FeedFormat::JsonFeed,
        lang,
        entries: Vec::new(),
        sy_ttl_minutes: None,
        xml_base: None,
    })
}

/// What the head scan saw of the root element.
struct Root {
    local: String,
    /// Byte range of the root start tag in the body.
    span: (usize, usize),
    version: Option<String>,
    xmlns: Option<String>,
    lang: Option<String>,
    xml_base: Option<String>,
    /// Prefixes declared on the root (`xmlns:dc="..."`), for the Dublin Core scan.
    prefixes: Vec<(String, String)>,
}

impl Root {
    /// Whether `prefix` names Dublin Core (elements 1.1 or terms) in this document.
    fn is_dublin_core(&self, prefix: &str) -> bool {
        self.prefixes
            .iter()
            .any(|(p, ns)| p == prefix && (ns == DC_NS || ns == DCTERMS_NS))
    }
}

fn prepare_xml<'a>(body: &'a str, base_url: &str) -> Result<Prepared<'a>, ParseError> {
    let (body, (root, head)): (Cow<'a, str>, _) = match scan(body, base_url) {
        Ok(found) => (Cow::Borrowed(body), found),
        // Bare `&` ("AT&T", query strings) is the most common way real feeds break XML.
        Err(e @ ParseError::Malformed { .. }) => match escape_bare_ampersands(body) {
            Some(repaired) => match scan(&repaired, base_url) {
                Ok(found) => (Cow::Owned(repaired), found),
                Err(_) => return Err(e),
            },
            None => return Err(e),
        },
        Err(e) => return Err(e),
    };
    let format = match root.local.as_str() {
        "rss" => match root.version.as_deref().map(str::trim) {
            Some("0.91" | "0.92") => FeedFormat::Rss0x,
            _ => FeedFormat::Rss2,
        },
        "RDF" => FeedFormat::Rss1,
        "feed"
            if root.xmlns.as_deref() == Some(ATOM03_NS)
                || root.version.as_deref() == Some("0.3") =>
        {
            FeedFormat::Atom03
        }
        // A lone Atom entry document (RFC 4287 §4.1.2) is a feed of one.
        "feed" | "entry" => FeedFormat::Atom,
        other => {
            return Err(ParseError::NotAFeed {
                what: format!("an XML document whose root is <{other}>, not RSS, RDF or Atom"),
                feed_links: vec![],
            });
        }
    };
    let mut out = match body {
        Cow::Borrowed(b) => neutralise_declaration(b),
        Cow::Owned(ref b) => Cow::Owned(neutralise_declaration(b).into_owned()),
    };
    if root.local == "rss" && !matches!(root.version.as_deref(), Some("2.0" | "0.91" | "0.92")) {
        out = Cow::Owned(with_rss_version(&out, body.len(), &root));
    }
    if format == FeedFormat::Atom03 {
        out = Cow::Owned(normalize_atom(&out, true)?);
    } else if format == FeedFormat::Atom && out.contains("mode=") {
        // 0.3-style `mode` attributes in a 1.0 feed (generators that half-upgraded).
        out = Cow::Owned(normalize_atom(&out, false)?);
    }
    let sy_ttl_minutes = head.sy_minutes();
    let lang = head.lang.or(root.lang);
    let xml_base = root.xml_base.as_deref().and_then(|b| {
        let joined = url::Url::parse(base_url)
            .ok()
            .and_then(|u| u.join(b).ok())
            .or_else(|| url::Url::parse(b).ok())?;
        Some(joined.to_string())
    });
    Ok(Prepared {
        body: out,
        format,
        lang,
        entries: head.entries,
        sy_ttl_minutes,
        xml_base,
    })
}

/// `&` that starts no entity or character reference becomes `&amp;` (outside CDATA sections).
/// `None` when there is none, so the caller knows a retry would change nothing.
fn escape_bare_ampersands(body: &str) -> Option<String> {
    let mut out = String::with_capacity(body.len() + 64);
    let mut changed = false;
    let mut rest = body;
    while let Some(i) = rest.find(['&', '<']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("<![CDATA[") {
            let end = tail.find("]]>").map_or(tail.len(), |e| e + 3);
            out.push_str(&tail[..end]);
            rest = &tail[end..];
        } else if let Some(after) = tail.strip_prefix('<') {
            out.push('<');
            rest = after;
        } else {
            let after = &tail[1..];
            if starts_reference(after) {
                out.push('&');
            } else {
                out.push_str("&amp;");
                changed = true;
            }
            rest = after;
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// Whether `s` (the text after `&`) begins `name;`, `#123;` or `#x1F;`.
fn starts_reference(s: &str) -> bool {
    let Some(end) = s.find(';').filter(|&e| e > 0 && e <= 32) else {
        return false;
    };
    let r = &s[..end];
    if let Some(num) = r.strip_prefix("#x").or_else(|| r.strip_prefix("#X")) {
        return !num.is_empty() && num.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(num) = r.strip_prefix('#') {
        return !num.is_empty() && num.chars().all(|c| c.is_ascii_digit());
    }
    let mut chars = r.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The fetch stage already decoded the body to UTF-8; a declaration still naming another
/// encoding (`windows-1256`, `ISO-8859-6`) would make quick-xml decode it a second time.
fn neutralise_declaration(body: &str) -> Cow<'_, str> {
    if body.starts_with("<?xml")
        && let Some(end) = body.find("?>")
    {
        let decl = &body[..end];
        if decl.contains("encoding") {
            return Cow::Owned(format!("<?xml version=\"1.0\"?>{}", &body[end + 2..]));
        }
    }
    Cow::Borrowed(body)
}

/// feed-rs only accepts `<rss version="2.0|0.91|0.92">`; RSS without a version, `2.00`, `0.93`
/// and `0.94` (drafts of 2.0) are parsed as 2.0.
fn with_rss_version(current: &str, original_len: usize, root: &Root) -> String {
    // The declaration rewrite only shortened the head: shift the span by the difference.
    let shift = original_len - current.len();
    let (start, end) = (root.span.0 - shift, root.span.1 - shift);
    let tag = &current[start..end];
    let new_tag = match root.version {
        None => tag.replacen("<rss", "<rss version=\"2.0\"", 1),
        Some(ref v) => {
            tag.replacen(&format!("\"{v}\""), "\"2.0\"", 1)
                .replacen(&format!("'{v}'"), "'2.0'", 1)
        }
    };
    format!("{}{}{}", &current[..start], new_tag, &current[end..])
}

/// Reads the whole document once with quick-xml (no tree, no entity expansion): checks it is
/// well-formed (feed-rs silently drops items with mismatched tags), refuses entity-defining DTDs,
/// tells HTML apart, and notes the root element and the channel's language before the first item.
fn scan(body: &str, base_url: &str) -> Result<(Root, Head), ParseError> {
    let mut reader = Reader::from_str(body);
    reader.config_mut().trim_text(false);
    let mut root: Option<Root> = None;
    // Open elements, innermost last (for truncation messages).
    let mut open: Vec<String> = Vec::new();
    let mut in_head = true;
    // The channel-level element whose text is being read.
    let mut capturing: Option<String> = None;
    let mut head = Head::default();
    // Depth of the open top-level entry, and the Dublin Core element whose text is being read.
    let mut entry_depth: Option<usize> = None;
    let mut dc_capture: Option<DcField> = None;
    loop {
        let before = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                return Err(match (&root, open.last()) {
                    (None, _) => not_xml(body, base_url, &e.to_string()),
                    (Some(_), Some(inner)) if reader.buffer_position() as usize >= body.len() => {
                        truncated(inner)
                    }
                    _ => ParseError::Malformed {
                        reason: format!("bad XML at byte {}: {e}", reader.error_position()),
                    },
                });
            }
        };
        let after = reader.buffer_position() as usize;
        match event {
            Event::DocType(dt) => {
                let text = String::from_utf8_lossy(dt.as_ref()).to_string();
                if text.trim_start().to_ascii_lowercase().starts_with("html") {
                    return Err(html_page(body, base_url));
                }
                if text.to_ascii_uppercase().contains("<!ENTITY") {
                    return Err(ParseError::EntityExpansion);
                }
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_start = matches!(event, Event::Start(_));
                let local = String::from_utf8_lossy(e.local_name().as_ref()).to_string();
                if root.is_none() {
                    if local.eq_ignore_ascii_case("html") {
                        return Err(html_page(body, base_url));
                    }
                    root = Some(read_root(
                        e,
                        reader.decoder(),
                        local.clone(),
                        (before, after),
                    ));
                } else if matches!(local.as_str(), "item" | "entry") && entry_depth.is_none() {
                    in_head = false;
                    // Top-level entries only (under the root, or under an RSS channel).
                    if open.len() <= 2 {
                        head.entries.push(entry_attrs(e, reader.decoder()));
                        entry_depth = is_start.then_some(open.len());
                    }
                } else if let (Some(_), Some(r), true) = (entry_depth, &root, is_start) {
                    let name = e.name();
                    let prefix = name
                        .prefix()
                        .map(|p| String::from_utf8_lossy(p.as_ref()).to_string());
                    if prefix.is_some_and(|p| r.is_dublin_core(&p)) {
                        dc_capture = DcField::of(&local);
                    }
                } else if in_head
                    && is_start
                    && open.len() <= 2
                    && matches!(
                        local.as_str(),
                        "language" | "updatePeriod" | "updateFrequency"
                    )
                {
                    capturing = Some(local.clone());
                }
                if is_start {
                    open.push(local);
                }
            }
            Event::Text(_) | Event::CData(_) if dc_capture.is_some() => {
                let raw: &[u8] = match &event {
                    Event::Text(t) => t,
                    Event::CData(t) => t,
                    _ => b"",
                };
                let text = String::from_utf8_lossy(raw).trim().to_string();
                if let (Some(field), Some(entry)) = (dc_capture.take(), head.entries.last_mut())
                    && !text.is_empty()
                {
                    field.store(entry, text);
                }
            }
            Event::Text(t) if capturing.is_some() => {
                let s = String::from_utf8_lossy(t.as_ref()).trim().to_string();
                let slot = match capturing.as_deref() {
                    Some("language") => &mut head.lang,
                    Some("updatePeriod") => &mut head.update_period,
                    _ => &mut head.update_frequency,
                };
                if !s.is_empty() && slot.is_none() {
                    *slot = Some(s);
                }
            }
            Event::End(_) => {
                capturing = None;
                dc_capture = None;
                open.pop();
                if entry_depth == Some(open.len()) {
                    entry_depth = None;
                }
            }
            Event::Eof => {
                if let Some(inner) = open.last() {
                    return Err(truncated(inner));
                }
                break;
            }
            _ => {}
        }
    }
    match root {
        Some(r) => Ok((r, head)),
        None => Err(not_xml(body, base_url, "no root element")),
    }
}

/// Channel-level facts read before the first item.
#[derive(Debug, Default)]
struct Head {
    lang: Option<String>,
    /// Syndication module (`sy:updatePeriod`, `sy:updateFrequency`), common in WordPress feeds.
    update_period: Option<String>,
    update_frequency: Option<String>,
    /// One per top-level item/entry, in document order (feed-rs's entry order).
    entries: Vec<EntryAttrs>,
}

impl Head {
    /// `sy:updatePeriod`/`sy:updateFrequency` as minutes between updates.
    fn sy_minutes(&self) -> Option<u32> {
        let period: u32 = match self.update_period.as_deref()?.to_ascii_lowercase().as_str() {
            "hourly" => 60,
            "daily" => 24 * 60,
            "weekly" => 7 * 24 * 60,
            "monthly" => 30 * 24 * 60,
            "yearly" => 365 * 24 * 60,
            _ => return None,
        };
        let per_period = self
            .update_frequency
            .as_deref()
            .map_or(Some(1), |f| f.parse::<u32>().ok())?;
        (per_period > 0).then(|| (period / per_period).max(1))
    }
}

/// A Dublin Core element of an entry that the item mapping uses.
#[derive(Debug, Clone, Copy)]
enum DcField {
    /// Rank in [`DC_DATES`].
    Date(usize),
    Creator,
}

impl DcField {
    fn of(local: &str) -> Option<DcField> {
        if local == "creator" {
            return Some(DcField::Creator);
        }
        DC_DATES.iter().position(|d| *d == local).map(DcField::Date)
    }

    fn store(self, entry: &mut EntryAttrs, text: String) {
        match self {
            DcField::Creator => {
                entry.dc_creator.get_or_insert(text);
            }
            DcField::Date(rank) => {
                if entry.dc_date.as_ref().is_none_or(|(r, _)| rank < *r) {
                    entry.dc_date = Some((rank, text));
                }
            }
        }
    }
}

fn truncated(inner: &str) -> ParseError {
    ParseError::Malformed {
        reason: format!("truncated document: it ends inside <{inner}>"),
    }
}

/// `xml:lang` and `xml:base` of an item or entry element (feed-rs reads them only on `<content>`),
/// and its Dublin Core date and creator (feed-rs reads `dc:` only in RSS, `dcterms:` nowhere).
#[derive(Debug, Default, Clone)]
pub(crate) struct EntryAttrs {
    pub lang: Option<String>,
    pub base: Option<String>,
    /// `(rank in DC_DATES, text)` of the preferred Dublin Core date seen.
    pub dc_date: Option<(usize, String)>,
    pub dc_creator: Option<String>,
}

fn entry_attrs(e: &BytesStart<'_>, decoder: quick_xml::encoding::Decoder) -> EntryAttrs {
    let mut out = EntryAttrs::default();
    for attr in e.attributes().flatten() {
        let slot = match attr.key.as_ref() {
            b"xml:lang" => &mut out.lang,
            b"xml:base" => &mut out.base,
            _ => continue,
        };
        *slot = attr
            .decoded_and_normalized_value(quick_xml::XmlVersion::Implicit1_0, decoder)
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
    }
    out
}

fn read_root(
    e: &BytesStart<'_>,
    decoder: quick_xml::encoding::Decoder,
    local: String,
    span: (usize, usize),
) -> Root {
    let mut root = Root {
        local,
        span,
        version: None,
        xmlns: None,
        lang: None,
        xml_base: None,
        prefixes: Vec::new(),
    };
    for attr in e.attributes().flatten() {
        if let Some(prefix) = attr.key.as_ref().strip_prefix(b"xmlns:") {
            let ns = String::from_utf8_lossy(&attr.value).trim().to_string();
            root.prefixes
                .push((String::from_utf8_lossy(prefix).to_string(), ns));
            continue;
        }
        let value = attr
            .decoded_and_normalized_value(quick_xml::XmlVersion::Implicit1_0, decoder)
            .map(|v| v.trim().to_string())
            .unwrap_or_default();
        match attr.key.as_ref() {
            b"version" => root.version = Some(value),
            b"xmlns" => root.xmlns = Some(value),
            b"xml:lang" if !value.is_empty() => root.lang = Some(value),
            b"xml:base" if !value.is_empty() => root.xml_base = Some(value),
            _ => {}
        }
    }
    root
}

fn not_xml(body: &str, base_url: &str, err: &str) -> ParseError {
    let head: String = body
        .chars()
        .take(2048)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.contains("<html") || head.contains("<!doctype html") || head.contains("<body") {
        html_page(body, base_url)
    } else {
        ParseError::Malformed {
            reason: format!("not well-formed XML before the root element: {err}"),
        }
    }
}

/// An HTML page: say so, and list the feeds it advertises (`<link rel="alternate">`).
fn html_page(body: &str, base_url: &str) -> ParseError {
    let mut feed_links: Vec<String> = Vec::new();
    for found in crate::discover::feed_links(body, base_url) {
        let url = crate::canonical::canonicalize(&found.url, base_url).unwrap_or(found.url);
        if !feed_links.contains(&url) {
            feed_links.push(url);
        }
    }
    ParseError::NotAFeed {
        what: "an HTML page".into(),
        feed_links,
    }
}

/// Rewrites Atom so feed-rs reads it: Atom 0.3 names (`issued`, `modified`, `tagline`,
/// `copyright`) and namespace become 1.0 ones, MIME-style `type` values on text constructs
/// (`text/plain`, `application/xhtml+xml`), which feed-rs rejects for the whole feed, become the
/// 1.0 keywords, and Atom 0.3's `mode="base64"` text (titles and content) is decoded in place
/// (`mode="escaped"` is what 1.0 means anyway; the attribute is dropped).
pub(crate) fn normalize_atom(body: &str, from_03: bool) -> Result<String, ParseError> {
    use quick_xml::Writer;
    use quick_xml::events::{BytesEnd, BytesText};

    let rename = |name: &str| -> Option<&'static str> {
        if !from_03 {
            return None;
        }
        Some(match name {
            "issued" => "published",
            "modified" => "updated",
            "tagline" => "subtitle",
            "copyright" => "rights",
            _ => return None,
        })
    };
    let mut reader = Reader::from_str(body);
    reader.config_mut().trim_text(false);
    let mut writer = Writer::new(Vec::with_capacity(body.len()));
    let malformed = |e: &dyn std::fmt::Display| ParseError::Malformed {
        reason: format!("bad XML: {e}"),
    };
    // Text of a `mode="base64"` element being collected, decoded at its end tag.
    let mut base64: Option<String> = None;
    loop {
        let event = reader.read_event().map_err(|e| malformed(&e))?;
        if let Some(collected) = base64.as_mut() {
            match &event {
                Event::Text(t) => {
                    collected.push_str(&String::from_utf8_lossy(t.as_ref()));
                    continue;
                }
                Event::End(_) => {
                    let text = decode_base64(collected)?;
                    writer
                        .write_event(Event::Text(BytesText::new(&text)))
                        .map_err(|e| malformed(&e))?;
                    base64 = None;
                }
                // Markup inside base64 text: not base64 at all.
                _ => {
                    return Err(ParseError::Malformed {
                        reason: "markup inside mode=\"base64\" text".into(),
                    });
                }
            }
        }
        let out = match event {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).to_string();
                let new_name = rename(&name).unwrap_or(name.as_str()).to_string();
                let mut tag = BytesStart::new(new_name);
                for attr in e.attributes().flatten() {
                    let key = String::from_utf8_lossy(attr.key.as_ref()).to_string();
                    if key == "mode" {
                        if attr.value.as_ref() == b"base64" && matches!(event, Event::Start(_)) {
                            base64 = Some(String::new());
                        }
                        continue;
                    }
                    let raw = String::from_utf8_lossy(&attr.value).to_string();
                    let value = match (key.as_str(), raw.trim()) {
                        ("xmlns", ATOM03_NS) if from_03 => ATOM10_NS.to_string(),
                        ("type", "text/plain") => "text".to_string(),
                        ("type", "text/html") => "html".to_string(),
                        ("type", "application/xhtml+xml") => "xhtml".to_string(),
                        _ => raw,
                    };
                    // Values are still escaped as in the source: push them raw.
                    tag.push_attribute((key.as_bytes(), value.as_bytes()));
                }
                if matches!(event, Event::Start(_)) {
                    Event::Start(tag)
                } else {
                    Event::Empty(tag)
                }
            }
            Event::End(ref e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).to_string();
                Event::End(BytesEnd::new(
                    rename(&name).unwrap_or(name.as_str()).to_string(),
                ))
            }
            other => other,
        };
        writer.write_event(out).map_err(|e| malformed(&e))?;
    }
    String::from_utf8(writer.into_inner()).map_err(|e| malformed(&e))
}

/// Base64 text (line breaks allowed) to the UTF-8 text it encodes.
fn decode_base64(text: &str) -> Result<String, ParseError> {
    use base64::Engine as _;
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| ParseError::Malformed {
            reason: format!("bad base64 in mode=\"base64\" text: {e}"),
        })?;
    String::from_utf8(bytes).map_err(|_| ParseError::Malformed {
        reason: "mode=\"base64\" text that is not UTF-8".into(),
    })
}
