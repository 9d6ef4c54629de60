//! `parallax eval related`: how well the related-stories list ([`crate::cluster::related`])
//! separates a topic's other happenings from other topics, per floor, on the dev sets.
//!
//! Gold stories stand in for the grouper's (this measures the ranking, not the grouping). The
//! dense sets are one topic each (Iran's diplomacy; Afghanistan), so for a query story of a
//! dense set a listed story of the same set is on topic, one from another set is off topic (an
//! upper bound on the error: the sets share some actors). Their near-miss pairs (different
//! happenings of one topic, `*-SOURCE.md`) are what the list should show.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::stories::{self, Embedder, EvalError, EvalItem};
use crate::cluster::LangMeans;
use crate::cluster::related::{rank, topic_vector};
use crate::embed::index::BACKGROUND_WEIGHT;

/// Stories a list shows at most (the app's list length).
pub const LIST_LEN: usize = 8;

/// One dev set's items, centred vectors and near-miss pairs.
struct Set {
    name: String,
    items: Vec<EvalItem>,
    centred: Vec<Vec<f32>>,
    near_misses: Vec<(String, String)>,
    /// Whether the set is one topic (its stories are each other's related stories).
    dense: bool,
}

/// Figures at one floor, over the query stories of the dense sets.
#[derive(Debug, Clone, Serialize)]
pub struct FloorRow {
    pub floor: f32,
    /// Mean stories listed per query story.
    pub listed: f64,
    /// Share of listed stories from another set (off topic).
    pub off_topic: f64,
    /// Near-miss pairs of the dense sets where either story lists the other.
    pub near_misses_listed: usize,
    pub near_misses: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RelatedReport {
    pub sets: Vec<String>,
    pub query_stories: usize,
    pub rows: Vec<FloorRow>,
    /// The floor `rows` pick (what `RELATED_FLOOR` ships).
    pub picked: f32,
    /// Each dense set at the floor the other dense sets pick (leave-one-set-out).
    pub transfer: Vec<(String, FloorRow)>,
}

/// The floor that maximises near-miss recall × (1 − off-topic share); the lower on ties.
pub fn pick(rows: &[FloorRow]) -> f32 {
    let value = |r: &FloorRow| {
        r.near_misses_listed as f64 / r.near_misses.max(1) as f64 * (1.0 - r.off_topic)
    };
    rows.iter()
        .fold(None::<&FloorRow>, |best, r| match best {
            Some(b) if value(b) >= value(r) => Some(b),
            _ => Some(r),
        })
        .map_or(0.0, |r| r.floor)
}

/// The near-miss list next to a dev file: `x-ar-fa-en.jsonl` → `x-SOURCE.md`.
fn source_md(file: &Path) -> Option<PathBuf> {
    let name = file.file_name()?.to_str()?;
    let stem = name.strip_suffix("-ar-fa-en.jsonl")?;
    Some(file.with_file_name(format!("{stem}-SOURCE.md")))
}

fn load_sets(files: &[PathBuf], embedder: &dyn Embedder) -> Result<Vec<Set>, EvalError> {
    let mut raw = Vec::new();
    for f in files {
        let items = stories::load(f)?;
        let vectors = stories::embed_items(&items, embedder)?;
        let near_misses = source_md(f)
            .and_then(|p| std::fs::read_to_string(p).ok())
            .map(|md| stories::parse_near_misses(&md))
            .unwrap_or_default();
        let name = f
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        let dense = name.contains("-dense-");
        raw.push((name, items, vectors, near_misses, dense));
    }
    // Centred as the app's meaning index centres: background means plus every item seen.
    let mut means = LangMeans::with_background(BACKGROUND_WEIGHT);
    for (_, items, vectors, _, _) in &raw {
        for (it, v) in items.iter().zip(vectors) {
            means.add(&it.lang(), v);
        }
    }
    Ok(raw
        .into_iter()
        .map(|(name, items, vectors, near_misses, dense)| {
            let centred = items
                .iter()
                .zip(&vectors)
                .map(|(it, v)| means.centre(&it.lang(), v))
                .collect();
            Set {
                name,
                items,
                centred,
                near_misses,
                dense,
            }
        })
        .collect())
}

/// Run the evaluation over `files` at each floor.
pub fn evaluate(
    files: &[PathBuf],
    embedder: &dyn Embedder,
    floors: &[f32],
) -> Result<RelatedReport, EvalError> {
    let sets = load_sets(files, embedder)?;
    // Gold stories as (set, label) with their item positions.
    let mut stories_of: BTreeMap<(usize, String), Vec<usize>> = BTreeMap::new();
    for (si, s) in sets.iter().enumerate() {
        for (i, it) in s.items.iter().enumerate() {
            stories_of
                .entry((si, it.story.clone()))
                .or_default()
                .push(i);
        }
    }
    let keys: Vec<(usize, String)> = stories_of.keys().cloned().collect();
    let index_of = |k: &(usize, String)| keys.iter().position(|x| x == k).unwrap_or(usize::MAX);
    // For each dense query story: every other story's closest item cosine.
    let mut scored: Vec<(usize, Vec<(i64, f32)>)> = Vec::new();
    for (qi, q) in keys.iter().enumerate() {
        if !sets[q.0].dense {
            continue;
        }
        let members = &stories_of[q];
        let Some(topic) = topic_vector(members.iter().map(|&i| sets[q.0].centred[i].as_slice()))
        else {
            continue;
        };
        let mut hits = Vec::new();
        for (ti, t) in keys.iter().enumerate() {
            if ti == qi {
                continue;
            }
            for &i in &stories_of[t] {
                let v = &sets[t.0].centred[i];
                hits.push((ti as i64, crate::cluster::dot(&topic, v)));
            }
        }
        scored.push((qi, hits));
    }
    let rows_for = |query_sets: &[usize]| -> Vec<FloorRow> {
        let mut rows = Vec::new();
        for &floor in floors {
            let mut listed = 0usize;
            let mut off = 0usize;
            let mut queries = 0usize;
            let mut lists: HashSet<(usize, usize)> = HashSet::new();
            for (qi, hits) in scored
                .iter()
                .filter(|(q, _)| query_sets.contains(&keys[*q].0))
            {
                queries += 1;
                let list = rank(hits.iter().copied().filter(|&(_, s)| s >= floor), LIST_LEN);
                listed += list.len();
                for c in &list {
                    let t = c.story as usize;
                    if keys[t].0 != keys[*qi].0 {
                        off += 1;
                    }
                    lists.insert((*qi, t));
                }
            }
            let mut nm_total = 0;
            let mut nm_listed = 0;
            // A pair counts when either of its stories lists the other.
            for &si in query_sets {
                for (a, b) in &sets[si].near_misses {
                    let (ia, ib) = (index_of(&(si, a.clone())), index_of(&(si, b.clone())));
                    if ia == usize::MAX || ib == usize::MAX {
                        continue;
                    }
                    nm_total += 1;
                    if lists.contains(&(ia, ib)) || lists.contains(&(ib, ia)) {
                        nm_listed += 1;
                    }
                }
            }
            rows.push(FloorRow {
                floor,
                listed: listed as f64 / queries.max(1) as f64,
                off_topic: off as f64 / listed.max(1) as f64,
                near_misses_listed: nm_listed,
                near_misses: nm_total,
            });
        }
        rows
    };
    let dense: Vec<usize> = (0..sets.len()).filter(|&i| sets[i].dense).collect();
    let rows = rows_for(&dense);
    // Transfer: each dense set scored at the floor the other dense sets pick.
    let mut transfer = Vec::new();
    for &d in &dense {
        let others: Vec<usize> = dense.iter().copied().filter(|&o| o != d).collect();
        if others.is_empty() {
            continue;
        }
        let floor = pick(&rows_for(&others));
        if let Some(row) = rows_for(&[d]).into_iter().find(|r| r.floor == floor) {
            transfer.push((sets[d].name.clone(), row));
        }
    }
    Ok(RelatedReport {
        sets: sets.iter().map(|s| s.name.clone()).collect(),
        query_stories: scored.len(),
        picked: pick(&rows),
        rows,
        transfer,
    })
}
