//! The findings file (`--findings FILE`): every finding, masked, streamed into a
//! temporary file beside the target while the scan runs and renamed into place when it
//! ends, so a reader never sees a half-written file.
//!
//! This is the findings-writer seam: [`FindingsWriter`] owns the file, the locking,
//! the atomic rename and the count; a [`FindingsFormat`] only turns findings into
//! bytes. The formats are [`jsonl`] (one JSON object per line, the default) and
//! [`sarif`] (SARIF 2.1.0, for code scanning). A new format is one file implementing
//! the trait, plus a variant of [`FindingsFileFormat`].

pub mod jsonl;
pub mod sarif;

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What a finding was found in: decides how a format points at it (a SARIF result has
/// a file location for a file, a logical location for a table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssetKind {
    /// A file; the asset is its path as given or walked.
    File,
    /// A database table (also of a SQLite file); the asset is its redacted address.
    Table,
    /// Text given with `--text` or on stdin (`<text 1>`, `<stdin>`): no file to point at.
    Input,
}

/// One finding as the findings file sees it, borrowed from the scan.
#[derive(Clone, Copy, Debug)]
pub struct FindingRecord<'a> {
    /// The asset (path as given or walked, a redacted table address, or `<stdin>`).
    pub asset: &'a str,
    /// What the asset is.
    pub asset_kind: AssetKind,
    /// The column, JSON path or key; `None` for unstructured text.
    pub field: Option<&'a str>,
    /// 1-based line, for text, log, CSV and JSONL files.
    pub line: Option<u64>,
    /// 1-based column of the value's first character (in Unicode code points), known
    /// only for unstructured text read as whole lines: a value's offset inside a CSV
    /// cell or a JSON field is not a column of the file.
    pub column: Option<u32>,
    /// 0-based row, for tabular data.
    pub row: Option<u64>,
    /// The data type.
    pub data_type: &'a str,
    /// The id of the rule (detector) that fired.
    pub rule: &'a str,
    /// What the rule finds (may be empty for a user rule without a description).
    pub rule_description: &'a str,
    /// Confidence, two decimals.
    pub confidence: f64,
    /// The masked value (never the raw one).
    pub masked: &'a str,
}

/// A rule that fired at least once, for formats that list their rules (SARIF's
/// `tool.driver.rules`). Kept by the writer, so no format has to remember findings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FiredRule {
    /// The rule id.
    pub id: String,
    /// What it finds.
    pub description: String,
    /// The data type it finds.
    pub data_type: String,
}

/// One output format of the findings file. The writer calls [`header`] once, then
/// [`encode`] for each finding with [`separator`] between two findings, then
/// [`footer`] once; `encode` runs outside the writer's lock (on many threads at once),
/// so it must not depend on what was written before.
///
/// [`header`]: FindingsFormat::header
/// [`encode`]: FindingsFormat::encode
/// [`separator`]: FindingsFormat::separator
/// [`footer`]: FindingsFormat::footer
pub trait FindingsFormat: Send + Sync {
    /// What precedes the first finding.
    fn header(&self, out: &mut dyn Write) -> io::Result<()>;
    /// What goes between two findings (a comma in a JSON array; nothing between lines).
    fn separator(&self) -> &'static [u8];
    /// Appends one finding.
    fn encode(&self, finding: &FindingRecord<'_>, out: &mut Vec<u8>);
    /// What follows the last finding, given the rules that fired (sorted by id).
    fn footer(&self, rules: &[FiredRule], out: &mut dyn Write) -> io::Result<()>;
}

/// The formats `--findings-format` offers (the command line maps its flag onto this,
/// so the library never sees clap).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FindingsFileFormat {
    /// JSON lines ([`jsonl::JsonLines`]).
    #[default]
    JsonLines,
    /// SARIF 2.1.0 ([`sarif::Sarif`]).
    Sarif,
}

impl FindingsFileFormat {
    fn format(self) -> Box<dyn FindingsFormat> {
        match self {
            FindingsFileFormat::JsonLines => Box::new(jsonl::JsonLines),
            FindingsFileFormat::Sarif => Box::new(sarif::Sarif::new()),
        }
    }
}

/// What the writer holds under its lock.
struct Open {
    file: Option<BufWriter<tempfile::NamedTempFile>>,
    written: u64,
    rules: BTreeMap<String, FiredRule>,
    /// The first write error (disk full): the file is then not put in place.
    error: Option<io::Error>,
}

/// A shared, thread-safe findings file writer. A write error (disk full) is kept and
/// returned by [`FindingsWriter::finish`]: the file is then not put in place, so a
/// half-written findings file never passes for a complete one.
pub struct FindingsWriter {
    target: PathBuf,
    format: Box<dyn FindingsFormat>,
    open: Mutex<Open>,
}

impl FindingsWriter {
    /// Creates the temporary file next to `target` and writes the format's header.
    pub fn create(target: &Path, format: FindingsFileFormat) -> io::Result<Self> {
        Self::with_format(target, format.format())
    }

    /// [`FindingsWriter::create`] with any format (tests, or a format of a library user).
    pub fn with_format(target: &Path, format: Box<dyn FindingsFormat>) -> io::Result<Self> {
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir)?;
        let tmp = tempfile::Builder::new()
            .prefix(".piimap-findings-")
            .suffix(".tmp")
            .tempfile_in(&dir)?;
        let mut file = BufWriter::new(tmp);
        format.header(&mut file)?;
        Ok(FindingsWriter {
            target: target.to_path_buf(),
            format,
            open: Mutex::new(Open {
                file: Some(file),
                written: 0,
                rules: BTreeMap::new(),
                error: None,
            }),
        })
    }

    /// Appends findings: encoded on the calling thread, then written under one lock
    /// per call (not per finding).
    pub fn write<'a>(&self, findings: impl IntoIterator<Item = FindingRecord<'a>>) {
        let separator = self.format.separator();
        let mut bytes = Vec::new();
        let mut rules: Vec<FindingRecord<'a>> = Vec::new();
        let mut count = 0u64;
        for f in findings {
            if count > 0 {
                bytes.extend_from_slice(separator);
            }
            self.format.encode(&f, &mut bytes);
            count += 1;
            if !rules.iter().any(|r| r.rule == f.rule) {
                rules.push(f);
            }
        }
        if count == 0 {
            return;
        }
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let open = &mut *open;
        let (Some(file), None) = (open.file.as_mut(), open.error.as_ref()) else {
            return;
        };
        let result = if open.written > 0 {
            file.write_all(separator)
                .and_then(|()| file.write_all(&bytes))
        } else {
            file.write_all(&bytes)
        };
        match result {
            Ok(()) => {
                open.written += count;
                for r in rules {
                    open.rules
                        .entry(r.rule.to_string())
                        .or_insert_with(|| FiredRule {
                            id: r.rule.to_string(),
                            description: r.rule_description.to_string(),
                            data_type: r.data_type.to_string(),
                        });
                }
            }
            Err(e) => open.error = Some(e),
        }
    }

    /// Writes the findings of `batch` and empties it.
    pub fn write_batch(&self, batch: &mut FindingsBatch) {
        self.write(batch.kept.iter().map(KeptFinding::record));
        batch.kept.clear();
    }

    /// Writes the footer, flushes and renames into place; returns how many findings
    /// were written.
    pub fn finish(self) -> io::Result<u64> {
        let open = self.open.into_inner().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = open.error {
            return Err(e);
        }
        let mut file = open
            .file
            .ok_or_else(|| io::Error::other("findings file already finished"))?;
        let rules: Vec<FiredRule> = open.rules.into_values().collect();
        self.format.footer(&rules, &mut file)?;
        let tmp = file.into_inner().map_err(|e| e.into_error())?;
        tmp.as_file().sync_all()?;
        tmp.persist(&self.target).map_err(|e| e.error)?;
        Ok(open.written)
    }
}

/// Findings kept (owned) until a writer is at hand, for a scan path that meets
/// findings one by one without the writer (a hinted database column, `--text`).
#[derive(Debug, Default)]
pub struct FindingsBatch {
    kept: Vec<KeptFinding>,
}

impl FindingsBatch {
    /// Keeps a copy of `finding`.
    pub fn push(&mut self, finding: &FindingRecord<'_>) {
        self.kept.push(KeptFinding {
            asset: finding.asset.into(),
            asset_kind: finding.asset_kind,
            field: finding.field.map(Into::into),
            line: finding.line,
            column: finding.column,
            row: finding.row,
            data_type: finding.data_type.into(),
            rule: finding.rule.into(),
            rule_description: finding.rule_description.into(),
            confidence: finding.confidence,
            masked: finding.masked.into(),
        });
    }

    /// How many findings are kept.
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    /// No finding kept.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }
}

/// An owned [`FindingRecord`].
#[derive(Debug)]
struct KeptFinding {
    asset: Box<str>,
    asset_kind: AssetKind,
    field: Option<Box<str>>,
    line: Option<u64>,
    column: Option<u32>,
    row: Option<u64>,
    data_type: Box<str>,
    rule: Box<str>,
    rule_description: Box<str>,
    confidence: f64,
    masked: Box<str>,
}

impl KeptFinding {
    fn record(&self) -> FindingRecord<'_> {
        FindingRecord {
            asset: &self.asset,
            asset_kind: self.asset_kind,
            field: self.field.as_deref(),
            line: self.line,
            column: self.column,
            row: self.row,
            data_type: &self.data_type,
            rule: &self.rule,
            rule_description: &self.rule_description,
            confidence: self.confidence,
            masked: &self.masked,
        }
    }
}

/// Serialises `value` compactly into `out` with the crate's escaping formatter (C1 and
/// bidirectional controls escaped too), for the formats' `encode`.
pub(crate) fn push_json(out: &mut Vec<u8>, value: &impl serde::Serialize) {
    let f = crate::output::escape::JsonFormatter(serde_json::ser::CompactFormatter);
    // Writing into a Vec cannot fail, and these types always serialise.
    let _ = value.serialize(&mut serde_json::Serializer::with_formatter(out, f));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A format that makes the writer's framing visible: `[` header, `|` separator,
    /// `]` footer naming the rules.
    struct Framed;

    impl FindingsFormat for Framed {
        fn header(&self, out: &mut dyn Write) -> io::Result<()> {
            out.write_all(b"[")
        }
        fn separator(&self) -> &'static [u8] {
            b"|"
        }
        fn encode(&self, finding: &FindingRecord<'_>, out: &mut Vec<u8>) {
            out.extend_from_slice(finding.masked.as_bytes());
        }
        fn footer(&self, rules: &[FiredRule], out: &mut dyn Write) -> io::Result<()> {
            let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
            write!(out, "]{}", ids.join(","))
        }
    }

    pub(crate) fn record<'a>(rule: &'a str, masked: &'a str) -> FindingRecord<'a> {
        FindingRecord {
            asset: "a.txt",
            asset_kind: AssetKind::File,
            field: None,
            line: Some(1),
            column: None,
            row: None,
            data_type: "email",
            rule,
            rule_description: "",
            confidence: 0.9,
            masked,
        }
    }

    #[test]
    fn findings_are_framed_across_batches_and_rules_listed_once_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("f.out");
        let w = FindingsWriter::with_format(&target, Box::new(Framed)).unwrap();
        w.write([record("zeta", "a"), record("alpha", "b")]);
        w.write(std::iter::empty());
        let mut batch = FindingsBatch::default();
        batch.push(&record("zeta", "c"));
        assert_eq!(batch.len(), 1);
        w.write_batch(&mut batch);
        assert!(batch.is_empty());
        assert!(!target.exists(), "nothing is in place before finish");
        assert_eq!(w.finish().unwrap(), 3);
        assert_eq!(
            std::fs::read_to_string(&target).unwrap(),
            "[a|b|c]alpha,zeta"
        );
    }

    #[test]
    fn an_empty_run_still_has_its_header_and_footer() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("f.out");
        let w = FindingsWriter::with_format(&target, Box::new(Framed)).unwrap();
        assert_eq!(w.finish().unwrap(), 0);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "[]");
    }
}
