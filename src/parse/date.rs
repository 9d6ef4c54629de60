//! Lenient feed dates. Well-formed RFC 3339 / RFC 2822 go through chrono; everything else goes
//! through a small tokenizer that understands what Middle-Eastern feeds actually emit: Persian
//! and Arabic-Indic digits, Arabic, Levantine, Maghrebi and Persian month names, Solar Hijri
//! (Jalali) dates such as `۱۴۰۳/۰۲/۱۵ - ۱۲:۳۰`, and zone abbreviations such as `IRST`.
//!
//! Decisions: a date without a zone is UTC, except a Jalali date, which is Tehran time (+03:30, and
//! +04:30 in the summer half of the years Iran observed DST). Numeric years 1300–1430 are Jalali;
//! 1431–1500 would be lunar Hijri (1431 AH = 2010), which is not converted (returns `None`).

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Parses one feed timestamp, or `None` when it cannot be read with confidence.
pub fn parse_date(input: &str) -> Option<DateTime<Utc>> {
    let s = ascii_digits(input.trim());
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(&s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(&s) {
        return Some(d.with_timezone(&Utc));
    }
    loose(&s)
}

/// Persian (U+06F0..) and Arabic-Indic (U+0660..) digits to ASCII; Arabic comma and date
/// separators to ASCII.
fn ascii_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '\u{060C}' => ',',
            '\u{066B}' => '.',
            _ => c,
        })
        .collect()
}

/// Month tables match any spelling: both sides go through the one Arabic-script fold
/// (yeh, kaf, alef and teh marbuta variants, ZWNJ, tatweel and harakat).
fn fold(word: &str) -> String {
    crate::normalize::fold(word)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Calendar {
    Gregorian,
    Jalali,
}

/// Multi-word month names, replaced by a single token before tokenizing.
const MONTH_PHRASES: &[(&str, &str)] = &[
    ("كانون الثاني", "jan"),
    ("تشرين الأول", "oct"),
    ("تشرين الثاني", "nov"),
    ("كانون الأول", "dec"),
];

pub(crate) fn month_word(w: &str) -> Option<(u32, Calendar)> {
    use Calendar::{Gregorian as G, Jalali as J};
    const TABLE: &[(&str, u32, Calendar)] = &[
        ("jan", 1, G),
        ("january", 1, G),
        ("feb", 2, G),
        ("february", 2, G),
        ("mar", 3, G),
        ("march", 3, G),
        ("apr", 4, G),
        ("april", 4, G),
        ("may", 5, G),
        ("jun", 6, G),
        ("june", 6, G),
        ("jul", 7, G),
        ("july", 7, G),
        ("aug", 8, G),
        ("august", 8, G),
        ("sep", 9, G),
        ("sept", 9, G),
        ("september", 9, G),
        ("oct", 10, G),
        ("october", 10, G),
        ("nov", 11, G),
        ("november", 11, G),
        ("dec", 12, G),
        ("december", 12, G),
        // Arabic (Egypt, Gulf)
        ("يناير", 1, G),
        ("فبراير", 2, G),
        ("مارس", 3, G),
        ("أبريل", 4, G),
        ("إبريل", 4, G),
        ("مايو", 5, G),
        ("يونيو", 6, G),
        ("يونية", 6, G),
        ("يوليو", 7, G),
        ("يوليه", 7, G),
        ("أغسطس", 8, G),
        ("سبتمبر", 9, G),
        ("أكتوبر", 10, G),
        ("نوفمبر", 11, G),
        ("ديسمبر", 12, G),
        // Levantine and Iraqi single-word names
        ("شباط", 2, G),
        ("آذار", 3, G),
        ("نيسان", 4, G),
        ("أيار", 5, G),
        ("حزيران", 6, G),
        ("تموز", 7, G),
        ("آب", 8, G),
        ("أيلول", 9, G),
        // Maghrebi
        ("جانفي", 1, G),
        ("فيفري", 2, G),
        ("أفريل", 4, G),
        ("ماي", 5, G),
        ("جوان", 6, G),
        ("جويلية", 7, G),
        ("أوت", 8, G),
        // Persian names of Gregorian months
        ("ژانویه", 1, G),
        ("فوریه", 2, G),
        ("آوریل", 4, G),
        ("مه", 5, G),
        ("می", 5, G),
        ("ژوئن", 6, G),
        ("ژوئیه", 7, G),
        ("جولای", 7, G),
        ("اوت", 8, G),
        ("آگوست", 8, G),
        ("سپتامبر", 9, G),
        ("اکتبر", 10, G),
        ("نوامبر", 11, G),
        ("دسامبر", 12, G),
        // Solar Hijri
        ("فروردین", 1, J),
        ("اردیبهشت", 2, J),
        ("خرداد", 3, J),
        ("تیر", 4, J),
        ("مرداد", 5, J),
        ("امرداد", 5, J),
        ("شهریور", 6, J),
        ("مهر", 7, J),
        ("آبان", 8, J),
        ("آذر", 9, J),
        ("دی", 10, J),
        ("بهمن", 11, J),
        ("اسفند", 12, J),
    ];
    let w = fold(w.trim_end_matches('.'));
    TABLE
        .iter()
        .find(|(name, _, _)| fold(name) == w)
        .map(|&(_, m, c)| (m, c))
}

/// Offset in minutes east of UTC for the zone names feeds use. `AST` is Arabia Standard Time
/// here (our feeds are Middle-Eastern), not Atlantic.
fn zone_word(w: &str) -> Option<i32> {
    Some(match w {
        "z" | "gmt" | "ut" | "utc" | "wet" => 0,
        "est" => -300,
        "edt" => -240,
        "cst" => -360,
        "cdt" => -300,
        "mst" => -420,
        "mdt" => -360,
        "pst" => -480,
        "pdt" => -420,
        "bst" | "cet" | "west" => 60,
        "cest" | "eet" => 120,
        "eest" | "msk" | "ast" | "ksa" | "trt" | "idt" => 180,
        "irst" => 210,
        "gst" => 240,
        "irdt" | "aft" => 270,
        "pkt" => 300,
        "ist" => 330,
        _ => return None,
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(u32, usize),
    Word(String),
    Plus,
    Minus,
    Colon,
    Other,
}

fn tokenize(s: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut v: u64 = 0;
            let mut len = 0;
            while let Some(&d) = chars.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                v = (v * 10 + u64::from(d as u8 - b'0')).min(u64::from(u32::MAX));
                len += 1;
                chars.next();
            }
            out.push(Tok::Num(v as u32, len));
        } else if c.is_alphabetic() {
            let mut w = String::new();
            while let Some(&d) = chars.peek() {
                if !(d.is_alphabetic() || d == '\u{200C}') {
                    break;
                }
                w.extend(d.to_lowercase());
                chars.next();
            }
            out.push(Tok::Word(w));
        } else if c.is_whitespace() {
            chars.next();
        } else {
            chars.next();
            out.push(match c {
                '+' => Tok::Plus,
                '-' | '\u{2212}' => Tok::Minus,
                ':' => Tok::Colon,
                _ => Tok::Other,
            });
        }
    }
    out
}

struct Time {
    h: u32,
    m: u32,
    s: u32,
}

fn loose(s: &str) -> Option<DateTime<Utc>> {
    let mut text = s.to_string();
    for (phrase, m) in MONTH_PHRASES {
        let folded_phrase = fold(phrase);
        let folded_text = fold(&text);
        if folded_text.contains(&folded_phrase) {
            text = folded_text.replace(&folded_phrase, &format!(" {m} "));
        }
    }
    let toks = tokenize(&text);
    let mut used = vec![false; toks.len()];

    // Time: H:M[:S], then am/pm, then a zone.
    let mut time = None;
    let mut offset: Option<i32> = None;
    let mut i = 0;
    while i + 2 < toks.len() {
        if let (Tok::Num(h, hl), Tok::Colon, Tok::Num(m, 2)) =
            (&toks[i], &toks[i + 1], &toks[i + 2])
            && *hl <= 2
        {
            let mut t = Time { h: *h, m: *m, s: 0 };
            let mut j = i + 3;
            if let (Some(Tok::Colon), Some(Tok::Num(sec, 2))) = (toks.get(j), toks.get(j + 1)) {
                t.s = *sec;
                j += 2;
                // Fractional seconds: `.123`
                if let (Some(Tok::Other), Some(Tok::Num(_, _))) = (toks.get(j), toks.get(j + 1)) {
                    j += 2;
                }
            }
            for u in used.iter_mut().take(j).skip(i) {
                *u = true;
            }
            if let Some(Tok::Word(w)) = toks.get(j) {
                let pm = matches!(w.as_str(), "pm" | "م");
                let am = matches!(w.as_str(), "am" | "ص");
                if pm || am {
                    if t.h == 12 {
                        t.h = 0;
                    }
                    if pm {
                        t.h += 12;
                    }
                    used[j] = true;
                    j += 1;
                }
            }
            let (zone, consumed) = read_zone(&toks[j..]);
            offset = zone;
            for u in used.iter_mut().skip(j).take(consumed) {
                *u = true;
            }
            time = Some(t);
            break;
        }
        i += 1;
    }
    // A zone word anywhere else (e.g. `2024-05-04 UTC`).
    if offset.is_none() {
        for (k, t) in toks.iter().enumerate() {
            if let Tok::Word(w) = t
                && !used[k]
                && let Some(z) = zone_word(w)
            {
                offset = Some(z);
                used[k] = true;
            }
        }
    }

    // Date: numbers and at most one month word among the unused tokens.
    let mut nums: Vec<(u32, usize)> = Vec::new();
    let mut month: Option<(u32, Calendar)> = None;
    for (k, t) in toks.iter().enumerate() {
        if used[k] {
            continue;
        }
        match t {
            Tok::Num(v, l) => nums.push((*v, *l)),
            Tok::Word(w) => {
                if let Some(mw) = month_word(w) {
                    month.get_or_insert(mw);
                }
            }
            _ => {}
        }
    }
    let (y, m, d, cal) = match month {
        Some((m, cal)) => {
            if nums.len() < 2 {
                return None;
            }
            let (a, b) = (nums[0], nums[1]);
            let (year, day) = if a.1 == 4 || a.0 > 31 { (a, b) } else { (b, a) };
            (expand_year(year), m, day.0, cal)
        }
        None => {
            if nums.len() < 3 {
                return None;
            }
            let (a, b, c) = (nums[0], nums[1], nums[2]);
            let (y, m, d) = if a.1 == 4 {
                (a.0, b.0, c.0)
            } else if c.1 == 4 {
                (c.0, b.0, a.0)
            } else {
                return None;
            };
            let cal = if (1300..=1430).contains(&y) {
                Calendar::Jalali
            } else {
                Calendar::Gregorian
            };
            (y, m, d, cal)
        }
    };
    let t = time.unwrap_or(Time { h: 0, m: 0, s: 0 });
    let naive_time = NaiveTime::from_hms_opt(t.h, t.m, t.s.min(59))?;
    let date = match cal {
        // Outside this range a "year" is a misread number (or a lunar Hijri year).
        Calendar::Gregorian if !(1970..=2100).contains(&y) => return None,
        Calendar::Gregorian => NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)?,
        Calendar::Jalali => jalali_to_gregorian(i32::try_from(y).ok()?, m, d)?,
    };
    let local = NaiveDateTime::new(date, naive_time);
    let minutes = match (offset, cal) {
        (Some(z), _) => z,
        (None, Calendar::Jalali) => tehran_offset_minutes(y, m, d),
        (None, Calendar::Gregorian) => 0,
    };
    let tz = FixedOffset::east_opt(minutes * 60)?;
    tz.from_local_datetime(&local)
        .single()
        .map(|d| d.with_timezone(&Utc))
}

fn expand_year((v, len): (u32, usize)) -> u32 {
    match (len, v) {
        (2, v) if v < 70 => 2000 + v,
        (2, v) => 1900 + v,
        _ => v,
    }
}

/// Reads a zone at the start of `toks`: `Z`, `GMT`, `+0330`, `+03:30`, `-05`, `GMT+3`, `IRST`.
/// Returns the offset in minutes and the number of tokens consumed.
fn read_zone(toks: &[Tok]) -> (Option<i32>, usize) {
    let mut used = 0;
    let mut base = None;
    if let Some(Tok::Word(w)) = toks.first()
        && let Some(z) = zone_word(w)
    {
        base = Some(z);
        used = 1;
    }
    let sign = match toks.get(used) {
        Some(Tok::Plus) => 1,
        Some(Tok::Minus) => -1,
        _ => return (base, used),
    };
    let (mins, n) = match (toks.get(used + 1), toks.get(used + 2), toks.get(used + 3)) {
        (Some(Tok::Num(v, 4)), _, _) => ((v / 100 * 60 + v % 100) as i32, 1),
        (Some(Tok::Num(h, 1 | 2)), Some(Tok::Colon), Some(Tok::Num(m, 2))) => {
            ((h * 60 + m) as i32, 3)
        }
        (Some(Tok::Num(h, 1 | 2)), _, _) => ((h * 60) as i32, 1),
        _ => return (base, used),
    };
    if mins > 14 * 60 {
        return (base, used);
    }
    (Some(base.unwrap_or(0) + sign * mins), used + 1 + n)
}

/// Gregorian date of a Solar Hijri date, by the 33-year-cycle arithmetic of jalaali-js
/// (Borkowski's algorithm), valid for years -61..3177.
pub fn jalali_to_gregorian(jy: i32, jm: u32, jd: u32) -> Option<NaiveDate> {
    const BREAKS: [i32; 20] = [
        -61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192, 2262, 2324,
        2394, 2456, 3178,
    ];
    if !(1..=12).contains(&jm) || jd == 0 || jd > if jm <= 6 { 31 } else { 30 } {
        return None;
    }
    if jy < BREAKS[0] || jy >= BREAKS[BREAKS.len() - 1] {
        return None;
    }
    let gy = jy + 621;
    let mut leap_j = -14;
    let mut jp = BREAKS[0];
    for &jm_break in &BREAKS[1..] {
        let jump = jm_break - jp;
        if jy < jm_break {
            break;
        }
        leap_j += jump / 33 * 8 + (jump % 33) / 4;
        jp = jm_break;
    }
    let n = jy - jp;
    leap_j += n / 33 * 8 + (n % 33 + 3) / 4;
    // The jalaali-js correction for a 4-year tail of a cycle.
    let jump = BREAKS
        .iter()
        .copied()
        .find(|&b| b > jy)
        .map_or(0, |b| b - jp);
    if jump % 33 == 4 && jump - n == 4 {
        leap_j += 1;
    }
    let leap_g = gy / 4 - (gy / 100 + 1) * 3 / 4 - 150;
    let march = 20 + leap_j - leap_g;
    let nowruz = NaiveDate::from_ymd_opt(gy, 3, 1)?
        .checked_add_signed(Duration::days(i64::from(march - 1)))?;
    let day_of_year = if jm <= 6 {
        (jm - 1) * 31
    } else {
        186 + (jm - 7) * 30
    } + jd
        - 1;
    nowruz.checked_add_signed(Duration::days(i64::from(day_of_year)))
}

/// Tehran's offset for a local Jalali date: +03:30, and +04:30 from 2 Farvardin to 30 Shahrivar
/// in the years Iran observed DST (1370–1401 except 1385–1386; abolished from 1402).
fn tehran_offset_minutes(jy: u32, jm: u32, jd: u32) -> i32 {
    let dst_year = (1370..=1401).contains(&jy) && !(1385..=1386).contains(&jy);
    let in_summer = (jm == 1 && jd >= 2) || (2..=6).contains(&jm);
    if dst_year && in_summer { 270 } else { 210 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("test literal")
            .with_timezone(&Utc)
    }

    #[test]
    fn jalali_conversion_matches_known_dates() {
        let cases = [
            ((1403, 1, 1), (2024, 3, 20)),
            ((1403, 2, 15), (2024, 5, 4)),
            ((1399, 1, 31), (2020, 4, 19)), // Radio Farda: "یک‌شنبه ۳۱ فروردین" 1399 was Sunday 19 April 2020
            ((1402, 1, 1), (2023, 3, 21)),
            ((1404, 1, 1), (2025, 3, 21)),
            ((1357, 11, 22), (1979, 2, 11)),
            ((1403, 12, 30), (2025, 3, 20)), // 1403 is a leap year
            ((1398, 10, 11), (2020, 1, 1)),
        ];
        for ((jy, jm, jd), (gy, gm, gd)) in cases {
            assert_eq!(
                jalali_to_gregorian(jy, jm, jd),
                NaiveDate::from_ymd_opt(gy, gm, gd),
                "{jy}/{jm}/{jd}"
            );
        }
        assert_eq!(jalali_to_gregorian(1403, 7, 31), None);
        assert_eq!(jalali_to_gregorian(1403, 13, 1), None);
    }

    #[test]
    fn standard_formats() {
        assert_eq!(
            parse_date("Sun, 19 Apr 2020 08:30:00 GMT"),
            Some(utc("2020-04-19T08:30:00Z"))
        );
        assert_eq!(
            parse_date("2020-04-19T12:00:00+04:30"),
            Some(utc("2020-04-19T07:30:00Z"))
        );
        assert_eq!(
            parse_date("2020-04-19T12:00:00.250Z").map(|d| d.timestamp()),
            Some(utc("2020-04-19T12:00:00Z").timestamp())
        );
    }

    #[test]
    fn rfc822_with_odd_zones_and_sloppy_fields() {
        assert_eq!(
            parse_date("Sun, 19 Apr 2020 12:00:00 IRST"),
            Some(utc("2020-04-19T08:30:00Z"))
        );
        assert_eq!(
            parse_date("Sun, 19 Apr 2020 12:00:00 +0330"),
            Some(utc("2020-04-19T08:30:00Z"))
        );
        assert_eq!(
            parse_date("Sunday, 19 April 2020 9:05 UTC"),
            Some(utc("2020-04-19T09:05:00Z"))
        );
        assert_eq!(
            parse_date("Tue, 21 Jul 2015 02:51:32 AST"),
            Some(utc("2015-07-20T23:51:32Z"))
        );
        assert_eq!(
            parse_date("21 Jul 15 02:51 GMT+3"),
            Some(utc("2015-07-20T23:51:00Z"))
        );
        assert_eq!(
            parse_date("Thurs, 13 Jul 2011 07:38:00 -0000"),
            Some(utc("2011-07-13T07:38:00Z"))
        );
    }

    #[test]
    fn iso_variants() {
        assert_eq!(
            parse_date("2015-07-21 02:51:32"),
            Some(utc("2015-07-21T02:51:32Z"))
        );
        assert_eq!(
            parse_date("2015-07-21T02:51:32+0300"),
            Some(utc("2015-07-20T23:51:32Z"))
        );
        assert_eq!(parse_date("2015-07-21"), Some(utc("2015-07-21T00:00:00Z")));
        assert_eq!(
            parse_date("2015/07/21 02:51 PM"),
            Some(utc("2015-07-21T14:51:00Z"))
        );
    }

    #[test]
    fn persian_and_arabic_digits_and_month_names() {
        // Solar Hijri with Persian digits: Tehran time, +03:30 since DST was abolished.
        assert_eq!(
            parse_date("۱۴۰۳/۰۲/۱۵ - ۱۲:۳۰"),
            Some(utc("2024-05-04T09:00:00Z"))
        );
        // 1399 observed DST: +04:30 in Farvardin.
        assert_eq!(
            parse_date("یک‌شنبه ۳۱ فروردین ۱۳۹۹ ساعت ۱۰:۳۰"),
            Some(utc("2020-04-19T06:00:00Z"))
        );
        assert_eq!(
            parse_date("۱۵ اردیبهشت ۱۴۰۳"),
            Some(utc("2024-05-03T20:30:00Z"))
        );
        // Arabic-Indic digits with an Arabic Gregorian month.
        assert_eq!(
            parse_date("٢١ يوليو ٢٠١٥ ٠٢:٥١"),
            Some(utc("2015-07-21T02:51:00Z"))
        );
        assert_eq!(
            parse_date("الثلاثاء 21 تموز 2015 - 10:15 م"),
            Some(utc("2015-07-21T22:15:00Z"))
        );
        assert_eq!(
            parse_date("21 تشرين الأول 2015"),
            Some(utc("2015-10-21T00:00:00Z"))
        );
        assert_eq!(
            parse_date("۱۹ آوریل ۲۰۲۰"),
            Some(utc("2020-04-19T00:00:00Z"))
        );
    }

    #[test]
    fn unreadable_dates_are_none() {
        for s in [
            "",
            "yesterday",
            "12 رمضان 1445",
            "1445/09/12",
            "99/99/9999",
            "31 Feb 2020",
            "25:99",
        ] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }
}
