//! The `parallax` binary: watchlist, aliases, alerts, refusals, and `parallax watch` printing
//! alerts as JSON lines while it refreshes from the fixture feed server.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use parallax::model::Lang;
use tokio::io::AsyncBufReadExt;

use crate::support::server::FixtureServer;
use crate::{demo_rows, feed, open_engine, rows_mentioning, source};

/// The binary on `db`, grouping by words and names (no model: fast, and not what is tested).
fn parallax(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_parallax"));
    c.args(crate::support::backend::cli_archive_args(db))
        .env("PARALLAX_MODEL", db.with_extension("no-model"));
    c
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn run(db: &Path, args: &[&str]) -> String {
    ok(parallax(db).args(args).output().unwrap())
}

#[test]
fn watchlist_aliases_and_alerts_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    run(&db, &["demo"]);

    // A one-letter term is refused, with the reason, and nothing is added.
    let bad = parallax(&db)
        .args(["watchlist", "add", "a"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("too short"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(run(&db, &["watchlist", "list"]).contains("no watches"));

    // "Mahsa Amini" reaches the Persian spelling only through the alias list.
    let out = run(
        &db,
        &["watchlist", "alias", "add", "Mahsa Amini", "مهسا امینی"],
    );
    assert!(out.contains("Mahsa Amini = مهسا امینی"), "{out}");
    let out = run(&db, &["watchlist", "add", "Mahsa Amini"]);
    assert!(out.contains("watch 1: Mahsa Amini"), "{out}");

    let rows = demo_rows();
    let expected = rows_mentioning(&rows, &["Mahsa Amini", "مهسا امینی"]);
    assert!(expected.iter().any(|r| r.lang == "fa"));
    let out = run(&db, &["alerts", "--json"]);
    let alerts: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert!(!alerts.is_empty());
    let matches: u64 = alerts.iter().map(|a| a["matches"].as_u64().unwrap()).sum();
    assert_eq!(matches as usize, expected.len());
    assert!(
        alerts
            .iter()
            .any(|a| a["reason"] == "Mahsa Amini (مهسا امینی)"),
        "{out}"
    );
    assert!(run(&db, &["alerts"]).contains("[Mahsa Amini]"));
    assert!(run(&db, &["alerts", "--since", "1h"]).contains("Mahsa Amini"));
    assert!(run(&db, &["alerts", "--since", "2099-01-01"]).contains("no alerts"));

    // Seen state lives in the archive: one alert marked seen leaves the others unseen, for
    // every later process; an unknown id is refused; `--all` clears the rest.
    let unseen = |db: &Path| -> Vec<serde_json::Value> {
        run(db, &["alerts", "--unseen", "--json"])
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect()
    };
    assert_eq!(unseen(&db).len(), alerts.len());
    assert!(alerts.iter().all(|a| a["seen"] == false));
    let first = alerts[0]["id"].as_i64().unwrap();
    let out = run(&db, &["alerts", "seen", &first.to_string()]);
    assert!(out.contains("1 alert(s) marked seen"), "{out}");
    let left = unseen(&db);
    assert_eq!(left.len(), alerts.len() - 1);
    assert!(left.iter().all(|a| a["id"] != first));
    let bad = parallax(&db)
        .args(["alerts", "seen", "999999"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("alert 999999 not found"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    run(&db, &["alerts", "seen", "--all"]);
    assert!(unseen(&db).is_empty());
    assert!(run(&db, &["alerts", "--unseen"]).contains("no unseen alerts"));
    assert_eq!(
        run(&db, &["alerts", "--json"]).lines().count(),
        alerts.len()
    );

    let out = run(&db, &["watchlist", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list[0]["rule"]["kind"], "terms");
    run(&db, &["watchlist", "remove", "1"]);
    assert!(run(&db, &["alerts"]).contains("no alerts"));
}

#[tokio::test(flavor = "multi_thread")]
async fn parallax_watch_prints_alerts_as_json_lines() {
    let rows = demo_rows();
    let mut items: Vec<crate::Row> = rows
        .iter()
        .filter(|r| r.lang == "fa")
        .take(8)
        .cloned()
        .collect();
    items.extend(rows_mentioning(&rows, &["پوتین"]));
    let server = FixtureServer::start([("fa".to_string(), feed("fa", &items))])
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    open_engine(&db)
        .save_sources(&[source("itn-fa", Lang::Fa, server.url("fa"))])
        .unwrap();
    run(&db, &["watchlist", "add", "Putin", "--no-backfill"]);

    let mut child = tokio::process::Command::from(parallax(&db))
        .arg("watch")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(120), lines.next_line())
        .await
        .expect("an alert within two minutes")
        .unwrap()
        .expect("a line");
    child.kill().await.unwrap();
    let alert: serde_json::Value = serde_json::from_str(&line).expect("stdout is JSON lines");
    assert_eq!(alert["reason"], "Putin");
    assert!(alert["title"].as_str().unwrap().contains("پوتین"));
    // Claimed by that process: nobody announces it again.
    let out = run(&db, &["alerts", "--json"]);
    let stored: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(stored["delivered"], true);
}
