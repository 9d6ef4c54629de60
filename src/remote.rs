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
    AlertView, ApiError, ApiResult, Explanation, SearchGroup, SearchQuery, SeenReport, SourceView,
    StatusLine, StoryCarry, StoryDetail, StoryFraming, StorySummary,
};
use crate::error::Code;
use crate::store::{StoryFilter, TeamUser};

/// How long connecting may take: a wrong address should fail while the user still looks.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one call may take (a search over a large archive is the slowest).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

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
        serde_json::from_slice::<T>(&bytes).map_err(|e| {
            ApiError::new(
                Code::Internal,
                format!(
                    "the team server's answer to {path} could not be read ({e}): is it the same Parallax version?"
                ),
            )
        })
    }

    async fn send_no_reply(&self, path: &str, body: &serde_json::Value) -> ApiResult<()> {
        let req = with_json(self.request(Method::POST, path)?, body)?;
        self.checked(req).await.map(drop)
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
