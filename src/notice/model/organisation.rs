//! The business itself: who it is, how current the policy is, and the organisation
//! facts a draft cannot do without (the manifest's `[organisation]`).

use serde::Serialize;

use super::context::Ctx;
use super::doc;
use crate::manifest::Organisation;
use crate::notice::history;

/// Who the business is and how to reach it (the manifest's `[organisation]`).
#[derive(Clone, Debug, Serialize)]
pub struct OrganisationModel {
    /// Legal name, or a bracketed placeholder when missing.
    pub name: String,
    /// Legal name as declared ("" when missing).
    pub legal_name: String,
    /// Privacy contact email.
    pub privacy_email: String,
    /// Toll-free number.
    pub toll_free_phone: String,
    /// Request web form.
    pub request_form_url: String,
    /// "Do Not Sell or Share" page.
    pub do_not_sell_url: String,
    /// "Limit the Use" page.
    pub limit_sensitive_url: String,
    /// Privacy policy URL.
    pub privacy_policy_url: String,
    /// Postal address.
    pub address: String,
    /// DPO contact.
    pub dpo_contact: String,
    /// EU representative.
    pub eu_representative: String,
    /// Operates exclusively online with a direct consumer relationship.
    pub online_only: bool,
    /// Has a mobile app.
    pub has_mobile_app: bool,
    /// Declares that a financial incentive is offered (the programmes themselves are in
    /// `incentives`).
    pub financial_incentive: bool,
    /// How opt-out preference signals are processed ("" when not declared).
    pub opt_out_signals: String,
    /// How the site responds to Do Not Track ("" when not declared).
    pub do_not_track: String,
    /// Security measures (Art. 30(1)(g)).
    pub security_measures: Vec<String>,
}

/// The "Last updated" date: the declared one, else today (warned). The CCPA requires
/// an update at least once every 12 months (Civ. Code §1798.130(a)(5)).
pub(super) fn last_updated(cx: &mut Ctx<'_>, today: &str) -> String {
    let org = &cx.manifest.organisation;
    let last_updated = if org.last_updated.trim().is_empty() {
        cx.warn(
            "last_updated_missing",
            &[doc::POLICY],
            format!("organisation.last_updated is not set: the draft shows today's date ({today}) as \"Last updated\"; set it to the date the policy is published"),
        );
        today.to_string()
    } else {
        org.last_updated.trim().to_string()
    };
    if !history::is_date(&last_updated) {
        cx.warn(
            "last_updated_invalid",
            &[doc::POLICY],
            format!("organisation.last_updated ({last_updated}) is not a YYYY-MM-DD date"),
        );
    } else if last_updated.as_str() <= history::twelve_months_before(today).as_str() {
        cx.warn(
            "last_updated_stale",
            &[doc::POLICY],
            format!("the policy was last updated on {last_updated}, more than 12 months ago: the CCPA requires an update at least once every 12 months (§1798.130(a)(5))"),
        );
    } else if last_updated.as_str() > today {
        cx.warn(
            "last_updated_future",
            &[doc::POLICY],
            format!("organisation.last_updated ({last_updated}) is after today ({today})"),
        );
    }
    last_updated
}

/// Warns about the organisation facts the documents need and the manifest lacks.
pub(super) fn warn_missing_facts(cx: &mut Ctx<'_>) {
    let org = &cx.manifest.organisation;
    let checks: [(bool, &str, &[&str], &str); 2] = [
        (
            org.legal_name.trim().is_empty(),
            "legal_name_missing",
            &[doc::POLICY, doc::NOTICE, doc::ROPA],
            "organisation.legal_name is not set: the business is not named (GDPR Art. 30(1)(a) requires the controller's name)",
        ),
        (
            org.privacy_email.trim().is_empty(),
            "privacy_email_missing",
            &[doc::POLICY, doc::ROPA],
            "organisation.privacy_email is not set: the policy gives no privacy contact (11 CCR §7011(e)(3)(J))",
        ),
    ];
    for (missing, code, docs, message) in checks {
        if missing {
            cx.warn(code, docs, message);
        }
    }
}

/// Warns about the facts the policy and the notice at collection must state, after the
/// request methods are checked.
pub(super) fn warn_missing_statements(cx: &mut Ctx<'_>) {
    let org = &cx.manifest.organisation;
    let checks: [(bool, &str, &[&str], &str); 3] = [
        (
            org.privacy_policy_url.trim().is_empty(),
            "privacy_policy_url_missing",
            &[doc::NOTICE],
            "organisation.privacy_policy_url is not set: the notice at collection must link to the privacy policy (11 CCR §7012(e)(6))",
        ),
        (
            org.opt_out_signals.trim().is_empty(),
            "opt_out_signals_missing",
            &[doc::POLICY, doc::OPT_OUT],
            "organisation.opt_out_signals is not set: the policy must say how opt-out preference signals such as Global Privacy Control are processed (11 CCR §7011(e)(3)(F)–(G), §7025)",
        ),
        (
            org.do_not_track.trim().is_empty(),
            "do_not_track_missing",
            &[doc::POLICY],
            "organisation.do_not_track is not set: CalOPPA requires saying how the website responds to Do Not Track signals (Bus. & Prof. Code §22575(b)(5))",
        ),
    ];
    for (missing, code, docs, message) in checks {
        if missing {
            cx.warn(code, docs, message);
        }
    }
    warn_incomplete_coverage(cx);
}

/// What could not be read may hold categories the drafts do not list.
fn warn_incomplete_coverage(cx: &mut Ctx<'_>) {
    let coverage = &cx.map.coverage;
    if coverage
        .failed
        .iter()
        .chain(&coverage.skipped)
        .chain(&coverage.empty)
        .next()
        .is_none()
    {
        return;
    }
    let empty = if coverage.empty.is_empty() {
        String::new()
    } else {
        format!(
            ", and in {} nothing was read (their content is unknown)",
            coverage.empty.len()
        )
    };
    let message = format!(
        "{} asset(s) could not be scanned fully and {} were skipped{empty}: the categories below may be incomplete (see report.html)",
        coverage.failed.len(),
        coverage.skipped.len()
    );
    cx.warn(
        "coverage_incomplete",
        &[doc::POLICY, doc::NOTICE, doc::ROPA],
        message,
    );
}

/// The printed name: the legal name, or a bracketed placeholder when missing.
pub(super) fn printed_name(org: &Organisation) -> String {
    if org.legal_name.trim().is_empty() {
        "[organisation legal name]".into()
    } else {
        org.legal_name.trim().into()
    }
}

impl OrganisationModel {
    /// The declared facts, trimmed.
    pub(super) fn of(org: &Organisation) -> OrganisationModel {
        OrganisationModel {
            name: printed_name(org),
            legal_name: org.legal_name.trim().into(),
            privacy_email: org.privacy_email.trim().into(),
            toll_free_phone: org.toll_free_phone.trim().into(),
            request_form_url: org.request_form_url.trim().into(),
            do_not_sell_url: org.do_not_sell_url.trim().into(),
            limit_sensitive_url: org.limit_sensitive_url.trim().into(),
            privacy_policy_url: org.privacy_policy_url.trim().into(),
            address: org.address.trim().into(),
            dpo_contact: org.dpo_contact.trim().into(),
            eu_representative: org.eu_representative.trim().into(),
            online_only: org.online_only,
            has_mobile_app: org.has_mobile_app,
            financial_incentive: org.financial_incentive,
            opt_out_signals: org.opt_out_signals.trim().into(),
            do_not_track: org.do_not_track.trim().into(),
            security_measures: org.security_measures.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, model_of};

    /// Civ. Code §1798.130(a)(5): the privacy policy is updated at least once every 12
    /// months, so a "Last updated" date older than that is warned.
    #[test]
    fn ccpa_1798_130_a5_policy_updated_more_than_12_months_ago_is_stale() {
        let f = fixture("[organisation]\nlast_updated = \"2025-11-29\"\n");
        let codes = model_of(&f, "2026-11-29").warning_codes();
        assert!(
            codes.contains(&"last_updated_stale".to_string()),
            "{codes:?}"
        );
        let f = fixture("[organisation]\nlast_updated = \"2025-11-30\"\n");
        let codes = model_of(&f, "2026-11-29").warning_codes();
        assert!(
            !codes.contains(&"last_updated_stale".to_string()),
            "{codes:?}"
        );
    }
}
