//! Renderers: the scan summary table, the findings file ([`findings`]), and the output escaping every
//! renderer uses ([`escape`]).

use std::fmt::Write as _;

use crate::inventory::{Inventory, Status};

use self::escape::{fit, terminal};

/// The summary printed on stdout after a scan: one row per asset × field × data type,
/// then what was skipped or failed. Examples are masked. Every data-derived string is
/// passed through [`escape::terminal`] (no raw control character reaches the terminal),
/// and the asset and field columns are shortened in the middle ([`escape::fit`]).
pub fn summary_table(inv: &Inventory) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<44} {:<24} {:<18} {:>5} {:>13}  EXAMPLES (masked)",
        "ASSET", "FIELD", "DATA TYPE", "CONF", "MATCHED"
    );
    let mut rows = 0;
    for a in &inv.assets {
        for f in &a.fields {
            for t in &f.types {
                rows += 1;
                let examples: Vec<&str> = t.examples.iter().map(|m| m.as_str()).collect();
                let _ = writeln!(
                    out,
                    "{} {} {:<18} {:>5.2} {:>13}  {}",
                    fit(&a.asset, 44),
                    fit(f.field.as_deref().unwrap_or("(text)"), 24),
                    terminal(&t.data_type),
                    t.confidence,
                    format!("{}/{}", t.matched_values, t.values_checked),
                    terminal(&examples.join(", "))
                );
            }
        }
    }
    if rows == 0 {
        let _ = writeln!(
            out,
            "(no personal information found in the assets that were scanned)"
        );
    }
    let problems = inv.not_fully_scanned();
    if !problems.is_empty() {
        let _ = writeln!(out);
        for a in problems {
            let why = a.problem();
            let _ = writeln!(
                out,
                "{:<8} {}  {}",
                format!("{:?}", a.status).to_lowercase(),
                terminal(&a.asset),
                terminal(&why)
            );
        }
    }
    let sampled: Vec<_> = inv
        .assets
        .iter()
        .filter(|a| a.status == Status::Scanned && a.stats.coverage.contains(" of "))
        .collect();
    if !sampled.is_empty() {
        let _ = writeln!(out);
        for a in sampled {
            let _ = writeln!(
                out,
                "sampled  {}  {}",
                terminal(&a.asset),
                terminal(&a.stats.coverage)
            );
        }
    }
    let s = &inv.scan;
    let empty = if s.assets_empty > 0 {
        format!(", {} empty (nothing read)", s.assets_empty)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "\n{} asset(s): {} scanned, {} partial, {} failed, {} skipped{empty}; {} data type(s) found; {:.1} MB in {:.2}s",
        inv.assets.len(),
        s.assets_scanned,
        s.assets_partial,
        s.assets_failed,
        s.assets_skipped,
        inv.summary.len(),
        s.bytes as f64 / 1e6,
        s.duration_ms as f64 / 1000.0
    );
    out
}

pub mod escape;
pub mod findings;
pub mod markdown;
pub mod tables;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::inventory::Verdict;
    use crate::inventory::{AssetReport, FieldReport, ScanInfo};

    /// An inventory whose asset and field names are hostile.
    pub(crate) fn hostile_inventory() -> Inventory {
        let mut assets = Vec::new();
        for (asset, fields) in [
            (
                "data/evil\x1b]0;title\x07<b>|.csv",
                vec![
                    "=HYPERLINK(\"http://x\",\"y\")",
                    "<script>alert(1)</script>",
                ],
            ),
            (
                "postgres://db-eu-1.internal.example.com:5432/shop/public.customers",
                vec!["a|b\nc", "red\x1b[31m\u{9b}x"],
            ),
            (
                "postgres://db-us-1.internal.example.com:5432/shop/public.customers",
                vec!["@SUM(1)", "+cmd", "[x](javascript:y)"],
            ),
        ] {
            let mut a = AssetReport::new(
                format!("file:{asset}"),
                asset.into(),
                crate::inventory::AssetKind::File,
                "csv",
            );
            for field in fields {
                let v: Verdict = serde_json::from_value(serde_json::json!({
                    "data_type": "email", "confidence": 1.0, "matched_values": 3,
                    "values_checked": 3, "ratio": 1.0, "validator_pass_rate": null,
                    "distinct": 3, "evidence": ["pattern"], "rules": ["email"],
                    "examples": ["=e***@e******.com"]
                }))
                .unwrap();
                a.fields.push(FieldReport {
                    field: Some(field.to_string()),
                    values_checked: 3,
                    types: vec![v],
                });
            }
            assets.push(a);
        }
        Inventory::new(ScanInfo::default(), assets)
    }

    #[test]
    fn summary_table_escapes_and_keeps_both_ends_of_asset_names() {
        let t = summary_table(&hostile_inventory());
        assert!(
            !t.chars().any(|c| c.is_control() && c != '\n'),
            "raw control character in\n{t}"
        );
        // One line per finding, plus header, blank line and the totals line.
        assert_eq!(t.lines().count(), 1 + 7 + 2, "{t}");
        assert!(t.contains("a|b\\nc"), "{t}");
        assert!(t.contains("red\\x1b[31m\\u{9b}x"), "{t}");
        assert!(t.contains("data/evil\\x1b]0;title\\x07<b>|.csv"), "{t}");
        // The two databases stay distinguishable, table name at the end.
        let eu = t.lines().find(|l| l.contains("db-eu-1")).expect("eu row");
        let us = t.lines().find(|l| l.contains("db-us-1")).expect("us row");
        assert!(eu.starts_with("postgres://db-eu-1.") && us.starts_with("postgres://db-us-1."));
        assert!(eu.contains("…/shop/public.customers "), "{eu}");
        // Columns stay aligned: the field column starts at 45 on every row.
        for l in t.lines().skip(1).take(7) {
            assert_eq!(
                escape::width(l.split_at(l.char_indices().nth(44).unwrap().0).0),
                44,
                "{l}"
            );
        }
    }
}
