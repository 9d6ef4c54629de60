//! `parallax search`, `parallax eval search` and `parallax bench search`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use parallax::api::{Engine, SearchQuery};
use parallax::embed::{Model, retrieval};

/// Search the archive: folded text, and by meaning across languages with `--meaning`.
#[derive(Args)]
pub struct SearchArgs {
    text: String,
    /// Also find items in other languages by meaning (needs the model).
    #[arg(long)]
    meaning: bool,
    #[arg(long, default_value_t = 50)]
    limit: u32,
    #[arg(long)]
    json: bool,
}

pub fn run(engine: Engine, a: SearchArgs) -> anyhow::Result<()> {
    if a.meaning
        && let Err(why) = engine.model()
    {
        eprintln!("note: searching text only ({why})");
    }
    let groups = engine.search(&SearchQuery {
        text: a.text,
        filter: Default::default(),
        semantic: a.meaning,
        limit: Some(a.limit),
    })?;
    if a.json {
        return crate::print_json(&groups);
    }
    for g in &groups {
        match &g.story {
            Some(s) => println!("story {} ({} items)", s.id, s.item_count),
            None => println!("not grouped"),
        }
        for h in &g.hits {
            println!(
                "  {:>6.3} {:<7} [{}] {}",
                h.score,
                format!("{:?}", h.kind).to_lowercase(),
                h.item.lang,
                h.item.title
            );
        }
    }
    Ok(())
}

#[derive(Args)]
pub struct EvalArgs {
    /// Shared data root (holds data/story-eval).
    #[arg(long, default_value = "../shared")]
    shared: PathBuf,
    /// Similarity floors to report.
    #[arg(long, value_delimiter = ',', default_values_t = [0.80f32, 0.82, 0.84, 0.86, 0.88, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45])]
    floors: Vec<f32>,
    #[arg(long)]
    json: bool,
}

/// The three story-eval dev sets, by file name.
fn dev_sets(
    shared: &std::path::Path,
) -> anyhow::Result<Vec<(&'static str, Vec<parallax::embed::bench::EvalItem>)>> {
    [
        "ntrex-ar-fa-en.jsonl",
        "coverage-dev-ar-fa-en.jsonl",
        "itn-ar-fa-en.jsonl",
    ]
    .into_iter()
    .map(|f| {
        retrieval::load_file(&shared.join("data/story-eval").join(f))
            .map(|items| (f, items))
            .map_err(anyhow::Error::msg)
    })
    .collect()
}

/// Cross-language retrieval on the story-eval dev sets, raw and language-centred.
pub fn eval(a: EvalArgs) -> anyhow::Result<()> {
    let model = Model::load_default()?;
    let mut rows = Vec::new();
    for (f, items) in dev_sets(&a.shared)? {
        eprintln!("{f}: embedding {} items", items.len());
        rows.extend(retrieval::evaluate(&model, f, &items, &a.floors)?);
    }
    if a.json {
        return crate::print_json(&rows);
    }
    for r in &rows {
        println!(
            "{:<28} {:<13} {:<8} targets {:>4}  target p10 {:.3} med {:.3} | other p99 {:.3} p99.9 {:.3} max {:.3} | R@10 {:.3}",
            r.file,
            r.queries,
            format!("{:?}", r.centring).to_lowercase(),
            r.targets,
            r.target_p10,
            r.target_median,
            r.other_p99,
            r.other_p999,
            r.other_max,
            r.recall_at_10
        );
        let floors: Vec<String> = r
            .at_floor
            .iter()
            .map(|(f, t, o)| format!("{f:.2}: R {t:.2} FP/q {o:.1}"))
            .collect();
        println!("    {}", floors.join("  "));
        let pairs: Vec<String> = r
            .median_by_pair
            .iter()
            .map(|(k, m)| format!("{k} {m:.3}"))
            .collect();
        println!("    median by pair: {}", pairs.join("  "));
    }
    Ok(())
}

#[derive(Args)]
pub struct BenchArgs {
    /// Vectors in the index.
    #[arg(long, default_value_t = 100_000)]
    vectors: usize,
    #[arg(long, default_value_t = 200)]
    queries: usize,
    /// Shared data root: real vectors come from embedding the story-eval items.
    #[arg(long, default_value = "../shared")]
    shared: PathBuf,
    /// Also time `Engine::search` end to end on a temporary archive of this many items (real
    /// story-eval texts cycled, each with its real vector nudged by noise); 0 skips it.
    #[arg(long, default_value_t = 100_000)]
    archive_items: usize,
}

/// Time a brute-force scan of the int8 index at archive size, then whole searches (text and
/// meaning, grouped and filtered) on an archive of the same size.
pub fn bench(a: BenchArgs) -> anyhow::Result<()> {
    let model = Model::load_default()?;
    let items: Vec<_> = dev_sets(&a.shared)?
        .into_iter()
        .flat_map(|(_, items)| items)
        .collect();
    eprintln!("embedding {} real items", items.len());
    let inputs: Vec<String> = items
        .iter()
        .map(|i| parallax::cluster::embedding_input(&i.title, &i.text))
        .collect();
    let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let real = model.embed(&refs).context("embedding items")?;
    let r = retrieval::bench_scan(&real, a.vectors, a.queries, 0.0);
    println!(
        "index scan: {} vectors, {:.1} MB, built in {:.0} ms; {} queries: median {:.2} ms, p90 {:.2} ms",
        r.vectors, r.index_mb, r.build_ms, r.queries, r.median_ms, r.p90_ms
    );
    drop(model);
    if a.archive_items > 0 {
        bench_archive(&items, &real, a.archive_items, a.queries)?;
    }
    Ok(())
}

fn bench_archive(
    seed: &[parallax::embed::bench::EvalItem],
    real: &[Vec<f32>],
    n: usize,
    queries: usize,
) -> anyhow::Result<()> {
    use parallax::model::{Feed, Item, Lang, Ownership, Source, TimeSource};
    use rand::{Rng, SeedableRng};
    let dir = tempfile_dir()?;
    let t0 = Instant::now();
    let langs = [Lang::Ar, Lang::Fa, Lang::En];
    // The archive is written through the engine (synthetic vectors, no model), then reopened
    // so the meaning index is built from it as on any start.
    {
        let engine = Engine::open(parallax::api::EngineConfig {
            seed_catalog: false,
            ..parallax::api::EngineConfig::new(dir.join("bench.db"))
        })?;
        let sources: Vec<Source> = langs
            .iter()
            .map(|l| Source {
                id: format!("bench-{l}"),
                name: format!("Bench ({l})"),
                homepage: None,
                feeds: vec![Feed {
                    url: format!("http://127.0.0.1:9/{l}"),
                    verified: false,
                }],
                language: l.clone(),
                country: None,
                ownership: Ownership::Unknown,
                note: None,
                enabled: false,
                refresh_secs: 86_400,
            })
            .collect();
        engine.save_sources(&sources)?;
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let base = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
            .map(|d| d.with_timezone(&chrono::Utc))
            .unwrap_or_default();
        for start in (0..n).step_by(5000) {
            let rows: Vec<(usize, (Item, Lang))> = (start..n.min(start + 5000))
                .map(|i| {
                    let it = &seed[i % seed.len()];
                    let lang = Lang::from_tag(&it.lang).unwrap_or(Lang::Und);
                    let item = Item {
                        source_id: format!("bench-{lang}"),
                        guid: format!("{}#{i}", it.id),
                        url: None,
                        title: it.title.clone(),
                        summary_html: String::new(),
                        summary_text: it.text.clone(),
                        author: None,
                        published: base + chrono::Duration::minutes(i as i64),
                        time_source: TimeSource::Published,
                        categories: Vec::new(),
                        media: Vec::new(),
                        declared_lang: Some(lang.clone()),
                        content_hash: format!("bench-{i}"),
                    };
                    (i, (item, lang))
                })
                .collect();
            let items: Vec<(Item, Lang)> = rows.iter().map(|(_, r)| r.clone()).collect();
            let ids = engine.store_items(&items)?;
            let vectors: Vec<(i64, Vec<f32>)> = ids
                .iter()
                .zip(&rows)
                .filter_map(|(id, (i, _))| {
                    let v = real[i % real.len()]
                        .iter()
                        .map(|x| x + rng.gen_range(-0.02f32..0.02))
                        .collect();
                    id.map(|id| (id, v))
                })
                .collect();
            engine.put_embeddings(parallax::embed::MODEL_TAG, &vectors)?;
        }
    }
    let engine = Engine::open(parallax::api::EngineConfig {
        seed_catalog: false,
        ..parallax::api::EngineConfig::new(dir.join("bench.db"))
    })?;
    eprintln!(
        "archive of {n} items written in {:.1} s",
        t0.elapsed().as_secs_f32()
    );
    let qs: Vec<String> = seed
        .iter()
        .take(queries)
        .map(|i| parallax::cluster::clean_title(&i.title))
        .collect();
    let search = |text: &str, semantic: bool| -> anyhow::Result<(f32, usize)> {
        let t = Instant::now();
        let groups = engine.search(&SearchQuery {
            text: text.to_string(),
            filter: Default::default(),
            semantic,
            limit: Some(200),
        })?;
        Ok((
            t.elapsed().as_secs_f32() * 1000.0,
            groups.iter().map(|g| g.hits.len()).sum(),
        ))
    };
    let (first, _) = search(&qs[0], true)?;
    println!(
        "archive {n} items: first search by meaning (loads the model, builds the index of {} vectors) {first:.0} ms",
        engine.meaning_index_len()
    );
    for semantic in [false, true] {
        let mut times = Vec::new();
        let mut hits = 0;
        for q in &qs {
            let (ms, h) = search(q, semantic)?;
            times.push(ms);
            hits += h;
        }
        times.sort_by(f32::total_cmp);
        println!(
            "archive {n} items: {} searches ({}): median {:.1} ms, p90 {:.1} ms, {:.1} hits each",
            times.len(),
            if semantic {
                "text + meaning"
            } else {
                "text only"
            },
            times[times.len() / 2],
            times[times.len() * 9 / 10],
            hits as f32 / times.len() as f32
        );
    }
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

/// A fresh directory under the system temp dir for the bench archive.
fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("parallax-bench-search-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}
