//! The recipients of the data map, across data types: every declared recipient, with
//! the data types its declaration gives it and those the data only shows beside it
//! (co-location, for review), then every vendor observed in the data and declared
//! nowhere.

use super::datamap::{Colocation, RecipientEntry, TypeEntry};
use super::scanned::Observed;
use crate::knowledge::{Catalog, VocabKind, Vocabulary};
use crate::manifest::{Manifest, Role};

/// The data types of `types` whose entry lists recipient `id`.
fn received_by(types: &[TypeEntry], id: &str) -> Vec<String> {
    types
        .iter()
        .filter(|t| t.recipients.iter().any(|x| x.id == id))
        .map(|t| t.data_type.clone())
        .collect()
}

/// The collected types seen in the same assets as the vendor behind declared recipient
/// `id` that the data map does not give it (its declaration does not cover them).
fn colocations(
    types: &[TypeEntry],
    id: &str,
    seen: &super::scanned::ObservedVendor,
) -> Vec<Colocation> {
    types
        .iter()
        .filter(|t| !t.assets.is_empty() && !t.recipients.iter().any(|x| x.id == id))
        .filter_map(|t| {
            let assets = seen.types.get(&t.data_type)?;
            Some(Colocation {
                data_type: t.data_type.clone(),
                assets: assets.iter().cloned().collect(),
            })
        })
        .collect()
}

/// One entry per declared recipient, then one per observed vendor declared nowhere.
pub(super) fn recipient_entries(
    types: &[TypeEntry],
    manifest: &Manifest,
    vocab: &Vocabulary,
    catalog: &Catalog,
    observed: &Observed,
) -> Vec<RecipientEntry> {
    let mut out: Vec<RecipientEntry> = Vec::new();
    for (id, r) in &manifest.recipients {
        let cid = manifest.recipient_catalog_id(id);
        let seen = observed.get(cid);
        out.push(RecipientEntry {
            id: id.clone(),
            name: r.name.clone(),
            category: r.category.get_ref().clone(),
            category_label: vocab
                .label(VocabKind::RecipientCategory, r.category.get_ref())
                .to_string(),
            role: r.role(),
            declared: true,
            observed: seen.is_some(),
            advertising: catalog.get(cid).is_some_and(|v| v.advertising),
            sold: r.sold,
            shared: r.shared_for_cross_context_advertising,
            purposes: r.purposes.iter().map(|p| p.get_ref().clone()).collect(),
            data_types: received_by(types, id),
            transfer_country: r
                .transfer
                .as_ref()
                .map(|t| t.country.clone())
                .unwrap_or_default(),
            transfer_safeguard: r
                .transfer
                .as_ref()
                .map(|t| t.safeguard.clone())
                .unwrap_or_default(),
            evidence: seen.map(|s| s.evidence.clone()).unwrap_or_default(),
            colocated: seen.map(|s| colocations(types, id, s)).unwrap_or_default(),
        });
    }
    for (vid, seen) in observed {
        if manifest
            .recipients
            .keys()
            .any(|k| manifest.recipient_catalog_id(k) == vid)
        {
            continue;
        }
        let Some(v) = catalog.get(vid) else { continue };
        out.push(RecipientEntry {
            id: vid.clone(),
            name: v.name.clone(),
            category: v.category.clone(),
            category_label: vocab
                .label(VocabKind::RecipientCategory, &v.category)
                .to_string(),
            role: Role::Unknown,
            declared: false,
            observed: true,
            advertising: v.advertising,
            sold: false,
            shared: false,
            purposes: Vec::new(),
            data_types: received_by(types, vid),
            transfer_country: String::new(),
            transfer_safeguard: String::new(),
            evidence: seen.evidence.clone(),
            colocated: Vec::new(),
        });
    }
    out
}
