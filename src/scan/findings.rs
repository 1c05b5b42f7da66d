//! The findings file (`--findings FILE`): every finding as one JSON object per line,
//! masked. Written to a temporary file beside the target and renamed into place when
//! the scan ends, so a reader never sees a half-written file.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

/// One line of the findings file.
#[derive(Serialize)]
pub struct FindingLine<'a> {
    /// The asset (path as given or walked, or a redacted table address).
    pub asset: &'a str,
    /// The column, JSON path or key; null for unstructured text.
    pub field: Option<&'a str>,
    /// 1-based line, for text, log, CSV and JSONL files.
    pub line: Option<u64>,
    /// 0-based row, for tabular data.
    pub row: Option<u64>,
    /// The data type.
    pub data_type: &'a str,
    /// The rule that fired.
    pub rule: &'a str,
    /// Confidence, two decimals.
    pub confidence: f64,
    /// The masked value.
    pub masked: &'a str,
}

/// A shared, thread-safe findings file writer. A write error (disk full) is kept and
/// returned by [`FindingsWriter::finish`]: the file is then not put in place, so a
/// half-written findings file never passes for a complete one.
pub struct FindingsWriter {
    target: PathBuf,
    tmp: Mutex<Option<(tempfile::NamedTempFile, u64)>>,
    error: Mutex<Option<std::io::Error>>,
}

impl FindingsWriter {
    /// Creates the temporary file next to `target`.
    pub fn create(target: &Path) -> std::io::Result<Self> {
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir)?;
        let tmp = tempfile::Builder::new()
            .prefix(".piimap-findings-")
            .suffix(".tmp")
            .tempfile_in(&dir)?;
        Ok(FindingsWriter {
            target: target.to_path_buf(),
            tmp: Mutex::new(Some((tmp, 0))),
            error: Mutex::new(None),
        })
    }

    /// Appends pre-serialised lines (one lock per batch, not per finding).
    pub fn write_batch(&self, bytes: &[u8], lines: u64) {
        if bytes.is_empty() {
            return;
        }
        let mut guard = self.tmp.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((file, n)) = guard.as_mut() {
            match file.write_all(bytes) {
                Ok(()) => *n += lines,
                Err(e) => {
                    let mut error = self.error.lock().unwrap_or_else(|p| p.into_inner());
                    error.get_or_insert(e);
                }
            }
        }
    }

    /// Flushes and renames into place; returns how many findings were written.
    pub fn finish(self) -> std::io::Result<u64> {
        if let Some(e) = self.error.into_inner().unwrap_or_else(|p| p.into_inner()) {
            return Err(e);
        }
        let (tmp, n) = self
            .tmp
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .ok_or_else(|| std::io::Error::other("findings file already finished"))?;
        tmp.as_file().sync_all()?;
        tmp.persist(&self.target).map_err(|e| e.error)?;
        Ok(n)
    }
}

/// Serialises one finding line into `out` (kept here so the format lives in one place).
pub fn push_line(out: &mut Vec<u8>, line: &FindingLine<'_>) {
    let mut w = BufWriter::new(out);
    let f = crate::report::escape::JsonFormatter(serde_json::ser::CompactFormatter);
    if line
        .serialize(&mut serde_json::Serializer::with_formatter(&mut w, f))
        .is_ok()
    {
        let _ = w.write_all(b"\n");
    }
}
