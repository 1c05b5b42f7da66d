//! The CCPA categories of personal information collected (Civ. Code §1798.140(v)(1)),
//! each with its examples, sensitive items, sources, purposes, recipients, retention and
//! evidence; and the review flags of the data types behind them.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::context::Ctx;
use super::{doc, push_unique, Label};
use crate::inventory::datamap::{CategoryEntry, Presence, TypeEntry};
use crate::inventory::sale::Flow;
use crate::knowledge::VocabKind;

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
    /// Recognised by a field name alone (no value matched) where no source declares it:
    /// the scan does not show it is there.
    pub name_only: bool,
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
/// The part of a category one manifest source holds, with the purposes and retention
/// that source declares: which period applies to which data.
#[derive(Clone, Debug, Serialize)]
pub struct CategorySourceModel {
    /// Source key ("" for data found outside every declared source).
    pub source: String,
    /// Printed name ("Web logs").
    pub name: String,
    /// Phrases of the category's types it holds.
    pub examples: Vec<String>,
    /// Its purposes.
    pub purposes: Vec<Label>,
    /// Its retention period or criteria ("" when not declared).
    pub retention: String,
}
/// One manifest source as the policy summarises it: the categories it holds (with the
/// examples there), why, and for how long, so purposes and retention stay attributed
/// where several categories share a source.
#[derive(Clone, Debug, Serialize)]
pub struct HoldingModel {
    /// Source key ("" for data found outside every declared source).
    pub source: String,
    /// Printed name.
    pub name: String,
    /// The categories it holds, each with the examples held here.
    pub categories: Vec<HeldCategory>,
    /// Its purposes.
    pub purposes: Vec<Label>,
    /// Its retention period or criteria ("" when not declared).
    pub retention: String,
}
/// A category as held by one source.
#[derive(Clone, Debug, Serialize)]
pub struct HeldCategory {
    /// Letter.
    pub letter: String,
    /// Statutory name.
    pub name: String,
    /// Phrases of its types held there.
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
    /// Per manifest source holding its types: which types, purposes and retention.
    pub by_source: Vec<CategorySourceModel>,
    /// Its types are held by more than one source (or partly outside every source): the
    /// purposes and retention are printed per source.
    pub attributed: bool,
    /// No retention is declared for some of it.
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

/// Warns about each collected type a human must look at: found but not declared,
/// declared but not found, found outside every manifest source.
pub(super) fn warn_type_review(cx: &mut Ctx<'_>) {
    for t in cx.map.collected() {
        let assets_text = |cx: &Ctx<'_>, only_outside: bool| -> BTreeSet<String> {
            t.assets
                .iter()
                .filter(|a| !only_outside || a.source.is_none())
                .map(|a| cx.asset_evidence(a).asset)
                .collect()
        };
        match t.presence {
            Presence::FoundUndeclared => {
                let assets = assets_text(cx, false).into_iter().collect::<Vec<_>>();
                cx.warn(
                    format!("found_undeclared:{}", t.data_type),
                    &[doc::POLICY, doc::NOTICE, doc::ROPA],
                    format!(
                        "{} found in the data but not declared in the manifest ({}): listed with a \"needs review\" marker; declare it under a source, or dismiss the finding",
                        t.label,
                        assets.join(", ")
                    ),
                )
            }
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
        let outside = assets_text(cx, true);
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
}

/// The recipients of a category's types, sorted by how the CCPA counts each flow
/// ([`crate::inventory::sale`]).
#[derive(Default)]
struct CategoryRecipients {
    disclosed_to: Vec<RecipientGroup>,
    sold_to: Vec<RecipientGroup>,
    shared_with: Vec<RecipientGroup>,
    unreviewed: Vec<UnreviewedRecipient>,
}

impl CategoryRecipients {
    fn add(&mut self, cx: &Ctx<'_>, t: &TypeEntry) {
        for r in &t.recipients {
            let advertising = cx.catalog.get(&r.id).is_some_and(|v| v.advertising);
            let flow = Flow::of_type_recipient(r, advertising);
            // An undeclared recipient is one seen in the data: unreviewed.
            if !flow.declared {
                if !self.unreviewed.iter().any(|u| u.id == r.id) {
                    self.unreviewed.push(UnreviewedRecipient {
                        id: r.id.clone(),
                        name: r.name.clone(),
                        category: cx
                            .vocab
                            .label(VocabKind::RecipientCategory, &r.category)
                            .to_string(),
                        advertising,
                    });
                }
                continue;
            }
            if flow.is_sale() {
                cx.add_to_group(&mut self.sold_to, &r.category, &r.id, &r.name);
            }
            if flow.is_sharing() {
                cx.add_to_group(&mut self.shared_with, &r.category, &r.id, &r.name);
            }
            if flow.is_business_purpose_disclosure() {
                cx.add_to_group(&mut self.disclosed_to, &r.category, &r.id, &r.name);
            }
        }
    }
}

/// What the category's data types contribute: examples, evidence, sensitive items and
/// review notes.
#[derive(Default)]
struct CategoryTypes {
    examples: Vec<ExampleModel>,
    evidence: Vec<TypeEvidence>,
    sensitive_items: Vec<SensitiveItemModel>,
    review_notes: Vec<String>,
}

impl CategoryTypes {
    fn add(&mut self, cx: &Ctx<'_>, t: &TypeEntry) {
        self.examples.push(ExampleModel {
            data_type: t.data_type.clone(),
            label: t.label.clone(),
            phrase: t.example.clone(),
            presence: t.presence,
            needs_review: t.presence == Presence::FoundUndeclared,
            unverified: t.presence == Presence::DeclaredNotFound,
            historical_only: cx.historical_only(t),
            name_only: t.name_only,
        });
        self.evidence.push(cx.type_evidence(t));
        if !t.law.sensitive.is_empty() {
            match self
                .sensitive_items
                .iter_mut()
                .find(|s| s.item == t.law.sensitive)
            {
                Some(s) => {
                    s.data_types.push(cx.type_label(&t.data_type));
                    s.examples.push(t.example.clone());
                }
                None => self.sensitive_items.push(SensitiveItemModel {
                    item: t.law.sensitive.clone(),
                    wording: t.law.sensitive_wording.clone(),
                    data_types: vec![cx.type_label(&t.data_type)],
                    examples: vec![t.example.clone()],
                }),
            }
        }
        if t.name_only {
            self.review_notes.push(format!(
                "{}: recognised by the field name only (no value matched) where no source declares it",
                t.label
            ));
        }
        match t.presence {
            Presence::FoundUndeclared => self.review_notes.push(format!(
                "{}: found in the data but not declared in the manifest",
                t.label
            )),
            Presence::DeclaredNotFound => self.review_notes.push(format!(
                "{}: declared in the manifest but not found in the scanned data",
                t.label
            )),
            Presence::FoundAndDeclared => {}
        }
    }
}

/// Warns about what the notice must say of a category and the manifest does not:
/// retention (Civ. Code §1798.100(a)(3)), purposes (§1798.100(a)(1)) and categories of
/// sources (§1798.110(c)(2)). Returns the review notes.
fn warn_missing_category_facts(cx: &mut Ctx<'_>, c: &CategoryEntry) -> Vec<String> {
    let mut notes = Vec::new();
    let without: Vec<&str> = c
        .by_source
        .iter()
        .filter(|s| s.retention.is_empty())
        .map(|s| s.source.as_str())
        .collect();
    if retention_missing(c) {
        let which = if without.is_empty() || c.retention.is_empty() {
            "set `retention` on the sources holding it".to_string()
        } else {
            format!("set `retention` on source(s) {}", without.join(", "))
        };
        cx.warn(
            format!("retention_missing:{}", c.letter),
            &[doc::POLICY, doc::NOTICE],
            format!(
                "no retention period is declared for category {} ({}): {which} (Civ. Code §1798.100(a)(3))",
                c.letter, c.name
            ),
        );
        notes.push("no retention period or criteria declared".into());
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
        notes.push("no purpose declared".into());
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
        notes.push("no category of sources declared".into());
    }
    notes
}

/// Some of the category has no retention: no source declares one, or a source holding
/// some of its types declares none.
fn retention_missing(c: &CategoryEntry) -> bool {
    c.retention.is_empty() || c.by_source.iter().any(|s| s.retention.is_empty())
}

/// The category per source, in the order of the data map, then (when some of it was
/// found outside every source) that part, whose purposes and retention are unknown.
fn by_source(cx: &Ctx<'_>, c: &CategoryEntry) -> Vec<CategorySourceModel> {
    let phrase = |dt: &String| {
        cx.taxonomy
            .get(dt)
            .map_or_else(|| dt.clone(), |t| t.example.clone())
    };
    let mut out: Vec<CategorySourceModel> = c
        .by_source
        .iter()
        .map(|s| CategorySourceModel {
            source: s.source.clone(),
            name: super::ropa::title(&s.source),
            examples: s.data_types.iter().map(phrase).collect(),
            purposes: cx.labels(VocabKind::Purpose, &s.purposes),
            retention: s.retention.clone(),
        })
        .collect();
    if c.outside_sources {
        let outside = c
            .data_types
            .iter()
            .filter(|dt| {
                cx.map
                    .data_types
                    .iter()
                    .find(|t| &t.data_type == *dt)
                    .is_some_and(|t| t.assets.iter().any(|a| a.source.is_none()))
            })
            .map(phrase)
            .collect();
        out.push(CategorySourceModel {
            source: String::new(),
            name: "Data found outside the declared sources".into(),
            examples: outside,
            purposes: Vec::new(),
            retention: String::new(),
        });
    }
    out
}

fn category(
    cx: &mut Ctx<'_>,
    c: &CategoryEntry,
    types: &BTreeMap<&str, &TypeEntry>,
) -> CategoryModel {
    let ccpa = cx.taxonomy.ccpa.get(&c.letter);
    let short = ccpa.map(|x| x.short.clone()).unwrap_or_default();
    let statutory_examples = ccpa.map(|x| x.examples.clone()).unwrap_or_default();
    let mut of_types = CategoryTypes::default();
    let mut recipients = CategoryRecipients::default();
    // The purposes it is collected and used for: its sources', and the declared
    // purposes of the recipients it is sold to or shared with (11 CCR §7012(e)(2): a
    // category shared for advertising is used for advertising).
    let mut purposes: Vec<String> = c.purposes.clone();
    for t in c.data_types.iter().filter_map(|dt| types.get(dt.as_str())) {
        of_types.add(cx, t);
        recipients.add(cx, t);
        for r in t
            .recipients
            .iter()
            .filter(|r| r.declared && (r.sold || r.shared))
        {
            let declared = cx.manifest.recipients.get(&r.id);
            for p in declared.into_iter().flat_map(|d| &d.purposes) {
                push_unique(&mut purposes, p.get_ref().clone());
            }
        }
    }
    let mut review_notes = of_types.review_notes;
    for u in &recipients.unreviewed {
        review_notes.push(format!(
            "seen flowing to {} ({}) in the data, but no role is declared: decide whether it is a service provider, a sale or sharing, and declare it under [recipients]",
            u.name, u.category
        ));
    }
    review_notes.extend(warn_missing_category_facts(cx, c));
    let retention_missing = retention_missing(c);
    let by_source = by_source(cx, c);
    let needs_review = c.needs_review
        || !recipients.unreviewed.is_empty()
        || retention_missing
        || of_types.examples.iter().any(|e| e.needs_review);
    CategoryModel {
        letter: c.letter.clone(),
        name: c.name.clone(),
        short,
        statutory_examples,
        sensitive: !of_types.sensitive_items.is_empty()
            || cx.taxonomy.is_sensitive_category(&c.letter),
        sensitive_items: of_types.sensitive_items,
        sources: cx.labels(VocabKind::SourceCategory, &c.source_categories),
        purposes: cx.labels(VocabKind::Purpose, &purposes),
        sold: !recipients.sold_to.is_empty(),
        shared: !recipients.shared_with.is_empty(),
        disclosed: !recipients.disclosed_to.is_empty(),
        disclosed_to: recipients.disclosed_to,
        sold_to: recipients.sold_to,
        shared_with: recipients.shared_with,
        unreviewed_recipients: recipients.unreviewed,
        retention: c.retention.clone(),
        attributed: by_source.len() > 1,
        by_source,
        retention_missing,
        needs_review,
        unverified: c.unverified,
        review_notes,
        examples: of_types.examples,
        evidence: of_types.evidence,
    }
}

/// One model per category of the data map.
pub(super) fn categories(
    cx: &mut Ctx<'_>,
    types: &BTreeMap<&str, &TypeEntry>,
) -> Vec<CategoryModel> {
    let map = cx.map;
    map.categories
        .iter()
        .map(|c| category(cx, c, types))
        .collect()
}

/// The categories regrouped by the source holding them, in the order met.
pub(super) fn holdings(categories: &[CategoryModel]) -> Vec<HoldingModel> {
    let mut out: Vec<HoldingModel> = Vec::new();
    for c in categories {
        for s in &c.by_source {
            let i = match out.iter().position(|h| h.source == s.source) {
                Some(i) => i,
                None => {
                    out.push(HoldingModel {
                        source: s.source.clone(),
                        name: s.name.clone(),
                        categories: Vec::new(),
                        purposes: s.purposes.clone(),
                        retention: s.retention.clone(),
                    });
                    out.len() - 1
                }
            };
            out[i].categories.push(HeldCategory {
                letter: c.letter.clone(),
                name: c.name.clone(),
                examples: s.examples.clone(),
            });
        }
    }
    out
}

/// The categories of sources and the purposes over all categories, each once.
pub(super) fn sources_and_purposes(categories: &[CategoryModel]) -> (Vec<Label>, Vec<Label>) {
    let mut source_categories = Vec::new();
    let mut purposes = Vec::new();
    for c in categories {
        c.sources
            .iter()
            .for_each(|s| push_unique(&mut source_categories, s.clone()));
        c.purposes
            .iter()
            .for_each(|s| push_unique(&mut purposes, s.clone()));
    }
    (source_categories, purposes)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, model_of};

    /// Civ. Code §1798.140(v)(1)(L), §1798.140(ae): a sensitive type is also listed under
    /// the sensitive category, with the statutory wording of its (ae) item.
    #[test]
    fn ccpa_1798_140_v1_l_sensitive_type_is_listed_under_the_sensitive_category() {
        let f = fixture("[sources.hr]\nkind = \"files\"\npath = \"hr\"\ndata_types = [\"ssn\"]\nretention = \"7 years\"\n");
        let m = model_of(&f, "2026-11-29");
        let l = m
            .categories
            .iter()
            .find(|c| c.letter == "L")
            .expect("category L");
        assert!(l.sensitive);
        assert_eq!(l.sensitive_items[0].item, "(ae)(1)(A)");
        assert!(l.sensitive_items[0]
            .wording
            .starts_with("A consumer's social security"));
        assert!(m.categories.iter().any(|c| c.letter == "A" && c.sensitive));
    }

    /// Civ. Code §1798.100(a)(3): the notice states how long each category is kept; a
    /// category without retention is warned and marked for review.
    #[test]
    fn ccpa_1798_100_a3_category_without_retention_is_warned() {
        let f =
            fixture("[sources.web]\nkind = \"files\"\npath = \"web\"\ndata_types = [\"email\"]\n");
        let m = model_of(&f, "2026-11-29");
        assert!(m
            .warning_codes()
            .contains(&"retention_missing:A".to_string()));
        let a = m.categories.iter().find(|c| c.letter == "A").unwrap();
        assert!(a.retention_missing && a.needs_review);
    }
}
