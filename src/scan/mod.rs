//! Orchestration: walked files → sources → detection → per-asset reports.
//!
//! Files are scanned in parallel on a rayon pool: each is opened, its format sniffed,
//! and read by the reader [`crate::source::file::reader`] picks, into the file's
//! [`AssetCollector`] (a big text file is also cut into chunks scanned in parallel by
//! the text reader; a file of several tables, a workbook, into one collector and report
//! per table). Databases go through [`db`], objects in stores through `object` (the
//! same readers). A failing asset is recorded and the scan goes on.

mod batch;
pub mod db;
mod object;
pub use crate::output::findings;
pub mod incremental;
pub mod plan;
mod run;
pub mod shard;
pub mod state;

pub use run::{run, Outputs, Progress, Quiet, ScanConfig};

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;

pub use crate::classify::AssetCollector;
use findings::FindingsWriter;

use crate::detect::Engine;
use crate::inventory::{AssetReport, SkippedColumn, Status};
use crate::source::file::{self, text, FileRead, Input, ReadOptions, ReadSummary};
use crate::source::format::{self, Compression, Format};
use crate::source::walk::{FileEntry, Skipped};
use crate::source::{open, Sampling, SourceError};

/// Settings for scanning files.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// How file tables (CSV, JSON lines, Parquet) are read: in full by default.
    pub sampling: Sampling,
    /// How database tables met in a file tree (SQLite files) are read: sampled.
    pub db_sampling: Sampling,
    /// Longest line scanned (the rest is counted as truncated).
    pub line_cap: usize,
    /// Target chunk size for splitting big text files across cores.
    pub chunk_size: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            sampling: Sampling {
                rows: 10_000,
                full: true,
                seed: 0,
            },
            db_sampling: Sampling {
                rows: 10_000,
                full: false,
                seed: 0,
            },
            line_cap: text::DEFAULT_LINE_CAP,
            chunk_size: 8 << 20,
        }
    }
}

/// Scans files; share one per run.
pub struct FileScanner<'e> {
    engine: &'e Engine,
    opts: ScanOptions,
    findings: Option<&'e FindingsWriter>,
    /// Bytes done so far (for progress reporting).
    pub bytes_done: AtomicU64,
}

impl<'e> FileScanner<'e> {
    /// A scanner with the engine, options and an optional findings file.
    pub fn new(
        engine: &'e Engine,
        opts: ScanOptions,
        findings: Option<&'e FindingsWriter>,
    ) -> Self {
        FileScanner {
            engine,
            opts,
            findings,
            bytes_done: AtomicU64::new(0),
        }
    }

    /// Scans every file in parallel; `on_done` is called after each (for progress).
    pub fn scan_all(
        &self,
        files: &[FileEntry],
        on_done: &(dyn Fn(&FileEntry) + Sync),
    ) -> Vec<AssetReport> {
        // Largest first, so one big file does not start last and run alone.
        let mut order: Vec<&FileEntry> = files.iter().collect();
        order.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.path.cmp(&b.path)));
        order
            .par_iter()
            .flat_map_iter(|entry| {
                let reports = self.scan_file(entry);
                self.bytes_done.fetch_add(entry.size, Ordering::Relaxed);
                on_done(entry);
                reports
            })
            .collect()
    }

    /// Scans one file; never panics on bad input, never returns an error: problems go
    /// into the report. A SQLite database file gives one report per table, a workbook
    /// one per sheet (`file:PATH#Sheet1`).
    pub fn scan_file(&self, entry: &FileEntry) -> Vec<AssetReport> {
        let started = Instant::now();
        let asset = entry.path.display().to_string();
        let mut report = AssetReport::new(
            format!("file:{asset}"),
            asset,
            crate::inventory::AssetKind::File,
            "unknown",
        );
        report.stats.bytes = entry.size;
        let tables = self.scan_into(&entry.path, &mut report);
        report.stats.duration_ms = started.elapsed().as_millis() as u64;
        let mut reports = match tables {
            Some(tables) if !tables.is_empty() => tables,
            _ if report.format == "sqlite" && report.status == Status::Skipped => {
                let opts = db::DbOptions {
                    sampling: self.opts.db_sampling,
                    ..db::DbOptions::default()
                };
                db::scan_sqlite_file(self.engine, &entry.path, &opts, self.findings)
            }
            _ => vec![report],
        };
        // Nothing dated was read: the file's modification time bounds the records' age.
        for r in reports
            .iter_mut()
            .filter(|r| r.stats.oldest_record.is_none())
        {
            r.stats.oldest_record = crate::inventory::retention::file_mtime(&entry.path);
        }
        reports
    }

    /// How this run reads files.
    fn read_options(&self) -> ReadOptions {
        ReadOptions {
            sampling: self.opts.sampling,
            line_cap: self.opts.line_cap,
            chunk_size: self.opts.chunk_size,
        }
    }

    /// Reads one file into `report`; a file of several tables gives their reports
    /// instead (`None` for any other file).
    fn scan_into(&self, path: &Path, report: &mut AssetReport) -> Option<Vec<AssetReport>> {
        let raw = match open::raw_head(path, 16) {
            Ok(raw) => raw,
            Err(e) => {
                report.fail("io", format!("cannot open: {e}"), false);
                return None;
            }
        };
        if raw.is_empty() {
            report.mark_empty();
            return None;
        }
        let compression = format::compression(path, &raw);
        if compression != Compression::None {
            report.compression = Some(format!("{compression:?}").to_lowercase());
        }
        let opened = match open::open(path, compression) {
            Ok(o) => o,
            Err(e) => {
                report.fail("io", format!("cannot read: {e}"), false);
                return None;
            }
        };
        let fmt = format::detect(path, &opened.head);
        report.format = fmt.name().into();
        let Some(reader) = file::reader(fmt) else {
            report.status = Status::Skipped;
            report.skipped_reason = Some(match fmt {
                Format::Sqlite => format!(
                    "SQLite database: scan it with --db sqlite:{}",
                    path.display()
                ),
                _ => "binary content".into(),
            });
            return None;
        };
        let input = Input::new(path, fmt, compression, &opened.head, opened.reader);
        if let Some(tables) = reader.as_tables() {
            return self.scan_tables(tables, input, report);
        }
        self.read_into(reader, input, report);
        None
    }

    /// Reads an opened input (a file, or an object from a store) with its format's
    /// reader into `report`: the part of a file's scan after it was opened and sniffed.
    /// (A workbook in an object store is read as one asset, its fields `Sheet#column`.)
    fn read_into(&self, reader: &dyn file::FileReader, input: Input<'_>, report: &mut AssetReport) {
        let mut collector = AssetCollector::new(self.engine, &report.asset, self.findings);
        let mut summary = ReadSummary::default();
        let opts = self.read_options();
        let result = reader.read(FileRead {
            input,
            opts: &opts,
            sink: &mut collector,
            summary: &mut summary,
        });
        finish_read(collector, summary, result, report);
    }

    /// Reads a file of several tables: one report per table, each made like a file's
    /// (`report` is their template, and is failed itself if the file cannot be read).
    fn scan_tables(
        &self,
        reader: &dyn file::TablesReader,
        input: Input<'_>,
        report: &mut AssetReport,
    ) -> Option<Vec<AssetReport>> {
        let mut tables = TableReports {
            scanner: self,
            file: report,
            reports: Vec::new(),
        };
        let result = reader.read_tables(input, &self.read_options(), &mut tables);
        let reports = tables.reports;
        match result {
            Err(e) => {
                // The file could not be read as a whole: the file is the failed asset,
                // and what was read of its tables before that stays reported.
                report.fail(error_kind(&e), e.to_string(), !reports.is_empty());
                let mut all = vec![report.clone()];
                all.extend(reports);
                Some(all)
            }
            Ok(()) if reports.is_empty() => {
                report.status = Status::Skipped;
                report.skipped_reason = Some("no tables (a workbook without worksheets)".into());
                None
            }
            Ok(()) => Some(reports),
        }
    }
}

/// The [`file::TableSinks`] of one file: each table read into a collector of its own
/// and made into a report named after the file and the table.
struct TableReports<'s, 'e> {
    scanner: &'s FileScanner<'e>,
    file: &'s AssetReport,
    reports: Vec<AssetReport>,
}

impl file::TableSinks for TableReports<'_, '_> {
    fn table(&mut self, name: &str, read: &mut file::ReadTable<'_>) {
        let started = Instant::now();
        let mut report = AssetReport::new(
            format!("{}#{name}", self.file.id),
            format!("{}#{name}", self.file.asset),
            self.file.kind,
            &self.file.format,
        );
        report.compression = self.file.compression.clone();
        let mut collector =
            AssetCollector::new(self.scanner.engine, &report.asset, self.scanner.findings);
        let mut summary = ReadSummary::default();
        let result = read(&mut collector, &mut summary);
        finish_read(collector, summary, result, &mut report);
        report.stats.duration_ms = started.elapsed().as_millis() as u64;
        self.reports.push(report);
    }
}

/// Makes a read into the asset's report: the summary, the collector's fields and stats,
/// and the read's error (partial when something was read before it).
fn finish_read(
    mut collector: AssetCollector<'_>,
    summary: ReadSummary,
    result: Result<(), SourceError>,
    report: &mut AssetReport,
) {
    if let Some(reason) = summary.skipped {
        report.status = Status::Skipped;
        report.skipped_reason = Some(reason);
        return;
    }
    collector.drain_findings();
    let read_something = collector.rows_read() > 0;
    report.line_format = summary.line_format;
    report.stats.sampling = summary.sampling;
    report.stats.rows_scanned = if summary.rows_are_lines {
        collector.rows_read()
    } else {
        summary.rows_scanned
    };
    report.stats.skipped_columns = summary
        .skipped_columns
        .into_iter()
        .map(|(column, reason)| SkippedColumn { column, reason })
        .collect();
    collector.finish_into(report);
    if let Err(e) = result {
        report.fail(error_kind(&e), e.to_string(), read_something);
    }
}

/// The kind of an asset error from a source error.
fn error_kind(e: &SourceError) -> &'static str {
    match e {
        SourceError::Io { .. } => "io",
        SourceError::Parse(_) => "parse",
    }
}

/// Reports for paths the walk skipped or could not walk.
pub fn walk_reports(
    skipped: &[Skipped],
    errors: &[(std::path::PathBuf, String)],
) -> Vec<AssetReport> {
    let mut out = Vec::new();
    for s in skipped {
        let asset = s.path.display().to_string();
        let mut r = AssetReport::new(
            format!("file:{asset}"),
            asset,
            crate::inventory::AssetKind::File,
            "unknown",
        );
        r.status = Status::Skipped;
        r.skipped_reason = Some(s.reason.clone());
        out.push(r);
    }
    for (path, err) in errors {
        let asset = path.display().to_string();
        let mut r = AssetReport::new(
            format!("file:{asset}"),
            asset,
            crate::inventory::AssetKind::File,
            "unknown",
        );
        r.fail("walk", err.clone(), false);
        out.push(r);
    }
    out
}
