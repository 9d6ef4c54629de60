//! Feed quirks that cross the fetch and parse stages: `Content-Location` as the base for relative
//! links, and a user-added source that keeps the feed's own title and homepage.

use crate::ingest_fetch::test_config;
use crate::support::server::{Behaviour, FixtureServer, StaticFeed};
use parallax::api::{Engine, EngineConfig};
use parallax::fetch::{Conditional, Fetched, Fetcher};

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/feeds")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

#[tokio::test]
async fn relative_links_resolve_against_content_location() {
    let atom = fixture("atom10_relative_links_no_base_ar.xml");
    let server = FixtureServer::start([
        (
            "cl/feed".to_string(),
            Behaviour::Feed(
                StaticFeed::new(atom.clone(), "application/atom+xml")
                    .at_location("/ar/feeds/feed.atom"),
            ),
        ),
        (
            "plain/feed".to_string(),
            Behaviour::Feed(StaticFeed::new(atom, "application/atom+xml")),
        ),
    ])
    .await
    .expect("bind 127.0.0.1");
    let fetcher = Fetcher::new(test_config()).unwrap();
    let parse = |body: &parallax::fetch::Body| {
        parallax::parse::parse_feed(&body.text, body.base_url(), "s", chrono::Utc::now()).unwrap()
    };

    let Ok(Fetched::Body(body)) = fetcher
        .fetch(&server.url("cl/feed"), &Conditional::default())
        .await
    else {
        panic!("cl/feed not fetched")
    };
    let origin = server.url("");
    assert_eq!(
        body.content_location.as_deref(),
        Some(format!("{origin}ar/feeds/feed.atom").as_str())
    );
    let feed = parse(&body);
    assert_eq!(
        feed.items[0].url.as_deref(),
        Some(format!("{origin}ar/feeds/2019/11/wales-assembly").as_str())
    );

    // Without the header, the URL fetched is the base.
    let Ok(Fetched::Body(body)) = fetcher
        .fetch(&server.url("plain/feed"), &Conditional::default())
        .await
    else {
        panic!("plain/feed not fetched")
    };
    assert_eq!(body.content_location, None);
    assert_eq!(
        parse(&body).items[0].url.as_deref(),
        Some(format!("{origin}plain/2019/11/wales-assembly").as_str())
    );
}

#[tokio::test]
async fn an_added_source_keeps_the_feeds_title_and_homepage() {
    let server = FixtureServer::start([(
        "deep/path/feed.xml".to_string(),
        Behaviour::Feed(StaticFeed::new(
            fixture("rss2_stylesheet_pi_doctype_comment_en.xml"),
            "application/rss+xml",
        )),
    )])
    .await
    .expect("bind 127.0.0.1");
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(EngineConfig {
        seed_catalog: false,
        ..crate::support::backend::engine_config(&dir.path().join("archive.db"))
    })
    .unwrap();
    let source = engine
        .add_source(&server.url("deep/path/feed.xml"))
        .await
        .unwrap();
    assert_eq!(source.name, "Welsh Assembly news");
    // The feed's <link>, not the root of the host that serves the feed.
    assert_eq!(
        source.homepage.as_deref(),
        Some("https://news.example/en/wales/")
    );
}
