//! Legal and vendor knowledge that lives in `rules/` as data: the controlled
//! vocabularies (`vocabulary.toml`: purposes, data subjects, source and recipient
//! categories) and the recipient catalog (`recipients.toml`: well-known third parties and
//! how to recognise them in data). Both are embedded in the binary.

use serde::{Deserialize, Serialize};

use crate::rules::{embedded_text, RuleError};

pub mod gdpr;

/// One entry of a controlled vocabulary.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Term {
    /// Stable key used in manifests.
    pub key: String,
    /// Text printed in notices.
    pub label: String,
    /// Legal citation, if any.
    #[serde(default)]
    pub citation: String,
    /// For purposes: the §1798.140(e) paragraph (1–8), or 0 for a commercial purpose.
    #[serde(default)]
    pub ccpa_business_purpose: u8,
    /// For purposes: the statutory wording of the business purpose.
    #[serde(default)]
    pub statutory: String,
    /// For purposes: the closest fideslang data-use key.
    #[serde(default)]
    pub fideslang_data_use: String,
    /// For recipient categories: the usual CCPA role.
    #[serde(default)]
    pub usual_ccpa_role: String,
    /// For recipient categories: the usual GDPR role.
    #[serde(default)]
    pub usual_gdpr_role: String,
    /// For recipient categories: whether such recipients typically receive data for
    /// cross-context behavioral advertising.
    #[serde(default)]
    pub advertising: bool,
    /// A caveat.
    #[serde(default)]
    pub note: String,
    /// For data subjects: the business's workforce (employees, job applicants,
    /// contractors), whose data the workforce notice covers instead of the consumer
    /// notices.
    #[serde(default)]
    pub workforce: bool,
}

/// The controlled vocabularies.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Vocabulary {
    /// Purposes of processing.
    pub purposes: Vec<Term>,
    /// Categories of data subjects.
    pub data_subjects: Vec<Term>,
    /// Categories of sources (11 CCR §7001(e)).
    pub source_categories: Vec<Term>,
    /// Categories of recipients (11 CCR §7001(f) and sub-types).
    pub recipient_categories: Vec<Term>,
}

/// Which vocabulary a key belongs to (for error messages and lookups).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VocabKind {
    /// `purposes`.
    Purpose,
    /// `data_subjects`.
    DataSubject,
    /// `source_categories`.
    SourceCategory,
    /// `recipient_categories`.
    RecipientCategory,
}

impl Vocabulary {
    /// The built-in vocabulary.
    pub fn builtin() -> Result<Self, RuleError> {
        toml::from_str(embedded_text("vocabulary.toml")?)
            .map_err(|e| RuleError::new("builtin:rules/vocabulary.toml", None, e.to_string()))
    }

    /// The terms of one vocabulary.
    pub fn terms(&self, kind: VocabKind) -> &[Term] {
        match kind {
            VocabKind::Purpose => &self.purposes,
            VocabKind::DataSubject => &self.data_subjects,
            VocabKind::SourceCategory => &self.source_categories,
            VocabKind::RecipientCategory => &self.recipient_categories,
        }
    }

    /// Looks a key up.
    pub fn get(&self, kind: VocabKind, key: &str) -> Option<&Term> {
        self.terms(kind).iter().find(|t| t.key == key)
    }

    /// The label of a key (the key itself when unknown).
    pub fn label<'a>(&'a self, kind: VocabKind, key: &'a str) -> &'a str {
        self.get(kind, key).map_or(key, |t| t.label.as_str())
    }
}

/// A well-known third party and the evidence that data flows to it.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Vendor {
    /// Stable id.
    pub id: String,
    /// Name to print.
    pub name: String,
    /// A recipient-category key.
    pub category: String,
    /// Typically a third party for cross-context behavioral advertising.
    #[serde(default)]
    pub advertising: bool,
    /// Hosts it operates (matched on label boundaries).
    #[serde(default)]
    pub domains: Vec<String>,
    /// Distinctive API key / id prefixes.
    #[serde(default)]
    pub key_prefixes: Vec<String>,
    /// SDK, user-agent, header and cookie markers.
    #[serde(default)]
    pub markers: Vec<String>,
    /// Column / field names linking records to it.
    #[serde(default)]
    pub columns: Vec<String>,
    /// Caveat for disclosures.
    #[serde(default)]
    pub note: String,
}

#[derive(Deserialize)]
struct CatalogFile {
    recipient: Vec<Vendor>,
}

/// The recipient catalog.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// The vendors.
    pub vendors: Vec<Vendor>,
}

impl Catalog {
    /// The built-in catalog.
    pub fn builtin() -> Result<Self, RuleError> {
        let file: CatalogFile = toml::from_str(embedded_text("recipients.toml")?)
            .map_err(|e| RuleError::new("builtin:rules/recipients.toml", None, e.to_string()))?;
        Ok(Catalog {
            vendors: file.recipient,
        })
    }

    /// Adds the vendors of a user pack's `recipients.toml` (`[[recipient]]` entries, as
    /// in the built-in file): a new id adds a vendor, an existing one replaces it. Each
    /// must name a recipient category of the vocabulary.
    pub fn layer(&mut self, file: &str, text: &str, vocab: &Vocabulary) -> Result<(), RuleError> {
        let overlay: CatalogFile =
            toml::from_str(text).map_err(|e| RuleError::new(file, None, e.to_string()))?;
        for v in overlay.recipient {
            if vocab
                .get(VocabKind::RecipientCategory, &v.category)
                .is_none()
            {
                return Err(RuleError::new(
                    file,
                    Some(&v.id),
                    format!("unknown recipient category `{}`", v.category),
                ));
            }
            match self.vendors.iter_mut().find(|x| x.id == v.id) {
                Some(slot) => *slot = v,
                None => self.vendors.push(v),
            }
        }
        Ok(())
    }

    /// A vendor by id.
    pub fn get(&self, id: &str) -> Option<&Vendor> {
        self.vendors.iter().find(|v| v.id == id)
    }
}

/// What kind of catalog evidence a recipient literal is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientKind {
    /// A host the vendor operates (matched on label boundaries).
    Domain,
    /// An API key or id prefix.
    KeyPrefix,
    /// An SDK, user-agent, header or cookie marker.
    Marker,
    /// A column or field name.
    Column,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_knowledge_loads_and_is_consistent() {
        let vocab = Vocabulary::builtin().unwrap();
        let catalog = Catalog::builtin().unwrap();
        assert!(catalog.vendors.len() >= 60);
        let statutory: std::collections::BTreeSet<u8> = vocab
            .purposes
            .iter()
            .filter(|p| !p.statutory.is_empty())
            .map(|p| p.ccpa_business_purpose)
            .collect();
        assert_eq!(
            statutory,
            (1..=8).collect(),
            "the eight business purposes of §1798.140(e)"
        );
        for v in &catalog.vendors {
            assert!(
                vocab
                    .get(VocabKind::RecipientCategory, &v.category)
                    .is_some(),
                "{}: unknown category {}",
                v.id,
                v.category
            );
        }
    }

    #[test]
    fn a_user_vendor_is_added_or_replaces_and_needs_a_known_category() {
        let vocab = Vocabulary::builtin().unwrap();
        let mut catalog = Catalog::builtin().unwrap();
        let before = catalog.vendors.len();
        let add = "[[recipient]]\nid = \"acme\"\nname = \"ACME\"\ncategory = \"data_analytics_providers\"\n";
        catalog.layer("r.toml", add, &vocab).unwrap();
        assert_eq!(catalog.vendors.len(), before + 1);
        let replace = "[[recipient]]\nid = \"google_analytics\"\nname = \"GA (ours)\"\ncategory = \"data_analytics_providers\"\n";
        catalog.layer("r.toml", replace, &vocab).unwrap();
        assert_eq!(catalog.vendors.len(), before + 1);
        assert_eq!(catalog.get("google_analytics").unwrap().name, "GA (ours)");
        let bad = "[[recipient]]\nid = \"x\"\nname = \"X\"\ncategory = \"astrologers\"\n";
        let err = catalog.layer("r.toml", bad, &vocab).unwrap_err();
        assert!(err.to_string().contains("astrologers"), "{err}");
    }
}
