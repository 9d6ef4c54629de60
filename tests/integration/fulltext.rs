//! Full-text articles: extraction quality on the committed ar/fa/en pages, and the whole path
//! (a headline-only feed → robots.txt → article pages → stored text → grouping and search) through
//! the fixture server, with every kind of bad page.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use parallax::api::{Engine, EngineConfig};
use parallax::eval::fulltext::{FOUND_RECALL, evaluate, load_pages, score_text};
use parallax::fetch::FetchConfig;
use parallax::fulltext::FulltextMode;
use parallax::model::{Feed, Lang, Ownership, Source};
use parallax::store::{FulltextState, ItemQuery};

use crate::support::render::{Channel, DateSpec, Entry, Format, render};
use crate::support::server::{Behaviour, FixtureServer, StaticFeed};

fn pages_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/articles")
}

#[test]
fn main_text_is_found_on_the_committed_pages_in_three_languages() {
    let pages = load_pages(&pages_dir()).unwrap();
    assert_eq!(pages.len(), 12, "4 pages per language");
    let report = evaluate(&pages);
    for s in &report.pages {
        eprintln!(
            "{:<14} recall {:.3} boilerplate {:.3}",
            s.name, s.recall, s.boilerplate
        );
    }
    for lang in ["ar", "fa", "en"] {
        let found = report
            .pages
            .iter()
            .filter(|s| s.lang == lang && s.found())
            .count();
        assert!(found >= 3, "{lang}: main text found on {found} of 4 pages");
    }
    assert!(
        report.mean_boilerplate < 0.15,
        "boilerplate left in: {:.3}",
        report.mean_boilerplate
    );
}

fn og_title(html: &str) -> String {
    let key = "<meta property=\"og:title\" content=\"";
    let start = html.find(key).expect("og:title") + key.len();
    let end = html[start..].find('"').expect("end of og:title") + start;
    html[start..end]
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
}

fn page(name: &str) -> (String, String) {
    let dir = pages_dir();
    (
        std::fs::read_to_string(dir.join(format!("{name}.html"))).unwrap(),
        std::fs::read_to_string(dir.join(format!("{name}.gold.txt"))).unwrap(),
    )
}

fn html(body: impl Into<bytes::Bytes>) -> Behaviour {
    Behaviour::Feed(StaticFeed::new(body, "text/html; charset=utf-8"))
}

/// A headline-only RSS feed: each entry a title and a link, no description.
fn headline_feed(entries: &[(String, String)]) -> Behaviour {
    let base = chrono::DateTime::parse_from_rfc3339("2019-05-14T09:30:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let entries: Vec<Entry> = entries
        .iter()
        .enumerate()
        .map(|(i, (title, link))| Entry {
            guid: Some(link.clone()),
            link: Some(link.clone()),
            title: title.clone(),
            summary: String::new(),
            date: DateSpec::At(base + chrono::Duration::minutes(i as i64)),
            tags: vec![],
        })
        .collect();
    let body = render(
        Format::Rss2,
        &Channel {
            title: "Headlines".into(),
            site: "http://127.0.0.1/".into(),
            lang: "fa".into(),
            xml_encoding: Some("UTF-8".into()),
            ttl_minutes: None,
        },
        &entries,
    );
    Behaviour::Feed(StaticFeed::new(body, Format::Rss2.content_type()))
}

const REAL: [&str; 3] = ["fa-1-news", "ar-2-wiki", "en-3-portal"];
/// Served at `legacy/NAME` in windows-1256.
const LEGACY: &str = "ar-3-portal";

#[tokio::test(flavor = "multi_thread")]
async fn headline_only_feed_gets_article_text_and_bad_pages_fail_alone() {
    let mut routes: Vec<(String, Behaviour)> = vec![
        (
            "robots.txt".into(),
            Behaviour::Feed(StaticFeed::new(
                "User-agent: *\nDisallow: /private/\n",
                "text/plain",
            )),
        ),
        ("private/kept-out".into(), html(page("en-1-news").0)),
        (
            "files/report.pdf".into(),
            Behaviour::Feed(StaticFeed::new(
                b"%PDF-1.7 not a page".to_vec(),
                "application/pdf",
            )),
        ),
        // 6 MB of HTML: over the article cap (5 MB).
        (
            "huge".into(),
            html(format!(
                "<html><body>{}</body></html>",
                "<p>padding text</p>".repeat(6 * 1024 * 1024 / 18)
            )),
        ),
        // The same, streamed with no length: cut off while reading.
        ("endless".into(), Behaviour::EndlessPage),
        ("loop".into(), Behaviour::RedirectLoop),
        // An Arabic page in windows-1256, its charset named only inside the page.
        (
            "legacy/ar-3-portal".into(),
            Behaviour::Feed(StaticFeed::new(
                encoding_rs::WINDOWS_1256
                    .encode(
                        &page("ar-3-portal")
                            .0
                            .replace("charset=\"utf-8\"", "charset=\"windows-1256\""),
                    )
                    .0
                    .into_owned(),
                "text/html",
            )),
        ),
    ];
    for name in REAL {
        routes.push((format!("news/{name}"), html(page(name).0)));
    }
    let server = FixtureServer::start(routes).await.unwrap();
    let mut entries: Vec<(String, String)> = REAL
        .iter()
        .map(|n| (og_title(&page(n).0), server.url(&format!("news/{n}"))))
        .collect();
    entries.push((
        og_title(&page(LEGACY).0),
        server.url(&format!("legacy/{LEGACY}")),
    ));
    let bad = [
        ("private/kept-out", "Disallowed page", "robots.txt"),
        ("files/report.pdf", "A PDF report", "application/pdf"),
        ("huge", "A huge page", "larger than"),
        ("endless", "An endless page", "larger than"),
        ("loop", "A redirect loop", "redirects"),
    ];
    for (path, title, _) in bad {
        entries.push((title.to_string(), server.url(path)));
    }
    server.set("feed.xml", headline_feed(&entries));

    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(EngineConfig {
        seed_catalog: false,
        model_path: Some(dir.path().join("no-model.bin")),
        ..crate::support::backend::engine_config(&dir.path().join("archive.db"))
    })
    .unwrap();
    assert!(
        engine
            .use_fetch_config(FetchConfig {
                total_timeout: Duration::from_secs(5),
                connect_timeout: Duration::from_secs(2),
                ..FetchConfig::default()
            })
            .unwrap()
    );
    let source = Source {
        id: "headlines".into(),
        name: "Headlines only".into(),
        homepage: None,
        feeds: vec![Feed {
            url: server.url("feed.xml"),
            verified: true,
        }],
        language: Lang::Und,
        country: None,
        ownership: Ownership::Unknown,
        note: None,
        enabled: true,
        refresh_secs: 300,
    };
    engine.save_sources(std::slice::from_ref(&source)).unwrap();
    assert_eq!(
        engine.source_fulltext("headlines").unwrap().mode,
        FulltextMode::Auto
    );

    let summary = engine.refresh(None, true).await.unwrap();
    assert_eq!(summary.items_new(), 9, "{summary:?}");
    assert!(engine.source_fulltext("headlines").unwrap().enabled);

    let items = engine.list_items(&ItemQuery::default()).unwrap();
    let by_url = |path: &str| {
        let url = server.url(path);
        items
            .iter()
            .find(|i| i.item.url.as_deref() == Some(url.as_str()))
            .unwrap_or_else(|| panic!("item for {path}"))
            .id
    };
    let real = REAL
        .iter()
        .map(|n| (*n, format!("news/{n}")))
        .chain([(LEGACY, format!("legacy/{LEGACY}"))]);
    for (name, path) in real {
        let d = engine.item_detail(by_url(&path)).unwrap();
        let Some(FulltextState::Text { text, lead }) = d.fulltext.as_ref().map(|f| &f.state) else {
            panic!("{name}: {:?}", d.fulltext)
        };
        let (recall, boilerplate, _, _) = score_text(&page(name).1, text);
        assert!(recall >= FOUND_RECALL, "{name}: recall {recall:.3}");
        assert!(boilerplate < 0.2, "{name}: boilerplate {boilerplate:.3}");
        // The feed gave no text: the article's lead is what grouping and search use.
        assert!(!lead.is_empty());
        assert_eq!(d.item.body_text(), lead);
        assert!(d.item.lang.is_some(), "{name}: language detected");
        assert!(engine.explain_item(d.item.id).is_ok(), "{name}: grouped");
    }
    // Search finds the English article by a word of its lead that its headline lacks.
    let en = engine.item_detail(by_url("news/en-3-portal")).unwrap();
    let word = en
        .item
        .body_text()
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .find(|w| w.len() > 6 && !en.item.item.title.contains(w))
        .expect("a lead word not in the title")
        .to_string();
    let groups = engine
        .search(&parallax::api::SearchQuery {
            text: word.clone(),
            filter: Default::default(),
            semantic: false,
            limit: Some(50),
        })
        .unwrap();
    assert!(
        groups
            .iter()
            .flat_map(|g| &g.hits)
            .any(|h| h.item.id == en.item.id),
        "search for {word:?} finds the article"
    );

    for (path, title, says) in bad {
        let d = engine.item_detail(by_url(path)).unwrap();
        let Some(FulltextState::Error { message, .. }) = d.fulltext.as_ref().map(|f| &f.state)
        else {
            panic!("{path}: {:?}", d.fulltext)
        };
        assert!(message.contains(says), "{path}: {message}");
        // The item keeps its feed text and is grouped like any other.
        assert_eq!(d.item.item.title, title);
        assert_eq!(d.item.body_text(), "");
        assert!(engine.explain_item(d.item.id).is_ok(), "{path}: grouped");
    }
    assert_eq!(
        server.hits("private/kept-out").requests,
        0,
        "a page robots.txt disallows is never requested"
    );
    assert_eq!(
        server.hits("robots.txt").requests,
        1,
        "robots.txt read once"
    );

    // A second refresh stores nothing new and fetches no page again.
    engine.refresh(None, true).await.unwrap();
    assert_eq!(server.hits("news/fa-1-news").requests, 1);

    // Asked again for one item: a conditional GET, answered 304, keeps the text.
    let fa = by_url("news/fa-1-news");
    let again = engine.refetch_fulltext(fa).await.unwrap();
    assert!(matches!(
        again.fulltext.map(|f| f.state),
        Some(FulltextState::Text { .. })
    ));
    let hits = server.hits("news/fa-1-news");
    assert_eq!((hits.requests, hits.not_modified), (2, 1));

    // Turned off: a new item of the source is not fetched.
    engine
        .set_source_fulltext("headlines", FulltextMode::Off)
        .unwrap();
    entries.push(("Another headline".into(), server.url("news/en-4-news")));
    server.set("news/en-4-news", html(page("en-4-news").0));
    server.set("feed.xml", headline_feed(&entries));
    engine.refresh(None, true).await.unwrap();
    assert_eq!(server.hits("news/en-4-news").requests, 0);

    // The command line shows the text, the per-item error and the source's mode.
    drop(engine);
    let db = dir.path().join("archive.db");
    let out = cli(&db, &["items", "show", &fa.to_string()]);
    let gold_start: String = page("fa-1-news").1.chars().take(40).collect();
    assert!(out.contains(&gold_start), "{out}");
    // `items fulltext` fetches the page again (conditionally) from the command line's own
    // current-thread runtime, which on PostgreSQL used to panic in the store's blocking client.
    let (db2, fa_id) = (db.clone(), fa.to_string());
    let out = tokio::task::spawn_blocking(move || cli(&db2, &["items", "fulltext", &fa_id]))
        .await
        .unwrap();
    assert!(out.contains(&gold_start), "{out}");
    assert_eq!(server.hits("news/fa-1-news").requests, 3);
    let loop_id = items
        .iter()
        .find(|i| i.item.title == "A redirect loop")
        .unwrap()
        .id;
    let out = cli(&db, &["items", "show", &loop_id.to_string()]);
    assert!(
        out.contains("Full text: failed") && out.contains("redirects"),
        "{out}"
    );
    let out = cli(&db, &["items", "--limit", "100"]);
    assert_eq!(out.matches("[full text]").count(), 4, "{out}");
    assert_eq!(out.matches("[full text failed]").count(), 5, "{out}");
    let out = cli(&db, &["sources", "fulltext", "headlines", "auto"]);
    assert!(out.contains("full text auto"), "{out}");
    let out = cli(&db, &["sources", "fulltext", "headlines", "sometimes"]);
    assert!(out.contains("must be on, off or auto"), "{out}");
}

/// Run the `parallax` binary on `db`; stdout, or stderr when it failed.
fn cli(db: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_parallax"))
        .args(crate::support::backend::cli_archive_args(db))
        .args(args)
        .output()
        .expect("run parallax");
    let text = if out.status.success() {
        out.stdout
    } else {
        out.stderr
    };
    String::from_utf8_lossy(&text).into_owned()
}

/// robots.txt's `Crawl-delay` spaces one origin's article requests, however many are asked for at
/// once; an origin without one is not held back.
#[tokio::test(flavor = "multi_thread")]
async fn crawl_delay_spaces_article_requests_per_origin() {
    use parallax::fetch::{Conditional, Fetcher};
    use parallax::fulltext::{Outcome, RobotsCache, fetch_article};

    let pages = ["fa-1-news", "ar-2-wiki", "en-3-portal"];
    let routes = |robots: &str| {
        let mut r: Vec<(String, Behaviour)> = vec![(
            "robots.txt".into(),
            Behaviour::Feed(StaticFeed::new(robots.to_string(), "text/plain")),
        )];
        for name in pages {
            r.push((format!("news/{name}"), html(page(name).0)));
        }
        r
    };
    let slow = FixtureServer::start(routes(
        "User-agent: *\nCrawl-delay: 1\nDisallow: /private/\n",
    ))
    .await
    .unwrap();
    let fast = FixtureServer::start(routes("User-agent: *\nDisallow: /private/\n"))
        .await
        .unwrap();
    let fetcher = Fetcher::new(FetchConfig::default()).unwrap();
    let robots = RobotsCache::new();
    let urls: Vec<String> = pages
        .iter()
        .flat_map(|n| {
            [
                slow.url(&format!("news/{n}")),
                fast.url(&format!("news/{n}")),
            ]
        })
        .collect();
    let none = Conditional::default();
    let started = std::time::Instant::now();
    let results = futures_util::future::join_all(
        urls.iter()
            .map(|u| fetch_article(&fetcher, &robots, u, &none)),
    )
    .await;
    // Three requests 1 s apart: the last one cannot have been let go before 2 s.
    assert!(started.elapsed() >= Duration::from_secs(2));
    for (u, r) in urls.iter().zip(&results) {
        assert!(matches!(r, Ok(Outcome::Fetched(_))), "{u}: {r:?}");
    }
    let arrivals = |server: &FixtureServer| {
        let mut at: Vec<std::time::Instant> = pages
            .iter()
            .flat_map(|n| server.hits(&format!("news/{n}")).arrivals)
            .collect();
        at.sort();
        at
    };
    let slow_at = arrivals(&slow);
    assert_eq!(slow_at.len(), 3);
    for pair in slow_at.windows(2) {
        let gap = pair[1] - pair[0];
        // Let go a full second after the previous one; the server's clock also carries how
        // late each request reached it, so only a clear gap is asserted (unpaced, they come
        // within milliseconds).
        assert!(
            gap >= Duration::from_millis(500),
            "requests to the origin asking for 1 s came {gap:?} apart"
        );
    }
    // The origin without a delay was served while the slow one waited its turns.
    let fast_at = arrivals(&fast);
    assert_eq!(fast_at.len(), 3);
    assert!(
        fast_at[2] < slow_at[2],
        "the origin without a crawl delay is not held back by the other"
    );
    assert_eq!(slow.hits("robots.txt").requests, 1);
}
