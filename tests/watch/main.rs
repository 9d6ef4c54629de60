//! Watchlists and alerts on real items: the demo archive's Wikipedia "In the news" blurbs
//! (ar/fa/en, CC BY-SA 3.0, committed in assets/demo), served by the fixture feed server and
//! loaded through the engine and the `parallax` binary.

#[path = "../support/mod.rs"]
mod support;

mod alerts;
mod cli;
mod export;
mod lease;

use chrono::{DateTime, Utc};
use support::render::{Channel, DateSpec, Entry, Format, render};
use support::server::{Behaviour, StaticFeed};

const DEMO: &str = include_str!("../../assets/demo/itn-demo.jsonl");

#[derive(serde::Deserialize, Clone)]
pub struct Row {
    pub id: String,
    pub lang: String,
    pub published: DateTime<Utc>,
    pub title: String,
    #[serde(default)]
    pub text: String,
}

pub fn demo_rows() -> Vec<Row> {
    DEMO.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Demo rows whose title contains any of `spellings` (the expected set, found by plain search).
pub fn rows_mentioning(rows: &[Row], spellings: &[&str]) -> Vec<Row> {
    rows.iter()
        .filter(|r| spellings.iter().any(|s| r.title.contains(s)))
        .cloned()
        .collect()
}

/// An RSS 2.0 feed of `rows`, as the fixture server serves it.
pub fn feed(lang: &str, rows: &[Row]) -> Behaviour {
    let entries: Vec<Entry> = rows
        .iter()
        .map(|r| Entry {
            guid: Some(format!("https://{lang}.wikipedia.org/itn/{}", r.id)),
            link: Some(format!("https://{lang}.wikipedia.org/itn/{}", r.id)),
            title: r.title.clone(),
            summary: r.text.clone(),
            date: DateSpec::At(r.published),
            tags: vec![],
        })
        .collect();
    let body = render(
        Format::Rss2,
        &Channel {
            title: format!("Wikipedia ({lang}) — In the news"),
            site: format!("https://{lang}.wikipedia.org/"),
            lang: lang.into(),
            xml_encoding: Some("UTF-8".into()),
            ttl_minutes: None,
        },
        &entries,
    );
    Behaviour::Feed(StaticFeed::new(body, Format::Rss2.content_type()))
}

/// An engine on an archive another process also uses (no catalog, no model): what the test
/// reads or writes there goes through the engine, as every caller's does.
pub fn open_engine(db: &std::path::Path) -> parallax::api::Engine {
    parallax::api::Engine::open(parallax::api::EngineConfig {
        seed_catalog: false,
        model_path: Some(db.with_extension("no-model")),
        ..support::backend::engine_config(db)
    })
    .unwrap()
}

/// A source per language on the fixture server.
pub fn source(id: &str, lang: parallax::model::Lang, url: String) -> parallax::model::Source {
    parallax::model::Source {
        id: id.into(),
        name: format!("Wikipedia ITN {id}"),
        homepage: None,
        feeds: vec![parallax::model::Feed {
            url,
            verified: true,
        }],
        language: lang,
        country: None,
        ownership: parallax::model::Ownership::Unknown,
        note: None,
        enabled: true,
        refresh_secs: 300,
    }
}
