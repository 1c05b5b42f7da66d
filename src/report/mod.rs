//! Renderers for humans: the scan summary table.

use std::fmt::Write as _;

use crate::inventory::{Inventory, Status};

/// The summary printed on stdout after a scan: one row per asset × field × data type,
/// then what was skipped or failed. Examples are masked.
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
                    "{:<44} {:<24} {:<18} {:>5.2} {:>13}  {}",
                    clip(&a.asset, 44),
                    clip(f.field.as_deref().unwrap_or("(text)"), 24),
                    t.data_type,
                    t.confidence,
                    format!("{}/{}", t.matched_values, t.values_checked),
                    examples.join(", ")
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
    let problems: Vec<_> = inv
        .assets
        .iter()
        .filter(|a| a.status != Status::Scanned)
        .collect();
    if !problems.is_empty() {
        let _ = writeln!(out);
        for a in problems {
            let why = match a.status {
                Status::Skipped => a.skipped_reason.clone().unwrap_or_default(),
                _ => a
                    .errors
                    .iter()
                    .filter(|e| e.fatal)
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            };
            let _ = writeln!(
                out,
                "{:<8} {}  {}",
                format!("{:?}", a.status).to_lowercase(),
                a.asset,
                why
            );
        }
    }
    let s = &inv.scan;
    let _ = writeln!(
        out,
        "\n{} asset(s): {} scanned, {} partial, {} failed, {} skipped; {} data type(s) found; {:.1} MB in {:.2}s",
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

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let tail: String = s
            .chars()
            .rev()
            .take(n - 1)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("…{tail}")
    }
}

pub mod markdown;
pub mod tables;
