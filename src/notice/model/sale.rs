//! Selling and sharing in the preceding 12 months (Civ. Code §1798.130(a)(5)(C)(i)):
//! the categories sold or shared, the refused "we have not sold or shared" statement,
//! and the "Do Not Sell or Share" link. What counts as a sale, a share or a possible
//! share is decided by [`crate::inventory::sale`]; this part only words it.

use serde::Serialize;

use super::answers::{withheld, WithheldModel};
use super::categories::{CategoryModel, RecipientGroup};
use super::context::{union_purposes, Ctx};
use super::{doc, push_unique, Label, LinkModel, DO_NOT_SELL_TEXT};
use crate::inventory::answers::Question;
use crate::inventory::sale::SaleAssessment;
use crate::knowledge::VocabKind;

/// A category in the sold/shared list.
#[derive(Clone, Debug, Serialize)]
pub struct SoldSharedCategory {
    /// Letter.
    pub letter: String,
    /// Statutory name.
    pub name: String,
    /// Third-party categories it was sold to.
    pub sold_to: Vec<RecipientGroup>,
    /// Third-party categories it was shared with.
    pub shared_with: Vec<RecipientGroup>,
    /// Purposes of the sale or sharing.
    pub purposes: Vec<Label>,
}
/// An observed advertising/social recipient that blocks "we do not sell or share".
#[derive(Clone, Debug, Serialize)]
pub struct BlockingFlow {
    /// Recipient name.
    pub recipient: String,
    /// Its category label.
    pub category: String,
    /// Identifier / network-activity types flowing to it.
    pub data_types: Vec<Label>,
    /// Where it was seen.
    pub evidence: Vec<String>,
}
/// Selling and sharing in the preceding 12 months (§1798.130(a)(5)(C)(i)).
#[derive(Clone, Debug, Serialize)]
pub struct SaleSharingModel {
    /// Any category declared sold.
    pub sells: bool,
    /// Any category declared shared for cross-context behavioral advertising.
    pub shares: bool,
    /// `sells || shares`.
    pub any: bool,
    /// The categories sold or shared.
    pub categories: Vec<SoldSharedCategory>,
    /// Purposes of selling or sharing.
    pub purposes: Vec<Label>,
    /// The prominent "we have not sold or shared" statement may be printed: the manifest
    /// answers `sells = false` and `shares = false`, nothing declared contradicts it, and
    /// the data shows no possible share.
    pub none_statement: bool,
    /// `disclosures.sells` is answered and holds: a category not listed as sold is not
    /// sold ("None" in the tables).
    pub sells_answered: bool,
    /// The same for `disclosures.shares`.
    pub shares_answered: bool,
    /// The statements withheld for want of an answer (or for a contradicted one).
    pub withheld: Vec<WithheldModel>,
    /// That statement was refused because of the flows below.
    pub none_statement_blocked: bool,
    /// Identifier / network-activity flows to advertising or social recipients with no
    /// sold/shared declaration.
    pub blocking_flows: Vec<BlockingFlow>,
    /// The "Do Not Sell or Share My Personal Information" link.
    pub opt_out_link: LinkModel,
}

/// The possible shares of the assessment, worded with their evidence.
fn blocking_flows(cx: &Ctx<'_>, sale: &SaleAssessment) -> Vec<BlockingFlow> {
    sale.possible_shares
        .iter()
        .filter_map(|p| {
            let r = cx.recipient(&p.recipient)?;
            Some(BlockingFlow {
                recipient: r.name.clone(),
                category: r.category_label.clone(),
                data_types: p.data_types.iter().map(|d| cx.type_label(d)).collect(),
                evidence: r.evidence.clone(),
            })
        })
        .collect()
}

/// Warns about each possible share: when a sale or share is declared, the list may be
/// incomplete; when none is, the "none sold or shared" statement is refused.
fn warn_possible_shares(cx: &mut Ctx<'_>, sale: &SaleAssessment, flows: &[BlockingFlow]) {
    for b in flows.iter().filter(|_| sale.declared()) {
        let types_text = b
            .data_types
            .iter()
            .map(|l| l.label.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        cx.warn(
            format!("possible_sharing:{}", b.recipient),
            &[doc::POLICY, doc::NOTICE, doc::OPT_OUT],
            format!(
                "{} ({}) receives {types_text} according to the data, but is not declared as sold to or shared with: the sold/shared list may be incomplete",
                b.recipient, b.category
            ),
        );
    }
    if sale.none_statement_blocked() {
        cx.warn(
            "sale_statement_blocked",
            &[doc::POLICY, doc::NOTICE, doc::OPT_OUT],
            format!(
                "the statement \"we have not sold or shared personal information in the preceding 12 months\" was NOT generated: the data shows identifiers or internet activity going to {}, an advertising or social network, and the manifest declares no sale or sharing. Sending such data to such a recipient for cross-context behavioral advertising is \"sharing\" (Civ. Code §1798.140(ah)). Declare the recipient under [recipients] with its role (and sold / shared_for_cross_context_advertising), or remove the flow",
                flows.iter().map(|b| format!("{} ({})", b.recipient, b.category)).collect::<Vec<_>>().join(", ")
            ),
        );
    }
}

/// The categories sold or shared with their recipients and purposes; sharing is always
/// for cross-context behavioral advertising (§1798.140(ah)). Returns them and all
/// purposes.
fn sold_shared_categories(
    cx: &Ctx<'_>,
    categories: &[CategoryModel],
) -> (Vec<SoldSharedCategory>, Vec<Label>) {
    let mut out = Vec::new();
    let mut all_purposes: Vec<Label> = Vec::new();
    for c in categories.iter().filter(|c| c.sold || c.shared) {
        let mut p = union_purposes(&c.sold_to);
        for x in union_purposes(&c.shared_with) {
            push_unique(&mut p, x);
        }
        if c.shared {
            push_unique(
                &mut p,
                cx.label(VocabKind::Purpose, "cross_context_behavioral_advertising"),
            );
        }
        for x in &p {
            push_unique(&mut all_purposes, x.clone());
        }
        out.push(SoldSharedCategory {
            letter: c.letter.clone(),
            name: c.name.clone(),
            sold_to: c.sold_to.clone(),
            shared_with: c.shared_with.clone(),
            purposes: p,
        });
    }
    (out, all_purposes)
}

/// The sale-and-sharing part, with its warnings.
pub(super) fn sale_and_sharing(
    cx: &mut Ctx<'_>,
    categories: &[CategoryModel],
    sale: &SaleAssessment,
) -> SaleSharingModel {
    let flows = blocking_flows(cx, sale);
    warn_possible_shares(cx, sale, &flows);
    super::recipients::warn_undeclared(cx);
    let (sold_shared, purposes) = sold_shared_categories(cx, categories);
    if sale.declared() && sold_shared.is_empty() {
        cx.warn(
            "sale_without_categories",
            &[doc::POLICY],
            "a recipient is declared as sold to or shared with, but no collected data type is linked to it: list its data_types",
        );
    }
    let url = cx.manifest.organisation.do_not_sell_url.trim().to_string();
    let answers = cx.answers;
    let said_yes = [Question::Sells, Question::Shares]
        .iter()
        .any(|q| answers.answer(*q) == Some(true));
    let applies = sale.sold_or_shared_or_may_be() || said_yes;
    if applies && url.is_empty() {
        cx.warn(
            "do_not_sell_url_missing",
            &[doc::POLICY, doc::NOTICE, doc::OPT_OUT],
            format!("personal information is (or may be) sold or shared but organisation.do_not_sell_url is not set: the \"{DO_NOT_SELL_TEXT}\" link has no target (Civ. Code §1798.135(a)(1))"),
        );
    }
    let blocked = sale.none_statement_blocked();
    SaleSharingModel {
        sells: sale.sells,
        shares: sale.shares,
        any: sale.declared(),
        categories: sold_shared,
        purposes,
        none_statement: answers.says_no(Question::Sells)
            && answers.says_no(Question::Shares)
            && !sale.declared()
            && !blocked,
        sells_answered: answers.holds(Question::Sells),
        shares_answered: answers.holds(Question::Shares),
        withheld: withheld(cx, &[Question::Sells, Question::Shares]),
        none_statement_blocked: blocked,
        blocking_flows: flows,
        opt_out_link: LinkModel {
            text: DO_NOT_SELL_TEXT.into(),
            applies: applies || !url.is_empty(),
            url,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, model_of};

    const SHARED: &str = "[disclosures]\nsells = false\nshares = true\n[organisation]\ndo_not_sell_url = \"https://example.com/opt-out\"\n[sources.web]\nkind = \"files\"\npath = \"web\"\ndata_types = [\"ip_address\"]\nrecipients = [\"ads\"]\n[recipients.ads]\nname = \"Ads\"\nrole = \"third_party\"\ncategory = \"advertising_networks\"\npurposes = [\"marketing\"]\nshared_for_cross_context_advertising = true\n";

    /// Civ. Code §1798.130(a)(5)(C)(i), §1798.140(ah): a category shared is listed with
    /// its recipients, and sharing is for cross-context behavioral advertising.
    #[test]
    fn ccpa_1798_130_a5ci_shared_category_is_listed_for_cross_context_advertising() {
        let m = model_of(&fixture(SHARED), "2026-11-29");
        let s = &m.sale_and_sharing;
        assert!(s.shares && s.any && !s.none_statement && s.opt_out_link.applies);
        let letters: Vec<&str> = s.categories.iter().map(|c| c.letter.as_str()).collect();
        assert_eq!(letters, ["A", "F"]);
        let purposes: Vec<&str> = s.purposes.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            purposes,
            ["marketing", "cross_context_behavioral_advertising"]
        );
    }

    /// Civ. Code §1798.135(a)(1): with nothing sold, shared or possibly shared, the
    /// business may state so and no opt-out link is required.
    #[test]
    fn ccpa_1798_135_a1_nothing_sold_or_shared_allows_the_none_statement() {
        let none = SHARED
            .replace("shared_for_cross_context_advertising = true\n", "")
            .replace("shares = true", "shares = false")
            .replace("do_not_sell_url = \"https://example.com/opt-out\"\n", "");
        let m = model_of(&fixture(&none), "2026-11-29");
        let s = &m.sale_and_sharing;
        assert!(s.none_statement && !s.none_statement_blocked && !s.opt_out_link.applies);
        assert!(s.withheld.is_empty() && s.sells_answered && s.shares_answered);
    }

    /// Civ. Code §1798.130(a)(5)(C)(i): "we have not sold or shared" rests on explicit
    /// answers; with `shares` unanswered it is withheld, the opt-out link does not apply
    /// on the draft's say-so, and the tables cannot print "None" for sharing.
    #[test]
    fn ccpa_1798_130_a5ci_none_statement_needs_both_answers() {
        let half = SHARED
            .replace("shared_for_cross_context_advertising = true\n", "")
            .replace("shares = true\n", "")
            .replace("do_not_sell_url = \"https://example.com/opt-out\"\n", "");
        let m = model_of(&fixture(&half), "2026-11-29");
        let s = &m.sale_and_sharing;
        assert!(!s.none_statement && s.sells_answered && !s.shares_answered);
        let keys: Vec<&str> = s.withheld.iter().map(|w| w.key.as_str()).collect();
        assert_eq!(keys, ["disclosures.shares"]);
    }
}
