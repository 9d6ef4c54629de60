//! `parallax bench assign`: time one assignment among many live items.
//!
//! The live set is built from real items (their embeddings and text) repeated with small seeded
//! perturbations of the vectors, restored into stories of a few items each, all inside the time
//! window, so every one of them is a candidate. Deterministic for a given seed.

use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use super::{Grouper, GroupingConfig, ItemFeatures, normalised};

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub live_items: usize,
    pub live_stories: usize,
    pub queries: usize,
    pub restore_seconds: f64,
    pub median_ms: f64,
    pub p90_ms: f64,
    pub max_ms: f64,
    /// Story ids chosen for the queries, hashed: equal across runs when assignment is deterministic.
    pub assignment_digest: u64,
}

fn jitter(v: &[f32], rng: &mut StdRng, scale: f32) -> Vec<f32> {
    let noisy: Vec<f32> = v.iter().map(|x| x + rng.gen_range(-scale..scale)).collect();
    normalised(&noisy)
}

/// Restore `live` items built from `base`, then assign `queries` items (also from `base`, with
/// fresh perturbations) one at a time and time each assignment.
pub fn assign(
    base: &[ItemFeatures],
    live: usize,
    queries: usize,
    seed: u64,
    cfg: &GroupingConfig,
) -> BenchReport {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut g = Grouper::new(cfg.clone());
    let now = chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z")
        .map(|t| t.to_utc())
        .unwrap_or_default();
    let start = Instant::now();
    let mut story = 1i64;
    for i in 0..live {
        let mut f = base[i % base.len()].clone();
        f.item_id = i as i64;
        f.published = Some(now - chrono::Duration::minutes(rng.gen_range(0..60 * 24 * 6)));
        f.embedding = f.embedding.as_ref().map(|v| jitter(v, &mut rng, 0.02));
        if rng.gen_range(0..4) == 0 {
            story += 1;
        }
        g.restore(f, story);
    }
    let restore_seconds = start.elapsed().as_secs_f64();
    let mut times = Vec::with_capacity(queries);
    let mut digest = 0xcbf2_9ce4_8422_2325u64;
    for q in 0..queries {
        let mut f = base[(q * 7919) % base.len()].clone();
        f.item_id = (live + q) as i64;
        f.published = Some(now);
        f.embedding = f.embedding.as_ref().map(|v| jitter(v, &mut rng, 0.02));
        let t = Instant::now();
        let a = g.assign(f);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        digest = (digest ^ a.story_id as u64).wrapping_mul(0x100_0000_01b3);
    }
    times.sort_by(f64::total_cmp);
    let pick = |q: f64| {
        times
            .get(((times.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    BenchReport {
        live_items: live,
        live_stories: g.story_ids().len(),
        queries,
        restore_seconds,
        median_ms: pick(0.5),
        p90_ms: pick(0.9),
        max_ms: times.last().copied().unwrap_or(0.0),
        assignment_digest: digest,
    }
}
