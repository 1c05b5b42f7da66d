//! Combining partial inventories (`piimap merge`), e.g. from `--shard K/N` runs.
//!
//! The merge is associative and commutative: assets are keyed by id and, should two parts
//! both hold one, the same deterministic winner is kept whatever the order; run-level
//! facts combine with order-free operations (sorted unions, min, max, sums).

use std::collections::BTreeMap;

use super::{AssetReport, Inventory, ScanInfo, Status};

fn status_rank(s: Status) -> u8 {
    match s {
        Status::Scanned => 4,
        Status::Partial => 3,
        Status::Empty => 2,
        Status::Failed => 1,
        Status::Skipped => 0,
    }
}

/// Which of two reports of the same asset to keep: the more complete scan, then a fixed
/// order on the serialised form (so the choice never depends on argument order).
fn prefer(a: AssetReport, b: AssetReport) -> AssetReport {
    match status_rank(a.status).cmp(&status_rank(b.status)) {
        std::cmp::Ordering::Greater => a,
        std::cmp::Ordering::Less => b,
        std::cmp::Ordering::Equal => {
            let ka = serde_json::to_string(&a).unwrap_or_default();
            let kb = serde_json::to_string(&b).unwrap_or_default();
            if ka <= kb {
                a
            } else {
                b
            }
        }
    }
}

fn union_sorted(a: &[String], b: &[String]) -> Vec<String> {
    let mut v: Vec<String> = a.iter().chain(b).cloned().collect();
    v.sort();
    v.dedup();
    v
}

fn merge_info(a: &ScanInfo, b: &ScanInfo) -> ScanInfo {
    let mut settings = a.settings.clone();
    for (k, v) in &b.settings {
        match settings.get(k) {
            Some(old) if old <= v => {}
            _ => {
                settings.insert(k.clone(), v.clone());
            }
        }
    }
    let started_at = match (a.started_at.is_empty(), b.started_at.is_empty()) {
        (true, _) => b.started_at.clone(),
        (_, true) => a.started_at.clone(),
        _ => a.started_at.clone().min(b.started_at.clone()),
    };
    ScanInfo {
        roots: union_sorted(&a.roots, &b.roots),
        started_at,
        duration_ms: a.duration_ms.max(b.duration_ms),
        bytes: a.bytes + b.bytes,
        settings,
        rescanned: union_sorted(&a.rescanned, &b.rescanned),
        carried: union_sorted(&a.carried, &b.carried),
        manifest: a.manifest.clone().max(b.manifest.clone()),
        ..ScanInfo::default()
    }
}

impl Inventory {
    /// Merges two inventories (see the module docs for the laws it keeps). The data map
    /// is dropped: rebuild it from the merged assets and the manifest.
    pub fn merge(a: &Inventory, b: &Inventory) -> Inventory {
        let mut assets: BTreeMap<String, AssetReport> = BTreeMap::new();
        for r in a.assets.iter().chain(&b.assets) {
            let merged = match assets.remove(&r.id) {
                Some(existing) => prefer(existing, r.clone()),
                None => r.clone(),
            };
            assets.insert(r.id.clone(), merged);
        }
        Inventory::new(merge_info(&a.scan, &b.scan), assets.into_values().collect())
    }

    /// Merges any number of inventories.
    pub fn merge_all(parts: &[Inventory]) -> Option<Inventory> {
        let (first, rest) = parts.split_first()?;
        Some(rest.iter().fold(
            Inventory::merge(first, &Inventory::new(ScanInfo::default(), Vec::new())),
            |acc, p| Inventory::merge(&acc, p),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::FieldReport;
    use crate::inventory::Verdict;
    use proptest::prelude::*;

    fn asset(id: u8, status: u8, ty: u8) -> AssetReport {
        let mut r = AssetReport::new(
            format!("file:a{id}"),
            format!("a{id}"),
            crate::inventory::AssetKind::File,
            "csv",
        );
        r.status = [
            Status::Scanned,
            Status::Partial,
            Status::Failed,
            Status::Skipped,
            Status::Empty,
        ][status as usize % 5];
        r.fields.push(FieldReport {
            field: Some(format!("f{ty}")),
            values_checked: u64::from(ty),
            types: vec![Verdict {
                data_type: ["email", "phone", "ssn"][ty as usize % 3].into(),
                confidence: 0.9,
                matched_values: u64::from(ty),
                values_checked: u64::from(ty),
                ratio: 1.0,
                validator_pass_rate: None,
                distinct: 1,
                evidence: vec!["pattern".into()],
                rules: vec!["x".into()],
                examples: vec![],
            }],
        });
        r
    }

    fn inventory() -> impl Strategy<Value = Inventory> {
        (
            proptest::collection::vec((0u8..12, 0u8..4, 0u8..6), 0..8),
            0u64..1000,
            proptest::collection::vec("[a-c]{1,2}", 0..3),
        )
            .prop_map(|(assets, ms, roots)| {
                let info = ScanInfo {
                    roots,
                    duration_ms: ms,
                    bytes: ms * 7,
                    started_at: format!("2026-11-{:02}T00:00:00Z", ms % 28 + 1),
                    ..ScanInfo::default()
                };
                // A real scan reports each asset once.
                let unique: BTreeMap<u8, (u8, u8)> =
                    assets.into_iter().map(|(i, s, t)| (i, (s, t))).collect();
                let assets = unique
                    .into_iter()
                    .map(|(i, (s, t))| asset(i, s, t))
                    .collect();
                Inventory::new(info, assets)
            })
    }

    fn key(inv: &Inventory) -> String {
        serde_json::to_string(inv).unwrap()
    }

    proptest! {
        #[test]
        fn merge_is_commutative(a in inventory(), b in inventory()) {
            prop_assert_eq!(key(&Inventory::merge(&a, &b)), key(&Inventory::merge(&b, &a)));
        }

        #[test]
        fn merge_is_associative(a in inventory(), b in inventory(), c in inventory()) {
            let left = Inventory::merge(&Inventory::merge(&a, &b), &c);
            let right = Inventory::merge(&a, &Inventory::merge(&b, &c));
            prop_assert_eq!(key(&left), key(&right));
        }

        #[test]
        fn merging_disjoint_shards_gives_the_whole(a in inventory(), n in 1u32..5) {
            // Split a's assets by shard, merge the parts back: the assets and roll-up are a's.
            let parts: Vec<Inventory> = (0..n).map(|k| {
                let shard = crate::scan::shard::Shard { index: k, count: n };
                let assets = a.assets.iter().filter(|x| shard.owns(&x.id)).cloned().collect();
                Inventory::new(a.scan.clone(), assets)
            }).collect();
            let merged = Inventory::merge_all(&parts).unwrap();
            prop_assert_eq!(serde_json::to_string(&merged.assets).unwrap(), serde_json::to_string(&a.assets).unwrap());
            prop_assert_eq!(serde_json::to_string(&merged.summary).unwrap(), serde_json::to_string(&a.summary).unwrap());
        }
    }
}
