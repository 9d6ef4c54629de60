//! Boilerplate: sentences an outlet repeats across many of its items ("Follow us on Telegram",
//! a standing credit line). They are learnt per outlet from a sample of its items and never take
//! part in carry matching.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;

/// Distinct items, on distinct days, that must repeat a sentence for it to be boilerplate: a
/// sentence repeated by the updates of one story on one day is news, not boilerplate.
pub const MIN_ITEMS: usize = 3;
const MIN_DAYS: usize = 2;

/// Items and days a sentence was seen on.
type Seen = (BTreeSet<i64>, BTreeSet<NaiveDate>);

#[derive(Debug, Default, Clone)]
pub struct Boilerplate {
    by_outlet: HashMap<String, HashSet<String>>,
}

impl Boilerplate {
    /// Learn from `(outlet, item id, published day, sentences)` samples.
    pub fn learn<'a>(
        samples: impl IntoIterator<Item = (&'a str, i64, NaiveDate, &'a [String])>,
    ) -> Boilerplate {
        // (outlet, folded sentence) → items and days it appears on
        let mut seen: HashMap<(&str, String), Seen> = HashMap::new();
        for (outlet, id, day, sentences) in samples {
            for s in sentences {
                let key = super::sentence::fold_key(s);
                if key.is_empty() {
                    continue;
                }
                let e = seen.entry((outlet, key)).or_default();
                e.0.insert(id);
                e.1.insert(day);
            }
        }
        let mut by_outlet: HashMap<String, HashSet<String>> = HashMap::new();
        for ((outlet, key), (items, days)) in seen {
            if items.len() >= MIN_ITEMS && days.len() >= MIN_DAYS {
                by_outlet.entry(outlet.to_string()).or_default().insert(key);
            }
        }
        Boilerplate { by_outlet }
    }

    pub fn is_boilerplate(&self, outlet: &str, folded_key: &str) -> bool {
        self.by_outlet
            .get(outlet)
            .is_some_and(|s| s.contains(folded_key))
    }

    /// How many boilerplate sentences were learnt (for reports).
    pub fn len(&self) -> usize {
        self.by_outlet.values().map(HashSet::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
