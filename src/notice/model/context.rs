//! The state shared by the steps of [`super::NoticeModel::build`]: the inputs, the
//! warnings collected so far, and the lookups every part of the model needs.

use std::collections::BTreeMap;

use super::categories::{AssetEvidence, RecipientGroup, TypeEvidence};
use super::{doc, push_unique, Label, Warning};
use crate::inventory::answers::Answers;
use crate::inventory::datamap::{AssetRef, DataMap, RecipientEntry, TypeEntry};
use crate::knowledge::{Catalog, VocabKind, Vocabulary};
use crate::manifest::Manifest;
use crate::taxonomy::Taxonomy;

/// The inputs of the model and the warnings collected while building it.
pub(super) struct Ctx<'a> {
    pub manifest: &'a Manifest,
    pub taxonomy: &'a Taxonomy,
    pub vocab: &'a Vocabulary,
    pub catalog: &'a Catalog,
    pub map: &'a DataMap,
    /// The answers the negative statements rest on.
    pub answers: &'a Answers,
    /// Asset ids taken from earlier inventories, with the inventory's date.
    pub synthetic: &'a BTreeMap<String, String>,
    pub warnings: Vec<Warning>,
}

impl Ctx<'_> {
    /// Adds a warning once per code.
    pub fn warn(&mut self, code: impl Into<String>, docs: &[&str], message: impl Into<String>) {
        let code = code.into();
        if self.warnings.iter().any(|w| w.code == code) {
            return;
        }
        self.warnings.push(Warning {
            code,
            message: message.into(),
            documents: docs.iter().map(|d| d.to_string()).collect(),
            policy: docs.contains(&doc::POLICY),
            notice: docs.contains(&doc::NOTICE),
            ropa: docs.contains(&doc::ROPA),
            opt_out: docs.contains(&doc::OPT_OUT),
            limit: docs.contains(&doc::LIMIT),
            gdpr: docs.contains(&doc::GDPR),
            workforce: docs.contains(&doc::WORKFORCE),
        });
    }

    pub fn label(&self, kind: VocabKind, key: &str) -> Label {
        Label {
            key: key.to_string(),
            label: self.vocab.label(kind, key).to_string(),
        }
    }

    pub fn labels(&self, kind: VocabKind, keys: &[String]) -> Vec<Label> {
        keys.iter().map(|k| self.label(kind, k)).collect()
    }

    pub fn type_label(&self, dt: &str) -> Label {
        Label {
            key: dt.to_string(),
            label: self
                .taxonomy
                .get(dt)
                .map_or_else(|| dt.to_string(), |t| t.label.clone()),
        }
    }

    pub fn recipient(&self, id: &str) -> Option<&RecipientEntry> {
        self.map.recipients.iter().find(|r| r.id == id)
    }

    pub fn asset_evidence(&self, a: &AssetRef) -> AssetEvidence {
        let (asset, date) = match self.synthetic.get(&a.asset) {
            Some(d) => (
                a.asset
                    .rsplit_once("#inventory-")
                    .map_or(a.asset.clone(), |(id, _)| id.to_string()),
                Some(d.clone()),
            ),
            None => (a.asset.clone(), None),
        };
        AssetEvidence {
            asset,
            field: a.field.clone(),
            source: a.source.clone(),
            matched_values: a.matched_values,
            values_checked: a.values_checked,
            confidence: a.confidence,
            disposition: a.disposition.clone(),
            inventory_date: date,
        }
    }

    pub fn type_evidence(&self, t: &TypeEntry) -> TypeEvidence {
        let declared_in = self
            .manifest
            .sources
            .iter()
            .filter(|(_, s)| s.data_types.iter().any(|d| d.get_ref() == &t.data_type))
            .map(|(k, _)| k.clone())
            .collect();
        TypeEvidence {
            data_type: t.data_type.clone(),
            label: t.label.clone(),
            presence: t.presence,
            declared_in,
            assets: t.assets.iter().map(|a| self.asset_evidence(a)).collect(),
            dismissed: t.dismissed.iter().map(|a| self.asset_evidence(a)).collect(),
        }
    }

    /// Seen only in earlier inventories of the 12-month window.
    pub fn historical_only(&self, t: &TypeEntry) -> bool {
        !t.assets.is_empty()
            && t.assets
                .iter()
                .all(|a| self.synthetic.contains_key(&a.asset))
    }

    /// Adds a recipient (of some type) to the group of its category.
    pub fn add_to_group(
        &self,
        groups: &mut Vec<RecipientGroup>,
        category: &str,
        rid: &str,
        name: &str,
    ) {
        let purposes: Vec<Label> = self
            .recipient(rid)
            .map(|r| self.labels(VocabKind::Purpose, &r.purposes))
            .unwrap_or_default();
        let g = match groups.iter_mut().position(|g| g.key == category) {
            Some(i) => &mut groups[i],
            None => {
                groups.push(RecipientGroup {
                    key: category.to_string(),
                    label: self
                        .vocab
                        .label(VocabKind::RecipientCategory, category)
                        .to_string(),
                    recipients: Vec::new(),
                    purposes: Vec::new(),
                });
                groups.last_mut().expect("just pushed")
            }
        };
        push_unique(&mut g.recipients, name.to_string());
        for p in purposes {
            push_unique(&mut g.purposes, p);
        }
    }
}

/// The purposes of every group, each once.
pub(super) fn union_purposes(groups: &[RecipientGroup]) -> Vec<Label> {
    let mut out = Vec::new();
    for g in groups {
        for p in &g.purposes {
            push_unique(&mut out, p.clone());
        }
    }
    out
}
