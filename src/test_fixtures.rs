//! Real-text fixtures committed under `tests/fixtures/text` (openly licensed subsets of NTREX-128,
//! Wikipedia ITN, lingua's test data, UDHR and BBC snippets; see each folder's SOURCE.md), for the
//! unit tests of the language stages. They are part of the repository, so a missing file is a
//! failure, never a skip.

use std::path::PathBuf;

pub(crate) fn fixture_text() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/text")
}

/// Lines of a fixture text file, by path relative to `tests/fixtures/text`.
pub(crate) fn lines(rel: &str) -> Vec<String> {
    let path = fixture_text().join(rel);
    let raw = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()));
    raw.lines().map(str::to_owned).collect()
}

/// One row of a fixture story set (`tests/fixtures/text/stories/*.jsonl`).
#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct StoryRow {
    pub lang: String,
    pub title: String,
}

/// Every row of a fixture story set: `ntrex-ar-fa-en.jsonl` or `itn-ar-fa-en.jsonl`.
pub(crate) fn story_rows(file: &str) -> Vec<StoryRow> {
    lines(&format!("stories/{file}"))
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("story row JSON"))
        .collect()
}

/// Real Persian news text: the Persian ITN blurbs and the NTREX Persian sentences.
pub(crate) fn persian_news() -> Vec<String> {
    story_rows("itn-ar-fa-en.jsonl")
        .into_iter()
        .filter(|r| r.lang == "fa")
        .map(|r| r.title)
        .chain(lines("ntrex128/newstest2019-ref.fas.txt"))
        .collect()
}
