//! `inventory.md`: the inventory as a readable summary for privacy and legal teams.
//!
//! Every data-derived string (asset and field names, labels, messages) goes through
//! [`markdown_cell`](super::escape::markdown_cell) or [`markdown_code`]: no HTML, no forged link, no
//! `|` or newline that would break a table row, no raw control character.

use std::fmt::Write as _;

use super::escape::{markdown_cell as md, markdown_code};

use crate::inventory::datamap::{DataMap, Presence, TypeEntry};
use crate::inventory::Inventory;
use crate::policy::Violation;

/// Renders the summary (Markdown, data escaped).
pub fn inventory_markdown(inv: &Inventory, violations: &[Violation]) -> String {
    let mut out = String::new();
    let s = &inv.scan;
    let _ = writeln!(out, "# Personal information inventory\n");
    let _ = writeln!(
        out,
        "Scanned {} on {}: {} asset(s) scanned, {} partial, {} failed, {} skipped. All examples are masked.\n",
        md(&s.roots.join(", ")),
        md(&s.started_at),
        s.assets_scanned,
        s.assets_partial,
        s.assets_failed,
        s.assets_skipped
    );
    match &inv.data_map {
        Some(map) => {
            what_we_hold(&mut out, map);
            recipients(&mut out, map);
        }
        None => findings(&mut out, inv),
    }
    if !violations.is_empty() {
        let _ = writeln!(out, "\n## Policy violations\n");
        for v in violations {
            let _ = writeln!(out, "- **{}**: {}", md(v.kind.as_str()), md(&v.message));
        }
    }
    what_was_read(&mut out, inv);
    out
}

/// The status cell of a data type.
fn status(t: &TypeEntry) -> &'static str {
    if t.assets.is_empty() && !t.dismissed.is_empty() {
        return "dismissed (false positive)";
    }
    match t.presence {
        Presence::FoundAndDeclared => "found, declared",
        Presence::FoundUndeclared => "**found, not declared — needs review**",
        Presence::DeclaredNotFound => "declared, not found",
    }
}

/// The "Where" cell: the first four assets (and fields), then how many more.
fn where_cell(t: &TypeEntry) -> String {
    let wher: Vec<String> = t
        .assets
        .iter()
        .take(4)
        .map(|a| {
            format!(
                "{}{}",
                md(&a.asset),
                a.field
                    .as_deref()
                    .map(|f| format!(" {}", markdown_code(f)))
                    .unwrap_or_default()
            )
        })
        .collect();
    let more = t.assets.len().saturating_sub(4);
    let more = if more > 0 {
        format!(" (+{more} more)")
    } else {
        String::new()
    };
    format!("{}{more}", wher.join("; "))
}

/// One row per data type of the data map.
fn what_we_hold(out: &mut String, map: &DataMap) {
    let _ = writeln!(out, "## What we hold\n");
    let _ = writeln!(
        out,
        "| Data type | CCPA categories | Sensitive | Status | Where | Sources | Recipients |"
    );
    let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- | --- |");
    for t in &map.data_types {
        let recipients: Vec<String> = t
            .recipients
            .iter()
            .map(|r| {
                let undeclared = if r.declared {
                    ""
                } else {
                    " (observed, undeclared)"
                };
                format!("{}{undeclared}", md(&r.name))
            })
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            md(&t.label),
            md(&t.law.ccpa.join(", ")),
            if t.law.sensitive.is_empty() {
                ""
            } else {
                "yes"
            },
            status(t),
            where_cell(t),
            md(&t.sources.join(", ")),
            recipients.join(", ")
        );
    }
}

/// One row per recipient of the data map.
fn recipients(out: &mut String, map: &DataMap) {
    let _ = writeln!(out, "\n## Recipients\n");
    let _ = writeln!(
        out,
        "| Recipient | Category | Role | Declared | Seen in data | Sold | Shared |"
    );
    let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- | --- |");
    let yn = |b: bool| if b { "yes" } else { "no" };
    for r in &map.recipients {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            md(&r.name),
            md(&r.category_label),
            md(r.role.as_str()),
            yn(r.declared),
            yn(r.observed),
            yn(r.sold),
            yn(r.shared)
        );
    }
}

/// Without a manifest: one row per finding.
fn findings(out: &mut String, inv: &Inventory) {
    let _ = writeln!(out, "## Findings\n");
    let _ = writeln!(out, "| Asset | Field | Data type | Confidence | Matched |");
    let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
    for a in &inv.assets {
        for f in &a.fields {
            for t in &f.types {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {:.2} | {}/{} |",
                    md(&a.asset),
                    md(f.field.as_deref().unwrap_or("(text)")),
                    md(&t.data_type),
                    t.confidence,
                    t.matched_values,
                    t.values_checked
                );
            }
        }
    }
}

/// What was read, and what was not (fully).
fn what_was_read(out: &mut String, inv: &Inventory) {
    let _ = writeln!(out, "\n## What was read\n");
    let _ = writeln!(out, "| Asset | Status | Read |");
    let _ = writeln!(out, "| --- | --- | --- |");
    for a in &inv.assets {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            md(&a.asset),
            format!("{:?}", a.status).to_lowercase(),
            md(&a.stats.coverage)
        );
    }
    let problems = inv.not_fully_scanned();
    if !problems.is_empty() {
        let _ = writeln!(out, "\n## Not (fully) scanned\n");
        let _ = writeln!(out, "These assets were not read completely; the inventory says nothing about what they hold.\n");
        for a in problems {
            let why = a.problem();
            let _ = writeln!(out, "- {} — {:?}: {}", md(&a.asset), a.status, md(&why));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_cannot_break_the_markdown() {
        let md = inventory_markdown(&super::super::tests::hostile_inventory(), &[]);
        assert!(!md.contains("<script") && !md.contains("<b>"), "{md}");
        assert!(!md.chars().any(|c| c.is_control() && c != '\n'), "{md}");
        let unescaped = |r: &str| {
            r.char_indices()
                .filter(|&(i, c)| c == '|' && (i == 0 || !r[..i].ends_with('\\')))
                .count()
        };
        let (findings, read) = md.split_once("## What was read").expect("both tables");
        let rows: Vec<&str> = findings.lines().filter(|l| l.starts_with("| ")).collect();
        // Header, separator, one row per finding; each with 5 unescaped-pipe cells.
        assert_eq!(rows.len(), 2 + 7, "{md}");
        for r in &rows {
            assert_eq!(unescaped(r), 6, "{r}");
        }
        // What was read: header, separator, one row per asset, 3 cells each.
        let rows: Vec<&str> = read.lines().filter(|l| l.starts_with("| ")).collect();
        assert_eq!(rows.len(), 2 + 3, "{md}");
        for r in &rows {
            assert_eq!(unescaped(r), 4, "{r}");
        }
        assert!(md.contains("| a\\|b c |"), "{md}");
        assert!(md.contains("\\[x\\](javascript:y)"), "{md}");
        assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{md}");
        assert!(
            md.contains("data/evil\\x1b\\]0;title\\x07&lt;b&gt;\\|.csv"),
            "{md}"
        );
    }
}
