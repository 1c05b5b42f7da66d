//! Sensitive personal information (Civ. Code §1798.140(ae)) and the right to limit its
//! use (§1798.121, §1798.135(a)(2)).

use serde::Serialize;

use super::answers::{withheld, withheld_messages, WithheldModel};
use super::categories::{CategoryModel, SensitiveItemModel};
use super::context::Ctx;
use super::{doc, LinkModel, LIMIT_TEXT};
use crate::inventory::answers::Question;
use crate::manifest::SensitiveUse;

/// Sensitive personal information.
#[derive(Clone, Debug, Serialize)]
pub struct SensitiveModel {
    /// Any collected.
    pub collected: bool,
    /// The §1798.140(ae) items collected.
    pub items: Vec<SensitiveItemModel>,
    /// Used or disclosed beyond the purposes of 11 CCR §7027(m) (the manifest's answer).
    pub beyond_permitted: bool,
    /// Used only for the purposes of 11 CCR §7027(m) (the manifest's answer): the
    /// "we do not use it beyond §7027(m)" statement may be printed.
    pub permitted_only: bool,
    /// The statements withheld: the §7027(m) statement without an answer, and the
    /// sources holding message contents that do not say whose messages they are.
    pub withheld: Vec<WithheldModel>,
    /// The "Limit the Use of My Sensitive Personal Information" link.
    pub limit_link: LinkModel,
}

/// The §1798.140(ae) items over all categories, each once with all its types.
fn items(categories: &[CategoryModel]) -> Vec<SensitiveItemModel> {
    let mut items: Vec<SensitiveItemModel> = Vec::new();
    for s in categories.iter().flat_map(|c| &c.sensitive_items) {
        match items.iter_mut().find(|x| x.item == s.item) {
            Some(x) => {
                for (l, e) in s.data_types.iter().zip(&s.examples) {
                    if !x.data_types.contains(l) {
                        x.data_types.push(l.clone());
                        x.examples.push(e.clone());
                    }
                }
            }
            None => items.push(s.clone()),
        }
    }
    items
}

/// The right to limit applies only when sensitive personal information is collected
/// *and* used or disclosed beyond the purposes of 11 CCR §7027(m) (Civ. Code
/// §1798.121(a), (d)); then the "Limit the Use" link needs a target (§1798.135(a)(2)).
pub(super) fn sensitive(cx: &mut Ctx<'_>, categories: &[CategoryModel]) -> SensitiveModel {
    let org = &cx.manifest.organisation;
    let items = items(categories);
    let collected = !items.is_empty();
    let q = Question::SensitivePiUse;
    let beyond_permitted =
        cx.answers.sensitive_pi_use == Some(SensitiveUse::BeyondPermittedPurposes);
    let permitted_only = cx.answers.says_no(q);
    let mut withheld = withheld(cx, &[q]);
    withheld.extend(withheld_messages(cx));
    let limit_applies = collected && beyond_permitted;
    let url = org.limit_sensitive_url.trim().to_string();
    if limit_applies && url.is_empty() {
        cx.warn(
            "limit_url_missing",
            &[doc::POLICY, doc::NOTICE, doc::LIMIT],
            format!("sensitive personal information is used beyond 11 CCR §7027(m) but organisation.limit_sensitive_url is not set: the \"{LIMIT_TEXT}\" link has no target"),
        );
    }
    SensitiveModel {
        collected,
        items,
        beyond_permitted,
        permitted_only,
        withheld,
        limit_link: LinkModel {
            text: LIMIT_TEXT.into(),
            url,
            applies: limit_applies,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, model_of};

    const SSN: &str = "[sources.hr]\nkind = \"files\"\npath = \"hr\"\ndata_types = [\"ssn\"]\nretention = \"7 years\"\n";

    /// Civ. Code §1798.121(a), (d) and 11 CCR §7027(m): the right to limit (and its link)
    /// applies only to sensitive personal information used beyond the permitted purposes.
    #[test]
    fn ccpa_1798_121_limit_link_applies_only_to_sensitive_pi_used_beyond_7027m() {
        let m = model_of(&fixture(SSN), "2026-11-29");
        assert!(m.sensitive.collected && !m.sensitive.limit_link.applies && !m.limit_applies);
        // Unanswered: neither "beyond" nor "permitted only" may be said.
        assert!(!m.sensitive.permitted_only && !m.sensitive.beyond_permitted);
        assert_eq!(m.sensitive.withheld[0].key, "disclosures.sensitive_pi_use");
        let permitted =
            format!("[disclosures]\nsensitive_pi_use = \"permitted_purposes_only\"\n{SSN}");
        let m = model_of(&fixture(&permitted), "2026-11-29");
        assert!(m.sensitive.permitted_only && m.sensitive.withheld.is_empty());
        let beyond =
            format!("[organisation]\nuses_sensitive_beyond_permitted_purposes = true\n{SSN}");
        let m = model_of(&fixture(&beyond), "2026-11-29");
        assert!(m.sensitive.limit_link.applies && m.limit_applies);
        assert!(m.warning_codes().contains(&"limit_url_missing".to_string()));
        // No sensitive type: nothing to limit, whatever the flag says.
        let none = "[organisation]\nuses_sensitive_beyond_permitted_purposes = true\n[sources.web]\nkind = \"files\"\npath = \"web\"\ndata_types = [\"email\"]\n";
        let m = model_of(&fixture(none), "2026-11-29");
        assert!(!m.sensitive.collected && !m.limit_applies);
    }
}
