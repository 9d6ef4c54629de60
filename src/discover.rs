//! Feed autodiscovery: the feeds a homepage announces with `<link rel="alternate">`, and the
//! common feed paths to try when it announces none.

use scraper::{Html, Selector};
use serde::{Deserialize, Serialize};
use url::Url;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "lowercase")]
pub enum FeedKind {
    Rss,
    Atom,
    Json,
}

/// A feed announced by a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct DiscoveredFeed {
    /// Absolute http(s) URL.
    pub url: String,
    pub title: Option<String>,
    pub kind: FeedKind,
}

/// Paths where sites commonly serve a feed, tried in this order by the fetch stage.
pub const FALLBACK_PATHS: [&str; 6] = [
    "/feed",
    "/rss",
    "/rss.xml",
    "/feed.xml",
    "/atom.xml",
    "/index.xml",
];

/// Feeds announced in `html` by `<link rel="alternate" type=...>`, in document order, without
/// duplicates. Relative hrefs resolve against `<base href>` (itself relative to `page_url`), else
/// `page_url`. Links that do not resolve to http(s) are dropped.
pub fn feed_links(html: &str, page_url: &str) -> Vec<DiscoveredFeed> {
    let Ok(page) = Url::parse(page_url.trim()) else {
        return Vec::new();
    };
    let doc = Html::parse_document(html);
    let base = first_base(&doc)
        .and_then(|href| page.join(href.trim()).ok())
        .filter(crate::canonical::is_web)
        .unwrap_or(page);

    let mut out: Vec<DiscoveredFeed> = Vec::new();
    for el in doc.select(selector(LINK)) {
        let attrs = el.value();
        let Some(rel) = attrs.attr("rel") else {
            continue;
        };
        if !rel
            .split_ascii_whitespace()
            .any(|t| t.eq_ignore_ascii_case("alternate"))
        {
            continue;
        }
        let Some(kind) = attrs.attr("type").and_then(kind_of) else {
            continue;
        };
        let Some(url) = attrs.attr("href").and_then(|h| resolve(&base, h)) else {
            continue;
        };
        if out.iter().any(|f| f.url == url) {
            continue;
        }
        let title = attrs
            .attr("title")
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty());
        out.push(DiscoveredFeed { url, title, kind });
    }
    out
}

/// URLs to try when a page announces no feed: the common paths under the page's own directory
/// (when it is not the site root, e.g. `https://www.bbc.com/persian`), then at the site root.
/// Empty when `page_url` is not an absolute http(s) URL.
pub fn fallback_candidates(page_url: &str) -> Vec<String> {
    let Ok(page) = Url::parse(page_url.trim()) else {
        return Vec::new();
    };
    if !crate::canonical::is_web(&page) {
        return Vec::new();
    }
    let mut prefixes = Vec::new();
    let dir = page.path().trim_end_matches('/');
    // A last segment with a dot is a document (`/news/index.html`): use its directory.
    let dir = match dir.rsplit_once('/') {
        Some((parent, last)) if last.contains('.') => parent,
        _ => dir,
    };
    if !dir.is_empty() {
        prefixes.push(dir.to_string());
    }
    prefixes.push(String::new());

    let mut out = Vec::new();
    for prefix in prefixes {
        for path in FALLBACK_PATHS {
            let mut u = page.clone();
            u.set_path(&format!("{prefix}{path}"));
            u.set_query(None);
            u.set_fragment(None);
            let s = u.to_string();
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

const LINK: &str = "link[href]";
const BASE: &str = "base[href]";

fn selector(css: &'static str) -> &'static Selector {
    use std::sync::OnceLock;
    static LINK_SEL: OnceLock<Selector> = OnceLock::new();
    static BASE_SEL: OnceLock<Selector> = OnceLock::new();
    let cell = if css == LINK { &LINK_SEL } else { &BASE_SEL };
    // The two selectors are constants; parsing them cannot fail.
    cell.get_or_init(|| {
        Selector::parse(css).unwrap_or_else(|_| unreachable!("constant selector {css}"))
    })
}

fn first_base(doc: &Html) -> Option<&str> {
    doc.select(selector(BASE))
        .next()
        .and_then(|b| b.value().attr("href"))
}

/// The feed kind a `type` attribute announces (parameters such as `; charset=utf-8` ignored).
fn kind_of(mime: &str) -> Option<FeedKind> {
    let essence = mime
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        // RSS 1.0 is RDF; some sites announce it as such.
        "application/rss+xml" | "application/rdf+xml" => Some(FeedKind::Rss),
        "application/atom+xml" => Some(FeedKind::Atom),
        "application/feed+json" | "application/json" => Some(FeedKind::Json),
        _ => None,
    }
}

fn resolve(base: &Url, href: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    // `feed:` is an old scheme some sites still put in front of an http(s) feed URL; `feed://x`
    // meant `http://x` (the fetch stage follows any redirect to https).
    let href = match href.strip_prefix("feed:") {
        Some(rest) if rest.starts_with("//") => format!("http:{rest}"),
        Some(rest) => rest.to_string(),
        None => href.to_string(),
    };
    let u = base.join(&href).ok()?;
    crate::canonical::is_web(&u).then(|| u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shaped like an Arabic news homepage: RTL, relative and protocol-relative hrefs, a `<base>`.
    const ARABIC_PAGE: &str = r#"<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<title>الأخبار العاجلة | آخر أخبار اليوم</title>
<base href="/ar/">
<link rel="stylesheet" href="/assets/main.css">
<link rel="alternate" hreflang="en" href="https://example-news.net/en/">
<link rel="alternate" type="application/rss+xml" title="  الأخبار   العاجلة " href="rss/latest.xml">
<link rel="Alternate" type="application/atom+xml; charset=utf-8" title="تقارير" href="/ar/atom">
<link rel="alternate" type="application/rss+xml" title="الاقتصاد" href="//cdn.example-news.net/feeds/economy.xml">
<link rel="alternate" type="application/rss+xml" title="مكرر" href="https://example-news.net/ar/rss/latest.xml">
<link rel="alternate" type="application/rss+xml" href="javascript:void(0)">
<link rel="alternate" type="application/rss+xml" href="">
<link rel="alternate" type="application/rss+xml">
</head>
<body><div dir="rtl"><h1>آخر الأخبار</h1><a href="rss/">خدمة RSS</a></div></body>
</html>"#;

    #[test]
    fn arabic_rtl_page_with_base_and_relative_hrefs() {
        let feeds = feed_links(
            ARABIC_PAGE,
            "https://example-news.net/ar/politics/story-1.html",
        );
        assert_eq!(
            feeds,
            vec![
                DiscoveredFeed {
                    url: "https://example-news.net/ar/rss/latest.xml".into(),
                    title: Some("الأخبار العاجلة".into()),
                    kind: FeedKind::Rss,
                },
                DiscoveredFeed {
                    url: "https://example-news.net/ar/atom".into(),
                    title: Some("تقارير".into()),
                    kind: FeedKind::Atom,
                },
                DiscoveredFeed {
                    url: "https://cdn.example-news.net/feeds/economy.xml".into(),
                    title: Some("الاقتصاد".into()),
                    kind: FeedKind::Rss,
                },
            ]
        );
    }

    #[test]
    fn persian_wordpress_page_without_base() {
        let html = r#"<html lang="fa-IR" dir="rtl"><head>
<link rel="alternate" type="application/rss+xml" title="خبرگزاری &raquo; خوراک" href="https://news.example.ir/feed/" />
<link rel="alternate" type="application/rss+xml" title="خبرگزاری &raquo; خوراک دیدگاه‌ها" href="https://news.example.ir/comments/feed/" />
<link rel="alternate" type="application/json" href="https://news.example.ir/wp-json/wp/v2/pages/2" title="JSON" />
<link rel="alternate" type="application/feed+json" title="JSON Feed" href="feed.json" />
<link rel="https://api.w.org/" href="https://news.example.ir/wp-json/" />
</head><body><p>سلام</p></body></html>"#;
        let feeds = feed_links(html, "https://news.example.ir/fa/");
        let got: Vec<(&str, Option<&str>, FeedKind)> = feeds
            .iter()
            .map(|f| (f.url.as_str(), f.title.as_deref(), f.kind))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "https://news.example.ir/feed/",
                    Some("خبرگزاری » خوراک"),
                    FeedKind::Rss
                ),
                (
                    "https://news.example.ir/comments/feed/",
                    Some("خبرگزاری » خوراک دیدگاه\u{200c}ها"),
                    FeedKind::Rss
                ),
                (
                    "https://news.example.ir/wp-json/wp/v2/pages/2",
                    Some("JSON"),
                    FeedKind::Json
                ),
                (
                    "https://news.example.ir/fa/feed.json",
                    Some("JSON Feed"),
                    FeedKind::Json
                ),
            ]
        );
    }

    #[test]
    fn english_page_links_in_body_and_feed_scheme() {
        // Malformed real-world markup: links outside <head>, a feed: URL, an unknown type.
        let html = r#"<html><body><header>Times</header>
<link rel="alternate" type="application/rss+xml" title="World" href="feed://www.example.com/world/rss">
<link rel="alternate" type="text/html" href="/amp/">
<p>No head at all
<link rel="alternate feed" type="APPLICATION/ATOM+XML" href="../atom.xml">"#;
        let feeds = feed_links(html, "http://www.example.com/section/page");
        let urls: Vec<&str> = feeds.iter().map(|f| f.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "http://www.example.com/world/rss",
                "http://www.example.com/atom.xml"
            ]
        );
        assert_eq!(feeds[1].title, None);
    }

    #[test]
    fn non_http_base_is_ignored() {
        let html = r#"<head><base href="javascript:void(0)//"><link rel="alternate" type="application/rss+xml" href="rss.xml"></head>"#;
        let feeds = feed_links(html, "https://www.irna.ir/news/1");
        assert_eq!(feeds.len(), 1);
        assert_eq!(feeds[0].url, "https://www.irna.ir/news/rss.xml");
    }

    #[test]
    fn nothing_from_pages_without_feeds_or_bad_page_urls() {
        assert!(
            feed_links(
                "<html><head><title>x</title></head></html>",
                "https://a.example/"
            )
            .is_empty()
        );
        assert!(feed_links(ARABIC_PAGE, "not a url").is_empty());
        assert!(feed_links("", "https://a.example/").is_empty());
    }

    #[test]
    fn fallback_paths_for_root_section_and_document_pages() {
        assert_eq!(
            fallback_candidates("https://www.tehrantimes.com"),
            [
                "https://www.tehrantimes.com/feed",
                "https://www.tehrantimes.com/rss",
                "https://www.tehrantimes.com/rss.xml",
                "https://www.tehrantimes.com/feed.xml",
                "https://www.tehrantimes.com/atom.xml",
                "https://www.tehrantimes.com/index.xml",
            ]
        );
        let section = fallback_candidates("https://www.bbc.com/persian?x=1#top");
        assert_eq!(section.len(), 12);
        assert_eq!(section[0], "https://www.bbc.com/persian/feed");
        assert_eq!(section[5], "https://www.bbc.com/persian/index.xml");
        assert_eq!(section[6], "https://www.bbc.com/feed");
        let doc = fallback_candidates("https://example.org/index.html");
        assert_eq!(doc.len(), 6, "{doc:?}");
        assert_eq!(doc[0], "https://example.org/feed");
        assert!(fallback_candidates("ftp://example.org/").is_empty());
        assert!(fallback_candidates("example.org").is_empty());
    }
}
