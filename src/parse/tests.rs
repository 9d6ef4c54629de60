//! One test per feed quirk, each reading a fixture from `tests/fixtures/feeds/` named after it.
//! Texts are NTREX-128 news sentences (CC BY-SA 4.0); `tests/fixtures/feeds/SOURCE.md` gives each
//! one's line. Hosts are example domains.

use chrono::{DateTime, Utc};

use super::*;
use crate::model::{Lang, TimeSource};

const ZWNJ: char = '\u{200C}';

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/feeds")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test literal")
        .with_timezone(&Utc)
}

fn fetched() -> DateTime<Utc> {
    at("2024-06-01T00:00:00Z")
}

fn parse_fixture(name: &str, base: &str) -> ParsedFeed {
    parse_feed(&fixture(name), base, "test-source", fetched())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn parse_err(name: &str) -> ParseError {
    match parse_feed(
        &fixture(name),
        "https://news.example.org/",
        "test-source",
        fetched(),
    ) {
        Ok(f) => panic!(
            "{name} parsed as {:?} with {} items",
            f.format,
            f.items.len()
        ),
        Err(e) => e,
    }
}

fn decoded_path(url: &str) -> String {
    let u = url::Url::parse(url).expect("canonical url");
    percent_decode(u.path())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).expect("utf-8 path")
}

#[test]
fn rss2_persian_with_dublin_core_content_encoded_media_and_tracking_links() {
    let feed = parse_fixture("rss2_fa_media_dc.xml", "https://news.example.org/rss");
    assert_eq!(feed.format, FeedFormat::Rss2);
    assert_eq!(feed.title.as_deref(), Some("خبرنامه نمونه | جهان"));
    assert_eq!(feed.declared_lang, Some(Lang::Fa));
    assert_eq!(feed.ttl_minutes, Some(15));
    assert_eq!(feed.items.len(), 2);

    let a = &feed.items[0];
    assert_eq!(a.source_id, "test-source");
    assert_eq!(a.guid, "news-488");
    assert_eq!(
        a.title,
        "مردم مقدونیه در یک همه\u{200C}پرسی اعلام می\u{200C}کنند که آبا می\u{200C}خواهند نام کشورشان عوض شود یا خیر"
    );
    assert_eq!(a.title.matches(ZWNJ).count(), 3);
    let url = a.url.as_deref().expect("link");
    assert!(
        url.starts_with("https://news.example.org/news/488/"),
        "{url}"
    );
    assert!(
        url.ends_with("?id=488"),
        "tracking params and fragment dropped, id kept: {url}"
    );
    assert_eq!(decoded_path(url), "/news/488/مردم-مقدونیه-در-یک-همه-پرسی");
    assert_eq!(
        a.summary_text,
        "نظرسنجی دیگری که توسط شبکه تلویزیونی تلما مقدونیه انجام شد نشان می\u{200C}دهد ۵۷ درصد از پاسخ\u{200C}دهندگان قصد دارند روز یکشنبه رای دهند."
    );
    assert!(
        !a.summary_html.contains("<img"),
        "tracking pixel removed: {}",
        a.summary_html
    );
    assert_eq!(a.author.as_deref(), Some("تحریریه نمونه"));
    assert_eq!(
        a.published,
        at("2020-04-21T06:00:00Z"),
        "dc:date with +04:30"
    );
    assert_eq!(a.time_source, TimeSource::Published);
    assert_eq!(
        a.categories,
        vec!["جهان > اروپا".to_string()],
        "repeated category kept once"
    );
    assert_eq!(a.declared_lang, Some(Lang::Fa));
    let media: Vec<(&str, Option<&str>)> = a
        .media
        .iter()
        .map(|m| (m.url.as_str(), m.mime.as_deref()))
        .collect();
    assert_eq!(
        media,
        vec![
            (
                "https://news.example.org/images/488.jpg",
                Some("image/jpeg")
            ),
            (
                "https://media.example.org/d/2020/04/21/3/488_thumb.jpg?sig=abc",
                None
            ),
        ]
    );

    let b = &feed.items[1];
    assert_eq!(
        b.guid, "https://news.example.org/news/399/",
        "no guid: the canonical link"
    );
    assert_eq!(
        b.title,
        "سونامی در پی زلزله\u{200C}ای با شدت ۷٫۵ ریشتر رخ داد."
    );
    assert!(
        b.summary_text.starts_with("حدود ۱۶۷۰۰ نفر"),
        "empty description falls back to content:encoded"
    );
    assert_eq!(b.published, at("2020-04-19T07:30:00Z"), "IRDT is +04:30");
    assert_eq!(
        b.media.first().map(|m| m.mime.as_deref()),
        Some(Some("video/mp4"))
    );
}

#[test]
fn rss_without_version_under_a_windows_1256_declaration() {
    let feed = parse_fixture(
        "rss_noversion_windows1256_decl_ar.xml",
        "http://news.example.org/rss",
    );
    assert_eq!(feed.format, FeedFormat::Rss2);
    assert_eq!(
        feed.title.as_deref(),
        Some("صحيفة المثال"),
        "UTF-8 text not decoded a second time"
    );
    assert_eq!(feed.declared_lang, Some(Lang::Ar));
    // The second item repeats the first one's guid: the first occurrence is kept.
    assert_eq!(feed.items.len(), 2);
    assert_eq!(feed.items[0].guid, "news-488");
    assert_eq!(
        feed.items[0].title,
        "الشعب المقدوني يصوت في استفتاء حول تغيير اسم الدولة من عدمه"
    );
    assert_eq!(
        feed.items[0].published,
        at("2015-07-20T06:15:00Z"),
        "AST is Arabia time, +03:00"
    );
}

#[test]
fn item_without_title_guid_or_link_gets_a_stable_synthetic_guid() {
    let body = fixture("rss_noversion_windows1256_decl_ar.xml");
    let parse =
        || parse_feed(&body, "http://news.example.org/rss", "news", fetched()).expect("parses");
    let (first, second) = (parse(), parse());
    let item = &first.items[1];
    assert_eq!(item.url, None);
    assert_eq!(
        item.title, "تسبب الكوارث الطبيعية في جعل اللوجستيات أكثر تعقيدًا.",
        "title synthesized from the description"
    );
    assert_eq!(
        item.content_hash,
        item::content_hash(&item.title, &item.summary_text)
    );
    assert_eq!(item.guid, format!("sha256:{}", item.content_hash));
    assert_eq!(
        item.guid, second.items[1].guid,
        "same content, same guid across fetches"
    );
    assert_eq!(item.time_source, TimeSource::Fetched);
    assert_eq!(item.published, fetched());
}

#[test]
fn rss_091_with_netscape_doctype_and_html_entities() {
    let feed = parse_fixture(
        "rss091_netscape_doctype_ar.xml",
        "http://news.example.org/rss",
    );
    assert_eq!(feed.format, FeedFormat::Rss0x);
    assert_eq!(feed.declared_lang, Some(Lang::Ar), "ar-sa");
    let item = &feed.items[0];
    assert_eq!(
        item.title, "إنهم صغار وفضوليون جدًا ... إنهم لا يهدفون إلى إيذائك.",
        "&nbsp; decoded, whitespace collapsed"
    );
    assert_eq!(
        item.url.as_deref(),
        Some("http://news.example.org/2015/07/20/article_197.html")
    );
    assert_eq!(
        item.summary_text,
        "هاجم خنزير مزارعًا وقتله داخل سوق في جنوب غرب الصين وفقًا لتقارير من وسائل إعلام محلية."
    );
}

#[test]
fn rss_092_enclosure_and_category() {
    let feed = parse_fixture("rss092_enclosure_fa.xml", "https://news.example.org/rss");
    assert_eq!(feed.format, FeedFormat::Rss0x);
    let item = &feed.items[0];
    assert_eq!(
        item.title,
        "مد پاریس آخرین خط کلاههای بسیار بزرگ در مسیر «های\u{200C}استریت» در نزدیکی شما را به نمایش گذاشت"
    );
    assert_eq!(item.categories, vec!["گزارش و تحلیل".to_string()]);
    assert_eq!(item.media.len(), 1);
    assert_eq!(item.media[0].url, "https://media.example.org/638.mp3");
    assert_eq!(item.media[0].mime.as_deref(), Some("audio/mpeg"));
}

#[test]
fn rdf_rss_1_with_dublin_core_and_a_jalali_date() {
    let feed = parse_fixture("rdf_rss1_dc_fa.xml", "https://news.example.org/rss");
    assert_eq!(feed.format, FeedFormat::Rss1);
    assert_eq!(feed.declared_lang, Some(Lang::Fa), "dc:language");
    assert_eq!(
        feed.ttl_minutes,
        Some(30),
        "sy:updatePeriod hourly, sy:updateFrequency 2"
    );
    let item = &feed.items[0];
    assert_eq!(
        item.title,
        "در مجموع ۶۸ درصد دانش\u{200C}آموزانی که در زبان\u{200C}های خارجه تحصیل می\u{200C}کنند، درجه عالی A را کسب کردند."
    );
    assert_eq!(
        item.url.as_deref(),
        Some("https://news.example.org/a/662.html"),
        "at_* tracking dropped"
    );
    assert_eq!(item.author.as_deref(), Some("خبرنامه نمونه"));
    // ۱۳۹۹/۰۱/۱۴ - ۱۸:۴۵ Tehran summer time (+04:30 in 1399) = 2 April 2020 14:15 UTC.
    assert_eq!(item.published, at("2020-04-02T14:15:00Z"));
    assert_eq!(item.time_source, TimeSource::Published);
}

#[test]
fn atom_1_with_xml_base_xml_lang_categories_and_enclosure() {
    let feed = parse_fixture(
        "atom10_xmlbase_ar.xml",
        "https://news.example.org/feed.atom",
    );
    assert_eq!(feed.format, FeedFormat::Atom);
    assert_eq!(feed.declared_lang, Some(Lang::Ar), "xml:lang on the root");
    let a = &feed.items[0];
    assert_eq!(
        a.url.as_deref(),
        Some("https://news.example.org/home/article/253"),
        "resolved against xml:base"
    );
    assert_eq!(
        a.summary_html,
        r#"<p>ستحضر رئيسة الوزراء البريطانية تيريزا ماي <a href="https://news.example.org/home/article/255" rel="noopener noreferrer">مؤتمر حزب المحافظين</a> في برمينغهام ببريطانيا، في 29 سبتمبر 2018.</p>"#
    );
    assert_eq!(
        a.categories,
        vec!["العالم".to_string()],
        "label preferred over term"
    );
    assert_eq!(a.author.as_deref(), Some("لندن: «أخبار المثال»"));
    assert_eq!(a.published, at("2015-07-21T02:51:32Z"));
    assert_eq!(
        a.media.first().map(|m| m.url.as_str()),
        Some("https://news.example.org/images/253.jpg")
    );
    let b = &feed.items[1];
    assert_eq!(
        b.url.as_deref(),
        Some("https://news.example.org/english/17"),
        "entry-level xml:base"
    );
    assert_eq!(
        b.time_source,
        TimeSource::Updated,
        "no <published>: <updated> is used"
    );
    assert_eq!(
        b.summary_text, "مقدونيا المزيد",
        "content used when there is no summary"
    );
    assert!(
        b.summary_html
            .contains(r#"href="https://news.example.org/english/18""#),
        "summary links resolve against the entry's xml:base: {}",
        b.summary_html
    );
}

#[test]
fn atom_0_3_is_read_as_atom() {
    let feed = parse_fixture("atom03_fa.xml", "https://blog.example.org/atom.xml");
    assert_eq!(feed.format, FeedFormat::Atom03);
    assert_eq!(feed.title.as_deref(), Some("وبلاگ خبری"));
    assert_eq!(feed.declared_lang, Some(Lang::Fa));
    let item = &feed.items[0];
    assert_eq!(
        item.title,
        "تصادف جاده\u{200C}ای در دپتفورد: یک دوچرخه\u{200C}سوار در تصادف با خودرو جان باخت"
    );
    assert_eq!(
        item.published,
        at("2020-04-05T16:00:00Z"),
        "<issued> is the published date"
    );
    assert_eq!(item.time_source, TimeSource::Published);
    assert_eq!(
        item.summary_html,
        "<p>تصادف در جنوب شرقی شهر، تقاطع خیابان بستوود و خیابان اِولین که یک جاده شلوغ در دپتفورد است، در حدود ساعت ۱۰:۱۵ دقیقه به وقت بیتانیا رخ داد.</p>"
    );
}

#[test]
fn atom_1_with_mime_style_text_types_is_not_lost() {
    let feed = parse_fixture(
        "atom10_text_plain_type_fa.xml",
        "https://news.example.org/atom",
    );
    assert_eq!(feed.items.len(), 1);
    assert_eq!(
        feed.items[0].title,
        "اسنادی که به بیرون درز کرده را خوانده\u{200C}اید؟"
    );
}

#[test]
fn json_feed_1_1() {
    let feed = parse_fixture("jsonfeed11_fa.json", "https://news.example.org/feed.json");
    assert_eq!(feed.format, FeedFormat::JsonFeed);
    assert_eq!(feed.declared_lang, Some(Lang::Fa));
    let a = &feed.items[0];
    assert_eq!(a.guid, "383");
    assert_eq!(
        a.url.as_deref(),
        Some("https://news.example.org/a/trump-kavanaugh-rally/383.html")
    );
    assert_eq!(
        a.title,
        "ترامپ می\u{200C}گوید کاوانو از «پستی و خشم» حزب دموکرات ناراحت است"
    );
    assert_eq!(
        a.author.as_deref(),
        Some("خبرنامه نمونه"),
        "feed-level authors inherited"
    );
    assert_eq!(a.published, at("2020-04-14T13:50:00Z"));
    assert_eq!(
        a.categories,
        vec!["آمریکا".to_string(), "سیاست و انتخابات".to_string()]
    );
    assert_eq!(
        a.media.first().map(|m| (m.url.as_str(), m.mime.as_deref())),
        Some(("https://media.example.org/383.mp3", Some("audio/mpeg")))
    );
    // content_text is plain text by spec: markup-looking text stays text.
    assert!(
        a.summary_html.contains("&lt;b&gt;not markup&lt;/b&gt;"),
        "{}",
        a.summary_html
    );
    assert!(
        a.summary_text.ends_with("<b>not markup</b>"),
        "{}",
        a.summary_text
    );
    let b = &feed.items[1];
    assert_eq!(b.url, None);
    assert_eq!(
        b.summary_html,
        "<p>«به همین دلیل در این مکان هستم و برای نامزدهای بزرگ می\u{200C}جنگم.»</p>",
        "script stripped from content_html"
    );
    assert_eq!(b.time_source, TimeSource::Updated);
}

#[test]
fn hostile_markup_comes_out_inert() {
    let feed = parse_fixture("hostile_markup_titles.xml", "https://news.example.org/rss");
    assert_eq!(feed.title.as_deref(), Some("Hostile feed"));
    let a = &feed.items[0];
    assert_eq!(a.title, "Breaking");
    let html = a.summary_html.to_ascii_lowercase();
    for bad in [
        "javascript",
        "onmouseover",
        "<iframe",
        "<form",
        "<input",
        "<object",
        "<img",
        "<script",
        "alert(",
    ] {
        assert!(!html.contains(bad), "{bad} survived in {}", a.summary_html);
    }
    assert!(
        html.contains(r#"<a href="https://news.example.org/more" rel="noopener noreferrer">"#),
        "{}",
        a.summary_html
    );
    assert_eq!(
        a.summary_text,
        "تجمعات لترامب في فيرجينيا الغربية هنا المزيد"
    );
    // Double-encoded entities, as some feeds really carry them.
    assert_eq!(
        feed.items[1].title,
        "تجمعات\" لترامب في فيرجينيا الغربية \" & عاجل"
    );
    assert_eq!(
        feed.items[2].title, "الهدف الأول لدولي مينجا لصالح ليفينغستون يمنحه انتصارًا",
        "whitespace collapsed, tanween kept"
    );
    for item in &feed.items {
        assert!(
            !item.title.contains('<') && !item.title.contains('>'),
            "{}",
            item.title
        );
    }
}

#[test]
fn future_missing_and_localized_dates() {
    let feed = parse_fixture(
        "dates_future_missing_localized.xml",
        "https://news.example.org/rss",
    );
    let got: Vec<(DateTime<Utc>, TimeSource)> = feed
        .items
        .iter()
        .map(|i| (i.published, i.time_source))
        .collect();
    assert_eq!(
        got,
        vec![
            (fetched(), TimeSource::Fetched), // 2099: clamped to the fetch time
            (fetched(), TimeSource::Fetched), // no date at all
            (at("2015-07-20T22:15:00Z"), TimeSource::Published), // الاثنين ٢٠ يوليو ٢٠١٥ - ١٠:١٥ م
            (at("2024-05-04T04:30:00Z"), TimeSource::Published), // ۱۵ اردیبهشت ۱۴۰۳ - ۰۸:۰۰ Tehran
            (fetched(), TimeSource::Fetched), // "sometime soon"
            (fetched(), TimeSource::Fetched), // Unix-epoch placeholder
        ]
    );
}

#[test]
fn empty_feed_is_valid_with_no_items() {
    let feed = parse_fixture("empty_channel.xml", "https://news.example.org/rss");
    assert_eq!(feed.items, vec![]);
    assert_eq!(feed.title.as_deref(), Some("أخبار"));
}

#[test]
fn html_page_is_not_a_feed_and_its_feed_links_are_reported() {
    let err = parse_err("html_page_with_alternates.html");
    assert_eq!(
        err,
        ParseError::NotAFeed {
            what: "an HTML page".into(),
            feed_links: vec![
                "https://news.example.org/rss".into(),
                "https://news.example.org/atom".into()
            ],
        }
    );
    let msg = err.to_string();
    assert!(
        msg.starts_with(
            "parse: not a feed: an HTML page; it links to feed(s): https://news.example.org/rss"
        ),
        "{msg}"
    );
}

#[test]
fn other_xml_and_json_and_text_are_not_feeds() {
    assert!(
        matches!(parse_err("not_a_feed_sitemap.xml"), ParseError::NotAFeed { ref what, .. } if what.contains("<urlset>"))
    );
    for body in [
        "",
        "   \n",
        "Service Unavailable",
        r#"{"status":"ok","items":[]}"#,
        r#"{"version":"https://jsonfeed.org/version/9","items":[]}"#,
    ] {
        let r = parse_feed(body, "https://news.example.org/rss", "s", fetched());
        assert!(
            matches!(r, Err(ParseError::NotAFeed { .. })),
            "{body:?}: {r:?}"
        );
    }
    let r = parse_feed(
        r#"{"version":"https://jsonfeed.org/version/1.1","items":[{"#,
        "https://news.example.org/",
        "s",
        fetched(),
    );
    assert!(
        matches!(r, Err(ParseError::Malformed { ref reason }) if reason.starts_with("bad JSON")),
        "{r:?}"
    );
}

#[test]
fn billion_laughs_and_external_entities_are_refused_without_expansion() {
    assert_eq!(parse_err("billion_laughs.xml"), ParseError::EntityExpansion);
    assert_eq!(
        parse_err("xxe_external_entity.xml"),
        ParseError::EntityExpansion
    );
    // A far larger bomb (10^40 expansions, a million references): expanding any of it would
    // exhaust memory, so returning at all shows nothing is expanded.
    let mut bomb = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY a0 \"ha\">\n");
    for i in 1..=40 {
        let prev = format!("&a{};", i - 1).repeat(10);
        bomb.push_str(&format!("<!ENTITY a{i} \"{prev}\">\n"));
    }
    bomb.push_str("]>\n<rss version=\"2.0\"><channel><title>");
    bomb.push_str(&"&a40;".repeat(1_000_000));
    bomb.push_str("</title></channel></rss>");
    assert_eq!(
        parse_feed(&bomb, "https://x.example/", "s", fetched()),
        Err(ParseError::EntityExpansion)
    );
    assert!(
        ParseError::EntityExpansion
            .to_string()
            .starts_with("parse: ")
    );
}

#[test]
fn truncated_and_ill_formed_xml_are_malformed_with_a_reason() {
    match parse_err("truncated.xml") {
        ParseError::Malformed { reason } => {
            assert_eq!(reason, "truncated document: it ends inside <title>")
        }
        e => panic!("{e:?}"),
    }
    match parse_err("bad_syntax_mismatched_tags.xml") {
        ParseError::Malformed { reason } => assert!(
            reason.contains("expected `</title>`, but `</link>` was found"),
            "{reason}"
        ),
        e => panic!("{e:?}"),
    }
    let msg = parse_err("truncated.xml").to_string();
    assert!(msg.starts_with("parse: malformed feed: truncated"), "{msg}");
}

#[test]
fn byte_order_mark_and_leading_blank_lines_are_tolerated() {
    let body = format!("\u{FEFF}\n\n{}", fixture("empty_channel.xml"));
    let feed = parse_feed(&body, "https://news.example.org/rss", "s", fetched()).expect("parses");
    assert_eq!(feed.title.as_deref(), Some("أخبار"));
}

#[test]
fn content_hash_ignores_case_and_whitespace_only() {
    let h = item::content_hash;
    assert_eq!(
        h("Breaking  News", "Body\ntext"),
        h("breaking news", "body text")
    );
    assert_ne!(
        h("می\u{200C}شود", "x"),
        h("میشود", "x"),
        "ZWNJ is content, not whitespace"
    );
    assert_ne!(h("a", "b"), h("b", "a"));
    assert_eq!(h("a", "b").len(), 64);
}

/// 200 real Persian and Arabic news sentences (NTREX-128 fixtures) through a generated RSS feed:
/// every title survives exactly (ZWNJ included) once whitespace is collapsed.
#[test]
fn real_headlines_round_trip_exactly() {
    let text =
        |code: &str| crate::test_fixtures::lines(&format!("ntrex128/newstest2019-ref.{code}.txt"));
    let items: Vec<(String, String, String)> = text("fas")
        .into_iter()
        .take(100)
        .chain(text("arb").into_iter().take(100))
        .enumerate()
        .map(|(i, t)| {
            (
                t.clone(),
                format!("<p>{t}</p>"),
                format!("https://news.example/{i}"),
            )
        })
        .collect();
    let doc = bench::rss_document(&items);
    let feed =
        parse_feed(&doc, "https://news.example.org/rss", "bench", fetched()).expect("parses");
    assert_eq!(feed.items.len(), items.len());
    let mut exact = 0;
    let mut zwnj_in = 0;
    let mut zwnj_out = 0;
    for (parsed, (title, _, _)) in feed.items.iter().zip(&items) {
        zwnj_in += title.matches(ZWNJ).count();
        zwnj_out += parsed.title.matches(ZWNJ).count();
        if !title.contains('&') && !title.contains('<') {
            assert_eq!(parsed.title, crate::sanitize::collapse_whitespace(title));
            exact += 1;
        }
    }
    assert!(exact >= 190, "only {exact} titles compared");
    assert!(zwnj_in > 50, "the sample should exercise ZWNJ ({zwnj_in})");
    assert_eq!(zwnj_out, zwnj_in);
}

#[test]
fn bare_ampersands_are_repaired_not_fatal() {
    let feed = parse_fixture("bare_ampersands_fa.xml", "https://news.example.org/rss");
    assert_eq!(feed.title.as_deref(), Some("خبرنامه نمونه: Q&A"));
    let item = &feed.items[0];
    assert_eq!(
        item.title,
        "لی گفت: «این چین نیست که محققان دانشگاهی را از آن خود کرده است؛ بلکه این شرکتها هستند که چنین کاری می\u{200C}کنند.» & more"
    );
    assert_eq!(
        item.url.as_deref(),
        Some("https://news.example.org/a/478?id=7&page=2")
    );
    assert_eq!(
        item.summary_text, "پلیس اَوون و سامرست © & در CDATA",
        "CDATA content is not re-escaped"
    );
}

#[test]
fn unusual_rss_versions_are_read_as_rss_2() {
    for (root, expected) in [
        (r#"<rss version="2.00">"#, FeedFormat::Rss2),
        (
            r#"<rss version='0.94' xmlns:dc="http://purl.org/dc/elements/1.1/">"#,
            FeedFormat::Rss2,
        ),
        (r#"<rss  >"#, FeedFormat::Rss2),
        (r#"<rss version="0.92">"#, FeedFormat::Rss0x),
    ] {
        let body = format!(
            "<?xml version=\"1.0\"?>{root}<channel><title>أخبار</title><item><title>تسديدة مينجا تمنح ليفينغستون فوزًا 1-0 على رينجرز</title><link>http://news.example.org/303/</link></item></channel></rss>"
        );
        let feed = parse_feed(&body, "http://news.example.org/feed", "s", fetched())
            .unwrap_or_else(|e| panic!("{root}: {e}"));
        assert_eq!(feed.format, expected, "{root}");
        assert_eq!(feed.items.len(), 1, "{root}");
        assert_eq!(
            feed.items[0].title,
            "تسديدة مينجا تمنح ليفينغستون فوزًا 1-0 على رينجرز"
        );
    }
}

#[test]
fn atom_entry_language_overrides_the_feed_language() {
    let body = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>BBC</title><id>urn:bbc</id><updated>2020-04-19T10:00:00Z</updated>
      <entry xml:lang="fa"><title>سونامی در پی زلزله‌ای با شدت ۷٫۵ ریشتر رخ داد.</title><id>urn:1</id><updated>2020-04-19T10:00:00Z</updated></entry>
      <entry><title>The tsunami followed a 7.5 magnitude earthquake.</title><id>urn:2</id><updated>2020-04-19T10:00:00Z</updated></entry></feed>"#;
    let feed = parse_feed(
        body,
        "https://www.bbc.com/persian/index.xml",
        "s",
        fetched(),
    )
    .expect("parses");
    assert_eq!(feed.declared_lang, Some(Lang::En));
    let langs: Vec<Option<Lang>> = feed.items.iter().map(|i| i.declared_lang.clone()).collect();
    assert_eq!(langs, vec![Some(Lang::Fa), Some(Lang::En)]);
}

#[test]
fn a_lone_atom_entry_document_is_a_feed_of_one() {
    let body = r#"<?xml version="1.0" encoding="utf-8"?>
<entry xmlns="http://www.w3.org/2005/Atom" xml:lang="ar"><title>سيتوجه الشعب المقدوني إلى صناديق الاقتراع في استفتاء حول تغيير اسم الدولة</title>
<id>tag:news.example.org,2015:17</id><link href="https://news.example.org/home/article/17"/><updated>2015-07-21T02:51:33Z</updated></entry>"#;
    let feed =
        parse_feed(body, "https://news.example.org/entry.xml", "s", fetched()).expect("parses");
    assert_eq!(feed.format, FeedFormat::Atom);
    assert_eq!(feed.items.len(), 1);
    assert_eq!(
        feed.items[0].title,
        "سيتوجه الشعب المقدوني إلى صناديق الاقتراع في استفتاء حول تغيير اسم الدولة"
    );
    assert_eq!(feed.items[0].declared_lang, Some(Lang::Ar));
}

// Feeds in the wild: one fixture per quirk (text: NTREX-128 sentences, CC BY-SA 4.0).

#[test]
fn atom_0_3_base64_titles_and_content_are_decoded() {
    let feed = parse_fixture("atom03_base64_mode_fa.xml", "https://news.example/fa/feed");
    assert_eq!(feed.format, FeedFormat::Atom03);
    // mode="escaped" type="text/html": escaped HTML, read as HTML.
    assert_eq!(feed.title.as_deref(), Some("خبرها فارسی"));
    let a = &feed.items[0];
    assert_eq!(
        a.title,
        "ناقوس کلیسای سنت مارتین همانند تقلای هارلم خاموش شد"
    );
    assert_eq!(
        a.summary_text,
        "آقای آدامز می\u{200C}گوید از بین رفتن بار قابل درک است."
    );
    assert!(a.summary_html.starts_with("<p>"), "{}", a.summary_html);
    assert_eq!(a.published, at("2019-11-20T07:00:00Z"));
    let b = &feed.items[1];
    assert_eq!(b.title, "منو نیش زدن!»");
    assert_eq!(
        b.summary_text,
        "معلوم نشد کوسه حمله کننده از کدام گونه بوده است."
    );
    assert_eq!(feed.homepage.as_deref(), Some("https://news.example/fa/"));
}

#[test]
fn atom_base64_that_is_not_base64_is_a_clear_error() {
    let body =
        fixture("atom03_base64_mode_fa.xml").replacen("mode=\"base64\">", "mode=\"base64\">!!", 1);
    match parse_feed(&body, "https://news.example/", "s", fetched()) {
        Err(ParseError::Malformed { reason }) => assert!(reason.contains("base64"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn relative_links_without_xml_base_resolve_against_the_given_base() {
    // The fetch stage passes the response's Content-Location here when the server sent one.
    let feed = parse_fixture(
        "atom10_relative_links_no_base_ar.xml",
        "https://news.example/ar/feeds/feed.atom",
    );
    let a = &feed.items[0];
    assert_eq!(
        a.url.as_deref(),
        Some("https://news.example/ar/feeds/2019/11/wales-assembly")
    );
    assert!(
        a.summary_html
            .contains(r#"href="https://news.example/ar/feeds/more/1""#),
        "{}",
        a.summary_html
    );
    assert_eq!(
        feed.homepage.as_deref(),
        Some("https://news.example/ar/feeds/")
    );
}

#[test]
fn escaped_markup_in_an_atom_text_construct_is_literal_text() {
    let feed = parse_fixture(
        "atom10_escaped_markup_in_text_en.xml",
        "https://news.example/en/feed",
    );
    assert_eq!(feed.title.as_deref(), Some("Markup <i>quoted</i> as text"));
    let a = &feed.items[0];
    assert_eq!(
        a.title,
        "Why the <blink> tag is gone: Welsh AMs worried about 'looking like muppets'"
    );
    assert_eq!(
        a.summary_text,
        "In Welsh twp means daft & pwp means poo; write it as <b>twp</b>."
    );
    // Shown as characters, never as an element.
    assert!(
        a.summary_html.contains("&lt;b&gt;twp&lt;/b&gt;"),
        "{}",
        a.summary_html
    );
    assert!(!a.summary_html.contains("<b>"));
    // type="html" is still HTML.
    assert_eq!(
        feed.items[1].title,
        "An HTML title: AMs across the political spectrum are worried"
    );
}

#[test]
fn processing_instructions_comments_and_a_doctype_before_the_root() {
    let feed = parse_fixture(
        "rss2_stylesheet_pi_doctype_comment_en.xml",
        "https://news.example/en/wales/feed",
    );
    assert_eq!(feed.format, FeedFormat::Rss2);
    assert_eq!(feed.title.as_deref(), Some("Welsh Assembly news"));
    assert_eq!(
        feed.homepage.as_deref(),
        Some("https://news.example/en/wales/")
    );
    assert_eq!(feed.items.len(), 1);
    assert_eq!(
        feed.items[0].title,
        "Welsh AMs worried about 'looking like muppets'"
    );
    assert_eq!(feed.items[0].published, at("2019-11-20T07:00:00Z"));
}

#[test]
fn dublin_core_and_dcterms_dates_and_creators_in_rss_2() {
    let feed = parse_fixture(
        "dublin_core_and_dcterms_fa.xml",
        "https://news.example/fa/wales/feed",
    );
    let [a, b, c] = &feed.items[..] else {
        panic!("{} items", feed.items.len())
    };
    assert_eq!(a.author.as_deref(), Some("آقای آدامز"));
    assert_eq!(a.published, at("2019-11-20T03:30:00Z"));
    assert_eq!(b.author.as_deref(), Some("Merriweather"));
    // dcterms:issued is the publication; dcterms:modified only a later edit.
    assert_eq!(b.published, at("2019-11-20T06:00:00Z"));
    assert_eq!(b.time_source, TimeSource::Published);
    assert_eq!(c.published, at("2019-11-20T05:00:00Z"));
    assert_eq!(c.author, None);
}

#[test]
fn dcterms_under_another_prefix_in_atom() {
    let feed = parse_fixture("atom10_dcterms_ar.xml", "https://news.example/ar/feed");
    let a = &feed.items[0];
    assert_eq!(a.published, at("2019-11-20T07:00:00Z"));
    assert_eq!(a.time_source, TimeSource::Published);
    assert_eq!(a.author.as_deref(), Some("السيد ميريويزر"));
}

#[test]
fn rdf_with_every_rss_element_prefixed() {
    let feed = parse_fixture(
        "rdf_prefixed_rss_elements_ar.xml",
        "https://news.example/ar/rdf",
    );
    assert_eq!(feed.format, FeedFormat::Rss1);
    assert_eq!(feed.title.as_deref(), Some("أخبار ويلز"));
    assert_eq!(feed.declared_lang, Some(Lang::Ar));
    let [a, b] = &feed.items[..] else {
        panic!("{} items", feed.items.len())
    };
    assert_eq!(a.title, "وقال سبب اختفاء البارات أمر مفهوم.");
    assert_eq!(a.url.as_deref(), Some("https://news.example/ar/1"));
    assert_eq!(a.published, at("2019-11-20T07:00:00Z"));
    assert_eq!(a.author.as_deref(), Some("السيد آدامز"));
    assert_eq!(b.published, at("2019-11-20T06:00:00Z"));
}

#[test]
fn rss_0_91_and_0_92_with_dublin_core() {
    for (name, author) in [
        ("rss092_dublin_core_fa.xml", "آقای آدامز"),
        ("rss091_dublin_core_en.xml", "A Labour AM"),
    ] {
        let feed = parse_fixture(name, "https://news.example/feed");
        assert_eq!(feed.format, FeedFormat::Rss0x, "{name}");
        let a = &feed.items[0];
        assert_eq!(a.published, at("2019-11-20T07:00:00Z"), "{name}");
        assert_eq!(a.time_source, TimeSource::Published, "{name}");
        assert_eq!(a.author.as_deref(), Some(author), "{name}");
        assert!(feed.homepage.is_some(), "{name}");
    }
}
