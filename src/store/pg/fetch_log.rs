use chrono::{DateTime, Duration, Utc};

use super::super::fetch_log::code_str;
use super::super::{FetchLogEntry, FetchOutcome, Result, SourceHealth, parse_ts, ts};
use super::PgStore;

impl PgStore {
    pub fn log_fetch(&self, e: &FetchLogEntry) -> Result<()> {
        self.db().execute(
            "INSERT INTO fetch_log(source_id, feed_url, started_at, duration_ms, status, bytes, items_new, outcome, error_code, error)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &e.source_id,
                &e.feed_url,
                &ts(&e.started_at),
                &(e.duration_ms as i64),
                &e.status.map(i64::from),
                &(e.bytes as i64),
                &i64::from(e.items_new),
                &e.outcome.as_str(),
                &e.error_code.map(code_str),
                &e.error,
            ],
        )?;
        Ok(())
    }

    pub fn fetch_log(&self, source: Option<&str>, limit: usize) -> Result<Vec<FetchLogEntry>> {
        let rows = self.db().query(
            "SELECT source_id, feed_url, started_at, duration_ms, status, bytes, items_new, outcome, error_code, error
             FROM fetch_log WHERE ($1::text IS NULL OR source_id = $1) ORDER BY id DESC LIMIT $2",
            &[&source, &(limit.min(i64::MAX as usize) as i64)],
        )?;
        Ok(rows
            .iter()
            .map(|r| {
                let code: Option<String> = r.get(8);
                FetchLogEntry {
                    source_id: r.get(0),
                    feed_url: r.get(1),
                    started_at: parse_ts(r.get(2)),
                    duration_ms: r.get::<_, i64>(3) as u64,
                    status: r.get::<_, Option<i64>>(4).map(|s| s as u16),
                    bytes: r.get::<_, i64>(5) as u64,
                    items_new: r.get::<_, i64>(6) as u32,
                    outcome: FetchOutcome::from_str(r.get(7)),
                    error_code: code.and_then(|c| serde_json::from_value(c.into()).ok()),
                    error: r.get(9),
                }
            })
            .collect())
    }

    pub fn fetch_summary(&self) -> Result<(u32, Option<DateTime<Utc>>)> {
        let mut db = self.db();
        let failing: i64 = db
            .query_one(
                "SELECT count(*) FROM sources s
                 JOIN fetch_log l ON l.id = (SELECT max(id) FROM fetch_log WHERE source_id = s.id)
                 WHERE l.outcome = $1",
                &[&FetchOutcome::Error.as_str()],
            )?
            .get(0);
        let last: Option<String> = db
            .query_one("SELECT max(started_at) FROM fetch_log", &[])?
            .get(0);
        Ok((failing as u32, last.map(|s| parse_ts(&s))))
    }

    pub fn source_health(&self) -> Result<Vec<SourceHealth>> {
        let week_ago = ts(&(Utc::now() - Duration::days(7)));
        let rows = self.db().query(
            "SELECT s.id,
                    l.started_at, l.outcome, l.status, l.error, l.error_code,
                    (SELECT max(last_success_at) FROM feeds f WHERE f.source_id = s.id),
                    (SELECT coalesce(max(consecutive_failures), 0) FROM feeds f WHERE f.source_id = s.id),
                    (SELECT count(*) FROM items i WHERE i.source_id = s.id),
                    (SELECT count(*) FROM items i WHERE i.source_id = s.id AND i.published >= $1)
             FROM sources s
             LEFT JOIN fetch_log l ON l.id = (SELECT max(id) FROM fetch_log WHERE source_id = s.id)
             ORDER BY s.id",
            &[&week_ago],
        )?;
        Ok(rows
            .iter()
            .map(|r| SourceHealth {
                source_id: r.get(0),
                last_fetch: r.get::<_, Option<&str>>(1).map(parse_ts),
                last_outcome: r.get::<_, Option<&str>>(2).map(FetchOutcome::from_str),
                last_status: r.get::<_, Option<i64>>(3).map(|s| s as u16),
                last_error: r.get(4),
                last_error_code: r.get(5),
                last_success: r.get::<_, Option<&str>>(6).map(parse_ts),
                consecutive_failures: r.get::<_, i64>(7) as u32,
                item_count: r.get::<_, i64>(8) as u32,
                items_per_day: r.get::<_, i64>(9) as f64 / 7.0,
            })
            .collect())
    }
}
