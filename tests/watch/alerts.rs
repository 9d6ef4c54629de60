//! The engine: alerts as items arrive through the fixture feed server, once per story; a new
//! watch run over the stored archive; story rules; quiet hours; bad watches; restarts.

use std::collections::BTreeSet;

use parallax::api::{Change, Engine, EngineConfig, NewWatch, Settings};
use parallax::error::Code;
use parallax::model::Lang;
use parallax::watch::{QuietHours, WatchRule};

use crate::support::server::FixtureServer;
use crate::{demo_rows, feed, rows_mentioning, source};

const PUTIN: &[&str] = &["Putin", "بوتين", "پوتین"];
const SUNAK: &[&str] = &["Sunak", "سوناك", "سوناک"];

/// An engine on a fresh archive. Grouping by words and names only (no model): these tests are
/// about watches, and the demo's 503 items then group in a second.
fn engine(dir: &tempfile::TempDir) -> Engine {
    Engine::open(EngineConfig {
        seed_catalog: false,
        model_path: Some(dir.path().join("no-model.bin")),
        ..crate::support::backend::engine_config(&dir.path().join("archive.db"))
    })
    .unwrap()
}

fn terms(t: &[&str]) -> NewWatch {
    NewWatch {
        name: None,
        rule: WatchRule::Terms {
            terms: t.iter().map(|s| s.to_string()).collect(),
        },
        backfill: false,
    }
}

/// The stories the given demo items are in now.
fn stories_of(e: &Engine, guids: &[String]) -> BTreeSet<i64> {
    let ids: Vec<i64> = e
        .list_items(&parallax::store::ItemQuery::default())
        .unwrap()
        .into_iter()
        .filter(|i| guids.iter().any(|g| i.item.guid.ends_with(g.as_str())))
        .map(|i| i.id)
        .collect();
    assert_eq!(ids.len(), guids.len(), "every item stored");
    ids.iter().map(|&i| e.explain_item(i).unwrap().0).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn alerts_follow_items_through_refreshes_once_per_story() {
    let rows = demo_rows();
    let putin = rows_mentioning(&rows, PUTIN);
    assert_eq!(putin.len(), 6, "2 en, 3 ar, 1 fa items name Putin");
    let others = |lang: &str| -> Vec<crate::Row> {
        rows.iter()
            .filter(|r| r.lang == lang && !putin.iter().any(|p| p.id == r.id))
            .take(12)
            .cloned()
            .collect()
    };
    let with = |lang: &str, n: usize| -> Vec<crate::Row> {
        let mut v = others(lang);
        v.extend(putin.iter().filter(|r| r.lang == lang).take(n).cloned());
        v
    };
    // First round: one English Putin item among others; the Arabic and Persian ones come later.
    let server = FixtureServer::start([
        ("en".to_string(), feed("en", &with("en", 1))),
        ("ar".to_string(), feed("ar", &with("ar", 0))),
        ("fa".to_string(), feed("fa", &with("fa", 0))),
    ])
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let e = engine(&dir);
    e.save_sources(&[
        source("itn-en", Lang::En, server.url("en")),
        source("itn-ar", Lang::Ar, server.url("ar")),
        source("itn-fa", Lang::Fa, server.url("fa")),
    ])
    .unwrap();
    let w = e.add_watch(&terms(&["Putin"])).unwrap().watch;
    assert_eq!(w.name, "Putin");
    let mut events = e.subscribe();

    e.refresh(None, true).await.unwrap();
    let first = e.alerts(None, 100).unwrap();
    assert_eq!(first.len(), 1, "{first:#?}");
    assert!(first[0].title.contains("Putin") && first[0].reason == "Putin");
    assert_eq!(first[0].matches, 1);

    for lang in ["en", "ar", "fa"] {
        server.set(lang, feed(lang, &with(lang, 3)));
    }
    e.refresh(None, true).await.unwrap();

    let alerts = e.alerts(None, 100).unwrap();
    let guids: Vec<String> = putin.iter().map(|r| r.id.clone()).collect();
    let expected = stories_of(&e, &guids);
    let alerted: BTreeSet<i64> = alerts.iter().map(|a| a.story_id).collect();
    assert_eq!(
        alerted, expected,
        "one alert per story holding a Putin item"
    );
    assert_eq!(
        alerts.len(),
        expected.len(),
        "never two alerts for one story"
    );
    // Every Putin item, in all three scripts, counted once in its story's alert.
    assert_eq!(alerts.iter().map(|a| a.matches).sum::<u32>(), 6);
    let langs: BTreeSet<String> = alerts
        .iter()
        .flat_map(|a| a.story_languages.iter().map(|l| l.code().to_string()))
        .collect();
    assert!(langs.contains("ar") && langs.contains("fa"), "{langs:?}");

    // The events announced each alert once.
    let mut raised = Vec::new();
    while let Ok(ev) = events.try_recv() {
        if let Change::AlertsRaised { ids } = ev {
            raised.extend(ids);
        }
    }
    raised.sort_unstable();
    let mut ids: Vec<i64> = alerts.iter().map(|a| a.id).collect();
    ids.sort_unstable();
    assert_eq!(raised, ids);

    // Delivery is a claim: once.
    assert_eq!(e.take_due_alerts().unwrap().len(), alerts.len());
    assert!(e.take_due_alerts().unwrap().is_empty());

    // A third refresh with nothing new changes nothing.
    e.refresh(None, true).await.unwrap();
    assert_eq!(e.alerts(None, 100).unwrap(), {
        let mut a = alerts.clone();
        a.iter_mut().for_each(|x| x.delivered = true);
        a
    });
}

#[test]
fn new_watch_runs_over_the_stored_archive_without_announcing() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(&dir);
    e.load_demo_archive(None).unwrap();
    let rows = demo_rows();
    let sunak: Vec<String> = rows_mentioning(&rows, SUNAK)
        .iter()
        .map(|r| r.id.clone())
        .collect();
    assert_eq!(sunak.len(), 5);
    let added = e
        .add_watch(&NewWatch {
            backfill: true,
            ..terms(&["sunak"])
        })
        .unwrap();
    let expected = stories_of(&e, &sunak);
    assert_eq!(added.backfilled as usize, expected.len());
    let alerts = e.alerts(None, 100).unwrap();
    assert_eq!(
        alerts.iter().map(|a| a.story_id).collect::<BTreeSet<_>>(),
        expected
    );
    assert_eq!(alerts.iter().map(|a| a.matches).sum::<u32>(), 5);
    assert!(
        alerts.iter().all(|a| a.delivered),
        "history is not announced"
    );
    assert!(e.take_due_alerts().unwrap().is_empty());
    // Two alerted stories merged by hand: still one alert per story, counting every item.
    let ids: Vec<i64> = expected.iter().copied().collect();
    assert!(ids.len() >= 2, "{ids:?}");
    e.merge_stories(ids[0], ids[1]).unwrap();
    let merged = e.alerts(None, 100).unwrap();
    assert_eq!(merged.len(), expected.len() - 1);
    assert_eq!(merged.iter().map(|a| a.matches).sum::<u32>(), 5);
    // The merged story's alert, marked seen, is seen as a whole: both alerts behind it are, and
    // the unseen count (one per watch and story) agrees with the list.
    assert_eq!(e.unseen_alert_count().unwrap() as usize, merged.len());
    let shown = merged.iter().find(|a| a.story_id == ids[0]).unwrap();
    let report = e.mark_alert_seen(shown.id).unwrap();
    assert_eq!(report.marked, 2, "both alerts of the merged story");
    assert_eq!(report.unseen as usize, merged.len() - 1);
    let after = e.alerts(None, 100).unwrap();
    assert!(after.iter().find(|a| a.story_id == ids[0]).unwrap().seen);
    assert_eq!(
        e.unseen_alerts(None, 100).unwrap().len(),
        merged.len() - 1,
        "only the others are unseen"
    );
    let expected = stories_of(&e, &sunak);

    // Story rule over the archive: exactly the stories the Persian outlet reported first.
    let fa = e
        .list_sources()
        .unwrap()
        .into_iter()
        .find(|s| s.source.language == Lang::Fa)
        .unwrap()
        .source
        .id;
    let added = e
        .add_watch(&NewWatch {
            name: Some("Persian first".into()),
            rule: WatchRule::StoryFirstReportedBy { source: fa.clone() },
            backfill: true,
        })
        .unwrap();
    let three: BTreeSet<i64> = e
        .list_stories(&parallax::store::StoryFilter {
            limit: Some(10_000),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .filter(|s| s.first_source.as_ref().is_some_and(|f| f.id == fa))
        .map(|s| s.id)
        .collect();
    assert!(!three.is_empty());
    assert_eq!(added.backfilled as usize, three.len());
    let rule_alerts: BTreeSet<i64> = e
        .alerts(None, 1000)
        .unwrap()
        .into_iter()
        .filter(|a| a.watch_id == added.watch.id)
        .map(|a| a.story_id)
        .collect();
    assert_eq!(rule_alerts, three);

    // Watches and alerts live in the archive.
    let before = e.alerts(None, 1000).unwrap();
    drop(e);
    let e = engine(&dir);
    assert_eq!(e.watches().unwrap().len(), 2);
    assert_eq!(e.alerts(None, 1000).unwrap(), before);
    // Removing a watch removes its alerts.
    e.remove_watch(added.watch.id).unwrap();
    assert_eq!(e.alerts(None, 1000).unwrap().len(), expected.len());
}

#[test]
fn quiet_hours_hold_alerts_until_they_end() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(&dir);
    let now = chrono::Local::now();
    let hm = |t: chrono::DateTime<chrono::Local>| t.format("%H:%M").to_string();
    e.update_settings(&Settings {
        quiet_hours: Some(QuietHours {
            start: hm(now - chrono::Duration::hours(1)),
            end: hm(now + chrono::Duration::hours(1)),
        }),
        ..Settings::default()
    })
    .unwrap();
    e.add_watch(&terms(&["Bolsonaro"])).unwrap();
    e.load_demo_archive(None).unwrap();
    let alerts = e.alerts(None, 100).unwrap();
    assert!(!alerts.is_empty());
    assert!(alerts.iter().all(|a| !a.delivered));
    assert!(
        alerts
            .iter()
            .all(|a| a.due_at > chrono::Utc::now() + chrono::Duration::minutes(50)),
        "held until the quiet period ends"
    );
    assert!(e.take_due_alerts().unwrap().is_empty(), "quiet now");
}

#[test]
fn bad_watches_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(&dir);
    for (w, says) in [
        (terms(&["a"]), "too short"),
        (terms(&[" "]), "empty"),
        (terms(&[]), "at least one term"),
        (terms(&["Putin", "ب"]), "too short"),
        (
            NewWatch {
                name: None,
                rule: WatchRule::Outlets {
                    sources: vec!["no-such-outlet".into()],
                },
                backfill: false,
            },
            "no source",
        ),
    ] {
        let err = e.add_watch(&w).unwrap_err();
        assert_eq!(err.code, Code::Precondition);
        assert!(err.message.contains(says), "{}", err.message);
    }
    assert!(e.watches().unwrap().is_empty(), "nothing half-added");
    assert!(e.add_alias(&["Soleimani".into()]).is_err());
    assert!(
        e.add_alias(&["Soleimani".into(), "x".into()])
            .unwrap_err()
            .message
            .contains("too short")
    );
    let g = e
        .add_alias(&["Soleimani".into(), "سليماني".into(), "سلیمانی".into()])
        .unwrap();
    assert_eq!(e.aliases().unwrap(), vec![g]);
}
