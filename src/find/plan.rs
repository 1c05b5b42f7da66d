//! Where to look: the inventory says which assets and fields hold which data types, so
//! an email is looked up only where emails were found (`--everywhere`: every text
//! field). An asset the inventory could not classify (failed, partial, empty) is
//! searched in every field, so that a scan's failure never hides the person's data.

use std::collections::{BTreeMap, BTreeSet};

use super::ident::{IdentKind, Identifier};
use crate::inventory::{AssetReport, Inventory, Status};

/// What to look for in one asset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssetPlan {
    /// Identifier indexes by field (`None`: the asset's unstructured text).
    pub fields: BTreeMap<Option<String>, BTreeSet<usize>>,
    /// Every field, every identifier: the inventory could not tell (or `--everywhere`).
    pub every_field: bool,
    /// The data types the inventory found in the asset, by field.
    pub types: BTreeMap<Option<String>, Vec<String>>,
}

impl AssetPlan {
    /// The identifiers looked for in `field`.
    pub fn identifiers_for(&self, field: Option<&str>, all: usize) -> BTreeSet<usize> {
        if self.every_field {
            return (0..all).collect();
        }
        self.fields
            .get(&field.map(str::to_string))
            .cloned()
            .unwrap_or_default()
    }

    /// Every identifier looked for anywhere in the asset.
    pub fn identifiers(&self, all: usize) -> BTreeSet<usize> {
        if self.every_field {
            return (0..all).collect();
        }
        self.fields.values().flatten().copied().collect()
    }

    /// The data types held anywhere in the asset.
    pub fn all_types(&self) -> BTreeSet<String> {
        self.types.values().flatten().cloned().collect()
    }
}

/// The plan of a whole lookup.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// By asset id.
    pub assets: BTreeMap<String, AssetPlan>,
    /// Search assets the inventory does not list, in every field.
    pub everywhere: bool,
}

/// Why an asset is searched everywhere, if it is.
fn unclassified(a: &AssetReport) -> bool {
    matches!(a.status, Status::Failed | Status::Partial | Status::Empty)
}

impl Plan {
    /// The plan for `identifiers` from `inventory` (none: only `--everywhere` works).
    pub fn new(
        inventory: Option<&Inventory>,
        identifiers: &[Identifier],
        everywhere: bool,
    ) -> Plan {
        let mut plan = Plan {
            assets: BTreeMap::new(),
            everywhere,
        };
        let Some(inv) = inventory else { return plan };
        for a in &inv.assets {
            let mut p = AssetPlan {
                every_field: everywhere || unclassified(a),
                ..AssetPlan::default()
            };
            for f in &a.fields {
                let types: Vec<String> = f.types.iter().map(|t| t.data_type.clone()).collect();
                for (i, id) in identifiers.iter().enumerate() {
                    if types
                        .iter()
                        .any(|t| id.kind.data_types().contains(&t.as_str()))
                    {
                        p.fields.entry(f.field.clone()).or_default().insert(i);
                    }
                }
                p.types.insert(f.field.clone(), types);
            }
            plan.assets.insert(a.id.clone(), p);
        }
        plan
    }

    /// What to look for in asset `id` (`None`: not searched, with the reason).
    pub fn asset(&self, id: &str) -> Result<AssetPlan, &'static str> {
        match self.assets.get(id) {
            Some(p) => Ok(p.clone()),
            None if self.everywhere => Ok(AssetPlan {
                every_field: true,
                ..AssetPlan::default()
            }),
            None => Err("not in the inventory (scan it again, or use --everywhere)"),
        }
    }

    /// Whether the plan looks for anything in the asset beyond customer ids.
    pub fn searches(p: &AssetPlan, identifiers: &[Identifier]) -> bool {
        p.every_field
            || identifiers.iter().any(|i| i.kind == IdentKind::CustomerId)
            || !p.fields.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::find::ident::region;
    use crate::inventory::{AssetKind, FieldReport, ScanInfo, Verdict};

    fn verdict(t: &str) -> Verdict {
        Verdict {
            data_type: t.into(),
            confidence: 0.9,
            matched_values: 1,
            values_checked: 1,
            ratio: 1.0,
            validator_pass_rate: None,
            distinct: 1,
            evidence: vec![],
            rules: vec![],
            examples: vec![],
        }
    }

    #[test]
    fn an_email_is_looked_up_only_where_emails_were_found() {
        let mut a = AssetReport::new("t1".into(), "t1".into(), AssetKind::Table, "sqlite");
        a.fields = vec![
            FieldReport {
                field: Some("email".into()),
                values_checked: 1,
                types: vec![verdict("email")],
            },
            FieldReport {
                field: Some("phone".into()),
                values_checked: 1,
                types: vec![verdict("phone")],
            },
        ];
        let mut failed = AssetReport::new("t2".into(), "t2".into(), AssetKind::Table, "sqlite");
        failed.fail("timeout", "slow".into(), false);
        let inv = Inventory::new(ScanInfo::default(), vec![a, failed]);
        let ids =
            vec![Identifier::parse(IdentKind::Email, "a@b.co", region("US").unwrap()).unwrap()];
        let plan = Plan::new(Some(&inv), &ids, false);
        let p = plan.asset("t1").unwrap();
        assert_eq!(p.identifiers_for(Some("email"), 1), BTreeSet::from([0]));
        assert!(p.identifiers_for(Some("phone"), 1).is_empty());
        assert!(
            plan.asset("t2").unwrap().every_field,
            "a failed scan hides nothing"
        );
        assert!(plan.asset("t3").is_err());
        assert!(
            Plan::new(Some(&inv), &ids, true)
                .asset("t3")
                .unwrap()
                .every_field
        );
    }
}
