//! Same-language reuse: word 3-shingles over folded text, found through an inverted index so a
//! story of thousands of sentences compares only sentences that share a shingle.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use super::Prepared;

/// Words per shingle.
const K: usize = 3;
/// A shingle in more sentences than this is a stock phrase ("said on Monday"): it is not used
/// to find candidates (a real reprint shares many rarer shingles too).
const MAX_POSTINGS: usize = 200;

/// Distinct hashed word shingles of a token list (one shingle of all tokens when shorter).
pub fn shingles(tokens: &[String]) -> Vec<u64> {
    let mut out: Vec<u64> = tokens
        .windows(K.min(tokens.len()).max(1))
        .map(|w| {
            let mut h = std::hash::DefaultHasher::new();
            w.hash(&mut h);
            h.finish()
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Shared shingles over the smaller sentence's shingles.
pub fn containment(a: &[u64], b: &[u64]) -> f32 {
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let n = a.len().min(b.len());
    if n == 0 {
        0.0
    } else {
        shared as f32 / n as f32
    }
}

/// Pairs (a, b), a < b, of eligible same-language sentences of different items with
/// containment ≥ `min`.
pub fn same_language_pairs(p: &Prepared, min: f32) -> Vec<(usize, usize, f32)> {
    let sh: Vec<Option<Vec<u64>>> = p
        .sents
        .iter()
        .map(|s| s.eligible.then(|| shingles(&s.folded.tokens)))
        .collect();
    let mut postings: HashMap<(&crate::model::Lang, u64), Vec<usize>> = HashMap::new();
    for (i, s) in sh.iter().enumerate() {
        let Some(s) = s else { continue };
        let lang = &p.docs[p.sents[i].doc].lang;
        for &h in s {
            postings.entry((lang, h)).or_default().push(i);
        }
    }
    let mut candidates: HashSet<(usize, usize)> = HashSet::new();
    for list in postings.values() {
        if list.len() > MAX_POSTINGS {
            continue;
        }
        for (n, &a) in list.iter().enumerate() {
            for &b in &list[n + 1..] {
                if p.sents[a].doc != p.sents[b].doc {
                    candidates.insert((a, b));
                }
            }
        }
    }
    let mut out: Vec<(usize, usize, f32)> = candidates
        .into_iter()
        .filter_map(|(a, b)| {
            let c = containment(sh[a].as_deref()?, sh[b].as_deref()?);
            (c >= min).then_some((a, b, c))
        })
        .collect();
    out.sort_by_key(|&(a, b, _)| (a, b));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::fold_tokens;

    #[test]
    fn containment_survives_light_edits() {
        let a = shingles(&fold_tokens(
            "وزير الخارجية الإيراني يصل إلى مسقط للمشاركة في المحادثات",
        ));
        let b = shingles(&fold_tokens(
            "وزير الخارجية الايراني يصل الى مسقط للمشاركة في المحادثات غير المباشرة",
        ));
        let c = shingles(&fold_tokens(
            "الرئيس الأمريكي يلتقي نظيره الفرنسي في باريس يوم الاثنين",
        ));
        assert!((containment(&a, &b) - 1.0).abs() < 1e-6);
        assert_eq!(containment(&a, &c), 0.0);
    }
}
