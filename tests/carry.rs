//! Carry tracing and framing through the engine API, on real text: NTREX-128 lines (two
//! documents about one event, in ar/fa/en, `tests/fixtures/carry`) served as the items of
//! several outlets, one of which re-serves another's Persian text with a sentence dropped.
//! Translation tests need the embedding model (`parallax model install`; scripts/test.sh
//! installs it before the tests run).

use std::collections::HashMap;

#[path = "support/mod.rs"]
mod support;

use chrono::{DateTime, Duration, TimeZone, Utc};
use parallax::api::{Engine, EngineConfig, StoryCarry};
use parallax::carry::CarryKind;
use parallax::model::{Feed, Item, Lang, Ownership, Source, TimeSource};

/// NTREX line number → (en, ar, fa).
fn ntrex() -> HashMap<u32, [String; 3]> {
    let raw = include_str!("fixtures/carry/ntrex-syria.tsv");
    raw.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                f[1].parse().unwrap(),
                [f[2].to_string(), f[3].to_string(), f[4].to_string()],
            )
        })
        .collect()
}

const EN: usize = 0;
const AR: usize = 1;
const FA: usize = 2;
const FOLLOW: &str = "برای دریافت آخرین اخبار، ما را در کانال تلگرام دنبال کنید.";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2018, 9, 29, 16, 0, 0).unwrap()
}

fn source(id: &str, lang: Lang) -> Source {
    Source {
        id: id.into(),
        name: id.to_uppercase(),
        homepage: None,
        feeds: vec![Feed {
            url: format!("http://127.0.0.1:9/{id}"),
            verified: true,
        }],
        language: lang,
        country: None,
        ownership: Ownership::State,
        note: None,
        enabled: true,
        refresh_secs: 900,
    }
}

fn item(source: &str, guid: &str, title: &str, body: &str, at: DateTime<Utc>) -> Item {
    Item {
        source_id: source.into(),
        guid: guid.into(),
        url: None,
        title: title.into(),
        summary_html: String::new(),
        summary_text: body.into(),
        author: None,
        published: at,
        time_source: TimeSource::Published,
        categories: vec![],
        media: vec![],
        declared_lang: None,
        content_hash: format!("{source}-{guid}"),
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    engine: Engine,
    /// item ids by name
    ids: HashMap<&'static str, i64>,
    story: i64,
}

/// IRNA (fa) publishes lines 1461–1466; Tasnim (fa) re-serves them 40 min later without line
/// 1464 and with its standing Telegram line; Al Mayadeen (ar) translates 1461–1463 2 h 10 min
/// after IRNA; Reuters (en) runs the other document (1950–1955); Al Jazeera has a one-word
/// title and no text. Tasnim's Telegram line also ends three of its items on other days.
fn fixture() -> Fixture {
    let n = ntrex();
    let lines = |r: std::ops::RangeInclusive<u32>, l: usize| -> Vec<String> {
        r.map(|i| n[&i][l].clone()).collect()
    };
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(EngineConfig {
        seed_catalog: false,
        ..support::backend::engine_config(&dir.path().join("a.db"))
    })
    .unwrap();
    let fa = lines(1461..=1466, FA);
    let tasnim: Vec<String> = fa
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3)
        .map(|(_, s)| s.clone())
        .chain([FOLLOW.to_string()])
        .collect();
    let ar = lines(1461..=1463, AR);
    let en = lines(1950..=1955, EN);
    let items = [
        ("irna", item("irna", "1", &fa[0], &fa[1..].join(" "), t0())),
        (
            "tasnim",
            item(
                "tasnim",
                "2",
                &tasnim[0],
                &tasnim[1..].join(" "),
                t0() + Duration::minutes(40),
            ),
        ),
        (
            "almayadeen",
            item(
                "almayadeen",
                "3",
                &ar[0],
                &ar[1..].join(" "),
                t0() + Duration::minutes(130),
            ),
        ),
        (
            "reuters",
            item(
                "reuters",
                "4",
                &en[0],
                &en[1..].join(" "),
                t0() + Duration::minutes(180),
            ),
        ),
        (
            "aljazeera",
            item("aljazeera", "5", "سوريا", "", t0() + Duration::minutes(200)),
        ),
    ];
    // Tasnim's other items on other days, each ending with the Telegram line
    let other = lines(1467..=1469, FA);
    let others: Vec<Item> = other
        .iter()
        .enumerate()
        .map(|(i, s)| {
            item(
                "tasnim",
                &format!("old{i}"),
                "خبر",
                &format!("{s} {FOLLOW}"),
                t0() - Duration::days(i as i64 + 1),
            )
        })
        .collect();
    engine
        .save_sources(&[
            source("irna", Lang::Fa),
            source("tasnim", Lang::Fa),
            source("almayadeen", Lang::Ar),
            source("reuters", Lang::En),
            source("aljazeera", Lang::Ar),
        ])
        .unwrap();
    let langs = [Lang::Fa, Lang::Fa, Lang::Ar, Lang::En, Lang::Ar];
    let rows: Vec<(Item, Lang)> = items
        .iter()
        .map(|(_, i)| i.clone())
        .zip(langs)
        .chain(others.into_iter().map(|i| (i, Lang::Fa)))
        .collect();
    let stored: Vec<i64> = engine
        .store_items(&rows)
        .unwrap()
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(stored.len(), rows.len(), "every item is new");
    let inserted = &stored[..items.len()];
    let story = engine.create_story(inserted).unwrap();
    let ids: HashMap<&'static str, i64> = items
        .iter()
        .map(|(n, _)| *n)
        .zip(inserted.iter().copied())
        .collect();
    Fixture {
        _dir: dir,
        engine,
        ids,
        story,
    }
}

fn link(c: &StoryCarry, origin: i64, carrier: i64) -> Option<&parallax::api::CarryLink> {
    c.links
        .iter()
        .find(|l| l.edge.origin_item == origin && l.edge.carrier_item == carrier)
}

fn require_model(e: &Engine) {
    if let Err(why) = e.model() {
        panic!("this test needs the embedding model: {why}");
    }
}

#[test]
fn a_persian_reprint_with_a_sentence_dropped_is_traced_verbatim_with_its_lag() {
    let f = fixture();
    let c = f.engine.story_carry(f.story).unwrap();
    let (irna, tasnim) = (f.ids["irna"], f.ids["tasnim"]);
    let l = link(&c, irna, tasnim).unwrap_or_else(|| panic!("{:#?}", c.links));
    assert_eq!(l.edge.kind, CarryKind::Verbatim);
    assert_eq!((l.edge.carried, l.edge.origin_sentences), (5, 6));
    // the Telegram line is boilerplate: not a carrier sentence
    assert_eq!(l.edge.carrier_sentences, 5);
    assert_eq!(l.edge.lag_secs, 40 * 60);
    assert_eq!(
        l.summary,
        "TASNIM carries 5 of 6 sentences of IRNA, verbatim, +40 min"
    );
    // the dropped sentence (line 1464, IRNA's fourth) is not among the carried ones
    assert!(
        l.edge.pairs.iter().all(|p| p.origin != 3),
        "{:?}",
        l.edge.pairs
    );
    // nothing flows backwards in time, nothing comes from the one-word item
    let jazeera = f.ids["aljazeera"];
    assert!(c.links.iter().all(|l| l.edge.lag_secs >= 0));
    assert!(
        c.links
            .iter()
            .all(|l| l.edge.origin_item != jazeera && l.edge.carrier_item != jazeera)
    );
}

#[test]
fn an_arabic_translation_is_carried_from_the_earliest_persian_origin() {
    let f = fixture();
    require_model(&f.engine);
    let c = f.engine.story_carry(f.story).unwrap();
    assert!(c.translations_checked);
    let (irna, tasnim, may) = (f.ids["irna"], f.ids["tasnim"], f.ids["almayadeen"]);
    let l = link(&c, irna, may).unwrap_or_else(|| panic!("{:#?}", c.links));
    assert_eq!(l.edge.kind, CarryKind::Translated);
    assert_eq!(l.edge.lag_secs, 130 * 60);
    // each Arabic sentence is the translation of the same-numbered Persian line
    let pairs: Vec<(u32, u32)> = l.edge.pairs.iter().map(|p| (p.origin, p.carrier)).collect();
    assert_eq!(pairs, vec![(0, 0), (1, 1), (2, 2)], "{}", l.summary);
    // Tasnim has the same passage later: IRNA, the earliest, is the origin
    assert!(link(&c, tasnim, may).is_none());
    // the English item is another document about the same event: no translation claimed
    let reuters = f.ids["reuters"];
    assert!(
        c.links.iter().all(|l| l.edge.carrier_item != reuters),
        "{:#?}",
        c.links
            .iter()
            .filter(|l| l.edge.carrier_item == reuters)
            .collect::<Vec<_>>()
    );
}

#[test]
fn only_in_sentences_and_loaded_terms_are_found() {
    let f = fixture();
    require_model(&f.engine);
    let fr = f.engine.story_framing(f.story).unwrap();
    assert!(fr.only_in_checked);
    let irna = f.ids["irna"];
    let only_fa: Vec<u32> = fr
        .only_in
        .iter()
        .filter(|s| s.lang == Lang::Fa && s.item_id == irna)
        .map(|s| s.sentence)
        .collect();
    // IRNA's lines 1464–1466 have no Arabic or English counterpart; 1461–1463 do
    for s in [3, 4, 5] {
        assert!(only_fa.contains(&s), "{only_fa:?}");
    }
    for s in [0, 1, 2] {
        assert!(!only_fa.contains(&s), "{only_fa:?} {:#?}", fr.only_in);
    }
    // Tasnim repeats IRNA's only-in sentences: listed once, with Tasnim as "also in"
    let tasnim = f.ids["tasnim"];
    assert!(fr.only_in.iter().any(|s| s.also_in.contains(&tasnim)));
    // "terrorism" (تروریسم) in IRNA's line 1463, and the Reuters text's "terrorists"
    let loaded = |id: &str| -> Vec<String> {
        fr.outlets
            .iter()
            .find(|o| o.source.id == id)
            .unwrap()
            .loaded
            .iter()
            .map(|h| h.term.clone())
            .collect()
    };
    assert!(
        loaded("irna").iter().any(|t| t.starts_with("تروریس")),
        "{:?}",
        loaded("irna")
    );
    assert!(
        loaded("reuters").iter().any(|t| t.starts_with("terror")),
        "{:?}",
        loaded("reuters")
    );
    assert!(fr.lexicon_path.ends_with("loaded-terms.toml"));
}

#[test]
fn the_graph_follows_the_story_through_split_and_merge() {
    let f = fixture();
    let (irna, tasnim) = (f.ids["irna"], f.ids["tasnim"]);
    assert!(link(&f.engine.story_carry(f.story).unwrap(), irna, tasnim).is_some());
    let alone = f.engine.split_story(f.story, &[irna]).unwrap();
    let c = f.engine.story_carry(f.story).unwrap();
    assert!(c.items.iter().all(|i| i.item_id != irna));
    assert!(
        c.links.iter().all(|l| l.edge.origin_item != irna),
        "{:#?}",
        c.links
    );
    assert!(f.engine.story_carry(alone).unwrap().links.is_empty());
    f.engine.merge_stories(f.story, alone).unwrap();
    let l = link(&f.engine.story_carry(f.story).unwrap(), irna, tasnim).cloned();
    assert_eq!(l.map(|l| l.edge.carried), Some(5));
    // moving Tasnim's item elsewhere takes its edge along
    f.engine.move_item(tasnim, alone_or_new(&f)).unwrap();
    assert!(link(&f.engine.story_carry(f.story).unwrap(), irna, tasnim).is_none());
    assert_eq!(
        f.engine.story_carry(123_456).unwrap_err().code,
        parallax::error::Code::Precondition
    );
}

/// Another existing story to move an item into.
fn alone_or_new(f: &Fixture) -> i64 {
    f.engine
        .split_story(f.story, &[f.ids["aljazeera"]])
        .unwrap()
}

#[test]
fn multilingual_stories_are_prepared_in_the_background_when_they_change() {
    let f = fixture();
    require_model(&f.engine);
    // Nothing is prepared before it is turned on (the fixture's story was made before).
    assert!(!f.engine.story_analysis_ready(f.story).unwrap());
    f.engine.prepare_analyses_in_background();
    // A correction changes two stories: the fixture's (ar/fa/en) and a new Persian-only one.
    let alone = f.engine.split_story(f.story, &[f.ids["tasnim"]]).unwrap();
    f.engine.wait_for_prepared_analyses();
    assert!(
        f.engine.story_analysis_ready(f.story).unwrap(),
        "the multilingual story is prepared"
    );
    assert!(
        !f.engine.story_analysis_ready(alone).unwrap(),
        "a one-language story needs no embeddings and is computed when opened"
    );
    // What the view reads back is what it would have computed.
    let prepared = f.engine.story_carry(f.story).unwrap();
    f.engine.clear_story_analysis(f.story).unwrap();
    assert_eq!(f.engine.story_carry(f.story).unwrap(), prepared);
    assert!(prepared.translations_checked);
}
