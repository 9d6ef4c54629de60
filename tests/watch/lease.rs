//! One archive, two processes: only the grouping lease holder groups; a holder killed with
//! SIGKILL is taken over; items stored by a process without the lease wait for the holder.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use parallax::api::{Engine, EngineConfig};
use parallax::model::Lang;

use crate::support::server::FixtureServer;
use crate::{demo_rows, feed, open_engine, source};

fn parallax(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_parallax"));
    c.args(crate::support::backend::cli_archive_args(db))
        .env("PARALLAX_MODEL", db.with_extension("no-model"));
    c
}

fn counts(db: &Path) -> (i64, i64, i64) {
    let c = open_engine(db).archive_counts().unwrap();
    (c.items, c.grouped, c.stories)
}

/// An archive (`name` in `dir`) holding the demo's 503 real items, stored by an engine that did
/// not hold the grouping lease (this test process held it): stored, none grouped.
fn stored_not_grouped(dir: &Path, name: &str) -> PathBuf {
    let db = dir.join(name);
    // Another engine of this process holds the lease, as another app would.
    let blocker = open_engine(&db);
    assert!(blocker.hold_grouping_lease().unwrap());
    {
        let e = Engine::open(EngineConfig {
            seed_catalog: false,
            model_path: Some(dir.join("no-model.bin")),
            ..crate::support::backend::engine_config(&db)
        })
        .unwrap();
        let r = e.load_demo_archive(None).unwrap();
        assert_eq!((r.new_items, r.stories), (503, 0), "left to the holder");
    }
    // Dropping the holder hands the lease back.
    drop(blocker);
    db
}

#[test]
fn two_processes_group_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = stored_not_grouped(dir.path(), "a.db");
    // The same archive again, grouped by one process.
    let alone = stored_not_grouped(dir.path(), "alone.db");

    let out = parallax(&alone).arg("group").output().unwrap();
    assert!(out.status.success());
    let (items, grouped, stories_alone) = counts(&alone);
    assert_eq!((items, grouped), (503, 503));

    // Two `parallax group` at once on one archive, as the issue saw with two groupers.
    let a = parallax(&db)
        .arg("group")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let b = parallax(&db)
        .arg("group")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success() && b.status.success());
    let said = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).into_owned();
    let n = |s: &str| -> usize {
        s.lines()
            .find_map(|l| {
                l.strip_prefix("grouped ")?
                    .strip_suffix(" items")?
                    .parse()
                    .ok()
            })
            .unwrap()
    };
    assert_eq!(
        n(&said(&a)) + n(&said(&b)),
        503,
        "{}\n{}",
        said(&a),
        said(&b)
    );
    let (items, grouped, stories) = counts(&db);
    assert_eq!((items, grouped), (503, 503));
    assert_eq!(
        stories, stories_alone,
        "the same stories as one process makes"
    );
    assert!(
        open_engine(&db).grouping_lease().unwrap().is_none(),
        "released on exit"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_holder_killed_with_sigkill_is_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let db = stored_not_grouped(dir.path(), "a.db");
    let rows = demo_rows();
    let fa: Vec<crate::Row> = rows
        .iter()
        .filter(|r| r.lang == "fa")
        .take(10)
        .cloned()
        .collect();
    let server = FixtureServer::start([("fa".to_string(), feed("fa", &fa))])
        .await
        .unwrap();
    open_engine(&db)
        .save_sources(&[source("itn-fa-live", Lang::Fa, server.url("fa"))])
        .unwrap();

    // `parallax watch` refreshes, takes the lease and groups; kill -9 it while it holds it.
    let mut child = parallax(&db)
        .arg("watch")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let holder = open_engine(&db).grouping_lease().unwrap();
        if holder.is_some_and(|l| l.pid == pid) {
            break;
        }
        assert!(Instant::now() < deadline, "watch never took the lease");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL: no clean-up runs
    child.wait().unwrap();
    let held = open_engine(&db).grouping_lease().unwrap().unwrap();
    assert_eq!(held.pid, pid, "a killed holder leaves its lease behind");

    // A process without the lease stores and leaves: the dead holder's lease is taken over.
    let out = parallax(&db).arg("group").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (items, grouped, _) = counts(&db);
    assert!(items >= 503);
    assert_eq!(grouped, items, "nothing lost: every item grouped once");
    assert!(open_engine(&db).grouping_lease().unwrap().is_none());
}

#[test]
fn a_live_holder_keeps_the_lease_and_others_leave_items_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = stored_not_grouped(dir.path(), "a.db");
    // This test process holds the lease through an engine, as the app would.
    let owner = Engine::open(EngineConfig {
        seed_catalog: false,
        model_path: Some(dir.path().join("no-model.bin")),
        ..crate::support::backend::engine_config(&db)
    })
    .unwrap();
    assert!(owner.hold_grouping_lease().unwrap());
    let out = parallax(&db).arg("group").output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(said.contains("grouped 0 items"), "{said}");
    assert!(
        said.contains(&format!("process {} on", std::process::id())),
        "{said}"
    );
    let refused = parallax(&db).args(["group", "--all"]).output().unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("groups this archive now"));
    // The owner groups what the other left.
    assert_eq!(owner.group_pending().unwrap(), 503);
    assert_eq!(counts(&db).1, 503);
}
