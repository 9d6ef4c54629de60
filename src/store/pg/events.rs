//! The change feed (`change_feed`, written by triggers in each writing transaction) as the
//! server's event stream reads it.
//!
//! Rows are read by transaction id between two snapshots' horizons: every transaction below a
//! snapshot's `xmin` has finished, so rows of `tx` in `[from, horizon)` are all there is for that
//! range, whatever order concurrent writers committed in. A reader therefore never skips a row
//! that commits late and never sees one twice.

use super::super::Result;
use super::PgStore;

/// One change, as the triggers wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedChange {
    /// Where this change sits in the feed: (transaction id, row id), increasing.
    pub cursor: (i64, i64),
    /// `items_added`, `stories_updated`, `alerts` or `source_health`.
    pub kind: String,
    /// A JSON object.
    pub body: String,
}

impl PgStore {
    /// The cursor to read from for changes after now.
    pub fn change_cursor(&self) -> Result<(i64, i64)> {
        let row = self.db().query_one(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
            &[],
        )?;
        Ok((row.get(0), 0))
    }

    /// Changes after `cursor` by finished transactions, oldest first, at most `limit`; and the
    /// cursor to read from next time.
    pub fn changes_after(
        &self,
        cursor: (i64, i64),
        limit: usize,
    ) -> Result<(Vec<FeedChange>, (i64, i64))> {
        // The horizon first: every transaction below it has finished, so the query after it
        // (a later snapshot) sees all of their rows.
        let horizon = self.change_cursor()?.0;
        let rows = self.db().query(
            "SELECT tx::text::bigint, id, kind, body FROM change_feed
             WHERE (tx, id) > ($1::bigint::text::xid8, $2::bigint) AND tx < $3::bigint::text::xid8
             ORDER BY tx, id LIMIT $4",
            &[
                &cursor.0,
                &cursor.1,
                &horizon,
                &(limit.min(i64::MAX as usize) as i64),
            ],
        )?;
        let changes: Vec<FeedChange> = rows
            .iter()
            .map(|r| FeedChange {
                cursor: (r.get(0), r.get(1)),
                kind: r.get(2),
                body: r.get(3),
            })
            .collect();
        let next = match changes.last() {
            // A full page: go on from its last row (more below the horizon may follow).
            Some(last) if changes.len() == limit => last.cursor,
            // Everything below the horizon was read: start there next time.
            _ if horizon > cursor.0 => (horizon, 0),
            _ => cursor,
        };
        Ok((changes, next))
    }

    /// Forget changes older than `keep_secs` (clients only ever read the last few seconds).
    pub fn prune_changes(&self, keep_secs: u32) -> Result<u64> {
        Ok(self.db().execute(
            "DELETE FROM change_feed WHERE at < now() - make_interval(secs => $1::double precision)",
            &[&f64::from(keep_secs)],
        )?)
    }
}
