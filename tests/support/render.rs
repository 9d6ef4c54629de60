//! Write items as RSS 2.0, Atom, RSS 1.0 (RDF) or JSON Feed text, and encode it.

use super::corpus::RawItem;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rss2,
    Atom,
    Rdf,
    JsonFeed,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Rss2 => "application/rss+xml",
            Format::Atom => "application/atom+xml",
            Format::Rdf => "application/rdf+xml",
            Format::JsonFeed => "application/feed+json",
        }
    }
}

/// An item's date as written in the feed.
#[derive(Debug, Clone, PartialEq)]
pub enum DateSpec {
    At(DateTime<Utc>),
    /// Written verbatim (Persian or Arabic dates, garbage).
    Raw(String),
    Absent,
}

/// One entry as it will appear in the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub guid: Option<String>,
    pub link: Option<String>,
    pub title: String,
    pub summary: String,
    pub date: DateSpec,
    pub tags: Vec<String>,
}

impl Entry {
    /// A real item with its link as guid, dated `fallback` when the dataset kept no date.
    pub fn from_raw(item: &RawItem, fallback: DateTime<Utc>) -> Entry {
        Entry {
            guid: item.link.clone(),
            link: item.link.clone(),
            title: item.title.clone(),
            summary: item.summary.clone(),
            date: DateSpec::At(item.published.unwrap_or(fallback)),
            tags: item.tags.clone(),
        }
    }
}

/// Channel-level data.
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    pub title: String,
    pub site: String,
    pub lang: String,
    /// `encoding="..."` of the XML declaration; `None` writes a declaration without it.
    pub xml_encoding: Option<String>,
    pub ttl_minutes: Option<u32>,
}

pub fn render(format: Format, channel: &Channel, entries: &[Entry]) -> String {
    match format {
        Format::Rss2 => rss2(channel, entries),
        Format::Atom => atom(channel, entries),
        Format::Rdf => rdf(channel, entries),
        Format::JsonFeed => json_feed(channel, entries),
    }
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn decl(channel: &Channel) -> String {
    match &channel.xml_encoding {
        Some(enc) => format!("<?xml version=\"1.0\" encoding=\"{enc}\"?>\n"),
        None => "<?xml version=\"1.0\"?>\n".to_owned(),
    }
}

fn date_text(date: &DateSpec, rfc2822: bool) -> Option<String> {
    match date {
        DateSpec::At(d) if rfc2822 => Some(d.to_rfc2822()),
        DateSpec::At(d) => Some(d.to_rfc3339()),
        DateSpec::Raw(s) => Some(s.clone()),
        DateSpec::Absent => None,
    }
}

fn rss2(ch: &Channel, entries: &[Entry]) -> String {
    let mut s = decl(ch);
    s.push_str("<rss version=\"2.0\"><channel>\n");
    s.push_str(&format!(
        "<title>{}</title><link>{}</link><description>{}</description><language>{}</language>\n",
        escape(&ch.title),
        escape(&ch.site),
        escape(&ch.title),
        escape(&ch.lang)
    ));
    if let Some(ttl) = ch.ttl_minutes {
        s.push_str(&format!("<ttl>{ttl}</ttl>\n"));
    }
    for e in entries {
        s.push_str("<item>");
        s.push_str(&format!("<title>{}</title>", escape(&e.title)));
        if let Some(link) = &e.link {
            s.push_str(&format!("<link>{}</link>", escape(link)));
        }
        if let Some(guid) = &e.guid {
            s.push_str(&format!(
                "<guid isPermaLink=\"false\">{}</guid>",
                escape(guid)
            ));
        }
        if !e.summary.is_empty() {
            s.push_str(&format!(
                "<description>{}</description>",
                escape(&e.summary)
            ));
        }
        if let Some(d) = date_text(&e.date, true) {
            s.push_str(&format!("<pubDate>{}</pubDate>", escape(&d)));
        }
        for t in &e.tags {
            s.push_str(&format!("<category>{}</category>", escape(t)));
        }
        s.push_str("</item>\n");
    }
    s.push_str("</channel></rss>\n");
    s
}

fn atom(ch: &Channel, entries: &[Entry]) -> String {
    let mut s = decl(ch);
    let updated = entries
        .iter()
        .find_map(|e| match e.date {
            DateSpec::At(d) => Some(d.to_rfc3339()),
            _ => None,
        })
        .unwrap_or_else(|| "2020-04-20T00:00:00Z".into());
    s.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n<title>{}</title><id>{}</id><link href=\"{}\"/><updated>{updated}</updated>\n",
        escape(&ch.lang),
        escape(&ch.title),
        escape(&ch.site),
        escape(&ch.site)
    ));
    for e in entries {
        s.push_str("<entry>");
        s.push_str(&format!("<title>{}</title>", escape(&e.title)));
        if let Some(guid) = &e.guid {
            s.push_str(&format!("<id>{}</id>", escape(guid)));
        }
        if let Some(link) = &e.link {
            s.push_str(&format!(
                "<link rel=\"alternate\" href=\"{}\"/>",
                escape(link)
            ));
        }
        if !e.summary.is_empty() {
            s.push_str(&format!(
                "<summary type=\"text\">{}</summary>",
                escape(&e.summary)
            ));
        }
        if let Some(d) = date_text(&e.date, false) {
            s.push_str(&format!(
                "<published>{0}</published><updated>{0}</updated>",
                escape(&d)
            ));
        }
        for t in &e.tags {
            s.push_str(&format!("<category term=\"{}\"/>", escape(t)));
        }
        s.push_str("</entry>\n");
    }
    s.push_str("</feed>\n");
    s
}

fn rdf(ch: &Channel, entries: &[Entry]) -> String {
    let mut s = decl(ch);
    s.push_str(
        "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n",
    );
    s.push_str(&format!(
        "<channel rdf:about=\"{0}\"><title>{1}</title><link>{0}</link><description>{1}</description><dc:language>{2}</dc:language><items><rdf:Seq>",
        escape(&ch.site),
        escape(&ch.title),
        escape(&ch.lang)
    ));
    for e in entries {
        if let Some(link) = &e.link {
            s.push_str(&format!("<rdf:li rdf:resource=\"{}\"/>", escape(link)));
        }
    }
    s.push_str("</rdf:Seq></items></channel>\n");
    for e in entries {
        let about = e
            .guid
            .as_ref()
            .or(e.link.as_ref())
            .map(|a| format!(" rdf:about=\"{}\"", escape(a)))
            .unwrap_or_default();
        s.push_str(&format!("<item{about}><title>{}</title>", escape(&e.title)));
        if let Some(link) = &e.link {
            s.push_str(&format!("<link>{}</link>", escape(link)));
        }
        if !e.summary.is_empty() {
            s.push_str(&format!(
                "<description>{}</description>",
                escape(&e.summary)
            ));
        }
        if let Some(d) = date_text(&e.date, false) {
            s.push_str(&format!("<dc:date>{}</dc:date>", escape(&d)));
        }
        for t in &e.tags {
            s.push_str(&format!("<dc:subject>{}</dc:subject>", escape(t)));
        }
        s.push_str("</item>\n");
    }
    s.push_str("</rdf:RDF>\n");
    s
}

fn json_feed(ch: &Channel, entries: &[Entry]) -> String {
    let items: Vec<serde_json::Value> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut item = serde_json::json!({
                // JSON Feed requires an id; an item "without guid" gets its position, as such feeds do.
                "id": e.guid.clone().unwrap_or_else(|| i.to_string()),
                "title": e.title,
                "tags": e.tags,
            });
            if let Some(link) = &e.link {
                item["url"] = link.clone().into();
            }
            if !e.summary.is_empty() {
                item["content_text"] = e.summary.clone().into();
            }
            if let Some(d) = date_text(&e.date, false) {
                item["date_published"] = d.into();
            }
            item
        })
        .collect();
    let feed = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": ch.title,
        "home_page_url": ch.site,
        "language": ch.lang,
        "items": items,
    });
    serde_json::to_string_pretty(&feed).unwrap_or_default()
}

/// Encode `text` in `encoding` (unmappable characters become XML numeric references, as legacy
/// CMSs wrote them). Returns the bytes and whether any reference was needed.
pub fn encode(text: &str, encoding: &'static encoding_rs::Encoding) -> (Vec<u8>, bool) {
    let (bytes, _, lossy) = encoding.encode(text);
    (bytes.into_owned(), lossy)
}
