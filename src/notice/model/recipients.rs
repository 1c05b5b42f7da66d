//! The recipients and the data types across the whole map, as `notice.json` and the
//! report list them, with the warnings that concern a recipient itself.

use serde::Serialize;

use super::categories::TypeEvidence;
use super::context::Ctx;
use super::{doc, Label};
use crate::inventory::datamap::{Presence, TypeLaw};
use crate::inventory::sale::Flow;
use crate::knowledge::VocabKind;
use crate::manifest::Role;

/// A recipient, across data types.
#[derive(Clone, Debug, Serialize)]
pub struct RecipientModel {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Category key.
    pub category: String,
    /// Category label.
    pub category_label: String,
    /// Role key (`service_provider`, `contractor`, `third_party`, `unknown`).
    pub role: Role,
    /// Role as printed.
    pub role_label: String,
    /// Declared in the manifest.
    pub declared: bool,
    /// Seen in the data.
    pub observed: bool,
    /// Typically acts for cross-context advertising.
    pub advertising: bool,
    /// Sold to.
    pub sold: bool,
    /// Shared with.
    pub shared: bool,
    /// Purposes.
    pub purposes: Vec<Label>,
    /// Data types it receives.
    pub data_types: Vec<Label>,
    /// Transfer destination.
    pub transfer_country: String,
    /// Transfer safeguard.
    pub transfer_safeguard: String,
    /// Where it was seen.
    pub evidence: Vec<String>,
    /// Seen but not declared: role and sale/sharing unknown.
    pub needs_review: bool,
    /// Data types seen in the same assets as it beyond those it is declared to receive
    /// (for review; never listed as disclosed to it).
    pub colocated: Vec<ColocationModel>,
}

/// A data type seen beside a declared recipient beyond its declaration.
#[derive(Clone, Debug, Serialize)]
pub struct ColocationModel {
    /// The data type.
    pub data_type: Label,
    /// The assets holding both.
    pub assets: Vec<String>,
}
/// A data type across the map.
#[derive(Clone, Debug, Serialize)]
pub struct TypeModel {
    /// Key.
    pub data_type: String,
    /// Label.
    pub label: String,
    /// Plural phrase.
    pub phrase: String,
    /// What the law makes of it (flattened).
    #[serde(flatten)]
    pub law: TypeLaw,
    /// Presence.
    pub presence: Presence,
    /// Manifest sources.
    pub sources: Vec<String>,
    /// Purposes.
    pub purposes: Vec<Label>,
    /// Data subjects.
    pub data_subjects: Vec<Label>,
    /// Retention.
    pub retention: Vec<String>,
    /// Recipient names.
    pub recipients: Vec<String>,
    /// Sold.
    pub sold: bool,
    /// Shared.
    pub shared: bool,
    /// Flows to an advertising/social recipient without a sold/shared declaration.
    pub possibly_shared: bool,
    /// Evidence.
    pub evidence: TypeEvidence,
}

/// A role as printed.
fn role_label(role: Role) -> String {
    match role {
        Role::ServiceProvider => "Service provider".into(),
        Role::Contractor => "Contractor".into(),
        Role::ThirdParty => "Third party".into(),
        Role::Unknown => "Not declared (needs review)".into(),
    }
}

/// Warns about each recipient seen in the data and declared nowhere: its role, and so
/// whether the flow is a sale, a share or a business-purpose disclosure, is unknown.
pub(super) fn warn_undeclared(cx: &mut Ctx<'_>) {
    let map = cx.map;
    for r in map
        .recipients
        .iter()
        .filter(|r| Flow::of_recipient(r).is_unreviewed())
    {
        cx.warn(
            format!("undeclared_recipient:{}", r.id),
            &[doc::POLICY, doc::NOTICE, doc::ROPA],
            format!(
                "{} ({}) was seen in the data ({}) but is not a declared recipient: its role is unknown; declare it under [recipients]",
                r.name,
                r.category_label,
                r.evidence.join("; ")
            ),
        );
    }
}

/// A declared recipient seen beside data types its declaration does not give it: the
/// data shows co-location, not a flow, so the drafts list only the declared types and a
/// human confirms the rest.
fn warn_colocated(cx: &mut Ctx<'_>, r: &RecipientModel) {
    let seen = r
        .colocated
        .iter()
        .map(|c| format!("{} ({})", c.data_type.label, c.assets.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    let evidence = r
        .evidence
        .iter()
        .filter(|e| {
            r.colocated
                .iter()
                .any(|c| c.assets.iter().any(|a| e.starts_with(a.as_str())))
        })
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    cx.warn(
        format!("colocated:{}", r.id),
        &[doc::POLICY, doc::NOTICE, doc::ROPA],
        format!(
            "{} ({}) was seen in assets that also hold data types it is not declared to receive: {seen} (evidence: {evidence}). The drafts list only its declared data types; confirm it does not receive these (a [[dispositions]] entry with recipient = \"{}\" and status = \"false_positive\"), or add them to recipients.{}.data_types",
            r.name, r.category_label, r.id, r.id
        ),
    );
}

/// Every recipient of the data map; a transfer without a safeguard is warned (GDPR Art.
/// 30(1)(e), Chapter V).
pub(super) fn recipients(cx: &mut Ctx<'_>) -> Vec<RecipientModel> {
    let recipients: Vec<RecipientModel> = cx
        .map
        .recipients
        .iter()
        .map(|r| RecipientModel {
            id: r.id.clone(),
            name: r.name.clone(),
            category: r.category.clone(),
            category_label: r.category_label.clone(),
            role: r.role,
            role_label: role_label(r.role),
            declared: r.declared,
            observed: r.observed,
            advertising: r.advertising,
            sold: r.sold,
            shared: r.shared,
            purposes: cx.labels(VocabKind::Purpose, &r.purposes),
            data_types: r.data_types.iter().map(|d| cx.type_label(d)).collect(),
            transfer_country: r.transfer_country.clone(),
            transfer_safeguard: r.transfer_safeguard.clone(),
            evidence: r.evidence.clone(),
            needs_review: Flow::of_recipient(r).is_unreviewed(),
            colocated: r
                .colocated
                .iter()
                .map(|c| ColocationModel {
                    data_type: cx.type_label(&c.data_type),
                    assets: c.assets.clone(),
                })
                .collect(),
        })
        .collect();
    for r in recipients.iter().filter(|r| !r.colocated.is_empty()) {
        warn_colocated(cx, r);
    }
    for r in recipients
        .iter()
        .filter(|r| !r.transfer_country.is_empty() && r.transfer_safeguard.trim().is_empty())
    {
        cx.warn(
            format!("transfer_safeguard_missing:{}", r.id),
            &[doc::ROPA],
            format!(
                "the transfer to {} ({}) has no safeguard declared (GDPR Art. 30(1)(e), Chapter V)",
                r.name, r.transfer_country
            ),
        );
    }
    recipients
}

/// Every collected data type.
pub(super) fn data_types(cx: &Ctx<'_>) -> Vec<TypeModel> {
    cx.map
        .collected()
        .map(|t| TypeModel {
            data_type: t.data_type.clone(),
            label: t.label.clone(),
            phrase: t.example.clone(),
            law: t.law.clone(),
            presence: t.presence,
            sources: t.sources.clone(),
            purposes: cx.labels(VocabKind::Purpose, &t.purposes),
            data_subjects: cx.labels(VocabKind::DataSubject, &t.data_subjects),
            retention: t.retention.clone(),
            recipients: t.recipients.iter().map(|r| r.name.clone()).collect(),
            sold: t.sold,
            shared: t.shared,
            possibly_shared: t.possibly_shared,
            evidence: cx.type_evidence(t),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, model_of};

    /// GDPR Art. 30(1)(e), Chapter V: a transfer to a third country is recorded with its
    /// safeguard; one without is warned.
    #[test]
    fn gdpr_art_30_1_e_transfer_without_safeguard_is_warned() {
        let manifest = "[sources.shop]\nkind = \"files\"\npath = \"shop\"\ndata_types = [\"email\"]\nrecipients = [\"pay\"]\n[recipients.pay]\nname = \"Pay\"\nrole = \"service_provider\"\ncategory = \"payment_processors\"\npurposes = [\"payment_processing\"]\ntransfer = { country = \"United States\", safeguard = \"\" }\n";
        let m = model_of(&fixture(manifest), "2026-11-29");
        assert!(m
            .warning_codes()
            .contains(&"transfer_safeguard_missing:pay".to_string()));
        assert_eq!(m.recipients[0].role_label, "Service provider");
        let safe = manifest.replace("safeguard = \"\"", "safeguard = \"SCCs\"");
        let m = model_of(&fixture(&safe), "2026-11-29");
        assert!(!m
            .warning_codes()
            .iter()
            .any(|c| c.starts_with("transfer_safeguard")));
    }
}
