use chrono::{Duration, NaiveDate, TimeZone, Utc};

use super::*;

/// Real Persian text: NTREX-128 line 1462–1465 (fas), CC BY-SA 4.0.
const FA: [&str; 4] = [
    "ولید معلم، وزیر امور خارجه سوریه، در نطق خود در مجمع عمومی سازمان ملل اظهار داشت که علیرغم اینکه جنگ در کشور در هشتمین سال خود می باشد از آوارگان خواسته است تا به خانه های خود بازگردند.",
    "معلم که همچنین پست معاون نخست وزیری را نیز در اختیار دارد، گفت که نیروهای خارجی به صورت غیر قانونی به بهانه مبارزه با تروریسم در خاک سوریه هستند، و با آنها برخورد مناسب خواهد شد.»",
    "او خطاب به مجمع گفت: «آنها باید بدون هیچ شرطی در اسرع وقت از کشور خارج شوند».",
    "ایالات متحده حدود ۲۰۰۰ سرباز در سوریه دارد که عمدتاً به آموزش و مشاوره نیروهای کرد و اعراب سوری مخالف بشار اسد، رئیس جمهور سوریه، مشغول هستند.",
];

fn doc(id: i64, outlet: &str, lang: Lang, minutes: i64, sentences: &[&str]) -> Doc {
    Doc {
        id,
        outlet: outlet.into(),
        lang,
        published: Utc.with_ymd_and_hms(2018, 9, 29, 12, 0, 0).unwrap()
            + Duration::minutes(minutes),
        sentences: sentences.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn a_reprint_with_a_sentence_dropped_is_carried_from_the_earliest_outlet() {
    let docs = vec![
        // listed out of time order on purpose
        doc(3, "tasnim", Lang::Fa, 130, &[FA[0], FA[3]]),
        doc(1, "irna", Lang::Fa, 0, &FA),
        doc(2, "mehr", Lang::Fa, 40, &[FA[0], FA[1], FA[3]]),
    ];
    let p = Prepared::new(docs, &Boilerplate::default());
    let edges = p.trace(&CarryConfig::default());
    // every carrier's origin is IRNA (the earliest), never Mehr for Tasnim
    assert_eq!(edges.len(), 2, "{edges:?}");
    let mehr = edges.iter().find(|e| e.carrier_item == 2).unwrap();
    assert_eq!(mehr.origin_item, 1);
    assert_eq!(
        (mehr.carried, mehr.origin_sentences, mehr.carrier_sentences),
        (3, 4, 3)
    );
    assert_eq!(mehr.kind, CarryKind::Verbatim);
    assert_eq!(mehr.lag_secs, 40 * 60);
    let pairs: Vec<(u32, u32)> = mehr.pairs.iter().map(|p| (p.origin, p.carrier)).collect();
    assert_eq!(pairs, vec![(0, 0), (1, 1), (3, 2)]);
    let tasnim = edges.iter().find(|e| e.carrier_item == 3).unwrap();
    assert_eq!(
        (tasnim.origin_item, tasnim.carried, tasnim.lag_secs),
        (1, 2, 130 * 60)
    );
}

#[test]
fn light_edits_are_edited_not_verbatim_and_other_text_is_not_carried() {
    let edited = FA[3].replace("حدود ۲۰۰۰ سرباز", "حدود دو هزار نظامی");
    let docs = vec![
        doc(1, "irna", Lang::Fa, 0, &[FA[3]]),
        doc(2, "mehr", Lang::Fa, 10, &[&edited]),
        doc(3, "isna", Lang::Fa, 20, &[FA[2]]),
    ];
    let edges = Prepared::new(docs, &Boilerplate::default()).trace(&CarryConfig::default());
    assert_eq!(edges.len(), 1, "{edges:?}");
    assert_eq!(edges[0].kind, CarryKind::Edited);
    assert_eq!((edges[0].origin_item, edges[0].carrier_item), (1, 2));
}

#[test]
fn empty_items_one_word_titles_boilerplate_and_one_outlet_make_no_edges() {
    let follow = "برای دریافت آخرین اخبار ما را در کانال تلگرام دنبال کنید";
    let day = |d| NaiveDate::from_ymd_opt(2018, 9, d).unwrap();
    let s1 = vec![follow.to_string(), "خبر اول".into()];
    let s2 = vec![follow.to_string()];
    let s3 = vec![follow.to_string(), FA[2].into()];
    let bp = Boilerplate::learn([
        ("isna", 10, day(20), s1.as_slice()),
        ("isna", 11, day(21), s2.as_slice()),
        ("isna", 12, day(22), s3.as_slice()),
        ("mehr", 13, day(22), s2.as_slice()),
    ]);
    assert!(bp.is_boilerplate("isna", &Folded::of(follow).key()));
    assert!(!bp.is_boilerplate("mehr", &Folded::of(follow).key()));
    let docs = vec![
        doc(1, "isna", Lang::Fa, 0, &[follow, "سوریه"]),
        doc(2, "isna", Lang::Fa, 5, &[FA[1]]),
        doc(3, "mehr", Lang::Fa, 10, &["سوریه", follow]),
        doc(4, "fars", Lang::Fa, 20, &[]),
        // the same outlet reposting its own text is not a carry
        doc(5, "isna", Lang::Fa, 30, &[FA[1]]),
    ];
    let edges = Prepared::new(docs, &bp).trace(&CarryConfig::default());
    assert!(edges.is_empty(), "{edges:?}");
}

#[test]
fn sentences_of_drops_a_body_that_repeats_the_title() {
    let s = sentences_of(
        "Syria 'ready' for refugees to return, says Foreign Minister",
        "Syria 'ready' for refugees to return, says Foreign Minister. The UN estimates that more than 5.5 million Syrians have fled the country since the war began in 2011.",
    );
    assert_eq!(s.len(), 2, "{s:?}");
    assert!(sentences_of("", "").is_empty());
}
