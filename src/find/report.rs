//! The per-person report: where the person appears (asset, field, count, first and last
//! seen, how sure), what is held about them (data types and CCPA categories, from the
//! inventory), and what the manifest and the data map say about it (sources, purposes,
//! recipients, retention). Masked throughout: identifiers appear only masked, and no
//! stored value is ever copied into it. Written as `report.json` and `report.md`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::ident::{IdentKind, Identifier, MatchKind};
use super::Found;
use crate::inventory::datamap::DataMap;
use crate::knowledge::{VocabKind, Vocabulary};
use crate::manifest::Manifest;
use crate::output::escape::markdown_cell;
use crate::taxonomy::Taxonomy;

/// The schema id of `report.json`.
pub const SCHEMA: &str = "piimap.find/1";

/// What the person asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestKind {
    /// Right to know / access (CCPA §1798.110, GDPR Art. 15).
    Know,
    /// Right to delete (CCPA §1798.105, GDPR Art. 17).
    Delete,
}

impl RequestKind {
    /// Its name in the request log.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Know => "know",
            RequestKind::Delete => "delete",
        }
    }
}

/// Where the person appears.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Appearance {
    /// Asset id (as in the inventory).
    pub asset: String,
    /// `table` or `file`.
    pub asset_kind: &'static str,
    /// The manifest source, if any.
    pub source: Option<String>,
    /// The column or field (`None`: unstructured text, or a whole linked row).
    pub field: Option<String>,
    /// Which identifier matched (for a linked row: the one that matched its parent).
    pub identifier: IdentKind,
    /// How sure.
    pub match_kind: MatchKind,
    /// For a linked row: the foreign key followed (`rental.customer_id → customer`).
    pub via: Option<String>,
    /// Rows or lines.
    pub count: u64,
    /// `rows` or `lines`.
    pub unit: &'static str,
    /// The earliest timestamp on a matching line, when the lines carry one.
    pub first_seen: Option<String>,
    /// The latest.
    pub last_seen: Option<String>,
}

/// A data type held about the person.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeldType {
    /// The data type.
    pub data_type: String,
    /// Its label.
    pub label: String,
    /// Its plural phrase ("email addresses").
    pub example: String,
    /// CCPA letters.
    pub ccpa: Vec<String>,
    /// Assets holding it with the person's records.
    pub assets: Vec<String>,
}

/// A CCPA category held about the person.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeldCategory {
    /// The letter.
    pub letter: String,
    /// The statutory name.
    pub name: String,
    /// Labels of the types in it.
    pub data_types: Vec<String>,
}

/// What the manifest declares about a source holding the person's data.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourceFacts {
    /// The source's name.
    pub name: String,
    /// Purposes (labels).
    pub purposes: Vec<String>,
    /// Categories of sources the data comes from (labels).
    pub source_categories: Vec<String>,
    /// Retention period or criteria ("" when not declared).
    pub retention: String,
}

/// A recipient of data types held about the person (from the data map).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecipientFacts {
    /// Name.
    pub name: String,
    /// Category label.
    pub category: String,
    /// Role (`service_provider`, `contractor`, `third_party`, `unknown`).
    pub role: String,
    /// Sold to it.
    pub sold: bool,
    /// Shared with it for cross-context behavioural advertising.
    pub shared: bool,
    /// Of the person's data types, those it receives.
    pub data_types: Vec<String>,
}

/// An asset that was searched, and how.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Searched {
    /// Asset id.
    pub asset: String,
    /// The identifiers looked for.
    pub identifiers: Vec<IdentKind>,
    /// How (index, scan, one pass over the lines …).
    pub method: String,
    /// Wall time of this asset's search.
    pub duration_ms: u64,
}

/// An asset that was not searched, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NotSearched {
    /// Asset id.
    pub asset: String,
    /// Why.
    pub reason: String,
}

/// An asset whose search failed: never "not found".
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FindError {
    /// Asset (or database) id.
    pub asset: String,
    /// `timeout`, `connect`, `query`, `limit`, `io`, …
    pub kind: String,
    /// What happened (no value).
    pub message: String,
}

/// Totals.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Totals {
    /// Assets holding the person's records (exact, normalised or linked matches).
    pub assets: u64,
    /// Table rows.
    pub rows: u64,
    /// File lines.
    pub lines: u64,
    /// Assets with name-only matches.
    pub name_only_assets: u64,
}

/// A masked identifier.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IdentifierRef {
    /// Kind.
    pub kind: IdentKind,
    /// Masked form.
    pub masked: String,
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// Know or delete.
    pub request: RequestKind,
    /// When (UTC, RFC 3339).
    pub generated_at: String,
    /// What was looked for, masked.
    pub identifiers: Vec<IdentifierRef>,
    /// Records of the person were found (name-only matches do not count).
    pub found: bool,
    /// Totals.
    pub totals: Totals,
    /// Exact, normalised and linked matches.
    pub appearances: Vec<Appearance>,
    /// Name-only matches, apart: they do not alone say these records are the person's.
    pub name_only: Vec<Appearance>,
    /// Data types held about the person.
    pub data_types: Vec<HeldType>,
    /// CCPA categories held.
    pub categories: Vec<HeldCategory>,
    /// Manifest sources holding the data.
    pub sources: Vec<SourceFacts>,
    /// Recipients of the data types held.
    pub recipients: Vec<RecipientFacts>,
    /// A data map (manifest and inventory) was available for the sources, purposes and
    /// recipients.
    pub data_map: bool,
    /// Assets searched.
    pub searched: Vec<Searched>,
    /// Assets not searched.
    pub not_searched: Vec<NotSearched>,
    /// Assets whose search failed.
    pub errors: Vec<FindError>,
    /// Wall time.
    pub duration_ms: u64,
}

/// The knowledge a report is built with.
pub struct Context<'a> {
    /// Data types' meaning.
    pub taxonomy: &'a Taxonomy,
    /// Labels of purposes, source and recipient categories.
    pub vocab: &'a Vocabulary,
    /// The manifest, if any.
    pub manifest: Option<&'a Manifest>,
    /// The data map (inventory joined with the manifest), if any.
    pub map: Option<&'a DataMap>,
}

impl Report {
    /// Builds the report from what the search found.
    pub fn build(
        request: RequestKind,
        identifiers: &[Identifier],
        found: &Found,
        ctx: &Context<'_>,
        duration_ms: u64,
    ) -> Report {
        let (name_only, appearances): (Vec<Appearance>, Vec<Appearance>) = found
            .appearances
            .iter()
            .cloned()
            .partition(|a| a.match_kind == MatchKind::NameOnly);
        let held_assets: BTreeSet<&str> = appearances.iter().map(|a| a.asset.as_str()).collect();
        let mut totals = Totals {
            assets: held_assets.len() as u64,
            name_only_assets: name_only
                .iter()
                .map(|a| a.asset.as_str())
                .collect::<BTreeSet<_>>()
                .len() as u64,
            ..Totals::default()
        };
        totals.rows = found.tables.iter().map(|t| t.rows.len() as u64).sum();
        totals.lines = found.files.iter().map(|f| f.count).sum();
        let data_types = held_types(found, &held_assets, ctx.taxonomy);
        let categories = held_categories(&data_types, ctx.taxonomy);
        let sources = source_facts(&appearances, ctx);
        let recipients = recipient_facts(&data_types, ctx);
        Report {
            schema: SCHEMA,
            request,
            generated_at: crate::inventory::now_rfc3339(),
            identifiers: identifiers
                .iter()
                .map(|i| IdentifierRef {
                    kind: i.kind,
                    masked: i.masked(),
                })
                .collect(),
            found: !appearances.is_empty(),
            totals,
            appearances,
            name_only,
            data_types,
            categories,
            sources,
            recipients,
            data_map: ctx.map.is_some(),
            searched: found.searched.clone(),
            not_searched: found.not_searched.clone(),
            errors: found.errors.clone(),
            duration_ms,
        }
    }

    /// The report as Markdown, every data-derived string escaped.
    pub fn markdown(&self) -> String {
        let e = |s: &str| markdown_cell(s).into_owned();
        let opt = |s: &Option<String>| s.as_deref().map(e).unwrap_or_else(|| "—".into());
        let mut md = String::from("# Data subject request: what was found\n\n");
        md.push_str(&format!(
            "Request: **{}** · generated {} · identifiers: {}\n\n",
            self.request.as_str(),
            e(&self.generated_at),
            self.identifiers
                .iter()
                .map(|i| format!("{} `{}`", i.kind.as_str(), e(&i.masked)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        md.push_str(&format!(
            "Found in **{}** asset(s): {} row(s), {} line(s). Name-only matches in {} asset(s) (not proof of identity).\n\n",
            self.totals.assets, self.totals.rows, self.totals.lines, self.totals.name_only_assets
        ));
        if !self.errors.is_empty() {
            md.push_str(
                "**Incomplete:** these searches failed, so the answer may miss records:\n\n",
            );
            for x in &self.errors {
                md.push_str(&format!(
                    "- {} ({}): {}\n",
                    e(&x.asset),
                    e(&x.kind),
                    e(&x.message)
                ));
            }
            md.push('\n');
        }
        for (title, rows) in [
            ("Where the person appears", &self.appearances),
            ("Name-only matches", &self.name_only),
        ] {
            md.push_str(&format!("## {title}\n\n"));
            if rows.is_empty() {
                md.push_str("None.\n\n");
                continue;
            }
            md.push_str("| asset | field | identifier | match | via | count | first seen | last seen |\n|---|---|---|---|---|---|---|---|\n");
            for a in rows.iter() {
                md.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} {} | {} | {} |\n",
                    e(&a.asset),
                    opt(&a.field),
                    a.identifier.as_str(),
                    kind_name(a.match_kind),
                    opt(&a.via),
                    a.count,
                    a.unit,
                    opt(&a.first_seen),
                    opt(&a.last_seen)
                ));
            }
            md.push('\n');
        }
        md.push_str("## What is held\n\n");
        for c in &self.categories {
            md.push_str(&format!(
                "- **{}** {}: {}\n",
                e(&c.letter),
                e(&c.name),
                e(&c.data_types.join(", "))
            ));
        }
        if self.categories.is_empty() {
            md.push_str("Nothing.\n");
        }
        md.push_str("\n## Sources, purposes and retention\n\n");
        for s in &self.sources {
            md.push_str(&format!(
                "- **{}**: purposes {}; from {}; retention {}\n",
                e(&s.name),
                e(&s.purposes.join(", ")),
                e(&s.source_categories.join(", ")),
                if s.retention.is_empty() {
                    "not declared".into()
                } else {
                    e(&s.retention)
                }
            ));
        }
        md.push_str("\n## Recipients\n\n");
        for r in &self.recipients {
            md.push_str(&format!(
                "- {} ({}, {}){}{}: {}\n",
                e(&r.name),
                e(&r.category),
                e(&r.role),
                if r.sold { ", sold" } else { "" },
                if r.shared { ", shared" } else { "" },
                e(&r.data_types.join(", "))
            ));
        }
        md.push_str(&format!(
            "\n## Coverage\n\n{} asset(s) searched, {} not searched.\n\n",
            self.searched.len(),
            self.not_searched.len()
        ));
        for n in &self.not_searched {
            md.push_str(&format!(
                "- not searched: {}: {}\n",
                e(&n.asset),
                e(&n.reason)
            ));
        }
        md
    }
}

/// A match kind's name in outputs.
pub fn kind_name(k: MatchKind) -> &'static str {
    match k {
        MatchKind::Exact => "exact",
        MatchKind::Normalised => "normalised",
        MatchKind::Linked => "linked",
        MatchKind::NameOnly => "name only",
    }
}

/// The data types of the assets holding the person's records, from the inventory.
fn held_types(found: &Found, assets: &BTreeSet<&str>, taxonomy: &Taxonomy) -> Vec<HeldType> {
    let mut by_type: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (asset, types) in &found.asset_types {
        if assets.contains(asset.as_str()) {
            for t in types {
                by_type.entry(t.clone()).or_default().insert(asset.clone());
            }
        }
    }
    by_type
        .into_iter()
        .map(|(t, assets)| {
            let d = taxonomy.get(&t);
            HeldType {
                label: d.map_or_else(|| t.clone(), |d| d.label.clone()),
                example: d.map_or_else(|| t.clone(), |d| d.example.clone()),
                ccpa: d.map(|d| d.ccpa.clone()).unwrap_or_default(),
                data_type: t,
                assets: assets.into_iter().collect(),
            }
        })
        .collect()
}

fn held_categories(types: &[HeldType], taxonomy: &Taxonomy) -> Vec<HeldCategory> {
    let mut by: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in types {
        for l in &t.ccpa {
            by.entry(l.clone()).or_default().push(t.label.clone());
        }
    }
    by.into_iter()
        .map(|(letter, data_types)| HeldCategory {
            name: taxonomy.ccpa_name(&letter).to_string(),
            letter,
            data_types,
        })
        .collect()
}

fn source_facts(appearances: &[Appearance], ctx: &Context<'_>) -> Vec<SourceFacts> {
    let Some(m) = ctx.manifest else {
        return Vec::new();
    };
    let names: BTreeSet<&str> = appearances
        .iter()
        .filter_map(|a| a.source.as_deref())
        .collect();
    names
        .into_iter()
        .filter_map(|n| {
            let s = m.sources.get(n)?;
            let labels = |kind: VocabKind, v: &[toml::Spanned<String>]| {
                v.iter()
                    .map(|x| ctx.vocab.label(kind, x.get_ref()).to_string())
                    .collect()
            };
            Some(SourceFacts {
                name: n.to_string(),
                purposes: labels(VocabKind::Purpose, &s.purposes),
                source_categories: labels(VocabKind::SourceCategory, &s.source_categories),
                retention: s.retention.clone(),
            })
        })
        .collect()
}

fn recipient_facts(types: &[HeldType], ctx: &Context<'_>) -> Vec<RecipientFacts> {
    let Some(map) = ctx.map else {
        return Vec::new();
    };
    let held: BTreeSet<&str> = types.iter().map(|t| t.data_type.as_str()).collect();
    map.recipients
        .iter()
        .filter_map(|r| {
            let data_types: Vec<String> = r
                .data_types
                .iter()
                .filter(|t| held.contains(t.as_str()))
                .cloned()
                .collect();
            (!data_types.is_empty()).then(|| RecipientFacts {
                name: r.name.clone(),
                category: r.category_label.clone(),
                role: r.role.as_str().to_string(),
                sold: r.sold,
                shared: r.shared,
                data_types,
            })
        })
        .collect()
}
