//! Sentence splitting for Arabic, Persian and English news text, and the folded form of a
//! sentence that matching uses.
//!
//! Boundaries come from Unicode's sentence rules (UAX #29, which know ؟ and ۔ as terminators and
//! keep a closing » or ” with its sentence), with three news-text fixes: line breaks always end a
//! sentence, a one-letter or known abbreviation ("U.S.", "Gen.") does not, and the Arabic
//! semicolon ؛ ends a sentence when both sides are long clauses (Arabic and Persian writers use
//! it where English puts a full stop). The Arabic comma ، never does.

use std::collections::BTreeSet;

use unicode_segmentation::UnicodeSegmentation;

use crate::normalize;

/// Words on each side of a ؛ for it to split (shorter clauses stay one sentence).
const SEMICOLON_MIN_WORDS: usize = 5;

/// English abbreviations that end with a full stop mid-sentence in news copy.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "capt", "sgt", "adm", "rep", "sen", "gov",
    "pres", "st", "jan", "feb", "mar", "apr", "aug", "sep", "sept", "oct", "nov", "dec", "no",
    "vs", "inc", "ltd", "co", "corp", "jr", "sr", "prof", "rev", "approx", "est", "dept",
];

/// Split `text` into display sentences (trimmed, none empty).
pub fn split(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut pending = String::new();
        for piece in line.split_sentence_bounds() {
            pending.push_str(piece);
            if ends_with_abbreviation(pending.trim_end()) {
                continue;
            }
            push_clauses(&mut out, &pending);
            pending.clear();
        }
        push_clauses(&mut out, &pending);
    }
    out
}

fn ends_with_abbreviation(s: &str) -> bool {
    let Some(body) = s.strip_suffix('.') else {
        return false;
    };
    let word = body
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"')
        .next()
        .unwrap_or("");
    // "U.S." / "U.N." / "J." : letters separated by dots, each one letter long.
    let one_letters = !word.is_empty()
        && word
            .split('.')
            .all(|p| p.chars().count() == 1 && p.chars().all(|c| c.is_alphabetic()));
    one_letters || ABBREVIATIONS.contains(&word.to_ascii_lowercase().as_str())
}

/// Push `s` (one UAX #29 sentence), split at ؛ between two long clauses.
fn push_clauses(out: &mut Vec<String>, s: &str) {
    let mut rest = s.trim();
    while let Some(pos) = rest.find('؛') {
        let (head, tail) = rest.split_at(pos);
        let tail = &tail['؛'.len_utf8()..];
        if words(head) >= SEMICOLON_MIN_WORDS && words(tail) >= SEMICOLON_MIN_WORDS {
            push(out, &format!("{}؛", head.trim_end()));
            rest = tail.trim_start();
        } else {
            break;
        }
    }
    push(out, rest);
}

fn push(out: &mut Vec<String>, s: &str) {
    let s = s.trim();
    if s.chars().any(char::is_alphanumeric) {
        out.push(s.to_string());
    }
}

fn words(s: &str) -> usize {
    s.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// A sentence as matching sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Folded {
    /// Folded word tokens (normalize::fold_tokens), a leading dateline removed.
    pub tokens: Vec<String>,
    /// Numbers in any script, as ASCII digits (thousands separators dropped).
    pub numbers: BTreeSet<String>,
}

impl Folded {
    pub fn of(sentence: &str) -> Folded {
        // one fold serves both (fold_tokens and numbers would each fold again)
        let folded = normalize::fold(strip_dateline(sentence));
        Folded {
            tokens: tokens_of_folded(&folded),
            numbers: numbers_of_folded(&folded),
        }
    }

    /// The folded text, for exact comparisons (boilerplate, duplicates).
    pub fn key(&self) -> String {
        self.tokens.join(" ")
    }
}

/// `Folded::of(sentence).key()` without the numbers, which a key does not use.
pub fn fold_key(sentence: &str) -> String {
    normalize::fold_tokens(strip_dateline(sentence)).join(" ")
}

/// Drop up to two short leading segments that end with a dash: agency datelines such as
/// "تهران- ایرنا- …", "TEHRAN (Tasnim) – …", "بيروت - الميادين نت: …".
pub fn strip_dateline(s: &str) -> &str {
    let mut rest = s.trim_start();
    for round in 0..2 {
        // A colon ends a dateline only after a dashed place name ("X said: …" is content).
        let Some((i, d)) = rest
            .char_indices()
            .take(60)
            .find(|&(_, c)| matches!(c, '-' | '–' | '—') || (round == 1 && c == ':'))
        else {
            break;
        };
        let after = &rest[i + d.len_utf8()..];
        // A dash inside a word ("al-Assad", "2019-20") is not a dateline.
        if !after.starts_with(char::is_whitespace) && !after.is_empty() {
            break;
        }
        let head = &rest[..i];
        let n = words(head);
        if n == 0 || n > 4 {
            break;
        }
        rest = after.trim_start();
    }
    rest
}

/// Numbers in `s` whatever their script (Persian ۱۲, Arabic-Indic ١٢, ASCII 12), with
/// thousands separators (`,` `٬`) dropped and decimals (`.` `٫`) kept.
pub fn numbers(s: &str) -> BTreeSet<String> {
    numbers_of_folded(&normalize::fold(s))
}

/// [`normalize::fold_tokens`] of text already folded.
fn tokens_of_folded(folded: &str) -> Vec<String> {
    folded
        .split(|c: char| {
            !(c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c))
        })
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// [`numbers`] of text already folded.
fn numbers_of_folded(folded: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut cur = String::new();
    let mut chars = folded.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            cur.push(c);
        } else if (c == ',' || c == '.')
            && !cur.is_empty()
            && chars.peek().is_some_and(char::is_ascii_digit)
        {
            if c == '.' {
                cur.push('.');
            }
        } else if !cur.is_empty() {
            out.insert(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.insert(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_arabic_persian_and_english() {
        assert_eq!(
            split("هل ستعود المفاوضات؟ قال الوزير إن الجولة المقبلة ستعقد في مسقط."),
            vec![
                "هل ستعود المفاوضات؟",
                "قال الوزير إن الجولة المقبلة ستعقد في مسقط."
            ]
        );
        // ZWNJ inside Persian words and a quoted question keep their sentence together.
        assert_eq!(
            split(
                "عراقچی گفت: «آیا مذاکرات ادامه می‌یابد؟» او پاسخی نداد. دیدار ۳.۵ ساعت طول کشید."
            ),
            vec![
                "عراقچی گفت: «آیا مذاکرات ادامه می‌یابد؟»",
                "او پاسخی نداد.",
                "دیدار ۳.۵ ساعت طول کشید."
            ]
        );
        assert_eq!(
            split(
                "U.S. officials met Gen. Smith in Doha. Talks resume on 3.5 percent.\nA new line"
            ),
            vec![
                "U.S. officials met Gen. Smith in Doha.",
                "Talks resume on 3.5 percent.",
                "A new line"
            ]
        );
        // The Arabic comma never splits; the Arabic semicolon splits two long clauses only.
        assert_eq!(split("قال الوزير، في مؤتمر صحفي، إن").len(), 1);
        assert_eq!(
            split("وصل الوفد الإيراني إلى العاصمة العمانية مساء الأحد؛ ومن المقرر أن تبدأ المحادثات صباح الاثنين").len(),
            2
        );
        assert_eq!(split("نعم؛ لا").len(), 1);
        assert!(split("  \n — \n").is_empty());
    }

    #[test]
    fn one_fold_gives_what_fold_tokens_and_numbers_give() {
        for s in [
            "تهران- ایرنا- رئیس جمهور گفت ۱۲ نفر در ۲۰۲۴ کشته شدند",
            "U.S. officials met Gen. Smith: 1,500 troops, 3.5 percent",
            "وأعلنت المقاومة أن قوات الاحتلال قصفت المدينة واستشهد ١٢ شخصا",
        ] {
            let body = strip_dateline(s);
            let f = Folded::of(s);
            assert_eq!(f.tokens, normalize::fold_tokens(body));
            assert_eq!(f.numbers, numbers(body));
        }
    }

    #[test]
    fn numbers_agree_across_scripts() {
        let fa = numbers("۱۲ نفر در ۲۰۲۴ و ۱٬۵۰۰ تومان");
        let ar = numbers("١٢ شخصا في ٢٠٢٤ و1,500");
        let en = numbers("12 people in 2024, 1,500 and 3.5");
        assert_eq!(fa, ["12", "1500", "2024"].map(String::from).into());
        assert_eq!(ar, fa);
        assert!(en.contains("3.5") && en.contains("1500"));
    }

    #[test]
    fn datelines_are_not_content() {
        assert_eq!(
            strip_dateline("تهران- ایرنا- رئیس جمهور گفت"),
            "رئیس جمهور گفت"
        );
        assert_eq!(
            strip_dateline("TEHRAN (Tasnim) – Iran's foreign minister said"),
            "Iran's foreign minister said"
        );
        assert_eq!(
            strip_dateline("al-Assad said on Monday"),
            "al-Assad said on Monday"
        );
        assert_eq!(strip_dateline("عراقچی گفت: «نه»"), "عراقچی گفت: «نه»");
        assert_eq!(
            Folded::of("بيروت - الميادين نت: قال الأمين العام").key(),
            "قال الامين العام"
        );
    }
}
