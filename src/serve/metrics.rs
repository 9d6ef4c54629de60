//! Request counters and the Prometheus text the `/metrics` route serves.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::Shared;
use crate::api::ArchiveCounts;

#[derive(Default)]
pub(super) struct Metrics {
    /// (route, method, status) → requests served.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
}

impl Metrics {
    pub(super) fn render(&self, c: &ArchiveCounts) -> String {
        let mut out = String::new();
        for (name, help, v) in [
            ("parallax_items", "Items in the archive.", c.items),
            (
                "parallax_grouped_items",
                "Items that belong to a story.",
                c.grouped,
            ),
            ("parallax_stories", "Stories in the archive.", c.stories),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        }
        let _ = writeln!(
            out,
            "# HELP parallax_http_requests_total Requests served.\n# TYPE parallax_http_requests_total counter"
        );
        let requests = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        for ((route, method, status), n) in requests.iter() {
            let _ = writeln!(
                out,
                "parallax_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {n}"
            );
        }
        out
    }
}

/// Count each request by its route pattern (never the raw path: ids would make endless series).
pub(super) async fn count(State(st): State<Shared>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let res = next.run(req).await;
    let key = (route, method, res.status().as_u16());
    *st.metrics
        .requests
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(key)
        .or_default() += 1;
    res
}
