//! The notice model: everything the disclosure templates print, resolved to plain text
//! (vocabulary keys turned into labels, statutory names and wording filled in) and kept
//! with its evidence. Serialised as `notice.json` and handed to every template as the
//! context; the README ("Disclosure documents") documents each field.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::history::{self, HistoryInventory};
use super::report::{self, ReportModel};
use crate::inventory::datamap::{source_of, DataMap, Presence, RecipientEntry, TypeEntry};
use crate::inventory::Inventory;
use crate::knowledge::{Catalog, VocabKind, Vocabulary};
use crate::manifest::Manifest;
use crate::taxonomy::Taxonomy;

/// Schema id of `notice.json`.
pub const SCHEMA: &str = "piimap.notice/1";

/// The exact link title of Civ. Code §1798.135(a)(1) / 11 CCR §7026(a)(1).
pub const DO_NOT_SELL_TEXT: &str = "Do Not Sell or Share My Personal Information";
/// The exact link title of Civ. Code §1798.135(a)(2).
pub const LIMIT_TEXT: &str = "Limit the Use of My Sensitive Personal Information";

/// Which documents a warning belongs on.
pub mod doc {
    /// The CCPA privacy-policy section.
    pub const POLICY: &str = "ccpa-policy";
    /// The notice at collection.
    pub const NOTICE: &str = "notice-at-collection";
    /// The GDPR record of processing activities.
    pub const ROPA: &str = "gdpr-ropa";
}

/// A vocabulary key and the text printed for it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Label {
    /// The stable key (vocabulary key, data type, recipient id).
    pub key: String,
    /// The printed text.
    pub label: String,
}

/// Something the draft cannot state honestly without a human: missing organisation facts,
/// findings not declared, a refused statement. Shown at the top of each draft it concerns
/// and printed on stderr.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Warning {
    /// Stable machine-readable code (`toll_free_missing`, `sale_statement_blocked`, …).
    pub code: String,
    /// What is wrong and what to do.
    pub message: String,
    /// The documents it concerns (`ccpa-policy`, `notice-at-collection`, `gdpr-ropa`).
    pub documents: Vec<String>,
    /// Shorthand: it concerns the CCPA privacy policy.
    pub policy: bool,
    /// Shorthand: it concerns the notice at collection.
    pub notice: bool,
    /// Shorthand: it concerns the GDPR record.
    pub ropa: bool,
}

/// Who the business is and how to reach it (the manifest's `[organisation]`).
#[derive(Clone, Debug, Serialize)]
pub struct OrganisationModel {
    /// Legal name, or a bracketed placeholder when missing.
    pub name: String,
    /// Legal name as declared ("" when missing).
    pub legal_name: String,
    /// Privacy contact email.
    pub privacy_email: String,
    /// Toll-free number.
    pub toll_free_phone: String,
    /// Request web form.
    pub request_form_url: String,
    /// "Do Not Sell or Share" page.
    pub do_not_sell_url: String,
    /// "Limit the Use" page.
    pub limit_sensitive_url: String,
    /// Privacy policy URL.
    pub privacy_policy_url: String,
    /// Postal address.
    pub address: String,
    /// DPO contact.
    pub dpo_contact: String,
    /// EU representative.
    pub eu_representative: String,
    /// Operates exclusively online with a direct consumer relationship.
    pub online_only: bool,
    /// Has a mobile app.
    pub has_mobile_app: bool,
    /// Offers a financial incentive.
    pub financial_incentive: bool,
    /// How opt-out preference signals are processed ("" when not declared).
    pub opt_out_signals: String,
    /// How the site responds to Do Not Track ("" when not declared).
    pub do_not_track: String,
    /// Security measures (Art. 30(1)(g)).
    pub security_measures: Vec<String>,
}

/// One data type as an example inside a category.
#[derive(Clone, Debug, Serialize)]
pub struct ExampleModel {
    /// Data type key.
    pub data_type: String,
    /// Label ("Email address").
    pub label: String,
    /// Plural phrase ("email addresses").
    pub phrase: String,
    /// `found_and_declared`, `found_undeclared` or `declared_not_found`.
    pub presence: Presence,
    /// Found in the data but not declared in the manifest.
    pub needs_review: bool,
    /// Declared but not found in any scanned asset.
    pub unverified: bool,
    /// Seen only in earlier inventories of the 12-month window.
    pub historical_only: bool,
}

/// A §1798.140(ae) item.
#[derive(Clone, Debug, Serialize)]
pub struct SensitiveItemModel {
    /// The (ae) key, e.g. `(ae)(1)(A)`.
    pub item: String,
    /// The statutory wording.
    pub wording: String,
    /// Labels of the data types found or declared under it.
    pub data_types: Vec<Label>,
    /// Phrases of those types.
    pub examples: Vec<String>,
}

/// Recipients of one category grouped by recipient category.
#[derive(Clone, Debug, Serialize)]
pub struct RecipientGroup {
    /// Recipient-category key.
    pub key: String,
    /// Its label ("Payment processors").
    pub label: String,
    /// Named recipients in it.
    pub recipients: Vec<String>,
    /// Purposes of the disclosure.
    pub purposes: Vec<Label>,
}

/// A recipient seen in the data whose role nobody has declared.
#[derive(Clone, Debug, Serialize)]
pub struct UnreviewedRecipient {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Recipient-category label.
    pub category: String,
    /// The catalog marks it as typically acting for cross-context advertising.
    pub advertising: bool,
}

/// Where one finding behind a claim was made.
#[derive(Clone, Debug, Serialize)]
pub struct AssetEvidence {
    /// Asset id.
    pub asset: String,
    /// Field (null: unstructured text).
    pub field: Option<String>,
    /// Manifest source.
    pub source: Option<String>,
    /// Matched values.
    pub matched_values: u64,
    /// Values checked.
    pub values_checked: u64,
    /// Verdict confidence.
    pub confidence: f32,
    /// Disposition, if reviewed.
    pub disposition: Option<String>,
    /// The date of the earlier inventory it comes from (null: the current scan).
    pub inventory_date: Option<String>,
}

/// The evidence for one data type.
#[derive(Clone, Debug, Serialize)]
pub struct TypeEvidence {
    /// Data type.
    pub data_type: String,
    /// Label.
    pub label: String,
    /// Found, declared, or both.
    pub presence: Presence,
    /// Manifest sources that declare it.
    pub declared_in: Vec<String>,
    /// Findings.
    pub assets: Vec<AssetEvidence>,
    /// Findings dismissed as false positives (not counted as collection).
    pub dismissed: Vec<AssetEvidence>,
}

/// A CCPA category as disclosed.
#[derive(Clone, Debug, Serialize)]
pub struct CategoryModel {
    /// Letter A–L.
    pub letter: String,
    /// The exact statutory name (§1798.140(v)(1)).
    pub name: String,
    /// Shorthand ("Customer records"), only ever printed next to `name`.
    pub short: String,
    /// The statute's own examples.
    pub statutory_examples: String,
    /// The data types found or declared in it.
    pub examples: Vec<ExampleModel>,
    /// Any type in it is sensitive personal information.
    pub sensitive: bool,
    /// The sensitive items involved.
    pub sensitive_items: Vec<SensitiveItemModel>,
    /// Categories of sources.
    pub sources: Vec<Label>,
    /// Purposes of collection and use.
    pub purposes: Vec<Label>,
    /// Disclosed for a business purpose to (declared, not sold or shared).
    pub disclosed_to: Vec<RecipientGroup>,
    /// Sold to.
    pub sold_to: Vec<RecipientGroup>,
    /// Shared for cross-context behavioral advertising with.
    pub shared_with: Vec<RecipientGroup>,
    /// Recipients seen in the data with no declared role: needs review.
    pub unreviewed_recipients: Vec<UnreviewedRecipient>,
    /// Retention periods or criteria.
    pub retention: Vec<String>,
    /// No retention is declared.
    pub retention_missing: bool,
    /// Something in it needs a human decision.
    pub needs_review: bool,
    /// Some type is declared but was not found.
    pub unverified: bool,
    /// Why it needs review.
    pub review_notes: Vec<String>,
    /// Sold to anyone.
    pub sold: bool,
    /// Shared with anyone.
    pub shared: bool,
    /// Disclosed for a business purpose to anyone.
    pub disclosed: bool,
    /// Evidence, per data type.
    pub evidence: Vec<TypeEvidence>,
}

/// A link whose text the law fixes.
#[derive(Clone, Debug, Serialize)]
pub struct LinkModel {
    /// The exact link text.
    pub text: String,
    /// Its target ("" when not declared).
    pub url: String,
    /// Whether the document must carry it.
    pub applies: bool,
}

/// A category in the sold/shared list.
#[derive(Clone, Debug, Serialize)]
pub struct SoldSharedCategory {
    /// Letter.
    pub letter: String,
    /// Statutory name.
    pub name: String,
    /// Third-party categories it was sold to.
    pub sold_to: Vec<RecipientGroup>,
    /// Third-party categories it was shared with.
    pub shared_with: Vec<RecipientGroup>,
    /// Purposes of the sale or sharing.
    pub purposes: Vec<Label>,
}

/// An observed advertising/social recipient that blocks "we do not sell or share".
#[derive(Clone, Debug, Serialize)]
pub struct BlockingFlow {
    /// Recipient name.
    pub recipient: String,
    /// Its category label.
    pub category: String,
    /// Identifier / network-activity types flowing to it.
    pub data_types: Vec<Label>,
    /// Where it was seen.
    pub evidence: Vec<String>,
}

/// Selling and sharing in the preceding 12 months (§1798.130(a)(5)(C)(i)).
#[derive(Clone, Debug, Serialize)]
pub struct SaleSharingModel {
    /// Any category declared sold.
    pub sells: bool,
    /// Any category declared shared for cross-context behavioral advertising.
    pub shares: bool,
    /// `sells || shares`.
    pub any: bool,
    /// The categories sold or shared.
    pub categories: Vec<SoldSharedCategory>,
    /// Purposes of selling or sharing.
    pub purposes: Vec<Label>,
    /// The prominent "we have not sold or shared" statement may be printed.
    pub none_statement: bool,
    /// That statement was refused because of the flows below.
    pub none_statement_blocked: bool,
    /// Identifier / network-activity flows to advertising or social recipients with no
    /// sold/shared declaration.
    pub blocking_flows: Vec<BlockingFlow>,
    /// The "Do Not Sell or Share My Personal Information" link.
    pub opt_out_link: LinkModel,
}

/// A category in the disclosed-for-a-business-purpose list.
#[derive(Clone, Debug, Serialize)]
pub struct DisclosedCategory {
    /// Letter.
    pub letter: String,
    /// Statutory name.
    pub name: String,
    /// Recipient categories (with named recipients).
    pub recipients: Vec<RecipientGroup>,
    /// Purposes of the disclosure.
    pub purposes: Vec<Label>,
}

/// Disclosures for a business purpose (§1798.130(a)(5)(C)(ii)).
#[derive(Clone, Debug, Serialize)]
pub struct DisclosureModel {
    /// Any disclosure.
    pub any: bool,
    /// Per category.
    pub categories: Vec<DisclosedCategory>,
    /// All purposes.
    pub purposes: Vec<Label>,
}

/// Sensitive personal information.
#[derive(Clone, Debug, Serialize)]
pub struct SensitiveModel {
    /// Any collected.
    pub collected: bool,
    /// The §1798.140(ae) items collected.
    pub items: Vec<SensitiveItemModel>,
    /// Used or disclosed beyond the purposes of 11 CCR §7027(m).
    pub beyond_permitted: bool,
    /// The "Limit the Use of My Sensitive Personal Information" link.
    pub limit_link: LinkModel,
}

/// Consumers under 16.
#[derive(Clone, Debug, Serialize)]
pub struct MinorsModel {
    /// Actual knowledge of selling or sharing PI of consumers under 16.
    pub actual_knowledge: bool,
    /// A source declares consumers under 16 as data subjects.
    pub minors_in_data_subjects: bool,
}

/// A way to submit requests.
#[derive(Clone, Debug, Serialize)]
pub struct MethodModel {
    /// `phone`, `web` or `email`.
    pub kind: String,
    /// How it is introduced ("Call us toll-free at").
    pub label: String,
    /// The number, URL or address.
    pub value: String,
    /// Link target (`tel:`, `https:`, `mailto:`).
    pub href: String,
}

/// How to exercise the rights.
#[derive(Clone, Debug, Serialize)]
pub struct RequestsModel {
    /// The designated methods.
    pub methods: Vec<MethodModel>,
    /// The methods satisfy §1798.130(a)(1) / 11 CCR §7020.
    pub sufficient: bool,
}

/// A third party that controls collection on the business's site or app (11 CCR §7012(g)).
#[derive(Clone, Debug, Serialize)]
pub struct CollectorModel {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Recipient-category label.
    pub category: String,
    /// Typically acts for cross-context advertising.
    pub advertising: bool,
    /// Declared in the manifest.
    pub declared: bool,
    /// Where it was seen (catalog literals, never scanned values).
    pub evidence: Vec<String>,
}

/// A recipient, across data types.
#[derive(Clone, Debug, Serialize)]
pub struct RecipientModel {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Category key.
    pub category: String,
    /// Category label.
    pub category_label: String,
    /// Role key (`service_provider`, `contractor`, `third_party`, `unknown`).
    pub role: String,
    /// Role as printed.
    pub role_label: String,
    /// Declared in the manifest.
    pub declared: bool,
    /// Seen in the data.
    pub observed: bool,
    /// Typically acts for cross-context advertising.
    pub advertising: bool,
    /// Sold to.
    pub sold: bool,
    /// Shared with.
    pub shared: bool,
    /// Purposes.
    pub purposes: Vec<Label>,
    /// Data types it receives.
    pub data_types: Vec<Label>,
    /// Transfer destination.
    pub transfer_country: String,
    /// Transfer safeguard.
    pub transfer_safeguard: String,
    /// Where it was seen.
    pub evidence: Vec<String>,
    /// Seen but not declared: role and sale/sharing unknown.
    pub needs_review: bool,
}

/// A data type across the map.
#[derive(Clone, Debug, Serialize)]
pub struct TypeModel {
    /// Key.
    pub data_type: String,
    /// Label.
    pub label: String,
    /// Plural phrase.
    pub phrase: String,
    /// CCPA letters.
    pub ccpa: Vec<String>,
    /// (ae) item, or "".
    pub sensitive: String,
    /// (ae) wording, or "".
    pub sensitive_wording: String,
    /// When it becomes sensitive.
    pub sensitive_note: String,
    /// GDPR Art. 9 category, or "".
    pub gdpr_special: String,
    /// GDPR Art. 10.
    pub gdpr_article10: bool,
    /// Presence.
    pub presence: Presence,
    /// Manifest sources.
    pub sources: Vec<String>,
    /// Purposes.
    pub purposes: Vec<Label>,
    /// Data subjects.
    pub data_subjects: Vec<Label>,
    /// Retention.
    pub retention: Vec<String>,
    /// Recipient names.
    pub recipients: Vec<String>,
    /// Sold.
    pub sold: bool,
    /// Shared.
    pub shared: bool,
    /// Flows to an advertising/social recipient without a sold/shared declaration.
    pub possibly_shared: bool,
    /// Evidence.
    pub evidence: TypeEvidence,
}

/// One personal-data category of a processing activity.
#[derive(Clone, Debug, Serialize)]
pub struct RopaDataCategory {
    /// Data type.
    pub data_type: String,
    /// Label.
    pub label: String,
    /// Art. 9 special category, or "".
    pub special: String,
    /// Art. 10 (criminal convictions and offences).
    pub article10: bool,
    /// Presence.
    pub presence: Presence,
}

/// A named recipient of a processing activity.
#[derive(Clone, Debug, Serialize)]
pub struct RopaRecipient {
    /// Name.
    pub name: String,
    /// Category label.
    pub category: String,
    /// Role as printed.
    pub role: String,
    /// Declared in the manifest.
    pub declared: bool,
    /// Seen in the data.
    pub observed: bool,
    /// Transfer destination ("" when none declared).
    pub transfer_country: String,
    /// Transfer safeguard.
    pub transfer_safeguard: String,
}

/// A third-country transfer.
#[derive(Clone, Debug, Serialize)]
pub struct RopaTransfer {
    /// Recipient.
    pub recipient: String,
    /// Country.
    pub country: String,
    /// Safeguard ("" when not declared).
    pub safeguard: String,
}

/// One processing activity (a manifest source) of the Art. 30(1) record.
#[derive(Clone, Debug, Serialize)]
pub struct RopaActivity {
    /// Source key (or `unassigned`).
    pub key: String,
    /// Printed name.
    pub name: String,
    /// (b) purposes.
    pub purposes: Vec<Label>,
    /// (c) data subjects.
    pub data_subjects: Vec<Label>,
    /// (c) personal data.
    pub data_categories: Vec<RopaDataCategory>,
    /// Art. 9 categories involved.
    pub special_categories: Vec<String>,
    /// Art. 10 data involved.
    pub article10: bool,
    /// (d) recipients, named.
    pub recipients: Vec<RopaRecipient>,
    /// (e) transfers.
    pub transfers: Vec<RopaTransfer>,
    /// (f) erasure time limit ("" when not declared).
    pub retention: String,
    /// Evidence: assets scanned for it.
    pub assets: Vec<String>,
    /// What needs review.
    pub review_notes: Vec<String>,
}

/// The GDPR Art. 30(1) record.
#[derive(Clone, Debug, Serialize)]
pub struct RopaModel {
    /// (a) controller name.
    pub controller: String,
    /// (a) controller address.
    pub controller_address: String,
    /// (a) controller contact.
    pub controller_contact: String,
    /// (a) DPO.
    pub dpo: String,
    /// (a) EU representative (Art. 27).
    pub representative: String,
    /// (g) security measures.
    pub security_measures: Vec<String>,
    /// Processing activities.
    pub activities: Vec<RopaActivity>,
    /// Any Art. 9 data.
    pub special_categories_present: bool,
    /// Any Art. 10 data.
    pub article10_present: bool,
}

/// An earlier inventory merged in.
#[derive(Clone, Debug, Serialize)]
pub struct HistoryRef {
    /// Its date.
    pub date: String,
    /// Data types it adds (no longer found in the current scan).
    pub added_data_types: Vec<String>,
}

/// The reporting period: the 12 months before `to`.
#[derive(Clone, Debug, Serialize)]
pub struct Period {
    /// First day excluded (same day a year earlier).
    pub from: String,
    /// Last day (the generation date).
    pub to: String,
}

/// Everything the templates print. `notice.json` is this, serialised.
#[derive(Clone, Debug, Serialize)]
pub struct NoticeModel {
    /// [`SCHEMA`].
    pub schema: String,
    /// The generation date (YYYY-MM-DD).
    pub today: String,
    /// The "Last updated" date (YYYY-MM-DD).
    pub last_updated: String,
    /// The same, written out ("November 1, 2026").
    pub last_updated_display: String,
    /// The 12-month period.
    pub period: Period,
    /// The business.
    pub organisation: OrganisationModel,
    /// Warnings, most important first.
    pub warnings: Vec<Warning>,
    /// CCPA categories collected in the preceding 12 months.
    pub categories: Vec<CategoryModel>,
    /// Sensitive personal information.
    pub sensitive: SensitiveModel,
    /// Categories of sources (all categories).
    pub source_categories: Vec<Label>,
    /// Purposes of collection and use (all categories).
    pub purposes: Vec<Label>,
    /// Selling and sharing.
    pub sale_and_sharing: SaleSharingModel,
    /// Disclosures for a business purpose.
    pub disclosures: DisclosureModel,
    /// Minors.
    pub minors: MinorsModel,
    /// Request methods.
    pub requests: RequestsModel,
    /// The right to opt out of sale/sharing applies (sells, shares, or may).
    pub opt_out_applies: bool,
    /// The right to limit applies (SPI used beyond §7027(m)).
    pub limit_applies: bool,
    /// Third parties controlling collection (pixels, SDKs).
    pub collection_controllers: Vec<CollectorModel>,
    /// Recipients.
    pub recipients: Vec<RecipientModel>,
    /// Data types.
    pub data_types: Vec<TypeModel>,
    /// The GDPR record.
    pub ropa: RopaModel,
    /// The data engineer's report.
    pub report: ReportModel,
    /// Earlier inventories merged in.
    pub history: Vec<HistoryRef>,
}

fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

/// "November 1, 2026" for "2026-11-01" (the input when it is not a date).
pub fn display_date(date: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    if !history::is_date(date) {
        return date.to_string();
    }
    let m: usize = date[5..7].parse().unwrap_or(1);
    let d: u32 = date[8..10].parse().unwrap_or(1);
    format!("{} {d}, {}", MONTHS[m - 1], &date[..4])
}

fn role_label(role: &str) -> String {
    match role {
        "service_provider" => "Service provider".into(),
        "contractor" => "Contractor".into(),
        "third_party" => "Third party".into(),
        _ => "Not declared (needs review)".into(),
    }
}

/// "web_logs" → "Web logs".
fn title(key: &str) -> String {
    let s = key.replace(['_', '-'], " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

struct Ctx<'a> {
    manifest: &'a Manifest,
    taxonomy: &'a Taxonomy,
    vocab: &'a Vocabulary,
    map: &'a DataMap,
    synthetic: &'a BTreeMap<String, String>,
    warnings: Vec<Warning>,
}

impl Ctx<'_> {
    fn warn(&mut self, code: impl Into<String>, docs: &[&str], message: impl Into<String>) {
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
        });
    }

    fn label(&self, kind: VocabKind, key: &str) -> Label {
        Label {
            key: key.to_string(),
            label: self.vocab.label(kind, key).to_string(),
        }
    }

    fn labels(&self, kind: VocabKind, keys: &[String]) -> Vec<Label> {
        keys.iter().map(|k| self.label(kind, k)).collect()
    }

    fn type_label(&self, dt: &str) -> Label {
        Label {
            key: dt.to_string(),
            label: self
                .taxonomy
                .get(dt)
                .map_or_else(|| dt.to_string(), |t| t.label.clone()),
        }
    }

    fn recipient(&self, id: &str) -> Option<&RecipientEntry> {
        self.map.recipients.iter().find(|r| r.id == id)
    }

    fn asset_evidence(&self, a: &crate::inventory::datamap::AssetRef) -> AssetEvidence {
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

    fn type_evidence(&self, t: &TypeEntry) -> TypeEvidence {
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

    fn historical_only(&self, t: &TypeEntry) -> bool {
        !t.assets.is_empty()
            && t.assets
                .iter()
                .all(|a| self.synthetic.contains_key(&a.asset))
    }

    /// Adds `r` (a recipient of some type) to the group of its category.
    fn add_to_group(
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

fn union_purposes(groups: &[RecipientGroup]) -> Vec<Label> {
    let mut out = Vec::new();
    for g in groups {
        for p in &g.purposes {
            push_unique(&mut out, p.clone());
        }
    }
    out
}

impl NoticeModel {
    /// Builds the model: the data map is rebuilt from `inventory` (merged with `history`,
    /// the earlier inventories of the 12-month window) and `manifest`, so a changed
    /// manifest applies without a new scan. `today` is YYYY-MM-DD.
    pub fn build(
        inventory: &Inventory,
        manifest: &Manifest,
        taxonomy: &Taxonomy,
        vocab: &Vocabulary,
        catalog: &Catalog,
        today: &str,
        history: &[HistoryInventory],
    ) -> NoticeModel {
        let (merged, synthetic) = history::merge(inventory, history);
        let mut map = DataMap::build(&merged, manifest, taxonomy, vocab, catalog, today);
        if !synthetic.is_empty() {
            map.coverage =
                DataMap::build(inventory, manifest, taxonomy, vocab, catalog, today).coverage;
        }
        let mut cx = Ctx {
            manifest,
            taxonomy,
            vocab,
            map: &map,
            synthetic: &synthetic,
            warnings: Vec::new(),
        };
        let org = &manifest.organisation;
        let types: BTreeMap<&str, &TypeEntry> =
            map.collected().map(|t| (t.data_type.as_str(), t)).collect();

        // ---- dates
        let last_updated = if org.last_updated.trim().is_empty() {
            cx.warn(
                "last_updated_missing",
                &[doc::POLICY],
                format!("organisation.last_updated is not set: the draft shows today's date ({today}) as \"Last updated\"; set it to the date the policy is published"),
            );
            today.to_string()
        } else {
            org.last_updated.trim().to_string()
        };
        if !history::is_date(&last_updated) {
            cx.warn(
                "last_updated_invalid",
                &[doc::POLICY],
                format!("organisation.last_updated ({last_updated}) is not a YYYY-MM-DD date"),
            );
        } else if last_updated.as_str() <= history::twelve_months_before(today).as_str() {
            cx.warn(
                "last_updated_stale",
                &[doc::POLICY],
                format!("the policy was last updated on {last_updated}, more than 12 months ago: the CCPA requires an update at least once every 12 months (§1798.130(a)(5))"),
            );
        } else if last_updated.as_str() > today {
            cx.warn(
                "last_updated_future",
                &[doc::POLICY],
                format!("organisation.last_updated ({last_updated}) is after today ({today})"),
            );
        }

        // ---- organisation facts
        if org.legal_name.trim().is_empty() {
            cx.warn(
                "legal_name_missing",
                &[doc::POLICY, doc::NOTICE, doc::ROPA],
                "organisation.legal_name is not set: the business is not named (GDPR Art. 30(1)(a) requires the controller's name)",
            );
        }
        if org.privacy_email.trim().is_empty() {
            cx.warn(
                "privacy_email_missing",
                &[doc::POLICY, doc::ROPA],
                "organisation.privacy_email is not set: the policy gives no privacy contact (11 CCR §7011(e)(3)(J))",
            );
        }
        let mut methods = Vec::new();
        if !org.toll_free_phone.trim().is_empty() {
            let digits: String = org
                .toll_free_phone
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            methods.push(MethodModel {
                kind: "phone".into(),
                label: "Call us toll-free at".into(),
                value: org.toll_free_phone.trim().into(),
                href: format!("tel:{digits}"),
            });
        }
        if !org.request_form_url.trim().is_empty() {
            methods.push(MethodModel {
                kind: "web".into(),
                label: "Submit a request online at".into(),
                value: org.request_form_url.trim().into(),
                href: org.request_form_url.trim().into(),
            });
        }
        if !org.privacy_email.trim().is_empty() {
            methods.push(MethodModel {
                kind: "email".into(),
                label: "Email us at".into(),
                value: org.privacy_email.trim().into(),
                href: format!("mailto:{}", org.privacy_email.trim()),
            });
        }
        let has_phone = methods.iter().any(|m| m.kind == "phone");
        let has_email = methods.iter().any(|m| m.kind == "email");
        let sufficient = if org.online_only {
            has_email
        } else {
            has_phone && methods.len() >= 2
        };
        if !org.online_only && !has_phone {
            cx.warn(
                "toll_free_missing",
                &[doc::POLICY],
                "organisation.toll_free_phone is not set and the business is not online_only: a toll-free number is a required request method (Civ. Code §1798.130(a)(1), 11 CCR §7020)",
            );
        }
        if !org.online_only && methods.len() < 2 {
            cx.warn(
                "request_methods_insufficient",
                &[doc::POLICY],
                "fewer than two request methods are declared: give at least two, one a toll-free number (Civ. Code §1798.130(a)(1))",
            );
        }
        if !org.online_only
            && org.request_form_url.trim().is_empty()
            && !org.privacy_policy_url.trim().is_empty()
        {
            cx.warn(
                "request_form_missing",
                &[doc::POLICY],
                "organisation.request_form_url is not set: a business with a website must let consumers submit requests through it (Civ. Code §1798.130(a)(1)(B))",
            );
        }
        if org.online_only && !has_email {
            cx.warn(
                "request_email_missing",
                &[doc::POLICY],
                "the business is online_only but organisation.privacy_email is not set: an email address is the required request method (Civ. Code §1798.130(a)(1)(A))",
            );
        }
        if org.privacy_policy_url.trim().is_empty() {
            cx.warn(
                "privacy_policy_url_missing",
                &[doc::NOTICE],
                "organisation.privacy_policy_url is not set: the notice at collection must link to the privacy policy (11 CCR §7012(e)(6))",
            );
        }
        if org.opt_out_signals.trim().is_empty() {
            cx.warn(
                "opt_out_signals_missing",
                &[doc::POLICY],
                "organisation.opt_out_signals is not set: the policy must say how opt-out preference signals such as Global Privacy Control are processed (11 CCR §7011(e)(3)(F)–(G), §7025)",
            );
        }
        if org.do_not_track.trim().is_empty() {
            cx.warn(
                "do_not_track_missing",
                &[doc::POLICY],
                "organisation.do_not_track is not set: CalOPPA requires saying how the website responds to Do Not Track signals (Bus. & Prof. Code §22575(b)(5))",
            );
        }
        if org.financial_incentive {
            cx.warn(
                "financial_incentive_notice",
                &[doc::POLICY, doc::NOTICE],
                "organisation.financial_incentive is true: piimap does not write the notice of financial incentive (11 CCR §7016); add it or link to it",
            );
        }
        if map
            .coverage
            .failed
            .iter()
            .chain(&map.coverage.skipped)
            .chain(&map.coverage.empty)
            .next()
            .is_some()
        {
            let empty = if map.coverage.empty.is_empty() {
                String::new()
            } else {
                format!(
                    ", and in {} nothing was read (their content is unknown)",
                    map.coverage.empty.len()
                )
            };
            cx.warn(
                "coverage_incomplete",
                &[doc::POLICY, doc::NOTICE, doc::ROPA],
                format!(
                    "{} asset(s) could not be scanned fully and {} were skipped{empty}: the categories below may be incomplete (see report.html)",
                    map.coverage.failed.len(),
                    map.coverage.skipped.len()
                ),
            );
        }

        // ---- data types: review flags
        for t in map.collected() {
            match t.presence {
                Presence::FoundUndeclared => cx.warn(
                    format!("found_undeclared:{}", t.data_type),
                    &[doc::POLICY, doc::NOTICE, doc::ROPA],
                    format!(
                        "{} found in the data but not declared in the manifest ({}): listed with a \"needs review\" marker; declare it under a source, or dismiss the finding",
                        t.label,
                        t.assets
                            .iter()
                            .map(|a| cx.asset_evidence(a).asset)
                            .collect::<BTreeSet<_>>()
                            .into_iter()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
                Presence::DeclaredNotFound => cx.warn(
                    format!("declared_not_found:{}", t.data_type),
                    &[doc::POLICY, doc::NOTICE, doc::ROPA],
                    format!(
                        "{} is declared (sources: {}) but was not found in any scanned asset: confirm it is still collected, or remove the declaration",
                        t.label,
                        t.sources.join(", ")
                    ),
                ),
                Presence::FoundAndDeclared => {}
            }
            let outside: BTreeSet<String> = t
                .assets
                .iter()
                .filter(|a| a.source.is_none())
                .map(|a| cx.asset_evidence(a).asset)
                .collect();
            // (Found-but-undeclared types already ask for a declaration.)
            if !outside.is_empty() && t.presence != Presence::FoundUndeclared {
                cx.warn(
                    format!("outside_sources:{}", t.data_type),
                    &[doc::POLICY, doc::NOTICE, doc::ROPA],
                    format!(
                        "{} was also found in assets that belong to no manifest source ({}): add them to a source so their purposes and retention are known",
                        t.label,
                        outside.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                );
            }
        }

        // ---- categories
        let mut categories = Vec::new();
        for c in &map.categories {
            let short = taxonomy
                .ccpa
                .get(&c.letter)
                .map(|x| x.short.clone())
                .unwrap_or_default();
            let statutory_examples = taxonomy
                .ccpa
                .get(&c.letter)
                .map(|x| x.examples.clone())
                .unwrap_or_default();
            let mut examples = Vec::new();
            let mut evidence = Vec::new();
            let mut sensitive_items: Vec<SensitiveItemModel> = Vec::new();
            let (mut disclosed_to, mut sold_to, mut shared_with) =
                (Vec::new(), Vec::new(), Vec::new());
            let mut unreviewed: Vec<UnreviewedRecipient> = Vec::new();
            let mut review_notes = Vec::new();
            for dt in &c.data_types {
                let Some(t) = types.get(dt.as_str()) else {
                    continue;
                };
                examples.push(ExampleModel {
                    data_type: t.data_type.clone(),
                    label: t.label.clone(),
                    phrase: t.example.clone(),
                    presence: t.presence,
                    needs_review: t.presence == Presence::FoundUndeclared,
                    unverified: t.presence == Presence::DeclaredNotFound,
                    historical_only: cx.historical_only(t),
                });
                evidence.push(cx.type_evidence(t));
                if !t.sensitive.is_empty() {
                    match sensitive_items.iter_mut().find(|s| s.item == t.sensitive) {
                        Some(s) => {
                            s.data_types.push(cx.type_label(&t.data_type));
                            s.examples.push(t.example.clone());
                        }
                        None => sensitive_items.push(SensitiveItemModel {
                            item: t.sensitive.clone(),
                            wording: t.sensitive_wording.clone(),
                            data_types: vec![cx.type_label(&t.data_type)],
                            examples: vec![t.example.clone()],
                        }),
                    }
                }
                match t.presence {
                    Presence::FoundUndeclared => review_notes.push(format!(
                        "{}: found in the data but not declared in the manifest",
                        t.label
                    )),
                    Presence::DeclaredNotFound => review_notes.push(format!(
                        "{}: declared in the manifest but not found in the scanned data",
                        t.label
                    )),
                    Presence::FoundAndDeclared => {}
                }
                for r in &t.recipients {
                    if !r.declared {
                        if !unreviewed.iter().any(|u| u.id == r.id) {
                            unreviewed.push(UnreviewedRecipient {
                                id: r.id.clone(),
                                name: r.name.clone(),
                                category: vocab
                                    .label(VocabKind::RecipientCategory, &r.category)
                                    .to_string(),
                                advertising: catalog.get(&r.id).is_some_and(|v| v.advertising),
                            });
                        }
                        continue;
                    }
                    if r.sold {
                        cx.add_to_group(&mut sold_to, &r.category, &r.id, &r.name);
                    }
                    if r.shared {
                        cx.add_to_group(&mut shared_with, &r.category, &r.id, &r.name);
                    }
                    if !r.sold && !r.shared {
                        cx.add_to_group(&mut disclosed_to, &r.category, &r.id, &r.name);
                    }
                }
            }
            for u in &unreviewed {
                review_notes.push(format!(
                    "seen flowing to {} ({}) in the data, but no role is declared: decide whether it is a service provider, a sale or sharing, and declare it under [recipients]",
                    u.name, u.category
                ));
            }
            let retention_missing = c.retention.is_empty();
            if retention_missing {
                cx.warn(
                    format!("retention_missing:{}", c.letter),
                    &[doc::POLICY, doc::NOTICE],
                    format!(
                        "no retention period is declared for category {} ({}): set `retention` on the sources holding it (Civ. Code §1798.100(a)(3))",
                        c.letter, c.name
                    ),
                );
                review_notes.push("no retention period or criteria declared".into());
            }
            if c.purposes.is_empty() {
                cx.warn(
                    format!("purposes_missing:{}", c.letter),
                    &[doc::POLICY, doc::NOTICE],
                    format!(
                        "no purpose is declared for category {} ({})",
                        c.letter, c.name
                    ),
                );
                review_notes.push("no purpose declared".into());
            }
            if c.source_categories.is_empty() {
                cx.warn(
                    format!("sources_missing:{}", c.letter),
                    &[doc::POLICY],
                    format!(
                        "no category of sources is declared for category {} ({})",
                        c.letter, c.name
                    ),
                );
                review_notes.push("no category of sources declared".into());
            }
            let needs_review = c.needs_review
                || !unreviewed.is_empty()
                || retention_missing
                || examples.iter().any(|e| e.needs_review);
            categories.push(CategoryModel {
                letter: c.letter.clone(),
                name: c.name.clone(),
                short,
                statutory_examples,
                sensitive: !sensitive_items.is_empty() || c.letter == "L",
                sensitive_items,
                sources: cx.labels(VocabKind::SourceCategory, &c.source_categories),
                purposes: cx.labels(VocabKind::Purpose, &c.purposes),
                sold: !sold_to.is_empty(),
                shared: !shared_with.is_empty(),
                disclosed: !disclosed_to.is_empty(),
                disclosed_to,
                sold_to,
                shared_with,
                unreviewed_recipients: unreviewed,
                retention: c.retention.clone(),
                retention_missing,
                needs_review,
                unverified: c.unverified,
                review_notes,
                examples,
                evidence,
            });
        }

        let mut source_categories = Vec::new();
        let mut purposes = Vec::new();
        for c in &categories {
            c.sources
                .iter()
                .for_each(|s| push_unique(&mut source_categories, s.clone()));
            c.purposes
                .iter()
                .for_each(|s| push_unique(&mut purposes, s.clone()));
        }

        // ---- sensitive personal information
        let mut sens_items: Vec<SensitiveItemModel> = Vec::new();
        for c in &categories {
            for s in &c.sensitive_items {
                match sens_items.iter_mut().find(|x| x.item == s.item) {
                    Some(x) => {
                        for (l, e) in s.data_types.iter().zip(&s.examples) {
                            if !x.data_types.contains(l) {
                                x.data_types.push(l.clone());
                                x.examples.push(e.clone());
                            }
                        }
                    }
                    None => sens_items.push(s.clone()),
                }
            }
        }
        let sensitive_collected = !sens_items.is_empty();
        let limit_applies = sensitive_collected && org.uses_sensitive_beyond_permitted_purposes;
        if limit_applies && org.limit_sensitive_url.trim().is_empty() {
            cx.warn(
                "limit_url_missing",
                &[doc::POLICY, doc::NOTICE],
                format!("sensitive personal information is used beyond 11 CCR §7027(m) but organisation.limit_sensitive_url is not set: the \"{LIMIT_TEXT}\" link has no target"),
            );
        }

        // ---- selling and sharing
        let sells = map.recipients.iter().any(|r| r.declared && r.sold);
        let shares = map.recipients.iter().any(|r| r.declared && r.shared);
        let any = sells || shares;
        let af_types: BTreeSet<&str> = types
            .values()
            .filter(|t| t.ccpa.iter().any(|l| l == "A" || l == "F"))
            .map(|t| t.data_type.as_str())
            .collect();
        let mut blocking_flows: Vec<BlockingFlow> = Vec::new();
        for r in &map.recipients {
            let suspicious_role = !r.declared || r.role == "third_party";
            if !(r.observed && r.advertising && !r.sold && !r.shared && suspicious_role) {
                continue;
            }
            let flowing: Vec<Label> = r
                .data_types
                .iter()
                .filter(|d| af_types.contains(d.as_str()))
                .map(|d| cx.type_label(d))
                .collect();
            if flowing.is_empty() {
                continue;
            }
            blocking_flows.push(BlockingFlow {
                recipient: r.name.clone(),
                category: r.category_label.clone(),
                data_types: flowing,
                evidence: r.evidence.clone(),
            });
        }
        // Types the data map itself flags (an advertising vendor seen with them).
        for t in types
            .values()
            .filter(|t| t.possibly_shared && af_types.contains(t.data_type.as_str()))
        {
            for r in t.recipients.iter().filter(|r| {
                r.observed
                    && !r.sold
                    && !r.shared
                    && (!r.declared || r.role == "third_party")
                    && catalog
                        .get(manifest.recipient_catalog_id(&r.id))
                        .is_some_and(|v| v.advertising)
            }) {
                match blocking_flows.iter_mut().find(|b| b.recipient == r.name) {
                    Some(b) => push_unique(&mut b.data_types, cx.type_label(&t.data_type)),
                    None => blocking_flows.push(BlockingFlow {
                        recipient: r.name.clone(),
                        category: vocab
                            .label(VocabKind::RecipientCategory, &r.category)
                            .to_string(),
                        data_types: vec![cx.type_label(&t.data_type)],
                        evidence: cx
                            .recipient(&r.id)
                            .map(|x| x.evidence.clone())
                            .unwrap_or_default(),
                    }),
                }
            }
        }
        for b in &blocking_flows {
            let types_text = b
                .data_types
                .iter()
                .map(|l| l.label.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            if any {
                cx.warn(
                    format!("possible_sharing:{}", b.recipient),
                    &[doc::POLICY, doc::NOTICE],
                    format!(
                        "{} ({}) receives {types_text} according to the data, but is not declared as sold to or shared with: the sold/shared list may be incomplete",
                        b.recipient, b.category
                    ),
                );
            }
        }
        let blocked = !any && !blocking_flows.is_empty();
        if blocked {
            cx.warn(
                "sale_statement_blocked",
                &[doc::POLICY, doc::NOTICE],
                format!(
                    "the statement \"we have not sold or shared personal information in the preceding 12 months\" was NOT generated: the data shows identifiers or internet activity going to {}, an advertising or social network, and the manifest declares no sale or sharing. Sending such data to such a recipient for cross-context behavioral advertising is \"sharing\" (Civ. Code §1798.140(ah)). Declare the recipient under [recipients] with its role (and sold / shared_for_cross_context_advertising), or remove the flow",
                    blocking_flows.iter().map(|b| format!("{} ({})", b.recipient, b.category)).collect::<Vec<_>>().join(", ")
                ),
            );
        }
        for r in map.recipients.iter().filter(|r| r.observed && !r.declared) {
            cx.warn(
                format!("undeclared_recipient:{}", r.id),
                &[doc::POLICY, doc::NOTICE, doc::ROPA],
                format!(
                    "{} ({}) was seen in the data ({}) but is not a declared recipient: its role is unknown; declare it under [recipients]",
                    r.name,
                    r.category_label,
                    r.evidence.join("; ")
                ),
            );
        }
        let mut sold_shared_categories = Vec::new();
        let mut sale_purposes: Vec<Label> = Vec::new();
        for c in categories.iter().filter(|c| c.sold || c.shared) {
            let mut p = union_purposes(&c.sold_to);
            for x in union_purposes(&c.shared_with) {
                push_unique(&mut p, x);
            }
            if c.shared {
                push_unique(
                    &mut p,
                    cx.label(VocabKind::Purpose, "cross_context_behavioral_advertising"),
                );
            }
            for x in &p {
                push_unique(&mut sale_purposes, x.clone());
            }
            sold_shared_categories.push(SoldSharedCategory {
                letter: c.letter.clone(),
                name: c.name.clone(),
                sold_to: c.sold_to.clone(),
                shared_with: c.shared_with.clone(),
                purposes: p,
            });
        }
        if any && sold_shared_categories.is_empty() {
            cx.warn(
                "sale_without_categories",
                &[doc::POLICY],
                "a recipient is declared as sold to or shared with, but no collected data type is linked to it: list its data_types",
            );
        }
        let opt_out_applies = any || blocked || !org.do_not_sell_url.trim().is_empty();
        if (any || blocked) && org.do_not_sell_url.trim().is_empty() {
            cx.warn(
                "do_not_sell_url_missing",
                &[doc::POLICY, doc::NOTICE],
                format!("personal information is (or may be) sold or shared but organisation.do_not_sell_url is not set: the \"{DO_NOT_SELL_TEXT}\" link has no target (Civ. Code §1798.135(a)(1))"),
            );
        }
        let sale_and_sharing = SaleSharingModel {
            sells,
            shares,
            any,
            categories: sold_shared_categories,
            purposes: sale_purposes,
            none_statement: !any && !blocked,
            none_statement_blocked: blocked,
            blocking_flows,
            opt_out_link: LinkModel {
                text: DO_NOT_SELL_TEXT.into(),
                url: org.do_not_sell_url.trim().into(),
                applies: opt_out_applies,
            },
        };

        // ---- disclosures for a business purpose
        let mut disclosed_categories = Vec::new();
        let mut disclosure_purposes = Vec::new();
        for c in categories.iter().filter(|c| c.disclosed) {
            let p = union_purposes(&c.disclosed_to);
            for x in &p {
                push_unique(&mut disclosure_purposes, x.clone());
            }
            disclosed_categories.push(DisclosedCategory {
                letter: c.letter.clone(),
                name: c.name.clone(),
                recipients: c.disclosed_to.clone(),
                purposes: p,
            });
        }
        for r in map
            .recipients
            .iter()
            .filter(|r| r.declared && r.purposes.is_empty())
        {
            cx.warn(
                format!("recipient_purposes_missing:{}", r.id),
                &[doc::POLICY, doc::ROPA],
                format!("recipient {} has no purposes declared: the policy cannot say why data is disclosed to it", r.name),
            );
        }
        let disclosures = DisclosureModel {
            any: !disclosed_categories.is_empty(),
            categories: disclosed_categories,
            purposes: disclosure_purposes,
        };

        // ---- minors
        let minors_in_data_subjects = manifest.sources.values().any(|s| {
            s.data_subjects
                .iter()
                .any(|d| d.get_ref() == "minors_under_16")
        });
        if minors_in_data_subjects && (any || blocked) && !org.sells_or_shares_minors_data {
            cx.warn(
                "minors_review",
                &[doc::POLICY],
                "a source declares consumers under 16 as data subjects and personal information is (or may be) sold or shared, yet organisation.sells_or_shares_minors_data is false: confirm the under-16 statement (Civ. Code §1798.120(c))",
            );
        }

        // ---- third parties controlling collection (11 CCR §7012(g))
        let mut collectors: Vec<CollectorModel> = Vec::new();
        for a in &merged.assets {
            let log = a.format == "text" || a.line_format.is_some();
            for r in &a.recipients {
                let web = log
                    && r.evidence.iter().any(|e| {
                        matches!(
                            e.kind,
                            crate::detect::RecipientKind::Domain
                                | crate::detect::RecipientKind::Marker
                        )
                    });
                if !(r.advertising || web) {
                    continue;
                }
                let declared = manifest
                    .recipients
                    .keys()
                    .any(|k| manifest.recipient_catalog_id(k) == r.id);
                let name = manifest
                    .recipients
                    .iter()
                    .find(|(k, _)| manifest.recipient_catalog_id(k) == r.id)
                    .map_or_else(|| r.name.clone(), |(_, d)| d.name.clone());
                let asset = synthetic.get(&a.id).map_or_else(
                    || a.asset.clone(),
                    |d| format!("{} (inventory of {d})", a.asset),
                );
                let c = match collectors.iter_mut().position(|c| c.id == r.id) {
                    Some(i) => &mut collectors[i],
                    None => {
                        collectors.push(CollectorModel {
                            id: r.id.clone(),
                            name,
                            category: vocab
                                .label(VocabKind::RecipientCategory, &r.category)
                                .to_string(),
                            advertising: r.advertising,
                            declared,
                            evidence: Vec::new(),
                        });
                        collectors.last_mut().expect("just pushed")
                    }
                };
                for e in &r.evidence {
                    let field = e
                        .field
                        .as_deref()
                        .map(|f| format!(" ({f})"))
                        .unwrap_or_default();
                    push_unique(
                        &mut c.evidence,
                        format!("{asset}{field}: {} ×{}", e.matched, e.count),
                    );
                }
            }
        }
        collectors.sort_by(|a, b| (!a.advertising, &a.name).cmp(&(!b.advertising, &b.name)));

        // ---- recipients and types
        let recipients: Vec<RecipientModel> = map
            .recipients
            .iter()
            .map(|r| RecipientModel {
                id: r.id.clone(),
                name: r.name.clone(),
                category: r.category.clone(),
                category_label: r.category_label.clone(),
                role: r.role.clone(),
                role_label: role_label(&r.role),
                declared: r.declared,
                observed: r.observed,
                advertising: r.advertising,
                sold: r.sold,
                shared: r.shared,
                purposes: cx.labels(VocabKind::Purpose, &r.purposes),
                data_types: r.data_types.iter().map(|d| cx.type_label(d)).collect(),
                transfer_country: r.transfer_country.clone(),
                transfer_safeguard: r.transfer_safeguard.clone(),
                evidence: r.evidence.clone(),
                needs_review: r.observed && !r.declared,
            })
            .collect();
        for r in recipients
            .iter()
            .filter(|r| !r.transfer_country.is_empty() && r.transfer_safeguard.trim().is_empty())
        {
            cx.warn(
                format!("transfer_safeguard_missing:{}", r.id),
                &[doc::ROPA],
                format!("the transfer to {} ({}) has no safeguard declared (GDPR Art. 30(1)(e), Chapter V)", r.name, r.transfer_country),
            );
        }
        let data_types: Vec<TypeModel> = map
            .collected()
            .map(|t| TypeModel {
                data_type: t.data_type.clone(),
                label: t.label.clone(),
                phrase: t.example.clone(),
                ccpa: t.ccpa.clone(),
                sensitive: t.sensitive.clone(),
                sensitive_wording: t.sensitive_wording.clone(),
                sensitive_note: t.sensitive_note.clone(),
                gdpr_special: t.gdpr_special.clone(),
                gdpr_article10: t.gdpr_article10,
                presence: t.presence,
                sources: t.sources.clone(),
                purposes: cx.labels(VocabKind::Purpose, &t.purposes),
                data_subjects: cx.labels(VocabKind::DataSubject, &t.data_subjects),
                retention: t.retention.clone(),
                recipients: t.recipients.iter().map(|r| r.name.clone()).collect(),
                sold: t.sold,
                shared: t.shared,
                possibly_shared: t.possibly_shared,
                evidence: cx.type_evidence(t),
            })
            .collect();

        // ---- GDPR record
        let ropa = build_ropa(&mut cx, &merged, &types);

        let report = report::build(inventory, &map, &categories, &recipients, manifest);

        let history_refs = history
            .iter()
            .map(|h| HistoryRef {
                date: h.date.clone(),
                added_data_types: {
                    let mut v: Vec<String> = merged
                        .assets
                        .iter()
                        .filter(|a| synthetic.get(&a.id) == Some(&h.date))
                        .flat_map(|a| a.data_types().map(String::from).collect::<Vec<_>>())
                        .filter(|d| {
                            !inventory
                                .assets
                                .iter()
                                .any(|c| c.data_types().any(|x| x == d))
                        })
                        .collect();
                    v.sort();
                    v.dedup();
                    v
                },
            })
            .collect();

        let organisation = OrganisationModel {
            name: if org.legal_name.trim().is_empty() {
                "[organisation legal name]".into()
            } else {
                org.legal_name.trim().into()
            },
            legal_name: org.legal_name.trim().into(),
            privacy_email: org.privacy_email.trim().into(),
            toll_free_phone: org.toll_free_phone.trim().into(),
            request_form_url: org.request_form_url.trim().into(),
            do_not_sell_url: org.do_not_sell_url.trim().into(),
            limit_sensitive_url: org.limit_sensitive_url.trim().into(),
            privacy_policy_url: org.privacy_policy_url.trim().into(),
            address: org.address.trim().into(),
            dpo_contact: org.dpo_contact.trim().into(),
            eu_representative: org.eu_representative.trim().into(),
            online_only: org.online_only,
            has_mobile_app: org.has_mobile_app,
            financial_incentive: org.financial_incentive,
            opt_out_signals: org.opt_out_signals.trim().into(),
            do_not_track: org.do_not_track.trim().into(),
            security_measures: org.security_measures.clone(),
        };
        let mut warnings = cx.warnings;
        // Most important first: refused statements, then missing facts, then review items.
        let rank = |w: &Warning| -> u8 {
            let code = w.code.split(':').next().unwrap_or("");
            match code {
                "sale_statement_blocked" | "possible_sharing" => 0,
                "coverage_incomplete" => 1,
                "undeclared_recipient"
                | "found_undeclared"
                | "declared_not_found"
                | "outside_sources" => 3,
                _ => 2,
            }
        };
        warnings.sort_by_key(rank);

        NoticeModel {
            schema: SCHEMA.into(),
            today: today.into(),
            last_updated_display: display_date(&last_updated),
            last_updated,
            period: Period {
                from: history::twelve_months_before(today),
                to: today.into(),
            },
            organisation,
            warnings,
            categories,
            sensitive: SensitiveModel {
                collected: sensitive_collected,
                items: sens_items,
                beyond_permitted: org.uses_sensitive_beyond_permitted_purposes,
                limit_link: LinkModel {
                    text: LIMIT_TEXT.into(),
                    url: org.limit_sensitive_url.trim().into(),
                    applies: limit_applies,
                },
            },
            source_categories,
            purposes,
            sale_and_sharing,
            disclosures,
            minors: MinorsModel {
                actual_knowledge: org.sells_or_shares_minors_data,
                minors_in_data_subjects,
            },
            requests: RequestsModel {
                methods,
                sufficient,
            },
            opt_out_applies,
            limit_applies,
            collection_controllers: collectors,
            recipients,
            data_types,
            ropa,
            report,
            history: history_refs,
        }
    }

    /// The warnings as one-line messages (for stderr).
    pub fn warning_lines(&self) -> Vec<String> {
        self.warnings.iter().map(|w| w.message.clone()).collect()
    }
}

fn build_ropa(
    cx: &mut Ctx<'_>,
    merged: &Inventory,
    types: &BTreeMap<&str, &TypeEntry>,
) -> RopaModel {
    let manifest = cx.manifest;
    let org = &manifest.organisation;
    if org.security_measures.is_empty() {
        cx.warn(
            "security_measures_missing",
            &[doc::ROPA],
            "organisation.security_measures is empty: the record should describe the technical and organisational security measures (GDPR Art. 30(1)(g), Art. 32(1))",
        );
    }
    if org.address.trim().is_empty() {
        cx.warn(
            "address_missing",
            &[doc::ROPA],
            "organisation.address is not set: the record needs the controller's contact details (GDPR Art. 30(1)(a))",
        );
    }
    let special_any = types
        .values()
        .any(|t| !t.gdpr_special.is_empty() || t.gdpr_article10);
    if org.dpo_contact.trim().is_empty() {
        cx.warn(
            "dpo_missing",
            &[doc::ROPA],
            if special_any {
                "organisation.dpo_contact is not set while special-category (Art. 9) or criminal (Art. 10) data was found: a DPO is mandatory for large-scale processing of such data (Art. 37(1)(c)); record the DPO or why none is required"
            } else {
                "organisation.dpo_contact is not set: record the data protection officer, or note that none is designated (GDPR Art. 30(1)(a), Art. 37)"
            },
        );
    }
    // Assets per source, and the recipients observed in them.
    let mut assets_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut observed_in: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for a in &merged.assets {
        let src = source_of(a, manifest).unwrap_or_else(|| "unassigned".into());
        if !cx.synthetic.contains_key(&a.id) {
            assets_of.entry(src.clone()).or_default().push(a.id.clone());
        }
        for r in &a.recipients {
            observed_in
                .entry(src.clone())
                .or_default()
                .insert(r.id.clone());
        }
    }
    let mut activities = Vec::new();
    let mut keys: Vec<String> = manifest.sources.keys().cloned().collect();
    if types
        .values()
        .any(|t| !t.assets.is_empty() && t.assets.iter().any(|a| a.source.is_none()))
    {
        keys.push("unassigned".into());
    }
    for key in keys {
        let src = manifest.sources.get(&key);
        let in_activity: Vec<&&TypeEntry> = types
            .values()
            .filter(|t| {
                if key == "unassigned" {
                    t.assets.iter().any(|a| a.source.is_none())
                } else {
                    t.sources.contains(&key)
                }
            })
            .collect();
        if in_activity.is_empty() && src.is_none_or(|s| s.data_types.is_empty()) {
            continue;
        }
        let data_categories: Vec<RopaDataCategory> = in_activity
            .iter()
            .map(|t| RopaDataCategory {
                data_type: t.data_type.clone(),
                label: t.label.clone(),
                special: t.gdpr_special.clone(),
                article10: t.gdpr_article10,
                presence: t.presence,
            })
            .collect();
        let mut special_categories = Vec::new();
        for d in &data_categories {
            if !d.special.is_empty() {
                push_unique(&mut special_categories, d.special.clone());
            }
        }
        let article10 = data_categories.iter().any(|d| d.article10);
        // Declared recipients of the source, then vendors observed in its assets.
        let mut recipients: Vec<RopaRecipient> = Vec::new();
        let mut ids: Vec<String> = src
            .map(|s| s.recipients.iter().map(|r| r.get_ref().clone()).collect())
            .unwrap_or_default();
        // A declared recipient on no source receives what its data_types name.
        for (rid, d) in &manifest.recipients {
            let on_a_source = manifest
                .sources
                .values()
                .any(|s| s.recipients.iter().any(|r| r.get_ref() == rid));
            if !on_a_source
                && key != "unassigned"
                && in_activity.iter().any(|t| {
                    d.data_types.iter().any(|x| {
                        x.get_ref() == &t.data_type || t.ccpa.iter().any(|l| l == x.get_ref())
                    })
                })
            {
                push_unique(&mut ids, rid.clone());
            }
        }
        for vid in observed_in.get(&key).into_iter().flatten() {
            let id = manifest
                .recipients
                .keys()
                .find(|k| manifest.recipient_catalog_id(k) == vid)
                .cloned()
                .unwrap_or_else(|| vid.clone());
            push_unique(&mut ids, id);
        }
        let mut review_notes = Vec::new();
        for id in &ids {
            let Some(r) = cx.recipient(id) else { continue };
            let observed = observed_in
                .get(&key)
                .is_some_and(|o| o.contains(manifest.recipient_catalog_id(id)));
            if !r.declared {
                review_notes.push(format!(
                    "{} was seen in this activity's data but is not a declared recipient",
                    r.name
                ));
            }
            recipients.push(RopaRecipient {
                name: r.name.clone(),
                category: r.category_label.clone(),
                role: match (r.role.as_str(), r.declared) {
                    (_, false) => "Not declared (needs review)".into(),
                    ("service_provider" | "contractor", _) => "Processor (service provider)".into(),
                    _ => "Third party".into(),
                },
                declared: r.declared,
                observed,
                transfer_country: r.transfer_country.clone(),
                transfer_safeguard: r.transfer_safeguard.clone(),
            });
        }
        let transfers: Vec<RopaTransfer> = recipients
            .iter()
            .filter(|r| !r.transfer_country.is_empty())
            .map(|r| RopaTransfer {
                recipient: r.name.clone(),
                country: r.transfer_country.clone(),
                safeguard: r.transfer_safeguard.clone(),
            })
            .collect();
        let retention = src
            .map(|s| s.retention.trim().to_string())
            .unwrap_or_default();
        if retention.is_empty() {
            cx.warn(
                format!("erasure_limit_missing:{key}"),
                &[doc::ROPA],
                format!("processing activity `{key}` has no retention declared (GDPR Art. 30(1)(f) time limits for erasure)"),
            );
            review_notes.push("no time limit for erasure declared".into());
        }
        for d in &data_categories {
            match d.presence {
                Presence::FoundUndeclared => {
                    review_notes.push(format!("{}: found but not declared", d.label))
                }
                Presence::DeclaredNotFound => {
                    review_notes.push(format!("{}: declared but not found", d.label))
                }
                Presence::FoundAndDeclared => {}
            }
        }
        if key == "unassigned" {
            review_notes.push("personal data found in assets that belong to no manifest source: purposes, data subjects and retention are unknown".into());
        }
        activities.push(RopaActivity {
            name: if key == "unassigned" {
                "Data found outside the declared sources".into()
            } else {
                title(&key)
            },
            purposes: src
                .map(|s| {
                    s.purposes
                        .iter()
                        .map(|p| cx.label(VocabKind::Purpose, p.get_ref()))
                        .collect()
                })
                .unwrap_or_default(),
            data_subjects: src
                .map(|s| {
                    s.data_subjects
                        .iter()
                        .map(|p| cx.label(VocabKind::DataSubject, p.get_ref()))
                        .collect()
                })
                .unwrap_or_default(),
            data_categories,
            special_categories,
            article10,
            recipients,
            transfers,
            retention,
            assets: assets_of.get(&key).cloned().unwrap_or_default(),
            review_notes,
            key,
        });
    }
    RopaModel {
        controller: if org.legal_name.trim().is_empty() {
            "[organisation legal name]".into()
        } else {
            org.legal_name.trim().into()
        },
        controller_address: org.address.trim().into(),
        controller_contact: org.privacy_email.trim().into(),
        dpo: org.dpo_contact.trim().into(),
        representative: org.eu_representative.trim().into(),
        security_measures: org.security_measures.clone(),
        special_categories_present: activities.iter().any(|a| !a.special_categories.is_empty()),
        article10_present: activities.iter().any(|a| a.article10),
        activities,
    }
}
