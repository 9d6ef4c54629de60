//! Routine is not news: horoscopes, weather, market closes, prayer times, "the best deals of
//! the day". An outlet runs them under the same headline pattern day after day, and each day's
//! items otherwise gather into stories that crowd the ranked list (in a 20k-item archive built
//! by `parallax bench archive`, the longest stories were such series).
//!
//! A headline's pattern is its folded words without numbers, dates, month and weekday names
//! (what changes from one day to the next). An item is routine when its outlet has used the
//! same pattern on at least [`MIN_DAYS`] distinct days within [`LOOKBACK_DAYS`] (this one
//! included). Learned from the stream itself, per outlet: no list of routine topics.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::signals::is_calendar_word;
use crate::normalize::fold_tokens;

/// Distinct days a pattern must appear on (this item's day included) to count as a series.
pub const MIN_DAYS: usize = 3;
/// How far back the days are counted.
pub const LOOKBACK_DAYS: i64 = 45;
/// Patterns shorter than this (in words) say too little to call two headlines the same.
const MIN_WORDS: usize = 2;

/// The day-independent pattern of a headline, `None` when too little is left of it.
///
/// Only the date goes: month and weekday names, the day numbers next to a month name, and years.
/// Other numbers stay, so a developing story whose outlet updates the same headline with a new
/// toll ("killing over 21,000" → "over 22,000") is not mistaken for routine.
pub fn pattern(title: &str) -> Option<String> {
    let tokens = fold_tokens(title);
    let calendar: Vec<bool> = tokens.iter().map(|t| is_calendar_word(t)).collect();
    let words: Vec<&str> = tokens
        .iter()
        .enumerate()
        .filter(|(i, t)| {
            if calendar[*i] {
                return false;
            }
            if !t.chars().any(|c| c.is_ascii_digit()) {
                return true;
            }
            let next_to_month = (i.checked_sub(1).is_some_and(|j| calendar[j]))
                || calendar.get(i + 1).copied().unwrap_or(false);
            let year = t
                .parse::<u32>()
                // Gregorian and Solar Hijri years.
                .is_ok_and(|y| (1900..=2100).contains(&y) || (1300..=1500).contains(&y));
            !(next_to_month || year)
        })
        .map(|(_, t)| t.as_str())
        .collect();
    let letters = words
        .iter()
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
        .count();
    (letters >= MIN_WORDS).then(|| words.join(" "))
}

/// The days each outlet used each pattern on.
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// (outlet, pattern) → distinct days (days since the epoch), ascending, recent only.
    days: HashMap<(String, String), Vec<i64>>,
}

impl Series {
    /// Record an item; returns how many distinct days its outlet used its pattern on within
    /// the look-back (0 for undated items and headlines without a pattern).
    pub fn observe(&mut self, source: &str, title: &str, time: Option<DateTime<Utc>>) -> usize {
        let (Some(time), Some(p)) = (time, pattern(title)) else {
            return 0;
        };
        let day = time.timestamp().div_euclid(86_400);
        let days = self.days.entry((source.to_string(), p)).or_default();
        if let Err(at) = days.binary_search(&day) {
            days.insert(at, day);
        }
        // Keep the look-back around the newest day seen (items may arrive out of order).
        let newest = days.last().copied().unwrap_or(day);
        days.retain(|d| newest - d <= LOOKBACK_DAYS);
        days.iter()
            .filter(|d| (day - **d).abs() <= LOOKBACK_DAYS)
            .count()
    }

    /// Whether a count from [`Series::observe`] makes the item routine.
    pub fn is_routine(days: usize) -> bool {
        days >= MIN_DAYS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> Option<DateTime<Utc>> {
        Utc.with_ymd_and_hms(2025, 3, day, 9, 0, 0).single()
    }

    #[test]
    fn patterns_drop_what_changes_daily() {
        assert_eq!(
            pattern("Horoscope for Sunday, March 2, 2025: Aries"),
            pattern("Horoscope for Monday, March 3, 2025: Aries")
        );
        assert_eq!(
            pattern("أسعار الذهب اليوم الأحد ٢ مارس"),
            pattern("أسعار الذهب اليوم الاثنين ٣ مارس")
        );
        assert_ne!(
            pattern("Horoscope for March 2: Aries"),
            pattern("Horoscope for March 2: Taurus")
        );
        // Nothing but a date is no pattern.
        assert_eq!(pattern("2 March 2025"), None);
        // A toll that rises from one update to the next is news, not a series.
        assert_ne!(
            pattern("An earthquake strikes Turkey and Syria, killing over 21,000 people"),
            pattern("An earthquake strikes Turkey and Syria, killing over 22,000 people")
        );
    }

    #[test]
    fn a_pattern_on_three_days_is_a_series() {
        let mut s = Series::default();
        let t = "Oil prices today, March {}";
        assert_eq!(s.observe("wire", &t.replace("{}", "1"), at(1)), 1);
        // The same day twice still counts one day.
        assert_eq!(s.observe("wire", &t.replace("{}", "1"), at(1)), 1);
        assert_eq!(s.observe("wire", &t.replace("{}", "2"), at(2)), 2);
        let n = s.observe("wire", &t.replace("{}", "4"), at(4));
        assert_eq!(n, 3);
        assert!(Series::is_routine(n));
        // Another outlet's identical headline is its own count.
        assert_eq!(s.observe("other", &t.replace("{}", "4"), at(4)), 1);
        // Undated items are never counted.
        assert_eq!(s.observe("wire", t, None), 0);
    }

    #[test]
    fn the_grouper_flags_an_outlets_daily_headline_and_nothing_else() {
        use crate::cluster::{Grouper, GroupingConfig, ItemFeatures};
        use crate::model::Lang;
        let mut g = Grouper::new(GroupingConfig::default());
        let mut flags = Vec::new();
        for d in 1..=4u32 {
            let f = |id: i64, source: &str, title: String| ItemFeatures {
                item_id: id,
                lang: Lang::Ar,
                published: at(d),
                source: source.to_string(),
                title,
                text: String::new(),
                embedding: None,
            };
            let daily = g.assign(f(
                i64::from(d),
                "wire",
                format!("أسعار الذهب اليوم {d} مارس"),
            ));
            let headlines = [
                "وزير الاقتصاد يستقيل بعد جلسة استجواب في البرلمان",
                "زلزال بقوة 6 درجات يضرب ولاية كنر",
                "انطلاق الجولة الثالثة من المفاوضات في مسقط",
                "الإفراج عن سجينين بعد وساطة قطرية",
            ];
            let news = g.assign(f(
                100 + i64::from(d),
                "wire",
                headlines[d as usize - 1].to_string(),
            ));
            flags.push((daily.routine, news.routine));
        }
        // The gold-price headline is routine from its third day on; the news never is.
        assert_eq!(
            flags,
            [(false, false), (false, false), (true, false), (true, false)]
        );
        assert!(g.is_routine(3) && !g.is_routine(103));
    }

    #[test]
    fn old_days_fall_out_of_the_look_back() {
        let mut s = Series::default();
        let t = "Weather forecast for the capital";
        s.observe("w", t, Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).single());
        s.observe("w", t, Utc.with_ymd_and_hms(2025, 1, 2, 0, 0, 0).single());
        let n = s.observe("w", t, Utc.with_ymd_and_hms(2025, 5, 1, 0, 0, 0).single());
        assert_eq!(n, 1);
    }
}
