//! `parallax search`, `parallax eval search` and `parallax bench search`.

use std::path::PathBuf;

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

/// Cross-language retrieval on the story-eval dev sets, raw and language-centred.
pub fn eval(a: EvalArgs) -> anyhow::Result<()> {
    let model = Model::load_default()?;
    let mut rows = Vec::new();
    for f in [
        "ntrex-ar-fa-en.jsonl",
        "coverage-dev-ar-fa-en.jsonl",
        "itn-ar-fa-en.jsonl",
    ] {
        let items = retrieval::load_file(&a.shared.join("data/story-eval").join(f))
            .map_err(anyhow::Error::msg)?;
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
    /// Shared data root: real vectors come from embedding the NTREX story-eval headlines.
    #[arg(long, default_value = "../shared")]
    shared: PathBuf,
}

/// Time a brute-force scan of the int8 index at archive size.
pub fn bench(a: BenchArgs) -> anyhow::Result<()> {
    let model = Model::load_default()?;
    let items = retrieval::load_file(&a.shared.join("data/story-eval/ntrex-ar-fa-en.jsonl"))
        .map_err(anyhow::Error::msg)?;
    let titles: Vec<&str> = items.iter().map(|i| i.title.as_str()).collect();
    let real = model.embed(&titles).context("embedding headlines")?;
    let r = retrieval::bench_scan(&real, a.vectors, a.queries, 0.0);
    println!(
        "index scan: {} vectors, {:.1} MB, built in {:.0} ms; {} queries: median {:.2} ms, p90 {:.2} ms",
        r.vectors, r.index_mb, r.build_ms, r.queries, r.median_ms, r.p90_ms
    );
    Ok(())
}
