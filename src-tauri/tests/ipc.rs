//! The shell's commands through real IPC serialisation (tauri's `test` feature), with the app's
//! own context, so the capability file is enforced exactly as in the shipped app.

use parallax::api::EngineConfig;
use parallax::model::{Feed, Item, Lang, Ownership, Source, TimeSource};
use serde_json::{Value, json};
use tauri::WebviewWindow;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;

struct App {
    _dir: tempfile::TempDir,
    _app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

fn app() -> App {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = mock_builder()
        .invoke_handler(parallax_app::handler())
        .build(tauri::generate_context!())
        .expect("mock app");
    parallax_app::attach(
        app.handle(),
        EngineConfig {
            // The catalog is the engine's concern; these tests start from an empty archive.
            seed_catalog: false,
            ..EngineConfig::new(dir.path().join("archive.db"))
        },
    )
    .expect("engine opens");
    tauri::Manager::manage(
        app.handle(),
        parallax_app::Team::new(dir.path().join("config/team.json")),
    );
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    App {
        _dir: dir,
        _app: app,
        window,
    }
}

fn invoke(app: &App, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        &app.window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().expect("json response"))
}

fn source(id: &str, name: &str, lang: Lang, ownership: Ownership) -> Source {
    Source {
        id: id.into(),
        name: name.into(),
        homepage: None,
        feeds: vec![Feed {
            url: format!("http://127.0.0.1:9/{id}.xml"),
            verified: true,
        }],
        language: lang,
        country: None,
        ownership,
        note: None,
        enabled: true,
        refresh_secs: 900,
    }
}

fn item(source: &str, guid: &str, title: &str, minutes: i64) -> Item {
    Item {
        source_id: source.into(),
        guid: guid.into(),
        url: Some(format!("https://example.org/{guid}")),
        title: title.into(),
        summary_html: String::new(),
        summary_text: String::new(),
        author: None,
        published: chrono::DateTime::parse_from_rfc3339("2020-01-03T01:00:00Z")
            .expect("time")
            .to_utc()
            + chrono::Duration::minutes(minutes),
        time_source: TimeSource::Published,
        categories: vec![],
        media: vec![],
        declared_lang: None,
        content_hash: format!("{source}-{guid}"),
    }
}

/// One cross-lingual story: Wikipedia "In the news" blurbs (CC BY-SA 3.0, the ITN fixture
/// `tests/fixtures/text/stories/itn-ar-fa-en.jsonl`) in Arabic and Persian naming Hurricane Julia,
/// each in its own spelling, and an English one.
/// Made one story by hand (pinned), as a correction would.
fn seed(app: &App) -> i64 {
    let ids = seed_items(app);
    open_second_engine(app)
        .create_story(&ids)
        .expect("seed archive")
}

/// Written through a second engine on the app's archive (the app's engine reads it back).
fn open_second_engine(app: &App) -> parallax::api::Engine {
    parallax::api::Engine::open(EngineConfig {
        seed_catalog: false,
        model_path: Some(app._dir.path().join("no-model")),
        ..EngineConfig::new(app._dir.path().join("archive.db"))
    })
    .expect("engine")
}

/// Three Wikipedia ITN blurbs (ar, fa, en) on Hurricane Julia, stored but not grouped.
fn seed_items(app: &App) -> Vec<i64> {
    let engine = open_second_engine(app);
    engine
        .save_sources(&[
            source(
                "wikipedia-ar",
                "Wikipedia (ar)",
                Lang::Ar,
                Ownership::Unknown,
            ),
            source("wikipedia-fa", "ویکی‌پدیا", Lang::Fa, Ownership::Unknown),
            source(
                "wikipedia-en",
                "Wikipedia (en)",
                Lang::En,
                Ownership::Unknown,
            ),
        ])
        .expect("sources");
    let rows: Vec<(Item, Lang)> = [
        item(
            "wikipedia-ar",
            "1",
            "10 أكتوبر إعصار جوليا يتسبب في مقتل نحو 70 شخصاً في مناطق متفرقة في أمريكا الوسطى والجنوبية.",
            0,
        ),
        item(
            "wikipedia-fa",
            "2",
            "در نتیجه توفند جولیا بیش از ۹۱ نفر در سراسر آمریکای جنوبی و مرکزی کشته شدند.",
            190,
        ),
        item(
            "wikipedia-en",
            "3",
            "Hurricane Julia leaves more than 70 people dead across South and Central America.",
            250,
        ),
    ]
    .into_iter()
    .zip([Lang::Ar, Lang::Fa, Lang::En])
    .collect();
    engine
        .store_items(&rows)
        .expect("items")
        .into_iter()
        .flatten()
        .collect()
}

#[test]
fn empty_archive_answers_every_read_command() {
    let app = app();
    let status = invoke(&app, "status", json!({})).expect("status");
    assert_eq!(
        status["items"], 0,
        "a fresh archive holds no items: {status}"
    );
    assert_eq!(
        invoke(&app, "list_stories", json!({ "filter": {} })),
        Ok(json!([]))
    );
    assert_eq!(invoke(&app, "list_sources", json!({})), Ok(json!([])));
    let model = status["model"]["state"].as_str().unwrap_or_default();
    assert!(
        ["loaded", "installed", "missing", "failed"].contains(&model),
        "the status line carries the model's state: {status}"
    );
    let loc = invoke(&app, "data_location", json!({})).expect("location");
    assert!(
        loc.as_str().is_some_and(|p| p.ends_with("archive.db")),
        "{loc}"
    );
}

#[test]
fn engine_errors_cross_ipc_as_code_and_message() {
    let app = app();
    // The UI sends camelCase argument names; an unknown story is a precondition, not a crash.
    let err = invoke(&app, "get_story", json!({ "storyId": 999 })).expect_err("unknown story");
    assert_eq!(err["code"], "precondition", "{err}");
    assert!(
        err["message"].as_str().is_some_and(|m| m.contains("999")),
        "{err}"
    );

    let mut s = invoke(&app, "settings", json!({})).expect("settings");
    s["languages"] = json!([]);
    let err = invoke(&app, "update_settings", json!({ "settings": s })).expect_err("no languages");
    assert_eq!(
        err,
        json!({ "code": "precondition", "message": "settings: choose at least one language" })
    );
}

#[test]
fn stories_search_and_corrections_round_trip() {
    let app = app();
    let story = seed(&app);
    let list = invoke(
        &app,
        "list_stories",
        json!({ "filter": { "cross_lingual_only": true, "limit": 50, "offset": 0 } }),
    )
    .expect("stories");
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["first_source"]["name"], "Wikipedia (ar)");

    let detail = invoke(&app, "get_story", json!({ "storyId": story })).expect("story");
    let langs: Vec<&str> = detail["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["lang"].as_str())
        .collect();
    assert_eq!(langs, ["ar", "fa", "en"]);
    assert_eq!(detail["propagation"][1]["lag_secs"], 190 * 60);

    // Arabic letters (ي) find the Persian spelling (ی).
    let groups = invoke(
        &app,
        "search",
        json!({ "query": { "text": "جوليا", "filter": {}, "semantic": false, "limit": 20 } }),
    )
    .expect("search");
    let titles: Vec<&str> = groups
        .as_array()
        .expect("groups")
        .iter()
        .flat_map(|g| g["hits"].as_array().into_iter().flatten())
        .filter_map(|h| h["item"]["title"].as_str())
        .collect();
    assert!(
        titles.iter().any(|t| t.contains("جولیا")),
        "Persian spelling not found: {titles:?}"
    );

    let fa_item = detail["items"][1]["id"].clone();
    let new = invoke(
        &app,
        "split_story",
        json!({ "storyId": story, "itemIds": [fa_item] }),
    )
    .expect("split");
    let explained = invoke(&app, "explain_item", json!({ "itemId": fa_item })).expect("explain");
    assert_eq!(
        explained[0], new,
        "the split item now sits in the new story"
    );
    invoke(&app, "merge_stories", json!({ "into": story, "from": new })).expect("merge");
    let after = invoke(&app, "get_story", json!({ "storyId": story })).expect("story");
    assert_eq!(after["items"].as_array().map(Vec::len), Some(3));
}

#[test]
fn commands_outside_the_capability_are_refused() {
    let app = app();
    // The capability grants no filesystem or shell access.
    let err = invoke(
        &app,
        "plugin:fs|read_text_file",
        json!({ "path": "/etc/passwd" }),
    );
    assert!(err.is_err(), "fs access must be refused: {err:?}");
    let err = invoke(&app, "plugin:shell|execute", json!({ "program": "sh" }));
    assert!(err.is_err(), "shell access must be refused: {err:?}");
}

#[test]
fn the_capability_grants_exactly_the_app_commands() {
    let cap: Value =
        serde_json::from_str(include_str!("../capabilities/default.json")).expect("json");
    let granted: Vec<String> = cap["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(|p| p.as_str())
        .filter(|p| p.starts_with("allow-"))
        .map(str::to_string)
        .collect();
    let expected: Vec<String> = parallax_app::COMMANDS
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    assert_eq!(granted, expected);
    let identifiers: Vec<&str> = cap["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(|p| p.as_str().or_else(|| p["identifier"].as_str()))
        .collect();
    for id in identifiers {
        for forbidden in ["fs:", "shell:", "http:", "core:default"] {
            assert!(!id.starts_with(forbidden), "capability must not grant {id}");
        }
    }
}

#[test]
fn regroup_runs_over_ipc_and_keeps_every_item_in_a_story() {
    let app = app();
    // Items not in a story yet: a regroup groups every one (a hand-made story would be kept
    // as it is, pinned, and not regrouped).
    seed_items(&app);
    let n = invoke(&app, "regroup_all", json!({})).expect("regroup");
    assert_eq!(n, json!(3), "every seeded item is grouped");
    let stories = invoke(&app, "list_stories", json!({ "filter": {} })).expect("stories");
    let items: u64 = stories
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|s| s["item_count"].as_u64())
        .sum();
    assert_eq!(items, 3, "{stories}");
}

#[test]
fn watches_aliases_and_alerts_round_trip() {
    let app = app();
    let story = seed(&app);
    // "Julia" is too short a name for a cross-script skeleton: the alias list carries it to the
    // Arabic (جوليا) and Persian (جولیا) spellings.
    let julia = invoke(
        &app,
        "add_alias",
        json!({ "spellings": ["Julia", "جوليا", "جولیا", "Julia"] }),
    )
    .expect("alias");
    assert_eq!(
        julia["spellings"],
        json!(["Julia", "جوليا", "جولیا"]),
        "duplicates dropped"
    );
    // A Latin-letter name, run over the stored archive: the Arabic, Persian and English items all
    // match, and the story raises one alert, not three.
    let added = invoke(
        &app,
        "add_watch",
        json!({ "watch": { "name": null, "rule": { "kind": "terms", "terms": [" Julia "] }, "backfill": true } }),
    )
    .expect("add watch");
    assert_eq!(added["backfilled"], 1, "{added}");
    assert_eq!(
        added["watch"]["name"], "Julia",
        "terms are trimmed: {added}"
    );
    let watch_id = added["watch"]["id"].clone();
    let watches = invoke(&app, "watches", json!({})).expect("watches");
    assert_eq!(watches.as_array().map(Vec::len), Some(1), "{watches}");

    let alerts = invoke(&app, "alerts", json!({ "limit": 50 })).expect("alerts");
    let alerts = alerts.as_array().expect("alert list");
    assert_eq!(alerts.len(), 1, "one alert per story: {alerts:?}");
    assert_eq!(alerts[0]["story_id"], story);
    assert_eq!(alerts[0]["watch_id"], watch_id);
    assert_eq!(alerts[0]["matches"], 3, "all three spellings matched");
    assert_eq!(
        alerts[0]["lang"], "ar",
        "the first matching item is the Arabic one"
    );

    // Bad terms are refused with a message the UI shows as is.
    for (term, needle) in [("", "cannot be empty"), ("S", "too short")] {
        let err = invoke(
            &app,
            "add_watch",
            json!({ "watch": { "name": null, "rule": { "kind": "terms", "terms": [term] }, "backfill": false } }),
        )
        .expect_err("bad term");
        assert_eq!(err["code"], "precondition", "{err}");
        assert!(
            err["message"].as_str().is_some_and(|m| m.contains(needle)),
            "{term:?}: {err}"
        );
    }
    // A story rule and a language watch go through the same command.
    invoke(
        &app,
        "add_watch",
        json!({ "watch": { "name": "cross-lingual", "rule": { "kind": "story_languages", "at_least": 3 }, "backfill": true } }),
    )
    .expect("story rule");
    invoke(
        &app,
        "add_watch",
        json!({ "watch": { "name": null, "rule": { "kind": "language", "lang": "fa" }, "backfill": false } }),
    )
    .expect("language watch");
    let alerts = invoke(&app, "alerts", json!({ "limit": 50 })).expect("alerts");
    assert_eq!(alerts.as_array().map(Vec::len), Some(2), "{alerts}");

    let err = invoke(&app, "add_alias", json!({ "spellings": ["Julia"] })).expect_err("one");
    assert_eq!(err["code"], "precondition", "{err}");
    let group = invoke(
        &app,
        "add_alias",
        json!({ "spellings": ["Tigray", "تيغراي"] }),
    )
    .expect("second alias");
    assert_eq!(
        invoke(&app, "aliases", json!({})).map(|a| a.as_array().map(Vec::len)),
        Ok(Some(2))
    );
    invoke(&app, "remove_alias", json!({ "id": group["id"] })).expect("remove alias");
    assert_eq!(
        invoke(&app, "aliases", json!({})).map(|a| a.as_array().map(Vec::len)),
        Ok(Some(1))
    );

    invoke(&app, "remove_watch", json!({ "id": watch_id })).expect("remove watch");
    let watches = invoke(&app, "watches", json!({})).expect("watches");
    assert_eq!(watches.as_array().map(Vec::len), Some(2), "{watches}");
}

#[test]
fn exports_are_written_only_where_the_save_target_says() {
    let app = app();
    let story = seed(&app);
    let out = tempfile::tempdir().expect("out dir");
    tauri::Manager::manage(
        &app._app,
        parallax_app::SaveTarget::Directory(out.path().into()),
    );

    let path = invoke(
        &app,
        "export_story",
        json!({ "storyId": story, "format": "html" }),
    )
    .expect("html");
    let path = std::path::PathBuf::from(path.as_str().expect("a path"));
    assert_eq!(path.parent(), Some(out.path()), "{path:?}");
    let html = std::fs::read_to_string(&path).expect("report written");
    assert!(html.contains("توفند جولیا"), "Persian headline");
    assert!(html.contains("dir=\"rtl\""), "right-to-left text is marked");
    assert!(!html.contains("<script"), "the report runs no script");

    let path = invoke(
        &app,
        "export_story",
        json!({ "storyId": story, "format": "csv" }),
    )
    .expect("csv");
    let text = std::fs::read_to_string(path.as_str().expect("path")).expect("csv written");
    let mut rows = csv::Reader::from_reader(text.trim_start_matches('\u{FEFF}').as_bytes());
    let langs: Vec<String> = rows
        .records()
        .map(|r| r.expect("csv row")[5].to_string())
        .collect();
    assert_eq!(langs, ["ar", "fa", "en"]);

    let path = invoke(
        &app,
        "export_story",
        json!({ "storyId": story, "format": "json" }),
    )
    .expect("json");
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(path.as_str().expect("path")).expect("json written"),
    )
    .expect("json parses");
    assert_eq!(doc["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(doc["attribution"].as_array().map(Vec::len), Some(3));

    let path = invoke(
        &app,
        "export_search",
        json!({ "query": { "text": "جولیا", "filter": {}, "semantic": false, "limit": 20 } }),
    )
    .expect("search csv");
    let text = std::fs::read_to_string(path.as_str().expect("path")).expect("search written");
    let mut rows = csv::Reader::from_reader(text.trim_start_matches('\u{FEFF}').as_bytes());
    assert!(rows.records().count() >= 2, "both spellings found: {text}");

    // An unknown story is refused before anything is written.
    let before = std::fs::read_dir(out.path()).expect("dir").count();
    let err = invoke(
        &app,
        "export_story",
        json!({ "storyId": 999, "format": "html" }),
    )
    .expect_err("unknown story");
    assert_eq!(err["code"], "precondition", "{err}");
    assert_eq!(std::fs::read_dir(out.path()).expect("dir").count(), before);
}

#[test]
fn a_notification_names_the_watch_the_reason_and_the_outlet() {
    let alert = parallax::api::AlertView {
        id: 1,
        watch_id: 1,
        watch_name: "Julia".into(),
        story_id: 1,
        title: "در نتیجه توفند جولیا بیش از ۹۱ نفر در سراسر آمریکای جنوبی و مرکزی کشته شدند."
            .into(),
        lang: Lang::Fa,
        source_name: "ویکی‌پدیا".into(),
        reason: "Julia (جولیا)".into(),
        matches: 1,
        story_items: 1,
        story_languages: vec![Lang::Fa],
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
        due_at: chrono::Utc::now(),
        delivered: false,
        seen: false,
    };
    let (title, body) = parallax_app::notification_text(&alert);
    assert_eq!(title, "Julia: Julia (جولیا)");
    assert_eq!(
        body,
        "در نتیجه توفند جولیا بیش از ۹۱ نفر در سراسر آمریکای جنوبی و مرکزی کشته شدند.\nویکی‌پدیا"
    );
}

/// A team server (`parallax serve`'s router) on loopback over its own archive (the demo), on a
/// thread with its own runtime; returns its address and an editor's and a reader's tokens.
fn team_server(dir: &std::path::Path) -> (String, String, String) {
    let engine = parallax::api::Engine::open(EngineConfig {
        seed_catalog: false,
        model_path: Some(dir.join("no-model")),
        ..EngineConfig::new(dir.join("team.db"))
    })
    .expect("team engine");
    engine.load_demo_archive(None).expect("demo archive");
    let editor = engine
        .add_user("maryam", parallax::store::Role::Editor)
        .expect("editor");
    let reader = engine
        .add_user("omid", parallax::store::Role::Reader)
        .expect("reader");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            parallax::serve::serve(engine, listener, std::future::pending())
                .await
                .expect("serve");
        });
    });
    (base, editor, reader)
}

#[test]
fn the_app_switches_to_a_team_archive_and_back_without_restarting() {
    let app = app();
    let local_story = seed(&app);
    let team_dir = tempfile::tempdir().expect("team dir");
    let (base, editor, reader) = team_server(team_dir.path());
    let ids = |v: &Value| -> Vec<i64> {
        v.as_array()
            .expect("list")
            .iter()
            .map(|s| s["id"].as_i64().expect("id"))
            .collect()
    };
    let all = json!({ "filter": { "limit": 500 } });

    let info = invoke(&app, "archive_info", json!({})).expect("info");
    assert_eq!(info["kind"], "local", "{info}");
    assert_eq!(
        ids(&invoke(&app, "list_stories", all.clone()).expect("local")),
        vec![local_story]
    );

    // Wrong token, wrong address: refused with a reason, still local.
    let bad = invoke(
        &app,
        "connect_team",
        json!({ "server": base, "token": "plx_00" }),
    )
    .expect_err("unknown token");
    assert!(
        bad["message"]
            .as_str()
            .unwrap_or("")
            .contains("refused the token"),
        "{bad}"
    );
    let bad = invoke(
        &app,
        "connect_team",
        json!({ "server": format!("{base}/wrong/"), "token": reader }),
    )
    .expect_err("wrong address");
    assert!(
        bad["message"]
            .as_str()
            .unwrap_or("")
            .contains("not as a Parallax team server"),
        "{bad}"
    );
    assert_eq!(
        invoke(&app, "archive_info", json!({})).expect("info")["kind"],
        "local"
    );

    // The reader's view of the team archive: the same commands, the server's answers.
    let info = invoke(
        &app,
        "connect_team",
        json!({ "server": base, "token": reader }),
    )
    .expect("connect");
    assert_eq!(
        (
            info["kind"].as_str(),
            info["user"].as_str(),
            info["role"].as_str()
        ),
        (Some("team"), Some("omid"), Some("reader")),
        "{info}"
    );
    assert!(
        !info.to_string().contains(&reader),
        "the token never reaches the webview: {info}"
    );
    let team_ids = ids(&invoke(&app, "list_stories", all.clone()).expect("team stories"));
    assert!(team_ids.len() > 50, "{} team stories", team_ids.len());
    let status = invoke(&app, "status", json!({})).expect("status");
    assert_eq!(status["items"], 503, "{status}");
    let story = invoke(&app, "get_story", json!({ "storyId": team_ids[0] })).expect("story");
    assert!(!story["items"].as_array().expect("items").is_empty());
    let found = invoke(&app, "search", json!({ "query": { "text": "تركيه" } })).expect("search");
    assert!(found.to_string().contains("ترکیه"), "{found}");
    let location = invoke(&app, "data_location", json!({})).expect("location");
    assert!(
        location.as_str().unwrap_or("").starts_with(&base),
        "{location}"
    );
    // The team's watches and aliases: a reader lists them, may not change them.
    assert_eq!(
        invoke(&app, "watches", json!({})).expect("watches"),
        json!([])
    );
    assert_eq!(
        invoke(&app, "aliases", json!({})).expect("aliases"),
        json!([])
    );
    let watch = json!({ "watch": { "name": null, "rule": { "kind": "terms", "terms": ["Turkey"] }, "backfill": true } });
    let refused = invoke(&app, "add_watch", watch.clone()).expect_err("reader may not add");
    assert!(
        refused["message"]
            .as_str()
            .unwrap_or("")
            .contains("omid is a reader"),
        "{refused}"
    );
    // What the server does on its own schedule is refused with the reason, not "yet".
    let regroup = invoke(&app, "regroup_all", json!({})).expect_err("server groups");
    let why = regroup["message"].as_str().unwrap_or("");
    assert!(
        why.contains("done by the team server") && !why.contains("yet"),
        "{regroup}"
    );
    // A reader exports: the server makes the file, the app saves it.
    let out = tempfile::tempdir().expect("export dir");
    tauri::Manager::manage(
        &app._app,
        parallax_app::SaveTarget::Directory(out.path().into()),
    );
    let saved = invoke(
        &app,
        "export_story",
        json!({ "storyId": team_ids[0], "format": "json" }),
    )
    .expect("export");
    let file = std::fs::read_to_string(saved.as_str().expect("path")).expect("exported file");
    let parsed: Value = serde_json::from_str(&file).expect("JSON export");
    assert_eq!(parsed["summary"]["id"], team_ids[0], "{file}");
    // A reader's correction: the server's 403 message.
    let refused = invoke(
        &app,
        "merge_stories",
        json!({ "into": team_ids[0], "from": team_ids[1] }),
    )
    .expect_err("reader may not merge");
    assert!(
        refused["message"]
            .as_str()
            .unwrap_or("")
            .contains("omid is a reader"),
        "{refused}"
    );

    // An editor (an empty token keeps the saved one; a new one replaces it).
    invoke(
        &app,
        "connect_team",
        json!({ "server": base, "token": editor }),
    )
    .expect("editor");
    invoke(
        &app,
        "merge_stories",
        json!({ "into": team_ids[0], "from": team_ids[1] }),
    )
    .expect("merge");
    let after = ids(&invoke(&app, "list_stories", all.clone()).expect("after"));
    assert_eq!(after.len(), team_ids.len() - 1);
    assert!(!after.contains(&team_ids[1]));
    // The editor's watch is the team's, named as theirs, and raises alerts over the archive.
    let added = invoke(&app, "add_watch", watch).expect("editor adds a watch");
    assert_eq!(
        added["watch"]["created_by"],
        Value::Null,
        "a SQLite server keeps no creator"
    );
    assert!(
        added["backfilled"].as_u64().expect("backfilled") > 0,
        "{added}"
    );
    let listed = invoke(&app, "watches", json!({})).expect("watches");
    assert_eq!(listed[0]["id"], added["watch"]["id"], "{listed}");
    assert!(
        !invoke(&app, "alerts", json!({ "limit": 10 }))
            .expect("alerts")
            .as_array()
            .expect("list")
            .is_empty()
    );
    let group = invoke(
        &app,
        "add_alias",
        json!({ "spellings": ["Turkey", "Türkiye"] }),
    )
    .expect("alias");
    invoke(&app, "remove_alias", json!({ "id": group["id"] })).expect("remove alias");
    invoke(&app, "remove_watch", json!({ "id": added["watch"]["id"] })).expect("remove watch");
    assert_eq!(
        invoke(&app, "watches", json!({})).expect("watches"),
        json!([])
    );

    // Back to the local archive, then to the team again with the saved token.
    let info = invoke(&app, "use_local_archive", json!({})).expect("local");
    assert_eq!(
        (info["kind"].as_str(), info["token_saved"].as_bool()),
        (Some("local"), Some(true)),
        "{info}"
    );
    assert_eq!(
        ids(&invoke(&app, "list_stories", all.clone()).expect("local")),
        vec![local_story]
    );
    let info =
        invoke(&app, "connect_team", json!({ "server": base, "token": "" })).expect("saved token");
    assert_eq!(info["user"], "maryam", "{info}");
}

#[test]
fn alerts_marked_seen_are_kept_in_the_archive() {
    let app = app();
    let story = seed(&app);
    invoke(
        &app,
        "add_alias",
        json!({ "spellings": ["Julia", "جوليا", "جولیا"] }),
    )
    .expect("alias");
    invoke(
        &app,
        "add_watch",
        json!({ "watch": { "name": null, "rule": { "kind": "terms", "terms": ["Julia"] }, "backfill": true } }),
    )
    .expect("add watch");
    invoke(
        &app,
        "add_watch",
        json!({ "watch": { "name": "cross-lingual", "rule": { "kind": "story_languages", "at_least": 3 }, "backfill": true } }),
    )
    .expect("story rule");
    assert_eq!(invoke(&app, "unseen_alert_count", json!({})), Ok(json!(2)));
    let alerts = invoke(&app, "alerts", json!({ "limit": 50 })).expect("alerts");
    let alerts = alerts.as_array().expect("alert list").clone();
    assert!(alerts.iter().all(|a| a["seen"] == false), "{alerts:?}");
    assert!(alerts.iter().all(|a| a["story_id"] == story));

    let report = invoke(&app, "mark_alert_seen", json!({ "id": alerts[0]["id"] })).expect("mark");
    assert_eq!(report, json!({ "marked": 1, "unseen": 1 }));
    // Another process on the archive (the CLI, a second app) sees the same state.
    let other = open_second_engine(&app);
    let seen: Vec<bool> = other
        .alerts(None, 50)
        .expect("alerts")
        .iter()
        .map(|a| a.seen)
        .collect();
    assert_eq!(seen, vec![true, false]);
    assert_eq!(other.unseen_alerts(None, 50).expect("unseen").len(), 1);

    let err = invoke(&app, "mark_alert_seen", json!({ "id": 999_999 })).expect_err("unknown");
    assert_eq!(err["code"], "precondition", "{err}");
    // "Mark all seen" up to the older alert only: the newer one stays new.
    let older = alerts.iter().map(|a| a["id"].as_i64().expect("id")).min();
    let newer = alerts.iter().map(|a| a["id"].as_i64().expect("id")).max();
    if older != alerts[0]["id"].as_i64() {
        let r = invoke(&app, "mark_all_alerts_seen", json!({ "upTo": older })).expect("up to");
        assert_eq!(r["marked"], 1, "{r}");
    }
    let r = invoke(&app, "mark_all_alerts_seen", json!({ "upTo": newer })).expect("all");
    assert_eq!(r["unseen"], 0, "{r}");
    assert_eq!(invoke(&app, "unseen_alert_count", json!({})), Ok(json!(0)));
    assert_eq!(
        invoke(&app, "mark_all_alerts_seen", json!({ "upTo": null })).map(|r| r["marked"].clone()),
        Ok(json!(0))
    );
}

/// A tiny HTTP/1.1 server on 127.0.0.1 for the article fetch: `/robots.txt` 404 (no rules),
/// `/article` a real Persian article page (a committed fixture), `/report.pdf` a PDF.
fn article_server() -> String {
    use std::io::{BufRead, BufReader, Write};
    let page = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/articles/fa-1-news.html"),
    )
    .expect("fixture page");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            // Read the headers through to the blank line.
            let mut line = String::new();
            while reader.read_line(&mut line).map(|n| n > 2).unwrap_or(false) {
                line.clear();
            }
            let path = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .to_string();
            let (status, ctype, body): (&str, &str, Vec<u8>) = match path.as_str() {
                "/article" => ("200 OK", "text/html; charset=utf-8", page.clone()),
                "/report.pdf" => ("200 OK", "application/pdf", b"%PDF-1.7 not a page".to_vec()),
                _ => ("404 Not Found", "text/plain", b"no".to_vec()),
            };
            let mut out = &stream;
            let _ = write!(
                out,
                "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = out.write_all(&body);
        }
    });
    format!("http://{addr}")
}

#[test]
fn an_items_article_is_fetched_and_read_over_ipc() {
    let app = app();
    let base = article_server();
    let engine = open_second_engine(&app);
    engine
        .save_sources(&[source("irna", "IRNA", Lang::Fa, Ownership::State)])
        .expect("source");
    let mut good = item("irna", "a1", "انفجار در بندر شهید رجایی", 0);
    good.url = Some(format!("{base}/article"));
    let mut pdf = item("irna", "a2", "گزارش سالانه", 5);
    pdf.url = Some(format!("{base}/report.pdf"));
    let ids: Vec<i64> = engine
        .store_items(&[(good, Lang::Fa), (pdf, Lang::Fa)])
        .expect("items")
        .into_iter()
        .flatten()
        .collect();
    drop(engine);

    let view = invoke(&app, "article", json!({ "itemId": ids[0] })).expect("article");
    assert_eq!(view["article"]["status"], "none", "{view}");
    assert_eq!(view["can_fetch"], true);
    assert_eq!(view["lang"], "fa");
    let briefs = invoke(&app, "article_statuses", json!({ "itemIds": ids })).expect("statuses");
    assert_eq!(briefs[0], json!({ "item_id": ids[0], "status": "none" }));

    let view = invoke(&app, "fetch_article", json!({ "itemId": ids[0] })).expect("fetch");
    assert_eq!(view["article"]["status"], "text", "{view}");
    let gold = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/articles/fa-1-news.gold.txt"),
    )
    .expect("gold");
    let opening: String = gold.chars().take(30).collect();
    assert!(
        view["article"]["text"]
            .as_str()
            .is_some_and(|t| t.contains(&opening)),
        "{view}"
    );
    assert_eq!(view["article"]["url"], format!("{base}/article"));
    assert!(view["article"]["fetched_at"].as_str().is_some());

    // Not a page: the error is the item's, shown with it; the item keeps its feed text.
    let view = invoke(&app, "fetch_article", json!({ "itemId": ids[1] })).expect("fetch pdf");
    assert_eq!(view["article"]["status"], "error", "{view}");
    assert!(
        view["article"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("application/pdf")),
        "{view}"
    );
    let briefs = invoke(&app, "article_statuses", json!({ "itemIds": ids })).expect("statuses");
    assert_eq!(briefs[0]["status"], "text");
    assert_eq!(briefs[1]["status"], "error");

    // Switched off for the outlet: no fetch is offered, and one asked for is refused.
    open_second_engine(&app)
        .set_source_fulltext("irna", parallax::fulltext::FulltextMode::Off)
        .expect("off");
    let view = invoke(&app, "article", json!({ "itemId": ids[1] })).expect("article");
    assert_eq!(view["can_fetch"], false);
    let err = invoke(&app, "fetch_article", json!({ "itemId": ids[1] })).expect_err("off");
    assert_eq!(err["code"], "precondition", "{err}");
    let err = invoke(&app, "article", json!({ "itemId": 999_999 })).expect_err("unknown");
    assert_eq!(err["code"], "precondition", "{err}");
}

#[test]
fn a_notification_click_names_its_alert_and_story() {
    use tauri_plugin_notification::ActionPerformed;
    // The payload the plugin reports on Linux: `tap` (the server's `default` action) with the
    // notification's data as it was shown, `extra` included.
    let action = |id: &str, extra: Value| -> ActionPerformed {
        serde_json::from_value(json!({
            "actionId": id,
            "inputValue": null,
            "notification": { "id": 7, "title": "Julia", "body": "…", "extra": extra,
                "groupSummary": false, "inboxLines": [], "attachments": [], "ongoing": false,
                "autoCancel": false, "silent": false }
        }))
        .expect("action")
    };
    assert_eq!(
        parallax_app::story_of_action(&action("tap", json!({ "alert_id": 7, "story_id": 42 }))),
        Some(parallax_app::OpenStory {
            story_id: 42,
            alert_id: 7
        })
    );
    assert_eq!(
        parallax_app::story_of_action(&action("dismiss", json!({ "alert_id": 7, "story_id": 42 }))),
        None
    );
    assert_eq!(
        parallax_app::story_of_action(&action("tap", json!({}))),
        None
    );
}
