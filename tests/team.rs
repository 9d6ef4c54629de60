//! Team mode end to end on a real PostgreSQL: `parallax users add` prints tokens, the demo
//! archive goes through the whole engine (store, language detection, grouping) into PostgreSQL,
//! and `parallax serve` answers over HTTP with tokens checked: no token, a reader, an editor.
//!
//! Needs a server: `scripts/test-postgres.sh` starts a throwaway one and runs these ignored tests
//! (their names contain "postgres").

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use parallax::api::{Engine, EngineConfig};
use serde_json::Value;

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
        .args(["serve", "--pg", pg, "--listen", "127.0.0.1:0"])
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

    let list: Value = get("/api/stories?limit=500", Some(&reader))
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

#[test]
#[ignore = "needs PostgreSQL: scripts/test-postgres.sh starts one and runs these"]
fn fetch_on_postgres_is_refused_clearly() {
    let pg = fresh_database();
    let out = parallax().args(["--pg", &pg, "fetch"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("do not work on a PostgreSQL archive yet"),
        "{err}"
    );
}
