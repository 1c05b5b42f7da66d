//! Who collects personal information on the business's website or app — pixels, tags,
//! SDKs — and in what role. Third parties that control the collection must be named in
//! the notice at collection (11 CCR §7012(g)), and the policy says whether third parties
//! may collect across websites (Bus. & Prof. Code §22575(b)(6)); a service provider or
//! contractor collecting on the business's behalf is neither, and is worded as such.
//! Evidence is catalog literals (domains, markers), never scanned values.

use std::collections::BTreeMap;

use serde::Serialize;

use super::answers::{withheld, WithheldModel};
use super::context::Ctx;
use super::push_unique;
use crate::inventory::answers::Question;
use crate::inventory::{AssetReport, Inventory, ObservedRecipient};
use crate::knowledge::VocabKind;
use crate::manifest::Role;

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
    /// The declared role (`unknown` when not declared).
    pub role: Role,
    /// A declared third party: it controls the collection (§7012(g)).
    pub third_party: bool,
    /// A declared service provider or contractor: it collects on the business's behalf.
    pub on_our_behalf: bool,
    /// Where it was seen (catalog literals, never scanned values).
    pub evidence: Vec<String>,
}

/// Collection on the site by others, sorted by role, and the CalOPPA statement.
#[derive(Clone, Debug, Serialize)]
pub struct TrackingModel {
    /// Third parties, declared or not (role unknown), that collect on the site: they
    /// control the collection (11 CCR §7012(g)) and may collect across websites.
    pub third_parties: Vec<CollectorModel>,
    /// Declared service providers and contractors collecting on the business's behalf.
    pub on_our_behalf: Vec<CollectorModel>,
    /// "We do not allow third parties to collect personal information about your online
    /// activities over time and across different websites" may be printed.
    pub none_statement: bool,
    /// `disclosures.third_party_tracking = true`.
    pub answered_yes: bool,
    /// Why the statement is withheld.
    pub withheld: Vec<WithheldModel>,
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
    cx: &Ctx<'_>,
    synthetic: &BTreeMap<String, String>,
) -> Vec<CollectorModel> {
    let (manifest, vocab) = (cx.manifest, cx.vocab);
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
                    let role = declared.map_or(Role::Unknown, |(_, d)| d.role());
                    collectors.push(CollectorModel {
                        id: r.id.clone(),
                        name: declared.map_or_else(|| r.name.clone(), |(_, d)| d.name.clone()),
                        category: vocab
                            .label(VocabKind::RecipientCategory, &r.category)
                            .to_string(),
                        advertising: r.advertising,
                        declared: declared.is_some(),
                        role,
                        third_party: role == Role::ThirdParty,
                        on_our_behalf: role.is_processor(),
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

/// The collectors sorted by role. "No third party collects across websites" needs
/// `disclosures.third_party_tracking = false` and no third party (or undeclared vendor)
/// seen collecting; a declared service provider does not count.
pub(super) fn tracking(cx: &mut Ctx<'_>, collectors: &[CollectorModel]) -> TrackingModel {
    let (on_our_behalf, third_parties): (Vec<CollectorModel>, Vec<CollectorModel>) =
        collectors.iter().cloned().partition(|c| c.on_our_behalf);
    let q = Question::ThirdPartyTracking;
    TrackingModel {
        none_statement: cx.answers.says_no(q) && third_parties.is_empty(),
        answered_yes: cx.answers.answer(q) == Some(true),
        withheld: if third_parties.is_empty() {
            withheld(cx, &[q])
        } else {
            Vec::new()
        },
        third_parties,
        on_our_behalf,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collector(role: Role) -> CollectorModel {
        CollectorModel {
            id: "x".into(),
            name: "X".into(),
            category: "Data analytics providers".into(),
            advertising: false,
            declared: role != Role::Unknown,
            role,
            third_party: role == Role::ThirdParty,
            on_our_behalf: role.is_processor(),
            evidence: Vec::new(),
        }
    }

    /// 11 CCR §7012(g): only third parties control collection; a declared service
    /// provider collects on the business's behalf, and an undeclared vendor is listed
    /// with the third parties (its role is unknown) so nothing is hidden.
    #[test]
    fn ccpa_regs_7012_g_service_providers_are_not_third_parties_controlling_collection() {
        let f = super::super::tests::fixture(
            "[disclosures]
third_party_tracking = false
",
        );
        let m = super::super::tests::model_of(&f, "2026-11-29");
        let answers = crate::inventory::answers::Answers {
            third_party_tracking: Some(false),
            ..Default::default()
        };
        let mut cx = Ctx {
            manifest: &f.manifest,
            taxonomy: &f.taxonomy,
            vocab: &f.vocab,
            catalog: &f.catalog,
            map: &crate::inventory::datamap::DataMap {
                data_types: Vec::new(),
                categories: Vec::new(),
                recipients: Vec::new(),
                coverage: Default::default(),
            },
            answers: &answers,
            synthetic: &BTreeMap::new(),
            warnings: Vec::new(),
        };
        let t = tracking(&mut cx, &[collector(Role::ServiceProvider)]);
        assert!(t.third_parties.is_empty() && t.on_our_behalf.len() == 1);
        assert!(
            t.none_statement,
            "a service provider is not third-party tracking"
        );
        let t = tracking(
            &mut cx,
            &[collector(Role::ThirdParty), collector(Role::Unknown)],
        );
        assert_eq!(t.third_parties.len(), 2);
        assert!(!t.none_statement);
        assert!(m.tracking.none_statement);
    }
}
