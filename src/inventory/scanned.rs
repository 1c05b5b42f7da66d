//! The first step of the data-map join: the inventory read asset by asset — what was
//! found per data type (live and dismissed), what could not be read, and which vendors
//! were seen beside which data types (co-location, the only thing the data says about
//! a flow).

use std::collections::{BTreeMap, BTreeSet};

use super::datamap::{source_of, AssetRef, Coverage};
use super::disposition::{colocation_disposition_for, disposition_for};
use super::{AssetReport, Inventory, Status};
use crate::manifest::Manifest;

/// What the scan found, per data type: live findings and dismissed ones.
pub(super) type Found = BTreeMap<String, (Vec<AssetRef>, Vec<AssetRef>)>;

/// A vendor seen in the data.
#[derive(Clone, Debug, Default)]
pub(super) struct ObservedVendor {
    /// Evidence lines: `asset (field): matched ×count`.
    pub evidence: Vec<String>,
    /// The live data types of the assets it was seen in, each with those assets (paths),
    /// less the co-locations a disposition has reviewed.
    pub types: BTreeMap<String, BTreeSet<String>>,
}

/// Vendors observed, per catalog id.
pub(super) type Observed = BTreeMap<String, ObservedVendor>;

/// The inventory read asset by asset.
#[derive(Default)]
pub(super) struct Scanned {
    pub found: Found,
    pub coverage: Coverage,
    pub observed: Observed,
}

/// A live finding of an asset: its data type and field.
type Live = Vec<(String, Option<String>)>;

impl Scanned {
    pub fn read(inv: &Inventory, manifest: &Manifest, today: &str) -> Scanned {
        let mut s = Scanned::default();
        for a in &inv.assets {
            s.count_coverage(a);
            let live = s.add_findings(a, manifest, today);
            s.add_observed_vendors(a, &live, manifest, today);
        }
        s
    }

    fn count_coverage(&mut self, a: &AssetReport) {
        let coverage = &mut self.coverage;
        match a.status {
            Status::Scanned => coverage.scanned += 1,
            Status::Partial | Status::Failed => {
                coverage
                    .failed
                    .push(format!("{}: {}", a.asset, a.problem()));
                if a.status == Status::Partial {
                    coverage.scanned += 1;
                }
            }
            Status::Skipped => coverage.skipped.push(format!(
                "{}: {}",
                a.asset,
                a.skipped_reason.clone().unwrap_or_default()
            )),
            Status::Empty => coverage.empty.push(format!("{}: {}", a.asset, a.problem())),
        }
        for c in &a.stats.skipped_columns {
            coverage
                .skipped_columns
                .push(format!("{}: {} ({})", a.asset, c.column, c.reason));
        }
    }

    /// Files each finding of `a` as live or dismissed; returns the live ones.
    fn add_findings(&mut self, a: &AssetReport, manifest: &Manifest, today: &str) -> Live {
        let source = source_of(a, manifest);
        let mut live = Live::new();
        for f in &a.fields {
            for t in &f.types {
                let mut r = AssetRef {
                    asset: a.id.clone(),
                    field: f.field.clone(),
                    source: source.clone(),
                    confidence: t.confidence,
                    matched_values: t.matched_values,
                    values_checked: t.values_checked,
                    evidence: t.evidence.clone(),
                    examples: t.examples.clone(),
                    disposition: None,
                };
                let entry = self.found.entry(t.data_type.clone()).or_default();
                match disposition_for(manifest, a, f.field.as_deref(), &t.data_type, today) {
                    Some(d) if d.status.get_ref() == "false_positive" => {
                        r.disposition =
                            Some(format!("false_positive: {} ({})", d.reason, d.reviewer));
                        entry.1.push(r);
                    }
                    Some(d) => {
                        r.disposition = Some(format!("accepted: {} ({})", d.reason, d.reviewer));
                        live.push((t.data_type.clone(), f.field.clone()));
                        entry.0.push(r);
                    }
                    None => {
                        live.push((t.data_type.clone(), f.field.clone()));
                        entry.0.push(r);
                    }
                }
            }
        }
        live
    }

    /// Records each vendor seen in `a` beside the live types of `a`, except where a
    /// disposition says the declared recipient does not receive the type.
    fn add_observed_vendors(&mut self, a: &AssetReport, live: &Live, m: &Manifest, today: &str) {
        for r in &a.recipients {
            let key = m
                .recipients
                .keys()
                .find(|k| m.recipient_catalog_id(k) == r.id);
            let e = self.observed.entry(r.id.clone()).or_default();
            for ev in &r.evidence {
                let field = ev
                    .field
                    .as_deref()
                    .map(|f| format!(" ({f})"))
                    .unwrap_or_default();
                e.evidence
                    .push(format!("{}{field}: {} ×{}", a.asset, ev.matched, ev.count));
            }
            for (t, field) in live {
                let reviewed = key.is_some_and(|k| {
                    colocation_disposition_for(m, a, field.as_deref(), t, k, today)
                        .is_some_and(|d| d.status.get_ref() == "false_positive")
                });
                if !reviewed {
                    e.types
                        .entry(t.clone())
                        .or_default()
                        .insert(a.asset.clone());
                }
            }
        }
    }
}
