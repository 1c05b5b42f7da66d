//! Retention checked against the data: the age of each asset's oldest record against
//! the retention period its manifest source declares ("90 days", "18 months", "7 years
//! after employment ends").
//!
//! The oldest record is observed while scanning (the classify stage writes
//! [`OldestRecord`] into the asset's stats): the earliest value of a timestamp column
//! (recognised by its name and its values), else the earliest timestamp at the start of
//! a log line, else the file's modification time. A modification time is the *latest*
//! write, so the age it gives is a lower bound: older than the period by it means older
//! than the period for certain.
//!
//! Declared periods are parsed into days. A period counted from an event the data does
//! not show ("after employment ends", "as long as the account is open, then 3 years") is
//! shown but not checked; text with no period in it is warned. Where one source declares
//! several periods ("Employee records: 7 years; support tickets: 2 years"), each asset
//! takes the one whose label shares a word with its name, else the longest.

use std::path::Path;
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::datamap::source_of;
use super::{AssetReport, Inventory, Status};
use crate::manifest::Manifest;
use crate::policy::{Violation, ViolationKind};
use crate::validate::{days_from_civil, rfc3339};

/// Where the age of an asset's oldest record was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordBasis {
    /// The earliest value of a timestamp column or field.
    Column,
    /// The earliest timestamp of a log line.
    LogLine,
    /// The file's modification time (a lower bound on the age).
    FileMtime,
}

impl RecordBasis {
    /// How a report names it.
    pub fn describe(self) -> &'static str {
        match self {
            RecordBasis::Column => "timestamp column",
            RecordBasis::LogLine => "log line timestamp",
            RecordBasis::FileMtime => "file modification time (a lower bound)",
        }
    }
}

/// The oldest record of an asset, as observed by the scan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OldestRecord {
    /// When, in UTC (RFC 3339, seconds).
    pub at: String,
    /// What it was read from.
    pub basis: RecordBasis,
    /// The column or field, for [`RecordBasis::Column`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl OldestRecord {
    /// A record at `secs` (Unix seconds).
    pub fn at_secs(secs: i64, basis: RecordBasis, field: Option<String>) -> Self {
        OldestRecord {
            at: rfc3339(secs),
            basis,
            field,
        }
    }

    /// Its day (days since 1970-01-01), when `at` is a date.
    pub fn day(&self) -> Option<i64> {
        day_of(&self.at)
    }
}

/// The day of a text that starts with `YYYY-MM-DD`.
fn day_of(s: &str) -> Option<i64> {
    let d = s.get(..10)?;
    if !crate::validate::iso_date_ok(d) {
        return None;
    }
    Some(days_from_civil(
        d[..4].parse().ok()?,
        d[5..7].parse().ok()?,
        d[8..10].parse().ok()?,
    ))
}

/// The modification time of a file as a fallback oldest record.
pub fn file_mtime(path: &Path) -> Option<OldestRecord> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    let secs = modified
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some(OldestRecord::at_secs(
        i64::try_from(secs).ok()?,
        RecordBasis::FileMtime,
        None,
    ))
}

/// One period of a declared retention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Period {
    /// The clause as written.
    pub text: String,
    /// The label before a colon ("Employee records"), if any.
    pub label: Option<String>,
    /// The period in days.
    pub days: u64,
    /// The event it is counted from ("employment ends"), when it is not counted from
    /// collection: then the data cannot show whether it has run out.
    pub after: Option<String>,
}

fn duration_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty|thirty|a|an)[\s-]*(day|week|month|year)s?\b",
        )
        .expect("valid regex")
    })
}

/// Words that make a period count from an event rather than from collection.
const EVENT_WORDS: &[&str] = &[
    "after",
    "from",
    "following",
    "since",
    "as long as",
    "until",
    "while",
    "once",
    "end of",
    "then",
];

fn number(word: &str) -> Option<u64> {
    const WORDS: [(&str, u64); 18] = [
        ("a", 1),
        ("an", 1),
        ("one", 1),
        ("two", 2),
        ("three", 3),
        ("four", 4),
        ("five", 5),
        ("six", 6),
        ("seven", 7),
        ("eight", 8),
        ("nine", 9),
        ("ten", 10),
        ("eleven", 11),
        ("twelve", 12),
        ("eighteen", 18),
        ("twenty", 20),
        ("thirty", 30),
        ("", 0),
    ];
    let w = word.to_ascii_lowercase();
    w.parse()
        .ok()
        .or_else(|| WORDS.iter().find(|(k, _)| *k == w).map(|(_, n)| *n))
}

/// Days in `n` units (a year is 365.25 days, a month a twelfth of that, rounded down).
fn days_in(n: u64, unit: &str) -> u64 {
    match unit.to_ascii_lowercase().as_str() {
        "day" => n,
        "week" => n * 7,
        "month" => n * 1461 / 48,
        _ => n * 1461 / 4,
    }
}

/// Parses a declared retention into its periods; `None` when no clause names one.
pub fn parse_retention(text: &str) -> Option<Vec<Period>> {
    let mut out = Vec::new();
    for clause in text.split(';').map(str::trim).filter(|c| !c.is_empty()) {
        let (label, body) = match clause.split_once(':') {
            Some((l, b)) if !l.bytes().any(|c| c.is_ascii_digit()) => {
                (Some(l.trim().to_string()), b.trim())
            }
            _ => (None, clause),
        };
        let Some(c) = duration_re().captures(body) else {
            continue;
        };
        let Some(n) = number(&c[1]) else { continue };
        let lower = body.to_ascii_lowercase();
        let m = c.get(0).expect("whole match");
        let after = EVENT_WORDS.iter().any(|w| lower.contains(w)).then(|| {
            let rest = body[m.end()..].trim();
            let rest = ["after", "from", "following", "since"]
                .iter()
                .find_map(|w| rest.strip_prefix(w))
                .unwrap_or(rest)
                .trim();
            if rest.is_empty() {
                body[..m.start()].trim().trim_end_matches(',').to_string()
            } else {
                rest.trim_end_matches('.').to_string()
            }
        });
        // "90 days from collection" counts from the record itself.
        let after = after.filter(|e| {
            let e = e.to_ascii_lowercase();
            ![
                "collect", "creat", "receipt", "received", "recorded", "logged",
            ]
            .iter()
            .any(|w| e.contains(w))
        });
        out.push(Period {
            text: clause.to_string(),
            label,
            days: days_in(n, &c[2]),
            after,
        });
    }
    (!out.is_empty()).then_some(out)
}

/// Lowercase words of a name, singular ("support_tickets" → support, ticket).
fn name_words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() > 2)
        .map(|w| {
            let w = w.to_ascii_lowercase();
            w.strip_suffix('s').map(str::to_string).unwrap_or(w)
        })
        .collect()
}

/// The period that applies to `asset`: the one whose label shares a word with the
/// asset's name, else the only one, else the longest (the most lenient).
fn period_for<'p>(periods: &'p [Period], asset: &str) -> &'p Period {
    if periods.len() > 1 {
        let name = asset
            .rsplit(['/', '\\', '.'])
            .find(|p| !p.is_empty())
            .unwrap_or(asset);
        let words = name_words(name);
        let matching: Vec<&Period> = periods
            .iter()
            .filter(|p| {
                p.label
                    .as_deref()
                    .is_some_and(|l| name_words(l).iter().any(|w| words.contains(w)))
            })
            .collect();
        if let [one] = matching[..] {
            return one;
        }
    }
    periods
        .iter()
        .max_by_key(|p| (p.after.is_some(), p.days))
        .expect("at least one period")
}

/// How an asset's observed age compares with its declared retention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionStatus {
    /// The oldest record is within the period.
    Within,
    /// The oldest record is older than the period.
    Exceeds,
    /// The period counts from an event the data does not show.
    FromEvent,
    /// The declared text names no period.
    Unparsed,
    /// The source declares no retention.
    NotDeclared,
    /// No timestamp, log time or modification time was observed.
    NoTimestamp,
}

/// One asset's declared and observed retention.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AssetRetention {
    /// The manifest source.
    pub source: String,
    /// The asset id.
    pub asset: String,
    /// The source's retention, as declared.
    pub declared: String,
    /// The period applied to this asset.
    pub period: Option<Period>,
    /// The oldest record observed.
    pub oldest: Option<OldestRecord>,
    /// Its age in days on the check date.
    pub age_days: Option<i64>,
    /// The outcome.
    pub status: RetentionStatus,
}

/// Every asset that holds personal information in a manifest source, with its declared
/// and observed retention as of `today` (YYYY-MM-DD).
pub fn evaluate(inventory: &Inventory, manifest: &Manifest, today: &str) -> Vec<AssetRetention> {
    let today = day_of(today);
    let mut out = Vec::new();
    for a in inventory.assets.iter().filter(|a| holds_pi(a)) {
        let Some(source) = source_of(a, manifest) else {
            continue;
        };
        let Some(src) = manifest.sources.get(&source) else {
            continue;
        };
        let declared = src.retention.trim().to_string();
        let oldest = a.stats.oldest_record.clone();
        let age_days = match (&oldest, today) {
            (Some(o), Some(t)) => o.day().map(|d| (t - d).max(0)),
            _ => None,
        };
        let periods = parse_retention(&declared);
        let period = periods.as_deref().map(|p| period_for(p, &a.asset).clone());
        let status = match (&period, age_days) {
            _ if declared.is_empty() => RetentionStatus::NotDeclared,
            (None, _) => RetentionStatus::Unparsed,
            (Some(p), _) if p.after.is_some() => RetentionStatus::FromEvent,
            (Some(_), None) => RetentionStatus::NoTimestamp,
            (Some(p), Some(age)) if age > p.days as i64 => RetentionStatus::Exceeds,
            (Some(_), Some(_)) => RetentionStatus::Within,
        };
        out.push(AssetRetention {
            source,
            asset: a.id.clone(),
            declared,
            period,
            oldest,
            age_days,
            status,
        });
    }
    out.sort_by(|x, y| x.source.cmp(&y.source).then_with(|| x.asset.cmp(&y.asset)));
    out
}

/// Read (at least in part) and holding some personal information.
fn holds_pi(a: &AssetReport) -> bool {
    matches!(a.status, Status::Scanned | Status::Partial) && !a.fields.is_empty()
}

/// The `retention` violations: assets whose oldest record is older than the period.
pub fn violations(inventory: &Inventory, manifest: &Manifest, today: &str) -> Vec<Violation> {
    evaluate(inventory, manifest, today)
        .into_iter()
        .filter(|r| r.status == RetentionStatus::Exceeds)
        .filter_map(|r| {
            let (p, o, age) = (r.period?, r.oldest?, r.age_days?);
            let field = o.field.as_deref().map(|f| format!(", {f}")).unwrap_or_default();
            let seen = match o.basis {
                RecordBasis::FileMtime => format!("was last modified {age} days ago (on {}), so its oldest record is at least that old", &o.at[..10]),
                _ => format!("holds a record {age} days old ({}{field}: {})", o.basis.describe(), &o.at[..10]),
            };
            Some(Violation {
                kind: ViolationKind::Retention,
                source: Some(r.source.clone()),
                asset: Some(r.asset.clone()),
                field: o.field.clone(),
                subject: r.source.clone(),
                message: format!(
                    "{} {seen}, but source `{}` keeps data for {} days (\"{}\")",
                    r.asset, r.source, p.days, p.text
                ),
            })
        })
        .collect()
}

/// The sources whose declared retention names no period (a warning, not a violation).
pub fn unparsed(manifest: &Manifest) -> Vec<(String, String)> {
    manifest
        .sources
        .iter()
        .filter(|(_, s)| !s.retention.trim().is_empty() && parse_retention(&s.retention).is_none())
        .map(|(k, s)| (k.clone(), s.retention.trim().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Period {
        let mut p = parse_retention(text).unwrap_or_else(|| panic!("{text}"));
        assert_eq!(p.len(), 1, "{text}");
        p.remove(0)
    }

    #[test]
    fn durations_are_parsed_into_days() {
        assert_eq!(one("90 days").days, 90);
        assert_eq!(one("18 months").days, 547);
        assert_eq!(one("7 years").days, 2556);
        assert_eq!(one("two weeks").days, 14);
        assert_eq!(one("1 year").days, 365);
        assert_eq!(one("a year").days, 365);
        assert!(one("90 days").after.is_none());
        assert!(one("90 days from collection").after.is_none());
        let p = one("7 years after employment ends");
        assert_eq!(
            (p.days, p.after.as_deref()),
            (2556, Some("employment ends"))
        );
        let p = one("For as long as the account is open, then 3 years");
        assert_eq!(p.days, 1095);
        assert_eq!(
            p.after.as_deref(),
            Some("For as long as the account is open, then")
        );
        assert!(parse_retention("until the customer asks us to delete it").is_none());
        assert!(parse_retention("").is_none());
    }

    #[test]
    fn several_periods_go_to_the_assets_their_labels_name() {
        let p = parse_retention(
            "Employee records: 7 years after employment ends; support tickets: 2 years",
        )
        .unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].label.as_deref(), Some("Employee records"));
        let tickets = period_for(&p, "examples/demo/data/shop.db/support_tickets");
        assert_eq!(tickets.days, 730);
        let employees = period_for(&p, "shop.db/employees");
        assert!(employees.after.is_some());
        // No label matches: the most lenient period.
        assert_eq!(period_for(&p, "shop.db/products").days, 2556);
    }

    #[test]
    fn civil_days_round_trip() {
        for d in [-1000i64, 0, 365, 11_016, 20_738, 60_000] {
            let (y, m, dd) = crate::validate::civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert_eq!(rfc3339(1_795_910_400), "2026-11-29T00:00:00Z");
        assert_eq!(day_of("2026-11-29T00:00:00Z"), Some(1_795_910_400 / 86_400));
    }
}
