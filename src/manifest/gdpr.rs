//! The manifest's answers for the GDPR / UK GDPR Art. 13/14 privacy notice (`[gdpr]`)
//! and for the California workforce notice (`[workforce]`): kept in their own sections
//! so the notice each feeds can be reviewed on its own. Every answer is optional; a
//! missing one is "⚠ needs review" in the draft, never a default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::check::Checker;
use super::suggest;
use crate::knowledge::gdpr::{GdprLaw, LawTerm};
use crate::knowledge::VocabKind;

/// What the Art. 13/14 notice needs that no scan can find.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Gdpr {
    /// The supervisory authorities named for complaints (Art. 13(2)(d), Art. 77): the
    /// lead authority, or the one of the representative's Member State, and for the UK
    /// the Information Commissioner.
    #[serde(default)]
    pub supervisory_authorities: Vec<Authority>,
    /// The UK representative (UK GDPR Art. 27), or why none is needed.
    #[serde(default)]
    pub uk_representative: String,
    /// How to obtain a copy of the transfer safeguards, or where they are made available
    /// (Art. 13(1)(f)).
    #[serde(default)]
    pub safeguards_copy: String,
    /// Automated decision-making, including profiling, with legal or similarly
    /// significant effects is used (Art. 22(1), (4)). Unanswered: "needs review".
    #[serde(default)]
    pub automated_decision_making: Option<bool>,
    /// When it is: meaningful information about the logic involved, and the
    /// significance and envisaged consequences (Art. 13(2)(f)).
    #[serde(default)]
    pub automated_decision_making_details: String,
    /// Per purpose (a key of the purposes vocabulary): its legal basis and conditions.
    #[serde(default)]
    pub purposes: BTreeMap<String, GdprPurpose>,
}

/// A supervisory authority.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Authority {
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// Where it is reached (web site or address).
    #[serde(default)]
    pub contact: String,
}

/// The GDPR answers for one purpose.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GdprPurpose {
    /// The Art. 6(1) basis (a key of `legal_bases` in `rules/gdpr.toml`).
    #[serde(default)]
    pub legal_basis: Option<Spanned<String>>,
    /// The legitimate interests pursued, when the basis is `legitimate_interests`
    /// (Art. 13(1)(d)).
    #[serde(default)]
    pub legitimate_interests: String,
    /// The Art. 9(2) condition, for special-category data held for this purpose (a key
    /// of `special_conditions`).
    #[serde(default)]
    pub special_category_condition: Option<Spanned<String>>,
    /// The Art. 10 basis for criminal convictions and offences data: the official
    /// authority, or the Union or Member State law that authorises it.
    #[serde(default)]
    pub criminal_data_basis: String,
    /// Whether providing the data is a statutory or contractual requirement (Art.
    /// 13(2)(e); a key of `requirements`).
    #[serde(default)]
    pub requirement: Option<Spanned<String>>,
    /// The possible consequences of not providing it.
    #[serde(default)]
    pub consequences: String,
}

/// The answers of the California workforce notice: whether workforce personal
/// information is sold or shared. Unanswered, the business-wide `[disclosures]` answer
/// is used only when it is `false` (nothing sold at all, nothing shared at all).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Workforce {
    /// Workforce personal information is sold (Civ. Code §1798.140(ad)).
    #[serde(default)]
    pub sells: Option<bool>,
    /// Workforce personal information is shared for cross-context behavioral
    /// advertising (§1798.140(ah)).
    #[serde(default)]
    pub shares: Option<bool>,
}

impl Checker<'_> {
    /// `value` is a key of `terms`.
    fn law_key(&mut self, terms: &[LawTerm], value: Option<&Spanned<String>>, path: String) {
        let Some(v) = value else { return };
        if terms.iter().any(|t| &t.key == v.get_ref()) {
            return;
        }
        let hint = suggest(v.get_ref(), terms.iter().map(|t| t.key.as_str()))
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        let keys: Vec<&str> = terms.iter().map(|t| t.key.as_str()).collect();
        self.err(
            v.span(),
            path,
            format!(
                "unknown value `{}`{hint}: one of {}; see rules/gdpr.toml",
                v.get_ref(),
                keys.join(", ")
            ),
        );
    }

    /// Each `[gdpr.purposes.*]` names a purpose of the vocabulary and known keys.
    pub(super) fn gdpr(&mut self, g: &Gdpr) {
        let law = match GdprLaw::builtin() {
            Ok(l) => l,
            Err(e) => {
                self.err_at("gdpr".into(), e.to_string());
                return;
            }
        };
        for (key, p) in &g.purposes {
            let path = format!("gdpr.purposes.{key}");
            if self.vocab.get(VocabKind::Purpose, key).is_none() {
                let keys = self
                    .vocab
                    .terms(VocabKind::Purpose)
                    .iter()
                    .map(|t| t.key.as_str());
                let hint = suggest(key, keys)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                self.err_at(
                    path.clone(),
                    format!("unknown purpose `{key}`{hint}; see rules/vocabulary.toml"),
                );
            }
            self.law_key(
                &law.legal_bases,
                p.legal_basis.as_ref(),
                format!("{path}.legal_basis"),
            );
            self.law_key(
                &law.special_conditions,
                p.special_category_condition.as_ref(),
                format!("{path}.special_category_condition"),
            );
            self.law_key(
                &law.requirements,
                p.requirement.as_ref(),
                format!("{path}.requirement"),
            );
        }
    }
}
