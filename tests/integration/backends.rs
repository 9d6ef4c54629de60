//! The engine suites run on both back ends only if every archive they open goes through
//! `support::backend` (engine configuration, store, `parallax` arguments). This guard fails
//! when a test opens one directly; a line that must (a test about the SQLite file itself, named
//! `…_sqlite_only`, which the PostgreSQL run skips) says so with a `sqlite_only` comment.

use std::path::{Path, PathBuf};

/// Ways to reach an archive without the helper (spelled in pieces so this file is not a hit).
fn direct_openings() -> Vec<String> {
    [
        ("EngineConfig::", "new("),
        ("Store::", "open("),
        ("rusqlite::Connection::", "open("),
        ("\"--", "db\""),
    ]
    .iter()
    .map(|(a, b)| format!("{a}{b}"))
    .collect()
}

fn suite_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut files = vec![root.join("carry.rs")];
    for dir in ["integration", "watch"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

#[test]
fn every_archive_is_opened_through_the_backend_helper() {
    let patterns = direct_openings();
    let files = suite_files();
    assert!(files.len() > 10, "found the suites: {files:?}");
    let mut direct = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if patterns.iter().any(|p| line.contains(p.as_str())) && !line.contains("sqlite_only") {
                direct.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        direct.is_empty(),
        "open archives through support::backend (engine_config, open_store, cli_archive_args), \
         or mark a SQLite-file test `…_sqlite_only` and the line `// sqlite_only`:\n{}",
        direct.join("\n")
    );
}
