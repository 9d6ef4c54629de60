//! Declares the app's commands so the capability file can grant exactly these and nothing else.

/// Every command the UI calls; `src/commands.rs` implements them, `capabilities/default.json` grants them.
const COMMANDS: &[&str] = &[
    "status",
    "data_location",
    "list_stories",
    "get_story",
    "explain_item",
    "search",
    "list_sources",
    "set_source_enabled",
    "remove_source",
    "settings",
    "update_settings",
    "move_item",
    "split_story",
    "merge_stories",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build: invalid configuration");
}
