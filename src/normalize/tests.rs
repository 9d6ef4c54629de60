use super::*;
use crate::test_fixtures::{lines, persian_news, story_rows};

#[test]
fn folding_table() {
    let table: &[(&str, &str)] = &[
        // yeh family → ي
        ("ی", "ي"),
        ("ى", "ي"),
        ("ئ", "ي"),
        ("ي", "ي"),
        // kaf family → ك
        ("ک", "ك"),
        ("ك", "ك"),
        // heh, heh-with-yeh, teh marbuta, Urdu hehs → ه
        ("ۀ", "ه"),
        ("ة", "ه"),
        ("ہ", "ه"),
        ("ھ", "ه"),
        // heh + combining hamza above (decomposed ۀ) → ه
        ("\u{06D5}\u{0654}", "ه"),
        // alef variants → ا
        ("أ", "ا"),
        ("إ", "ا"),
        ("آ", "ا"),
        ("ٱ", "ا"),
        // hamza carriers
        ("ؤ", "و"),
        ("ء", ""),
        // tatweel, harakat, shadda, superscript alef
        ("كـبير", "كبير"),
        ("مُحَمَّد", "محمد"),
        ("هٰذا", "هذا"),
        // presentation forms (NFKC): lam-alef ligature, isolated beh
        ("\u{FEFB}", "لا"),
        ("\u{FE8F}", "ب"),
        // ZWNJ / ZWJ / RLM dropped
        ("می\u{200C}شود", "ميشود"),
        ("a\u{200D}b\u{200F}c", "abc"),
        // digits
        ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
        // punctuation
        ("،؛؟«»٪", ",;?\"\"%"),
        ("۳٫۵", "3.5"),
        // lowercase, whitespace collapsed and trimmed, NBSP is whitespace
        ("  Tehran\u{00A0}\t TIMES ", "tehran times"),
        ("", ""),
        (" \t\n ", ""),
    ];
    for (input, want) in table {
        assert_eq!(fold(input), *want, "fold({input:?})");
    }
}

#[test]
fn arabic_and_persian_spellings_fold_together() {
    // Same words as Arabic and Persian keyboards write them.
    let pairs = [
        ("سليماني", "سلیمانی"),
        ("كتاب", "کتاب"),
        ("إيران", "ایران"),
        ("مدرسة", "مدرسه"),
    ];
    for (a, b) in pairs {
        assert_eq!(fold(a), fold(b), "{a} vs {b}");
    }
    // Different words stay different.
    assert_ne!(fold("کتاب"), fold("کباب"));
}

#[test]
fn real_persian_news_folds_zwnj_digits_and_heh_yeh() {
    let fas = lines("ntrex128/newstest2019-ref.fas.txt");
    let line = fas
        .iter()
        .find(|t| t.starts_with("چلسی در لیگ یوفای اروپا"))
        .expect("NTREX Persian Chelsea sentence");
    // "... در ساعت ۳ بعد از ظهر روز پنجشنبه در لندن با ویدئوتن روبرو می‌شود." — a Persian digit
    // and a ZWNJ.
    assert!(line.contains('\u{200C}') && line.contains('۳'));
    let folded = fold(line);
    assert!(folded.contains(" 3 "), "{folded}");
    assert!(folded.ends_with("ميشود."), "{folded}");
    assert!(!folded.contains('\u{200C}'));
    // Display text is untouched: folding returns a new string.
    assert!(line.contains('\u{200C}'));

    // "آیندۀ" (heh with yeh above) folds like "آینده".
    let heh_yeh = fas
        .iter()
        .find(|t| t.contains("آیندۀ"))
        .expect("NTREX line with ۀ");
    assert!(fold(heh_yeh).contains(&fold("آینده ")));
}

#[test]
fn arabic_kaf_persian_text_matches_persian_kaf_text() {
    // Some Persian web text is typed on an Arabic keyboard: "كه" with Arabic kaf (lingua's
    // Persian sentences); NTREX's translators wrote "که".
    let lingua = lines("lingua-testdata/sentences/fa.txt");
    let arabic_kaf = lingua
        .iter()
        .find(|s| s.contains(" كه "))
        .expect("Persian sentence with Arabic-kaf كه");
    let persian_kaf = persian_news()
        .into_iter()
        .find(|s| s.contains(" که "))
        .expect("Persian sentence with Persian-kaf که");
    let ke = fold("که");
    assert!(fold_tokens(arabic_kaf).contains(&ke) && fold_tokens(&persian_kaf).contains(&ke));
}

#[test]
fn real_arabic_tatweel_harakat_and_indic_digits() {
    let sent = lines("lingua-testdata/sentences/ar.txt");
    let tatweel = sent
        .iter()
        .find(|l| l.contains("الجواب ـ نعم"))
        .expect("line with tatweel");
    assert_eq!(fold(tatweel), "الجواب نعم يجوز ذلك.");
    let udhr = lines("udhr/udhr_paragraphs.tsv");
    let preamble = udhr
        .iter()
        .find(|l| l.starts_with("arb\t") && l.contains("لمّا كان"))
        .expect("Arabic UDHR preamble");
    assert!(fold(preamble).contains("لما كان"));
    let digit_line = sent
        .iter()
        .find(|l| l.chars().any(|c| ('٠'..='٩').contains(&c)))
        .expect("Arabic line with Arabic-Indic digits");
    let folded = fold(digit_line);
    assert!(!folded.chars().any(|c| ('٠'..='٩').contains(&c)));
    assert!(folded.chars().any(|c| c.is_ascii_digit()));
}

#[test]
fn fold_tokens_splits_on_punctuation_and_keeps_digits() {
    let title = story_rows("itn-ar-fa-en.jsonl")
        .into_iter()
        .map(|r| r.title)
        .find(|t| t.starts_with("در یک حملهٔ مسلحانه به داخل حرم شاه"))
        .expect("ITN Persian Shah Cheragh blurb");
    // "در یک حملهٔ مسلحانه به داخل حرم شاه‌چراغ در شهر شیراز ایران، ۱۳ نفر کشته و بیش از ۲۰ نفر
    // زخمی شدند."
    let tokens = fold_tokens(&title);
    assert_eq!(tokens[..2], ["در", "يك"]);
    assert!(tokens.contains(&"13".to_string()) && tokens.contains(&"20".to_string()));
    assert!(tokens.contains(&"شاهچراغ".to_string()));
    assert!(tokens.contains(&"ايران".to_string()));
    assert!(!tokens.iter().any(|t| t.contains('،') || t.contains('.')));
    assert!(fold_tokens("  \t ").is_empty());
    assert_eq!(
        fold_tokens("Iran's President, 2024!"),
        ["iran", "s", "president", "2024"]
    );
}

/// The contract with the store: FTS5 indexes folded text and queries are folded the same way,
/// so the Arabic-letter query "آمريكا" finds the Persian "آمریکا".
#[test]
fn fts5_cross_script_search_on_folded_index() {
    let items = persian_news();
    let db = rusqlite::Connection::open_in_memory().expect("open in-memory SQLite");
    db.execute_batch("CREATE VIRTUAL TABLE docs USING fts5(body);")
        .expect("FTS5 available in bundled SQLite");
    let mut expected = Vec::new();
    for (i, body) in items.iter().enumerate() {
        // As a whole word: "آمریکایی" (American) is another token.
        if body
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w == "آمریکا")
        {
            expected.push(i as i64 + 1);
        }
        db.execute(
            "INSERT INTO docs(rowid, body) VALUES (?1, ?2)",
            rusqlite::params![i as i64 + 1, fold(body)],
        )
        .expect("insert");
    }
    assert!(expected.len() >= 5, "real items mention آمریکا");
    let search = |q: &str| -> Vec<i64> {
        let mut stmt = db
            .prepare("SELECT rowid FROM docs WHERE docs MATCH ?1 ORDER BY rowid")
            .expect("prepare");
        stmt.query_map([fold(q)], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    // Arabic yeh and kaf in the query, Persian ones in the documents.
    let arabic_query = search("آمريكا");
    assert_eq!(arabic_query, expected);
    // And the Persian spelling finds the same rows.
    assert_eq!(search("آمریکا"), expected);
    // Unfolded query against the folded index finds nothing: folding is what makes it work.
    let mut stmt = db
        .prepare("SELECT count(*) FROM docs WHERE docs MATCH ?1")
        .expect("prepare");
    let raw: i64 = stmt.query_row(["آمریکا"], |r| r.get(0)).expect("raw");
    assert_eq!(raw, 0);
}
