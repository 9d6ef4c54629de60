//! Benchmarks over a realistic archive: build one from real headlines in ../shared, then time the
//! engine calls the app makes. Benchmarks report medians; nothing here is asserted on time.
//!
//! The archive is built through the same path as a refresh: items are stored, then
//! [`Engine::group_pending`] runs language detection, embedding and grouping on them.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{ApiError, ApiResult, Engine, SearchQuery};
use crate::error::Code;
use crate::eval::stats::quantile;
use crate::model::{Feed, Item, Lang, Ownership, Source, TimeSource};
use crate::store::StoryFilter;

/// Real items and their outlets, in the proportions of the three shared news sets.
pub struct BenchCorpus {
    pub sources: Vec<Source>,
    pub items: Vec<Item>,
}

fn bench_err(msg: impl Into<String>) -> ApiError {
    ApiError::new(Code::Internal, format!("bench: {}", msg.into()))
}

/// Outlet names of the SaudiNewsNet codes (as the outlets spell themselves in English).
const SAUDI_OUTLETS: &[(&str, &str)] = &[
    ("3alyoum", "Ain Alyoum"),
    ("aawsat", "Asharq Al-Awsat"),
    ("aleqtisadiya", "Al Eqtisadiah"),
    ("aljazirah", "Al Jazirah"),
    ("almadina", "Al Madina"),
    ("alriyadh", "Al Riyadh"),
    ("alwatan", "Al Watan"),
    ("alweeam", "Al Weeam"),
    ("alyaum", "Al Yaum"),
    ("arreyadi", "Arreyadi"),
    ("arriyadiyah", "Arriyadiyah"),
    ("okaz", "Okaz"),
    ("sabq", "Sabq"),
    ("was", "Saudi Press Agency"),
];

struct Raw {
    outlet: String,
    name: String,
    lang: Lang,
    title: String,
    text: String,
    url: Option<String>,
    published: Option<DateTime<Utc>>,
}

/// Read up to `n` real items from `data` (the shared `data/` folder): a proportional share of
/// Arabic (SaudiNewsNet 2015), English (GNews 2024–25) and Persian (Hamshahri, Radio Farda 2020)
/// headlines. English descriptions are kept as summaries only with `with_summaries`: they make
/// embedding inputs ~4× longer, and so the build ~4× slower.
pub fn bench_corpus(data: &Path, n: usize, with_summaries: bool) -> ApiResult<BenchCorpus> {
    let ar = read_saudi(&data.join("ar-saudinewsnet-2015/headlines_all_days.tsv"))?;
    let en = read_gnews(
        &data.join("en-gnews-headlines/gnews_us_headlines.jsonl.gz"),
        with_summaries,
    )?;
    let mut fa = read_persian(
        &data.join("fa-hamshahri-radiofarda-2020/hamshahri.json"),
        "hamshahri",
        "Hamshahri Online",
    )?;
    fa.extend(read_persian(
        &data.join("fa-hamshahri-radiofarda-2020/radiofarda.json"),
        "radiofarda",
        "Radio Farda",
    )?);
    let available = ar.len() + en.len() + fa.len();
    let n = n.min(available);
    // The same share of each set, so a small archive looks like a large one.
    let share = |len: usize| ((len as u128 * n as u128).div_ceil(available as u128)) as usize;
    let (na, ne) = (share(ar.len()), share(en.len()));
    let nf = n.saturating_sub(na + ne).min(fa.len());
    let picked = ar
        .into_iter()
        .take(na)
        .chain(en.into_iter().take(ne))
        .chain(fa.into_iter().take(nf));

    let mut sources: BTreeMap<String, Source> = BTreeMap::new();
    let mut items = Vec::with_capacity(n);
    // Persian items carry no time (April 2020 feeds): spread them over the day they were read,
    // marked as estimated so grouping does not trust them.
    let fa_base = Utc.with_ymd_and_hms(2020, 4, 20, 0, 0, 0).single();
    for (i, r) in picked.enumerate() {
        let id = format!("bench-{}", crate::catalog::slug_for(&r.outlet));
        sources.entry(id.clone()).or_insert_with(|| Source {
            id: id.clone(),
            name: r.name.clone(),
            homepage: None,
            // Never fetched (disabled): the URL only says where the items came from.
            feeds: vec![Feed {
                url: format!("https://bench.invalid/{id}"),
                verified: false,
            }],
            language: r.lang.clone(),
            country: None,
            ownership: Ownership::Unknown,
            note: Some("benchmark archive from ../shared news sets".into()),
            enabled: false,
            refresh_secs: 86_400,
        });
        let (published, time_source) = match (r.published, fa_base) {
            (Some(t), _) => (t, TimeSource::Published),
            (None, Some(b)) => (
                b + chrono::Duration::seconds(i as i64 % 86_400),
                TimeSource::Fetched,
            ),
            (None, None) => (Utc::now(), TimeSource::Fetched),
        };
        let hash = hex::encode(Sha256::digest(format!("{}\n{}", r.title, r.text)));
        items.push(Item {
            source_id: id,
            guid: r.url.clone().unwrap_or_else(|| format!("sha256:{hash}")),
            url: r.url,
            summary_html: super::demo::text_as_html(&r.text),
            summary_text: r.text,
            title: r.title,
            author: None,
            published,
            time_source,
            categories: Vec::new(),
            media: Vec::new(),
            declared_lang: None,
            content_hash: hash,
        });
    }
    Ok(BenchCorpus {
        sources: sources.into_values().collect(),
        items,
    })
}

fn open(path: &Path) -> ApiResult<std::fs::File> {
    std::fs::File::open(path).map_err(|e| {
        ApiError::new(
            Code::Precondition,
            format!("bench: cannot read {}: {e}", path.display()),
        )
    })
}

fn read_saudi(path: &Path) -> ApiResult<Vec<Raw>> {
    let names: BTreeMap<&str, &str> = SAUDI_OUTLETS.iter().copied().collect();
    let mut out = Vec::new();
    for line in BufReader::new(open(path)?).lines().skip(1) {
        let line = line.map_err(|e| bench_err(format!("{}: {e}", path.display())))?;
        let f: Vec<&str> = line.split('\t').collect();
        let [_, date, outlet, title, url, ..] = f.as_slice() else {
            continue;
        };
        if title.trim().is_empty() {
            continue;
        }
        out.push(Raw {
            outlet: outlet.to_string(),
            name: names.get(outlet).unwrap_or(outlet).to_string(),
            lang: Lang::Ar,
            title: title.trim().to_string(),
            text: String::new(),
            url: Some(url.to_string()).filter(|u| !u.is_empty()),
            published: NaiveDateTime::parse_from_str(date, "%Y-%m-%d %H:%M:%S")
                .ok()
                .map(|t| t.and_utc()),
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
struct GnewsRow {
    first_snapshot: String,
    title: String,
    #[serde(default)]
    description: Option<String>,
    url: String,
    domain: String,
}

fn read_gnews(path: &Path, with_summaries: bool) -> ApiResult<Vec<Raw>> {
    let gz = flate2::read::GzDecoder::new(open(path)?);
    let mut out = Vec::new();
    for line in BufReader::new(gz).lines() {
        let line = line.map_err(|e| bench_err(format!("{}: {e}", path.display())))?;
        let Ok(r) = serde_json::from_str::<GnewsRow>(&line) else {
            continue;
        };
        if r.title.trim().is_empty() {
            continue;
        }
        out.push(Raw {
            outlet: r.domain.clone(),
            name: r.domain,
            lang: Lang::En,
            title: r.title.trim().to_string(),
            text: if with_summaries {
                r.description.unwrap_or_default()
            } else {
                String::new()
            },
            url: Some(r.url),
            published: DateTime::parse_from_str(&r.first_snapshot, "%Y-%m-%dT%H:%M%:z")
                .ok()
                .map(|t| t.with_timezone(&Utc)),
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
struct PersianRow {
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    link: Option<String>,
}

fn read_persian(path: &Path, outlet: &str, name: &str) -> ApiResult<Vec<Raw>> {
    let rows: Vec<PersianRow> = serde_json::from_reader(BufReader::new(open(path)?))
        .map_err(|e| bench_err(format!("{}: {e}", path.display())))?;
    Ok(rows
        .into_iter()
        .filter(|r| !r.title.trim().is_empty())
        .map(|r| Raw {
            outlet: outlet.into(),
            name: name.into(),
            lang: Lang::Fa,
            title: r.title.trim().to_string(),
            text: r.summary.trim().to_string(),
            url: r.link,
            published: None,
        })
        .collect())
}

impl Engine {
    /// Store a bench corpus (known items are skipped, so a second run adds nothing); returns how
    /// many were new. `progress` hears (stored so far, total).
    pub fn store_bench_corpus(
        &self,
        corpus: &BenchCorpus,
        mut progress: impl FnMut(usize, usize),
    ) -> ApiResult<usize> {
        self.with_store(|s| {
            for src in &corpus.sources {
                if s.source(&src.id)?.is_none() {
                    s.upsert_source(src)?;
                }
            }
            Ok(())
        })?;
        let mut new = 0;
        let mut done = 0;
        for chunk in corpus.items.chunks(2_000) {
            new += self.with_store(|s| s.insert_items(chunk))?.inserted.len();
            done += chunk.len();
            progress(done, corpus.items.len());
        }
        Ok(new)
    }
}

/// Median, 90th percentile and CPU time of one engine call, over `runs` calls.
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    pub name: String,
    pub runs: usize,
    pub median_ms: f64,
    pub p90_ms: f64,
    pub cpu_median_ms: f64,
    /// Size of the answer (rows, items or groups), so a fast empty answer is visible.
    pub rows: usize,
}

/// This thread's CPU time (zero where the platform has no per-thread clock): wall clock on a
/// shared machine measures the neighbours too.
fn thread_cpu() -> Duration {
    cpu_time::ThreadTime::try_now().map_or(Duration::ZERO, |t| t.as_duration())
}

fn time<T>(
    name: &str,
    runs: usize,
    mut call: impl FnMut(usize) -> ApiResult<T>,
    size: impl Fn(&T) -> usize,
) -> ApiResult<Timing> {
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    let mut rows = 0;
    for i in 0..runs.max(1) {
        let (t0, c0) = (Instant::now(), thread_cpu());
        let out = call(i)?;
        cpu.push((thread_cpu() - c0).as_secs_f64() * 1e3);
        wall.push(t0.elapsed().as_secs_f64() * 1e3);
        rows = size(&out);
    }
    Ok(Timing {
        name: name.into(),
        runs: wall.len(),
        median_ms: quantile(&wall, 0.5),
        p90_ms: quantile(&wall, 0.9),
        cpu_median_ms: quantile(&cpu, 0.5),
        rows,
    })
}

/// Queries in the three languages, typed the way an analyst would.
pub const BENCH_QUERIES: &[&str] = &["اليمن", "ایران", "Trump tariffs", "النفط", "کرونا", "Gaza"];

impl Engine {
    /// Time the calls the app makes on open, on a story, and on search (the app's own page size).
    pub fn bench_api(&self, runs: usize) -> ApiResult<Vec<Timing>> {
        let page = |limit: u32| StoryFilter {
            limit: Some(limit),
            ..Default::default()
        };
        let mut out = vec![
            time("status", runs, |_| self.status(), |_| 1)?,
            time("list_sources", runs, |_| self.list_sources(), Vec::len)?,
        ];
        out.push(time(
            "list_stories (first page, 500)",
            runs,
            |_| self.list_stories(&page(500)),
            Vec::len,
        )?);
        out.push(time(
            "list_stories (offset 10000, 500)",
            runs,
            |_| {
                self.list_stories(&StoryFilter {
                    offset: Some(10_000),
                    ..page(500)
                })
            },
            Vec::len,
        )?);
        out.push(time(
            "list_stories (cross-lingual)",
            runs,
            |_| {
                self.list_stories(&StoryFilter {
                    cross_lingual_only: true,
                    ..page(500)
                })
            },
            Vec::len,
        )?);
        out.push(time(
            "list_stories (language fa)",
            runs,
            |_| {
                self.list_stories(&StoryFilter {
                    languages: vec![Lang::Fa],
                    ..page(500)
                })
            },
            Vec::len,
        )?);
        let top = self.list_stories(&page(runs.max(1) as u32))?;
        let busiest = self
            .list_stories(&page(2_000))?
            .into_iter()
            .max_by_key(|s| s.item_count);
        let outlet = busiest
            .as_ref()
            .and_then(|s| s.first_source.as_ref())
            .map(|s| s.id.clone());
        out.push(time(
            "list_stories (one outlet)",
            runs,
            |_| {
                self.list_stories(&StoryFilter {
                    source_id: outlet.clone(),
                    ..page(500)
                })
            },
            Vec::len,
        )?);
        out.push(time(
            "list_stories (ownership)",
            runs,
            |_| {
                self.list_stories(&StoryFilter {
                    ownership: Some(Ownership::Unknown),
                    ..page(500)
                })
            },
            Vec::len,
        )?);
        if !top.is_empty() {
            out.push(time(
                "get_story (top stories)",
                runs,
                |i| self.get_story(top[i % top.len()].id),
                |d| d.items.len(),
            )?);
        }
        if let Some(b) = &busiest {
            out.push(time(
                &format!("get_story (largest, {} items)", b.item_count),
                runs,
                |_| self.get_story(b.id),
                |d| d.items.len(),
            )?);
        }
        let ids: Vec<i64> = self
            .with_store(|s| {
                s.items(&crate::store::ItemQuery {
                    limit: Some(50),
                    ..Default::default()
                })
            })?
            .into_iter()
            .map(|i| i.id)
            .collect();
        out.push(time(
            "story_items (50 ids)",
            runs,
            |_| self.story_items(&ids),
            Vec::len,
        )?);
        out.push(time(
            "search (text, 6 queries in turn)",
            runs,
            |i| {
                self.search(&SearchQuery {
                    text: BENCH_QUERIES[i % BENCH_QUERIES.len()].into(),
                    ..Default::default()
                })
            },
            Vec::len,
        )?);
        out.push(time(
            "search_text (FTS only)",
            runs,
            |i| self.with_store(|s| s.search_text(BENCH_QUERIES[i % BENCH_QUERIES.len()], 200)),
            Vec::len,
        )?);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::EngineConfig;

    #[test]
    #[ignore = "needs ../shared: the Saudi, Google-News and Hamshahri headline sets"]
    fn corpus_mixes_real_outlets_in_three_languages_and_stores_once() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
        let c = bench_corpus(&data, 600, false).unwrap();
        assert_eq!(c.items.len(), 600);
        let count = |l: Lang| {
            c.items
                .iter()
                .filter(|i| {
                    c.sources
                        .iter()
                        .any(|s| s.id == i.source_id && s.language == l)
                })
                .count()
        };
        // Proportional shares of 31k ar, 74k en and 2.5k fa headlines.
        let (ar, en, fa) = (count(Lang::Ar), count(Lang::En), count(Lang::Fa));
        assert!(ar > 150 && en > 380 && fa >= 10, "ar {ar} en {en} fa {fa}");
        assert!(c.sources.iter().any(|s| s.name == "Asharq Al-Awsat"));
        assert!(
            c.sources.iter().all(|s| !s.enabled),
            "bench outlets are never fetched"
        );
        assert!(c.items.iter().any(|i| i.title.contains("ال")));

        let dir = tempfile::tempdir().unwrap();
        let e = Engine::open(EngineConfig {
            seed_catalog: false,
            ..EngineConfig::new(dir.path().join("b.db"))
        })
        .unwrap();
        let first = e.store_bench_corpus(&c, |_, _| {}).unwrap();
        assert!(first > 550, "{first}");
        assert_eq!(e.store_bench_corpus(&c, |_, _| {}).unwrap(), 0);
        assert_eq!(e.status().unwrap().items as usize, first);
    }
}
