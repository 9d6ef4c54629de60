//! Feed HTML is hostile input shown inside the app: this module turns it into HTML that cannot
//! run code or load anything remote, and into plain text for titles, search and detection.
//!
//! `html` uses ammonia (an allow-list over html5ever). Text extraction walks an html5ever tree
//! (via `scraper`), never regexes, so entities, CDATA leftovers and broken tags come out as a
//! browser would read them.

use std::collections::HashSet;

use ammonia::{Builder, UrlRelative};
use scraper::{ElementRef, Html, Node};
use url::Url;

/// Tags ammonia allows by default that would load remote resources (tracking pixels, images).
const REMOTE_LOAD_TAGS: &[&str] = &["img", "area", "map"];

/// Input bounds, see [`bounded`].
const MAX_INPUT_BYTES: usize = 256 * 1024;
const MAX_TAGS: usize = 4096;

/// Elements whose content is never text a reader sees.
const INVISIBLE: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "head",
    "title",
];

/// Elements that break a line when rendered (so words on both sides do not glue together).
const BLOCK: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "table",
    "tr",
    "td",
    "th",
    "hr",
    "section",
    "article",
    "header",
    "footer",
    "figure",
    "figcaption",
    "dd",
    "dt",
    "dl",
    "aside",
    "nav",
    "caption",
];

/// Sanitizes feed HTML: no scripts, event handlers, iframes, objects, forms, styles or images;
/// links keep only http/https/mailto targets (resolved against `base`) and get
/// `rel="noopener noreferrer"`.
pub fn html(input: &str, base: &str) -> String {
    Sanitizer::new(base).html(input)
}

/// The `html` policy built once for one base URL, for sanitizing many items of a feed.
pub struct Sanitizer(Builder<'static>);

impl Sanitizer {
    pub fn new(base: &str) -> Self {
        let mut b = Builder::default();
        b.rm_tags(REMOTE_LOAD_TAGS)
            .add_generic_attributes(["dir"])
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .link_rel(Some("noopener noreferrer"))
            .strip_comments(true);
        b.url_relative(match Url::parse(base) {
            Ok(u) => UrlRelative::RewriteWithBase(u),
            Err(_) => UrlRelative::Deny,
        });
        Sanitizer(b)
    }

    /// See [`html`].
    pub fn html(&self, input: &str) -> String {
        self.0.clean(bounded(input)).to_string().trim().to_string()
    }
}

/// Plain text of an HTML fragment: entities decoded, tags dropped, invisible elements (scripts,
/// styles) dropped with their content, block boundaries kept as line breaks, other whitespace
/// collapsed. U+200C (ZWNJ), essential in Persian, is not whitespace and is kept.
pub fn text_of_html(input: &str) -> String {
    let doc = Html::parse_fragment(bounded(input));
    let mut raw = String::with_capacity(input.len());
    walk(doc.root_element(), &mut raw);
    collapse_lines(&raw)
}

/// A headline as plain text on one line. Feeds double-encode entities (`&amp;amp;`, `&amp;lt;b&amp;gt;`)
/// and put markup in titles, so decode up to three rounds while the text still looks like HTML.
pub fn plain_title(input: &str) -> String {
    let mut s = input.to_string();
    for _ in 0..3 {
        if !looks_like_html(&s) {
            break;
        }
        let next = text_of_html(&s);
        if next == s {
            break;
        }
        s = next;
    }
    collapse_whitespace(&s)
}

/// Collapses every run of whitespace (newlines included) to one space and trims.
pub fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn looks_like_html(s: &str) -> bool {
    s.contains('<') || s.contains('&')
}

/// Iterative (not recursive) so hostile nesting cannot overflow the stack.
fn walk(root: ElementRef<'_>, out: &mut String) {
    use ego_tree::iter::Edge;
    // Depth inside an invisible element: text is dropped while it is non-zero.
    let mut hidden = 0usize;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Text(t) if hidden == 0 => out.push_str(t),
                Node::Element(e) if INVISIBLE.contains(&e.name()) => hidden += 1,
                Node::Element(e) if hidden == 0 && BLOCK.contains(&e.name()) => out.push('\n'),
                _ => {}
            },
            Edge::Close(node) => match node.value() {
                Node::Element(e) if INVISIBLE.contains(&e.name()) => hidden -= 1,
                Node::Element(e) if hidden == 0 && BLOCK.contains(&e.name()) => out.push('\n'),
                _ => {}
            },
        }
    }
}

/// Cuts hostile input down before html5ever sees it: its tree builder is quadratic in nesting
/// depth (a 100,000-deep `<div>` takes minutes), so at most [`MAX_TAGS`] tags and
/// [`MAX_INPUT_BYTES`] bytes are read. Real summaries are far below both.
fn bounded(input: &str) -> &str {
    let mut end = input.len().min(MAX_INPUT_BYTES);
    while !input.is_char_boundary(end) {
        end -= 1;
    }
    if let Some((i, _)) = input[..end].match_indices('<').nth(MAX_TAGS) {
        end = i;
    }
    &input[..end]
}

fn collapse_lines(raw: &str) -> String {
    raw.lines()
        .map(collapse_whitespace)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://news.example.org/rss";

    #[test]
    fn scripts_handlers_iframes_forms_and_images_are_removed() {
        let dirty = r#"<p onclick="steal()">خبر <b>مهم</b></p><script>alert(1)</script><iframe src="https://evil.example/"></iframe><object data="x.swf"></object><form action="/x"><input name=q></form><img src="https://tracker.example/p.gif" onerror="alert(1)"><style>body{}</style>"#;
        let clean = html(dirty, BASE);
        assert_eq!(clean, "<p>خبر <b>مهم</b></p>");
    }

    #[test]
    fn javascript_links_lose_their_target_and_http_links_get_rel() {
        let clean = html(
            r#"<a href="javascript:alert(1)">x</a> <a href="JaVaScRiPt:alert(1)">y</a> <a href="/a/488.html">z</a> <a href="mailto:desk@example.org">m</a>"#,
            BASE,
        );
        assert!(
            !clean.to_ascii_lowercase().contains("javascript"),
            "{clean}"
        );
        assert!(
            clean.contains(
                r#"<a href="https://news.example.org/a/488.html" rel="noopener noreferrer">z</a>"#
            ),
            "{clean}"
        );
        assert!(
            clean.contains(r#"href="mailto:desk@example.org""#),
            "{clean}"
        );
    }

    #[test]
    fn direction_and_language_attributes_survive() {
        let clean = html(r#"<p dir="rtl" lang="fa" style="color:red">سلام</p>"#, BASE);
        assert_eq!(clean, r#"<p dir="rtl" lang="fa">سلام</p>"#);
    }

    #[test]
    fn text_keeps_block_breaks_and_zwnj() {
        let t =
            text_of_html("<p>ریزش‌کرده   قدیمی</p><p>دوم&nbsp;&amp; سوم</p><script>x()</script>");
        assert_eq!(t, "ریزش\u{200C}کرده قدیمی\nدوم & سوم");
    }

    #[test]
    fn hostile_title_becomes_inert_plain_text() {
        let t = plain_title("<script>alert(1)</script>Breaking <img src=x onerror=alert(1)>");
        assert_eq!(t, "Breaking");
    }

    #[test]
    fn double_encoded_entities_are_decoded() {
        assert_eq!(
            plain_title("&amp;#39;AT&amp;amp;T&amp;#39; &amp;lt;b&amp;gt;news&amp;lt;/b&amp;gt;"),
            "'AT&T' news"
        );
        assert_eq!(plain_title("5 &lt; 6 and 7 > 3"), "5 < 6 and 7 > 3");
    }

    #[test]
    fn plain_text_titles_pass_through_untouched() {
        let t = "سونامی در پی زلزله\u{200C}ای با شدت ۷٫۵ ریشتر رخ داد.";
        assert_eq!(plain_title(t), t);
    }

    /// Hostile nesting must not overflow the stack (a crash would take every other feed with it).
    #[test]
    fn hostile_nesting_is_bounded_and_cannot_overflow_the_stack() {
        let depth = 100_000;
        let doc = format!(
            "<p>عمق</p>{}x{}",
            "<div><span>".repeat(depth),
            "</span></div>".repeat(depth)
        );
        let clean = html(&doc, BASE);
        assert!(
            clean.starts_with("<p>عمق</p><div><span>"),
            "{}",
            &clean[..40]
        );
        assert!(
            clean.matches('<').count() <= 2 * MAX_TAGS + 2,
            "bounded output"
        );
        assert_eq!(text_of_html(&doc), "عمق");
        assert_eq!(plain_title(&doc), "عمق");
    }

    /// Known XSS vectors: whatever survives must be inert. Checked on the parsed output, not by
    /// string matching: no element may carry an event handler, a style, or a URL attribute other
    /// than an http(s)/mailto `href`.
    #[test]
    fn xss_vectors_leave_nothing_executable_or_remote() {
        const VECTORS: &[&str] = &[
            "<svg onload=alert(1)>",
            r#"<a href="jav&#x09;ascript:alert(1)">x</a>"#,
            r#"<a href=" javascript:alert(1)">x</a>"#,
            r#"<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>"#,
            r#"<a href="vbscript:msgbox(1)">x</a>"#,
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            r#"<iframe srcdoc="<script>alert(1)</script>"></iframe>"#,
            r#"<meta http-equiv="refresh" content="0;url=javascript:alert(1)">"#,
            r#"<base href="javascript:/">"#,
            r#"<link rel="stylesheet" href="https://evil.example/x.css">"#,
            r#"<embed src="https://evil.example/x.swf">"#,
            r#"<video poster="https://evil.example/p.jpg" onerror="alert(1)"><source src="x.mp4"></video>"#,
            r#"<div style="background:url(javascript:alert(1))">خبر</div>"#,
            r#"<form><button formaction="javascript:alert(1)">x</button></form>"#,
            "<details open ontoggle=alert(1)>",
            r#"<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>"#,
            r#"<img srcset="https://evil.example/a.jpg 1x">"#,
            "<input autofocus onfocus=alert(1)>",
            r#"<p><a href="https://news.example.org/a/1.html" onclick="x()" target="_blank">خبر</a></p>"#,
        ];
        const ALLOWED_ATTRS: &[&str] = &[
            "href", "rel", "title", "lang", "dir", "cite", "alt", "colspan", "rowspan", "align",
            "char", "charoff", "span", "headers", "abbr", "axis", "datetime", "start", "type",
            "value", "reversed", "open",
        ];
        for v in VECTORS {
            let clean = html(v, BASE);
            let doc = Html::parse_fragment(&clean);
            for node in doc.tree.nodes() {
                let Node::Element(e) = node.value() else {
                    continue;
                };
                assert!(
                    ![
                        "script", "style", "iframe", "object", "embed", "img", "video", "source",
                        "svg", "math", "meta", "base", "link", "form", "button", "input"
                    ]
                    .contains(&e.name()),
                    "<{}> survived {v:?} as {clean:?}",
                    e.name()
                );
                for (name, value) in e.attrs() {
                    assert!(
                        ALLOWED_ATTRS.contains(&name),
                        "attribute {name} survived {v:?} as {clean:?}"
                    );
                    if name == "href" {
                        let lower = value.to_ascii_lowercase();
                        assert!(
                            ["http://", "https://", "mailto:"]
                                .iter()
                                .any(|p| lower.starts_with(p)),
                            "href {value:?} survived {v:?}"
                        );
                    }
                }
            }
        }
    }
}
