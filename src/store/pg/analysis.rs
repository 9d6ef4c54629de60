use std::collections::HashMap;

use super::super::{Result, SentenceKey};
use super::{PgStore, vector_bytes, vector_from};

impl PgStore {
    pub fn sentence_vectors(&self, keys: &[SentenceKey]) -> Result<HashMap<SentenceKey, Vec<f32>>> {
        let wanted: Vec<&[u8]> = keys.iter().map(|k| &k[..]).collect();
        let rows = self.db().query(
            "SELECT key, vector FROM sentence_vectors WHERE key = ANY($1)",
            &[&wanted],
        )?;
        let mut out = HashMap::new();
        for r in rows {
            let k: &[u8] = r.get(0);
            if let Ok(k) = SentenceKey::try_from(k) {
                out.insert(k, vector_from(r.get(1)));
            }
        }
        Ok(out)
    }

    pub fn put_sentence_vectors(&self, rows: &[(SentenceKey, Vec<f32>)]) -> Result<()> {
        let mut db = self.db();
        let mut tx = db.transaction()?;
        let st = tx.prepare(
            "INSERT INTO sentence_vectors(key, vector) VALUES ($1, $2)
             ON CONFLICT(key) DO UPDATE SET vector = excluded.vector",
        )?;
        for (k, v) in rows {
            tx.execute(&st, &[&&k[..], &vector_bytes(v)])?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn story_analysis(&self, story_id: i64, fingerprint: &str) -> Result<Option<String>> {
        let row = self.db().query_opt(
            "SELECT body FROM story_analysis WHERE story_id = $1 AND fingerprint = $2",
            &[&story_id, &fingerprint],
        )?;
        Ok(row.map(|r| r.get(0)))
    }

    pub fn clear_story_analysis(&self, story_id: i64) -> Result<()> {
        self.db().execute(
            "DELETE FROM story_analysis WHERE story_id = $1",
            &[&story_id],
        )?;
        Ok(())
    }

    pub fn largest_story(&self) -> Result<Option<(i64, u32)>> {
        let row = self.db().query_opt(
            "SELECT id, item_count FROM stories ORDER BY item_count DESC, id LIMIT 1",
            &[],
        )?;
        Ok(row.map(|r| (r.get(0), r.get::<_, i64>(1) as u32)))
    }

    pub fn put_story_analysis(&self, story_id: i64, fingerprint: &str, body: &str) -> Result<()> {
        self.db().execute(
            "INSERT INTO story_analysis(story_id, fingerprint, computed_at, body)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT(story_id) DO UPDATE SET fingerprint = excluded.fingerprint,
               computed_at = excluded.computed_at, body = excluded.body",
            &[
                &story_id,
                &fingerprint,
                &chrono::Utc::now().to_rfc3339(),
                &body,
            ],
        )?;
        Ok(())
    }
}
