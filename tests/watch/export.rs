//! Export files parsed back: the HTML report (structure, right-to-left columns, timeline,
//! attribution, no script), CSV (every item, Arabic and Persian text intact) and JSON.

use std::collections::BTreeSet;

use parallax::api::{Engine, EngineConfig, ExportFormat, SearchQuery};
use parallax::model::Lang;
use parallax::store::StoryFilter;
use scraper::{Html, Selector};

fn demo_engine(dir: &tempfile::TempDir) -> Engine {
    let e = Engine::open(EngineConfig {
        seed_catalog: false,
        model_path: Some(dir.path().join("no-model.bin")),
        ..crate::support::backend::engine_config(&dir.path().join("archive.db"))
    })
    .unwrap();
    e.load_demo_archive(None).unwrap();
    e
}

/// The biggest story that has Arabic or Persian items.
fn rtl_story(e: &Engine) -> i64 {
    e.list_stories(&StoryFilter {
        limit: Some(10_000),
        ..Default::default()
    })
    .unwrap()
    .into_iter()
    .filter(|s| s.languages.contains(&Lang::Fa) || s.languages.contains(&Lang::Ar))
    .max_by_key(|s| (s.languages.len(), s.item_count))
    .unwrap()
    .id
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

#[test]
fn html_report_has_every_item_rtl_columns_timeline_and_credits() {
    let dir = tempfile::tempdir().unwrap();
    let e = demo_engine(&dir);
    let id = rtl_story(&e);
    let story = e.get_story(id).unwrap();
    let html = e.export_story(id, ExportFormat::Html).unwrap();
    let doc = Html::parse_document(&html);

    assert_eq!(doc.select(&sel("article.card")).count(), story.items.len());
    assert_eq!(
        doc.select(&sel("tbody tr[data-item]")).count(),
        story.items.len()
    );
    assert_eq!(doc.select(&sel("svg circle")).count(), story.items.len());
    assert_eq!(
        doc.select(&sel("svg line")).count(),
        story.propagation.len()
    );
    assert_eq!(doc.select(&sel("script")).count(), 0, "no script");
    assert!(!html.contains("src=\"http"), "no remote loads");

    // Each item: its outlet, language, time and link; the text exactly as stored.
    for it in &story.items {
        let card = doc
            .select(&sel(&format!("article.card[data-item=\"{}\"]", it.id)))
            .next()
            .unwrap();
        let text: String = card.text().collect();
        assert!(text.contains(&it.title), "{}", it.title);
        assert!(text.contains(&it.source.name));
        assert!(text.contains(&it.published.format("%Y-%m-%d %H:%M").to_string()));
        let rtl = matches!(it.lang, Lang::Ar | Lang::Fa);
        assert_eq!(
            card.value().attr("dir"),
            Some(if rtl { "rtl" } else { "ltr" })
        );
        assert_eq!(card.value().attr("lang"), Some(it.lang.code()));
        if let Some(u) = &it.url {
            assert!(
                card.select(&sel("a"))
                    .any(|a| a.value().attr("href") == Some(u)),
                "{u}"
            );
        }
    }
    let columns: BTreeSet<String> = doc
        .select(&sel(".column[dir=rtl]"))
        .filter_map(|c| c.value().attr("lang").map(str::to_string))
        .collect();
    assert!(!columns.is_empty() && columns.iter().all(|l| l == "ar" || l == "fa"));
    let footer: String = doc.select(&sel("footer")).next().unwrap().text().collect();
    assert!(footer.contains("CC BY-SA 3.0"), "{footer}");
    assert!(html.contains("@media print"));
}

#[test]
fn csv_and_json_carry_every_item() {
    let dir = tempfile::tempdir().unwrap();
    let e = demo_engine(&dir);
    let id = rtl_story(&e);
    let story = e.get_story(id).unwrap();

    let csv_text = e.export_story(id, ExportFormat::Csv).unwrap();
    let body = csv_text
        .strip_prefix('\u{FEFF}')
        .expect("BOM for spreadsheets");
    let mut r = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), story.items.len());
    for (row, it) in rows.iter().zip(&story.items) {
        assert_eq!(row[col("item_id")], it.id.to_string());
        assert_eq!(row[col("title")], it.title, "text intact through quoting");
        assert_eq!(row[col("lang")], *it.lang.code());
        assert_eq!(row[col("outlet")], it.source.name);
        assert_eq!(row[col("url")], it.url.clone().unwrap_or_default());
        assert!(row[col("attribution")].contains("CC BY-SA"));
    }

    let json: serde_json::Value =
        serde_json::from_str(&e.export_story(id, ExportFormat::Json).unwrap()).unwrap();
    assert_eq!(json["summary"]["id"], id);
    assert_eq!(json["items"].as_array().unwrap().len(), story.items.len());
    assert_eq!(json["items"][0]["title"], story.items[0].title);
    assert!(
        json["attribution"][0]["note"]
            .as_str()
            .unwrap()
            .contains("CC BY-SA")
    );

    // A search result as CSV: every hit, the Persian spelling finding the Arabic one too.
    let q = SearchQuery {
        text: "سوناک".into(),
        ..Default::default()
    };
    let hits: usize = e.search(&q).unwrap().iter().map(|g| g.hits.len()).sum();
    let csv_text = e.export_search(&q).unwrap();
    let mut r = csv::Reader::from_reader(csv_text.trim_start_matches('\u{FEFF}').as_bytes());
    let titles: Vec<String> = r.records().map(|x| x.unwrap()[10].to_string()).collect();
    assert_eq!(titles.len(), hits);
    assert!(titles.iter().any(|t| t.contains("سوناك")), "{titles:?}");
    assert!(titles.iter().any(|t| t.contains("سوناک")), "{titles:?}");

    // Unknown story: a clear error.
    let err = e.export_story(999_999, ExportFormat::Html).unwrap_err();
    assert!(err.message.contains("999999"), "{}", err.message);
}

#[test]
fn cli_export_writes_files() {
    let dir = tempfile::tempdir().unwrap();
    let id = rtl_story(&demo_engine(&dir));
    let db = dir.path().join("archive.db");
    for format in ["html", "csv", "json"] {
        let out = dir.path().join(format!("story.{format}"));
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_parallax"))
            .args(crate::support::backend::cli_archive_args(&db))
            .env("PARALLAX_MODEL", dir.path().join("no-model.bin"))
            .args([
                "export",
                "story",
                &id.to_string(),
                "--format",
                format,
                "--out",
            ])
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success());
        assert!(std::fs::metadata(&out).unwrap().len() > 500, "{format}");
    }
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_parallax"))
        .args(crate::support::backend::cli_archive_args(&db))
        .args(["export", "story", &id.to_string(), "--format", "pdf"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("expected html, csv or json"));
}
