/// Every command the UI calls. `build.rs` declares these in the app manifest so that
/// `capabilities/default.json` can grant exactly them; `commands.rs` implements them.
pub const COMMANDS: &[&str] = &[
    "status",
    "data_location",
    "list_stories",
    "get_story",
    "explain_item",
    "search",
    "list_sources",
    "add_source",
    "refresh",
    "set_source_enabled",
    "remove_source",
    "import_opml",
    "export_opml",
    "load_demo_archive",
    "settings",
    "update_settings",
    "move_item",
    "split_story",
    "merge_stories",
];
