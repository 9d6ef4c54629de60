//! Team mode end to end on a real PostgreSQL: `parallax users add` prints tokens, the demo
//! archive goes through the whole engine (store, language detection, grouping) into PostgreSQL,
//! and `parallax serve` answers over HTTP with tokens checked: no token, a reader, an editor.
//!
//! Fetching into PostgreSQL, the server's pipeline, its event stream and its workers are tested
//! against the fixture feed server of the integration tests (real items, real HTTP).
//!
//! Needs a server: `scripts/test-postgres.sh` starts a throwaway one and runs these ignored tests
//! (their names contain "postgres").

#[path = "support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use parallax::api::{Engine, EngineConfig, NewWatch};
use parallax::model::{Feed, Lang, Ownership, Source};
use parallax::remote::TeamClient;
use parallax::watch::WatchRule;
use serde_json::Value;
use support::corpus::Corpus;
use support::fixtures::{Expect, catalogue};
use support::server::{Behaviour, FixtureServer};

/// A new database on the test server; returns its key=value connection string. (On a thread
/// of its own: the blocking client may not run inside the test's async runtime.)
fn fresh_database() -> String {
    std::thread::spawn(create_database).join().unwrap()
}

fn create_database() -> String {
    let url = std::env::var("PARALLAX_TEST_PG")
        .expect("PARALLAX_TEST_PG is not set: run this through scripts/test-postgres.sh");
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name = format!(
        "parallax_team_{}_{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("test server");
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create database");
    let config: postgres::Config = url.parse().expect("URL");
    let host = match &config.get_hosts()[0] {
        postgres::config::Host::Tcp(h) => h.clone(),
        postgres::config::Host::Unix(p) => p.display().to_string(),
    };
    format!(
        "host={host} port={} user={} dbname={name}",
        config.get_ports()[0],
        config.get_user().unwrap_or("postgres")
    )
}

fn parallax() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_parallax"));
    c.env("PARALLAX_MODEL", "/nonexistent/no-model");
    c
}

fn add_user(pg: &str, name: &str, role: &str) -> String {
    let out = parallax()
        .args(["users", "add", name, "--role", role, "--pg", pg])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// `parallax serve` on a free port; returns the child and its base URL.
fn serve(pg: &str) -> (Child, String) {
    let mut child = parallax()
        .args(["serve", "--pg", pg, "--listen", "127.0.0.1:0", "--no-fetch"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("serve exited").unwrap();
        if let Some(url) = line.strip_prefix("parallax serve: listening on ") {
            break url.to_string();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, base)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs PostgreSQL: scripts/test-postgres.sh starts one and runs these"]
async fn serve_on_postgres_answers_with_tokens_and_refuses_a_reader_write() {
    let pg = fresh_database();
    let dir = tempfile::tempdir().unwrap();
    let editor = add_user(&pg, "maryam", "editor");
    let reader = add_user(&pg, "omid", "reader");
    assert!(editor.starts_with("plx_") && editor.len() > 60, "{editor}");
    assert_ne!(editor, reader);
    let again = parallax()
        .args(["users", "add", "omid", "--pg", &pg])
        .output()
        .unwrap();
    assert!(!again.status.success(), "a taken name is refused");

    // The demo archive (real ar/fa/en Wikipedia ITN items) through the whole engine.
    let pg2 = pg.clone();
    let dir_path = dir.path().to_path_buf();
    let (items, stories) = tokio::task::spawn_blocking(move || {
        let e = Engine::open(EngineConfig {
            postgres: Some(pg2),
            seed_catalog: false,
            model_path: Some(dir_path.join("no-model")),
            ..EngineConfig::new(dir_path.join("unused.db"))
        })
        .unwrap();
        let r = e.load_demo_archive(None).unwrap();
        (r.items, r.stories)
    })
    .await
    .unwrap();
    assert_eq!(items, 503);
    assert!(stories > 50, "{stories} stories");

    let (mut child, base) = serve(&pg);
    let http = reqwest::Client::new();
    let get = |path: &str, token: Option<&str>| {
        let mut r = http.get(format!("{base}{path}"));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };

    assert_eq!(get("/health", None).await.unwrap().status(), 200);
    let refused = get("/api/stories", None).await.unwrap();
    assert_eq!(refused.status(), 401);
    let forged = get("/api/stories", Some("plx_0000")).await.unwrap();
    assert_eq!(forged.status(), 401);

    let list: Value = get("/api/stories?limit=500&include_routine=true", Some(&reader))
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str::<Value>(&t).unwrap())
        .unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len() as u32, stories);
    let (a, b) = (
        list[0]["id"].as_i64().unwrap(),
        list[1]["id"].as_i64().unwrap(),
    );

    let story: Value = get(&format!("/api/stories/{a}"), Some(&reader))
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str::<Value>(&t).unwrap())
        .unwrap();
    assert!(!story["items"].as_array().unwrap().is_empty(), "{story}");

    // Related stories over HTTP: the items were stored without vectors, so the list is empty,
    // with the reason when the server has no model either; never the story itself.
    let related: Value = get(&format!("/api/stories/{a}/related?limit=5"), Some(&reader))
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str::<Value>(&t).unwrap())
        .unwrap();
    let listed = related["stories"]
        .as_array()
        .unwrap_or_else(|| panic!("{related}"));
    assert!(
        listed.iter().all(|s| s["story"]["id"].as_i64() != Some(a)),
        "{related}"
    );
    match related["unavailable"].as_str() {
        Some(why) => assert!(why.contains("embedding model"), "{why}"),
        None => assert!(listed.is_empty(), "no vectors stored: {related}"),
    }
    assert_eq!(
        get("/api/stories/999999999/related", Some(&reader))
            .await
            .unwrap()
            .status(),
        400,
        "an unknown story is the caller's mistake"
    );

    // Arabic letters (ك, ي) find the Persian spelling ترکیه: the same fold as on SQLite.
    let found: Value = get("/api/search?q=تركيه", Some(&reader))
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str::<Value>(&t).unwrap())
        .unwrap();
    let titles: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["hits"].as_array().unwrap())
        .filter_map(|h| h["item"]["title"].as_str())
        .collect();
    assert!(
        !titles.is_empty() && titles.iter().all(|t| t.contains("ترکیه")),
        "{titles:?}"
    );

    let merge = |token: String| {
        http.post(format!("{base}/api/stories/{a}/merge"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(serde_json::json!({ "from": b }).to_string())
            .send()
    };
    assert_eq!(merge(reader.clone()).await.unwrap().status(), 403);
    assert_eq!(merge(editor.clone()).await.unwrap().status(), 204);
    let after: Value = get("/api/stories?limit=500", Some(&reader))
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str::<Value>(&t).unwrap())
        .unwrap();
    assert_eq!(after.as_array().unwrap().len() as u32, stories - 1);

    assert_eq!(get("/metrics", None).await.unwrap().status(), 401);
    let metrics = get("/metrics", Some(&reader))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("parallax_items 503"), "{metrics}");
    assert!(
        metrics.contains(
            "parallax_http_requests_total{route=\"/api/stories/:id/merge\",method=\"POST\",status=\"403\"} 1"
        ),
        "{metrics}"
    );

    child.kill().unwrap();
    child.wait().unwrap();
}

/// A child process killed (SIGKILL) and reaped when dropped, so a failing test leaves no server.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An engine on the team archive, as another process would open it (no catalog, no model).
fn pg_engine(pg: &str) -> Engine {
    Engine::open(EngineConfig {
        postgres: Some(pg.to_string()),
        seed_catalog: false,
        model_path: Some("/nonexistent/no-model".into()),
        ..EngineConfig::new("/nonexistent/unused.db".into())
    })
    .unwrap()
}

/// The fixture feed server with these fixtures; each name's expected item count (0: it fails).
async fn feed_server(names: &[&str]) -> (FixtureServer, HashMap<String, usize>) {
    let fixtures = catalogue(&Corpus::fixtures(400));
    let mut routes = Vec::new();
    let mut expect = HashMap::new();
    for f in fixtures
        .into_iter()
        .filter(|f| names.contains(&f.name.as_str()))
    {
        let n = match &f.expect {
            Expect::Items(entries) => entries.len(),
            Expect::Fails { .. } => 0,
        };
        expect.insert(f.name.clone(), n);
        routes.push((f.name, f.behaviour));
    }
    assert_eq!(expect.len(), names.len(), "every fixture exists");
    (FixtureServer::start(routes).await.unwrap(), expect)
}

/// A source `fx-NAME` whose feed is `url`.
fn source(name: &str, url: String) -> Source {
    Source {
        id: format!("fx-{name}"),
        name: name.into(),
        homepage: None,
        feeds: vec![Feed {
            url,
            verified: true,
        }],
        language: Lang::from_tag(&name[..2]).unwrap_or(Lang::Und),
        country: None,
        ownership: Ownership::Unknown,
        note: None,
        enabled: true,
        refresh_secs: 900,
    }
}

/// Run a blocking SQL query on the test database (its own thread: not on the test's runtime).
fn sql(pg: &str, query: &str) -> Vec<postgres::Row> {
    let (pg, query) = (pg.to_string(), query.to_string());
    std::thread::spawn(move || {
        postgres::Client::connect(&pg, postgres::NoTls)
            .unwrap()
            .query(&query, &[])
            .unwrap()
    })
    .join()
    .unwrap()
}

fn count(pg: &str, query: &str) -> i64 {
    sql(pg, query)[0].get(0)
}

/// Wait up to `secs` for `done`, checking every 100 ms.
async fn wait_for(secs: u64, what: &str, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs PostgreSQL: scripts/test-postgres.sh starts one and runs these"]
async fn fetch_and_sources_add_work_on_postgres_and_store_each_item_once() {
    let pg = fresh_database();
    let (server, expect) = feed_server(&["fa-rss2", "ar-rss2-1256", "not-found", "ar-atom"]).await;
    let sources: Vec<Source> = ["fa-rss2", "ar-rss2-1256", "not-found"]
        .iter()
        .map(|n| source(n, server.url(n)))
        .collect();
    let pg2 = pg.clone();
    tokio::task::spawn_blocking(move || pg_engine(&pg2).save_sources(&sources).unwrap())
        .await
        .unwrap();
    let run = |args: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            let out = parallax().args(args).output().unwrap();
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
    };
    let fetch = || run(vec!["--pg".into(), pg.clone(), "fetch".into()]);
    let want = expect["fa-rss2"] + expect["ar-rss2-1256"];
    let (ok, out, err) = fetch().await.unwrap();
    assert!(ok, "{err}");
    assert!(
        out.contains("3 feeds in")
            && out.contains(&format!(
                "2 updated ({want} new items), 0 not modified, 1 failed"
            )),
        "{out}"
    );
    assert!(
        err.contains("fx-not-found") && err.contains("HTTP 404"),
        "{err}"
    );
    // Again: validators make both feeds 304s and nothing is stored twice.
    let (ok, out, err) = fetch().await.unwrap();
    assert!(ok, "{err}");
    assert!(out.contains("(0 new items), 2 not modified"), "{out}");
    assert_eq!(server.hits("fa-rss2").not_modified, 1);
    assert_eq!(count(&pg, "SELECT count(*) FROM items"), want as i64);
    // Grouped by the fetching process (it held the grouping lease), languages detected.
    assert_eq!(count(&pg, "SELECT count(*) FROM story_items"), want as i64);
    assert_eq!(
        count(&pg, "SELECT count(*) FROM items WHERE lang IS NULL"),
        0
    );
    assert_eq!(
        count(
            &pg,
            "SELECT count(*) FROM fetch_log WHERE outcome = 'error'"
        ),
        1
    );

    // `sources add` fetches the URL to check it, on a PostgreSQL archive too.
    let (ok, out, err) = run(vec![
        "--pg".into(),
        pg.clone(),
        "sources".into(),
        "add".into(),
        server.url("ar-atom"),
    ])
    .await
    .unwrap();
    assert!(ok, "{err}");
    assert!(out.starts_with("added "), "{out}");
    assert_eq!(count(&pg, "SELECT count(*) FROM sources"), 4);
    let (ok, out, err) = fetch().await.unwrap();
    assert!(ok, "{err}");
    assert!(
        out.contains(&format!("({} new items)", expect["ar-atom"])),
        "{out}"
    );
}

/// A server-sent event: (event, data).
type Sse = (String, Value);

/// Read `/api/events` into a channel of parsed events.
async fn events(base: &str, token: &str) -> tokio::sync::mpsc::UnboundedReceiver<Sse> {
    let resp = reqwest::Client::new()
        .get(format!("{base}/api/events"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut body = resp.bytes_stream();
        let mut buf = String::new();
        while let Some(Ok(chunk)) = body.next().await {
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let block: String = buf.drain(..end + 2).collect();
                let (mut event, mut data) = (String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if event.is_empty() {
                    continue; // a keep-alive comment
                }
                let data = serde_json::from_str(&data).unwrap_or(Value::Null);
                if tx.send((event, data)).is_err() {
                    return;
                }
            }
        }
    });
    rx
}

/// Receive events until `done` says so (given every event so far), within `secs`.
async fn until_events(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Sse>,
    seen: &mut Vec<Sse>,
    secs: u64,
    what: &str,
    done: impl Fn(&[Sse]) -> bool,
) {
    let until = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !done(seen) {
        match tokio::time::timeout_at(until, rx.recv()).await {
            Ok(Some(ev)) => seen.push(ev),
            Ok(None) => panic!("the event stream ended; saw {seen:?}"),
            Err(_) => panic!("timed out waiting for {what}; saw {seen:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs PostgreSQL: scripts/test-postgres.sh starts one and runs these"]
async fn serve_on_postgres_fetches_groups_and_streams_events_with_who_did_what() {
    let pg = fresh_database();
    let editor = add_user(&pg, "maryam", "editor");
    let reader = add_user(&pg, "omid", "reader");
    let (server, expect) = feed_server(&["fa-rss2", "ar-rss2-1256", "not-found"]).await;
    let mut child = Killed(
        parallax()
            .args(["serve", "--pg", &pg, "--listen", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("serve exited").unwrap();
        if let Some(url) = line.strip_prefix("parallax serve: listening on ") {
            break url.to_string();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    let http = reqwest::Client::new();
    assert_eq!(
        http.get(format!("{base}/api/events"))
            .send()
            .await
            .unwrap()
            .status(),
        401,
        "no token, no events"
    );
    let mut rx = events(&base, &reader).await;
    let mut seen = Vec::new();
    until_events(&mut rx, &mut seen, 10, "ready", |s| {
        s.iter().any(|(e, _)| e == "ready")
    })
    .await;

    // A watch on the Persian outlet, by the editor (a reader may not).
    let watch = serde_json::json!({
        "name": "Persian",
        "rule": { "kind": "language", "lang": "fa" }
    });
    let post = |path: &str, token: &str, body: Value| {
        http.post(format!("{base}{path}"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
    };
    assert_eq!(
        post("/api/watches", &reader, watch).await.unwrap().status(),
        403
    );
    // Added by one client (the app's, as the editor), listed by another (the reader's), with
    // who added it: watches are the team's.
    let (w, r) = (
        TeamClient::connect(&base, &editor).await.unwrap(),
        TeamClient::connect(&base, &reader).await.unwrap(),
    );
    let added = w
        .add_watch(&NewWatch {
            name: Some("Persian".into()),
            rule: WatchRule::Language { lang: Lang::Fa },
            backfill: false,
        })
        .await
        .unwrap();
    assert_eq!(added.watch.created_by.as_deref(), Some("maryam"));
    let listed: Vec<(i64, Option<String>)> = r
        .watches()
        .await
        .unwrap()
        .into_iter()
        .map(|w| (w.id, w.created_by))
        .collect();
    assert_eq!(listed, vec![(added.watch.id, Some("maryam".to_string()))]);

    // Sources added by another process: the server fetches, detects, groups, alerts.
    let sources: Vec<Source> = ["fa-rss2", "ar-rss2-1256", "not-found"]
        .iter()
        .map(|n| source(n, server.url(n)))
        .collect();
    let pg2 = pg.clone();
    tokio::task::spawn_blocking(move || pg_engine(&pg2).save_sources(&sources).unwrap())
        .await
        .unwrap();
    let want = (expect["fa-rss2"] + expect["ar-rss2-1256"]) as i64;
    let added_items = |s: &[Sse]| -> i64 {
        s.iter()
            .filter(|(e, _)| e == "items_added")
            .map(|(_, d)| d["count"].as_i64().unwrap_or(0))
            .sum()
    };
    until_events(
        &mut rx,
        &mut seen,
        60,
        "items, stories, an alert and a failing source",
        |s| {
            added_items(s) == want
                && s.iter().any(|(e, _)| e == "stories_updated")
                && s.iter().any(|(e, _)| e == "alerts")
                && s.iter().any(|(e, d)| {
                    e == "source_health"
                        && d["source_id"] == "fx-not-found"
                        && d["outcome"] == "error"
                })
        },
    )
    .await;
    // The server's pipeline raised the watch's alerts; the reader's client lists them.
    let alerts = r.alerts(100).await.unwrap();
    assert!(
        alerts
            .iter()
            .any(|a| a.watch_id == added.watch.id && a.lang == Lang::Fa),
        "{alerts:?}"
    );
    assert!(
        alerts.iter().all(|a| a.lang == Lang::Fa),
        "only Persian items alert: {alerts:?}"
    );
    let pg3 = pg.clone();
    wait_for(30, "every item grouped", move || {
        count(&pg3, "SELECT count(*) FROM story_items") == want
    })
    .await;
    assert_eq!(count(&pg, "SELECT count(*) FROM items"), want);
    assert_eq!(
        count(&pg, "SELECT count(*) FROM items WHERE lang IS NULL"),
        0
    );

    // A correction: the editor moves an item; the audit log names her, and clients hear of it.
    let rows = sql(
        &pg,
        "SELECT a.item_id, b.story_id FROM story_items a JOIN story_items b ON a.story_id <> b.story_id LIMIT 1",
    );
    let (item, to): (i64, i64) = (rows[0].get(0), rows[0].get(1));
    let moved = |token: &str| {
        post(
            &format!("/api/items/{item}/move"),
            token,
            serde_json::json!({ "to": to }),
        )
    };
    assert_eq!(moved(&reader).await.unwrap().status(), 403);
    assert_eq!(moved(&editor).await.unwrap().status(), 204);
    let before = seen.len();
    until_events(
        &mut rx,
        &mut seen,
        20,
        "the moved item's story update",
        |s| {
            s[before..].iter().any(|(e, d)| {
                e == "stories_updated"
                    && d["ids"]
                        .as_array()
                        .is_some_and(|ids| ids.iter().any(|i| i == to))
            })
        },
    )
    .await;
    let audit: Value = http
        .get(format!("{base}/api/audit"))
        .bearer_auth(&reader)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str::<Value>(&t).unwrap())
        .unwrap();
    let audit = audit.as_array().unwrap();
    assert_eq!(audit[0]["user"], "maryam", "{audit:?}");
    assert_eq!(audit[0]["action"], "move");
    assert_eq!(audit[0]["detail"]["item"], item);
    assert_eq!(audit[1]["action"], "add_watch");
    assert_eq!(
        count(
            &pg,
            "SELECT count(*) FROM watches WHERE created_by = 'maryam'"
        ),
        1
    );
    drop(child);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs PostgreSQL: scripts/test-postgres.sh starts one and runs these"]
async fn a_worker_killed_mid_fetch_on_postgres_loses_nothing_and_stores_nothing_twice() {
    let pg = fresh_database();
    let (server, expect) = feed_server(&["fa-rss2", "ar-rss2-1256", "fa-atom"]).await;
    // "held" answers with a feed's first bytes and then one byte a second: the worker that takes
    // it is inside the fetch when it is killed.
    server.set(
        "held",
        Behaviour::SlowDrip {
            every: Duration::from_secs(1),
        },
    );
    let sources: Vec<Source> = ["fa-rss2", "ar-rss2-1256", "held"]
        .iter()
        .map(|n| source(n, server.url(n)))
        .collect();
    let pg2 = pg.clone();
    tokio::task::spawn_blocking(move || pg_engine(&pg2).save_sources(&sources).unwrap())
        .await
        .unwrap();
    let worker = || {
        Killed(
            parallax()
                .args(["serve", "--worker", "--pg", &pg, "--claim-secs", "4"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        )
    };
    let first = (expect["fa-rss2"] + expect["ar-rss2-1256"]) as i64;
    let mut a = worker();
    let pg3 = pg.clone();
    wait_for(
        30,
        "worker A to finish two feeds and hold the third open",
        || {
            server.hits("held").requests == 1
                && count(&pg3, "SELECT count(*) FROM fetch_jobs WHERE done = 1") == 2
        },
    )
    .await;
    assert_eq!(count(&pg, "SELECT count(*) FROM items"), first);
    // SIGKILL: no clean-up of any kind, the claim stays in the table.
    a.0.kill().unwrap();
    a.0.wait().unwrap();
    let held = |col: &str| {
        count(
            &pg,
            &format!("SELECT {col} FROM fetch_jobs WHERE source_id = 'fx-held'"),
        )
    };
    assert_eq!((held("attempts"), held("done")), (1, 0));
    assert_eq!(
        count(
            &pg,
            "SELECT count(*) FROM fetch_jobs WHERE claimed_by IS NOT NULL"
        ),
        1,
        "only the held feed is still claimed"
    );

    // The feed now answers; a second worker takes the dead worker's feed once its claim runs out.
    let atom = catalogue(&Corpus::fixtures(400))
        .into_iter()
        .find(|f| f.name == "fa-atom")
        .unwrap()
        .behaviour;
    server.set("held", atom);
    let b = worker();
    let all = first + expect["fa-atom"] as i64;
    let pg4 = pg.clone();
    wait_for(30, "worker B to fetch the dead worker's feed", || {
        count(&pg4, "SELECT count(*) FROM items") == all
    })
    .await;
    let pg5 = pg.clone();
    wait_for(10, "worker B to hand the feed back", || {
        count(
            &pg5,
            "SELECT count(*) FROM fetch_jobs WHERE source_id = 'fx-held' AND done = 1",
        ) == 1
    })
    .await;
    drop(b);
    assert_eq!(held("attempts"), 2, "retried once");
    assert_eq!(
        count(
            &pg,
            "SELECT count(*) FROM fetch_jobs WHERE claimed_by IS NOT NULL"
        ),
        0
    );
    // Nothing twice: one row per (source, guid) and per URL; the finished feeds were not fetched
    // again (they are due in 15 minutes).
    assert_eq!(
        count(&pg, "SELECT count(DISTINCT (source_id, guid)) FROM items"),
        all
    );
    assert_eq!(
        count(&pg, "SELECT count(DISTINCT url) FROM items"),
        count(&pg, "SELECT count(url) FROM items")
    );
    assert_eq!(server.hits("fa-rss2").requests, 1);
    assert_eq!(server.hits("ar-rss2-1256").requests, 1);
    assert_eq!(server.hits("held").requests, 2);
}

/// A committed article page (`tests/fixtures/articles/NAME.html`) and its gold text.
fn article_page(name: &str) -> (String, String) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/articles");
    (
        std::fs::read_to_string(dir.join(format!("{name}.html"))).unwrap(),
        std::fs::read_to_string(dir.join(format!("{name}.gold.txt"))).unwrap(),
    )
}

fn html_page(body: String) -> Behaviour {
    Behaviour::Feed(support::server::StaticFeed::new(
        body,
        "text/html; charset=utf-8",
    ))
}

/// A fixture site for full text: robots.txt, three real article pages under `news/`, a page
/// that is gone (`gone`), and `feed.xml`, a headline-only RSS feed (a title and a link per
/// entry) of all four. Returns the server and the entries' (title, path).
async fn article_site() -> (FixtureServer, Vec<(String, String)>) {
    use support::render::{Channel, DateSpec, Entry, Format, render};
    let names = ["en-3-portal", "fa-1-news", "ar-2-wiki"];
    let mut routes: Vec<(String, Behaviour)> = vec![(
        "robots.txt".into(),
        Behaviour::Feed(support::server::StaticFeed::new(
            "User-agent: *\nDisallow: /private/\n",
            "text/plain",
        )),
    )];
    for n in names {
        routes.push((format!("news/{n}"), html_page(article_page(n).0)));
    }
    routes.push((
        "gone".into(),
        Behaviour::Status {
            code: 410,
            retry_after: None,
        },
    ));
    let server = FixtureServer::start(routes).await.unwrap();
    let mut entries: Vec<(String, String)> = names
        .iter()
        .map(|n| (format!("Headline of {n}"), format!("news/{n}")))
        .collect();
    entries.push(("A page that is gone".into(), "gone".into()));
    let base = chrono::DateTime::parse_from_rfc3339("2019-05-14T09:30:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let rendered: Vec<Entry> = entries
        .iter()
        .enumerate()
        .map(|(i, (title, path))| Entry {
            guid: Some(server.url(path)),
            link: Some(server.url(path)),
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
            lang: "en".into(),
            xml_encoding: Some("UTF-8".into()),
            ttl_minutes: None,
        },
        &rendered,
    );
    server.set(
        "feed.xml",
        Behaviour::Feed(support::server::StaticFeed::new(
            body,
            Format::Rss2.content_type(),
        )),
    );
    (server, entries)
}

/// The fixture site's headline-only feed as source `fx-headlines` (its language left to detect).
fn headline_source(feed: String) -> Source {
    Source {
        language: Lang::Und,
        ..source("headlines", feed)
    }
}

/// A response's JSON body.
async fn json(r: reqwest::Response) -> Value {
    let text = r.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// A word of the item's lead (its article's first sentences) that its headline lacks.
fn lead_word(lead: &str, title: &str) -> String {
    lead.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .find(|w| w.chars().count() > 6 && !title.contains(w))
        .expect("a lead word not in the title")
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs PostgreSQL: scripts/test-postgres.sh starts one and runs these"]
async fn articles_on_postgres_are_stored_shown_and_found() {
    use parallax::store::{FulltextState, ItemQuery};
    let pg = fresh_database();
    let (server, _) = article_site().await;
    let pg2 = pg.clone();
    let feed = server.url("feed.xml");
    let engine = tokio::task::spawn_blocking(move || {
        let e = pg_engine(&pg2);
        e.save_sources(&[headline_source(feed)]).unwrap();
        e
    })
    .await
    .unwrap();
    let summary = engine.refresh(None, true).await.unwrap();
    assert_eq!(summary.items_new(), 4, "{summary:?}");
    // Auto mode: the feed gives only headlines, so its articles are fetched.
    assert!(engine.source_fulltext("fx-headlines").unwrap().enabled);
    let items = engine.list_items(&ItemQuery::default()).unwrap();
    let id_of = |path: &str| {
        let url = server.url(path);
        items
            .iter()
            .find(|i| i.item.url.as_deref() == Some(url.as_str()))
            .unwrap_or_else(|| panic!("item for {path}"))
            .id
    };
    for n in ["en-3-portal", "fa-1-news", "ar-2-wiki"] {
        let d = engine.item_detail(id_of(&format!("news/{n}"))).unwrap();
        let Some(FulltextState::Text { text, lead }) = d.fulltext.as_ref().map(|f| &f.state) else {
            panic!("{n}: {:?}", d.fulltext)
        };
        let gold_start: String = article_page(n).1.chars().take(40).collect();
        assert!(text.contains(&gold_start), "{n}: {text}");
        // The feed gave no text: the lead is what grouping and search use, on PostgreSQL too.
        assert!(!lead.is_empty());
        assert_eq!(d.item.body_text(), lead);
        assert!(d.item.lang.is_some(), "{n}: language detected");
        assert!(engine.explain_item(d.item.id).is_ok(), "{n}: grouped");
    }
    let gone = engine.item_detail(id_of("gone")).unwrap();
    let Some(FulltextState::Error { message, .. }) = gone.fulltext.as_ref().map(|f| &f.state)
    else {
        panic!("gone: {:?}", gone.fulltext)
    };
    assert!(message.contains("410"), "{message}");
    assert!(engine.explain_item(gone.item.id).is_ok(), "gone: grouped");

    // Search finds the English article by a word of its lead that its headline lacks.
    let en = engine.item_detail(id_of("news/en-3-portal")).unwrap();
    let word = lead_word(en.item.body_text(), &en.item.item.title);
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
    // A second refresh fetches no page again.
    engine.refresh(None, true).await.unwrap();
    assert_eq!(server.hits("news/en-3-portal").requests, 1);
    tokio::task::spawn_blocking(move || drop(engine))
        .await
        .unwrap();

    // The command line on the team archive shows the text and the per-item error.
    let cli = |args: &[&str]| {
        let out = parallax().arg("--pg").arg(&pg).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let fa = id_of("news/fa-1-news");
    let out = cli(&["items", "show", &fa.to_string()]);
    let gold_start: String = article_page("fa-1-news").1.chars().take(40).collect();
    assert!(out.contains(&gold_start), "{out}");
    let out = cli(&["items", "show", &id_of("gone").to_string()]);
    assert!(out.contains("Full text: failed"), "{out}");
    let out = cli(&["items", "--limit", "100"]);
    assert_eq!(out.matches("[full text]").count(), 3, "{out}");
    assert_eq!(out.matches("[full text failed]").count(), 1, "{out}");
    let out = cli(&["sources", "fulltext", "fx-headlines", "off"]);
    assert!(out.contains("full text off"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs PostgreSQL: scripts/test-postgres.sh starts one and runs these"]
async fn serve_on_postgres_fetches_articles_before_grouping_and_serves_them() {
    let pg = fresh_database();
    let editor = add_user(&pg, "maryam", "editor");
    let reader = add_user(&pg, "omid", "reader");
    let (server, _) = article_site().await;
    let mut child = Killed(
        parallax()
            .args(["serve", "--pg", &pg, "--listen", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("serve exited").unwrap();
        if let Some(url) = line.strip_prefix("parallax serve: listening on ") {
            break url.to_string();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    let pg2 = pg.clone();
    let feed = server.url("feed.xml");
    tokio::task::spawn_blocking(move || {
        pg_engine(&pg2)
            .save_sources(&[headline_source(feed)])
            .unwrap()
    })
    .await
    .unwrap();
    let pg3 = pg.clone();
    wait_for(60, "every item grouped", move || {
        count(&pg3, "SELECT count(*) FROM story_items") == 4
    })
    .await;
    // Each article was tried before its item was grouped (both times are whole seconds).
    assert_eq!(
        count(
            &pg,
            "SELECT count(*) FROM story_items si JOIN item_fulltext f USING (item_id)
             WHERE f.fetched_at <= si.assigned_at"
        ),
        4
    );
    assert_eq!(
        count(
            &pg,
            "SELECT count(*) FROM item_fulltext WHERE text IS NOT NULL"
        ),
        3
    );
    let en_url = server.url("news/en-3-portal");
    let rows = sql(
        &pg,
        &format!("SELECT id, title FROM items WHERE url = '{en_url}'"),
    );
    let (en, title): (i64, String) = (rows[0].get(0), rows[0].get(1));

    let http = reqwest::Client::new();
    let get = |path: String| {
        http.get(format!("{base}{path}"))
            .bearer_auth(&reader)
            .send()
    };
    let v = json(get(format!("/api/items/{en}/article")).await.unwrap()).await;
    assert_eq!(v["article"]["status"], "text", "{v}");
    let text = v["article"]["text"].as_str().unwrap().to_string();
    let gold_start: String = article_page("en-3-portal").1.chars().take(40).collect();
    assert!(text.contains(&gold_start), "{text}");
    let lead: String = sql(
        &pg,
        &format!("SELECT lead FROM item_fulltext WHERE item_id = {en}"),
    )[0]
    .get(0);
    let word = lead_word(&lead, &title);
    let found = json(get(format!("/api/search?q={word}")).await.unwrap()).await;
    let hit = found.as_array().unwrap().iter().any(|g| {
        g["hits"]
            .as_array()
            .is_some_and(|hits| hits.iter().any(|h| h["item"]["id"] == en))
    });
    assert!(hit, "search for {word:?}: {found}");
    let v = json(get(format!("/api/articles?ids={en}")).await.unwrap()).await;
    assert_eq!(v, serde_json::json!([{ "item_id": en, "status": "text" }]));

    // Fetching again: editors only; the page answers 304 and the text stays.
    let fetch = |token: &str| {
        http.post(format!("{base}/api/items/{en}/article/fetch"))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(fetch(&reader).await.unwrap().status(), 403);
    let r = fetch(&editor).await.unwrap();
    assert_eq!(r.status(), 200);
    let v = json(r).await;
    assert_eq!(v["article"]["status"], "text", "{v}");
    assert_eq!(server.hits("news/en-3-portal").requests, 2);
}
