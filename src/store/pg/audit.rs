//! Who did what on a team server: each correction and watch change, by user name.

use super::super::Result;
use super::PgStore;

impl PgStore {
    /// Record that `user` did `action` (`merge`, `split`, `move`, `add_watch`, …); `detail` is
    /// a JSON object naming what it was done to.
    pub fn record_audit(&self, user: &str, action: &str, detail: &str) -> Result<()> {
        self.db().execute(
            "INSERT INTO audit_log(user_name, action, detail) VALUES ($1, $2, $3)",
            &[&user, &action, &detail],
        )?;
        Ok(())
    }

    /// The latest `limit` entries, newest first: (time RFC 3339, user, action, detail).
    pub fn audit_log(&self, limit: usize) -> Result<Vec<(String, String, String, String)>> {
        let rows = self.db().query(
            "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), user_name, action, detail
             FROM audit_log ORDER BY id DESC LIMIT $1",
            &[&(limit.min(i64::MAX as usize) as i64)],
        )?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect())
    }

    /// Name the user who created watch `id`.
    pub fn set_watch_creator(&self, id: i64, user: &str) -> Result<()> {
        self.db().execute(
            "UPDATE watches SET created_by = $2 WHERE id = $1",
            &[&id, &user],
        )?;
        Ok(())
    }
}
