//! The parse stage as the fetch stage drives it: bytes in a legacy Arabic-script encoding,
//! decoded with encoding_rs, then parsed under a declaration that still names that encoding.

use chrono::{DateTime, Utc};
use parallax::parse::{FeedFormat, ParseError, parse_feed};

fn fixture(name: &str) -> String {
    let path = fixture_path(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

fn fetched() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-06-01T00:00:00Z")
        .map(|d| d.with_timezone(&Utc))
        .expect("literal")
}

/// Encodes `utf8` as windows-1256 and decodes it back, as a feed served in that charset reaches us.
fn through_windows_1256(utf8: &str) -> String {
    let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(utf8);
    assert!(
        bytes.iter().any(|&b| b >= 0x80),
        "really single-byte Arabic-script encoded"
    );
    let (text, _, had_errors) = encoding_rs::WINDOWS_1256.decode(&bytes);
    assert!(!had_errors);
    text.into_owned()
}

#[test]
fn windows_1256_arabic_feed_round_trips_exactly() {
    let original = fixture("rss_noversion_windows1256_decl_ar.xml");
    let decoded = through_windows_1256(&original);
    let direct = parse_feed(&original, "http://news.example.org/rss", "news", fetched())
        .expect("utf-8 parses");
    let via_1256 = parse_feed(&decoded, "http://news.example.org/rss", "news", fetched())
        .expect("decoded parses");
    assert_eq!(via_1256, direct);
    assert_eq!(
        via_1256.items[0].title,
        "الشعب المقدوني يصوت في استفتاء حول تغيير اسم الدولة من عدمه"
    );
}

#[test]
fn windows_1256_persian_feed_keeps_zwnj() {
    // windows-1256 has ZWNJ (0x9D) but no Persian digits: encoding_rs writes those as numeric
    // character references, which the XML parser turns back into the digits.
    let decoded =
        through_windows_1256(&fixture("rss2_fa_media_dc.xml").replace("utf-8", "windows-1256"));
    let feed =
        parse_feed(&decoded, "https://news.example.org/rss", "news", fetched()).expect("parses");
    assert_eq!(feed.format, FeedFormat::Rss2);
    assert_eq!(
        feed.items[0].title,
        "مردم مقدونیه در یک همه\u{200C}پرسی اعلام می\u{200C}کنند که آبا می\u{200C}خواهند نام کشورشان عوض شود یا خیر"
    );
    assert_eq!(
        feed.items[1].title,
        "سونامی در پی زلزله\u{200C}ای با شدت ۷٫۵ ریشتر رخ داد."
    );
}

#[test]
fn every_error_names_the_stage() {
    for name in [
        "html_page_with_alternates.html",
        "billion_laughs.xml",
        "truncated.xml",
        "not_a_feed_sitemap.xml",
    ] {
        let err: ParseError =
            parse_feed(&fixture(name), "https://news.example.org/", "s", fetched())
                .expect_err(name);
        assert!(err.to_string().starts_with("parse: "), "{name}: {err}");
        assert_eq!(err.code(), parallax::error::Code::FeedFormat);
    }
}

fn fixture_path(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/feeds")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn cli_parse_prints_items_as_json_and_fails_clearly_on_html() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_parallax"))
        .args([
            "parse",
            "--base",
            "https://news.example.org/rss",
            &fixture_path("rss2_fa_media_dc.xml"),
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(json["format"], "rss2");
    assert_eq!(json["declared_lang"], "fa");
    assert_eq!(
        json["items"][1]["title"],
        "سونامی در پی زلزله\u{200C}ای با شدت ۷٫۵ ریشتر رخ داد."
    );
    assert_eq!(json["items"][0]["time_source"], "published");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_parallax"))
        .args([
            "parse",
            "--base",
            "https://news.example.org/",
            &fixture_path("html_page_with_alternates.html"),
        ])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "parse: not a feed: an HTML page; it links to feed(s): https://news.example.org/rss"
        ),
        "{err}"
    );
}
