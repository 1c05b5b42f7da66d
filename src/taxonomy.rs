//! The taxonomy: what each data type *means* in law.
//!
//! Loaded from `rules/taxonomy.toml` (embedded). Detectors only name a `data_type`; the
//! taxonomy maps it to the CCPA statutory category, sensitive-PI item, GDPR Art. 9
//! category and fideslang key, so outputs and notices never hard-code legal knowledge.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One data type of the fixed vocabulary (`email`, `ssn`, …) and its legal mapping.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DataType {
    /// Human label, e.g. "Email address".
    pub label: String,
    /// Short plural phrase for notices, e.g. "email addresses".
    pub example: String,
    /// CCPA §1798.140(v)(1) letters, best fit first.
    pub ccpa: Vec<String>,
    /// §1798.140(ae) item key, e.g. "(ae)(1)(A)"; empty when not sensitive.
    #[serde(default)]
    pub sensitive: String,
    /// The condition under which the type becomes sensitive, if any.
    #[serde(default)]
    pub sensitive_note: String,
    /// GDPR Art. 9 special category wording; empty when none.
    #[serde(default)]
    pub gdpr_special: String,
    /// True for criminal convictions and offences (GDPR Art. 10).
    #[serde(default)]
    pub gdpr_article10: bool,
    /// fideslang data-category key.
    pub fideslang: String,
    /// True when the fideslang key is a custom extension of the default taxonomy.
    #[serde(default)]
    pub fideslang_custom: bool,
    /// Family used to group types in reports (identifiers, financial, …).
    #[serde(default)]
    pub family: String,
    /// Default masking style for detectors of this type.
    #[serde(default = "default_mask")]
    pub mask: String,
}

fn default_mask() -> String {
    "full".to_string()
}

/// A CCPA statutory category (§1798.140(v)(1)(A)–(L)).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CcpaCategory {
    /// The subparagraph letter.
    pub letter: String,
    /// The exact statutory term, as the law requires it to be used.
    pub name: String,
    /// The shorthand seen in policies.
    #[serde(default)]
    pub short: String,
    /// The statute's own examples.
    #[serde(default)]
    pub examples: String,
    /// Personal information of this category is what cross-context behavioral
    /// advertising runs on (identifiers, internet activity): a flow of it to an
    /// advertising recipient may be "sharing" (Civ. Code §1798.140(ah), (k)).
    #[serde(default)]
    pub cross_context_advertising: bool,
    /// This is the category of sensitive personal information (§1798.140(v)(1)(L)):
    /// every data type with a §1798.140(ae) item belongs to it.
    #[serde(default)]
    pub sensitive_personal_information: bool,
}

/// A §1798.140(ae) sensitive-PI item and its statutory wording.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SensitiveItem {
    /// The statutory wording.
    pub wording: String,
    /// The item does not apply where the business is the intended recipient of the
    /// communication (§1798.140(ae)(1)(E)): each source's `messages` answer decides.
    #[serde(default)]
    pub unless_business_is_recipient: bool,
}

/// The whole taxonomy file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Taxonomy {
    /// CCPA categories by letter.
    pub ccpa: BTreeMap<String, CcpaCategory>,
    /// Sensitive-PI items by key.
    #[serde(default)]
    pub sensitive: BTreeMap<String, SensitiveItem>,
    /// Data types by name.
    pub types: BTreeMap<String, DataType>,
}

impl Taxonomy {
    /// Parses a taxonomy file's text.
    pub fn from_toml(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }

    /// The built-in taxonomy embedded in the binary.
    pub fn builtin() -> Result<Self, crate::rules::RuleError> {
        let text = crate::rules::embedded_text("taxonomy.toml")?;
        Self::from_toml(text)
            .map_err(|e| crate::rules::RuleError::new("taxonomy.toml", None, e.to_string()))
    }

    /// Adds the data types of a user pack's `taxonomy.toml` (`[types.NAME]` tables, as
    /// in the built-in file): a new name adds a type, an existing one replaces it. The
    /// CCPA categories and sensitive items are statutory and cannot be changed, so each
    /// type must name letters and a sensitive item that exist.
    pub fn layer(&mut self, file: &str, text: &str) -> Result<(), crate::rules::RuleError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Overlay {
            #[serde(default)]
            types: BTreeMap<String, DataType>,
        }
        let err = |rule: Option<&str>, m: String| crate::rules::RuleError::new(file, rule, m);
        let overlay: Overlay = toml::from_str(text).map_err(|e| err(None, e.to_string()))?;
        for (name, ty) in overlay.types {
            if let Some(bad) = ty.ccpa.iter().find(|l| !self.ccpa.contains_key(*l)) {
                return Err(err(
                    Some(&name),
                    format!("unknown CCPA category letter `{bad}`"),
                ));
            }
            if ty.ccpa.is_empty() {
                return Err(err(
                    Some(&name),
                    "names no CCPA category (`ccpa = [\"B\"]`)".into(),
                ));
            }
            if !ty.sensitive.is_empty() && !self.sensitive.contains_key(&ty.sensitive) {
                return Err(err(
                    Some(&name),
                    format!("unknown sensitive item `{}`", ty.sensitive),
                ));
            }
            self.types.insert(name, ty);
        }
        Ok(())
    }

    /// Looks up a data type.
    pub fn get(&self, name: &str) -> Option<&DataType> {
        self.types.get(name)
    }

    /// The letter of the sensitive-personal-information category (flagged
    /// `sensitive_personal_information`), if the taxonomy has one.
    pub fn sensitive_letter(&self) -> Option<&str> {
        self.ccpa
            .values()
            .find(|c| c.sensitive_personal_information)
            .map(|c| c.letter.as_str())
    }

    /// Whether `letter` is the sensitive-personal-information category.
    pub fn is_sensitive_category(&self, letter: &str) -> bool {
        self.ccpa
            .get(letter)
            .is_some_and(|c| c.sensitive_personal_information)
    }

    /// Every category a data type belongs to: its `ccpa` letters, then the sensitive
    /// category when it has a §1798.140(ae) item (`sensitive`) and does not list it.
    pub fn letters_of(&self, ccpa: &[String], sensitive: &str) -> Vec<String> {
        let mut letters = ccpa.to_vec();
        if let Some(l) = self.sensitive_letter().filter(|_| !sensitive.is_empty()) {
            if !letters.iter().any(|x| x == l) {
                letters.push(l.to_string());
            }
        }
        letters
    }

    /// Whether any of `letters` is a category cross-context behavioral advertising runs
    /// on (flagged `cross_context_advertising`).
    pub fn feeds_cross_context_advertising(&self, letters: &[String]) -> bool {
        letters.iter().any(|l| {
            self.ccpa
                .get(l)
                .is_some_and(|c| c.cross_context_advertising)
        })
    }

    /// The statutory category name for a letter, or the letter itself when unknown.
    pub fn ccpa_name<'a>(&'a self, letter: &'a str) -> &'a str {
        self.ccpa
            .get(letter)
            .map(|c| c.name.as_str())
            .unwrap_or(letter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_flags_mark_identifiers_and_network_activity_as_advertising_data() {
        let t = Taxonomy::builtin().unwrap();
        let flagged: Vec<&str> = t
            .ccpa
            .values()
            .filter(|c| c.cross_context_advertising)
            .map(|c| c.letter.as_str())
            .collect();
        assert_eq!(flagged, ["A", "F"]);
        assert_eq!(t.sensitive_letter(), Some("L"));
    }

    #[test]
    fn a_sensitive_type_joins_the_sensitive_category_once() {
        let t = Taxonomy::builtin().unwrap();
        let ssn = t.get("ssn").unwrap();
        let letters = t.letters_of(&ssn.ccpa, &ssn.sensitive);
        assert_eq!(
            letters.iter().filter(|l| *l == "L").count(),
            1,
            "{letters:?}"
        );
        let name = t.get("person_name").unwrap();
        assert_eq!(t.letters_of(&name.ccpa, &name.sensitive), name.ccpa);
    }
}
