//! The manifest's answers that the negative statements of a draft rest on, checked once
//! against the declarations and the data.
//!
//! A draft may say "we have not sold personal information", "we do not use sensitive
//! personal information beyond §7027(m)" or "we do not allow third parties to track you
//! across websites" only when the manifest says so explicitly (`[disclosures]`), and
//! when nothing it declares, and nothing the data shows, contradicts the answer. A
//! missing answer withholds the statement; a contradicted one too. Both are reported by
//! `piimap check` (kind `unanswered`) and warned at the top of the drafts. Whether a flow
//! is a sale, a share or a disclosure is [`super::sale`]'s to decide; this module only
//! says which statements those decisions and the answers allow.

use serde::{Deserialize, Serialize};

use super::datamap::DataMap;
use super::sale::SaleAssessment;
use crate::manifest::{Manifest, SensitiveUse};

/// A question of `[disclosures]` a negative statement rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Question {
    /// "We have not sold personal information" (Civ. Code §1798.130(a)(5)(C)(i)).
    Sells,
    /// "We have not shared personal information" (§1798.130(a)(5)(C)(i), §1798.140(ah)).
    Shares,
    /// "We have not disclosed personal information for a business purpose"
    /// (§1798.130(a)(5)(C)(ii)).
    DisclosesForBusinessPurpose,
    /// "We do not use sensitive personal information beyond 11 CCR §7027(m)"
    /// (§7011(e)(1)(K)).
    SensitivePiUse,
    /// "We have no actual knowledge of selling or sharing the personal information of
    /// consumers under 16" (§7011(e)(1)(G)).
    SellsOrSharesUnder16,
    /// "We do not allow third parties to collect personal information about your online
    /// activities over time and across websites" (Bus. & Prof. Code §22575(b)(6)).
    ThirdPartyTracking,
}

impl Question {
    /// Every question, in the order the drafts and `check` list them.
    pub const ALL: [Question; 6] = [
        Question::Sells,
        Question::Shares,
        Question::DisclosesForBusinessPurpose,
        Question::SensitivePiUse,
        Question::SellsOrSharesUnder16,
        Question::ThirdPartyTracking,
    ];

    /// Its key in piimap.toml.
    pub fn key(self) -> &'static str {
        match self {
            Question::Sells => "disclosures.sells",
            Question::Shares => "disclosures.shares",
            Question::DisclosesForBusinessPurpose => "disclosures.discloses_for_business_purpose",
            Question::SensitivePiUse => "disclosures.sensitive_pi_use",
            Question::SellsOrSharesUnder16 => "disclosures.sells_or_shares_under_16",
            Question::ThirdPartyTracking => "disclosures.third_party_tracking",
        }
    }

    /// The answers it takes, for the warnings.
    pub fn values(self) -> &'static str {
        match self {
            Question::SensitivePiUse => {
                "\"permitted_purposes_only\" or \"beyond_permitted_purposes\""
            }
            _ => "true or false",
        }
    }

    /// The statement that rests on it, as the warnings name it.
    pub fn statement(self) -> &'static str {
        match self {
            Question::Sells => "we have not sold personal information",
            Question::Shares => "we have not shared personal information for cross-context behavioral advertising",
            Question::DisclosesForBusinessPurpose => {
                "we have not disclosed personal information for a business purpose"
            }
            Question::SensitivePiUse => {
                "we do not use or disclose sensitive personal information beyond 11 CCR §7027(m)"
            }
            Question::SellsOrSharesUnder16 => {
                "we have no actual knowledge of selling or sharing the personal information of consumers under 16"
            }
            Question::ThirdPartyTracking => {
                "we do not allow third parties to collect personal information about your online activities over time and across websites"
            }
        }
    }
}

/// A statement the drafts withhold, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withheld {
    /// The manifest key to answer (`disclosures.sells`, `sources.support.messages`).
    pub key: String,
    /// The statement withheld (or, for `sources.*.messages`, the claim left unconfirmed).
    pub statement: String,
    /// The answer is given but the declarations or the data contradict it.
    pub contradicted: bool,
    /// Why, for humans: what to answer, or what contradicts the answer.
    pub reason: String,
}

/// The answers, resolved, and what they withhold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    /// `disclosures.sells`.
    pub sells: Option<bool>,
    /// `disclosures.shares`.
    pub shares: Option<bool>,
    /// `disclosures.discloses_for_business_purpose`.
    pub discloses_for_business_purpose: Option<bool>,
    /// `disclosures.sensitive_pi_use` (or its older `[organisation]` spelling).
    pub sensitive_pi_use: Option<SensitiveUse>,
    /// `disclosures.sells_or_shares_under_16` (or its older spelling).
    pub sells_or_shares_under_16: Option<bool>,
    /// `disclosures.third_party_tracking`.
    pub third_party_tracking: Option<bool>,
    /// Statements withheld: questions unanswered or contradicted, and sources holding
    /// message contents that do not say whose messages they are.
    pub withheld: Vec<Withheld>,
}

fn missing(q: Question) -> Withheld {
    Withheld {
        key: q.key().into(),
        statement: q.statement().into(),
        contradicted: false,
        reason: format!(
            "answer `{}` in piimap.toml ({}): the drafts say neither this nor the opposite until it is answered",
            q.key(),
            q.values()
        ),
    }
}

fn contradicted(q: Question, why: String) -> Withheld {
    Withheld {
        key: q.key().into(),
        statement: q.statement().into(),
        contradicted: true,
        reason: why,
    }
}

impl Answers {
    /// Resolves the answers of `manifest` against the data map and its flows.
    pub fn of(manifest: &Manifest, map: &DataMap, sale: &SaleAssessment) -> Answers {
        let d = &manifest.disclosures;
        let mut a = Answers {
            sells: d.sells,
            shares: d.shares,
            discloses_for_business_purpose: d.discloses_for_business_purpose,
            sensitive_pi_use: manifest.sensitive_pi_use(),
            sells_or_shares_under_16: manifest.sells_or_shares_under_16(),
            third_party_tracking: d.third_party_tracking,
            withheld: Vec::new(),
        };
        for q in Question::ALL {
            let w = match a.answer(q) {
                None => Some(missing(q)),
                Some(given) => a.contradiction(q, given, map, sale),
            };
            a.withheld.extend(w);
        }
        a.withheld.extend(unanswered_messages(manifest, map));
        a
    }

    /// The answer to `q` as a yes/no (for `sensitive_pi_use`: yes = beyond §7027(m)).
    pub fn answer(&self, q: Question) -> Option<bool> {
        match q {
            Question::Sells => self.sells,
            Question::Shares => self.shares,
            Question::DisclosesForBusinessPurpose => self.discloses_for_business_purpose,
            Question::SensitivePiUse => self
                .sensitive_pi_use
                .map(|u| u == SensitiveUse::BeyondPermittedPurposes),
            Question::SellsOrSharesUnder16 => self.sells_or_shares_under_16,
            Question::ThirdPartyTracking => self.third_party_tracking,
        }
    }

    /// The answer to `q` is given and nothing contradicts it.
    pub fn holds(&self, q: Question) -> bool {
        self.answer(q).is_some() && !self.withheld.iter().any(|w| w.key == q.key())
    }

    /// `q` is answered "no" and nothing contradicts it: its negative statement may be
    /// printed.
    pub fn says_no(&self, q: Question) -> bool {
        self.holds(q) && self.answer(q) == Some(false)
    }

    /// The statements withheld about `q` (none when it holds).
    pub fn withheld_for(&self, q: Question) -> Vec<&Withheld> {
        self.withheld.iter().filter(|w| w.key == q.key()).collect()
    }

    /// What the declarations or the data say against the answer `given` to `q`.
    fn contradiction(
        &self,
        q: Question,
        given: bool,
        map: &DataMap,
        sale: &SaleAssessment,
    ) -> Option<Withheld> {
        let key = q.key();
        let why = match (q, given) {
            (Question::Sells, false) if sale.sells => format!(
                "`{key} = false`, but a recipient is declared with `sold = true`: correct one of them"
            ),
            (Question::Sells, true) if !sale.sells => format!(
                "`{key} = true`, but no recipient is declared with `sold = true`: the draft cannot list what is sold, or to whom"
            ),
            (Question::Shares, false) if sale.shares => format!(
                "`{key} = false`, but a recipient is declared with `shared_for_cross_context_advertising = true`: correct one of them"
            ),
            (Question::Shares, true) if !sale.shares => format!(
                "`{key} = true`, but no recipient is declared with `shared_for_cross_context_advertising = true`: the draft cannot list what is shared, or with whom"
            ),
            (Question::DisclosesForBusinessPurpose, false) if sale.no_disclosure_statement_blocked() => {
                let names = flow_names(map, sale);
                format!(
                    "`{key} = false`, but personal information flows to {names} (declared recipients, or seen in the data): declare the recipients' roles, or correct the answer"
                )
            }
            (Question::ThirdPartyTracking, false) => {
                let trackers: Vec<&str> = map
                    .recipients
                    .iter()
                    .filter(|r| r.observed && r.advertising && !r.role.is_processor())
                    .map(|r| r.name.as_str())
                    .collect();
                if trackers.is_empty() {
                    return None;
                }
                format!(
                    "`{key} = false`, but the data shows {} (an advertising or social network that is not a declared service provider) collecting on the site",
                    trackers.join(", ")
                )
            }
            _ => return None,
        };
        Some(contradicted(q, why))
    }
}

/// Declared business-purpose recipients and recipients seen with no role, by name.
fn flow_names(map: &DataMap, sale: &SaleAssessment) -> String {
    let names: Vec<&str> = map
        .recipients
        .iter()
        .filter(|r| {
            sale.unreviewed.contains(&r.id)
                || crate::inventory::sale::Flow::of_recipient(r).is_business_purpose_disclosure()
        })
        .map(|r| r.name.as_str())
        .collect();
    names.join(", ")
}

/// Sources holding message contents without saying whose messages they are: whether
/// they are sensitive personal information (§1798.140(ae)(1)(E)) is unconfirmed.
fn unanswered_messages(manifest: &Manifest, map: &DataMap) -> Vec<Withheld> {
    let mut out: Vec<Withheld> = Vec::new();
    for t in map.collected() {
        for s in &t.sensitive_unanswered {
            let key = if manifest.sources.contains_key(s) {
                format!("sources.{s}.messages")
            } else {
                "sources.<source>.messages".to_string()
            };
            if out.iter().any(|w| w.key == key) {
                continue;
            }
            out.push(Withheld {
                reason: format!(
                    "answer `{key}` in piimap.toml (\"to_business\" or \"between_consumers\"): {} in {s} are listed as sensitive personal information, which messages sent to the business are not (§1798.140{})",
                    t.label.to_lowercase(),
                    t.law.sensitive
                ),
                key,
                statement: format!("{} are sensitive personal information", t.label.to_lowercase()),
                contradicted: false,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::sale::SaleAssessment;
    use crate::knowledge::{Catalog, Vocabulary};
    use crate::taxonomy::Taxonomy;

    fn answers(manifest: &str, sale: &SaleAssessment) -> Answers {
        let (t, v, c) = (
            Taxonomy::builtin().unwrap(),
            Vocabulary::builtin().unwrap(),
            Catalog::builtin().unwrap(),
        );
        let m = Manifest::parse("t.toml", manifest, &t, &v, &c).unwrap_or_else(|e| panic!("{e}"));
        let inv = crate::inventory::Inventory::new(Default::default(), Vec::new());
        let map = DataMap::build(&inv, &m, &t, &v, &c, "2026-11-29");
        Answers::of(&m, &map, sale)
    }

    /// Civ. Code §1798.130(a)(5)(C), 11 CCR §7011(e)(1)(D), (G), (H), (K): every negative
    /// statement needs an explicit answer; with none given, each is withheld.
    #[test]
    fn ccpa_7011_e1_negative_statements_need_an_explicit_answer() {
        let a = answers(
            "[organisation]\nlegal_name = \"A\"\n",
            &SaleAssessment::default(),
        );
        let keys: Vec<&str> = a.withheld.iter().map(|w| w.key.as_str()).collect();
        assert_eq!(
            keys,
            Question::ALL.iter().map(|q| q.key()).collect::<Vec<_>>()
        );
        assert!(Question::ALL.iter().all(|q| !a.says_no(*q)));
        let all_no = "[disclosures]\nsells = false\nshares = false\ndiscloses_for_business_purpose = false\nsensitive_pi_use = \"permitted_purposes_only\"\nsells_or_shares_under_16 = false\nthird_party_tracking = false\n";
        let a = answers(all_no, &SaleAssessment::default());
        assert!(a.withheld.is_empty(), "{:?}", a.withheld);
        assert!(Question::ALL.iter().all(|q| a.says_no(*q)));
    }

    /// Civ. Code §1798.130(a)(5)(C)(i): an answer the declarations contradict withholds
    /// the statement too (here `sells = false` with a recipient declared sold to).
    #[test]
    fn ccpa_1798_130_a5ci_a_contradicted_answer_withholds_the_statement() {
        let sold = SaleAssessment {
            sells: true,
            ..SaleAssessment::default()
        };
        let a = answers("[disclosures]\nsells = false\n", &sold);
        let w = a.withheld_for(Question::Sells);
        assert!(w.len() == 1 && w[0].contradicted, "{w:?}");
        assert!(!a.says_no(Question::Sells));
    }

    /// Civ. Code §1798.130(a)(5)(C)(ii): `discloses_for_business_purpose = false` is
    /// contradicted by a flow to a recipient whose role nobody declared.
    #[test]
    fn ccpa_1798_130_a5cii_no_disclosure_answer_is_contradicted_by_unreviewed_flows() {
        let seen = SaleAssessment {
            unreviewed: vec!["stripe".into()],
            ..SaleAssessment::default()
        };
        let a = answers(
            "[disclosures]\ndiscloses_for_business_purpose = false\n",
            &seen,
        );
        assert!(!a.says_no(Question::DisclosesForBusinessPurpose));
        assert!(a.withheld_for(Question::DisclosesForBusinessPurpose)[0].contradicted);
    }

    /// The older `[organisation]` spellings still answer their questions.
    #[test]
    fn legacy_organisation_answers_still_count() {
        let a = answers(
            "[organisation]\nsells_or_shares_minors_data = false\nuses_sensitive_beyond_permitted_purposes = true\n",
            &SaleAssessment::default(),
        );
        assert!(a.says_no(Question::SellsOrSharesUnder16));
        assert_eq!(
            a.sensitive_pi_use,
            Some(SensitiveUse::BeyondPermittedPurposes)
        );
    }
}
