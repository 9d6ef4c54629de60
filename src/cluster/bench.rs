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
    /// Wall-clock time per assignment (inflated when other processes share the cores).
    pub median_ms: f64,
    pub p90_ms: f64,
    pub max_ms: f64,
    /// CPU time of this thread per assignment: the cost itself, independent of machine load.
    pub cpu_median_ms: f64,
    pub cpu_p90_ms: f64,
    pub cpu_max_ms: f64,
    /// Story ids chosen for the queries, hashed: equal across runs when assignment is deterministic.
    pub assignment_digest: u64,
}

/// CPU time consumed by the calling thread, in milliseconds.
fn thread_cpu_ms() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the call only writes into it.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return f64::NAN;
    }
    ts.tv_sec as f64 * 1000.0 + ts.tv_nsec as f64 / 1e6
}

fn percentiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let pick = |q: f64| {
        v.get(((v.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    (pick(0.5), pick(0.9), v.last().copied().unwrap_or(0.0))
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
    let mut cpu = Vec::with_capacity(queries);
    let mut digest = 0xcbf2_9ce4_8422_2325u64;
    for q in 0..queries {
        let mut f = base[(q * 7919) % base.len()].clone();
        f.item_id = (live + q) as i64;
        f.published = Some(now);
        f.embedding = f.embedding.as_ref().map(|v| jitter(v, &mut rng, 0.02));
        let t = Instant::now();
        let c = thread_cpu_ms();
        let a = g.assign(f);
        cpu.push(thread_cpu_ms() - c);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        digest = (digest ^ a.story_id as u64).wrapping_mul(0x100_0000_01b3);
    }
    let (median_ms, p90_ms, max_ms) = percentiles(times);
    let (cpu_median_ms, cpu_p90_ms, cpu_max_ms) = percentiles(cpu);
    BenchReport {
        live_items: live,
        live_stories: g.story_ids().len(),
        queries,
        restore_seconds,
        median_ms,
        p90_ms,
        max_ms,
        cpu_median_ms,
        cpu_p90_ms,
        cpu_max_ms,
        assignment_digest: digest,
    }
}
