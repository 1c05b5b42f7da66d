//! The data map: the answer to "what we collect, why, from where, and with whom we share
//! it", built by joining what the scan *found* (the per-asset inventory) with what the
//! organisation *declared* (the manifest) and what the law *means* (taxonomy,
//! vocabulary, recipient catalog).
//!
//! It has one entry per data type, a roll-up per CCPA category, and one entry per
//! recipient (declared, observed in the data, or both). Every claim keeps its evidence:
//! assets and counts, or the manifest declaration. Found-but-undeclared and
//! declared-but-not-found types are kept and flagged, never dropped. This is the model
//! the policy checks and the notice templates read (documented in the README).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use super::disposition::disposition_for;
use super::sale::{carries_advertising_data, Flow};
use super::scanned::Scanned;
use super::{AssetReport, Inventory};
use crate::knowledge::{Catalog, Vocabulary};
use crate::manifest::{Manifest, Messages, Role};
use crate::taxonomy::Taxonomy;

/// Where a data type was found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssetRef {
    /// Asset id.
    pub asset: String,
    /// Field (null: unstructured text).
    pub field: Option<String>,
    /// Manifest source the asset belongs to.
    pub source: Option<String>,
    /// Verdict confidence.
    pub confidence: f32,
    /// Matched values.
    pub matched_values: u64,
    /// Values checked.
    pub values_checked: u64,
    /// Kinds of evidence.
    pub evidence: Vec<String>,
    /// Masked examples.
    pub examples: Vec<String>,
    /// For dismissed findings: the disposition status and reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition: Option<String>,
}

/// Whether a data type's presence is backed by the scan, the manifest, or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Found in the data and declared.
    FoundAndDeclared,
    /// Found in the data, not declared: needs review.
    FoundUndeclared,
    /// Declared, not found in any scanned asset: stale or unverified.
    DeclaredNotFound,
}

/// A recipient of one data type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TypeRecipient {
    /// Recipient id (manifest key or catalog id).
    pub id: String,
    /// Name.
    pub name: String,
    /// Recipient-category key.
    pub category: String,
    /// The declared role (`unknown` when only observed).
    pub role: Role,
    /// Declared in the manifest.
    pub declared: bool,
    /// Seen in the data (in an asset holding this type).
    pub observed: bool,
    /// Sold to this recipient.
    pub sold: bool,
    /// Shared with it for cross-context behavioral advertising.
    pub shared: bool,
}

/// What the law makes of a data type, from the taxonomy: its CCPA categories, whether
/// and when it is sensitive, its GDPR special category. The data map and the notice
/// model both carry it (flattened, so their JSON keeps one level).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TypeLaw {
    /// CCPA letters, best first.
    pub ccpa: Vec<String>,
    /// §1798.140(ae) item key, or "".
    pub sensitive: String,
    /// Its statutory wording, or "".
    pub sensitive_wording: String,
    /// When it becomes sensitive, if conditional.
    pub sensitive_note: String,
    /// GDPR Art. 9 special category, or "".
    pub gdpr_special: String,
    /// GDPR Art. 10 (criminal records).
    pub gdpr_article10: bool,
}

impl TypeLaw {
    /// The law of `tax`, with the (ae) wording from `taxonomy`.
    pub fn of(tax: &crate::taxonomy::DataType, taxonomy: &Taxonomy) -> TypeLaw {
        TypeLaw {
            ccpa: tax.ccpa.clone(),
            sensitive: tax.sensitive.clone(),
            sensitive_wording: taxonomy
                .sensitive
                .get(&tax.sensitive)
                .map(|s| s.wording.clone())
                .unwrap_or_default(),
            sensitive_note: tax.sensitive_note.clone(),
            gdpr_special: tax.gdpr_special.clone(),
            gdpr_article10: tax.gdpr_article10,
        }
    }
}

/// One data type: where it lives, why, from where, for how long, to whom.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TypeEntry {
    /// The data type.
    pub data_type: String,
    /// Human label.
    pub label: String,
    /// Short plural phrase for notices.
    pub example: String,
    /// What the law makes of it (flattened: the fields sit beside the others).
    #[serde(flatten)]
    pub law: TypeLaw,
    /// fideslang key.
    pub fideslang: String,
    /// Found, declared, or both.
    pub presence: Presence,
    /// Assets holding it (dismissed ones excluded).
    pub assets: Vec<AssetRef>,
    /// Findings dismissed by a disposition (false positives), kept visible.
    pub dismissed: Vec<AssetRef>,
    /// Manifest sources holding it (found or declared).
    pub sources: Vec<String>,
    /// Purposes (vocabulary keys) of those sources.
    pub purposes: Vec<String>,
    /// Categories of data subjects.
    pub data_subjects: Vec<String>,
    /// Categories of sources of the data.
    pub source_categories: Vec<String>,
    /// Retention periods or criteria.
    pub retention: Vec<String>,
    /// Recipients.
    pub recipients: Vec<TypeRecipient>,
    /// Sold to anyone.
    pub sold: bool,
    /// Shared for cross-context behavioral advertising with anyone.
    pub shared: bool,
    /// Flows to an advertising/social recipient not declared as sold/shared.
    pub possibly_shared: bool,
    /// Purposes and retention per manifest source holding it: which period applies to
    /// which data.
    #[serde(default)]
    pub by_source: Vec<SourceFacts>,
    /// Every live finding is a verdict on the field name alone (no value matched) in an
    /// asset whose source does not declare the type, and no disposition accepts it: the
    /// scan does not show the type is there.
    #[serde(default)]
    pub name_only: bool,
    /// Sources (or `(outside the declared sources)`) holding this message-content type
    /// that do not say whose messages they are: whether it is sensitive
    /// (§1798.140(ae)(1)(E)) needs their answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive_unanswered: Vec<String>,
}

/// What one manifest source declares about the data it holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceFacts {
    /// The source key.
    pub source: String,
    /// Its purposes (vocabulary keys).
    pub purposes: Vec<String>,
    /// Its retention period or criteria ("" when not declared).
    pub retention: String,
}

/// The part of a category one manifest source holds: its types there, and the purposes
/// and retention the source declares for them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategorySource {
    /// The source key.
    pub source: String,
    /// The category's data types that this source holds.
    pub data_types: Vec<String>,
    /// The source's purposes (vocabulary keys).
    pub purposes: Vec<String>,
    /// The source's retention period or criteria ("" when not declared).
    pub retention: String,
}

/// A CCPA statutory category and everything the notice says about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryEntry {
    /// The letter (A–L).
    pub letter: String,
    /// The exact statutory name.
    pub name: String,
    /// Data types in it.
    pub data_types: Vec<String>,
    /// Example phrases of the types found or declared.
    pub examples: Vec<String>,
    /// Sensitive-PI items with their wording, for sensitive types in it.
    pub sensitive: Vec<SensitiveRef>,
    /// Source-category keys.
    pub source_categories: Vec<String>,
    /// Purpose keys.
    pub purposes: Vec<String>,
    /// Recipient-category keys it is disclosed to for a business purpose.
    pub disclosed_to: Vec<String>,
    /// Recipient-category keys it is sold to.
    pub sold_to: Vec<String>,
    /// Recipient-category keys it is shared with for cross-context advertising.
    pub shared_with: Vec<String>,
    /// Retention periods or criteria.
    pub retention: Vec<String>,
    /// Per manifest source holding its types: which types, purposes and retention.
    #[serde(default)]
    pub by_source: Vec<CategorySource>,
    /// Some of its data was found in assets that belong to no manifest source (their
    /// purposes and retention are unknown).
    #[serde(default)]
    pub outside_sources: bool,
    /// Some type in it was found but not declared.
    pub needs_review: bool,
    /// Some type in it was declared but not found.
    pub unverified: bool,
    /// Evidence: asset ids and the manifest sources.
    pub evidence_assets: Vec<String>,
}

/// A sensitive-PI item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensitiveRef {
    /// The (ae) key.
    pub item: String,
    /// Its statutory wording.
    pub wording: String,
}

/// A recipient across all data types.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecipientEntry {
    /// Manifest key, or catalog id for observed-only vendors.
    pub id: String,
    /// Name.
    pub name: String,
    /// Recipient-category key.
    pub category: String,
    /// The category's printed label.
    pub category_label: String,
    /// Role (`unknown` when only observed).
    pub role: Role,
    /// Declared in the manifest.
    pub declared: bool,
    /// Seen in the data.
    pub observed: bool,
    /// The catalog marks it as typically acting for cross-context advertising.
    pub advertising: bool,
    /// Sold to it.
    pub sold: bool,
    /// Shared with it for cross-context advertising.
    pub shared: bool,
    /// Purposes of the disclosure.
    pub purposes: Vec<String>,
    /// Data types it receives (declared, or inferred from the assets it was seen in).
    pub data_types: Vec<String>,
    /// Transfer destination country, if any.
    pub transfer_country: String,
    /// Transfer safeguard.
    pub transfer_safeguard: String,
    /// Where it was seen: `asset (field): matched ×count`.
    pub evidence: Vec<String>,
    /// Declared recipients only: data types seen in the same assets as it that its
    /// declaration does not cover. The data shows co-location, not a flow, so these are
    /// for review and never listed as disclosed to it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub colocated: Vec<Colocation>,
}

/// A data type seen beside a declared recipient beyond what it is declared to receive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Colocation {
    /// The data type.
    pub data_type: String,
    /// The assets (paths) holding both.
    pub assets: Vec<String>,
}

/// Assets that could not be (fully) scanned, so the map may be incomplete.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Assets scanned.
    pub scanned: u64,
    /// `asset: reason` for partial and failed assets.
    pub failed: Vec<String>,
    /// `asset: reason` for skipped assets.
    pub skipped: Vec<String>,
    /// `asset: reason` for assets in which nothing was read (unknown content).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub empty: Vec<String>,
    /// `asset: column (reason)` for columns not examined.
    pub skipped_columns: Vec<String>,
}

/// The data map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataMap {
    /// One entry per data type found or declared.
    pub data_types: Vec<TypeEntry>,
    /// One entry per CCPA category involved.
    pub categories: Vec<CategoryEntry>,
    /// Recipients.
    pub recipients: Vec<RecipientEntry>,
    /// What could not be scanned.
    pub coverage: Coverage,
}

/// Which manifest source an asset belongs to: the one recorded at scan time, else the
/// source whose path contains the asset's path.
pub fn source_of(asset: &AssetReport, manifest: &Manifest) -> Option<String> {
    if asset.source.is_some() {
        return asset.source.clone();
    }
    let path = asset.asset.trim_start_matches("./");
    manifest
        .sources
        .iter()
        .filter_map(|(name, s)| {
            let root = s
                .path
                .as_deref()?
                .trim_start_matches("./")
                .trim_end_matches('/');
            (path == root || path.starts_with(&format!("{root}/")))
                .then(|| (root.len(), name.clone()))
        })
        .max()
        .map(|(_, n)| n)
}

pub(super) fn push_unique(v: &mut Vec<String>, s: &str) {
    if !s.is_empty() && !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// Whether a declared recipient receives `data_type` (by name or CCPA letter; an empty
/// list means "whatever its sources hold").
pub(super) fn receives(
    list: &[toml::Spanned<String>],
    data_type: &str,
    letters: &[String],
) -> bool {
    list.is_empty()
        || list
            .iter()
            .any(|t| t.get_ref() == data_type || letters.iter().any(|l| l == t.get_ref()))
}

/// The manifest sources declaring each data type.
fn declared_types(manifest: &Manifest) -> BTreeMap<String, Vec<String>> {
    let mut declared: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, s) in &manifest.sources {
        for t in &s.data_types {
            declared
                .entry(t.get_ref().clone())
                .or_default()
                .push(name.clone());
        }
    }
    declared
}

/// The knowledge and declarations every data-type entry is joined with.
struct Join<'a> {
    manifest: &'a Manifest,
    taxonomy: &'a Taxonomy,
    catalog: &'a Catalog,
    scanned: &'a Scanned,
    declared: BTreeMap<String, Vec<String>>,
}

impl Join<'_> {
    fn entry(&self, dt: &str, tax: &crate::taxonomy::DataType) -> TypeEntry {
        let (assets, dismissed) = self.scanned.found.get(dt).cloned().unwrap_or_default();
        let declared_in = self.declared.get(dt).cloned().unwrap_or_default();
        let presence = match (!assets.is_empty(), !declared_in.is_empty()) {
            (true, true) => Presence::FoundAndDeclared,
            (true, false) => Presence::FoundUndeclared,
            _ => Presence::DeclaredNotFound,
        };
        let mut sources: Vec<String> = Vec::new();
        for s in assets
            .iter()
            .filter_map(|a| a.source.as_deref())
            .chain(declared_in.iter().map(String::as_str))
        {
            push_unique(&mut sources, s);
        }
        let mut entry = TypeEntry {
            presence,
            assets,
            dismissed,
            ..TypeEntry::from_taxonomy(dt, tax, self.taxonomy)
        };
        self.add_source_facts(&mut entry, &sources);
        entry.sources = sources;
        entry.name_only = self.name_only(dt, &entry.assets);
        self.resolve_messages(&mut entry);
        entry.recipients = self.declared_recipients(dt, &tax.ccpa, &entry.sources);
        self.add_observed_recipients(dt, &mut entry.recipients);
        entry.sold = entry.recipients.iter().any(|r| r.sold);
        entry.shared = entry.recipients.iter().any(|r| r.shared);
        entry.possibly_shared = carries_advertising_data(self.taxonomy, &tax.ccpa)
            && entry
                .recipients
                .iter()
                .any(|r| Flow::of_type_recipient(r, self.advertising(&r.id)).may_be_sharing());
        entry
    }

    /// The catalog marks the vendor behind a recipient id as an advertiser.
    fn advertising(&self, id: &str) -> bool {
        self.catalog
            .get(self.manifest.recipient_catalog_id(id))
            .is_some_and(|v| v.advertising)
    }

    /// Purposes, data subjects, categories of sources and retention of the sources.
    fn add_source_facts(&self, entry: &mut TypeEntry, sources: &[String]) {
        for src in sources.iter().filter_map(|s| self.manifest.sources.get(s)) {
            src.purposes
                .iter()
                .for_each(|p| push_unique(&mut entry.purposes, p.get_ref()));
            src.data_subjects
                .iter()
                .for_each(|p| push_unique(&mut entry.data_subjects, p.get_ref()));
            src.source_categories
                .iter()
                .for_each(|p| push_unique(&mut entry.source_categories, p.get_ref()));
            push_unique(&mut entry.retention, &src.retention);
        }
        entry.by_source = sources
            .iter()
            .filter_map(|name| {
                let src = self.manifest.sources.get(name)?;
                Some(SourceFacts {
                    source: name.clone(),
                    purposes: src.purposes.iter().map(|p| p.get_ref().clone()).collect(),
                    retention: src.retention.trim().to_string(),
                })
            })
            .collect();
    }

    /// Every live finding of `dt` is a verdict on the field name alone, with no value
    /// matched, in an asset whose own source does not declare `dt`, and no disposition
    /// accepts it.
    fn name_only(&self, dt: &str, assets: &[AssetRef]) -> bool {
        let declared_by_own_source = |a: &AssetRef| {
            a.source
                .as_ref()
                .and_then(|s| self.manifest.sources.get(s))
                .is_some_and(|src| src.data_types.iter().any(|d| d.get_ref() == dt))
        };
        !assets.is_empty()
            && assets.iter().all(|a| {
                a.matched_values == 0
                    && a.evidence.iter().all(|e| e == "name_only")
                    && !declared_by_own_source(a)
                    && !a
                        .disposition
                        .as_deref()
                        .is_some_and(|d| d.starts_with("accepted"))
            })
    }

    /// A type whose sensitive item excludes messages the business is the intended
    /// recipient of (§1798.140(ae)(1)(E)) is not sensitive when every source holding it
    /// says `messages = "to_business"`; it is when one says `"between_consumers"`; and
    /// otherwise it stays sensitive with the sources that must answer.
    fn resolve_messages(&self, entry: &mut TypeEntry) {
        let conditional = self
            .taxonomy
            .sensitive
            .get(&entry.law.sensitive)
            .is_some_and(|s| s.unless_business_is_recipient);
        if !conditional {
            return;
        }
        let answers: Vec<(&String, Option<Messages>)> = entry
            .sources
            .iter()
            .map(|s| (s, self.manifest.sources.get(s).and_then(|src| src.messages)))
            .collect();
        if answers
            .iter()
            .any(|(_, m)| *m == Some(Messages::BetweenConsumers))
        {
            return;
        }
        let mut unanswered: Vec<String> = answers
            .iter()
            .filter(|(_, m)| m.is_none())
            .map(|(s, _)| (*s).clone())
            .collect();
        if entry.assets.iter().any(|a| a.source.is_none()) {
            unanswered.push(OUTSIDE_SOURCES.into());
        }
        if unanswered.is_empty() && !answers.is_empty() {
            entry.law.sensitive_note = format!(
                "Not sensitive personal information: the messages are sent to the business (sources: {}), and §1798.140{} excludes communications the business is the intended recipient of.",
                entry.sources.join(", "),
                entry.law.sensitive
            );
            entry.law.sensitive.clear();
            entry.law.sensitive_wording.clear();
        } else {
            entry.sensitive_unanswered = unanswered;
        }
    }

    /// Declared recipients of `dt`: those listed on its sources, then those declaring it
    /// without being listed on a source.
    fn declared_recipients(
        &self,
        dt: &str,
        letters: &[String],
        sources: &[String],
    ) -> Vec<TypeRecipient> {
        let manifest = self.manifest;
        let on_sources = sources
            .iter()
            .filter_map(|s| manifest.sources.get(s))
            .flat_map(|src| src.recipients.iter().map(|r| r.get_ref()))
            .filter_map(|rid| manifest.recipients.get(rid).map(|r| (rid, r)));
        let declaring = manifest
            .recipients
            .iter()
            .filter(|(_, r)| !r.data_types.is_empty());
        let mut recipients: Vec<TypeRecipient> = Vec::new();
        for (rid, r) in on_sources.chain(declaring) {
            if receives(&r.data_types, dt, letters) && !recipients.iter().any(|x| x.id == *rid) {
                recipients.push(TypeRecipient {
                    id: rid.clone(),
                    name: r.name.clone(),
                    category: r.category.get_ref().clone(),
                    role: r.role(),
                    declared: true,
                    observed: false,
                    sold: r.sold,
                    shared: r.shared_for_cross_context_advertising,
                });
            }
        }
        recipients
    }

    /// Vendors observed in assets holding `dt`: a declared recipient that receives `dt`
    /// is marked observed; one that does not (its declaration does not cover `dt`) is
    /// left out — the co-location is a review item of its [`RecipientEntry`], never a
    /// claim; an undeclared vendor is added with an unknown role.
    fn add_observed_recipients(&self, dt: &str, recipients: &mut Vec<TypeRecipient>) {
        let manifest = self.manifest;
        for (vid, seen) in &self.scanned.observed {
            if !seen.types.contains_key(dt) {
                continue;
            }
            let declared_key = manifest
                .recipients
                .keys()
                .find(|k| manifest.recipient_catalog_id(k) == vid);
            if let Some(key) = declared_key {
                if let Some(x) = recipients.iter_mut().find(|x| &x.id == key) {
                    x.observed = true;
                }
                continue;
            }
            let vendor = self.catalog.get(vid);
            recipients.push(TypeRecipient {
                id: vid.clone(),
                name: vendor.map_or(vid.clone(), |v| v.name.clone()),
                category: vendor.map_or_else(String::new, |v| v.category.clone()),
                role: Role::Unknown,
                declared: false,
                observed: true,
                sold: false,
                shared: false,
            });
        }
    }
}

/// The name [`TypeEntry::sensitive_unanswered`] gives data found outside every source.
pub const OUTSIDE_SOURCES: &str = "(outside the declared sources)";

impl DataMap {
    /// Joins an inventory with a manifest. `today` (YYYY-MM-DD) decides expired dispositions.
    pub fn build(
        inv: &Inventory,
        manifest: &Manifest,
        taxonomy: &Taxonomy,
        vocab: &Vocabulary,
        catalog: &Catalog,
        today: &str,
    ) -> DataMap {
        let scanned = Scanned::read(inv, manifest, today);
        let join = Join {
            manifest,
            taxonomy,
            catalog,
            scanned: &scanned,
            declared: declared_types(manifest),
        };
        let all_types: BTreeSet<String> = scanned
            .found
            .iter()
            .filter(|(_, (live, _))| !live.is_empty())
            .map(|(t, _)| t.clone())
            .chain(join.declared.keys().cloned())
            .collect();
        let mut data_types: Vec<TypeEntry> = all_types
            .iter()
            .filter_map(|dt| Some(join.entry(dt, taxonomy.get(dt)?)))
            .collect();
        // Types only dismissed (all findings false positives, none declared) still show.
        for (dt, (live, dismissed)) in &scanned.found {
            if live.is_empty() && !dismissed.is_empty() && !all_types.contains(dt) {
                if let Some(tax) = taxonomy.get(dt) {
                    data_types.push(TypeEntry {
                        dismissed: dismissed.clone(),
                        ..TypeEntry::from_taxonomy(dt, tax, taxonomy)
                    });
                }
            }
        }
        let categories = roll_up(&data_types, taxonomy);
        let recipients = super::recipients::recipient_entries(
            &data_types,
            manifest,
            vocab,
            catalog,
            &scanned.observed,
        );
        DataMap {
            data_types,
            categories,
            recipients,
            coverage: scanned.coverage,
        }
    }

    /// The entries that count as collected (found, or declared), excluding entries whose
    /// every finding was dismissed.
    pub fn collected(&self) -> impl Iterator<Item = &TypeEntry> {
        self.data_types
            .iter()
            .filter(|t| !t.assets.is_empty() || t.presence == Presence::DeclaredNotFound)
    }
}

impl TypeEntry {
    /// An entry with the taxonomy's facts about `data_type` and nothing found or declared
    /// yet (presence `found_undeclared` until set).
    fn from_taxonomy(
        data_type: &str,
        tax: &crate::taxonomy::DataType,
        taxonomy: &Taxonomy,
    ) -> TypeEntry {
        TypeEntry {
            data_type: data_type.to_string(),
            label: tax.label.clone(),
            example: tax.example.clone(),
            law: TypeLaw::of(tax, taxonomy),
            fideslang: tax.fideslang.clone(),
            presence: Presence::FoundUndeclared,
            assets: Vec::new(),
            dismissed: Vec::new(),
            sources: Vec::new(),
            purposes: Vec::new(),
            data_subjects: Vec::new(),
            source_categories: Vec::new(),
            retention: Vec::new(),
            recipients: Vec::new(),
            sold: false,
            shared: false,
            possibly_shared: false,
            by_source: Vec::new(),
            name_only: false,
            sensitive_unanswered: Vec::new(),
        }
    }
}

/// Files `t` under each manifest source of `c` that holds it, with that source's
/// purposes and retention, so each period says which data it applies to.
fn add_by_source(c: &mut CategoryEntry, t: &TypeEntry) {
    for f in &t.by_source {
        let i = match c.by_source.iter().position(|x| x.source == f.source) {
            Some(i) => i,
            None => {
                c.by_source.push(CategorySource {
                    source: f.source.clone(),
                    data_types: Vec::new(),
                    purposes: f.purposes.clone(),
                    retention: f.retention.clone(),
                });
                c.by_source.len() - 1
            }
        };
        push_unique(&mut c.by_source[i].data_types, &t.data_type);
    }
    c.outside_sources |= t.assets.iter().any(|a| a.source.is_none());
}

fn roll_up(types: &[TypeEntry], taxonomy: &Taxonomy) -> Vec<CategoryEntry> {
    let mut cats: BTreeMap<String, CategoryEntry> = BTreeMap::new();
    for t in types
        .iter()
        .filter(|t| !t.assets.is_empty() || t.presence == Presence::DeclaredNotFound)
    {
        for letter in taxonomy.letters_of(&t.law.ccpa, &t.law.sensitive) {
            let c = cats.entry(letter.clone()).or_insert_with(|| CategoryEntry {
                letter: letter.clone(),
                name: taxonomy.ccpa_name(&letter).to_string(),
                data_types: Vec::new(),
                examples: Vec::new(),
                sensitive: Vec::new(),
                source_categories: Vec::new(),
                purposes: Vec::new(),
                disclosed_to: Vec::new(),
                sold_to: Vec::new(),
                shared_with: Vec::new(),
                retention: Vec::new(),
                by_source: Vec::new(),
                outside_sources: false,
                needs_review: false,
                unverified: false,
                evidence_assets: Vec::new(),
            });
            add_by_source(c, t);
            push_unique(&mut c.data_types, &t.data_type);
            push_unique(&mut c.examples, &t.example);
            if taxonomy.is_sensitive_category(&letter)
                && !t.law.sensitive.is_empty()
                && !c.sensitive.iter().any(|s| s.item == t.law.sensitive)
            {
                c.sensitive.push(SensitiveRef {
                    item: t.law.sensitive.clone(),
                    wording: t.law.sensitive_wording.clone(),
                });
            }
            t.source_categories
                .iter()
                .for_each(|x| push_unique(&mut c.source_categories, x));
            t.purposes
                .iter()
                .for_each(|x| push_unique(&mut c.purposes, x));
            t.retention
                .iter()
                .for_each(|x| push_unique(&mut c.retention, x));
            for r in &t.recipients {
                // Whether the vendor advertises does not decide these three.
                let flow = Flow::of_type_recipient(r, false);
                if flow.is_sale() {
                    push_unique(&mut c.sold_to, &r.category);
                }
                if flow.is_sharing() {
                    push_unique(&mut c.shared_with, &r.category);
                }
                if flow.is_business_purpose_disclosure() {
                    push_unique(&mut c.disclosed_to, &r.category);
                }
            }
            c.needs_review |= t.presence == Presence::FoundUndeclared
                || t.possibly_shared
                || t.name_only
                || (taxonomy.is_sensitive_category(&letter) && !t.sensitive_unanswered.is_empty());
            c.unverified |= t.presence == Presence::DeclaredNotFound;
            for a in &t.assets {
                push_unique(&mut c.evidence_assets, &a.asset);
            }
        }
    }
    cats.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{
        AssetKind, FieldReport, ObservedRecipient, RecipientEvidence, ScanInfo, Verdict,
    };
    use crate::knowledge::RecipientKind;

    fn verdict(data_type: &str, matched: u64, evidence: &[&str]) -> Verdict {
        Verdict {
            data_type: data_type.into(),
            confidence: 0.9,
            matched_values: matched,
            values_checked: 40,
            ratio: matched as f32 / 40.0,
            validator_pass_rate: None,
            distinct: matched,
            evidence: evidence.iter().map(|e| e.to_string()).collect(),
            rules: Vec::new(),
            examples: Vec::new(),
        }
    }

    /// An asset of manifest source `source` with `fields` (name, verdicts) and vendors.
    fn asset(
        source: &str,
        path: &str,
        fields: Vec<(&str, Vec<Verdict>)>,
        vendors: &[&str],
    ) -> AssetReport {
        let mut a = AssetReport::new(format!("file:{path}"), path.into(), AssetKind::File, "csv");
        a.source = Some(source.into());
        a.fields = fields
            .into_iter()
            .map(|(f, types)| FieldReport {
                field: Some(f.into()),
                values_checked: 40,
                types,
            })
            .collect();
        a.recipients = vendors
            .iter()
            .map(|v| ObservedRecipient {
                id: v.to_string(),
                name: v.to_string(),
                category: "payment_processors".into(),
                advertising: false,
                evidence: vec![RecipientEvidence {
                    kind: RecipientKind::Column,
                    matched: format!("{v}_customer_id"),
                    field: Some(format!("{v}_customer_id")),
                    count: 40,
                }],
            })
            .collect();
        a
    }

    fn map_of(manifest: &str, assets: Vec<AssetReport>) -> DataMap {
        let (t, v, c) = (
            Taxonomy::builtin().unwrap(),
            Vocabulary::builtin().unwrap(),
            Catalog::builtin().unwrap(),
        );
        let m = Manifest::parse("t.toml", manifest, &t, &v, &c).unwrap_or_else(|e| panic!("{e}"));
        let inv = Inventory::new(ScanInfo::default(), assets);
        DataMap::build(&inv, &m, &t, &v, &c, "2026-11-29")
    }

    fn entry<'a>(map: &'a DataMap, dt: &str) -> &'a TypeEntry {
        map.data_types.iter().find(|t| t.data_type == dt).unwrap()
    }

    const SUPPORT: &str = "[sources.support]\nkind = \"files\"\npath = \"support\"\ndata_types = [\"message_content\"]\nretention = \"2 years\"\n";

    /// Civ. Code §1798.140(ae)(1)(E): message contents are sensitive "unless the business
    /// is the intended recipient"; the source says whose messages it holds, and until it
    /// does the claim stays sensitive and is marked for review.
    #[test]
    fn ccpa_1798_140_ae_1_e_messages_sent_to_the_business_are_not_sensitive() {
        let msgs = || {
            vec![asset(
                "support",
                "support/tickets.csv",
                vec![(
                    "message",
                    vec![verdict("message_content", 0, &["name_only"])],
                )],
                &[],
            )]
        };
        let unanswered = map_of(SUPPORT, msgs());
        let t = entry(&unanswered, "message_content");
        assert_eq!(t.law.sensitive, "(ae)(1)(E)");
        assert_eq!(t.sensitive_unanswered, ["support"]);
        let l = unanswered
            .categories
            .iter()
            .find(|c| c.letter == "L")
            .unwrap();
        assert!(l.needs_review);

        let to_business = map_of(&format!("{SUPPORT}messages = \"to_business\"\n"), msgs());
        let t = entry(&to_business, "message_content");
        assert!(t.law.sensitive.is_empty() && t.sensitive_unanswered.is_empty());
        assert!(t.law.sensitive_note.contains("intended recipient"));
        assert!(to_business.categories.iter().all(|c| c.letter != "L"));
        assert!(to_business.categories.iter().any(|c| c.letter == "H"));

        let between = map_of(
            &format!("{SUPPORT}messages = \"between_consumers\"\n"),
            msgs(),
        );
        assert_eq!(
            entry(&between, "message_content").law.sensitive,
            "(ae)(1)(E)"
        );
        assert!(
            !between
                .categories
                .iter()
                .find(|c| c.letter == "L")
                .unwrap()
                .needs_review
        );
    }

    /// §7011(e)(1)(A) ("meaningful understanding"): a verdict on a field name alone, with
    /// no value matched, is no evidence of collection unless the asset's own source
    /// declares the type (or a disposition accepts it).
    #[test]
    fn a_name_only_verdict_is_evidence_only_where_its_source_declares_the_type() {
        let found = |source: &str| {
            vec![asset(
                source,
                &format!("{source}/t.csv"),
                vec![(
                    "message",
                    vec![verdict("message_content", 0, &["name_only"])],
                )],
                &[],
            )]
        };
        let own = map_of(SUPPORT, found("support"));
        assert!(!entry(&own, "message_content").name_only);
        let other = format!("{SUPPORT}[sources.crm]\nkind = \"files\"\npath = \"crm\"\n");
        let elsewhere = map_of(&other, found("crm"));
        assert!(entry(&elsewhere, "message_content").name_only);
        let h = elsewhere
            .categories
            .iter()
            .find(|c| c.letter == "H")
            .unwrap();
        assert!(h.needs_review);
        // A value-backed finding is evidence whatever the declaration.
        let valued = vec![asset(
            "crm",
            "crm/t.csv",
            vec![(
                "message",
                vec![verdict("message_content", 12, &["pattern"])],
            )],
            &[],
        )];
        assert!(!entry(&map_of(&other, valued), "message_content").name_only);
    }

    const SHOP: &str = "[sources.shop]\nkind = \"files\"\npath = \"shop\"\ndata_types = [\"email\", \"date_of_birth\"]\nretention = \"3 years\"\nrecipients = [\"stripe\"]\n[recipients.stripe]\nname = \"Stripe\"\nrole = \"service_provider\"\ncategory = \"payment_processors\"\ndata_types = [\"email\"]\n";

    fn shop() -> Vec<AssetReport> {
        vec![asset(
            "shop",
            "shop/customers.csv",
            vec![
                ("email", vec![verdict("email", 40, &["pattern"])]),
                ("dob", vec![verdict("date_of_birth", 40, &["pattern"])]),
            ],
            &["stripe"],
        )]
    }

    /// Civ. Code §1798.130(a)(5)(C)(ii): a recipient's declared data types bound what is
    /// disclosed to it; its marker next to other types is co-location, kept for review
    /// with the asset, never a disclosure.
    #[test]
    fn ccpa_1798_130_a5cii_declared_recipient_types_bound_the_disclosure() {
        let map = map_of(SHOP, shop());
        assert!(entry(&map, "email")
            .recipients
            .iter()
            .any(|r| r.id == "stripe" && r.observed));
        assert!(entry(&map, "date_of_birth").recipients.is_empty());
        let c = map.categories.iter().find(|c| c.letter == "C").unwrap();
        assert!(c.disclosed_to.is_empty());
        let stripe = map.recipients.iter().find(|r| r.id == "stripe").unwrap();
        assert_eq!(stripe.data_types, ["email"]);
        assert_eq!(
            stripe.colocated,
            [Colocation {
                data_type: "date_of_birth".into(),
                assets: vec!["shop/customers.csv".into()],
            }]
        );
        // Reviewed: the recipient does not receive it.
        let reviewed = format!("{SHOP}[[dispositions]]\nasset = \"file:shop/*\"\nrecipient = \"stripe\"\ndata_type = \"date_of_birth\"\nstatus = \"false_positive\"\nreason = \"link column only\"\nreviewer = \"x\"\n");
        let map = map_of(&reviewed, shop());
        let stripe = map.recipients.iter().find(|r| r.id == "stripe").unwrap();
        assert!(stripe.colocated.is_empty());
        // The finding itself is untouched by a disposition about a recipient.
        assert!(!entry(&map, "date_of_birth").assets.is_empty());
    }

    /// Civ. Code §1798.100(a)(3): each retention period is attributed to the source (and
    /// so the types) it applies to; a category spanning two sources keeps both.
    #[test]
    fn ccpa_1798_100_a3_retention_is_attributed_per_source() {
        let manifest = format!("{SHOP}[sources.logs]\nkind = \"files\"\npath = \"logs\"\ndata_types = [\"ip_address\"]\nretention = \"90 days\"\n");
        let mut assets = shop();
        assets.push(asset(
            "logs",
            "logs/a.log",
            vec![("ip", vec![verdict("ip_address", 40, &["pattern"])])],
            &[],
        ));
        let map = map_of(&manifest, assets);
        let a = map.categories.iter().find(|c| c.letter == "A").unwrap();
        let by: Vec<(&str, &str, Vec<&str>)> = a
            .by_source
            .iter()
            .map(|s| {
                (
                    s.source.as_str(),
                    s.retention.as_str(),
                    s.data_types.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert!(
            by.contains(&("shop", "3 years", vec!["date_of_birth", "email"])),
            "{by:?}"
        );
        assert!(
            by.contains(&("logs", "90 days", vec!["ip_address"])),
            "{by:?}"
        );
        let c = map.categories.iter().find(|c| c.letter == "C").unwrap();
        assert_eq!(c.by_source.len(), 1);
        assert_eq!(c.by_source[0].retention, "3 years");
    }
}
