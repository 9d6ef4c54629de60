use super::*;
use crate::test_fixtures::{lines, persian_news, story_rows};

/// (lang, title) of every item of a fixture story set.
fn story_titles(file: &str) -> Vec<(String, String)> {
    story_rows(file)
        .into_iter()
        .map(|r| (r.lang, r.title))
        .collect()
}

fn detect(text: &str) -> Detection {
    Detector::shared_default().detect(text, None)
}

#[test]
fn detector_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Detector>();
    assert_send_sync::<std::sync::Arc<Detector>>();
}

#[test]
fn empty_and_whitespace_only_input_is_undetermined() {
    for text in ["", "   ", "\n\t \u{00A0}", "2024 - 10 | ۱۴۰۳", "«»،؟"] {
        let d = detect(text);
        assert_eq!(d.lang, Lang::Und, "{text:?}");
        assert_eq!(d.confidence, 0.0, "{text:?}");
    }
}

#[test]
fn real_headlines_and_leads_of_the_story_sets() {
    let mut items = story_titles("itn-ar-fa-en.jsonl");
    items.extend(story_titles("ntrex-ar-fa-en.jsonl"));
    let mut wrong = Vec::new();
    for (gold, title) in &items {
        let d = detect(title);
        if d.lang.code() != gold {
            wrong.push(format!(
                "{gold} → {} ({:.2}): {title}",
                d.lang, d.confidence
            ));
        }
    }
    // 503 Wikipedia "In the news" blurbs and 153 NTREX lead sentences in ar, fa, en.
    assert!(items.len() > 600);
    assert!(
        wrong.len() * 100 <= items.len(),
        "{} of {} wrong:\n{}",
        wrong.len(),
        items.len(),
        wrong.join("\n")
    );
}

#[test]
fn persian_headlines_with_latin_brand_names_stay_persian() {
    let titles = persian_news();
    let mixed: Vec<&String> = titles
        .iter()
        .filter(|t| {
            t.split_whitespace()
                .any(|w| w.chars().all(|c| c.is_ascii_uppercase()))
        })
        .collect();
    // e.g. "... به MWP (مخفف عضو پارلمان ولز) نگرانیهایی وجود دارد."
    assert!(mixed.len() >= 30, "real mixed sentences present");
    for t in mixed {
        assert_eq!(detect(t).lang, Lang::Fa, "{t}");
    }
}

#[test]
fn persian_news_sentence_full_of_english_names_stays_persian() {
    let fas = lines("ntrex128/newstest2019-ref.fas.txt");
    // "Livingston 1 - 0 Rangers: گل Menga باعث شکست یاران Gerrard شد": more Latin letters than
    // Arabic-script ones, all in names.
    let line = fas
        .iter()
        .find(|l| l.starts_with("Livingston 1 - 0 Rangers"))
        .expect("NTREX Persian football headline");
    assert_eq!(detect(line).lang, Lang::Fa, "{line}");
}

#[test]
fn english_headline_quoting_arabic_stays_english() {
    let items = story_titles("itn-ar-fa-en.jsonl");
    let en = items
        .iter()
        .find(|(l, t)| l == "en" && t.len() > 60)
        .expect("English headline");
    let ar = items.iter().find(|(l, _)| l == "ar").expect("Arabic title");
    let quote: Vec<&str> = ar.1.split_whitespace().take(2).collect();
    let mixed = format!("{} «{}»", en.1, quote.join(" "));
    assert_eq!(detect(&mixed).lang, Lang::En, "{mixed}");
}

#[test]
fn dari_is_persian_and_urdu_is_urdu() {
    let (prs, urd) = (
        lines("ntrex128/newstest2019-ref.prs.txt"),
        lines("ntrex128/newstest2019-ref.urd.txt"),
    );
    let fa = prs.iter().take(200).filter(|l| detect(l).lang == Lang::Fa);
    assert!(fa.count() >= 195);
    let ur = urd.iter().take(200).filter(|l| detect(l).lang == Lang::Ur);
    assert!(ur.count() >= 195);
}

#[test]
fn pashto_and_sorani_are_not_confidently_arabic_or_persian() {
    let (pus, ckb) = (
        lines("ntrex128/newstest2019-ref.pus.txt"),
        lines("ntrex128/newstest2019-ref.ckb-Arab.txt"),
    );
    for (name, text) in [("Pashto", pus), ("Sorani", ckb)] {
        let und = text
            .iter()
            .take(200)
            .filter(|l| detect(l).lang == Lang::Und)
            .count();
        assert!(und >= 180, "{name}: only {und} of 200 undetermined");
    }
}

#[test]
fn turkish_is_not_called_english() {
    let tr = lines("lingua-testdata/sentences/tr.txt");
    let und = tr
        .iter()
        .take(200)
        .filter(|l| detect(l).lang == Lang::Und)
        .count();
    assert!(
        und >= 150,
        "only {und} of 200 Turkish sentences undetermined"
    );
}

#[test]
fn declared_language_tips_a_close_call_but_not_clear_evidence() {
    let words = lines("lingua-testdata/single-words/fa.txt");
    // "اثبات" (proof) is in both the Arabic and the Persian word lists of the test data.
    let word = words.iter().find(|w| *w == "اثبات").expect("shared word");
    let d = Detector::shared_default();
    assert_eq!(d.detect(word, Some(&Lang::Fa)).lang, Lang::Fa);
    assert_eq!(d.detect(word, Some(&Lang::Ar)).lang, Lang::Ar);
    // A full Arabic sentence stays Arabic whatever the feed declares.
    let ar = lines("lingua-testdata/sentences/ar.txt");
    assert_eq!(d.detect(&ar[0], Some(&Lang::Fa)).lang, Lang::Ar);
    // A declared language outside the candidates is ignored.
    assert_eq!(d.detect(&ar[0], Some(&Lang::En)).lang, Lang::Ar);
}

#[test]
fn megabyte_input_is_capped() {
    let titles = persian_news();
    let mut big = String::new();
    for t in titles.iter().cycle() {
        if big.len() >= 1 << 20 {
            break;
        }
        big.push_str(t);
        big.push('\n');
    }
    assert!(cap(&big, MAX_CHARS).chars().count() <= MAX_CHARS);
    let d = detect(&big);
    assert_eq!(d.lang, Lang::Fa);
    assert!(d.confidence > 0.9);
}

#[test]
fn cap_cuts_at_a_char_and_word_boundary() {
    let ar = lines("lingua-testdata/sentences/ar.txt");
    let s = &ar[0];
    let c = cap(s, 20);
    assert!(s.starts_with(c));
    assert!(c.chars().count() <= 20);
    assert!(s[c.len()..].starts_with(char::is_whitespace));
    assert_eq!(cap(s, 10_000), s);
}

#[test]
fn floor_turns_weak_answers_into_undetermined() {
    let words = lines("lingua-testdata/single-words/fa.txt");
    let strict = Detector::new(&LanguageConfig {
        floor: 0.999,
        ..LanguageConfig::default()
    });
    let lenient = Detector::new(&LanguageConfig {
        floor: 0.0,
        ..LanguageConfig::default()
    });
    let word = words.iter().find(|w| *w == "اثبات").expect("shared word");
    let d = strict.detect(word, None);
    assert_eq!(d.lang, Lang::Und);
    assert!(d.confidence > 0.0 && d.confidence < 0.999);
    assert_ne!(lenient.detect(word, None).lang, Lang::Und);
}

#[test]
fn configuration_restricts_and_skips_unknown_languages() {
    let ur = lines("lingua-testdata/sentences/ur.txt");
    let no_urdu = Detector::new(&LanguageConfig {
        languages: vec![Lang::Ar, Lang::Fa, Lang::En, Lang::Other("zz".into())],
        floor: 0.0,
    });
    assert_eq!(no_urdu.languages(), [Lang::Ar, Lang::Fa, Lang::En]);
    let d = no_urdu.detect(&ur[0], None);
    assert!(matches!(d.lang, Lang::Ar | Lang::Fa), "{d:?}");
    let with_urdu = Detector::new(&LanguageConfig {
        floor: 0.0,
        ..LanguageConfig::default()
    });
    assert_eq!(with_urdu.detect(&ur[0], None).lang, Lang::Ur);
}
