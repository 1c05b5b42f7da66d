//! Sources: where bytes come from and how they become records.
//!
//! A source reads one asset (a file, a table) and *pushes* what it reads into a
//! [`RecordSink`]: named cells (a CSV column, a JSON path, a `key=value` key, a table
//! column) or runs of free text (log lines). The source keeps control of its buffers
//! and never hands out borrowed iterators — ripgrep's searcher/sink split. The detector
//! stage is one `RecordSink` implementation (`crate::scan::AssetCollector`); a test can
//! use another.

pub mod access_log;
pub mod capped;
pub mod csv;
pub mod db;
pub mod format;
pub mod jsonl;
pub mod open;
pub mod parquet;
pub mod sample;
pub mod text;
pub mod walk;

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
