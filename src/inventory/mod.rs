//! The inventory: per data asset (file, table, log stream) and per field, which data
//! types it holds, how sure we are, and the evidence — plus what could not be scanned.
//!
//! Serialised as `inventory.json` (schema [`SCHEMA`], documented in the README). Every
//! value in it is masked; an asset that failed to scan says so and is never presented
//! as "no personal information".

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub mod answers;
pub mod assess;
pub mod datamap;
pub mod diff;
pub mod disposition;
pub mod merge;
mod recipients;
pub mod retention;
pub mod sale;
mod scanned;

pub use assess::{assess, Assessment};

/// The schema id written into every inventory; bump on incompatible changes.
pub const SCHEMA: &str = "piimap.inventory/1";

/// How an asset's scan ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Read completely (or as sampled).
    Scanned,
    /// Read in part: an error stopped the read; what was read is reported.
    Partial,
    /// Not read at all because of an error.
    Failed,
    /// Not read on purpose (binary, special file, size limit).
    Skipped,
    /// Read, but no value was: an empty file or table, an empty sample, or every
    /// column skipped. Nothing can be concluded about what it holds; it never counts
    /// as "no personal information".
    Empty,
}

/// A problem with an asset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetError {
    /// A short machine-readable kind (`io`, `parse`, `invalid_utf8`, `ragged_rows`, …).
    pub kind: String,
    /// What happened (never contains a scanned value).
    pub message: String,
    /// How many times (for counted anomalies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// The first line where it happened, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_line: Option<u64>,
    /// True when it stopped (part of) the scan.
    pub fatal: bool,
}

/// Per asset scan statistics.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AssetStats {
    /// Bytes on disk.
    pub bytes: u64,
    /// Lines (text) or data rows (tables) read.
    pub rows: u64,
    /// Rows whose values were classified (equals `rows` unless sampled).
    pub rows_scanned: u64,
    /// Values (cells, and runs of text) examined; `None` in inventories written before
    /// it was counted. Zero makes the asset [`Status::Empty`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_read: Option<u64>,
    /// How rows were chosen (`full`, `all rows`, `reservoir sample …`, `all lines`).
    pub sampling: String,
    /// What was read, for humans: `all 1200 rows`, `all 20000 lines`, `10000 of 52000
    /// rows (reservoir sample …)`, `nothing read`, `not read`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub coverage: String,
    /// Wall time of this asset's scan, in milliseconds.
    pub duration_ms: u64,
    /// Columns or fields skipped, with the reason (coverage).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped_columns: Vec<SkippedColumn>,
    /// The oldest record seen, and what it was read from (a timestamp column, a log
    /// line, the file's modification time); absent in older inventories and where
    /// nothing dated was seen. Checked against the declared retention
    /// ([`retention`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_record: Option<retention::OldestRecord>,
}

/// A column that was not examined, and why.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SkippedColumn {
    /// The column.
    pub column: String,
    /// Why.
    pub reason: String,
}

/// The data types found in one field (or in the asset's unstructured text: `field: null`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FieldReport {
    /// The column, JSON path or key; None for unstructured text.
    pub field: Option<String>,
    /// Non-empty values (or lines) checked.
    pub values_checked: u64,
    /// Data types found, most confident first.
    pub types: Vec<Verdict>,
}

/// A third party that data in this asset flows to, recognised from the catalog.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObservedRecipient {
    /// Catalog id.
    pub id: String,
    /// Vendor name.
    pub name: String,
    /// Recipient-category key.
    pub category: String,
    /// Typically a third party for cross-context behavioral advertising.
    pub advertising: bool,
    /// What was seen, where, how often.
    pub evidence: Vec<RecipientEvidence>,
}

/// One kind of sighting of a recipient.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecipientEvidence {
    /// Domain, key prefix, marker or column.
    pub kind: crate::knowledge::RecipientKind,
    /// The catalog literal that matched (a vendor domain or marker, never a scanned value).
    pub matched: String,
    /// The field it was seen in (null: unstructured text).
    pub field: Option<String>,
    /// Sightings.
    pub count: u64,
}

/// What an asset is: decides how it is addressed, read and carried forward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssetKind {
    /// A file (local or an object in a store), or text given on the command line.
    File,
    /// A database table or view.
    Table,
    /// A whole database that could not be read (its tables are unknown).
    Database,
}

/// One scanned data asset.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AssetReport {
    /// Stable id: `file:<path>`, `postgres://host:port/db/schema.table`, `sqlite:<path>/<table>`.
    pub id: String,
    /// The asset as given or walked (a path, a table).
    pub asset: String,
    /// What was read: a file or a table.
    pub kind: AssetKind,
    /// The manifest source it was scanned as part of, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Detected format (`csv`, `jsonl`, `parquet`, `text`, …).
    pub format: String,
    /// Compression, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<String>,
    /// The line format of a text file (`plain`, `json`, `key_value`, `access_log`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_format: Option<String>,
    /// How the scan ended.
    pub status: Status,
    /// Why it was skipped, for skipped assets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped_reason: Option<String>,
    /// Scan statistics.
    pub stats: AssetStats,
    /// Fields with findings.
    pub fields: Vec<FieldReport>,
    /// Third parties the data flows to, seen in this asset.
    #[serde(default)]
    pub recipients: Vec<ObservedRecipient>,
    /// Problems (fatal or counted).
    pub errors: Vec<AssetError>,
}

impl AssetReport {
    /// A new report for an asset, with no findings yet.
    pub fn new(id: String, asset: String, kind: AssetKind, format: &str) -> Self {
        AssetReport {
            id,
            asset,
            kind,
            source: None,
            format: format.into(),
            compression: None,
            line_format: None,
            status: Status::Scanned,
            skipped_reason: None,
            stats: AssetStats::default(),
            fields: Vec::new(),
            recipients: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Records that the file holds no bytes: its format is `empty`, with a non-fatal
    /// error saying so (an empty file is read, and holds nothing).
    pub fn mark_empty(&mut self) {
        self.format = "empty".into();
        self.errors.push(AssetError {
            kind: "empty".into(),
            message: "empty file".into(),
            count: None,
            first_line: None,
            fatal: false,
        });
    }

    /// Records a fatal error: the asset becomes `failed`, or `partial` when something
    /// was read before the error.
    pub fn fail(&mut self, kind: &str, message: String, read_something: bool) {
        self.status = if read_something {
            Status::Partial
        } else {
            Status::Failed
        };
        self.errors.push(AssetError {
            kind: kind.into(),
            message,
            count: None,
            first_line: None,
            fatal: true,
        });
    }

    /// Makes a scanned asset in which no value was read [`Status::Empty`], saying why, so
    /// that it is never read as "no personal information".
    pub fn mark_if_nothing_read(&mut self) {
        if self.status != Status::Scanned || self.stats.values_read != Some(0) {
            return;
        }
        self.status = Status::Empty;
        let message = if self.stats.rows == 0 {
            "nothing was read: no rows or lines (an empty file or table, or an empty sample); what it holds is unknown"
        } else if !self.stats.skipped_columns.is_empty() {
            "nothing was read: every column was skipped (see skipped_columns); what it holds is unknown"
        } else {
            "nothing was read: every value was empty; what it holds is unknown"
        };
        self.errors.push(AssetError {
            kind: "nothing_read".into(),
            message: message.into(),
            count: None,
            first_line: None,
            fatal: false,
        });
    }

    /// Says in `stats.coverage` what was read of the asset: all of it, a sample of how
    /// many rows out of how many, or nothing.
    pub fn fill_coverage(&mut self) {
        let st = &self.stats;
        let unit = if st.sampling == "all lines" {
            "lines"
        } else {
            "rows"
        };
        let whole = st.sampling == "all lines"
            || st.sampling == "full"
            || st.sampling.starts_with("all rows")
            || st.rows_scanned >= st.rows;
        self.stats.coverage = match self.status {
            Status::Empty => "nothing read".into(),
            Status::Failed => "not read".into(),
            Status::Skipped => "not read (skipped)".into(),
            Status::Partial => format!(
                "{} {unit} read before the error",
                st.rows_scanned.max(st.rows)
            ),
            Status::Scanned if whole => format!("all {} {unit}", st.rows.max(st.rows_scanned)),
            Status::Scanned => format!(
                "{} of {} {unit} ({})",
                st.rows_scanned, st.rows, st.sampling
            ),
        };
    }

    /// Why the asset was not (fully) scanned: the skip reason, the fatal errors, or
    /// why nothing was read; empty for a scanned asset.
    pub fn problem(&self) -> String {
        match self.status {
            Status::Scanned => String::new(),
            Status::Skipped => self.skipped_reason.clone().unwrap_or_default(),
            Status::Empty => self
                .errors
                .iter()
                .filter(|e| e.kind == "nothing_read")
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
            Status::Partial | Status::Failed => self
                .errors
                .iter()
                .filter(|e| e.fatal)
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
        }
    }

    /// The data types held anywhere in the asset.
    pub fn data_types(&self) -> impl Iterator<Item = &str> {
        self.fields
            .iter()
            .flat_map(|f| f.types.iter().map(|t| t.data_type.as_str()))
    }
}

/// Run-level information.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ScanInfo {
    /// What was scanned (paths, redacted database URLs).
    pub roots: Vec<String>,
    /// When the scan started (UTC, RFC 3339).
    pub started_at: String,
    /// Total wall time in milliseconds.
    pub duration_ms: u64,
    /// Bytes read from files.
    pub bytes: u64,
    /// Assets by status.
    pub assets_scanned: u64,
    /// Assets read in part.
    pub assets_partial: u64,
    /// Assets not read because of errors.
    pub assets_failed: u64,
    /// Assets skipped on purpose.
    pub assets_skipped: u64,
    /// Assets read in which no value was (see [`Status::Empty`]).
    #[serde(default)]
    pub assets_empty: u64,
    /// Settings that change results (sample size, seed, threshold, rules).
    pub settings: BTreeMap<String, String>,
    /// With `--state`: assets read again this run, with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rescanned: Vec<String>,
    /// With `--state`: assets unchanged since the last run, results carried forward.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub carried: Vec<String>,
    /// The manifest the data map was built with, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
}

/// Roll-up of one data type across assets.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TypeSummary {
    /// Assets holding it.
    pub assets: u64,
    /// Fields holding it.
    pub fields: u64,
    /// Matched values.
    pub matches: u64,
    /// Highest confidence seen.
    pub max_confidence: f32,
}

/// The whole inventory.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Inventory {
    /// [`SCHEMA`].
    pub schema: String,
    /// The piimap version that wrote it.
    pub piimap_version: String,
    /// Run information.
    pub scan: ScanInfo,
    /// One entry per asset, sorted by id.
    pub assets: Vec<AssetReport>,
    /// Per data type roll-up.
    pub summary: BTreeMap<String, TypeSummary>,
    /// What is collected, why and with whom it is shared: the scan joined with the
    /// manifest (present when a manifest was given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_map: Option<datamap::DataMap>,
}

impl Inventory {
    /// Builds the inventory (sorting assets and computing the roll-up).
    pub fn new(mut scan: ScanInfo, mut assets: Vec<AssetReport>) -> Self {
        assets.sort_by(|a, b| a.id.cmp(&b.id));
        for a in &mut assets {
            a.mark_if_nothing_read();
            a.fill_coverage();
        }
        scan.assets_scanned = assets
            .iter()
            .filter(|a| a.status == Status::Scanned)
            .count() as u64;
        scan.assets_partial = assets
            .iter()
            .filter(|a| a.status == Status::Partial)
            .count() as u64;
        scan.assets_failed = assets.iter().filter(|a| a.status == Status::Failed).count() as u64;
        scan.assets_skipped = assets
            .iter()
            .filter(|a| a.status == Status::Skipped)
            .count() as u64;
        scan.assets_empty = assets.iter().filter(|a| a.status == Status::Empty).count() as u64;
        let mut summary: BTreeMap<String, TypeSummary> = BTreeMap::new();
        for a in &assets {
            let mut seen_in_asset = std::collections::BTreeSet::new();
            for f in &a.fields {
                for t in &f.types {
                    let s = summary.entry(t.data_type.clone()).or_default();
                    s.fields += 1;
                    s.matches += t.matched_values;
                    s.max_confidence = s.max_confidence.max(t.confidence);
                    if seen_in_asset.insert(t.data_type.clone()) {
                        s.assets += 1;
                    }
                }
            }
        }
        Inventory {
            schema: SCHEMA.into(),
            piimap_version: env!("CARGO_PKG_VERSION").into(),
            scan,
            assets,
            summary,
            data_map: None,
        }
    }

    /// Reads an inventory file.
    pub fn load(path: &std::path::Path) -> Result<Inventory, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let inv: Inventory = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{}: not a piimap inventory: {e}", path.display()))?;
        if inv.schema != SCHEMA {
            return Err(format!(
                "{}: schema {} is not {SCHEMA}",
                path.display(),
                inv.schema
            ));
        }
        Ok(inv)
    }

    /// The assets not read completely (skipped, empty, failed, partial): what the
    /// inventory says nothing, or not everything, about.
    pub fn not_fully_scanned(&self) -> Vec<&AssetReport> {
        self.assets
            .iter()
            .filter(|a| a.status != Status::Scanned)
            .collect()
    }

    /// True when any asset failed or was read only in part.
    pub fn has_failures(&self) -> bool {
        self.assets
            .iter()
            .any(|a| matches!(a.status, Status::Failed | Status::Partial))
    }
}

/// The current UTC time as RFC 3339 (`2026-11-29T02:44:00Z`).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    crate::validate::rfc3339(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// Writes a file atomically: a temporary file in the same directory, then a rename, so a
/// reader never sees half a file and a crash leaves the old one intact.
pub fn write_atomic(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".piimap-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut w)?;
        std::io::Write::flush(&mut w)?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// One data type found in a column, with the evidence for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The data type.
    pub data_type: String,
    /// Confidence, 0.0–1.0.
    pub confidence: f32,
    /// Non-empty values with a finding of this type.
    pub matched_values: u64,
    /// Non-empty values checked.
    pub values_checked: u64,
    /// `matched_values / values_checked`.
    pub ratio: f32,
    /// Validator passes / (passes + rejections), when a validator ran.
    pub validator_pass_rate: Option<f32>,
    /// Distinct matched values (capped at 10,000).
    pub distinct: u64,
    /// The kinds of evidence: `value_pattern`, `validator`, `context`, `name_hint`, `value_list`, `name_only`.
    pub evidence: Vec<String>,
    /// Rule ids that fired.
    pub rules: Vec<String>,
    /// Up to three masked examples.
    pub examples: Vec<String>,
}

/// The classification of one column.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ColumnReport {
    /// The column or field name.
    pub name: String,
    /// Values seen (including empty ones).
    pub values_seen: u64,
    /// Non-empty values checked.
    pub values_checked: u64,
    /// Verdicts, most confident first.
    pub verdicts: Vec<Verdict>,
}
