//! Language detection and folding through the public API, on real feed text.

use std::path::PathBuf;
use std::sync::Arc;

use parallax::language::{Detector, LanguageConfig};
use parallax::model::Lang;
use parallax::normalize::{fold, fold_tokens};

/// A committed text fixture's lines (`tests/fixtures/text/<rel>`).
fn fixture_lines(rel: &str) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/text")
        .join(rel);
    let raw = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()));
    raw.lines().map(str::to_owned).collect()
}

/// One detector built once and shared across threads, as the refresh pipeline uses it.
#[test]
fn shared_detector_labels_real_persian_news_from_several_threads() {
    let texts = fixture_lines("ntrex128/newstest2019-ref.fas.txt");
    let detector = Arc::new(Detector::new(&LanguageConfig::default()));
    let halves: Vec<Vec<String>> = texts
        .chunks(texts.len() / 2 + 1)
        .map(<[_]>::to_vec)
        .collect();
    let handles: Vec<_> = halves
        .into_iter()
        .map(|chunk| {
            let d = Arc::clone(&detector);
            std::thread::spawn(move || {
                chunk
                    .iter()
                    .filter(|t| d.detect(t, Some(&Lang::Fa)).lang == Lang::Fa)
                    .count()
            })
        })
        .collect();
    let persian: usize = handles.into_iter().map(|h| h.join().expect("thread")).sum();
    assert!(
        persian * 100 >= texts.len() * 99,
        "{persian} of {}",
        texts.len()
    );
}

#[test]
fn folded_tokens_of_two_persian_keyboards_share_words() {
    // lingua's Persian web sentences are often typed on an Arabic keyboard (ك, ي); NTREX's
    // translators used Persian letters (ک, ی).
    let vocab = |rel: &str| -> std::collections::HashSet<String> {
        fixture_lines(rel)
            .iter()
            .flat_map(|l| fold_tokens(l))
            .collect()
    };
    let (a, b) = (
        vocab("lingua-testdata/sentences/fa.txt"),
        vocab("ntrex128/newstest2019-ref.fas.txt"),
    );
    // Both spell "that" as كه after folding, whatever keyboard each used.
    assert!(a.contains(&fold("که")) && b.contains(&fold("كه")));
    assert!(
        a.iter()
            .chain(&b)
            .all(|t| !t.contains('\u{200C}') && !t.contains('ی'))
    );
}
