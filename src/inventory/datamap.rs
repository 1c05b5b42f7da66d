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
use super::{AssetReport, Inventory, Status};
use crate::knowledge::{Catalog, VocabKind, Vocabulary};
use crate::manifest::{Manifest, Role};
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

/// One data type: where it lives, why, from where, for how long, to whom.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TypeEntry {
    /// The data type.
    pub data_type: String,
    /// Human label.
    pub label: String,
    /// Short plural phrase for notices.
    pub example: String,
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

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !s.is_empty() && !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// Whether a declared recipient receives `data_type` (by name or CCPA letter; an empty
/// list means "whatever its sources hold").
fn receives(list: &[toml::Spanned<String>], data_type: &str, letters: &[String]) -> bool {
    list.is_empty()
        || list
            .iter()
            .any(|t| t.get_ref() == data_type || letters.iter().any(|l| l == t.get_ref()))
}

/// What the scan found, per data type: live findings and dismissed ones.
type Found = BTreeMap<String, (Vec<AssetRef>, Vec<AssetRef>)>;

/// Vendors observed per catalog id: evidence lines, and the types of the assets they
/// were seen in.
type Observed = BTreeMap<String, (Vec<String>, BTreeSet<String>)>;

/// The first step of the join: the inventory read asset by asset.
#[derive(Default)]
struct Scanned {
    found: Found,
    coverage: Coverage,
    observed: Observed,
}

impl Scanned {
    fn read(inv: &Inventory, manifest: &Manifest, today: &str) -> Scanned {
        let mut s = Scanned::default();
        for a in &inv.assets {
            s.count_coverage(a);
            let types_here = s.add_findings(a, manifest, today);
            s.add_observed_vendors(a, &types_here);
        }
        s
    }

    fn count_coverage(&mut self, a: &AssetReport) {
        let coverage = &mut self.coverage;
        match a.status {
            Status::Scanned => coverage.scanned += 1,
            Status::Partial | Status::Failed => {
                coverage.failed.push(format!(
                    "{}: {}",
                    a.asset,
                    a.errors
                        .iter()
                        .filter(|e| e.fatal)
                        .map(|e| e.message.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
                if a.status == Status::Partial {
                    coverage.scanned += 1;
                }
            }
            Status::Skipped => coverage.skipped.push(format!(
                "{}: {}",
                a.asset,
                a.skipped_reason.clone().unwrap_or_default()
            )),
            Status::Empty => coverage.empty.push(format!("{}: {}", a.asset, a.problem())),
        }
        for c in &a.stats.skipped_columns {
            coverage
                .skipped_columns
                .push(format!("{}: {} ({})", a.asset, c.column, c.reason));
        }
    }

    /// Files each finding of `a` as live or dismissed; returns the live types.
    fn add_findings(
        &mut self,
        a: &AssetReport,
        manifest: &Manifest,
        today: &str,
    ) -> BTreeSet<String> {
        let source = source_of(a, manifest);
        let mut types_here = BTreeSet::new();
        for f in &a.fields {
            for t in &f.types {
                let mut r = AssetRef {
                    asset: a.id.clone(),
                    field: f.field.clone(),
                    source: source.clone(),
                    confidence: t.confidence,
                    matched_values: t.matched_values,
                    values_checked: t.values_checked,
                    evidence: t.evidence.clone(),
                    examples: t.examples.clone(),
                    disposition: None,
                };
                let entry = self.found.entry(t.data_type.clone()).or_default();
                match disposition_for(manifest, a, f.field.as_deref(), &t.data_type, today) {
                    Some(d) if d.status.get_ref() == "false_positive" => {
                        r.disposition =
                            Some(format!("false_positive: {} ({})", d.reason, d.reviewer));
                        entry.1.push(r);
                    }
                    Some(d) => {
                        r.disposition = Some(format!("accepted: {} ({})", d.reason, d.reviewer));
                        types_here.insert(t.data_type.clone());
                        entry.0.push(r);
                    }
                    None => {
                        types_here.insert(t.data_type.clone());
                        entry.0.push(r);
                    }
                }
            }
        }
        types_here
    }

    fn add_observed_vendors(&mut self, a: &AssetReport, types_here: &BTreeSet<String>) {
        for r in &a.recipients {
            let e = self.observed.entry(r.id.clone()).or_default();
            for ev in &r.evidence {
                let field = ev
                    .field
                    .as_deref()
                    .map(|f| format!(" ({f})"))
                    .unwrap_or_default();
                e.0.push(format!("{}{field}: {} ×{}", a.asset, ev.matched, ev.count));
            }
            e.1.extend(types_here.iter().cloned());
        }
    }
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

    /// Vendors observed in assets holding `dt`: marks declared ones as observed, adds
    /// the others.
    fn add_observed_recipients(&self, dt: &str, recipients: &mut Vec<TypeRecipient>) {
        let manifest = self.manifest;
        for (vid, (_, types)) in &self.scanned.observed {
            if !types.contains(dt) {
                continue;
            }
            let declared_key = manifest
                .recipients
                .keys()
                .find(|k| manifest.recipient_catalog_id(k) == vid)
                .cloned();
            if let Some(x) = recipients
                .iter_mut()
                .find(|x| Some(&x.id) == declared_key.as_ref())
            {
                x.observed = true;
                continue;
            }
            let vendor = self.catalog.get(vid);
            let declared = declared_key
                .as_ref()
                .and_then(|k| manifest.recipients.get(k));
            recipients.push(TypeRecipient {
                id: declared_key.clone().unwrap_or_else(|| vid.clone()),
                name: declared
                    .map(|r| r.name.clone())
                    .unwrap_or_else(|| vendor.map_or(vid.clone(), |v| v.name.clone())),
                category: declared.map_or_else(
                    || vendor.map_or_else(String::new, |v| v.category.clone()),
                    |r| r.category.get_ref().clone(),
                ),
                role: declared.map_or(Role::Unknown, |r| r.role()),
                declared: declared.is_some(),
                observed: true,
                sold: declared.is_some_and(|r| r.sold),
                shared: declared.is_some_and(|r| r.shared_for_cross_context_advertising),
            });
        }
    }
}

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
        let recipients =
            recipient_entries(&data_types, manifest, vocab, catalog, &scanned.observed);
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
        }
    }
}

fn roll_up(types: &[TypeEntry], taxonomy: &Taxonomy) -> Vec<CategoryEntry> {
    let mut cats: BTreeMap<String, CategoryEntry> = BTreeMap::new();
    for t in types
        .iter()
        .filter(|t| !t.assets.is_empty() || t.presence == Presence::DeclaredNotFound)
    {
        for letter in taxonomy.letters_of(&t.ccpa, &t.sensitive) {
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
                needs_review: false,
                unverified: false,
                evidence_assets: Vec::new(),
            });
            push_unique(&mut c.data_types, &t.data_type);
            push_unique(&mut c.examples, &t.example);
            if taxonomy.is_sensitive_category(&letter)
                && !t.sensitive.is_empty()
                && !c.sensitive.iter().any(|s| s.item == t.sensitive)
            {
                c.sensitive.push(SensitiveRef {
                    item: t.sensitive.clone(),
                    wording: t.sensitive_wording.clone(),
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
            c.needs_review |= t.presence == Presence::FoundUndeclared || t.possibly_shared;
            c.unverified |= t.presence == Presence::DeclaredNotFound;
            for a in &t.assets {
                push_unique(&mut c.evidence_assets, &a.asset);
            }
        }
    }
    cats.into_values().collect()
}

fn recipient_entries(
    types: &[TypeEntry],
    manifest: &Manifest,
    vocab: &Vocabulary,
    catalog: &Catalog,
    observed: &BTreeMap<String, (Vec<String>, BTreeSet<String>)>,
) -> Vec<RecipientEntry> {
    let mut out: Vec<RecipientEntry> = Vec::new();
    for (id, r) in &manifest.recipients {
        let cid = manifest.recipient_catalog_id(id);
        let seen = observed.get(cid);
        out.push(RecipientEntry {
            id: id.clone(),
            name: r.name.clone(),
            category: r.category.get_ref().clone(),
            category_label: vocab
                .label(VocabKind::RecipientCategory, r.category.get_ref())
                .to_string(),
            role: r.role(),
            declared: true,
            observed: seen.is_some(),
            advertising: catalog.get(cid).is_some_and(|v| v.advertising),
            sold: r.sold,
            shared: r.shared_for_cross_context_advertising,
            purposes: r.purposes.iter().map(|p| p.get_ref().clone()).collect(),
            data_types: types
                .iter()
                .filter(|t| t.recipients.iter().any(|x| x.id == *id))
                .map(|t| t.data_type.clone())
                .collect(),
            transfer_country: r
                .transfer
                .as_ref()
                .map(|t| t.country.clone())
                .unwrap_or_default(),
            transfer_safeguard: r
                .transfer
                .as_ref()
                .map(|t| t.safeguard.clone())
                .unwrap_or_default(),
            evidence: seen.map(|s| s.0.clone()).unwrap_or_default(),
        });
    }
    for (vid, (evidence, _)) in observed {
        if manifest
            .recipients
            .keys()
            .any(|k| manifest.recipient_catalog_id(k) == vid)
        {
            continue;
        }
        let Some(v) = catalog.get(vid) else { continue };
        out.push(RecipientEntry {
            id: vid.clone(),
            name: v.name.clone(),
            category: v.category.clone(),
            category_label: vocab
                .label(VocabKind::RecipientCategory, &v.category)
                .to_string(),
            role: Role::Unknown,
            declared: false,
            observed: true,
            advertising: v.advertising,
            sold: false,
            shared: false,
            purposes: Vec::new(),
            data_types: types
                .iter()
                .filter(|t| t.recipients.iter().any(|x| x.id == *vid))
                .map(|t| t.data_type.clone())
                .collect(),
            transfer_country: String::new(),
            transfer_safeguard: String::new(),
            evidence: evidence.clone(),
        });
    }
    out
}
