//! Timestamps in values and at the start of log lines, for the age of an asset's oldest
//! record (checked against the declared retention, [`crate::inventory::retention`]).
//!
//! A field is a timestamp column by its name (`created_at`, `ts`, `order_date`, …, but
//! not `date_of_birth` or `expires_at`, whose earliest value says nothing about how
//! old the records are) and by its values; a field with another name counts when its
//! values are full date-times. Parsing works on the bytes as they are, allocates
//! nothing and gives up at the first byte that does not fit, so it costs little on
//! values that are not timestamps.

use crate::validate::days_from_civil;

/// The earliest and latest years accepted: outside them a value is a placeholder
/// (`0001-01-01`, `9999-12-31`), not a record's time.
const YEARS: std::ops::RangeInclusive<i64> = 1900..=2200;

/// Words whose presence in a field name makes it a timestamp column.
const TIME_WORDS: &[&str] = &[
    "at",
    "ts",
    "date",
    "time",
    "timestamp",
    "datetime",
    "created",
    "updated",
    "modified",
    "logged",
    "occurred",
    "inserted",
    "received",
    "sent",
];

/// Words that rule a field out: its dates are not when the record was made.
const NOT_RECORD_TIME: &[&str] = &[
    "birth",
    "dob",
    "born",
    "birthday",
    "expires",
    "expiry",
    "expiration",
    "expire",
    "due",
    "until",
    "valid",
    "next",
    "deadline",
    "end",
    "ends",
    "scheduled",
    "eta",
    "planned",
];

/// How a field's name classifies it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeField {
    /// The name says timestamp: dates without a time and Unix seconds count too.
    pub hinted: bool,
    /// The name rules it out.
    pub excluded: bool,
}

impl TimeField {
    /// Classifies a field by its name (split at `_`, `.`, `-`, spaces and case changes).
    pub fn of(name: &str) -> TimeField {
        let mut hinted = false;
        let mut excluded = false;
        let mut word = String::new();
        let mut check = |w: &mut String| {
            if !w.is_empty() {
                let lower = w.to_ascii_lowercase();
                hinted |= TIME_WORDS.contains(&lower.as_str());
                excluded |= NOT_RECORD_TIME.contains(&lower.as_str());
                w.clear();
            }
        };
        let mut prev_lower = false;
        for c in name.chars() {
            if !c.is_ascii_alphanumeric() {
                check(&mut word);
                prev_lower = false;
                continue;
            }
            if c.is_ascii_uppercase() && prev_lower {
                check(&mut word);
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            word.push(c);
        }
        check(&mut word);
        TimeField {
            hinted: hinted && !excluded,
            excluded,
        }
    }

    /// The Unix seconds of a value of this field, if it is a timestamp.
    pub fn parse(self, value: &[u8]) -> Option<i64> {
        if self.excluded {
            return None;
        }
        let v = value.trim_ascii();
        // A value that cannot be a timestamp is left at once.
        if v.len() < 10 || !v[0].is_ascii_digit() {
            return None;
        }
        if let Some((secs, used, timed)) = iso(v) {
            return (used == v.len() && (timed || self.hinted)).then_some(secs);
        }
        if self.hinted && v.iter().all(u8::is_ascii_digit) {
            let n: i64 = std::str::from_utf8(v).ok()?.parse().ok()?;
            let secs = match v.len() {
                10 => n,
                13 => n / 1000,
                _ => return None,
            };
            let year = crate::validate::civil_from_days(secs.div_euclid(86_400)).0;
            return YEARS.contains(&year).then_some(secs);
        }
        access_log_time(v)
    }
}

fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
}

fn civil(year: i64, month: i64, day: i64) -> Option<i64> {
    let (m, d) = (u32::try_from(month).ok()?, u32::try_from(day).ok()?);
    (YEARS.contains(&year) && crate::validate::calendar_date_ok(year, m, d))
        .then(|| days_from_civil(year, m, d))
}

/// `+hh:mm`, `+hhmm`, `-hh`, `Z` at the start of `b`: (offset seconds, bytes used).
fn zone(b: &[u8]) -> (i64, usize) {
    match b.first() {
        Some(b'Z' | b'z') => (0, 1),
        Some(&s @ (b'+' | b'-')) => {
            let sign = if s == b'-' { -1 } else { 1 };
            let h = b.get(1..3).and_then(digits);
            let (m, used) = match (
                b.get(3),
                b.get(4..6).and_then(digits),
                b.get(3..5).and_then(digits),
            ) {
                (Some(b':'), Some(m), _) => (m, 6),
                (_, _, Some(m)) if b.get(3).is_some_and(u8::is_ascii_digit) => (m, 5),
                _ => (0, 3),
            };
            match h {
                Some(h) if h < 24 && m < 60 => (sign * (h * 3600 + m * 60), used),
                _ => (0, 0),
            }
        }
        _ => (0, 0),
    }
}

/// An ISO 8601 / RFC 3339 date or date-time at the start of `b`: (Unix seconds, bytes
/// used, whether it had a time of day).
pub fn iso(b: &[u8]) -> Option<(i64, usize, bool)> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let day = civil(digits(&b[..4])?, digits(&b[5..7])?, digits(&b[8..10])?)?;
    let date = day * 86_400;
    let rest = &b[10..];
    if rest.len() < 6 || !matches!(rest[0], b'T' | b't' | b' ') || rest[3] != b':' {
        return Some((date, 10, false));
    }
    let (h, mi) = (digits(&rest[1..3])?, digits(&rest[4..6])?);
    let mut used = 16;
    let mut s = 0;
    if b.get(16) == Some(&b':') {
        s = b.get(17..19).and_then(digits)?;
        used = 19;
        if b.get(19).is_some_and(|c| *c == b'.' || *c == b',') {
            used += 1 + b[20..].iter().take_while(|c| c.is_ascii_digit()).count();
        }
    }
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let spaced = usize::from(
        b.get(used) == Some(&b' ') && b.get(used + 1).is_some_and(|c| *c == b'+' || *c == b'-'),
    );
    let (offset, z) = zone(&b[used + spaced..]);
    if z > 0 {
        used += spaced + z;
    }
    Some((date + h * 3600 + mi * 60 + s - offset, used, true))
}

/// An access-log time, `12/Oct/2026:10:00:00 +0000` (what is inside the brackets).
pub fn access_log_time(b: &[u8]) -> Option<i64> {
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    if b.len() < 20 || b[2] != b'/' || b[6] != b'/' || b[11] != b':' {
        return None;
    }
    let month = MONTHS.iter().position(|m| *m == &b[3..6])? as i64 + 1;
    let day = civil(digits(&b[7..11])?, month, digits(&b[..2])?)?;
    let (h, mi, s) = (
        digits(&b[12..14])?,
        digits(&b[15..17])?,
        digits(&b[18..20])?,
    );
    if h > 23 || mi > 59 || s > 60 || b[14] != b':' || b[17] != b':' {
        return None;
    }
    let (offset, _) = match b.get(20) {
        Some(b' ') => zone(&b[21..]),
        _ => (0, 0),
    };
    Some(day * 86_400 + h * 3600 + mi * 60 + s - offset)
}

/// The timestamp a log line starts with (an ISO date-time, optionally in brackets), if
/// any. A bare date is not enough: a line may start with any date.
pub fn line_start(line: &[u8]) -> Option<i64> {
    let l = line.strip_prefix(b"[").unwrap_or(line);
    match iso(l) {
        Some((secs, _, true)) => Some(secs),
        _ => access_log_time(l),
    }
}

/// The earliest of two times.
pub fn earliest(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rfc3339;

    fn at(f: &str, v: &str) -> Option<String> {
        TimeField::of(f).parse(v.as_bytes()).map(rfc3339)
    }

    #[test]
    fn names_say_timestamp_or_rule_it_out() {
        for n in [
            "created_at",
            "createdAt",
            "ts",
            "@timestamp",
            "order_date",
            "hire_date",
            "event.time",
            "LastModified",
        ] {
            assert!(TimeField::of(n).hinted, "{n}");
        }
        for n in [
            "date_of_birth",
            "birth_date",
            "expires_at",
            "valid_until",
            "due_date",
        ] {
            let t = TimeField::of(n);
            assert!(t.excluded && !t.hinted, "{n}");
        }
        for n in ["email", "status", "attempts", "data"] {
            assert_eq!(TimeField::of(n), TimeField::default(), "{n}");
        }
    }

    #[test]
    fn values_parse_with_zones_and_only_where_they_should() {
        assert_eq!(
            at("created_at", "2026-10-12T10:00:00Z").as_deref(),
            Some("2026-10-12T10:00:00Z")
        );
        assert_eq!(
            at("x", "2026-10-12 10:00:00.123+02:00").as_deref(),
            Some("2026-10-12T08:00:00Z")
        );
        assert_eq!(
            at("x", "2026-10-12T10:00-0500").as_deref(),
            Some("2026-10-12T15:00:00Z")
        );
        assert_eq!(
            at("hire_date", "2010-04-15").as_deref(),
            Some("2010-04-15T00:00:00Z")
        );
        assert_eq!(
            at("ts", "1760263200").as_deref(),
            Some("2025-10-12T10:00:00Z")
        );
        assert_eq!(
            at("ts", "1760263200000").as_deref(),
            Some("2025-10-12T10:00:00Z")
        );
        assert_eq!(
            at("ts", "12/Oct/2026:10:00:00 +0200").as_deref(),
            Some("2026-10-12T08:00:00Z")
        );
        // A bare date or a number counts only under a timestamp name.
        assert_eq!(at("code", "2010-04-15"), None);
        assert_eq!(at("amount", "1760263200"), None);
        // Not dates, placeholders, birth dates.
        assert_eq!(at("created_at", "2026-02-30T10:00:00Z"), None);
        assert_eq!(at("created_at", "0001-01-01T00:00:00Z"), None);
        assert_eq!(at("created_at", "2026-10-12T10:00:00Z trailing"), None);
        assert_eq!(at("date_of_birth", "1990-01-01T00:00:00Z"), None);
        assert_eq!(at("created_at", "n/a"), None);
    }

    #[test]
    fn log_lines_start_with_their_time() {
        let s = |l: &str| line_start(l.as_bytes()).map(rfc3339);
        assert_eq!(
            s("2026-10-12T10:00:00Z level=info").as_deref(),
            Some("2026-10-12T10:00:00Z")
        );
        assert_eq!(
            s("[2026-10-12 10:00:00,120] INFO x").as_deref(),
            Some("2026-10-12T10:00:00Z")
        );
        assert_eq!(
            s("12/Oct/2026:10:00:00 +0000").as_deref(),
            Some("2026-10-12T10:00:00Z")
        );
        assert_eq!(s("1990-01-01 was her birthday"), None);
        assert_eq!(s("Oct 12 10:00:00 host sshd"), None);
    }
}
