//! `parallax fetch` end to end: the binary against the fixture server and a real archive file.

use crate::ingest::{Bed, bed};
use parallax::api::{Engine, EngineConfig};
use parallax::model::Source;
use std::process::Command;

fn fetch(db: &std::path::Path, extra: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_parallax"))
        .args(crate::support::backend::cli_archive_args(db))
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
    let chosen: Vec<Source> = bed
        .sources
        .iter()
        .filter(|s| ids.contains(&s.id.as_str()))
        .cloned()
        .collect();
    engine(&path).save_sources(&chosen).unwrap();
    path
}

/// The archive as another process sees it (no catalog, no model).
fn engine(db: &std::path::Path) -> Engine {
    Engine::open(EngineConfig {
        seed_catalog: false,
        model_path: Some(db.with_extension("no-model")),
        ..crate::support::backend::engine_config(db)
    })
    .unwrap()
}

fn sources(e: &Engine) -> Vec<Source> {
    e.list_sources()
        .unwrap()
        .into_iter()
        .map(|v| v.source)
        .collect()
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

/// `parallax fetch` as a process whose files may not grow past `limit` bytes (RLIMIT_FSIZE): the
/// way a full disk refuses writes, without a special filesystem.
#[cfg(target_os = "linux")]
fn fetch_with_file_limit(db: &std::path::Path, limit: u64) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_parallax"));
    cmd.arg("--db").arg(db).arg("fetch"); // sqlite_only: the limit is on the archive file
    // SAFETY: only async-signal-safe calls (setrlimit, signal) run between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // A write past the limit then fails with EFBIG instead of killing the process.
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    cmd.output().expect("run parallax")
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_fails_clearly_keeps_the_archive_and_the_next_run_resumes_sqlite_only() {
    let bed = bed().await;
    let dir = tempfile::tempdir().unwrap();
    let ids = ["fx-fa-rss2", "fx-ar-rss2", "fx-en-rdf"];
    let db = archive(&bed, &dir, &ids);
    let sources = sources(&engine(&db));
    assert_eq!(sources.len(), 3);

    // The write-ahead log may not pass 48 KiB: the first writes fail as on a full disk.
    let db2 = db.clone();
    let out = tokio::task::spawn_blocking(move || fetch_with_file_limit(&db2, 48 * 1024))
        .await
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.code().is_some(), "killed by a signal: {text}");
    assert!(
        text.contains("the disk is full or the file may not grow"),
        "{text}"
    );

    // Intact: a clean integrity check, the sources as they were, whatever was stored complete.
    let e = engine(&db);
    assert!(e.check_integrity().unwrap().is_empty());
    assert_eq!(self::sources(&e), sources);
    let kept = e.archive_counts().unwrap().items;
    assert!(kept < 36, "the limit stopped nothing: {kept} items");
    drop(e);

    // With room again, the next run stores the rest.
    let db2 = db.clone();
    let (out, _) = tokio::task::spawn_blocking(move || fetch(&db2, &[]))
        .await
        .unwrap();
    assert!(out.contains(&format!("({} new items)", 36 - kept)), "{out}");
    assert_eq!(engine(&db).archive_counts().unwrap().items, 36);
}
