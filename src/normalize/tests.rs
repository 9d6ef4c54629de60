use super::*;
use crate::eval::fixtures::{lines, persian_items};

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
fn real_persian_feed_text_folds_zwnj_digits_and_heh_yeh() {
    let Some(items) = persian_items("hamshahri.json") else {
        return;
    };
    let title = items
        .iter()
        .map(|(t, _)| t)
        .find(|t| t.starts_with("نخستین کاروان حج"))
        .expect("Hamshahri Hajj headline present");
    // "نخستین کاروان حج ۹۹ ششم تیر اعزام می‌شود" — Persian digits and a ZWNJ.
    assert!(title.contains('\u{200C}') && title.contains('۹'));
    let folded = fold(title);
    assert!(folded.contains(" 99 "), "{folded}");
    assert!(folded.ends_with("ميشود"), "{folded}");
    assert!(!folded.contains('\u{200C}'));
    // Display text is untouched: folding returns a new string.
    assert!(title.contains('\u{200C}'));

    // "اسطورۀ" (heh with yeh above) matches "اسطوره" in the same real summary.
    let (t, s) = items
        .iter()
        .find(|(t, _)| t.contains("اسطورۀ"))
        .expect("item with ۀ present");
    assert!(s.contains("اسطوره "));
    assert!(fold(t).contains("اسطوره "));
}

#[test]
fn radio_farda_arabic_kaf_matches_hamshahri_persian_kaf() {
    // Radio Farda's feed writes "كه" with Arabic kaf; Hamshahri writes "که".
    let (Some(rf), Some(hs)) = (
        persian_items("radiofarda.json"),
        persian_items("hamshahri.json"),
    ) else {
        return;
    };
    let rf_text = rf
        .iter()
        .map(|(_, s)| s)
        .find(|s| s.contains(" كه "))
        .expect("Radio Farda item with Arabic-kaf كه");
    let hs_text = hs
        .iter()
        .map(|(_, s)| s)
        .find(|s| s.contains(" که "))
        .expect("Hamshahri item with Persian-kaf که");
    let rf_tokens = fold_tokens(rf_text);
    let hs_tokens = fold_tokens(hs_text);
    let ke = fold("که");
    assert!(rf_tokens.contains(&ke) && hs_tokens.contains(&ke));
}

#[test]
fn real_arabic_tatweel_harakat_and_indic_digits() {
    let Some(sent) = lines("lingua-testdata/sentences/ar.txt") else {
        return;
    };
    let tatweel = sent
        .iter()
        .find(|l| l.contains("الجواب ـ نعم"))
        .expect("line with tatweel");
    assert_eq!(fold(tatweel), "الجواب نعم يجوز ذلك.");
    let Some(udhr) = lines("udhr/udhr_paragraphs.tsv") else {
        return;
    };
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
    let Some(items) = persian_items("hamshahri.json") else {
        return;
    };
    let title = items
        .iter()
        .map(|(t, _)| t)
        .find(|t| t.starts_with("کاهش ۵۷ درصدی ترددها"))
        .expect("Hamshahri traffic headline");
    // "کاهش ۵۷ درصدی ترددها | ۳۰ هزار خودرو هنوز به شهرهای مبدأ بازنگشته‌اند"
    let tokens = fold_tokens(title);
    assert_eq!(tokens[0], "كاهش");
    assert_eq!(tokens[1], "57");
    assert!(tokens.contains(&"30".to_string()));
    assert!(tokens.contains(&"مبدا".to_string()));
    assert!(tokens.contains(&"بازنگشتهاند".to_string()));
    assert!(!tokens.iter().any(|t| t == "|"));
    assert!(fold_tokens("  \t ").is_empty());
    assert_eq!(
        fold_tokens("Iran's President, 2024!"),
        ["iran", "s", "president", "2024"]
    );
}

/// The contract with the store: FTS5 indexes folded text and queries are folded the same way,
/// so the Arabic-letter query "سليماني" finds the Persian "سلیمانی".
#[test]
fn fts5_cross_script_search_on_folded_index() {
    let Some(items) = persian_items("hamshahri.json") else {
        return;
    };
    let db = rusqlite::Connection::open_in_memory().expect("open in-memory SQLite");
    db.execute_batch("CREATE VIRTUAL TABLE docs USING fts5(body);")
        .expect("FTS5 available in bundled SQLite");
    let mut expected = Vec::new();
    for (i, (title, summary)) in items.iter().enumerate() {
        let body = format!("{title} {summary}");
        if body.contains("سلیمانی") {
            expected.push(i as i64 + 1);
        }
        db.execute(
            "INSERT INTO docs(rowid, body) VALUES (?1, ?2)",
            rusqlite::params![i as i64 + 1, fold(&body)],
        )
        .expect("insert");
    }
    assert!(expected.len() >= 5, "real items mention سلیمانی");
    let search = |q: &str| -> Vec<i64> {
        let mut stmt = db
            .prepare("SELECT rowid FROM docs WHERE docs MATCH ?1 ORDER BY rowid")
            .expect("prepare");
        stmt.query_map([fold(q)], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    // Arabic yeh in the query, Persian yeh in the documents.
    let arabic_query = search("سليماني");
    assert_eq!(arabic_query, expected);
    // And the Persian spelling finds the same rows.
    assert_eq!(search("سلیمانی"), expected);
    // Unfolded query against the folded index finds nothing: folding is what makes it work.
    let mut stmt = db
        .prepare("SELECT count(*) FROM docs WHERE docs MATCH ?1")
        .expect("prepare");
    let raw: i64 = stmt.query_row(["سلیمانی"], |r| r.get(0)).expect("raw");
    assert_eq!(raw, 0);
}
