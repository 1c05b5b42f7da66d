//! Sources: where bytes come from and how they become records.
//!
//! A source reads one asset (a file, a table) and *pushes* what it reads into a
//! [`RecordSink`]: named cells (a CSV column, a JSON path, a `key=value` key, a table
//! column) or runs of free text (log lines). The source keeps control of its buffers
//! and never hands out borrowed iterators — ripgrep's searcher/sink split. The detector
//! stage is one `RecordSink` implementation (`crate::classify::AssetCollector`); a test
//! can use another.
//!
//! Files are read by the [`file`] readers (one [`file::FileReader`] per format),
//! databases through the [`db`] seam (one [`db::Database`] per kind of server), objects
//! in stores (S3, GCS, Azure) through [`object`], by the same file readers.

pub mod db;
pub mod file;
pub mod format;
pub mod object;
pub mod open;
pub mod sample;
pub mod walk;

// The readers' former paths (`source::csv::Sampling` is in the CLI's use).
pub use file::{capped, csv, json_walk, jsonl, parquet, text};

/// FNV-1a, 64 bit: a hash that is the same on every run and machine, for shards and
/// fingerprints kept in state files.
pub fn stable_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// How many rows of a table (a file table or a database table) to look at.
#[derive(Clone, Copy, Debug)]
pub struct Sampling {
    /// Rows kept by the deterministic sample.
    pub rows: usize,
    /// Read every row instead (bounded memory: rows are streamed).
    pub full: bool,
    /// Seed of the sample.
    pub seed: u64,
}

/// Interned field id, issued by [`RecordSink::field`].
pub type FieldId = u32;

/// Where a cell or a line is in its asset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// 1-based line in a text, log, CSV or JSONL file.
    pub line: Option<u64>,
    /// 0-based data row in a tabular asset.
    pub row: Option<u64>,
}

/// Something odd about the input that did not stop the read but must be reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anomaly {
    /// A line or value was not valid UTF-8 (scanned as bytes, counted).
    InvalidUtf8,
    /// A line longer than the cap: only the capped part was scanned.
    TruncatedLine,
    /// A CSV row with a different number of fields than the header.
    RaggedRow,
    /// A line of a JSON-lines file that is not a JSON object (scanned as text).
    BadJsonLine,
    /// A CSV field or a Parquet value longer than the cap: only the capped part was
    /// scanned.
    TruncatedField,
    /// A CSV record longer than its limit or wider than
    /// [`capped::MAX_FIELDS`](capped::MAX_FIELDS) fields: its remaining fields were not
    /// scanned.
    TruncatedRecord,
}

/// Receives what a source reads.
pub trait RecordSink {
    /// Interns a field name (cheap to call per cell).
    fn field(&mut self, name: &str) -> FieldId;
    /// Interns a field called `name` whose name hints are resolved from `name` plus
    /// `hint` (free text such as a column comment); it is still reported as `name`.
    /// A sink that has no use for hints interns `name` alone.
    fn field_with_hint(&mut self, name: &str, hint: &str) -> FieldId {
        let _ = hint;
        self.field(name)
    }
    /// One value of a field.
    fn cell(&mut self, field: FieldId, value: &[u8], at: Location);
    /// A run of unstructured text starting at line `first_line` (1-based).
    fn text(&mut self, text: &[u8], first_line: u64);
    /// [`RecordSink::text`] that starts at the start of a line (whole lines), so that
    /// offsets into it are columns too; text from the middle of a line (what follows a
    /// log line's parsed fields) goes to `text`.
    fn lines(&mut self, text: &[u8], first_line: u64) {
        self.text(text, first_line);
    }
    /// Counts lines or rows read, for the asset's stats.
    fn rows(&mut self, n: u64);
    /// A record's time that is not scanned as a value (an access log's `[time]`), for
    /// the age of the oldest record. A sink with no use for it ignores it.
    fn record_time(&mut self, _time: &[u8]) {}
    /// Notes an anomaly.
    fn anomaly(&mut self, kind: Anomaly, at: Location);
}

/// Errors a source reports for one asset.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Reading failed (permission, truncated compression stream, vanished file, …).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The content could not be parsed at all.
    #[error("{0}")]
    Parse(String),
}

impl SourceError {
    /// An I/O error while doing `context`.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        SourceError::Io {
            context: context.into(),
            source,
        }
    }
}
