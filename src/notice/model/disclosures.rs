//! Disclosures for a business purpose in the preceding 12 months (Civ. Code
//! §1798.130(a)(5)(C)(ii)): the categories disclosed, to which categories of recipients,
//! and why.

use serde::Serialize;

use super::answers::{withheld, WithheldModel};
use super::categories::{CategoryModel, RecipientGroup};
use super::context::{union_purposes, Ctx};
use super::{doc, push_unique, Label};
use crate::inventory::answers::Question;

/// A category in the disclosed-for-a-business-purpose list.
#[derive(Clone, Debug, Serialize)]
pub struct DisclosedCategory {
    /// Letter.
    pub letter: String,
    /// Statutory name.
    pub name: String,
    /// Recipient categories (with named recipients).
    pub recipients: Vec<RecipientGroup>,
    /// Purposes of the disclosure.
    pub purposes: Vec<Label>,
}
/// Disclosures for a business purpose (§1798.130(a)(5)(C)(ii)).
#[derive(Clone, Debug, Serialize)]
pub struct DisclosureModel {
    /// Any disclosure.
    pub any: bool,
    /// Per category.
    pub categories: Vec<DisclosedCategory>,
    /// All purposes.
    pub purposes: Vec<Label>,
    /// "We have not disclosed personal information for a business purpose" may be
    /// printed: answered `discloses_for_business_purpose = false`, no declared recipient
    /// receives such a disclosure and the data shows no flow to a recipient whose role
    /// is undeclared ([`crate::inventory::sale::SaleAssessment::no_disclosure_statement_blocked`]).
    pub none_statement: bool,
    /// Why that statement is withheld, when it is.
    pub withheld: Vec<WithheldModel>,
}

/// The categories disclosed for a business purpose (the rule is
/// [`crate::inventory::sale::Flow::is_business_purpose_disclosure`]), and a warning for
/// each declared recipient without purposes: the policy cannot say why.
pub(super) fn disclosures(cx: &mut Ctx<'_>, categories: &[CategoryModel]) -> DisclosureModel {
    let mut disclosed = Vec::new();
    let mut purposes = Vec::new();
    for c in categories.iter().filter(|c| c.disclosed) {
        let p = union_purposes(&c.disclosed_to);
        for x in &p {
            push_unique(&mut purposes, x.clone());
        }
        disclosed.push(DisclosedCategory {
            letter: c.letter.clone(),
            name: c.name.clone(),
            recipients: c.disclosed_to.clone(),
            purposes: p,
        });
    }
    let map = cx.map;
    for r in map
        .recipients
        .iter()
        .filter(|r| r.declared && r.purposes.is_empty())
    {
        cx.warn(
            format!("recipient_purposes_missing:{}", r.id),
            &[doc::POLICY, doc::ROPA],
            format!("recipient {} has no purposes declared: the policy cannot say why data is disclosed to it", r.name),
        );
    }
    let q = Question::DisclosesForBusinessPurpose;
    // The answer is contradicted by any flow the sale rules see (`Answers` checks it).
    let none_statement = disclosed.is_empty() && cx.answers.says_no(q);
    DisclosureModel {
        any: !disclosed.is_empty(),
        categories: disclosed,
        purposes,
        none_statement,
        withheld: if none_statement {
            Vec::new()
        } else {
            withheld(cx, &[q])
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, model_of};

    /// Civ. Code §1798.130(a)(5)(C)(ii): the categories disclosed for a business purpose
    /// are listed with the categories of recipients (a service provider here), and a sale
    /// is not such a disclosure.
    #[test]
    fn ccpa_1798_130_a5cii_service_provider_category_is_a_business_purpose_disclosure() {
        let manifest = "[sources.shop]\nkind = \"files\"\npath = \"shop\"\ndata_types = [\"email\"]\nrecipients = [\"pay\"]\n[recipients.pay]\nname = \"Pay\"\nrole = \"service_provider\"\ncategory = \"payment_processors\"\npurposes = [\"payment_processing\"]\n";
        let m = model_of(&fixture(manifest), "2026-11-29");
        assert!(m.disclosures.any);
        let a = &m.disclosures.categories[0];
        assert_eq!(a.letter, "A");
        assert_eq!(a.recipients[0].recipients, ["Pay"]);
        assert_eq!(a.purposes[0].key, "payment_processing");
        let sold = manifest.replace(
            "purposes = [\"payment_processing\"]\n",
            "purposes = [\"payment_processing\"]\nsold = true\n",
        );
        let m = model_of(&fixture(&sold), "2026-11-29");
        assert!(!m.disclosures.any && m.sale_and_sharing.sells);
    }

    /// Civ. Code §1798.130(a)(5)(C)(ii): "no disclosure for a business purpose" needs the
    /// answer `false`, and is withheld while the data shows a flow to a recipient with no
    /// declared role (here: a Stripe marker beside email addresses, Stripe undeclared).
    #[test]
    fn ccpa_1798_130_a5cii_no_disclosure_statement_needs_an_answer_and_no_flows() {
        use crate::inventory::{AssetReport, Inventory, ObservedRecipient, ScanInfo};
        let manifest = "[disclosures]\ndiscloses_for_business_purpose = false\n[sources.shop]\nkind = \"files\"\npath = \"shop\"\ndata_types = [\"email\"]\n";
        let f = fixture(manifest);
        let m = model_of(&f, "2026-11-29");
        assert!(m.disclosures.none_statement && m.disclosures.withheld.is_empty());
        let m = model_of(
            &fixture(
                "[sources.shop]\nkind = \"files\"\npath = \"shop\"\ndata_types = [\"email\"]\n",
            ),
            "2026-11-29",
        );
        assert!(!m.disclosures.none_statement);
        assert_eq!(
            m.disclosures.withheld[0].key,
            "disclosures.discloses_for_business_purpose"
        );
        // A vendor seen in the data, role undeclared: withheld although answered.
        let mut a = AssetReport::new(
            "file:shop/a.log".into(),
            "shop/a.log".into(),
            crate::inventory::AssetKind::File,
            "text",
        );
        a.recipients.push(ObservedRecipient {
            id: "stripe".into(),
            name: "Stripe".into(),
            category: "payment_processors".into(),
            advertising: false,
            evidence: Vec::new(),
        });
        let inv = Inventory::new(ScanInfo::default(), vec![a]);
        let m = super::super::NoticeModel::build(
            &inv,
            &f.manifest,
            &f.taxonomy,
            &f.vocab,
            &f.catalog,
            "2026-11-29",
            &[],
        );
        assert!(!m.disclosures.none_statement);
        assert!(
            m.disclosures.withheld[0].contradicted,
            "{:?}",
            m.disclosures.withheld
        );
    }
}
