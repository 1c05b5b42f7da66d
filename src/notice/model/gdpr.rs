//! The GDPR / UK GDPR privacy notice (Art. 13 and 14): the controller, its DPO and
//! representatives; each purpose with its Art. 6(1) basis (and the Art. 9(2) condition
//! or Art. 10 basis where special-category or criminal data is held for it); the
//! legitimate interests; recipients; third-country transfers and their safeguards;
//! retention; the rights and the supervisory authority; the statutory or contractual
//! requirement; automated decision-making; and, where data is not obtained from the
//! person (Art. 14), its categories and source. Built from the Art. 30 record's
//! activities and the manifest's `[gdpr]` answers: a missing answer is "needs review"
//! and a warning, never a default.

use serde::Serialize;

use super::context::Ctx;
use super::ropa::{RopaActivity, RopaModel, RopaRecipient, RopaTransfer};
use super::{doc, push_unique, Label};
use crate::knowledge::gdpr::{GdprLaw, LawTerm};
use crate::knowledge::VocabKind;

/// A legal basis or condition as printed.
#[derive(Clone, Debug, Serialize)]
pub struct BasisModel {
    /// Its key.
    pub key: String,
    /// Its article.
    pub article: String,
    /// Its text.
    pub label: String,
}

impl BasisModel {
    fn of(t: &LawTerm) -> BasisModel {
        BasisModel {
            key: t.key.clone(),
            article: t.article.clone(),
            label: t.label.clone(),
        }
    }
}

/// One purpose of processing (Art. 13(1)(c)–(d), 13(2)(e)).
#[derive(Clone, Debug, Serialize)]
pub struct GdprPurposeModel {
    /// Purpose key.
    pub key: String,
    /// Its label ("to process payments").
    pub label: String,
    /// The processing activities (sources) that pursue it.
    pub activities: Vec<String>,
    /// The personal data held for it.
    pub data: Vec<String>,
    /// The Art. 6(1) basis (`None`: not declared).
    pub legal_basis: Option<BasisModel>,
    /// The legitimate interests, when the basis is Art. 6(1)(f) ("" when not declared).
    pub legitimate_interests: String,
    /// The basis is Art. 6(1)(f).
    pub relies_on_legitimate_interests: bool,
    /// Art. 9 categories held for it.
    pub special_categories: Vec<String>,
    /// The Art. 9(2) condition (`None`: not declared, or none needed).
    pub special_condition: Option<BasisModel>,
    /// Art. 10 data is held for it.
    pub criminal: bool,
    /// The Art. 10 basis ("" when not declared).
    pub criminal_basis: String,
    /// Art. 13(2)(e): the requirement answer (`None`: not declared).
    pub requirement: Option<Label>,
    /// The consequences of not providing the data.
    pub consequences: String,
    /// Something here needs a human decision.
    pub needs_review: bool,
}

/// One processing activity as the notice describes it.
#[derive(Clone, Debug, Serialize)]
pub struct GdprActivityModel {
    /// Source key.
    pub key: String,
    /// Printed name.
    pub name: String,
    /// Categories of data subjects.
    pub data_subjects: Vec<Label>,
    /// Purposes.
    pub purposes: Vec<Label>,
    /// Categories of personal data, marked Art. 9 / Art. 10.
    pub data: Vec<String>,
    /// Recipients.
    pub recipients: Vec<RopaRecipient>,
    /// Storage period or criteria ("" when not declared).
    pub retention: String,
    /// Where the data comes from.
    pub sources: Vec<Label>,
    /// Some of it is not obtained from the person (Art. 14).
    pub obtained_elsewhere: bool,
    /// Some of it comes from publicly accessible sources (Art. 14(2)(f)).
    pub publicly_accessible: bool,
    /// No source category is declared: Art. 13 or 14 is unknown.
    pub source_unknown: bool,
}

/// A right of the data subject, with whether the declared bases make it apply.
#[derive(Clone, Debug, Serialize)]
pub struct GdprRightModel {
    /// Key.
    pub key: String,
    /// Article.
    pub article: String,
    /// Heading.
    pub title: String,
    /// Text.
    pub text: String,
    /// Applies to every processing.
    pub always: bool,
    /// The purposes whose basis makes it apply.
    pub purposes: Vec<String>,
    /// A purpose has no declared basis: whether it applies is not known.
    pub undetermined: bool,
}

/// A supervisory authority.
#[derive(Clone, Debug, Serialize)]
pub struct AuthorityModel {
    /// Name.
    pub name: String,
    /// Contact.
    pub contact: String,
}

/// Automated decision-making and profiling (Art. 13(2)(f), Art. 22).
#[derive(Clone, Debug, Serialize)]
pub struct AutomatedModel {
    /// The manifest answers the question.
    pub answered: bool,
    /// Such decisions are made.
    pub used: bool,
    /// The logic, significance and consequences ("" when not declared).
    pub details: String,
}

/// The Art. 13/14 notice.
#[derive(Clone, Debug, Serialize)]
pub struct GdprNoticeModel {
    /// Controller name.
    pub controller: String,
    /// Its address ("" when not declared).
    pub address: String,
    /// Its contact ("" when not declared).
    pub contact: String,
    /// DPO ("" when not declared).
    pub dpo: String,
    /// EU representative ("" when not declared).
    pub eu_representative: String,
    /// UK representative ("" when not declared).
    pub uk_representative: String,
    /// Purposes, in the order first met.
    pub purposes: Vec<GdprPurposeModel>,
    /// Processing activities.
    pub activities: Vec<GdprActivityModel>,
    /// Every named recipient, once.
    pub recipients: Vec<RopaRecipient>,
    /// Third-country transfers, once per recipient.
    pub transfers: Vec<RopaTransfer>,
    /// Some recipient declares no transfer: whether one takes place is not known.
    pub transfers_unanswered: bool,
    /// How to obtain a copy of the safeguards ("" when not declared).
    pub safeguards_copy: String,
    /// The rights.
    pub rights: Vec<GdprRightModel>,
    /// The supervisory authorities named.
    pub authorities: Vec<AuthorityModel>,
    /// Automated decision-making.
    pub automated: AutomatedModel,
    /// Some data is not obtained from the person (Art. 14 applies).
    pub article14: bool,
    /// Any Art. 9 data.
    pub special_categories_present: bool,
    /// Any Art. 10 data.
    pub article10_present: bool,
}

fn data_label(d: &super::ropa::RopaDataCategory) -> String {
    let mut s = d.label.clone();
    if !d.special.is_empty() {
        s.push_str(&format!(" (special category, Art. 9: {})", d.special));
    }
    if d.article10 {
        s.push_str(" (criminal convictions and offences, Art. 10)");
    }
    s
}

fn activity(cx: &mut Ctx<'_>, law: &GdprLaw, a: &RopaActivity) -> GdprActivityModel {
    let keys: Vec<String> = cx
        .manifest
        .sources
        .get(&a.key)
        .map(|s| {
            s.source_categories
                .iter()
                .map(|c| c.get_ref().clone())
                .collect()
        })
        .unwrap_or_default();
    if keys.is_empty() {
        cx.warn(
            format!("gdpr_source_missing:{}", a.key),
            &[doc::GDPR],
            format!("processing activity `{}` declares no source_categories: the notice cannot say whether the data is obtained from the person (Art. 13) or elsewhere, and from which source (Art. 14(2)(f))", a.key),
        );
    }
    if a.retention.is_empty() {
        cx.warn(
            format!("gdpr_retention_missing:{}", a.key),
            &[doc::GDPR],
            format!("processing activity `{}` has no retention declared: the notice must give the storage period or the criteria for it (Art. 13(2)(a), 14(2)(a))", a.key),
        );
    }
    GdprActivityModel {
        key: a.key.clone(),
        name: a.name.clone(),
        data_subjects: a.data_subjects.clone(),
        purposes: a.purposes.clone(),
        data: a.data_categories.iter().map(data_label).collect(),
        recipients: a.recipients.clone(),
        retention: a.retention.clone(),
        sources: cx.labels(VocabKind::SourceCategory, &keys),
        obtained_elsewhere: keys.iter().any(|k| !law.from_the_person.contains(k)),
        publicly_accessible: keys.iter().any(|k| law.publicly_accessible.contains(k)),
        source_unknown: keys.is_empty(),
    }
}

/// The warnings of one purpose's missing answers; returns whether any is missing.
fn warn_purpose(cx: &mut Ctx<'_>, p: &GdprPurposeModel) -> bool {
    let k = &p.key;
    let mut missing = false;
    let mut warn = |cx: &mut Ctx<'_>, code: &str, what: String| {
        missing = true;
        cx.warn(format!("{code}:{k}"), &[doc::GDPR], what);
    };
    if p.legal_basis.is_none() {
        warn(cx, "gdpr_legal_basis_missing", format!("no legal basis is declared for purpose `{k}`: set gdpr.purposes.{k}.legal_basis (GDPR Art. 6(1), Art. 13(1)(c))"));
    }
    if p.relies_on_legitimate_interests && p.legitimate_interests.is_empty() {
        warn(cx, "gdpr_legitimate_interests_missing", format!("purpose `{k}` rests on legitimate interests but does not say which: set gdpr.purposes.{k}.legitimate_interests (Art. 13(1)(d))"));
    }
    if !p.special_categories.is_empty() && p.special_condition.is_none() {
        warn(cx, "gdpr_special_condition_missing", format!("special-category data ({}) is held for purpose `{k}` without an Art. 9(2) condition: set gdpr.purposes.{k}.special_category_condition", p.special_categories.join(", ")));
    }
    if p.criminal && p.criminal_basis.is_empty() {
        warn(cx, "gdpr_article10_basis_missing", format!("criminal convictions and offences data is held for purpose `{k}` without an Art. 10 basis: set gdpr.purposes.{k}.criminal_data_basis (the official authority or the law that authorises it)"));
    }
    if p.requirement.is_none() {
        warn(cx, "gdpr_requirement_missing", format!("purpose `{k}` does not say whether providing the data is a statutory or contractual requirement: set gdpr.purposes.{k}.requirement (Art. 13(2)(e))"));
    }
    missing
}

/// The purposes over every activity, each with its declared answers.
fn purposes(cx: &mut Ctx<'_>, law: &GdprLaw, activities: &[RopaActivity]) -> Vec<GdprPurposeModel> {
    let mut out: Vec<GdprPurposeModel> = Vec::new();
    for a in activities {
        for l in &a.purposes {
            let i = match out.iter().position(|p| p.key == l.key) {
                Some(i) => i,
                None => {
                    out.push(purpose(cx, law, l));
                    out.len() - 1
                }
            };
            // A purpose only a recipient pursues covers what that recipient receives.
            let of_source = cx
                .manifest
                .sources
                .get(&a.key)
                .is_some_and(|s| s.purposes.iter().any(|k| k.get_ref() == &l.key));
            let sent: Vec<&str> = if of_source {
                Vec::new()
            } else {
                cx.map
                    .recipients
                    .iter()
                    .filter(|r| r.declared && r.purposes.contains(&l.key))
                    .filter(|r| a.recipients.iter().any(|x| x.name == r.name))
                    .flat_map(|r| r.data_types.iter().map(String::as_str))
                    .collect()
            };
            let p = &mut out[i];
            push_unique(&mut p.activities, a.name.clone());
            for d in a
                .data_categories
                .iter()
                .filter(|d| of_source || sent.contains(&d.data_type.as_str()))
            {
                push_unique(&mut p.data, d.label.clone());
                if !d.special.is_empty() {
                    push_unique(&mut p.special_categories, d.special.clone());
                }
                p.criminal |= d.article10;
            }
        }
    }
    for p in &mut out {
        p.needs_review = warn_purpose(cx, p);
    }
    out
}

fn purpose(cx: &Ctx<'_>, law: &GdprLaw, l: &Label) -> GdprPurposeModel {
    let d = cx.manifest.gdpr.purposes.get(&l.key);
    let term = |v: Option<&toml::Spanned<String>>,
                f: for<'a> fn(&'a GdprLaw, &str) -> Option<&'a LawTerm>| {
        v.and_then(|k| f(law, k.get_ref())).map(BasisModel::of)
    };
    let legal_basis = term(d.and_then(|d| d.legal_basis.as_ref()), GdprLaw::basis);
    GdprPurposeModel {
        key: l.key.clone(),
        label: l.label.clone(),
        activities: Vec::new(),
        data: Vec::new(),
        relies_on_legitimate_interests: legal_basis
            .as_ref()
            .is_some_and(|b| b.key == "legitimate_interests"),
        legal_basis,
        legitimate_interests: d
            .map(|d| d.legitimate_interests.trim().to_string())
            .unwrap_or_default(),
        special_categories: Vec::new(),
        special_condition: term(
            d.and_then(|d| d.special_category_condition.as_ref()),
            GdprLaw::condition,
        ),
        criminal: false,
        criminal_basis: d
            .map(|d| d.criminal_data_basis.trim().to_string())
            .unwrap_or_default(),
        requirement: d
            .and_then(|d| d.requirement.as_ref())
            .and_then(|k| law.requirement(k.get_ref()))
            .map(|t| Label {
                key: t.key.clone(),
                label: t.label.clone(),
            }),
        consequences: d
            .map(|d| d.consequences.trim().to_string())
            .unwrap_or_default(),
        needs_review: false,
    }
}

/// The rights, each with the purposes whose basis makes it apply.
fn rights(law: &GdprLaw, purposes: &[GdprPurposeModel]) -> Vec<GdprRightModel> {
    law.rights
        .iter()
        .map(|r| {
            let applies = |p: &GdprPurposeModel| {
                p.legal_basis
                    .as_ref()
                    .is_some_and(|b| r.applies_to.contains(&b.key))
                    || (r.applies_to.iter().any(|k| k == "consent")
                        && p.special_condition
                            .as_ref()
                            .is_some_and(|c| c.key == "explicit_consent"))
            };
            GdprRightModel {
                key: r.key.clone(),
                article: r.article.clone(),
                title: r.title.clone(),
                text: r.text.clone(),
                always: r.applies_to.is_empty(),
                purposes: purposes
                    .iter()
                    .filter(|p| applies(p))
                    .map(|p| p.label.clone())
                    .collect(),
                undetermined: !r.applies_to.is_empty()
                    && purposes.iter().any(|p| p.legal_basis.is_none()),
            }
        })
        .collect()
}

/// Warns about the controller facts the notice must give (Art. 13(1)(a)–(b), 14(1)(a)–(b)).
fn warn_controller(cx: &mut Ctx<'_>, n: &GdprNoticeModel) {
    let missing = [
        (n.address.is_empty(), "gdpr_address_missing", "organisation.address is not set: the notice must give the controller's contact details (GDPR Art. 13(1)(a))"),
        (n.contact.is_empty(), "gdpr_contact_missing", "organisation.privacy_email is not set: the notice must give the controller's contact details (GDPR Art. 13(1)(a))"),
        (n.dpo.is_empty(), "gdpr_dpo_missing", "organisation.dpo_contact is not set: give the data protection officer's contact details, or record that none is designated (GDPR Art. 13(1)(b), Art. 37(7))"),
        (n.eu_representative.is_empty(), "gdpr_eu_representative_missing", "organisation.eu_representative is not set: name the EU representative (GDPR Art. 27), or record why none is needed"),
        (n.uk_representative.is_empty(), "gdpr_uk_representative_missing", "gdpr.uk_representative is not set: name the UK representative (UK GDPR Art. 27), or record why none is needed"),
        (n.authorities.is_empty(), "gdpr_authority_missing", "no supervisory authority is named: add [[gdpr.supervisory_authorities]] (GDPR Art. 13(2)(d), Art. 77)"),
        (!n.automated.answered, "gdpr_automated_unanswered", "gdpr.automated_decision_making is not answered: say whether decisions based solely on automated processing, including profiling, are made (GDPR Art. 13(2)(f), Art. 22)"),
        (n.automated.used && n.automated.details.is_empty(), "gdpr_automated_details_missing", "gdpr.automated_decision_making = true without automated_decision_making_details: give meaningful information about the logic involved and the significance and envisaged consequences (Art. 13(2)(f))"),
        (!n.transfers.is_empty() && n.safeguards_copy.is_empty(), "gdpr_safeguards_copy_missing", "gdpr.safeguards_copy is not set: say how to obtain a copy of the transfer safeguards or where they are made available (Art. 13(1)(f))"),
        (n.transfers_unanswered, "gdpr_transfers_unanswered", "some recipients declare no `transfer`: record whether their processing takes place outside the EEA and the UK (GDPR Art. 13(1)(f))"),
    ];
    for (is_missing, code, message) in missing {
        if is_missing {
            cx.warn(code, &[doc::GDPR], message);
        }
    }
    for t in n.transfers.iter().filter(|t| t.safeguard.is_empty()) {
        cx.warn(
            format!("gdpr_safeguard_missing:{}", t.recipient),
            &[doc::GDPR],
            format!("the transfer to {} ({}) declares no safeguard (adequacy decision, standard contractual clauses, binding corporate rules): GDPR Art. 13(1)(f), Art. 44–49", t.recipient, t.country),
        );
    }
}

/// The notice, from the record's activities and the manifest's `[gdpr]` answers.
pub(super) fn gdpr_notice(cx: &mut Ctx<'_>, ropa: &RopaModel, law: &GdprLaw) -> GdprNoticeModel {
    let activities: Vec<GdprActivityModel> = ropa
        .activities
        .iter()
        .map(|a| activity(cx, law, a))
        .collect();
    let purposes = purposes(cx, law, &ropa.activities);
    let mut recipients: Vec<RopaRecipient> = Vec::new();
    let mut transfers: Vec<RopaTransfer> = Vec::new();
    for a in &ropa.activities {
        for r in &a.recipients {
            if !recipients.iter().any(|x| x.name == r.name) {
                recipients.push(r.clone());
            }
        }
        for t in &a.transfers {
            if !transfers.iter().any(|x| x.recipient == t.recipient) {
                transfers.push(t.clone());
            }
        }
    }
    let g = &cx.manifest.gdpr;
    let org = &cx.manifest.organisation;
    let n = GdprNoticeModel {
        controller: ropa.controller.clone(),
        address: ropa.controller_address.clone(),
        contact: ropa.controller_contact.clone(),
        dpo: ropa.dpo.clone(),
        eu_representative: org.eu_representative.trim().into(),
        uk_representative: g.uk_representative.trim().into(),
        rights: rights(law, &purposes),
        purposes,
        article14: activities.iter().any(|a| a.obtained_elsewhere),
        activities,
        transfers_unanswered: recipients
            .iter()
            .any(|r| r.declared && r.transfer_country.is_empty()),
        recipients,
        transfers,
        safeguards_copy: g.safeguards_copy.trim().into(),
        authorities: g
            .supervisory_authorities
            .iter()
            .filter(|a| !a.name.trim().is_empty())
            .map(|a| AuthorityModel {
                name: a.name.trim().into(),
                contact: a.contact.trim().into(),
            })
            .collect(),
        automated: AutomatedModel {
            answered: g.automated_decision_making.is_some(),
            used: g.automated_decision_making == Some(true),
            details: g.automated_decision_making_details.trim().into(),
        },
        special_categories_present: ropa.special_categories_present,
        article10_present: ropa.article10_present,
    };
    warn_controller(cx, &n);
    n
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, model_of};

    const HR: &str = "[sources.hr]\nkind = \"files\"\npath = \"hr\"\ndata_types = [\"health\"]\npurposes = [\"hr_administration\"]\ndata_subjects = [\"employees\"]\nsource_categories = [\"directly_from_consumer\"]\nretention = \"7 years\"\n";

    /// GDPR Art. 13(2)(f): "automated decision-making is used" without the logic,
    /// significance and consequences is warned; unanswered, nothing is claimed.
    #[test]
    fn gdpr_art_13_2_f_automated_decisions_need_an_answer_and_details() {
        let m = model_of(
            &fixture(&format!("{HR}[gdpr]\nautomated_decision_making = true\n")),
            "2026-11-29",
        );
        assert!(m.gdpr.automated.used);
        assert!(m
            .warning_codes()
            .contains(&"gdpr_automated_details_missing".to_string()));
        let m = model_of(&fixture(HR), "2026-11-29");
        assert!(!m.gdpr.automated.answered && !m.gdpr.automated.used);
        assert!(m
            .warning_codes()
            .contains(&"gdpr_automated_unanswered".to_string()));
    }

    /// GDPR Art. 9(2), Art. 7(3): a declared Art. 9(2) condition is printed with its
    /// article; explicit consent makes the right to withdraw consent apply; a purpose
    /// without a basis leaves the basis-dependent rights undetermined.
    #[test]
    fn gdpr_art_9_2_condition_and_the_rights_it_brings() {
        let f = fixture(&format!("{HR}[gdpr.purposes.hr_administration]\nlegal_basis = \"legal_obligation\"\nspecial_category_condition = \"explicit_consent\"\nrequirement = \"statutory\"\n"));
        let m = model_of(&f, "2026-11-29");
        let p = &m.gdpr.purposes[0];
        assert_eq!(p.legal_basis.as_ref().unwrap().article, "Art. 6(1)(c)");
        assert_eq!(
            p.special_condition.as_ref().unwrap().article,
            "Art. 9(2)(a)"
        );
        assert_eq!(p.special_categories, ["data concerning health"]);
        assert!(!p.needs_review);
        let right = |k: &str| m.gdpr.rights.iter().find(|r| r.key == k).unwrap().clone();
        assert_eq!(right("withdraw_consent").purposes.len(), 1);
        assert!(right("objection").purposes.is_empty() && !right("objection").undetermined);
        let m = model_of(&fixture(HR), "2026-11-29");
        assert!(
            m.gdpr
                .rights
                .iter()
                .find(|r| r.key == "portability")
                .unwrap()
                .undetermined
        );
        assert!(m
            .warning_codes()
            .contains(&"gdpr_special_condition_missing:hr_administration".to_string()));
    }

    /// The manifest names bases by the keys of rules/gdpr.toml: a typo is an error with
    /// a suggestion, located.
    #[test]
    fn unknown_legal_basis_is_rejected_with_a_suggestion() {
        let taxonomy = crate::taxonomy::Taxonomy::builtin().unwrap();
        let vocab = crate::knowledge::Vocabulary::builtin().unwrap();
        let catalog = crate::knowledge::Catalog::builtin().unwrap();
        let e = crate::manifest::Manifest::parse(
            "p.toml",
            "[gdpr.purposes.analytics]\nlegal_basis = \"consnet\"\n[gdpr.purposes.analytcs]\nlegal_basis = \"consent\"\n",
            &taxonomy,
            &vocab,
            &catalog,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("p.toml:2:15: gdpr.purposes.analytics.legal_basis: unknown value `consnet` (did you mean `consent`?)"), "{e}");
        assert!(
            e.contains(
                "gdpr.purposes.analytcs: unknown purpose `analytcs` (did you mean `analytics`?)"
            ),
            "{e}"
        );
    }
}
