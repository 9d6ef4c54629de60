//! Mutation fuzzer for the ingest path on the stable toolchain: charset detection → parse →
//! sanitise → language → fold, the stages every fetched byte goes through.
//!
//! Seeds are every fixture feed (`tests/fixtures/feeds`, `tests/fixtures/fuzz`) plus feeds rendered
//! in RSS 2.0, Atom, RDF and JSON Feed from the committed NTREX text. Each input is a seed
//! mutated a few times (bit flips, interesting bytes, dictionary tokens of XML and feed syntax,
//! Arabic-script characters, splices of other seeds, deletions, duplications that deepen nesting,
//! truncation) and sent through the stages under `catch_unwind`.
//!
//! Findings, written to `artifacts/fuzz/` as the input that caused them:
//! - a panic (`crash-*.bin`, with the message in `crash-*.txt`);
//! - an input slower than `--slow-ms` (default 1000 ms; `slow-*.bin`);
//! - an input still running after 10 s: the watchdog writes `hang.bin` and aborts.
//!
//! Peak memory (max RSS) is printed at the end and checked against `--max-rss-mb` (default 256).
//!
//! Usage: `fuzz [--seconds S] [--inputs N] [--seed X] [--slow-ms MS] [--max-rss-mb MB]`
//! (`scripts/fuzz.sh SECONDS` builds and runs it in release mode).

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use parallax::language::Detector;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Tokens a feed parser must survive in any position.
const DICTIONARY: &[&str] = &[
    "<",
    ">",
    "&",
    "&amp;",
    "&lt;",
    "&#x0;",
    "&#1;",
    "&#xD800;",
    "&#65536;",
    "&nbsp;",
    "&bogus;",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?xml version=\"1.0\"?>",
    "<?xml-stylesheet href=\"x\"?>",
    "<!DOCTYPE rss>",
    "<!DOCTYPE html>",
    "<!ENTITY a \"aaaa\">",
    "<!DOCTYPE x [<!ENTITY e \"&e;\">]>",
    "<item>",
    "</item>",
    "<entry>",
    "</entry>",
    "<title>",
    "</title>",
    "<link>",
    "</link>",
    "<description>",
    "</description>",
    "<content type=\"html\">",
    "</content>",
    "<summary>",
    "<channel>",
    "</channel>",
    "<rss version=\"2.0\">",
    "</rss>",
    "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
    "</feed>",
    "<rdf:RDF>",
    "xml:base=\"../../\"",
    "xml:base=\"javascript:alert(1)\"",
    "xml:lang=\"fa\"",
    "mode=\"base64\"",
    "mode=\"escaped\"",
    "type=\"text\"",
    "type=\"xhtml\"",
    "type=\"text/plain\"",
    "encoding=\"windows-1256\"",
    "encoding=\"utf-16\"",
    "encoding=\"iso-8859-6\"",
    "encoding=\"bogus\"",
    "<pubDate>Tue, 31 Feb 2020 25:61:61 +9999</pubDate>",
    "<dc:date>1403-13-40</dc:date>",
    "<dcterms:issued>0000-00-00</dcterms:issued>",
    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"",
    "xmlns:dcterms=\"http://purl.org/dc/terms/\"",
    "<guid>",
    "</guid>",
    "<a href=\"/x\">",
    "</a>",
    "<script>",
    "<img src=x onerror=1>",
    "<svg><svg><svg>",
    "<table><tr><td>",
    "<div>",
    "</div>",
    "\"",
    "'",
    "=",
    "/",
    "\u{0}",
    "\u{FEFF}",
    "\u{200C}",
    "\u{200F}",
    "\u{202E}",
    "\u{FFFD}",
    "ي",
    "ی",
    "ك",
    "ک",
    "ة",
    "ۀ",
    "ـ",
    "٣",
    "۳",
    "ﻻ",
    "\u{064B}",
    "\u{0654}",
    "e\u{301}",
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\"items\":",
    "\"version\":\"https://jsonfeed.org/version/1.1\"",
    "\"content_html\":",
    "\"title\":",
    "null",
    "1e999",
    "-0",
];

/// Bytes that break decoders.
const BYTES: &[u8] = &[
    0x00, 0x0A, 0x0D, 0x20, 0x26, 0x3C, 0x3E, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xD8, 0xE2, 0xEF, 0xF0,
    0xF8, 0xFE, 0xFF,
];

const CONTENT_TYPES: &[Option<&str>] = &[
    None,
    Some("application/rss+xml"),
    Some("text/xml; charset=windows-1256"),
    Some("application/atom+xml; charset=utf-8"),
    Some("text/html; charset=iso-8859-6"),
    Some("application/feed+json"),
    Some("text/xml; charset=\"bogus\""),
    Some("text/xml; charset=utf-16"),
];

struct Args {
    seconds: Option<u64>,
    inputs: Option<u64>,
    seed: u64,
    slow: Duration,
    max_rss_mb: u64,
}

fn args() -> Args {
    let all: Vec<String> = std::env::args().collect();
    let get = |name: &str| -> Option<u64> {
        let i = all.iter().position(|a| a == name)?;
        all.get(i + 1)?.parse().ok()
    };
    Args {
        seconds: get("--seconds"),
        inputs: get("--inputs"),
        seed: get("--seed").unwrap_or(0x5eed),
        slow: Duration::from_millis(get("--slow-ms").unwrap_or(1000)),
        max_rss_mb: get("--max-rss-mb").unwrap_or(256),
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every fixture feed, every earlier finding, and rendered feeds of real text.
fn seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for dir in ["tests/fixtures/feeds", "tests/fixtures/fuzz"] {
        let Ok(entries) = std::fs::read_dir(repo().join(dir)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.extension().is_some_and(|x| x != "md")
                && let Ok(bytes) = std::fs::read(&p)
            {
                out.push(bytes);
            }
        }
    }
    let text = std::fs::read_to_string(
        repo().join("tests/fixtures/text/ntrex128/newstest2019-ref.fas.txt"),
    )
    .unwrap_or_default();
    let lines: Vec<&str> = text.lines().take(24).collect();
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
    let items = |open: &str, close: &str| -> String {
        lines
            .chunks(2)
            .enumerate()
            .map(|(i, p)| {
                format!(
                    "{open}<title>{}</title><link>https://x.example/{i}</link><description>&lt;p&gt;{}&lt;/p&gt;</description><pubDate>Wed, 20 Nov 2019 07:00:00 GMT</pubDate>{close}",
                    esc(p[0]),
                    esc(p.get(1).unwrap_or(&""))
                )
            })
            .collect()
    };
    out.push(format!("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>t</title><link>https://x.example/</link>{}</channel></rss>", items("<item>", "</item>")).into_bytes());
    out.push(format!("<?xml version=\"1.0\"?><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\"><channel><title>t</title></channel>{}</rdf:RDF>", items("<item>", "</item>")).into_bytes());
    let atom: String = lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("<entry><title type=\"text\">{}</title><id>urn:{i}</id><link href=\"{i}\"/><updated>2019-11-20T07:00:00Z</updated><content type=\"html\">{}</content></entry>", esc(l), esc(&format!("<p>{l}</p>"))))
        .collect();
    out.push(format!("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"https://x.example/a/\"><title>t</title>{atom}</feed>").into_bytes());
    let json_items: Vec<serde_json::Value> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| serde_json::json!({"id": i.to_string(), "title": l, "content_html": format!("<p>{l}</p>"), "date_published": "2019-11-20T07:00:00Z"}))
        .collect();
    out.push(serde_json::json!({"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": json_items}).to_string().into_bytes());
    // The same Persian feed in windows-1256 (its letters exist there).
    let rss = String::from_utf8(out[out.len() - 4].clone()).unwrap_or_default();
    out.push(
        encoding_rs::WINDOWS_1256
            .encode(&rss.replace("utf-8", "windows-1256"))
            .0
            .into_owned(),
    );
    out
}

fn mutate(rng: &mut StdRng, seeds: &[Vec<u8>], input: &mut Vec<u8>) {
    let rounds = 1 + rng.gen_range(0..6);
    for _ in 0..rounds {
        let len = input.len();
        let at = if len == 0 { 0 } else { rng.gen_range(0..=len) };
        match rng.gen_range(0..10) {
            0 if len > 0 => {
                let i = rng.gen_range(0..len);
                input[i] ^= 1 << rng.gen_range(0..8);
            }
            1 if len > 0 => {
                let i = rng.gen_range(0..len);
                input[i] = BYTES[rng.gen_range(0..BYTES.len())];
            }
            2 | 3 => {
                let tok = DICTIONARY[rng.gen_range(0..DICTIONARY.len())].as_bytes();
                input.splice(at..at, tok.iter().copied());
            }
            4 if len > 0 => {
                let end = (at + rng.gen_range(1..64)).min(len);
                input.drain(at.min(end)..end);
            }
            5 if len > 0 => {
                // Duplicate a range: repeated open tags deepen nesting.
                let start = rng.gen_range(0..len);
                let end = (start + rng.gen_range(1..256)).min(len);
                let chunk: Vec<u8> = input[start..end].to_vec();
                let times = 1 + rng.gen_range(0..8);
                for _ in 0..times {
                    input.splice(at..at, chunk.iter().copied());
                }
            }
            6 => {
                let other = &seeds[rng.gen_range(0..seeds.len())];
                if !other.is_empty() {
                    let start = rng.gen_range(0..other.len());
                    let end = (start + rng.gen_range(1..512)).min(other.len());
                    input.splice(at..at, other[start..end].iter().copied());
                }
            }
            7 if len > 0 => input.truncate(rng.gen_range(0..len)),
            8 if len > 1 => {
                // Swap two bytes (reorders tags and surrogate halves alike).
                let (i, j) = (rng.gen_range(0..len), rng.gen_range(0..len));
                input.swap(i, j);
            }
            _ => {
                let tok = DICTIONARY[rng.gen_range(0..DICTIONARY.len())].as_bytes();
                input.extend_from_slice(tok);
            }
        }
    }
    // Keep inputs near feed size: the fetch stage caps bodies anyway.
    input.truncate(1 << 20);
}

/// The stages under test, as the refresh pipeline runs them on one fetched body.
fn run_one(detector: &Detector, bytes: &[u8], content_type: Option<&str>) -> usize {
    let Ok(decoded) = parallax::fetch::decode_body(bytes, content_type) else {
        return 0;
    };
    let Ok(feed) = parallax::parse::parse_feed(
        &decoded.text,
        "https://fuzz.example/feed",
        "fuzz",
        chrono::Utc::now(),
    ) else {
        return 1;
    };
    let mut n = 2;
    for item in feed.items.iter().take(16) {
        let text = format!("{} {}", item.title, item.summary_text);
        let d = detector.detect(&text, item.declared_lang.as_ref());
        n += d.lang.code().len();
        n += parallax::normalize::fold(&text).len();
        n += parallax::normalize::fold_tokens(&item.title).len();
        n += parallax::sanitize::plain_title(&item.summary_html).len();
    }
    n
}

fn save(dir: &Path, name: &str, bytes: &[u8]) {
    let _ = std::fs::create_dir_all(dir);
    let _ = std::fs::write(dir.join(name), bytes);
}

fn max_rss_mb() -> u64 {
    // VmHWM: the process's peak resident set (Linux).
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

fn main() {
    let a = args();
    let out_dir = repo().join("artifacts/fuzz");
    let seeds = seeds();
    assert!(!seeds.is_empty(), "no seeds");
    let detector = Detector::shared_default();
    let mut rng = StdRng::seed_from_u64(a.seed);
    let deadline = a.seconds.map(|s| Instant::now() + Duration::from_secs(s));
    let limit = a.inputs.unwrap_or(u64::MAX);

    // Watchdog: an input running for 10 s is a hang; save it and stop.
    let current: Arc<Mutex<(Instant, Vec<u8>)>> =
        Arc::new(Mutex::new((Instant::now(), Vec::new())));
    {
        let current = Arc::clone(&current);
        let dir = out_dir.clone();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_secs(1));
                let guard = current.lock().unwrap_or_else(|p| p.into_inner());
                if guard.0.elapsed() > Duration::from_secs(10) {
                    save(&dir, "hang.bin", &guard.1);
                    eprintln!("fuzz: HANG: an input ran over 10 s; saved artifacts/fuzz/hang.bin");
                    std::process::exit(3);
                }
            }
        });
    }
    std::panic::set_hook(Box::new(|_| {}));
    const MAX_KEPT: usize = 32 * 1024;

    let started = Instant::now();
    let (mut runs, mut crashes, mut slow, mut parsed) = (0u64, 0u64, 0u64, 0u64);
    let mut slowest = Duration::ZERO;
    let mut recent: VecDeque<Vec<u8>> = VecDeque::new();
    while runs < limit && deadline.is_none_or(|d| Instant::now() < d) {
        // Half the time mutate a recent input further (deeper chains), else a fresh seed.
        let mut input = match (rng.gen_bool(0.5), recent.is_empty()) {
            (true, false) => recent[rng.gen_range(0..recent.len())].clone(),
            _ => seeds[rng.gen_range(0..seeds.len())].clone(),
        };
        mutate(&mut rng, &seeds, &mut input);
        let ct = CONTENT_TYPES[rng.gen_range(0..CONTENT_TYPES.len())];
        {
            let mut g = current.lock().unwrap_or_else(|p| p.into_inner());
            g.0 = Instant::now();
            g.1.clone_from(&input);
        }
        let t = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| run_one(detector, &input, ct)));
        let took = t.elapsed();
        runs += 1;
        slowest = slowest.max(took);
        match result {
            Ok(n) => {
                if n >= 2 {
                    parsed += 1;
                }
                // Only inputs up to 32 KB (several times the largest seed) are mutated further: kept unbounded, the
                // splices grow them run after run and the loop ends up timing ever-larger
                // documents (the rate fell tenfold over 400,000 inputs) instead of the parser.
                if n >= 2 && input.len() <= MAX_KEPT {
                    if recent.len() >= 64 {
                        recent.pop_front();
                    }
                    recent.push_back(input.clone());
                }
            }
            Err(e) => {
                crashes += 1;
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                save(&out_dir, &format!("crash-{crashes}.bin"), &input);
                save(
                    &out_dir,
                    &format!("crash-{crashes}.txt"),
                    format!("content-type: {ct:?}\n{msg}\n").as_bytes(),
                );
                eprintln!("fuzz: CRASH {crashes}: {msg}");
            }
        }
        if took > a.slow {
            slow += 1;
            save(&out_dir, &format!("slow-{slow}.bin"), &input);
            eprintln!(
                "fuzz: SLOW input: {} ms ({} bytes)",
                took.as_millis(),
                input.len()
            );
        }
        if runs.is_multiple_of(50_000) {
            eprintln!(
                "fuzz: {runs} inputs, {:.0}/s, {parsed} parsed as feeds, {crashes} crashes, {slow} slow, max RSS {} MB",
                runs as f64 / started.elapsed().as_secs_f64(),
                max_rss_mb()
            );
        }
    }
    let rss = max_rss_mb();
    println!(
        "fuzz: {runs} inputs in {:.0} s ({:.0}/s) from {} seeds: {parsed} parsed as feeds; {crashes} crashes, {slow} over {} ms (slowest {} ms); max RSS {rss} MB",
        started.elapsed().as_secs_f64(),
        runs as f64 / started.elapsed().as_secs_f64(),
        seeds.len(),
        a.slow.as_millis(),
        slowest.as_millis(),
    );
    if crashes > 0 || slow > 0 || rss > a.max_rss_mb {
        std::process::exit(1);
    }
}
