//! `inventory.md`: the inventory as a readable summary for privacy and legal teams.

use std::fmt::Write as _;

use crate::inventory::datamap::Presence;
use crate::inventory::{Inventory, Status};
use crate::policy::Violation;

/// Renders the summary.
pub fn inventory_markdown(inv: &Inventory, violations: &[Violation]) -> String {
    let mut out = String::new();
    let s = &inv.scan;
    let _ = writeln!(out, "# Personal information inventory\n");
    let _ = writeln!(
        out,
        "Scanned {} on {}: {} asset(s) scanned, {} partial, {} failed, {} skipped. All examples are masked.\n",
        s.roots.join(", "),
        s.started_at,
        s.assets_scanned,
        s.assets_partial,
        s.assets_failed,
        s.assets_skipped
    );
    if let Some(map) = &inv.data_map {
        let _ = writeln!(out, "## What we hold\n");
        let _ = writeln!(
            out,
            "| Data type | CCPA categories | Sensitive | Status | Where | Sources | Recipients |"
        );
        let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- | --- |");
        for t in &map.data_types {
            let status = match t.presence {
                Presence::FoundAndDeclared => "found, declared",
                Presence::FoundUndeclared => "**found, not declared — needs review**",
                Presence::DeclaredNotFound => "declared, not found",
            };
            let status = if t.assets.is_empty() && !t.dismissed.is_empty() {
                "dismissed (false positive)"
            } else {
                status
            };
            let wher: Vec<String> = t
                .assets
                .iter()
                .take(4)
                .map(|a| {
                    format!(
                        "{}{}",
                        a.asset,
                        a.field
                            .as_deref()
                            .map(|f| format!(" `{f}`"))
                            .unwrap_or_default()
                    )
                })
                .collect();
            let more = t.assets.len().saturating_sub(4);
            let recipients: Vec<String> = t
                .recipients
                .iter()
                .map(|r| {
                    format!(
                        "{}{}",
                        r.name,
                        if r.declared {
                            ""
                        } else {
                            " (observed, undeclared)"
                        }
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {}{} | {} | {} |",
                t.label,
                t.ccpa.join(", "),
                if t.sensitive.is_empty() { "" } else { "yes" },
                status,
                wher.join("; "),
                if more > 0 {
                    format!(" (+{more} more)")
                } else {
                    String::new()
                },
                t.sources.join(", "),
                recipients.join(", ")
            );
        }
        let _ = writeln!(out, "\n## Recipients\n");
        let _ = writeln!(
            out,
            "| Recipient | Category | Role | Declared | Seen in data | Sold | Shared |"
        );
        let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- | --- |");
        for r in &map.recipients {
            let yn = |b: bool| if b { "yes" } else { "no" };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                r.name,
                r.category_label,
                r.role,
                yn(r.declared),
                yn(r.observed),
                yn(r.sold),
                yn(r.shared)
            );
        }
    } else {
        let _ = writeln!(out, "## Findings\n");
        let _ = writeln!(out, "| Asset | Field | Data type | Confidence | Matched |");
        let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
        for a in &inv.assets {
            for f in &a.fields {
                for t in &f.types {
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {:.2} | {}/{} |",
                        a.asset,
                        f.field.as_deref().unwrap_or("(text)"),
                        t.data_type,
                        t.confidence,
                        t.matched_values,
                        t.values_checked
                    );
                }
            }
        }
    }
    if !violations.is_empty() {
        let _ = writeln!(out, "\n## Policy violations\n");
        for v in violations {
            let _ = writeln!(out, "- **{}**: {}", v.kind, v.message);
        }
    }
    let problems: Vec<_> = inv
        .assets
        .iter()
        .filter(|a| a.status != Status::Scanned)
        .collect();
    if !problems.is_empty() {
        let _ = writeln!(out, "\n## Not (fully) scanned\n");
        let _ = writeln!(out, "These assets were not read completely; the inventory says nothing about what they hold.\n");
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
            let _ = writeln!(out, "- {} — {:?}: {}", a.asset, a.status, why);
        }
    }
    out
}
