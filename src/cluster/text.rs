//! Text evidence for grouping: headline clean-up, folded tokens and numbers.
//!
//! Tokens come from the normalisation stage's folding (one spelling for Arabic/Persian letter
//! variants, digits of any script as ASCII), plus removal of the Arabic article for matching.

/// Markers that say how an item is presented, not what happened.
const NOISE_PREFIXES: &[&str] = &[
    "live:",
    "live updates:",
    "live -",
    "breaking:",
    "breaking news:",
    "breaking -",
    "video:",
    "watch:",
    "update:",
    "updated:",
    "exclusive:",
    "عاجل:",
    "عاجل -",
    "عاجل|",
    "عاجل",
    "فيديو:",
    "بالفيديو:",
    "بالفيديو",
    "فوری:",
    "فوری",
    "ویدئو:",
    "ویدیو:",
    "فیلم:",
    "(menafn)",
    "shafaqna-",
];

/// Remove presentation noise from a headline: "Live:"-style markers, a dateline or agency
/// prefix, and an outlet suffix such as " - BBC News" or " | Reuters".
pub fn clean_title(title: &str) -> String {
    let mut t = title.trim().to_string();
    loop {
        let lower = t.to_lowercase();
        let mut stripped = false;
        for p in NOISE_PREFIXES {
            if lower.starts_with(p) {
                // `p` is lowercase ASCII or script without case: byte lengths agree.
                if let Some(rest) = t.get(p.len()..) {
                    t = rest
                        .trim_start_matches([' ', ':', '-', '|', '–', '—'])
                        .to_string();
                    stripped = true;
                    break;
                }
            }
        }
        if !stripped {
            break;
        }
    }
    // Persian agency preamble "به گزارش X، ..." carries the outlet, not the event.
    if let Some(rest) = t.strip_prefix("به گزارش ")
        && let Some(pos) = rest.find('،')
        && rest[..pos].chars().count() <= 60
    {
        t = rest[pos + '،'.len_utf8()..].trim().to_string();
    }
    // Outlet suffix: a short trailing segment after a separator.
    for sep in [" | ", " - ", " – ", " — "] {
        if let Some(pos) = t.rfind(sep) {
            let tail = &t[pos + sep.len()..];
            let words = tail.split_whitespace().count();
            if (1..=3).contains(&words) && pos > 20 {
                t.truncate(pos);
            }
        }
    }
    // Leading "Outlet –" dateline: a short head segment before a dash.
    for sep in [" – ", " — ", " - "] {
        if let Some(pos) = t.find(sep) {
            let head = &t[..pos];
            if (1..=3).contains(&head.split_whitespace().count()) && t.len() - pos > 30 {
                t = t[pos + sep.len()..].to_string();
            }
            break;
        }
    }
    t.trim().to_string()
}

/// The text embedded for an item: cleaned headline plus the start of its lead, so the model sees
/// what happened without reading the whole article (it reads at most 512 tokens).
pub fn embedding_input(title: &str, text: &str) -> String {
    const LEAD_CHARS: usize = 300;
    let title = clean_title(title);
    let mut lead = text.trim();
    // Some feeds repeat the headline as the first line of the text.
    if let Some(rest) = lead.strip_prefix(title.as_str()) {
        lead = rest.trim_start();
    }
    if lead.is_empty() {
        return title;
    }
    let lead: String = lead.chars().take(LEAD_CHARS).collect();
    format!("{title} {lead}")
}

/// Folded word tokens (the normalisation stage's folding), with the Arabic article removed.
pub fn tokens(text: &str) -> Vec<String> {
    crate::normalize::fold_tokens(text)
        .into_iter()
        .map(|t| strip_article(&t))
        .filter(|t| t.chars().count() >= 2 || is_number(t))
        .collect()
}

/// Consonant skeletons of the names in a text, split by script: `(latin, arabic_script)`.
///
/// Names cross scripts by transliteration (خاشقجي / Khashoggi, بريفوست / Prevost), which
/// folded tokens cannot match. Both sides map to one coarse consonant alphabet (vowels, h, w,
/// y dropped; k/q/g/j/kh/gh one class, s/z/sh one class, b/p, f/v, t/th, d/dh), repeated
/// classes collapsed. Latin words count only when capitalised (names, in sentence-case text);
/// skeletons shorter than three consonants say too little and are dropped.
pub fn name_keys(text: &str) -> (Vec<String>, Vec<String>) {
    let mut latin = Vec::new();
    let mut arabic = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let Some(first) = word.chars().next() else {
            continue;
        };
        let key = if first.is_ascii_alphabetic() {
            if !first.is_ascii_uppercase() || word.chars().all(|c| c.is_ascii_uppercase()) {
                continue;
            }
            latin_skeleton(word)
        } else if is_arabic_letter(first) {
            arabic_skeleton(&strip_article(word))
        } else {
            continue;
        };
        if key.len() < 3 {
            continue;
        }
        if first.is_ascii_alphabetic() {
            latin.push(key)
        } else {
            arabic.push(key)
        }
    }
    (latin, arabic)
}

fn is_arabic_letter(c: char) -> bool {
    ('\u{0620}'..='\u{064A}').contains(&c) || ('\u{066E}'..='\u{06D3}').contains(&c)
}

fn push_class(key: &mut String, class: char) {
    if !key.ends_with(class) {
        key.push(class);
    }
}

fn latin_skeleton(word: &str) -> String {
    let w: Vec<char> = word.to_ascii_lowercase().chars().collect();
    let mut key = String::new();
    let mut i = 0;
    while i < w.len() {
        let next = w.get(i + 1).copied();
        let digraph = match (w[i], next) {
            ('k' | 'g', Some('h')) | ('c', Some('k')) | ('q', Some('u')) => Some('K'),
            ('s' | 'c', Some('h')) => Some('S'),
            ('t', Some('h')) => Some('T'),
            ('d', Some('h')) => Some('D'),
            ('p', Some('h')) => Some('F'),
            _ => None,
        };
        if let Some(c) = digraph {
            push_class(&mut key, c);
            i += 2;
            continue;
        }
        let class = match w[i] {
            'b' | 'p' => Some('B'),
            't' => Some('T'),
            'd' => Some('D'),
            'c' if matches!(next, Some('e' | 'i' | 'y')) => Some('S'),
            'k' | 'q' | 'g' | 'j' | 'c' => Some('K'),
            's' | 'z' => Some('S'),
            'x' => {
                push_class(&mut key, 'K');
                Some('S')
            }
            'f' | 'v' => Some('F'),
            'l' => Some('L'),
            'm' => Some('M'),
            'n' => Some('N'),
            'r' => Some('R'),
            _ => None,
        };
        if let Some(c) = class {
            push_class(&mut key, c);
        }
        i += 1;
    }
    key
}

fn arabic_skeleton(word: &str) -> String {
    let mut key = String::new();
    for c in word.chars() {
        let class = match c {
            'ب' | 'پ' => Some('B'),
            'ت' | 'ط' | 'ث' => Some('T'),
            'د' | 'ض' | 'ذ' => Some('D'),
            'ج' | 'چ' | 'خ' | 'غ' | 'ق' | 'ك' | 'ک' | 'گ' => Some('K'),
            'ز' | 'ظ' | 'س' | 'ص' | 'ش' | 'ژ' => Some('S'),
            'ف' | 'ڤ' => Some('F'),
            'ل' => Some('L'),
            'م' => Some('M'),
            'ن' => Some('N'),
            'ر' => Some('R'),
            _ => None,
        };
        if let Some(c) = class {
            push_class(&mut key, c);
        }
    }
    key
}

/// Arabic proclitics and the article ("وال", "بال", "ال", ...) so "الرئيس" and "والرئيس" agree.
fn strip_article(t: &str) -> String {
    const PREFIXES: &[&str] = &["وال", "بال", "فال", "كال", "لل", "ال"];
    for p in PREFIXES {
        if let Some(rest) = t.strip_prefix(p)
            && rest.chars().count() >= 3
        {
            return rest.to_string();
        }
    }
    t.to_string()
}

/// True for a token made of digits only (folded from any script).
pub fn is_number(t: &str) -> bool {
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_fold_across_scripts() {
        let fa = tokens("۷۶مین دوره جشنواره ۲۰۲۳");
        assert!(fa.contains(&"2023".to_string()), "{fa:?}");
        let ar = tokens("مقتل ٢٠٠ شخص");
        assert!(ar.contains(&"200".to_string()), "{ar:?}");
    }

    #[test]
    fn arabic_and_persian_letters_agree() {
        assert_eq!(tokens("رئيس"), tokens("رئیس"));
        assert_eq!(tokens("الرئيس"), tokens("والرئيس"));
        assert_eq!(tokens("می‌شود"), tokens("میشود"));
    }

    #[test]
    fn names_match_across_scripts() {
        let pairs = [
            ("جمال خاشقجي", "Jamal Khashoggi"),
            ("روبرت بريفوست", "Robert Prevost"),
            ("بوتفليقة", "Bouteflika"),
            ("البغدادي", "Baghdadi"),
            ("پاپ فرانسیس", "Pope Francis"),
            ("ترامپ", "Trump"),
            ("أردوغان", "Erdogan"),
        ];
        for (a, l) in pairs {
            let (_, ar) = name_keys(a);
            let (en, _) = name_keys(l);
            assert!(
                ar.iter().any(|k| en.contains(k)),
                "{a} {ar:?} vs {l} {en:?}"
            );
        }
        // Lowercase Latin words are not names; skeletons under three consonants are dropped.
        assert_eq!(name_keys("the raised bar"), (vec![], vec![]));
        assert_eq!(name_keys("Gaza"), (vec![], vec![]));
    }

    #[test]
    fn headline_noise_is_removed() {
        // Wikipedia "In the news" blurbs (CC BY-SA 3.0, tests/fixtures/text/stories) in outlet dress.
        assert_eq!(
            clean_title("Live: Pope Emeritus Benedict XVI dies at the age of 95. - BBC News"),
            "Pope Emeritus Benedict XVI dies at the age of 95."
        );
        assert_eq!(
            clean_title(
                "به گزارش ایرنا، پاپ بندیکت شانزدهم رهبر پیشین کاتولیک\u{200C}های جهان در ۹۵ سالگی درگذشت."
            ),
            "پاپ بندیکت شانزدهم رهبر پیشین کاتولیک\u{200C}های جهان در ۹۵ سالگی درگذشت."
        );
        assert_eq!(
            clean_title(
                "عاجل: 31 ديسمبر وفاة البابا الفخري بندكت السادس عشر في مقر إقامته في الفاتيكان، عن عمر 95 عامًا."
            ),
            "31 ديسمبر وفاة البابا الفخري بندكت السادس عشر في مقر إقامته في الفاتيكان، عن عمر 95 عامًا."
        );
    }
}
