//! The fetch job table of a team server: one row per feed, claimed by the processes that fetch
//! (`parallax serve` and `parallax serve --worker`) with `FOR UPDATE SKIP LOCKED`, so two never
//! take the same feed, and with a deadline, so a feed whose worker died is taken again once its
//! claim runs out. What a claim protects is only the work: items are unique by source and guid
//! (and canonical URL), so a feed fetched twice stores its items once.

use chrono::{DateTime, Utc};

use super::super::Result;
use super::PgStore;
use crate::refresh::FeedJob;

impl PgStore {
    /// Claim up to `limit` due feeds of enabled sources for `worker` until `claim_secs` from now:
    /// feeds nobody holds, or whose holder's claim ran out (it died or hung).
    pub fn claim_fetch_jobs(
        &self,
        worker: &str,
        limit: usize,
        claim_secs: u32,
    ) -> Result<Vec<FeedJob>> {
        let rows = self.db().query(
            "UPDATE fetch_jobs j SET claimed_by = $1,
                 claimed_until = now() + make_interval(secs => $3::double precision),
                 attempts = j.attempts + 1
             WHERE j.feed_url IN (
                 SELECT f.feed_url FROM fetch_jobs f JOIN sources s ON s.id = f.source_id
                 WHERE s.enabled AND f.due_at <= now()
                   AND (f.claimed_until IS NULL OR f.claimed_until < now())
                 ORDER BY f.due_at LIMIT $2
                 FOR UPDATE OF f SKIP LOCKED)
             RETURNING j.source_id, j.feed_url",
            &[
                &worker,
                &(limit.min(i64::MAX as usize) as i64),
                &f64::from(claim_secs),
            ],
        )?;
        Ok(rows
            .iter()
            .map(|r| FeedJob {
                source_id: r.get(0),
                url: r.get(1),
            })
            .collect())
    }

    /// Hand a fetched feed back, due again at `due_at`. `false`: the claim had run out and
    /// another worker holds the feed now (it finishes it; nothing is stored twice).
    pub fn finish_fetch_job(
        &self,
        worker: &str,
        feed_url: &str,
        due_at: DateTime<Utc>,
    ) -> Result<bool> {
        let n = self.db().execute(
            "UPDATE fetch_jobs SET claimed_by = NULL, claimed_until = NULL, done = done + 1,
                 due_at = to_timestamp($3::double precision)
             WHERE feed_url = $2 AND claimed_by = $1",
            &[
                &worker,
                &feed_url,
                &(due_at.timestamp_millis() as f64 / 1000.0),
            ],
        )?;
        Ok(n == 1)
    }

    /// Seconds until the next feed is due (0 when one is due now), `None` without jobs.
    pub fn next_fetch_due_secs(&self) -> Result<Option<f64>> {
        let row = self.db().query_one(
            "SELECT greatest(0, extract(epoch FROM min(greatest(j.due_at, coalesce(j.claimed_until, j.due_at))) - now()))::double precision
             FROM fetch_jobs j JOIN sources s ON s.id = j.source_id WHERE s.enabled",
            &[],
        )?;
        Ok(row.get(0))
    }
}
