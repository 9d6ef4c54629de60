use super::super::Result;
use super::PgStore;

impl PgStore {
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        let row = self
            .db()
            .query_opt("SELECT value FROM settings WHERE key = $1", &[&key])?;
        Ok(row.map(|r| r.get(0)))
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.db().execute(
            "INSERT INTO settings(key, value) VALUES ($1, $2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            &[&key, &value],
        )?;
        Ok(())
    }
}
