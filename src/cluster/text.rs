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
    fn headline_noise_is_removed() {
        assert_eq!(
            clean_title("Live: Pope Francis dies aged 88 - BBC News"),
            "Pope Francis dies aged 88"
        );
        assert_eq!(
            clean_title("به گزارش ایرنا، پاپ فرانسیس درگذشت"),
            "پاپ فرانسیس درگذشت"
        );
        assert_eq!(
            clean_title("عاجل: وفاة البابا فرنسيس"),
            "وفاة البابا فرنسيس"
        );
    }
}
