//! Time values in BTQL. The store keeps `created` as fixed-width RFC 3339
//! text (`2025-01-02T03:04:05.678901Z`), which sorts in time order, so a
//! timestamp in a query is that same text: a constant such as
//! `now() - interval 24 hour` is computed when the query is planned and
//! bound as text, and `created > ?` walks the `created` index.

use crate::span::rfc3339;

/// Parses an RFC 3339 / ISO 8601 timestamp or date into unix seconds:
/// `2025-01-02`, `2025-01-02T03:04`, `2025-01-02 03:04:05.5`,
/// `2025-01-02T03:04:05Z`, `2025-01-02T03:04:05+02:00`. Without an offset
/// the time is UTC.
pub(crate) fn parse_timestamp(text: &str) -> Option<f64> {
    let b = text.trim().as_bytes();
    let digits = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| std::str::from_utf8(part).ok()?.parse().ok())?
    };
    let year = digits(0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = digits(5, 2)?;
    let day = digits(8, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut secs = days_from_civil(year, month, day) as f64 * 86_400.0;
    let mut at = 10;
    if at == b.len() {
        return Some(secs);
    }
    if !matches!(b[at], b'T' | b't' | b' ') {
        return None;
    }
    let hour = digits(at + 1, 2)?;
    if b.get(at + 3) != Some(&b':') {
        return None;
    }
    let minute = digits(at + 4, 2)?;
    at += 6;
    let mut second = 0.0;
    if b.get(at) == Some(&b':') {
        second = digits(at + 1, 2)? as f64;
        at += 3;
        if b.get(at) == Some(&b'.') {
            let start = at + 1;
            let mut end = start;
            while b.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
            if end == start {
                return None;
            }
            let fraction: f64 = std::str::from_utf8(&b[at..end]).ok()?.parse().ok()?;
            second += fraction;
            at = end;
        }
    }
    if hour > 23 || minute > 59 || second >= 61.0 {
        return None;
    }
    secs += (hour * 3600 + minute * 60) as f64 + second;
    match b.get(at) {
        None => Some(secs),
        Some(b'Z' | b'z') if at + 1 == b.len() => Some(secs),
        Some(sign @ (b'+' | b'-')) => {
            let oh = digits(at + 1, 2)?;
            let om = match b.get(at + 3) {
                Some(b':') => digits(at + 4, 2)?,
                _ => digits(at + 3, 2)?,
            };
            let consumed = if b.get(at + 3) == Some(&b':') { 6 } else { 5 };
            if at + consumed != b.len() || oh > 23 || om > 59 {
                return None;
            }
            let offset = (oh * 3600 + om * 60) as f64;
            Some(if *sign == b'+' {
                secs - offset
            } else {
                secs + offset
            })
        }
        _ => None,
    }
}

/// Unix seconds as the store's RFC 3339 text.
pub(crate) fn format_timestamp(secs: f64) -> String {
    rfc3339(secs)
}

/// The units `date_trunc` rounds down to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TruncUnit {
    Second,
    Minute,
    Hour,
    Day,
    /// Weeks start on Monday (ISO 8601).
    Week,
    Month,
    Year,
}

impl TruncUnit {
    pub(crate) fn from_name(name: &str) -> Option<TruncUnit> {
        Some(match name.to_ascii_lowercase().as_str() {
            "second" => TruncUnit::Second,
            "minute" => TruncUnit::Minute,
            "hour" => TruncUnit::Hour,
            "day" => TruncUnit::Day,
            "week" => TruncUnit::Week,
            "month" => TruncUnit::Month,
            "year" => TruncUnit::Year,
            _ => return None,
        })
    }

    /// `secs` rounded down to the start of its unit.
    pub(crate) fn truncate(self, secs: f64) -> f64 {
        let floor_to = |step: f64| (secs / step).floor() * step;
        match self {
            TruncUnit::Second => floor_to(1.0),
            TruncUnit::Minute => floor_to(60.0),
            TruncUnit::Hour => floor_to(3600.0),
            TruncUnit::Day => floor_to(86_400.0),
            TruncUnit::Week => {
                // 1970-01-01 was a Thursday: Mondays are 4 days later.
                let monday = 4.0 * 86_400.0;
                ((secs - monday) / 604_800.0).floor() * 604_800.0 + monday
            }
            TruncUnit::Month | TruncUnit::Year => {
                let days = (secs / 86_400.0).floor() as i64;
                let (year, month, _) = civil_from_days(days);
                let month = if self == TruncUnit::Year { 1 } else { month };
                days_from_civil(year, month, 1) as f64 * 86_400.0
            }
        }
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates_times_and_offsets() {
        let t = 1_700_000_000.0; // 2023-11-14T22:13:20Z
        assert_eq!(parse_timestamp("2023-11-14T22:13:20Z"), Some(t));
        assert_eq!(parse_timestamp("2023-11-14T22:13:20.000000Z"), Some(t));
        assert_eq!(parse_timestamp("2023-11-14 22:13:20"), Some(t));
        assert_eq!(parse_timestamp("2023-11-15T00:13:20+02:00"), Some(t));
        assert_eq!(parse_timestamp("2023-11-14T20:13:20-0200"), Some(t));
        assert_eq!(parse_timestamp("2023-11-14T22:13:20.5Z"), Some(t + 0.5));
        assert_eq!(parse_timestamp("2023-11-14"), Some(1_699_920_000.0));
        for bad in [
            "",
            "2023",
            "2023-02-30",
            "2023-11-14T25:00",
            "2023-11-14X",
            "yesterday",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
        assert_eq!(format_timestamp(t), "2023-11-14T22:13:20.000000Z");
    }

    #[test]
    fn truncates_to_each_unit() {
        let t = parse_timestamp("2024-02-29T13:45:12.25Z").unwrap();
        let at = |unit| format_timestamp(TruncUnit::truncate(unit, t));
        assert_eq!(at(TruncUnit::Second), "2024-02-29T13:45:12.000000Z");
        assert_eq!(at(TruncUnit::Minute), "2024-02-29T13:45:00.000000Z");
        assert_eq!(at(TruncUnit::Hour), "2024-02-29T13:00:00.000000Z");
        assert_eq!(at(TruncUnit::Day), "2024-02-29T00:00:00.000000Z");
        assert_eq!(at(TruncUnit::Week), "2024-02-26T00:00:00.000000Z");
        assert_eq!(at(TruncUnit::Month), "2024-02-01T00:00:00.000000Z");
        assert_eq!(at(TruncUnit::Year), "2024-01-01T00:00:00.000000Z");
    }
}
