//! The grouping lease: only one process groups an archive at a time.
//!
//! Two processes each running their own in-memory grouper split one event into two stories, so
//! grouping belongs to whoever holds the lease; other processes store items and leave them to
//! the holder. The lease is one row, changed only by compare-and-swap statements, so two
//! processes never both think they hold it. A holder that died (its pid is gone on this host, or
//! it stopped renewing) is taken over.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, SqliteStore, parse_ts, ts};

/// Who asks for the lease: one engine instance in one process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseHolder {
    /// Unique per engine instance (two engines in one process are two holders).
    pub token: String,
    pub pid: u32,
    pub host: String,
}

/// The lease as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lease {
    pub holder: String,
    pub pid: u32,
    pub host: String,
    pub acquired_at: DateTime<Utc>,
    pub heartbeat_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LeaseOutcome {
    /// Taken now: the caller's view of the stories may be stale (another process grouped).
    Acquired { took_over: Option<Lease> },
    /// Already held by the caller; renewed.
    Renewed,
    /// Held by a live process.
    HeldBy(Lease),
}

/// A holder on another host that has not renewed for this long is taken for dead.
const REMOTE_TTL: i64 = 60;
/// A live pid on this host that has not renewed for this long is taken for a reused pid.
const LOCAL_TTL: i64 = 600;

/// Whether `cur`'s holder is gone: its pid no longer runs on this host, or it stopped renewing.
pub(crate) fn holder_is_dead(
    cur: &Lease,
    me: &LeaseHolder,
    now: DateTime<Utc>,
    alive: &dyn Fn(u32) -> bool,
) -> bool {
    let silent = now - cur.heartbeat_at;
    if cur.host == me.host {
        !alive(cur.pid) || silent > Duration::seconds(LOCAL_TTL)
    } else {
        silent > Duration::seconds(REMOTE_TTL)
    }
}

impl SqliteStore {
    pub fn lease(&self) -> Result<Option<Lease>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT holder, pid, host, acquired_at, heartbeat_at FROM grouping_lease WHERE id = 1",
                [],
                |r| {
                    Ok(Lease {
                        holder: r.get(0)?,
                        pid: r.get(1)?,
                        host: r.get(2)?,
                        acquired_at: parse_ts(&r.get::<_, String>(3)?),
                        heartbeat_at: parse_ts(&r.get::<_, String>(4)?),
                    })
                },
            )
            .optional()?)
    }

    /// Take or renew the lease for `me`. `alive(pid)` says whether a process of this host runs.
    pub fn try_lease(
        &self,
        me: &LeaseHolder,
        now: DateTime<Utc>,
        alive: &(dyn Fn(u32) -> bool + Sync),
    ) -> Result<LeaseOutcome> {
        // Two rounds at most: a lost compare-and-swap means someone else changed the row.
        for _ in 0..3 {
            let current = self.lease()?;
            let Some(cur) = current else {
                let n = self.conn().execute(
                    "INSERT OR IGNORE INTO grouping_lease(id, holder, pid, host, acquired_at, heartbeat_at)
                     VALUES (1, ?1, ?2, ?3, ?4, ?4)",
                    params![me.token, me.pid, me.host, ts(&now)],
                )?;
                if n == 1 {
                    return Ok(LeaseOutcome::Acquired { took_over: None });
                }
                continue;
            };
            if cur.holder == me.token {
                self.conn().execute(
                    "UPDATE grouping_lease SET heartbeat_at = ?2 WHERE id = 1 AND holder = ?1",
                    params![me.token, ts(&now)],
                )?;
                return Ok(LeaseOutcome::Renewed);
            }
            if !holder_is_dead(&cur, me, now, alive) {
                return Ok(LeaseOutcome::HeldBy(cur));
            }
            let n = self.conn().execute(
                "UPDATE grouping_lease SET holder = ?1, pid = ?2, host = ?3, acquired_at = ?4, heartbeat_at = ?4
                 WHERE id = 1 AND holder = ?5 AND heartbeat_at = ?6",
                params![
                    me.token,
                    me.pid,
                    me.host,
                    ts(&now),
                    cur.holder,
                    ts(&cur.heartbeat_at)
                ],
            )?;
            if n == 1 {
                return Ok(LeaseOutcome::Acquired {
                    took_over: Some(cur),
                });
            }
        }
        Ok(self
            .lease()?
            .map(LeaseOutcome::HeldBy)
            .unwrap_or(LeaseOutcome::Renewed))
    }

    /// Give the lease back (on exit), if `me` holds it.
    pub fn release_lease(&self, me: &LeaseHolder) -> Result<()> {
        self.conn().execute(
            "DELETE FROM grouping_lease WHERE id = 1 AND holder = ?1",
            [&me.token],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn holder(token: &str, pid: u32, host: &str) -> LeaseHolder {
        LeaseHolder {
            token: token.into(),
            pid,
            host: host.into(),
        }
    }

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-06-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::seconds(s)
    }

    crate::store::testing::on_both_backends!(one_holder_at_a_time_and_dead_holders_are_replaced);
    fn one_holder_at_a_time_and_dead_holders_are_replaced(s: Store) {
        let a = holder("a", 10, "h1");
        let b = holder("b", 20, "h1");
        let c = holder("c", 30, "h2");
        let all_alive = |_| true;
        assert_eq!(
            s.try_lease(&a, at(0), &all_alive).unwrap(),
            LeaseOutcome::Acquired { took_over: None }
        );
        assert!(matches!(
            s.try_lease(&b, at(1), &all_alive).unwrap(),
            LeaseOutcome::HeldBy(l) if l.pid == 10
        ));
        assert_eq!(
            s.try_lease(&a, at(100), &all_alive).unwrap(),
            LeaseOutcome::Renewed
        );
        // Another host waits out the silence; this host needs the pid gone.
        assert!(matches!(
            s.try_lease(&c, at(130), &all_alive).unwrap(),
            LeaseOutcome::HeldBy(_)
        ));
        assert!(matches!(
            s.try_lease(&b, at(131), &|pid| pid != 10).unwrap(),
            LeaseOutcome::Acquired { took_over: Some(l) } if l.holder == "a"
        ));
        assert!(matches!(
            s.try_lease(&a, at(132), &all_alive).unwrap(),
            LeaseOutcome::HeldBy(l) if l.holder == "b"
        ));
        assert!(matches!(
            s.try_lease(&c, at(131 + REMOTE_TTL + 1), &all_alive)
                .unwrap(),
            LeaseOutcome::Acquired { .. }
        ));
        s.release_lease(&b).unwrap();
        assert_eq!(
            s.lease().unwrap().unwrap().holder,
            "c",
            "only the holder releases"
        );
        s.release_lease(&c).unwrap();
        assert!(s.lease().unwrap().is_none());
    }
}
