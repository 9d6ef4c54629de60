//! Cheap scorer for Arabic-script text: Arabic, Persian or Urdu (or something else written in
//! the script, like Pashto or Sorani) from script-specific letters and function words.
//! Scores are rough log-odds; a clear margin answers without lingua.

use crate::model::Lang;
use crate::normalize::fold;

/// A margin at least this large (in log-odds) answers without lingua.
const DECISIVE_MARGIN: f64 = 5.0;
/// Weight of the scorer's log-odds when blended with lingua's confidence values.
const BLEND_BETA: f64 = 1.0;
/// Out-of-set letters per Arabic-script letter that make "something else" certain.
const OTHER_SATURATION: f64 = 0.1;

/// log(1 - 0.11): per Arabic-script letter when none is Urdu-only.
const URDU_ABSENCE_PER_LETTER: f64 = 0.12;

/// Evidence per language, in the order Arabic, Persian, Urdu.
type Evidence = [f64; 3];
const AR: usize = 0;
const FA: usize = 1;
const UR: usize = 2;

pub(crate) struct ArabicScore {
    cands: Vec<(Lang, f64)>,
    /// 0..=1: how strongly the letters say "none of ar/fa/ur" (Pashto, Sorani, Sindhi, Uyghur).
    pub(crate) other_share: f64,
}

pub(crate) fn score(text: &str, cands: &[Lang]) -> ArabicScore {
    let mut ev: Evidence = [0.0; 3];
    let mut arabic_letters = 0usize;
    let mut urdu_letters = 0usize;
    let mut other_letters = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if ('\u{0620}'..='\u{06FF}').contains(&c) && c.is_alphabetic() {
            arabic_letters += 1;
        }
        match c {
            // Urdu-only letters: tteh, ddal, rreh, noon ghunna, yeh barree, heh goal, do-chashmi heh
            'ٹ' | 'ڈ' | 'ڑ' | 'ں' | 'ے' | 'ۓ' | 'ہ' | 'ۂ' => {
                ev[UR] += 3.0;
                urdu_letters += 1;
            }
            'ھ' => {
                ev[UR] += 2.0;
                urdu_letters += 1;
            }
            // Urdu writes heh as ہ or ھ: plain ه is in under 1% of Urdu words, a third of
            // Persian ones (NTREX: 0% of Urdu sentences, 96% of Persian ones).
            'ه' => ev[UR] -= 3.0,
            // Persian and Urdu, not Arabic: peh, tcheh, jeh, gaf
            'پ' | 'چ' | 'ژ' | 'گ' => {
                ev[FA] += 1.5;
                ev[UR] += 1.5;
            }
            // Farsi yeh and keheh: Arabic text practically never has them
            'ی' | 'ک' => {
                ev[FA] += 2.5;
                ev[UR] += 2.5;
            }
            // Persian heh with yeh (ezafe)
            'ۀ' => ev[FA] += 3.0,
            // ZWNJ inside words: Persian writes it all the time, Urdu sometimes, Arabic never
            '\u{200C}' => {
                ev[FA] += 1.0;
                ev[UR] += 0.5;
            }
            // Arabic letters Persian and Urdu keyboards do not produce by default
            'ة' => ev[AR] += 2.5,
            'ى' => ev[AR] += 1.5,
            'ي' => ev[AR] += 2.0,
            'ك' | 'إ' => ev[AR] += 1.0,
            // Heh followed by a combining hamza is a decomposed ۀ, not Sorani ە.
            'ە' if chars.peek() == Some(&'\u{0654}') => ev[FA] += 3.0,
            // Letters of Pashto, Sorani, Sindhi, Uyghur that ar/fa/ur do not use
            'ټ' | 'ډ' | 'ړ' | 'ږ' | 'ښ' | 'ځ' | 'څ' | 'ې' | 'ۍ' | 'ګ' | 'ڼ' | 'ڕ' | 'ڵ' | 'ۆ'
            | 'ێ' | 'ە' | 'ڄ' | 'ڃ' | 'ڇ' | 'ڊ' | 'ڌ' | 'ڍ' | 'ڎ' | 'ڏ' | 'ڙ' | 'ڦ' | 'ڪ' | 'ڻ'
            | 'ٻ' | 'ٺ' | 'ٽ' | 'ٿ' | 'ڳ' | 'ڱ' | 'ۇ' | 'ۈ' | 'ۋ' => other_letters += 1,
            _ => {}
        }
    }
    // Function words, on folded text so that keyboard variants (ي/ی, ك/ک) score alike.
    for tok in fold(text).split(|c: char| !c.is_alphanumeric()) {
        if let Some(w) = word_evidence(tok) {
            for (e, x) in ev.iter_mut().zip(w) {
                *e += x;
            }
        } else if tok.chars().count() >= 4 {
            // Persian plural + ezafe/indefinite (كتابهاي), also typed with Arabic yeh
            if tok.ends_with("هاي") {
                ev[FA] += 2.0;
            }
            if tok.starts_with("وال") || tok.starts_with("لل") {
                ev[AR] += 1.2;
            } else if tok.starts_with("ال") {
                ev[AR] += 0.7;
            }
        }
    }
    // About one Urdu letter in nine is Urdu-only (ے ں ہ ٹ ...): their absence is evidence too.
    if urdu_letters == 0 {
        ev[UR] -= URDU_ABSENCE_PER_LETTER * arabic_letters as f64;
    }
    let other_share = if arabic_letters == 0 {
        0.0
    } else {
        (other_letters as f64 / arabic_letters as f64 / OTHER_SATURATION).min(1.0)
    };
    let cands = cands
        .iter()
        .map(|l| {
            let e = match l {
                Lang::Ar => ev[AR],
                Lang::Fa => ev[FA],
                Lang::Ur => ev[UR],
                _ => 0.0,
            };
            (l.clone(), e)
        })
        .collect();
    ArabicScore { cands, other_share }
}

impl ArabicScore {
    /// True when the best candidate leads the runner-up by a clear margin.
    pub(crate) fn decisive(&self) -> bool {
        let mut e: Vec<f64> = self.cands.iter().map(|(_, e)| *e).collect();
        e.sort_by(|a, b| b.total_cmp(a));
        match e.as_slice() {
            [best, second, ..] => best - second >= DECISIVE_MARGIN,
            _ => true,
        }
    }

    /// Softmax of the evidence.
    pub(crate) fn probs(&self) -> Vec<(Lang, f64)> {
        self.weighted(|_| 1.0, 1.0)
    }

    /// Lingua's confidence values times the scorer's odds.
    pub(crate) fn blend(&self, lingua: &[(Lang, f64)]) -> Vec<(Lang, f64)> {
        self.weighted(
            |l| lingua.iter().find(|(x, _)| x == l).map_or(0.0, |(_, v)| *v),
            BLEND_BETA,
        )
    }

    fn weighted(&self, base: impl Fn(&Lang) -> f64, beta: f64) -> Vec<(Lang, f64)> {
        let max = self
            .cands
            .iter()
            .map(|(_, e)| *e)
            .fold(f64::NEG_INFINITY, f64::max);
        self.cands
            .iter()
            .map(|(l, e)| (l.clone(), base(l) * (beta * (e - max)).exp()))
            .collect()
    }
}

/// Evidence [ar, fa, ur] from one folded token, for frequent function words.
fn word_evidence(tok: &str) -> Option<Evidence> {
    const A: f64 = 2.5;
    Some(match tok {
        // Persian
        "از" | "در" | "را" | "كه" | "است" | "براي" | "هاي" | "شد" | "شده" | "بود" | "كرد"
        | "كرده" | "خود" | "يك" | "نيز" | "اند" | "شود" | "كند" | "ميشود" | "ميكند" | "گفت"
        | "ديگر" | "دارد" | "كنند" | "ميكنند" | "همچنين" | "چه" | "چند" | "نمي" | "بايد"
        | "اينكه" | "انكه" | "ميباشد" | "باشد" | "بوده" | "ديگري" => {
            [0.0, A, 0.0]
        }
        "با" | "تا" | "وي" | "ها" | "همه" => [0.0, 2.0, 0.0],
        "اين" | "به" => [0.0, 1.5, 0.0],
        // Arabic
        "في" | "الى" | "عن" | "مع" | "هذا" | "هذه" | "التي" | "الذي" | "الذين" | "كان" | "كانت"
        | "قد" | "لم" | "لن" | "ذلك" | "تلك" | "قال" | "وقال" | "كما" | "حيث" | "منذ" | "انه"
        | "الا" | "ثم" | "وفي" | "ومن" | "يكون" | "وهو" | "وهي" | "اليوم" => {
            [A, 0.0, 0.0]
        }
        "هو" | "هي" | "عند" | "تم" => [2.0, 0.0, 0.0],
        "علي" | "من" | "لا" => [1.5, 0.0, 0.0],
        // Urdu (ے is not folded)
        "كے" | "ميں" | "هے" | "هيں" | "سے" | "نے" | "كو" | "اور" | "بهي" | "تها" | "تهي"
        | "گيا" | "ليے" | "ساته" => [0.0, 0.0, A],
        "كا" | "وه" => [0.0, 0.0, 2.0],
        "پر" | "يه" => [0.0, 0.0, 1.5],
        "كي" => [0.0, 0.0, 1.0],
        _ => return None,
    })
}
