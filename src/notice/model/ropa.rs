//! The GDPR Art. 30(1) record of processing activities: one activity per manifest
//! source (plus one for data found outside every source), with its purposes, data
//! subjects, personal data, recipients, transfers and erasure time limits.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::context::Ctx;
use super::organisation::printed_name;
use super::{doc, push_unique, Label};
use crate::inventory::datamap::{source_of, Presence, TypeEntry};
use crate::inventory::Inventory;
use crate::knowledge::VocabKind;
use crate::manifest::Source;

/// The key of the activity holding data found outside every manifest source.
const UNASSIGNED: &str = "unassigned";

/// One personal-data category of a processing activity.
#[derive(Clone, Debug, Serialize)]
pub struct RopaDataCategory {
    /// Data type.
    pub data_type: String,
    /// Label.
    pub label: String,
    /// Art. 9 special category, or "".
    pub special: String,
    /// Art. 10 (criminal convictions and offences).
    pub article10: bool,
    /// Presence.
    pub presence: Presence,
}
/// A named recipient of a processing activity.
#[derive(Clone, Debug, Serialize)]
pub struct RopaRecipient {
    /// Name.
    pub name: String,
    /// Category label.
    pub category: String,
    /// Role as printed.
    pub role: String,
    /// Declared in the manifest.
    pub declared: bool,
    /// Seen in the data.
    pub observed: bool,
    /// Transfer destination ("" when none declared).
    pub transfer_country: String,
    /// Transfer safeguard.
    pub transfer_safeguard: String,
}
/// A third-country transfer.
#[derive(Clone, Debug, Serialize)]
pub struct RopaTransfer {
    /// Recipient.
    pub recipient: String,
    /// Country.
    pub country: String,
    /// Safeguard ("" when not declared).
    pub safeguard: String,
}
/// One processing activity (a manifest source) of the Art. 30(1) record.
#[derive(Clone, Debug, Serialize)]
pub struct RopaActivity {
    /// Source key (or `unassigned`).
    pub key: String,
    /// Printed name.
    pub name: String,
    /// (b) purposes.
    pub purposes: Vec<Label>,
    /// (c) data subjects.
    pub data_subjects: Vec<Label>,
    /// (c) personal data.
    pub data_categories: Vec<RopaDataCategory>,
    /// Art. 9 categories involved.
    pub special_categories: Vec<String>,
    /// Art. 10 data involved.
    pub article10: bool,
    /// (d) recipients, named.
    pub recipients: Vec<RopaRecipient>,
    /// (e) transfers.
    pub transfers: Vec<RopaTransfer>,
    /// (f) erasure time limit ("" when not declared).
    pub retention: String,
    /// Evidence: assets scanned for it.
    pub assets: Vec<String>,
    /// What needs review.
    pub review_notes: Vec<String>,
}
/// The GDPR Art. 30(1) record.
#[derive(Clone, Debug, Serialize)]
pub struct RopaModel {
    /// (a) controller name.
    pub controller: String,
    /// (a) controller address.
    pub controller_address: String,
    /// (a) controller contact.
    pub controller_contact: String,
    /// (a) DPO.
    pub dpo: String,
    /// (a) EU representative (Art. 27).
    pub representative: String,
    /// (g) security measures.
    pub security_measures: Vec<String>,
    /// Processing activities.
    pub activities: Vec<RopaActivity>,
    /// Any Art. 9 data.
    pub special_categories_present: bool,
    /// Any Art. 10 data.
    pub article10_present: bool,
}

/// "web_logs" → "Web logs".
pub(super) fn title(key: &str) -> String {
    let s = key.replace(['_', '-'], " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Warns about the controller facts of Art. 30(1)(a) and (g) the manifest lacks; a DPO
/// is mandatory for large-scale processing of Art. 9 or Art. 10 data (Art. 37(1)(c)).
fn warn_controller_facts(cx: &mut Ctx<'_>, types: &BTreeMap<&str, &TypeEntry>) {
    let org = &cx.manifest.organisation;
    if org.security_measures.is_empty() {
        cx.warn(
            "security_measures_missing",
            &[doc::ROPA],
            "organisation.security_measures is empty: the record should describe the technical and organisational security measures (GDPR Art. 30(1)(g), Art. 32(1))",
        );
    }
    if org.address.trim().is_empty() {
        cx.warn(
            "address_missing",
            &[doc::ROPA],
            "organisation.address is not set: the record needs the controller's contact details (GDPR Art. 30(1)(a))",
        );
    }
    let special_any = types
        .values()
        .any(|t| !t.law.gdpr_special.is_empty() || t.law.gdpr_article10);
    if org.dpo_contact.trim().is_empty() {
        cx.warn(
            "dpo_missing",
            &[doc::ROPA],
            if special_any {
                "organisation.dpo_contact is not set while special-category (Art. 9) or criminal (Art. 10) data was found: a DPO is mandatory for large-scale processing of such data (Art. 37(1)(c)); record the DPO or why none is required"
            } else {
                "organisation.dpo_contact is not set: record the data protection officer, or note that none is designated (GDPR Art. 30(1)(a), Art. 37)"
            },
        );
    }
}

/// Per activity key: the current assets, and the vendors observed in any of them.
struct ActivityAssets {
    assets_of: BTreeMap<String, Vec<String>>,
    observed_in: BTreeMap<String, BTreeSet<String>>,
}

impl ActivityAssets {
    fn of(cx: &Ctx<'_>, merged: &Inventory) -> ActivityAssets {
        let mut assets_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut observed_in: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for a in &merged.assets {
            let src = source_of(a, cx.manifest).unwrap_or_else(|| UNASSIGNED.into());
            if !cx.synthetic.contains_key(&a.id) {
                assets_of.entry(src.clone()).or_default().push(a.id.clone());
            }
            for r in &a.recipients {
                observed_in
                    .entry(src.clone())
                    .or_default()
                    .insert(r.id.clone());
            }
        }
        ActivityAssets {
            assets_of,
            observed_in,
        }
    }
}

/// The recipient ids of an activity: those declared on its source, declared recipients
/// on no source that name one of its types, then vendors observed in its assets.
fn recipient_ids(
    cx: &Ctx<'_>,
    key: &str,
    src: Option<&Source>,
    in_activity: &[&&TypeEntry],
    assets: &ActivityAssets,
) -> Vec<String> {
    let manifest = cx.manifest;
    let mut ids: Vec<String> = src
        .map(|s| s.recipients.iter().map(|r| r.get_ref().clone()).collect())
        .unwrap_or_default();
    for (rid, d) in &manifest.recipients {
        let on_a_source = manifest
            .sources
            .values()
            .any(|s| s.recipients.iter().any(|r| r.get_ref() == rid));
        if !on_a_source
            && key != UNASSIGNED
            && in_activity.iter().any(|t| {
                d.data_types.iter().any(|x| {
                    x.get_ref() == &t.data_type || t.law.ccpa.iter().any(|l| l == x.get_ref())
                })
            })
        {
            push_unique(&mut ids, rid.clone());
        }
    }
    // A vendor seen in the activity's assets: an undeclared one is listed (for review);
    // a declared one only when its declaration gives it one of the activity's types.
    for vid in assets.observed_in.get(key).into_iter().flatten() {
        match manifest
            .recipients
            .keys()
            .find(|k| manifest.recipient_catalog_id(k) == vid)
        {
            Some(k) => {
                let receives_here = cx.recipient(k).is_some_and(|r| {
                    in_activity
                        .iter()
                        .any(|t| r.data_types.contains(&t.data_type))
                });
                if receives_here {
                    push_unique(&mut ids, k.clone());
                }
            }
            None => push_unique(&mut ids, vid.clone()),
        }
    }
    ids
}

/// The named recipients of an activity (Art. 30(1)(d)), and review notes for those
/// seen but not declared.
fn activity_recipients(
    cx: &Ctx<'_>,
    key: &str,
    ids: &[String],
    assets: &ActivityAssets,
    review_notes: &mut Vec<String>,
) -> Vec<RopaRecipient> {
    let mut recipients = Vec::new();
    for id in ids {
        let Some(r) = cx.recipient(id) else { continue };
        let observed = assets
            .observed_in
            .get(key)
            .is_some_and(|o| o.contains(cx.manifest.recipient_catalog_id(id)));
        if !r.declared {
            review_notes.push(format!(
                "{} was seen in this activity's data but is not a declared recipient",
                r.name
            ));
        }
        recipients.push(RopaRecipient {
            name: r.name.clone(),
            category: r.category_label.clone(),
            role: match (r.role, r.declared) {
                (_, false) => "Not declared (needs review)".into(),
                (role, true) if role.is_processor() => "Processor (service provider)".into(),
                _ => "Third party".into(),
            },
            declared: r.declared,
            observed,
            transfer_country: r.transfer_country.clone(),
            transfer_safeguard: r.transfer_safeguard.clone(),
        });
    }
    recipients
}

fn labels_of(
    cx: &Ctx<'_>,
    kind: VocabKind,
    keys: Option<&Vec<toml::Spanned<String>>>,
) -> Vec<Label> {
    keys.map(|v| v.iter().map(|p| cx.label(kind, p.get_ref())).collect())
        .unwrap_or_default()
}

/// The purposes of an activity (Art. 30(1)(b)): its source's, then those its declared
/// recipients receive the data for (a pixel's advertising is a purpose of the processing
/// too, and needs its own legal basis).
fn activity_purposes(cx: &Ctx<'_>, src: Option<&Source>, recipient_ids: &[String]) -> Vec<Label> {
    let mut purposes = labels_of(cx, VocabKind::Purpose, src.map(|s| &s.purposes));
    for r in recipient_ids.iter().filter_map(|id| cx.recipient(id)) {
        for p in r.purposes.iter().filter(|_| r.declared) {
            if !purposes.iter().any(|l| &l.key == p) {
                purposes.push(cx.label(VocabKind::Purpose, p));
            }
        }
    }
    purposes
}

/// One activity, or none when it holds nothing.
fn activity(
    cx: &mut Ctx<'_>,
    key: String,
    types: &BTreeMap<&str, &TypeEntry>,
    assets: &ActivityAssets,
) -> Option<RopaActivity> {
    let src = cx.manifest.sources.get(&key);
    let in_activity: Vec<&&TypeEntry> = types
        .values()
        .filter(|t| {
            if key == UNASSIGNED {
                t.assets.iter().any(|a| a.source.is_none())
            } else {
                t.sources.contains(&key)
            }
        })
        .collect();
    if in_activity.is_empty() && src.is_none_or(|s| s.data_types.is_empty()) {
        return None;
    }
    let data_categories: Vec<RopaDataCategory> = in_activity
        .iter()
        .map(|t| RopaDataCategory {
            data_type: t.data_type.clone(),
            label: t.label.clone(),
            special: t.law.gdpr_special.clone(),
            article10: t.law.gdpr_article10,
            presence: t.presence,
        })
        .collect();
    let mut special_categories = Vec::new();
    for d in data_categories.iter().filter(|d| !d.special.is_empty()) {
        push_unique(&mut special_categories, d.special.clone());
    }
    let mut review_notes = Vec::new();
    let ids = recipient_ids(cx, &key, src, &in_activity, assets);
    let recipients = activity_recipients(cx, &key, &ids, assets, &mut review_notes);
    let transfers: Vec<RopaTransfer> = recipients
        .iter()
        .filter(|r| !r.transfer_country.is_empty())
        .map(|r| RopaTransfer {
            recipient: r.name.clone(),
            country: r.transfer_country.clone(),
            safeguard: r.transfer_safeguard.clone(),
        })
        .collect();
    let retention = src
        .map(|s| s.retention.trim().to_string())
        .unwrap_or_default();
    if retention.is_empty() {
        cx.warn(
            format!("erasure_limit_missing:{key}"),
            &[doc::ROPA],
            format!("processing activity `{key}` has no retention declared (GDPR Art. 30(1)(f) time limits for erasure)"),
        );
        review_notes.push("no time limit for erasure declared".into());
    }
    for d in &data_categories {
        match d.presence {
            Presence::FoundUndeclared => {
                review_notes.push(format!("{}: found but not declared", d.label))
            }
            Presence::DeclaredNotFound => {
                review_notes.push(format!("{}: declared but not found", d.label))
            }
            Presence::FoundAndDeclared => {}
        }
    }
    if key == UNASSIGNED {
        review_notes.push("personal data found in assets that belong to no manifest source: purposes, data subjects and retention are unknown".into());
    }
    Some(RopaActivity {
        name: if key == UNASSIGNED {
            "Data found outside the declared sources".into()
        } else {
            title(&key)
        },
        purposes: activity_purposes(cx, src, &ids),
        data_subjects: labels_of(cx, VocabKind::DataSubject, src.map(|s| &s.data_subjects)),
        article10: data_categories.iter().any(|d| d.article10),
        data_categories,
        special_categories,
        recipients,
        transfers,
        retention,
        assets: assets.assets_of.get(&key).cloned().unwrap_or_default(),
        review_notes,
        key,
    })
}

/// The record: the controller, then one activity per source that holds something.
pub(super) fn build_ropa(
    cx: &mut Ctx<'_>,
    merged: &Inventory,
    types: &BTreeMap<&str, &TypeEntry>,
) -> RopaModel {
    warn_controller_facts(cx, types);
    let assets = ActivityAssets::of(cx, merged);
    let mut keys: Vec<String> = cx.manifest.sources.keys().cloned().collect();
    if types
        .values()
        .any(|t| !t.assets.is_empty() && t.assets.iter().any(|a| a.source.is_none()))
    {
        keys.push(UNASSIGNED.into());
    }
    let activities: Vec<RopaActivity> = keys
        .into_iter()
        .filter_map(|key| activity(cx, key, types, &assets))
        .collect();
    let org = &cx.manifest.organisation;
    RopaModel {
        controller: printed_name(org),
        controller_address: org.address.trim().into(),
        controller_contact: org.privacy_email.trim().into(),
        dpo: org.dpo_contact.trim().into(),
        representative: org.eu_representative.trim().into(),
        security_measures: org.security_measures.clone(),
        special_categories_present: activities.iter().any(|a| !a.special_categories.is_empty()),
        article10_present: activities.iter().any(|a| a.article10),
        activities,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, model_of};

    /// GDPR Art. 30(1)(f): the record gives the envisaged time limits for erasure; an
    /// activity without retention is warned and noted for review.
    #[test]
    fn gdpr_art_30_1_f_activity_without_retention_is_warned() {
        let f = fixture("[sources.web_logs]\nkind = \"files\"\npath = \"logs\"\ndata_types = [\"ip_address\"]\n");
        let m = model_of(&f, "2026-11-29");
        assert!(m
            .warning_codes()
            .contains(&"erasure_limit_missing:web_logs".to_string()));
        let a = &m.ropa.activities[0];
        assert_eq!(a.name, "Web logs");
        assert!(a.review_notes.iter().any(|n| n.contains("erasure")));
    }

    /// GDPR Art. 9(1), Art. 10: special-category and criminal data are flagged per
    /// activity and for the record.
    #[test]
    fn gdpr_art_9_and_10_special_and_criminal_data_are_flagged() {
        let f = fixture("[sources.hr]\nkind = \"files\"\npath = \"hr\"\ndata_types = [\"health\", \"criminal_record\"]\nretention = \"7 years\"\n");
        let m = model_of(&f, "2026-11-29");
        assert!(m.ropa.special_categories_present && m.ropa.article10_present);
        assert!(!m.ropa.activities[0].special_categories.is_empty());
    }

    /// GDPR Art. 30(1)(b), Art. 13(1)(c): a purpose a declared recipient receives the data
    /// for (a pixel's advertising) is a purpose of the activity, and without a declared
    /// legal basis the notice says so.
    #[test]
    fn gdpr_art_30_1_b_a_recipients_purpose_is_a_purpose_of_the_activity() {
        let f = fixture("[sources.web_logs]\nkind = \"files\"\npath = \"logs\"\ndata_types = [\"ip_address\", \"email\"]\npurposes = [\"security\"]\nretention = \"90 days\"\nrecipients = [\"facebook\"]\n[recipients.facebook]\nname = \"Meta\"\nrole = \"third_party\"\ncategory = \"social_networks\"\npurposes = [\"cross_context_behavioral_advertising\"]\ndata_types = [\"ip_address\"]\n");
        let m = model_of(&f, "2026-11-29");
        let keys: Vec<&str> = m.ropa.activities[0]
            .purposes
            .iter()
            .map(|p| p.key.as_str())
            .collect();
        assert_eq!(keys, ["security", "cross_context_behavioral_advertising"]);
        assert!(m
            .gdpr
            .purposes
            .iter()
            .any(|p| p.key == "cross_context_behavioral_advertising" && p.legal_basis.is_none()));
        let ads = m
            .gdpr
            .purposes
            .iter()
            .find(|p| p.key == "cross_context_behavioral_advertising");
        assert_eq!(
            ads.map(|p| p.data.len()),
            Some(1),
            "only what Meta receives"
        );
        assert!(m
            .warning_codes()
            .iter()
            .any(|c| c.starts_with("gdpr_legal_basis_missing")));
    }
}
