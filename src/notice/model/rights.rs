//! How consumers exercise their rights: the designated request methods and whether
//! they satisfy Civ. Code §1798.130(a)(1) and 11 CCR §7020.

use serde::Serialize;

use super::context::Ctx;
use super::doc;
use crate::manifest::Organisation;

/// A way to submit requests.
#[derive(Clone, Debug, Serialize)]
pub struct MethodModel {
    /// `phone`, `web` or `email`.
    pub kind: String,
    /// How it is introduced ("Call us toll-free at").
    pub label: String,
    /// The number, URL or address.
    pub value: String,
    /// Link target (`tel:`, `https:`, `mailto:`).
    pub href: String,
}
/// How to exercise the rights.
#[derive(Clone, Debug, Serialize)]
pub struct RequestsModel {
    /// The designated methods.
    pub methods: Vec<MethodModel>,
    /// The methods satisfy §1798.130(a)(1) / 11 CCR §7020.
    pub sufficient: bool,
}

/// The declared methods, in the order the documents print them.
fn methods(org: &Organisation) -> Vec<MethodModel> {
    let mut methods = Vec::new();
    if !org.toll_free_phone.trim().is_empty() {
        let digits: String = org
            .toll_free_phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect();
        methods.push(MethodModel {
            kind: "phone".into(),
            label: "Call us toll-free at".into(),
            value: org.toll_free_phone.trim().into(),
            href: format!("tel:{digits}"),
        });
    }
    if !org.request_form_url.trim().is_empty() {
        methods.push(MethodModel {
            kind: "web".into(),
            label: "Submit a request online at".into(),
            value: org.request_form_url.trim().into(),
            href: org.request_form_url.trim().into(),
        });
    }
    if !org.privacy_email.trim().is_empty() {
        methods.push(MethodModel {
            kind: "email".into(),
            label: "Email us at".into(),
            value: org.privacy_email.trim().into(),
            href: format!("mailto:{}", org.privacy_email.trim()),
        });
    }
    methods
}

/// The request methods, with a warning for each requirement they miss: two or more
/// methods including a toll-free number (Civ. Code §1798.130(a)(1)(A)), a web form for a
/// business with a website ((a)(1)(B)), or an email address alone for a business that
/// operates exclusively online with a direct relationship to its consumers.
pub(super) fn requests(cx: &mut Ctx<'_>) -> RequestsModel {
    let org = &cx.manifest.organisation;
    let methods = methods(org);
    let has_phone = methods.iter().any(|m| m.kind == "phone");
    let has_email = methods.iter().any(|m| m.kind == "email");
    let sufficient = if org.online_only {
        has_email
    } else {
        has_phone && methods.len() >= 2
    };
    let warnings: [(bool, &str, &str); 4] = [
        (
            !org.online_only && !has_phone,
            "toll_free_missing",
            "organisation.toll_free_phone is not set and the business is not online_only: a toll-free number is a required request method (Civ. Code §1798.130(a)(1), 11 CCR §7020)",
        ),
        (
            !org.online_only && methods.len() < 2,
            "request_methods_insufficient",
            "fewer than two request methods are declared: give at least two, one a toll-free number (Civ. Code §1798.130(a)(1))",
        ),
        (
            !org.online_only
                && org.request_form_url.trim().is_empty()
                && !org.privacy_policy_url.trim().is_empty(),
            "request_form_missing",
            "organisation.request_form_url is not set: a business with a website must let consumers submit requests through it (Civ. Code §1798.130(a)(1)(B))",
        ),
        (
            org.online_only && !has_email,
            "request_email_missing",
            "the business is online_only but organisation.privacy_email is not set: an email address is the required request method (Civ. Code §1798.130(a)(1)(A))",
        ),
    ];
    for (missing, code, message) in warnings {
        if missing {
            cx.warn(code, &[doc::POLICY, doc::OPT_OUT, doc::LIMIT], message);
        }
    }
    RequestsModel {
        methods,
        sufficient,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, model_of};

    /// Civ. Code §1798.130(a)(1)(A): two or more methods, one a toll-free number, unless
    /// the business operates exclusively online (then an email address suffices).
    #[test]
    fn ccpa_1798_130_a1_toll_free_number_required_unless_online_only() {
        let f = fixture("[organisation]\nprivacy_email = \"p@example.com\"\n");
        let m = model_of(&f, "2026-11-29");
        assert!(!m.requests.sufficient);
        assert!(m.warning_codes().contains(&"toll_free_missing".to_string()));
        let f = fixture("[organisation]\nonline_only = true\nprivacy_email = \"p@example.com\"\n");
        let m = model_of(&f, "2026-11-29");
        assert!(m.requests.sufficient);
        assert!(!m.warning_codes().contains(&"toll_free_missing".to_string()));
        let f = fixture(
            "[organisation]\nprivacy_email = \"p@example.com\"\ntoll_free_phone = \"+1 800 555 0100\"\n",
        );
        let m = model_of(&f, "2026-11-29");
        assert!(m.requests.sufficient);
        assert_eq!(m.requests.methods[0].href, "tel:+18005550100");
    }
}
