//! Consumers under 16: selling or sharing their personal information needs their
//! opt-in (Civ. Code §1798.120(c)), and the policy says whether the business has actual
//! knowledge of doing so.

use serde::Serialize;

use super::context::Ctx;
use super::doc;
use crate::inventory::sale::SaleAssessment;

/// Consumers under 16.
#[derive(Clone, Debug, Serialize)]
pub struct MinorsModel {
    /// Actual knowledge of selling or sharing PI of consumers under 16.
    pub actual_knowledge: bool,
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
    let actual_knowledge = manifest.organisation.sells_or_shares_minors_data;
    if minors_in_data_subjects && sale.sold_or_shared_or_may_be() && !actual_knowledge {
        cx.warn(
            "minors_review",
            &[doc::POLICY],
            "a source declares consumers under 16 as data subjects and personal information is (or may be) sold or shared, yet organisation.sells_or_shares_minors_data is false: confirm the under-16 statement (Civ. Code §1798.120(c))",
        );
    }
    MinorsModel {
        actual_knowledge,
        minors_in_data_subjects,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, model_of};

    const SOURCE: &str = "[sources.app]\nkind = \"files\"\npath = \"app\"\ndata_types = [\"email\"]\ndata_subjects = [\"minors_under_16\"]\nrecipients = [\"broker\"]\n";
    const BROKER: &str = "[recipients.broker]\nname = \"Broker\"\nrole = \"third_party\"\ncategory = \"data_brokers\"\nsold = true\n";

    /// Civ. Code §1798.120(c): PI of consumers under 16 may not be sold or shared without
    /// their opt-in, so under-16 data subjects plus a sale contradict "no actual knowledge".
    #[test]
    fn ccpa_1798_120_c_minors_with_a_sale_contradict_no_actual_knowledge() {
        let m = model_of(&fixture(&format!("{SOURCE}{BROKER}")), "2026-11-29");
        assert!(m.minors.minors_in_data_subjects && !m.minors.actual_knowledge);
        assert!(m.warning_codes().contains(&"minors_review".to_string()));
        // Declared actual knowledge: nothing to confirm.
        let knows = format!("[organisation]\nsells_or_shares_minors_data = true\n{SOURCE}{BROKER}");
        let m = model_of(&fixture(&knows), "2026-11-29");
        assert!(!m.warning_codes().contains(&"minors_review".to_string()));
        // No sale or sharing: nothing to confirm either.
        let unsold = BROKER.replace("sold = true", "sold = false");
        let m = model_of(&fixture(&format!("{SOURCE}{unsold}")), "2026-11-29");
        assert!(!m.warning_codes().contains(&"minors_review".to_string()));
    }
}
