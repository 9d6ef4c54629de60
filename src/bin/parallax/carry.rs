//! `parallax eval carry` (translated-sentence detection on NTREX) and `parallax bench carry`
//! (carry graph + framing of a 100-item story of real ar/fa/en text, or of an archive's largest
//! story).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use chrono::{Duration, TimeZone, Utc};
use parallax::api::{Engine, EngineConfig};
use parallax::model::{Feed, Item, Lang, Ownership, Source, TimeSource};

#[derive(clap::Args)]
pub struct EvalArgs {
    /// The NTREX-128 folder.
    #[arg(long, default_value = "../shared/data/ntrex128")]
    ntrex: PathBuf,
    /// Only the first N documents (all 123 by default).
    #[arg(long)]
    docs: Option<usize>,
    #[arg(long)]
    json: bool,
}

pub fn eval(a: EvalArgs) -> anyhow::Result<()> {
    let model = parallax::embed::Model::load_default()?;
    let r = parallax::eval::carry::run(&model, &a.ntrex, a.docs).map_err(anyhow::Error::msg)?;
    if a.json {
        return crate::print_json(&r);
    }
    print!("{}", r.to_table());
    Ok(())
}

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Time the largest story of this archive instead of a built 100-item story (the archive
    /// gets the story's sentence embeddings and analysis stored, as the app would).
    #[arg(long)]
    db: Option<PathBuf>,
    /// With --db: time this story instead of the largest.
    #[arg(long, requires = "db")]
    story: Option<i64>,
    /// Items of the built story (at most 369: NTREX has 123 documents in three languages).
    #[arg(long, default_value_t = 100)]
    items: usize,
    /// Keep the built story's archive here (a new file; then time it again with --db).
    #[arg(long, conflicts_with = "db")]
    save: Option<PathBuf>,
    #[arg(long, default_value_t = 10)]
    runs: usize,
    /// The NTREX-128 folder (real ar/fa/en text for the built story).
    #[arg(long, default_value = "../shared/data/ntrex128")]
    ntrex: PathBuf,
}

pub fn bench(a: BenchArgs) -> anyhow::Result<()> {
    let _tmp;
    let (engine, story) = match &a.db {
        Some(db) => {
            let engine = Engine::open(EngineConfig {
                seed_catalog: false,
                ..EngineConfig::new(db.clone())
            })?;
            let id = match a.story {
                Some(id) => {
                    println!("story #{id}");
                    id
                }
                None => {
                    let (id, n) = engine
                        .largest_story()?
                        .context("the archive has no stories")?;
                    println!("largest story #{id}: {n} items");
                    id
                }
            };
            (engine, id)
        }
        None => {
            let path = match &a.save {
                Some(p) if p.exists() => anyhow::bail!("{} exists already", p.display()),
                Some(p) => p.clone(),
                None => {
                    _tmp = tempfile_dir()?;
                    _tmp.join("bench.db")
                }
            };
            let engine = Engine::open(EngineConfig {
                seed_catalog: false,
                ..EngineConfig::new(path)
            })?;
            let id = build_story(&engine, &a.ntrex, a.items)?;
            println!(
                "built story #{id}: {} items of real NTREX ar/fa/en text, 30 outlets",
                a.items
            );
            (engine, id)
        }
    };
    // What the app and `serve` do in the background when a multilingual story changes…
    let t = Instant::now();
    engine.clear_story_analysis(story)?;
    let prepared = engine.prepare_story_analysis(story)?;
    let prepare = t.elapsed().as_secs_f64() * 1000.0;
    // …so the first view reads it back.
    let t = Instant::now();
    let c = engine.story_carry(story)?;
    let f = engine.story_framing(story)?;
    let first = t.elapsed().as_secs_f64() * 1000.0;
    let sentences: usize = c.items.iter().map(|i| i.sentences.len()).sum();
    println!(
        "background preparation (embeds sentences not cached yet, loads the model): {prepare:.0} ms{} — {sentences} sentences, {} carry links, {} only-in sentences",
        if prepared {
            ""
        } else {
            " (not prepared: one language or no model; computed on view)"
        },
        c.links.len(),
        f.only_in.len()
    );
    println!("first view after it: {first:.1} ms");
    let mut fresh = Vec::new();
    let mut fresh_cpu = Vec::new();
    let mut stored = Vec::new();
    // CPU time of the whole process (every thread): on a shared machine the wall clock also
    // counts the time other processes held the cores.
    let cpu = || cpu_time::ProcessTime::try_now().map(|t| t.as_duration().as_secs_f64() * 1000.0);
    for _ in 0..a.runs.max(1) {
        engine.clear_story_analysis(story)?;
        let (t, c) = (Instant::now(), cpu());
        engine.story_carry(story)?;
        engine.story_framing(story)?;
        fresh.push(t.elapsed().as_secs_f64() * 1000.0);
        if let (Ok(c0), Ok(c1)) = (c, cpu()) {
            fresh_cpu.push(c1 - c0);
        }
        let t = Instant::now();
        engine.story_carry(story)?;
        engine.story_framing(story)?;
        stored.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "carry + framing, computed (sentence embeddings cached): median {:.1} ms wall, {} CPU over {} runs",
        med(&mut fresh),
        if fresh_cpu.is_empty() {
            "unknown".to_string()
        } else {
            format!("{:.1} ms", med(&mut fresh_cpu))
        },
        a.runs.max(1)
    );
    println!(
        "carry + framing, stored analysis read back: median {:.1} ms",
        med(&mut stored)
    );
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<TempDir> {
    let p = std::env::temp_dir().join(format!("parallax-bench-carry-{}", std::process::id()));
    std::fs::create_dir_all(&p)?;
    Ok(TempDir(p))
}

/// A directory removed when dropped.
struct TempDir(PathBuf);
impl std::ops::Deref for TempDir {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One story of `n` items: NTREX documents (first five lines) in Arabic, Persian and English,
/// from ten outlets per language, an hour apart per document and ten minutes per language.
fn build_story(engine: &Engine, ntrex: &std::path::Path, n: usize) -> anyhow::Result<i64> {
    let read = |f: &str| -> anyhow::Result<Vec<String>> {
        let p = ntrex.join(f);
        Ok(std::fs::read_to_string(&p)
            .with_context(|| p.display().to_string())?
            .lines()
            .map(str::to_owned)
            .collect())
    };
    let ids = read("DOCUMENT_IDS.tsv")?;
    let langs = [
        (Lang::Ar, read("newstest2019-ref.arb.txt")?),
        (Lang::Fa, read("newstest2019-ref.fas.txt")?),
        (Lang::En, read("newstest2019-ref.eng-US.txt")?),
    ];
    let mut starts = vec![0usize];
    for i in 1..ids.len() {
        if ids[i] != ids[i - 1] {
            starts.push(i);
        }
    }
    let t0 = Utc.with_ymd_and_hms(2019, 3, 1, 8, 0, 0).unwrap();
    let mut items = Vec::new();
    let mut sources = Vec::new();
    for (lang, _) in &langs {
        for o in 0..10 {
            sources.push(Source {
                id: format!("{lang}-outlet-{o}"),
                name: format!("Outlet {o} ({lang})"),
                homepage: None,
                feeds: vec![Feed {
                    url: format!("http://127.0.0.1:9/{lang}/{o}"),
                    verified: true,
                }],
                language: lang.clone(),
                country: None,
                ownership: Ownership::Unknown,
                note: None,
                enabled: true,
                refresh_secs: 900,
            });
        }
    }
    'outer: for (d, &s) in starts.iter().enumerate() {
        let end = starts.get(d + 1).copied().unwrap_or(ids.len()).min(s + 5);
        for (l, (lang, text)) in langs.iter().enumerate() {
            if items.len() >= n {
                break 'outer;
            }
            let source = format!("{lang}-outlet-{}", d % 10);
            items.push(Item {
                source_id: source.clone(),
                guid: format!("{d}-{l}"),
                url: None,
                title: text[s].clone(),
                summary_html: String::new(),
                summary_text: text[s + 1..end].join(" "),
                author: None,
                published: t0 + Duration::minutes(60 * d as i64 + 10 * l as i64),
                time_source: TimeSource::Published,
                categories: vec![],
                media: vec![],
                declared_lang: Some(lang.clone()),
                content_hash: format!("{source}-{d}-{l}"),
            });
        }
    }
    engine.save_sources(&sources)?;
    let rows: Vec<(Item, Lang)> = items
        .into_iter()
        .map(|it| {
            let lang = it.declared_lang.clone().unwrap_or(Lang::Und);
            (it, lang)
        })
        .collect();
    let ids: Vec<i64> = engine.store_items(&rows)?.into_iter().flatten().collect();
    Ok(engine.create_story(&ids)?)
}

#[derive(clap::Args)]
pub struct LexiconCheckArgs {
    /// A lexicon file to check (default: the bundled one).
    #[arg(long)]
    file: Option<PathBuf>,
    /// Seconds to wait for each link.
    #[arg(long, default_value_t = 15)]
    timeout: u64,
    /// Only check the file's form (glosses, well-formed https sources); fetch nothing.
    #[arg(long)]
    offline: bool,
}

/// What became of one link.
enum LinkState {
    Ok(u16),
    /// The server answered with an error status: the page is gone or moved without a redirect.
    Broken(u16),
    /// No answer (no network, DNS, TLS, timeout): the link could not be checked.
    Unreachable(String),
}

/// `parallax framing lexicon check`: every entry's gloss and https source, then each distinct
/// link fetched. A broken link (HTTP error) or a malformed entry exits 1; links that cannot be
/// reached at all (no network) are listed as not checked and do not change the exit status.
pub fn lexicon_check(a: LexiconCheckArgs) -> anyhow::Result<()> {
    use parallax::framing::lexicon::{BUNDLED, Lexicon, source_problem};
    let (text, origin) = match &a.file {
        Some(f) => (
            std::fs::read_to_string(f).with_context(|| f.display().to_string())?,
            f.display().to_string(),
        ),
        None => (BUNDLED.to_string(), "the bundled lexicon".to_string()),
    };
    let lexicon = Lexicon::parse(&text, &origin)?;
    let mut malformed = 0;
    for e in &lexicon.entries {
        let term = e.terms.first().map(String::as_str).unwrap_or("?");
        if e.gloss.trim().chars().count() < 10 {
            malformed += 1;
            println!("MALFORMED  {term}: gloss {:?} says too little", e.gloss);
        }
        if let Some(why) = source_problem(&e.source) {
            malformed += 1;
            println!("MALFORMED  {term}: source {:?}: {why}", e.source);
        }
    }
    let links: Vec<(String, Vec<String>)> = lexicon
        .sources()
        .into_iter()
        .filter(|(u, _)| source_problem(u).is_none())
        .collect();
    println!(
        "{origin}: {} entries, {} distinct source links, {malformed} problems of form",
        lexicon.entries.len(),
        links.len()
    );
    if a.offline {
        return verdict(malformed, 0);
    }
    let client = reqwest::Client::builder()
        .user_agent(concat!(
            "parallax-lexicon-check/",
            env!("CARGO_PKG_VERSION"),
            " (checks the sources cited by a framing lexicon)"
        ))
        .timeout(std::time::Duration::from_secs(a.timeout))
        .build()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let states: Vec<LinkState> = rt.block_on(futures_util::future::join_all(
        links.iter().map(|(u, _)| check_link(&client, u)),
    ));
    let (mut ok, mut broken, mut unreachable) = (0, 0, 0);
    for ((url, terms), state) in links.iter().zip(&states) {
        let cited = terms.join(", ");
        match state {
            LinkState::Ok(code) => {
                ok += 1;
                println!("ok {code}     {url}");
            }
            LinkState::Broken(code) => {
                broken += 1;
                println!("BROKEN {code} {url}  (cited by: {cited})");
            }
            LinkState::Unreachable(why) => {
                unreachable += 1;
                println!("UNREACHABLE {url}  ({why}; cited by: {cited})");
            }
        }
    }
    println!(
        "{} links: {ok} ok, {broken} broken, {unreachable} unreachable (not checked){}",
        links.len(),
        if unreachable == links.len() && !links.is_empty() {
            " — no link answered: is this machine offline?"
        } else {
            ""
        }
    );
    verdict(malformed, broken)
}

fn verdict(malformed: usize, broken: usize) -> anyhow::Result<()> {
    if malformed + broken > 0 {
        anyhow::bail!("lexicon check: {malformed} problems of form, {broken} broken links");
    }
    Ok(())
}

async fn check_link(client: &reqwest::Client, url: &str) -> LinkState {
    // GET, not HEAD: some sites refuse HEAD; only the status is read, not the page.
    match client.get(url).send().await {
        Ok(r) if r.status().is_success() => LinkState::Ok(r.status().as_u16()),
        Ok(r) => LinkState::Broken(r.status().as_u16()),
        Err(e) => {
            let mut why = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                why = format!("{why}: {s}");
                src = std::error::Error::source(s);
            }
            LinkState::Unreachable(why)
        }
    }
}
