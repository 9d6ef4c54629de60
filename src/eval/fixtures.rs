//! Real-text fixtures from `../shared/data` for the unit tests of the language stages.
//! Every helper returns None (and says why) when the shared data is absent, so tests skip.

use std::path::PathBuf;

pub(crate) fn shared_data() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: ../shared/data is absent (real-text fixtures live there)");
        None
    }
}

/// Lines of a shared text file, by path relative to `../shared/data`.
pub(crate) fn lines(rel: &str) -> Option<Vec<String>> {
    let raw = std::fs::read_to_string(shared_data()?.join(rel)).expect("read shared text");
    Some(raw.lines().map(str::to_owned).collect())
}

/// (title, summary) of real Persian feed items (`hamshahri.json` or `radiofarda.json`).
pub(crate) fn persian_items(file: &str) -> Option<Vec<(String, String)>> {
    let path = shared_data()?
        .join("fa-hamshahri-radiofarda-2020")
        .join(file);
    let raw = std::fs::read_to_string(&path).expect("read Persian feed items");
    let items: Vec<serde_json::Value> = serde_json::from_str(&raw).expect("parse Persian items");
    Some(
        items
            .iter()
            .map(|v| {
                let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
                (s("title"), s("summary"))
            })
            .collect(),
    )
}
