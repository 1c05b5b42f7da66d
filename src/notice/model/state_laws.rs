//! The statutory facts of the US state privacy laws, as data: one file per state under
//! `rules/states/` (`va.toml`, …) and the items of their sensitive-data definitions
//! (`rules/states/items.toml`), embedded by `build.rs`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::rules::{embedded_files, embedded_text, RuleError};

/// Who a law applies to: the thresholds of its scope section.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applicability {
    /// Applies only at or above this annual gross revenue (Utah, Tennessee).
    #[serde(default)]
    pub annual_revenue_usd_at_least: Option<u64>,
    /// Applies at or above this many consumers of the state.
    #[serde(default)]
    pub consumers: Option<u64>,
    /// Or at or above this many consumers when the sale share exceeds the next field.
    #[serde(default)]
    pub consumers_with_sale: Option<u64>,
    /// Percent of gross revenue from the sale of personal data that must be exceeded
    /// (0: any revenue or discount from a sale).
    #[serde(default)]
    pub sale_revenue_share_over: Option<f64>,
    /// Consumers whose data is processed only to complete a payment do not count.
    #[serde(default)]
    pub payment_only_excluded: bool,
    /// No volume threshold: every business but a small business as the SBA defines it
    /// (Texas).
    #[serde(default)]
    pub size_standard: bool,
    /// Also applies, whatever the volume, to a business that sells personal data.
    #[serde(default)]
    pub any_sale: bool,
    /// Also applies, whatever the volume, to a business that processes sensitive data
    /// (as this law defines it).
    #[serde(default)]
    pub any_sensitive: bool,
}

/// The rights a law grants beyond confirmation, access and deletion (which all grant).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rights {
    /// To correct inaccuracies.
    pub correct: bool,
    /// To a portable copy.
    pub portability: bool,
    /// To opt out of targeted advertising.
    pub opt_out_targeted_advertising: bool,
    /// To opt out of the sale of personal data.
    pub opt_out_sale: bool,
    /// To opt out of profiling in furtherance of significant decisions.
    pub opt_out_profiling: bool,
    /// Rights only this law grants, worded for the notice.
    #[serde(default)]
    pub extra: Vec<String>,
}

/// How a law lets a business process sensitive data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SensitiveRule {
    /// Only with the consumer's consent.
    Consent,
    /// After notice and a chance to opt out.
    OptOut,
    /// Only when strictly necessary to provide what the consumer asked for; never sold.
    StrictlyNecessary,
}

/// One state's law.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateLaw {
    /// Two-letter code.
    pub code: String,
    /// The state.
    pub name: String,
    /// The law's short title.
    pub law: String,
    /// Its citation.
    pub citation: String,
    /// Its effective date (YYYY-MM-DD).
    pub effective: String,
    /// Where its facts were checked.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Facts not yet checked ("" when all were).
    #[serde(default)]
    pub review: String,
    /// A difference worth a line in the table.
    #[serde(default)]
    pub note: String,
    /// Sensitive data rule.
    pub sensitive_rule: SensitiveRule,
    /// Days to answer an appeal (0: no right to appeal).
    pub appeal_days: u32,
    /// Date from which a universal opt-out mechanism must be honoured ("" if never).
    pub universal_opt_out: String,
    /// Authorised agents may opt out for the consumer.
    pub authorized_agent: bool,
    /// The cure period.
    pub cure_period: String,
    /// Keys of [`SensitiveItem`]s.
    pub sensitive: Vec<String>,
    /// Thresholds.
    pub applicability: Applicability,
    /// Rights.
    pub rights: Rights,
}

/// An item of a sensitive-data definition.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitiveItem {
    /// The statutory wording, shortened.
    pub wording: String,
    /// Taxonomy types that fall in it.
    #[serde(default)]
    pub data_types: Vec<String>,
    /// A found type falls in it only in some cases (then it needs review).
    #[serde(default)]
    pub conditional: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemsFile {
    items: BTreeMap<String, SensitiveItem>,
}

/// Every state law and the sensitive-data items they use.
#[derive(Clone, Debug)]
pub struct StateLaws {
    /// By effective date, then name.
    pub laws: Vec<StateLaw>,
    /// By key.
    pub items: BTreeMap<String, SensitiveItem>,
}

fn parse<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, RuleError> {
    toml::from_str(text)
        .map_err(|e| RuleError::new(format!("builtin:rules/{file}"), None, e.to_string()))
}

impl StateLaws {
    /// The built-in laws of `rules/states/`, checked: each file named after its code,
    /// each sensitive item known.
    pub fn builtin() -> Result<StateLaws, RuleError> {
        let items: ItemsFile = parse("states/items.toml", embedded_text("states/items.toml")?)?;
        let mut laws = Vec::new();
        for (path, bytes) in embedded_files("states/") {
            if path == "states/items.toml" || !path.ends_with(".toml") {
                continue;
            }
            let text = std::str::from_utf8(bytes).map_err(|e| {
                RuleError::new(format!("builtin:rules/{path}"), None, e.to_string())
            })?;
            let law: StateLaw = parse(path, text)?;
            let stem = &path["states/".len()..path.len() - ".toml".len()];
            let bad = |m: String| RuleError::new(format!("builtin:rules/{path}"), None, m);
            if stem.to_ascii_uppercase() != law.code {
                return Err(bad(format!(
                    "code {} does not match the file name",
                    law.code
                )));
            }
            if let Some(k) = law.sensitive.iter().find(|k| !items.items.contains_key(*k)) {
                return Err(bad(format!(
                    "unknown sensitive item {k} (see states/items.toml)"
                )));
            }
            laws.push(law);
        }
        laws.sort_by(|a, b| (&a.effective, &a.name).cmp(&(&b.effective, &b.name)));
        Ok(StateLaws {
            laws,
            items: items.items,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seventeen_laws_load_with_known_items_and_dates() {
        let s = StateLaws::builtin().unwrap();
        let codes: Vec<&str> = s.laws.iter().map(|l| l.code.as_str()).collect();
        assert_eq!(codes.len(), 17, "{codes:?}");
        for c in [
            "VA", "CO", "CT", "UT", "TX", "OR", "MT", "IA", "DE", "NH", "NJ", "TN", "MN", "MD",
            "IN", "KY", "RI",
        ] {
            assert!(codes.contains(&c), "{c}");
        }
        assert_eq!(codes[0], "VA");
        for l in &s.laws {
            assert!(crate::notice::history::is_date(&l.effective), "{}", l.code);
            assert!(
                l.universal_opt_out.is_empty()
                    || crate::notice::history::is_date(&l.universal_opt_out)
            );
            assert!(!l.sensitive.is_empty() && !l.citation.is_empty());
        }
        let taxonomy = crate::taxonomy::Taxonomy::builtin().unwrap();
        for (k, item) in &s.items {
            for t in &item.data_types {
                assert!(taxonomy.get(t).is_some(), "{k}: unknown type {t}");
            }
        }
    }
}
