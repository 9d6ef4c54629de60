//! Language-identification benchmark: accuracy per data set, subset and language, the confusion
//! between Arabic-script languages, and detections per second, for our detector, its variants,
//! lingua over every language this build has, and whatlang.
//!
//! Scoring of languages outside a detector's repertoire (Pashto, Sorani, Uyghur for us): the
//! expected answer is "und"; any named language counts as wrong. A detector without an
//! "undetermined" answer (lingua-broad, whatlang) therefore scores 0 there, which is the honest
//! figure: it always names a wrong language. The confusion table shows what each one said.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lingua::{LanguageDetector, LanguageDetectorBuilder};
use serde::Serialize;

use crate::language::{Detector, LanguageConfig, Strategy};

#[derive(Debug, thiserror::Error)]
pub enum LangEvalError {
    #[error("eval: cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("eval: {path} line {line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("eval: no samples found under {0}")]
    Empty(PathBuf),
}

/// One text with its gold language (ISO 639-1).
#[derive(Debug, Clone)]
pub struct Sample {
    pub dataset: String,
    pub subset: String,
    pub lang: String,
    pub text: String,
}

/// Accuracy of one detector on one (data set, subset, language) cell.
#[derive(Debug, Clone, Serialize)]
pub struct ResultRow {
    pub detector: String,
    pub dataset: String,
    pub subset: String,
    pub lang: String,
    pub n: usize,
    pub accuracy: f64,
}

/// What one detector said for the texts of one gold language in one data set.
#[derive(Debug, Clone, Serialize)]
pub struct ConfusionRow {
    pub detector: String,
    pub dataset: String,
    pub gold: String,
    /// Predicted label (ar, fa, ur, en, und, other) → count.
    pub predicted: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LangEval {
    pub results: Vec<ResultRow>,
    /// Detections per CPU-second on one core over the headline set (see [`headline_set`]).
    pub per_second: BTreeMap<String, f64>,
    /// The same per wall-clock second (lower when the machine is shared).
    pub per_second_wall: BTreeMap<String, f64>,
    pub confusion: Vec<ConfusionRow>,
    /// Size of the headline set the speed was measured on.
    pub headlines: usize,
    /// `normalize::fold` over the same headline set, on one core.
    pub fold: FoldSpeed,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct FoldSpeed {
    pub texts_per_second: f64,
    pub mb_per_second: f64,
}

/// Speed of [`crate::normalize::fold`] over `texts`, per CPU-second of the calling thread.
pub fn fold_throughput(texts: &[&str], min: Duration) -> FoldSpeed {
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let folder = Contender {
        name: "fold".into(),
        repertoire: BTreeSet::new(),
        detect: Box::new(crate::normalize::fold),
    };
    let speed = throughput(&folder, texts, min);
    let per_text_bytes = bytes as f64 / texts.len().max(1) as f64;
    FoldSpeed {
        texts_per_second: speed.per_cpu_second,
        mb_per_second: speed.per_cpu_second * per_text_bytes / 1e6,
    }
}

/// Gold languages whose confusion is reported (all written in Arabic script).
const CONFUSION_GOLD: &[&str] = &["ar", "fa", "ur", "ps", "ku", "ug"];
const CONFUSION_LABELS: &[&str] = &["ar", "fa", "ur", "en", "und"];

/// A detector under test: a name, the codes it can answer, and the detection itself.
pub struct Contender {
    pub name: String,
    repertoire: BTreeSet<String>,
    detect: Box<dyn Fn(&str) -> String + Sync>,
}

impl Contender {
    fn ours(name: &str, d: Detector) -> Self {
        let mut repertoire: BTreeSet<String> =
            d.languages().iter().map(|l| l.code().to_string()).collect();
        repertoire.insert("und".into());
        Contender {
            name: name.into(),
            repertoire,
            detect: Box::new(move |t| d.detect(t, None).lang.code().to_string()),
        }
    }

    fn lingua_broad() -> Self {
        let all = lingua::Language::all();
        let detector: LanguageDetector = LanguageDetectorBuilder::from_all_languages()
            .with_preloaded_language_models()
            .build();
        let repertoire = all.iter().map(|l| l.iso_code_639_1().to_string()).collect();
        Contender {
            name: format!("lingua-broad({} langs)", all.len()),
            repertoire,
            detect: Box::new(move |t| {
                detector
                    .detect_language_of(t)
                    .map_or_else(|| "und".into(), |l| l.iso_code_639_1().to_string())
            }),
        }
    }

    fn whatlang() -> Self {
        let repertoire = whatlang::Lang::all()
            .iter()
            .map(|l| iso1(l.code()).to_string())
            .collect();
        Contender {
            name: "whatlang".into(),
            repertoire,
            detect: Box::new(|t| {
                whatlang::detect_lang(t).map_or_else(|| "und".into(), |l| iso1(l.code()).into())
            }),
        }
    }

    fn expected<'a>(&self, gold: &'a str) -> &'a str {
        if self.repertoire.contains(gold) {
            gold
        } else {
            "und"
        }
    }
}

/// whatlang's ISO 639-3 codes → ISO 639-1 for the languages in our data; others stay as given.
fn iso1(code: &str) -> &str {
    match code {
        "ara" => "ar",
        "pes" => "fa",
        "urd" => "ur",
        "eng" => "en",
        "heb" => "he",
        "tur" => "tr",
        "aze" => "az",
        other => other,
    }
}

/// Every detector the benchmark compares, ours first.
pub fn contenders() -> Vec<Contender> {
    let cfg = LanguageConfig::default();
    vec![
        Contender::ours("parallax", Detector::new(&cfg)),
        Contender::ours(
            "parallax-lingua-only",
            Detector::with_strategy(
                &cfg,
                Strategy::LinguaOnly {
                    low_accuracy: false,
                },
            ),
        ),
        Contender::ours(
            "parallax-lingua-low",
            Detector::with_strategy(&cfg, Strategy::LinguaOnly { low_accuracy: true }),
        ),
        Contender::lingua_broad(),
        Contender::whatlang(),
    ]
}

/// Load every sample from the shared data directory (`../shared/data`).
pub fn load_samples(data: &Path) -> Result<Vec<Sample>, LangEvalError> {
    let mut out = Vec::new();
    lingua_testdata(&data.join("lingua-testdata"), &mut out)?;
    ntrex(&data.join("ntrex128"), &mut out)?;
    udhr(&data.join("udhr/udhr_paragraphs.tsv"), &mut out)?;
    story_eval(&data.join("story-eval"), &mut out)?;
    if out.is_empty() {
        return Err(LangEvalError::Empty(data.to_path_buf()));
    }
    Ok(out)
}

fn read(path: &Path) -> Result<String, LangEvalError> {
    std::fs::read_to_string(path).map_err(|source| LangEvalError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn sample(dataset: &str, subset: &str, lang: &str, text: &str) -> Option<Sample> {
    let text = text.trim();
    (!text.is_empty()).then(|| Sample {
        dataset: dataset.into(),
        subset: subset.into(),
        lang: lang.into(),
        text: text.into(),
    })
}

fn lingua_testdata(dir: &Path, out: &mut Vec<Sample>) -> Result<(), LangEvalError> {
    for subset in ["single-words", "word-pairs", "sentences"] {
        for lang in ["ar", "fa", "ur", "en", "he", "tr", "az"] {
            let text = read(&dir.join(subset).join(format!("{lang}.txt")))?;
            out.extend(
                text.lines()
                    .filter_map(|l| sample("lingua-testdata", subset, lang, l)),
            );
        }
    }
    Ok(())
}

fn ntrex(dir: &Path, out: &mut Vec<Sample>) -> Result<(), LangEvalError> {
    // Dari is Persian for us; it gets its own subset so its figure stays visible.
    let files = [
        ("arb", "ar", "sentences"),
        ("fas", "fa", "sentences"),
        ("prs", "fa", "sentences-dari"),
        ("urd", "ur", "sentences"),
        ("pus", "ps", "sentences"),
        ("ckb-Arab", "ku", "sentences-sorani"),
        ("eng-US", "en", "sentences"),
    ];
    for (code, lang, subset) in files {
        let text = read(&dir.join(format!("newstest2019-ref.{code}.txt")))?;
        out.extend(
            text.lines()
                .filter_map(|l| sample("ntrex128", subset, lang, l)),
        );
    }
    Ok(())
}

fn udhr(path: &Path, out: &mut Vec<Sample>) -> Result<(), LangEvalError> {
    let text = read(path)?;
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.splitn(5, '\t').collect();
        let [code, _, _, kind, body] = cols.as_slice() else {
            continue;
        };
        let (lang, suffix) = match *code {
            "arb" => ("ar", ""),
            "pes_1" => ("fa", ""),
            "pes_2" => ("fa", "-dari"),
            "urd" | "urd_2" => ("ur", ""),
            "pbu" => ("ps", ""),
            "uig_arab" => ("ug", ""),
            "eng" => ("en", ""),
            "heb" => ("he", ""),
            "tur" => ("tr", ""),
            _ => continue,
        };
        let subset = format!("{kind}s{suffix}");
        out.extend(sample("udhr", &subset, lang, body));
    }
    Ok(())
}

fn story_eval(dir: &Path, out: &mut Vec<Sample>) -> Result<(), LangEvalError> {
    for stem in ["coverage-dev-ar-fa-en", "itn-ar-fa-en", "ntrex-ar-fa-en"] {
        let path = dir.join(format!("{stem}.jsonl"));
        let short = stem.trim_end_matches("-ar-fa-en");
        for (i, line) in read(&path)?.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value =
                serde_json::from_str(line).map_err(|e| LangEvalError::Parse {
                    path: path.clone(),
                    line: i + 1,
                    message: e.to_string(),
                })?;
            let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default();
            let lang = field("lang");
            out.extend(sample(
                "story-eval",
                &format!("{short}:title"),
                lang,
                field("title"),
            ));
            let body = field("text");
            if !body.is_empty() {
                let both = format!("{} {}", field("title"), body);
                out.extend(sample(
                    "story-eval",
                    &format!("{short}:title+text"),
                    lang,
                    &both,
                ));
            }
        }
    }
    Ok(())
}

/// The texts detections per second are measured on: real headline-length items — every
/// story-eval title plus the NTREX news sentences in ar, fa, en and ur.
pub fn headline_set(samples: &[Sample]) -> Vec<&str> {
    samples
        .iter()
        .filter(|s| {
            s.subset.ends_with(":title")
                || (s.dataset == "ntrex128"
                    && s.subset == "sentences"
                    && ["ar", "fa", "en", "ur"].contains(&s.lang.as_str()))
        })
        .map(|s| s.text.as_str())
        .collect()
}

/// Detection speed of one contender.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Speed {
    /// Detections per CPU-second of the measuring thread: the per-core figure, unaffected by
    /// other processes competing for the machine.
    pub per_cpu_second: f64,
    /// Detections per wall-clock second.
    pub per_wall_second: f64,
}

/// CPU time consumed by the calling thread so far (`None` where the platform has no such clock).
fn thread_cpu_time() -> Option<Duration> {
    cpu_time::ThreadTime::try_now()
        .ok()
        .map(|t| t.as_duration())
}

/// Speed of `c` over `texts` on the calling thread, repeated for at least `min` of CPU time.
pub fn throughput(c: &Contender, texts: &[&str], min: Duration) -> Speed {
    if texts.is_empty() {
        return Speed {
            per_cpu_second: 0.0,
            per_wall_second: 0.0,
        };
    }
    for t in texts.iter().take(200) {
        std::hint::black_box((c.detect)(t));
    }
    let wall = Instant::now();
    let cpu0 = thread_cpu_time();
    let cpu_elapsed = || match (cpu0, thread_cpu_time()) {
        (Some(a), Some(b)) => b.saturating_sub(a),
        _ => wall.elapsed(),
    };
    let mut n = 0usize;
    while n == 0 || cpu_elapsed() < min {
        for t in texts {
            std::hint::black_box((c.detect)(t));
        }
        n += texts.len();
    }
    let cpu = cpu_elapsed().as_secs_f64().max(1e-9);
    Speed {
        per_cpu_second: n as f64 / cpu,
        per_wall_second: n as f64 / wall.elapsed().as_secs_f64().max(1e-9),
    }
}

/// Up to `limit` misclassified samples of `c` per (data set, subset, language) cell, with what it
/// said: for error analysis (`parallax eval lang --errors N`).
pub fn errors<'a>(samples: &'a [Sample], c: &Contender, limit: usize) -> Vec<(&'a Sample, String)> {
    let mut seen: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
    let mut out = Vec::new();
    for s in samples {
        let pred = (c.detect)(&s.text);
        if pred == c.expected(&s.lang) {
            continue;
        }
        let n = seen.entry((&s.dataset, &s.subset, &s.lang)).or_default();
        if *n < limit {
            *n += 1;
            out.push((s, pred));
        }
    }
    out
}

/// Score every contender on every sample, and measure speed on the headline set.
pub fn run(samples: &[Sample], contenders: &[Contender], min_time: Duration) -> LangEval {
    let mut results = Vec::new();
    let mut confusion = Vec::new();
    let mut per_second = BTreeMap::new();
    let mut per_second_wall = BTreeMap::new();
    let headlines = headline_set(samples);
    for c in contenders {
        // (dataset, subset, lang) → (n, correct)
        let mut cells: BTreeMap<(&str, &str, &str), (usize, usize)> = BTreeMap::new();
        let mut conf: BTreeMap<(&str, &str), BTreeMap<String, usize>> = BTreeMap::new();
        for s in samples {
            let pred = (c.detect)(&s.text);
            let cell = cells.entry((&s.dataset, &s.subset, &s.lang)).or_default();
            cell.0 += 1;
            if pred == c.expected(&s.lang) {
                cell.1 += 1;
            }
            if CONFUSION_GOLD.contains(&s.lang.as_str()) {
                let label = if CONFUSION_LABELS.contains(&pred.as_str()) {
                    pred
                } else {
                    "other".to_string()
                };
                *conf
                    .entry((&s.dataset, &s.lang))
                    .or_default()
                    .entry(label)
                    .or_default() += 1;
            }
        }
        results.extend(
            cells
                .into_iter()
                .map(|((dataset, subset, lang), (n, ok))| ResultRow {
                    detector: c.name.clone(),
                    dataset: dataset.into(),
                    subset: subset.into(),
                    lang: lang.into(),
                    n,
                    accuracy: ok as f64 / n as f64,
                }),
        );
        confusion.extend(
            conf.into_iter()
                .map(|((dataset, gold), predicted)| ConfusionRow {
                    detector: c.name.clone(),
                    dataset: dataset.into(),
                    gold: gold.into(),
                    predicted,
                }),
        );
        let speed = throughput(c, &headlines, min_time);
        per_second.insert(c.name.clone(), speed.per_cpu_second);
        per_second_wall.insert(c.name.clone(), speed.per_wall_second);
    }
    LangEval {
        results,
        per_second,
        per_second_wall,
        confusion,
        headlines: headlines.len(),
        fold: fold_throughput(&headlines, min_time),
    }
}

impl LangEval {
    /// Plain-text report: one accuracy table (rows = cells, columns = detectors), the confusion
    /// matrices, and speed.
    pub fn to_table(&self) -> String {
        use std::fmt::Write;
        // Detectors in run order (ours first).
        let mut order: Vec<&str> = Vec::new();
        for r in &self.results {
            if !order.contains(&r.detector.as_str()) {
                order.push(&r.detector);
            }
        }
        type Cell<'a> = (usize, BTreeMap<&'a str, f64>);
        let mut cells: BTreeMap<(&str, &str, &str), Cell> = BTreeMap::new();
        for r in &self.results {
            let e = cells
                .entry((&r.dataset, &r.subset, &r.lang))
                .or_insert((r.n, BTreeMap::new()));
            e.1.insert(&r.detector, r.accuracy);
        }
        let mut s = String::new();
        let _ = write!(
            s,
            "{:<16} {:<22} {:<4} {:>5}",
            "dataset", "subset", "lang", "n"
        );
        for d in &order {
            let _ = write!(s, " {:>22}", d);
        }
        s.push('\n');
        for ((dataset, subset, lang), (n, acc)) in &cells {
            let _ = write!(s, "{dataset:<16} {subset:<22} {lang:<4} {n:>5}");
            for d in &order {
                match acc.get(d) {
                    Some(a) => {
                        let _ = write!(s, " {:>21.1}%", a * 100.0);
                    }
                    None => {
                        let _ = write!(s, " {:>22}", "-");
                    }
                }
            }
            s.push('\n');
        }
        s.push_str("\nConfusion (rows: gold, columns: predicted), all data sets together\n");
        for d in &order {
            let _ = writeln!(s, "{d}");
            let _ = write!(s, "  {:<5}", "gold");
            for l in CONFUSION_LABELS.iter().chain(["other"].iter()) {
                let _ = write!(s, " {l:>6}");
            }
            s.push('\n');
            for gold in CONFUSION_GOLD {
                let mut row: BTreeMap<&str, usize> = BTreeMap::new();
                for c in self
                    .confusion
                    .iter()
                    .filter(|c| c.detector == *d && c.gold == *gold)
                {
                    for (k, v) in &c.predicted {
                        *row.entry(k).or_default() += v;
                    }
                }
                let _ = write!(s, "  {gold:<5}");
                for l in CONFUSION_LABELS.iter().chain(["other"].iter()) {
                    let _ = write!(s, " {:>6}", row.get(l).copied().unwrap_or(0));
                }
                s.push('\n');
            }
        }
        let _ = writeln!(
            s,
            "\nDetections per second on one thread over {} headline-length texts",
            self.headlines
        );
        let _ = writeln!(
            s,
            "  {:<24} {:>12} {:>12}",
            "detector", "per CPU-s", "per wall-s"
        );
        for d in &order {
            let cpu = self.per_second.get(*d).copied().unwrap_or(0.0);
            let wall = self.per_second_wall.get(*d).copied().unwrap_or(0.0);
            let _ = writeln!(s, "  {d:<24} {cpu:>12.0} {wall:>12.0}");
        }
        let _ = writeln!(
            s,
            "  {:<24} {:>12.0} texts per CPU-s ({:.1} MB/s)",
            "normalize::fold", self.fold.texts_per_second, self.fold.mb_per_second
        );
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_fixtures::story_rows;

    #[test]
    #[ignore = "needs ../shared: every language-ID data set in full, with the story-eval files"]
    fn loads_every_data_set_with_gold_labels() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
        let samples = load_samples(&dir).expect("samples load");
        let count = |ds: &str| samples.iter().filter(|s| s.dataset == ds).count();
        // 3 subsets × 7 languages × 1,000 lines.
        assert_eq!(count("lingua-testdata"), 21_000);
        // 7 NTREX files of 1,997 lines.
        assert_eq!(count("ntrex128"), 7 * 1_997);
        assert!(count("udhr") > 500);
        // 369 + 437 + 388 titles, plus the items that have text.
        assert!(count("story-eval") > 1_194);
        assert!(samples.iter().all(|s| !s.text.trim().is_empty()));
        let dari = samples.iter().filter(|s| s.subset == "sentences-dari");
        assert!(dari.clone().count() == 1_997 && dari.clone().all(|s| s.lang == "fa"));
    }

    #[test]
    fn scores_out_of_repertoire_languages_against_und() {
        let ours = Contender::ours("parallax", Detector::new(&LanguageConfig::default()));
        assert_eq!(ours.expected("fa"), "fa");
        assert_eq!(ours.expected("ps"), "und");
        let wl = Contender::whatlang();
        assert_eq!(wl.expected("fa"), "fa");
        assert_eq!(wl.expected("ps"), "und");
    }

    #[test]
    fn run_reports_accuracy_confusion_and_speed_on_real_headlines() {
        let samples: Vec<Sample> = story_rows("itn-ar-fa-en.jsonl")
            .into_iter()
            .filter_map(|r| sample("story-eval", "itn:title", &r.lang, &r.title))
            .collect();
        let ours = Contender::ours("parallax", Detector::new(&LanguageConfig::default()));
        let report = run(&samples, &[ours], Duration::ZERO);
        assert_eq!(report.results.len(), 3, "ar, fa, en rows");
        for r in &report.results {
            assert!(r.accuracy > 0.95, "{r:?}");
        }
        let fa = report
            .confusion
            .iter()
            .find(|c| c.gold == "fa")
            .expect("fa confusion row");
        assert_eq!(fa.predicted.values().sum::<usize>(), 81);
        assert!(report.per_second["parallax"] > 0.0);
        assert!(report.to_table().contains("itn:title"));
    }
}
