//! The crate's calendar: civil dates from the Unix clock, real-date checks, and the
//! date-of-birth validator.

use std::time::{SystemTime, UNIX_EPOCH};

use super::normalise::num;

/// Civil (year, month, day) from days since 1970-01-01 (Hinnant), so "today" needs no date crate.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era.saturating_mul(400) + i64::from(month <= 2);
    (year, month, day)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DDTHH:MM:SSZ` of Unix seconds.
pub fn rfc3339(secs: i64) -> String {
    let (y, m, d) = crate::validate::civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Today's civil date in UTC, or `None` when the clock is before 1970.
pub fn today() -> Option<(i64, u32, u32)> {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(civil_from_days(i64::try_from(secs / 86_400).ok()?))
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD` (manifest dates such as a
/// disposition's `expires` are compared as text, so the form must be exact).
pub fn iso_date_ok(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &s[r];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    match (num(0..4), num(5..7), num(8..10)) {
        (Some(y), Some(m), Some(d)) => d >= 1 && d <= days_in_month(i64::from(y), m),
        _ => false,
    }
}

/// Days in a month of the proleptic Gregorian calendar.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Whether (year, month, day) is a real calendar date.
pub fn calendar_date_ok(year: i64, month: u32, day: u32) -> bool {
    (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)
}

/// The current year, or `i64::MAX` when the clock is unset (no upper bound then).
pub fn this_year() -> i64 {
    today().map_or(i64::MAX, |(y, _, _)| y)
}

/// Date-of-birth check against an explicit `today` (y, m, d), so tests get a deterministic answer.
pub fn date_of_birth_ok_on(candidate: &[u8], today: (i64, u32, u32)) -> bool {
    if candidate.len() > 10 {
        return false;
    }
    let Some(sep) = candidate.iter().copied().find(|b| !b.is_ascii_digit()) else {
        return false;
    };
    let mut fields = candidate.split(|&b| b == sep);
    let (Some(f0), Some(f1), Some(f2), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return false;
    };
    if ![f0, f1, f2]
        .iter()
        .all(|f| !f.is_empty() && f.iter().all(u8::is_ascii_digit))
    {
        return false;
    }
    let short = |f: &[u8]| (1..=2).contains(&f.len());
    let (a, b, c) = (num(f0), num(f1), num(f2));
    // Up to two readings (year, month, day) of the same text.
    let readings: [Option<(u32, u32, u32)>; 2] = match (f0.len(), f1.len(), f2.len(), sep) {
        (4, _, _, b'-' | b'/') if short(f1) && short(f2) => [Some((a, b, c)), None],
        (_, _, 4, b'/') if short(f0) && short(f1) => [Some((c, a, b)), Some((c, b, a))],
        (_, _, 4, b'.') if short(f0) && short(f1) => [Some((c, b, a)), None],
        _ => return false,
    };
    readings.iter().flatten().any(|&(y, m, d)| {
        let y = i64::from(y);
        y >= 1900
            && (1..=12).contains(&m)
            && d >= 1
            && d <= days_in_month(y, m)
            && (y, m, d) <= today
    })
}

/// Date of birth against the system clock's today (no upper bound if the clock is unset).
pub fn date_of_birth_ok(c: &[u8]) -> bool {
    date_of_birth_ok_on(c, today().unwrap_or((i64::MAX, 12, 31)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::tests::cases;
    use crate::validate::Validator;

    #[test]
    fn iso_dates() {
        assert!(iso_date_ok("2027-12-31"));
        assert!(iso_date_ok("2028-02-29"));
        assert!(!iso_date_ok("2027-02-29"));
        assert!(!iso_date_ok("2027-13-01"));
        assert!(!iso_date_ok("2027-1-01"));
        assert!(!iso_date_ok("next year"));
        assert!(!iso_date_ok("2027-12-3x"));
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(20_513), (2026, 3, 1));
        let (y, _, _) = today().expect("clock after 1970");
        assert!(y >= 2024);
    }

    #[test]
    fn date_of_birth() {
        cases(
            Validator::DateOfBirth,
            &[
                "1990-05-17",
                "1985/12/31",
                "12/31/1985",
                "31/12/1985",
                "17.05.1990",
                "2000-02-29",
            ],
            &[
                "1899-12-31",
                "1990-13-01",
                "1990-02-30",
                "1900-02-29",
                "31.13.1990",
                "2999-01-01",
                "1990.05.17",
                "17-05-1990",
                "19900517",
            ],
        );
        let today = (2020, 6, 15);
        assert!(date_of_birth_ok_on(b"2020-06-15", today));
        assert!(!date_of_birth_ok_on(b"2020-06-16", today));
        assert!(date_of_birth_ok_on(b"13/12/2019", today)); // only the DD/MM reading
        assert!(!date_of_birth_ok_on(b"31.12.2020", today));
    }
}
