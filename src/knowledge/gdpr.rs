//! The GDPR facts of `rules/gdpr.toml`: the Art. 6(1) legal bases, the Art. 9(2)
//! conditions, the Art. 13(2)(e) requirement answers and the data subject's rights, each
//! with its article. The manifest's `[gdpr.purposes.*]` is checked against them and the
//! Art. 13/14 notice prints them.

use serde::{Deserialize, Serialize};

use crate::rules::{embedded_text, RuleError};

/// A legal basis, an Art. 9(2) condition or a requirement answer.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LawTerm {
    /// The key a manifest uses.
    pub key: String,
    /// The article ("Art. 6(1)(b)"); "" for the requirement answers.
    #[serde(default)]
    pub article: String,
    /// The printed text.
    pub label: String,
}

/// A right of the data subject.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Right {
    /// Stable key.
    pub key: String,
    /// Its article.
    pub article: String,
    /// Its heading.
    pub title: String,
    /// What it lets the person do.
    pub text: String,
    /// The legal bases it depends on (empty: every basis).
    pub applies_to: Vec<String>,
}

/// `rules/gdpr.toml`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GdprLaw {
    /// Categories of sources that mean the data is obtained from the person (Art. 13).
    pub from_the_person: Vec<String>,
    /// Categories of sources that are publicly accessible (Art. 14(2)(f)).
    pub publicly_accessible: Vec<String>,
    /// Art. 6(1).
    pub legal_bases: Vec<LawTerm>,
    /// Art. 9(2).
    pub special_conditions: Vec<LawTerm>,
    /// Art. 13(2)(e).
    pub requirements: Vec<LawTerm>,
    /// The rights, in the order printed.
    pub rights: Vec<Right>,
}

impl GdprLaw {
    /// The built-in table.
    pub fn builtin() -> Result<Self, RuleError> {
        toml::from_str(embedded_text("gdpr.toml")?)
            .map_err(|e| RuleError::new("builtin:rules/gdpr.toml", None, e.to_string()))
    }

    /// The legal basis `key`.
    pub fn basis(&self, key: &str) -> Option<&LawTerm> {
        self.legal_bases.iter().find(|t| t.key == key)
    }

    /// The Art. 9(2) condition `key`.
    pub fn condition(&self, key: &str) -> Option<&LawTerm> {
        self.special_conditions.iter().find(|t| t.key == key)
    }

    /// The requirement answer `key`.
    pub fn requirement(&self, key: &str) -> Option<&LawTerm> {
        self.requirements.iter().find(|t| t.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Art. 6(1) has six bases (a)–(f), Art. 9(2) ten conditions (a)–(j), and every
    /// right of Arts. 13(2)(b)–(d) is listed.
    #[test]
    fn builtin_table_has_every_basis_condition_and_right() {
        let law = GdprLaw::builtin().unwrap();
        let arts: Vec<&str> = law.legal_bases.iter().map(|t| t.article.as_str()).collect();
        assert_eq!(arts.len(), 6);
        assert_eq!(arts[0], "Art. 6(1)(a)");
        assert_eq!(arts[5], "Art. 6(1)(f)");
        assert_eq!(law.special_conditions.len(), 10);
        assert_eq!(law.special_conditions[9].article, "Art. 9(2)(j)");
        let rights: Vec<&str> = law.rights.iter().map(|r| r.key.as_str()).collect();
        for k in [
            "access",
            "rectification",
            "erasure",
            "restriction",
            "portability",
            "objection",
            "withdraw_consent",
            "complaint",
        ] {
            assert!(rights.contains(&k), "{k}");
        }
        for r in &law.rights {
            for b in &r.applies_to {
                assert!(law.basis(b).is_some(), "{}: {b}", r.key);
            }
        }
    }
}
