//! Text signals that tell one happening from the next one of the same topic: which round of
//! talks an item reports ("round 3", الجولة الثالثة, دور سوم), which weekday it names ("on
//! Sunday", الأحد, یکشنبه) and which calendar days it names ("31 August", ٣١ آب, ۹ شهریور,
//! ۹ سنبله). Cosine and shared names say "same topic"; these say "same day, same round".
//!
//! Everything is matched on folded tokens ([`crate::normalize::fold_tokens`]), so Arabic and
//! Persian spellings and digits in any script agree.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::normalize::{fold, fold_tokens};
use crate::parse::date::{Calendar, month_word};
use crate::parse::jalali_to_gregorian;

/// What an item's text says about when and which.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signals {
    /// Round numbers ("the third round" → 3), sorted, deduplicated.
    pub rounds: Vec<u8>,
    /// Weekdays named (0 = Monday … 6 = Sunday), sorted, deduplicated.
    pub weekdays: Vec<u8>,
    /// Calendar days named, as day of a leap year (1..=366), sorted, deduplicated. Solar Hijri
    /// days are mapped through one reference year, so they may be off by one day.
    pub days: Vec<u16>,
    /// Action classes named ([`super::actions::CLASS_NAMES`]), sorted, deduplicated.
    pub actions: Vec<u8>,
}

impl Signals {
    pub fn of(text: &str) -> Signals {
        let tokens = fold_tokens(text);
        let mut s = Signals {
            rounds: rounds(&tokens),
            weekdays: weekdays(&tokens),
            days: days(&tokens),
            actions: super::actions::actions(&tokens),
        };
        s.rounds.sort_unstable();
        s.rounds.dedup();
        s.weekdays.sort_unstable();
        s.weekdays.dedup();
        s.days.sort_unstable();
        s.days.dedup();
        s
    }
}

/// How two items' signals compare: `same` when they share one, `different` when both have
/// some and share none (a different round, weekday or day).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Agreement {
    pub same: bool,
    pub different: bool,
}

impl Agreement {
    fn of<T: PartialEq>(a: &[T], b: &[T], near: impl Fn(&T, &T) -> bool) -> Agreement {
        if a.is_empty() || b.is_empty() {
            return Agreement::default();
        }
        let same = a.iter().any(|x| b.iter().any(|y| near(x, y)));
        Agreement {
            same,
            different: !same,
        }
    }

    pub fn rounds(a: &Signals, b: &Signals) -> Agreement {
        Agreement::of(&a.rounds, &b.rounds, |x, y| x == y)
    }

    pub fn weekdays(a: &Signals, b: &Signals) -> Agreement {
        Agreement::of(&a.weekdays, &b.weekdays, |x, y| x == y)
    }

    pub fn actions(a: &Signals, b: &Signals) -> Agreement {
        Agreement::of(&a.actions, &b.actions, |x, y| x == y)
    }

    /// Days within one day of each other agree (the Solar Hijri mapping may be a day off);
    /// days more than three apart disagree; in between says nothing.
    pub fn days(a: &Signals, b: &Signals) -> Agreement {
        if a.days.is_empty() || b.days.is_empty() {
            return Agreement::default();
        }
        let gap = a
            .days
            .iter()
            .flat_map(|x| b.days.iter().map(move |y| day_distance(*x, *y)))
            .min()
            .unwrap_or(u16::MAX);
        Agreement {
            same: gap <= 1,
            different: gap > 3,
        }
    }
}

/// Distance between two days of the year, around the year's end.
fn day_distance(a: u16, b: u16) -> u16 {
    let d = a.abs_diff(b);
    d.min(366 - d.min(366))
}

/// Folded word → value, built once from spelled tables.
fn table(entries: &[(&str, u8)]) -> HashMap<String, u8> {
    entries.iter().map(|(w, v)| (fold(w), *v)).collect()
}

fn ordinals() -> &'static HashMap<String, u8> {
    static T: OnceLock<HashMap<String, u8>> = OnceLock::new();
    T.get_or_init(|| {
        table(&[
            ("first", 1),
            ("1st", 1),
            ("second", 2),
            ("2nd", 2),
            ("third", 3),
            ("3rd", 3),
            ("fourth", 4),
            ("4th", 4),
            ("fifth", 5),
            ("5th", 5),
            ("sixth", 6),
            ("6th", 6),
            ("seventh", 7),
            ("7th", 7),
            ("eighth", 8),
            ("8th", 8),
            // Arabic (masculine and feminine, with and without the article)
            ("الأولى", 1),
            ("الأول", 1),
            ("أولى", 1),
            ("الثانية", 2),
            ("الثاني", 2),
            ("ثانية", 2),
            ("الثالثة", 3),
            ("الثالث", 3),
            ("ثالثة", 3),
            ("الرابعة", 4),
            ("الرابع", 4),
            ("رابعة", 4),
            ("الخامسة", 5),
            ("الخامس", 5),
            ("خامسة", 5),
            ("السادسة", 6),
            ("السادس", 6),
            ("سادسة", 6),
            ("السابعة", 7),
            ("السابع", 7),
            ("الثامنة", 8),
            ("الثامن", 8),
            // Persian, after the noun (دور دوم) and before it (دومین دور)
            ("اول", 1),
            ("نخست", 1),
            ("نخستین", 1),
            ("اولین", 1),
            ("دوم", 2),
            ("دومین", 2),
            ("سوم", 3),
            ("سومین", 3),
            ("چهارم", 4),
            ("چهارمین", 4),
            ("پنجم", 5),
            ("پنجمین", 5),
            ("ششم", 6),
            ("ششمین", 6),
            ("هفتم", 7),
            ("هفتمین", 7),
            ("هشتم", 8),
            ("هشتمین", 8),
        ])
    })
}

fn round_words() -> &'static HashMap<String, u8> {
    static T: OnceLock<HashMap<String, u8>> = OnceLock::new();
    T.get_or_init(|| {
        table(&[
            ("round", 0),
            ("rounds", 0),
            ("الجولة", 0),
            ("جولة", 0),
            ("جولات", 0),
            ("دور", 0),
            ("مرحله", 0),
        ])
    })
}

/// Round numbers: an ordinal or a number within two words of a "round" word.
fn rounds(tokens: &[String]) -> Vec<u8> {
    let (ord, words) = (ordinals(), round_words());
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if !words.contains_key(t) {
            continue;
        }
        let lo = i.saturating_sub(2);
        let hi = (i + 3).min(tokens.len());
        for (j, near) in tokens.iter().enumerate().take(hi).skip(lo) {
            if j == i {
                continue;
            }
            if let Some(&n) = ord.get(near) {
                out.push(n);
            } else if j == i + 1
                && let Ok(n) = near.parse::<u8>()
                && (1..=20).contains(&n)
            {
                // "round 3", "الجولة 3"
                out.push(n);
            }
        }
    }
    out
}

fn weekday_words() -> &'static HashMap<String, u8> {
    static T: OnceLock<HashMap<String, u8>> = OnceLock::new();
    T.get_or_init(|| {
        table(&[
            ("monday", 0),
            ("tuesday", 1),
            ("wednesday", 2),
            ("thursday", 3),
            ("friday", 4),
            ("saturday", 5),
            ("sunday", 6),
            // Arabic: with the article only ("أحد" alone is "anyone")
            ("الاثنين", 0),
            ("الإثنين", 0),
            ("الثلاثاء", 1),
            ("الأربعاء", 2),
            ("الخميس", 3),
            ("الجمعة", 4),
            ("السبت", 5),
            ("الأحد", 6),
            // Persian (ZWNJ is folded away, so سه‌شنبه is سهشنبه)
            ("دوشنبه", 0),
            ("سه‌شنبه", 1),
            ("چهارشنبه", 2),
            ("پنجشنبه", 3),
            ("پنج‌شنبه", 3),
            ("جمعه", 4),
            ("شنبه", 5),
            ("یکشنبه", 6),
            ("یک‌شنبه", 6),
        ])
    })
}

fn weekdays(tokens: &[String]) -> Vec<u8> {
    let words = weekday_words();
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        // "سه شنبه" and "یک شنبه" written with a space.
        if t == &fold("شنبه") && i > 0 {
            match tokens[i - 1].as_str() {
                p if p == fold("سه") => {
                    out.push(1);
                    continue;
                }
                p if p == fold("یک") => {
                    out.push(6);
                    continue;
                }
                p if p == fold("پنج") => {
                    out.push(3);
                    continue;
                }
                _ => {}
            }
        }
        if let Some(&d) = words.get(t) {
            out.push(d);
        }
    }
    out
}

/// Whether a folded token names a weekday or a month (in any of the calendars read here).
pub fn is_calendar_word(t: &str) -> bool {
    weekday_words().contains_key(t) || t == fold("شنبه") || month_of(t).is_some()
}

/// Afghan (Dari) names of the Solar Hijri months, which the feed-date parser does not need.
fn afghan_months() -> &'static HashMap<String, u8> {
    static T: OnceLock<HashMap<String, u8>> = OnceLock::new();
    T.get_or_init(|| {
        table(&[
            ("حمل", 1),
            ("ثور", 2),
            ("جوزا", 3),
            ("سرطان", 4),
            ("اسد", 5),
            ("سنبله", 6),
            ("میزان", 7),
            ("عقرب", 8),
            ("قوس", 9),
            ("جدی", 10),
            ("دلو", 11),
            ("حوت", 12),
        ])
    })
}

/// Day of a leap year for a Gregorian month and day.
fn day_of_year(month: u32, day: u32) -> Option<u16> {
    chrono::NaiveDate::from_ymd_opt(2024, month, day).map(|d| chrono::Datelike::ordinal(&d) as u16)
}

fn month_of(word: &str) -> Option<(u32, Calendar)> {
    if let Some(m) = month_word(word) {
        return Some(m);
    }
    afghan_months()
        .get(word)
        .map(|&m| (u32::from(m), Calendar::Jalali))
}

/// Calendar days named as "31 August", "August 31", "٣١ آب", "۹ شهریور", "۹ سنبله".
fn days(tokens: &[String]) -> Vec<u16> {
    let mut out = Vec::new();
    let day_at = |i: usize| -> Option<u32> {
        let d: u32 = tokens.get(i)?.parse().ok()?;
        (1..=31).contains(&d).then_some(d)
    };
    for (i, t) in tokens.iter().enumerate() {
        // Month words are only taken next to a day number ("اسد" alone is a name).
        let Some((month, calendar)) = month_of(t) else {
            continue;
        };
        let day = i.checked_sub(1).and_then(day_at).or_else(|| day_at(i + 1));
        let Some(day) = day else { continue };
        let doy = match calendar {
            Calendar::Gregorian => day_of_year(month, day),
            // One reference year: the weekday-free month/day mapping drifts by at most a day.
            Calendar::Jalali => jalali_to_gregorian(1403, month, day)
                .and_then(|g| day_of_year(chrono::Datelike::month(&g), chrono::Datelike::day(&g))),
        };
        out.extend(doy);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_in_three_languages() {
        assert_eq!(
            Signals::of("Iran, US hold third round of talks in Oman").rounds,
            [3]
        );
        assert_eq!(Signals::of("Iran and US begin round 4 in Rome").rounds, [4]);
        assert_eq!(
            Signals::of("انطلاق الجولة الثالثة من المفاوضات بين إيران وأمريكا").rounds,
            [3]
        );
        assert_eq!(
            Signals::of("دور دوم مذاکرات ایران و آمریکا در رم").rounds,
            [2]
        );
        assert_eq!(Signals::of("پنجمین دور مذاکرات غیرمستقیم").rounds, [5]);
        assert!(Signals::of("Iran rejects talks").rounds.is_empty());
    }

    #[test]
    fn weekdays_in_three_languages() {
        assert_eq!(Signals::of("Talks resume on Saturday").weekdays, [5]);
        assert_eq!(
            Signals::of("عقدت المحادثات يوم السبت في مسقط").weekdays,
            [5]
        );
        assert_eq!(Signals::of("مذاکرات روز سه‌شنبه برگزار شد").weekdays, [1]);
        assert_eq!(Signals::of("مذاکرات روز سه شنبه برگزار شد").weekdays, [1]);
        // "أحد" without the article is "anyone", not Sunday.
        assert!(Signals::of("لم يصب أحد").weekdays.is_empty());
    }

    #[test]
    fn days_across_calendars_agree() {
        let en = Signals::of("Earthquake of 31 August kills hundreds");
        let ar = Signals::of("زلزال ٣١ آب يقتل المئات");
        // 31 August 2025 was 9 Shahrivar 1404 (Iran) = 9 Sonbola (Afghanistan).
        let fa = Signals::of("زلزله ۹ شهریور در افغانستان");
        let af = Signals::of("زلزله ۹ سنبله در کنر");
        assert!(!en.days.is_empty());
        for other in [&ar, &fa, &af] {
            assert!(Agreement::days(&en, other).same, "{en:?} vs {other:?}");
        }
        let nov = Signals::of("Earthquake on November 3 hits Mazar-i-Sharif");
        let a = Agreement::days(&en, &nov);
        assert!(a.different && !a.same);
        // A month name without a day number is not a date.
        assert!(Signals::of("Assad اسد").days.is_empty());
    }

    #[test]
    fn agreement_needs_both_sides() {
        let a = Signals::of("third round");
        let none = Signals::of("talks");
        assert_eq!(Agreement::rounds(&a, &none), Agreement::default());
        let b = Signals::of("fourth round");
        assert!(Agreement::rounds(&a, &b).different);
        assert!(Agreement::rounds(&a, &a).same);
    }

    #[test]
    fn days_wrap_around_the_year() {
        assert_eq!(day_distance(1, 366), 1);
        assert_eq!(day_distance(10, 20), 10);
    }
}
