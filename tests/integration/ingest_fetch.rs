//! The fetch layer against the fixture server: encodings, validators, limits, failure modes.

use crate::support::corpus::Corpus;
use crate::support::fixtures::{Expect, Fixture, catalogue};
use crate::support::server::{Behaviour, FixtureServer};
use parallax::error::Code;
use parallax::fetch::{Conditional, FetchConfig, FetchError, Fetched, Fetcher};
use std::time::Duration;

/// Limits tight enough that the endless and slow-drip fixtures fail fast.
pub fn test_config() -> FetchConfig {
    FetchConfig {
        total_timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(2),
        max_body_bytes: 2 * 1024 * 1024,
        ..FetchConfig::default()
    }
}

/// The fixture server with the whole catalogue.
pub async fn serve() -> (FixtureServer, Vec<Fixture>) {
    let corpus = Corpus::fixtures(400);
    let fixtures = catalogue(&corpus);
    let server = FixtureServer::start(
        fixtures
            .iter()
            .map(|f| (f.name.clone(), f.behaviour.clone())),
    )
    .await
    .expect("bind 127.0.0.1");
    (server, fixtures)
}

#[tokio::test]
async fn every_feed_fixture_decodes_to_its_exact_text() {
    let (server, fixtures) = serve().await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let mut checked = 0;
    for f in &fixtures {
        let Expect::Items(entries) = &f.expect else {
            continue;
        };
        let fetched = fetcher
            .fetch(&server.url(&f.name), &Conditional::default())
            .await;
        let Ok(Fetched::Body(body)) = fetched else {
            panic!("{}: {fetched:?}", f.name)
        };
        for e in entries {
            // Titles are written escaped for their format; Persian in windows-1256 further carries
            // the letters that code page lacks as numeric references.
            let escaped = if f.name.contains("json") {
                serde_json::to_string(&e.title).unwrap()
            } else {
                crate::support::render::escape(&e.title)
            };
            let expected = if f.name.ends_with("-ncr") {
                let bytes = encoding_rs::WINDOWS_1256.encode(&escaped).0.into_owned();
                encoding_rs::WINDOWS_1256.decode(&bytes).0.into_owned()
            } else {
                escaped
            };
            assert!(
                body.text.contains(&expected),
                "{}: title {:?} missing from decoded body (charset {})",
                f.name,
                e.title,
                body.charset_used
            );
        }
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} feed fixtures");
}

#[tokio::test]
async fn legacy_encodings_are_detected_from_every_label() {
    let (server, _) = serve().await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    for (name, charset) in [
        ("ar-rss2-1256", "windows-1256"),
        ("ar-rss2-1256-decl-only", "windows-1256"),
        ("ar-atom-1256-unlabelled", "windows-1256"),
        ("ar-rss2-1256-wrong-header", "windows-1256"),
        ("ar-rdf-1256-says-utf8", "windows-1256"),
        ("ar-rss2-8859-6", "ISO-8859-6"),
        ("fa-rss2-bom", "UTF-8"),
        ("fa-rss2", "UTF-8"),
    ] {
        let Ok(Fetched::Body(body)) = fetcher
            .fetch(&server.url(name), &Conditional::default())
            .await
        else {
            panic!("{name}")
        };
        assert_eq!(body.charset_used, charset, "{name}");
        assert!(
            !body.text.contains('\u{FFFD}'),
            "{name}: replacement characters in decoded text"
        );
    }
}

#[tokio::test]
async fn conditional_get_gives_304_and_sends_validators_and_user_agent() {
    let (server, _) = serve().await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let Ok(Fetched::Body(first)) = fetcher
        .fetch(&server.url("fa-rss2"), &Conditional::default())
        .await
    else {
        panic!()
    };
    assert!(first.etag.is_some() && first.last_modified.is_some());
    let cond = Conditional {
        etag: first.etag.clone(),
        last_modified: first.last_modified.clone(),
    };
    assert_eq!(
        fetcher.fetch(&server.url("fa-rss2"), &cond).await,
        Ok(Fetched::NotModified)
    );
    // Last-Modified alone also validates.
    let lm_only = Conditional {
        etag: None,
        last_modified: first.last_modified.clone(),
    };
    assert_eq!(
        fetcher.fetch(&server.url("fa-rss2"), &lm_only).await,
        Ok(Fetched::NotModified)
    );
    // A stale ETag gets the full body.
    let stale = Conditional {
        etag: Some("\"old\"".into()),
        last_modified: None,
    };
    assert!(matches!(
        fetcher.fetch(&server.url("fa-rss2"), &stale).await,
        Ok(Fetched::Body(_))
    ));
    let hits = server.hits("fa-rss2");
    assert_eq!(
        (hits.requests, hits.conditional, hits.not_modified),
        (4, 3, 2)
    );
    assert!(
        hits.user_agent
            .as_deref()
            .is_some_and(|ua| ua.starts_with("Parallax/")),
        "{hits:?}"
    );
}

#[tokio::test]
async fn gzip_and_redirects_are_followed() {
    let (server, _) = serve().await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let Ok(Fetched::Body(gz)) = fetcher
        .fetch(&server.url("en-rss2-gzip"), &Conditional::default())
        .await
    else {
        panic!()
    };
    assert!(gz.text.starts_with("<?xml") && gz.etag.is_none());
    let Ok(Fetched::Body(moved)) = fetcher
        .fetch(&server.url("redirected"), &Conditional::default())
        .await
    else {
        panic!()
    };
    assert_eq!(moved.final_url, server.url(crate::support::fixtures::MOVED));
}

#[tokio::test]
async fn each_transport_failure_has_its_own_clear_error() {
    let (server, fixtures) = serve().await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let transport: Vec<_> = fixtures
        .iter()
        .filter(|f| !matches!(f.behaviour, Behaviour::Feed(_) | Behaviour::Redirect { .. }))
        .collect();
    assert!(transport.len() >= 7);
    for f in transport {
        let Expect::Fails { code, says } = &f.expect else {
            panic!("{}", f.name)
        };
        let err = fetcher
            .fetch(&server.url(&f.name), &Conditional::default())
            .await
            .expect_err(&f.name);
        assert_eq!(err.code(), *code, "{}: {err}", f.name);
        assert!(
            err.to_string().starts_with("fetch: ") && err.to_string().contains(says),
            "{}: {err}",
            f.name
        );
    }
    let e = fetcher
        .fetch(&server.url("rate-limited"), &Conditional::default())
        .await
        .unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(120)));
    let e = fetcher
        .fetch(&server.url("unavailable"), &Conditional::default())
        .await
        .unwrap_err();
    assert!(
        e.retry_after()
            .is_some_and(|d| d > Duration::from_secs(3500) && d <= Duration::from_secs(7200)),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let fetcher = Fetcher::new(test_config()).unwrap();
    let e = fetcher
        .fetch(&format!("http://{addr}/feed"), &Conditional::default())
        .await
        .unwrap_err();
    assert!(matches!(e, FetchError::Connect(_)), "{e:?}");
    assert_eq!(e.code(), Code::Network);
}

#[tokio::test]
async fn per_host_limit_holds_under_load() {
    let (server, _) = serve().await;
    let fetcher = std::sync::Arc::new(
        Fetcher::new(FetchConfig {
            per_host_concurrency: 2,
            ..test_config()
        })
        .unwrap(),
    );
    // Four slow-drip requests to one origin with two slots: the second pair only starts after the
    // first pair times out, so all four fail but the server never sees more than two at once.
    let started = std::time::Instant::now();
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let f = fetcher.clone();
            let url = server.url("slow-drip");
            tokio::spawn(async move { f.fetch(&url, &Conditional::default()).await })
        })
        .collect();
    for t in tasks {
        assert!(matches!(t.await.unwrap(), Err(FetchError::Timeout { .. })));
    }
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "two waves of 2 s timeouts: {:?}",
        started.elapsed()
    );
}
