//! The `parallax catalog` CLI end to end: catalog check, OPML export → import through files,
//! discovery from a saved page, and a clear failure on a broken catalog.

use std::process::{Command, Output};

fn parallax(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parallax"))
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run parallax")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn check_reports_counts_of_bundled_catalog() {
    let o = parallax(&["catalog", "check"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = stdout(&o);
    let sources = parallax::catalog::bundled().expect("bundled");
    assert!(
        text.starts_with(&format!("valid catalog: {} sources\n", sources.len())),
        "{text}"
    );
    for lang in ["ar", "fa", "en"] {
        let n = sources.iter().filter(|s| s.language.code() == lang).count();
        assert!(text.contains(&format!("  {lang}: {n}\n")), "{text}");
    }
}

#[test]
fn opml_export_then_import_through_files_keeps_every_source() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sources.opml");
    let path_s = path.to_str().expect("utf-8 path");
    let o = parallax(&["catalog", "export-opml", "--out", path_s]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let o = parallax(&["catalog", "import-opml", "--json", path_s]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let imported: Vec<parallax::model::Source> =
        serde_json::from_slice(&o.stdout).expect("json sources");
    assert_eq!(imported, parallax::catalog::bundled().expect("bundled"));
    assert!(String::from_utf8_lossy(&o.stderr).contains(", 0 skipped"));
}

/// Save `html` as a page and run `parallax catalog discover` on it.
fn discover_cli(html: &str, page_url: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("page.html");
    std::fs::write(&page, html).expect("write page");
    let o = parallax(&[
        "catalog",
        "discover",
        page.to_str().expect("path"),
        page_url,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    stdout(&o)
}

#[test]
fn discover_reads_a_saved_page_and_falls_back_to_common_paths() {
    let found = discover_cli(
        r#"<html lang="fa" dir="rtl"><head><base href="/fa/"><link rel="alternate" type="application/rss+xml" title="آخرین اخبار" href="rss/allnews"></head><body>خبر</body></html>"#,
        "https://www.example.ir/fa/news/1",
    );
    assert_eq!(
        found,
        "Rss\thttps://www.example.ir/fa/rss/allnews\tآخرین اخبار\n"
    );

    let fallback = discover_cli(
        "<html><head><title>none</title></head></html>",
        "https://www.example.ir/",
    );
    assert_eq!(fallback.lines().next(), Some("https://www.example.ir/feed"));
    assert_eq!(fallback.lines().count(), 6);
}

#[test]
fn broken_catalog_fails_with_line_and_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("sources.toml");
    std::fs::write(
        &file,
        "[[source]]\nid = \"irna\"\nname = \"IRNA\"\nlanguage = \"fa\"\nownership = \"state\"\nfeeds = [{ url = \"https://www.irna.ir/rss\" }]\n\n[[source]]\nid = \"irna\"\nname = \"IRNA again\"\nlanguage = \"fa\"\nownership = \"state\"\nfeeds = [{ url = \"https://www.irna.ir/rss/2\" }]\n",
    )
    .expect("write catalog");
    let o = parallax(&["catalog", "check", file.to_str().expect("path")]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("catalog: line 9, source `irna`: duplicate id"),
        "{err}"
    );
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A homepage built from real Persian news sentences (NTREX fixtures, with ZWNJ and guillemets)
/// as page text and as the feed title; article links in the body must not count as feeds.
#[test]
fn discover_on_page_built_from_real_persian_items() {
    let items = crate::support::corpus::Corpus::fixtures(100).fa;
    let title = |i: usize| items[i].title.clone();
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"fa-IR\" dir=\"rtl\"><head><title>{}</title>\
         <link rel=\"alternate\" type=\"application/rss+xml\" title=\"{}\" href=\"/api/zrttpol-vomx-tpeoogpi\">\
         </head><body>",
        escape_attr(&title(0)),
        escape_attr(&title(1)),
    );
    for it in items.iter().take(20) {
        let link = it.link.as_deref().expect("link");
        let t = &it.title;
        html.push_str(&format!(
            "<a rel=\"alternate\" href=\"{}\">{}</a>",
            escape_attr(link),
            escape_attr(t)
        ));
    }
    html.push_str("</body></html>");

    let feeds = parallax::discover::feed_links(&html, "https://news.example.org/a/30565480.html");
    assert_eq!(feeds.len(), 1, "{feeds:?}");
    assert_eq!(
        feeds[0].url,
        "https://news.example.org/api/zrttpol-vomx-tpeoogpi"
    );
    let expected: Vec<&str> = items[1].title.split_whitespace().collect();
    assert_eq!(feeds[0].title.as_deref(), Some(expected.join(" ").as_str()));
}

/// A page built from real Arabic Wikipedia "In the news" blurbs whose article URLs carry Arabic
/// path segments: the feed link under `<base>` resolves, and an Arabic feed path is
/// percent-encoded.
#[test]
fn discover_on_page_built_from_real_arabic_headlines() {
    let items: Vec<(String, String)> = crate::support::corpus::Corpus::fixtures(2_000)
        .ar
        .into_iter()
        .filter_map(|it| Some((it.title, it.link.filter(|l| l.contains("wikipedia.org"))?)))
        .take(10)
        .collect();
    // (title, link) as columns 3 and 4, as the page builder below reads them.
    let rows: Vec<[&str; 5]> = items
        .iter()
        .map(|(t, l)| ["", "", "", t.as_str(), l.as_str()])
        .collect();
    assert_eq!(rows.len(), 10);
    let section = rows[0][3]
        .split_whitespace()
        .find(|w| w.chars().all(char::is_alphabetic))
        .expect("a word");
    let mut html = format!(
        "<html lang=\"ar\" dir=\"rtl\"><head><base href=\"http://news.example.org/home/\">\
         <link rel=\"alternate\" type=\"application/rss+xml\" title=\"{}\" href=\"../feed\">\
         <link rel=\"alternate\" type=\"application/rss+xml\" title=\"{}\" href=\"section/{}/feed\">\
         </head><body>",
        escape_attr(rows[1][3]),
        escape_attr(rows[2][3]),
        section,
    );
    for r in &rows {
        html.push_str(&format!(
            "<h2><a href=\"{}\">{}</a></h2>",
            escape_attr(r[4]),
            escape_attr(r[3])
        ));
    }
    let feeds = parallax::discover::feed_links(&html, rows[0][4]);
    assert_eq!(feeds.len(), 2, "{feeds:?}");
    assert_eq!(feeds[0].url, "http://news.example.org/feed");
    assert_eq!(feeds[0].title.as_deref(), Some(rows[1][3].trim()));
    let encoded: String = url::form_urlencoded::byte_serialize(section.as_bytes()).collect();
    assert_eq!(
        feeds[1].url,
        format!("http://news.example.org/home/section/{encoded}/feed")
    );
}
