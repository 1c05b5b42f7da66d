//! Orchestration: walked files → sources → detection → per-asset reports.
//!
//! Files are scanned in parallel on a rayon pool; a big text file is also split at line
//! boundaries into chunks scanned in parallel, in windows of a few chunks so memory stays
//! bounded and the findings file stays in line order. Each chunk has its own
//! [`AssetCollector`] (per-thread aggregation, no locks) and they are merged once.
//! A failing asset is recorded and the scan goes on.

mod batch;
mod collector;
pub mod db;
pub use crate::report::findings;
pub mod shard;
pub mod state;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;

pub use collector::AssetCollector;
use findings::FindingsWriter;

use crate::detect::Engine;
use crate::inventory::{AssetError, AssetReport, SkippedColumn, Status};
use crate::source::csv::Sampling;
use crate::source::format::{self, Compression, Format};
use crate::source::text::{self, LineFormat};
use crate::source::walk::{FileEntry, Skipped};
use crate::source::{jsonl, open, parquet, SourceError};

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
    /// into the report. A SQLite database file gives one report per table.
    pub fn scan_file(&self, entry: &FileEntry) -> Vec<AssetReport> {
        let started = Instant::now();
        let asset = entry.path.display().to_string();
        let mut report = AssetReport::new(format!("file:{asset}"), asset, "file", "unknown");
        report.stats.bytes = entry.size;
        self.scan_into(&entry.path, &mut report);
        report.stats.duration_ms = started.elapsed().as_millis() as u64;
        if report.format == "sqlite" && report.status == Status::Skipped {
            let opts = db::DbOptions {
                sampling: self.opts.db_sampling,
                ..db::DbOptions::default()
            };
            return db::scan_sqlite_file(self.engine, &entry.path, &opts, self.findings);
        }
        vec![report]
    }

    fn scan_into(&self, path: &Path, report: &mut AssetReport) {
        let raw = match open::raw_head(path, 16) {
            Ok(raw) => raw,
            Err(e) => return report.fail("io", format!("cannot open: {e}"), false),
        };
        if raw.is_empty() {
            report.format = "empty".into();
            report.errors.push(AssetError {
                kind: "empty".into(),
                message: "empty file".into(),
                count: None,
                first_line: None,
                fatal: false,
            });
            return;
        }
        let compression = format::compression(path, &raw);
        if compression != Compression::None {
            report.compression = Some(format!("{compression:?}").to_lowercase());
        }
        let opened = match open::open(path, compression) {
            Ok(o) => o,
            Err(e) => return report.fail("io", format!("cannot read: {e}"), false),
        };
        let fmt = format::detect(path, &opened.head);
        let head = opened.head;
        report.format = fmt.name().into();
        let mut collector =
            AssetCollector::new(self.engine, &report.asset, self.findings.is_some());
        // Tables are read once, and a second time when their sample is too big to hold
        // (see `source::sample`): the first open is the stream already sniffed.
        let mut first = Some(opened.reader);
        let reopen = move || -> std::io::Result<Box<dyn std::io::Read + Send>> {
            match first.take() {
                Some(r) => Ok(r),
                None => open::open(path, compression).map(|o| o.reader),
            }
        };
        let result: Result<(), SourceError> = match fmt {
            Format::Binary => {
                report.status = Status::Skipped;
                report.skipped_reason = Some("binary content".into());
                return;
            }
            Format::Sqlite => {
                report.status = Status::Skipped;
                report.skipped_reason = Some(format!(
                    "SQLite database: scan it with --db sqlite:{}",
                    path.display()
                ));
                return;
            }
            Format::Parquet if compression != Compression::None => {
                report.status = Status::Skipped;
                report.skipped_reason = Some(
                    "compressed Parquet file (Parquet compresses internally; decompress it first)"
                        .into(),
                );
                return;
            }
            Format::Parquet => {
                parquet::read(path, self.opts.sampling, self.opts.line_cap, &mut collector).map(
                    |(stats, skipped)| {
                        report.stats.sampling = stats.method;
                        report.stats.rows_scanned = stats.rows_scanned;
                        report.stats.skipped_columns = skipped
                            .into_iter()
                            .map(|(column, reason)| SkippedColumn { column, reason })
                            .collect();
                    },
                )
            }
            Format::Csv { delimiter } => crate::source::csv::read(
                reopen,
                delimiter,
                self.opts.sampling,
                self.opts.line_cap,
                &mut collector,
            )
            .map(|stats| {
                report.stats.sampling = stats.method;
                report.stats.rows_scanned = stats.rows_scanned;
            }),
            Format::Jsonl => jsonl::read(
                reopen,
                self.opts.sampling,
                self.opts.line_cap,
                &mut collector,
            )
            .map(|stats| {
                report.stats.sampling = stats.method;
                report.stats.rows_scanned = stats.rows_scanned;
            }),
            Format::Text => {
                let line_format = LineFormat::sniff(&head);
                report.line_format = Some(
                    serde_json::to_value(line_format)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default(),
                );
                report.stats.sampling = "all lines".into();
                if compression == Compression::None {
                    drop(reopen);
                    self.scan_text_mmap(path, line_format, &mut collector)
                } else {
                    let mut reopen = reopen;
                    match reopen() {
                        Ok(reader) => self.scan_text_stream(reader, line_format, &mut collector),
                        Err(e) => Err(SourceError::io("reading (decompressing)", e)),
                    }
                }
            }
        };
        if let Some(writer) = self.findings {
            collector.drain_findings(writer);
        }
        let read_something = collector.rows_read() > 0;
        if report.stats.sampling == "all lines" {
            report.stats.rows_scanned = collector.rows_read();
        }
        collector.finish_into(report);
        if let Err(e) = result {
            let kind = match e {
                SourceError::Io { .. } => "io",
                SourceError::Parse(_) => "parse",
            };
            report.fail(kind, e.to_string(), read_something);
        }
    }

    fn scan_text_mmap(
        &self,
        path: &Path,
        format: LineFormat,
        total: &mut AssetCollector<'e>,
    ) -> Result<(), SourceError> {
        let file = std::fs::File::open(path).map_err(|e| SourceError::io("opening", e))?;
        // Safety: the map is read-only and dropped before returning. A file truncated
        // while mapped can raise SIGBUS; ripgrep accepts the same trade-off for speed.
        let map = unsafe { memmap2::Mmap::map(&file) }
            .map_err(|e| SourceError::io("memory-mapping", e))?;
        #[cfg(unix)]
        let _ = map.advise(memmap2::Advice::Sequential);
        let bytes: &[u8] = &map;
        // The file is cut one window of chunks at a time, at line boundaries: cutting it
        // all up front touched a page at every boundary, and the kernel may map a whole
        // large folio (up to 2 MiB) per touch — 1 GB resident on a 4 GiB file before
        // the first window was scanned. Line numbers: each window counts its chunks'
        // newlines (a memchr pass over bytes about to be scanned anyway), then prefix
        // sums continue from the last window.
        let window = (rayon::current_num_threads() * 2).max(2);
        let span = window * self.opts.chunk_size.max(1);
        let mut line = 1u64;
        let mut window_start = 0usize;
        while window_start < bytes.len() {
            let mut window_end = (window_start + span).min(bytes.len());
            if window_end < bytes.len() {
                window_end = memchr::memchr(b'\n', &bytes[window_end..])
                    .map_or(bytes.len(), |p| window_end + p + 1);
            }
            let window_range = window_start..window_end;
            window_start = window_end;
            let counts: Vec<(std::ops::Range<usize>, u64)> =
                text::split_chunks(&bytes[window_range.clone()], self.opts.chunk_size)
                    .into_par_iter()
                    .map(|r| r.start + window_range.start..r.end + window_range.start)
                    .map(|r| {
                        let newlines = memchr::memchr_iter(b'\n', &bytes[r.clone()]).count();
                        (r, newlines as u64)
                    })
                    .collect();
            let mut group: Vec<(std::ops::Range<usize>, u64)> = Vec::with_capacity(counts.len());
            for (r, newlines) in counts {
                group.push((r, line));
                line += newlines;
            }
            let group = &group[..];
            let parts: Vec<AssetCollector<'e>> = group
                .par_iter()
                .map(|(range, first)| {
                    let mut c =
                        AssetCollector::new(self.engine, total.asset(), self.findings.is_some());
                    text::scan_block(
                        &bytes[range.clone()],
                        *first,
                        format,
                        self.opts.line_cap,
                        &mut c,
                    );
                    c
                })
                .collect();
            for mut part in parts {
                if let Some(writer) = self.findings {
                    part.drain_findings(writer);
                }
                total.merge(part);
            }
            // Done with this window: drop its pages from our resident set, so RSS stays
            // bounded however large the file (they stay in the page cache).
            #[cfg(unix)]
            // Safety: a read-only, file-backed shared mapping; MADV_DONTNEED only discards
            // our page-table entries, and a later access re-reads the file.
            let _ = unsafe {
                map.unchecked_advise_range(
                    memmap2::UncheckedAdvice::DontNeed,
                    window_range.start,
                    window_range.len(),
                )
            };
        }
        Ok(())
    }

    fn scan_text_stream(
        &self,
        reader: impl std::io::Read,
        format: LineFormat,
        collector: &mut AssetCollector<'e>,
    ) -> Result<(), SourceError> {
        let cap = self.opts.line_cap;
        let mut truncated: Vec<u64> = Vec::new();
        let findings = self.findings;
        let result = text::for_each_block(
            reader,
            4 << 20,
            cap,
            |block, first| {
                text::scan_block(block, first, format, cap, collector);
                if let Some(writer) = findings {
                    collector.drain_findings(writer);
                }
            },
            |line| truncated.push(line),
        );
        for line in truncated {
            collector.note_truncated(line);
        }
        result.map_err(|e| SourceError::io("reading (decompressing)", e))
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
        let mut r = AssetReport::new(format!("file:{asset}"), asset, "file", "unknown");
        r.status = Status::Skipped;
        r.skipped_reason = Some(s.reason.clone());
        out.push(r);
    }
    for (path, err) in errors {
        let asset = path.display().to_string();
        let mut r = AssetReport::new(format!("file:{asset}"), asset, "file", "unknown");
        r.fail("walk", err.clone(), false);
        out.push(r);
    }
    out
}
