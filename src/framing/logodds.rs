//! Weighted log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008,
//! "Fightin' Words", §3.5): which words one group uses more than another, shrunk towards the
//! background rates so that rare words do not dominate, and scaled by their variance (a z-score).

use std::collections::HashMap;

/// A distinctive term and its z-score.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub term: String,
    pub z: f64,
    pub count: u32,
}

/// Terms of `focus` against `rest`, with the prior's rates from `focus + rest` scaled to
/// `prior_size` pseudo-counts. Returns terms with z ≥ `min_z` and at least `min_count` uses in
/// `focus`, highest z first.
pub fn distinctive(
    focus: &HashMap<String, u32>,
    rest: &HashMap<String, u32>,
    prior_size: f64,
    min_z: f64,
    min_count: u32,
) -> Vec<Scored> {
    let n_j: f64 = rest.values().map(|&c| c as f64).sum();
    scored(
        focus,
        |w| rest.get(w).copied().unwrap_or(0),
        n_j,
        prior_size,
        min_z,
        min_count,
    )
}

/// [`distinctive`] with "the rest" given as `all` (focus included) minus `focus`, so a caller
/// scoring every group of one language need not build a map per group.
pub fn distinctive_within(
    focus: &HashMap<String, u32>,
    all: &HashMap<String, u32>,
    prior_size: f64,
    min_z: f64,
    min_count: u32,
) -> Vec<Scored> {
    let n_i: f64 = focus.values().map(|&c| c as f64).sum();
    let n_all: f64 = all.values().map(|&c| c as f64).sum();
    let rest = |w: &str| {
        let f = focus.get(w).copied().unwrap_or(0);
        all.get(w).copied().unwrap_or(0).saturating_sub(f)
    };
    // counts are integers: the difference of the sums is exact in f64
    scored(focus, rest, n_all - n_i, prior_size, min_z, min_count)
}

fn scored(
    focus: &HashMap<String, u32>,
    rest: impl Fn(&str) -> u32,
    n_j: f64,
    prior_size: f64,
    min_z: f64,
    min_count: u32,
) -> Vec<Scored> {
    let n_i: f64 = focus.values().map(|&c| c as f64).sum();
    let total = n_i + n_j;
    if n_i == 0.0 || n_j == 0.0 {
        return Vec::new();
    }
    let a0 = prior_size;
    let mut out = Vec::new();
    for (w, &yi) in focus {
        if yi < min_count {
            continue;
        }
        let yj = rest(w) as f64;
        let yi = yi as f64;
        // informative prior: the word's rate in all the coverage, as a0 pseudo-counts
        let aw = a0 * (yi + yj) / total;
        let d = ((yi + aw) / (n_i + a0 - yi - aw)).ln() - ((yj + aw) / (n_j + a0 - yj - aw)).ln();
        let var = 1.0 / (yi + aw) + 1.0 / (yj + aw);
        let z = d / var.sqrt();
        if z >= min_z {
            out.push(Scored {
                term: w.clone(),
                z,
                count: yi as u32,
            });
        }
    }
    out.sort_by(|a, b| b.z.total_cmp(&a.z).then(a.term.cmp(&b.term)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(words: &[(&str, u32)]) -> HashMap<String, u32> {
        words.iter().map(|&(w, c)| (w.to_string(), c)).collect()
    }

    #[test]
    fn a_word_one_side_repeats_stands_out_and_shared_words_do_not() {
        let focus = counts(&[("martyr", 6), ("the", 40), ("said", 8), ("rare", 1)]);
        let rest = counts(&[("killed", 7), ("the", 120), ("said", 25)]);
        let r = distinctive(&focus, &rest, 100.0, 1.96, 2);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].term, "martyr");
        // the other way round, "killed" is over-used and "said" is not
        let r = distinctive(&rest, &focus, 100.0, 1.0, 2);
        let terms: Vec<&str> = r.iter().map(|s| s.term.as_str()).collect();
        assert!(
            terms.contains(&"killed") && !terms.contains(&"said"),
            "{r:?}"
        );
        assert!(distinctive(&focus, &HashMap::new(), 100.0, 0.0, 1).is_empty());
    }

    #[test]
    fn scoring_within_the_whole_equals_scoring_against_the_rest() {
        let focus = counts(&[("martyr", 6), ("the", 40), ("said", 8), ("rare", 1)]);
        let rest = counts(&[("killed", 7), ("the", 120), ("said", 25)]);
        let mut all = rest.clone();
        for (w, c) in &focus {
            *all.entry(w.clone()).or_default() += c;
        }
        for min_z in [-10.0, 0.0, 1.0, 1.96] {
            assert_eq!(
                distinctive_within(&focus, &all, 100.0, min_z, 1),
                distinctive(&focus, &rest, 100.0, min_z, 1)
            );
        }
        assert!(distinctive_within(&focus, &focus, 100.0, 0.0, 1).is_empty());
    }
}
