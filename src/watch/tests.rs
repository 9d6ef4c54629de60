// Real blurbs from the demo archive (Wikipedia "In the news", CC BY-SA 3.0; assets/demo/).
use super::*;

const EN_PUTIN: &str = "The International Criminal Court issues arrest warrants for Russian president Vladimir Putin (pictured) and Russian official Maria Lvova-Belova for the abduction of children from Ukraine.";
const AR_PUTIN: &str = "17 مارس في إطار تحقيقها في أوكرانيا، أصدرت المحكمة الجنائية الدولية مذكرة اعتقال للرئيس الروسي فلاديمير بوتين.";
const FA_PUTIN: &str = "دیوان کیفری بین‌المللی حکم بازداشت رئیس‌جمهور روسیه ولادیمیر پوتین و ماریا لووا-بلوا، مقام روسی را به دلیل ربودن کودکان از اوکراین صادر کرد.";
const AR_SUNAK: &str = "24 أكتوبر فوز ريشي سوناك في انتخاب قيادة حزب المحافظين في المملكة المتحدة دون منافس، ليصبح أول بريطاني من أصول آسيوية يتولى منصب رئيس الوزراء.";
const FA_SUNAK: &str = "ریشی سوناک (در تصویر) به عنوان جانشین لیز تراس، رهبر حزب محافظه‌کار و نخست‌وزیر بریتانیا انتخاب شد.";
const EN_SUNAK: &str = "Rishi Sunak (pictured) succeeds Liz Truss as Leader of the Conservative Party and Prime Minister of the United Kingdom.";
const FA_AMINI: &str =
    "در جریان اعتراضات مردم ایران (در تصویر) به جان باختن مهسا امینی، دست‌کم ۱۳۳ نفر کشته شدند.";
const EN_AMINI: &str = "Following the death of Mahsa Amini, arrested for not wearing the hijab in accordance with government standards, at least 50 people are killed during protests in Iran.";

fn term(t: &str, aliases: &[Vec<String>]) -> CompiledTerm {
    CompiledTerm::new(t, aliases)
}

fn hit(t: &CompiledTerm, text: &str) -> bool {
    t.find(&ItemText::new(text, "")).is_some()
}

#[test]
fn latin_names_find_arabic_and_persian_spellings() {
    for name in ["Putin", "putin", "Vladimir Putin", "PUTIN"] {
        let t = term(name, &[]);
        for text in [EN_PUTIN, AR_PUTIN, FA_PUTIN] {
            assert!(hit(&t, text), "{name} in {text}");
        }
        for text in [AR_SUNAK, FA_SUNAK, EN_SUNAK, FA_AMINI] {
            assert!(!hit(&t, text), "{name} must not match {text}");
        }
    }
    let t = term("Rishi Sunak", &[]);
    for text in [AR_SUNAK, FA_SUNAK, EN_SUNAK] {
        assert!(hit(&t, text), "{text}");
    }
    assert!(!hit(&t, AR_PUTIN));
}

#[test]
fn arabic_spelling_finds_persian_and_latin() {
    // Arabic yeh and kaf fold onto the Persian letters; the skeleton reaches the Latin name.
    let t = term("سوناك", &[]);
    for text in [AR_SUNAK, FA_SUNAK, EN_SUNAK] {
        assert!(hit(&t, text), "{text}");
    }
    assert!(!hit(&t, EN_PUTIN));
    let t = term("بوتين", &[]);
    assert!(hit(&t, FA_PUTIN) && hit(&t, EN_PUTIN) && !hit(&t, FA_SUNAK));
}

#[test]
fn aliases_bridge_what_skeletons_cannot() {
    // "Mahsa Amini" is too short a skeleton to cross scripts on its own.
    let plain = term("Mahsa Amini", &[]);
    assert!(hit(&plain, EN_AMINI));
    assert!(!hit(&plain, FA_AMINI));
    let aliases = vec![vec!["Mahsa Amini".to_string(), "مهسا امینی".to_string()]];
    let t = term("mahsa amini", &aliases);
    assert!(hit(&t, FA_AMINI));
    assert_eq!(
        t.find(&ItemText::new(FA_AMINI, "")),
        Some("مهسا امینی"),
        "reports the spelling that matched"
    );
    // The Arabic spelling folds onto the Persian alias too.
    assert!(hit(&term("مهسا أميني", &aliases), EN_AMINI));
}

#[test]
fn words_must_appear_in_order_and_whole() {
    let t = term("prime minister", &[]);
    assert!(hit(&t, EN_SUNAK));
    assert!(!hit(&term("minister prime", &[]), EN_SUNAK));
    // A word inside another word is not a match.
    assert!(!hit(&term("Uk", &[]), EN_SUNAK));
}

#[test]
fn bad_terms_are_refused_with_a_reason() {
    for bad in ["", "   ", "a", "ب", "!!"] {
        let rule = WatchRule::Terms {
            terms: vec![bad.into()],
        };
        let e = rule.validate().unwrap_err().to_string();
        assert!(
            e.contains("empty") || e.contains("too short"),
            "{bad:?}: {e}"
        );
    }
    assert!(WatchRule::Terms { terms: vec![] }.validate().is_err());
    assert!(
        WatchRule::Terms {
            terms: vec!["UN".into()]
        }
        .validate()
        .is_ok()
    );
    assert!(
        WatchRule::StoryLanguages { at_least: 1 }
            .validate()
            .is_err()
    );
}

fn at(m: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-06-01T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
        + chrono::Duration::minutes(m)
}

fn watch(rule: WatchRule) -> CompiledWatch {
    CompiledWatch::new(
        Watch {
            id: 1,
            name: "w".into(),
            rule,
            created_at: at(0),
            created_by: None,
        },
        &[],
    )
}

#[test]
fn story_rules() {
    let items: Vec<(String, DateTime<Utc>, Lang)> = vec![
        ("irna".into(), at(0), Lang::Fa),
        ("almayadeen".into(), at(30), Lang::Ar),
        ("reuters".into(), at(200), Lang::En),
        ("bbc".into(), at(230), Lang::En),
        ("aljazeera".into(), at(250), Lang::Ar),
    ];
    let f = StoryFacts { items: &items };
    let langs = watch(WatchRule::StoryLanguages { at_least: 3 });
    assert_eq!(
        langs.match_story(&f).as_deref(),
        Some("3 languages (ar, en, fa)")
    );
    assert!(
        watch(WatchRule::StoryLanguages { at_least: 4 })
            .match_story(&f)
            .is_none()
    );
    assert!(
        watch(WatchRule::StoryFirstReportedBy {
            source: "irna".into()
        })
        .match_story(&f)
        .is_some()
    );
    assert!(
        watch(WatchRule::StoryFirstReportedBy {
            source: "reuters".into()
        })
        .match_story(&f)
        .is_none()
    );
    // reuters, bbc, aljazeera within 50 minutes; never 4 within an hour.
    let within = |outlets, minutes| {
        watch(WatchRule::StoryOutletsWithin { outlets, minutes })
            .match_story(&f)
            .is_some()
    };
    assert!(within(3, 60));
    assert!(!within(4, 60));
    assert!(within(5, 250));
}

#[test]
fn item_rules() {
    let text = ItemText::new(FA_PUTIN, "");
    let facts = ItemFacts {
        text: &text,
        lang: &Lang::Fa,
        source_id: "irna",
        ownership: Some(Ownership::State),
    };
    assert!(
        watch(WatchRule::Ownership {
            ownership: Ownership::State
        })
        .match_item(&facts)
        .is_some()
    );
    assert!(
        watch(WatchRule::Outlets {
            sources: vec!["bbc-persian".into(), "irna".into()]
        })
        .match_item(&facts)
        .is_some()
    );
    assert!(
        watch(WatchRule::Language { lang: Lang::Ar })
            .match_item(&facts)
            .is_none()
    );
    let w = CompiledWatch::new(
        Watch {
            id: 2,
            name: "putin".into(),
            rule: WatchRule::Terms {
                terms: vec!["Sunak".into(), "Putin".into()],
            },
            created_at: at(0),
            created_by: None,
        },
        &[],
    );
    assert_eq!(w.match_item(&facts).as_deref(), Some("Putin"));
}
