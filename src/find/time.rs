//! Timestamps of matching lines, for "first and last seen": ISO 8601 (`2015-05-17T10:05:03Z`,
//! `2015-05-17 10:05:03.123+02:00`), the access-log clock (`17/May/2015:10:05:03 +0000`)
//! and Unix epochs in seconds or milliseconds (a JSON `ts` field), all turned into UTC
//! `YYYY-MM-DDTHH:MM:SSZ`, which sorts as text.

use crate::validate::{days_from_civil, rfc3339};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Field names that hold a record's time.
pub fn is_time_field(name: &str) -> bool {
    let last = name
        .rsplit(['.', '/'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase();
    matches!(
        last.trim_start_matches('@'),
        "timestamp"
            | "time"
            | "ts"
            | "datetime"
            | "date"
            | "created_at"
            | "logged_at"
            | "event_time"
            | "eventtime"
            | "when"
            | "t"
    )
}

fn num(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

/// Seconds east of UTC of `+hh:mm`, `+hhmm`, `Z` at the start of `b` (none: UTC).
fn offset(b: &[u8]) -> i64 {
    let sign = match b.first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return 0,
    };
    let digits: Vec<u8> = b[1..]
        .iter()
        .take(5)
        .copied()
        .filter(u8::is_ascii_digit)
        .collect();
    if digits.len() < 4 {
        return 0;
    }
    let h = num(&digits[..2]).unwrap_or(0);
    let m = num(&digits[2..4]).unwrap_or(0);
    sign * (h * 3600 + m * 60)
}

fn civil(y: i64, mo: u32, d: u32, h: i64, mi: i64, s: i64, off: i64) -> Option<String> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(rfc3339(
        days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - off,
    ))
}

/// An ISO 8601 date-time starting at `b[0]`.
fn iso_at(b: &[u8]) -> Option<String> {
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (y, mo, d) = (num(&b[..4])?, num(&b[5..7])?, num(&b[8..10])?);
    let (h, mi, s) = (num(&b[11..13])?, num(&b[14..16])?, num(&b[17..19])?);
    let mut rest = &b[19..];
    if rest.first() == Some(&b'.') {
        let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        rest = &rest[1 + n..];
    }
    civil(y, mo as u32, d as u32, h, mi, s, offset(rest))
}

/// The access-log clock `17/May/2015:10:05:03 +0000` starting at `b[0]`.
fn clf_at(b: &[u8]) -> Option<String> {
    if b.len() < 20 || b[2] != b'/' || b[6] != b'/' || b[11] != b':' {
        return None;
    }
    let d = num(&b[..2])?;
    let mo = MONTHS.iter().position(|m| m.as_bytes() == &b[3..6])? as u32 + 1;
    let y = num(&b[7..11])?;
    let (h, mi, s) = (num(&b[12..14])?, num(&b[15..17])?, num(&b[18..20])?);
    let off = b.get(21..).map_or(0, offset);
    civil(y, mo, d as u32, h, mi, s, off)
}

/// A field's value as a time: ISO 8601, the access-log clock, or an epoch in seconds
/// (10 digits) or milliseconds (13).
pub fn parse(value: &[u8]) -> Option<String> {
    let v = value.trim_ascii();
    if let Some(n) = num(v) {
        return match v.len() {
            10 => Some(rfc3339(n)),
            13 => Some(rfc3339(n / 1000)),
            _ => None,
        };
    }
    iso_at(v).or_else(|| clf_at(v.strip_prefix(b"[").unwrap_or(v)))
}

/// The first time written anywhere in a line.
pub fn in_line(line: &[u8]) -> Option<String> {
    for i in 0..line.len().saturating_sub(18) {
        let b = line[i];
        if b.is_ascii_digit() && (i == 0 || !line[i - 1].is_ascii_digit()) {
            if let Some(t) = iso_at(&line[i..]).or_else(|| clf_at(&line[i..])) {
                return Some(t);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_become_utc() {
        assert_eq!(
            parse(b"2015-05-17T10:05:03Z").unwrap(),
            "2015-05-17T10:05:03Z"
        );
        assert_eq!(
            parse(b"2015-05-17 12:05:03.250+02:00").unwrap(),
            "2015-05-17T10:05:03Z"
        );
        assert_eq!(
            parse(b"17/May/2015:10:05:03 +0000").unwrap(),
            "2015-05-17T10:05:03Z"
        );
        assert_eq!(parse(b"1431857103").unwrap(), "2015-05-17T10:05:03Z");
        assert_eq!(parse(b"1431857103000").unwrap(), "2015-05-17T10:05:03Z");
        assert_eq!(parse(b"12345"), None);
        assert_eq!(parse(b"2015-13-17T10:05:03"), None);
        let line = b"83.149.9.216 - - [17/May/2015:10:05:43 +0000] \"GET / HTTP/1.1\" 200 1";
        assert_eq!(in_line(line).unwrap(), "2015-05-17T10:05:43Z");
        assert_eq!(in_line(b"no time here 2015-05"), None);
        assert!(
            is_time_field("@timestamp") && is_time_field("event.time") && !is_time_field("email")
        );
    }
}
