//! The notice model: everything the disclosure templates print, resolved to plain text
//! (vocabulary keys turned into labels, statutory names and wording filled in) and kept
//! with its evidence. Serialised as `notice.json` and handed to every template as the
//! context; the README ("Disclosure documents") documents each field.
//!
//! One file per part of the model, each with the legal rule it applies and the unit
//! tests that pin it: [`organisation`], [`rights`], [`categories`], [`sensitive`],
//! [`sale`], [`disclosures`], [`minors`], [`collectors`], [`incentive`], [`metrics`],
//! [`recipients`], [`ropa`], [`answers`] (statements withheld for want of an answer) and
//! [`choices`] (the opt-out and limit pages, the alternative "Your Privacy Choices" link).
//! The GDPR Art. 13/14 notice is [`gdpr`], the California workforce notice [`workforce`];
//! which sources each audience's documents cover is decided by `audience`.
//! Which flows are sold, shared or disclosed is decided once, by
//! [`crate::inventory::sale`]; the parts here word it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::history::{self, HistoryInventory};
use super::report::{self, ReportModel};
use crate::inventory::assess::{assess, Knowledge};
use crate::inventory::datamap::{DataMap, TypeEntry};
use crate::inventory::Inventory;
use crate::knowledge::{Catalog, Vocabulary};
use crate::manifest::Manifest;
use crate::taxonomy::Taxonomy;

pub mod answers;
mod audience;
pub mod categories;
pub mod choices;
pub mod collectors;
mod context;
pub mod disclosures;
pub mod gdpr;
pub mod incentive;
pub mod metrics;
pub mod minors;
pub mod organisation;
pub mod recipients;
pub mod rights;
pub mod ropa;
pub mod sale;
pub mod sensitive;
pub mod state_laws;
pub mod us_states;
pub mod workforce;

pub use answers::WithheldModel;
pub use categories::{
    AssetEvidence, CategoryModel, CategorySourceModel, ExampleModel, HeldCategory, HoldingModel,
    RecipientGroup, SensitiveItemModel, TypeEvidence, UnreviewedRecipient,
};
pub use choices::{AlternativeLinkModel, ChoicesModel};
pub use collectors::{CollectorModel, TrackingModel};
pub use disclosures::{DisclosedCategory, DisclosureModel};
pub use gdpr::GdprNoticeModel;
pub use incentive::{IncentivesModel, ProgrammeModel};
pub use metrics::MetricsModel;
pub use minors::MinorsModel;
pub use organisation::OrganisationModel;
pub use recipients::{RecipientModel, TypeModel};
pub use rights::{MethodModel, RequestsModel};
pub use ropa::{RopaActivity, RopaDataCategory, RopaModel, RopaRecipient, RopaTransfer};
pub use sale::{BlockingFlow, SaleSharingModel, SoldSharedCategory};
pub use sensitive::SensitiveModel;
pub use us_states::UsStatesModel;
pub use workforce::WorkforceModel;

use crate::inventory::assess::Assessment;
use crate::knowledge::gdpr::GdprLaw;
use audience::Audience;
use context::Ctx;

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
    /// The Notice of Right to Opt-out of Sale/Sharing (11 CCR §7013).
    pub const OPT_OUT: &str = "opt-out-notice";
    /// The Notice of Right to Limit (11 CCR §7014).
    pub const LIMIT: &str = "limit-notice";
    /// The notice of financial incentive (11 CCR §7016).
    pub const INCENTIVE: &str = "notice-of-financial-incentive";
    /// The GDPR / UK GDPR Art. 13/14 privacy notice.
    pub const GDPR: &str = "gdpr-notice";
    /// The California workforce notice.
    pub const WORKFORCE: &str = "workforce-notice";
    /// The US state privacy laws notice.
    pub const US_STATES: &str = "us-state-notice";
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
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
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
    /// Shorthand: it concerns the opt-out page.
    pub opt_out: bool,
    /// Shorthand: it concerns the limit page.
    pub limit: bool,
    /// Shorthand: it concerns the GDPR Art. 13/14 notice.
    pub gdpr: bool,
    /// Shorthand: it concerns the workforce notice.
    pub workforce: bool,
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
    /// Per manifest source: the categories it holds, why and for how long.
    pub holdings: Vec<HoldingModel>,
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
    /// Everyone seen collecting on the site (pixels, tags, SDKs), with their role.
    pub collection_controllers: Vec<CollectorModel>,
    /// Third parties collecting across websites (CalOPPA), service providers collecting
    /// on the business's behalf, and the statement on it.
    pub tracking: TrackingModel,
    /// The opt-out and limit pages and the alternative "Your Privacy Choices" link.
    pub choices: ChoicesModel,
    /// Financial incentive programmes (11 CCR §7016).
    pub incentives: IncentivesModel,
    /// The §7102 request metrics (`None`: not printed).
    pub request_metrics: Option<MetricsModel>,
    /// Recipients (of every source: consumer and workforce).
    pub recipients: Vec<RecipientModel>,
    /// Data types (of every source: consumer and workforce).
    pub data_types: Vec<TypeModel>,
    /// The GDPR record.
    pub ropa: RopaModel,
    /// The GDPR / UK GDPR Art. 13/14 privacy notice.
    pub gdpr: GdprNoticeModel,
    /// The California workforce notice (the consumer parts above cover consumer-facing
    /// sources only).
    pub workforce: WorkforceModel,
    /// The data engineer's report.
    pub report: ReportModel,
    /// Earlier inventories merged in.
    pub history: Vec<HistoryRef>,
    /// The US state privacy laws notice.
    pub us_states: UsStatesModel,
}

pub(crate) fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
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

/// The earlier inventories merged in, each with the types only it adds.
fn history_refs(
    inventory: &Inventory,
    merged: &Inventory,
    synthetic: &BTreeMap<String, String>,
    history: &[HistoryInventory],
) -> Vec<HistoryRef> {
    let added = |date: &str| -> Vec<String> {
        let mut v: Vec<String> = merged
            .assets
            .iter()
            .filter(|a| synthetic.get(&a.id).is_some_and(|d| d == date))
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
    };
    history
        .iter()
        .map(|h| HistoryRef {
            date: h.date.clone(),
            added_data_types: added(&h.date),
        })
        .collect()
}

/// Most important first: refused statements, then incomplete coverage, then missing
/// facts, then review items (a stable sort: each group keeps its order).
fn rank_warnings(mut warnings: Vec<Warning>) -> Vec<Warning> {
    let rank = |w: &Warning| -> u8 {
        match w.code.split(':').next().unwrap_or("") {
            "sale_statement_blocked"
            | "possible_sharing"
            | "answer_missing"
            | "answer_contradicted" => 0,
            "coverage_incomplete" => 1,
            "undeclared_recipient"
            | "found_undeclared"
            | "declared_not_found"
            | "outside_sources" => 3,
            _ => 2,
        }
    };
    warnings.sort_by_key(rank);
    warnings
}

/// The report's view of the model: its category columns and its recipients.
fn report_of(
    inventory: &Inventory,
    map: &DataMap,
    categories: &[CategoryModel],
    recipients: &[RecipientModel],
    manifest: &Manifest,
    knowledge: (&Taxonomy, &str),
) -> ReportModel {
    let columns = categories
        .iter()
        .map(|c| report::HeatColumn {
            letter: c.letter.clone(),
            name: c.name.clone(),
            short: c.short.clone(),
        })
        .collect();
    let boxes = recipients
        .iter()
        .map(|r| report::DiagramRecipient {
            id: r.id.clone(),
            name: r.name.clone(),
            category_label: r.category_label.clone(),
            role_label: r.role_label.clone(),
            declared: r.declared,
            advertising: r.advertising || r.sold || r.shared,
        })
        .collect();
    report::build(inventory, map, columns, boxes, manifest, knowledge)
}

/// The assessment of one view: `current` is the scan, `merged` the scan with the
/// earlier inventories of the 12-month window.
fn assess_view(
    current: &Inventory,
    merged: &Inventory,
    manifest: &Manifest,
    knowledge: Knowledge<'_>,
    today: &str,
    with_history: bool,
) -> Assessment {
    let mut assessed = assess(merged, manifest, knowledge, today);
    if with_history {
        // What could not be read is a fact of the current scan only.
        assessed.map.coverage = DataMap::build(
            current,
            manifest,
            knowledge.taxonomy,
            knowledge.vocab,
            knowledge.catalog,
            today,
        )
        .coverage;
    }
    assessed
}

/// The workforce notice, from the view of the sources whose data subjects are the
/// workforce, with its warnings (renamed for it) and its categories.
fn workforce_part(
    inventory: &Inventory,
    merged: &Inventory,
    synthetic: &BTreeMap<String, String>,
    manifest: &Manifest,
    knowledge: Knowledge<'_>,
    today: &str,
) -> (WorkforceModel, Vec<Warning>) {
    let vocab = knowledge.vocab;
    let w = Audience::Workforce;
    let wm = audience::manifest_for(manifest, vocab, w);
    let current = audience::inventory_for(inventory, manifest, vocab, w);
    let merged = audience::inventory_for(merged, manifest, vocab, w);
    let assessed = assess_view(
        &current,
        &merged,
        &wm,
        knowledge,
        today,
        !synthetic.is_empty(),
    );
    let mut cx = Ctx {
        manifest: &wm,
        taxonomy: knowledge.taxonomy,
        vocab,
        catalog: knowledge.catalog,
        map: &assessed.map,
        answers: &assessed.answers,
        synthetic,
        warnings: Vec::new(),
    };
    let types: BTreeMap<&str, &TypeEntry> = assessed
        .map
        .collected()
        .map(|t| (t.data_type.as_str(), t))
        .collect();
    let sources = audience::source_keys(manifest, vocab, w);
    let mut data_subjects: Vec<Label> = Vec::new();
    for s in sources.iter().filter_map(|k| manifest.sources.get(k)) {
        for d in s.data_subjects.iter().map(|d| d.get_ref()) {
            if vocab
                .get(crate::knowledge::VocabKind::DataSubject, d)
                .is_some_and(|t| t.workforce)
            {
                push_unique(
                    &mut data_subjects,
                    cx.label(crate::knowledge::VocabKind::DataSubject, d),
                );
            }
        }
    }
    answers::warn_withheld(&mut cx);
    let categories = categories::categories(&mut cx, &types);
    let holdings = categories::holdings(&categories);
    let sensitive = sensitive::sensitive(&mut cx, &categories);
    let sale_and_sharing = sale::sale_and_sharing(&mut cx, &categories, &assessed.sale);
    let model = WorkforceModel {
        applies: !sources.is_empty(),
        sources,
        data_subjects,
        categories,
        sensitive,
        holdings,
        sale_and_sharing,
    };
    (model, workforce::relabel(cx.warnings))
}

/// The report's heat-map columns cover every source: the consumer categories and the
/// workforce ones, by letter.
fn all_categories(consumer: &[CategoryModel], workforce: &[CategoryModel]) -> Vec<CategoryModel> {
    let mut all: Vec<CategoryModel> = consumer.to_vec();
    for c in workforce {
        if !all.iter().any(|x| x.letter == c.letter) {
            all.push(c.clone());
        }
    }
    all.sort_by(|a, b| a.letter.cmp(&b.letter));
    all
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
        let knowledge = Knowledge {
            taxonomy,
            vocab,
            catalog,
        };
        let (merged, synthetic) = history::merge(inventory, history);
        let with_history = !synthetic.is_empty();
        let full = assess_view(inventory, &merged, manifest, knowledge, today, with_history);
        // The consumer documents cover the consumer-facing sources (module audience).
        let c = Audience::Consumer;
        let cm = audience::manifest_for(manifest, vocab, c);
        let c_current = audience::inventory_for(inventory, manifest, vocab, c);
        let c_merged = audience::inventory_for(&merged, manifest, vocab, c);
        let assessed = assess_view(&c_current, &c_merged, &cm, knowledge, today, with_history);
        let map = assessed.map;
        let mut cx = Ctx {
            manifest: &cm,
            taxonomy,
            vocab,
            catalog,
            map: &map,
            answers: &assessed.answers,
            synthetic: &synthetic,
            warnings: Vec::new(),
        };
        let types: BTreeMap<&str, &TypeEntry> =
            map.collected().map(|t| (t.data_type.as_str(), t)).collect();

        let last_updated = organisation::last_updated(&mut cx, today);
        organisation::warn_missing_facts(&mut cx);
        let requests = rights::requests(&mut cx);
        organisation::warn_missing_statements(&mut cx);
        answers::warn_withheld(&mut cx);
        categories::warn_type_review(&mut cx);
        let categories = categories::categories(&mut cx, &types);
        let (source_categories, purposes) = categories::sources_and_purposes(&categories);
        let holdings = categories::holdings(&categories);
        let sensitive = sensitive::sensitive(&mut cx, &categories);
        let sale_and_sharing = sale::sale_and_sharing(&mut cx, &categories, &assessed.sale);
        let disclosures = disclosures::disclosures(&mut cx, &categories);
        let minors = minors::minors(&mut cx, &assessed.sale);
        let collection_controllers = collectors::collectors(&c_merged, &cx, &synthetic);
        let tracking = collectors::tracking(&mut cx, &collection_controllers);
        let choices = choices::choices(&sale_and_sharing, &sensitive);
        let incentives = incentive::incentives(&mut cx);
        for (source, text) in crate::inventory::retention::unparsed(manifest) {
            cx.warn(
                format!("retention_unparsed:{source}"),
                &[],
                format!("sources.{source}.retention (\"{text}\") names no period piimap can read (\"90 days\", \"18 months\", \"7 years after employment ends\"): it is not checked against the data"),
            );
        }
        let request_metrics = metrics::metrics(&mut cx, today);
        // The US state laws exclude workforce data: their notice sees the consumer view.
        let consumer_recipients = recipients::recipients(&mut cx);
        let mut us_states = us_states::us_states(
            &mut cx,
            &categories,
            &consumer_recipients,
            &sale_and_sharing,
            today,
        );
        // The record, the GDPR notice and the report cover every source.
        cx.manifest = manifest;
        cx.map = &full.map;
        cx.answers = &full.answers;
        let full_types: BTreeMap<&str, &TypeEntry> = full
            .map
            .collected()
            .map(|t| (t.data_type.as_str(), t))
            .collect();
        let ropa = ropa::build_ropa(&mut cx, &merged, &full_types);
        let law = GdprLaw::builtin().expect("the built-in rules/gdpr.toml is valid");
        let gdpr = gdpr::gdpr_notice(&mut cx, &ropa, &law);
        // The recipients and data types (the report's tables) of every source.
        let recipients = recipients::recipients(&mut cx);
        let data_types = recipients::data_types(&cx);
        let (workforce, workforce_warnings) =
            workforce_part(inventory, &merged, &synthetic, manifest, knowledge, today);
        // The consumer view has no workforce source left: name those the notice leaves out.
        let consumer_sources = audience::source_keys(manifest, vocab, Audience::Consumer);
        us_states.workforce_excluded = workforce
            .holdings
            .iter()
            .filter(|h| !consumer_sources.contains(&h.source))
            .map(|h| h.name.clone())
            .collect();
        let report = report_of(
            inventory,
            &full.map,
            &all_categories(&categories, &workforce.categories),
            &recipients,
            manifest,
            (taxonomy, today),
        );
        let mut warnings = cx.warnings;
        warnings.extend(workforce_warnings);
        let warnings = rank_warnings(warnings);

        NoticeModel {
            schema: SCHEMA.into(),
            today: today.into(),
            last_updated_display: display_date(&last_updated),
            last_updated,
            period: Period {
                from: history::twelve_months_before(today),
                to: today.into(),
            },
            organisation: OrganisationModel::of(&manifest.organisation),
            warnings,
            categories,
            opt_out_applies: sale_and_sharing.opt_out_link.applies,
            limit_applies: sensitive.limit_link.applies,
            sensitive,
            source_categories,
            purposes,
            holdings,
            sale_and_sharing,
            disclosures,
            minors,
            requests,
            collection_controllers,
            tracking,
            choices,
            incentives,
            request_metrics,
            recipients,
            data_types,
            ropa,
            gdpr,
            workforce,
            report,
            history: history_refs(inventory, &merged, &synthetic, history),
            us_states,
        }
    }

    /// The warnings as one-line messages (for stderr).
    pub fn warning_lines(&self) -> Vec<String> {
        self.warnings.iter().map(|w| w.message.clone()).collect()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::inventory::ScanInfo;

    /// A manifest (TOML text) with the built-in knowledge.
    pub struct Fixture {
        pub manifest: Manifest,
        pub taxonomy: Taxonomy,
        pub vocab: Vocabulary,
        pub catalog: Catalog,
    }

    pub fn fixture(manifest: &str) -> Fixture {
        let taxonomy = Taxonomy::builtin().unwrap();
        let vocab = Vocabulary::builtin().unwrap();
        let catalog = Catalog::builtin().unwrap();
        let manifest = Manifest::parse("t.toml", manifest, &taxonomy, &vocab, &catalog)
            .unwrap_or_else(|e| panic!("{e}"));
        Fixture {
            manifest,
            taxonomy,
            vocab,
            catalog,
        }
    }

    /// The model of an empty inventory: every declared type is "declared, not found",
    /// which is enough for the rules that read the declarations.
    pub fn model_of(f: &Fixture, today: &str) -> NoticeModel {
        let inv = Inventory::new(ScanInfo::default(), Vec::new());
        NoticeModel::build(
            &inv,
            &f.manifest,
            &f.taxonomy,
            &f.vocab,
            &f.catalog,
            today,
            &[],
        )
    }

    impl NoticeModel {
        pub fn warning_codes(&self) -> Vec<String> {
            self.warnings.iter().map(|w| w.code.clone()).collect()
        }
    }

    #[test]
    fn refused_statements_come_first_and_review_items_last() {
        let w = |code: &str| Warning {
            code: code.into(),
            message: String::new(),
            documents: Vec::new(),
            policy: true,
            notice: false,
            ropa: false,
            opt_out: false,
            limit: false,
            gdpr: false,
            workforce: false,
        };
        let ranked = rank_warnings(vec![
            w("found_undeclared:email"),
            w("legal_name_missing"),
            w("coverage_incomplete"),
            w("sale_statement_blocked"),
            w("address_missing"),
        ]);
        let codes: Vec<&str> = ranked.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "sale_statement_blocked",
                "coverage_incomplete",
                "legal_name_missing",
                "address_missing",
                "found_undeclared:email"
            ]
        );
    }
}
