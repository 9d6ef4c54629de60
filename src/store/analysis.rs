//! Stored story analyses (carry graph and framing, keyed by a fingerprint of the story's members
//! so a move, split or merge makes them stale) and the sentence-embedding cache they use.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};

use super::{Result, SqliteStore};

/// Cache key of a sentence embedding: the first 16 bytes of sha256(model tag, text).
pub type SentenceKey = [u8; 16];

pub fn sentence_key(model: &str, text: &str) -> SentenceKey {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(model.as_bytes());
    h.update([0u8]);
    h.update(text.as_bytes());
    let d = h.finalize();
    let mut k = [0u8; 16];
    k.copy_from_slice(&d[..16]);
    k
}

impl SqliteStore {
    /// Cached sentence embeddings among `keys`.
    pub fn sentence_vectors(&self, keys: &[SentenceKey]) -> Result<HashMap<SentenceKey, Vec<f32>>> {
        let mut out = HashMap::new();
        let mut st = self
            .conn()
            .prepare_cached("SELECT vector FROM sentence_vectors WHERE key = ?1")?;
        for k in keys {
            let v: Option<Vec<u8>> = st.query_row([&k[..]], |r| r.get(0)).optional()?;
            if let Some(b) = v {
                out.insert(
                    *k,
                    b.chunks_exact(4)
                        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                        .collect(),
                );
            }
        }
        Ok(out)
    }

    pub fn put_sentence_vectors(&self, rows: &[(SentenceKey, Vec<f32>)]) -> Result<()> {
        let tx = self.conn().unchecked_transaction()?;
        {
            let mut st = tx.prepare_cached(
                "INSERT OR REPLACE INTO sentence_vectors(key, vector) VALUES (?1, ?2)",
            )?;
            for (k, v) in rows {
                let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
                st.execute(params![&k[..], bytes])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The stored analysis of a story when its fingerprint is `fingerprint`.
    pub fn story_analysis(&self, story_id: i64, fingerprint: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT body FROM story_analysis WHERE story_id = ?1 AND fingerprint = ?2",
                params![story_id, fingerprint],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Forget a story's stored analysis (benchmarks time the computation itself).
    pub fn clear_story_analysis(&self, story_id: i64) -> Result<()> {
        self.conn()
            .execute("DELETE FROM story_analysis WHERE story_id = ?1", [story_id])?;
        Ok(())
    }

    /// The story with the most items, and its size.
    pub fn largest_story(&self) -> Result<Option<(i64, u32)>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, item_count FROM stories ORDER BY item_count DESC, id LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    pub fn put_story_analysis(&self, story_id: i64, fingerprint: &str, body: &str) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO story_analysis(story_id, fingerprint, computed_at, body)
             VALUES (?1, ?2, ?3, ?4)",
            params![story_id, fingerprint, chrono::Utc::now().to_rfc3339(), body],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    crate::store::testing::on_both_backends!(vectors_and_analyses_round_trip);
    fn vectors_and_analyses_round_trip(s: Store) {
        let k = sentence_key("m", "سلام");
        assert_ne!(k, sentence_key("m2", "سلام"));
        s.put_sentence_vectors(&[(k, vec![0.5, -1.0])]).unwrap();
        assert_eq!(
            s.sentence_vectors(&[k, sentence_key("m", "x")]).unwrap()[&k],
            vec![0.5, -1.0]
        );
        s.put_story_analysis(7, "f1", "{}").unwrap();
        assert_eq!(s.story_analysis(7, "f1").unwrap().as_deref(), Some("{}"));
        assert_eq!(s.story_analysis(7, "f2").unwrap(), None);
        s.put_story_analysis(7, "f2", "[]").unwrap();
        assert_eq!(s.story_analysis(7, "f1").unwrap(), None);
    }
}
