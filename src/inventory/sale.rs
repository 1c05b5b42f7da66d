//! Selling, sharing and disclosing for a business purpose: how each flow of personal
//! information to a recipient counts under the CCPA, decided here once. The data map,
//! `piimap check` (the `sale` violation) and the notice (the "we have not sold or shared"
//! statement and its lists) all read these rules, so they cannot disagree.
//!
//! What a flow *is* comes from the manifest (role, `sold`,
//! `shared_for_cross_context_advertising`); what it *may be* comes from the data (a
//! recipient seen in an asset) and from the knowledge files: the catalog says which
//! vendors act for cross-context behavioral advertising, the taxonomy flags the
//! categories of personal information that advertising runs on (`cross_context_advertising`
//! in `rules/taxonomy.toml`). No category letter is written here.

use serde::{Deserialize, Serialize};

use super::datamap::{DataMap, RecipientEntry, TypeRecipient};
use crate::manifest::Role;
use crate::taxonomy::Taxonomy;

/// What the rules need to know about one recipient of personal information.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flow {
    /// Declared in the manifest's `[recipients]`.
    pub declared: bool,
    /// Seen in the scanned data.
    pub observed: bool,
    /// The declared role (`unknown` when only observed).
    pub role: Role,
    /// Declared as sold to.
    pub sold: bool,
    /// Declared as shared with for cross-context behavioral advertising.
    pub shared: bool,
    /// The catalog marks the vendor as typically acting for cross-context behavioral
    /// advertising (ad networks, social networks).
    pub advertising: bool,
}

impl Flow {
    /// The flow to a recipient of one data type; `advertising` comes from the catalog.
    pub fn of_type_recipient(r: &TypeRecipient, advertising: bool) -> Flow {
        Flow {
            declared: r.declared,
            observed: r.observed,
            role: r.role,
            sold: r.sold,
            shared: r.shared,
            advertising,
        }
    }

    /// The flow to a recipient across the data map.
    pub fn of_recipient(r: &RecipientEntry) -> Flow {
        Flow {
            declared: r.declared,
            observed: r.observed,
            role: r.role,
            sold: r.sold,
            shared: r.shared,
            advertising: r.advertising,
        }
    }

    /// A sale: personal information disclosed to a third party for monetary or other
    /// valuable consideration (Civ. Code §1798.140(ad)). Only the manifest can say so.
    pub fn is_sale(&self) -> bool {
        self.declared && self.sold
    }

    /// Sharing: personal information disclosed to a third party for cross-context
    /// behavioral advertising (Civ. Code §1798.140(ah)). Only the manifest can say so.
    pub fn is_sharing(&self) -> bool {
        self.declared && self.shared
    }

    /// A disclosure for a business purpose (Civ. Code §1798.140(e), listed under
    /// §1798.130(a)(5)(C)(ii)): a declared recipient that is neither sold to nor shared
    /// with.
    pub fn is_business_purpose_disclosure(&self) -> bool {
        self.declared && !self.sold && !self.shared
    }

    /// Seen in the data with no declaration: nobody has said whether it is a service
    /// provider, a sale or sharing.
    pub fn is_unreviewed(&self) -> bool {
        self.observed && !self.declared
    }

    /// The flow may be sharing (Civ. Code §1798.140(ah)) although nothing declares it:
    /// an advertising or social recipient seen in the data, not declared as sold to or
    /// shared with, and not declared as a service provider or contractor (which may not
    /// provide cross-context behavioral advertising, 11 CCR §7050(b), so the declaration
    /// is taken at its word). Whether the data itself counts is
    /// [`carries_advertising_data`].
    pub fn may_be_sharing(&self) -> bool {
        self.observed
            && self.advertising
            && !self.sold
            && !self.shared
            && (!self.declared || self.role == Role::ThirdParty)
    }
}

/// Whether a data type in the categories `letters` is what cross-context behavioral
/// advertising runs on (the taxonomy's `cross_context_advertising` flag: identifiers and
/// internet or other network activity, §1798.140(k), (v)(1)(A), (F)).
pub fn carries_advertising_data(taxonomy: &Taxonomy, letters: &[String]) -> bool {
    taxonomy.feeds_cross_context_advertising(letters)
}

/// A recipient whose flows may be sharing, and the advertising data it receives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PossibleShare {
    /// Recipient id (manifest key, or catalog id when only observed).
    pub recipient: String,
    /// Data types it receives that advertising runs on, in data-map order.
    pub data_types: Vec<String>,
}

/// Selling and sharing across the data map.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleAssessment {
    /// Some declared recipient is sold to.
    pub sells: bool,
    /// Some declared recipient is shared with for cross-context behavioral advertising.
    pub shares: bool,
    /// Flows that may be sharing although nothing declares them, one per recipient.
    pub possible_shares: Vec<PossibleShare>,
    /// Some declared recipient receives a disclosure for a business purpose.
    #[serde(default)]
    pub discloses: bool,
    /// Recipients seen in the data whose role nobody has declared (ids): each flow may
    /// be a disclosure for a business purpose, a sale or sharing.
    #[serde(default)]
    pub unreviewed: Vec<String>,
}

impl SaleAssessment {
    /// Applies the rules to every recipient of the data map.
    pub fn of(map: &DataMap, taxonomy: &Taxonomy) -> SaleAssessment {
        let flows = || map.recipients.iter().map(|r| (r, Flow::of_recipient(r)));
        let advertising_types: Vec<&str> = map
            .data_types
            .iter()
            .filter(|t| carries_advertising_data(taxonomy, &t.law.ccpa))
            .map(|t| t.data_type.as_str())
            .collect();
        let possible_shares = flows()
            .filter(|(_, f)| f.may_be_sharing())
            .map(|(r, _)| PossibleShare {
                recipient: r.id.clone(),
                data_types: r
                    .data_types
                    .iter()
                    .filter(|d| advertising_types.contains(&d.as_str()))
                    .cloned()
                    .collect(),
            })
            .filter(|p| !p.data_types.is_empty())
            .collect();
        SaleAssessment {
            sells: flows().any(|(_, f)| f.is_sale()),
            shares: flows().any(|(_, f)| f.is_sharing()),
            possible_shares,
            discloses: flows().any(|(_, f)| f.is_business_purpose_disclosure()),
            unreviewed: flows()
                .filter(|(_, f)| f.is_unreviewed())
                .map(|(r, _)| r.id.clone())
                .collect(),
        }
    }

    /// The "we have not disclosed personal information for a business purpose" statement
    /// must be refused: a declared recipient receives such a disclosure, or the data
    /// shows a flow to a recipient whose role nobody has declared (Civ. Code
    /// §1798.130(a)(5)(C)(ii)).
    pub fn no_disclosure_statement_blocked(&self) -> bool {
        self.discloses || !self.unreviewed.is_empty()
    }

    /// Some sale or sharing is declared.
    pub fn declared(&self) -> bool {
        self.sells || self.shares
    }

    /// The "we have not sold or shared" statement must be refused: nothing is declared
    /// as sold or shared, yet the data shows flows that may be sharing.
    pub fn none_statement_blocked(&self) -> bool {
        !self.declared() && !self.possible_shares.is_empty()
    }

    /// Personal information is, or may be, sold or shared: the opt-out right and its
    /// link apply (Civ. Code §1798.120, §1798.135(a)(1)).
    pub fn sold_or_shared_or_may_be(&self) -> bool {
        self.declared() || self.none_statement_blocked()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(declared: bool, observed: bool, role: Role, sold: bool, shared: bool) -> Flow {
        Flow {
            declared,
            observed,
            role,
            sold,
            shared,
            advertising: true,
        }
    }

    /// Civ. Code §1798.140(ah): sending identifiers or internet activity to an ad network
    /// is sharing when it is for cross-context behavioral advertising; seen in the data
    /// and declared nowhere, it may be.
    #[test]
    fn ccpa_1798_140_ah_ad_network_recipient_means_possibly_shared() {
        assert!(flow(false, true, Role::Unknown, false, false).may_be_sharing());
        assert!(flow(true, true, Role::ThirdParty, false, false).may_be_sharing());
        let not_ads = Flow {
            advertising: false,
            ..flow(false, true, Role::Unknown, false, false)
        };
        assert!(!not_ads.may_be_sharing());
        // Not seen in the data: only the declaration speaks.
        assert!(!flow(true, false, Role::ThirdParty, false, false).may_be_sharing());
    }

    /// 11 CCR §7050(b): a service provider or contractor may not provide cross-context
    /// behavioral advertising, so such a declaration is not second-guessed; and a flow
    /// declared as shared is sharing, not "possibly" so.
    #[test]
    fn ccpa_regs_7050_b_declared_service_provider_or_declared_share_is_not_possibly_shared() {
        assert!(!flow(true, true, Role::ServiceProvider, false, false).may_be_sharing());
        assert!(!flow(true, true, Role::Contractor, false, false).may_be_sharing());
        assert!(!flow(true, true, Role::ThirdParty, false, true).may_be_sharing());
        assert!(!flow(true, true, Role::ThirdParty, true, false).may_be_sharing());
    }

    /// Civ. Code §1798.140(ad), (ah): a sale or a share is what the manifest declares;
    /// an undeclared recipient is never listed as sold to or shared with, only flagged.
    #[test]
    fn ccpa_1798_140_ad_ah_sale_and_sharing_are_declared_not_inferred() {
        assert!(flow(true, false, Role::ThirdParty, true, false).is_sale());
        assert!(flow(true, false, Role::ThirdParty, false, true).is_sharing());
        assert!(!flow(false, true, Role::Unknown, true, true).is_sale());
        assert!(!flow(false, true, Role::Unknown, true, true).is_sharing());
        assert!(flow(false, true, Role::Unknown, false, false).is_unreviewed());
    }

    /// Civ. Code §1798.130(a)(5)(C)(ii), §1798.140(e): a declared recipient that is
    /// neither sold to nor shared with receives a disclosure for a business purpose.
    #[test]
    fn ccpa_1798_130_a5cii_declared_recipient_not_sold_or_shared_is_a_business_purpose_disclosure()
    {
        assert!(
            flow(true, false, Role::ServiceProvider, false, false).is_business_purpose_disclosure()
        );
        assert!(flow(true, true, Role::ThirdParty, false, false).is_business_purpose_disclosure());
        assert!(!flow(true, true, Role::ThirdParty, true, false).is_business_purpose_disclosure());
        assert!(!flow(false, true, Role::Unknown, false, false).is_business_purpose_disclosure());
    }

    /// Civ. Code §1798.140(k), (v)(1)(A), (F): identifiers and internet activity are what
    /// cross-context behavioral advertising runs on; an income figure alone is not.
    #[test]
    fn ccpa_1798_140_k_identifiers_and_network_activity_are_advertising_data() {
        let t = Taxonomy::builtin().unwrap();
        let letters = |dt: &str| t.get(dt).unwrap().ccpa.clone();
        assert!(carries_advertising_data(&t, &letters("ip_address")));
        assert!(carries_advertising_data(&t, &letters("url")));
        assert!(carries_advertising_data(&t, &letters("email")));
        assert!(!carries_advertising_data(&t, &letters("income")));
    }

    /// Civ. Code §1798.135(a)(1), §1798.120: a declared sale or share, or a flow that may
    /// be sharing, makes the opt-out right apply; only with neither may the business say
    /// it has not sold or shared.
    #[test]
    fn ccpa_1798_135_a1_opt_out_applies_when_sold_shared_or_possibly_shared() {
        let possible = vec![PossibleShare {
            recipient: "facebook".into(),
            data_types: vec!["url".into()],
        }];
        let none = SaleAssessment::default();
        assert!(!none.sold_or_shared_or_may_be() && !none.none_statement_blocked());
        assert!(!none.no_disclosure_statement_blocked());
        let blocked = SaleAssessment {
            possible_shares: possible.clone(),
            ..SaleAssessment::default()
        };
        assert!(blocked.none_statement_blocked() && blocked.sold_or_shared_or_may_be());
        let declared = SaleAssessment {
            sells: true,
            possible_shares: possible,
            ..SaleAssessment::default()
        };
        assert!(!declared.none_statement_blocked() && declared.sold_or_shared_or_may_be());
    }

    /// Civ. Code §1798.130(a)(5)(C)(ii): "no disclosure for a business purpose" is refused
    /// while a declared recipient receives one, or while the data shows a flow to a
    /// recipient with no declared role (as the sale statement is refused).
    #[test]
    fn ccpa_1798_130_a5cii_no_disclosure_statement_is_refused_while_flows_exist() {
        let declared = SaleAssessment {
            discloses: true,
            ..SaleAssessment::default()
        };
        assert!(declared.no_disclosure_statement_blocked());
        let seen = SaleAssessment {
            unreviewed: vec!["stripe".into()],
            ..SaleAssessment::default()
        };
        assert!(seen.no_disclosure_statement_blocked());
    }
}
