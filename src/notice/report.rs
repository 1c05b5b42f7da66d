//! The data engineer's view (`report.html`): categories by source and asset as a heat
//! map, the assets holding the most sensitive personal information, the flows from
//! sources to recipients as an inline SVG diagram, and what could not be scanned. All
//! geometry is computed here, so the template only places elements.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::inventory::datamap::{source_of, AssetRef, DataMap, TypeEntry};
use crate::inventory::retention::{self, RetentionStatus};
use crate::inventory::{Inventory, Status};
use crate::manifest::Manifest;
use crate::taxonomy::Taxonomy;

/// A recipient as the flow diagram draws it (the report reads no other part of the
/// notice model, so it does not depend on it).
#[derive(Clone, Debug)]
pub struct DiagramRecipient {
    /// Id (manifest key, or catalog id when only observed).
    pub id: String,
    /// Name.
    pub name: String,
    /// Recipient-category label.
    pub category_label: String,
    /// Role as printed.
    pub role_label: String,
    /// Declared in the manifest.
    pub declared: bool,
    /// An advertising or social recipient, or one sold to or shared with: highlighted.
    pub advertising: bool,
}

/// Counts at a glance.
#[derive(Clone, Debug, Serialize)]
pub struct ReportSummary {
    /// Assets in the current inventory.
    pub assets: u64,
    /// Scanned completely.
    pub scanned: u64,
    /// Read in part.
    pub partial: u64,
    /// Not read.
    pub failed: u64,
    /// Skipped on purpose.
    pub skipped: u64,
    /// Data types found or declared.
    pub data_types: usize,
    /// CCPA categories.
    pub categories: usize,
    /// Recipients.
    pub recipients: usize,
    /// Warnings are counted by the template from `warnings`.
    pub assets_with_personal_information: usize,
}

/// A heat-map column: one CCPA category.
#[derive(Clone, Debug, Serialize)]
pub struct HeatColumn {
    /// Letter.
    pub letter: String,
    /// Statutory name.
    pub name: String,
    /// Shorthand.
    pub short: String,
}

/// A heat-map cell.
#[derive(Clone, Debug, Serialize)]
pub struct HeatCell {
    /// Matched values.
    pub count: u64,
    /// Intensity 0–5 (log scale relative to the largest cell; at least 1 when present).
    pub level: u8,
    /// Some data type of the column was found (even with 0 matched values, e.g. a
    /// column recognised by its name).
    pub present: bool,
    /// Data types counted in it.
    pub types: Vec<String>,
}

/// A heat-map row: one asset.
#[derive(Clone, Debug, Serialize)]
pub struct HeatRow {
    /// Asset id.
    pub asset: String,
    /// Scan status.
    pub status: String,
    /// One cell per column.
    pub cells: Vec<HeatCell>,
    /// Matched values over all columns (a value in two categories counts twice).
    pub total: u64,
}

/// The rows of one manifest source.
#[derive(Clone, Debug, Serialize)]
pub struct HeatGroup {
    /// Source key (`(no source)` for assets outside the manifest's sources).
    pub source: String,
    /// Its assets.
    pub rows: Vec<HeatRow>,
    /// Column totals.
    pub totals: Vec<HeatCell>,
    /// Sum of the column totals.
    pub total: u64,
}

/// Categories by source and asset.
#[derive(Clone, Debug, Serialize)]
pub struct Heatmap {
    /// Columns.
    pub columns: Vec<HeatColumn>,
    /// Row groups.
    pub groups: Vec<HeatGroup>,
    /// Assets scanned where nothing was found.
    pub assets_without_findings: usize,
}

/// An asset ranked by sensitive personal information.
#[derive(Clone, Debug, Serialize)]
pub struct TopAsset {
    /// Asset id.
    pub asset: String,
    /// Manifest source.
    pub source: String,
    /// Matched sensitive values.
    pub matched: u64,
    /// Sensitive data types in it (labels).
    pub types: Vec<String>,
    /// Why they are sensitive: (ae) items and Art. 9/10.
    pub grounds: Vec<String>,
}

/// A box of the flow diagram.
#[derive(Clone, Debug, Serialize)]
pub struct Node {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
    /// First line.
    pub label: String,
    /// Second line.
    pub sub: String,
    /// `source` or `recipient`.
    pub kind: String,
    /// CSS class: `source`, `ok`, `advertising`, `undeclared`.
    pub class: String,
}

/// An arrow of the flow diagram.
#[derive(Clone, Debug, Serialize)]
pub struct Edge {
    /// SVG path data.
    pub d: String,
    /// CSS class: `ok` (declared and seen), `declared` (declared, not seen), `undeclared`
    /// (seen, not declared), `advertising` (to an advertising/social recipient).
    pub class: String,
    /// Tooltip text.
    pub title: String,
}

/// Sources → recipients.
#[derive(Clone, Debug, Serialize)]
pub struct Diagram {
    /// Width of the SVG.
    pub width: u32,
    /// Height of the SVG.
    pub height: u32,
    /// Boxes.
    pub nodes: Vec<Node>,
    /// Arrows.
    pub edges: Vec<Edge>,
    /// A text alternative describing every edge.
    pub description: Vec<String>,
}

/// A problem met while scanning an asset.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorRow {
    /// Asset.
    pub asset: String,
    /// Kind.
    pub kind: String,
    /// Message (never a scanned value).
    pub message: String,
    /// Count, for counted anomalies.
    pub count: Option<u64>,
    /// First line.
    pub first_line: Option<u64>,
    /// It stopped (part of) the scan.
    pub fatal: bool,
}

/// Scan coverage.
#[derive(Clone, Debug, Serialize)]
pub struct CoverageModel {
    /// Assets scanned (incl. partial).
    pub scanned: u64,
    /// `asset: reason` for partial and failed assets.
    pub failed: Vec<String>,
    /// `asset: reason` for skipped assets.
    pub skipped: Vec<String>,
    /// `asset: column (reason)`.
    pub skipped_columns: Vec<String>,
    /// Every asset error.
    pub errors: Vec<ErrorRow>,
}

/// Declared against observed retention for one asset.
#[derive(Clone, Debug, Serialize)]
pub struct RetentionRow {
    /// Manifest source.
    pub source: String,
    /// Asset id.
    pub asset: String,
    /// The source's retention as declared ("" when none).
    pub declared: String,
    /// The period applied, in days, when one was parsed.
    pub period_days: Option<u64>,
    /// The event the period counts from, when it does.
    pub after: String,
    /// The date of the oldest record (YYYY-MM-DD), "" when none was seen.
    pub oldest: String,
    /// What it was read from (`timestamp column created_at`, `log line timestamp`, …).
    pub basis: String,
    /// Age of the oldest record in days.
    pub age_days: Option<i64>,
    /// `within`, `exceeds`, `from_event`, `unparsed`, `not_declared`, `no_timestamp`.
    pub status: RetentionStatus,
    /// The outcome as printed.
    pub status_text: String,
}

fn retention_rows(inventory: &Inventory, manifest: &Manifest, today: &str) -> Vec<RetentionRow> {
    retention::evaluate(inventory, manifest, today)
        .into_iter()
        .map(|r| {
            let (oldest, basis) = match &r.oldest {
                Some(o) => (
                    o.at.get(..10).unwrap_or_default().to_string(),
                    match &o.field {
                        Some(f) => format!("{} {f}", o.basis.describe()),
                        None => o.basis.describe().to_string(),
                    },
                ),
                None => (String::new(), String::new()),
            };
            let after = r
                .period
                .as_ref()
                .and_then(|p| p.after.clone())
                .unwrap_or_default();
            let status_text = match r.status {
                RetentionStatus::Within => "within the period".to_string(),
                RetentionStatus::Exceeds => "older than the period".to_string(),
                RetentionStatus::FromEvent => format!("not checked: counted from “{after}”"),
                RetentionStatus::Unparsed => "not checked: no period in the text".to_string(),
                RetentionStatus::NotDeclared => "not checked: no retention declared".to_string(),
                RetentionStatus::NoTimestamp => "not checked: nothing dated was seen".to_string(),
            };
            RetentionRow {
                period_days: r.period.as_ref().map(|p| p.days),
                source: r.source,
                asset: r.asset,
                declared: r.declared,
                after,
                oldest,
                basis,
                age_days: r.age_days,
                status: r.status,
                status_text,
            }
        })
        .collect()
}

/// Everything `report.html` shows beyond the notice model.
#[derive(Clone, Debug, Serialize)]
pub struct ReportModel {
    /// Counts.
    pub summary: ReportSummary,
    /// Categories by source and asset.
    pub heatmap: Heatmap,
    /// Top assets by sensitive personal information (at most 10).
    pub top_sensitive: Vec<TopAsset>,
    /// Sources → recipients.
    pub diagram: Diagram,
    /// Coverage and errors.
    pub coverage: CoverageModel,
    /// Declared against observed retention, per source and asset holding personal
    /// information.
    pub retention: Vec<RetentionRow>,
}

fn level(count: u64, max: u64) -> u8 {
    if count == 0 || max == 0 {
        return 0;
    }
    let l = ((count as f64 + 1.0).ln() / (max as f64 + 1.0).ln() * 5.0).ceil();
    l.clamp(1.0, 5.0) as u8
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Scanned => "scanned",
        Status::Partial => "partial",
        Status::Failed => "failed",
        Status::Skipped => "skipped",
        Status::Empty => "empty",
    }
}

fn empty_cells(n: usize) -> Vec<HeatCell> {
    (0..n)
        .map(|_| HeatCell {
            count: 0,
            level: 0,
            present: false,
            types: Vec::new(),
        })
        .collect()
}

fn push_new(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// Matched sensitive values of an asset, its sensitive types and their grounds.
type SensitiveTally = (u64, Vec<String>, Vec<String>);

/// Per current asset: one cell per column, and the sensitive tally.
#[derive(Default)]
struct Tally {
    cells: BTreeMap<String, Vec<HeatCell>>,
    sensitive: BTreeMap<String, SensitiveTally>,
}

impl Tally {
    fn of(
        inventory: &Inventory,
        map: &DataMap,
        columns: &[HeatColumn],
        taxonomy: &Taxonomy,
    ) -> Tally {
        let current: BTreeSet<&str> = inventory.assets.iter().map(|a| a.id.as_str()).collect();
        let col_index: BTreeMap<&str, usize> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.letter.as_str(), i))
            .collect();
        let mut tally = Tally::default();
        for t in map.collected() {
            let letters = taxonomy.letters_of(&t.law.ccpa, &t.law.sensitive);
            for a in t
                .assets
                .iter()
                .filter(|a| current.contains(a.asset.as_str()))
            {
                let row = tally
                    .cells
                    .entry(a.asset.clone())
                    .or_insert_with(|| empty_cells(columns.len()));
                for i in letters.iter().filter_map(|l| col_index.get(l.as_str())) {
                    row[*i].count += a.matched_values;
                    row[*i].present = true;
                    push_new(&mut row[*i].types, &t.label);
                }
                tally.add_sensitive(t, a);
            }
        }
        tally
    }

    /// Sensitive in any law: CCPA §1798.140(ae), GDPR Art. 9 or Art. 10.
    fn add_sensitive(&mut self, t: &TypeEntry, a: &AssetRef) {
        if t.law.sensitive.is_empty() && t.law.gdpr_special.is_empty() && !t.law.gdpr_article10 {
            return;
        }
        let e = self.sensitive.entry(a.asset.clone()).or_default();
        e.0 += a.matched_values;
        push_new(&mut e.1, &t.label);
        if !t.law.sensitive.is_empty() {
            push_new(&mut e.2, &format!("CCPA §1798.140{}", t.law.sensitive));
        }
        if !t.law.gdpr_special.is_empty() {
            push_new(&mut e.2, &format!("GDPR Art. 9: {}", t.law.gdpr_special));
        }
        if t.law.gdpr_article10 {
            push_new(&mut e.2, "GDPR Art. 10");
        }
    }
}

/// The heat map: the asset rows grouped by manifest source, with levels relative to the
/// largest cell (rows) and the largest group total (totals).
fn heatmap(
    inventory: &Inventory,
    columns: Vec<HeatColumn>,
    cells: &BTreeMap<String, Vec<HeatCell>>,
    src_of: &BTreeMap<String, String>,
) -> Heatmap {
    let max = cells
        .values()
        .flat_map(|r| r.iter().map(|c| c.count))
        .max()
        .unwrap_or(0);
    let mut groups: BTreeMap<String, HeatGroup> = BTreeMap::new();
    for a in &inventory.assets {
        let Some(row) = cells.get(&a.id) else {
            continue;
        };
        let src = src_of.get(&a.id).cloned().unwrap_or_default();
        let mut row = row.clone();
        for c in &mut row {
            c.level = level(c.count, max).max(u8::from(c.present));
        }
        let g = groups.entry(src.clone()).or_insert_with(|| HeatGroup {
            source: src,
            rows: Vec::new(),
            totals: empty_cells(columns.len()),
            total: 0,
        });
        for (i, c) in row.iter().enumerate() {
            g.totals[i].count += c.count;
            g.totals[i].present |= c.present;
            for t in &c.types {
                push_new(&mut g.totals[i].types, t);
            }
        }
        g.rows.push(HeatRow {
            asset: a.id.clone(),
            status: status_name(a.status).into(),
            total: row.iter().map(|c| c.count).sum(),
            cells: row,
        });
    }
    let group_max = groups
        .values()
        .flat_map(|g| g.totals.iter().map(|c| c.count))
        .max()
        .unwrap_or(0);
    for g in groups.values_mut() {
        for c in &mut g.totals {
            c.level = level(c.count, group_max).max(u8::from(c.present));
        }
        g.total = g.totals.iter().map(|c| c.count).sum();
    }
    Heatmap {
        columns,
        groups: groups.into_values().collect(),
        assets_without_findings: inventory
            .assets
            .iter()
            .filter(|a| matches!(a.status, Status::Scanned | Status::Partial))
            .filter(|a| !cells.contains_key(&a.id))
            .count(),
    }
}

/// The ten assets with the most matched sensitive values.
fn top_sensitive(
    sensitive: BTreeMap<String, SensitiveTally>,
    src_of: &BTreeMap<String, String>,
) -> Vec<TopAsset> {
    let mut top: Vec<TopAsset> = sensitive
        .into_iter()
        .map(|(asset, (matched, types, grounds))| TopAsset {
            source: src_of.get(&asset).cloned().unwrap_or_default(),
            asset,
            matched,
            types,
            grounds,
        })
        .collect();
    top.sort_by(|a, b| {
        b.matched
            .cmp(&a.matched)
            .then_with(|| a.asset.cmp(&b.asset))
    });
    top.truncate(10);
    top
}

fn coverage(inventory: &Inventory, map: &DataMap) -> CoverageModel {
    let errors = inventory
        .assets
        .iter()
        .flat_map(|a| {
            a.errors.iter().map(|e| ErrorRow {
                asset: a.id.clone(),
                kind: e.kind.clone(),
                message: e.message.clone(),
                count: e.count,
                first_line: e.first_line,
                fatal: e.fatal,
            })
        })
        .collect();
    CoverageModel {
        scanned: map.coverage.scanned,
        failed: map.coverage.failed.clone(),
        skipped: map.coverage.skipped.clone(),
        skipped_columns: map.coverage.skipped_columns.clone(),
        errors,
    }
}

/// Builds the report from the current inventory (no history: this is what is there
/// now) as of `today` (YYYY-MM-DD). `columns` are the notice's categories, `recipients`
/// its recipients.
pub fn build(
    inventory: &Inventory,
    map: &DataMap,
    columns: Vec<HeatColumn>,
    recipients: Vec<DiagramRecipient>,
    manifest: &Manifest,
    (taxonomy, today): (&Taxonomy, &str),
) -> ReportModel {
    let tally = Tally::of(inventory, map, &columns, taxonomy);
    let src_of: BTreeMap<String, String> = inventory
        .assets
        .iter()
        .map(|a| {
            let src = source_of(a, manifest).unwrap_or_else(|| "(no source)".into());
            (a.id.clone(), src)
        })
        .collect();
    let summary = ReportSummary {
        assets: inventory.assets.len() as u64,
        scanned: inventory.scan.assets_scanned,
        partial: inventory.scan.assets_partial,
        failed: inventory.scan.assets_failed,
        skipped: inventory.scan.assets_skipped,
        data_types: map.collected().count(),
        categories: columns.len(),
        recipients: recipients.len(),
        assets_with_personal_information: tally.cells.len(),
    };
    ReportModel {
        summary,
        heatmap: heatmap(inventory, columns, &tally.cells, &src_of),
        top_sensitive: top_sensitive(tally.sensitive, &src_of),
        diagram: diagram(inventory, &recipients, manifest, &src_of),
        coverage: coverage(inventory, map),
        retention: retention_rows(inventory, manifest, today),
    }
}

const NODE_W: u32 = 310;
const NODE_H: u32 = 46;
const GAP: u32 = 18;
const TOP: u32 = 40;
const WIDTH: u32 = 1000;

/// `s` cut to `n` characters with an ellipsis.
fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n - 1).collect();
        out.push('…');
        out
    }
}

fn diagram(
    inventory: &Inventory,
    recipients: &[DiagramRecipient],
    manifest: &Manifest,
    src_of: &BTreeMap<String, String>,
) -> Diagram {
    // Recipients observed per source, by catalog id.
    let mut observed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut asset_count: BTreeMap<String, usize> = BTreeMap::new();
    for a in &inventory.assets {
        let src = src_of.get(&a.id).cloned().unwrap_or_default();
        *asset_count.entry(src.clone()).or_default() += 1;
        for r in &a.recipients {
            observed
                .entry(src.clone())
                .or_default()
                .insert(r.id.clone());
        }
    }
    let mut sources: Vec<String> = manifest.sources.keys().cloned().collect();
    for s in asset_count.keys() {
        if !sources.contains(s) {
            sources.push(s.clone());
        }
    }
    // (source index, recipient index, declared, observed)
    let mut links: Vec<(usize, usize, bool, bool)> = Vec::new();
    for (si, s) in sources.iter().enumerate() {
        let declared: Vec<&str> = manifest
            .sources
            .get(s)
            .map(|x| x.recipients.iter().map(|r| r.get_ref().as_str()).collect())
            .unwrap_or_default();
        for (ri, r) in recipients.iter().enumerate() {
            let cid = manifest.recipient_catalog_id(&r.id);
            let seen = observed.get(s).is_some_and(|o| o.contains(cid));
            let decl = declared.contains(&r.id.as_str());
            if seen || decl {
                links.push((si, ri, decl, seen));
            }
        }
    }
    let rows = sources.len().max(recipients.len()).max(1) as u32;
    let height = TOP + rows * (NODE_H + GAP) + GAP;
    let left_x = 10;
    let right_x = WIDTH - NODE_W - 10;
    let y_of = |i: usize, n: usize| -> u32 {
        // Centre the shorter column.
        let offset = (rows - n as u32) * (NODE_H + GAP) / 2;
        TOP + offset + i as u32 * (NODE_H + GAP)
    };
    let mut nodes = Vec::new();
    for (i, s) in sources.iter().enumerate() {
        let n = asset_count.get(s).copied().unwrap_or(0);
        nodes.push(Node {
            x: left_x,
            y: y_of(i, sources.len()),
            w: NODE_W,
            h: NODE_H,
            label: shorten(s, 40),
            sub: format!("{n} asset(s)"),
            kind: "source".into(),
            class: "source".into(),
        });
    }
    for (i, r) in recipients.iter().enumerate() {
        let class = if !r.declared {
            "undeclared"
        } else if r.advertising {
            "advertising"
        } else {
            "ok"
        };
        nodes.push(Node {
            x: right_x,
            y: y_of(i, recipients.len()),
            w: NODE_W,
            h: NODE_H,
            label: shorten(&r.name, 40),
            sub: shorten(&format!("{} · {}", r.category_label, r.role_label), 50),
            kind: "recipient".into(),
            class: class.into(),
        });
    }
    let mut edges = Vec::new();
    let mut description = Vec::new();
    for (si, ri, decl, seen) in links {
        let r = &recipients[ri];
        let y1 = y_of(si, sources.len()) + NODE_H / 2;
        let y2 = y_of(ri, recipients.len()) + NODE_H / 2;
        let x1 = left_x + NODE_W;
        let x2 = right_x;
        let mid = (x1 + x2) / 2;
        let class = match (decl, seen) {
            (false, _) => "undeclared",
            _ if r.advertising => "advertising",
            (true, true) => "ok",
            (true, false) => "declared",
        };
        let state = match (decl, seen) {
            (true, true) => "declared and seen in the data",
            (true, false) => "declared, not seen in the data",
            (false, _) => "seen in the data, NOT declared",
        };
        let text = format!(
            "{} → {} ({}): {state}",
            sources[si], r.name, r.category_label
        );
        edges.push(Edge {
            d: format!("M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"),
            class: class.into(),
            title: text.clone(),
        });
        description.push(text);
    }
    Diagram {
        width: WIDTH,
        height,
        nodes,
        edges,
        description,
    }
}
