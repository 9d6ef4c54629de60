//! Quiet hours: alerts raised inside them wait, undelivered, until the quiet period ends.

use chrono::{DateTime, Duration, NaiveTime, Offset, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::WatchError;

/// A daily quiet period in the user's local time, `start` to `end` ("22:00" to "07:00" spans
/// midnight). Equal times mean no quiet period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct QuietHours {
    /// "HH:MM", local time.
    pub start: String,
    /// "HH:MM", local time.
    pub end: String,
}

impl QuietHours {
    fn times(&self) -> Result<(NaiveTime, NaiveTime), WatchError> {
        let parse = |s: &str| {
            NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| {
                WatchError::Invalid(format!("quiet hours: {s:?} is not a time like 22:00"))
            })
        };
        Ok((parse(&self.start)?, parse(&self.end)?))
    }

    pub fn validate(&self) -> Result<(), WatchError> {
        self.times().map(|_| ())
    }

    /// When an alert raised at `now` may be delivered: `now`, or the end of the quiet period
    /// `now` falls in, judged in the time zone `tz`.
    pub fn due_at<Tz: TimeZone>(&self, now: DateTime<Utc>, tz: &Tz) -> DateTime<Utc> {
        let Ok((start, end)) = self.times() else {
            return now;
        };
        if start == end {
            return now;
        }
        let local = now.with_timezone(tz);
        let t = local.time();
        let quiet = if start < end {
            t >= start && t < end
        } else {
            t >= start || t < end
        };
        if !quiet {
            return now;
        }
        // The end is today, or tomorrow when the period has not yet crossed midnight.
        let offset = local.offset().fix();
        let mut day = local.date_naive();
        if t >= end {
            day += Duration::days(1);
        }
        let end_local = day.and_time(end);
        offset
            .from_local_datetime(&end_local)
            .single()
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn overnight_period_defers_to_its_end() {
        let q = QuietHours {
            start: "22:00".into(),
            end: "07:00".into(),
        };
        let tehran = FixedOffset::east_opt(3 * 3600 + 1800).unwrap();
        // 23:30 in Tehran → 07:00 next morning in Tehran = 03:30 UTC.
        assert_eq!(
            q.due_at(at("2025-06-01T20:00:00Z"), &tehran),
            at("2025-06-02T03:30:00Z")
        );
        // 02:00 in Tehran → 07:00 the same morning.
        assert_eq!(
            q.due_at(at("2025-06-01T22:30:00Z"), &tehran),
            at("2025-06-02T03:30:00Z")
        );
        // Noon: delivered at once.
        let noon = at("2025-06-01T08:30:00Z");
        assert_eq!(q.due_at(noon, &tehran), noon);
    }

    #[test]
    fn daytime_period_and_bad_times() {
        let q = QuietHours {
            start: "13:00".into(),
            end: "14:00".into(),
        };
        assert_eq!(
            q.due_at(at("2025-06-01T13:15:00Z"), &Utc),
            at("2025-06-01T14:00:00Z")
        );
        let t = at("2025-06-01T14:00:00Z");
        assert_eq!(q.due_at(t, &Utc), t);
        let bad = QuietHours {
            start: "25:00".into(),
            end: "7".into(),
        };
        assert!(bad.validate().unwrap_err().to_string().contains("25:00"));
    }
}
