//! The one matching/search normalisation: every piece of text that is indexed, queried,
//! deduplicated or turned into clustering features goes through [`fold`], so an Arabic-letter
//! query finds the Persian spelling of the same word and vice versa.
//!
//! Policy (applied after Unicode NFKC, which also resolves Arabic presentation forms and ligatures):
//! - yeh: ي ی ى ئ ې → ي (U+064A); kaf: ك ک ڪ → ك (U+0643)
//! - heh / teh marbuta: ه ۀ ة ە ھ ہ ۂ → ه (U+0647), a search fold (it loses the ة/ه distinction)
//! - alef: أ إ آ ٱ ٲ ٳ → ا; hamza carriers: ؤ → و (ئ is a yeh above); bare hamza ء dropped
//! - harakat/tashkeel, Quranic marks, superscript alef and tatweel dropped
//! - ZWNJ, ZWJ and other invisible format characters (LRM/RLM, bidi embeddings, BOM, soft
//!   hyphen) dropped: the stored text keeps them for display, matching ignores them
//! - Persian (۰-۹) and Arabic-Indic (٠-٩) digits → ASCII
//! - Arabic-script punctuation → ASCII: ، → `,`  ؛ → `;`  ؟ → `?`  « » → `"`  ٪ → `%`  ٫ → `.`
//!   ٬ → `,`  ۔ → `.`
//! - lowercase; whitespace runs collapse to one space, ends trimmed.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// What one character becomes in the folded text.
enum Fold {
    Keep(char),
    Drop,
    Space,
}

#[inline]
fn fold_char(c: char) -> Fold {
    use Fold::*;
    match c {
        // yeh family (Arabic yeh, Farsi yeh, alef maksura, yeh with hamza, Pashto/Uyghur e)
        '\u{064A}' | '\u{06CC}' | '\u{0649}' | '\u{0626}' | '\u{06D0}' => Keep('\u{064A}'),
        // kaf family (Arabic kaf, keheh, swash kaf)
        '\u{0643}' | '\u{06A9}' | '\u{06AA}' => Keep('\u{0643}'),
        // heh family and teh marbuta
        '\u{0647}' | '\u{06C0}' | '\u{0629}' | '\u{06D5}' | '\u{06BE}' | '\u{06C1}'
        | '\u{06C2}' => Keep('\u{0647}'),
        // alef variants
        '\u{0623}' | '\u{0625}' | '\u{0622}' | '\u{0671}' | '\u{0672}' | '\u{0673}' => {
            Keep('\u{0627}')
        }
        // waw with hamza
        '\u{0624}' => Keep('\u{0648}'),
        // bare hamza, tatweel
        '\u{0621}' | '\u{0640}' => Drop,
        // harakat, tashkeel, superscript alef, Quranic annotation marks
        '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}' => Drop,
        // invisible format characters: ZWNJ, ZWJ, ZWSP, LRM/RLM, bidi controls, BOM, soft hyphen
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{061C}'
        | '\u{FEFF}'
        | '\u{00AD}' => Drop,
        // digits
        '\u{0660}'..='\u{0669}' => Keep(ascii_digit(c as u32 - 0x0660)),
        '\u{06F0}'..='\u{06F9}' => Keep(ascii_digit(c as u32 - 0x06F0)),
        // punctuation
        '\u{060C}' | '\u{066C}' => Keep(','),
        '\u{061B}' => Keep(';'),
        '\u{061F}' => Keep('?'),
        '\u{00AB}' | '\u{00BB}' => Keep('"'),
        '\u{066A}' => Keep('%'),
        '\u{066B}' | '\u{06D4}' => Keep('.'),
        c if c.is_whitespace() => Space,
        c => Keep(c),
    }
}

#[inline]
fn ascii_digit(d: u32) -> char {
    char::from_digit(d, 10).unwrap_or('0')
}

/// Fold `text` for matching and search (see the module doc for the policy). Output is lowercase.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Starting "after a space" trims leading whitespace for free.
    let mut pending_space = false;
    let mut push = |out: &mut String, c: char| match fold_char(c) {
        Fold::Drop => {}
        Fold::Space => pending_space = !out.is_empty(),
        Fold::Keep(k) => {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            if k.is_ascii() {
                out.push(k.to_ascii_lowercase());
            } else {
                out.extend(k.to_lowercase());
            }
        }
    };
    if text.is_ascii() {
        // NFKC is the identity on ASCII: skip the normaliser on the common English path.
        for c in text.chars() {
            push(&mut out, c);
        }
    } else {
        for c in text.nfkc() {
            push(&mut out, c);
        }
    }
    out
}

/// Fold `text`, then split it into word tokens (runs of letters, digits and combining marks).
/// Used for FTS, dedupe and clustering features.
pub fn fold_tokens(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !(c.is_alphanumeric() || is_combining_mark(c)))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests;
