//! Third parties that control the collection of personal information on the business's
//! website or app — pixels, tags, SDKs (11 CCR §7012(g)): the notice at collection names
//! them. Evidence is catalog literals (domains, markers), never scanned values.

use std::collections::BTreeMap;

use serde::Serialize;

use super::push_unique;
use crate::inventory::{AssetReport, Inventory, ObservedRecipient};
use crate::knowledge::{VocabKind, Vocabulary};
use crate::manifest::Manifest;

/// A third party that controls collection on the business's site or app (11 CCR §7012(g)).
#[derive(Clone, Debug, Serialize)]
pub struct CollectorModel {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Recipient-category label.
    pub category: String,
    /// Typically acts for cross-context advertising.
    pub advertising: bool,
    /// Declared in the manifest.
    pub declared: bool,
    /// Where it was seen (catalog literals, never scanned values).
    pub evidence: Vec<String>,
}

/// A recipient counts when the catalog marks it as advertising, or when it was seen in
/// a web or application log by its domain or marker (a tag or SDK on the site).
fn controls_collection(a: &AssetReport, r: &ObservedRecipient) -> bool {
    let log = a.format == "text" || a.line_format.is_some();
    let web = log
        && r.evidence.iter().any(|e| {
            matches!(
                e.kind,
                crate::knowledge::RecipientKind::Domain | crate::knowledge::RecipientKind::Marker
            )
        });
    r.advertising || web
}

/// The collectors seen in `merged` (the current inventory and the earlier ones,
/// `synthetic` giving the date of those), advertisers first, then by name.
pub(super) fn collectors(
    merged: &Inventory,
    manifest: &Manifest,
    vocab: &Vocabulary,
    synthetic: &BTreeMap<String, String>,
) -> Vec<CollectorModel> {
    let mut collectors: Vec<CollectorModel> = Vec::new();
    for a in &merged.assets {
        let asset = synthetic.get(&a.id).map_or_else(
            || a.asset.clone(),
            |d| format!("{} (inventory of {d})", a.asset),
        );
        for r in a.recipients.iter().filter(|r| controls_collection(a, r)) {
            let declared = manifest
                .recipients
                .iter()
                .find(|(k, _)| manifest.recipient_catalog_id(k) == r.id);
            let c = match collectors.iter().position(|c| c.id == r.id) {
                Some(i) => &mut collectors[i],
                None => {
                    collectors.push(CollectorModel {
                        id: r.id.clone(),
                        name: declared.map_or_else(|| r.name.clone(), |(_, d)| d.name.clone()),
                        category: vocab
                            .label(VocabKind::RecipientCategory, &r.category)
                            .to_string(),
                        advertising: r.advertising,
                        declared: declared.is_some(),
                        evidence: Vec::new(),
                    });
                    collectors.last_mut().expect("just pushed")
                }
            };
            for e in &r.evidence {
                let field = e
                    .field
                    .as_deref()
                    .map(|f| format!(" ({f})"))
                    .unwrap_or_default();
                push_unique(
                    &mut c.evidence,
                    format!("{asset}{field}: {} ×{}", e.matched, e.count),
                );
            }
        }
    }
    collectors.sort_by(|a, b| (!a.advertising, &a.name).cmp(&(!b.advertising, &b.name)));
    collectors
}
