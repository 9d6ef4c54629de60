//! Which script a text is written in, by letter counts.

use lingua::Language;

/// The script classes the pre-pass routes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    Arabic,
    Latin,
    Cyrillic,
    Devanagari,
    Other,
}

impl Script {
    pub(crate) fn of_char(c: char) -> Option<Script> {
        Some(match c {
            'a'..='z' | 'A'..='Z' => Script::Latin,
            _ if c.is_ascii() => return None,
            '\u{0600}'..='\u{06FF}'
            | '\u{0750}'..='\u{077F}'
            | '\u{08A0}'..='\u{08FF}'
            | '\u{FB50}'..='\u{FDFF}'
            | '\u{FE70}'..='\u{FEFF}'
                if c.is_alphabetic() =>
            {
                Script::Arabic
            }
            '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' if c.is_alphabetic() => Script::Latin,
            '\u{0400}'..='\u{052F}' if c.is_alphabetic() => Script::Cyrillic,
            '\u{0900}'..='\u{097F}' if c.is_alphabetic() => Script::Devanagari,
            _ if c.is_alphabetic() => Script::Other,
            _ => return None,
        })
    }

    /// The script a lingua language is written in (Other for the rest).
    pub(crate) fn of_language(l: Language) -> Script {
        if Language::all_with_arabic_script().contains(&l) {
            Script::Arabic
        } else if Language::all_with_latin_script().contains(&l) {
            Script::Latin
        } else if Language::all_with_cyrillic_script().contains(&l) {
            Script::Cyrillic
        } else if Language::all_with_devanagari_script().contains(&l) {
            Script::Devanagari
        } else {
            Script::Other
        }
    }
}

/// Letter counts per script.
#[derive(Debug, Default)]
pub(crate) struct ScriptCounts {
    arabic: usize,
    latin: usize,
    /// Latin letters in Capitalised or ALL-CAPS words: names and brands, which a Persian or
    /// Arabic headline quotes as they are.
    latin_in_names: usize,
    latin_non_ascii: usize,
    cyrillic: usize,
    devanagari: usize,
    other: usize,
}

/// Arabic script leaves short vowels unwritten, so an Arabic-script word has fewer letters than
/// the same word in Latin letters; weigh its letters up when comparing scripts.
const ARABIC_LETTER_WEIGHT: f64 = 1.4;

/// Latin names count half when scripts are weighed: "Livingston 1 - 0 Rangers: گل Menga باعث
/// شکست یاران Gerrard شد" is a Persian headline (NTREX).
const NAME_DISCOUNT: f64 = 0.5;

impl ScriptCounts {
    pub(crate) fn of(text: &str) -> Self {
        let mut c = ScriptCounts::default();
        // Whether the current Latin word started with a capital letter.
        let mut in_name = false;
        let mut prev_latin = false;
        for ch in text.chars() {
            let script = Script::of_char(ch);
            if script == Some(Script::Latin) && !prev_latin {
                in_name = ch.is_uppercase();
            }
            prev_latin = script == Some(Script::Latin);
            match script {
                Some(Script::Arabic) => c.arabic += 1,
                Some(Script::Latin) => {
                    c.latin += 1;
                    if in_name {
                        c.latin_in_names += 1;
                    }
                    if !ch.is_ascii() {
                        c.latin_non_ascii += 1;
                    }
                }
                Some(Script::Cyrillic) => c.cyrillic += 1,
                Some(Script::Devanagari) => c.devanagari += 1,
                Some(Script::Other) => c.other += 1,
                None => {}
            }
        }
        c
    }

    /// The dominant script and its (weighted) share of all letters; None without letters.
    pub(crate) fn dominant(&self) -> Option<(Script, f64)> {
        let weighted = [
            (Script::Arabic, self.arabic as f64 * ARABIC_LETTER_WEIGHT),
            (
                Script::Latin,
                self.latin as f64 - NAME_DISCOUNT * self.latin_in_names as f64,
            ),
            (Script::Cyrillic, self.cyrillic as f64),
            (Script::Devanagari, self.devanagari as f64),
            (Script::Other, self.other as f64),
        ];
        let total: f64 = weighted.iter().map(|(_, n)| n).sum();
        if total == 0.0 {
            return None;
        }
        let (script, n) = weighted.into_iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
        Some((script, n / total))
    }

    /// Share of Latin letters outside ASCII (diacritics), 0 without Latin letters.
    pub(crate) fn latin_non_ascii_share(&self) -> f64 {
        if self.latin == 0 {
            0.0
        } else {
            self.latin_non_ascii as f64 / self.latin as f64
        }
    }
}
