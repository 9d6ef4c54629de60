//! A real HTTP server on 127.0.0.1 that serves fixture feeds and misbehaves on demand.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, Uri, header};
use bytes::Bytes;
use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// A feed served as-is, with validators for conditional GETs.
#[derive(Debug, Clone)]
pub struct StaticFeed {
    pub body: Bytes,
    pub content_type: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Send `Content-Encoding: gzip` when the client accepts it.
    pub gzip: bool,
    /// A `Content-Location` header to send.
    pub content_location: Option<String>,
}

impl StaticFeed {
    /// `body` with a content-derived strong ETag and a fixed Last-Modified.
    pub fn new(body: impl Into<Bytes>, content_type: &str) -> StaticFeed {
        let body = body.into();
        let etag = format!("\"{:016x}\"", fnv1a(&body));
        StaticFeed {
            body,
            content_type: content_type.to_owned(),
            etag: Some(etag),
            last_modified: Some("Mon, 20 Apr 2020 08:00:00 GMT".to_owned()),
            gzip: false,
            content_location: None,
        }
    }

    pub fn without_validators(mut self) -> StaticFeed {
        self.etag = None;
        self.last_modified = None;
        self
    }

    pub fn at_location(mut self, location: &str) -> StaticFeed {
        self.content_location = Some(location.to_owned());
        self
    }

    pub fn gzipped(mut self) -> StaticFeed {
        self.gzip = true;
        self
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    })
}

/// How one path answers.
#[derive(Debug, Clone)]
pub enum Behaviour {
    Feed(StaticFeed),
    /// 200 with a body that never ends (64 KiB chunks as fast as the client reads).
    Endless,
    /// 200 `text/html` with no length, a page that never ends (64 KiB chunks).
    EndlessPage,
    /// 200, a feed's first bytes, then one byte every `every`, forever.
    SlowDrip {
        every: Duration,
    },
    /// 302 back to itself.
    RedirectLoop,
    /// 301 to another fixture path.
    Redirect {
        to: String,
    },
    Status {
        code: u16,
        retry_after: Option<String>,
    },
}

/// What the server saw on one path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hits {
    pub requests: usize,
    /// Requests that carried `If-None-Match` or `If-Modified-Since`.
    pub conditional: usize,
    pub not_modified: usize,
    pub user_agent: Option<String>,
    /// When each request arrived, in order.
    pub arrivals: Vec<std::time::Instant>,
}

#[derive(Default)]
struct State {
    routes: RwLock<HashMap<String, Behaviour>>,
    hits: Mutex<HashMap<String, Hits>>,
}

/// A running fixture server; stops when dropped.
pub struct FixtureServer {
    addrs: Vec<SocketAddr>,
    state: Arc<State>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl FixtureServer {
    /// Serve `routes` (path without the leading slash → behaviour) on a random 127.0.0.1 port.
    pub async fn start(
        routes: impl IntoIterator<Item = (String, Behaviour)>,
    ) -> std::io::Result<FixtureServer> {
        FixtureServer::start_many(routes, 1).await
    }

    /// The same routes on `ports` listeners: to a client, `ports` distinct origins (hosts).
    pub async fn start_many(
        routes: impl IntoIterator<Item = (String, Behaviour)>,
        ports: usize,
    ) -> std::io::Result<FixtureServer> {
        let state = Arc::new(State {
            routes: RwLock::new(routes.into_iter().collect()),
            hits: Mutex::default(),
        });
        let mut addrs = Vec::new();
        let mut tasks = Vec::new();
        for _ in 0..ports.max(1) {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            addrs.push(listener.local_addr()?);
            let st = state.clone();
            let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
                let st = st.clone();
                async move { respond(&st, uri, headers) }
            });
            tasks.push(tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, app).await {
                    eprintln!("fixture server stopped: {e}");
                }
            }));
        }
        Ok(FixtureServer {
            addrs,
            state,
            tasks,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addrs[0]
    }

    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// URL of fixture `name` on the first listener.
    pub fn url(&self, name: &str) -> String {
        format!("http://{}/{name}", self.addrs[0])
    }

    /// URL of fixture `name` on listener `i % ports`.
    pub fn url_on(&self, i: usize, name: &str) -> String {
        format!("http://{}/{name}", self.addrs[i % self.addrs.len()])
    }

    /// Replace or add a route while running (a feed that gains items).
    pub fn set(&self, name: &str, behaviour: Behaviour) {
        self.state
            .routes
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.to_owned(), behaviour);
    }

    pub fn hits(&self, name: &str) -> Hits {
        self.state
            .hits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .cloned()
            .unwrap_or_default()
    }
}

fn respond(state: &State, uri: Uri, headers: HeaderMap) -> Response<Body> {
    let name = uri.path().trim_start_matches('/').to_owned();
    let conditional = headers.contains_key(header::IF_NONE_MATCH)
        || headers.contains_key(header::IF_MODIFIED_SINCE);
    let behaviour = state
        .routes
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .get(&name)
        .cloned();
    let response = match behaviour {
        None => status(StatusCode::NOT_FOUND, "no such fixture"),
        Some(Behaviour::Feed(feed)) => serve_feed(&feed, &headers),
        Some(Behaviour::Endless) => {
            let chunk = Bytes::from(vec![b' '; 64 * 1024]);
            let head =
                Bytes::from_static(b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>");
            let stream = futures_util::stream::iter(
                std::iter::once(head)
                    .chain(std::iter::repeat(chunk))
                    .map(Ok::<_, std::io::Error>),
            );
            typed(
                StatusCode::OK,
                "application/rss+xml",
                Body::from_stream(stream),
            )
        }
        Some(Behaviour::EndlessPage) => {
            let chunk = Bytes::from("<p>more</p>".repeat(64 * 1024 / 11));
            let stream = futures_util::stream::iter(
                std::iter::once(Bytes::from_static(b"<!DOCTYPE html><html><body>"))
                    .chain(std::iter::repeat(chunk))
                    .map(Ok::<_, std::io::Error>),
            );
            typed(
                StatusCode::OK,
                "text/html; charset=utf-8",
                Body::from_stream(stream),
            )
        }
        Some(Behaviour::SlowDrip { every }) => {
            let head = Bytes::from_static(
                b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>slow",
            );
            let stream = futures_util::stream::unfold(Some(head), move |first| async move {
                match first {
                    Some(head) => Some((Ok::<_, std::io::Error>(head), None)),
                    None => {
                        tokio::time::sleep(every).await;
                        Some((Ok(Bytes::from_static(b" ")), None))
                    }
                }
            });
            typed(
                StatusCode::OK,
                "application/rss+xml",
                Body::from_stream(stream),
            )
        }
        Some(Behaviour::RedirectLoop) => redirect(StatusCode::FOUND, &format!("/{name}")),
        Some(Behaviour::Redirect { to }) => {
            redirect(StatusCode::MOVED_PERMANENTLY, &format!("/{to}"))
        }
        Some(Behaviour::Status { code, retry_after }) => {
            let code = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut r = status(code, "fixture error status");
            if let Some(ra) = retry_after.and_then(|ra| HeaderValue::from_str(&ra).ok()) {
                r.headers_mut().insert(header::RETRY_AFTER, ra);
            }
            r
        }
    };
    let mut hits = state.hits.lock().unwrap_or_else(|p| p.into_inner());
    let h = hits.entry(name).or_default();
    h.requests += 1;
    h.arrivals.push(std::time::Instant::now());
    h.conditional += usize::from(conditional);
    h.not_modified += usize::from(response.status() == StatusCode::NOT_MODIFIED);
    h.user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    response
}

fn serve_feed(feed: &StaticFeed, req: &HeaderMap) -> Response<Body> {
    let etag_match = match (
        &feed.etag,
        req.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()),
    ) {
        (Some(etag), Some(inm)) => inm.split(',').any(|t| t.trim() == etag || t.trim() == "*"),
        _ => false,
    };
    // RFC 9110: If-Modified-Since only counts when If-None-Match is absent.
    let lm_match = !req.contains_key(header::IF_NONE_MATCH)
        && matches!((&feed.last_modified, req.get(header::IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok())), (Some(lm), Some(ims)) if lm == ims);
    let mut response = if etag_match || lm_match {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let accepts_gzip = req
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("gzip"));
        if feed.gzip && accepts_gzip {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            let gz = enc
                .write_all(&feed.body)
                .and_then(|_| enc.finish())
                .unwrap_or_default();
            let mut r = typed(StatusCode::OK, &feed.content_type, Body::from(gz));
            r.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            r
        } else {
            typed(
                StatusCode::OK,
                &feed.content_type,
                Body::from(feed.body.clone()),
            )
        }
    };
    let h = response.headers_mut();
    if let Some(v) = feed
        .etag
        .as_deref()
        .and_then(|e| HeaderValue::from_str(e).ok())
    {
        h.insert(header::ETAG, v);
    }
    if let Some(v) = feed
        .last_modified
        .as_deref()
        .and_then(|e| HeaderValue::from_str(e).ok())
    {
        h.insert(header::LAST_MODIFIED, v);
    }
    if let Some(v) = feed
        .content_location
        .as_deref()
        .and_then(|e| HeaderValue::from_str(e).ok())
    {
        h.insert(header::CONTENT_LOCATION, v);
    }
    response
}

fn typed(code: StatusCode, content_type: &str, body: Body) -> Response<Body> {
    let mut r = Response::new(body);
    *r.status_mut() = code;
    if let Ok(v) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r
}

fn status(code: StatusCode, text: &'static str) -> Response<Body> {
    typed(code, "text/plain; charset=utf-8", Body::from(text))
}

fn redirect(code: StatusCode, location: &str) -> Response<Body> {
    let mut r = status(code, "moved");
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}
