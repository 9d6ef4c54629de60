//! Fetch stage: download one feed over HTTP(S) politely and safely, and hand back UTF-8 text.
//!
//! One [`Fetcher`] owns one connection pool and two limits: a global cap on requests in flight
//! and a per-origin cap, so a catalog with forty feeds on one outlet never hammers that host.
//! Every request has a connect timeout and a total deadline that covers the body too (a server
//! that drips one byte a second is cut off), bodies are capped while streaming (after
//! decompression, so a gzip bomb is caught), redirects are limited, and 304s are first-class.

mod backoff;
mod charset;

pub use backoff::{backoff, backoff_with};
pub use charset::{CharsetError, Decoded, decode as decode_body};

use crate::error::Code;
use reqwest::header::{self, HeaderMap};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

/// Tunables of a [`Fetcher`].
#[derive(Debug, Clone)]
pub struct FetchConfig {
    pub user_agent: String,
    pub connect_timeout: Duration,
    /// Deadline for one whole request: connect, headers and body.
    pub total_timeout: Duration,
    /// Largest decompressed body accepted.
    pub max_body_bytes: u64,
    pub max_redirects: usize,
    /// Requests in flight across all hosts.
    pub global_concurrency: usize,
    /// Requests in flight to one origin (scheme, host, port).
    pub per_host_concurrency: usize,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            user_agent: format!(
                "Parallax/{} (news feed reader for media analysts)",
                env!("CARGO_PKG_VERSION")
            ),
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            max_body_bytes: 20 * 1024 * 1024,
            max_redirects: 5,
            global_concurrency: 32,
            per_host_concurrency: 4,
        }
    }
}

/// Validators from the previous successful fetch, sent back for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditional {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What a request asks for beyond the fetcher's defaults: feeds and article pages share the
/// client, the per-origin limits and the deadlines, but accept different types and sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestSpec {
    pub accept: &'static str,
    /// Largest decompressed body; the fetcher's own cap still applies when it is lower.
    pub max_body_bytes: Option<u64>,
    /// Media types the response may declare (`text/html`, ...); a declared type not listed is
    /// refused before the body is read. A response without `Content-Type` is let through.
    pub allowed_types: Option<&'static [&'static str]>,
}

impl RequestSpec {
    /// What a feed request asks for.
    pub const FEED: RequestSpec = RequestSpec {
        accept: "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
        max_body_bytes: None,
        allowed_types: None,
    };
}

/// A successful response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// 304: the feed has not changed since the validators were issued.
    NotModified,
    Body(Body),
}

/// A 2xx response body, decoded to UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub text: String,
    /// Encoding the bytes were decoded from (`UTF-8`, `windows-1256`, ...).
    pub charset_used: &'static str,
    /// URL after redirects: relative links in the feed resolve against it.
    pub final_url: String,
    pub status: u16,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Bytes received after content decoding.
    pub bytes: u64,
    pub content_type: Option<String>,
    /// The response's `Content-Location`, resolved against `final_url` (http(s) only).
    pub content_location: Option<String>,
}

impl Body {
    /// What relative links in the document resolve against when it names no `xml:base` of its
    /// own: the `Content-Location` the server gave (RFC 9110 §8.7), else the URL fetched.
    pub fn base_url(&self) -> &str {
        self.content_location.as_deref().unwrap_or(&self.final_url)
    }
}

/// Why a fetch failed. Messages are meant for the fetch log and the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("fetch: invalid URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("fetch: no complete response within {}s", after.as_secs())]
    Timeout { after: Duration },
    #[error("fetch: could not connect: {0}")]
    Connect(String),
    #[error("fetch: more than {max} redirects (a redirect loop?)")]
    TooManyRedirects { max: usize },
    #[error("fetch: HTTP {status}{}", retry_after.map(|d| format!(" (retry after {}s)", d.as_secs())).unwrap_or_default())]
    Http {
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("fetch: body larger than {limit} bytes, aborted")]
    TooLarge { limit: u64 },
    #[error("fetch: cannot decode body: {0}")]
    Decode(String),
    #[error("fetch: the server sent {content_type:?}, not {expected}")]
    UnexpectedType {
        content_type: String,
        expected: &'static str,
    },
    #[error("fetch: cannot decode body: {0}")]
    Charset(#[from] CharsetError),
    #[error("fetch: {0}")]
    Transport(String),
}

impl FetchError {
    pub fn code(&self) -> Code {
        match self {
            FetchError::InvalidUrl { .. } => Code::Precondition,
            FetchError::Timeout { .. }
            | FetchError::Connect(_)
            | FetchError::TooManyRedirects { .. }
            | FetchError::Http { .. }
            | FetchError::Transport(_) => Code::Network,
            FetchError::TooLarge { .. }
            | FetchError::Decode(_)
            | FetchError::Charset(_)
            | FetchError::UnexpectedType { .. } => Code::FeedFormat,
        }
    }

    /// The server's requested wait, for 429/503 responses that sent `Retry-After`.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// HTTP status, when the server answered with an error status.
    pub fn status(&self) -> Option<u16> {
        match self {
            FetchError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// The HTTP client shared by every refresh.
pub struct Fetcher {
    client: reqwest::Client,
    config: FetchConfig,
    global: Arc<Semaphore>,
    per_origin: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl Fetcher {
    pub fn new(config: FetchConfig) -> Result<Fetcher, FetchError> {
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::limited(config.max_redirects))
            .gzip(true)
            .brotli(true)
            .deflate(true)
            .build()
            .map_err(|e| FetchError::Transport(error_chain(&e)))?;
        Ok(Fetcher {
            client,
            global: Arc::new(Semaphore::new(config.global_concurrency.max(1))),
            per_origin: Mutex::new(HashMap::new()),
            config,
        })
    }

    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// GET the feed at `url` with the validators of the last successful fetch.
    pub async fn fetch(&self, url: &str, conditional: &Conditional) -> Result<Fetched, FetchError> {
        self.fetch_as(url, conditional, &RequestSpec::FEED).await
    }

    /// GET `url` as `spec` asks, under the same per-origin limits, deadlines and caps.
    pub async fn fetch_as(
        &self,
        url: &str,
        conditional: &Conditional,
        spec: &RequestSpec,
    ) -> Result<Fetched, FetchError> {
        let parsed = url::Url::parse(url).map_err(|e| FetchError::InvalidUrl {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
        if !crate::canonical::is_web(&parsed) {
            return Err(FetchError::InvalidUrl {
                url: url.to_owned(),
                reason: "only http and https are fetched".into(),
            });
        }
        let origin = parsed.origin().ascii_serialization();
        let host_sem = {
            let mut map = self
                .per_origin
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            map.entry(origin)
                .or_insert_with(|| {
                    Arc::new(Semaphore::new(self.config.per_host_concurrency.max(1)))
                })
                .clone()
        };
        // Take the host permit first so a slow host queues its own requests without holding
        // global permits other hosts could use.
        let _host = host_sem
            .acquire_owned()
            .await
            .map_err(|_| FetchError::Transport("fetcher closed".into()))?;
        let _global = self
            .global
            .acquire()
            .await
            .map_err(|_| FetchError::Transport("fetcher closed".into()))?;
        let after = self.config.total_timeout;
        match tokio::time::timeout(after, self.fetch_unlimited(parsed, conditional, spec)).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout { after }),
        }
    }

    async fn fetch_unlimited(
        &self,
        url: url::Url,
        conditional: &Conditional,
        spec: &RequestSpec,
    ) -> Result<Fetched, FetchError> {
        let mut request = self.client.get(url).header(header::ACCEPT, spec.accept);
        if let Some(etag) = &conditional.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &conditional.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, lm);
        }
        let mut response = request.send().await.map_err(|e| self.classify(e))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            let retry_after = match status.as_u16() {
                429 | 503 => retry_after(response.headers(), chrono::Utc::now()),
                _ => None,
            };
            return Err(FetchError::Http {
                status: status.as_u16(),
                retry_after,
            });
        }
        let headers = response.headers().clone();
        let final_url = response.url().to_string();
        if let Some(allowed) = spec.allowed_types
            && let Some(ct) = header_str(&headers, header::CONTENT_TYPE)
        {
            let essence = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if !allowed.contains(&essence.as_str()) {
                return Err(FetchError::UnexpectedType {
                    content_type: essence,
                    expected: allowed.first().copied().unwrap_or("another type"),
                });
            }
        }
        let limit = spec.max_body_bytes.map_or(self.config.max_body_bytes, |m| {
            m.min(self.config.max_body_bytes)
        });
        // Content-Length is of the encoded body; a compressed body can still expand past the
        // limit, which the streaming check below catches.
        if response.content_length().is_some_and(|len| len > limit) {
            return Err(FetchError::TooLarge { limit });
        }
        let mut raw: Vec<u8> = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.classify(e))? {
            if raw.len() as u64 + chunk.len() as u64 > limit {
                return Err(FetchError::TooLarge { limit });
            }
            raw.extend_from_slice(&chunk);
        }
        let content_type = header_str(&headers, header::CONTENT_TYPE);
        let decoded = charset::decode(&raw, content_type.as_deref())?;
        let content_location = content_location(&headers, &final_url);
        Ok(Fetched::Body(Body {
            text: decoded.text,
            charset_used: decoded.charset,
            final_url,
            status: status.as_u16(),
            etag: header_str(&headers, header::ETAG),
            last_modified: header_str(&headers, header::LAST_MODIFIED),
            bytes: raw.len() as u64,
            content_type,
            content_location,
        }))
    }

    fn classify(&self, e: reqwest::Error) -> FetchError {
        if e.is_redirect() {
            FetchError::TooManyRedirects {
                max: self.config.max_redirects,
            }
        } else if e.is_timeout() {
            FetchError::Timeout {
                after: self.config.connect_timeout,
            }
        } else if e.is_connect() {
            FetchError::Connect(error_chain(&e))
        } else if e.is_decode() {
            FetchError::Decode(error_chain(&e))
        } else {
            FetchError::Transport(error_chain(&e))
        }
    }
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// `Content-Location` resolved against the URL fetched; anything but http(s) is ignored.
fn content_location(headers: &HeaderMap, final_url: &str) -> Option<String> {
    let value = header_str(headers, header::CONTENT_LOCATION)?;
    let url = url::Url::parse(final_url).ok()?.join(value.trim()).ok()?;
    crate::canonical::is_web(&url).then(|| url.to_string())
}

/// `Retry-After` as delta-seconds or an HTTP date (RFC 9110 §10.2.3).
fn retry_after(headers: &HeaderMap, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (at.with_timezone(&chrono::Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

/// The error and its causes on one line: reqwest's top-level message alone rarely says why.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let mut h = HeaderMap::new();
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("120"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(120)));
        h.insert(
            header::RETRY_AFTER,
            HeaderValue::from_static("Wed, 25 Nov 2026 12:05:00 GMT"),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(300)));
        h.insert(
            header::RETRY_AFTER,
            HeaderValue::from_static("Wed, 25 Nov 2026 11:00:00 GMT"),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::ZERO));
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h, now), None);
    }

    #[test]
    fn error_codes_and_messages() {
        let e = FetchError::Http {
            status: 429,
            retry_after: Some(Duration::from_secs(120)),
        };
        assert_eq!(e.to_string(), "fetch: HTTP 429 (retry after 120s)");
        assert_eq!(e.code(), Code::Network);
        assert_eq!(FetchError::TooLarge { limit: 10 }.code(), Code::FeedFormat);
        assert!(
            FetchError::Timeout {
                after: Duration::from_secs(30)
            }
            .to_string()
            .starts_with("fetch: ")
        );
    }

    #[tokio::test]
    async fn rejects_non_http_urls() {
        let f = Fetcher::new(FetchConfig::default()).unwrap();
        let e = f
            .fetch("file:///etc/passwd", &Conditional::default())
            .await
            .unwrap_err();
        assert!(matches!(e, FetchError::InvalidUrl { .. }), "{e}");
        let e = f
            .fetch("not a url", &Conditional::default())
            .await
            .unwrap_err();
        assert_eq!(e.code(), Code::Precondition);
    }
}
