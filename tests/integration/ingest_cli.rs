//! `parallax fetch` end to end: the binary against the fixture server and a real archive file.

use crate::ingest::{Bed, bed};
use parallax::model::Source;
use parallax::store::Store;
use std::process::Command;

fn fetch(db: &std::path::Path, extra: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_parallax"))
        .arg("--db")
        .arg(db)
        .arg("fetch")
        .args(extra)
        .output()
        .expect("run parallax");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn archive(bed: &Bed, dir: &tempfile::TempDir, ids: &[&str]) -> std::path::PathBuf {
    let path = dir.path().join("cli.db");
    let store = Store::open(&path).unwrap();
    let chosen: Vec<&Source> = bed
        .sources
        .iter()
        .filter(|s| ids.contains(&s.id.as_str()))
        .collect();
    for s in chosen {
        store.upsert_source(s).unwrap();
    }
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn parallax_fetch_reports_updates_failures_and_then_304s() {
    let bed = bed().await;
    let dir = tempfile::tempdir().unwrap();
    let db = archive(
        &bed,
        &dir,
        &["fx-fa-rss2", "fx-ar-rss2-1256", "fx-not-found"],
    );
    let db2 = db.clone();
    let (out, err) = tokio::task::spawn_blocking(move || fetch(&db2, &[]))
        .await
        .unwrap();
    assert!(
        out.contains("3 feeds in")
            && out.contains("2 updated (24 new items), 0 not modified, 1 failed, 0 backing off"),
        "{out}"
    );
    assert!(
        err.contains("fx-not-found") && err.contains("fetch: HTTP 404"),
        "{err}"
    );
    let db2 = db.clone();
    let (out, _) = tokio::task::spawn_blocking(move || fetch(&db2, &[]))
        .await
        .unwrap();
    assert!(
        out.contains("0 updated (0 new items), 2 not modified, 0 failed, 1 backing off"),
        "{out}"
    );
    // Naming a source fetches it even while it backs off.
    let (out, err) = tokio::task::spawn_blocking(move || fetch(&db, &["--source", "fx-not-found"]))
        .await
        .unwrap();
    assert!(
        out.contains("1 feeds in") && out.contains("1 failed"),
        "{out}"
    );
    assert!(err.contains("HTTP 404"));
    assert_eq!(bed.server.hits("not-found").requests, 2);
}
