//! Related stories on the bundled demo archive (Wikipedia "In the news", ar/fa/en, real
//! headlines): an earthquake's story lists the other earthquakes of the archive as the topic's
//! other happenings, in time order, and without the model says why it lists nothing. Needs the
//! installed model (`parallax model install`, which `scripts/test.sh` runs).

use parallax::api::{Engine, EngineConfig, RelatedStories};
use parallax::cluster::related::{RELATED_FLOOR, Relation};
use parallax::embed::Model;
use parallax::store::StoryFilter;

fn demo(model: Option<&str>) -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(EngineConfig {
        seed_catalog: false,
        model_path: model.map(|m| dir.path().join(m)),
        ..crate::support::backend::engine_config(&dir.path().join("a.db"))
    })
    .unwrap();
    engine.load_demo_archive(None).unwrap();
    (dir, engine)
}

/// The story holding the English item whose title contains `words`.
fn story_with(engine: &Engine, words: &str) -> i64 {
    let stories = engine
        .list_stories(&StoryFilter {
            include_routine: true,
            limit: Some(10_000),
            ..Default::default()
        })
        .unwrap();
    for s in &stories {
        let d = engine.get_story(s.id).unwrap();
        if d.items.iter().any(|i| i.title.contains(words)) {
            return s.id;
        }
    }
    panic!("no story has an item titled with {words:?}");
}

fn titles(engine: &Engine, r: &RelatedStories) -> Vec<Vec<String>> {
    r.stories
        .iter()
        .map(|x| {
            engine
                .get_story(x.story.id)
                .unwrap()
                .items
                .into_iter()
                .map(|i| i.title)
                .collect()
        })
        .collect()
}

#[test]
fn an_earthquakes_story_lists_the_other_earthquakes_in_time_order() {
    if let Err(e) = Model::load_default() {
        panic!("{e} (install it: cargo run --release -- model install)");
    }
    let (_dir, engine) = demo(None);
    let java = story_with(&engine, "Indonesian island of Java");
    let r = engine.related_stories(java, 8).unwrap();
    assert!(r.unavailable.is_none());
    assert!(
        !r.stories.is_empty(),
        "nothing related to the Java earthquake"
    );
    let all = titles(&engine, &r);
    // Another happening of the topic: the Turkey–Syria or the Afghanistan earthquake, later.
    let other = r
        .stories
        .iter()
        .zip(&all)
        .find(|(_, t)| {
            t.iter()
                .any(|t| t.contains("Turkey and Syria") || t.contains("Afghanistan and Pakistan"))
        })
        .unwrap_or_else(|| panic!("no other earthquake among {all:#?}"));
    assert_eq!(other.0.relation, Relation::Later);
    assert!(other.0.gap_days > 60.0, "{:?}", other.0.gap_days);
    for x in &r.stories {
        assert_ne!(x.story.id, java, "a story is not related to itself");
        assert!(x.score >= RELATED_FLOOR, "{}", x.score);
    }
    let starts: Vec<_> = r.stories.iter().map(|x| x.story.first_seen).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "oldest first");
}

#[test]
fn without_the_model_related_stories_say_why_there_are_none() {
    let (_dir, engine) = demo(Some("absent/e5-small-q4.bin"));
    let any = engine
        .list_stories(&StoryFilter::default())
        .unwrap()
        .first()
        .map(|s| s.id)
        .expect("the demo archive groups without the model too");
    let r = engine.related_stories(any, 8).unwrap();
    assert!(r.stories.is_empty());
    let why = r.unavailable.expect("a reason");
    assert!(why.contains("embedding model"), "{why}");
    assert!(
        engine.related_stories(i64::MAX, 8).is_err(),
        "no such story"
    );
}
