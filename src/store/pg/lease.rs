use chrono::{DateTime, Utc};

use super::super::lease::holder_is_dead;
use super::super::{Lease, LeaseHolder, LeaseOutcome, Result, parse_ts, ts};
use super::PgStore;

impl PgStore {
    pub fn lease(&self) -> Result<Option<Lease>> {
        let row = self.db().query_opt(
            "SELECT holder, pid, host, acquired_at, heartbeat_at FROM grouping_lease WHERE id = 1",
            &[],
        )?;
        Ok(row.map(|r| Lease {
            holder: r.get(0),
            pid: r.get::<_, i64>(1) as u32,
            host: r.get(2),
            acquired_at: parse_ts(r.get(3)),
            heartbeat_at: parse_ts(r.get(4)),
        }))
    }

    /// The same compare-and-swap rounds as on SQLite (see `store::lease`).
    pub fn try_lease(
        &self,
        me: &LeaseHolder,
        now: DateTime<Utc>,
        alive: &(dyn Fn(u32) -> bool + Sync),
    ) -> Result<LeaseOutcome> {
        let pid = i64::from(me.pid);
        for _ in 0..3 {
            let Some(cur) = self.lease()? else {
                let n = self.db().execute(
                    "INSERT INTO grouping_lease(id, holder, pid, host, acquired_at, heartbeat_at)
                     VALUES (1, $1, $2, $3, $4, $4) ON CONFLICT (id) DO NOTHING",
                    &[&me.token, &pid, &me.host, &ts(&now)],
                )?;
                if n == 1 {
                    return Ok(LeaseOutcome::Acquired { took_over: None });
                }
                continue;
            };
            if cur.holder == me.token {
                self.db().execute(
                    "UPDATE grouping_lease SET heartbeat_at = $2 WHERE id = 1 AND holder = $1",
                    &[&me.token, &ts(&now)],
                )?;
                return Ok(LeaseOutcome::Renewed);
            }
            if !holder_is_dead(&cur, me, now, alive) {
                return Ok(LeaseOutcome::HeldBy(cur));
            }
            let n = self.db().execute(
                "UPDATE grouping_lease SET holder = $1, pid = $2, host = $3, acquired_at = $4, heartbeat_at = $4
                 WHERE id = 1 AND holder = $5 AND heartbeat_at = $6",
                &[
                    &me.token,
                    &pid,
                    &me.host,
                    &ts(&now),
                    &cur.holder,
                    &ts(&cur.heartbeat_at),
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

    pub fn release_lease(&self, me: &LeaseHolder) -> Result<()> {
        self.db().execute(
            "DELETE FROM grouping_lease WHERE id = 1 AND holder = $1",
            &[&me.token],
        )?;
        Ok(())
    }
}
