//! The request metrics of 11 CCR §7102: a business that buys, receives, sells or shares
//! the personal information of 10,000,000 or more consumers in a calendar year discloses,
//! for the previous calendar year, how many requests to know, delete, correct, opt out
//! and limit it received, complied with in whole or in part, and denied, and the median
//! or mean number of days it took to respond substantively (§7102(a); the privacy
//! policy carries them or links to them, §7011(e)(5)).
//!
//! Counted from a request log or taken from figures declared in the manifest. The log
//! is JSON lines, one object per request (what `piimap find --log FILE` writes; README
//! "Request metrics"):
//!
//! ```json
//! {"ts": "2025-03-01T12:00:00Z", "request": "know", "outcome": "complied", "days": 12}
//! ```
//!
//! `ts` is an RFC 3339 time (or Unix seconds), `request` one of `know`, `delete`,
//! `correct`, `opt_out`, `limit`; `outcome` is `complied` or `complied_in_part` (counted
//! as complied with), anything starting with `denied` (`denied`, `denied_unverified`, …),
//! or anything else (`pending`: received only); `days` is the days to the substantive
//! response. Other keys are ignored. Without the manifest flag nothing is printed.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::context::Ctx;
use super::doc;
use crate::manifest::{RequestMetrics, REQUEST_TYPES};

/// A request-log line longer than this is skipped (memory stays bounded).
const LINE_CAP: usize = 64 * 1024;

/// The printed name of each request type, in the order of [`REQUEST_TYPES`].
fn request_label(key: &str) -> &'static str {
    match key {
        "know" => "Requests to know",
        "delete" => "Requests to delete",
        "correct" => "Requests to correct",
        "opt_out" => "Requests to opt out of the sale or sharing of personal information",
        "limit" => "Requests to limit the use and disclosure of sensitive personal information",
        _ => "Other requests",
    }
}

/// One row of the metrics table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricsRow {
    /// The request type (`know`, `delete`, …).
    pub request: String,
    /// Its printed name.
    pub label: String,
    /// Requests received.
    pub received: u64,
    /// Complied with in whole or in part.
    pub complied: u64,
    /// Denied.
    pub denied: u64,
    /// Median or mean days to a substantive response, as printed ("12", "3.5"; "–"
    /// when none was answered).
    pub days: String,
}

/// The §7102 metrics table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricsModel {
    /// The calendar year reported.
    pub year: i64,
    /// `median` or `mean`.
    pub days_kind: String,
    /// `request log` or `manifest figures`.
    pub basis: String,
    /// One row per request type.
    pub rows: Vec<MetricsRow>,
}

/// The counts of one request type while a log is read: days as a histogram in tenths,
/// so memory does not grow with the number of requests.
#[derive(Default)]
struct Count {
    received: u64,
    complied: u64,
    denied: u64,
    days: BTreeMap<u64, u64>,
}

impl Count {
    fn days_text(&self, mean: bool) -> String {
        let n: u64 = self.days.values().sum();
        if n == 0 {
            return "–".into();
        }
        let tenths = if mean {
            let sum: f64 = self.days.iter().map(|(d, c)| *d as f64 * *c as f64).sum();
            sum / n as f64
        } else {
            let at = |rank: u64| -> f64 {
                let mut seen = 0;
                for (d, c) in &self.days {
                    seen += c;
                    if seen > rank {
                        return *d as f64;
                    }
                }
                0.0
            };
            if n % 2 == 1 {
                at(n / 2)
            } else {
                (at(n / 2 - 1) + at(n / 2)) / 2.0
            }
        };
        format_days(tenths / 10.0)
    }
}

fn format_days(d: f64) -> String {
    let r = (d * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// One line of the request log.
#[derive(Deserialize)]
struct LogLine {
    #[serde(default)]
    ts: serde_json::Value,
    #[serde(default)]
    request: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    days: Option<f64>,
}

/// The calendar year of a log time: an RFC 3339 string or Unix seconds.
fn year_of(ts: &serde_json::Value) -> Option<i64> {
    match ts {
        serde_json::Value::String(s) => {
            let y = s.get(..4)?;
            (y.bytes().all(|b| b.is_ascii_digit()) && s.as_bytes().get(4) == Some(&b'-'))
                .then(|| y.parse().ok())
                .flatten()
        }
        serde_json::Value::Number(n) => {
            let secs = n.as_i64()?;
            Some(crate::validate::civil_from_days(secs.div_euclid(86_400)).0)
        }
        _ => None,
    }
}

/// Reads one line of at most [`LINE_CAP`] bytes into `buf`; a longer one is consumed
/// and reported as `Ok(Some(false))`. `Ok(None)` at the end.
fn read_capped(r: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<Option<bool>> {
    buf.clear();
    let mut fits = true;
    let mut any = false;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            return Ok(any.then_some(fits));
        }
        any = true;
        let (part, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (&chunk[..i], i + 1),
            None => (chunk, chunk.len()),
        };
        if fits && buf.len() + part.len() <= LINE_CAP {
            buf.extend_from_slice(part);
        } else {
            fits = false;
            buf.clear();
        }
        let newline = done > part.len();
        r.consume(done);
        if newline {
            return Ok(Some(fits));
        }
    }
}

/// Counts a request log: per request type, and the lines that could not be read.
fn count_log(reader: impl Read, year: i64) -> std::io::Result<(BTreeMap<String, Count>, u64)> {
    let mut r = BufReader::new(reader);
    let mut buf = Vec::new();
    let mut counts: BTreeMap<String, Count> = BTreeMap::new();
    let mut bad = 0u64;
    while let Some(fits) = read_capped(&mut r, &mut buf)? {
        if buf.trim_ascii().is_empty() && fits {
            continue;
        }
        let line: Option<LogLine> = fits.then(|| serde_json::from_slice(&buf).ok()).flatten();
        let Some(line) = line.filter(|l| REQUEST_TYPES.contains(&l.request.as_str())) else {
            bad += 1;
            continue;
        };
        let Some(y) = year_of(&line.ts) else {
            bad += 1;
            continue;
        };
        if y != year {
            continue;
        }
        let c = counts.entry(line.request).or_default();
        c.received += 1;
        let answered = if matches!(line.outcome.as_str(), "complied" | "complied_in_part") {
            c.complied += 1;
            true
        } else if line.outcome.starts_with("denied") {
            c.denied += 1;
            true
        } else {
            false
        };
        if let Some(d) = line.days.filter(|d| answered && d.is_finite() && *d >= 0.0) {
            *c.days.entry((d * 10.0).round() as u64).or_default() += 1;
        }
    }
    Ok((counts, bad))
}

fn rows_from_log(counts: &BTreeMap<String, Count>, mean: bool) -> Vec<MetricsRow> {
    REQUEST_TYPES
        .iter()
        .map(|k| {
            let empty = Count::default();
            let c = counts.get(*k).unwrap_or(&empty);
            MetricsRow {
                request: k.to_string(),
                label: request_label(k).into(),
                received: c.received,
                complied: c.complied,
                denied: c.denied,
                days: c.days_text(mean),
            }
        })
        .collect()
}

fn rows_from_figures(m: &RequestMetrics) -> Vec<MetricsRow> {
    REQUEST_TYPES
        .iter()
        .map(|k| {
            let f = m.figures.get(*k).cloned().unwrap_or_default();
            MetricsRow {
                request: k.to_string(),
                label: request_label(k).into(),
                received: f.received,
                complied: f.complied,
                denied: f.denied,
                days: f.days.map_or_else(|| "–".into(), format_days),
            }
        })
        .collect()
}

/// The metrics table, or `None` when it is not printed: the business is not over the
/// threshold (silently), or nothing to count it from (warned).
pub(super) fn metrics(cx: &mut Ctx<'_>, today: &str) -> Option<MetricsModel> {
    let m = cx
        .manifest
        .request_metrics
        .as_ref()
        .filter(|m| m.over_10m_consumers)?;
    let year = m.year.unwrap_or_else(|| {
        today
            .get(..4)
            .and_then(|y| y.parse::<i64>().ok())
            .unwrap_or(1)
            - 1
    });
    let mean = m.days.as_ref().is_some_and(|d| d.get_ref() == "mean");
    let days_kind = if mean { "mean" } else { "median" }.to_string();
    if let Some(log) = &m.log {
        let path = cx
            .manifest
            .dir
            .as_deref()
            .unwrap_or(Path::new(""))
            .join(log);
        match std::fs::File::open(&path).and_then(|f| count_log(f, year)) {
            Ok((counts, bad)) => {
                if bad > 0 {
                    cx.warn(
                        "request_log_bad_lines",
                        &[doc::POLICY],
                        format!("{bad} line(s) of the request log {log} are not request records (JSON objects with a known `request` and a `ts`): they are not counted"),
                    );
                }
                return Some(MetricsModel {
                    year,
                    days_kind,
                    basis: "request log".into(),
                    rows: rows_from_log(&counts, mean),
                });
            }
            Err(e) => cx.warn(
                "request_log_unreadable",
                &[doc::POLICY],
                format!("request_metrics.log {log} cannot be read ({}): the §7102 metrics are counted from the manifest's figures, if any", e.kind()),
            ),
        }
    }
    if m.figures.is_empty() {
        cx.warn(
            "request_metrics_missing",
            &[doc::POLICY],
            "request_metrics.over_10m_consumers is true but there is no request log or figures: the §7102 metrics (11 CCR §7102(a), §7011(e)(5)) are withheld; set request_metrics.log or [request_metrics.figures] in piimap.toml",
        );
        return None;
    }
    Some(MetricsModel {
        year,
        days_kind,
        basis: "manifest figures".into(),
        rows: rows_from_figures(m),
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, model_of};
    use super::*;

    const LOG: &str = r#"{"ts": "2025-01-03T10:00:00Z", "request": "know", "outcome": "complied", "days": 10}
{"ts": "2025-02-03T10:00:00Z", "request": "know", "outcome": "denied_unverified", "days": 20}
{"ts": "2025-03-03T10:00:00Z", "request": "know", "outcome": "complied_in_part", "days": 41}
{"ts": "2025-04-03T10:00:00Z", "request": "delete", "outcome": "pending"}
{"ts": "2024-12-31T23:00:00Z", "request": "delete", "outcome": "complied", "days": 3}
{"ts": 1740000000, "request": "opt_out", "outcome": "complied", "days": 1}
not json
{"ts": "2025-05-01", "request": "sell", "outcome": "complied"}
"#;

    fn write_log(dir: &Path, text: &str) {
        std::fs::write(dir.join("requests.jsonl"), text).unwrap();
    }

    /// 11 CCR §7102(a): received, complied with in whole or in part, and denied per
    /// request type, and the median days — for the previous calendar year only.
    #[test]
    fn ccr_7102_a_metrics_are_counted_from_the_request_log_for_the_previous_year() {
        let dir = tempfile::tempdir().unwrap();
        write_log(dir.path(), LOG);
        let mut f =
            fixture("[request_metrics]\nover_10m_consumers = true\nlog = \"requests.jsonl\"\n");
        f.manifest.dir = Some(dir.path().to_path_buf());
        let m = model_of(&f, "2026-06-30");
        let t = m.request_metrics.clone().expect("printed");
        assert_eq!((t.year, t.basis.as_str()), (2025, "request log"));
        let know = &t.rows[0];
        assert_eq!(
            (
                know.received,
                know.complied,
                know.denied,
                know.days.as_str()
            ),
            (3, 2, 1, "20")
        );
        let delete = &t.rows[1];
        assert_eq!(
            (delete.received, delete.complied, delete.days.as_str()),
            (1, 0, "–")
        );
        assert_eq!(t.rows[3].received, 1, "Unix seconds in 2025");
        assert!(m
            .warning_codes()
            .contains(&"request_log_bad_lines".to_string()));
    }

    #[test]
    fn ccr_7102_mean_days_and_manifest_figures() {
        let f = fixture(
            "[request_metrics]\nover_10m_consumers = true\nyear = 2025\ndays = \"mean\"\n[request_metrics.figures]\nknow = { received = 10, complied = 7, denied = 3, days = 12.25 }\n",
        );
        let t = model_of(&f, "2026-06-30").request_metrics.unwrap();
        assert_eq!(t.basis, "manifest figures");
        assert_eq!(t.days_kind, "mean");
        assert_eq!(t.rows[0].days, "12.3");
        assert_eq!(t.rows[4].received, 0);

        let mut c = Count::default();
        for d in [10u64, 20, 45] {
            *c.days.entry(d * 10).or_default() += 1;
        }
        assert_eq!(c.days_text(true), "25");
        assert_eq!(c.days_text(false), "20");
    }

    /// Below the threshold the table is omitted silently; over it with nothing to count
    /// from, it is withheld and warned.
    #[test]
    fn ccr_7102_metrics_are_omitted_without_the_flag() {
        let dir = tempfile::tempdir().unwrap();
        write_log(dir.path(), LOG);
        let mut f = fixture("[request_metrics]\nlog = \"requests.jsonl\"\n");
        f.manifest.dir = Some(dir.path().to_path_buf());
        let m = model_of(&f, "2026-06-30");
        assert!(m.request_metrics.is_none());
        assert!(!m
            .warning_codes()
            .iter()
            .any(|c| c.starts_with("request_log") || c.starts_with("request_metrics")));

        let f = fixture("[request_metrics]\nover_10m_consumers = true\n");
        let m = model_of(&f, "2026-06-30");
        assert!(m.request_metrics.is_none());
        assert!(m
            .warning_codes()
            .contains(&"request_metrics_missing".to_string()));
    }

    #[test]
    fn overlong_log_lines_are_skipped_not_buffered() {
        let long = format!("{{\"pad\": \"{}\"}}\n", "x".repeat(LINE_CAP + 10));
        let text = format!("{long}{}", LOG.lines().next().unwrap());
        let (counts, bad) = count_log(text.as_bytes(), 2025).unwrap();
        assert_eq!(bad, 1);
        assert_eq!(counts["know"].received, 1);
    }

    #[test]
    fn figures_that_do_not_add_up_are_a_manifest_error() {
        let t = crate::taxonomy::Taxonomy::builtin().unwrap();
        let v = crate::knowledge::Vocabulary::builtin().unwrap();
        let c = crate::knowledge::Catalog::builtin().unwrap();
        let e = crate::manifest::Manifest::parse(
            "m.toml",
            "[request_metrics]\n[request_metrics.figures]\nknwo = { received = 1 }\ndelete = { received = 1, complied = 2 }\n",
            &t,
            &v,
            &c,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("did you mean `know`"), "{e}");
        assert!(e.contains("exceed received"), "{e}");
    }
}
