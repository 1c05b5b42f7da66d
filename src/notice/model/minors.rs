//! Consumers under 16: selling or sharing their personal information needs their
//! opt-in (Civ. Code §1798.120(c)), and the policy says whether the business has actual
//! knowledge of doing so.

use serde::Serialize;

use super::answers::{withheld, WithheldModel};
use super::context::Ctx;
use super::doc;
use crate::inventory::answers::Question;
use crate::inventory::sale::SaleAssessment;

/// Consumers under 16.
#[derive(Clone, Debug, Serialize)]
pub struct MinorsModel {
    /// Actual knowledge of selling or sharing PI of consumers under 16 (answered yes).
    pub actual_knowledge: bool,
    /// "We have no actual knowledge…" may be printed (answered no).
    pub no_knowledge_statement: bool,
    /// Why that statement is withheld, when it is.
    pub withheld: Vec<WithheldModel>,
    /// A source declares consumers under 16 as data subjects.
    pub minors_in_data_subjects: bool,
}

/// The data-subject key of consumers under 16 in the vocabulary.
const MINORS: &str = "minors_under_16";

/// A source declaring consumers under 16 while personal information is (or may be)
/// sold or shared contradicts a "no actual knowledge" statement: warned.
pub(super) fn minors(cx: &mut Ctx<'_>, sale: &SaleAssessment) -> MinorsModel {
    let manifest = cx.manifest;
    let minors_in_data_subjects = manifest
        .sources
        .values()
        .any(|s| s.data_subjects.iter().any(|d| d.get_ref() == MINORS));
    let q = Question::SellsOrSharesUnder16;
    let answer = cx.answers.answer(q);
    if minors_in_data_subjects && sale.sold_or_shared_or_may_be() && answer == Some(false) {
        cx.warn(
            "minors_review",
            &[doc::POLICY],
            "a source declares consumers under 16 as data subjects and personal information is (or may be) sold or shared, yet disclosures.sells_or_shares_under_16 is false: confirm the under-16 statement (Civ. Code §1798.120(c))",
        );
    }
    MinorsModel {
        actual_knowledge: answer == Some(true),
        no_knowledge_statement: cx.answers.says_no(q),
        withheld: withheld(cx, &[q]),
        minors_in_data_subjects,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, model_of};

    const SOURCE: &str = "[sources.app]\nkind = \"files\"\npath = \"app\"\ndata_types = [\"email\"]\ndata_subjects = [\"minors_under_16\"]\nrecipients = [\"broker\"]\n";
    const BROKER: &str = "[disclosures]\nsells_or_shares_under_16 = false\n[recipients.broker]\nname = \"Broker\"\nrole = \"third_party\"\ncategory = \"data_brokers\"\nsold = true\n";

    /// Civ. Code §1798.120(c): PI of consumers under 16 may not be sold or shared without
    /// their opt-in, so under-16 data subjects plus a sale contradict "no actual knowledge".
    #[test]
    fn ccpa_1798_120_c_minors_with_a_sale_contradict_no_actual_knowledge() {
        let m = model_of(&fixture(&format!("{SOURCE}{BROKER}")), "2026-11-29");
        assert!(m.minors.minors_in_data_subjects && !m.minors.actual_knowledge);
        assert!(m.warning_codes().contains(&"minors_review".to_string()));
        // Declared actual knowledge: nothing to confirm.
        let knows = format!(
            "{SOURCE}{}",
            BROKER.replace("under_16 = false", "under_16 = true")
        );
        let m = model_of(&fixture(&knows), "2026-11-29");
        assert!(!m.warning_codes().contains(&"minors_review".to_string()));
        assert!(
            model_of(&fixture(&knows), "2026-11-29")
                .minors
                .actual_knowledge
        );
        // Unanswered: the statement is withheld, not assumed.
        let unanswered = BROKER.replace("[disclosures]\nsells_or_shares_under_16 = false\n", "");
        let m = model_of(&fixture(&format!("{SOURCE}{unanswered}")), "2026-11-29");
        assert!(!m.minors.no_knowledge_statement && !m.minors.actual_knowledge);
        assert_eq!(
            m.minors.withheld[0].key,
            "disclosures.sells_or_shares_under_16"
        );
        // No sale or sharing: nothing to confirm either.
        let unsold = BROKER.replace("sold = true", "sold = false");
        let m = model_of(&fixture(&format!("{SOURCE}{unsold}")), "2026-11-29");
        assert!(!m.warning_codes().contains(&"minors_review".to_string()));
    }
}
