//! The California notice at collection for the workforce: employees, job applicants and
//! contractors (Civ. Code §1798.100(a), 11 CCR §7012; the employment exemption lapsed on
//! 1 January 2023). It covers the sources whose data subjects are workforce
//! ([`super::audience`]), with their own categories, purposes and retention, and the
//! statement on selling and sharing that rests on `[workforce]` (or a business-wide
//! `false`).

use serde::Serialize;

use super::categories::{CategoryModel, HoldingModel};
use super::sale::SaleSharingModel;
use super::sensitive::SensitiveModel;
use super::{Label, Warning};

/// The workforce notice.
#[derive(Clone, Debug, Serialize)]
pub struct WorkforceModel {
    /// Some source holds workforce data.
    pub applies: bool,
    /// The sources covered (keys).
    pub sources: Vec<String>,
    /// The workforce data subjects of those sources.
    pub data_subjects: Vec<Label>,
    /// The CCPA categories collected about the workforce.
    pub categories: Vec<CategoryModel>,
    /// Sensitive personal information among them.
    pub sensitive: SensitiveModel,
    /// Per source: categories, purposes and retention.
    pub holdings: Vec<HoldingModel>,
    /// Selling and sharing of workforce data.
    pub sale_and_sharing: SaleSharingModel,
}

/// Warnings of the workforce view about what the workforce notice does not print (the
/// policy's disclosure, minors and tracking statements, categories of sources).
const NOT_PRINTED: &[&str] = &[
    "answer_missing:disclosures.discloses_for_business_purpose",
    "answer_missing:disclosures.sells_or_shares_under_16",
    "answer_missing:disclosures.third_party_tracking",
    "sources_missing:",
];

/// The workforce view's warnings, renamed for the workforce notice: the same checks as
/// the consumer documents (missing retention, purposes, sale answers), about HR data.
pub(super) fn relabel(warnings: Vec<Warning>) -> Vec<Warning> {
    warnings
        .into_iter()
        .filter(|w| !NOT_PRINTED.iter().any(|p| w.code.starts_with(p)))
        .map(|w| Warning {
            code: format!("workforce:{}", w.code),
            message: format!(
                "workforce notice: {}",
                w.message
                    .replace("`disclosures.sells`", "`workforce.sells`")
                    .replace("`disclosures.shares`", "`workforce.shares`")
            ),
            documents: vec![super::doc::WORKFORCE.to_string()],
            policy: false,
            notice: false,
            ropa: false,
            opt_out: false,
            limit: false,
            gdpr: false,
            workforce: true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, model_of};

    /// Without a workforce source the notice does not apply (`--kind all` skips it);
    /// with one, its categories are the HR source's only, and a business-wide
    /// `shares = true` does not answer for HR data.
    #[test]
    fn workforce_notice_covers_hr_sources_only() {
        let shop = "[sources.shop]\nkind = \"files\"\npath = \"s\"\ndata_types = [\"email\"]\ndata_subjects = [\"customers\"]\nretention = \"1 year\"\n[disclosures]\nsells = false\nshares = true\n";
        let m = model_of(&fixture(shop), "2026-11-29");
        assert!(!m.workforce.applies && m.workforce.categories.is_empty());
        let hr = format!("{shop}[sources.hr]\nkind = \"files\"\npath = \"h\"\ndata_types = [\"ssn\"]\ndata_subjects = [\"job_applicants\"]\nretention = \"2 years\"\n");
        let m = model_of(&fixture(&hr), "2026-11-29");
        assert!(m.workforce.applies);
        let letters: Vec<&str> = m
            .workforce
            .categories
            .iter()
            .map(|c| c.letter.as_str())
            .collect();
        assert!(letters.contains(&"L") && !m.categories.iter().any(|c| c.letter == "L"));
        assert!(m.workforce.sale_and_sharing.sells_answered);
        assert!(!m.workforce.sale_and_sharing.shares_answered);
        assert!(m
            .warning_codes()
            .contains(&"workforce:answer_missing:disclosures.shares".to_string()));
    }
}
