//! What kind of happening an item reports: a resignation, an impeachment, talks, a strike, an
//! earthquake, an arrest, a release… Names and cosine say "same actors, same topic"; in a dense
//! stream the same actors resign, are impeached, hold talks and are struck within one week, and
//! the action is what tells those happenings apart.
//!
//! The classes follow the broad event types of news-event codebooks (CAMEO's verbal and material
//! cooperation and conflict roots, ACLED's event types, EM-DAT's disaster types), not the dev sets'
//! happenings. Each class lists word stems in English, Arabic and Persian; a token matches a stem
//! it starts with (after Arabic clitics are stripped), or equals it when the stem ends in `=`
//! (short words that would otherwise match unrelated ones). Matching is on folded tokens
//! ([`crate::normalize::fold_tokens`]), so spelling variants across the two scripts agree.

use std::sync::OnceLock;

use crate::normalize::fold;

/// Action classes, in the order of [`CLASSES`]' ids; the names are shown by Explain.
pub const CLASS_NAMES: [&str; 22] = [
    "resignation",
    "impeachment or no-confidence",
    "appointment or dismissal",
    "talks",
    "military strike or attack",
    "earthquake",
    "flood or storm",
    "sanctions",
    "arrest or detention",
    "release or exchange",
    "deaths or casualties",
    "election or vote",
    "visit or meeting",
    "ceasefire or truce",
    "court, warrant or verdict",
    "protest",
    "agreement signed",
    "inspection",
    "execution",
    "explosion",
    "funeral or mourning",
    "deportation or return of refugees",
];

/// Stems per class (unfolded; folded once on first use).
const CLASSES: [&[&str]; 22] = [
    // resignation
    &[
        "resign",
        "steps=",
        "quits=",
        "استقال",
        "يستقيل",
        "استعفا",
        "استعفی",
    ],
    // impeachment or no-confidence
    &["impeach", "confidence=", "استجواب", "الثقة=", "استیضاح"],
    // appointment or dismissal
    &[
        "appoint",
        "sacked=",
        "sacks=",
        "dismiss",
        "nominat",
        "تعيين",
        "يعين",
        "إقالة",
        "أقال",
        "يقيل",
        "ترشيح",
        "منصوب",
        "انتصاب",
        "برکنار",
        "عزل",
        "معرفی",
    ],
    // talks
    &[
        "talks=",
        "negotiat",
        "مفاوض",
        "محادث",
        "مباحثات",
        "مذاکر",
        "مذاكر",
        "گفتگو",
        "گفت‌وگو",
    ],
    // military strike or attack
    &[
        "strike",
        "airstrike",
        "attack",
        "bomb",
        "shelling",
        "missile",
        "drone",
        "غارة",
        "غارات",
        "هجوم",
        "هجمات",
        "قصف",
        "صاروخ",
        "صواريخ",
        "مسيرة",
        "حمله",
        "حملات",
        "بمباران",
        "موشک",
        "پهپاد",
    ],
    // earthquake
    &[
        "earthquake",
        "quake",
        "tremor",
        "aftershock",
        "زلزال",
        "زلازل",
        "هزة",
        "زلزله",
        "زمین‌لرزه",
        "پس‌لرزه",
    ],
    // flood or storm
    &[
        "flood",
        "storm",
        "cyclone",
        "landslide",
        "فيضان",
        "سيول",
        "عاصفة",
        "سیل=",
        "سیلاب",
        "طوفان",
        "رانش",
    ],
    // sanctions
    &["sanction", "snapback", "عقوب", "تحریم", "اسنپ", "ماشه="],
    // arrest or detention
    &[
        "arrest",
        "detain",
        "detention",
        "custody",
        "اعتقال",
        "اعتقل",
        "احتجاز",
        "احتجز",
        "توقيف",
        "بازداشت",
        "دستگیر",
    ],
    // release or exchange
    &[
        "release",
        "freed=",
        "frees=",
        "swap",
        "إفراج",
        "أفرج",
        "الإفراج",
        "سراح",
        "تبادل",
        "آزادی",
        "آزاد=",
        "آزادسازی",
        "مبادله",
    ],
    // deaths or casualties
    &[
        "kill",
        "dead=",
        "death",
        "toll=",
        "casualt",
        "قتل",
        "قتيل",
        "قتلى",
        "مقتل",
        "مصرع",
        "ضحايا",
        "وفاة",
        "کشته",
        "تلفات",
        "قربانی",
        "جان‌باخت",
        "باختند=",
    ],
    // election or vote
    &[
        "election",
        "vote",
        "ballot",
        "انتخاب",
        "اقتراع",
        "تصويت",
        "رای=",
        "رأی=",
        "آرا=",
    ],
    // visit or meeting
    &[
        "visit",
        "meets=",
        "met=",
        "meeting",
        "hosts=",
        "زيارة",
        "يزور",
        "زار=",
        "لقاء",
        "يلتقي",
        "التقى",
        "استقبل",
        "يستقبل",
        "سفر=",
        "دیدار",
        "ملاقات",
    ],
    // ceasefire or truce
    &[
        "ceasefire",
        "truce",
        "armistice",
        "هدنة",
        "وقف=",
        "آتش‌بس",
        "آتشبس",
    ],
    // court, warrant or verdict
    &[
        "court",
        "warrant",
        "verdict",
        "sentenc",
        "trial",
        "prosecut",
        "محكمة",
        "المحكمة",
        "مذكرة",
        "مذكرات",
        "حكم=",
        "قضائ",
        "دادگاه",
        "حکم=",
        "محاکمه",
        "دادستان",
    ],
    // protest
    &[
        "protest",
        "demonstrat",
        "rally=",
        "احتجاج",
        "تظاهر",
        "مظاهر",
        "اعتراض",
        "تجمع",
    ],
    // agreement signed
    &[
        "agreement",
        "deal=",
        "accord",
        "signs=",
        "signed=",
        "اتفاق",
        "توقيع",
        "يوقع",
        "توافق",
        "قرارداد",
        "امضا",
        "تفاهم",
    ],
    // inspection
    &["inspect", "تفتيش", "مفتش", "بازرس"],
    // execution
    &["execut", "hanged=", "إعدام", "اعدام"],
    // explosion
    &["explosion", "blast", "انفجار", "تفجير"],
    // funeral or mourning
    &[
        "funeral",
        "mourn",
        "جنازة",
        "تشييع",
        "عزاء",
        "تشییع",
        "عزا=",
        "سوگواری",
    ],
    // deportation or return of refugees
    &[
        "deport",
        "expel",
        "expuls",
        "returnee",
        "ترحيل",
        "طرد=",
        "اخراج",
        "إخراج",
        "مهاجر",
        "پناهجو",
    ],
];

struct Stem {
    text: String,
    whole: bool,
}

fn stems() -> &'static [Vec<Stem>] {
    static T: OnceLock<Vec<Vec<Stem>>> = OnceLock::new();
    T.get_or_init(|| {
        CLASSES
            .iter()
            .map(|stems| {
                stems
                    .iter()
                    .map(|s| {
                        let (text, whole) = match s.strip_suffix('=') {
                            Some(t) => (t, true),
                            None => (*s, false),
                        };
                        // Folding keeps letters and removes ZWNJ, so "آتش‌بس" is stored as
                        // the token fold_tokens makes of it.
                        let text: String =
                            fold(text).chars().filter(|c| c.is_alphanumeric()).collect();
                        Stem { text, whole }
                    })
                    .filter(|s| !s.text.is_empty())
                    .collect()
            })
            .collect()
    })
}

/// Arabic proclitics (conjunction, preposition, article), longest first, already folded.
const CLITICS: [&str; 10] = ["وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل"];

fn is_arabic_script(t: &str) -> bool {
    t.chars()
        .next()
        .is_some_and(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// The token and, for Arabic-script tokens, the token without each leading clitic that leaves
/// at least three letters.
fn candidates(t: &str) -> impl Iterator<Item = &str> {
    let stripped = CLITICS.iter().filter_map(move |c| {
        if !is_arabic_script(t) {
            return None;
        }
        let rest = t.strip_prefix(c)?;
        (rest.chars().count() >= 3).then_some(rest)
    });
    std::iter::once(t).chain(stripped)
}

/// The action classes named in `tokens` (folded), sorted and deduplicated.
pub fn actions(tokens: &[String]) -> Vec<u8> {
    let table = stems();
    let mut out: Vec<u8> = Vec::new();
    for t in tokens {
        for (class, stems) in table.iter().enumerate() {
            let hit = candidates(t).any(|c| {
                stems.iter().any(|s| {
                    if s.whole {
                        c == s.text
                    } else {
                        c.starts_with(&s.text)
                    }
                })
            });
            if hit {
                out.push(class as u8);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::fold_tokens;

    fn names(text: &str) -> Vec<&'static str> {
        actions(&fold_tokens(text))
            .into_iter()
            .map(|c| CLASS_NAMES[usize::from(c)])
            .collect()
    }

    #[test]
    fn one_happening_in_three_languages_names_one_action() {
        assert_eq!(names("Minister resigns after scandal"), ["resignation"]);
        assert_eq!(names("وزير الاقتصاد يستقيل"), ["resignation"]);
        assert_eq!(names("استعفای وزیر اقتصاد"), ["resignation"]);
        assert_eq!(
            names("Parliament impeaches the economy minister"),
            ["impeachment or no-confidence"]
        );
        assert_eq!(
            names("استیضاح وزیر اقتصاد در مجلس"),
            ["impeachment or no-confidence"]
        );
    }

    #[test]
    fn arabic_clitics_and_persian_compounds_are_matched() {
        assert_eq!(names("بالزلزال"), ["earthquake"]);
        assert_eq!(names("وقصف"), ["military strike or attack"]);
        assert_eq!(names("زمین‌لرزه در هرات"), ["earthquake"]);
        assert_eq!(names("زمینلرزه در هرات"), ["earthquake"]);
        assert_eq!(names("آتش‌بس"), ["ceasefire or truce"]);
    }

    #[test]
    fn short_stems_match_whole_words_only() {
        // "met" must not fire on "metal", nor "deal" on "dealer".
        assert!(names("metal dealer prices").is_empty());
        assert_eq!(names("Leaders met in Doha"), ["visit or meeting"]);
    }

    #[test]
    fn several_actions_are_all_kept() {
        assert_eq!(
            names("Earthquake kills 800 in Afghanistan"),
            ["earthquake", "deaths or casualties"]
        );
    }

    #[test]
    fn every_class_has_stems_in_three_scripts() {
        for (class, stems) in stems().iter().enumerate() {
            let latin = stems.iter().any(|s| s.text.is_ascii());
            let arabic = stems.iter().any(|s| is_arabic_script(&s.text));
            assert!(
                latin && arabic,
                "class {} lacks a script",
                CLASS_NAMES[class]
            );
        }
    }
}
