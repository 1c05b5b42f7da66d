//! "Categories collected in the preceding 12 months": the inventories kept by
//! `scan --history DIR` (`inventory-YYYY-MM-DD.json`) are merged into the current one, so a
//! data type found in March and gone by November is still disclosed in November.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::inventory::{AssetReport, AssetStats, FieldReport, Inventory, Status};

/// One inventory from the history directory.
#[derive(Clone, Debug)]
pub struct HistoryInventory {
    /// The date in its file name (YYYY-MM-DD).
    pub date: String,
    /// The inventory.
    pub inventory: Inventory,
}

/// True for a well-formed `YYYY-MM-DD` date (digits and dashes, plausible month and day).
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && digits(5..7) && digits(8..10)) {
        return false;
    }
    let m: u32 = s[5..7].parse().unwrap_or(0);
    let d: u32 = s[8..10].parse().unwrap_or(0);
    (1..=12).contains(&m) && (1..=31).contains(&d)
}

/// The same day twelve months earlier (`2026-11-29` → `2025-11-29`).
pub fn twelve_months_before(date: &str) -> String {
    let year: i32 = date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
    format!("{:04}{}", year - 1, date.get(4..).unwrap_or(""))
}

/// Reads the inventories of `dir` dated within the 12 months before `today` (inclusive of
/// `today`), oldest first. Unreadable files are reported as warnings and skipped.
pub fn load_history(dir: &Path, today: &str) -> (Vec<HistoryInventory>, Vec<String>) {
    let mut warnings = Vec::new();
    let start = twelve_months_before(today);
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            warnings.push(format!(
                "history directory {} cannot be read ({e}); only the current inventory is used",
                dir.display()
            ));
            return (Vec::new(), warnings);
        }
    };
    let mut files: Vec<(String, std::path::PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let date = name.strip_prefix("inventory-")?.strip_suffix(".json")?;
            is_date(date).then(|| (date.to_string(), e.path()))
        })
        .filter(|(date, _)| date.as_str() > start.as_str() && date.as_str() <= today)
        .collect();
    files.sort();
    let mut out = Vec::new();
    for (date, path) in files {
        match Inventory::load(&path) {
            Ok(inventory) => out.push(HistoryInventory { date, inventory }),
            Err(e) => warnings.push(format!("history inventory skipped: {e}")),
        }
    }
    (out, warnings)
}

/// The current inventory plus, from each historical inventory, the (asset, field, data
/// type) findings and observed recipients the current one no longer has. Each addition is
/// a synthetic asset whose id is `<asset id>#inventory-<date>`; the returned map gives the
/// date of every synthetic id, so evidence can say where a claim comes from.
pub fn merge(
    current: &Inventory,
    history: &[HistoryInventory],
) -> (Inventory, BTreeMap<String, String>) {
    let mut merged = current.clone();
    let mut synthetic = BTreeMap::new();
    // What is already known: (asset id, field, type) and (asset id, recipient id).
    let mut seen: BTreeSet<(String, Option<String>, String)> = BTreeSet::new();
    let mut seen_recipients: BTreeSet<(String, String)> = BTreeSet::new();
    for a in &current.assets {
        for f in &a.fields {
            for t in &f.types {
                seen.insert((a.id.clone(), f.field.clone(), t.data_type.clone()));
            }
        }
        for r in &a.recipients {
            seen_recipients.insert((a.id.clone(), r.id.clone()));
        }
    }
    // Newest first: the most recent sighting is the evidence given.
    for h in history.iter().rev() {
        for a in &h.inventory.assets {
            if matches!(a.status, Status::Failed | Status::Skipped) {
                continue;
            }
            let recipients: Vec<_> = a
                .recipients
                .iter()
                .filter(|r| seen_recipients.insert((a.id.clone(), r.id.clone())))
                .cloned()
                .collect();
            // A recipient no longer seen received what its asset held then: keep all of
            // that asset's types with it, so the flow is linked to the data.
            let all = !recipients.is_empty();
            let mut fields = Vec::new();
            for f in &a.fields {
                let types: Vec<_> = f
                    .types
                    .iter()
                    .filter(|t| {
                        seen.insert((a.id.clone(), f.field.clone(), t.data_type.clone())) || all
                    })
                    .cloned()
                    .collect();
                if !types.is_empty() {
                    fields.push(FieldReport {
                        field: f.field.clone(),
                        values_checked: f.values_checked,
                        types,
                    });
                }
            }
            if fields.is_empty() && recipients.is_empty() {
                continue;
            }
            let id = format!("{}#inventory-{}", a.id, h.date);
            synthetic.insert(id.clone(), h.date.clone());
            merged.assets.push(AssetReport {
                id,
                asset: a.asset.clone(),
                kind: a.kind,
                source: a.source.clone(),
                format: a.format.clone(),
                compression: a.compression.clone(),
                line_format: a.line_format.clone(),
                status: Status::Scanned,
                skipped_reason: None,
                stats: AssetStats::default(),
                fields,
                recipients,
                errors: Vec::new(),
            });
        }
    }
    (merged, synthetic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::ScanInfo;
    use crate::inventory::Verdict;

    fn inventory(types: &[(&str, &str)]) -> Inventory {
        let mut a = AssetReport::new(
            "file:a.csv".into(),
            "a.csv".into(),
            crate::inventory::AssetKind::File,
            "csv",
        );
        for (field, dt) in types {
            let v: Verdict = serde_json::from_value(serde_json::json!({
                "data_type": dt, "confidence": 1.0, "matched_values": 3, "values_checked": 3,
                "ratio": 1.0, "validator_pass_rate": null, "distinct": 3, "evidence": ["pattern"],
                "rules": [dt], "examples": []
            }))
            .unwrap();
            a.fields.push(FieldReport {
                field: Some(field.to_string()),
                values_checked: 3,
                types: vec![v],
            });
        }
        Inventory::new(ScanInfo::default(), vec![a])
    }

    #[test]
    fn dates_and_the_twelve_month_window() {
        assert!(is_date("2026-11-29"));
        assert!(!is_date("2026-13-01") && !is_date("26-11-29") && !is_date("2026/11/29"));
        assert_eq!(twelve_months_before("2026-11-29"), "2025-11-29");
        let dir = tempfile::tempdir().unwrap();
        let inv = serde_json::to_string(&inventory(&[("email", "email")])).unwrap();
        for name in [
            "inventory-2025-11-29.json",
            "inventory-2025-11-30.json",
            "inventory-2026-11-29.json",
            "inventory-2026-11-30.json",
            "notes.json",
        ] {
            std::fs::write(dir.path().join(name), &inv).unwrap();
        }
        std::fs::write(dir.path().join("inventory-2026-01-01.json"), "{").unwrap();
        let (h, warnings) = load_history(dir.path(), "2026-11-29");
        let dates: Vec<&str> = h.iter().map(|h| h.date.as_str()).collect();
        assert_eq!(dates, ["2025-11-30", "2026-11-29"]);
        assert_eq!(
            warnings.len(),
            1,
            "the broken file is reported: {warnings:?}"
        );
    }

    #[test]
    fn merge_adds_only_what_the_current_inventory_lacks() {
        let current = inventory(&[("email", "email")]);
        let old = HistoryInventory {
            date: "2026-05-01".into(),
            inventory: inventory(&[("email", "email"), ("gender", "gender")]),
        };
        let (merged, synthetic) = merge(&current, &[old]);
        assert_eq!(merged.assets.len(), 2);
        let added = &merged.assets[1];
        assert_eq!(added.id, "file:a.csv#inventory-2026-05-01");
        assert_eq!(added.data_types().collect::<Vec<_>>(), ["gender"]);
        assert_eq!(synthetic["file:a.csv#inventory-2026-05-01"], "2026-05-01");
        // Nothing new: nothing added.
        let (merged, synthetic) = merge(
            &current,
            &[HistoryInventory {
                date: "2026-06-01".into(),
                inventory: inventory(&[("email", "email")]),
            }],
        );
        assert_eq!(merged.assets.len(), 1);
        assert!(synthetic.is_empty());
    }
}
