//! OPML import and export of sources.
//!
//! Export writes OPML 2.0 with one folder per language. Parallax-only fields (id, ownership,
//! country) travel in the standard `category` attribute as `/parallax/<field>/<value>` tags, which
//! other readers show as plain tags at worst, so a round trip keeps them.
//!
//! Import accepts OPML 1.0/1.1/2.0 as real feed readers write it: nested folders, feeds at the top
//! level, `feed://` URLs, missing `text`. Outlines that cannot become a source are reported in
//! [`ImportReport::skipped`] rather than failing the whole file.

use std::collections::{HashMap, HashSet};

use opml::{Head, OPML, Outline};

use crate::catalog::{DEFAULT_REFRESH_SECS, is_slug, slug_for};
use crate::model::{Feed, Lang, Ownership, Source};

const TAG_PREFIX: &str = "/parallax/";

#[derive(Debug, thiserror::Error)]
pub enum OpmlError {
    #[error("opml: not a readable OPML document: {0}")]
    Parse(String),
    #[error("opml: the document lists no feeds")]
    NoFeeds,
    #[error("opml: no feed could be imported ({0})")]
    NothingImported(String),
    #[error("opml: could not write the document: {0}")]
    Write(String),
}

impl OpmlError {
    pub fn code(&self) -> crate::error::Code {
        match self {
            OpmlError::Write(_) => crate::error::Code::Internal,
            _ => crate::error::Code::Precondition,
        }
    }
}

/// An outline that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The outline's `text` (or `title`), for the user to recognise it.
    pub label: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportReport {
    pub sources: Vec<Source>,
    pub skipped: Vec<Skipped>,
}

/// Export sources as OPML 2.0, one folder per language (in language order).
pub fn export(sources: &[Source]) -> String {
    let mut by_lang: Vec<(&Lang, Vec<&Source>)> = Vec::new();
    for s in sources {
        match by_lang.iter_mut().find(|(l, _)| **l == s.language) {
            Some((_, v)) => v.push(s),
            None => by_lang.push((&s.language, vec![s])),
        }
    }
    by_lang.sort_by(|a, b| a.0.cmp(b.0));

    let mut doc = OPML {
        version: "2.0".into(),
        head: Some(Head {
            title: Some("Parallax sources".into()),
            date_created: Some(chrono::Utc::now().to_rfc2822()),
            ..Head::default()
        }),
        ..OPML::default()
    };
    for (lang, group) in by_lang {
        let mut folder = Outline {
            text: lang_label(lang),
            title: Some(lang_label(lang)),
            language: Some(lang.code().to_string()),
            ..Outline::default()
        };
        for s in group {
            for feed in &s.feeds {
                folder.outlines.push(feed_outline(s, feed));
            }
        }
        doc.body.outlines.push(folder);
    }
    // Serialising owned strings into XML cannot fail; an empty source list yields an empty body.
    let xml = doc
        .to_string()
        .unwrap_or_else(|_| r#"<opml version="2.0"><head/><body/></opml>"#.into());
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{xml}\n")
}

/// A language's English name ("Persian"), for OPML folders and export headings.
pub(crate) fn lang_label(lang: &Lang) -> String {
    match lang {
        Lang::Ar => "Arabic".into(),
        Lang::Fa => "Persian".into(),
        Lang::En => "English".into(),
        Lang::Ur => "Urdu".into(),
        Lang::Und => "Undetermined".into(),
        Lang::Other(c) => c.clone(),
    }
}

fn feed_outline(s: &Source, feed: &Feed) -> Outline {
    let mut tags = vec![format!("{TAG_PREFIX}id/{}", s.id)];
    tags.push(format!(
        "{TAG_PREFIX}ownership/{}",
        ownership_code(s.ownership)
    ));
    if let Some(c) = &s.country {
        tags.push(format!("{TAG_PREFIX}country/{c}"));
    }
    if !feed.verified {
        tags.push(format!("{TAG_PREFIX}unverified"));
    }
    if !s.enabled {
        tags.push(format!("{TAG_PREFIX}disabled"));
    }
    if s.refresh_secs != DEFAULT_REFRESH_SECS {
        tags.push(format!("{TAG_PREFIX}refresh/{}", s.refresh_secs));
    }
    Outline {
        text: s.name.clone(),
        title: Some(s.name.clone()),
        r#type: Some("rss".into()),
        xml_url: Some(feed.url.clone()),
        html_url: s.homepage.clone(),
        language: Some(s.language.code().to_string()),
        description: s.note.clone(),
        category: Some(tags.join(",")),
        ..Outline::default()
    }
}

/// The serde name of an ownership value (`public_broadcaster`), so the tag matches the catalog
/// and the store without a second hand-written table.
fn ownership_code(o: Ownership) -> String {
    match serde_json::to_value(o) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "unknown".into(),
    }
}

fn ownership_from_code(code: &str) -> Option<Ownership> {
    serde_json::from_value(serde_json::Value::String(code.to_string())).ok()
}

/// Import sources from OPML; see [`import_report`] for the outlines that were skipped.
pub fn import(text: &str) -> Result<Vec<Source>, OpmlError> {
    let report = import_report(text)?;
    if report.sources.is_empty() {
        let reasons: Vec<String> = report
            .skipped
            .iter()
            .map(|s| format!("{}: {}", s.label, s.reason))
            .collect();
        return Err(OpmlError::NothingImported(reasons.join("; ")));
    }
    Ok(report.sources)
}

/// Import sources from OPML, keeping a list of outlines that could not be imported.
///
/// Each feed outline becomes a source, except that outlines carrying the same Parallax id tag
/// (written by [`export`] for a source with several feeds) merge into one. A feed URL seen twice
/// is imported once.
pub fn import_report(text: &str) -> Result<ImportReport, OpmlError> {
    let doc = parse_tolerant(text)?;
    let mut state = ImportState::default();
    for o in &doc.body.outlines {
        state.walk(o, None);
    }
    // When every outline was rejected the report still answers, with the reasons.
    if state.sources.is_empty() && state.skipped.is_empty() {
        return Err(OpmlError::NoFeeds);
    }
    Ok(ImportReport {
        sources: state.sources,
        skipped: state.skipped,
    })
}

/// Parse with the `opml` crate after fixing what real exports get wrong but the crate rejects:
/// a byte-order mark, and a missing or unusual `version` attribute.
fn parse_tolerant(text: &str) -> Result<OPML, OpmlError> {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if !text.contains("<opml") {
        return Err(OpmlError::Parse("no <opml> root element".into()));
    }
    match OPML::from_str(text) {
        Ok(doc) => Ok(doc),
        Err(opml::Error::BodyHasNoOutlines) => Err(OpmlError::NoFeeds),
        Err(first) => {
            let patched =
                normalize_version(text).ok_or_else(|| OpmlError::Parse(describe(&first)))?;
            match OPML::from_str(&patched) {
                Ok(doc) => Ok(doc),
                Err(opml::Error::BodyHasNoOutlines) => Err(OpmlError::NoFeeds),
                Err(_) => Err(OpmlError::Parse(describe(&first))),
            }
        }
    }
}

fn describe(e: &opml::Error) -> String {
    match e {
        opml::Error::XmlError(x) => format!("invalid XML ({x})"),
        other => other.to_string(),
    }
}

/// Rewrite the root element's `version` to "2.0" (adding it when absent). None if there is no
/// `<opml` root to patch, so the original error is reported.
fn normalize_version(text: &str) -> Option<String> {
    let start = text.find("<opml")?;
    let end = start + text[start..].find('>')?;
    let tag = &text[start..end];
    let rest = &tag["<opml".len()..];
    let mut new_tag = String::from("<opml");
    let mut attrs = rest;
    // Drop any existing version attribute, keep the others as written.
    if let Some(pos) = attrs.find("version=") {
        let quote = attrs[pos + 8..].chars().next()?;
        let close = attrs[pos + 9..].find(quote)? + pos + 9;
        new_tag.push_str(&attrs[..pos]);
        attrs = &attrs[close + 1..];
    }
    new_tag.push_str(" version=\"2.0\"");
    new_tag.push_str(attrs);
    Some(format!("{}{}{}", &text[..start], new_tag, &text[end..]))
}

#[derive(Default)]
struct ImportState {
    sources: Vec<Source>,
    skipped: Vec<Skipped>,
    seen_urls: HashSet<String>,
    ids: HashMap<String, usize>,
    /// Sources that came with an explicit Parallax id (may receive more feeds).
    tagged: HashSet<String>,
}

impl ImportState {
    fn walk(&mut self, o: &Outline, inherited_lang: Option<&str>) {
        if o.is_comment == Some(true) {
            return;
        }
        let lang_attr = o
            .language
            .as_deref()
            .filter(|l| !l.trim().is_empty())
            .or(inherited_lang);
        match o
            .xml_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            Some(url) => self.add_feed(o, url, lang_attr),
            None => {
                let is_feed_type = o.r#type.as_deref().is_some_and(|t| {
                    matches!(t.to_ascii_lowercase().as_str(), "rss" | "atom" | "feed")
                });
                if is_feed_type && o.outlines.is_empty() {
                    self.skip(o, "no xmlUrl attribute".into());
                }
            }
        }
        for child in &o.outlines {
            self.walk(child, lang_attr);
        }
    }

    fn skip(&mut self, o: &Outline, reason: String) {
        self.skipped.push(Skipped {
            label: label_of(o),
            reason,
        });
    }

    fn add_feed(&mut self, o: &Outline, raw_url: &str, lang: Option<&str>) {
        let url = match normalize_feed_url(raw_url) {
            Ok(u) => u,
            Err(reason) => return self.skip(o, reason),
        };
        if !self.seen_urls.insert(url.clone()) {
            return self.skip(o, format!("duplicate feed {url}"));
        }
        let tags = ParallaxTags::from_category(o.category.as_deref());
        let feed = Feed {
            url: url.clone(),
            verified: !tags.unverified,
        };
        if let Some(id) = &tags.id
            && self.tagged.contains(id)
            && let Some(&i) = self.ids.get(id)
        {
            self.sources[i].feeds.push(feed);
            return;
        }
        let name = [Some(o.text.as_str()), o.title.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .find(|s| !s.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| host_of(&url));
        let language = lang.and_then(Lang::from_tag).unwrap_or(Lang::Und);
        let homepage = o
            .html_url
            .as_deref()
            .and_then(|h| crate::catalog::check_http_url(h).ok());
        let base_id = tags.id.clone().unwrap_or_else(|| slug_for(&name));
        let id = self.unique_id(&base_id);
        if tags.id.is_some() {
            self.tagged.insert(id.clone());
        }
        self.ids.insert(id.clone(), self.sources.len());
        self.sources.push(Source {
            id,
            name,
            homepage,
            feeds: vec![feed],
            language,
            country: tags.country,
            ownership: tags.ownership.unwrap_or(Ownership::Unknown),
            note: o
                .description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_string),
            enabled: !tags.disabled,
            refresh_secs: tags.refresh_secs.unwrap_or(DEFAULT_REFRESH_SECS),
        });
    }

    fn unique_id(&self, base: &str) -> String {
        if !self.ids.contains_key(base) {
            return base.to_string();
        }
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|c| !self.ids.contains_key(c))
            .unwrap_or_else(|| base.to_string())
    }
}

fn label_of(o: &Outline) -> String {
    [
        Some(o.text.as_str()),
        o.title.as_deref(),
        o.xml_url.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .find(|s| !s.is_empty())
    .unwrap_or("(untitled outline)")
    .to_string()
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.trim_start_matches("www.").to_string())
        })
        .unwrap_or_else(|| url.to_string())
}

/// `feed://host/x` and `feed:https://host/x` are old reader conventions for http(s) URLs.
fn normalize_feed_url(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    let s = if let Some(rest) = s.strip_prefix("feed:") {
        if rest.starts_with("http://") || rest.starts_with("https://") {
            rest.to_string()
        } else {
            format!("http:{rest}")
        }
    } else {
        s.to_string()
    };
    crate::catalog::check_http_url(&s).map_err(|r| format!("xmlUrl {r}"))
}

#[derive(Default)]
struct ParallaxTags {
    id: Option<String>,
    ownership: Option<Ownership>,
    country: Option<String>,
    unverified: bool,
    disabled: bool,
    refresh_secs: Option<u32>,
}

impl ParallaxTags {
    fn from_category(category: Option<&str>) -> Self {
        let mut t = ParallaxTags::default();
        for tag in category.unwrap_or("").split(',').map(str::trim) {
            let Some(rest) = tag.strip_prefix(TAG_PREFIX) else {
                continue;
            };
            let (key, value) = rest.split_once('/').unwrap_or((rest, ""));
            match key {
                "id" if is_slug(value) => t.id = Some(value.to_string()),
                "ownership" => t.ownership = ownership_from_code(value),
                "country" if value.len() == 2 && value.chars().all(|c| c.is_ascii_alphabetic()) => {
                    t.country = Some(value.to_ascii_uppercase())
                }
                "unverified" => t.unverified = true,
                "disabled" => t.disabled = true,
                "refresh" => t.refresh_secs = value.parse().ok().filter(|&n| n > 0),
                _ => {}
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feedly's export: OPML 1.0, folders with text and title, `type="rss"`, no language.
    const FEEDLY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>

<opml version="1.0">
  <head>
    <title>Analyst subscriptions in feedly Cloud</title>
  </head>
  <body>
    <outline text="Iran" title="Iran">
      <outline type="rss" text="BBC News فارسی" title="BBC News فارسی" xmlUrl="https://feeds.bbci.co.uk/persian/rss.xml" htmlUrl="https://www.bbc.com/persian"/>
      <outline type="rss" text="Tehran Times" title="Tehran Times" xmlUrl="https://www.tehrantimes.com/rss" htmlUrl="https://www.tehrantimes.com"/>
      <outline type="rss" text="خبرگزاری مهر | اخبار ایران و جهان | Mehr News Agency" title="خبرگزاری مهر | اخبار ایران و جهان | Mehr News Agency" xmlUrl="https://www.mehrnews.com/rss" htmlUrl="https://www.mehrnews.com"/>
    </outline>
    <outline text="Gulf" title="Gulf">
      <outline type="rss" text="Arab News" title="Arab News" xmlUrl="https://www.arabnews.com/rss.xml" htmlUrl="https://www.arabnews.com"/>
      <outline type="rss" text="BBC News فارسی" title="BBC News فارسی" xmlUrl="https://feeds.bbci.co.uk/persian/rss.xml" htmlUrl="https://www.bbc.com/persian"/>
    </outline>
  </body>
</opml>
"#;

    /// An Inoreader/NetNewsWire-style OPML 2.0: nested folders, head metadata, language
    /// attributes on some outlines, a comment, entities in URLs, a feed:// URL.
    const NESTED_20: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- OPML generated by a feed reader -->
<opml version="2.0">
  <head>
    <title>Subscriptions</title>
    <dateCreated>Tue, 24 Nov 2026 09:12:44 +0000</dateCreated>
    <ownerName>desk</ownerName>
    <generator>NetNewsWire 6.1</generator>
  </head>
  <body>
    <outline text="Middle East" title="Middle East">
      <outline text="Arabic" title="Arabic" language="ar">
        <outline text="الجزيرة نت" title="الجزيرة نت" type="rss" xmlUrl="https://www.aljazeera.net/aljazeerarss/a7c186be-1baa-4bd4-9d80-a84db769f779/73d0e1b4-532f-45ef-b135-bfdff8b8cab9" htmlUrl="https://www.aljazeera.net"/>
        <outline text="Anadolu عربي" type="rss" xmlUrl="https://www.aa.com.tr/ar/rss/default?cat=guncel&amp;lang=ar" htmlUrl="https://www.aa.com.tr/ar"/>
      </outline>
      <outline text="Middle East Eye" title="Middle East Eye" type="rss" language="en-GB" xmlUrl="feed://www.middleeasteye.net/rss" htmlUrl="https://www.middleeasteye.net"/>
      <outline text="Broken" title="Broken" type="rss" xmlUrl="javascript:alert(1)"/>
      <outline text="Old bookmark" type="link" url="https://www.example.org/"/>
    </outline>
    <outline text="Radio Farda" title="Radio Farda" type="rss" language="fa-IR" xmlUrl="https://www.radiofarda.com/api/zrttpol-vomx-tpeoogpi"/>
    <outline text="No URL here" type="rss"/>
  </body>
</opml>
"#;

    /// An old OPML 1.0 export (Thunderbird/Liferea style): no XML declaration, `version`
    /// missing, flat list, `isComment`, empty text with only a title.
    const OLD_FLAT: &str = "\u{feff}<opml>\n<head><title>Thunderbird OPML Export - News &amp; Blogs</title></head>\n<body>\n<outline title=\"Press TV\" text=\"\" type=\"rss\" version=\"RSS\" xmlUrl=\"https://www.presstv.ir/rss\" htmlUrl=\"https://www.presstv.ir/\"/>\n<outline title=\"Commented out\" text=\"Commented out\" type=\"rss\" isComment=\"true\" xmlUrl=\"https://example.com/rss\"/>\n<outline text=\"\" type=\"rss\" xmlUrl=\"http://www.tabnak.ir/fa/rss/allnews\"/>\n</body>\n</opml>\n";

    #[test]
    fn imports_feedly_export_with_folders_and_dedupe() {
        let r = import_report(FEEDLY).expect("feedly export");
        let urls: Vec<&str> = r.sources.iter().map(|s| s.feeds[0].url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://feeds.bbci.co.uk/persian/rss.xml",
                "https://www.tehrantimes.com/rss",
                "https://www.mehrnews.com/rss",
                "https://www.arabnews.com/rss.xml",
            ]
        );
        assert_eq!(r.skipped.len(), 1);
        assert!(r.skipped[0].reason.contains("duplicate"), "{:?}", r.skipped);
        let bbc = &r.sources[0];
        assert_eq!(bbc.name, "BBC News فارسی");
        assert_eq!(bbc.homepage.as_deref(), Some("https://www.bbc.com/persian"));
        assert_eq!(bbc.language, Lang::Und, "feedly gives no language");
        assert_eq!(bbc.ownership, Ownership::Unknown);
        assert!(
            r.sources
                .iter()
                .all(|s| is_slug(&s.id) && s.enabled && s.refresh_secs == 900)
        );
        assert_eq!(r.sources[1].id, "tehran-times");
        assert_eq!(r.sources[2].id, "mehr-news-agency");
    }

    #[test]
    fn imports_nested_opml2_with_inherited_language() {
        let r = import_report(NESTED_20).expect("nested export");
        let by_url = |u: &str| r.sources.iter().find(|s| s.feeds[0].url == u).expect(u);
        let aj = by_url(
            "https://www.aljazeera.net/aljazeerarss/a7c186be-1baa-4bd4-9d80-a84db769f779/73d0e1b4-532f-45ef-b135-bfdff8b8cab9",
        );
        assert_eq!(aj.language, Lang::Ar, "inherited from the Arabic folder");
        assert_eq!(aj.name, "الجزيرة نت");
        assert!(aj.id.starts_with("source-"), "{}", aj.id);
        let aa = by_url("https://www.aa.com.tr/ar/rss/default?cat=guncel&lang=ar");
        assert_eq!(aa.id, "anadolu");
        let mee = by_url("http://www.middleeasteye.net/rss");
        assert_eq!(mee.language, Lang::En);
        assert_eq!(
            by_url("https://www.radiofarda.com/api/zrttpol-vomx-tpeoogpi").language,
            Lang::Fa
        );
        assert_eq!(r.sources.len(), 4);
        let reasons: Vec<&str> = r.skipped.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(reasons, ["Broken", "No URL here"], "{:?}", r.skipped);
        assert!(r.skipped[0].reason.contains("http or https"));
        assert!(r.skipped[1].reason.contains("xmlUrl"));
    }

    #[test]
    fn imports_old_flat_opml_without_version() {
        let r = import_report(OLD_FLAT).expect("old export");
        assert_eq!(r.sources.len(), 2, "{:?}", r.sources);
        assert_eq!(
            r.sources[0].name, "Press TV",
            "title used when text is empty"
        );
        assert_eq!(r.sources[0].id, "press-tv");
        assert_eq!(
            r.sources[1].name, "tabnak.ir",
            "host used when no text or title"
        );
        assert_eq!(
            r.sources[1].feeds[0].url,
            "http://www.tabnak.ir/fa/rss/allnews"
        );
        assert!(
            r.skipped.is_empty(),
            "comments are silently ignored: {:?}",
            r.skipped
        );
    }

    #[test]
    fn rejects_non_opml_and_empty_documents() {
        let e = import("<html><body>not a feed list</body></html>").expect_err("html");
        assert_eq!(
            e.to_string(),
            "opml: not a readable OPML document: no <opml> root element"
        );
        let e = import("<opml version=\"2.0\"><head/><body/></opml>").expect_err("empty");
        assert_eq!(e.to_string(), "opml: the document lists no feeds");
        let e = import(
            "<opml version=\"2.0\"><head/><body><outline text=\"Empty folder\"/></body></opml>",
        )
        .expect_err("folder only");
        assert_eq!(e.to_string(), "opml: the document lists no feeds");
        let e = import("<opml version=\"2.0\"><body><outline text=\"x\"").expect_err("truncated");
        assert!(
            e.to_string()
                .starts_with("opml: not a readable OPML document"),
            "{e}"
        );
        let all_bad = r#"<opml version="1.0"><body><outline text="Intranet" type="rss" xmlUrl="file:///etc/passwd"/></body></opml>"#;
        let e = import(all_bad).expect_err("nothing importable");
        assert_eq!(
            e.to_string(),
            "opml: no feed could be imported (Intranet: xmlUrl `file:///etc/passwd` must use http or https)"
        );
        let r = import_report(all_bad).expect("report still answers");
        assert!(r.sources.is_empty() && r.skipped.len() == 1);
    }

    #[test]
    fn export_groups_by_language_and_round_trips() {
        let sources = crate::catalog::bundled().expect("catalog");
        let xml = export(&sources);
        assert!(
            xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">")
        );
        let doc = OPML::from_str(xml.trim_start_matches(|c| c != '\n').trim()).expect("valid OPML");
        let folders: Vec<&str> = doc.body.outlines.iter().map(|o| o.text.as_str()).collect();
        assert_eq!(folders, ["Arabic", "Persian", "English"]);
        for folder in &doc.body.outlines {
            let code = folder.language.as_deref().expect("folder language");
            assert!(
                folder
                    .outlines
                    .iter()
                    .all(|o| o.language.as_deref() == Some(code))
            );
        }

        let back = import(&xml).expect("re-import");
        assert_eq!(back.len(), sources.len());
        let mut expected = sources.clone();
        let mut got = back;
        expected.sort_by(|a, b| a.id.cmp(&b.id));
        got.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(got, expected, "every field survives export → import");
    }

    #[test]
    fn round_trip_keeps_multi_feed_sources_and_flags() {
        let src = Source {
            id: "bbc-news-world".into(),
            name: "BBC News <World> & \"Middle East\"".into(),
            homepage: Some("https://www.bbc.com/news/world".into()),
            feeds: vec![
                Feed {
                    url: "https://feeds.bbci.co.uk/news/world/rss.xml".into(),
                    verified: true,
                },
                Feed {
                    url: "https://feeds.bbci.co.uk/news/world/middle_east/rss.xml?a=1&b=2".into(),
                    verified: false,
                },
            ],
            language: Lang::Other("tr".into()),
            country: None,
            ownership: Ownership::PublicBroadcaster,
            note: None,
            enabled: false,
            refresh_secs: 3600,
        };
        let back = import(&export(std::slice::from_ref(&src))).expect("round trip");
        assert_eq!(back, vec![src]);
    }
}
