//! The fetch log (one row per attempt) and the per-source health it adds up to.

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{Result, SqliteStore, parse_ts, ts};
use crate::error::Code;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum FetchOutcome {
    Ok,
    NotModified,
    Error,
}

impl FetchOutcome {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            FetchOutcome::Ok => "ok",
            FetchOutcome::NotModified => "not_modified",
            FetchOutcome::Error => "error",
        }
    }
    pub(crate) fn from_str(s: &str) -> Self {
        match s {
            "ok" => FetchOutcome::Ok,
            "not_modified" => FetchOutcome::NotModified,
            _ => FetchOutcome::Error,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FetchLogEntry {
    pub source_id: String,
    pub feed_url: String,
    pub started_at: DateTime<Utc>,
    pub duration_ms: u64,
    pub status: Option<u16>,
    pub bytes: u64,
    pub items_new: u32,
    pub outcome: FetchOutcome,
    pub error_code: Option<Code>,
    pub error: Option<String>,
}

/// Health of one source, from its fetch log and items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SourceHealth {
    pub source_id: String,
    #[ts(type = "string | null")]
    pub last_fetch: Option<DateTime<Utc>>,
    pub last_outcome: Option<FetchOutcome>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub last_error_code: Option<String>,
    #[ts(type = "string | null")]
    pub last_success: Option<DateTime<Utc>>,
    pub consecutive_failures: u32,
    pub item_count: u32,
    /// Items published in the last 7 days, per day.
    pub items_per_day: f64,
}

pub(crate) fn code_str(c: Code) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "internal".into())
}

impl SqliteStore {
    pub fn log_fetch(&self, e: &FetchLogEntry) -> Result<()> {
        self.conn().execute(
            "INSERT INTO fetch_log(source_id, feed_url, started_at, duration_ms, status, bytes, items_new, outcome, error_code, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                e.source_id,
                e.feed_url,
                ts(&e.started_at),
                e.duration_ms as i64,
                e.status,
                e.bytes as i64,
                e.items_new,
                e.outcome.as_str(),
                e.error_code.map(code_str),
                e.error
            ],
        )?;
        Ok(())
    }

    /// The most recent fetch log rows, newest first (optionally for one source).
    pub fn fetch_log(&self, source: Option<&str>, limit: usize) -> Result<Vec<FetchLogEntry>> {
        let mut stmt = self.conn().prepare(
            "SELECT source_id, feed_url, started_at, duration_ms, status, bytes, items_new, outcome, error_code, error
             FROM fetch_log WHERE (?1 IS NULL OR source_id = ?1) ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![source, limit as i64], |r| {
            let code: Option<String> = r.get(8)?;
            Ok(FetchLogEntry {
                source_id: r.get(0)?,
                feed_url: r.get(1)?,
                started_at: parse_ts(&r.get::<_, String>(2)?),
                duration_ms: r.get::<_, i64>(3)? as u64,
                status: r.get(4)?,
                bytes: r.get::<_, i64>(5)? as u64,
                items_new: r.get(6)?,
                outcome: FetchOutcome::from_str(&r.get::<_, String>(7)?),
                error_code: code.and_then(|c| serde_json::from_value(c.into()).ok()),
                error: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// What the status line needs, without per-source item counts: how many sources failed on
    /// their latest attempt, and when anything was last fetched.
    pub fn fetch_summary(&self) -> Result<(u32, Option<DateTime<Utc>>)> {
        let failing: u32 = self.conn().query_row(
            "SELECT count(*) FROM sources s
             JOIN fetch_log l ON l.id = (SELECT max(id) FROM fetch_log WHERE source_id = s.id)
             WHERE l.outcome = ?1",
            [FetchOutcome::Error.as_str()],
            |r| r.get(0),
        )?;
        let last: Option<String> =
            self.conn()
                .query_row("SELECT max(started_at) FROM fetch_log", [], |r| r.get(0))?;
        Ok((failing, last.map(|s| parse_ts(&s))))
    }

    pub fn source_health(&self) -> Result<Vec<SourceHealth>> {
        let week_ago = ts(&(Utc::now() - Duration::days(7)));
        let mut stmt = self.conn().prepare(
            "SELECT s.id,
                    l.started_at, l.outcome, l.status, l.error, l.error_code,
                    (SELECT max(last_success_at) FROM feeds f WHERE f.source_id = s.id),
                    (SELECT coalesce(max(consecutive_failures), 0) FROM feeds f WHERE f.source_id = s.id),
                    (SELECT count(*) FROM items i WHERE i.source_id = s.id),
                    (SELECT count(*) FROM items i WHERE i.source_id = s.id AND i.published >= ?1)
             FROM sources s
             LEFT JOIN fetch_log l ON l.id = (SELECT max(id) FROM fetch_log WHERE source_id = s.id)
             ORDER BY s.id",
        )?;
        let rows = stmt.query_map([week_ago], |r| {
            Ok(SourceHealth {
                source_id: r.get(0)?,
                last_fetch: r.get::<_, Option<String>>(1)?.map(|s| parse_ts(&s)),
                last_outcome: r
                    .get::<_, Option<String>>(2)?
                    .map(|s| FetchOutcome::from_str(&s)),
                last_status: r.get(3)?,
                last_error: r.get(4)?,
                last_error_code: r.get(5)?,
                last_success: r.get::<_, Option<String>>(6)?.map(|s| parse_ts(&s)),
                consecutive_failures: r.get(7)?,
                item_count: r.get(8)?,
                items_per_day: r.get::<_, i64>(9)? as f64 / 7.0,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Lang;
    use crate::store::Store;
    use crate::store::sources::tests::source;

    crate::store::testing::on_both_backends!(health_reflects_the_latest_attempt);
    fn health_reflects_the_latest_attempt(s: Store) {
        s.upsert_source(&source("mehr", Lang::Fa, "http://127.0.0.1:1/rss"))
            .unwrap();
        let mut e = FetchLogEntry {
            source_id: "mehr".into(),
            feed_url: "http://127.0.0.1:1/rss".into(),
            started_at: Utc::now(),
            duration_ms: 12,
            status: Some(200),
            bytes: 1000,
            items_new: 3,
            outcome: FetchOutcome::Ok,
            error_code: None,
            error: None,
        };
        s.log_fetch(&e).unwrap();
        e.outcome = FetchOutcome::Error;
        e.status = Some(503);
        e.error_code = Some(Code::Network);
        e.error = Some("fetch: HTTP 503, retry after 120 s".into());
        s.log_fetch(&e).unwrap();
        let h = &s.source_health().unwrap()[0];
        assert_eq!(h.last_outcome, Some(FetchOutcome::Error));
        assert_eq!(h.last_status, Some(503));
        assert_eq!(h.last_error_code.as_deref(), Some("network"));
        let log = s.fetch_log(Some("mehr"), 10).unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].error_code, Some(Code::Network));
    }
}
