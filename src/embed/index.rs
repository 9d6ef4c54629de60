//! In-memory vector index for search by meaning.
//!
//! Each vector is quantised to int8 with its own scale (`x ≈ code · scale`), 384 bytes a row:
//! 100,000 items take about 40 MB where f32 would take 154 MB. Search is a brute-force scan of
//! integer dot products, which is fast enough at archive sizes (see `parallax bench search`)
//! and needs no training, so the index can be updated one item at a time as items arrive.

use std::collections::HashMap;

use super::DIM;

/// Weight of the shipped background mean, in items, against the archive's own running means
/// when search centres vectors per language (the grouper's default).
pub const BACKGROUND_WEIGHT: f32 = 50.0;

/// One quantised vector: `DIM` int8 codes and the scale that maps them back.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantised {
    pub codes: Vec<i8>,
    pub scale: f32,
}

impl Quantised {
    /// Quantise `v` symmetrically: its largest component maps to ±127.
    pub fn new(v: &[f32]) -> Quantised {
        let max = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        if max == 0.0 || !max.is_finite() {
            return Quantised {
                codes: vec![0; v.len()],
                scale: 0.0,
            };
        }
        let inv = 127.0 / max;
        Quantised {
            codes: v.iter().map(|x| (x * inv).round() as i8).collect(),
            scale: max / 127.0,
        }
    }

    pub fn dequantise(&self) -> Vec<f32> {
        self.codes
            .iter()
            .map(|&c| f32::from(c) * self.scale)
            .collect()
    }
}

/// Integer dot product of two code rows. Codes lie in ±127, so each product fits in i16;
/// multiplying in i16 and summing in i32 lets the compiler use pmaddwd on x86.
fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| i32::from(i16::from(x) * i16::from(y)))
        .sum()
}

/// A hit: item id and approximate cosine with the query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    pub id: i64,
    pub score: f32,
}

/// Quantised unit vectors keyed by item id.
#[derive(Debug, Default, Clone)]
pub struct VectorIndex {
    ids: Vec<i64>,
    scales: Vec<f32>,
    codes: Vec<i8>,
    pos: HashMap<i64, usize>,
}

impl VectorIndex {
    pub fn new() -> VectorIndex {
        VectorIndex::default()
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn contains(&self, id: i64) -> bool {
        self.pos.contains_key(&id)
    }

    /// Approximate heap bytes held (codes, scales, ids and the id map).
    pub fn bytes(&self) -> usize {
        self.codes.capacity()
            + self.scales.capacity() * 4
            + self.ids.capacity() * 8
            + self.pos.capacity() * (8 + 8 + 8)
    }

    /// Insert or replace the vector of `id`. A vector of the wrong dimension is refused (false):
    /// it comes from another model and cannot be compared with this one's.
    pub fn upsert(&mut self, id: i64, v: &[f32]) -> bool {
        if v.len() != DIM {
            return false;
        }
        let q = Quantised::new(v);
        match self.pos.get(&id) {
            Some(&i) => {
                self.scales[i] = q.scale;
                self.codes[i * DIM..(i + 1) * DIM].copy_from_slice(&q.codes);
            }
            None => {
                self.pos.insert(id, self.ids.len());
                self.ids.push(id);
                self.scales.push(q.scale);
                self.codes.extend_from_slice(&q.codes);
            }
        }
        true
    }

    /// Drop `id` (the last row moves into its place).
    pub fn remove(&mut self, id: i64) -> bool {
        let Some(i) = self.pos.remove(&id) else {
            return false;
        };
        let last = self.ids.len() - 1;
        if i != last {
            let moved = self.ids[last];
            self.ids.swap(i, last);
            self.scales.swap(i, last);
            self.codes
                .copy_within(last * DIM..(last + 1) * DIM, i * DIM);
            self.pos.insert(moved, i);
        }
        self.ids.pop();
        self.scales.pop();
        self.codes.truncate(last * DIM);
        true
    }

    /// The `k` rows most similar to `query` (a unit vector) with score ≥ `floor`, best first,
    /// among the ids `keep` accepts.
    pub fn search(
        &self,
        query: &[f32],
        floor: f32,
        k: usize,
        keep: impl Fn(i64) -> bool,
    ) -> Vec<Neighbour> {
        if query.len() != DIM || k == 0 {
            return Vec::new();
        }
        let q = Quantised::new(query);
        let mut hits: Vec<Neighbour> = self
            .codes
            .chunks_exact(DIM)
            .zip(&self.scales)
            .zip(&self.ids)
            .filter_map(|((row, &scale), &id)| {
                let score = dot_i8(&q.codes, row) as f32 * q.scale * scale;
                (score >= floor && keep(id)).then_some(Neighbour { id, score })
            })
            .collect();
        let by_score = |a: &Neighbour, b: &Neighbour| b.score.total_cmp(&a.score);
        if hits.len() > k {
            hits.select_nth_unstable_by(k - 1, by_score);
            hits.truncate(k);
        }
        hits.sort_by(by_score);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn unit(rng: &mut rand::rngs::StdRng) -> Vec<f32> {
        let v: Vec<f32> = (0..DIM).map(|_| rng.gen_range(-1.0f32..1.0)).collect();
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / n).collect()
    }

    fn cos(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn quantisation_round_trip_is_close_and_keeps_the_ranking() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let query = unit(&mut rng);
        // Rows at graded similarity to the query: mix the query with noise in known proportions.
        let rows: Vec<Vec<f32>> = (0..50)
            .map(|i| {
                let noise = unit(&mut rng);
                let w = i as f32 / 50.0;
                let v: Vec<f32> = query
                    .iter()
                    .zip(&noise)
                    .map(|(q, n)| (1.0 - w) * q + w * n)
                    .collect();
                let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                v.into_iter().map(|x| x / n).collect()
            })
            .collect();
        let mut index = VectorIndex::new();
        for (i, r) in rows.iter().enumerate() {
            let back = Quantised::new(r).dequantise();
            assert!(cos(r, &back) > 0.999, "row {i} round trip");
            assert!(index.upsert(i as i64, r));
        }
        let exact: Vec<f32> = rows.iter().map(|r| cos(&query, r)).collect();
        let hits = index.search(&query, -1.0, 50, |_| true);
        assert_eq!(hits.len(), 50);
        for h in &hits {
            assert!((h.score - exact[h.id as usize]).abs() < 0.01, "{h:?}");
        }
        // Quantisation keeps the exact order wherever exact scores differ by more than its error.
        let order: Vec<i64> = hits.iter().map(|h| h.id).collect();
        for (i, &a) in order.iter().enumerate() {
            for &b in &order[i + 1..] {
                assert!(
                    exact[a as usize] + 0.02 > exact[b as usize],
                    "{a} ({}) ranked above {b} ({})",
                    exact[a as usize],
                    exact[b as usize]
                );
            }
        }
        assert_eq!(&order[..5], &[0, 1, 2, 3, 4]);
    }

    #[test]
    fn floor_k_and_filter_limit_the_hits() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let mut index = VectorIndex::new();
        let vs: Vec<Vec<f32>> = (0..100).map(|_| unit(&mut rng)).collect();
        for (i, v) in vs.iter().enumerate() {
            index.upsert(i as i64, v);
        }
        let q = &vs[42];
        let top = index.search(q, 0.5, 10, |_| true);
        assert_eq!(
            top.len(),
            1,
            "random unit vectors in 384-d are near-orthogonal"
        );
        assert_eq!(top[0].id, 42);
        assert!(index.search(q, 0.5, 10, |id| id != 42).is_empty());
        let three = index.search(q, -1.0, 3, |id| id % 2 == 0);
        assert_eq!(three.len(), 3);
        assert_eq!(three[0].id, 42);
        assert!(three.iter().all(|h| h.id % 2 == 0));
        assert!(three[1].score >= three[2].score);
        assert!(
            !index.upsert(1000, &[1.0; 10]),
            "a wrong-dimension vector is refused"
        );
    }

    #[test]
    fn upsert_replaces_and_remove_keeps_the_rest_findable() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let vs: Vec<Vec<f32>> = (0..5).map(|_| unit(&mut rng)).collect();
        let mut index = VectorIndex::new();
        for (i, v) in vs.iter().enumerate() {
            index.upsert(i as i64, v);
        }
        // Replace item 0's vector by item 4's: both now top a query for vs[4].
        index.upsert(0, &vs[4]);
        assert_eq!(index.len(), 5);
        let hits = index.search(&vs[4], 0.9, 10, |_| true);
        let mut ids: Vec<i64> = hits.iter().map(|h| h.id).collect();
        ids.sort();
        assert_eq!(ids, vec![0, 4]);
        // Removing a middle row moves the last into its place; every remaining id still maps to
        // its own vector.
        assert!(index.remove(1));
        assert!(!index.remove(1));
        assert_eq!(index.len(), 4);
        for id in [2i64, 3] {
            let top = index.search(&vs[id as usize], 0.9, 1, |_| true);
            assert_eq!(top[0].id, id);
        }
        assert!(!index.contains(1));
        assert!(index.remove(4) && index.remove(0) && index.remove(2) && index.remove(3));
        assert!(index.is_empty());
    }
}
