//! Story grouping on the committed story sets, without an embedding model (the fallback path the app
//! takes when the model is missing), plus the scoring used by `parallax eval stories`.

use std::path::PathBuf;

use parallax::cluster::{Grouper, GroupingConfig};
use parallax::eval::stories::{self, EvalItem};

/// A committed story set (`tests/fixtures/text/stories`: NTREX documents and Wikipedia ITN
/// blurbs, openly licensed).
fn dev_set(name: &str) -> Vec<EvalItem> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/text/stories")
        .join(name);
    stories::load(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// A story set that stays in `../shared` (real coverage of unknown licence).
fn shared_dev_set(name: &str) -> Vec<EvalItem> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/story-eval")
        .join(name);
    stories::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn all_singletons_and_gold_language_split_match_reference_figures() {
    let items = dev_set("ntrex-ar-fa-en.jsonl");
    let singletons: Vec<i64> = (0..items.len() as i64).collect();
    let s = stories::score(&items, &singletons);
    assert!((s.bcubed.f1 - 0.500).abs() < 0.001, "{:?}", s.bcubed);
    // Perfect monolingual: gold stories split by language (NTREX 0.500; this ITN subset 0.818,
    // the whole ITN set in ../shared 0.806).
    let itn = dev_set("itn-ar-fa-en.jsonl");
    let mut ids = std::collections::HashMap::new();
    let mono: Vec<i64> = itn
        .iter()
        .map(|i| {
            let n = ids.len() as i64;
            *ids.entry((i.story.clone(), i.lang.clone())).or_insert(n)
        })
        .collect();
    let s = stories::score(&itn, &mono);
    assert!((s.bcubed.f1 - 0.818).abs() < 0.001, "{:?}", s.bcubed);
    assert_eq!(s.cross_language.recall, 0.0);
    assert_eq!(s.same_language.precision, 1.0);
}

#[test]
fn without_embeddings_grouping_falls_back_to_words_and_stays_precise() {
    let items = dev_set("itn-ar-fa-en.jsonl");
    let feats = stories::features(&items, None);
    let (labels, _) = stories::group(&feats, &GroupingConfig::default());
    let s = stories::score(&items, &labels);
    // Word evidence alone joins same-language coverage and rarely joins the wrong items
    // (measured with the calibrated fallback: P 0.922, R 0.871 on this subset).
    assert!(s.bcubed.precision > 0.9, "{:?}", s.bcubed);
    assert!(
        s.stories < items.len(),
        "some items must be grouped: {}",
        s.stories
    );
    // Deterministic for the same input.
    let (again, _) = stories::group(&feats, &GroupingConfig::default());
    assert_eq!(labels, again);
}

#[test]
fn restore_rebuilds_the_same_live_state() {
    let items = dev_set("itn-ar-fa-en.jsonl");
    let feats = stories::features(&items, None);
    // Re-checks run on a count of assigned items, which a restart resets: this test is about
    // the restored state, so it assigns without them.
    let cfg = GroupingConfig {
        recheck_every: 0,
        ..GroupingConfig::default()
    };
    let half = feats.len() / 2;
    let mut continuous = Grouper::new(cfg.clone());
    let labels: Vec<i64> = feats
        .iter()
        .map(|f| continuous.assign(f.clone()).story_id)
        .collect();
    // Restart: restore the first half with its stored story ids, then keep assigning.
    let mut restarted = Grouper::new(cfg);
    for (f, &story) in feats[..half].iter().zip(&labels) {
        restarted.restore(f.clone(), story);
    }
    let after: Vec<i64> = feats[half..]
        .iter()
        .map(|f| restarted.assign(f.clone()).story_id)
        .collect();
    assert_eq!(after, labels[half..].to_vec());
    let first = restarted.story(labels[0]).expect("restored story exists");
    assert!(first.items.contains(&feats[0].item_id));
    assert_eq!(
        restarted
            .explain(feats[0].item_id)
            .map(|e| e.decision.as_str()),
        Some("restored")
    );
}

#[test]
fn a_pin_moves_an_item_and_holds_on_rerun() {
    let items = dev_set("itn-ar-fa-en.jsonl");
    let feats = stories::features(&items[..60], None);
    let mut g = Grouper::new(GroupingConfig::default());
    for f in &feats {
        g.assign(f.clone());
    }
    let item = feats[10].item_id;
    let target = g.story_of(feats[40].item_id).expect("assigned");
    assert_ne!(
        g.story_of(item),
        Some(target),
        "pick an item outside the target story"
    );
    g.pin(item, target);
    assert_eq!(g.story_of(item), Some(target));
    assert!(g.story(target).expect("story").items.contains(&item));
    // A fresh run that knows the pin places the item there on arrival.
    let mut rerun = Grouper::new(GroupingConfig::default());
    rerun.pin(item, target);
    for f in &feats {
        rerun.assign(f.clone());
    }
    assert_eq!(rerun.story_of(item), Some(target));
    assert_eq!(
        rerun.explain(item).map(|e| e.decision.as_str()),
        Some("pinned")
    );
}

#[test]
fn explanations_read_back_as_the_api_type() {
    let items = dev_set("itn-ar-fa-en.jsonl");
    let feats = stories::features(&items[..40], None);
    let mut g = Grouper::new(GroupingConfig::default());
    let mut joined = 0;
    for f in &feats {
        let a = g.assign(f.clone());
        let json = serde_json::to_string(&a.explanation).expect("serialises");
        let api: parallax::api::Explanation = serde_json::from_str(&json).expect("api reads it");
        assert_eq!(api.new_story, a.new_story);
        assert_eq!(api.matched_item, a.explanation.matched_item);
        assert_eq!(api.parts.len(), a.explanation.parts.len());
        if !a.new_story {
            joined += 1;
            // The parts are the best pair's log-odds; the story score is the mean probability
            // of the best few pairs, so it never exceeds the best pair's probability.
            let logit: f32 = api.parts.iter().map(|p| p.value * p.weight).sum();
            let best = 1.0 / (1.0 + (-logit).exp());
            assert!(best + 1e-4 >= api.score, "{best} vs {}", api.score);
            assert!(api.score > api.threshold, "{api:?}");
        }
    }
    assert!(joined > 0, "some of the first 40 ITN items share a story");
}

#[test]
#[ignore = "needs ../shared: the Khashoggi items of story-eval/coverage-dev"]
fn names_match_across_scripts_in_real_coverage() {
    let items = shared_dev_set("coverage-dev-ar-fa-en.jsonl");
    let feats = stories::features(&items, None);
    let mut g = Grouper::new(GroupingConfig::default());
    for f in &feats {
        g.assign(f.clone());
    }
    let id = |gold: &str| {
        let i = items.iter().position(|it| it.id == gold).expect("item");
        feats[i].item_id
    };
    // "خاشقجي" (Arabic, Persian) and "Khashoggi" (English) are one name in two scripts.
    let khashoggi_ar = g
        .pair_evidence(id("cov-dev:2"), id("cov-dev:8"))
        .expect("pair");
    let khashoggi_fa = g
        .pair_evidence(id("cov-dev:11"), id("cov-dev:6"))
        .expect("pair");
    assert!(khashoggi_ar.names > 0.0, "{khashoggi_ar:?}");
    assert!(khashoggi_fa.names > 0.0, "{khashoggi_fa:?}");
    // Within one script the word overlap carries names; the cross-script part stays silent.
    let same_script = g
        .pair_evidence(id("cov-dev:2"), id("cov-dev:11"))
        .expect("pair");
    assert_eq!(same_script.names, 0.0);
    // A Khashoggi item and an unrelated English headline share no name.
    let unrelated = items
        .iter()
        .position(|it| it.lang == "en" && it.story == "2019-04-notre-dame-fire")
        .expect("Notre-Dame item");
    let other = g
        .pair_evidence(id("cov-dev:2"), feats[unrelated].item_id)
        .expect("pair");
    assert_eq!(other.names, 0.0, "{other:?}");
}
