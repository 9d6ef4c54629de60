use super::*;
use crate::eval::fixtures::{lines, persian_items};

/// (lang, title) of every item of a story-eval file.
fn story_titles(file: &str) -> Option<Vec<(String, String)>> {
    Some(
        lines(&format!("story-eval/{file}"))?
            .iter()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("story-eval JSON");
                let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
                (s("lang"), s("title"))
            })
            .collect(),
    )
}

fn persian_titles() -> Option<Vec<String>> {
    Some(
        persian_items("hamshahri.json")?
            .into_iter()
            .map(|(t, _)| t)
            .collect(),
    )
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
fn real_headlines_from_the_coverage_set() {
    let Some(items) = story_titles("coverage-dev-ar-fa-en.jsonl") else {
        return;
    };
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
    // 388 real headlines and lead sentences in ar, fa, en.
    assert!(items.len() > 300);
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
    let Some(titles) = persian_titles() else {
        return;
    };
    let mixed: Vec<&String> = titles
        .iter()
        .filter(|t| {
            t.split_whitespace()
                .any(|w| w.chars().all(|c| c.is_ascii_uppercase()))
        })
        .collect();
    // e.g. "جدیدترین واکنش ترامپ به وضعیت رهبر کره شمالی | دعوای مجدد با خبرنگار CNN"
    assert!(mixed.len() >= 3, "real mixed headlines present");
    for t in mixed {
        assert_eq!(detect(t).lang, Lang::Fa, "{t}");
    }
    // Brand names taking half the letters still do not make it English.
    let vpn = titles
        .iter()
        .find(|t| t.starts_with("VPN قانونی"))
        .expect("VPN headline");
    assert_eq!(detect(vpn).lang, Lang::Fa);
}

#[test]
fn english_headline_quoting_arabic_stays_english() {
    let Some(items) = story_titles("coverage-dev-ar-fa-en.jsonl") else {
        return;
    };
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
    let (Some(prs), Some(urd)) = (
        lines("ntrex128/newstest2019-ref.prs.txt"),
        lines("ntrex128/newstest2019-ref.urd.txt"),
    ) else {
        return;
    };
    let fa = prs.iter().take(200).filter(|l| detect(l).lang == Lang::Fa);
    assert!(fa.count() >= 195);
    let ur = urd.iter().take(200).filter(|l| detect(l).lang == Lang::Ur);
    assert!(ur.count() >= 195);
}

#[test]
fn pashto_and_sorani_are_not_confidently_arabic_or_persian() {
    let (Some(pus), Some(ckb)) = (
        lines("ntrex128/newstest2019-ref.pus.txt"),
        lines("ntrex128/newstest2019-ref.ckb-Arab.txt"),
    ) else {
        return;
    };
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
    let Some(tr) = lines("lingua-testdata/sentences/tr.txt") else {
        return;
    };
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
    let Some(words) = lines("lingua-testdata/single-words/fa.txt") else {
        return;
    };
    // "اثبات" (proof) is in both the Arabic and the Persian word lists of the test data.
    let word = words.iter().find(|w| *w == "اثبات").expect("shared word");
    let d = Detector::shared_default();
    assert_eq!(d.detect(word, Some(&Lang::Fa)).lang, Lang::Fa);
    assert_eq!(d.detect(word, Some(&Lang::Ar)).lang, Lang::Ar);
    // A full Arabic sentence stays Arabic whatever the feed declares.
    let Some(ar) = lines("lingua-testdata/sentences/ar.txt") else {
        return;
    };
    assert_eq!(d.detect(&ar[0], Some(&Lang::Fa)).lang, Lang::Ar);
    // A declared language outside the candidates is ignored.
    assert_eq!(d.detect(&ar[0], Some(&Lang::En)).lang, Lang::Ar);
}

#[test]
fn megabyte_input_is_capped() {
    let Some(titles) = persian_titles() else {
        return;
    };
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
    let Some(ar) = lines("lingua-testdata/sentences/ar.txt") else {
        return;
    };
    let s = &ar[0];
    let c = cap(s, 20);
    assert!(s.starts_with(c));
    assert!(c.chars().count() <= 20);
    assert!(s[c.len()..].starts_with(char::is_whitespace));
    assert_eq!(cap(s, 10_000), s);
}

#[test]
fn floor_turns_weak_answers_into_undetermined() {
    let Some(words) = lines("lingua-testdata/single-words/fa.txt") else {
        return;
    };
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
    let Some(ur) = lines("lingua-testdata/sentences/ur.txt") else {
        return;
    };
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
