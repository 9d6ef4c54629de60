//! Which archive the app shows: the local one (the engine, SQLite) or a team server
//! (`parallax::remote::TeamClient`). Switching needs no restart; the choice, the server and the
//! token are kept in `team.json` in the app's config directory (readable by the user only), and
//! the app reconnects on the next start. The token is never logged or sent to the webview.
//! While a team archive is shown, its server's event stream is followed and passed to the views
//! as the local engine's changes are, so others' corrections and new items appear as they happen.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use parallax::api::{ApiError, ApiResult, Change};
use parallax::error::Code;
use parallax::remote::TeamClient;
use parallax::store::Role;
use serde::{Deserialize, Serialize};
use tokio::sync::{OnceCell, RwLock};

/// What the app does only on its local archive: on a team archive the server does it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    Refresh,
    Regroup,
    Model,
    Demo,
}

impl Feature {
    /// Why it is not offered on a team archive; the UI shows this text as is.
    pub fn refusal(self) -> &'static str {
        match self {
            Feature::Refresh => {
                "Refreshing is done by the team server: it fetches every source on its own schedule, so there is nothing for the app to fetch. Switch to the local archive in Settings to refresh it"
            }
            Feature::Regroup => {
                "Regrouping is done by the team server: it groups stories as items arrive (corrections stay). Switch to the local archive in Settings to regroup it"
            }
            Feature::Model => {
                "The team server uses the model installed where it runs; installing one here would change only the local archive. Switch to the local archive in Settings to install it"
            }
            Feature::Demo => {
                "The demo archive loads into the local archive only: a team archive holds what the team server fetches. Switch to the local archive in Settings to load it"
            }
        }
    }
}

/// What `team.json` holds.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct Saved {
    /// Show the team archive (else the local one).
    use_team: bool,
    server: String,
    token: String,
}

/// What the UI is told: never the token.
#[derive(Debug, Clone, Serialize)]
pub struct ArchiveInfo {
    /// `"local"` or `"team"`.
    pub kind: &'static str,
    /// The team server last used (pre-fills the form), also when the local archive is shown.
    pub server: Option<String>,
    /// A token is saved for `server` (the form may leave the token empty to reuse it).
    pub token_saved: bool,
    pub user: Option<String>,
    pub role: Option<Role>,
    /// Why the saved team archive could not be reopened at start (the local one is shown).
    pub error: Option<String>,
}

#[derive(Default)]
struct Current {
    client: Option<TeamClient>,
    saved: Saved,
    error: Option<String>,
}

/// Where the team server's changes go (the webview's change event).
type Sink = Arc<dyn Fn(Change) + Send + Sync>;

pub struct Team {
    file: PathBuf,
    current: RwLock<Current>,
    /// Reconnecting to the saved server happens once, on first use (so the window opens at
    /// once; the first view waits for it instead of showing the wrong archive).
    restored: OnceCell<()>,
    sink: OnceLock<Sink>,
    /// The task following the shown server's event stream (replaced on every switch).
    follower: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

/// Longest pause between reconnects to a server's event stream.
const MAX_RECONNECT_WAIT: Duration = Duration::from_secs(60);

/// Follow `client`'s event stream for as long as it is the archive shown, reconnecting with a
/// growing pause when it drops; after a drop the views reload (changes may have been missed).
async fn follow(client: TeamClient, sink: Sink) {
    let mut wait = Duration::from_secs(1);
    loop {
        let mut heard = false;
        let result = client
            .follow_events(|c| {
                heard = true;
                sink(c)
            })
            .await;
        match result {
            // The server offers no event stream (a SQLite archive): views reload when opened.
            Ok(false) => return,
            // The stream was open and ended (the server restarted): reconnect soon.
            Ok(true) => heard = true,
            Err(e) => eprintln!("parallax: team server events: {}", e.message),
        }
        sink(Change::StoriesUpdated { ids: vec![] });
        if heard {
            wait = Duration::from_secs(1);
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(MAX_RECONNECT_WAIT);
    }
}

impl Team {
    pub fn new(file: PathBuf) -> Self {
        Team {
            file,
            current: RwLock::new(Current::default()),
            restored: OnceCell::new(),
            sink: OnceLock::new(),
            follower: Mutex::new(None),
        }
    }

    /// Pass the team server's changes to `sink` from now on (set once, at start).
    pub fn on_change(&self, sink: impl Fn(Change) + Send + Sync + 'static) {
        let _ = self.sink.set(Arc::new(sink));
    }

    /// Follow `client`'s events (or none, for the local archive) instead of the previous ones.
    fn follow_events(&self, client: Option<&TeamClient>) {
        let next = match (client, self.sink.get()) {
            (Some(c), Some(sink)) => Some(tokio::spawn(follow(c.clone(), sink.clone()))),
            _ => None,
        };
        let mut slot = self.follower.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = std::mem::replace(&mut *slot, next) {
            old.abort();
        }
    }

    async fn restore(&self) {
        self.restored
            .get_or_init(|| async {
                let saved = match self.load() {
                    Ok(s) => s,
                    Err(e) => {
                        self.current.write().await.error = Some(e);
                        return;
                    }
                };
                let mut cur = self.current.write().await;
                if saved.use_team {
                    match TeamClient::connect(&saved.server, &saved.token).await {
                        Ok(c) => {
                            self.follow_events(Some(&c));
                            cur.client = Some(c)
                        }
                        Err(e) => {
                            cur.error = Some(format!(
                                "could not reopen the team archive at {}: {}",
                                saved.server, e.message
                            ))
                        }
                    }
                }
                cur.saved = saved;
            })
            .await;
    }

    /// The team server when the team archive is shown, `None` for the local archive.
    pub async fn client(&self) -> Option<TeamClient> {
        self.restore().await;
        self.current.read().await.client.clone()
    }

    /// Refuse, on a team archive, a feature that belongs to the local archive only, with the
    /// reason (the UI shows the message as is).
    pub async fn local_only(&self, feature: Feature) -> ApiResult<()> {
        match self.client().await {
            None => Ok(()),
            Some(_) => Err(ApiError::precondition(feature.refusal())),
        }
    }

    pub async fn info(&self) -> ArchiveInfo {
        self.restore().await;
        let cur = self.current.read().await;
        let server = (!cur.saved.server.is_empty()).then(|| cur.saved.server.clone());
        ArchiveInfo {
            kind: if cur.client.is_some() {
                "team"
            } else {
                "local"
            },
            server,
            token_saved: !cur.saved.token.is_empty(),
            user: cur.client.as_ref().map(|c| c.user().name.clone()),
            role: cur.client.as_ref().map(|c| c.user().role),
            error: cur.error.clone(),
        }
    }

    /// Connect to a team server and show it. An empty token reuses the saved one. On failure
    /// nothing changes (the archive shown stays the same) and the error says what was wrong.
    pub async fn connect(&self, server: &str, token: &str) -> ApiResult<ArchiveInfo> {
        self.restore().await;
        let token = if token.trim().is_empty() {
            self.current.read().await.saved.token.clone()
        } else {
            token.trim().to_string()
        };
        let client = TeamClient::connect(server, &token).await?;
        let saved = Saved {
            use_team: true,
            server: client.server().to_string(),
            token,
        };
        self.save(&saved)?;
        self.follow_events(Some(&client));
        {
            let mut cur = self.current.write().await;
            cur.client = Some(client);
            cur.saved = saved;
            cur.error = None;
        }
        Ok(self.info().await)
    }

    /// Show the local archive again; the server and token stay saved for the next connect.
    pub async fn use_local(&self) -> ApiResult<ArchiveInfo> {
        self.restore().await;
        let saved = Saved {
            use_team: false,
            ..self.current.read().await.saved.clone()
        };
        self.save(&saved)?;
        self.follow_events(None);
        {
            let mut cur = self.current.write().await;
            cur.client = None;
            cur.saved = saved;
            cur.error = None;
        }
        Ok(self.info().await)
    }

    fn load(&self) -> Result<Saved, String> {
        match std::fs::read_to_string(&self.file) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                format!(
                    "{} is damaged ({e}): connect to the team server again",
                    self.file.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Saved::default()),
            Err(e) => Err(format!("cannot read {}: {e}", self.file.display())),
        }
    }

    /// Write `team.json` whole (a temporary file renamed over it), readable by the user only.
    fn save(&self, saved: &Saved) -> ApiResult<()> {
        let fail = |e: std::io::Error| {
            ApiError::new(
                Code::Storage,
                format!(
                    "cannot save the team settings in {}: {e}",
                    self.file.display()
                ),
            )
        };
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let text = serde_json::to_vec_pretty(saved)
            .map_err(|e| ApiError::new(Code::Internal, format!("team settings: {e}")))?;
        let tmp = self.file.with_extension("json.tmp");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&tmp).map_err(fail)?;
        f.write_all(&text).map_err(fail)?;
        f.sync_all().map_err(fail)?;
        std::fs::rename(&tmp, &self.file).map_err(fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unreachable_server_changes_nothing_and_local_is_saved_without_losing_the_server() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("team.json");
        let team = Team::new(file.clone());
        assert_eq!(team.info().await.kind, "local");
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let e = team
            .connect(&format!("127.0.0.1:{port}"), "plx_x")
            .await
            .unwrap_err();
        assert_eq!(e.code, Code::Network, "{e}");
        assert!(!file.exists(), "a failed connect saves nothing");

        // A saved team choice whose server is gone: the local archive is shown, with the reason.
        std::fs::write(
            &file,
            format!(r#"{{"use_team":true,"server":"http://127.0.0.1:{port}/","token":"plx_y"}}"#),
        )
        .unwrap();
        let team = Team::new(file.clone());
        let info = team.info().await;
        assert_eq!(info.kind, "local");
        assert!(info.token_saved);
        assert!(info.error.unwrap().contains("could not reopen"));
        let info = team.use_local().await.unwrap();
        assert_eq!(
            info.server.as_deref(),
            Some(&*format!("http://127.0.0.1:{port}/"))
        );
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.contains("\"use_team\": false") && text.contains("plx_y"),
            "{text}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(
                mode & 0o077,
                0,
                "only the user may read the token: {mode:o}"
            );
        }
        let shown = serde_json::to_string(&info).unwrap();
        assert!(!shown.contains("plx_y"), "{shown}");
    }
}
