//! A client of a team server (`parallax serve`): the same calls as the local `Engine`, over HTTP
//! with an API token, returning the same transfer types, so the desktop app can show a team
//! archive through the views it already has. Server errors keep the server's `{code, message}`
//! (a reader's correction shows the server's 403 message as it is).

use std::fmt;
use std::time::Duration;

use reqwest::{Method, RequestBuilder, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::api::{
    AlertView, AliasGroup, ApiError, ApiResult, ArticleBrief, ArticleView, Change, Explanation,
    ExportFormat, ImportReport, NewWatch, RelatedStories, SearchGroup, SearchQuery, SeenReport,
    SourceView, StatusLine, StoryCarry, StoryDetail, StoryFraming, StorySummary, WatchAdded,
};
use crate::error::Code;
use crate::model::Source;
use crate::store::{StoryFilter, TeamUser};
use crate::watch::Watch;

/// How long connecting may take: a wrong address should fail while the user still looks.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one call may take (a search over a large archive is the slowest).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest silence on the event stream before it counts as dead (the server sends a keep-alive
/// comment every 15 s).
const EVENTS_SILENCE: Duration = Duration::from_secs(45);

/// A connection to one team server as one user. Cheap to clone (the HTTP pool is shared).
#[derive(Clone)]
pub struct TeamClient {
    base: Url,
    token: String,
    user: TeamUser,
    http: reqwest::Client,
}

/// Never prints the token.
impl fmt::Debug for TeamClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TeamClient")
            .field("base", &self.base.as_str())
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// The error body every server route answers with.
#[derive(Deserialize)]
struct ErrorBody {
    code: Code,
    message: String,
}

/// The server's `SeenReport` as it arrives (the engine's type is only serialised).
#[derive(Deserialize)]
struct Seen {
    marked: u32,
    unseen: u32,
}

impl From<Seen> for SeenReport {
    fn from(s: Seen) -> Self {
        SeenReport {
            marked: s.marked,
            unseen: s.unseen,
        }
    }
}

/// The server's address as typed: `http(s)://host[:port][/prefix]`, a missing scheme meaning
/// http, the path kept as a prefix (for a server behind a reverse proxy under a path).
pub fn parse_server_url(text: &str) -> ApiResult<Url> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::precondition("enter the team server's address"));
    }
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("http://{text}")
    };
    let mut url = Url::parse(&with_scheme)
        .map_err(|e| ApiError::precondition(format!("“{text}” is not a server address ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ApiError::precondition(format!(
            "“{text}” is not an http:// or https:// server address"
        )));
    }
    url.set_query(None);
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn unreachable(base: &Url, e: &reqwest::Error) -> ApiError {
    let why = if e.is_timeout() {
        "it did not answer in time".to_string()
    } else {
        // The innermost cause says what happened (connection refused, no such host, TLS).
        let mut cause: &dyn std::error::Error = e;
        while let Some(next) = cause.source() {
            cause = next;
        }
        cause.to_string()
    };
    ApiError::new(
        Code::Network,
        format!("cannot reach the team server at {base}: {why}"),
    )
}

impl TeamClient {
    /// Check the server (`/health` answers as a Parallax server does) and the token (`/api/me`),
    /// with errors that say which of the two is wrong.
    pub async fn connect(server: &str, token: &str) -> ApiResult<TeamClient> {
        let base = parse_server_url(server)?;
        let token = token.trim().to_string();
        if token.is_empty() {
            return Err(ApiError::precondition(
                "enter your API token (from `parallax users add`)",
            ));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("parallax-app/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::new(Code::Internal, format!("HTTP client: {e}")))?;

        let health = http
            .get(join(&base, "health")?)
            .send()
            .await
            .map_err(|e| unreachable(&base, &e))?;
        let status = health.status();
        let body: Option<serde_json::Value> = health
            .bytes()
            .await
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        let is_parallax = body
            .as_ref()
            .and_then(|b| b.get("status"))
            .and_then(|s| s.as_str())
            .is_some();
        if !is_parallax {
            return Err(ApiError::precondition(format!(
                "{base} answered, but not as a Parallax team server (GET /health: {status}): check the address"
            )));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            let why = body
                .as_ref()
                .and_then(|b| b.get("message"))
                .and_then(|m| m.as_str())
                .unwrap_or("no reason given");
            return Err(ApiError::new(
                Code::Storage,
                format!("the team server at {base} cannot reach its database: {why}"),
            ));
        }

        let mut client = TeamClient {
            base,
            token,
            user: TeamUser {
                name: String::new(),
                role: crate::store::Role::Reader,
            },
            http,
        };
        client.user = match client.get::<TeamUser>("api/me").await {
            Ok(u) => u,
            Err(e) if e.code == Code::Precondition && e.message.contains("token") => {
                return Err(ApiError::precondition(format!(
                    "the team server refused the token ({}): ask its admin for a new one",
                    e.message
                )));
            }
            Err(e) => return Err(e),
        };
        Ok(client)
    }

    /// The server's address, as normalised (`http://host:port/`).
    pub fn server(&self) -> &str {
        self.base.as_str()
    }

    /// Who the token belongs to, and their role.
    pub fn user(&self) -> &TeamUser {
        &self.user
    }

    pub async fn status(&self) -> ApiResult<StatusLine> {
        self.get("api/status").await
    }

    pub async fn list_stories(&self, filter: &StoryFilter) -> ApiResult<Vec<StorySummary>> {
        self.send(Method::POST, "api/stories/query", Some(filter))
            .await
    }

    pub async fn get_story(&self, story_id: i64) -> ApiResult<StoryDetail> {
        self.get(&format!("api/stories/{story_id}")).await
    }

    pub async fn search(&self, query: &SearchQuery) -> ApiResult<Vec<SearchGroup>> {
        self.send(Method::POST, "api/search/query", Some(query))
            .await
    }

    pub async fn story_carry(&self, story_id: i64) -> ApiResult<StoryCarry> {
        self.get(&format!("api/stories/{story_id}/carry")).await
    }

    pub async fn story_framing(&self, story_id: i64) -> ApiResult<StoryFraming> {
        self.get(&format!("api/stories/{story_id}/framing")).await
    }

    pub async fn related_stories(&self, story_id: i64, limit: u32) -> ApiResult<RelatedStories> {
        self.get(&format!("api/stories/{story_id}/related?limit={limit}"))
            .await
    }

    pub async fn explain_item(&self, item_id: i64) -> ApiResult<(i64, Explanation)> {
        self.get(&format!("api/items/{item_id}/explanation")).await
    }

    pub async fn list_sources(&self) -> ApiResult<Vec<SourceView>> {
        self.get("api/sources").await
    }

    pub async fn alerts(&self, limit: u32) -> ApiResult<Vec<AlertView>> {
        self.get(&format!("api/alerts?limit={limit}")).await
    }

    pub async fn unseen_alert_count(&self) -> ApiResult<u32> {
        self.get("api/alerts/unseen-count").await
    }

    pub async fn mark_alert_seen(&self, id: i64) -> ApiResult<SeenReport> {
        let body = serde_json::json!({});
        let r: Seen = self
            .send(Method::POST, &format!("api/alerts/{id}/seen"), Some(&body))
            .await?;
        Ok(r.into())
    }

    pub async fn mark_all_alerts_seen(&self, up_to: Option<i64>) -> ApiResult<SeenReport> {
        let body = serde_json::json!({ "up_to": up_to });
        let r: Seen = self
            .send(Method::POST, "api/alerts/seen", Some(&body))
            .await?;
        Ok(r.into())
    }

    pub async fn article(&self, item_id: i64) -> ApiResult<ArticleView> {
        self.get(&format!("api/items/{item_id}/article")).await
    }

    /// Which of these items have their article text stored (one request per 1,000 ids, the
    /// server's cap).
    pub async fn article_statuses(&self, item_ids: &[i64]) -> ApiResult<Vec<ArticleBrief>> {
        let mut out = Vec::with_capacity(item_ids.len());
        for chunk in item_ids.chunks(1000) {
            let ids: Vec<String> = chunk.iter().map(i64::to_string).collect();
            let part: Vec<ArticleBrief> = self
                .get(&format!("api/articles?ids={}", ids.join(",")))
                .await?;
            out.extend(part);
        }
        Ok(out)
    }

    /// "Fetch full text": the server fetches the page (editors only) and answers what to show.
    pub async fn fetch_article(&self, item_id: i64) -> ApiResult<ArticleView> {
        let body = serde_json::json!({});
        self.send(
            Method::POST,
            &format!("api/items/{item_id}/article/fetch"),
            Some(&body),
        )
        .await
    }

    /// Follow the server's event stream (`GET /api/events`), passing each event on as the
    /// engine's `Change` (what the local engine announces), until the stream ends or fails.
    /// `Ok(false)`: the server has no event stream (a SQLite-backed server); following it again
    /// is pointless. `Ok(true)` and errors: the stream was open and ended; reconnect.
    pub async fn follow_events(&self, mut on: impl FnMut(Change) + Send) -> ApiResult<bool> {
        use futures_util::StreamExt;
        // The stream lives as long as the server keeps it: no whole-request timeout, only the
        // silence check below.
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("parallax-app/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::new(Code::Internal, format!("HTTP client: {e}")))?;
        let req = http
            .get(join(&self.base, "api/events")?)
            .bearer_auth(&self.token)
            .header(reqwest::header::ACCEPT, "text/event-stream");
        let resp = match self.checked(req).await {
            Ok(r) => r,
            // Refused for this archive (its store has no change feed), not a network failure.
            Err(e) if e.code == Code::Precondition => return Ok(false),
            Err(e) => return Err(e),
        };
        let mut body = resp.bytes_stream();
        let mut parser = SseParser::default();
        loop {
            let chunk = match tokio::time::timeout(EVENTS_SILENCE, body.next()).await {
                Err(_) => {
                    return Err(ApiError::new(
                        Code::Network,
                        "the team server's event stream went silent",
                    ));
                }
                Ok(None) => return Ok(true),
                Ok(Some(Err(e))) => return Err(unreachable(&self.base, &e)),
                Ok(Some(Ok(bytes))) => bytes,
            };
            for (event, data) in parser.push(&chunk) {
                if let Some(change) = change_of(&event, &data) {
                    on(change);
                }
            }
        }
    }

    pub async fn merge_stories(&self, into: i64, from: i64) -> ApiResult<()> {
        let body = serde_json::json!({ "from": from });
        self.send_no_reply(&format!("api/stories/{into}/merge"), &body)
            .await
    }

    pub async fn move_item(&self, item_id: i64, to_story: i64) -> ApiResult<()> {
        let body = serde_json::json!({ "to": to_story });
        self.send_no_reply(&format!("api/items/{item_id}/move"), &body)
            .await
    }

    pub async fn split_story(&self, story_id: i64, item_ids: &[i64]) -> ApiResult<i64> {
        #[derive(Deserialize)]
        struct Reply {
            story: i64,
        }
        let body = serde_json::json!({ "items": item_ids });
        let r: Reply = self
            .send(
                Method::POST,
                &format!("api/stories/{story_id}/split"),
                Some(&body),
            )
            .await?;
        Ok(r.story)
    }

    /// The team's watches, each with who added it.
    pub async fn watches(&self) -> ApiResult<Vec<Watch>> {
        self.get("api/watches").await
    }

    /// Add a watch (editors); the server records the caller as its creator.
    pub async fn add_watch(&self, watch: &NewWatch) -> ApiResult<WatchAdded> {
        // `NewWatch` is only deserialised by the engine; its JSON is built here.
        let body = serde_json::json!({
            "name": watch.name,
            "rule": watch.rule,
            "backfill": watch.backfill,
        });
        self.send(Method::POST, "api/watches", Some(&body)).await
    }

    pub async fn remove_watch(&self, id: i64) -> ApiResult<()> {
        self.send_empty(Method::DELETE, &format!("api/watches/{id}"))
            .await
    }

    pub async fn aliases(&self) -> ApiResult<Vec<AliasGroup>> {
        self.get("api/aliases").await
    }

    pub async fn add_alias(&self, spellings: &[String]) -> ApiResult<AliasGroup> {
        let body = serde_json::json!({ "spellings": spellings });
        self.send(Method::POST, "api/aliases", Some(&body)).await
    }

    pub async fn remove_alias(&self, id: i64) -> ApiResult<()> {
        self.send_empty(Method::DELETE, &format!("api/aliases/{id}"))
            .await
    }

    /// A story exported by the server (the same engine call as a local export): the file's text.
    pub async fn export_story(&self, story_id: i64, format: ExportFormat) -> ApiResult<String> {
        let path = format!(
            "api/stories/{story_id}/export?format={}",
            format.extension()
        );
        self.text(self.request(Method::GET, &path)?).await
    }

    /// A search exported by the server as CSV.
    pub async fn export_search(&self, query: &SearchQuery) -> ApiResult<String> {
        let req = with_json(self.request(Method::POST, "api/search/export")?, query)?;
        self.text(req).await
    }

    /// Add a source by feed or homepage URL (editors); the server checks it by fetching it once.
    pub async fn add_source(&self, url: &str) -> ApiResult<Source> {
        let body = serde_json::json!({ "url": url });
        self.send(Method::POST, "api/sources", Some(&body)).await
    }

    pub async fn remove_source(&self, source_id: &str) -> ApiResult<()> {
        self.send_empty(
            Method::DELETE,
            &format!("api/sources/{}", segment(source_id)),
        )
        .await
    }

    pub async fn set_source_enabled(&self, source_id: &str, enabled: bool) -> ApiResult<()> {
        let body = serde_json::json!({ "enabled": enabled });
        let path = format!("api/sources/{}/enabled", segment(source_id));
        self.send_no_reply(&path, &body).await
    }

    /// Import an OPML file into the team archive (editors).
    pub async fn import_opml(&self, text: &str) -> ApiResult<ImportReport> {
        let req = self
            .request(Method::POST, "api/sources/opml")?
            .header(reqwest::header::CONTENT_TYPE, "text/x-opml; charset=utf-8")
            .body(text.to_string());
        let resp = self.checked(req).await?;
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| unreachable(&self.base, &e))?;
        serde_json::from_slice(&bytes).map_err(|e| unreadable("api/sources/opml", &e))
    }

    pub async fn export_opml(&self) -> ApiResult<String> {
        self.text(self.request(Method::GET, "api/sources/opml")?)
            .await
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> ApiResult<T> {
        self.send::<T, ()>(Method::GET, path, None).await
    }

    fn request(&self, method: Method, path: &str) -> ApiResult<RequestBuilder> {
        Ok(self
            .http
            .request(method, join(&self.base, path)?)
            .bearer_auth(&self.token))
    }

    async fn send<T: DeserializeOwned, B: serde::Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> ApiResult<T> {
        let mut req = self.request(method, path)?;
        if let Some(b) = body {
            req = with_json(req, b)?;
        }
        let resp = self.checked(req).await?;
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| unreachable(&self.base, &e))?;
        serde_json::from_slice::<T>(&bytes).map_err(|e| unreadable(path, &e))
    }

    async fn send_no_reply(&self, path: &str, body: &serde_json::Value) -> ApiResult<()> {
        let req = with_json(self.request(Method::POST, path)?, body)?;
        self.checked(req).await.map(drop)
    }

    /// A request whose answer has no body (`204 No Content`).
    async fn send_empty(&self, method: Method, path: &str) -> ApiResult<()> {
        self.checked(self.request(method, path)?).await.map(drop)
    }

    /// A request whose answer is a file's text (exports).
    async fn text(&self, req: RequestBuilder) -> ApiResult<String> {
        let resp = self.checked(req).await?;
        resp.text().await.map_err(|e| unreachable(&self.base, &e))
    }

    /// Send; a non-2xx answer becomes the server's own error (code and message).
    async fn checked(&self, req: RequestBuilder) -> ApiResult<reqwest::Response> {
        let resp = req.send().await.map_err(|e| unreachable(&self.base, &e))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let text = resp.text().await.unwrap_or_default();
        Err(match serde_json::from_str::<ErrorBody>(&text) {
            Ok(b) => ApiError::new(b.code, b.message),
            Err(_) if status == StatusCode::NOT_FOUND => ApiError::precondition(format!(
                "the team server does not offer this ({status}): it may be an older version"
            )),
            Err(_) => ApiError::new(Code::Network, format!("the team server answered {status}")),
        })
    }
}

/// Splits a server-sent event stream into `(event, data)` pairs as its bytes arrive (comments,
/// `id:` and `retry:` lines are dropped; multi-line data is joined with newlines).
#[derive(Default)]
struct SseParser {
    pending: Vec<u8>,
    event: String,
    data: Vec<String>,
}

impl SseParser {
    fn push(&mut self, bytes: &[u8]) -> Vec<(String, String)> {
        self.pending.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                if !self.data.is_empty() || !self.event.is_empty() {
                    let event = std::mem::take(&mut self.event);
                    let event = if event.is_empty() {
                        "message".to_string()
                    } else {
                        event
                    };
                    out.push((event, std::mem::take(&mut self.data).join("\n")));
                }
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "event" => self.event = value.to_string(),
                "data" => self.data.push(value.to_string()),
                _ => {}
            }
        }
        out
    }
}

/// The server's event (`serve::events`) as the change the local engine would announce; `None`
/// for the ones the views need not hear (`ready`, a feed that recovered).
fn change_of(event: &str, data: &str) -> Option<Change> {
    #[derive(Deserialize)]
    struct Added {
        source_id: String,
        count: u32,
    }
    #[derive(Deserialize)]
    struct Ids {
        ids: Vec<i64>,
    }
    #[derive(Deserialize)]
    struct Health {
        source_id: String,
        outcome: String,
        error_code: Option<String>,
        error: Option<String>,
    }
    match event {
        "items_added" => serde_json::from_str::<Added>(data)
            .ok()
            .map(|a| Change::ItemsAdded {
                source_id: a.source_id,
                count: a.count,
            }),
        "stories_updated" => serde_json::from_str::<Ids>(data)
            .ok()
            .map(|i| Change::StoriesUpdated { ids: i.ids }),
        "alerts" => serde_json::from_str::<Ids>(data)
            .ok()
            .map(|i| Change::AlertsRaised { ids: i.ids }),
        "source_health" => serde_json::from_str::<Health>(data)
            .ok()
            // A failure; a recovery needs no notice.
            .filter(|h| h.outcome == "error")
            .map(|h| Change::SourceFailed {
                source_id: h.source_id,
                code: h
                    .error_code
                    .and_then(|c| serde_json::from_value(serde_json::Value::String(c)).ok())
                    .unwrap_or(Code::Network),
                message: h.error.unwrap_or_else(|| "the feed failed".to_string()),
            }),
        // Events were missed: an empty update makes every view reload.
        "lagged" => Some(Change::StoriesUpdated { ids: vec![] }),
        _ => None,
    }
}

/// An answer that is not what this version expects.
fn unreadable(path: &str, e: &serde_json::Error) -> ApiError {
    ApiError::new(
        Code::Internal,
        format!(
            "the team server's answer to {path} could not be read ({e}): is it the same Parallax version?"
        ),
    )
}

/// A source id as one path segment (ids are slugs, but one typed by hand may hold anything).
fn segment(id: &str) -> String {
    percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A JSON body (reqwest's own `json` needs a feature the engine does not otherwise use).
fn with_json<B: serde::Serialize + ?Sized>(
    req: RequestBuilder,
    body: &B,
) -> ApiResult<RequestBuilder> {
    let bytes = serde_json::to_vec(body)
        .map_err(|e| ApiError::new(Code::Internal, format!("request body: {e}")))?;
    Ok(req
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(bytes))
}

fn join(base: &Url, path: &str) -> ApiResult<Url> {
    base.join(path)
        .map_err(|e| ApiError::new(Code::Internal, format!("bad request path {path}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_addresses_are_normalised_or_refused() {
        let u = parse_server_url(" 127.0.0.1:8080 ").unwrap();
        assert_eq!(u.as_str(), "http://127.0.0.1:8080/");
        let u = parse_server_url("https://team.example.org/parallax?x=1#y").unwrap();
        assert_eq!(u.as_str(), "https://team.example.org/parallax/");
        assert_eq!(
            join(&u, "api/me").unwrap().as_str(),
            "https://team.example.org/parallax/api/me"
        );
        for bad in ["", "   ", "ftp://host/", "http://", "file:///etc/passwd"] {
            let e = parse_server_url(bad).unwrap_err();
            assert_eq!(e.code, Code::Precondition, "{bad}: {e}");
        }
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let c = TeamClient {
            base: parse_server_url("127.0.0.1:1").unwrap(),
            token: "plx_secret".into(),
            user: TeamUser {
                name: "omid".into(),
                role: crate::store::Role::Reader,
            },
            http: reqwest::Client::new(),
        };
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("plx_secret") && shown.contains("omid"),
            "{shown}"
        );
    }

    #[test]
    fn server_events_become_the_engines_changes_across_chunk_boundaries() {
        let mut p = SseParser::default();
        let stream = "event: ready\ndata: {}\n\n: keep-alive\n\nevent: stories_updated\nid: 5-0\ndata: {\"ids\": [3, 4]}\n\nevent: items_added\r\ndata: {\"source_id\":\"bbc-fa\",\"count\":2,\"max_id\":9}\r\n\r\nevent: lagged\ndata: {\"missed\": 7}\n\n";
        // Fed a few bytes at a time, as the network may cut it (inside a UTF-8 character too).
        let mut events = Vec::new();
        for chunk in stream.as_bytes().chunks(7) {
            events.extend(p.push(chunk));
        }
        let changes: Vec<Change> = events.iter().filter_map(|(e, d)| change_of(e, d)).collect();
        assert_eq!(events.len(), 4, "{events:?}");
        assert_eq!(
            serde_json::to_value(&changes).unwrap(),
            serde_json::json!([
                { "kind": "stories_updated", "ids": [3, 4] },
                { "kind": "items_added", "source_id": "bbc-fa", "count": 2 },
                { "kind": "stories_updated", "ids": [] },
            ])
        );
        let failed = change_of(
            "source_health",
            r#"{"source_id":"x","feed_url":"u","outcome":"error","status":500,"error_code":"network","error":"HTTP 500"}"#,
        );
        assert!(
            matches!(failed, Some(Change::SourceFailed { ref message, .. }) if message == "HTTP 500"),
            "{failed:?}"
        );
        assert!(
            change_of(
                "source_health",
                r#"{"source_id":"x","outcome":"ok","error_code":null,"error":null}"#
            )
            .is_none()
        );
        assert!(change_of("stories_updated", "not json").is_none());
    }

    #[tokio::test]
    async fn an_address_where_nothing_listens_is_reported_unreachable() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let e = TeamClient::connect(&format!("127.0.0.1:{port}"), "plx_x")
            .await
            .unwrap_err();
        assert_eq!(e.code, Code::Network, "{e}");
        assert!(e.message.contains("cannot reach"), "{e}");
    }
}
