//! Language detection and folding through the public API, on real feed text.

use std::path::PathBuf;
use std::sync::Arc;

use parallax::language::{Detector, LanguageConfig};
use parallax::model::Lang;
use parallax::normalize::{fold, fold_tokens};

fn shared_items(file: &str) -> Option<Vec<serde_json::Value>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/fa-hamshahri-radiofarda-2020")
        .join(file);
    if !path.exists() {
        eprintln!("skipping: {} is absent", path.display());
        return None;
    }
    let raw = std::fs::read_to_string(path).expect("read feed items");
    Some(serde_json::from_str(&raw).expect("parse feed items"))
}

/// One detector built once and shared across threads, as the refresh pipeline uses it.
#[test]
fn shared_detector_labels_real_persian_feed_items_from_several_threads() {
    let Some(items) = shared_items("radiofarda.json") else {
        return;
    };
    let texts: Vec<String> = items
        .iter()
        .map(|v| {
            format!(
                "{} {}",
                v["title"].as_str().unwrap_or_default(),
                v["summary"].as_str().unwrap_or_default()
            )
        })
        .collect();
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
fn folded_tokens_of_radio_farda_and_hamshahri_share_words_across_keyboards() {
    let (Some(rf), Some(hs)) = (
        shared_items("radiofarda.json"),
        shared_items("hamshahri.json"),
    ) else {
        return;
    };
    let vocab = |items: &[serde_json::Value]| -> std::collections::HashSet<String> {
        items
            .iter()
            .flat_map(|v| fold_tokens(v["summary"].as_str().unwrap_or_default()))
            .collect()
    };
    let (a, b) = (vocab(&rf), vocab(&hs));
    // Both spell "that" as كه after folding, whatever keyboard each outlet used.
    assert!(a.contains(&fold("که")) && b.contains(&fold("كه")));
    assert!(
        a.iter()
            .all(|t| !t.contains('\u{200C}') && !t.contains('ی'))
    );
}
